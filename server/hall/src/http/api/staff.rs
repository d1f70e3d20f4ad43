//! Staff and devices: signing in and out, who is asking, adding users and devices.

use super::*;

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
