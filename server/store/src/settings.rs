//! Settings changed on the admin pages: a section of the settings (`hall`, `services`, ...)
//! as JSON, which wins over the settings file's. The hall checks a value before it is
//! stored here; the store keeps it.

use crate::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// A section as the admin pages left it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub section: String,
    /// The section's value, JSON.
    pub value: String,
    pub changed_at: i64,
    pub changed_by: String,
}

/// Every section changed on the admin pages.
pub fn all(conn: &Connection) -> Result<Vec<Stored>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT section, value, changed_at, changed_by FROM settings ORDER BY section",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Stored {
            section: r.get(0)?,
            value: r.get(1)?,
            changed_at: r.get(2)?,
            changed_by: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One section's stored value, if it was changed on the admin pages.
pub fn get(conn: &Connection, section: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT value FROM settings WHERE section = ?1",
            [section],
            |r| r.get(0),
        )
        .optional()?)
}

/// Keep a section's new value.
pub fn put(
    conn: &Connection,
    section: &str,
    value: &str,
    at: i64,
    by: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO settings (section, value, changed_at, changed_by) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (section) DO UPDATE SET value = ?2, changed_at = ?3, changed_by = ?4",
        params![section, value, at, by],
    )?;
    Ok(())
}

/// Forget a section's change: the settings file's value holds again (from the next start).
pub fn remove(conn: &Connection, section: &str) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM settings WHERE section = ?1", [section])? > 0)
}

/// The sections the admin pages left in the hall's database in `data_dir`, read before the
/// store opens (the hall they make is the one it opens with). None when there is no
/// database yet, or it predates the admin pages.
pub fn stored_in(data_dir: &std::path::Path) -> Result<Vec<Stored>, StoreError> {
    let path = data_dir.join(crate::backup::DATABASE_FILE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let conn = Connection::open_with_flags(
        &path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'settings')",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(Vec::new());
    }
    all(&conn)
}
