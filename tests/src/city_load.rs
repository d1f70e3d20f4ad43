//! A city's load for the collectors' benchmarks (`city_bench`, `national_bench`): busy hall
//! days as events, and a hall posting its log in batches as its uplink does.

use crate::{Dice, opening_time};
use anyhow::{Result, ensure};
use motcua_web::protocol::{self, Batch, Profile, ProfileService, WireEvent};
use serde_json::json;

/// A hall's busy day: about `tickets` tickets, as events numbered from 1.
pub fn a_day(tickets: usize, seed: u64) -> Vec<WireEvent> {
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
        let code = format!("{field}{id:03}");
        push(
            at,
            "issued",
            Some(id),
            Some(field),
            None,
            json!({"code": code, "priority": "none", "eta_minutes": roll(30), "ahead": roll(20), "issued_by": "kiosk"}),
        );
        let wait = 30_000 + roll(40) as i64 * 60_000;
        push(
            at + wait,
            "called",
            Some(id),
            Some(field),
            Some(counter),
            json!({"code": code, "priority": "none", "waited_ms": wait}),
        );
        if roll(10) == 0 {
            push(
                at + wait + 30_000,
                "recalled",
                Some(id),
                Some(field),
                Some(counter),
                json!({"recall": 1}),
            );
        }
        if roll(12) == 0 {
            push(
                at + wait + 60_000,
                "absent",
                Some(id),
                Some(field),
                Some(counter),
                json!({}),
            );
            continue;
        }
        push(
            at + wait + 60_000,
            "serving",
            Some(id),
            Some(field),
            Some(counter),
            json!({}),
        );
        let service = 120_000 + roll(900) as i64 * 1000;
        push(
            at + wait + 60_000 + service,
            "served",
            Some(id),
            Some(field),
            Some(counter),
            json!({}),
        );
        if roll(2) == 0 {
            push(
                at + wait + 120_000 + service,
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

pub fn profile() -> Profile {
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

/// One hall posting its log in batches of `size`, each to the next of `urls` in turn
/// (from the `first`), as behind a round-robin proxy; the events stored.
pub async fn post_all(
    client: reqwest::Client,
    urls: Vec<String>,
    first: usize,
    (code, secret): (String, String),
    events: Vec<WireEvent>,
    size: usize,
    timestamp: i64,
) -> Result<u64> {
    let mut stored = 0;
    for (i, chunk) in events.chunks(size).enumerate() {
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
            .post(&urls[(first + i) % urls.len()])
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
