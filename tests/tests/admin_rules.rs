//! The admin page's "Quy tắc trong ngày" area in Chromium: an admin turns the issuing hours
//! on with a cut-off and a Saturday of its own, and the kiosk's word follows at once; a
//! wrong span is refused by the server with the key it names, and a number out of range by
//! the page before anything is sent; the calls' rules (recalls' gap, the hall's own
//! absence) change live; each change is in the audit log; axe passes.

use motcua_domain::Role;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::json;

async fn set(page: &Browser, css: &str, value: &str) {
    page.eval(&format!(
        "(function(e){{ e.value = '{value}'; e.dispatchEvent(new Event('input', {{bubbles: true}})); return e.value; }})(document.querySelector('{css}'))"
    ))
    .await;
}

/// The section's card said it saved (or the test says what it said instead).
async fn saved(page: &Browser, section: &str) {
    let css = format!("[data-rules-message='{section}']");
    page.wait_for(
        "the answer",
        &format!(
            "(function(m){{ return m.textContent !== '' && m.textContent !== 'Đang lưu…'; }})(document.querySelector(\"{css}\"))"
        ),
    )
    .await;
    let class = page
        .eval(&format!("document.querySelector(\"{css}\").className"))
        .await;
    let said = page.text(&css).await;
    assert_eq!(class, json!("form-ok"), "{section}: {said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_sets_the_issuing_hours_and_the_calls_rules_and_the_hall_follows_at_once() {
    let hall = TestHall::start().await;
    let admin = hall.staff("lan", Role::Admin).await;
    let reader = hall.anonymous();

    let page = Browser::open(1366, 900).await;
    page.goto(&hall.url("/admin/")).await;
    page.wait_for("the sign-in", "document.body.dataset.view === 'login'")
        .await;
    page.type_into("#login-name", "lan").await;
    page.type_into("#login-password", "lan-secret-pw").await;
    page.click("#login-form button[type=submit]").await;
    page.wait_for("the admin page", "document.body.dataset.view === 'admin'")
        .await;
    page.click("#tab-rules").await;
    page.wait_for(
        "the hours' card, read",
        "!document.querySelector(\"form[data-rules='hours']\").hidden && document.querySelector(\"[data-rules-source='hours']\").textContent !== ''",
    )
    .await;

    // Numbers only in opening hours, stopping 30 minutes before each close and at 16:30.
    page.click("#rules-hours-follow_calendar").await;
    set(&page, "#rules-hours-stop_before_close_minutes", "30").await;
    set(&page, "#rules-hours-last_issue", "16:30").await;
    set(&page, "#rules-hours-weekday-saturday", "07:30-11:30").await;
    page.click("button[data-action='rules-save-hours']").await;
    saved(&page, "hours").await;
    let (_, info) = reader.get("/api/services").await;
    assert_eq!(
        info["issuing"]["until"], "2026-11-25T11:00:00+07:00",
        "the kiosk's word follows at once: {}",
        info["issuing"]
    );

    // A span the server cannot read: refused, named by its key; nothing changed.
    set(&page, "#rules-hours-weekday-monday", "7h30-11h").await;
    page.click("button[data-action='rules-save-hours']").await;
    page.wait_for(
        "the refusal",
        "/hours.weekdays.monday/.test(document.querySelector(\"[data-rules-message='hours']\").textContent)",
    )
    .await;
    let refusal = page.text("[data-rules-message='hours']").await;
    assert!(refusal.starts_with("Máy chủ không nhận"), "{refusal}");
    let (_, info) = reader.get("/api/services").await;
    assert_eq!(info["issuing"]["until"], "2026-11-25T11:00:00+07:00");

    // The calls' rules: a number out of range is refused by the page, then ZMS's rule.
    set(&page, "#rules-queue-absent_after_calls", "11").await;
    page.click("button[data-action='rules-save-queue']").await;
    page.wait_for(
        "the page's own refusal",
        "/từ 0 đến 10/.test(document.querySelector(\"[data-rules-message='queue']\").textContent)",
    )
    .await;
    set(&page, "#rules-queue-recall_gap_minutes", "5").await;
    set(&page, "#rules-queue-absent_after_calls", "3").await;
    page.click("button[data-action='rules-save-queue']").await;
    saved(&page, "queue").await;
    let (_, info) = reader.get("/api/services").await;
    assert_eq!(
        (&info["recall_gap_minutes"], &info["absent_after_calls"]),
        (&json!(5), &json!(3))
    );
    // The queue's other rules are kept as they were.
    assert_eq!(info["absent_after_seconds"], json!(0));

    // Both changes are in the audit log, the latest first.
    let (_, audit) = admin.get("/api/audit").await;
    let subjects: Vec<&str> = audit["entries"]
        .as_array()
        .expect("the audit list")
        .iter()
        .filter_map(|e| e["subject"].as_str())
        .collect();
    assert_eq!(
        subjects[..2],
        ["settings:queue", "settings:hours"],
        "{audit}"
    );

    page.screenshot("admin-rules-1366x900").await;
    page.assert_accessible("admin-rules").await;
    page.close().await;
}
