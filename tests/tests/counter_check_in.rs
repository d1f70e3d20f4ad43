//! A booking checked in at the counter, in the clerk's console (real Chromium, real hall,
//! hand-moved clock): the code typed (or scanned) into "Xác nhận lịch hẹn" gives the ticket,
//! which the clerk then calls as usual; a chip ID card scanned into the field checks in by its
//! number alone, nothing else of the card entering the field or leaving the page; a citizen
//! without the code is found by the phone number the booking was made with; a refusal is said
//! in words. A USB scanner types like a keyboard: scanned while the focus is elsewhere on the
//! console (a button, the waiting list, nothing), a booking's address, its bare code or an ID
//! card checks in there, and none of its letters, spaces or Enter acts as the console's keys;
//! a key typed alone still does.

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
    assert_only_the_card_number_was_sent(&sent);
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

// A USB scanner types like a keyboard, a key every few milliseconds, then Enter. The console's
// moves are single keys (N next, R recall, X cancel, P pause…): typed while the check-in
// field has no focus, a scan must check the booking in, never act as those keys.

/// Keys typed into whatever `css` is, as a scanner does when the clerk's last click left the
/// focus there (WebDriver focuses it, then types each key as fast as the browser takes it).
async fn scan_at(console: &Browser, css: &str, text: &str) {
    keys(console, css, &format!("{text}{ENTER}")).await;
}

/// The booking's QR as a hall behind its public address prints it: the test hall serves on
/// 127.0.0.1, whose address has no letter but the P of "http"; a ward's address has more.
fn as_printed_by_a_ward(booking: &Value) -> String {
    let url = booking["url"].as_str().expect("url");
    let at = url.find("/book/").expect("the booking page");
    format!("https://motcua.phuong-tran-phu.example{}", &url[at..])
}

/// The counter as the hall has it now: its state and its current ticket.
async fn counter_now(hall: &TestHall) -> (String, Value) {
    let (status, body) = hall.anonymous().get("/api/counters/1").await;
    assert_eq!(status, 200, "{body}");
    let counter = &body["counter"];
    (
        counter["state"].as_str().expect("state").to_owned(),
        counter["current"].clone(),
    )
}

/// Wait until the waiting list shows `code`.
async fn until_waiting(console: &Browser, code: &str) {
    console
        .wait_for(
            &format!("{code} in the waiting list"),
            &format!(
                "[...document.querySelectorAll('#waiting li .code')].some(c => c.textContent === '{code}')"
            ),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_scanned_while_the_focus_is_elsewhere_checks_in_and_no_letter_of_it_acts_as_a_key()
 {
    let hall = TestHall::start().await;
    // A walk-in waits: a stray N would call them.
    let walk_in = hall
        .device("kiosk-1", motcua_domain::DeviceKind::Kiosk)
        .issue("A", "none")
        .await;
    let booking = book(&hall, "A", "08:30", "0912345678").await;
    at_appointment(&hall, &booking);
    let console = console_at(&hall).await;
    until_waiting(&console, walk_in["code"].as_str().expect("code")).await;

    let scanned = as_printed_by_a_ward(&booking);
    for key in ['p', 'x', 'n', 'r'] {
        assert!(scanned.to_lowercase().contains(key), "{scanned} has {key}");
    }
    // The clerk's last click was on "Gọi tiếp": the focus is there, where an Enter or a space
    // would call the walk-in.
    scan_at(&console, ".desk button[data-action='next']", &scanned).await;
    let said = console
        .wait_for(
            "the ticket it gave",
            &format!("{RESULT}.dataset.kind && {RESULT}.textContent"),
        )
        .await;
    let now = looked_up(&hall, &booking).await;
    assert_eq!(now["status"], "checked_in", "{said} {now}");
    let ticket = now["ticket"]["code"].as_str().expect("its ticket");
    assert!(
        said.as_str()
            .is_some_and(|s| s.contains(&format!("số {ticket}"))),
        "{said}"
    );
    // Its ticket reaches the list through the counter's feed, after anything the keys did.
    until_waiting(&console, ticket).await;
    console.screenshot("counter-scanned-without-focus").await;

    let (state, current) = counter_now(&hall).await;
    assert_eq!(state, "open", "not paused");
    assert_eq!(current, Value::Null, "nobody called");
    assert_eq!(console.eval(CURRENT).await, "—");
    assert_eq!(
        console
            .eval("[...document.querySelectorAll('button.armed')].map(b => b.dataset.action)")
            .await,
        json!([]),
        "nothing armed"
    );
    assert_eq!(
        console
            .eval("document.getElementById('message').textContent")
            .await,
        "",
        "no move said anything"
    );
    assert_eq!(
        console.eval("document.getElementById('help').hidden").await,
        true
    );
    // The focus is back on "Gọi tiếp": the console's keys work again at once.
    assert_eq!(
        console
            .eval("document.activeElement.dataset.action ?? document.activeElement.id")
            .await,
        "next"
    );
    console.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_key_still_acts_as_its_shortcut() {
    let hall = TestHall::start().await;
    let walk_in = hall
        .device("kiosk-1", motcua_domain::DeviceKind::Kiosk)
        .issue("A", "none")
        .await;
    let console = console_at(&hall).await;
    until_waiting(&console, walk_in["code"].as_str().expect("code")).await;

    keys(&console, "body", "p").await;
    console
        .wait_for(
            "the pause",
            "document.querySelector(\".desk button[data-action='resume']\").offsetParent !== null",
        )
        .await;
    assert_eq!(counter_now(&hall).await.0, "paused");

    keys(&console, "body", "p").await;
    console
        .wait_for(
            "the counter open again",
            "document.querySelector(\".desk button[data-action='pause']\").offsetParent !== null",
        )
        .await;
    assert_eq!(counter_now(&hall).await.0, "open");

    keys(&console, "body", "n").await;
    console
        .wait_for(
            "the walk-in called",
            &format!(
                "{CURRENT} === '{}'",
                walk_in["code"].as_str().expect("code")
            ),
        )
        .await;
    assert_eq!(counter_now(&hall).await.1["id"], walk_in["id"]);

    // ? alone opens the keys' help, which tells the clerk a scan needs no click.
    keys(&console, "body", "?").await;
    let help = console
        .wait_for(
            "the keys' help",
            "!document.getElementById('help').hidden && document.getElementById('help-keys').innerText",
        )
        .await;
    assert!(
        help.as_str()
            .is_some_and(|h| h.contains("Máy quét") && h.contains("không cần bấm vào ô")),
        "{help}"
    );
    console.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_card_scanned_while_the_focus_is_elsewhere_checks_in_by_its_number_alone() {
    let hall = TestHall::start().await;
    let walk_in = hall
        .device("kiosk-1", motcua_domain::DeviceKind::Kiosk)
        .issue("A", "none")
        .await;
    let booking = book(&hall, "A", "08:30", "001099012345").await;
    at_appointment(&hall, &booking);
    let console = console_at(&hall).await;
    until_waiting(&console, walk_in["code"].as_str().expect("code")).await;
    console
        .eval(
            "(() => { window.sent = []; const f = window.fetch; window.fetch = (url, init) => { window.sent.push([String(url), init?.body ?? null]); return f(url, init); }; return true; })()",
        )
        .await;
    // The focus on the walk-in's row in the waiting list: the card's spaces or its Enter
    // there would call them.
    scan_at(
        &console,
        "#waiting li button.call",
        "001099012345|123456789|Nguyễn Văn An|01011990|Nam|Số 1 phố Hàng Bạc, Hà Nội|15062021",
    )
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
    until_waiting(&console, ticket).await;

    let sent = console.eval("window.sent").await;
    let calls: Vec<&str> = sent
        .as_array()
        .expect("requests")
        .iter()
        .filter_map(|r| r[0].as_str())
        .filter(|u| u.contains("/api/counters/") || u.contains("/api/tickets/"))
        .collect();
    assert_eq!(calls, Vec::<&str>::new(), "no move was sent: {sent}");
    assert_only_the_card_number_was_sent(&sent);
    assert_eq!(
        console
            .eval("[document.getElementById('checkin-code').value, document.getElementById('checkin-code').placeholder]")
            .await,
        json!(["", "Mã hẹn, điện thoại hoặc CCCD"]),
        "nothing of the card stays"
    );
    let (state, current) = counter_now(&hall).await;
    assert_eq!((state.as_str(), current), ("open", Value::Null));
    console.close().await;
}

/// The console's keys that do something while a citizen is called (N says the counter is busy,
/// R recalls, S starts, A and X arm absent and cancel, T opens the transfer, B returns), as a
/// booking code may begin with them.
const KEY_LETTERS: &str = "NRSATBX";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_code_scanned_whose_first_letter_is_a_key_checks_in_and_that_key_never_acts() {
    // Field A with places enough in one window to book until a code begins with a key's
    // letter (about one in five do): one-minute services, no time kept for walk-ins.
    let mut settings = motcua_hall::config::Settings::default();
    settings.bookings.walk_in_percent = 0;
    for field in &mut settings.services {
        if field.code == "A" {
            field.service_minutes = 1;
        }
    }
    let hall = TestHall::start_with(settings).await;
    let walk_in = hall
        .device("kiosk-1", motcua_domain::DeviceKind::Kiosk)
        .issue("A", "none")
        .await;
    let first = book(&hall, "A", "08:30", "0912000000").await;
    let mut booking = first.clone();
    for n in 1..60 {
        let code = booking["code"].as_str().expect("code");
        if code.starts_with(|c| KEY_LETTERS.contains(c)) {
            break;
        }
        let (status, next) = hall
            .anonymous()
            .post(
                "/api/bookings",
                json!({"service": "A", "day": first["day"], "window": first["window"]["start"],
                       "person": format!("0912{n:06}"), "consent": true}),
            )
            .await;
        assert_eq!(status, 201, "{next}");
        booking = next;
    }
    let code = booking["code"].as_str().expect("code").to_owned();
    assert!(
        code.starts_with(|c| KEY_LETTERS.contains(c)),
        "60 codes, none begins with a key: {code}"
    );
    at_appointment(&hall, &first);
    let console = console_at(&hall).await;
    // The walk-in is at the counter: each of those keys would do something to them.
    console.click("button[data-action='next']").await;
    let called = walk_in["code"].as_str().expect("code");
    console
        .wait_for("the walk-in called", &format!("{CURRENT} === '{called}'"))
        .await;
    let before = counter_now(&hall).await;

    // The city's app's QR may carry the bare code; nothing on the console has the focus.
    console.eval("document.activeElement.blur() ?? true").await;
    scan_at(&console, "body", &code).await;
    console
        .wait_for(
            "the ticket it gave",
            &format!("{RESULT}.dataset.kind === 'info'"),
        )
        .await;
    let now = looked_up(&hall, &booking).await;
    assert_eq!(now["status"], "checked_in", "{now}");
    until_waiting(
        &console,
        now["ticket"]["code"].as_str().expect("its ticket"),
    )
    .await;
    assert_eq!(
        counter_now(&hall).await,
        before,
        "{code}: the walk-in as they were"
    );
    assert_eq!(
        console
            .eval("[[...document.querySelectorAll('button.armed')].length, document.getElementById('message').textContent, document.activeElement === document.body, document.getElementById('help').hidden]")
            .await,
        json!([0, "", true, true]),
        "{code}: nothing armed, said, opened or focused"
    );
    console.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_scanned_while_the_transfer_list_has_the_focus_checks_in_and_transfers_nobody() {
    let hall = TestHall::start().await;
    let walk_in = hall
        .device("kiosk-1", motcua_domain::DeviceKind::Kiosk)
        .issue("A", "none")
        .await;
    let booking = book(&hall, "A", "08:30", "0912345678").await;
    at_appointment(&hall, &booking);
    let console = console_at(&hall).await;
    console.click("button[data-action='next']").await;
    let called = walk_in["code"].as_str().expect("code");
    console
        .wait_for("the walk-in called", &format!("{CURRENT} === '{called}'"))
        .await;
    // The clerk picked field B in the transfer list by its letter, and has not transferred:
    // the list keeps the focus, where Enter transfers.
    keys(&console, "#transfer-service", "b").await;
    console
        .wait_for(
            "field B picked",
            "document.getElementById('transfer-service').value === 'B'",
        )
        .await;
    let before = counter_now(&hall).await;

    scan_at(
        &console,
        "#transfer-service",
        &as_printed_by_a_ward(&booking),
    )
    .await;
    console
        .wait_for(
            "the ticket it gave",
            &format!("{RESULT}.dataset.kind === 'info'"),
        )
        .await;
    let now = looked_up(&hall, &booking).await;
    assert_eq!(now["status"], "checked_in", "{now}");
    until_waiting(
        &console,
        now["ticket"]["code"].as_str().expect("its ticket"),
    )
    .await;
    assert_eq!(counter_now(&hall).await, before, "the walk-in as they were");
    assert_eq!(
        console
            .eval("[document.getElementById('transfer-service').value, document.activeElement.id, document.getElementById('message').textContent]")
            .await,
        json!(["B", "transfer-service", ""]),
        "the list as the clerk left it, nothing said"
    );
    console.close().await;
}

/// The requests the page sent (`window.sent`, by the fetch interceptor): one check-in,
/// carrying the card's number and the request id, and nothing else of the card anywhere.
fn assert_only_the_card_number_was_sent(sent: &Value) {
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
}
