//! The wait estimate as the hall reads it: the hall read once (its counters and how long
//! their citizens have been there, the waiting tickets, each field's typical occupation
//! today) and replayed by [`motcua_domain::estimate`]. The quote at issue, the phone's
//! page and feed, the consoles' lists and the kiosk's fields all read it this one way.

use motcua_domain::estimate::{self, Availability, CounterNow, Field, Forecast, Tail, Visit};
use motcua_domain::{CounterState, Hall, ServiceCode};
use motcua_store::tickets;
use motcua_store::{StoreError, bookings, counters, events, from_millis};
use rusqlite::Connection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How many of a field's latest finished visits of the day make its typical occupation...
const TYPICAL_SAMPLE: u32 = 20;
/// ...together with the configured service time, counted as this many visits. (On
/// simulated days a weight of 5 did a little better than switching from the configured
/// time to the mean at the third visit: a mean of three or four visits is often far off.)
const TYPICAL_PRIOR_VISITS: f64 = 5.0;
/// A visit counts for at most this many configured service times, so one ticket a clerk
/// forgot to finish does not stretch every estimate of the field.
const VISIT_CAP: f64 = 4.0;

/// The hall's "now" for estimates read outside a change (views are read without a clock):
/// the time of its latest event. Every live update goes out at an event, so a view pushed
/// with an event is exact; a view read later in a quiet moment is as of the last change
/// (it does not yet count the minutes the clerks have spent since). The kiosk's quote is
/// made in the change itself, at the time of its `Issued` event: the same moment.
pub fn hall_time(conn: &Connection) -> Result<i64, StoreError> {
    events::last_at(conn)
}

/// The wait estimates of one moment, for every place of every queue: the hall read once
/// (its counters and since when their citizens are there, the waiting tickets, the typical
/// occupation of the fields that have someone waiting or at a counter) and replayed once.
/// See [`motcua_domain::estimate`] for the model.
pub struct Estimates {
    forecast: Forecast,
    /// The fields of each open counter.
    open: Vec<Vec<ServiceCode>>,
}

impl Estimates {
    /// Read the hall as it is at `now` (milliseconds).
    pub fn read(conn: &Connection, hall: &Hall, now: i64) -> Result<Estimates, StoreError> {
        Estimates::read_with(conn, hall, now, &all_waiting(conn, hall, now)?)
    }

    /// [`Estimates::read`] with the waiting tickets already read (every one of the hall).
    pub(super) fn read_with(
        conn: &Connection,
        hall: &Hall,
        now: i64,
        waiting: &[estimate::Waiting],
    ) -> Result<Estimates, StoreError> {
        let (fields, counters) = inputs(conn, hall, now, |s| waiting_in(waiting, s))?;
        let forecast = estimate::forecast(&fields, &counters, waiting, hall.call_order);
        Ok(Estimates::of(forecast, &counters))
    }

    fn of(forecast: Forecast, counters: &[CounterNow<'_>]) -> Estimates {
        let open = counters
            .iter()
            .filter(|c| c.availability == Availability::Open)
            .map(|c| c.serves.to_vec())
            .collect();
        Estimates { forecast, open }
    }
}

/// Whether anyone in `waiting` waits in `service`.
fn waiting_in(waiting: &[estimate::Waiting], service: &ServiceCode) -> bool {
    waiting.iter().any(|w| &w.service == service)
}

/// The hall at `now` as the replay takes it: its fields with their typical visits (today's
/// figure for those `busy` says someone waits in, or someone is served in) and its
/// counters.
fn inputs<'h>(
    conn: &Connection,
    hall: &'h Hall,
    now: i64,
    busy: impl Fn(&ServiceCode) -> bool,
) -> Result<(Vec<Field>, Vec<CounterNow<'h>>), StoreError> {
    let mut states: HashMap<u16, (CounterState, Option<Visit>)> = HashMap::new();
    for (no, state, visit) in counters::now(conn)? {
        let visit = visit.map(|(service, called_at)| Visit {
            service,
            elapsed: (now - called_at) as f64 / 60_000.0,
        });
        states.insert(no, (state, visit));
    }
    let counters: Vec<CounterNow<'_>> = hall
        .counters
        .iter()
        .map(|c| {
            let (state, visit) = states
                .remove(&c.no.get())
                .unwrap_or((CounterState::Closed, None));
            CounterNow {
                serves: &c.services,
                availability: match state {
                    CounterState::Open => Availability::Open,
                    CounterState::Paused { .. } => Availability::Paused,
                    CounterState::Closed => Availability::Closed,
                },
                visit,
            }
        })
        .collect();
    // Only the fields someone waits in or is served in need today's figure: the others'
    // typical time changes no estimate.
    let day = motcua_domain::numbering::local_day(from_millis(now), hall.tz);
    let day_start = day
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(hall.tz).earliest())
        .map(|t| t.timestamp_millis())
        .unwrap_or(0);
    let mut fields = Vec::with_capacity(hall.services.len());
    for s in &hall.services {
        let busy = busy(&s.code)
            || counters
                .iter()
                .any(|c| c.visit.as_ref().is_some_and(|v| v.service == s.code));
        let configured = f64::from(s.service_minutes);
        let typical = if busy {
            typical(conn, &s.code, day_start, configured)?
        } else {
            configured
        };
        fields.push(Field {
            code: s.code.clone(),
            typical,
        });
    }
    Ok((fields, counters))
}

impl Estimates {
    /// The place of waiting ticket `id` (people called before it at the counters of its
    /// field, minutes until its call); `None` if it was not waiting when read.
    pub fn place(&self, id: i64) -> Option<(u32, u32)> {
        self.forecast.place(id)
    }

    /// The place a normal ticket taken now in `service` would have.
    pub fn newcomer(&self, service: &ServiceCode) -> (u32, u32) {
        self.forecast.newcomer(service)
    }

    /// How many counters serving a field are open.
    pub fn counters_open(&self, service: &ServiceCode) -> u32 {
        self.open.iter().filter(|s| s.contains(service)).count() as u32
    }
}

/// Every waiting ticket of the hall, as the estimate replays them, and the bookings still
/// expected ahead of a walk-in taken now (see [`expected`]).
pub(super) fn all_waiting(
    conn: &Connection,
    hall: &Hall,
    now: i64,
) -> Result<Vec<estimate::Waiting>, StoreError> {
    let mut waiting = expected(conn, hall, now)?;
    for (service, priority, queued_at, id) in tickets::all_waiting(conn)? {
        if let Ok(service) = ServiceCode::try_from(service) {
            waiting.push(estimate::Waiting {
                service,
                priority,
                queued_at,
                id,
            });
        }
    }
    Ok(waiting)
}

/// The bookings due and not yet come that would still go ahead of a walk-in taken now:
/// appointments in the late window before `now` (a checked-in booking queues at its
/// appointment). Replayed as normal tickets queued then, under their booking's number made
/// negative (no ticket has it), so every place behind them counts them.
fn expected(
    conn: &Connection,
    hall: &Hall,
    now: i64,
) -> Result<Vec<estimate::Waiting>, StoreError> {
    let rules = &hall.bookings;
    if !rules.enabled {
        return Ok(Vec::new());
    }
    let from = now - i64::from(rules.late_minutes) * 60_000;
    let mut expected = Vec::new();
    for (service, appointment, id) in bookings::awaited_between(conn, from, now)? {
        if let Ok(service) = ServiceCode::try_from(service) {
            expected.push(estimate::Waiting {
                service,
                priority: false,
                queued_at: appointment,
                id: -id,
            });
        }
    }
    Ok(expected)
}

/// A field's typical occupation per call, in minutes: the mean of today's latest finished
/// visits (call to served or absent), with the configured service time weighing as
/// [`TYPICAL_PRIOR_VISITS`] visits more.
///
/// The latest visits by call, not by finish, and only those called before every visit of
/// the field still at a counter: the visits that finished last are the short ones (a long
/// one started at the same time is still going), and would make every estimate short.
fn typical(
    conn: &Connection,
    service: &ServiceCode,
    day_start: i64,
    configured: f64,
) -> Result<f64, StoreError> {
    let cap = (configured * VISIT_CAP * 60_000.0) as i64;
    let (n, mean) = tickets::recent_visits(conn, service, day_start, cap, TYPICAL_SAMPLE)?;
    // The configured time counts as a few visits, so the first visits of the day move
    // the figure gently and a quiet field keeps near it.
    let n = f64::from(n);
    let sample = n * mean.unwrap_or(0.0) / 60_000.0;
    Ok((sample + TYPICAL_PRIOR_VISITS * configured) / (n + TYPICAL_PRIOR_VISITS))
}

/// The writer's last replay of the hall, kept so that a burst of tickets into a long queue
/// does not replay every waiting ticket once per ticket. It holds while the only change
/// since is the ticket it quoted last: each issue checks that the log's latest event is
/// that ticket's `Issued` (a refused or rolled-back issue, or any other change, logs
/// something else or nothing) and that the counters and fields read now are those it was
/// replayed with (the time a citizen has spent at a counter moves its free time, so a
/// visit under way usually means a full replay). A normal ticket then joins its tail
/// ([`Tail::join`]): the same place as the full replay, exactly, without reading the
/// queue. Only the writer's jobs use it, one at a time: the lock is never contended.
#[derive(Default, Clone)]
pub struct KeptReplay(Arc<Mutex<Option<Kept>>>);

struct Kept {
    tail: Tail,
    /// The bookings expected when it was replayed (their negative ids): it holds only
    /// while they are the same.
    expected: Vec<i64>,
    /// The `Issued` event (seq, ticket) of the last ticket placed with it, once logged.
    upto: Option<(i64, i64)>,
}

impl KeptReplay {
    /// The ticket last quoted was logged as event `seq`.
    pub fn logged(&self, seq: i64, ticket: i64) {
        if let Some(kept) = self.0.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            kept.upto = Some((seq, ticket));
        }
    }
}

/// The latest event, if it is a ticket's `Issued`: (seq, ticket).
fn last_issued(conn: &Connection) -> Result<Option<(i64, i64)>, StoreError> {
    Ok(match events::last(conn)? {
        Some((seq, kind, Some(ticket))) if kind == "issued" => Some((seq, ticket)),
        _ => None,
    })
}

/// The place (people ahead, minutes) of a ticket of `service` issued now, read as the
/// phone will read it a moment later: the hall replayed with the ticket among the waiting.
/// Its row is not written yet; it joins the queue at `now` with an id above every other
/// (ids only grow), which is all its place depends on. A normal ticket joins the writer's
/// kept replay when it still holds ([`KeptReplay`]); the issue then tells it the ticket's
/// event ([`KeptReplay::logged`]).
pub fn place_at_issue(
    conn: &Connection,
    hall: &Hall,
    kept: &KeptReplay,
    service: &ServiceCode,
    priority: bool,
    now: i64,
    queued_at: i64,
) -> Result<(u32, u32), StoreError> {
    const NEW: i64 = i64::MAX;
    let mut held = kept.0.lock().unwrap_or_else(|e| e.into_inner());
    let expected_now: Vec<i64> = expected(conn, hall, now)?.iter().map(|w| w.id).collect();
    if !priority
        && queued_at == now
        && let Some(k) = held.as_mut()
        && k.upto.is_some()
        && k.upto == last_issued(conn)?
        && k.expected == expected_now
    {
        k.upto = None;
        let (fields, counters) = inputs(conn, hall, now, |s| s == service || k.tail.waiting_in(s))?;
        if k.tail.same_hall(&fields, &counters, hall.call_order)
            && let Some(place) = k.tail.join(service, now)
        {
            return Ok(place);
        }
    }
    let mut waiting = all_waiting(conn, hall, now)?;
    waiting.push(estimate::Waiting {
        service: service.clone(),
        priority,
        queued_at,
        id: NEW,
    });
    let (fields, counters) = inputs(conn, hall, now, |s| waiting_in(&waiting, s))?;
    let (forecast, tail) =
        estimate::forecast_with_tail(&fields, &counters, &waiting, hall.call_order);
    // The tail builds on the new ticket being the youngest: not for a booked ticket
    // (queued at its appointment), nor while a booked ticket that came early waits with a
    // queue time still to come.
    *held = (queued_at == now && waiting.iter().all(|w| w.queued_at <= now)).then_some(Kept {
        tail,
        upto: None,
        expected: expected_now,
    });
    Ok(forecast
        .place(NEW)
        .unwrap_or_else(|| forecast.newcomer(service)))
}
