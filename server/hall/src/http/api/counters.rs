//! Counters: listed, looked at, opened, closed, paused and resumed, and Next.

use super::*;

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
    let hall = store.hall();
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
    let no = counter_no(&store.hall(), &no)?;
    let hall = store.hall();
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
            let no = counter_no(&app.hall(), &no)?;
            Ok(Json(app.run(move |ctx| $command(ctx, no, &staff)).await?))
        }
    };
}

counter_move!(
    open_counter,
    "/api/counters/{no}/open",
    crate::app::counters::open_counter,
    "Open the counter in the caller's name.",
    "held by someone else, or the clerk holds another counter"
);
counter_move!(
    close_counter,
    "/api/counters/{no}/close",
    crate::app::counters::close_counter,
    "Close the counter (its citizen must be finished first).",
    "closed already, or a citizen is still at it"
);
counter_move!(
    resume_counter,
    "/api/counters/{no}/resume",
    crate::app::counters::resume_counter,
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
    let no = counter_no(&app.hall(), &no)?;
    let reason = body.reason.unwrap_or_default().trim().to_owned();
    if reason.is_empty() || reason.chars().count() > 100 || reason.chars().any(char::is_control) {
        return Err(AppError::invalid(
            "bad_reason",
            "a pause reason is 1 to 100 characters, e.g. lunch, meeting, system_fault",
        ));
    }
    let view = app
        .run(move |ctx| crate::app::counters::pause_counter(ctx, no, &staff, &reason))
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
    let no = counter_no(&app.hall(), &no)?;
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
    if let Err(not_found) = counter_no(&app.hall(), &no) {
        return not_found;
    }
    AppError::not_found(
        "unknown_action",
        format!("no counter action {action:?}: open, close, call-next, pause, resume"),
    )
}
