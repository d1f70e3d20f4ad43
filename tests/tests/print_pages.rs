//! The pages' side of "printed means printed", in a real headless Chromium against the
//! real hall: the kiosk shows the ticket and its QR code while its printer's agent is away,
//! says so in Vietnamese, and says it did not print (and why) when the job expires.
//! Screenshots land in `target/test-artifacts/`.

use motcua_domain::DeviceKind;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_shows_the_ticket_and_its_qr_while_its_printer_is_away_then_says_why_it_did_not_print()
 {
    let hall = TestHall::start().await;
    let kiosk_token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    // The kiosk has a printer, but its agent is not running.
    let _printer_token = hall.printer("printer-1", "kiosk-1");
    let _clerk = hall.clerk_at("lan", 1).await; // field A is open

    let kiosk = Browser::open(1080, 1920).await;
    kiosk
        .goto(&hall.url(&format!("/kiosk/?token={kiosk_token}")))
        .await;
    kiosk
        .wait_for(
            "the start screen",
            "document.body.dataset.screen === 'start'",
        )
        .await;
    let banner = kiosk
        .wait_for(
            "the printer's trouble on the start screen",
            "document.querySelector('.banner') && document.querySelector('.banner').innerText",
        )
        .await;
    assert!(
        banner
            .as_str()
            .is_some_and(|b| b.contains("máy in đang mất kết nối")),
        "the start screen names the real reason, in Vietnamese: {banner}"
    );

    kiosk.click("button[data-field='A']").await;
    kiosk.click("button[data-priority='none']").await;
    kiosk.click("button[data-action='confirm']").await;
    kiosk
        .wait_for("the ticket", "document.body.dataset.screen === 'ticket'")
        .await;
    let state = kiosk
        .wait_for(
            "the print status",
            "document.getElementById('print-status').dataset.state",
        )
        .await;
    assert_eq!(state, "waiting", "a job for an absent agent waits");
    assert_eq!(
        kiosk
            .eval("document.getElementById('print-status').dataset.reason")
            .await,
        "printer_away"
    );
    let words = kiosk
        .eval("document.getElementById('print-status').innerText")
        .await;
    let words = words.as_str().unwrap_or_default();
    assert!(
        words.contains("Đang chờ máy in: máy in đang mất kết nối")
            && words.contains("Phiếu vẫn có hiệu lực")
            && words.contains("Waiting for the printer: the printer is not connected"),
        "Vietnamese first, English under it: {words:?}"
    );
    assert_eq!(
        kiosk
            .eval("document.getElementById('ticket-code').textContent.trim()")
            .await,
        "A001"
    );
    kiosk.wait_for("the QR code", "document.getElementById('ticket-qr').complete && document.getElementById('ticket-qr').naturalWidth > 0").await;
    kiosk
        .screenshot("kiosk-waiting-for-printer-1080x1920")
        .await;

    // Nobody prints it before the job expires: the kiosk says it did not print, and why.
    hall.clock.advance(chrono::Duration::seconds(
        hall.settings.printing.job_expiry_seconds as i64 + 1,
    ));
    kiosk
        .wait_for(
            "the failed print",
            "document.getElementById('print-status').dataset.state === 'failed'",
        )
        .await;
    let words = kiosk
        .eval("document.getElementById('print-status').innerText")
        .await;
    assert!(
        words
            .as_str()
            .is_some_and(|w| w.contains("Chưa in được phiếu (máy in đang mất kết nối)")),
        "{words}"
    );
    assert_eq!(
        kiosk.eval("document.body.dataset.screen").await,
        "ticket",
        "the ticket stays on screen"
    );
    kiosk.screenshot("kiosk-print-failed-1080x1920").await;
    kiosk.close().await;
}
