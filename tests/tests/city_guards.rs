//! The collector's guards against a hall that sends nonsense, and against anyone who is
//! not a hall: plausibility bounds on every value (422, nothing stored, counted), and a
//! small body limit applied before the signature is looked at (413).

use motcua_store::clock::ManualClock;
use motcua_tests::{CityStore, TestCity, error_code, opening_time};
use motcua_web::protocol::{self, Batch, Profile, WireEvent};
use serde_json::{Value, json};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MINUTE: i64 = 60_000;

fn now() -> i64 {
    opening_time().timestamp_millis()
}

fn wire(seq: i64, at: i64, kind: &str, data: Value) -> WireEvent {
    WireEvent {
        seq,
        at,
        kind: kind.into(),
        ticket: Some(1),
        service: Some("A".into()),
        counter: (kind != "issued").then_some(1),
        clerk: (kind != "issued").then_some(1),
        data,
    }
}

/// One ticket's visit: issued, called after `waited_ms`, served `served_after` ms after
/// it was issued, then rated `level` of 5.
fn visit(issued_at: i64, waited_ms: i64, served_after: i64, level: u8) -> Vec<WireEvent> {
    vec![
        wire(
            1,
            issued_at,
            "issued",
            json!({"code": "A001", "priority": "none", "issued_by": "kiosk", "eta_minutes": 5, "ahead": 0}),
        ),
        wire(
            2,
            issued_at + waited_ms.max(0),
            "called",
            json!({"code": "A001", "priority": "none", "waited_ms": waited_ms}),
        ),
        wire(3, issued_at + waited_ms.max(0), "serving", json!({})),
        wire(4, issued_at + served_after, "served", json!({})),
        wire(
            5,
            issued_at + served_after,
            "rated",
            json!({"level": level, "scale": 5, "comment": null, "channel": "phone"}),
        ),
    ]
}

fn batch(hall: &str, events: Vec<WireEvent>) -> Batch {
    Batch {
        hall: hall.to_owned(),
        from_seq: 1,
        to_seq: events.len() as i64,
        profile: Profile {
            name: "Phường thử".into(),
            timezone: "Asia/Ho_Chi_Minh".into(),
            rating_scale: 5,
            services: Vec::new(),
        },
        events,
    }
}

async fn send(city: &TestCity, hall: &str, secret: &str, b: &Batch) -> (u16, Value) {
    let body = serde_json::to_vec(b).unwrap();
    let signature = protocol::sign(secret, hall, now(), &body);
    let response = reqwest::Client::new()
        .post(format!("{}{}", city.base, protocol::BATCH_PATH))
        .header("content-type", "application/json")
        .header(protocol::HALL_HEADER, hall)
        .header(protocol::TIMESTAMP_HEADER, now().to_string())
        .header(protocol::SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn a_validly_signed_batch_with_an_implausible_value_is_refused_and_stores_nothing() {
    implausible_batches_store_nothing(CityStore::Sqlite).await;
}

#[tokio::test]
async fn a_validly_signed_batch_with_an_implausible_value_is_refused_and_stores_nothing_on_postgresql()
 {
    implausible_batches_store_nothing(CityStore::Postgres).await;
}

async fn implausible_batches_store_nothing(store: CityStore) {
    let city = TestCity::start_on(store, ManualClock::starting_at(opening_time())).await;
    let (hall, secret) = city.register("Phường thử");
    let earlier = now() - 3 * 24 * 60 * MINUTE;
    let absurd: [(&str, Vec<WireEvent>, &str); 5] = [
        // Served 658 billion minutes after it was issued (the finding).
        (
            "served far in the future",
            visit(now() - 30 * MINUTE, 5 * MINUTE, 658_000_000_000 * MINUTE, 5),
            "event 4: at",
        ),
        // Served two days after it was issued, both times in the past.
        (
            "a visit longer than a day",
            visit(earlier, 5 * MINUTE, 2 * 24 * 60 * MINUTE, 5),
            "event 4: at",
        ),
        (
            "a negative wait",
            visit(now() - 30 * MINUTE, -5 * MINUTE, 10 * MINUTE, 5),
            "event 2: data.waited_ms",
        ),
        (
            "a rating off the scale",
            visit(now() - 30 * MINUTE, 5 * MINUTE, 10 * MINUTE, 9),
            "event 5: data.level",
        ),
        (
            "an event from before 2024",
            visit(1_000, 5 * MINUTE, 10 * MINUTE, 5),
            "event 1: at",
        ),
    ];
    for (what, events, field) in absurd {
        let (status, body) = send(&city, &hall, &secret, &batch(&hall, events)).await;
        assert_eq!(status, 422, "{what}: {body}");
        assert_eq!(error_code(&body), "implausible_value", "{what}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(field), "{what}: {message}");
        assert_eq!(city.log_of(&hall).await.0, 0, "{what}: nothing stored");
    }
    // The same visit with real values is taken, from the start: nothing of the refused
    // batches was kept.
    let real = visit(now() - 30 * MINUTE, 5 * MINUTE, 20 * MINUTE, 4);
    let (status, ack) = send(&city, &hall, &secret, &batch(&hall, real)).await;
    assert_eq!(status, 200, "{ack}");
    assert_eq!(ack, json!({"acked_through": 5, "stored": 5}));
    // Every refusal is counted, by its reason.
    let metrics = reqwest::get(format!("{}/metrics", city.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("motcua_city_batches_refused_total{reason=\"implausible_value\"} 5"),
        "{metrics}"
    );
}

#[tokio::test]
async fn an_unsigned_oversized_body_is_refused_413_before_it_is_read() {
    let city = TestCity::start(ManualClock::starting_at(opening_time())).await;
    let addr = city.base.trim_start_matches("http://");
    // 8 MiB announced, under the old 16 MiB limit, and not one byte of it sent: the answer
    // must come from the length alone.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: city\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        protocol::BATCH_PATH,
        8 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read(&mut answer))
        .await
        .expect("an answer before the body is sent")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("body_too_large"), "{answer}");
    // Sent in chunks with no length, it is cut as soon as it passes the limit.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: city\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        protocol::BATCH_PATH
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let sender = tokio::spawn(async move {
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
        // 16 MiB offered; the server stops reading long before.
        for _ in 0..256 {
            if writer.write_all(chunk.as_bytes()).await.is_err() {
                break;
            }
        }
    });
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(30), reader.read(&mut answer))
        .await
        .expect("an answer once the limit is passed")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    sender.abort();
    let metrics = reqwest::get(format!("{}/metrics", city.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("motcua_city_batches_refused_total{reason=\"body_too_large\"} 2"),
        "{metrics}"
    );
}

#[tokio::test]
async fn forged_and_implausible_batches_are_refused_while_the_writer_is_busy() {
    let city = TestCity::start(ManualClock::starting_at(opening_time())).await;
    let (hall, secret) = city.register("Phường thử");
    // Something holds the collector's one writer (a long batch, a slow disk).
    let (release, held_until) = std::sync::mpsc::channel::<()>();
    let (holding, held) = tokio::sync::oneshot::channel::<()>();
    let motcua_city::db::Db::Sqlite(store) = city.state.store.clone() else {
        panic!("the embedded store has one writer");
    };
    let writer = tokio::spawn(async move {
        store
            .write::<_, motcua_store::StoreError, _>(move |_| {
                let _ = holding.send(());
                let _ = held_until.recv();
                Ok(())
            })
            .await
    });
    held.await.unwrap();
    // A forged batch and an absurd one are answered without waiting for it.
    let real = visit(now() - 30 * MINUTE, 5 * MINUTE, 20 * MINUTE, 4);
    let forged = tokio::time::timeout(
        Duration::from_secs(30),
        send(&city, &hall, &"0".repeat(64), &batch(&hall, real)),
    )
    .await
    .expect("refused without the writer");
    assert_eq!((forged.0, error_code(&forged.1)), (401, "bad_signature"));
    let absurd = visit(now() - 30 * MINUTE, -MINUTE, 20 * MINUTE, 4);
    let absurd = tokio::time::timeout(
        Duration::from_secs(30),
        send(&city, &hall, &secret, &batch(&hall, absurd)),
    )
    .await
    .expect("refused without the writer");
    assert_eq!(
        (absurd.0, error_code(&absurd.1)),
        (422, "implausible_value")
    );
    release.send(()).unwrap();
    writer.await.unwrap().unwrap();
}
