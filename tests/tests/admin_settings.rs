//! The hall's settings changed while it runs (`/api/admin/settings`): a field added, a
//! target changed, a counter given new fields, applied at once to the kiosk, the screens and
//! the next call, kept across a restart (the database wins over the file), sent back to the
//! file's, refused with the key and the reason when wrong (nothing changed then), refused
//! while people wait in a field taken away or a counter taken away is open, and every
//! change in the audit list with who, before and after.

use motcua_domain::{DeviceKind, Role};
use motcua_tests::{TestHall, error_code, next_json};
use serde_json::{Value, json};

/// The live sections by name.
async fn sections(client: &motcua_tests::Client) -> Value {
    let (status, body) = client.get("/api/admin/settings").await;
    assert_eq!(status, 200, "{body}");
    let mut by_name = serde_json::Map::new();
    for s in body["sections"].as_array().expect("sections") {
        by_name.insert(s["section"].as_str().unwrap().to_owned(), s.clone());
    }
    Value::Object(by_name)
}

fn field<'a>(services: &'a Value, code: &str) -> &'a Value {
    services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap_or_else(|| panic!("no field {code} in {services}"))
}

#[tokio::test]
async fn an_admin_adds_a_field_and_a_counter_for_it_and_the_hall_uses_them_at_once_and_after_a_restart()
 {
    let hall = TestHall::start().await;
    let admin = hall.staff("lan", Role::Admin).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let (mut tv, first) = hall.feed("/ws/hall").await;
    assert!(
        first["services"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["code"] != "F")
    );

    let before = sections(&admin).await;
    assert!(
        before["services"]["changed_at"].is_null(),
        "the file's to begin with"
    );
    let mut services = before["services"]["value"].clone();
    services.as_array_mut().unwrap().push(json!({
        "code": "F",
        "name_vi": "Hộ kinh doanh",
        "name_en": "Household business",
        "target_wait_minutes": 25,
        "service_minutes": 12,
        "icon": "shop",
    }));
    services[1]["target_wait_minutes"] = json!(30);
    let (status, body) = admin
        .put(
            "/api/admin/settings/services",
            json!({"value": services.clone()}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["section"]["changed_by"], "lan");
    assert!(
        body["section"]["changed_at"]
            .as_str()
            .unwrap()
            .ends_with("+07:00")
    );
    assert_eq!(field(&body["section"]["value"], "F")["icon"], "shop");

    // The kiosk's list and the TV have it at once: the TV starts again from a snapshot.
    let (_, info) = hall.anonymous().get("/api/services").await;
    assert_eq!(field(&info["services"], "F")["name_vi"], "Hộ kinh doanh");
    assert_eq!(field(&info["services"], "F")["icon"], "shop");
    assert_eq!(field(&info["services"], "B")["target_wait_minutes"], 30);
    let frame = next_json(&mut tv).await;
    assert_eq!(frame["type"], "snapshot", "{frame}");
    assert_eq!(field(&frame["services"], "F")["waiting"], 0);

    // A ticket in the new field; nobody serves it until a counter does.
    let ticket = kiosk.issue("F", "none").await;
    assert_eq!(ticket["code"], "F001");
    let mut counters = before["counters"]["value"].clone();
    counters
        .as_array_mut()
        .unwrap()
        .push(json!({"no": 5, "services": ["F", "A"]}));
    let (status, body) = admin
        .put("/api/admin/settings/counters", json!({"value": counters}))
        .await;
    assert_eq!(status, 200, "{body}");
    let clerk = hall.clerk_at("minh", 5).await;
    let called = clerk.call_next(5).await.expect("counter 5 calls F001");
    assert_eq!(called["code"], "F001");

    // Every change is in the audit list, newest first, with before and after.
    let (status, audit) = admin.get("/api/audit").await;
    assert_eq!(status, 200, "{audit}");
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(entries[0]["subject"], "settings:counters");
    assert_eq!(entries[1]["subject"], "settings:services");
    assert_eq!(entries[1]["by"], "lan");
    assert_eq!(entries[1]["action"], "changed");
    assert_eq!(field(&entries[1]["before"], "B")["target_wait_minutes"], 20);
    assert_eq!(field(&entries[1]["after"], "B")["target_wait_minutes"], 30);
    assert!(
        entries[1]["before"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["code"] != "F")
    );

    // The database wins over the file across a restart.
    let hall = hall.restart().await;
    let admin = hall.sign_in("lan").await;
    let (_, info) = hall.anonymous().get("/api/services").await;
    assert_eq!(field(&info["services"], "F")["target_wait_minutes"], 25);
    let now = sections(&admin).await;
    assert_eq!(now["counters"]["changed_by"], "lan");
    assert!(
        now["counters"]["file"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["no"] != 5)
    );

    // Back to the file's counters: counter 5 is open, so first it must close.
    let (status, body) = admin.delete("/api/admin/settings/counters").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(error_code(&body), "counter_open");
    let clerk = hall.sign_in("minh").await;
    for step in ["start", "finish"] {
        let (status, body) = clerk.act(&called, step, json!({})).await;
        assert_eq!(status, 200, "{step}: {body}");
    }
    let (status, body) = clerk.post("/api/counters/5/close", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = admin.delete("/api/admin/settings/counters").await;
    assert_eq!(status, 200, "{body}");
    assert!(body["section"]["changed_at"].is_null());
    let (_, list) = admin.get("/api/counters").await;
    assert!(
        list.as_array()
            .or(list["counters"].as_array())
            .unwrap()
            .iter()
            .all(|c| c["no"] != 5),
        "{list}"
    );
    let (_, audit) = admin.get("/api/audit?limit=1").await;
    assert_eq!(audit["entries"][0]["action"], "reset");
    assert_eq!(audit["next_before"], audit["entries"][0]["seq"]);
}

#[tokio::test]
async fn a_wrong_or_unsafe_change_is_refused_with_its_reason_and_changes_nothing() {
    let hall = TestHall::start().await;
    let admin = hall.staff("lan", Role::Admin).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    let clerk = hall.clerk_at("minh", 2).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    kiosk.issue("E", "none").await;
    let start = sections(&admin).await;
    let services = start["services"]["value"].clone();

    let refused = |mut value: Value, path: &'static str, change: fn(&mut Value)| {
        change(&mut value);
        let admin = &admin;
        async move {
            let (status, body) = admin.put(path, json!({"value": value})).await;
            (status, body)
        }
    };
    // A value the file would refuse: the key and why.
    let (status, body) = refused(services.clone(), "/api/admin/settings/services", |s| {
        s[1]["target_wait_minutes"] = json!(0);
    })
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), "bad_setting");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("services[1].target_wait_minutes"),
        "{body}"
    );
    // An unknown key, a counter serving a field that does not exist, a field twice.
    for change in [
        (|s: &mut Value| s[0]["colour"] = json!("red")) as fn(&mut Value),
        |s| s[1]["code"] = s[0]["code"].clone(),
        |s| s[0]["name_vi"] = json!("x".repeat(101)),
        |s| s[0]["icon"] = json!("rocket"),
    ] {
        let (status, body) =
            refused(services.clone(), "/api/admin/settings/services", change).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(error_code(&body), "bad_setting", "{body}");
    }
    let (status, body) = refused(
        start["counters"]["value"].clone(),
        "/api/admin/settings/counters",
        |c| {
            c[0]["services"] = json!(["Z"]);
        },
    )
    .await;
    assert_eq!((status, error_code(&body)), (422, "bad_setting"), "{body}");
    // The time zone numbers the day: only the file changes it.
    let (status, body) = refused(
        start["hall"]["value"].clone(),
        "/api/admin/settings/hall",
        |h| {
            h["timezone"] = json!("Asia/Bangkok");
        },
    )
    .await;
    assert_eq!((status, error_code(&body)), (422, "bad_setting"), "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("timezone")
    );
    // A field still served by a counter cannot go; nor can an open counter.
    let (status, body) = refused(services.clone(), "/api/admin/settings/services", |s| {
        s.as_array_mut().unwrap().retain(|f| f["code"] != "E");
    })
    .await;
    assert_eq!((status, error_code(&body)), (422, "bad_setting"), "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("counters[1].services")
    );
    let (status, body) = refused(
        start["counters"]["value"].clone(),
        "/api/admin/settings/counters",
        |c| {
            c.as_array_mut().unwrap().retain(|x| x["no"] != 2);
        },
    )
    .await;
    assert_eq!((status, error_code(&body)), (409, "counter_open"), "{body}");
    // Not a section the pages change; not an admin.
    let (status, body) = admin
        .put("/api/admin/settings/server", json!({"value": {}}))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "unknown_section"),
        "{body}"
    );
    let (status, body) = manager
        .put(
            "/api/admin/settings/hall",
            json!({"value": start["hall"]["value"].clone()}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = clerk.get("/api/admin/settings").await;
    assert_eq!(status, 403);

    // Nothing changed, nothing audited.
    assert_eq!(sections(&admin).await, start);
    let (_, audit) = admin.get("/api/audit").await;
    assert_eq!(audit["entries"], json!([]));
    let (_, info) = hall.anonymous().get("/api/services").await;
    assert_eq!(info["services"].as_array().unwrap().len(), 5);

    // Once no counter serves it, field E still cannot go while someone waits in it.
    let mut counters = start["counters"]["value"].clone();
    counters[1]["services"] = json!(["B"]);
    let (status, body) = admin
        .put("/api/admin/settings/counters", json!({"value": counters}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = refused(services.clone(), "/api/admin/settings/services", |s| {
        s.as_array_mut().unwrap().retain(|f| f["code"] != "E");
    })
    .await;
    assert_eq!((status, error_code(&body)), (409, "field_in_use"), "{body}");
}

#[tokio::test]
async fn the_voice_and_the_queue_rules_change_live() {
    let hall = TestHall::start().await;
    let admin = hall.staff("lan", Role::Admin).await;
    let start = sections(&admin).await;
    let mut voice = start["announcements"]["value"].clone();
    voice["volume"] = json!(40);
    voice["chime"] = json!(false);
    let (status, body) = admin
        .put("/api/admin/settings/announcements", json!({"value": voice}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, info) = hall.anonymous().get("/api/services").await;
    assert_eq!(info["announcements"], json!({"volume": 40, "chime": false}));

    let mut queue = start["queue"]["value"].clone();
    queue["absent_undo_minutes"] = json!(5);
    let (status, body) = admin
        .put("/api/admin/settings/queue", json!({"value": queue}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, info) = hall.anonymous().get("/api/services").await;
    assert_eq!(info["absent_undo_minutes"], 5);
}
