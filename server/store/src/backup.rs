//! Backups of the hall's database, and bringing one back.
//!
//! A backup is taken with SQLite's online backup API from a read-only connection, all
//! pages in one step: that is one read transaction, so the copy is the database exactly as
//! it stood at one commit, while the writer goes on committing tickets beside it (WAL lets
//! a reader and the writer work at once). The copy is written to a temporary file beside
//! the target, checked, synced, and only then renamed into place: a backup file that
//! exists is whole.
//!
//! A restore must not pull the database out from under a running server. Every
//! connection to a WAL database keeps a shared lock on the file for as long as it is open,
//! so a server that is merely idle still holds one; the restore asks SQLite for an
//! exclusive lock (`locking_mode=EXCLUSIVE`, `BEGIN EXCLUSIVE`) and is refused while any
//! server or command has the database open. It keeps that lock to the end, so a server
//! started meanwhile waits and fails rather than reading a half-restored hall.
//!
//! The file to restore is checked first (a SQLite database, not damaged, with a motcua
//! schema), copied to a staging directory and brought up to this build's schema there
//! with the server's own migrations, which also refuse a file from a newer motcua. Only
//! then is the live database saved aside as a safety copy and overwritten, in place and
//! in one transaction, through the same backup API.

use crate::{self as store, StoreError};
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The database's file name in the data directory (as the store names it).
pub const DATABASE_FILE: &str = "motcua.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("there is no database to back up in {0}")]
    NoDatabase(PathBuf),
    #[error("{0} is the live database itself: write the backup somewhere else")]
    OntoLive(PathBuf),
    #[error("{0} does not exist")]
    NoFile(PathBuf),
    #[error("{path} is not a SQLite database ({reason})")]
    NotSqlite { path: PathBuf, reason: String },
    #[error("{0} is not a motcua database (it has no tickets or event log)")]
    NotMotcua(PathBuf),
    #[error("{path} is damaged: {problem}")]
    Damaged { path: PathBuf, problem: String },
    #[error(
        "{path} was written by a newer motcua (schema {found}, this build knows {known}): \
         restore it with that version of motcua or a newer one"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error(
        "the database in {0} is in use by a running motcua server or command: stop the server \
         first (`systemctl stop motcua`), then restore"
    )]
    InUse(PathBuf),
    #[error("{what}: {source}")]
    Sqlite {
        what: String,
        source: rusqlite::Error,
    },
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Store(#[from] StoreError),
}

fn sqlite(what: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Sqlite { what, source }
}

fn io(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

/// What a backup did.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub database: PathBuf,
    pub out: PathBuf,
    pub bytes: u64,
    pub schema: i64,
    pub tickets: i64,
    pub took: Duration,
}

impl fmt::Display for BackupReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "backed up {} (schema {}, {} tickets) to {}: {} in {} ms",
            self.database.display(),
            self.schema,
            self.tickets,
            self.out.display(),
            size(self.bytes),
            self.took.as_millis()
        )
    }
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub file: PathBuf,
    pub database: PathBuf,
    /// The schema of the file as it was, and after this build's migrations.
    pub schema_found: i64,
    pub schema_now: i64,
    pub tickets: i64,
    /// Where the database it replaced was kept (none if there was none).
    pub safety_copy: Option<PathBuf>,
    pub took: Duration,
}

impl fmt::Display for RestoreReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "restored {} ({} tickets) into {}",
            self.file.display(),
            self.tickets,
            self.database.display()
        )?;
        if self.schema_found == self.schema_now {
            write!(f, ", schema {}", self.schema_now)?;
        } else {
            write!(
                f,
                ", schema {} brought up to {}",
                self.schema_found, self.schema_now
            )?;
        }
        write!(f, ", in {} ms", self.took.as_millis())?;
        match &self.safety_copy {
            Some(copy) => write!(
                f,
                "; the database it replaced is kept as {}",
                copy.display()
            ),
            None => write!(f, "; there was no database before"),
        }
    }
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// Copy the live database in `data_dir` to `out`, consistently, while the server may be
/// serving. `out` is replaced only once the new copy is complete, checked and on disk.
pub fn backup(data_dir: &Path, out: &Path) -> Result<BackupReport, BackupError> {
    let started = Instant::now();
    let database = data_dir.join(DATABASE_FILE);
    if !database.is_file() {
        return Err(BackupError::NoDatabase(data_dir.to_owned()));
    }
    if is_live_file(data_dir, out) {
        return Err(BackupError::OntoLive(out.to_owned()));
    }
    let source = Connection::open_with_flags(
        &database,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite(format!("cannot open {}", database.display())))?;
    source
        .busy_timeout(Duration::from_secs(10))
        .map_err(sqlite("busy timeout"))?;
    let copied = copy_to_file(&source, out)?;
    Ok(BackupReport {
        database,
        out: out.to_owned(),
        bytes: copied.bytes,
        schema: copied.schema,
        tickets: copied.tickets,
        took: started.elapsed(),
    })
}

/// Bring back the backup `file` into `data_dir`, refusing while a server holds the
/// database there. The database it replaces is kept beside it.
pub fn restore(data_dir: &Path, file: &Path) -> Result<RestoreReport, BackupError> {
    let started = Instant::now();
    if !file.is_file() {
        return Err(BackupError::NoFile(file.to_owned()));
    }
    let found = inspect(file)?;
    store::private::dir(data_dir).map_err(io(format!("cannot create {}", data_dir.display())))?;
    let database = data_dir.join(DATABASE_FILE);
    let had_database = database.is_file();
    let mut live = lock_exclusively(data_dir)?;

    // Stage the file and bring it up to this build's schema before touching anything.
    let staging = Staging::new(data_dir)?;
    {
        let from = Connection::open_with_flags(
            file,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sqlite(format!("cannot open {}", file.display())))?;
        copy_to_file(&from, &staging.dir.join(DATABASE_FILE))?;
    }
    match store::open_for_admin(&staging.dir) {
        Ok(conn) => drop(conn),
        Err(StoreError::TooNew { found, known }) => {
            return Err(BackupError::TooNew {
                path: file.to_owned(),
                found,
                known,
            });
        }
        Err(e) => return Err(e.into()),
    }
    let staged = Connection::open_with_flags(
        staging.dir.join(DATABASE_FILE),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite("cannot open the staged copy"))?;

    let safety_copy = if had_database && schema_of(&live)? > 0 {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let copy = data_dir.join(format!("{DATABASE_FILE}.before-restore-{stamp}"));
        copy_to_file(&live, &copy)?;
        Some(copy)
    } else {
        None
    };

    run_backup(&staged, &mut live)
        .map_err(sqlite(format!("cannot write {}", database.display())))?;
    check(&live, &database)?;
    let schema_now = schema_of(&live)?;
    let tickets = tickets_in(&live)?;
    drop(staged);
    live.close()
        .map_err(|(_, e)| sqlite(format!("cannot close {}", database.display()))(e))?;
    drop(staging);
    Ok(RestoreReport {
        file: file.to_owned(),
        database,
        schema_found: found,
        schema_now,
        tickets,
        safety_copy,
        took: started.elapsed(),
    })
}

/// Check that `file` is a whole motcua database and say its schema.
pub fn inspect(file: &Path) -> Result<i64, BackupError> {
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| not_sqlite(file, e))?;
    check(&conn, file)?;
    let schema = schema_of(&conn)?;
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master
             WHERE type = 'table' AND name IN ('tickets', 'events', 'day_numbers')",
            [],
            |r| r.get(0),
        )
        .map_err(|e| not_sqlite(file, e))?;
    if schema < 1 || tables < 3 {
        return Err(BackupError::NotMotcua(file.to_owned()));
    }
    Ok(schema)
}

/// A file SQLite cannot read: not a database at all, or a damaged one.
fn not_sqlite(path: &Path, e: rusqlite::Error) -> BackupError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt) => BackupError::Damaged {
            path: path.to_owned(),
            problem: e.to_string(),
        },
        _ => BackupError::NotSqlite {
            path: path.to_owned(),
            reason: e.to_string(),
        },
    }
}

/// `PRAGMA quick_check`: the file is a database and its pages hold together.
fn check(conn: &Connection, path: &Path) -> Result<(), BackupError> {
    let problems: Vec<String> = conn
        .prepare("PRAGMA quick_check")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<Result<_, _>>()
        })
        .map_err(|e| not_sqlite(path, e))?;
    if problems.len() == 1 && problems[0] == "ok" {
        Ok(())
    } else {
        Err(BackupError::Damaged {
            path: path.to_owned(),
            problem: problems.join("; "),
        })
    }
}

fn schema_of(conn: &Connection) -> Result<i64, BackupError> {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(sqlite("cannot read the schema version"))
}

fn tickets_in(conn: &Connection) -> Result<i64, BackupError> {
    conn.query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))
        .map_err(sqlite("cannot count the tickets"))
}

/// Is `out` the live database or one of its companion files?
fn is_live_file(data_dir: &Path, out: &Path) -> bool {
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return false;
    };
    let parent = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let same_dir = match (parent.canonicalize(), data_dir.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let live = ["", "-wal", "-shm", "-journal"]
        .iter()
        .any(|suffix| name.to_string_lossy() == format!("{DATABASE_FILE}{suffix}"));
    same_dir && live
}

/// Open the live database with an exclusive lock that is kept until the connection
/// closes, or say who holds it.
fn lock_exclusively(data_dir: &Path) -> Result<Connection, BackupError> {
    let database = data_dir.join(DATABASE_FILE);
    let conn = Connection::open(&database)
        .map_err(sqlite(format!("cannot open {}", database.display())))?;
    // Long enough to let a `user add` finish; a server never lets go.
    conn.busy_timeout(Duration::from_secs(2))
        .map_err(sqlite("busy timeout"))?;
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
        .map_err(sqlite("cannot ask for an exclusive lock"))?;
    match conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;") {
        Ok(()) => Ok(conn),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) =>
        {
            Err(BackupError::InUse(data_dir.to_owned()))
        }
        Err(e) => Err(not_sqlite(&database, e)),
    }
}

struct Copied {
    bytes: u64,
    schema: i64,
    tickets: i64,
}

/// Copy the database behind `source` to the file `out`: written beside it under a
/// temporary name, made a single self-contained file, checked, synced, then renamed.
fn copy_to_file(source: &Connection, out: &Path) -> Result<Copied, BackupError> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    // A folder we make for backups is the owner's; one the operator chose stays as it is.
    if !parent.is_dir() {
        store::private::dir(&parent).map_err(io(format!("cannot create {}", parent.display())))?;
    }
    let name = out
        .file_name()
        .ok_or_else(|| BackupError::Io {
            what: format!("{} names no file", out.display()),
            source: std::io::ErrorKind::InvalidInput.into(),
        })?
        .to_string_lossy()
        .into_owned();
    let partial = TempFile(parent.join(format!(".{name}.partial-{}", std::process::id())));
    partial.remove();
    // The copy holds everything the database does: for the owner only, like it.
    store::private::file(&partial.0)
        .map_err(io(format!("cannot create {}", partial.0.display())))?;
    let (schema, tickets) = {
        let mut copy = Connection::open(&partial.0)
            .map_err(sqlite(format!("cannot create {}", partial.0.display())))?;
        run_backup(source, &mut copy).map_err(sqlite("the backup failed"))?;
        // The copy carries the source's WAL flag: make it one file that needs no -wal.
        let mode: String = copy
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
            .map_err(sqlite("cannot set the copy's journal mode"))?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(BackupError::Damaged {
                path: partial.0.clone(),
                problem: format!("journal mode stayed {mode}"),
            });
        }
        check(&copy, &partial.0)?;
        let schema = schema_of(&copy)?;
        let tickets = if schema > 0 { tickets_in(&copy)? } else { 0 };
        copy.close()
            .map_err(|(_, e)| sqlite("cannot close the copy")(e))?;
        (schema, tickets)
    };
    std::fs::File::open(&partial.0)
        .and_then(|f| f.sync_all())
        .map_err(io(format!("cannot sync {}", partial.0.display())))?;
    std::fs::rename(&partial.0, out).map_err(io(format!("cannot write {}", out.display())))?;
    partial.forget();
    // The rename itself is only durable once the directory is synced.
    std::fs::File::open(&parent)
        .and_then(|d| d.sync_all())
        .map_err(io(format!("cannot sync {}", parent.display())))?;
    let bytes = std::fs::metadata(out)
        .map_err(io(format!("cannot read {}", out.display())))?
        .len();
    Ok(Copied {
        bytes,
        schema,
        tickets,
    })
}

/// Every page in one step: one read transaction on the source, so one consistent
/// moment. Busy means another connection holds a lock for a moment: try again.
fn run_backup(source: &Connection, dest: &mut Connection) -> Result<(), rusqlite::Error> {
    let backup = Backup::new(source, dest)?;
    let mut waits = 0;
    loop {
        match backup.step(-1)? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            _ if waits < 100 => {
                waits += 1;
                std::thread::sleep(Duration::from_millis(50));
            }
            _ => {
                return Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                    Some("the database stayed locked".into()),
                ));
            }
        }
    }
}

/// A file removed on drop unless it was kept.
struct TempFile(PathBuf);

impl TempFile {
    fn remove(&self) {
        for suffix in ["", "-journal", "-wal", "-shm"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
    fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        self.remove();
    }
}

/// A directory in the data dir for the file being restored, removed on drop.
struct Staging {
    dir: PathBuf,
}

impl Staging {
    fn new(data_dir: &Path) -> Result<Staging, BackupError> {
        let dir = data_dir.join(format!(".restore-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        store::private::dir(&dir).map_err(io(format!("cannot create {}", dir.display())))?;
        Ok(Staging { dir })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_is_never_written_over_the_live_database() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(DATABASE_FILE), b"").expect("file");
        for name in [DATABASE_FILE, "motcua.sqlite3-wal"] {
            assert!(is_live_file(dir.path(), &dir.path().join(name)), "{name}");
        }
        assert!(!is_live_file(
            dir.path(),
            &dir.path().join("motcua.sqlite3.bak")
        ));
    }

    #[test]
    fn sizes_read_like_a_person_would_say_them() {
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(3 << 20), "3.0 MiB");
    }
}
