//! The dashboard's "Kế hoạch quầy" tab in a real headless Chromium against the real server:
//! a manager reads a day's plan, changes one field's counters in its busiest hour and sees
//! the prediction move as the server predicts it, saves the plan, finds it again after a
//! reload, goes back to the proposal; a closed day shows as closed; the week prints on its
//! own sheet. Screenshots land in `target/test-artifacts/`.

use chrono::{Duration, TimeZone, Utc};
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_store::clock::ManualClock;
use motcua_tests::browser::{Browser, artifacts_dir};
use motcua_tests::{TestHall, opening_time};
use serde_json::{Value, json};

/// Thursday, the day after the test hall's today (Wednesday 25 November 2026).
const DAY: &str = "2026-11-26";
/// Saturday: the hall is closed at weekends.
const SATURDAY: &str = "2026-11-28";

/// The text of the first element matching a CSS selector, trimmed ("" when absent).
fn text_of(css: &str) -> String {
    let css = css.replace('\\', "\\\\").replace('\'', "\\'");
    format!("(document.querySelector('{css}')?.textContent ?? '').trim()")
}

/// A share as the page writes it ("64%", "100%") back to whole percent points.
fn points(text: &Value) -> i64 {
    let digits: String = text
        .as_str()
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("a share in percent: {text}"))
}

/// A share from the API in whole percent points, as the page rounds it.
fn api_points(share: &Value) -> i64 {
    (share.as_f64().expect("a share") * 100.0).round() as i64
}

/// The day's predicted share within target over every field, weighted by arrivals.
fn day_share(day: &Value) -> f64 {
    let (mut within, mut arrived) = (0.0, 0.0);
    for field in day["fields"].as_array().expect("fields") {
        let p = &field["predicted_day"];
        if let Some(share) = p["within"].as_f64() {
            let n = p["arrived"].as_f64().unwrap_or_default();
            within += share * n;
            arrived += n;
        }
    }
    within / arrived
}

/// The day `day` of an answer of `GET /api/plan`.
fn day_in(week: &Value, day: &str) -> Value {
    week["days"]
        .as_array()
        .expect("days")
        .iter()
        .find(|d| d["day"] == day)
        .cloned()
        .unwrap_or_else(|| panic!("{day} is in the week: {week}"))
}

/// Field `code` of a day plan.
fn field_in<'a>(day: &'a Value, code: &str) -> &'a Value {
    day["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("field {code} in {day}"))
}

/// The counters in force on a day: the saved plan's, else the proposal.
fn in_force(day: &Value) -> Value {
    if day["in_force"] == "plan" && !day["plan"].is_null() {
        day["plan"]["counters"].clone()
    } else {
        day["proposal"].clone()
    }
}

/// Counters serving `code` in the hour `at` of `counters` (a shared counter counts for
/// each of its fields).
fn serving(counters: &Value, at: usize, code: &str) -> usize {
    counters[at]
        .as_array()
        .expect("an hour")
        .iter()
        .filter(|c| c.as_array().is_some_and(|c| c.iter().any(|f| f == code)))
        .count()
}

/// `counters` with one of `code`'s own counters closed in the hour `at`.
fn one_fewer(counters: &Value, at: usize, code: &str) -> Value {
    let mut fewer = counters.clone();
    let hour = fewer[at].as_array_mut().expect("an hour");
    let own = hour
        .iter()
        .rposition(|c| c == &json!([code]))
        .expect("a counter of the field's own");
    hour.remove(own);
    fewer
}

/// The first page's size in points, from the PDF's `/MediaBox [0 0 w h]`.
fn media_box(pdf: &[u8]) -> (f64, f64) {
    let text = String::from_utf8_lossy(pdf);
    let at = text.find("/MediaBox").expect("a page size in the PDF");
    let numbers: Vec<f64> = text[at + "/MediaBox".len()..]
        .trim_start()
        .trim_start_matches('[')
        .split(']')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(numbers.len(), 4, "a media box: {numbers:?}");
    (numbers[2] - numbers[0], numbers[3] - numbers[1])
}

async fn sign_in_to_the_plan(browser: &Browser, hall: &TestHall) {
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
    browser.click(".tabs [role='tab'][data-tab='plan']").await;
    browser
        .wait_for("the week's plan", "document.body.dataset.plan === 'ready'")
        .await;
}

/// The demo hall a week after a Thursday (19 November 2026) whose 9 o'clock brought 24
/// citizens to field A and 6 to B, on Wednesday 25 November at 08:00: the planner's
/// Thursday has one busiest hour.
async fn hall_with_a_busy_thursday() -> TestHall {
    let thursday = Utc
        .with_ymd_and_hms(2026, 11, 19, 2, 0, 0)
        .single()
        .expect("09:00 in Hanoi");
    let hall =
        TestHall::start_with_clock(Settings::default(), ManualClock::starting_at(thursday)).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    for i in 0..24 {
        kiosk.issue("A", "none").await;
        if i % 4 == 0 {
            kiosk.issue("B", "none").await;
        }
        hall.clock.advance(Duration::seconds(150));
    }
    hall.clock.set(opening_time());
    hall
}

/// Wait until the day shown is `day` in `state` (`proposal`, `plan`, `draft`) with no
/// prediction pending.
async fn wait_for_day(browser: &Browser, day: &str, state: &str) {
    browser
        .wait_for(
            &format!("{day} as {state}"),
            &format!(
                "(function(p){{ return p.dataset.day === '{day}' && p.dataset.state === '{state}' \
                 && p.dataset.predicting === 'false'; }})(document.getElementById('plan-day'))"
            ),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_changes_the_busiest_hour_sees_the_prediction_move_saves_and_goes_back_to_the_proposal()
 {
    let hall = hall_with_a_busy_thursday().await;
    let manager = hall.staff("lan", Role::Manager).await;

    // What the planner says of the day, asked as the page asks it.
    let (status, week) = manager.get("/api/plan").await;
    assert_eq!(status, 200, "the week's plan: {week}");
    let day = day_in(&week, DAY);
    assert_eq!(day["open"], true, "{DAY} is a working day");
    let first_hour = day["first_hour"].as_u64().expect("first hour") as usize;
    let counters = in_force(&day);
    // The busiest field and hour where that field has a counter of its own to close.
    let (code, at) = day["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .flat_map(|f| {
            let code = f["code"].as_str().expect("code").to_owned();
            let arrivals: Vec<f64> = f["arrivals"]
                .as_array()
                .expect("arrivals")
                .iter()
                .map(|a| a.as_f64().unwrap_or_default())
                .collect();
            arrivals
                .into_iter()
                .enumerate()
                .map(move |(i, a)| (code.clone(), i, a))
        })
        .filter(|(code, i, _)| {
            counters[*i]
                .as_array()
                .is_some_and(|h| h.iter().any(|c| c == &json!([code])))
        })
        .max_by(|a, b| a.2.total_cmp(&b.2))
        .map(|(code, i, _)| (code, i))
        .expect("a field with a counter of its own");
    let clock = first_hour + at;
    let planned = serving(&counters, at, &code);
    let fewer = one_fewer(&counters, at, &code);

    let browser = Browser::open(1920, 1080).await;
    sign_in_to_the_plan(&browser, &hall).await;
    browser
        .click(&format!("#plan-days [role='tab'][data-day='{DAY}']"))
        .await;
    wait_for_day(&browser, DAY, "proposal").await;
    let input = format!("#plan-table input[data-field='{code}'][data-hour='{clock}']");
    let cell = format!(
        "#plan-table tbody[data-field='{code}'] tr[data-row='within'] td[data-hour='{clock}']"
    );
    assert_eq!(
        browser
            .eval(&format!("document.querySelector(\"{input}\").value"))
            .await,
        planned.to_string(),
        "the hour's planned counters are the proposal's"
    );
    let before = points(&browser.eval(&text_of(&cell)).await);
    let day_before = points(&browser.eval(&text_of("#plan-day-within")).await);
    assert_eq!(
        before,
        api_points(&field_in(&day, &code)["predicted"][at]["within"]),
        "the hour's predicted share is the server's"
    );

    // One counter fewer in the busiest hour: the share called within target drops, to what
    // the server predicts for exactly those counters.
    browser.type_into(&input, &(planned - 1).to_string()).await;
    wait_for_day(&browser, DAY, "draft").await;
    let (status, predicted) = manager
        .post("/api/plan/predict", json!({"day": DAY, "counters": fewer}))
        .await;
    assert_eq!(status, 200, "predict: {predicted}");
    let expected = api_points(&field_in(&predicted, &code)["predicted"][at]["within"]);
    browser
        .wait_for(
            "the hour's new prediction",
            &format!("{}.replace(/\\D/g, '') === '{expected}'", text_of(&cell)),
        )
        .await;
    assert!(
        expected < before,
        "one counter fewer at {clock}:00 in {code}: {before}% → {expected}%"
    );
    let day_after = points(&browser.eval(&text_of("#plan-day-within")).await);
    assert_eq!(
        day_after,
        (day_share(&predicted) * 100.0).round() as i64,
        "the day's figure is the server's prediction for the changed plan"
    );
    assert!(day_after <= day_before, "{day_before}% → {day_after}%");
    assert_eq!(
        browser
            .eval("document.querySelector('#plan-days [data-day=\"2026-11-26\"]').dataset.state")
            .await,
        "draft",
        "the day's button says it has changes not saved"
    );
    browser.screenshot("plan-draft-1920x1080").await;

    // The counter back: the day is the proposal again, its share up as before.
    browser.type_into(&input, &planned.to_string()).await;
    wait_for_day(&browser, DAY, "proposal").await;
    assert_eq!(
        points(&browser.eval(&text_of(&cell)).await),
        before,
        "the proposal's prediction"
    );

    // Fewer again, and saved: the server keeps exactly those counters.
    browser.type_into(&input, &(planned - 1).to_string()).await;
    browser
        .wait_for(
            "the hour's new prediction again",
            &format!("{}.replace(/\\D/g, '') === '{expected}'", text_of(&cell)),
        )
        .await;
    browser
        .click("#plan-day button[data-action='plan-save']")
        .await;
    wait_for_day(&browser, DAY, "plan").await;
    let (_, week) = manager.get("/api/plan").await;
    let saved = day_in(&week, DAY);
    assert_eq!(saved["in_force"], "plan");
    assert_eq!(saved["plan"]["counters"], fewer, "the counters saved");
    assert_eq!(saved["plan"]["by"], "lan");

    // After a reload (the address names the tab and the day) the saved plan is what the
    // page shows.
    browser
        .eval("document.body.dataset.before = 'reload'")
        .await;
    browser.client.refresh().await.expect("reload");
    browser
        .wait_for(
            "the week's plan, reloaded",
            "document.body.dataset.before === undefined && document.body.dataset.plan === 'ready'",
        )
        .await;
    assert_eq!(
        browser.eval("location.hash").await,
        format!("#plan/{DAY}").as_str()
    );
    assert_eq!(
        browser.eval(&text_of("#plan-message")).await,
        "",
        "nothing said yet on a fresh page"
    );
    wait_for_day(&browser, DAY, "plan").await;
    assert_eq!(
        browser
            .eval(&format!("document.querySelector(\"{input}\").value"))
            .await,
        (planned - 1).to_string()
    );
    assert_eq!(
        points(&browser.eval(&text_of(&cell)).await),
        expected,
        "the saved plan's prediction"
    );
    let said = browser.eval(&text_of("#plan-state")).await;
    assert!(
        said.as_str()
            .is_some_and(|s| s.contains("Kế hoạch đã lưu") && s.contains("lan")),
        "{said}"
    );
    browser.screenshot("plan-saved-1920x1080").await;

    // Back to the proposal: the stored plan is gone, the proposal's number is back.
    browser
        .click("#plan-day button[data-action='plan-reset']")
        .await;
    wait_for_day(&browser, DAY, "proposal").await;
    assert_eq!(
        browser
            .eval(&format!("document.querySelector(\"{input}\").value"))
            .await,
        planned.to_string()
    );
    assert_eq!(points(&browser.eval(&text_of(&cell)).await), before);
    let (_, week) = manager.get("/api/plan").await;
    let day_now = day_in(&week, DAY);
    assert!(
        day_now["plan"].is_null(),
        "no plan stored: {}",
        day_now["plan"]
    );

    // Planned and actual: last Thursday's 30 citizens (24 in A), as the check counts them,
    // beside what the planner would have predicted; one field at a time too.
    let (status, check) = manager.get("/api/plan/check").await;
    assert_eq!(status, 200, "the check: {check}");
    let thursday = check["days"]
        .as_array()
        .expect("days")
        .iter()
        .find(|d| d["day"] == "2026-11-19")
        .cloned()
        .unwrap_or_else(|| panic!("last Thursday is checked: {check}"));
    let actual = |code: &str| {
        thursday["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .filter(|f| code.is_empty() || f["code"] == code)
            .map(|f| f["actual_arrivals"].as_u64().unwrap_or_default())
            .sum::<u64>()
    };
    assert_eq!((actual(""), actual("A")), (30, 24), "{thursday}");
    let row = "#plan-check-table tbody tr[data-day='2026-11-19']";
    assert_eq!(
        browser
            .eval(&text_of(&format!("{row} td[data-col='actualArrivals']")))
            .await,
        "30"
    );
    if let Some(share) = thursday["actual_within"].as_f64() {
        assert_eq!(
            points(
                &browser
                    .eval(&text_of(&format!("{row} td[data-col='actualWithin']")))
                    .await
            ),
            (share * 100.0).round() as i64
        );
    }
    browser
        .eval(
            "(() => { const s = document.getElementById('plan-check-field'); s.value = 'A'; \
             s.dispatchEvent(new Event('change')); return true; })()",
        )
        .await;
    browser
        .wait_for(
            "field A's row",
            &format!(
                "{} === '24'",
                text_of(&format!("{row} td[data-col='actualArrivals']"))
            ),
        )
        .await;
    // The accuracy line: over the field-days both predicted and counted, or, with none,
    // that there is nothing to compare yet.
    let accuracy = browser.eval(&text_of("#plan-accuracy")).await;
    let accuracy = accuracy.as_str().unwrap_or_default();
    match check["accuracy"]["field_days"].as_u64() {
        Some(0) | None => assert!(
            accuracy.starts_with("Chưa có ngày nào để so sánh"),
            "{accuracy}"
        ),
        Some(n) => assert!(
            accuracy.contains(&format!("trên {n} ngày-lĩnh vực")),
            "{accuracy}"
        ),
    }
    browser
        .eval("document.querySelector('.plan-check').scrollIntoView()")
        .await;
    browser.screenshot("plan-check-1920x1080").await;

    // The exports ask for the week shown, and answer.
    for (link, path) in [
        ("plan-csv", "/api/plan.csv"),
        ("plan-xlsx", "/api/plan.xlsx"),
    ] {
        let href = browser
            .eval(&format!(
                "document.getElementById('{link}').getAttribute('href')"
            ))
            .await;
        let expected = format!("{path}?from=2026-11-25&days=7");
        assert_eq!(href, expected.as_str());
        let (status, _, bytes) = manager.get_bytes(&expected).await;
        assert_eq!(status, 200, "{expected}");
        assert!(!bytes.is_empty(), "{expected} is not empty");
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_day_shows_as_closed_and_the_week_prints_on_a_sheet_of_its_own() {
    let hall = TestHall::start().await;
    hall.staff("lan", Role::Manager).await;
    let browser = Browser::open(1920, 1080).await;
    sign_in_to_the_plan(&browser, &hall).await;

    // Saturday: closed, said with the calendar's reason, and nothing to plan.
    browser
        .click(&format!("#plan-days [role='tab'][data-day='{SATURDAY}']"))
        .await;
    browser
        .wait_for(
            "Saturday",
            &format!(
                "document.getElementById('plan-day').dataset.day === '{SATURDAY}' \
                 && document.getElementById('plan-day').dataset.open === 'false'"
            ),
        )
        .await;
    let closed = browser.eval(&text_of("#plan-closed")).await;
    assert!(
        closed
            .as_str()
            .is_some_and(|c| c.contains("Ngày nghỉ cuối tuần")),
        "{closed}"
    );
    assert_eq!(
        browser
            .eval("document.querySelectorAll('#plan-day input').length")
            .await,
        0,
        "nothing to plan on a closed day"
    );
    assert_eq!(
        browser
            .eval(&text_of(&format!(
                "#plan-days [data-day='{SATURDAY}'] .plan-tab-mark"
            )))
            .await,
        "Nghỉ"
    );

    // Printed from the tab: the week on its own sheet, the dashboard's bar and tabs left out.
    browser.emulate_media("print").await;
    browser
        .wait_for(
            "the print layout",
            "getComputedStyle(document.getElementById('plan-print')).display === 'block'",
        )
        .await;
    assert_eq!(
        browser
            .eval("getComputedStyle(document.querySelector('header.bar')).display")
            .await,
        "none"
    );
    assert_eq!(
        browser
            .eval("getComputedStyle(document.querySelector('main')).display")
            .await,
        "none"
    );
    assert_eq!(
        browser
            .eval("document.querySelectorAll('#plan-print .print-day').length")
            .await,
        7,
        "the week's seven days"
    );
    assert_eq!(
        browser
            .eval(&format!(
                "document.querySelector('#plan-print .print-day[data-day=\"{SATURDAY}\"]').classList.contains('closed')"
            ))
            .await,
        true
    );
    assert!(
        browser
            .eval(&format!(
                "document.querySelectorAll('#plan-print .print-day[data-day=\"{DAY}\"] tbody tr[data-field]').length"
            ))
            .await
            .as_u64()
            .is_some_and(|n| n > 0),
        "the working day's fields are printed"
    );
    browser.screenshot("plan-print").await;
    // On paper: A4 landscape (842 x 595 points), from the tab's own page rule.
    let pdf = browser
        .client
        .print(
            fantoccini::wd::PrintConfiguration::builder()
                .build()
                .expect("a print configuration"),
        )
        .await
        .expect("the page prints");
    std::fs::write(artifacts_dir().join("plan-print.pdf"), &pdf).expect("keep the PDF");
    let (width, height) = media_box(&pdf);
    assert!(
        (width - 842.0).abs() < 2.0 && (height - 595.0).abs() < 2.0,
        "the week prints on A4 landscape: {width} x {height} points"
    );
    browser.emulate_media("").await;
    browser
        .wait_for(
            "the screen layout again",
            "getComputedStyle(document.getElementById('plan-print')).display === 'none'",
        )
        .await;
    browser.close().await;
}

/// `rebuildHour` of the page's own module, run in the browser on `before` and `numbers`.
async fn rebuilt(browser: &Browser, before: Value, numbers: Value) -> Value {
    browser
        .client
        .execute_async(
            "const [before, numbers, done] = arguments; \
             import('/dashboard/plan.js') \
               .then((m) => done(m.rebuildHour(before, numbers, ['A', 'B', 'C', 'D']))) \
               .catch((e) => done(`failed: ${e}`));",
            vec![before, numbers],
        )
        .await
        .expect("the module runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planned_numbers_become_counters_keeping_shared_ones_while_their_fields_still_have_them() {
    let hall = TestHall::start().await;
    let browser = Browser::open(800, 600).await;
    browser.goto(&hall.url("/dashboard/")).await;
    let hour = json!([["C", "D"], ["A"], ["A"], ["B"]]);

    // One more for A: a counter of its own; the shared counter stays.
    assert_eq!(
        rebuilt(
            &browser,
            hour.clone(),
            json!({"A": 3, "B": 1, "C": 1, "D": 1})
        )
        .await,
        json!([["C", "D"], ["A"], ["A"], ["A"], ["B"]])
    );
    // D up to two: the shared counter and one of its own.
    assert_eq!(
        rebuilt(
            &browser,
            hour.clone(),
            json!({"A": 2, "B": 1, "C": 1, "D": 2})
        )
        .await,
        json!([["C", "D"], ["A"], ["A"], ["B"], ["D"]])
    );
    // C down to none: the shared counter goes, and D, still set to one, gets its own.
    assert_eq!(
        rebuilt(
            &browser,
            hour.clone(),
            json!({"A": 2, "B": 1, "C": 0, "D": 1})
        )
        .await,
        json!([["A"], ["A"], ["B"], ["D"]])
    );
    // Nothing changed: the same counters.
    assert_eq!(
        rebuilt(
            &browser,
            hour.clone(),
            json!({"A": 2, "B": 1, "C": 1, "D": 1})
        )
        .await,
        hour
    );
    browser.close().await;
}
