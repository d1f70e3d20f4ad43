//! `GET /metrics` in the Prometheus text format: the hall's state read at scrape time
//! (waiting per field, today's tickets per status, counters per state, the event log's
//! length) and the live feeds' counts.

use super::AppError;
use crate::app::views;
use axum::extract::State;
use axum::response::IntoResponse;
use motcua_store::{counters, events, tickets};
use std::sync::atomic::Ordering;

use motcua_web::Exposition;

/// The hall's state for Prometheus, read at scrape time.
///
/// Who may call: anyone (keep it off the public network).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "admin",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4")),
)]
pub async fn metrics(State(state): State<super::AppState>) -> Result<impl IntoResponse, AppError> {
    let super::AppState {
        store,
        hub,
        clock,
        printing,
        uplink,
        issuing,
        connections,
        sign_ins,
        ..
    } = state;
    let hall = store.hall();
    let day = motcua_domain::numbering::local_day(clock.now(), hall.tz).to_string();
    let now = store
        .read::<_, AppError, _>(move |conn| {
            let mut counters = Vec::new();
            for c in &hall.counters {
                let state = counters::get(conn, c.no)?.map_or("closed", |r| r.state.name());
                counters.push((c.no.to_string(), state));
            }
            Ok(HallNow {
                waiting: views::waiting_counts(conn, &hall)?,
                statuses: tickets::count_by_status(conn, &day)?,
                counters,
                seq: events::last_seq(conn)?,
            })
        })
        .await?;
    let mut out = Exposition(String::new());
    hall_families(&mut out, &now);
    uplink_families(&mut out, &uplink);
    printer_families(&mut out, &printing.printers(&store).await?);
    live_families(&mut out, &hub.stats);
    issuing.write_metrics(&mut out);
    connections.expose(&mut out, "motcua");
    sign_ins.expose(&mut out, "motcua");
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        out.0,
    ))
}

/// The hall as read at scrape time.
struct HallNow {
    waiting: std::collections::BTreeMap<String, u32>,
    statuses: Vec<(String, i64)>,
    counters: Vec<(String, &'static str)>,
    seq: i64,
}

fn hall_families(out: &mut Exposition, now: &HallNow) {
    out.family("motcua_waiting", "gauge", "Tickets waiting now, per field.");
    for (service, n) in &now.waiting {
        out.sample("motcua_waiting", &[("service", service)], n);
    }
    out.family(
        "motcua_tickets_today",
        "gauge",
        "Tickets of the local day, per status.",
    );
    for (status, n) in &now.statuses {
        out.sample("motcua_tickets_today", &[("status", status)], n);
    }
    out.family(
        "motcua_counter_state",
        "gauge",
        "1 for the state each counter is in.",
    );
    for (no, state) in &now.counters {
        for s in ["open", "paused", "closed"] {
            out.sample(
                "motcua_counter_state",
                &[("counter", no), ("state", s)],
                u8::from(s == *state),
            );
        }
    }
    out.family(
        "motcua_event_seq",
        "counter",
        "Sequence number of the last event in the log.",
    );
    out.sample("motcua_event_seq", &[], now.seq);
}

fn uplink_families(out: &mut Exposition, uplink: &crate::uplink::Uplink) {
    let up = uplink.status();
    out.family(
        "motcua_uplink_enabled",
        "gauge",
        "1 when the hall reports to the city's collector.",
    );
    out.sample("motcua_uplink_enabled", &[], u8::from(up.enabled));
    out.family(
        "motcua_uplink_acked_seq",
        "gauge",
        "The last event of the log the city has acknowledged.",
    );
    out.sample("motcua_uplink_acked_seq", &[], up.acked_seq);
    out.family(
        "motcua_uplink_backlog_events",
        "gauge",
        "Events not yet acknowledged by the city.",
    );
    out.sample("motcua_uplink_backlog_events", &[], up.backlog);
    out.family(
        "motcua_uplink_failures_total",
        "counter",
        "Batches the city did not take (unreachable or refused), since the start.",
    );
    out.sample("motcua_uplink_failures_total", &[], uplink.failures());
}

fn printer_families(out: &mut Exposition, printers: &[crate::printing::PrinterView]) {
    out.family(
        "motcua_printer_connected",
        "gauge",
        "1 when the printer's agent is connected (or a direct printer answered last time).",
    );
    out.family(
        "motcua_printer_online",
        "gauge",
        "1 when the printer last said it is online.",
    );
    out.family(
        "motcua_printer_paper_near_end",
        "gauge",
        "1 when the printer last said its paper is nearly out.",
    );
    out.family(
        "motcua_printer_paper_out",
        "gauge",
        "1 when the printer last said it is out of paper.",
    );
    for p in printers {
        let labels = [("printer", p.name.as_str())];
        let report = p.report.clone().unwrap_or_default();
        out.sample("motcua_printer_connected", &labels, u8::from(p.connected));
        out.sample("motcua_printer_online", &labels, u8::from(report.online));
        out.sample(
            "motcua_printer_paper_near_end",
            &labels,
            u8::from(report.paper_near_end),
        );
        out.sample(
            "motcua_printer_paper_out",
            &labels,
            u8::from(report.paper_out),
        );
    }
}

fn live_families(out: &mut Exposition, stats: &crate::live::LiveStats) {
    out.family(
        "motcua_live_sockets",
        "gauge",
        "Open WebSocket feeds, per kind.",
    );
    for (feed, gauge) in [
        ("hall", &stats.hall_sockets),
        ("counter", &stats.counter_sockets),
        ("ticket", &stats.ticket_sockets),
    ] {
        out.sample(
            "motcua_live_sockets",
            &[("feed", feed)],
            gauge.load(Ordering::Relaxed),
        );
    }
    out.family(
        "motcua_live_frames_total",
        "counter",
        "Frames sent on live feeds.",
    );
    out.sample(
        "motcua_live_frames_total",
        &[],
        stats.frames_sent.load(Ordering::Relaxed),
    );
    out.family(
        "motcua_live_resyncs_total",
        "counter",
        "Snapshots sent to feeds that fell behind.",
    );
    out.sample(
        "motcua_live_resyncs_total",
        &[],
        stats.resyncs.load(Ordering::Relaxed),
    );
    out.family(
        "motcua_live_ticket_replays_total",
        "counter",
        "Replays of the hall's estimates for phones following their tickets: one per change, shared by every phone of its fields, and one per phone connecting.",
    );
    out.sample(
        "motcua_live_ticket_replays_total",
        &[],
        stats.ticket_replays.load(Ordering::Relaxed),
    );
}
