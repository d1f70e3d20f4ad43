//! The manager's alerts: a field's longest wait over its target, a counter open and idle
//! while people wait in its fields, a printer out of paper, a kiosk or hall TV offline; and
//! a clerk's emergency (checked at once when one is raised or handled, so the office's chat
//! hears of it even with no dashboard open).
//!
//! Each is computed from the hall as it stands at the injected clock's time ([`evaluate`],
//! plain and tested on its own), so tests move the clock by hand. [`Alerts::check`] reads
//! the hall, compares with the alerts open before, and each alert fires once and clears
//! once: both go to the outbound webhook (`[alerts].webhook_url`, the office's chat), through
//! a bounded queue with a timeout and retries, and the open ones are what the dashboard
//! shows (`GET /api/alerts`). A check runs every [`CHECK_EVERY`] while the hall serves, and
//! on every read of the list. The open alerts live in memory: after a restart they fire
//! again.
//!
//! `[alerts]` is a live section (changed on the admin pages): every check reads the
//! thresholds as they stand, and every delivery, each try of it, goes to the webhook as it
//! stands then, so a new address gets what is sent from the change on and the old one
//! nothing more.

use crate::access::{Access, Owner};
use crate::app::App;
use crate::config::{AlertSettings, Webhook, webhook_host};
use crate::printing::Printing;
use motcua_domain::{DeviceKind, Error, Hall};
use motcua_store::clock::Clock;
use motcua_store::{accounts, counters, millis, tickets};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How often the hall looks for alerts while it serves (reading the list looks too).
pub const CHECK_EVERY: Duration = Duration::from_secs(15);

/// An alert open now.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Alert {
    /// `emergency`, `wait_over_target`, `counter_idle`, `printer_out_of_paper` or
    /// `device_offline`.
    #[schema(value_type = String, example = "counter_idle")]
    pub kind: &'static str,
    /// What it is about, `kind:id`: `field:A`, `counter:3`, `printer:printer-1`,
    /// `device:tv-1`.
    pub subject: String,
    /// When the trouble began, local `HH:MM`.
    pub since: String,
    pub text_vi: String,
    pub text_en: String,
}

impl Alert {
    fn key(&self) -> (&'static str, &str) {
        (self.kind, &self.subject)
    }
}

/// The alerts open now, as the dashboard reads them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertList {
    /// The hall's time of the check, local `HH:MM`.
    pub at: String,
    pub alerts: Vec<Alert>,
}

/// What one webhook delivery says: an alert fired or cleared. `text` is a sentence for a
/// chat (Vietnamese); the rest is for machines.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// `fired` or `cleared`.
    pub state: &'static str,
    pub kind: &'static str,
    pub subject: String,
    pub since: String,
    pub text: String,
    pub text_en: String,
    pub hall: String,
    /// The hall's time of the change, RFC 3339.
    pub at: String,
}

/// A counter as the idle rule reads it.
#[derive(Debug, Clone)]
pub struct CounterFacts {
    pub no: u16,
    /// Open, not paused.
    pub open: bool,
    /// A citizen is at it (called or serving).
    pub busy: bool,
    /// When its state last changed (opened, resumed), ms.
    pub changed_at: Option<i64>,
    /// Its last call or finish, ms.
    pub last_activity: Option<i64>,
}

/// A printer as the paper rule reads it.
#[derive(Debug, Clone)]
pub struct PrinterFacts {
    pub name: String,
    pub kiosk: String,
    pub paper_out: bool,
}

/// A kiosk or TV as the offline rule reads it: seen since the server started, and away
/// (holding no live link) since `away_since` (ms), or `None` while it is online.
#[derive(Debug, Clone)]
pub struct DeviceFacts {
    pub name: String,
    pub kind: DeviceKind,
    pub away_since: Option<i64>,
}

/// The hall at one moment, as the rules read it.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub now_ms: i64,
    /// Each field's oldest waiting ticket's queue time (ms).
    pub oldest_waiting: BTreeMap<String, i64>,
    pub counters: Vec<CounterFacts>,
    pub printers: Vec<PrinterFacts>,
    pub devices: Vec<DeviceFacts>,
    /// The clerks' emergencies open now.
    pub emergencies: Vec<crate::app::emergency::Emergency>,
}

const MINUTE_MS: i64 = 60_000;

/// The alerts the hall calls for at `facts.now_ms`, ordered by kind and subject.
pub fn evaluate(hall: &Hall, settings: &AlertSettings, facts: &Facts) -> Vec<Alert> {
    let now = facts.now_ms;
    let hhmm = |ms: i64| motcua_domain::local_hhmm(hall, ms);
    let mut alerts = Vec::new();
    for e in &facts.emergencies {
        alerts.push(Alert {
            kind: "emergency",
            subject: format!("counter:{}", e.counter),
            since: e.raised_at.clone(),
            text_vi: format!(
                "Khẩn cấp: Quầy {} cần hỗ trợ ngay ({}, lúc {}).",
                e.counter, e.by, e.raised_at
            ),
            text_en: format!(
                "Emergency: counter {} needs help now ({}, at {}).",
                e.counter, e.by, e.raised_at
            ),
        });
    }
    for service in &hall.services {
        let (Some(oldest), target) = (
            facts.oldest_waiting.get(service.code.as_str()),
            i64::from(service.target_wait_minutes),
        ) else {
            continue;
        };
        let over_at = oldest + target * MINUTE_MS;
        if target > 0 && now >= over_at {
            alerts.push(Alert {
                kind: "wait_over_target",
                subject: format!("field:{}", service.code),
                since: hhmm(over_at),
                text_vi: format!(
                    "Lĩnh vực {}: có người đã chờ quá mục tiêu {} phút (từ {}).",
                    service.name_vi,
                    target,
                    hhmm(over_at)
                ),
                text_en: format!(
                    "{}: someone has waited past the {}-minute target (since {}).",
                    service.name_en,
                    target,
                    hhmm(over_at)
                ),
            });
        }
    }
    let idle = i64::from(settings.idle_minutes);
    for c in &facts.counters {
        let Some(def) = hall.counters.iter().find(|d| d.no.get() == c.no) else {
            continue;
        };
        let waited = def
            .services
            .iter()
            .filter_map(|s| facts.oldest_waiting.get(s.as_str()))
            .min();
        let (true, false, Some(waited)) = (c.open, c.busy, waited) else {
            continue;
        };
        let idle_since = [c.changed_at, c.last_activity, Some(*waited)]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(now);
        if idle > 0 && now - idle_since >= idle * MINUTE_MS {
            alerts.push(Alert {
                kind: "counter_idle",
                subject: format!("counter:{}", c.no),
                since: hhmm(idle_since),
                text_vi: format!(
                    "Quầy {} đang mở nhưng không gọi ai từ {} trong khi có người chờ lĩnh vực của quầy.",
                    c.no,
                    hhmm(idle_since)
                ),
                text_en: format!(
                    "Counter {} is open but has called nobody since {} while people wait in its fields.",
                    c.no,
                    hhmm(idle_since)
                ),
            });
        }
    }
    for p in facts.printers.iter().filter(|p| p.paper_out) {
        alerts.push(Alert {
            kind: "printer_out_of_paper",
            subject: format!("printer:{}", p.name),
            since: hhmm(now),
            text_vi: format!("Máy in {} (ki-ốt {}) hết giấy.", p.name, p.kiosk),
            text_en: format!("Printer {} (kiosk {}) is out of paper.", p.name, p.kiosk),
        });
    }
    let offline = i64::from(settings.offline_minutes);
    for d in &facts.devices {
        let Some(away) = d.away_since else { continue };
        if offline == 0 || now - away < offline * MINUTE_MS {
            continue;
        }
        let (vi, en) = match d.kind {
            DeviceKind::Kiosk => ("Ki-ốt", "Kiosk"),
            _ => ("Màn hình", "Display"),
        };
        alerts.push(Alert {
            kind: "device_offline",
            subject: format!("device:{}", d.name),
            since: hhmm(away),
            text_vi: format!("{vi} {} mất kết nối từ {}.", d.name, hhmm(away)),
            text_en: format!("{en} {} has been offline since {}.", d.name, hhmm(away)),
        });
    }
    alerts.sort_by(|a, b| a.key().cmp(&b.key()));
    alerts
}

/// Webhook deliveries, counted (for `/metrics` and the tests).
#[derive(Debug, Default)]
pub struct WebhookStats {
    pub delivered: AtomicU64,
    pub failed: AtomicU64,
    pub dropped: AtomicU64,
}

/// The alerts open now, the devices seen away, and the webhook's queue. Cheap to clone.
#[derive(Clone)]
pub struct Alerts(Arc<Inner>);

struct Inner {
    /// The settings as they run: `[alerts]` is read afresh on every use.
    setup: crate::setup::Setup,
    /// One check at a time, so each change is seen (and sent) once.
    checking: tokio::sync::Mutex<BTreeMap<(&'static str, String), Alert>>,
    /// Each device seen without a live link: since when (ms).
    away: std::sync::Mutex<HashMap<i64, i64>>,
    /// Deliveries waiting to be sent, at most `[alerts].webhook_queue` as it stands.
    outbox: std::sync::Mutex<VecDeque<Delivery>>,
    /// Rung when a delivery joins the outbox.
    queued: tokio::sync::Notify,
    pub stats: WebhookStats,
}

/// Stops the checks and the webhook's sender when dropped (the server stopped).
pub struct Running(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

impl Alerts {
    /// The alerts as the set-up's `[alerts]` says, now and after every change of it; a bad
    /// webhook address or bound is refused, naming its key.
    pub fn new(setup: &crate::setup::Setup) -> Result<Alerts, crate::config::ConfigError> {
        setup.read(|s| s.alerts.check())?;
        Ok(Alerts(Arc::new(Inner {
            setup: setup.clone(),
            checking: tokio::sync::Mutex::default(),
            away: std::sync::Mutex::default(),
            outbox: std::sync::Mutex::default(),
            queued: tokio::sync::Notify::new(),
            stats: WebhookStats::default(),
        })))
    }

    /// `[alerts]` as it stands.
    fn settings(&self) -> AlertSettings {
        self.0.setup.read(|s| s.alerts.clone())
    }

    /// The webhook as it stands, if one is set (checked when it was set).
    fn webhook(&self) -> Option<Webhook> {
        self.0
            .setup
            .read(|s| s.alerts.webhook())
            .unwrap_or_else(|e| {
                tracing::warn!(error = %e, "the alerts' webhook is not usable");
                None
            })
    }

    pub fn stats(&self) -> &WebhookStats {
        &self.0.stats
    }

    /// Start the webhook's sender and the checks every [`CHECK_EVERY`], while the hall
    /// serves.
    pub fn start(&self, state: &crate::http::AppState) -> Running {
        let mut tasks = Vec::new();
        if let Some(webhook) = self.webhook() {
            tracing::info!(webhook = %webhook_host(webhook.url.as_str()), "alerts go to a webhook");
        }
        // Always running: a webhook set on the admin pages later is used at once.
        tasks.push(tokio::spawn(deliver(self.clone())));
        let (alerts, state) = (self.clone(), state.clone());
        tasks.push(tokio::spawn(async move {
            let mut every = tokio::time::interval(CHECK_EVERY);
            loop {
                every.tick().await;
                if let Err(e) = alerts
                    .check(&state.app, &state.printing, &state.access, &*state.clock)
                    .await
                {
                    tracing::warn!(error = %e, "cannot check the alerts");
                }
            }
        }));
        Running(tasks)
    }

    /// Look at the hall now: alerts that begin fire, alerts that ended clear (each sent
    /// to the webhook once); answers the alerts open now.
    pub async fn check(
        &self,
        app: &App,
        printing: &Printing,
        access: &Access,
        clock: &dyn Clock,
    ) -> Result<AlertList, Error> {
        let mut open = self.0.checking.lock().await;
        let now = clock.now();
        let now_ms = millis(now);
        let facts = self.facts(app, printing, access, now).await?;
        let hall = app.hall();
        let current = evaluate(&hall, &self.settings(), &facts);
        let at = motcua_domain::local_time(&hall, now_ms);
        let mut next = BTreeMap::new();
        for alert in current {
            let key = (alert.kind, alert.subject.clone());
            match open.remove(&key) {
                // Still open: as it was first seen (its time and words stay).
                Some(was) => {
                    next.insert(key, was);
                }
                None => {
                    tracing::info!(kind = alert.kind, subject = %alert.subject, "alert fired");
                    self.send(&hall, "fired", &alert, &at);
                    next.insert(key, alert);
                }
            }
        }
        for gone in open.values() {
            tracing::info!(kind = gone.kind, subject = %gone.subject, "alert cleared");
            self.send(&hall, "cleared", gone, &at);
        }
        *open = next;
        Ok(AlertList {
            at: motcua_domain::local_hhmm(&hall, now_ms),
            alerts: open.values().cloned().collect(),
        })
    }

    /// Queue a delivery when a webhook is set; a full queue drops it (and says so).
    fn send(&self, hall: &Hall, state: &'static str, alert: &Alert, at: &str) {
        let Some(webhook) = self.webhook() else {
            return;
        };
        let mark = if state == "fired" {
            "⚠️"
        } else {
            "✅ Đã hết:"
        };
        let delivery = Delivery {
            state,
            kind: alert.kind,
            subject: alert.subject.clone(),
            since: alert.since.clone(),
            text: format!("{mark} {}", alert.text_vi),
            text_en: alert.text_en.clone(),
            hall: hall.name.clone(),
            at: at.to_owned(),
        };
        let mut outbox = self.0.outbox.lock().unwrap_or_else(|e| e.into_inner());
        if outbox.len() >= webhook.queue {
            self.0.stats.dropped.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(
                kind = alert.kind,
                state,
                "the webhook's queue is full: an alert was dropped"
            );
            return;
        }
        outbox.push_back(delivery);
        self.0.queued.notify_one();
    }

    /// The next delivery to send, waiting for one.
    async fn next_delivery(&self) -> Delivery {
        loop {
            let next = self
                .0
                .outbox
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .pop_front();
            match next {
                Some(delivery) => return delivery,
                // A delivery queued between the look and the wait left its permit: no loss.
                None => self.0.queued.notified().await,
            }
        }
    }

    async fn facts(
        &self,
        app: &App,
        printing: &Printing,
        access: &Access,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Facts, Error> {
        let now_ms = millis(now);
        let (oldest_waiting, counter_rows, devices, emergencies) = app
            .read(move |conn, hall| {
                let mut oldest = BTreeMap::new();
                for (service, _, queued_at, _) in tickets::all_waiting(conn)? {
                    let at: &mut i64 = oldest.entry(service).or_insert(queued_at);
                    *at = (*at).min(queued_at);
                }
                let devices: Vec<(i64, String, DeviceKind)> = accounts::devices(conn)?
                    .into_iter()
                    .filter(|d| d.revoked_at.is_none())
                    .filter(|d| matches!(d.device.kind, DeviceKind::Kiosk | DeviceKind::Display))
                    .map(|d| (d.device.id, d.device.name, d.device.kind))
                    .collect();
                let emergencies = crate::app::emergency::open_now(conn, hall, now)?.emergencies;
                Ok((oldest, counters::idle_rows(conn)?, devices, emergencies))
            })
            .await?;
        let counters = counter_rows
            .into_iter()
            .map(
                |(no, state, busy, changed_at, last_activity)| CounterFacts {
                    no,
                    open: state == "open",
                    busy,
                    changed_at,
                    last_activity,
                },
            )
            .collect();
        let printers = printing
            .printers(&app.store)
            .await?
            .into_iter()
            .map(|p| PrinterFacts {
                paper_out: p.report.as_ref().is_some_and(|r| r.paper_out),
                name: p.name,
                kiosk: p.kiosk,
            })
            .collect();
        let mut away = self.0.away.lock().unwrap_or_else(|e| e.into_inner());
        let devices = devices
            .into_iter()
            // A device never seen since the server started is not missed (not set up yet).
            .filter_map(|(id, name, kind)| {
                let seen = access.last_seen(id)?;
                let away_since = if access.holds(Owner::Device(id)) {
                    away.remove(&id);
                    None
                } else {
                    let since = away.entry(id).or_insert(now_ms);
                    Some((*since).max(seen.at_ms))
                };
                Some(DeviceFacts {
                    name,
                    kind,
                    away_since,
                })
            })
            .collect();
        Ok(Facts {
            now_ms,
            oldest_waiting,
            counters,
            printers,
            devices,
            emergencies,
        })
    }
}

/// Send each delivery in turn: a timeout per try, then up to `retries` more tries, 1, 2,
/// 4, ... seconds apart; a delivery that never got through is logged and dropped. Each try
/// goes to the webhook as it stands then (none set any more: dropped). Logs name the
/// webhook's host only (its path may hold a secret).
async fn deliver(alerts: Alerts) {
    let client = match reqwest::Client::builder().build() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e.without_url(), "cannot make the webhook's client");
            return;
        }
    };
    let stats = &alerts.0.stats;
    loop {
        let delivery = alerts.next_delivery().await;
        let mut delivered = false;
        let mut host = webhook_host("");
        let mut attempt = 0u32;
        loop {
            if attempt > 0 {
                let Some(webhook) = alerts.webhook() else {
                    break;
                };
                if attempt > webhook.retries {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(1 << (attempt - 1).min(5))).await;
            }
            // The webhook as it stands now (none any more: the delivery is dropped).
            let Some(webhook) = alerts.webhook() else {
                break;
            };
            host = webhook_host(webhook.url.as_str());
            let sent = client
                .post(webhook.url.clone())
                .timeout(webhook.timeout)
                .json(&delivery)
                .send()
                .await;
            match sent {
                Ok(answer) if answer.status().is_success() => {
                    delivered = true;
                    break;
                }
                Ok(answer) => {
                    tracing::warn!(webhook = %host, status = answer.status().as_u16(), attempt, "the webhook refused an alert");
                }
                Err(e) => {
                    tracing::warn!(webhook = %host, error = %e.without_url(), attempt, "cannot reach the webhook");
                }
            }
            attempt += 1;
        }
        if delivered {
            stats.delivered.fetch_add(1, Ordering::Relaxed);
        } else {
            stats.failed.fetch_add(1, Ordering::Relaxed);
            tracing::error!(webhook = %host, kind = delivery.kind, state = delivery.state, "an alert never reached the webhook");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hall() -> Hall {
        crate::config::Settings::default()
            .hall()
            .expect("the demo hall")
    }

    /// 2026-11-25 08:00 in Hanoi, in ms.
    const EIGHT: i64 = 1_764_032_400_000;

    fn at(minutes: i64) -> i64 {
        EIGHT + minutes * MINUTE_MS
    }

    fn kinds(alerts: &[Alert]) -> Vec<String> {
        alerts
            .iter()
            .map(|a| format!("{} {} {}", a.kind, a.subject, a.since))
            .collect()
    }

    #[test]
    fn a_wait_is_over_target_from_the_minute_the_target_passes() {
        let facts = |now| Facts {
            now_ms: now,
            oldest_waiting: BTreeMap::from([("A".to_owned(), at(0))]),
            ..Facts::default()
        };
        let settings = AlertSettings::default();
        assert!(evaluate(&hall(), &settings, &facts(at(14))).is_empty());
        assert_eq!(
            kinds(&evaluate(&hall(), &settings, &facts(at(15)))),
            ["wait_over_target field:A 08:15"]
        );
    }

    #[test]
    fn a_counter_is_idle_only_open_free_and_with_people_waiting_in_its_fields() {
        let counter = |open, busy| CounterFacts {
            no: 1,
            open,
            busy,
            changed_at: Some(at(0)),
            last_activity: Some(at(2)),
        };
        let facts = |c: CounterFacts, waiting: &str| Facts {
            now_ms: at(7),
            oldest_waiting: BTreeMap::from([(waiting.to_owned(), at(1))]),
            counters: vec![c],
            ..Facts::default()
        };
        let settings = AlertSettings {
            idle_minutes: 5,
            ..AlertSettings::default()
        };
        let hall = hall();
        // Idle since its last call (08:02), the latest of the three: five minutes at 08:07.
        assert_eq!(
            kinds(&evaluate(
                &hall,
                &settings,
                &facts(counter(true, false), "A")
            )),
            ["counter_idle counter:1 08:02"]
        );
        assert!(evaluate(&hall, &settings, &facts(counter(true, true), "A")).is_empty());
        assert!(evaluate(&hall, &settings, &facts(counter(false, false), "A")).is_empty());
        // Counter 1 serves A and D, not B.
        assert!(evaluate(&hall, &settings, &facts(counter(true, false), "B")).is_empty());
        let off = AlertSettings {
            idle_minutes: 0,
            ..AlertSettings::default()
        };
        assert!(evaluate(&hall, &off, &facts(counter(true, false), "A")).is_empty());
    }

    #[test]
    fn a_device_is_offline_after_its_minutes_away_and_a_printer_when_it_says_no_paper() {
        let facts = Facts {
            now_ms: at(10),
            devices: vec![
                DeviceFacts {
                    name: "tv-1".into(),
                    kind: DeviceKind::Display,
                    away_since: Some(at(8)),
                },
                DeviceFacts {
                    name: "kiosk-1".into(),
                    kind: DeviceKind::Kiosk,
                    away_since: Some(at(9)),
                },
                DeviceFacts {
                    name: "kiosk-2".into(),
                    kind: DeviceKind::Kiosk,
                    away_since: None,
                },
            ],
            printers: vec![PrinterFacts {
                name: "p".into(),
                kiosk: "kiosk-1".into(),
                paper_out: true,
            }],
            ..Facts::default()
        };
        let alerts = evaluate(&hall(), &AlertSettings::default(), &facts);
        assert_eq!(
            kinds(&alerts),
            [
                "device_offline device:tv-1 08:08",
                "printer_out_of_paper printer:p 08:10"
            ]
        );
        assert_eq!(alerts[0].text_vi, "Màn hình tv-1 mất kết nối từ 08:08.");
    }

    #[test]
    fn the_webhooks_secret_never_shows_in_the_settings_debug_nor_in_its_errors() {
        let settings = AlertSettings {
            webhook_url: "https://chat.example.vn/hooks/T0/SECRET-abc?token=SECRET-def".into(),
            ..AlertSettings::default()
        };
        let shown = format!("{settings:?}");
        assert!(
            shown.contains("chat.example.vn") && !shown.contains("SECRET"),
            "{shown}"
        );
        let bad = AlertSettings {
            webhook_url: "ftp://SECRET-host/x".into(),
            ..AlertSettings::default()
        };
        let refused = bad
            .webhook()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            refused.contains("alerts.webhook_url") && !refused.contains("SECRET"),
            "{refused}"
        );
    }
}
