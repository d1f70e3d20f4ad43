//! What a coming day will bring, per field and hour, from the hall's own history.
//!
//! - **Arrivals**: the mean of the same weekday over the last weeks ("like days"), counting
//!   every visit that began in the field that hour (issued, transferred in, put back), on
//!   days the hall was open and not in the weeks around Tết or at a month's end, unless the
//!   day planned is one of those too:
//!   - **around Tết** (ten days either side of 1 Giêng): the like days are the same days
//!     around last Tết (the same distance from it, a day either way), when the history
//!     reaches back that far; else the ordinary weeks, and the forecast says so;
//!   - **a month's last three days**: the ordinary weekdays times how much busier the
//!     history's month ends were than its other days (when it has at least two of each).
//! - **Bookings already made** for the day are known arrivals: an hour gets at least its
//!   walk-ins as before plus the bookings made so far.
//! - **Handling**: the time from a call to the visit's end (service, or waiting for a
//!   no-show), as observed in the last weeks; with fewer than [`ENOUGH_OBSERVED`], the
//!   configured service minutes and a minute's walk, and the forecast says so.
//! - **Patience**: where citizens gave up (cancelled before any call, not by the day's end)
//!   at least five times, the mean patience is the time waited in all over those who gave
//!   up (the exponential's estimate); else nobody gives up.
//! - **No history at all**: `expected_per_day` spread evenly over the fields and hours, and
//!   the forecast says so.

use crate::simulate::{FieldDay, Handling};
use chrono::{Datelike, Duration, NaiveDate};
use motcua_domain::stats::{BeganBy, Outcome, Visit};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Handling times observed at least this often are used as they are.
pub const ENOUGH_OBSERVED: usize = 20;
/// Days either side of 1 Giêng that are "around Tết".
pub const AROUND_TET_DAYS: i64 = 10;

/// A field as the hall's settings describe it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub code: String,
    pub service_minutes: u32,
    pub target_wait_minutes: u32,
}

/// What the forecast of a day is to be made from.
pub struct Inputs<'a> {
    pub day: NaiveDate,
    /// The day's hours: from `first_hour`, `hours` of them (the hall's opening).
    pub first_hour: u8,
    pub hours: usize,
    pub fields: &'a [FieldSpec],
    /// The hall's visits before `day` (the last weeks, and last Tết's if it has them).
    pub history: &'a [Visit],
    /// Bookings made so far for `day`: (field, local hour) of each.
    pub booked: &'a [(String, u8)],
    /// Whether the hall was open (is open) on a day.
    pub open: &'a dyn Fn(NaiveDate) -> bool,
    /// How many weeks back the like days go.
    pub weeks: u32,
    /// Arrivals in a day assumed when the hall has no history.
    pub expected_per_day: f64,
}

/// Why a forecast is less sure than usual, or made differently.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Note {
    /// No day of the hall's history was like this one: arrivals are assumed.
    NoHistory { expected_per_day: f64 },
    /// Handling is the configured service minutes: too few observed.
    ConfiguredHandling { field: String, observed: usize },
    /// A month's end: the ordinary weeks times this.
    MonthEnd { factor: f64 },
    /// A month's end, but the history had too few month ends to say how much busier.
    MonthEndUnknown,
    /// Around Tết, from last Tết's days.
    AroundTet { like_days: usize },
    /// Around Tết, but the history does not reach last Tết: ordinary weeks.
    AroundTetUnknown,
}

/// The forecast of one field for the day.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldForecast {
    pub code: String,
    /// Arrivals per hour (bookings made so far included).
    pub arrivals: Vec<f64>,
    /// Of which booked, per hour.
    pub booked: Vec<f64>,
    pub handling: Handling,
    /// absent ÷ (served + absent) in the last weeks.
    pub no_show_share: Option<f64>,
    pub patience_minutes: Option<f64>,
    pub target_minutes: f64,
}

impl FieldForecast {
    /// As the simulator and the planner take it.
    pub fn day(&self) -> FieldDay {
        FieldDay {
            arrivals: self.arrivals.clone(),
            handling: self.handling.clone(),
            patience_minutes: self.patience_minutes,
            target_minutes: self.target_minutes,
        }
    }
}

/// The forecast of a day.
#[derive(Debug, Clone, PartialEq)]
pub struct DayForecast {
    pub day: NaiveDate,
    pub first_hour: u8,
    pub fields: Vec<FieldForecast>,
    /// The days the arrivals were taken from.
    pub like_days: Vec<NaiveDate>,
    pub notes: Vec<Note>,
}

/// The forecast of `inputs.day`.
pub fn forecast(inputs: &Inputs<'_>) -> DayForecast {
    let day = inputs.day;
    let hours = inputs.hours;
    // Visits per (day, field, hour index), and which days had any.
    let mut counts: BTreeMap<(NaiveDate, &str, usize), f64> = BTreeMap::new();
    let mut booked_counts: BTreeMap<(NaiveDate, &str, usize), f64> = BTreeMap::new();
    let mut per_day: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    let slot =
        |hour: u8| usize::from(hour.saturating_sub(inputs.first_hour)).min(hours.saturating_sub(1));
    for v in inputs.history.iter().filter(|v| v.day < day) {
        let key = (v.day, v.service.as_str(), slot(v.hour));
        *counts.entry(key).or_default() += 1.0;
        if v.booked && v.began_by == BeganBy::Issued {
            *booked_counts.entry(key).or_default() += 1.0;
        }
        if v.began_by == BeganBy::Issued {
            *per_day.entry(v.day).or_default() += 1.0;
        }
    }
    let worked: BTreeSet<NaiveDate> = per_day
        .keys()
        .copied()
        .filter(|d| (inputs.open)(*d))
        .collect();
    let mut notes = Vec::new();
    let special = |d: NaiveDate| near_tet(d).is_some() || month_end(d);
    let weeks_back = |d: NaiveDate| {
        (1..=i64::from(inputs.weeks.max(1)))
            .map(move |k| d - Duration::days(7 * k))
            .collect::<Vec<_>>()
    };
    let mut like_days: Vec<NaiveDate> = weeks_back(day)
        .into_iter()
        .filter(|d| worked.contains(d) && !special(*d))
        .collect();
    let mut factor = 1.0;
    if let Some(offset) = near_tet(day) {
        let last_tet = motcua_domain::holidays::lunar_new_year(tet_year(day) - 1);
        let then: Vec<NaiveDate> = last_tet
            .map(|tet| {
                (offset - 1..=offset + 1)
                    .map(|o| tet + Duration::days(o))
                    .filter(|d| worked.contains(d))
                    .collect()
            })
            .unwrap_or_default();
        if then.is_empty() {
            notes.push(Note::AroundTetUnknown);
        } else {
            notes.push(Note::AroundTet {
                like_days: then.len(),
            });
            like_days = then;
        }
    } else if month_end(day) {
        let mean = |end: bool| {
            let days: Vec<f64> = worked
                .iter()
                .filter(|d| month_end(**d) == end && near_tet(**d).is_none())
                .map(|d| per_day[d])
                .collect();
            (
                days.len(),
                days.iter().sum::<f64>() / days.len().max(1) as f64,
            )
        };
        let ((ends, at_end), (others, at_other)) = (mean(true), mean(false));
        if ends >= 2 && others >= 5 && at_other > 0.0 {
            factor = at_end / at_other;
            notes.push(Note::MonthEnd { factor });
        } else {
            notes.push(Note::MonthEndUnknown);
        }
    }
    let no_history = like_days.is_empty();
    if no_history {
        notes.push(Note::NoHistory {
            expected_per_day: inputs.expected_per_day,
        });
    }
    let recent_from = day - Duration::days(7 * i64::from(inputs.weeks.max(1)));
    let recent: Vec<&Visit> = inputs
        .history
        .iter()
        .filter(|v| v.day >= recent_from && v.day < day)
        .collect();
    let fields = inputs
        .fields
        .iter()
        .map(|spec| {
            let code = spec.code.as_str();
            let mean_of = |map: &BTreeMap<(NaiveDate, &str, usize), f64>, h: usize| {
                like_days
                    .iter()
                    .map(|d| map.get(&(*d, code, h)).copied().unwrap_or(0.0))
                    .sum::<f64>()
                    / like_days.len().max(1) as f64
            };
            let known = |h: usize| {
                inputs
                    .booked
                    .iter()
                    .filter(|(f, hour)| f == code && slot(*hour) == h)
                    .count() as f64
            };
            let (arrivals, booked): (Vec<f64>, Vec<f64>) = (0..hours)
                .map(|h| {
                    if no_history {
                        let even = inputs.expected_per_day
                            / (inputs.fields.len().max(1) * hours.max(1)) as f64;
                        return (even + known(h), known(h));
                    }
                    let all = mean_of(&counts, h) * factor;
                    let was_booked = mean_of(&booked_counts, h) * factor;
                    let walk_ins = all - was_booked;
                    (walk_ins + was_booked.max(known(h)), known(h))
                })
                .unzip();
            let mine: Vec<&&Visit> = recent.iter().filter(|v| v.service == code).collect();
            let observed: Vec<f64> = mine
                .iter()
                .filter_map(|v| Some((v.ended_at? - v.first_call?) as f64 / 60_000.0))
                .map(|m| m.clamp(0.05, 240.0))
                .collect();
            let handling = if observed.len() >= ENOUGH_OBSERVED {
                Handling::Observed(observed)
            } else {
                notes.push(Note::ConfiguredHandling {
                    field: spec.code.clone(),
                    observed: observed.len(),
                });
                Handling::Around {
                    mean_minutes: f64::from(spec.service_minutes) + 1.0,
                }
            };
            let ended = |o: Outcome| mine.iter().filter(|v| v.outcome == Some(o)).count();
            let (served, absent) = (ended(Outcome::Served), ended(Outcome::Absent));
            let gave_up = mine
                .iter()
                .filter(|v| {
                    v.outcome == Some(Outcome::Cancelled)
                        && !v.ended_with_day
                        && v.first_call.is_none()
                })
                .count();
            let waited_ms: i64 = mine
                .iter()
                .filter_map(|v| Some(v.first_call.or(v.ended_at)? - v.queued_at))
                .map(|ms| ms.max(0))
                .sum();
            FieldForecast {
                code: spec.code.clone(),
                arrivals,
                booked,
                handling,
                no_show_share: (served + absent > 0)
                    .then(|| absent as f64 / (served + absent) as f64),
                patience_minutes: (gave_up >= 5)
                    .then(|| waited_ms as f64 / 60_000.0 / gave_up as f64),
                target_minutes: f64::from(spec.target_wait_minutes),
            }
        })
        .collect();
    DayForecast {
        day,
        first_hour: inputs.first_hour,
        fields,
        like_days,
        notes,
    }
}

/// The lunar year whose Tết is nearest: Tết falls in late January or February.
fn tet_year(day: NaiveDate) -> i32 {
    if day.month() >= 7 {
        day.year() + 1
    } else {
        day.year()
    }
}

/// How many days `day` is from its nearest Tết, if within [`AROUND_TET_DAYS`].
pub fn near_tet(day: NaiveDate) -> Option<i64> {
    let tet = motcua_domain::holidays::lunar_new_year(tet_year(day))?;
    let offset = (day - tet).num_days();
    (offset.abs() <= AROUND_TET_DAYS).then_some(offset)
}

/// One of a month's last three days.
pub fn month_end(day: NaiveDate) -> bool {
    (day + Duration::days(3)).month() != day.month()
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_domain::stats::BeganBy;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn visit(day: NaiveDate, field: &str, hour: u8, handling_min: i64) -> Visit {
        let at = day
            .and_hms_opt(u32::from(hour), 0, 0)
            .unwrap_or_default()
            .and_utc()
            .timestamp_millis();
        Visit {
            first_call: Some(at + 60_000),
            last_call: Some(at + 60_000),
            counter: Some(1),
            started_at: Some(at + 120_000),
            ended_at: Some(at + 60_000 + handling_min * 60_000),
            outcome: Some(Outcome::Served),
            ..Visit::begun(day, field, BeganBy::Issued, (at, at), hour)
        }
    }

    fn spec(code: &str) -> FieldSpec {
        FieldSpec {
            code: code.into(),
            service_minutes: 10,
            target_wait_minutes: 15,
        }
    }

    fn always(_: NaiveDate) -> bool {
        true
    }

    fn inputs<'a>(day: NaiveDate, fields: &'a [FieldSpec], history: &'a [Visit]) -> Inputs<'a> {
        Inputs {
            day,
            first_hour: 8,
            hours: 3,
            fields,
            history,
            booked: &[],
            open: &always,
            weeks: 4,
            expected_per_day: 60.0,
        }
    }

    #[test]
    fn arrivals_are_the_mean_of_the_same_weekday_in_the_last_weeks() {
        // Wednesday 2026-11-25: the four Wednesdays before had 4, 6, 4, 6 at 8:00 in A;
        // a Tuesday's crowd does not count.
        let day = date(2026, 11, 25);
        let mut history = Vec::new();
        for (k, n) in [(1, 4), (2, 6), (3, 4), (4, 6)] {
            let d = day - Duration::days(7 * k);
            history.extend((0..n).map(|_| visit(d, "A", 8, 6)));
        }
        history.extend((0..50).map(|_| visit(day - Duration::days(1), "A", 8, 6)));
        let f = forecast(&inputs(day, &[spec("A")], &history));
        assert_eq!(f.fields[0].arrivals, vec![5.0, 0.0, 0.0]);
        assert_eq!(f.like_days.len(), 4);
        assert!(matches!(f.fields[0].handling, Handling::Observed(ref t) if t.len() == 70));
        assert_eq!(f.fields[0].handling.mean_minutes(), 6.0);
    }

    #[test]
    fn a_closed_day_is_not_a_like_day_and_bookings_made_are_known_arrivals() {
        let day = date(2026, 11, 25);
        let closed = day - Duration::days(14);
        let mut history: Vec<Visit> = Vec::new();
        for k in 1..=4 {
            let d = day - Duration::days(7 * k);
            history.extend((0..4).map(|_| visit(d, "A", 9, 6)));
        }
        let open = move |d: NaiveDate| d != closed;
        let booked = vec![("A".to_owned(), 9u8); 6];
        let f = forecast(&Inputs {
            open: &open,
            booked: &booked,
            ..inputs(day, &[spec("A")], &history)
        });
        assert!(!f.like_days.contains(&closed));
        assert_eq!(f.like_days.len(), 3);
        // Four walk-ins as before, and six bookings made already: six is more than the
        // none booked on the like days.
        assert_eq!(f.fields[0].arrivals[1], 10.0);
        assert_eq!(f.fields[0].booked[1], 6.0);
    }

    #[test]
    fn a_hall_with_no_history_uses_its_configured_minutes_and_says_so() {
        let f = forecast(&inputs(date(2026, 11, 25), &[spec("A"), spec("B")], &[]));
        assert!(f.notes.contains(&Note::NoHistory {
            expected_per_day: 60.0
        }));
        assert!(
            f.notes
                .iter()
                .any(|n| matches!(n, Note::ConfiguredHandling { field, .. } if field == "A"))
        );
        assert_eq!(f.fields[0].arrivals, vec![10.0; 3]);
        assert_eq!(
            f.fields[1].handling,
            Handling::Around { mean_minutes: 11.0 }
        );
    }

    #[test]
    fn a_months_end_is_its_ordinary_weeks_times_how_much_busier_month_ends_were() {
        // Month ends with 12 a day, other days 6: twice as busy.
        let day = date(2026, 11, 30);
        let mut history = Vec::new();
        for back in 1..=70 {
            let d = day - Duration::days(back);
            let n = if month_end(d) { 12 } else { 6 };
            history.extend((0..n).map(|_| visit(d, "A", 8, 5)));
        }
        let f = forecast(&inputs(day, &[spec("A")], &history));
        assert_eq!(f.notes, vec![Note::MonthEnd { factor: 2.0 }]);
        assert_eq!(f.fields[0].arrivals[0], 12.0);
        assert!(f.like_days.iter().all(|d| !month_end(*d)));
    }

    #[test]
    fn around_tet_the_like_days_are_last_tets() {
        // Tết 2027 is 6 February; a day three days before it takes 2026's (Tết 17
        // February) three days before, a day either way.
        let tet_2026 = date(2026, 2, 17);
        let day = date(2027, 2, 3);
        assert_eq!(near_tet(day), Some(-3));
        let mut history = Vec::new();
        for o in -4..=-2 {
            history.extend((0..30).map(|_| visit(tet_2026 + Duration::days(o), "A", 8, 5)));
        }
        for back in 1..=28 {
            history.extend((0..5).map(|_| visit(day - Duration::days(back), "A", 8, 5)));
        }
        let f = forecast(&inputs(day, &[spec("A")], &history));
        assert_eq!(f.notes, vec![Note::AroundTet { like_days: 3 }]);
        assert_eq!(f.fields[0].arrivals[0], 30.0);
        // Without last Tết in the history: ordinary weeks, and it says so.
        let recent: Vec<Visit> = history
            .into_iter()
            .filter(|v| v.day.year() == 2027 || v.day.month() > 6)
            .collect();
        let f = forecast(&inputs(day, &[spec("A")], &recent));
        assert!(f.notes.contains(&Note::AroundTetUnknown));
    }
}
