//! The hall's settings changed on the admin pages while it runs ([`crate::setup`]): each
//! live section read, replaced, or sent back to the settings file's.

use super::*;
use crate::setup::{self, Change, SectionView, Setup};

/// Every section the admin pages change.
#[derive(Serialize, ToSchema)]
pub struct SettingsAnswer {
    pub sections: Vec<SectionView>,
}

/// A section's new value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionChange {
    /// The section's value, in the shape of its section of the settings file (a list of
    /// fields for `services`, of counters for `counters`, an object for the others).
    #[schema(value_type = Object)]
    pub value: serde_json::Value,
}

/// One section, as it runs now.
#[derive(Serialize, ToSchema)]
pub struct SectionAnswer {
    pub section: SectionView,
}

/// The sections of the settings the admin pages change (`hall`, `queue`, `services`,
/// `counters`, `announcements`, `hours`, `alerts`, `bookings`): each as it runs now, the
/// settings file's value, and who changed it on the admin pages and when. `bookings` leaves
/// out its issuers (the file's only); `alerts.webhook_url` shows as its host only
/// (`https://chat.example/…`).
///
/// Who may call: managers and admins (only admins change them).
#[utoipa::path(
    get,
    path = "/api/admin/settings",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "the live sections", body = SettingsAnswer),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
    ),
)]
pub async fn admin_settings(
    State(app): State<App>,
    State(setup): State<Setup>,
    _manager: Manager,
) -> Json<SettingsAnswer> {
    Json(SettingsAnswer {
        sections: setup.views(&app.hall()),
    })
}

/// Replace one section, in the shape of its section of the settings file (keys left out
/// take their defaults; unknown keys are refused; `bookings.issuers` is refused: issuers
/// are the file's only; an `alerts.webhook_url` sent as it was shown keeps the address set;
/// a calendar that would strand bookings already made is refused). It is checked as the file is, applied
/// at once (every screen starts again from the new set-up), kept in the database (it wins
/// over the file's from now on, across restarts) and audited (`settings:<section>`).
///
/// Who may call: admins.
#[utoipa::path(
    put,
    path = "/api/admin/settings/{section}",
    tag = "admin",
    security(("session" = [])),
    params(("section" = String, Path, description = "hall, queue, services, counters, announcements, hours, alerts or bookings")),
    request_body = SectionChange,
    responses(
        (status = 200, description = "applied", body = SectionAnswer),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`unknown_section`", body = ErrorBody),
        (status = 409, description = "`field_in_use` (people wait in a field taken away, or hold its bookings), `counter_open` (a counter taken away is open), `bookings_stranded` (bookings already made would lose their day or window: the message names the first such day, how many and at what times)", body = ErrorBody),
        (status = 422, description = "`bad_setting`: the message names the key and why, as for the settings file", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(section = %name))]
pub async fn change_settings(
    State(state): State<super::super::AppState>,
    Admin(admin): Admin,
    Path(name): Path<String>,
    Body(change): Body<SectionChange>,
) -> Result<Json<SectionAnswer>, AppError> {
    apply(state, admin, name, Change::Set(change.value)).await
}

/// Send one section back to the settings file's value: applied at once, forgotten by the
/// database, audited (`reset`).
///
/// Who may call: admins.
#[utoipa::path(
    delete,
    path = "/api/admin/settings/{section}",
    tag = "admin",
    security(("session" = [])),
    params(("section" = String, Path, description = "hall, queue, services, counters, announcements, hours, alerts or bookings")),
    responses(
        (status = 200, description = "the file's value applies again", body = SectionAnswer),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`unknown_section`", body = ErrorBody),
        (status = 409, description = "`field_in_use`, `counter_open`, `bookings_stranded`: as for a change", body = ErrorBody),
        (status = 422, description = "`bad_setting`: the file's value no longer fits", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(section = %name))]
pub async fn reset_settings(
    State(state): State<super::super::AppState>,
    Admin(admin): Admin,
    Path(name): Path<String>,
) -> Result<Json<SectionAnswer>, AppError> {
    apply(state, admin, name, Change::BackToFile).await
}

async fn apply(
    state: super::super::AppState,
    admin: accounts::User,
    name: String,
    change: Change,
) -> Result<Json<SectionAnswer>, AppError> {
    let section = setup::change(
        &state.app,
        &state.setup,
        &state.announcer,
        admin,
        name,
        change,
    )
    .await?;
    Ok(Json(SectionAnswer { section }))
}
