//! The day's rules on a hand-moved clock: numbers are given in the hall's opening hours up
//! to the cut-off (and the refusal says when they start again), a closed day says its
//! name, a field stops at its daily quota, a recall waits out the hall's gap, and after the
//! last call and that gap with nobody coming the hall marks the ticket absent itself.

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use motcua_domain::DeviceKind;
use motcua_hall::config::Settings;
use motcua_tests::{Client, TestHall, error_code};
use serde_json::{Value, json};

/// Local time in the hall (Hanoi) as an instant.
fn hanoi(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    FixedOffset::east_opt(7 * 3600)
        .expect("UTC+7")
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("a local time")
        .with_timezone(&Utc)
}

/// The demo hall issuing on its calendar (7:30–11:30, 13:30–17:00, Monday to Friday, and
/// Saturday morning), numbers stopping 30 minutes before each close and at 16:30 at the
/// latest.
fn on_the_calendar() -> Settings {
    let mut settings = Settings::default();
    settings.hours.follow_calendar = true;
    settings.hours.stop_before_close_minutes = 30;
    settings.hours.last_issue = "16:30".into();
    settings.bookings.weekdays = vec![1, 2, 3, 4, 5, 6];
    settings
        .hours
        .weekdays
        .insert("saturday".into(), vec!["07:30-11:30".into()]);
    settings
}

async fn try_issue(kiosk: &Client, field: &str) -> (u16, Value) {
    kiosk
        .post(
            "/api/tickets",
            json!({"service": field, "priority": "none"}),
        )
        .await
}

async fn issuing(hall: &TestHall) -> Value {
    let (status, body) = hall.anonymous().get("/api/services").await;
    assert_eq!(status, 200, "{body}");
    body["issuing"].clone()
}

#[tokio::test]
async fn numbers_stop_at_the_cut_off_and_the_refusal_says_when_they_start_again() {
    let hall = TestHall::start_with(on_the_calendar()).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);

    // Wednesday 08:00: given, until 11:00 (30 minutes before the morning's close).
    let (status, body) = try_issue(&kiosk, "A").await;
    assert_eq!(status, 201, "{body}");
    let now = issuing(&hall).await;
    assert_eq!(now["open"], true, "{now}");
    assert_eq!(now["until"], "2026-11-25T11:00:00+07:00", "{now}");

    // 11:00: the morning's numbers are over; the afternoon's start at 13:30.
    hall.clock.set(hanoi(2026, 11, 25, 11, 0));
    let (status, body) = try_issue(&kiosk, "A").await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "issuing_stopped"),
        "{body}"
    );
    let now = issuing(&hall).await;
    assert_eq!(
        (&now["open"], &now["why"], &now["since"], &now["reopens"]),
        (
            &json!(false),
            &json!("break"),
            &json!("2026-11-25T11:00:00+07:00"),
            &json!("2026-11-25T13:30:00+07:00")
        ),
        "{now}"
    );
    hall.clock.set(hanoi(2026, 11, 25, 13, 30));
    assert_eq!(try_issue(&kiosk, "A").await.0, 201);

    // Friday 16:29 given; 16:30 (the last issuing time) refused, back on Saturday morning.
    hall.clock.set(hanoi(2026, 11, 27, 16, 29));
    assert_eq!(try_issue(&kiosk, "A").await.0, 201);
    hall.clock.set(hanoi(2026, 11, 27, 16, 30));
    let (status, body) = try_issue(&kiosk, "B").await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "issuing_stopped"),
        "{body}"
    );
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("16:30") && message.contains("07:30"),
        "{message}"
    );
    let now = issuing(&hall).await;
    assert_eq!(now["why"], "day_over", "{now}");
    assert_eq!(now["reopens"], "2026-11-28T07:30:00+07:00", "{now}");

    // Saturday has its own hours: the morning only, until 11:00; then Monday.
    hall.clock.set(hanoi(2026, 11, 28, 10, 0));
    assert_eq!(try_issue(&kiosk, "A").await.0, 201);
    hall.clock.set(hanoi(2026, 11, 28, 13, 30));
    let (status, body) = try_issue(&kiosk, "A").await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "issuing_stopped"),
        "{body}"
    );
    assert_eq!(issuing(&hall).await["reopens"], "2026-11-30T07:30:00+07:00");
}

#[tokio::test]
async fn a_closed_day_refuses_numbers_and_says_why() {
    let hall = TestHall::start_with(on_the_calendar()).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    // Sunday 29 November 2026.
    hall.clock.set(hanoi(2026, 11, 29, 9, 0));
    let (status, body) = try_issue(&kiosk, "A").await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "hall_closed_today"),
        "{body}"
    );
    let now = issuing(&hall).await;
    assert_eq!(
        (&now["why"], &now["closed_vi"], &now["reopens"]),
        (
            &json!("closed_day"),
            &json!("Ngày nghỉ cuối tuần"),
            &json!("2026-11-30T07:30:00+07:00")
        ),
        "{now}"
    );
    // New Year's Day 2027 (a Friday) is a public holiday.
    hall.clock.set(hanoi(2027, 1, 1, 9, 0));
    let (status, body) = try_issue(&kiosk, "A").await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "hall_closed_today"),
        "{body}"
    );
}

#[tokio::test]
async fn the_demo_hall_gives_numbers_at_night_and_on_sundays() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    hall.clock.set(hanoi(2026, 11, 29, 23, 30));
    let (status, body) = try_issue(&kiosk, "A").await;
    assert_eq!(status, 201, "{body}");
    let now = issuing(&hall).await;
    assert_eq!((&now["open"], &now["until"]), (&json!(true), &json!(null)));
}

#[tokio::test]
async fn a_field_stops_at_its_daily_quota_and_gives_numbers_again_the_next_day() {
    let mut settings = Settings::default();
    settings.services[0].daily_quota = 2;
    let hall = TestHall::start_with(settings).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let left = |services: &Value, code: &str| {
        services["services"]
            .as_array()
            .and_then(|l| l.iter().find(|s| s["code"] == code))
            .map(|s| s["quota_left"].clone())
            .expect("the field")
    };
    let (_, services) = hall.anonymous().get("/api/services").await;
    assert_eq!(left(&services, "A"), json!(2));
    assert_eq!(left(&services, "B"), json!(null));

    assert_eq!(try_issue(&kiosk, "A").await.0, 201);
    assert_eq!(try_issue(&kiosk, "A").await.0, 201);
    let (status, body) = try_issue(&kiosk, "A").await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "quota_reached"),
        "{body}"
    );
    // Other fields are not bound.
    assert_eq!(try_issue(&kiosk, "B").await.0, 201);
    let (_, services) = hall.anonymous().get("/api/services").await;
    assert_eq!(left(&services, "A"), json!(0));

    hall.clock.advance(Duration::days(1));
    let (_, services) = hall.anonymous().get("/api/services").await;
    assert_eq!(left(&services, "A"), json!(2));
    assert_eq!(try_issue(&kiosk, "A").await.0, 201);
}

/// ZMS's rule: recalls at least 5 minutes apart, and absent after the third call.
fn zms() -> Settings {
    let mut settings = Settings::default();
    settings.queue.recall_gap_minutes = 5;
    settings.queue.absent_after_calls = 3;
    settings
}

#[tokio::test]
async fn a_recall_before_the_gap_is_refused_and_says_how_long_to_wait() {
    let hall = TestHall::start_with(zms()).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await;
    kiosk.issue("A", "none").await;
    let called = clerk.call_next(1).await.expect("called");
    hall.clock.advance(Duration::minutes(4));
    let (status, body) = clerk.act(&called, "recall", json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "recall_too_soon"),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("60 s")),
        "{body}"
    );
    hall.clock.advance(Duration::minutes(1));
    let (status, body) = clerk.act(&called, "recall", json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["recalls"], 1, "{body}");
}

#[tokio::test]
async fn after_the_third_call_and_five_minutes_the_hall_marks_the_ticket_absent_itself() {
    let hall = TestHall::start_with(zms()).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await;
    let first = kiosk.issue("A", "none").await;
    let second = kiosk.issue("A", "none").await;
    let called = clerk.call_next(1).await.expect("called");
    assert_eq!(called["id"], first["id"]);
    for _ in 0..2 {
        hall.clock.advance(Duration::minutes(5));
        let (status, body) = clerk.act(&called, "recall", json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
    // Called three times. A minute short of the gap: still called, the counter busy.
    hall.clock.advance(Duration::minutes(4));
    let (status, body) = clerk.post("/api/counters/1/call-next", json!({})).await;
    assert_eq!(status, 409, "the counter is still busy: {body}");

    // The gap is over: the hall lets the citizen go before the clerk's next press, which
    // calls the next citizen.
    hall.clock.advance(Duration::minutes(1));
    let next = clerk.call_next(1).await.expect("the next citizen");
    assert_eq!(next["id"], second["id"]);

    let conn = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("db");
    let (status,): (String,) = conn
        .query_row(
            "SELECT status FROM tickets WHERE id = ?1",
            [first["id"].as_i64().expect("id")],
            |r| Ok((r.get(0)?,)),
        )
        .expect("the ticket");
    assert_eq!(status, "absent");
    let (kind, user, counter): (String, Option<i64>, Option<i64>) = conn
        .query_row(
            "SELECT kind, user_id, counter_no FROM events WHERE ticket_id = ?1 ORDER BY seq DESC LIMIT 1",
            [first["id"].as_i64().expect("id")],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("its last event");
    assert_eq!(
        (kind.as_str(), user, counter),
        ("absent", None, Some(1)),
        "the hall's own event, with no user"
    );
}

/// A ticket's status and its visit's service time (ms) in the figures, from the database.
fn status_and_service(hall: &TestHall, ticket: &Value) -> (String, Option<i64>) {
    let conn = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("db");
    let id = ticket["id"].as_i64().expect("id");
    let status: String = conn
        .query_row("SELECT status FROM tickets WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .expect("the ticket");
    let service: Option<i64> = conn
        .query_row(
            "SELECT ended_at - started_at FROM stat_visits WHERE ticket_id = ?1 AND outcome = 'served'",
            [id],
            |r| r.get(0),
        )
        .ok();
    (status, service)
}

#[tokio::test]
async fn a_held_ticket_frees_the_counter_is_called_back_keeping_its_turn_and_its_hold_is_not_service_time()
 {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await;
    let first = kiosk.issue("A", "none").await;
    let second = kiosk.issue("A", "none").await;
    let called = clerk.call_next(1).await.expect("called");
    assert_eq!(called["id"], first["id"]);
    assert_eq!(clerk.act(&called, "start", json!({})).await.0, 200);
    hall.clock.advance(Duration::minutes(3));

    // The citizen goes to complete the dossier: the ticket is aside, the counter free.
    let (status, body) = clerk.act(&called, "hold", json!({})).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("held")),
        "{body}"
    );
    let token = first["token"].as_str().expect("token");
    let (_, phone) = hall.anonymous().get(&format!("/api/tickets/{token}")).await;
    assert_eq!(
        phone["status"], "held",
        "the phone page says it is on hold: {phone}"
    );
    let next = clerk.call_next(1).await.expect("the next citizen");
    assert_eq!(next["id"], second["id"]);
    assert_eq!(clerk.act(&next, "start", json!({})).await.0, 200);
    hall.clock.advance(Duration::minutes(10));
    assert_eq!(clerk.act(&next, "finish", json!({})).await.0, 200);

    // Back with the paper: called back at once, not from the back of the queue.
    kiosk.issue("A", "none").await;
    let (status, body) = clerk
        .post(
            &format!("/api/tickets/{}/call", first["id"]),
            json!({"counter": 1}),
        )
        .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("called")),
        "{body}"
    );
    assert_eq!(clerk.act(&first, "start", json!({})).await.0, 200);
    hall.clock.advance(Duration::minutes(2));
    assert_eq!(clerk.act(&first, "finish", json!({})).await.0, 200);
    // 3 minutes before the hold and 2 after: the 10 aside are not service.
    assert_eq!(
        status_and_service(&hall, &first),
        ("served".to_owned(), Some(5 * 60_000))
    );
}

#[tokio::test]
async fn a_counter_holds_at_most_its_bound_and_holds_lapse_at_the_days_end() {
    let mut settings = Settings::default();
    settings.queue.holds_per_counter = 1;
    let hall = TestHall::start_with(settings).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await;
    let first = kiosk.issue("A", "none").await;
    kiosk.issue("A", "none").await;
    let called = clerk.call_next(1).await.expect("called");
    assert_eq!(clerk.act(&called, "hold", json!({})).await.0, 200);
    let next = clerk.call_next(1).await.expect("the next citizen");
    let (status, body) = clerk.act(&next, "hold", json!({})).await;
    assert_eq!((status, error_code(&body)), (409, "hold_limit"), "{body}");

    // The next morning the hold has lapsed (cancelled with the day's end).
    hall.clock.advance(Duration::days(1));
    kiosk.issue("A", "none").await;
    assert_eq!(status_and_service(&hall, &first).0, "cancelled");
}

#[tokio::test]
async fn the_issuing_hours_change_live_through_the_admin_settings_and_are_audited() {
    let hall = TestHall::start().await;
    let admin = hall.staff("lan", motcua_domain::Role::Admin).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    hall.clock.set(hanoi(2026, 11, 25, 16, 45));
    assert_eq!(try_issue(&kiosk, "A").await.0, 201);

    let (status, body) = admin
        .put(
            "/api/admin/settings/hours",
            json!({"value": {
                "follow_calendar": true,
                "stop_before_close_minutes": 30,
                "last_issue": "16:30",
                "weekdays": {"saturday": ["07:30-11:30"]},
            }}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = try_issue(&kiosk, "A").await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "issuing_stopped"),
        "{body}"
    );

    // A span the file would refuse is refused, naming the key.
    let (status, body) = admin
        .put(
            "/api/admin/settings/hours",
            json!({"value": {"follow_calendar": true, "weekdays": {"monday": ["7h30-11h"]}}}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("hours.weekdays.monday")),
        "{body}"
    );
    let (_, audit) = admin.get("/api/audit").await;
    assert_eq!(audit["entries"][0]["subject"], "settings:hours", "{audit}");
}
