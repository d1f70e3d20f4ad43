//! The bookings' figures against an independent count.
//!
//! A week of bookings is played through the real server with the hand-moved clock: places
//! booked on the hall's page and by an outside issuer across every bookable field, day and
//! window, some cancelled; then day by day citizens check in early, on time, at the edges of
//! their span, too early (refused, and back later), late (given a walk-in number, or, after
//! the hall changed its rule, refused) or never (no-shows), while a clerk calls. The last
//! day is left to come. The test keeps its own record, computes every booking figure from
//! it with its own plain code, and compares with `/api/stats` and the CSV export.

use chrono::DateTime;
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::{IssuerSettings, Settings};
use motcua_store::clock::ManualClock;
use motcua_tests::{Dice, TestCity, TestHall, error_code, opening_time, until};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const MIN: i64 = 60_000;
const SECRET: &str = "an issuer's secret of at least thirty-two characters";

/// One booking, as the test saw it.
#[derive(Debug, Clone)]
struct Place {
    code: String,
    field: String,
    day: String,
    window: String,
    source: String,
    issuer_ref: Option<String>,
    appointment: i64,
    outcome: &'static str,
    offset: Option<i64>,
    walk_in: Option<bool>,
}

/// A ticket a check-in gave, as the test saw it.
struct Issued {
    booked: bool,
    queued_at: i64,
    first_call: Option<i64>,
}

fn set(hall: &TestHall, ms: i64) {
    hall.clock
        .set(DateTime::from_timestamp_millis(ms).expect("a time"));
}

async fn signed(hall: &TestHall, path: &str, body: Value) -> (u16, Value) {
    let body = body.to_string();
    let ts = store_now(hall);
    let signature = motcua_web::protocol::sign(SECRET, "ihanoi", ts, body.as_bytes());
    let resp = reqwest::Client::new()
        .post(hall.url(path))
        .header("content-type", "application/json")
        .header("x-motcua-issuer", "ihanoi")
        .header("x-motcua-timestamp", ts.to_string())
        .header("x-motcua-signature", signature)
        .body(body)
        .send()
        .await
        .expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn store_now(hall: &TestHall) -> i64 {
    motcua_store::clock::Clock::now(&hall.clock).timestamp_millis()
}

/// The figures the test expects of a group of bookings, computed plainly.
fn expected(places: &[&Place]) -> Value {
    let count = |o: &str| places.iter().filter(|p| p.outcome == o).count() as u64;
    let booked = places.len() as u64;
    let cancelled = count("cancelled");
    let checked_in = count("checked_in");
    let late = count("late");
    let held = booked - cancelled;
    let mut offsets: Vec<i64> = places
        .iter()
        .filter(|p| p.outcome == "checked_in")
        .map(|p| p.offset.expect("an offset"))
        .collect();
    offsets.sort();
    let rank = |p: f64| -> Value {
        if offsets.is_empty() {
            return Value::Null;
        }
        let i = ((p * offsets.len() as f64).ceil() as usize).max(1) - 1;
        json!(offsets[i] as f64 / 1000.0)
    };
    // Read back as the server's answer is, once it has crossed the wire as JSON text: the
    // same number parses to the same f64 (serde_json's parser may land one unit in the last
    // place off an exact quotient, the same way on both sides).
    let figures = json!({
        "booked": booked,
        "cancelled": cancelled,
        "checked_in": checked_in,
        "late": late,
        "late_walk_in": places.iter().filter(|p| p.outcome == "late" && p.walk_in == Some(true)).count(),
        "no_show": count("no_show"),
        "awaited": count("booked"),
        "show_rate": if held > 0 { json!((checked_in + late) as f64 / held as f64) } else { Value::Null },
        "lateness_n": offsets.len(),
        "lateness_median": rank(0.5),
        "lateness_p90": rank(0.9),
    });
    serde_json::from_str(&figures.to_string()).expect("JSON")
}

/// The same figures as the server's answer gives them.
fn answered(row: &Value) -> Value {
    json!({
        "booked": row["booked"],
        "cancelled": row["cancelled"],
        "checked_in": row["checked_in"],
        "late": row["late"],
        "late_walk_in": row["late_walk_in"],
        "no_show": row["no_show"],
        "awaited": row["awaited"],
        "show_rate": row["show_rate"],
        "lateness_n": row["lateness"]["n"],
        "lateness_median": row["lateness"]["median"],
        "lateness_p90": row["lateness"]["p90"],
    })
}

fn group<K: Ord>(places: &[Place], key: impl Fn(&Place) -> K) -> BTreeMap<K, Vec<&Place>> {
    let mut groups: BTreeMap<K, Vec<&Place>> = BTreeMap::new();
    for p in places {
        groups.entry(key(p)).or_default().push(p);
    }
    groups
}

fn nearest_rank_median(mut ms: Vec<i64>) -> Value {
    if ms.is_empty() {
        return Value::Null;
    }
    ms.sort();
    let i = ((0.5 * ms.len() as f64).ceil() as usize).max(1) - 1;
    json!(ms[i] as f64 / 1000.0)
}

struct Week {
    hall: TestHall,
    places: Vec<Place>,
    tickets: Vec<Issued>,
    days: Vec<String>,
}

/// Book the week, then play its days but the last (a city reporting to, if any, is down
/// while the days are played).
async fn play_week(
    seed: u64,
    mut settings: Settings,
    clock: ManualClock,
    city: Option<&mut TestCity>,
) -> Week {
    let mut dice = Dice::new(seed);
    settings.bookings.issuers = vec![IssuerSettings {
        name: "ihanoi".into(),
        secret: SECRET.into(),
    }];
    let mut hall = TestHall::start_with_clock(settings, clock).await;
    let page = hall.anonymous();
    let (_, fields) = page.get("/api/bookings/fields").await;
    let fields: Vec<String> = fields["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .map(|f| f["code"].as_str().expect("code").to_owned())
        .collect();
    assert!(!fields.is_empty(), "the demo hall takes bookings");

    // Wednesday 08:00: the week is booked, on the page and by the city's app.
    let mut places = Vec::new();
    let mut days = Vec::new();
    let mut person = 0u32;
    for field in &fields {
        let (status, calendar) = page
            .get(&format!("/api/bookings/calendar?service={field}"))
            .await;
        assert_eq!(status, 200, "{calendar}");
        for day in calendar["days"].as_array().expect("days") {
            let date = day["day"].as_str().expect("day").to_owned();
            if !day["windows"].as_array().expect("windows").is_empty() && !days.contains(&date) {
                days.push(date.clone());
            }
            for window in day["windows"].as_array().expect("windows") {
                if window["open"] != true || !dice.chance(40) {
                    continue;
                }
                let start = window["start"].as_str().expect("start").to_owned();
                let free = window["free"].as_u64().expect("free");
                if free == 0 {
                    continue;
                }
                for _ in 0..dice.between(1, free as i64) {
                    person += 1;
                    let phone = format!("09{person:08}");
                    let by_issuer = dice.chance(30);
                    let issuer_ref = by_issuer.then(|| format!("IH-2026-{person:06}"));
                    let (status, b) = match &issuer_ref {
                        Some(r) => {
                            signed(
                                &hall,
                                "/api/issuers/bookings",
                                json!({"issuer_ref": r, "service": field, "day": date, "window": start, "person": phone}),
                            )
                            .await
                        }
                        None => {
                            page.post(
                                "/api/bookings",
                                json!({"service": field, "day": date, "window": start, "person": phone, "consent": true}),
                            )
                            .await
                        }
                    };
                    assert_eq!(status, 201, "book {field} {date} {start}: {b}");
                    places.push(Place {
                        code: b["code"].as_str().expect("code").to_owned(),
                        field: field.clone(),
                        day: date.clone(),
                        window: start.clone(),
                        source: if by_issuer { "issuer:ihanoi" } else { "page" }.to_owned(),
                        issuer_ref,
                        appointment: b["appointment_at"].as_i64().expect("appointment"),
                        outcome: "booked",
                        offset: None,
                        walk_in: None,
                    });
                }
            }
        }
    }
    days.sort();
    assert!(days.len() >= 5, "a week of open days: {days:?}");
    assert!(places.len() > 60, "a busy week: {}", places.len());

    // Some are cancelled, by their holder or by the issuer.
    for p in &mut places {
        if !dice.chance(15) {
            continue;
        }
        let (status, b) = match &p.issuer_ref {
            Some(r) => {
                signed(
                    &hall,
                    &format!("/api/issuers/bookings/{r}/cancel"),
                    json!({}),
                )
                .await
            }
            None => {
                page.post(&format!("/api/bookings/{}/cancel", p.code), json!({}))
                    .await
            }
        };
        assert_eq!(
            (status, b["status"].as_str()),
            (200, Some("cancelled")),
            "{b}"
        );
        p.outcome = "cancelled";
    }

    if let Some(city) = city {
        city.stop().await;
    }

    // Day by day, all but the last: arrivals in time order, a clerk calling at counter 1.
    let mut tickets = Vec::new();
    let kiosk_token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let played = &days[..days.len() - 1];
    for (n, day) in played.iter().enumerate() {
        if n == played.len() - 1 {
            // The hall changes its rule: late bookings are refused from now on.
            hall.settings.bookings.late_arrival = motcua_domain::booking::LateArrival::Refuse;
            hall = hall.restart().await;
        }
        let refuse = n == played.len() - 1;
        let kiosk = hall.device_with_token(kiosk_token.clone());
        // (time, place, expected to be refused as too early)
        let mut arrivals: Vec<(i64, usize, bool)> = Vec::new();
        for (i, p) in places.iter().enumerate() {
            if &p.day != day || p.outcome != "booked" {
                continue;
            }
            let offset = match dice.below(100) {
                0..15 => continue, // never comes
                15..20 => -30 * MIN,
                20..25 => 10 * MIN,
                25..45 => -dice.between(1, 30 * 60 - 1) * 1000,
                45..75 => dice.between(0, 10 * 60 - 1) * 1000,
                75..85 => {
                    // Too early first, then again on time.
                    arrivals.push((p.appointment - dice.between(31, 90) * MIN, i, true));
                    dice.between(-29 * 60, 9 * 60) * 1000
                }
                _ => dice.between(10 * 60 + 1, 120 * 60) * 1000,
            };
            arrivals.push((p.appointment + offset, i, false));
        }
        arrivals.sort();
        let clerk = {
            let day_start = places
                .iter()
                .filter(|p| &p.day == day)
                .map(|p| p.appointment)
                .min()
                .expect("a booking that day");
            set(&hall, (day_start - 30 * MIN).max(store_now(&hall)));
            hall.clerk_at(&format!("clerk{n}"), 1).await
        };
        let mut called: Option<(Value, usize)> = None;
        for (at, i, too_early) in arrivals {
            set(&hall, at.max(store_now(&hall)));
            let at = store_now(&hall);
            let p = &mut places[i];
            if !matches!(p.outcome, "booked" | "no_show") {
                // Came too early at first, and the clock had passed that time: already in.
                continue;
            }
            let (status, answer) = kiosk.post("/api/check-in", json!({"code": p.code})).await;
            // The first morning began at 08:00: an arrival planned before is at 08:00.
            let offset = at - p.appointment;
            if offset < -30 * MIN {
                assert!(too_early);
                assert_eq!(
                    (status, error_code(&answer)),
                    (409, "booking_too_early"),
                    "{answer}"
                );
                continue;
            }
            if offset <= 10 * MIN {
                assert_eq!(
                    (status, answer["outcome"].as_str()),
                    (201, Some("checked_in")),
                    "{answer}"
                );
                p.outcome = "checked_in";
                p.offset = Some(offset);
                tickets.push((
                    answer["code"].as_str().expect("code").to_owned(),
                    Issued {
                        booked: true,
                        queued_at: at.max(p.appointment),
                        first_call: None,
                    },
                ));
            } else if refuse {
                assert_eq!(
                    (status, error_code(&answer)),
                    (409, "booking_late_refused"),
                    "{answer}"
                );
                p.outcome = "late";
                p.offset = Some(offset);
                p.walk_in = Some(false);
            } else {
                assert_eq!(
                    (status, answer["outcome"].as_str()),
                    (201, Some("walk_in")),
                    "{answer}"
                );
                p.outcome = "late";
                p.offset = Some(offset);
                p.walk_in = Some(true);
                tickets.push((
                    answer["code"].as_str().expect("code").to_owned(),
                    Issued {
                        booked: false,
                        queued_at: at,
                        first_call: None,
                    },
                ));
            }
            // Now and then the clerk finishes the one called and calls the next.
            if dice.chance(40) {
                if let Some((ticket, _)) = called.take() {
                    let (status, body) = clerk.act(&ticket, "finish", json!({})).await;
                    assert_eq!(status, 200, "{body}");
                }
                if let Some(ticket) = clerk.call_next(1).await {
                    let code = ticket["code"].as_str().expect("code");
                    // Numbers restart each day: the latest with this code.
                    let k = tickets
                        .iter()
                        .rposition(|(c, _)| c == code)
                        .expect("a ticket the test issued");
                    tickets[k].1.first_call = Some(store_now(&hall));
                    let (status, body) = clerk.act(&ticket, "start", json!({})).await;
                    assert_eq!(status, 200, "{body}");
                    called = Some((ticket, k));
                }
            }
        }
        if let Some((ticket, _)) = called.take() {
            clerk.act(&ticket, "finish", json!({})).await;
        }
        // After the last late window: whoever never came is a no-show once anything happens.
        let evening = places
            .iter()
            .filter(|p| &p.day == day)
            .map(|p| p.appointment)
            .max()
            .expect("a booking")
            + 15 * MIN;
        set(&hall, evening.max(store_now(&hall)));
        let (status, _) = clerk.post("/api/counters/1/close", json!({})).await;
        assert_eq!(status, 200);
        for p in places.iter_mut() {
            if &p.day == day && p.outcome == "booked" {
                p.outcome = "no_show";
            }
        }
    }
    // Every ticket of the week was issued today or before, nobody else's.
    Week {
        hall,
        places,
        tickets: tickets.into_iter().map(|(_, t)| t).collect(),
        days,
    }
}

fn by_key<'a>(rows: &'a Value, key: &str) -> &'a Value {
    rows.as_array()
        .expect("rows")
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("a row {key} in {rows}"))
}

#[tokio::test]
async fn the_bookings_figures_match_an_independent_count_of_a_week() {
    let w = play_week(
        0x5DEE_CE66_D1CE_4E5B,
        Settings::default(),
        week_clock(),
        None,
    )
    .await;
    let manager = w.hall.staff("manager", Role::Manager).await;
    let (from, to) = (&w.days[0], &w.days[w.days.len() - 1]);
    let (status, figures) = manager
        .get(&format!("/api/stats?from={from}&to={to}"))
        .await;
    assert_eq!(status, 200, "{figures}");
    let b = &figures["bookings"];
    let all: Vec<&Place> = w.places.iter().collect();
    assert_eq!(answered(&b["total"]), expected(&all), "the total");
    // The week had every kind of outcome.
    let t = expected(&all);
    for kind in [
        "cancelled",
        "checked_in",
        "late",
        "late_walk_in",
        "no_show",
        "awaited",
    ] {
        assert!(t[kind].as_u64().expect(kind) > 0, "no {kind} in {t}");
    }
    assert!(
        t["late"] != t["late_walk_in"],
        "some late arrivals were refused: {t}"
    );

    let check = |name: &str, rows: &Value, groups: BTreeMap<String, Vec<&Place>>| {
        assert_eq!(
            rows.as_array().expect("rows").len(),
            groups.len(),
            "{name}: {rows}"
        );
        for (key, places) in groups {
            assert_eq!(
                answered(by_key(rows, &key)),
                expected(&places),
                "{name} {key}"
            );
        }
    };
    check(
        "field",
        &b["by_field"],
        group(&w.places, |p| p.field.clone()),
    );
    check(
        "window",
        &b["by_window"],
        group(&w.places, |p| p.window.clone()),
    );
    check("day", &b["by_day"], group(&w.places, |p| p.day.clone()));
    check(
        "source",
        &b["by_source"],
        group(&w.places, |p| p.source.clone()),
    );
    assert_eq!(
        b["by_source"][0]["key"], "page",
        "the hall's own page first"
    );
    assert_eq!(
        by_key(&b["by_source"], "issuer:ihanoi")["name_vi"],
        "Ứng dụng ihanoi"
    );

    // The visits of the tickets the check-ins gave, walk-in and booked apart.
    let split = &figures["total"]["by_ticket"];
    for (kind, booked) in [("walk_in", false), ("booked", true)] {
        let mine: Vec<&Issued> = w.tickets.iter().filter(|t| t.booked == booked).collect();
        assert_eq!(split[kind]["issued"], json!(mine.len()), "{kind}: {split}");
        let waits: Vec<i64> = mine
            .iter()
            // Called before its appointment: no wait.
            .filter_map(|t| Some((t.first_call? - t.queued_at).max(0)))
            .collect();
        assert_eq!(
            split[kind]["wait"]["n"],
            json!(waits.len()),
            "{kind}: {split}"
        );
        assert_eq!(
            split[kind]["wait"]["median"],
            nearest_rank_median(waits),
            "{kind}"
        );
    }
    assert!(split["booked"]["wait"]["n"].as_u64() > Some(0), "{split}");
}

#[tokio::test]
async fn the_bookings_csv_carries_the_same_figures_with_vietnamese_headers() {
    let w = play_week(
        0x2545_F491_4F6C_DD1D,
        Settings::default(),
        week_clock(),
        None,
    )
    .await;
    let manager = w.hall.staff("manager", Role::Manager).await;
    let (from, to) = (&w.days[0], &w.days[w.days.len() - 1]);
    let (status, kind, bytes) = manager
        .get_bytes(&format!("/api/stats.csv?from={from}&to={to}&by=bookings"))
        .await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let text = String::from_utf8(bytes).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("a column {name} in {header:?}"))
    };
    let (booked, no_show, late, walk_in, rate, median) = (
        column("Số lịch hẹn"),
        column("Không đến"),
        column("Đến muộn"),
        column("Đến muộn được cấp số thường"),
        column("Tỷ lệ đến (%)"),
        column("Lệch giờ hẹn trung vị (phút)"),
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let mut seen = 0;
    for (by, groups) in [
        ("Lĩnh vực", group(&w.places, |p| p.field.clone())),
        ("Khung giờ", group(&w.places, |p| p.window.clone())),
        ("Ngày", group(&w.places, |p| p.day.clone())),
        ("Nguồn đặt", group(&w.places, |p| p.source.clone())),
    ] {
        for (key, places) in groups {
            let row = rows
                .iter()
                .find(|r| r[0] == by && r[1] == key)
                .unwrap_or_else(|| panic!("a row {by} {key}"));
            let e = expected(&places);
            assert_eq!(row[booked], e["booked"].to_string(), "{by} {key}");
            assert_eq!(row[no_show], e["no_show"].to_string(), "{by} {key}");
            assert_eq!(row[late], e["late"].to_string(), "{by} {key}");
            assert_eq!(row[walk_in], e["late_walk_in"].to_string(), "{by} {key}");
            match e["show_rate"].as_f64() {
                Some(r) => {
                    let got: f64 = row[rate].parse().expect("a percentage");
                    assert!((got - r * 100.0).abs() < 0.006, "{by} {key}: {got} vs {r}");
                }
                None => assert_eq!(row[rate], "", "{by} {key}"),
            }
            match e["lateness_median"].as_f64() {
                Some(s) => {
                    let got: f64 = row[median].parse().expect("minutes");
                    assert!((got - s / 60.0).abs() < 0.006, "{by} {key}: {got} vs {s}");
                }
                None => assert_eq!(row[median], "", "{by} {key}"),
            }
            seen += 1;
        }
    }
    let total = rows
        .iter()
        .find(|r| r[0] == "Tổng hợp")
        .expect("a total row");
    assert_eq!(total[booked], w.places.len().to_string());
    assert_eq!(rows.len(), seen + 1, "nothing else in the table");

    // The workbook has the same table in a sheet of its own.
    let (status, _, bytes) = manager
        .get_bytes(&format!("/api/stats.xlsx?from={from}&to={to}"))
        .await;
    assert_eq!(status, 200);
    use calamine::{Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let sheet = book.worksheet_range("Lịch hẹn").expect("a bookings sheet");
    let cells: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cells[0][..3], ["Theo", "Mã", "Tên"]);
    let at = cells[0]
        .iter()
        .position(|h| h == "Số lịch hẹn")
        .expect("a bookings column");
    assert_eq!(cells[1][0], "Tổng hợp");
    assert_eq!(cells[1][at], w.places.len().to_string());
    assert_eq!(cells.len(), rows.len() + 1, "the CSV's rows, and a header");
}

fn week_clock() -> ManualClock {
    ManualClock::starting_at(opening_time())
}

#[tokio::test]
async fn the_city_counts_the_halls_bookings_as_the_hall_does_after_the_hall_was_offline() {
    let clock = week_clock();
    let mut city = TestCity::start(clock.clone()).await;
    let (code, secret) = city.register("UBND phường Hoàn Kiếm");
    let settings = Settings {
        city: city.uplink(&code, &secret),
        ..Default::default()
    };
    // The week is booked with the link up, then played with the city down.
    let w = play_week(
        0x0F0F_1234_5678_9ABC,
        settings,
        clock.clone(),
        Some(&mut city),
    )
    .await;
    let manager = w.hall.staff("quanly", Role::Manager).await;
    let (_, u) = manager.get("/api/uplink").await;
    assert!(
        u["backlog"].as_i64() > Some(0),
        "the hall kept what the city missed: {u}"
    );
    let city = city.start_again(clock.clone()).await;
    until("the backlog to drain", || async {
        let (_, u) = manager.get("/api/uplink").await;
        u["backlog"] == 0 && u["last_error"].is_null()
    })
    .await;

    let (from, to) = (&w.days[0], &w.days[w.days.len() - 1]);
    let range = format!("from={from}&to={to}");
    let (status, hall_stats) = manager.get(&format!("/api/stats?{range}")).await;
    assert_eq!(status, 200, "{hall_stats}");
    let office = city.staff("thongke", Role::Manager).await;
    let (status, city_stats) = office
        .get(&format!("/api/city/halls/{code}/stats?{range}"))
        .await;
    assert_eq!(status, 200, "{city_stats}");
    assert_eq!(city_stats["bookings"], hall_stats["bookings"]);
    assert_eq!(
        city_stats["total"]["by_ticket"],
        hall_stats["total"]["by_ticket"]
    );
    let all: Vec<&Place> = w.places.iter().collect();
    assert_eq!(answered(&city_stats["bookings"]["total"]), expected(&all));

    // The side-by-side list counts them apart too, and the city's total is this hall's.
    let (status, overview) = office.get(&format!("/api/city/stats?{range}")).await;
    assert_eq!(status, 200, "{overview}");
    let row = &overview["halls"][0];
    assert_eq!(row["code"], json!(code));
    for kind in ["booked", "checked_in", "no_show", "late"] {
        assert_eq!(
            row["bookings"][kind], hall_stats["bookings"]["total"][kind],
            "{kind}"
        );
        assert_eq!(
            overview["bookings"][kind],
            hall_stats["bookings"]["total"][kind]
        );
    }
    let (status, _, bytes) = office
        .get_bytes(&format!("/api/city/stats.csv?{range}"))
        .await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes).expect("UTF-8");
    let mut lines = text.trim_start_matches('\u{feff}').lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let line: Vec<&str> = lines
        .find(|l| l.starts_with(&code))
        .expect("the hall's line")
        .split(',')
        .collect();
    for (name, kind) in [
        ("Số lịch hẹn", "booked"),
        ("Đến trong khung giờ hẹn", "checked_in"),
        ("Không đến", "no_show"),
        ("Đến muộn", "late"),
    ] {
        let i = header.iter().position(|h| *h == name).expect(name);
        assert_eq!(
            line[i],
            hall_stats["bookings"]["total"][kind].to_string(),
            "{name}"
        );
    }
}
