//! What a print agent remembers of the jobs it was given, on disk, one file per hall
//! server (by the server's identity), so a restarted agent neither prints a job twice
//! nor mistakes a job of a restored or reinstalled hall for one it printed before.
//!
//! Jobs are known by their key, a random identity the server gives each job (never
//! reused, even after a restore). For each key the file holds its last state:
//! - `s KEY`: an attempt started (the ticket may be going to the printer now);
//! - `p KEY`: the printer confirmed it (written and synced before the server is told);
//! - `c KEY`: the attempt ended without printing (it may be tried again).
//!
//! A key whose last line is `s` belonged to an agent that died mid-attempt: the ticket
//! may or may not be on paper. The job is then reported uncertain instead of being
//! printed again unseen. The file is bounded: when it grows past twice [`KEEP`] lines it
//! is rewritten with the newest [`KEEP`] keys.

use std::collections::{HashMap, VecDeque};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

/// How many jobs are remembered (a busy kiosk prints about 500 a day).
pub const KEEP: usize = 20_000;

/// What the journal knows of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    New,
    /// An attempt started and never ended: the agent died in it.
    Started,
    Printed,
}

/// The journal of one hall server's jobs.
pub struct Journal {
    path: PathBuf,
    file: File,
    state: HashMap<String, Seen>,
    /// Keys by first appearance, oldest first (for compaction).
    order: VecDeque<String>,
    lines: usize,
}

/// A server identity or job key as a file name or line may hold it: letters, digits, `-`.
fn clean(s: &str) -> Option<&str> {
    (!s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
        .then_some(s)
}

impl Journal {
    /// Open (or start) the journal for the server `server` in `dir`.
    pub fn open(dir: &Path, server: &str) -> std::io::Result<Journal> {
        let server = clean(server).ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the server's identity is not a plain word",
            )
        })?;
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("jobs-{server}.log"));
        let mut journal = Journal {
            file: OpenOptions::new().create(true).append(true).open(&path)?,
            path,
            state: HashMap::new(),
            order: VecDeque::new(),
            lines: 0,
        };
        let reader = BufReader::new(File::open(&journal.path)?);
        for line in reader.lines().map_while(Result::ok) {
            journal.lines += 1;
            let Some((mark, key)) = line.split_once(' ') else {
                continue; // a line cut short by a crash
            };
            let seen = match mark {
                "s" => Seen::Started,
                "p" => Seen::Printed,
                "c" => Seen::New,
                _ => continue,
            };
            journal.note(key, seen);
        }
        if journal.lines > 2 * KEEP {
            journal.compact()?;
        }
        Ok(journal)
    }

    fn note(&mut self, key: &str, seen: Seen) {
        if self.state.insert(key.to_owned(), seen).is_none() {
            self.order.push_back(key.to_owned());
        }
    }

    /// What is known of the job `key`.
    pub fn seen(&self, key: &str) -> Seen {
        self.state.get(key).copied().unwrap_or(Seen::New)
    }

    fn append(&mut self, mark: char, key: &str, sync: bool) -> std::io::Result<()> {
        let key = clean(key).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a job key")
        })?;
        writeln!(self.file, "{mark} {key}")?;
        if sync {
            self.file.sync_data()?;
        }
        self.lines += 1;
        if self.lines > 2 * KEEP {
            self.compact()?;
        }
        Ok(())
    }

    /// An attempt at `key` starts. Not synced: the mark only has to outlive the agent's
    /// process (the kernel keeps it), and a power cut takes the printer down too.
    pub fn started(&mut self, key: &str) -> std::io::Result<()> {
        self.append('s', key, false)?;
        self.note(key, Seen::Started);
        Ok(())
    }

    /// The attempt at `key` ended: printed (synced before the server hears it), or not.
    pub fn ended(&mut self, key: &str, printed: bool) -> std::io::Result<()> {
        if printed {
            self.append('p', key, true)?;
            self.note(key, Seen::Printed);
        } else {
            self.append('c', key, false)?;
            self.note(key, Seen::New);
        }
        Ok(())
    }

    /// Rewrite the file with the newest [`KEEP`] keys (a new file renamed over the old).
    fn compact(&mut self) -> std::io::Result<()> {
        while self.order.len() > KEEP {
            if let Some(old) = self.order.pop_front() {
                self.state.remove(&old);
            }
        }
        let fresh = self.path.with_extension("log.new");
        let mut out = std::io::BufWriter::new(File::create(&fresh)?);
        let mut lines = 0;
        for key in &self.order {
            let mark = match self.state.get(key) {
                Some(Seen::Started) => 's',
                Some(Seen::Printed) => 'p',
                _ => continue,
            };
            writeln!(out, "{mark} {key}")?;
            lines += 1;
        }
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&fresh, &self.path)?;
        self.file = OpenOptions::new().append(true).open(&self.path)?;
        self.lines = lines;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_survive_a_reopen_and_each_server_has_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Journal::open(dir.path(), "hall-a").unwrap();
        a.started("k1").unwrap();
        a.ended("k1", true).unwrap();
        a.started("k2").unwrap();
        a.started("k3").unwrap();
        a.ended("k3", false).unwrap();
        drop(a);
        let a = Journal::open(dir.path(), "hall-a").unwrap();
        assert_eq!(a.seen("k1"), Seen::Printed);
        assert_eq!(a.seen("k2"), Seen::Started, "died mid-attempt");
        assert_eq!(
            a.seen("k3"),
            Seen::New,
            "ended unprinted: may be tried again"
        );
        let b = Journal::open(dir.path(), "hall-b").unwrap();
        assert_eq!(
            b.seen("k1"),
            Seen::New,
            "another server's jobs are not these"
        );
    }

    #[test]
    fn the_file_stays_bounded_and_keeps_the_newest_keys() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(dir.path(), "h").unwrap();
        let keys = 3 * KEEP;
        for i in 0..keys {
            let key = format!("k{i}");
            j.started(&key).unwrap();
            j.ended(&key, false).unwrap();
            j.started(&key).unwrap();
        }
        let lines = std::fs::read_to_string(dir.path().join("jobs-h.log"))
            .unwrap()
            .lines()
            .count();
        assert!(lines <= 2 * KEEP, "{lines} lines");
        let j = Journal::open(dir.path(), "h").unwrap();
        assert_eq!(j.seen(&format!("k{}", keys - 1)), Seen::Started);
        assert_eq!(j.seen("k0"), Seen::New, "the oldest are forgotten");
    }

    #[test]
    fn odd_identities_and_keys_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Journal::open(dir.path(), "../etc").is_err());
        let mut j = Journal::open(dir.path(), "h").unwrap();
        assert!(j.started("a b\np x").is_err());
    }
}
