//! The JSON API's handlers: each validates its input into domain values, checks who is
//! asking, and hands the change to the store's writer (or a read to a reader).

use motcua_domain::Error;
use super::AppError;
use super::extract::{Admin, Body, Caller, Issuer, Path, Query, SESSION_COOKIE, StaffUser};
use motcua_store::clock::Clock;
use motcua_domain::{Action, CounterNo, DeviceKind, Priority, Role, ServiceCode};
use crate::live::{Feed, Hub, run_feed};
use crate::printing::Printing;
use crate::app::queue::{self, Staff};
use crate::app::{App, views};
use motcua_store::{Store, accounts, events, millis, tickets};
use axum::Json;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;

fn service_code(hall: &motcua_domain::Hall, code: &str) -> Result<ServiceCode, AppError> {
    ServiceCode::try_from(code.to_owned())
        .ok()
        .filter(|c| hall.service(c).is_some())
        .ok_or_else(|| {
            AppError::invalid("unknown_service", format!("no field has the code {code:?}"))
        })
}

fn counter_no(hall: &motcua_domain::Hall, no: &str) -> Result<CounterNo, AppError> {
    no.parse::<CounterNo>()
        .ok()
        .filter(|n| hall.counter(*n).is_some())
        .ok_or_else(|| {
            AppError::not_found(
                "counter_not_found",
                format!("no counter {no:?} in this hall"),
            )
        })
}

/// Ticket tokens are 32 lowercase hex digits; anything else cannot be a ticket.
fn ticket_token(token: &str) -> Result<String, AppError> {
    if token.len() == 32
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(token.to_owned())
    } else {
        Err(AppError::not_found("ticket_not_found", "no such ticket"))
    }
}

fn staff(user: &accounts::User) -> Staff {
    Staff {
        user_id: user.id,
        role: user.role,
    }
}

pub async fn services(
    State(store): State<Store>,
    State(announcer): State<crate::announce::Announcer>,
) -> Result<Json<serde_json::Value>, AppError> {
    let hall = store.hall.clone();
    let list = store.read(move |conn| views::services(conn, &hall)).await?;
    Ok(Json(json!({
        "hall": store.hall.name,
        "timezone": store.hall.tz.name(),
        "rating_scale": store.hall.rating_scale,
        "notice": store.hall.notice,
        "announcements": {"volume": announcer.volume, "chime": announcer.chime},
        "priorities": Priority::ALL.iter().map(|p| json!({"code": p, "label_vi": p.label().0, "label_en": p.label().1})).collect::<Vec<_>>(),
        "services": list,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    service: String,
    #[serde(default)]
    priority: Option<String>,
    /// Chosen by the kiosk for each citizen's request and sent again on a retry: the same
    /// id never issues a second ticket.
    #[serde(default)]
    request_id: Option<String>,
}

#[tracing::instrument(skip_all, fields(service = %req.service))]
pub async fn issue_ticket(
    State(app): State<App>,
    State(printing): State<Printing>,
    issuer: Issuer,
    Body(req): Body<IssueRequest>,
) -> Result<Response, AppError> {
    let issued_by = issuer.issued_by;
    let service = service_code(&app.hall, &req.service)?;
    let priority = match req.priority.as_deref() {
        None => Priority::None,
        Some(p) => Priority::parse(p).ok_or_else(|| {
            AppError::invalid("unknown_priority", format!("priority is one of none, elderly, disabled, pregnant, war_invalid, meritorious, not {p:?}"))
        })?,
    };
    let request_id = match req.request_id {
        Some(id)
            if (1..=64).contains(&id.len())
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            Some(id)
        }
        Some(_) => {
            return Err(AppError::invalid(
                "bad_request_id",
                "a request id is 1 to 64 letters, digits, - or _",
            ));
        }
        None => None,
    };
    let Some(kiosk) = issuer.kiosk else {
        let (issued, _) = app
            .run(move |ctx| {
                queue::issue_once(ctx, &service, priority, issued_by, request_id.as_deref())
            })
            .await?;
        return Ok((StatusCode::CREATED, Json(issued)).into_response());
    };
    let (footer, kiosk_id) = (printing.footer().to_owned(), kiosk.id);
    let queue::KioskTicket { issued, paper, job } = app
        .run(move |ctx| {
            let request_id = request_id.as_deref();
            queue::issue_at_kiosk(ctx, &service, priority, request_id, kiosk_id, &footer)
        })
        .await?;
    let print = match job {
        Ok(job) => {
            printing
                .dispatch(&app.store, kiosk.id, &kiosk.name, job, &paper)
                .await
        }
        Err(known) => known,
    };
    let mut body = serde_json::to_value(&issued).map_err(AppError::internal)?;
    body["print"] = serde_json::to_value(&print).map_err(AppError::internal)?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Printers and what they last said (managers and admins).
pub async fn list_printers(
    State(store): State<Store>,
    State(printing): State<Printing>,
    caller: Caller,
) -> Result<Json<serde_json::Value>, AppError> {
    caller.reader()?;
    Ok(Json(json!({"printers": printing.printers(&store).await?})))
}

#[derive(Deserialize)]
pub struct TokenParam {
    token: Option<String>,
}

/// A device by the token in `Authorization: Bearer` or, for browsers that cannot set
/// headers on a WebSocket, `?token=`.
async fn device_of(
    store: &Store,
    caller: Caller,
    query: TokenParam,
) -> Result<accounts::Device, AppError> {
    if let Caller::Device(device) = caller {
        return Ok(device);
    }
    if matches!(caller, Caller::Staff(_)) && query.token.is_none() {
        return Err(AppError::forbidden("this link is a device's own"));
    }
    let token = query
        .token
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .ok_or(AppError::Command(Error::Unauthenticated))?;
    store
        .read(move |conn| accounts::device_by_token(conn, &token))
        .await?
        .ok_or(AppError::Command(Error::Unauthenticated))
}

/// The print agent's link: jobs out, results and printer status in.
pub async fn ws_printer(
    ws: Upgrade,
    State(store): State<Store>,
    State(printing): State<Printing>,
    State(hub): State<Hub>,
    caller: Caller,
    Query(query): Query<TokenParam>,
) -> Result<Response, AppError> {
    let printer = device_of(&store, caller, query).await?;
    let kiosk_id = match (printer.kind, printer.kiosk_id) {
        (DeviceKind::Printer, Some(kiosk)) => kiosk,
        _ => return Err(AppError::forbidden("only a printer may take print jobs")),
    };
    Ok(upgrade(ws)?.on_upgrade(move |socket| {
        crate::printing::serve_agent(
            socket,
            store,
            printing,
            printer.name,
            kiosk_id,
            hub.closing(),
        )
    }))
}

/// The kiosk's own feed: its print results and its printer's state.
pub async fn ws_kiosk(
    ws: Upgrade,
    State(store): State<Store>,
    State(printing): State<Printing>,
    State(hub): State<Hub>,
    caller: Caller,
    Query(query): Query<TokenParam>,
) -> Result<Response, AppError> {
    let kiosk = device_of(&store, caller, query).await?;
    if kiosk.kind != DeviceKind::Kiosk {
        return Err(AppError::forbidden("only a kiosk has a kiosk feed"));
    }
    Ok(upgrade(ws)?.on_upgrade(move |socket| {
        crate::printing::serve_kiosk(socket, store, printing, kiosk, hub.closing())
    }))
}

/// The ticket's QR code (its status page's address), as SVG for the kiosk's screen.
pub async fn ticket_qr(
    State(store): State<Store>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let token = ticket_token(&token)?;
    let lookup = token.clone();
    let found = store
        .read(move |conn| tickets::by_token(conn, &lookup))
        .await?;
    if found.is_none() {
        return Err(AppError::not_found("ticket_not_found", "no such ticket"));
    }
    let url = store.hall.ticket_url(&token);
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(AppError::internal)?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(([(axum::http::header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

#[derive(Deserialize)]
pub struct AnnouncementQuery {
    code: String,
    counter: String,
}

/// The spoken call for a ticket code at a counter, as WAV (displays fetch it on each call).
pub async fn announcement(
    State(store): State<Store>,
    State(announcer): State<crate::announce::Announcer>,
    Query(q): Query<AnnouncementQuery>,
) -> Result<Response, AppError> {
    let counter = counter_no(&store.hall, &q.counter)?;
    let valid = (1..=9).contains(&q.code.len())
        && q.code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !valid {
        return Err(AppError::invalid(
            "bad_code",
            "a ticket code is 1 to 9 capital letters or digits",
        ));
    }
    let audio = announcer
        .speak(crate::announce::phrase(&q.code, counter.get()))
        .await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "audio/wav"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        audio,
    )
        .into_response())
}

pub async fn ticket_status(
    State(store): State<Store>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let token = ticket_token(&token)?;
    let hall = store.hall.clone();
    let view = store
        .read::<_, AppError, _>(move |conn| {
            let t = tickets::by_token(conn, &token)?
                .ok_or_else(|| AppError::not_found("ticket_not_found", "no such ticket"))?;
            Ok(views::ticket_view(conn, &hall, &t)?)
        })
        .await?;
    citizen_json(StatusCode::OK, &view)
}

/// A ticket answered to its holder: see [`crate::live::citizen_view`].
fn citizen_json(status: StatusCode, view: &views::TicketView) -> Result<Response, AppError> {
    Ok((
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        crate::live::citizen_view(view)?,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct TicketFilter {
    status: Option<String>,
    service: Option<String>,
}

/// Today's tickets (staff): the waiting list and what happened to the rest.
pub async fn list_tickets(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    _staff: StaffUser,
    Query(filter): Query<TicketFilter>,
) -> Result<Json<serde_json::Value>, AppError> {
    let status = match filter.status.as_deref() {
        None => None,
        Some(s) => Some(
            motcua_domain::Status::parse(s)
                .ok_or_else(|| AppError::invalid("unknown_status", format!("no status {s:?}")))?,
        ),
    };
    let service = filter
        .service
        .as_deref()
        .map(|s| service_code(&store.hall, s))
        .transpose()?;
    let hall = store.hall.clone();
    let day = motcua_domain::numbering::local_day(clock.now(), hall.tz).to_string();
    let tickets = store
        .read(move |conn| {
            let rows = tickets::of_day(conn, &day, status, service.as_ref())?;
            views::queue_views(conn, &hall, &rows)
        })
        .await?;
    Ok(Json(json!({"tickets": tickets})))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    counter: Option<u16>,
    service: Option<String>,
    /// For `rate`: the citizen's level on the hall's scale.
    level: Option<u8>,
}

#[tracing::instrument(skip_all, fields(ticket = %id, action = %action))]
pub async fn ticket_action(
    State(app): State<App>,
    StaffUser(user): StaffUser,
    Path((id, action)): Path<(String, String)>,
    Body(body): Body<ActionBody>,
) -> Result<Json<views::TicketView>, AppError> {
    let staff = staff(&user);
    let id: i64 = id
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::not_found("ticket_not_found", format!("no ticket {id:?}")))?;
    if action == "rate" {
        let level = body
            .level
            .ok_or_else(|| AppError::invalid("missing_level", "say the rating: {\"level\": 5}"))?;
        let scale = app.hall.rating_scale;
        if !(1..=scale).contains(&level) {
            return Err(AppError::invalid(
                "bad_rating",
                format!("a rating is 1 to {scale} on this hall's scale"),
            ));
        }
        let view = app
            .run(move |ctx| queue::rate_at_counter(ctx, id, level, &staff))
            .await?;
        return Ok(Json(view));
    }
    let action = match action.as_str() {
        "call" => {
            let no = body.counter.ok_or_else(|| {
                AppError::invalid(
                    "missing_counter",
                    "say which counter calls: {\"counter\": 3}",
                )
            })?;
            Action::Call {
                counter: counter_no(&app.hall, &no.to_string())?,
            }
        }
        "recall" => Action::Recall,
        "start" => Action::Start,
        "finish" => Action::Finish,
        "no-show" => Action::NoShow,
        "return" => Action::Return,
        "cancel" => Action::Cancel,
        "transfer" => {
            let to = body.service.ok_or_else(|| {
                AppError::invalid(
                    "missing_service",
                    "say which field to transfer to: {\"service\": \"B\"}",
                )
            })?;
            Action::Transfer {
                to: service_code(&app.hall, &to)?,
            }
        }
        other => {
            return Err(AppError::not_found(
                "unknown_action",
                format!(
                    "no action {other:?}: call, recall, start, finish, no-show, transfer, return, cancel"
                ),
            ));
        }
    };
    let view = app
        .run(move |ctx| queue::act(ctx, id, action, &staff))
        .await?;
    Ok(Json(view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    token: String,
    level: u8,
    #[serde(default)]
    comment: Option<String>,
}

/// The most a rating comment may hold, in characters.
const COMMENT_MAX: usize = 500;

/// A citizen rates their served ticket; the token is the credential.
pub async fn rate(
    State(app): State<App>,
    Body(req): Body<RatingRequest>,
) -> Result<Response, AppError> {
    let token = ticket_token(&req.token)?;
    let comment = req
        .comment
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if comment
        .as_ref()
        .is_some_and(|c| c.chars().count() > COMMENT_MAX)
    {
        return Err(AppError::invalid(
            "comment_too_long",
            format!("a comment has at most {COMMENT_MAX} characters"),
        ));
    }
    let level = req.level;
    let view = app
        .run(move |ctx| queue::rate(ctx, &token, level, comment))
        .await?;
    citizen_json(StatusCode::CREATED, &view)
}

pub async fn list_counters(
    State(store): State<Store>,
) -> Result<Json<serde_json::Value>, AppError> {
    let hall = store.hall.clone();
    let counters = store
        .read(move |conn| {
            hall.counters
                .iter()
                .map(|c| views::counter_view(conn, &hall, c.no))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(Json(json!({"counters": counters})))
}

pub async fn counter_detail(
    State(store): State<Store>,
    Path(no): Path<String>,
) -> Result<Json<views::CounterSnapshot>, AppError> {
    let no = counter_no(&store.hall, &no)?;
    let hall = store.hall.clone();
    Ok(Json(
        store
            .read(move |conn| views::counter_snapshot(conn, &hall, no))
            .await?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterBody {
    /// Why the counter pauses (only for pause).
    reason: Option<String>,
}

#[tracing::instrument(skip_all, fields(counter = %no, action = %action))]
pub async fn counter_action(
    State(app): State<App>,
    StaffUser(user): StaffUser,
    Path((no, action)): Path<(String, String)>,
    Body(body): Body<CounterBody>,
) -> Result<Response, AppError> {
    let staff = staff(&user);
    let no = counter_no(&app.hall, &no)?;
    let view = match action.as_str() {
        "open" => {
            app
                .run(move |ctx| queue::open_counter(ctx, no, &staff))
                .await?
        }
        "close" => {
            app
                .run(move |ctx| queue::close_counter(ctx, no, &staff))
                .await?
        }
        "resume" => {
            app
                .run(move |ctx| queue::resume_counter(ctx, no, &staff))
                .await?
        }
        "pause" => {
            let reason = body.reason.unwrap_or_default().trim().to_owned();
            if reason.is_empty()
                || reason.chars().count() > 100
                || reason.chars().any(char::is_control)
            {
                return Err(AppError::invalid(
                    "bad_reason",
                    "a pause reason is 1 to 100 characters, e.g. lunch, meeting, system_fault",
                ));
            }
            app
                .run(move |ctx| queue::pause_counter(ctx, no, &staff, &reason))
                .await?
        }
        "call-next" => {
            return match app
                .run(move |ctx| queue::call_next(ctx, no, &staff))
                .await?
            {
                Some(ticket) => Ok(Json(ticket).into_response()),
                None => Ok(StatusCode::NO_CONTENT.into_response()),
            };
        }
        other => {
            return Err(AppError::not_found(
                "unknown_action",
                format!("no counter action {other:?}: open, close, call-next, pause, resume"),
            ));
        }
    };
    Ok(Json(view).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    name: String,
    password: String,
}

pub async fn login(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    jar: CookieJar,
    Body(req): Body<LoginRequest>,
) -> Result<Response, AppError> {
    if req.name.len() > 256 || req.password.len() > 1024 {
        return Err(AppError::Command(Error::WrongPassword));
    }
    let name = req.name.clone();
    let found = store
        .read(move |conn| accounts::user_for_login(conn, &name))
        .await?;
    // Verify off the async workers: argon2 is slow on purpose.
    let password = req.password;
    let user = tokio::task::spawn_blocking(move || {
        found.and_then(|(user, hash)| motcua_web::accounts::verify_password(&hash, &password).then_some(user))
    })
    .await
    .map_err(AppError::internal)?;
    let Some(user) = user else {
        return Err(AppError::Command(Error::WrongPassword));
    };
    let now = millis(clock.now());
    let user_id = user.id;
    let token = store
        .write(move |ctx| accounts::create_session(ctx.conn, user_id, now))
        .await?;
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .build();
    Ok((jar.add(cookie), Json(json!({"user": user}))).into_response())
}

pub async fn whoami(
    State(store): State<Store>,
    caller: Caller,
) -> Result<Json<serde_json::Value>, AppError> {
    match caller {
        Caller::Staff(user) => {
            // The counter this clerk holds, so a console reloaded mid-day goes straight back.
            let id = user.id;
            let counter = store
                .read(move |conn| motcua_store::counters::held_by(conn, id))
                .await?;
            Ok(Json(json!({"user": user, "counter": counter})))
        }
        Caller::Device(device) => Ok(Json(json!({"device": device}))),
        Caller::Nobody => Err(AppError::Command(Error::Unauthenticated)),
    }
}

pub async fn logout(State(store): State<Store>, jar: CookieJar) -> Result<Response, AppError> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        let token = cookie.value().to_owned();
        store
            .write(move |ctx| accounts::delete_session(ctx.conn, &token))
            .await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, StatusCode::NO_CONTENT).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    name: String,
    role: String,
    password: String,
}

pub async fn add_user(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    _admin: Admin,
    Body(req): Body<NewUser>,
) -> Result<Response, AppError> {
    let role = Role::parse(&req.role)
        .ok_or_else(|| AppError::invalid("unknown_role", "role is admin, manager or clerk"))?;
    let now = millis(clock.now());
    let (name, password) = (req.name.clone(), req.password);
    let hash = tokio::task::spawn_blocking(move || motcua_web::accounts::new_user_hash(&name, &password))
        .await
        .map_err(AppError::internal)??;
    let user = store
        .write(move |ctx| motcua_web::accounts::insert_user(ctx.conn, &req.name, role, &hash, now))
        .await?;
    Ok((StatusCode::CREATED, Json(json!({"user": user}))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    name: String,
    kind: String,
    /// For a printer: the name of the kiosk whose tickets it prints.
    #[serde(default)]
    kiosk: Option<String>,
}

pub async fn add_device(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    _admin: Admin,
    Body(req): Body<NewDevice>,
) -> Result<Response, AppError> {
    let kind = DeviceKind::parse(&req.kind)
        .ok_or_else(|| AppError::invalid("unknown_kind", "kind is kiosk, display or printer"))?;
    let now = millis(clock.now());
    let (device, token) = store
        .write::<_, AppError, _>(move |ctx| match (kind, req.kiosk.as_deref()) {
            (DeviceKind::Printer, Some(kiosk)) => {
                Ok(motcua_web::accounts::add_printer(ctx.conn, &req.name, kiosk, now)?)
            }
            (DeviceKind::Printer, None) => Err(AppError::invalid(
                "missing_kiosk",
                "a printer prints for a kiosk: add \"kiosk\": \"<kiosk name>\"",
            )),
            (_, Some(_)) => Err(AppError::invalid(
                "unexpected_kiosk",
                "only a printer belongs to a kiosk",
            )),
            (_, None) => Ok(motcua_web::accounts::add_device(ctx.conn, &req.name, kind, now)?),
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"device": device, "token": token})),
    )
        .into_response())
}

pub async fn healthz(State(store): State<Store>) -> Result<Json<serde_json::Value>, AppError> {
    let seq = store.read(events::last_seq).await?;
    Ok(Json(json!({"status": "ok", "seq": seq})))
}

/// A WebSocket handshake, or our JSON error for a plain request to a feed.
type Upgrade = Result<WebSocketUpgrade, WebSocketUpgradeRejection>;

fn upgrade(ws: Upgrade) -> Result<WebSocketUpgrade, AppError> {
    ws.map_err(|rejection| AppError::BadRequest {
        code: "not_a_websocket",
        message: format!(
            "this address is a WebSocket feed: {}",
            rejection.body_text()
        ),
    })
}

pub async fn ws_hall(
    ws: Upgrade,
    State(store): State<Store>,
    State(hub): State<Hub>,
) -> Result<Response, AppError> {
    Ok(upgrade(ws)?.on_upgrade(move |socket| run_feed(socket, store, hub, Feed::Hall)))
}

pub async fn ws_counter(
    ws: Upgrade,
    State(store): State<Store>,
    State(hub): State<Hub>,
    Path(no): Path<String>,
) -> Result<Response, AppError> {
    let no = counter_no(&store.hall, &no)?;
    Ok(upgrade(ws)?.on_upgrade(move |socket| run_feed(socket, store, hub, Feed::Counter(no))))
}

pub async fn ws_ticket(
    ws: Upgrade,
    State(store): State<Store>,
    State(hub): State<Hub>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let token = ticket_token(&token)?;
    let lookup = token.clone();
    let ticket = store
        .read(move |conn| tickets::by_token(conn, &lookup))
        .await?;
    let ticket = ticket.ok_or_else(|| AppError::not_found("ticket_not_found", "no such ticket"))?;
    Ok(upgrade(ws)?.on_upgrade(move |socket| {
        run_feed(
            socket,
            store,
            hub,
            Feed::Ticket {
                id: ticket.id,
                token,
            },
        )
    }))
}
