//! The kiosk's steps in a real headless Chromium against the real hall, portrait (1080x1920)
//! and landscape (1920x1080): a regular number in two taps and a priority claim still
//! confirmed; a kiosk without a printer says so before anyone takes a number; a ticket that
//! did not print counts down and leaves the screen, so the next citizen never finds someone
//! else's number and QR code; a timed step asks "more time?" before it goes back to the start.
//!
//! Time on the page moves by its own hook (`window.motcuaKiosk.skip(seconds)`), the way the
//! hall's ManualClock moves the server's: no test waits for a timer. Screenshots land in
//! `target/test-artifacts/`.

use motcua_domain::DeviceKind;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;

/// A kiosk page, paired, on its start screen with field A open.
async fn kiosk_at(hall: &TestHall, token: &str, width: u32, height: u32) -> Browser {
    let kiosk = Browser::open(width, height).await;
    kiosk
        .goto(&hall.url(&format!("/kiosk/?token={token}")))
        .await;
    kiosk
        .wait_for(
            "field A open on the start screen",
            "document.body.dataset.screen === 'start' && document.querySelector(\"button[data-field='A']:not(:disabled)\")",
        )
        .await;
    kiosk
}

/// The seconds a countdown says are left ("… sau 87 giây"). Real time passes too while a
/// test looks (a screenshot takes a moment), so tests allow a few seconds less than skipped.
async fn seconds_left(kiosk: &Browser, css: &str) -> i64 {
    let css = css.replace('\'', "\\'");
    let n = kiosk
        .eval(&format!(
            "Number(((document.querySelector('{css}')?.innerText ?? '').match(/sau (\\d+) giây/) ?? [])[1])"
        ))
        .await;
    n.as_i64()
        .unwrap_or_else(|| panic!("no seconds in {css}: {n}"))
}

async fn skip(kiosk: &Browser, seconds: u32) {
    kiosk
        .eval(&format!("window.motcuaKiosk.skip({seconds})"))
        .await;
}

/// Every button in sight is at least 44 px each way (WCAG 2.5.5 for a touch screen).
async fn assert_targets_big_enough(kiosk: &Browser, what: &str) {
    let small = kiosk
        .eval(
            "[...document.querySelectorAll('button')].filter(b => b.offsetParent !== null)
               .map(b => [b.dataset.action || b.dataset.priority || b.dataset.field || b.id, b.getBoundingClientRect()])
               .filter(([, r]) => r.width < 44 || r.height < 44).map(([n]) => n)",
        )
        .await;
    assert_eq!(
        small,
        serde_json::json!([]),
        "small touch targets on {what}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_that_did_not_print_counts_down_and_leaves_the_screen_for_the_next_citizen() {
    let hall = TestHall::start().await;
    // No printer for this kiosk at all, as in a hall without one.
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    let kiosk = kiosk_at(&hall, &token, 1080, 1920).await;

    // The start screen says so before anyone takes a number.
    kiosk
        .wait_for(
            "the no-printer warning",
            "document.querySelector(\".banner[data-banner='no-printer']\")",
        )
        .await;
    let banner = kiosk.text(".banner[data-banner='no-printer']").await;
    assert!(
        banner.contains("Máy lấy số này không in phiếu: hãy chụp ảnh số của bạn")
            && banner.contains("This kiosk does not print tickets"),
        "Vietnamese first, English under it: {banner:?}"
    );
    assert_eq!(
        kiosk
            .eval("document.querySelectorAll(\".banner[data-banner='printer-down']\").length")
            .await,
        0,
        "no printer is not a broken printer"
    );
    kiosk.screenshot("kiosk-no-printer-1080x1920").await;

    kiosk.tap("button[data-field='A']").await;
    kiosk.tap("button[data-priority='none']").await;
    kiosk
        .wait_for("the ticket", "document.body.dataset.screen === 'ticket'")
        .await;
    assert_eq!(kiosk.text("#ticket-code").await, "A001");
    assert_eq!(
        kiosk
            .eval("document.getElementById('print-status').dataset.reason")
            .await,
        "no_printer"
    );
    // The countdown is in sight from the start, and the button says what ending it means.
    let countdown = kiosk.text("#ticket-countdown").await;
    assert!(
        countdown.contains("Để giữ kín số của bạn, màn hình sẽ tự đóng sau")
            && countdown.contains("To keep your number private, this screen closes in"),
        "{countdown:?}"
    );
    let left = seconds_left(&kiosk, "#ticket-countdown").await;
    assert!((85..=90).contains(&left), "90 s to start with: {left}");
    assert!(
        kiosk
            .text("button[data-action='done']")
            .await
            .contains("Tôi đã ghi lại số I have my number"),
    );
    kiosk.wait_for("the QR code", "document.getElementById('ticket-qr').complete && document.getElementById('ticket-qr').naturalWidth > 0").await;
    kiosk
        .screenshot("kiosk-unprinted-countdown-1080x1920")
        .await;
    assert_targets_big_enough(&kiosk, "the unprinted ticket").await;

    // A minute on, it is still there, counting.
    skip(&kiosk, 60).await;
    let left = seconds_left(&kiosk, "#ticket-countdown").await;
    assert!((22..=30).contains(&left), "counting: {left}");
    assert_eq!(kiosk.eval("document.body.dataset.screen").await, "ticket");

    // In its last 20 s it asks "more time?", leaving the number in sight.
    skip(&kiosk, left as u32 - 15).await;
    let warning = kiosk
        .wait_for(
            "the warning",
            "document.querySelector('#timeout[data-open]')?.innerText",
        )
        .await;
    let warning = warning.as_str().unwrap_or_default();
    assert!(
        warning.contains("Bạn cần thêm thời gian?") && warning.contains("Do you need more time?"),
        "{warning:?}"
    );
    let left = seconds_left(&kiosk, "#timeout").await;
    assert!(
        (10..=15).contains(&left),
        "the warning's own countdown: {left}"
    );
    assert_eq!(kiosk.text("#ticket-code").await, "A001");
    kiosk
        .screenshot("kiosk-unprinted-more-time-1080x1920")
        .await;
    assert_targets_big_enough(&kiosk, "the warning").await;

    // A stranger's touch on the screen does not keep it; the citizen's "more time" does.
    kiosk.tap("#ticket-code").await;
    assert_eq!(
        kiosk
            .eval("!!document.querySelector('#timeout[data-open]')")
            .await,
        true
    );
    kiosk.tap("button[data-action='more-time']").await;
    kiosk
        .wait_for(
            "the countdown from the top",
            "!document.querySelector('#timeout[data-open]') && !document.getElementById('ticket-countdown').hidden",
        )
        .await;
    let left = seconds_left(&kiosk, "#ticket-countdown").await;
    assert!((85..=90).contains(&left), "90 s again: {left}");

    // Untouched, it goes: the next citizen finds the start screen, not A001.
    skip(&kiosk, 91).await;
    kiosk
        .wait_for(
            "the start screen",
            "document.body.dataset.screen === 'start'",
        )
        .await;
    assert_eq!(
        kiosk
            .eval("document.getElementById('ticket-code') === null && document.getElementById('ticket-qr') === null")
            .await,
        true
    );
    kiosk.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn i_have_my_number_ends_an_unprinted_ticket_at_once_on_a_landscape_kiosk() {
    let hall = TestHall::start().await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    let kiosk = kiosk_at(&hall, &token, 1920, 1080).await;
    kiosk
        .wait_for(
            "the no-printer warning",
            "document.querySelector(\".banner[data-banner='no-printer']\")",
        )
        .await;
    kiosk.screenshot("kiosk-no-printer-1920x1080").await;
    kiosk.tap("button[data-field='A']").await;
    kiosk.tap("button[data-priority='none']").await;
    kiosk
        .wait_for(
            "the countdown",
            "document.body.dataset.screen === 'ticket' && !document.getElementById('ticket-countdown').hidden",
        )
        .await;
    kiosk.wait_for("the QR code", "document.getElementById('ticket-qr').complete && document.getElementById('ticket-qr').naturalWidth > 0").await;
    kiosk
        .screenshot("kiosk-unprinted-countdown-1920x1080")
        .await;
    skip(&kiosk, 75).await;
    kiosk
        .wait_for(
            "the warning",
            "document.querySelector('#timeout[data-open]')",
        )
        .await;
    kiosk
        .screenshot("kiosk-unprinted-more-time-1920x1080")
        .await;
    // The warning carries "I have my number" too.
    kiosk.tap("#timeout button[data-action='done']").await;
    kiosk
        .wait_for(
            "the start screen",
            "document.body.dataset.screen === 'start' && !document.querySelector('#timeout[data-open]')",
        )
        .await;
    assert_eq!(
        kiosk.eval("document.getElementById('ticket-code')").await,
        serde_json::Value::Null
    );
    kiosk.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_step_asks_for_more_time_before_it_goes_back_to_the_start() {
    let hall = TestHall::start().await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    for (width, height) in [(1080, 1920), (1920, 1080)] {
        let kiosk = kiosk_at(&hall, &token, width, height).await;
        kiosk.tap("button[data-field='A']").await;
        kiosk
            .wait_for(
                "the priority step",
                "document.body.dataset.screen === 'priority'",
            )
            .await;
        skip(&kiosk, 27).await;
        assert_eq!(
            kiosk
                .eval("!!document.querySelector('#timeout[data-open]')")
                .await,
            false,
            "no warning before its time"
        );
        skip(&kiosk, 4).await;
        let warning = kiosk
            .wait_for(
                "the warning",
                "document.querySelector('#timeout[data-open]')?.innerText",
            )
            .await;
        let warning = warning.as_str().unwrap_or_default();
        assert!(
            warning.contains("Bạn cần thêm thời gian?")
                && warning.contains("Màn hình sẽ trở về trang đầu sau")
                && warning.contains("Cho tôi thêm thời gian"),
            "{warning:?}"
        );
        let left = seconds_left(&kiosk, "#timeout").await;
        assert!((12..=19).contains(&left), "20 s to answer: {left}");
        kiosk
            .screenshot(&format!("kiosk-more-time-{width}x{height}"))
            .await;
        kiosk.tap("button[data-action='more-time']").await;
        kiosk
            .wait_for(
                "the warning to go",
                "!document.querySelector('#timeout[data-open]')",
            )
            .await;
        assert_eq!(kiosk.eval("document.body.dataset.screen").await, "priority");

        // The confirm step warns the same way, and without an answer goes back to the start.
        kiosk.tap("button[data-priority='elderly']").await;
        kiosk
            .wait_for(
                "the confirm step",
                "document.body.dataset.screen === 'confirm'",
            )
            .await;
        skip(&kiosk, 31).await;
        kiosk
            .wait_for(
                "the warning",
                "document.querySelector('#timeout[data-open]')",
            )
            .await;
        assert_eq!(kiosk.eval("document.body.dataset.screen").await, "confirm");
        skip(&kiosk, 20).await;
        kiosk
            .wait_for(
                "the start screen",
                "document.body.dataset.screen === 'start' && !document.querySelector('#timeout[data-open]')",
            )
            .await;
        kiosk.close().await;
    }
    // Nothing was issued on the way.
    let (status, body) = hall.anonymous().get("/api/services").await;
    assert_eq!(status, 200);
    let a = body["services"]
        .as_array()
        .and_then(|l| l.iter().find(|s| s["code"] == "A"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(a["waiting"], 0, "{a}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_regular_number_takes_two_taps_and_a_priority_claim_is_still_confirmed() {
    let hall = TestHall::start().await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    for (width, height) in [(1080, 1920), (1920, 1080)] {
        let kiosk = kiosk_at(&hall, &token, width, height).await;
        assert_targets_big_enough(&kiosk, "the start screen").await;

        // Two taps: the field, then "No: get a regular number".
        kiosk.tap("button[data-field='A']").await;
        kiosk
            .wait_for(
                "the priority step",
                "document.body.dataset.screen === 'priority'",
            )
            .await;
        assert_targets_big_enough(&kiosk, "the priority step").await;
        assert!(
            kiosk
                .text("button[data-priority='none']")
                .await
                .contains("Không: lấy số thường"),
        );
        kiosk
            .screenshot(&format!("kiosk-priority-{width}x{height}"))
            .await;
        kiosk.tap("button[data-priority='none']").await;
        let code = kiosk
            .wait_for(
                "the ticket after two taps",
                "document.body.dataset.screen === 'ticket' && document.getElementById('ticket-code').textContent.trim()",
            )
            .await;
        assert!(code.as_str().is_some_and(|c| c.starts_with('A')), "{code}");
        assert_eq!(
            kiosk
                .eval("document.querySelector('.tprio') === null")
                .await,
            true,
            "a regular number"
        );
        kiosk.tap("button[data-action='done']").await;

        // A priority claim: chosen, then confirmed on its own screen before any number.
        kiosk.tap("button[data-field='A']").await;
        kiosk.tap("button[data-priority='elderly']").await;
        kiosk
            .wait_for(
                "the confirm step",
                "document.body.dataset.screen === 'confirm'",
            )
            .await;
        assert!(kiosk.text(".summary").await.contains("Người cao tuổi"));
        assert_targets_big_enough(&kiosk, "the confirm step").await;
        kiosk.tap("button[data-action='confirm']").await;
        let prio = kiosk
            .wait_for(
                "the priority ticket",
                "document.body.dataset.screen === 'ticket' && document.querySelector('.tprio')?.innerText",
            )
            .await;
        assert!(
            prio.as_str().is_some_and(|p| p.contains("Người cao tuổi")),
            "{prio}"
        );
        kiosk.close().await;
    }
    // Four tickets, two of them priority, nothing more.
    let (_, body) = hall.anonymous().get("/api/services").await;
    let a = body["services"]
        .as_array()
        .and_then(|l| l.iter().find(|s| s["code"] == "A"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(a["waiting"], 4, "{a}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printed_ticket_keeps_its_short_stay_without_a_countdown() {
    let hall = TestHall::start().await;
    let printing = motcua_tests::print_agent::PrintingKiosk::start(&hall).await;
    let (token, printer) = (&printing.token, &printing.printer);
    let _clerk = hall.clerk_at("lan", 1).await;
    let kiosk = kiosk_at(&hall, token, 1080, 1920).await;
    // A kiosk with a working printer warns of nothing.
    assert_eq!(
        kiosk
            .eval("document.querySelectorAll('.banner').length")
            .await,
        0
    );

    kiosk.tap("button[data-field='A']").await;
    kiosk.tap("button[data-priority='none']").await;
    kiosk
        .wait_for(
            "the printed ticket",
            "document.getElementById('print-status')?.dataset.state === 'printed'",
        )
        .await;
    printer.wait_for_tickets(1).await;
    assert_eq!(
        kiosk
            .eval("document.getElementById('ticket-countdown').hidden")
            .await,
        true,
        "the ticket is in the citizen's hand: nothing to count down"
    );
    assert_eq!(kiosk.text("button[data-action='done']").await, "OK");
    skip(&kiosk, 10).await;
    assert_eq!(kiosk.eval("document.body.dataset.screen").await, "ticket");
    assert_eq!(
        kiosk
            .eval("!!document.querySelector('#timeout[data-open]')")
            .await,
        false,
        "no warning for a printed ticket"
    );
    skip(&kiosk, 6).await;
    kiosk
        .wait_for(
            "the start screen",
            "document.body.dataset.screen === 'start'",
        )
        .await;
    kiosk.close().await;
}
