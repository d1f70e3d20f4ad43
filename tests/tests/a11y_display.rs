//! The hall TV, the counter display and the home page against axe-core's WCAG 2.2 A/AA
//! rules, in real Chromium against the real hall, in each state a screen spends its day in:
//! the welcome panel, a call on show with recent calls listed, several counters at work, a
//! paused and a closed counter, and the banner when the server is gone; the counter display
//! idle, calling, serving, paused, closed and offline. (No touch-target check: nobody
//! touches a wall screen.)

use motcua_tests::browser::Browser;
use motcua_tests::{Client, TestHall};
use serde_json::json;

/// A kiosk (a new one each time), to issue tickets.
fn kiosk(hall: &TestHall) -> Client {
    static KIOSKS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = KIOSKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    hall.device(&format!("a11y-kiosk-{n}"), motcua_domain::DeviceKind::Kiosk)
}

async fn online(b: &Browser) {
    b.wait_for("online", "document.body.dataset.connected === 'true'")
        .await;
    b.eval("document.fonts.ready.then(() => true)").await;
}

/// Check the page with axe-core (leaving a screenshot `a11y-{what}.png`) once its
/// transitions and one-off animations (a call's flash, a new row's highlight, the fade to
/// grey) are over: the colours a person reads, not one frame in between. (The notice's
/// scroll and the offline dot run for ever.)
async fn check(b: &Browser, what: &str) {
    b.wait_for(
        "the page to settle",
        "document.getAnimations().every(a => a.effect?.getComputedTiming().iterations === Infinity)",
    )
    .await;
    b.screenshot(&format!("a11y-{what}")).await;
    b.assert_accessible(what).await;
}

/// What the TV's big panel shows: the code on call, or "" for the welcome panel.
async fn tv_shows(tv: &Browser, code: &str) {
    let script = if code.is_empty() {
        "document.getElementById('latest').classList.contains('empty')".to_owned()
    } else {
        format!(
            "!document.getElementById('latest').classList.contains('empty') \
             && document.getElementById('latest-code').textContent.trim() === '{code}'"
        )
    };
    tv.wait_for(&format!("the TV showing '{code}'"), &script)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hall_tv_passes_axe_in_each_of_its_states() {
    let hall = TestHall::start().await;
    let tv = Browser::open(1920, 1080).await;
    tv.goto(&hall.url("/display/")).await;
    online(&tv).await;

    // Morning: nothing called yet, every field closed.
    tv_shows(&tv, "").await;
    tv.wait_for(
        "the fields",
        "document.querySelectorAll('.field').length === 5",
    )
    .await;
    check(&tv, "tv-welcome").await;

    // Counter 1 calls, serves, and calls the next: a call on show, recent calls listed.
    let lan = hall.clerk_at("lan", 1).await;
    kiosk(&hall).issue("A", "none").await;
    kiosk(&hall).issue("A", "none").await;
    kiosk(&hall).issue("D", "none").await;
    let first = lan.call_next(1).await.expect("A001");
    lan.act(&first, "start", json!({})).await;
    lan.act(&first, "finish", json!({})).await;
    lan.call_next(1).await.expect("A002");
    tv_shows(&tv, "A002").await;
    tv.wait_for(
        "two recent calls",
        "document.querySelectorAll('#recent li').length === 2",
    )
    .await;
    check(&tv, "tv-call").await;

    // Several counters at work.
    let minh = hall.clerk_at("minh", 2).await;
    kiosk(&hall).issue("B", "none").await;
    minh.call_next(2).await.expect("B001");
    let hoa = hall.clerk_at("hoa", 4).await;
    let d001 = hoa.call_next(4).await.expect("D001");
    tv_shows(&tv, "D001").await;
    check(&tv, "tv-several-counters").await;

    // Counter 4 sends D001 back to the queue and pauses, counter 2 does the same and closes:
    // their calls taken down, struck through.
    hoa.act(&d001, "return", json!({})).await;
    let (status, body) = hoa
        .post("/api/counters/4/pause", json!({"reason": "họp giao ban"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let b001 = minh.get("/api/counters/2").await.1["counter"]["current"].clone();
    minh.act(&b001, "return", json!({})).await;
    let (status, body) = minh.post("/api/counters/2/close", json!({})).await;
    assert_eq!(status, 200, "{body}");
    tv.wait_for(
        "B001 struck through",
        "document.querySelector('#recent li[data-code=\"B001\"]')?.dataset.fate === 'requeued'",
    )
    .await;
    tv_shows(&tv, "A002").await;
    check(&tv, "tv-paused-closed").await;

    // The server goes away: the banner says so, and the page is still clean.
    drop(hall);
    tv.wait_for(
        "the offline banner, the call panel greyed",
        "document.body.dataset.connected === 'false' \
         && !document.getElementById('offline').hidden \
         && getComputedStyle(document.getElementById('latest')).backgroundColor === 'rgb(59, 67, 82)'",
    )
    .await;
    check(&tv, "tv-offline").await;
    tv.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_counter_display_passes_axe_in_each_of_its_states() {
    let hall = TestHall::start().await;
    let display = Browser::open(1280, 800).await;
    display.goto(&hall.url("/display/?counter=1")).await;
    online(&display).await;
    let state = |s: &str, text: &str| {
        format!(
            "document.getElementById('counter-state').dataset.state === '{s}' \
             && document.getElementById('counter-state').innerText.includes('{text}')"
        )
    };
    display
        .wait_for("closed", &state("closed", "Quầy đóng"))
        .await;
    check(&display, "counter-closed").await;

    let lan = hall.clerk_at("lan", 1).await;
    display
        .wait_for("idle", &state("open", "Sẵn sàng phục vụ"))
        .await;
    check(&display, "counter-idle").await;

    kiosk(&hall).issue("A", "none").await;
    let ticket = lan.call_next(1).await.expect("A001");
    display
        .wait_for("calling", &state("open", "Đang gọi số"))
        .await;
    check(&display, "counter-calling").await;
    lan.act(&ticket, "start", json!({})).await;
    display
        .wait_for("serving", &state("open", "Đang phục vụ"))
        .await;
    check(&display, "counter-serving").await;

    lan.act(&ticket, "finish", json!({})).await;
    let (status, body) = lan
        .post("/api/counters/1/pause", json!({"reason": "nghỉ trưa"}))
        .await;
    assert_eq!(status, 200, "{body}");
    display
        .wait_for("paused", &state("paused", "nghỉ trưa"))
        .await;
    check(&display, "counter-paused").await;

    drop(hall);
    display
        .wait_for(
            "offline",
            "document.body.dataset.connected === 'false' \
             && !document.getElementById('offline').hidden",
        )
        .await;
    check(&display, "counter-offline").await;
    display.close().await;
}

/// A display set up with a counter that does not exist says so, legibly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_display_for_a_counter_that_does_not_exist_says_so_and_passes_axe() {
    let hall = TestHall::start().await;
    let display = Browser::open(1280, 800).await;
    display.goto(&hall.url("/display/?counter=9")).await;
    display
        .wait_for(
            "no such counter",
            "document.getElementById('counter-call').textContent.includes('Không có quầy số 9')",
        )
        .await;
    check(&display, "counter-missing").await;
    display.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_passes_axe() {
    let hall = TestHall::start().await;
    let browser = Browser::open(1280, 800).await;
    browser.goto(&hall.url("/")).await;
    browser
        .wait_for("the links", "document.querySelectorAll('a').length > 3")
        .await;
    check(&browser, "home").await;
    browser.close().await;
}
