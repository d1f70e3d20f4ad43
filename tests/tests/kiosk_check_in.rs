//! The kiosk's booking scanner, in a real headless Chromium against the real hall: what a USB
//! 2D scanner types (key presses sent to the page, ended by Enter) is read by the rules of
//! kiosk-web/scan.js, checked in the page on a table of what scanners type; a scan the kiosk
//! cannot read says so briefly and sends nothing.

use fantoccini::Locator;
use motcua_domain::DeviceKind;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::json;

const ENTER: &str = "\u{e007}";
const CCCD_NUMBER: &str = "001099012345";
const CCCD_NAME: &str = "Nguyễn Văn An";
const CCCD_ADDRESS: &str = "Số 1 phố Hàng Bạc, Hoàn Kiếm, Hà Nội";

/// What the back of a chip ID card holds, as its QR code says it.
fn cccd_text() -> String {
    format!("{CCCD_NUMBER}|123456789|{CCCD_NAME}|01011990|Nam|{CCCD_ADDRESS}|15062021")
}

/// A kiosk page, paired, on its start screen (with "I have a booking" when `bookings`).
async fn kiosk_at(hall: &TestHall, token: &str, width: u32, height: u32) -> Browser {
    let kiosk = Browser::open(width, height).await;
    kiosk
        .goto(&hall.url(&format!("/kiosk/?token={token}")))
        .await;
    kiosk
        .wait_for(
            "the start screen, connected",
            "document.body.dataset.screen === 'start' && document.body.dataset.connected === 'true'",
        )
        .await;
    kiosk
}

/// Type `text` as the scanner does: key presses into the page (no field has the focus), then
/// Enter.
async fn scan(kiosk: &Browser, text: &str) {
    let body = kiosk
        .client
        .find(Locator::Css("body"))
        .await
        .expect("the page");
    body.send_keys(&format!("{text}{ENTER}"))
        .await
        .expect("keys");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scan_rules_keep_a_booking_code_or_only_the_id_number_of_a_card() {
    let hall = TestHall::start().await;
    let page = Browser::open(800, 600).await;
    page.goto(&hall.url("/")).await;
    let cases = json!([
        ["http://192.168.1.10:8080/book/#K7M2QX9P", {"kind": "booking", "code": "K7M2QX9P"}],
        ["https://motcua.phuongmau.gov.vn/book#k7m2qx9p", {"kind": "booking", "code": "K7M2QX9P"}],
        ["K7M2-QX9P", {"kind": "booking", "code": "K7M2QX9P"}],
        ["k7m2 qx9p", {"kind": "booking", "code": "K7M2QX9P"}],
        [cccd_text(), {"kind": "person", "id": CCCD_NUMBER}],
        [format!("{CCCD_NUMBER}||{CCCD_NAME}|01011990|Nam|{CCCD_ADDRESS}|15062021"), {"kind": "person", "id": CCCD_NUMBER}],
        // Not a code: 0, 1, I and O are not in its alphabet; seven characters are too few.
        ["K7M2QX9O", {"kind": "unknown"}],
        ["K7M2QX9", {"kind": "unknown"}],
        ["http://192.168.1.10:8080/book/#K7M2", {"kind": "unknown"}],
        // A ticket's own QR, a dossier receipt's, an old 9-digit ID card's text.
        ["http://192.168.1.10:8080/t/0123456789abcdef0123456789abcdef", {"kind": "unknown"}],
        ["H01.123-250101-0001|1.001234|001099012345|25/01/2025", {"kind": "unknown"}],
        ["123456789|Nguyễn Văn An|01011990", {"kind": "unknown"}],
        ["8934567890123", {"kind": "unknown"}],
    ]);
    let found = page
        .eval(&format!(
            "(async () => {{ const m = await import('/kiosk/scan.js'); return {cases}.map(([text]) => m.readScan(text)); }})()"
        ))
        .await;
    for (case, got) in cases
        .as_array()
        .expect("cases")
        .iter()
        .zip(found.as_array().expect("answers"))
    {
        assert_eq!(got, &case[1], "{} reads as {got}", case[0]);
    }
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_the_kiosk_cannot_read_says_so_and_leaves_the_screen_as_it_was() {
    let hall = TestHall::start().await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    let kiosk = kiosk_at(&hall, &token, 1080, 1920).await;
    kiosk
        .eval(
            "(() => { window.sent = []; const f = window.fetch; window.fetch = (url, init) => { window.sent.push(String(url)); return f(url, init); }; return true; })()",
        )
        .await;
    // A product's barcode.
    scan(&kiosk, "8934567890123").await;
    let said = kiosk
        .wait_for(
            "the notice",
            "document.querySelector(\"#toast[data-notice='scan_unreadable']\")?.innerText",
        )
        .await;
    let said = said.as_str().unwrap_or_default();
    assert!(
        said.contains("Không đọc được mã") && said.contains("Could not read this code"),
        "{said:?}"
    );
    assert_eq!(kiosk.eval("document.body.dataset.screen").await, "start");
    assert_eq!(kiosk.eval("window.sent").await, json!([]), "nothing sent");
    kiosk.close().await;
}
