//! The event log folded into visits, counter spans and bookings in memory, event by event:
//! what the hall's SQLite store does in SQL (`motcua_store::stats::fold`), for a store that
//! keeps each ticket's visits together (the city's collector on PostgreSQL). A test holds the
//! two folds to the same visits, spans and bookings for the same log.

use super::{BeganBy, Booking, BookingOutcome, Outcome, Span, Visit, local_hour};
use crate::UndoTo;
use crate::event::{EndReason, Event, Logged, RatingChannel};
use crate::numbering::local_day;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

fn day_of(ms: i64, tz: Tz) -> NaiveDate {
    local_day(
        DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default(),
        tz,
    )
}

/// One ticket's visits in order (the first begun by its issue) and the dossiers' codes it
/// carries (sorted, each once).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketVisits {
    pub visits: Vec<Visit>,
    pub dossiers: Vec<String>,
}

impl TicketVisits {
    /// The visits as the figures read them: the dossiers' codes on the served visit.
    pub fn into_visits(self) -> Vec<Visit> {
        let TicketVisits {
            mut visits,
            dossiers,
        } = self;
        if let Some(served) = visits
            .iter_mut()
            .find(|v| v.outcome == Some(Outcome::Served))
        {
            served.dossiers = dossiers;
        }
        visits
    }

    /// The local day the ticket was issued, once it was.
    pub fn day(&self) -> Option<NaiveDate> {
        self.visits.first().map(|v| v.day)
    }

    /// Fold one of the ticket's events (its `ticket` is this one).
    pub fn fold(&mut self, tz: Tz, e: &Logged) {
        let at = e.at;
        match &e.event {
            Event::Issued {
                priority,
                eta_minutes,
                booked_for,
                result_pickup,
                ..
            } => {
                if !self.visits.is_empty() {
                    return;
                }
                let queued_at = booked_for.map_or(at, |b| b.max(at));
                self.visits.push(Visit {
                    booked: booked_for.is_some(),
                    quoted_minutes: Some(*eta_minutes),
                    result_pickup: *result_pickup,
                    priority: priority.is_priority(),
                    ..Visit::begun(
                        day_of(at, tz),
                        e.service.as_deref().unwrap_or_default(),
                        BeganBy::Issued,
                        (at, queued_at),
                        local_hour(at, tz),
                    )
                });
            }
            Event::Called { .. } => {
                if let Some(v) = self.visits.last_mut() {
                    v.first_call = v.first_call.or(Some(at));
                    v.last_call = Some(at);
                    v.counter = e.counter;
                    v.clerk = e.user;
                }
            }
            Event::Recalled { .. } => {
                if let Some(v) = self.visits.last_mut() {
                    v.last_call = Some(at);
                    v.recalls += 1;
                }
            }
            Event::Serving {} => {
                if let Some(v) = self.visits.last_mut() {
                    v.started_at = Some(match v.started_at {
                        Some(kept) if kept < 0 => at + kept,
                        _ => at,
                    });
                }
            }
            Event::Held {} => {
                if let Some(v) = self.visits.last_mut()
                    && let Some(start) = v.started_at.filter(|s| *s > 0)
                {
                    v.started_at = Some(start - at);
                }
            }
            Event::Served {} => self.end(at, Outcome::Served, false, None),
            Event::Absent {} => self.end(at, Outcome::Absent, false, None),
            Event::AbsentUndone { to } => {
                if let Some(v) = self.visits.last_mut()
                    && v.outcome == Some(Outcome::Absent)
                {
                    v.ended_at = None;
                    v.outcome = None;
                    v.ended_with_day = false;
                    v.started_at = None;
                    if *to == UndoTo::Counter {
                        v.last_call = Some(at);
                        v.counter = e.counter;
                        v.clerk = e.user;
                    }
                }
            }
            Event::Cancelled { reason, .. } => {
                let with_day = matches!(reason, Some(EndReason::DayEnded));
                self.end(at, Outcome::Cancelled, with_day, None);
            }
            Event::Transferred { to_service, .. } => {
                let requeued = Some((to_service.as_str(), BeganBy::Transferred, tz));
                self.end(at, Outcome::Transferred, false, requeued);
            }
            Event::Returned { .. } => {
                let to = e.service.as_deref().unwrap_or_default();
                self.end(
                    at,
                    Outcome::Returned,
                    false,
                    Some((to, BeganBy::Returned, tz)),
                );
            }
            Event::Rated {
                level,
                scale,
                comment,
                channel,
                reasons,
                visits_needed,
            } => {
                let Some(v) = self
                    .visits
                    .iter_mut()
                    .rev()
                    .find(|v| v.outcome == Some(Outcome::Served))
                else {
                    return;
                };
                v.rating_replaced |= v.rating.is_some()
                    && v.rating_source == Some(RatingChannel::Counter)
                    && *channel == Some(RatingChannel::Phone);
                v.rating = Some((*level, *scale));
                v.comment = comment.clone().filter(|c| !c.trim().is_empty());
                v.rated_at = Some(at);
                v.rating_source = *channel;
                // Stored joined by commas, read back split: the same list.
                v.reasons = reasons
                    .join(",")
                    .split(',')
                    .filter(|_| !reasons.is_empty())
                    .map(str::to_owned)
                    .collect();
                v.visits_needed = *visits_needed;
            }
            Event::DossierAttached { dossier } => {
                if !self.visits.is_empty()
                    && let Err(place) = self.dossiers.binary_search(dossier)
                {
                    self.dossiers.insert(place, dossier.clone());
                }
            }
            Event::DossierDetached { dossier } => {
                self.dossiers.retain(|d| d != dossier);
            }
            Event::ComplaintMade { .. } => {
                let served = self
                    .visits
                    .iter()
                    .rposition(|v| v.outcome == Some(Outcome::Served));
                let place = served.or(self.visits.len().checked_sub(1));
                if let Some(v) = place.and_then(|i| self.visits.get_mut(i)) {
                    v.complaints += 1;
                }
            }
            _ => {}
        }
    }

    /// End the current visit; when the ticket goes back into a queue, a new visit begins
    /// there (in the same issue day, from now).
    fn end(
        &mut self,
        at: i64,
        outcome: Outcome,
        with_day: bool,
        requeued: Option<(&str, BeganBy, Tz)>,
    ) {
        let Some(current) = self.visits.last_mut() else {
            return;
        };
        current.ended_at = Some(at);
        current.outcome = Some(outcome);
        current.ended_with_day = with_day;
        if let Some((to, began_by, tz)) = requeued {
            let next = Visit {
                priority: current.priority,
                ..Visit::begun(
                    current.day,
                    to,
                    began_by,
                    (current.issued_at, at),
                    local_hour(at, tz),
                )
            };
            self.visits.push(next);
        }
    }
}

/// A hall's counter spans as they are folded: the ones still running, and any that begin.
/// `id` is the store's (`None` until stored).
#[derive(Debug, Clone, PartialEq)]
pub struct FoldedSpan {
    pub id: Option<i64>,
    pub span: Span,
    /// Changed by the fold: to be written back.
    pub changed: bool,
}

/// Fold a counter's event, or a ticket event's activity at its counter, into `spans` (every
/// running span of the hall, and those begun while folding).
pub fn fold_spans(spans: &mut Vec<FoldedSpan>, tz: Tz, e: &Logged) {
    let Some(no) = e.counter else {
        return;
    };
    let running = |s: &FoldedSpan| s.span.counter == no && s.span.ended_at.is_none();
    if e.ticket.is_some() {
        if e.event.is_counter_activity() {
            for s in spans.iter_mut().filter(|s| running(s)) {
                s.span.last_activity = e.at;
                s.changed = true;
            }
        }
        return;
    }
    let begin = |pause: Option<String>, clerk: Option<i64>| FoldedSpan {
        id: None,
        span: Span {
            counter: no,
            clerk,
            pause,
            day: day_of(e.at, tz),
            began_at: e.at,
            last_activity: e.at,
            ended_at: None,
        },
        changed: true,
    };
    match &e.event {
        Event::CounterOpened {} => spans.push(begin(None, e.user)),
        // The pause belongs to whoever holds the counter: the open span's clerk, or (when
        // it names nobody, or none runs) whoever paused it, as the SQL's COALESCE does.
        Event::CounterPaused { reason } => {
            let holder = spans
                .iter()
                .find(|s| running(s) && s.span.pause.is_none())
                .and_then(|s| s.span.clerk);
            spans.push(begin(Some(reason.clone()), holder.or(e.user)));
        }
        Event::CounterResumed {} => {
            for s in spans
                .iter_mut()
                .filter(|s| running(s) && s.span.pause.is_some())
            {
                s.span.ended_at = Some(e.at);
                s.changed = true;
            }
        }
        Event::CounterClosed { reason } => {
            for s in spans.iter_mut().filter(|s| running(s)) {
                s.span.ended_at = Some(match reason {
                    Some(EndReason::DayEnded) => {
                        s.span.began_at.max(s.span.last_activity.min(e.at))
                    }
                    None => e.at,
                });
                s.changed = true;
            }
        }
        _ => {}
    }
}

/// Fold a booking's event into its row (`None` until it was made). A no-show that comes
/// after all becomes late; nothing else moves a booking twice.
pub fn fold_booking(booking: &mut Option<Booking>, e: &Logged) {
    let Some(reference) = e.event.booking() else {
        return;
    };
    let (outcome, offset, walk_in) = match &e.event {
        Event::BookingMade { source, .. } => {
            if booking.is_none()
                && let Ok(day) = reference.day.parse()
            {
                *booking = Some(Booking {
                    day,
                    service: e.service.clone().unwrap_or_default(),
                    window: reference.window.clone(),
                    source: source.clone(),
                    booked_at: e.at,
                    outcome: BookingOutcome::Booked,
                    offset_ms: None,
                    late_walk_in: None,
                });
            }
            return;
        }
        Event::BookingCancelled { .. } => (BookingOutcome::Cancelled, None, None),
        Event::BookingCheckedIn { offset_ms, .. } => {
            (BookingOutcome::CheckedIn, Some(*offset_ms), None)
        }
        Event::BookingLate {
            offset_ms, walk_in, ..
        } => (BookingOutcome::Late, Some(*offset_ms), Some(*walk_in)),
        Event::BookingNoShow { .. } => (BookingOutcome::NoShow, None, None),
        _ => return,
    };
    if let Some(b) = booking
        && (b.outcome == BookingOutcome::Booked
            || (b.outcome == BookingOutcome::NoShow && outcome == BookingOutcome::Late))
    {
        b.outcome = outcome;
        b.offset_ms = offset;
        b.late_walk_in = walk_in;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HANOI: Tz = chrono_tz::Asia::Ho_Chi_Minh;
    /// 2026-11-25 08:00 in Hanoi.
    const EIGHT: i64 = 1_795_568_400_000;

    fn at_counter(minutes: i64, user: Option<i64>, event: Event) -> Logged {
        Logged {
            seq: 0,
            at: EIGHT + minutes * 60_000,
            ticket: None,
            service: None,
            counter: Some(7),
            user,
            event,
        }
    }

    fn folded(log: &[Logged]) -> Vec<Span> {
        let mut spans = Vec::new();
        for e in log {
            fold_spans(&mut spans, HANOI, e);
        }
        spans.into_iter().map(|s| s.span).collect()
    }

    #[test]
    fn a_pause_belongs_to_the_counters_clerk_and_to_whoever_paused_when_the_open_names_nobody() {
        let pause = || Event::CounterPaused {
            reason: "Nghỉ".into(),
        };
        // Opened by clerk 3, paused by a manager (9): the pause is clerk 3's.
        let held = folded(&[
            at_counter(0, Some(3), Event::CounterOpened {}),
            at_counter(5, Some(9), pause()),
        ]);
        assert_eq!(held[1].clerk, Some(3));
        // Opened with no clerk named (as a log may hold it), paused by clerk 5: the SQL
        // fold gives the pause to clerk 5, and so must this one.
        let unnamed = folded(&[
            at_counter(0, None, Event::CounterOpened {}),
            at_counter(5, Some(5), pause()),
        ]);
        assert_eq!(unnamed[0].clerk, None, "the open span names nobody");
        assert_eq!(unnamed[1].clerk, Some(5), "the pause is its pauser's");
        // Paused with no open span running: the pauser's.
        let alone = folded(&[at_counter(5, Some(5), pause())]);
        assert_eq!(alone[0].clerk, Some(5));
    }
}
