//! The event log: every change of the hall, appended in the transaction that makes it, and
//! folded into the statistics tables at once (see [`super::stats::fold`]).

use super::{StoreError, stats};
use chrono_tz::Tz;
use motcua_domain::event::{Logged, UnreadableEvent};
use rusqlite::{Connection, OptionalExtension, params};

/// Append `e` to the log (its `seq` is ignored) and fold it into the figures; returns its
/// sequence number.
pub fn append(conn: &Connection, tz: Tz, e: &Logged) -> Result<i64, StoreError> {
    let (kind, data) = e.event.to_parts();
    conn.prepare_cached(
        "INSERT INTO events (at, kind, ticket_id, service, counter_no, user_id, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        e.at,
        kind,
        e.ticket,
        e.service,
        e.counter,
        e.user,
        data.to_string(),
    ])?;
    let seq = conn.last_insert_rowid();
    stats::fold(conn, tz, 0, e)?;
    Ok(seq)
}

/// The member of staff who last finished (served) the ticket, from the log.
pub fn finished_by(conn: &Connection, ticket: i64) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT user_id FROM events WHERE ticket_id = ?1 AND kind = 'served'
             ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([ticket], |r| r.get(0))
        .optional()?
        .flatten())
}

/// The sequence number of the last event written.
pub fn last_seq(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM events")?
        .query_row([], |r| r.get(0))?)
}

/// An event of a few kinds as [`since_of_kinds`] reads it: seq, time, kind, counter, user,
/// and its data (JSON text).
pub type KindRow = (i64, i64, String, Option<u16>, Option<i64>, String);

/// The kinds [`since_of_kinds`] reads: the manager's messages and the clerks' emergencies,
/// which the `events_notices` index holds.
pub const NOTICE_KINDS: [&str; 4] = [
    "message_posted",
    "message_withdrawn",
    "emergency_raised",
    "emergency_handled",
];

/// The notices, newest first, through their index.
const NOTICES: &str = "SELECT seq, at, kind, counter_no, user_id, data FROM events
     WHERE kind IN ('message_posted', 'message_withdrawn', 'emergency_raised', 'emergency_handled')
     ORDER BY seq DESC";

/// The events of `kinds` (among [`NOTICE_KINDS`]) logged at or after `since` (milliseconds),
/// oldest first. Walks the notices' index back from its end and stops at the first older
/// one: a step per message or emergency since `since`, whatever else the day logged (every
/// phone's snapshot asks).
pub fn since_of_kinds(
    conn: &Connection,
    since: i64,
    kinds: &[&str],
) -> Result<Vec<KindRow>, StoreError> {
    debug_assert!(kinds.iter().all(|k| NOTICE_KINDS.contains(k)));
    let mut stmt = conn.prepare_cached(NOTICES)?;
    let mut rows = stmt.query([])?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        let at: i64 = row.get(1)?;
        if at < since {
            break;
        }
        let kind: String = row.get(2)?;
        if kinds.contains(&kind.as_str()) {
            found.push((row.get(0)?, at, kind, row.get(3)?, row.get(4)?, row.get(5)?));
        }
    }
    found.reverse();
    Ok(found)
}

/// The latest event's sequence number, kind and ticket, if any.
pub fn last(conn: &Connection) -> Result<Option<(i64, String, Option<i64>)>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT seq, kind, ticket_id FROM events ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// The time of the latest event (milliseconds), 0 in an empty log.
pub fn last_at(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT at FROM events ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// A call or recall as the hall display lists it: (seq, code, field, counter, at, kind,
/// the ticket's status now).
pub type CallRow = (
    i64,
    String,
    Option<String>,
    Option<u16>,
    i64,
    String,
    String,
);

/// The latest calls and recalls of tickets of `day`, newest first.
pub fn recent_calls(conn: &Connection, day: &str, limit: u32) -> Result<Vec<CallRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.seq, t.code, e.service, e.counter_no, e.at, e.kind, t.status
         FROM events e JOIN tickets t ON t.id = e.ticket_id
         WHERE e.kind IN ('called', 'recalled') AND t.local_day = ?1
         ORDER BY e.seq DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![day, limit], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An event of the log this build cannot read (a kind it does not know): where it stands.
#[derive(Debug)]
pub struct Unreadable {
    pub seq: i64,
    pub at: i64,
    pub ticket: Option<i64>,
    pub service: Option<String>,
    pub counter: Option<u16>,
    pub user: Option<i64>,
    pub error: UnreadableEvent,
}

/// Up to `limit` events after `after`, in order; one this build cannot read comes as
/// [`Unreadable`], so a reader can pass over it and keep the log's order.
pub fn after(
    conn: &Connection,
    after: i64,
    limit: u32,
) -> Result<Vec<Result<Logged, Unreadable>>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, kind, ticket_id, service, counter_no, user_id, data
         FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let mut rows = stmt.query(params![after, limit])?;
    let mut events = Vec::new();
    while let Some(r) = rows.next()? {
        events.push(match stats::logged_from_row(r)? {
            Ok(logged) => Ok(logged),
            Err(error) => Err(Unreadable {
                seq: r.get(0)?,
                at: r.get(1)?,
                ticket: r.get(3)?,
                service: r.get(4)?,
                counter: r.get(5)?,
                user: r.get(6)?,
                error,
            }),
        });
    }
    Ok(events)
}

/// Up to `limit` changes of the hall's set-up ([`Event::Audited`]) before `before` (all
/// when `None`), newest first.
pub fn audited(
    conn: &Connection,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<Logged>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, kind, ticket_id, service, counter_no, user_id, data
         FROM events WHERE kind = 'audited' AND seq < ?1 ORDER BY seq DESC LIMIT ?2",
    )?;
    let mut rows = stmt.query(params![before.unwrap_or(i64::MAX), limit])?;
    let mut events = Vec::new();
    while let Some(r) = rows.next()? {
        // This build writes every audit entry it reads.
        if let Ok(logged) = stats::logged_from_row(r)? {
            events.push(logged);
        }
    }
    Ok(events)
}

#[cfg(test)]
mod notices_tests {
    use super::*;

    #[test]
    fn the_notices_are_read_through_their_index_not_the_days_log() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::migrate(&mut conn).unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {NOTICES}"))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter().any(|step| step.contains("events_notices")),
            "{plan:?}"
        );
    }
}
