//! The ratings of dossiers, one row per dossier per served visit that was rated or
//! complained about: what a province's administrative-procedure system imports by the
//! dossier's code. Read from the statistics tables, so the hall (hall 0) and the city's
//! collector (every hall) answer alike.

use crate::StoreError;
use chrono::NaiveDate;
use rusqlite::{Connection, params};

/// A dossier on a served visit that was rated or complained about.
#[derive(Debug, Clone, PartialEq)]
pub struct DossierRating {
    /// The hall (0 in a hall's own database; the collector's hall id).
    pub hall: i64,
    pub dossier: String,
    /// The field of the served visit.
    pub service: String,
    /// When it was rated; when it was served if it has no rating, only a complaint.
    pub at: i64,
    /// (level, scale), level 1 the worst.
    pub rating: Option<(u8, u8)>,
    /// The low rating's reason codes.
    pub reasons: Vec<String>,
    pub visits_needed: Option<u8>,
    pub complaints: u32,
}

/// The rated or complained dossiers of tickets issued from `from` to `to` (local days,
/// inclusive), of one hall or (`None`) of every hall, in time order.
pub fn dossier_ratings(
    conn: &Connection,
    hall: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DossierRating>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.hall, d.dossier, v.service, COALESCE(v.rated_at, v.ended_at, v.queued_at),
             v.rating, v.rating_scale, v.reasons, v.visits_needed, v.complaints
         FROM stat_dossiers d
         JOIN stat_visits v ON v.hall = d.hall AND v.day = d.day AND v.ticket_id = d.ticket_id
             AND v.outcome = 'served'
         WHERE d.day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR d.hall = ?3)
           AND (v.rating IS NOT NULL OR v.complaints > 0)
         ORDER BY 4, d.hall, d.dossier",
    )?;
    let rows = stmt.query_map(params![from.to_string(), to.to_string(), hall], |r| {
        let level: Option<u8> = r.get(4)?;
        let scale: Option<u8> = r.get(5)?;
        let reasons: Option<String> = r.get(6)?;
        Ok(DossierRating {
            hall: r.get(0)?,
            dossier: r.get(1)?,
            service: r.get(2)?,
            at: r.get(3)?,
            rating: level.zip(scale),
            reasons: reasons
                .map(|list| list.split(',').map(str::to_owned).collect())
                .unwrap_or_default(),
            visits_needed: r.get(7)?,
            complaints: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
