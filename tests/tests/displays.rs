//! The hall TV and the counter display in real Chromium, against the real hall: a call
//! comes down from the TV the moment its ticket or counter moves on (returned,
//! transferred, cancelled, absent, then the counter paused or closed), a call that holds
//! goes back to the welcome panel after its time by the hall's clock, an absence taken back
//! by calling the ticket again is shown and announced like any call, the counter display
//! never says "Đang phục vụ" without a ticket, and no label of the TV is clipped.

use motcua_tests::browser::Browser;
use motcua_tests::{Client, TestHall};
use serde_json::{Value, json};

/// A kiosk (a new one each time), to issue tickets.
fn kiosk(hall: &TestHall) -> Client {
    static KIOSKS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = KIOSKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    hall.device(&format!("kiosk-{n}"), motcua_domain::DeviceKind::Kiosk)
}

/// The TV (1920x1080) and counter 1's display, both online.
async fn screens(hall: &TestHall) -> (Browser, Browser) {
    let tv = Browser::open(1920, 1080).await;
    tv.goto(&hall.url("/display/")).await;
    let display = Browser::open(1920, 1080).await;
    display.goto(&hall.url("/display/?counter=1")).await;
    for b in [&tv, &display] {
        b.wait_for("online", "document.body.dataset.connected === 'true'")
            .await;
    }
    (tv, display)
}

/// Counter 1 (fields A and D) calls D001; both screens show the call.
async fn a_call_at_counter_1(hall: &TestHall) -> (Client, Value, Browser, Browser) {
    a_call_at_counter_1_checking_it_idle(hall, false).await
}

/// [`a_call_at_counter_1`], first checking (`idle`) what the counter display says while
/// the open counter has nobody.
async fn a_call_at_counter_1_checking_it_idle(
    hall: &TestHall,
    idle: bool,
) -> (Client, Value, Browser, Browser) {
    let clerk = hall.clerk_at("lan", 1).await;
    let (tv, display) = screens(hall).await;
    if idle {
        counter_display_is(&display, "open", "Sẵn sàng phục vụ").await;
    }
    kiosk(hall).issue("D", "none").await;
    let ticket = clerk.call_next(1).await.expect("D001 called");
    assert_eq!(ticket["code"], "D001");
    tv.wait_for(
        "D001 -> 1 on the TV",
        "!document.getElementById('latest').classList.contains('empty') \
         && document.getElementById('latest-code').textContent.trim() === 'D001' \
         && document.getElementById('latest-counter').textContent.trim() === '1'",
    )
    .await;
    display
        .wait_for(
            "D001 on the counter display",
            "document.getElementById('counter-current').textContent.trim() === 'D001'",
        )
        .await;
    (clerk, ticket, tv, display)
}

/// The TV's big panel shows the welcome, not a call, and its recent list says what became
/// of D001.
async fn tv_took_the_call_down(tv: &Browser, fate: &str) {
    tv.wait_for(
        "the welcome panel instead of D001",
        "document.getElementById('latest').classList.contains('empty') \
         && getComputedStyle(document.querySelector('.latest-idle')).display !== 'none' \
         && getComputedStyle(document.querySelector('.latest-row')).display === 'none'",
    )
    .await;
    let row = tv
        .wait_for(
            "D001's fate in the recent list",
            &format!(
                "(r => r && r.dataset.fate === '{fate}' && r.innerText)\
                 (document.querySelector('#recent li[data-code=\"D001\"]'))"
            ),
        )
        .await;
    let struck = tv
        .eval(
            "getComputedStyle(document.querySelector('#recent li[data-code=\"D001\"] .rc-number'))\
             .textDecorationLine",
        )
        .await;
    if fate == "done" {
        assert_eq!(struck, "none", "a served call is plain history: {row}");
    } else {
        assert_eq!(struck, "line-through", "a call taken down is struck: {row}");
    }
}

/// The counter display shows no ticket and its footer says `state`, never "Đang phục vụ".
async fn counter_display_is(display: &Browser, state: &str, text: &str) {
    display
        .wait_for(
            "no ticket on the counter display",
            &format!(
                "document.getElementById('counter-current').textContent.trim() === '—' \
                 && document.getElementById('counter-state').dataset.state === '{state}' \
                 && document.getElementById('counter-state').innerText.includes('{text}')"
            ),
        )
        .await;
    let footer = display
        .eval("document.getElementById('counter-state').innerText")
        .await;
    assert!(
        !footer.as_str().unwrap_or("").contains("Đang phục vụ"),
        "no 'now serving' without a ticket: {footer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_returned_ticket_leaves_the_tv_at_once_and_the_paused_counter_sends_nobody() {
    // The issue's morning: D002 returned to the queue, then counter 1 paused.
    let hall = TestHall::start().await;
    let (clerk, ticket, tv, display) = a_call_at_counter_1(&hall).await;
    let (status, body) = clerk.act(&ticket, "return", json!({})).await;
    assert_eq!(status, 200, "{body}");
    tv_took_the_call_down(&tv, "requeued").await;
    counter_display_is(&display, "open", "Sẵn sàng phục vụ").await;
    let (status, body) = clerk
        .post("/api/counters/1/pause", json!({"reason": "họp"}))
        .await;
    assert_eq!(status, 200, "{body}");
    tv_took_the_call_down(&tv, "requeued").await;
    counter_display_is(&display, "paused", "Tạm dừng").await;
    tv.screenshot("displays-tv-returned-1920x1080").await;
    display
        .screenshot("displays-counter-paused-1920x1080")
        .await;
    // A fresh TV (a reboot) draws the same from its snapshot.
    tv.goto(&hall.url("/display/")).await;
    tv.wait_for("online", "document.body.dataset.connected === 'true'")
        .await;
    tv_took_the_call_down(&tv, "requeued").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transferred_ticket_leaves_the_tv_and_the_counter_display() {
    let hall = TestHall::start().await;
    let (clerk, ticket, tv, display) = a_call_at_counter_1(&hall).await;
    let (status, body) = clerk
        .act(&ticket, "transfer", json!({"service": "B"}))
        .await;
    assert_eq!(status, 200, "{body}");
    tv_took_the_call_down(&tv, "requeued").await;
    counter_display_is(&display, "open", "Sẵn sàng phục vụ").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_ticket_leaves_the_tv_and_the_counter_display() {
    let hall = TestHall::start().await;
    let (clerk, ticket, tv, display) = a_call_at_counter_1(&hall).await;
    let (status, body) = clerk.act(&ticket, "cancel", json!({})).await;
    assert_eq!(status, 200, "{body}");
    tv_took_the_call_down(&tv, "cancelled").await;
    counter_display_is(&display, "open", "Sẵn sàng phục vụ").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absent_ticket_leaves_the_tv_and_the_closed_counter_says_so() {
    let hall = TestHall::start().await;
    let (clerk, ticket, tv, display) = a_call_at_counter_1(&hall).await;
    let (status, body) = clerk.act(&ticket, "no-show", json!({})).await;
    assert_eq!(status, 200, "{body}");
    tv_took_the_call_down(&tv, "absent").await;
    counter_display_is(&display, "open", "Sẵn sàng phục vụ").await;
    let (status, body) = clerk.post("/api/counters/1/close", json!({})).await;
    assert_eq!(status, 200, "{body}");
    tv_took_the_call_down(&tv, "absent").await;
    counter_display_is(&display, "closed", "Quầy đóng").await;
    tv.screenshot("displays-tv-absent-1920x1080").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_served_ticket_leaves_the_tv_big_panel_and_stays_listed_plain() {
    let hall = TestHall::start().await;
    // An open counter with nobody at it is ready, not "now serving".
    let (clerk, ticket, tv, display) = a_call_at_counter_1_checking_it_idle(&hall, true).await;
    let (status, body) = clerk.act(&ticket, "start", json!({})).await;
    assert_eq!(status, 200, "{body}");
    display
        .wait_for(
            "'now serving' with its ticket",
            "document.getElementById('counter-current').textContent.trim() === 'D001' \
             && document.getElementById('counter-state').innerText.includes('Đang phục vụ')",
        )
        .await;
    let (status, body) = clerk.act(&ticket, "finish", json!({})).await;
    assert_eq!(status, 200, "{body}");
    tv_took_the_call_down(&tv, "done").await;
    counter_display_is(&display, "open", "Sẵn sàng phục vụ").await;
    let (status, body) = clerk.post("/api/counters/1/close", json!({})).await;
    assert_eq!(status, 200, "{body}");
    counter_display_is(&display, "closed", "Quầy đóng").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_that_holds_goes_back_to_the_welcome_panel_after_two_minutes_of_hall_time() {
    let hall = TestHall::start().await;
    let (clerk, ticket, tv, display) = a_call_at_counter_1(&hall).await;
    let (status, body) = clerk.act(&ticket, "start", json!({})).await;
    assert_eq!(status, 200, "{body}");
    // A minute later (something happens, so the TV hears the hall's time) it still shows.
    hall.clock.advance(chrono::Duration::seconds(60));
    kiosk(&hall).issue("B", "none").await;
    tv.wait_for(
        "B's count, with the time",
        "document.querySelector('[data-waiting-field=\"B\"] .field-count').textContent === '1'",
    )
    .await;
    assert_eq!(
        tv.eval(
            "!document.getElementById('latest').classList.contains('empty') \
             && document.getElementById('latest-code').textContent.trim()"
        )
        .await,
        "D001",
        "a call that holds stays up within its two minutes"
    );
    tv.screenshot("displays-tv-call-holds-1920x1080").await;
    // Past two minutes: the welcome panel; the call stays listed, and the counter display
    // still shows whom it serves.
    hall.clock.advance(chrono::Duration::seconds(61));
    kiosk(&hall).issue("B", "none").await;
    tv.wait_for(
        "the welcome panel",
        "document.getElementById('latest').classList.contains('empty')",
    )
    .await;
    assert_eq!(
        tv.eval("document.querySelector('#recent li[data-code=\"D001\"]').dataset.fate")
            .await,
        "holds"
    );
    assert_eq!(
        display
            .eval("document.getElementById('counter-current').textContent.trim()")
            .await,
        "D001"
    );
    // A TV started now (its snapshot says the hall's time) shows the welcome too.
    let late = Browser::open(1920, 1080).await;
    late.goto(&hall.url("/display/")).await;
    late.wait_for("online", "document.body.dataset.connected === 'true'")
        .await;
    assert_eq!(
        late.eval("document.getElementById('latest').classList.contains('empty')")
            .await,
        true,
        "an old call is not put back up by a fresh snapshot"
    );
    late.close().await;
    tv.close().await;
    display.close().await;
}

/// Every label of the TV's fields, closed ones included, fits its box at both sizes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_label_of_the_tv_is_clipped_at_1920x1080_or_1366x768() {
    let hall = TestHall::start().await;
    // Counter 1 open (fields A and D); B, C and E have no open counter.
    let _clerk = hall.clerk_at("lan", 1).await;
    kiosk(&hall).issue("C", "none").await;
    for (w, h) in [(1920, 1080), (1366, 768)] {
        let tv = Browser::open(w, h).await;
        tv.goto(&hall.url("/display/")).await;
        tv.wait_for("online", "document.body.dataset.connected === 'true'")
            .await;
        tv.wait_for(
            "three closed fields",
            "document.querySelectorAll('.field.closed').length === 3",
        )
        .await;
        tv.eval("document.fonts.ready.then(() => true)").await;
        // A label is clipped when it overflows a box that cuts (its own, or any around it
        // up to the screen's edge).
        let clipped = tv
            .eval(
                "[...document.querySelectorAll('.field, .field-vi, .field-en, .field-note, \
                   .field-code, .field-count, h2, .recent-cols > span, .kicker, .notice-tag, \
                   .latest-idle > div, .hall-name, .date, .clock')]\
                 .filter(e => e.getClientRects().length > 0)\
                 .flatMap(e => { \
                   const what = `${e.className}: ${e.textContent.trim()}`; \
                   const cs = getComputedStyle(e); const out = []; \
                   if (cs.overflowX !== 'visible' && e.scrollWidth > e.clientWidth + 1) \
                     out.push(`${what} (${e.scrollWidth} wide in ${e.clientWidth})`); \
                   if (cs.overflowY !== 'visible' && e.scrollHeight > e.clientHeight + 1) \
                     out.push(`${what} (${e.scrollHeight} high in ${e.clientHeight})`); \
                   const r = e.getBoundingClientRect(); \
                   for (let a = e.parentElement; a; a = a.parentElement) { \
                     if (getComputedStyle(a).overflow === 'visible') continue; \
                     const b = a.getBoundingClientRect(); \
                     if (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 \
                         || r.bottom > b.bottom + 1) \
                       out.push(`${what} sticks out of ${a.className || a.tagName}`); \
                   } \
                   return out; })",
            )
            .await;
        assert_eq!(clipped, json!([]), "clipped labels at {w}x{h}");
        tv.screenshot(&format!("displays-tv-closed-fields-{w}x{h}"))
            .await;
        tv.close().await;
    }
}

/// A citizen marked absent comes back and the clerk calls the ticket again at the counter
/// (undo-absent to the counter): the TV and the counter display show and say that call like
/// any other, with the recent list saying it was called again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absence_undone_by_calling_again_is_shown_and_announced_like_a_call() {
    let hall = TestHall::start().await;
    let (clerk, ticket, tv, display) = a_call_at_counter_1(&hall).await;
    let said = |code: &str| {
        format!("(window.motcuaAnnouncements || []).filter(a => a.code === '{code}').length")
    };
    // Its first call is said before it is taken down (a call taken down is not said).
    tv.wait_for("D001 said once", &format!("{} === 1", said("D001")))
        .await;
    display
        .wait_for("D001 said once", &format!("{} === 1", said("D001")))
        .await;
    let (status, body) = clerk.act(&ticket, "no-show", json!({})).await;
    assert_eq!(status, 200, "{body}");
    tv_took_the_call_down(&tv, "absent").await;
    counter_display_is(&display, "open", "Sẵn sàng phục vụ").await;

    let (status, body) = clerk
        .act(
            &ticket,
            "undo-absent",
            json!({"to": "counter", "counter": 1}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "called");
    tv.wait_for(
        "D001 -> 1 on the TV again",
        "!document.getElementById('latest').classList.contains('empty') \
         && document.getElementById('latest-code').textContent.trim() === 'D001' \
         && document.getElementById('latest-counter').textContent.trim() === '1' \
         && document.getElementById('latest').classList.contains('flash')",
    )
    .await;
    let row = tv
        .wait_for(
            "D001 called again in the recent list",
            "(r => r && r.dataset.fate === 'holds' && r.textContent)\
             (document.querySelector('#recent li[data-code=\"D001\"]'))",
        )
        .await;
    assert!(
        row.as_str().unwrap_or("").contains("Gọi lại"),
        "the recent list says it was called again: {row}"
    );
    let announced = tv
        .wait_for(
            "the call again, said on the TV",
            &format!(
                "{} === 2 && window.motcuaAnnouncements.filter(a => a.code === 'D001')[1]",
                said("D001")
            ),
        )
        .await;
    assert_eq!(announced["counter"], 1, "{announced}");
    display
        .wait_for(
            "the call again, on the counter display and said",
            &format!(
                "document.getElementById('counter-current').textContent.trim() === 'D001' \
                 && {} === 2",
                said("D001")
            ),
        )
        .await;
    tv.screenshot("displays-tv-absence-undone-1920x1080").await;
}

/// The wall clock is the hall's, not the TV's own (a TV's clock is often wrong and nobody
/// sets it): the snapshot's time, then each event's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tv_shows_the_halls_time_not_its_own() {
    let hall = TestHall::start().await; // 08:00 on Wednesday 25/11/2026 in Hanoi
    let tv = Browser::open(1920, 1080).await;
    tv.goto(&hall.url("/display/")).await;
    tv.wait_for("online", "document.body.dataset.connected === 'true'")
        .await;
    tv.wait_for(
        "the hall's time and date",
        "document.getElementById('clock').textContent === '08:00' \
         && document.getElementById('date').textContent === 'Thứ Tư, 25/11/2026'",
    )
    .await;
    hall.clock.advance(chrono::Duration::minutes(95));
    kiosk(&hall).issue("A", "none").await;
    tv.wait_for(
        "the hall's time after an event",
        "document.getElementById('clock').textContent === '09:35'",
    )
    .await;
    tv.close().await;
}

/// The displays use the front-end kit: the fonts come from its tokens, the feed and the
/// clock from its modules; the page's own copies are gone.
#[tokio::test]
async fn the_displays_take_their_fonts_feed_and_clock_from_the_kit() {
    let hall = TestHall::start().await;
    let anyone = hall.anonymous();
    let text = |(status, _, body): (u16, String, Vec<u8>)| {
        assert_eq!(status, 200);
        String::from_utf8(body).expect("text")
    };
    let page = text(anyone.get_bytes("/display/").await);
    let tokens = page.find("/shared/tokens.css").expect("the kit's tokens");
    assert!(
        tokens < page.find("display.css").expect("its own styles"),
        "the tokens first"
    );
    let css = text(anyone.get_bytes("/display/display.css").await);
    assert!(
        !css.contains("@font-face"),
        "fonts are declared once, in the kit"
    );
    let main = text(anyone.get_bytes("/display/main.js").await);
    assert!(main.contains("from '/shared/feed.js'"), "{main}");
    for gone in ["/display/feed.js"] {
        assert_eq!(anyone.get_bytes(gone).await.0, 404, "{gone}");
    }
    let home = text(anyone.get_bytes("/").await);
    assert!(home.contains("/shared/tokens.css"));
    let home_css = text(anyone.get_bytes("/home.css").await);
    assert!(!home_css.contains("@font-face"));
}
