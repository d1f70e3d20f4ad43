//! What a browser on the hall's network may do with a clerk's session, and what every
//! answer tells the browser (issue 12, "Browser and data"):
//! - a page on another port of the same host could post with the staff cookie (the cookie
//!   is `SameSite=Strict`, but ports do not make another site): now refused, 403
//!   `cross_origin`, in a real Chromium and by hand-made requests;
//! - there were no security headers, so the console could be framed: now every page and
//!   answer, errors and fallbacks included, carries them on both servers, and no page of
//!   ours breaks its own Content-Security-Policy (checked in Chromium, page by page, with
//!   a screenshot of each).

use motcua_domain::{DeviceKind, Role};
use motcua_store::clock::ManualClock;
use motcua_tests::browser::Browser;
use motcua_tests::{TestCity, TestHall, error_code, opening_time};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A browser-like client signed in as `name` (made by `TestHall::staff`), which can set
/// the headers a browser would (`Origin`, `Sec-Fetch-Site`).
async fn signed_in(base: &str, name: &str) -> reqwest::Client {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let resp = http
        .post(format!("{base}/api/session"))
        .json(&json!({"name": name, "password": format!("{name}-secret-pw")}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status().as_u16(), 200, "{name} signs in");
    http
}

async fn answer(resp: reqwest::Response) -> (u16, HeaderMap, Value) {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, headers, body)
}

async fn counter_state(hall: &TestHall, no: u16) -> String {
    let (status, body) = hall.anonymous().get(&format!("/api/counters/{no}")).await;
    assert_eq!(status, 200, "{body}");
    body["counter"]["state"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Another port on the same host: the same site, another origin.
fn neighbour(hall: &TestHall) -> String {
    let port: u16 = hall
        .base
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    format!("http://127.0.0.1:{}", port.wrapping_add(1).max(1024))
}

#[tokio::test]
async fn a_clerks_change_from_another_origin_is_refused_and_changes_nothing() {
    let hall = TestHall::start().await;
    let _account = hall.staff("lan", Role::Clerk).await;
    let clerk = signed_in(&hall.base, "lan").await;
    let open = hall.url("/api/counters/1/open");
    let other = neighbour(&hall);

    for (what, header, value) in [
        ("an Origin on another port", "origin", other.as_str()),
        (
            "an Origin of another scheme",
            "origin",
            &hall.base.replacen("http", "https", 1),
        ),
        ("an opaque Origin", "origin", "null"),
        ("Sec-Fetch-Site same-site", "sec-fetch-site", "same-site"),
        ("Sec-Fetch-Site cross-site", "sec-fetch-site", "cross-site"),
    ] {
        let (status, headers, body) = answer(
            clerk
                .post(&open)
                .header(header, value)
                .send()
                .await
                .expect("post"),
        )
        .await;
        assert_eq!(status, 403, "{what}: {body}");
        assert_eq!(error_code(&body), "cross_origin", "{what}: {body}");
        assert!(
            headers.contains_key("content-security-policy"),
            "{what}: the refusal carries the headers too"
        );
        assert_eq!(
            counter_state(&hall, 1).await,
            "closed",
            "{what}: nothing opened"
        );
    }

    // The clerk's own pages: their origin, or the browser saying so.
    let (status, _, body) = answer(
        clerk
            .post(&open)
            .header("origin", &hall.base)
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(status, 200, "from the hall's own origin: {body}");
    assert_eq!(counter_state(&hall, 1).await, "open");
    let (status, _, body) = answer(
        clerk
            .post(hall.url("/api/counters/1/pause"))
            .header("sec-fetch-site", "same-origin")
            .json(&json!({"reason": "lunch"}))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(status, 200, "Sec-Fetch-Site same-origin: {body}");
}

#[tokio::test]
async fn the_api_document_says_every_change_may_be_refused_as_cross_origin() {
    let hall = TestHall::start().await;
    let (status, document) = hall.anonymous().get("/api/openapi.json").await;
    assert_eq!(status, 200);
    let paths = document["paths"].as_object().expect("paths");
    let mut changes = 0;
    for (path, item) in paths {
        for method in ["post", "put", "patch", "delete"] {
            let Some(operation) = item.get(method) else {
                continue;
            };
            changes += 1;
            let refusal = operation["responses"]["403"]["description"]
                .as_str()
                .unwrap_or_default();
            assert!(
                refusal.contains("cross_origin"),
                "{method} {path}: 403 {refusal:?}"
            );
        }
    }
    assert!(changes > 10, "{changes} changes documented");
}

#[tokio::test]
async fn signing_in_from_another_origin_is_refused_and_sets_no_cookie() {
    let hall = TestHall::start().await;
    let _account = hall.staff("lan", Role::Clerk).await;
    let resp = reqwest::Client::new()
        .post(hall.url("/api/session"))
        .header("origin", neighbour(&hall))
        .json(&json!({"name": "lan", "password": "lan-secret-pw"}))
        .send()
        .await
        .expect("post");
    let (status, headers, body) = answer(resp).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(error_code(&body), "cross_origin", "{body}");
    assert!(
        !headers.contains_key("set-cookie"),
        "no session: {headers:?}"
    );
}

#[tokio::test]
async fn devices_and_phones_without_the_cookie_are_not_affected_by_the_origin() {
    let hall = TestHall::start().await;
    let kiosk = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let resp = reqwest::Client::new()
        .post(hall.url("/api/tickets"))
        .bearer_auth(kiosk)
        .header("origin", "http://elsewhere.example")
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"service": "A", "priority": "none"}))
        .send()
        .await
        .expect("post");
    let (status, _, body) = answer(resp).await;
    assert_eq!(
        status, 201,
        "a kiosk's token is no ambient credential: {body}"
    );
}

#[tokio::test]
async fn a_websocket_opened_with_the_cookie_from_another_origin_is_refused() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let hall = TestHall::start().await;
    let _account = hall.staff("lan", Role::Clerk).await;
    let resp = reqwest::Client::new()
        .post(hall.url("/api/session"))
        .json(&json!({"name": "lan", "password": "lan-secret-pw"}))
        .send()
        .await
        .expect("sign in");
    let cookie = resp
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned();
    let open = |origin: String| {
        let mut req = format!("{}/ws/counters/1", hall.ws_base)
            .into_client_request()
            .expect("request");
        req.headers_mut()
            .insert("cookie", cookie.parse().expect("header"));
        req.headers_mut()
            .insert("origin", origin.parse().expect("header"));
        tokio_tungstenite::connect_async(req)
    };
    match open(neighbour(&hall)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status().as_u16(), 403)
        }
        Err(e) => panic!("refused with 403, not {e}"),
        Ok(_) => panic!("a page on another port opened the clerk's feed"),
    }
    let (_socket, _) = open(hall.base.clone())
        .await
        .expect("the console's own page");
}

/// A tiny web server on another port of the same host: every request gets `page`.
async fn serve_page(page: String, csp: Option<&'static str>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            let page = page.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 8192];
                let _ = tcp.read(&mut buf).await;
                let policy = csp.map_or(String::new(), |c| {
                    format!("Content-Security-Policy: {c}\r\n")
                });
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n{policy}\
                     Content-Length: {}\r\nConnection: close\r\n\r\n",
                    page.len()
                );
                let _ = tcp.write_all(head.as_bytes()).await;
                let _ = tcp.write_all(page.as_bytes()).await;
                let _ = tcp.shutdown().await;
            });
        }
    });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_on_another_port_cannot_use_the_clerks_session_in_chromium() {
    let hall = TestHall::start().await;
    let _account = hall.staff("lan", Role::Clerk).await;
    let browser = Browser::open(1280, 800).await;
    browser.goto(&hall.url("/counter/")).await;
    browser
        .wait_for("the login form", "document.body.dataset.view === 'login'")
        .await;
    browser.type_into("#login-name", "lan").await;
    browser.type_into("#login-password", "lan-secret-pw").await;
    browser.click("button[data-action='login']").await;
    browser
        .wait_for("signed in", "document.body.dataset.view === 'choose'")
        .await;

    // The clerk then opens a page served on another port of the hall's host: it posts
    // to the hall with the clerk's cookie (same site), as a form and as a fetch.
    let target = hall.url("/api/counters/1/open");
    let attack = format!(
        "<!doctype html><title>…</title><form id=f method=post action='{target}'></form>\
         <script>fetch('{target}', {{method: 'POST', mode: 'no-cors', credentials: 'include'}})\
         .then(() => document.title = 'sent', () => document.title = 'failed');</script>"
    );
    let evil = serve_page(attack, None).await;
    assert_ne!(evil, hall.base);
    browser.goto(&evil).await;
    browser
        .wait_for(
            "the fetch sent",
            "document.title === 'sent' || document.title === 'failed'",
        )
        .await;
    assert_eq!(
        counter_state(&hall, 1).await,
        "closed",
        "the neighbour's fetch opened the clerk's counter"
    );
    browser.eval("document.getElementById('f').submit()").await;
    browser
        .wait_for(
            "the form posted",
            "location.href.includes('/api/counters/1/open')",
        )
        .await;
    let shown = browser
        .wait_for("the refusal", "document.body.innerText")
        .await;
    assert!(
        shown.as_str().unwrap_or_default().contains("cross_origin"),
        "the form's post is refused: {shown}"
    );
    assert_eq!(
        counter_state(&hall, 1).await,
        "closed",
        "the neighbour's form opened the clerk's counter"
    );

    // The clerk's own console still works in the same browser.
    browser.goto(&hall.url("/counter/")).await;
    browser
        .wait_for(
            "the counter choice",
            "document.body.dataset.view === 'choose'",
        )
        .await;
    browser
        .eval("(function(){ const s = document.getElementById('counter-select'); s.value = '1'; s.dispatchEvent(new Event('change')); return true; })()")
        .await;
    browser.click("button[data-action='open']").await;
    browser
        .wait_for("the work view", "document.body.dataset.view === 'work'")
        .await;
    assert_eq!(counter_state(&hall, 1).await, "open");
    browser.close().await;
}

/// What every answer must carry.
fn assert_guarded(what: &str, headers: &HeaderMap) {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = get("content-security-policy");
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(part), "{what}: CSP lacks {part:?}: {csp:?}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(get("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(get("cross-origin-opener-policy"), "same-origin", "{what}");
    let permissions = get("permissions-policy");
    for feature in ["camera=()", "microphone=()", "geolocation=()"] {
        assert!(permissions.contains(feature), "{what}: {permissions:?}");
    }
}

#[tokio::test]
async fn every_page_and_answer_of_both_servers_carries_the_security_headers() {
    let clock = ManualClock::starting_at(opening_time());
    let hall = TestHall::start_with_clock(Default::default(), clock.clone()).await;
    let city = TestCity::start(clock).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    let phone = ticket["url"].as_str().expect("url").to_owned();
    let _manager = hall.staff("lan", Role::Manager).await;
    let manager = signed_in(&hall.base, "lan").await;
    let http = reqwest::Client::new();

    let hall_gets = [
        "/",
        "/home.css",
        "/kiosk/",
        "/display/",
        "/counter/",
        "/book/",
        "/dashboard/",
        "/phone/phone.js",
        "/t/not-a-ticket",
        "/no-such-page",
        "/kiosk/no-such-file.js",
        "/api/services",
        "/api/no-such-thing",
        "/api/counters/1/open",
        "/api/stats/now",
        "/healthz",
    ];
    for path in hall_gets {
        let resp = http.get(hall.url(path)).send().await.expect("get");
        let (status, headers, _) = answer(resp).await;
        assert_guarded(&format!("hall GET {path} ({status})"), &headers);
        if path.starts_with("/api/") {
            assert_eq!(
                headers.get("cache-control").and_then(|v| v.to_str().ok()),
                Some("no-store"),
                "GET {path}: an API answer is not kept"
            );
        }
    }
    let (_, headers, _) = answer(http.get(&phone).send().await.expect("get")).await;
    assert_guarded("the phone page", &headers);
    let (status, headers, _) = answer(
        manager
            .get(hall.url("/api/stats/now"))
            .send()
            .await
            .expect("get"),
    )
    .await;
    assert_eq!(status, 200);
    assert_guarded("the manager's figures", &headers);
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "what a signed-in manager reads is not kept"
    );
    let (status, headers, _) = answer(
        http.post(hall.url("/api/session"))
            .json(&json!({"name": "lan", "password": "wrong"}))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(status, 401);
    assert_guarded("a refused sign-in", &headers);

    for path in [
        "/city/",
        "/shared/api.js",
        "/dashboard/format.js",
        "/no-such-page",
        "/api/city/halls",
        "/healthz",
    ] {
        let resp = http
            .get(format!("{}{path}", city.base))
            .send()
            .await
            .expect("get");
        let (status, headers, _) = answer(resp).await;
        assert_guarded(&format!("city GET {path} ({status})"), &headers);
    }
}

/// Every CSP violation the page has had since it loaded (Chromium keeps them for a
/// `buffered` ReportingObserver), plus any a listener heard since [`listen`].
async fn violations(browser: &Browser) -> Vec<String> {
    let found = browser
        .eval(
            "(function(){ \
               const o = new ReportingObserver(() => {}, {types: ['csp-violation'], buffered: true}); \
               o.observe(); const r = o.takeRecords(); o.disconnect(); \
               return r.map((x) => `${x.body.effectiveDirective} ${x.body.blockedURL} ${x.body.sourceFile || ''}:${x.body.lineNumber || ''}`) \
                 .concat(window.__violations || []); })()",
        )
        .await;
    serde_json::from_value(found).expect("a list")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_page_breaks_its_own_content_security_policy_in_chromium() {
    // The check itself sees a violation when there is one.
    let broken = serve_page(
        "<!doctype html><style>body{color:red}</style><p style='color:blue'>x</p>\
         <script>document.title='ran'</script>"
            .to_owned(),
        Some("default-src 'self'; script-src 'self'; style-src 'self'"),
    )
    .await;
    let browser = Browser::open(1280, 800).await;
    browser.goto(&broken).await;
    let seen = violations(&browser).await;
    assert!(
        seen.len() >= 2,
        "inline script and style on a page that forbids them are reported: {seen:?}"
    );

    let clock = ManualClock::starting_at(opening_time());
    let hall = TestHall::start_with_clock(Default::default(), clock.clone()).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let kiosk_token = hall.device_token("kiosk-2", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    let _manager = hall.staff("quanly", Role::Manager).await;
    let ticket = kiosk.issue("A", "none").await;
    let phone = ticket["url"].as_str().expect("url").to_owned();

    // (address, what shows when it has drawn itself, a screenshot's name)
    let pages = [
        (hall.url("/"), "document.querySelector('h1')", "home"),
        (
            hall.url(&format!("/kiosk/?token={kiosk_token}")),
            "document.querySelector(\"button[data-field='A']\")",
            "kiosk",
        ),
        (
            hall.url("/display/"),
            "document.body.dataset.connected === 'true'",
            "display-hall",
        ),
        (
            hall.url("/display/?counter=1"),
            "document.body.dataset.connected === 'true'",
            "display-counter",
        ),
        (
            hall.url("/counter/"),
            "document.body.dataset.view === 'login'",
            "console-login",
        ),
        (
            hall.url("/counter/rating.html?counter=1"),
            "document.body.dataset.view",
            "rating-tablet",
        ),
        (
            hall.url("/dashboard/"),
            "document.body.dataset.view === 'login'",
            "dashboard-login",
        ),
        (phone, "document.body.dataset.status === 'waiting'", "phone"),
        (
            hall.url("/book/"),
            "document.body.dataset.step === 'fields'",
            "book",
        ),
        (
            hall.url("/t/not-a-ticket"),
            "document.querySelector('h1')",
            "phone-not-found",
        ),
        (
            hall.url("/kiosk/no-such-page.html"),
            "document.querySelector('h1')",
            "not-found",
        ),
    ];
    for (url, drawn, name) in pages {
        browser.goto(&url).await;
        browser.wait_for(name, drawn).await;
        browser.screenshot(&format!("csp-{name}")).await;
        let seen = violations(&browser).await;
        assert!(seen.is_empty(), "{name} ({url}) breaks its CSP: {seen:?}");
    }

    // The signed-in views draw more (charts, swatches): the dashboard, then the console.
    browser.goto(&hall.url("/dashboard/")).await;
    browser
        .wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    browser.type_into("#login-name", "quanly").await;
    browser
        .type_into("#login-password", "quanly-secret-pw")
        .await;
    browser.click("button[data-action='login']").await;
    browser
        .wait_for("the dashboard", "document.body.dataset.view === 'dash'")
        .await;
    browser.screenshot("csp-dashboard-now").await;
    browser.click(".tabs button[data-tab='history']").await;
    browser
        .wait_for("today's figures", "document.body.dataset.hist === 'ready'")
        .await;
    browser.screenshot("csp-dashboard-history").await;
    let seen = violations(&browser).await;
    assert!(seen.is_empty(), "the dashboard breaks its CSP: {seen:?}");
    let report = browser
        .eval("document.getElementById('report-link').href")
        .await;
    browser
        .goto(report.as_str().expect("the report link"))
        .await;
    browser
        .wait_for("the report", "document.body.dataset.state === 'ready'")
        .await;
    browser.screenshot("csp-report").await;
    let seen = violations(&browser).await;
    assert!(seen.is_empty(), "the report breaks its CSP: {seen:?}");
    browser.close().await;

    let city = TestCity::start(hall.clock.clone()).await;
    let _office = city.staff("thanhpho", Role::Manager).await;
    let browser = Browser::open(1920, 1080).await;
    browser.goto(&format!("{}/city/", city.base)).await;
    browser
        .wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    browser.type_into("#login-name", "thanhpho").await;
    browser
        .type_into("#login-password", "thanhpho-secret-pw")
        .await;
    browser.click("button[data-action='login']").await;
    browser
        .wait_for(
            "the city's figures",
            "document.body.dataset.view === 'dash' && document.body.dataset.city === 'ready'",
        )
        .await;
    browser.screenshot("csp-city").await;
    let seen = violations(&browser).await;
    assert!(seen.is_empty(), "the city's page breaks its CSP: {seen:?}");
    browser.close().await;
}
