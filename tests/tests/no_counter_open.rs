//! A field no open counter serves: the server says so in every view of a waiting ticket
//! (`no_counter_open`), so the kiosk, the phone and the console tell the citizen and the
//! clerk plainly instead of an estimate or "you are next"; and a transferred ticket says
//! where it came from (`transferred_from`), so a phone opened afresh gives the right reason.
//! The demo hall: counter 1 serves A and D, counter 2 B and E, 3 C and A, 4 D, A and C.

use motcua_domain::{DeviceKind, Role};
use motcua_tests::browser::Browser;
use motcua_tests::{TestHall, next_event};
use serde_json::{Value, json};

fn token(ticket: &Value) -> &str {
    ticket["token"].as_str().expect("ticket token")
}

const PHONE: (u32, u32) = (390, 844);
const NO_COUNTER: &str = "Hiện chưa có quầy phục vụ lĩnh vực này.";

/// The text of an element as the citizen reads it ("" when hidden).
async fn text(page: &Browser, id: &str) -> String {
    page.eval(&format!(
        "(document.getElementById('{id}')?.innerText ?? '').trim()"
    ))
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

async fn visible(page: &Browser, id: &str) -> bool {
    page.eval(&format!(
        "(document.getElementById('{id}')?.offsetParent ?? null) !== null"
    ))
    .await
    .as_bool()
    .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_transferred_into_a_field_no_counter_serves_says_so_everywhere() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await; // A and D; nobody at counter 2 (B and E)
    let mine = kiosk.issue("A", "none").await;
    assert_eq!(mine["no_counter_open"], false, "counter 1 serves A: {mine}");
    assert_eq!(mine["transferred_from"], Value::Null);

    let (mut phone, first) = hall.feed(&format!("/ws/tickets/{}", token(&mine))).await;
    assert_eq!(first["ticket"]["no_counter_open"], false);

    // Called, then sent to land and construction, which no open counter serves.
    let called = clerk.call_next(1).await.expect("A001 is called");
    assert_eq!(called["no_counter_open"], false, "not waiting: {called}");
    let (status, moved) = clerk.act(&mine, "transfer", json!({"service": "B"})).await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["status"], "waiting");
    assert_eq!(moved["no_counter_open"], true, "{moved}");
    assert_eq!(
        moved["transferred_from"],
        json!({"service": "A", "service_name_vi": "Tư pháp – Hộ tịch", "service_name_en": "Justice – Civil status"})
    );

    // The phone's live frame, its page read afresh, and its socket opened afresh.
    let frame = next_event(&mut phone, "transferred").await;
    assert_eq!(frame["ticket"]["no_counter_open"], true, "{frame}");
    assert_eq!(
        frame["ticket"]["transferred_from"]["service"], "A",
        "{frame}"
    );
    let (status, seen) = hall
        .anonymous()
        .get(&format!("/api/tickets/{}", token(&mine)))
        .await;
    assert_eq!(status, 200);
    assert_eq!(seen["no_counter_open"], true, "{seen}");
    assert_eq!(seen["transferred_from"]["service"], "A", "{seen}");
    let (_fresh, snapshot) = hall.feed(&format!("/ws/tickets/{}", token(&mine))).await;
    assert_eq!(snapshot["ticket"]["no_counter_open"], true, "{snapshot}");
    assert_eq!(snapshot["ticket"]["transferred_from"]["service"], "A");

    // The manager's list says it too, and the kiosk's list of fields counts no counter.
    let manager = hall.staff("minh", Role::Manager).await;
    let (_, list) = manager.get("/api/tickets?status=waiting").await;
    let listed = list["tickets"]
        .as_array()
        .expect("tickets")
        .iter()
        .find(|t| t["id"] == mine["id"])
        .cloned()
        .expect("the ticket is listed");
    assert_eq!(listed["no_counter_open"], true, "{listed}");
    let (_, services) = hall.anonymous().get("/api/services").await;
    let land = services["services"]
        .as_array()
        .expect("services")
        .iter()
        .find(|s| s["code"] == "B")
        .cloned()
        .expect("field B");
    assert_eq!(land["counters_open"], 0);

    // A counter serving B opens: the phone hears it at once, an estimate again.
    let hoa = hall.clerk_at("hoa", 2).await;
    let frame = next_event(&mut phone, "counter_opened").await;
    assert_eq!(frame["ticket"]["no_counter_open"], false, "{frame}");
    assert!(frame["ticket"]["eta_minutes"].is_u64(), "{frame}");

    // Paused: no counter open again, live; and a paused counter's console sees it.
    let (status, body) = hoa
        .post("/api/counters/2/pause", json!({"reason": "Họp"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let frame = next_event(&mut phone, "counter_paused").await;
    assert_eq!(frame["ticket"]["no_counter_open"], true, "{frame}");
    let (_, snapshot) = hall.feed("/ws/counters/2").await;
    let waiting = snapshot["waiting"].as_array().expect("waiting list");
    assert_eq!(waiting.len(), 1, "{snapshot}");
    assert_eq!(waiting[0]["no_counter_open"], true, "{snapshot}");

    // A ticket of a field that is served says nothing of the kind, and is not "transferred".
    let other = kiosk.issue("D", "none").await;
    assert_eq!(other["no_counter_open"], false);
    assert_eq!(other["transferred_from"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_issued_while_its_fields_counters_are_closed_says_no_counter_is_open() {
    let hall = TestHall::start().await;
    let clerk = hall.staff("lan", Role::Clerk).await;
    // Counter 2 opens and pauses: B has a counter, none open.
    let (status, body) = clerk.post("/api/counters/2/open", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = clerk
        .post("/api/counters/2/pause", json!({"reason": "Nghỉ trưa"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let ticket = kiosk.issue("B", "none").await;
    assert_eq!(ticket["no_counter_open"], true, "{ticket}");
    let (_, seen) = hall
        .anonymous()
        .get(&format!("/api/tickets/{}", token(&ticket)))
        .await;
    assert_eq!(seen["no_counter_open"], true, "{seen}");

    // Resumed: served again.
    let (status, body) = clerk.post("/api/counters/2/resume", json!({})).await;
    assert_eq!(status, 200, "{body}");
    let (_, seen) = hall
        .anonymous()
        .get(&format!("/api/tickets/{}", token(&ticket)))
        .await;
    assert_eq!(seen["no_counter_open"], false, "{seen}");
}

/// Defect 5 of issue 14 on the phone: after a transfer into a field with no open counter
/// the page said "Bạn là người tiếp theo. Hãy ở gần quầy."; opened afresh it said the
/// ticket had been sent back to the queue ("trả lại hàng chờ"), because a ticket called
/// before and waiting again looked returned. Now it says no counter serves the field, live
/// and afresh, and that the ticket was transferred; and it hears when a counter opens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_says_no_counter_serves_the_field_after_a_transfer_live_and_opened_afresh() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await; // A and D; counter 2 (B and E) is closed
    let mine = kiosk.issue("A", "none").await;
    let url = mine["url"].as_str().expect("url");

    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(url).await;
    phone
        .wait_for("waiting", "document.body.dataset.status === 'waiting'")
        .await;
    assert!(
        !text(&phone, "eta").await.starts_with(NO_COUNTER),
        "counter 1 serves A"
    );
    assert!(visible(&phone, "next").await, "nobody ahead: next");

    clerk.call_next(1).await.expect("A001 is called");
    phone
        .wait_for("called", "document.body.dataset.status === 'called'")
        .await;
    let (status, body) = clerk.act(&mine, "transfer", json!({"service": "B"})).await;
    assert_eq!(status, 200, "{body}");
    phone
        .wait_for(
            "the new field",
            "document.getElementById('field').textContent === 'Đất đai – Xây dựng'",
        )
        .await;
    assert!(
        !visible(&phone, "next").await,
        "not \"you are next\" with no counter open: {}",
        text(&phone, "queue").await
    );
    assert_eq!(
        text(&phone, "eta").await,
        NO_COUNTER,
        "instead of an estimate"
    );
    let why = text(&phone, "note").await;
    assert!(
        why.contains("đã được chuyển từ lĩnh vực «Tư pháp – Hộ tịch»"),
        "{why}"
    );
    phone.screenshot("phone-no-counter-live-390x844").await;

    // Opened afresh on another phone (nothing remembered): the same reasons.
    let fresh = Browser::open(PHONE.0, PHONE.1).await;
    fresh.goto(url).await;
    fresh
        .wait_for("waiting", "document.body.dataset.status === 'waiting'")
        .await;
    fresh
        .wait_for(
            "the reason, with the hall's field names",
            "!document.getElementById('note').hidden && document.getElementById('hall').textContent !== ''",
        )
        .await;
    let why = text(&fresh, "note").await;
    assert!(!why.contains("trả lại hàng chờ"), "not returned: {why}");
    assert!(
        why.contains("đã được chuyển từ lĩnh vực «Tư pháp – Hộ tịch» sang «Đất đai – Xây dựng»"),
        "{why}"
    );
    assert_eq!(text(&fresh, "eta").await, NO_COUNTER);
    assert!(!visible(&fresh, "next").await);
    fresh.screenshot("phone-no-counter-fresh-390x844").await;
    fresh.click("#lang").await;
    fresh
        .wait_for("English", "document.documentElement.lang === 'en'")
        .await;
    assert_eq!(
        text(&fresh, "eta").await,
        "No counter is serving this field right now."
    );
    assert!(
        text(&fresh, "note")
            .await
            .contains("moved from “Justice – Civil status”")
    );
    fresh.close().await;

    // A counter serving B opens: the estimate is back, live.
    let _hoa = hall.clerk_at("hoa", 2).await;
    phone
        .wait_for(
            "the estimate again",
            "/phút|lượt/.test(document.getElementById('eta').textContent)",
        )
        .await;
    assert!(visible(&phone, "next").await, "nobody ahead in B: next");
    phone.close().await;
}

/// Defect 5 of issue 14 at the counter: the console transferred a citizen into a field no
/// open counter serves without a word. Now such fields are marked in the list, and the
/// first press warns; only a second press transfers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_warns_before_transferring_into_a_field_no_counter_serves() {
    let hall = TestHall::start().await;
    hall.staff("lan", Role::Clerk).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let mine = kiosk.issue("A", "none").await;

    let console = Browser::open(1366, 768).await;
    console
        .open_counter(&hall.url("/counter/"), "lan", "lan-secret-pw", 1)
        .await;
    console.click("button[data-action='next']").await;
    console
        .wait_for(
            "A001 at the counter",
            "document.getElementById('current-code').textContent === 'A001'",
        )
        .await;

    // Land and construction (B) has no open counter: marked in the list.
    let options = console
        .eval("[...document.querySelectorAll('#transfer-service option')].map(o => o.textContent)")
        .await;
    let land = options
        .as_array()
        .expect("options")
        .iter()
        .filter_map(Value::as_str)
        .find(|o| o.starts_with("B ·"))
        .expect("field B is offered")
        .to_owned();
    assert!(land.ends_with("— chưa có quầy mở"), "{options}");
    assert!(
        options
            .as_array()
            .expect("options")
            .iter()
            .any(|o| o.as_str() == Some("D · Chứng thực")),
        "a served field is not marked: {options}"
    );

    // The first press warns and moves nothing.
    console
        .eval("(function(){ const s = document.getElementById('transfer-service'); s.value = 'B'; s.dispatchEvent(new Event('change')); return true; })()")
        .await;
    console.click("button[data-action='transfer']").await;
    let said = console
        .wait_for(
            "a message",
            "document.getElementById('message').textContent || null",
        )
        .await;
    let said = said.as_str().expect("the message").to_owned();
    assert!(
        said.starts_with("Hiện chưa có quầy phục vụ lĩnh vực này (Đất đai – Xây dựng)"),
        "{said}"
    );
    let (_, seen) = hall
        .anonymous()
        .get(&format!("/api/tickets/{}", token(&mine)))
        .await;
    assert_eq!(seen["status"], "called", "not transferred yet: {seen}");
    assert_eq!(seen["service"], "A");
    console
        .screenshot("console-transfer-no-counter-1366x768")
        .await;

    // The second press transfers.
    console.click("button[data-action='transfer']").await;
    console
        .wait_for(
            "the counter free again",
            "document.getElementById('current-code').textContent === '—'",
        )
        .await;
    let (_, seen) = hall
        .anonymous()
        .get(&format!("/api/tickets/{}", token(&mine)))
        .await;
    assert_eq!(seen["status"], "waiting", "{seen}");
    assert_eq!(seen["service"], "B");
    assert_eq!(seen["no_counter_open"], true);
    console.close().await;
}

/// The kiosk's field buttons say when no counter serves a field: on a break (its counters
/// paused, numbers still given) and closed (none open or paused, no numbers).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_says_which_fields_no_counter_serves_right_now() {
    let hall = TestHall::start().await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 2).await; // B and E
    let (status, body) = clerk
        .post("/api/counters/2/pause", json!({"reason": "Họp"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let _other = hall.clerk_at("hoa", 1).await; // A and D open

    let kiosk = Browser::open(1080, 1920).await;
    kiosk
        .goto(&hall.url(&format!("/kiosk/?token={token}")))
        .await;
    kiosk
        .wait_for(
            "the field buttons",
            "document.querySelector(\"button[data-field='C']\")",
        )
        .await;
    let button = |code: &str| {
        format!(
            "document.querySelector(\"button[data-field='{code}']\").innerText.replace(/\\s+/g, ' ')"
        )
    };
    let land = kiosk.eval(&button("B")).await;
    let land = land.as_str().unwrap_or_default().to_owned();
    assert!(land.contains("Tạm nghỉ"), "{land}");
    assert!(
        land.contains("Hiện chưa có quầy phục vụ lĩnh vực này"),
        "{land}"
    );
    let labour = kiosk.eval(&button("C")).await;
    assert!(
        labour
            .as_str()
            .is_some_and(|c| c.contains("Hiện chưa có quầy phục vụ lĩnh vực này")),
        "{labour}"
    );
    let justice = kiosk.eval(&button("A")).await;
    assert!(
        justice
            .as_str()
            .is_some_and(|a| !a.contains("chưa có quầy")),
        "{justice}"
    );
    // Nothing spills out of its button, upright or on its side.
    let spills = "[...document.querySelectorAll('button[data-field]')].filter((b) => { const c = b.querySelector('.count').getBoundingClientRect(), r = b.getBoundingClientRect(); return c.right > r.right + 1 || c.bottom > r.bottom + 1 || c.left < r.left - 1; }).map((b) => b.dataset.field)";
    assert_eq!(kiosk.eval(spills).await, json!([]), "portrait");
    kiosk.screenshot("kiosk-no-counter-1080x1920").await;
    kiosk.close().await;
    let landscape = Browser::open(1920, 1080).await;
    landscape
        .goto(&hall.url(&format!("/kiosk/?token={token}")))
        .await;
    landscape
        .wait_for(
            "the field buttons",
            "document.querySelector(\"button[data-field='C']\")",
        )
        .await;
    assert_eq!(landscape.eval(spills).await, json!([]), "landscape");
    landscape.screenshot("kiosk-no-counter-1920x1080").await;
    landscape.close().await;
}
