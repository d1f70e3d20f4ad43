//! The days a hall is closed by law: Vietnam's public holidays, and the lunar calendar
//! that places three of them.
//!
//! Article 112 of the Labour Code (2019) gives eleven days off a year:
//! - 1 January, Tết Dương lịch;
//! - Tết Nguyên đán, five days around the lunar new year;
//! - the Hùng Kings' day, the 10th day of the 3rd lunar month;
//! - 30 April and 1 May;
//! - National Day, 2 September, and one day next to it.
//!
//! The law fixes how many days; the government names which ones each year. [`Rules`]
//! holds that choice, and its default is the usual one: the last day of the old lunar year
//! and the first four of the new (1 to 4 Giêng), and 1 September beside National Day.
//! It can also add 24 November, Vietnam Culture Day, a twelfth day that the Labour Code
//! is being amended to list (off by default until it does).
//! When a holiday falls on a weekly day of rest, the law gives a day off in lieu on the
//! next working day ([`day_off`] and [`days_off`], given the hall's days of rest). What a
//! year's announcement adds beyond that (working days swapped with a weekend, longer Tết
//! breaks) and a hall's own closures are not here: they are the hall's to list.
//!
//! The lunar calendar is Vietnam's, not China's: the months begin on the day of the new
//! moon in Vietnam's time zone (UTC+7), so when a new moon falls between 23:00 and
//! midnight Vietnam's time, Vietnam's month begins a day before China's, and in some years
//! Tết falls on another day (2007: 17 February, China's 18th) or even in another month
//! (1985: 21 January, China's 20 February). The computation is Hồ Ngọc Đức's published
//! algorithm: new moons by Jean Meeus' formula ("Astronomical Algorithms", 1998), the
//! sun's longitude to find the month holding the winter solstice (month 11) and the
//! major solar terms, and the usual leap month rule (in a year of 13 months, the first
//! month after month 11 without a major term is the leap one).
//!
//! Checked: every day of 2000 to 2100 goes to the lunar calendar and back, and month
//! follows month; the dates of Tết and of the Hùng Kings' day for 1901 to 2100 were
//! compared, once, with the Vietnamese table of the Python `holidays` package, and
//! agree; of the 1,250 months from 2000 to 2100 two begin a day later than a precise
//! ephemeris says (10 December 2072 and 16 November 2077: new moons a minute or two
//! before midnight, within the truncated formula's error), neither near a holiday.
//!
//! Nothing here reads a clock or the disk: dates in, dates and names out.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Serialize;
use std::f64::consts::PI;

/// A public holiday's name, as the hall's pages show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
pub struct Holiday {
    /// The name in Vietnamese.
    pub vi: &'static str,
    /// The name in English.
    pub en: &'static str,
}

impl Holiday {
    /// 1 January.
    pub const NEW_YEAR: Holiday = Holiday {
        vi: "Tết Dương lịch",
        en: "New Year's Day",
    };
    /// The lunar new year, five days.
    pub const LUNAR_NEW_YEAR: Holiday = Holiday {
        vi: "Tết Nguyên đán",
        en: "Lunar New Year",
    };
    /// The 10th day of the 3rd lunar month.
    pub const HUNG_KINGS: Holiday = Holiday {
        vi: "Giỗ Tổ Hùng Vương",
        en: "Hùng Kings' Commemoration Day",
    };
    /// 30 April.
    pub const REUNIFICATION: Holiday = Holiday {
        vi: "Ngày Giải phóng miền Nam, thống nhất đất nước",
        en: "Reunification Day",
    };
    /// 1 May.
    pub const LABOUR_DAY: Holiday = Holiday {
        vi: "Ngày Quốc tế Lao động",
        en: "International Labour Day",
    };
    /// 2 September and the day named beside it.
    pub const NATIONAL_DAY: Holiday = Holiday {
        vi: "Quốc khánh",
        en: "National Day",
    };
    /// 24 November, when [`Rules::culture_day`] says so.
    pub const CULTURE_DAY: Holiday = Holiday {
        vi: "Ngày Văn hóa Việt Nam",
        en: "Vietnam Culture Day",
    };

    /// The name of a working day given off in lieu of this holiday (*nghỉ bù*).
    pub fn in_lieu(self) -> Holiday {
        let names = [
            (
                Self::NEW_YEAR,
                "Nghỉ bù Tết Dương lịch",
                "Day off in lieu of New Year's Day",
            ),
            (
                Self::LUNAR_NEW_YEAR,
                "Nghỉ bù Tết Nguyên đán",
                "Day off in lieu of Lunar New Year",
            ),
            (
                Self::HUNG_KINGS,
                "Nghỉ bù Giỗ Tổ Hùng Vương",
                "Day off in lieu of Hùng Kings' Commemoration Day",
            ),
            (
                Self::REUNIFICATION,
                "Nghỉ bù Ngày Giải phóng miền Nam, thống nhất đất nước",
                "Day off in lieu of Reunification Day",
            ),
            (
                Self::LABOUR_DAY,
                "Nghỉ bù Ngày Quốc tế Lao động",
                "Day off in lieu of International Labour Day",
            ),
            (
                Self::NATIONAL_DAY,
                "Nghỉ bù Quốc khánh",
                "Day off in lieu of National Day",
            ),
            (
                Self::CULTURE_DAY,
                "Nghỉ bù Ngày Văn hóa Việt Nam",
                "Day off in lieu of Vietnam Culture Day",
            ),
        ];
        names
            .into_iter()
            .find(|(holiday, _, _)| *holiday == self)
            .map_or(self, |(_, vi, en)| Holiday { vi, en })
    }
}

/// Which of the law's days the government names in a given year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// How many of Tết's five days come before 1 Giêng (the first day of the lunar year);
    /// the rest are 1 Giêng and the days after it. Usually 1: the last day of the old year
    /// (the 30th, or the 29th when the 12th month is short) and 1 to 4 Giêng. At most 5.
    pub tet_days_before: u8,
    /// The day off beside National Day (2 September).
    pub national_day_pair: NationalDayPair,
    /// Whether 24 November, Vietnam Culture Day, is a day off (from 2026 on). The
    /// Politburo chose it as a paid holiday in 2026 (Resolution 80-NQ/TW) and the
    /// government asked for article 112 to list it; until the amended Labour Code is in
    /// force it is not a holiday, so it is off by default.
    pub culture_day: bool,
}

/// The second day of the National Day holiday: the government names it each year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NationalDayPair {
    /// 1 September.
    DayBefore,
    /// 3 September.
    DayAfter,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            tet_days_before: 1,
            national_day_pair: NationalDayPair::DayBefore,
            culture_day: false,
        }
    }
}

/// A day of the lunar calendar as used in Vietnam.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct LunarDate {
    /// 1 to 30.
    pub day: u32,
    /// 1 (tháng Giêng) to 12 (tháng Chạp).
    pub month: u32,
    /// The solar year in which this lunar year's 1 Giêng falls.
    pub year: i32,
    /// Whether this is the leap (repeated) month of that number.
    pub leap: bool,
}

/// The public holiday on this date under the usual rules ([`Rules::default`]), if any.
pub fn public_holiday(date: NaiveDate) -> Option<Holiday> {
    public_holiday_under(date, &Rules::default())
}

/// The public holiday on this date under these rules, if any.
pub fn public_holiday_under(date: NaiveDate, rules: &Rules) -> Option<Holiday> {
    public_holidays(date.year(), rules)
        .into_iter()
        .find(|(day, _)| *day == date)
        .map(|(_, holiday)| holiday)
}

/// Every public holiday of a solar year under these rules, in date order: eleven days,
/// unless two fall on one day (the Hùng Kings' day met 30 April in 1947, after a leap
/// month, and does not again before 2100: that day is listed once, as the Hùng Kings').
pub fn public_holidays(year: i32, rules: &Rules) -> Vec<(NaiveDate, Holiday)> {
    let mut days = Vec::with_capacity(11);
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day);
    if let Some(day) = fixed(1, 1) {
        days.push((day, Holiday::NEW_YEAR));
    }
    if let Some(tet) = lunar_new_year(year) {
        let before = u64::from(rules.tet_days_before.min(5));
        if let Some(first) = tet.checked_sub_days(Days::new(before)) {
            days.extend(
                first
                    .iter_days()
                    .take(5)
                    .map(|day| (day, Holiday::LUNAR_NEW_YEAR)),
            );
        }
    }
    if let Some(day) = solar_of_lunar(10, 3, year, false) {
        days.push((day, Holiday::HUNG_KINGS));
    }
    if let Some(day) = fixed(4, 30) {
        days.push((day, Holiday::REUNIFICATION));
    }
    if let Some(day) = fixed(5, 1) {
        days.push((day, Holiday::LABOUR_DAY));
    }
    let pair = match rules.national_day_pair {
        NationalDayPair::DayBefore => 1,
        NationalDayPair::DayAfter => 3,
    };
    for day in [2, pair] {
        if let Some(day) = fixed(9, day) {
            days.push((day, Holiday::NATIONAL_DAY));
        }
    }
    if rules.culture_day
        && year >= 2026
        && let Some(day) = fixed(11, 24)
    {
        days.push((day, Holiday::CULTURE_DAY));
    }
    // The sort is stable and dedup keeps the first: of two holidays on one day, the one
    // pushed first above stays.
    days.sort_by_key(|(day, _)| *day);
    days.dedup_by_key(|(day, _)| *day);
    days
}

/// The day off by law on this date for staff who rest each week on `rest_days` (e.g.
/// Saturday and Sunday): a public holiday, or a day off in lieu of one, if any.
pub fn day_off(date: NaiveDate, rules: &Rules, rest_days: &[Weekday]) -> Option<Holiday> {
    days_off(date.year(), rules, rest_days)
        .into_iter()
        .find(|(day, _)| *day == date)
        .map(|(_, holiday)| holiday)
}

/// Every day off by law in a solar year for staff who rest each week on `rest_days`, in
/// date order: the public holidays, and for each one that falls on a day of rest, a day
/// off in lieu on the next working day that is not a holiday (art. 112(3)), in turn when
/// several are owed (Tết across a weekend owes two). No holiday is late enough in the
/// year for its day in lieu to fall in the next.
pub fn days_off(year: i32, rules: &Rules, rest_days: &[Weekday]) -> Vec<(NaiveDate, Holiday)> {
    let holidays = public_holidays(year, rules);
    let (Some(first), Some(end)) = (
        holidays.first().map(|(day, _)| *day),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return holidays;
    };
    let mut days = holidays.clone();
    let mut owed = std::collections::VecDeque::new();
    for day in first.iter_days().take_while(|day| *day <= end) {
        let resting = rest_days.contains(&day.weekday());
        match holidays.iter().find(|(d, _)| *d == day) {
            Some((_, holiday)) if resting => owed.push_back(holiday.in_lieu()),
            Some(_) => {}
            None if resting => {}
            None => match owed.pop_front() {
                Some(in_lieu) => days.push((day, in_lieu)),
                // Nothing owed and no holiday left ahead: the year is done.
                None if holidays.iter().all(|(d, _)| *d < day) => break,
                None => {}
            },
        }
    }
    days.sort_by_key(|(day, _)| *day);
    days
}

/// 1 Giêng, the first day of the lunar year that begins in this solar year.
pub fn lunar_new_year(year: i32) -> Option<NaiveDate> {
    solar_of_lunar(1, 1, year, false)
}

/// The solar date of a lunar date in Vietnam (UTC+7): `None` when there is no such day
/// (a month out of 1 to 12, a 30th in a month of 29 days, a leap month the year does
/// not have).
pub fn solar_of_lunar(day: u32, month: u32, year: i32, leap: bool) -> Option<NaiveDate> {
    if !(1..=12).contains(&month) || !(1..=30).contains(&day) {
        return None;
    }
    let year = i64::from(year);
    // Months are counted from the 11th month (the one holding the winter solstice) of the
    // year before, since that is where the leap month rule starts counting.
    let (a11, b11) = if month < 11 {
        (month_11_start(year - 1), month_11_start(year))
    } else {
        (month_11_start(year), month_11_start(year + 1))
    };
    let mut offset = (i64::from(month) + 12 - 11) % 12;
    if has_leap_month(a11, b11) {
        let leap_offset = leap_month_offset(a11);
        let leap_month = (leap_offset - 2).rem_euclid(12);
        if leap && i64::from(month) != leap_month {
            return None;
        }
        if leap || offset >= leap_offset {
            offset += 1;
        }
    } else if leap {
        return None;
    }
    let k = ((a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5).floor() as i64;
    let start = new_moon_day(k + offset);
    let next = new_moon_day(k + offset + 1);
    if i64::from(day) > next - start {
        return None;
    }
    date_of_day_number(start + i64::from(day) - 1)
}

/// The lunar date of a solar date in Vietnam (UTC+7).
pub fn lunar_of_solar(date: NaiveDate) -> LunarDate {
    let day_number = day_number_of_date(date);
    let solar_year = i64::from(date.year());
    let k = ((day_number as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH).floor() as i64;
    // The month holding this day began on the last new moon on or before it. The mean
    // month finds that moon's number within one either way: the true moon runs up to
    // half a day from the mean one.
    let month_start = [k + 1, k, k - 1]
        .into_iter()
        .map(new_moon_day)
        .find(|start| *start <= day_number)
        .unwrap_or_else(|| new_moon_day(k - 2));
    // a11 and b11: the starts of the 11th months around this date's month.
    let this_11 = month_11_start(solar_year);
    let (a11, b11, mut lunar_year) = if this_11 >= month_start {
        (month_11_start(solar_year - 1), this_11, solar_year)
    } else {
        (this_11, month_11_start(solar_year + 1), solar_year + 1)
    };
    let months_since_11 = (month_start - a11) / 29;
    let mut month = months_since_11 + 11;
    let mut leap = false;
    if has_leap_month(a11, b11) {
        let leap_offset = leap_month_offset(a11);
        if months_since_11 >= leap_offset {
            month = months_since_11 + 10;
            leap = months_since_11 == leap_offset;
        }
    }
    if month > 12 {
        month -= 12;
    }
    // The 11th and 12th months belong to the lunar year that began in the solar year
    // before the one their new year will begin in.
    if month >= 11 && months_since_11 < 4 {
        lunar_year -= 1;
    }
    LunarDate {
        day: u32::try_from(day_number - month_start + 1).unwrap_or(0),
        month: u32::try_from(month).unwrap_or(0),
        year: i32::try_from(lunar_year).unwrap_or(i32::MAX),
        leap,
    }
}

/// Vietnam's time zone, UTC+7, as a fraction of a day: a lunar month begins on the local
/// day of the new moon.
const TIME_ZONE_DAYS: f64 = 7.0 / 24.0;

/// The mean length of a lunar month, in days.
const SYNODIC_MONTH: f64 = 29.530_588_853;

/// The Julian day of the new moon of 1 January 1900 (k = 0 in Meeus' numbering, which
/// counts new moons from it).
const NEW_MOON_EPOCH: f64 = 2_415_021.076_998_695;

/// The Julian day number of 1 January of year 1 (proleptic Gregorian) is this plus 1:
/// chrono counts days from there.
const CE_TO_JULIAN_DAY: i64 = 1_721_425;

fn day_number_of_date(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + CE_TO_JULIAN_DAY
}

fn date_of_day_number(day_number: i64) -> Option<NaiveDate> {
    i32::try_from(day_number - CE_TO_JULIAN_DAY)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// The Julian day number of 31 December of a (proleptic Gregorian) year, by integer
/// arithmetic, so that any year gives one.
fn day_number_of_31_december(year: i64) -> i64 {
    // The usual formula with March as the first month: December is month 9 of year + 4800.
    let y = year + 4800;
    let m = 9;
    31 + (153 * m + 2) / 5 + 365 * y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400)
        - 32045
}

/// The moment of the k-th new moon after 1 January 1900, as a Julian day (UT), by Meeus'
/// formula (chapter 49, the terms that matter to a day).
fn new_moon(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let rad = PI / 180.0;
    let sin = |degrees: f64| (degrees * rad).sin();
    let mean = 2_415_020.759_33 + 29.530_588_68 * k + 0.000_117_8 * t2 - 0.000_000_155 * t3
        + 0.000_33 * sin(166.56 + 132.87 * t - 0.009_173 * t2);
    // The sun's and the moon's mean anomalies, and the moon's argument of latitude.
    let m = 359.2242 + 29.105_356_08 * k - 0.000_033_3 * t2 - 0.000_003_47 * t3;
    let m_moon = 306.0253 + 385.816_918_06 * k + 0.010_730_6 * t2 + 0.000_012_36 * t3;
    let f = 21.2964 + 390.670_506_46 * k - 0.001_652_8 * t2 - 0.000_002_39 * t3;
    let correction = (0.1734 - 0.000_393 * t) * sin(m) + 0.0021 * sin(2.0 * m)
        - 0.4068 * sin(m_moon)
        + 0.0161 * sin(2.0 * m_moon)
        - 0.0004 * sin(3.0 * m_moon)
        + 0.0104 * sin(2.0 * f)
        - 0.0051 * sin(m + m_moon)
        - 0.0074 * sin(m - m_moon)
        + 0.0004 * sin(2.0 * f + m)
        - 0.0004 * sin(2.0 * f - m)
        - 0.0006 * sin(2.0 * f + m_moon)
        + 0.0010 * sin(2.0 * f - m_moon)
        + 0.0005 * sin(2.0 * m_moon + m);
    // Terrestrial time to universal time (ΔT), in days.
    let delta_t = if t < -11.0 {
        0.001 + 0.000_839 * t + 0.000_226_1 * t2 - 0.000_008_45 * t3 - 0.000_000_081 * t * t3
    } else {
        -0.000_278 + 0.000_265 * t + 0.000_262 * t2
    };
    mean + correction - delta_t
}

/// The sun's apparent longitude at a Julian day, in radians, 0 to 2π.
fn sun_longitude(julian_day: f64) -> f64 {
    let t = (julian_day - 2_451_545.0) / 36525.0;
    let t2 = t * t;
    let rad = PI / 180.0;
    let m = 357.529_10 + 35_999.050_30 * t - 0.000_155_9 * t2 - 0.000_000_48 * t * t2;
    let l0 = 280.466_45 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let centre = (1.914_600 - 0.004_817 * t - 0.000_014 * t2) * (rad * m).sin()
        + (0.019_993 - 0.000_101 * t) * (rad * 2.0 * m).sin()
        + 0.000_290 * (rad * 3.0 * m).sin();
    ((l0 + centre) * rad).rem_euclid(2.0 * PI)
}

/// The local day (a Julian day number) on which the k-th new moon falls in Vietnam.
fn new_moon_day(k: i64) -> i64 {
    (new_moon(k) + 0.5 + TIME_ZONE_DAYS).floor() as i64
}

/// Which twelfth of the ecliptic (0 to 11, from the spring equinox) the sun is in at the
/// start of a local day: a month in which it changes holds a major solar term.
fn sun_sector(day_number: i64) -> i64 {
    (sun_longitude(day_number as f64 - 0.5 - TIME_ZONE_DAYS) / PI * 6.0).floor() as i64
}

/// The first day of the 11th lunar month (the one holding the winter solstice) that
/// begins in or before December of this solar year.
fn month_11_start(year: i64) -> i64 {
    let off = day_number_of_31_december(year) - 2_415_021;
    let k = (off as f64 / SYNODIC_MONTH).floor() as i64;
    let new_moon = new_moon_day(k);
    // Past 270° (sector 9) the sun has reached the solstice before this new moon: the
    // solstice's month began with the one before.
    if sun_sector(new_moon) >= 9 {
        new_moon_day(k - 1)
    } else {
        new_moon
    }
}

/// Whether the lunar year from the 11th month starting on `a11` to the one starting on
/// `b11` has thirteen months.
fn has_leap_month(a11: i64, b11: i64) -> bool {
    b11 - a11 > 365
}

/// In a thirteen-month year from the 11th month starting on `a11`, how many months after
/// it the leap month comes: the first month in which the sun stays in one sector (no
/// major solar term begins).
fn leap_month_offset(a11: i64) -> i64 {
    let k = ((a11 as f64 - NEW_MOON_EPOCH) / SYNODIC_MONTH + 0.5).floor() as i64;
    let mut i = 1;
    let mut sector = sun_sector(new_moon_day(k + i));
    loop {
        let last = sector;
        i += 1;
        sector = sun_sector(new_moon_day(k + i));
        if sector == last || i >= 14 {
            return i - 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn lunar(day: u32, month: u32, year: i32, leap: bool) -> LunarDate {
        LunarDate {
            day,
            month,
            year,
            leap,
        }
    }

    #[test]
    fn tet_falls_on_the_days_published_for_2024_to_2027() {
        for (year, tet) in [
            (2024, date(2024, 2, 10)),
            (2025, date(2025, 1, 29)),
            (2026, date(2026, 2, 17)),
            (2027, date(2027, 2, 6)),
        ] {
            assert_eq!(lunar_new_year(year), Some(tet), "Tết {year}");
            assert_eq!(lunar_of_solar(tet), lunar(1, 1, year, false));
            assert_eq!(public_holiday(tet), Some(Holiday::LUNAR_NEW_YEAR));
        }
    }

    #[test]
    fn tet_follows_vietnams_new_moon_where_china_has_another_day() {
        // 1985: the new moon of 21 January fell at 23:xx in Vietnam, 00:xx in China, and
        // the winter solstice's month differed with it: Vietnam's Tết came a month early.
        assert_eq!(lunar_new_year(1985), Some(date(1985, 1, 21)));
        assert_ne!(lunar_new_year(1985), Some(date(1985, 2, 20)));
        // 2007: the new moon fell on 17 February at 23:14 Vietnam's time.
        assert_eq!(lunar_new_year(2007), Some(date(2007, 2, 17)));
        assert_eq!(lunar_of_solar(date(2007, 2, 18)), lunar(2, 1, 2007, false));
        // 2030: the new moon falls on 2 February at 23:07 Vietnam's time. China's Tết is
        // 3 February; Vietnam's is the 2nd.
        assert_eq!(lunar_new_year(2030), Some(date(2030, 2, 2)));
        assert_eq!(lunar_of_solar(date(2030, 2, 3)), lunar(2, 1, 2030, false));
        assert_eq!(
            public_holiday(date(2030, 2, 1)),
            Some(Holiday::LUNAR_NEW_YEAR)
        );
        assert_eq!(public_holiday(date(2030, 2, 6)), None);
    }

    #[test]
    fn a_new_moon_just_after_midnight_begins_its_month_on_that_day() {
        // 8 May 2054, 00:00 Vietnam's time: the mean month puts that moon a day early, and
        // a day before it must still be the last of the month before, not a "0th".
        assert_eq!(lunar_of_solar(date(2054, 5, 8)).day, 1);
        let eve = lunar_of_solar(date(2054, 5, 7));
        assert!(eve.day == 29 || eve.day == 30, "{eve:?}");
        assert_eq!(lunar_of_solar(date(2054, 5, 8)).month, eve.month % 12 + 1);
    }

    #[test]
    fn the_hung_kings_day_is_the_tenth_of_the_third_lunar_month() {
        assert_eq!(solar_of_lunar(10, 3, 2025, false), Some(date(2025, 4, 7)));
        assert_eq!(public_holiday(date(2025, 4, 7)), Some(Holiday::HUNG_KINGS));
        assert_eq!(public_holiday(date(2026, 4, 26)), Some(Holiday::HUNG_KINGS));
        // 2023 had a leap second month: the Hùng Kings' day came late, on 29 April.
        assert_eq!(public_holiday(date(2023, 4, 29)), Some(Holiday::HUNG_KINGS));
    }

    #[test]
    fn a_plain_working_day_is_not_a_holiday() {
        assert_eq!(public_holiday(date(2026, 12, 7)), None);
        assert_eq!(public_holiday(date(2025, 3, 12)), None);
        // The day after Tết's five days is a working day again.
        assert_eq!(public_holiday(date(2026, 2, 21)), None);
        assert_eq!(public_holiday(date(2026, 2, 15)), None);
    }

    #[test]
    fn the_fixed_holidays_have_their_names() {
        assert_eq!(public_holiday(date(2026, 1, 1)), Some(Holiday::NEW_YEAR));
        assert_eq!(
            public_holiday(date(2026, 4, 30)),
            Some(Holiday::REUNIFICATION)
        );
        assert_eq!(public_holiday(date(2026, 5, 1)), Some(Holiday::LABOUR_DAY));
        assert_eq!(
            public_holiday(date(2026, 9, 2)),
            Some(Holiday::NATIONAL_DAY)
        );
        assert_eq!(
            public_holiday(date(2026, 9, 1)),
            Some(Holiday::NATIONAL_DAY)
        );
        assert_eq!(public_holiday(date(2026, 9, 3)), None);
    }

    #[test]
    fn the_day_beside_national_day_can_be_the_third_when_the_government_names_it() {
        let rules = Rules {
            national_day_pair: NationalDayPair::DayAfter,
            ..Rules::default()
        };
        assert_eq!(
            public_holiday_under(date(2024, 9, 3), &rules),
            Some(Holiday::NATIONAL_DAY)
        );
        assert_eq!(public_holiday_under(date(2024, 9, 1), &rules), None);
    }

    #[test]
    fn tet_spans_the_last_day_of_the_old_year_and_four_days_of_the_new() {
        // 2026: 1 Giêng is 17 February; the 12th month has 29 days there, so the old
        // year's last day is the 29th of the 12th month, 16 February.
        let eve = date(2026, 2, 16);
        assert_eq!(lunar_of_solar(eve), lunar(29, 12, 2025, false));
        assert_eq!(solar_of_lunar(30, 12, 2025, false), None);
        let tet: Vec<_> = public_holidays(2026, &Rules::default())
            .into_iter()
            .filter(|(_, h)| *h == Holiday::LUNAR_NEW_YEAR)
            .map(|(d, _)| d)
            .collect();
        assert_eq!(
            tet,
            [16, 17, 18, 19, 20].map(|d| date(2026, 2, d)).to_vec(),
            "Tết 2026"
        );
        // 2024: the 12th month had 30 days: the 30th, 9 February, is Tết's first day.
        assert_eq!(lunar_of_solar(date(2024, 2, 9)), lunar(30, 12, 2023, false));
        assert_eq!(
            public_holiday(date(2024, 2, 9)),
            Some(Holiday::LUNAR_NEW_YEAR)
        );
        assert_eq!(public_holiday(date(2024, 2, 8)), None);
        assert_eq!(
            public_holiday(date(2024, 2, 13)),
            Some(Holiday::LUNAR_NEW_YEAR)
        );
        assert_eq!(public_holiday(date(2024, 2, 14)), None);
    }

    #[test]
    fn every_year_from_2000_to_2100_has_the_laws_eleven_days_off() {
        for year in 2000..=2100 {
            let days = public_holidays(year, &Rules::default());
            assert_eq!(days.len(), 11, "{year}: {days:?}");
            assert!(days.iter().all(|(d, _)| d.year() == year));
            let tet = days
                .iter()
                .filter(|(_, h)| *h == Holiday::LUNAR_NEW_YEAR)
                .count();
            assert_eq!(tet, 5, "{year}");
        }
    }

    #[test]
    fn every_day_from_2000_to_2100_goes_to_the_lunar_calendar_and_back() {
        let mut day = date(2000, 1, 1);
        let mut previous = lunar_of_solar(date(1999, 12, 31));
        let mut leap_months = 0;
        while day <= date(2100, 12, 31) {
            let l = lunar_of_solar(day);
            assert!(
                (1..=30).contains(&l.day) && (1..=12).contains(&l.month),
                "{day}: {l:?}"
            );
            assert_eq!(
                solar_of_lunar(l.day, l.month, l.year, l.leap),
                Some(day),
                "{day}: {l:?}"
            );
            // Each day follows the one before: the next day of the month, or the 1st of
            // the next month (the leap month repeating the number before it), a month that
            // had 29 or 30 days.
            if l.day == 1 {
                assert!(
                    previous.day == 29 || previous.day == 30,
                    "{day}: {previous:?}"
                );
                if l.leap {
                    leap_months += 1;
                    assert_eq!((l.month, l.year), (previous.month, previous.year), "{day}");
                } else if l.month == 1 {
                    assert_eq!((previous.month, l.year), (12, previous.year + 1), "{day}");
                } else {
                    assert_eq!(
                        (l.month, l.year),
                        (previous.month + 1, previous.year),
                        "{day}"
                    );
                }
            } else {
                assert_eq!(
                    l,
                    LunarDate {
                        day: previous.day + 1,
                        ..previous
                    },
                    "{day}"
                );
            }
            previous = l;
            day = day.succ_opt().unwrap();
        }
        // Seven leap months in nineteen years (the Metonic cycle): about 37 in 101 years.
        assert!(
            (36..=38).contains(&leap_months),
            "{leap_months} leap months"
        );
    }

    #[test]
    fn a_leap_month_exists_only_in_its_year() {
        // 2023's leap month was the second: 22 March 2023 was 1 of the leap 2nd month.
        assert_eq!(lunar_of_solar(date(2023, 3, 22)), lunar(1, 2, 2023, true));
        assert_eq!(solar_of_lunar(1, 2, 2023, true), Some(date(2023, 3, 22)));
        assert_eq!(solar_of_lunar(1, 3, 2023, true), None);
        assert_eq!(solar_of_lunar(1, 2, 2024, true), None);
        assert_eq!(solar_of_lunar(1, 13, 2024, false), None);
        assert_eq!(solar_of_lunar(0, 1, 2024, false), None);
        assert_eq!(solar_of_lunar(31, 1, 2024, false), None);
    }

    #[test]
    fn the_names_are_in_both_languages_and_composed_as_nfc() {
        let all = [
            Holiday::NEW_YEAR,
            Holiday::LUNAR_NEW_YEAR,
            Holiday::HUNG_KINGS,
            Holiday::REUNIFICATION,
            Holiday::LABOUR_DAY,
            Holiday::NATIONAL_DAY,
            Holiday::CULTURE_DAY,
        ];
        // Every holiday has its own name for a day off in lieu.
        assert!(
            all.iter()
                .all(|h| h.in_lieu() != *h && h.in_lieu().vi.starts_with("Nghỉ bù "))
        );
        for h in all.into_iter().flat_map(|h| [h, h.in_lieu()]) {
            assert!(!h.vi.is_empty() && !h.en.is_empty());
            assert_ne!(h.vi, h.en);
            // Vietnamese in NFC has every tone and vowel mark composed into its letter:
            // no combining marks (U+0300 to U+036F).
            for name in [h.vi, h.en] {
                assert!(
                    !name.chars().any(|c| ('\u{300}'..='\u{36f}').contains(&c)),
                    "{name:?} is not composed"
                );
            }
        }
        assert_eq!(Holiday::HUNG_KINGS.vi.chars().count(), 17);
        let json = serde_json::to_string(&Holiday::LUNAR_NEW_YEAR).unwrap();
        assert_eq!(json, r#"{"vi":"Tết Nguyên đán","en":"Lunar New Year"}"#);
    }

    const WEEKEND: [Weekday; 2] = [Weekday::Sat, Weekday::Sun];

    fn named(days: &[(NaiveDate, Holiday)], holiday: Holiday) -> Vec<NaiveDate> {
        days.iter()
            .filter(|(_, h)| *h == holiday)
            .map(|(d, _)| *d)
            .collect()
    }

    #[test]
    fn a_holiday_on_a_day_of_rest_gives_the_next_working_day_off() {
        // 26 April 2026, the Hùng Kings' day, is a Sunday.
        let monday = date(2026, 4, 27);
        assert_eq!(public_holiday(monday), None);
        assert_eq!(
            day_off(monday, &Rules::default(), &WEEKEND),
            Some(Holiday::HUNG_KINGS.in_lieu())
        );
        assert_eq!(
            Holiday::HUNG_KINGS.in_lieu().vi,
            "Nghỉ bù Giỗ Tổ Hùng Vương"
        );
        assert_eq!(
            day_off(date(2026, 4, 28), &Rules::default(), &WEEKEND),
            None
        );
    }

    #[test]
    fn days_owed_in_a_row_are_given_in_turn_after_the_holidays() {
        // 2023, as the government announced it: Saturday 29 April (Hùng Kings), Sunday
        // 30 April, Monday 1 May, then Tuesday and Wednesday in lieu.
        let days = days_off(2023, &Rules::default(), &WEEKEND);
        let spring: Vec<_> = days
            .iter()
            .filter(|(d, _)| (date(2023, 4, 28)..=date(2023, 5, 5)).contains(d))
            .copied()
            .collect();
        assert_eq!(
            spring,
            [
                (date(2023, 4, 29), Holiday::HUNG_KINGS),
                (date(2023, 4, 30), Holiday::REUNIFICATION),
                (date(2023, 5, 1), Holiday::LABOUR_DAY),
                (date(2023, 5, 2), Holiday::HUNG_KINGS.in_lieu()),
                (date(2023, 5, 3), Holiday::REUNIFICATION.in_lieu()),
            ]
        );
        // And 1 to 4 September: Saturday the 2nd is given back on Monday the 4th.
        assert_eq!(
            named(&days, Holiday::NATIONAL_DAY.in_lieu()),
            [date(2023, 9, 4)]
        );
    }

    #[test]
    fn tet_across_a_weekend_owes_two_days_matching_2024s_announced_break() {
        // 2024's announcement: two days before 1 Giêng (8 and 9 February), 1 to 3 Giêng,
        // and the Saturday and Sunday given back on 13 and 14 February.
        let rules = Rules {
            tet_days_before: 2,
            ..Rules::default()
        };
        let days = days_off(2024, &rules, &WEEKEND);
        assert_eq!(
            named(&days, Holiday::LUNAR_NEW_YEAR),
            (8..=12).map(|d| date(2024, 2, d)).collect::<Vec<_>>()
        );
        assert_eq!(
            named(&days, Holiday::LUNAR_NEW_YEAR.in_lieu()),
            [date(2024, 2, 13), date(2024, 2, 14)]
        );
        assert_eq!(day_off(date(2024, 2, 15), &rules, &WEEKEND), None);
    }

    #[test]
    fn staff_who_work_saturdays_are_owed_nothing_for_a_saturday_holiday() {
        let sundays = [Weekday::Sun];
        let days = days_off(2023, &Rules::default(), &sundays);
        // Only Sunday 30 April is owed, on Tuesday 2 May (Monday is Labour Day).
        assert_eq!(
            named(&days, Holiday::REUNIFICATION.in_lieu()),
            [date(2023, 5, 2)]
        );
        assert!(named(&days, Holiday::HUNG_KINGS.in_lieu()).is_empty());
        // With no weekly rest at all, the days off are the holidays alone.
        assert_eq!(
            days_off(2023, &Rules::default(), &[]),
            public_holidays(2023, &Rules::default())
        );
    }

    #[test]
    fn vietnam_culture_day_is_a_holiday_only_where_the_rules_say_so() {
        let day = date(2026, 11, 24);
        assert_eq!(public_holiday(day), None);
        let rules = Rules {
            culture_day: true,
            ..Rules::default()
        };
        assert_eq!(
            public_holiday_under(day, &rules),
            Some(Holiday::CULTURE_DAY)
        );
        assert_eq!(public_holidays(2026, &rules).len(), 12);
        assert_eq!(public_holiday_under(date(2025, 11, 24), &rules), None);
        // 24 November 2029 is a Saturday: Monday the 26th is given in lieu.
        assert_eq!(
            day_off(date(2029, 11, 26), &rules, &WEEKEND),
            Some(Holiday::CULTURE_DAY.in_lieu())
        );
    }

    #[test]
    fn the_hung_kings_day_met_30_april_once_and_is_listed_once() {
        let days = public_holidays(1947, &Rules::default());
        assert_eq!(days.len(), 10);
        assert_eq!(public_holiday(date(1947, 4, 30)), Some(Holiday::HUNG_KINGS));
    }
}
