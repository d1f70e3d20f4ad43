//! Dossiers on tickets, through the API of the real hall: the clerk attaches the codes of
//! the dossiers handled at the counter (in capitals, once each, ten at most) and takes one
//! typed wrong off; the refusals say why; a citizen's result pick-up ticket goes to the field
//! the dossier was last attached to, else the field listing its procedure, else the one the
//! citizen picks; and no public view, page answer or live frame ever shows a dossier's code.

use motcua_domain::{DeviceKind, Role};
use motcua_tests::{Client, Socket, TestHall, error_code, next_event, next_json};
use serde_json::{Value, json};

/// Codes as provinces' procedure systems write them on the receipt.
const BIRTH: &str = "000.00.16.H26-241204-0001";
const COPY: &str = "H26.39-251207-0012";

/// Counter `no`'s clerk with a ticket of `service` called to it: (clerk, ticket).
async fn serving(hall: &TestHall, name: &str, no: u16, service: &str) -> (Client, Value) {
    let clerk = hall.clerk_at(name, no).await;
    hall.device(&format!("kiosk-{name}"), DeviceKind::Kiosk)
        .issue(service, "none")
        .await;
    let ticket = clerk.call_next(no).await.expect("a ticket called");
    assert_eq!(ticket["service"], service, "{ticket}");
    (clerk, ticket)
}

async fn attach(clerk: &Client, no: u16, code: &str) -> (u16, Value) {
    clerk
        .post(
            &format!("/api/counters/{no}/dossiers"),
            json!({ "code": code }),
        )
        .await
}

fn codes(list: &Value) -> Vec<&str> {
    list["dossiers"]
        .as_array()
        .unwrap_or_else(|| panic!("a list of dossiers: {list}"))
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

#[tokio::test]
async fn a_clerk_attaches_dossiers_to_the_ticket_at_the_counter_lists_them_and_removes_one() {
    let hall = TestHall::start().await;
    let (clerk, ticket) = serving(&hall, "lan", 1, "A").await;

    // Typed in lower case with a space around: kept in capitals.
    let (status, list) = attach(&clerk, 1, &format!("  {} ", BIRTH.to_lowercase())).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["ticket"], ticket["id"]);
    assert_eq!(list["code"], ticket["code"]);
    assert_eq!(codes(&list), [BIRTH]);
    // Serving starts; a second dossier; the first again changes nothing.
    let (status, _) = clerk.act(&ticket, "start", json!({})).await;
    assert_eq!(status, 200);
    let (status, list) = attach(&clerk, 1, COPY).await;
    assert_eq!(status, 200, "{list}");
    let (status, again) = attach(&clerk, 1, BIRTH).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(codes(&again), [BIRTH, COPY]);

    let (status, read) = clerk.get("/api/counters/1/dossiers").await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(codes(&read), [BIRTH, COPY]);

    // The copy's code was typed wrong: off it comes.
    let (status, after) = clerk
        .delete(&format!("/api/counters/1/dossiers/{COPY}"))
        .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(codes(&after), [BIRTH]);
    let (_, read) = clerk.get("/api/counters/1/dossiers").await;
    assert_eq!(codes(&read), [BIRTH]);
}

#[tokio::test]
async fn dossier_requests_are_refused_with_a_reason_and_change_nothing() {
    let hall = TestHall::start().await;
    let clerk = hall.clerk_at("lan", 1).await;

    // Nobody at the counter yet.
    let (status, body) = attach(&clerk, 1, BIRTH).await;
    assert_eq!((status, error_code(&body)), (409, "no_ticket_at_counter"));
    let (status, body) = clerk.get("/api/counters/1/dossiers").await;
    assert_eq!((status, error_code(&body)), (409, "no_ticket_at_counter"));

    hall.device("kiosk-1", DeviceKind::Kiosk)
        .issue("A", "none")
        .await;
    clerk.call_next(1).await.expect("a ticket called");
    for bad in [
        "",
        "   ",
        "HOSO-KHONG-SO",
        "H26 39 0001",
        "mã-hồ-sơ-1",
        &"1".repeat(41),
    ] {
        let (status, body) = attach(&clerk, 1, bad).await;
        assert_eq!(
            (status, error_code(&body)),
            (422, "bad_dossier_code"),
            "{bad:?}: {body}"
        );
    }
    let (status, body) = clerk.post("/api/counters/1/dossiers", json!({})).await;
    assert_eq!(
        (status, error_code(&body)),
        (422, "bad_dossier_code"),
        "{body}"
    );
    let (status, body) = clerk
        .post(
            "/api/counters/1/dossiers",
            json!({"code": BIRTH, "name": "x"}),
        )
        .await;
    assert_eq!(status, 422, "unknown keys: {body}");

    // Ten at most.
    for i in 1..=10 {
        let (status, body) = attach(&clerk, 1, &format!("H26.39-251207-{i:04}")).await;
        assert_eq!(status, 200, "{i}: {body}");
    }
    let (status, body) = attach(&clerk, 1, "H26.39-251207-0011").await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "too_many_dossiers"),
        "{body}"
    );

    // Only what the ticket carries comes off.
    let (status, body) = clerk
        .delete(&format!("/api/counters/1/dossiers/{COPY}"))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "dossier_not_attached"),
        "{body}"
    );

    // Another clerk, a kiosk, nobody, a counter that does not exist.
    let other = hall.staff("minh", Role::Clerk).await;
    let (status, _) = attach(&other, 1, BIRTH).await;
    assert_eq!(status, 403);
    let (status, _) = other.get("/api/counters/1/dossiers").await;
    assert_eq!(status, 403);
    let (status, _) = other
        .delete("/api/counters/1/dossiers/H26.39-251207-0001")
        .await;
    assert_eq!(status, 403);
    let kiosk = hall.device("kiosk-2", DeviceKind::Kiosk);
    let (status, _) = attach(&kiosk, 1, BIRTH).await;
    assert_eq!(status, 403);
    let (status, _) = attach(&hall.anonymous(), 1, BIRTH).await;
    assert_eq!(status, 401);
    let (status, body) = attach(&clerk, 99, BIRTH).await;
    assert_eq!((status, error_code(&body)), (404, "counter_not_found"));

    let (_, list) = clerk.get("/api/counters/1/dossiers").await;
    assert_eq!(codes(&list).len(), 10, "{list}");
}

/// Ask for a result pick-up ticket as `issuer` does.
async fn result_ticket(issuer: &Client, body: Value) -> (u16, Value) {
    issuer.post("/api/result-tickets", body).await
}

#[tokio::test]
async fn a_result_ticket_goes_to_the_field_its_dossier_was_last_attached_to_with_the_dossier() {
    let hall = TestHall::start().await;
    // Counter 3 serves C, then A: the dossier is filed with a C ticket.
    let (clerk, filed) = serving(&hall, "lan", 3, "C").await;
    let (status, _) = attach(&clerk, 3, COPY).await;
    assert_eq!(status, 200);
    let (status, _) = clerk.act(&filed, "start", json!({})).await;
    assert_eq!(status, 200);
    let (status, _) = clerk.act(&filed, "finish", json!({})).await;
    assert_eq!(status, 200);

    // Days later the citizen comes back with the receipt, whose procedure (certified copies)
    // the settings give to D: where the dossier went before wins.
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let (status, ticket) = result_ticket(
        &kiosk,
        json!({"dossier": COPY.to_lowercase(), "procedure": "2.000815", "request_id": "r-1"}),
    )
    .await;
    assert_eq!(status, 201, "{ticket}");
    assert_eq!(ticket["service"], "C", "{ticket}");
    assert_eq!(ticket["result_pickup"], true, "{ticket}");
    assert_eq!(ticket["priority"], "none", "{ticket}");
    // A retry with the same request id: the same ticket, no second one.
    let (status, again) = result_ticket(
        &kiosk,
        json!({"dossier": COPY, "procedure": "2.000815", "request_id": "r-1"}),
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], ticket["id"]);
    let (_, phone) = hall
        .anonymous()
        .get(&format!(
            "/api/tickets/{}",
            ticket["token"].as_str().expect("token")
        ))
        .await;
    assert_eq!(
        phone["result_pickup"], true,
        "the phone page says it: {phone}"
    );

    // Called at counter 3: the dossier is on it, read back from the hall.
    let called = clerk.call_next(3).await.expect("the result ticket");
    assert_eq!(called["id"], ticket["id"]);
    let (_, list) = clerk.get("/api/counters/3/dossiers").await;
    assert_eq!(codes(&list), [COPY], "{list}");
}

#[tokio::test]
async fn a_result_ticket_for_a_dossier_never_seen_goes_by_its_procedure_or_asks_for_the_field() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await;

    // Birth registration (1.001193) is field A's in the demo settings.
    let (status, birth) =
        result_ticket(&kiosk, json!({"dossier": BIRTH, "procedure": "1.001193"})).await;
    assert_eq!(status, 201, "{birth}");
    assert_eq!(birth["service"], "A");
    assert_eq!(birth["result_pickup"], true);

    // No procedure, or one no field lists: the kiosk must ask.
    for body in [
        json!({"dossier": COPY}),
        json!({"dossier": COPY, "procedure": "1.999999"}),
    ] {
        let (status, refused) = result_ticket(&kiosk, body.clone()).await;
        assert_eq!(
            (status, error_code(&refused)),
            (409, "choose_field"),
            "{body}: {refused}"
        );
    }
    let (status, copy) = result_ticket(&kiosk, json!({"dossier": COPY, "service": "D"})).await;
    assert_eq!(status, 201, "{copy}");
    assert_eq!(copy["service"], "D");

    // Bad input is refused before anything is issued.
    for (body, code) in [
        (json!({}), "bad_dossier_code"),
        (json!({"dossier": "no digits"}), "bad_dossier_code"),
        (
            json!({"dossier": COPY, "procedure": "1.4227"}),
            "bad_procedure_code",
        ),
        (json!({"dossier": COPY, "service": "Z"}), "unknown_service"),
        (
            json!({"dossier": COPY, "request_id": "not an id!"}),
            "bad_request_id",
        ),
    ] {
        let (status, refused) = result_ticket(&kiosk, body.clone()).await;
        assert_eq!(
            (status, error_code(&refused)),
            (422, code),
            "{body}: {refused}"
        );
    }
    let (status, _) = result_ticket(&hall.anonymous(), json!({"dossier": COPY})).await;
    assert_eq!(status, 401);
    let (status, _) = result_ticket(
        &hall.device("tv", DeviceKind::Display),
        json!({"dossier": COPY}),
    )
    .await;
    assert_eq!(status, 403);

    // Two tickets issued, both called at counter 1 (A, D) in turn, each with its dossier.
    for (want, dossier) in [(&birth, BIRTH), (&copy, COPY)] {
        let called = clerk.call_next(1).await.expect("a result ticket");
        assert_eq!(called["id"], want["id"]);
        let (_, list) = clerk.get("/api/counters/1/dossiers").await;
        assert_eq!(codes(&list), [dossier], "{list}");
        for step in ["start", "finish"] {
            let (status, body) = clerk.act(&called, step, json!({})).await;
            assert_eq!(status, 200, "{step}: {body}");
        }
    }
}

/// Every frame a feed sends until the one issuing `marker` (a ticket the test issues last).
async fn frames_until_issued(socket: &mut Socket, marker: &Value) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let frame = next_json(socket).await;
        let done = frame["kind"] == "issued" && frame["ticket"]["id"] == marker["id"];
        seen.push(frame);
        if done {
            return seen;
        }
    }
}

#[tokio::test]
async fn no_public_view_page_answer_or_live_frame_shows_a_dossier_code() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await;
    let walk_in = kiosk.issue("A", "none").await;
    let token = walk_in["token"].as_str().expect("token").to_owned();

    let (mut hall_feed, _) = hall.feed("/ws/hall").await;
    let (mut counter_feed, _) = hall.feed("/ws/counters/1").await;
    let (mut phone_feed, _) = hall.feed(&format!("/ws/tickets/{token}")).await;

    let called = clerk.call_next(1).await.expect("the walk-in");
    let (status, _) = attach(&clerk, 1, BIRTH).await;
    assert_eq!(status, 200);
    let (status, _) = clerk.act(&called, "start", json!({})).await;
    assert_eq!(status, 200);
    let (status, _) = attach(&clerk, 1, COPY).await;
    assert_eq!(status, 200);
    let (status, _) = clerk
        .delete(&format!("/api/counters/1/dossiers/{COPY}"))
        .await;
    assert_eq!(status, 200);
    let (status, _) = clerk.act(&called, "finish", json!({})).await;
    assert_eq!(status, 200);
    let (status, pickup) =
        result_ticket(&kiosk, json!({"dossier": BIRTH, "procedure": "1.001193"})).await;
    assert_eq!(status, 201, "{pickup}");
    // The marker: a ticket after everything else, which every feed shows.
    let marker = kiosk.issue("A", "none").await;

    let mut seen = frames_until_issued(&mut hall_feed, &marker).await;
    seen.extend(frames_until_issued(&mut counter_feed, &marker).await);
    // The phone's own ticket was served last: its update came.
    seen.push(next_event(&mut phone_feed, "served").await);

    let citizen = hall.anonymous();
    let pickup_token = pickup["token"].as_str().expect("token");
    for path in [
        "/api/services".to_owned(),
        "/api/counters".to_owned(),
        "/api/counters/1".to_owned(),
        format!("/api/tickets/{token}"),
        format!("/api/tickets/{pickup_token}"),
    ] {
        let (status, body) = citizen.get(&path).await;
        assert_eq!(status, 200, "{path}: {body}");
        seen.push(body);
    }
    // Fresh snapshots too.
    seen.push(hall.feed("/ws/hall").await.1);
    seen.push(hall.feed("/ws/counters/1").await.1);
    seen.push(hall.feed(&format!("/ws/tickets/{pickup_token}")).await.1);
    // Staff's list of the day's tickets shows no code either: dossiers are read at the counter.
    let (_, list) = clerk.get("/api/tickets").await;
    seen.push(list);

    let all = Value::Array(seen).to_string();
    for code in [BIRTH, COPY, "H26"] {
        assert!(!all.contains(code), "{code} is shown: {all}");
    }
    assert!(
        all.contains("\"result_pickup\":true"),
        "the pick-up ticket is seen as one"
    );
}
