//! Marking a citizen absent, and taking it back.
//!
//! A citizen called once may be at the photocopier or still walking from the far end of
//! the hall: an absence is accepted only after a recall, or once enough time has passed
//! since the call. And an absence is not final at once: within a window the clerk may call
//! the ticket again at their counter, or send it back to the front of its queue (it keeps
//! its original queue time). Times are milliseconds since the epoch; nothing here reads a
//! clock.

use super::Refusal;
use serde::{Deserialize, Serialize};

/// The hall's rules for absences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AbsenceRules {
    /// A called ticket may be marked absent this many seconds after its call (0: at once),
    /// or at any time after a recall.
    pub after_call_secs: u32,
    /// An absence may be undone for this many minutes (0: never).
    pub undo_minutes: u32,
}

impl Default for AbsenceRules {
    fn default() -> Self {
        AbsenceRules {
            after_call_secs: 120,
            undo_minutes: 15,
        }
    }
}

impl AbsenceRules {
    /// Whether a ticket called at `called_at` and recalled `recalls` times may be marked
    /// absent at `now`.
    pub fn may_mark_absent(&self, called_at: i64, recalls: u32, now: i64) -> Result<(), Refusal> {
        let ready_at = called_at + i64::from(self.after_call_secs) * 1000;
        if recalls > 0 || now >= ready_at {
            return Ok(());
        }
        let wait = (ready_at - now + 999) / 1000;
        Err(Refusal::other(
            "absent_too_soon",
            format!(
                "the citizen was called less than {} s ago: recall them, or mark them absent in {wait} s",
                self.after_call_secs
            ),
        ))
    }

    /// Whether an absence marked at `absent_at` may still be undone at `now`.
    pub fn may_undo(&self, absent_at: i64, now: i64) -> Result<(), Refusal> {
        let until = absent_at + i64::from(self.undo_minutes) * 60_000;
        if now <= until && self.undo_minutes > 0 {
            return Ok(());
        }
        Err(Refusal::other(
            "absent_undo_expired",
            format!(
                "an absence can be undone for {} minutes only: the citizen takes a new number",
                self.undo_minutes
            ),
        ))
    }
}

/// Where a ticket goes when its absence is undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UndoTo {
    /// Called again at once, at the clerk's counter.
    Counter,
    /// Back to the front of its queue, with its original queue time.
    Queue,
}

impl UndoTo {
    pub fn as_str(self) -> &'static str {
        match self {
            UndoTo::Counter => "counter",
            UndoTo::Queue => "queue",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALL: i64 = 1_000_000;

    #[test]
    fn absent_is_refused_before_the_minimum_time_unless_recalled() {
        let rules = AbsenceRules::default();
        let soon = rules.may_mark_absent(CALL, 0, CALL + 700);
        assert_eq!(soon.expect_err("too soon").code, "absent_too_soon");
        assert!(rules.may_mark_absent(CALL, 1, CALL + 700).is_ok());
        assert!(rules.may_mark_absent(CALL, 0, CALL + 120_000).is_ok());
        let at_once = AbsenceRules {
            after_call_secs: 0,
            ..rules
        };
        assert!(at_once.may_mark_absent(CALL, 0, CALL).is_ok());
    }

    #[test]
    fn an_absence_is_undone_only_within_its_window() {
        let rules = AbsenceRules::default();
        assert!(rules.may_undo(CALL, CALL + 15 * 60_000).is_ok());
        let late = rules.may_undo(CALL, CALL + 15 * 60_000 + 1);
        assert_eq!(late.expect_err("late").code, "absent_undo_expired");
        let never = AbsenceRules {
            undo_minutes: 0,
            ..rules
        };
        assert!(never.may_undo(CALL, CALL).is_err());
    }
}
