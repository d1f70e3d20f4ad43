//! The Decision 766 figure counted by hand: a simulated day (tickets issued, called,
//! served or absent at four counters, dossier codes attached at the counter, ratings on
//! both scales from the phone and the tablet, with reasons and the visits needed, complaints,
//! tickets left unrated) is counted independently by the test from what it did, and must
//! equal, exactly, the dashboard's API in every breakdown, the CSV and the Excel workbook,
//! the city's figures (the hall's line, the city's total, the hall in detail) and both
//! exports of ratings by dossier.
//!
//! Attaching a code, complaining and a rating's reasons come from issue 16's other two
//! parts: until they are merged, [`motcua_tests::official`] writes those events through the
//! store.

use chrono::Duration;
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_store::clock::{Clock, ManualClock};
use motcua_tests::official;
use motcua_tests::{Client, Dice, TestCity, TestHall, opening_time, until};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The counters of the demo hall and the fields each serves.
const COUNTERS: [(u16, &[&str]); 4] = [
    (1, &["A", "D"]),
    (2, &["B", "E"]),
    (3, &["C", "A"]),
    (4, &["D", "A", "C"]),
];
const FIELDS: [&str; 5] = ["A", "B", "C", "D", "E"];
const REASONS: [&str; 5] = ["wait", "attitude", "guidance", "repeat", "other"];
const DAY: &str = "2026-11-25";

/// One visit of the day as the test made it.
#[derive(Debug, Clone)]
struct Visit {
    field: &'static str,
    counter: u16,
    clerk: String,
    /// The local hour the ticket was issued.
    hour: u32,
    served: bool,
    dossiers: Vec<String>,
    /// (level, scale).
    rating: Option<(u8, u8)>,
    reasons: Vec<&'static str>,
    visits_needed: Option<u8>,
    complaints: u32,
}

/// A rating on the official scale, written from the decision's text (not the server's
/// code): 1 Rất hài lòng, 2 Hài lòng, 3 Không hài lòng. On five levels the middle one,
/// "bình thường", is not dissatisfied.
fn official_level((level, scale): (u8, u8)) -> u8 {
    match (scale, level) {
        (3, 3) | (5, 5) => 1,
        (3, 2) | (5, 4) | (5, 3) => 2,
        _ => 3,
    }
}

/// The figure of a group of visits, counted by hand: each dossier once (distinct codes),
/// at its worst level, against it when "không hài lòng" or complained about; an unrated
/// dossier is not against it. A served visit without a code is not a dossier.
fn expected(visits: &[&Visit], target: f64) -> Value {
    #[derive(Default)]
    struct Unit {
        worst: Option<u8>,
        complained: bool,
    }
    let mut units: BTreeMap<&str, Unit> = BTreeMap::new();
    let mut without = 0u64;
    for v in visits.iter().filter(|v| v.served) {
        if v.dossiers.is_empty() {
            without += 1;
        }
        for code in &v.dossiers {
            let unit = units.entry(code).or_default();
            if let Some(r) = v.rating {
                unit.worst = unit.worst.max(Some(official_level(r)));
            }
            unit.complained |= v.complaints > 0;
        }
    }
    let count = |f: &dyn Fn(&Unit) -> bool| units.values().filter(|u| f(u)).count() as u64;
    let n = units.len() as u64;
    let against = count(&|u| u.complained || u.worst == Some(3));
    // Read back as the server's answer is, once it has crossed the wire as JSON text: the
    // same quotient parses to the same f64 on both sides (serde_json's parser may land one
    // unit in the last place off an exact quotient).
    let figure = json!({
        "basis": "dossiers",
        "units": n,
        "very_satisfied": count(&|u| u.worst == Some(1)),
        "satisfied": count(&|u| u.worst == Some(2)),
        "dissatisfied": count(&|u| u.worst == Some(3)),
        "unrated": count(&|u| u.worst.is_none()),
        "complained": count(&|u| u.complained),
        "against": against,
        "share": if n == 0 { Value::Null } else { json!((n - against) as f64 / n as f64) },
        "target": target,
        "served_without_dossier": without,
    });
    serde_json::from_str(&figure.to_string()).expect("JSON")
}

/// The low ratings' reasons and the visits needed of a group, counted by hand.
fn expected_reasons(visits: &[&Visit]) -> (Vec<u64>, Vec<u64>) {
    let mut reasons = vec![0u64; REASONS.len()];
    let mut needed = vec![0u64; 3];
    for v in visits.iter().filter(|v| v.served && v.rating.is_some()) {
        for r in &v.reasons {
            reasons[REASONS.iter().position(|x| x == r).expect("a reason")] += 1;
        }
        if let Some(n) = v.visits_needed {
            needed[usize::from(n) - 1] += 1;
        }
    }
    (reasons, needed)
}

fn target_of(field: &str) -> f64 {
    // The demo hall holds land and construction (B) to 90%.
    if field == "B" { 0.9 } else { 0.95 }
}

/// Every breakdown the dashboard shows: (the API's list, the row's key, the group's
/// target) with the visits in each row.
fn groups(visits: &[Visit]) -> Vec<(&'static str, String, f64, Vec<&Visit>)> {
    let mut out = vec![("total", String::new(), 0.95, visits.iter().collect())];
    let mut by =
        |list: &'static str, key: &dyn Fn(&Visit) -> String, target: &dyn Fn(&str) -> f64| {
            let mut rows: BTreeMap<String, Vec<&Visit>> = BTreeMap::new();
            for v in visits {
                rows.entry(key(v)).or_default().push(v);
            }
            for (k, vs) in rows {
                let t = target(&k);
                out.push((list, k, t, vs));
            }
        };
    by("by_field", &|v| v.field.to_owned(), &target_of);
    by("by_counter", &|v| v.counter.to_string(), &|_| 0.95);
    by("by_clerk", &|v| v.clerk.clone(), &|_| 0.95);
    by("by_hour", &|v| format!("{:02}", v.hour), &|_| 0.95);
    by("by_day", &|_| DAY.to_owned(), &|_| 0.95);
    out
}

/// The figures of a breakdown's row in an answer of `/api/stats`.
fn row<'a>(stats: &'a Value, list: &str, key: &str) -> &'a Value {
    if list == "total" {
        return &stats["total"];
    }
    stats[list]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("a row {key} in {list}"))
}

/// The day as it went, with the hall's clients.
struct Day {
    hall: TestHall,
    kiosk: Client,
    clerks: BTreeMap<u16, Client>,
    visits: Vec<Visit>,
    tickets: Vec<Value>,
    codes: BTreeMap<&'static str, Vec<String>>,
    next_code: u32,
}

impl Day {
    async fn attach(&self, no: u16, code: &str) {
        official::attach(&self.clerks[&no], no, code).await;
    }

    async fn complain(&self, ticket: &Value) {
        official::complain(&self.hall, ticket).await;
    }

    /// One citizen: a ticket in a field, called at a counter serving it, then absent, or
    /// served (codes attached while at the counter), then perhaps rated and complained about.
    async fn citizen(&mut self, dice: &mut Dice, scale: u8) {
        let field = FIELDS[dice.below(FIELDS.len() as u64) as usize];
        let serving: Vec<u16> = COUNTERS
            .iter()
            .filter(|(_, fields)| fields.contains(&field))
            .map(|(no, _)| *no)
            .collect();
        let no = serving[dice.below(serving.len() as u64) as usize];
        let clerk = &self.clerks[&no];
        let hour = {
            use chrono::Timelike;
            (self.hall.clock.now() + Duration::hours(7)).hour()
        };
        let ticket = self.kiosk.issue(field, "none").await;
        self.hall
            .clock
            .advance(Duration::minutes(dice.between(0, 3)));
        let called = clerk.call_next(no).await.expect("the ticket is called");
        assert_eq!(called["id"], ticket["id"]);
        let mut visit = Visit {
            field,
            counter: no,
            clerk: format!("canbo{no}"),
            hour,
            served: false,
            dossiers: Vec::new(),
            rating: None,
            reasons: Vec::new(),
            visits_needed: None,
            complaints: 0,
        };
        if dice.chance(10) {
            let (status, body) = clerk.act(&ticket, "no-show", json!({})).await;
            assert_eq!(status, 200, "{body}");
            // Now and then an absent citizen complains: listed, not in the figure.
            if dice.chance(50) {
                self.complain(&ticket).await;
                visit.complaints += 1;
            }
            self.visits.push(visit);
            self.tickets.push(ticket);
            return;
        }
        let (status, body) = clerk.act(&ticket, "start", json!({})).await;
        assert_eq!(status, 200, "{body}");
        // Most visits carry one or two dossiers; one in five codes is a dossier seen before
        // (its result picked up, or papers completed), whose worst rating counts.
        let n = match dice.below(10) {
            0 | 1 => 0,
            2 => 2,
            _ => 1,
        };
        for _ in 0..n {
            let before = self.codes.get(field).cloned().unwrap_or_default();
            let code = if !before.is_empty() && dice.chance(20) {
                before[dice.below(before.len() as u64) as usize].clone()
            } else {
                self.next_code += 1;
                format!("000.00.16.H26-261125-{:04}", self.next_code)
            };
            if visit.dossiers.contains(&code) {
                continue;
            }
            self.attach(no, &code).await;
            self.codes.entry(field).or_default().push(code.clone());
            visit.dossiers.push(code);
        }
        self.hall
            .clock
            .advance(Duration::minutes(dice.between(1, 4)));
        let (status, body) = clerk.act(&ticket, "finish", json!({})).await;
        assert_eq!(status, 200, "{body}");
        visit.served = true;
        // Seven in ten rate, half on the tablet at once, half later on their phone.
        if dice.chance(70) {
            let level = dice.between(1, i64::from(scale)) as u8;
            let low = if scale == 5 { level <= 3 } else { level == 1 };
            let mut body = json!({ "level": level });
            {
                if low {
                    let reasons: Vec<&str> = REASONS
                        .iter()
                        .copied()
                        .filter(|_| dice.chance(40))
                        .collect();
                    body["reasons"] = json!(reasons);
                    visit.reasons = reasons;
                }
                if dice.chance(60) {
                    let n = dice.between(1, 3) as u8;
                    body["visits_needed"] = json!(n);
                    visit.visits_needed = Some(n);
                }
            }
            let (status, answer) = if dice.chance(50) {
                clerk.act(&ticket, "rate", body).await
            } else {
                self.hall
                    .clock
                    .advance(Duration::minutes(dice.between(0, 4)));
                body["token"] = ticket["token"].clone();
                self.hall.anonymous().post("/api/ratings", body).await
            };
            assert!(
                status == 200 || status == 201,
                "a rating: {status} {answer}"
            );
            visit.rating = Some((level, scale));
        }
        if dice.chance(12) {
            let times = 1 + u32::from(dice.chance(30));
            for _ in 0..times {
                self.complain(&ticket).await;
            }
            visit.complaints = times;
        }
        self.visits.push(visit);
        self.tickets.push(ticket);
    }
}

/// A CSV's header and lines, split as the other tests split them (no figure has a comma).
fn csv_lines(bytes: Vec<u8>) -> (Vec<String>, Vec<Vec<String>>) {
    let text = String::from_utf8(bytes).expect("UTF-8");
    let text = text.strip_prefix('\u{feff}').expect("a byte-order mark");
    let mut lines = text.lines();
    let split = |l: &str| l.split(',').map(str::to_owned).collect::<Vec<_>>();
    let header = split(lines.next().expect("a header"));
    (header, lines.map(split).collect())
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("a column {name:?} in {header:?}"))
}

/// The columns of the figure in the exports: (header, the figure's field, as a percentage).
const EXPORTED: [(&str, &str, bool); 9] = [
    ("QĐ 766: số hồ sơ (lượt) tính", "units", false),
    ("QĐ 766: rất hài lòng", "very_satisfied", false),
    ("QĐ 766: hài lòng", "satisfied", false),
    ("QĐ 766: không hài lòng", "dissatisfied", false),
    ("QĐ 766: chưa đánh giá", "unrated", false),
    ("QĐ 766: có phản ánh", "complained", false),
    ("QĐ 766: không hài lòng hoặc có phản ánh", "against", false),
    ("Chỉ số hài lòng QĐ 766 (%)", "share", true),
    ("Mục tiêu QĐ 766 (%)", "target", true),
];

/// A figure as the exports write it: counts as they are, shares in percent to 2 places.
fn exported(figure: &Value, field: &str, percent: bool) -> Option<f64> {
    let x = figure[field].as_f64()?;
    Some(if percent {
        (x * 100.0 * 100.0).round() / 100.0
    } else {
        x
    })
}

/// The lines the exports of ratings by dossier must have: (code, field, level on the
/// official scale, visits needed, complaints), sorted.
fn expected_dossier_lines(visits: &[Visit]) -> Vec<(String, String, String, String, String)> {
    let mut lines: Vec<_> = visits
        .iter()
        .filter(|v| v.served && (v.rating.is_some() || v.complaints > 0))
        .flat_map(|v| {
            v.dossiers.iter().map(move |code| {
                (
                    code.clone(),
                    v.field.to_owned(),
                    v.rating
                        .map(|r| official_level(r).to_string())
                        .unwrap_or_default(),
                    v.visits_needed.map(|n| n.to_string()).unwrap_or_default(),
                    v.complaints.to_string(),
                )
            })
        })
        .collect();
    lines.sort();
    lines
}

fn dossier_lines(
    header: &[String],
    lines: &[Vec<String>],
) -> Vec<(String, String, String, String, String)> {
    let at = |name| column(header, name);
    let (code, field, level, needed, complaints) = (
        at("ma_ho_so"),
        at("linh_vuc"),
        at("muc_do"),
        at("so_lan_den"),
        at("phan_anh"),
    );
    let mut out: Vec<_> = lines
        .iter()
        .map(|l| {
            (
                l[code].clone(),
                l[field].clone(),
                l[level].clone(),
                l[needed].clone(),
                l[complaints].clone(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn the_766_figure_counted_by_hand_equals_the_dashboard_the_exports_and_the_citys() {
    let clock = ManualClock::starting_at(opening_time());
    let city = TestCity::start(clock.clone()).await;
    let (hall_code, secret) = city.register("UBND phường Cửa Nam");
    let settings = Settings {
        city: city.uplink(&hall_code, &secret),
        ..Default::default()
    };
    let hall = TestHall::start_with_clock(settings, clock).await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let mut clerks = BTreeMap::new();
    for (no, _) in COUNTERS {
        clerks.insert(no, hall.clerk_at(&format!("canbo{no}"), no).await);
    }
    let mut day = Day {
        hall,
        kiosk,
        clerks,
        visits: Vec::new(),
        tickets: Vec::new(),
        codes: BTreeMap::new(),
        next_code: 0,
    };
    let mut dice = Dice::new(0x766_2022_0000_0001);
    // The morning on five levels; at noon the hall moves to three (a restart with the new
    // setting): the day's figure holds ratings of both scales.
    for _ in 0..40 {
        day.citizen(&mut dice, 5).await;
    }
    let mut hall = day.hall;
    hall.settings.hall.rating_scale = 3;
    day.hall = hall.restart_in_place().await;
    for _ in 0..40 {
        day.citizen(&mut dice, 3).await;
    }
    let visits = day.visits.clone();
    let hall = &day.hall;
    assert!(
        visits.iter().any(|v| v.rating.is_some_and(|(_, s)| s == 5))
            && visits.iter().any(|v| v.rating.is_some_and(|(_, s)| s == 3))
            && visits.iter().any(|v| v.served && v.rating.is_none())
            && visits.iter().any(|v| v.served && v.complaints > 0)
            && visits.iter().any(|v| !v.served && v.complaints > 0)
            && visits.iter().any(|v| v.served && v.dossiers.is_empty()),
        "the day holds every case"
    );
    let reused = {
        let mut seen: BTreeMap<&str, u32> = BTreeMap::new();
        for code in visits.iter().flat_map(|v| &v.dossiers) {
            *seen.entry(code).or_default() += 1;
        }
        seen.values().filter(|&&n| n > 1).count()
    };
    assert!(reused > 0, "some dossiers came twice");

    // The dashboard's API, every breakdown.
    let manager = hall.staff("quanly", Role::Manager).await;
    let range = format!("from={DAY}&to={DAY}");
    let (status, stats) = manager.get(&format!("/api/stats?{range}")).await;
    assert_eq!(status, 200, "{stats}");
    let all = groups(&visits);
    for (list, key, target, vs) in &all {
        let got = &row(&stats, list, key)["official"];
        assert_eq!(got, &expected(vs, *target), "{list} {key}");
        let (reasons, needed) = expected_reasons(vs);
        let figures = row(&stats, list, key);
        let got_reasons: Vec<u64> = REASONS
            .iter()
            .map(|r| {
                figures["reasons"]
                    .as_array()
                    .expect("reasons")
                    .iter()
                    .find(|x| x["reason"] == *r)
                    .and_then(|x| x["count"].as_u64())
                    .expect("a count for every reason")
            })
            .collect();
        assert_eq!(got_reasons, reasons, "{list} {key}: reasons");
        assert_eq!(figures["visits_needed"], json!(needed), "{list} {key}");
        let complaints: u32 = vs.iter().map(|v| v.complaints).sum();
        assert_eq!(figures["complaints"], json!(complaints), "{list} {key}");
    }
    let total = expected(&visits.iter().collect::<Vec<_>>(), 0.95);
    assert!(
        total["share"].as_f64() < Some(1.0),
        "something counts against it: {total}"
    );

    // The CSV of each breakdown and the workbook's sheets.
    for (by, list) in [
        ("total", "total"),
        ("field", "by_field"),
        ("counter", "by_counter"),
        ("clerk", "by_clerk"),
        ("day", "by_day"),
    ] {
        let (status, _, bytes) = manager
            .get_bytes(&format!("/api/stats.csv?{range}&by={by}"))
            .await;
        assert_eq!(status, 200);
        let (header, lines) = csv_lines(bytes);
        let basis = column(&header, "QĐ 766: đơn vị tính");
        let rows: Vec<_> = all.iter().filter(|g| g.0 == list).collect();
        assert_eq!(lines.len(), rows.len(), "{by}");
        for (_, key, target, vs) in rows {
            let want = expected(vs, *target);
            let line = if list == "total" {
                &lines[0]
            } else {
                lines
                    .iter()
                    .find(|l| &l[0] == key)
                    .unwrap_or_else(|| panic!("a line {key} in {by}"))
            };
            assert_eq!(line[basis], "hồ sơ", "{by} {key}");
            for (name, field, percent) in EXPORTED {
                let got: Option<f64> = line[column(&header, name)].parse().ok();
                assert_eq!(got, exported(&want, field, percent), "{by} {key}: {name}");
            }
        }
    }
    use calamine::{Data, DataType, Reader, Xlsx};
    let (status, _, bytes) = manager.get_bytes(&format!("/api/stats.xlsx?{range}")).await;
    assert_eq!(status, 200);
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    for (sheet, list) in [
        ("Theo lĩnh vực", "by_field"),
        ("Theo quầy", "by_counter"),
        ("Theo cán bộ", "by_clerk"),
    ] {
        let range = book.worksheet_range(sheet).expect("the sheet");
        let mut rows = range.rows();
        let header: Vec<String> = rows
            .next()
            .expect("a header")
            .iter()
            .map(|c| c.to_string())
            .collect();
        let lines: Vec<&[Data]> = rows.collect();
        for (_, key, target, vs) in all.iter().filter(|g| g.0 == list) {
            let want = expected(vs, *target);
            let cells = lines
                .iter()
                .find(|c| c[0].to_string() == *key)
                .unwrap_or_else(|| panic!("a row {key} in {sheet}"));
            assert_eq!(
                cells[column(&header, "QĐ 766: đơn vị tính")].to_string(),
                "hồ sơ"
            );
            for (name, field, percent) in EXPORTED {
                let got = cells[column(&header, name)].as_f64();
                assert_eq!(
                    got,
                    exported(&want, field, percent),
                    "{sheet} {key}: {name}"
                );
            }
        }
    }

    // The export of ratings by dossier: a line per dossier per rated or complained visit.
    let want_lines = expected_dossier_lines(&visits);
    assert!(!want_lines.is_empty());
    let (status, kind, bytes) = manager
        .get_bytes(&format!("/api/stats/dossiers.csv?{range}"))
        .await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert!(
        String::from_utf8_lossy(&bytes).contains("\r\n"),
        "CRLF line ends"
    );
    let (header, lines) = csv_lines(bytes);
    assert_eq!(
        header,
        [
            "ma_ho_so",
            "linh_vuc",
            "ten_linh_vuc",
            "thoi_gian",
            "muc_do",
            "ten_muc_do",
            "ly_do",
            "so_lan_den",
            "phan_anh"
        ]
    );
    assert_eq!(dossier_lines(&header, &lines), want_lines);
    for line in &lines {
        assert!(
            line[3].starts_with(DAY) && line[3].ends_with("+07:00"),
            "the hall's time: {line:?}"
        );
        let name = match line[4].as_str() {
            "1" => "Rất hài lòng",
            "2" => "Hài lòng",
            "3" => "Không hài lòng",
            _ => "",
        };
        assert_eq!(line[5], name, "{line:?}");
    }

    // The city, once it holds the whole log.
    let last = {
        let (_, h) = hall.anonymous().get("/healthz").await;
        h["seq"].as_i64().expect("seq")
    };
    until("the city to hold every event", || async {
        let (_, u) = manager.get("/api/uplink").await;
        u["acked_seq"].as_i64() == Some(last)
    })
    .await;
    let office = city.staff("thongke", Role::Manager).await;
    let (status, overview) = office.get(&format!("/api/city/stats?{range}")).await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(overview["halls"][0]["official"], total, "the hall's line");
    assert_eq!(overview["total"]["official"], total, "the city's total");
    let (status, one) = office
        .get(&format!("/api/city/halls/{hall_code}/stats?{range}"))
        .await;
    assert_eq!(status, 200, "{one}");
    for (list, key, target, vs) in all.iter().filter(|g| g.0 != "by_clerk") {
        assert_eq!(
            row(&one, list, key)["official"],
            expected(vs, *target),
            "the city's copy: {list} {key}"
        );
    }
    let (status, _, bytes) = office
        .get_bytes(&format!("/api/city/stats.csv?{range}"))
        .await;
    assert_eq!(status, 200);
    let (header, lines) = csv_lines(bytes);
    let line = lines
        .iter()
        .find(|l| l[0] == hall_code)
        .expect("the hall's line");
    for (name, field, percent) in EXPORTED {
        let got: Option<f64> = line[column(&header, name)].parse().ok();
        assert_eq!(
            got,
            exported(&total, field, percent),
            "the city's CSV: {name}"
        );
    }
    let (status, _, bytes) = office
        .get_bytes(&format!("/api/city/dossiers.csv?{range}"))
        .await;
    assert_eq!(status, 200);
    let (header, lines) = csv_lines(bytes);
    assert_eq!(header[..2], ["ma_ho_so", "ma_don_vi"]);
    assert!(lines.iter().all(|l| l[1] == hall_code), "the hall's code");
    assert_eq!(dossier_lines(&header, &lines), want_lines);
}

#[tokio::test]
async fn a_hall_that_attaches_no_dossier_counts_its_served_visits_and_says_so() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    // Three served, one rated "không hài lòng", one rated "bình thường"; one absent.
    for level in [Some(1), Some(3), None] {
        let ticket = kiosk.issue("A", "none").await;
        clerk.call_next(1).await.expect("called");
        for action in ["start", "finish"] {
            let (status, body) = clerk.act(&ticket, action, json!({})).await;
            assert_eq!(status, 200, "{body}");
        }
        if let Some(level) = level {
            let (status, body) = clerk.act(&ticket, "rate", json!({ "level": level })).await;
            assert_eq!(status, 200, "{body}");
        }
    }
    let absent = kiosk.issue("A", "none").await;
    clerk.call_next(1).await.expect("called");
    let (status, body) = clerk.act(&absent, "no-show", json!({})).await;
    assert_eq!(status, 200, "{body}");

    let manager = hall.staff("quanly", Role::Manager).await;
    let (status, stats) = manager.get("/api/stats").await;
    assert_eq!(status, 200, "{stats}");
    let o = &stats["total"]["official"];
    assert_eq!(o["basis"], "visits");
    assert_eq!(
        (o["units"].as_u64(), o["against"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(o["share"].as_f64(), Some(2.0 / 3.0));
    let (status, _, bytes) = manager.get_bytes("/api/stats.csv?by=total").await;
    assert_eq!(status, 200);
    let (header, lines) = csv_lines(bytes);
    assert_eq!(
        lines[0][column(&header, "QĐ 766: đơn vị tính")],
        "lượt phục vụ"
    );
    // Nothing to export by dossier: the header alone.
    let (status, _, bytes) = manager.get_bytes("/api/stats/dossiers.csv").await;
    assert_eq!(status, 200);
    let (_, lines) = csv_lines(bytes);
    assert!(lines.is_empty(), "{lines:?}");
}

#[tokio::test]
async fn two_halls_dossiers_with_the_same_code_are_two_dossiers_in_the_citys_total_and_a_hall_without_codes_counts_its_visits()
 {
    let clock = ManualClock::starting_at(opening_time());
    let city = TestCity::start(clock.clone()).await;
    let mut managers = Vec::new();
    let mut halls = Vec::new();
    // Each hall numbers its dossiers its own way: the same code is two dossiers. One is
    // rated "rất hài lòng", the other "không hài lòng". A third hall attaches no codes: its
    // served visit (rated "hài lòng") is its unit, and counts in the city's total too.
    for (name, level, code) in [
        ("UBND phường Cửa Nam", 5, Some("H26-0001")),
        ("UBND phường Ba Đình", 1, Some("H26-0001")),
        ("UBND xã Thanh Trì", 4, None),
    ] {
        let (hall_code, secret) = city.register(name);
        let settings = Settings {
            city: city.uplink(&hall_code, &secret),
            ..Default::default()
        };
        let hall = TestHall::start_with_clock(settings, clock.clone()).await;
        let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
        let clerk = hall.clerk_at("canbo1", 1).await;
        let ticket = kiosk.issue("A", "none").await;
        clerk.call_next(1).await.expect("called");
        let (status, body) = clerk.act(&ticket, "start", json!({})).await;
        assert_eq!(status, 200, "{body}");
        if let Some(code) = code {
            official::attach(&clerk, 1, code).await;
        }
        let (status, body) = clerk.act(&ticket, "finish", json!({})).await;
        assert_eq!(status, 200, "{body}");
        let (status, body) = clerk.act(&ticket, "rate", json!({ "level": level })).await;
        assert_eq!(status, 200, "{body}");
        managers.push(hall.staff("quanly", Role::Manager).await);
        halls.push(hall);
    }
    for (hall, manager) in halls.iter().zip(&managers) {
        let (_, h) = hall.anonymous().get("/healthz").await;
        let last = h["seq"].as_i64().expect("seq");
        until("the city to hold every event", || async {
            let (_, u) = manager.get("/api/uplink").await;
            u["acked_seq"].as_i64() == Some(last)
        })
        .await;
    }
    let office = city.staff("thongke", Role::Manager).await;
    let (status, overview) = office
        .get(&format!("/api/city/stats?from={DAY}&to={DAY}"))
        .await;
    assert_eq!(status, 200, "{overview}");
    let total = &overview["total"]["official"];
    assert_eq!(
        (total["units"].as_u64(), total["against"].as_u64()),
        (Some(3), Some(1)),
        "{total}"
    );
    assert_eq!(total["basis"], "mixed", "{total}");
    assert_eq!(total["share"].as_f64(), Some(2.0 / 3.0));
    let bases: Vec<&Value> = overview["halls"]
        .as_array()
        .expect("halls")
        .iter()
        .map(|h| &h["official"]["basis"])
        .collect();
    assert_eq!(
        bases.iter().filter(|b| **b == "visits").count(),
        1,
        "{bases:?}"
    );
}
