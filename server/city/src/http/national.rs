//! The country's collector taking a province collector's hall-days
//! ([`crate::national`]).

use super::*;
use crate::national::DaysBatch;

/// A province collector's next hall-days, signed as a hall's batch is (`x-motcua-hall`: the
/// province collector's code here, `x-motcua-timestamp`, `x-motcua-signature`).
///
/// Who may call: a province's collector registered here (`motcua city region add`), with
/// its signature. Only a collector on PostgreSQL keeps the country's figures.
#[utoipa::path(
    post,
    path = "/api/national/figures",
    tag = "devices",
    params(
        ("x-motcua-hall" = String, Header, description = "the province collector's code"),
        ("x-motcua-timestamp" = i64, Header, description = "milliseconds since the epoch"),
        ("x-motcua-signature" = String, Header, description = "hex HMAC-SHA256 of code, timestamp and body"),
    ),
    request_body = DaysBatch,
    responses(
        (status = 200, description = "stored (or had already)", body = Ack),
        (status = 401, description = "`unsigned_batch`, a bad signature, an unknown region, a clock too far off", body = ErrorBody),
        (status = 404, description = "`not_national`: this collector keeps no figure rows (it runs on SQLite)", body = ErrorBody),
        (status = 409, description = "`sequence_gap`: resend from `acked_through` + 1; `code_taken`: a hall code another province has", body = ErrorBody),
        (status = 413, description = "`body_too_large`", body = ErrorBody),
        (status = 422, description = "the body is not a batch of hall-days, or names another region", body = ErrorBody),
    ),
)]
pub(super) async fn receive_days(
    State(state): State<CityState>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<Ack>, AppError> {
    let Some(pg) = state.store.rows() else {
        return Err(AppError::not_found(
            "not_national",
            "this collector keeps no figure rows: the country's collector runs on PostgreSQL",
        ));
    };
    let body = read_limited(&headers, body, state.settings.batch_limit_bytes).await?;
    let Signed {
        by: code,
        timestamp_ms,
        signature,
    } = signed(&headers)?;
    let Some(region) = pg.region(&code).await? else {
        return Err(AppError::rejected(
            "unknown_region",
            "no province collector is registered with this code",
        ));
    };
    let secret = protocol::derive_secret(&state.master, &code, region.key_version);
    if !protocol::verify(&secret, &code, timestamp_ms, &body, &signature) {
        return Err(AppError::rejected(
            "bad_signature",
            "the signature does not match this batch",
        ));
    }
    let now_ms = millis(state.clock.now());
    if (now_ms - timestamp_ms).abs() > state.settings.max_skew_seconds * 1000 {
        return Err(AppError::rejected(
            "stale_batch",
            "the batch was signed too far from the collector's clock",
        ));
    }
    let batch: DaysBatch = serde_json::from_slice(&body)
        .map_err(|e| AppError::invalid("bad_batch", format!("the batch cannot be read: {e}")))?;
    if batch.region != code {
        return Err(AppError::invalid(
            "region_mismatch",
            "the batch names another region than its sender",
        ));
    }
    let in_order = batch.from_seq >= 1
        && batch.from_seq <= batch.to_seq
        && batch.days.windows(2).all(|w| w[0].seq < w[1].seq)
        && batch
            .days
            .iter()
            .all(|d| (batch.from_seq..=batch.to_seq).contains(&d.seq));
    // No more than a hall has: its fields (and the counters' row), each row's columns and
    // buckets (a later build may send more columns: twice today's is the bound).
    let bounded = batch.days.iter().all(|d| {
        d.fields.len() <= 64
            && d.fields.iter().all(|f| {
                f.values.len() <= 2 * motcua_domain::stats::rows::COLUMNS.len()
                    && f.wait_buckets.len() <= 2 * motcua_domain::stats::rows::BUCKETS
                    && f.service_buckets.len() <= 2 * motcua_domain::stats::rows::BUCKETS
            })
    }) && batch.columns.len() <= 2 * motcua_domain::stats::rows::COLUMNS.len();
    if !in_order || !bounded || batch.days.len() > crate::national::DAYS_PER_BATCH as usize {
        return Err(AppError::invalid(
            "bad_batch",
            format!(
                "a batch holds at most {} hall-days, numbered within from_seq..=to_seq, in order, each of at most 64 fields",
                crate::national::DAYS_PER_BATCH
            ),
        ));
    }
    Ok(Json(pg.accept_days(&region, &batch, now_ms).await?))
}
