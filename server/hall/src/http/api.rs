//! The JSON API's handlers: each validates its input into domain values, checks who is
//! asking, and hands the change to the store's writer (or a read to a reader).

use super::AppError;
use super::extract::{Admin, Body, Caller, Issuer, Path, Query, StaffUser};
use crate::app::queue::{self, Staff};
use crate::app::{App, views};
use crate::live::{Feed, Hub, run_feed};
use crate::printing::{PrinterView, Printing};
use axum::Json;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use motcua_domain::Error;
use motcua_domain::{Action, CounterNo, DeviceKind, Priority, Role, ServiceCode};
use motcua_store::clock::Clock;
use motcua_store::{Store, accounts, events, millis, tickets};
use motcua_web::ErrorBody;
use motcua_web::session;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

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

/// The hall as a kiosk, a display or a phone starts from: its name, fields and priorities.
#[derive(Debug, Serialize, ToSchema)]
pub struct HallInfo {
    pub hall: String,
    /// The hall's time zone (IANA name), e.g. `Asia/Ho_Chi_Minh`.
    pub timezone: String,
    /// Ratings are 1 to this.
    pub rating_scale: u8,
    /// A line the kiosk and the displays show (may be empty).
    pub notice: String,
    pub announcements: AnnouncementSettings,
    pub priorities: Vec<PriorityLabel>,
    pub services: Vec<views::ServiceView>,
}

/// How the displays speak a call.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnouncementSettings {
    /// 0 to 100.
    pub volume: u8,
    /// Ring a chime before each announcement.
    pub chime: bool,
}

/// A priority category as the kiosk offers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityLabel {
    pub code: Priority,
    pub label_vi: String,
    pub label_en: String,
}

/// The hall's fields, their queues and the priority categories.
///
/// Who may call: anyone (the kiosk, the displays and the phone page read it first).
#[utoipa::path(
    get,
    path = "/api/services",
    tags = ["kiosk", "display", "phone"],
    responses((status = 200, description = "the hall, its fields and priorities", body = HallInfo)),
)]
pub async fn services(
    State(store): State<Store>,
    State(announcer): State<crate::announce::Announcer>,
) -> Result<Json<HallInfo>, AppError> {
    let hall = store.hall.clone();
    let list = store.read(move |conn| views::services(conn, &hall)).await?;
    Ok(Json(HallInfo {
        hall: store.hall.name.clone(),
        timezone: store.hall.tz.name().to_owned(),
        rating_scale: store.hall.rating_scale,
        notice: store.hall.notice.clone(),
        announcements: AnnouncementSettings {
            volume: announcer.volume,
            chime: announcer.chime,
        },
        priorities: Priority::ALL
            .iter()
            .map(|p| PriorityLabel {
                code: *p,
                label_vi: p.label().0.to_owned(),
                label_en: p.label().1.to_owned(),
            })
            .collect(),
        services: list,
    }))
}

/// A ticket asked for at a kiosk (or by staff).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// The field's code, e.g. `A`.
    service: String,
    /// none, elderly, disabled, pregnant, war_invalid or meritorious (none when left out).
    #[serde(default)]
    priority: Option<String>,
    /// Chosen by the kiosk for each citizen's request and sent again on a retry: the same
    /// id never issues a second ticket.
    #[serde(default)]
    request_id: Option<String>,
}

/// A new ticket, and for a kiosk what became of its print job.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedTicket {
    #[serde(flatten)]
    pub issued: queue::Issued,
    /// Only when a kiosk asked: its print job (`sent` to the agent, `printed` or `failed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub print: Option<queue::PrintOutcome>,
}

/// Issue a ticket (the kiosk's button). The same `request_id` never issues a second one.
///
/// Who may call: a kiosk (its ticket is printed) or any member of staff.
#[utoipa::path(
    post,
    path = "/api/tickets",
    tag = "kiosk",
    security(("device" = []), ("session" = [])),
    request_body = IssueRequest,
    responses(
        (status = 201, description = "the ticket, its token and status page", body = IssuedTicket),
        (status = 401, description = "`unauthenticated`: no kiosk token, no session", body = ErrorBody),
        (status = 403, description = "`forbidden`: a display or a printer", body = ErrorBody),
        (status = 409, description = "the field is closed for the day, the numbers ran out, ...", body = ErrorBody),
        (status = 422, description = "`unknown_service`, `unknown_priority`, `bad_request_id`, `invalid_body`", body = ErrorBody),
    ),
)]
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
        let answer = IssuedTicket {
            issued,
            print: None,
        };
        return Ok((StatusCode::CREATED, Json(answer)).into_response());
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
    let answer = IssuedTicket {
        issued,
        print: Some(print),
    };
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// The kiosks' printers.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrinterList {
    pub printers: Vec<PrinterView>,
}

/// Printers and what they last said.
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/printers",
    tags = ["manager", "devices"],
    security(("session" = [])),
    responses(
        (status = 200, description = "every printer", body = PrinterList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
    ),
)]
pub async fn list_printers(
    State(store): State<Store>,
    State(printing): State<Printing>,
    caller: Caller,
) -> Result<Json<PrinterList>, AppError> {
    caller.reader()?;
    Ok(Json(PrinterList {
        printers: printing.printers(&store).await?,
    }))
}

/// A device's token in the query, for browsers that cannot set headers on a WebSocket.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenParam {
    /// The device's token (instead of `Authorization: Bearer`).
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

/// The print agent's link (WebSocket): jobs out, results and printer status in.
///
/// Frames sent: [`motcua_printer::protocol::ToAgent`]; frames read: [`motcua_printer::protocol::FromAgent`].
///
/// Who may call: a printer (its token as a bearer or `?token=`).
#[utoipa::path(
    get,
    path = "/ws/printer",
    tag = "devices",
    security(("device" = []), ("device_query" = [])),
    params(TokenParam),
    responses(
        (status = 101, description = "a WebSocket: `job` frames out; `status`, `done` and `failed` in", body = motcua_printer::protocol::ToAgent),
        (status = 400, description = "`not_a_websocket`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a printer", body = ErrorBody),
    ),
)]
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

/// The kiosk's own feed (WebSocket): its print results and its printer's state.
///
/// Who may call: a kiosk (its token as a bearer or `?token=`).
#[utoipa::path(
    get,
    path = "/ws/kiosk",
    tags = ["kiosk", "devices"],
    security(("device" = []), ("device_query" = [])),
    params(TokenParam),
    responses(
        (status = 101, description = "a WebSocket: a `snapshot`, then `print` and `printer` frames", body = crate::printing::KioskFrame),
        (status = 400, description = "`not_a_websocket`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a kiosk", body = ErrorBody),
    ),
)]
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
///
/// Who may call: anyone with the ticket's token.
#[utoipa::path(
    get,
    path = "/api/tickets/{token}/qr.svg",
    tag = "kiosk",
    params(("token" = String, Path, description = "the ticket's token (32 hex digits)")),
    responses(
        (status = 200, description = "the QR code", body = String, content_type = "image/svg+xml"),
        (status = 404, description = "`ticket_not_found`", body = ErrorBody),
    ),
)]
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

/// Which call to speak.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnnouncementQuery {
    /// The ticket's code, e.g. `A012`.
    code: String,
    /// The counter's number.
    counter: String,
}

/// The spoken call for a ticket code at a counter, as WAV (displays fetch it on each call).
///
/// Who may call: anyone.
#[utoipa::path(
    get,
    path = "/api/announcements",
    tag = "display",
    params(AnnouncementQuery),
    responses(
        (status = 200, description = "the call, spoken", body = [u8], content_type = "audio/wav"),
        (status = 404, description = "`counter_not_found`", body = ErrorBody),
        (status = 422, description = "`bad_code`", body = ErrorBody),
    ),
)]
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

/// A ticket as its holder sees it (the phone page): status, place and estimate.
///
/// Who may call: anyone with the ticket's token.
#[utoipa::path(
    get,
    path = "/api/tickets/{token}",
    tag = "phone",
    params(("token" = String, Path, description = "the ticket's token (32 hex digits)")),
    responses(
        (status = 200, description = "the ticket", body = views::CitizenTicket),
        (status = 404, description = "`ticket_not_found`", body = ErrorBody),
    ),
)]
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

/// Which of today's tickets to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketFilter {
    /// waiting, called, serving, served, absent or cancelled.
    status: Option<String>,
    /// A field's code.
    service: Option<String>,
}

/// Tickets, as staff see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketList {
    pub tickets: Vec<views::TicketView>,
}

/// Today's tickets: the waiting list and what happened to the rest.
///
/// Who may call: any member of staff.
#[utoipa::path(
    get,
    path = "/api/tickets",
    tag = "counter",
    security(("session" = [])),
    params(TicketFilter),
    responses(
        (status = 200, description = "today's tickets", body = TicketList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device", body = ErrorBody),
        (status = 422, description = "`unknown_status`, `unknown_service`", body = ErrorBody),
    ),
)]
pub async fn list_tickets(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    _staff: StaffUser,
    Query(filter): Query<TicketFilter>,
) -> Result<Json<TicketList>, AppError> {
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
    Ok(Json(TicketList { tickets }))
}

/// The ticket a move is for: a positive id, or no such ticket.
fn ticket_id(id: &str) -> Result<i64, AppError> {
    id.parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| AppError::not_found("ticket_not_found", format!("no ticket {id:?}")))
}

/// Move a ticket as a member of staff: the answer is the ticket as it now stands.
async fn act(
    app: &App,
    user: &accounts::User,
    id: &str,
    action: impl FnOnce(&App) -> Result<Action, AppError>,
) -> Result<Json<views::TicketView>, AppError> {
    let staff = staff(user);
    let id = ticket_id(id)?;
    let action = action(app)?;
    let view = app
        .run(move |ctx| queue::act(ctx, id, action, &staff))
        .await?;
    Ok(Json(view))
}

/// The body of a move that takes nothing but its address: `{}`, or no body at all.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NoBody {}

/// Which counter calls the ticket.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallBody {
    /// The counter's number (required).
    counter: Option<u16>,
}

/// Where a ticket goes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// The field's code (required).
    service: Option<String>,
}

/// The citizen's rating, given on the counter's tablet.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CounterRatingBody {
    /// 1 to the hall's `rating_scale` (required).
    level: Option<u8>,
    /// Ignored (the counter is the one that served the ticket); accepted, as the tablet
    /// may send it.
    #[serde(default)]
    #[allow(dead_code)]
    counter: Option<u16>,
}

/// Call this ticket to a counter (out of turn).
///
/// Who may call: a member of staff holding that counter.
#[utoipa::path(
    post,
    path = "/api/tickets/{id}/call",
    tag = "counter",
    security(("session" = [])),
    params(("id" = i64, Path, description = "the ticket's id")),
    request_body = CallBody,
    responses(
        (status = 200, description = "the ticket, called", body = views::TicketView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device, or not the counter's clerk", body = ErrorBody),
        (status = 404, description = "`ticket_not_found`, `counter_not_found`", body = ErrorBody),
        (status = 409, description = "the ticket is not waiting, the counter is busy or paused, ...", body = ErrorBody),
        (status = 422, description = "`missing_counter`, `invalid_body`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(ticket = %id, action = "call"))]
pub async fn call_ticket(
    State(app): State<App>,
    StaffUser(user): StaffUser,
    Path(id): Path<String>,
    Body(body): Body<CallBody>,
) -> Result<Json<views::TicketView>, AppError> {
    act(&app, &user, &id, |app| {
        let no = body.counter.ok_or_else(|| {
            AppError::invalid(
                "missing_counter",
                "say which counter calls: {\"counter\": 3}",
            )
        })?;
        Ok(Action::Call {
            counter: counter_no(&app.hall, &no.to_string())?,
        })
    })
    .await
}

/// A move of a ticket that takes no body, as a handler of its own.
macro_rules! plain_move {
    ($name:ident, $path:literal, $action:expr, $summary:literal, $answer:literal) => {
        #[doc = $summary]
        ///
        /// Who may call: a member of staff holding the ticket's counter (a manager or admin
        /// anywhere).
        #[utoipa::path(
            post,
            path = $path,
            tag = "counter",
            security(("session" = [])),
            params(("id" = i64, Path, description = "the ticket's id")),
            request_body = NoBody,
            responses(
                (status = 200, description = $answer, body = views::TicketView),
                (status = 401, description = "`unauthenticated`", body = ErrorBody),
                (status = 403, description = "`forbidden`: a device, or another counter's ticket", body = ErrorBody),
                (status = 404, description = "`ticket_not_found`", body = ErrorBody),
                (status = 409, description = "the move is not allowed from the ticket's status", body = ErrorBody),
                (status = 422, description = "`invalid_body`", body = ErrorBody),
            ),
        )]
        #[tracing::instrument(skip_all, fields(ticket = %id, action = $path))]
        pub async fn $name(
            State(app): State<App>,
            StaffUser(user): StaffUser,
            Path(id): Path<String>,
            Body(NoBody {}): Body<NoBody>,
        ) -> Result<Json<views::TicketView>, AppError> {
            act(&app, &user, &id, |_| Ok($action)).await
        }
    };
}

plain_move!(
    recall_ticket,
    "/api/tickets/{id}/recall",
    Action::Recall,
    "Call the ticket again (the display repeats it).",
    "the ticket, recalled"
);
plain_move!(
    start_ticket,
    "/api/tickets/{id}/start",
    Action::Start,
    "The citizen is at the counter: serving starts.",
    "the ticket, being served"
);
plain_move!(
    finish_ticket,
    "/api/tickets/{id}/finish",
    Action::Finish,
    "The citizen has been served.",
    "the ticket, served"
);
plain_move!(
    no_show_ticket,
    "/api/tickets/{id}/no-show",
    Action::NoShow,
    "The citizen did not come when called.",
    "the ticket, absent"
);
plain_move!(
    return_ticket,
    "/api/tickets/{id}/return",
    Action::Return,
    "Send the ticket back to the waiting list (the citizen must fetch a paper, ...).",
    "the ticket, waiting again"
);
plain_move!(
    cancel_ticket,
    "/api/tickets/{id}/cancel",
    Action::Cancel,
    "Cancel the ticket.",
    "the ticket, cancelled"
);

/// Send the ticket to another field's queue.
///
/// Who may call: a member of staff holding the ticket's counter (a manager or admin
/// anywhere).
#[utoipa::path(
    post,
    path = "/api/tickets/{id}/transfer",
    tag = "counter",
    security(("session" = [])),
    params(("id" = i64, Path, description = "the ticket's id")),
    request_body = TransferBody,
    responses(
        (status = 200, description = "the ticket, waiting in its new field", body = views::TicketView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device, or another counter's ticket", body = ErrorBody),
        (status = 404, description = "`ticket_not_found`", body = ErrorBody),
        (status = 409, description = "the move is not allowed from the ticket's status", body = ErrorBody),
        (status = 422, description = "`missing_service`, `unknown_service`, `invalid_body`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(ticket = %id, action = "transfer"))]
pub async fn transfer_ticket(
    State(app): State<App>,
    StaffUser(user): StaffUser,
    Path(id): Path<String>,
    Body(body): Body<TransferBody>,
) -> Result<Json<views::TicketView>, AppError> {
    act(&app, &user, &id, |app| {
        let to = body.service.ok_or_else(|| {
            AppError::invalid(
                "missing_service",
                "say which field to transfer to: {\"service\": \"B\"}",
            )
        })?;
        Ok(Action::Transfer {
            to: service_code(&app.hall, &to)?,
        })
    })
    .await
}

/// The citizen rates the visit on the counter's tablet.
///
/// Who may call: the member of staff holding the counter that served the ticket.
#[utoipa::path(
    post,
    path = "/api/tickets/{id}/rate",
    tag = "counter",
    security(("session" = [])),
    params(("id" = i64, Path, description = "the ticket's id")),
    request_body = CounterRatingBody,
    responses(
        (status = 200, description = "the ticket, rated", body = views::TicketView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device, or another counter's ticket", body = ErrorBody),
        (status = 404, description = "`ticket_not_found`", body = ErrorBody),
        (status = 409, description = "not served, or rated already", body = ErrorBody),
        (status = 422, description = "`missing_level`, `bad_rating`, `invalid_body`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(ticket = %id, action = "rate"))]
pub async fn rate_ticket(
    State(app): State<App>,
    StaffUser(user): StaffUser,
    Path(id): Path<String>,
    Body(body): Body<CounterRatingBody>,
) -> Result<Json<views::TicketView>, AppError> {
    let staff = staff(&user);
    let id = ticket_id(&id)?;
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
    Ok(Json(view))
}

/// What `POST /api/tickets/{id}/<anything else>` answers: there is no such move.
pub async fn unknown_ticket_action(
    _staff: StaffUser,
    Path((id, action)): Path<(String, String)>,
) -> AppError {
    if let Err(not_found) = ticket_id(&id) {
        return not_found;
    }
    AppError::not_found(
        "unknown_action",
        format!(
            "no action {action:?}: call, recall, start, finish, no-show, transfer, return, cancel, rate"
        ),
    )
}

/// A citizen's rating of their visit.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingRequest {
    /// The ticket's token: it is the credential.
    token: String,
    /// 1 to the hall's `rating_scale`.
    level: u8,
    /// At most 500 characters.
    #[serde(default)]
    comment: Option<String>,
}

/// The most a rating comment may hold, in characters.
const COMMENT_MAX: usize = 500;

/// A citizen rates their served ticket (the phone page).
///
/// Who may call: anyone with the ticket's token (it is in the body).
#[utoipa::path(
    post,
    path = "/api/ratings",
    tag = "phone",
    request_body = RatingRequest,
    responses(
        (status = 201, description = "the rated ticket", body = views::CitizenTicket),
        (status = 404, description = "`ticket_not_found`", body = ErrorBody),
        (status = 409, description = "not served yet, or rated already", body = ErrorBody),
        (status = 422, description = "`bad_rating`, `comment_too_long`, `invalid_body`", body = ErrorBody),
    ),
)]
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

/// The hall's counters.
#[derive(Debug, Serialize, ToSchema)]
pub struct CounterList {
    pub counters: Vec<views::CounterView>,
}

/// Every counter: its state, fields and the ticket at it.
///
/// Who may call: anyone.
#[utoipa::path(
    get,
    path = "/api/counters",
    tags = ["counter", "display"],
    responses((status = 200, description = "every counter", body = CounterList)),
)]
pub async fn list_counters(State(store): State<Store>) -> Result<Json<CounterList>, AppError> {
    let hall = store.hall.clone();
    let counters = store
        .read(move |conn| {
            hall.counters
                .iter()
                .map(|c| views::counter_view(conn, &hall, c.no))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(Json(CounterList { counters }))
}

/// A counter and its waiting list, in the order "Next" would take them.
///
/// Who may call: anyone (the counter's display, the clerk's console).
#[utoipa::path(
    get,
    path = "/api/counters/{no}",
    tags = ["counter", "display"],
    params(("no" = u16, Path, description = "the counter's number")),
    responses(
        (status = 200, description = "the counter and its waiting list", body = views::CounterSnapshot),
        (status = 404, description = "`counter_not_found`", body = ErrorBody),
    ),
)]
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

/// Why a counter pauses.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseBody {
    /// 1 to 100 characters, e.g. lunch, meeting, system_fault (required).
    reason: Option<String>,
}

/// A change of a counter's state, as a handler of its own: the answer is the counter as it
/// now stands.
macro_rules! counter_move {
    ($name:ident, $path:literal, $command:path, $summary:literal, $refusals:literal) => {
        #[doc = $summary]
        ///
        /// Who may call: a member of staff (the clerk holding the counter; a manager or admin
        /// any counter).
        #[utoipa::path(
            post,
            path = $path,
            tag = "counter",
            security(("session" = [])),
            params(("no" = u16, Path, description = "the counter's number")),
            request_body = NoBody,
            responses(
                (status = 200, description = "the counter", body = views::CounterView),
                (status = 401, description = "`unauthenticated`", body = ErrorBody),
                (status = 403, description = "`forbidden`: a device, or another clerk's counter", body = ErrorBody),
                (status = 404, description = "`counter_not_found`", body = ErrorBody),
                (status = 409, description = $refusals, body = ErrorBody),
                (status = 422, description = "`invalid_body`", body = ErrorBody),
            ),
        )]
        #[tracing::instrument(skip_all, fields(counter = %no, action = $path))]
        pub async fn $name(
            State(app): State<App>,
            StaffUser(user): StaffUser,
            Path(no): Path<String>,
            Body(NoBody {}): Body<NoBody>,
        ) -> Result<Json<views::CounterView>, AppError> {
            let staff = staff(&user);
            let no = counter_no(&app.hall, &no)?;
            Ok(Json(app.run(move |ctx| $command(ctx, no, &staff)).await?))
        }
    };
}

counter_move!(
    open_counter,
    "/api/counters/{no}/open",
    queue::open_counter,
    "Open the counter in the caller's name.",
    "held by someone else, or the clerk holds another counter"
);
counter_move!(
    close_counter,
    "/api/counters/{no}/close",
    queue::close_counter,
    "Close the counter (its citizen must be finished first).",
    "closed already, or a citizen is still at it"
);
counter_move!(
    resume_counter,
    "/api/counters/{no}/resume",
    queue::resume_counter,
    "Back from a pause.",
    "not paused"
);

/// Pause the counter (lunch, a meeting, a fault): nobody is called to it meanwhile.
///
/// Who may call: a member of staff (the clerk holding the counter; a manager or admin any
/// counter).
#[utoipa::path(
    post,
    path = "/api/counters/{no}/pause",
    tag = "counter",
    security(("session" = [])),
    params(("no" = u16, Path, description = "the counter's number")),
    request_body = PauseBody,
    responses(
        (status = 200, description = "the counter, paused", body = views::CounterView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device, or another clerk's counter", body = ErrorBody),
        (status = 404, description = "`counter_not_found`", body = ErrorBody),
        (status = 409, description = "not open, or a citizen is at it", body = ErrorBody),
        (status = 422, description = "`bad_reason`, `invalid_body`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(counter = %no, action = "pause"))]
pub async fn pause_counter(
    State(app): State<App>,
    StaffUser(user): StaffUser,
    Path(no): Path<String>,
    Body(body): Body<PauseBody>,
) -> Result<Json<views::CounterView>, AppError> {
    let staff = staff(&user);
    let no = counter_no(&app.hall, &no)?;
    let reason = body.reason.unwrap_or_default().trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 100 || reason.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "bad_reason",
            "a pause reason is 1 to 100 characters, e.g. lunch, meeting, system_fault",
        ));
    }
    let view = app
        .run(move |ctx| queue::pause_counter(ctx, no, &staff, &reason))
        .await?;
    Ok(Json(view))
}

/// "Next": call whom the hall's rules say this counter serves next.
///
/// Who may call: the member of staff holding the counter.
#[utoipa::path(
    post,
    path = "/api/counters/{no}/call-next",
    tag = "counter",
    security(("session" = [])),
    params(("no" = u16, Path, description = "the counter's number")),
    request_body = NoBody,
    responses(
        (status = 200, description = "the ticket called", body = views::TicketView),
        (status = 204, description = "nobody is waiting for this counter's fields"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device, or another clerk's counter", body = ErrorBody),
        (status = 404, description = "`counter_not_found`", body = ErrorBody),
        (status = 409, description = "the counter is closed, paused or busy", body = ErrorBody),
        (status = 422, description = "`invalid_body`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(counter = %no, action = "call-next"))]
pub async fn call_next(
    State(app): State<App>,
    StaffUser(user): StaffUser,
    Path(no): Path<String>,
    Body(NoBody {}): Body<NoBody>,
) -> Result<Response, AppError> {
    let staff = staff(&user);
    let no = counter_no(&app.hall, &no)?;
    match app
        .run(move |ctx| queue::call_next(ctx, no, &staff))
        .await?
    {
        Some(ticket) => Ok(Json(ticket).into_response()),
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

/// What `POST /api/counters/{no}/<anything else>` answers: there is no such move.
pub async fn unknown_counter_action(
    State(app): State<App>,
    _staff: StaffUser,
    Path((no, action)): Path<(String, String)>,
) -> AppError {
    if let Err(not_found) = counter_no(&app.hall, &no) {
        return not_found;
    }
    AppError::not_found(
        "unknown_action",
        format!("no counter action {action:?}: open, close, call-next, pause, resume"),
    )
}

/// A member of staff signing in.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    name: String,
    password: String,
}

/// A member of staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserAnswer {
    pub user: accounts::User,
}

/// Sign in: the answer sets the session cookie (`motcua_session`, HttpOnly, SameSite=Strict).
///
/// Who may call: anyone.
#[utoipa::path(
    post,
    path = "/api/session",
    tags = ["counter", "manager", "admin"],
    request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in; the cookie is set", body = UserAnswer),
        (status = 401, description = "`bad_credentials`", body = ErrorBody),
        (status = 422, description = "`invalid_body`", body = ErrorBody),
    ),
)]
pub async fn login(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    jar: CookieJar,
    Body(req): Body<LoginRequest>,
) -> Result<Response, AppError> {
    let now = millis(clock.now());
    let sign_in = session::SignIn {
        name: req.name,
        password: req.password,
    };
    let (user, jar) = session::sign_in(&store, jar, sign_in, now).await?;
    Ok((jar, Json(UserAnswer { user })).into_response())
}

/// Who is asking: a member of staff (and the counter they hold) or a device.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Session {
    Staff {
        user: accounts::User,
        /// The counter this clerk holds, so a console reloaded mid-day goes straight back.
        counter: Option<u16>,
    },
    Device {
        device: accounts::Device,
    },
}

/// Who the session cookie or the device token belongs to.
///
/// Who may call: a signed-in member of staff or a known device.
#[utoipa::path(
    get,
    path = "/api/session",
    tags = ["counter", "manager", "devices"],
    security(("session" = []), ("device" = [])),
    responses(
        (status = 200, description = "the caller", body = Session),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    ),
)]
pub async fn whoami(State(store): State<Store>, caller: Caller) -> Result<Json<Session>, AppError> {
    match caller {
        Caller::Staff(user) => {
            // The counter this clerk holds, so a console reloaded mid-day goes straight back.
            let id = user.id;
            let counter = store
                .read(move |conn| motcua_store::counters::held_by(conn, id))
                .await?;
            Ok(Json(Session::Staff { user, counter }))
        }
        Caller::Device(device) => Ok(Json(Session::Device { device })),
        Caller::Nobody => Err(AppError::Command(Error::Unauthenticated)),
    }
}

/// Sign out: the session ends and its cookie is removed.
///
/// Who may call: anyone (without a session it does nothing).
#[utoipa::path(
    delete,
    path = "/api/session",
    tags = ["counter", "manager", "admin"],
    responses((status = 204, description = "signed out")),
)]
pub async fn logout(State(store): State<Store>, jar: CookieJar) -> Result<Response, AppError> {
    let jar = session::sign_out(&store, jar).await?;
    Ok((jar, StatusCode::NO_CONTENT).into_response())
}

/// A new member of staff.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    name: String,
    /// admin, manager or clerk.
    role: String,
    password: String,
}

/// Add a member of staff.
///
/// Who may call: admins.
#[utoipa::path(
    post,
    path = "/api/users",
    tag = "admin",
    security(("session" = [])),
    request_body = NewUser,
    responses(
        (status = 201, description = "the new member of staff", body = UserAnswer),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 409, description = "the name is taken", body = ErrorBody),
        (status = 422, description = "`unknown_role`, a weak password, `invalid_body`", body = ErrorBody),
    ),
)]
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
    let hash =
        tokio::task::spawn_blocking(move || motcua_web::accounts::new_user_hash(&name, &password))
            .await
            .map_err(AppError::internal)??;
    let user = store
        .write(move |ctx| motcua_web::accounts::insert_user(ctx.conn, &req.name, role, &hash, now))
        .await?;
    Ok((StatusCode::CREATED, Json(UserAnswer { user })).into_response())
}

/// A new kiosk, display or printer.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    name: String,
    /// kiosk, display or printer.
    kind: String,
    /// For a printer: the name of the kiosk whose tickets it prints.
    #[serde(default)]
    kiosk: Option<String>,
}

/// A new device and its token (shown once).
#[derive(Debug, Serialize, ToSchema)]
pub struct NewDeviceAnswer {
    pub device: accounts::Device,
    /// The device's credential: shown this once, stored only as a hash.
    pub token: String,
}

/// Add a kiosk, a display or a printer (for a kiosk).
///
/// Who may call: admins.
#[utoipa::path(
    post,
    path = "/api/devices",
    tags = ["admin", "devices"],
    security(("session" = [])),
    request_body = NewDevice,
    responses(
        (status = 201, description = "the new device and its token", body = NewDeviceAnswer),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 409, description = "the name is taken", body = ErrorBody),
        (status = 422, description = "`unknown_kind`, `missing_kiosk`, `unexpected_kiosk`, `invalid_body`", body = ErrorBody),
    ),
)]
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
            (DeviceKind::Printer, Some(kiosk)) => Ok(motcua_web::accounts::add_printer(
                ctx.conn, &req.name, kiosk, now,
            )?),
            (DeviceKind::Printer, None) => Err(AppError::invalid(
                "missing_kiosk",
                "a printer prints for a kiosk: add \"kiosk\": \"<kiosk name>\"",
            )),
            (_, Some(_)) => Err(AppError::invalid(
                "unexpected_kiosk",
                "only a printer belongs to a kiosk",
            )),
            (_, None) => Ok(motcua_web::accounts::add_device(
                ctx.conn, &req.name, kind, now,
            )?),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(NewDeviceAnswer { device, token })).into_response())
}

/// The server is up and its database answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: String,
    /// The last event written.
    pub seq: i64,
}

/// Is the server up, and how far is its log.
///
/// Who may call: anyone.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "admin",
    responses((status = 200, description = "up", body = Health)),
)]
pub async fn healthz(State(store): State<Store>) -> Result<Json<Health>, AppError> {
    let seq = store.read(events::last_seq).await?;
    Ok(Json(Health {
        status: "ok".to_owned(),
        seq,
    }))
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

/// The hall feed (WebSocket): a snapshot, then every call and change, numbered.
///
/// Who may call: anyone.
#[utoipa::path(
    get,
    path = "/ws/hall",
    tag = "display",
    responses(
        (status = 101, description = "a WebSocket: a `snapshot`, then `event` frames", body = crate::live::HallFrame),
        (status = 400, description = "`not_a_websocket`", body = ErrorBody),
    ),
)]
pub async fn ws_hall(
    ws: Upgrade,
    State(store): State<Store>,
    State(hub): State<Hub>,
) -> Result<Response, AppError> {
    Ok(upgrade(ws)?.on_upgrade(move |socket| run_feed(socket, store, hub, Feed::Hall)))
}

/// One counter's feed (WebSocket): its snapshot with the waiting list, then its changes.
///
/// Who may call: anyone (the counter's display, the clerk's console).
#[utoipa::path(
    get,
    path = "/ws/counters/{no}",
    tags = ["counter", "display"],
    params(("no" = u16, Path, description = "the counter's number")),
    responses(
        (status = 101, description = "a WebSocket: a `snapshot`, then `event` frames", body = crate::live::CounterFrame),
        (status = 400, description = "`not_a_websocket`", body = ErrorBody),
        (status = 404, description = "`counter_not_found`", body = ErrorBody),
    ),
)]
pub async fn ws_counter(
    ws: Upgrade,
    State(store): State<Store>,
    State(hub): State<Hub>,
    Path(no): Path<String>,
) -> Result<Response, AppError> {
    let no = counter_no(&store.hall, &no)?;
    Ok(upgrade(ws)?.on_upgrade(move |socket| run_feed(socket, store, hub, Feed::Counter(no))))
}

/// One ticket's feed (WebSocket): the ticket as its holder sees it, on every change.
///
/// Who may call: anyone with the ticket's token.
#[utoipa::path(
    get,
    path = "/ws/tickets/{token}",
    tag = "phone",
    params(("token" = String, Path, description = "the ticket's token (32 hex digits)")),
    responses(
        (status = 101, description = "a WebSocket: the ticket, then the ticket again on each change", body = crate::live::TicketFrame),
        (status = 400, description = "`not_a_websocket`", body = ErrorBody),
        (status = 404, description = "`ticket_not_found`", body = ErrorBody),
    ),
)]
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
