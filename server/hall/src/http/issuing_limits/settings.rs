//! The `[limits]` section of the settings.

use serde::{Deserialize, Serialize};

/// The `[limits]` settings: tickets a minute, and the burst allowed at once, per kiosk,
/// per member of staff issuing at a counter, and for priority tickets per issuer. `0`
/// tickets a minute: no limit of that kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitSettings {
    pub kiosk_tickets_per_minute: u32,
    pub kiosk_burst: u32,
    pub clerk_tickets_per_minute: u32,
    pub clerk_burst: u32,
    pub priority_tickets_per_minute: u32,
    pub priority_burst: u32,
}

impl Default for LimitSettings {
    /// A busy ward's kiosk issues a few tickets a minute (each citizen spends 15-20 s at
    /// it): 10 a minute, 10 at once, is several times that. Priority tickets are a small
    /// share of a day's: 2 a minute, 4 at once.
    fn default() -> Self {
        LimitSettings {
            kiosk_tickets_per_minute: 10,
            kiosk_burst: 10,
            clerk_tickets_per_minute: 10,
            clerk_burst: 10,
            priority_tickets_per_minute: 2,
            priority_burst: 4,
        }
    }
}

impl LimitSettings {
    /// No limits at all (tests and benches that issue thousands of tickets).
    pub fn off() -> Self {
        LimitSettings {
            kiosk_tickets_per_minute: 0,
            kiosk_burst: 0,
            clerk_tickets_per_minute: 0,
            clerk_burst: 0,
            priority_tickets_per_minute: 0,
            priority_burst: 0,
        }
    }

    /// Check the values: the key (under `limits.`) and why, if one is wrong.
    pub fn check(&self) -> Result<(), (String, String)> {
        for (rate, burst, rate_key, burst_key) in [
            (
                self.kiosk_tickets_per_minute,
                self.kiosk_burst,
                "kiosk_tickets_per_minute",
                "kiosk_burst",
            ),
            (
                self.clerk_tickets_per_minute,
                self.clerk_burst,
                "clerk_tickets_per_minute",
                "clerk_burst",
            ),
            (
                self.priority_tickets_per_minute,
                self.priority_burst,
                "priority_tickets_per_minute",
                "priority_burst",
            ),
        ] {
            if rate > 6_000 {
                return Err((rate_key.into(), "at most 6000 (0: no limit)".into()));
            }
            if rate > 0 && !(1..=1_000).contains(&burst) {
                return Err((burst_key.into(), "1 to 1000".into()));
            }
        }
        Ok(())
    }
}
