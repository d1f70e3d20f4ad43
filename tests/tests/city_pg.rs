//! The collector on PostgreSQL: what only a shared database does (several collector
//! processes behind one proxy, every hall side by side from the figure rows, the raw log's
//! retention, the BI tools' read-only views), and halls re-coded and merged, on both stores.
//! (The city tests that hold on both stores are in city.rs and city_guards.rs.)

use chrono::Duration;
use motcua_domain::stats::rows::{bucket, bucket_bounds};
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_store::clock::ManualClock;
use motcua_tests::{CityStore, Client, Dice, TestCity, TestHall, opening_time, until};
use motcua_web::protocol::{self, Batch, Profile, ProfileService, WireEvent};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const MINUTE: i64 = 60_000;

/// A proxy in front of several collector processes: each request goes to the next one in
/// turn, so a hall's next batch lands on another process than its last.
async fn round_robin(backends: Vec<String>) -> (String, Arc<AtomicUsize>) {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, Method, StatusCode, Uri};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let turn = Arc::new(AtomicUsize::new(0));
    let next = turn.clone();
    let http = reqwest::Client::new();
    let app = axum::Router::new().fallback(
        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
            let backend = backends[next.fetch_add(1, Ordering::SeqCst) % backends.len()].clone();
            let http = http.clone();
            async move {
                let mut request = http.request(method, format!("{backend}{uri}"));
                for (name, value) in &headers {
                    if name != "host" && name != "content-length" {
                        request = request.header(name, value);
                    }
                }
                let answer = request
                    .body(body)
                    .send()
                    .await
                    .expect("the backend answers");
                let status = StatusCode::from_u16(answer.status().as_u16()).expect("status");
                let kind = answer
                    .headers()
                    .get("content-type")
                    .cloned()
                    .unwrap_or(axum::http::HeaderValue::from_static("application/json"));
                let bytes = answer.bytes().await.expect("body");
                (status, [(axum::http::header::CONTENT_TYPE, kind)], bytes)
            }
        },
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, turn)
}

/// Some of a morning's work at a hall: tickets issued, called, served or absent, rated.
async fn work(
    hall: &TestHall,
    kiosk: &Client,
    clerk: &Client,
    counter: u16,
    tickets: usize,
    seed: u64,
) {
    let mut dice = Dice::new(seed);
    for _ in 0..tickets {
        let field = ["A", "B", "C"][dice.below(3) as usize];
        let issued = kiosk.issue(field, "none").await;
        hall.clock
            .advance(Duration::seconds(30 + dice.below(600) as i64));
        let Some(ticket) = clerk.call_next(counter).await else {
            continue;
        };
        if dice.below(8) == 0 {
            let (status, body) = clerk.act(&ticket, "no-show", json!({})).await;
            assert_eq!(status, 200, "{body}");
            continue;
        }
        let (status, body) = clerk.act(&ticket, "start", json!({})).await;
        assert_eq!(status, 200, "{body}");
        hall.clock
            .advance(Duration::seconds(60 + dice.below(400) as i64));
        let (status, body) = clerk.act(&ticket, "finish", json!({})).await;
        assert_eq!(status, 200, "{body}");
        if dice.below(2) == 0 {
            let (status, body) = hall
                .anonymous()
                .post(
                    "/api/ratings",
                    json!({"token": issued["token"], "level": 1 + dice.below(5)}),
                )
                .await;
            assert_eq!(status, 201, "{body}");
        }
    }
}

/// The figures a hall and the city must agree on (the idle time is the hall's alone).
fn total_without_idle(stats: &Value) -> Value {
    let mut total = stats["total"].clone();
    if let Some(fields) = total.as_object_mut() {
        fields.remove("idle_while_waiting_seconds");
    }
    total
}

#[tokio::test]
async fn two_collector_processes_behind_one_proxy_store_every_halls_batches_once_in_order() {
    let clock = ManualClock::starting_at(opening_time());
    let first = TestCity::start_on(CityStore::Postgres, clock.clone()).await;
    let second = first.another_process(clock.clone()).await;
    let (proxy, turns) = round_robin(vec![first.base.clone(), second.base.clone()]).await;

    let mut halls = Vec::new();
    for (i, name) in ["Phường Cửa Nam", "Phường Ba Đình", "Xã Sóc Sơn"]
        .into_iter()
        .enumerate()
    {
        let (code, secret) = first.register(name);
        let mut uplink = first.uplink(&code, &secret);
        uplink.url = proxy.clone();
        uplink.batch_events = 7 + i as u32;
        let hall = TestHall::start_with_clock(
            Settings {
                city: uplink,
                ..Default::default()
            },
            clock.clone(),
        )
        .await;
        let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
        let clerk = hall.clerk_at("canbo1", 1).await;
        let manager = hall.staff("quanly", Role::Manager).await;
        halls.push((code, secret, hall, kiosk, clerk, manager));
    }
    for (round, (_, _, hall, kiosk, clerk, _)) in halls.iter().enumerate() {
        work(hall, kiosk, clerk, 1, 15, 0x51 + round as u64).await;
    }
    for (code, _, _, _, _, manager) in &halls {
        until(
            "each hall's backlog to drain through both processes",
            || async {
                let (_, u) = manager.get("/api/uplink").await;
                u["backlog"] == 0 && u["acked_seq"].as_i64() > Some(0)
            },
        )
        .await;
        let (_, u) = manager.get("/api/uplink").await;
        let last = u["last_seq"].as_i64().expect("last seq");
        // Every event once, in order, none missing, whichever process took each batch.
        assert_eq!(first.log_of(code).await, (last, 1, last), "{code}");
    }
    assert!(
        turns.load(Ordering::SeqCst) >= 6,
        "the batches went through both processes"
    );

    // The same batch at both processes at once: stored by one, acknowledged by both.
    let (code, secret) = &first.register("Xã gửi hai lần");
    let now = motcua_store::millis(motcua_store::clock::Clock::now(&clock));
    let next = Batch {
        hall: code.clone(),
        from_seq: 1,
        to_seq: 1,
        profile: Profile {
            name: "Xã gửi hai lần".into(),
            timezone: "Asia/Ho_Chi_Minh".into(),
            rating_scale: 5,
            services: Vec::new(),
        },
        events: vec![WireEvent {
            seq: 1,
            at: now,
            kind: "counter_paused".into(),
            ticket: None,
            service: None,
            counter: Some(9),
            clerk: Some(1),
            data: json!({"reason": "break"}),
        }],
    };
    let body = serde_json::to_vec(&next).expect("json");
    let signature = protocol::sign(secret, code, now, &body);
    let send = |base: String| {
        let (body, signature, code) = (body.clone(), signature.clone(), code.clone());
        async move {
            let answer = reqwest::Client::new()
                .post(format!("{base}{}", protocol::BATCH_PATH))
                .header("content-type", "application/json")
                .header(protocol::HALL_HEADER, code)
                .header(protocol::TIMESTAMP_HEADER, now.to_string())
                .header(protocol::SIGNATURE_HEADER, signature)
                .body(body)
                .send()
                .await
                .expect("post");
            let status = answer.status().as_u16();
            (status, answer.json::<Value>().await.expect("json"))
        }
    };
    let (a, b) = tokio::join!(send(first.base.clone()), send(second.base.clone()));
    assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
    let mut stored = [a.1["stored"].as_u64(), b.1["stored"].as_u64()];
    stored.sort();
    assert_eq!(stored, [Some(0), Some(1)], "{a:?} {b:?}");
    assert_eq!(first.log_of(code).await, (1, 1, 1));

    // Both processes read the same figures, equal to each hall's own.
    let office = first.staff("thongke", Role::Manager).await;
    let mut at_second = second.anonymous();
    let (status, body) = at_second
        .post(
            "/api/session",
            json!({"name": "thongke", "password": "thongke-secret-pw"}),
        )
        .await;
    assert_eq!(status, 200, "a session from the shared database: {body}");
    for (code, _, _, _, _, manager) in &halls {
        let (_, own) = manager.get("/api/stats").await;
        for process in [&office, &mut at_second] {
            let (status, city) = process.get(&format!("/api/city/halls/{code}/stats")).await;
            assert_eq!(status, 200, "{city}");
            let (city, own) = (total_without_idle(&city), total_without_idle(&own));
            for key in own.as_object().expect("figures").keys() {
                assert_eq!(city[key], own[key], "{code} {key}");
            }
        }
    }
}

/// One served and rated visit per ticket: `(ticket, issued_at, wait_ms, service_ms, level)`.
fn visits(first_seq: i64, tickets: &[(i64, i64, i64, i64, u8)]) -> Vec<WireEvent> {
    let mut events = Vec::new();
    let mut seq = first_seq;
    let mut push = |ticket: i64, at: i64, kind: &str, data: Value| {
        events.push(WireEvent {
            seq,
            at,
            kind: kind.into(),
            ticket: Some(ticket),
            service: Some(["A", "B"][ticket as usize % 2].into()),
            counter: (kind != "issued").then_some(1),
            clerk: (kind != "issued").then_some(1),
            data,
        });
        seq += 1;
    };
    for &(ticket, issued_at, wait, service, level) in tickets {
        push(
            ticket,
            issued_at,
            "issued",
            json!({"code": format!("A{ticket:03}"), "priority": "none", "issued_by": "kiosk", "eta_minutes": 5, "ahead": 0}),
        );
        let called = issued_at + wait;
        push(
            ticket,
            called,
            "called",
            json!({"code": format!("A{ticket:03}"), "priority": "none", "waited_ms": wait}),
        );
        push(ticket, called, "serving", json!({}));
        push(ticket, called + service, "served", json!({}));
        push(
            ticket,
            called + service,
            "rated",
            json!({"level": level, "scale": 5, "comment": null, "channel": "phone"}),
        );
    }
    events
}

fn profile(name: &str) -> Profile {
    let field = |code: &str| ProfileService {
        code: code.into(),
        name_vi: format!("Lĩnh vực {code}"),
        name_en: format!("Field {code}"),
        target_wait_minutes: 15,
        satisfaction_target_percent: 95,
    };
    Profile {
        name: name.into(),
        timezone: "Asia/Ho_Chi_Minh".into(),
        rating_scale: 5,
        services: vec![field("A"), field("B")],
    }
}

async fn send(city: &TestCity, code: &str, secret: &str, events: Vec<WireEvent>) -> Value {
    let now = opening_time().timestamp_millis() + 10 * 60 * MINUTE;
    let batch = Batch {
        hall: code.to_owned(),
        from_seq: events.first().map_or(1, |e| e.seq),
        to_seq: events.last().map_or(0, |e| e.seq),
        profile: profile("Phường thử"),
        events,
    };
    let body = serde_json::to_vec(&batch).expect("json");
    let answer = reqwest::Client::new()
        .post(format!("{}{}", city.base, protocol::BATCH_PATH))
        .header("content-type", "application/json")
        .header(protocol::HALL_HEADER, code)
        .header(protocol::TIMESTAMP_HEADER, now.to_string())
        .header(
            protocol::SIGNATURE_HEADER,
            protocol::sign(secret, code, now, &body),
        )
        .body(body)
        .send()
        .await
        .expect("post");
    let status = answer.status().as_u16();
    let body: Value = answer.json().await.expect("json");
    assert_eq!(status, 200, "{body}");
    body
}

/// A morning's visits with waits from a few seconds to two hours.
fn a_morning(seed: u64, tickets: i64) -> Vec<(i64, i64, i64, i64, u8)> {
    let mut dice = Dice::new(seed);
    let start = opening_time().timestamp_millis();
    (1..=tickets)
        .map(|t| {
            let wait = match dice.below(10) {
                0 => 40 * MINUTE + dice.below(80) as i64 * MINUTE,
                _ => 5_000 + dice.below(25 * 60) as i64 * 1000,
            };
            (
                t,
                start + t * 2 * MINUTE,
                wait,
                MINUTE + dice.below(900) as i64 * 1000,
                1 + dice.below(5) as u8,
            )
        })
        .collect()
}

#[tokio::test]
async fn every_hall_side_by_side_from_the_rows_agrees_with_each_halls_own_figures_to_the_bucket() {
    let clock = ManualClock::starting_at(opening_time() + Duration::hours(10));
    let city = TestCity::start_on(CityStore::Postgres, clock).await;
    let mut codes = Vec::new();
    for (i, name) in ["Phường Hàng Bạc", "Phường Hàng Đào", "Xã Thanh Trì"]
        .into_iter()
        .enumerate()
    {
        let (code, secret) = city.register(name);
        let tickets = a_morning(0xBEEF + i as u64, 40 + 20 * i as i64);
        // In three batches, as a hall sends them: each ticket's part moves on between them.
        let events = visits(1, &tickets);
        for part in events.chunks(37) {
            send(&city, &code, &secret, part.to_vec()).await;
        }
        codes.push(code);
    }
    let office = city.staff("thongke", Role::Manager).await;
    let (status, overview) = office.get("/api/city/stats").await;
    assert_eq!(status, 200, "{overview}");
    let mut served = 0;
    for code in &codes {
        let (status, own) = office.get(&format!("/api/city/halls/{code}/stats")).await;
        assert_eq!(status, 200, "{own}");
        let exact = &own["total"];
        let row = overview["halls"]
            .as_array()
            .expect("halls")
            .iter()
            .find(|h| h["code"] == *code)
            .expect("the hall's line");
        // Counts and shares are the same.
        for key in [
            "issued",
            "served",
            "absent",
            "recalls",
            "within_target",
            "absent_rate",
        ] {
            assert_eq!(row[key], exact[key], "{code} {key}");
        }
        assert_eq!(row["satisfaction"]["rated"], exact["satisfaction"]["rated"]);
        assert_eq!(
            row["satisfaction"]["satisfied_share"],
            exact["satisfaction"]["satisfied_share"]
        );
        assert_eq!(row["official"]["share"], exact["official"]["share"]);
        // The mean to the rounding; the median and the 90th percentile to their bucket.
        for time in ["wait", "service"] {
            let (r, e) = (&row[time], &exact[time]);
            assert_eq!(r["n"], e["n"], "{code} {time}");
            let (rm, em) = (
                r["mean"].as_f64().expect("mean"),
                e["mean"].as_f64().expect("mean"),
            );
            assert!((rm - em).abs() < 1e-6, "{code} {time} mean {rm} {em}");
            for p in ["median", "p90", "max"] {
                let exact_s = e[p].as_f64().expect("exact");
                let (lower, upper) = bucket_bounds(bucket((exact_s * 1000.0).round() as i64));
                let upper = upper.unwrap_or(lower) as f64;
                assert_eq!(
                    r[p].as_f64(),
                    Some(upper),
                    "{code} {time} {p}: {exact_s} s is in the bucket up to {upper} s"
                );
                assert!(
                    upper - exact_s < 16.0 * 60.0,
                    "a bucket is at most 15 minutes wide here"
                );
            }
        }
        served += exact["served"].as_u64().expect("served");
    }
    assert_eq!(overview["total"]["served"].as_u64(), Some(served));
    assert_eq!(overview["provinces"].as_array().map(Vec::len), Some(1));
    assert_eq!(overview["provinces"][0]["served"].as_u64(), Some(served));
}

#[tokio::test]
async fn raw_events_past_the_retention_are_dropped_whole_and_the_figures_stay() {
    let clock = ManualClock::starting_at(opening_time() + Duration::hours(10));
    let city = TestCity::start_on(CityStore::Postgres, clock).await;
    let (code, secret) = city.register("Phường Tràng Tiền");
    send(&city, &code, &secret, visits(1, &a_morning(7, 12))).await;
    let office = city.staff("thongke", Role::Manager).await;
    let (_, before) = office.get("/api/city/stats").await;
    assert_eq!(city.log_of(&code).await.0, 60);

    let motcua_city::db::Database::Postgres(settings) = &city.database else {
        panic!("on PostgreSQL");
    };
    let kept_two_months = motcua_city::pg::PgStore::open(&motcua_city::pg::PgSettings {
        retention_months: 2,
        ..settings.clone()
    })
    .await
    .expect("open");
    let now = opening_time().timestamp_millis();
    assert_eq!(
        kept_two_months.keep_partitions(now).await.expect("keep"),
        Vec::<String>::new(),
        "this month is kept"
    );
    // Three months on (late February), November's and December's raw events go.
    let later = (opening_time() + Duration::days(93)).timestamp_millis();
    let mut dropped = kept_two_months.keep_partitions(later).await.expect("keep");
    dropped.sort();
    assert_eq!(dropped, ["events_2026_11", "events_2026_12"]);
    assert_eq!(
        city.log_of(&code).await.0,
        0,
        "the raw log of that month is gone"
    );
    let (_, after) = office.get("/api/city/stats").await;
    assert_eq!(after["halls"], before["halls"], "the figures stay");
    let (status, own) = office.get(&format!("/api/city/halls/{code}/stats")).await;
    assert_eq!(status, 200);
    assert_eq!(own["total"]["served"], 12);
    // The hall goes on: its next events are stored in order, the dropped ones not asked for.
    let ack = send(
        &city,
        &code,
        &secret,
        visits(61, &[(13, now + 200 * MINUTE, MINUTE, MINUTE, 5)]),
    )
    .await;
    assert_eq!(ack, json!({"acked_through": 65, "stored": 5}));
}

#[tokio::test]
async fn a_bi_tool_reads_the_documented_views_and_nothing_else() {
    let clock = ManualClock::starting_at(opening_time() + Duration::hours(10));
    let city = TestCity::start_on(CityStore::Postgres, clock).await;
    let (code, secret) = city.register("Phường Lý Thái Tổ");
    city.set_province(&code, "Hà Nội").await;
    send(&city, &code, &secret, visits(1, &a_morning(11, 30))).await;
    let pg = city.state.store.rows().expect("on PostgreSQL");
    let reader = format!(
        "analyst_{}",
        Dice::new(std::process::id() as u64).roll() % 1_000_000
    );
    let password = "một mật khẩu dài cho phân tích";
    pg.add_reader(&reader, password).await.expect("a reader");

    let motcua_city::db::Database::Postgres(settings) = &city.database else {
        panic!("on PostgreSQL");
    };
    let mut config: tokio_postgres::Config = settings.url.parse().expect("url");
    config.user(&reader).password(password);
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .expect("the reader signs in");
    tokio::spawn(connection);

    // The README's query, as a city analyst would write it.
    let readme = include_str!("../../README.md");
    let query = readme
        .split("<!-- analyst query -->")
        .nth(1)
        .and_then(|s| s.split("```sql").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("the README's analyst query");
    let rows = client
        .query(query, &[])
        .await
        .expect("the README's query runs");
    assert_eq!(rows.len(), 1, "one hall, one day");
    let served: i64 = rows[0].get("served");
    assert_eq!(served, 30);

    let day: Vec<tokio_postgres::Row> = client
        .query(
            "SELECT *, median_wait_minutes::float8 AS median FROM bi.hall_days",
            &[],
        )
        .await
        .expect("hall_days");
    assert_eq!(day.len(), 1);
    assert_eq!(day[0].get::<_, String>("hall_code"), code);
    assert_eq!(day[0].get::<_, String>("province"), "Hà Nội");
    let office = city.staff("thongke", Role::Manager).await;
    let (_, own) = office.get(&format!("/api/city/halls/{code}/stats")).await;
    let exact_median = own["total"]["wait"]["median"].as_f64().expect("median");
    let (_, upper) = bucket_bounds(bucket((exact_median * 1000.0).round() as i64));
    let median: f64 = day[0].get("median");
    assert_eq!(median, upper.expect("upper") as f64 / 60.0);
    for view in ["bi.hall_field_days", "bi.hall_hours", "bi.halls"] {
        client
            .query(&format!("SELECT * FROM {view}"), &[])
            .await
            .unwrap_or_else(|e| panic!("{view}: {e}"));
    }
    // Nothing else: no accounts, no secrets, no raw events.
    for table in ["users", "sessions", "halls", "events", "tickets"] {
        let refused = client
            .query(&format!("SELECT * FROM {table} LIMIT 1"), &[])
            .await
            .expect_err(table);
        assert_eq!(
            refused.code(),
            Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
            "{table}: {refused}"
        );
    }
    let refused = client
        .execute("DELETE FROM bi.hall_days", &[])
        .await
        .expect_err("read only");
    assert!(refused.code().is_some(), "{refused}");
}

#[tokio::test]
async fn a_hall_recoded_or_merged_keeps_its_history() {
    halls_outlive_boundaries(CityStore::Sqlite).await;
}

#[tokio::test]
async fn a_hall_recoded_or_merged_keeps_its_history_on_postgresql() {
    halls_outlive_boundaries(CityStore::Postgres).await;
}

async fn halls_outlive_boundaries(store: CityStore) {
    let clock = ManualClock::starting_at(opening_time() + Duration::hours(10));
    let city = TestCity::start_on(store, clock).await;
    let (old, old_secret) = city.register("Xã Phú Minh");
    let (other, other_secret) = city.register("Xã Phú Cường");
    let start = opening_time().timestamp_millis();
    send(
        &city,
        &old,
        &old_secret,
        visits(
            1,
            &[
                (1, start, MINUTE, MINUTE, 5),
                (2, start, 3 * MINUTE, MINUTE, 4),
            ],
        ),
    )
    .await;
    send(
        &city,
        &other,
        &other_secret,
        visits(1, &[(1, start, 2 * MINUTE, MINUTE, 5)]),
    )
    .await;
    let office = city.staff("thongke", Role::Manager).await;
    let served = |stats: &Value| stats["total"]["served"].as_u64();

    // Re-coded (the commune renamed): the history stays, the old code and secret stop.
    let master = motcua_city::store::master_key(city.data_dir()).expect("key");
    let recoded = city
        .state
        .store
        .recode(
            master.clone(),
            old.clone(),
            "xa-phu-minh-moi".into(),
            Some("Xã Phú Minh mới".into()),
        )
        .await
        .expect("recode");
    assert_eq!(recoded.code, "xa-phu-minh-moi");
    assert_ne!(recoded.secret, old_secret);
    let (_, stats) = office.get("/api/city/halls/xa-phu-minh-moi/stats").await;
    assert_eq!(served(&stats), Some(2), "{stats}");
    let (status, _) = office.get(&format!("/api/city/halls/{old}/stats")).await;
    assert_eq!(status, 404);
    let status = reqwest::Client::new()
        .post(format!("{}{}", city.base, protocol::BATCH_PATH))
        .header(protocol::HALL_HEADER, old.as_str())
        .header(protocol::TIMESTAMP_HEADER, start.to_string())
        .header(protocol::SIGNATURE_HEADER, "0".repeat(64))
        .body("{}")
        .send()
        .await
        .expect("post")
        .status()
        .as_u16();
    assert_eq!(status, 401, "the old code is no one's");
    // It goes on under its new code and secret, from where it was.
    let ack = send(
        &city,
        &recoded.code,
        &recoded.secret,
        visits(11, &[(3, start + 30 * MINUTE, MINUTE, MINUTE, 5)]),
    )
    .await;
    assert_eq!(ack, json!({"acked_through": 15, "stored": 5}));
    let refused = city
        .state
        .store
        .recode(master, other.clone(), "xa-phu-minh-moi".into(), None)
        .await;
    assert!(refused.is_err(), "a code already taken is refused");

    // Merged (two communes become one): the other's history counts as this one's.
    city.state
        .store
        .merge(other.clone(), recoded.code.clone())
        .await
        .expect("merge");
    let (_, stats) = office.get("/api/city/halls/xa-phu-minh-moi/stats").await;
    assert_eq!(served(&stats), Some(4), "{stats}");
    let (_, overview) = office.get("/api/city/stats").await;
    let halls = overview["halls"].as_array().expect("halls");
    assert_eq!(
        halls.len(),
        1,
        "the merged hall is a line no more: {overview}"
    );
    assert_eq!(halls[0]["code"], "xa-phu-minh-moi");
    assert_eq!(halls[0]["served"], 4);
    assert_eq!(overview["total"]["served"], 4);
    // What it still sends counts there too.
    send(
        &city,
        &other,
        &other_secret,
        visits(6, &[(2, start + 40 * MINUTE, MINUTE, MINUTE, 3)]),
    )
    .await;
    let (_, overview) = office.get("/api/city/stats").await;
    assert_eq!(overview["halls"][0]["served"], 5);
    // Nothing merges into itself or into a merged hall.
    assert!(
        city.state
            .store
            .merge(recoded.code.clone(), recoded.code.clone())
            .await
            .is_err()
    );
    assert!(
        city.state
            .store
            .merge(recoded.code.clone(), other.clone())
            .await
            .is_err()
    );
}

/// A hall's line of an overview, without what says how the collector hears from it.
fn figures_of_line(overview: &Value, code: &str) -> Value {
    let mut line = overview["halls"]
        .as_array()
        .expect("halls")
        .iter()
        .find(|h| h["code"] == code)
        .cloned()
        .unwrap_or_else(|| panic!("{code} in {overview}"));
    if let Some(fields) = line.as_object_mut() {
        for listing in [
            "name",
            "registered_at",
            "last_report_at",
            "acked_seq",
            "silent",
            "minutes_since_report",
            "province",
            "waiting_now",
        ] {
            fields.remove(listing);
        }
    }
    line
}

#[tokio::test]
async fn a_provinces_hall_days_reach_the_countrys_collector_once_through_its_outage() {
    let clock = ManualClock::starting_at(opening_time() + Duration::hours(10));
    let country = TestCity::start_on(CityStore::Postgres, clock.clone()).await;
    let upstream = country.register_region("Hà Nội").await;
    let region = upstream.code.clone();
    let province = TestCity::start_forwarding(clock.clone(), upstream.clone()).await;
    let mut halls = Vec::new();
    for (i, name) in ["Phường Hoàn Kiếm", "Phường Ba Đình"]
        .into_iter()
        .enumerate()
    {
        let (code, secret) = province.register(name);
        send(
            &province,
            &code,
            &secret,
            visits(1, &a_morning(0x70 + i as u64, 25)),
        )
        .await;
        halls.push((code, secret));
    }
    let at_province = province.staff("thongke", Role::Manager).await;
    let at_country = country.staff("quocgia", Role::Manager).await;
    let same_lines = || async {
        let (_, here) = at_province.get("/api/city/stats").await;
        let (_, there) = at_country.get("/api/city/stats").await;
        halls.iter().all(|(code, _)| {
            there["halls"]
                .as_array()
                .is_some_and(|hs| hs.iter().any(|h| h["code"] == *code))
                && figures_of_line(&here, code) == figures_of_line(&there, code)
        })
    };
    until("the province's halls to reach the country", same_lines).await;
    let (_, there) = at_country.get("/api/city/stats").await;
    assert_eq!(there["provinces"][0]["province"], "Hà Nội", "{there}");
    assert_eq!(there["total"]["served"], 50);
    // A hall's page at the country: its days and fields, from the rows.
    let (code, secret) = &halls[0];
    let (status, page) = at_country
        .get(&format!("/api/city/halls/{code}/stats"))
        .await;
    assert_eq!(status, 200, "{page}");
    let (_, own) = at_province
        .get(&format!("/api/city/halls/{code}/stats"))
        .await;
    for key in ["issued", "served", "within_target", "absent_rate"] {
        assert_eq!(page["total"][key], own["total"][key], "{key}");
    }
    assert_eq!(page["by_field"].as_array().map(Vec::len), Some(2), "{page}");
    assert_eq!(page["wait_histogram"], own["wait_histogram"]);
    // The country cannot be signed for as a hall it only hears of.
    let (status, body) = {
        let batch = Batch {
            hall: code.clone(),
            from_seq: 1,
            to_seq: 1,
            profile: profile("x"),
            events: visits(1, &[(1, opening_time().timestamp_millis(), 1, 1, 5)])[..1].to_vec(),
        };
        let body = serde_json::to_vec(&batch).expect("json");
        let now = opening_time().timestamp_millis() + 10 * 60 * MINUTE;
        let answer = reqwest::Client::new()
            .post(format!("{}{}", country.base, protocol::BATCH_PATH))
            .header(protocol::HALL_HEADER, code.as_str())
            .header(protocol::TIMESTAMP_HEADER, now.to_string())
            .header(
                protocol::SIGNATURE_HEADER,
                protocol::sign(secret, code, now, &body),
            )
            .body(body)
            .send()
            .await
            .expect("post");
        let status = answer.status().as_u16();
        (status, answer.json::<Value>().await.expect("json"))
    };
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unknown_hall"))
    );

    // The country's collector goes down; the province goes on and keeps what it owes.
    let mut country = country;
    country.stop().await;
    let pg = province.state.store.rows().expect("on PostgreSQL");
    send(
        &province,
        code,
        secret,
        visits(
            126,
            &[(
                26,
                opening_time().timestamp_millis() + 300 * MINUTE,
                MINUTE,
                MINUTE,
                5,
            )],
        ),
    )
    .await;
    until("the province to notice the country is gone", || async {
        let (_, waiting, error) = pg.upstream_state().await.expect("state");
        waiting > 0 && error.is_some()
    })
    .await;
    let country = country.start_again(clock.clone()).await;
    let at_country = country.staff("quocgia2", Role::Manager).await;
    until("the province's backlog to drain", || async {
        let (_, waiting, error) = pg.upstream_state().await.expect("state");
        waiting == 0 && error.is_none()
    })
    .await;
    let (_, there) = at_country.get("/api/city/stats").await;
    assert_eq!(
        there["total"]["served"], 51,
        "each hall-day once, the latest"
    );

    // Merged at the province: merged at the country too.
    province
        .state
        .store
        .merge(halls[1].0.clone(), halls[0].0.clone())
        .await
        .expect("merge");
    until("the merge to reach the country", || async {
        let (_, there) = at_country.get("/api/city/stats").await;
        there["halls"].as_array().map(Vec::len) == Some(1)
    })
    .await;
    let (_, there) = at_country.get("/api/city/stats").await;
    assert_eq!(there["halls"][0]["served"], 51);

    // What the country already has is acknowledged and changes nothing; a gap, a forged
    // signature and an unknown region are refused.
    let post_days = |batch: Value, secret: String, code: String| {
        let base = country.base.clone();
        async move {
            let body = serde_json::to_vec(&batch).expect("json");
            let now = opening_time().timestamp_millis() + 10 * 60 * MINUTE;
            let answer = reqwest::Client::new()
                .post(format!("{base}{}", motcua_city::national::FIGURES_PATH))
                .header(protocol::HALL_HEADER, code.as_str())
                .header(protocol::TIMESTAMP_HEADER, now.to_string())
                .header(
                    protocol::SIGNATURE_HEADER,
                    protocol::sign(&secret, &code, now, &body),
                )
                .body(body)
                .send()
                .await
                .expect("post");
            let status = answer.status().as_u16();
            (status, answer.json::<Value>().await.expect("json"))
        }
    };
    let (acked, _, _) = pg.upstream_state().await.expect("state");
    let empty = |from: i64, to: i64| json!({"region": region, "from_seq": from, "to_seq": to, "columns": [], "days": []});
    let (status, ack) = post_days(empty(1, acked), upstream.secret.clone(), region.clone()).await;
    assert_eq!(
        (status, ack),
        (200, json!({"acked_through": acked, "stored": 0}))
    );
    let (status, body) = post_days(
        empty(acked + 2, acked + 3),
        upstream.secret.clone(),
        region.clone(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("sequence_gap")),
        "{body}"
    );
    let (status, body) =
        post_days(empty(acked + 1, acked + 1), "0".repeat(64), region.clone()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("bad_signature")),
        "{body}"
    );
    let (status, body) = post_days(
        empty(1, 1),
        upstream.secret.clone(),
        "region-000000000000".into(),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unknown_region")),
        "{body}"
    );
    let (_, there) = at_country.get("/api/city/stats").await;
    assert_eq!(there["total"]["served"], 51);
}
