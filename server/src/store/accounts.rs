//! People and devices: staff accounts with argon2 password hashes, device tokens and
//! login sessions. Tokens are random and long, so a SHA-256 of them is what we keep and
//! look up; the tokens themselves are shown once and never stored or logged.

use crate::domain::{DeviceKind, Role};
use crate::domain::Error;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// A signed-in member of staff.
#[derive(Debug, Clone, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// A kiosk, display or printer known by its token.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Device {
    pub id: i64,
    pub name: String,
    pub kind: DeviceKind,
    /// For a printer: the kiosk whose tickets it prints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kiosk_id: Option<i64>,
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String, Error> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(Error::internal)
}

/// Checks a password against a stored hash; slow on purpose (run it off the async workers).
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

fn valid_name(name: &str) -> Result<(), Error> {
    let n = name.chars().count();
    if n == 0 || n > 64 || name.chars().any(char::is_control) || name.trim() != name {
        return Err(Error::invalid(
            "bad_name",
            "a name is 1 to 64 characters, no spaces at the ends",
        ));
    }
    Ok(())
}

pub fn add_user(
    conn: &Connection,
    name: &str,
    role: Role,
    password: &str,
    now_ms: i64,
) -> Result<User, Error> {
    let hash = new_user_hash(name, password)?;
    insert_user(conn, name, role, &hash, now_ms)
}

/// Check a new user's name and password and hash the password (slow on purpose: off the
/// async workers and off the writer thread).
pub fn new_user_hash(name: &str, password: &str) -> Result<String, Error> {
    valid_name(name)?;
    if password.chars().count() < 8 {
        return Err(Error::invalid(
            "weak_password",
            "a password has at least 8 characters",
        ));
    }
    hash_password(password)
}

/// Store a user whose password is already hashed.
pub fn insert_user(
    conn: &Connection,
    name: &str,
    role: Role,
    hash: &str,
    now_ms: i64,
) -> Result<User, Error> {
    let inserted = conn.execute(
        "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![name, role.as_str(), hash, now_ms],
    );
    match inserted {
        Ok(_) => Ok(User {
            id: conn.last_insert_rowid(),
            name: name.to_owned(),
            role,
        }),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Err(crate::domain::Refusal::other(
                "name_taken",
                format!("a user named {name:?} exists already"),
            )
            .into())
        }
        Err(e) => Err(e.into()),
    }
}

pub fn count_users(conn: &Connection) -> Result<i64, Error> {
    Ok(conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
}

/// Adds a device and returns its token: the only time it is ever seen.
/// Adds a kiosk or a display and returns its token (a printer: [`add_printer`]).
pub fn add_device(
    conn: &Connection,
    name: &str,
    kind: DeviceKind,
    now_ms: i64,
) -> Result<(Device, String), Error> {
    insert_device(conn, name, kind, None, now_ms)
}

/// Adds a printer that prints the tickets of the kiosk named `kiosk`.
pub fn add_printer(
    conn: &Connection,
    name: &str,
    kiosk: &str,
    now_ms: i64,
) -> Result<(Device, String), Error> {
    insert_device(conn, name, DeviceKind::Printer, Some(kiosk), now_ms)
}

fn insert_device(
    conn: &Connection,
    name: &str,
    kind: DeviceKind,
    kiosk: Option<&str>,
    now_ms: i64,
) -> Result<(Device, String), Error> {
    valid_name(name)?;
    let kiosk_id = match (kind, kiosk) {
        (DeviceKind::Printer, Some(kiosk)) => {
            Some(kiosk_id_by_name(conn, kiosk)?.ok_or_else(|| {
                Error::invalid("unknown_kiosk", format!("no kiosk named {kiosk:?}"))
            })?)
        }
        (DeviceKind::Printer, None) => {
            return Err(Error::invalid(
                "missing_kiosk",
                "a printer prints for a kiosk: name it",
            ));
        }
        (_, Some(_)) => {
            return Err(Error::invalid(
                "unexpected_kiosk",
                "only a printer belongs to a kiosk",
            ));
        }
        (_, None) => None,
    };
    let token = random_token();
    let inserted = conn.execute(
        "INSERT INTO devices (name, kind, token_hash, created_at, kiosk_id) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name, kind.as_str(), token_hash(&token), now_ms, kiosk_id],
    );
    match inserted {
        Ok(_) => Ok((
            Device {
                id: conn.last_insert_rowid(),
                name: name.to_owned(),
                kind,
                kiosk_id,
            },
            token,
        )),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Err(crate::domain::Refusal::other(
                "name_taken",
                format!("a device named {name:?} exists already"),
            )
            .into())
        }
        Err(e) => Err(e.into()),
    }
}

/// A device's name.
pub fn device_name(conn: &Connection, id: i64) -> Result<String, Error> {
    Ok(conn
        .prepare_cached("SELECT name FROM devices WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

pub fn kiosk_id_by_name(conn: &Connection, name: &str) -> Result<Option<i64>, Error> {
    Ok(conn
        .prepare_cached("SELECT id FROM devices WHERE name = ?1 AND kind = 'kiosk'")?
        .query_row([name], |r| r.get(0))
        .optional()?)
}

/// Every printer with the kiosk it serves: (printer id, printer name, kiosk id, kiosk name).
pub fn printers(conn: &Connection) -> Result<Vec<(i64, String, i64, String)>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.name, k.id, k.name FROM devices p JOIN devices k ON k.id = p.kiosk_id
         WHERE p.kind = 'printer' ORDER BY p.name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn device_by_token(conn: &Connection, token: &str) -> Result<Option<Device>, Error> {
    let row = conn
        .prepare_cached("SELECT id, name, kind, kiosk_id FROM devices WHERE token_hash = ?1")?
        .query_row([token_hash(token)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<i64>>(3)?,
            ))
        })
        .optional()?;
    Ok(row.and_then(|(id, name, kind, kiosk_id)| {
        DeviceKind::parse(&kind).map(|kind| Device {
            id,
            name,
            kind,
            kiosk_id,
        })
    }))
}

/// A user and their password hash, for signing in.
pub fn user_for_login(conn: &Connection, name: &str) -> Result<Option<(User, String)>, Error> {
    let row = conn
        .prepare_cached("SELECT id, role, password_hash FROM users WHERE name = ?1")?
        .query_row([name], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .optional()?;
    Ok(row.and_then(|(id, role, hash)| {
        Role::parse(&role).map(|role| {
            (
                User {
                    id,
                    name: name.to_owned(),
                    role,
                },
                hash,
            )
        })
    }))
}

/// How long a session lasts: a working day and a bit.
pub const SESSION_MS: i64 = 14 * 60 * 60 * 1000;

pub fn create_session(conn: &Connection, user_id: i64, now_ms: i64) -> Result<String, Error> {
    let token = random_token();
    conn.prepare_cached("DELETE FROM sessions WHERE expires_at < ?1")?
        .execute([now_ms])?;
    conn.prepare_cached(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![token_hash(&token), user_id, now_ms, now_ms + SESSION_MS])?;
    Ok(token)
}

pub fn user_by_session(
    conn: &Connection,
    token: &str,
    now_ms: i64,
) -> Result<Option<User>, Error> {
    let row = conn
        .prepare_cached(
            "SELECT u.id, u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2",
        )?
        .query_row(params![token_hash(token), now_ms], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .optional()?;
    Ok(row.and_then(|(id, name, role)| Role::parse(&role).map(|role| User { id, name, role })))
}

pub fn delete_session(conn: &Connection, token: &str) -> Result<(), Error> {
    conn.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?
        .execute([token_hash(token)])?;
    Ok(())
}
