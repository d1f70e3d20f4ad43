//! Print jobs: one per ticket issued at a kiosk, written in the ticket's own transaction,
//! then marked printed or failed by what the printer answers.

use super::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// Write a job for a kiosk's ticket, `queued`; returns its id.
pub fn insert(
    conn: &Connection,
    ticket_id: i64,
    kiosk_id: i64,
    payload: &str,
    at: i64,
) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO print_jobs (ticket_id, kiosk_id, status, payload, created_at, updated_at)
         VALUES (?1, ?2, 'queued', ?3, ?4, ?4)",
    )?
    .execute(params![ticket_id, kiosk_id, payload, at])?;
    Ok(conn.last_insert_rowid())
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

/// A kiosk's jobs still waiting, oldest first: (id, payload, created at).
pub fn waiting_for_kiosk(
    conn: &Connection,
    kiosk_id: i64,
) -> Result<Vec<(i64, String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, payload, created_at FROM print_jobs
         WHERE kiosk_id = ?1 AND status IN ('queued', 'sent') ORDER BY id",
    )?;
    let rows = stmt.query_map([kiosk_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
