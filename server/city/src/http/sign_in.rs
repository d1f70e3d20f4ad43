//! The city office's own accounts signing in and out.

use super::*;

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

/// Sign in: the answer sets the session cookie (`motcua_session`).
///
/// Who may call: anyone.
#[utoipa::path(
    post,
    path = "/api/session",
    tag = "city",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in; the cookie is set", body = UserAnswer),
        (status = 401, description = "`bad_credentials`", body = ErrorBody),
        (status = 422, description = "`invalid_body`", body = ErrorBody),
    ),
)]
pub(super) async fn login(
    State(state): State<CityState>,
    jar: CookieJar,
    Body(req): Body<LoginRequest>,
) -> Result<Response, AppError> {
    let now = millis(state.clock.now());
    let sign_in = session::SignIn {
        name: req.name,
        password: req.password,
    };
    let (user, jar) = session::sign_in(&state.store, jar, sign_in, now).await?;
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
