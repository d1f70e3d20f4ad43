//! People and devices: staff accounts with argon2 password hashes, device tokens and
//! login sessions. Tokens are random and long, so a SHA-256 of them is what we keep and
//! look up; the tokens themselves are shown once and never stored or logged.
//!
//! Nothing is deleted to take a credential away: a device's token is revoked
//! (`revoked_at`) and a member of staff disabled (`disabled_at`), so the event log and the
//! figures keep pointing at real rows. A revoked token and a disabled name are simply
//! never found when signing in.

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
    /// For a counter's rating tablet: the counter it is bound to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counter: Option<u16>,
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
                counter: None,
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
        .prepare_cached(
            "SELECT id, name, kind, kiosk_id, counter_no FROM devices
             WHERE token_hash = ?1 AND revoked_at IS NULL",
        )?
        .query_row([token_hash(token)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Option<u16>>(4)?,
            ))
        })
        .optional()?;
    Ok(row.and_then(|(id, name, kind, kiosk_id, counter)| {
        DeviceKind::parse(&kind).map(|kind| Device {
            id,
            name,
            kind,
            kiosk_id,
            counter,
        })
    }))
}

/// A user and their password hash, for signing in.
pub fn user_for_login(conn: &Connection, name: &str) -> Result<Option<(User, String)>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT id, role, password_hash FROM users WHERE name = ?1 AND disabled_at IS NULL",
        )?
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
    // Only for a user still enabled: one disabled while their password was being checked
    // gets no session (the insert finds no row to copy and the cookie names nothing).
    conn.prepare_cached(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
         SELECT ?1, id, ?3, ?4 FROM users WHERE id = ?2 AND disabled_at IS NULL",
    )?
    .execute(params![
        token_hash(&token),
        user_id,
        now_ms,
        now_ms + SESSION_MS
    ])?;
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
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled_at IS NULL",
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

/// A device as the admins' list shows it (times in milliseconds).
#[derive(Debug, Clone)]
pub struct DeviceRecord {
    pub device: Device,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    /// Its last sign of life as written down (the server keeps fresher ones in memory).
    pub last_seen_at: Option<i64>,
    pub last_seen_addr: Option<String>,
}

const DEVICE_RECORD: &str = "SELECT id, name, kind, kiosk_id, created_at, revoked_at, last_seen_at,
     last_seen_addr, counter_no FROM devices";

fn device_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<DeviceRecord>> {
    let kind: String = r.get(2)?;
    let Some(kind) = DeviceKind::parse(&kind) else {
        return Ok(None);
    };
    Ok(Some(DeviceRecord {
        device: Device {
            id: r.get(0)?,
            name: r.get(1)?,
            kind,
            kiosk_id: r.get(3)?,
            counter: r.get(8)?,
        },
        created_at: r.get(4)?,
        revoked_at: r.get(5)?,
        last_seen_at: r.get(6)?,
        last_seen_addr: r.get(7)?,
    }))
}

/// Every device, revoked ones included, by name.
pub fn devices(conn: &Connection) -> Result<Vec<DeviceRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{DEVICE_RECORD} ORDER BY name"))?;
    let rows = stmt.query_map([], device_record)?;
    Ok(rows
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect())
}

/// One device, revoked or not.
pub fn device_by_id(conn: &Connection, id: i64) -> Result<Option<DeviceRecord>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{DEVICE_RECORD} WHERE id = ?1"))?
        .query_row([id], device_record)
        .optional()?
        .flatten())
}

pub fn device_id_by_name(conn: &Connection, name: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM devices WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?)
}

/// Revoke a device's token; false if it was revoked already (or is unknown).
pub fn revoke_device(conn: &Connection, id: i64, now_ms: i64) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("UPDATE devices SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")?
        .execute(params![id, now_ms])?
        == 1)
}

/// Write down a device's last sign of life.
pub fn note_device_seen(
    conn: &Connection,
    id: i64,
    at_ms: i64,
    addr: &str,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE devices SET last_seen_at = ?2, last_seen_addr = ?3
         WHERE id = ?1 AND (last_seen_at IS NULL OR last_seen_at < ?2)",
    )?
    .execute(params![id, at_ms, addr])?;
    Ok(())
}

/// The ids of every revoked device.
pub fn revoked_device_ids(conn: &Connection) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id FROM devices WHERE revoked_at IS NOT NULL")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A member of staff as the admins' list shows them (times in milliseconds).
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub user: User,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

const USER_RECORD: &str = "SELECT id, name, role, created_at, disabled_at FROM users";

fn user_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<UserRecord>> {
    let role: String = r.get(2)?;
    let Some(role) = Role::parse(&role) else {
        return Ok(None);
    };
    Ok(Some(UserRecord {
        user: User {
            id: r.get(0)?,
            name: r.get(1)?,
            role,
        },
        created_at: r.get(3)?,
        disabled_at: r.get(4)?,
    }))
}

/// Every member of staff, disabled ones included, by name.
pub fn users(conn: &Connection) -> Result<Vec<UserRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{USER_RECORD} ORDER BY name"))?;
    let rows = stmt.query_map([], user_record)?;
    Ok(rows
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .collect())
}

pub fn user_by_id(conn: &Connection, id: i64) -> Result<Option<UserRecord>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{USER_RECORD} WHERE id = ?1"))?
        .query_row([id], user_record)
        .optional()?
        .flatten())
}

pub fn user_id_by_name(conn: &Connection, name: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM users WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?)
}

/// Disable (`Some(now)`) or enable (`None`) a member of staff; false if nothing changed.
pub fn set_user_disabled(
    conn: &Connection,
    id: i64,
    disabled_at: Option<i64>,
) -> Result<bool, StoreError> {
    let changed = match disabled_at {
        Some(at) => conn
            .prepare_cached(
                "UPDATE users SET disabled_at = ?2 WHERE id = ?1 AND disabled_at IS NULL",
            )?
            .execute(params![id, at])?,
        None => conn
            .prepare_cached(
                "UPDATE users SET disabled_at = NULL WHERE id = ?1 AND disabled_at IS NOT NULL",
            )?
            .execute([id])?,
    };
    Ok(changed == 1)
}

/// End every session of a member of staff; how many there were.
pub fn delete_sessions_of(conn: &Connection, user_id: i64) -> Result<usize, StoreError> {
    Ok(conn
        .prepare_cached("DELETE FROM sessions WHERE user_id = ?1")?
        .execute([user_id])?)
}

/// Give a member of staff a new password hash; false if there is no such user.
pub fn set_password_hash(conn: &Connection, id: i64, hash: &str) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("UPDATE users SET password_hash = ?2 WHERE id = ?1")?
        .execute(params![id, hash])?
        == 1)
}

/// How many admins are enabled.
pub fn enabled_admins(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn
        .prepare_cached("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL")?
        .query_row([], |r| r.get(0))?)
}

/// The ids of every disabled member of staff.
pub fn disabled_user_ids(conn: &Connection) -> Result<Vec<i64>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT id FROM users WHERE disabled_at IS NOT NULL")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A number that changes whenever another connection commits to the database (SQLite's
/// `data_version`): a cheap way for a long-lived connection to see that the command-line
/// tools changed something.
pub fn data_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.pragma_query_value(None, "data_version", |r| r.get(0))?)
}

/// Give a member of staff another role; false if there is no such user.
pub fn set_user_role(conn: &Connection, id: i64, role: Role) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("UPDATE users SET role = ?2 WHERE id = ?1")?
        .execute(params![id, role.as_str()])?
        == 1)
}

/// Bind a counter's rating tablet to its counter.
pub fn set_device_counter(conn: &Connection, id: i64, counter: u16) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE devices SET counter_no = ?2 WHERE id = ?1")?
        .execute(params![id, counter])?;
    Ok(())
}
