//! HTTP: the route table, the shared state, and `serve`.

pub mod api;
pub mod extract;
pub mod metrics;
pub mod pages;
pub mod stats;

pub use motcua_web::AppError;

use motcua_store::clock::Clock;
use crate::live::Hub;
use motcua_store::Store;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, MatchedPath, Request};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

/// Everything a handler may need; handlers take only their part through `FromRef`.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub app: crate::app::App,
    pub store: Store,
    pub hub: Hub,
    pub clock: Arc<dyn Clock>,
    pub limits: Limits,
    pub printing: crate::printing::Printing,
    pub announcer: crate::announce::Announcer,
    /// The report to the city (disabled unless started).
    pub uplink: crate::uplink::Uplink,
}

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub body_bytes: usize,
}

/// The OpenAPI description of this API.
pub const OPENAPI: &str = include_str!("../../openapi.json");

/// The whole route table.
pub fn router(state: AppState) -> Router {
    let body_limit = state.limits.body_bytes;
    Router::new()
        .route("/api/services", get(api::services))
        .route(
            "/api/tickets",
            post(api::issue_ticket).get(api::list_tickets),
        )
        .route("/api/tickets/{token}", get(api::ticket_status))
        .route("/api/tickets/{id}/{action}", post(api::ticket_action))
        .route("/api/tickets/{token}/qr.svg", get(api::ticket_qr))
        .route("/api/announcements", get(api::announcement))
        .route("/api/ratings", post(api::rate))
        .route("/api/counters", get(api::list_counters))
        .route("/api/counters/{no}", get(api::counter_detail))
        .route("/api/counters/{no}/{action}", post(api::counter_action))
        .route(
            "/api/session",
            post(api::login).get(api::whoami).delete(api::logout),
        )
        .route("/api/users", post(api::add_user))
        .route("/api/devices", post(api::add_device))
        .route("/api/openapi.json", get(openapi))
        .route("/healthz", get(api::healthz))
        .route("/metrics", get(metrics::metrics))
        .route("/ws/hall", get(api::ws_hall))
        .route("/ws/counters/{no}", get(api::ws_counter))
        .route("/ws/tickets/{token}", get(api::ws_ticket))
        .route("/ws/kiosk", get(api::ws_kiosk))
        .route("/ws/printer", get(api::ws_printer))
        .route("/api/printers", get(api::list_printers))
        .route("/api/uplink", get(stats::uplink))
        .route("/api/stats", get(stats::range_figures))
        .route("/api/stats/now", get(stats::now))
        .route("/api/stats.csv", get(stats::csv_export))
        .route("/api/stats.xlsx", get(stats::xlsx_export))
        .merge(pages::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let path = req
                .extensions()
                .get::<MatchedPath>()
                .map(MatchedPath::as_str)
                .unwrap_or("unmatched");
            tracing::info_span!("http", method = %req.method(), path)
        }))
        .with_state(state)
}

async fn openapi() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
}

async fn not_found() -> AppError {
    AppError::not_found("no_route", "no such address")
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

/// Serve `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Live frames are small and should leave at once: no Nagle delay.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let hub = state.hub.clone();
    let shutdown = async move {
        shutdown.await;
        // Upgraded sockets outlive the HTTP server: close them too.
        hub.close_all();
    };
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
