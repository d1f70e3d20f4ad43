//! Rating integrity: the counter's tablet (signed in as the counter's clerk) rates only the
//! ticket its counter just finished, once; the citizen's own rating on the phone is never
//! blocked by it; each rating says where it was given, and the figures, the exports and the
//! city report it.

use chrono::Duration;
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_store::clock::ManualClock;
use motcua_tests::browser::Browser;
use motcua_tests::{Client, TestCity, TestHall, error_code, opening_time, until};
use serde_json::{Value, json};

/// The log's last sequence number: a refusal writes nothing.
async fn seq(hall: &TestHall) -> i64 {
    let (status, body) = hall.anonymous().get("/healthz").await;
    assert_eq!(status, 200, "healthz: {body}");
    body["seq"].as_i64().expect("seq")
}

/// A ticket in field A, called, served and finished at counter `no` by `clerk`.
async fn serve(hall: &TestHall, kiosk: &Client, clerk: &Client, no: u16) -> Value {
    let ticket = kiosk.issue("A", "none").await;
    let called = clerk.call_next(no).await.expect("a ticket to call");
    assert_eq!(
        called["id"], ticket["id"],
        "the ticket just issued is called"
    );
    hall.clock.advance(Duration::minutes(1));
    for action in ["start", "finish"] {
        let (status, body) = clerk.act(&ticket, action, json!({})).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    ticket
}

/// The tablet at a counter rates `ticket` (it is signed in as the counter's clerk).
async fn tablet_rates(tablet: &Client, ticket: &Value, level: u8) -> (u16, Value) {
    tablet.act(ticket, "rate", json!({"level": level})).await
}

async fn phone_rates(hall: &TestHall, ticket: &Value, level: u8) -> (u16, Value) {
    hall.anonymous()
        .post(
            "/api/ratings",
            json!({"token": ticket["token"], "level": level}),
        )
        .await
}

/// The ticket as its holder's phone sees it.
async fn on_the_phone(hall: &TestHall, ticket: &Value) -> Value {
    let token = ticket["token"].as_str().expect("token");
    let (status, body) = hall.anonymous().get(&format!("/api/tickets/{token}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn assert_refused((status, body): (u16, Value), code: &str, what: &str) {
    assert_eq!(status, 409, "{what}: {body}");
    assert_eq!(error_code(&body), code, "{what}: {body}");
}

#[tokio::test]
async fn the_tablet_rates_only_the_ticket_its_counter_finished_last() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    let first = serve(&hall, &kiosk, &clerk, 1).await;
    let second = serve(&hall, &kiosk, &clerk, 1).await;

    let before = seq(&hall).await;
    assert_refused(
        tablet_rates(&clerk, &first, 5).await,
        "rating_not_allowed",
        "an older ticket of the same counter",
    );
    assert_eq!(seq(&hall).await, before, "the refusal wrote nothing");
    assert_eq!(on_the_phone(&hall, &first).await["rating"], Value::Null);

    let (status, body) = tablet_rates(&clerk, &second, 4).await;
    assert_eq!(status, 200, "the ticket just finished: {body}");
    assert_eq!(body["rating"], 4);
    assert_refused(
        tablet_rates(&clerk, &second, 5).await,
        "already_rated",
        "the same ticket twice",
    );
}

#[tokio::test]
async fn the_tablet_cannot_rate_a_colleagues_ticket_at_the_same_counter() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let first_clerk = hall.clerk_at("canbo1", 1).await;
    let ticket = serve(&hall, &kiosk, &first_clerk, 1).await;
    let (status, body) = first_clerk.post("/api/counters/1/close", json!({})).await;
    assert_eq!(status, 200, "{body}");
    // A colleague takes the counter a minute later: its tablet is now in their name.
    hall.clock.advance(Duration::minutes(1));
    let colleague = hall.clerk_at("canbo2", 1).await;
    let before = seq(&hall).await;
    assert_refused(
        tablet_rates(&colleague, &ticket, 5).await,
        "rating_not_allowed",
        "a ticket the colleague did not finish",
    );
    assert_eq!(seq(&hall).await, before, "the refusal wrote nothing");
    assert_eq!(on_the_phone(&hall, &ticket).await["rating"], Value::Null);
}

#[tokio::test]
async fn the_tablet_cannot_rate_a_ticket_finished_more_than_five_minutes_ago() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;

    // Five minutes after the finish is still in time.
    let in_time = serve(&hall, &kiosk, &clerk, 1).await;
    hall.clock.advance(Duration::minutes(5));
    let (status, body) = tablet_rates(&clerk, &in_time, 5).await;
    assert_eq!(status, 200, "five minutes after the finish: {body}");

    let late = serve(&hall, &kiosk, &clerk, 1).await;
    hall.clock
        .advance(Duration::minutes(5) + Duration::seconds(1));
    let before = seq(&hall).await;
    assert_refused(
        tablet_rates(&clerk, &late, 5).await,
        "rating_not_allowed",
        "five minutes and a second after the finish",
    );
    assert_eq!(seq(&hall).await, before, "the refusal wrote nothing");
    // The citizen may still rate it on the phone, as long as they like.
    let (status, body) = phone_rates(&hall, &late, 3).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn the_citizens_phone_rating_counts_after_the_tablets_and_only_once() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    let ticket = serve(&hall, &kiosk, &clerk, 1).await;

    let (status, body) = tablet_rates(&clerk, &ticket, 5).await;
    assert_eq!(status, 200, "{body}");
    // The phone does not take the tablet's rating for the citizen's: it still asks.
    assert_eq!(on_the_phone(&hall, &ticket).await["rating"], Value::Null);

    let (status, body) = phone_rates(&hall, &ticket, 1).await;
    assert_eq!(status, 201, "the citizen rates after the tablet: {body}");
    assert_eq!(body["rating"], 1);
    assert_eq!(on_the_phone(&hall, &ticket).await["rating"], 1);
    assert_refused(
        phone_rates(&hall, &ticket, 5).await,
        "already_rated",
        "the phone a second time",
    );
    assert_refused(
        tablet_rates(&clerk, &ticket, 5).await,
        "already_rated",
        "the tablet over the citizen's rating",
    );

    // The citizen's rating is the one that counts.
    let (status, figures) = manager.get("/api/stats").await;
    assert_eq!(status, 200, "{figures}");
    let s = &figures["total"]["satisfaction"];
    assert_eq!(s["rated"], 1, "{s}");
    assert_eq!(s["levels"], json!([1, 0, 0, 0, 0]), "{s}");
    assert_eq!(s["satisfied_share"], 0.0, "{s}");
    assert_eq!(s["by_source"]["phone"]["rated"], 1, "{s}");
    assert_eq!(s["by_source"]["counter"]["rated"], 0, "{s}");
    assert_eq!(s["replaced"], 1, "{s}");
    let (_, tickets) = manager.get("/api/tickets?status=served").await;
    assert_eq!(tickets["tickets"][0]["rating"], 1, "{tickets}");

    // Both ratings stay in the log, each with its source; the ticket holds the phone's.
    let conn = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("db");
    let sources: Vec<(String, Option<i64>)> = conn
        .prepare("SELECT json_extract(data, '$.channel'), user_id FROM events WHERE kind = 'rated' ORDER BY seq")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()
        })
        .expect("the ratings in the log");
    assert_eq!(sources.len(), 2);
    assert_eq!(sources[0].0, "counter");
    assert!(
        sources[0].1.is_some(),
        "the tablet's rating names its session"
    );
    assert_eq!(sources[1], ("phone".to_owned(), None));
    let source: String = conn
        .query_row(
            "SELECT rating_source FROM tickets WHERE id = ?1",
            [ticket["id"].as_i64().expect("id")],
            |r| r.get(0),
        )
        .expect("the ticket's rating source");
    assert_eq!(source, "phone");
}

/// In a real browser: after the tablet rated, the citizen's phone page still asks, and
/// the citizen's tap is the rating that counts.
#[tokio::test]
async fn the_phone_page_still_asks_the_citizen_after_the_tablet_rated() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    let ticket = serve(&hall, &kiosk, &clerk, 1).await;
    assert_eq!(tablet_rates(&clerk, &ticket, 5).await.0, 200);

    let phone = Browser::open(390, 844).await;
    phone
        .goto(ticket["url"].as_str().expect("the ticket's address"))
        .await;
    phone
        .wait_for("the rating form", "document.body.dataset.rate === 'form'")
        .await;
    phone.click("button[data-rating='2']").await;
    // A low rating: the reasons (none chosen), then the visits (skipped).
    phone.click("#reasons-next").await;
    phone.click("#visits-skip").await;
    phone
        .wait_for("the thank-you", "document.body.dataset.rate === 'thanks'")
        .await;
    phone.close().await;
    assert_eq!(on_the_phone(&hall, &ticket).await["rating"], 2);
}

#[tokio::test]
async fn the_figures_and_the_exports_count_ratings_by_where_they_were_given() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    // Two on the phone (one satisfied), one on the tablet (satisfied), one not rated.
    let mut tickets = Vec::new();
    for _ in 0..4 {
        tickets.push(serve(&hall, &kiosk, &clerk, 1).await);
    }
    assert_eq!(phone_rates(&hall, &tickets[0], 5).await.0, 201);
    assert_eq!(phone_rates(&hall, &tickets[1], 2).await.0, 201);
    assert_eq!(tablet_rates(&clerk, &tickets[3], 4).await.0, 200);

    let (status, figures) = manager.get("/api/stats").await;
    assert_eq!(status, 200, "{figures}");
    let counter_1 = figures["by_counter"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["key"] == "1"))
        .expect("counter 1's row");
    for s in [
        &figures["total"]["satisfaction"],
        &counter_1["satisfaction"],
    ] {
        assert_eq!(s["rated"], 3, "{s}");
        assert_eq!(
            s["by_source"],
            json!({
                "phone": {"rated": 2, "satisfied_share": 0.5},
                "counter": {"rated": 1, "satisfied_share": 1.0},
                "unknown": {"rated": 0, "satisfied_share": null},
            }),
            "{s}"
        );
        assert_eq!(s["replaced"], 0, "{s}");
    }

    // The CSV of the counters, and the workbook's sheet of them, carry the same.
    let want = [
        ("Đánh giá qua điện thoại", 2.0),
        ("Hài lòng qua điện thoại (%)", 50.0),
        ("Đánh giá tại quầy", 1.0),
        ("Hài lòng tại quầy (%)", 100.0),
        ("Đánh giá không rõ nguồn", 0.0),
        ("Đánh giá tại quầy được công dân đánh giá lại", 0.0),
    ];
    let (status, _, bytes) = manager.get_bytes("/api/stats.csv?by=counter").await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes).expect("UTF-8");
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let row: Vec<&str> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|cells| cells[0] == "1")
        .expect("counter 1's line");
    for (name, value) in want {
        let at = header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("a column {name:?} in {header:?}"));
        assert_eq!(row[at].parse::<f64>().ok(), Some(value), "{name}");
    }

    use calamine::{DataType, Reader, Xlsx};
    let (status, _, bytes) = manager.get_bytes("/api/stats.xlsx").await;
    assert_eq!(status, 200);
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let sheet = book
        .worksheet_range("Theo quầy")
        .expect("the counters' sheet");
    let mut rows = sheet.rows();
    let header: Vec<String> = rows
        .next()
        .expect("a header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    let row = rows.find(|cells| cells[0] == "1").expect("counter 1's row");
    for (name, value) in want {
        let at = header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("a column {name:?} in {header:?}"));
        assert_eq!(row[at].as_f64(), Some(value), "{name}");
    }

    // The dashboard's ratings section says where they were given.
    let browser = Browser::open(1600, 1000).await;
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
    browser.click(".tabs button[data-tab='history']").await;
    browser
        .wait_for("today's figures", "document.body.dataset.hist === 'ready'")
        .await;
    let line = |source: &str| {
        format!(
            "(document.querySelector(\"#hist-satisfaction dd[data-source='{source}']\") || {{}}).textContent"
        )
    };
    browser
        .wait_for(
            "the ratings by source",
            &format!("{} === '2 lượt, 50% hài lòng'", line("phone")),
        )
        .await;
    assert_eq!(
        browser.eval(&line("counter")).await,
        "1 lượt, 100% hài lòng"
    );
    assert_eq!(browser.eval(&line("replaced")).await, "0");
    let terms = browser
        .eval("[...document.querySelectorAll('#hist-satisfaction dt')].map(d => d.textContent)")
        .await;
    for term in ["Qua điện thoại của công dân", "Trên máy tính bảng tại quầy"] {
        assert!(
            terms
                .as_array()
                .is_some_and(|t| t.iter().any(|x| x == term)),
            "{term} in {terms}"
        );
    }
    browser
        .eval("document.getElementById('hist-satisfaction').scrollIntoView()")
        .await;
    browser
        .screenshot("rating-dashboard-by-source-1600x1000")
        .await;

    // And so does the day's printable report.
    browser
        .goto(&hall.url("/dashboard/report.html?day=2026-11-25"))
        .await;
    browser
        .wait_for("the report", "document.body.dataset.state === 'ready'")
        .await;
    let coverage = browser
        .eval("document.getElementById('r-coverage').textContent")
        .await;
    assert!(
        coverage.as_str().is_some_and(|c| c.contains(
            "Qua điện thoại của công dân: 2 lượt; trên máy tính bảng tại quầy: 1 lượt; \
             công dân đánh giá lại thay máy tính bảng: 0."
        )),
        "{coverage}"
    );
    browser.close().await;
}

#[tokio::test]
async fn the_city_hears_where_each_rating_was_given() {
    let clock = ManualClock::starting_at(opening_time());
    let city = TestCity::start(clock.clone()).await;
    let (code, secret) = city.register("UBND phường Cửa Nam");
    let settings = Settings {
        city: city.uplink(&code, &secret),
        ..Default::default()
    };
    let hall = TestHall::start_with_clock(settings, clock).await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    let by_tablet = serve(&hall, &kiosk, &clerk, 1).await;
    assert_eq!(tablet_rates(&clerk, &by_tablet, 5).await.0, 200);
    let replaced = serve(&hall, &kiosk, &clerk, 1).await;
    assert_eq!(tablet_rates(&clerk, &replaced, 5).await.0, 200);
    assert_eq!(phone_rates(&hall, &replaced, 1).await.0, 201);
    let last = seq(&hall).await;
    until("the city to hold every event", || async {
        let (_, u) = manager.get("/api/uplink").await;
        u["acked_seq"].as_i64() == Some(last)
    })
    .await;

    // The batch carried each rating's source: the city's copy of the log has it.
    let conn = rusqlite::Connection::open(city.data_dir().join("city.sqlite3")).expect("db");
    let sources: Vec<String> = conn
        .prepare(
            "SELECT json_extract(data, '$.channel') FROM events WHERE kind = 'rated' ORDER BY seq",
        )
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect::<Result<_, _>>())
        .expect("the ratings the city holds");
    assert_eq!(sources, ["counter", "counter", "phone"]);

    // And the city's figures count them as the hall's do.
    let office = city.staff("thongke", Role::Manager).await;
    let (status, city_stats) = office.get(&format!("/api/city/halls/{code}/stats")).await;
    assert_eq!(status, 200, "{city_stats}");
    let (_, hall_stats) = manager.get("/api/stats").await;
    let s = &city_stats["total"]["satisfaction"];
    assert_eq!(s, &hall_stats["total"]["satisfaction"]);
    assert_eq!(s["by_source"]["phone"]["rated"], 1, "{s}");
    assert_eq!(s["by_source"]["counter"]["rated"], 1, "{s}");
    assert_eq!(s["replaced"], 1, "{s}");
}

/// A collector's database from before ratings said where, in its figures: opening it learns
/// each rating's source from the events the halls sent (a ticket's last rating counts).
#[tokio::test]
async fn a_collector_database_from_before_rating_sources_learns_them_from_the_log() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("city.sqlite3");
    {
        let conn = rusqlite::Connection::open(&db).expect("a new database");
        conn.execute_batch(include_str!(
            "../../server/city/migrations/001_collector.sql"
        ))
        .expect("the collector's first schema");
        conn.execute_batch(motcua_store::STATISTICS_SCHEMA)
            .expect("the statistics tables");
        conn.pragma_update(None, "user_version", 2)
            .expect("schema version 2");
        conn.execute_batch(
            r#"
            INSERT INTO halls (id, code, name, secret_hash, registered_at)
            VALUES (1, 'hall-a', 'Phường A', 'x', 0), (2, 'hall-b', 'Phường B', 'x', 0);
            INSERT INTO events (hall, seq, at, kind, ticket_id, data, received_at) VALUES
              (1, 1, 0, 'rated', 1, '{"level":5,"scale":5,"comment":null,"channel":"counter"}', 0),
              (1, 2, 0, 'rated', 2, '{"level":5,"scale":5,"comment":null,"channel":"counter"}', 0),
              (1, 3, 0, 'rated', 2, '{"level":1,"scale":5,"comment":null,"channel":"phone"}', 0),
              (2, 1, 0, 'rated', 1, '{"level":4,"scale":5,"comment":null}', 0),
              (2, 2, 0, 'rated', 2, '{"level":4,"scale":5,"comment":null,"channel":"phone"}', 0);
            INSERT INTO stat_visits (hall, ticket_id, visit, day, service, began_by, issued_at,
                queued_at, hour, priority, outcome, rating, rating_scale) VALUES
              (1, 1, 0, '2026-11-25', 'A', 'issued', 0, 0, 8, 0, 'served', 5, 5),
              (1, 2, 0, '2026-11-25', 'A', 'issued', 0, 0, 8, 0, 'served', 1, 5),
              (1, 3, 0, '2026-11-25', 'A', 'issued', 0, 0, 8, 0, 'served', NULL, NULL),
              (2, 1, 0, '2026-11-25', 'A', 'issued', 0, 0, 8, 0, 'served', 4, 5),
              (2, 2, 0, '2026-11-25', 'A', 'issued', 0, 0, 8, 0, 'served', 4, 5);
            "#,
        )
        .expect("an older collector's rows");
    }
    let clock = ManualClock::starting_at(opening_time());
    let state = motcua_city::build_state(
        dir.path(),
        &motcua_city::db::Database::Sqlite,
        std::sync::Arc::new(clock),
        motcua_city::CitySettings::default(),
    )
    .await
    .expect("the collector opens and migrates it");
    drop(state);

    let conn = rusqlite::Connection::open(&db).expect("the migrated database");
    let sources: Vec<(i64, i64, Option<String>)> = conn
        .prepare("SELECT hall, ticket_id, rating_source FROM stat_visits ORDER BY hall, ticket_id")
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<Result<_, _>>()
        })
        .expect("the visits");
    let source = |s: &str| Some(s.to_owned());
    assert_eq!(
        sources,
        [
            (1, 1, source("counter")),
            (1, 2, source("phone")),
            (1, 3, None),
            (2, 1, None),
            (2, 2, source("phone")),
        ]
    );
}
