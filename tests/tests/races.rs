//! Two clerks pressing Next at the same instant never get the same ticket.

use motcua_domain::DeviceKind;
use motcua_tests::TestHall;
use std::collections::HashSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_clerks_racing_on_call_next_never_get_the_same_ticket() {
    // Twenty counters that all serve field A.
    let settings = motcua_hall::config::Settings {
        counters: (1..=20)
            .map(|no| motcua_hall::config::CounterSettings {
                no,
                services: vec!["A".into()],
            })
            .collect(),
        ..Default::default()
    };
    let hall = TestHall::start_with(settings).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    for _ in 0..50 {
        kiosk.issue("A", "none").await;
    }
    let mut clerks = Vec::new();
    for no in 1..=20u16 {
        clerks.push((no, hall.clerk_at(&format!("clerk{no}"), no).await));
    }
    let mut called = Vec::new();
    // Three rounds: everyone presses Next at once, then marks the citizen absent.
    for _round in 0..3 {
        let presses = clerks.iter().map(|(no, clerk)| {
            let clerk = clerk.clone();
            let no = *no;
            tokio::spawn(async move {
                let t = clerk.call_next(no).await;
                if let Some(t) = &t {
                    let (status, _) = clerk.act(t, "no-show", serde_json::json!({})).await;
                    assert_eq!(status, 200);
                }
                t
            })
        });
        for got in futures_util::future::join_all(presses).await {
            if let Some(t) = got.expect("task") {
                called.push(t["id"].as_i64().expect("id"));
            }
        }
    }
    let distinct: HashSet<_> = called.iter().collect();
    assert_eq!(
        called.len(),
        50,
        "every waiting ticket called once, then nobody"
    );
    assert_eq!(
        distinct.len(),
        called.len(),
        "a ticket was called twice: {called:?}"
    );
}
