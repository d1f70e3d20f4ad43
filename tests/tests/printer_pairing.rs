//! Pairing the print agent by a code printed on its own paper: an agent given no token
//! prints a slip with a six-digit code and its QR code (read back here from the bytes the
//! printer got), an admin accepts the code naming a kiosk, and the agent prints that
//! kiosk's tickets. It remembers its token across restarts, forgets it once revoked (and
//! prints a new code), prints a new code when one lapses, and a token given on its command
//! line wins over the one it remembers. The code goes to the log too; the token never does.

use chrono::Duration;
use motcua_domain::{DeviceKind, Role};
use motcua_printer::Paper;
use motcua_printer::pairing::token_path;
use motcua_tests::fake_printer::FakePrinter;
use motcua_tests::print_agent::{Agent, agent_connected, agent_gone, kiosk_feed};
use motcua_tests::{Client, Socket, TestHall, until};
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

/// Everything logged in this test binary (the agent runs in the test's process).
fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .with_writer(move || Sink(sink.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
        logs
    })
    .clone()
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("logs").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn logged() -> String {
    String::from_utf8_lossy(&logs().lock().expect("logs")).into_owned()
}

/// Every QR code on the printed paper.
fn qr_codes(bytes: &[u8]) -> Vec<String> {
    let image = motcua_printer::render(bytes, Paper::Mm80).expect("a printable stream");
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        image.width() as usize,
        image.height() as usize,
        |x, y| image.get_pixel(x as u32, y as u32).0[0],
    );
    prepared
        .detect_grids()
        .into_iter()
        .map(|grid| grid.decode().expect("a readable QR code").1)
        .collect()
}

/// The code a pairing slip carries, read from its QR code: the admin page's pairing
/// (`…/admin/?pair=CODE#devices`) with the code filled in.
fn slip_code(bytes: &[u8]) -> String {
    let codes = qr_codes(bytes);
    assert_eq!(codes.len(), 1, "one QR code on the slip: {codes:?}");
    let url = &codes[0];
    let code = url
        .split_once("/admin/?pair=")
        .and_then(|(_, rest)| rest.strip_suffix("#devices"))
        .unwrap_or_else(|| panic!("the admin page's pairing: {url}"));
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    code.to_owned()
}

/// The token the agent keeps in its state dir.
fn kept_token(state: &Path) -> Option<String> {
    let text = std::fs::read_to_string(token_path(state)).ok()?;
    let kept: Value = serde_json::from_str(&text).expect("the kept token is JSON");
    Some(kept["token"].as_str().expect("a token").to_owned())
}

/// The kiosk `kiosk-sanh` and its feed.
async fn kiosk(hall: &TestHall) -> (Client, Socket) {
    let token = hall.device_token("kiosk-sanh", DeviceKind::Kiosk);
    let feed = kiosk_feed(hall, &token).await;
    (hall.device_with_token(token), feed)
}

/// An admin accepts the code as the printer `name` of `kiosk-sanh`: the device's id.
async fn accept(admin: &Client, code: &str, name: &str) -> i64 {
    let (status, seen) = admin.get(&format!("/api/pairings/{code}")).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(
        seen["kind"], "printer",
        "the code was asked for as a printer"
    );
    let (status, accepted) = admin
        .post(
            &format!("/api/pairings/{code}/accept"),
            json!({"name": name, "kind": "printer", "kiosk": "kiosk-sanh"}),
        )
        .await;
    assert_eq!(status, 201, "{accepted}");
    accepted["device"]["id"].as_i64().expect("id")
}

/// The kiosk issues a ticket and the printer prints it as its `nth` piece of paper.
async fn prints_a_ticket(kiosk: &Client, printer: &FakePrinter, nth: usize) {
    let ticket = kiosk.issue("A", "none").await;
    printer.wait_for_tickets(nth).await;
    let printed = printer.ticket_bytes();
    assert_eq!(printed.len(), nth, "nothing else came out");
    assert_eq!(
        qr_codes(&printed[nth - 1]),
        vec![ticket["url"].as_str().expect("url").to_owned()],
        "the ticket, with its status page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_with_no_token_prints_its_code_and_prints_the_kiosks_tickets_once_an_admin_accepts_it()
 {
    let logs = logs();
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let (kiosk, mut feed) = kiosk(&hall).await;
    let printer = FakePrinter::start().await;
    let state = tempfile::tempdir().expect("agent state");
    let _agent = Agent::start_unpaired(&hall.base, &printer, state.path());

    printer.wait_for_tickets(1).await;
    let code = slip_code(&printer.ticket_bytes()[0]);
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    until("the code logged", || async {
        logged().contains(&format!("Mã ghép nối máy in: {spaced}"))
    })
    .await;
    assert_eq!(
        kept_token(state.path()),
        None,
        "no token before an admin accepts"
    );

    accept(&admin, &code, "may-in-sanh").await;
    agent_connected(&mut feed).await;
    prints_a_ticket(&kiosk, &printer, 2).await;

    let token = kept_token(state.path()).expect("the token is kept");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(token_path(state.path()))
            .expect("kept")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "readable by the agent's user alone");
    }
    let logs = String::from_utf8_lossy(&logs.lock().expect("logs")).into_owned();
    assert!(!logs.contains(&token), "the token is never logged");
    let (_, devices) = admin.get("/api/devices").await;
    assert!(!devices.to_string().contains(&token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_agent_uses_the_token_it_remembers_and_prints_no_new_code() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let (kiosk, mut feed) = kiosk(&hall).await;
    let printer = FakePrinter::start().await;
    let state = tempfile::tempdir().expect("agent state");
    let agent = Agent::start_unpaired(&hall.base, &printer, state.path());
    printer.wait_for_tickets(1).await;
    accept(
        &admin,
        &slip_code(&printer.ticket_bytes()[0]),
        "may-in-sanh",
    )
    .await;
    agent_connected(&mut feed).await;

    agent.kill().await;
    agent_gone(&mut feed).await;
    let _agent = Agent::start_unpaired(&hall.base, &printer, state.path());
    agent_connected(&mut feed).await;
    // The slip, then the ticket: no second slip.
    prints_a_ticket(&kiosk, &printer, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_printer_forgets_its_token_and_prints_a_new_code() {
    let _logs = logs();
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let (kiosk, mut feed) = kiosk(&hall).await;
    let printer = FakePrinter::start().await;
    let state = tempfile::tempdir().expect("agent state");
    let _agent = Agent::start_unpaired(&hall.base, &printer, state.path());
    printer.wait_for_tickets(1).await;
    let first = slip_code(&printer.ticket_bytes()[0]);
    let id = accept(&admin, &first, "may-in-sanh").await;
    agent_connected(&mut feed).await;
    let revoked = kept_token(state.path()).expect("kept");

    let (status, body) = admin
        .post(&format!("/api/devices/{id}/revoke"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    agent_gone(&mut feed).await;
    printer.wait_for_tickets(2).await;
    let second = slip_code(&printer.ticket_bytes()[1]);
    assert_ne!(second, first, "a new code");
    assert_eq!(
        kept_token(state.path()),
        None,
        "the refused token is forgotten"
    );
    until("the reason logged", || async {
        logged().contains("refused the remembered printer token")
    })
    .await;

    accept(&admin, &second, "may-in-sanh-2").await;
    agent_connected(&mut feed).await;
    let kept = kept_token(state.path()).expect("a new token kept");
    assert_ne!(kept, revoked);
    prints_a_ticket(&kiosk, &printer, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_nobody_took_lapses_and_the_agent_prints_a_new_one() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let anyone = hall.anonymous();
    let printer = FakePrinter::start().await;
    let state = tempfile::tempdir().expect("agent state");
    let _agent = Agent::start_unpaired(&hall.base, &printer, state.path());
    printer.wait_for_tickets(1).await;
    let first = slip_code(&printer.ticket_bytes()[0]);
    // The hall opens at 08:00 on its clock: the code is good until 08:10, as the server
    // tells the agent.
    let (status, begun) = anyone
        .post("/api/pairings", json!({"kind": "printer"}))
        .await;
    assert_eq!((status, &begun["valid_until"]), (201, &json!("08:10")));

    hall.clock.advance(Duration::minutes(10));
    printer.wait_for_tickets(2).await;
    let second = slip_code(&printer.ticket_bytes()[1]);
    assert_ne!(second, first, "a new code");
    let (status, _) = admin.get(&format!("/api/pairings/{first}")).await;
    assert_eq!(status, 404, "the first code lapsed");
    let (status, seen) = admin.get(&format!("/api/pairings/{second}")).await;
    assert_eq!((status, &seen["kind"]), (200, &json!("printer")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_given_on_the_command_line_wins_over_the_remembered_one_and_prints_no_code() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let (_kiosk, mut feed) = kiosk(&hall).await;
    let printer = FakePrinter::start().await;
    let state = tempfile::tempdir().expect("agent state");
    let agent = Agent::start_unpaired(&hall.base, &printer, state.path());
    printer.wait_for_tickets(1).await;
    accept(
        &admin,
        &slip_code(&printer.ticket_bytes()[0]),
        "may-in-sanh",
    )
    .await;
    agent_connected(&mut feed).await;
    agent.kill().await;
    let remembered = kept_token(state.path()).expect("kept");

    // Given a token the server refuses, the agent stops as before: it neither falls back to
    // the one it remembers nor forgets it, and prints no code.
    let refused = Agent::start(
        &hall.base,
        "not-a-token",
        &printer,
        state.path(),
        std::time::Duration::from_secs(60),
    );
    until("the agent stops", || async { refused.stopped() }).await;
    assert_eq!(printer.tickets(), 1, "no new slip");
    assert_eq!(kept_token(state.path()), Some(remembered));

    // Given another printer's token, it prints as that one.
    let given = hall.printer("may-in-du-phong", "kiosk-sanh");
    let _agent = Agent::start(
        &hall.base,
        &given,
        &printer,
        state.path(),
        std::time::Duration::from_secs(60),
    );
    until("the given printer seen", || async {
        let (_, devices) = admin.get("/api/devices").await;
        devices["devices"].as_array().is_some_and(|l| {
            l.iter()
                .any(|d| d["name"] == "may-in-du-phong" && d["last_seen_at"].is_string())
        })
    })
    .await;
}
