//! Statistics storage: the event log folded into visits and counter spans (see
//! [`crate::domain::stats`] for what they are), and the reads the dashboard makes.
//!
//! Every event is folded in the same transaction that appends it ([`fold`]), so the
//! figures are never behind the log. A database from before statistics existed is folded
//! from its whole log once, when the server opens it ([`fold_history`]).

use crate::domain::stats::{BeganBy, Outcome, Span, Visit, local_hour};
use crate::domain::{Hall, numbering::local_day};
use crate::http::AppError;
use chrono::NaiveDate;
use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, named_params, params};
use serde_json::Value;

/// One event of the log, as the fold reads it.
pub struct Event<'a> {
    pub at: i64,
    pub kind: &'a str,
    pub ticket_id: Option<i64>,
    pub service: Option<&'a str>,
    pub counter: Option<u16>,
    pub user: Option<i64>,
    pub data: &'a Value,
}

fn day_of(ms: i64, tz: Tz) -> String {
    local_day(super::from_millis(ms), tz).to_string()
}

/// Fold one event into the statistics tables, as hall `hall` (0 in a hall's own database;
/// the city's collector folds every hall's events into the same tables).
pub fn fold(conn: &Connection, tz: Tz, hall: i64, e: &Event<'_>) -> rusqlite::Result<()> {
    let text = |key: &str| e.data.get(key).and_then(Value::as_str);
    let current = "(SELECT MAX(visit) FROM stat_visits WHERE hall = :hall AND ticket_id = :ticket)";
    let visit = format!("hall = :hall AND ticket_id = :ticket AND visit = {current}");
    if let Some(ticket) = e.ticket_id {
        match e.kind {
            "issued" => {
                let priority = text("priority").is_some_and(|p| p != "none");
                let quoted = e.data.get("eta_minutes").and_then(Value::as_u64);
                conn.prepare_cached(
                    "INSERT OR IGNORE INTO stat_visits (hall, ticket_id, visit, day, service,
                         began_by, issued_at, queued_at, hour, priority, quoted_minutes)
                     VALUES (:hall, :ticket, 0, :day, :service, 'issued', :at, :at, :hour,
                         :priority, :quoted)",
                )?
                .execute(named_params! {
                    ":hall": hall,
                    ":ticket": ticket,
                    ":day": day_of(e.at, tz),
                    ":service": e.service.unwrap_or_default(),
                    ":at": e.at,
                    ":hour": local_hour(e.at, tz),
                    ":priority": priority,
                    ":quoted": quoted,
                })?;
            }
            "called" => {
                conn.prepare_cached(&format!(
                    "UPDATE stat_visits SET first_call = COALESCE(first_call, :at), last_call = :at,
                         counter_no = :counter, user_id = :user
                     WHERE {visit}"
                ))?
                .execute(named_params! {
                    ":hall": hall, ":ticket": ticket, ":at": e.at,
                    ":counter": e.counter, ":user": e.user,
                })?;
            }
            "recalled" => {
                conn.prepare_cached(&format!(
                    "UPDATE stat_visits SET last_call = :at, recalls = recalls + 1 WHERE {visit}"
                ))?
                .execute(named_params! {":hall": hall, ":ticket": ticket, ":at": e.at})?;
            }
            "serving" => {
                conn.prepare_cached(&format!(
                    "UPDATE stat_visits SET started_at = :at WHERE {visit}"
                ))?
                .execute(named_params! {":hall": hall, ":ticket": ticket, ":at": e.at})?;
            }
            "served" | "absent" | "cancelled" | "transferred" | "returned" => {
                let reason = if e.kind == "cancelled" {
                    text("reason")
                } else {
                    None
                };
                // Back in a queue: a new visit, in the new field or the same one.
                let to = match e.kind {
                    "transferred" => text("to_service"),
                    "returned" => e.service,
                    _ => None,
                };
                if let Some(to) = to {
                    conn.prepare_cached(&format!(
                        "INSERT INTO stat_visits (hall, ticket_id, visit, day, service, began_by,
                             issued_at, queued_at, hour, priority)
                         SELECT hall, ticket_id, visit + 1, day, :to, :kind, issued_at, :at,
                             :hour, priority
                         FROM stat_visits WHERE {visit}"
                    ))?
                    .execute(named_params! {
                        ":hall": hall, ":ticket": ticket, ":to": to, ":kind": e.kind,
                        ":at": e.at, ":hour": local_hour(e.at, tz),
                    })?;
                }
                // The visit that ends is the one before the new one, if there is one.
                let ending = if to.is_some() {
                    format!("hall = :hall AND ticket_id = :ticket AND visit = {current} - 1")
                } else {
                    visit.clone()
                };
                conn.prepare_cached(&format!(
                    "UPDATE stat_visits SET ended_at = :at, outcome = :kind, end_reason = :reason
                     WHERE {ending}"
                ))?
                .execute(named_params! {
                    ":hall": hall, ":ticket": ticket, ":at": e.at,
                    ":kind": e.kind, ":reason": reason,
                })?;
            }
            "rated" => {
                conn.prepare_cached(
                    "UPDATE stat_visits SET rating = :level, rating_scale = :scale,
                         comment = :comment, rated_at = :at
                     WHERE hall = :hall AND ticket_id = :ticket AND visit = (
                         SELECT MAX(visit) FROM stat_visits
                         WHERE hall = :hall AND ticket_id = :ticket AND outcome = 'served')",
                )?
                .execute(named_params! {
                    ":hall": hall,
                    ":ticket": ticket,
                    ":level": e.data.get("level").and_then(Value::as_u64),
                    ":scale": e.data.get("scale").and_then(Value::as_u64),
                    ":comment": text("comment").filter(|c| !c.trim().is_empty()),
                    ":at": e.at,
                })?;
            }
            _ => {}
        }
        // A call or a finish is the counter at work: where a span nobody closed ends. (Not a
        // cancellation: the day's end cancels what a counter held the next morning.)
        if let (
            Some(no),
            "called" | "recalled" | "serving" | "served" | "absent" | "transferred" | "returned",
        ) = (e.counter, e.kind)
        {
            conn.prepare_cached(
                "UPDATE stat_counter_spans SET last_activity = :at
                 WHERE hall = :hall AND counter_no = :counter AND ended_at IS NULL",
            )?
            .execute(named_params! {":hall": hall, ":counter": no, ":at": e.at})?;
        }
        return Ok(());
    }
    let Some(no) = e.counter else {
        return Ok(());
    };
    match e.kind {
        "counter_opened" => {
            conn.prepare_cached(
                "INSERT INTO stat_counter_spans (hall, counter_no, user_id, kind, day, began_at,
                     last_activity)
                 VALUES (:hall, :counter, :user, 'open', :day, :at, :at)",
            )?
            .execute(named_params! {
                ":hall": hall, ":counter": no, ":user": e.user,
                ":day": day_of(e.at, tz), ":at": e.at,
            })?;
        }
        "counter_paused" => {
            // The pause belongs to whoever holds the counter.
            conn.prepare_cached(
                "INSERT INTO stat_counter_spans (hall, counter_no, user_id, kind, reason, day,
                     began_at, last_activity)
                 SELECT :hall, :counter, COALESCE((SELECT user_id FROM stat_counter_spans
                         WHERE hall = :hall AND counter_no = :counter AND kind = 'open'
                           AND ended_at IS NULL), :user),
                     'paused', :reason, :day, :at, :at",
            )?
            .execute(named_params! {
                ":hall": hall, ":counter": no, ":user": e.user, ":reason": text("reason"),
                ":day": day_of(e.at, tz), ":at": e.at,
            })?;
        }
        "counter_resumed" => {
            conn.prepare_cached(
                "UPDATE stat_counter_spans SET ended_at = :at
                 WHERE hall = :hall AND counter_no = :counter AND kind = 'paused'
                   AND ended_at IS NULL",
            )?
            .execute(named_params! {":hall": hall, ":counter": no, ":at": e.at})?;
        }
        "counter_closed" => {
            // Closed by the day's end (nobody closed it): it counts until its last call or
            // finish that day, not overnight.
            let sql = if text("reason") == Some("day_ended") {
                "UPDATE stat_counter_spans SET ended_at = MAX(began_at, MIN(last_activity, :at))
                 WHERE hall = :hall AND counter_no = :counter AND ended_at IS NULL"
            } else {
                "UPDATE stat_counter_spans SET ended_at = :at
                 WHERE hall = :hall AND counter_no = :counter AND ended_at IS NULL"
            };
            conn.prepare_cached(sql)?
                .execute(named_params! {":hall": hall, ":counter": no, ":at": e.at})?;
        }
        _ => {}
    }
    Ok(())
}

/// Fold the whole log once, for a database written before statistics existed.
pub fn fold_history(conn: &Connection, hall: &Hall) -> rusqlite::Result<()> {
    let done: Option<i64> = conn
        .query_row("SELECT folded_through FROM stat_state", [], |r| r.get(0))
        .optional()?
        .flatten();
    if done.is_some() {
        return Ok(());
    }
    let tx = conn.unchecked_transaction()?;
    let mut last = 0;
    {
        let mut stmt = tx.prepare(
            "SELECT seq, at, kind, ticket_id, service, counter_no, user_id, data FROM events ORDER BY seq",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            last = r.get(0)?;
            let kind: String = r.get(2)?;
            let service: Option<String> = r.get(4)?;
            let data: String = r.get(7)?;
            let data: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
            fold(
                &tx,
                hall.tz,
                0,
                &Event {
                    at: r.get(1)?,
                    kind: &kind,
                    ticket_id: r.get(3)?,
                    service: service.as_deref(),
                    counter: r.get(5)?,
                    user: r.get(6)?,
                    data: &data,
                },
            )?;
        }
    }
    tx.execute("UPDATE stat_state SET folded_through = ?1", [last])?;
    tx.commit()?;
    if last > 0 {
        tracing::info!(events = last, "statistics folded from the event log");
    }
    Ok(())
}

fn parse_day(s: &str) -> rusqlite::Result<NaiveDate> {
    s.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("bad day {s:?}").into(),
        )
    })
}

/// The visits of tickets issued from `from` to `to` (local days, inclusive).
pub fn visits(
    conn: &Connection,
    hall: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Visit>, AppError> {
    let mut stmt = conn.prepare_cached(
        "SELECT day, service, began_by, issued_at, queued_at, hour, priority, first_call, last_call,
             counter_no, user_id, recalls, started_at, ended_at, outcome, end_reason,
             quoted_minutes, rating, rating_scale, comment, rated_at
         FROM stat_visits WHERE hall = ?3 AND day BETWEEN ?1 AND ?2",
    )?;
    // Rows come in day order: parse each day once. Text is read borrowed where it can be,
    // a year is a hundred and fifty thousand rows.
    let mut last_day: Option<(String, NaiveDate)> = None;
    let mut last_service = String::new();
    let rows = stmt.query_map(params![from.to_string(), to.to_string(), hall], |r| {
        let text =
            |i: usize| -> rusqlite::Result<Option<&str>> { Ok(r.get_ref(i)?.as_str_or_null()?) };
        let day_text = text(0)?.unwrap_or_default();
        let day = match &last_day {
            Some((t, d)) if t == day_text => *d,
            _ => {
                let d = parse_day(day_text)?;
                last_day = Some((day_text.to_owned(), d));
                d
            }
        };
        let service_text = text(1)?.unwrap_or_default();
        if service_text != last_service {
            last_service = service_text.to_owned();
        }
        let outcome = text(14)?.and_then(Outcome::parse);
        let ended_with_day = text(15)? == Some("day_ended");
        let rating: Option<u8> = r.get(17)?;
        let scale: Option<u8> = r.get(18)?;
        Ok(Visit {
            day,
            service: last_service.clone(),
            began_by: text(2)?.and_then(BeganBy::parse).unwrap_or(BeganBy::Issued),
            issued_at: r.get(3)?,
            queued_at: r.get(4)?,
            hour: r.get(5)?,
            priority: r.get(6)?,
            first_call: r.get(7)?,
            last_call: r.get(8)?,
            counter: r.get(9)?,
            clerk: r.get(10)?,
            recalls: r.get(11)?,
            started_at: r.get(12)?,
            ended_at: r.get(13)?,
            outcome,
            ended_with_day,
            quoted_minutes: r.get(16)?,
            rating: rating.zip(scale),
            comment: r.get(19)?,
            rated_at: r.get(20)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The counter spans that began from `from` to `to` (local days, inclusive).
pub fn spans(
    conn: &Connection,
    hall: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Span>, AppError> {
    let mut stmt = conn.prepare_cached(
        "SELECT counter_no, user_id, kind, reason, day, began_at, last_activity, ended_at
         FROM stat_counter_spans WHERE hall = ?3 AND day BETWEEN ?1 AND ?2",
    )?;
    let rows = stmt.query_map(params![from.to_string(), to.to_string(), hall], |r| {
        let kind: String = r.get(2)?;
        let reason: Option<String> = r.get(3)?;
        Ok(Span {
            counter: r.get(0)?,
            clerk: r.get(1)?,
            pause: (kind == "paused").then(|| reason.unwrap_or_default()),
            day: parse_day(&r.get::<_, String>(4)?)?,
            began_at: r.get(5)?,
            last_activity: r.get(6)?,
            ended_at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every user's name, by id (clerks are shown by name).
pub fn user_names(conn: &Connection) -> Result<std::collections::BTreeMap<i64, String>, AppError> {
    let mut stmt = conn.prepare_cached("SELECT id, name FROM users")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
