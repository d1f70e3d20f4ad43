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
use motcua_tests::{Dice, TestCity, opening_time};
use motcua_web::protocol::{self, Batch, Profile, ProfileService, WireEvent};
use serde_json::json;
use std::time::Instant;

const HALLS: usize = 200;

/// A hall's day: about `tickets` tickets, as events numbered from 1.
fn a_day(tickets: usize, seed: u64) -> Vec<WireEvent> {
    let mut dice = Dice::new(seed | 1);
    let mut roll = move |n: u64| dice.below(n);
    let start = opening_time().timestamp_millis();
    let mut events = Vec::new();
    let mut push = |at: i64,
                    kind: &str,
                    ticket: Option<i64>,
                    service: Option<&str>,
                    counter: Option<u16>,
                    data: serde_json::Value| {
        let seq = events.len() as i64 + 1;
        events.push(WireEvent {
            seq,
            at,
            kind: kind.to_owned(),
            ticket,
            service: service.map(str::to_owned),
            counter,
            clerk: counter.map(i64::from),
            data,
        });
    };
    for no in 1..=4u16 {
        push(start, "counter_opened", None, None, Some(no), json!({}));
    }
    let fields = ["A", "B", "C", "D", "E"];
    for t in 0..tickets {
        let id = t as i64 + 1;
        let field = fields[roll(5) as usize];
        let counter = 1 + roll(4) as u16;
        let at = start + id * 60_000;
        push(
            at,
            "issued",
            Some(id),
            Some(field),
            None,
            json!({"code": format!("{field}{id:03}"), "priority": "none", "eta_minutes": roll(30), "ahead": roll(20), "issued_by": "kiosk"}),
        );
        push(
            at + 300_000,
            "called",
            Some(id),
            Some(field),
            Some(counter),
            json!({"code": format!("{field}{id:03}"), "priority": "none", "waited_ms": 300_000}),
        );
        if roll(10) == 0 {
            push(
                at + 360_000,
                "recalled",
                Some(id),
                Some(field),
                Some(counter),
                json!({"recall": 1}),
            );
        }
        if roll(12) == 0 {
            push(
                at + 420_000,
                "absent",
                Some(id),
                Some(field),
                Some(counter),
                json!({}),
            );
            continue;
        }
        push(
            at + 400_000,
            "serving",
            Some(id),
            Some(field),
            Some(counter),
            json!({}),
        );
        push(
            at + 900_000,
            "served",
            Some(id),
            Some(field),
            Some(counter),
            json!({}),
        );
        if roll(2) == 0 {
            push(
                at + 960_000,
                "rated",
                Some(id),
                Some(field),
                None,
                json!({"level": 1 + roll(5), "scale": 5, "comment": null, "channel": "phone"}),
            );
        }
    }
    for no in 1..=4u16 {
        push(
            start + 9 * 3_600_000,
            "counter_closed",
            None,
            None,
            Some(no),
            json!({}),
        );
    }
    events
}

fn profile() -> Profile {
    Profile {
        name: "Phường thử".into(),
        timezone: "Asia/Ho_Chi_Minh".into(),
        rating_scale: 5,
        services: ["A", "B", "C", "D", "E"]
            .iter()
            .map(|c| ProfileService {
                code: (*c).into(),
                name_vi: format!("Lĩnh vực {c}"),
                name_en: format!("Field {c}"),
                target_wait_minutes: 15,
                satisfaction_target_percent: 95,
            })
            .collect(),
    }
}

/// One hall posting its whole log in batches of `size`, in order, as the uplink does.
async fn post_all(
    client: reqwest::Client,
    url: String,
    code: String,
    secret: String,
    events: Vec<WireEvent>,
    size: usize,
    timestamp: i64,
) -> Result<u64> {
    let mut stored = 0;
    for chunk in events.chunks(size) {
        let batch = Batch {
            hall: code.clone(),
            from_seq: chunk[0].seq,
            to_seq: chunk[chunk.len() - 1].seq,
            profile: profile(),
            events: chunk.to_vec(),
        };
        let body = serde_json::to_vec(&batch)?;
        let signature = protocol::sign(&secret, &code, timestamp, &body);
        let response = client
            .post(&url)
            .header("content-type", "application/json")
            .header(protocol::HALL_HEADER, &code)
            .header(protocol::TIMESTAMP_HEADER, timestamp.to_string())
            .header(protocol::SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await?;
        ensure!(
            response.status().is_success(),
            "{}: {}",
            response.status(),
            response.text().await?
        );
        let ack: protocol::Ack = response.json().await?;
        ensure!(
            ack.acked_through == batch.to_seq,
            "acked {} of {}",
            ack.acked_through,
            batch.to_seq
        );
        stored += ack.stored;
    }
    Ok(stored)
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut overview = None;
    println!("| batch size | halls | events | seconds | events/s | stored once | target |");
    println!("|---|---|---|---|---|---|---|");
    for (size, tickets) in [(100usize, 150usize), (500, 300), (2000, 300)] {
        let clock = ManualClock::starting_at(opening_time());
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
        let timestamp = opening_time().timestamp_millis();
        let started = Instant::now();
        let mut tasks = Vec::new();
        for ((code, secret), events) in halls.into_iter().zip(logs) {
            tasks.push(tokio::spawn(post_all(
                client.clone(),
                url.clone(),
                code,
                secret,
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
