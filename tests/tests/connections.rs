//! Connection hygiene on the real server: caps on connections and WebSockets per client
//! address, the header timeout, WebSocket message caps, and the built-in TLS.
//!
//! Loopback is a whole /8 on Linux: a second "client" connects from 127.0.0.2.

use futures_util::{SinkExt, StreamExt};
use motcua_hall::config::Settings;
use motcua_tests::{TestHall, next_event, until};
use serde_json::json;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{self, Message};

/// A deadline so a broken server fails the test instead of hanging it (not a timing
/// assertion: each wait is for something that happens at once when the server is right).
const HANG: Duration = Duration::from_secs(30);

fn other_client() -> IpAddr {
    "127.0.0.2".parse().unwrap()
}

fn addr_of(hall: &TestHall) -> SocketAddr {
    hall.url("")
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .parse()
        .unwrap()
}

async fn connect_from(from: IpAddr, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(from, 0)).unwrap();
    socket.connect(to).await.unwrap()
}

/// Send a GET on a raw connection and read everything until the server closes it.
async fn get_raw(stream: &mut TcpStream, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: hall\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    read_to_close(stream).await
}

async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(HANG, stream.read_to_end(&mut answer)).await;
    let _ = read.expect("the server closes the connection");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_client_holding_many_idle_connections_is_refused_at_its_cap_while_others_are_served() {
    let mut settings = Settings::default();
    settings.server.max_connections_per_client = 5;
    let hall = TestHall::start_with(settings).await;
    let addr = addr_of(&hall);
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(connect_from("127.0.0.1".parse().unwrap(), addr).await);
    }
    // One more from the same address: a clean 429 in our JSON, then closed.
    let mut sixth = connect_from("127.0.0.1".parse().unwrap(), addr).await;
    let answer = get_raw(&mut sixth, "/healthz").await;
    assert!(answer.starts_with("HTTP/1.1 429"), "{answer}");
    assert!(answer.contains("too_many_connections"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("retry-after"),
        "{answer}"
    );
    // Another address is served meanwhile.
    let other = reqwest::Client::builder()
        .local_address(other_client())
        .build()
        .unwrap();
    let health = other.get(hall.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // The refusal is counted, and once the idle ones go, the address is served again.
    let metrics = other
        .get(hall.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("motcua_connections_refused_total{cap=\"connections_per_client\"} 1"),
        "{metrics}"
    );
    drop(held);
    until("the address's connections are given back", || async {
        let mut again = connect_from("127.0.0.1".parse().unwrap(), addr).await;
        get_raw(&mut again, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    })
    .await;
}

#[tokio::test]
async fn a_slow_client_is_closed_after_the_header_timeout_and_others_are_still_served() {
    let mut settings = Settings::default();
    settings.server.header_timeout_seconds = 1;
    let hall = TestHall::start_with(settings).await;
    let addr = addr_of(&hall);
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut stream = connect_from("127.0.0.1".parse().unwrap(), addr).await;
        // Half a request head, then nothing: a slowloris.
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: hall\r\nX-Slow: ")
            .await
            .unwrap();
        slow.push(stream);
    }
    let health = hall.anonymous().get("/healthz").await;
    assert_eq!(health.0, 200);
    for stream in &mut slow {
        // The server ends the connection by itself: EOF (or a reset), never an answer.
        let answer = read_to_close(stream).await;
        assert!(!answer.contains("200 OK"), "{answer}");
    }
    // A keep-alive connection left idle is closed the same way.
    let mut idle = connect_from("127.0.0.1".parse().unwrap(), addr).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: hall\r\n\r\n")
        .await
        .unwrap();
    let answer = read_to_close(&mut idle).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (status, metrics) = hall
        .anonymous()
        .get_bytes("/metrics")
        .await
        .into_status_text();
    assert_eq!(status, 200);
    let timeouts = metric(
        &metrics,
        "motcua_connections_timed_out_total{timeout=\"header\"}",
    );
    assert!(timeouts >= 20, "{metrics}");
}

trait StatusText {
    fn into_status_text(self) -> (u16, String);
}

impl StatusText for (u16, String, Vec<u8>) {
    fn into_status_text(self) -> (u16, String) {
        (self.0, String::from_utf8(self.2).unwrap())
    }
}

fn metric(text: &str, sample: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(sample))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {sample} in {text}"))
}

async fn ws_from(hall: &TestHall, path: &str, forwarded_for: Option<&str>) -> Result<(), u16> {
    let url = hall.url(path).replacen("http://", "ws://", 1);
    let mut request = url.into_client_request().unwrap();
    if let Some(client) = forwarded_for {
        request
            .headers_mut()
            .insert("x-forwarded-for", client.parse().unwrap());
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => {
            // Kept open for the rest of the test.
            std::mem::forget(socket);
            Ok(())
        }
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn websockets_are_capped_per_client_address_with_phones_counted_apart() {
    let mut settings = Settings::default();
    settings.server.max_websockets_per_client = 3;
    settings.server.max_phone_feeds_per_client = 2;
    let hall = TestHall::start_with(settings).await;
    let kiosk = hall.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    let phone = format!("/ws/tickets/{}", ticket["token"].as_str().unwrap());
    for _ in 0..3 {
        ws_from(&hall, "/ws/hall", None).await.unwrap();
    }
    assert_eq!(ws_from(&hall, "/ws/hall", None).await, Err(429));
    assert_eq!(ws_from(&hall, "/ws/counters/1", None).await, Err(429));
    // Phones behind the same address have their own allowance.
    ws_from(&hall, &phone, None).await.unwrap();
    ws_from(&hall, &phone, None).await.unwrap();
    assert_eq!(ws_from(&hall, &phone, None).await, Err(429));
    // The refusal is our JSON (a plain request shows it).
    let (status, metrics) = hall
        .anonymous()
        .get_bytes("/metrics")
        .await
        .into_status_text();
    assert_eq!(status, 200);
    assert_eq!(metric(&metrics, "motcua_websockets_open"), 5);
    assert_eq!(
        metric(
            &metrics,
            "motcua_connections_refused_total{cap=\"websockets_per_client\"}"
        ),
        3
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_websockets_are_counted_per_forwarded_client() {
    let mut settings = Settings::default();
    settings.server.max_websockets_per_client = 2;
    settings.server.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let hall = TestHall::start_with(settings).await;
    ws_from(&hall, "/ws/hall", Some("192.168.5.10"))
        .await
        .unwrap();
    ws_from(&hall, "/ws/hall", Some("192.168.5.10"))
        .await
        .unwrap();
    assert_eq!(
        ws_from(&hall, "/ws/hall", Some("192.168.5.10")).await,
        Err(429)
    );
    // Another citizen behind the same proxy is not held back by the first.
    ws_from(&hall, "/ws/hall", Some("192.168.5.11"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_closed_websocket_gives_its_place_back() {
    let mut settings = Settings::default();
    settings.server.max_websockets_per_client = 1;
    let hall = TestHall::start_with(settings).await;
    let (socket, _) = hall.feed("/ws/hall").await;
    assert_eq!(ws_from(&hall, "/ws/hall", None).await, Err(429));
    drop(socket);
    until("the closed socket's place is given back", || async {
        ws_from(&hall, "/ws/hall", None).await.is_ok()
    })
    .await;
}

#[tokio::test]
async fn an_oversized_message_on_the_ticket_feed_closes_that_socket_only() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    let path = format!("/ws/tickets/{}", ticket["token"].as_str().unwrap());
    let (mut hostile, _) = hall.feed(&path).await;
    let (mut phone, _) = hall.feed(&path).await;
    let (mut tv, _) = hall.feed("/ws/hall").await;
    hostile
        .send(Message::Text("x".repeat(64 * 1024).into()))
        .await
        .unwrap();
    // The counter opens and calls the ticket: every open feed of it would get frames.
    let clerk = hall.clerk_at("canbo1", 1).await;
    let called = clerk.call_next(1).await.expect("a ticket to call");
    next_event(&mut phone, "called").await;
    next_event(&mut tv, "called").await;
    // The hostile socket got none: it was closed.
    loop {
        let next = tokio::time::timeout(HANG, hostile.next())
            .await
            .expect("the socket is closed, not left open");
        match next {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            Some(Ok(other)) => panic!("the oversized socket still gets frames: {other:?}"),
        }
    }
    // The others carry on.
    let (status, body) = clerk.act(&called, "start", json!({})).await;
    assert_eq!(status, 200, "{body}");
    next_event(&mut phone, "serving").await;
    next_event(&mut tv, "serving").await;
}

/// A certificate authority, and a certificate it signed for `localhost` and `127.0.0.1`,
/// written to `dir`: (the authority's PEM, the certificate's file, its key's file).
fn certificates(dir: &std::path::Path) -> (String, std::path::PathBuf, std::path::PathBuf) {
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "Phường thử — CA");
    let ca = rcgen::CertifiedIssuer::self_signed(ca, rcgen::KeyPair::generate().unwrap()).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let (cert_path, key_path) = (dir.join("motcua.crt"), dir.join("motcua.key"));
    std::fs::write(&cert_path, cert.pem()).unwrap();
    std::fs::write(&key_path, key.serialize_pem()).unwrap();
    (ca.pem(), cert_path, key_path)
}

fn trusting(ca_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap())
        .cookie_store(true)
        .build()
        .unwrap()
}

#[tokio::test]
async fn with_a_certificate_the_hall_serves_https_and_only_https() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path());
    let mut settings = Settings::default();
    settings.server.tls_cert = Some(cert);
    settings.server.tls_key = Some(key);
    // The phones' address follows: https unless set otherwise.
    assert!(
        settings.hall().unwrap().public_url.starts_with("https://"),
        "the default public address is https"
    );
    let hall = TestHall::start_with(settings).await;
    assert!(hall.url("/").starts_with("https://"));
    let client = trusting(&ca);
    let health = client.get(hall.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // A member of staff signs in over it.
    {
        let conn = motcua_store::open_for_admin(hall.data_dir()).unwrap();
        motcua_web::accounts::add_user(
            &conn,
            "quanly",
            motcua_domain::Role::Manager,
            "quanly-secret-pw",
            0,
        )
        .unwrap();
    }
    let signed_in = client
        .post(hall.url("/api/session"))
        .json(&json!({"name": "quanly", "password": "quanly-secret-pw"}))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_in.status(), 200);
    let me = client.get(hall.url("/api/session")).send().await.unwrap();
    assert_eq!(me.status(), 200);
    // Plain HTTP on the same port is not served.
    let plain = reqwest::get(hall.url("/healthz").replacen("https://", "http://", 1)).await;
    assert!(
        plain.map_or(true, |r| r.status() != 200),
        "plain HTTP must not be answered"
    );
}

#[tokio::test]
async fn every_request_read_over_tls_is_marked_so_and_plain_ones_are_not() {
    use axum::routing::get;
    use motcua_web::client::{Https, TrustedProxies};
    use motcua_web::connections::{ConnectionSettings, Connections, serve};
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path());
    let echo = || {
        axum::Router::new()
            .route(
                "/",
                get(|Https(https): Https| async move { if https { "https" } else { "http" } }),
            )
            .with_state(TrustedProxies::default())
    };
    let mut urls = Vec::new();
    for tls in [
        Some(motcua_web::tls::Tls::from_pem_files(&cert, &key).unwrap()),
        None,
    ] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let scheme = if tls.is_some() { "https" } else { "http" };
        urls.push(format!("{scheme}://localhost:{port}/"));
        let guard = Connections::new(
            ConnectionSettings::default(),
            tls,
            TrustedProxies::default(),
        );
        tokio::spawn(serve(listener, echo(), guard, std::future::pending()));
    }
    let client = trusting(&ca);
    for url in urls {
        let said = client.get(&url).send().await.unwrap().text().await.unwrap();
        assert_eq!(said, url.split(':').next().unwrap(), "{url}");
    }
}

#[tokio::test]
async fn a_missing_or_mismatched_certificate_stops_the_start_naming_its_setting() {
    let dir = tempfile::tempdir().unwrap();
    let (_, cert, key) = certificates(dir.path());
    let other = tempfile::tempdir().unwrap();
    let (_, _, other_key) = certificates(other.path());
    let missing = dir.path().join("nothing.pem");
    for (cert, key, setting) in [
        (missing.clone(), key.clone(), "server.tls_cert"),
        (cert.clone(), missing.clone(), "server.tls_key"),
        (key.clone(), key.clone(), "server.tls_cert"),
        (cert.clone(), other_key, "server.tls_key"),
    ] {
        let mut settings = Settings::default();
        settings.server.tls_cert = Some(cert);
        settings.server.tls_key = Some(key);
        let hall = settings.hall().unwrap();
        let data = tempfile::tempdir().unwrap();
        let clock = motcua_store::clock::ManualClock::starting_at(motcua_tests::opening_time());
        let refused = motcua_hall::wire(&settings, hall, data.path(), std::sync::Arc::new(clock))
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(refused.contains(setting), "{setting}: {refused}");
    }
    let mut settings = Settings::default();
    settings.server.tls_cert = Some(cert);
    let refused = settings.server.tls().unwrap_err().to_string();
    assert!(refused.contains("server.tls_key"), "{refused}");
}

/// Serve `router` through the servers' own accept loop with `settings`, on 127.0.0.1:0.
async fn guarded(
    router: axum::Router,
    settings: motcua_web::connections::ConnectionSettings,
) -> SocketAddr {
    use motcua_web::client::TrustedProxies;
    use motcua_web::connections::{Connections, serve};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let guard = Connections::new(settings, None, TrustedProxies::default());
    tokio::spawn(serve(listener, router, guard, std::future::pending()));
    addr
}

#[tokio::test]
async fn a_websocket_from_which_nothing_arrives_past_the_idle_timeout_is_closed() {
    use axum::extract::ws::WebSocketUpgrade;
    use axum::routing::get;
    // A feed that never pings: only the idle timeout can end a silent client.
    let router = axum::Router::new().route(
        "/ws",
        get(|ws: WebSocketUpgrade| async move {
            ws.on_upgrade(
                |mut socket| async move { while let Some(Ok(_)) = socket.recv().await {} },
            )
        }),
    );
    let settings = motcua_web::connections::ConnectionSettings {
        idle_timeout: Duration::from_secs(1),
        header_timeout: Duration::from_secs(60),
        ..Default::default()
    };
    let addr = guarded(router, settings).await;
    let (mut silent, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/ws"))
        .await
        .unwrap();
    let next = tokio::time::timeout(HANG, silent.next())
        .await
        .expect("the server closes a silent socket");
    assert!(
        matches!(next, None | Some(Err(_)) | Some(Ok(Message::Close(_)))),
        "{next:?}"
    );
}

#[tokio::test]
async fn a_request_whose_body_trickles_is_answered_408_at_the_request_timeout() {
    use axum::routing::post;
    let router = axum::Router::new().route("/", post(|body: String| async move { body }));
    let settings = motcua_web::connections::ConnectionSettings {
        request_timeout: Duration::from_secs(1),
        header_timeout: Duration::from_secs(60),
        idle_timeout: Duration::from_secs(60),
        ..Default::default()
    };
    let addr = guarded(router, settings).await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    // Ten bytes promised, one sent.
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nx")
        .await
        .unwrap();
    let answer = read_to_close(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"request_timeout\""), "{answer}");
}
