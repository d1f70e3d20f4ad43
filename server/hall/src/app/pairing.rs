//! Pairing a device by the code on its own screen (the rules and bounds are
//! `motcua_domain::pairing`'s).
//!
//! 1. [`begin`]: a device without a token (a kiosk page, the hall's TV) asks; it gets a
//!    six-digit code to show and a secret to keep. Bounded per client address and in all.
//! 2. [`look_up`] and [`accept`]: an admin types the code, sees what kind of device asked
//!    and from where, names it; the device's row is made then (with no usable token yet).
//!    A wrong code is counted even though the answer is a refusal.
//! 3. [`claim`]: the device, asking with its secret (it polls), learns it is still waiting,
//!    or receives its token: made at that moment, shown this once, stored as a hash.
//!
//! Each runs in one write transaction; what must be written even when the answer is a
//! refusal (a miss) is answered as `Ok(Err(refusal))`, so the writer commits it.

use motcua_domain::pairing::{self, MISS_WINDOW_MS, PAIRING_MS, PairingCode};
use motcua_domain::{CounterNo, DeviceKind, Error};
use motcua_store::accounts::{self, Device};
use motcua_store::pairings::{self, Pairing};
use motcua_store::{Tx, millis};
use rand::Rng;

/// A pairing just begun: what the device shows, and what it keeps.
#[derive(Debug)]
pub struct Started {
    pub code: PairingCode,
    /// The device's proof when it comes for its token; never shown on its screen.
    pub secret: String,
    pub expires_at: i64,
}

/// What a device learns when it asks with its secret.
#[derive(Debug)]
pub enum Claim {
    /// No admin has taken the code yet.
    Waiting { code: PairingCode, expires_at: i64 },
    /// Paired: its token, this once.
    Paired { device: Device, token: String },
}

/// What an admin names the device.
#[derive(Debug, Clone)]
pub struct Naming {
    pub name: String,
    /// Must be what the device asked as, if given.
    pub kind: Option<DeviceKind>,
    /// For a printer: the kiosk it prints for.
    pub kiosk: Option<String>,
    /// For a tablet: the counter it rates at (else the one it asked for).
    pub counter: Option<CounterNo>,
}

/// A device at `addr` asks to be paired as a `kind` (a tablet: for a counter, if it knows).
pub fn begin(
    tx: &mut Tx<'_>,
    kind: DeviceKind,
    counter: Option<CounterNo>,
    addr: &str,
) -> Result<Started, Error> {
    let now = millis(tx.now);
    pairings::sweep(tx.conn, now, MISS_WINDOW_MS)?;
    let (here, in_all, oldest_ends) = pairings::pending_counts(tx.conn, addr)?;
    pairing::may_begin(here, in_all, oldest_ends, now)?;
    // At most twenty of a million codes are held: a free one comes at the first try or so.
    let mut rng = rand::rngs::OsRng;
    let code = (0..50)
        .map(|_| PairingCode::of_number(rng.gen_range(0..1_000_000)))
        .find(|code| !pairings::code_taken(tx.conn, code).unwrap_or(true))
        .ok_or(Error::Internal)?;
    let secret = accounts::random_token();
    let expires_at = now + PAIRING_MS;
    let counter = counter
        .filter(|_| kind == DeviceKind::Tablet)
        .map(u16::from);
    pairings::insert(
        tx.conn, &code, &secret, kind, counter, addr, now, expires_at,
    )?;
    Ok(Started {
        code,
        secret,
        expires_at,
    })
}

/// The device holding `secret` asks how its pairing stands.
pub fn claim(tx: &mut Tx<'_>, secret: &str) -> Result<Claim, Error> {
    let now = millis(tx.now);
    let gone = || {
        Error::not_found(
            "pairing_not_found",
            "no pairing waits for this device: it lapsed or was used; ask for a new code",
        )
    };
    let pairing = pairings::by_secret(tx.conn, secret, now)?.ok_or_else(gone)?;
    let Some(device_id) = pairing.device_id else {
        return Ok(Claim::Waiting {
            code: pairing.code,
            expires_at: pairing.expires_at,
        });
    };
    pairings::delete(tx.conn, pairing.id)?;
    // Revoked before it came for its token: it gets none, and must be paired anew.
    let token = pairings::hand_token(tx.conn, device_id)?.ok_or_else(gone)?;
    let device = accounts::device_by_id(tx.conn, device_id)?
        .ok_or(Error::Internal)?
        .device;
    Ok(Claim::Paired { device, token })
}

/// The pending pairing showing the code an admin typed. A wrong code is counted (and
/// committed: `Ok(Err(..))`); past the bound no code is looked up at all.
pub fn look_up(tx: &mut Tx<'_>, typed: &str) -> Result<Result<Pairing, Error>, Error> {
    let now = millis(tx.now);
    pairings::sweep(tx.conn, now, MISS_WINDOW_MS)?;
    let (misses, oldest) = pairings::misses(tx.conn, now - MISS_WINDOW_MS)?;
    pairing::may_try(misses, oldest, now)?;
    let found = match PairingCode::parse(typed) {
        Some(code) => pairings::pending_by_code(tx.conn, &code, now)?,
        None => None,
    };
    match found {
        Some(pairing) => Ok(Ok(pairing)),
        None => {
            pairings::add_miss(tx.conn, now)?;
            Ok(Err(Error::not_found(
                "pairing_not_found",
                "no device shows this code now: check the six digits on its screen (a code lasts 10 minutes)",
            )))
        }
    }
}

/// An admin accepts the pairing showing `typed`, naming the device: its row is made now,
/// with no usable token until the device comes for it. The pairing then waits another
/// ten minutes for it. Returns the device and the pairing it came from.
pub fn accept(
    tx: &mut Tx<'_>,
    typed: &str,
    naming: Naming,
) -> Result<Result<(Device, Pairing), Error>, Error> {
    let pairing = match look_up(tx, typed)? {
        Ok(pairing) => pairing,
        Err(miss) => return Ok(Err(miss)),
    };
    if let Some(kind) = naming.kind.filter(|k| *k != pairing.kind) {
        return Err(Error::invalid(
            "kind_mismatch",
            format!(
                "the device asked to be a {}, not a {}: open the right page on it",
                pairing.kind.as_str(),
                kind.as_str()
            ),
        ));
    }
    let now = millis(tx.now);
    let name = naming.name.trim();
    let counter = naming
        .counter
        .map(u16::from)
        .or(pairing.counter)
        .filter(|_| pairing.kind == DeviceKind::Tablet);
    if pairing.kind == DeviceKind::Tablet && counter.is_none() {
        return Err(Error::invalid(
            "missing_counter",
            "a tablet rates at one counter: choose it",
        ));
    }
    if pairing.kind != DeviceKind::Tablet && naming.counter.is_some() {
        return Err(Error::invalid(
            "unexpected_counter",
            "only a tablet is bound to a counter",
        ));
    }
    // The same refusals as adding a device by hand.
    let (device, _unseen) = match (pairing.kind, naming.kiosk.as_deref()) {
        (DeviceKind::Printer, Some(kiosk)) => {
            motcua_web::accounts::add_printer(tx.conn, name, kiosk, now)?
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
        (kind, None) => motcua_web::accounts::add_device(tx.conn, name, kind, now)?,
    };
    if let Some(counter) = counter {
        accounts::set_device_counter(tx.conn, device.id, counter)?;
    }
    let device = Device { counter, ..device };
    // The token made with the row is dropped unseen: the device gets a fresh one when it
    // comes with its secret.
    pairings::accept(tx.conn, pairing.id, device.id, now + PAIRING_MS)?;
    Ok(Ok((device, pairing)))
}
