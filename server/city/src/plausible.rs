//! Plausibility bounds on what a hall sends: a validly signed batch may still carry values
//! no hall could have logged (a broken clock, a bug, a hall box in the wrong hands), and
//! one such value would skew the city's figures for good (a mean visit of 658 billion
//! minutes). Every bound is far outside what a real hall logs; a batch with a value beyond
//! one is refused whole with `422 implausible_value`, naming the field, and nothing of it
//! is stored.

use motcua_domain::Error as Denied;
use motcua_domain::event::{EndReason, Event, Logged};
use motcua_domain::satisfaction::{
    COMPLAINT_TEXT_MAX, REASONS_MAX, Reason, Topic, VISITS_NEEDED_MAX, dossier,
};
use motcua_web::protocol::{Batch, WireEvent};
use rusqlite::{Connection, OptionalExtension, params};

/// A day in milliseconds: no visit outlasts its day (a hall closes what is left open when
/// the next day begins).
pub const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// 2024-01-01T00:00:00Z: no hall logged anything earlier.
pub const EARLIEST_MS: i64 = 1_704_067_200_000;
/// The most events a hall puts in a batch (`city.batch_events`).
pub const MAX_EVENTS: usize = 2_000;
/// Codes (kinds, field codes, hall codes) are short.
const MAX_CODE_CHARS: usize = 32;
/// Names (the hall's, its fields').
const MAX_NAME_CHARS: usize = 200;
/// A citizen's comment (the hall takes at most 500 characters).
const MAX_COMMENT_CHARS: usize = 500;
/// A pause's reason (the hall takes at most 100 characters).
const MAX_REASON_CHARS: usize = 100;
/// An event's own fields, as JSON.
const MAX_DATA_BYTES: usize = 4 * 1024;
/// People ahead, recalls: counts no hall reaches in a day.
const MAX_COUNT: u32 = 100_000;
/// The fields a hall may have.
const MAX_SERVICES: usize = 200;

fn implausible(field: impl Into<String>, why: &str) -> Denied {
    let field = field.into();
    Denied::invalid(
        "implausible_value",
        format!("{field} is implausible ({why}): the batch was not stored"),
    )
}

fn short(field: &str, value: &str, max: usize) -> Result<(), Denied> {
    if value.chars().count() > max {
        return Err(implausible(field, &format!("longer than {max} characters")));
    }
    Ok(())
}

/// Check every value a batch carries that can be checked on its own; `now_ms` and
/// `max_skew_ms` bound the events' times.
pub fn batch(batch: &Batch, now_ms: i64, max_skew_ms: i64) -> Result<(), Denied> {
    if batch.events.len() > MAX_EVENTS {
        return Err(implausible(
            "events",
            &format!("more than {MAX_EVENTS} in one batch"),
        ));
    }
    if batch.to_seq > i64::from(u32::MAX) * 1000 {
        return Err(implausible("to_seq", "beyond any hall's log"));
    }
    let p = &batch.profile;
    short("profile.name", &p.name, MAX_NAME_CHARS)?;
    short("profile.timezone", &p.timezone, MAX_CODE_CHARS * 2)?;
    if ![3, 5].contains(&p.rating_scale) {
        return Err(implausible("profile.rating_scale", "a scale is 3 or 5"));
    }
    if p.services.len() > MAX_SERVICES {
        return Err(implausible(
            "profile.services",
            &format!("more than {MAX_SERVICES} fields"),
        ));
    }
    for s in &p.services {
        short("profile.services.code", &s.code, MAX_CODE_CHARS)?;
        short("profile.services.name_vi", &s.name_vi, MAX_NAME_CHARS)?;
        short("profile.services.name_en", &s.name_en, MAX_NAME_CHARS)?;
        if i64::from(s.target_wait_minutes) * 60_000 > DAY_MS {
            return Err(implausible(
                "profile.services.target_wait_minutes",
                "longer than a day",
            ));
        }
    }
    let latest = now_ms.saturating_add(max_skew_ms);
    for e in &batch.events {
        event(e, latest)?;
    }
    Ok(())
}

fn event(e: &WireEvent, latest_ms: i64) -> Result<(), Denied> {
    let at = |field: &str| format!("event {}: {field}", e.seq);
    if e.at < EARLIEST_MS || e.at > latest_ms {
        return Err(implausible(
            at("at"),
            "before 2024 or after the collector's clock",
        ));
    }
    short(&at("kind"), &e.kind, MAX_CODE_CHARS)?;
    if let Some(service) = &e.service {
        short(&at("service"), service, MAX_CODE_CHARS)?;
    }
    if e.ticket.is_some_and(|t| t < 1) {
        return Err(implausible(at("ticket"), "not a ticket's number"));
    }
    if e.clerk.is_some_and(|c| c < 1) {
        return Err(implausible(at("clerk"), "not a clerk's number"));
    }
    if e.counter.is_some_and(|c| !(1..=999).contains(&c)) {
        return Err(implausible(at("counter"), "a counter is 1 to 999"));
    }
    if e.data.to_string().len() > MAX_DATA_BYTES {
        return Err(implausible(
            at("data"),
            &format!("more than {MAX_DATA_BYTES} bytes"),
        ));
    }
    // A kind this build cannot read is kept in the log and left out of the figures.
    let Ok(logged) = e.logged() else {
        return Ok(());
    };
    match &logged.event {
        Event::Issued {
            code,
            eta_minutes,
            ahead,
            ..
        } => {
            short(&at("data.code"), code, MAX_CODE_CHARS)?;
            if i64::from(*eta_minutes) * 60_000 > DAY_MS {
                return Err(implausible(at("data.eta_minutes"), "longer than a day"));
            }
            if ahead.is_some_and(|a| a > MAX_COUNT) {
                return Err(implausible(
                    at("data.ahead"),
                    "more people than a hall holds",
                ));
            }
        }
        Event::Called {
            code, waited_ms, ..
        } => {
            short(&at("data.code"), code, MAX_CODE_CHARS)?;
            // A booked ticket called before its appointment is logged as having waited 0.
            if !(0..=DAY_MS).contains(waited_ms) {
                return Err(implausible(
                    at("data.waited_ms"),
                    "negative or longer than a day",
                ));
            }
        }
        Event::Recalled { recall } if *recall > MAX_COUNT => {
            return Err(implausible(
                at("data.recall"),
                "more recalls than a day holds",
            ));
        }
        Event::Rated {
            level,
            scale,
            comment,
            reasons,
            visits_needed,
            ..
        } => {
            if ![3, 5].contains(scale) {
                return Err(implausible(at("data.scale"), "a scale is 3 or 5"));
            }
            if !(1..=*scale).contains(level) {
                return Err(implausible(at("data.level"), "outside the rating scale"));
            }
            if let Some(comment) = comment {
                short(&at("data.comment"), comment, MAX_COMMENT_CHARS)?;
            }
            if reasons.len() > REASONS_MAX || reasons.iter().any(|r| Reason::parse(r).is_none()) {
                return Err(implausible(at("data.reasons"), "not the hall's reasons"));
            }
            if visits_needed.is_some_and(|n| !(1..=VISITS_NEEDED_MAX).contains(&n)) {
                return Err(implausible(at("data.visits_needed"), "1, 2 or 3 (or more)"));
            }
        }
        Event::DossierAttached { dossier } | Event::DossierDetached { dossier }
            if dossier::normalise(dossier).as_deref() != Some(dossier.as_str()) =>
        {
            return Err(implausible(at("data.dossier"), "not a dossier's code"));
        }
        Event::ComplaintMade { topic, text, .. } => {
            if Topic::parse(topic).is_none() {
                return Err(implausible(at("data.topic"), "not a complaint's topic"));
            }
            if let Some(text) = text {
                short(&at("data.text"), text, COMPLAINT_TEXT_MAX)?;
            }
        }
        Event::CounterPaused { reason } => short(&at("data.reason"), reason, MAX_REASON_CHARS)?,
        // A manager's message to the hall is public, and short.
        Event::MessagePosted {
            text_vi, text_en, ..
        } => {
            short(&at("data.text_vi"), text_vi, MAX_REASON_CHARS * 2)?;
            if let Some(text) = text_en {
                short(&at("data.text_en"), text, MAX_REASON_CHARS * 2)?;
            }
        }
        // A hall sends only the kind of a change of its set-up and what was done.
        Event::Audited {
            by,
            subject,
            action,
            before,
            after,
        } => {
            if !by.is_empty() || before.is_some() || after.is_some() {
                return Err(implausible(
                    at("data"),
                    "a change of set-up goes without its values",
                ));
            }
            short(&at("data.subject"), subject, MAX_REASON_CHARS)?;
            short(&at("data.action"), action, MAX_REASON_CHARS)?;
        }
        _ => {}
    }
    Ok(())
}

/// An event on a ticket must come after the ticket was issued, and (but for a rating, a
/// complaint and its handling, or the next day closing what was left open) within a day of
/// it: checked against the visit the city holds, just before the event is folded.
pub fn ticket_times(conn: &Connection, hall_id: i64, e: &Logged) -> Result<(), Denied> {
    let Some(ticket) = e.ticket else {
        return Ok(());
    };
    if matches!(e.event, Event::Issued { .. }) {
        return Ok(());
    }
    let issued_at: Option<i64> = conn
        .prepare_cached(
            "SELECT issued_at FROM stat_visits WHERE hall = ?1 AND ticket_id = ?2
             ORDER BY visit DESC LIMIT 1",
        )
        .and_then(|mut s| {
            s.query_row(params![hall_id, ticket], |r| r.get(0))
                .optional()
        })
        .map_err(Denied::internal)?;
    issued_before(issued_at, e)
}

/// [`ticket_times`] with the ticket's issue time as the city holds it (`None`: it holds no
/// visit of the ticket).
pub fn issued_before(issued_at: Option<i64>, e: &Logged) -> Result<(), Denied> {
    let Some(issued_at) = issued_at else {
        return Ok(());
    };
    if matches!(e.event, Event::Issued { .. }) {
        return Ok(());
    }
    let since = e.at - issued_at;
    let open_ended = matches!(
        e.event,
        Event::Rated { .. }
            | Event::ComplaintMade { .. }
            | Event::ComplaintAcknowledged { .. }
            | Event::ComplaintResolved { .. }
            | Event::Cancelled {
                reason: Some(EndReason::DayEnded),
                ..
            }
    );
    if since < 0 || (!open_ended && since > DAY_MS) {
        return Err(implausible(
            format!("event {}: at", e.seq),
            "before its ticket was issued, or more than a day after",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_web::protocol::Profile;

    const NOW: i64 = 1_780_000_000_000;

    fn batch_of(kind: &str, data: serde_json::Value, at: i64) -> Batch {
        Batch {
            hall: "hall-x".into(),
            from_seq: 1,
            to_seq: 1,
            profile: Profile {
                name: "x".into(),
                timezone: "Asia/Ho_Chi_Minh".into(),
                rating_scale: 5,
                services: Vec::new(),
            },
            events: vec![WireEvent {
                seq: 1,
                at,
                kind: kind.into(),
                ticket: Some(1),
                service: Some("A".into()),
                counter: Some(1),
                clerk: Some(1),
                data,
            }],
        }
    }

    fn code(r: Result<(), Denied>) -> String {
        match r {
            Ok(()) => "ok".into(),
            Err(e) => format!("{e}"),
        }
    }

    #[test]
    fn real_values_pass_and_absurd_ones_are_named() {
        let called = |waited: i64, at: i64| {
            batch_of(
                "called",
                serde_json::json!({"code": "A001", "priority": "none", "waited_ms": waited}),
                at,
            )
        };
        assert_eq!(code(batch(&called(600_000, NOW), NOW, 300_000)), "ok");
        assert!(code(batch(&called(-1, NOW), NOW, 300_000)).contains("waited_ms"));
        assert!(code(batch(&called(DAY_MS + 1, NOW), NOW, 300_000)).contains("waited_ms"));
        assert!(code(batch(&called(0, NOW + 3_600_000), NOW, 300_000)).contains("at"));
        assert!(code(batch(&called(0, 5), NOW, 300_000)).contains("at"));
        let rated = |level: u8, scale: u8| {
            batch_of(
                "rated",
                serde_json::json!({"level": level, "scale": scale, "comment": null}),
                NOW,
            )
        };
        assert_eq!(code(batch(&rated(5, 5), NOW, 0)), "ok");
        assert!(code(batch(&rated(9, 5), NOW, 0)).contains("level"));
        assert!(code(batch(&rated(0, 3), NOW, 0)).contains("level"));
        assert!(code(batch(&rated(2, 7), NOW, 0)).contains("scale"));
        let explained = |reasons: serde_json::Value, visits: u8| {
            batch_of(
                "rated",
                serde_json::json!({"level": 2, "scale": 5, "reasons": reasons, "visits_needed": visits}),
                NOW,
            )
        };
        assert_eq!(
            code(batch(
                &explained(serde_json::json!(["wait", "repeat"]), 3),
                NOW,
                0
            )),
            "ok"
        );
        assert!(
            code(batch(&explained(serde_json::json!(["bribe"]), 1), NOW, 0)).contains("reasons")
        );
        assert!(
            code(batch(&explained(serde_json::json!([]), 4), NOW, 0)).contains("visits_needed")
        );
        let attached = |dossier: &str| {
            batch_of(
                "dossier_attached",
                serde_json::json!({"dossier": dossier}),
                NOW,
            )
        };
        assert_eq!(
            code(batch(&attached("000.00.16.H26-241204-0001"), NOW, 0)),
            "ok"
        );
        assert!(code(batch(&attached("<script>1"), NOW, 0)).contains("dossier"));
        let complaint = |topic: &str, text: &str| {
            batch_of(
                "complaint_made",
                serde_json::json!({"complaint": 1, "topic": topic, "text": text}),
                NOW,
            )
        };
        assert_eq!(code(batch(&complaint("wait", "Chờ 3 giờ"), NOW, 0)), "ok");
        assert!(code(batch(&complaint("gossip", ""), NOW, 0)).contains("topic"));
        assert!(code(batch(&complaint("other", &"x".repeat(1001)), NOW, 0)).contains("text"));
    }
}
