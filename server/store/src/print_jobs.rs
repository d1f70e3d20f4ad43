//! Print jobs: one per ticket issued at a kiosk, written in the ticket's own transaction,
//! then marked printed or failed by what the printer answers.

use super::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// A job just written: its number, and its identity (random, never reused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub id: i64,
    pub key: String,
}

/// Write a job for a kiosk's ticket, `queued`.
pub fn insert(
    conn: &Connection,
    ticket_id: i64,
    kiosk_id: i64,
    payload: &str,
    at: i64,
) -> Result<NewJob, StoreError> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO print_jobs
                 (ticket_id, kiosk_id, status, payload, created_at, updated_at, job_key)
             VALUES (?1, ?2, 'queued', ?3, ?4, ?4, lower(hex(randomblob(16))))
             RETURNING id, job_key",
        )?
        .query_row(params![ticket_id, kiosk_id, payload, at], |r| {
            Ok(NewJob {
                id: r.get(0)?,
                key: r.get(1)?,
            })
        })?)
}

/// How many print jobs a ticket has had (its first and every reprint).
pub fn count_of_ticket(conn: &Connection, ticket_id: i64) -> Result<u32, StoreError> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM print_jobs WHERE ticket_id = ?1")?
        .query_row([ticket_id], |r| r.get(0))?)
}

/// The hall's identity, as print agents know it (made once with the database).
pub fn hall_identity(conn: &Connection) -> Result<String, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM hall_identity WHERE one = 1")?
        .query_row([], |r| r.get(0))?)
}

/// A ticket's latest job and what is printed on it: (kiosk id, payload).
pub fn latest_paper_of_ticket(
    conn: &Connection,
    ticket_id: i64,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT kiosk_id, payload FROM print_jobs WHERE ticket_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([ticket_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// A waiting job's trouble changed: note why it waits (once per change). Says whether
/// it changed.
pub fn note_waiting(
    conn: &Connection,
    job: i64,
    kiosk_id: i64,
    reason: &str,
    at: i64,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE print_jobs SET reason = ?1, updated_at = ?2
             WHERE id = ?3 AND kiosk_id = ?4 AND status IN ('queued', 'sent') AND reason IS NOT ?1",
        )?
        .execute(params![reason, at, job, kiosk_id])?
        > 0)
}

/// A job's state by its key, for the server's own printers: `queued`, `sent` (an
/// attempt under way), `printed` or `failed`.
pub fn status_by_key(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT status FROM print_jobs WHERE job_key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

/// Mark an attempt at a job started (`queued` to `sent`) or ended unprinted (back).
pub fn mark_attempt(
    conn: &Connection,
    key: &str,
    started: bool,
    at: i64,
) -> Result<(), StoreError> {
    let (from, to) = if started {
        ("queued", "sent")
    } else {
        ("sent", "queued")
    };
    conn.prepare_cached(
        "UPDATE print_jobs SET status = ?1, updated_at = ?2 WHERE job_key = ?3 AND status = ?4",
    )?
    .execute(params![to, at, key, from])?;
    Ok(())
}

/// A job still open past its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub id: i64,
    pub kiosk_id: i64,
    /// Why it waits, if it was told.
    pub reason: Option<String>,
    pub created_at: i64,
}

/// Jobs still open that were made before `before`, oldest first (at most 1,000).
pub fn open_before(conn: &Connection, before: i64) -> Result<Vec<Overdue>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, kiosk_id, reason, created_at FROM print_jobs
         WHERE status IN ('queued', 'sent') AND created_at < ?1 ORDER BY id LIMIT 1000",
    )?;
    let rows = stmt.query_map([before], |r| {
        Ok(Overdue {
            id: r.get(0)?,
            kiosk_id: r.get(1)?,
            reason: r.get(2)?,
            created_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A job as staff see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRow {
    pub id: i64,
    pub ticket_id: i64,
    pub code: String,
    pub kiosk: String,
    pub status: String,
    pub reason: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The jobs made since `since` that did not print (failed, or still waiting), newest first.
pub fn unprinted_since(
    conn: &Connection,
    since: i64,
    limit: u32,
) -> Result<Vec<JobRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT j.id, j.ticket_id, t.code, d.name, j.status, j.reason, j.created_at, j.updated_at
         FROM print_jobs j JOIN tickets t ON t.id = j.ticket_id JOIN devices d ON d.id = j.kiosk_id
         WHERE j.created_at >= ?1 AND j.status <> 'printed'
           AND NOT EXISTS (SELECT 1 FROM print_jobs later
                           WHERE later.ticket_id = j.ticket_id AND later.id > j.id)
         ORDER BY j.id DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![since, limit], |r| {
        Ok(JobRow {
            id: r.get(0)?,
            ticket_id: r.get(1)?,
            code: r.get(2)?,
            kiosk: r.get(3)?,
            status: r.get(4)?,
            reason: r.get(5)?,
            created_at: r.get(6)?,
            updated_at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A ticket's latest job: (id, status, reason).
pub fn latest_of_ticket(
    conn: &Connection,
    ticket_id: i64,
) -> Result<Option<(i64, String, Option<String>)>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id, status, reason FROM print_jobs WHERE ticket_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row([ticket_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// Mark a job still waiting `printed` or `failed` (once: a repeated answer changes
/// nothing); says whether it changed, and the job's ticket code.
pub fn finish(
    conn: &Connection,
    job: i64,
    kiosk_id: i64,
    status: &str,
    reason: Option<&str>,
    at: i64,
) -> Result<(bool, Option<String>), StoreError> {
    let n = conn
        .prepare_cached(
            "UPDATE print_jobs SET status = ?1, reason = ?2, updated_at = ?3
             WHERE id = ?4 AND kiosk_id = ?5 AND status IN ('queued', 'sent')",
        )?
        .execute(params![status, reason, at, job, kiosk_id])?;
    let code: Option<String> = conn
        .prepare_cached(
            "SELECT t.code FROM print_jobs j JOIN tickets t ON t.id = j.ticket_id WHERE j.id = ?1",
        )?
        .query_row([job], |r| r.get(0))
        .optional()?;
    Ok((n > 0, code))
}

/// A job still to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenJob {
    pub id: i64,
    pub key: String,
    pub payload: String,
    pub created_at: i64,
    pub reason: Option<String>,
}

/// A kiosk's jobs still waiting, oldest first.
pub fn waiting_for_kiosk(conn: &Connection, kiosk_id: i64) -> Result<Vec<OpenJob>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, job_key, payload, created_at, reason FROM print_jobs
         WHERE kiosk_id = ?1 AND status IN ('queued', 'sent') ORDER BY id",
    )?;
    let rows = stmt.query_map([kiosk_id], |r| {
        Ok(OpenJob {
            id: r.get(0)?,
            key: r.get(1)?,
            payload: r.get(2)?,
            created_at: r.get(3)?,
            reason: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
