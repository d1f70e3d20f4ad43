//! Pairing a device by the six digits on its own screen: the device asks and polls with its
//! secret, an admin looks the code up and names the device, and the device alone receives
//! its token, once. The bounds: codes lapse after 10 minutes, an address holds 3 pending
//! pairings, wrong codes are counted and stop lookups.

use chrono::Duration;
use motcua_domain::Role;
use motcua_tests::{Client, TestHall, error_code};
use serde_json::{Value, json};

/// A device page without a token asking to be paired: (code, secret).
async fn begin(device: &Client, kind: &str) -> (String, String) {
    let (status, body) = device.post("/api/pairings", json!({"kind": kind})).await;
    assert_eq!(status, 201, "begin: {body}");
    let code = body["code"].as_str().expect("code").to_owned();
    assert_eq!(code.len(), 6, "six digits: {code}");
    assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    assert!(
        body["pair_url"]
            .as_str()
            .expect("pair_url")
            .ends_with(&format!("/admin/?pair={code}#devices")),
        "{body}"
    );
    (code, body["secret"].as_str().expect("secret").to_owned())
}

async fn claim(device: &Client, secret: &str) -> (u16, Value) {
    device
        .post("/api/pairings/claim", json!({"secret": secret}))
        .await
}

#[tokio::test]
async fn a_kiosk_paired_by_its_code_receives_its_token_once_and_issues_with_it() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let screen = hall.anonymous();
    let (code, secret) = begin(&screen, "kiosk").await;

    // Before an admin takes the code, the device keeps showing the same one.
    let (status, waiting) = claim(&screen, &secret).await;
    assert_eq!(status, 200, "{waiting}");
    assert_eq!(waiting["status"], "waiting");
    assert_eq!(waiting["code"], code.as_str());
    assert_eq!(waiting["expires_in_seconds"], 600);
    // The hall opens at 08:00 on its clock: a device that prints its code says until when.
    assert_eq!(waiting["valid_until"], "08:10");

    // The admin types it with a space, as read off the screen, and sees what asked.
    let typed = format!("{} {}", &code[..3], &code[3..]);
    let (status, seen) = admin.get(&format!("/api/pairings/{typed}")).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["kind"], "kiosk");
    assert_eq!(seen["addr"], "127.0.0.1");

    let (status, accepted) = admin
        .post(
            &format!("/api/pairings/{code}/accept"),
            json!({"name": "kiosk-sanh", "kind": "kiosk"}),
        )
        .await;
    assert_eq!(status, 201, "{accepted}");
    assert_eq!(accepted["device"]["name"], "kiosk-sanh");
    assert_eq!(accepted["device"]["kind"], "kiosk");

    let (status, paired) = claim(&screen, &secret).await;
    assert_eq!(status, 200, "{paired}");
    assert_eq!(paired["status"], "paired");
    assert_eq!(paired["device"]["name"], "kiosk-sanh");
    let token = paired["token"].as_str().expect("token").to_owned();

    // The token works as a kiosk's, and was in no answer the admin saw.
    let kiosk = hall.device_with_token(token.clone());
    let ticket = kiosk.issue("A", "none").await;
    assert_eq!(ticket["code"], "A001", "{ticket}");
    let (_, devices) = admin.get("/api/devices").await;
    for seen_by_admin in [&seen, &accepted, &devices] {
        assert!(!seen_by_admin.to_string().contains(&token));
    }

    // Once taken, the pairing is gone: the secret gives nothing more, the code names nothing.
    let (status, again) = claim(&screen, &secret).await;
    assert_eq!((status, error_code(&again)), (404, "pairing_not_found"));
    let (status, gone) = admin.get(&format!("/api/pairings/{code}")).await;
    assert_eq!((status, error_code(&gone)), (404, "pairing_not_found"));
}

#[tokio::test]
async fn a_code_lapses_after_ten_minutes_and_the_device_asks_for_a_new_one() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let screen = hall.anonymous();
    let (code, secret) = begin(&screen, "display").await;

    hall.clock.advance(Duration::seconds(599));
    let (status, waiting) = claim(&screen, &secret).await;
    assert_eq!((status, &waiting["expires_in_seconds"]), (200, &json!(1)));

    hall.clock.advance(Duration::seconds(1));
    let (status, lapsed) = claim(&screen, &secret).await;
    assert_eq!((status, error_code(&lapsed)), (404, "pairing_not_found"));
    let (status, lapsed) = admin
        .post(
            &format!("/api/pairings/{code}/accept"),
            json!({"name": "tv-sanh"}),
        )
        .await;
    assert_eq!((status, error_code(&lapsed)), (404, "pairing_not_found"));
    let (_, devices) = admin.get("/api/devices").await;
    assert_eq!(devices["devices"], json!([]), "nothing was added");
}

#[tokio::test]
async fn an_address_holds_three_pending_pairings_until_one_lapses() {
    let hall = TestHall::start().await;
    let screen = hall.anonymous();
    for _ in 0..3 {
        begin(&screen, "kiosk").await;
    }
    let (status, busy) = screen.post("/api/pairings", json!({"kind": "kiosk"})).await;
    assert_eq!((status, error_code(&busy)), (429, "pairing_busy"));

    hall.clock.advance(Duration::minutes(10));
    begin(&screen, "kiosk").await;
}

#[tokio::test]
async fn ten_wrong_codes_stop_every_lookup_until_the_first_leaves_the_count() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let screen = hall.anonymous();
    let (code, _) = begin(&screen, "kiosk").await;
    let wrong = format!(
        "{:06}",
        (code.parse::<u32>().expect("digits") + 1) % 1_000_000
    );

    for _ in 0..10 {
        let (status, miss) = admin.get(&format!("/api/pairings/{wrong}")).await;
        assert_eq!((status, error_code(&miss)), (404, "pairing_not_found"));
    }
    // Now even the right code is not looked up.
    let (status, locked) = admin.get(&format!("/api/pairings/{code}")).await;
    assert_eq!((status, error_code(&locked)), (429, "pairing_locked"));

    hall.clock.advance(Duration::minutes(10));
    let (code, _) = begin(&screen, "kiosk").await;
    let (status, seen) = admin.get(&format!("/api/pairings/{code}")).await;
    assert_eq!(status, 200, "{seen}");
}

#[tokio::test]
async fn a_device_revoked_before_it_came_for_its_token_gets_none() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let screen = hall.anonymous();
    let (code, secret) = begin(&screen, "kiosk").await;
    let (status, accepted) = admin
        .post(
            &format!("/api/pairings/{code}/accept"),
            json!({"name": "kiosk-nham"}),
        )
        .await;
    assert_eq!(status, 201, "{accepted}");
    let id = accepted["device"]["id"].as_i64().expect("id");
    let (status, _) = admin
        .post(&format!("/api/devices/{id}/revoke"), json!({}))
        .await;
    assert_eq!(status, 200);

    let (status, refused) = claim(&screen, &secret).await;
    assert_eq!((status, error_code(&refused)), (404, "pairing_not_found"));
}

#[tokio::test]
async fn an_admin_cannot_pair_a_device_as_another_kind_than_it_asked() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let screen = hall.anonymous();
    let (code, secret) = begin(&screen, "display").await;
    let (status, refused) = admin
        .post(
            &format!("/api/pairings/{code}/accept"),
            json!({"name": "tv-1", "kind": "kiosk"}),
        )
        .await;
    assert_eq!((status, error_code(&refused)), (422, "kind_mismatch"));
    // Refused, the code still waits: the admin fixes the form and accepts it.
    let (status, _) = admin
        .post(
            &format!("/api/pairings/{code}/accept"),
            json!({"name": "tv-1", "kind": "display"}),
        )
        .await;
    assert_eq!(status, 201);
    let (_, paired) = claim(&screen, &secret).await;
    assert_eq!(paired["device"]["kind"], "display", "{paired}");
}

#[tokio::test]
async fn a_paired_tablet_rates_only_the_last_ticket_of_its_own_counter() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let screen = hall.anonymous();
    let (status, begun) = screen
        .post("/api/pairings", json!({"kind": "tablet", "counter": 1}))
        .await;
    assert_eq!(status, 201, "{begun}");
    let code = begun["code"].as_str().expect("code");
    let secret = begun["secret"].as_str().expect("secret");
    // A tablet is bound to a counter the hall has.
    let (status, refused) = admin
        .post(
            &format!("/api/pairings/{code}/accept"),
            json!({"name": "tablet-1", "counter": 99}),
        )
        .await;
    assert_eq!((status, error_code(&refused)), (404, "counter_not_found"));
    let (status, accepted) = admin
        .post(
            &format!("/api/pairings/{code}/accept"),
            json!({"name": "tablet-1"}),
        )
        .await;
    assert_eq!(status, 201, "{accepted}");
    let (_, paired) = claim(&screen, secret).await;
    assert_eq!(paired["device"]["counter"], 1, "{paired}");
    let tablet = hall.device_with_token(paired["token"].as_str().expect("token").into());

    let kiosk = hall.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    let here = hall.clerk_at("lan", 1).await;
    let there = hall.clerk_at("minh", 3).await;
    let serve = |clerk: &Client, no: u16| {
        let clerk = clerk.clone();
        let kiosk = kiosk.clone();
        async move {
            kiosk.issue("A", "none").await;
            let ticket = clerk.call_next(no).await.expect("a ticket");
            for step in ["start", "finish"] {
                assert_eq!(clerk.act(&ticket, step, json!({})).await.0, 200, "{step}");
            }
            ticket["id"].as_i64().expect("id")
        }
    };
    let first = serve(&here, 1).await;
    let elsewhere = serve(&there, 3).await;
    let (status, refused) = tablet
        .post(
            &format!("/api/tickets/{elsewhere}/rate"),
            json!({"level": 5}),
        )
        .await;
    assert_eq!(
        (status, error_code(&refused)),
        (403, "forbidden"),
        "another counter's ticket"
    );
    let last = serve(&here, 1).await;
    let (status, refused) = tablet
        .post(&format!("/api/tickets/{first}/rate"), json!({"level": 5}))
        .await;
    assert_eq!(
        (status, error_code(&refused)),
        (409, "rating_not_allowed"),
        "an older one"
    );
    let (status, rated) = tablet
        .post(&format!("/api/tickets/{last}/rate"), json!({"level": 4}))
        .await;
    assert_eq!((status, &rated["rating"]), (200, &json!(4)), "{rated}");
    // It may do nothing else: no ticket issued, no list read.
    assert_eq!(
        tablet
            .post("/api/tickets", json!({"service": "A", "priority": "none"}))
            .await
            .0,
        403
    );
    assert_eq!(tablet.get("/api/tickets").await.0, 403);
}

#[tokio::test]
async fn a_tablet_is_paired_by_its_code_not_added_with_a_token() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let (status, refused) = admin
        .post(
            "/api/devices",
            json!({"name": "tablet-1", "kind": "tablet"}),
        )
        .await;
    assert_eq!((status, error_code(&refused)), (422, "pair_tablet"));
}
