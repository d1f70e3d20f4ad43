//! The `[hours]` settings: when numbers are given out. The calendar itself (opening
//! spans, working weekdays, closed and open days, public holidays) is the hall's one
//! calendar, kept with `[bookings]` where it began; `[hours]` adds the spans of weekdays
//! that differ and the cut-off, and whether issuing follows the calendar at all.

use super::{ConfigError, invalid};
use chrono::NaiveTime;
use motcua_domain::IssuingRules;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HoursSettings {
    /// Whether numbers are given only in the opening hours of working days (off: at any
    /// hour, as before this setting existed; the demo hall leaves it off so that it works
    /// at night).
    pub follow_calendar: bool,
    /// Numbers stop this many minutes before each opening span ends.
    pub stop_before_close_minutes: u32,
    /// And never after this local time, `"16:30"` (empty: no such time).
    pub last_issue: String,
    /// Weekdays whose opening spans differ from `[bookings].opening_hours`:
    /// `saturday = ["07:30-11:30"]` (the day must also be in `[bookings].weekdays`).
    pub weekdays: BTreeMap<String, Vec<String>>,
}

/// The English weekday names the settings take, Monday first.
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

pub(super) fn time(key: &str, s: &str) -> Result<NaiveTime, ConfigError> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .map_err(|_| invalid(key, format!("{s:?} is not a time like 07:30")))
}

/// Opening spans `"07:30-11:30"`, checked: forward, in order, not overlapping.
pub(super) fn spans(
    key: &str,
    list: &[String],
) -> Result<Vec<(NaiveTime, NaiveTime)>, ConfigError> {
    let mut opening: Vec<(NaiveTime, NaiveTime)> = Vec::new();
    for span in list {
        let (from, to) = span
            .split_once('-')
            .ok_or_else(|| invalid(key, format!("{span:?} is not a span like 07:30-11:30")))?;
        let (from, to) = (time(key, from)?, time(key, to)?);
        if to <= from || opening.last().is_some_and(|&(_, end)| from < end) {
            return Err(invalid(
                key,
                "spans run forward, in order, without overlapping",
            ));
        }
        opening.push((from, to));
    }
    Ok(opening)
}

impl HoursSettings {
    /// The issuing rules, and the spans of the weekdays that differ (ISO numbers).
    #[allow(clippy::type_complexity)]
    pub fn rules(
        &self,
    ) -> Result<(IssuingRules, BTreeMap<u32, Vec<(NaiveTime, NaiveTime)>>), ConfigError> {
        if self.stop_before_close_minutes > 240 {
            return Err(invalid("hours.stop_before_close_minutes", "at most 240"));
        }
        let last_issue = match self.last_issue.trim() {
            "" => None,
            t => Some(time("hours.last_issue", t)?),
        };
        let mut by_weekday = BTreeMap::new();
        for (name, list) in &self.weekdays {
            let key = format!("hours.weekdays.{name}");
            let n = WEEKDAYS
                .iter()
                .position(|d| d == name)
                .ok_or_else(|| invalid(&key, "a weekday: monday .. sunday"))?;
            by_weekday.insert(n as u32 + 1, spans(&key, list)?);
        }
        Ok((
            IssuingRules {
                follow_calendar: self.follow_calendar,
                stop_before_close_minutes: self.stop_before_close_minutes,
                last_issue,
            },
            by_weekday,
        ))
    }
}
