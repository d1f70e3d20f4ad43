//! The day's rules at the clerk console, in a real headless Chromium against the real hall
//! on a hand-moved clock (ZMS's rule: recalls at least 5 minutes apart, absent after the
//! third call): right after a call, Recall is not offered and says when it will be; after
//! the third call and five more minutes with nobody coming, the hall lets the citizen go
//! and the console's counter is free for the next. Screenshots land in
//! `target/test-artifacts/`.

use chrono::Duration;
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::json;

const CURRENT: &str = "document.getElementById('current-code').textContent.trim()";
const RECALL: &str = "document.querySelector(\".desk button[data-action='recall']\")";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recall_waits_out_the_halls_gap_and_the_hall_lets_an_unanswered_citizen_go() {
    let mut settings = Settings::default();
    settings.queue.recall_gap_minutes = 5;
    settings.queue.absent_after_calls = 3;
    let hall = TestHall::start_with(settings).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    kiosk.issue("A", "none").await;
    kiosk.issue("A", "none").await;
    let api = hall.staff("lan", Role::Clerk).await;

    let console = Browser::open(1366, 768).await;
    console
        .open_counter(&hall.url("/counter/"), "lan", "lan-secret-pw", 1)
        .await;
    console.click("button[data-action='next']").await;
    console
        .wait_for("A001 at the counter", &format!("{CURRENT} === 'A001'"))
        .await;

    // Right after the call, Recall is not offered; it says in how long, and why.
    assert_eq!(console.eval(&format!("{RECALL}.disabled")).await, true);
    let soon = console
        .eval("document.getElementById('recall-soon').textContent")
        .await;
    assert!(
        soon.as_str()
            .is_some_and(|s| s.starts_with("sau ") && s.ends_with(" giây")),
        "{soon}"
    );
    let why = console.eval(&format!("{RECALL}.title")).await;
    assert!(
        why.as_str()
            .is_some_and(|s| s.contains("5 phút") && s.contains("tự ghi vắng mặt")),
        "{why}"
    );
    console
        .assert_accessible("the console while Recall waits")
        .await;

    // Two recalls, five minutes apart (the clerk's other session: the same counter).
    let (_, tickets) = api.get("/api/tickets").await;
    let first = tickets["tickets"]
        .as_array()
        .and_then(|l| l.iter().find(|t| t["code"] == "A001"))
        .cloned()
        .expect("A001");
    for _ in 0..2 {
        hall.clock.advance(Duration::minutes(5));
        let (status, body) = api.act(&first, "recall", json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
    console
        .wait_for(
            "the recalls shown",
            "/2/.test(document.getElementById('current-recalls').textContent)",
        )
        .await;

    // Five minutes after the third call, the hall lets A001 go before the next change (a
    // number issued), and the console's counter is free.
    hall.clock.advance(Duration::minutes(5));
    kiosk.issue("D", "none").await;
    console
        .wait_for("the counter free", &format!("{CURRENT} === '—'"))
        .await;
    console.screenshot("console-day-rules-let-go").await;
    console.click("button[data-action='next']").await;
    console
        .wait_for("A002 at the counter", &format!("{CURRENT} === 'A002'"))
        .await;
    console.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clerk_sets_a_ticket_aside_serves_the_next_and_calls_it_back_from_the_held_list() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    kiosk.issue("A", "none").await;
    kiosk.issue("A", "none").await;
    kiosk.issue("A", "none").await;
    hall.staff("lan", Role::Clerk).await;

    let console = Browser::open(1366, 768).await;
    console
        .open_counter(&hall.url("/counter/"), "lan", "lan-secret-pw", 1)
        .await;
    console.click("button[data-action='next']").await;
    console
        .wait_for("A001 at the counter", &format!("{CURRENT} === 'A001'"))
        .await;

    // The citizen must fetch a paper: aside, the counter free, A001 in "Tạm gác".
    console.click(".desk button[data-action='hold']").await;
    console
        .wait_for(
            "A001 on hold",
            &format!(
                "{CURRENT} === '—' && !document.getElementById('held-box').hidden \
                 && document.querySelector('#held li .code')?.textContent === 'A001'"
            ),
        )
        .await;
    let box_text = console.text("#held-box").await;
    assert!(box_text.contains("Tạm gác"), "{box_text}");
    console.screenshot("console-day-rules-held").await;
    console
        .assert_accessible("the console with a ticket on hold")
        .await;

    // The next citizen, served.
    console.click("button[data-action='next']").await;
    console
        .wait_for("A002 at the counter", &format!("{CURRENT} === 'A002'"))
        .await;
    // While A002 is at the counter, A001 cannot be called back here.
    let busy = console
        .eval("document.querySelector(\"#held button[data-action='call-back']\").disabled")
        .await;
    assert_eq!(busy, json!(true));
    console.click(".desk button[data-action='start']").await;
    console
        .wait_for(
            "A002 served",
            "document.querySelector(\".desk button[data-action='finish']\") && !document.querySelector(\".desk button[data-action='finish']\").disabled",
        )
        .await;
    console.click(".desk button[data-action='finish']").await;
    console
        .wait_for("the counter free", &format!("{CURRENT} === '—'"))
        .await;

    // A001 is back with the paper: called back before A003, who has waited all along.
    console
        .wait_for(
            "call back offered",
            "!document.querySelector(\"#held button[data-action='call-back']\").disabled",
        )
        .await;
    console.click("#held button[data-action='call-back']").await;
    console
        .wait_for(
            "A001 called back, the held list empty",
            &format!("{CURRENT} === 'A001' && document.getElementById('held-box').hidden"),
        )
        .await;
    console.close().await;
}
