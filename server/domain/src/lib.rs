//! The queue's rules in plain Rust: what a ticket is, which moves it may make, how numbers
//! are given out each local day, and whom a counter calls next.
//!
//! Nothing here touches axum, SQL or the clock: every function takes "now" as an argument,
//! so unit tests drive the rules directly and storage can apply them inside one transaction.

pub mod absence;
pub mod booking;
pub mod error;
pub mod estimate;
pub mod event;
pub mod hall;
pub mod holidays;
pub mod hours;
pub mod numbering;
pub mod pairing;
pub mod policy;
pub mod rating;
pub mod satisfaction;
pub mod stats;
pub mod ticket;
pub mod working_hours;

pub use absence::{AbsenceRules, UndoTo};
pub use error::Error;
pub use hall::{CallOrder, CounterDef, Hall, Service, local_hhmm, local_time};
pub use hours::{Issuing, IssuingRules, RecallRules, Stop};
pub use numbering::Series;
pub use ticket::{Action, CounterState, Priority, Refusal, Status};

use serde::{Deserialize, Serialize};
use std::fmt;

/// The code of a field of procedures (a service queue), e.g. `A` or `TP`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(try_from = "String", into = "String")]
pub struct ServiceCode(String);

impl ServiceCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ServiceCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let ok = (1..=4).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if ok {
            Ok(Self(s))
        } else {
            Err(format!(
                "a field code is 1 to 4 capital letters or digits, not {s:?}"
            ))
        }
    }
}

impl From<ServiceCode> for String {
    fn from(c: ServiceCode) -> String {
        c.0
    }
}

impl fmt::Display for ServiceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A counter (quầy) number as shown on the wall: 1 to 999.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(try_from = "u16", into = "u16")]
pub struct CounterNo(u16);

impl CounterNo {
    pub fn get(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for CounterNo {
    type Error = String;
    fn try_from(n: u16) -> Result<Self, String> {
        if (1..=999).contains(&n) {
            Ok(Self(n))
        } else {
            Err(format!("a counter number is 1 to 999, not {n}"))
        }
    }
}

impl From<CounterNo> for u16 {
    fn from(c: CounterNo) -> u16 {
        c.0
    }
}

impl std::str::FromStr for CounterNo {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        s.parse::<u16>()
            .map_err(|_| format!("a counter number is 1 to 999, not {s:?}"))
            .and_then(Self::try_from)
    }
}

impl fmt::Display for CounterNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Who works at the hall, and so what they may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Configures the hall: users, devices.
    Admin,
    /// Reads everything: queues, counters, figures.
    Manager,
    /// Works at a counter.
    Clerk,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Clerk => "clerk",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "admin" => Some(Role::Admin),
            "manager" => Some(Role::Manager),
            "clerk" => Some(Role::Clerk),
            _ => None,
        }
    }

    /// Managers and admins read every queue and every figure.
    pub fn reads_everything(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }
}

/// The kinds of unattended device that hold a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// Issues tickets.
    Kiosk,
    /// Shows the hall or one counter.
    Display,
    /// Prints its kiosk's tickets.
    Printer,
    /// A counter's rating tablet, bound to its counter: it rates only there.
    Tablet,
}

impl DeviceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Kiosk => "kiosk",
            DeviceKind::Display => "display",
            DeviceKind::Printer => "printer",
            DeviceKind::Tablet => "tablet",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "kiosk" => Some(DeviceKind::Kiosk),
            "display" => Some(DeviceKind::Display),
            "printer" => Some(DeviceKind::Printer),
            "tablet" => Some(DeviceKind::Tablet),
            _ => None,
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Role::parse(s).ok_or_else(|| format!("a role is admin, manager or clerk, not {s:?}"))
    }
}

impl std::str::FromStr for DeviceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        DeviceKind::parse(s)
            .ok_or_else(|| format!("a device kind is kiosk, display or printer, not {s:?}"))
    }
}
