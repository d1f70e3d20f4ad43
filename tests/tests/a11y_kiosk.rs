//! The kiosk passes axe-core (WCAG 2.2 A and AA) and has no touch target under 44 px in each
//! of its main states, on a portrait (1080x1920) and a landscape (1920x1080) screen, in
//! Vietnamese and in English: the fields; the warning that it has no printer, or that its
//! printer is away; a field no counter serves; the priority step and its "more time?" warning;
//! the confirm step; the ticket printed, waiting for its printer, and not printed with its
//! countdown and its warning; the hall closed and on a break; the server unreachable; a kiosk
//! not paired yet; the booking's check-in screen (empty, typing, "more time?", too early), a
//! scan it cannot read, a booked number's ticket, and an online-only day's start and priority
//! step.
//!
//! Time on the page moves by its own hook (`window.motcuaKiosk.skip(seconds)`), as in
//! kiosk_steps.rs: no test waits for a timer.

use motcua_domain::DeviceKind;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::json;

const SIZES: [(u32, u32); 2] = [(1080, 1920), (1920, 1080)];
const LANGS: [&str; 2] = ["vi", "en"];

/// axe-core and the 44 px rule on the page as it is now; the page's language is `lang`.
async fn check(kiosk: &Browser, lang: &str, what: &str) {
    assert_eq!(
        kiosk.eval("document.documentElement.lang").await,
        lang,
        "the page says its language on {what}"
    );
    kiosk.assert_accessible(what).await;
    kiosk.assert_touch_targets(what, 44).await;
}

async fn skip(kiosk: &Browser, seconds: u32) {
    kiosk
        .eval(&format!("window.motcuaKiosk.skip({seconds})"))
        .await;
}

/// The kiosk's start screen, paired, with `ready` (a JS expression) true, in `lang`.
async fn start_in(kiosk: &Browser, hall: &TestHall, token: &str, lang: &str, ready: &str) {
    kiosk
        .goto(&hall.url(&format!("/kiosk/?token={token}")))
        .await;
    kiosk
        .wait_for(
            "the start screen",
            &format!(
                "document.body.dataset.screen === 'start' && document.body.dataset.connected === 'true' && ({ready})"
            ),
        )
        .await;
    if lang == "en" {
        kiosk.tap("#lang").await;
        kiosk
            .wait_for(
                "English",
                "document.documentElement.lang === 'en' && document.querySelector('h1')?.innerText === 'Please choose a service'",
            )
            .await;
    }
}

const FIELD_A_OPEN: &str = "document.querySelector(\"button[data-field='A']:not(:disabled)\")";
const QR_LOADED: &str = "document.getElementById('ticket-qr').complete && document.getElementById('ticket-qr').naturalWidth > 0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_of_a_kiosk_with_its_printer_passes_axe_with_big_targets() {
    let hall = TestHall::start().await;
    let printing = motcua_tests::print_agent::PrintingKiosk::start(&hall).await;
    let token = &printing.token;
    let _clerk = hall.clerk_at("lan", 1).await;
    for (width, height) in SIZES {
        let kiosk = Browser::open(width, height).await;
        for lang in LANGS {
            let at = |what: &str| format!("{what}-{width}x{height}-{lang}");
            start_in(&kiosk, &hall, token, lang, FIELD_A_OPEN).await;
            // The printer's agent has said it is fine: no banner.
            kiosk
                .wait_for(
                    "no printer banner",
                    "document.querySelectorAll('.banner').length === 0",
                )
                .await;
            check(&kiosk, lang, &at("start")).await;

            kiosk.tap("button[data-field='A']").await;
            kiosk
                .wait_for(
                    "the priority step",
                    "document.body.dataset.screen === 'priority'",
                )
                .await;
            check(&kiosk, lang, &at("priority")).await;

            skip(&kiosk, 31).await;
            kiosk
                .wait_for(
                    "the warning",
                    "document.querySelector('#timeout[data-open]')",
                )
                .await;
            check(&kiosk, lang, &at("more-time-step")).await;
            kiosk.tap("button[data-action='more-time']").await;

            kiosk.tap("button[data-priority='elderly']").await;
            kiosk
                .wait_for(
                    "the confirm step",
                    "document.body.dataset.screen === 'confirm'",
                )
                .await;
            check(&kiosk, lang, &at("confirm")).await;

            kiosk.tap("button[data-action='confirm']").await;
            kiosk
                .wait_for(
                    "the printed ticket",
                    "document.getElementById('print-status')?.dataset.state === 'printed'",
                )
                .await;
            kiosk.wait_for("the QR code", QR_LOADED).await;
            check(&kiosk, lang, &at("ticket-printed")).await;
            kiosk.screenshot(&at("a11y-ticket-printed")).await;
            kiosk.tap("button[data-action='done']").await;
            kiosk
                .wait_for(
                    "the start screen",
                    "document.body.dataset.screen === 'start'",
                )
                .await;
        }
        kiosk.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_without_a_printer_and_its_unprinted_ticket_pass_axe_with_big_targets() {
    let hall = TestHall::start().await;
    // No printer at all; counter 1 serves A and D only, so B, C and E have no counter.
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    for (width, height) in SIZES {
        let kiosk = Browser::open(width, height).await;
        for lang in LANGS {
            let at = |what: &str| format!("{what}-{width}x{height}-{lang}");
            start_in(
                &kiosk,
                &hall,
                &token,
                lang,
                "document.querySelector(\".banner[data-banner='no-printer']\") && document.querySelector(\"button[data-field='C']:disabled\")",
            )
            .await;
            check(&kiosk, lang, &at("start-no-printer-no-counter")).await;
            kiosk.screenshot(&at("a11y-start-no-printer")).await;

            kiosk.tap("button[data-field='A']").await;
            kiosk.tap("button[data-priority='none']").await;
            kiosk
                .wait_for(
                    "the countdown",
                    "document.body.dataset.screen === 'ticket' && !document.getElementById('ticket-countdown').hidden",
                )
                .await;
            kiosk.wait_for("the QR code", QR_LOADED).await;
            check(&kiosk, lang, &at("ticket-unprinted")).await;

            skip(&kiosk, 75).await;
            kiosk
                .wait_for(
                    "the warning over the ticket",
                    "document.querySelector('#timeout[data-open]')",
                )
                .await;
            check(&kiosk, lang, &at("more-time-ticket")).await;
            kiosk.screenshot(&at("a11y-more-time-ticket")).await;
            kiosk.tap("#timeout button[data-action='done']").await;
            kiosk
                .wait_for(
                    "the start screen",
                    "document.body.dataset.screen === 'start'",
                )
                .await;
        }
        kiosk.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_hall_a_hall_on_a_break_and_an_unpaired_kiosk_pass_axe_with_big_targets() {
    let hall = TestHall::start().await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    for (width, height) in SIZES {
        // Not paired yet (a fresh browser, no token).
        let kiosk = Browser::open(width, height).await;
        kiosk.goto(&hall.url("/kiosk/")).await;
        kiosk
            .wait_for(
                "the pairing screen",
                "document.body.dataset.screen === 'unpaired' && document.querySelector('h1')",
            )
            .await;
        check(&kiosk, "vi", &format!("unpaired-{width}x{height}")).await;
        kiosk
            .screenshot(&format!("a11y-unpaired-{width}x{height}"))
            .await;

        // No counter open: the hall is closed, no field takes a number.
        kiosk
            .goto(&hall.url(&format!("/kiosk/?token={token}")))
            .await;
        kiosk
            .wait_for(
                "the closed hall",
                "document.body.dataset.connected === 'true' && document.querySelector('.title.closed h1')?.innerText === 'Bộ phận một cửa chưa mở cửa'",
            )
            .await;
        check(&kiosk, "vi", &format!("hall-closed-{width}x{height}-vi")).await;
        kiosk.tap("#lang").await;
        kiosk
            .wait_for(
                "English",
                "document.querySelector('.title.closed h1')?.innerText === 'The hall is not open yet'",
            )
            .await;
        check(&kiosk, "en", &format!("hall-closed-{width}x{height}-en")).await;
        kiosk
            .screenshot(&format!("a11y-hall-closed-{width}x{height}-en"))
            .await;
        kiosk.close().await;
    }

    // Counter 2 (B and E) opens, then pauses: the hall is on a break, B and E still take numbers.
    let clerk = hall.clerk_at("lan", 2).await;
    let (status, body) = clerk
        .post("/api/counters/2/pause", json!({"reason": "Họp"}))
        .await;
    assert_eq!(status, 200, "{body}");
    for (width, height) in SIZES {
        let kiosk = Browser::open(width, height).await;
        for lang in LANGS {
            start_in(
                &kiosk,
                &hall,
                &token,
                lang,
                "document.querySelector(\"button.field.break[data-field='B']\")",
            )
            .await;
            check(&kiosk, lang, &format!("hall-break-{width}x{height}-{lang}")).await;
        }
        kiosk.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_with_its_server_unreachable_passes_axe_with_big_targets() {
    for (width, height) in SIZES {
        for lang in LANGS {
            let at = |what: &str| format!("{what}-{width}x{height}-{lang}");
            let mut hall = TestHall::start().await;
            let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
            let _clerk = hall.clerk_at("lan", 1).await;
            let kiosk = Browser::open(width, height).await;
            start_in(&kiosk, &hall, &token, lang, FIELD_A_OPEN).await;
            kiosk.tap("button[data-field='A']").await;
            kiosk
                .wait_for(
                    "the priority step",
                    "document.body.dataset.screen === 'priority'",
                )
                .await;

            // The hall's server goes away: the kiosk says it is reconnecting.
            hall.stop().await;
            kiosk
                .wait_for(
                    "the reconnecting veil",
                    "document.body.dataset.connected === 'false' && getComputedStyle(document.getElementById('overlay')).opacity === '1'",
                )
                .await;
            check(&kiosk, lang, &at("reconnecting")).await;

            // A tap that got through just before the veil: no number, and the kiosk says so.
            kiosk
                .eval("document.querySelector(\"button[data-priority='none']\").click()")
                .await;
            kiosk
                .wait_for(
                    "the error",
                    "document.querySelector(\".error[data-error='try_again']\")",
                )
                .await;
            check(&kiosk, lang, &at("unreachable-error")).await;
            kiosk.screenshot(&at("a11y-unreachable")).await;
            kiosk.close().await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_whose_printer_is_away_and_its_waiting_ticket_pass_axe_with_big_targets() {
    let hall = TestHall::start().await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    // The kiosk has a printer, but its agent is not running.
    let _printer_token = hall.printer("printer-1", "kiosk-1");
    let _clerk = hall.clerk_at("lan", 1).await;
    for (width, height) in SIZES {
        let kiosk = Browser::open(width, height).await;
        for lang in LANGS {
            let at = |what: &str| format!("{what}-{width}x{height}-{lang}");
            start_in(
                &kiosk,
                &hall,
                &token,
                lang,
                "document.querySelector(\".banner[data-banner='printer-down']\")",
            )
            .await;
            check(&kiosk, lang, &at("start-printer-down")).await;
            kiosk.tap("button[data-field='A']").await;
            kiosk.tap("button[data-priority='none']").await;
            kiosk
                .wait_for(
                    "the ticket waiting for its printer",
                    "document.body.dataset.screen === 'ticket' && document.getElementById('print-status').dataset.state === 'waiting'",
                )
                .await;
            kiosk.wait_for("the QR code", QR_LOADED).await;
            check(&kiosk, lang, &at("ticket-waiting")).await;
            kiosk.tap("button[data-action='done']").await;
            kiosk
                .wait_for(
                    "the start screen",
                    "document.body.dataset.screen === 'start'",
                )
                .await;
        }
        kiosk.close().await;
    }
}

/// Book field A today in the first open window from `from` ("08:30"), for `person`.
async fn book(hall: &TestHall, from: &str, person: &str) -> serde_json::Value {
    let citizen = hall.anonymous();
    let (status, calendar) = citizen.get("/api/bookings/calendar?service=A").await;
    assert_eq!(status, 200, "{calendar}");
    let today = &calendar["days"][0];
    let window = today["windows"]
        .as_array()
        .and_then(|w| {
            w.iter().find(|w| {
                w["open"] == true
                    && w["free"].as_i64().unwrap_or(0) > 0
                    && w["start"].as_str().unwrap_or("") >= from
            })
        })
        .unwrap_or_else(|| panic!("an open window from {from} today: {today}"))
        .clone();
    let (status, booking) = citizen
        .post(
            "/api/bookings",
            json!({"service": "A", "day": today["day"], "window": window["start"],
                   "person": person, "consent": true}),
        )
        .await;
    assert_eq!(status, 201, "{booking}");
    booking
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_in_screen_its_refusals_and_a_booked_ticket_pass_axe_with_big_targets() {
    let hall = TestHall::start().await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    let now = book(&hall, "08:30", "0912345678").await;
    let later = book(&hall, "10:00", "0987654321").await;
    // Half past eight: the first booking may be checked in, the second not yet.
    let at = now["appointment_at"].as_i64().expect("appointment_at");
    hall.clock.set(
        chrono::TimeZone::timestamp_millis_opt(&chrono::Utc, at)
            .single()
            .expect("a time"),
    );
    for (width, height) in SIZES {
        let kiosk = Browser::open(width, height).await;
        for lang in LANGS {
            let at = |what: &str| format!("{what}-{width}x{height}-{lang}");
            start_in(
                &kiosk,
                &hall,
                &token,
                lang,
                "document.querySelector(\"button[data-action='booking']\")",
            )
            .await;
            check(&kiosk, lang, &at("start-bookings")).await;

            // A scan the kiosk cannot read: a short word over the screen.
            kiosk.scan("8934567890123").await;
            kiosk
                .wait_for(
                    "the notice",
                    "document.querySelector(\"#toast[data-notice='scan_unreadable']\")",
                )
                .await;
            check(&kiosk, lang, &at("scan-unreadable")).await;

            kiosk.tap("button[data-action='booking']").await;
            kiosk
                .wait_for(
                    "the check-in screen",
                    "document.body.dataset.screen === 'checkin'",
                )
                .await;
            check(&kiosk, lang, &at("check-in")).await;
            for key in ["K", "7", "M"] {
                kiosk.tap(&format!("button[data-key='{key}']")).await;
            }
            check(&kiosk, lang, &at("check-in-typing")).await;

            skip(&kiosk, 31).await;
            kiosk
                .wait_for(
                    "the warning",
                    "document.querySelector('#timeout[data-open]')",
                )
                .await;
            check(&kiosk, lang, &at("check-in-more-time")).await;
            kiosk.tap("button[data-action='more-time']").await;

            kiosk.scan(later["url"].as_str().expect("url")).await;
            kiosk
                .wait_for(
                    "too early",
                    "document.querySelector(\".error[data-error='too_early']\")",
                )
                .await;
            check(&kiosk, lang, &at("check-in-too-early")).await;
            kiosk.screenshot(&at("a11y-check-in-too-early")).await;

            // Checked in (the first time round; after it, the same ticket again).
            kiosk.scan(now["url"].as_str().expect("url")).await;
            kiosk
                .wait_for(
                    "the booked ticket",
                    "document.body.dataset.screen === 'ticket' && document.getElementById('ticket-booking')",
                )
                .await;
            kiosk.wait_for("the QR code", QR_LOADED).await;
            check(&kiosk, lang, &at("ticket-booked")).await;
            kiosk.screenshot(&at("a11y-ticket-booked")).await;
            kiosk.tap("button[data-action='done']").await;
            kiosk
                .wait_for(
                    "the start screen",
                    "document.body.dataset.screen === 'start'",
                )
                .await;
        }
        kiosk.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_online_only_day_passes_axe_with_big_targets() {
    let mut settings = motcua_hall::config::Settings::default();
    settings.bookings.online_only = true;
    let hall = TestHall::start_with(settings).await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    for (width, height) in SIZES {
        let kiosk = Browser::open(width, height).await;
        for lang in LANGS {
            let at = |what: &str| format!("{what}-{width}x{height}-{lang}");
            kiosk
                .goto(&hall.url(&format!("/kiosk/?token={token}")))
                .await;
            kiosk
                .wait_for(
                    "the online-only start screen",
                    "document.body.dataset.screen === 'start' && document.body.dataset.connected === 'true' && document.querySelector(\"[data-banner='online-only']\")",
                )
                .await;
            if lang == "en" {
                kiosk.tap("#lang").await;
                kiosk
                    .wait_for(
                        "English",
                        "document.documentElement.lang === 'en' && document.querySelector('h1')?.innerText === 'Please check in your booking'",
                    )
                    .await;
            }
            check(&kiosk, lang, &at("start-online-only")).await;
            kiosk.tap("button[data-field='A']").await;
            kiosk
                .wait_for(
                    "the priority step",
                    "document.body.dataset.screen === 'priority'",
                )
                .await;
            check(&kiosk, lang, &at("priority-online-only")).await;
        }
        kiosk.close().await;
    }
}
