//! The city office's own accounts signing in and out (hashed, throttled and locked the
//! same way as a hall's: `motcua_web::session`), and the sign-in locks its admins see.

use super::*;
use motcua_web::client::{ClientAddr, Https};
use motcua_web::session::LiftLock;
use motcua_web::throttle::SignInLocks;

/// A member of the city office signing in.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginRequest {
    name: String,
    password: String,
}

/// A member of the city office.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserAnswer {
    pub user: User,
}

/// Sign in: the answer sets the session cookie (`motcua_session`; Secure over HTTPS).
///
/// Throttled as a hall's sign-in is: 5 free failures per name, then waits of 1 to 16 s,
/// a 15-minute lock at the 10th; per address 20 free, a lock at the 30th.
///
/// Who may call: anyone.
#[utoipa::path(
    post,
    path = "/api/session",
    tag = "city",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in; the cookie is set", body = UserAnswer),
        (status = 401, description = "`bad_credentials` (an unknown name and a wrong password alike)", body = ErrorBody),
        (status = 422, description = "`invalid_body`", body = ErrorBody),
        (status = 429, description = "`sign_in_locked`: too many failures for this name or address (`Retry-After`); `sign_in_busy`: too many sign-ins at once", body = ErrorBody),
    ),
)]
pub(super) async fn login(
    State(state): State<CityState>,
    ClientAddr(address): ClientAddr,
    Https(https): Https,
    jar: CookieJar,
    Body(req): Body<LoginRequest>,
) -> Result<Response, AppError> {
    let now = millis(state.clock.now());
    let sign_in = session::SignIn {
        name: req.name,
        password: req.password,
    };
    let from = session::Origin { address, https };
    let (user, jar) =
        session::sign_in(&state.store, &state.sign_ins, jar, sign_in, from, now).await?;
    Ok((jar, Json(UserAnswer { user })).into_response())
}

pub(super) async fn signed_in(state: &CityState, jar: &CookieJar) -> Result<User, AppError> {
    let now = millis(state.clock.now());
    session::staff_of(&state.store, jar, now)
        .await?
        .ok_or(AppError::Command(Error::Unauthenticated))
}

/// The city office: admins and managers read the figures.
pub(super) async fn reader(state: &CityState, jar: &CookieJar) -> Result<User, AppError> {
    let user = signed_in(state, jar).await?;
    if matches!(user.role, Role::Admin | Role::Manager) {
        Ok(user)
    } else {
        Err(AppError::forbidden(
            "the city office's managers and admins only",
        ))
    }
}

/// Who the session cookie belongs to.
///
/// Who may call: a signed-in member of the city office.
#[utoipa::path(
    get,
    path = "/api/session",
    tag = "city",
    security(("session" = [])),
    responses(
        (status = 200, description = "the caller", body = UserAnswer),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    ),
)]
pub(super) async fn whoami(
    State(state): State<CityState>,
    jar: CookieJar,
) -> Result<Json<UserAnswer>, AppError> {
    let user = signed_in(&state, &jar).await?;
    Ok(Json(UserAnswer { user }))
}

/// Sign out: the session ends and its cookie is removed.
///
/// Who may call: anyone (without a session it does nothing).
#[utoipa::path(
    delete,
    path = "/api/session",
    tag = "city",
    responses((status = 204, description = "signed out")),
)]
pub(super) async fn logout(
    State(state): State<CityState>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    let jar = session::sign_out(&state.store, jar).await?;
    Ok((jar, StatusCode::NO_CONTENT).into_response())
}

async fn admin(state: &CityState, jar: &CookieJar) -> Result<User, AppError> {
    let user = signed_in(state, jar).await?;
    if user.role == Role::Admin {
        Ok(user)
    } else {
        Err(AppError::forbidden("the city office's admins only"))
    }
}

/// Every account name and client address whose sign-ins must wait now (slowed down or
/// locked out), with when each may try again.
///
/// Who may call: the city office's admins.
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
pub(super) async fn sign_in_locks(
    State(state): State<CityState>,
    jar: CookieJar,
) -> Result<Json<SignInLocks>, AppError> {
    admin(&state, &jar).await?;
    let now = millis(state.clock.now());
    Ok(Json(state.sign_ins.throttle.waiting(now)))
}

/// Lift the lock of a name or an address: its failures are forgotten at once.
///
/// Who may call: the city office's admins.
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
pub(super) async fn lift_sign_in_lock(
    State(state): State<CityState>,
    jar: CookieJar,
    Body(req): Body<LiftLock>,
) -> Result<StatusCode, AppError> {
    let user = admin(&state, &jar).await?;
    session::lift_lock(&state.sign_ins, &user, req)?;
    Ok(StatusCode::NO_CONTENT)
}
