//! What the bookings need at the web edge besides the application: the outside issuers'
//! secrets (each signs its requests), and a bound on how fast one client address may book
//! or cancel on the public page (touts scripting the page hit it long before they hold
//! many places: the per-person limit is the other bound).
//!
//! The bound is a GCRA per address (an IPv6 address counted by its /64): `per_minute`
//! attempts a minute with a burst of as many, `[bookings].attempts_per_minute` as it stands
//! (a live setting: read on every attempt). The issuers are the settings file's only: their
//! secrets are never changed on the admin pages. The table holds at most [`MAX_ADDRESSES`];
//! an address whose allowance is whole again is the same as one never seen, so a full
//! table first forgets those.

use motcua_domain::Error;
use motcua_store::clock::Clock;
use motcua_store::millis;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// The most client addresses tracked at once.
pub const MAX_ADDRESSES: usize = 10_000;

#[derive(Clone)]
pub struct BookingEdge {
    /// Issuer name → its secret.
    issuers: Arc<HashMap<String, String>>,
    /// Per address, the time (µs) at which its allowance is whole again.
    attempts: Arc<Mutex<HashMap<IpAddr, i64>>>,
    /// The settings as they run (the attempts a minute).
    setup: crate::setup::Setup,
    clock: Arc<dyn Clock>,
}

/// An IPv6 client counted by its /64.
fn key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

impl BookingEdge {
    pub fn new(setup: &crate::setup::Setup, clock: Arc<dyn Clock>) -> BookingEdge {
        let issuers = setup.read(|s| {
            s.bookings
                .issuers
                .iter()
                .map(|i| (i.name.clone(), i.secret.clone()))
                .collect()
        });
        BookingEdge {
            issuers: Arc::new(issuers),
            attempts: Arc::default(),
            setup: setup.clone(),
            clock,
        }
    }

    /// The secret of an issuer, if it is one.
    pub fn issuer_secret(&self, name: &str) -> Option<&str> {
        self.issuers.get(name).map(String::as_str)
    }

    /// The clock's now, in ms.
    pub fn now_ms(&self) -> i64 {
        millis(self.clock.now())
    }

    /// Take one attempt of `addr`'s allowance, or refuse with 429 and the wait.
    pub fn attempt(&self, addr: IpAddr) -> Result<(), Error> {
        let now = self.clock.now().timestamp_micros();
        let per_minute = i64::from(self.setup.read(|s| s.bookings.attempts_per_minute).max(1));
        // Microseconds between two attempts at the steady rate, and the burst as time.
        let interval_us = 60_000_000 / per_minute;
        let burst_us = interval_us * per_minute;
        let mut table = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        let addr = key(addr);
        // The time at which this address's allowance is whole again.
        let full_at = table.get(&addr).copied().unwrap_or(now).max(now);
        let next = full_at + interval_us;
        if next - now > burst_us {
            let wait = ((next - now - burst_us + 999_999) / 1_000_000).max(1);
            return Err(Error::too_many(
                "booking_rate_exceeded",
                "too many booking attempts from this address; try again shortly",
                wait as u64,
            ));
        }
        if table.len() >= MAX_ADDRESSES && !table.contains_key(&addr) {
            table.retain(|_, full| *full > now);
            if table.len() >= MAX_ADDRESSES {
                // Every address is mid-burst: forget the one whose allowance comes back first.
                if let Some(oldest) = table.iter().min_by_key(|(_, full)| **full).map(|(a, _)| *a) {
                    table.remove(&oldest);
                }
            }
        }
        table.insert(addr, next);
        Ok(())
    }
}
