//! The clerk console in a real headless Chromium against the real hall: what ends a ticket
//! (cancel, absent) is asked twice, by click and by key alike; absent is offered only after
//! a recall (or the hall's minimum time since the call); and the "Vắng mặt gần đây" list
//! takes an absence back, to the front of the queue or straight to the counter.
//! Screenshots land in `target/test-artifacts/`.

use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_tests::browser::Browser;
use motcua_tests::{Client, TestHall};
use serde_json::Value;

/// The ticket's status as the API says now.
async fn status_of(clerk: &Client, ticket: &Value) -> String {
    let (_, all) = clerk.get("/api/tickets").await;
    all["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .find(|t| t["id"] == ticket["id"])
        .map(|t| t["status"].as_str().expect("status").to_owned())
        .expect("the ticket is listed")
}

/// Press a console key (as the document's keydown listener hears it).
fn key(k: &str) -> String {
    format!("document.dispatchEvent(new KeyboardEvent('keydown', {{ key: '{k}', bubbles: true }}))")
}

const CURRENT: &str = "document.getElementById('current-code').textContent.trim()";
const ABSENT_BUTTON: &str = "document.querySelector(\".desk button[data-action='no-show']\")";
const CANCEL_BUTTON: &str = "document.querySelector(\".desk button[data-action='cancel']\")";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_asks_twice_before_ending_a_ticket_and_takes_an_absence_back() {
    let hall = TestHall::start_with_absence_rules(Settings::default()).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let first = kiosk.issue("A", "none").await;
    let second = kiosk.issue("A", "none").await;
    let api = hall.staff("lan", Role::Clerk).await;

    let console = Browser::open(1366, 768).await;
    console
        .open_counter(&hall.url("/counter/"), "lan", "lan-secret-pw", 1)
        .await;
    console.click("button[data-action='next']").await;
    console
        .wait_for("A001 at the counter", &format!("{CURRENT} === 'A001'"))
        .await;

    // Right after the call, Absent is not offered, and the A key says why.
    assert_eq!(
        console.eval(&format!("{ABSENT_BUTTON}.disabled")).await,
        true
    );
    let soon = console
        .eval("document.getElementById('absent-soon').textContent")
        .await;
    assert!(
        soon.as_str()
            .is_some_and(|s| s.starts_with("sau ") && s.ends_with(" giây")),
        "the button says when: {soon}"
    );
    console.eval(&key("a")).await;
    console
        .wait_for(
            "the reason in Vietnamese",
            "document.getElementById('message').textContent.includes('Chưa ghi vắng mặt được')",
        )
        .await;
    assert_eq!(status_of(&api, &first).await, "called");
    console.screenshot("console-absent-not-yet-1366x768").await;

    // One click on "Hủy số" only arms it: the ticket is still called, and stays so once
    // the first press has lapsed.
    console.click(".desk button[data-action='cancel']").await;
    console
        .wait_for(
            "the second-press prompt",
            "document.getElementById('message').textContent.includes('lần nữa để hủy số A001')",
        )
        .await;
    assert_eq!(
        console
            .eval(&format!("{CANCEL_BUTTON}.classList.contains('armed')"))
            .await,
        true
    );
    console.screenshot("console-cancel-armed-1366x768").await;
    assert_eq!(status_of(&api, &first).await, "called");
    console
        .wait_for(
            "the first press to lapse",
            &format!("!{CANCEL_BUTTON}.classList.contains('armed')"),
        )
        .await;
    assert_eq!(status_of(&api, &first).await, "called");

    // After a recall, Absent is offered; pressed twice (A A), the citizen is absent.
    console.click(".desk button[data-action='recall']").await;
    console
        .wait_for(
            "Absent offered after the recall",
            &format!("!{ABSENT_BUTTON}.disabled"),
        )
        .await;
    console.eval(&key("a")).await;
    console
        .wait_for(
            "the second-press prompt",
            "document.getElementById('message').textContent.includes('lần nữa để ghi vắng mặt số A001')",
        )
        .await;
    assert_eq!(
        status_of(&api, &first).await,
        "called",
        "one press is not enough"
    );
    console
        .eval(&format!(
            "(function(){{ if (!{ABSENT_BUTTON}.classList.contains('armed')) {}; {}; return true; }})()",
            key("a"),
            key("a")
        ))
        .await;
    console
        .wait_for("the counter free", &format!("{CURRENT} === '—'"))
        .await;
    assert_eq!(status_of(&api, &first).await, "absent");

    // The recent absences list offers it back.
    console
        .wait_for(
            "A001 in the recent absences",
            "[...document.querySelectorAll('#absents li .code')].map(e => e.textContent).join() === 'A001'",
        )
        .await;
    let title = console
        .eval("document.querySelector('#absent-box h2').innerText")
        .await;
    assert!(
        title
            .as_str()
            .is_some_and(|t| t.contains("Vắng mặt gần đây")),
        "{title}"
    );
    console.screenshot("console-recent-absents-1366x768").await;

    // The next citizen is called; A001 comes back: to the front of the queue.
    console.click("button[data-action='next']").await;
    console
        .wait_for("A002 at the counter", &format!("{CURRENT} === 'A002'"))
        .await;
    assert_eq!(
        console
            .eval(
                "document.querySelector(\"#absents button[data-action='undo-counter']\").disabled"
            )
            .await,
        true,
        "the counter is busy: it cannot call A001 here now"
    );
    let third = kiosk.issue("A", "none").await;
    console
        .wait_for(
            "A003 waiting",
            "document.querySelectorAll('#waiting li').length === 1",
        )
        .await;
    console
        .click("#absents button[data-action='undo-queue']")
        .await;
    console
        .wait_for(
            "A001 at the front of the queue",
            "[...document.querySelectorAll('#waiting li .code')].map(e => e.textContent).join() === 'A001,A003'",
        )
        .await;
    assert_eq!(status_of(&api, &first).await, "waiting");
    assert_eq!(status_of(&api, &third).await, "waiting");

    // A002 is served (finishing is not asked twice); Next calls A001 before A003.
    console.click(".desk button[data-action='start']").await;
    console
        .wait_for(
            "A002 served",
            "document.getElementById('current-status').dataset.status === 'serving'",
        )
        .await;
    console.click(".desk button[data-action='finish']").await;
    console
        .wait_for("the counter free", &format!("{CURRENT} === '—'"))
        .await;
    assert_eq!(status_of(&api, &second).await, "served");
    console.click("button[data-action='next']").await;
    console
        .wait_for("A001 called again", &format!("{CURRENT} === 'A001'"))
        .await;

    // Absent again (by clicks this time), then called straight back to this counter.
    console
        .wait_for("Absent offered", &format!("!{ABSENT_BUTTON}.disabled"))
        .await;
    console.click(".desk button[data-action='no-show']").await;
    console
        .eval(&format!(
            "(function(){{ const b = {ABSENT_BUTTON}; if (!b.classList.contains('armed')) b.click(); b.click(); return true; }})()"
        ))
        .await;
    console
        .wait_for("the counter free", &format!("{CURRENT} === '—'"))
        .await;
    console
        .click("#absents button[data-action='undo-counter']")
        .await;
    console
        .wait_for("A001 called here again", &format!("{CURRENT} === 'A001'"))
        .await;
    assert_eq!(status_of(&api, &first).await, "called");
    console
        .wait_for(
            "the list emptied",
            "document.getElementById('absent-box').hidden",
        )
        .await;
    console
        .screenshot("console-absent-called-back-1366x768")
        .await;

    let conn = motcua_store::open_for_admin(hall.data_dir()).expect("open db");
    let undone: Vec<String> = conn
        .prepare(
            "SELECT data FROM events WHERE kind = 'absent_undone' AND ticket_id = ?1 ORDER BY seq",
        )
        .expect("query")
        .query_map([first["id"].as_i64().expect("id")], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("events");
    assert_eq!(undone, [r#"{"to":"queue"}"#, r#"{"to":"counter"}"#]);
    console.close().await;
}
