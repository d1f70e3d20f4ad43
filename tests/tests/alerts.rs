//! The manager's alerts, on a hand-moved clock: a field's wait over its target, a counter
//! idle while people wait, a printer out of paper, a kiosk or TV offline. Each fires once
//! and clears once, on the dashboard (`GET /api/alerts`, and the page in Chromium) and on
//! the outbound webhook, received here by a real TCP listener speaking HTTP.

use motcua_domain::{DeviceKind, Role};
use motcua_tests::browser::Browser;
use motcua_tests::fake_printer::{FakePrinter, Mode};
use motcua_tests::{Client, TestHall, until, webhook};
use serde_json::Value;

/// The webhook, refusing its first `refuse` deliveries with a 500
/// (`motcua_tests::webhook`).
struct Receiver(webhook::Receiver);

impl Receiver {
    async fn start(refuse: usize) -> Receiver {
        Receiver(webhook::Receiver::start("room-7", refuse).await)
    }

    fn url(&self) -> &str {
        &self.0.url
    }

    /// The next delivery the webhook accepted (refused tries skipped), within 20 s.
    async fn next(&mut self) -> Value {
        loop {
            let heard = self.0.next_heard().await;
            assert_eq!(heard.path, "/hooks/room-7/SECRET-room-7");
            if heard.status == 200 {
                return heard.body;
            }
        }
    }
}

/// A hall whose alerts go to `url`; kiosks and TVs are not missed (these tests' kiosks
/// speak plain HTTP and hold no live link: they would be offline).
async fn hall_with_webhook(url: &str) -> TestHall {
    let mut settings = motcua_hall::config::Settings::default();
    settings.alerts.webhook_url = url.to_owned();
    settings.alerts.offline_minutes = 0;
    TestHall::start_with(settings).await
}

/// The open alerts, as `kind subject` (the dashboard's list read as the manager).
async fn open_alerts(manager: &Client) -> Vec<String> {
    let (status, list) = manager.get("/api/alerts").await;
    assert_eq!(status, 200, "{list}");
    list["alerts"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|a| {
            format!(
                "{} {}",
                a["kind"].as_str().unwrap_or(""),
                a["subject"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn summary(delivery: &Value) -> String {
    format!(
        "{} {} {}",
        delivery["state"].as_str().unwrap_or(""),
        delivery["kind"].as_str().unwrap_or(""),
        delivery["subject"].as_str().unwrap_or("")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_counter_and_a_wait_over_target_fire_once_and_clear_once_on_the_dashboard_and_the_webhook()
 {
    let mut hook = Receiver::start(0).await;
    let hall = hall_with_webhook(hook.url()).await;
    let boss = hall.staff("boss", Role::Manager).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    // 08:00: counter 1 (civil status A, certification D) opens; one citizen waits in A.
    let lan = hall.clerk_at("lan", 1).await;
    kiosk.issue("A", "none").await;
    assert_eq!(open_alerts(&boss).await, Vec::<String>::new());

    // 08:04: idle four minutes, under the five of `alerts.idle_minutes`.
    hall.clock.advance(chrono::Duration::minutes(4));
    assert_eq!(open_alerts(&boss).await, Vec::<String>::new());
    // 08:05: idle five minutes while someone waits: the alert fires.
    hall.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(open_alerts(&boss).await, ["counter_idle counter:1"]);
    let fired = hook.next().await;
    assert_eq!(summary(&fired), "fired counter_idle counter:1");
    assert_eq!(fired["since"], "08:00");
    assert_eq!(
        fired["text"],
        "⚠️ Quầy 1 đang mở nhưng không gọi ai từ 08:00 trong khi có người chờ lĩnh vực của quầy."
    );
    assert_eq!(fired["hall"], hall.settings.hall.name);
    assert_eq!(fired["at"], "2026-11-25T08:05:00+07:00");
    // Read again (and again): still open, never sent twice.
    assert_eq!(open_alerts(&boss).await, ["counter_idle counter:1"]);
    hall.clock.advance(chrono::Duration::minutes(5));
    assert_eq!(open_alerts(&boss).await, ["counter_idle counter:1"]);

    // 08:15: the citizen has waited the field's 15-minute target: the next delivery is
    // that alert (the idle one was not sent again in between).
    hall.clock.advance(chrono::Duration::minutes(5));
    assert_eq!(
        open_alerts(&boss).await,
        ["counter_idle counter:1", "wait_over_target field:A"]
    );
    let over = hook.next().await;
    assert_eq!(summary(&over), "fired wait_over_target field:A");
    assert_eq!(
        over["text_en"],
        "Justice – Civil status: someone has waited past the 15-minute target (since 08:15)."
    );

    // The clerk calls: nobody waits, the counter is busy: both clear, once each.
    lan.call_next(1).await.expect("the citizen is called");
    assert_eq!(open_alerts(&boss).await, Vec::<String>::new());
    let mut cleared = vec![summary(&hook.next().await), summary(&hook.next().await)];
    cleared.sort();
    assert_eq!(
        cleared,
        [
            "cleared counter_idle counter:1",
            "cleared wait_over_target field:A"
        ]
    );
    // Quiet from here: a later alert is the next thing the webhook hears.
    kiosk.issue("B", "none").await;
    let _mai = hall.clerk_at("mai", 2).await;
    hall.clock.advance(chrono::Duration::minutes(6));
    assert_eq!(open_alerts(&boss).await, ["counter_idle counter:2"]);
    assert_eq!(summary(&hook.next().await), "fired counter_idle counter:2");

    // Clerks may not read the manager's alerts.
    let (status, _) = lan.get("/api/alerts").await;
    assert_eq!(status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tv_offline_and_a_printer_out_of_paper_fire_and_clear_and_a_refused_delivery_is_tried_again()
 {
    // The webhook refuses the first try: the delivery is tried again and gets through.
    let mut hook = Receiver::start(1).await;
    let printer = FakePrinter::start().await;
    let mut settings = motcua_hall::config::Settings::default();
    settings.alerts.webhook_url = hook.url().to_owned();
    settings.printing.status_every_seconds = 1;
    settings
        .printers
        .push(motcua_hall::config::PrinterSettings {
            kiosk: "kiosk-1".into(),
            address: printer.target(),
            paper: 80,
            text: "raster".into(),
            code_page: 52,
            qr: "native".into(),
        });
    let hall = TestHall::start_with(settings).await;
    let boss = hall.staff("boss", Role::Manager).await;

    // The hall TV connects, then its link drops.
    let token = hall.device_token("tv-1", DeviceKind::Display);
    let (tv, _) = hall.feed(&format!("/ws/hall?token={token}")).await;
    assert_eq!(open_alerts(&boss).await, Vec::<String>::new());
    drop(tv);
    // (The server notices the socket closed a moment later: nothing else holds one.)
    until("the TV's link to end", || async {
        hall.state.access.open_sockets() == 0
    })
    .await;
    // Seen away now; two minutes later (`alerts.offline_minutes`) it is offline.
    assert_eq!(open_alerts(&boss).await, Vec::<String>::new());
    hall.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(open_alerts(&boss).await, ["device_offline device:tv-1"]);
    let offline = hook.next().await;
    assert_eq!(summary(&offline), "fired device_offline device:tv-1");
    assert_eq!(offline["text"], "⚠️ Màn hình tv-1 mất kết nối từ 08:00.");
    // Back online: cleared.
    let (_tv, _) = hall.feed(&format!("/ws/hall?token={token}")).await;
    assert_eq!(open_alerts(&boss).await, Vec::<String>::new());
    assert_eq!(
        summary(&hook.next().await),
        "cleared device_offline device:tv-1"
    );

    // The kiosk's printer runs out of paper (as its status says), then paper is put in.
    printer.set(Mode::PaperOut);
    // The server's own network printer is named after its kiosk and address.
    let name = format!("printer:kiosk-1@{}", printer.target());
    until("the printer to report no paper", || async {
        open_alerts(&boss).await == [format!("printer_out_of_paper {name}")]
    })
    .await;
    let paper = hook.next().await;
    assert_eq!(
        summary(&paper),
        format!("fired printer_out_of_paper {name}")
    );
    assert!(
        paper["text"]
            .as_str()
            .is_some_and(|t| t.ends_with("(ki-ốt kiosk-1) hết giấy.")),
        "{paper}"
    );
    printer.set(Mode::Ready);
    until("the printer to report paper again", || async {
        open_alerts(&boss).await.is_empty()
    })
    .await;
    assert_eq!(
        summary(&hook.next().await),
        format!("cleared printer_out_of_paper {name}")
    );
    // Four deliveries got through (the hall counts each once its answer came), the first
    // on its second try; none failed for good.
    let stats = hall.state.alerts.stats();
    until("the fourth delivery's answer", || async {
        stats.delivered.load(std::sync::atomic::Ordering::Relaxed) == 4
    })
    .await;
    assert_eq!(stats.failed.load(std::sync::atomic::Ordering::Relaxed), 0);
}

/// A clerk's emergency reaches the webhook at once (nobody reads the alerts), and its end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerks_emergency_goes_to_the_webhook_at_once_and_so_does_its_end() {
    let mut hook = Receiver::start(0).await;
    let hall = hall_with_webhook(hook.url()).await;
    let boss = hall.staff("boss", Role::Manager).await;
    let lan = hall.clerk_at("lan", 1).await;
    let (status, _) = lan
        .post("/api/counters/1/emergency", serde_json::json!({}))
        .await;
    assert_eq!(status, 200);
    let fired = hook.next().await;
    assert_eq!(summary(&fired), "fired emergency counter:1");
    assert_eq!(
        fired["text"],
        "⚠️ Khẩn cấp: Quầy 1 cần hỗ trợ ngay (lan, lúc 08:00)."
    );
    let (status, _) = boss
        .post("/api/counters/1/emergency/handled", serde_json::json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(summary(&hook.next().await), "cleared emergency counter:1");
}

/// The dashboard's Now tab lists the open alerts, in Vietnamese and English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_lists_the_open_alerts() {
    let mut settings = motcua_hall::config::Settings::default();
    settings.alerts.offline_minutes = 0;
    let hall = TestHall::start_with(settings).await;
    hall.staff("boss", Role::Manager).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let _lan = hall.clerk_at("lan", 1).await;
    kiosk.issue("A", "none").await;

    let page = Browser::open(1440, 900).await;
    page.goto(&hall.url("/dashboard/")).await;
    page.wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    page.type_into("#login-name", "boss").await;
    page.type_into("#login-password", "boss-secret-pw").await;
    page.click("button[data-action='login']").await;
    page.wait_for("the dashboard", "document.body.dataset.view === 'dash'")
        .await;
    page.wait_for(
        "no alert yet",
        "document.getElementById('alerts-none').hidden === false",
    )
    .await;

    // Sixteen minutes later something happens in the hall (a ticket): the page reads the
    // hall again, and its alerts.
    hall.clock.advance(chrono::Duration::minutes(16));
    kiosk.issue("B", "none").await;
    page.wait_for(
        "two alerts",
        "document.querySelectorAll('#alerts-list li').length === 2",
    )
    .await;
    let shown = page.text("#alerts-list").await;
    assert!(
        shown.contains("Quầy 1 đang mở nhưng không gọi ai từ 08:00"),
        "{shown}"
    );
    assert!(
        shown.contains(
            "Lĩnh vực Tư pháp – Hộ tịch: có người đã chờ quá mục tiêu 15 phút (từ 08:15)."
        ),
        "{shown}"
    );
    page.assert_accessible("alerts-dashboard").await;
    page.screenshot("alerts-dashboard").await;
    page.click("#lang-btn").await;
    page.wait_for(
        "English",
        "document.getElementById('alerts-list').innerText.includes('Counter 1 is open but has called nobody since 08:00')",
    )
    .await;
    page.close().await;
}
