//! (9) Printing through the agent: a kiosk's tickets through the real print agent's code
//! to a fake printer on TCP (one connection at a time, every ticket confirmed by a status
//! round trip after it, as an Epson answers). Measured: tickets on paper per second when
//! eight kiosk clients issue as fast as they can, and, at an open-loop 50 requests/s, the
//! time from a ticket's request to its last byte reaching the printer (p50, p99).
//!
//! Tickets leave the agent in the order of their jobs, so the n-th ticket out is matched
//! with the n-th job of the run.

use crate::harness::{Bench, field_of};
use crate::report::{Report, ms, quantile};
use anyhow::{Result, anyhow};
use motcua_printer::agent::{self, AgentConfig};
use motcua_printer::fake::{Event, FakePrinter};
use motcua_printer::transport::Deadlines;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BURST: usize = 600;
const CLIENTS: usize = 8;
const OPEN_LOOP: usize = 300;
const TICK: Duration = Duration::from_millis(20);

/// When each ticket came out, in order.
type Outs = Arc<Mutex<Vec<Instant>>>;

async fn issue(http: &reqwest::Client, url: &str, token: &str, field: &str) -> Result<i64> {
    let resp = http
        .post(url)
        .bearer_auth(token)
        .json(&serde_json::json!({ "service": field }))
        .send()
        .await?;
    let body: serde_json::Value = resp.json().await?;
    body["print"]["job"]
        .as_i64()
        .ok_or_else(|| anyhow!("no print job in {body}"))
}

async fn wait_for(outs: &Outs, n: usize, within: Duration) -> Result<()> {
    let started = Instant::now();
    while outs.lock().map(|o| o.len()).unwrap_or(0) < n {
        if started.elapsed() > within {
            return Err(anyhow!(
                "only {} of {n} tickets came out",
                outs.lock().map(|o| o.len()).unwrap_or(0)
            ));
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(())
}

pub fn section(bench: &Bench, report: &mut Report) -> Result<()> {
    eprintln!("(9) tickets through the print agent to a printer...");
    let hall = bench.start_hall("hall-printing")?;
    let printer_token = hall.add_printer("bench-printer")?;
    let state = tempfile::tempdir()?;
    bench.client_rt.block_on(async {
        let printer = FakePrinter::start().await;
        let outs: Outs = Arc::new(Mutex::new(Vec::new()));
        let seen = outs.clone();
        printer.on_event(move |e| {
            if let Event::Ticket { .. } = e
                && let Ok(mut o) = seen.lock()
            {
                o.push(Instant::now());
            }
        });
        let config = AgentConfig {
            server: hall.base.clone(),
            token: Some(printer_token),
            printer: printer.target().parse().map_err(|e| anyhow!("{e}"))?,
            layout: Default::default(),
            state_dir: state.path().to_owned(),
            status_every: Duration::from_secs(5),
            deadlines: Deadlines::default(),
            pairing_poll: Duration::from_secs(1),
        };
        let agent = tokio::spawn(agent::run(config, std::future::pending()));
        let url = Arc::new(format!("{}/api/tickets", hall.base));
        let token = Arc::new(hall.kiosk.clone());
        let http = bench.http.clone();
        // The agent is connected once a first ticket comes out.
        issue(&http, &url, &token, "A").await?;
        wait_for(&outs, 1, Duration::from_secs(30)).await?;

        // Throughput: eight clients, as fast as they can.
        let started = Instant::now();
        let mut clients = Vec::new();
        for c in 0..CLIENTS {
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            clients.push(tokio::spawn(async move {
                for i in 0..BURST / CLIENTS {
                    issue(&http, &url, &token, field_of(c * 1000 + i)).await?;
                }
                Ok::<_, anyhow::Error>(())
            }));
        }
        for c in clients {
            c.await??;
        }
        wait_for(&outs, 1 + BURST, Duration::from_secs(120)).await?;
        let burst = started.elapsed();
        let rate = BURST as f64 / burst.as_secs_f64();

        // Latency: one request every 20 ms, request to last byte on the printer.
        let before = outs.lock().map(|o| o.len()).unwrap_or(0);
        let mut tick = tokio::time::interval(TICK);
        let mut tasks = Vec::with_capacity(OPEN_LOOP);
        for i in 0..OPEN_LOOP {
            tick.tick().await;
            let (http, url, token) = (http.clone(), url.clone(), token.clone());
            tasks.push(tokio::spawn(async move {
                let sent = Instant::now();
                issue(&http, &url, &token, field_of(i))
                    .await
                    .map(|job| (job, sent))
            }));
        }
        let mut sent = Vec::with_capacity(OPEN_LOOP);
        for t in tasks {
            sent.push(t.await??);
        }
        wait_for(&outs, before + OPEN_LOOP, Duration::from_secs(60)).await?;
        sent.sort_by_key(|(job, _)| *job);
        let out = outs
            .lock()
            .map(|o| o[before..].to_vec())
            .unwrap_or_default();
        let mut lat: Vec<Duration> = sent
            .iter()
            .zip(out.iter())
            .map(|((_, at), came)| came.saturating_duration_since(*at))
            .collect();
        lat.sort();
        agent.abort();
        report.table(
            "(9) printing through the agent (fake Epson on TCP, each ticket confirmed)",
            &["measure", "value", "target"],
            vec![
                vec![
                    format!("tickets on paper per second ({BURST}, {CLIENTS} clients)"),
                    format!("{rate:.0}"),
                    ">= 150".into(),
                ],
                vec![
                    "request to last byte p50 (50 requests/s)".into(),
                    ms(quantile(&lat, 0.50)),
                    String::new(),
                ],
                vec![
                    "request to last byte p99 (50 requests/s)".into(),
                    ms(quantile(&lat, 0.99)),
                    "< 30 ms".into(),
                ],
                vec![
                    "tickets on paper / issued".into(),
                    format!("{} / {}", printer.tickets(), 1 + BURST + OPEN_LOOP),
                    "equal".into(),
                ],
            ],
        );
        Ok::<_, anyhow::Error>(())
    })?;
    bench.server_rt.block_on(hall.shut_down());
    Ok(())
}
