//! The bookings table: rows in and out, nothing decided here (the rules are
//! `motcua_domain::booking`'s, the commands `app::bookings`').

use super::StoreError;
use super::tickets::bad_value;
use motcua_domain::ServiceCode;
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::BTreeMap;

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingStatus {
    Booked,
    CheckedIn,
    Cancelled,
    NoShow,
    Late,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Booked => "booked",
            BookingStatus::CheckedIn => "checked_in",
            BookingStatus::Cancelled => "cancelled",
            BookingStatus::NoShow => "no_show",
            BookingStatus::Late => "late",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "booked" => BookingStatus::Booked,
            "checked_in" => BookingStatus::CheckedIn,
            "cancelled" => BookingStatus::Cancelled,
            "no_show" => BookingStatus::NoShow,
            "late" => BookingStatus::Late,
            _ => return None,
        })
    }
}

/// A booking as stored.
#[derive(Debug, Clone)]
pub struct BookingRow {
    pub id: i64,
    pub code: String,
    pub service: ServiceCode,
    pub local_day: String,
    pub window_start: String,
    pub slot: u32,
    pub appointment: i64,
    pub person_hash: Option<String>,
    pub source: String,
    pub issuer_ref: Option<String>,
    pub status: BookingStatus,
    pub created_at: i64,
    pub ended_at: Option<i64>,
    pub ticket_id: Option<i64>,
}

const COLUMNS: &str = "id, code, service, local_day, window_start, slot, appointment, \
     person_hash, source, issuer_ref, status, created_at, ended_at, ticket_id";

fn from_row(row: &Row<'_>) -> rusqlite::Result<BookingRow> {
    let service: String = row.get(2)?;
    let status: String = row.get(10)?;
    Ok(BookingRow {
        id: row.get(0)?,
        code: row.get(1)?,
        service: ServiceCode::try_from(service.clone())
            .map_err(|_| bad_value("service", service))?,
        local_day: row.get(3)?,
        window_start: row.get(4)?,
        slot: row.get(5)?,
        appointment: row.get(6)?,
        person_hash: row.get(7)?,
        source: row.get(8)?,
        issuer_ref: row.get(9)?,
        status: BookingStatus::parse(&status).ok_or_else(|| bad_value("status", status))?,
        created_at: row.get(11)?,
        ended_at: row.get(12)?,
        ticket_id: row.get(13)?,
    })
}

/// The key of the persons' hashes (made once with the database).
pub fn person_key(conn: &Connection) -> Result<Vec<u8>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT key FROM booking_key WHERE one = 1")?
        .query_row([], |r| r.get(0))?)
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<BookingRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM bookings WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], from_row)
        .optional()?)
}

pub fn by_code(conn: &Connection, code: &str) -> Result<Option<BookingRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM bookings WHERE code = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([code], from_row)
        .optional()?)
}

/// The booking an outside issuer made under its own id.
pub fn by_issuer_ref(
    conn: &Connection,
    source: &str,
    issuer_ref: &str,
) -> Result<Option<BookingRow>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM bookings WHERE source = ?1 AND issuer_ref = ?2");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([source, issuer_ref], from_row)
        .optional()?)
}

/// The places held in a field's windows of a day, by window: every booking but those
/// cancelled before `released_before` (a cancelled place is free again only after the
/// release delay). Returns, per window start, the slots held.
pub fn held(
    conn: &Connection,
    service: &ServiceCode,
    day: &str,
    released_before: i64,
) -> Result<BTreeMap<String, Vec<u32>>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT window_start, slot FROM bookings
         WHERE service = ?1 AND local_day = ?2
           AND (status <> 'cancelled' OR ended_at > ?3)",
    )?;
    let mut held: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let rows = stmt.query_map(params![service.as_str(), day, released_before], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?))
    })?;
    for row in rows {
        let (window, slot) = row?;
        held.entry(window).or_default().push(slot);
    }
    Ok(held)
}

/// How many bookings of `day` one person holds (cancelled ones do not count).
pub fn held_by_person(conn: &Connection, hash: &str, day: &str) -> Result<u32, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT COUNT(*) FROM bookings
             WHERE person_hash = ?1 AND local_day = ?2 AND status <> 'cancelled'",
        )?
        .query_row([hash, day], |r| r.get(0))?)
}

/// One person's bookings of `day` still awaited, earliest appointment first.
pub fn awaited_for_person(
    conn: &Connection,
    hash: &str,
    day: &str,
) -> Result<Vec<BookingRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM bookings
         WHERE person_hash = ?1 AND local_day = ?2 AND status = 'booked'
         ORDER BY appointment, id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([hash, day], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A new booking.
pub struct NewBooking<'a> {
    pub code: &'a str,
    pub service: &'a ServiceCode,
    pub day: &'a str,
    pub window_start: &'a str,
    pub slot: u32,
    pub appointment: i64,
    pub person_hash: Option<&'a str>,
    pub source: &'a str,
    pub issuer_ref: Option<&'a str>,
    pub at: i64,
}

pub fn insert(conn: &Connection, b: &NewBooking<'_>) -> Result<BookingRow, StoreError> {
    conn.prepare_cached(
        "INSERT INTO bookings (code, service, local_day, window_start, slot, appointment,
             person_hash, source, issuer_ref, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'booked', ?10)",
    )?
    .execute(params![
        b.code,
        b.service.as_str(),
        b.day,
        b.window_start,
        b.slot,
        b.appointment,
        b.person_hash,
        b.source,
        b.issuer_ref,
        b.at
    ])?;
    Ok(BookingRow {
        id: conn.last_insert_rowid(),
        code: b.code.to_owned(),
        service: b.service.clone(),
        local_day: b.day.to_owned(),
        window_start: b.window_start.to_owned(),
        slot: b.slot,
        appointment: b.appointment,
        person_hash: b.person_hash.map(str::to_owned),
        source: b.source.to_owned(),
        issuer_ref: b.issuer_ref.map(str::to_owned),
        status: BookingStatus::Booked,
        created_at: b.at,
        ended_at: None,
        ticket_id: None,
    })
}

/// Whether a code is taken already.
pub fn code_taken(conn: &Connection, code: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM bookings WHERE code = ?1")?
        .query_row([code], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Move a booked booking on (checked in, cancelled, late, no-show), with the ticket it was
/// given if any. Only a booking still `booked`, or a no-show coming late, moves: returns
/// whether it did.
pub fn end(
    conn: &Connection,
    id: i64,
    status: BookingStatus,
    at: i64,
    ticket: Option<i64>,
) -> Result<bool, StoreError> {
    let n = conn
        .prepare_cached(
            "UPDATE bookings SET status = ?2, ended_at = ?3, ticket_id = ?4
             WHERE id = ?1 AND (status = 'booked' OR (status = 'no_show' AND ?2 = 'late'))",
        )?
        .execute(params![id, status.as_str(), at, ticket])?;
    Ok(n == 1)
}

/// Bookings still awaited whose check-in closed before `before` (ms): the no-shows to
/// record. One index step when there are none.
pub fn overdue(conn: &Connection, before: i64) -> Result<Vec<BookingRow>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM bookings INDEXED BY bookings_awaited
         WHERE status = 'booked' AND appointment < ?1 ORDER BY appointment LIMIT 500"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([before], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Bookings still awaited with an appointment in `[from, to)`: arrivals the estimates count
/// on (field, appointment, id).
pub fn awaited_between(
    conn: &Connection,
    from: i64,
    to: i64,
) -> Result<Vec<(String, i64, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT service, appointment, id FROM bookings INDEXED BY bookings_awaited
         WHERE status = 'booked' AND appointment >= ?1 AND appointment < ?2",
    )?;
    let rows = stmt.query_map([from, to], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Bookings still awaited with an appointment at `from` (ms) or later, counted per local
/// day and window, in order: what a change of the hall's calendar must keep open.
pub fn awaited_per_window(
    conn: &Connection,
    from: i64,
) -> Result<Vec<(String, String, u32)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT local_day, window_start, COUNT(*) FROM bookings INDEXED BY bookings_awaited
         WHERE status = 'booked' AND appointment >= ?1
         GROUP BY local_day, window_start ORDER BY local_day, window_start",
    )?;
    let rows = stmt.query_map([from], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Forget the persons of bookings for days before `day` (their keyed hashes): returns how
/// many were cleared.
pub fn forget_persons_before(conn: &Connection, day: &str) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached(
            "UPDATE bookings SET person_hash = NULL
             WHERE person_hash IS NOT NULL AND local_day < ?1",
        )?
        .execute([day])?)
}
