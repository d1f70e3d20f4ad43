//! The citizen's phone page (`/t/{token}`) checked by axe-core against WCAG 2.2 A/AA and for
//! finger-sized targets (44 px) in each of its main states, at a phone's 390x844, in
//! Vietnamese and again in English after the switch: waiting with people ahead and an
//! estimate, no counter open for the field, called with the sound on ("Nghe thử"), being
//! served, the rating form, the thanks, transferred, cancelled, offline, and the page for an
//! address that is no ticket.

use motcua_domain::{DeviceKind, Role};
use motcua_tests::browser::Browser;
use motcua_tests::{Client, TestHall};
use serde_json::{Value, json};

const PHONE: (u32, u32) = (390, 844);

fn url(ticket: &Value) -> &str {
    ticket["url"].as_str().expect("ticket url")
}

async fn act(staff: &Client, ticket: &Value, action: &str, body: Value) {
    let (status, answer) = staff.act(ticket, action, body).await;
    assert_eq!(status, 200, "{action}: {answer}");
}

async fn wait_status(phone: &Browser, status: &str) {
    phone
        .wait_for(
            &format!("the ticket {status}"),
            &format!("document.body.dataset.status === '{status}'"),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_from_waiting_to_rated_passes_axe_with_finger_sized_targets_in_both_languages() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await; // serves A and D
    let first = kiosk.issue("A", "none").await;
    let mine = kiosk.issue("A", "none").await;

    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(url(&mine)).await;
    wait_status(&phone, "waiting").await;
    phone
        .wait_for(
            "one ahead, an estimate and the hall's name",
            "document.getElementById('ahead').textContent === '1' && /phút|lượt/.test(document.getElementById('eta').textContent) && document.getElementById('hall').textContent !== ''",
        )
        .await;
    // What the phone downloaded to show the ticket: the page's stylesheet and its one script
    // (the kit joined in), the hall's settings, the manager's messages to those waiting; no
    // fonts, nothing from elsewhere.
    let loaded = phone
        .eval(
            "performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).sort()",
        )
        .await;
    assert_eq!(
        loaded,
        json!([
            "/api/messages",
            "/api/services",
            "/phone/phone.css",
            "/phone/phone.js"
        ]),
        "what the phone page loads"
    );
    phone
        .assert_accessible_in_both_languages("phone-waiting")
        .await;

    // The person ahead is served; then it is this citizen's turn, with the sound on.
    let called = clerk.call_next(1).await.expect("A001 is called");
    assert_eq!(called["code"], first["code"]);
    act(&clerk, &first, "start", json!({})).await;
    act(&clerk, &first, "finish", json!({})).await;
    clerk.call_next(1).await.expect("A002 is called");
    wait_status(&phone, "called").await;
    // This browser lets sound play from the start; a phone does after one tap on the button.
    phone
        .eval("(function(){ window.motcuaAudio().suspend(); return true; })()")
        .await;
    phone
        .wait_for("sound blocked", "document.body.dataset.sound === 'off'")
        .await;
    phone.click("#sound-btn").await;
    phone
        .wait_for(
            "the sound on",
            "document.body.dataset.sound === 'on' && document.getElementById('sound-btn').textContent === 'Nghe thử'",
        )
        .await;
    phone
        .assert_accessible_in_both_languages("phone-called-sound-on")
        .await;

    act(&clerk, &mine, "start", json!({})).await;
    wait_status(&phone, "serving").await;
    phone
        .assert_accessible_in_both_languages("phone-serving")
        .await;

    act(&clerk, &mine, "finish", json!({})).await;
    phone
        .wait_for(
            "the rating form",
            "document.body.dataset.rate === 'form' && document.querySelectorAll('#levels button').length === 5",
        )
        .await;
    phone
        .assert_accessible_in_both_languages("phone-rating-form")
        .await;

    phone.click("button[data-rating='5']").await;
    phone
        .wait_for(
            "the visits question",
            "document.getElementById('rating').dataset.step === 'visits'",
        )
        .await;
    phone
        .assert_accessible_in_both_languages("phone-rating-visits")
        .await;
    phone.click("button[data-visits='1']").await;
    phone
        .wait_for("the thanks", "document.body.dataset.rate === 'thanks'")
        .await;
    phone
        .assert_accessible_in_both_languages("phone-thanks")
        .await;
    phone.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_states_that_need_a_sentence_pass_axe_with_finger_sized_targets_in_both_languages() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let manager = hall.staff("minh", Role::Manager).await;
    let _clerk = hall.clerk_at("lan", 1).await; // serves A and D, not B
    let land = kiosk.issue("B", "none").await;
    let moved = kiosk.issue("A", "none").await;
    let gone = kiosk.issue("A", "none").await;
    let phone = Browser::open(PHONE.0, PHONE.1).await;

    // No counter serves land and construction: said instead of an estimate.
    phone.goto(url(&land)).await;
    wait_status(&phone, "waiting").await;
    phone
        .wait_for(
            "no counter open",
            "document.getElementById('eta').textContent === 'Hiện chưa có quầy phục vụ lĩnh vực này.'",
        )
        .await;
    phone
        .assert_accessible_in_both_languages("phone-no-counter")
        .await;

    // Moved to another field: a sentence says from where to where.
    phone.goto(url(&moved)).await;
    wait_status(&phone, "waiting").await;
    act(&manager, &moved, "transfer", json!({"service": "D"})).await;
    phone
        .wait_for(
            "the transfer explained",
            "!document.getElementById('note').hidden && document.getElementById('note').textContent.includes('đã được chuyển')",
        )
        .await;
    phone
        .assert_accessible_in_both_languages("phone-transferred")
        .await;

    // Cancelled: why, and nothing to rate.
    act(&manager, &gone, "cancel", json!({})).await;
    phone.goto(url(&gone)).await;
    wait_status(&phone, "cancelled").await;
    phone
        .wait_for("the reason", "!document.getElementById('note').hidden")
        .await;
    phone
        .assert_accessible_in_both_languages("phone-cancelled")
        .await;

    // An address that is no ticket: both languages at once.
    phone.goto(&hall.url("/t/not-a-ticket")).await;
    phone
        .wait_for("the heading", "document.querySelector('h1')")
        .await;
    phone.assert_accessible("phone-not-found").await;
    phone.assert_touch_targets("phone-not-found", 44).await;

    // The hall's server goes away: the offline banner.
    phone.goto(url(&land)).await;
    wait_status(&phone, "waiting").await;
    phone
        .wait_for("live", "document.body.dataset.connected === 'true'")
        .await;
    drop(hall);
    phone
        .wait_for("offline", "document.body.dataset.connected === 'false'")
        .await;
    phone
        .assert_accessible_in_both_languages("phone-offline")
        .await;
    phone.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booked_ticket_says_it_is_called_by_its_booked_time_and_passes_axe() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let (status, booking) = hall
        .anonymous()
        .post(
            "/api/bookings",
            json!({"service": "A", "day": "2026-11-25", "window": "08:30",
                "person": "0912000001", "consent": true}),
        )
        .await;
    assert_eq!(status, 201, "{booking}");
    let (status, mine) = kiosk
        .post("/api/check-in", json!({"code": booking["code"]}))
        .await;
    assert_eq!(status, 201, "{mine}");
    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(url(&mine)).await;
    wait_status(&phone, "waiting").await;
    phone
        .wait_for(
            "the booked time",
            "!document.getElementById('note').hidden && document.getElementById('note').textContent.includes('giờ hẹn 08:30')",
        )
        .await;
    phone
        .assert_accessible_in_both_languages("phone-booked")
        .await;
    phone.close().await;
}
