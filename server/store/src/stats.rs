//! Statistics storage: the event log folded into visits and counter spans (see
//! [`motcua_domain::stats`] for what they are), and the reads the dashboard makes.
//!
//! Every event is folded in the same transaction that appends it ([`fold`]), so the
//! figures are never behind the log. A database from before statistics existed is folded
//! from its whole log once, when the server opens it ([`fold_history`]).

use crate::StoreError;
use chrono::NaiveDate;
use chrono_tz::Tz;
use motcua_domain::event::{EndReason, Event, Logged, RatingChannel, UnreadableEvent};
use motcua_domain::stats::{BeganBy, Booking, BookingOutcome, Outcome, Span, Visit, local_hour};
use motcua_domain::{Hall, UndoTo, numbering::local_day};
use rusqlite::{Connection, OptionalExtension, named_params, params};

fn day_of(ms: i64, tz: Tz) -> String {
    local_day(super::from_millis(ms), tz).to_string()
}

/// Fold one event into the statistics tables, as hall `hall` (0 in a hall's own database;
/// the city's collector folds every hall's events into the same tables).
pub fn fold(conn: &Connection, tz: Tz, hall: i64, e: &Logged) -> rusqlite::Result<()> {
    if e.event.booking().is_some() {
        return fold_booking_event(conn, hall, e);
    }
    match e.ticket {
        Some(ticket) => fold_ticket_event(conn, tz, hall, ticket, e)?,
        None => fold_counter_event(conn, tz, hall, e)?,
    }
    // A call or a finish is the counter at work: where a span nobody closed ends.
    if let (Some(no), Some(_), true) = (e.counter, e.ticket, e.event.is_counter_activity()) {
        conn.prepare_cached(
            "UPDATE stat_counter_spans SET last_activity = :at
             WHERE hall = :hall AND counter_no = :counter AND ended_at IS NULL",
        )?
        .execute(named_params! {":hall": hall, ":counter": no, ":at": e.at})?;
    }
    Ok(())
}

/// The visit of a ticket that is open now.
const CURRENT_VISIT: &str = "hall = :hall AND ticket_id = :ticket AND visit = \
     (SELECT MAX(visit) FROM stat_visits WHERE hall = :hall AND ticket_id = :ticket)";

fn fold_ticket_event(
    conn: &Connection,
    tz: Tz,
    hall: i64,
    ticket: i64,
    e: &Logged,
) -> rusqlite::Result<()> {
    match &e.event {
        Event::Issued {
            priority,
            eta_minutes,
            booked_for,
            result_pickup,
            ..
        } => {
            // A booked ticket that came early waits from its appointment: the time before
            // it was the citizen's choice, not the hall's delay.
            let queued_at = booked_for.map_or(e.at, |b| b.max(e.at));
            conn.prepare_cached(
                "INSERT OR IGNORE INTO stat_visits (hall, ticket_id, visit, day, service,
                     began_by, issued_at, queued_at, hour, priority, quoted_minutes, booked,
                     result_pickup)
                 VALUES (:hall, :ticket, 0, :day, :service, 'issued', :at, :queued, :hour,
                     :priority, :quoted, :booked, :result)",
            )?
            .execute(named_params! {
                ":hall": hall,
                ":ticket": ticket,
                ":day": day_of(e.at, tz),
                ":service": e.service.as_deref().unwrap_or_default(),
                ":at": e.at,
                ":queued": queued_at,
                ":hour": local_hour(e.at, tz),
                ":priority": priority.is_priority(),
                ":quoted": eta_minutes,
                ":booked": booked_for.is_some(),
                ":result": result_pickup,
            })?;
        }
        Event::Called { .. } => {
            conn.prepare_cached(&format!(
                "UPDATE stat_visits SET first_call = COALESCE(first_call, :at), last_call = :at,
                     counter_no = :counter, user_id = :user
                 WHERE {CURRENT_VISIT}"
            ))?
            .execute(named_params! {
                ":hall": hall, ":ticket": ticket, ":at": e.at,
                ":counter": e.counter, ":user": e.user,
            })?;
        }
        Event::Recalled { .. } => {
            conn.prepare_cached(&format!(
                "UPDATE stat_visits SET last_call = :at, recalls = recalls + 1 WHERE {CURRENT_VISIT}"
            ))?
            .execute(named_params! {":hall": hall, ":ticket": ticket, ":at": e.at})?;
        }
        // Serving again after a hold: the service before it was kept as a negative start
        // (below), so the start moves on by the time aside and the service time leaves
        // the hold out.
        Event::Serving {} => {
            conn.prepare_cached(&format!(
                "UPDATE stat_visits
                    SET started_at = CASE WHEN started_at < 0 THEN :at + started_at ELSE :at END
                  WHERE {CURRENT_VISIT}"
            ))?
            .execute(named_params! {":hall": hall, ":ticket": ticket, ":at": e.at})?;
        }
        // Put aside while being served: the service so far is kept, as minus its length
        // (until the ticket is served again). Put aside while only called: nothing to keep.
        Event::Held {} => {
            conn.prepare_cached(&format!(
                "UPDATE stat_visits SET started_at = started_at - :at
                  WHERE {CURRENT_VISIT} AND started_at > 0"
            ))?
            .execute(named_params! {":hall": hall, ":ticket": ticket, ":at": e.at})?;
        }
        Event::Served {} | Event::Absent {} => end_visit(conn, hall, ticket, e, None, None)?,
        // An absence taken back was no absence: the visit goes on, its wait still measured
        // to its first call. Called again at a counter, that call is its last call.
        Event::AbsentUndone { to } => {
            conn.prepare_cached(&format!(
                "UPDATE stat_visits SET ended_at = NULL, outcome = NULL, end_reason = NULL,
                     started_at = NULL,
                     last_call = CASE WHEN :again THEN :at ELSE last_call END,
                     counter_no = CASE WHEN :again THEN :counter ELSE counter_no END,
                     user_id = CASE WHEN :again THEN :user ELSE user_id END
                 WHERE {CURRENT_VISIT} AND outcome = 'absent'"
            ))?
            .execute(named_params! {
                ":hall": hall, ":ticket": ticket, ":at": e.at,
                ":again": *to == UndoTo::Counter,
                ":counter": e.counter, ":user": e.user,
            })?;
        }
        Event::Cancelled { reason, .. } => {
            let reason = reason.map(|EndReason::DayEnded| "day_ended");
            end_visit(conn, hall, ticket, e, reason, None)?;
        }
        // Back in a queue: a new visit, in the new field or the same one.
        Event::Transferred { to_service, .. } => {
            end_visit(conn, hall, ticket, e, None, Some((to_service.as_str(), tz)))?;
        }
        Event::Returned { .. } => {
            let to = e.service.as_deref().unwrap_or_default();
            end_visit(conn, hall, ticket, e, None, Some((to, tz)))?;
        }
        Event::Rated {
            level,
            scale,
            comment,
            channel,
            reasons,
            visits_needed,
        } => {
            // A phone rating after the tablet's replaces it (the app allows nothing else
            // over a rating); the visit remembers that it did. (A rating that does not say
            // where, from an older log, replaces nothing.)
            conn.prepare_cached(
                "UPDATE stat_visits SET rating = :level, rating_scale = :scale,
                     comment = :comment, rated_at = :at, rating_source = :source,
                     reasons = :reasons, visits_needed = :visits,
                     rating_replaced = rating_replaced
                         OR COALESCE(rating IS NOT NULL AND rating_source = 'counter'
                             AND :source = 'phone', 0)
                 WHERE hall = :hall AND ticket_id = :ticket AND visit = (
                     SELECT MAX(visit) FROM stat_visits
                     WHERE hall = :hall AND ticket_id = :ticket AND outcome = 'served')",
            )?
            .execute(named_params! {
                ":hall": hall,
                ":ticket": ticket,
                ":level": level,
                ":scale": scale,
                ":comment": comment.as_deref().filter(|c| !c.trim().is_empty()),
                ":at": e.at,
                ":source": channel.map(RatingChannel::as_str),
                ":reasons": (!reasons.is_empty()).then(|| reasons.join(",")),
                ":visits": visits_needed,
            })?;
        }
        // A code belongs to the ticket, kept by its issue day.
        Event::DossierAttached { dossier } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO stat_dossiers (hall, day, ticket_id, dossier, attached_at)
                 SELECT :hall, day, :ticket, :dossier, :at FROM stat_visits
                 WHERE hall = :hall AND ticket_id = :ticket AND visit = 0",
            )?
            .execute(named_params! {
                ":hall": hall, ":ticket": ticket, ":dossier": dossier, ":at": e.at,
            })?;
        }
        Event::DossierDetached { dossier } => {
            conn.prepare_cached(
                "DELETE FROM stat_dossiers
                 WHERE hall = :hall AND ticket_id = :ticket AND dossier = :dossier
                   AND day = (SELECT day FROM stat_visits
                              WHERE hall = :hall AND ticket_id = :ticket AND visit = 0)",
            )?
            .execute(named_params! {":hall": hall, ":ticket": ticket, ":dossier": dossier})?;
        }
        // On the served visit, which the figure counts; on the last one if never served.
        Event::ComplaintMade { .. } => {
            conn.prepare_cached(
                "UPDATE stat_visits SET complaints = complaints + 1
                 WHERE hall = :hall AND ticket_id = :ticket AND visit = COALESCE(
                     (SELECT MAX(visit) FROM stat_visits
                      WHERE hall = :hall AND ticket_id = :ticket AND outcome = 'served'),
                     (SELECT MAX(visit) FROM stat_visits
                      WHERE hall = :hall AND ticket_id = :ticket))",
            )?
            .execute(named_params! {":hall": hall, ":ticket": ticket})?;
        }
        // The complaint's handling is the hall's own record (the complaints table).
        Event::ComplaintAcknowledged { .. } | Event::ComplaintResolved { .. } => {}
        // Counter events concern no ticket.
        Event::CounterOpened {}
        | Event::CounterClosed { .. }
        | Event::CounterPaused { .. }
        | Event::CounterResumed {}
        // A reprint, a change of the hall's set-up, an emergency or a message is the
        // hall's own record (the log), no figure.
        | Event::Reprinted {}
        | Event::Audited { .. }
        | Event::EmergencyRaised {}
        | Event::EmergencyHandled {}
        | Event::MessagePosted { .. }
        | Event::MessageWithdrawn { .. } => {}
        // Folded by fold_booking_event.
        Event::BookingMade { .. }
        | Event::BookingCancelled { .. }
        | Event::BookingCheckedIn { .. }
        | Event::BookingLate { .. }
        | Event::BookingNoShow { .. } => {}
    }
    Ok(())
}

/// A booking's event: its row in `stat_bookings` begins (made) or takes its outcome. A
/// no-show that comes after all becomes late; nothing else moves a booking twice.
fn fold_booking_event(conn: &Connection, hall: i64, e: &Logged) -> rusqlite::Result<()> {
    let Some(booking) = e.event.booking() else {
        return Ok(());
    };
    let (outcome, offset, walk_in) = match &e.event {
        Event::BookingMade { source, .. } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO stat_bookings (hall, booking, day, service, window_start,
                     source, booked_at, outcome)
                 VALUES (:hall, :booking, :day, :service, :window, :source, :at, 'booked')",
            )?
            .execute(named_params! {
                ":hall": hall,
                ":booking": booking.booking,
                ":day": booking.day,
                ":service": e.service.as_deref().unwrap_or_default(),
                ":window": booking.window,
                ":source": source,
                ":at": e.at,
            })?;
            return Ok(());
        }
        Event::BookingCancelled { .. } => ("cancelled", None, None),
        Event::BookingCheckedIn { offset_ms, .. } => ("checked_in", Some(*offset_ms), None),
        Event::BookingLate {
            offset_ms, walk_in, ..
        } => ("late", Some(*offset_ms), Some(*walk_in)),
        Event::BookingNoShow { .. } => ("no_show", None, None),
        _ => return Ok(()),
    };
    conn.prepare_cached(
        "UPDATE stat_bookings SET outcome = :outcome, offset_ms = :offset,
             late_walk_in = :walk_in
         WHERE hall = :hall AND booking = :booking
           AND (outcome = 'booked' OR (outcome = 'no_show' AND :outcome = 'late'))",
    )?
    .execute(named_params! {
        ":hall": hall,
        ":booking": booking.booking,
        ":outcome": outcome,
        ":offset": offset,
        ":walk_in": walk_in,
    })?;
    Ok(())
}

/// End the ticket's current visit with the event's kind as its outcome; when the ticket
/// goes back into a queue (`requeued_in`: the field, and the hall's zone for the hour), a
/// new visit begins there first, and the one before it is the one that ends.
fn end_visit(
    conn: &Connection,
    hall: i64,
    ticket: i64,
    e: &Logged,
    reason: Option<&str>,
    requeued_in: Option<(&str, Tz)>,
) -> rusqlite::Result<()> {
    let kind = e.event.kind();
    if let Some((to, tz)) = requeued_in {
        conn.prepare_cached(&format!(
            "INSERT INTO stat_visits (hall, ticket_id, visit, day, service, began_by,
                 issued_at, queued_at, hour, priority)
             SELECT hall, ticket_id, visit + 1, day, :to, :kind, issued_at, :at,
                 :hour, priority
             FROM stat_visits WHERE {CURRENT_VISIT}"
        ))?
        .execute(named_params! {
            ":hall": hall, ":ticket": ticket, ":to": to, ":kind": kind,
            ":at": e.at, ":hour": local_hour(e.at, tz),
        })?;
    }
    let ending = if requeued_in.is_some() {
        format!("{CURRENT_VISIT} - 1")
    } else {
        CURRENT_VISIT.to_owned()
    };
    conn.prepare_cached(&format!(
        "UPDATE stat_visits SET ended_at = :at, outcome = :kind, end_reason = :reason
         WHERE {ending}"
    ))?
    .execute(named_params! {
        ":hall": hall, ":ticket": ticket, ":at": e.at,
        ":kind": kind, ":reason": reason,
    })?;
    Ok(())
}

fn fold_counter_event(conn: &Connection, tz: Tz, hall: i64, e: &Logged) -> rusqlite::Result<()> {
    let Some(no) = e.counter else {
        return Ok(());
    };
    match &e.event {
        Event::CounterOpened {} => {
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
        Event::CounterPaused { reason } => {
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
                ":hall": hall, ":counter": no, ":user": e.user, ":reason": reason,
                ":day": day_of(e.at, tz), ":at": e.at,
            })?;
        }
        Event::CounterResumed {} => {
            conn.prepare_cached(
                "UPDATE stat_counter_spans SET ended_at = :at
                 WHERE hall = :hall AND counter_no = :counter AND kind = 'paused'
                   AND ended_at IS NULL",
            )?
            .execute(named_params! {":hall": hall, ":counter": no, ":at": e.at})?;
        }
        Event::CounterClosed { reason } => {
            // Closed by the day's end (nobody closed it): it counts until its last call or
            // finish that day, not overnight.
            let sql = match reason {
                Some(EndReason::DayEnded) => {
                    "UPDATE stat_counter_spans SET ended_at = MAX(began_at, MIN(last_activity, :at))
                     WHERE hall = :hall AND counter_no = :counter AND ended_at IS NULL"
                }
                None => {
                    "UPDATE stat_counter_spans SET ended_at = :at
                     WHERE hall = :hall AND counter_no = :counter AND ended_at IS NULL"
                }
            };
            conn.prepare_cached(sql)?
                .execute(named_params! {":hall": hall, ":counter": no, ":at": e.at})?;
        }
        // Ticket events without a ticket do not happen; nothing to fold.
        Event::Issued { .. }
        | Event::Called { .. }
        | Event::Recalled { .. }
        | Event::Serving {}
        | Event::Served {}
        | Event::Absent {}
        | Event::Held {}
        | Event::AbsentUndone { .. }
        | Event::Cancelled { .. }
        | Event::Returned { .. }
        | Event::Transferred { .. }
        | Event::Rated { .. }
        | Event::DossierAttached { .. }
        | Event::DossierDetached { .. }
        | Event::ComplaintMade { .. }
        | Event::ComplaintAcknowledged { .. }
        | Event::ComplaintResolved { .. }
        | Event::Reprinted {}
        // An emergency changes no figure: the counter's span goes on.
        | Event::EmergencyRaised {}
        | Event::EmergencyHandled {}
        // A manager's message to the hall changes no figure.
        | Event::MessagePosted { .. }
        | Event::MessageWithdrawn { .. }
        | Event::BookingMade { .. }
        | Event::BookingCancelled { .. }
        | Event::BookingCheckedIn { .. }
        | Event::BookingLate { .. }
        | Event::BookingNoShow { .. }
        | Event::Audited { .. } => {}
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
            match logged_from_row(r)? {
                Ok(e) => fold(&tx, hall.tz, 0, &e)?,
                Err(e) => {
                    tracing::warn!(seq = last, error = %e, "an event left out of the figures")
                }
            }
        }
    }
    tx.execute("UPDATE stat_state SET folded_through = ?1", [last])?;
    tx.commit()?;
    if last > 0 {
        tracing::info!(events = last, "statistics folded from the event log");
    }
    Ok(())
}

/// The columns `seq, at, kind, ticket_id, service, counter_no, user_id, data` of the
/// event log, read back as a typed event. A row whose kind or data this build cannot read
/// is an error of its own (the inner one), so a caller can pass over it and go on.
pub fn logged_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Logged, UnreadableEvent>> {
    let kind: String = r.get(2)?;
    let data: String = r.get(7)?;
    let data = serde_json::from_str(&data).unwrap_or(serde_json::Value::Null);
    let event = match Event::from_parts(&kind, data) {
        Ok(event) => event,
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(Logged {
        seq: r.get(0)?,
        at: r.get(1)?,
        ticket: r.get(3)?,
        service: r.get(4)?,
        counter: r.get(5)?,
        user: r.get(6)?,
        event,
    }))
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
) -> Result<Vec<Visit>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT day, service, began_by, issued_at, queued_at, hour, priority, first_call, last_call,
             counter_no, user_id, recalls, started_at, ended_at, outcome, end_reason,
             quoted_minutes, rating, rating_scale, comment, rated_at, rating_source,
             rating_replaced, booked, reasons, visits_needed, complaints, result_pickup,
             ticket_id
         FROM stat_visits WHERE hall = ?3 AND day BETWEEN ?1 AND ?2
         ORDER BY day, ticket_id, visit",
    )?;
    // The dossiers' codes come in the same order (their key's): read alongside.
    let mut codes_stmt = conn.prepare_cached(
        "SELECT day, ticket_id, dossier FROM stat_dossiers
         WHERE hall = ?3 AND day BETWEEN ?1 AND ?2 ORDER BY day, ticket_id",
    )?;
    let mut codes =
        Codes::new(codes_stmt.query(params![from.to_string(), to.to_string(), hall])?)?;
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
        // A ticket's codes go with its served visit (a ticket is served once at most).
        let dossiers = match outcome {
            Some(Outcome::Served) => codes.of(day_text, r.get(28)?)?,
            _ => Vec::new(),
        };
        let reasons = text(24)?
            .map(|list| list.split(',').map(str::to_owned).collect())
            .unwrap_or_default();
        Ok(Visit {
            day,
            service: last_service.clone(),
            began_by: text(2)?.and_then(BeganBy::parse).unwrap_or(BeganBy::Issued),
            issued_at: r.get(3)?,
            queued_at: r.get(4)?,
            hour: r.get(5)?,
            priority: r.get(6)?,
            booked: r.get(23)?,
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
            rating_source: text(21)?.and_then(RatingChannel::parse),
            rating_replaced: r.get(22)?,
            comment: r.get(19)?,
            rated_at: r.get(20)?,
            dossiers,
            result_pickup: r.get(27)?,
            reasons,
            visits_needed: r.get(25)?,
            complaints: r.get(26)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The dossiers' codes of a range of days, read in step with its visits (both in day and
/// ticket order): no map of a year's codes is built.
struct Codes<'s> {
    rows: rusqlite::Rows<'s>,
    /// The next row: its day, ticket and code.
    next: Option<(String, i64, String)>,
}

impl<'s> Codes<'s> {
    fn new(rows: rusqlite::Rows<'s>) -> rusqlite::Result<Codes<'s>> {
        let mut codes = Codes { rows, next: None };
        codes.advance()?;
        Ok(codes)
    }

    fn advance(&mut self) -> rusqlite::Result<()> {
        self.next = match self.rows.next()? {
            Some(r) => Some((r.get(0)?, r.get(1)?, r.get(2)?)),
            None => None,
        };
        Ok(())
    }

    /// The codes of the ticket issued on `day`, asked in order; the codes of tickets before
    /// it that were never asked for (never served) are passed over.
    fn of(&mut self, day: &str, ticket: i64) -> rusqlite::Result<Vec<String>> {
        let mut found = Vec::new();
        while let Some((d, t, _)) = &self.next {
            match (d.as_str(), *t).cmp(&(day, ticket)) {
                std::cmp::Ordering::Greater => break,
                std::cmp::Ordering::Equal => {
                    if let Some((_, _, code)) = self.next.take() {
                        found.push(code);
                    }
                }
                std::cmp::Ordering::Less => {}
            }
            self.advance()?;
        }
        Ok(found)
    }
}

/// The counter spans that began from `from` to `to` (local days, inclusive).
pub fn spans(
    conn: &Connection,
    hall: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Span>, StoreError> {
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

/// The bookings booked for `from` to `to` (local days, inclusive).
pub fn bookings(
    conn: &Connection,
    hall: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Booking>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT day, service, window_start, source, booked_at, outcome, offset_ms, late_walk_in
         FROM stat_bookings WHERE hall = ?3 AND day BETWEEN ?1 AND ?2",
    )?;
    let rows = stmt.query_map(params![from.to_string(), to.to_string(), hall], |r| {
        let outcome: String = r.get(5)?;
        Ok(Booking {
            day: parse_day(&r.get::<_, String>(0)?)?,
            service: r.get(1)?,
            window: r.get(2)?,
            source: r.get(3)?,
            booked_at: r.get(4)?,
            // The table's CHECK allows nothing else.
            outcome: BookingOutcome::parse(&outcome).unwrap_or(BookingOutcome::Booked),
            offset_ms: r.get(6)?,
            late_walk_in: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every user's name, by id (clerks are shown by name).
pub fn user_names(
    conn: &Connection,
) -> Result<std::collections::BTreeMap<i64, String>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id, name FROM users")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
