//! People and devices: staff accounts with argon2 password hashes, device tokens and
//! login sessions. Tokens are random and long, so a SHA-256 of them is what we keep and
//! look up; the tokens themselves are shown once and never stored or logged.

use crate::StoreError;
use motcua_domain::{DeviceKind, Role};
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

/// A signed-in member of staff.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// A kiosk, display or printer known by its token.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
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

/// Store a user whose password is already hashed.
pub fn insert_user(
    conn: &Connection,
    name: &str,
    role: Role,
    hash: &str,
    now_ms: i64,
) -> Result<User, StoreError> {
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
            Err(StoreError::Duplicate(format!("a user named {name:?}")))
        }
        Err(e) => Err(e.into()),
    }
}

pub fn count_users(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
}

/// Store a device with a new token, for the printer `kiosk_id`'s kiosk if it is a
/// printer; returns it and its token, the only time the token is ever seen.
pub fn insert_device(
    conn: &Connection,
    name: &str,
    kind: DeviceKind,
    kiosk_id: Option<i64>,
    now_ms: i64,
) -> Result<(Device, String), StoreError> {
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
            Err(StoreError::Duplicate(format!("a device named {name:?}")))
        }
        Err(e) => Err(e.into()),
    }
}

/// A device's name.
pub fn device_name(conn: &Connection, id: i64) -> Result<String, StoreError> {
    Ok(conn
        .prepare_cached("SELECT name FROM devices WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

pub fn kiosk_id_by_name(conn: &Connection, name: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM devices WHERE name = ?1 AND kind = 'kiosk'")?
        .query_row([name], |r| r.get(0))
        .optional()?)
}

/// Every printer with the kiosk it serves: (printer id, printer name, kiosk id, kiosk name).
pub fn printers(conn: &Connection) -> Result<Vec<(i64, String, i64, String)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT p.id, p.name, k.id, k.name FROM devices p JOIN devices k ON k.id = p.kiosk_id
         WHERE p.kind = 'printer' ORDER BY p.name",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn device_by_token(conn: &Connection, token: &str) -> Result<Option<Device>, StoreError> {
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
pub fn user_for_login(conn: &Connection, name: &str) -> Result<Option<(User, String)>, StoreError> {
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

pub fn create_session(conn: &Connection, user_id: i64, now_ms: i64) -> Result<String, StoreError> {
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
) -> Result<Option<User>, StoreError> {
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

pub fn delete_session(conn: &Connection, token: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?
        .execute([token_hash(token)])?;
    Ok(())
}
