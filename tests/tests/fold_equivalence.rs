//! The collector's fold against the hall's: the city's collector on PostgreSQL folds each
//! hall's log into visits, counter spans and bookings in memory
//! (`motcua_domain::stats::fold`), the hall's own SQLite store folds the same events in SQL
//! (`motcua_store::stats::fold`). The SQL is the reference (every hall has used it for a
//! year): for the same log, the two must give the same visits, spans and bookings.
//!
//! A real hall is driven over HTTP, on a hand-moved clock, through two days that use every
//! move that changes a figure (see [`a_hall_day_with_every_move_folds_the_same_in_memory_as_in_sql`]),
//! then a simulated day for volume; its log is read back from its database and folded
//! in memory as the collector folds it (event by event, and in batches split at random
//! points with the tickets' visits kept as JSON between them, as the collector keeps them),
//! and compared with what the hall's SQL made of it. A few rare cases no hall produces over
//! HTTP are written by hand and folded both ways.

use chrono::{DateTime, Duration, NaiveDate};
use chrono_tz::Tz;
use motcua_domain::event::{Event, Logged};
use motcua_domain::stats::fold::{FoldedSpan, TicketVisits, fold_booking, fold_spans};
use motcua_domain::stats::{BeganBy, Booking, Outcome, Span, Visit};
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_store::clock::ManualClock;
use motcua_tests::simulation::{self, Options};
use motcua_tests::{Client, Dice, TestHall, error_code, opening_time};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::Path;

const MIN: i64 = 60_000;

/// Every day a test can touch.
fn all_days() -> (NaiveDate, NaiveDate) {
    let day = |s: &str| s.parse::<NaiveDate>().expect("a day");
    (day("2000-01-01"), day("2100-01-01"))
}

// ---------------------------------------------------------------------------------------
// The two folds.

/// What a fold makes of a log: each ticket's visits (keyed by issue day, ticket and visit
/// number, in the order the figures read them), the counters' spans and the bookings.
#[derive(Debug, Clone, Default)]
struct Folded {
    visits: Vec<((NaiveDate, i64, usize), Visit)>,
    spans: Vec<Span>,
    bookings: Vec<Booking>,
}

/// The hall's log as its database holds it.
fn hall_log(db: &rusqlite::Connection) -> Vec<Logged> {
    let mut stmt = db
        .prepare(
            "SELECT seq, at, kind, ticket_id, service, counter_no, user_id, data
             FROM events ORDER BY seq",
        )
        .expect("read the log");
    let rows = stmt
        .query_map([], motcua_store::stats::logged_from_row)
        .expect("read the log");
    rows.map(|r| {
        r.expect("a row of the log")
            .expect("an event this build reads")
    })
    .collect()
}

/// What the hall's SQL folded: its own reads of the figures' tables.
fn sql_fold(db: &rusqlite::Connection) -> Folded {
    let (from, to) = all_days();
    let visits = motcua_store::stats::visits(db, 0, from, to).expect("the visits");
    // The reads give no ticket numbers: the same rows in the same order, for the keys.
    let mut stmt = db
        .prepare(
            "SELECT day, ticket_id, visit FROM stat_visits
             WHERE hall = 0 ORDER BY day, ticket_id, visit",
        )
        .expect("the visits' keys");
    let keys: Vec<(NaiveDate, i64, usize)> = stmt
        .query_map([], |r| {
            let day: String = r.get(0)?;
            Ok((
                day.parse().expect("a day"),
                r.get(1)?,
                r.get::<_, i64>(2)? as usize,
            ))
        })
        .expect("the visits' keys")
        .collect::<Result<_, _>>()
        .expect("the visits' keys");
    assert_eq!(keys.len(), visits.len(), "a key for every visit read");
    Folded {
        visits: keys.into_iter().zip(visits).collect(),
        spans: motcua_store::stats::spans(db, 0, from, to).expect("the spans"),
        bookings: motcua_store::stats::bookings(db, 0, from, to).expect("the bookings"),
    }
}

/// The collector's state between two batches: what its tables keep.
#[derive(Default)]
struct Collector {
    /// Each ticket's visits, as the `tickets` table keeps them (JSON).
    tickets: BTreeMap<i64, Value>,
    /// The spans still running (reloaded for each batch), and those that ended.
    running: Vec<FoldedSpan>,
    ended: Vec<Span>,
    bookings: BTreeMap<i64, Option<Booking>>,
}

impl Collector {
    /// Fold one batch as `fold_and_count` does (server/city/src/pg/ingest.rs): a booking's
    /// event into its booking, a ticket's into its visits and then the spans, any other
    /// into the spans; the visits read from JSON before and written back as JSON after.
    fn take(&mut self, tz: Tz, batch: &[Logged]) {
        let mut tickets: BTreeMap<i64, TicketVisits> = BTreeMap::new();
        let mut spans: Vec<FoldedSpan> = std::mem::take(&mut self.running);
        for e in batch {
            if let Some(reference) = e.event.booking() {
                let booking = self.bookings.entry(reference.booking).or_insert(None);
                fold_booking(booking, e);
                continue;
            }
            match e.ticket {
                Some(ticket) => {
                    let visits = tickets.entry(ticket).or_insert_with(|| {
                        self.tickets
                            .get(&ticket)
                            .map_or_else(TicketVisits::default, |v| {
                                serde_json::from_value(v.clone()).expect("visits read back")
                            })
                    });
                    visits.fold(tz, e);
                    fold_spans(&mut spans, tz, e);
                }
                None => fold_spans(&mut spans, tz, e),
            }
        }
        for (id, visits) in tickets {
            // A ticket whose issue the collector never had is not written.
            if visits.day().is_some() {
                let json = serde_json::to_value(&visits).expect("visits as JSON");
                self.tickets.insert(id, json);
            }
        }
        for mut s in spans {
            s.changed = false;
            match s.span.ended_at {
                Some(_) => self.ended.push(s.span),
                None => self.running.push(s),
            }
        }
    }

    fn folded(&self) -> Folded {
        let mut visits = Vec::new();
        for (id, json) in &self.tickets {
            let ticket: TicketVisits = serde_json::from_value(json.clone()).expect("visits");
            let day = ticket.day().expect("an issued ticket");
            for (n, v) in ticket.into_visits().into_iter().enumerate() {
                visits.push(((day, *id, n), v));
            }
        }
        visits.sort_by_key(|(key, _)| *key);
        let mut spans = self.ended.clone();
        spans.extend(self.running.iter().map(|s| s.span.clone()));
        Folded {
            visits,
            spans,
            bookings: self.bookings.values().flatten().cloned().collect(),
        }
    }
}

/// The log folded in memory in batches ending at `cuts` (indexes into the log).
fn memory_fold(log: &[Logged], tz: Tz, cuts: &[usize]) -> Folded {
    let mut collector = Collector::default();
    let mut from = 0;
    for &to in cuts.iter().chain(std::iter::once(&log.len())) {
        let to = to.clamp(from, log.len());
        collector.take(tz, &log[from..to]);
        from = to;
    }
    collector.folded()
}

/// `n` random cut points of a log of `len` events, in order.
fn random_cuts(dice: &mut Dice, len: usize, n: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = (0..n)
        .map(|_| dice.below(len as u64 + 1) as usize)
        .collect();
    cuts.sort_unstable();
    cuts
}

// ---------------------------------------------------------------------------------------
// Comparing them, with the first difference said plainly.

/// The fields in which two visits differ: `field: sql … memory …`.
fn visit_diff(sql: &Visit, memory: &Visit) -> Vec<String> {
    let (a, b) = (
        serde_json::to_value(sql).expect("visit as JSON"),
        serde_json::to_value(memory).expect("visit as JSON"),
    );
    let (Value::Object(a), Value::Object(b)) = (a, b) else {
        return vec![format!("sql {sql:?}\nmemory {memory:?}")];
    };
    let mut fields: Vec<&String> = a.keys().chain(b.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| a.get(*f) != b.get(*f))
        .map(|f| {
            format!(
                "{f}: sql {} / memory {}",
                a.get(f).unwrap_or(&Value::Null),
                b.get(f).unwrap_or(&Value::Null)
            )
        })
        .collect()
}

/// The ticket's events, one a line, to show beside a difference.
fn story(log: &[Logged], ticket: i64) -> String {
    log.iter()
        .filter(|e| e.ticket == Some(ticket))
        .map(|e| {
            format!(
                "  #{} at {} {} service {:?} counter {:?} user {:?}: {:?}",
                e.seq,
                e.at,
                e.event.kind(),
                e.service,
                e.counter,
                e.user,
                e.event
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first way `memory` differs from `sql`, said plainly, or `None`.
fn first_difference(log: &[Logged], sql: &Folded, memory: &Folded) -> Option<String> {
    for i in 0..sql.visits.len().max(memory.visits.len()) {
        match (sql.visits.get(i), memory.visits.get(i)) {
            (Some((ks, vs)), Some((km, vm))) if ks == km => {
                let diff = visit_diff(vs, vm);
                if !diff.is_empty() {
                    let (day, ticket, n) = ks;
                    return Some(format!(
                        "ticket {ticket} (issued {day}), visit {n}: the folds differ in\n  {}\nits events:\n{}",
                        diff.join("\n  "),
                        story(log, *ticket)
                    ));
                }
            }
            (s, m) => {
                let key = |v: Option<&((NaiveDate, i64, usize), Visit)>| v.map(|(k, _)| *k);
                let ticket = key(s).or(key(m)).map(|(_, t, _)| t).unwrap_or_default();
                return Some(format!(
                    "visit {i} in day and ticket order: the SQL has {:?}, memory {:?} (day, ticket, visit)\nits events:\n{}",
                    key(s),
                    key(m),
                    story(log, ticket)
                ));
            }
        }
    }
    let sorted_spans = |spans: &[Span]| {
        let mut spans: Vec<String> = spans.iter().map(|s| format!("{s:?}")).collect();
        spans.sort();
        spans
    };
    let (a, b) = (sorted_spans(&sql.spans), sorted_spans(&memory.spans));
    if a != b {
        let only_sql: Vec<&String> = a.iter().filter(|s| !b.contains(s)).collect();
        let only_memory: Vec<&String> = b.iter().filter(|s| !a.contains(s)).collect();
        return Some(format!(
            "the counter spans differ ({} in SQL, {} in memory)\nonly in SQL:\n  {}\nonly in memory:\n  {}",
            a.len(),
            b.len(),
            only_sql
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n  "),
            only_memory
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n  "),
        ));
    }
    let sorted_bookings = |bookings: &[Booking]| {
        let mut bookings: Vec<String> = bookings.iter().map(|b| format!("{b:?}")).collect();
        bookings.sort();
        bookings
    };
    let (a, b) = (
        sorted_bookings(&sql.bookings),
        sorted_bookings(&memory.bookings),
    );
    if a != b {
        let only_sql: Vec<&String> = a.iter().filter(|s| !b.contains(s)).collect();
        let only_memory: Vec<&String> = b.iter().filter(|s| !a.contains(s)).collect();
        return Some(format!(
            "the bookings differ ({} in SQL, {} in memory)\nonly in SQL:\n  {}\nonly in memory:\n  {}",
            a.len(),
            b.len(),
            only_sql
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n  "),
            only_memory
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n  "),
        ));
    }
    None
}

/// Hold the memory fold of the hall's log (in one batch, and in batches cut at random
/// points by `seed`) to its SQL fold; how many events, and the SQL's fold.
fn assert_folds_agree(data_dir: &Path, tz: Tz, seed: u64) -> (usize, Folded) {
    let db = rusqlite::Connection::open(data_dir.join("motcua.sqlite3")).expect("open the hall");
    let log = hall_log(&db);
    assert_log_folds_agree(&db, &log, tz, seed)
}

/// [`assert_folds_agree`] for `log`, which `db` holds folded in SQL.
fn assert_log_folds_agree(
    db: &rusqlite::Connection,
    log: &[Logged],
    tz: Tz,
    seed: u64,
) -> (usize, Folded) {
    let log = log.to_vec();
    let sql = sql_fold(db);
    let whole = memory_fold(&log, tz, &[]);
    if let Some(diff) = first_difference(&log, &sql, &whole) {
        panic!("folded in one batch, the collector's fold differs from the hall's SQL: {diff}");
    }
    let mut dice = Dice::new(seed);
    for round in 0..8 {
        // Batches as the uplink sends them (up to a few hundred), or cut anywhere.
        let cuts = match round {
            0 => (1..log.len()).collect(),
            1 => (50..log.len()).step_by(50).collect(),
            _ => {
                let n = 1 + dice.below(40) as usize;
                random_cuts(&mut dice, log.len(), n)
            }
        };
        let batched = memory_fold(&log, tz, &cuts);
        if let Some(diff) = first_difference(&log, &sql, &batched) {
            panic!(
                "folded in batches ending at {cuts:?}, the collector's fold differs from the hall's SQL: {diff}"
            );
        }
    }
    (log.len(), sql)
}

// ---------------------------------------------------------------------------------------
// Driving the hall.

/// The answer, when it is a success.
fn ok((status, body): (u16, Value), what: &str) -> Value {
    assert!((200..300).contains(&status), "{what}: {status} {body}");
    body
}

fn set(hall: &TestHall, ms: i64) {
    hall.clock
        .set(DateTime::from_timestamp_millis(ms).expect("a time"));
}

fn wait(hall: &TestHall, minutes: i64) {
    hall.clock.advance(Duration::minutes(minutes));
}

/// Call `ticket` to counter `no` (the ordinary call, which also calls back a held one).
async fn call(clerk: &Client, no: u16, ticket: &Value) {
    ok(
        clerk.act(ticket, "call", json!({ "counter": no })).await,
        &format!("call {} to {no}", ticket["code"]),
    );
}

async fn act(clerk: &Client, ticket: &Value, action: &str, body: Value) -> Value {
    let what = format!("{action} {}", ticket["code"]);
    ok(clerk.act(ticket, action, body).await, &what)
}

/// Start and, `minutes` later, finish the ticket called at the clerk's counter.
async fn serve(hall: &TestHall, clerk: &Client, ticket: &Value, minutes: i64) {
    act(clerk, ticket, "start", json!({})).await;
    wait(hall, minutes);
    act(clerk, ticket, "finish", json!({})).await;
}

async fn phone_rates(hall: &TestHall, ticket: &Value, mut body: Value) {
    body["token"] = ticket["token"].clone();
    ok(
        hall.anonymous().post("/api/ratings", body).await,
        "rate on the phone",
    );
}

async fn complain(hall: &TestHall, ticket: &Value, topic: &str) {
    ok(
        hall.anonymous()
            .post(
                "/api/complaints",
                json!({"token": ticket["token"], "topic": topic, "text": "Chờ quá lâu"}),
            )
            .await,
        "complain",
    );
}

async fn attach(clerk: &Client, no: u16, code: &str) {
    ok(
        clerk
            .post(
                &format!("/api/counters/{no}/dossiers"),
                json!({ "code": code }),
            )
            .await,
        "attach a dossier",
    );
}

async fn counter(clerk: &Client, no: u16, action: &str, body: Value) {
    ok(
        clerk
            .post(&format!("/api/counters/{no}/{action}"), body)
            .await,
        &format!("{action} counter {no}"),
    );
}

/// Change `[queue] transfer_keeps_place` while the hall runs, as an admin does.
async fn transfers_keep_place(admin: &Client, keep: bool) {
    let (status, all) = admin.get("/api/admin/settings").await;
    assert_eq!(status, 200, "{all}");
    let mut queue = all["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["section"] == "queue")
        .expect("the queue's section")["value"]
        .clone();
    queue["transfer_keeps_place"] = json!(keep);
    ok(
        admin
            .put("/api/admin/settings/queue", json!({ "value": queue }))
            .await,
        "change the queue's rules",
    );
}

/// A citizen's booking, as made on the page: its code and appointment.
struct Place {
    code: String,
    appointment: i64,
}

/// Book `n` places (a window each, the first free ones) on `day` in the first bookable field.
async fn book(hall: &TestHall, day: &str, n: usize) -> Vec<Place> {
    let page = hall.anonymous();
    let fields = ok(page.get("/api/bookings/fields").await, "booking fields");
    let field = fields["fields"][0]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("a bookable field: {fields}"))
        .to_owned();
    let calendar = ok(
        page.get(&format!("/api/bookings/calendar?service={field}"))
            .await,
        "the calendar",
    );
    let windows: Vec<String> = calendar["days"]
        .as_array()
        .expect("days")
        .iter()
        .filter(|d| d["day"] == day)
        .flat_map(|d| d["windows"].as_array().cloned().unwrap_or_default())
        .filter(|w| w["open"] == true && w["free"].as_u64().unwrap_or(0) > 0)
        .map(|w| w["start"].as_str().expect("start").to_owned())
        .collect();
    assert!(windows.len() >= n, "{n} free windows on {day}: {calendar}");
    let mut places = Vec::new();
    for (i, window) in windows.iter().take(n).enumerate() {
        let b = ok(
            page.post(
                "/api/bookings",
                json!({"service": field, "day": day, "window": window,
                       "person": format!("09{i:08}"), "consent": true}),
            )
            .await,
            "book a place",
        );
        places.push(Place {
            code: b["code"].as_str().expect("code").to_owned(),
            appointment: b["appointment_at"].as_i64().expect("appointment"),
        });
    }
    places
}

/// The hall's day of random moves, for volume: tickets issued in every field (some with
/// priority), each open counter calling, recalling, starting, finishing, marking absent
/// (some undone), holding and calling back, transferring, returning and cancelling, and
/// the tablet rating some.
async fn random_moves(
    hall: &TestHall,
    dice: &mut Dice,
    kiosk: &Client,
    desks: &[(u16, &Client)],
    steps: usize,
) {
    const FIELDS: [&str; 5] = ["A", "B", "C", "D", "E"];
    // Per counter: the ticket at it (and whether it is being served), the ones it holds.
    let mut at: BTreeMap<u16, (Value, bool)> = BTreeMap::new();
    let mut held: BTreeMap<u16, Vec<Value>> = BTreeMap::new();
    for _ in 0..steps {
        hall.clock.advance(Duration::seconds(dice.between(0, 90)));
        if dice.chance(25) {
            let priority = if dice.chance(10) { "elderly" } else { "none" };
            let field = FIELDS[dice.below(5) as usize];
            kiosk.issue(field, priority).await;
            continue;
        }
        let (no, clerk) = desks[dice.below(desks.len() as u64) as usize];
        let Some((ticket, serving)) = at.remove(&no) else {
            // Free: call a held one back now and then, else Next.
            let holds = held.entry(no).or_default();
            if !holds.is_empty() && dice.chance(40) {
                let ticket = holds.remove(dice.below(holds.len() as u64) as usize);
                call(clerk, no, &ticket).await;
                at.insert(no, (ticket, false));
            } else if let Some(ticket) = clerk.call_next(no).await {
                at.insert(no, (ticket, false));
            }
            continue;
        };
        let roll = dice.below(100);
        let (action, body) = match (serving, roll) {
            (false, 0..40) => ("start", json!({})),
            (false, 40..55) => ("recall", json!({})),
            (false, 55..70) => ("no-show", json!({})),
            (_, 70..78) => ("hold", json!({})),
            (_, 78..86) => (
                "transfer",
                json!({"service": FIELDS[dice.below(5) as usize]}),
            ),
            (_, 86..93) => ("return", json!({})),
            (_, 93..100) => ("cancel", json!({})),
            (true, _) => ("finish", json!({})),
            (false, _) => ("start", json!({})),
        };
        let (status, answer) = clerk.act(&ticket, action, body).await;
        let refused = error_code(&answer);
        match (action, status) {
            (_, 200) => {}
            // Moves the hall may refuse here: a transfer to the ticket's own field, a
            // fourth hold at the counter.
            ("transfer", 409) if refused == "same_service" => {
                at.insert(no, (ticket, serving));
                continue;
            }
            ("hold", 409) if refused == "hold_limit" => {
                at.insert(no, (ticket, serving));
                continue;
            }
            _ => panic!("{action} {} at {no}: {status} {answer}", ticket["code"]),
        }
        match action {
            "start" => {
                at.insert(no, (ticket, true));
            }
            "recall" => {
                at.insert(no, (ticket, false));
            }
            "hold" => held.entry(no).or_default().push(ticket),
            // The tablet rates some.
            "finish" if dice.chance(40) => {
                let level = dice.between(1, 5);
                let mut body = json!({ "level": level });
                if level <= 3 && dice.chance(50) {
                    body["reasons"] = json!(["wait"]);
                }
                if dice.chance(50) {
                    body["visits_needed"] = json!(dice.between(1, 3));
                }
                act(clerk, &ticket, "rate", body).await;
            }
            "no-show" if dice.chance(30) => {
                // The citizen comes back within the window.
                hall.clock.advance(Duration::seconds(dice.between(5, 300)));
                if dice.chance(50) {
                    let again = act(
                        clerk,
                        &ticket,
                        "undo-absent",
                        json!({"to": "counter", "counter": no}),
                    )
                    .await;
                    at.insert(no, (again, false));
                } else {
                    act(clerk, &ticket, "undo-absent", json!({"to": "queue"})).await;
                }
            }
            _ => {}
        }
    }
    // The counters are let go: what is at them finished or absent, the held called back
    // and cancelled.
    for (no, clerk) in desks {
        if let Some((ticket, serving)) = at.remove(no) {
            let action = if serving { "finish" } else { "no-show" };
            act(clerk, &ticket, action, json!({})).await;
        }
        for ticket in held.remove(no).unwrap_or_default() {
            call(clerk, *no, &ticket).await;
            act(clerk, &ticket, "cancel", json!({})).await;
        }
    }
}

// ---------------------------------------------------------------------------------------
// The tests.

/// Two days of the demo hall with every move that changes a figure, scripted, with a few
/// hundred random moves between them for volume. Wednesday: walk-in and priority tickets;
/// calls, recalls, starts, finishes; an absence undone back to the queue and one back to the
/// counter; transfers that keep the place and (after the admin changes the rule) ones that do
/// not, from waiting, called, serving and held tickets; a return; holds while called and
/// while served, called back and served again; cancellations by a clerk and a manager;
/// ratings on the tablet and on the phone (a phone rating replacing the tablet's), with
/// reasons, a comment and visits needed; complaints on a served ticket and on one never
/// served; dossiers attached and one detached; a result pick-up ticket; counters opened,
/// paused with a reason, resumed, closed (one while paused); places booked for Thursday and
/// one cancelled. Then eight hundred random moves at three counters. Midnight passes with
/// tickets waiting, called, served and held and counters open (one paused): the hall closes
/// the day. Thursday: bookings checked in early and on time, one a no-show, two no-shows
/// that come late after all and are given a walk-in number, and the day's tickets served.
#[tokio::test]
async fn a_hall_day_with_every_move_folds_the_same_in_memory_as_in_sql() {
    let hall = TestHall::start_with_clock(
        Settings::default(),
        ManualClock::starting_at(opening_time()),
    )
    .await;
    let tz = hall.settings.hall().expect("the hall").tz;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let manager = hall.staff("quanly", Role::Manager).await;
    let admin = hall.staff("quantri", Role::Admin).await;
    // Counters: 1 (A, D), 2 (B, E), 3 (C, A), 4 (D, A, C).
    let lan = hall.clerk_at("lan", 1).await;
    let minh = hall.clerk_at("minh", 2).await;
    let hoa = hall.clerk_at("hoa", 3).await;
    let tuan = hall.staff("tuan", Role::Clerk).await;

    // Thursday's places, booked on Wednesday morning; one is cancelled.
    let places = book(&hall, "2026-11-26", 6).await;
    ok(
        hall.anonymous()
            .post(
                &format!("/api/bookings/{}/cancel", places[5].code),
                json!({}),
            )
            .await,
        "cancel a booking",
    );

    // 08:00 the first tickets.
    let walk_in = kiosk.issue("A", "none").await;
    let elderly = kiosk.issue("A", "elderly").await;
    let absent_to_queue = kiosk.issue("D", "none").await;
    let absent_to_counter = kiosk.issue("D", "none").await;
    let land = kiosk.issue("B", "none").await;
    let labour = kiosk.issue("C", "none").await;
    let economy = kiosk.issue("E", "none").await;
    wait(&hall, 2);

    // The priority ticket: called, recalled, served with two dossiers (one typed wrong and
    // taken off), rated on the tablet, then by the citizen on the phone (which replaces it).
    call(&lan, 1, &elderly).await;
    wait(&hall, 1);
    act(&lan, &elderly, "recall", json!({})).await;
    wait(&hall, 1);
    act(&lan, &elderly, "start", json!({})).await;
    attach(&lan, 1, "000.00.16.H26-241204-0001").await;
    attach(&lan, 1, "H26.39-251207-0012").await;
    attach(&lan, 1, "H26.39-251207-0099").await;
    ok(
        lan.delete("/api/counters/1/dossiers/H26.39-251207-0099")
            .await,
        "detach a dossier",
    );
    wait(&hall, 7);
    act(&lan, &elderly, "finish", json!({})).await;
    act(&lan, &elderly, "rate", json!({"level": 5})).await;
    wait(&hall, 1);
    phone_rates(
        &hall,
        &elderly,
        json!({"level": 2, "reasons": ["wait", "guidance"], "visits_needed": 3,
               "comment": "Phải chờ lâu"}),
    )
    .await;

    // Absent, undone back to the queue; served later at counter 4.
    call(&lan, 1, &absent_to_queue).await;
    wait(&hall, 2);
    act(&lan, &absent_to_queue, "recall", json!({})).await;
    wait(&hall, 1);
    act(&lan, &absent_to_queue, "no-show", json!({})).await;
    wait(&hall, 3);
    act(
        &lan,
        &absent_to_queue,
        "undo-absent",
        json!({"to": "queue"}),
    )
    .await;

    // Absent, undone back at the counter: served there, rated low on the tablet.
    call(&lan, 1, &absent_to_counter).await;
    wait(&hall, 1);
    act(&lan, &absent_to_counter, "no-show", json!({})).await;
    wait(&hall, 2);
    act(
        &lan,
        &absent_to_counter,
        "undo-absent",
        json!({"to": "counter", "counter": 1}),
    )
    .await;
    wait(&hall, 1);
    serve(&hall, &lan, &absent_to_counter, 4).await;
    act(
        &lan,
        &absent_to_counter,
        "rate",
        json!({"level": 3, "reasons": ["attitude"], "visits_needed": 2}),
    )
    .await;

    // Counter 4 opens late in the morning and serves the one who came back.
    wait(&hall, 5);
    counter(&tuan, 4, "open", json!({})).await;
    call(&tuan, 4, &absent_to_queue).await;
    wait(&hall, 1);
    serve(&hall, &tuan, &absent_to_queue, 3).await;
    phone_rates(
        &hall,
        &absent_to_queue,
        json!({"level": 4, "visits_needed": 1}),
    )
    .await;

    // Transfers that keep the place: a serving ticket from A to C, served there; a waiting
    // one (by a manager) from E to B.
    call(&hoa, 3, &walk_in).await;
    wait(&hall, 1);
    act(&hoa, &walk_in, "start", json!({})).await;
    wait(&hall, 2);
    act(&hoa, &walk_in, "transfer", json!({"service": "C"})).await;
    act(&manager, &economy, "transfer", json!({"service": "B"})).await;
    // Then the admin changes the rule: transfers go to the back from now on.
    transfers_keep_place(&admin, false).await;
    // A called ticket from B to E, without its place.
    call(&minh, 2, &land).await;
    wait(&hall, 1);
    act(&minh, &land, "transfer", json!({"service": "E"})).await;
    call(&minh, 2, &economy).await;
    serve(&hall, &minh, &economy, 6).await;
    call(&minh, 2, &land).await;
    wait(&hall, 1);
    serve(&hall, &minh, &land, 9).await;
    complain(&hall, &land, "attitude").await;
    call(&hoa, 3, &walk_in).await;
    serve(&hall, &hoa, &walk_in, 5).await;
    act(&hoa, &walk_in, "rate", json!({"level": 4})).await;
    transfers_keep_place(&admin, true).await;

    // Returned: the citizen goes to complete the dossier, back at the end of C's queue.
    call(&hoa, 3, &labour).await;
    wait(&hall, 1);
    act(&hoa, &labour, "start", json!({})).await;
    wait(&hall, 2);
    act(&hoa, &labour, "return", json!({})).await;
    let c2 = kiosk.issue("C", "none").await;
    wait(&hall, 10);
    call(&hoa, 3, &labour).await;
    serve(&hall, &hoa, &labour, 6).await;

    // Holds: one put aside while served (3 minutes kept), one while only called; both
    // called back and served; one held and then transferred.
    let held_serving = kiosk.issue("D", "none").await;
    let held_called = kiosk.issue("A", "none").await;
    let held_moved = kiosk.issue("D", "none").await;
    call(&lan, 1, &held_serving).await;
    wait(&hall, 1);
    act(&lan, &held_serving, "start", json!({})).await;
    wait(&hall, 3);
    act(&lan, &held_serving, "hold", json!({})).await;
    call(&lan, 1, &held_called).await;
    wait(&hall, 1);
    act(&lan, &held_called, "hold", json!({})).await;
    call(&lan, 1, &held_moved).await;
    act(&lan, &held_moved, "start", json!({})).await;
    wait(&hall, 2);
    act(&lan, &held_moved, "hold", json!({})).await;
    wait(&hall, 12);
    call(&lan, 1, &held_serving).await;
    wait(&hall, 1);
    serve(&hall, &lan, &held_serving, 4).await;
    call(&lan, 1, &held_called).await;
    serve(&hall, &lan, &held_called, 2).await;
    act(&lan, &held_moved, "transfer", json!({"service": "A"})).await;
    call(&tuan, 4, &held_moved).await;
    serve(&hall, &tuan, &held_moved, 3).await;

    // Cancelled: one waiting (by a manager), one at the counter (by its clerk); a complaint
    // on the one never served.
    let gone = kiosk.issue("E", "none").await;
    let gone_at_counter = kiosk.issue("B", "none").await;
    wait(&hall, 1);
    act(&manager, &gone, "cancel", json!({})).await;
    call(&minh, 2, &gone_at_counter).await;
    wait(&hall, 1);
    act(&minh, &gone_at_counter, "cancel", json!({})).await;
    complain(&hall, &gone, "wait").await;

    // A result pick-up ticket for the dossier filed in the morning: it goes to A.
    let pickup = ok(
        kiosk
            .post(
                "/api/result-tickets",
                json!({"dossier": "H26.39-251207-0012"}),
            )
            .await,
        "a result pick-up ticket",
    );
    assert_eq!(pickup["result_pickup"], true, "{pickup}");
    call(&tuan, 4, &pickup).await;
    serve(&hall, &tuan, &pickup, 1).await;

    // Breaks: counter 2 pauses for lunch and comes back; counter 3 pauses and closes
    // while paused.
    counter(&minh, 2, "pause", json!({"reason": "Nghỉ trưa"})).await;
    counter(&hoa, 3, "pause", json!({"reason": "Họp giao ban"})).await;
    wait(&hall, 30);
    counter(&minh, 2, "resume", json!({})).await;
    counter(&hoa, 3, "resume", json!({})).await;
    call(&hoa, 3, &c2).await;
    serve(&hall, &hoa, &c2, 4).await;
    counter(&hoa, 3, "pause", json!({"reason": "Về sớm"})).await;
    wait(&hall, 5);
    counter(&hoa, 3, "close", json!({})).await;

    // The afternoon: eight hundred random moves at counters 1, 2 and 4.
    let mut dice = Dice::new(20261125);
    random_moves(
        &hall,
        &mut dice,
        &kiosk,
        &[(1, &lan), (2, &minh), (4, &tuan)],
        800,
    )
    .await;

    // The evening: what is left stays for the day's end: a waiting ticket, one called at
    // counter 4, one served at counter 1, one held there, and counter 2 open but paused.
    let _left_waiting = kiosk.issue("A", "none").await;
    let left_called = kiosk.issue("C", "none").await;
    let left_held = kiosk.issue("D", "none").await;
    let left_serving = kiosk.issue("A", "none").await;
    call(&lan, 1, &left_held).await;
    act(&lan, &left_held, "hold", json!({})).await;
    call(&lan, 1, &left_serving).await;
    act(&lan, &left_serving, "start", json!({})).await;
    call(&tuan, 4, &left_called).await;
    counter(&minh, 2, "pause", json!({"reason": "Hết giờ"})).await;

    // Midnight passes; the first thing Thursday (an early check-in) closes Wednesday.
    set(&hall, places[0].appointment - 20 * MIN);
    let checkin = |code: &str| {
        let kiosk = kiosk.clone();
        let code = code.to_owned();
        async move {
            ok(
                kiosk.post("/api/check-in", json!({ "code": code })).await,
                "check in",
            )
        }
    };
    let early = checkin(&places[0].code).await;
    assert_eq!(early["outcome"], "checked_in", "{early}");
    let thursday = hall.clerk_at("lan2", 1).await;
    set(&hall, places[1].appointment + 5 * MIN);
    let on_time = checkin(&places[1].code).await;
    assert_eq!(on_time["outcome"], "checked_in", "{on_time}");
    set(&hall, places[2].appointment + 15 * MIN);
    let late = checkin(&places[2].code).await;
    assert_eq!(late["outcome"], "walk_in", "{late}");
    // (Place 2 came after its late window: swept as a no-show first, then late.) Places 3
    // and 4 nobody took up by their late window's end: no-shows once anything happens; the
    // citizen of 4 comes after all.
    set(&hall, places[4].appointment + 20 * MIN);
    while let Some(ticket) = thursday.call_next(1).await {
        serve(&hall, &thursday, &ticket, 3).await;
    }
    set(&hall, places[4].appointment + 40 * MIN);
    let after_all = checkin(&places[4].code).await;
    assert_eq!(after_all["outcome"], "walk_in", "{after_all}");
    while let Some(ticket) = thursday.call_next(1).await {
        serve(&hall, &thursday, &ticket, 3).await;
    }
    counter(&thursday, 1, "close", json!({})).await;

    // The log has every kind that changes a figure.
    let db = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("open");
    let log = hall_log(&db);
    let kinds: std::collections::BTreeSet<&str> = log.iter().map(|e| e.event.kind()).collect();
    for kind in [
        "issued",
        "called",
        "recalled",
        "serving",
        "served",
        "absent",
        "absent_undone",
        "held",
        "cancelled",
        "returned",
        "transferred",
        "rated",
        "dossier_attached",
        "dossier_detached",
        "complaint_made",
        "counter_opened",
        "counter_paused",
        "counter_resumed",
        "counter_closed",
        "booking_made",
        "booking_cancelled",
        "booking_checked_in",
        "booking_late",
        "booking_no_show",
    ] {
        assert!(
            kinds.contains(kind),
            "the day has a {kind} event: {kinds:?}"
        );
    }
    // The day's end cancelled a ticket in each state it may leave one in, and closed the
    // counters left open (one of them paused); transfers went both ways.
    let mut ended: Vec<String> = log
        .iter()
        .filter_map(|e| match &e.event {
            Event::Cancelled {
                from,
                reason: Some(_),
                ..
            } => Some(format!("{from:?}")),
            Event::CounterClosed { reason: Some(_) } => Some(format!("counter {:?}", e.counter)),
            _ => None,
        })
        .collect();
    ended.sort();
    ended.dedup();
    for left in [
        "Waiting",
        "Called",
        "Serving",
        "Held",
        "counter Some(1)",
        "counter Some(2)",
        "counter Some(4)",
    ] {
        assert!(
            ended.iter().any(|e| e == left),
            "the day's end closed {left}: {ended:?}"
        );
    }
    for keeps in [true, false] {
        assert!(
            log.iter().any(|e| matches!(
                e.event,
                Event::Transferred { keeps_place, .. } if keeps_place == keeps
            )),
            "a transfer with keeps_place {keeps}"
        );
    }

    let (events, folded) = assert_folds_agree(hall.data_dir(), tz, 18);
    let (visits, spans, bookings) = (
        folded.visits.len(),
        folded.spans.len(),
        folded.bookings.len(),
    );
    assert!(
        events > 800 && visits > 200 && spans >= 9 && bookings == 6,
        "a rich log: {events} events, {visits} visits, {spans} spans, {bookings} bookings"
    );
    // And the figures show what the day did.
    let visits: Vec<&Visit> = folded.visits.iter().map(|(_, v)| v).collect();
    let some = |what: &str, holds: &dyn Fn(&Visit) -> bool| {
        assert!(visits.iter().any(|v| holds(v)), "a visit {what}");
    };
    some("with priority", &|v| v.priority);
    some("recalled", &|v| v.recalls > 0);
    some("begun by a transfer", &|v| {
        v.began_by == BeganBy::Transferred
    });
    some("begun by a return", &|v| v.began_by == BeganBy::Returned);
    some("whose rating the phone replaced", &|v| v.rating_replaced);
    some("with reasons", &|v| !v.reasons.is_empty());
    some("with visits needed", &|v| v.visits_needed.is_some());
    some("with a comment", &|v| v.comment.is_some());
    some("with two dossiers", &|v| v.dossiers.len() == 2);
    some("for a result", &|v| v.result_pickup);
    some("booked", &|v| v.booked);
    some("ended with the day", &|v| v.ended_with_day);
    some("complained of, never served", &|v| {
        v.complaints > 0 && v.outcome != Some(Outcome::Served)
    });
    some("complained of, served", &|v| {
        v.complaints > 0 && v.outcome == Some(Outcome::Served)
    });
    some(
        "served after a hold while served (its start moved back)",
        &|v| {
            v.outcome == Some(Outcome::Served)
                && v.started_at.zip(v.last_call).is_some_and(|(s, c)| s < c)
        },
    );
    assert!(
        folded.spans.iter().any(|s| s.pause.is_some()),
        "a pause among the spans"
    );
}

/// A simulated day (six counters, four fields, a few hundred tickets with breaks and
/// absences) folds the same in memory as in SQL.
#[tokio::test]
async fn a_simulated_day_folds_the_same_in_memory_as_in_sql() {
    let (hall, quotes) = simulation::run_keeping_hall(Options {
        whole_day: true,
        ..Options::morning(7)
    })
    .await;
    let tz = hall.settings.hall().expect("the hall").tz;
    let (events, folded) = assert_folds_agree(hall.data_dir(), tz, 7);
    let visits = folded.visits.len();
    assert!(
        visits >= quotes.len() && events > 3 * quotes.len(),
        "{events} events, {visits} visits for {} tickets",
        quotes.len()
    );
}

/// An event of a hand-written log.
struct Line {
    at_minutes: i64,
    kind: &'static str,
    ticket: Option<i64>,
    service: Option<&'static str>,
    counter: Option<u16>,
    user: Option<i64>,
    data: Value,
}

fn line(at_minutes: i64, kind: &'static str, data: Value) -> Line {
    Line {
        at_minutes,
        kind,
        ticket: None,
        service: None,
        counter: None,
        user: None,
        data,
    }
}

impl Line {
    fn ticket(self, ticket: i64, service: &'static str) -> Line {
        Line {
            ticket: Some(ticket),
            service: Some(service),
            ..self
        }
    }
    fn at(self, counter: u16, user: Option<i64>) -> Line {
        Line {
            counter: Some(counter),
            user,
            ..self
        }
    }
}

/// Rare cases a hall does not make over HTTP but a log may hold (a collector hears what
/// halls of every build send), folded in SQL into a fresh hall database and in memory: a
/// counter opened with no clerk named and paused by one; a ticket whose issue the log does
/// not hold; an issue logged twice; holds while called and while served in a row, then a
/// transfer and the day's end; ratings in every order of tablet and phone, a blank comment;
/// a dossier attached twice, one never attached taken off, codes on a ticket never served;
/// a complaint on a ticket moved twice and never served; a booking made twice, checked in
/// and then swept as a no-show, one cancelled and then checked in; a counter the day closed
/// before any call.
#[test]
fn rare_logs_written_by_hand_fold_the_same_in_memory_as_in_sql() {
    // Booking `n`'s reference, with `more` of the event's own fields.
    let d = |n: u32, more: Value| {
        let mut v = json!({"booking": n, "day": "2026-11-26", "window": "08:00",
                           "appointment": 1_795_654_800_000_i64});
        for (key, value) in more.as_object().cloned().unwrap_or_default() {
            v[key] = value;
        }
        v
    };
    let issued =
        json!({"code": "A001", "priority": "none", "issued_by": "kiosk", "eta_minutes": 5});
    let rated = |level: u8, channel: &str| json!({"level": level, "scale": 5, "comment": null, "channel": channel});
    let lines = vec![
        // Counter 7 opened by nobody named (an older hall's log), paused by clerk 5.
        line(0, "counter_opened", json!({})).at(7, None),
        line(5, "counter_paused", json!({"reason": "Nghỉ"})).at(7, Some(5)),
        line(20, "counter_resumed", json!({})).at(7, Some(5)),
        line(25, "counter_paused", json!({"reason": "Họp"})).at(7, Some(5)),
        line(40, "counter_closed", json!({})).at(7, Some(5)),
        // Counter 8 paused with no open span, and a span the day closes before any call.
        line(1, "counter_paused", json!({"reason": "Chờ"})).at(8, Some(6)),
        line(2, "counter_opened", json!({})).at(9, Some(7)),
        // Ticket 900: its issue is not in the log.
        line(3, "called", json!({"code": "A900", "priority": "none", "waited_ms": 0})).ticket(900, "A").at(1, Some(2)),
        line(4, "served", json!({})).ticket(900, "A").at(1, Some(2)),
        // Ticket 1: issued twice; held while called, then while served, transferred, ends with the day.
        line(0, "counter_opened", json!({})).at(1, Some(2)),
        line(6, "issued", issued.clone()).ticket(1, "A"),
        line(6, "issued", issued.clone()).ticket(1, "A"),
        line(7, "called", json!({"code": "A001", "priority": "none", "waited_ms": 60000})).ticket(1, "A").at(1, Some(2)),
        line(8, "held", json!({})).ticket(1, "A").at(1, Some(2)),
        line(9, "called", json!({"code": "A001", "priority": "none", "waited_ms": 60000})).ticket(1, "A").at(1, Some(2)),
        line(10, "serving", json!({})).ticket(1, "A").at(1, Some(2)),
        line(14, "held", json!({})).ticket(1, "A").at(1, Some(2)),
        line(20, "called", json!({"code": "A001", "priority": "none", "waited_ms": 60000})).ticket(1, "A").at(1, Some(2)),
        line(21, "held", json!({})).ticket(1, "A").at(1, Some(2)),
        line(22, "transferred", json!({"from_service": "A", "to_service": "D", "from": "held", "keeps_place": false})).ticket(1, "A").at(1, Some(2)),
        line(23, "dossier_attached", json!({"dossier": "X-1"})).ticket(1, "D").at(1, Some(2)),
        line(24, "complaint_made", json!({"complaint": 1, "topic": "wait"})).ticket(1, "D"),
        // Ticket 2: served; rated on the phone, then the tablet; a dossier twice, one never attached off.
        line(6, "issued", issued.clone()).ticket(2, "A"),
        line(11, "called", json!({"code": "A002", "priority": "none", "waited_ms": 0})).ticket(2, "A").at(1, Some(2)),
        line(12, "serving", json!({})).ticket(2, "A").at(1, Some(2)),
        line(12, "dossier_attached", json!({"dossier": "Z-9"})).ticket(2, "A").at(1, Some(2)),
        line(12, "dossier_attached", json!({"dossier": "B-2"})).ticket(2, "A").at(1, Some(2)),
        line(12, "dossier_attached", json!({"dossier": "Z-9"})).ticket(2, "A").at(1, Some(2)),
        line(12, "dossier_detached", json!({"dossier": "Q-0"})).ticket(2, "A").at(1, Some(2)),
        line(13, "served", json!({})).ticket(2, "A").at(1, Some(2)),
        line(14, "rated", json!({"level": 2, "scale": 5, "comment": "   ", "channel": "phone", "reasons": ["wait", "other"]})).ticket(2, "A"),
        line(15, "rated", rated(5, "counter")).ticket(2, "A").at(1, Some(2)),
        // Ticket 3: the tablet twice, then the phone; ticket 4: the tablet, then the phone twice.
        line(6, "issued", issued.clone()).ticket(3, "A"),
        line(15, "called", json!({"code": "A003", "priority": "none", "waited_ms": 0})).ticket(3, "A").at(1, Some(2)),
        line(16, "serving", json!({})).ticket(3, "A").at(1, Some(2)),
        line(17, "served", json!({})).ticket(3, "A").at(1, Some(2)),
        line(17, "rated", rated(4, "counter")).ticket(3, "A").at(1, Some(2)),
        line(18, "rated", rated(3, "counter")).ticket(3, "A").at(1, Some(2)),
        line(19, "rated", json!({"level": 1, "scale": 5, "comment": "Tệ", "channel": "phone", "visits_needed": 3})).ticket(3, "A"),
        line(6, "issued", issued.clone()).ticket(4, "C"),
        line(19, "called", json!({"code": "C001", "priority": "none", "waited_ms": 0})).ticket(4, "C").at(1, Some(2)),
        line(19, "serving", json!({})).ticket(4, "C").at(1, Some(2)),
        line(20, "served", json!({})).ticket(4, "C").at(1, Some(2)),
        line(20, "rated", rated(4, "counter")).ticket(4, "C").at(1, Some(2)),
        line(21, "rated", rated(5, "phone")).ticket(4, "C"),
        line(22, "rated", rated(2, "phone")).ticket(4, "C"),
        // Ticket 6: an older hall's log, rated twice before ratings said where.
        line(6, "issued", issued.clone()).ticket(6, "C"),
        line(22, "called", json!({"code": "C002", "priority": "none", "waited_ms": 0})).ticket(6, "C").at(1, Some(2)),
        line(22, "serving", json!({})).ticket(6, "C").at(1, Some(2)),
        line(23, "served", json!({})).ticket(6, "C").at(1, Some(2)),
        line(23, "rated", json!({"level": 4, "scale": 5, "comment": null})).ticket(6, "C"),
        line(24, "rated", json!({"level": 2, "scale": 5, "comment": null})).ticket(6, "C"),
        // Ticket 5: returned, transferred, absent, undone to the queue, never served.
        line(6, "issued", issued.clone()).ticket(5, "B"),
        line(6, "dossier_attached", json!({"dossier": "R-5"})).ticket(5, "B"),
        line(25, "called", json!({"code": "B001", "priority": "none", "waited_ms": 0})).ticket(5, "B").at(1, Some(2)),
        line(26, "returned", json!({"from": "called"})).ticket(5, "B").at(1, Some(2)),
        line(27, "transferred", json!({"from_service": "B", "to_service": "E", "from": "waiting", "keeps_place": true})).ticket(5, "B"),
        line(28, "called", json!({"code": "B001", "priority": "none", "waited_ms": 0})).ticket(5, "E").at(1, Some(2)),
        line(29, "absent", json!({})).ticket(5, "E").at(1, Some(2)),
        line(30, "absent_undone", json!({"to": "queue"})).ticket(5, "E").at(1, Some(2)),
        line(31, "complaint_made", json!({"complaint": 2, "topic": "other"})).ticket(5, "E"),
        // Bookings.
        line(0, "booking_made", d(1, json!({"source": "page"}))),
        line(1, "booking_made", d(1, json!({"source": "issuer:x"}))),
        line(2, "booking_checked_in", d(1, json!({"offset_ms": -60000}))),
        line(3, "booking_no_show", d(1, json!({}))),
        line(0, "booking_made", d(2, json!({"source": "page"}))),
        line(4, "booking_cancelled", d(2, json!({}))),
        line(5, "booking_checked_in", d(2, json!({"offset_ms": 0}))),
        line(0, "booking_made", d(3, json!({"source": "page"}))),
        line(6, "booking_no_show", d(3, json!({}))),
        line(7, "booking_late", d(3, json!({"offset_ms": 1_800_000, "walk_in": false}))),
        // The day ends.
        line(24 * 60, "cancelled", json!({"from": "held", "reason": "day_ended"})).ticket(1, "D").at(1, Some(2)),
        line(24 * 60, "cancelled", json!({"from": "waiting", "reason": "day_ended"})).ticket(5, "E"),
        line(24 * 60, "counter_closed", json!({"reason": "day_ended"})).at(1, None),
        line(24 * 60, "counter_closed", json!({"reason": "day_ended"})).at(8, None),
        line(24 * 60, "counter_closed", json!({"reason": "day_ended"})).at(9, None),
    ];
    let start = opening_time().timestamp_millis();
    let mut log: Vec<Logged> = Vec::new();
    for (i, l) in lines.into_iter().enumerate() {
        let event = Event::from_parts(l.kind, l.data.clone())
            .unwrap_or_else(|e| panic!("{} {}: {e}", l.kind, l.data));
        log.push(Logged {
            seq: i as i64 + 1,
            at: start + l.at_minutes * MIN,
            ticket: l.ticket,
            service: l.service.map(str::to_owned),
            counter: l.counter,
            user: l.user,
            event,
        });
    }
    // In time order, as a log is (the lines are grouped by what they concern).
    log.sort_by_key(|e| (e.at, e.seq));
    for (i, e) in log.iter_mut().enumerate() {
        e.seq = i as i64 + 1;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let db = motcua_store::open_for_admin(dir.path()).expect("a fresh hall database");
    let tz: Tz = "Asia/Ho_Chi_Minh".parse().expect("the zone");
    for e in &log {
        motcua_store::stats::fold(&db, tz, 0, e).expect("folded in SQL");
    }
    let (_, folded) = assert_log_folds_agree(&db, &log, tz, 3);
    assert_eq!(
        (
            folded.visits.len(),
            folded.spans.len(),
            folded.bookings.len()
        ),
        (9, 6, 3),
        "the visits, spans and bookings of the hand-written log"
    );
}
