//! Receiving a hall's signed batch of events.

use super::*;

pub(super) fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, AppError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 200)
        .ok_or_else(|| {
            AppError::rejected(
                "unsigned_batch",
                format!(
                    "a batch carries the headers {}, {} and {}",
                    protocol::HALL_HEADER,
                    protocol::TIMESTAMP_HEADER,
                    protocol::SIGNATURE_HEADER
                ),
            )
        })
}

/// Who signed a body, when, and the signature: the three headers a hall's batch (and a
/// province collector's hall-days) carry.
pub(super) struct Signed {
    /// The hall's (or the province collector's) code.
    pub by: String,
    pub timestamp_ms: i64,
    pub signature: String,
}

pub(super) fn signed(headers: &HeaderMap) -> Result<Signed, AppError> {
    Ok(Signed {
        by: header_text(headers, protocol::HALL_HEADER)?.to_owned(),
        timestamp_ms: header_text(headers, protocol::TIMESTAMP_HEADER)?
            .parse()
            .map_err(|_| {
                AppError::rejected(
                    "unsigned_batch",
                    "the timestamp is milliseconds since the epoch",
                )
            })?,
        signature: header_text(headers, protocol::SIGNATURE_HEADER)?.to_owned(),
    })
}

/// A hall's next events, signed (`x-motcua-hall`, `x-motcua-timestamp`,
/// `x-motcua-signature`: HMAC-SHA256 of hall, timestamp and body with the hall's secret).
///
/// Who may call: a registered hall, with its signature.
#[utoipa::path(
    post,
    path = "/api/city/batches",
    tag = "devices",
    params(
        ("x-motcua-hall" = String, Header, description = "the hall's code"),
        ("x-motcua-timestamp" = i64, Header, description = "milliseconds since the epoch"),
        ("x-motcua-signature" = String, Header, description = "hex HMAC-SHA256 of hall, timestamp and body"),
    ),
    request_body = protocol::Batch,
    responses(
        (status = 200, description = "stored (or had already)", body = Ack),
        (status = 400, description = "the body is not a batch", body = ErrorBody),
        (status = 401, description = "`unsigned_batch`, a bad signature, an unknown hall, a clock too far off", body = ErrorBody),
        (status = 409, description = "`sequence_gap`: resend from `acked_through` + 1", body = ErrorBody),
        (status = 413, description = "`body_too_large`: over 4 MiB, refused before the signature is checked", body = ErrorBody),
        (status = 422, description = "the batch does not hold together, or `implausible_value`: a value no hall logs (the message names the field); nothing stored", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(hall))]
pub(super) async fn receive_batch(
    State(state): State<CityState>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<Ack>, AppError> {
    let answer = async {
        // The size first: nobody is known yet, so no more than the largest real batch is
        // read (a declared length over it is refused before a byte of the body).
        let body = read_limited(&headers, body, state.settings.batch_limit_bytes).await?;
        let Signed {
            by: hall,
            timestamp_ms,
            signature,
        } = signed(&headers)?;
        tracing::Span::current().record("hall", hall.as_str());
        let master = state.master.clone();
        let now_ms = millis(state.clock.now());
        let max_skew_ms = state.settings.max_skew_seconds * 1000;
        // Who signed it, its signature, time and values: checked on a reader and a
        // blocking thread, so the writer only ever sees batches from a hall.
        let signer = state.store.signer(hall.clone()).await?;
        let verified = tokio::task::spawn_blocking(move || {
            city_store::verify(
                &Check {
                    master: &master,
                    now_ms,
                    max_skew_ms,
                    hall: &hall,
                    timestamp_ms,
                    signature: &signature,
                    body: &body,
                },
                signer,
            )
        })
        .await
        .map_err(AppError::internal)??;
        let ack = state.store.accept(verified).await?;
        Ok::<_, AppError>(ack)
    }
    .await;
    let counts = &state.counts;
    match &answer {
        Ok(ack) if ack.stored == 0 => {
            counts.duplicates.fetch_add(1, Ordering::Relaxed);
        }
        Ok(ack) => {
            counts.batches.fetch_add(1, Ordering::Relaxed);
            counts
                .events_stored
                .fetch_add(ack.stored, Ordering::Relaxed);
        }
        Err(e) => {
            counts.refused.fetch_add(1, Ordering::Relaxed);
            if let Ok(mut by) = counts.refused_by.lock() {
                *by.entry(e.code()).or_default() += 1;
            }
            tracing::warn!(code = e.code(), "batch refused");
        }
    }
    answer.map(Json)
}

/// The body, if it is at most `limit` bytes: a declared length over it is refused at once,
/// an undeclared one as soon as it passes it.
pub(super) async fn read_limited(
    headers: &HeaderMap,
    body: axum::body::Body,
    limit: usize,
) -> Result<Bytes, AppError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(AppError::TooLarge);
    }
    // Past the limit, or the sender gone mid-body: either way the batch is not taken.
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| AppError::TooLarge)
}
