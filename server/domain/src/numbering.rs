//! Ticket numbers: each field has a series (A001-A999, or 1001-1999) that restarts every
//! local day. The day is the hall's calendar day, so numbering turns over at local midnight
//! without any scheduled job: the first ticket after midnight simply belongs to a new day.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// A field's number series: a prefix and a range of numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub prefix: String,
    pub first: u32,
    pub last: u32,
}

impl Series {
    /// The number after `last_issued` today (None: the first of the day), or None when the
    /// series is used up for today. Numbers never repeat within a day.
    pub fn next(&self, last_issued: Option<u32>) -> Option<u32> {
        let n = match last_issued {
            None => self.first,
            Some(n) => n.checked_add(1)?,
        };
        (n <= self.last).then_some(n)
    }

    /// The code printed on the ticket: the prefix, then the number padded to the width of
    /// the series' last number (A001 when the series ends at 999).
    pub fn code(&self, n: u32) -> String {
        let width = self.last.to_string().len();
        format!("{}{:0width$}", self.prefix, n, width = width)
    }
}

/// The hall's calendar day at an instant.
pub fn local_day(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn series(prefix: &str, first: u32, last: u32) -> Series {
        Series {
            prefix: prefix.into(),
            first,
            last,
        }
    }

    #[test]
    fn codes_are_padded_to_the_width_of_the_series() {
        assert_eq!(series("A", 1, 999).code(12), "A012");
        assert_eq!(series("", 1001, 1999).code(1001), "1001");
        assert_eq!(series("B", 1, 99).code(7), "B07");
    }

    #[test]
    fn a_series_starts_at_its_first_number_and_stops_at_its_last() {
        let s = series("A", 1001, 1003);
        assert_eq!(s.next(None), Some(1001));
        assert_eq!(s.next(Some(1002)), Some(1003));
        assert_eq!(s.next(Some(1003)), None);
        assert_eq!(s.next(Some(u32::MAX)), None);
    }

    #[test]
    fn the_local_day_turns_at_midnight_in_vietnam_not_at_utc_midnight() {
        let tz: Tz = "Asia/Ho_Chi_Minh".parse().expect("tz");
        // 16:59:59 UTC is 23:59:59 in Hanoi; one second later it is the next day.
        let before = Utc
            .with_ymd_and_hms(2026, 11, 25, 16, 59, 59)
            .single()
            .expect("time");
        let after = Utc
            .with_ymd_and_hms(2026, 11, 25, 17, 0, 0)
            .single()
            .expect("time");
        assert_eq!(local_day(before, tz).to_string(), "2026-11-25");
        assert_eq!(local_day(after, tz).to_string(), "2026-11-26");
    }
}
