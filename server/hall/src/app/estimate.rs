//! The wait estimate as the hall reads it: the hall read once (its counters and how long
//! their citizens have been there, the waiting tickets, each field's typical occupation
//! today) and replayed by [`motcua_domain::estimate`]; and the writer's kept replay for the
//! quotes it makes at issue.

use motcua_domain::estimate::{self, Availability, CounterNow, Field, Forecast, Visit};
use motcua_domain::{CounterState, Hall, ServiceCode};
use motcua_store::tickets;
use motcua_store::{StoreError, counters, events, from_millis};
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
/// made in the change itself, with its own time.
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
        Estimates::read_with(conn, hall, now, &all_waiting(conn)?)
    }

    /// [`Estimates::read`] with the waiting tickets already read (every one of the hall).
    pub(super) fn read_with(
        conn: &Connection,
        hall: &Hall,
        now: i64,
        waiting: &[estimate::Waiting],
    ) -> Result<Estimates, StoreError> {
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
        let forecast = estimate::forecast(&fields, &counters, waiting, hall.call_order);
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

/// Every waiting ticket of the hall, as the estimate replays them.
pub(super) fn all_waiting(conn: &Connection) -> Result<Vec<estimate::Waiting>, StoreError> {
    let mut waiting = Vec::new();
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

/// The writer's last replay of the hall, for the quotes it makes at issue. Replaying reads
/// every waiting ticket, and a burst of tickets at a busy kiosk would pay that once per
/// ticket: so the replay is kept while nothing but new tickets changed the queues, within
/// the same minute. A ticket issued since sits behind everyone the replay knew, and
/// [`Estimates::wait`] counts one typical visit per person beyond them. Only the writer's
/// jobs use it (one at a time): the lock is never contended.
#[derive(Default, Clone)]
pub struct Replay(Arc<Mutex<ReplayState>>);

#[derive(Default)]
struct ReplayState {
    /// Bumped by every change that moves the queues.
    version: u64,
    last: Option<(u64, i64, Arc<Estimates>)>,
}

impl Replay {
    /// The queues changed in a way that moves estimates: the next quote replays afresh.
    pub fn queue_changed(&self) {
        if let Ok(mut r) = self.0.lock() {
            r.version += 1;
        }
    }

    /// The quote for a ticket issued now.
    pub fn quote(
        &self,
        conn: &Connection,
        hall: &Hall,
        service: &ServiceCode,
        ahead: u32,
        now: i64,
    ) -> Result<u32, StoreError> {
        let mut r = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let key = (r.version, now.div_euclid(60_000));
        let kept = r
            .last
            .as_ref()
            .filter(|(v, m, _)| (*v, *m) == key)
            .map(|(_, _, e)| e.clone());
        let estimates = match kept {
            Some(e) => e,
            None => {
                let e = Arc::new(Estimates::read(conn, hall, now)?);
                r.last = Some((key.0, key.1, e.clone()));
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
) -> Result<u32, StoreError> {
    Ok(Estimates::read(conn, hall, now)?.wait(service, ahead))
}
