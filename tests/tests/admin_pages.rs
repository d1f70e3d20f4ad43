//! The admin page (`/admin/`) in Chromium, as a ward's admin uses it: a field's target wait
//! changed and a wrong value refused in plain words (nothing sent), the hall's notice
//! changed and the hall TV showing it without a reload, a counter given another field, and
//! every change in the audit tab; a manager sees the settings but cannot change them; axe in
//! both languages.

use motcua_domain::Role;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::Value;

fn field<'a>(services: &'a Value, code: &str) -> &'a Value {
    services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap_or_else(|| panic!("no field {code} in {services}"))
}

async fn sign_in(page: &Browser, hall: &TestHall, name: &str) {
    page.goto(&hall.url("/admin/")).await;
    page.wait_for("the sign-in", "document.body.dataset.view === 'login'")
        .await;
    page.type_into("#login-name", name).await;
    page.type_into("#login-password", &format!("{name}-secret-pw"))
        .await;
    page.click("#login-form button[type=submit]").await;
    page.wait_for("the admin page", "document.body.dataset.view === 'admin'")
        .await;
}

/// Choose a value in a `<select>` as a person would (the change event fires).
async fn choose(page: &Browser, css: &str, value: &str) {
    page.eval(&format!(
        "(function(s){{ s.value = '{value}'; s.dispatchEvent(new Event('change', {{bubbles: true}})); return s.value; }})(document.querySelector('{css}'))"
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_changes_fields_counters_and_the_notice_on_the_page_and_the_hall_follows_at_once()
{
    let hall = TestHall::start().await;
    let _admin = hall.staff("lan", Role::Admin).await;
    let reader = hall.anonymous();
    let tv = Browser::open(1280, 720).await;
    tv.goto(&hall.url("/display/")).await;
    tv.wait_for(
        "the TV's notice",
        "document.getElementById('notice')?.textContent.includes('Giờ làm việc')",
    )
    .await;

    let page = Browser::open(1366, 768).await;
    sign_in(&page, &hall, "lan").await;

    // Fields: a wrong target is refused in the page's own words; nothing reaches the hall.
    page.click("#tab-fields").await;
    let target = r#"#fields-table input[data-key="services[1].target_wait_minutes"]"#;
    page.wait_for(
        "the fields' table",
        &format!("document.querySelector('{target}')"),
    )
    .await;
    page.type_into(target, "0").await;
    page.click(r#"[data-action="save-services"]"#).await;
    let error = page
        .wait_for(
            "the refusal",
            "document.querySelector('#area-fields .form-error').textContent",
        )
        .await;
    assert_eq!(
        error, "«Chờ mục tiêu (phút)» phải là số nguyên từ 1 đến 480.",
        "{error}"
    );
    assert_eq!(
        page.eval(&format!(
            "document.querySelector('{target}').getAttribute('aria-invalid')"
        ))
        .await,
        "true"
    );
    let (_, info) = reader.get("/api/services").await;
    assert_eq!(field(&info["services"], "B")["target_wait_minutes"], 20);
    page.screenshot("admin-fields-refused-1366x768").await;

    // A right one is applied at once.
    page.type_into(target, "25").await;
    page.type_into(
        r#"#fields-table input[data-key="services[4].daily_quota"]"#,
        "2",
    )
    .await;
    choose(
        &page,
        r#"#fields-table select[data-key="services[4].icon"]"#,
        "shop",
    )
    .await;
    page.click(r#"[data-action="save-services"]"#).await;
    page.wait_for(
        "saved",
        "document.querySelector('#area-fields .form-ok').textContent.startsWith('Đã lưu')",
    )
    .await;
    let (_, info) = reader.get("/api/services").await;
    assert_eq!(field(&info["services"], "B")["target_wait_minutes"], 25);
    assert_eq!(field(&info["services"], "E")["icon"], "shop");
    assert_eq!(field(&info["services"], "E")["quota_left"], 2);
    assert!(
        page.text("#area-fields .source")
            .await
            .starts_with("Đã sửa trên trang này lúc"),
        "the card says the database's copy now holds"
    );
    page.assert_accessible("admin-fields").await;
    page.screenshot("admin-fields-1366x768").await;

    // The hall's notice: the TV shows it without a reload.
    page.click("#tab-hall").await;
    page.wait_for(
        "the hall's card",
        "document.querySelector('[data-key=\"hall.notice\"]')",
    )
    .await;
    page.type_into(
        r#"[data-key="hall.notice"]"#,
        "Lĩnh vực đất đai tạm dừng đến 14:00.",
    )
    .await;
    page.click(r#"[data-action="save-hall"]"#).await;
    tv.wait_for(
        "the new notice on the TV",
        "document.getElementById('notice').textContent === 'Lĩnh vực đất đai tạm dừng đến 14:00.'",
    )
    .await;
    tv.screenshot("admin-notice-on-tv-1280x720").await;
    page.screenshot("admin-hall-1366x768").await;

    // Counter 2 helps with civil status (A) as its second choice.
    page.click("#tab-counters").await;
    let second = r#"#counters-table tr[data-no="2"] select:nth-of-type(1)"#;
    page.wait_for(
        "the counters' table",
        "document.querySelectorAll('#counters-table tbody tr').length === 4",
    )
    .await;
    let picks = r#"#counters-table tr[data-no="2"] select"#;
    page.eval(&format!(
        "(function(s){{ s.value = 'A'; return s.value; }})(document.querySelectorAll('{picks}')[1])"
    ))
    .await;
    let _ = second;
    page.click(r#"[data-action="save-counters"]"#).await;
    page.wait_for(
        "saved",
        "document.querySelector('#area-counters .form-ok').textContent.startsWith('Đã lưu')",
    )
    .await;
    let (_, counters) = reader.get("/api/counters").await;
    let list = counters
        .as_array()
        .or(counters["counters"].as_array())
        .cloned()
        .unwrap();
    let two = list.iter().find(|c| c["no"] == 2).unwrap();
    assert_eq!(two["services"], serde_json::json!(["B", "A"]), "{two}");
    page.screenshot("admin-counters-1366x768").await;

    // The audit tab: the three changes, newest first, with who and what changed.
    page.click("#tab-audit").await;
    page.wait_for(
        "the audit list",
        "document.querySelectorAll('#audit-table tbody tr[data-seq]').length === 3",
    )
    .await;
    let subjects = page
        .eval("[...document.querySelectorAll('#audit-table tbody tr')].map(r => r.dataset.subject)")
        .await;
    assert_eq!(
        subjects,
        serde_json::json!(["settings:counters", "settings:hall", "settings:services"])
    );
    let services_row = page
        .text(r#"#audit-table tr[data-subject="settings:services"]"#)
        .await;
    assert!(services_row.contains("lan"), "{services_row}");
    assert!(
        services_row.contains("B.target_wait_minutes: 20 → 25"),
        "{services_row}"
    );
    assert!(
        services_row.contains("E.icon: null → shop"),
        "{services_row}"
    );
    page.assert_accessible("admin-audit").await;
    page.screenshot("admin-audit-1366x768").await;
    page.click("#lang-btn").await;
    page.wait_for("English", "document.documentElement.lang === 'en'")
        .await;
    assert_eq!(page.text("#tab-audit").await, "Audit log");
    page.assert_accessible("admin-audit-en").await;
    page.click("#tab-fields").await;
    page.assert_accessible("admin-fields-en").await;
    page.screenshot("admin-fields-en-1366x768").await;
    page.close().await;
    tv.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_reads_the_settings_and_the_audit_but_cannot_change_them() {
    let hall = TestHall::start().await;
    let _manager = hall.staff("quanly", Role::Manager).await;
    let page = Browser::open(1366, 768).await;
    sign_in(&page, &hall, "quanly").await;
    page.click("#tab-fields").await;
    page.wait_for(
        "the fields, read only",
        "document.querySelectorAll('#fields-table input').length > 0 && [...document.querySelectorAll('#fields-table input')].every(i => i.disabled)",
    )
    .await;
    assert_eq!(
        page.eval("document.querySelector('[data-action=\"save-services\"]') === null")
            .await,
        true
    );
    assert_eq!(
        page.text("#area-fields .hint").await,
        "Chỉ quản trị viên được sửa mục này."
    );
    page.assert_accessible("admin-fields-manager").await;
    page.close().await;
}
