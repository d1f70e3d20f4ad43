//! (5) Resident memory of the real `motcua` binary, started as an installer would start
//! it: idle on its first start, with 1,000 displays, idle on a second start of the same
//! data, and after the staff sign in.

use crate::displays::{DISPLAYS, connect_displays};
use crate::harness::{Bench, PATIENCE};
use crate::report::Report;
use anyhow::{Context, Result, anyhow, bail};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// (5) The real binary's memory.
pub fn section(bench: &Bench, report: &mut Report) -> Result<()> {
    eprintln!("(5) memory of the real binary...");
    bench
        .client_rt
        .block_on(memory(report, bench.root.path(), &bench.http))
}

/// The running binary, killed when dropped, so a failing phase leaves no server behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The release binary: beside this one (a shared target dir), or in the workspace's.
fn server_binary() -> Option<PathBuf> {
    let beside = std::env::current_exe().ok()?.parent()?.join("motcua");
    if beside.is_file() {
        return Some(beside);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/motcua");
    built.is_file().then_some(built)
}

/// Whether a file under `dir` is newer than `than` (the binary may predate the sources).
fn newer_source(dir: &Path, than: std::time::SystemTime) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(p) = newer_source(&path, than) {
                return Some(p);
            }
        } else if entry.metadata().ok()?.modified().ok()? > than {
            return Some(path);
        }
    }
    None
}

/// VmRSS and VmHWM of a process, in kB.
fn memory_kb(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

/// Start the binary on `data`, read its address from the first line, wait for /healthz.
/// Also returns the rest of what it printed by then (the demo accounts, on a first start).
async fn launch(
    binary: &Path,
    data: &Path,
    http: &reqwest::Client,
) -> Result<(Child, String, Vec<String>)> {
    let mut child = Child(
        std::process::Command::new(binary)
            .args(["serve", "--data"])
            .arg(data)
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .env_remove("MOTCUA_CONFIG")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .with_context(|| format!("start {}", binary.display()))?,
    );
    let stdout = child.0.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
    // Read the first line, then keep draining stdout so the server never blocks on it.
    let (line_tx, line_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = line_tx.send(line);
        }
    });
    let (first, line_rx) =
        tokio::task::spawn_blocking(move || (line_rx.recv_timeout(PATIENCE), line_rx)).await?;
    let first = first.context("no first line from the binary")?;
    let base = first
        .strip_prefix("motcua listening on ")
        .ok_or_else(|| anyhow!("unexpected first line {first:?}"))?
        .trim()
        .to_owned();
    if !base.starts_with("http://127.0.0.1:") {
        bail!("the binary listens on {base}, not 127.0.0.1");
    }
    let started = Instant::now();
    loop {
        let ok = http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .map(|r| r.status() == 200);
        if matches!(ok, Ok(true)) {
            break;
        }
        if started.elapsed() > PATIENCE {
            bail!("/healthz did not answer within {PATIENCE:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Let start-up settle before reading the memory.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rest = line_rx.try_iter().collect();
    Ok((child, base, rest))
}

/// The demo accounts a first start prints: "    canbo1   clerk    password 0123456789ab".
fn demo_accounts(lines: &[String]) -> Vec<(String, String)> {
    lines
        .iter()
        .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [name, _role, "password", password] => Some((name.to_owned(), password.to_owned())),
            _ => None,
        })
        .collect()
}

async fn memory(report: &mut Report, root: &Path, http: &reqwest::Client) -> Result<()> {
    let Some(binary) = server_binary() else {
        report.row(
            "5",
            "idle RSS of the motcua binary",
            "not built".into(),
            "< 40 MB",
            Some(false),
        );
        report.note("(5) build it first: cargo build --release -p motcua".into());
        return Ok(());
    };
    if let Ok(built) = std::fs::metadata(&binary).and_then(|m| m.modified()) {
        let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("../server");
        if let Some(newer) = newer_source(&sources, built) {
            report.note(format!(
                "(5) warning: {} is older than {}: rebuild with cargo build --release -p motcua",
                binary.display(),
                newer.display()
            ));
        }
    }
    let data = root.join("binary-data");
    let accounts = first_start(report, &binary, &data, http).await?;
    second_start(report, &binary, &data, http, &accounts).await
}

/// The first start on an empty data dir, as an installer would do it: idle, then with
/// 1,000 displays. Returns the demo accounts it printed.
async fn first_start(
    report: &mut Report,
    binary: &Path,
    data: &Path,
    http: &reqwest::Client,
) -> Result<Vec<(String, String)>> {
    let (child, base, printed) = launch(binary, data, http).await?;
    let accounts = demo_accounts(&printed);
    let pid = child.0.id();
    let (idle, _) = memory_kb(pid).ok_or_else(|| anyhow!("no /proc/{pid}/status"))?;
    report.row(
        "5",
        "idle RSS of the motcua binary (first start)",
        mb(idle),
        "< 40 MB",
        Some(idle < 40 * 1024),
    );
    let ws = base.replacen("http", "ws", 1);
    match connect_displays(&ws, DISPLAYS).await {
        Ok((displays, took)) => {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let (rss, hwm) = memory_kb(pid).ok_or_else(|| anyhow!("no /proc/{pid}/status"))?;
            report.row(
                "5",
                "RSS of the binary with 1,000 displays",
                mb(rss),
                "-",
                None,
            );
            report.note(format!(
                "(5) idle {} -> {} with {} displays (connected in {:.2} s), peak (VmHWM) {}; {:.1} kB per display",
                mb(idle),
                mb(rss),
                displays.tasks.len(),
                took.as_secs_f64(),
                mb(hwm),
                (rss.saturating_sub(idle)) as f64 / displays.tasks.len().max(1) as f64
            ));
            displays.close();
        }
        Err(e) => report.note(format!(
            "(5) could not connect the displays to the binary: {e:#}"
        )),
    }
    Ok(accounts)
}

/// Started again on the same data: the demo accounts exist, so no password is hashed.
/// Then the staff sign in (at once, as at opening time): each login verifies a password.
async fn second_start(
    report: &mut Report,
    binary: &Path,
    data: &Path,
    http: &reqwest::Client,
    accounts: &[(String, String)],
) -> Result<()> {
    let (child, base, _) = launch(binary, data, http).await?;
    let pid = child.0.id();
    let (again, _) = memory_kb(pid).ok_or_else(|| anyhow!("no /proc/{pid}/status"))?;
    report.row(
        "5",
        "idle RSS of the binary, second start (same data)",
        mb(again),
        "-",
        None,
    );
    if accounts.is_empty() {
        report.note("(5) the first start printed no demo accounts: logins not measured".into());
        return Ok(());
    }
    let logins = accounts.iter().map(|(name, password)| {
        http.post(format!("{base}/api/session"))
            .json(&serde_json::json!({"name": name, "password": password}))
            .send()
    });
    let answers = futures_util::future::join_all(logins).await;
    let ok = answers
        .iter()
        .filter(|a| a.as_ref().is_ok_and(|r| r.status() == 200))
        .count();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (after, _) = memory_kb(pid).ok_or_else(|| anyhow!("no /proc/{pid}/status"))?;
    report.row(
        "5",
        &format!("idle RSS, second start, after {ok} staff logins"),
        mb(after),
        "-",
        None,
    );
    Ok(())
}
