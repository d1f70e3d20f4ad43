//! What happened in the hall, as typed values: the event log's entries.
//!
//! Every change of a ticket or a counter appends one [`Event`] to the log in the same
//! transaction. The log is the single source the statistics fold, the estimates'
//! invalidation, the live frames, the uplink to the city and the city's collector all read;
//! each of them matches on [`Event`] exhaustively, so a new kind of event is a compile
//! error wherever it must be handled, not a string silently missed.
//!
//! Stored as two columns, `kind` (e.g. `"called"`) and `data` (the variant's fields as a
//! JSON object), the format every release has written: [`Event::to_parts`] and
//! [`Event::from_parts`] are the only places that know it.

use super::{CounterNo, Priority, ServiceCode, Status, UndoTo};
use serde::{Deserialize, Serialize};

/// Where a ticket was taken.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum IssuedBy {
    Kiosk,
    Counter,
}

impl IssuedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            IssuedBy::Kiosk => "kiosk",
            IssuedBy::Counter => "counter",
        }
    }
}

/// Why something ended without anyone ending it.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// A new local day began: what the previous day left open was closed.
    DayEnded,
}

/// Where a rating was given: its source, in the log, the tickets and the figures. Which
/// one counts when both rated is [`crate::rating`]'s rule.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum RatingChannel {
    /// The citizen's phone, through the ticket's QR code.
    Phone,
    /// The tablet at the counter (signed in as the counter's clerk).
    Counter,
}

impl RatingChannel {
    /// The name stored in the log, the tickets and the figures.
    pub fn as_str(self) -> &'static str {
        match self {
            RatingChannel::Phone => "phone",
            RatingChannel::Counter => "counter",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "phone" => Some(RatingChannel::Phone),
            "counter" => Some(RatingChannel::Counter),
            _ => None,
        }
    }
}

/// One thing that happened. The fields are what the figures and the city need; the
/// envelope ([`Logged`]) says when, to which ticket, at which counter and by whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "snake_case")]
pub enum Event {
    /// A ticket was issued and joined its field's queue.
    Issued {
        code: String,
        priority: Priority,
        issued_by: IssuedBy,
        /// The wait quoted at issue, in minutes (kept to report the estimate's accuracy).
        eta_minutes: u32,
        /// People ahead at issue.
        #[serde(default)]
        ahead: Option<u32>,
        /// A checked-in booking's appointment (ms): its queue time, whatever the time it
        /// came (see [`crate::booking`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        booked_for: Option<i64>,
        /// A result pick-up ticket ("nhận kết quả") taken at the kiosk for a dossier: its
        /// [`Event::DossierAttached`] follows in the same transaction.
        #[serde(default, skip_serializing_if = "is_false")]
        result_pickup: bool,
    },
    /// A counter called the ticket (Next, or the clerk chose it).
    Called {
        code: String,
        priority: Priority,
        waited_ms: i64,
    },
    /// Called again; `recall` counts the recalls so far, this one included.
    Recalled {
        recall: u32,
    },
    /// The citizen arrived at the counter.
    Serving {},
    Served {},
    /// Called, never came.
    Absent {},
    /// Put aside at the event's counter (the citizen went to complete the dossier): the
    /// counter is free; the ticket is called back from the hold, keeping its turn.
    Held {},
    /// The absence was taken back (the citizen came back within the window): called again
    /// at the event's counter, or back at the front of the queue with its queue time.
    AbsentUndone {
        to: UndoTo,
    },
    Cancelled {
        from: Status,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<EndReason>,
        /// Why staff cancelled it, when they said (`bulk: <the manager's reason>` for a
        /// bulk cancellation). The hall's own record: the city does not get it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Back to the back of its queue (the citizen went to complete the dossier).
    Returned {
        from: Status,
    },
    /// Into another field's queue.
    Transferred {
        from_service: ServiceCode,
        to_service: ServiceCode,
        from: Status,
        keeps_place: bool,
    },
    /// The citizen rated the visit (level 1 the worst, on a scale of 3 or 5), on their phone
    /// or on the counter's tablet. A phone rating after the tablet's replaces it (both stay
    /// in the log; see [`crate::rating`]).
    Rated {
        level: u8,
        scale: u8,
        comment: Option<String>,
        /// Older logs did not say where.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<RatingChannel>,
        /// Why a low rating was low ([`crate::satisfaction::Reason`] codes).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        reasons: Vec<String>,
        /// How many times the citizen had to come for the dossier: 1, 2, or 3 for three
        /// or more.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        visits_needed: Option<u8>,
    },
    /// A dossier's code (mã hồ sơ) was attached to the ticket: by the clerk serving it
    /// (the envelope's counter and user), or by the kiosk with a result pick-up ticket.
    DossierAttached {
        dossier: String,
    },
    /// The clerk took a code off the ticket (typed wrong).
    DossierDetached {
        dossier: String,
    },
    /// The citizen made a complaint (phản ánh) about the ticket's visit from their phone.
    /// The text is the hall's own: the city gets it only when the hall shares comments.
    ComplaintMade {
        complaint: i64,
        /// A [`crate::satisfaction::Topic`] code.
        topic: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
    /// A manager acknowledged the complaint (the working-hours clock stops).
    ComplaintAcknowledged {
        complaint: i64,
    },
    /// A manager closed the complaint; the note is the hall's own record.
    ComplaintResolved {
        complaint: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Staff had the ticket printed again (its first copy did not print, or may not have:
    /// a crash came between sending it and the printer's confirmation).
    Reprinted {},
    CounterOpened {},
    CounterClosed {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<EndReason>,
    },
    CounterPaused {
        reason: String,
    },
    CounterResumed {},
    /// The clerk at the counter (the envelope's counter and user) pressed the emergency
    /// button: managers and the other counters' consoles are alerted, never a public screen.
    EmergencyRaised {},
    /// Someone (the envelope's user: a manager, or the clerk) marked the counter's
    /// emergency handled.
    EmergencyHandled {},
    /// A manager spoke to the hall: to everyone waiting (`service` none: every phone and
    /// the hall TV) or to one field's queue (its phones, and the TV naming the field),
    /// until `expires_at` (ms). The message's number is this event's `seq`.
    MessagePosted {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service: Option<String>,
        text_vi: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text_en: Option<String>,
        expires_at: i64,
    },
    /// A manager took message `message` (the `seq` of its [`Event::MessagePosted`]) back.
    MessageWithdrawn {
        message: i64,
    },
    /// A place was booked: on the hall's booking page (`source` "page") or by an outside
    /// issuer (`issuer:<name>`). The event's field is the booking's; no ticket yet.
    BookingMade {
        #[serde(flatten)]
        booking: BookingRef,
        source: String,
    },
    /// The booking was cancelled (by its holder or its issuer); the place is free again
    /// after the release delay.
    BookingCancelled {
        #[serde(flatten)]
        booking: BookingRef,
    },
    /// Checked in within its span: a booked number was issued (its `Issued` follows).
    /// `offset_ms`: check-in − appointment (negative: early).
    BookingCheckedIn {
        #[serde(flatten)]
        booking: BookingRef,
        offset_ms: i64,
    },
    /// Came after the late window: given a walk-in number (`walk_in`) or refused.
    BookingLate {
        #[serde(flatten)]
        booking: BookingRef,
        offset_ms: i64,
        walk_in: bool,
    },
    /// Nobody came by the end of the late window.
    BookingNoShow {
        #[serde(flatten)]
        booking: BookingRef,
    },
    /// An admin or a manager changed how the hall is set up: its settings, a field, a
    /// counter, a member of staff, a device. Who (the account's name), what (`kind:id`:
    /// `settings:hall`, `user:lan`, `device:kiosk-1`), how (`changed`, `added`, `revoked`,
    /// ...) and the value before and after (never a password, token or secret). The hall's
    /// own record: the city gets only the subject's kind and the action.
    Audited {
        by: String,
        subject: String,
        action: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<serde_json::Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<serde_json::Value>,
    },
}

/// Which booking an event concerns, and the place it holds: the hall's booking number (not
/// its code), the booked day and window (local `HH:MM`) and the appointment (ms).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRef {
    pub booking: i64,
    pub day: String,
    pub window: String,
    pub appointment: i64,
}

/// An event that cannot be read back: a kind this build does not know, or data that does
/// not fit it.
#[derive(Debug, thiserror::Error)]
#[error("event {kind:?} cannot be read: {cause}")]
pub struct UnreadableEvent {
    pub kind: String,
    pub cause: String,
}

impl Event {
    /// The name stored in the log's `kind` column and sent in live frames.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Issued { .. } => "issued",
            Event::Called { .. } => "called",
            Event::Recalled { .. } => "recalled",
            Event::Serving {} => "serving",
            Event::Served {} => "served",
            Event::Absent {} => "absent",
            Event::Held {} => "held",
            Event::AbsentUndone { .. } => "absent_undone",
            Event::Cancelled { .. } => "cancelled",
            Event::Returned { .. } => "returned",
            Event::Transferred { .. } => "transferred",
            Event::Rated { .. } => "rated",
            Event::DossierAttached { .. } => "dossier_attached",
            Event::DossierDetached { .. } => "dossier_detached",
            Event::ComplaintMade { .. } => "complaint_made",
            Event::ComplaintAcknowledged { .. } => "complaint_acknowledged",
            Event::ComplaintResolved { .. } => "complaint_resolved",
            Event::CounterOpened {} => "counter_opened",
            Event::CounterClosed { .. } => "counter_closed",
            Event::CounterPaused { .. } => "counter_paused",
            Event::CounterResumed {} => "counter_resumed",
            Event::EmergencyRaised {} => "emergency_raised",
            Event::EmergencyHandled {} => "emergency_handled",
            Event::MessagePosted { .. } => "message_posted",
            Event::MessageWithdrawn { .. } => "message_withdrawn",
            Event::Reprinted {} => "reprinted",
            Event::BookingMade { .. } => "booking_made",
            Event::BookingCancelled { .. } => "booking_cancelled",
            Event::BookingCheckedIn { .. } => "booking_checked_in",
            Event::BookingLate { .. } => "booking_late",
            Event::BookingNoShow { .. } => "booking_no_show",
            Event::Audited { .. } => "audited",
        }
    }

    /// The two stored columns: the kind, and the data as a JSON object.
    pub fn to_parts(&self) -> (&'static str, serde_json::Value) {
        let data = match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(mut tagged)) => tagged
                .remove("data")
                .unwrap_or_else(|| serde_json::json!({})),
            // Every variant is a struct of plain values: serialising cannot fail.
            _ => serde_json::json!({}),
        };
        (self.kind(), data)
    }

    /// Read an event back from its stored columns.
    pub fn from_parts(kind: &str, data: serde_json::Value) -> Result<Event, UnreadableEvent> {
        let data = match data {
            serde_json::Value::Null => serde_json::json!({}),
            other => other,
        };
        serde_json::from_value(serde_json::json!({"kind": kind, "data": data})).map_err(|e| {
            UnreadableEvent {
                kind: kind.to_owned(),
                cause: e.to_string(),
            }
        })
    }

    /// Whether the event can move anyone's place or estimate. A normal ticket joins the
    /// back of its queue and moves nobody already in it, and a rating moves nobody: only
    /// the waiting counts change. (The hall feed merges such changes.) A priority ticket
    /// goes ahead of every normal one of its field.
    pub fn moves_queue(&self) -> bool {
        match self {
            // A booked ticket joins at its appointment, maybe ahead of walk-ins.
            Event::Issued {
                priority,
                booked_for,
                ..
            } => priority.is_priority() || booked_for.is_some(),
            // A place booked for later moves nobody now; a booking due and not yet come
            // counts ahead of the walk-ins after its time, so its end moves them.
            Event::Rated { .. }
            | Event::Reprinted {}
            | Event::BookingMade { .. }
            | Event::DossierAttached { .. }
            | Event::DossierDetached { .. }
            | Event::ComplaintMade { .. }
            | Event::ComplaintAcknowledged { .. }
            | Event::ComplaintResolved { .. }
            | Event::Audited { .. }
            | Event::EmergencyRaised {}
            | Event::EmergencyHandled {}
            | Event::MessagePosted { .. }
            | Event::MessageWithdrawn { .. } => false,
            Event::BookingCancelled { .. }
            | Event::BookingCheckedIn { .. }
            | Event::BookingLate { .. }
            | Event::BookingNoShow { .. } => true,
            Event::Called { .. }
            | Event::Recalled { .. }
            | Event::Serving {}
            | Event::Served {}
            | Event::Absent {}
            | Event::Held {}
            | Event::AbsentUndone { .. }
            | Event::Cancelled { .. }
            | Event::Returned { .. }
            | Event::Transferred { .. }
            | Event::CounterOpened {}
            | Event::CounterClosed { .. }
            | Event::CounterPaused { .. }
            | Event::CounterResumed {} => true,
        }
    }

    /// Whether the event shows a counter at work (a call or the end of a visit): where a
    /// counter's open span that nobody closed is taken to end. A cancellation is not: the
    /// day's end cancels what a counter held, the next morning.
    pub fn is_counter_activity(&self) -> bool {
        match self {
            Event::Called { .. }
            | Event::Recalled { .. }
            | Event::Serving {}
            | Event::Served {}
            | Event::Absent {}
            | Event::Held {}
            | Event::AbsentUndone { .. }
            | Event::Transferred { .. }
            | Event::Returned { .. } => true,
            Event::Issued { .. }
            | Event::Cancelled { .. }
            | Event::Rated { .. }
            | Event::DossierAttached { .. }
            | Event::DossierDetached { .. }
            | Event::ComplaintMade { .. }
            | Event::ComplaintAcknowledged { .. }
            | Event::ComplaintResolved { .. }
            | Event::Reprinted {}
            | Event::CounterOpened {}
            | Event::CounterClosed { .. }
            | Event::CounterPaused { .. }
            | Event::CounterResumed {}
            | Event::EmergencyRaised {}
            | Event::EmergencyHandled {}
            | Event::MessagePosted { .. }
            | Event::MessageWithdrawn { .. }
            | Event::BookingMade { .. }
            | Event::BookingCancelled { .. }
            | Event::BookingCheckedIn { .. }
            | Event::BookingLate { .. }
            | Event::BookingNoShow { .. }
            | Event::Audited { .. } => false,
        }
    }

    /// Whether the event is a booking's (no ticket of its own).
    pub fn booking(&self) -> Option<&BookingRef> {
        match self {
            Event::BookingMade { booking, .. }
            | Event::BookingCancelled { booking }
            | Event::BookingCheckedIn { booking, .. }
            | Event::BookingLate { booking, .. }
            | Event::BookingNoShow { booking } => Some(booking),
            _ => None,
        }
    }

    /// The event as the city may see it: a comment's or a complaint's text only when the
    /// hall shares comments, and never staff's note on a cancellation or a complaint. A
    /// dossier's code goes: the city's export of ratings by dossier needs it. Nothing else in an event is
    /// personal (no token, no names).
    pub fn for_city(self, share_comments: bool) -> Event {
        match self {
            Event::Rated {
                level,
                scale,
                comment,
                channel,
                reasons,
                visits_needed,
            } => Event::Rated {
                level,
                scale,
                comment: comment.filter(|_| share_comments),
                channel,
                reasons,
                visits_needed,
            },
            Event::ComplaintMade {
                complaint,
                topic,
                text,
            } => Event::ComplaintMade {
                complaint,
                topic,
                text: text.filter(|_| share_comments),
            },
            Event::ComplaintResolved { complaint, .. } => Event::ComplaintResolved {
                complaint,
                note: None,
            },
            Event::Cancelled { from, reason, .. } => Event::Cancelled {
                from,
                reason,
                note: None,
            },
            Event::Audited {
                subject, action, ..
            } => Event::Audited {
                by: String::new(),
                subject: subject
                    .split_once(':')
                    .map_or(subject.as_str(), |(kind, _)| kind)
                    .to_owned(),
                action,
                before: None,
                after: None,
            },
            other => other,
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// An event as logged: its place in the log, its time, and what it concerns.
#[derive(Debug, Clone, PartialEq)]
pub struct Logged {
    /// The log's sequence number (0 before it is appended).
    pub seq: i64,
    /// Milliseconds since the epoch.
    pub at: i64,
    /// The ticket's row number in its hall.
    pub ticket: Option<i64>,
    /// The ticket's field when it happened (before a transfer: the field it left).
    pub service: Option<String>,
    pub counter: Option<u16>,
    /// The member of staff who did it (their number, never their name).
    pub user: Option<i64>,
    pub event: Event,
}

impl Logged {
    /// The event concerns this counter (opened, closed, a call there, ...).
    pub fn counter_no(&self) -> Option<CounterNo> {
        self.counter.and_then(|n| CounterNo::try_from(n).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code(s: &str) -> ServiceCode {
        ServiceCode::try_from(s.to_owned()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn booking_ref() -> BookingRef {
        BookingRef {
            booking: 7,
            day: "2026-12-07".into(),
            window: "08:00".into(),
            appointment: 1_765_069_800_000,
        }
    }

    /// One of each kind, with the data every release has written for it.
    fn every_kind() -> Vec<(Event, serde_json::Value)> {
        vec![
            (
                Event::Issued {
                    code: "A001".into(),
                    priority: Priority::Elderly,
                    issued_by: IssuedBy::Kiosk,
                    eta_minutes: 12,
                    ahead: Some(3),
                    booked_for: None,
                    result_pickup: false,
                },
                json!({"code": "A001", "priority": "elderly", "issued_by": "kiosk", "eta_minutes": 12, "ahead": 3}),
            ),
            (
                Event::Called {
                    code: "A001".into(),
                    priority: Priority::None,
                    waited_ms: 60_000,
                },
                json!({"code": "A001", "priority": "none", "waited_ms": 60000}),
            ),
            (Event::Recalled { recall: 2 }, json!({"recall": 2})),
            (Event::Serving {}, json!({})),
            (Event::Served {}, json!({})),
            (Event::Absent {}, json!({})),
            (Event::Held {}, json!({})),
            (
                Event::AbsentUndone {
                    to: UndoTo::Counter,
                },
                json!({"to": "counter"}),
            ),
            (
                Event::AbsentUndone { to: UndoTo::Queue },
                json!({"to": "queue"}),
            ),
            (
                Event::Cancelled {
                    from: Status::Waiting,
                    reason: None,
                    note: None,
                },
                json!({"from": "waiting"}),
            ),
            (
                Event::Cancelled {
                    from: Status::Waiting,
                    reason: None,
                    note: Some("bulk: kiosk-2 stolen".into()),
                },
                json!({"from": "waiting", "note": "bulk: kiosk-2 stolen"}),
            ),
            (
                Event::Cancelled {
                    from: Status::Called,
                    reason: Some(EndReason::DayEnded),
                    note: None,
                },
                json!({"from": "called", "reason": "day_ended"}),
            ),
            (
                Event::Returned {
                    from: Status::Serving,
                },
                json!({"from": "serving"}),
            ),
            (
                Event::Transferred {
                    from_service: code("A"),
                    to_service: code("B"),
                    from: Status::Serving,
                    keeps_place: true,
                },
                json!({"from_service": "A", "to_service": "B", "from": "serving", "keeps_place": true}),
            ),
            (
                Event::Rated {
                    level: 5,
                    scale: 5,
                    comment: None,
                    channel: Some(RatingChannel::Phone),
                    reasons: Vec::new(),
                    visits_needed: None,
                },
                json!({"level": 5, "scale": 5, "comment": null, "channel": "phone"}),
            ),
            (Event::CounterOpened {}, json!({})),
            (Event::CounterClosed { reason: None }, json!({})),
            (
                Event::CounterClosed {
                    reason: Some(EndReason::DayEnded),
                },
                json!({"reason": "day_ended"}),
            ),
            (
                Event::CounterPaused {
                    reason: "Nghỉ trưa".into(),
                },
                json!({"reason": "Nghỉ trưa"}),
            ),
            (Event::CounterResumed {}, json!({})),
            (Event::Reprinted {}, json!({})),
            (
                Event::Issued {
                    code: "AH001".into(),
                    priority: Priority::None,
                    issued_by: IssuedBy::Kiosk,
                    eta_minutes: 4,
                    ahead: Some(1),
                    booked_for: Some(1_765_069_800_000),
                    result_pickup: false,
                },
                json!({"code": "AH001", "priority": "none", "issued_by": "kiosk", "eta_minutes": 4, "ahead": 1, "booked_for": 1_765_069_800_000_i64}),
            ),
            (
                Event::BookingMade {
                    booking: booking_ref(),
                    source: "issuer:ihanoi".into(),
                },
                json!({"booking": 7, "day": "2026-12-07", "window": "08:00", "appointment": 1_765_069_800_000_i64, "source": "issuer:ihanoi"}),
            ),
            (
                Event::BookingCancelled {
                    booking: booking_ref(),
                },
                json!({"booking": 7, "day": "2026-12-07", "window": "08:00", "appointment": 1_765_069_800_000_i64}),
            ),
            (
                Event::BookingCheckedIn {
                    booking: booking_ref(),
                    offset_ms: -600_000,
                },
                json!({"booking": 7, "day": "2026-12-07", "window": "08:00", "appointment": 1_765_069_800_000_i64, "offset_ms": -600_000}),
            ),
            (
                Event::BookingLate {
                    booking: booking_ref(),
                    offset_ms: 900_000,
                    walk_in: true,
                },
                json!({"booking": 7, "day": "2026-12-07", "window": "08:00", "appointment": 1_765_069_800_000_i64, "offset_ms": 900_000, "walk_in": true}),
            ),
            (
                Event::BookingNoShow {
                    booking: booking_ref(),
                },
                json!({"booking": 7, "day": "2026-12-07", "window": "08:00", "appointment": 1_765_069_800_000_i64}),
            ),
        ]
    }

    #[test]
    fn every_kind_is_stored_as_every_release_wrote_it_and_read_back_the_same() {
        for (event, stored) in every_kind() {
            let (kind, data) = event.to_parts();
            assert_eq!(data, stored, "{kind}");
            let back = Event::from_parts(kind, stored).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(back, event);
        }
    }

    #[test]
    fn events_of_older_releases_are_read() {
        // Before the rating channel and with a null "ahead" (the first releases).
        let rated = Event::from_parts("rated", json!({"level": 2, "scale": 3, "comment": "chậm"}));
        assert!(matches!(
            rated,
            Ok(Event::Rated {
                channel: None,
                visits_needed: None,
                level: 2,
                ..
            })
        ));
        let issued = Event::from_parts(
            "issued",
            json!({"code": "B002", "priority": "none", "issued_by": "counter", "eta_minutes": 0, "ahead": null}),
        );
        assert!(matches!(issued, Ok(Event::Issued { ahead: None, .. })));
        assert!(Event::from_parts("served", serde_json::Value::Null).is_ok());
    }

    #[test]
    fn an_unknown_kind_or_wrong_data_is_refused_with_its_kind() {
        let unknown = Event::from_parts("teleported", json!({}));
        assert!(unknown.is_err_and(|e| e.kind == "teleported"));
        assert!(Event::from_parts("recalled", json!({"recall": "twice"})).is_err());
    }

    #[test]
    fn a_priority_ticket_moves_the_queue_a_normal_one_joins_its_back() {
        let issued = |priority| Event::Issued {
            code: "A001".into(),
            priority,
            issued_by: IssuedBy::Kiosk,
            eta_minutes: 0,
            ahead: Some(0),
            booked_for: None,
            result_pickup: false,
        };
        assert!(issued(Priority::Pregnant).moves_queue());
        assert!(!issued(Priority::None).moves_queue());
    }

    #[test]
    fn only_the_city_copy_of_a_rating_loses_its_comment() {
        let rated = Event::Rated {
            level: 1,
            scale: 3,
            comment: Some("Chờ lâu".into()),
            channel: Some(RatingChannel::Counter),
            reasons: Vec::new(),
            visits_needed: None,
        };
        assert_eq!(rated.clone().for_city(true), rated);
        assert!(matches!(
            rated.for_city(false),
            Event::Rated { comment: None, .. }
        ));
    }

    #[test]
    fn the_city_copy_of_a_cancellation_loses_the_staff_note() {
        let cancelled = Event::Cancelled {
            from: Status::Waiting,
            reason: None,
            note: Some("bulk: kiosk-2 stolen".into()),
        };
        assert_eq!(
            cancelled.for_city(true),
            Event::Cancelled {
                from: Status::Waiting,
                reason: None,
                note: None,
            }
        );
    }

    #[test]
    fn the_city_learns_only_what_kind_of_set_up_changed_never_who_or_the_values() {
        let audited = Event::Audited {
            by: "lan".into(),
            subject: "user:minh".into(),
            action: "password_reset".into(),
            before: Some(json!({"role": "clerk"})),
            after: Some(json!({"role": "manager"})),
        };
        assert_eq!(
            audited.for_city(true),
            Event::Audited {
                by: String::new(),
                subject: "user".into(),
                action: "password_reset".into(),
                before: None,
                after: None,
            }
        );
        let (kind, data) = Event::Audited {
            by: "lan".into(),
            subject: "settings:hall".into(),
            action: "changed".into(),
            before: None,
            after: Some(json!({"name": "x"})),
        }
        .to_parts();
        assert_eq!(kind, "audited");
        assert_eq!(
            Event::from_parts(kind, data.clone()).unwrap().kind(),
            "audited"
        );
        assert!(data.get("before").is_none());
    }
}
