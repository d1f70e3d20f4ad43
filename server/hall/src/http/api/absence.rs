//! Taking back an absence (the citizen came back within the hall's window).

use super::*;
use crate::app::absence;
use motcua_domain::UndoTo;

/// Where the ticket goes when its absence is undone.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UndoAbsentBody {
    /// `counter`: called again at once at `counter`; `queue`: back to the front of its
    /// queue, its original queue time kept (required).
    to: Option<UndoTo>,
    /// The counter that calls it again (with `"to": "counter"`): the caller's own.
    #[serde(default)]
    counter: Option<u16>,
}

/// Undo an absence: the citizen marked absent came back. Within `queue.absent_undo_minutes`
/// of the absence (and the same day) the ticket is called again at the clerk's counter, or
/// returns to the front of its queue with its original queue time. Logged as
/// `absent_undone` (`{"to": "counter"}` or `{"to": "queue"}`); the visit then counts as if
/// it had never ended.
///
/// Who may call: for `counter`, the member of staff holding that counter (it must serve the
/// ticket's field and be free); for `queue`, a clerk whose open counter serves the ticket's
/// field, or a manager or admin.
#[utoipa::path(
    post,
    path = "/api/tickets/{id}/undo-absent",
    tag = "counter",
    security(("session" = [])),
    params(("id" = i64, Path, description = "the ticket's id")),
    request_body = UndoAbsentBody,
    responses(
        (status = 200, description = "the ticket, called again or waiting at the front of its queue", body = views::TicketView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device, not the counter's clerk, or a field the clerk's counter does not serve", body = ErrorBody),
        (status = 404, description = "`ticket_not_found`, `counter_not_found`", body = ErrorBody),
        (status = 409, description = "`ticket_not_absent`, `absent_undo_expired` (the window passed), `counter_busy`, `counter_paused`, `service_not_served`", body = ErrorBody),
        (status = 422, description = "`missing_target`, `missing_counter`, `invalid_body`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(ticket = %id, action = "undo-absent"))]
pub async fn undo_absent(
    State(app): State<App>,
    StaffUser(user): StaffUser,
    Path(id): Path<String>,
    Body(body): Body<UndoAbsentBody>,
) -> Result<Json<views::TicketView>, AppError> {
    let staff = staff(&user);
    let id = ticket_id(&id)?;
    let to = body.to.ok_or_else(|| {
        AppError::invalid(
            "missing_target",
            "say where the ticket goes: {\"to\": \"counter\", \"counter\": 3} or {\"to\": \"queue\"}",
        )
    })?;
    let counter = body
        .counter
        .map(|no| counter_no(&app.hall(), &no.to_string()))
        .transpose()?;
    let view = app
        .run(move |ctx| absence::undo_absent(ctx, id, to, counter, &staff))
        .await?;
    Ok(Json(view))
}
