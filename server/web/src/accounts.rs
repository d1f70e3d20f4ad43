//! Staff and devices, as both servers add and sign them in: names and passwords checked,
//! passwords hashed with argon2 (slow on purpose: never on the async workers), and a
//! name taken said as a refusal. The rows themselves are the store's
//! ([`motcua_store::accounts`]).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use motcua_domain::{DeviceKind, Error, Refusal, Role};
use motcua_store::StoreError;
use motcua_store::accounts::{self, Device, User};
use rusqlite::Connection;

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

/// A unique name taken: said as the refusal `name_taken`.
fn taken(e: StoreError) -> Error {
    match e {
        StoreError::Duplicate(what) => {
            Refusal::other("name_taken", format!("{what} exists already")).into()
        }
        other => other.into(),
    }
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

/// Store a user whose password [`new_user_hash`] checked and hashed.
pub fn insert_user(
    conn: &Connection,
    name: &str,
    role: Role,
    hash: &str,
    now_ms: i64,
) -> Result<User, Error> {
    accounts::insert_user(conn, name, role, hash, now_ms).map_err(taken)
}

/// Add a user (checked, hashed, stored): for command-line tools and tests.
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

/// Adds a kiosk or a display and returns its token: the only time it is ever seen. (A
/// printer: [`add_printer`].)
pub fn add_device(
    conn: &Connection,
    name: &str,
    kind: DeviceKind,
    now_ms: i64,
) -> Result<(Device, String), Error> {
    add(conn, name, kind, None, now_ms)
}

/// Adds a printer that prints the tickets of the kiosk named `kiosk`.
pub fn add_printer(
    conn: &Connection,
    name: &str,
    kiosk: &str,
    now_ms: i64,
) -> Result<(Device, String), Error> {
    add(conn, name, DeviceKind::Printer, Some(kiosk), now_ms)
}

fn add(
    conn: &Connection,
    name: &str,
    kind: DeviceKind,
    kiosk: Option<&str>,
    now_ms: i64,
) -> Result<(Device, String), Error> {
    valid_name(name)?;
    let kiosk_id = match (kind, kiosk) {
        (DeviceKind::Printer, Some(kiosk)) => {
            Some(accounts::kiosk_id_by_name(conn, kiosk)?.ok_or_else(|| {
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
    accounts::insert_device(conn, name, kind, kiosk_id, now_ms).map_err(taken)
}
