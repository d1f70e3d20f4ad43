//! The collector on PostgreSQL, measured: ingest from 200 halls at once through two
//! collector processes sharing one database, the bytes it keeps, and every hall side by
//! side for a day and a month with the country's 3,321 halls.
//!
//! ```text
//! cargo run --release -p motcua-tests --bin national_bench
//! MOTCUA_TEST_POSTGRES=postgres://… cargo run --release -p motcua-tests --bin national_bench
//! ```
//!
//! Without `MOTCUA_TEST_POSTGRES` it starts the tests' throwaway PostgreSQL (durability off:
//! no fsync); give it a server with its default settings to measure a durable one.
//!
//! - **Ingest**: each of 200 halls posts a busy day (the city bench's `a_day`) in batches of
//!   500 in order, each batch to the next process in turn, as behind a round-robin proxy.
//!   Target ≥ 20,000 events/s, each stored once.
//! - **Bytes**: the events' partitions per event; the tickets' visits and the figure rows per
//!   hall-day.
//! - **Side by side**: 3,321 halls, each with 31 days of daily rows and their running totals
//!   (synthetic rows written straight into the tables: 200 million events are not posted
//!   here), read through `GET /api/city/stats` for one day, a month, and 30 days across two
//!   months. Target p99 < 500 ms.

use anyhow::{Result, ensure};
use motcua_domain::Role;
use motcua_domain::stats::rows::COLUMNS;
use motcua_store::clock::ManualClock;
use motcua_tests::city_load::{a_day, post_all};
use motcua_tests::{CityStore, TestCity, opening_time};
use motcua_web::protocol::{self, WireEvent};
use std::time::Instant;

const HALLS: usize = 200;
const COUNTRY: usize = 3321;

async fn connect(city: &TestCity) -> Result<tokio_postgres::Client> {
    let motcua_city::db::Database::Postgres(settings) = &city.database else {
        anyhow::bail!("on PostgreSQL");
    };
    let (client, connection) =
        tokio_postgres::connect(&settings.url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// Bytes the named tables (with their indexes and TOAST) take.
async fn bytes(db: &tokio_postgres::Client, pattern: &str) -> Result<i64> {
    Ok(db
        .query_one(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname ~ $1",
            &[&pattern],
        )
        .await?
        .get(0))
}

async fn ingest() -> Result<()> {
    let clock = ManualClock::starting_at(opening_time() + chrono::Duration::hours(12));
    let first = TestCity::start_on(CityStore::Postgres, clock.clone()).await;
    let second = first.another_process(clock).await;
    let halls: Vec<(String, String)> = (0..HALLS)
        .map(|i| first.register(&format!("Phường {i}")))
        .collect();
    let logs: Vec<Vec<WireEvent>> = (0..HALLS).map(|i| a_day(300, 0x9E37 + i as u64)).collect();
    let total: usize = logs.iter().map(Vec::len).sum();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(HALLS)
        .build()?;
    let urls = vec![
        format!("{}{}", first.base, protocol::BATCH_PATH),
        format!("{}{}", second.base, protocol::BATCH_PATH),
    ];
    let timestamp = opening_time().timestamp_millis() + 12 * 3_600_000;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (i, (hall, events)) in halls.into_iter().zip(logs).enumerate() {
        tasks.push(tokio::spawn(post_all(
            client.clone(),
            urls.clone(),
            i,
            hall,
            events,
            500,
            timestamp,
        )));
    }
    let mut stored = 0;
    for task in tasks {
        stored += task.await??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let db = connect(&first).await?;
    let rows: i64 = db
        .query_one("SELECT count(*) FROM events", &[])
        .await?
        .get(0);
    let acked: i64 = db
        .query_one("SELECT sum(acked_seq)::bigint FROM halls", &[])
        .await?
        .get(0);
    let once = rows as usize == total && acked as usize == total && stored as usize == total;
    println!("| processes | halls | batch | events | seconds | events/s | stored once | target |");
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| 2 | {HALLS} | 500 | {total} | {seconds:.1} | {:.0} | {} | ≥ 20,000/s |",
        total as f64 / seconds,
        if once { "yes" } else { "NO" }
    );
    ensure!(
        once,
        "rows {rows}, acknowledged {acked}, stored {stored}, sent {total}"
    );
    db.batch_execute("VACUUM ANALYZE").await?;
    let events = bytes(&db, "^events_").await?;
    let visits = bytes(&db, "^tickets$").await?;
    let rows_bytes = bytes(&db, "^figures_").await?;
    let spans = bytes(&db, "^(counter_spans|bookings)$").await?;
    println!();
    println!("| kept | bytes | per |");
    println!("|---|---|---|");
    println!(
        "| raw events (monthly partitions, with their key) | {events} | {:.0} per event |",
        events as f64 / total as f64
    );
    println!(
        "| each ticket's visits (and the targets it was counted with) | {visits} | {:.0} per hall-day |",
        visits as f64 / HALLS as f64
    );
    println!(
        "| figure rows (hourly, daily, per hall and day, running totals) | {rows_bytes} | {:.0} per hall-day |",
        rows_bytes as f64 / HALLS as f64
    );
    println!(
        "| counters' spans and bookings | {spans} | {:.0} per hall-day |",
        spans as f64 / HALLS as f64
    );
    Ok(())
}

/// Percentiles of `runs` timed reads of `path`, in ms: (median, p99, max).
async fn timed(office: &motcua_tests::Client, path: &str, runs: usize) -> Result<(f64, f64, f64)> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let asked = Instant::now();
        let (status, body) = office.get(path).await;
        ensure!(status == 200, "{path}: {body}");
        times.push(asked.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((p * times.len() as f64).ceil() as usize).clamp(1, times.len()) - 1];
    Ok((at(0.5), at(0.99), times[times.len() - 1]))
}

async fn side_by_side() -> Result<()> {
    let clock = ManualClock::starting_at(opening_time() + chrono::Duration::hours(12));
    let country = TestCity::start_on(CityStore::Postgres, clock).await;
    let db = connect(&country).await?;
    // 3,321 halls in 34 provinces, each with November's 30 days and December 1st: a row
    // per day and its running totals, waits spread over the first 60 buckets.
    let columns = COLUMNS.join(", ");
    let values: Vec<String> = COLUMNS
        .iter()
        .map(|c| match *c {
            "issued" => "(120 + random() * 180)::bigint".to_owned(),
            "served" | "waits" | "services" => "(100 + random() * 150)::bigint".to_owned(),
            "wait_ms" => "(100 * 600000 + random() * 150 * 900000)::bigint".to_owned(),
            "service_ms" => "(100 * 400000 + random() * 150 * 300000)::bigint".to_owned(),
            "within_target" => "(80 + random() * 100)::bigint".to_owned(),
            "rated" => "(40 + random() * 60)::bigint".to_owned(),
            "satisfied" => "(30 + random() * 50)::bigint".to_owned(),
            "absent" => "(random() * 15)::bigint".to_owned(),
            "open_ms" => "(4 * 8 * 3600000)::bigint".to_owned(),
            _ => "(random() * 5)::bigint".to_owned(),
        })
        .collect();
    let started = Instant::now();
    db.batch_execute(&format!(
        "INSERT INTO halls (code, name, secret_hash, registered_at, province, profile)
         SELECT 'hall-' || lpad(i::text, 6, '0'), 'Xã ' || i, '', 0, 'Tỉnh ' || (i % 34),
                '{{\"name\": \"x\", \"timezone\": \"Asia/Ho_Chi_Minh\", \"rating_scale\": 5, \"services\": []}}'
         FROM generate_series(1, {COUNTRY}) AS i;
         INSERT INTO figures_hall_daily (hall, day, {columns}, wait_buckets, service_buckets)
         SELECT h.id, d::date, {values},
                ARRAY(SELECT (random() * 8)::bigint FROM generate_series(1, 60) WHERE h.id > 0),
                ARRAY(SELECT (random() * 8)::bigint FROM generate_series(1, 30) WHERE h.id > 0)
         FROM halls h, generate_series('2026-11-01'::date, '2026-12-01'::date, '1 day') AS d;
         INSERT INTO figures_hall_running (hall, day, {columns}, wait_buckets, service_buckets)
         SELECT hall, day, {sums},
                motcua_sum_buckets(wait_buckets) OVER w, motcua_sum_buckets(service_buckets) OVER w
         FROM figures_hall_daily WINDOW w AS (PARTITION BY hall ORDER BY day);",
        values = values.join(", "),
        sums = COLUMNS.iter().map(|c| format!("sum({c}) OVER w")).collect::<Vec<_>>().join(", "),
    ))
    .await
    .map_err(|e| anyhow::anyhow!("the synthetic rows: {}", e.as_db_error().map_or(e.to_string(), |d| d.message().to_owned())))?;
    let rows: i64 = db
        .query_one("SELECT count(*) FROM figures_hall_daily", &[])
        .await?
        .get(0);
    println!();
    println!(
        "{COUNTRY} synthetic halls, {rows} daily rows and their running totals, written in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    let office = country.staff("quocgia", Role::Manager).await;
    println!();
    println!("| every hall side by side (2 running rows per hall) | median | p99 | max | target |");
    println!("|---|---|---|---|---|");
    for (what, path) in [
        ("one day", "/api/city/stats?from=2026-11-20&to=2026-11-20"),
        (
            "November (a month)",
            "/api/city/stats?from=2026-11-01&to=2026-11-30",
        ),
        (
            "30 days, Nov 2 – Dec 1",
            "/api/city/stats?from=2026-11-02&to=2026-12-01",
        ),
    ] {
        timed(&office, path, 2).await?;
        let (median, p99, max) = timed(&office, path, 30).await?;
        println!("| {what} | {median:.0} ms | {p99:.0} ms | {max:.0} ms | p99 < 500 ms |");
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let only = std::env::args().nth(1);
    if only.as_deref() != Some("side-by-side") {
        ingest().await?;
    }
    if only.as_deref() != Some("ingest") {
        side_by_side().await?;
    }
    Ok(())
}
