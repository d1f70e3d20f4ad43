//! Pending device pairings (see `motcua_domain::pairing`): the code a device shows, the
//! hash of the secret it alone holds, and, once an admin accepted it, the device it became.
//! The device's token is made only when the device itself asks with its secret
//! ([`hand_token`]), and then stored as a hash like every token: it never waits anywhere,
//! so neither a copy of the database nor the admin's page ever holds it.

use crate::StoreError;
use crate::accounts::{random_token, token_hash};
use motcua_domain::DeviceKind;
use motcua_domain::pairing::PairingCode;
use rusqlite::{Connection, OptionalExtension, params};

/// A pairing as stored.
#[derive(Debug, Clone)]
pub struct Pairing {
    pub id: i64,
    pub code: PairingCode,
    /// What the device says it is.
    pub kind: DeviceKind,
    /// The client address that asked.
    pub addr: String,
    pub created_at: i64,
    pub expires_at: i64,
    /// The device an admin made of it, once accepted.
    pub device_id: Option<i64>,
    /// For a tablet: the counter it asked to rate at.
    pub counter: Option<u16>,
}

const PAIRING: &str =
    "SELECT id, code, kind, addr, created_at, expires_at, device_id, counter_no FROM pairings";

fn pairing(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Pairing>> {
    let code: String = r.get(1)?;
    let kind: String = r.get(2)?;
    let (Some(code), Some(kind)) = (PairingCode::parse(&code), DeviceKind::parse(&kind)) else {
        return Ok(None);
    };
    Ok(Some(Pairing {
        id: r.get(0)?,
        code,
        kind,
        addr: r.get(3)?,
        created_at: r.get(4)?,
        expires_at: r.get(5)?,
        device_id: r.get(6)?,
        counter: r.get(7)?,
    }))
}

/// Forget pairings past their time and wrong codes older than `miss_window_ms`.
pub fn sweep(conn: &Connection, now: i64, miss_window_ms: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM pairings WHERE expires_at <= ?1")?
        .execute([now])?;
    conn.prepare_cached("DELETE FROM pairing_misses WHERE at <= ?1")?
        .execute([now - miss_window_ms])?;
    Ok(())
}

/// Pending pairings (not accepted yet) from `addr` and in all, and when the oldest of
/// those from `addr` (or in all, when `addr` holds none) lapses.
pub fn pending_counts(conn: &Connection, addr: &str) -> Result<(usize, usize, i64), StoreError> {
    let (here, all, oldest_here, oldest): (i64, i64, Option<i64>, Option<i64>) = conn
        .prepare_cached(
            "SELECT COUNT(*) FILTER (WHERE addr = ?1), COUNT(*),
                    MIN(expires_at) FILTER (WHERE addr = ?1), MIN(expires_at)
             FROM pairings WHERE device_id IS NULL",
        )?
        .query_row([addr], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok((
        here as usize,
        all as usize,
        oldest_here.or(oldest).unwrap_or(0),
    ))
}

/// Is this code held by a pairing now?
pub fn code_taken(conn: &Connection, code: &PairingCode) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM pairings WHERE code = ?1")?
        .query_row([code.as_str()], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Store a new pairing; the secret only as its hash.
#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &Connection,
    code: &PairingCode,
    secret: &str,
    kind: DeviceKind,
    counter: Option<u16>,
    addr: &str,
    now: i64,
    expires_at: i64,
) -> Result<i64, StoreError> {
    conn.prepare_cached(
        "INSERT INTO pairings (code, secret_hash, kind, counter_no, addr, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        code.as_str(),
        token_hash(secret),
        kind.as_str(),
        counter,
        addr,
        now,
        expires_at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The pending (not yet accepted) pairing showing `code`.
pub fn pending_by_code(
    conn: &Connection,
    code: &PairingCode,
    now: i64,
) -> Result<Option<Pairing>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "{PAIRING} WHERE code = ?1 AND device_id IS NULL AND expires_at > ?2"
        ))?
        .query_row(params![code.as_str(), now], pairing)
        .optional()?
        .flatten())
}

/// The pairing of the device holding `secret`, if it has not lapsed.
pub fn by_secret(conn: &Connection, secret: &str, now: i64) -> Result<Option<Pairing>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "{PAIRING} WHERE secret_hash = ?1 AND expires_at > ?2"
        ))?
        .query_row(params![token_hash(secret), now], pairing)
        .optional()?
        .flatten())
}

/// An admin accepted the pairing as `device_id`; it waits until `expires_at` for the
/// device to take its token.
pub fn accept(
    conn: &Connection,
    id: i64,
    device_id: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE pairings SET device_id = ?2, expires_at = ?3 WHERE id = ?1")?
        .execute(params![id, device_id, expires_at])?;
    Ok(())
}

/// Give the accepted device a token (its hash replaces the unusable one it was made
/// with): the only time it is ever seen. `None` if the device was revoked meanwhile.
pub fn hand_token(conn: &Connection, device_id: i64) -> Result<Option<String>, StoreError> {
    let token = random_token();
    let changed = conn
        .prepare_cached("UPDATE devices SET token_hash = ?2 WHERE id = ?1 AND revoked_at IS NULL")?
        .execute(params![device_id, token_hash(&token)])?;
    Ok((changed == 1).then_some(token))
}

/// Forget a pairing (its device took its token).
pub fn delete(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM pairings WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Note a wrong code.
pub fn add_miss(conn: &Connection, now: i64) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT INTO pairing_misses (at) VALUES (?1)")?
        .execute([now])?;
    Ok(())
}

/// Wrong codes since `since`, and the time of the oldest.
pub fn misses(conn: &Connection, since: i64) -> Result<(usize, i64), StoreError> {
    let (n, oldest): (i64, Option<i64>) = conn
        .prepare_cached("SELECT COUNT(*), MIN(at) FROM pairing_misses WHERE at > ?1")?
        .query_row([since], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok((n as usize, oldest.unwrap_or(since)))
}
