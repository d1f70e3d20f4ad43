//! The pairing screens in Chromium: a kiosk page without a token and a hall TV opened with
//! `?pair` show a six-digit code and its QR; once an admin accepts the code, the device
//! starts by itself with its own token (seen on the devices' list), and a TV revoked later
//! shows a new code. A print agent prints its code on paper, and the admin pairs it on the
//! devices tab, choosing the kiosk it prints for.

use motcua_domain::{DeviceKind, Role};
use motcua_tests::browser::Browser;
use motcua_tests::fake_printer::FakePrinter;
use motcua_tests::print_agent::{Agent, agent_connected, kiosk_feed};
use motcua_tests::{Client, TestHall, until};
use serde_json::{Value, json};

async fn device(admin: &Client, name: &str) -> Option<Value> {
    let (status, list) = admin.get("/api/devices").await;
    assert_eq!(status, 200, "{list}");
    list["devices"]
        .as_array()
        .and_then(|l| l.iter().find(|d| d["name"] == name).cloned())
}

/// The code the page shows, once it shows one, and that its QR code drew.
async fn shown_code(page: &Browser) -> String {
    let code = page
        .wait_for(
            "the pairing code",
            "document.querySelector('.pairing[data-state=waiting] .pairing-code')?.dataset.code",
        )
        .await;
    page.wait_for(
        "the QR code",
        "document.querySelector('img.pairing-qr')?.naturalWidth > 0",
    )
    .await;
    code.as_str().expect("a code").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_without_a_token_shows_a_code_and_starts_once_an_admin_accepts_it() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let kiosk = Browser::open(1080, 1920).await;
    kiosk.goto(&hall.url("/kiosk/")).await;
    let code = shown_code(&kiosk).await;
    assert_eq!(
        kiosk.text(".pairing-code").await,
        format!("{} {}", &code[..3], &code[3..]),
        "read in two groups of three"
    );
    assert!(
        kiosk
            .text(".pairing")
            .await
            .contains("Quản trị › Thiết bị › Ghép nối thiết bị"),
        "the steps, in Vietnamese first"
    );
    kiosk.assert_accessible("the kiosk's pairing code").await;
    kiosk.screenshot("pairing-kiosk-1080x1920").await;

    // A reload shows the same code: the page kept its secret.
    kiosk.goto(&hall.url("/kiosk/")).await;
    assert_eq!(shown_code(&kiosk).await, code);

    let (status, accepted) = admin
        .post(
            &format!("/api/pairings/{code}/accept"),
            json!({"name": "kiosk-sanh"}),
        )
        .await;
    assert_eq!(status, 201, "{accepted}");
    kiosk
        .wait_for(
            "the fields, live",
            "document.body.dataset.screen === 'start' && document.body.dataset.connected === 'true' && document.querySelector('button[data-field=A]')",
        )
        .await;
    assert!(
        kiosk
            .eval("localStorage.getItem('motcua.kiosk.token')")
            .await
            .is_string(),
        "the token is kept"
    );
    assert_eq!(
        kiosk
            .eval("localStorage.getItem('motcua.pairing.kiosk')")
            .await,
        Value::Null,
        "the pairing's secret is forgotten"
    );
    // Its feed opened with its token: the admin sees it alive.
    until("the kiosk seen", || async {
        device(&admin, "kiosk-sanh")
            .await
            .is_some_and(|d| d["last_seen_at"].is_string())
    })
    .await;
    kiosk.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tv_opened_to_pair_shows_its_code_follows_the_hall_with_its_token_and_pairs_again_when_revoked()
 {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let tv = Browser::open(1920, 1080).await;
    tv.goto(&hall.url("/display/?pair")).await;
    let code = shown_code(&tv).await;
    tv.assert_accessible("the TV's pairing code").await;
    tv.screenshot("pairing-display-1920x1080").await;

    let (status, seen) = admin.get(&format!("/api/pairings/{code}")).await;
    assert_eq!((status, &seen["kind"]), (200, &json!("display")), "{seen}");
    let (status, accepted) = admin
        .post(
            &format!("/api/pairings/{code}/accept"),
            json!({"name": "tv-sanh"}),
        )
        .await;
    assert_eq!(status, 201, "{accepted}");
    tv.wait_for(
        "the hall, live",
        "document.body.dataset.connected === 'true' && !document.body.dataset.pairing && !document.getElementById('hall').hidden",
    )
    .await;
    assert!(
        !tv.eval("location.search")
            .await
            .to_string()
            .contains("pair")
    );
    until("the TV seen", || async {
        device(&admin, "tv-sanh")
            .await
            .is_some_and(|d| d["last_seen_at"].is_string())
    })
    .await;

    // Revoked: its feed closes, and it shows a new code instead of the hall.
    let id = device(&admin, "tv-sanh").await.expect("the TV")["id"]
        .as_i64()
        .expect("id");
    let (status, _) = admin
        .post(&format!("/api/devices/{id}/revoke"), json!({}))
        .await;
    assert_eq!(status, 200);
    let again = shown_code(&tv).await;
    assert_ne!(again, code, "a new code");
    assert_eq!(
        tv.eval("document.getElementById('hall').hidden").await,
        true
    );
    tv.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rating_tablet_paired_to_its_counter_rates_there_with_no_clerk_signed_in_on_it() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let clerk = hall.clerk_at("lan", 1).await;
    let kiosk = hall.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    let tablet = Browser::open(1280, 800).await;
    tablet
        .goto(&hall.url("/counter/rating.html?counter=1"))
        .await;
    tablet
        .wait_for("the sign-in", "document.body.dataset.view === 'login'")
        .await;
    tablet.click("button[data-action='pair']").await;
    let code = shown_code(&tablet).await;
    tablet.assert_accessible("the tablet's pairing code").await;
    tablet
        .assert_touch_targets("the tablet's pairing code", 44)
        .await;
    tablet.screenshot("pairing-tablet-1280x800").await;

    let (status, seen) = admin.get(&format!("/api/pairings/{code}")).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(
        (&seen["kind"], &seen["counter"]),
        (&json!("tablet"), &json!(1))
    );
    // The admin accepts it on the admin page: the counter it asked for is chosen already.
    let page = Browser::open(1366, 900).await;
    page.goto(&hall.url(&format!("/admin/?pair={code}#devices")))
        .await;
    page.wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    page.type_into("#login-name", "quan-tri").await;
    page.type_into("#login-password", "quan-tri-secret-pw")
        .await;
    page.click("button[data-action='login']").await;
    page.wait_for(
        "the tablet found, at counter 1",
        "document.querySelector('#pair-found[data-kind=tablet]') && document.getElementById('pair-counter').value === '1'",
    )
    .await;
    page.assert_accessible("pairing a tablet").await;
    page.type_into("#pair-name", "tablet-quay-1").await;
    page.click("button[data-action='pair-accept']").await;
    page.wait_for(
        "the tablet listed at its counter",
        "document.querySelector('#devices-table tr[data-device=tablet-quay-1][data-kind=tablet]')?.textContent.includes('tại quầy 1')",
    )
    .await;
    page.close().await;
    tablet
        .wait_for(
            "waiting for a citizen",
            "document.body.dataset.view === 'idle' && document.body.dataset.connected === 'true'",
        )
        .await;

    let issued = kiosk.issue("A", "none").await;
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
    tablet.click("button[data-rating='5']").await;
    tablet
        .wait_for(
            "the visits question",
            "document.getElementById('rate-view').dataset.step === 'visits'",
        )
        .await;
    tablet.click("button[data-visits='1']").await;
    tablet
        .wait_for("the thanks", "document.body.dataset.view === 'thanks'")
        .await;
    // The counter's rating (the phone page does not show it: the citizen may still rate there).
    let id = issued["id"].as_i64().expect("id");
    until("the rating stored", || async {
        let (_, served) = clerk.get("/api/tickets?status=served").await;
        served["tickets"]
            .as_array()
            .is_some_and(|l| l.iter().any(|t| t["id"] == id && t["rating"] == 5))
    })
    .await;
    tablet.close().await;
}

/// The code on a print agent's pairing slip, read from its QR code (the admin page's
/// pairing with the code filled in).
fn slip_code(bytes: &[u8]) -> String {
    let image =
        motcua_printer::render(bytes, motcua_printer::Paper::Mm80).expect("a printable stream");
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        image.width() as usize,
        image.height() as usize,
        |x, y| image.get_pixel(x as u32, y as u32).0[0],
    );
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the slip");
    let url = grids[0].decode().expect("a readable QR code").1;
    url.split_once("?pair=")
        .and_then(|(_, rest)| rest.strip_suffix("#devices"))
        .unwrap_or_else(|| panic!("the admin page's pairing: {url}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printer_is_paired_on_the_devices_tab_by_the_code_on_its_slip_choosing_its_kiosk() {
    let hall = TestHall::start().await;
    let _admin = hall.staff("quan-tri", Role::Admin).await;
    let printer = FakePrinter::start().await;
    let state = tempfile::tempdir().expect("agent state");
    let _agent = Agent::start_unpaired(&hall.base, &printer, state.path());
    printer.wait_for_tickets(1).await;
    let code = slip_code(&printer.ticket_bytes()[0]);

    // The admin types the code as printed, in two groups, before any kiosk is paired.
    let page = Browser::open(1366, 900).await;
    page.goto(&hall.url("/admin/#devices")).await;
    page.wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    page.type_into("#login-name", "quan-tri").await;
    page.type_into("#login-password", "quan-tri-secret-pw")
        .await;
    page.click("button[data-action='login']").await;
    page.wait_for(
        "the pairing form",
        "document.getElementById('pair-code')?.offsetParent !== null",
    )
    .await;
    page.type_into("#pair-code", &format!("{} {}", &code[..3], &code[3..]))
        .await;
    page.click("button[data-action='pair-find']").await;
    page.wait_for(
        "the printer found, with no kiosk to print for yet",
        "document.querySelector('#pair-found[data-kind=printer]') && !document.getElementById('pair-no-kiosk').hidden",
    )
    .await;
    assert!(
        page.text("#pair-no-kiosk")
            .await
            .contains("ghép nối ki-ốt trước"),
        "the page says what to do first"
    );
    assert_eq!(
        page.eval("document.querySelector('button[data-action=pair-accept]').disabled")
            .await,
        true,
        "nothing to accept without a kiosk"
    );
    page.screenshot("pairing-printer-no-kiosk-1366x900").await;

    // The kiosk is paired; a refresh offers it, and the tablet's counter is not asked for.
    let kiosk_token = hall.device_token("kiosk-sanh", DeviceKind::Kiosk);
    let mut feed = kiosk_feed(&hall, &kiosk_token).await;
    page.click("button[data-action='devices-refresh']").await;
    page.wait_for(
        "the kiosk offered",
        "document.getElementById('pair-kiosk').value === 'kiosk-sanh' && document.getElementById('pair-no-kiosk').hidden",
    )
    .await;
    assert_eq!(
        page.eval(
            "[document.getElementById('pair-kiosk').closest('label').hidden, document.getElementById('pair-counter').closest('label').hidden]"
        )
        .await,
        json!([false, true]),
        "a printer is asked its kiosk, not a counter"
    );
    page.assert_accessible("pairing a printer").await;
    page.screenshot("pairing-printer-admin-1366x900").await;
    page.type_into("#pair-name", "may-in-sanh").await;
    page.click("button[data-action='pair-accept']").await;
    page.wait_for(
        "the printer listed for its kiosk",
        "document.querySelector('#devices-table tr[data-device=may-in-sanh][data-kind=printer]')?.textContent.includes('cho kiosk-sanh')",
    )
    .await;
    page.close().await;

    // The agent takes its token and prints the kiosk's tickets.
    agent_connected(&mut feed).await;
    let ticket = hall.device_with_token(kiosk_token).issue("A", "none").await;
    assert_eq!(ticket["print"]["status"], "sent", "{ticket}");
    printer.wait_for_tickets(2).await;
}
