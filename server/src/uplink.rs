//! The hall's report to the city: store and forward.
//!
//! The event log is the outbox. A task reads the events after the last one the city
//! acknowledged, in order, a batch at a time, signs each batch (see
//! [`crate::city::protocol`]) and posts it; the collector's acknowledgement moves
//! `uplink_state.acked_seq` forward. While the link is down it retries with a growing
//! pause; nothing is ever dropped (the log is never deleted) and a restart resumes where
//! the acknowledgement left off. Issuing never waits for any of it: the task only reads,
//! and writes one small row per acknowledged batch.

use crate::city::protocol::{self, Ack, Batch, Profile, ProfileService, WireEvent};
use crate::clock::Clock;
use crate::config::UplinkSettings;
use crate::domain::Error;
use crate::domain::local_time;
use crate::store::{Store, millis};
use rusqlite::{Connection, OptionalExtension, params};
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
#[derive(Debug, Clone, Default, Serialize)]
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
        // Where the last run left off (its last success and error), until this run says more.
        let hall = store.hall.clone();
        if let Ok(Some((success, attempt, error))) = store.read(last_outcome).await {
            self.note(|s| {
                s.last_success_at = success.map(|ms| local_time(&hall, ms));
                s.last_attempt_at = attempt.map(|ms| local_time(&hall, ms));
                s.last_error = error;
            });
        }
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
            let (acked, last) = match store.read(positions).await {
                Ok(p) => p,
                Err(_) => {
                    tokio::time::sleep(IDLE_POLL).await;
                    continue;
                }
            };
            self.note(|s| {
                s.acked_seq = acked;
                s.last_seq = last;
                s.backlog = (last - acked).max(0);
            });
            let idle = acked >= last;
            if idle && last_contact.is_some_and(|t| t.elapsed() < HEARTBEAT) {
                tokio::time::sleep(IDLE_POLL).await;
                continue;
            }
            let events = if idle {
                Vec::new()
            } else {
                let (limit, share) = (settings.batch_events, settings.share_comments);
                match store
                    .read::<_, Error, _>(move |conn| events_after(conn, acked, limit, share))
                    .await
                {
                    Ok(e) if !e.is_empty() => e,
                    _ => {
                        tokio::time::sleep(IDLE_POLL).await;
                        continue;
                    }
                }
            };
            // Nothing new: a heartbeat (no events) saying where the log stands, so the city
            // does not take a quiet hall for a silent one.
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
            let outcome = send(&client, &url, &settings, &batch, millis(clock.now())).await;
            let now = millis(clock.now());
            match outcome {
                Ok(acked_through) => {
                    pause = Duration::from_secs(1);
                    last_contact = Some(std::time::Instant::now());
                    let written = store
                        .write::<_, Error, _>(move |ctx| {
                            ctx.conn
                                .prepare_cached(
                                    "UPDATE uplink_state SET acked_seq = ?1, last_attempt_at = ?2,
                                         last_success_at = ?2, last_error = NULL WHERE id = 1",
                                )?
                                .execute(params![acked_through, now])?;
                            Ok(())
                        })
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
                        s.last_success_at = Some(local_time(&store.hall, now));
                        s.last_attempt_at = s.last_success_at.clone();
                    });
                }
                Err(error) => {
                    self.failures.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(%error, pause_s = pause.as_secs(), "the city did not take the batch");
                    let message = error.clone();
                    let _ = store
                        .write::<_, Error, _>(move |ctx| {
                            ctx.conn
                                .prepare_cached(
                                    "UPDATE uplink_state SET last_attempt_at = ?1, last_error = ?2 WHERE id = 1",
                                )?
                                .execute(params![now, message])?;
                            Ok(())
                        })
                        .await;
                    self.note(|s| {
                        s.last_error = Some(error);
                        s.last_attempt_at = Some(local_time(&store.hall, now));
                    });
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(max_pause);
                }
            }
        }
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
        .map_err(|e| format!("the collector cannot be reached: {e}"))?;
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if status.is_success() {
        let ack: Ack = serde_json::from_str(&text)
            .map_err(|e| format!("the collector's answer cannot be read: {e}"))?;
        return Ok(ack.acked_through);
    }
    let answer: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let error = &answer["error"];
    // The city holds another point of the log than we thought: resume from there.
    if let Some(acked) = error["acked_through"].as_i64() {
        return Ok(acked);
    }
    Err(format!(
        "the collector refused the batch ({status}): {} {}",
        error["code"].as_str().unwrap_or_default(),
        error["message"].as_str().unwrap_or(&text)
    ))
}

/// When the uplink last succeeded and last tried, and its last error, as stored.
type LastOutcome = (Option<i64>, Option<i64>, Option<String>);

fn last_outcome(conn: &Connection) -> Result<Option<LastOutcome>, Error> {
    Ok(conn
        .prepare_cached(
            "SELECT last_success_at, last_attempt_at, last_error FROM uplink_state WHERE id = 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// The city's acknowledged point and the log's end.
fn positions(conn: &Connection) -> Result<(i64, i64), Error> {
    let acked: i64 = conn
        .prepare_cached("SELECT acked_seq FROM uplink_state WHERE id = 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(0);
    Ok((acked, crate::store::events::last_seq(conn)?))
}

/// Up to `limit` events after `after`, as the city gets them: anonymous, and a comment's
/// text only when the hall shares comments.
fn events_after(
    conn: &Connection,
    after: i64,
    limit: u32,
    share_comments: bool,
) -> Result<Vec<WireEvent>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, at, kind, ticket_id, service, counter_no, user_id, data
         FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let mut rows = stmt.query(params![after, limit])?;
    let mut events = Vec::new();
    while let Some(r) = rows.next()? {
        match crate::store::stats::logged_from_row(r)? {
            Ok(logged) => events.push(WireEvent::of(logged, share_comments)),
            // Every event this build writes, it reads. One it cannot read goes as its kind
            // alone (the city will not count it), so the report never stops at it.
            Err(e) => {
                tracing::warn!(error = %e, "an unreadable event goes to the city without its data");
                events.push(WireEvent {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    kind: e.kind,
                    ticket: r.get(3)?,
                    service: r.get(4)?,
                    counter: r.get(5)?,
                    clerk: r.get(6)?,
                    data: serde_json::json!({}),
                });
            }
        }
    }
    Ok(events)
}

fn profile_of(store: &Store) -> Profile {
    let hall = &store.hall;
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
            })
            .collect(),
    }
}
