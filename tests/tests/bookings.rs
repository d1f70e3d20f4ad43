//! Bookings on the real server with a hand-moved clock: booking, cancelling and the delay
//! before a freed place returns, the per-person limit, check-in early, on time and late,
//! online-only mode, an outside issuer's signed, replayed and forged requests, and the
//! merge of bookings with walk-ins on a simulated morning.
//!
//! The demo hall opens at 08:00 on Wednesday 25 November 2026 (`opening_time`). Field A
//! has 2 places in each 30-minute window (its counters' 40 minutes, half kept for
//! walk-ins, 8-minute services): appointments at :00 and :15, :30 and :45.

use chrono::Duration;
use motcua_domain::DeviceKind;
use motcua_hall::config::{IssuerSettings, Settings};
use motcua_tests::{Client, TestHall, error_code};
use serde_json::{Value, json};

const TODAY: &str = "2026-11-25";
const TOMORROW: &str = "2026-11-26";

async fn book(hall: &TestHall, day: &str, window: &str, person: &str) -> (u16, Value) {
    hall.anonymous()
        .post(
            "/api/bookings",
            json!({"service": "A", "day": day, "window": window, "person": person, "consent": true}),
        )
        .await
}

async fn booked(hall: &TestHall, day: &str, window: &str, person: &str) -> Value {
    let (status, body) = book(hall, day, window, person).await;
    assert_eq!(status, 201, "book {day} {window}: {body}");
    body
}

/// The free places of field A's window on a day, as the calendar shows them.
async fn free(hall: &TestHall, day: &str, window: &str) -> u64 {
    let (status, calendar) = hall
        .anonymous()
        .get("/api/bookings/calendar?service=A")
        .await;
    assert_eq!(status, 200, "{calendar}");
    let day = calendar["days"]
        .as_array()
        .expect("days")
        .iter()
        .find(|d| d["day"] == day)
        .unwrap_or_else(|| panic!("{day} in {calendar}"));
    day["windows"]
        .as_array()
        .expect("windows")
        .iter()
        .find(|w| w["start"] == window)
        .unwrap_or_else(|| panic!("{window} in {day}"))["free"]
        .as_u64()
        .expect("free")
}

fn kiosk(hall: &TestHall) -> Client {
    hall.device("kiosk-1", DeviceKind::Kiosk)
}

async fn check_in(client: &Client, body: Value) -> (u16, Value) {
    client.post("/api/check-in", body).await
}

fn at(hall: &TestHall, hh: u32, mm: u32) {
    // 08:00 local is 01:00 UTC.
    let base = motcua_tests::opening_time();
    hall.clock
        .set(base + Duration::minutes(i64::from(hh) * 60 + i64::from(mm) - 8 * 60));
}

#[tokio::test]
async fn a_cancelled_place_is_bookable_again_only_after_the_release_delay() {
    let hall = TestHall::start().await;
    assert_eq!(free(&hall, TODAY, "09:00").await, 2);
    let first = booked(&hall, TODAY, "09:00", "0912000001").await;
    assert_eq!(first["appointment"], "09:00");
    assert_eq!(first["status"], "booked");
    assert_eq!(first["check_in"]["from"], "08:30");
    assert_eq!(first["check_in"]["until"], "09:10");
    let second = booked(&hall, TODAY, "09:00", "0912000002").await;
    assert_eq!(second["appointment"], "09:15");
    assert_eq!(free(&hall, TODAY, "09:00").await, 0);
    let (status, full) = book(&hall, TODAY, "09:00", "0912000003").await;
    assert_eq!((status, error_code(&full)), (409, "window_full"), "{full}");

    // The holder cancels on the booking page; the place is held for 30 minutes more.
    let code = first["code"].as_str().expect("code");
    let (status, cancelled) = hall
        .anonymous()
        .post(&format!("/api/bookings/{code}/cancel"), json!({}))
        .await;
    assert_eq!(
        (status, cancelled["status"].as_str()),
        (200, Some("cancelled"))
    );
    assert_eq!(free(&hall, TODAY, "09:00").await, 0);
    let (status, still) = book(&hall, TODAY, "09:00", "0912000003").await;
    assert_eq!(
        (status, error_code(&still)),
        (409, "window_full"),
        "{still}"
    );

    hall.clock
        .advance(Duration::minutes(30) + Duration::seconds(1));
    assert_eq!(free(&hall, TODAY, "09:00").await, 1);
    let again = booked(&hall, TODAY, "09:00", "0912000003").await;
    assert_eq!(again["appointment"], "09:00", "the freed place's own time");

    // The booking's page finds it by its code in any case, with dashes.
    let display = again["code_display"]
        .as_str()
        .expect("display")
        .to_lowercase();
    let (status, found) = hall
        .anonymous()
        .get(&format!("/api/bookings/{display}"))
        .await;
    assert_eq!((status, &found["code"]), (200, &again["code"]));
    assert!(
        found["url"]
            .as_str()
            .expect("url")
            .ends_with(&format!("/book/#{}", again["code"].as_str().expect("code"))),
        "{found}"
    );
    let (status, kind, svg) = hall
        .anonymous()
        .get_bytes(found["qr"].as_str().expect("qr"))
        .await;
    assert_eq!((status, kind.as_str()), (200, "image/svg+xml"));
    assert!(svg.starts_with(b"<?xml") || svg.starts_with(b"<svg"));
}

#[tokio::test]
async fn one_person_holds_at_most_two_bookings_a_day_however_the_number_is_written() {
    let hall = TestHall::start().await;
    let one = booked(&hall, TOMORROW, "08:00", "0912 345 678").await;
    booked(&hall, TOMORROW, "09:00", "+84912345678").await;
    let (status, refused) = book(&hall, TOMORROW, "10:00", "912345678").await;
    assert_eq!(
        (status, error_code(&refused)),
        (409, "person_limit"),
        "{refused}"
    );
    // Another day is another count; a cancelled booking no longer counts.
    booked(&hall, TODAY, "10:00", "0912345678").await;
    let code = one["code"].as_str().expect("code");
    hall.anonymous()
        .post(&format!("/api/bookings/{code}/cancel"), json!({}))
        .await;
    booked(&hall, TOMORROW, "10:00", "0912345678").await;

    // Only a keyed hash is kept: the number is nowhere in the database.
    let mut hall = hall;
    hall.stop().await;
    let dir = hall.data_dir().to_owned();
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("data dir") {
        let path = entry.expect("entry").path();
        if path.to_string_lossy().contains("motcua.sqlite3") {
            bytes.extend(std::fs::read(&path).expect("read"));
        }
    }
    let needle = b"912345678";
    assert!(
        !bytes.windows(needle.len()).any(|w| w == needle),
        "the phone number is stored"
    );
}

#[tokio::test]
async fn a_booking_needs_consent_a_real_number_an_open_day_and_a_window_to_come() {
    let hall = TestHall::start().await;
    let page = hall.anonymous();
    let page = &page;
    let post = |body: Value| async move { page.post("/api/bookings", body).await };
    let base = json!({"service": "A", "day": TOMORROW, "window": "09:00", "person": "0912000001", "consent": true});
    let with = |key: &str, value: Value| {
        let mut b = base.clone();
        b[key] = value;
        b
    };
    let cases = [
        (with("consent", json!(false)), 422, "consent_required"),
        (with("person", json!("12345")), 422, "bad_person"),
        (with("day", json!("25/11/2026")), 422, "bad_day"),
        (with("window", json!("09:07")), 422, "bad_window"),
        (with("service", json!("Z")), 422, "unknown_service"),
        // Saturday.
        (with("day", json!("2026-11-28")), 409, "day_closed"),
        (with("day", json!("2026-12-09")), 409, "day_out_of_range"),
        (with("day", json!("2026-11-24")), 409, "day_out_of_range"),
    ];
    for (body, status, code) in cases {
        let (got, answer) = post(body.clone()).await;
        assert_eq!(
            (got, error_code(&answer)),
            (status, code),
            "{body}: {answer}"
        );
    }
    // The window that has begun.
    let (got, answer) = post(with("day", json!(TODAY)).clone()).await;
    assert_eq!(got, 201, "09:00 today is still to come at 08:00: {answer}");
    let mut begun = with("day", json!(TODAY));
    begun["window"] = json!("08:00");
    let (got, answer) = post(begun).await;
    assert_eq!((got, error_code(&answer)), (409, "window_past"), "{answer}");
    // A closed day shows why in the calendar; the Saturday has no windows.
    let (_, calendar) = hall
        .anonymous()
        .get("/api/bookings/calendar?service=A")
        .await;
    let saturday = &calendar["days"][3];
    assert_eq!(saturday["day"], "2026-11-28");
    assert_eq!(saturday["closed"]["vi"], "Ngày nghỉ cuối tuần");
    assert_eq!(saturday["windows"], json!([]));
    assert_eq!(calendar["days"].as_array().map(Vec::len), Some(7));
}

#[tokio::test]
async fn check_in_opens_thirty_minutes_early_and_closes_ten_minutes_late() {
    let hall = TestHall::start().await;
    let kiosk = kiosk(&hall);
    let on_time = booked(&hall, TODAY, "09:00", "0912000001").await;
    let late = booked(&hall, TODAY, "09:00", "0912000002").await;
    let code = on_time["code"].as_str().expect("code");

    // 08:00: an hour early.
    let (status, early) = check_in(&kiosk, json!({"code": code})).await;
    assert_eq!(
        (status, error_code(&early)),
        (409, "booking_too_early"),
        "{early}"
    );
    assert!(
        early["error"]["message"]
            .as_str()
            .expect("message")
            .contains("08:30")
    );

    // 08:35, scanned as its whole address: a booked number.
    at(&hall, 8, 35);
    let url = on_time["url"].as_str().expect("url");
    let (status, first) = check_in(&kiosk, json!({"code": url, "request_id": "scan-1"})).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["outcome"], "checked_in");
    assert_eq!(first["code"], "AH001");
    assert_eq!(first["booking"]["status"], "checked_in");
    assert_eq!(first["booking"]["ticket"]["code"], "AH001");
    assert!(
        first["print"].is_object(),
        "a kiosk's ticket is printed: {first}"
    );
    assert_eq!(
        first["booked_for"], "09:00",
        "called by its appointment: {first}"
    );
    // The paper says it is a booked number and its time, where a priority ticket says its
    // category.
    let conn = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("db");
    let payload: String = conn
        .query_row(
            "SELECT payload FROM print_jobs WHERE ticket_id = ?1",
            [first["id"].as_i64().expect("id")],
            |r| r.get(0),
        )
        .expect("the print job");
    let paper: Value = serde_json::from_str(&payload).expect("json");
    assert_eq!(paper["priority"], "Số hẹn · giờ hẹn 09:00", "{paper}");
    // Asked again: the same ticket, nothing printed again.
    let (status, again) = check_in(&kiosk, json!({"code": code})).await;
    assert_eq!((status, &again["code"]), (200, &json!("AH001")));
    assert!(again["print"].is_null(), "{again}");

    // The 09:15 appointment comes at 09:30: after its late window, an ordinary number.
    at(&hall, 9, 30);
    let (status, walk_in) = check_in(&kiosk, json!({"code": late["code"]})).await;
    assert_eq!(status, 201, "{walk_in}");
    assert_eq!(walk_in["outcome"], "walk_in");
    assert_eq!(walk_in["code"], "A001");
    assert!(walk_in["booked_for"].is_null(), "{walk_in}");
    assert_eq!(walk_in["booking"]["status"], "late");

    // Tomorrow's booking is not today's.
    let tomorrow = booked(&hall, TOMORROW, "09:00", "0912000003").await;
    let (status, not_today) = check_in(&kiosk, json!({"code": tomorrow["code"]})).await;
    assert_eq!((status, error_code(&not_today)), (409, "booking_not_today"));
    // A cancelled one is refused; an unknown code is not found.
    let code = tomorrow["code"].as_str().expect("code");
    hall.anonymous()
        .post(&format!("/api/bookings/{code}/cancel"), json!({}))
        .await;
    let (status, cancelled) = check_in(&kiosk, json!({"code": code})).await;
    assert_eq!((status, error_code(&cancelled)), (409, "booking_cancelled"));
    let (status, unknown) = check_in(&kiosk, json!({"code": "ZZZZ-ZZZZ"})).await;
    assert_eq!((status, error_code(&unknown)), (404, "booking_not_found"));
    let (status, bad) = check_in(&kiosk, json!({"code": "hello"})).await;
    assert_eq!((status, error_code(&bad)), (422, "bad_code"));
    // Nobody without a kiosk token or a session.
    let (status, _) = check_in(&hall.anonymous(), json!({"code": code})).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_hall_that_refuses_late_bookings_says_so_and_records_the_lateness() {
    let mut settings = Settings::default();
    settings.bookings.late_arrival = motcua_domain::booking::LateArrival::Refuse;
    let hall = TestHall::start_with(settings).await;
    let booking = booked(&hall, TODAY, "09:00", "0912000001").await;
    at(&hall, 9, 11);
    let (status, refused) = check_in(&kiosk(&hall), json!({"code": booking["code"]})).await;
    assert_eq!(
        (status, error_code(&refused)),
        (409, "booking_late_refused"),
        "{refused}"
    );
    let code = booking["code"].as_str().expect("code");
    let (_, now) = hall.anonymous().get(&format!("/api/bookings/{code}")).await;
    assert_eq!(now["status"], "late");
    assert_eq!(now["late_arrival"], "refuse");
}

#[tokio::test]
async fn the_chip_id_card_checks_in_the_booking_made_with_its_number() {
    let hall = TestHall::start().await;
    let kiosk = kiosk(&hall);
    booked(&hall, TODAY, "09:30", "001099012345").await;
    at(&hall, 9, 20);
    let (status, answer) = check_in(&kiosk, json!({"person": "001099012345"})).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["booking"]["appointment"], "09:30");
    let (status, none) = check_in(&kiosk, json!({"person": "001099099999"})).await;
    assert_eq!((status, error_code(&none)), (404, "booking_not_found"));
}

#[tokio::test]
async fn in_online_only_mode_the_kiosk_gives_walk_in_numbers_to_priority_categories_only() {
    let mut settings = Settings::default();
    settings.bookings.online_only = true;
    let hall = TestHall::start_with(settings).await;
    let (_, info) = hall.anonymous().get("/api/services").await;
    assert_eq!(
        info["bookings"],
        json!({"enabled": true, "online_only": true})
    );
    let kiosk = kiosk(&hall);
    let (status, refused) = kiosk.post("/api/tickets", json!({"service": "A"})).await;
    assert_eq!(
        (status, error_code(&refused)),
        (409, "walk_ins_priority_only")
    );
    kiosk.issue("A", "elderly").await;
    // Staff keep their judgment at a counter; a booking still checks in.
    let clerk = hall.staff("lan", motcua_domain::Role::Clerk).await;
    clerk.issue("A", "none").await;
    let booking = booked(&hall, TODAY, "08:30", "0912000001").await;
    let (status, answer) = check_in(&kiosk, json!({"code": booking["code"]})).await;
    assert_eq!(
        (status, &answer["outcome"]),
        (201, &json!("checked_in")),
        "{answer}"
    );
}

const SECRET: &str = "an issuer's secret of at least thirty-two characters";

fn with_issuer() -> Settings {
    let mut settings = Settings::default();
    settings.bookings.issuers = vec![IssuerSettings {
        name: "ihanoi".into(),
        secret: SECRET.into(),
    }];
    settings
}

/// POST a signed request as an issuer: (status, body).
async fn signed(
    hall: &TestHall,
    path: &str,
    issuer: &str,
    secret: &str,
    timestamp: i64,
    body: &[u8],
) -> (u16, Value) {
    let signature = motcua_web::protocol::sign(secret, issuer, timestamp, body);
    let resp = reqwest::Client::new()
        .post(hall.url(path))
        .header("content-type", "application/json")
        .header("x-motcua-issuer", issuer)
        .header("x-motcua-timestamp", timestamp.to_string())
        .header("x-motcua-signature", signature)
        .body(body.to_vec())
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_outside_issuer_books_once_per_id_and_forged_or_stale_requests_are_refused() {
    let hall = TestHall::start_with(with_issuer()).await;
    let now = motcua_tests::opening_time().timestamp_millis();
    let body = json!({"issuer_ref": "IH-2026-000123", "service": "A", "day": TODAY, "window": "10:00", "person": "0912000009"}).to_string();
    let body = body.as_bytes();
    let (status, first) = signed(&hall, "/api/issuers/bookings", "ihanoi", SECRET, now, body).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["appointment"], "10:00");
    // The same request again (a retry, or a replay): the same booking, no second place.
    let (status, replay) =
        signed(&hall, "/api/issuers/bookings", "ihanoi", SECRET, now, body).await;
    assert_eq!((status, &replay["code"]), (200, &first["code"]));
    assert_eq!(free(&hall, TODAY, "10:00").await, 1);
    // The same id for another window.
    let other =
        json!({"issuer_ref": "IH-2026-000123", "service": "A", "day": TODAY, "window": "10:30"})
            .to_string();
    let (status, reused) = signed(
        &hall,
        "/api/issuers/bookings",
        "ihanoi",
        SECRET,
        now,
        other.as_bytes(),
    )
    .await;
    assert_eq!((status, error_code(&reused)), (409, "issuer_ref_reused"));

    // Forged: another secret, a changed body, another name, an old timestamp.
    let fresh =
        json!({"issuer_ref": "IH-2026-000124", "service": "A", "day": TODAY, "window": "10:30"})
            .to_string();
    let fresh = fresh.as_bytes();
    let (status, forged) = signed(
        &hall,
        "/api/issuers/bookings",
        "ihanoi",
        "not the secret, but as long as one",
        now,
        fresh,
    )
    .await;
    assert_eq!((status, error_code(&forged)), (401, "bad_signature"));
    let signature = motcua_web::protocol::sign(SECRET, "ihanoi", now, fresh);
    let tampered = String::from_utf8_lossy(fresh).replace("10:30", "11:00");
    let resp = reqwest::Client::new()
        .post(hall.url("/api/issuers/bookings"))
        .header("x-motcua-issuer", "ihanoi")
        .header("x-motcua-timestamp", now.to_string())
        .header("x-motcua-signature", signature)
        .body(tampered)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 401);
    let (status, unknown) = signed(
        &hall,
        "/api/issuers/bookings",
        "stranger",
        SECRET,
        now,
        fresh,
    )
    .await;
    assert_eq!((status, error_code(&unknown)), (401, "unknown_issuer"));
    let stale = now - 6 * 60_000;
    let (status, old) = signed(
        &hall,
        "/api/issuers/bookings",
        "ihanoi",
        SECRET,
        stale,
        fresh,
    )
    .await;
    assert_eq!((status, error_code(&old)), (401, "stale_timestamp"));
    assert_eq!(
        free(&hall, TODAY, "10:30").await,
        2,
        "nothing forged was booked"
    );

    // The issuer cancels by its own id, signed.
    let (status, cancelled) = signed(
        &hall,
        "/api/issuers/bookings/IH-2026-000123/cancel",
        "ihanoi",
        SECRET,
        now,
        b"{}",
    )
    .await;
    assert_eq!(
        (status, &cancelled["status"]),
        (200, &json!("cancelled")),
        "{cancelled}"
    );
    // The per-person limit holds across the page and the issuer.
    booked(&hall, TODAY, "11:00", "0912000009").await;
    booked(&hall, TODAY, "13:30", "0912000009").await;
    let late = json!({"issuer_ref": "IH-2026-000125", "service": "A", "day": TODAY, "window": "14:00", "person": "0912000009"}).to_string();
    let (status, limit) = signed(
        &hall,
        "/api/issuers/bookings",
        "ihanoi",
        SECRET,
        now,
        late.as_bytes(),
    )
    .await;
    assert_eq!((status, error_code(&limit)), (409, "person_limit"));
}

/// The codes called at counter 1 (fields A and D) until nobody waits.
async fn calls(clerk: &Client) -> Vec<String> {
    let mut codes = Vec::new();
    while let Some(t) = clerk.call_next(1).await {
        codes.push(t["code"].as_str().expect("code").to_owned());
        clerk.act(&t, "start", json!({})).await;
        clerk.act(&t, "finish", json!({})).await;
    }
    codes
}

#[tokio::test]
async fn a_checked_in_booking_is_called_by_its_time_among_the_walk_ins() {
    let hall = TestHall::start().await;
    let kiosk = kiosk(&hall);
    let b = booked(&hall, TODAY, "09:00", "0912000001").await; // 09:00
    let c = booked(&hall, TODAY, "09:00", "0912000002").await; // 09:15
    let w1 = kiosk.issue("A", "none").await; // 08:00
    at(&hall, 8, 40);
    let (_, bb) = check_in(&kiosk, json!({"code": b["code"]})).await; // early
    at(&hall, 8, 50);
    let w2 = kiosk.issue("A", "none").await;
    at(&hall, 9, 5);
    let w3 = kiosk.issue("A", "none").await;
    at(&hall, 9, 20);
    let (_, cc) = check_in(&kiosk, json!({"code": c["code"]})).await; // 5 minutes late
    at(&hall, 9, 25);
    let w4 = kiosk.issue("A", "none").await;
    let p = kiosk.issue("A", "elderly").await;
    let code = |v: &Value| v["code"].as_str().expect("code").to_owned();
    let clerk = hall.clerk_at("lan", 1).await;
    assert_eq!(
        calls(&clerk).await,
        [
            code(&p),
            code(&w1),
            code(&w2),
            code(&bb),
            code(&w3),
            code(&cc),
            code(&w4)
        ],
        "priority first, then by queue time: a booking's is its appointment"
    );
}

#[tokio::test]
async fn people_ahead_count_the_bookings_due_that_have_not_come_yet() {
    let hall = TestHall::start().await;
    let kiosk = kiosk(&hall);
    booked(&hall, TODAY, "09:00", "0912000001").await;
    at(&hall, 9, 2);
    // The 09:00 booking may still come until 09:10, and would go ahead.
    let walk_in = kiosk.issue("A", "none").await;
    assert_eq!(walk_in["ahead"], 1, "{walk_in}");
    // Past its late window it is a no-show, and counts no more.
    at(&hall, 9, 11);
    let later = kiosk.issue("A", "none").await;
    assert_eq!(later["ahead"], 1, "only the walk-in before: {later}");
}

#[tokio::test]
async fn a_booking_nobody_checks_in_becomes_a_no_show_and_then_late_if_they_come() {
    let hall = TestHall::start().await;
    let kiosk = kiosk(&hall);
    let booking = booked(&hall, TODAY, "09:00", "0912000001").await;
    at(&hall, 9, 11);
    // Any change runs the sweep.
    kiosk.issue("D", "none").await;
    let code = booking["code"].as_str().expect("code");
    let (_, now) = hall.anonymous().get(&format!("/api/bookings/{code}")).await;
    assert_eq!(now["status"], "no_show");
    let outcome = |hall: &TestHall| {
        let conn = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("db");
        conn.query_row("SELECT outcome FROM stat_bookings", [], |r| {
            r.get::<_, String>(0)
        })
        .expect("row")
    };
    assert_eq!(outcome(&hall), "no_show");
    at(&hall, 9, 40);
    let (status, answer) = check_in(&kiosk, json!({"code": code})).await;
    assert_eq!(
        (status, &answer["outcome"]),
        (201, &json!("walk_in")),
        "{answer}"
    );
    assert_eq!(outcome(&hall), "late");
}

#[tokio::test]
async fn one_address_may_try_ten_bookings_a_minute_then_waits() {
    // The real limits (TestHall::start lifts them for the other tests).
    let hall = TestHall::start_limited(Settings::default()).await;
    let page = hall.anonymous();
    let attempt = |i: u32| {
        let page = &page;
        async move {
            page.post(
                "/api/bookings",
                json!({"service": "A", "day": TOMORROW, "window": "09:00",
                    "person": format!("09120000{i:02}"), "consent": true}),
            )
            .await
        }
    };
    for i in 0..10 {
        let (status, body) = attempt(i).await;
        assert!(
            status == 201 || status == 409,
            "attempt {i}: {status} {body}"
        );
    }
    let (status, refused) = attempt(10).await;
    assert_eq!(
        (status, error_code(&refused)),
        (429, "booking_rate_exceeded"),
        "{refused}"
    );
    // Refused before anything was read or written: the window still shows 2 taken of 2.
    assert_eq!(free(&hall, TOMORROW, "09:00").await, 0);
    hall.clock.advance(Duration::seconds(6));
    let (status, body) = attempt(11).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "window_full"),
        "one more after 6 s: {body}"
    );
}

/// A morning of walk-ins and bookings, random but the same on every run: walk-ins arrive
/// every few minutes (some priority), bookings fill part of the windows and check in early,
/// on time, late within the window, too late or never; two counters serve field A. No walk-in
/// is passed, after it joined, by more bookings than the bound of `motcua_domain::booking`
/// (appointments in its last `late_minutes`), and every booked ticket is called after every
/// walk-in who came before its appointment (priority aside).
#[tokio::test]
async fn on_a_simulated_morning_no_walk_in_is_passed_by_more_bookings_than_the_bound() {
    use motcua_tests::Dice;
    let hall = TestHall::start().await;
    let kiosk = kiosk(&hall);
    let mut dice = Dice::new(15);
    // Book about two thirds of today's places from 08:30 to 11:00.
    let mut bookings = Vec::new();
    for (i, window) in ["08:30", "09:00", "09:30", "10:00", "10:30", "11:00"]
        .iter()
        .enumerate()
    {
        for slot in 0..2 {
            if dice.chance(70) {
                let b = booked(&hall, TODAY, window, &format!("0913{i}{slot}0000")).await;
                // Minutes from its appointment it comes: early, late within the window,
                // too late, or never.
                let offset = match dice.below(10) {
                    0..=3 => -(dice.below(30) as i64),
                    4..=6 => dice.below(11) as i64,
                    7 => 11 + dice.below(20) as i64,
                    _ => i64::MAX,
                };
                bookings.push((b, offset));
            }
        }
    }
    // The morning's arrivals, in time order: (minute after 08:00, what).
    enum Arrival {
        WalkIn { priority: bool },
        Booking(usize),
    }
    let mut arrivals: Vec<(i64, Arrival)> = Vec::new();
    let mut minute = 0;
    while minute < 200 {
        arrivals.push((
            minute,
            Arrival::WalkIn {
                priority: dice.chance(10),
            },
        ));
        minute += 2 + dice.below(6) as i64;
    }
    for (i, (b, offset)) in bookings.iter().enumerate() {
        if *offset == i64::MAX {
            continue;
        }
        let appointment = (b["appointment_at"].as_i64().expect("at")
            - motcua_tests::opening_time().timestamp_millis())
            / 60_000;
        arrivals.push(((appointment + offset).max(0), Arrival::Booking(i)));
    }
    arrivals.sort_by_key(|(m, _)| *m);
    // Two clerks at counters 1 and 3 (both serve A; counter 3 also C, nobody there).
    let one = hall.clerk_at("lan", 1).await;
    let three = hall.clerk_at("mai", 3).await;
    // Each ticket: (id, joined the hall at, queue time, booked, priority).
    let mut tickets: Vec<(i64, i64, i64, bool, bool)> = Vec::new();
    // The tickets in the order they were called, with the minute of their call.
    let mut called: Vec<(i64, i64)> = Vec::new();
    let start = motcua_tests::opening_time();
    let mut next_call = 0;
    for (minute, arrival) in arrivals {
        // The counters call every 4 minutes, each serving one citizen, until then.
        while next_call <= minute {
            hall.clock.set(start + Duration::minutes(next_call));
            for clerk in [&one, &three] {
                let no = if std::ptr::eq(clerk, &one) { 1 } else { 3 };
                if let Some(t) = clerk.call_next(no).await {
                    called.push((t["id"].as_i64().expect("id"), next_call));
                    clerk.act(&t, "start", json!({})).await;
                    clerk.act(&t, "finish", json!({})).await;
                }
            }
            next_call += 4;
        }
        hall.clock.set(start + Duration::minutes(minute));
        let now = start.timestamp_millis() + minute * 60_000;
        match arrival {
            Arrival::WalkIn { priority } => {
                let t = kiosk
                    .issue("A", if priority { "elderly" } else { "none" })
                    .await;
                tickets.push((t["id"].as_i64().expect("id"), now, now, false, priority));
            }
            Arrival::Booking(i) => {
                let (status, answer) =
                    check_in(&kiosk, json!({"code": bookings[i].0["code"]})).await;
                assert_eq!(status, 201, "{answer}");
                let booked = answer["outcome"] == "checked_in";
                let queued = if booked {
                    bookings[i].0["appointment_at"].as_i64().expect("at")
                } else {
                    now
                };
                tickets.push((
                    answer["id"].as_i64().expect("id"),
                    now,
                    queued,
                    booked,
                    false,
                ));
            }
        }
    }
    loop {
        next_call += 4;
        hall.clock.set(start + Duration::minutes(next_call));
        let mut any = false;
        for (clerk, no) in [(&one, 1), (&three, 3)] {
            if let Some(t) = clerk.call_next(no).await {
                called.push((t["id"].as_i64().expect("id"), next_call));
                clerk.act(&t, "start", json!({})).await;
                clerk.act(&t, "finish", json!({})).await;
                any = true;
            }
        }
        if !any {
            break;
        }
    }
    assert_eq!(called.len(), tickets.len(), "everyone was called");
    let order = |id: i64| called.iter().position(|c| c.0 == id).expect("called");
    let call_ms = |id: i64| {
        let minute = called.iter().find(|c| c.0 == id).expect("called").1;
        start.timestamp_millis() + minute * 60_000
    };
    let bound = motcua_domain::booking::most_passing(10, 2, 30) as usize;
    let mut booked_seen = 0;
    for &(id, joined, queued, booked, _) in &tickets {
        if booked {
            booked_seen += 1;
            continue;
        }
        // Bookings that joined after this walk-in and were called before it.
        let passing = tickets
            .iter()
            .filter(|&&(other, other_joined, _, other_booked, _)| {
                other_booked && other_joined > joined && order(other) < order(id)
            })
            .count();
        assert!(
            passing <= bound,
            "walk-in {id} (joined {joined}) passed by {passing} bookings, more than {bound}"
        );
        // A booking whose appointment came after this walk-in joined is never called ahead
        // of it while it waits (an early booking may be called while nobody waits).
        for &(other, _, other_queued, other_booked, _) in &tickets {
            if other_booked && other_queued > queued && joined < call_ms(other) {
                assert!(
                    order(other) > order(id),
                    "booking {other} before walk-in {id}"
                );
            }
        }
    }
    assert!(
        booked_seen >= 3,
        "the morning had booked tickets: {booked_seen}"
    );
}

#[tokio::test]
async fn the_persons_hash_is_erased_thirty_days_after_the_booked_day() {
    let hall = TestHall::start().await;
    booked(&hall, TOMORROW, "09:00", "0912000001").await;
    let hashes = |hall: &TestHall| {
        let conn = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("db");
        conn.query_row(
            "SELECT COUNT(*) FROM bookings WHERE person_hash IS NOT NULL",
            [],
            |r| r.get::<_, i64>(0),
        )
        .expect("count")
    };
    assert_eq!(hashes(&hall), 1);
    // 30 days after the booked day the hash is still kept...
    hall.clock.advance(Duration::days(31));
    kiosk(&hall).issue("A", "none").await;
    assert_eq!(hashes(&hall), 1, "kept for 30 days after the visit");
    // ...and the first change of the next day erases it.
    hall.clock.advance(Duration::days(1));
    let clerk = hall.staff("lan", motcua_domain::Role::Clerk).await;
    clerk.issue("A", "none").await;
    assert_eq!(hashes(&hall), 0);
}

#[tokio::test]
async fn codes_cannot_be_guessed_faster_than_ten_misses_a_minute_and_the_holder_is_never_slowed() {
    let hall = TestHall::start_limited(Settings::default()).await;
    let mine = booked(&hall, TOMORROW, "09:00", "0912000001").await;
    let page = hall.anonymous();
    // The booking itself was one attempt: nine misses are left in the minute.
    for guess in 0..9 {
        let (status, body) = page.get(&format!("/api/bookings/ZZZZZZ{guess}A")).await;
        assert_eq!(
            (status, error_code(&body)),
            (404, "booking_not_found"),
            "{body}"
        );
    }
    let (status, body) = page.get("/api/bookings/ZZZZZZZA").await;
    assert_eq!(
        (status, error_code(&body)),
        (429, "booking_rate_exceeded"),
        "{body}"
    );
    let code = mine["code"].as_str().expect("code");
    for _ in 0..20 {
        let (status, _) = page.get(&format!("/api/bookings/{code}")).await;
        assert_eq!(status, 200, "the holder's page keeps working");
    }
}

/// The event log's length: a refused request writes nothing.
async fn seq(hall: &TestHall) -> i64 {
    let (_, health) = hall.anonymous().get("/healthz").await;
    health["seq"].as_i64().expect("seq")
}

#[tokio::test]
async fn bad_booking_requests_get_a_clear_4xx_with_a_json_error_and_write_nothing() {
    let hall = TestHall::start_with(with_issuer()).await;
    let kiosk = kiosk(&hall);
    let page = hall.anonymous();
    let before = seq(&hall).await;
    let huge = "9".repeat(64 * 1024);
    let bodies: Vec<(&str, Vec<u8>)> = vec![
        ("/api/bookings", b"{".to_vec()),
        ("/api/bookings", b"[]".to_vec()),
        ("/api/bookings", b"null".to_vec()),
        ("/api/bookings", br#"{"service": 1, "day": [], "window": {}, "person": true, "consent": "yes"}"#.to_vec()),
        ("/api/bookings", br#"{"service": "A"}"#.to_vec()),
        ("/api/bookings", r#"{"service": "A", "day": "2026-11-26", "window": "09:00", "person": "0912000001", "consent": true, "name": "Nguyễn Văn A"}"#.as_bytes().to_vec()),
        ("/api/bookings", format!(r#"{{"service": "A", "day": "2026-11-26", "window": "09:00", "person": "{huge}", "consent": true}}"#).into_bytes()),
        ("/api/bookings", br#"{"service": "A", "day": "2026-02-30", "window": "25:00", "person": "0912000001", "consent": true}"#.to_vec()),
        ("/api/bookings", br#"{"service": "A", "day": "2026-11-26", "window": "09:00", "person": "\u0000\u202e0912", "consent": true}"#.to_vec()),
    ];
    for (path, body) in &bodies {
        let (status, answer) = page.post_raw(path, "application/json", body.clone()).await;
        assert!(
            (400..500).contains(&status) && answer["error"]["code"].is_string(),
            "{path} {}: {status} {answer}",
            String::from_utf8_lossy(&body[..body.len().min(120)])
        );
    }
    let check_ins: Vec<Value> = vec![
        json!({}),
        json!({"code": "K7M2QX9P", "person": "001099012345"}),
        json!({"code": 12345678}),
        json!({"person": "Nguyễn Văn A"}),
        json!({"code": "K7M2QX9P", "request_id": "not a valid id!"}),
        json!({"code": "x".repeat(10_000)}),
    ];
    for body in &check_ins {
        let (status, answer) = kiosk.post("/api/check-in", body.clone()).await;
        assert!(
            (400..500).contains(&status) && answer["error"]["code"].is_string(),
            "check-in {body}: {status} {answer}"
        );
    }
    // A signed request whose body is not a booking, and an issuer's ref out of shape.
    let now = motcua_tests::opening_time().timestamp_millis();
    for body in [
        &b"{"[..],
        b"[]",
        br#"{"issuer_ref": "", "service": "A", "day": "2026-11-26", "window": "09:00"}"#,
    ] {
        let (status, answer) =
            signed(&hall, "/api/issuers/bookings", "ihanoi", SECRET, now, body).await;
        assert_eq!(status, 422, "{}: {answer}", String::from_utf8_lossy(body));
    }
    for path in [
        "/api/bookings/calendar",
        "/api/bookings/calendar?service=",
        "/api/bookings/calendar?service=%FF",
        "/api/bookings/calendar?service=AAAAAAAAAAAA",
        "/api/bookings/%FF%FE",
        "/api/bookings/K7M2QX9P/qr.svg/extra",
    ] {
        let (status, answer) = page.get(path).await;
        assert!(
            (400..500).contains(&status) && answer["error"]["code"].is_string(),
            "{path}: {status} {answer}"
        );
    }
    assert_eq!(seq(&hall).await, before, "nothing was written");
    assert_eq!(free(&hall, TOMORROW, "09:00").await, 2);
}

#[tokio::test]
async fn a_field_with_a_fraction_of_a_place_a_window_lists_only_the_windows_that_have_one() {
    let hall = TestHall::start().await;
    // Field B: one counter shared with E, 15-minute services, 60 % kept for walk-ins:
    // 15 × 0.4 ÷ 15 = 0.4 of a place a window.
    let (status, calendar) = hall
        .anonymous()
        .get("/api/bookings/calendar?service=B")
        .await;
    assert_eq!(status, 200, "{calendar}");
    let day = &calendar["days"][1];
    let windows = day["windows"].as_array().expect("windows");
    let starts: Vec<&str> = windows
        .iter()
        .map(|w| w["start"].as_str().expect("start"))
        .collect();
    assert!(windows.iter().all(|w| w["places"] == 1), "{day}");
    // 0.4 a window: a place by the end of the 3rd, 5th, 8th, 10th, 13th and 15th.
    assert_eq!(
        starts,
        ["08:30", "09:30", "11:00", "14:00", "15:30", "16:30"],
        "{day}"
    );
}
