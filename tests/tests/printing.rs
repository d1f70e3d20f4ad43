//! Printed tickets end to end: a kiosk issues through the real server, the print agent
//! prints on a printer (a TCP listener that behaves like one), and the kiosk hears how it
//! went. Paper out, a dead printer, a dropped link, and printing with no agent at all.

use futures_util::{SinkExt, StreamExt};
use motcua_domain::DeviceKind;
use motcua_printer::Paper;
use motcua_tests::fake_printer::{FakePrinter, Mode};
use motcua_tests::print_agent::{Agent, kiosk_and_printer, kiosk_feed, next_print};
use motcua_tests::{Socket, TestHall, next_json};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// A kiosk with its printer, the printer's agent running, and the kiosk's feed open and
/// past the agent's first status report.
struct Kiosk {
    client: motcua_tests::Client,
    feed: Socket,
    _agent: Agent,
    _state: tempfile::TempDir,
}

async fn kiosk_with_agent(hall: &TestHall, printer: &FakePrinter, status_every: Duration) -> Kiosk {
    let (kiosk_token, printer_token) = kiosk_and_printer(hall);
    let mut feed = kiosk_feed(hall, &kiosk_token).await;
    let state = tempfile::tempdir().expect("state dir");
    let agent = Agent::start(
        &hall.base,
        &printer_token,
        printer,
        state.path(),
        status_every,
    );
    // The agent is there once its first status report reaches the kiosk.
    loop {
        let frame = next_json(&mut feed).await;
        if frame["type"] == "printer" && !frame["printer"]["report"].is_null() {
            break;
        }
    }
    Kiosk {
        client: hall.device_with_token(kiosk_token),
        feed,
        _agent: agent,
        _state: state,
    }
}

/// Draw the bytes as printed and read the QR code back.
fn qr_of(bytes: &[u8]) -> String {
    let image = motcua_printer::render(bytes, Paper::Mm80).expect("a printable stream");
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(
        image.width() as usize,
        image.height() as usize,
        |x, y| image.get_pixel(x as u32, y as u32).0[0],
    );
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on the ticket");
    grids[0].decode().expect("a readable QR code").1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_prints_a_kiosk_ticket_and_the_kiosk_hears_it_printed() {
    let hall = TestHall::start().await;
    let printer = FakePrinter::start().await;
    let mut kiosk = kiosk_with_agent(&hall, &printer, Duration::from_secs(60)).await;

    let (status, ticket) = kiosk
        .client
        .post("/api/tickets", json!({"service": "C"}))
        .await;
    assert_eq!(status, 201, "{ticket}");
    assert_eq!(ticket["print"]["status"], "sent");
    let done = next_print(&mut kiosk.feed).await;
    assert_eq!(done["status"], "printed", "{done}");
    assert_eq!(done["code"], ticket["code"]);
    assert_eq!(done["job"], ticket["print"]["job"]);

    printer.wait_for_tickets(1).await;
    let printed = printer.ticket_bytes();
    assert_eq!(printed.len(), 1);
    assert_eq!(
        qr_of(&printed[0]),
        ticket["url"].as_str().expect("url"),
        "the QR opens the ticket's page"
    );
    assert!(
        printer.status_queries() >= 3,
        "the agent asked the printer's status first"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_paper_the_job_waits_the_kiosk_is_told_why_and_it_prints_once_paper_is_in() {
    let hall = TestHall::start().await;
    let printer = FakePrinter::start().await;
    printer.set(Mode::PaperOut);
    let mut kiosk = kiosk_with_agent(&hall, &printer, Duration::from_secs(60)).await;

    let (status, ticket) = kiosk
        .client
        .post("/api/tickets", json!({"service": "A"}))
        .await;
    assert_eq!(
        status, 201,
        "the ticket is issued even when it cannot be printed"
    );
    assert_eq!(ticket["print"]["status"], "sent");
    let waiting = next_print(&mut kiosk.feed).await;
    assert_eq!(waiting["status"], "waiting", "{waiting}");
    assert_eq!(waiting["reason"], "paper_out");
    let (status, seen) = hall
        .anonymous()
        .get(&format!(
            "/api/tickets/{}",
            ticket["token"].as_str().expect("token")
        ))
        .await;
    assert_eq!((status, seen["status"].as_str()), (200, Some("waiting")));
    assert_eq!(printer.tickets(), 0);

    // Managers see the printer's state.
    let manager = hall.staff("quanly", motcua_domain::Role::Manager).await;
    let (_, printers) = manager.get("/api/printers").await;
    assert_eq!(printers["printers"][0]["name"], "printer-1");
    assert_eq!(printers["printers"][0]["report"]["paper_out"], true);
    let (_, metrics) = hall.anonymous().get("/metrics").await;
    let metrics = metrics.as_str().expect("text");
    assert!(
        metrics.contains("motcua_printer_paper_out{printer=\"printer-1\"} 1"),
        "{metrics}"
    );

    // A new roll: the waiting job prints, once.
    printer.set(Mode::Ready);
    let done = next_print(&mut kiosk.feed).await;
    assert_eq!(done["status"], "printed", "{done}");
    assert_eq!(done["job"], ticket["print"]["job"]);
    assert_eq!(printer.tickets(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_printer_that_stops_answering_is_reported_within_its_deadline_and_never_as_printed() {
    let hall = TestHall::start().await;
    let printer = FakePrinter::start().await;
    let mut kiosk = kiosk_with_agent(&hall, &printer, Duration::from_secs(60)).await;
    printer.set(Mode::Silent);

    let (_, ticket) = kiosk
        .client
        .post("/api/tickets", json!({"service": "B"}))
        .await;
    assert_eq!(ticket["print"]["status"], "sent");
    let waiting = next_print(&mut kiosk.feed).await;
    assert_eq!(waiting["status"], "waiting", "{waiting}");
    assert_eq!(waiting["reason"], "printer_timeout");
    assert_eq!(printer.tickets(), 0);
}

#[tokio::test]
async fn with_no_printer_the_kiosk_is_told_at_once() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let (status, ticket) = kiosk.post("/api/tickets", json!({"service": "D"})).await;
    assert_eq!(status, 201);
    assert_eq!(ticket["print"]["status"], "failed");
    assert_eq!(ticket["print"]["reason"], "no_printer");
    // Staff issuing at a counter print nothing.
    let clerk = hall.staff("lan", motcua_domain::Role::Clerk).await;
    let at_counter = clerk.issue("D", "none").await;
    assert!(at_counter.get("print").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_prints_straight_to_a_network_printer_configured_for_the_kiosk() {
    let printer = FakePrinter::start().await;
    let mut settings = motcua_hall::config::Settings::default();
    settings
        .printers
        .push(motcua_hall::config::PrinterSettings {
            kiosk: "kiosk-1".into(),
            address: printer.target(),
            paper: 58,
            text: "raster".into(),
            code_page: 52,
            qr: "native".into(),
        });
    let hall = TestHall::start_with(settings).await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let (mut feed, _) =
        tokio_tungstenite::connect_async(format!("{}/ws/kiosk?token={token}", hall.ws_base))
            .await
            .expect("kiosk feed");
    let kiosk = hall.device_with_token(token);
    let ticket = kiosk.issue("A", "elderly").await;
    assert_eq!(ticket["print"]["status"], "sent", "{ticket}");
    let done = next_print(&mut feed).await;
    assert_eq!(done["status"], "printed", "{done}");
    assert_eq!(printer.tickets(), 1);
    let image = motcua_printer::render(&printer.ticket_bytes()[0], Paper::Mm58).expect("printable");
    assert_eq!(image.width(), 384);

    printer.set(Mode::PaperOut);
    let ticket = kiosk.issue("A", "none").await;
    assert_eq!(ticket["print"]["status"], "sent");
    let waiting = next_print(&mut feed).await;
    assert_eq!(waiting["status"], "waiting", "{waiting}");
    assert_eq!(waiting["reason"], "paper_out");
    assert_eq!(printer.tickets(), 1);
}

/// Plays the hall server's side of `/ws/printer` for one connection: sends the given jobs
/// and returns the agent's answers to them (status reports skipped).
async fn hall_side(
    listener: &tokio::net::TcpListener,
    jobs: &[(i64, motcua_printer::TicketPrint)],
) -> Vec<Value> {
    let (tcp, _) = listener.accept().await.expect("the agent connects");
    let mut ws = tokio_tungstenite::accept_async(tcp)
        .await
        .expect("handshake");
    let hello = json!({"type": "hello", "server": "hall-under-test"}).to_string();
    ws.send(Message::text(hello)).await.expect("send hello");
    let mut answers = Vec::new();
    for (job, ticket) in jobs {
        let frame = json!({
            "type": "job", "job": job, "key": format!("key-{job}"),
            "expires_in_ms": 60_000, "ticket": ticket
        })
        .to_string();
        ws.send(Message::text(frame)).await.expect("send job");
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), ws.next())
                .await
                .expect("an answer within 10 s")
                .expect("open")
                .expect("frame");
            let Message::Text(text) = message else {
                continue;
            };
            let answer: Value = serde_json::from_str(&text).expect("json");
            if answer["type"] != "status" {
                answers.push(answer);
                break;
            }
        }
    }
    // The link drops here, as a network blip would.
    drop(ws);
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_resent_after_the_link_dropped_is_not_printed_twice_even_after_a_restart() {
    let printer = FakePrinter::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let server = format!("http://{}", listener.local_addr().expect("addr"));
    let state = tempfile::tempdir().expect("state");
    let state_path = state.path().to_owned();
    let ticket = motcua_printer::TicketPrint::sample();

    // The agents' memory outlives both of them.
    let first = Agent::start(
        &server,
        "token",
        &printer,
        &state_path,
        Duration::from_secs(60),
    );
    let answers = hall_side(&listener, &[(41, ticket.clone())]).await;
    assert_eq!(
        answers,
        [json!({"type": "done", "job": 41, "confirmed": true})]
    );
    // The server never heard that answer (say), so it sends job 41 again on reconnect.
    let answers = hall_side(&listener, &[(41, ticket.clone())]).await;
    assert_eq!(
        answers,
        [json!({"type": "done", "job": 41, "confirmed": true})]
    );
    assert_eq!(printer.tickets(), 1, "printed once");
    first.kill().await;

    // A restarted agent remembers too; a new job still prints.
    let _second = Agent::start(
        &server,
        "token",
        &printer,
        &state_path,
        Duration::from_secs(60),
    );
    let answers = hall_side(&listener, &[(41, ticket.clone()), (42, ticket)]).await;
    assert_eq!(
        answers,
        [
            json!({"type": "done", "job": 41, "confirmed": true}),
            json!({"type": "done", "job": 42, "confirmed": true})
        ]
    );
    printer.wait_for_tickets(2).await;
    assert_eq!(printer.tickets(), 2);
    drop(state);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_retrying_a_lost_answer_gets_the_same_ticket_printed_once() {
    let hall = TestHall::start().await;
    let printer = FakePrinter::start().await;
    let mut kiosk = kiosk_with_agent(&hall, &printer, Duration::from_secs(60)).await;
    let ask = json!({"service": "A", "priority": "pregnant", "request_id": "k1-7f3a9c"});
    let (status, first) = kiosk.client.post("/api/tickets", ask.clone()).await;
    assert_eq!(status, 201, "{first}");
    let done = next_print(&mut kiosk.feed).await;
    assert_eq!(done["status"], "printed");

    // The answer was lost on the way; the kiosk asks again with the same id.
    let (status, again) = kiosk.client.post("/api/tickets", ask).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(again["code"], first["code"]);
    assert_eq!(again["token"], first["token"]);
    assert_eq!(again["print"]["job"], first["print"]["job"]);
    assert_eq!(again["print"]["status"], "printed");
    assert_eq!(printer.tickets(), 1, "printed once");

    // A new request is a new ticket; an id reused for something else is refused.
    let (_, other) = kiosk
        .client
        .post(
            "/api/tickets",
            json!({"service": "A", "request_id": "k1-7f3a9d"}),
        )
        .await;
    assert_eq!(other["code"], "A002");
    let (status, refused) = kiosk
        .client
        .post(
            "/api/tickets",
            json!({"service": "B", "request_id": "k1-7f3a9c"}),
        )
        .await;
    assert_eq!(
        (status, motcua_tests::error_code(&refused)),
        (409, "request_id_reused")
    );
    let (status, bad) = kiosk
        .client
        .post(
            "/api/tickets",
            json!({"service": "B", "request_id": "no spaces"}),
        )
        .await;
    assert_eq!(
        (status, motcua_tests::error_code(&bad)),
        (422, "bad_request_id")
    );
}
