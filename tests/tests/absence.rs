//! Absences: a citizen is marked absent only after a recall or the hall's minimum time
//! since the call, and an absence can be undone within the hall's window (called again at
//! the counter, or back to the front of the queue), each move in the event log and the
//! figures counting the visit by how it finally ended.

use chrono::Duration;
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_tests::{Client, TestHall, error_code};
use serde_json::{Value, json};

/// The demo hall with its default absence rules (120 s after a call, 15 minutes to undo),
/// a kiosk, a clerk at counter 1 (fields A and D) and a manager.
async fn hall() -> (TestHall, Client, Client, Client) {
    let hall = TestHall::start_with_absence_rules(Settings::default()).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await;
    let manager = hall.staff("boss", Role::Manager).await;
    (hall, kiosk, clerk, manager)
}

async fn undo(clerk: &Client, ticket: &Value, body: Value) -> (u16, Value) {
    clerk.act(ticket, "undo-absent", body).await
}

/// The kinds and data of a ticket's events, in order.
fn events_of(hall: &TestHall, ticket: &Value) -> Vec<(String, Value)> {
    let conn = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("db");
    let id = ticket["id"].as_i64().expect("id");
    conn.prepare("SELECT kind, data FROM events WHERE ticket_id = ?1 ORDER BY seq")
        .and_then(|mut s| {
            s.query_map([id], |r| {
                let data: String = r.get(1)?;
                Ok((r.get(0)?, serde_json::from_str(&data).expect("json")))
            })?
            .collect()
        })
        .expect("events")
}

fn kinds(events: &[(String, Value)]) -> Vec<&str> {
    events.iter().map(|(k, _)| k.as_str()).collect()
}

#[tokio::test]
async fn absent_is_refused_right_after_the_call_and_accepted_after_a_recall_or_two_minutes() {
    let (hall, kiosk, clerk, _) = hall().await;
    let first = kiosk.issue("A", "none").await;
    let called = clerk.call_next(1).await.expect("called");
    assert_eq!(called["id"], first["id"]);

    // The finding: one press of A, 0.7 s after the call, marked the citizen absent.
    hall.clock.advance(Duration::milliseconds(700));
    let (status, body) = clerk.act(&called, "no-show", json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "absent_too_soon"),
        "{body}"
    );
    hall.clock.advance(Duration::seconds(118));
    let (status, body) = clerk.act(&called, "no-show", json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "absent_too_soon"),
        "{body}"
    );
    // A recall: the citizen was called twice, absent is offered at once.
    let (status, _) = clerk.act(&called, "recall", json!({})).await;
    assert_eq!(status, 200);
    let (status, body) = clerk.act(&called, "no-show", json!({})).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("absent")),
        "{body}"
    );

    // Or two minutes after the call, without a recall.
    kiosk.issue("A", "none").await;
    let second = clerk.call_next(1).await.expect("called");
    hall.clock.advance(Duration::seconds(120));
    let (status, body) = clerk.act(&second, "no-show", json!({})).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("absent")),
        "{body}"
    );
}

#[tokio::test]
async fn an_absence_undone_calls_the_ticket_again_at_the_counter_and_the_visit_counts_as_served() {
    let (hall, kiosk, clerk, manager) = hall().await;
    let ticket = kiosk.issue("A", "none").await;
    hall.clock.advance(Duration::minutes(3));
    let called = clerk.call_next(1).await.expect("called");
    hall.clock.advance(Duration::minutes(2));
    let (status, _) = clerk.act(&called, "no-show", json!({})).await;
    assert_eq!(status, 200);
    // Closed, the ticket could never be called again before: it still cannot, by "call".
    let (status, body) = clerk.act(&ticket, "call", json!({"counter": 1})).await;
    assert_eq!((status, error_code(&body)), (409, "ticket_closed"));

    // Back from the photocopier ten minutes later.
    hall.clock.advance(Duration::minutes(10));
    let (status, again) = undo(&clerk, &ticket, json!({"to": "counter", "counter": 1})).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["status"], "called");
    assert_eq!(again["counter"], 1);
    assert_eq!(again["finished_at"], Value::Null);
    let (_, counter) = clerk.get("/api/counters/1").await;
    assert_eq!(
        counter["counter"]["current"]["id"], ticket["id"],
        "{counter}"
    );

    hall.clock.advance(Duration::seconds(30));
    let (status, _) = clerk.act(&ticket, "start", json!({})).await;
    assert_eq!(status, 200);
    hall.clock.advance(Duration::minutes(4));
    let (status, _) = clerk.act(&ticket, "finish", json!({})).await;
    assert_eq!(status, 200);

    let events = events_of(&hall, &ticket);
    assert_eq!(
        kinds(&events),
        [
            "issued",
            "called",
            "absent",
            "absent_undone",
            "serving",
            "served"
        ]
    );
    assert_eq!(events[3].1, json!({"to": "counter"}));

    // One visit, served: not absent. Its wait is to its first call (3 min); its walk from
    // the call again (30 s); its service 4 min.
    let (status, stats) = manager.get("/api/stats").await;
    assert_eq!(status, 200, "{stats}");
    let total = &stats["total"];
    assert_eq!(total["issued"], 1, "{total}");
    assert_eq!(total["served"], 1, "{total}");
    assert_eq!(total["absent"], 0, "{total}");
    assert_eq!(total["unfinished"], 0, "{total}");
    assert_eq!(total["wait"]["n"], 1);
    assert_eq!(total["wait"]["median"], 180.0);
    assert_eq!(total["walk"]["median"], 30.0);
    assert_eq!(total["service"]["median"], 240.0);
    assert_eq!(total["absent_rate"], 0.0);
}

#[tokio::test]
async fn an_absence_undone_to_the_queue_goes_before_everyone_who_came_after_it() {
    let (hall, kiosk, clerk, manager) = hall().await;
    let first = kiosk.issue("A", "none").await;
    hall.clock.advance(Duration::minutes(1));
    let second = kiosk.issue("A", "none").await;
    hall.clock.advance(Duration::minutes(1));
    let third = kiosk.issue("A", "none").await;

    let called = clerk.call_next(1).await.expect("called");
    assert_eq!(called["id"], first["id"]);
    clerk.act(&called, "recall", json!({})).await;
    let (status, _) = clerk.act(&called, "no-show", json!({})).await;
    assert_eq!(status, 200);
    let next = clerk.call_next(1).await.expect("called");
    assert_eq!(next["id"], second["id"]);

    // The citizen is back while the counter serves the next one: back in the queue.
    hall.clock.advance(Duration::minutes(5));
    let (status, back) = undo(&clerk, &first, json!({"to": "queue"})).await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["status"], "waiting");
    assert_eq!(back["counter"], Value::Null);
    assert_eq!(back["ahead"], 0, "at the front of its queue: {back}");
    let (_, waiting) = clerk.get("/api/tickets?status=waiting").await;
    let order: Vec<&Value> = waiting["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .map(|t| &t["id"])
        .collect();
    assert_eq!(order, [&first["id"], &third["id"]]);

    clerk.act(&next, "start", json!({})).await;
    clerk.act(&next, "finish", json!({})).await;
    let again = clerk.call_next(1).await.expect("called");
    assert_eq!(
        again["id"], first["id"],
        "called before the ticket issued after it"
    );

    let events = events_of(&hall, &first);
    assert_eq!(
        kinds(&events),
        [
            "issued",
            "called",
            "recalled",
            "absent",
            "absent_undone",
            "called"
        ]
    );
    assert_eq!(events[4].1, json!({"to": "queue"}));

    // Absent again: the visit counts once, as absent.
    hall.clock.advance(Duration::minutes(2));
    let (status, _) = clerk.act(&again, "no-show", json!({})).await;
    assert_eq!(status, 200);
    let (_, stats) = manager.get("/api/stats").await;
    let total = &stats["total"];
    assert_eq!(total["issued"], 3, "{total}");
    assert_eq!(total["absent"], 1, "{total}");
    assert_eq!(total["served"], 1, "{total}");
    assert_eq!(total["unfinished"], 1, "the third still waits: {total}");
}

#[tokio::test]
async fn undoing_an_absence_is_refused_for_a_ticket_not_absent_after_the_window_or_elsewhere() {
    let (hall, kiosk, clerk, manager) = hall().await;
    let waiting = kiosk.issue("A", "none").await;
    let (status, body) = undo(&clerk, &waiting, json!({"to": "queue"})).await;
    assert_eq!((status, error_code(&body)), (409, "ticket_not_absent"));

    let called = clerk.call_next(1).await.expect("called");
    let (status, body) = undo(&clerk, &called, json!({"to": "counter", "counter": 1})).await;
    assert_eq!((status, error_code(&body)), (409, "ticket_not_absent"));
    clerk.act(&called, "recall", json!({})).await;
    let (status, _) = clerk.act(&called, "no-show", json!({})).await;
    assert_eq!(status, 200);

    // Bad bodies.
    let (status, body) = undo(&clerk, &called, json!({})).await;
    assert_eq!((status, error_code(&body)), (422, "missing_target"));
    let (status, body) = undo(&clerk, &called, json!({"to": "counter"})).await;
    assert_eq!((status, error_code(&body)), (422, "missing_counter"));
    let (status, body) = undo(&clerk, &called, json!({"to": "home"})).await;
    assert_eq!((status, error_code(&body)), (422, "invalid_body"), "{body}");

    // A clerk whose counter does not serve field A, nor another clerk's counter.
    let other = hall.clerk_at("minh", 2).await;
    let (status, body) = undo(&other, &called, json!({"to": "queue"})).await;
    assert_eq!((status, error_code(&body)), (403, "forbidden"), "{body}");
    let (status, body) = undo(&other, &called, json!({"to": "counter", "counter": 1})).await;
    assert_eq!((status, error_code(&body)), (403, "forbidden"), "{body}");
    let (status, body) = undo(&other, &called, json!({"to": "counter", "counter": 2})).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "service_not_served"),
        "{body}"
    );

    // The counter is busy with someone else: not there, but the queue takes it.
    kiosk.issue("A", "none").await;
    let busy = clerk.call_next(1).await.expect("called");
    let (status, body) = undo(&clerk, &called, json!({"to": "counter", "counter": 1})).await;
    assert_eq!((status, error_code(&body)), (409, "counter_busy"), "{body}");
    clerk.act(&busy, "start", json!({})).await;
    clerk.act(&busy, "finish", json!({})).await;

    // Fifteen minutes is the window; a manager may undo too, within it.
    hall.clock.advance(Duration::minutes(15));
    let (status, body) = undo(&manager, &called, json!({"to": "queue"})).await;
    assert_eq!(status, 200, "{body}");
    let again = clerk.call_next(1).await.expect("called");
    assert_eq!(again["id"], called["id"]);
    hall.clock.advance(Duration::minutes(3));
    clerk.act(&again, "no-show", json!({})).await;
    hall.clock
        .advance(Duration::minutes(15) + Duration::seconds(1));
    let (status, body) = undo(&clerk, &again, json!({"to": "counter", "counter": 1})).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "absent_undo_expired"),
        "{body}"
    );
    let (status, body) = undo(&manager, &again, json!({"to": "queue"})).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "absent_undo_expired"),
        "{body}"
    );
    let (status, body) = manager
        .post("/api/tickets/999/undo-absent", json!({"to": "queue"}))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "ticket_not_found"),
        "{body}"
    );
}

#[tokio::test]
async fn the_console_and_the_kiosk_learn_the_absence_rules_from_the_hall() {
    let mut settings = Settings::default();
    settings.queue.absent_after_seconds = 45;
    settings.queue.absent_undo_minutes = 30;
    let hall = TestHall::start_with_absence_rules(settings).await;
    let (status, info) = hall.anonymous().get("/api/services").await;
    assert_eq!(status, 200);
    assert_eq!(info["absent_after_seconds"], 45);
    assert_eq!(info["absent_undo_minutes"], 30);
}

#[tokio::test]
async fn an_absence_of_yesterday_cannot_be_undone_after_midnight_even_within_the_window() {
    let (hall, kiosk, _, _) = hall().await;
    // 23:50, the hall's time (the morning's sessions have ended: sign in again).
    hall.clock
        .advance(Duration::hours(15) + Duration::minutes(50));
    let clerk = hall.clerk_at("hoa", 3).await;
    let ticket = kiosk.issue("A", "none").await;
    let called = clerk.call_next(3).await.expect("called");
    clerk.act(&called, "recall", json!({})).await;
    let (status, _) = clerk.act(&called, "no-show", json!({})).await;
    assert_eq!(status, 200);
    // 00:02: twelve minutes later, but a new day: yesterday's queue is gone.
    hall.clock.advance(Duration::minutes(12));
    let manager = hall.sign_in("boss").await;
    let (status, body) = undo(&manager, &ticket, json!({"to": "queue"})).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "absent_undo_expired"),
        "{body}"
    );
}
