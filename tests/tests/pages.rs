//! The pages in a real headless Chromium: a citizen takes a ticket at the kiosk, a clerk
//! calls it from the console, the hall display shows and announces it, the clerk
//! finishes, the counter tablet records the rating, and the display survives a restart.
//! Screenshots of every page land in `target/test-artifacts/` for people to look at.

use motcua_tests::TestHall;
use motcua_tests::browser::Browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_lists_every_page_in_vietnamese() {
    let hall = TestHall::start().await;
    let browser = Browser::open(1280, 800).await;
    browser.goto(&hall.url("/")).await;
    let text = browser.wait_for("the page list", "document.body.innerText").await;
    let text = text.as_str().unwrap_or_default().to_owned();
    for words in ["Máy lấy số", "Màn hình sảnh", "Bàn làm việc cán bộ"] {
        assert!(text.contains(words), "{words:?} missing from {text:?}");
    }
    browser.screenshot("home-1280x800").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_page_follows_a_ticket_from_waiting_to_called_to_rated() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", motcua::domain::DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await;
    kiosk.issue("A", "none").await;
    let ticket = kiosk.issue("A", "none").await;
    let phone = Browser::open(390, 844).await;
    phone.goto(ticket["url"].as_str().expect("url")).await;
    phone.wait_for("the ticket waiting", "document.body.dataset.status === 'waiting'").await;
    assert_eq!(phone.eval("document.getElementById('code').textContent").await, "A002");
    assert_eq!(phone.eval("document.getElementById('ahead').textContent").await, "1");
    phone.screenshot("phone-waiting-390x844").await;

    // The citizen ahead is called and absent: one fewer ahead, live.
    let first = clerk.call_next(1).await.expect("A001");
    phone.wait_for("nobody ahead", "document.getElementById('ahead').textContent === '0'").await;
    clerk.act(&first, "no-show", serde_json::json!({})).await;
    let called = clerk.call_next(1).await.expect("A002");
    phone.wait_for("the call", "document.body.dataset.status === 'called'").await;
    assert_eq!(phone.eval("document.getElementById('counter').textContent").await, "Quầy 1");
    phone.screenshot("phone-called-390x844").await;

    clerk.act(&called, "start", serde_json::json!({})).await;
    clerk.act(&called, "finish", serde_json::json!({})).await;
    phone.click("button[data-rating='5']").await;
    phone.wait_for("the thanks", "!document.getElementById('done').hidden").await;
    let (_, seen) = hall.anonymous().get(&format!("/api/tickets/{}", ticket["token"].as_str().expect("token"))).await;
    assert_eq!(seen["rating"], 5);
    phone.close().await;

    // A made-up address gets a friendly page, not an error.
    let (status, body) = hall.anonymous().get("/t/00000000000000000000000000000000").await;
    assert_eq!(status, 404);
    assert!(body.as_str().is_some_and(|b| b.contains("Không tìm thấy phiếu")));
}
