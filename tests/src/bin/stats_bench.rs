//! The statistics benchmark: a year of a busy hall (400 tickets a day), then the manager's
//! questions over it, timed from the HTTP client like the dashboard asks them.
//!
//! ```text
//! cargo run --release -p motcua-tests --bin stats_bench
//! ```
//!
//! 1. A year of events is written straight into a fresh hall's SQLite file (tickets and
//!    their event log: issue, call, recall, start, finish or no-show, transfer, ratings with
//!    comments; counters opening, pausing for lunch and closing), as a hall that ran a year
//!    on a build without statistics would have it.
//! 2. The real server is started on it: it folds the whole log into the statistics tables
//!    once (the upgrade's one-time cost, printed).
//! 3. Each question (a day, a week, a month, a year; the CSV and the workbook of a year; the
//!    hall now) is asked 15 times; the table gives median, p99 and max. Target: under
//!    200 ms for any of them.

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use motcua_domain::Role;
use motcua_tests::{Client, Dice, TestHall};
use rusqlite::params;
use std::time::Instant;

const TICKETS_PER_DAY: u32 = 400;
const DAYS: i64 = 365;
const HOUR: i64 = 3_600_000;
const MIN: i64 = 60_000;

/// Local midnight of `day` in Hanoi (UTC+7), in milliseconds.
fn midnight(day: NaiveDate) -> i64 {
    let naive = day.and_hms_opt(0, 0, 0).expect("midnight");
    Utc.from_utc_datetime(&naive).timestamp_millis() - 7 * HOUR
}

/// Write a year of a busy hall into the database at `path`. Returns the events written.
fn write_a_year(path: &std::path::Path, last_day: NaiveDate) -> Result<u64> {
    let mut conn = rusqlite::Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    let tx = conn.transaction()?;
    let mut dice = Dice::new(0x1234_5678_9ABC_DEF1);
    let fields = ["A", "B", "C", "D", "E"];
    // The demo hall's counters and the fields each serves.
    let counters: [(u16, &[&str]); 4] = [
        (1, &["A", "D"]),
        (2, &["B", "E"]),
        (3, &["C", "A"]),
        (4, &["D", "A", "C"]),
    ];
    let mut events = 0u64;
    {
        let mut ticket = tx.prepare(
            "INSERT INTO tickets (id, token, local_day, first_service, service, number, code, priority,
                 status, issued_by, issued_at, queued_at, eta_minutes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'kiosk', ?10, ?10, ?11)",
        )?;
        let mut event = tx.prepare(
            "INSERT INTO events (at, kind, ticket_id, service, counter_no, user_id, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        let mut id = 0i64;
        for d in (0..DAYS).rev() {
            let day = last_day - Duration::days(d);
            let m = midnight(day);
            let day_text = day.to_string();
            for (no, _) in counters {
                let user = i64::from(no) + 100;
                event.execute(params![
                    m + 7 * HOUR + 30 * MIN,
                    "counter_opened",
                    None::<i64>,
                    None::<String>,
                    no,
                    user,
                    "{}"
                ])?;
                let lunch = m + 11 * HOUR + 30 * MIN + i64::from(no) * 5 * MIN;
                event.execute(params![
                    lunch,
                    "counter_paused",
                    None::<i64>,
                    None::<String>,
                    no,
                    user,
                    r#"{"reason":"Nghỉ trưa"}"#
                ])?;
                event.execute(params![
                    lunch + 75 * MIN,
                    "counter_resumed",
                    None::<i64>,
                    None::<String>,
                    no,
                    user,
                    "{}"
                ])?;
                event.execute(params![
                    m + 17 * HOUR,
                    "counter_closed",
                    None::<i64>,
                    None::<String>,
                    no,
                    user,
                    "{}"
                ])?;
                events += 4;
            }
            let mut numbers = [0u32; 5];
            for _ in 0..TICKETS_PER_DAY {
                id += 1;
                let f = dice.below(5) as usize;
                let field = fields[f];
                numbers[f] += 1;
                let number = numbers[f];
                // A morning peak: half the tickets between 07:30 and 10:00.
                let issued = if dice.below(2) == 0 {
                    m + 7 * HOUR + 30 * MIN + dice.between(0, 150 * MIN)
                } else {
                    m + 7 * HOUR + 30 * MIN + dice.between(0, 9 * HOUR)
                };
                let serving: Vec<u16> = counters
                    .iter()
                    .filter(|(_, s)| s.contains(&field))
                    .map(|(n, _)| *n)
                    .collect();
                let counter = serving[dice.below(serving.len() as u64) as usize];
                let user = i64::from(counter) + 100;
                let eta = dice.between(0, 40);
                let wait = (eta * MIN + dice.between(-8 * MIN, 8 * MIN)).max(0);
                let called = issued + wait;
                let absent = dice.below(100) < 8;
                let status = if absent { "absent" } else { "served" };
                ticket.execute(params![
                    id,
                    format!("{id:032x}"),
                    day_text,
                    field,
                    field,
                    number,
                    format!("{field}{number:03}"),
                    "none",
                    status,
                    issued,
                    eta
                ])?;
                let mut put =
                    |at: i64, kind: &str, counter: Option<u16>, user: Option<i64>, data: String| {
                        events += 1;
                        event.execute(params![at, kind, id, field, counter, user, data])
                    };
                put(
                    issued,
                    "issued",
                    None,
                    None,
                    format!(
                        r#"{{"code":"{field}{number:03}","priority":"none","issued_by":"kiosk","eta_minutes":{eta},"ahead":0}}"#
                    ),
                )?;
                put(
                    called,
                    "called",
                    Some(counter),
                    Some(user),
                    format!(
                        r#"{{"code":"{field}{number:03}","priority":"none","waited_ms":{wait}}}"#
                    ),
                )?;
                let mut last_call = called;
                if dice.below(100) < 10 {
                    last_call += dice.between(30_000, 120_000);
                    put(
                        last_call,
                        "recalled",
                        Some(counter),
                        Some(user),
                        r#"{"recall":1}"#.into(),
                    )?;
                }
                if absent {
                    put(
                        last_call + 2 * MIN,
                        "absent",
                        Some(counter),
                        Some(user),
                        "{}".into(),
                    )?;
                    continue;
                }
                let start = last_call + dice.between(10_000, 120_000);
                put(start, "serving", Some(counter), Some(user), "{}".into())?;
                // The clerk attaches the dossier's code (one in ten carries two).
                let received = day.format("%y%m%d");
                for n in 0..1 + u64::from(dice.below(10) == 0) {
                    put(
                        start + 1_000,
                        "dossier_attached",
                        Some(counter),
                        Some(user),
                        format!(r#"{{"dossier":"000.00.16.H26-{received}-{id:05}{n}"}}"#),
                    )?;
                }
                let end = start + dice.between(2 * MIN, 25 * MIN);
                put(end, "served", Some(counter), Some(user), "{}".into())?;
                if dice.below(100) < 50 {
                    let level = 1 + dice.below(5);
                    let comment = if dice.below(100) < 5 {
                        r#""Cán bộ hướng dẫn tận tình""#
                    } else {
                        "null"
                    };
                    put(
                        end + 30_000,
                        "rated",
                        None,
                        None,
                        format!(
                            r#"{{"level":{level},"scale":5,"comment":{comment},"channel":"phone",{}"visits_needed":{}}}"#,
                            if level <= 3 {
                                r#""reasons":["wait"],"#
                            } else {
                                ""
                            },
                            1 + dice.below(3)
                        ),
                    )?;
                }
            }
        }
    }
    tx.execute("UPDATE stat_state SET folded_through = NULL", [])?;
    tx.commit()?;
    Ok(events)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

async fn time(client: &Client, path: &str, runs: usize) -> Result<(f64, f64, f64, usize)> {
    let mut ms = Vec::with_capacity(runs);
    let mut size = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let (status, _, body) = client.get_bytes(path).await;
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(status == 200, "{path}: {status}");
        size = body.len();
    }
    ms.sort_by(f64::total_cmp);
    Ok((
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms[ms.len() - 1],
        size,
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    let hall = TestHall::start().await;
    let today = motcua_domain::numbering::local_day(
        motcua_tests::opening_time(),
        hall.state.store.hall().tz,
    );
    let db = hall.data_dir().join("motcua.sqlite3");
    let written = Instant::now();
    let events = write_a_year(&db, today).context("write a year")?;
    println!(
        "a year of a busy hall: {DAYS} days x {TICKETS_PER_DAY} tickets, {events} events, written in {:.1} s",
        written.elapsed().as_secs_f64()
    );
    // Restarting folds the whole log once, as an upgraded hall's first start does.
    let folded = Instant::now();
    let hall = hall.restart().await;
    println!(
        "first start on it (the log folded into the statistics tables): {:.1} s",
        folded.elapsed().as_secs_f64()
    );
    // The manager looks at the end of the last day.
    hall.clock
        .set(motcua_tests::opening_time() + Duration::hours(9));
    let manager = hall.staff("quanly", Role::Manager).await;
    let day = |d: i64| (today - Duration::days(d)).to_string();
    let questions = [
        ("a day", format!("/api/stats?from={}&to={}", day(0), day(0))),
        (
            "a week",
            format!("/api/stats?from={}&to={}", day(6), day(0)),
        ),
        (
            "a month",
            format!("/api/stats?from={}&to={}", day(29), day(0)),
        ),
        (
            "a year",
            format!("/api/stats?from={}&to={}", day(DAYS - 1), day(0)),
        ),
        (
            "a year, CSV per field",
            format!(
                "/api/stats.csv?from={}&to={}&by=field",
                day(DAYS - 1),
                day(0)
            ),
        ),
        (
            "a year, CSV per day",
            format!("/api/stats.csv?from={}&to={}&by=day", day(DAYS - 1), day(0)),
        ),
        (
            "a year, Excel workbook",
            format!("/api/stats.xlsx?from={}&to={}", day(DAYS - 1), day(0)),
        ),
        ("the hall now", "/api/stats/now".to_owned()),
    ];
    {
        // Where a year's answer goes: reading the rows, and computing the figures.
        let conn = rusqlite::Connection::open(&db)?;
        let from = today - Duration::days(DAYS - 1);
        motcua_store::stats::visits(&conn, 0, from, today)?;
        let read = Instant::now();
        let visits = motcua_store::stats::visits(&conn, 0, from, today)?;
        let spans = motcua_store::stats::spans(&conn, 0, from, today)?;
        let read = read.elapsed();
        // A year that folded into nothing would measure nothing (the events' data must be
        // what the hall writes: a kind the fold cannot read is left out of the figures).
        let served_a_year = (DAYS as usize) * TICKETS_PER_DAY as usize * 8 / 10;
        anyhow::ensure!(
            visits.len() >= served_a_year,
            "the year folded into {} visits: its events are not what the hall logs",
            visits.len()
        );
        let hall_def = hall.state.store.hall();
        let targets = hall_def
            .services
            .iter()
            .map(|s| (s.code.to_string(), s.target_wait_minutes))
            .collect();
        let counter_fields = motcua_domain::stats::counter_fields(&hall_def);
        let computed = Instant::now();
        let report = motcua_domain::stats::report(
            &visits,
            &spans,
            &motcua_domain::stats::Setup {
                tz: hall_def.tz,
                scale: 5,
                targets: &targets,
                official_targets: &Default::default(),
                counter_fields: Some(&counter_fields),
                now: midnight(today) + 17 * HOUR,
            },
        );
        println!(
            "a year in the library: {} visits, {} spans read in {:.1} ms, figures in {:.1} ms ({} served)",
            visits.len(),
            spans.len(),
            read.as_secs_f64() * 1000.0,
            computed.elapsed().as_secs_f64() * 1000.0,
            report.total.served
        );
    }
    {
        // The same through the server's own read path, without HTTP.
        let from = today - Duration::days(DAYS - 1);
        let store = hall.state.store.clone();
        let clock = hall.state.clock.clone();
        motcua_hall::http::stats::figures(&store, &clock, from, today).await?;
        let started = Instant::now();
        let v = motcua_hall::http::stats::figures(&store, &clock, from, today).await?;
        let json = serde_json::to_vec(&v)?;
        println!(
            "a year through the store: {:.1} ms with the JSON ({} bytes)",
            started.elapsed().as_secs_f64() * 1000.0,
            json.len()
        );
    }
    println!();
    println!("| question | median | p99 | max | answer | target |");
    println!("|---|---|---|---|---|---|");
    for (name, path) in &questions {
        // One untimed run warms the page cache, as a dashboard that is in use has it.
        time(&manager, path, 1).await?;
        let (p50, p99, max, size) = time(&manager, path, 15).await?;
        println!(
            "| {name} | {p50:.1} ms | {p99:.1} ms | {max:.1} ms | {:.1} kB | < 200 ms |",
            size as f64 / 1000.0
        );
    }
    Ok(())
}
