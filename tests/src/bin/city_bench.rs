//! The collector's ingest benchmark: 200 halls post their logs at once to one real
//! collector (`motcua city serve`'s router on 127.0.0.1, its SQLite file on this disk,
//! `synchronous=FULL`), each hall in order, one batch after another, as the uplink does.
//!
//! ```text
//! cargo run --release -p motcua-tests --bin city_bench
//! ```
//!
//! Each hall's log is a busy day's worth of real-shaped events (issue, call, recall, start,
//! finish or no-show, rating; counters opening, pausing and closing). The table gives the
//! events stored per second for a few batch sizes, and checks that every event was stored
//! exactly once. Target: at least 20,000 events per second from 200 halls at once.

use anyhow::{Result, ensure};
use motcua_store::clock::ManualClock;
use motcua_tests::city_load::{a_day, post_all};
use motcua_tests::{TestCity, opening_time};
use motcua_web::protocol::{self, WireEvent};
use std::time::Instant;

const HALLS: usize = 200;

#[tokio::main]
async fn main() -> Result<()> {
    let mut overview = None;
    println!("| batch size | halls | events | seconds | events/s | stored once | target |");
    println!("|---|---|---|---|---|---|---|");
    for (size, tickets) in [(100usize, 150usize), (500, 300), (2000, 300)] {
        // The collector's clock at the day's end: every event of the day is in its past.
        let clock = ManualClock::starting_at(opening_time() + chrono::Duration::hours(12));
        let city = TestCity::start(clock).await;
        let halls: Vec<(String, String)> = (0..HALLS)
            .map(|i| city.register(&format!("Phường {i}")))
            .collect();
        let logs: Vec<Vec<WireEvent>> = (0..HALLS)
            .map(|i| a_day(tickets, 0x9E37 + i as u64))
            .collect();
        let total: usize = logs.iter().map(Vec::len).sum();
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(HALLS)
            .build()?;
        let url = format!("{}{}", city.base, protocol::BATCH_PATH);
        let timestamp = opening_time().timestamp_millis() + 12 * 3_600_000;
        let started = Instant::now();
        let mut tasks = Vec::new();
        for ((code, secret), events) in halls.into_iter().zip(logs) {
            tasks.push(tokio::spawn(post_all(
                client.clone(),
                vec![url.clone()],
                0,
                (code, secret),
                events,
                size,
                timestamp,
            )));
        }
        let mut stored = 0;
        for task in tasks {
            stored += task.await??;
        }
        let seconds = started.elapsed().as_secs_f64();
        // Every event once: the rows in the collector's log, and each hall's last number.
        let conn = rusqlite::Connection::open(city.data_dir().join("city.sqlite3"))?;
        let rows: i64 = conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
        let acked: i64 = conn.query_row("SELECT SUM(acked_seq) FROM halls", [], |r| r.get(0))?;
        let once = rows as usize == total && acked as usize == total && stored as usize == total;
        println!(
            "| {size} | {HALLS} | {total} | {seconds:.1} | {:.0} | {} | ≥ 20,000/s |",
            total as f64 / seconds,
            if once { "yes" } else { "NO" }
        );
        ensure!(
            once,
            "rows {rows}, acknowledged {acked}, stored {stored}, sent {total}"
        );
        if size == 500 {
            // What the city office then reads: every hall side by side.
            let office = city.staff("thongke", motcua_domain::Role::Manager).await;
            let mut times = Vec::new();
            for _ in 0..5 {
                let asked = Instant::now();
                let (status, body) = office.get("/api/city/stats").await;
                ensure!(status == 200, "{body}");
                times.push(asked.elapsed().as_secs_f64() * 1000.0);
            }
            times.sort_by(f64::total_cmp);
            let file = |name: &str| {
                std::fs::metadata(city.data_dir().join(name))
                    .map(|m| m.len())
                    .unwrap_or(0)
            };
            let bytes = file("city.sqlite3") + file("city.sqlite3-wal");
            overview = Some((times[2], times[4], bytes as f64 / total as f64));
        }
    }
    if let Some((median, max, per_event)) = overview {
        println!();
        println!(
            "a day of {HALLS} halls side by side (GET /api/city/stats): median {median:.0} ms, max {max:.0} ms; the collector's file: {per_event:.0} bytes per event"
        );
    }
    Ok(())
}
