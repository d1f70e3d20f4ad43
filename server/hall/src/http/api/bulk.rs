//! What a manager does about a flood of tickets: cancel in bulk the waiting tickets one
//! kiosk or one member of staff issued, or those issued within a time range, and
//! acknowledge the dashboard's alert about an issuer refused for issuing too fast.

use super::*;
use crate::app::bulk::{self, BulkCancelled};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use chrono::{NaiveTime, TimeZone};
use motcua_store::tickets::WaitingFilter;

/// A manager or an admin, checked before the body is read.
pub struct Manager(pub accounts::User);

impl FromRequestParts<super::super::AppState> for Manager {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &super::super::AppState,
    ) -> Result<Self, AppError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.reader().cloned().map(Manager)
    }
}

/// Which waiting tickets to cancel, and why. At least one of `kiosk`, `clerk`, `from`
/// and `to` is required; every one given must hold.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkCancelRequest {
    /// Issued by the kiosk of this name.
    #[serde(default)]
    kiosk: Option<String>,
    /// Issued at a counter by the member of staff of this name.
    #[serde(default)]
    clerk: Option<String>,
    /// Issued at or after this local time today, `HH:MM` (or `HH:MM:SS`).
    #[serde(default)]
    from: Option<String>,
    /// Issued before this local time today, `HH:MM` (or `HH:MM:SS`).
    #[serde(default)]
    to: Option<String>,
    /// Waiting in this field only.
    #[serde(default)]
    service: Option<String>,
    /// Why (required, at most 200 characters): kept with each cancellation.
    #[serde(default)]
    reason: Option<String>,
    /// Only count what would be cancelled (for the confirmation).
    #[serde(default)]
    dry_run: bool,
}

/// The most a bulk cancellation's reason may hold, in characters.
const REASON_MAX: usize = 200;

/// Cancel many waiting tickets at once: every one issued by a kiosk or a member of staff,
/// or within a time range of today (optionally of one field). Called and serving tickets
/// are left alone. Each is cancelled with the usual event, noted `bulk: <reason>`, all in
/// one transaction; the screens and phones see them cancelled.
///
/// Who may call: managers and admins.
#[utoipa::path(
    post,
    path = "/api/bulk-cancellations",
    tag = "manager",
    security(("session" = [])),
    request_body = BulkCancelRequest,
    responses(
        (status = 200, description = "how many were cancelled (or would be, as a dry run), and their codes", body = BulkCancelled),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 404, description = "`device_not_found`, `user_not_found`", body = ErrorBody),
        (status = 422, description = "`missing_selection`, `missing_reason`, `reason_too_long`, `bad_time`, `bad_range`, `unknown_service`, `invalid_body`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn bulk_cancel(
    State(app): State<App>,
    State(clock): State<Arc<dyn Clock>>,
    Manager(user): Manager,
    Body(req): Body<BulkCancelRequest>,
) -> Result<Json<BulkCancelled>, AppError> {
    let staff = staff(&user);
    let reason = req
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| {
            AppError::invalid(
                "missing_reason",
                "say why: {\"reason\": \"kiosk token stolen\"}",
            )
        })?
        .to_owned();
    if reason.chars().count() > REASON_MAX {
        return Err(AppError::invalid(
            "reason_too_long",
            format!("a reason has at most {REASON_MAX} characters"),
        ));
    }
    if req.kiosk.is_none() && req.clerk.is_none() && req.from.is_none() && req.to.is_none() {
        return Err(AppError::invalid(
            "missing_selection",
            "say whose tickets (kiosk, clerk) or when they were issued (from, to)",
        ));
    }
    let service = req
        .service
        .as_deref()
        .map(|s| service_code(&app.hall(), s))
        .transpose()?;
    let today = motcua_domain::numbering::local_day(clock.now(), app.hall().tz);
    let tz = app.hall().tz;
    let at = |key: &str, value: &Option<String>| -> Result<Option<i64>, AppError> {
        let Some(text) = value else { return Ok(None) };
        let time = NaiveTime::parse_from_str(text, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
            .map_err(|_| {
                AppError::invalid(
                    "bad_time",
                    format!("{key} is a time like 08:30, not {text:?}"),
                )
            })?;
        let local = tz
            .from_local_datetime(&today.and_time(time))
            .earliest()
            .ok_or_else(|| AppError::invalid("bad_time", format!("{key}: no such local time")))?;
        Ok(Some(local.timestamp_millis()))
    };
    let (from, to) = (at("from", &req.from)?, at("to", &req.to)?);
    if let (Some(from), Some(to)) = (from, to)
        && from >= to
    {
        return Err(AppError::invalid("bad_range", "from must be before to"));
    }
    let (kiosk, clerk) = (req.kiosk, req.clerk);
    let (issued_device, issued_user) = app
        .store
        .read::<_, AppError, _>(move |conn| {
            let device = match kiosk {
                None => None,
                Some(name) => Some(accounts::kiosk_id_by_name(conn, &name)?.ok_or_else(|| {
                    AppError::not_found("device_not_found", format!("no kiosk named {name:?}"))
                })?),
            };
            let user = match clerk {
                None => None,
                Some(name) => Some(
                    accounts::user_for_login(conn, &name)?
                        .map(|(user, _)| user.id)
                        .ok_or_else(|| {
                            AppError::not_found(
                                "user_not_found",
                                format!("no member of staff named {name:?}"),
                            )
                        })?,
                ),
            };
            Ok((device, user))
        })
        .await?;
    let dry_run = req.dry_run;
    let done = app
        .run(move |ctx| {
            let filter = WaitingFilter {
                issued_device,
                issued_user,
                issued_from: from,
                issued_to: to,
                service: service.as_ref(),
            };
            bulk::cancel_waiting(ctx, &filter, &reason, &staff, dry_run)
        })
        .await?;
    Ok(Json(done))
}

/// The manager has seen the alert about a kiosk or member of staff refused for issuing
/// too fast: it leaves the dashboard's Now tab (a new refusal raises it again). An alert
/// already acknowledged (by another manager, say) or gone with the day is no error.
///
/// Who may call: managers and admins.
#[utoipa::path(
    post,
    path = "/api/issuing-alerts/{id}/acknowledge",
    tag = "manager",
    security(("session" = [])),
    params(("id" = String, Path, description = "the alert's id, as `/api/stats/now` gives it (`kiosk-3`, `staff-5`)")),
    request_body = NoBody,
    responses(
        (status = 204, description = "acknowledged"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 404, description = "`alert_not_found`: not an alert's id", body = ErrorBody),
        (status = 422, description = "`invalid_body`", body = ErrorBody),
    ),
)]
pub async fn acknowledge_issuing_alert(
    State(limits): State<IssuingLimits>,
    Manager(user): Manager,
    Path(id): Path<String>,
    Body(NoBody {}): Body<NoBody>,
) -> Result<StatusCode, AppError> {
    match limits.acknowledge(&id) {
        None => {
            return Err(AppError::not_found(
                "alert_not_found",
                format!("{id:?} is not an alert's id (kiosk-3, staff-5)"),
            ));
        }
        Some(true) => tracing::info!(alert = %id, by = %user.name, "issuing alert acknowledged"),
        Some(false) => {}
    }
    Ok(StatusCode::NO_CONTENT)
}
