//! The manager's figures against an independent count.
//!
//! A busy day and the morning after are played through the real server with the hand-moved
//! clock: a few hundred tickets, recalls, no-shows, transfers, returns, cancellations,
//! pauses with reasons, a counter left open overnight with a ticket still called, tickets
//! left waiting at closing time, ratings with comments (one given the next day). The test
//! keeps its own record of what it did and when, computes every figure from that record
//! with its own plain code, and compares with what `/api/stats` and the exports say.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use motcua_domain::{DeviceKind, Role};
use motcua_tests::{Client, Dice, TestHall, error_code, opening_time};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

const MIN: i64 = 60_000;
const HOUR: i64 = 3_600_000;
/// Hanoi is UTC+7 all year.
const OFFSET: i64 = 7 * HOUR;

fn day_of(ms: i64) -> NaiveDate {
    DateTime::from_timestamp_millis(ms + OFFSET)
        .expect("a time")
        .date_naive()
}

fn hour_of(ms: i64) -> u8 {
    ((ms + OFFSET).rem_euclid(24 * HOUR) / HOUR) as u8
}

/// One stay of a ticket in one field's queue, as the test saw it.
#[derive(Debug, Clone)]
struct Stay {
    field: String,
    began_by: &'static str,
    issued_at: i64,
    queued_at: i64,
    first_call: Option<i64>,
    last_call: Option<i64>,
    counter: Option<u16>,
    clerk: Option<String>,
    recalls: u64,
    start: Option<i64>,
    end: Option<i64>,
    outcome: Option<&'static str>,
    by_day_end: bool,
    quoted: Option<f64>,
    rating: Option<u8>,
    comment: Option<String>,
    rated_at: Option<i64>,
}

struct Ticket {
    token: String,
    json: Value,
    stays: Vec<Stay>,
}

impl Ticket {
    fn stay(&mut self) -> &mut Stay {
        self.stays.last_mut().expect("a ticket has a stay")
    }
}

/// A counter open, or paused, as the test saw it.
#[derive(Debug, Clone)]
struct Opening {
    counter: u16,
    clerk: String,
    pause: Option<String>,
    day: NaiveDate,
    began: i64,
    end: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Desk {
    Idle,
    Called { ticket: usize, walk_until: i64 },
    Serving { ticket: usize, until: i64 },
}

struct Counter {
    no: u16,
    clerk: String,
    client: Client,
    open: bool,
    paused: bool,
    desk: Desk,
    last_activity: i64,
}

struct History {
    hall: TestHall,
    tickets: Vec<Ticket>,
    openings: Vec<Opening>,
    counters: Vec<Counter>,
    by_id: HashMap<i64, usize>,
    now: i64,
    dice: Dice,
    kiosk: Client,
    manager: Client,
    citizen: Client,
}

const FIELDS: [&str; 5] = ["A", "B", "C", "D", "E"];

impl History {
    fn set_clock(&mut self, t: i64) {
        self.now = t;
        self.hall
            .clock
            .set(DateTime::from_timestamp_millis(t).expect("a time"));
    }

    async fn issue(&mut self) {
        let field = FIELDS[self.dice.below(5) as usize];
        let priority = if self.dice.chance(10) {
            "elderly"
        } else {
            "none"
        };
        let (status, body) = self
            .kiosk
            .post(
                "/api/tickets",
                json!({"service": field, "priority": priority}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let t = &body;
        let id = t["id"].as_i64().expect("id");
        self.by_id.insert(id, self.tickets.len());
        self.tickets.push(Ticket {
            token: body["token"].as_str().expect("token").to_owned(),
            json: t.clone(),
            stays: vec![Stay {
                field: field.to_owned(),
                began_by: "issued",
                issued_at: self.now,
                queued_at: self.now,
                first_call: None,
                last_call: None,
                counter: None,
                clerk: None,
                recalls: 0,
                start: None,
                end: None,
                outcome: None,
                by_day_end: false,
                quoted: Some(t["eta_minutes"].as_f64().expect("a quoted estimate")),
                rating: None,
                comment: None,
                rated_at: None,
            }],
        });
    }

    async fn act(&mut self, c: usize, ticket: usize, action: &str, body: Value) {
        let (status, answer) = self.counters[c]
            .client
            .act(&self.tickets[ticket].json, action, body)
            .await;
        assert_eq!(status, 200, "{action}: {answer}");
        if matches!(
            action,
            "recall" | "start" | "finish" | "no-show" | "transfer" | "return"
        ) {
            self.counters[c].last_activity = self.now;
        }
    }

    fn end_stay(&mut self, ticket: usize, outcome: &'static str) {
        let now = self.now;
        let stay = self.tickets[ticket].stay();
        stay.end = Some(now);
        stay.outcome = Some(outcome);
    }

    fn requeue(&mut self, ticket: usize, field: String, began_by: &'static str) {
        let now = self.now;
        let issued_at = self.tickets[ticket].stays[0].issued_at;
        self.tickets[ticket].stays.push(Stay {
            field,
            began_by,
            issued_at,
            queued_at: now,
            first_call: None,
            last_call: None,
            counter: None,
            clerk: None,
            recalls: 0,
            start: None,
            end: None,
            outcome: None,
            by_day_end: false,
            quoted: None,
            rating: None,
            comment: None,
            rated_at: None,
        });
    }

    async fn open(&mut self, c: usize) {
        let no = self.counters[c].no;
        let (status, body) = self.counters[c]
            .client
            .post(&format!("/api/counters/{no}/open"), json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
        self.counters[c].open = true;
        self.counters[c].last_activity = self.now;
        self.openings.push(Opening {
            counter: no,
            clerk: self.counters[c].clerk.clone(),
            pause: None,
            day: day_of(self.now),
            began: self.now,
            end: None,
        });
    }

    fn end_opening(&mut self, no: u16, paused: bool, at: i64) {
        for o in self.openings.iter_mut() {
            if o.counter == no && o.end.is_none() && o.pause.is_some() == paused {
                o.end = Some(at);
            }
        }
    }

    async fn pause(&mut self, c: usize, reason: &str) {
        let no = self.counters[c].no;
        let (status, body) = self.counters[c]
            .client
            .post(
                &format!("/api/counters/{no}/pause"),
                json!({"reason": reason}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        self.counters[c].paused = true;
        self.openings.push(Opening {
            counter: no,
            clerk: self.counters[c].clerk.clone(),
            pause: Some(reason.to_owned()),
            day: day_of(self.now),
            began: self.now,
            end: None,
        });
    }

    async fn resume(&mut self, c: usize) {
        let no = self.counters[c].no;
        let (status, body) = self.counters[c]
            .client
            .post(&format!("/api/counters/{no}/resume"), json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
        self.counters[c].paused = false;
        self.end_opening(no, true, self.now);
    }

    async fn close(&mut self, c: usize) {
        let no = self.counters[c].no;
        let (status, body) = self.counters[c]
            .client
            .post(&format!("/api/counters/{no}/close"), json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
        self.counters[c].open = false;
        self.counters[c].paused = false;
        self.end_opening(no, true, self.now);
        self.end_opening(no, false, self.now);
    }

    async fn rate_by_phone(&mut self, ticket: usize, with_comment: bool) {
        let level = (1 + self.dice.below(5)) as u8;
        let comment = with_comment.then(|| format!("Góp ý số {ticket}: cán bộ nhiệt tình"));
        let (status, body) = self
            .citizen
            .post(
                "/api/ratings",
                json!({"token": self.tickets[ticket].token, "level": level, "comment": comment}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let now = self.now;
        let stay = self.tickets[ticket].stay();
        stay.rating = Some(level);
        stay.comment = comment;
        stay.rated_at = Some(now);
    }

    /// One step of a counter's work.
    async fn work(&mut self, c: usize, serving: bool) {
        let now = self.now;
        match self.counters[c].desk {
            Desk::Idle => {
                if !serving || !self.counters[c].open || self.counters[c].paused {
                    return;
                }
                let no = self.counters[c].no;
                let Some(called) = self.counters[c].client.call_next(no).await else {
                    return;
                };
                let ticket = self.by_id[&called["id"].as_i64().expect("id")];
                self.tickets[ticket].json = called;
                let clerk = self.counters[c].clerk.clone();
                let stay = self.tickets[ticket].stay();
                stay.first_call = Some(stay.first_call.unwrap_or(now));
                stay.last_call = Some(now);
                stay.counter = Some(no);
                stay.clerk = Some(clerk);
                self.counters[c].last_activity = now;
                let walk_until = now + self.dice.between(10_000, 150_000);
                self.counters[c].desk = Desk::Called { ticket, walk_until };
            }
            Desk::Called { ticket, walk_until } if now >= walk_until => {
                if self.dice.chance(20) && self.tickets[ticket].stay().recalls < 2 {
                    self.act(c, ticket, "recall", json!({})).await;
                    let stay = self.tickets[ticket].stay();
                    stay.recalls += 1;
                    stay.last_call = Some(now);
                    let walk_until = now + self.dice.between(10_000, 90_000);
                    self.counters[c].desk = Desk::Called { ticket, walk_until };
                } else if self.dice.chance(10) {
                    self.act(c, ticket, "no-show", json!({})).await;
                    self.end_stay(ticket, "absent");
                    self.counters[c].desk = Desk::Idle;
                } else {
                    self.act(c, ticket, "start", json!({})).await;
                    self.tickets[ticket].stay().start = Some(now);
                    // Skewed service times: mostly a few minutes, now and then long.
                    let minutes = if self.dice.chance(15) {
                        self.dice.between(15, 35)
                    } else {
                        self.dice.between(2, 12)
                    };
                    let until = now + minutes * MIN + self.dice.between(0, 59_000);
                    self.counters[c].desk = Desk::Serving { ticket, until };
                }
            }
            Desk::Serving { ticket, until } if now >= until => {
                let roll = self.dice.below(100);
                if roll < 7 {
                    let from = self.tickets[ticket].stay().field.clone();
                    let to = FIELDS
                        .iter()
                        .find(|f| **f != from && self.dice.chance(40))
                        .unwrap_or(if from == "B" { &"A" } else { &"B" })
                        .to_string();
                    self.act(c, ticket, "transfer", json!({"service": to}))
                        .await;
                    self.end_stay(ticket, "transferred");
                    self.requeue(ticket, to, "transferred");
                } else if roll < 11 {
                    self.act(c, ticket, "return", json!({})).await;
                    self.end_stay(ticket, "returned");
                    let field = self.tickets[ticket].stay().field.clone();
                    self.requeue(ticket, field, "returned");
                } else if roll < 13 {
                    self.act(c, ticket, "cancel", json!({})).await;
                    self.end_stay(ticket, "cancelled");
                } else {
                    self.act(c, ticket, "finish", json!({})).await;
                    self.end_stay(ticket, "served");
                    let rating = self.dice.below(100);
                    if rating < 15 {
                        // At the counter's tablet, no comment.
                        let level = (1 + self.dice.below(5)) as u8;
                        let (status, body) = self.counters[c]
                            .client
                            .act(&self.tickets[ticket].json, "rate", json!({"level": level}))
                            .await;
                        assert_eq!(status, 200, "{body}");
                        let stay = self.tickets[ticket].stay();
                        stay.rating = Some(level);
                        stay.rated_at = Some(now);
                    } else if rating < 55 {
                        let with_comment = self.dice.chance(30);
                        self.rate_by_phone(ticket, with_comment).await;
                    }
                }
                self.counters[c].desk = Desk::Idle;
            }
            _ => {}
        }
    }

    /// A manager cancels or transfers a ticket still waiting.
    async fn manager_moves_a_waiting_ticket(&mut self) {
        let waiting: Vec<usize> = (0..self.tickets.len())
            .filter(|&i| {
                let s = self.tickets[i].stays.last().expect("a stay");
                s.outcome.is_none() && s.first_call.is_none()
            })
            .collect();
        if waiting.is_empty() {
            return;
        }
        let ticket = waiting[self.dice.below(waiting.len() as u64) as usize];
        let json = self.tickets[ticket].json.clone();
        if self.dice.chance(50) {
            let (status, body) = self.manager.act(&json, "cancel", json!({})).await;
            assert_eq!(status, 200, "{body}");
            self.end_stay(ticket, "cancelled");
        } else {
            let from = self.tickets[ticket].stay().field.clone();
            let to = if from == "D" { "A" } else { "D" };
            let (status, body) = self
                .manager
                .act(&json, "transfer", json!({"service": to}))
                .await;
            assert_eq!(status, 200, "{body}");
            self.end_stay(ticket, "transferred");
            self.requeue(ticket, to.to_owned(), "transferred");
        }
    }
}

fn local(day: NaiveDate, h: u32, m: u32) -> i64 {
    let naive = day.and_hms_opt(h, m, 0).expect("a time");
    Utc.from_utc_datetime(&naive).timestamp_millis() - OFFSET
}

/// A busy day, then the next morning: the history every figure is checked on.
async fn busy_history(seed: u64) -> History {
    let hall = TestHall::start().await;
    let day1 = day_of(opening_time().timestamp_millis());
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let manager = hall.staff("quanly", Role::Manager).await;
    let citizen = hall.anonymous();
    let mut counters = Vec::new();
    for no in 1..=4u16 {
        let clerk = format!("canbo{no}");
        counters.push(Counter {
            no,
            client: hall.staff(&clerk, Role::Clerk).await,
            clerk,
            open: false,
            paused: false,
            desk: Desk::Idle,
            last_activity: 0,
        });
    }
    let mut h = History {
        hall,
        tickets: Vec::new(),
        openings: Vec::new(),
        counters,
        by_id: HashMap::new(),
        now: 0,
        dice: Dice::new(seed),
        kiosk,
        manager,
        citizen,
    };

    // Day one, 07:50 to 17:10.
    let mut t = local(day1, 7, 50);
    let mut lunch_done = [false; 4];
    let mut meeting_done = false;
    let mut gone_home = [false; 4];
    while t < local(day1, 17, 10) {
        h.set_clock(t);
        let clock = t - local(day1, 0, 0);
        for (c, gone) in gone_home.iter().enumerate() {
            let opens_at = if c == 3 { 9 * HOUR } else { 8 * HOUR };
            if !h.counters[c].open && clock >= opens_at && !gone {
                h.open(c).await;
            }
        }
        if clock < 16 * HOUR + 30 * MIN && h.dice.chance(33) {
            h.issue().await;
        }
        if h.dice.chance(2) {
            h.manager_moves_a_waiting_ticket().await;
        }
        for c in 0..4 {
            let idle = h.counters[c].desk == Desk::Idle;
            if !h.counters[c].open {
                continue;
            }
            // Counter 2 goes to a meeting mid-morning; everyone breaks for lunch in turn.
            if c == 1 && idle && !meeting_done && !h.counters[c].paused && clock >= 10 * HOUR {
                h.pause(c, "Họp giao ban").await;
                meeting_done = true;
                continue;
            }
            if c == 1
                && h.counters[c].paused
                && !lunch_done[c]
                && (10 * HOUR + 20 * MIN..11 * HOUR).contains(&clock)
            {
                h.resume(c).await;
            }
            let lunch_at = 11 * HOUR + 30 * MIN + c as i64 * 10 * MIN;
            if idle && !lunch_done[c] && !h.counters[c].paused && clock >= lunch_at {
                h.pause(c, "Nghỉ trưa").await;
                lunch_done[c] = true;
                continue;
            }
            if lunch_done[c] && h.counters[c].paused && clock >= lunch_at + 75 * MIN {
                h.resume(c).await;
            }
            // Counter 3 leaves at 15:00; 2 and 4 close at 16:45, leaving some waiting;
            // counter 1 is never closed and keeps its last ticket called overnight.
            let leaves_at = match c {
                2 => Some(15 * HOUR),
                1 | 3 => Some(16 * HOUR + 45 * MIN),
                _ => None,
            };
            if idle && !h.counters[c].paused && leaves_at.is_some_and(|at| clock >= at) {
                h.close(c).await;
                gone_home[c] = true;
                continue;
            }
            let serving = !(c == 0 && clock >= 16 * HOUR + 50 * MIN);
            if c == 0 && !serving {
                // Counter 1 only calls one last ticket and leaves it.
                continue;
            }
            h.work(c, true).await;
        }
        t += h.dice.between(5_000, 60_000);
    }
    // Make sure counter 1 leaves a ticket called overnight.
    for _ in 0..50 {
        if h.counters[0].desk != Desk::Idle {
            break;
        }
        h.issue().await;
        h.work(0, true).await;
    }
    assert!(
        matches!(
            h.counters[0].desk,
            Desk::Called { .. } | Desk::Serving { .. }
        ),
        "counter 1 holds a ticket at closing"
    );

    // The next morning: the first write ends yesterday. Everything still open is cancelled
    // with the day; counter 1's open time ends at its last activity.
    let day2 = day1.succ_opt().expect("a next day");
    h.set_clock(local(day2, 8, 0));
    let yesterday_end = h.now;
    for ticket in h.tickets.iter_mut() {
        let stay = ticket.stays.last_mut().expect("a stay");
        if stay.outcome.is_none() {
            stay.end = Some(yesterday_end);
            stay.outcome = Some("cancelled");
            stay.by_day_end = true;
        }
    }
    for c in 0..4 {
        if h.counters[c].open {
            let (no, last) = (h.counters[c].no, h.counters[c].last_activity);
            for o in h.openings.iter_mut() {
                if o.counter == no && o.end.is_none() {
                    o.end = Some(last.max(o.began));
                }
            }
            h.counters[c].open = false;
            h.counters[c].paused = false;
        }
        h.counters[c].desk = Desk::Idle;
    }
    // Yesterday's sessions have expired: sign in again (the first write of the day).
    h.manager = h.hall.sign_in("quanly").await;
    h.counters[1].client = h.hall.sign_in("canbo2").await;
    h.open(1).await;
    // A citizen rates yesterday's service this morning.
    let late = (0..h.tickets.len()).find(|&i| {
        let s = h.tickets[i].stays.last().expect("a stay");
        s.outcome == Some("served") && s.rating.is_none()
    });
    if let Some(ticket) = late {
        h.rate_by_phone(ticket, true).await;
    }
    // A short morning at counter 2, some still waiting when the figures are read.
    let mut t = h.now + 30_000;
    while t < local(day2, 9, 30) {
        h.set_clock(t);
        if h.dice.chance(40) {
            h.issue().await;
        }
        h.work(1, true).await;
        t += h.dice.between(5_000, 60_000);
    }
    h.set_clock(local(day2, 9, 30));
    h
}

// ---- The independent count ------------------------------------------------------------

fn durations(mut ms: Vec<i64>) -> Value {
    ms.sort();
    let n = ms.len();
    if n == 0 {
        return json!({"n": 0, "mean": null, "median": null, "p90": null, "max": null});
    }
    let pick = |p: f64| {
        let mut rank = (p * n as f64).ceil() as usize;
        if rank == 0 {
            rank = 1;
        }
        ms[rank - 1] as f64 / 1000.0
    };
    let sum: i64 = ms.iter().sum();
    json!({
        "n": n,
        "mean": sum as f64 / n as f64 / 1000.0,
        "median": pick(0.5),
        "p90": pick(0.9),
        "max": *ms.last().expect("n > 0") as f64 / 1000.0,
    })
}

fn share(part: usize, whole: usize) -> Value {
    if whole == 0 {
        Value::Null
    } else {
        json!(part as f64 / whole as f64)
    }
}

fn target_of(field: &str) -> i64 {
    match field {
        "A" | "C" => 15,
        "B" | "E" => 20,
        "D" => 10,
        other => panic!("unknown field {other}"),
    }
}

/// Counter time of openings, each cut to the part that falls in `part` (a local hour, or
/// everything).
fn counter_time(openings: &[(&Opening, i64)], in_hour: Option<u8>) -> Value {
    let mut open = 0i64;
    let mut paused = 0i64;
    let mut reasons: BTreeMap<String, i64> = BTreeMap::new();
    for (o, end) in openings {
        let ms = match in_hour {
            None => end - o.began,
            Some(h) => {
                let from = local(o.day, 0, 0) + i64::from(h) * HOUR;
                (end.min(&(from + HOUR)) - o.began.max(from)).max(0)
            }
        };
        if ms == 0 && in_hour.is_some() {
            continue;
        }
        match &o.pause {
            None => open += ms,
            Some(reason) => {
                paused += ms;
                *reasons.entry(reason.clone()).or_default() += ms;
            }
        }
    }
    json!({
        "open_seconds": open as f64 / 1000.0,
        "paused_seconds": paused as f64 / 1000.0,
        "paused_reasons": reasons.iter().map(|(r, ms)| json!({"reason": r, "seconds": *ms as f64 / 1000.0})).collect::<Vec<_>>(),
    })
}

/// The fields each counter serves, from the settings the test hall starts with.
fn counter_fields() -> BTreeMap<u16, Vec<String>> {
    let settings = motcua_hall::config::Settings::default();
    settings
        .counters
        .iter()
        .map(|c| (c.no, c.services.clone()))
        .collect()
}

/// Idle while people waited, counted the plain way: every moment at which anything changes
/// cuts the open spans of `openings` into pieces, and a piece counts when, at its middle,
/// its counter is not paused, has no ticket called or served, and someone of the same day
/// waits uncalled in one of its fields. `stays` are all the range's, `in_hour` as above.
fn idle_time(
    stays: &[&Stay],
    openings: &[(&Opening, i64)],
    in_hour: Option<u8>,
    now: i64,
) -> Value {
    let fields = counter_fields();
    let mut ms = 0i64;
    for &(o, end) in openings.iter().filter(|(o, _)| o.pause.is_none()) {
        let (mut from, mut to) = (o.began, end);
        if let Some(h) = in_hour {
            let start = local(o.day, 0, 0) + i64::from(h) * HOUR;
            (from, to) = (from.max(start), to.min(start + HOUR));
        }
        if from >= to {
            continue;
        }
        let serves = &fields[&o.counter];
        let today: Vec<&&Stay> = stays
            .iter()
            .filter(|s| day_of(s.issued_at) == o.day)
            .collect();
        let pauses: Vec<(i64, i64)> = openings
            .iter()
            .filter(|(p, _)| p.counter == o.counter && p.day == o.day && p.pause.is_some())
            .map(|(p, end)| (p.began, *end))
            .collect();
        let busy: Vec<(i64, i64)> = today
            .iter()
            .filter(|s| s.counter == Some(o.counter))
            .filter_map(|s| Some((s.first_call?, s.end.unwrap_or(now))))
            .collect();
        let waiting: Vec<(i64, i64)> = today
            .iter()
            .filter(|s| serves.contains(&s.field))
            .map(|s| (s.queued_at, s.first_call.or(s.end).unwrap_or(now)))
            .collect();
        let mut cuts: Vec<i64> = vec![from, to];
        for &(a, b) in pauses.iter().chain(&busy).chain(&waiting) {
            cuts.extend([a, b].into_iter().filter(|t| (from..to).contains(t)));
        }
        cuts.sort();
        cuts.dedup();
        let inside =
            |list: &[(i64, i64)], t: f64| list.iter().any(|&(a, b)| a as f64 <= t && t < b as f64);
        for piece in cuts.windows(2) {
            let middle = (piece[0] + piece[1]) as f64 / 2.0;
            if inside(&waiting, middle) && !inside(&busy, middle) && !inside(&pauses, middle) {
                ms += piece[1] - piece[0];
            }
        }
    }
    json!(ms as f64 / 1000.0)
}

fn figures(stays: &[&Stay], openings: &[(&Opening, i64)], in_hour: Option<u8>) -> Value {
    let count = |f: &dyn Fn(&Stay) -> bool| stays.iter().filter(|s| f(s)).count();
    let finished = |o: &'static str| move |s: &Stay| s.outcome == Some(o) && !s.by_day_end;
    let served: Vec<&&Stay> = stays
        .iter()
        .filter(|s| s.outcome == Some("served"))
        .collect();
    let absent = count(&finished("absent"));
    let waits = |s: &Stay| s.first_call.map(|c| c - s.queued_at);
    let rated: Vec<u8> = served.iter().filter_map(|s| s.rating).collect();
    let mut levels = vec![0u64; 5];
    for &l in &rated {
        levels[usize::from(l) - 1] += 1;
    }
    let mut f = json!({
        "issued": count(&|s| s.began_by == "issued"),
        "transferred_in": count(&|s| s.began_by == "transferred"),
        "returned": count(&finished("returned")),
        "served": served.len(),
        "absent": absent,
        "transferred": count(&finished("transferred")),
        "cancelled": count(&finished("cancelled")),
        "unfinished": count(&|s| s.outcome.is_none() || s.by_day_end),
        "recalls": stays.iter().map(|s| s.recalls).sum::<u64>(),
        "wait": durations(stays.iter().filter_map(|s| waits(s)).collect()),
        "walk": durations(stays.iter().filter_map(|s| Some(s.start? - s.last_call?)).collect()),
        "service": durations(served.iter().map(|s| s.end.expect("end") - s.start.expect("start")).collect()),
        "total": durations(served.iter().map(|s| s.end.expect("end") - s.issued_at).collect()),
        "within_target": share(
            served.iter().filter(|s| waits(s).expect("called") <= target_of(&s.field) * MIN).count(),
            served.len(),
        ),
        "absent_rate": share(absent, absent + served.len()),
        "satisfaction": {
            "levels": levels,
            "rated": rated.len(),
            "satisfied_share": share(rated.iter().filter(|&&l| l >= 4).count(), rated.len()),
            "coverage": share(rated.len(), served.len()),
        },
    });
    let time = counter_time(openings, in_hour);
    for key in ["open_seconds", "paused_seconds", "paused_reasons"] {
        f[key] = time[key].clone();
    }
    f
}

/// Compare what the server says with the expected value; numbers to a millionth.
fn same(path: &str, got: &Value, want: &Value) {
    match (got, want) {
        (Value::Object(_), Value::Object(w)) => {
            for (k, v) in w {
                same(&format!("{path}.{k}"), &got[k], v);
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{path}: {got} vs {want}");
            for (i, (g, w)) in g.iter().zip(w).enumerate() {
                same(&format!("{path}[{i}]"), g, w);
            }
        }
        (Value::Number(g), Value::Number(w)) => {
            let (g, w) = (g.as_f64().expect("a number"), w.as_f64().expect("a number"));
            assert!((g - w).abs() < 1e-6, "{path}: got {g}, want {w}");
        }
        _ => assert_eq!(got, want, "{path}"),
    }
}

/// Check every figure of `from..=to` against the test's own record.
async fn check_range(h: &History, from: NaiveDate, to: NaiveDate) -> Value {
    let (status, got) = h
        .manager
        .get(&format!("/api/stats?from={from}&to={to}"))
        .await;
    assert_eq!(status, 200, "{got}");
    let today = day_of(h.now);
    let stays: Vec<&Stay> = h
        .tickets
        .iter()
        .filter(|t| (from..=to).contains(&day_of(t.stays[0].issued_at)))
        .flat_map(|t| t.stays.iter())
        .collect();
    let openings: Vec<(&Opening, i64)> = h
        .openings
        .iter()
        .filter(|o| (from..=to).contains(&o.day))
        .map(|o| {
            let end = o
                .end
                .unwrap_or(if o.day == today { h.now } else { o.began });
            (o, end)
        })
        .collect();
    assert!(stays.len() > 40, "a real history: {} stays", stays.len());

    let idle = |openings: &[(&Opening, i64)], in_hour| idle_time(&stays, openings, in_hour, h.now);
    let mut want = figures(&stays, &openings, None);
    want["idle_while_waiting_seconds"] = idle(&openings, None);
    same("total", &got["total"], &want);

    // Per field, counter, clerk, hour and day: the same rows, each with its figures.
    let mut fields: Vec<String> = stays.iter().map(|s| s.field.clone()).collect();
    fields.sort();
    fields.dedup();
    let rows = got["by_field"].as_array().expect("by_field");
    assert_eq!(rows.len(), fields.len(), "fields");
    for (row, field) in rows.iter().zip(&fields) {
        assert_eq!(row["key"], json!(field));
        let mine: Vec<&Stay> = stays
            .iter()
            .copied()
            .filter(|s| &s.field == field)
            .collect();
        let mut want = figures(&mine, &[], None);
        // A counter serves several fields: a field has no idle time of its own.
        want["idle_while_waiting_seconds"] = Value::Null;
        same(&format!("field {field}"), row, &want);
    }
    let mut counters: Vec<u16> = stays
        .iter()
        .filter_map(|s| s.counter)
        .chain(openings.iter().map(|(o, _)| o.counter))
        .collect();
    counters.sort();
    counters.dedup();
    let rows = got["by_counter"].as_array().expect("by_counter");
    assert_eq!(rows.len(), counters.len(), "counters");
    for (row, no) in rows.iter().zip(&counters) {
        assert_eq!(row["key"], json!(no.to_string()));
        let mine: Vec<&Stay> = stays
            .iter()
            .copied()
            .filter(|s| s.counter == Some(*no))
            .collect();
        let time: Vec<(&Opening, i64)> = openings
            .iter()
            .copied()
            .filter(|(o, _)| o.counter == *no)
            .collect();
        let mut want = figures(&mine, &time, None);
        want["idle_while_waiting_seconds"] = idle(&time, None);
        same(&format!("counter {no}"), row, &want);
    }
    let mut clerks: Vec<String> = stays
        .iter()
        .filter_map(|s| s.clerk.clone())
        .chain(openings.iter().map(|(o, _)| o.clerk.clone()))
        .collect();
    clerks.sort();
    clerks.dedup();
    let rows = got["by_clerk"].as_array().expect("by_clerk");
    assert_eq!(rows.len(), clerks.len(), "clerks");
    for (row, clerk) in rows.iter().zip(&clerks) {
        assert_eq!(row["key"], json!(clerk));
        let mine: Vec<&Stay> = stays
            .iter()
            .copied()
            .filter(|s| s.clerk.as_ref() == Some(clerk))
            .collect();
        let time: Vec<(&Opening, i64)> = openings
            .iter()
            .copied()
            .filter(|(o, _)| &o.clerk == clerk)
            .collect();
        let mut want = figures(&mine, &time, None);
        want["idle_while_waiting_seconds"] = idle(&time, None);
        same(&format!("clerk {clerk}"), row, &want);
    }
    let rows = got["by_hour"].as_array().expect("by_hour");
    let mut seen_hours = 0;
    for hour in 0..24u8 {
        let mine: Vec<&Stay> = stays
            .iter()
            .copied()
            .filter(|s| hour_of(s.queued_at) == hour)
            .collect();
        let time = counter_time(&openings, Some(hour));
        let has_time = time["open_seconds"].as_f64() > Some(0.0)
            || time["paused_seconds"].as_f64() > Some(0.0);
        if mine.is_empty() && !has_time {
            continue;
        }
        let row = &rows[seen_hours];
        seen_hours += 1;
        assert_eq!(row["key"], json!(format!("{hour:02}")));
        let mut want = figures(&mine, &openings, Some(hour));
        want["idle_while_waiting_seconds"] = idle(&openings, Some(hour));
        same(&format!("hour {hour}"), row, &want);
    }
    assert_eq!(rows.len(), seen_hours, "hours");
    let rows = got["by_day"].as_array().expect("by_day");
    let mut days: Vec<NaiveDate> = stays.iter().map(|s| day_of(s.issued_at)).collect();
    days.sort();
    days.dedup();
    assert_eq!(rows.len(), days.len(), "days");
    for (row, day) in rows.iter().zip(&days) {
        assert_eq!(row["key"], json!(day.to_string()));
        let mine: Vec<&Stay> = stays
            .iter()
            .copied()
            .filter(|s| day_of(s.issued_at) == *day)
            .collect();
        let time: Vec<(&Opening, i64)> = openings
            .iter()
            .copied()
            .filter(|(o, _)| o.day == *day)
            .collect();
        let mut want = figures(&mine, &time, None);
        want["idle_while_waiting_seconds"] = idle(&time, None);
        same(&format!("day {day}"), row, &want);
    }

    // The wait distribution.
    let edges = [0i64, 5, 10, 15, 20, 30, 45, 60];
    let mut buckets = [0u64; 8];
    for s in &stays {
        if let Some(call) = s.first_call {
            let wait = call - s.queued_at;
            let i = edges
                .iter()
                .rposition(|e| wait >= e * MIN)
                .expect("a bucket");
            buckets[i] += 1;
        }
    }
    for (i, b) in got["wait_histogram"]
        .as_array()
        .expect("histogram")
        .iter()
        .enumerate()
    {
        assert_eq!(b["from_minutes"], json!(edges[i]));
        assert_eq!(b["count"], json!(buckets[i]), "bucket {i}");
    }

    // The estimate quoted at issue against the wait that followed.
    let quoted: Vec<(f64, f64)> = stays
        .iter()
        .filter(|s| s.began_by == "issued")
        .filter_map(|s| Some(((s.first_call? - s.queued_at) as f64 / MIN as f64, s.quoted?)))
        .collect();
    let n = quoted.len();
    same(
        "estimate",
        &got["estimate"],
        &json!({
            "quoted": n,
            "mean_abs_error_minutes": quoted.iter().map(|(w, q)| (w - q).abs()).sum::<f64>() / n as f64,
            "share_longer": share(quoted.iter().filter(|(w, q)| w > q).count(), n),
            "share_5_min_longer": share(quoted.iter().filter(|(w, q)| *w > q + 5.0).count(), n),
        }),
    );

    // Comments, newest first.
    let mut comments: Vec<(&Stay, i64)> = stays
        .iter()
        .filter(|s| s.comment.is_some())
        .map(|s| (*s, s.rated_at.expect("rated")))
        .collect();
    comments.sort_by(|(a, at_a), (b, at_b)| at_b.cmp(at_a).then_with(|| a.comment.cmp(&b.comment)));
    let listed = got["comments"].as_array().expect("comments");
    assert_eq!(listed.len(), comments.len(), "comments");
    for (c, (s, _)) in listed.iter().zip(&comments) {
        assert_eq!(c["comment"], json!(s.comment));
        assert_eq!(c["level"], json!(s.rating));
        assert_eq!(c["field"], json!(s.field));
        assert_eq!(c["clerk"], json!(s.clerk));
    }
    got
}

#[tokio::test]
async fn every_figure_matches_an_independent_count_of_a_busy_day_and_the_next_morning() {
    let h = busy_history(0x9E37_79B9_7F4A_7C15).await;
    let day1 = day_of(opening_time().timestamp_millis());
    let day2 = day1.succ_opt().expect("a next day");

    // The history has the edge cases the definitions speak of.
    let all: Vec<&Stay> = h.tickets.iter().flat_map(|t| t.stays.iter()).collect();
    assert!(h.tickets.len() >= 200, "{} tickets", h.tickets.len());
    for (what, present) in [
        ("a recall", all.iter().any(|s| s.recalls > 0)),
        ("a no-show", all.iter().any(|s| s.outcome == Some("absent"))),
        (
            "a transfer",
            all.iter().any(|s| s.began_by == "transferred"),
        ),
        ("a return", all.iter().any(|s| s.began_by == "returned")),
        (
            "a cancellation",
            all.iter()
                .any(|s| s.outcome == Some("cancelled") && !s.by_day_end),
        ),
        (
            "a ticket ended with its day",
            all.iter().any(|s| s.by_day_end),
        ),
        (
            "a ticket called when its day ended",
            all.iter().any(|s| s.by_day_end && s.first_call.is_some()),
        ),
        (
            "a ticket still waiting now",
            all.iter().any(|s| s.outcome.is_none()),
        ),
        ("a comment", all.iter().any(|s| s.comment.is_some())),
        (
            "a rating given the next day",
            all.iter().any(|s| {
                s.rated_at.is_some_and(|r| day_of(r) == day2) && day_of(s.issued_at) == day1
            }),
        ),
    ] {
        assert!(present, "the history has {what}");
    }

    let both = check_range(&h, day1, day2).await;
    assert_eq!(both["from"], json!(day1.to_string()));
    check_range(&h, day1, day1).await;
    let today = check_range(&h, day2, day2).await;
    // Today's figures without a range are today's.
    let (_, plain) = h.manager.get("/api/stats").await;
    assert_eq!(plain["total"], today["total"]);
}

#[tokio::test]
async fn the_exports_carry_the_same_figures_with_vietnamese_headers() {
    let h = busy_history(0x2545_F491_4F6C_DD1D).await;
    let day1 = day_of(opening_time().timestamp_millis());
    let day2 = day1.succ_opt().expect("a next day");
    let range = format!("from={day1}&to={day2}");
    let (_, figures) = h.manager.get(&format!("/api/stats?{range}")).await;

    // CSV, one breakdown per file.
    let (status, kind, bytes) = h
        .manager
        .get_bytes(&format!("/api/stats.csv?{range}&by=field"))
        .await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let text = String::from_utf8(bytes).expect("UTF-8");
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte-order mark for spreadsheets");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    assert_eq!(header[0], "Lĩnh vực");
    let served = header
        .iter()
        .position(|h| *h == "Đã phục vụ")
        .expect("a served column");
    let wait = header
        .iter()
        .position(|h| *h == "Chờ trung bình (phút)")
        .expect("a wait column");
    let rows = figures["by_field"].as_array().expect("rows");
    let csv_rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(csv_rows.len(), rows.len());
    for (line, row) in csv_rows.iter().zip(rows) {
        assert_eq!(line[0], row["key"].as_str().expect("key"));
        assert_eq!(line[served], row["served"].to_string());
        let minutes: f64 = line[wait].parse().expect("minutes");
        let want = row["wait"]["mean"].as_f64().expect("a mean") / 60.0;
        assert!((minutes - want).abs() < 0.006, "{minutes} vs {want}");
    }

    // The workbook: one sheet per breakdown, read back.
    let (status, kind, bytes) = h
        .manager
        .get_bytes(&format!("/api/stats.xlsx?{range}"))
        .await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    use calamine::{Data, DataType, Reader, Xlsx};
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let names = book.sheet_names();
    for sheet in [
        "Tổng hợp",
        "Theo lĩnh vực",
        "Theo quầy",
        "Theo cán bộ",
        "Theo giờ",
        "Theo ngày",
        "Phân bố thời gian chờ",
        "Góp ý",
    ] {
        assert!(
            names.iter().any(|n| n == sheet),
            "sheet {sheet} in {names:?}"
        );
    }
    let sheet = book
        .worksheet_range("Theo quầy")
        .expect("the counters' sheet");
    let header: Vec<String> = sheet
        .rows()
        .next()
        .expect("a header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[0], "Quầy");
    let served = header
        .iter()
        .position(|h| h == "Đã phục vụ")
        .expect("served");
    let open = header
        .iter()
        .position(|h| h == "Thời gian mở quầy (phút)")
        .expect("open time");
    let rows = figures["by_counter"].as_array().expect("rows");
    let sheet_rows: Vec<&[Data]> = sheet.rows().skip(1).collect();
    assert_eq!(sheet_rows.len(), rows.len());
    for (cells, row) in sheet_rows.iter().zip(rows) {
        assert_eq!(cells[0].to_string(), row["key"].as_str().expect("key"));
        assert_eq!(cells[served].as_f64(), row["served"].as_f64());
        let want = row["open_seconds"].as_f64().expect("open") / 60.0;
        let got = cells[open].as_f64().expect("a number");
        assert!((got - want).abs() < 0.006, "{got} vs {want}");
    }
    let comments = book.worksheet_range("Góp ý").expect("comments");
    assert_eq!(
        comments.rows().count() - 1,
        figures["comments"].as_array().expect("comments").len()
    );
}

#[tokio::test]
async fn only_managers_and_admins_read_the_figures() {
    let hall = TestHall::start().await;
    let clerk = hall.staff("canbo1", Role::Clerk).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let display = hall.device("tv-1", DeviceKind::Display);
    let admin = hall.staff("admin", Role::Admin).await;
    for path in [
        "/api/stats",
        "/api/stats/now",
        "/api/stats.csv",
        "/api/stats.xlsx",
    ] {
        let (status, body) = hall.anonymous().get(path).await;
        assert_eq!(status, 401, "{path}: {body}");
        for who in [&clerk, &kiosk, &display] {
            let (status, body) = who.get(path).await;
            assert_eq!(status, 403, "{path}: {body}");
            assert!(body["error"]["code"].is_string(), "{body}");
        }
        let (status, _, _) = admin.get_bytes(path).await;
        assert_eq!(status, 200, "{path}");
    }
}

#[tokio::test]
async fn a_bad_range_is_refused_with_a_clear_error() {
    let hall = TestHall::start().await;
    let manager = hall.staff("quanly", Role::Manager).await;
    for query in [
        "from=2026-13-01",
        "from=yesterday",
        "from=2026-11-25&to=2026-11-01",
        "from=2020-01-01&to=2026-11-25",
    ] {
        let (status, body) = manager.get(&format!("/api/stats?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert_eq!(error_code(&body), "bad_range", "{query}");
    }
    let (status, body) = manager.get("/api/stats.csv?by=weather").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), "bad_breakdown");
}

#[tokio::test]
async fn the_hall_now_shows_queues_counters_and_pauses() {
    let hall = TestHall::start().await;
    let manager = hall.staff("quanly", Role::Manager).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    let paused = hall.clerk_at("canbo2", 2).await;
    let (status, body) = paused
        .post("/api/counters/2/pause", json!({"reason": "Nghỉ trưa"}))
        .await;
    assert_eq!(status, 200, "{body}");
    kiosk.issue("A", "none").await;
    hall.clock.advance(Duration::minutes(7));
    kiosk.issue("A", "elderly").await;
    hall.clock.advance(Duration::minutes(3));
    kiosk.issue("D", "none").await;
    let called = clerk.call_next(1).await.expect("a ticket");
    assert_eq!(called["code"], "A002", "priority first");

    let (status, now) = manager.get("/api/stats/now").await;
    assert_eq!(status, 200, "{now}");
    let field = |code: &str| {
        now["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .find(|f| f["code"] == code)
            .cloned()
            .expect("the field")
    };
    assert_eq!(field("A")["waiting"], 1);
    assert_eq!(field("A")["longest_wait_seconds"], json!(600.0));
    assert_eq!(field("D")["longest_wait_seconds"], json!(0.0));
    assert_eq!(field("B")["longest_wait_seconds"], Value::Null);
    let counter = |no: u16| now["counters"][usize::from(no) - 1].clone();
    assert_eq!(counter(1)["state"], "open");
    assert_eq!(counter(1)["clerk"], "canbo1");
    assert_eq!(counter(1)["current"]["code"], "A002");
    assert_eq!(counter(2)["state"], "paused");
    assert_eq!(counter(2)["reason"], "Nghỉ trưa");
    assert_eq!(counter(3)["state"], "closed");
    assert!(now["printers"].is_array());
}
