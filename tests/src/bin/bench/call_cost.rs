//! (6) What a clerk's Next costs as the waiting list grows. A hall on a bad morning (a
//! land-registry deadline, a new ID card rule) can have thousands waiting in one field;
//! the clerk presses Next hundreds of times that day, and each press should feel instant
//! however long the list behind it is.
//!
//! One field is filled to N + 200 waiting tickets; its counter's clerk then calls 200
//! times, serving each ticket to the end (start, finish) between calls so the counter is
//! free, and only the call request is timed. The list shrinks back to N, so it stays
//! within 200 of N while measured; the next N tops it up again.

use crate::cpu::{cpu_mark, cpu_note};
use crate::harness::{Bench, Clerk, called_id, fill};
use crate::report::{Report, ms, quantile};
use anyhow::{Result, bail};
use std::time::{Duration, Instant};

/// The waiting lists measured, shortest first (the hall is filled up from one to the next).
const QUEUE_LENGTHS: [usize; 4] = [100, 1_000, 8_000, 20_000];
/// Calls timed at each length.
const CALLS: usize = 200;
/// The field filled, and its counter: counter 2 serves B and E in the demo hall, and E is
/// left empty, so every call chooses among the N tickets of B.
const FIELD: &str = "B";
const COUNTER: u16 = 2;
/// Filling the longest list takes a few seconds; give up if the hall takes much longer.
const FILL_TIME: Duration = Duration::from_secs(60);
/// The target for the longest list.
const TARGET_P99: Duration = Duration::from_millis(5);

/// Calls timed at one queue length.
struct Step {
    waiting: usize,
    /// The call requests' latencies (request sent to answer read), sorted.
    latencies: Vec<Duration>,
}

impl Step {
    /// Calls a lone clerk could make per second if calling were all the hall did.
    fn calls_per_second(&self) -> f64 {
        let busy: Duration = self.latencies.iter().sum();
        self.latencies.len() as f64 / busy.as_secs_f64().max(1e-9)
    }
}

pub fn section(bench: &Bench, report: &mut Report) -> Result<()> {
    eprintln!("(6) call-next with {QUEUE_LENGTHS:?} waiting in one field...");
    let hall = bench.start_hall("hall-call-cost")?;
    let http = &bench.http;
    let steps = bench.client_rt.block_on(async {
        let clerk = Clerk::sign_in(&hall, usize::from(COUNTER - 1), COUNTER).await?;
        let mut steps = Vec::new();
        let mut waiting = 0;
        for n in QUEUE_LENGTHS {
            let filling = Instant::now();
            let more = n + CALLS - waiting;
            fill(http, &hall, &[FIELD], more, FILL_TIME).await?;
            let filled_in = filling.elapsed().as_secs_f64();
            let before = hall.waiting(http).await?;
            let cpu = cpu_mark();
            let started = Instant::now();
            let latencies = calls(&clerk).await?;
            let took = started.elapsed();
            waiting = usize::try_from(hall.waiting(http).await?)?;
            report.note(format!(
                "(6) {more} tickets issued in {filled_in:.2} s ({:.0}/s) to make {before} waiting; \
                 {waiting} after the calls",
                more as f64 / filled_in.max(1e-9),
            ));
            cpu_note(report, &format!("(6) {n} waiting"), cpu, took);
            steps.push(Step {
                waiting: n,
                latencies,
            });
        }
        hall.shut_down().await;
        anyhow::Ok(steps)
    })?;
    let rows: Vec<Vec<String>> = steps
        .iter()
        .map(|s| {
            vec![
                s.waiting.to_string(),
                s.latencies.len().to_string(),
                format!("{:.2}", quantile(&s.latencies, 0.5).as_secs_f64() * 1e3),
                format!("{:.2}", quantile(&s.latencies, 0.99).as_secs_f64() * 1e3),
                format!("{:.0}", s.calls_per_second()),
            ]
        })
        .collect();
    report.table(
        "(6) call-next against queue length (one clerk, one field)",
        &["waiting", "calls", "p50 ms", "p99 ms", "calls/s"],
        rows,
    );
    if let Some(longest) = steps.last() {
        let p99 = quantile(&longest.latencies, 0.99);
        report.row(
            "6",
            &format!("call-next p99 with {} waiting", longest.waiting),
            format!(
                "{} (p50 {})",
                ms(p99),
                ms(quantile(&longest.latencies, 0.5))
            ),
            "< 5 ms",
            Some(p99 < TARGET_P99),
        );
    }
    Ok(())
}

/// `CALLS` calls at the clerk's counter, each ticket served to the end before the next
/// call; returns the calls' latencies, sorted.
async fn calls(clerk: &Clerk) -> Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let sent = Instant::now();
        let resp = clerk.http.post(clerk.call_next_url()).send().await?;
        let status = resp.status().as_u16();
        let body = resp.text().await?;
        let latency = sent.elapsed();
        if status != 200 {
            bail!("call-next at {}: {status} {body}", clerk.counter);
        }
        latencies.push(latency);
        clerk.serve(called_id(&body)?).await?;
    }
    latencies.sort();
    Ok(latencies)
}
