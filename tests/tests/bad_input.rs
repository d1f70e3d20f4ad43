//! Bad input on every endpoint: each gets a 4xx with the JSON error body
//! `{"error": {"code", "message"}}`, never a 500, and nothing is lost or half-written:
//! the tickets issued before are unchanged and the event log (`GET /healthz` -> `seq`)
//! does not move on a refused request.
//!
//! Every test starts from the same hall, with tickets in every state: served, served and
//! rated, absent, cancelled, called at counter 1, being served at counter 2, waiting; and
//! counters open and busy (1, 2), paused (3) and closed (4).

use motcua_domain::{DeviceKind, Role};
use motcua_tests::{Client, TestHall, error_code};
use reqwest::Method;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite;

/// The default body limit is 16 KiB; this is far over it.
const ONE_MIB: usize = 1024 * 1024;

struct Tickets {
    served: Value,
    rated: Value,
    absent: Value,
    cancelled: Value,
    /// Called at counter 1 (field A).
    called: Value,
    /// Being served at counter 2 (field B).
    serving: Value,
    /// Waiting in field D (counter 1 serves D, but is busy).
    waiting_d: Value,
    /// Waiting in field C (counter 3 serves C, but is paused).
    waiting_c: Value,
}

impl Tickets {
    fn all(&self) -> [&Value; 8] {
        [
            &self.served,
            &self.rated,
            &self.absent,
            &self.cancelled,
            &self.called,
            &self.serving,
            &self.waiting_d,
            &self.waiting_c,
        ]
    }
}

/// What must not change.
struct Snapshot {
    seq: i64,
    tickets: Value,
    counters: Value,
    by_token: Vec<(String, Value)>,
}

struct Fx {
    hall: TestHall,
    nobody: Client,
    kiosk: Client,
    manager: Client,
    admin: Client,
    /// At counter 1, which holds `called`.
    clerk1: Client,
    /// At counter 2, which holds `serving`.
    clerk2: Client,
    /// At counter 3, paused for lunch.
    clerk3: Client,
    t: Tickets,
    snapshot: Option<Snapshot>,
}

fn id(ticket: &Value) -> i64 {
    ticket["id"].as_i64().expect("ticket id")
}

fn token(ticket: &Value) -> String {
    ticket["token"].as_str().expect("ticket token").to_owned()
}

async fn must(context: &str, (status, body): (u16, Value), want: u16) -> Value {
    assert_eq!(status, want, "{context}: {body}");
    body
}

/// The hall every test starts from.
async fn fixture() -> Fx {
    let hall = TestHall::start().await;
    let nobody = hall.anonymous();
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let manager = hall.staff("manager", Role::Manager).await;
    let admin = hall.staff("admin", Role::Admin).await;
    let clerk1 = hall.clerk_at("clerk-1", 1).await;

    // Served, then served and rated.
    let mut finished = Vec::new();
    for priority in ["none", "elderly"] {
        let ticket = kiosk.issue("A", priority).await;
        let called = clerk1.call_next(1).await.expect("a ticket to call");
        assert_eq!(called["id"], ticket["id"]);
        must("start", clerk1.act(&ticket, "start", json!({})).await, 200).await;
        must(
            "finish",
            clerk1.act(&ticket, "finish", json!({})).await,
            200,
        )
        .await;
        finished.push(ticket);
    }
    let rated = finished.pop().expect("rated");
    let served = finished.pop().expect("served");
    must(
        "rate",
        nobody
            .post("/api/ratings", json!({"token": token(&rated), "level": 5}))
            .await,
        201,
    )
    .await;
    // Called, never came.
    let absent = kiosk.issue("A", "none").await;
    clerk1.call_next(1).await.expect("a ticket to call");
    must(
        "no-show",
        clerk1.act(&absent, "no-show", json!({})).await,
        200,
    )
    .await;
    // Cancelled while waiting.
    let cancelled = kiosk.issue("A", "none").await;
    must(
        "cancel",
        manager.act(&cancelled, "cancel", json!({})).await,
        200,
    )
    .await;
    // Called at counter 1, and it stays there.
    let called = kiosk.issue("A", "pregnant").await;
    let got = clerk1.call_next(1).await.expect("a ticket to call");
    assert_eq!(got["id"], called["id"]);
    // Being served at counter 2.
    let clerk2 = hall.clerk_at("clerk-2", 2).await;
    let serving = kiosk.issue("B", "none").await;
    clerk2.call_next(2).await.expect("a ticket to call");
    must("start", clerk2.act(&serving, "start", json!({})).await, 200).await;
    // Counter 3 paused.
    let clerk3 = hall.clerk_at("clerk-3", 3).await;
    must(
        "pause",
        clerk3
            .post("/api/counters/3/pause", json!({"reason": "lunch"}))
            .await,
        200,
    )
    .await;
    // Waiting.
    let waiting_d = kiosk.issue("D", "none").await;
    let waiting_c = kiosk.issue("C", "disabled").await;

    Fx {
        hall,
        nobody,
        kiosk,
        manager,
        admin,
        clerk1,
        clerk2,
        clerk3,
        t: Tickets {
            served,
            rated,
            absent,
            cancelled,
            called,
            serving,
            waiting_d,
            waiting_c,
        },
        snapshot: None,
    }
}

impl Fx {
    async fn seq(&self) -> i64 {
        let (status, body) = self.nobody.get("/healthz").await;
        assert_eq!(status, 200, "healthz: {body}");
        body["seq"].as_i64().expect("seq")
    }

    async fn take_snapshot(&self) -> Snapshot {
        let (status, tickets) = self.manager.get("/api/tickets").await;
        assert_eq!(status, 200, "list tickets: {tickets}");
        let (status, counters) = self.nobody.get("/api/counters").await;
        assert_eq!(status, 200, "list counters: {counters}");
        let mut by_token = Vec::new();
        for ticket in self.t.all() {
            let token = token(ticket);
            let (status, view) = self.nobody.get(&format!("/api/tickets/{token}")).await;
            assert_eq!(status, 200, "ticket {token}: {view}");
            by_token.push((token, view));
        }
        Snapshot {
            seq: self.seq().await,
            tickets,
            counters,
            by_token,
        }
    }

    /// From here on, nothing may change.
    async fn freeze(&mut self) {
        self.snapshot = Some(self.take_snapshot().await);
    }

    fn frozen(&self) -> &Snapshot {
        self.snapshot.as_ref().expect("freeze() first")
    }

    /// A refusal: the status, the JSON error body with this code, and no new event.
    async fn refused(&self, context: &str, (status, body): (u16, Value), want: u16, code: &str) {
        assert_eq!(
            status, want,
            "{context}: expected {want} {code}, got {status}: {body}"
        );
        assert_error_body(context, &body, code);
        assert_eq!(
            self.seq().await,
            self.frozen().seq,
            "{context}: a refused request writes no event"
        );
    }

    /// Nothing was lost or half-written.
    async fn assert_nothing_changed(&self) {
        let now = self.take_snapshot().await;
        let before = self.frozen();
        assert_eq!(now.seq, before.seq, "the event log did not move");
        assert_eq!(now.tickets, before.tickets, "today's tickets are unchanged");
        assert_eq!(now.counters, before.counters, "the counters are unchanged");
        assert_eq!(
            now.by_token, before.by_token,
            "each ticket's page is unchanged"
        );
        let count = now.tickets["tickets"]
            .as_array()
            .map(Vec::len)
            .unwrap_or_default();
        assert_eq!(count, 8, "the eight tickets are all there: {}", now.tickets);
    }

    async fn raw(&self, who: &Client, path: &str, body: impl Into<Vec<u8>>) -> (u16, Value) {
        who.post_raw(path, "application/json", body.into()).await
    }
}

/// The error body: `{"error": {"code": ..., "message": ...}}` and nothing else.
fn assert_error_body(context: &str, body: &Value, code: &str) {
    let object = body
        .as_object()
        .unwrap_or_else(|| panic!("{context}: the error body is a JSON object, got {body}"));
    assert_eq!(
        object.len(),
        1,
        "{context}: only \"error\" in the body: {body}"
    );
    let error = body["error"]
        .as_object()
        .unwrap_or_else(|| panic!("{context}: \"error\" is an object: {body}"));
    assert_eq!(
        error.len(),
        2,
        "{context}: the error has a code and a message: {body}"
    );
    assert_eq!(error_code(body), code, "{context}: error code: {body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        !message.trim().is_empty(),
        "{context}: the error has a message: {body}"
    );
}

/// A body of about 1 MiB that is otherwise a valid request.
fn huge_body(valid: Value) -> Vec<u8> {
    let mut object = valid.as_object().cloned().unwrap_or_default();
    object.insert("padding".into(), Value::String("x".repeat(ONE_MIB)));
    serde_json::to_vec(&Value::Object(object)).expect("JSON")
}

/// Any method, raw, for the methods the harness does not speak.
async fn request(hall: &TestHall, method: Method, path: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .request(method, hall.url(path))
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// Open a websocket feed: 101, or the refusal's status and body.
async fn ws(hall: &TestHall, path: &str) -> (u16, Value) {
    match tokio_tungstenite::connect_async(format!("{}{}", hall.ws_base, path)).await {
        Ok((_, response)) => (response.status().as_u16(), Value::Null),
        Err(tungstenite::Error::Http(response)) => {
            let status = response.status().as_u16();
            let body = response
                .body()
                .as_ref()
                .map(|b| {
                    serde_json::from_slice(b)
                        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(b).into_owned()))
                })
                .unwrap_or(Value::Null);
            (status, body)
        }
        Err(e) => panic!("websocket {path}: {e}"),
    }
}

// ---------------------------------------------------------------------------------------
// Issuing.

#[tokio::test]
async fn bad_ticket_requests_are_refused_and_use_up_no_number() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let k = &fx.kiosk;
    for (what, body, code) in [
        (
            "an unknown field code",
            json!({"service": "Z"}),
            "unknown_service",
        ),
        (
            "a lowercase field code",
            json!({"service": "a"}),
            "unknown_service",
        ),
        (
            "a field code too long",
            json!({"service": "ABCDE"}),
            "unknown_service",
        ),
        (
            "an empty field code",
            json!({"service": ""}),
            "unknown_service",
        ),
        (
            "an unknown priority",
            json!({"service": "A", "priority": "vip"}),
            "unknown_priority",
        ),
        (
            "a priority in capitals",
            json!({"service": "A", "priority": "ELDERLY"}),
            "unknown_priority",
        ),
        (
            "an empty priority",
            json!({"service": "A", "priority": ""}),
            "unknown_priority",
        ),
    ] {
        fx.refused(
            &format!("issue with {what}"),
            k.post("/api/tickets", body).await,
            422,
            code,
        )
        .await;
    }
    for (what, body) in [
        ("a number for the field", json!({"service": 5})),
        ("null for the field", json!({"service": null})),
        ("an object for the field", json!({"service": {"code": "A"}})),
        (
            "a number for the priority",
            json!({"service": "A", "priority": 1}),
        ),
        ("no field", json!({"priority": "elderly"})),
        ("an empty object", json!({})),
        (
            "an unknown extra key",
            json!({"service": "A", "counter": 1}),
        ),
        (
            "an unknown extra key, null",
            json!({"service": "A", "note": null}),
        ),
        ("a string", json!("A")),
        ("a number", json!(42)),
        ("null", Value::Null),
        ("true", json!(true)),
    ] {
        fx.refused(
            &format!("issue with {what}"),
            k.post("/api/tickets", body).await,
            422,
            "invalid_body",
        )
        .await;
    }
    for (what, body) in [
        ("an empty body", &b""[..]),
        ("the field twice", br#"{"service": "A", "service": "B"}"#),
    ] {
        fx.refused(
            &format!("issue with {what}"),
            fx.raw(k, "/api/tickets", body).await,
            422,
            "invalid_body",
        )
        .await;
    }
    for (what, body) in [
        ("a cut-off object", &br#"{"service": "A""#[..]),
        ("a cut-off string", br#"{"service": "A"#),
        ("unquoted keys", br#"{service: "A"}"#),
        ("single quotes", br#"{'service': 'A'}"#),
        ("a trailing comma", br#"{"service": "A",}"#),
        ("trailing garbage", br#"{"service": "A"} please"#),
        ("two objects", br#"{"service": "A"}{"service": "B"}"#),
        ("plain text", b"service=A"),
        ("invalid UTF-8", b"{\"service\": \"\xff\xfe\"}"),
        ("a NUL byte", b"\0"),
    ] {
        fx.refused(
            &format!("issue with {what}"),
            fx.raw(k, "/api/tickets", body).await,
            400,
            "malformed_json",
        )
        .await;
    }
    // Just over the limit, and far over it.
    let just_over = serde_json::to_vec(&json!({"service": "A", "priority": "x".repeat(17 * 1024)}))
        .expect("JSON");
    fx.refused(
        "issue with a 17 KiB body",
        fx.raw(k, "/api/tickets", just_over).await,
        413,
        "body_too_large",
    )
    .await;
    fx.refused(
        "issue with a 1 MiB body",
        fx.raw(k, "/api/tickets", huge_body(json!({"service": "A"})))
            .await,
        413,
        "body_too_large",
    )
    .await;
    fx.assert_nothing_changed().await;

    // No number was used up: the next tickets follow the last ones issued.
    let next = fx.kiosk.issue("A", "none").await;
    assert_eq!(next["code"], "A006", "{next}");
    let next = fx.kiosk.issue("D", "none").await;
    assert_eq!(next["code"], "D002", "{next}");
    assert_eq!(
        fx.seq().await,
        fx.frozen().seq + 2,
        "one event per ticket issued"
    );
}

#[tokio::test]
async fn a_json_array_in_place_of_an_object_is_the_wrong_shape() {
    let fx = fixture().await;
    must(
        "open counter 4",
        fx.manager.post("/api/counters/4/open", json!({})).await,
        200,
    )
    .await;
    let cases: Vec<(&str, &Client, String, Value)> = vec![
        (
            "issue a ticket",
            &fx.kiosk,
            "/api/tickets".into(),
            json!(["A"]),
        ),
        (
            "issue a ticket with a priority",
            &fx.kiosk,
            "/api/tickets".into(),
            json!(["A", "elderly"]),
        ),
        (
            "rate",
            &fx.nobody,
            "/api/ratings".into(),
            json!([token(&fx.t.served), 4, null]),
        ),
        (
            "rate at the counter",
            &fx.clerk1,
            format!("/api/tickets/{}/rate", id(&fx.t.served)),
            json!([4]),
        ),
        (
            "sign in",
            &fx.nobody,
            "/api/session".into(),
            json!(["clerk-1", "clerk-1-secret-pw"]),
        ),
        (
            "add a user",
            &fx.admin,
            "/api/users".into(),
            json!(["newbie", "clerk", "tulip ferry granite 88"]),
        ),
        (
            "add a device",
            &fx.admin,
            "/api/devices".into(),
            json!(["kiosk-2", "kiosk"]),
        ),
        (
            "pause",
            &fx.manager,
            "/api/counters/4/pause".into(),
            json!(["lunch"]),
        ),
        (
            "transfer",
            &fx.manager,
            format!("/api/tickets/{}/transfer", id(&fx.t.waiting_d)),
            json!([null, "A"]),
        ),
    ];
    // Walk them all, then report every endpoint that took the array.
    let mut accepted = Vec::new();
    for (what, who, path, body) in cases {
        let seq = fx.seq().await;
        let (status, answer) = who.post(&path, body.clone()).await;
        let refused_right =
            status == 422 && error_code(&answer) == "invalid_body" && fx.seq().await == seq;
        if !refused_right {
            accepted.push(format!("- {what}: POST {path} {body} -> {status} {answer}"));
        }
    }
    assert!(
        accepted.is_empty(),
        "JSON arrays taken for objects:\n{}",
        accepted.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// Tickets: addresses and bodies.

#[tokio::test]
async fn unknown_and_malformed_ticket_ids_tokens_and_actions_are_not_found() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let clerk = &fx.clerk1;
    for bad_id in [
        "999999",
        "abc",
        "0",
        "-1",
        "1.5",
        "1e3",
        "0x1",
        "99999999999999999999999",
        "%20",
    ] {
        for (action, body) in [
            ("recall", json!({})),
            ("cancel", json!({})),
            ("rate", json!({"level": 4})),
        ] {
            let path = format!("/api/tickets/{bad_id}/{action}");
            fx.refused(
                &format!("POST {path}"),
                clerk.post(&path, body).await,
                404,
                "ticket_not_found",
            )
            .await;
        }
    }
    let called = id(&fx.t.called);
    for action in [
        "explode", "CALL", "Recall", "no_show", "noshow", "finish ", "Rate", "rating",
    ] {
        let path = format!("/api/tickets/{called}/{}", action.replace(' ', "%20"));
        fx.refused(
            &format!("POST {path}"),
            clerk.post(&path, json!({})).await,
            404,
            "unknown_action",
        )
        .await;
    }
    let real = token(&fx.t.called);
    for bad_token in [
        "nope".to_owned(),
        "0".repeat(32),
        "f".repeat(32),
        real.to_uppercase(),
        format!("{real}0"),
        real[..31].to_owned(),
        "g".repeat(32),
        id(&fx.t.called).to_string(),
        "%20".repeat(32),
    ] {
        for path in [
            format!("/api/tickets/{bad_token}"),
            format!("/api/tickets/{bad_token}/qr.svg"),
        ] {
            fx.refused(
                &format!("GET {path}"),
                fx.nobody.get(&path).await,
                404,
                "ticket_not_found",
            )
            .await;
        }
    }
    fx.assert_nothing_changed().await;
}

#[tokio::test]
async fn path_segments_that_are_not_utf8_are_not_found_with_a_json_error() {
    // A segment that is not UTF-8 once decoded cannot name a ticket, counter or action:
    // the generic 404 `not_found`, in the JSON error shape.
    let mut fx = fixture().await;
    fx.freeze().await;
    let called = id(&fx.t.called);
    let cases: Vec<(&Client, Method, String, &str)> = vec![
        (
            &fx.nobody,
            Method::GET,
            "/api/tickets/%FF%FE".into(),
            "not_found",
        ),
        (
            &fx.nobody,
            Method::GET,
            "/api/tickets/%FF%FE/qr.svg".into(),
            "not_found",
        ),
        (
            &fx.clerk1,
            Method::POST,
            "/api/tickets/%C3/recall".into(),
            "not_found",
        ),
        (
            &fx.clerk1,
            Method::POST,
            format!("/api/tickets/{called}/%FF"),
            "not_found",
        ),
        (
            &fx.nobody,
            Method::GET,
            "/api/counters/%FF".into(),
            "not_found",
        ),
        (
            &fx.clerk1,
            Method::POST,
            "/api/counters/%FF/open".into(),
            "not_found",
        ),
        (
            &fx.clerk1,
            Method::POST,
            "/api/counters/1/%FF".into(),
            "not_found",
        ),
    ];
    let mut wrong = Vec::new();
    for (who, method, path, code) in cases {
        let (status, body) = if method == Method::GET {
            who.get(&path).await
        } else {
            who.post(&path, json!({})).await
        };
        if status != 404 || error_code(&body) != code {
            wrong.push(format!(
                "- {method} {path}: expected 404 {code}, got {status} {body}"
            ));
        }
    }
    for (path, code) in [
        ("/ws/tickets/%FF", "not_found"),
        ("/ws/counters/%FF", "not_found"),
    ] {
        let (status, body) = ws(&fx.hall, path).await;
        if status != 404 || error_code(&body) != code {
            wrong.push(format!(
                "- WS {path}: expected 404 {code}, got {status} {body}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "non-UTF-8 path segments:\n{}",
        wrong.join("\n")
    );
    fx.assert_nothing_changed().await;
}

#[tokio::test]
async fn bad_ticket_action_bodies_are_refused() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let clerk = &fx.clerk1;
    let waiting = id(&fx.t.waiting_d);
    let called = id(&fx.t.called);
    let call = format!("/api/tickets/{waiting}/call");
    let transfer = format!("/api/tickets/{called}/transfer");
    let recall = format!("/api/tickets/{called}/recall");

    fx.refused(
        "call without a counter",
        clerk.post(&call, json!({})).await,
        422,
        "missing_counter",
    )
    .await;
    fx.refused(
        "call with a null counter",
        clerk.post(&call, json!({"counter": null})).await,
        422,
        "missing_counter",
    )
    .await;
    for no in [99, 0, 1000, 65535] {
        fx.refused(
            &format!("call to counter {no}"),
            clerk.post(&call, json!({"counter": no})).await,
            404,
            "counter_not_found",
        )
        .await;
    }
    for counter in [json!("1"), json!(70000), json!(-1), json!(1.5), json!([1])] {
        fx.refused(
            &format!("call to counter {counter}"),
            clerk.post(&call, json!({"counter": counter})).await,
            422,
            "invalid_body",
        )
        .await;
    }
    fx.refused(
        "transfer without a field",
        clerk.post(&transfer, json!({})).await,
        422,
        "missing_service",
    )
    .await;
    for to in ["Z", "b", "ABCDE", ""] {
        fx.refused(
            &format!("transfer to field {to:?}"),
            clerk.post(&transfer, json!({"service": to})).await,
            422,
            "unknown_service",
        )
        .await;
    }
    fx.refused(
        "transfer to a number",
        clerk.post(&transfer, json!({"service": 2})).await,
        422,
        "invalid_body",
    )
    .await;
    fx.refused(
        "recall with an unknown extra key",
        clerk.post(&recall, json!({"reason": "again"})).await,
        422,
        "invalid_body",
    )
    .await;
    fx.refused(
        "call with an unknown extra key",
        clerk
            .post(&call, json!({"counter": 1, "force": true}))
            .await,
        422,
        "invalid_body",
    )
    .await;
    for body in [json!("recall"), json!(7), json!([])] {
        fx.refused(
            &format!("recall with the body {body}"),
            clerk.post(&recall, body).await,
            422,
            "invalid_body",
        )
        .await;
    }
    for body in [&b"{"[..], b"{\"counter\": }", b"recall", b"{}}"] {
        fx.refused(
            &format!("recall with the body {}", String::from_utf8_lossy(body)),
            fx.raw(clerk, &recall, body).await,
            400,
            "malformed_json",
        )
        .await;
    }
    fx.refused(
        "recall with a 1 MiB body",
        fx.raw(clerk, &recall, huge_body(json!({}))).await,
        413,
        "body_too_large",
    )
    .await;
    fx.assert_nothing_changed().await;
}

#[tokio::test]
async fn illegal_ticket_moves_are_conflicts_that_say_why() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let t = &fx.t;
    let (c1, c2, c3, m) = (&fx.clerk1, &fx.clerk2, &fx.clerk3, &fx.manager);
    let moves: Vec<(&str, &Client, &Value, &str, Value, &str)> = vec![
        // Calling what is not waiting.
        (
            "call the called ticket",
            c1,
            &t.called,
            "call",
            json!({"counter": 1}),
            "ticket_not_waiting",
        ),
        (
            "call the ticket being served at 2",
            c1,
            &t.serving,
            "call",
            json!({"counter": 1}),
            "ticket_not_waiting",
        ),
        // Moves that need a called ticket.
        (
            "recall a waiting ticket",
            c1,
            &t.waiting_d,
            "recall",
            json!({}),
            "ticket_not_called",
        ),
        (
            "start a waiting ticket",
            c1,
            &t.waiting_d,
            "start",
            json!({}),
            "ticket_not_called",
        ),
        (
            "no-show a waiting ticket",
            c1,
            &t.waiting_d,
            "no-show",
            json!({}),
            "ticket_not_called",
        ),
        (
            "recall a ticket being served",
            c2,
            &t.serving,
            "recall",
            json!({}),
            "ticket_not_called",
        ),
        (
            "start a ticket being served",
            c2,
            &t.serving,
            "start",
            json!({}),
            "ticket_not_called",
        ),
        (
            "no-show a ticket being served",
            c2,
            &t.serving,
            "no-show",
            json!({}),
            "ticket_not_called",
        ),
        // Finishing what is not being served.
        (
            "finish a called ticket",
            c1,
            &t.called,
            "finish",
            json!({}),
            "ticket_not_serving",
        ),
        (
            "finish a waiting ticket",
            c1,
            &t.waiting_d,
            "finish",
            json!({}),
            "ticket_not_serving",
        ),
        // Returning what is not at a counter.
        (
            "return a waiting ticket",
            c1,
            &t.waiting_d,
            "return",
            json!({}),
            "ticket_not_at_counter",
        ),
        // Transfer into the field it is in.
        (
            "transfer a called ticket to its own field",
            c1,
            &t.called,
            "transfer",
            json!({"service": "A"}),
            "same_service",
        ),
        (
            "transfer a waiting ticket to its own field",
            m,
            &t.waiting_d,
            "transfer",
            json!({"service": "D"}),
            "same_service",
        ),
        // Counters that cannot call.
        (
            "call to a busy counter",
            c1,
            &t.waiting_d,
            "call",
            json!({"counter": 1}),
            "counter_busy",
        ),
        (
            "call to a paused counter",
            c3,
            &t.waiting_c,
            "call",
            json!({"counter": 3}),
            "counter_paused",
        ),
        (
            "call to a counter not serving the field",
            c2,
            &t.waiting_c,
            "call",
            json!({"counter": 2}),
            "service_not_served",
        ),
    ];
    for (what, who, ticket, action, body, code) in moves {
        fx.refused(what, who.act(ticket, action, body).await, 409, code)
            .await;
    }
    // A finished ticket makes no more moves, whoever asks.
    for (state, ticket) in [
        ("served", &t.served),
        ("rated", &t.rated),
        ("absent", &t.absent),
        ("cancelled", &t.cancelled),
    ] {
        for (action, body) in [
            ("call", json!({"counter": 1})),
            ("recall", json!({})),
            ("start", json!({})),
            ("finish", json!({})),
            ("no-show", json!({})),
            ("transfer", json!({"service": "D"})),
            ("return", json!({})),
            ("cancel", json!({})),
        ] {
            for (who_name, who) in [("clerk 1", c1), ("the manager", m)] {
                fx.refused(
                    &format!("{who_name}: {action} a {state} ticket"),
                    who.act(ticket, action, body.clone()).await,
                    409,
                    "ticket_closed",
                )
                .await;
            }
        }
    }
    fx.assert_nothing_changed().await;
}

// ---------------------------------------------------------------------------------------
// Counters.

#[tokio::test]
async fn illegal_counter_moves_are_conflicts_that_say_why() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let (c1, c3, m) = (&fx.clerk1, &fx.clerk3, &fx.manager);
    for (what, who, path, body, code) in [
        (
            "Next at a busy counter",
            c1,
            "/api/counters/1/call-next",
            json!({}),
            "counter_busy",
        ),
        (
            "pause a busy counter",
            c1,
            "/api/counters/1/pause",
            json!({"reason": "lunch"}),
            "counter_busy",
        ),
        (
            "close a busy counter",
            c1,
            "/api/counters/1/close",
            json!({}),
            "counter_busy",
        ),
        (
            "a manager closing a busy counter",
            m,
            "/api/counters/2/close",
            json!({}),
            "counter_busy",
        ),
        (
            "Next at a paused counter",
            c3,
            "/api/counters/3/call-next",
            json!({}),
            "counter_paused",
        ),
        (
            "pause a paused counter",
            c3,
            "/api/counters/3/pause",
            json!({"reason": "meeting"}),
            "counter_paused",
        ),
        (
            "resume an open counter",
            c1,
            "/api/counters/1/resume",
            json!({}),
            "counter_not_paused",
        ),
        (
            "close a closed counter",
            m,
            "/api/counters/4/close",
            json!({}),
            "counter_closed",
        ),
        (
            "open a second counter",
            c1,
            "/api/counters/4/open",
            json!({}),
            "already_at_counter",
        ),
        (
            "open another clerk's counter",
            c1,
            "/api/counters/2/open",
            json!({}),
            "counter_taken",
        ),
        (
            "a manager opening a clerk's counter",
            m,
            "/api/counters/3/open",
            json!({}),
            "counter_taken",
        ),
    ] {
        fx.refused(what, who.post(path, body).await, 409, code)
            .await;
    }
    fx.assert_nothing_changed().await;
}

#[tokio::test]
async fn unknown_counters_and_counter_actions_are_not_found() {
    let mut fx = fixture().await;
    fx.freeze().await;
    for no in [
        "99", "0", "5", "1000", "70000", "-1", "abc", "1.0", "01x", "%20",
    ] {
        let path = format!("/api/counters/{no}");
        fx.refused(
            &format!("GET {path}"),
            fx.nobody.get(&path).await,
            404,
            "counter_not_found",
        )
        .await;
        for action in ["open", "call-next", "pause", "close"] {
            let path = format!("/api/counters/{no}/{action}");
            let body = if action == "pause" {
                json!({"reason": "lunch"})
            } else {
                json!({})
            };
            fx.refused(
                &format!("POST {path}"),
                fx.manager.post(&path, body).await,
                404,
                "counter_not_found",
            )
            .await;
        }
    }
    for action in [
        "explode",
        "OPEN",
        "next",
        "call_next",
        "callnext",
        "pause ",
        "transfer",
    ] {
        let path = format!("/api/counters/1/{}", action.replace(' ', "%20"));
        fx.refused(
            &format!("POST {path}"),
            fx.clerk1.post(&path, json!({})).await,
            404,
            "unknown_action",
        )
        .await;
    }
    fx.assert_nothing_changed().await;
}

#[tokio::test]
async fn bad_pause_reasons_and_counter_bodies_are_refused() {
    let mut fx = fixture().await;
    // A free, open counter, so a good reason would pause it.
    must(
        "open counter 4",
        fx.manager.post("/api/counters/4/open", json!({})).await,
        200,
    )
    .await;
    fx.freeze().await;
    let m = &fx.manager;
    let pause = "/api/counters/4/pause";
    for (what, reason) in [
        ("an empty reason", String::new()),
        ("a blank reason", "   ".to_owned()),
        ("a reason of 101 characters", "x".repeat(101)),
        ("a reason of 101 Vietnamese characters", "ư".repeat(101)),
        ("a reason with a control character", "lu\u{7}nch".to_owned()),
        ("a reason with a newline inside", "lunch\nbreak".to_owned()),
    ] {
        fx.refused(
            &format!("pause with {what}"),
            m.post(pause, json!({"reason": reason})).await,
            422,
            "bad_reason",
        )
        .await;
    }
    for (what, body) in [
        ("no reason", json!({})),
        ("a null reason", json!({"reason": null})),
    ] {
        fx.refused(
            &format!("pause with {what}"),
            m.post(pause, body).await,
            422,
            "bad_reason",
        )
        .await;
    }
    for (what, body) in [
        ("a number for the reason", json!({"reason": 5})),
        (
            "an unknown extra key",
            json!({"reason": "lunch", "minutes": 30}),
        ),
        ("a string body", json!("lunch")),
    ] {
        fx.refused(
            &format!("pause with {what}"),
            m.post(pause, body).await,
            422,
            "invalid_body",
        )
        .await;
    }
    for body in [&b"{\"reason\": "[..], b"{reason: lunch}", b"lunch"] {
        fx.refused(
            &format!("pause with the body {}", String::from_utf8_lossy(body)),
            fx.raw(m, pause, body).await,
            400,
            "malformed_json",
        )
        .await;
    }
    fx.refused(
        "pause with a 1 MiB body",
        fx.raw(m, pause, huge_body(json!({"reason": "lunch"})))
            .await,
        413,
        "body_too_large",
    )
    .await;
    // The other counter actions read a body too: malformed and oversized bodies are refused.
    for action in ["open", "close", "call-next", "resume"] {
        let path = format!("/api/counters/4/{action}");
        fx.refused(
            &format!("{action} with a cut-off body"),
            fx.raw(m, &path, &b"{"[..]).await,
            400,
            "malformed_json",
        )
        .await;
        fx.refused(
            &format!("{action} with a 1 MiB body"),
            fx.raw(m, &path, huge_body(json!({}))).await,
            413,
            "body_too_large",
        )
        .await;
    }
    fx.assert_nothing_changed().await;
}

#[tokio::test]
async fn counter_actions_refuse_unknown_keys_like_every_other_body() {
    let mut fx = fixture().await;
    fx.freeze().await;
    for (who, path, body) in [
        (
            &fx.manager,
            "/api/counters/4/open",
            json!({"user": "clerk-1"}),
        ),
        (&fx.manager, "/api/counters/4/open", json!("open")),
        (&fx.manager, "/api/counters/4/open", json!(4)),
        (&fx.clerk3, "/api/counters/3/resume", json!({"force": true})),
        (
            &fx.clerk3,
            "/api/counters/3/close",
            json!({"reason": "home", "now": true}),
        ),
        (
            &fx.clerk3,
            "/api/counters/3/call-next",
            json!({"service": "C"}),
        ),
    ] {
        fx.refused(
            &format!("POST {path} with {body}"),
            who.post(path, body).await,
            422,
            "invalid_body",
        )
        .await;
    }
    fx.assert_nothing_changed().await;
}

// ---------------------------------------------------------------------------------------
// Ratings.

#[tokio::test]
async fn bad_ratings_are_refused_and_a_ticket_is_rated_once() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let n = &fx.nobody;
    let t = &fx.t;
    for (state, ticket) in [
        ("waiting", &t.waiting_d),
        ("called", &t.called),
        ("serving", &t.serving),
        ("absent", &t.absent),
        ("cancelled", &t.cancelled),
    ] {
        fx.refused(
            &format!("rate a {state} ticket"),
            n.post("/api/ratings", json!({"token": token(ticket), "level": 5}))
                .await,
            409,
            "ticket_not_served",
        )
        .await;
    }
    for level in [5, 1, 3] {
        fx.refused(
            &format!("rate the rated ticket again ({level})"),
            n.post(
                "/api/ratings",
                json!({"token": token(&t.rated), "level": level}),
            )
            .await,
            409,
            "already_rated",
        )
        .await;
    }
    let served = token(&t.served);
    for level in [0, 6, 10, 255] {
        fx.refused(
            &format!("rate {level} on a 5-level scale"),
            n.post("/api/ratings", json!({"token": served, "level": level}))
                .await,
            422,
            "bad_rating",
        )
        .await;
    }
    for level in [
        json!(256),
        json!(-1),
        json!("5"),
        json!(4.5),
        json!(null),
        json!([5]),
    ] {
        fx.refused(
            &format!("rate with level {level}"),
            n.post("/api/ratings", json!({"token": served, "level": level}))
                .await,
            422,
            "invalid_body",
        )
        .await;
    }
    for (what, comment) in [
        ("a comment of 501 characters", "x".repeat(501)),
        ("a comment of 501 Vietnamese characters", "ữ".repeat(501)),
        ("a comment of 2000 characters", "rất tốt ".repeat(250)),
    ] {
        fx.refused(
            &format!("rate with {what}"),
            n.post(
                "/api/ratings",
                json!({"token": served, "level": 5, "comment": comment}),
            )
            .await,
            422,
            "comment_too_long",
        )
        .await;
    }
    for bad_token in [
        "nope".to_owned(),
        "0".repeat(32),
        served.to_uppercase(),
        format!("{served}0"),
        String::new(),
    ] {
        fx.refused(
            &format!("rate the ticket {bad_token:?}"),
            n.post("/api/ratings", json!({"token": bad_token, "level": 5}))
                .await,
            404,
            "ticket_not_found",
        )
        .await;
    }
    for (what, body) in [
        ("no token", json!({"level": 5})),
        ("no level", json!({"token": served})),
        ("a number for the token", json!({"token": 1, "level": 5})),
        (
            "an unknown extra key",
            json!({"token": served, "level": 5, "counter": 1}),
        ),
        (
            "a number for the comment",
            json!({"token": served, "level": 5, "comment": 7}),
        ),
    ] {
        fx.refused(
            &format!("rate with {what}"),
            n.post("/api/ratings", body).await,
            422,
            "invalid_body",
        )
        .await;
    }
    fx.refused(
        "rate with a cut-off body",
        fx.raw(n, "/api/ratings", &b"{\"token\": "[..]).await,
        400,
        "malformed_json",
    )
    .await;
    fx.refused(
        "rate with a 1 MiB body",
        fx.raw(
            n,
            "/api/ratings",
            huge_body(json!({"token": served, "level": 5})),
        )
        .await,
        413,
        "body_too_large",
    )
    .await;
    fx.assert_nothing_changed().await;

    // The served ticket can still be rated, once.
    let (status, body) = n
        .post(
            "/api/ratings",
            json!({"token": served, "level": 4, "comment": "  "}),
        )
        .await;
    assert_eq!(status, 201, "rate the served ticket: {body}");
    assert_eq!(body["rating"], 4);
    fx.refused_after_change(
        "rate it again",
        n.post("/api/ratings", json!({"token": served, "level": 5}))
            .await,
        409,
        "already_rated",
    )
    .await;
}

impl Fx {
    /// A refusal after the frozen state was deliberately changed: the same checks, against
    /// the event log as it is now.
    async fn refused_after_change(
        &self,
        context: &str,
        answer: (u16, Value),
        want: u16,
        code: &str,
    ) {
        let seq = self.seq().await;
        let (status, body) = answer;
        assert_eq!(
            status, want,
            "{context}: expected {want} {code}, got {status}: {body}"
        );
        assert_error_body(context, &body, code);
        assert_eq!(
            self.seq().await,
            seq,
            "{context}: a refused request writes no event"
        );
    }
}

#[tokio::test]
async fn bad_ratings_at_the_counter_are_refused_and_a_ticket_is_rated_once() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let t = &fx.t;
    let (c1, c2, c3, m) = (&fx.clerk1, &fx.clerk2, &fx.clerk3, &fx.manager);
    let rate = |ticket: &Value| format!("/api/tickets/{}/rate", id(ticket));
    // `served` and `rated` were served at counter 1, which clerk 1 holds.
    for (what, body) in [
        ("no level", json!({})),
        ("a null level", json!({"level": null})),
        ("only a counter", json!({"counter": 1})),
    ] {
        fx.refused(
            &format!("rate with {what}"),
            c1.post(&rate(&t.served), body).await,
            422,
            "missing_level",
        )
        .await;
    }
    for level in [0, 6, 10, 255] {
        fx.refused(
            &format!("rate {level} on a 5-level scale"),
            c1.post(&rate(&t.served), json!({"level": level})).await,
            422,
            "bad_rating",
        )
        .await;
    }
    for (what, body) in [
        ("level 256", json!({"level": 256})),
        ("level -1", json!({"level": -1})),
        ("a string level", json!({"level": "5"})),
        ("a fractional level", json!({"level": 4.5})),
        ("a list for the level", json!({"level": [5]})),
        (
            "a comment (the tablet takes none)",
            json!({"level": 5, "comment": "tốt"}),
        ),
        ("a token", json!({"level": 5, "token": token(&t.served)})),
        ("a string body", json!("5")),
        ("a number body", json!(5)),
    ] {
        fx.refused(
            &format!("rate with {what}"),
            c1.post(&rate(&t.served), body).await,
            422,
            "invalid_body",
        )
        .await;
    }
    fx.refused(
        "rate with a cut-off body",
        fx.raw(c1, &rate(&t.served), &b"{\"level\": "[..]).await,
        400,
        "malformed_json",
    )
    .await;
    fx.refused(
        "rate with a 1 MiB body",
        fx.raw(c1, &rate(&t.served), huge_body(json!({"level": 5})))
            .await,
        413,
        "body_too_large",
    )
    .await;
    // Tickets not served, each asked by the clerk holding its counter (if it had one).
    for (state, who, ticket) in [
        ("waiting", c1, &t.waiting_d),
        ("cancelled while waiting", c1, &t.cancelled),
        ("called", c1, &t.called),
        ("absent", c1, &t.absent),
        ("serving", c2, &t.serving),
    ] {
        fx.refused(
            &format!("rate a {state} ticket"),
            who.post(&rate(ticket), json!({"level": 5})).await,
            409,
            "ticket_not_served",
        )
        .await;
    }
    for level in [5, 1] {
        fx.refused(
            &format!("rate the rated ticket again ({level})"),
            c1.post(&rate(&t.rated), json!({"level": level})).await,
            409,
            "already_rated",
        )
        .await;
    }
    // Served at counter 1: nobody else's tablet rates it.
    for (who, caller) in [
        ("the clerk of counter 2", c2),
        ("the clerk of paused counter 3", c3),
        ("a manager at no counter", m),
    ] {
        fx.refused(
            &format!("{who}: rate a ticket served at counter 1"),
            caller.post(&rate(&t.served), json!({"level": 5})).await,
            403,
            "forbidden",
        )
        .await;
    }
    // Counter 1 finished `rated` after it: its own tablet may not rate `served` either.
    fx.refused(
        "the clerk of counter 1: rate a ticket the counter finished before its last",
        c1.post(&rate(&t.served), json!({"level": 5})).await,
        409,
        "rating_not_allowed",
    )
    .await;
    fx.assert_nothing_changed().await;

    // The served ticket can still be rated by its citizen, once.
    let rate_on_phone = json!({"token": token(&t.served), "level": 3});
    let (status, body) = fx.nobody.post("/api/ratings", rate_on_phone.clone()).await;
    assert_eq!(status, 201, "the citizen rates the served ticket: {body}");
    assert_eq!(body["rating"], 3, "{body}");
    let (status, body) = fx.nobody.post("/api/ratings", rate_on_phone).await;
    assert_eq!(status, 409, "and only once: {body}");
    assert_eq!(error_code(&body), "already_rated", "{body}");
}

// ---------------------------------------------------------------------------------------
// Announcements.

#[tokio::test]
async fn bad_announcement_queries_are_refused() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let n = &fx.nobody;
    for query in [
        "",
        "?code=A012",
        "?counter=3",
        "?code=A012&code=A013&counter=3",
        "?code=A012&counter=3&counter=4",
    ] {
        let path = format!("/api/announcements{query}");
        fx.refused(
            &format!("GET {path}"),
            n.get(&path).await,
            422,
            "invalid_query",
        )
        .await;
    }
    for counter in [
        "99", "0", "5", "1000", "70000", "-1", "abc", "1.0", "", "%20",
    ] {
        let path = format!("/api/announcements?code=A012&counter={counter}");
        fx.refused(
            &format!("GET {path}"),
            n.get(&path).await,
            404,
            "counter_not_found",
        )
        .await;
    }
    for code in [
        "a-1",
        "a012",
        "",
        "A0123456789",
        "A%2012",
        "A%0A12",
        "%C4%90012",
        "A012%3B%20rm",
        "-A012",
        "--help",
    ] {
        let path = format!("/api/announcements?code={code}&counter=3");
        fx.refused(&format!("GET {path}"), n.get(&path).await, 422, "bad_code")
            .await;
    }
    fx.assert_nothing_changed().await;
}

// ---------------------------------------------------------------------------------------
// Sessions, users, devices.

#[tokio::test]
async fn bad_sign_ins_are_refused_and_open_no_session() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let visitor = fx.hall.anonymous();
    for (what, body) in [
        (
            "a wrong password",
            json!({"name": "clerk-1", "password": "not-the-password"}),
        ),
        (
            "another user's password",
            json!({"name": "clerk-1", "password": "clerk-2-secret-pw"}),
        ),
        (
            "an unknown name",
            json!({"name": "nobody-here", "password": "clerk-1-secret-pw"}),
        ),
        (
            "a name in other capitals",
            json!({"name": "CLERK-1", "password": "clerk-1-secret-pw"}),
        ),
        (
            "an empty name and password",
            json!({"name": "", "password": ""}),
        ),
        (
            "an empty password",
            json!({"name": "clerk-1", "password": ""}),
        ),
        (
            "a name of 300 characters",
            json!({"name": "x".repeat(300), "password": "clerk-1-secret-pw"}),
        ),
        (
            "a password of 5000 characters",
            json!({"name": "clerk-1", "password": "p".repeat(5000)}),
        ),
    ] {
        fx.refused(
            &format!("sign in with {what}"),
            visitor.post("/api/session", body).await,
            401,
            "bad_credentials",
        )
        .await;
    }
    for (what, body) in [
        ("no password", json!({"name": "clerk-1"})),
        ("no name", json!({"password": "clerk-1-secret-pw"})),
        (
            "a number for the password",
            json!({"name": "clerk-1", "password": 1234}),
        ),
        (
            "an unknown extra key",
            json!({"name": "clerk-1", "password": "clerk-1-secret-pw", "remember": true}),
        ),
        ("an empty object", json!({})),
    ] {
        fx.refused(
            &format!("sign in with {what}"),
            visitor.post("/api/session", body).await,
            422,
            "invalid_body",
        )
        .await;
    }
    fx.refused(
        "sign in with a cut-off body",
        fx.raw(&visitor, "/api/session", &b"{\"name\": \"clerk-1\""[..])
            .await,
        400,
        "malformed_json",
    )
    .await;
    fx.refused(
        "sign in with a 1 MiB body",
        fx.raw(
            &visitor,
            "/api/session",
            huge_body(json!({"name": "clerk-1", "password": "clerk-1-secret-pw"})),
        )
        .await,
        413,
        "body_too_large",
    )
    .await;
    // None of that signed the visitor in.
    fx.refused(
        "who am I after the failed sign-ins",
        visitor.get("/api/session").await,
        401,
        "unauthenticated",
    )
    .await;
    fx.assert_nothing_changed().await;
}

#[tokio::test]
async fn bad_new_users_and_devices_are_refused_and_nothing_is_half_made() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let a = &fx.admin;
    for (what, body, status, code) in [
        (
            "an unknown role",
            json!({"name": "newbie", "role": "superuser", "password": "tulip ferry granite 88"}),
            422,
            "unknown_role",
        ),
        (
            "a role in capitals",
            json!({"name": "newbie", "role": "Clerk", "password": "tulip ferry granite 88"}),
            422,
            "unknown_role",
        ),
        (
            "a short password",
            json!({"name": "newbie", "role": "clerk", "password": "short"}),
            422,
            "weak_password",
        ),
        (
            "an empty name",
            json!({"name": "", "role": "clerk", "password": "tulip ferry granite 88"}),
            422,
            "bad_name",
        ),
        (
            "a name with spaces at the ends",
            json!({"name": " newbie ", "role": "clerk", "password": "tulip ferry granite 88"}),
            422,
            "bad_name",
        ),
        (
            "a name of 65 characters",
            json!({"name": "n".repeat(65), "role": "clerk", "password": "tulip ferry granite 88"}),
            422,
            "bad_name",
        ),
        (
            "a name with a tab",
            json!({"name": "new\tbie", "role": "clerk", "password": "tulip ferry granite 88"}),
            422,
            "bad_name",
        ),
        (
            "the name of an existing user",
            json!({"name": "clerk-1", "role": "clerk", "password": "tulip ferry granite 88"}),
            409,
            "name_taken",
        ),
        (
            "no role",
            json!({"name": "newbie", "password": "tulip ferry granite 88"}),
            422,
            "invalid_body",
        ),
        (
            "an unknown extra key",
            json!({"name": "newbie", "role": "clerk", "password": "tulip ferry granite 88", "counter": 1}),
            422,
            "invalid_body",
        ),
        (
            "a number for the password",
            json!({"name": "newbie", "role": "clerk", "password": 12345678}),
            422,
            "invalid_body",
        ),
    ] {
        fx.refused(
            &format!("add a user with {what}"),
            a.post("/api/users", body).await,
            status,
            code,
        )
        .await;
    }
    fx.refused(
        "add a user with a cut-off body",
        fx.raw(a, "/api/users", &b"{\"name\""[..]).await,
        400,
        "malformed_json",
    )
    .await;
    fx.refused(
        "add a user with a 1 MiB body",
        fx.raw(
            a,
            "/api/users",
            huge_body(
                json!({"name": "newbie", "role": "clerk", "password": "tulip ferry granite 88"}),
            ),
        )
        .await,
        413,
        "body_too_large",
    )
    .await;
    for (what, body, status, code) in [
        (
            "an unknown kind",
            json!({"name": "kiosk-2", "kind": "toaster"}),
            422,
            "unknown_kind",
        ),
        (
            "a kind in capitals",
            json!({"name": "kiosk-2", "kind": "KIOSK"}),
            422,
            "unknown_kind",
        ),
        (
            "an empty name",
            json!({"name": "", "kind": "kiosk"}),
            422,
            "bad_name",
        ),
        (
            "a name of 65 characters",
            json!({"name": "k".repeat(65), "kind": "kiosk"}),
            422,
            "bad_name",
        ),
        (
            "the name of an existing device",
            json!({"name": "kiosk", "kind": "display"}),
            409,
            "name_taken",
        ),
        ("no kind", json!({"name": "kiosk-2"}), 422, "invalid_body"),
        (
            "an unknown extra key",
            json!({"name": "kiosk-2", "kind": "kiosk", "token": "mine"}),
            422,
            "invalid_body",
        ),
    ] {
        fx.refused(
            &format!("add a device with {what}"),
            a.post("/api/devices", body).await,
            status,
            code,
        )
        .await;
    }
    fx.refused(
        "add a device with a cut-off body",
        fx.raw(a, "/api/devices", &b"{"[..]).await,
        400,
        "malformed_json",
    )
    .await;
    fx.refused(
        "add a device with a 1 MiB body",
        fx.raw(
            a,
            "/api/devices",
            huge_body(json!({"name": "kiosk-2", "kind": "kiosk"})),
        )
        .await,
        413,
        "body_too_large",
    )
    .await;
    fx.assert_nothing_changed().await;

    // Nothing half-made: the names refused above are still free, and the new user can sign in.
    let (status, body) = a
        .post(
            "/api/users",
            json!({"name": "newbie", "role": "clerk", "password": "tulip ferry granite 88"}),
        )
        .await;
    assert_eq!(status, 201, "add newbie: {body}");
    let (status, body) = fx
        .hall
        .anonymous()
        .post(
            "/api/session",
            json!({"name": "newbie", "password": "tulip ferry granite 88"}),
        )
        .await;
    assert_eq!(status, 200, "newbie signs in: {body}");
    let (status, body) = a
        .post("/api/devices", json!({"name": "kiosk-2", "kind": "kiosk"}))
        .await;
    assert_eq!(status, 201, "add kiosk-2: {body}");
    assert!(
        body["token"].as_str().is_some_and(|t| !t.is_empty()),
        "a token: {body}"
    );
}

// ---------------------------------------------------------------------------------------
// Addresses and methods.

#[tokio::test]
async fn unknown_routes_and_wrong_methods_get_json_errors() {
    let mut fx = fixture().await;
    fx.freeze().await;
    // `/` is the home page now (see tests/tests/pages_and_media.rs).
    for path in [
        "/api",
        "/api/nope",
        "/api/services/",
        "/api/service",
        "/api/tickets/1/call/now",
        "/api/counters/1/open/now",
        "/api/ratings/1",
        "/api/announcements/A012",
        "/api/announcement",
        "/ws",
        "/ws/counters",
        "/healthz/deep",
    ] {
        fx.refused(
            &format!("GET {path}"),
            fx.nobody.get(path).await,
            404,
            "no_route",
        )
        .await;
        fx.refused(
            &format!("POST {path}"),
            fx.kiosk.post(path, json!({"service": "A"})).await,
            404,
            "no_route",
        )
        .await;
    }
    let h = &fx.hall;
    for (method, path) in [
        (Method::POST, "/api/services"),
        (Method::DELETE, "/api/tickets"),
        (Method::PUT, "/api/tickets"),
        (
            Method::DELETE,
            format!("/api/tickets/{}", token(&fx.t.waiting_d)).leak() as &str,
        ),
        (Method::GET, "/api/tickets/1/call"),
        (Method::DELETE, "/api/tickets/1/cancel"),
        (Method::GET, "/api/ratings"),
        (
            Method::POST,
            format!("/api/tickets/{}/qr.svg", token(&fx.t.waiting_d)).leak() as &str,
        ),
        (
            Method::DELETE,
            format!("/api/tickets/{}/qr.svg", token(&fx.t.waiting_d)).leak() as &str,
        ),
        (Method::GET, "/api/tickets/1/rate"),
        (Method::POST, "/api/announcements?code=A012&counter=1"),
        (Method::DELETE, "/api/announcements"),
        (Method::DELETE, "/api/counters"),
        (Method::PATCH, "/api/counters/1"),
        (Method::GET, "/api/counters/1/open"),
        (Method::PUT, "/api/session"),
        (Method::DELETE, "/api/users"),
        (Method::DELETE, "/api/devices"),
        (Method::POST, "/api/openapi.json"),
        (Method::POST, "/healthz"),
        (Method::DELETE, "/metrics"),
        (Method::POST, "/ws/hall"),
    ] {
        fx.refused(
            &format!("{method} {path}"),
            request(h, method.clone(), path).await,
            405,
            "method_not_allowed",
        )
        .await;
    }
    fx.assert_nothing_changed().await;
}

#[tokio::test]
async fn bad_ticket_list_filters_are_refused() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let m = &fx.manager;
    for (query, code) in [
        ("status=lost", "unknown_status"),
        ("status=WAITING", "unknown_status"),
        ("status=", "unknown_status"),
        ("service=Z", "unknown_service"),
        ("service=a", "unknown_service"),
        ("service=", "unknown_service"),
        ("status=waiting&service=Z", "unknown_service"),
        ("status=%FF", "unknown_status"),
        ("service=%C3", "unknown_service"),
    ] {
        let path = format!("/api/tickets?{query}");
        fx.refused(&format!("GET {path}"), m.get(&path).await, 422, code)
            .await;
    }
    fx.assert_nothing_changed().await;
}

#[tokio::test]
async fn an_undecodable_ticket_list_query_gets_a_json_error() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let mut wrong = Vec::new();
    for query in [
        "status=waiting&status=called",
        "service=A&service=B",
        "status=waiting&service=A&status=waiting",
    ] {
        let path = format!("/api/tickets?{query}");
        let (status, body) = fx.manager.get(&path).await;
        let json_error = body["error"]["code"].is_string() && body["error"]["message"].is_string();
        if !matches!(status, 400 | 422) || !json_error {
            wrong.push(format!(
                "- GET {path}: expected a 400 or 422 with the JSON error body, got {status} {body}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "undecodable queries:\n{}",
        wrong.join("\n")
    );
    fx.assert_nothing_changed().await;
}

#[tokio::test]
async fn bad_websocket_addresses_are_refused_with_json_errors() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let h = &fx.hall;
    for no in ["99", "0", "abc"] {
        let path = format!("/ws/counters/{no}");
        fx.refused(
            &format!("WS {path}"),
            ws(h, &path).await,
            404,
            "counter_not_found",
        )
        .await;
    }
    let real = token(&fx.t.called);
    for bad_token in ["nope".to_owned(), "0".repeat(32), real.to_uppercase()] {
        let path = format!("/ws/tickets/{bad_token}");
        fx.refused(
            &format!("WS {path}"),
            ws(h, &path).await,
            404,
            "ticket_not_found",
        )
        .await;
    }
    fx.assert_nothing_changed().await;
}

#[tokio::test]
async fn a_websocket_address_asked_without_an_upgrade_gets_a_json_error() {
    let mut fx = fixture().await;
    fx.freeze().await;
    for path in [
        "/ws/hall".to_owned(),
        "/ws/counters/1".to_owned(),
        format!("/ws/tickets/{}", token(&fx.t.called)),
    ] {
        fx.refused(
            &format!("a plain GET {path}"),
            fx.nobody.get(&path).await,
            400,
            "not_a_websocket",
        )
        .await;
    }
    fx.assert_nothing_changed().await;
}

#[tokio::test]
async fn a_body_that_is_not_declared_json_is_unsupported_on_every_endpoint_that_reads_one() {
    let mut fx = fixture().await;
    fx.freeze().await;
    let served = token(&fx.t.served);
    let cases: Vec<(&Client, String, Value)> = vec![
        (&fx.kiosk, "/api/tickets".into(), json!({"service": "A"})),
        (
            &fx.clerk1,
            format!("/api/tickets/{}/recall", id(&fx.t.called)),
            json!({}),
        ),
        (
            &fx.nobody,
            "/api/ratings".into(),
            json!({"token": served, "level": 5}),
        ),
        (
            &fx.clerk1,
            format!("/api/tickets/{}/rate", id(&fx.t.served)),
            json!({"level": 5}),
        ),
        (&fx.clerk1, "/api/counters/1/close".into(), json!({})),
        (&fx.clerk3, "/api/counters/3/resume".into(), json!({})),
        (
            &fx.nobody,
            "/api/session".into(),
            json!({"name": "clerk-1", "password": "clerk-1-secret-pw"}),
        ),
        (
            &fx.admin,
            "/api/users".into(),
            json!({"name": "newbie", "role": "clerk", "password": "tulip ferry granite 88"}),
        ),
        (
            &fx.admin,
            "/api/devices".into(),
            json!({"name": "kiosk-2", "kind": "kiosk"}),
        ),
    ];
    for (who, path, body) in &cases {
        let bytes = serde_json::to_vec(body).expect("JSON");
        for content_type in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/jsonp",
            "multipart/form-data",
        ] {
            fx.refused(
                &format!("POST {path} as {content_type}"),
                who.post_raw(path, content_type, bytes.clone()).await,
                415,
                "unsupported_media_type",
            )
            .await;
        }
    }
    fx.assert_nothing_changed().await;
}
