//! The wait quoted at the kiosk: how close it comes on a simulated morning, and how it
//! follows the counters (a call moves everyone up; time spent at a counter counts).

use motcua_tests::simulation::{self, LATE_TARGET_SHARE, MAE_TARGET_MINUTES, Options, Summary};
use motcua_tests::{TestHall, next_json};
use serde_json::{Value, json};

/// A morning near the middle of twenty simulated ones (`simulate --seed 1 2 ... 20
/// --morning`): its error is the median's.
const MORNING_SEED: u64 = 8;

#[tokio::test]
async fn on_a_simulated_morning_the_quoted_waits_are_close_to_the_real_ones() {
    let quotes = simulation::run(Options::morning(MORNING_SEED)).await;
    let summary = Summary::of(&quotes);
    println!("{}", summary.table());
    assert!(
        summary.all.tickets >= 80,
        "a busy morning: {} tickets",
        summary.all.tickets
    );
    assert!(
        summary.up_to_30.mae < MAE_TARGET_MINUTES,
        "mean error {:.2} min for queues of up to 30 people\n{}",
        summary.up_to_30.mae,
        summary.table()
    );
    assert!(
        summary.all.late_5 < LATE_TARGET_SHARE,
        "{:.1}% waited more than 5 minutes longer than quoted\n{}",
        summary.all.late_5 * 100.0,
        summary.table()
    );
}

/// The demo hall with counter 3 (fields C, A) open: field C's visits typically take 10
/// minutes (configured), and no other counter of C is open.
async fn hall_with_one_counter_for_c() -> (TestHall, motcua_tests::Client, motcua_tests::Client) {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 3).await;
    (hall, kiosk, clerk)
}

async fn status(hall: &TestHall, ticket: &Value) -> Value {
    let token = ticket["token"].as_str().expect("token");
    let (code, body) = hall.anonymous().get(&format!("/api/tickets/{token}")).await;
    assert_eq!(code, 200, "{body}");
    body
}

#[tokio::test]
async fn when_the_person_ahead_is_called_people_ahead_and_the_wait_fall() {
    let (hall, kiosk, clerk) = hall_with_one_counter_for_c().await;
    let first = kiosk.issue("C", "none").await;
    clerk.call_next(3).await.expect("C001 is called");
    let _second = kiosk.issue("C", "none").await;
    let third = kiosk.issue("C", "none").await;
    // C001 at the counter for 10 minutes, then C002 for 10: C003 is called in 20.
    assert_eq!(
        (third["ahead"].clone(), third["eta_minutes"].clone()),
        (json!(1), json!(20))
    );
    let before = status(&hall, &third).await;
    assert_eq!(before["ahead"], 1);
    assert_eq!(before["eta_minutes"], 20);

    // The citizen's phone follows the ticket live.
    let token = third["token"].as_str().expect("token");
    let (mut phone, snapshot) = hall.feed(&format!("/ws/tickets/{token}")).await;
    assert_eq!(snapshot["ticket"]["eta_minutes"], 20);

    hall.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(clerk.act(&first, "start", json!({})).await.0, 200);
    hall.clock.advance(chrono::Duration::minutes(9));
    assert_eq!(clerk.act(&first, "finish", json!({})).await.0, 200);
    let called = clerk.call_next(3).await.expect("C002 is called");
    assert_eq!(called["code"], "C002");

    let after = status(&hall, &third).await;
    assert_eq!(after["ahead"], 0);
    assert_eq!(after["eta_minutes"], 10, "C002's visit has just begun");
    // The phone saw the same, pushed.
    let pushed = loop {
        let frame = next_json(&mut phone).await;
        if frame["ticket"]["ahead"] == 0 {
            break frame;
        }
    };
    assert_eq!(pushed["ticket"]["eta_minutes"], 10);
}

/// The minutes quoted to a new ticket of field C when the clerk of its only counter has
/// been with a citizen of C for `minutes`.
async fn quote_after(minutes: i64) -> u32 {
    let (hall, kiosk, clerk) = hall_with_one_counter_for_c().await;
    let at_counter = kiosk.issue("C", "none").await;
    clerk.call_next(3).await.expect("C001 is called");
    hall.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(clerk.act(&at_counter, "start", json!({})).await.0, 200);
    hall.clock.advance(chrono::Duration::minutes(minutes - 1));
    let next = kiosk.issue("C", "none").await;
    assert_eq!(next["ahead"], 0);
    let quoted = next["eta_minutes"].as_u64().expect("minutes") as u32;
    // What the kiosk showed is what is kept, and what the phone shows at once.
    assert_eq!(status(&hall, &next).await["eta_minutes"], quoted);
    quoted
}

#[tokio::test]
async fn time_already_spent_at_the_counter_shortens_the_quoted_wait() {
    assert_eq!(quote_after(1).await, 9);
    assert_eq!(quote_after(5).await, 5);
    // Nine minutes into a typical ten, the visit is not assumed to end in one minute: a
    // visit still going on is likely a long one, so at least 0.4 of a typical visit is
    // left. Still far from the 10 minutes of a fresh visit.
    assert_eq!(quote_after(9).await, 4);
    assert_eq!(quote_after(30).await, 4);
}
