//! A rating's reasons and visits needed: a low rating says why (chờ lâu, thái độ, hướng dẫn
//! chưa rõ, phải đi lại nhiều lần, khác) and every rating may say how many times the
//! citizen had to come for the dossier (1, 2, 3+). Given on the phone (steps: a face, the
//! reasons with the comment, the visits) or on the counter's tablet (chips only; back to
//! idle 30 s after the last touch, sending what was chosen), they reach `/api/stats`.

use chrono::Duration;
use motcua_domain::{DeviceKind, Role};
use motcua_tests::browser::Browser;
use motcua_tests::{Client, TestHall, error_code};
use serde_json::{Value, json};

async fn seq(hall: &TestHall) -> i64 {
    let (status, body) = hall.anonymous().get("/healthz").await;
    assert_eq!(status, 200, "healthz: {body}");
    body["seq"].as_i64().expect("seq")
}

/// A ticket of field A served and finished at counter `no` by `clerk`.
async fn serve(hall: &TestHall, kiosk: &Client, clerk: &Client, no: u16) -> Value {
    let ticket = kiosk.issue("A", "none").await;
    let called = clerk.call_next(no).await.expect("a ticket to call");
    assert_eq!(called["id"], ticket["id"]);
    hall.clock.advance(Duration::minutes(1));
    for action in ["start", "finish"] {
        let (status, body) = clerk.act(&ticket, action, json!({})).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    ticket
}

async fn phone_rates(hall: &TestHall, ticket: &Value, body: Value) -> (u16, Value) {
    let mut body = body;
    body["token"] = ticket["token"].clone();
    hall.anonymous().post("/api/ratings", body).await
}

/// `reasons` of a figures' object as a sorted list of (reason, count).
fn reasons(figures: &Value) -> Vec<(String, u64)> {
    let mut list: Vec<(String, u64)> = figures["reasons"]
        .as_array()
        .unwrap_or_else(|| panic!("reasons in {figures}"))
        .iter()
        .map(|r| {
            (
                r["reason"].as_str().expect("reason").to_owned(),
                r["count"].as_u64().expect("count"),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    list.sort();
    list
}

fn pairs(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = list.iter().map(|(r, n)| ((*r).to_owned(), *n)).collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_low_ratings_reasons_and_the_visits_needed_reach_the_figures_from_phone_and_tablet() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    let manager = hall.staff("quanly", Role::Manager).await;

    // On the phone: 2 of 5, a long wait and unclear guidance, the third visit or more.
    let low = serve(&hall, &kiosk, &clerk, 1).await;
    let (status, body) = phone_rates(
        &hall,
        &low,
        json!({"level": 2, "reasons": ["wait", "guidance"], "visits_needed": 3, "comment": "Phải chờ lâu"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // On the phone: 5 of 5, the first visit (no reasons: it is not low).
    let high = serve(&hall, &kiosk, &clerk, 1).await;
    let (status, body) = phone_rates(&hall, &high, json!({"level": 5, "visits_needed": 1})).await;
    assert_eq!(status, 201, "{body}");
    // On the tablet: 3 of 5 (low on this scale), staff attitude, the second visit.
    let tablet = serve(&hall, &kiosk, &clerk, 1).await;
    let (status, body) = clerk
        .act(
            &tablet,
            "rate",
            json!({"level": 3, "reasons": ["attitude", "attitude"], "visits_needed": 2}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Rated with neither: counted nowhere in these two.
    let plain = serve(&hall, &kiosk, &clerk, 1).await;
    let (status, body) = phone_rates(&hall, &plain, json!({"level": 4})).await;
    assert_eq!(status, 201, "{body}");

    let (status, figures) = manager.get("/api/stats").await;
    assert_eq!(status, 200, "{figures}");
    let want = pairs(&[("wait", 1), ("guidance", 1), ("attitude", 1)]);
    let total = &figures["total"];
    assert_eq!(reasons(total), want, "the hall's reasons: {total}");
    assert_eq!(total["visits_needed"], json!([1, 1, 1]), "{total}");
    // Per field and per clerk, as the dashboard shows them.
    for (group, key) in [("by_field", "A"), ("by_clerk", "canbo1")] {
        let row = figures[group]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["key"] == key))
            .unwrap_or_else(|| panic!("{group} {key} in {figures}"));
        assert_eq!(reasons(row), want, "{group} {key}: {row}");
        assert_eq!(
            row["visits_needed"],
            json!([1, 1, 1]),
            "{group} {key}: {row}"
        );
    }

    // The log keeps them with the rating.
    let conn = motcua_store::open_for_admin(hall.data_dir()).expect("open db");
    let data: String = conn
        .query_row(
            "SELECT data FROM events WHERE kind = 'rated' AND ticket_id = ?1",
            [tablet["id"].as_i64().expect("id")],
            |r| r.get(0),
        )
        .expect("the tablet's rating");
    let data: Value = serde_json::from_str(&data).expect("event data");
    assert_eq!(
        data["reasons"],
        json!(["attitude"]),
        "each reason once: {data}"
    );
    assert_eq!(data["visits_needed"], 2);
}

#[tokio::test]
async fn reasons_on_a_rating_that_is_not_low_and_bad_reasons_or_visits_are_refused_and_write_nothing()
 {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    let ticket = serve(&hall, &kiosk, &clerk, 1).await;
    let before = seq(&hall).await;
    for (what, body, code) in [
        (
            "reasons on a 4 of 5",
            json!({"level": 4, "reasons": ["wait"]}),
            "reasons_need_low_rating",
        ),
        (
            "an unknown reason",
            json!({"level": 1, "reasons": ["rude"]}),
            "bad_reason",
        ),
        (
            "no visits",
            json!({"level": 5, "visits_needed": 0}),
            "bad_visits_needed",
        ),
        (
            "four visits",
            json!({"level": 5, "visits_needed": 4}),
            "bad_visits_needed",
        ),
    ] {
        let (status, answer) = phone_rates(&hall, &ticket, body.clone()).await;
        assert_eq!(status, 422, "phone, {what}: {answer}");
        assert_eq!(error_code(&answer), code, "phone, {what}: {answer}");
        let (status, answer) = clerk.act(&ticket, "rate", body).await;
        assert_eq!(status, 422, "tablet, {what}: {answer}");
        assert_eq!(error_code(&answer), code, "tablet, {what}: {answer}");
    }
    assert_eq!(seq(&hall).await, before, "the refusals wrote nothing");
    // Still ratable, with its reasons, afterwards.
    let (status, body) = clerk
        .act(&ticket, "rate", json!({"level": 2, "reasons": ["other"]}))
        .await;
    assert_eq!(status, 200, "{body}");
}

/// The tablet signed in at counter 1 and waiting.
async fn tablet_at_counter_1(hall: &TestHall) -> Browser {
    let tablet = Browser::open(1280, 800).await;
    tablet
        .goto(&hall.url("/counter/rating.html?counter=1"))
        .await;
    tablet
        .wait_for("the sign-in", "document.body.dataset.view === 'login'")
        .await;
    tablet.type_into("#login-name", "lan").await;
    tablet.type_into("#login-password", "lan-secret-pw").await;
    tablet.click("button[data-action='login']").await;
    tablet
        .wait_for(
            "waiting for a citizen",
            "document.body.dataset.view === 'idle' && document.body.dataset.connected === 'true'",
        )
        .await;
    tablet
}

async fn rated_event(hall: &TestHall, ticket: &Value) -> Option<Value> {
    let conn = motcua_store::open_for_admin(hall.data_dir()).expect("open db");
    let data: Option<String> = conn
        .query_row(
            "SELECT data FROM events WHERE kind = 'rated' AND ticket_id = ?1",
            [ticket["id"].as_i64().expect("id")],
            |r| r.get(0),
        )
        .ok();
    data.map(|d| serde_json::from_str(&d).expect("event data"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tablet_asks_reasons_and_visits_and_after_30_s_untouched_sends_what_was_chosen() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.staff("lan", Role::Clerk).await;
    let (status, _) = clerk.post("/api/counters/1/open", json!({})).await;
    assert_eq!(status, 200);
    let tablet = tablet_at_counter_1(&hall).await;
    let step = "document.getElementById('rate-view').dataset.step";

    // A full round: a low face, two reasons, the visits.
    let first = serve(&hall, &kiosk, &clerk, 1).await;
    tablet
        .wait_for("the question", "document.body.dataset.view === 'rate'")
        .await;
    tablet.click("button[data-rating='2']").await;
    tablet
        .wait_for("the reasons", &format!("{step} === 'reasons'"))
        .await;
    assert_eq!(
        tablet
            .eval("[...document.querySelectorAll('#reasons button')].map(b => b.querySelector('.vi').textContent)")
            .await,
        json!(["Chờ lâu", "Thái độ", "Hướng dẫn chưa rõ", "Phải đi lại nhiều lần", "Khác"])
    );
    assert_eq!(
        tablet
            .eval("document.querySelectorAll('#rate-view textarea, #rate-view input').length")
            .await,
        0,
        "no keyboard here"
    );
    tablet.assert_accessible("tablet-reasons").await;
    tablet.assert_touch_targets("tablet-reasons", 44).await;
    tablet.click("button[data-reason='wait']").await;
    tablet.click("button[data-reason='repeat']").await;
    tablet.screenshot("tablet-reasons-1280x800").await;
    tablet.click("#reasons-next").await;
    tablet
        .wait_for("the visits", &format!("{step} === 'visits'"))
        .await;
    assert_eq!(
        tablet.text("#visits-q .vi").await,
        "Bạn đã phải đến bao nhiêu lần cho hồ sơ này?"
    );
    tablet.assert_accessible("tablet-visits").await;
    tablet.assert_touch_targets("tablet-visits", 44).await;
    tablet.screenshot("tablet-visits-1280x800").await;
    tablet.click("button[data-visits='3']").await;
    tablet
        .wait_for("the thanks", "document.body.dataset.view === 'thanks'")
        .await;
    let data = rated_event(&hall, &first).await.expect("rated");
    assert_eq!(data["level"], 2);
    assert_eq!(data["reasons"], json!(["wait", "repeat"]));
    assert_eq!(data["visits_needed"], 3);
    assert_eq!(data["channel"], "counter");

    // A face tapped, a reason, then nobody touches it: after 30 s it is sent as it stands
    // (the page's own timer, run by the test instead of waited for).
    let second = serve(&hall, &kiosk, &clerk, 1).await;
    tablet
        .wait_for(
            "the next question",
            &format!("document.body.dataset.view === 'rate' && document.getElementById('rating-code').textContent === '{}'", second["code"].as_str().expect("code")),
        )
        .await;
    assert_eq!(tablet.eval("window.motcuaTablet.timerSeconds()").await, 30);
    tablet.click("button[data-rating='1']").await;
    tablet.click("button[data-reason='attitude']").await;
    assert_eq!(
        tablet.eval("window.motcuaTablet.timerSeconds()").await,
        30,
        "each touch gives 30 s again"
    );
    assert!(rated_event(&hall, &second).await.is_none(), "not sent yet");
    tablet.eval("window.motcuaTablet.timeOut()").await;
    tablet
        .wait_for("the thanks", "document.body.dataset.view === 'thanks'")
        .await;
    let data = rated_event(&hall, &second)
        .await
        .expect("sent before the thanks showed");
    assert_eq!(data["level"], 1);
    assert_eq!(data["reasons"], json!(["attitude"]));
    assert_eq!(data.get("visits_needed"), None, "no visits chosen: {data}");

    // Untouched from the start: back to idle, nothing sent.
    let third = serve(&hall, &kiosk, &clerk, 1).await;
    tablet
        .wait_for(
            "the third question",
            &format!("document.body.dataset.view === 'rate' && document.getElementById('rating-code').textContent === '{}'", third["code"].as_str().expect("code")),
        )
        .await;
    tablet.eval("window.motcuaTablet.timeOut()").await;
    tablet
        .wait_for("idle", "document.body.dataset.view === 'idle'")
        .await;
    assert!(
        rated_event(&hall, &third).await.is_none(),
        "nothing was chosen"
    );
    tablet.close().await;
}
