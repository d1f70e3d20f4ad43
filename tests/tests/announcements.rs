//! The spoken call is public (the displays hold no credentials), so it must cost the hall
//! only what the hall itself has said (issue 12: 1,700 invented codes in 45 s grew the
//! server by 478 MB, about 1.1 GB once its cache of 4,096 phrases filled):
//! - a code is spoken only if that ticket was called or recalled today at that counter;
//!   anything else is 404 `not_called` and espeak-ng is never started for it;
//! - signed-in staff may hear any code, to try the voice;
//! - the phrases kept stay within `announcements.cache_mib`, the least recently heard
//!   going first.
//!
//! espeak-ng must be installed (`scripts/test` installs it): without it these fail.

use motcua_domain::{DeviceKind, Role};
use motcua_hall::announce::VoiceSettings;
use motcua_hall::config::Settings;
use motcua_tests::{TestHall, error_code};
use serde_json::json;

fn path(code: &str, counter: u16) -> String {
    format!("/api/announcements?code={code}&counter={counter}")
}

#[tokio::test]
async fn only_a_call_made_today_at_that_counter_is_spoken_and_nothing_else_starts_the_voice() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let display = hall.anonymous();
    let clerk = hall.clerk_at("lan", 1).await;
    let ticket = kiosk.issue("A", "none").await;
    let code = ticket["code"].as_str().expect("code").to_owned();
    let voice = &hall.state.announcer;

    for (what, code, counter) in [
        ("a ticket still waiting", code.as_str(), 1),
        ("a code nobody was given", "A777", 1),
        ("a code of another field", "D001", 1),
    ] {
        let (status, body) = display.get(&path(code, counter)).await;
        assert_eq!(status, 404, "{what}: {}", error_code(&body));
        assert_eq!(error_code(&body), "not_called", "{what}: {body}");
    }
    assert_eq!(voice.synthesised(), 0, "espeak-ng was never started");

    let called = clerk.call_next(1).await.expect("the ticket");
    assert_eq!(called["code"], code.as_str());
    let (status, body) = display.get(&path(&code, 1)).await;
    assert_eq!(status, 200, "the call just made: {body}");
    assert_eq!(voice.synthesised(), 1);
    let (status, body) = display.get(&path(&code, 2)).await;
    assert_eq!(
        status,
        404,
        "not called at counter 2: {}",
        error_code(&body)
    );
    assert_eq!(error_code(&body), "not_called");

    // A recall is said again, from the cache.
    let (status, body) = clerk.act(&called, "recall", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = display.get(&path(&code, 1)).await;
    assert_eq!(status, 200);
    assert_eq!(voice.synthesised(), 1, "heard again from the cache");

    // Tomorrow the same code is someone else's, not yet called.
    hall.clock.advance(chrono::Duration::days(1));
    let (status, body) = display.get(&path(&code, 1)).await;
    assert_eq!(status, 404, "yesterday's call: {}", error_code(&body));
    assert_eq!(voice.synthesised(), 1);

    // Staff trying the voice may hear any code.
    let manager = hall.staff("quanly", Role::Manager).await;
    let (status, body) = manager.get(&path("B123", 2)).await;
    assert_eq!(status, 200, "a preview: {body}");
    assert_eq!(voice.synthesised(), 2);
}

#[tokio::test]
async fn the_kept_calls_stay_within_their_bytes_and_the_least_recently_heard_go_first() {
    let settings = Settings {
        announcements: VoiceSettings {
            cache_mib: 1,
            ..VoiceSettings::default()
        },
        ..Settings::default()
    };
    let hall = TestHall::start_with(settings).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let display = hall.anonymous();
    let clerk = hall.clerk_at("lan", 1).await;
    let voice = &hall.state.announcer;
    let bound = 1024 * 1024;

    let mut codes = Vec::new();
    for _ in 0..12 {
        kiosk.issue("A", "none").await;
        let called = clerk.call_next(1).await.expect("a ticket");
        let code = called["code"].as_str().expect("code").to_owned();
        let (status, body) = display.get(&path(&code, 1)).await;
        assert_eq!(status, 200, "{code}: {body}");
        assert!(
            voice.cached_bytes() <= bound,
            "after {code}: {} bytes kept, more than 1 MiB",
            voice.cached_bytes()
        );
        let (status, body) = clerk.act(&called, "no-show", json!({})).await;
        assert_eq!(status, 200, "{body}");
        codes.push(code);
    }
    assert_eq!(voice.synthesised(), 12);
    assert!(voice.cached_bytes() > 0, "the recent calls are kept");

    // The last call is still kept; the first, heard longest ago, had to go.
    let last = codes.last().expect("a code");
    let (status, _) = display.get(&path(last, 1)).await;
    assert_eq!(status, 200);
    assert_eq!(voice.synthesised(), 12, "{last} came from the cache");
    let (status, _) = display.get(&path(&codes[0], 1)).await;
    assert_eq!(status, 200, "a call made today is still spoken");
    assert_eq!(
        voice.synthesised(),
        13,
        "{} was synthesised again",
        codes[0]
    );
    assert!(voice.cached_bytes() <= bound);
}
