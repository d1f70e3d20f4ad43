//! HTTP: the route table, the shared state, and `serve`.
//!
//! The API's routes and its OpenAPI document come from one place, [`api_routes`]: each
//! handler carries its `#[utoipa::path]` (address, method, body, answers), and
//! `OpenApiRouter` adds the route and its description together, so the document cannot
//! name an address the router lacks, nor the router serve one the document leaves out.

pub mod api;
pub mod booking_edge;
pub mod extract;
pub mod issuing_limits;
pub mod metrics;
pub mod pages;
pub mod plan;
pub mod stats;

pub use motcua_web::{AppError, ErrorBody};

use crate::live::Hub;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, MatchedPath, Request};
use axum::routing::post;
use motcua_store::Store;
use motcua_store::clock::Clock;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

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
    /// Whose `X-Forwarded-For` is believed (`motcua_web::client::ClientAddr`).
    pub proxies: motcua_web::client::TrustedProxies,
    /// Who holds each open socket, and devices' last signs of life (revocation).
    pub access: crate::access::Access,
    /// How fast each kiosk and member of staff may issue tickets, and the alerts.
    pub issuing: issuing_limits::IssuingLimits,
    /// Connection caps, timeouts and TLS (`motcua_web::connections`), with their counts.
    pub connections: motcua_web::connections::Connections,
    /// Password hashing, bounded, and the sign-in throttle.
    pub sign_ins: motcua_web::session::SignIns,
    /// The outside issuers' secrets and the booking page's bound per address.
    pub bookings: booking_edge::BookingEdge,
    /// The settings as they run: the file's, with the sections changed on the admin pages.
    pub setup: crate::setup::Setup,
    /// The manager's alerts and their webhook.
    pub alerts: crate::alerts::Alerts,
}

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub body_bytes: usize,
}

/// The document's frame: what the API is, its areas, and the schemas only WebSocket frames
/// use; the operations come from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua",
        description = "Máy chủ xếp hàng của một bộ phận một cửa: lấy số, gọi số, màn hình, điện thoại, thống kê.\n\n\
            The queue-ticket server of a public-service hall: tickets, calls, displays, phones and figures.\n\n\
            Staff sign in with `POST /api/session` (a session cookie); devices (kiosks, displays, print agents) send their \
            token as `Authorization: Bearer`. Every refusal is `{\"error\": {\"code\", \"message\"}}` (`ErrorBody`).",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    tags(
        (name = "kiosk", description = "Lấy số / taking a ticket"),
        (name = "counter", description = "Quầy / the clerk's console and the counter's tablet"),
        (name = "display", description = "Màn hình / the hall's and counters' displays"),
        (name = "phone", description = "Điện thoại / a citizen following their ticket"),
        (name = "manager", description = "Quản lý / figures and the hall now"),
        (name = "admin", description = "Quản trị / staff, devices and the server itself"),
        (name = "devices", description = "Thiết bị / kiosks, displays and print agents"),
        (name = "booking", description = "Đặt lịch / booking a place ahead: the booking page and outside issuers"),
    ),
    modifiers(&Credentials),
    components(schemas(
        ErrorBody,
        motcua_printer::protocol::FromAgent,
        crate::printing::KioskFrame,
        motcua_printer::protocol::ToAgent,
        crate::live::HallFrame,
        crate::live::CounterFrame,
        crate::live::TicketFrame,
        crate::live::StaffFrame,
    )),
)]
struct ApiDoc;

/// How callers say who they are: staff by the session cookie `POST /api/session` sets,
/// devices by their token (as a bearer, or `?token=` where a browser cannot set headers).
struct Credentials;

impl utoipa::Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                motcua_web::extract::SESSION_COOKIE,
                "a member of staff, signed in with POST /api/session",
            ))),
        );
        components.add_security_scheme(
            "device",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("a kiosk's, display's or print agent's token"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "issuer",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "x-motcua-signature",
                "an outside issuer's signature: hex HMAC-SHA256 of its name, x-motcua-timestamp and the body, with its secret",
            ))),
        );
        components.add_security_scheme(
            "device_query",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "token",
                "a device's token, for a WebSocket a browser opens",
            ))),
        );
    }
}

/// The API: every route with its description. The pages and the fallbacks are added by
/// [`router`].
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(api::services))
        .routes(routes!(api::issue_ticket, api::list_tickets))
        .routes(routes!(api::ticket_status))
        .routes(routes!(api::ticket_qr))
        .routes(routes!(api::call_ticket))
        .routes(routes!(api::recall_ticket))
        .routes(routes!(api::start_ticket))
        .routes(routes!(api::finish_ticket))
        .routes(routes!(api::no_show_ticket))
        .routes(routes!(api::transfer_ticket))
        .routes(routes!(api::return_ticket))
        .routes(routes!(api::hold_ticket))
        .routes(routes!(api::cancel_ticket))
        .routes(routes!(api::undo_absent))
        .routes(routes!(api::rate_ticket))
        .routes(routes!(api::reprint_ticket))
        .routes(routes!(api::unprinted_jobs))
        .routes(routes!(api::announcement))
        .routes(routes!(api::rate))
        .routes(routes!(api::make_complaint, api::list_complaints))
        .routes(routes!(api::ticket_complaints))
        .routes(routes!(api::acknowledge_complaint))
        .routes(routes!(api::resolve_complaint))
        .routes(routes!(api::list_counters))
        .routes(routes!(api::counter_detail))
        .routes(routes!(api::open_counter))
        .routes(routes!(api::close_counter))
        .routes(routes!(api::call_next))
        .routes(routes!(api::pause_counter))
        .routes(routes!(api::resume_counter))
        .routes(routes!(api::counter_dossiers, api::attach_dossier))
        .routes(routes!(api::detach_dossier))
        .routes(routes!(api::result_ticket))
        .routes(routes!(api::raise_emergency))
        .routes(routes!(api::handle_emergency))
        .routes(routes!(api::list_emergencies))
        .routes(routes!(api::ws_staff))
        .routes(routes!(api::list_alerts))
        .routes(routes!(api::post_message, api::list_messages))
        .routes(routes!(api::withdraw_message))
        .routes(routes!(api::login, api::whoami, api::logout))
        .routes(routes!(api::add_user))
        .routes(routes!(api::sign_in_locks))
        .routes(routes!(api::lift_sign_in_lock))
        .routes(routes!(api::add_device))
        .routes(routes!(api::list_users))
        .routes(routes!(api::list_devices))
        .routes(routes!(api::revoke_device))
        .routes(routes!(api::disable_user))
        .routes(routes!(api::enable_user))
        .routes(routes!(api::reset_password))
        .routes(routes!(api::change_role))
        .routes(routes!(api::begin_pairing))
        .routes(routes!(api::claim_pairing))
        .routes(routes!(api::look_up_pairing))
        .routes(routes!(api::accept_pairing))
        .routes(routes!(api::pairing_qr))
        .routes(routes!(api::audit_list))
        .routes(routes!(api::admin_settings))
        .routes(routes!(api::change_settings, api::reset_settings))
        .routes(routes!(openapi))
        .routes(routes!(api::healthz))
        .routes(routes!(metrics::metrics))
        .routes(routes!(api::ws_hall))
        .routes(routes!(api::ws_counter))
        .routes(routes!(api::ws_ticket))
        .routes(routes!(api::ws_kiosk))
        .routes(routes!(api::ws_printer))
        .routes(routes!(api::list_printers))
        .routes(routes!(stats::uplink))
        .routes(routes!(stats::range_figures))
        .routes(routes!(stats::now))
        .routes(routes!(stats::csv_export))
        .routes(routes!(stats::xlsx_export))
        .routes(routes!(stats::dossiers_csv))
        .routes(routes!(plan::plan))
        .routes(routes!(plan::predict))
        .routes(routes!(plan::save, plan::forget))
        .routes(routes!(plan::check))
        .routes(routes!(plan::csv_export))
        .routes(routes!(plan::xlsx_export))
        .routes(routes!(api::bulk_cancel))
        .routes(routes!(api::acknowledge_issuing_alert))
        .routes(routes!(api::booking_fields))
        .routes(routes!(api::booking_calendar))
        .routes(routes!(api::make_booking))
        .routes(routes!(api::booking_status))
        .routes(routes!(api::cancel_booking))
        .routes(routes!(api::booking_qr))
        .routes(routes!(api::check_in))
        .routes(routes!(api::issuer_book))
        .routes(routes!(api::issuer_cancel))
}

/// The hall's OpenAPI document, made once from [`api_routes`].
pub fn openapi_document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: std::sync::LazyLock<utoipa::openapi::OpenApi> =
        std::sync::LazyLock::new(|| {
            let mut document = api_routes().into_openapi();
            motcua_web::guard::document(&mut document);
            document
        });
    &DOCUMENT
}

/// The whole route table.
pub fn router(state: AppState) -> Router {
    let body_limit = state.limits.body_bytes;
    // Changes only from our own pages; the security headers on every answer.
    let guard = motcua_web::guard::Guard::new(
        state.proxies.clone(),
        [state.store.hall().public_url.as_str()],
    );
    let (api, _) = api_routes().split_for_parts();
    api
        // An action no route names: say so (documented as the actions themselves).
        .route(
            "/api/tickets/{id}/{action}",
            post(api::unknown_ticket_action),
        )
        .route(
            "/api/counters/{no}/{action}",
            post(api::unknown_counter_action),
        )
        .merge(pages::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            guard,
            motcua_web::guard::protect,
        ))
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

/// This document: every operation, its body and answers, and the schemas they use.
///
/// Who may call: anyone.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "admin",
    responses((status = 200, description = "the OpenAPI 3.1 document", body = Object)),
)]
async fn openapi() -> axum::Json<&'static utoipa::openapi::OpenApi> {
    axum::Json(openapi_document())
}

async fn not_found() -> AppError {
    AppError::not_found("no_route", "no such address")
}

async fn method_not_allowed() -> AppError {
    AppError::MethodNotAllowed
}

/// Serve `router` on `listener` until `shutdown` resolves, behind the connection guard
/// (`motcua_web::connections`: caps, timeouts, TLS).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let hub = state.hub.clone();
    let shutdown = async move {
        shutdown.await;
        // Upgraded sockets outlive the HTTP server: close them too.
        hub.close_all();
    };
    let connections = state.connections.clone();
    // The server's own printers and the sweep of jobs nobody will print, while serving.
    let _printing = state.printing.start(&state.store);
    let _unanswered = let_go_unanswered(&state);
    // The alerts' checks and their webhook's sender, while serving.
    let _alerts = state.alerts.start(&state);
    motcua_web::connections::serve(listener, router(state), connections, shutdown).await
}

/// How often a quiet hall looks for citizens called the set number of times who never came.
const UNANSWERED_EVERY: std::time::Duration = std::time::Duration::from_secs(20);

/// While serving: an empty command now and then, so the sweep that runs before every batch
/// (`app::day_rules::sweep_unanswered`: citizens called `[queue].absent_after_calls` times
/// who never came) runs in a quiet hall too. Each tick reads the hall's rule as it stands
/// (the admin page may turn it on or off) and does nothing while it is off. Stopped when
/// the answer is dropped.
fn let_go_unanswered(state: &AppState) -> AbortOnDrop {
    let app = state.app.clone();
    AbortOnDrop(tokio::spawn(async move {
        let mut every = tokio::time::interval(UNANSWERED_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if app.hall().recall.absent_after_calls == 0 {
                continue;
            }
            if let Err(e) = app.run(|_| Ok(())).await {
                tracing::warn!(error = %e, "the sweep of unanswered calls failed");
            }
        }
    }))
}

/// A background task, stopped with its handle.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
