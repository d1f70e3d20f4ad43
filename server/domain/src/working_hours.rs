//! The working-hours clock of a complaint (phản ánh): Hanoi's rule for feedback is an
//! answer within 8 working hours, counted in the hall's opening hours on its working days.
//! The calendar is the bookings' ([`BookingRules::opening`] and [`BookingRules::closure`]:
//! weekends, Vietnam's public holidays and the hall's own closed days), so a complaint made
//! on Friday afternoon falls due on Monday or Tuesday and one made before Tết after it.

use crate::booking::{BookingRules, instant};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

/// Working hours a complaint may wait to be acknowledged.
pub const COMPLAINT_DUE_HOURS: u32 = 8;

/// The days looked ahead for working time before giving up (a hall whose settings leave
/// no working day at all); then the due time is plain hours after `from`.
const DAYS_LOOKED_AHEAD: u32 = 400;

/// The instant `hours` working hours after `from`: the time inside the opening spans of
/// working days (local time in `tz`) is counted, the rest skipped. Made outside the
/// opening hours, the count starts at the next opening. A due time falls at the end of a
/// span rather than at the next one's start when the hours run out exactly there.
pub fn after(rules: &BookingRules, tz: Tz, from: DateTime<Utc>, hours: u32) -> DateTime<Utc> {
    let mut left = Duration::hours(i64::from(hours));
    let mut day = from.with_timezone(&tz).date_naive();
    for _ in 0..DAYS_LOOKED_AHEAD {
        if rules.closure(day).is_none() {
            for &(open, close) in rules.opening_on(day) {
                let start = instant(tz, day, open).max(from);
                let end = instant(tz, day, close);
                if end <= start {
                    continue;
                }
                if left <= end - start {
                    return start + left;
                }
                left -= end - start;
            }
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    from + Duration::hours(i64::from(hours))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveTime, TimeZone};
    use chrono_tz::Asia::Ho_Chi_Minh;

    /// Local time in the hall (Asia/Ho_Chi_Minh) as an instant.
    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Ho_Chi_Minh
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .expect("a local time")
    }

    /// The default hall: 7:30–11:30 and 13:30–17:00, Monday to Friday, public holidays off
    /// (7.5 working hours a day).
    fn due(from: DateTime<Utc>) -> DateTime<Utc> {
        after(
            &BookingRules::default(),
            Ho_Chi_Minh,
            from,
            COMPLAINT_DUE_HOURS,
        )
    }

    #[test]
    fn a_complaint_made_on_a_monday_morning_is_due_the_next_morning() {
        // 8:00 → 11:30 (3.5 h), 13:30 → 17:00 (3.5 h), Tuesday 7:30 → 8:30 (1 h).
        assert_eq!(due(at(2026, 12, 7, 8, 0)), at(2026, 12, 8, 8, 30));
    }

    #[test]
    fn the_lunch_break_and_the_night_are_not_counted() {
        // Made at 12:00 (lunch): the count starts at 13:30; 3.5 h that day, 4 h the next
        // morning, 0.5 h after lunch.
        assert_eq!(due(at(2026, 12, 7, 12, 0)), at(2026, 12, 8, 14, 0));
    }

    #[test]
    fn a_complaint_made_on_friday_at_four_is_due_on_monday_afternoon() {
        // Friday 16:00 → 17:00 (1 h), Monday 7:30 → 11:30 (4 h), 13:30 → 16:30 (3 h).
        assert_eq!(due(at(2026, 12, 11, 16, 0)), at(2026, 12, 14, 16, 30));
    }

    #[test]
    fn a_complaint_made_on_friday_evening_or_the_weekend_is_due_on_tuesday_morning() {
        // Monday's 7.5 h, then 0.5 h on Tuesday.
        for made in [
            at(2026, 12, 11, 18, 0),
            at(2026, 12, 12, 10, 0),
            at(2026, 12, 13, 23, 59),
        ] {
            assert_eq!(due(made), at(2026, 12, 15, 8, 0), "made {made}");
        }
    }

    #[test]
    fn hours_running_out_at_the_close_fall_due_at_the_close() {
        // Made at 9:00 with 6 h: 2.5 h in the morning, 3.5 h after lunch, exactly to 17:00.
        let rules = BookingRules::default();
        let from = at(2026, 12, 7, 9, 0);
        assert_eq!(after(&rules, Ho_Chi_Minh, from, 6), at(2026, 12, 7, 17, 0));
    }

    #[test]
    fn tet_holidays_are_skipped() {
        let rules = BookingRules::default();
        // The days around Tết 2027 (lunar new year: Saturday 6 February 2027), as the
        // bookings' calendar has them.
        let day = |d| NaiveDate::from_ymd_opt(2027, 2, d).expect("a date");
        let last_before = (1..6)
            .rev()
            .map(day)
            .find(|&d| rules.closure(d).is_none())
            .expect("a working day before Tết");
        let first_after = (7..28)
            .map(day)
            .find(|&d| rules.closure(d).is_none())
            .expect("a working day after Tết");
        assert!(
            first_after - last_before > Duration::days(3),
            "Tết closes more than a weekend: {last_before} to {first_after}"
        );
        let made = instant(
            Ho_Chi_Minh,
            last_before,
            NaiveTime::from_hms_opt(16, 0, 0).expect("a time"),
        );
        // 1 h on the last day, 7 h on the first day back (4 h + 3 h: 16:30).
        let expected = instant(
            Ho_Chi_Minh,
            first_after,
            NaiveTime::from_hms_opt(16, 30, 0).expect("a time"),
        );
        assert_eq!(due(made), expected);
    }

    #[test]
    fn the_halls_own_closed_day_and_a_worked_saturday_count_as_it_says() {
        let mut rules = BookingRules::default();
        // Monday closed by the hall, the Saturday before worked.
        rules
            .closed_days
            .insert(NaiveDate::from_ymd_opt(2026, 12, 14).expect("a date"));
        rules
            .open_days
            .insert(NaiveDate::from_ymd_opt(2026, 12, 12).expect("a date"));
        let from = at(2026, 12, 11, 16, 0);
        // Friday 1 h, Saturday 7 h (to 16:30); Monday skipped.
        assert_eq!(
            after(&rules, Ho_Chi_Minh, from, COMPLAINT_DUE_HOURS),
            at(2026, 12, 12, 16, 30)
        );
        let from = at(2026, 12, 12, 17, 0);
        // After Saturday's close: Tuesday 7:30 + 8 h = Wednesday 8:00.
        assert_eq!(
            after(&rules, Ho_Chi_Minh, from, COMPLAINT_DUE_HOURS),
            at(2026, 12, 16, 8, 0)
        );
    }

    #[test]
    fn a_hall_with_no_working_day_falls_back_to_plain_hours() {
        let rules = BookingRules {
            weekdays: Vec::new(),
            ..BookingRules::default()
        };
        let from = at(2026, 12, 7, 9, 0);
        assert_eq!(
            after(&rules, Ho_Chi_Minh, from, 8),
            from + Duration::hours(8)
        );
    }
}
