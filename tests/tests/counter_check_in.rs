//! A booking checked in at the counter, in the clerk's console (real Chromium, real hall,
//! hand-moved clock): the code typed (or scanned) into "Xác nhận lịch hẹn" gives the ticket,
//! which the clerk then calls as usual; a chip ID card scanned into the field checks in by its
//! number alone, nothing else of the card entering the field or leaving the page; a citizen
//! without the code is found by the phone number the booking was made with; a refusal is said
//! in words.

use chrono::{DateTime, TimeZone, Utc};
use motcua_domain::Role;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::{Value, json};

const ENTER: &str = "\u{e007}";
const CURRENT: &str = "document.getElementById('current-code').textContent.trim()";
const RESULT: &str = "document.getElementById('checkin-result')";

/// Book field `service` today in the first open window from `from`, for `person`.
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
    assert_eq!(status, 201, "{booking}");
    booking
}

fn at_appointment(hall: &TestHall, booking: &Value) {
    let at = booking["appointment_at"].as_i64().expect("appointment_at");
    let at: DateTime<Utc> = Utc.timestamp_millis_opt(at).single().expect("a time");
    hall.clock.set(at);
}

/// The booking as the hall has it now.
async fn looked_up(hall: &TestHall, booking: &Value) -> Value {
    let code = booking["code"].as_str().expect("code");
    let (status, body) = hall.anonymous().get(&format!("/api/bookings/{code}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Keys into the field as a scanner (or a clerk) types them, without clearing it first.
async fn keys(console: &Browser, css: &str, text: &str) {
    let field = console
        .client
        .find(fantoccini::Locator::Css(css))
        .await
        .expect("the field");
    field.send_keys(text).await.expect("keys");
}

/// The console of counter 1 (fields A and D), signed in as `lan`.
async fn console_at(hall: &TestHall) -> Browser {
    hall.staff("lan", Role::Clerk).await;
    let console = Browser::open(1366, 768).await;
    console
        .open_counter(&hall.url("/counter/"), "lan", "lan-secret-pw", 1)
        .await;
    console
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_checks_a_booking_in_from_the_console_and_calls_its_ticket() {
    let hall = TestHall::start().await;
    let booking = book(&hall, "A", "08:30", "0912345678").await;
    at_appointment(&hall, &booking);
    let console = console_at(&hall).await;

    // A code the hall does not know: said in words, nothing issued.
    console
        .type_into("#checkin-code", &format!("ZZZZ-ZZZZ{ENTER}"))
        .await;
    let refused = console
        .wait_for(
            "the refusal",
            &format!("{RESULT}.dataset.kind === 'error' && {RESULT}.textContent"),
        )
        .await;
    assert!(
        refused
            .as_str()
            .is_some_and(|r| r.contains("Không tìm thấy lịch hẹn")),
        "{refused}"
    );

    // The booking's code, as the citizen reads it from the phone (lower case, with its dash).
    let shown = booking["code_display"].as_str().expect("code_display");
    console
        .type_into("#checkin-code", &format!("{}{ENTER}", shown.to_lowercase()))
        .await;
    let said = console
        .wait_for(
            "the ticket it gave",
            &format!("{RESULT}.dataset.kind === 'info' && {RESULT}.textContent"),
        )
        .await;
    let said = said.as_str().unwrap_or_default().to_owned();
    let now = looked_up(&hall, &booking).await;
    assert_eq!(now["status"], "checked_in", "{now}");
    let ticket = now["ticket"]["code"].as_str().expect("its ticket");
    let appointment = booking["appointment"].as_str().expect("appointment");
    assert_eq!(
        said,
        format!("Đã xác nhận lịch hẹn {shown}: số {ticket}, gọi theo giờ hẹn {appointment}.")
    );
    assert_eq!(
        console
            .eval("document.getElementById('checkin-code').value")
            .await,
        "",
        "the field is ready for the next citizen"
    );
    console
        .wait_for(
            "the ticket in the waiting list",
            &format!(
                "[...document.querySelectorAll('#waiting li')].some(li => li.textContent.includes('{ticket}'))"
            ),
        )
        .await;
    console.screenshot("counter-check-in-done").await;
    console.assert_accessible("counter-check-in-done").await;

    // The clerk calls it as usual.
    console.click("button[data-action='next']").await;
    let called = console
        .wait_for(
            "the called ticket",
            &format!("{CURRENT} !== '—' && {CURRENT}"),
        )
        .await;
    assert_eq!(called, ticket);
    console.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_card_scanned_into_the_console_checks_in_by_its_number_alone() {
    let hall = TestHall::start().await;
    let booking = book(&hall, "A", "08:30", "001099012345").await;
    at_appointment(&hall, &booking);
    let console = console_at(&hall).await;
    console
        .eval(
            "(() => { window.sent = []; const f = window.fetch; window.fetch = (url, init) => { window.sent.push([String(url), init?.body ?? null]); return f(url, init); }; return true; })()",
        )
        .await;
    console.click("#checkin-code").await;
    keys(
        &console,
        "#checkin-code",
        "001099012345|123456789|Nguyễn Văn An|01011990|Nam|Số 1 phố Hàng Bạc, Hà Nội|15062021",
    )
    .await;
    // Nothing of the card is in the field: it says a card was read.
    assert_eq!(
        console
            .eval("[document.getElementById('checkin-code').value, document.getElementById('checkin-code').placeholder]")
            .await,
        json!(["", "Đã đọc thẻ căn cước: bấm Enter để xác nhận"])
    );
    keys(&console, "#checkin-code", ENTER).await;
    console
        .wait_for(
            "the ticket it gave",
            &format!("{RESULT}.dataset.kind === 'info'"),
        )
        .await;
    let now = looked_up(&hall, &booking).await;
    assert_eq!(now["status"], "checked_in", "{now}");
    let sent = console.eval("window.sent").await;
    let bodies: Vec<Value> = sent
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| r[0].as_str().is_some_and(|u| u.ends_with("/api/check-in")))
        .map(|r| serde_json::from_str(r[1].as_str().expect("a body")).expect("JSON"))
        .collect();
    assert_eq!(bodies.len(), 1, "{sent}");
    assert_eq!(bodies[0]["person"], "001099012345", "{sent}");
    assert_eq!(
        bodies[0].as_object().map(|o| o.len()),
        Some(2),
        "the number and the request id, nothing more: {sent}"
    );
    for secret in ["Nguy", "Hàng Bạc", "01011990", "123456789|"] {
        assert!(
            !sent.to_string().contains(secret),
            "{secret:?} sent: {sent}"
        );
    }
    console.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_without_the_code_is_found_by_the_phone_number_the_booking_was_made_with() {
    let hall = TestHall::start().await;
    let booking = book(&hall, "A", "08:30", "0912345678").await;
    at_appointment(&hall, &booking);
    let console = console_at(&hall).await;
    console
        .type_into("#checkin-code", &format!("0912 345 678{ENTER}"))
        .await;
    console
        .wait_for(
            "the ticket it gave",
            &format!("{RESULT}.dataset.kind === 'info'"),
        )
        .await;
    let now = looked_up(&hall, &booking).await;
    assert_eq!(now["status"], "checked_in", "{now}");
    let ticket = now["ticket"]["code"].as_str().expect("its ticket");
    let said = console.eval(&format!("{RESULT}.textContent")).await;
    assert!(
        said.as_str()
            .is_some_and(|s| s.contains(&format!("số {ticket}"))),
        "{said}"
    );
    console.close().await;
}
