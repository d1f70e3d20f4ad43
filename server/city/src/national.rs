//! The national tier: a province's collector (on PostgreSQL) forwards its halls' daily
//! figures to the country's collector, which keeps nothing else. As a hall's uplink does:
//! signed (HMAC with a secret the country's collector derives for the province), store and
//! forward (the province's outbox of changed hall-days, drained in order after any outage),
//! and exactly once (each hall-day is sent whole, its latest figures replacing what the
//! country held; a batch the country has is acknowledged, a gap refused).

use crate::pg::PgStore;
use chrono::NaiveDate;
use motcua_store::clock::Clock;
use motcua_web::protocol;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// Where a province's collector posts.
pub const FIGURES_PATH: &str = "/api/national/figures";

/// The outbox's next hall-days, each with its figures as they stand.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DaysBatch {
    /// The province collector's code at the country's collector.
    pub region: String,
    /// The outbox's entries `from_seq..=to_seq` (a hall-day listed more than once in them is
    /// sent once, under its last number).
    pub from_seq: i64,
    pub to_seq: i64,
    /// The figure columns' names, in the order of every `values`.
    pub columns: Vec<String>,
    pub days: Vec<HallDay>,
}

/// One hall's figures of one day, per field (`""`: the counters' time).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HallDay {
    pub seq: i64,
    pub hall: String,
    pub name: String,
    /// Codes it had before (a re-coded hall): the country keeps its history under the new.
    #[serde(default)]
    pub former_codes: Vec<String>,
    /// The hall it was merged into, by code.
    #[serde(default)]
    pub merged_into: Option<String>,
    pub timezone: String,
    pub rating_scale: u8,
    /// Its fields as it last described them (names and targets).
    #[serde(default)]
    pub services: Vec<protocol::ProfileService>,
    pub day: NaiveDate,
    pub fields: Vec<FieldDay>,
}

/// One field's row of a hall-day.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FieldDay {
    pub service: String,
    pub values: Vec<i64>,
    pub wait_buckets: Vec<i64>,
    pub service_buckets: Vec<i64>,
}

/// How a province's collector reaches the country's.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// The country's collector, e.g. `https://thongke.gov.vn:8090`.
    pub url: String,
    /// This collector's code there (`motcua city region add` there prints it).
    pub code: String,
    pub secret: String,
    /// The longest pause between tries while the country's collector is unreachable.
    pub retry_max: Duration,
}

/// Hall-days sent at most per batch.
pub const DAYS_PER_BATCH: i64 = 200;

/// Forward the outbox to the country's collector, for as long as the collector runs: a
/// batch at a time, at once while there is more; when there is not, as soon as this
/// process stores a change (or every 10 s, for another process's); backing off up to
/// `retry_max` while the country's collector is unreachable. One process forwards at a
/// time (the others find the outbox's lock taken).
pub async fn forward(pg: PgStore, upstream: Upstream, clock: Arc<dyn Clock>) {
    let http = match reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
    {
        Ok(http) => http,
        Err(error) => {
            tracing::error!(%error, "cannot forward to the country's collector");
            return;
        }
    };
    let mut pause = Duration::from_secs(1);
    loop {
        let now = motcua_store::millis(clock.now());
        match pg.forward_once(&http, &upstream, now).await {
            Ok(sent) if sent > 0 => {
                pause = Duration::from_secs(1);
                continue;
            }
            Ok(_) => {
                pause = Duration::from_secs(1);
                let _ = tokio::time::timeout(Duration::from_secs(10), pg.outbox_filled()).await;
            }
            Err(error) => {
                tracing::warn!(%error, host = %host_of(&upstream.url), "forwarding to the country's collector failed");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(upstream.retry_max.max(Duration::from_secs(1)));
            }
        }
    }
}

/// Only the host of an address, for the logs.
fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Post a batch, signed; the country's answer.
pub(crate) async fn post(
    http: &reqwest::Client,
    upstream: &Upstream,
    batch: &DaysBatch,
    now_ms: i64,
) -> Result<protocol::Ack, String> {
    let body = serde_json::to_vec(batch).map_err(|e| e.to_string())?;
    let signature = protocol::sign(&upstream.secret, &upstream.code, now_ms, &body);
    let answer = http
        .post(format!(
            "{}{FIGURES_PATH}",
            upstream.url.trim_end_matches('/')
        ))
        .header("content-type", "application/json")
        .header(protocol::HALL_HEADER, &upstream.code)
        .header(protocol::TIMESTAMP_HEADER, now_ms.to_string())
        .header(protocol::SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("the country's collector cannot be reached: {e}"))?;
    let status = answer.status();
    let text = answer.text().await.map_err(|e| e.to_string())?;
    if status.is_success() {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    } else {
        Err(format!("the country's collector answered {status}: {text}"))
    }
}
