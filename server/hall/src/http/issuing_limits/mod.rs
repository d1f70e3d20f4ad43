//! How fast one kiosk or one member of staff may issue tickets, and what the manager sees
//! when one goes past it.
//!
//! A ticket costs a number of its field's series, and numbers never come back within a
//! day: one kiosk token (or one clerk) issuing as fast as the server answers used every
//! series of a hall in seconds, and then no citizen could get a number until midnight.
//! Each issuer has an allowance per minute with a burst (a family, or the queue at the
//! kiosk at opening time), and priority tickets, which jump the queue, a smaller one of
//! their own. A request past its allowance is refused with 429 `issue_rate_exceeded` and
//! a Retry-After before anything is written.
//!
//! The allowances are a GCRA (a token bucket kept as one time per issuer): the time at
//! which the issuer's bucket would be full again. An issuer whose bucket is full is the
//! same as one never seen, so the table forgets it; it never holds more than
//! [`MAX_ISSUERS`] issuers. Issuers are kiosks and staff (known to the database): the
//! table is small anyway.
//!
//! An issuer refused for the first time (that day, or since the manager acknowledged
//! the last alert) opens an alert: the dashboard's Now tab shows it (through
//! `/api/stats/now`) with how many requests were refused, the log gets a warning, and
//! `/metrics` counts every refusal.

use chrono::NaiveDate;
use motcua_domain::{Error, Hall};
use motcua_store::clock::Clock;
use motcua_store::millis;
use motcua_web::Exposition;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

mod settings;
pub use settings::LimitSettings;

/// The most issuers whose allowance is tracked at once.
pub const MAX_ISSUERS: usize = 4096;
/// The most alerts kept (one per issuer and day).
const MAX_ALERTS: usize = 256;

/// Who issues: a kiosk (its device's id) or a member of staff (their user id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IssuerKey {
    Kiosk(i64),
    Staff(i64),
}

impl IssuerKey {
    /// The alert's id in the API: `kiosk-3`, `staff-5`.
    fn id(self) -> String {
        match self {
            IssuerKey::Kiosk(id) => format!("kiosk-{id}"),
            IssuerKey::Staff(id) => format!("staff-{id}"),
        }
    }

    /// The key of an alert's id.
    fn parse(id: &str) -> Option<IssuerKey> {
        let number = |n: &str| n.parse::<i64>().ok().filter(|n| *n > 0);
        if let Some(n) = id.strip_prefix("kiosk-") {
            number(n).map(IssuerKey::Kiosk)
        } else {
            id.strip_prefix("staff-")
                .and_then(number)
                .map(IssuerKey::Staff)
        }
    }

    fn kind(self) -> &'static str {
        match self {
            IssuerKey::Kiosk(_) => "kiosk",
            IssuerKey::Staff(_) => "staff",
        }
    }
}

/// One issuer asking for a ticket.
#[derive(Debug, Clone)]
pub struct Requester {
    pub key: IssuerKey,
    /// The kiosk's or the member of staff's name, for the alert.
    pub name: String,
}

/// An allowance: one ticket every `interval_ms`, up to `burst` at once.
#[derive(Debug, Clone, Copy)]
struct Allowance {
    interval_ms: i64,
    /// How far ahead of now the bucket's time may run: (burst - 1) intervals.
    tolerance_ms: i64,
}

impl Allowance {
    fn new(per_minute: u32, burst: u32) -> Option<Allowance> {
        if per_minute == 0 {
            return None;
        }
        let interval_ms = 60_000 / i64::from(per_minute);
        Some(Allowance {
            interval_ms,
            tolerance_ms: interval_ms * i64::from(burst.max(1) - 1),
        })
    }

    /// Milliseconds until a ticket is allowed, given the bucket's time `tat` (0: now).
    fn wait(self, tat: i64, now: i64) -> i64 {
        (tat.max(now) - self.tolerance_ms - now).max(0)
    }
}

/// Which allowance: every ticket, or priority tickets only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Class {
    All,
    Priority,
}

impl Class {
    fn label(self) -> &'static str {
        match self {
            Class::All => "all",
            Class::Priority => "priority",
        }
    }
}

/// An issuer's open alert.
#[derive(Debug, Clone)]
struct Alert {
    name: String,
    day: NaiveDate,
    first_ms: i64,
    last_ms: i64,
    refused: u64,
    priority_refused: u64,
    acknowledged: bool,
}

/// An issuer that went past its allowance today, as the dashboard shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IssuingAlert {
    /// `kiosk-<id>` or `staff-<id>`: acknowledge it with this.
    pub id: String,
    /// `kiosk` or `staff`.
    #[schema(value_type = String, example = "kiosk")]
    pub issuer: &'static str,
    /// The kiosk's or the member of staff's name.
    pub name: String,
    /// The first refusal of this alert (local time).
    pub first_refused_at: String,
    /// The latest refusal (local time).
    pub last_refused_at: String,
    /// Requests refused since the alert opened.
    pub refused: u64,
    /// Of those, requests for a priority ticket.
    pub priority_refused: u64,
}

#[derive(Default)]
struct State {
    /// Each tracked issuer's bucket time per allowance.
    buckets: HashMap<(IssuerKey, Class), i64>,
    alerts: HashMap<IssuerKey, Alert>,
}

/// The issuing limits of a hall. Cheap to clone (one shared state).
#[derive(Clone)]
pub struct IssuingLimits {
    inner: Arc<Inner>,
}

struct Inner {
    kiosk: Option<Allowance>,
    staff: Option<Allowance>,
    priority: Option<Allowance>,
    clock: Arc<dyn Clock>,
    hall: Arc<Hall>,
    state: Mutex<State>,
    /// Refusals since the start: kiosk/all, kiosk/priority, staff/all, staff/priority.
    refused: [AtomicU64; 4],
}

/// A request past its issuer's allowance.
#[must_use]
pub struct Refused {
    limits: IssuingLimits,
    issuer: Requester,
    class: Class,
    retry_secs: u64,
}

impl std::fmt::Debug for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refused")
            .field("issuer", &self.issuer)
            .field("class", &self.class)
            .field("retry_secs", &self.retry_secs)
            .finish()
    }
}

impl Refused {
    /// The refusal as answered (429 `issue_rate_exceeded`, try again in so many seconds),
    /// counted in `/metrics` and in the issuer's alert. (Not called for a retried request
    /// that gets the ticket it already had: that is no refusal.)
    pub fn count(self) -> Error {
        let now = millis(self.limits.inner.clock.now());
        {
            let mut state = self
                .limits
                .inner
                .state
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            self.limits
                .note_refusal(&mut state, &self.issuer, self.class, now);
        }
        let what = if self.class == Class::Priority {
            "priority tickets"
        } else {
            "tickets"
        };
        let who = match self.issuer.key {
            IssuerKey::Kiosk(_) => "kiosk",
            IssuerKey::Staff(_) => "member of staff",
        };
        let retry = self.retry_secs;
        Error::too_many(
            "issue_rate_exceeded",
            format!("this {who} is issuing {what} too fast: try again in {retry} s"),
            retry,
        )
    }
}

/// A ticket allowed: give it back with [`Allowed::refund`] if none was issued after all
/// (the command was refused, or a retried request got the ticket it already had).
#[must_use]
pub struct Allowed {
    limits: IssuingLimits,
    key: IssuerKey,
    priority: bool,
}

impl Allowed {
    pub fn refund(self) {
        let inner = &self.limits.inner;
        let Ok(mut state) = inner.state.lock() else {
            return;
        };
        let mut give_back = |class, allowance: Option<Allowance>| {
            if let (Some(a), Some(tat)) = (allowance, state.buckets.get_mut(&(self.key, class))) {
                *tat -= a.interval_ms;
            }
        };
        give_back(Class::All, self.limits.all_of(self.key));
        if self.priority {
            give_back(Class::Priority, inner.priority);
        }
    }
}

impl IssuingLimits {
    pub fn new(settings: &LimitSettings, clock: Arc<dyn Clock>, hall: Arc<Hall>) -> Self {
        IssuingLimits {
            inner: Arc::new(Inner {
                kiosk: Allowance::new(settings.kiosk_tickets_per_minute, settings.kiosk_burst),
                staff: Allowance::new(settings.clerk_tickets_per_minute, settings.clerk_burst),
                priority: Allowance::new(
                    settings.priority_tickets_per_minute,
                    settings.priority_burst,
                ),
                clock,
                hall,
                state: Mutex::default(),
                refused: Default::default(),
            }),
        }
    }

    fn all_of(&self, key: IssuerKey) -> Option<Allowance> {
        match key {
            IssuerKey::Kiosk(_) => self.inner.kiosk,
            IssuerKey::Staff(_) => self.inner.staff,
        }
    }

    /// Take one ticket of `issuer`'s allowance (and of its priority allowance for a
    /// priority ticket), or say it is refused and for how long ([`Refused::count`] makes
    /// the 429 and counts it). A refusal takes nothing.
    pub fn take(&self, issuer: &Requester, priority: bool) -> Result<Allowed, Refused> {
        let inner = &self.inner;
        let now = millis(inner.clock.now());
        let mut checks = vec![(Class::All, self.all_of(issuer.key))];
        if priority {
            checks.push((Class::Priority, inner.priority));
        }
        // A poisoned lock (a panic elsewhere) is no reason to refuse citizens.
        let mut state = inner.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut refused_by = None;
        for (class, allowance) in &checks {
            let Some(a) = allowance else { continue };
            let tat = state.buckets.get(&(issuer.key, *class)).copied();
            let wait = a.wait(tat.unwrap_or(0), now);
            if wait > 0 {
                let (_, worst) = refused_by.unwrap_or((*class, 0));
                refused_by = Some((*class, wait.max(worst)));
            }
        }
        if let Some((class, wait_ms)) = refused_by {
            return Err(Refused {
                limits: self.clone(),
                issuer: issuer.clone(),
                class,
                retry_secs: u64::try_from(wait_ms).unwrap_or(1).div_ceil(1000),
            });
        }
        for (class, allowance) in checks {
            let Some(a) = allowance else { continue };
            if !state.buckets.contains_key(&(issuer.key, class)) {
                make_room(&mut state.buckets, now);
            }
            let tat = state.buckets.entry((issuer.key, class)).or_insert(now);
            *tat = (*tat).max(now) + a.interval_ms;
        }
        Ok(Allowed {
            limits: self.clone(),
            key: issuer.key,
            priority,
        })
    }

    /// Count a refusal, and open (or carry on) the issuer's alert.
    fn note_refusal(&self, state: &mut State, issuer: &Requester, class: Class, now: i64) {
        let inner = &self.inner;
        let slot = match (issuer.key, class) {
            (IssuerKey::Kiosk(_), Class::All) => 0,
            (IssuerKey::Kiosk(_), Class::Priority) => 1,
            (IssuerKey::Staff(_), Class::All) => 2,
            (IssuerKey::Staff(_), Class::Priority) => 3,
        };
        inner.refused[slot].fetch_add(1, Ordering::Relaxed);
        let today = motcua_domain::numbering::local_day(inner.clock.now(), inner.hall.tz);
        let open = state
            .alerts
            .get(&issuer.key)
            .is_some_and(|a| a.day == today && !a.acknowledged);
        if !open {
            if state.alerts.len() >= MAX_ALERTS && !state.alerts.contains_key(&issuer.key) {
                forget_an_alert(&mut state.alerts, today);
            }
            state.alerts.insert(
                issuer.key,
                Alert {
                    name: issuer.name.clone(),
                    day: today,
                    first_ms: now,
                    last_ms: now,
                    refused: 0,
                    priority_refused: 0,
                    acknowledged: false,
                },
            );
        }
        let Some(alert) = state.alerts.get_mut(&issuer.key) else {
            return;
        };
        alert.last_ms = now;
        alert.refused += 1;
        if class == Class::Priority {
            alert.priority_refused += 1;
        }
        // The first refusal, then the 10th, 100th, ...: a flood is told, not spelled out.
        let n = alert.refused;
        if is_power_of_ten(n) {
            tracing::warn!(
                issuer = issuer.key.kind(),
                name = %issuer.name,
                refused = n,
                limit = class.label(),
                "an issuer went past its issuing limit: tickets refused"
            );
        }
    }

    /// Today's alerts not yet acknowledged, the latest refusal first.
    pub fn alerts(&self) -> Vec<IssuingAlert> {
        let inner = &self.inner;
        let today = motcua_domain::numbering::local_day(inner.clock.now(), inner.hall.tz);
        let Ok(state) = inner.state.lock() else {
            return Vec::new();
        };
        let mut open: Vec<(IssuerKey, &Alert)> = state
            .alerts
            .iter()
            .filter(|(_, a)| a.day == today && !a.acknowledged)
            .map(|(k, a)| (*k, a))
            .collect();
        open.sort_by_key(|(k, a)| (std::cmp::Reverse(a.last_ms), *k));
        open.into_iter()
            .map(|(key, a)| IssuingAlert {
                id: key.id(),
                issuer: key.kind(),
                name: a.name.clone(),
                first_refused_at: motcua_domain::hall::local_time(&inner.hall, a.first_ms),
                last_refused_at: motcua_domain::hall::local_time(&inner.hall, a.last_ms),
                refused: a.refused,
                priority_refused: a.priority_refused,
            })
            .collect()
    }

    /// The manager has seen the alert `id`: it leaves the dashboard (a new refusal opens
    /// a new one). Whether an open alert was acknowledged; `None` when `id` is not an
    /// alert's id at all.
    pub fn acknowledge(&self, id: &str) -> Option<bool> {
        let key = IssuerKey::parse(id)?;
        let Ok(mut state) = self.inner.state.lock() else {
            return Some(false);
        };
        Some(match state.alerts.get_mut(&key) {
            Some(alert) if !alert.acknowledged => {
                alert.acknowledged = true;
                true
            }
            _ => false,
        })
    }

    /// The refusals since the start, for `/metrics`.
    pub fn write_metrics(&self, out: &mut Exposition) {
        out.family(
            "motcua_issue_rate_refused_total",
            "counter",
            "Ticket requests refused because their kiosk or member of staff went past the issuing limit, since the start.",
        );
        let refused = &self.inner.refused;
        for (i, (issuer, limit)) in [
            ("kiosk", "all"),
            ("kiosk", "priority"),
            ("staff", "all"),
            ("staff", "priority"),
        ]
        .into_iter()
        .enumerate()
        {
            out.sample(
                "motcua_issue_rate_refused_total",
                &[("issuer", issuer), ("limit", limit)],
                refused[i].load(Ordering::Relaxed),
            );
        }
    }
}

/// 1, 10, 100, ...
fn is_power_of_ten(mut n: u64) -> bool {
    while n >= 10 && n.is_multiple_of(10) {
        n /= 10;
    }
    n == 1
}

/// Before a new issuer joins a full table: forget the issuers whose buckets are full
/// again (the same as never seen), or failing that the one closest to it.
fn make_room(buckets: &mut HashMap<(IssuerKey, Class), i64>, now: i64) {
    if buckets.len() < MAX_ISSUERS {
        return;
    }
    buckets.retain(|_, tat| *tat > now);
    if buckets.len() >= MAX_ISSUERS
        && let Some(key) = buckets.iter().min_by_key(|(_, tat)| **tat).map(|(k, _)| *k)
    {
        buckets.remove(&key);
    }
}

/// Make room for one more alert: drop those of earlier days and acknowledged ones, or
/// failing that the one refused longest ago.
fn forget_an_alert(alerts: &mut HashMap<IssuerKey, Alert>, today: NaiveDate) {
    alerts.retain(|_, a| a.day == today && !a.acknowledged);
    if alerts.len() >= MAX_ALERTS
        && let Some(key) = alerts
            .iter()
            .min_by_key(|(_, a)| a.last_ms)
            .map(|(k, _)| *k)
    {
        alerts.remove(&key);
    }
}

#[cfg(test)]
mod tests;
