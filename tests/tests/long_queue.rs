//! The clerk's console with a long queue (a ward hall at 8 a.m. on a land-registry day): the
//! waiting list shows the head of the queue in the server's order and how many more wait,
//! keeps its rows as events arrive (only what changed is drawn: a new ticket does not redraw
//! the rows above it), and calling from it, a new ticket and a new priority ticket update it
//! correctly. "Show all" shows every ticket, and back.

use fantoccini::Locator;
use motcua_domain::{DeviceKind, Role};
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::Value;

/// Tickets waiting in field A; the console shows the first [`HEAD`].
const QUEUE: usize = 400;
const HEAD: usize = 50;

const CURRENT: &str = "document.getElementById('current-code').textContent.trim()";
const ROWS: &str = "[...document.querySelectorAll('#waiting li .code')].map((e) => e.textContent)";
const MORE: &str = "document.getElementById('waiting-more-text').textContent";

/// The codes waiting at counter 1, in the server's order (the order Next calls them).
async fn server_order(boss: &motcua_tests::Client) -> Vec<String> {
    let (status, snap) = boss.get("/api/counters/1").await;
    assert_eq!(status, 200, "{snap}");
    snap["waiting"]
        .as_array()
        .expect("the waiting list")
        .iter()
        .map(|tk| tk["code"].as_str().expect("a code").to_owned())
        .collect()
}

/// The console shows exactly the server's first [`HEAD`] of `total` waiting, and the rest
/// counted: waits for it (events are on their way), then checks it.
async fn shows_the_head(console: &Browser, boss: &motcua_tests::Client, what: &str) {
    let order = server_order(boss).await;
    let head: Vec<String> = order.iter().take(HEAD).cloned().collect();
    let want = serde_json::to_string(&head).expect("json");
    let rest = order.len() - HEAD;
    console
        .wait_for(
            what,
            &format!(
                "JSON.stringify({ROWS}) === '{want}' \
                 && document.getElementById('waiting-count').textContent === '{}' \
                 && {MORE}.includes('{rest}')",
                order.len()
            ),
        )
        .await;
    let more = console.eval(MORE).await;
    assert_eq!(
        more,
        Value::String(format!("và {rest} số nữa đang chờ")),
        "{what}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_queue_shows_its_head_in_order_and_updates_row_by_row() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    for i in 0..QUEUE {
        // Two citizens with priority among them: they lead the queue.
        let priority = if i == 120 || i == 333 {
            "elderly"
        } else {
            "none"
        };
        kiosk.issue("A", priority).await;
    }
    hall.staff("lan", Role::Clerk).await;
    let boss = hall.staff("boss", Role::Manager).await;

    let console = Browser::open(1366, 768).await;
    console
        .open_counter(&hall.url("/counter/"), "lan", "lan-secret-pw", 1)
        .await;
    console
        .wait_for("live", "document.body.dataset.connected === 'true'")
        .await;
    shows_the_head(&console, &boss, "the head of 400 waiting, and 350 more").await;
    console.assert_accessible("console-long-queue").await;
    console.screenshot("console-long-queue").await;
    let rows = console.eval(ROWS).await;
    assert_eq!(rows[0], "A121", "the priority tickets first: {rows}");
    assert_eq!(rows[1], "A334", "{rows}");
    assert_eq!(rows[2], "A001", "then the others in order: {rows}");
    assert_eq!(
        console
            .eval("document.querySelectorAll('#waiting li.prio').length")
            .await,
        2,
        "the priority marks"
    );

    // Mark the rows drawn now: a new ticket at the back must leave them as they are.
    console
        .eval("(function(){ document.querySelectorAll('#waiting li').forEach((li) => { li.__kept = true; }); return true; })()")
        .await;
    kiosk.issue("A", "none").await;
    shows_the_head(&console, &boss, "a new ticket counted in the rest").await;
    assert_eq!(
        console
            .eval("[...document.querySelectorAll('#waiting li')].every((li) => li.__kept)")
            .await,
        true,
        "a ticket joining the back redraws none of the rows shown"
    );

    // A new priority ticket joins behind the other two: one row in, the last row out.
    kiosk.issue("A", "disabled").await;
    shows_the_head(&console, &boss, "the priority ticket in the head").await;
    let rows = console.eval(ROWS).await;
    assert_eq!(rows[2], "A402", "behind the other priority tickets: {rows}");
    assert_eq!(
        console
            .eval("[...document.querySelectorAll('#waiting li')].filter((li) => !li.__kept).length")
            .await,
        1,
        "only the new row is drawn"
    );

    // Enter on the fourth row calls exactly that one (A001); the list closes up.
    console
        .client
        .find(Locator::Css("#waiting li:nth-child(4) button.call"))
        .await
        .expect("the fourth ticket")
        .send_keys("\u{E007}")
        .await
        .expect("Enter");
    console
        .wait_for("A001 called", &format!("{CURRENT} === 'A001'"))
        .await;
    shows_the_head(&console, &boss, "the called ticket gone from the head").await;
    assert!(
        !console.eval(ROWS).await.to_string().contains("\"A001\""),
        "A001 is at the counter, not waiting"
    );

    // Every ticket on request, and back to the head.
    console.click("#waiting-more-btn").await;
    let total = server_order(&boss).await.len();
    console
        .wait_for(
            "every ticket shown",
            &format!(
                "document.querySelectorAll('#waiting li').length === {total} && {MORE} === ''"
            ),
        )
        .await;
    console.screenshot("console-long-queue-all").await;
    console.click("#waiting-more-btn").await;
    shows_the_head(&console, &boss, "the head again").await;
    console.close().await;
}
