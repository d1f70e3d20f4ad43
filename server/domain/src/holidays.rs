//! Vietnam's public holidays (placeholder: the solar ones; the lunar ones follow).

use chrono::{Datelike, NaiveDate};

/// A public holiday's name in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holiday {
    pub vi: &'static str,
    pub en: &'static str,
}

/// The public holiday on this date, if any.
pub fn public_holiday(date: NaiveDate) -> Option<Holiday> {
    let h = |vi, en| Some(Holiday { vi, en });
    match (date.month(), date.day()) {
        (1, 1) => h("Tết Dương lịch", "New Year's Day"),
        (4, 30) => h(
            "Ngày Giải phóng miền Nam, thống nhất đất nước",
            "Reunification Day",
        ),
        (5, 1) => h("Ngày Quốc tế Lao động", "International Labour Day"),
        (9, 1) | (9, 2) => h("Quốc khánh", "National Day"),
        _ => None,
    }
}
