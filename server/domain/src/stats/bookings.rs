//! The bookings' figures: what became of the places booked ahead, per booked day, field,
//! window and source, from one row per booking (the log's booking events folded by the
//! store; the city folds every hall's the same way).
//!
//! A booking counts on the day and in the window it was **booked for**, whenever it was made.
//! Its outcome is where it stands now:
//! - **booked**: every booking made for the day, whatever became of it;
//! - **cancelled**: cancelled by its holder or its issuer;
//! - **checked in**: checked in within its span (from the early window before the
//!   appointment to the late window after it) and given a number of the booked series;
//! - **late**: came after the late window (a no-show who came later the same day is late,
//!   not a no-show); **late given a walk-in number** is the part of them the hall turned
//!   into walk-ins (the rest were refused, per the hall's setting);
//! - **no-show**: nobody came by the end of the late window;
//! - **still awaited**: booked, not cancelled, and not yet due (the late window has not
//!   closed; the hall records the no-shows before its next change once it has).
//!
//! The **show rate** is (checked in + late) ÷ (booked − cancelled): of the places that were
//! still held, the share whose citizen came, on time or not (still awaited ones included
//! in the divisor, so today's rate grows through the day). **Lateness** is the spread of
//! check-in − appointment over the bookings checked in (negative: early), in seconds,
//! nearest-rank like every other figure ([`super::nearest_rank`]); late arrivals are
//! counted apart and are not in it.
//!
//! Sources: `page` (the hall's booking page) or `issuer:<name>` (an outside issuer such as
//! the city's app), each its own row of [`BookingReport::by_source`].

use super::Durations;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// Where a booking stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingOutcome {
    Booked,
    Cancelled,
    CheckedIn,
    Late,
    NoShow,
}

impl BookingOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingOutcome::Booked => "booked",
            BookingOutcome::Cancelled => "cancelled",
            BookingOutcome::CheckedIn => "checked_in",
            BookingOutcome::Late => "late",
            BookingOutcome::NoShow => "no_show",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "booked" => BookingOutcome::Booked,
            "cancelled" => BookingOutcome::Cancelled,
            "checked_in" => BookingOutcome::CheckedIn,
            "late" => BookingOutcome::Late,
            "no_show" => BookingOutcome::NoShow,
            _ => return None,
        })
    }
}

/// One booking, as the figures read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Booking {
    /// The local day it was booked for.
    pub day: NaiveDate,
    pub service: String,
    /// The window's local start, `HH:MM`.
    pub window: String,
    /// `page` or `issuer:<name>`.
    pub source: String,
    pub booked_at: i64,
    pub outcome: BookingOutcome,
    /// Check-in (or the late arrival) − appointment, in ms.
    pub offset_ms: Option<i64>,
    /// A late arrival given a walk-in number (`Some(true)`) or refused (`Some(false)`).
    pub late_walk_in: Option<bool>,
}

/// The figures of one group of bookings.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BookingFigures {
    /// Every booking made for these days.
    pub booked: u64,
    pub cancelled: u64,
    /// Checked in within the span.
    pub checked_in: u64,
    /// Came after the late window.
    pub late: u64,
    /// Of the late ones, those given a walk-in number.
    pub late_walk_in: u64,
    pub no_show: u64,
    /// Booked and not yet due.
    pub awaited: u64,
    /// (checked in + late) ÷ (booked − cancelled).
    pub show_rate: Option<f64>,
    /// Check-in − appointment of the bookings checked in, in seconds (negative: early).
    pub lateness: Durations,
}

#[derive(Debug, Default)]
struct Tally {
    booked: u64,
    cancelled: u64,
    checked_in: u64,
    late: u64,
    late_walk_in: u64,
    no_show: u64,
    awaited: u64,
    offsets: Vec<i64>,
}

impl Tally {
    fn add(&mut self, b: &Booking) {
        self.booked += 1;
        match b.outcome {
            BookingOutcome::Booked => self.awaited += 1,
            BookingOutcome::Cancelled => self.cancelled += 1,
            BookingOutcome::CheckedIn => {
                self.checked_in += 1;
                self.offsets.extend(b.offset_ms);
            }
            BookingOutcome::Late => {
                self.late += 1;
                self.late_walk_in += u64::from(b.late_walk_in == Some(true));
            }
            BookingOutcome::NoShow => self.no_show += 1,
        }
    }

    fn figures(self) -> BookingFigures {
        let held = self.booked - self.cancelled;
        BookingFigures {
            booked: self.booked,
            cancelled: self.cancelled,
            checked_in: self.checked_in,
            late: self.late,
            late_walk_in: self.late_walk_in,
            no_show: self.no_show,
            awaited: self.awaited,
            show_rate: (held > 0).then(|| (self.checked_in + self.late) as f64 / held as f64),
            lateness: Durations::of(self.offsets),
        }
    }
}

/// The bookings' figures of a range of days, in every breakdown.
#[derive(Debug, Clone, PartialEq)]
pub struct BookingReport {
    pub total: BookingFigures,
    pub by_day: Vec<(NaiveDate, BookingFigures)>,
    pub by_field: Vec<(String, BookingFigures)>,
    /// By the window's local start (`HH:MM`), every day and field together.
    pub by_window: Vec<(String, BookingFigures)>,
    /// By source: `page`, then each `issuer:<name>`.
    pub by_source: Vec<(String, BookingFigures)>,
}

/// The figures of `bookings` (already limited to the days asked for).
pub fn booking_report(bookings: &[Booking]) -> BookingReport {
    let mut total = Tally::default();
    let mut by_day: BTreeMap<NaiveDate, Tally> = BTreeMap::new();
    let mut by_field: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_window: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_source: BTreeMap<String, Tally> = BTreeMap::new();
    for b in bookings {
        total.add(b);
        by_day.entry(b.day).or_default().add(b);
        by_field.entry(b.service.clone()).or_default().add(b);
        by_window.entry(b.window.clone()).or_default().add(b);
        by_source.entry(b.source.clone()).or_default().add(b);
    }
    fn finish<K: Ord>(groups: BTreeMap<K, Tally>) -> Vec<(K, BookingFigures)> {
        groups.into_iter().map(|(k, t)| (k, t.figures())).collect()
    }
    let mut by_source = finish(by_source);
    // The hall's own page first, then the issuers by name.
    by_source.sort_by_key(|(source, _)| (source != "page", source.clone()));
    BookingReport {
        total: total.figures(),
        by_day: finish(by_day),
        by_field: finish(by_field),
        by_window: finish(by_window),
        by_source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn booking(window: &str, source: &str, outcome: BookingOutcome) -> Booking {
        Booking {
            day: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default(),
            service: "A".into(),
            window: window.into(),
            source: source.into(),
            booked_at: 0,
            outcome,
            offset_ms: None,
            late_walk_in: None,
        }
    }

    #[test]
    fn the_show_rate_leaves_out_cancelled_bookings_and_counts_late_arrivals() {
        use BookingOutcome::*;
        let mut rows = vec![
            booking("08:00", "page", Cancelled),
            booking("08:00", "page", NoShow),
            booking("08:30", "issuer:ihanoi", Booked),
        ];
        let mut on_time = booking("08:00", "page", CheckedIn);
        on_time.offset_ms = Some(-120_000);
        let mut late = booking("08:30", "issuer:ihanoi", Late);
        late.offset_ms = Some(900_000);
        late.late_walk_in = Some(true);
        let mut refused = booking("08:30", "page", Late);
        refused.offset_ms = Some(1_200_000);
        refused.late_walk_in = Some(false);
        rows.extend([on_time, late, refused]);
        let r = booking_report(&rows);
        let t = &r.total;
        assert_eq!((t.booked, t.cancelled, t.checked_in), (6, 1, 1));
        assert_eq!((t.late, t.late_walk_in, t.no_show, t.awaited), (2, 1, 1, 1));
        assert_eq!(t.show_rate, Some(3.0 / 5.0));
        assert_eq!((t.lateness.n, t.lateness.median), (1, Some(-120.0)));
        let windows: Vec<(&str, u64)> = r
            .by_window
            .iter()
            .map(|(w, f)| (w.as_str(), f.booked))
            .collect();
        assert_eq!(windows, vec![("08:00", 3), ("08:30", 3)]);
        assert_eq!(r.by_source[0].0, "page");
        assert_eq!(r.by_source[1].1.late_walk_in, 1);
    }

    #[test]
    fn no_booking_gives_no_rate() {
        let r = booking_report(&[]);
        assert_eq!((r.total.booked, r.total.show_rate), (0, None));
        let only_cancelled = booking_report(&[booking("08:00", "page", BookingOutcome::Cancelled)]);
        assert_eq!(only_cancelled.total.show_rate, None);
    }
}
