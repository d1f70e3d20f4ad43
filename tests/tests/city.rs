//! Reporting to the city: a real hall and a real collector on 127.0.0.1, talking the
//! signed batch protocol over HTTP.

use chrono::Duration;
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_store::clock::ManualClock;
use motcua_tests::openapi::{Document, concrete};
use motcua_tests::{CityStore, Client, Dice, TestCity, TestHall, error_code, opening_time, until};
use motcua_web::protocol::{self, Batch, Profile, WireEvent};
use serde_json::{Value, json};

/// Each test runs on both of the collector's stores: the embedded SQLite file and
/// PostgreSQL (the harness's throwaway server).
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(motcua_tests::CityStore::Sqlite).await;
                }
            )*
        }
        mod on_postgresql {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(motcua_tests::CityStore::Postgres).await;
                }
            )*
        }
    };
}

on_both_stores!(
    a_busy_morning_reaches_the_city_complete_and_exactly_once_through_outages_and_restarts,
    forged_tampered_replayed_and_out_of_order_batches_are_refused_and_store_nothing,
    only_the_city_office_reads_the_city_figures,
    the_collector_answers_each_documented_operation_as_documented_and_nothing_else,
    a_quiet_hall_says_it_is_alive_and_is_not_taken_for_a_silent_one,
);

/// Some of a morning's work: tickets issued, called, served or absent, rated.
async fn work(
    hall: &TestHall,
    kiosk: &Client,
    clerks: &[(u16, Client)],
    tickets: usize,
    seed: u64,
) {
    let mut dice = Dice::new(seed);
    let mut roll = move |n: u64| dice.below(n);
    let fields = ["A", "B", "C", "D", "E"];
    for _ in 0..tickets {
        let field = fields[roll(5) as usize];
        let issued = kiosk
            .issue(field, if roll(8) == 0 { "elderly" } else { "none" })
            .await;
        hall.clock.advance(Duration::seconds(20 + roll(90) as i64));
        let (no, clerk) = &clerks[roll(clerks.len() as u64) as usize];
        let Some(ticket) = clerk.call_next(*no).await else {
            continue;
        };
        hall.clock.advance(Duration::seconds(15 + roll(60) as i64));
        if roll(10) == 0 {
            let (status, body) = clerk.act(&ticket, "no-show", json!({})).await;
            assert_eq!(status, 200, "{body}");
            continue;
        }
        let (status, body) = clerk.act(&ticket, "start", json!({})).await;
        assert_eq!(status, 200, "{body}");
        hall.clock.advance(Duration::seconds(60 + roll(600) as i64));
        let (status, body) = clerk.act(&ticket, "finish", json!({})).await;
        assert_eq!(status, 200, "{body}");
        if roll(2) == 0 && ticket["code"] == issued["code"] {
            let (status, body) = hall
                .anonymous()
                .post(
                    "/api/ratings",
                    json!({"token": issued["token"], "level": 1 + roll(5), "comment": "Rất nhanh"}),
                )
                .await;
            assert_eq!(status, 201, "{body}");
        }
    }
}

async fn uplink(manager: &Client) -> Value {
    let (status, body) = manager.get("/api/uplink").await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The figures the hall and the city must agree on.
fn comparable(stats: &Value) -> Value {
    // The idle time while people waited needs the counters' fields, which the city is not
    // sent: the hall counts it, the city's is null. The rest must agree.
    fn without_idle(value: &mut Value) {
        match value {
            Value::Object(fields) => {
                fields.remove("idle_while_waiting_seconds");
                fields.values_mut().for_each(without_idle);
            }
            Value::Array(items) => items.iter_mut().for_each(without_idle),
            _ => {}
        }
    }
    let mut v = json!({});
    for key in [
        "total",
        "by_field",
        "by_counter",
        "by_hour",
        "by_day",
        "wait_histogram",
        "estimate",
        "rating_scale",
    ] {
        v[key] = stats[key].clone();
    }
    without_idle(&mut v);
    v
}

async fn a_busy_morning_reaches_the_city_complete_and_exactly_once_through_outages_and_restarts(
    store: CityStore,
) {
    let clock = ManualClock::starting_at(opening_time());
    let mut city = TestCity::start_on(store, clock.clone()).await;
    let (code, secret) = city.register("UBND phường Hoàn Kiếm");
    let settings = Settings {
        city: city.uplink(&code, &secret),
        ..Default::default()
    };
    let hall = TestHall::start_with_clock(settings, clock.clone()).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let manager = hall.staff("quanly", Role::Manager).await;
    let clerks = vec![
        (1, hall.clerk_at("canbo1", 1).await),
        (2, hall.clerk_at("canbo2", 2).await),
        (3, hall.clerk_at("canbo3", 3).await),
    ];

    // The first hour, the link up.
    work(&hall, &kiosk, &clerks, 25, 0x1234_5678).await;
    until("the city to catch up", || async {
        let u = uplink(&manager).await;
        u["backlog"] == 0 && u["acked_seq"].as_i64() > Some(0)
    })
    .await;

    // The collector goes down: the hall goes on, keeps everything, and says so.
    city.stop().await;
    work(&hall, &kiosk, &clerks, 20, 0x9ABC_DEF0).await;
    until("the hall to notice the city is gone", || async {
        let u = uplink(&manager).await;
        u["last_error"].is_string() && u["backlog"].as_i64() > Some(0)
    })
    .await;
    let (_, metrics) = hall.anonymous().get("/metrics").await;
    let metrics = metrics.as_str().unwrap_or_default().to_owned();
    assert!(
        metrics.contains("motcua_uplink_backlog_events"),
        "{metrics}"
    );

    // The hall restarts while the city is still down; more work after it.
    let hall = hall.restart_in_place().await;
    let manager = hall.sign_in("quanly").await;
    // It remembers when the city last took a batch, though the city is still down.
    until(
        "the restarted hall to remember its last success",
        || async { uplink(&manager).await["last_success_at"].is_string() },
    )
    .await;
    let clerks = vec![
        (1, hall.sign_in("canbo1").await),
        (2, hall.sign_in("canbo2").await),
        (3, hall.sign_in("canbo3").await),
    ];
    work(&hall, &kiosk, &clerks, 20, 0x0F0F_1234).await;

    // The collector comes back (on its own data): the backlog drains.
    let city = city.start_again(clock.clone()).await;
    until("the backlog to drain", || async {
        let u = uplink(&manager).await;
        u["backlog"] == 0 && u["last_error"].is_null()
    })
    .await;
    let u = uplink(&manager).await;
    let last = u["last_seq"].as_i64().expect("last seq");
    // The manager's dashboard reads the same state.
    let (_, now) = manager.get("/api/stats/now").await;
    assert_eq!(now["uplink"]["enabled"], true);
    assert_eq!(now["uplink"]["hall"], json!(code));
    assert_eq!(u["acked_seq"].as_i64(), Some(last));
    // Every event exactly once, in order, none missing.
    assert_eq!(city.log_of(&code).await, (last, 1, last));

    // The city's figures equal the hall's, with the same definitions.
    let city_office = city.staff("thongke", Role::Manager).await;
    let (status, hall_stats) = manager.get("/api/stats").await;
    assert_eq!(status, 200);
    let (status, city_stats) = city_office
        .get(&format!("/api/city/halls/{code}/stats"))
        .await;
    assert_eq!(status, 200, "{city_stats}");
    assert!(
        hall_stats["total"]["served"].as_u64() > Some(30),
        "{}",
        hall_stats["total"]
    );
    assert_eq!(
        city_stats["total"]["idle_while_waiting_seconds"],
        Value::Null
    );
    assert!(hall_stats["total"]["idle_while_waiting_seconds"].is_number());
    assert_eq!(comparable(&city_stats), comparable(&hall_stats));
    assert_eq!(
        city_stats["hall"], "UBND phường Hoàn Kiếm",
        "the name the city knows it by"
    );
    // Clerks by number, never by name; comments stay in the hall unless it shares them.
    assert_eq!(
        city_stats["by_clerk"].as_array().map(Vec::len),
        hall_stats["by_clerk"].as_array().map(Vec::len)
    );
    assert!(
        !city_stats.to_string().contains("canbo"),
        "no clerk names at the city"
    );
    assert!(
        !hall_stats["comments"]
            .as_array()
            .expect("comments")
            .is_empty()
    );
    assert_eq!(city_stats["comments"], json!([]));

    // The overview lists the hall with the same totals, not silent.
    let (status, overview) = city_office.get("/api/city/stats").await;
    assert_eq!(status, 200, "{overview}");
    let row = &overview["halls"][0];
    assert_eq!(row["code"], json!(code));
    assert_eq!(row["served"], hall_stats["total"]["served"]);
    assert_eq!(row["silent"], false);
    assert_eq!(overview["total"]["served"], hall_stats["total"]["served"]);
}

fn event(seq: i64) -> WireEvent {
    WireEvent {
        seq,
        at: opening_time().timestamp_millis() + seq * 1000,
        kind: "issued".into(),
        ticket: Some(seq),
        service: Some("A".into()),
        counter: None,
        clerk: None,
        data: json!({"priority": "none", "eta_minutes": 5}),
    }
}

fn batch(hall: &str, seqs: std::ops::RangeInclusive<i64>) -> Batch {
    Batch {
        hall: hall.to_owned(),
        from_seq: *seqs.start(),
        to_seq: *seqs.end(),
        profile: Profile {
            name: "Phường thử".into(),
            timezone: "Asia/Ho_Chi_Minh".into(),
            rating_scale: 5,
            services: Vec::new(),
        },
        events: seqs.map(event).collect(),
    }
}

/// Post raw bytes with the three headers, as a hall (or someone pretending) would.
async fn post(
    city: &TestCity,
    hall: &str,
    timestamp: i64,
    signature: &str,
    body: &[u8],
) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}{}", city.base, protocol::BATCH_PATH))
        .header("content-type", "application/json")
        .header(protocol::HALL_HEADER, hall)
        .header(protocol::TIMESTAMP_HEADER, timestamp.to_string())
        .header(protocol::SIGNATURE_HEADER, signature)
        .body(body.to_vec())
        .send()
        .await
        .expect("post");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn signed(
    city: &TestCity,
    hall: &str,
    secret: &str,
    b: &Batch,
    timestamp: i64,
) -> (u16, Value) {
    let body = serde_json::to_vec(b).expect("json");
    let signature = protocol::sign(secret, hall, timestamp, &body);
    post(city, hall, timestamp, &signature, &body).await
}

async fn forged_tampered_replayed_and_out_of_order_batches_are_refused_and_store_nothing(
    store: CityStore,
) {
    let clock = ManualClock::starting_at(opening_time());
    let city = TestCity::start_on(store, clock.clone()).await;
    let (a, secret_a) = city.register("Phường A");
    let (b, secret_b) = city.register("Phường B");
    let now = opening_time().timestamp_millis();

    let (status, ack) = signed(&city, &a, &secret_a, &batch(&a, 1..=3), now).await;
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ack, json!({"acked_through": 3, "stored": 3}));

    // Forged: signed with a secret that is not the hall's.
    let forged = "0".repeat(64);
    let (status, body) = signed(&city, &a, &forged, &batch(&a, 4..=5), now).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "bad_signature"),
        "{body}"
    );

    // Tampered: one byte changed after signing.
    let good = serde_json::to_vec(&batch(&a, 4..=5)).expect("json");
    let signature = protocol::sign(&secret_a, &a, now, &good);
    let tampered = String::from_utf8(good.clone())
        .expect("utf-8")
        .replace("\"eta_minutes\":5", "\"eta_minutes\":1")
        .into_bytes();
    assert_ne!(tampered, good);
    let (status, body) = post(&city, &a, now, &signature, &tampered).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "bad_signature"),
        "{body}"
    );
    // The timestamp is signed too: the same body with another time does not pass.
    let (status, body) = post(&city, &a, now + 1, &signature, &good).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "bad_signature"),
        "{body}"
    );

    // Replayed: a batch signed long ago is refused even with a true signature.
    let old = now - 20 * 60 * 1000;
    let (status, body) = signed(&city, &a, &secret_a, &batch(&a, 4..=5), old).await;
    assert_eq!((status, error_code(&body)), (401, "stale_batch"), "{body}");
    // Sent again now, a batch the city has is acknowledged and stored no second time.
    let (status, ack) = signed(&city, &a, &secret_a, &batch(&a, 1..=3), now).await;
    assert_eq!(
        (status, ack),
        (200, json!({"acked_through": 3, "stored": 0}))
    );

    // A hall restored from an older backup sends other events under numbers the city
    // holds: refused, not taken for the old ones.
    let mut diverged = batch(&a, 2..=4);
    diverged.events[0].kind = "counter_opened".into();
    let (status, body) = signed(&city, &a, &secret_a, &diverged, now).await;
    assert_eq!((status, error_code(&body)), (409, "log_diverged"), "{body}");

    // Out of order: a gap is refused with where to resume.
    let (status, body) = signed(&city, &a, &secret_a, &batch(&a, 5..=6), now).await;
    assert_eq!((status, error_code(&body)), (409, "sequence_gap"), "{body}");
    assert_eq!(body["error"]["acked_through"], 3);
    // Not in order inside the batch.
    let mut shuffled = batch(&a, 4..=6);
    shuffled.events.swap(0, 1);
    let (status, body) = signed(&city, &a, &secret_a, &shuffled, now).await;
    assert_eq!((status, error_code(&body)), (422, "bad_batch"), "{body}");

    // A hall cannot post as another: its secret does not sign for the other's code, and
    // a batch signed by B that names A is refused.
    let (status, body) = signed(&city, &b, &secret_a, &batch(&b, 1..=2), now).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "bad_signature"),
        "{body}"
    );
    let (status, body) = signed(&city, &b, &secret_b, &batch(&a, 4..=5), now).await;
    assert_eq!(
        (status, error_code(&body)),
        (422, "hall_mismatch"),
        "{body}"
    );
    // Unknown halls and unsigned posts.
    let (status, body) = signed(
        &city,
        "hall-000000000000",
        &secret_a,
        &batch("hall-000000000000", 1..=1),
        now,
    )
    .await;
    assert_eq!((status, error_code(&body)), (401, "unknown_hall"), "{body}");
    let (status, body) = city.anonymous().post(protocol::BATCH_PATH, json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "unsigned_batch"),
        "{body}"
    );

    // None of it stored anything.
    assert_eq!(city.log_of(&a).await, (3, 1, 3));
    assert_eq!(city.log_of(&b).await, (0, 0, 0));
    // A new secret for A: the old one stops working at once, the new one signs.
    let master = motcua_city::store::master_key(city.data_dir()).expect("key");
    let rotated = city
        .state
        .store
        .rotate_secret(master, a.clone())
        .await
        .expect("rotate");
    assert_ne!(rotated.secret, secret_a);
    let (status, body) = signed(&city, &a, &secret_a, &batch(&a, 4..=5), now).await;
    assert_eq!(
        (status, error_code(&body)),
        (401, "bad_signature"),
        "{body}"
    );
    let secret_a = rotated.secret;

    // The next batch in order still goes in.
    let (status, ack) = signed(&city, &a, &secret_a, &batch(&a, 4..=5), now).await;
    assert_eq!(
        (status, ack),
        (200, json!({"acked_through": 5, "stored": 2}))
    );
    assert_eq!(city.log_of(&a).await, (5, 1, 5));
}

async fn only_the_city_office_reads_the_city_figures(store: CityStore) {
    let city = TestCity::start_on(store, ManualClock::starting_at(opening_time())).await;
    city.register("Phường A");
    let clerk = city.staff("nhanvien", Role::Clerk).await;
    let admin = city.staff("quantri", Role::Admin).await;
    for path in [
        "/api/city/halls",
        "/api/city/stats",
        "/api/city/stats.csv",
        "/api/city/stats.xlsx",
        "/api/city/dossiers.csv",
    ] {
        let (status, body) = city.anonymous().get(path).await;
        assert_eq!(status, 401, "{path}: {body}");
        let (status, body) = clerk.get(path).await;
        assert_eq!(status, 403, "{path}: {body}");
        let (status, _, _) = admin.get_bytes(path).await;
        assert_eq!(status, 200, "{path}");
    }
    // A registered hall that never reported is shown as silent.
    let (_, halls) = admin.get("/api/city/halls").await;
    assert_eq!(halls["halls"][0]["silent"], true);
    assert_eq!(halls["halls"][0]["last_report_at"], Value::Null);
}

#[tokio::test]
async fn the_collectors_document_is_valid_openapi_made_from_its_routes() {
    assert_eq!(protocol::BATCH_PATH, "/api/city/batches");
    let city = TestCity::start(ManualClock::starting_at(opening_time())).await;
    let (status, served) = city.anonymous().get("/api/openapi.json").await;
    assert_eq!(status, 200, "{served}");
    assert_eq!(
        served,
        serde_json::to_value(motcua_city::http::openapi_document()).expect("JSON"),
        "the collector serves the document its routes make"
    );
    let parsed = oas3::from_json(served.to_string()).expect("the document reads as OpenAPI 3.1");
    assert_eq!(parsed.info.title, "motcua");
    assert_eq!(parsed.info.version, env!("CARGO_PKG_VERSION"));
    assert!(parsed.tags.iter().any(|t| t.name == "city"), "the city tag");
    let document = Document(served);
    let routes = document.routes();
    assert!(routes.len() >= 10, "{routes:?}");
    assert!(
        routes.contains_key(protocol::BATCH_PATH),
        "the halls' address is documented: {routes:?}"
    );
    // Every `$ref` resolves.
    let text = document.0.to_string();
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap_or_default();
        assert!(
            document.0["components"]["schemas"][name].is_object(),
            "a $ref to {name} that does not exist"
        );
    }
}

async fn the_collector_answers_each_documented_operation_as_documented_and_nothing_else(
    store: CityStore,
) {
    let city = TestCity::start_on(store, ManualClock::starting_at(opening_time())).await;
    let (code, secret) = city.register("Phường A");
    let office = city.staff("thongke", Role::Manager).await;
    let (_, served) = city.anonymous().get("/api/openapi.json").await;
    let document = Document(served);
    let http = reqwest::Client::new();
    let mut wrong = Vec::new();
    for (path, methods) in document.routes() {
        let address = concrete(&path, |_| code.clone());
        for method in ["get", "post", "put", "delete", "patch"] {
            let verb =
                reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let answer = http
                .request(verb, format!("{}{address}", city.base))
                .json(&json!({}))
                .send()
                .await
                .expect("request");
            let status = answer.status().as_u16();
            let text = answer.text().await.expect("body");
            let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
            let what = format!("{} {address}", method.to_uppercase());
            if !methods.contains(method) {
                if status != 405 {
                    wrong.push(format!("{what}: undocumented, answered {status} {body}"));
                }
                continue;
            }
            if status == 405 || (status == 404 && error_code(&body) == "no_route") {
                wrong.push(format!("{what}: documented, not served ({status} {body})"));
                continue;
            }
            wrong.extend(document.check_answer(method, &path, status, &body));
        }
    }
    // What succeeds fits its schemas too.
    let now = opening_time().timestamp_millis();
    let answer = signed(&city, &code, &secret, &batch(&code, 1..=3), now).await;
    wrong.extend(document.check_answer("post", protocol::BATCH_PATH, answer.0, &answer.1));
    for (route, address) in [
        ("/api/session".to_owned(), "/api/session".to_owned()),
        ("/api/city/halls".into(), "/api/city/halls".into()),
        ("/api/city/stats".into(), "/api/city/stats".into()),
        (
            "/api/city/halls/{code}/stats".into(),
            format!("/api/city/halls/{code}/stats"),
        ),
        ("/healthz".into(), "/healthz".into()),
    ] {
        let (status, body) = office.get(&address).await;
        assert_eq!(status, 200, "GET {address}: {body}");
        wrong.extend(document.check_answer("get", &route, status, &body));
    }
    assert!(
        wrong.is_empty(),
        "the collector and its document disagree:\n{}",
        wrong.join("\n")
    );
}

async fn a_quiet_hall_says_it_is_alive_and_is_not_taken_for_a_silent_one(store: CityStore) {
    let clock = ManualClock::starting_at(opening_time());
    let city = TestCity::start_on(store, clock.clone()).await;
    let (code, secret) = city.register("Xã yên tĩnh");
    let (never, _) = city.register("Xã chưa nối mạng");
    let settings = Settings {
        city: city.uplink(&code, &secret),
        ..Default::default()
    };
    // No ticket at all: the hall only has a heartbeat to send.
    let _hall = TestHall::start_with_clock(settings, clock.clone()).await;
    let office = city.staff("thongke", Role::Manager).await;
    until("the quiet hall's heartbeat", || async {
        let (_, halls) = office.get("/api/city/halls").await;
        halls["halls"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|h| h["code"] == code && h["silent"] == false)
    })
    .await;
    let (_, halls) = office.get("/api/city/halls").await;
    let row = |c: &str| {
        halls["halls"]
            .as_array()
            .expect("halls")
            .iter()
            .find(|h| h["code"] == c)
            .cloned()
            .expect("the hall")
    };
    assert_eq!(row(&code)["acked_seq"], 0);
    assert_eq!(row(&never)["silent"], true);
    // A heartbeat that claims more than the city holds is told where to resume.
    let now = opening_time().timestamp_millis();
    let mut ahead = batch(&code, 1..=1);
    ahead.events.clear();
    ahead.from_seq = 8;
    ahead.to_seq = 7;
    let (status, body) = signed(&city, &code, &secret, &ahead, now).await;
    assert_eq!((status, error_code(&body)), (409, "sequence_gap"), "{body}");
    assert_eq!(body["error"]["acked_through"], 0);
}
