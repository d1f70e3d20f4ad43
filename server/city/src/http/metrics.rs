//! `/metrics` for the collector.

use super::*;

/// The collector's counts for Prometheus.
///
/// Who may call: anyone (keep it off the public network).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "admin",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4")),
)]
pub(super) async fn metrics(State(state): State<CityState>) -> Result<Response, AppError> {
    let c = &state.counts;
    let halls = state.store.halls().await?;
    let now = millis(state.clock.now());
    let silent = halls
        .iter()
        .filter(|h| listed(h, &state.settings, now).silent)
        .count();
    let mut out = Exposition::default();
    for (name, kind, help, value) in [
        (
            "motcua_city_batches_total",
            "counter",
            "Batches stored.",
            c.batches.load(Ordering::Relaxed),
        ),
        (
            "motcua_city_events_stored_total",
            "counter",
            "Events stored, each once.",
            c.events_stored.load(Ordering::Relaxed),
        ),
        (
            "motcua_city_duplicate_batches_total",
            "counter",
            "Batches the city already had (acknowledged, ignored).",
            c.duplicates.load(Ordering::Relaxed),
        ),
        (
            "motcua_city_refused_batches_total",
            "counter",
            "Batches refused (signature, time, sequence, form).",
            c.refused.load(Ordering::Relaxed),
        ),
        (
            "motcua_city_halls",
            "gauge",
            "Registered halls.",
            halls.len() as u64,
        ),
        (
            "motcua_city_silent_halls",
            "gauge",
            "Halls without a report for longer than the silent limit.",
            silent as u64,
        ),
    ] {
        out.family(name, kind, help);
        out.sample(name, &[], value);
    }
    let name = "motcua_city_batches_refused_total";
    out.family(
        name,
        "counter",
        "Batches refused, by reason (implausible_value, bad_signature, body_too_large, ...).",
    );
    let by_reason = c.refused_by.lock().map(|m| m.clone()).unwrap_or_default();
    for (reason, value) in by_reason {
        out.sample(name, &[("reason", reason)], value);
    }
    state.connections.expose(&mut out, "motcua_city");
    state.sign_ins.expose(&mut out, "motcua_city");
    let text = out.0;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}
