//! The manager's dashboard, its daily report and the city's page, checked with axe-core
//! (WCAG 2.2 A and AA) in a real Chromium at the office PC's size, in each of their main
//! states, in Vietnamese and again in English; each with one level-one heading; their tabs
//! as the WAI-ARIA Authoring Practices describe them (tablist, tab, tabpanel, one tab in the
//! Tab order, arrow keys). Screenshots land in `target/test-artifacts/`.

use chrono::Duration;
use fantoccini::Locator;
use fantoccini::key::Key;
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_store::clock::ManualClock;
use motcua_tests::browser::Browser;
use motcua_tests::{TestCity, TestHall, opening_time};
use serde_json::{Value, json};

const WIDTH: u32 = 1440;
const HEIGHT: u32 = 900;

/// How many level-one headings a person (or a screen reader) finds on the page as it is now:
/// rendered ones, visually hidden included, `display: none` ones not.
const VISIBLE_H1: &str = "Array.from(document.querySelectorAll('h1')).filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden').length";

/// The language button: its accessible name (aria-label, else its text), its visible text
/// and the language it is marked in.
const LANG_BUTTON: &str = "(() => { const b = document.getElementById('lang-btn'); return { label: b.getAttribute('aria-label'), text: b.innerText.trim(), lang: b.lang }; })()";

/// axe-core's best-practice rules these pages keep too (beyond WCAG's): one `main`, all content
/// in landmarks, one level-one heading, headings in order, roles their elements allow, named
/// dialogs.
const BEST_PRACTICE: &str = r#"const done = arguments[arguments.length - 1];
window.axe
  .run(document, {
    runOnly: { type: 'rule', values: ['landmark-one-main', 'region', 'page-has-heading-one',
      'heading-order', 'aria-allowed-role', 'aria-dialog-name', 'landmark-unique',
      'landmark-no-duplicate-main'] },
    resultTypes: ['violations'],
  })
  .then((r) => done(r.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes
      .slice(0, 5).map((n) => n.target.join(' ')).join(' | ')}`)))
  .catch((e) => done([`axe failed: ${e}`]));"#;

/// axe-core finds nothing (WCAG 2.2 A and AA, and [`BEST_PRACTICE`]), there is one level-one
/// heading, and the language button's name is its visible text, in the language that text is
/// in.
async fn check_here(browser: &Browser, what: &str) {
    browser.assert_accessible(what).await;
    let found = browser
        .client
        .execute_async(BEST_PRACTICE, vec![])
        .await
        .expect("axe runs");
    assert_eq!(found, json!([]), "axe-core's best practices on {what}");
    assert_eq!(
        browser.eval(VISIBLE_H1).await,
        1,
        "one level-one heading on {what}"
    );
    let button = browser.eval(LANG_BUTTON).await;
    let text = button["text"].as_str().unwrap_or_default();
    assert!(
        button["label"].is_null() || button["label"].as_str() == Some(text),
        "the language button is named by what it shows on {what}: {button}"
    );
    let expected = match text {
        "English" => "en",
        "Tiếng Việt" => "vi",
        other => panic!("the language button says {other:?} on {what}"),
    };
    assert_eq!(
        button["lang"], expected,
        "the language button is marked in the language of its text on {what}: {button}"
    );
}

/// [`check_here`] in Vietnamese, then in English (the page's own switch, and the document's
/// `lang` following it), then back in Vietnamese. `ready` is a JS expression true once the
/// page has drawn its state again.
async fn check(browser: &Browser, what: &str, ready: &str) {
    browser
        .wait_for(
            what,
            &format!("document.documentElement.lang === 'vi' && ({ready})"),
        )
        .await;
    check_here(browser, &format!("{what} (vi)")).await;
    browser.screenshot(&format!("a11y-{what}-vi")).await;
    browser.click("#lang-btn").await;
    browser
        .wait_for(
            &format!("{what} in English"),
            &format!("document.documentElement.lang === 'en' && ({ready})"),
        )
        .await;
    check_here(browser, &format!("{what} (en)")).await;
    browser.screenshot(&format!("a11y-{what}-en")).await;
    browser.click("#lang-btn").await;
    browser
        .wait_for(
            &format!("{what} in Vietnamese again"),
            "document.documentElement.lang === 'vi'",
        )
        .await;
}

async fn sign_in(browser: &Browser, name: &str) {
    browser.type_into("#login-name", name).await;
    browser
        .type_into("#login-password", &format!("{name}-secret-pw"))
        .await;
    browser.click("button[data-action='login']").await;
}

/// What the ARIA tabs of `tablist` (a CSS selector) say: each tab's role, aria-selected,
/// tabindex, and whether its aria-controls names a tabpanel labelled by a tab of the list.
async fn tabs_of(browser: &Browser, tablist: &str) -> Value {
    browser
        .eval(&format!(
            r#"(() => {{
  const list = document.querySelector("{tablist}");
  if (!list || list.getAttribute('role') !== 'tablist') return {{ error: 'no tablist' }};
  const kids = Array.from(list.children);
  return kids.map((tab) => {{
    const panel = document.getElementById(tab.getAttribute('aria-controls') || '');
    const by = panel && document.getElementById(panel.getAttribute('aria-labelledby') || '');
    return {{
      role: tab.getAttribute('role'),
      selected: tab.getAttribute('aria-selected'),
      tabindex: tab.getAttribute('tabindex'),
      panel: Boolean(panel && panel.getAttribute('role') === 'tabpanel' && by && list.contains(by)),
      focused: document.activeElement === tab,
    }};
  }});
}})()"#
        ))
        .await
}

/// The tabs of `tablist` follow the APG pattern with tab `selected` (0-based) chosen: every
/// child a tab controlling a labelled tabpanel, only the chosen one selected and in the Tab
/// order.
async fn assert_tabs(browser: &Browser, tablist: &str, selected: usize) {
    let tabs = tabs_of(browser, tablist).await;
    let list = tabs
        .as_array()
        .unwrap_or_else(|| panic!("{tablist} is a tablist: {tabs}"));
    assert!(list.len() >= 2, "{tablist}: {tabs}");
    for (i, tab) in list.iter().enumerate() {
        let chosen = i == selected;
        assert_eq!(tab["role"], "tab", "{tablist} child {i}: {tabs}");
        assert_eq!(
            tab["selected"],
            if chosen { "true" } else { "false" },
            "{tablist} child {i} aria-selected: {tabs}"
        );
        assert_eq!(
            tab["tabindex"],
            if chosen { "0" } else { "-1" },
            "{tablist} child {i}: only the selected tab is in the Tab order: {tabs}"
        );
        assert_eq!(
            tab["panel"], true,
            "{tablist} child {i} controls a tabpanel: {tabs}"
        );
    }
}

async fn press(browser: &Browser, key: Key) {
    browser
        .client
        .active_element()
        .await
        .expect("the focused element")
        .send_keys(&key)
        .await
        .expect("a key press");
}

/// Arrow keys move along `tablist` (wrapping), Home and End go to its ends; each move
/// selects the tab it lands on (focus follows selection) and leaves focus on it.
async fn drive_tabs_by_keyboard(browser: &Browser, tablist: &str, count: usize) {
    browser
        .client
        .find(Locator::Css(&format!("{tablist} [aria-selected='true']")))
        .await
        .expect("the selected tab")
        .click()
        .await
        .expect("click");
    let focused = |i: usize| {
        format!(
            "(() => {{ const t = Array.from(document.querySelector(\"{tablist}\").children); \
             return t.indexOf(document.activeElement) === {i} && t[{i}].getAttribute('aria-selected') === 'true'; }})()"
        )
    };
    browser.wait_for("the first tab", &focused(0)).await;
    press(browser, Key::Right).await;
    browser.wait_for("→ the second tab", &focused(1)).await;
    assert_tabs(browser, tablist, 1).await;
    press(browser, Key::End).await;
    browser
        .wait_for("End: the last tab", &focused(count - 1))
        .await;
    press(browser, Key::Right).await;
    browser.wait_for("→ wraps to the first", &focused(0)).await;
    press(browser, Key::Left).await;
    browser
        .wait_for("← wraps to the last", &focused(count - 1))
        .await;
    press(browser, Key::Home).await;
    browser.wait_for("Home: the first tab", &focused(0)).await;
    assert_tabs(browser, tablist, 0).await;
}

/// A morning in a hall with a printer, a paused counter, a rated visit and a kiosk refused
/// for issuing priority tickets too fast: every panel of the Now tab has something to show.
async fn busy_hall() -> TestHall {
    let hall = TestHall::start_limited(Settings::default()).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    hall.printer("may-in-1", "kiosk-1");
    hall.staff("lan", Role::Manager).await;
    let clerk = hall.clerk_at("canbo1", 1).await;
    let lunch = hall.clerk_at("canbo3", 3).await;
    let first = kiosk.issue("A", "none").await;
    hall.clock.advance(Duration::minutes(1));
    kiosk.issue("B", "none").await;
    hall.clock.advance(Duration::minutes(6));
    let called = clerk.call_next(1).await.expect("A001 is called");
    assert_eq!(called["id"], first["id"]);
    for action in ["start", "finish"] {
        let (status, body) = clerk.act(&first, action, json!({})).await;
        assert_eq!(status, 200, "{action}: {body}");
        hall.clock.advance(Duration::minutes(4));
    }
    let (status, body) = hall
        .anonymous()
        .post(
            "/api/ratings",
            json!({"token": first["token"], "level": 4, "comment": "Cán bộ nhiệt tình"}),
        )
        .await;
    assert_eq!(status, 201, "rating: {body}");
    // Two bookings: one checked in early at a counter, one still to come.
    for (window, person) in [("08:30", "0912000001"), ("09:00", "0912000002")] {
        let (status, booking) = hall
            .anonymous()
            .post(
                "/api/bookings",
                json!({"service": "A", "day": "2026-11-25", "window": window, "person": person, "consent": true}),
            )
            .await;
        assert_eq!(status, 201, "book: {booking}");
        if window == "08:30" {
            let (status, body) = clerk
                .post("/api/check-in", json!({"code": booking["code"]}))
                .await;
            assert_eq!(status, 201, "check in: {body}");
        }
    }
    let (status, body) = lunch
        .post("/api/counters/3/pause", json!({"reason": "Nghỉ trưa"}))
        .await;
    assert_eq!(status, 200, "pause: {body}");
    hall.clock.advance(Duration::minutes(2));
    let mut refused = false;
    for _ in 0..8 {
        let (status, _) = kiosk
            .post(
                "/api/tickets",
                json!({"service": "C", "priority": "elderly"}),
            )
            .await;
        refused |= status == 429;
    }
    assert!(refused, "the kiosk is refused for issuing too fast");
    hall
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_and_its_report_pass_axe_in_every_main_state_in_both_languages() {
    let hall = busy_hall().await;
    hall.clerk_at("canbo2", 2).await;
    let browser = Browser::open(WIDTH, HEIGHT).await;
    browser.goto(&hall.url("/dashboard/")).await;
    check(
        &browser,
        "dashboard-sign-in",
        "document.body.dataset.view === 'login'",
    )
    .await;

    sign_in(&browser, "lan").await;
    let now_drawn = "document.body.dataset.view === 'dash' && document.body.dataset.connected === 'true' \
        && document.querySelector('#now-fields tbody tr[data-field]') \
        && document.querySelector('#now-alerts [data-alert]') \
        && document.querySelector('#now-printers-list [data-printer]') \
        && document.querySelector('#now-unprinted [data-job]')";
    check(&browser, "dashboard-now", now_drawn).await;

    // The bulk cancellation, asked to confirm.
    browser
        .click("#now-alerts button[data-action='alert-bulk']")
        .await;
    browser
        .click("#bulk-form button[data-action='bulk-check']")
        .await;
    check(
        &browser,
        "dashboard-now-bulk-confirm",
        "!document.getElementById('bulk-confirm').hidden",
    )
    .await;

    browser
        .click(".tabs [role='tab'][data-tab='history']")
        .await;
    let history_drawn = "document.body.dataset.tab === 'history' && document.body.dataset.hist === 'ready' \
        && document.querySelector('#chart-hourly .uplot canvas') \
        && document.querySelector('#hist-comments li[data-level]') \
        && document.querySelector('#hist-bookings table[data-bookings=\"byWindow\"] tbody tr[data-key=\"08:30\"]') \
        && document.querySelector('#hist-bookings dd[data-fact=\"booked\"]').textContent === '2'";
    check(&browser, "dashboard-history", history_drawn).await;
    browser.click("#group-tabs [data-group='clerk']").await;
    check(
        &browser,
        "dashboard-history-by-clerk",
        &format!(
            "{history_drawn} && document.getElementById('hist-table').dataset.group === 'clerk'"
        ),
    )
    .await;

    browser
        .goto(&hall.url("/dashboard/report.html?day=2026-11-25"))
        .await;
    check(
        &browser,
        "dashboard-report",
        "document.body.dataset.state === 'ready'",
    )
    .await;

    // A clerk is turned away.
    browser.goto(&hall.url("/dashboard/")).await;
    browser.click("#logout-btn").await;
    browser
        .wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    sign_in(&browser, "canbo2").await;
    check(
        &browser,
        "dashboard-denied",
        "document.body.dataset.view === 'denied'",
    )
    .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboards_tabs_are_aria_tabs_driven_by_the_arrow_keys() {
    let hall = busy_hall().await;
    let browser = Browser::open(WIDTH, HEIGHT).await;
    browser.goto(&hall.url("/dashboard/")).await;
    browser
        .wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    sign_in(&browser, "lan").await;
    browser
        .wait_for("the dashboard", "document.body.dataset.view === 'dash'")
        .await;
    assert_tabs(&browser, ".tabs", 0).await;
    drive_tabs_by_keyboard(&browser, ".tabs", 4).await;
    // The arrow key shows the History tab's panel, not only its button.
    press(&browser, Key::Right).await;
    browser
        .wait_for(
            "the History panel",
            "document.body.dataset.tab === 'history' && document.body.dataset.hist === 'ready' \
             && document.getElementById('history-view').offsetHeight > 0",
        )
        .await;
    assert_tabs(&browser, ".tabs", 1).await;
    // The table's breakdowns are tabs of one table too.
    assert_tabs(&browser, "#group-tabs", 0).await;
    drive_tabs_by_keyboard(&browser, "#group-tabs", 5).await;
    press(&browser, Key::Right).await;
    browser
        .wait_for(
            "the table by counter",
            "document.getElementById('hist-table').dataset.group === 'counter'",
        )
        .await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_tab_passes_axe_as_proposed_changed_and_closed_in_both_languages() {
    let hall = TestHall::start().await;
    hall.staff("lan", Role::Manager).await;
    let browser = Browser::open(WIDTH, HEIGHT).await;
    browser.goto(&hall.url("/dashboard/")).await;
    browser
        .wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    sign_in(&browser, "lan").await;
    browser.click(".tabs [role='tab'][data-tab='plan']").await;
    let drawn = "document.body.dataset.tab === 'plan' && document.body.dataset.plan === 'ready' \
        && document.body.dataset.planCheck === 'ready' \
        && document.querySelector('#plan-table input[data-field]') \
        && document.getElementById('plan-day').dataset.predicting === 'false'";
    check(&browser, "dashboard-plan", drawn).await;

    // One planned number changed: the day is a draft with its own prediction.
    let input = browser
        .eval(
            "(() => { const i = Array.from(document.querySelectorAll('#plan-table input[data-field]')) \
             .find((e) => Number(e.value) > 0); \
             return `#plan-table input[data-field='${i.dataset.field}'][data-hour='${i.dataset.hour}']|${i.value}`; })()",
        )
        .await;
    let (css, value) = input
        .as_str()
        .and_then(|i| i.split_once('|'))
        .expect("a planned number above zero");
    let fewer = value.parse::<u32>().expect("a number") - 1;
    browser.type_into(css, &fewer.to_string()).await;
    check(
        &browser,
        "dashboard-plan-draft",
        &format!("{drawn} && document.getElementById('plan-day').dataset.state === 'draft'"),
    )
    .await;

    // The days are ARIA tabs of one panel too.
    assert_tabs(&browser, "#plan-days", 0).await;
    drive_tabs_by_keyboard(&browser, "#plan-days", 7).await;

    // A closed day.
    browser
        .click("#plan-days [role='tab'][data-day='2026-11-28']")
        .await;
    check(
        &browser,
        "dashboard-plan-closed",
        "document.getElementById('plan-day').dataset.open === 'false' && document.getElementById('plan-closed')",
    )
    .await;
    browser.close().await;
}

/// A hall reporting to `city` under `code`, with its own name, having served one ticket
/// after `wait` minutes.
async fn reporting_hall(
    city: &TestCity,
    clocks: &[&ManualClock],
    name: &str,
    wait: i64,
) -> (String, TestHall) {
    let (code, secret) = city.register(name);
    let mut settings = Settings::default();
    settings.hall.name = name.to_owned();
    settings.city = city.uplink(&code, &secret);
    let hall = TestHall::start_with_clock(settings, clocks[0].clone()).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    let ticket = kiosk.issue("A", "none").await;
    kiosk.issue("B", "none").await;
    for clock in clocks {
        clock.advance(Duration::minutes(wait));
    }
    clerk.call_next(1).await.expect("a ticket is called");
    for action in ["start", "finish"] {
        let (status, body) = clerk.act(&ticket, action, json!({})).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    let (status, body) = hall
        .anonymous()
        .post(
            "/api/ratings",
            json!({"token": ticket["token"], "level": 5, "comment": "Nhanh gọn"}),
        )
        .await;
    assert_eq!(status, 201, "rating: {body}");
    let (status, body) = hall
        .anonymous()
        .post(
            "/api/bookings",
            json!({"service": "A", "day": "2026-11-25", "window": "09:00", "person": "0912000001", "consent": true}),
        )
        .await;
    assert_eq!(status, 201, "booking: {body}");
    (code, hall)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_page_passes_axe_signed_out_over_two_halls_and_in_one_hall_in_both_languages() {
    let clock = ManualClock::starting_at(opening_time());
    let city = TestCity::start(clock.clone()).await;
    let (kiem, _kiem_hall) = reporting_hall(&city, &[&clock], "UBND phường Hoàn Kiếm", 6).await;
    let (dinh, _dinh_hall) = reporting_hall(&city, &[&clock], "UBND phường Ba Đình", 20).await;
    let manager = city.staff("thanhpho", Role::Manager).await;
    motcua_tests::until("both halls' figures at the city", || {
        let manager = manager.clone();
        let (kiem, dinh) = (kiem.clone(), dinh.clone());
        async move {
            let (_, stats) = manager
                .get("/api/city/stats?from=2026-11-25&to=2026-11-25")
                .await;
            let served = |code: &str| {
                stats["halls"]
                    .as_array()
                    .and_then(|h| h.iter().find(|x| x["code"] == code))
                    .map(|x| x["served"].clone())
            };
            served(&kiem) == Some(json!(1)) && served(&dinh) == Some(json!(1))
        }
    })
    .await;

    let browser = Browser::open(WIDTH, HEIGHT).await;
    browser.goto(&format!("{}/city/", city.base)).await;
    check(
        &browser,
        "city-sign-in",
        "document.body.dataset.view === 'login'",
    )
    .await;
    sign_in(&browser, "thanhpho").await;
    check(
        &browser,
        "city-overview",
        "document.body.dataset.view === 'dash' && document.body.dataset.city === 'ready' \
         && document.querySelectorAll('#halls-table tbody tr[data-code]').length === 2 \
         && document.querySelector('#halls-table tbody td[data-col=\"booked\"]').textContent === '1' \
         && document.querySelector('#chart-halls-within .uplot canvas')",
    )
    .await;
    browser
        .click(&format!("#halls-table tr[data-code='{kiem}'] a.hall-link"))
        .await;
    let hall_drawn = "document.body.dataset.page === 'hall' && document.body.dataset.hall === 'ready' \
        && document.querySelector('#h-chart-hourly .uplot canvas') \
        && document.querySelector('#h-bookings table[data-bookings=\"byWindow\"] tr[data-key=\"09:00\"]')";
    check(&browser, "city-hall", hall_drawn).await;
    assert_tabs(&browser, "#group-tabs", 0).await;
    drive_tabs_by_keyboard(&browser, "#group-tabs", 5).await;
    press(&browser, Key::Right).await;
    browser
        .wait_for(
            "the hall's table by counter",
            "document.getElementById('h-table').dataset.group === 'counter'",
        )
        .await;
    check(
        &browser,
        "city-hall-by-counter",
        &format!("{hall_drawn} && document.getElementById('h-table').dataset.group === 'counter'"),
    )
    .await;
    browser.close().await;
}
