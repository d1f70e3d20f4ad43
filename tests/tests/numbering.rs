//! Numbers restart each local day (Asia/Ho_Chi_Minh) and never repeat within a day,
//! also across restarts; a restart on the same data dir loses nothing.

use chrono::Duration;
use motcua_domain::DeviceKind;
use motcua_tests::TestHall;
use serde_json::json;

#[tokio::test]
async fn numbering_restarts_at_local_midnight_not_at_utc_midnight() {
    let hall = TestHall::start().await; // 08:00 in Hanoi
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    assert_eq!(kiosk.issue("A", "none").await["code"], "A001");
    // 23:59 in Hanoi is 16:59 UTC: still the same day.
    hall.clock
        .advance(Duration::hours(15) + Duration::minutes(59));
    let late = kiosk.issue("A", "none").await;
    assert_eq!(late["code"], "A002");
    assert_eq!(late["issued_at"], "2026-11-25T23:59:00+07:00");
    // Two minutes later it is the 26th in Hanoi (still the 25th in UTC).
    hall.clock.advance(Duration::minutes(2));
    let next_day = kiosk.issue("A", "none").await;
    assert_eq!(next_day["code"], "A001");
    assert_eq!(next_day["issued_at"], "2026-11-26T00:01:00+07:00");
    assert_eq!(
        next_day["ahead"], 0,
        "yesterday's open tickets do not count"
    );
}

#[tokio::test]
async fn tickets_left_open_at_midnight_are_closed_with_an_event() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await;
    let waiting = kiosk.issue("A", "none").await;
    kiosk.issue("A", "none").await;
    let called = clerk.call_next(1).await.expect("A001");
    assert_eq!(called["id"], waiting["id"]);

    // The next morning: the clerk signs in again; the counter was closed at the day's end.
    hall.clock.advance(Duration::hours(24));
    kiosk.issue("D", "none").await;
    let (_, counter) = hall.anonymous().get("/api/counters/1").await;
    assert_eq!(counter["counter"]["state"], "closed");
    assert_eq!(counter["counter"]["current"], serde_json::Value::Null);
    let clerk = hall.sign_in("lan").await;
    let (status, _) = clerk.post("/api/counters/1/open", json!({})).await;
    assert_eq!(status, 200);
    let t = clerk.call_next(1).await.expect("today's ticket");
    assert_eq!(
        t["code"], "D001",
        "today's D001 is called, not yesterday's A002"
    );
    let conn = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("db");
    let closed: Vec<(String, String)> = conn
        .prepare("SELECT t.code, e.data FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE e.kind = 'cancelled' ORDER BY e.seq")
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .expect("events");
    assert_eq!(closed.len(), 2, "{closed:?}");
    let counter_closed: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM events WHERE kind = 'counter_closed' AND data LIKE '%day_ended%'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(counter_closed, 1);
    assert!(closed.iter().all(|(_, data)| data.contains("day_ended")));
}

#[tokio::test]
async fn a_restart_on_the_same_data_dir_loses_nothing_and_continues_the_numbering() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let mut tokens = Vec::new();
    for _ in 0..5 {
        tokens.push(
            kiosk.issue("B", "none").await["token"]
                .as_str()
                .expect("token")
                .to_owned(),
        );
    }
    let hall = hall.restart().await;
    for (i, token) in tokens.iter().enumerate() {
        let (status, t) = hall.anonymous().get(&format!("/api/tickets/{token}")).await;
        assert_eq!(status, 200);
        assert_eq!(t["code"], format!("B{:03}", i + 1));
        assert_eq!(t["ahead"], i);
    }
    let kiosk = hall.device("kiosk-2", DeviceKind::Kiosk);
    assert_eq!(kiosk.issue("B", "none").await["code"], "B006");
}

#[tokio::test]
async fn a_used_up_series_is_refused_clearly_and_never_repeats() {
    let mut settings = motcua_hall::config::Settings::default();
    settings.services[0].last = 3; // A1..A3
    let hall = TestHall::start_with(settings).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let codes: Vec<String> =
        futures_util::future::join_all((0..3).map(|_| kiosk.issue("A", "none")))
            .await
            .iter()
            .map(|t| t["code"].as_str().expect("code").to_owned())
            .collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(sorted, ["A1", "A2", "A3"]);
    let (status, body) = kiosk.post("/api/tickets", json!({"service": "A"})).await;
    assert_eq!(status, 409);
    assert_eq!(motcua_tests::error_code(&body), "series_exhausted");
}
