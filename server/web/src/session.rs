//! Staff signing in and out, the same way on both servers: a name and password checked
//! with argon2 on the server's bounded hashing threads ([`crate::hashing`]), after the
//! throttle let the try through ([`crate::throttle`]); a random session token in an
//! HTTP-only, same-site cookie (`Secure` over HTTPS; only its hash is stored), and the
//! member of staff a cookie names.
//!
//! Each server's database implements [`SessionStore`]; its handlers call [`sign_in`],
//! [`sign_out`] and [`staff_of`] and add what is theirs (the hall: the counter a clerk
//! holds).

use crate::AppError;
use crate::hashing::{Hasher, HashingSettings};
use crate::throttle::Throttle;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use motcua_domain::Error;
use motcua_store::StoreError;
use motcua_store::accounts::{self, User};
use rusqlite::Connection;
use serde::Deserialize;
use std::future::Future;
use std::net::IpAddr;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "motcua_session";

/// The longest name and password a sign-in reads; anything longer is wrong, unhashed.
const NAME_MAX: usize = 256;
const PASSWORD_MAX: usize = 1024;

/// Where a server keeps its users and sessions: the four questions signing in asks.
pub trait SessionStore: Clone + Send + Sync + 'static {
    /// An enabled user by name, with their password's hash.
    fn user_for_login(
        &self,
        name: String,
    ) -> impl Future<Output = Result<Option<(User, String)>, StoreError>> + Send;

    /// A new session for a user still enabled: its token (only its hash is kept).
    fn create_session(
        &self,
        user_id: i64,
        now_ms: i64,
    ) -> impl Future<Output = Result<String, StoreError>> + Send;

    fn delete_session(&self, token: String) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The enabled user a live session's token names.
    fn user_by_session(
        &self,
        token: String,
        now_ms: i64,
    ) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;
}

/// A SQLite database with the hall's accounts tables: it answers [`SessionStore`] with
/// `motcua_store::accounts`.
pub trait SqliteAccounts: Clone + Send + Sync + 'static {
    /// Run `query` on a reader.
    fn read_accounts<T, F>(&self, query: F) -> impl Future<Output = Result<T, StoreError>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static;

    /// Run `change` in a transaction of its own.
    fn write_accounts<T, F>(&self, change: F) -> impl Future<Output = Result<T, StoreError>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static;
}

impl<S: SqliteAccounts> SessionStore for S {
    async fn user_for_login(&self, name: String) -> Result<Option<(User, String)>, StoreError> {
        self.read_accounts(move |conn| accounts::user_for_login(conn, &name))
            .await
    }

    async fn create_session(&self, user_id: i64, now_ms: i64) -> Result<String, StoreError> {
        self.write_accounts(move |conn| accounts::create_session(conn, user_id, now_ms))
            .await
    }

    async fn delete_session(&self, token: String) -> Result<(), StoreError> {
        self.write_accounts(move |conn| accounts::delete_session(conn, &token))
            .await
    }

    async fn user_by_session(
        &self,
        token: String,
        now_ms: i64,
    ) -> Result<Option<User>, StoreError> {
        self.read_accounts(move |conn| accounts::user_by_session(conn, &token, now_ms))
            .await
    }
}

impl SqliteAccounts for motcua_store::Store {
    fn read_accounts<T, F>(&self, query: F) -> impl Future<Output = Result<T, StoreError>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.read(query)
    }

    fn write_accounts<T, F>(&self, change: F) -> impl Future<Output = Result<T, StoreError>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.write(move |tx| change(tx.conn))
    }
}

/// `POST /api/session`'s body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub name: String,
    pub password: String,
}

/// What guards signing in on a server: the bounded hasher every password goes through and
/// the throttle counting failures per name and per address. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct SignIns {
    pub hasher: Hasher,
    pub throttle: Throttle,
}

impl SignIns {
    pub fn new(hashing: HashingSettings) -> SignIns {
        SignIns {
            hasher: Hasher::new(hashing),
            throttle: Throttle::default(),
        }
    }

    /// `{prefix}_password_hashes_total` for `/metrics`: how hard the hashing threads work
    /// (a steady climb with no staff signing in is someone guessing).
    pub fn expose(&self, out: &mut crate::Exposition, prefix: &str) {
        let name = format!("{prefix}_password_hashes_total");
        out.family(
            &name,
            "counter",
            "Passwords checked or hashed with argon2 since the start (an unknown name's check included; sign-ins refused before hashing are not).",
        );
        out.sample(&name, &[], self.hasher.runs());
    }
}

/// Where a sign-in comes from: the client's address (for the throttle) and whether it came
/// over HTTPS (the cookie is `Secure` then).
#[derive(Clone, Copy, Debug)]
pub struct Origin {
    pub address: IpAddr,
    pub https: bool,
}

/// Check the name and password and open a session: the user, and the jar with the
/// session's cookie. A wrong name and a wrong password get the same answer after the same
/// work; a name or address with too many failures is refused before any
/// (`sign_in_locked`, see [`crate::throttle`]).
pub async fn sign_in(
    db: &impl SessionStore,
    guard: &SignIns,
    jar: CookieJar,
    req: SignIn,
    from: Origin,
    now_ms: i64,
) -> Result<(User, CookieJar), AppError> {
    if req.name.len() > NAME_MAX || req.password.len() > PASSWORD_MAX {
        return Err(Error::WrongPassword.into());
    }
    let attempt = guard.throttle.begin(&req.name, from.address, now_ms)?;
    let name = req.name;
    let found = match db.user_for_login(name).await {
        Ok(found) => found,
        Err(e) => {
            guard.throttle.unchecked(attempt);
            return Err(e.into());
        }
    };
    let (user, hash) = found.unzip();
    let checked = guard.hasher.verify(hash, req.password).await;
    let user = match (checked, user) {
        (Ok(true), Some(user)) => {
            guard.throttle.succeeded(attempt);
            user
        }
        (Ok(_), _) => {
            guard.throttle.failed(attempt);
            return Err(Error::WrongPassword.into());
        }
        (Err(e), _) => {
            guard.throttle.unchecked(attempt);
            return Err(e.into());
        }
    };
    let user_id = user.id;
    let token = db.create_session(user_id, now_ms).await?;
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(from.https)
        .path("/")
        .build();
    Ok((user, jar.add(cookie)))
}

/// What an admin lifts: exactly one of a name and an address.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LiftLock {
    /// The account name as it was typed.
    #[serde(default)]
    pub name: Option<String>,
    /// The client's address (an IPv6 one: any address of its /64).
    #[serde(default)]
    pub address: Option<String>,
}

/// Lift a lock for `admin` (logged with who lifted it).
pub fn lift_lock(guard: &SignIns, admin: &User, req: LiftLock) -> Result<(), AppError> {
    let lifted = match (req.name, req.address) {
        (Some(name), None) => {
            tracing::warn!(name = ?name, by = ?admin.name, "sign-in lock lifted");
            guard.throttle.lift_name(&name)
        }
        (None, Some(address)) => {
            let address: IpAddr = address.trim().parse().map_err(|_| {
                AppError::invalid("bad_address", "address is an IPv4 or IPv6 address")
            })?;
            tracing::warn!(address = %address, by = ?admin.name, "sign-in lock lifted");
            guard.throttle.lift_address(address)
        }
        _ => {
            return Err(AppError::invalid(
                "invalid_body",
                "name exactly one of \"name\" and \"address\"",
            ));
        }
    };
    if lifted {
        Ok(())
    } else {
        Err(AppError::not_found(
            "not_locked",
            "no failed sign-in is counted for it",
        ))
    }
}

/// End the cookie's session (if any) and clear the cookie.
pub async fn sign_out(db: &impl SessionStore, jar: CookieJar) -> Result<CookieJar, AppError> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        let token = cookie.value().to_owned();
        db.delete_session(token).await?;
    }
    Ok(jar.remove(Cookie::build(SESSION_COOKIE).path("/")))
}

/// The member of staff the session cookie names, if it is a live session.
pub async fn staff_of(
    db: &impl SessionStore,
    jar: &CookieJar,
    now_ms: i64,
) -> Result<Option<User>, AppError> {
    let Some(token) = jar
        .get(SESSION_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|t| t.len() <= 128)
    else {
        return Ok(None);
    };
    Ok(db.user_by_session(token, now_ms).await?)
}
