//! The pages in a real headless Chromium: a citizen takes a ticket at the kiosk, a clerk
//! calls it from the console, the hall display shows and announces it, the clerk
//! finishes, the counter tablet records the rating, and the display survives a restart.
//! Screenshots of every page land in `target/test-artifacts/` for people to look at.

use motcua_tests::TestHall;
use motcua_tests::browser::Browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_home_page_lists_every_page_in_vietnamese() {
    let hall = TestHall::start().await;
    let browser = Browser::open(1280, 800).await;
    browser.goto(&hall.url("/")).await;
    let text = browser
        .wait_for("the page list", "document.body.innerText")
        .await;
    let text = text.as_str().unwrap_or_default().to_owned();
    for words in ["Máy lấy số", "Màn hình sảnh", "Bàn làm việc cán bộ"] {
        assert!(text.contains(words), "{words:?} missing from {text:?}");
    }
    browser.screenshot("home-1280x800").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_page_follows_a_ticket_from_waiting_to_called_to_rated() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await;
    kiosk.issue("A", "none").await;
    let ticket = kiosk.issue("A", "none").await;
    let phone = Browser::open(390, 844).await;
    phone.goto(ticket["url"].as_str().expect("url")).await;
    phone
        .wait_for(
            "the ticket waiting",
            "document.body.dataset.status === 'waiting'",
        )
        .await;
    assert_eq!(
        phone
            .eval("document.getElementById('code').textContent")
            .await,
        "A002"
    );
    assert_eq!(
        phone
            .eval("document.getElementById('ahead').textContent")
            .await,
        "1"
    );
    phone.screenshot("pages-phone-waiting-390x844").await;

    // The citizen ahead is called and absent: one fewer ahead, live.
    let first = clerk.call_next(1).await.expect("A001");
    phone
        .wait_for(
            "nobody ahead",
            "document.getElementById('ahead').textContent === '0'",
        )
        .await;
    clerk.act(&first, "no-show", serde_json::json!({})).await;
    let called = clerk.call_next(1).await.expect("A002");
    phone
        .wait_for("the call", "document.body.dataset.status === 'called'")
        .await;
    assert_eq!(
        phone
            .eval("document.getElementById('counter').textContent")
            .await,
        "Quầy 1"
    );
    phone.screenshot("pages-phone-called-390x844").await;

    clerk.act(&called, "start", serde_json::json!({})).await;
    clerk.act(&called, "finish", serde_json::json!({})).await;
    phone.click("button[data-rating='5']").await;
    phone.click("button[data-visits='1']").await;
    phone
        .wait_for("the thanks", "!document.getElementById('done').hidden")
        .await;
    let (_, seen) = hall
        .anonymous()
        .get(&format!(
            "/api/tickets/{}",
            ticket["token"].as_str().expect("token")
        ))
        .await;
    assert_eq!(seen["rating"], 5);
    phone.close().await;

    // A made-up address gets a friendly page, not an error.
    let (status, body) = hall
        .anonymous()
        .get("/t/00000000000000000000000000000000")
        .await;
    assert_eq!(status, 404);
    assert!(
        body.as_str()
            .is_some_and(|b| b.contains("Không tìm thấy phiếu"))
    );
}

/// The whole day in one go, on the real pages: kiosk (portrait), clerk console, hall TV,
/// counter display and rating tablet, with the printer agent printing on a printer that
/// behaves like one; then the server restarts and the TV carries on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_takes_a_ticket_is_called_served_and_rates_and_the_tv_survives_a_restart() {
    use motcua_domain::Role;
    let hall = TestHall::start().await;
    let kiosk_token = hall.device_token("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    let printer = motcua_tests::fake_printer::FakePrinter::start().await;
    let printer_token = hall.printer("printer-1", "kiosk-1");
    let state = tempfile::tempdir().expect("agent state");
    let (_stop_agent, stop) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(motcua_printer::agent::run(
        motcua_printer::agent::AgentConfig {
            server: hall.base.clone(),
            token: Some(printer_token),
            printer: printer.target().parse().expect("address"),
            layout: motcua_printer::Layout::default(),
            state_dir: state.path().to_owned(),
            status_every: std::time::Duration::from_secs(60),
            deadlines: motcua_printer::transport::Deadlines::default(),
            pairing_poll: std::time::Duration::from_secs(1),
        },
        async move {
            let _ = stop.await;
        },
    ));
    let _clerk_account = hall.staff("lan", Role::Clerk).await; // password "lan-secret-pw"

    // The hall TV and the counter display.
    let tv = Browser::open(1920, 1080).await;
    tv.goto(&hall.url("/display/")).await;
    tv.wait_for(
        "the TV online",
        "document.body.dataset.connected === 'true'",
    )
    .await;
    let counter_display = Browser::open(1280, 720).await;
    counter_display.goto(&hall.url("/display/?counter=1")).await;
    counter_display
        .wait_for(
            "the counter display online",
            "document.body.dataset.connected === 'true'",
        )
        .await;

    // The clerk signs in and opens counter 1.
    let console = Browser::open(1920, 1080).await;
    console
        .open_counter(&hall.url("/counter/"), "lan", "lan-secret-pw", 1)
        .await;

    // The rating tablet at counter 1, signed in as the clerk.
    let tablet = Browser::open(800, 1280).await;
    tablet
        .goto(&hall.url("/counter/rating.html?counter=1"))
        .await;
    let view = tablet
        .wait_for("the tablet", "document.body.dataset.view")
        .await;
    if view == "login" {
        tablet.type_into("#login-name", "lan").await;
        tablet.type_into("#login-password", "lan-secret-pw").await;
        tablet.click("button[data-action='login']").await;
    }
    tablet
        .wait_for("the tablet idle", "document.body.dataset.view === 'idle'")
        .await;

    // A citizen at the kiosk (portrait), paired by its token.
    let kiosk = Browser::open(1080, 1920).await;
    kiosk
        .goto(&hall.url(&format!("/kiosk/?token={kiosk_token}")))
        .await;
    kiosk
        .wait_for(
            "the start screen",
            "document.body.dataset.screen === 'start'",
        )
        .await;
    assert!(
        !kiosk
            .eval("location.search.includes('token')")
            .await
            .as_bool()
            .unwrap_or(true),
        "the token leaves the address bar"
    );
    kiosk.screenshot("kiosk-start-1080x1920").await;
    kiosk.click("button[data-field='A']").await;
    kiosk
        .wait_for(
            "the priority question",
            "document.body.dataset.screen === 'priority'",
        )
        .await;
    kiosk.screenshot("kiosk-priority-1080x1920").await;
    kiosk.click("button[data-priority='elderly']").await;
    kiosk
        .wait_for(
            "the confirmation",
            "document.body.dataset.screen === 'confirm'",
        )
        .await;
    kiosk.click("button[data-action='confirm']").await;
    kiosk
        .wait_for("the ticket", "document.body.dataset.screen === 'ticket'")
        .await;
    let code = kiosk
        .wait_for(
            "the code",
            "document.getElementById('ticket-code').textContent.trim()",
        )
        .await;
    assert_eq!(code, "A001");
    kiosk
        .wait_for(
            "the printed ticket",
            "document.getElementById('print-status').dataset.state === 'printed'",
        )
        .await;
    kiosk.wait_for("the QR image", "document.getElementById('ticket-qr').complete && document.getElementById('ticket-qr').naturalWidth > 0").await;
    kiosk.screenshot("kiosk-ticket-1080x1920").await;
    printer.wait_for_tickets(1).await;

    // The clerk presses Next: the TV and the counter display show the call and announce it.
    console.click("button[data-action='next']").await;
    console
        .wait_for(
            "the current ticket",
            "document.getElementById('current-code').textContent.trim() === 'A001'",
        )
        .await;
    tv.wait_for(
        "the call on the TV",
        "document.getElementById('latest-code').textContent.trim() === 'A001'",
    )
    .await;
    assert_eq!(
        tv.eval("document.getElementById('latest-counter').textContent.trim()")
            .await,
        "1"
    );
    let announced = tv
        .wait_for(
            "the announcement",
            "(window.motcuaAnnouncements || []).find(a => a.code === 'A001')",
        )
        .await;
    assert_eq!(announced["counter"], 1);
    assert_eq!(
        announced["source"], "server",
        "the server's Vietnamese voice was fetched and played"
    );
    counter_display
        .wait_for(
            "the call on the counter display",
            "document.getElementById('counter-current').textContent.trim() === 'A001'",
        )
        .await;
    tv.screenshot("display-hall-1920x1080").await;
    counter_display.screenshot("display-counter-1280x720").await;
    console.screenshot("console-called-1920x1080").await;

    // Served, then rated on the tablet.
    console.click("button[data-action='start']").await;
    console
        .wait_for(
            "serving",
            "document.getElementById('current-status').textContent.length > 0",
        )
        .await;
    console.click("button[data-action='finish']").await;
    tablet
        .wait_for(
            "the rating question",
            "document.body.dataset.view === 'rate'",
        )
        .await;
    assert_eq!(
        tablet
            .eval("document.getElementById('rating-code').textContent.trim()")
            .await,
        "A001"
    );
    tablet.screenshot("tablet-rate-800x1280").await;
    tablet.click("button[data-rating='5']").await;
    tablet.click("#visits-skip").await;
    tablet
        .wait_for("the thanks", "document.body.dataset.view === 'thanks'")
        .await;
    let clerk_api = hall.sign_in("lan").await;
    let (_, served) = clerk_api.get("/api/tickets?status=served").await;
    assert_eq!(served["tickets"][0]["rating"], 5);

    // The server restarts: the TV notices, then comes back to the truth by itself.
    let hall = hall.restart_in_place().await;
    tv.wait_for(
        "the TV offline mark",
        "document.body.dataset.connected === 'false'",
    )
    .await;
    tv.wait_for("the TV back", "document.body.dataset.connected === 'true'")
        .await;
    let kiosk_api = hall.device_with_token(kiosk_token.clone());
    kiosk_api.issue("A", "none").await;
    let clerk_api = hall.sign_in("lan").await;
    clerk_api.call_next(1).await.expect("A002");
    tv.wait_for(
        "the next call after the restart",
        "document.getElementById('latest-code').textContent.trim() === 'A002'",
    )
    .await;

    // The kiosk landscape.
    let landscape = Browser::open(1920, 1080).await;
    landscape
        .goto(&hall.url(&format!("/kiosk/?token={kiosk_token}")))
        .await;
    landscape
        .wait_for(
            "the start screen",
            "document.body.dataset.screen === 'start'",
        )
        .await;
    landscape.screenshot("kiosk-start-1920x1080").await;
    for b in [kiosk, landscape, tv, counter_display, console, tablet] {
        b.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_lunch_the_kiosk_still_gives_numbers_and_a_closed_field_gives_none() {
    let hall = TestHall::start().await;
    let kiosk_token = hall.device_token("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await; // serves A and D
    let (status, _) = clerk
        .post(
            "/api/counters/1/pause",
            serde_json::json!({"reason": "Nghỉ trưa"}),
        )
        .await;
    assert_eq!(status, 200);
    let kiosk = Browser::open(1080, 1920).await;
    kiosk
        .goto(&hall.url(&format!("/kiosk/?token={kiosk_token}")))
        .await;
    kiosk
        .wait_for(
            "the start screen",
            "document.body.dataset.screen === 'start'",
        )
        .await;
    let a = kiosk
        .wait_for(
            "field A",
            "document.querySelector(\"button[data-field='A']\")",
        )
        .await;
    assert!(!a.is_null());
    assert_eq!(
        kiosk
            .eval("document.querySelector(\"button[data-field='A']\").disabled")
            .await,
        false,
        "a field on a break still gives numbers"
    );
    assert!(
        kiosk
            .eval("document.querySelector(\"button[data-field='A']\").innerText")
            .await
            .as_str()
            .is_some_and(|t| t.contains("Tạm nghỉ")),
        "and says it is on a break"
    );
    assert_eq!(
        kiosk
            .eval("document.querySelector(\"button[data-field='B']\").disabled")
            .await,
        true,
        "a field with no counter open or paused is closed"
    );
    kiosk.screenshot("kiosk-lunch-1080x1920").await;
    kiosk.click("button[data-field='A']").await;
    // A regular number: two taps, no confirming.
    kiosk.click("button[data-priority='none']").await;
    let code = kiosk.wait_for("the code", "document.body.dataset.screen === 'ticket' && document.getElementById('ticket-code').textContent.trim()").await;
    assert_eq!(code, "A001");
    kiosk.close().await;
}
