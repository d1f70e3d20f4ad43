//! The dossiers' codes (mã hồ sơ) on the hall's tickets, as the figures' table holds them
//! (`stat_dossiers`, folded from `DossierAttached` and `DossierDetached`): what a ticket
//! carries now, and where a dossier went last. Nothing decided here: at most how many a
//! ticket takes, and which field a result pick-up ticket goes to, is `app::dossiers`'.

use super::StoreError;
use rusqlite::{Connection, OptionalExtension};

/// The hall's own rows in the figures' tables (the city's collector keeps every hall's
/// under its own number).
const HALL: i64 = 0;

/// The codes on a ticket issued on local day `day`, in the order they were attached.
pub fn of_ticket(conn: &Connection, day: &str, ticket_id: i64) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT dossier FROM stat_dossiers
         WHERE hall = ?1 AND day = ?2 AND ticket_id = ?3
         ORDER BY attached_at, dossier",
    )?;
    let codes = stmt
        .query_map(rusqlite::params![HALL, day, ticket_id], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    Ok(codes)
}

/// The field of the ticket `dossier` was last attached to in this hall (where that ticket
/// is now, after any transfer), if it ever was: one step down `stat_dossiers_by_code`.
pub fn last_field(conn: &Connection, dossier: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT t.service FROM stat_dossiers d JOIN tickets t ON t.id = d.ticket_id
             WHERE d.hall = ?1 AND d.dossier = ?2
             ORDER BY d.attached_at DESC, d.ticket_id DESC LIMIT 1",
        )?
        .query_row(rusqlite::params![HALL, dossier], |row| row.get(0))
        .optional()?)
}
