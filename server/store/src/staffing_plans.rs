//! The manager's staffing plans, one a day: per hour, the counters to open and the fields
//! each serves, as JSON. The hall checks a plan before it is stored here.

use crate::StoreError;
use rusqlite::{Connection, OptionalExtension, params};

/// A day's plan as the manager saved it.
#[derive(Debug, Clone)]
pub struct Saved {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `[[["A"],["B","C"]], ...]`: per hour, the counters.
    pub counters: String,
    pub saved_at: i64,
    pub saved_by: String,
}

fn saved(r: &rusqlite::Row<'_>) -> rusqlite::Result<Saved> {
    Ok(Saved {
        day: r.get(0)?,
        counters: r.get(1)?,
        saved_at: r.get(2)?,
        saved_by: r.get(3)?,
    })
}

/// The plans of the days `from..=to` (`YYYY-MM-DD`).
pub fn between(conn: &Connection, from: &str, to: &str) -> Result<Vec<Saved>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT day, counters, saved_at, saved_by FROM staffing_plans
         WHERE day BETWEEN ?1 AND ?2 ORDER BY day",
    )?;
    let rows = stmt.query_map([from, to], saved)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One day's plan, if the manager saved one.
pub fn get(conn: &Connection, day: &str) -> Result<Option<Saved>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT day, counters, saved_at, saved_by FROM staffing_plans WHERE day = ?1",
            [day],
            saved,
        )
        .optional()?)
}

/// Keep a day's plan, replacing the one before.
pub fn put(conn: &Connection, plan: &Saved) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO staffing_plans (day, counters, saved_at, saved_by) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (day) DO UPDATE SET counters = ?2, saved_at = ?3, saved_by = ?4",
        params![plan.day, plan.counters, plan.saved_at, plan.saved_by],
    )?;
    Ok(())
}

/// Back to the planner's proposal.
pub fn remove(conn: &Connection, day: &str) -> Result<(), StoreError> {
    conn.execute("DELETE FROM staffing_plans WHERE day = ?1", [day])?;
    Ok(())
}
