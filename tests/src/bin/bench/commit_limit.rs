//! (1) The physical limit: how many single-row transactions SQLite commits per second on
//! this disk (WAL, synchronous=FULL). Every durable ticket needs a commit, so this is the
//! ceiling the hall's ticket rate is judged against.

use crate::report::Report;
use anyhow::Result;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long to commit single rows.
const LIMIT_TIME: Duration = Duration::from_secs(3);
const LIMIT_MAX_ROWS: u64 = 1_000_000;

/// Measure the limit, report it, and return it in commits per second.
pub fn section(root: &Path, report: &mut Report) -> Result<f64> {
    eprintln!("(1) bare SQLite commits for {LIMIT_TIME:?}...");
    let (rows, took) = sqlite_limit(root)?;
    let limit = rows as f64 / took.as_secs_f64();
    report.row(
        "1",
        "bare SQLite commits/s (WAL, sync=FULL)",
        format!("{limit:.0}/s"),
        "-",
        None,
    );
    report.note(format!(
        "(1) {rows} single-row transactions in {:.2} s",
        took.as_secs_f64()
    ));
    Ok(limit)
}

fn sqlite_limit(dir: &Path) -> Result<(u64, Duration)> {
    let conn = rusqlite::Connection::open(dir.join("limit.sqlite3"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(
        "CREATE TABLE rows (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, data TEXT NOT NULL)",
    )?;
    let mut insert = conn.prepare("INSERT INTO rows (at, data) VALUES (?1, ?2)")?;
    let data = "A001 waiting kiosk 0123456789abcdef0123456789abcdef";
    let start = Instant::now();
    let mut n = 0u64;
    // Autocommit: each INSERT is its own transaction, so its own fsync of the WAL.
    while start.elapsed() < LIMIT_TIME && n < LIMIT_MAX_ROWS {
        insert.execute(rusqlite::params![n as i64, data])?;
        n += 1;
    }
    Ok((n, start.elapsed()))
}
