//! Where to go: the printed ticket and the phone page name the counters that serve the
//! ticket's field ("Quầy phục vụ: 1, 3, 4"), as the hall's settings say now; the phone
//! page follows a change of counters without being reloaded.

use motcua_domain::DeviceKind;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use motcua_tests::fake_printer::FakePrinter;
use motcua_tests::print_agent::next_print;
use serde_json::Value;

fn counters(ticket: &Value) -> Vec<u64> {
    ticket["serving_counters"]
        .as_array()
        .unwrap_or_else(|| panic!("serving_counters in {ticket}"))
        .iter()
        .filter_map(Value::as_u64)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_printed_ticket_names_the_counters_that_serve_its_field() {
    let printer = FakePrinter::start().await;
    let mut settings = motcua_hall::config::Settings::default();
    // The printer's own font in plain ASCII: the paper reads back as text.
    settings
        .printers
        .push(motcua_hall::config::PrinterSettings {
            kiosk: "kiosk-1".into(),
            address: printer.target(),
            paper: 80,
            text: "ascii".into(),
            code_page: 52,
            qr: "native".into(),
        });
    let hall = TestHall::start_with(settings).await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let (mut feed, _) =
        tokio_tungstenite::connect_async(format!("{}/ws/kiosk?token={token}", hall.ws_base))
            .await
            .expect("kiosk feed");
    let kiosk = hall.device_with_token(token);

    // The demo hall: counters 1, 3 and 4 serve civil status (A), counter 2 alone land (B).
    let a = kiosk.issue("A", "none").await;
    assert_eq!(counters(&a), [1, 3, 4], "{a}");
    assert_eq!(next_print(&mut feed).await["status"], "printed");
    let b = kiosk.issue("B", "none").await;
    assert_eq!(counters(&b), [2], "{b}");
    assert_eq!(next_print(&mut feed).await["status"], "printed");

    let paper: Vec<String> = printer
        .ticket_bytes()
        .iter()
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
        .collect();
    assert_eq!(paper.len(), 2);
    assert!(paper[0].contains("Quay phuc vu: 1, 3, 4"), "{}", paper[0]);
    assert!(paper[1].contains("Quay phuc vu: 2"), "{}", paper[1]);
    assert!(!paper[1].contains("Quay phuc vu: 2,"), "{}", paper[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_page_names_the_counters_that_serve_the_field_and_follows_a_change_of_them() {
    let mut hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let mine = kiosk.issue("B", "none").await;
    let url = mine["url"].as_str().expect("url").to_owned();

    let phone = Browser::open(390, 844).await;
    phone.goto(&url).await;
    phone
        .wait_for(
            "the counters serving land",
            "document.getElementById('where').textContent === '2'",
        )
        .await;
    let row = phone.text("#where-row").await;
    assert!(row.contains("Quầy phục vụ"), "{row}");
    phone
        .assert_accessible_in_both_languages("where-to-go")
        .await;

    // The hall's settings change (today with a restart; the admin page makes it live):
    // counter 4 takes land too. The open page follows without a reload.
    hall.settings.counters[3].services.push("B".into());
    let hall = hall.restart_in_place().await;
    phone
        .wait_for(
            "the new counters serving land",
            "document.getElementById('where').textContent === '2, 4'",
        )
        .await;
    let (_, seen) = hall
        .anonymous()
        .get(&format!(
            "/api/tickets/{}",
            mine["token"].as_str().expect("token")
        ))
        .await;
    assert_eq!(counters(&seen), [2, 4], "{seen}");
    phone.click("#lang").await;
    phone
        .wait_for(
            "English",
            "document.getElementById('where-row').innerText.includes('Served at counters')",
        )
        .await;
    phone.screenshot("where-to-go-en").await;
    phone.close().await;
}
