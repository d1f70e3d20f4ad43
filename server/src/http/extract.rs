//! Extractors that turn requests into domain values, with our error shape for bad input:
//! a JSON body (malformed -> 400, wrong values -> 422, too large -> 413) and the caller
//! (a device token, a staff session, or nobody).

use crate::domain::Error;
use super::{AppError, AppState};
use crate::domain::{DeviceKind, Role};
use crate::store::accounts::{self, Device, User};
use crate::domain::event::IssuedBy;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use serde::de::DeserializeOwned;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "motcua_session";

/// A JSON body. An empty body reads as `{}`, so optional bodies need no special case and
/// required fields still get a clear "missing field" error.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let headers = req.headers().clone();
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::BadRequest {
                    code: "unreadable_body",
                    message: rejection.body_text(),
                }
            }
        })?;
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else if !json_content_type(&headers) {
            return Err(AppError::UnsupportedMediaType);
        } else {
            &bytes
        };
        // Not JSON at all: 400. JSON but not an object (serde would happily fill a struct
        // from an array): 422. Then the fields (wrong types, unknown or repeated keys): 422.
        let starts_as_object = text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if !starts_as_object {
            return Err(match serde_json::from_slice::<serde_json::Value>(text) {
                Ok(_) => AppError::invalid("invalid_body", "the body must be a JSON object"),
                Err(e) => malformed(e),
            });
        }
        let body = serde_json::from_slice(text).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => AppError::invalid("invalid_body", e.to_string()),
            _ => malformed(e),
        })?;
        Ok(Body(body))
    }
}

fn malformed(e: serde_json::Error) -> AppError {
    AppError::BadRequest {
        code: "malformed_json",
        message: format!("the body is not valid JSON: {e}"),
    }
}

/// Path parameters, with our error shape: a path that cannot be read (not UTF-8, not the
/// right type) names nothing that exists, so 404.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct Path<T>(pub T);

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        AppError::not_found(
            "not_found",
            format!("no such address: {}", rejection.body_text()),
        )
    }
}

/// Query parameters, with our error shape (422 for what cannot be read).
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct Query<T>(pub T);

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        AppError::invalid("invalid_query", rejection.body_text())
    }
}

/// `application/json`, with or without parameters such as `charset=utf-8`.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"))
}

/// Who is asking.
#[derive(Debug, Clone)]
pub enum Caller {
    Nobody,
    Staff(User),
    Device(Device),
}

impl Caller {
    /// Any signed-in member of staff.
    pub fn staff(&self) -> Result<&User, AppError> {
        match self {
            Caller::Staff(user) => Ok(user),
            Caller::Nobody => Err(AppError::Command(Error::Unauthenticated)),
            Caller::Device(_) => Err(AppError::forbidden("devices may not do this")),
        }
    }

    /// A manager or admin.
    pub fn reader(&self) -> Result<&User, AppError> {
        let user = self.staff()?;
        if user.role.reads_everything() {
            Ok(user)
        } else {
            Err(AppError::forbidden("managers and admins only"))
        }
    }

    pub fn admin(&self) -> Result<&User, AppError> {
        let user = self.staff()?;
        if user.role == Role::Admin {
            Ok(user)
        } else {
            Err(AppError::forbidden("admins only"))
        }
    }

    /// A kiosk, or staff issuing at a counter.
    pub fn may_issue(&self) -> Result<(), AppError> {
        match self {
            Caller::Device(d) if d.kind == DeviceKind::Kiosk => Ok(()),
            Caller::Device(_) => Err(AppError::forbidden("only a kiosk may issue tickets")),
            Caller::Staff(_) => Ok(()),
            Caller::Nobody => Err(AppError::Command(Error::Unauthenticated)),
        }
    }
}

/// A signed-in member of staff. As a parts extractor it refuses (401/403) before the
/// body is read, so who you are is checked before what you sent.
pub struct StaffUser(pub User);

impl FromRequestParts<AppState> for StaffUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.staff().cloned().map(StaffUser)
    }
}

/// An admin, checked before the body is read.
pub struct Admin(pub User);

impl FromRequestParts<AppState> for Admin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.admin().cloned().map(Admin)
    }
}

/// Whoever may issue a ticket (a kiosk, or staff at a counter), checked before the body
/// is read.
pub struct Issuer {
    pub issued_by: IssuedBy,
    /// The kiosk, when a kiosk issues (its printer prints the ticket).
    pub kiosk: Option<Device>,
}

impl FromRequestParts<AppState> for Issuer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.may_issue()?;
        Ok(match caller {
            Caller::Device(kiosk) => Issuer {
                issued_by: IssuedBy::Kiosk,
                kiosk: Some(kiosk),
            },
            _ => Issuer {
                issued_by: IssuedBy::Counter,
                kiosk: None,
            },
        })
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty() && t.len() <= 128)
                .ok_or(AppError::Command(Error::Unauthenticated))?
                .to_owned();
            let device = state
                .store
                .read(move |conn| accounts::device_by_token(conn, &token))
                .await?;
            return device.map(Caller::Device).ok_or(AppError::Command(Error::Unauthenticated));
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(SESSION_COOKIE) else {
            return Ok(Caller::Nobody);
        };
        let token = cookie.value().to_owned();
        if token.len() > 128 {
            return Ok(Caller::Nobody);
        }
        let now = crate::store::millis(state.clock.now());
        let user = state
            .store
            .read(move |conn| accounts::user_by_session(conn, &token, now))
            .await?;
        // An expired or unknown cookie is simply nobody: the login page will follow.
        Ok(user.map(Caller::Staff).unwrap_or(Caller::Nobody))
    }
}
