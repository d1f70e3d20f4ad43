//! The manager's dashboard in a real headless Chromium against the real server: the hall
//! now (live from the hall feed), the figures of today with their uPlot charts, the export
//! links, the printable daily report, and a clerk turned away. Screenshots land in
//! `target/test-artifacts/` for people to look at.

use chrono::Duration;
use motcua_domain::{DeviceKind, Role};
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::json;

/// The text of the first element matching a CSS selector, trimmed ("" when absent).
fn text_of(css: &str) -> String {
    let css = css.replace('\\', "\\\\").replace('\'', "\\'");
    format!("(document.querySelector('{css}')?.textContent ?? '').trim()")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_follows_the_hall_live_reads_todays_figures_and_prints_the_day() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let manager = hall.staff("lan", Role::Manager).await; // password "lan-secret-pw"
    let first_clerk = hall.clerk_at("canbo1", 1).await; // counter 1 serves A and D
    let third_clerk = hall.clerk_at("canbo3", 3).await; // counter 3 serves C and A

    // The morning so far: counter 1 serves A001 (rated), then calls an elderly citizen's
    // A003 ahead of A002; counter 3 goes to lunch.
    let a001 = kiosk.issue("A", "none").await;
    kiosk.issue("A", "none").await;
    kiosk.issue("B", "none").await;
    hall.clock.advance(Duration::minutes(6));
    let called = first_clerk.call_next(1).await.expect("A001 is called");
    assert_eq!(called["code"], "A001");
    hall.clock.advance(Duration::minutes(1));
    let (status, body) = first_clerk.act(&a001, "start", json!({})).await;
    assert_eq!(status, 200, "start: {body}");
    hall.clock.advance(Duration::minutes(5));
    let (status, body) = first_clerk.act(&a001, "finish", json!({})).await;
    assert_eq!(status, 200, "finish: {body}");
    let (status, body) = hall
        .anonymous()
        .post(
            "/api/ratings",
            json!({"token": a001["token"], "level": 5, "comment": "Cán bộ nhiệt tình"}),
        )
        .await;
    assert_eq!(status, 201, "rating: {body}");
    kiosk.issue("A", "elderly").await;
    let called = first_clerk.call_next(1).await.expect("a ticket is called");
    assert_eq!(called["code"], "A003");
    let (status, body) = third_clerk
        .post("/api/counters/3/pause", json!({"reason": "Nghỉ trưa"}))
        .await;
    assert_eq!(status, 200, "pause: {body}");

    // The manager signs in.
    let browser = Browser::open(1920, 1080).await;
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

    // Now: the waiting count of field A and the paused counter's reason, as set up.
    let waiting_a = text_of("#now-fields tr[data-field='A'] td[data-col='waiting']");
    browser
        .wait_for("one waiting in A", &format!("{waiting_a} === '1'"))
        .await;
    assert_eq!(
        browser
            .eval(&text_of(
                "#now-fields tr[data-field='B'] td[data-col='waiting']"
            ))
            .await,
        "1"
    );
    assert_eq!(
        browser
            .eval("document.querySelector(\"[data-counter='3']\").dataset.state")
            .await,
        "paused"
    );
    let reason = browser.eval(&text_of("[data-counter='3'] .reason")).await;
    assert!(
        reason.as_str().is_some_and(|r| r.contains("Nghỉ trưa")),
        "the pause reason is shown: {reason}"
    );
    let current = browser.eval(&text_of("[data-counter='1'] .current")).await;
    assert!(
        current.as_str().is_some_and(|c| c.contains("A003")),
        "counter 1 is calling A003: {current}"
    );
    assert_eq!(browser.eval(&text_of("#now-served")).await, "1");
    // This hall does not report to a city: the page says so.
    assert_eq!(
        browser
            .eval("document.querySelector('#now-uplink').dataset.state")
            .await,
        "off"
    );
    let uplink = browser.eval(&text_of("#now-uplink")).await;
    assert!(
        uplink.as_str().is_some_and(|u| u.contains("Chưa bật")),
        "the report to the city is off: {uplink}"
    );
    browser
        .wait_for(
            "the live feed",
            "document.body.dataset.connected === 'true'",
        )
        .await;

    // A ticket issued while the page is open shows without a reload.
    kiosk.issue("A", "none").await;
    browser
        .wait_for("two waiting in A", &format!("{waiting_a} === '2'"))
        .await;
    browser.screenshot("dashboard-now-1920x1080").await;

    // History: today in the hall (25/11/2026, not this machine's date), its figures and charts.
    browser.click(".tabs button[data-tab='history']").await;
    browser
        .wait_for("today's figures", "document.body.dataset.hist === 'ready'")
        .await;
    assert_eq!(
        browser
            .eval("document.getElementById('range-from').value")
            .await,
        "2026-11-25"
    );
    assert_eq!(
        browser
            .eval(&text_of("#hist-kpis [data-kpi='served'] .value"))
            .await,
        "1"
    );
    assert_eq!(
        browser
            .eval(&text_of("#hist-kpis [data-kpi='issued'] .value"))
            .await,
        "5"
    );
    assert_eq!(
        browser
            .eval(&text_of(
                "#hist-table tbody tr[data-key='A'] td[data-col='served']"
            ))
            .await,
        "1"
    );
    assert_eq!(
        browser
            .eval(&text_of("#hist-table tfoot td[data-col='issued']"))
            .await,
        "5"
    );
    // A001 waited 6 minutes and A003 none: a mean of 3 minutes.
    assert_eq!(
        browser
            .eval(&text_of(
                "#hist-table tbody tr[data-key='A'] td[data-col='waitMean']"
            ))
            .await,
        "3"
    );
    // By clerk: the time idle while people waited in the counter's fields. Counter 1 (A, D)
    // opened at 08:00 and first called at 08:06 with A waiting; counter 3 (C, A) called no
    // one until its lunch at 08:12.
    browser.click("#hist-by-clerk").await;
    browser
        .wait_for(
            "the clerks' table",
            "document.getElementById('hist-table').dataset.group === 'clerk'",
        )
        .await;
    for (clerk, idle) in [("canbo1", "6 phút"), ("canbo3", "12 phút")] {
        assert_eq!(
            browser
                .eval(&text_of(&format!(
                    "#hist-table tbody tr[data-key='{clerk}'] td[data-col='idleWaiting']"
                )))
                .await,
            idle,
            "{clerk}"
        );
    }
    browser.click("#hist-by-field").await;
    for chart in ["hourly", "histogram", "within", "satisfaction"] {
        browser
            .wait_for(
                &format!("the {chart} chart drawn by uPlot"),
                &format!(
                    "(function(u){{ const c = u && u.querySelector('canvas'); \
                     return u && u.offsetWidth > 0 && u.offsetHeight > 0 && c && c.width > 0 && c.height > 0; }})\
                     (document.querySelector('#chart-{chart} .uplot'))"
                ),
            )
            .await;
    }

    // The export links ask for today, in every breakdown, and answer.
    let q = "from=2026-11-25&to=2026-11-25";
    for by in ["field", "counter", "clerk", "hour", "day"] {
        let href = browser
            .eval(&format!(
                "document.getElementById('export-{by}').getAttribute('href')"
            ))
            .await;
        let expected = format!("/api/stats.csv?{q}&by={by}");
        assert_eq!(href, expected.as_str());
        let (status, _) = manager.get(&expected).await;
        assert_eq!(status, 200, "{expected}");
    }
    assert_eq!(
        browser
            .eval("document.getElementById('export-xlsx').getAttribute('href')")
            .await,
        format!("/api/stats.xlsx?{q}").as_str()
    );
    browser.screenshot("dashboard-history-1920x1080").await;

    // A ticket issued while History is shown is on "Now" when the manager comes back.
    kiosk.issue("E", "none").await;
    browser.click(".tabs button[data-tab='now']").await;
    let waiting_e = text_of("#now-fields tr[data-field='E'] td[data-col='waiting']");
    browser
        .wait_for("one waiting in E", &format!("{waiting_e} === '1'"))
        .await;

    // The daily report of the day, linked from the dashboard.
    let report = browser
        .eval("document.getElementById('report-link').href")
        .await;
    let report = report.as_str().expect("the report link").to_owned();
    assert!(
        report.ends_with("/dashboard/report.html?day=2026-11-25"),
        "{report}"
    );
    browser.goto(&report).await;
    browser
        .wait_for("the report", "document.body.dataset.state === 'ready'")
        .await;
    assert_eq!(
        browser
            .eval(&text_of(
                "#r-fields tbody tr[data-key='A'] td[data-col='served']"
            ))
            .await,
        "1"
    );
    assert_eq!(
        browser
            .eval(&text_of(
                "#r-fields tbody tr[data-key='A'] td[data-col='issued']"
            ))
            .await,
        "4"
    );
    let date = browser.eval(&text_of("#r-date")).await;
    assert_eq!(date, "Thứ Tư, ngày 25 tháng 11 năm 2026");
    browser.screenshot("dashboard-report-1920x1080").await;

    // A clerk who signs in is told this is not for them; the API refuses them too.
    browser.goto(&hall.url("/dashboard/")).await;
    browser.click("#logout-btn").await;
    browser
        .wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    browser.type_into("#login-name", "canbo1").await;
    browser
        .type_into("#login-password", "canbo1-secret-pw")
        .await;
    browser.click("button[data-action='login']").await;
    browser
        .wait_for("no access", "document.body.dataset.view === 'denied'")
        .await;
    let said = browser
        .eval("document.getElementById('denied-view').innerText")
        .await;
    assert!(
        said.as_str()
            .is_some_and(|s| s.to_lowercase().contains("không có quyền")),
        "{said}"
    );
    for path in ["/api/stats/now", "/api/stats", "/api/stats.csv?by=field"] {
        let (status, _) = first_clerk.get(path).await;
        assert_eq!(status, 403, "{path} for a clerk");
    }
    let (status, _) = kiosk.get("/api/stats/now").await;
    assert!(
        status == 401 || status == 403,
        "a kiosk is refused: {status}"
    );
    browser.close().await;
}

/// The dashboard, its report and the city's page do their plumbing with the front-end kit
/// (`shared-web/`, served at `/shared/`): none of their files carries its own API client, live
/// feed, element builder, remembered language, fonts or colour tokens, and every script
/// that talks to a server or builds elements imports the kit's.
#[test]
fn the_figure_pages_carry_no_copy_of_the_kit() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let copies = [
        ("class ApiError", "the API client"),
        ("fetch(", "the API client"),
        ("new WebSocket", "the live feed"),
        ("document.createElement", "the element builder"),
        ("localStorage", "the translations"),
        ("@font-face", "the fonts"),
        ("--ink:", "the colour tokens"),
        ("--brand:", "the colour tokens"),
    ];
    let mut files = 0;
    for folder in ["dashboard-web", "city-web"] {
        for entry in std::fs::read_dir(root.join(folder)).expect("a page folder") {
            let path = entry.expect("entry").path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !["js", "css", "html"].contains(&ext) {
                continue;
            }
            files += 1;
            let text = std::fs::read_to_string(&path).expect("a page file");
            for (copy, what) in copies {
                assert!(
                    !text.contains(copy),
                    "{} has its own copy of {what} ({copy:?}): use /shared/",
                    path.display()
                );
            }
            let uses = |module: &str| text.contains(&format!("from '/shared/{module}'"));
            if text.contains("api(") {
                assert!(uses("api.js"), "{} calls the kit's api", path.display());
            }
            if text.contains(" h(") || text.contains("(h(") {
                assert!(uses("el.js"), "{} builds with the kit's h", path.display());
            }
        }
    }
    assert!(files >= 20, "the pages' files were read: {files}");
}
