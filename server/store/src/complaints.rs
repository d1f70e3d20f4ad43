//! The complaints table (phản ánh): the hall's own list of what citizens complained about,
//! with the answer's progress. Rows in and out, nothing decided here (the due time is
//! `motcua_domain::working_hours`', the commands `app::complaints`'). The city gets only
//! the events' counts, never a row.

use super::StoreError;
use super::tickets::bad_value;
use motcua_domain::ServiceCode;
use rusqlite::{Connection, OptionalExtension, Row, params};

/// A complaint as stored. Times are milliseconds since the epoch.
#[derive(Debug, Clone)]
pub struct ComplaintRow {
    pub id: i64,
    pub ticket_id: i64,
    pub service: ServiceCode,
    pub topic: String,
    pub text: Option<String>,
    pub made_at: i64,
    pub due_at: i64,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by: Option<i64>,
    pub resolved_at: Option<i64>,
    pub resolved_by: Option<i64>,
    pub note: Option<String>,
}

/// A complaint to store.
pub struct NewComplaint<'a> {
    pub ticket_id: i64,
    pub service: &'a ServiceCode,
    pub topic: &'a str,
    pub text: Option<&'a str>,
    pub made_at: i64,
    pub due_at: i64,
}

const COLUMNS: &str = "id, ticket_id, service, topic, text, made_at, due_at, acknowledged_at, \
     acknowledged_by, resolved_at, resolved_by, note";

fn from_row(row: &Row<'_>) -> rusqlite::Result<ComplaintRow> {
    let service: String = row.get(2)?;
    Ok(ComplaintRow {
        id: row.get(0)?,
        ticket_id: row.get(1)?,
        service: ServiceCode::try_from(service.clone())
            .map_err(|_| bad_value("service", service))?,
        topic: row.get(3)?,
        text: row.get(4)?,
        made_at: row.get(5)?,
        due_at: row.get(6)?,
        acknowledged_at: row.get(7)?,
        acknowledged_by: row.get(8)?,
        resolved_at: row.get(9)?,
        resolved_by: row.get(10)?,
        note: row.get(11)?,
    })
}

pub fn insert(conn: &Connection, c: &NewComplaint<'_>) -> Result<ComplaintRow, StoreError> {
    conn.prepare_cached(
        "INSERT INTO complaints (ticket_id, service, topic, text, made_at, due_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        c.ticket_id,
        c.service.as_str(),
        c.topic,
        c.text,
        c.made_at,
        c.due_at
    ])?;
    Ok(ComplaintRow {
        id: conn.last_insert_rowid(),
        ticket_id: c.ticket_id,
        service: c.service.clone(),
        topic: c.topic.to_owned(),
        text: c.text.map(str::to_owned),
        made_at: c.made_at,
        due_at: c.due_at,
        acknowledged_at: None,
        acknowledged_by: None,
        resolved_at: None,
        resolved_by: None,
        note: None,
    })
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<ComplaintRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM complaints WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

/// A ticket's complaints, oldest first.
pub fn of_ticket(conn: &Connection, ticket_id: i64) -> Result<Vec<ComplaintRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM complaints WHERE ticket_id = ?1 ORDER BY id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([ticket_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Which complaints a list asks for.
#[derive(Debug, Clone, Copy)]
pub enum Which {
    All,
    /// Neither acknowledged nor resolved.
    Open,
    /// Acknowledged, not resolved.
    Acknowledged,
    Resolved,
    /// Not acknowledged by the due time, judged at this instant (ms).
    OverdueAt(i64),
}

/// A complaint with its ticket's number and local day, as a list shows it.
pub struct Listed {
    pub complaint: ComplaintRow,
    pub ticket_code: String,
    pub ticket_day: String,
}

/// The newest `limit` complaints of those asked for, newest first, with their tickets' numbers
/// (one read, however many years of complaints the hall holds).
pub fn newest(conn: &Connection, which: Which, limit: usize) -> Result<Vec<Listed>, StoreError> {
    let (condition, now) = match which {
        Which::All => ("1", 0),
        Which::Open => ("c.acknowledged_at IS NULL AND c.resolved_at IS NULL", 0),
        Which::Acknowledged => ("c.acknowledged_at IS NOT NULL AND c.resolved_at IS NULL", 0),
        Which::Resolved => ("c.resolved_at IS NOT NULL", 0),
        Which::OverdueAt(now) => ("COALESCE(c.acknowledged_at, ?2) > c.due_at", now),
    };
    let columns = COLUMNS
        .split(", ")
        .map(|c| format!("c.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    // `?2 = ?2`: the instant is bound whether or not the condition reads it.
    let sql = format!(
        "SELECT {columns}, COALESCE(t.code, ''), COALESCE(t.local_day, '')
         FROM complaints c LEFT JOIN tickets t ON t.id = c.ticket_id
         WHERE {condition} AND ?2 = ?2 ORDER BY c.id DESC LIMIT ?1"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![limit as i64, now], |r| {
        Ok(Listed {
            complaint: from_row(r)?,
            ticket_code: r.get(12)?,
            ticket_day: r.get(13)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Marks a complaint acknowledged (once: an acknowledged one keeps its first time).
pub fn acknowledge(conn: &Connection, id: i64, at: i64, by: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE complaints SET acknowledged_at = ?2, acknowledged_by = ?3 \
         WHERE id = ?1 AND acknowledged_at IS NULL",
    )?
    .execute(params![id, at, by])?;
    Ok(())
}

/// Marks a complaint resolved, with the hall's note.
pub fn resolve(
    conn: &Connection,
    id: i64,
    at: i64,
    by: i64,
    note: Option<&str>,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE complaints SET resolved_at = ?2, resolved_by = ?3, note = ?4 WHERE id = ?1",
    )?
    .execute(params![id, at, by, note])?;
    Ok(())
}
