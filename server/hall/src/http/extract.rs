//! Who is asking: a device token, a staff session, or nobody; and what each may do.

use super::{AppError, AppState};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use motcua_domain::Error;
use motcua_domain::event::IssuedBy;
use motcua_domain::{DeviceKind, Role};
use motcua_store::accounts::{self, Device, User};
pub use motcua_web::extract::{Body, Path, Query, SESSION_COOKIE};

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

/// Whoever may rate at a counter, checked before the body is read: a member of staff (the
/// tablet signed in as the counter's clerk), or a tablet paired to its counter.
pub enum Rater {
    Staff(User),
    Tablet(motcua_domain::CounterNo),
}

impl FromRequestParts<AppState> for Rater {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Device(device) if device.kind == DeviceKind::Tablet => device
                .counter
                .and_then(|no| motcua_domain::CounterNo::try_from(no).ok())
                .map(Rater::Tablet)
                .ok_or_else(|| AppError::forbidden("this tablet is bound to no counter")),
            caller => caller.staff().cloned().map(Rater::Staff),
        }
    }
}

/// Whoever may issue a ticket (a kiosk, or staff at a counter), checked before the body
/// is read.
pub struct Issuer {
    pub issued_by: IssuedBy,
    /// The kiosk, when a kiosk issues (its printer prints the ticket).
    pub kiosk: Option<Device>,
    /// The member of staff, when staff issue at a counter.
    pub staff: Option<User>,
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
                staff: None,
            },
            Caller::Staff(user) => Issuer {
                issued_by: IssuedBy::Counter,
                kiosk: None,
                staff: Some(user),
            },
            Caller::Nobody => return Err(AppError::Command(Error::Unauthenticated)),
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
            let addr = client_addr(parts, state);
            return device_by_token(state, token, addr)
                .await
                .map(Caller::Device);
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let now = motcua_store::millis(state.clock.now());
        let user = motcua_web::session::staff_of(&state.store, &jar, now).await?;
        // An expired or unknown cookie is simply nobody: the login page will follow.
        Ok(user.map(Caller::Staff).unwrap_or(Caller::Nobody))
    }
}

/// The client's address (through the trusted proxies).
pub fn client_addr(parts: &Parts, state: &AppState) -> std::net::IpAddr {
    state
        .proxies
        .client(motcua_web::client::peer(parts), &parts.headers)
}

/// The device a token names (a revoked token names none: 401), its sign of life noted.
pub async fn device_by_token(
    state: &AppState,
    token: String,
    addr: std::net::IpAddr,
) -> Result<Device, AppError> {
    let device = state
        .store
        .read(move |conn| accounts::device_by_token(conn, &token))
        .await?
        .ok_or(AppError::Command(Error::Unauthenticated))?;
    state.access.note_seen(&state.store, device.id, addr);
    Ok(device)
}
