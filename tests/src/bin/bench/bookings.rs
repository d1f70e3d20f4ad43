//! (12) A rush on one window: 2,000 booking attempts sent at once, each for another person,
//! on the same 50 places (field A's first window still to come on the next working day: the
//! hall's plan is set so that window holds exactly 50). Measured: attempt to answer
//! p50/p99/max, and afterwards the places taken, counted in the database: every place taken
//! once, none twice, none beyond the 50 (the writer takes one booking at a time, each in
//! its transaction, so two citizens never get the same place).

use crate::harness::Bench;
use crate::report::{Report, ms, quantile};
use anyhow::{Result, anyhow};
use std::time::{Duration, Instant};

/// Attempts sent at once.
const ATTEMPTS: usize = 2_000;
/// The places of the window (from the plan below).
const PLACES: u64 = 50;

/// The first window of field A with places still to come, on the calendar: (day, start).
async fn first_open_window(http: &reqwest::Client, base: &str) -> Result<(String, String, u64)> {
    let calendar: serde_json::Value = http
        .get(format!("{base}/api/bookings/calendar?service=A"))
        .send()
        .await?
        .json()
        .await?;
    let days = calendar["days"]
        .as_array()
        .ok_or_else(|| anyhow!("no days: {calendar}"))?;
    for day in days {
        for w in day["windows"].as_array().into_iter().flatten() {
            if w["open"] == true && w["free"].as_u64() == w["places"].as_u64() {
                return Ok((
                    day["day"].as_str().unwrap_or_default().to_owned(),
                    w["start"].as_str().unwrap_or_default().to_owned(),
                    w["places"].as_u64().unwrap_or(0),
                ));
            }
        }
    }
    Err(anyhow!("no open window in {calendar}"))
}

pub fn section(bench: &Bench, report: &mut Report) -> Result<()> {
    eprintln!("(12) {ATTEMPTS} booking attempts at once on {PLACES} places...");
    // Field A, 75-minute windows: its three counters give 75/2 + 75/2 + 75/3 = 100
    // counter-minutes, half kept for walk-ins, 1-minute services: 50 places.
    let hall = bench.start_hall_with("hall-bookings", |s| {
        s.bookings.window_minutes = 75;
        s.bookings.walk_in_percent = 50;
        s.bookings.attempts_per_minute = 100_000;
        s.bookings.per_person_per_day = 1;
        s.services[0].service_minutes = 1;
    })?;
    let http = &bench.http;
    let rush = reqwest::Client::builder()
        .pool_max_idle_per_host(ATTEMPTS)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(60))
        .build()?;
    bench.client_rt.block_on(async {
        let (day, window, places) = first_open_window(http, &hall.base).await?;
        if places != PLACES {
            return Err(anyhow!("the window holds {places} places, not {PLACES}"));
        }
        let url = format!("{}/api/bookings", hall.base);
        let started = Instant::now();
        let tasks: Vec<_> = (0..ATTEMPTS)
            .map(|i| {
                let (rush, url) = (rush.clone(), url.clone());
                let body = serde_json::json!({
                    "service": "A", "day": day, "window": window,
                    "person": format!("09{i:08}"), "consent": true,
                });
                tokio::spawn(async move {
                    let sent = Instant::now();
                    let answer = rush.post(&url).json(&body).send().await;
                    let status = match answer {
                        Ok(r) => {
                            let status = r.status().as_u16();
                            let _ = r.bytes().await;
                            status
                        }
                        Err(_) => 0,
                    };
                    (status, sent.elapsed())
                })
            })
            .collect();
        let (mut latencies, mut booked, mut full) = (Vec::new(), 0u64, 0u64);
        let mut other: std::collections::BTreeMap<u16, u64> = Default::default();
        for t in tasks {
            let (status, took) = t.await?;
            latencies.push(took);
            match status {
                201 => booked += 1,
                409 => full += 1,
                _ => *other.entry(status).or_default() += 1,
            }
        }
        let took = started.elapsed();
        latencies.sort();
        // Counted in the database, apart from what the answers said.
        let (held, distinct): (u64, u64) = hall.read_db(|conn| {
            conn.query_row(
                "SELECT COUNT(*), COUNT(DISTINCT slot) FROM bookings
                 WHERE service = 'A' AND local_day = ?1 AND window_start = ?2
                   AND status <> 'cancelled'",
                [&day, &window],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })?;
        report.row(
            "12a",
            &format!("{ATTEMPTS} booking attempts at once on {PLACES} places: answer"),
            format!(
                "p50 {} p99 {} max {} ({:.1} s in all)",
                ms(quantile(&latencies, 0.5)),
                ms(quantile(&latencies, 0.99)),
                ms(latencies.last().copied().unwrap_or_default()),
                took.as_secs_f64()
            ),
            "-",
            None,
        );
        report.row(
            "12b",
            "places taken (201 / in the database / distinct places)",
            format!(
                "{booked} / {held} / {distinct}; {full} refused window_full, other answers {other:?} (0: no answer)"
            ),
            "50 / 50 / 50, none overbooked",
            Some(booked == PLACES && held == PLACES && distinct == PLACES && other.is_empty()),
        );
        hall.shut_down().await;
        Ok::<_, anyhow::Error>(())
    })
}
