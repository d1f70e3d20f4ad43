//! From the clerk's click to the call painted on the hall display, in real Chromium:
//! the console and the TV page each in a headless browser, the real server in this
//! process. Prints a table (median, p99, max over 200 calls); target p99 < 100 ms.
//!
//! Run: `cargo run --release -p motcua-tests --bin page_bench` (needs chromium and
//! chromium-driver, which `./scripts/test` installs).

use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_store::clock::SystemClock;
use motcua_store::{self as store};
use motcua_tests::browser::Browser;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

const CALLS: usize = 200;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::default();
    for s in &mut settings.services {
        s.last = 99_999;
    }
    settings.limits = motcua_hall::http::issuing_limits::LimitSettings::off();
    // The bench marks a citizen absent right after the call.
    settings.queue.absent_after_seconds = 0;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut hall = settings.hall().expect("hall");
    hall.public_url = format!("http://{addr}");
    let state =
        motcua_hall::wire(&settings, hall, dir.path(), Arc::new(SystemClock)).expect("the hall");
    tokio::spawn(motcua_hall::serve(listener, state, std::future::pending()));
    let base = format!("http://{addr}");

    let (kiosk_token, password) = {
        let conn = store::open_for_admin(dir.path()).expect("db");
        let (_, token) =
            motcua_web::accounts::add_device(&conn, "kiosk", DeviceKind::Kiosk, 0).expect("kiosk");
        motcua_web::accounts::add_user(&conn, "lan", Role::Clerk, "lan-secret-pw", 0)
            .expect("clerk");
        (token, "lan-secret-pw")
    };
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    for _ in 0..CALLS {
        let r = http
            .post(format!("{base}/api/tickets"))
            .bearer_auth(&kiosk_token)
            .json(&json!({"service": "A"}))
            .send()
            .await
            .expect("issue");
        assert_eq!(r.status(), 201);
    }

    let tv = Browser::open(1920, 1080).await;
    tv.goto(&format!("{base}/display/")).await;
    tv.wait_for(
        "the TV online",
        "document.body.dataset.connected === 'true'",
    )
    .await;
    // Record when each new latest call reaches the screen: the frame after the change.
    tv.eval(
        "(function(){ window.__paints = []; const el = document.getElementById('latest-code');
          new MutationObserver(() => { const code = el.textContent.trim();
            requestAnimationFrame(() => window.__paints.push({code, t: performance.timeOrigin + performance.now()})); })
          .observe(el, {childList: true, characterData: true, subtree: true}); return true; })()",
    )
    .await;

    let console = Browser::open(1920, 1080).await;
    console.goto(&format!("{base}/counter/")).await;
    console
        .wait_for("login", "document.body.dataset.view === 'login'")
        .await;
    console.type_into("#login-name", "lan").await;
    console.type_into("#login-password", password).await;
    console.click("button[data-action='login']").await;
    console
        .wait_for("choose", "document.body.dataset.view === 'choose'")
        .await;
    console
        .eval("(function(){ const s = document.getElementById('counter-select'); s.value = '1'; s.dispatchEvent(new Event('change')); return true; })()")
        .await;
    console.click("button[data-action='open']").await;
    console
        .wait_for("work", "document.body.dataset.view === 'work'")
        .await;
    console
        .eval("(function(){ window.__clicks = []; document.addEventListener('click', e => { if (e.target.closest('[data-action=next]')) window.__clicks.push(performance.timeOrigin + performance.now()); }, true); return true; })()")
        .await;
    let clerk = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let login = clerk
        .post(format!("{base}/api/session"))
        .json(&json!({"name": "lan", "password": password}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200);

    let started = Instant::now();
    let mut latencies = Vec::with_capacity(CALLS);
    for i in 1..=CALLS {
        let code = format!("A{i:05}");
        console.click("button[data-action='next']").await;
        let paint = tv
            .wait_for(
                &format!("{code} painted"),
                &format!("(window.__paints.find(p => p.code === '{code}') || {{}}).t"),
            )
            .await
            .as_f64()
            .expect("paint time");
        let click = console
            .eval(&format!("window.__clicks[{}]", i - 1))
            .await
            .as_f64()
            .expect("click time");
        latencies.push(paint - click);
        // Free the counter for the next call.
        let current = console
            .eval("document.getElementById('current-code').textContent.trim()")
            .await;
        assert_eq!(current, code.as_str());
        let snapshot: serde_json::Value = clerk
            .get(format!("{base}/api/counters/1"))
            .send()
            .await
            .expect("counter")
            .json()
            .await
            .expect("json");
        let id = snapshot["counter"]["current"]["id"]
            .as_i64()
            .expect("current id");
        let r = clerk
            .post(format!("{base}/api/tickets/{id}/no-show"))
            .send()
            .await
            .expect("no-show");
        assert_eq!(r.status(), 200);
        console.wait_for("the counter free", "!document.getElementById('current-code').textContent.trim() || document.querySelector('[data-action=next]:not([disabled])')").await;
    }
    let elapsed = started.elapsed();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize];
    let p99 = pct(0.99);
    println!();
    println!(
        "click -> painted on the hall display (Chromium), {CALLS} calls in {:.1} s",
        elapsed.as_secs_f64()
    );
    println!(
        "{:<28} {:>10} {:>12} {:>8}",
        "measurement", "result", "target", "verdict"
    );
    println!(
        "{:<28} {:>10} {:>12} {:>8}",
        "-".repeat(28),
        "-".repeat(10),
        "-".repeat(12),
        "-".repeat(8)
    );
    println!(
        "{:<28} {:>7.1} ms {:>12} {:>8}",
        "median",
        pct(0.5),
        "-",
        "info"
    );
    println!(
        "{:<28} {:>7.1} ms {:>12} {:>8}",
        "p99",
        p99,
        "< 100 ms",
        if p99 < 100.0 { "PASS" } else { "MISS" }
    );
    println!(
        "{:<28} {:>7.1} ms {:>12} {:>8}",
        "max",
        latencies[latencies.len() - 1],
        "-",
        "info"
    );
    tv.close().await;
    console.close().await;
}
