//! The hall's OpenAPI document (generated from the handlers' types and `#[utoipa::path]`s,
//! served at `GET /api/openapi.json`) against the running router: every documented
//! operation is answered, with a documented status and a body that fits the documented
//! schema; what the router serves beyond it is refused; the pages call only documented
//! addresses; and the document is valid OpenAPI 3.1.

use motcua_domain::{DeviceKind, Role};
use motcua_tests::openapi::{Document, concrete, path_matches};
use motcua_tests::{Socket, TestHall, error_code, next_json};
use reqwest::Method;
use serde_json::{Value, json};
use std::cell::RefCell;
use std::collections::BTreeSet;

/// The document as the hall serves it.
async fn served(hall: &TestHall) -> Document {
    let (status, document) = hall.anonymous().get("/api/openapi.json").await;
    assert_eq!(status, 200, "GET /api/openapi.json: {document}");
    Document(document)
}

/// A raw request with no credentials: status and body (JSON, text, or null when empty).
async fn ask(hall: &TestHall, method: &str, path: &str) -> (u16, Value) {
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("a method");
    let mut request = reqwest::Client::new().request(method.clone(), hall.url(path));
    if method == Method::POST {
        request = request.json(&json!({}));
    }
    let answer = request.send().await.expect("request");
    let status = answer.status().as_u16();
    let text = answer.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// A value for each path parameter: one that reaches the handler (a counter that exists, a
/// well-formed token of no ticket).
fn sample(parameter: &str) -> String {
    match parameter {
        "token" => "0".repeat(32),
        _ => "1".to_owned(),
    }
}

#[tokio::test]
async fn the_hall_serves_a_valid_openapi_3_1_document_made_from_its_handlers() {
    let hall = TestHall::start().await;
    let document = served(&hall).await;
    let spec = &document.0;
    let version = spec["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1"), "openapi is 3.1.x: {version:?}");
    // A typed reading of the whole document: every object where OpenAPI 3.1 wants it.
    let parsed = oas3::from_json(spec.to_string()).expect("the document reads as OpenAPI 3.1");
    assert_eq!(parsed.info.title, "motcua");
    assert_eq!(parsed.info.version, env!("CARGO_PKG_VERSION"));
    let description = parsed.info.description.unwrap_or_default();
    assert!(
        description.contains("xếp hàng") && description.contains("queue"),
        "the description is in Vietnamese and English: {description}"
    );
    let schemes = &spec["components"]["securitySchemes"];
    assert_eq!(
        schemes["session"]["in"], "cookie",
        "staff: the session cookie"
    );
    assert_eq!(
        schemes["device"]["scheme"], "bearer",
        "devices: a bearer token"
    );
    let tags: BTreeSet<String> = parsed.tags.iter().map(|t| t.name.clone()).collect();
    for area in [
        "kiosk", "counter", "display", "phone", "manager", "admin", "devices",
    ] {
        assert!(
            tags.contains(area),
            "the document has the tag {area}: {tags:?}"
        );
    }
    // Every operation is filed under one of those areas.
    for (path, methods) in document.routes() {
        for method in methods {
            let op = document.operation(&method, &path).expect("the operation");
            let own: Vec<&str> = op["tags"]
                .as_array()
                .map(|t| t.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            assert!(
                !own.is_empty() && own.iter().all(|t| tags.contains(*t)),
                "{method} {path} is tagged with the document's areas: {own:?}"
            );
        }
    }
    assert_eq!(
        spec,
        &serde_json::to_value(motcua_hall::http::openapi_document()).expect("JSON"),
        "the server serves the document its routes make"
    );
}

#[tokio::test]
async fn every_documented_operation_is_answered_with_a_documented_status_and_shape() {
    let hall = TestHall::start().await;
    let document = served(&hall).await;
    let routes = document.routes();
    assert!(routes.len() >= 30, "the document has the API: {routes:?}");
    let mut wrong = Vec::new();
    for (path, methods) in &routes {
        for method in methods {
            let address = concrete(path, sample);
            let (status, body) = ask(&hall, method, &address).await;
            let what = format!("{} {address}", method.to_uppercase());
            if status == 405 || (status == 404 && error_code(&body) == "no_route") {
                wrong.push(format!(
                    "- {what}: the router does not serve it ({status} {body})"
                ));
                continue;
            }
            wrong.extend(
                document
                    .check_answer(method, path, status, &body)
                    .into_iter()
                    .map(|m| format!("- {m}")),
            );
        }
    }
    assert!(
        wrong.is_empty(),
        "the document and the router disagree:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn methods_the_document_leaves_out_are_not_served() {
    let hall = TestHall::start().await;
    let document = served(&hall).await;
    let mut served_anyway = Vec::new();
    for (path, methods) in document.routes() {
        for method in ["get", "post", "put", "delete", "patch"] {
            if methods.contains(method) {
                continue;
            }
            let address = concrete(&path, sample);
            let (status, body) = ask(&hall, method, &address).await;
            if status != 405 {
                served_anyway.push(format!(
                    "- {} {address}: {status} {body}",
                    method.to_uppercase()
                ));
            }
        }
    }
    assert!(
        served_anyway.is_empty(),
        "undocumented methods answered other than 405:\n{}",
        served_anyway.join("\n")
    );
}

#[tokio::test]
async fn an_action_no_route_names_is_an_unknown_action_not_a_documented_one() {
    let hall = TestHall::start().await;
    let document = served(&hall).await;
    let clerk = hall.clerk_at("clerk", 1).await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    let id = ticket["id"].as_i64().expect("id");
    for path in [
        format!("/api/tickets/{id}/explode"),
        "/api/counters/1/explode".to_owned(),
    ] {
        let (status, body) = clerk.post(&path, json!({})).await;
        assert_eq!(
            (status, error_code(&body)),
            (404, "unknown_action"),
            "{path}: {body}"
        );
        assert!(
            !document
                .routes()
                .keys()
                .any(|route| path_matches(route, &path)),
            "{path} is not in the document"
        );
    }
}

/// Every `/api/...` and `/ws/...` address written in the pages' scripts, with each
/// `${...}` as a `*` segment and the query left out.
fn addresses_in_pages() -> BTreeSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = BTreeSet::new();
    for app in [
        "kiosk-web",
        "counter-web",
        "display-web",
        "phone-web",
        "book-web",
        "dashboard-web",
    ] {
        let mut dirs = vec![root.join(app)];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("read a page folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let ext = path
                    .extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or_default();
                if !["js", "html"].contains(&ext) {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("read a page");
                for quote in ['\'', '"', '`'] {
                    for piece in text.split(quote).skip(1).step_by(2) {
                        if !(piece.starts_with("/api/") || piece.starts_with("/ws/"))
                            || piece.contains(' ')
                        {
                            continue;
                        }
                        let piece = piece.split('?').next().unwrap_or_default();
                        let mut address = String::new();
                        let mut rest = piece;
                        while let Some(at) = rest.find("${") {
                            address.push_str(&rest[..at]);
                            address.push('*');
                            rest = rest[at..].split_once('}').map_or("", |(_, r)| r);
                        }
                        address.push_str(rest);
                        found.insert(address);
                    }
                }
            }
        }
    }
    found
}

#[tokio::test]
async fn the_pages_call_only_documented_addresses() {
    let hall = TestHall::start().await;
    let document = served(&hall).await;
    let routes = document.routes();
    let addresses = addresses_in_pages();
    assert!(
        addresses.contains("/api/counters/*/call-next") && addresses.contains("/ws/hall"),
        "the pages' addresses are read: {addresses:?}"
    );
    let fits = |route: &str, address: &str| {
        let (a, b): (Vec<&str>, Vec<&str>) =
            (route.split('/').collect(), address.split('/').collect());
        a.len() == b.len()
            && a.iter()
                .zip(&b)
                .all(|(r, p)| *p == "*" || r == p || (r.starts_with('{') && !p.is_empty()))
    };
    let unknown: Vec<&String> = addresses
        .iter()
        .filter(|address| {
            // A prefix the page completes itself (`/api/tickets/` + token) is no address.
            !address.ends_with('/') && !routes.keys().any(|route| fits(route, address))
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "the pages call undocumented addresses: {unknown:?}"
    );
}

#[tokio::test]
async fn every_operation_declares_its_path_parameters_and_responses() {
    let hall = TestHall::start().await;
    let document = served(&hall).await;
    let mut operation_ids = BTreeSet::new();
    for (path, methods) in document.routes() {
        let in_path: BTreeSet<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_owned)
            .collect();
        for method in methods {
            let what = format!("{} {path}", method.to_uppercase());
            let operation = document.operation(&method, &path).expect("operation");
            let mut declared = BTreeSet::new();
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let parameter = document.resolve(parameter);
                if parameter["in"] == "path" {
                    assert_eq!(
                        parameter["required"], true,
                        "{what}: path parameter {} is required",
                        parameter["name"]
                    );
                    declared.insert(parameter["name"].as_str().unwrap_or_default().to_owned());
                }
            }
            assert_eq!(
                declared, in_path,
                "{what}: declared path parameters match the path's"
            );
            assert!(
                !document.statuses(&method, &path).is_empty(),
                "{what} has responses"
            );
            let id = operation["operationId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            assert!(!id.is_empty(), "{what} has an operationId");
            assert!(
                operation_ids.insert(id.clone()),
                "operationId {id} is used twice"
            );
            let description = operation["description"].as_str().unwrap_or_default();
            assert!(
                description.contains("Who may call"),
                "{what} says who may call it"
            );
            // Who must say who they are is declared, and may be told 401 (signing in itself
            // is told 401 for a wrong password).
            let secured = operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty());
            let unauthenticated = document.statuses(&method, &path).contains(&401);
            if path != "/api/session" || method != "post" {
                assert_eq!(
                    secured, unauthenticated,
                    "{what}: a security requirement exactly when 401 is documented"
                );
            }
            // Every refusal has the one error shape.
            for status in document.statuses(&method, &path) {
                if status >= 400 {
                    let schema = document
                        .answer_schema(&method, &path, status)
                        .unwrap_or_else(|| panic!("{what} -> {status} has a JSON body"));
                    assert_eq!(
                        schema["$ref"], "#/components/schemas/ErrorBody",
                        "{what} -> {status} answers the ErrorBody"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn every_json_body_is_a_named_schema_and_every_reference_resolves() {
    let hall = TestHall::start().await;
    let document = served(&hall).await;
    let spec = &document.0;
    let schemas = spec["components"]["schemas"]
        .as_object()
        .expect("component schemas");
    let mut refs = Vec::new();
    collect_refs(spec, "#", &mut refs);
    assert!(
        refs.len() > 50,
        "the document uses its schemas by reference"
    );
    let broken: Vec<String> = refs
        .iter()
        .filter(|(_, target)| {
            target
                .strip_prefix('#')
                .and_then(|pointer| spec.pointer(pointer))
                .is_none()
        })
        .map(|(at, target)| format!("{at} -> {target}"))
        .collect();
    assert!(broken.is_empty(), "references to nothing: {broken:?}");
    // Request bodies and JSON answers name a schema (a Rust type of the server), except
    // the document itself, which is any object.
    let mut anonymous = Vec::new();
    for (path, methods) in document.routes() {
        for method in methods {
            let op = document.operation(&method, &path).expect("operation");
            let mut bodies: Vec<(String, &Value)> = Vec::new();
            if let Some(schema) = op["requestBody"]["content"]["application/json"].get("schema") {
                bodies.push(("request".into(), schema));
            }
            for (status, response) in op["responses"].as_object().into_iter().flatten() {
                if let Some(schema) = response["content"]["application/json"].get("schema") {
                    bodies.push((status.clone(), schema));
                }
            }
            for (which, schema) in bodies {
                let named = schema["$ref"]
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                    .is_some_and(|name| schemas.contains_key(name));
                if !named && path != "/api/openapi.json" {
                    anonymous.push(format!("{method} {path} {which}: {schema}"));
                }
            }
        }
    }
    assert!(
        anonymous.is_empty(),
        "bodies without a named schema: {anonymous:?}"
    );
}

/// Every `$ref` in `value`, with where it was found.
fn collect_refs(value: &Value, at: &str, refs: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                if key == "$ref"
                    && let Some(target) = child.as_str()
                {
                    refs.push((here.clone(), target.to_owned()));
                }
                collect_refs(child, &here, refs);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_refs(child, &format!("{at}/{i}"), refs);
            }
        }
        _ => {}
    }
}

/// Read one frame of `socket` and check it against the frames `ws_path` documents.
async fn frame_fits(document: &Document, ws_path: &str, socket: &mut Socket) -> Value {
    let frame = next_json(socket).await;
    let schema = document
        .answer_schema("get", ws_path, 101)
        .unwrap_or_else(|| panic!("GET {ws_path} documents its frames"));
    let wrong = document.mismatches(schema, &frame, &format!("a frame of {ws_path}"));
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    frame
}

#[tokio::test]
async fn what_the_hall_answers_through_a_day_fits_the_documented_schemas() {
    let hall = TestHall::start().await;
    let document = served(&hall).await;
    let wrong = RefCell::new(Vec::new());
    let check = |method: &str, route: &str, (status, body): (u16, Value), want: u16| {
        assert_eq!(status, want, "{method} {route}: {body}");
        wrong
            .borrow_mut()
            .extend(document.check_answer(method, route, status, &body));
        body
    };
    let frame = |ws_path: &str, frame: &Value| {
        let schema = document
            .answer_schema("get", ws_path, 101)
            .unwrap_or_else(|| panic!("GET {ws_path} documents its frames"));
        wrong.borrow_mut().extend(document.mismatches(
            schema,
            frame,
            &format!("a frame of {ws_path}"),
        ));
    };
    let admin = hall.staff("admin", Role::Admin).await;
    let manager = hall.staff("manager", Role::Manager).await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let display = hall.device("display", DeviceKind::Display);
    let nobody = hall.anonymous();

    let (mut hall_feed, first) = hall.feed("/ws/hall").await;
    frame("/ws/hall", &first);
    check(
        "get",
        "/api/services",
        nobody.get("/api/services").await,
        200,
    );
    check("get", "/healthz", nobody.get("/healthz").await, 200);
    check(
        "get",
        "/api/session",
        display.get("/api/session").await,
        200,
    );
    check("get", "/api/session", admin.get("/api/session").await, 200);
    check(
        "post",
        "/api/users",
        admin
            .post(
                "/api/users",
                json!({"name": "clerk", "role": "clerk", "password": "clerk-secret-pw"}),
            )
            .await,
        201,
    );
    check(
        "post",
        "/api/devices",
        admin
            .post(
                "/api/devices",
                json!({"name": "printer", "kind": "printer", "kiosk": "kiosk"}),
            )
            .await,
        201,
    );
    let clerk = hall.sign_in("clerk").await;
    let at = |path: &str| format!("/api/counters/1/{path}");
    check(
        "post",
        "/api/counters/{no}/open",
        clerk.post(&at("open"), json!({})).await,
        200,
    );
    check("get", "/api/session", clerk.get("/api/session").await, 200);
    check(
        "post",
        "/api/counters/{no}/call-next",
        clerk.post(&at("call-next"), json!({})).await,
        204,
    );
    let (mut counter_feed, first) = hall.feed("/ws/counters/1").await;
    frame("/ws/counters/{no}", &first);

    // A kiosk's ticket (its printer is offline: the print job fails at once) and staff's.
    let a = check(
        "post",
        "/api/tickets",
        kiosk
            .post(
                "/api/tickets",
                json!({"service": "A", "priority": "elderly"}),
            )
            .await,
        201,
    );
    assert!(
        a["print"].is_object(),
        "a kiosk's ticket says how its printing went: {a}"
    );
    let b = check(
        "post",
        "/api/tickets",
        clerk.post("/api/tickets", json!({"service": "A"})).await,
        201,
    );
    let token = a["token"].as_str().expect("token").to_owned();
    let (mut ticket_feed, _) =
        tokio_tungstenite::connect_async(format!("{}/ws/tickets/{token}", hall.ws_base))
            .await
            .expect("the ticket feed");
    frame_fits(&document, "/ws/tickets/{token}", &mut ticket_feed).await;
    frame_fits(&document, "/ws/hall", &mut hall_feed).await;
    check(
        "get",
        "/api/tickets/{token}",
        nobody.get(&format!("/api/tickets/{token}")).await,
        200,
    );
    check(
        "get",
        "/api/tickets",
        clerk.get("/api/tickets?status=waiting").await,
        200,
    );

    // Through the moves of a visit.
    let called = check(
        "post",
        "/api/counters/{no}/call-next",
        clerk.post(&at("call-next"), json!({})).await,
        200,
    );
    assert_eq!(called["id"], a["id"], "the elderly citizen first");
    frame_fits(&document, "/ws/counters/{no}", &mut counter_feed).await;
    frame_fits(&document, "/ws/tickets/{token}", &mut ticket_feed).await;
    let moves = |ticket: &Value, list: Vec<(&'static str, Value)>| {
        let id = ticket["id"].as_i64().expect("id");
        list.into_iter()
            .map(move |(action, body)| (format!("/api/tickets/{id}/{action}"), action, body))
    };
    let c = kiosk.issue("A", "none").await;
    let d = kiosk.issue("A", "none").await;
    let visits = moves(
        &a,
        vec![
            ("recall", json!({})),
            ("start", json!({})),
            ("finish", json!({})),
            ("rate", json!({"level": 4})),
        ],
    )
    .chain(moves(
        &b,
        vec![
            ("call", json!({"counter": 1})),
            ("start", json!({})),
            ("return", json!({})),
            ("call", json!({"counter": 1})),
            ("no-show", json!({})),
        ],
    ))
    .chain(moves(
        &c,
        vec![
            ("call", json!({"counter": 1})),
            ("transfer", json!({"service": "D"})),
        ],
    ))
    .chain(moves(&d, vec![("cancel", json!({}))]));
    for (path, action, body) in visits {
        let route = format!("/api/tickets/{{id}}/{action}");
        check("post", &route, clerk.post(&path, body).await, 200);
    }
    // The citizen's own rating replaces the tablet's, once.
    for want in [201, 409] {
        check(
            "post",
            "/api/ratings",
            nobody
                .post("/api/ratings", json!({"token": token, "level": 5}))
                .await,
            want,
        );
    }
    check(
        "post",
        "/api/counters/{no}/pause",
        clerk.post(&at("pause"), json!({"reason": "lunch"})).await,
        200,
    );
    check(
        "post",
        "/api/counters/{no}/resume",
        clerk.post(&at("resume"), json!({})).await,
        200,
    );
    check(
        "get",
        "/api/counters",
        nobody.get("/api/counters").await,
        200,
    );
    check(
        "get",
        "/api/counters/{no}",
        nobody.get("/api/counters/1").await,
        200,
    );
    check(
        "get",
        "/api/printers",
        manager.get("/api/printers").await,
        200,
    );
    check("get", "/api/stats", manager.get("/api/stats").await, 200);
    check(
        "get",
        "/api/stats/now",
        manager.get("/api/stats/now").await,
        200,
    );
    check("get", "/api/uplink", manager.get("/api/uplink").await, 200);
    check(
        "get",
        "/api/plan",
        manager.get("/api/plan?days=4").await,
        200,
    );
    check(
        "get",
        "/api/plan/check",
        manager.get("/api/plan/check?to=2026-11-25&days=1").await,
        200,
    );
    check(
        "post",
        "/api/counters/{no}/close",
        clerk.post(&at("close"), json!({})).await,
        200,
    );
    check(
        "delete",
        "/api/session",
        clerk.delete("/api/session").await,
        204,
    );
    let wrong = wrong.into_inner();
    assert!(
        wrong.is_empty(),
        "answers that do not fit the document:\n{}",
        wrong.join("\n")
    );
}

#[tokio::test]
async fn the_kiosk_and_printer_feeds_send_the_documented_frames() {
    let hall = TestHall::start().await;
    let document = served(&hall).await;
    let token = hall.device_token("kiosk", DeviceKind::Kiosk);
    let printer = hall.printer("printer", "kiosk");
    let (mut kiosk_feed, _) =
        tokio_tungstenite::connect_async(format!("{}/ws/kiosk?token={token}", hall.ws_base))
            .await
            .expect("the kiosk feed");
    let snapshot = frame_fits(&document, "/ws/kiosk", &mut kiosk_feed).await;
    assert_eq!(snapshot["type"], "snapshot");
    let (mut agent, _) =
        tokio_tungstenite::connect_async(format!("{}/ws/printer?token={printer}", hall.ws_base))
            .await
            .expect("the agent's link");
    let hello = frame_fits(&document, "/ws/printer", &mut agent).await;
    assert_eq!(hello["type"], "hello", "{hello}");
    loop {
        let frame = frame_fits(&document, "/ws/kiosk", &mut kiosk_feed).await;
        if frame["type"] == "printer" && frame["printer"]["connected"] == true {
            break;
        }
    }
    let kiosk = hall.device_with_token(token);
    let ticket = kiosk.issue("A", "none").await;
    assert_eq!(ticket["print"]["status"], "sent", "{ticket}");
    let job = frame_fits(&document, "/ws/printer", &mut agent).await;
    assert_eq!(job["type"], "job", "{job}");
}
