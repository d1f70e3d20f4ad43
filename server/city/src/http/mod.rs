//! The collector's HTTP side: halls post signed batches; the city office signs in and
//! reads every hall's figures side by side, one hall in detail, and the exports.

use super::db::Db;
use super::store::{self as city_store, Check, HallRow};
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRef, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use chrono::NaiveDate;
use chrono_tz::Tz;
use motcua_domain::Error;
use motcua_domain::Role;
use motcua_domain::numbering::local_day;
use motcua_domain::stats::{self as domain_stats, BookingFigures, Figures, Setup};
use motcua_store::accounts::User;
use motcua_store::clock::Clock;
use motcua_store::millis;
use motcua_web::Exposition;
use motcua_web::extract::{Body, Path, Query, SESSION_COOKIE};
use motcua_web::figures::{self as hall_stats, RangeQuery, StatsView};
use motcua_web::pages::{DASHBOARD, SHARED as KIT, Wants, file};
use motcua_web::protocol::{self, Ack};
use motcua_web::session;
use motcua_web::{AppError, ErrorBody};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

// The city's page (`PAGES`), packed by build.rs; the front-end kit every page uses (served
// at `/shared/` as by the hall), the fonts, and the hall's dashboard are packed once by
// motcua-web.
include!(concat!(env!("OUT_DIR"), "/pages.rs"));
/// The hall dashboard's modules the city's page reuses, served at `/dashboard/` as the hall
/// serves them (so the same addresses work on both servers), and nothing else of that folder.
const FROM_DASHBOARD: [&str; 10] = [
    "charts.js",
    "controls.js",
    "figures.css",
    "format.js",
    "history.js",
    "official.js",
    "screen.css",
    "signin.js",
    "strings.js",
    "vendor/uplot/",
];

/// The document's frame: what the collector is and its areas; the operations come from
/// the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua",
        description = "Máy chủ thu thập của thành phố: mỗi bộ phận một cửa gửi nhật ký sự kiện đã ký; \
            văn phòng thành phố xem số liệu các bộ phận cạnh nhau.\n\n\
            The city's collector: every hall sends its signed event log; the city office reads \
            every hall's figures side by side. Every refusal is `{\"error\": {\"code\", \"message\"}}` (`ErrorBody`).",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    tags(
        (name = "city", description = "Thành phố / the city office's figures"),
        (name = "devices", description = "Bộ phận / what halls send"),
        (name = "admin", description = "Quản trị / signing in and the server itself"),
    ),
    modifiers(&Credentials),
    components(schemas(ErrorBody)),
)]
struct CityDoc;

/// How the city office says who it is: the session cookie `POST /api/session` sets. (Halls
/// sign each batch instead: see `POST /api/city/batches`.)
struct Credentials;

impl utoipa::Modify for Credentials {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "session",
                SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                    SESSION_COOKIE,
                    "a member of the city office, signed in with POST /api/session",
                ))),
            );
    }
}

/// The collector's API: every route with its description (the pages are in [`pages`]).
pub fn api_routes() -> OpenApiRouter<CityState> {
    OpenApiRouter::with_openapi(CityDoc::openapi())
        .routes(routes!(receive_batch))
        .routes(routes!(receive_days))
        .routes(routes!(list_halls))
        .routes(routes!(overview))
        .routes(routes!(overview_csv))
        .routes(routes!(overview_xlsx))
        .routes(routes!(dossiers_csv))
        .routes(routes!(hall_figures))
        .routes(routes!(hall_xlsx))
        .routes(routes!(login, whoami, logout))
        .routes(routes!(sign_in_locks))
        .routes(routes!(lift_sign_in_lock))
        .routes(routes!(openapi))
        .routes(routes!(healthz))
        .routes(routes!(metrics))
}

/// The collector's OpenAPI document, made once from [`api_routes`].
pub fn openapi_document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: std::sync::LazyLock<utoipa::openapi::OpenApi> =
        std::sync::LazyLock::new(|| {
            let mut document = api_routes().into_openapi();
            motcua_web::guard::document(&mut document);
            document
        });
    &DOCUMENT
}

/// How the collector behaves.
#[derive(Debug, Clone)]
pub struct CitySettings {
    /// How far a batch's timestamp may be from the collector's clock.
    pub max_skew_seconds: i64,
    /// A hall without a report for longer is shown as gone silent.
    pub silent_after_minutes: i64,
    /// The city's time zone (days and hours of the overview).
    pub tz: Tz,
    /// The largest body of any request but a batch.
    pub body_limit_bytes: usize,
    /// The largest batch, refused (413) before its signature is checked: see
    /// [`BATCH_LIMIT_BYTES`].
    pub batch_limit_bytes: usize,
    /// Whose `X-Forwarded-For` is believed (`motcua_web::client::ClientAddr`).
    pub trusted_proxies: motcua_web::client::TrustedProxies,
    /// Connection caps and timeouts (`motcua_web::connections`).
    pub connections: motcua_web::connections::ConnectionSettings,
    /// Built-in HTTPS (`--tls-cert`, `--tls-key`).
    pub tls: Option<motcua_web::tls::Tls>,
    /// The country's collector this one forwards its halls' days to (on PostgreSQL).
    pub upstream: Option<crate::national::Upstream>,
}

/// The largest batch a hall sends: at most 2,000 events (`city.batch_events`), the
/// largest of which is a rating with a 500-character comment (under 1.8 KiB as JSON, every
/// Vietnamese letter 3 bytes), so under 3.6 MiB even if every event were one; plus the
/// hall's profile.
pub const BATCH_LIMIT_BYTES: usize = 4 * 1024 * 1024;

impl Default for CitySettings {
    fn default() -> Self {
        CitySettings {
            max_skew_seconds: 300,
            silent_after_minutes: 60,
            tz: chrono_tz::Asia::Ho_Chi_Minh,
            body_limit_bytes: 64 * 1024,
            batch_limit_bytes: BATCH_LIMIT_BYTES,
            trusted_proxies: motcua_web::client::TrustedProxies::default(),
            connections: motcua_web::connections::ConnectionSettings::default(),
            tls: None,
            upstream: None,
        }
    }
}

/// What the collector counts for `/metrics`.
#[derive(Default)]
pub struct Counts {
    pub batches: AtomicU64,
    pub events_stored: AtomicU64,
    pub duplicates: AtomicU64,
    pub refused: AtomicU64,
    /// Batches refused, by the refusal's code (`implausible_value`, `bad_signature`, ...).
    pub refused_by: std::sync::Mutex<BTreeMap<&'static str, u64>>,
}

#[derive(Clone, FromRef)]
pub struct CityState {
    pub store: Db,
    pub master: Arc<Vec<u8>>,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<CitySettings>,
    pub counts: Arc<Counts>,
    /// Connection caps, timeouts and TLS, with their counts.
    pub connections: motcua_web::connections::Connections,
    /// Password hashing, bounded, and the sign-in throttle.
    pub sign_ins: session::SignIns,
}

impl axum::extract::FromRef<CityState> for motcua_web::client::TrustedProxies {
    fn from_ref(state: &CityState) -> Self {
        state.settings.trusted_proxies.clone()
    }
}

/// The collector's whole route table (the pages are in [`pages`]).
pub fn router(state: CityState) -> Router {
    let limit = state.settings.body_limit_bytes;
    // Changes only from the city's own pages; the security headers on every answer.
    let guard = motcua_web::guard::Guard::new(state.settings.trusted_proxies.clone(), []);
    let (api, _) = api_routes().split_for_parts();
    api.merge(pages())
        .fallback(|| async { AppError::not_found("no_route", "no such address") })
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            guard,
            motcua_web::guard::protect,
        ))
        .with_state(state)
}

/// The city's dashboard (`/city/`) and its fonts: static documents, not API.
fn pages() -> Router<CityState> {
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/city/") }))
        .route("/city", get(|| async { Redirect::permanent("/city/") }))
        .route(
            "/city/",
            get(|wants: Wants| async move { file(&PAGES, "index.html", &wants) }),
        )
        .route(
            "/city/{*path}",
            get(|Path(p): Path<String>, wants: Wants| async move { file(&PAGES, &p, &wants) }),
        )
        .route(
            "/shared/{*path}",
            get(|Path(p): Path<String>, wants: Wants| async move { file(&KIT, &p, &wants) }),
        )
        .route(
            "/dashboard/{*path}",
            get(|Path(p): Path<String>, wants: Wants| async move {
                let reused = FROM_DASHBOARD
                    .iter()
                    .any(|s| p == *s || (s.ends_with('/') && p.starts_with(s)));
                if reused {
                    file(&DASHBOARD, &p, &wants)
                } else {
                    AppError::not_found("no_page", "no such page").into_response()
                }
            }),
        )
}

/// The collector is up.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: String,
}

/// Is the collector up.
///
/// Who may call: anyone.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "admin",
    responses((status = 200, description = "up", body = Health)),
)]
async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
    })
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
async fn openapi() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(openapi_document())
}

mod batches;
mod figures;
mod metrics;
mod national;
mod sign_in;

use batches::*;
use figures::*;
use metrics::*;
use national::*;
use sign_in::*;
