//! Tickets: issued at a kiosk or a counter, listed, looked at by their holder, and every
//! move a clerk makes of one (one route and handler per action), and the citizen's rating.

use super::*;
use crate::app::rating;
use motcua_domain::satisfaction::{REASONS_MAX, Reason};

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
/// Each kiosk and each member of staff has an allowance of tickets a minute (a smaller one
/// for priority tickets): past it, 429 `issue_rate_exceeded` with Retry-After, nothing
/// issued.
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
        (status = 429, description = "`issue_rate_exceeded`: this kiosk or member of staff is issuing too fast (see Retry-After)", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(service = %req.service))]
pub async fn issue_ticket(
    State(app): State<App>,
    State(printing): State<Printing>,
    State(limits): State<IssuingLimits>,
    issuer: Issuer,
    Body(req): Body<IssueRequest>,
) -> Result<Response, AppError> {
    let issued_by = issuer.issued_by;
    let service = service_code(&app.hall(), &req.service)?;
    let priority = match req.priority.as_deref() {
        None => Priority::None,
        Some(p) => Priority::parse(p).ok_or_else(|| {
            AppError::invalid("unknown_priority", format!("priority is one of none, elderly, disabled, pregnant, war_invalid, meritorious, not {p:?}"))
        })?,
    };
    let request_id = request_id(req.request_id)?;
    let allowed = within_allowance(&app, &limits, &issuer, priority, request_id.clone()).await?;
    let Some(kiosk) = issuer.kiosk else {
        let origin = queue::Origin {
            by: issued_by,
            device: None,
            user: issuer.staff.map(|u| u.id),
        };
        let issued = app
            .run(move |ctx| queue::issue(ctx, &service, priority, origin, request_id.as_deref()))
            .await;
        let (issued, _) = settle(allowed, issued, |(_, new)| *new)?;
        let answer = IssuedTicket {
            issued,
            print: None,
        };
        return Ok((StatusCode::CREATED, Json(answer)).into_response());
    };
    let (footer, kiosk_id) = (printing.footer().to_owned(), kiosk.id);
    let issued = app
        .run(move |ctx| {
            let request_id = request_id.as_deref();
            queue::issue_at_kiosk(ctx, &service, priority, request_id, kiosk_id, &footer)
        })
        .await;
    let queue::KioskTicket { issued, paper, job } = settle(allowed, issued, |t| t.job.is_ok())?;
    let print = match job {
        Ok(job) => {
            printing
                .dispatch(&app.store, kiosk.id, &kiosk.name, &job, &paper)
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

/// Take a ticket of the issuer's allowance (none for a retried request whose ticket
/// exists: it only gets its ticket back), or refuse with 429.
pub(super) async fn within_allowance(
    app: &App,
    limits: &IssuingLimits,
    issuer: &Issuer,
    priority: Priority,
    request_id: Option<String>,
) -> Result<Option<Allowed>, AppError> {
    let requester = match (&issuer.kiosk, &issuer.staff) {
        (Some(kiosk), _) => Requester {
            key: IssuerKey::Kiosk(kiosk.id),
            name: kiosk.name.clone(),
        },
        (None, Some(user)) => Requester {
            key: IssuerKey::Staff(user.id),
            name: user.name.clone(),
        },
        (None, None) => return Ok(None),
    };
    match limits.take(&requester, priority.is_priority()) {
        Ok(allowed) => Ok(Some(allowed)),
        Err(refused) => {
            let Some(request_id) = request_id else {
                return Err(refused.count().into());
            };
            let known = app
                .store
                .read(move |conn| tickets::by_request_id(conn, &request_id))
                .await?;
            match known {
                Some(_) => Ok(None),
                None => Err(refused.count().into()),
            }
        }
    }
}

/// The allowance taken for a request is given back unless a new ticket was issued.
pub(super) fn settle<T>(
    allowed: Option<Allowed>,
    outcome: Result<T, Error>,
    new: impl FnOnce(&T) -> bool,
) -> Result<T, Error> {
    if let Some(allowed) = allowed
        && !outcome.as_ref().is_ok_and(new)
    {
        allowed.refund();
    }
    outcome
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
    let url = store.hall().ticket_url(&token);
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(AppError::internal)?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(([(axum::http::header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
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
    let hall = store.hall();
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
        .map(|s| service_code(&store.hall(), s))
        .transpose()?;
    let hall = store.hall();
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
pub(super) fn ticket_id(id: &str) -> Result<i64, AppError> {
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
    /// Why a low rating is low (only with one: 5-level scale 1 to 3, 3-level scale 1):
    /// `wait`, `attitude`, `guidance`, `repeat`, `other`.
    #[serde(default)]
    reasons: Vec<String>,
    /// How many times the citizen had to come for this dossier: 1, 2 or 3 (3 or more).
    #[serde(default)]
    visits_needed: Option<u8>,
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
            counter: counter_no(&app.hall(), &no.to_string())?,
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
                (status = 403, description = "`forbidden`: a device other than a tablet, or another counter's ticket", body = ErrorBody),
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
    hold_ticket,
    "/api/tickets/{id}/hold",
    Action::Hold,
    "Put the ticket aside (\"đi bổ sung hồ sơ\": the citizen went to complete the dossier): the counter is free, and the ticket is called back with `POST /api/tickets/{id}/call`, keeping its turn. At most `queue.holds_per_counter` per counter (409 `hold_limit`); holds lapse at the day's end.",
    "the ticket, held"
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
        (status = 403, description = "`forbidden`: a device other than a tablet, or another counter's ticket", body = ErrorBody),
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
            to: service_code(&app.hall(), &to)?,
        })
    })
    .await
}

/// The citizen rates the visit on the counter's tablet.
///
/// The tablet is signed in as the counter's clerk, so it rates only the ticket its counter
/// finished last, finished by that clerk at most 5 minutes ago, and only if nobody rated
/// it; or it is paired to its counter as a device (its token as a bearer), and rates only
/// the ticket that counter finished last, at most 5 minutes ago, whoever finished it. The
/// citizen's own rating on the phone replaces this one.
///
/// Who may call: the member of staff holding the counter that served the ticket, who
/// finished it; a tablet paired to that counter.
#[utoipa::path(
    post,
    path = "/api/tickets/{id}/rate",
    tag = "counter",
    security(("session" = []), ("device" = [])),
    params(("id" = i64, Path, description = "the ticket's id")),
    request_body = CounterRatingBody,
    responses(
        (status = 200, description = "the ticket, rated", body = views::TicketView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device other than a tablet, or another counter's ticket", body = ErrorBody),
        (status = 404, description = "`ticket_not_found`", body = ErrorBody),
        (status = 409, description = "`ticket_not_served`; `already_rated`; `rating_not_allowed`: not the ticket this counter finished last, finished by another clerk, or finished more than 5 minutes ago", body = ErrorBody),
        (status = 422, description = "`missing_level`, `bad_rating`, `bad_reason`, `reasons_need_low_rating`, `bad_visits_needed`, `invalid_body`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(ticket = %id, action = "rate"))]
pub async fn rate_ticket(
    State(app): State<App>,
    rater: Rater,
    Path(id): Path<String>,
    Body(body): Body<CounterRatingBody>,
) -> Result<Json<views::TicketView>, AppError> {
    let id = ticket_id(&id)?;
    let level = body
        .level
        .ok_or_else(|| AppError::invalid("missing_level", "say the rating: {\"level\": 5}"))?;
    let scale = app.hall().rating_scale;
    if !(1..=scale).contains(&level) {
        return Err(AppError::invalid(
            "bad_rating",
            format!("a rating is 1 to {scale} on this hall's scale"),
        ));
    }
    let detail = rating_detail(None, &body.reasons, body.visits_needed)?;
    let view = match rater {
        Rater::Staff(user) => {
            let staff = staff(&user);
            app.run(move |ctx| {
                rating::rate_at_counter(ctx, id, level, detail, rating::Tablet::Clerk(&staff))
            })
            .await?
        }
        Rater::Tablet(counter) => {
            app.run(move |ctx| {
                rating::rate_at_counter(ctx, id, level, detail, rating::Tablet::Paired(counter))
            })
            .await?
        }
    };
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
            "no action {action:?}: call, recall, start, finish, no-show, transfer, return, cancel, undo-absent, rate, reprint"
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
    /// Why a low rating is low (only with one: 5-level scale 1 to 3, 3-level scale 1):
    /// `wait`, `attitude`, `guidance`, `repeat`, `other`.
    #[serde(default)]
    reasons: Vec<String>,
    /// How many times the citizen had to come for this dossier: 1, 2 or 3 (3 or more).
    #[serde(default)]
    visits_needed: Option<u8>,
}

/// A rating's reasons and visits needed, checked: known reason codes (each kept once, at
/// most [`REASONS_MAX`]), visits 1 to 3.
fn rating_detail(
    comment: Option<String>,
    reasons: &[String],
    visits_needed: Option<u8>,
) -> Result<rating::Detail, AppError> {
    let mut parsed: Vec<Reason> = Vec::new();
    for code in reasons {
        let reason = Reason::parse(code).ok_or_else(|| {
            AppError::invalid(
                "bad_reason",
                format!("a reason is wait, attitude, guidance, repeat or other, not {code:?}"),
            )
        })?;
        if !parsed.contains(&reason) {
            parsed.push(reason);
        }
    }
    if parsed.len() > REASONS_MAX {
        return Err(AppError::invalid(
            "bad_reason",
            format!("at most {REASONS_MAX} reasons"),
        ));
    }
    if visits_needed.is_some_and(|v| !(1..=3).contains(&v)) {
        return Err(AppError::invalid(
            "bad_visits_needed",
            "visits needed is 1, 2 or 3 (3 or more)",
        ));
    }
    Ok(rating::Detail {
        comment,
        reasons: parsed,
        visits_needed,
    })
}

/// The most a rating comment may hold, in characters.
const COMMENT_MAX: usize = 500;

/// A citizen rates their served ticket (the phone page), once. A rating the counter's
/// tablet gave first does not block it: this one replaces it (the log keeps both).
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
        (status = 409, description = "`ticket_not_served`; `already_rated`: rated on the phone already", body = ErrorBody),
        (status = 422, description = "`bad_rating`, `comment_too_long`, `bad_reason`, `reasons_need_low_rating`, `bad_visits_needed`, `invalid_body`", body = ErrorBody),
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
    let detail = rating_detail(comment, &req.reasons, req.visits_needed)?;
    let view = app
        .run(move |ctx| rating::rate(ctx, &token, level, detail))
        .await?;
    citizen_json(StatusCode::CREATED, &view)
}
