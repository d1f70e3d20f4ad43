//! Bookings: a place in one of a field's time windows, taken ahead (on the hall's booking
//! page or through an outside issuer such as the city's app), then checked in at the kiosk
//! or a counter for a number of its own series.
//!
//! - **Windows** come from the hall's opening hours, cut into `window_minutes`; a closed day
//!   (weekend, public holiday, the hall's own closure) has none ([`BookingRules::closure`]).
//! - **Places** come from the hall's plan ([`rate`]): the counter-minutes the field gets in a
//!   window (each counter's time shared equally among the fields it serves), less the share
//!   kept for walk-ins, divided by the field's service time; a fraction is carried over the
//!   day's windows ([`places_in`]). Each place has its own **appointment** time, spread
//!   evenly through its window.
//! - **The merge rule.** A checked-in booking joins its field's queue at its appointment
//!   time (its queue time is the appointment, whether the citizen came early or within the
//!   late window). So it is called ahead of the walk-ins who came after its time and after
//!   those who came before it, by the same "oldest queue time first" rule every ticket
//!   follows. Priority (the law's categories) still goes first: a booking is a normal
//!   ticket, and a priority walk-in goes ahead of it; the streak rule that keeps priority
//!   from starving normal tickets protects bookings too.
//! - **The bound on a walk-in's extra wait.** After a walk-in joins at `t`, the only tickets
//!   that can still be put ahead of it without priority are bookings whose appointment was
//!   before `t` and who check in late, within the late window: appointments in
//!   `[t - late, t)`. With at most `P` places in a window of `W` minutes
//!   ([`most_places`]), appointments are at least about `W / P` apart, so at most
//!   [`most_passing`] = ⌈late × P / W⌉ + 1 of them per field (the one extra for the minute
//!   rounding of appointment times and for two windows of different sizes meeting). A later arrival is not a booking
//!   any more: it becomes a walk-in at the back, or is refused ([`LateArrival`]).

use super::ServiceCode;
use super::numbering::Series;
use crate::holidays::{self, Holiday};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// What becomes of a booking checked in after its late window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LateArrival {
    /// An ordinary walk-in number of the field, at the back of its queue.
    #[default]
    WalkIn,
    /// Refused: the citizen books again or, outside online-only mode, takes a number.
    Refuse,
}

impl LateArrival {
    pub fn as_str(self) -> &'static str {
        match self {
            LateArrival::WalkIn => "walk_in",
            LateArrival::Refuse => "refuse",
        }
    }
}

/// A field's booking plan: its share kept for walk-ins and the series of its booked
/// numbers.
#[derive(Debug, Clone)]
pub struct BookingField {
    pub code: ServiceCode,
    /// Percent of the field's counter time kept for walk-ins (100: not bookable).
    pub walk_in_percent: u8,
    /// The booked numbers' series (its own prefix; numbers restart each day).
    pub series: Series,
}

/// How a hall takes bookings. Built from the settings, which check every value.
#[derive(Debug, Clone)]
pub struct BookingRules {
    pub enabled: bool,
    /// Walk-in numbers only for the law's priority categories; everyone else books.
    pub online_only: bool,
    /// Days bookable after today (today is bookable too).
    pub days_ahead: u32,
    pub window_minutes: u32,
    /// Opening spans of a working day, local time, in order.
    pub opening: Vec<(NaiveTime, NaiveTime)>,
    /// The weekdays (ISO: Monday 1 .. Sunday 7) whose spans differ from `opening` (a
    /// Saturday morning, a Friday closing early), each with its own, in order.
    pub by_weekday: BTreeMap<u32, Vec<(NaiveTime, NaiveTime)>>,
    /// Working weekdays, ISO (Monday 1 .. Sunday 7).
    pub weekdays: Vec<u32>,
    pub fields: Vec<BookingField>,
    /// Bookings one person may hold for one day (not counting cancelled ones).
    pub per_person_per_day: u32,
    /// A cancelled place can be booked again only this long after the cancellation.
    pub release_delay_minutes: u32,
    /// Check-in opens this long before the appointment...
    pub early_minutes: u32,
    /// ...and closes this long after it.
    pub late_minutes: u32,
    pub late_arrival: LateArrival,
    /// The person's keyed hash is deleted this many days after the booked day.
    pub keep_personal_days: u32,
    /// The hall's own closures, and working days that would otherwise be closed (a
    /// Saturday worked to make up for a holiday bridge).
    pub closed_days: BTreeSet<NaiveDate>,
    pub open_days: BTreeSet<NaiveDate>,
    /// Whether Vietnam's public holidays close the hall.
    pub public_holidays: bool,
    /// The days off by law of the years asked so far, each year's computed once.
    pub days_off: DaysOff,
}

/// The days off by law (holidays and days in lieu) of each year asked for, computed once
/// a year: a year's needs the lunar calendar, and every calendar and booking asks for its
/// days. At most [`DaysOff::YEARS`] years are kept (the bookable days span two at most).
#[derive(Debug, Clone, Default)]
pub struct DaysOff(Arc<Mutex<BTreeMap<i32, YearOff>>>);

/// One year's days off by law.
type YearOff = BTreeMap<NaiveDate, Holiday>;

impl DaysOff {
    pub const YEARS: usize = 4;

    /// The day off by law on `day` for staff working on `weekdays` (ISO numbers).
    fn on(&self, day: NaiveDate, weekdays: &[u32]) -> Option<Holiday> {
        let mut years = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if years.len() >= Self::YEARS && !years.contains_key(&day.year()) {
            years.clear();
        }
        let year = years.entry(day.year()).or_insert_with(|| {
            // A holiday on a day of rest gives the next working day off in lieu.
            let rest: Vec<chrono::Weekday> = (1..=7u32)
                .filter(|d| !weekdays.contains(d))
                .filter_map(|d| chrono::Weekday::try_from((d - 1) as u8).ok())
                .collect();
            holidays::days_off(day.year(), &holidays::Rules::default(), &rest)
                .into_iter()
                .collect()
        });
        year.get(&day).copied()
    }
}

impl Default for BookingRules {
    fn default() -> Self {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
        BookingRules {
            enabled: false,
            online_only: false,
            days_ahead: 6,
            window_minutes: 30,
            opening: vec![(t(7, 30), t(11, 30)), (t(13, 30), t(17, 0))],
            by_weekday: BTreeMap::new(),
            weekdays: vec![1, 2, 3, 4, 5],
            fields: Vec::new(),
            per_person_per_day: 2,
            release_delay_minutes: 30,
            early_minutes: 30,
            late_minutes: 10,
            late_arrival: LateArrival::WalkIn,
            keep_personal_days: 30,
            closed_days: BTreeSet::new(),
            open_days: BTreeSet::new(),
            public_holidays: true,
            days_off: DaysOff::default(),
        }
    }
}

/// Why a day takes no bookings, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Closure {
    pub vi: &'static str,
    pub en: &'static str,
}

/// A window of a day: local start and end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl BookingRules {
    pub fn field(&self, code: &ServiceCode) -> Option<&BookingField> {
        self.fields
            .iter()
            .find(|f| &f.code == code && f.walk_in_percent < 100)
    }

    /// Why `day` is closed, or `None` on a working day.
    pub fn closure(&self, day: NaiveDate) -> Option<Closure> {
        if self.open_days.contains(&day) {
            return None;
        }
        if self.closed_days.contains(&day) {
            return Some(Closure {
                vi: "Bộ phận một cửa nghỉ",
                en: "The hall is closed",
            });
        }
        if self.public_holidays
            && let Some(h) = self.days_off.on(day, &self.weekdays)
        {
            return Some(Closure { vi: h.vi, en: h.en });
        }
        if !self.weekdays.contains(&day.weekday().number_from_monday()) {
            return Some(Closure {
                vi: "Ngày nghỉ cuối tuần",
                en: "Weekend",
            });
        }
        None
    }

    /// The opening spans of `day` were it a working day: its weekday's own, or the
    /// hall's usual ones.
    pub fn opening_on(&self, day: NaiveDate) -> &[(NaiveTime, NaiveTime)] {
        self.by_weekday
            .get(&day.weekday().number_from_monday())
            .unwrap_or(&self.opening)
    }

    /// The windows of a working day (none on a closed one), in order.
    pub fn windows(&self, day: NaiveDate) -> Vec<Window> {
        if self.closure(day).is_some() {
            return Vec::new();
        }
        self.working_day(day)
    }

    /// The windows of `day` were it a working day, in order.
    pub fn working_day(&self, day: NaiveDate) -> Vec<Window> {
        if self.window_minutes == 0 {
            return Vec::new();
        }
        let step = Duration::minutes(i64::from(self.window_minutes));
        let mut windows = Vec::new();
        for &(open, close) in self.opening_on(day) {
            let mut start = open;
            loop {
                let (end, wrapped) = start.overflowing_add_signed(step);
                if wrapped != 0 || end <= start || end > close {
                    break;
                }
                windows.push(Window { start, end });
                start = end;
            }
        }
        windows
    }

    /// The days bookable from `today` on: today and `days_ahead` more.
    pub fn days(&self, today: NaiveDate) -> Vec<NaiveDate> {
        (0..=self.days_ahead)
            .filter_map(|i| today.checked_add_signed(Duration::days(i64::from(i))))
            .collect()
    }

    /// The moment check-in opens and closes for an appointment (ms since the epoch).
    pub fn check_in_span(&self, appointment: i64) -> (i64, i64) {
        (
            appointment - i64::from(self.early_minutes) * 60_000,
            appointment + i64::from(self.late_minutes) * 60_000,
        )
    }

    /// How an arrival at `now` stands against an appointment.
    pub fn arrival(&self, appointment: i64, now: i64) -> Arrival {
        let (from, until) = self.check_in_span(appointment);
        if now < from {
            Arrival::TooEarly { from }
        } else if now <= until {
            Arrival::OnTime
        } else {
            Arrival::Late
        }
    }
}

/// An arrival against its appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    /// Check-in opens at `from` (ms).
    TooEarly { from: i64 },
    /// Within the window: the booked number, queued at the appointment.
    OnTime,
    /// After the late window.
    Late,
}

/// A local date and time in the hall's zone as an instant (the earlier one when the clock
/// went back; Vietnam has no daylight saving).
pub fn instant(tz: Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = day.and_time(time);
    tz.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

/// The places a field's windows offer, on average: the counter-minutes the field gets in a
/// window (each counter serving it gives the window's minutes shared equally among its
/// fields), less the walk-ins' share, divided by the field's service minutes. Often not a
/// whole number: [`places_in`] spreads it over the day's windows.
pub fn rate(
    window_minutes: u32,
    counters_fields: &[usize],
    walk_in_percent: u8,
    service_minutes: u32,
) -> f64 {
    let counter_minutes: f64 = counters_fields
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| f64::from(window_minutes) / n as f64)
        .sum();
    let bookable = counter_minutes * f64::from(100 - walk_in_percent.min(100)) / 100.0;
    bookable / f64::from(service_minutes.max(1))
}

/// The places of the day's window number `index` (0-based, morning and afternoon counted
/// through): the whole places the rate has given by the end of this window less those it
/// gave by the end of the one before. A field with half a place a window (a 15-minute
/// service sharing a counter) offers one every other window instead of none.
pub fn places_in(rate: f64, index: usize) -> u32 {
    // A hair under each whole number counts as it (50 × 0.5 = 24.999999...).
    let upto = |n: usize| (n as f64 * rate + 1e-9).floor() as u32;
    upto(index + 1).saturating_sub(upto(index))
}

/// The most places any window offers at this rate.
pub fn most_places(rate: f64) -> u32 {
    (rate - 1e-9).ceil().max(0.0) as u32
}

/// The appointment of place `slot` (0-based) of `places` in a window: spread evenly
/// through it, to the minute (rounded down).
pub fn appointment(window: Window, window_minutes: u32, slot: u32, places: u32) -> NaiveTime {
    let offset = u64::from(window_minutes) * u64::from(slot) / u64::from(places.max(1));
    window.start + Duration::minutes(offset as i64)
}

/// The most bookings that can be put ahead of a walk-in after it joined (see the module's
/// bound): ⌈late × places / window⌉ + 1.
pub fn most_passing(late_minutes: u32, places: u32, window_minutes: u32) -> u32 {
    if places == 0 {
        return 0;
    }
    (late_minutes * places).div_ceil(window_minutes.max(1)) + 1
}

/// The characters of a booking code: no 0/O, 1/I, easy to read aloud and to type.
pub const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
pub const CODE_LEN: usize = 8;

/// A booking code from 40 random bits.
pub fn code_from(bytes: [u8; 5]) -> String {
    let mut n = bytes.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b));
    let mut code = [0u8; CODE_LEN];
    for c in code.iter_mut().rev() {
        *c = CODE_ALPHABET[(n & 31) as usize];
        n >>= 5;
    }
    code.iter().map(|&b| char::from(b)).collect()
}

/// A code as people write it: `K7M2-QX9P`.
pub fn code_display(code: &str) -> String {
    if code.len() == CODE_LEN {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code.to_owned()
    }
}

/// A booking code out of what was typed or scanned: the code itself in any case with
/// dashes or spaces, or the booking's address (`…/book/#CODE`).
pub fn parse_code(input: &str) -> Option<String> {
    let tail = input.rsplit(['#', '/', '=']).next().unwrap_or(input);
    let code: String = tail
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.len() == CODE_LEN && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

/// A person as the per-person limit knows them: a phone number or a chip ID card (CCCD)
/// number, normalised so the same person writes the same thing (`phone:0912345678`,
/// `cccd:001099012345`). Only its keyed hash is ever stored.
pub fn normalise_person(input: &str) -> Option<String> {
    let trimmed = input.trim();
    if trimmed.chars().count() > 32 {
        return None;
    }
    let international = trimmed.starts_with('+');
    let digits: String = trimmed
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '+' | '(' | ')'))
        .collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits = match digits.strip_prefix("84") {
        Some(rest) if international || rest.len() == 9 => format!("0{rest}"),
        _ => digits,
    };
    match digits.len() {
        12 if !international => Some(format!("cccd:{digits}")),
        10 if digits.starts_with('0') => Some(format!("phone:{digits}")),
        9 if !digits.starts_with('0') => Some(format!("phone:0{digits}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn a_working_day_is_cut_into_whole_windows_of_its_opening_hours() {
        let rules = BookingRules::default();
        // Monday 7 December 2026: 07:30-11:30 (8 windows), 13:30-17:00 (7).
        let windows = rules.windows(d(2026, 12, 7));
        assert_eq!(windows.len(), 15);
        assert_eq!(windows[0].start, t(7, 30));
        assert_eq!(windows[7].end, t(11, 30));
        assert_eq!(windows[8].start, t(13, 30));
        assert_eq!(windows[14].end, t(17, 0));
    }

    #[test]
    fn weekends_holidays_and_the_halls_closures_have_no_windows_and_a_reason() {
        let mut rules = BookingRules::default();
        assert_eq!(rules.closure(d(2026, 12, 5)).map(|c| c.en), Some("Weekend"));
        assert!(rules.windows(d(2026, 12, 6)).is_empty());
        assert!(rules.closure(d(2026, 9, 2)).is_some(), "Quốc khánh");
        // Tết 2027 (6 February) and the Hùng Kings' day on Sunday 26 April 2026, whose
        // day in lieu is Monday 27 April.
        assert_eq!(
            rules.closure(d(2027, 2, 8)).map(|c| c.vi),
            Some("Tết Nguyên đán")
        );
        assert!(rules.closure(d(2026, 4, 27)).is_some(), "nghỉ bù");
        assert!(rules.closure(d(2026, 4, 28)).is_none());
        rules.closed_days.insert(d(2026, 12, 8));
        assert_eq!(
            rules.closure(d(2026, 12, 8)).map(|c| c.vi),
            Some("Bộ phận một cửa nghỉ")
        );
        // A Saturday worked to make up for a bridge.
        rules.open_days.insert(d(2026, 12, 5));
        assert_eq!(rules.windows(d(2026, 12, 5)).len(), 15);
    }

    #[test]
    fn places_come_from_the_counter_minutes_less_the_walk_in_share() {
        // Demo field A: counters serving 2, 2 and 3 fields: 15 + 15 + 10 = 40 minutes of a
        // 30-minute window; half kept for walk-ins: 20 minutes; 8-minute services: 2.5.
        let a = rate(30, &[2, 2, 3], 50, 8);
        assert_eq!(a, 2.5);
        let first: Vec<u32> = (0..4).map(|i| places_in(a, i)).collect();
        assert_eq!(first, [2, 3, 2, 3], "2.5 a window: 2, then 3, ...");
        assert_eq!(most_places(a), 3);
        assert_eq!(places_in(rate(30, &[2, 2, 3], 0, 8), 0), 5);
        assert_eq!(rate(30, &[2, 2, 3], 100, 8), 0.0);
        assert_eq!(rate(30, &[], 0, 8), 0.0);
        // Demo field B: one counter shared with E, 15-minute services: half a place a
        // window, so one every other window.
        let b = rate(30, &[2], 50, 15);
        let windows: Vec<u32> = (0..4).map(|i| places_in(b, i)).collect();
        assert_eq!(windows, [0, 1, 0, 1]);
        // Over a day the places add up to the rate times the windows, whole.
        let total: u32 = (0..15).map(|i| places_in(a, i)).sum();
        assert_eq!(total, 37);
    }

    #[test]
    fn appointments_are_spread_through_the_window() {
        let w = Window {
            start: t(8, 0),
            end: t(8, 30),
        };
        let times: Vec<NaiveTime> = (0..3).map(|s| appointment(w, 30, s, 3)).collect();
        assert_eq!(times, [t(8, 0), t(8, 10), t(8, 20)]);
    }

    #[test]
    fn an_arrival_is_early_on_time_or_late_by_the_check_in_span() {
        let rules = BookingRules::default();
        let at = 1_000_000_000_000;
        let min = 60_000;
        assert_eq!(
            rules.arrival(at, at - 31 * min),
            Arrival::TooEarly {
                from: at - 30 * min
            }
        );
        assert_eq!(rules.arrival(at, at - 30 * min), Arrival::OnTime);
        assert_eq!(rules.arrival(at, at + 10 * min), Arrival::OnTime);
        assert_eq!(rules.arrival(at, at + 10 * min + 1), Arrival::Late);
    }

    #[test]
    fn codes_are_read_back_however_they_were_typed_or_scanned() {
        let code = code_from([0xde, 0xad, 0xbe, 0xef, 0x42]);
        assert_eq!(code.len(), 8);
        assert_eq!(parse_code(&code).as_deref(), Some(code.as_str()));
        let display = code_display(&code);
        assert_eq!(parse_code(&display.to_lowercase()), Some(code.clone()));
        let url = format!("http://192.168.1.10:8080/book/#{code}");
        assert_eq!(parse_code(&url), Some(code));
        assert_eq!(parse_code("K7M2-QX9"), None);
        assert_eq!(parse_code("K7M2-QX9O"), None, "O is not in the alphabet");
    }

    #[test]
    fn one_person_is_one_whatever_way_the_number_is_written() {
        let p = normalise_person;
        assert_eq!(p("0912 345 678").as_deref(), Some("phone:0912345678"));
        assert_eq!(p("+84 912 345 678"), p("0912345678"));
        assert_eq!(p("912345678"), p("0912345678"));
        assert_eq!(p("001099012345").as_deref(), Some("cccd:001099012345"));
        assert_eq!(p("12345"), None);
        assert_eq!(p("09123abc78"), None);
        assert_eq!(p(""), None);
    }

    #[test]
    fn the_bound_on_bookings_passing_a_walk_in_follows_the_late_window() {
        // 2 places in 30 minutes, 10 minutes late: appointments 15 minutes apart.
        assert_eq!(most_passing(10, 2, 30), 2);
        assert_eq!(most_passing(10, 0, 30), 0);
        assert_eq!(most_passing(30, 6, 30), 7);
    }
}
