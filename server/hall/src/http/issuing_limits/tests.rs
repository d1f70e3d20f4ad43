//! The limiter alone, on a clock moved by hand.

use super::*;
use chrono::{Duration, TimeZone, Utc};
use motcua_store::clock::ManualClock;

fn limits(settings: &LimitSettings) -> (IssuingLimits, ManualClock) {
    let clock = ManualClock::starting_at(
        Utc.with_ymd_and_hms(2026, 11, 25, 1, 0, 0)
            .single()
            .expect("time"),
    );
    let hall = crate::config::Settings::default()
        .hall()
        .expect("demo hall");
    let limits = IssuingLimits::new(settings, Arc::new(clock.clone()), Arc::new(hall));
    (limits, clock)
}

fn kiosk(id: i64) -> Requester {
    Requester {
        key: IssuerKey::Kiosk(id),
        name: format!("kiosk-{id}"),
    }
}

#[test]
fn a_burst_is_allowed_then_one_ticket_per_interval() {
    let (limits, clock) = limits(&LimitSettings::default());
    for _ in 0..10 {
        let _ = limits.take(&kiosk(1), false).expect("within the burst");
    }
    let refused = limits
        .take(&kiosk(1), false)
        .err()
        .expect("past the burst")
        .count();
    assert!(matches!(
        refused,
        Error::TooMany {
            code: "issue_rate_exceeded",
            retry_after_secs: 6,
            ..
        }
    ));
    clock.advance(Duration::seconds(6));
    let _ = limits.take(&kiosk(1), false).expect("one more after 6 s");
    assert!(limits.take(&kiosk(1), false).is_err());
}

#[test]
fn a_refund_gives_the_ticket_back() {
    let (limits, _) = limits(&LimitSettings::default());
    for _ in 0..20 {
        limits
            .take(&kiosk(1), true)
            .expect("refunded each time")
            .refund();
    }
    assert!(limits.alerts().is_empty());
}

#[test]
fn the_table_never_holds_more_than_its_bound() {
    let (limits, _) = limits(&LimitSettings::default());
    for id in 0..(MAX_ISSUERS as i64 + 500) {
        let _ = limits.take(&kiosk(id), false).expect("a first ticket");
    }
    let state = limits.inner.state.lock().expect("lock");
    assert!(
        state.buckets.len() <= MAX_ISSUERS,
        "{}",
        state.buckets.len()
    );
}

#[test]
fn zero_a_minute_is_no_limit() {
    let (limits, _) = limits(&LimitSettings::off());
    for _ in 0..1_000 {
        let _ = limits.take(&kiosk(1), true).expect("no limit");
    }
}

#[test]
fn a_bad_burst_is_refused_with_its_key() {
    let settings = LimitSettings {
        kiosk_burst: 0,
        ..LimitSettings::default()
    };
    assert_eq!(
        settings.check().err().map(|(k, _)| k).as_deref(),
        Some("kiosk_burst")
    );
}
