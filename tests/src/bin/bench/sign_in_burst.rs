//! (8) A password-guessing burst: 200 wrong sign-ins kept in flight (each answered one is
//! sent again at once), while a kiosk issues tickets at 50 requests/s. Each guess comes
//! from another address (through a trusted proxy's `X-Forwarded-For`) for another name, so
//! the throttle cannot turn them away and every one that fits the queue is hashed: the
//! worst case for the hashing threads. Measured: the process's peak resident memory during
//! the burst (server and clients share it) and the kiosk's issue p99 against the quiet
//! figure of the same run. The guessers have a runtime and connections of their own.

use crate::harness::{Bench, Hall, field_of, issue};
use crate::report::{Report, ms, quantile};
use anyhow::Result;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Wrong sign-ins in flight.
const GUESSERS: usize = 200;
/// Kiosk requests per second, and for how long, in each phase.
const ISSUE_TICK: Duration = Duration::from_millis(20);
const ISSUE_COUNT: usize = 300;
/// Every guesser stops after this many tries (the phase ends long before).
const TRIES_EACH: u64 = 2_000;

/// Resident memory now (`VmRSS`), in MB.
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The kiosk's issue latencies (sent to answered), sorted, and how many failed.
async fn kiosk(http: &reqwest::Client, hall: &Hall) -> (Vec<Duration>, usize) {
    let url = Arc::new(format!("{}/api/tickets", hall.base));
    let token = Arc::new(hall.kiosk.clone());
    let mut tick = tokio::time::interval(ISSUE_TICK);
    let mut tasks = Vec::with_capacity(ISSUE_COUNT);
    for i in 0..ISSUE_COUNT {
        tick.tick().await;
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let ok = matches!(issue(&http, &url, &token, field_of(i)).await, Ok(true));
            (ok, sent.elapsed())
        }));
    }
    let (mut lat, mut failed) = (Vec::new(), 0);
    for t in tasks {
        match t.await {
            Ok((true, d)) => lat.push(d),
            _ => failed += 1,
        }
    }
    lat.sort();
    (lat, failed)
}

#[derive(Default)]
struct Answers {
    checked: AtomicU64,
    busy: AtomicU64,
    locked: AtomicU64,
    other: AtomicU64,
}

pub fn section(bench: &Bench, report: &mut Report) -> Result<()> {
    eprintln!("(8) {GUESSERS} wrong sign-ins in flight while a kiosk issues...");
    let hall = bench.start_hall_with("hall-sign-in-burst", |s| {
        s.server.trusted_proxies = vec!["127.0.0.1".parse().expect("an address")];
    })?;
    // The guessers run on a runtime of their own with their own connections, as an
    // attacker on another machine would: the kiosk's client is not queued behind them.
    let attacker = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("atk-rt")
        .enable_all()
        .build()?;
    let attacker_http = crate::harness::http_client()?;
    bench.client_rt.block_on(async {
        let http = &bench.http;
        let (quiet, quiet_failed) = kiosk(http, &hall).await;
        let rss_before = rss_mb();

        let stop = Arc::new(AtomicBool::new(false));
        let answers = Arc::new(Answers::default());
        let guessers: Vec<_> = (0..GUESSERS)
            .map(|g| {
                let (stop, answers) = (stop.clone(), answers.clone());
                let url = format!("{}/api/session", hall.base);
                let http = attacker_http.clone();
                attacker.spawn(async move {
                    for n in 0..TRIES_EACH {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let address = format!("10.{}.{}.{}", g / 250, g % 250, n % 250);
                        let name = if n % 2 == 0 { "admin" } else { "guess" };
                        let answer = http
                            .post(&url)
                            .header("x-forwarded-for", address)
                            .json(&serde_json::json!({
                                "name": format!("{name}-{g}-{n}"),
                                "password": "wrong-password-123",
                            }))
                            .send()
                            .await;
                        let counter = match answer {
                            Ok(r) if r.status() == 401 => &answers.checked,
                            Ok(r) if r.status() == 429 => {
                                let text = r.text().await.unwrap_or_default();
                                if text.contains("sign_in_busy") {
                                    &answers.busy
                                } else {
                                    &answers.locked
                                }
                            }
                            _ => &answers.other,
                        };
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        // Peak memory, sampled while the kiosk issues under the burst.
        let sampling = {
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut peak = 0.0f64;
                while !stop.load(Ordering::Relaxed) {
                    peak = peak.max(rss_mb());
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                peak
            })
        };
        let started = Instant::now();
        let (loud, loud_failed) = kiosk(http, &hall).await;
        let took = started.elapsed();
        stop.store(true, Ordering::Relaxed);
        let peak = sampling.await.unwrap_or(0.0).max(rss_mb());
        for g in guessers {
            let _ = g.await;
        }

        let (q99, l99) = (quantile(&quiet, 0.99), quantile(&loud, 0.99));
        report.row(
            "8a",
            "issue latency at 50/s, quiet",
            format!(
                "p50 {} p99 {}",
                ms(quantile(&quiet, 0.5)),
                ms(q99)
            ),
            "-",
            None,
        );
        report.row(
            "8b",
            "issue latency at 50/s, 200 wrong sign-ins in flight",
            format!(
                "p50 {} p99 {}",
                ms(quantile(&loud, 0.5)),
                ms(l99)
            ),
            "p99 < 2x quiet",
            Some(l99 < q99 * 2),
        );
        report.row(
            "8c",
            "peak RSS during the burst (server and clients)",
            format!("{peak:.0} MB (before {rss_before:.0} MB)"),
            "< 150 MB",
            Some(peak < 150.0),
        );
        let count = |a: &AtomicU64| a.load(Ordering::Relaxed);
        report.note(format!(
            "(8) in {:.1} s: {} guesses hashed and refused (401), {} turned away unhashed as busy, {} locked out, {} other; kiosk failures quiet {quiet_failed}, under the burst {loud_failed}",
            took.as_secs_f64(),
            count(&answers.checked),
            count(&answers.busy),
            count(&answers.locked),
            count(&answers.other),
        ));
        hall.shut_down().await;
    });
    attacker.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}
