//! Complaints (phản ánh): made from the ticket's phone page (at most 3 a ticket), due 8
//! working hours later on the hall's clock, listed for the manager with their state,
//! acknowledged and resolved on the dashboard; a complaint about a served visit counts
//! against the Decision 766 figure.

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

async fn complain(hall: &TestHall, ticket: &Value, topic: &str, text: &str) -> (u16, Value) {
    hall.anonymous()
        .post(
            "/api/complaints",
            json!({"token": ticket["token"], "topic": topic, "text": text}),
        )
        .await
}

async fn listed(manager: &Client, state: &str) -> Vec<i64> {
    let path = if state.is_empty() {
        "/api/complaints".to_owned()
    } else {
        format!("/api/complaints?state={state}")
    };
    let (status, body) = manager.get(&path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body["complaints"]
        .as_array()
        .expect("complaints")
        .iter()
        .map(|c| c["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test]
async fn a_complaint_is_due_8_working_hours_later_and_goes_from_open_to_acknowledged_to_resolved() {
    // Wednesday 25 November 2026, 08:01 in the hall when the first is made.
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    let ticket = serve(&hall, &kiosk, &clerk, 1).await;

    let (status, made) = complain(
        &hall,
        &ticket,
        "wait",
        "  Chờ hơn hai giờ mà không ai hướng dẫn.  ",
    )
    .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["topic"], "wait");
    assert_eq!(made["state"], "open");
    assert_eq!(made["overdue"], false);
    assert_eq!(made["text"], "Chờ hơn hai giờ mà không ai hướng dẫn.");
    assert_eq!(made["made_at"], "2026-11-25T08:01:00+07:00");
    // 08:01–11:30 and 13:30–17:00 (6 h 59), then Thursday 07:30 + 1 h 01.
    assert_eq!(made["due_at"], "2026-11-26T08:31:00+07:00");
    let first = made["id"].as_i64().expect("id");

    // The citizen sees it on the phone.
    let token = ticket["token"].as_str().expect("token");
    let (status, mine) = hall
        .anonymous()
        .get(&format!("/api/tickets/{token}/complaints"))
        .await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["left"], 2);
    assert_eq!(mine["complaints"][0]["id"], first);

    // Two more, then no more for this ticket.
    for topic in ["attitude", "extra_demands"] {
        let (status, body) = complain(&hall, &ticket, topic, "Thêm một phản ánh").await;
        assert_eq!(status, 201, "{body}");
    }
    let before = seq(&hall).await;
    let (status, body) = complain(&hall, &ticket, "other", "Lần thứ tư").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(error_code(&body), "too_many_complaints");
    assert_eq!(seq(&hall).await, before, "the refusal wrote nothing");

    // The manager's list: all open, newest first.
    let all = listed(&manager, "").await;
    assert_eq!(all.len(), 3);
    assert_eq!(*all.last().expect("the first"), first);
    assert_eq!(listed(&manager, "open").await.len(), 3);
    assert!(listed(&manager, "overdue").await.is_empty());

    // Acknowledged in time: twice is once.
    hall.clock.advance(Duration::hours(2));
    let (status, body) = manager
        .post(&format!("/api/complaints/{first}/acknowledge"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "acknowledged");
    assert_eq!(body["ticket"], ticket["code"]);
    let at = body["acknowledged_at"].clone();
    hall.clock.advance(Duration::minutes(5));
    let (_, again) = manager
        .post(&format!("/api/complaints/{first}/acknowledge"), json!({}))
        .await;
    assert_eq!(again["acknowledged_at"], at, "the first time stays");
    assert_eq!(listed(&manager, "acknowledged").await, vec![first]);

    // Resolved with the hall's note; not twice.
    let (status, body) = manager
        .post(
            &format!("/api/complaints/{first}/resolve"),
            json!({"note": "Đã bố trí thêm quầy buổi sáng"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["state"], "resolved");
    assert_eq!(body["note"], "Đã bố trí thêm quầy buổi sáng");
    let (status, body) = manager
        .post(&format!("/api/complaints/{first}/resolve"), json!({}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(error_code(&body), "already_resolved");
    assert_eq!(listed(&manager, "resolved").await, vec![first]);

    // The other two pass their due time unacknowledged: overdue, in the list and on the phone.
    hall.clock.advance(Duration::days(1));
    let manager = hall.sign_in("quanly").await;
    let overdue = listed(&manager, "overdue").await;
    assert_eq!(overdue.len(), 2, "{overdue:?}");
    assert!(!overdue.contains(&first));
    let (_, mine) = hall
        .anonymous()
        .get(&format!("/api/tickets/{token}/complaints"))
        .await;
    let states: Vec<(Value, Value)> = mine["complaints"]
        .as_array()
        .expect("complaints")
        .iter()
        .map(|c| (c["state"].clone(), c["overdue"].clone()))
        .collect();
    assert_eq!(
        states,
        vec![
            (json!("resolved"), json!(false)),
            (json!("open"), json!(true)),
            (json!("open"), json!(true)),
        ]
    );
    // The phone never sees the hall's note.
    assert_eq!(mine["complaints"][0].get("note"), None, "{mine}");
}

#[tokio::test]
async fn a_complaint_made_on_friday_afternoon_is_due_on_monday() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    // Wednesday 08:00 → Friday 16:00.
    hall.clock.advance(Duration::days(2) + Duration::hours(8));
    let (status, made) = complain(&hall, &ticket, "attitude", "Cán bộ nói to").await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["made_at"], "2026-11-27T16:00:00+07:00");
    assert_eq!(made["due_at"], "2026-11-30T16:30:00+07:00");
}

#[tokio::test]
async fn bad_complaints_are_refused_and_write_nothing() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    let before = seq(&hall).await;
    for (what, topic, text, code) in [
        ("an unknown topic", "noise", "Ồn ào".to_owned(), "bad_topic"),
        ("no text", "wait", "   ".to_owned(), "missing_text"),
        ("1001 characters", "wait", "ữ".repeat(1001), "text_too_long"),
    ] {
        let (status, body) = complain(&hall, &ticket, topic, &text).await;
        assert_eq!(status, 422, "{what}: {body}");
        assert_eq!(error_code(&body), code, "{what}: {body}");
    }
    let (status, body) = complain(&hall, &ticket, "wait", &"ữ".repeat(1000)).await;
    assert_eq!(status, 201, "1000 characters: {body}");
    let (status, body) = hall
        .anonymous()
        .post(
            "/api/complaints",
            json!({"token": "0123456789abcdef0123456789abcdef", "topic": "wait", "text": "x"}),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(error_code(&body), "ticket_not_found");
    assert_eq!(seq(&hall).await, before + 1, "only the good one was logged");
    let manager = hall.staff("quanly", Role::Manager).await;
    let (status, body) = manager.get("/api/complaints?state=lost").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), "bad_state");
    let (status, body) = manager
        .post("/api/complaints/999/acknowledge", json!({}))
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(error_code(&body), "complaint_not_found");
}

#[tokio::test]
async fn a_complaint_about_a_served_visit_counts_against_the_766_figure() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    // Four served visits: rated very satisfied but complained about; rated satisfied;
    // not rated; and one never served, complained about.
    let complained = serve(&hall, &kiosk, &clerk, 1).await;
    let satisfied = serve(&hall, &kiosk, &clerk, 1).await;
    let _unrated = serve(&hall, &kiosk, &clerk, 1).await;
    let waiting = kiosk.issue("A", "none").await;
    for (ticket, level) in [(&complained, 5), (&satisfied, 4)] {
        let (status, body) = hall
            .anonymous()
            .post(
                "/api/ratings",
                json!({"token": ticket["token"], "level": level}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = complain(&hall, &complained, "extra_demands", "Bị đòi thêm phí").await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = complain(&hall, &waiting, "wait", "Chờ mãi không được gọi").await;
    assert_eq!(status, 201, "{body}");

    let (status, figures) = manager.get("/api/stats").await;
    assert_eq!(status, 200, "{figures}");
    let official = &figures["total"]["official"];
    assert_eq!(
        official["basis"], "visits",
        "no dossier attached: {official}"
    );
    assert_eq!(official["units"], 3, "{official}");
    assert_eq!(official["against"], 1, "the complained visit: {official}");
    assert_eq!(official["complained"], 1, "{official}");
    let share = official["share"].as_f64().expect("share");
    assert!((share - 2.0 / 3.0).abs() < 1e-9, "{official}");
    // Both are counted as made that day and both are in the hall's list; only the served
    // visit's counts against the figure.
    assert_eq!(figures["total"]["complaints"], 2, "{figures}");
    assert_eq!(listed(&manager, "").await.len(), 2);
}

/// The citizen's phone rates low (reasons, comment, visits) and complains; the manager's
/// dashboard lists the complaint, acknowledges and resolves it; the phone follows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_phone_a_low_rating_gives_reasons_and_visits_and_a_complaint_reaches_the_dashboard()
{
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    let manager = hall.staff("quanly", Role::Manager).await; // password "quanly-secret-pw"
    let ticket = serve(&hall, &kiosk, &clerk, 1).await;
    let token = ticket["token"].as_str().expect("token");

    let phone = Browser::open(390, 844).await;
    phone.goto(&hall.url(&format!("/t/{token}"))).await;
    phone
        .wait_for("the rating form", "document.body.dataset.rate === 'form' && document.querySelectorAll('#levels button').length === 5")
        .await;
    let step = "document.getElementById('rating').dataset.step";
    phone.click("button[data-rating='2']").await;
    phone
        .wait_for("the reasons", &format!("{step} === 'reasons'"))
        .await;
    assert_eq!(
        phone
            .eval("[...document.querySelectorAll('#reasons button')].map(b => b.textContent)")
            .await,
        json!([
            "Chờ lâu",
            "Thái độ",
            "Hướng dẫn chưa rõ",
            "Phải đi lại nhiều lần",
            "Khác"
        ])
    );
    phone.click("button[data-reason='wait']").await;
    phone.click("button[data-reason='guidance']").await;
    phone
        .type_into("#comment", "Không ai chỉ chỗ nộp hồ sơ.")
        .await;
    phone
        .assert_accessible_in_both_languages("phone-rating-reasons")
        .await;
    phone.screenshot("phone-rating-reasons-390x844").await;
    phone.click("#reasons-next").await;
    phone
        .wait_for("the visits", &format!("{step} === 'visits'"))
        .await;
    assert_eq!(
        phone.text("#visits-step legend").await,
        "Bạn đã phải đến bao nhiêu lần cho hồ sơ này?"
    );
    phone
        .assert_accessible_in_both_languages("phone-rating-visits")
        .await;
    phone.assert_touch_targets("phone-rating-visits", 44).await;
    phone.screenshot("phone-rating-visits-390x844").await;
    phone.click("button[data-visits='2']").await;
    phone
        .wait_for("the thanks", "document.body.dataset.rate === 'thanks'")
        .await;

    let (status, figures) = manager.get("/api/stats").await;
    assert_eq!(status, 200, "{figures}");
    let total = &figures["total"];
    assert_eq!(total["visits_needed"], json!([0, 1, 0]), "{total}");
    let mut reasons: Vec<String> = total["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter(|r| r["count"] == 1)
        .map(|r| r["reason"].as_str().expect("reason").to_owned())
        .collect();
    reasons.sort();
    assert_eq!(reasons, vec!["guidance", "wait"], "{total}");

    // A complaint from the same page.
    phone.click("#c-open").await;
    phone
        .wait_for(
            "the complaint form",
            "!document.getElementById('c-form').hidden",
        )
        .await;
    phone.click("#c-send").await;
    phone
        .wait_for(
            "asked for a topic",
            "document.getElementById('c-err').textContent === 'Vui lòng chọn nội dung phản ánh.'",
        )
        .await;
    phone.click("button[data-topic='extra_demands']").await;
    phone
        .type_into(
            "#c-text",
            "Cán bộ yêu cầu nộp thêm bản sao không có trong quy định.",
        )
        .await;
    phone
        .assert_accessible_in_both_languages("phone-complaint-form")
        .await;
    phone.screenshot("phone-complaint-form-390x844").await;
    phone.click("#c-send").await;
    phone
        .wait_for(
            "the complaint listed",
            "document.querySelectorAll('#c-list li').length === 1",
        )
        .await;
    assert_eq!(
        phone.text("#c-list li span").await,
        "Đã gửi, chờ tiếp nhận trước 08:31 26/11/2026"
    );
    phone.screenshot("phone-complaint-sent-390x844").await;

    // The dashboard's tab.
    let dash = Browser::open(1366, 768).await;
    dash.goto(&hall.url("/dashboard/")).await;
    dash.wait_for("the sign-in", "document.body.dataset.view === 'login'")
        .await;
    dash.type_into("#login-name", "quanly").await;
    dash.type_into("#login-password", "quanly-secret-pw").await;
    dash.click("#login-form button[type=submit]").await;
    dash.wait_for("the dashboard", "document.body.dataset.view === 'dash'")
        .await;
    dash.click("#tab-complaints").await;
    dash.wait_for(
        "the complaints' tab",
        "document.body.dataset.tab === 'complaints' && document.querySelectorAll('#cp-table tbody tr').length === 1",
    )
    .await;
    let row = "#cp-table tbody tr";
    assert_eq!(
        dash.text(&format!("{row} .cp-state")).await,
        "Chưa tiếp nhận"
    );
    assert!(
        dash.text(row)
            .await
            .contains("Yêu cầu thêm giấy tờ, chi phí ngoài quy định"),
        "{}",
        dash.text(row).await
    );
    dash.assert_accessible("dashboard-complaints").await;
    dash.screenshot("dashboard-complaints-1366x768").await;
    dash.click("button[data-action='cp-ack']").await;
    dash.wait_for(
        "acknowledged",
        "document.querySelector('#cp-table tbody tr .cp-state').textContent === 'Đã tiếp nhận'",
    )
    .await;
    dash.type_into(".cp-note-input", "Đã nhắc nhở cán bộ.")
        .await;
    dash.click("button[data-action='cp-resolve']").await;
    dash.wait_for(
        "resolved",
        "document.querySelector('#cp-table tbody tr .cp-state').textContent === 'Đã giải quyết'",
    )
    .await;
    assert_eq!(dash.text(".cp-note").await, "Đã nhắc nhở cán bộ.");
    dash.screenshot("dashboard-complaints-resolved-1366x768")
        .await;
    // In English too.
    dash.click("#lang-btn").await;
    dash.wait_for(
        "the tab in English",
        "document.querySelector('#cp-table tbody tr .cp-state').textContent === 'Resolved'",
    )
    .await;
    assert!(
        dash.text("#cp-table tbody tr")
            .await
            .contains("Papers or fees asked beyond the rules")
    );
    dash.assert_accessible("dashboard-complaints-en").await;
    dash.close().await;

    phone.client.refresh().await.expect("reload");
    phone
        .wait_for(
            "the complaint resolved",
            "document.querySelector('#c-list li span')?.textContent === 'Đã giải quyết'",
        )
        .await;
    phone.close().await;
}
