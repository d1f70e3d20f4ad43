//! Printing through `kill -9`: the real `motcua` binary, killed in the middle of a
//! 200-ticket burst and started again where it was, with the real print agent's code and a
//! fake printer on TCP (the hardware we lack). Every issued ticket ends printed, once, or
//! failed with a reason: none is silently lost.

#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use motcua_printer::agent::{self, AgentConfig};
use motcua_printer::fake::FakePrinter;
use motcua_printer::transport::Deadlines;
use reqwest::blocking::Client;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::{BIN, Server, add_kiosk, motcua};

const TICKETS: usize = 200;

fn add_printer(data: &Path) -> String {
    let out = motcua(
        &[
            "device",
            "add",
            "printer-1",
            "--kind",
            "printer",
            "--kiosk",
            "kiosk-1",
        ],
        data,
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

fn serve_at(data: &Path, listen: &str) -> Server {
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--listen", listen, "--data"])
        .arg(data)
        .env("MOTCUA_LIMITS__KIOSK_TICKETS_PER_MINUTE", "0");
    Server::spawn(command)
}

/// The field request `id` (`burst-NNN`) asks for.
fn service_of(id: &str) -> &'static str {
    let n: usize = id.trim_start_matches("burst-").parse().unwrap_or(0);
    ["A", "B", "C", "D"][n % 4]
}

/// Issue the tickets named by `ids` (request ids) from four kiosks at once, each answer
/// sent on `answers` as it comes; a kiosk stops at the first request the server does not
/// answer. Returns the kiosks' threads.
fn burst(
    base: &str,
    token: &str,
    ids: &[String],
    answers: &std::sync::mpsc::Sender<(String, Value)>,
) -> Vec<std::thread::JoinHandle<()>> {
    let mut kiosks = Vec::new();
    for chunk in ids.chunks(ids.len().div_ceil(4).max(1)) {
        let (tx, base, token) = (answers.clone(), base.to_owned(), token.to_owned());
        let chunk = chunk.to_vec();
        kiosks.push(std::thread::spawn(move || {
            let client = Client::new();
            for id in chunk {
                // A request asks for the same field each time it is sent.
                let service = service_of(&id);
                let sent = client
                    .post(format!("{base}/api/tickets"))
                    .bearer_auth(&token)
                    .json(&json!({"service": service, "request_id": id}))
                    .send();
                let Ok(resp) = sent else { return };
                let status = resp.status();
                let Ok(ticket) = resp.json::<Value>() else {
                    return;
                };
                // A refusal is kept as it came, for the test to show.
                if tx.send((id, ticket)).is_err() || status != 201 {
                    return;
                }
            }
        }));
    }
    kiosks
}

#[test]
fn two_hundred_tickets_through_a_server_kill_end_printed_once_or_failed_with_a_reason() {
    let data = tempfile::tempdir().expect("temp dir");
    let kiosk = add_kiosk(data.path(), "kiosk-1");
    let printer_token = add_printer(data.path());
    let server = serve_at(data.path(), "127.0.0.1:0");
    let listen = format!("127.0.0.1:{}", server.port());

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let printer = runtime.block_on(FakePrinter::start());
    let state = tempfile::tempdir().expect("agent state");
    let config = AgentConfig {
        server: server.base.clone(),
        token: Some(printer_token),
        printer: printer.target().parse().expect("address"),
        layout: Default::default(),
        state_dir: state.path().to_owned(),
        status_every: Duration::from_secs(5),
        deadlines: Deadlines::default(),
        pairing_poll: Duration::from_secs(1),
    };
    runtime.spawn(agent::run(config, std::future::pending()));

    let ids: Vec<String> = (0..TICKETS).map(|i| format!("burst-{i:03}")).collect();
    let (tx, rx) = std::sync::mpsc::channel();
    let kiosks = burst(&server.base, &kiosk, &ids, &tx);
    drop(tx);
    let mut answered: BTreeMap<String, Value> = BTreeMap::new();
    while answered.len() < TICKETS / 2 {
        let (id, ticket) = rx.recv().expect("tickets keep coming");
        answered.insert(id, ticket);
    }
    // The server dies while the kiosks issue.
    server.kill_9();
    for k in kiosks {
        k.join().expect("kiosk");
    }
    answered.extend(rx.try_iter());
    assert!(answered.len() < TICKETS, "the kill came mid-burst");

    // Started again where it was; the kiosks ask again for what they were not answered
    // (the same request ids: a ticket committed before the kill comes back as it was).
    let server = serve_at(data.path(), &listen);
    let rest: Vec<String> = ids
        .iter()
        .filter(|id| !answered.contains_key(*id))
        .cloned()
        .collect();
    let (tx, rx) = std::sync::mpsc::channel();
    for k in burst(&server.base, &kiosk, &rest, &tx) {
        k.join().expect("kiosk");
    }
    drop(tx);
    answered.extend(rx.try_iter());
    let db_path = data.path().join("motcua.sqlite3");
    let refused: Vec<&Value> = answered
        .values()
        .filter(|t| t.get("code").is_none())
        .collect();
    assert!(refused.is_empty(), "refused: {refused:?}");
    assert_eq!(answered.len(), TICKETS, "every request was answered");
    let tickets: BTreeSet<String> = answered
        .values()
        .map(|t| t["code"].as_str().expect("code").to_owned())
        .collect();
    assert_eq!(tickets.len(), TICKETS, "every request got its own ticket");

    // Every job ends: printed, or failed with a reason.
    let started = Instant::now();
    let db = rusqlite::Connection::open(&db_path).expect("db");
    loop {
        let open: i64 = db
            .query_row(
                "SELECT count(*) FROM print_jobs WHERE status IN ('queued', 'sent')",
                [],
                |r| r.get(0),
            )
            .expect("count");
        if open == 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "{open} jobs still open"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut stmt = db
        .prepare(
            "SELECT t.code, j.status, j.reason FROM tickets t
             LEFT JOIN print_jobs j ON j.ticket_id = t.id",
        )
        .expect("query");
    let jobs: Vec<(String, Option<String>, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("read");
    assert_eq!(jobs.len(), TICKETS, "one job per ticket");
    let mut printed = 0;
    for (code, status, reason) in &jobs {
        match status.as_deref() {
            Some("printed") => printed += 1,
            Some("failed") => assert!(reason.is_some(), "{code} failed without a reason"),
            other => panic!("{code}: job {other:?}"),
        }
    }
    let paper = printer.tickets();
    println!("{TICKETS} tickets through a kill: {printed} printed, {paper} on paper");
    assert_eq!(printed, TICKETS, "every ticket printed: {jobs:?}");
    assert_eq!(paper, TICKETS, "each once");
    server.kill_9();
    drop(runtime);
}
