//! One kiosk token or one clerk must not be able to close the hall for the day: issuing is
//! limited per kiosk and per member of staff (priority tickets more tightly), a refusal is
//! a 429 that loses nothing, the manager's dashboard shows who tripped the limit, and a
//! manager cancels a flood's waiting tickets in bulk. The hall runs with its default
//! limits (`TestHall::start_limited`); time passes on the test's clock, never by sleeping.

use chrono::Duration;
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_hall::http::issuing_limits::LimitSettings;
use motcua_store as store;
use motcua_tests::browser::Browser;
use motcua_tests::{Client, TestHall, error_code, next_json};
use serde_json::{Value, json};

/// A kiosk's request for a ticket, answered with its status, `Retry-After` and body.
async fn ask(
    hall: &TestHall,
    token: &str,
    service: &str,
    priority: &str,
) -> (u16, Option<u64>, Value) {
    let resp = reqwest::Client::new()
        .post(hall.url("/api/tickets"))
        .bearer_auth(token)
        .json(&json!({"service": service, "priority": priority}))
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    let retry = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry, resp.json().await.expect("a JSON body"))
}

/// Today's tickets as staff see them: (code, status), in issue order.
async fn tickets(manager: &Client) -> Vec<(String, String)> {
    let (status, body) = manager.get("/api/tickets").await;
    assert_eq!(status, 200, "{body}");
    body["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .map(|t| {
            (
                t["code"].as_str().expect("code").to_owned(),
                t["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

fn assert_refused_for_rate(context: &str, status: u16, body: &Value) {
    assert_eq!(status, 429, "{context}: {body}");
    assert_eq!(error_code(body), "issue_rate_exceeded", "{context}: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{context}: the error says why: {body}"
    );
}

#[tokio::test]
async fn a_kiosk_past_its_rate_gets_429_with_retry_after_and_loses_nothing_it_issued() {
    let hall = TestHall::start_limited(Settings::default()).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    let flooding = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let other = hall.device_token("kiosk-2", DeviceKind::Kiosk);

    // A burst of ten, as a queue at opening time would take.
    for i in 0..10 {
        let (status, _, body) = ask(&hall, &flooding, "A", "none").await;
        assert_eq!(status, 201, "ticket {i} of the burst: {body}");
    }
    let before = tickets(&manager).await;
    assert_eq!(before.len(), 10);

    let (status, retry, body) = ask(&hall, &flooding, "A", "none").await;
    assert_refused_for_rate("the eleventh at once", status, &body);
    let retry = retry.expect("a Retry-After header");
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    // Nothing written, nothing lost: the same ten tickets, still waiting.
    assert_eq!(tickets(&manager).await, before);
    assert!(before.iter().all(|(_, s)| s == "waiting"), "{before:?}");

    // Another kiosk is not affected.
    let (status, _, body) = ask(&hall, &other, "A", "none").await;
    assert_eq!(status, 201, "another kiosk: {body}");

    // Once the time it was told has passed, the kiosk issues again.
    hall.clock.advance(Duration::seconds(retry as i64));
    let (status, _, body) = ask(&hall, &flooding, "A", "none").await;
    assert_eq!(status, 201, "after Retry-After: {body}");
    assert_eq!(tickets(&manager).await.len(), 12);
}

#[tokio::test]
async fn a_kiosk_retrying_a_request_it_already_got_a_ticket_for_is_never_refused() {
    let hall = TestHall::start_limited(Settings::default()).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let mut first = None;
    for i in 0..10 {
        let (status, body) = kiosk
            .post(
                "/api/tickets",
                json!({"service": "B", "request_id": format!("req-{i}")}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        first.get_or_insert(body);
    }
    let (status, body) = kiosk
        .post(
            "/api/tickets",
            json!({"service": "B", "request_id": "req-10"}),
        )
        .await;
    assert_refused_for_rate("a new request past the burst", status, &body);
    // The answer to req-0 was lost: asked again, the kiosk gets the same ticket.
    let (status, again) = kiosk
        .post(
            "/api/tickets",
            json!({"service": "B", "request_id": "req-0"}),
        )
        .await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["code"], first.expect("the first")["code"]);
    // Only the new request counts as refused.
    let manager = hall.staff("quanly", Role::Manager).await;
    let shown = alerts(&manager).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0]["refused"], 1, "{shown:?}");
}

#[tokio::test]
async fn a_clerk_past_the_rate_gets_429_and_other_clerks_still_issue() {
    let hall = TestHall::start_limited(Settings::default()).await;
    let clerk = hall.clerk_at("lan", 1).await;
    let colleague = hall.clerk_at("minh", 2).await;
    for _ in 0..10 {
        clerk.issue("D", "none").await;
    }
    let (status, body) = clerk.post("/api/tickets", json!({"service": "D"})).await;
    assert_refused_for_rate("a clerk's eleventh at once", status, &body);
    colleague.issue("D", "none").await;
    hall.clock.advance(Duration::seconds(6));
    clerk.issue("D", "none").await;
}

#[tokio::test]
async fn priority_tickets_have_a_smaller_allowance_than_normal_ones() {
    let hall = TestHall::start_limited(Settings::default()).await;
    let kiosk = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    for _ in 0..4 {
        let (status, _, body) = ask(&hall, &kiosk, "C", "elderly").await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, retry, body) = ask(&hall, &kiosk, "C", "pregnant").await;
    assert_refused_for_rate("a fifth priority ticket at once", status, &body);
    assert_eq!(retry, Some(30), "one priority ticket every 30 s");
    // A normal ticket is still within its own allowance.
    let (status, _, body) = ask(&hall, &kiosk, "C", "none").await;
    assert_eq!(status, 201, "{body}");
}

/// The alerts the dashboard's Now tab shows.
async fn alerts(manager: &Client) -> Vec<Value> {
    let (status, now) = manager.get("/api/stats/now").await;
    assert_eq!(status, 200, "{now}");
    now["issuing_alerts"]
        .as_array()
        .expect("issuing_alerts")
        .clone()
}

/// `motcua_issue_rate_refused_total{issuer,limit}` as `/metrics` says.
async fn refused_total(hall: &TestHall, issuer: &str, limit: &str) -> u64 {
    let (status, _, body) = hall.anonymous().get_bytes("/metrics").await;
    assert_eq!(status, 200);
    let text = String::from_utf8(body).expect("text");
    let prefix =
        format!("motcua_issue_rate_refused_total{{issuer=\"{issuer}\",limit=\"{limit}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {prefix} in:\n{text}"))
}

#[tokio::test]
async fn the_dashboard_shows_which_kiosk_tripped_the_limit_until_a_manager_acknowledges_it() {
    let hall = TestHall::start_limited(Settings::default()).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    let kiosk = hall.device_token("kiosk-cong-chinh", DeviceKind::Kiosk);
    assert!(alerts(&manager).await.is_empty());
    for _ in 0..10 {
        ask(&hall, &kiosk, "A", "none").await;
    }
    for _ in 0..3 {
        let (status, _, body) = ask(&hall, &kiosk, "A", "none").await;
        assert_refused_for_rate("past the burst", status, &body);
    }
    let shown = alerts(&manager).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    let alert = &shown[0];
    assert_eq!(alert["issuer"], "kiosk");
    assert_eq!(alert["name"], "kiosk-cong-chinh");
    assert_eq!(alert["refused"], 3);
    assert!(
        alert["first_refused_at"]
            .as_str()
            .is_some_and(|t| t.contains("08:00")),
        "{alert}"
    );
    assert_eq!(refused_total(&hall, "kiosk", "all").await, 3);

    // A clerk may not acknowledge it; the manager does, and it leaves the dashboard.
    let id = alert["id"].as_str().expect("id");
    let clerk = hall.staff("lan", Role::Clerk).await;
    let (status, body) = clerk
        .post(&format!("/api/issuing-alerts/{id}/acknowledge"), json!({}))
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = manager
        .post(&format!("/api/issuing-alerts/{id}/acknowledge"), json!({}))
        .await;
    assert_eq!(status, 204, "{body}");
    assert!(alerts(&manager).await.is_empty());

    // Tripped again later: a new alert, counting from one.
    hall.clock.advance(Duration::minutes(5));
    for _ in 0..11 {
        ask(&hall, &kiosk, "A", "none").await;
    }
    let shown = alerts(&manager).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0]["refused"], 1);
    assert!(
        shown[0]["first_refused_at"]
            .as_str()
            .is_some_and(|t| t.contains("08:05"))
    );
    assert_eq!(refused_total(&hall, "kiosk", "all").await, 4);

    // The next day starts clean (the manager's session did not last the night).
    hall.clock.advance(Duration::days(1));
    let manager = hall.sign_in("quanly").await;
    assert!(alerts(&manager).await.is_empty());
}

/// The cancellation events of the log: (ticket id, user, data).
fn cancellations(hall: &TestHall) -> Vec<(i64, Option<i64>, Value)> {
    let conn = store::open_for_admin(hall.data_dir()).expect("db");
    let mut stmt = conn
        .prepare(
            "SELECT ticket_id, user_id, data FROM events WHERE kind = 'cancelled' ORDER BY seq",
        )
        .expect("query");
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            serde_json::from_str(&r.get::<_, String>(2)?).unwrap_or(Value::Null),
        ))
    })
    .expect("rows")
    .collect::<Result<_, _>>()
    .expect("rows")
}

#[tokio::test]
async fn a_manager_cancels_in_bulk_only_the_waiting_tickets_of_one_kiosk() {
    let hall = TestHall::start_limited(Settings::default()).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    let stolen = hall.device("kiosk-1", DeviceKind::Kiosk);
    let honest = hall.device("kiosk-2", DeviceKind::Kiosk);
    let mut flood = Vec::new();
    for _ in 0..5 {
        flood.push(stolen.issue("A", "none").await);
    }
    let citizens = [
        honest.issue("A", "none").await,
        honest.issue("D", "none").await,
    ];
    // The clerk has called the first of the flood and is serving it.
    let clerk = hall.clerk_at("lan", 1).await;
    let serving = clerk.call_next(1).await.expect("a ticket");
    assert_eq!(serving["code"], flood[0]["code"]);
    let (status, body) = clerk.act(&serving, "start", json!({})).await;
    assert_eq!(status, 200, "{body}");
    // A phone follows one of the flood's tickets.
    let token = flood[4]["token"].as_str().expect("token");
    let (mut phone, _) = hall.feed(&format!("/ws/tickets/{token}")).await;

    // A clerk may not; nothing changes.
    let ask = json!({"kiosk": "kiosk-1", "reason": "mã ki-ốt bị lộ"});
    let (status, body) = clerk.post("/api/bulk-cancellations", ask.clone()).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(error_code(&body), "forbidden");

    // The confirmation's count first: nothing cancelled by it.
    let mut dry = ask.clone();
    dry["dry_run"] = json!(true);
    let (status, body) = manager.post("/api/bulk-cancellations", dry).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["count"], 4);
    assert!(cancellations(&hall).is_empty());

    let (status, body) = manager.post("/api/bulk-cancellations", ask).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["count"], 4, "{body}");
    let waiting_flood: Vec<&Value> = flood[1..].iter().map(|t| &t["code"]).collect();
    assert_eq!(
        body["codes"]
            .as_array()
            .expect("codes")
            .iter()
            .collect::<Vec<_>>(),
        waiting_flood
    );

    // The phone sees the tickets ahead of it go, then its own cancelled.
    loop {
        let update = next_json(&mut phone).await;
        assert_eq!(update["kind"], "cancelled", "{update}");
        if update["ticket"]["status"] == "cancelled" {
            break;
        }
    }

    // Exactly those: the serving one and the other kiosk's are untouched.
    let now: std::collections::BTreeMap<String, String> =
        tickets(&manager).await.into_iter().collect();
    for t in &flood[1..] {
        assert_eq!(now[t["code"].as_str().expect("code")], "cancelled");
    }
    assert_eq!(now[flood[0]["code"].as_str().expect("code")], "serving");
    for t in &citizens {
        assert_eq!(now[t["code"].as_str().expect("code")], "waiting");
    }

    // Each is the usual cancellation event, with the manager and the reason.
    let manager_id: Option<i64> = store::open_for_admin(hall.data_dir())
        .expect("db")
        .query_row("SELECT id FROM users WHERE name = 'quanly'", [], |r| {
            r.get(0)
        })
        .ok();
    assert!(manager_id.is_some());
    let events = cancellations(&hall);
    assert_eq!(events.len(), 4, "{events:?}");
    for ((ticket, user, data), t) in events.iter().zip(&flood[1..]) {
        assert_eq!(Some(*ticket), t["id"].as_i64());
        assert_eq!(*user, manager_id, "{data}");
        assert_eq!(data["from"], "waiting");
        assert_eq!(data["note"], "bulk: mã ki-ốt bị lộ");
    }

    // Asked again: nothing left to cancel.
    let (status, body) = manager
        .post(
            "/api/bulk-cancellations",
            json!({"kiosk": "kiosk-1", "reason": "again"}),
        )
        .await;
    assert_eq!((status, body["count"].clone()), (200, json!(0)), "{body}");
}

#[tokio::test]
async fn a_bulk_cancellation_by_time_range_takes_only_what_was_issued_then_in_that_field() {
    let hall = TestHall::start_limited(Settings::default()).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let early = kiosk.issue("A", "none").await; // 08:00
    hall.clock.advance(Duration::minutes(10));
    let in_range = kiosk.issue("A", "elderly").await; // 08:10
    let other_field = kiosk.issue("B", "none").await; // 08:10
    hall.clock.advance(Duration::minutes(10));
    let late = kiosk.issue("A", "none").await; // 08:20

    let (status, body) = manager
        .post(
            "/api/bulk-cancellations",
            json!({"from": "08:05", "to": "08:15", "service": "A", "reason": "đợt phát số lỗi"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["codes"], json!([in_range["code"]]), "{body}");
    let now: std::collections::BTreeMap<String, String> =
        tickets(&manager).await.into_iter().collect();
    for (t, want) in [
        (&early, "waiting"),
        (&in_range, "cancelled"),
        (&other_field, "waiting"),
        (&late, "waiting"),
    ] {
        assert_eq!(
            now[t["code"].as_str().expect("code")],
            want,
            "{}",
            t["code"]
        );
    }

    // Bad requests say what is wrong.
    for (ask, code) in [
        (json!({"from": "08:00"}), "missing_reason"),
        (json!({"reason": "x"}), "missing_selection"),
        (json!({"from": "8h", "reason": "x"}), "bad_time"),
        (
            json!({"from": "09:00", "to": "08:00", "reason": "x"}),
            "bad_range",
        ),
        (
            json!({"from": "08:00", "service": "Z", "reason": "x"}),
            "unknown_service",
        ),
        (
            json!({"from": "08:00", "reason": "x".repeat(201)}),
            "reason_too_long",
        ),
    ] {
        let (status, body) = manager.post("/api/bulk-cancellations", ask.clone()).await;
        assert_eq!((status, error_code(&body)), (422, code), "{ask}: {body}");
    }
    let (status, body) = manager
        .post(
            "/api/bulk-cancellations",
            json!({"kiosk": "nobody", "reason": "x"}),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "device_not_found"),
        "{body}"
    );
}

#[tokio::test]
async fn cancelling_hundreds_at_once_sends_the_hall_display_a_fresh_snapshot() {
    let settings = Settings {
        limits: LimitSettings::off(),
        ..Settings::default()
    };
    let hall = TestHall::start_limited(settings).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    for _ in 0..150 {
        kiosk.issue("E", "none").await;
    }
    let (mut display, snapshot) = hall.feed("/ws/hall").await;
    let waiting_e = |frame: &Value| {
        frame["services"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["code"] == "E"))
            .map(|s| s["waiting"].clone())
    };
    assert_eq!(waiting_e(&snapshot), Some(json!(150)));
    let (status, body) = manager
        .post(
            "/api/bulk-cancellations",
            json!({"kiosk": "kiosk-1", "reason": "flood"}),
        )
        .await;
    assert_eq!((status, body["count"].clone()), (200, json!(150)), "{body}");
    let next = next_json(&mut display).await;
    assert_eq!(next["type"], "snapshot", "{next}");
    assert_eq!(waiting_e(&next), Some(json!(0)), "{next}");
    assert_eq!(cancellations(&hall).len(), 150);
}

#[tokio::test]
async fn one_token_trying_thousands_of_priority_tickets_leaves_the_series_to_everyone_else() {
    // Field A numbered 1 to 300: the flood below would use it all on an unlimited hall.
    let mut settings = Settings::default();
    settings.services[0].last = 300;
    let hall = TestHall::start_limited(settings).await;
    let flood = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let mut asks = Vec::new();
    for _ in 0..20 {
        let (hall_url, flood) = (hall.url("/api/tickets"), flood.clone());
        asks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut answers = Vec::new();
            for _ in 0..100 {
                let resp = http
                    .post(&hall_url)
                    .bearer_auth(&flood)
                    .json(&json!({"service": "A", "priority": "war_invalid"}))
                    .send()
                    .await
                    .expect("request");
                answers.push(resp.status().as_u16());
            }
            answers
        }));
    }
    let mut issued = 0;
    let mut refused = 0;
    for ask in asks {
        for status in ask.await.expect("task") {
            match status {
                201 => issued += 1,
                429 => refused += 1,
                other => panic!("the flood got {other}"),
            }
        }
    }
    assert_eq!(
        (issued, refused),
        (4, 1_996),
        "a priority burst, then refusals"
    );

    // Every citizen still gets a number, at another kiosk and at a counter.
    let kiosk = hall.device("kiosk-2", DeviceKind::Kiosk);
    for priority in ["none", "elderly"] {
        let ticket = kiosk.issue("A", priority).await;
        assert!(ticket["code"].as_str().is_some_and(|c| c.starts_with('A')));
    }
    hall.clerk_at("lan", 1).await.issue("A", "none").await;
}

/// The text of the first element matching a CSS selector, trimmed ("" when absent).
fn text_of(css: &str) -> String {
    let css = css.replace('\\', "\\\\").replace('\'', "\\'");
    format!("(document.querySelector('{css}')?.textContent ?? '').trim()")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_asks_the_citizen_to_wait_in_both_languages_when_it_issues_too_fast() {
    let hall = TestHall::start_limited(Settings::default()).await;
    let _clerk = hall.clerk_at("lan", 1).await; // field A is served
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    for _ in 0..10 {
        let (status, _, body) = ask(&hall, &token, "A", "none").await;
        assert_eq!(status, 201, "{body}");
    }
    let kiosk = Browser::open(1080, 1920).await;
    kiosk
        .goto(&hall.url(&format!("/kiosk/?token={token}")))
        .await;
    kiosk
        .wait_for(
            "the start screen",
            "document.body.dataset.screen === 'start'",
        )
        .await;
    kiosk.click("button[data-field='A']").await;
    // A regular number: two taps, no confirming.
    kiosk.click("button[data-priority='none']").await;
    let said = kiosk
        .wait_for(
            "the message",
            &format!("{} || null", text_of("[data-error='too_fast']")),
        )
        .await;
    let said = said.as_str().expect("text");
    assert!(said.contains("Vui lòng chờ 6 giây"), "{said}");
    assert!(said.contains("Please wait 6 seconds"), "{said}");
    kiosk.screenshot("kiosk-too-fast-1080x1920").await;
    kiosk.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_alerts_the_manager_who_cancels_that_kiosks_tickets_after_confirming() {
    let hall = TestHall::start_limited(Settings::default()).await;
    let manager = hall.staff("quanly", Role::Manager).await; // password "quanly-secret-pw"
    let token = hall.device_token("kiosk-sanh", DeviceKind::Kiosk);
    for _ in 0..10 {
        ask(&hall, &token, "B", "none").await;
    }
    let (status, _, body) = ask(&hall, &token, "B", "none").await;
    assert_refused_for_rate("past the burst", status, &body);

    let browser = Browser::open(1920, 1080).await;
    browser.goto(&hall.url("/dashboard/")).await;
    browser
        .wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    browser.type_into("#login-name", "quanly").await;
    browser
        .type_into("#login-password", "quanly-secret-pw")
        .await;
    browser.click("button[data-action='login']").await;
    let alert = browser
        .wait_for(
            "the alert",
            &format!("{} || null", text_of("#now-alerts [data-alert='kiosk-1']")),
        )
        .await;
    let alert = alert.as_str().expect("text");
    assert!(
        alert.contains("kiosk-sanh") && alert.contains("từ chối 1 lần"),
        "{alert}"
    );
    browser
        .screenshot("dashboard-issuing-alert-1920x1080")
        .await;

    // From the alert to the form, counted, confirmed.
    // Clicked in the page: the alerts are drawn again on every refresh of the tab.
    browser
        .eval("document.querySelector(\"#now-alerts [data-alert='kiosk-1'] button[data-action='alert-bulk']\").click()")
        .await;
    assert_eq!(
        browser
            .eval("document.getElementById('bulk-kiosk').value")
            .await,
        "kiosk-sanh"
    );
    browser.click("button[data-action='bulk-check']").await;
    let asked = browser
        .wait_for(
            "the confirmation",
            &format!(
                "!document.getElementById('bulk-confirm').hidden && {}",
                text_of("#bulk-confirm-text")
            ),
        )
        .await;
    assert!(
        asked.as_str().is_some_and(|t| t.contains("Sẽ hủy 10 số")),
        "{asked}"
    );
    assert_eq!(
        tickets(&manager)
            .await
            .iter()
            .filter(|t| t.1 == "waiting")
            .count(),
        10
    );
    browser.click("button[data-action='bulk-confirm']").await;
    browser
        .wait_for(
            "the result",
            &format!("{} === 'Đã hủy 10 số.'", text_of("#bulk-result")),
        )
        .await;
    assert!(tickets(&manager).await.iter().all(|t| t.1 == "cancelled"));

    // Seen: the alert goes.
    // Clicked in the page: the alerts are drawn again on every refresh of the tab.
    browser
        .eval("document.querySelector(\"#now-alerts [data-alert='kiosk-1'] button[data-action='alert-ack']\").click()")
        .await;
    browser
        .wait_for(
            "no alert",
            "document.querySelectorAll('#now-alerts [data-alert]').length === 0",
        )
        .await;
    browser.close().await;
}
