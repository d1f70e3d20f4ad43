//! Reading the hall: tickets, counters and the snapshots live feeds start with.
//! Used by the writer (inside its transaction) and by readers alike.

use super::from_millis;
use crate::domain::estimate::{self, Availability, CounterNow, Field, Forecast, Visit};
use crate::domain::{CounterNo, CounterState, Hall, Priority, ServiceCode, Status};
use crate::domain::Error;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

/// A ticket as stored.
#[derive(Debug, Clone)]
pub struct TicketRow {
    pub id: i64,
    pub token: String,
    pub local_day: String,
    pub service: ServiceCode,
    pub first_service: ServiceCode,
    pub code: String,
    pub priority: Priority,
    pub status: Status,
    pub counter_no: Option<CounterNo>,
    pub issued_at: i64,
    pub queued_at: i64,
    pub first_called_at: Option<i64>,
    pub called_at: Option<i64>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub recalls: u32,
    pub eta_minutes: u32,
    pub rating: Option<u8>,
}

const TICKET_COLUMNS: &str = "id, token, local_day, service, first_service, code, priority, status, \
     counter_no, issued_at, queued_at, first_called_at, called_at, started_at, finished_at, \
     recalls, eta_minutes, rating";

fn bad_value(column: &str, value: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unexpected {column} {value:?}").into(),
    )
}

fn ticket_from_row(row: &Row<'_>) -> rusqlite::Result<TicketRow> {
    let text = |i: usize| row.get::<_, String>(i);
    let service = text(3)?;
    let first_service = text(4)?;
    let priority = text(6)?;
    let status = text(7)?;
    let counter: Option<u16> = row.get(8)?;
    Ok(TicketRow {
        id: row.get(0)?,
        token: text(1)?,
        local_day: text(2)?,
        service: ServiceCode::try_from(service.clone())
            .map_err(|_| bad_value("service", service))?,
        first_service: ServiceCode::try_from(first_service.clone())
            .map_err(|_| bad_value("service", first_service))?,
        code: text(5)?,
        priority: Priority::parse(&priority).ok_or_else(|| bad_value("priority", priority))?,
        status: Status::parse(&status).ok_or_else(|| bad_value("status", status))?,
        counter_no: counter.and_then(|n| CounterNo::try_from(n).ok()),
        issued_at: row.get(9)?,
        queued_at: row.get(10)?,
        first_called_at: row.get(11)?,
        called_at: row.get(12)?,
        started_at: row.get(13)?,
        finished_at: row.get(14)?,
        recalls: row.get(15)?,
        eta_minutes: row.get(16)?,
        rating: row.get(17)?,
    })
}

pub fn ticket_by_id(conn: &Connection, id: i64) -> Result<Option<TicketRow>, Error> {
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], ticket_from_row)
        .optional()?)
}

pub fn ticket_by_token(conn: &Connection, token: &str) -> Result<Option<TicketRow>, Error> {
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE token = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([token], ticket_from_row)
        .optional()?)
}

/// The ticket a counter holds now (called or serving), if any.
pub fn ticket_at_counter(conn: &Connection, no: CounterNo) -> Result<Option<TicketRow>, Error> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets WHERE counter_no = ?1 AND status IN ('called', 'serving')"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([no.get()], ticket_from_row)
        .optional()?)
}

/// The tickets of a local day, optionally of one status and one field, in issue order.
pub fn tickets_of_day(
    conn: &Connection,
    day: &str,
    status: Option<Status>,
    service: Option<&ServiceCode>,
) -> Result<Vec<TicketRow>, Error> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets WHERE local_day = ?1
           AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR service = ?3)
         ORDER BY id LIMIT 5000"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            day,
            status.map(Status::as_str),
            service.map(ServiceCode::as_str)
        ],
        ticket_from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Waiting tickets of some fields, in no particular order.
pub fn waiting_in(conn: &Connection, services: &[ServiceCode]) -> Result<Vec<TicketRow>, Error> {
    let sql =
        format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE status = 'waiting' AND service = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut tickets = Vec::new();
    for code in services {
        let rows = stmt.query_map([code.as_str()], ticket_from_row)?;
        for row in rows {
            tickets.push(row?);
        }
    }
    Ok(tickets)
}

/// A ticket as the outside world sees it: no token, nothing personal.
#[derive(Debug, Clone, Serialize)]
pub struct TicketView {
    pub id: i64,
    pub code: String,
    pub service: ServiceCode,
    pub service_name_vi: String,
    pub service_name_en: String,
    pub priority: Priority,
    pub status: Status,
    pub counter: Option<CounterNo>,
    pub issued_at: String,
    pub called_at: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub recalls: u32,
    /// People who will be called before this ticket (waiting tickets only).
    pub ahead: Option<u32>,
    /// Minutes until this ticket is likely called (waiting tickets only).
    pub eta_minutes: Option<u32>,
    pub rating: Option<u8>,
}

/// An instant as the hall reads it: RFC 3339 with the hall's offset.
pub fn local_time(hall: &Hall, ms: i64) -> String {
    from_millis(ms)
        .with_timezone(&hall.tz)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

pub fn ticket_view(conn: &Connection, hall: &Hall, t: &TicketRow) -> Result<TicketView, Error> {
    let estimate = if t.status == Status::Waiting {
        let ahead = people_ahead(conn, t)?;
        let now = hall_time(conn)?;
        Some((ahead, wait_estimate(conn, hall, &t.service, ahead, now)?))
    } else {
        None
    };
    Ok(ticket_view_known(hall, t, estimate))
}

/// A ticket's view when its place in the queue (people ahead, minutes) is already known.
pub fn ticket_view_known(hall: &Hall, t: &TicketRow, estimate: Option<(u32, u32)>) -> TicketView {
    let (name_vi, name_en) = hall
        .service(&t.service)
        .map(|s| (s.name_vi.clone(), s.name_en.clone()))
        .unwrap_or_else(|| (t.service.to_string(), t.service.to_string()));
    TicketView {
        id: t.id,
        code: t.code.clone(),
        service: t.service.clone(),
        service_name_vi: name_vi,
        service_name_en: name_en,
        priority: t.priority,
        status: t.status,
        counter: t.counter_no,
        issued_at: local_time(hall, t.issued_at),
        called_at: t.called_at.map(|ms| local_time(hall, ms)),
        started_at: t.started_at.map(|ms| local_time(hall, ms)),
        finished_at: t.finished_at.map(|ms| local_time(hall, ms)),
        recalls: t.recalls,
        ahead: estimate.map(|e| e.0),
        eta_minutes: estimate.map(|e| e.1),
        rating: t.rating,
    }
}

/// Waiting tickets of the same field that will be called first: every priority ticket
/// queued before it, and for a normal ticket also every priority ticket and every normal
/// ticket queued before it.
pub fn people_ahead(conn: &Connection, t: &TicketRow) -> Result<u32, Error> {
    let n: u32 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM tickets
             WHERE status = 'waiting' AND service = ?1 AND id <> ?2
               AND ((priority <> 'none' AND (?3 = 0 OR (queued_at, id) < (?4, ?2)))
                 OR (?3 = 0 AND priority = 'none' AND (queued_at, id) < (?4, ?2)))",
        )?
        .query_row(
            params![
                t.service.as_str(),
                t.id,
                t.priority.is_priority(),
                t.queued_at
            ],
            |r| r.get(0),
        )?;
    Ok(n)
}

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
/// made in the change itself, with its own time.
pub fn hall_time(conn: &Connection) -> Result<i64, Error> {
    Ok(conn
        .prepare_cached("SELECT at FROM events ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// The wait estimates of one moment, for every place of every queue: the hall read once
/// (its counters and since when their citizens are there, the waiting tickets, the typical
/// occupation of the fields that have someone waiting or at a counter) and replayed once.
/// See [`crate::domain::estimate`] for the model.
pub struct Estimates {
    forecast: Forecast,
    /// The fields of each open counter.
    open: Vec<Vec<ServiceCode>>,
}

impl Estimates {
    /// Read the hall as it is at `now` (milliseconds).
    pub fn read(conn: &Connection, hall: &Hall, now: i64) -> Result<Estimates, Error> {
        let mut states: HashMap<u16, (String, Option<Visit>)> = HashMap::new();
        let mut stmt = conn.prepare_cached(
            "SELECT c.no, c.state, t.service, t.called_at FROM counters c
             LEFT JOIN tickets t ON t.counter_no = c.no AND t.status IN ('called', 'serving')",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, u16>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<i64>>(3)?,
            ))
        })?;
        for row in rows {
            let (no, state, service, called_at) = row?;
            let visit = match (service.map(ServiceCode::try_from), called_at) {
                (Some(Ok(service)), Some(called_at)) => Some(Visit {
                    service,
                    elapsed: (now - called_at) as f64 / 60_000.0,
                }),
                _ => None,
            };
            states.insert(no, (state, visit));
        }
        let counters: Vec<CounterNow<'_>> = hall
            .counters
            .iter()
            .map(|c| {
                let (state, visit) = states.remove(&c.no.get()).unwrap_or_default();
                CounterNow {
                    serves: &c.services,
                    availability: match state.as_str() {
                        "open" => Availability::Open,
                        "paused" => Availability::Paused,
                        _ => Availability::Closed,
                    },
                    visit,
                }
            })
            .collect();
        let mut stmt = conn.prepare_cached(
            "SELECT service, priority <> 'none', queued_at, id FROM tickets WHERE status = 'waiting'",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        let mut waiting = Vec::new();
        for row in rows {
            let (service, priority, queued_at, id) = row?;
            if let Ok(service) = ServiceCode::try_from(service) {
                waiting.push(estimate::Waiting {
                    service,
                    priority,
                    queued_at,
                    id,
                });
            }
        }
        // Only the fields someone waits in or is served in need today's figure: the others'
        // typical time changes no estimate.
        let day = crate::domain::numbering::local_day(from_millis(now), hall.tz);
        let day_start = day
            .and_hms_opt(0, 0, 0)
            .and_then(|t| t.and_local_timezone(hall.tz).earliest())
            .map(|t| t.timestamp_millis())
            .unwrap_or(0);
        let mut fields = Vec::with_capacity(hall.services.len());
        for s in &hall.services {
            let busy = waiting.iter().any(|w| w.service == s.code)
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
        let forecast = estimate::forecast(&fields, &counters, &waiting, hall.call_order);
        let open = counters
            .iter()
            .filter(|c| c.availability == Availability::Open)
            .map(|c| c.serves.to_vec())
            .collect();
        Ok(Estimates { forecast, open })
    }

    /// Minutes a ticket of `service` with `ahead` people before it should expect to wait.
    pub fn wait(&self, service: &ServiceCode, ahead: u32) -> u32 {
        self.forecast.wait(service, ahead)
    }

    /// How many counters serving a field are open.
    pub fn counters_open(&self, service: &ServiceCode) -> u32 {
        self.open.iter().filter(|s| s.contains(service)).count() as u32
    }
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
) -> Result<f64, Error> {
    let cap = (configured * VISIT_CAP * 60_000.0) as i64;
    let (n, mean): (u32, Option<f64>) = conn
        .prepare_cached(
            "SELECT COUNT(*), AVG(MAX(MIN(finished_at - called_at, ?3), 0)) FROM (
                 SELECT finished_at, called_at FROM tickets
                 WHERE service = ?1 AND status IN ('served', 'absent')
                   AND finished_at >= ?2 AND called_at IS NOT NULL
                   AND called_at < COALESCE((SELECT MIN(called_at) FROM tickets
                       WHERE status IN ('called', 'serving') AND service = ?1), ?5)
                 ORDER BY called_at DESC LIMIT ?4)",
        )?
        .query_row(
            params![service.as_str(), day_start, cap, TYPICAL_SAMPLE, i64::MAX],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
    // The configured time counts as a few visits, so the first visits of the day move
    // the figure gently and a quiet field keeps near it.
    let n = f64::from(n);
    let sample = n * mean.unwrap_or(0.0) / 60_000.0;
    Ok((sample + TYPICAL_PRIOR_VISITS * configured) / (n + TYPICAL_PRIOR_VISITS))
}

/// The writer's last replay of the hall, for the quotes it makes at issue. Replaying reads
/// every waiting ticket, and a burst of tickets at a busy kiosk would pay that once per
/// ticket: so the replay is kept while nothing but new tickets changed the queues, within
/// the same minute. A ticket issued since sits behind everyone the replay knew, and
/// [`Estimates::wait`] counts one typical visit per person beyond them. Owned by the
/// writer thread, lent to each transaction's [`super::Ctx`].
#[derive(Default)]
pub struct Replay {
    /// Bumped by every change that moves the queues ([`crate::domain::event::Event::moves_queue`]).
    version: Cell<u64>,
    last: RefCell<Option<(u64, i64, Rc<Estimates>)>>,
}

impl Replay {
    /// The queues changed in a way that moves estimates: the next quote replays afresh.
    pub fn queue_changed(&self) {
        self.version.set(self.version.get() + 1);
    }

    /// The quote for a ticket issued now.
    pub fn quote(
        &self,
        conn: &Connection,
        hall: &Hall,
        service: &ServiceCode,
        ahead: u32,
        now: i64,
    ) -> Result<u32, Error> {
        let key = (self.version.get(), now.div_euclid(60_000));
        let kept = self
            .last
            .borrow()
            .as_ref()
            .filter(|(v, m, _)| (*v, *m) == key)
            .map(|(_, _, e)| e.clone());
        let estimates = match kept {
            Some(e) => e,
            None => {
                let e = Rc::new(Estimates::read(conn, hall, now)?);
                *self.last.borrow_mut() = Some((key.0, key.1, e.clone()));
                e
            }
        };
        Ok(estimates.wait(service, ahead))
    }
}

/// Minutes a ticket of `service` with `ahead` people before it should expect to wait, as
/// of `now` (milliseconds).
pub fn wait_estimate(
    conn: &Connection,
    hall: &Hall,
    service: &ServiceCode,
    ahead: u32,
    now: i64,
) -> Result<u32, Error> {
    Ok(Estimates::read(conn, hall, now)?.wait(service, ahead))
}

/// Views of tickets, in the order given, with the places of the waiting ones worked out
/// together: in each field the call order (priority first, then by queue time) is the
/// number of people ahead, so one sort replaces a count per ticket, and the hall's
/// estimates are read once for all of them. `rows` must hold every waiting ticket of the
/// fields it touches.
pub fn queue_views(
    conn: &Connection,
    hall: &Hall,
    rows: &[TicketRow],
) -> Result<Vec<TicketView>, Error> {
    let mut order: Vec<&TicketRow> = rows
        .iter()
        .filter(|t| t.status == Status::Waiting)
        .collect();
    order.sort_by_key(|t| (&t.service, !t.priority.is_priority(), t.queued_at, t.id));
    let mut places: HashMap<i64, (u32, u32)> = HashMap::with_capacity(order.len());
    if !order.is_empty() {
        let estimates = Estimates::read(conn, hall, hall_time(conn)?)?;
        for queue in order.chunk_by(|a, b| a.service == b.service) {
            for (ahead, t) in queue.iter().enumerate() {
                let ahead = ahead as u32;
                places.insert(t.id, (ahead, estimates.wait(&t.service, ahead)));
            }
        }
    }
    Ok(rows
        .iter()
        .map(|t| ticket_view_known(hall, t, places.get(&t.id).copied()))
        .collect())
}

/// The counter a member of staff holds (open or paused), if any.
pub fn counter_held_by(conn: &Connection, user_id: i64) -> Result<Option<u16>, Error> {
    Ok(conn
        .prepare_cached("SELECT no FROM counters WHERE user_id = ?1 AND state <> 'closed'")?
        .query_row([user_id], |r| r.get(0))
        .optional()?)
}

/// A counter's stored state.
#[derive(Debug, Clone)]
pub struct CounterRow {
    pub no: CounterNo,
    pub state: CounterState,
    pub user_id: Option<i64>,
    pub priority_streak: u32,
}

pub fn counter_row(conn: &Connection, no: CounterNo) -> Result<CounterRow, Error> {
    let row = conn
        .prepare_cached(
            "SELECT state, pause_reason, user_id, priority_streak FROM counters WHERE no = ?1",
        )?
        .query_row([no.get()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, u32>(3)?,
            ))
        })
        .optional()?;
    let Some((state, reason, user_id, priority_streak)) = row else {
        return Err(Error::not_found(
            "counter_not_found",
            format!("no counter {no}"),
        ));
    };
    let state = match state.as_str() {
        "open" => CounterState::Open,
        "paused" => CounterState::Paused {
            reason: reason.unwrap_or_default(),
        },
        _ => CounterState::Closed,
    };
    Ok(CounterRow {
        no,
        state,
        user_id,
        priority_streak,
    })
}

/// A counter as displays and consoles see it.
#[derive(Debug, Clone, Serialize)]
pub struct CounterView {
    pub no: CounterNo,
    #[serde(flatten)]
    pub state: CounterState,
    pub services: Vec<ServiceCode>,
    pub current: Option<TicketView>,
}

pub fn counter_view(
    conn: &Connection,
    hall: &Hall,
    no: CounterNo,
) -> Result<CounterView, Error> {
    let row = counter_row(conn, no)?;
    let current = match ticket_at_counter(conn, no)? {
        Some(t) => Some(ticket_view(conn, hall, &t)?),
        None => None,
    };
    Ok(CounterView {
        no,
        state: row.state,
        services: hall
            .counter(no)
            .map(|c| c.services.clone())
            .unwrap_or_default(),
        current,
    })
}

/// How many wait in each field (every field listed, zero included).
pub fn waiting_counts(conn: &Connection, hall: &Hall) -> Result<BTreeMap<String, u32>, Error> {
    let mut counts: BTreeMap<String, u32> = hall
        .services
        .iter()
        .map(|s| (s.code.to_string(), 0))
        .collect();
    let mut stmt = conn.prepare_cached("SELECT service, priority + normal FROM waiting_counts")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
    for row in rows {
        let (service, n) = row?;
        counts.insert(service, n);
    }
    Ok(counts)
}

/// Waiting in one field: (priority, normal).
pub fn waiting_in_field(conn: &Connection, service: &ServiceCode) -> Result<(u32, u32), Error> {
    Ok(conn
        .prepare_cached("SELECT priority, normal FROM waiting_counts WHERE service = ?1")?
        .query_row([service.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, 0)))
}

/// The sequence number of the last event written.
pub fn last_seq(conn: &Connection) -> Result<i64, Error> {
    Ok(conn
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM events")?
        .query_row([], |r| r.get(0))?)
}

#[derive(Debug, Serialize)]
pub struct ServiceView {
    pub code: ServiceCode,
    pub name_vi: String,
    pub name_en: String,
    pub target_wait_minutes: u32,
    pub waiting: u32,
    /// Minutes a ticket taken now should expect to wait (normal priority).
    pub eta_minutes: u32,
    /// Counters open for this field now.
    pub counters_open: u32,
}

pub fn services(conn: &Connection, hall: &Hall) -> Result<Vec<ServiceView>, Error> {
    let counts = waiting_counts(conn, hall)?;
    let estimates = Estimates::read(conn, hall, hall_time(conn)?)?;
    let mut out = Vec::new();
    for s in &hall.services {
        let waiting = counts.get(s.code.as_str()).copied().unwrap_or(0);
        out.push(ServiceView {
            code: s.code.clone(),
            name_vi: s.name_vi.clone(),
            name_en: s.name_en.clone(),
            target_wait_minutes: s.target_wait_minutes,
            waiting,
            eta_minutes: estimates.wait(&s.code, waiting),
            counters_open: estimates.counters_open(&s.code),
        });
    }
    Ok(out)
}

/// A call as the hall display lists it.
#[derive(Debug, Serialize)]
pub struct CallView {
    pub seq: i64,
    pub code: String,
    pub service: String,
    pub counter: Option<u16>,
    pub at: String,
    pub kind: String,
}

/// The latest calls and recalls of the hall's latest day, newest first.
pub fn recent_calls(conn: &Connection, hall: &Hall, limit: u32) -> Result<Vec<CallView>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.seq, t.code, e.service, e.counter_no, e.at, e.kind
         FROM events e JOIN tickets t ON t.id = e.ticket_id
         WHERE e.kind IN ('called', 'recalled') AND t.local_day = ?1
         ORDER BY e.seq DESC LIMIT ?2",
    )?;
    let day: Option<String> = conn
        .prepare_cached("SELECT MAX(local_day) FROM tickets")?
        .query_row([], |r| r.get(0))?;
    let rows = stmt.query_map(params![day.unwrap_or_default(), limit], |r| {
        Ok(CallView {
            seq: r.get(0)?,
            code: r.get(1)?,
            service: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
            counter: r.get(3)?,
            at: local_time(hall, r.get(4)?),
            kind: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Everything a hall display needs to draw itself from nothing.
#[derive(Debug, Serialize)]
pub struct HallSnapshot {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub seq: i64,
    pub hall: String,
    pub services: Vec<ServiceView>,
    pub counters: Vec<CounterView>,
    pub recent_calls: Vec<CallView>,
}

pub fn hall_snapshot(conn: &Connection, hall: &Hall) -> Result<HallSnapshot, Error> {
    let seq = last_seq(conn)?;
    let mut counters = Vec::new();
    for c in &hall.counters {
        counters.push(counter_view(conn, hall, c.no)?);
    }
    Ok(HallSnapshot {
        kind: "snapshot",
        seq,
        hall: hall.name.clone(),
        services: services(conn, hall)?,
        counters,
        recent_calls: recent_calls(conn, hall, 10)?,
    })
}

/// Everything a counter display or console needs: the counter and its waiting list, in
/// the order "Next" would take them (priority first).
#[derive(Debug, Serialize)]
pub struct CounterSnapshot {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub seq: i64,
    pub counter: CounterView,
    pub waiting: Vec<TicketView>,
}

pub fn counter_snapshot(
    conn: &Connection,
    hall: &Hall,
    no: CounterNo,
) -> Result<CounterSnapshot, Error> {
    let seq = last_seq(conn)?;
    let counter = counter_view(conn, hall, no)?;
    let mut waiting = waiting_in(conn, &counter.services)?;
    waiting.sort_by_key(|t| (!t.priority.is_priority(), t.queued_at, t.id));
    let waiting = queue_views(conn, hall, &waiting)?;
    Ok(CounterSnapshot {
        kind: "snapshot",
        seq,
        counter,
        waiting,
    })
}
