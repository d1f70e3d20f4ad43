//! Staff and devices: signing in and out, who is asking, adding users and devices, and the
//! sign-in locks an admin sees and lifts.

use super::*;
use motcua_web::client::{ClientAddr, Https};
use motcua_web::session::LiftLock;
use motcua_web::throttle::SignInLocks;

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

/// Sign in: the answer sets the session cookie (`motcua_session`, HttpOnly,
/// SameSite=Strict, and Secure when the request came over HTTPS).
///
/// A name may fail 5 times freely, then waits 1, 2, 4, 8 and 16 s between tries, and is
/// locked for 15 minutes at the 10th failure; an address, 20 free failures and a lock at
/// the 30th. A refused try is not checked and not counted. A success clears the name's
/// count.
///
/// Who may call: anyone.
#[utoipa::path(
    post,
    path = "/api/session",
    tags = ["counter", "manager", "admin"],
    request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in; the cookie is set", body = UserAnswer),
        (status = 401, description = "`bad_credentials` (an unknown name and a wrong password alike)", body = ErrorBody),
        (status = 422, description = "`invalid_body`", body = ErrorBody),
        (status = 429, description = "`sign_in_locked`: too many failures for this name or address (`Retry-After`); `sign_in_busy`: too many sign-ins at once", body = ErrorBody),
    ),
)]
pub async fn login(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    State(guard): State<session::SignIns>,
    ClientAddr(address): ClientAddr,
    Https(https): Https,
    jar: CookieJar,
    Body(req): Body<LoginRequest>,
) -> Result<Response, AppError> {
    let now = millis(clock.now());
    let sign_in = session::SignIn {
        name: req.name,
        password: req.password,
    };
    let from = session::Origin { address, https };
    let (user, jar) = session::sign_in(&store, &guard, jar, sign_in, from, now).await?;
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
        (status = 422, description = "`unknown_role`, `bad_name`, `weak_password` (fewer than 10 characters, common, repeated, or built on the name, the role or the hall's name; the message says which), `invalid_body`", body = ErrorBody),
        (status = 429, description = "`sign_in_busy`: the password hashing threads are all busy", body = ErrorBody),
    ),
)]
pub async fn add_user(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    State(guard): State<session::SignIns>,
    _admin: Admin,
    Body(req): Body<NewUser>,
) -> Result<Response, AppError> {
    let role = Role::parse(&req.role)
        .ok_or_else(|| AppError::invalid("unknown_role", "role is admin, manager or clerk"))?;
    let now = millis(clock.now());
    let hall = store.hall().name.clone();
    motcua_web::accounts::check_new_user(&req.name, role, &req.password, &[&hall])?;
    let hash = guard.hasher.hash(req.password).await?;
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

/// Every account name and client address whose sign-ins must wait now (slowed down or
/// locked out), with when each may try again.
///
/// Who may call: admins.
#[utoipa::path(
    get,
    path = "/api/security/sign-in",
    tag = "admin",
    security(("session" = [])),
    responses(
        (status = 200, description = "the names and addresses that must wait", body = SignInLocks),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
    ),
)]
pub async fn sign_in_locks(
    State(clock): State<Arc<dyn Clock>>,
    State(guard): State<session::SignIns>,
    _admin: Admin,
) -> Json<SignInLocks> {
    Json(guard.throttle.waiting(millis(clock.now())))
}

/// Lift the lock of a name or an address: its failures are forgotten at once (a clerk
/// who mistyped, once the admin has checked it was them).
///
/// Who may call: admins.
#[utoipa::path(
    post,
    path = "/api/security/sign-in/unlock",
    tag = "admin",
    security(("session" = [])),
    request_body = LiftLock,
    responses(
        (status = 204, description = "lifted"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not an admin", body = ErrorBody),
        (status = 404, description = "`not_locked`: no failure counted for it", body = ErrorBody),
        (status = 422, description = "`bad_address`, `invalid_body` (name one of name and address)", body = ErrorBody),
    ),
)]
pub async fn lift_sign_in_lock(
    State(guard): State<session::SignIns>,
    admin: Admin,
    Body(req): Body<LiftLock>,
) -> Result<StatusCode, AppError> {
    session::lift_lock(&guard, &admin.0, req)?;
    Ok(StatusCode::NO_CONTENT)
}
