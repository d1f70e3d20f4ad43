//! "Printed" means printed: no ticket lost, none reported printed that wasn't. The real
//! server, the real print agent's code, and a fake printer on TCP that behaves like an
//! Epson (one connection at a time, status queries answered in the stream, paper that
//! runs out, a link that stalls), with its paper read back.

use motcua_domain::Role;
use motcua_tests::fake_printer::{FakePrinter, Mode};
use motcua_tests::print_agent::{
    Agent, agent_connected, agent_gone, end_of, kiosk_and_printer, kiosk_feed, next_print,
};
use motcua_tests::{TestHall, until};
use serde_json::{Value, json};
use std::time::Duration;

const QUIET: Duration = Duration::from_secs(60);

/// A hall, a fake printer, and the kiosk's agent running and connected, with the kiosk's
/// feed open. (Take it apart into named bindings: a field left to `..` is dropped at once.)
struct Rig {
    hall: TestHall,
    printer: FakePrinter,
    feed: motcua_tests::Socket,
    kiosk: motcua_tests::Client,
    printer_token: String,
    state: tempfile::TempDir,
    agent: Agent,
}

async fn rig(status_every: Duration) -> Rig {
    let hall = TestHall::start().await;
    let printer = FakePrinter::start().await;
    let (kiosk_token, printer_token) = kiosk_and_printer(&hall);
    let state = tempfile::tempdir().expect("agent state");
    let mut feed = kiosk_feed(&hall, &kiosk_token).await;
    let agent = Agent::start(
        &hall.base,
        &printer_token,
        &printer,
        state.path(),
        status_every,
    );
    agent_connected(&mut feed).await;
    let kiosk = hall.device_with_token(kiosk_token);
    Rig {
        hall,
        printer,
        feed,
        kiosk,
        printer_token,
        state,
        agent,
    }
}

async fn issue(kiosk: &motcua_tests::Client, service: &str) -> Value {
    let (status, ticket) = kiosk
        .post("/api/tickets", json!({"service": service}))
        .await;
    assert_eq!(status, 201, "{ticket}");
    ticket
}

/// Finding 1: after `motcua restore` (or on a reinstalled hall) the database numbers its
/// jobs again from where it stands; an agent that remembered job 1-3 as printed answered
/// "done" for the new jobs 1-3 and printed nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restore_and_on_a_reinstalled_hall_the_first_tickets_print() {
    let hall = TestHall::start().await;
    let printer = FakePrinter::start().await;
    let (kiosk_token, printer_token) = kiosk_and_printer(&hall);
    let backup_dir = tempfile::tempdir().expect("temp dir");
    let backup = backup_dir.path().join("hall.backup");
    motcua_store::backup::backup(hall.data_dir(), &backup).expect("backup");

    let state = tempfile::tempdir().expect("agent state");
    let mut feed = kiosk_feed(&hall, &kiosk_token).await;
    let agent = Agent::start(&hall.base, &printer_token, &printer, state.path(), QUIET);
    agent_connected(&mut feed).await;
    let kiosk = hall.device_with_token(kiosk_token.clone());
    for _ in 0..3 {
        let ticket = issue(&kiosk, "C").await;
        let end = end_of(&mut feed, &ticket["print"]["job"]).await;
        assert_eq!(end["status"], "printed", "{end}");
    }
    assert_eq!(printer.tickets(), 3);

    // Restored from the backup taken before those tickets: the same job numbers again.
    let hall = hall.restart_restored(&backup).await;
    let mut feed = kiosk_feed(&hall, &kiosk_token).await;
    let kiosk = hall.device_with_token(kiosk_token.clone());
    let mut codes = Vec::new();
    for _ in 0..3 {
        let ticket = issue(&kiosk, "C").await;
        let end = end_of(&mut feed, &ticket["print"]["job"]).await;
        assert_eq!(end["status"], "printed", "{end}");
        codes.push(ticket["code"].clone());
    }
    assert_eq!(codes, [json!("C001"), json!("C002"), json!("C003")]);
    assert_eq!(
        printer.tickets(),
        6,
        "the restored hall's tickets are on paper"
    );
    agent.kill().await;

    // A reinstalled hall (a new database) and the same agent: its tickets print too.
    let fresh = TestHall::start().await;
    let (kiosk_token, printer_token) = kiosk_and_printer(&fresh);
    let mut feed = kiosk_feed(&fresh, &kiosk_token).await;
    let _agent = Agent::start(&fresh.base, &printer_token, &printer, state.path(), QUIET);
    agent_connected(&mut feed).await;
    let kiosk = fresh.device_with_token(kiosk_token);
    for _ in 0..3 {
        let ticket = issue(&kiosk, "D").await;
        let end = end_of(&mut feed, &ticket["print"]["job"]).await;
        assert_eq!(end["status"], "printed", "{end}");
    }
    assert_eq!(printer.tickets(), 9);
    drop(hall);
}

/// Finding 2: a printer that answers its status and then stops reading was reported
/// printed at once with nothing received. Now the job waits with `printer_timeout`
/// within the deadline, is never reported printed, and prints whole once the printer is
/// back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stall_is_reported_within_the_deadline_and_never_as_printed() {
    let Rig {
        hall,
        printer,
        mut feed,
        kiosk,
        state: _state,
        agent: _agent,
        ..
    } = rig(QUIET).await;
    printer.set(Mode::StallAfter(2_000));

    let ticket = issue(&kiosk, "A").await;
    assert_eq!(ticket["print"]["status"], "sent");
    let said = next_print(&mut feed).await;
    assert_eq!(said["status"], "waiting", "{said}");
    assert_eq!(said["reason"], "printer_timeout");
    assert_eq!(printer.tickets(), 0, "nothing whole came out");
    let (_, jobs) = hall
        .staff("quanly", Role::Manager)
        .await
        .get("/api/print-jobs")
        .await;
    assert_eq!(jobs["jobs"][0]["code"], ticket["code"], "{jobs}");
    assert_eq!(jobs["jobs"][0]["reason"], "printer_timeout");

    // The printer is reset: the ticket prints, whole, and only then is it "printed".
    printer.set(Mode::Ready);
    let end = end_of(&mut feed, &ticket["print"]["job"]).await;
    assert_eq!(end["status"], "printed", "{end}");
    assert_eq!(printer.tickets(), 1);
}

/// Finding 3: a printer busy with a long ticket was reported broken (a status check on a
/// second connection timed out) and the next ticket refused. One connection at a time,
/// like the hardware, and a slow link: both tickets print, neither waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_printer_gets_its_next_job() {
    // Status every 100 ms: an agent that asks while a ticket prints would time out.
    let Rig {
        hall: _hall,
        printer,
        mut feed,
        kiosk,
        state: _state,
        agent: _agent,
        ..
    } = rig(Duration::from_millis(100)).await;
    // About two seconds a ticket.
    printer.set_rate(Some(9_000));

    let first = issue(&kiosk, "A").await;
    let second = issue(&kiosk, "A").await;
    assert_eq!(first["print"]["status"], "sent");
    assert_eq!(second["print"]["status"], "sent", "{second}");
    let mut ended = Vec::new();
    while ended.len() < 2 {
        let frame = next_print(&mut feed).await;
        assert_eq!(
            frame["status"], "printed",
            "never waiting, never failed: {frame}"
        );
        ended.push(frame["job"].clone());
    }
    assert_eq!(
        ended,
        [
            first["print"]["job"].clone(),
            second["print"]["job"].clone()
        ]
    );
    assert_eq!(printer.tickets(), 2);
}

/// Finding 5: tickets issued while the agent was away failed at once with `no_printer`.
/// Now they wait (the kiosk is told `printer_away`), and an agent back after 30 s prints
/// every one of them, once; a job nobody printed by its expiry fails with why it waited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_away_for_30_s_prints_every_ticket_issued_meanwhile_once() {
    let Rig {
        hall,
        printer,
        mut feed,
        kiosk,
        printer_token,
        state,
        agent,
    } = rig(QUIET).await;
    let before = issue(&kiosk, "B").await;
    assert_eq!(
        end_of(&mut feed, &before["print"]["job"]).await["status"],
        "printed"
    );
    agent.kill().await;
    agent_gone(&mut feed).await;

    let mut jobs = Vec::new();
    for _ in 0..5 {
        let ticket = issue(&kiosk, "B").await;
        assert_eq!(ticket["print"]["status"], "waiting", "{ticket}");
        assert_eq!(ticket["print"]["reason"], "printer_away");
        jobs.push(ticket["print"]["job"].clone());
    }
    hall.clock.advance(chrono::Duration::seconds(30));
    let _agent = Agent::start(&hall.base, &printer_token, &printer, state.path(), QUIET);
    let mut printed = Vec::new();
    while printed.len() < 5 {
        let frame = next_print(&mut feed).await;
        if frame["status"] == "waiting" {
            continue;
        }
        assert_eq!(frame["status"], "printed", "{frame}");
        printed.push(frame["job"].clone());
    }
    assert_eq!(printed, jobs, "every one, in order");
    assert_eq!(printer.tickets(), 6, "each once");
}

/// The other side of waiting: a job whose agent never comes back fails at its expiry,
/// saying it waited for an absent printer, and staff see it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_whose_agent_never_comes_back_fails_at_its_expiry_with_the_reason() {
    let hall = TestHall::start().await;
    let (kiosk_token, _printer_token) = kiosk_and_printer(&hall);
    let mut feed = kiosk_feed(&hall, &kiosk_token).await;
    let kiosk = hall.device_with_token(kiosk_token);
    let ticket = issue(&kiosk, "B").await;
    assert_eq!(ticket["print"]["status"], "waiting");
    hall.clock.advance(chrono::Duration::seconds(121));
    let end = end_of(&mut feed, &ticket["print"]["job"]).await;
    assert_eq!(end["status"], "failed", "{end}");
    assert_eq!(end["reason"], "printer_away");
    let clerk = hall.staff("lan", Role::Clerk).await;
    let (status, jobs) = clerk.get("/api/print-jobs").await;
    assert_eq!(status, 200, "{jobs}");
    assert_eq!(jobs["jobs"][0]["status"], "failed");
    assert_eq!(jobs["jobs"][0]["reason"], "printer_away");
}

/// Finding 7: an agent killed between sending a ticket and hearing the printer confirm it
/// printed that ticket a second time when it came back. Now the job is marked
/// `print_uncertain` and not printed again unseen; staff reprint it, and the reprint is an
/// event of the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_cut_off_by_a_crash_is_marked_uncertain_and_staff_can_reprint_it() {
    let Rig {
        hall,
        printer,
        mut feed,
        kiosk,
        printer_token,
        state,
        agent,
    } = rig(QUIET).await;
    printer.hold_confirmations(true);
    let ticket = issue(&kiosk, "A").await;
    printer.wait_for_held().await;
    agent.kill().await;
    printer.hold_confirmations(false);
    assert_eq!(printer.tickets(), 1, "the ticket came out before the crash");

    let _agent = Agent::start(&hall.base, &printer_token, &printer, state.path(), QUIET);
    let end = end_of(&mut feed, &ticket["print"]["job"]).await;
    assert_eq!(end["status"], "failed", "{end}");
    assert_eq!(end["reason"], "print_uncertain");
    assert_eq!(printer.tickets(), 1, "not printed again unseen");

    // Staff see it and reprint it: a new job, on paper, and an event with who asked.
    let manager = hall.staff("quanly", Role::Manager).await;
    let (_, jobs) = manager.get("/api/print-jobs").await;
    let listed = &jobs["jobs"][0];
    assert_eq!(listed["reason"], "print_uncertain", "{jobs}");
    let id = listed["ticket"].as_i64().expect("ticket id");
    let (status, again) = manager
        .post(&format!("/api/tickets/{id}/reprint"), json!({}))
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["code"], ticket["code"]);
    assert_ne!(again["print"]["job"], ticket["print"]["job"]);
    let end = end_of(&mut feed, &again["print"]["job"]).await;
    assert_eq!(end["status"], "printed", "{end}");
    assert_eq!(printer.tickets(), 2);
    let (_, jobs) = manager.get("/api/print-jobs").await;
    assert_eq!(jobs["jobs"], json!([]), "nothing left unprinted");

    let db = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("db");
    let reprints: i64 = db
        .query_row(
            "SELECT count(*) FROM events WHERE kind = 'reprinted' AND ticket_id = ?1 AND user_id IS NOT NULL",
            [id],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(reprints, 1);
}

/// Who may reprint what, and what cannot be reprinted.
#[tokio::test]
async fn reprinting_is_refused_for_a_closed_ticket_a_counter_ticket_and_a_clerk_elsewhere() {
    let hall = TestHall::start().await;
    let (kiosk_token, _printer_token) = kiosk_and_printer(&hall);
    let kiosk = hall.device_with_token(kiosk_token);
    let ticket = issue(&kiosk, "A").await;
    let id = ticket["id"].as_i64().expect("id");
    let manager = hall.staff("quanly", Role::Manager).await;

    // A clerk whose counter does not serve the field may not.
    let elsewhere = hall.clerk_at("minh", 2).await;
    let (status, refused) = elsewhere
        .post(&format!("/api/tickets/{id}/reprint"), json!({}))
        .await;
    assert_eq!(status, 403, "{refused}");

    let at_counter = manager.issue("A", "none").await;
    let counter_id = at_counter["id"].as_i64().expect("id");
    let (status, refused) = manager
        .post(&format!("/api/tickets/{counter_id}/reprint"), json!({}))
        .await;
    assert_eq!(
        (status, motcua_tests::error_code(&refused)),
        (409, "not_from_a_kiosk")
    );

    // Three reprints, then no more: a bound on the paper one session can spend.
    for _ in 0..3 {
        let (status, body) = manager
            .post(&format!("/api/tickets/{id}/reprint"), json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, refused) = manager
        .post(&format!("/api/tickets/{id}/reprint"), json!({}))
        .await;
    assert_eq!(
        (status, motcua_tests::error_code(&refused)),
        (409, "reprint_limit")
    );

    let (status, _) = manager
        .post(&format!("/api/tickets/{id}/cancel"), json!({}))
        .await;
    assert_eq!(status, 200);
    let (status, refused) = manager
        .post(&format!("/api/tickets/{id}/reprint"), json!({}))
        .await;
    assert_eq!(
        (status, motcua_tests::error_code(&refused)),
        (409, "ticket_closed")
    );
    let (status, refused) = manager.post("/api/tickets/999999/reprint", json!({})).await;
    assert_eq!(
        (status, motcua_tests::error_code(&refused)),
        (404, "ticket_not_found")
    );
    let (status, _) = kiosk
        .post(&format!("/api/tickets/{id}/reprint"), json!({}))
        .await;
    assert_eq!(status, 403, "a kiosk is not staff");
}

/// Finding 6: the server's own printers were never polled: `/api/printers` had no report,
/// `/metrics` said offline while it printed, and paper out never showed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_servers_own_printer_is_polled_and_shows_paper_out() {
    let printer = FakePrinter::start().await;
    let mut settings = motcua_hall::config::Settings::default();
    settings.printing.status_every_seconds = 1;
    settings
        .printers
        .push(motcua_hall::config::PrinterSettings {
            kiosk: "kiosk-1".into(),
            address: printer.target(),
            paper: 80,
            text: "raster".into(),
            code_page: 52,
            qr: "raster".into(),
        });
    let hall = TestHall::start_with(settings).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    let report = |printers: &Value| printers["printers"][0]["report"].clone();
    until("the printer's first report", || async {
        let (_, printers) = manager.get("/api/printers").await;
        report(&printers)["online"] == true
    })
    .await;
    let (_, metrics) = hall.anonymous().get("/metrics").await;
    let metrics = metrics.as_str().expect("text").to_owned();
    for family in ["motcua_printer_connected", "motcua_printer_online"] {
        let line = format!("{family}{{printer=\"kiosk-1@{}\"}} 1", printer.target());
        assert!(metrics.contains(&line), "{line} in {metrics}");
    }

    printer.set(Mode::PaperOut);
    until("paper out shows", || async {
        let (_, printers) = manager.get("/api/printers").await;
        report(&printers)["paper_out"] == true
    })
    .await;
}
