//! A working day in a hall, end to end: a kiosk issues, clerks call, recall, serve,
//! transfer, return and mark absent, displays follow live, and the event log keeps it all.

use motcua_domain::{DeviceKind, Role};
use motcua_tests::{TestHall, error_code, next_event};
use serde_json::json;

#[tokio::test]
async fn a_ticket_goes_from_the_kiosk_to_the_counter_and_the_display_sees_the_call() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await;
    let (mut display, snapshot) = hall.feed("/ws/hall").await;
    assert_eq!(snapshot["services"].as_array().map(Vec::len), Some(5));

    let ticket = kiosk.issue("A", "none").await;
    assert_eq!(ticket["code"], "A001");
    assert_eq!(ticket["status"], "waiting");
    assert_eq!(ticket["ahead"], 0);
    assert_eq!(ticket["service_name_vi"], "Tư pháp – Hộ tịch");
    assert_eq!(ticket["issued_at"], "2026-11-25T08:00:00+07:00");
    let token = ticket["token"].as_str().expect("token");
    assert_eq!(token.len(), 32, "128 bits as hex");
    assert_eq!(ticket["url"], format!("{}/t/{token}", hall.base));

    let issued = next_event(&mut display, "issued").await;
    assert_eq!(issued["ticket"]["code"], "A001");
    assert_eq!(issued["waiting"]["A"], 1);
    assert!(
        issued.to_string().find(token).is_none(),
        "the hall feed never carries tokens"
    );

    hall.clock.advance(chrono::Duration::minutes(7));
    let called = clerk.call_next(1).await.expect("someone waits");
    assert_eq!(called["code"], "A001");
    assert_eq!(called["status"], "called");
    assert_eq!(called["counter"], 1);

    let frame = next_event(&mut display, "called").await;
    assert_eq!(frame["ticket"]["code"], "A001");
    assert_eq!(frame["counter"]["no"], 1);
    assert_eq!(frame["waiting"]["A"], 0);
    assert!(frame["seq"].as_i64() > issued["seq"].as_i64());

    // The citizen's phone reads the status by token.
    let (status, seen) = hall.anonymous().get(&format!("/api/tickets/{token}")).await;
    assert_eq!(status, 200);
    assert_eq!(seen["status"], "called");
    assert_eq!(seen["counter"], 1);
}

#[tokio::test]
async fn a_day_of_recalls_transfers_returns_and_absences_is_recorded_move_by_move() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk1 = hall.clerk_at("lan", 1).await; // serves A, D
    let clerk2 = hall.clerk_at("minh", 2).await; // serves B, E

    let a1 = kiosk.issue("A", "none").await;
    let a2 = kiosk.issue("A", "none").await;
    let a3 = kiosk.issue("A", "none").await;
    assert_eq!(a3["ahead"], 2);

    // A001: called, recalled twice, served.
    let t = clerk1.call_next(1).await.expect("A001");
    assert_eq!(t["id"], a1["id"]);
    for n in 1..=2 {
        let (status, t) = clerk1.act(&a1, "recall", json!({})).await;
        assert_eq!(status, 200, "{t}");
        assert_eq!(t["recalls"], n);
        assert_eq!(t["status"], "called");
    }
    hall.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(clerk1.act(&a1, "start", json!({})).await.0, 200);
    hall.clock.advance(chrono::Duration::minutes(6));
    let (_, done) = clerk1.act(&a1, "finish", json!({})).await;
    assert_eq!(done["status"], "served");
    assert_eq!(done["finished_at"], "2026-11-25T08:07:00+07:00");

    // A002: called, never comes.
    let t = clerk1.call_next(1).await.expect("A002");
    assert_eq!(t["id"], a2["id"]);
    let (_, gone) = clerk1.act(&a2, "no-show", json!({})).await;
    assert_eq!(gone["status"], "absent");

    // A003: the dossier belongs to land affairs: transferred to B, keeps its code.
    let t = clerk1.call_next(1).await.expect("A003");
    assert_eq!(t["id"], a3["id"]);
    let (status, moved) = clerk1.act(&a3, "transfer", json!({"service": "B"})).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["status"], "waiting");
    assert_eq!(moved["service"], "B");
    assert_eq!(moved["code"], "A003");
    assert_eq!(
        clerk1.call_next(1).await,
        None,
        "counter 1 does not serve B"
    );

    // Counter 2 serves B: it gets A003, starts, then sends the citizen back to complete
    // the dossier; the ticket goes back into the queue.
    let t = clerk2.call_next(2).await.expect("A003 at counter 2");
    assert_eq!(t["code"], "A003");
    assert_eq!(clerk2.act(&a3, "start", json!({})).await.0, 200);
    let (_, back) = clerk2.act(&a3, "return", json!({})).await;
    assert_eq!(back["status"], "waiting");
    assert_eq!(back["counter"], serde_json::Value::Null);

    // A cancelled ticket is closed for good.
    let a4 = kiosk.issue("A", "none").await;
    let (_, cancelled) = clerk1.act(&a4, "cancel", json!({})).await;
    assert_eq!(cancelled["status"], "cancelled");
    let (status, body) = clerk1.act(&a4, "call", json!({"counter": 1})).await;
    assert_eq!((status, error_code(&body)), (409, "ticket_closed"));

    // The event log tells the whole story, in order.
    let conn = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("db");
    let kinds: Vec<String> = conn
        .prepare("SELECT kind FROM events WHERE ticket_id IS NOT NULL ORDER BY seq")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("events");
    assert_eq!(
        kinds,
        [
            "issued",
            "issued",
            "issued",
            "called",
            "recalled",
            "recalled",
            "serving",
            "served",
            "called",
            "absent",
            "called",
            "transferred",
            "called",
            "serving",
            "returned",
            "issued",
            "cancelled"
        ]
    );
    let seqs: Vec<i64> = conn
        .prepare("SELECT seq FROM events ORDER BY seq")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("seqs");
    assert!(
        seqs.windows(2).all(|w| w[1] == w[0] + 1),
        "no gaps: {seqs:?}"
    );
}

#[tokio::test]
async fn the_event_log_refuses_to_be_rewritten() {
    let hall = TestHall::start().await;
    let clerk = hall.staff("lan", Role::Clerk).await;
    clerk.issue("A", "none").await;
    let conn = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("db");
    let update = conn.execute("UPDATE events SET kind = 'served'", []);
    assert!(update.is_err(), "an UPDATE of the log must fail");
    let delete = conn.execute("DELETE FROM events", []);
    assert!(delete.is_err(), "a DELETE from the log must fail");
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .expect("count");
    assert_eq!(n, 1);
}

#[tokio::test]
async fn priority_tickets_go_first_until_a_normal_citizen_has_waited_too_long() {
    let hall = TestHall::start().await; // fairness: 3 priority calls in a row, then a normal ticket waiting > 20 min
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await;

    let normal = kiosk.issue("A", "none").await;
    let mut priority = Vec::new();
    for kind in [
        "elderly",
        "pregnant",
        "disabled",
        "war_invalid",
        "meritorious",
    ] {
        hall.clock.advance(chrono::Duration::minutes(1));
        priority.push(kiosk.issue("A", kind).await);
    }
    assert_eq!(
        priority[0]["ahead"], 0,
        "a priority ticket only waits behind earlier priority"
    );
    let (_, normal_now) = hall
        .anonymous()
        .get(&format!(
            "/api/tickets/{}",
            normal["token"].as_str().expect("token")
        ))
        .await;
    assert_eq!(normal_now["ahead"], 5);

    let mut order = Vec::new();
    for _ in 0..3 {
        let t = clerk.call_next(1).await.expect("a ticket");
        order.push(t["code"].clone());
        clerk.act(&t, "no-show", json!({})).await;
    }
    assert_eq!(
        order,
        ["A002", "A003", "A004"],
        "priority in order of arrival"
    );

    // Three priority calls in a row, but A001 has waited only 5 minutes: priority again.
    let t = clerk.call_next(1).await.expect("a ticket");
    assert_eq!(t["code"], "A005");
    clerk.act(&t, "no-show", json!({})).await;

    // 40 minutes later the normal citizen has waited too long: they go next.
    hall.clock.advance(chrono::Duration::minutes(40));
    let t = clerk.call_next(1).await.expect("a ticket");
    assert_eq!(t["code"], "A001");
    clerk.act(&t, "no-show", json!({})).await;
    let t = clerk.call_next(1).await.expect("a ticket");
    assert_eq!(t["code"], "A006");
}

#[tokio::test]
async fn a_clerk_can_call_a_specific_ticket_and_pause_with_a_reason() {
    let hall = TestHall::start().await;
    let clerk = hall.clerk_at("lan", 4).await; // serves D, A, C
    let first = clerk.issue("D", "none").await;
    let second = clerk.issue("C", "none").await;

    let (status, called) = clerk.act(&second, "call", json!({"counter": 4})).await;
    assert_eq!(status, 200, "{called}");
    assert_eq!(called["code"], "C001");
    let (status, body) = clerk.act(&first, "call", json!({"counter": 4})).await;
    assert_eq!((status, error_code(&body)), (409, "counter_busy"));
    clerk.act(&second, "no-show", json!({})).await;

    let (status, counter) = clerk
        .post("/api/counters/4/pause", json!({"reason": "Họp giao ban"}))
        .await;
    assert_eq!(status, 200, "{counter}");
    assert_eq!(counter["state"], "paused");
    assert_eq!(counter["reason"], "Họp giao ban");
    let (status, body) = clerk.post("/api/counters/4/call-next", json!({})).await;
    assert_eq!((status, error_code(&body)), (409, "counter_paused"));

    let (status, counter) = clerk.post("/api/counters/4/resume", json!({})).await;
    assert_eq!((status, counter["state"].as_str()), (200, Some("open")));
    let t = clerk.call_next(4).await.expect("D001");
    assert_eq!(t["id"], first["id"]);
}

#[tokio::test]
async fn counter_and_ticket_feeds_follow_their_own_tickets() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 3).await; // serves C, A
    let ticket = kiosk.issue("C", "elderly").await;
    let token = ticket["token"].as_str().expect("token");

    let (mut counter_feed, snap) = hall.feed("/ws/counters/3").await;
    assert_eq!(snap["counter"]["state"], "open");
    assert_eq!(snap["waiting"][0]["code"], "C001");
    let (mut phone, snap) = hall.feed(&format!("/ws/tickets/{token}")).await;
    assert_eq!(snap["ticket"]["status"], "waiting");
    // The holder's view names no priority category: the token is on a paper ticket.
    assert!(snap["ticket"].get("priority").is_none(), "{snap}");
    assert_eq!(snap["ticket"]["code"], "C001");
    let (status, page) = hall.anonymous().get(&format!("/api/tickets/{token}")).await;
    assert_eq!(status, 200);
    assert!(page.get("priority").is_none(), "{page}");
    assert_eq!(page["status"], "waiting");

    // Someone else joins the queue behind: the phone need not hear of it (nothing changed
    // for it), but the counter does.
    kiosk.issue("A", "none").await;
    let frame = next_event(&mut counter_feed, "issued").await;
    assert_eq!(frame["ticket"]["code"], "A001");

    clerk.call_next(3).await.expect("C001");
    let update = motcua_tests::next_json(&mut phone).await;
    assert_eq!(update["type"], "update");
    assert_eq!(update["kind"], "called");
    assert_eq!(update["ticket"]["status"], "called");
    assert_eq!(update["ticket"]["counter"], 3);
    let frame = next_event(&mut counter_feed, "called").await;
    assert_eq!(frame["counter"]["current"]["code"], "C001");
}

#[tokio::test]
async fn the_waiting_list_gives_each_ticket_the_same_place_as_its_own_page() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 4).await; // serves D, A, C
    let mut tokens = std::collections::HashMap::new();
    for (i, (field, priority)) in [
        ("A", "none"),
        ("D", "none"),
        ("A", "elderly"),
        ("C", "none"),
        ("A", "none"),
        ("D", "pregnant"),
        ("A", "meritorious"),
        ("C", "none"),
        ("A", "none"),
    ]
    .into_iter()
    .enumerate()
    {
        hall.clock.advance(chrono::Duration::minutes(1 + i as i64));
        let t = kiosk.issue(field, priority).await;
        tokens.insert(
            t["id"].as_i64().expect("id"),
            t["token"].as_str().expect("token").to_owned(),
        );
    }
    // One is called and sent back: it queues again at the back.
    let first = clerk.call_next(4).await.expect("a ticket");
    clerk.act(&first, "return", json!({})).await;

    let (_, snapshot) = hall.anonymous().get("/api/counters/4").await;
    let (_, list) = clerk.get("/api/tickets?status=waiting").await;
    let listed = list["tickets"].as_array().expect("list");
    let waiting = snapshot["waiting"].as_array().expect("waiting");
    assert_eq!(waiting.len(), 9);
    for t in waiting {
        let token = &tokens[&t["id"].as_i64().expect("id")];
        let (_, own) = hall.anonymous().get(&format!("/api/tickets/{token}")).await;
        assert_eq!(
            (t["ahead"].clone(), t["eta_minutes"].clone()),
            (own["ahead"].clone(), own["eta_minutes"].clone()),
            "{}",
            t["code"]
        );
        let in_list = listed
            .iter()
            .find(|l| l["id"] == t["id"])
            .expect("in the list");
        assert_eq!(in_list["ahead"], own["ahead"], "{}", t["code"]);
    }
}
