//! Pairing a device by a short code on its own screen, instead of copying a token.
//!
//! A kiosk, TV or print agent without a token asks for a pairing: it gets a six-digit code
//! to show (and a secret it alone keeps), an admin types the code on the admin page and
//! names the device, and the device, asking with its secret, receives its token once.
//!
//! The code is short so a person can read it across a hall, so everything around it is
//! bounded: a pairing lapses after [`PAIRING_MS`]; one client address may hold
//! [`PER_ADDRESS`] pending pairings and the hall [`IN_ALL`]; and after [`MISSES`] wrong
//! codes within [`MISS_WINDOW_MS`] no code is looked up until the oldest miss leaves the
//! window. A guess then has at best `IN_ALL` chances in a million, ten times a window.

use crate::Error;
use std::fmt;

/// How long a pairing waits for an admin, and then for its device to fetch its token.
pub const PAIRING_MS: i64 = 10 * 60_000;
/// Pending pairings one client address may hold at once.
pub const PER_ADDRESS: usize = 3;
/// Pending pairings the hall holds at once.
pub const IN_ALL: usize = 20;
/// Wrong codes allowed within [`MISS_WINDOW_MS`].
pub const MISSES: usize = 10;
/// The window wrong codes are counted in.
pub const MISS_WINDOW_MS: i64 = 10 * 60_000;

/// A pairing's code: six digits, shown on the device's screen.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PairingCode(String);

impl PairingCode {
    /// The code of a number below a million (zeros in front).
    pub fn of_number(n: u32) -> Self {
        PairingCode(format!("{:06}", n % 1_000_000))
    }

    /// A code as a person typed it: six digits, spaces and dashes between them ignored
    /// ("482 193"); anything else is no code.
    pub fn parse(typed: &str) -> Option<Self> {
        let digits: String = typed
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '\u{a0}'))
            .collect();
        (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then_some(PairingCode(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PairingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// May a device at an address holding `here` pending pairings start one, with `in_all`
/// pending in the hall? A refusal says when to try again: when the oldest pending one
/// lapses (`oldest_ends_at`).
pub fn may_begin(here: usize, in_all: usize, oldest_ends_at: i64, now: i64) -> Result<(), Error> {
    let retry = ((oldest_ends_at - now).max(1_000) as u64).div_ceil(1_000);
    if here >= PER_ADDRESS {
        return Err(Error::too_many(
            "pairing_busy",
            format!(
                "this address holds {PER_ADDRESS} pairings already: use one, or wait for one to lapse"
            ),
            retry,
        ));
    }
    if in_all >= IN_ALL {
        return Err(Error::too_many(
            "pairing_busy",
            format!("the hall holds {IN_ALL} pairings already: wait for one to lapse"),
            retry,
        ));
    }
    Ok(())
}

/// May an admin look a code up, with `misses` wrong codes in the window, the oldest at
/// `oldest_miss_at`?
pub fn may_try(misses: usize, oldest_miss_at: i64, now: i64) -> Result<(), Error> {
    if misses < MISSES {
        return Ok(());
    }
    let wait = (oldest_miss_at + MISS_WINDOW_MS - now).max(1_000) as u64;
    Err(Error::too_many(
        "pairing_locked",
        format!(
            "{MISSES} wrong codes in 10 minutes: codes are not looked up until one leaves the count"
        ),
        wait.div_ceil(1_000),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<(), Error>) -> Option<&'static str> {
        match r {
            Ok(()) => None,
            Err(Error::TooMany { code, .. }) => Some(code),
            Err(e) => panic!("unexpected {e:?}"),
        }
    }

    #[test]
    fn a_code_is_six_digits_typed_with_or_without_spaces() {
        assert_eq!(
            PairingCode::parse("482 193").map(|c| c.0),
            Some("482193".into())
        );
        assert_eq!(
            PairingCode::parse("482-193").map(|c| c.0),
            Some("482193".into())
        );
        assert_eq!(
            PairingCode::parse("004821").map(|c| c.0),
            Some("004821".into())
        );
        assert!(PairingCode::parse("48219").is_none());
        assert!(PairingCode::parse("4821934").is_none());
        assert!(PairingCode::parse("48219a").is_none());
        assert!(PairingCode::parse("４８２１９３").is_none());
        assert_eq!(PairingCode::of_number(42).as_str(), "000042");
    }

    #[test]
    fn an_address_holds_three_pairings_and_the_hall_twenty() {
        assert_eq!(code(may_begin(2, 19, 0, 0)), None);
        assert_eq!(code(may_begin(3, 3, 0, 0)), Some("pairing_busy"));
        assert_eq!(code(may_begin(0, 20, 0, 0)), Some("pairing_busy"));
    }

    #[test]
    fn ten_wrong_codes_stop_lookups_until_the_oldest_leaves_the_window() {
        assert_eq!(code(may_try(9, 0, 1)), None);
        match may_try(10, 0, 4 * 60_000) {
            Err(Error::TooMany {
                code,
                retry_after_secs,
                ..
            }) => {
                assert_eq!(code, "pairing_locked");
                assert_eq!(retry_after_secs, 6 * 60);
            }
            other => panic!("{other:?}"),
        }
    }
}
