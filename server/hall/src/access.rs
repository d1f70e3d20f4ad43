//! Taking credentials away, and making it stick at once.
//!
//! - The account commands an admin runs, from the command line (`motcua device revoke`,
//!   `motcua user disable|enable|reset-password`) or over the API: each checks what it may
//!   do (not yourself, not the last admin) and changes the rows in one transaction. The
//!   same functions serve both, on whatever connection the caller holds.
//! - [`Access`]: who holds each open WebSocket (a device or a member of staff), so that a
//!   revoked device's and a disabled clerk's sockets close at once; and each device's
//!   last sign of life (time and client address), kept in memory and written down at most
//!   once a minute per device (or when its address changes), not on every request.
//!
//! The command-line tools write to the database beside the running server; a watcher
//! thread notices (SQLite's `data_version` moves when another connection commits) and
//! closes the sockets of whoever was revoked or disabled, within about a second.
//!
//! A disabled clerk's counter is left as it stands: a counter changes only through the
//! hall's commands, so that its event reaches the screens and the figures, and a citizen
//! may be at it. A manager closes it (as for a clerk who forgot to), and the new day's
//! closing closes it regardless; the clerk can no longer act, for every session of theirs
//! is gone.

use motcua_domain::{Error, Refusal, Role};
use motcua_store::accounts::{self, DeviceRecord, UserRecord};
use motcua_store::clock::Clock;
use motcua_store::{Store, StoreError};
use rusqlite::Connection;
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::watch;

/// How often a device's last sign of life is written down, at most.
const SEEN_WRITE_EVERY_MS: i64 = 60_000;
/// How often the watcher looks for changes the command-line tools made.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Whose credential a socket was opened with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owner {
    Device(i64),
    User(i64),
}

/// A device's last sign of life.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    pub at_ms: i64,
    pub addr: IpAddr,
    /// When it was last written down.
    written_ms: i64,
}

struct Inner {
    next: AtomicU64,
    sockets: Mutex<HashMap<u64, (Owner, watch::Sender<bool>)>>,
    seen: Mutex<HashMap<i64, Seen>>,
    clock: Arc<dyn Clock>,
}

/// Open sockets by owner, and devices' last signs of life. Cheap to clone.
#[derive(Clone)]
pub struct Access(Arc<Inner>);

/// An open socket's place in the register: it leaves when this is dropped.
pub struct Held {
    access: Weak<Inner>,
    id: u64,
    ended: watch::Receiver<bool>,
}

impl Held {
    /// Resolves when the owner is revoked or disabled, or `closing` resolves (the server
    /// shuts down), whichever comes first. The socket stays registered until then.
    pub async fn or(mut self, closing: impl std::future::Future<Output = ()>) {
        tokio::select! {
            _ = self.ended.wait_for(|ended| *ended) => {}
            _ = closing => {}
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(inner) = self.access.upgrade() {
            lock(&inner.sockets).remove(&self.id);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Access {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Access(Arc::new(Inner {
            next: AtomicU64::new(0),
            sockets: Mutex::default(),
            seen: Mutex::default(),
            clock,
        }))
    }

    /// Register a socket opened with `owner`'s credential.
    pub fn hold(&self, owner: Owner) -> Held {
        let id = self.0.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = watch::channel(false);
        lock(&self.0.sockets).insert(id, (owner, tx));
        Held {
            access: Arc::downgrade(&self.0),
            id,
            ended: rx,
        }
    }

    /// Close every socket of `owner`; how many there were.
    pub fn end(&self, owner: Owner) -> usize {
        self.end_where(|o| *o == owner)
    }

    fn end_where(&self, gone: impl Fn(&Owner) -> bool) -> usize {
        let sockets = lock(&self.0.sockets);
        let mut ended = 0;
        for (owner, tx) in sockets.values() {
            if gone(owner) && !*tx.borrow() {
                tx.send_replace(true);
                ended += 1;
            }
        }
        ended
    }

    /// Whether `owner` holds a live socket now (a kiosk's or TV's feed: it is online).
    pub fn holds(&self, owner: Owner) -> bool {
        lock(&self.0.sockets)
            .values()
            .any(|(o, ended)| *o == owner && !*ended.borrow())
    }

    /// How many sockets are registered now.
    pub fn open_sockets(&self) -> usize {
        lock(&self.0.sockets).len()
    }

    /// Close the sockets of every revoked device and disabled member of staff, as the
    /// database says now.
    pub fn recheck(&self, conn: &Connection) -> Result<usize, StoreError> {
        if self.open_sockets() == 0 {
            return Ok(0);
        }
        let devices = accounts::revoked_device_ids(conn)?;
        let users = accounts::disabled_user_ids(conn)?;
        let ended = self.end_where(|owner| match owner {
            Owner::Device(id) => devices.contains(id),
            Owner::User(id) => users.contains(id),
        });
        if ended > 0 {
            tracing::info!(sockets = ended, "closed the sockets of revoked credentials");
        }
        Ok(ended)
    }

    /// Watch the database at `path` for changes other connections (the command-line
    /// tools) commit, and recheck the open sockets after each. The thread ends with the
    /// last handle to this register.
    pub fn watch(&self, path: PathBuf) {
        let access = Arc::downgrade(&self.0);
        let spawned = std::thread::Builder::new()
            .name("motcua-access".into())
            .spawn(move || {
                let conn = match Connection::open_with_flags(
                    &path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                        | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
                ) {
                    Ok(conn) => conn,
                    Err(e) => {
                        tracing::error!(error = %e, "cannot watch for revocations");
                        return;
                    }
                };
                let _ = conn.busy_timeout(Duration::from_secs(5));
                let mut seen_version = None;
                while let Some(inner) = access.upgrade() {
                    let access = Access(inner);
                    match accounts::data_version(&conn) {
                        Ok(version) if Some(version) != seen_version => {
                            seen_version = Some(version);
                            if let Err(e) = access.recheck(&conn) {
                                tracing::error!(error = %e, "cannot recheck open sockets");
                            }
                        }
                        Ok(_) => {}
                        Err(e) => tracing::error!(error = %e, "cannot watch for revocations"),
                    }
                    drop(access);
                    std::thread::sleep(WATCH_EVERY);
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the revocation watcher");
        }
    }

    /// A device showed its token from `addr` at `at_ms`. Returns what to write down, if
    /// anything: the first sign of life, a new address, or a minute since the last write.
    pub fn seen(&self, device_id: i64, at_ms: i64, addr: IpAddr) -> Option<Seen> {
        let mut seen = lock(&self.0.seen);
        let entry = seen.entry(device_id).or_insert(Seen {
            at_ms,
            addr,
            written_ms: i64::MIN,
        });
        let due =
            entry.addr != addr || at_ms.saturating_sub(entry.written_ms) >= SEEN_WRITE_EVERY_MS;
        entry.at_ms = entry.at_ms.max(at_ms);
        entry.addr = addr;
        if due {
            entry.written_ms = at_ms;
            Some(*entry)
        } else {
            None
        }
    }

    /// A device showed its token from `addr`, now: remember it, and write it down when
    /// [`Access::seen`] says so (off the request: the answer does not wait for it).
    pub fn note_seen(&self, store: &Store, device_id: i64, addr: IpAddr) {
        let now = motcua_store::millis(self.0.clock.now());
        let Some(seen) = self.seen(device_id, now, addr) else {
            return;
        };
        let store = store.clone();
        tokio::spawn(async move {
            let addr = seen.addr.to_string();
            let written = store
                .write::<_, StoreError, _>(move |tx| {
                    accounts::note_device_seen(tx.conn, device_id, seen.at_ms, &addr)
                })
                .await;
            if let Err(e) = written {
                tracing::warn!(error = %e, "cannot write down a device's last sign of life");
            }
        });
    }

    /// A device's last sign of life since the server started, if any.
    pub fn last_seen(&self, device_id: i64) -> Option<Seen> {
        lock(&self.0.seen).get(&device_id).copied()
    }
}

/// A device by name, or a refusal saying there is none.
pub fn device_named(conn: &Connection, name: &str) -> Result<i64, Error> {
    accounts::device_id_by_name(conn, name)?
        .ok_or_else(|| Error::not_found("device_not_found", format!("no device named {name:?}")))
}

/// A member of staff by name, or a refusal saying there is none.
pub fn user_named(conn: &Connection, name: &str) -> Result<i64, Error> {
    accounts::user_id_by_name(conn, name)?
        .ok_or_else(|| Error::not_found("user_not_found", format!("no user named {name:?}")))
}

/// Revoke a device's token: it is refused from now on. Its sockets are the caller's to
/// close ([`Access::end`]), or the watcher's.
pub fn revoke_device(conn: &Connection, id: i64, now_ms: i64) -> Result<DeviceRecord, Error> {
    let device = accounts::device_by_id(conn, id)?
        .ok_or_else(|| Error::not_found("device_not_found", format!("no device {id}")))?;
    if !accounts::revoke_device(conn, id, now_ms)? {
        return Err(Refusal::other(
            "device_revoked",
            format!("device {:?} is revoked already", device.device.name),
        )
        .into());
    }
    tracing::info!(device = %device.device.name, "device revoked");
    Ok(DeviceRecord {
        revoked_at: Some(now_ms),
        ..device
    })
}

/// Disable a member of staff and end every session of theirs. `by`: the admin asking
/// (who may not disable themselves); the last enabled admin is never disabled.
pub fn disable_user(
    conn: &Connection,
    id: i64,
    by: Option<i64>,
    now_ms: i64,
) -> Result<UserRecord, Error> {
    let user = user_by_id(conn, id)?;
    if by == Some(id) {
        return Err(Refusal::other("own_account", "you cannot disable yourself").into());
    }
    if user.disabled_at.is_some() {
        return Err(Refusal::other(
            "user_disabled",
            format!("{:?} is disabled already", user.user.name),
        )
        .into());
    }
    if user.user.role == Role::Admin && accounts::enabled_admins(conn)? <= 1 {
        return Err(Refusal::other(
            "last_admin",
            "this is the last admin: add or enable another first",
        )
        .into());
    }
    accounts::set_user_disabled(conn, id, Some(now_ms))?;
    let sessions = accounts::delete_sessions_of(conn, id)?;
    tracing::info!(user = %user.user.name, sessions, "user disabled; their sessions ended");
    Ok(UserRecord {
        disabled_at: Some(now_ms),
        ..user
    })
}

/// Let a disabled member of staff sign in again.
pub fn enable_user(conn: &Connection, id: i64) -> Result<UserRecord, Error> {
    let user = user_by_id(conn, id)?;
    if !accounts::set_user_disabled(conn, id, None)? {
        return Err(Refusal::other(
            "user_enabled",
            format!("{:?} is not disabled", user.user.name),
        )
        .into());
    }
    tracing::info!(user = %user.user.name, "user enabled");
    Ok(UserRecord {
        disabled_at: None,
        ..user
    })
}

/// Give a member of staff a new password (hashed by the caller, with the password policy
/// checked: `motcua_web::accounts::new_user_hash`); every session of theirs ends, so
/// whoever knew the old one is out.
pub fn reset_password(conn: &Connection, id: i64, hash: &str) -> Result<UserRecord, Error> {
    let user = user_by_id(conn, id)?;
    accounts::set_password_hash(conn, id, hash)?;
    let sessions = accounts::delete_sessions_of(conn, id)?;
    tracing::info!(user = %user.user.name, sessions, "password reset; their sessions ended");
    Ok(user)
}

/// Give a member of staff another role. `by`: the admin asking (who may not change their
/// own); the last enabled admin stays an admin. Their sessions go on: the role is read with
/// the session on every request, so the new one holds from their next click. Answers the
/// member of staff with the new role.
pub fn change_role(
    conn: &Connection,
    id: i64,
    role: Role,
    by: Option<i64>,
) -> Result<UserRecord, Error> {
    let user = user_by_id(conn, id)?;
    if by == Some(id) {
        return Err(Refusal::other("own_account", "you cannot change your own role").into());
    }
    if user.user.role == role {
        return Err(Refusal::other(
            "same_role",
            format!("{:?} is a {} already", user.user.name, role.as_str()),
        )
        .into());
    }
    if user.user.role == Role::Admin
        && user.disabled_at.is_none()
        && accounts::enabled_admins(conn)? <= 1
    {
        return Err(Refusal::other(
            "last_admin",
            "this is the last admin: add or enable another first",
        )
        .into());
    }
    accounts::set_user_role(conn, id, role)?;
    tracing::info!(user = %user.user.name, role = role.as_str(), "role changed");
    let mut changed = user;
    changed.user.role = role;
    Ok(changed)
}

fn user_by_id(conn: &Connection, id: i64) -> Result<UserRecord, Error> {
    accounts::user_by_id(conn, id)?
        .ok_or_else(|| Error::not_found("user_not_found", format!("no user {id}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_store::clock::ManualClock;

    fn access() -> Access {
        Access::new(Arc::new(ManualClock::starting_at(
            chrono::DateTime::UNIX_EPOCH,
        )))
    }

    #[test]
    fn a_device_is_written_down_once_a_minute_or_when_its_address_changes() {
        let access = access();
        let (here, there): (IpAddr, IpAddr) =
            ("10.0.0.5".parse().unwrap(), "10.0.0.6".parse().unwrap());
        assert!(
            access.seen(1, 1_000, here).is_some(),
            "the first sign of life"
        );
        assert!(
            access.seen(1, 30_000, here).is_none(),
            "not again within the minute"
        );
        assert_eq!(access.last_seen(1).unwrap().at_ms, 30_000, "but remembered");
        assert!(
            access.seen(1, 31_000, there).is_some(),
            "a new address at once"
        );
        assert!(access.seen(1, 90_000, there).is_none());
        assert!(
            access.seen(1, 91_000, there).is_some(),
            "a minute after the last write"
        );
        assert!(
            access.seen(2, 91_000, there).is_some(),
            "each device on its own"
        );
    }

    #[tokio::test]
    async fn ending_an_owner_closes_only_its_sockets_and_a_dropped_one_leaves() {
        let access = access();
        let kiosk = access.hold(Owner::Device(1));
        let other = access.hold(Owner::Device(2));
        let clerk = access.hold(Owner::User(1));
        assert_eq!(access.open_sockets(), 3);
        assert_eq!(access.end(Owner::Device(1)), 1, "one socket of device 1");
        kiosk.or(std::future::pending()).await;
        assert_eq!(access.open_sockets(), 2, "its socket has left the register");
        drop(other);
        assert_eq!(access.open_sockets(), 1);
        assert_eq!(access.end(Owner::Device(2)), 0, "nothing left of device 2");
        use futures_util::FutureExt;
        assert!(
            clerk.or(std::future::pending()).now_or_never().is_none(),
            "user 1 (not device 1) is still connected"
        );
    }
}
