//! Complaints (phản ánh): made on the ticket's phone page, listed, acknowledged and
//! resolved by the hall's managers (see [`crate::app::complaints`]).

use super::*;
use crate::app::complaints::{self, CitizenComplaint, ComplaintView, Filter, State as Stage};
use motcua_domain::satisfaction::{COMPLAINT_TEXT_MAX, Topic};

/// A citizen's complaint about their visit.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplaintRequest {
    /// The ticket's token: it is the credential.
    token: String,
    /// `attitude` (Thái độ phục vụ), `wait` (Chờ đợi quá lâu), `extra_demands` (Yêu cầu thêm
    /// giấy tờ, chi phí ngoài quy định), `process` (Thủ tục, hướng dẫn) or `other` (Khác).
    topic: String,
    /// What happened: 1 to 1000 characters.
    #[serde(default)]
    text: Option<String>,
}

/// Complain about a visit (at most 3 times a ticket). The hall acknowledges it within 8
/// working hours (its opening hours on working days): `due_at`.
///
/// Who may call: anyone with the ticket's token (it is in the body).
#[utoipa::path(
    post,
    path = "/api/complaints",
    tag = "phone",
    request_body = ComplaintRequest,
    responses(
        (status = 201, description = "the complaint", body = CitizenComplaint),
        (status = 404, description = "`ticket_not_found`", body = ErrorBody),
        (status = 409, description = "`too_many_complaints`: 3 already", body = ErrorBody),
        (status = 422, description = "`bad_topic`, `missing_text`, `text_too_long`, `invalid_body`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(topic = %req.topic))]
pub async fn make_complaint(
    State(app): State<App>,
    Body(req): Body<ComplaintRequest>,
) -> Result<(StatusCode, Json<CitizenComplaint>), AppError> {
    let token = ticket_token(&req.token)?;
    let topic = Topic::parse(&req.topic).ok_or_else(|| {
        AppError::invalid(
            "bad_topic",
            "a topic is attitude, wait, extra_demands, process or other",
        )
    })?;
    let text: String = req
        .text
        .as_deref()
        .map(|t| t.trim().to_owned())
        .filter(|t: &String| !t.is_empty())
        .ok_or_else(|| {
            AppError::invalid("missing_text", "say what happened: {\"text\": \"...\"}")
        })?;
    if text.chars().count() > COMPLAINT_TEXT_MAX {
        return Err(AppError::invalid(
            "text_too_long",
            format!("a complaint has at most {COMPLAINT_TEXT_MAX} characters"),
        ));
    }
    let made = app
        .run(move |ctx| complaints::make(ctx, &token, topic, text))
        .await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// A ticket's complaints.
#[derive(Serialize, ToSchema)]
pub struct TicketComplaints {
    /// Oldest first.
    pub complaints: Vec<CitizenComplaint>,
    /// How many more this ticket may make.
    pub left: usize,
}

/// The complaints made about a ticket, as its holder sees them (state and due time).
///
/// Who may call: anyone with the ticket's token.
#[utoipa::path(
    get,
    path = "/api/tickets/{token}/complaints",
    tag = "phone",
    params(("token" = String, Path, description = "the ticket's token (32 hex digits)")),
    responses(
        (status = 200, description = "the ticket's complaints", body = TicketComplaints),
        (status = 404, description = "`ticket_not_found`", body = ErrorBody),
    ),
)]
pub async fn ticket_complaints(
    State(app): State<App>,
    State(clock): State<Arc<dyn Clock>>,
    Path(token): Path<String>,
) -> Result<Json<TicketComplaints>, AppError> {
    let token = ticket_token(&token)?;
    let now = millis(clock.now());
    let complaints = app
        .read(move |conn, hall| complaints::of_ticket(conn, hall, &token, now))
        .await?;
    let left = motcua_domain::satisfaction::COMPLAINTS_PER_TICKET.saturating_sub(complaints.len());
    Ok(Json(TicketComplaints { complaints, left }))
}

/// Which complaints to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ComplaintsQuery {
    /// `open`, `acknowledged`, `resolved` or `overdue` (not acknowledged by its due time);
    /// all when absent.
    #[serde(default)]
    state: Option<String>,
}

/// The hall's complaints.
#[derive(Serialize, ToSchema)]
pub struct ComplaintList {
    /// Newest first (at most 500).
    pub complaints: Vec<ComplaintView>,
}

/// The hall's complaints, newest first, with their state and due time.
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/complaints",
    tag = "manager",
    security(("session" = [])),
    params(ComplaintsQuery),
    responses(
        (status = 200, description = "the complaints", body = ComplaintList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_state`, `invalid_query`", body = ErrorBody),
    ),
)]
pub async fn list_complaints(
    State(app): State<App>,
    State(clock): State<Arc<dyn Clock>>,
    _manager: Manager,
    Query(q): Query<ComplaintsQuery>,
) -> Result<Json<ComplaintList>, AppError> {
    let filter = match q.state.as_deref() {
        None | Some("") | Some("all") => Filter::All,
        Some("open") => Filter::State(Stage::Open),
        Some("acknowledged") => Filter::State(Stage::Acknowledged),
        Some("resolved") => Filter::State(Stage::Resolved),
        Some("overdue") => Filter::Overdue,
        Some(other) => {
            return Err(AppError::invalid(
                "bad_state",
                format!("a state is open, acknowledged, resolved or overdue, not {other:?}"),
            ));
        }
    };
    let now = millis(clock.now());
    let complaints = app
        .read(move |conn, hall| complaints::list(conn, hall, filter, now))
        .await?;
    Ok(Json(ComplaintList { complaints }))
}

fn complaint_id(id: &str) -> Result<i64, AppError> {
    id.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::not_found("complaint_not_found", format!("no complaint {id:?}")))
}

/// The hall has seen the complaint (again: no change, the first time stays).
///
/// Who may call: managers and admins.
#[utoipa::path(
    post,
    path = "/api/complaints/{id}/acknowledge",
    tag = "manager",
    security(("session" = [])),
    params(("id" = i64, Path, description = "the complaint's id")),
    responses(
        (status = 200, description = "the complaint, acknowledged", body = ComplaintView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 404, description = "`complaint_not_found`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(complaint = %id))]
pub async fn acknowledge_complaint(
    State(app): State<App>,
    Manager(user): Manager,
    Path(id): Path<String>,
) -> Result<Json<ComplaintView>, AppError> {
    let staff = staff(&user);
    let id = complaint_id(&id)?;
    let view = app
        .run(move |ctx| complaints::acknowledge(ctx, id, &staff))
        .await?;
    Ok(Json(view))
}

/// How the hall answered a complaint.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// The hall's own note (at most 1000 characters; kept in the hall, never sent to the
    /// city).
    #[serde(default)]
    note: Option<String>,
}

/// The hall has answered the complaint (acknowledging it too if it was not).
///
/// Who may call: managers and admins.
#[utoipa::path(
    post,
    path = "/api/complaints/{id}/resolve",
    tag = "manager",
    security(("session" = [])),
    params(("id" = i64, Path, description = "the complaint's id")),
    request_body = ResolveRequest,
    responses(
        (status = 200, description = "the complaint, resolved", body = ComplaintView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 404, description = "`complaint_not_found`", body = ErrorBody),
        (status = 409, description = "`already_resolved`", body = ErrorBody),
        (status = 422, description = "`note_too_long`, `invalid_body`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(complaint = %id))]
pub async fn resolve_complaint(
    State(app): State<App>,
    Manager(user): Manager,
    Path(id): Path<String>,
    Body(req): Body<ResolveRequest>,
) -> Result<Json<ComplaintView>, AppError> {
    let staff = staff(&user);
    let id = complaint_id(&id)?;
    let note: Option<String> = req
        .note
        .as_deref()
        .map(|n| n.trim().to_owned())
        .filter(|n: &String| !n.is_empty());
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > COMPLAINT_TEXT_MAX)
    {
        return Err(AppError::invalid(
            "note_too_long",
            format!("a note has at most {COMPLAINT_TEXT_MAX} characters"),
        ));
    }
    let view = app
        .run(move |ctx| complaints::resolve(ctx, id, &staff, note))
        .await?;
    Ok(Json(view))
}
