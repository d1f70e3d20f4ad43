//! Taking credentials away, for admins: devices listed with their last sign of life and
//! revoked; staff listed, disabled, enabled again, given a new password. The rules are
//! [`crate::access`]'s (the command line runs the same); here the sockets of whoever lost
//! their credential are closed at once.

use super::*;
use crate::access;
use motcua_store::accounts::{DeviceRecord, UserRecord};

/// A device as admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceView {
    pub id: i64,
    pub name: String,
    /// kiosk, display or printer.
    #[schema(value_type = String, example = "kiosk")]
    pub kind: &'static str,
    /// For a printer: the id of the kiosk whose tickets it prints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kiosk_id: Option<i64>,
    /// When it was added (the hall's local time).
    pub created_at: String,
    /// When it last showed its token (the hall's local time), if ever.
    pub last_seen_at: Option<String>,
    /// The client address it last showed its token from.
    pub last_seen_addr: Option<String>,
    /// When its token was revoked; `null` while it is valid.
    pub revoked_at: Option<String>,
}

impl DeviceView {
    fn of(record: DeviceRecord, hall: &motcua_domain::Hall, access: &access::Access) -> Self {
        // The server's own memory is fresher than what it wrote down (at most a minute).
        let fresh = access
            .last_seen(record.device.id)
            .filter(|seen| record.last_seen_at.is_none_or(|at| seen.at_ms >= at));
        let (last_seen_at, last_seen_addr) = match fresh {
            Some(seen) => (Some(seen.at_ms), Some(seen.addr.to_string())),
            None => (record.last_seen_at, record.last_seen_addr),
        };
        DeviceView {
            id: record.device.id,
            name: record.device.name,
            kind: record.device.kind.as_str(),
            kiosk_id: record.device.kiosk_id,
            created_at: views::local_time(hall, record.created_at),
            last_seen_at: last_seen_at.map(|at| views::local_time(hall, at)),
            last_seen_addr,
            revoked_at: record.revoked_at.map(|at| views::local_time(hall, at)),
        }
    }
}

/// Every device.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceList {
    pub devices: Vec<DeviceView>,
}

/// One device.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeviceAnswer {
    pub device: DeviceView,
}

/// Every kiosk, display and printer, revoked ones too, with its last sign of life.
///
/// Who may call: admins.
#[utoipa::path(
    get,
    path = "/api/devices",
    tags = ["admin", "devices"],
    security(("session" = [])),
    responses(
        (status = 200, description = "every device, by name", body = DeviceList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
    ),
)]
pub async fn list_devices(
    State(store): State<Store>,
    State(access): State<access::Access>,
    _admin: Admin,
) -> Result<Json<DeviceList>, AppError> {
    let records = store.read(accounts::devices).await?;
    let devices = records
        .into_iter()
        .map(|r| DeviceView::of(r, &store.hall(), &access))
        .collect();
    Ok(Json(DeviceList { devices }))
}

/// Revoke a device's token: it is refused from now on (401), and every socket opened
/// with it (kiosk feed, print agent, display) closes at once. A new token means adding
/// the device again under another name.
///
/// Who may call: admins.
#[utoipa::path(
    post,
    path = "/api/devices/{id}/revoke",
    tags = ["admin", "devices"],
    security(("session" = [])),
    params(("id" = i64, Path, description = "the device's id")),
    responses(
        (status = 200, description = "the device, revoked", body = DeviceAnswer),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`device_not_found`", body = ErrorBody),
        (status = 409, description = "`device_revoked`: revoked already", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(device = %id))]
pub async fn revoke_device(
    State(store): State<Store>,
    State(access): State<access::Access>,
    State(clock): State<Arc<dyn Clock>>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<DeviceAnswer>, AppError> {
    let id = row_id(&id, "device_not_found")?;
    let now = millis(clock.now());
    let record = store
        .write::<_, Error, _>(move |tx| access::revoke_device(tx.conn, id, now))
        .await?;
    access.end(Owner::Device(id));
    Ok(Json(DeviceAnswer {
        device: DeviceView::of(record, &store.hall(), &access),
    }))
}

/// A member of staff as admins see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    #[schema(value_type = String, example = "clerk")]
    pub role: &'static str,
    /// When they were added (the hall's local time).
    pub created_at: String,
    /// When they were disabled; `null` while they may sign in.
    pub disabled_at: Option<String>,
}

impl UserView {
    fn of(record: UserRecord, hall: &motcua_domain::Hall) -> Self {
        UserView {
            id: record.user.id,
            name: record.user.name,
            role: record.user.role.as_str(),
            created_at: views::local_time(hall, record.created_at),
            disabled_at: record.disabled_at.map(|at| views::local_time(hall, at)),
        }
    }
}

/// Every member of staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<UserView>,
}

/// One member of staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffAnswer {
    pub user: UserView,
}

/// Every member of staff, disabled ones too.
///
/// Who may call: admins.
#[utoipa::path(
    get,
    path = "/api/users",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "every member of staff, by name", body = UserList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
    ),
)]
pub async fn list_users(
    State(store): State<Store>,
    _admin: Admin,
) -> Result<Json<UserList>, AppError> {
    let records = store.read(accounts::users).await?;
    let users = records
        .into_iter()
        .map(|r| UserView::of(r, &store.hall()))
        .collect();
    Ok(Json(UserList { users }))
}

/// Disable a member of staff: they cannot sign in, every session of theirs ends and their
/// console's sockets close at once. A counter they hold is left as it stands (a citizen
/// may be at it): a manager closes it, or the new day's closing does.
///
/// Who may call: admins (not for themselves; never the last admin).
#[utoipa::path(
    post,
    path = "/api/users/{id}/disable",
    tag = "admin",
    security(("session" = [])),
    params(("id" = i64, Path, description = "the member of staff's id")),
    responses(
        (status = 200, description = "the member of staff, disabled", body = StaffAnswer),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`user_not_found`", body = ErrorBody),
        (status = 409, description = "`user_disabled` (already), `own_account`, `last_admin`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %id))]
pub async fn disable_user(
    State(store): State<Store>,
    State(access): State<access::Access>,
    State(clock): State<Arc<dyn Clock>>,
    Admin(admin): Admin,
    Path(id): Path<String>,
) -> Result<Json<StaffAnswer>, AppError> {
    let id = row_id(&id, "user_not_found")?;
    let now = millis(clock.now());
    let record = store
        .write::<_, Error, _>(move |tx| access::disable_user(tx.conn, id, Some(admin.id), now))
        .await?;
    access.end(Owner::User(id));
    Ok(Json(StaffAnswer {
        user: UserView::of(record, &store.hall()),
    }))
}

/// Let a disabled member of staff sign in again (with the password they had).
///
/// Who may call: admins.
#[utoipa::path(
    post,
    path = "/api/users/{id}/enable",
    tag = "admin",
    security(("session" = [])),
    params(("id" = i64, Path, description = "the member of staff's id")),
    responses(
        (status = 200, description = "the member of staff, enabled", body = StaffAnswer),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`user_not_found`", body = ErrorBody),
        (status = 409, description = "`user_enabled`: not disabled", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %id))]
pub async fn enable_user(
    State(store): State<Store>,
    _admin: Admin,
    Path(id): Path<String>,
) -> Result<Json<StaffAnswer>, AppError> {
    let id = row_id(&id, "user_not_found")?;
    let record = store
        .write::<_, Error, _>(move |tx| access::enable_user(tx.conn, id))
        .await?;
    Ok(Json(StaffAnswer {
        user: UserView::of(record, &store.hall()),
    }))
}

/// A new password for a member of staff.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    password: String,
}

/// Give a member of staff a new password (the password policy applies). Every session of
/// theirs ends and their sockets close: whoever knew the old password is out.
///
/// Who may call: admins.
#[utoipa::path(
    post,
    path = "/api/users/{id}/password",
    tag = "admin",
    security(("session" = [])),
    params(("id" = i64, Path, description = "the member of staff's id")),
    request_body = NewPassword,
    responses(
        (status = 200, description = "the member of staff, with the new password", body = StaffAnswer),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`user_not_found`", body = ErrorBody),
        (status = 422, description = "a weak password, `invalid_body`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(user = %id))]
pub async fn reset_password(
    State(store): State<Store>,
    State(access): State<access::Access>,
    State(guard): State<session::SignIns>,
    _admin: Admin,
    Path(id): Path<String>,
    Body(req): Body<NewPassword>,
) -> Result<Json<StaffAnswer>, AppError> {
    let id = row_id(&id, "user_not_found")?;
    let user = store
        .read(move |conn| accounts::user_by_id(conn, id))
        .await?
        .ok_or_else(|| AppError::not_found("user_not_found", format!("no user {id}")))?
        .user;
    // The same policy as a new member of staff, hashed on the server's hashing threads.
    motcua_web::accounts::check_new_user(
        &user.name,
        user.role,
        &req.password,
        &[&store.hall().name],
    )?;
    let hash = guard.hasher.hash(req.password).await?;
    let record = store
        .write::<_, Error, _>(move |tx| access::reset_password(tx.conn, id, &hash))
        .await?;
    access.end(Owner::User(id));
    Ok(Json(StaffAnswer {
        user: UserView::of(record, &store.hall()),
    }))
}

/// A row's id from the path: anything but a positive number names nothing (404).
fn row_id(id: &str, not_found: &'static str) -> Result<i64, AppError> {
    id.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::not_found(not_found, format!("no such id {id:?}")))
}
