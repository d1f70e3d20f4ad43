//! The public booking page (`/book/`) checked by axe-core against WCAG 2.2 A/AA and for
//! finger-sized targets (44 px) at each of its steps, at a phone's 390x844, in Vietnamese and
//! again in English after the switch: the fields (with "Lịch hẹn của tôi"), the days (closed
//! ones greyed with their reason), the windows, the number and the consent (with a refusal
//! said), the booking with its QR and check-in rules, the cancel's confirm step, the
//! cancelled booking, a checked-in booking with its queue number, and a code that is no
//! booking.

use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::Value;

const PHONE: (u32, u32) = (390, 844);

async fn step(phone: &Browser, step: &str) {
    phone
        .wait_for(
            &format!("the {step} step"),
            &format!("document.body.dataset.step === '{step}'"),
        )
        .await;
}

/// The first day after today with a window that has a free place, and that window.
fn a_later_window(cal: &Value) -> (String, String) {
    for day in cal["days"].as_array().expect("days").iter().skip(1) {
        for window in day["windows"].as_array().expect("windows") {
            if window["open"] == true && window["free"].as_i64() > Some(0) {
                return (
                    day["day"].as_str().expect("day").to_owned(),
                    window["start"].as_str().expect("start").to_owned(),
                );
            }
        }
    }
    panic!("no day after today has a window with a free place: {cal}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_step_of_a_booking_passes_axe_with_finger_sized_targets_in_both_languages() {
    let hall = TestHall::start().await;
    let (status, cal) = hall
        .anonymous()
        .get("/api/bookings/calendar?service=A")
        .await;
    assert_eq!(status, 200, "{cal}");
    let (day, window) = a_later_window(&cal);
    let phone = Browser::open(PHONE.0, PHONE.1).await;

    phone.goto(&hall.url("/book/")).await;
    step(&phone, "fields").await;
    phone
        .assert_accessible_in_both_languages("book-fields")
        .await;

    phone.click("button[data-field='A']").await;
    step(&phone, "days").await;
    phone.assert_accessible_in_both_languages("book-days").await;

    phone.click(&format!("button[data-day='{day}']")).await;
    step(&phone, "windows").await;
    phone
        .assert_accessible_in_both_languages("book-windows")
        .await;

    phone
        .click(&format!("button[data-window='{window}']"))
        .await;
    step(&phone, "person").await;
    phone
        .assert_accessible_in_both_languages("book-person")
        .await;
    // A refusal said above the form (the consent not given).
    phone.type_into("#person", "0912345678").await;
    phone.click("#book").await;
    phone
        .wait_for(
            "the refusal",
            "document.getElementById('alert').innerText.trim()",
        )
        .await;
    phone
        .assert_accessible_in_both_languages("book-person-refused")
        .await;

    phone.click("#consent").await;
    phone.click("#book").await;
    step(&phone, "booking").await;
    phone
        .wait_for(
            "the QR drawn",
            "(function(i){ return i && i.complete && i.naturalWidth > 0; })(document.getElementById('qr'))",
        )
        .await;
    phone
        .assert_accessible_in_both_languages("book-booked")
        .await;

    phone.click("#cancel").await;
    phone
        .wait_for("the question", "document.getElementById('cancel-yes')")
        .await;
    phone
        .assert_accessible_in_both_languages("book-cancel-confirm")
        .await;

    phone.click("#cancel-yes").await;
    phone
        .wait_for("cancelled", "document.body.dataset.status === 'cancelled'")
        .await;
    phone
        .assert_accessible_in_both_languages("book-cancelled")
        .await;

    // A booking still to come is offered again at the start ("Lịch hẹn của tôi"), in a
    // window with room (the cancelled place is not freed at once).
    let (status, cal) = hall
        .anonymous()
        .get("/api/bookings/calendar?service=A")
        .await;
    assert_eq!(status, 200, "{cal}");
    let (day, window) = a_later_window(&cal);
    let (status, booking) = hall
        .anonymous()
        .post(
            "/api/bookings",
            serde_json::json!({"service": "A", "day": day, "window": window, "person": "0912000222", "consent": true}),
        )
        .await;
    assert!(status == 201, "{booking}");
    let code = booking["code"].as_str().expect("code");
    phone.goto(&hall.url(&format!("/book/#{code}"))).await;
    phone
        .wait_for(
            "the booking",
            &format!("document.body.dataset.step === 'booking' && location.hash === '#{code}'"),
        )
        .await;
    phone.click("#again").await;
    step(&phone, "fields").await;
    phone
        .wait_for("my booking", "!document.getElementById('mine').hidden")
        .await;
    phone
        .assert_accessible_in_both_languages("book-fields-with-mine")
        .await;

    // A booking checked in: its queue number and the link to the ticket's page. (08:30's
    // check-in opens at 08:00, the hall's clock now.)
    let today = cal["days"][0]["day"].as_str().expect("today").to_owned();
    let (status, booking) = hall
        .anonymous()
        .post(
            "/api/bookings",
            serde_json::json!({"service": "A", "day": today, "window": "08:30", "person": "0912000333", "consent": true}),
        )
        .await;
    assert_eq!(status, 201, "{booking}");
    let kiosk = hall.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    let (status, checked) = kiosk
        .post(
            "/api/check-in",
            serde_json::json!({"code": booking["code"], "request_id": "a11y-book-1"}),
        )
        .await;
    assert_eq!(status, 201, "{checked}");
    let code = booking["code"].as_str().expect("code");
    phone.goto(&hall.url(&format!("/book/#{code}"))).await;
    phone
        .wait_for(
            "checked in",
            "document.body.dataset.status === 'checked_in' && document.getElementById('ticket-link')",
        )
        .await;
    phone
        .assert_accessible_in_both_languages("book-checked-in")
        .await;

    // A code that is no booking.
    phone.goto(&hall.url("/book/#ZZZZ2222")).await;
    step(&phone, "missing").await;
    phone
        .assert_accessible_in_both_languages("book-missing")
        .await;
    phone.close().await;
}
