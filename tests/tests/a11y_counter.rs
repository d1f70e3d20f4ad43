//! The clerk's console (1366x768) and the counter's rating tablet (1280x800 and 800x1280) in
//! real Chromium against the real hall, checked by axe-core against WCAG 2.2 AA in each of
//! their main states, in Vietnamese and in English; the tablet's targets are big enough for a
//! finger in every state. The console follows its counter through the kit's live feed and
//! comes back by itself after the hall restarts.

use fantoccini::Locator;
use motcua_domain::{DeviceKind, Role};
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::json;

const CURRENT: &str = "document.getElementById('current-code').textContent.trim()";
const MESSAGE: &str = "document.getElementById('message').textContent";

/// Choose `value` in the select `id` as a person would (the page hears the change).
async fn choose(page: &Browser, id: &str, value: &str) {
    page.eval(&format!(
        "(function(){{ const s = document.getElementById('{id}'); s.value = '{value}'; s.dispatchEvent(new Event('change')); return true; }})()"
    ))
    .await;
}

/// axe-core on the page as it is now, then a screenshot to look at.
async fn check(page: &Browser, what: &str) {
    // axe first: a move asked twice stays armed for 3 s only.
    page.assert_accessible(what).await;
    page.screenshot(&format!("counter-{what}")).await;
}

/// The clerk's whole round in one language: sign-in (empty, then refused), the counter
/// choice, the desk idle, a booking's check-in refused, a called ticket, Cancel asked twice,
/// serving, the warning before a transfer into a field no counter serves, the recent
/// absences, the tickets not printed, the keys' help and a paused counter: axe-core finds
/// nothing in any of them.
async fn the_console_round(lang: &str) {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let _printer = hall.printer("printer-1", "kiosk-1"); // no agent: the tickets wait to print
    kiosk.issue("A", "none").await;
    kiosk.issue("A", "elderly").await;
    kiosk.issue("D", "none").await;
    kiosk.issue("A", "none").await;
    hall.staff("lan", Role::Clerk).await; // password "lan-secret-pw"
    let en = lang == "en";
    let at = |what: &str| format!("{what}-{lang}");

    let console = Browser::open(1366, 768).await;
    console
        .goto(&hall.url(if en { "/counter/?lang=en" } else { "/counter/" }))
        .await;
    console
        .wait_for("the login form", "document.body.dataset.view === 'login'")
        .await;
    assert_eq!(console.eval("document.documentElement.lang").await, lang);
    check(&console, &at("login")).await;

    console.type_into("#login-name", "lan").await;
    console
        .type_into("#login-password", "not-the-password")
        .await;
    console.click("button[data-action='login']").await;
    console
        .wait_for(
            "the refusal",
            "document.getElementById('login-error').textContent",
        )
        .await;
    check(&console, &at("login-refused")).await;

    console.type_into("#login-password", "lan-secret-pw").await;
    console.click("button[data-action='login']").await;
    console
        .wait_for(
            "the counter choice",
            "document.body.dataset.view === 'choose'",
        )
        .await;
    check(&console, &at("choose")).await;

    choose(&console, "counter-select", "1").await;
    console.click("button[data-action='open']").await;
    console
        .wait_for(
            "the desk with the waiting list and the tickets not printed",
            "document.body.dataset.view === 'work' && document.body.dataset.connected === 'true' \
             && document.querySelectorAll('#waiting li').length === 4 \
             && document.querySelectorAll('#unprinted li').length === 4",
        )
        .await;
    check(&console, &at("idle")).await;

    // A booking the hall does not know, checked in at the counter: the refusal is said beside
    // the field ("Xác nhận lịch hẹn").
    console
        .type_into("#checkin-code", "ZZZZ-ZZZZ\u{e007}")
        .await;
    console
        .wait_for(
            "the check-in refused",
            "document.getElementById('checkin-result').dataset.kind === 'error'",
        )
        .await;
    check(&console, &at("check-in-refused")).await;

    console.click("button[data-action='next']").await;
    console
        .wait_for(
            "the priority ticket called",
            &format!("{CURRENT} === 'A002'"),
        )
        .await;
    check(&console, &at("called")).await;

    console.click(".desk button[data-action='cancel']").await;
    console
        .wait_for(
            "Cancel waiting for its second press",
            "document.querySelector(\".desk button[data-action='cancel']\").classList.contains('armed')",
        )
        .await;
    check(&console, &at("cancel-asked")).await;

    console.click(".desk button[data-action='start']").await;
    console
        .wait_for(
            "serving",
            "document.getElementById('current-status').dataset.status === 'serving'",
        )
        .await;
    check(&console, &at("serving")).await;

    // Transfer into B: no counter serves it now, so the first press warns.
    console.click("#transfer-service").await;
    choose(&console, "transfer-service", "B").await;
    console.click("button[data-action='transfer']").await;
    console
        .wait_for(
            "the warning before the transfer",
            &format!(
                "{MESSAGE}.includes('{}')",
                if en {
                    "No counter is serving this field"
                } else {
                    "Hiện chưa có quầy phục vụ lĩnh vực này"
                }
            ),
        )
        .await;
    check(&console, &at("transfer-warned")).await;
    console.click("button[data-action='transfer']").await;
    console
        .wait_for("the counter free", &format!("{CURRENT} === '—'"))
        .await;

    // The next citizen does not come: absent (asked twice), then listed to take back.
    console.click("button[data-action='next']").await;
    console
        .wait_for("A001 called", &format!("{CURRENT} === 'A001'"))
        .await;
    console.click(".desk button[data-action='no-show']").await;
    console.click(".desk button[data-action='no-show']").await;
    console
        .wait_for(
            "the recent absences",
            "document.querySelectorAll('#absents li').length === 1 && !document.getElementById('absent-box').hidden",
        )
        .await;
    check(&console, &at("absent-list")).await;

    console.click("#help-btn").await;
    console
        .wait_for(
            "the keys' help",
            "!document.getElementById('help').hidden && document.activeElement.id === 'help-close'",
        )
        .await;
    check(&console, &at("help")).await;
    console.click("#help-close").await;

    console.click("button[data-action='pause']").await;
    console
        .wait_for(
            "paused",
            "document.getElementById('current').dataset.status === 'paused'",
        )
        .await;
    check(&console, &at("paused")).await;

    if !en {
        // Switched to English on the page: the whole page says it is in English now.
        console.click("#lang-btn").await;
        console
            .wait_for(
                "English",
                "document.documentElement.lang === 'en' && document.getElementById('lang-btn').lang === 'vi'",
            )
            .await;
        check(&console, "paused-switched-to-en").await;
    }
    console.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_passes_axe_core_in_every_state_in_vietnamese() {
    the_console_round("vi").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_passes_axe_core_in_every_state_in_english() {
    the_console_round("en").await;
}

/// The console follows its counter through the kit's feed (`/shared/feed.js`; its own copy,
/// which backed off only to 5 s, is gone): after the hall restarts it is live again by itself
/// and shows what happened since; a ticket in its list is called from the keyboard too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_follows_its_counter_through_the_kits_feed_and_comes_back_after_a_restart() {
    let hall = TestHall::start().await;
    hall.staff("lan", Role::Clerk).await;
    let console = Browser::open(1366, 768).await;
    console
        .open_counter(&hall.url("/counter/"), "lan", "lan-secret-pw", 1)
        .await;
    console
        .wait_for("live", "document.body.dataset.connected === 'true'")
        .await;
    let scripts = console
        .eval("performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)")
        .await;
    let scripts: Vec<String> = serde_json::from_value(scripts).expect("paths");
    assert!(
        scripts.iter().any(|p| p == "/shared/feed.js"),
        "the console uses the kit's feed: {scripts:?}"
    );
    assert!(
        !scripts.iter().any(|p| p == "/counter/lib.js"),
        "and no copy of its own: {scripts:?}"
    );
    let (status, _) = hall.anonymous().get("/counter/lib.js").await;
    assert_eq!(status, 404, "the console's own copy of the kit is gone");

    let hall = hall.restart_in_place().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    kiosk.issue("A", "none").await;
    kiosk.issue("A", "none").await;
    console
        .wait_for(
            "live again, with the tickets issued after the restart",
            "document.body.dataset.connected === 'true' && document.querySelectorAll('#waiting li').length === 2",
        )
        .await;

    // Each ticket in the list is a button: Enter on the second one calls exactly that one.
    console
        .client
        .find(Locator::Css("#waiting li:nth-child(2) button.call"))
        .await
        .expect("the second ticket")
        .send_keys("\u{E007}")
        .await
        .expect("Enter");
    console
        .wait_for("A002 called", &format!("{CURRENT} === 'A002'"))
        .await;
    console.close().await;
}

/// The rating tablet at its real size: sign-in (empty and refused), waiting, asking for a
/// rating and thanking: no axe-core violation, nothing under 44 px for a finger.
async fn the_tablet_round(width: u32, height: u32) {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.staff("lan", Role::Clerk).await;
    let (status, _) = clerk.post("/api/counters/1/open", json!({})).await;
    assert_eq!(status, 200);
    let size = format!("{width}x{height}");
    let tablet = Browser::open(width, height).await;
    let check = |what: &'static str| {
        let tablet = &tablet;
        let name = format!("tablet-{what}-{size}");
        async move {
            tablet.assert_accessible(&name).await;
            tablet.assert_touch_targets(&name, 44).await;
            tablet.screenshot(&name).await;
        }
    };
    // A tablet set up for the first time: the sign-in also asks which counter it is at.
    tablet.goto(&hall.url("/counter/rating.html")).await;
    tablet
        .wait_for(
            "the sign-in with the counter choice",
            "document.body.dataset.view === 'login' && !document.getElementById('counter-pick').hidden \
             && document.querySelectorAll('#tablet-counter option').length === 4",
        )
        .await;
    let viewport = tablet
        .eval("document.querySelector('meta[name=viewport]').content")
        .await;
    assert!(
        !viewport
            .as_str()
            .is_some_and(|v| v.contains("user-scalable") || v.contains("maximum-scale")),
        "people may zoom: {viewport}"
    );
    check("login").await;
    tablet.type_into("#login-name", "lan").await;
    tablet.type_into("#login-password", "wrong-password").await;
    tablet.click("button[data-action='login']").await;
    tablet
        .wait_for(
            "the refusal",
            "document.getElementById('login-error').textContent",
        )
        .await;
    check("login-refused").await;
    choose(&tablet, "tablet-counter", "1").await;
    tablet.type_into("#login-password", "lan-secret-pw").await;
    tablet.click("button[data-action='login']").await;
    tablet
        .wait_for(
            "waiting for a citizen",
            "document.body.dataset.view === 'idle' && document.body.dataset.connected === 'true'",
        )
        .await;
    check("idle").await;

    kiosk.issue("A", "none").await;
    let ticket = clerk.call_next(1).await.expect("a ticket");
    for step in ["start", "finish"] {
        let (status, _) = clerk.act(&ticket, step, json!({})).await;
        assert_eq!(status, 200, "{step}");
    }
    tablet
        .wait_for(
            "the question",
            "document.body.dataset.view === 'rate' && document.querySelectorAll('button[data-rating]').length === 5",
        )
        .await;
    check("rate").await;
    tablet.click("button[data-rating='2']").await;
    tablet
        .wait_for(
            "the reasons",
            "document.getElementById('rate-view').dataset.step === 'reasons'",
        )
        .await;
    check("reasons").await;
    tablet.click("button[data-reason='wait']").await;
    tablet.click("#reasons-next").await;
    tablet
        .wait_for(
            "the visits question",
            "document.getElementById('rate-view').dataset.step === 'visits'",
        )
        .await;
    check("visits").await;
    tablet.click("button[data-visits='2']").await;
    tablet
        .wait_for("the thanks", "document.body.dataset.view === 'thanks'")
        .await;
    check("thanks").await;
    tablet.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rating_tablet_passes_axe_core_and_fits_a_finger_in_landscape() {
    the_tablet_round(1280, 800).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rating_tablet_passes_axe_core_and_fits_a_finger_in_portrait() {
    the_tablet_round(800, 1280).await;
}
