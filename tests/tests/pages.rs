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
