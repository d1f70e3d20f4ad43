//! The city dashboard in a real headless Chromium against a real collector: two real
//! halls report to it over their uplinks, a third is registered and never reports. The
//! city office signs in, reads every hall side by side (the figures the collector's API
//! gives), sorts by a column with the mouse and the keyboard, finds a hall by name without
//! its diacritics, opens one hall's figures, follows the export links, and sees the silent
//! hall marked; a clerk is turned away. Screenshots land in `target/test-artifacts/`.

use chrono::Duration;
use fantoccini::Locator;
use fantoccini::key::Key;
use motcua_domain::Role;
use motcua_hall::config::Settings;
use motcua_store::clock::ManualClock;
use motcua_tests::browser::Browser;
use motcua_tests::{TestCity, TestHall, opening_time};
use serde_json::{Value, json};

/// The text of the first element matching a CSS selector, trimmed ("" when absent).
fn text_of(css: &str) -> String {
    let css = css.replace('\\', "\\\\").replace('\'', "\\'");
    format!("(document.querySelector('{css}')?.textContent ?? '').trim()")
}

/// The hall codes of the table's rows, top to bottom.
const ROW_ORDER: &str = "Array.from(document.querySelectorAll('#halls-table tbody tr[data-code]')).map(r => r.dataset.code)";

/// A share as the page writes it in Vietnamese: 0.5 is "50%".
fn percent(share: &Value) -> String {
    match share.as_f64() {
        Some(v) => format!("{}%", (v * 100.0).round()),
        None => "—".to_owned(),
    }
}

/// A hall reporting to `city` under `code`, with its own name.
async fn reporting_hall(city: &TestCity, name: &str, code: &str, secret: &str) -> TestHall {
    let mut settings = Settings::default();
    settings.hall.name = name.to_owned();
    settings.city = city.uplink(code, secret);
    TestHall::start_with(settings).await
}

/// Issue a ticket of field A, let it wait `wait_minutes`, then serve it at counter 1 in
/// five minutes.
async fn serve_after(
    hall: &TestHall,
    clocks: &[&ManualClock],
    kiosk: &motcua_tests::Client,
    clerk: &motcua_tests::Client,
    wait_minutes: i64,
) -> Value {
    let ticket = kiosk.issue("A", "none").await;
    advance(clocks, Duration::minutes(wait_minutes));
    let called = clerk.call_next(1).await.expect("a ticket is called");
    assert_eq!(called["id"], ticket["id"], "{called}");
    for action in ["start", "finish"] {
        let (status, body) = clerk.act(&ticket, action, json!({})).await;
        assert_eq!(
            status, 200,
            "{action} in {}: {body}",
            hall.settings.hall.name
        );
        advance(clocks, Duration::minutes(5));
    }
    ticket
}

/// Every clock moves together: the collector refuses a batch signed too far from its time.
fn advance(clocks: &[&ManualClock], by: Duration) {
    for clock in clocks {
        clock.advance(by);
    }
}

/// The collector's figures of one hall, read from its JSON API.
fn hall_in<'a>(stats: &'a Value, code: &str) -> &'a Value {
    stats["halls"]
        .as_array()
        .and_then(|halls| halls.iter().find(|h| h["code"] == code))
        .unwrap_or_else(|| panic!("hall {code} in {stats}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_office_compares_every_hall_sorts_them_opens_one_and_sees_the_silent_one() {
    let city_clock = ManualClock::starting_at(opening_time());
    let city = TestCity::start(city_clock.clone()).await;
    let (kiem_code, kiem_secret) = city.register("UBND phường Hoàn Kiếm");
    let (dinh_code, dinh_secret) = city.register("UBND phường Ba Đình");
    let (son_code, _) = city.register("UBND xã Sóc Sơn"); // registered, never reports

    let kiem = reporting_hall(&city, "UBND phường Hoàn Kiếm", &kiem_code, &kiem_secret).await;
    let dinh = reporting_hall(&city, "UBND phường Ba Đình", &dinh_code, &dinh_secret).await;
    let clocks = [&city_clock, &kiem.clock, &dinh.clock];

    // Hoàn Kiếm: one citizen served after 6 minutes (within the 15-minute target), one
    // after 26 (not), one still waiting; the first rates the service. Ba Đình: one served
    // after 3 minutes.
    let kiem_kiosk = kiem.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    let kiem_clerk = kiem.clerk_at("canbo1", 1).await;
    let first = serve_after(&kiem, &clocks, &kiem_kiosk, &kiem_clerk, 6).await;
    let (status, body) = kiem
        .anonymous()
        .post(
            "/api/ratings",
            json!({"token": first["token"], "level": 5, "comment": "Nhanh gọn"}),
        )
        .await;
    assert_eq!(status, 201, "rating: {body}");
    kiem_kiosk.issue("A", "none").await;
    advance(&clocks, Duration::minutes(16));
    kiem_kiosk.issue("A", "none").await; // the second ticket has waited 16 minutes so far
    advance(&clocks, Duration::minutes(10));
    let called = kiem_clerk.call_next(1).await.expect("A002 is called");
    assert_eq!(called["code"], "A002");
    for action in ["start", "finish"] {
        let (status, body) = kiem_clerk.act(&called, action, json!({})).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    let dinh_kiosk = dinh.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    let dinh_clerk = dinh.clerk_at("canbo1", 1).await;
    serve_after(&dinh, &clocks, &dinh_kiosk, &dinh_clerk, 3).await;

    // The city has them once both uplinks have posted their logs (they look every 2 s).
    let manager = city.staff("thanhpho", Role::Manager).await; // password "thanhpho-secret-pw"
    let q = "from=2026-11-25&to=2026-11-25";
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    let stats = loop {
        let (status, stats) = manager.get(&format!("/api/city/stats?{q}")).await;
        assert_eq!(status, 200, "{stats}");
        if hall_in(&stats, &kiem_code)["served"] == 2 && hall_in(&stats, &dinh_code)["served"] == 1
        {
            break stats;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the halls' figures reached the city within 30 s: {stats}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(hall_in(&stats, &kiem_code)["within_target"], 0.5);
    assert_eq!(hall_in(&stats, &son_code)["silent"], true);
    assert_eq!(hall_in(&stats, &kiem_code)["silent"], false);

    // The city office signs in.
    let browser = Browser::open(1920, 1080).await;
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
    // Today in Vietnam (25/11/2026 on the collector's clock, not this machine's date).
    assert_eq!(
        browser
            .eval("document.getElementById('range-from').value")
            .await,
        "2026-11-25"
    );

    // Each hall's row says what the collector's API says.
    for code in [&kiem_code, &dinh_code] {
        let hall = hall_in(&stats, code);
        let cell = |col: &str| {
            text_of(&format!(
                "#halls-table tr[data-code='{code}'] td[data-col='{col}']"
            ))
        };
        assert_eq!(
            browser.eval(&cell("served")).await,
            hall["served"].to_string().as_str(),
            "served in {code}"
        );
        assert_eq!(
            browser.eval(&cell("within")).await,
            percent(&hall["within_target"]).as_str(),
            "within target in {code}"
        );
    }
    assert_eq!(
        browser
            .eval(&text_of(&format!(
                "#halls-table tr[data-code='{kiem_code}'] td[data-col='within']"
            )))
            .await,
        "50%"
    );
    assert_eq!(
        browser
            .eval(&text_of(&format!(
                "#halls-table tr[data-code='{kiem_code}'] td[data-col='waiting']"
            )))
            .await,
        "1",
        "one citizen still waits in Hoàn Kiếm"
    );
    assert_eq!(
        browser
            .eval(&text_of("#halls-table tfoot td[data-col='served']"))
            .await,
        "3"
    );

    // The hall that never reported is silent: first in the table, in red, and named in
    // the note of how many halls report.
    let order = browser.eval(ROW_ORDER).await;
    assert_eq!(
        order[0],
        son_code.as_str(),
        "the silent hall first: {order}"
    );
    let silent_row = format!("#halls-table tr[data-code='{son_code}']");
    assert_eq!(
        browser
            .eval(&format!(
                "document.querySelector(\"{silent_row}\").classList.contains('silent')"
            ))
            .await,
        true
    );
    assert_eq!(
        browser
            .eval(&format!(
                "getComputedStyle(document.querySelector(\"{silent_row} td\")).backgroundColor"
            ))
            .await,
        "rgb(253, 236, 234)",
        "the silent hall's row is tinted red"
    );
    let chip = browser
        .eval(&text_of(&format!("{silent_row} .silent-chip")))
        .await;
    assert_eq!(chip, "Chưa từng báo cáo");
    for code in [&kiem_code, &dinh_code] {
        assert_eq!(
            browser
                .eval(&format!(
                    "document.querySelector(\"#halls-table tr[data-code='{code}']\").dataset.silent"
                ))
                .await,
            "false"
        );
    }
    let note = browser.eval(&text_of("#reporting-note")).await;
    assert!(
        note.as_str().is_some_and(
            |n| n.contains("2/3 đơn vị đang báo cáo") && n.contains("1 đơn vị mất liên lạc")
        ),
        "{note}"
    );

    // Both charts drawn by uPlot.
    for chart in ["within", "satisfied"] {
        browser
            .wait_for(
                &format!("the {chart} chart drawn by uPlot"),
                &format!(
                    "(function(u){{ const c = u && u.querySelector('canvas'); \
                     return u && u.offsetWidth > 0 && c && c.width > 0 && c.height > 0; }})\
                     (document.querySelector('#chart-halls-{chart} .uplot'))"
                ),
            )
            .await;
    }

    // The export links ask for the chosen days, and answer.
    for (id, path) in [
        ("export-csv", format!("/api/city/stats.csv?{q}")),
        ("export-xlsx", format!("/api/city/stats.xlsx?{q}")),
    ] {
        let href = browser
            .eval(&format!(
                "document.getElementById('{id}').getAttribute('href')"
            ))
            .await;
        assert_eq!(href, path.as_str());
        let (status, _, bytes) = manager.get_bytes(&path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!bytes.is_empty(), "{path}");
    }
    browser.screenshot("city-overview-1920x1080").await;

    // Sort by served with a click: most first, then least first.
    browser
        .click("#halls-table th[data-col='served'] button")
        .await;
    let order = browser.eval(ROW_ORDER).await;
    assert_eq!(order, json!([kiem_code, dinh_code, son_code]));
    assert_eq!(
        browser
            .eval("document.querySelector(\"#halls-table th[data-col='served']\").getAttribute('aria-sort')")
            .await,
        "descending"
    );
    browser
        .click("#halls-table th[data-col='served'] button")
        .await;
    assert_eq!(
        browser.eval(ROW_ORDER).await,
        json!([son_code, dinh_code, kiem_code])
    );
    // With the keyboard: Enter on the "within target" header (highest share first; the
    // hall with no figure last).
    browser
        .client
        .find(Locator::Css("#halls-table th[data-col='within'] button"))
        .await
        .expect("the header's button")
        .send_keys(&Key::Enter)
        .await
        .expect("Enter");
    browser
        .wait_for(
            "sorted by within target",
            "document.querySelector(\"#halls-table th[data-col='within']\").getAttribute('aria-sort') === 'descending'",
        )
        .await;
    assert_eq!(
        browser.eval(ROW_ORDER).await,
        json!([dinh_code, kiem_code, son_code])
    );
    assert_eq!(
        browser
            .eval("document.activeElement.closest('th')?.dataset.col")
            .await,
        "within",
        "the focus stays on the header"
    );

    // Finding a hall by name, typed without diacritics.
    browser.type_into("#hall-filter", "ba dinh").await;
    browser
        .wait_for(
            "only Ba Đình",
            &format!("JSON.stringify({ROW_ORDER}) === '[\"{dinh_code}\"]'"),
        )
        .await;
    browser
        .client
        .find(Locator::Css("#hall-filter"))
        .await
        .expect("filter")
        .send_keys(&Key::Escape)
        .await
        .expect("Escape");
    browser
        .wait_for("every hall again", &format!("{ROW_ORDER}.length === 3"))
        .await;

    // One hall in detail: its figures by field, its own export.
    browser
        .click(&format!(
            "#halls-table tr[data-code='{kiem_code}'] a.hall-link"
        ))
        .await;
    browser
        .wait_for(
            "Hoàn Kiếm's figures",
            "document.body.dataset.page === 'hall' && document.body.dataset.hall === 'ready'",
        )
        .await;
    assert_eq!(
        browser.eval(&text_of("#hall-name")).await,
        "UBND phường Hoàn Kiếm"
    );
    assert_eq!(
        browser
            .eval(&text_of("#h-kpis [data-kpi='served'] .value"))
            .await,
        "2"
    );
    assert_eq!(
        browser
            .eval(&text_of(
                "#h-table tbody tr[data-key='A'] td[data-col='issued']"
            ))
            .await,
        "3"
    );
    assert_eq!(
        browser
            .eval(&text_of(
                "#h-table tbody tr[data-key='A'] td[data-col='within']"
            ))
            .await,
        "50%"
    );
    let (status, hall_stats) = manager
        .get(&format!("/api/city/halls/{kiem_code}/stats?{q}"))
        .await;
    assert_eq!(status, 200, "{hall_stats}");
    assert_eq!(hall_stats["total"]["served"], 2);
    for chart in ["hourly", "histogram", "within", "satisfaction"] {
        browser
            .wait_for(
                &format!("the hall's {chart} chart"),
                &format!(
                    "(function(u){{ const c = u && u.querySelector('canvas'); \
                     return u && u.offsetWidth > 0 && c && c.width > 0; }})\
                     (document.querySelector('#h-chart-{chart} .uplot'))"
                ),
            )
            .await;
    }
    let hall_xlsx = format!("/api/city/halls/{kiem_code}/stats.xlsx?{q}");
    assert_eq!(
        browser
            .eval("document.getElementById('export-hall-xlsx').getAttribute('href')")
            .await,
        hall_xlsx.as_str()
    );
    let (status, _, bytes) = manager.get_bytes(&hall_xlsx).await;
    assert_eq!(status, 200, "{hall_xlsx}");
    assert!(bytes.starts_with(b"PK"), "an Excel workbook");
    // Clerks are numbers at the city, never names.
    browser.click("button[data-group='clerk']").await;
    let clerk = browser
        .eval(&text_of("#h-table tbody tr[data-key] td.name"))
        .await;
    assert!(
        clerk.as_str().is_some_and(|c| !c.contains("canbo1")),
        "no clerk's name at the city: {clerk}"
    );
    browser.click("button[data-group='field']").await;
    browser.eval("window.scrollTo(0, 0)").await;
    browser.screenshot("city-hall-1920x1080").await;

    // Back to every hall, the range kept.
    browser.click("#back-link").await;
    browser
        .wait_for(
            "the city again",
            "document.body.dataset.page === 'city' && document.body.dataset.city === 'ready'",
        )
        .await;
    browser.close().await;

    // The long table on a smaller office screen.
    let small = Browser::open(1366, 768).await;
    small.goto(&format!("{}/city/", city.base)).await;
    small.type_into("#login-name", "thanhpho").await;
    small
        .type_into("#login-password", "thanhpho-secret-pw")
        .await;
    small.click("button[data-action='login']").await;
    small
        .wait_for(
            "every hall's figures",
            "document.body.dataset.view === 'dash' && document.body.dataset.city === 'ready'",
        )
        .await;
    small
        .eval("document.querySelector('.halls-panel').scrollIntoView()")
        .await;
    small.screenshot("city-overview-1366x768").await;

    // A clerk of the city office is turned away; the API refuses them too.
    let clerk = city.staff("vanthu", Role::Clerk).await;
    small.click("#logout-btn").await;
    small
        .wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    small.type_into("#login-name", "vanthu").await;
    small.type_into("#login-password", "vanthu-secret-pw").await;
    small.click("button[data-action='login']").await;
    small
        .wait_for("no access", "document.body.dataset.view === 'denied'")
        .await;
    let said = small
        .eval("document.getElementById('denied-view').innerText")
        .await;
    assert!(
        said.as_str()
            .is_some_and(|s| s.to_lowercase().contains("không có quyền")),
        "{said}"
    );
    for path in ["/api/city/halls", "/api/city/stats", "/api/city/stats.csv"] {
        let (status, _) = clerk.get(path).await;
        assert_eq!(status, 403, "{path} for a clerk");
    }
    small.close().await;
}

/// The collector serves the front-end kit at `/shared/` as the hall does, and of the hall
/// dashboard's folder only the modules its page reuses, at the hall's own addresses.
#[tokio::test]
async fn the_collector_serves_the_kit_and_only_the_dashboard_modules_its_page_uses() {
    let city = TestCity::start(ManualClock::starting_at(opening_time())).await;
    let http = reqwest::Client::new();
    let get = |path: &'static str| {
        let request = http.get(format!("{}{path}", city.base));
        async move {
            let resp = request.send().await.expect("get");
            let status = resp.status().as_u16();
            (status, resp.text().await.expect("body"))
        }
    };
    for path in [
        "/shared/api.js",
        "/shared/feed.js",
        "/shared/i18n.js",
        "/shared/el.js",
        "/shared/tokens.css",
        "/dashboard/format.js",
        "/dashboard/controls.js",
        "/dashboard/charts.js",
        "/dashboard/history.js",
        "/dashboard/strings.js",
        "/dashboard/figures.css",
        "/dashboard/screen.css",
        "/dashboard/signin.js",
        "/dashboard/vendor/uplot/uPlot.iife.min.js",
        "/dashboard/vendor/uplot/uPlot.min.css",
    ] {
        let (status, body) = get(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(!body.is_empty(), "{path}");
    }
    // The page asks for nothing else of the dashboard's folder, and gets nothing else.
    for path in [
        "/dashboard/index.html",
        "/dashboard/dashboard.js",
        "/dashboard/report.html",
        "/shared/lib.js",
        "/shared/charts.js",
    ] {
        let (status, _) = get(path).await;
        assert_eq!(status, 404, "{path}");
    }
    // Every module the city's page imports is one the collector serves.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../city-web");
    for file in [
        "city.js",
        "overview.js",
        "charts.js",
        "strings.js",
        "index.html",
    ] {
        let text = std::fs::read_to_string(root.join(file)).expect("a page file");
        for piece in text.split(['\'', '"']) {
            if piece.starts_with("/dashboard/") || piece.starts_with("/shared/") {
                let resp = http
                    .get(format!("{}{piece}", city.base))
                    .send()
                    .await
                    .expect("get");
                assert_eq!(resp.status().as_u16(), 200, "{piece} from {file}");
            }
        }
    }
}
