//! The collector's HTTP side: halls post signed batches; the city office signs in and
//! reads every hall's figures side by side, one hall in detail, and the exports.

use super::store::{self as city_store, Check, CityStore, HallRow};
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
use include_dir::{Dir, include_dir};
use motcua_domain::Error;
use motcua_domain::Role;
use motcua_domain::numbering::local_day;
use motcua_domain::stats::{self as domain_stats, Figures, Setup};
use motcua_store::accounts::User;
use motcua_store::clock::Clock;
use motcua_store::{millis, stats as stored};
use motcua_web::Exposition;
use motcua_web::extract::{Body, Path, Query, SESSION_COOKIE};
use motcua_web::figures::{self as hall_stats, RangeQuery, StatsView};
use motcua_web::pages::file;
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

static PAGES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../city-web");
/// The hall dashboard's modules the city's page reuses (API client, formats, charts,
/// styles, uPlot), served at `/shared/`.
static DASHBOARD: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../dashboard-web");
const SHARED: [&str; 6] = [
    "lib.js",
    "charts.js",
    "history.js",
    "strings.js",
    "common.css",
    "vendor/uplot/",
];
static FONTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../printer/fonts");

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
        .routes(routes!(list_halls))
        .routes(routes!(overview))
        .routes(routes!(overview_csv))
        .routes(routes!(overview_xlsx))
        .routes(routes!(hall_figures))
        .routes(routes!(hall_xlsx))
        .routes(routes!(login, whoami, logout))
        .routes(routes!(openapi))
        .routes(routes!(healthz))
        .routes(routes!(metrics))
}

/// The collector's OpenAPI document, made once from [`api_routes`].
pub fn openapi_document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: std::sync::LazyLock<utoipa::openapi::OpenApi> =
        std::sync::LazyLock::new(|| api_routes().into_openapi());
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
    pub body_limit_bytes: usize,
}

impl Default for CitySettings {
    fn default() -> Self {
        CitySettings {
            max_skew_seconds: 300,
            silent_after_minutes: 60,
            tz: chrono_tz::Asia::Ho_Chi_Minh,
            body_limit_bytes: 16 * 1024 * 1024,
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
}

#[derive(Clone, FromRef)]
pub struct CityState {
    pub store: CityStore,
    pub master: Arc<Vec<u8>>,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<CitySettings>,
    pub counts: Arc<Counts>,
}

/// The collector's whole route table (the pages are in [`pages`]).
pub fn router(state: CityState) -> Router {
    let limit = state.settings.body_limit_bytes;
    let (api, _) = api_routes().split_for_parts();
    api.merge(pages())
        .fallback(|| async { AppError::not_found("no_route", "no such address") })
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// The city's dashboard (`/city/`) and its fonts: static documents, not API.
fn pages() -> Router<CityState> {
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/city/") }))
        .route("/city", get(|| async { Redirect::permanent("/city/") }))
        .route("/city/", get(|| async { file(&PAGES, "index.html") }))
        .route(
            "/city/{*path}",
            get(|Path(p): Path<String>| async move { file(&PAGES, &p) }),
        )
        .route(
            "/shared/{*path}",
            get(|Path(p): Path<String>| async move {
                let shared = SHARED
                    .iter()
                    .any(|s| p == *s || (s.ends_with('/') && p.starts_with(s)));
                if shared {
                    file(&DASHBOARD, &p)
                } else {
                    AppError::not_found("no_page", "no such page").into_response()
                }
            }),
        )
        .route(
            "/fonts/{*path}",
            get(|Path(p): Path<String>| async move { file(&FONTS, &p) }),
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

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, AppError> {
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
        (status = 413, description = "`body_too_large`", body = ErrorBody),
        (status = 422, description = "the batch does not hold together", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(hall))]
async fn receive_batch(
    State(state): State<CityState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Ack>, AppError> {
    let answer = async {
        let hall = header_text(&headers, protocol::HALL_HEADER)?.to_owned();
        tracing::Span::current().record("hall", hall.as_str());
        let timestamp_ms: i64 = header_text(&headers, protocol::TIMESTAMP_HEADER)?
            .parse()
            .map_err(|_| {
                AppError::rejected(
                    "unsigned_batch",
                    "the timestamp is milliseconds since the epoch",
                )
            })?;
        let signature = header_text(&headers, protocol::SIGNATURE_HEADER)?.to_owned();
        let master = state.master.clone();
        let now_ms = millis(state.clock.now());
        let max_skew_ms = state.settings.max_skew_seconds * 1000;
        let ack = state
            .store
            .write::<_, city_store::Error, _>(move |conn| {
                city_store::accept(
                    conn,
                    &Check {
                        master: &master,
                        now_ms,
                        max_skew_ms,
                        hall: &hall,
                        timestamp_ms,
                        signature: &signature,
                        body: &body,
                    },
                )
            })
            .await?;
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
            tracing::warn!(code = e.code(), "batch refused");
        }
    }
    answer.map(Json)
}

// ---- Signing in (the city office's own accounts) --------------------------------------

/// A member of the city office signing in.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    name: String,
    password: String,
}

/// A member of the city office.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserAnswer {
    pub user: User,
}

/// Sign in: the answer sets the session cookie (`motcua_session`).
///
/// Who may call: anyone.
#[utoipa::path(
    post,
    path = "/api/session",
    tag = "city",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in; the cookie is set", body = UserAnswer),
        (status = 401, description = "`bad_credentials`", body = ErrorBody),
        (status = 422, description = "`invalid_body`", body = ErrorBody),
    ),
)]
async fn login(
    State(state): State<CityState>,
    jar: CookieJar,
    Body(req): Body<LoginRequest>,
) -> Result<Response, AppError> {
    let now = millis(state.clock.now());
    let sign_in = session::SignIn {
        name: req.name,
        password: req.password,
    };
    let (user, jar) = session::sign_in(&state.store, jar, sign_in, now).await?;
    Ok((jar, Json(UserAnswer { user })).into_response())
}

async fn signed_in(state: &CityState, jar: &CookieJar) -> Result<User, AppError> {
    let now = millis(state.clock.now());
    session::staff_of(&state.store, jar, now)
        .await?
        .ok_or(AppError::Command(Error::Unauthenticated))
}

/// The city office: admins and managers read the figures.
async fn reader(state: &CityState, jar: &CookieJar) -> Result<User, AppError> {
    let user = signed_in(state, jar).await?;
    if matches!(user.role, Role::Admin | Role::Manager) {
        Ok(user)
    } else {
        Err(AppError::forbidden(
            "the city office's managers and admins only",
        ))
    }
}

/// Who the session cookie belongs to.
///
/// Who may call: a signed-in member of the city office.
#[utoipa::path(
    get,
    path = "/api/session",
    tag = "city",
    security(("session" = [])),
    responses(
        (status = 200, description = "the caller", body = UserAnswer),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    ),
)]
async fn whoami(
    State(state): State<CityState>,
    jar: CookieJar,
) -> Result<Json<UserAnswer>, AppError> {
    let user = signed_in(&state, &jar).await?;
    Ok(Json(UserAnswer { user }))
}

/// Sign out: the session ends and its cookie is removed.
///
/// Who may call: anyone (without a session it does nothing).
#[utoipa::path(
    delete,
    path = "/api/session",
    tag = "city",
    responses((status = 204, description = "signed out")),
)]
async fn logout(State(state): State<CityState>, jar: CookieJar) -> Result<Response, AppError> {
    let jar = session::sign_out(&state.store, jar).await?;
    Ok((jar, StatusCode::NO_CONTENT).into_response())
}

// ---- Reading ---------------------------------------------------------------------------

/// A registered hall and how recently it reported.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HallListed {
    pub code: String,
    pub name: String,
    pub registered_at: String,
    pub last_report_at: Option<String>,
    pub acked_seq: i64,
    pub silent: bool,
    pub minutes_since_report: Option<i64>,
}

fn listed(h: &HallRow, settings: &CitySettings, now_ms: i64) -> HallListed {
    let time = |ms| city_time(settings, ms);
    let minutes = h.last_report_at.map(|at| (now_ms - at).max(0) / 60_000);
    HallListed {
        code: h.code.clone(),
        // The name the city registered it under (the hall's own is in its profile).
        name: h.name.clone(),
        registered_at: time(h.registered_at),
        last_report_at: h.last_report_at.map(time),
        acked_seq: h.acked_seq,
        silent: minutes.is_none_or(|m| m >= settings.silent_after_minutes),
        minutes_since_report: minutes,
    }
}

/// Every registered hall.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HallList {
    pub at: String,
    /// A hall without a report for this long is shown as silent.
    pub silent_after_minutes: i64,
    pub halls: Vec<HallListed>,
}

/// Every registered hall, and which have gone silent.
///
/// Who may call: the city office's managers and admins.
#[utoipa::path(
    get,
    path = "/api/city/halls",
    tag = "city",
    security(("session" = [])),
    responses(
        (status = 200, description = "the halls", body = HallList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
    ),
)]
async fn list_halls(
    State(state): State<CityState>,
    jar: CookieJar,
) -> Result<Json<HallList>, AppError> {
    reader(&state, &jar).await?;
    let now = millis(state.clock.now());
    let halls = state.store.read(city_store::halls).await?;
    let listed: Vec<HallListed> = halls
        .iter()
        .map(|h| listed(h, &state.settings, now))
        .collect();
    Ok(Json(HallList {
        at: city_time(&state.settings, now),
        silent_after_minutes: state.settings.silent_after_minutes,
        halls: listed,
    }))
}

/// An instant as the city office reads it: RFC 3339 in the city's time zone.
fn city_time(settings: &CitySettings, ms: i64) -> String {
    motcua_store::from_millis(ms)
        .with_timezone(&settings.tz)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn today(state: &CityState) -> NaiveDate {
    local_day(state.clock.now(), state.settings.tz)
}

/// One hall's figures, from its rows in the statistics tables; the visits and spans are
/// handed back for the city's total.
fn figures_of(
    conn: &rusqlite::Connection,
    row: &HallRow,
    settings: &CitySettings,
    from: NaiveDate,
    to: NaiveDate,
    now_ms: i64,
) -> Result<HallReport, AppError> {
    let hall = row.as_hall(settings.tz);
    let visits = stored::visits(conn, row.id, from, to)?;
    let spans = stored::spans(conn, row.id, from, to)?;
    let targets: BTreeMap<String, u32> = hall
        .services
        .iter()
        .map(|s| (s.code.to_string(), s.target_wait_minutes))
        .collect();
    let report = domain_stats::report(
        &visits,
        &spans,
        &Setup {
            tz: hall.tz,
            scale: hall.rating_scale,
            targets: &targets,
            now: now_ms,
        },
    );
    Ok(HallReport {
        hall,
        report,
        visits,
        spans,
        targets,
    })
}

struct HallReport {
    hall: motcua_domain::Hall,
    report: domain_stats::Report,
    visits: Vec<domain_stats::Visit>,
    spans: Vec<domain_stats::Span>,
    targets: BTreeMap<String, u32>,
}

/// A hall's line of the overview: the hall, who waits there now, its figures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HallFigures {
    #[serde(flatten)]
    pub hall: HallListed,
    pub waiting_now: u64,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Every hall's figures side by side, and the city's.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Overview {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub generated_at: String,
    pub silent_after_minutes: i64,
    pub total: Figures,
    pub halls: Vec<HallFigures>,
}

async fn overview_of(state: &CityState, q: &RangeQuery) -> Result<Overview, AppError> {
    let (from, to) = hall_stats::range(q, today(state))?;
    let settings = state.settings.clone();
    let now = millis(state.clock.now());
    let day = today(state).to_string();
    state
        .store
        .read::<_, AppError, _>(move |conn| {
            let halls = city_store::halls(conn)?;
            let waiting = city_store::waiting_now(conn, &day)?;
            let mut all_visits = Vec::new();
            let mut all_spans = Vec::new();
            let mut rows = Vec::new();
            let mut targets: BTreeMap<String, u32> = BTreeMap::new();
            for h in &halls {
                let r = figures_of(conn, h, &settings, from, to, now)?;
                // The city's total counts every hall's visits together, each against its
                // own hall's targets: fields are told apart by hall.
                for (code, minutes) in r.targets {
                    targets.insert(format!("{}/{code}", h.id), minutes);
                }
                all_visits.extend(r.visits.into_iter().map(|mut v| {
                    v.service = format!("{}/{}", h.id, v.service);
                    v
                }));
                all_spans.extend(r.spans.into_iter().map(|mut s| {
                    // Counter numbers repeat from hall to hall.
                    s.counter = 0;
                    s
                }));
                rows.push(HallFigures {
                    hall: listed(h, &settings, now),
                    waiting_now: waiting.get(&h.id).copied().unwrap_or(0),
                    figures: r.report.total,
                });
            }
            let total = domain_stats::report(
                &all_visits,
                &all_spans,
                &Setup {
                    tz: settings.tz,
                    scale: 5,
                    targets: &targets,
                    now,
                },
            )
            .total;
            Ok(Overview {
                from,
                to,
                generated_at: city_time(&settings, now),
                silent_after_minutes: settings.silent_after_minutes,
                total,
                halls: rows,
            })
        })
        .await
}

/// Every hall's figures side by side, and the city's.
///
/// Who may call: the city office's managers and admins.
#[utoipa::path(
    get,
    path = "/api/city/stats",
    tag = "city",
    security(("session" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "the overview", body = Overview),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
async fn overview(
    State(state): State<CityState>,
    jar: CookieJar,
    Query(q): Query<RangeQuery>,
) -> Result<Json<Overview>, AppError> {
    reader(&state, &jar).await?;
    Ok(Json(overview_of(&state, &q).await?))
}

fn overview_rows(o: &Overview) -> Vec<(String, String, &Figures)> {
    let mut rows: Vec<(String, String, &Figures)> = o
        .halls
        .iter()
        .map(|h| (h.hall.code.clone(), h.hall.name.clone(), &h.figures))
        .collect();
    rows.push(("".into(), "Toàn thành phố".into(), &o.total));
    rows
}

/// The overview as CSV.
///
/// Who may call: the city office's managers and admins.
#[utoipa::path(
    get,
    path = "/api/city/stats.csv",
    tag = "city",
    security(("session" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "a CSV download", body = String, content_type = "text/csv; charset=utf-8"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
async fn overview_csv(
    State(state): State<CityState>,
    jar: CookieJar,
    Query(q): Query<RangeQuery>,
) -> Result<Response, AppError> {
    reader(&state, &jar).await?;
    let o = overview_of(&state, &q).await?;
    let body = hall_stats::rows_csv("Mã bộ phận", &overview_rows(&o), 5)?;
    Ok(hall_stats::download(
        "text/csv; charset=utf-8",
        format!("motcua-thanh-pho-{}-{}.csv", o.from, o.to),
        body,
    ))
}

/// The overview as an Excel workbook.
///
/// Who may call: the city office's managers and admins.
#[utoipa::path(
    get,
    path = "/api/city/stats.xlsx",
    tag = "city",
    security(("session" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "an Excel download", body = [u8], content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
async fn overview_xlsx(
    State(state): State<CityState>,
    jar: CookieJar,
    Query(q): Query<RangeQuery>,
) -> Result<Response, AppError> {
    reader(&state, &jar).await?;
    let o = overview_of(&state, &q).await?;
    let body =
        tokio::task::spawn_blocking(move || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet().set_name("Các bộ phận một cửa")?;
            sheet.write_string(
                0,
                0,
                format!(
                    "{} – {} · lập lúc {}",
                    o.from.format("%d/%m/%Y"),
                    o.to.format("%d/%m/%Y"),
                    o.generated_at
                ),
            )?;
            hall_stats::rows_sheet(sheet, 2, "Mã bộ phận", &overview_rows(&o), 5)?;
            book.save_to_buffer()
        })
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok(hall_stats::download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "motcua-thanh-pho.xlsx".to_owned(),
        body,
    ))
}

async fn one_hall(state: &CityState, code: String, q: &RangeQuery) -> Result<StatsView, AppError> {
    let (from, to) = hall_stats::range(q, today(state))?;
    let settings = state.settings.clone();
    let now = millis(state.clock.now());
    state
        .store
        .read::<_, AppError, _>(move |conn| {
            let row = city_store::hall(conn, &code)?
                .ok_or_else(|| AppError::not_found("hall_not_found", "no hall has this code"))?;
            let r = figures_of(conn, &row, &settings, from, to, now)?;
            // Clerks are known to the city by their number in the hall, never by name.
            let names = BTreeMap::new();
            Ok(hall_stats::view(
                &r.hall,
                &names,
                from,
                to,
                motcua_domain::local_time(&r.hall, now),
                r.report,
            ))
        })
        .await
}

/// One hall's figures, as its own dashboard has them (clerks by number, not name).
///
/// Who may call: the city office's managers and admins.
#[utoipa::path(
    get,
    path = "/api/city/halls/{code}/stats",
    tag = "city",
    security(("session" = [])),
    params(("code" = String, Path, description = "the hall's code"), RangeQuery),
    responses(
        (status = 200, description = "the hall's figures", body = StatsView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 404, description = "`hall_not_found`", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
async fn hall_figures(
    State(state): State<CityState>,
    jar: CookieJar,
    Path(code): Path<String>,
    Query(q): Query<RangeQuery>,
) -> Result<Json<StatsView>, AppError> {
    reader(&state, &jar).await?;
    Ok(Json(one_hall(&state, code, &q).await?))
}

/// One hall's figures as an Excel workbook.
///
/// Who may call: the city office's managers and admins.
#[utoipa::path(
    get,
    path = "/api/city/halls/{code}/stats.xlsx",
    tag = "city",
    security(("session" = [])),
    params(("code" = String, Path, description = "the hall's code"), RangeQuery),
    responses(
        (status = 200, description = "an Excel download", body = [u8], content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 404, description = "`hall_not_found`", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
async fn hall_xlsx(
    State(state): State<CityState>,
    jar: CookieJar,
    Path(code): Path<String>,
    Query(q): Query<RangeQuery>,
) -> Result<Response, AppError> {
    reader(&state, &jar).await?;
    let v = one_hall(&state, code.clone(), &q).await?;
    let (from, to) = (v.from, v.to);
    let body = tokio::task::spawn_blocking(move || hall_stats::workbook(&v))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok(hall_stats::download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("motcua-{code}-{from}-{to}.xlsx"),
        body,
    ))
}

/// The collector's counts for Prometheus.
///
/// Who may call: anyone (keep it off the public network).
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "admin",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain; version=0.0.4")),
)]
async fn metrics(State(state): State<CityState>) -> Result<Response, AppError> {
    let c = &state.counts;
    let halls = state.store.read(city_store::halls).await?;
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
    let text = out.0;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
}
