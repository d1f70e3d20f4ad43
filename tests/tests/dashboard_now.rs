//! The dashboard's Now tab at the start of a day, before anything happened, in a hall whose
//! link to the city is down: every figure reads as a figure or a dash (never "null"), and
//! the city link's trouble is said in Vietnamese first, not as the raw English error.

use motcua_domain::Role;
use motcua_store::clock::ManualClock;
use motcua_tests::browser::Browser;
use motcua_tests::{TestCity, TestHall};
use serde_json::Value;

/// Signed in as the manager `lan`, the Now tab drawn and its city report in `state`.
async fn dashboard(hall: &TestHall, state: &str) -> Browser {
    let browser = Browser::open(1440, 900).await;
    browser.goto(&hall.url("/dashboard/")).await;
    browser
        .wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    browser.type_into("#login-name", "lan").await;
    browser.type_into("#login-password", "lan-secret-pw").await;
    browser.click("button[data-action='login']").await;
    browser
        .wait_for("the dashboard", "document.body.dataset.view === 'dash'")
        .await;
    browser
        .wait_for(
            "the city link's state",
            &format!("document.getElementById('now-uplink').dataset.state === '{state}'"),
        )
        .await;
    browser
}

/// The "null" of issue 14: with the city link working, the Now tab's report to the city
/// ended in the word "null" (an empty error line handed to the page as `null`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_now_tab_at_the_start_of_a_day_with_the_city_up_shows_no_null() {
    let clock = ManualClock::starting_at(motcua_tests::opening_time());
    let city = TestCity::start(clock.clone()).await;
    let (code, secret) = city.register("UBND phường Mẫu");
    let settings = motcua_hall::config::Settings {
        city: city.uplink(&code, &secret),
        ..Default::default()
    };
    let hall = TestHall::start_with_clock(settings, clock).await;
    let manager = hall.staff("lan", Role::Manager).await;
    motcua_tests::until("the city's first answer", || {
        let manager = manager.clone();
        async move {
            let (_, now) = manager.get("/api/stats/now").await;
            now["uplink"]["last_success_at"].is_string()
        }
    })
    .await;
    let browser = dashboard(&hall, "ok").await;
    let shown = browser.eval("document.body.innerText").await;
    let shown = shown.as_str().expect("the page's text").to_owned();
    for word in ["null", "undefined", "NaN", "[object"] {
        assert!(!shown.contains(word), "{word:?} on the Now tab:\n{shown}");
    }
    let uplink = browser
        .eval("document.getElementById('now-uplink').innerText")
        .await;
    assert!(
        uplink.as_str().is_some_and(|u| u.contains("Đã gửi đủ")),
        "{uplink}"
    );
    browser.screenshot("dashboard-now-city-up-1440x900").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_now_tab_at_the_start_of_a_day_shows_no_null_and_a_city_outage_in_vietnamese() {
    // A city address where nothing listens: the port was free a moment ago.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let settings = motcua_hall::config::Settings {
        city: motcua_hall::config::UplinkSettings {
            url: format!("http://{dead}"),
            hall: "H-TEST".to_owned(),
            secret: "a-secret-for-a-city-that-is-not-there".to_owned(),
            retry_max_seconds: 1,
            ..Default::default()
        },
        ..Default::default()
    };
    let hall = TestHall::start_with(settings).await;
    let manager = hall.staff("lan", Role::Manager).await;
    // The uplink has tried and failed (the status the page reads says so).
    motcua_tests::until("the uplink's first failure", || {
        let manager = manager.clone();
        async move {
            let (_, now) = manager.get("/api/stats/now").await;
            now["uplink"]["last_error"].is_string()
        }
    })
    .await;
    let (_, now) = manager.get("/api/stats/now").await;
    assert_eq!(
        now["uplink"]["last_error_code"], "city_unreachable",
        "{now}"
    );

    let browser = dashboard(&hall, "error").await;
    let shown = browser.eval("document.body.innerText").await;
    let shown = shown.as_str().expect("the page's text").to_owned();
    browser
        .screenshot("dashboard-now-start-of-day-1440x900")
        .await;
    for word in ["null", "undefined", "NaN", "[object"] {
        assert!(!shown.contains(word), "{word:?} on the Now tab:\n{shown}");
    }
    let uplink = browser
        .eval("document.getElementById('now-uplink').innerText")
        .await;
    let uplink = uplink.as_str().unwrap_or_default();
    assert!(
        uplink.contains("Không kết nối được máy chủ thành phố"),
        "{uplink}"
    );
    assert!(
        !uplink.contains("collector") && !uplink.contains("error sending request"),
        "no raw English error: {uplink}"
    );
    browser.click("#lang-btn").await;
    browser
        .wait_for("English", "document.documentElement.lang === 'en'")
        .await;
    let uplink: Value = browser
        .eval("document.getElementById('now-uplink').innerText")
        .await;
    assert!(
        uplink
            .as_str()
            .is_some_and(|u| u.contains("The city’s server cannot be reached")),
        "{uplink}"
    );
    let shown = browser.eval("document.body.innerText").await;
    for word in ["null", "undefined", "NaN", "[object"] {
        assert!(
            !shown.as_str().unwrap_or_default().contains(word),
            "{word:?} on the Now tab in English:\n{shown}"
        );
    }
    browser.close().await;
}

/// The Now tab follows the hall through the kit's live feed: when the hall's server restarts
/// the tab comes back by itself, and shows what happened after, without a reload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_now_tab_comes_back_live_by_itself_after_the_hall_restarts() {
    let hall = TestHall::start().await;
    hall.staff("lan", Role::Manager).await;
    let browser = dashboard(&hall, "off").await;
    let waiting_b = "document.querySelector(\"#now-fields tr[data-field='B'] td[data-col='waiting']\")?.textContent";
    browser
        .wait_for(
            "the live feed",
            &format!("document.body.dataset.connected === 'true' && {waiting_b} === '0'"),
        )
        .await;
    let hall = hall.restart_in_place().await;
    browser
        .wait_for(
            "live again after the restart",
            "document.body.dataset.connected === 'true'",
        )
        .await;
    let kiosk = hall.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    kiosk.issue("B", "none").await;
    browser
        .wait_for(
            "the ticket issued after the restart",
            &format!("{waiting_b} === '1'"),
        )
        .await;
    browser.close().await;
}
