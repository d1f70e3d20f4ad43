//! Where the hall's report to the city stands: the last event the city acknowledged, and
//! the last try's outcome (one row).

use crate::{StoreError, events};
use rusqlite::{Connection, OptionalExtension, params};

/// When the uplink last succeeded and last tried, and its last error, as stored.
pub type LastOutcome = (Option<i64>, Option<i64>, Option<String>);

pub fn last_outcome(conn: &Connection) -> Result<Option<LastOutcome>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT last_success_at, last_attempt_at, last_error FROM uplink_state WHERE id = 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// The city's acknowledged point and the log's end.
pub fn positions(conn: &Connection) -> Result<(i64, i64), StoreError> {
    let acked: i64 = conn
        .prepare_cached("SELECT acked_seq FROM uplink_state WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    Ok((acked, events::last_seq(conn)?))
}

/// The city holds everything up to `acked_through`, said at `at`.
pub fn note_success(conn: &Connection, acked_through: i64, at: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE uplink_state SET acked_seq = ?1, last_attempt_at = ?2,
             last_success_at = ?2, last_error = NULL WHERE id = 1",
    )?
    .execute(params![acked_through, at])?;
    Ok(())
}

/// A try at `at` failed with `error`.
pub fn note_failure(conn: &Connection, at: i64, error: &str) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE uplink_state SET last_attempt_at = ?1, last_error = ?2 WHERE id = 1",
    )?
    .execute(params![at, error])?;
    Ok(())
}
