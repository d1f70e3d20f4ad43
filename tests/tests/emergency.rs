//! Staff in trouble: the emergency button on the clerk's console. It reaches the other
//! counters' consoles and the managers' dashboard at once (the staff feed, `/ws/staff`),
//! never the hall TV or a phone; it is logged; a manager (or the clerk) marks it handled.

use motcua_domain::{DeviceKind, Role};
use motcua_store as store;
use motcua_tests::browser::Browser;
use motcua_tests::{Socket, TestHall, error_code, next_json};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// A member of staff's session cookie (`motcua_session=...`), signed in afresh.
async fn session_cookie(hall: &TestHall, name: &str) -> String {
    let resp = reqwest::Client::new()
        .post(hall.url("/api/session"))
        .json(&json!({"name": name, "password": format!("{name}-secret-pw")}))
        .send()
        .await
        .expect("login request");
    assert_eq!(resp.status().as_u16(), 200, "login of {name}");
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("motcua_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned()
}

/// The staff feed as `name` opens it, past its snapshot (returned).
async fn staff_feed(hall: &TestHall, name: &str) -> (Socket, Value) {
    let mut request = format!("{}/ws/staff", hall.ws_base)
        .into_client_request()
        .expect("ws request");
    let cookie = session_cookie(hall, name).await;
    request
        .headers_mut()
        .insert("cookie", cookie.parse().expect("header"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the staff feed opens for staff");
    let first = next_json(&mut socket).await;
    assert_eq!(first["type"], "snapshot", "{first}");
    (socket, first)
}

fn counters_of(frame: &Value) -> Vec<u64> {
    frame["emergencies"]
        .as_array()
        .unwrap_or_else(|| panic!("a list in {frame}"))
        .iter()
        .filter_map(|e| e["counter"].as_u64())
        .collect()
}

/// The log's events of a kind, as (counter, user's name).
fn logged(hall: &TestHall, kind: &str) -> Vec<(Option<i64>, Option<String>)> {
    let conn = store::open_for_admin(hall.data_dir()).expect("open db");
    let mut stmt = conn
        .prepare(
            "SELECT e.counter_no, u.name FROM events e LEFT JOIN users u ON u.id = e.user_id
             WHERE e.kind = ?1 ORDER BY e.seq",
        )
        .expect("query");
    stmt.query_map([kind], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_emergency_reaches_staff_at_once_never_the_hall_tv_or_a_phone_and_is_logged_both_ways() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let lan = hall.clerk_at("lan", 1).await;
    let _mai = hall.clerk_at("mai", 3).await;
    let boss = hall.staff("boss", Role::Manager).await;
    let waiting = kiosk.issue("A", "none").await;

    let (mut tv, _) = hall.feed("/ws/hall").await;
    let (mut phone, _) = hall
        .feed(&format!(
            "/ws/tickets/{}",
            waiting["token"].as_str().expect("token")
        ))
        .await;
    let (mut console3, first) = staff_feed(&hall, "mai").await;
    assert_eq!(counters_of(&first), Vec::<u64>::new());
    let (mut dashboard, _) = staff_feed(&hall, "boss").await;

    // Counter 1's clerk presses the button.
    let (status, answer) = lan.post("/api/counters/1/emergency", json!({})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(counters_of(&answer), [1]);
    assert_eq!(answer["emergencies"][0]["by"], "lan");
    assert_eq!(answer["emergencies"][0]["raised_at"], "08:00");
    for feed in [&mut console3, &mut dashboard] {
        let frame = next_json(feed).await;
        assert_eq!(frame["type"], "emergencies", "{frame}");
        assert_eq!(frame["raised"], 1, "{frame}");
        assert_eq!(counters_of(&frame), [1]);
    }
    // Pressed again while open: nothing more is logged.
    let (status, again) = lan.post("/api/counters/1/emergency", json!({})).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(counters_of(&again), [1]);
    assert_eq!(
        logged(&hall, "emergency_raised"),
        [(Some(1), Some("lan".into()))]
    );

    // The hall TV and the phone hear nothing of it: the next thing they hear is the call
    // that follows (their feeds keep the log's order).
    lan.call_next(1)
        .await
        .expect("the waiting ticket is called");
    for (feed, what) in [(&mut tv, "the TV"), (&mut phone, "the phone")] {
        loop {
            let frame = next_json(feed).await;
            assert!(
                !frame.to_string().contains("emergenc"),
                "{what} heard: {frame}"
            );
            if frame["kind"] == "called" {
                break;
            }
        }
    }

    // A clerk elsewhere may not mark it handled; nor a device; the manager may.
    let (status, refused) = hall
        .staff("tam", Role::Clerk)
        .await
        .post("/api/counters/1/emergency/handled", json!({}))
        .await;
    assert_eq!(status, 403, "{refused}");
    let (status, _) = kiosk
        .post("/api/counters/1/emergency/handled", json!({}))
        .await;
    assert_eq!(status, 403);
    let (status, handled) = boss
        .post("/api/counters/1/emergency/handled", json!({}))
        .await;
    assert_eq!(status, 200, "{handled}");
    assert_eq!(counters_of(&handled), Vec::<u64>::new());
    for feed in [&mut console3, &mut dashboard] {
        let frame = next_json(feed).await;
        assert_eq!(frame["handled"], 1, "{frame}");
        assert_eq!(counters_of(&frame), Vec::<u64>::new());
    }
    let (status, twice) = boss
        .post("/api/counters/1/emergency/handled", json!({}))
        .await;
    assert_eq!(status, 409, "{twice}");
    assert_eq!(error_code(&twice), "no_emergency");
    assert_eq!(
        logged(&hall, "emergency_handled"),
        [(Some(1), Some("boss".into()))]
    );

    // Raised again, it survives a restart: read back from the log.
    let (status, _) = lan.post("/api/counters/1/emergency", json!({})).await;
    assert_eq!(status, 200);
    let hall = hall.restart().await;
    let (_, after) = staff_feed(&hall, "boss").await;
    assert_eq!(counters_of(&after), [1], "{after}");
    let (status, list) = hall.sign_in("mai").await.get("/api/emergencies").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(counters_of(&list), [1]);
}

#[tokio::test]
async fn only_the_clerk_holding_the_counter_may_press_its_emergency_button() {
    let hall = TestHall::start().await;
    let _lan = hall.clerk_at("lan", 1).await;
    let mai = hall.clerk_at("mai", 3).await;
    let (status, body) = mai.post("/api/counters/1/emergency", json!({})).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = hall
        .anonymous()
        .post("/api/counters/1/emergency", json!({}))
        .await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = mai.post("/api/counters/99/emergency", json!({})).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = mai.get("/api/emergencies").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(counters_of(&body), Vec::<u64>::new());
}

/// Three browsers, as in a hall: counter 1's clerk presses the button (asked once more),
/// counter 3's console rings and shows the banner, the manager's dashboard shows it with
/// its "handled" button; the manager marks it handled and every banner goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consoles_button_alerts_the_other_console_and_the_dashboard_and_the_manager_clears_it()
{
    let hall = TestHall::start().await;
    for (name, role) in [
        ("lan", Role::Clerk),
        ("mai", Role::Clerk),
        ("boss", Role::Manager),
    ] {
        hall.staff(name, role).await;
    }
    let console = hall.url("/counter/");
    let lan = Browser::open(1280, 800).await;
    lan.open_counter(&console, "lan", "lan-secret-pw", 1).await;
    let mai = Browser::open(1280, 800).await;
    mai.open_counter(&console, "mai", "mai-secret-pw", 3).await;
    let boss = Browser::open(1440, 900).await;
    boss.goto(&hall.url("/dashboard/")).await;
    boss.wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    boss.type_into("#login-name", "boss").await;
    boss.type_into("#login-password", "boss-secret-pw").await;
    boss.click("button[data-action='login']").await;
    boss.wait_for("the dashboard", "document.body.dataset.view === 'dash'")
        .await;
    // Both staff pages follow the staff feed before anything is raised.
    for page in [&mai, &boss] {
        page.wait_for(
            "the staff feed's snapshot",
            "document.getElementById('sos-banner').dataset.live === 'true'",
        )
        .await;
    }

    // Whatever the console says meanwhile (a long message at the bottom of the screen), the
    // button is on top where a finger lands.
    let on_top = lan
        .eval(
            "(function(){ const m = document.getElementById('message'); m.dataset.kind = 'info'; \
             m.textContent = 'Đã gọi lại số A001 — '.repeat(12); \
             const r = document.getElementById('sos-btn').getBoundingClientRect(); \
             const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); \
             m.textContent = ''; return hit && hit.closest('#sos-btn') !== null; })()",
        )
        .await;
    assert_eq!(on_top, true, "a message covers the emergency button");

    // One press only asks; "Không gửi" sends nothing.
    lan.click("#sos-btn").await;
    lan.wait_for("the question", "!document.getElementById('sos-ask').hidden")
        .await;
    let asked = lan.text("#sos-ask").await;
    assert!(asked.contains("Gửi báo động khẩn cấp?"), "{asked}");
    lan.assert_accessible("emergency-question").await;
    lan.screenshot("emergency-question").await;
    lan.click("#sos-no").await;
    lan.wait_for(
        "the question gone",
        "document.getElementById('sos-ask').hidden",
    )
    .await;
    let (_, none) = hall.sign_in("boss").await.get("/api/emergencies").await;
    assert_eq!(counters_of(&none), Vec::<u64>::new(), "nothing was sent");

    // Asked and confirmed: sent.
    lan.click("#sos-btn").await;
    lan.click("#sos-yes").await;
    lan.wait_for(
        "its own alarm shown",
        "document.querySelector('#sos-banner li[data-counter=\"1\"]') !== null",
    )
    .await;
    let own = lan.text("#sos-banner").await;
    assert!(
        own.contains("Quầy của bạn đã báo động khẩn cấp lúc 08:00"),
        "{own}"
    );

    // Counter 3 rings, and reads who needs help.
    mai.wait_for(
        "counter 1's alarm",
        "document.querySelector('#sos-banner li[data-counter=\"1\"]') !== null",
    )
    .await;
    let seen = mai.text("#sos-banner").await;
    assert!(
        seen.contains("Khẩn cấp: Quầy 1 cần hỗ trợ ngay (lan, lúc 08:00)."),
        "{seen}"
    );
    assert_eq!(
        mai.eval("window.motcuaEmergencyRings.map((r) => r.counter)")
            .await,
        json!([1]),
        "one alarm, for counter 1"
    );
    assert_eq!(
        mai.eval("document.querySelector('#sos-banner button') === null")
            .await,
        json!(true),
        "another counter's alarm is a manager's to mark handled"
    );
    mai.assert_accessible("emergency-other-console").await;
    mai.screenshot("emergency-other-console").await;
    assert_eq!(
        lan.eval("window.motcuaEmergencyRings.length").await,
        json!(0),
        "the clerk who pressed it hears no alarm of their own"
    );

    // The dashboard shows it with its button; the manager marks it handled.
    boss.wait_for(
        "counter 1's alarm on the dashboard",
        "document.querySelector('#sos-banner li[data-counter=\"1\"] button') !== null",
    )
    .await;
    boss.assert_accessible("emergency-dashboard").await;
    boss.screenshot("emergency-dashboard").await;
    boss.click("#sos-banner li[data-counter=\"1\"] button")
        .await;
    for (page, what) in [
        (&boss, "the dashboard"),
        (&mai, "counter 3"),
        (&lan, "counter 1"),
    ] {
        page.wait_for(
            &format!("the banner gone on {what}"),
            "document.getElementById('sos-banner').hidden",
        )
        .await;
    }
    let handled = logged(&hall, "emergency_handled");
    assert_eq!(handled, [(Some(1), Some("boss".into()))]);

    // In English too.
    mai.click("#lang-btn").await;
    lan.click("#sos-btn").await;
    lan.click("#sos-yes").await;
    mai.wait_for(
        "the alarm in English",
        "document.getElementById('sos-banner').innerText.includes('Emergency: counter 1 needs help now')",
    )
    .await;
    for page in [lan, mai, boss] {
        page.close().await;
    }
}
