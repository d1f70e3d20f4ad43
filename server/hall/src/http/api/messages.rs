//! Speaking to the hall: a manager posts a message to everyone waiting or to one field's
//! queue, and withdraws it; phones and the hall TV read the messages open now.

use super::*;
use crate::app::messages::{self, HallMessage, HallMessages, MINUTES_MAX, NewMessage, TEXT_MAX};

/// A message to the hall.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MessageBody {
    /// The field whose queue it speaks to; none: everyone waiting.
    service: Option<String>,
    /// In Vietnamese: 1 to 200 characters (required).
    text_vi: Option<String>,
    /// In English: up to 200 characters (optional).
    text_en: Option<String>,
    /// How long it shows: 1 to 600 minutes (default 30).
    minutes: Option<u32>,
}

/// One line of text, trimmed: `None` when empty; refused when too long or holding control
/// characters.
fn line(text: Option<String>, key: &'static str) -> Result<Option<String>, AppError> {
    let text = text.unwrap_or_default().trim().to_owned();
    if text.chars().count() > TEXT_MAX || text.chars().any(char::is_control) {
        return Err(AppError::invalid(
            key,
            format!("a message is one line of at most {TEXT_MAX} characters"),
        ));
    }
    Ok((!text.is_empty()).then_some(text))
}

/// Speak to the hall: every phone waiting and the hall TV, or one field's phones (and the
/// TV naming the field), until it expires or is withdrawn. Logged as an event.
///
/// Who may call: managers and admins.
#[utoipa::path(
    post,
    path = "/api/messages",
    tag = "manager",
    security(("session" = [])),
    request_body = MessageBody,
    responses(
        (status = 201, description = "the message, up now", body = HallMessage),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 409, description = "`too_many_messages`: ten are up already", body = ErrorBody),
        (status = 422, description = "`bad_text`, `bad_text_en`, `bad_minutes`, `unknown_service`, `invalid_body`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(action = "message"))]
pub async fn post_message(
    State(app): State<App>,
    StaffUser(user): StaffUser,
    Body(body): Body<MessageBody>,
) -> Result<(StatusCode, Json<HallMessage>), AppError> {
    let staff = staff(&user);
    let service = match body.service.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(service_code(&app.hall(), code)?),
    };
    let text_vi = line(body.text_vi, "bad_text")?
        .ok_or_else(|| AppError::invalid("bad_text", "the message in Vietnamese is required"))?;
    let text_en = line(body.text_en, "bad_text_en")?;
    let minutes = body.minutes.unwrap_or(30);
    if !(1..=MINUTES_MAX).contains(&minutes) {
        return Err(AppError::invalid(
            "bad_minutes",
            format!("a message shows 1 to {MINUTES_MAX} minutes"),
        ));
    }
    let new = NewMessage {
        service,
        text_vi,
        text_en,
        minutes,
    };
    let message = app.run(move |ctx| messages::post(ctx, &staff, new)).await?;
    Ok((StatusCode::CREATED, Json(message)))
}

/// Take a message back: it leaves every phone and the hall TV at once.
///
/// Who may call: managers and admins.
#[utoipa::path(
    post,
    path = "/api/messages/{id}/withdraw",
    tag = "manager",
    security(("session" = [])),
    params(("id" = i64, Path, description = "the message's number")),
    responses(
        (status = 200, description = "the messages still up", body = HallMessages),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 404, description = "`message_not_found`: none such is up", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(action = "withdraw_message"))]
pub async fn withdraw_message(
    State(app): State<App>,
    StaffUser(user): StaffUser,
    Path(id): Path<String>,
) -> Result<Json<HallMessages>, AppError> {
    let staff = staff(&user);
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::not_found("message_not_found", "no such message"))?;
    let list = app
        .run(move |ctx| messages::withdraw(ctx, &staff, id))
        .await?;
    Ok(Json(list))
}

/// Which messages a page reads.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessagesQuery {
    /// A phone's field: the hall's messages and that field's. Without it: all of them
    /// (the hall TV).
    service: Option<String>,
}

/// The manager's messages up now, oldest first.
///
/// Who may call: anyone (the hall TV, the phones: what they show to everyone waiting).
#[utoipa::path(
    get,
    path = "/api/messages",
    tags = ["display", "phone", "manager"],
    params(MessagesQuery),
    responses(
        (status = 200, description = "the messages up now", body = HallMessages),
        (status = 422, description = "`unknown_service`", body = ErrorBody),
    ),
)]
pub async fn list_messages(
    State(app): State<App>,
    State(clock): State<Arc<dyn Clock>>,
    Query(query): Query<MessagesQuery>,
) -> Result<Json<HallMessages>, AppError> {
    let service = match query.service.as_deref() {
        None | Some("") => None,
        Some(code) => Some(service_code(&app.hall(), code)?),
    };
    let now = clock.now();
    let mut list = app
        .read(move |conn, hall| Ok(messages::open_now(conn, hall, now)?))
        .await?;
    if let Some(service) = service {
        list.retain(|m| m.service.as_ref().is_none_or(|s| *s == service));
    }
    Ok(Json(HallMessages { messages: list }))
}
