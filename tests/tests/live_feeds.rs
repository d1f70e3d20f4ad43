//! Live feeds across a server restart: the socket closes (the display sees the outage),
//! and reconnecting to the same address starts from a snapshot with nothing lost.

use futures_util::StreamExt;
use motcua_domain::DeviceKind;
use motcua_tests::TestHall;
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn a_display_sees_a_restart_and_reconnects_to_a_true_snapshot() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    for _ in 0..3 {
        kiosk.issue("E", "none").await;
    }
    let (mut display, snapshot) = hall.feed("/ws/hall").await;
    let seq_before = snapshot["seq"].as_i64().expect("seq");

    let hall = hall.restart_in_place().await;
    // The old socket ends: a close frame or the end of the stream, within 10 s.
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match display.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "the display must notice the server went away"
    );

    let (mut display, snapshot) = hall.feed("/ws/hall").await;
    assert_eq!(
        snapshot["seq"].as_i64(),
        Some(seq_before),
        "nothing lost, nothing invented"
    );
    let waiting_e = snapshot["services"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["code"] == "E"))
        .map(|s| s["waiting"].clone());
    assert_eq!(waiting_e, Some(serde_json::json!(3)));
    // And it is live again.
    let clerk = hall.clerk_at("minh", 2).await;
    clerk.call_next(2).await.expect("E001");
    let called = motcua_tests::next_event(&mut display, "called").await;
    assert_eq!(called["ticket"]["code"], "E001");
}

#[tokio::test]
async fn a_burst_of_tickets_reaches_the_tv_as_a_few_frames_with_the_latest_counts() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let (mut display, _) = hall.feed("/ws/hall").await;
    let (mut counter, _) = hall.feed("/ws/counters/1").await;
    let tickets = futures_util::future::join_all((0..20).map(|_| kiosk.issue("A", "none"))).await;
    assert_eq!(tickets.len(), 20);

    // The counter console hears of every ticket in its fields...
    let mut heard = 0;
    while heard < 20 {
        let frame = motcua_tests::next_json(&mut counter).await;
        if frame["kind"] == "issued" {
            heard += 1;
        }
    }
    // ...the TV only of the latest counts, in far fewer frames.
    let mut frames = 0;
    loop {
        let frame = motcua_tests::next_json(&mut display).await;
        frames += 1;
        if frame["waiting"]["A"] == 20 {
            break;
        }
    }
    assert!(frames < 20, "{frames} frames for 20 tickets");
    // A call is not held back: it comes next, with the counts after it.
    let clerk = hall.clerk_at("lan", 1).await;
    let opened = motcua_tests::next_json(&mut display).await;
    assert_eq!(opened["kind"], "counter_opened");
    clerk.call_next(1).await.expect("A001");
    let called = motcua_tests::next_json(&mut display).await;
    assert_eq!(called["kind"], "called");
    assert_eq!(called["waiting"]["A"], 19);
}

#[tokio::test]
async fn a_phone_hears_when_a_counter_for_its_field_opens_and_its_estimate_moves() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    // No counter open: every counter serving A counts for it (1, 3 and 4).
    for _ in 0..3 {
        kiosk.issue("A", "none").await;
    }
    let mine = kiosk.issue("A", "none").await;
    let token = mine["token"].as_str().expect("token");
    let (mut phone, snap) = hall.feed(&format!("/ws/tickets/{token}")).await;
    let before = snap["ticket"]["eta_minutes"].as_u64().expect("an estimate");
    // Counter 1 opens, alone: the others no longer count, so the wait grows, and the phone
    // is told without a ticket of its field moving.
    let clerk = hall.staff("canbo1", motcua_domain::Role::Clerk).await;
    let (status, body) = clerk.post("/api/counters/1/open", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let update = motcua_tests::next_json(&mut phone).await;
    assert_eq!(update["type"], "update", "{update}");
    assert_eq!(update["kind"], "counter_opened", "{update}");
    let after = update["ticket"]["eta_minutes"]
        .as_u64()
        .expect("an estimate");
    assert!(
        after > before,
        "one counter instead of three: {before} -> {after}"
    );
}

/// How many times the hall's estimates were replayed for phones, as `/metrics` says.
async fn ticket_replays(hall: &TestHall) -> u64 {
    let (status, _, body) = hall.anonymous().get_bytes("/metrics").await;
    assert_eq!(status, 200);
    let text = String::from_utf8(body).expect("text");
    text.lines()
        .find_map(|l| l.strip_prefix("motcua_live_ticket_replays_total "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no motcua_live_ticket_replays_total in:\n{text}"))
}

#[tokio::test]
async fn forty_phones_of_a_field_each_see_their_ticket_page_after_a_call_from_one_replay() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    // Counter 1 serves A, then D; counters 3 and 4 (also serving A) stay closed.
    let clerk = hall.clerk_at("lan", 1).await;
    let mut tokens = Vec::new();
    for i in 0..40 {
        let priority = if i % 9 == 4 { "pregnant" } else { "none" };
        let ticket = kiosk.issue("A", priority).await;
        tokens.push(ticket["token"].as_str().expect("token").to_owned());
        hall.clock.advance(chrono::Duration::seconds(20));
        if i % 10 == 0 {
            kiosk.issue("D", "none").await;
        }
    }
    let mut phones = Vec::new();
    for token in tokens {
        let (socket, _) = hall.feed(&format!("/ws/tickets/{token}")).await;
        phones.push((token, socket));
    }
    let before = ticket_replays(&hall).await;

    // A ticket joins the back of A: nobody's page changes, so no phone hears of it...
    kiosk.issue("A", "none").await;
    // (once the phones have the queue as it is now: read later, it could already hold the
    // call below)
    motcua_tests::until("the phones' replay after the new ticket", || async {
        ticket_replays(&hall).await > before
    })
    .await;
    hall.clock.advance(chrono::Duration::minutes(3));
    // ...and the first frame each gets is the call (the first priority ticket of A).
    let called = clerk.call_next(1).await.expect("someone waits");
    assert_eq!(called["code"], "A005", "{called}");
    for (token, phone) in &mut phones {
        let frame = motcua_tests::next_json(phone).await;
        assert_eq!(frame["type"], "update", "{frame}");
        assert_eq!(frame["kind"], "called", "{frame}");
        let (status, page) = hall.anonymous().get(&format!("/api/tickets/{token}")).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(
            frame["ticket"], page,
            "the phone shows what the ticket's page says"
        );
        assert!(page.get("priority").is_none(), "{page}");
    }
    let waiting_pages = phones.len() - 1;
    assert!(waiting_pages > 30);
    // One replay for the ticket that joined, one for the call: not one per phone.
    assert_eq!(ticket_replays(&hall).await - before, 2);
}

/// What the TV needs to draw the truth from nothing: the hall's time, and where each
/// called ticket stands now.
#[tokio::test]
async fn the_hall_snapshot_says_the_hall_time_and_where_each_called_ticket_stands_now() {
    let hall = TestHall::start().await;
    let clerk = hall.clerk_at("lan", 1).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    kiosk.issue("A", "none").await;
    kiosk.issue("D", "none").await;
    let first = clerk.call_next(1).await.expect("A001 called");
    assert_eq!(first["code"], "A001");
    hall.clock.advance(chrono::Duration::minutes(1));
    let (status, body) = clerk.act(&first, "return", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let second = clerk.call_next(1).await.expect("D001 called");
    assert_eq!(second["code"], "D001");
    hall.clock.advance(chrono::Duration::minutes(7));
    let (_socket, snapshot) = hall.feed("/ws/hall").await;
    assert_eq!(snapshot["now"], "2026-11-25T08:08:00+07:00");
    let calls = &snapshot["recent_calls"];
    assert_eq!(calls[0]["code"], "D001");
    assert_eq!(calls[0]["status"], "called");
    assert_eq!(calls[1]["code"], "A001");
    assert_eq!(calls[1]["status"], "waiting", "returned to the queue");
}
