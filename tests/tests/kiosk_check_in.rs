//! Bookings checked in at the kiosk, in a real headless Chromium against the real hall with a
//! hand-moved clock: a booking's address typed as a USB 2D scanner types it (key presses sent
//! to the page, ended by Enter) on the start screen and on the field's screen, its ticket shown
//! and printed like any other with its booked time; the keypad's way; a chip ID card's QR,
//! of which only the 12-digit number ever leaves the page; a booking scanned too early says
//! from when, one come too late says it is an ordinary number (or, where the hall refuses
//! late bookings, that it was refused); a scan the kiosk cannot read says so briefly; and on
//! an online-only day the start screen offers the booking first and walk-in numbers to the
//! priority kinds alone.
//!
//! The scan rules themselves (kiosk-web/scan.js) are checked in the page, on a table of what
//! scanners type.

use chrono::{DateTime, TimeZone, Utc};
use motcua_domain::DeviceKind;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::{Value, json};

const CCCD_NUMBER: &str = "001099012345";
const CCCD_NAME: &str = "Nguyễn Văn An";
const CCCD_ADDRESS: &str = "Số 1 phố Hàng Bạc, Hoàn Kiếm, Hà Nội";

/// What the back of a chip ID card holds, as its QR code says it.
fn cccd_text() -> String {
    format!("{CCCD_NUMBER}|123456789|{CCCD_NAME}|01011990|Nam|{CCCD_ADDRESS}|15062021")
}

/// The demo hall, which takes bookings (online-only if asked).
async fn hall_taking_bookings(online_only: bool) -> TestHall {
    let mut settings = motcua_hall::config::Settings::default();
    settings.bookings.enabled = true;
    settings.bookings.online_only = online_only;
    TestHall::start_with(settings).await
}

/// Book field `service` today in the first window still open that starts at or after `from`
/// ("08:30"), for `person`: the Booking.
async fn book(hall: &TestHall, service: &str, from: &str, person: &str) -> Value {
    let citizen = hall.anonymous();
    let (status, calendar) = citizen
        .get(&format!("/api/bookings/calendar?service={service}"))
        .await;
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
            json!({"service": service, "day": today["day"], "window": window["start"],
                   "person": person, "consent": true}),
        )
        .await;
    assert_eq!(
        status, 201,
        "book {service} at {}: {booking}",
        window["start"]
    );
    booking
}

/// Move the hall's clock to the booking's own time: it may be checked in now.
fn at_appointment(hall: &TestHall, booking: &Value) {
    let at = booking["appointment_at"].as_i64().expect("appointment_at");
    let at: DateTime<Utc> = Utc.timestamp_millis_opt(at).single().expect("a time");
    hall.clock.set(at);
}

/// The ticket screen of a checked-in booking: its code.
async fn booked_ticket(kiosk: &Browser) -> String {
    kiosk
        .wait_for(
            "the booked number's ticket",
            "document.body.dataset.screen === 'ticket' && document.getElementById('ticket-booking') && document.getElementById('ticket-code').textContent.trim()",
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
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
        // A dossier's receipt: its two codes, nothing of the applicant (kiosk_result.rs has
        // the receipt's forms).
        ["H01.123-250101-0001|1.001234|001099012345|25/01/2025", {"kind": "receipt", "dossier": "H01.123-250101-0001", "procedure": "1.001234"}],
        // A ticket's own QR, an old 9-digit ID card's text.
        ["http://192.168.1.10:8080/t/0123456789abcdef0123456789abcdef", {"kind": "unknown"}],
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
async fn a_booking_url_typed_as_a_scanner_types_it_checks_in_on_the_start_and_the_field_screen_and_prints()
 {
    let hall = hall_taking_bookings(false).await;
    let printing = motcua_tests::print_agent::PrintingKiosk::start(&hall).await;
    let (token, printer) = (&printing.token, &printing.printer);
    let _clerk = hall.clerk_at("lan", 1).await;
    let first = book(&hall, "A", "08:30", "0912345678").await;
    let second = book(&hall, "A", "08:30", "0987654321").await;
    at_appointment(&hall, &first);
    let kiosk = Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), 1080, 1920).await;

    // On the start screen: the booking's address, as its QR says it.
    kiosk.scan(first["url"].as_str().expect("url")).await;
    let code = booked_ticket(&kiosk).await;
    let appointment = first["appointment"].as_str().expect("appointment");
    let said = kiosk.text("#ticket-booking").await;
    assert!(
        said.contains(&format!("Số hẹn — được gọi theo giờ hẹn {appointment}"))
            && said.contains(&format!(
                "Booked number — called at its booked time {appointment}"
            )),
        "{said:?}"
    );
    kiosk
        .wait_for(
            "the printed ticket",
            "document.getElementById('print-status')?.dataset.state === 'printed'",
        )
        .await;
    printer.wait_for_tickets(1).await;
    kiosk.screenshot("kiosk-check-in-scanned-1080x1920").await;
    let (_, looked) = hall
        .anonymous()
        .get(&format!(
            "/api/bookings/{}",
            first["code"].as_str().expect("code")
        ))
        .await;
    assert_eq!(looked["status"], "checked_in", "{looked}");
    assert_eq!(looked["ticket"]["code"], code.as_str(), "{looked}");
    kiosk.tap("button[data-action='done']").await;

    // On the field's screen (someone chose a field, then remembered the booking): the same.
    kiosk.tap("button[data-field='A']").await;
    kiosk
        .wait_for(
            "the priority step",
            "document.body.dataset.screen === 'priority'",
        )
        .await;
    kiosk.scan(second["url"].as_str().expect("url")).await;
    let second_code = booked_ticket(&kiosk).await;
    assert_ne!(second_code, code, "a ticket of its own");
    kiosk
        .wait_for(
            "the printed ticket",
            "document.getElementById('print-status')?.dataset.state === 'printed'",
        )
        .await;
    printer.wait_for_tickets(2).await;
    kiosk.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keypad_checks_a_booking_in_by_its_code() {
    let hall = hall_taking_bookings(false).await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    let booking = book(&hall, "A", "08:30", "0912345678").await;
    at_appointment(&hall, &booking);
    let mut first: Option<String> = None;
    for (width, height) in [(1080, 1920), (1920, 1080)] {
        let kiosk =
            Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), width, height).await;
        kiosk.tap("button[data-action='booking']").await;
        kiosk
            .wait_for(
                "the check-in screen",
                "document.body.dataset.screen === 'checkin'",
            )
            .await;
        let code = booking["code"].as_str().expect("code");
        // A slip of the finger, taken back.
        kiosk.tap("button[data-key='Z']").await;
        kiosk.tap("button[data-action='erase']").await;
        for ch in code.chars() {
            kiosk.tap(&format!("button[data-key='{ch}']")).await;
        }
        assert_eq!(
            kiosk
                .eval("document.getElementById('checkin-code').dataset.code")
                .await,
            code
        );
        kiosk
            .screenshot(&format!("kiosk-check-in-keypad-{width}x{height}"))
            .await;
        kiosk.tap("button[data-action='check-in']").await;
        // Checked in once; the second time it answers the same ticket, printed no more.
        let ticket = booked_ticket(&kiosk).await;
        assert!(ticket.starts_with('A'), "{ticket}");
        match &first {
            None => first = Some(ticket),
            Some(before) => {
                assert_eq!(&ticket, before, "the same ticket again");
                assert_eq!(
                    kiosk
                        .eval("document.getElementById('print-status').dataset.state")
                        .await,
                    "again"
                );
                let said = kiosk.text("#print-status").await;
                assert!(
                    said.contains("Lịch hẹn này đã được xác nhận trước đó"),
                    "{said:?}"
                );
            }
        }
        kiosk.close().await;
    }
    let (_, looked) = hall
        .anonymous()
        .get(&format!(
            "/api/bookings/{}",
            booking["code"].as_str().expect("code")
        ))
        .await;
    assert_eq!(looked["status"], "checked_in", "{looked}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chip_id_card_scan_checks_in_by_its_number_and_the_name_and_address_never_leave_the_page()
{
    let hall = hall_taking_bookings(false).await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    let booking = book(&hall, "A", "08:30", CCCD_NUMBER).await;
    at_appointment(&hall, &booking);
    let kiosk = Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), 1080, 1920).await;
    // Every request the page makes, with its body, from now on.
    kiosk
        .eval(
            "(() => { window.sent = []; const f = window.fetch; window.fetch = (url, init) => { window.sent.push([String(url), init?.body ?? null]); return f(url, init); }; return true; })()",
        )
        .await;

    kiosk.scan(&cccd_text()).await;
    let code = booked_ticket(&kiosk).await;
    let (_, looked) = hall
        .anonymous()
        .get(&format!(
            "/api/bookings/{}",
            booking["code"].as_str().expect("code")
        ))
        .await;
    assert_eq!(looked["ticket"]["code"], code.as_str(), "{looked}");

    let sent = kiosk.eval("window.sent").await;
    let check_ins: Vec<&Value> = sent
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| r[0].as_str().is_some_and(|u| u.ends_with("/api/check-in")))
        .collect();
    assert_eq!(check_ins.len(), 1, "one check-in: {sent}");
    let body: Value =
        serde_json::from_str(check_ins[0][1].as_str().expect("a JSON body")).expect("JSON");
    let keys: Vec<&String> = body.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["person", "request_id"], "{body}");
    assert_eq!(body["person"], CCCD_NUMBER);
    for (what, secret) in [
        ("name", CCCD_NAME),
        ("address", CCCD_ADDRESS),
        ("date of birth", "01011990"),
        ("old ID number", "123456789|"),
    ] {
        assert!(
            !sent.to_string().contains(secret),
            "the card's {what} left the page: {sent}"
        );
    }
    // Nothing of the card is on the screen or kept by the page either.
    let kept = kiosk
        .eval("document.body.innerText + JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
        .await;
    let kept = kept.as_str().unwrap_or_default();
    for secret in [CCCD_NUMBER, CCCD_NAME, "Nguy", "Hàng Bạc"] {
        assert!(!kept.contains(secret), "{secret:?} is kept: {kept}");
    }
    kiosk.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_scanned_too_early_says_from_when_to_come_back() {
    let hall = hall_taking_bookings(false).await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    // Booked for the late morning; it is 08:00.
    let booking = book(&hall, "A", "10:00", "0912345678").await;
    let from = booking["check_in"]["from"].as_str().expect("check_in.from");
    let kiosk = Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), 1080, 1920).await;
    kiosk
        .scan(booking["code_display"].as_str().expect("code_display"))
        .await;
    let refusal = kiosk
        .wait_for(
            "the refusal",
            "document.querySelector(\".error[data-error='too_early']\")?.innerText",
        )
        .await;
    let refusal = refusal.as_str().unwrap_or_default();
    assert!(
        refusal.contains(&format!("Mời quay lại từ {from}"))
            && refusal.contains(&format!("Please come back from {from}")),
        "{refusal:?}"
    );
    assert_eq!(kiosk.eval("document.body.dataset.screen").await, "checkin");
    kiosk.screenshot("kiosk-check-in-too-early-1080x1920").await;
    // Nothing was issued.
    let (_, looked) = hall
        .anonymous()
        .get(&format!(
            "/api/bookings/{}",
            booking["code"].as_str().expect("code")
        ))
        .await;
    assert_eq!(looked["status"], "booked", "{looked}");
    // Left alone, the screen goes back to the start like the others.
    kiosk.eval("window.motcuaKiosk.skip(31)").await;
    kiosk
        .wait_for(
            "the warning",
            "document.querySelector('#timeout[data-open]')",
        )
        .await;
    kiosk.eval("window.motcuaKiosk.skip(20)").await;
    kiosk
        .wait_for(
            "the start screen",
            "document.body.dataset.screen === 'start'",
        )
        .await;
    kiosk.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_the_kiosk_cannot_read_says_so_and_leaves_the_screen_as_it_was() {
    let hall = TestHall::start().await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    let kiosk = Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), 1080, 1920).await;
    kiosk
        .eval(
            "(() => { window.sent = []; const f = window.fetch; window.fetch = (url, init) => { window.sent.push(String(url)); return f(url, init); }; return true; })()",
        )
        .await;
    // A product's barcode.
    kiosk.scan("8934567890123").await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_only_the_start_screen_offers_the_booking_first_and_walk_ins_only_to_the_priority_kinds()
 {
    let hall = hall_taking_bookings(true).await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    for (width, height) in [(1080, 1920), (1920, 1080)] {
        let kiosk =
            Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), width, height).await;
        let why = kiosk
            .wait_for(
                "why walk-ins are for the priority kinds",
                "document.querySelector(\"[data-banner='online-only']\")?.innerText",
            )
            .await;
        let why = why.as_str().unwrap_or_default();
        assert!(
            why.contains("Hôm nay bộ phận một cửa chỉ tiếp nhận công dân đã đặt lịch; số trực tiếp chỉ dành cho đối tượng ưu tiên"),
            "{why:?}"
        );
        // The booking comes first: before any field.
        assert_eq!(
            kiosk
                .eval("(() => { const b = document.querySelector(\"button[data-action='booking']\"); const f = document.querySelector('button[data-field]'); return !!b && !!(b.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING); })()")
                .await,
            true
        );
        kiosk
            .screenshot(&format!("kiosk-online-only-{width}x{height}"))
            .await;
        kiosk.tap("button[data-field='A']").await;
        kiosk
            .wait_for(
                "the priority step",
                "document.body.dataset.screen === 'priority' && document.querySelector(\"button[data-priority='elderly']\")",
            )
            .await;
        assert_eq!(
            kiosk
                .eval("document.querySelector(\"button[data-priority='none']\")")
                .await,
            Value::Null,
            "no regular number on an online-only day"
        );
        assert!(
            kiosk
                .text("[data-banner='online-only']")
                .await
                .contains("số trực tiếp chỉ dành cho đối tượng ưu tiên")
        );
        kiosk
            .screenshot(&format!("kiosk-online-only-priority-{width}x{height}"))
            .await;
        // A priority claim still takes its number.
        kiosk.tap("button[data-priority='elderly']").await;
        kiosk.tap("button[data-action='confirm']").await;
        kiosk
            .wait_for(
                "the priority ticket",
                "document.body.dataset.screen === 'ticket' && document.querySelector('.tprio')",
            )
            .await;
        kiosk.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_booking_says_plainly_it_is_an_ordinary_number_or_that_it_was_refused() {
    // This hall turns late bookings into walk-ins (the default).
    let hall = hall_taking_bookings(false).await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    let booking = book(&hall, "A", "08:30", "0912345678").await;
    at_appointment(&hall, &booking);
    hall.clock.advance(chrono::Duration::minutes(40));
    let kiosk = Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), 1080, 1920).await;
    kiosk.scan(booking["url"].as_str().expect("url")).await;
    kiosk
        .wait_for(
            "the walk-in ticket",
            "document.body.dataset.screen === 'ticket' && document.querySelector(\"#ticket-booking[data-outcome='walk_in']\")",
        )
        .await;
    let said = kiosk.text("#ticket-booking").await;
    assert!(
        said.contains("Lịch hẹn đã quá giờ — đây là số thường")
            && said.contains("You came after your booking — this is an ordinary number"),
        "{said:?}"
    );
    let code = kiosk.text("#ticket-code").await;
    assert!(
        code.starts_with('A') && !code.starts_with("AH"),
        "an ordinary number: {code}"
    );
    kiosk.close().await;

    // This one refuses them.
    let mut settings = motcua_hall::config::Settings::default();
    settings.bookings.late_arrival = motcua_domain::booking::LateArrival::Refuse;
    let hall = TestHall::start_with(settings).await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    let booking = book(&hall, "A", "08:30", "0912345678").await;
    at_appointment(&hall, &booking);
    hall.clock.advance(chrono::Duration::minutes(40));
    let kiosk = Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), 1080, 1920).await;
    kiosk.scan(booking["code"].as_str().expect("code")).await;
    let refusal = kiosk
        .wait_for(
            "the refusal",
            "document.querySelector(\".error[data-error='late']\")?.innerText",
        )
        .await;
    let refusal = refusal.as_str().unwrap_or_default();
    assert!(
        refusal.contains("Lịch hẹn đã quá giờ")
            && refusal.contains("Mời lấy số thường hoặc hỏi cán bộ hướng dẫn"),
        "{refusal:?}"
    );
    kiosk.close().await;
}
