//! The day's rules at the kiosk, in a real headless Chromium against the real hall on a
//! hand-moved clock: while numbers are given it says until when; once they stopped it says
//! since when and when they start again ("Đã ngừng cấp số lúc 16:30", "Mời quay lại 7:30
//! thứ Hai"), in both languages, its fields off; a field whose daily quota is given says
//! "Đã hết số hôm nay" and cannot be chosen. Screenshots land in `target/test-artifacts/`.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use motcua_domain::DeviceKind;
use motcua_hall::config::Settings;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::json;

fn hanoi(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .expect("UTC+7")
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("a local time")
        .with_timezone(&Utc)
}

/// The demo hall on its calendar: numbers stop 30 minutes before each close, and at 16:30.
fn on_the_calendar() -> Settings {
    let mut settings = Settings::default();
    settings.hours.follow_calendar = true;
    settings.hours.stop_before_close_minutes = 30;
    settings.hours.last_issue = "16:30".into();
    settings
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_says_until_when_numbers_are_given_and_once_stopped_when_they_start_again() {
    let hall = TestHall::start_with(on_the_calendar()).await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    // Wednesday 08:00: numbers until 11:00.
    let kiosk = Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), 1080, 1920).await;
    kiosk
        .wait_for(
            "the cut-off under the heading",
            "document.querySelector(\"[data-issuing='until']\")",
        )
        .await;
    let until = kiosk.text("[data-issuing='until']").await;
    assert!(until.contains("Cấp số đến 11:00"), "{until}");
    assert!(until.contains("Numbers are given until 11:00"), "{until}");
    kiosk
        .assert_accessible("the start screen with its cut-off")
        .await;

    // Friday 16:40: stopped at 16:30, back on Monday at 7:30. A citizen taps field A (the
    // kiosk has not noticed the time yet): the server refuses, and the kiosk says why.
    hall.clock.set(hanoi(2026, 11, 27, 16, 40));
    kiosk.tap("button[data-field='A']").await;
    kiosk
        .wait_for(
            "the priority step",
            "document.body.dataset.screen === 'priority'",
        )
        .await;
    kiosk.tap("button[data-priority='none']").await;
    kiosk
        .wait_for(
            "the start screen saying numbers stopped",
            "document.body.dataset.screen === 'start' && document.querySelector(\"[data-issuing='day_over']\")",
        )
        .await;
    let head = kiosk.text("[data-issuing='day_over']").await;
    assert!(head.contains("Đã ngừng cấp số lúc 16:30"), "{head}");
    assert!(head.contains("Mời quay lại 7:30 thứ Hai"), "{head}");
    assert!(head.contains("Numbers stopped at 16:30"), "{head}");
    assert!(head.contains("Please come back at 7:30 Monday"), "{head}");
    let off = kiosk
        .eval("[...document.querySelectorAll('button[data-field]')].every(b => b.disabled)")
        .await;
    assert_eq!(
        off,
        json!(true),
        "every field is off while numbers are stopped"
    );
    kiosk.screenshot("kiosk-day-rules-stopped").await;
    kiosk
        .assert_accessible("the start screen after the cut-off")
        .await;
    kiosk.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_field_whose_daily_quota_is_given_says_so_and_cannot_be_chosen() {
    let mut settings = Settings::default();
    settings.services[0].daily_quota = 2;
    let hall = TestHall::start_with(settings).await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    let other_kiosk = hall.device("kiosk-2", DeviceKind::Kiosk);
    let kiosk = Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), 1080, 1920).await;
    kiosk
        .wait_for(
            "field A open, with its numbers left",
            "/Còn 2 số hôm nay/.test(document.querySelector(\"button[data-field='A']\")?.innerText ?? '')",
        )
        .await;

    // Another kiosk gives the two numbers: this one follows the hall's feed.
    other_kiosk.issue("A", "none").await;
    other_kiosk.issue("A", "none").await;
    kiosk
        .wait_for(
            "field A full",
            "document.querySelector(\"button[data-field='A']:disabled [data-quota='full']\")",
        )
        .await;
    let words = kiosk.text("button[data-field='A']").await;
    assert!(words.contains("Đã hết số hôm nay"), "{words}");
    // Field D, at the same counter, still gives numbers.
    let d_open = kiosk
        .eval("!document.querySelector(\"button[data-field='D']\").disabled")
        .await;
    assert_eq!(d_open, json!(true));
    kiosk.screenshot("kiosk-day-rules-quota").await;
    kiosk
        .assert_accessible("a field without numbers left")
        .await;
    kiosk.close().await;
}
