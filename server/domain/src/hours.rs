//! The day's rules: when numbers are given out, and when a called citizen who never comes
//! is let go.
//!
//! - **Issuing hours.** The hall has one calendar ([`BookingRules`]: its opening spans, per
//!   weekday where a day differs, its working weekdays, Vietnam's public holidays and its
//!   own closed and open days); bookings' windows and complaints' working hours read it
//!   too. Numbers are given inside each opening span up to its **cut-off**: the span's end
//!   less `stop_before_close_minutes`, and never after `last_issue` (many halls publish
//!   "cấp số: sáng 7:30 – 11:00, chiều 13:30 – 16:30"). [`IssuingRules::at`] says whether
//!   numbers are given at an instant, until when, and if not, since when and when they
//!   start again: what the kiosk shows and the 409 says.
//! - **Calls and recalls.** A recall comes at least `recall_gap_minutes` after the last
//!   call (the citizen gets the time to walk over); after `absent_after_calls` calls and
//!   that gap again with nobody coming, the hall marks the ticket absent itself (ZMS:
//!   3 calls, 5 minutes). [`RecallRules`].
//!
//! Times are instants or milliseconds since the epoch; nothing here reads a clock.

use crate::Refusal;
use crate::booking::{BookingRules, Closure, instant};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// How far ahead the next opening is looked for (a hall with no working day at all).
const DAYS_LOOKED_AHEAD: u32 = 400;

/// When numbers are given out, on the hall's calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssuingRules {
    /// Whether issuing follows the calendar at all (off: numbers at any hour, as the demo
    /// hall does so that it works at night).
    pub follow_calendar: bool,
    /// Numbers stop this many minutes before each opening span ends.
    pub stop_before_close_minutes: u32,
    /// And never after this local time.
    pub last_issue: Option<NaiveTime>,
}

/// Why numbers are not given now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stop {
    /// A closed day (weekend, holiday, the hall's own closure).
    ClosedDay,
    /// Before the day's first issuing span.
    NotYet,
    /// Between two spans (the lunch break).
    Break,
    /// After the day's last cut-off.
    DayOver,
}

/// Whether numbers are given at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issuing {
    /// Given, until `until` (`None`: at any hour).
    Open { until: Option<DateTime<Utc>> },
    /// Not given: why, since when (the cut-off that passed today, if one did), when they
    /// start again (`None`: no working day in the next year), and the closed day's name.
    Stopped {
        why: Stop,
        since: Option<DateTime<Utc>>,
        reopens: Option<DateTime<Utc>>,
        closure: Option<Closure>,
    },
}

impl IssuingRules {
    /// The spans of `day` in which numbers are given (none on a closed day), local times.
    pub fn spans(&self, calendar: &BookingRules, day: NaiveDate) -> Vec<(NaiveTime, NaiveTime)> {
        if calendar.closure(day).is_some() {
            return Vec::new();
        }
        let stop = Duration::minutes(i64::from(self.stop_before_close_minutes));
        calendar
            .opening_on(day)
            .iter()
            .filter_map(|&(open, close)| {
                let mut end = close - stop;
                // A cut-off longer than the time since midnight wraps back: no numbers.
                if end > close {
                    end = open;
                }
                if let Some(last) = self.last_issue {
                    end = end.min(last);
                }
                (end > open).then_some((open, end))
            })
            .collect()
    }

    /// Whether numbers are given at `now` in a hall in `tz`.
    pub fn at(&self, calendar: &BookingRules, tz: Tz, now: DateTime<Utc>) -> Issuing {
        if !self.follow_calendar {
            return Issuing::Open { until: None };
        }
        let day = now.with_timezone(&tz).date_naive();
        let spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = self
            .spans(calendar, day)
            .into_iter()
            .map(|(from, to)| (instant(tz, day, from), instant(tz, day, to)))
            .collect();
        if let Some(&(_, until)) = spans.iter().find(|&&(from, to)| from <= now && now < to) {
            return Issuing::Open { until: Some(until) };
        }
        let next_today = spans.iter().find(|&&(from, _)| now < from).map(|s| s.0);
        let since = spans.iter().rev().find(|&&(_, to)| to <= now).map(|s| s.1);
        let (why, reopens) = match (next_today, since) {
            (Some(next), Some(_)) => (Stop::Break, Some(next)),
            (Some(next), None) => (Stop::NotYet, Some(next)),
            // Every span of the day is over, or the day has none.
            _ => {
                let why = if since.is_some() {
                    Stop::DayOver
                } else {
                    Stop::ClosedDay
                };
                (why, self.first_after(calendar, tz, day))
            }
        };
        Issuing::Stopped {
            why,
            since,
            reopens,
            closure: calendar.closure(day),
        }
    }

    /// The first issuing instant on a day after `day`.
    fn first_after(
        &self,
        calendar: &BookingRules,
        tz: Tz,
        day: NaiveDate,
    ) -> Option<DateTime<Utc>> {
        let mut d = day;
        for _ in 0..DAYS_LOOKED_AHEAD {
            d = d.succ_opt()?;
            if let Some(&(from, _)) = self.spans(calendar, d).first() {
                return Some(instant(tz, d, from));
            }
        }
        None
    }
}

/// The hall's rules for calling a ticket again, and for letting it go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RecallRules {
    /// A recall comes at least this many minutes after the last call (0: at once).
    pub recall_gap_minutes: u32,
    /// After this many calls (the first and its recalls) and the gap again with nobody
    /// coming, the hall marks the ticket absent itself (0: never).
    pub absent_after_calls: u32,
}

impl RecallRules {
    /// Whether a ticket last called at `called_at` may be recalled at `now`.
    pub fn may_recall(&self, called_at: i64, now: i64) -> Result<(), Refusal> {
        let ready = called_at + i64::from(self.recall_gap_minutes) * 60_000;
        if now >= ready {
            return Ok(());
        }
        let wait = (ready - now + 999) / 1000;
        Err(Refusal::other(
            "recall_too_soon",
            format!(
                "the citizen was called less than {} minutes ago: recall them in {wait} s",
                self.recall_gap_minutes
            ),
        ))
    }

    /// When a ticket called `recalls + 1` times, last at `called_at`, is marked absent by
    /// the hall (`None`: not by the hall, or not yet enough calls).
    pub fn absent_at(&self, recalls: u32, called_at: i64) -> Option<i64> {
        (self.absent_after_calls > 0 && recalls + 1 >= self.absent_after_calls)
            .then(|| called_at + i64::from(self.recall_gap_minutes) * 60_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Asia::Ho_Chi_Minh;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Ho_Chi_Minh
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .expect("a local time")
    }

    fn hhmm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("a time")
    }

    /// 7:30–11:30 and 13:30–17:00, Monday to Friday; numbers stop 30 minutes before each
    /// close, and at 16:30 at the latest.
    fn rules() -> IssuingRules {
        IssuingRules {
            follow_calendar: true,
            stop_before_close_minutes: 30,
            last_issue: Some(hhmm(16, 30)),
        }
    }

    #[test]
    fn numbers_are_given_inside_a_span_until_its_cut_off() {
        let cal = BookingRules::default();
        // Wednesday 2 December 2026.
        assert_eq!(
            rules().at(&cal, Ho_Chi_Minh, at(2026, 12, 2, 8, 0)),
            Issuing::Open {
                until: Some(at(2026, 12, 2, 11, 0))
            }
        );
        assert_eq!(
            rules().at(&cal, Ho_Chi_Minh, at(2026, 12, 2, 16, 29)),
            Issuing::Open {
                until: Some(at(2026, 12, 2, 16, 30))
            }
        );
    }

    #[test]
    fn after_the_last_cut_off_on_friday_numbers_start_again_on_monday() {
        let cal = BookingRules::default();
        // Friday 4 December 2026, 16:30.
        let Issuing::Stopped {
            why,
            since,
            reopens,
            ..
        } = rules().at(&cal, Ho_Chi_Minh, at(2026, 12, 4, 16, 30))
        else {
            panic!("numbers still given after the cut-off");
        };
        assert_eq!(why, Stop::DayOver);
        assert_eq!(since, Some(at(2026, 12, 4, 16, 30)));
        assert_eq!(reopens, Some(at(2026, 12, 7, 7, 30)));
    }

    #[test]
    fn the_lunch_break_and_the_early_morning_say_when_numbers_start() {
        let cal = BookingRules::default();
        let stopped = |t| match rules().at(&cal, Ho_Chi_Minh, t) {
            Issuing::Stopped { why, reopens, .. } => (why, reopens),
            open => panic!("{open:?}"),
        };
        assert_eq!(
            stopped(at(2026, 12, 2, 11, 15)),
            (Stop::Break, Some(at(2026, 12, 2, 13, 30)))
        );
        assert_eq!(
            stopped(at(2026, 12, 2, 6, 0)),
            (Stop::NotYet, Some(at(2026, 12, 2, 7, 30)))
        );
    }

    #[test]
    fn a_weekend_or_a_holiday_is_a_closed_day_with_its_name() {
        let cal = BookingRules::default();
        // Sunday 6 December 2026; 2 September 2026 (National Day, a Wednesday).
        for (t, vi) in [
            (at(2026, 12, 6, 9, 0), "Ngày nghỉ cuối tuần"),
            (at(2026, 9, 2, 9, 0), ""),
        ] {
            let Issuing::Stopped { why, closure, .. } = rules().at(&cal, Ho_Chi_Minh, t) else {
                panic!("open on a closed day");
            };
            assert_eq!(why, Stop::ClosedDay);
            let closure = closure.expect("a closure");
            if !vi.is_empty() {
                assert_eq!(closure.vi, vi);
            }
        }
    }

    #[test]
    fn a_saturday_with_its_own_hours_issues_in_the_morning_only() {
        let mut cal = BookingRules {
            weekdays: vec![1, 2, 3, 4, 5, 6],
            ..BookingRules::default()
        };
        cal.by_weekday.insert(6, vec![(hhmm(7, 30), hhmm(11, 30))]);
        // Saturday 5 December 2026.
        assert_eq!(
            rules().at(&cal, Ho_Chi_Minh, at(2026, 12, 5, 9, 0)),
            Issuing::Open {
                until: Some(at(2026, 12, 5, 11, 0))
            }
        );
        assert!(matches!(
            rules().at(&cal, Ho_Chi_Minh, at(2026, 12, 5, 14, 0)),
            Issuing::Stopped {
                why: Stop::DayOver,
                ..
            }
        ));
    }

    #[test]
    fn a_hall_not_following_the_calendar_issues_at_any_hour() {
        let cal = BookingRules::default();
        let always = IssuingRules::default();
        assert_eq!(
            always.at(&cal, Ho_Chi_Minh, at(2026, 12, 6, 23, 0)),
            Issuing::Open { until: None }
        );
    }

    #[test]
    fn a_recall_waits_out_the_gap_and_the_last_call_lets_the_ticket_go() {
        let r = RecallRules {
            recall_gap_minutes: 5,
            absent_after_calls: 3,
        };
        assert_eq!(
            r.may_recall(0, 4 * 60_000).map_err(|e| e.code),
            Err("recall_too_soon")
        );
        assert!(r.may_recall(0, 5 * 60_000).is_ok());
        assert_eq!(r.absent_at(0, 0), None);
        assert_eq!(r.absent_at(1, 0), None);
        assert_eq!(r.absent_at(2, 1000), Some(1000 + 5 * 60_000));
        assert_eq!(RecallRules::default().absent_at(9, 0), None);
    }
}
