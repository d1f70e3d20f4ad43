//! The `[bookings]` settings: how the hall takes bookings (its opening hours and windows,
//! the walk-ins' share, the check-in span, the per-person limit, closed days) and who may
//! book from outside (`[[bookings.issuers]]`, each with its own signing secret).

use super::{ConfigError, ServiceSettings, invalid};
use chrono::{NaiveDate, NaiveTime};
use motcua_domain::booking::{BookingField, BookingRules, LateArrival};
use motcua_domain::{Series, Service};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BookingSettings {
    /// Whether citizens may book (the page `/book/`, outside issuers, check-in).
    pub enabled: bool,
    /// Walk-in numbers only for the law's priority categories (at the kiosk).
    pub online_only: bool,
    /// Days bookable after today.
    pub days_ahead: u32,
    /// The length of a booking window, in minutes.
    pub window_minutes: u32,
    /// Opening spans of a working day, local time: `"07:30-11:30"`.
    pub opening_hours: Vec<String>,
    /// Working weekdays: 1 Monday .. 7 Sunday.
    pub weekdays: Vec<u32>,
    /// Percent of each field's counter time kept for walk-ins (a field may set its own).
    pub walk_in_percent: u8,
    /// Bookings one person (one phone or ID card number) may hold for one day.
    pub per_person_per_day: u32,
    /// A cancelled place can be booked again only after this many minutes.
    pub release_delay_minutes: u32,
    /// Check-in opens this many minutes before the appointment...
    pub early_minutes: u32,
    /// ...and closes this many after it.
    pub late_minutes: u32,
    /// `walk_in` (a late booking gets an ordinary number) or `refuse`.
    pub late_arrival: LateArrival,
    /// The person's keyed hash is deleted this many days after the booked day.
    pub keep_personal_days: u32,
    /// Whether Vietnam's public holidays (Tết included) close the hall.
    pub public_holidays: bool,
    /// The hall's own closed days, `YYYY-MM-DD`.
    pub closed_days: Vec<String>,
    /// Days worked that would otherwise be closed (a make-up Saturday), `YYYY-MM-DD`.
    pub open_days: Vec<String>,
    /// Booking attempts (book or cancel) one client address may make a minute on the
    /// public page.
    pub attempts_per_minute: u32,
    /// Outside issuers (the city's app): each signs its requests with its own secret.
    pub issuers: Vec<IssuerSettings>,
}

impl Default for BookingSettings {
    fn default() -> Self {
        BookingSettings {
            enabled: true,
            online_only: false,
            days_ahead: 6,
            window_minutes: 30,
            opening_hours: vec!["07:30-11:30".into(), "13:30-17:00".into()],
            weekdays: vec![1, 2, 3, 4, 5],
            walk_in_percent: 60,
            per_person_per_day: 2,
            release_delay_minutes: 30,
            early_minutes: 30,
            late_minutes: 10,
            late_arrival: LateArrival::WalkIn,
            keep_personal_days: 30,
            public_holidays: true,
            closed_days: Vec::new(),
            open_days: Vec::new(),
            attempts_per_minute: 10,
            issuers: Vec::new(),
        }
    }
}

/// An outside issuer: its name (in the `X-Motcua-Issuer` header) and its secret.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerSettings {
    pub name: String,
    pub secret: String,
}

/// The secret never shows in logs or error messages.
impl std::fmt::Debug for IssuerSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerSettings")
            .field("name", &self.name)
            .field("secret", &"<hidden>")
            .finish()
    }
}

fn time(key: &str, s: &str) -> Result<NaiveTime, ConfigError> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map_err(|_| invalid(key, format!("{s:?} is not a time like 07:30")))
}

fn days(key: &str, list: &[String]) -> Result<std::collections::BTreeSet<NaiveDate>, ConfigError> {
    list.iter()
        .map(|d| {
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| invalid(key, format!("{d:?} is not a date like 2027-02-05")))
        })
        .collect()
}

impl BookingSettings {
    /// Check every value and build the hall's rules, with each field's plan.
    pub fn rules(
        &self,
        services: &[Service],
        settings: &[ServiceSettings],
    ) -> Result<BookingRules, ConfigError> {
        let key = |k: &str| format!("bookings.{k}");
        if !(0..=60).contains(&self.days_ahead) {
            return Err(invalid(key("days_ahead"), "0 to 60"));
        }
        if !(5..=240).contains(&self.window_minutes) {
            return Err(invalid(key("window_minutes"), "5 to 240"));
        }
        let mut opening = Vec::new();
        for span in &self.opening_hours {
            let (from, to) = span.split_once('-').ok_or_else(|| {
                invalid(
                    key("opening_hours"),
                    format!("{span:?} is not a span like 07:30-11:30"),
                )
            })?;
            let (from, to) = (
                time(&key("opening_hours"), from)?,
                time(&key("opening_hours"), to)?,
            );
            if to <= from || opening.last().is_some_and(|&(_, end)| from < end) {
                return Err(invalid(
                    key("opening_hours"),
                    "spans run forward, in order, without overlapping",
                ));
            }
            opening.push((from, to));
        }
        if self.enabled && opening.is_empty() {
            return Err(invalid(key("opening_hours"), "at least one span"));
        }
        if self.weekdays.iter().any(|d| !(1..=7).contains(d)) {
            return Err(invalid(key("weekdays"), "1 (Monday) to 7 (Sunday)"));
        }
        if self.walk_in_percent > 100 {
            return Err(invalid(key("walk_in_percent"), "0 to 100"));
        }
        if !(1..=20).contains(&self.per_person_per_day) {
            return Err(invalid(key("per_person_per_day"), "1 to 20"));
        }
        if self.release_delay_minutes > 24 * 60 {
            return Err(invalid(key("release_delay_minutes"), "at most 1440"));
        }
        if self.early_minutes > 240 || self.late_minutes > 240 {
            return Err(invalid(key("late_minutes"), "early and late: at most 240"));
        }
        if !(1..=3650).contains(&self.keep_personal_days) {
            return Err(invalid(key("keep_personal_days"), "1 to 3650"));
        }
        if !(1..=100_000).contains(&self.attempts_per_minute) {
            return Err(invalid(key("attempts_per_minute"), "1 to 100000"));
        }
        for (i, issuer) in self.issuers.iter().enumerate() {
            let k = |f: &str| format!("bookings.issuers[{i}].{f}");
            let ok = (1..=32).contains(&issuer.name.len())
                && issuer
                    .name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !ok {
                return Err(invalid(k("name"), "1 to 32 small letters, digits or -"));
            }
            if issuer.secret.len() < 32 {
                return Err(invalid(k("secret"), "at least 32 characters"));
            }
            if self.issuers[..i].iter().any(|o| o.name == issuer.name) {
                return Err(invalid(
                    k("name"),
                    format!("{} is named twice", issuer.name),
                ));
            }
        }
        // Each field's share for walk-ins and its booked series, whose prefix must differ
        // from every other printed prefix.
        let mut fields = Vec::new();
        let mut prefixes: Vec<String> = services.iter().map(|s| s.series.prefix.clone()).collect();
        for (i, (service, s)) in services.iter().zip(settings).enumerate() {
            let k = |f: &str| format!("services[{i}].{f}");
            let walk_in_percent = s.booking_walk_in_percent.unwrap_or(self.walk_in_percent);
            if walk_in_percent > 100 {
                return Err(invalid(k("booking_walk_in_percent"), "0 to 100"));
            }
            let prefix = s
                .booking_prefix
                .clone()
                .unwrap_or_else(|| format!("{}H", service.series.prefix));
            if prefix.is_empty()
                || prefix.chars().count() > 4
                || !prefix.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return Err(invalid(
                    k("booking_prefix"),
                    "1 to 4 letters or digits (set it when the field's prefix has 4)",
                ));
            }
            if prefixes.contains(&prefix) {
                return Err(invalid(
                    k("booking_prefix"),
                    format!("{prefix} is printed by another series"),
                ));
            }
            prefixes.push(prefix.clone());
            fields.push(BookingField {
                code: service.code.clone(),
                walk_in_percent,
                series: Series {
                    prefix,
                    first: service.series.first,
                    last: service.series.last,
                },
            });
        }
        Ok(BookingRules {
            enabled: self.enabled,
            online_only: self.online_only,
            days_ahead: self.days_ahead,
            window_minutes: self.window_minutes,
            opening,
            // `[hours].weekdays`' own spans: set by `Settings::hall`.
            by_weekday: Default::default(),
            weekdays: self.weekdays.clone(),
            fields,
            per_person_per_day: self.per_person_per_day,
            release_delay_minutes: self.release_delay_minutes,
            early_minutes: self.early_minutes,
            late_minutes: self.late_minutes,
            late_arrival: self.late_arrival,
            keep_personal_days: self.keep_personal_days,
            closed_days: days(&key("closed_days"), &self.closed_days)?,
            open_days: days(&key("open_days"), &self.open_days)?,
            public_holidays: self.public_holidays,
            days_off: Default::default(),
        })
    }
}
