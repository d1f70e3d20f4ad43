// temporary probes
use motcua_tests::TestHall;

#[tokio::test]
async fn probe() {
    let hall = TestHall::start().await;
    let c = reqwest::Client::new();
    for (m, p) in [("GET", "/ws/hall"), ("GET", "/ws/counters/999"), ("GET", "/ws/tickets/zzz"), ("GET", "/t/0123"), ("PUT", "/api/tickets"), ("HEAD", "/api/services"), ("POST", "/api/ratings")] {
        let r = c.request(m.parse().unwrap(), hall.url(p)).send().await.unwrap();
        let s = r.status(); let h = r.headers().clone();
        println!("{m} {p} -> {s} {:?} {}", h.get("content-type"), r.text().await.unwrap());
    }
    for (p, ct, body) in [("/api/session", "text/plain", r#"{"name":"x","password":"y"}"#), ("/api/session", "application/json", "[1,2"), ("/api/ratings", "application/json", r#"{"token":"00000000000000000000000000000000","level":300}"#), ("/api/ratings", "application/json", r#"{"token":"00000000000000000000000000000000","level":3}"#)] {
        let r = c.post(hall.url(p)).header("content-type", ct).body(body).send().await.unwrap();
        println!("POST {p} [{ct}] -> {} {}", r.status(), r.text().await.unwrap());
    }
    let big = vec![b' '; 20000];
    let r = c.post(hall.url("/api/session")).header("content-type", "application/json").body(big).send().await.unwrap();
    println!("big -> {} {}", r.status(), r.text().await.unwrap());
    // ws with upgrade headers to unknown counter
    let r = tokio_tungstenite::connect_async(format!("{}/ws/counters/999", hall.ws_base)).await;
    println!("ws counter 999 -> {:?}", r.err());
    let r = c.get(hall.url("/api/tickets")).bearer_auth("nope").send().await.unwrap();
    println!("bad bearer -> {} {}", r.status(), r.text().await.unwrap());
    let r = c.post(hall.url("/api/tickets/1/call")).body("{not json").send().await.unwrap();
    println!("anon malformed action -> {} {}", r.status(), r.text().await.unwrap());
    let kiosk = hall.device("k1", motcua::domain::DeviceKind::Kiosk);
    let t = kiosk.issue("A", "elderly").await;
    println!("issued {t}");
    let (s, b) = hall.anonymous().get(&format!("/api/tickets/{}", t["token"].as_str().unwrap())).await;
    println!("status {s} {b}");
    let (s, b) = hall.anonymous().get("/api/counters/1").await;
    println!("counter {s} {b}");
    let (s, b) = hall.anonymous().get("/api/services").await;
    println!("services {s} {b}");
    let (s, b) = kiosk.get("/api/session").await;
    println!("whoami kiosk {s} {b}");
    let (s, b) = kiosk.get("/api/tickets").await;
    println!("kiosk list {s} {b}");
    let (s, b) = hall.anonymous().get("/api/openapi.json").await;
    println!("openapi {s} {b}");
}
