//! (2) How many tickets a second the hall acknowledges (durably) to 64 kiosks at once, and
//! (3) how long one ticket takes at an open-loop offered load of 200 requests/s. (2b) and
//! (3b) repeat them on a hall with no display, to tell the cost of the fan-out from the
//! cost of the ticket itself.

use crate::cpu::{cpu_mark, cpu_note};
use crate::displays::{DISPLAYS, connect_displays};
use crate::harness::{Bench, Hall, field_of, issue};
use crate::report::{Report, ms, quantile};
use anyhow::Result;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// (2): concurrent kiosk clients, at most this many tickets, for at most this long.
pub const BURST_TASKS: usize = 64;
const BURST_MAX: usize = 6000;
const BURST_TIME: Duration = Duration::from_secs(6);
/// (3): one request started every 5 ms (200/s) for 10 s, whatever the previous did.
const OPEN_TICK: Duration = Duration::from_millis(5);
pub const OPEN_COUNT: usize = 2000;

/// (2b) The burst on a hall with no display, to see what the displays cost.
pub fn tickets_without_displays(bench: &Bench, report: &mut Report, limit: f64) -> Result<()> {
    eprintln!("(2b) {BURST_TASKS} kiosks, no displays...");
    let hall = bench.start_hall("hall-without-displays")?;
    bench.client_rt.block_on(async {
        let cpu = cpu_mark();
        let b = burst(&bench.http, &hall).await;
        cpu_note(report, "(2b)", cpu, b.elapsed);
        burst_notes(report, "(2b) no displays", &b);
        let rate = b.issued as f64 / b.elapsed.as_secs_f64();
        report.row(
            "2b",
            "acked tickets/s, no displays (ratio to 1)",
            format!("{rate:.0}/s ({:.2})", rate / limit),
            ">= 0.6",
            Some(rate / limit >= 0.6),
        );
        hall.shut_down().await;
    });
    Ok(())
}

/// (3b) The open loop on a hall with no display, to see what the displays cost.
pub fn latency_without_displays(bench: &Bench, report: &mut Report) -> Result<()> {
    eprintln!("(3b) open loop 200/s, no displays...");
    let hall = bench.start_hall("hall-open-loop-without-displays")?;
    bench.client_rt.block_on(async {
        let cpu = cpu_mark();
        let started = Instant::now();
        let (lat, _, failed, _) = open_loop(&bench.http, &hall).await;
        cpu_note(report, "(3b)", cpu, started.elapsed());
        report.row(
            "3b",
            "issue latency at 200/s, no displays",
            format!(
                "p50 {} p90 {} p99 {} max {}",
                ms(quantile(&lat, 0.5)),
                ms(quantile(&lat, 0.9)),
                ms(quantile(&lat, 0.99)),
                ms(quantile(&lat, 1.0))
            ),
            "(p99 < 10 ms)",
            None,
        );
        if failed > 0 {
            report.note(format!("(3b) {failed} requests failed"));
        }
        hall.shut_down().await;
    });
    Ok(())
}

/// (2) Tickets per second with 1,000 displays watching.
pub fn tickets_with_displays(bench: &Bench, report: &mut Report, limit: f64) -> Result<()> {
    eprintln!("(2) {BURST_TASKS} kiosks, {DISPLAYS} displays...");
    let hall = bench.start_hall("hall-burst")?;
    let http = &bench.http;
    bench.client_rt.block_on(async {
        let (displays, took) = connect_displays(&hall.ws, DISPLAYS).await?;
        report.note(format!(
            "(2) {} displays connected (snapshot read) in {:.2} s",
            displays.tasks.len(),
            took.as_secs_f64()
        ));
        let (frames0, resync0, sent0) = (
            displays.stats.frames.load(Ordering::Relaxed),
            hall.resyncs(),
            hall.frames_sent(),
        );
        let cpu = cpu_mark();
        let b = burst(http, &hall).await;
        cpu_note(report, "(2)", cpu, b.elapsed);
        burst_notes(report, "(2) 1,000 displays", &b);
        let rate = b.issued as f64 / b.elapsed.as_secs_f64();
        report.row(
            "2",
            "acked tickets/s, 1,000 displays (ratio to 1)",
            format!("{rate:.0}/s ({:.2})", rate / limit),
            ">= 0.6",
            Some(rate / limit >= 0.6),
        );
        // Let the displays catch up, then see what they got.
        tokio::time::sleep(Duration::from_secs(1)).await;
        report.note(format!(
            "(2) server sent {} frames, displays read {}, {} resync snapshots sent to feeds that fell behind; waiting now {}",
            hall.frames_sent() - sent0,
            displays.stats.frames.load(Ordering::Relaxed) - frames0,
            hall.resyncs() - resync0,
            hall.waiting(http).await.unwrap_or(0),
        ));
        displays.close();
        hall.shut_down().await;
        anyhow::Ok(())
    })
}

/// (3) The open loop on a hall whose displays are connected (and clerks signed in).
pub async fn latency_with_displays(report: &mut Report, http: &reqwest::Client, hall: &Hall) {
    let resync0 = hall.resyncs();
    let cpu = cpu_mark();
    let started = Instant::now();
    let (lat, from_send, failed, offered_over) = open_loop(http, hall).await;
    cpu_note(report, "(3)", cpu, started.elapsed());
    let p99 = quantile(&lat, 0.99);
    report.row(
        "3",
        "issue latency at 200/s open loop, p50",
        ms(quantile(&lat, 0.5)),
        "-",
        None,
    );
    let row = "                                   ";
    report.row(
        "3",
        &format!("{row}p90"),
        ms(quantile(&lat, 0.9)),
        "-",
        None,
    );
    report.row(
        "3",
        &format!("{row}p99"),
        ms(p99),
        "< 10 ms",
        Some(p99 < Duration::from_millis(10) && failed == 0),
    );
    report.row(
        "3",
        &format!("{row}max"),
        ms(quantile(&lat, 1.0)),
        "-",
        None,
    );
    report.note(format!(
        "(3) {} requests offered over {:.2} s ({:.0}/s), {} failed; from the actual send: p50 {} p99 {} max {}; {} resyncs",
        OPEN_COUNT,
        offered_over.as_secs_f64(),
        OPEN_COUNT as f64 / offered_over.as_secs_f64(),
        failed,
        ms(quantile(&from_send, 0.5)),
        ms(quantile(&from_send, 0.99)),
        ms(quantile(&from_send, 1.0)),
        hall.resyncs() - resync0,
    ));
}

struct Burst {
    issued: usize,
    failed: usize,
    elapsed: Duration,
    /// When each ticket was acknowledged, from the start.
    acked_at: Vec<Duration>,
    latencies: Vec<Duration>,
}

/// Closed loop: each kiosk client sends its next ticket as soon as the last is answered.
async fn burst(http: &reqwest::Client, hall: &Hall) -> Burst {
    let url = Arc::new(format!("{}/api/tickets", hall.base));
    let token = Arc::new(hall.kiosk.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..BURST_TASKS {
        let (http, url, token, next) = (http.clone(), url.clone(), token.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let (mut acked, mut lat, mut failed) = (Vec::new(), Vec::new(), 0usize);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= BURST_MAX || start.elapsed() >= BURST_TIME {
                    break;
                }
                let sent = Instant::now();
                match issue(&http, &url, &token, field_of(i)).await {
                    Ok(true) => {
                        let now = Instant::now();
                        acked.push(now - start);
                        lat.push(now - sent);
                    }
                    _ => failed += 1,
                }
            }
            (acked, lat, failed)
        }));
    }
    let mut out = Burst {
        issued: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        acked_at: Vec::new(),
        latencies: Vec::new(),
    };
    for t in tasks {
        if let Ok((acked, lat, failed)) = t.await {
            out.acked_at.extend(acked);
            out.latencies.extend(lat);
            out.failed += failed;
        }
    }
    out.elapsed = start.elapsed();
    out.issued = out.acked_at.len();
    out.acked_at.sort();
    out.latencies.sort();
    out
}

fn burst_notes(report: &mut Report, label: &str, b: &Burst) {
    let rate = b.issued as f64 / b.elapsed.as_secs_f64();
    // Throughput second by second, to see whether it falls as the waiting list grows.
    let secs = b.elapsed.as_secs_f64().ceil() as usize;
    let mut per_second = vec![0usize; secs.max(1)];
    for t in &b.acked_at {
        let s = (t.as_secs_f64() as usize).min(per_second.len() - 1);
        per_second[s] += 1;
    }
    report.note(format!(
        "{label}: {} issued, {} failed in {:.2} s = {rate:.0}/s; per second: {:?}; \
         request latency p50 {} p99 {} max {}",
        b.issued,
        b.failed,
        b.elapsed.as_secs_f64(),
        per_second,
        ms(quantile(&b.latencies, 0.5)),
        ms(quantile(&b.latencies, 0.99)),
        ms(quantile(&b.latencies, 1.0)),
    ));
}

/// Open loop: a request starts every tick whatever the previous ones do. Latency counts
/// from the scheduled start, so a stalled server is not hidden by a stalled client.
/// Returns the latencies from the schedule and from the actual send (sorted), the
/// failures, and how long the offering took.
async fn open_loop(
    http: &reqwest::Client,
    hall: &Hall,
) -> (Vec<Duration>, Vec<Duration>, usize, Duration) {
    let url = Arc::new(format!("{}/api/tickets", hall.base));
    let token = Arc::new(hall.kiosk.clone());
    let start = tokio::time::Instant::now() + OPEN_TICK;
    let mut tick = tokio::time::interval_at(start, OPEN_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = Vec::with_capacity(OPEN_COUNT);
    for i in 0..OPEN_COUNT {
        let scheduled = tick.tick().await.into_std();
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let ok = matches!(issue(&http, &url, &token, field_of(i)).await, Ok(true));
            let done = Instant::now();
            (ok, done - scheduled, done - sent)
        }));
    }
    let offered_over = start.elapsed();
    let (mut from_schedule, mut from_send, mut failed) = (Vec::new(), Vec::new(), 0);
    for t in tasks {
        match t.await {
            Ok((true, a, b)) => {
                from_schedule.push(a);
                from_send.push(b);
            }
            _ => failed += 1,
        }
    }
    from_schedule.sort();
    from_send.sort();
    (from_schedule, from_send, failed, offered_over)
}
