//! Sign-in throttling, per account name and per client address, the same on both servers.
//!
//! The rules (see [`Rules::NAME`] and [`Rules::ADDRESS`]):
//! - a name may fail 5 times freely; after that each try must wait 1 s after the last
//!   failure, then 2 s, 4 s, 8 s, 16 s; the 10th failure locks the name for 15 minutes, and
//!   every failure after a lock locks it again;
//! - an address (an IPv6 one counted by its /64, which one machine usually has whole) gets
//!   20 free failures, then waits of 1 s, 2 s, ... 512 s, and a lock at the 30th, since a
//!   hall's clerks may sit behind one address;
//! - a success clears the name's count (not the address's: a clerk's own good password
//!   must not buy an attacker beside them more guesses);
//! - counts are forgotten an hour after the last failure.
//!
//! A refused try is answered `429 sign_in_locked` with `Retry-After` *before* any hashing,
//! and is not counted. A try is counted as a failure the moment it is let through (and
//! taken back if it succeeds), so a burst of simultaneous tries cannot all slip past the
//! count before the first one is checked. A locked name's right password is refused until
//! the lock ends, or until an admin lifts it.
//!
//! Memory is bounded: each table keeps at most [`CAPACITY`] entries; a new one evicts the
//! entry whose last failure is oldest, preferring entries that are not locked.

use chrono::{DateTime, Utc};
use motcua_domain::Error;
use serde::Serialize;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex, PoisonError};

/// Entries per table (names, addresses): a few hundred KiB at most.
pub const CAPACITY: usize = 10_000;

/// When tries are slowed and when they are locked out.
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    /// Failures allowed with no wait.
    pub free: u32,
    /// The failure that locks.
    pub lock_at: u32,
    pub lock_ms: i64,
    /// A count with no failure for this long is forgotten.
    pub forget_ms: i64,
}

const MINUTE: i64 = 60_000;

impl Rules {
    pub const NAME: Rules = Rules {
        free: 5,
        lock_at: 10,
        lock_ms: 15 * MINUTE,
        forget_ms: 60 * MINUTE,
    };
    pub const ADDRESS: Rules = Rules {
        free: 20,
        lock_at: 30,
        lock_ms: 15 * MINUTE,
        forget_ms: 60 * MINUTE,
    };

    /// When the next try may come, after `failures` failures, the last at `last_ms`.
    fn next_try_ms(&self, failures: u32, last_ms: i64) -> i64 {
        if failures >= self.lock_at {
            last_ms + self.lock_ms
        } else if failures >= self.free {
            last_ms + (1000 * (1i64 << (failures - self.free).min(20))).min(self.lock_ms)
        } else {
            last_ms
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Count {
    failures: u32,
    last_ms: i64,
}

/// One table: names or addresses.
struct Table<K> {
    rules: Rules,
    counts: HashMap<K, Count>,
}

impl<K: Hash + Eq + Clone> Table<K> {
    fn new(rules: Rules) -> Self {
        Table {
            rules,
            counts: HashMap::new(),
        }
    }

    /// The count that still holds at `now` (a stale one is forgotten).
    fn live(&mut self, key: &K, now: i64) -> Option<Count> {
        let count = *self.counts.get(key)?;
        if now - count.last_ms > self.rules.forget_ms.max(self.rules.lock_ms) {
            self.counts.remove(key);
            return None;
        }
        Some(count)
    }

    /// Milliseconds to wait before `key` may try, if any.
    fn wait_ms(&mut self, key: &K, now: i64) -> Option<i64> {
        let count = self.live(key, now)?;
        let next = self.rules.next_try_ms(count.failures, count.last_ms);
        (next > now).then_some(next - now)
    }

    /// Count a failure for `key` at `now`: how many it has now.
    fn fail(&mut self, key: &K, now: i64) -> u32 {
        let failures = self.live(key, now).map_or(0, |c| c.failures) + 1;
        if !self.counts.contains_key(key) && self.counts.len() >= CAPACITY {
            self.evict(now);
        }
        self.counts.insert(
            key.clone(),
            Count {
                failures,
                last_ms: now,
            },
        );
        failures
    }

    /// Take back one counted failure (a try that succeeded, or was never checked).
    fn take_back(&mut self, key: &K) {
        if let Some(count) = self.counts.get_mut(key) {
            count.failures = count.failures.saturating_sub(1);
            if count.failures == 0 {
                self.counts.remove(key);
            }
        }
    }

    /// Make room: the entry with the oldest failure, unlocked ones first.
    fn evict(&mut self, now: i64) {
        let rules = self.rules;
        let oldest = self
            .counts
            .iter()
            .min_by_key(|(_, c)| {
                let locked = rules.next_try_ms(c.failures, c.last_ms) > now;
                (locked, c.last_ms)
            })
            .map(|(k, _)| k.clone());
        if let Some(key) = oldest {
            self.counts.remove(&key);
        }
    }

    fn waiting(&self, now: i64) -> Vec<(K, Count, i64)> {
        self.counts
            .iter()
            .filter(|(_, c)| now - c.last_ms <= self.rules.forget_ms.max(self.rules.lock_ms))
            .filter_map(|(k, c)| {
                let next = self.rules.next_try_ms(c.failures, c.last_ms);
                (next > now).then(|| (k.clone(), *c, next))
            })
            .collect()
    }
}

/// The address a count is kept for: IPv4 whole, IPv6 by its /64.
fn address_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(bits))
            }
        },
        v4 => v4,
    }
}

fn address_text(key: IpAddr) -> String {
    match key {
        IpAddr::V6(v6) => format!("{v6}/64"),
        v4 => v4.to_string(),
    }
}

struct Tables {
    names: Table<String>,
    addresses: Table<IpAddr>,
}

/// The server's sign-in counts (cheap to clone: one table behind a lock).
#[derive(Clone)]
pub struct Throttle {
    tables: Arc<Mutex<Tables>>,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle::new(Rules::NAME, Rules::ADDRESS)
    }
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Throttle")
    }
}

/// A try let through and already counted as a failure, until it is known.
#[derive(Debug)]
pub struct Attempt {
    name: String,
    address: IpAddr,
}

/// A name or an address that must wait, as an admin sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Waiting {
    /// The account name as typed, or the client's address (an IPv6 one as its /64).
    pub who: String,
    /// Failures counted (forgotten an hour after the last).
    pub failures: u32,
    /// Locked out (not only slowed down).
    pub locked: bool,
    /// When the next try is let through.
    pub until: DateTime<Utc>,
    pub last_failure: DateTime<Utc>,
}

/// Every name and address that must wait now, soonest free first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SignInLocks {
    pub names: Vec<Waiting>,
    pub addresses: Vec<Waiting>,
}

fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn seconds(ms: i64) -> u64 {
    u64::try_from((ms + 999) / 1000).unwrap_or(1).max(1)
}

impl Throttle {
    pub fn new(names: Rules, addresses: Rules) -> Throttle {
        Throttle {
            tables: Arc::new(Mutex::new(Tables {
                names: Table::new(names),
                addresses: Table::new(addresses),
            })),
        }
    }

    fn tables(&self) -> std::sync::MutexGuard<'_, Tables> {
        // The tables hold plain counts: one left half-written by a panic is still counts.
        self.tables.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// May `name` try from `address` now? If so the try is counted as a failure until
    /// [`Throttle::succeeded`] or [`Throttle::unchecked`] says otherwise.
    pub fn begin(&self, name: &str, address: IpAddr, now_ms: i64) -> Result<Attempt, Error> {
        let address = address_key(address);
        let mut tables = self.tables();
        let name_wait = tables.names.wait_ms(&name.to_owned(), now_ms);
        let address_wait = tables.addresses.wait_ms(&address, now_ms);
        let refused = match (name_wait, address_wait) {
            (Some(n), Some(a)) if a > n => Some(("address", a)),
            (Some(n), _) => Some(("name", n)),
            (None, Some(a)) => Some(("address", a)),
            (None, None) => None,
        };
        if let Some((what, ms)) = refused {
            drop(tables);
            tracing::info!(name = ?name, address = %address, "sign-in refused: too many failures");
            let secs = seconds(ms);
            return Err(Error::too_many(
                "sign_in_locked",
                format!("too many failed sign-ins for this {what}: try again in {secs} s"),
                secs,
            ));
        }
        let name_failures = tables.names.fail(&name.to_owned(), now_ms);
        let address_failures = tables.addresses.fail(&address, now_ms);
        let (name_rules, address_rules) = (tables.names.rules, tables.addresses.rules);
        drop(tables);
        // Logged when the count reaches the lock (the try itself may still succeed).
        if name_failures == name_rules.lock_at {
            tracing::warn!(name = ?name, address = %address, "sign-in: this name is locked out for a while");
        }
        if address_failures == address_rules.lock_at {
            tracing::warn!(name = ?name, address = %address, "sign-in: this address is locked out for a while");
        }
        Ok(Attempt {
            name: name.to_owned(),
            address,
        })
    }

    /// The try succeeded: the name's count is cleared, the address's failure taken back.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut tables = self.tables();
        tables.names.counts.remove(&attempt.name);
        tables.addresses.take_back(&attempt.address);
    }

    /// The try failed: it is counted already; say so in the log.
    pub fn failed(&self, attempt: Attempt) {
        tracing::info!(name = ?attempt.name, address = %attempt.address, "sign-in failed");
    }

    /// The try was never checked (the hashing queue was full): not a failure.
    pub fn unchecked(&self, attempt: Attempt) {
        let mut tables = self.tables();
        tables.names.take_back(&attempt.name);
        tables.addresses.take_back(&attempt.address);
    }

    /// Every name and address that must wait now.
    pub fn waiting(&self, now_ms: i64) -> SignInLocks {
        let tables = self.tables();
        let show = |who: String, c: Count, next: i64, rules: Rules| Waiting {
            who,
            failures: c.failures,
            locked: c.failures >= rules.lock_at,
            until: time(next),
            last_failure: time(c.last_ms),
        };
        let mut names: Vec<Waiting> = tables
            .names
            .waiting(now_ms)
            .into_iter()
            .map(|(k, c, next)| show(k, c, next, tables.names.rules))
            .collect();
        let mut addresses: Vec<Waiting> = tables
            .addresses
            .waiting(now_ms)
            .into_iter()
            .map(|(k, c, next)| show(address_text(k), c, next, tables.addresses.rules))
            .collect();
        names.sort_by(|a, b| (a.until, &a.who).cmp(&(b.until, &b.who)));
        addresses.sort_by(|a, b| (a.until, &a.who).cmp(&(b.until, &b.who)));
        SignInLocks { names, addresses }
    }

    /// Forget a name's failures (an admin lifting its lock); false if none were counted.
    pub fn lift_name(&self, name: &str) -> bool {
        self.tables().names.counts.remove(name).is_some()
    }

    /// Forget an address's failures; false if none were counted.
    pub fn lift_address(&self, address: IpAddr) -> bool {
        self.tables()
            .addresses
            .counts
            .remove(&address_key(address))
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn code(e: Error) -> (&'static str, u64) {
        match e {
            Error::TooMany {
                code,
                retry_after_secs,
                ..
            } => (code, retry_after_secs),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn five_failures_are_free_then_the_wait_doubles_and_the_tenth_locks_for_fifteen_minutes() {
        let t = Throttle::default();
        let a = addr("10.1.1.1");
        let mut now = 0;
        for _ in 0..5 {
            t.failed(t.begin("admin", a, now).unwrap());
        }
        for wait in [1, 2, 4, 8, 16] {
            let (c, secs) = code(t.begin("admin", a, now).unwrap_err());
            assert_eq!((c, secs), ("sign_in_locked", wait));
            now += wait as i64 * 1000;
            t.failed(t.begin("admin", a, now).unwrap());
        }
        // The tenth failure locked the name.
        let (_, secs) = code(t.begin("admin", a, now).unwrap_err());
        assert_eq!(secs, 15 * 60);
        let locks = t.waiting(now);
        assert_eq!(locks.names.len(), 1);
        assert!(locks.names[0].locked);
        assert_eq!(locks.names[0].who, "admin");
        // Refused tries are not counted: the lock ends when it said.
        now += 15 * MINUTE - 1;
        assert!(t.begin("admin", a, now).is_err());
        now += 1;
        let attempt = t.begin("admin", a, now).unwrap();
        t.succeeded(attempt);
        assert!(t.waiting(now).names.is_empty());
        // Another name from the same address is not slowed by this one's count.
        assert!(t.begin("quanly", a, now).is_ok());
    }

    #[test]
    fn a_burst_at_one_instant_is_let_through_only_up_to_the_free_failures() {
        let t = Throttle::default();
        let through = (0..50)
            .filter(|_| t.begin("admin", addr("10.1.1.1"), 0).is_ok())
            .count();
        assert_eq!(through, 5);
    }

    #[test]
    fn an_address_trying_many_names_is_locked_and_ipv6_counts_by_its_64() {
        let t = Throttle::default();
        let mut now = 0;
        let mut refused = 0;
        for i in 0..200 {
            // Each from another address of the same /64, each a new name.
            let a = addr(&format!("2001:db8:1:2::{:x}", i + 1));
            match t.begin(&format!("user{i}"), a, now) {
                Ok(attempt) => t.failed(attempt),
                Err(_) => refused += 1,
            }
            now += 20_000;
        }
        assert!(refused > 150, "{refused}");
        let locks = t.waiting(now);
        assert_eq!(locks.addresses[0].who, "2001:db8:1:2::/64");
        assert!(t.lift_address(addr("2001:db8:1:2::99")));
        assert!(t.begin("user-x", addr("2001:db8:1:2::1"), now).is_ok());
    }

    #[test]
    fn the_tables_stay_bounded_and_keep_locked_names_over_idle_ones() {
        let t = Throttle::default();
        for _ in 0..10 {
            let _ = t.begin("admin", addr("10.0.0.1"), 0);
        }
        for i in 0..(CAPACITY + 100) {
            // Spread over many addresses so no address is locked.
            let a = IpAddr::from([10, 2, (i / 250) as u8, (i % 250) as u8]);
            if let Ok(attempt) = t.begin(&format!("n{i}"), a, 1) {
                t.failed(attempt);
            }
        }
        assert!(t.tables().names.counts.len() <= CAPACITY);
        assert!(t.tables().addresses.counts.len() <= CAPACITY);
        assert!(
            t.begin("admin", addr("10.9.9.9"), 2).is_err(),
            "still locked"
        );
    }

    #[test]
    fn an_unchecked_try_is_not_a_failure() {
        let t = Throttle::default();
        for _ in 0..20 {
            let attempt = t.begin("admin", addr("10.1.1.1"), 0).unwrap();
            t.unchecked(attempt);
        }
        assert!(t.begin("admin", addr("10.1.1.1"), 0).is_ok());
    }
}
