//! A ticket's life and a counter's states, as pure transition functions.
//!
//! issued -> waiting -> called (recall keeps it called) -> serving -> served,
//! or absent, transferred (back to waiting, in another field), returned (back to
//! waiting in the same field) or cancelled. A ticket called or served may be put on hold
//! (the citizen went to complete the dossier: "đi bổ sung hồ sơ"): the counter is free, and
//! the ticket is called back from the hold, not from the queue, so it keeps its turn.
//! Storage asks [`Status::after`] before every
//! change, so an illegal move is refused the same way whoever asks for it.

use super::{CounterNo, ServiceCode};
use serde::{Deserialize, Serialize};

/// Where a ticket stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Waiting,
    Called,
    Serving,
    Served,
    Absent,
    Cancelled,
    /// Put aside at a counter (the citizen went to complete the dossier), to be called
    /// back there; not in the queue, not at the counter.
    Held,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Waiting => "waiting",
            Status::Called => "called",
            Status::Serving => "serving",
            Status::Served => "served",
            Status::Absent => "absent",
            Status::Cancelled => "cancelled",
            Status::Held => "held",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "waiting" => Status::Waiting,
            "called" => Status::Called,
            "serving" => Status::Serving,
            "served" => Status::Served,
            "absent" => Status::Absent,
            "cancelled" => Status::Cancelled,
            "held" => Status::Held,
            _ => return None,
        })
    }

    /// A ticket that a counter holds: called or being served.
    pub fn at_counter(self) -> bool {
        matches!(self, Status::Called | Status::Serving)
    }

    /// The status a ticket takes after `action`, or why it may not make that move.
    pub fn after(self, action: &Action) -> Result<Status, Refusal> {
        use Status::*;
        let refuse = |code: &'static str| Err(Refusal::new(code, self, action));
        match (action, self) {
            // Taking back an absence (within its window: [`crate::AbsenceRules::may_undo`]).
            (Action::UndoAbsent { counter: Some(_) }, Absent) => Ok(Called),
            (Action::UndoAbsent { counter: None }, Absent) => Ok(Waiting),
            (Action::UndoAbsent { .. }, _) => refuse("ticket_not_absent"),
            (_, Served | Absent | Cancelled) => refuse("ticket_closed"),
            (Action::Call { .. }, Waiting | Held) => Ok(Called),
            (Action::Call { .. }, _) => refuse("ticket_not_waiting"),
            (Action::Recall, Called) => Ok(Called),
            (Action::Recall, _) => refuse("ticket_not_called"),
            (Action::Start, Called) => Ok(Serving),
            (Action::Start, _) => refuse("ticket_not_called"),
            (Action::Finish, Serving) => Ok(Served),
            (Action::Finish, _) => refuse("ticket_not_serving"),
            (Action::NoShow, Called) => Ok(Absent),
            (Action::NoShow, _) => refuse("ticket_not_called"),
            (Action::Transfer { .. }, Waiting | Called | Serving | Held) => Ok(Waiting),
            (Action::Return, Called | Serving | Held) => Ok(Waiting),
            (Action::Return, _) => refuse("ticket_not_at_counter"),
            (Action::Cancel, Waiting | Called | Serving | Held) => Ok(Cancelled),
            (Action::Hold, Called | Serving) => Ok(Held),
            (Action::Hold, _) => refuse("ticket_not_at_counter"),
        }
    }
}

/// Who may be served ahead of the normal queue (ưu tiên), in the order they arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    #[default]
    None,
    /// Người cao tuổi.
    Elderly,
    /// Người khuyết tật.
    Disabled,
    /// Phụ nữ mang thai.
    Pregnant,
    /// Thương binh.
    WarInvalid,
    /// Người có công với cách mạng.
    Meritorious,
}

impl Priority {
    pub const ALL: [Priority; 6] = [
        Priority::None,
        Priority::Elderly,
        Priority::Disabled,
        Priority::Pregnant,
        Priority::WarInvalid,
        Priority::Meritorious,
    ];

    pub fn is_priority(self) -> bool {
        self != Priority::None
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::None => "none",
            Priority::Elderly => "elderly",
            Priority::Disabled => "disabled",
            Priority::Pregnant => "pregnant",
            Priority::WarInvalid => "war_invalid",
            Priority::Meritorious => "meritorious",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The label a citizen reads, in Vietnamese and English.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Priority::None => ("Thường", "Normal"),
            Priority::Elderly => ("Người cao tuổi", "Elderly"),
            Priority::Disabled => ("Người khuyết tật", "Person with disability"),
            Priority::Pregnant => ("Phụ nữ mang thai", "Pregnant woman"),
            Priority::WarInvalid => ("Thương binh", "War invalid"),
            Priority::Meritorious => ("Người có công", "Person with meritorious service"),
        }
    }
}

/// A move a clerk asks of a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Call this ticket to a counter (the clerk chose it, or "Next" did).
    Call {
        counter: CounterNo,
    },
    /// Call again: the ticket stays called and the recall is counted.
    Recall,
    /// The citizen arrived at the counter.
    Start,
    /// Service done.
    Finish,
    /// Called but never came.
    NoShow,
    /// Send into another field's queue.
    Transfer {
        to: ServiceCode,
    },
    /// Back to the queue (the citizen went to complete the dossier).
    Return,
    Cancel,
    /// Put aside: the citizen went to complete the dossier, and is called back later.
    Hold,
    /// Take back an absence: call the ticket again at `counter`, or (`None`) put it back
    /// at the front of its queue with its original queue time.
    UndoAbsent {
        counter: Option<CounterNo>,
    },
}

impl Action {
    /// The name used in URLs and in the event log.
    pub fn name(&self) -> &'static str {
        match self {
            Action::Call { .. } => "call",
            Action::Recall => "recall",
            Action::Start => "start",
            Action::Finish => "finish",
            Action::NoShow => "no-show",
            Action::Transfer { .. } => "transfer",
            Action::Return => "return",
            Action::Cancel => "cancel",
            Action::Hold => "hold",
            Action::UndoAbsent { .. } => "undo-absent",
        }
    }
}

/// Why a move was refused: a stable machine code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    fn new(code: &'static str, from: Status, action: &Action) -> Self {
        Refusal {
            code,
            message: format!(
                "a {} ticket cannot be asked to {}",
                from.as_str(),
                action.name()
            ),
        }
    }

    pub fn other(code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            code,
            message: message.into(),
        }
    }
}

/// A counter's state through the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum CounterState {
    Closed,
    Open,
    Paused { reason: String },
}

impl CounterState {
    pub fn name(&self) -> &'static str {
        match self {
            CounterState::Closed => "closed",
            CounterState::Open => "open",
            CounterState::Paused { .. } => "paused",
        }
    }

    /// Whether the counter may call a ticket now. `busy` says it still holds one.
    pub fn may_call(&self, busy: bool) -> Result<(), Refusal> {
        match self {
            CounterState::Closed => {
                Err(Refusal::other("counter_closed", "the counter is not open"))
            }
            CounterState::Paused { .. } => Err(Refusal::other(
                "counter_paused",
                "the counter is paused: resume it first",
            )),
            CounterState::Open if busy => Err(Refusal::other(
                "counter_busy",
                "the counter still has a called or serving ticket: finish, mark absent or return it first",
            )),
            CounterState::Open => Ok(()),
        }
    }

    pub fn pause(&self, reason: &str, busy: bool) -> Result<CounterState, Refusal> {
        match self {
            CounterState::Open if busy => Err(Refusal::other(
                "counter_busy",
                "finish the current ticket before pausing",
            )),
            CounterState::Open => Ok(CounterState::Paused {
                reason: reason.to_owned(),
            }),
            CounterState::Paused { .. } => Err(Refusal::other("counter_paused", "already paused")),
            CounterState::Closed => {
                Err(Refusal::other("counter_closed", "the counter is not open"))
            }
        }
    }

    pub fn resume(&self) -> Result<CounterState, Refusal> {
        match self {
            CounterState::Paused { .. } => Ok(CounterState::Open),
            _ => Err(Refusal::other(
                "counter_not_paused",
                "the counter is not paused",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_action() -> Vec<Action> {
        let counter = CounterNo::try_from(1).expect("valid");
        let to = ServiceCode::try_from("B".to_owned()).expect("valid");
        vec![
            Action::Call { counter },
            Action::Recall,
            Action::Start,
            Action::Finish,
            Action::NoShow,
            Action::Transfer { to },
            Action::Return,
            Action::Cancel,
            Action::UndoAbsent {
                counter: Some(counter),
            },
            Action::UndoAbsent { counter: None },
        ]
    }

    #[test]
    fn only_an_absent_ticket_can_have_its_absence_undone() {
        let counter = CounterNo::try_from(2).expect("valid");
        let again = Action::UndoAbsent {
            counter: Some(counter),
        };
        let back = Action::UndoAbsent { counter: None };
        assert_eq!(Status::Absent.after(&again), Ok(Status::Called));
        assert_eq!(Status::Absent.after(&back), Ok(Status::Waiting));
        for s in [
            Status::Waiting,
            Status::Called,
            Status::Serving,
            Status::Served,
            Status::Cancelled,
        ] {
            assert_eq!(
                s.after(&back).expect_err("not absent").code,
                "ticket_not_absent"
            );
        }
    }

    #[test]
    fn a_closed_ticket_refuses_every_move() {
        for status in [Status::Served, Status::Absent, Status::Cancelled] {
            for action in every_action() {
                // Undoing an absence has its own refusals (below).
                if matches!(action, Action::UndoAbsent { .. }) {
                    continue;
                }
                let refusal = status
                    .after(&action)
                    .expect_err("closed tickets do not move");
                assert_eq!(refusal.code, "ticket_closed");
            }
        }
    }

    #[test]
    fn the_happy_path_goes_waiting_called_serving_served() {
        let counter = CounterNo::try_from(3).expect("valid");
        let s = Status::Waiting
            .after(&Action::Call { counter })
            .expect("call");
        assert_eq!(s, Status::Called);
        assert_eq!(s.after(&Action::Recall), Ok(Status::Called));
        let s = s.after(&Action::Start).expect("start");
        assert_eq!(s, Status::Serving);
        assert_eq!(s.after(&Action::Finish), Ok(Status::Served));
    }

    #[test]
    fn only_a_called_ticket_can_be_marked_absent() {
        assert_eq!(Status::Called.after(&Action::NoShow), Ok(Status::Absent));
        for s in [Status::Waiting, Status::Serving] {
            assert_eq!(
                s.after(&Action::NoShow).expect_err("refused").code,
                "ticket_not_called"
            );
        }
    }

    #[test]
    fn a_waiting_ticket_cannot_be_started_finished_or_returned() {
        for a in [
            Action::Start,
            Action::Finish,
            Action::Return,
            Action::Recall,
        ] {
            assert!(Status::Waiting.after(&a).is_err(), "{a:?}");
        }
    }

    #[test]
    fn a_busy_counter_may_not_call_or_pause() {
        assert_eq!(
            CounterState::Open.may_call(true).expect_err("busy").code,
            "counter_busy"
        );
        assert!(CounterState::Open.may_call(false).is_ok());
        assert!(CounterState::Open.pause("lunch", true).is_err());
        let paused = CounterState::Open.pause("lunch", false).expect("pause");
        assert_eq!(
            paused.may_call(false).expect_err("paused").code,
            "counter_paused"
        );
        assert_eq!(paused.resume(), Ok(CounterState::Open));
        assert!(CounterState::Closed.resume().is_err());
    }

    #[test]
    fn priority_names_round_trip() {
        for p in Priority::ALL {
            assert_eq!(Priority::parse(p.as_str()), Some(p));
        }
        assert_eq!(Priority::parse("vip"), None);
    }
}
