//! The pages' side of "printed means printed", in a real headless Chromium against the
//! real hall: the kiosk shows the ticket and its QR code while its printer's agent is away,
//! says so in Vietnamese, and says it did not print (and why) when the job expires; a clerk
//! sees the day's unprinted tickets in the console and prints them again, and so does a
//! manager on the dashboard, each reprint a new print job and a `reprinted` event with their
//! name on it. Screenshots land in `target/test-artifacts/`.

use motcua_domain::{DeviceKind, Role};
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_shows_the_ticket_and_its_qr_while_its_printer_is_away_then_says_why_it_did_not_print()
 {
    let hall = TestHall::start().await;
    let kiosk_token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    // The kiosk has a printer, but its agent is not running.
    let _printer_token = hall.printer("printer-1", "kiosk-1");
    let _clerk = hall.clerk_at("lan", 1).await; // field A is open

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
    let banner = kiosk
        .wait_for(
            "the printer's trouble on the start screen",
            "document.querySelector('.banner') && document.querySelector('.banner').innerText",
        )
        .await;
    assert!(
        banner
            .as_str()
            .is_some_and(|b| b.contains("máy in đang mất kết nối")),
        "the start screen names the real reason, in Vietnamese: {banner}"
    );

    kiosk.click("button[data-field='A']").await;
    // A regular number: two taps, no confirming.
    kiosk.click("button[data-priority='none']").await;
    kiosk
        .wait_for("the ticket", "document.body.dataset.screen === 'ticket'")
        .await;
    let state = kiosk
        .wait_for(
            "the print status",
            "document.getElementById('print-status').dataset.state",
        )
        .await;
    assert_eq!(state, "waiting", "a job for an absent agent waits");
    assert_eq!(
        kiosk
            .eval("document.getElementById('print-status').dataset.reason")
            .await,
        "printer_away"
    );
    let words = kiosk
        .eval("document.getElementById('print-status').innerText")
        .await;
    let words = words.as_str().unwrap_or_default();
    assert!(
        words.contains("Đang chờ máy in: máy in đang mất kết nối")
            && words.contains("Phiếu vẫn có hiệu lực")
            && words.contains("Waiting for the printer: the printer is not connected"),
        "Vietnamese first, English under it: {words:?}"
    );
    assert_eq!(
        kiosk
            .eval("document.getElementById('ticket-code').textContent.trim()")
            .await,
        "A001"
    );
    kiosk.wait_for("the QR code", "document.getElementById('ticket-qr').complete && document.getElementById('ticket-qr').naturalWidth > 0").await;
    kiosk
        .screenshot("kiosk-waiting-for-printer-1080x1920")
        .await;

    // Nobody prints it before the job expires: the kiosk says it did not print, and why.
    hall.clock.advance(chrono::Duration::seconds(
        hall.settings.printing.job_expiry_seconds as i64 + 1,
    ));
    kiosk
        .wait_for(
            "the failed print",
            "document.getElementById('print-status').dataset.state === 'failed'",
        )
        .await;
    let words = kiosk
        .eval("document.getElementById('print-status').innerText")
        .await;
    assert!(
        words
            .as_str()
            .is_some_and(|w| w.contains("Chưa in được phiếu (máy in đang mất kết nối)")),
        "{words}"
    );
    assert_eq!(
        kiosk.eval("document.body.dataset.screen").await,
        "ticket",
        "the ticket stays on screen"
    );
    kiosk.screenshot("kiosk-print-failed-1080x1920").await;
    kiosk.close().await;

    // The same on a landscape kiosk, for people to look at.
    let landscape = Browser::open(1920, 1080).await;
    landscape
        .goto(&hall.url(&format!("/kiosk/?token={kiosk_token}")))
        .await;
    landscape.click("button[data-field='A']").await;
    // A regular number: two taps, no confirming.
    landscape.click("button[data-priority='none']").await;
    landscape
        .wait_for(
            "the waiting ticket",
            "document.getElementById('print-status')?.dataset.state === 'waiting'",
        )
        .await;
    landscape.wait_for("the QR code", "document.getElementById('ticket-qr').complete && document.getElementById('ticket-qr').naturalWidth > 0").await;
    landscape
        .screenshot("kiosk-waiting-for-printer-1920x1080")
        .await;
    landscape.close().await;
}

/// Press a button that asks before it acts (pressed twice within a few seconds): the
/// first press, then, in one go so no time passes between them, the second (with one more
/// before it if the first one's question has lapsed meanwhile, on a slow machine).
async fn press_twice(browser: &Browser, css: &str) {
    browser.click(css).await;
    let css = css.replace('\'', "\\'");
    browser
        .eval(&format!(
            "(function(){{ const q = () => document.querySelector('{css}'); if (!q().classList.contains('armed')) q().click(); q().click(); return true; }})()"
        ))
        .await;
}

/// The day's unprinted jobs as the API lists them: ticket code -> (job, status, reason).
async fn unprinted(client: &motcua_tests::Client) -> Vec<(String, i64, String, Value)> {
    let (status, body) = client.get("/api/print-jobs").await;
    assert_eq!(status, 200, "{body}");
    body["jobs"]
        .as_array()
        .expect("jobs")
        .iter()
        .map(|j| {
            (
                j["code"].as_str().expect("code").to_owned(),
                j["job"].as_i64().expect("job"),
                j["status"].as_str().expect("status").to_owned(),
                j["reason"].clone(),
            )
        })
        .collect()
}

fn job_of(list: &[(String, i64, String, Value)], code: &str) -> i64 {
    list.iter()
        .find(|j| j.0 == code)
        .unwrap_or_else(|| panic!("{code} not in {list:?}"))
        .1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_reprints_from_the_unprinted_list_and_at_the_counter_each_a_new_job_and_an_event() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let _printer_token = hall.printer("printer-1", "kiosk-1"); // no agent: jobs wait
    let clerk_api = hall.staff("lan", Role::Clerk).await; // password "lan-secret-pw"
    let first = kiosk.issue("A", "none").await;
    let second = kiosk.issue("A", "none").await;
    assert_eq!(first["print"]["status"], "waiting");
    // The second one's job was left uncertain by a crash (as the print room records it).
    let before = unprinted(&clerk_api).await;
    {
        let conn = motcua_store::open_for_admin(hall.data_dir()).expect("open db");
        conn.execute(
            "UPDATE print_jobs SET status = 'failed', reason = 'print_uncertain' WHERE id = ?1",
            [job_of(&before, "A002")],
        )
        .expect("mark uncertain");
    }

    // The clerk signs in and opens counter 1 (it serves A).
    let console = Browser::open(1920, 1080).await;
    console
        .open_counter(&hall.url("/counter/"), "lan", "lan-secret-pw", 1)
        .await;

    // Both tickets are in the "not printed" list, each with its reason in Vietnamese.
    console
        .wait_for(
            "the unprinted list",
            "document.querySelectorAll('#unprinted li').length === 2",
        )
        .await;
    let row = |code: &str| {
        format!(
            "[...document.querySelectorAll('#unprinted li')].find(li => li.querySelector('.code').textContent === '{code}')"
        )
    };
    let waiting = console.eval(&format!("{}.innerText", row("A001"))).await;
    assert!(
        waiting
            .as_str()
            .is_some_and(|t| t.contains("Đang chờ máy in: máy in đang mất kết nối")),
        "{waiting}"
    );
    let uncertain = console.eval(&format!("{}.innerText", row("A002"))).await;
    assert!(
        uncertain
            .as_str()
            .is_some_and(|t| t.contains("Không in được: không rõ đã in hay chưa")),
        "{uncertain}"
    );
    // The waiting list marks them too.
    console
        .wait_for(
            "the mark in the waiting list",
            &format!(
                "document.querySelector('#waiting li[data-ticket-id=\"{}\"] .badge.unprinted')",
                second["id"]
            ),
        )
        .await;
    console.screenshot("console-unprinted-1920x1080").await;

    // Reprint A002 from the list: the first press only asks, the second prints.
    let button = format!(
        "#unprinted li[data-ticket-id=\"{}\"] button[data-action='reprint-job']",
        second["id"]
    );
    console.click(&button).await;
    assert_eq!(
        job_of(&unprinted(&clerk_api).await, "A002"),
        job_of(&before, "A002"),
        "one press prints nothing"
    );
    // Left alone, the first press lapses (else the next press would confirm it).
    console
        .wait_for(
            "the first press to lapse",
            &format!(
                "!document.querySelector('{}').classList.contains('armed')",
                button.replace('\'', "\\'")
            ),
        )
        .await;
    press_twice(&console, &button).await;
    console
        .wait_for(
            "the outcome",
            "document.getElementById('message').textContent.includes('Số A002 đang chờ máy in: máy in đang mất kết nối')",
        )
        .await;
    let after = unprinted(&clerk_api).await;
    let again = after.iter().find(|j| j.0 == "A002").expect("A002 listed");
    assert!(again.1 > job_of(&before, "A002"), "a new job: {after:?}");
    assert_eq!(
        (again.2.as_str(), &again.3),
        ("queued", &json!("printer_away")),
        "the new job waits for the printer: {after:?}"
    );

    // At the counter: call A001 and reprint it with the desk's button (pressed twice).
    console.click("button[data-action='next']").await;
    console
        .wait_for(
            "A001 at the counter",
            "document.getElementById('current-code').textContent.trim() === 'A001'",
        )
        .await;
    press_twice(&console, ".desk button[data-action='reprint']").await;
    console
        .wait_for(
            "the outcome",
            "document.getElementById('message').textContent.includes('Số A001 đang chờ máy in')",
        )
        .await;
    let last = unprinted(&clerk_api).await;
    assert!(job_of(&last, "A001") > job_of(&before, "A001"), "{last:?}");

    // Both reprints are in the log, in the clerk's name.
    let conn = motcua_store::open_for_admin(hall.data_dir()).expect("open db");
    let logged: Vec<(i64, String)> = conn
        .prepare(
            "SELECT e.ticket_id, u.name FROM events e JOIN users u ON u.id = e.user_id
             WHERE e.kind = 'reprinted' ORDER BY e.seq",
        )
        .expect("query")
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("events");
    assert_eq!(
        logged,
        vec![
            (second["id"].as_i64().expect("id"), "lan".to_owned()),
            (first["id"].as_i64().expect("id"), "lan".to_owned()),
        ]
    );
    console.screenshot("console-reprinted-1920x1080").await;
    console.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_sees_the_printers_reason_and_reprints_an_unprinted_ticket_from_the_dashboard() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let _printer_token = hall.printer("printer-1", "kiosk-1"); // no agent: jobs wait
    let manager = hall.staff("hoa", Role::Manager).await; // password "hoa-secret-pw"
    let ticket = kiosk.issue("B", "none").await;
    let before = job_of(&unprinted(&manager).await, "B001");

    let browser = Browser::open(1920, 1080).await;
    browser.goto(&hall.url("/dashboard/")).await;
    browser
        .wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    browser.type_into("#login-name", "hoa").await;
    browser.type_into("#login-password", "hoa-secret-pw").await;
    browser.click("button[data-action='login']").await;
    browser
        .wait_for("the dashboard", "document.body.dataset.view === 'dash'")
        .await;
    // The printer's state is the reason, in the shared words.
    let printer = browser
        .wait_for(
            "the printer",
            "document.querySelector('#now-printers-list li[data-printer=\"printer-1\"]')?.dataset.reason",
        )
        .await;
    assert_eq!(printer, "printer_away");
    assert_eq!(
        browser
            .eval("document.querySelector('#now-printers-list li[data-printer=\"printer-1\"] .status-dot').textContent")
            .await,
        "Mất kết nối"
    );
    // Today's unprinted ticket, with its reason.
    let row = browser
        .wait_for(
            "the unprinted ticket",
            "document.querySelector('#now-unprinted li[data-job]')?.innerText",
        )
        .await;
    assert!(
        row.as_str()
            .is_some_and(|r| r.contains("B001") && r.contains("Đang chờ máy in: mất kết nối")),
        "{row}"
    );
    browser.screenshot("dashboard-unprinted-1920x1080").await;

    // Reprint, pressed twice.
    let button = format!(
        "#now-unprinted li[data-ticket-id=\"{}\"] button[data-action='reprint-job']",
        ticket["id"]
    );
    press_twice(&browser, &button).await;
    browser
        .wait_for(
            "the outcome",
            "document.getElementById('now-unprinted-message').textContent.includes('Số B001 đang chờ máy in')",
        )
        .await;
    let after = job_of(&unprinted(&manager).await, "B001");
    assert!(after > before, "a new job ({before} then {after})");
    let conn = motcua_store::open_for_admin(hall.data_dir()).expect("open db");
    let by: String = conn
        .query_row(
            "SELECT u.name FROM events e JOIN users u ON u.id = e.user_id WHERE e.kind = 'reprinted'",
            [],
            |r| r.get(0),
        )
        .expect("one reprinted event");
    assert_eq!(by, "hoa");
    browser.close().await;
}
