//! The hall as configured: its fields of procedures, its counters and its queue rules.
//! Built once from the settings (which check every value) and shared read-only.

use super::{AbsenceRules, CounterNo, Series, ServiceCode};
use chrono_tz::Tz;
use serde::Serialize;

/// A field of procedures (lĩnh vực) with its own queue and number series.
#[derive(Debug, Clone, Serialize)]
pub struct Service {
    pub code: ServiceCode,
    pub name_vi: String,
    pub name_en: String,
    #[serde(skip)]
    pub series: Series,
    /// The wait the hall promises for this field, in minutes.
    pub target_wait_minutes: u32,
    /// A typical service time, used for estimates until the day has its own figures.
    pub service_minutes: u32,
    /// The Decision 766 target for the share of dossiers without dissatisfaction, in
    /// percent: 95 nationally, 90 for land, construction and investment.
    pub satisfaction_target_percent: u32,
    /// The national codes of the procedures this field handles (`1.004227`): a result
    /// pick-up ticket for a dossier of one of them, never seen in this hall, goes here.
    #[serde(skip)]
    pub procedures: Vec<String>,
    /// Walk-in numbers the field gives a day (0: no bound); booked numbers are not
    /// counted (their places are planned), nor result pick-ups.
    pub daily_quota: u32,
    /// The picture on the kiosk's button, when the hall chose one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

/// A counter (quầy) and the fields it serves, in order of preference.
#[derive(Debug, Clone, Serialize)]
pub struct CounterDef {
    pub no: CounterNo,
    pub services: Vec<ServiceCode>,
}

/// How a counter picks among the normal tickets of the fields it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CallOrder {
    /// First come, first served across all its fields; preference only breaks ties.
    #[default]
    Oldest,
    /// Its first field until that queue is empty, then the next.
    Preference,
}

/// The fairness rule between priority and normal tickets.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Fairness {
    /// After this many priority calls in a row at one counter...
    pub priority_streak_limit: u32,
    /// ...a normal ticket that has waited longer than this goes next.
    pub normal_wait_limit_minutes: u32,
}

#[derive(Debug, Clone)]
pub struct Hall {
    pub name: String,
    pub tz: Tz,
    pub services: Vec<Service>,
    pub counters: Vec<CounterDef>,
    pub fairness: Fairness,
    pub call_order: CallOrder,
    /// Whether a transferred ticket keeps its place (its original queue time).
    pub transfer_keeps_place: bool,
    /// When a citizen may be marked absent, and for how long that can be undone.
    pub absence: AbsenceRules,
    /// 3 or 5 levels of satisfaction.
    pub rating_scale: u8,
    /// The line scrolling on the hall display.
    pub notice: String,
    /// Where the citizen's status page lives, e.g. `http://192.168.1.10:8080`.
    pub public_url: String,
    /// How the hall takes bookings (off by default), and its calendar: opening hours,
    /// working days, closed days (bookings, issuing and complaints read it alike).
    pub bookings: crate::booking::BookingRules,
    /// When numbers are given out, on that calendar.
    pub issuing: crate::hours::IssuingRules,
    /// Recalls' gap, and the calls after which the hall marks a ticket absent itself.
    pub recall: crate::hours::RecallRules,
    /// Tickets a counter may hold aside at once ("đi bổ sung hồ sơ"; 0: no holds).
    pub holds_per_counter: u32,
}

impl Hall {
    pub fn service(&self, code: &ServiceCode) -> Option<&Service> {
        self.services.iter().find(|s| &s.code == code)
    }

    /// The field whose `procedures` list the procedure `code` (at most one does).
    pub fn field_of_procedure(&self, code: &str) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.procedures.iter().any(|p| p == code))
    }

    pub fn counter(&self, no: CounterNo) -> Option<&CounterDef> {
        self.counters.iter().find(|c| c.no == no)
    }

    /// The public status page of a ticket, what its QR code opens.
    pub fn ticket_url(&self, token: &str) -> String {
        format!("{}/t/{}", self.public_url.trim_end_matches('/'), token)
    }

    /// A booking's page, what its QR code opens (the code in the fragment: it never reaches
    /// a server's log).
    pub fn booking_url(&self, code: &str) -> String {
        format!("{}/book/#{}", self.public_url.trim_end_matches('/'), code)
    }
}

/// An instant (milliseconds since the epoch) as the hall reads it: RFC 3339 with the
/// hall's offset.
pub fn local_time(hall: &Hall, ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&hall.tz)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

/// An instant (milliseconds since the epoch) as a clock on the hall's wall reads it: `HH:MM`.
pub fn local_hhmm(hall: &Hall, ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&hall.tz)
        .format("%H:%M")
        .to_string()
}
