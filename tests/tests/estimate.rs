//! The wait quoted at the kiosk: how close it comes on a simulated morning, and how it
//! follows the counters (a call moves everyone up; time spent at a counter counts).

use motcua_tests::simulation::{self, LATE_TARGET_SHARE, MAE_TARGET_MINUTES, Options, Summary};
use motcua_tests::{Dice, TestHall, next_json};
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

/// Minutes a counter is taken per call in the demo hall's fields A, C and D (their
/// configured times: on the morning below every visit ends at exactly that length, so
/// it stays each field's typical occupation).
fn typical(field: &str) -> f64 {
    match field {
        "A" => 8.0,
        "C" => 10.0,
        "D" => 4.0,
        other => panic!("no field {other} on this morning"),
    }
}

/// The counters open on the morning, in the hall's order, with their fields and clerks:
/// every field shares a counter with another.
const OPEN: [(u16, &[&str], &str); 3] = [
    (1, &["A", "D"], "lan"),
    (3, &["C", "A"], "minh"),
    (4, &["D", "A", "C"], "hoa"),
];

/// A counter of the morning and the citizen at it: the ticket, its field, the minute of
/// its call.
struct Desk {
    no: u16,
    fields: &'static [&'static str],
    clerk: motcua_tests::Client,
    visit: Option<(Value, String, i64)>,
}

/// What a visit that began `elapsed` minutes ago is assumed to still take: the estimate's
/// rule (at least 0.4 of a typical visit, and half a minute), restated.
fn residual(typical: f64, elapsed: f64) -> f64 {
    (typical - elapsed).max((typical * 0.4).max(0.5))
}

/// Play the hall on from the moment `hall` stands at, with nobody else arriving and every
/// visit taking its typical time, the clerks pressing Next as their counters free (the
/// first listed first at the same minute), on a copy of the hall: who is called before
/// `ticket` at the counters serving its field, and when `ticket` is called.
async fn played_out(hall: &TestHall, desks: &[Desk], minute: i64, ticket: &Value) -> (u32, f64) {
    let fork = hall.fork().await;
    let field = ticket["service"].as_str().expect("field").to_owned();
    let mut counters = Vec::new();
    for d in desks {
        let (_, name) = OPEN
            .iter()
            .find(|o| o.0 == d.no)
            .map(|o| (o.1, o.2))
            .expect("desk");
        let clerk = fork.sign_in(name).await;
        let free_at = d.visit.as_ref().map_or(0.0, |(_, f, called)| {
            residual(typical(f), (minute - called) as f64)
        });
        counters.push((
            d.no,
            d.fields,
            clerk,
            free_at,
            d.visit.clone().map(|v| v.0),
            true,
        ));
    }
    let mut ahead = 0;
    loop {
        let next = counters
            .iter_mut()
            .filter(|c| c.5)
            .min_by(|a, b| a.3.total_cmp(&b.3).then(a.0.cmp(&b.0)))
            .unwrap_or_else(|| panic!("{} was never called", ticket["code"]));
        if let Some(at_counter) = next.4.take() {
            assert_eq!(next.2.act(&at_counter, "start", json!({})).await.0, 200);
            assert_eq!(next.2.act(&at_counter, "finish", json!({})).await.0, 200);
        }
        let Some(called) = next.2.call_next(next.0).await else {
            next.5 = false;
            continue;
        };
        if called["id"] == ticket["id"] {
            return (ahead, next.3);
        }
        if next.1.contains(&field.as_str()) {
            ahead += 1;
        }
        next.3 += typical(called["service"].as_str().expect("field"));
        next.4 = Some(called);
    }
}

/// The wait and people ahead kept in a ticket's `issued` event.
fn issued_event(hall: &TestHall, ticket: &Value) -> Value {
    let conn = motcua_store::open_for_admin(hall.data_dir()).expect("open db");
    let data: String = conn
        .query_row(
            "SELECT data FROM events WHERE kind = 'issued' AND ticket_id = ?1",
            [ticket["id"].as_i64().expect("id")],
            |r| r.get(0),
        )
        .expect("the issued event");
    serde_json::from_str(&data).expect("event data")
}

/// A morning of the demo hall with counters 1, 3 and 4 open (fields A, C and D, each
/// sharing a counter with another), tickets of the three fields arriving at random
/// minutes (two of them priority), the counters calling as they free: for each ticket,
/// the quote at issue is what the phone's page and feed show at that moment and what its
/// `issued` event keeps; with `play_out`, it also comes true when the hall plays on from
/// that moment with nobody else arriving ([`played_out`]). Returns how many tickets
/// there were, and how many had other fields' tickets among the people ahead.
async fn shared_counter_morning(play_out: bool) -> (u32, u32) {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    let mut desks = Vec::new();
    for (no, fields, name) in OPEN {
        let clerk = hall.clerk_at(name, no).await;
        desks.push(Desk {
            no,
            fields,
            clerk,
            visit: None,
        });
    }
    let mut dice = Dice::new(14);
    let mut priority_left = 2;
    let mut checked = 0;
    let mut behind_other_fields = 0;
    for minute in 0..36i64 {
        // Counters free up at exactly their typical time and call at once.
        for d in &mut desks {
            if let Some((t, field, called)) = &d.visit
                && (minute - called) as f64 == typical(field)
            {
                assert_eq!(d.clerk.act(t, "start", json!({})).await.0, 200);
                assert_eq!(d.clerk.act(t, "finish", json!({})).await.0, 200);
                d.visit = None;
            }
            if d.visit.is_none()
                && let Some(t) = d.clerk.call_next(d.no).await
            {
                let field = t["service"].as_str().expect("field").to_owned();
                d.visit = Some((t, field, minute));
            }
        }
        for _ in 0..dice.below(3) {
            let field = ["A", "A", "C", "D", "D"][dice.below(5) as usize];
            let priority = if priority_left > 0 && dice.chance(8) {
                priority_left -= 1;
                "elderly"
            } else {
                "none"
            };
            let (_, info) = hall.anonymous().get("/api/services").await;
            let same_field = info["services"]
                .as_array()
                .and_then(|l| l.iter().find(|f| f["code"] == field))
                .and_then(|f| f["waiting"].as_u64())
                .expect("the field's waiting count");
            let ticket = kiosk.issue(field, priority).await;
            let quote = (ticket["ahead"].clone(), ticket["eta_minutes"].clone());
            let code = ticket["code"].clone();
            // The phone, a moment later: its page and its feed say the same.
            let page = status(&hall, &ticket).await;
            assert_eq!(
                (page["ahead"].clone(), page["eta_minutes"].clone()),
                quote,
                "{code} page"
            );
            let token = ticket["token"].as_str().expect("token");
            let (_feed, snapshot) = hall.feed(&format!("/ws/tickets/{token}")).await;
            let live = &snapshot["ticket"];
            assert_eq!(
                (live["ahead"].clone(), live["eta_minutes"].clone()),
                quote,
                "{code} feed"
            );
            // What the log keeps for the accuracy figures is what was shown.
            let event = issued_event(&hall, &ticket);
            assert_eq!(
                (event["ahead"].clone(), event["eta_minutes"].clone()),
                quote,
                "{code} event"
            );
            // And it comes true when the morning plays on as the estimate assumes.
            if play_out {
                let (called_before, at) = played_out(&hall, &desks, minute, &ticket).await;
                assert_eq!(
                    quote.0,
                    json!(called_before),
                    "{code}: people called before it"
                );
                assert_eq!(
                    quote.1,
                    json!(at.round() as u32),
                    "{code}: minutes until its call"
                );
            }
            // Tickets of other fields at shared counters are among those ahead: more than
            // the field's own queue (which is all today's main counted).
            if priority == "none" && quote.0.as_u64().expect("ahead") > same_field {
                behind_other_fields += 1;
            }
            checked += 1;
        }
        hall.clock.advance(chrono::Duration::minutes(1));
    }
    assert_eq!(priority_left, 0, "the morning had its priority tickets");
    (checked, behind_other_fields)
}

#[tokio::test]
async fn on_a_shared_counter_morning_the_quote_at_issue_is_what_the_phone_shows() {
    let (tickets, _) = shared_counter_morning(false).await;
    assert!(tickets >= 25, "a busy morning: {tickets} tickets");
}

#[tokio::test]
async fn people_ahead_at_issue_are_those_called_before_the_ticket_at_its_fields_counters() {
    let (tickets, behind_other_fields) = shared_counter_morning(true).await;
    println!("{tickets} tickets, {behind_other_fields} with other fields' tickets ahead");
    // Not just the field's own queue: older tickets of other fields at shared counters.
    assert!(
        behind_other_fields >= 5,
        "{behind_other_fields} of {tickets}"
    );
}

#[tokio::test]
async fn a_call_in_another_field_at_a_shared_counter_moves_the_phones_place_live() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    // Counter 1 serves A and D, and is the only one open.
    let clerk = hall.clerk_at("lan", 1).await;
    for field in ["D", "D"] {
        kiosk.issue(field, "none").await;
        hall.clock.advance(chrono::Duration::minutes(1));
    }
    let mine = kiosk.issue("A", "none").await;
    // Nobody waits in A, but both D tickets are called at counter 1 first.
    assert_eq!(
        (mine["ahead"].clone(), mine["eta_minutes"].clone()),
        (json!(2), json!(8))
    );
    let token = mine["token"].as_str().expect("token");
    let (mut phone, snapshot) = hall.feed(&format!("/ws/tickets/{token}")).await;
    assert_eq!(snapshot["ticket"]["ahead"], 2);

    let called = clerk.call_next(1).await.expect("D001 is called");
    assert_eq!(called["code"], "D001");
    let pushed = next_json(&mut phone).await;
    assert_eq!(pushed["ticket"]["code"], "A001");
    assert_eq!(pushed["ticket"]["ahead"], 1, "{pushed}");
    // D001 now holds the counter for its 4 minutes, then D002: the call is still 8 away.
    assert_eq!(pushed["ticket"]["eta_minutes"], 8, "{pushed}");
}
