//! Staff signing in and out, the same way on both servers: a name and password checked
//! with argon2 (off the async workers), a random session token in an HTTP-only,
//! same-site cookie (only its hash is stored), and the member of staff a cookie names.
//!
//! Each server's database implements [`SessionStore`]; its handlers call [`sign_in`],
//! [`sign_out`] and [`staff_of`] and add what is theirs (the hall: the counter a clerk
//! holds).

use crate::AppError;
use crate::accounts::verify_password;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use motcua_domain::Error;
use motcua_store::StoreError;
use motcua_store::accounts::{self, User};
use rusqlite::Connection;
use serde::Deserialize;
use std::future::Future;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "motcua_session";

/// The longest name and password a sign-in reads; anything longer is wrong, unhashed.
const NAME_MAX: usize = 256;
const PASSWORD_MAX: usize = 1024;

/// Where a server keeps its users and sessions.
pub trait SessionStore: Clone + Send + Sync + 'static {
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

impl SessionStore for motcua_store::Store {
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

/// Check the name and password and open a session: the user, and the jar with the
/// session's cookie. A wrong name and a wrong password get the same answer.
pub async fn sign_in(
    db: &impl SessionStore,
    jar: CookieJar,
    req: SignIn,
    now_ms: i64,
) -> Result<(User, CookieJar), AppError> {
    if req.name.len() > NAME_MAX || req.password.len() > PASSWORD_MAX {
        return Err(Error::WrongPassword.into());
    }
    let name = req.name;
    let found = db
        .read_accounts(move |conn| accounts::user_for_login(conn, &name))
        .await?;
    // argon2 is slow on purpose: never on the async workers.
    let password = req.password;
    let user = tokio::task::spawn_blocking(move || {
        found.and_then(|(user, hash)| verify_password(&hash, &password).then_some(user))
    })
    .await
    .map_err(AppError::internal)?
    .ok_or(AppError::Command(Error::WrongPassword))?;
    let user_id = user.id;
    let token = db
        .write_accounts(move |conn| accounts::create_session(conn, user_id, now_ms))
        .await?;
    let cookie = Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .build();
    Ok((user, jar.add(cookie)))
}

/// End the cookie's session (if any) and clear the cookie.
pub async fn sign_out(db: &impl SessionStore, jar: CookieJar) -> Result<CookieJar, AppError> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        let token = cookie.value().to_owned();
        db.write_accounts(move |conn| accounts::delete_session(conn, &token))
            .await?;
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
    Ok(db
        .read_accounts(move |conn| accounts::user_by_session(conn, &token, now_ms))
        .await?)
}
