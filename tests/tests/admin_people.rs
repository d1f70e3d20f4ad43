//! The admin page's staff and devices areas, in Chromium: each change made through the page
//! applies at once (the clerk can or cannot sign in, the device is cut off), a wrong input is
//! refused with a sentence, and every change is in the audit log, with no password or token
//! in it.

use motcua_domain::Role;
use motcua_tests::browser::Browser;
use motcua_tests::{Client, TestHall, error_code, until};
use serde_json::{Value, json};

/// The audit log's entries, newest first, as (subject, action).
async fn audited(admin: &Client) -> (Vec<(String, String)>, Value) {
    let (status, page) = admin.get("/api/audit?limit=100").await;
    assert_eq!(status, 200, "{page}");
    let entries = page["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["subject"].as_str().unwrap_or_default().to_owned(),
                e["action"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    (entries, page)
}

/// The admin page, signed in as `name` (made by `TestHall::staff`), on `area`.
async fn admin_page(hall: &TestHall, name: &str, path: &str) -> Browser {
    let page = Browser::open(1366, 900).await;
    page.goto(&hall.url(path)).await;
    page.wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    page.type_into("#login-name", name).await;
    page.type_into("#login-password", &format!("{name}-secret-pw"))
        .await;
    page.click("button[data-action='login']").await;
    page.wait_for("the admin tabs", "document.body.dataset.view === 'admin'")
        .await;
    page
}

async fn sign_in(hall: &TestHall, name: &str, password: &str) -> u16 {
    hall.anonymous()
        .post("/api/session", json!({"name": name, "password": password}))
        .await
        .0
}

#[tokio::test]
async fn every_change_to_staff_and_devices_is_audited_without_a_password_or_a_token() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let password = "tulip ferry granite 88";
    let (status, added) = admin
        .post(
            "/api/users",
            json!({"name": "lan", "role": "clerk", "password": password}),
        )
        .await;
    assert_eq!(status, 201, "{added}");
    let id = added["user"]["id"].as_i64().expect("id");
    for (path, body) in [
        ("role", json!({"role": "manager"})),
        ("disable", json!({})),
        ("enable", json!({})),
        ("password", json!({"password": "orchid barrel lantern 42"})),
    ] {
        let (status, answer) = admin.post(&format!("/api/users/{id}/{path}"), body).await;
        assert_eq!(status, 200, "{path}: {answer}");
    }
    let (status, device) = admin
        .post("/api/devices", json!({"name": "kiosk-2", "kind": "kiosk"}))
        .await;
    assert_eq!(status, 201, "{device}");
    let token = device["token"].as_str().expect("token").to_owned();
    let device_id = device["device"]["id"].as_i64().expect("id");
    let (_, begun) = hall
        .anonymous()
        .post("/api/pairings", json!({"kind": "display"}))
        .await;
    let code = begun["code"].as_str().expect("code");
    let (status, _) = admin
        .post(
            &format!("/api/pairings/{code}/accept"),
            json!({"name": "tv-1"}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = admin
        .post(&format!("/api/devices/{device_id}/revoke"), json!({}))
        .await;
    assert_eq!(status, 200);

    let (entries, page) = audited(&admin).await;
    let want: Vec<(String, String)> = [
        ("device:kiosk-2", "revoked"),
        ("device:tv-1", "paired"),
        ("device:kiosk-2", "added"),
        ("user:lan", "password_reset"),
        ("user:lan", "enabled"),
        ("user:lan", "disabled"),
        ("user:lan", "role_changed"),
        ("user:lan", "added"),
    ]
    .iter()
    .map(|(s, a)| ((*s).to_owned(), (*a).to_owned()))
    .collect();
    assert_eq!(entries, want);
    let text = page.to_string();
    for secret in [password, "orchid barrel lantern 42", &token, "argon2"] {
        assert!(!text.contains(secret), "{secret:?} in the audit log");
    }
    let role = &page["entries"][6];
    assert_eq!(
        (&role["before"], &role["after"], &role["by"]),
        (
            &json!({"role": "clerk"}),
            &json!({"role": "manager"}),
            &json!("quan-tri")
        )
    );
}

#[tokio::test]
async fn nobody_changes_their_own_role_and_a_demoted_admin_is_refused_from_the_next_request() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let (_, users) = admin.get("/api/users").await;
    let me = users["users"][0]["id"].as_i64().expect("id");
    let (status, refused) = admin
        .post(&format!("/api/users/{me}/role"), json!({"role": "clerk"}))
        .await;
    assert_eq!((status, error_code(&refused)), (409, "own_account"));

    let other = hall.staff("pho-quan-tri", Role::Admin).await;
    let (status, _) = other
        .post(&format!("/api/users/{me}/role"), json!({"role": "manager"}))
        .await;
    assert_eq!(status, 200, "two admins: one may become a manager");
    let (_, users) = other.get("/api/users").await;
    let second = users["users"]
        .as_array()
        .and_then(|l| l.iter().find(|u| u["name"] == "pho-quan-tri"))
        .and_then(|u| u["id"].as_i64())
        .expect("the second admin");
    // The demoted one cannot act as an admin any more, from their next request.
    let (status, refused) = admin
        .post(
            &format!("/api/users/{second}/role"),
            json!({"role": "clerk"}),
        )
        .await;
    assert_eq!((status, error_code(&refused)), (403, "forbidden"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_manages_a_clerk_on_the_staff_page_and_each_change_applies_at_once() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let page = admin_page(&hall, "quan-tri", "/admin/#staff").await;
    page.wait_for(
        "the staff list",
        "document.querySelector('#staff-table tr[data-user=\"quan-tri\"]')",
    )
    .await;
    page.assert_accessible("the staff area").await;

    // A weak password is refused in words, and nobody is added.
    page.type_into("#staff-add-name", "lan").await;
    page.type_into("#staff-add-password", "lan12345678").await;
    page.click("button[data-action='staff-add']").await;
    let said = page
        .wait_for(
            "the refusal",
            "document.querySelector('#staff-status[data-kind=error]')?.textContent",
        )
        .await;
    assert!(
        said.as_str().expect("text").starts_with("Mật khẩu quá yếu"),
        "{said}"
    );
    assert_eq!(sign_in(&hall, "lan", "lan12345678").await, 401);

    page.type_into("#staff-add-password", "tulip ferry granite 88")
        .await;
    page.click("button[data-action='staff-add']").await;
    page.wait_for(
        "the new clerk",
        "document.querySelector('#staff-table tr[data-user=lan][data-role=clerk][data-state=active]')",
    )
    .await;
    assert_eq!(sign_in(&hall, "lan", "tulip ferry granite 88").await, 200);

    // A manager now.
    page.eval("(() => { const s = document.querySelector('#staff-table tr[data-user=lan] select.staff-role'); s.value = 'manager'; return true; })()")
        .await;
    page.click("#staff-table tr[data-user=lan] button[data-action='role']")
        .await;
    page.wait_for(
        "the manager",
        "document.querySelector('#staff-table tr[data-user=lan][data-role=manager]')",
    )
    .await;

    // Disabled: they cannot sign in; enabled: they can again.
    page.click("#staff-table tr[data-user=lan] button[data-action='disable']")
        .await;
    page.wait_for(
        "disabled",
        "document.querySelector('#staff-table tr[data-user=lan][data-state=disabled]')",
    )
    .await;
    assert_eq!(sign_in(&hall, "lan", "tulip ferry granite 88").await, 401);
    page.screenshot("admin-staff-1366x900").await;
    page.click("#staff-table tr[data-user=lan] button[data-action='enable']")
        .await;
    page.wait_for(
        "enabled",
        "document.querySelector('#staff-table tr[data-user=lan][data-state=active]')",
    )
    .await;
    assert_eq!(sign_in(&hall, "lan", "tulip ferry granite 88").await, 200);

    // A new password: the old one no longer works.
    page.click("#staff-table tr[data-user=lan] button[data-action='reset']")
        .await;
    page.type_into("#staff-reset-password", "orchid barrel lantern 42")
        .await;
    page.click("button[data-action='staff-reset']").await;
    page.wait_for(
        "the reset said",
        "document.querySelector('#staff-status[data-kind=ok]')?.textContent.includes('Đã đặt lại mật khẩu của lan')",
    )
    .await;
    assert_eq!(sign_in(&hall, "lan", "tulip ferry granite 88").await, 401);
    assert_eq!(sign_in(&hall, "lan", "orchid barrel lantern 42").await, 200);

    // The admin's own row: neither disabled nor demoted from here.
    assert_eq!(
        page.eval("document.querySelector('#staff-table tr[data-user=\"quan-tri\"] button[data-action=disable]').disabled")
            .await,
        true
    );
    page.assert_accessible("the staff area after the changes")
        .await;

    let (entries, _) = audited(&admin).await;
    let actions: Vec<&str> = entries.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "password_reset",
            "enabled",
            "disabled",
            "role_changed",
            "added"
        ]
    );
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_pairs_a_kiosk_opened_from_its_qr_code_sees_it_alive_and_revokes_it() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let screen = hall.anonymous();
    let (_, begun) = screen.post("/api/pairings", json!({"kind": "kiosk"})).await;
    let code = begun["code"].as_str().expect("code").to_owned();
    let secret = begun["secret"].as_str().expect("secret").to_owned();
    let qr_address = begun["pair_url"].as_str().expect("pair_url");
    let path = &qr_address[qr_address.find("/admin/").expect("the admin page")..];

    // The QR code's address: the code is filled in and looked up.
    let page = admin_page(&hall, "quan-tri", path).await;
    let found = page
        .wait_for(
            "the device found",
            "document.querySelector('#pair-found[data-kind=kiosk]')?.textContent",
        )
        .await;
    assert!(
        found
            .as_str()
            .expect("text")
            .starts_with("Máy lấy số (ki-ốt) ở địa chỉ 127.0.0.1"),
        "{found}"
    );
    assert_eq!(
        page.eval("document.getElementById('pair-code').value")
            .await,
        code
    );
    page.assert_accessible("the pairing form").await;
    page.type_into("#pair-name", "kiosk-sanh").await;
    page.click("button[data-action='pair-accept']").await;
    page.wait_for(
        "the kiosk listed",
        "document.querySelector('#devices-table tr[data-device=kiosk-sanh][data-kind=kiosk][data-state=active]')",
    )
    .await;

    // The device takes its token; the page never showed it.
    let (status, paired) = screen
        .post("/api/pairings/claim", json!({"secret": secret}))
        .await;
    assert_eq!(
        (status, &paired["status"]),
        (200, &json!("paired")),
        "{paired}"
    );
    let token = paired["token"].as_str().expect("token").to_owned();
    let html = page.eval("document.documentElement.outerHTML").await;
    assert!(!html.to_string().contains(&token));
    let kiosk = hall.device_with_token(token.clone());
    kiosk.issue("A", "none").await;
    page.click("#area-devices button[data-i18n='devices.refresh']")
        .await;
    page.wait_for(
        "its last sign of life",
        "document.querySelector('#devices-table tr[data-device=kiosk-sanh] .seen')?.textContent.includes('127.0.0.1')",
    )
    .await;

    // A wrong code is refused in words.
    page.type_into("#pair-code", "000000").await;
    page.click("button[data-action='pair-find']").await;
    let said = page
        .wait_for(
            "the refusal",
            "document.querySelector('#pair-status[data-kind=error]')?.textContent",
        )
        .await;
    assert!(
        said.as_str()
            .expect("text")
            .starts_with("Không có thiết bị nào đang hiện mã này"),
        "{said}"
    );
    page.screenshot("admin-devices-1366x900").await;

    // Revoked with two presses: the kiosk is refused at once.
    let revoke = "#devices-table tr[data-device=kiosk-sanh] button[data-action='revoke']";
    page.click(revoke).await;
    page.wait_for(
        "armed",
        "document.querySelector(\"#devices-table tr[data-device=kiosk-sanh] button.armed\")",
    )
    .await;
    assert_eq!(
        kiosk
            .post("/api/tickets", json!({"service": "A", "priority": "none"}))
            .await
            .0,
        201,
        "not yet"
    );
    page.click(revoke).await;
    page.wait_for(
        "revoked",
        "document.querySelector('#devices-table tr[data-device=kiosk-sanh][data-state=revoked]')",
    )
    .await;
    until("the kiosk refused", || async {
        kiosk
            .post("/api/tickets", json!({"service": "A", "priority": "none"}))
            .await
            .0
            == 401
    })
    .await;
    page.assert_accessible("the devices area").await;

    let (entries, page_json) = audited(&admin).await;
    assert_eq!(
        entries[..2],
        [
            ("device:kiosk-sanh".to_owned(), "revoked".to_owned()),
            ("device:kiosk-sanh".to_owned(), "paired".to_owned())
        ]
    );
    assert!(!page_json.to_string().contains(&token));
    page.close().await;
}
