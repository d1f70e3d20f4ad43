//! Speaking to the hall: a manager's message to everyone waiting (every phone and the hall
//! TV) or to one field's queue (its phones, and the TV naming the field), live, with an
//! expiry on the hall's clock, withdrawable, bounded, and logged.

use motcua_domain::{DeviceKind, Role};
use motcua_store as store;
use motcua_tests::browser::Browser;
use motcua_tests::{TestHall, error_code};
use serde_json::{Value, json};

fn texts(list: &Value) -> Vec<String> {
    list["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|m| m["text_vi"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn logged(hall: &TestHall, kind: &str) -> usize {
    let conn = store::open_for_admin(hall.data_dir()).expect("open db");
    conn.query_row("SELECT COUNT(*) FROM events WHERE kind = ?1", [kind], |r| {
        r.get::<_, i64>(0)
    })
    .expect("count") as usize
}

#[tokio::test]
async fn messages_are_bounded_expire_on_the_hall_clock_and_only_managers_speak() {
    let hall = TestHall::start().await;
    let boss = hall.staff("boss", Role::Manager).await;
    let clerk = hall.staff("lan", Role::Clerk).await;
    let say = |body: Value| {
        let boss = boss.clone();
        async move { boss.post("/api/messages", body).await }
    };
    let (status, _) = clerk
        .post("/api/messages", json!({"text_vi": "Xin chào"}))
        .await;
    assert_eq!(status, 403);
    for (body, code) in [
        (json!({"text_vi": "  "}), "bad_text"),
        (json!({"text_vi": "x".repeat(201)}), "bad_text"),
        (json!({"text_vi": "a\nb"}), "bad_text"),
        (
            json!({"text_vi": "ok", "text_en": "y".repeat(201)}),
            "bad_text_en",
        ),
        (json!({"text_vi": "ok", "minutes": 0}), "bad_minutes"),
        (json!({"text_vi": "ok", "minutes": 601}), "bad_minutes"),
        (json!({"text_vi": "ok", "service": "Z"}), "unknown_service"),
    ] {
        let (status, answer) = say(body.clone()).await;
        assert_eq!(
            (status, error_code(&answer)),
            (422, code),
            "{body}: {answer}"
        );
    }
    let (status, land) = say(json!({
        "text_vi": "Lĩnh vực đất đai tạm dừng 30 phút",
        "text_en": "Land desk paused for 30 minutes",
        "service": "B",
        "minutes": 30
    }))
    .await;
    assert_eq!(status, 201, "{land}");
    assert_eq!(land["service_name_vi"], "Đất đai – Xây dựng");
    assert_eq!(land["expires_at"], "2026-11-25T08:30:00+07:00");
    assert_eq!(land["expires_in_seconds"], 1800);
    let (status, _) = say(json!({"text_vi": "Chào buổi sáng", "minutes": 60})).await;
    assert_eq!(status, 201);

    // A phone of field A reads the hall's message only; one of field B both; the TV all.
    let anyone = hall.anonymous();
    let (_, a) = anyone.get("/api/messages?service=A").await;
    assert_eq!(texts(&a), ["Chào buổi sáng"]);
    let (_, b) = anyone.get("/api/messages?service=B").await;
    assert_eq!(
        texts(&b),
        ["Lĩnh vực đất đai tạm dừng 30 phút", "Chào buổi sáng"]
    );

    // At most ten up at once.
    for n in 0..8 {
        let (status, _) = say(json!({"text_vi": format!("Thông báo {n}"), "minutes": 60})).await;
        assert_eq!(status, 201);
    }
    let (status, full) = say(json!({"text_vi": "Một nữa"})).await;
    assert_eq!((status, error_code(&full)), (409, "too_many_messages"));

    // 08:30: the land message expired; withdrawn ones go at once, once.
    hall.clock.advance(chrono::Duration::minutes(30));
    let (_, b) = anyone.get("/api/messages?service=B").await;
    assert_eq!(texts(&b)[0], "Chào buổi sáng");
    assert_eq!(texts(&b).len(), 9);
    let id = b["messages"][0]["id"].as_i64().expect("id");
    let (status, _) = clerk
        .post(&format!("/api/messages/{id}/withdraw"), json!({}))
        .await;
    assert_eq!(status, 403);
    let (status, left) = boss
        .post(&format!("/api/messages/{id}/withdraw"), json!({}))
        .await;
    assert_eq!(status, 200, "{left}");
    assert_eq!(texts(&left).len(), 8);
    let (status, again) = boss
        .post(&format!("/api/messages/{id}/withdraw"), json!({}))
        .await;
    assert_eq!((status, error_code(&again)), (404, "message_not_found"));
    assert_eq!(logged(&hall, "message_posted"), 10);
    assert_eq!(logged(&hall, "message_withdrawn"), 1);
}

/// The manager writes on the dashboard; the hall TV and the phone of a land ticket show it
/// live; the phone of a civil-status ticket shows only the hall's message; withdrawn, it
/// leaves them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_managers_message_reaches_the_tv_and_the_fields_phones_live_and_leaves_when_withdrawn() {
    let hall = TestHall::start().await;
    hall.staff("boss", Role::Manager).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let land = kiosk.issue("B", "none").await;
    let civil = kiosk.issue("A", "none").await;

    let tv = Browser::open(1280, 720).await;
    tv.goto(&hall.url("/display/")).await;
    tv.wait_for("the TV live", "document.body.dataset.connected === 'true'")
        .await;
    let phone_b = Browser::open(390, 844).await;
    phone_b.goto(land["url"].as_str().expect("url")).await;
    phone_b
        .wait_for(
            "the land ticket",
            "document.body.dataset.status === 'waiting'",
        )
        .await;
    let phone_a = Browser::open(390, 844).await;
    phone_a.goto(civil["url"].as_str().expect("url")).await;
    phone_a
        .wait_for(
            "the civil status ticket",
            "document.body.dataset.status === 'waiting'",
        )
        .await;

    let dash = Browser::open(1440, 900).await;
    dash.goto(&hall.url("/dashboard/")).await;
    dash.wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    dash.type_into("#login-name", "boss").await;
    dash.type_into("#login-password", "boss-secret-pw").await;
    dash.click("button[data-action='login']").await;
    dash.wait_for(
        "the form's fields",
        "document.querySelector('#msg-field option[value=\"B\"]') !== null",
    )
    .await;
    // To land's queue.
    dash.eval("(function(){ const s = document.getElementById('msg-field'); s.value = 'B'; return true; })()")
        .await;
    dash.type_into("#msg-vi", "Lĩnh vực đất đai tạm dừng 30 phút")
        .await;
    dash.type_into("#msg-en", "Land desk paused for 30 minutes")
        .await;
    dash.click("#msg-form button[type='submit']").await;
    dash.wait_for(
        "the message listed",
        "document.querySelectorAll('#msg-list li').length === 1",
    )
    .await;
    dash.assert_accessible("messages-dashboard").await;
    dash.screenshot("messages-dashboard").await;

    tv.wait_for(
        "the message on the TV, naming the field",
        "document.getElementById('notice').textContent.includes('Đất đai – Xây dựng: Lĩnh vực đất đai tạm dừng 30 phút / Land desk paused for 30 minutes')",
    )
    .await;
    tv.screenshot("messages-tv").await;
    phone_b
        .wait_for(
            "the message on the land phone",
            "document.getElementById('msgs').innerText.includes('Lĩnh vực đất đai tạm dừng 30 phút')",
        )
        .await;
    phone_b
        .assert_accessible_in_both_languages("messages-phone")
        .await;
    phone_b.click("#lang").await;
    phone_b
        .wait_for(
            "the message in English",
            "document.getElementById('msgs').innerText.includes('Land desk paused for 30 minutes')",
        )
        .await;
    phone_b.click("#lang").await;

    // To everyone: the civil status phone shows that one, never land's.
    let (status, _) = hall
        .sign_in("boss")
        .await
        .post(
            "/api/messages",
            json!({"text_vi": "Hệ thống in phiếu đã hoạt động lại"}),
        )
        .await;
    assert_eq!(status, 201);
    phone_a
        .wait_for(
            "the hall's message on the civil status phone",
            "document.getElementById('msgs').innerText.includes('Hệ thống in phiếu đã hoạt động lại')",
        )
        .await;
    assert!(
        !phone_a.text("#msgs").await.contains("đất đai"),
        "{}",
        phone_a.text("#msgs").await
    );

    // Withdrawn on the dashboard: gone from the TV and the land phone.
    dash.wait_for(
        "both messages listed",
        "document.querySelectorAll('#msg-list li').length === 2",
    )
    .await;
    dash.click("#msg-list li:first-child button").await;
    tv.wait_for(
        "the land message gone from the TV",
        "!document.getElementById('notice').textContent.includes('đất đai') && document.getElementById('notice').textContent.includes('Hệ thống in phiếu')",
    )
    .await;
    phone_b
        .wait_for(
            "the land message gone from the phone",
            "!document.getElementById('msgs').innerText.includes('đất đai')",
        )
        .await;
    for page in [tv, phone_a, phone_b, dash] {
        page.close().await;
    }
}
