//! The Decision 766 index where people read it, in a real Chromium: the dashboard's card
//! beside the hall's own satisfied share (saying what it was counted on and its target),
//! its column in the tables, its parts and the low ratings' reasons; the daily report; the
//! city's page ranking the halls by it against the 95% target. Each page is checked with
//! axe-core in both languages. Screenshots land in `target/test-artifacts/`.

use chrono::Duration;
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_store::clock::ManualClock;
use motcua_tests::browser::Browser;
use motcua_tests::official;
use motcua_tests::{Client, TestCity, TestHall, opening_time, until};
use serde_json::{Value, json};

/// The text of the first element matching a CSS selector, trimmed ("" when absent).
fn text_of(css: &str) -> String {
    let css = css.replace('\\', "\\\\").replace('\'', "\\'");
    format!("(document.querySelector('{css}')?.textContent ?? '').trim()")
}

/// axe-core finds nothing on the page in Vietnamese, then in English (the office PC's pages:
/// their targets are the mouse's, as the other dashboard tests hold them), and back.
async fn accessible_in_both_languages(browser: &Browser, what: &str) {
    browser.assert_accessible(&format!("{what} (vi)")).await;
    browser.click("#lang-btn").await;
    browser
        .wait_for("English", "document.documentElement.lang === 'en'")
        .await;
    browser.assert_accessible(&format!("{what} (en)")).await;
    browser.click("#lang-btn").await;
    browser
        .wait_for("Vietnamese", "document.documentElement.lang === 'vi'")
        .await;
}

/// One citizen served at counter `no`: the codes attached while at the counter, then a
/// rating on the tablet (or none), then perhaps a complaint.
#[allow(clippy::too_many_arguments)]
async fn serve(
    hall: &TestHall,
    kiosk: &Client,
    clerk: &Client,
    no: u16,
    field: &str,
    codes: &[&str],
    level: Option<u8>,
    complained: bool,
) -> Value {
    let ticket = kiosk.issue(field, "none").await;
    hall.clock.advance(Duration::minutes(3));
    clerk.call_next(no).await.expect("called");
    let (status, body) = clerk.act(&ticket, "start", json!({})).await;
    assert_eq!(status, 200, "{body}");
    for code in codes {
        official::attach(clerk, no, code).await;
    }
    hall.clock.advance(Duration::minutes(5));
    let (status, body) = clerk.act(&ticket, "finish", json!({})).await;
    assert_eq!(status, 200, "{body}");
    if let Some(level) = level {
        let (status, body) = clerk.act(&ticket, "rate", json!({ "level": level })).await;
        assert_eq!(status, 200, "{body}");
    }
    if complained {
        official::complain(hall, &ticket).await;
    }
    ticket
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_766_index_is_shown_beside_the_halls_own_share_in_the_report_and_ranked_by_the_city() {
    let clock = ManualClock::starting_at(opening_time());
    let city = TestCity::start(clock.clone()).await;
    let (hall_code, secret) = city.register("UBND phường Cửa Nam");
    let settings = Settings {
        city: city.uplink(&hall_code, &secret),
        ..Default::default()
    };
    let hall = TestHall::start_with_clock(settings, clock).await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let first = hall.clerk_at("canbo1", 1).await; // A and D
    let second = hall.clerk_at("canbo2", 2).await; // B and E

    // Civil status (A): three dossiers, one rated "không hài lòng" (2 of 5), one unrated.
    serve(&hall, &kiosk, &first, 1, "A", &["H26-0001"], Some(5), false).await;
    serve(&hall, &kiosk, &first, 1, "A", &["H26-0002"], Some(2), false).await;
    serve(&hall, &kiosk, &first, 1, "A", &["H26-0003"], None, false).await;
    // Land (B, held to 90%): one dossier rated "hài lòng" but complained about; one visit
    // without a code (not a dossier).
    serve(&hall, &kiosk, &second, 2, "B", &["H26-0004"], Some(4), true).await;
    serve(&hall, &kiosk, &second, 2, "B", &[], Some(5), false).await;
    // The hall's own share: 3 of 4 ratings in the top two levels; the 766 index: 2 of 4
    // dossiers without dissatisfaction.

    let manager = hall.staff("lan", Role::Manager).await;
    let (_, stats) = manager.get("/api/stats").await;
    assert_eq!(stats["total"]["official"]["share"], json!(0.5), "{stats}");

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
        .click(".tabs [role='tab'][data-tab='history']")
        .await;
    browser
        .wait_for(
            "today's figures",
            "document.body.dataset.view === 'dash' && document.body.dataset.hist === 'ready'",
        )
        .await;

    browser.screenshot("official-dashboard-top-1440x900").await;
    // The card: the index, what it was counted on, its target; below target, it says so.
    let card = "#hist-kpis [data-kpi='official']";
    assert_eq!(
        browser.eval(&text_of(&format!("{card} .label"))).await,
        "Chỉ số hài lòng (QĐ 766)"
    );
    assert_eq!(
        browser.eval(&text_of(&format!("{card} .value"))).await,
        "50% (dưới mục tiêu)"
    );
    assert_eq!(
        browser.eval(&text_of(&format!("{card} .hint"))).await,
        "trên 4 hồ sơ · mục tiêu 95%"
    );
    assert_eq!(
        browser
            .eval(&text_of("#hist-kpis [data-kpi='satisfied'] .value"))
            .await,
        "75%",
        "the hall's own share stays beside it"
    );
    // The table by field: each field against its own target.
    let cell = |field: &str, col: &str| {
        text_of(&format!(
            "#hist-table tbody tr[data-key='{field}'] td[data-col='{col}']"
        ))
    };
    assert_eq!(
        browser.eval(&cell("A", "official")).await,
        "66,7% (dưới mục tiêu)"
    );
    assert_eq!(browser.eval(&cell("A", "officialUnits")).await, "3");
    assert_eq!(
        browser.eval(&cell("B", "official")).await,
        "0% (dưới mục tiêu)"
    );
    assert_eq!(browser.eval(&cell("B", "officialTarget")).await, "90%");
    // Its parts: the unrated dossier is not against it, the complained one is.
    let part = |key: &str| text_of(&format!("#hist-official-body dd[data-official='{key}']"));
    assert_eq!(browser.eval(&part("unrated")).await, "1");
    assert_eq!(browser.eval(&part("complained")).await, "1");
    assert_eq!(browser.eval(&part("against")).await, "2");
    assert_eq!(browser.eval(&part("served_without_dossier")).await, "1");
    assert_eq!(
        browser
            .eval(&text_of(
                "#hist-official-body table[data-reasons='byClerk'] tfoot td[data-col='complaints']"
            ))
            .await,
        "1"
    );
    assert_eq!(
        browser
            .eval("document.getElementById('export-dossiers').getAttribute('href')")
            .await,
        "/api/stats/dossiers.csv?from=2026-11-25&to=2026-11-25"
    );
    browser
        .eval("document.getElementById('hist-official').scrollIntoView()")
        .await;
    browser.screenshot("official-dashboard-1440x900").await;
    accessible_in_both_languages(&browser, "the dashboard's figures with the 766 index").await;

    // The daily report.
    browser
        .goto(&hall.url("/dashboard/report.html?day=2026-11-25"))
        .await;
    browser
        .wait_for("the report", "document.body.dataset.state === 'ready'")
        .await;
    assert_eq!(
        browser
            .eval(&text_of(
                "#r-fields tbody tr[data-key='B'] td[data-col='official']"
            ))
            .await,
        "0% (dưới mục tiêu)"
    );
    assert_eq!(
        browser.eval(&text_of("#r-official")).await,
        "50% (dưới mục tiêu) trên 4 hồ sơ · mục tiêu 95%"
    );
    browser
        .eval("document.getElementById('r-official-section').scrollIntoView()")
        .await;
    browser.screenshot("official-report-1440x900").await;
    accessible_in_both_languages(&browser, "the daily report with the 766 index").await;

    // The city, once it holds the whole log, ranks the halls by it.
    let last = {
        let (_, h) = hall.anonymous().get("/healthz").await;
        h["seq"].as_i64().expect("seq")
    };
    until("the city to hold every event", || async {
        let (_, u) = manager.get("/api/uplink").await;
        u["acked_seq"].as_i64() == Some(last)
    })
    .await;
    city.staff("thanhpho", Role::Manager).await;
    browser.goto(&format!("{}/city/", city.base)).await;
    browser
        .wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    browser.type_into("#login-name", "thanhpho").await;
    browser
        .type_into("#login-password", "thanhpho-secret-pw")
        .await;
    browser.click("button[data-action='login']").await;
    browser
        .wait_for(
            "every hall's figures",
            "document.body.dataset.view === 'dash' && document.body.dataset.city === 'ready'",
        )
        .await;
    let ranked = format!("#official-ranking-list li[data-code='{hall_code}']");
    assert_eq!(
        browser.eval(&text_of(&format!("{ranked} .share"))).await,
        "50% (dưới mục tiêu)"
    );
    assert_eq!(
        browser.eval(&text_of(&format!("{ranked} .chip"))).await,
        "Chưa đạt mục tiêu"
    );
    assert_eq!(
        browser.eval(&text_of("#official-ranking-note")).await,
        "0/1 đơn vị đạt mục tiêu 95%. Chỉ số = hồ sơ không bị đánh giá “Không hài lòng” và không có phản ánh ÷ tổng số hồ sơ."
    );
    assert_eq!(
        browser
            .eval(&text_of(&format!(
                "#halls-table tr[data-code='{hall_code}'] td[data-col='official']"
            )))
            .await,
        "50% (dưới mục tiêu)"
    );
    assert_eq!(
        browser
            .eval("document.getElementById('export-dossiers').getAttribute('href')")
            .await,
        "/api/city/dossiers.csv?from=2026-11-25&to=2026-11-25"
    );
    browser.screenshot("official-city-1440x900").await;
    accessible_in_both_languages(&browser, "the city's page with the 766 ranking").await;
    browser.close().await;
}
