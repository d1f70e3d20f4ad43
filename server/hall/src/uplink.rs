//! The hall's report to the city: store and forward.
//!
//! The event log is the outbox. A task reads the events after the last one the city
//! acknowledged, in order, a batch at a time, signs each batch (see
//! [`motcua_web::protocol`]) and posts it; the collector's acknowledgement moves
//! `uplink_state.acked_seq` forward. While the link is down it retries with a growing
//! pause; nothing is ever dropped (the log is never deleted) and a restart resumes where
//! the acknowledgement left off. Issuing never waits for any of it: the task only reads,
//! and writes one small row per acknowledged batch.

use crate::config::UplinkSettings;
use motcua_domain::local_time;
use motcua_store::clock::Clock;
use motcua_store::uplink as stored;
use motcua_store::{Store, StoreError, millis};
use motcua_web::protocol::{self, Ack, Batch, Profile, ProfileService, WireEvent};
use rusqlite::Connection;
use serde::Serialize;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often an idle uplink looks for new events.
const IDLE_POLL: Duration = Duration::from_secs(2);
/// How often an idle hall tells the city it is alive (an empty batch).
const HEARTBEAT: Duration = Duration::from_secs(5 * 60);

/// What the manager's dashboard and `/metrics` show of the uplink.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct UplinkStatus {
    pub enabled: bool,
    pub url: String,
    pub hall: String,
    /// The city holds every event up to here.
    pub acked_seq: i64,
    /// The last event written in the hall.
    pub last_seq: i64,
    /// Events still to send.
    pub backlog: i64,
    pub last_attempt_at: Option<String>,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
    /// Why, as a stable code pages put in their own words: `city_unreachable`,
    /// `city_refused`, `city_unreadable` or `uplink_failed` (the message above is the
    /// technician's detail, in English).
    pub last_error_code: Option<&'static str>,
}

/// The failures' messages begin with these, so their code survives a restart (only the
/// message is stored).
const UNREACHABLE: &str = "the collector cannot be reached";
const UNREADABLE: &str = "the collector's answer cannot be read";
const REFUSED: &str = "the collector refused the batch";

/// The stable code of a failure's message (see [`UplinkStatus::last_error_code`]).
fn error_code(message: &str) -> &'static str {
    if message.starts_with(UNREACHABLE) {
        "city_unreachable"
    } else if message.starts_with(REFUSED) {
        "city_refused"
    } else if message.starts_with(UNREADABLE) {
        "city_unreadable"
    } else {
        "uplink_failed"
    }
}

/// The uplink's handle, in the server's state. Disabled unless started.
#[derive(Clone, Default)]
pub struct Uplink {
    status: Arc<Mutex<UplinkStatus>>,
    failures: Arc<AtomicU64>,
}

impl Uplink {
    pub fn status(&self) -> UplinkStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Start reporting to the city until `shutdown` resolves.
    pub fn start(
        &self,
        store: Store,
        clock: Arc<dyn Clock>,
        settings: UplinkSettings,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        if let Ok(mut s) = self.status.lock() {
            s.enabled = true;
            s.url = settings.url.clone();
            s.hall = settings.hall.clone();
        }
        let me = self.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = me.run(store, clock, settings) => {}
                _ = shutdown => {}
            }
        })
    }

    async fn run(&self, store: Store, clock: Arc<dyn Clock>, settings: UplinkSettings) {
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "the uplink cannot make an HTTP client");
                return;
            }
        };
        self.resume_status(&store).await;
        let profile = profile_of(&store);
        let url = format!(
            "{}{}",
            settings.url.trim_end_matches('/'),
            protocol::BATCH_PATH
        );
        let max_pause = Duration::from_secs(settings.retry_max_seconds);
        let mut pause = Duration::from_secs(1);
        let mut last_contact: Option<std::time::Instant> = None;
        loop {
            let heartbeat_due = last_contact.is_none_or(|t| t.elapsed() >= HEARTBEAT);
            let Some((batch, last)) = self
                .next_batch(&store, &settings, &profile, heartbeat_due)
                .await
            else {
                tokio::time::sleep(IDLE_POLL).await;
                continue;
            };
            let outcome = send(&client, &url, &settings, &batch, millis(clock.now())).await;
            let now = millis(clock.now());
            match outcome {
                Ok(acked_through) => {
                    pause = Duration::from_secs(1);
                    last_contact = Some(std::time::Instant::now());
                    self.acknowledged(&store, acked_through, last, now).await;
                }
                Err(error) => {
                    self.failed(&store, error, pause, now).await;
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(max_pause);
                }
            }
        }
    }

    /// Where the last run left off (its last success and error), until this run says more.
    async fn resume_status(&self, store: &Store) {
        let hall = store.hall();
        if let Ok(Some((success, attempt, error))) = store.read(stored::last_outcome).await {
            self.note(|s| {
                s.last_success_at = success.map(|ms| local_time(&hall, ms));
                s.last_attempt_at = attempt.map(|ms| local_time(&hall, ms));
                s.last_error_code = error.as_deref().map(error_code);
                s.last_error = error;
            });
        }
    }

    /// The next batch to send and where the log ends: the events after the city's
    /// acknowledgement, or, when there are none and a heartbeat is due, an empty batch
    /// saying where the log stands (so the city does not take a quiet hall for a silent
    /// one). `None`: nothing to send now.
    async fn next_batch(
        &self,
        store: &Store,
        settings: &UplinkSettings,
        profile: &Profile,
        heartbeat_due: bool,
    ) -> Option<(Batch, i64)> {
        let (acked, last) = store.read(stored::positions).await.ok()?;
        self.note(|s| {
            s.acked_seq = acked;
            s.last_seq = last;
            s.backlog = (last - acked).max(0);
        });
        let idle = acked >= last;
        if idle && !heartbeat_due {
            return None;
        }
        let events = if idle {
            Vec::new()
        } else {
            let (limit, share) = (settings.batch_events, settings.share_comments);
            let events = store
                .read(move |conn| events_after(conn, acked, limit, share))
                .await
                .ok()?;
            if events.is_empty() {
                return None;
            }
            events
        };
        let (from_seq, to_seq) = match (events.first(), events.last()) {
            (Some(first), Some(last)) => (first.seq, last.seq),
            _ => (acked + 1, acked),
        };
        let batch = Batch {
            hall: settings.hall.clone(),
            from_seq,
            to_seq,
            profile: profile.clone(),
            events,
        };
        Some((batch, last))
    }

    /// The city holds everything up to `acked_through`: remember it.
    async fn acknowledged(&self, store: &Store, acked_through: i64, last: i64, now: i64) {
        let written = store
            .write(move |tx| stored::note_success(tx.conn, acked_through, now))
            .await;
        if written.is_err() {
            tokio::time::sleep(IDLE_POLL).await;
        }
        if acked_through > last {
            tracing::warn!(
                acked_through,
                last,
                "the city holds more of this hall's log than the hall: was the database restored from an older backup?"
            );
        }
        self.note(|s| {
            s.last_error = None;
            s.last_error_code = None;
            s.last_success_at = Some(local_time(&store.hall(), now));
            s.last_attempt_at = s.last_success_at.clone();
        });
    }

    /// The city did not take the batch: say why, and count it.
    async fn failed(&self, store: &Store, error: String, pause: Duration, now: i64) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(%error, pause_s = pause.as_secs(), "the city did not take the batch");
        let message = error.clone();
        let _ = store
            .write(move |tx| stored::note_failure(tx.conn, now, &message))
            .await;
        self.note(|s| {
            s.last_error_code = Some(error_code(&error));
            s.last_error = Some(error);
            s.last_attempt_at = Some(local_time(&store.hall(), now));
        });
    }

    fn note(&self, change: impl FnOnce(&mut UplinkStatus)) {
        if let Ok(mut s) = self.status.lock() {
            change(&mut s);
        }
    }
}

/// Post one batch; the sequence number the city now holds, or why not.
async fn send(
    client: &reqwest::Client,
    url: &str,
    settings: &UplinkSettings,
    batch: &Batch,
    timestamp_ms: i64,
) -> Result<i64, String> {
    let body = serde_json::to_vec(batch).map_err(|e| e.to_string())?;
    let signature = protocol::sign(&settings.secret, &settings.hall, timestamp_ms, &body);
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(protocol::HALL_HEADER, &settings.hall)
        .header(protocol::TIMESTAMP_HEADER, timestamp_ms.to_string())
        .header(protocol::SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("{UNREACHABLE}: {e}"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if status.is_success() {
        let ack: Ack = serde_json::from_str(&text).map_err(|e| format!("{UNREADABLE}: {e}"))?;
        return Ok(ack.acked_through);
    }
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let error = &answer["error"];
    // The city holds another point of the log than we thought: resume from there.
    if let Some(acked) = error["acked_through"].as_i64() {
        return Ok(acked);
    }
    Err(format!(
        "{REFUSED} ({status}): {} {}",
        error["code"].as_str().unwrap_or_default(),
        error["message"].as_str().unwrap_or(&text)
    ))
}

/// Up to `limit` events after `after`, as the city gets them: anonymous, and a comment's
/// text only when the hall shares comments.
fn events_after(
    conn: &Connection,
    after: i64,
    limit: u32,
    share_comments: bool,
) -> Result<Vec<WireEvent>, StoreError> {
    let events = motcua_store::events::after(conn, after, limit)?;
    Ok(events
        .into_iter()
        .map(|e| match e {
            Ok(logged) => WireEvent::of(logged, share_comments),
            // Every event this build writes, it reads. One it cannot read goes as its kind
            // alone (the city will not count it), so the report never stops at it.
            Err(u) => {
                tracing::warn!(error = %u.error, "an unreadable event goes to the city without its data");
                WireEvent {
                    seq: u.seq,
                    at: u.at,
                    kind: u.error.kind,
                    ticket: u.ticket,
                    service: u.service,
                    counter: u.counter,
                    clerk: u.user,
                    data: serde_json::json!({}),
                }
            }
        })
        .collect())
}

fn profile_of(store: &Store) -> Profile {
    let hall = &store.hall();
    Profile {
        name: hall.name.clone(),
        timezone: hall.tz.name().to_owned(),
        rating_scale: hall.rating_scale,
        services: hall
            .services
            .iter()
            .map(|s| ProfileService {
                code: s.code.to_string(),
                name_vi: s.name_vi.clone(),
                name_en: s.name_en.clone(),
                target_wait_minutes: s.target_wait_minutes,
                satisfaction_target_percent: s.satisfaction_target_percent,
            })
            .collect(),
    }
}
