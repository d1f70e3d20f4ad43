//! A hall day, simulated against the real server, to see how well the wait quoted at the
//! kiosk holds.
//!
//! A discrete-event simulation: the events of the day (arrivals, calls, starts, finishes,
//! no-shows, breaks) are kept in time order; for each, the hall's [`ManualClock`] is set
//! to its time and the kiosk or the clerk does what it would do, over HTTP, against the
//! real server ([`TestHall`]). Every ticket keeps what the kiosk quoted at issue (minutes
//! and people ahead, from the issue response) and when it was first called.
//!
//! The hall: four fields, six counters, some serving one field and some shared:
//!
//! | counter | fields | | field | configured | real mean | share of arrivals |
//! |---|---|---|---|---|---|---|
//! | 1 | A | | A civil status | 8 min | 9 min | 35% |
//! | 2 | A, D | | B land | 15 min | 14 min | 10% |
//! | 3 | D | | C labour and social affairs | 10 min | 10 min | 15% |
//! | 4 | B | | D certification | 4 min | 4.5 min | 40% |
//! | 5 | B, C | | | | | |
//! | 6 | C, A | | | | | |
//!
//! The day: arrivals are Poisson with a rate that climbs from 12 an hour at 7:30 to 38 an
//! hour between 8:30 and 9:30 and falls off until 11:30, when the kiosk stops issuing for
//! lunch; the afternoon (whole day only) brings up to 36 an hour from 13:30 to 16:30. 5%
//! of the tickets are priority. Service times are log-normal (the field's real mean,
//! sigma 0.5, so a visit is often half or twice the mean); the walk to the counter takes 20
//! to 90 s; 8% of the called do not come: recalled after a minute, marked absent half a
//! minute to a minute and a half later. Clerks press Next 0 to 20 s after a visit ends.
//! Counter 6 opens at 7:45; counter 2 takes a 15-minute break at 9:30 (once its citizen is
//! done); every counter pauses for lunch once nobody waits for it after 11:30 and is back
//! at 13:30; counter 3 takes a break at 15:00. The morning alone ends when the last
//! morning ticket has been called and the counters close.

use crate::TestHall;
use chrono::{DateTime, Duration, TimeZone, Utc};
use motcua_domain::{CallOrder, DeviceKind, Role};
use motcua_hall::config::{CounterSettings, QueueSettings, ServiceSettings, Settings};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp, LogNormal};
use serde_json::{Value, json};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fmt::Write as _;

/// The accuracy the estimate is held to: mean absolute error in minutes for queues of up
/// to 30 people ahead...
pub const MAE_TARGET_MINUTES: f64 = 3.0;
/// ...and the share of citizens waiting more than 5 minutes longer than quoted.
pub const LATE_TARGET_SHARE: f64 = 0.20;

/// A field of the simulated hall.
struct FieldPlan {
    code: &'static str,
    name_vi: &'static str,
    name_en: &'static str,
    /// What the hall's settings say (the estimate's fallback).
    configured: u32,
    /// The mean of the real service times (start to finish).
    mean: f64,
    /// Its share of the arrivals.
    share: f64,
}

const FIELDS: [FieldPlan; 4] = [
    FieldPlan {
        code: "A",
        name_vi: "Tư pháp – Hộ tịch",
        name_en: "Justice – Civil status",
        configured: 8,
        mean: 9.0,
        share: 0.35,
    },
    FieldPlan {
        code: "B",
        name_vi: "Đất đai – Xây dựng",
        name_en: "Land – Construction",
        configured: 15,
        mean: 14.0,
        share: 0.10,
    },
    FieldPlan {
        code: "C",
        name_vi: "Lao động – Thương binh và Xã hội",
        name_en: "Labour, Invalids and Social Affairs",
        configured: 10,
        mean: 10.0,
        share: 0.15,
    },
    FieldPlan {
        code: "D",
        name_vi: "Chứng thực",
        name_en: "Certification of copies",
        configured: 4,
        mean: 4.5,
        share: 0.40,
    },
];

const COUNTERS: [(u16, &[&str]); 6] = [
    (1, &["A"]),
    (2, &["A", "D"]),
    (3, &["D"]),
    (4, &["B"]),
    (5, &["B", "C"]),
    (6, &["C", "A"]),
];

/// Arrivals per hour over the day (local time, linear in between; none outside).
const MORNING_RATE: [(u32, u32, f64); 7] = [
    (7, 30, 12.0),
    (8, 0, 34.0),
    (8, 30, 38.0),
    (9, 30, 38.0),
    (10, 0, 28.0),
    (11, 0, 14.0),
    (11, 30, 8.0),
];
const AFTERNOON_RATE: [(u32, u32, f64); 5] = [
    (13, 30, 20.0),
    (14, 0, 36.0),
    (15, 0, 36.0),
    (16, 0, 18.0),
    (16, 30, 10.0),
];

const PRIORITY_SHARE: f64 = 0.05;
const ABSENT_SHARE: f64 = 0.08;
const SERVICE_SIGMA: f64 = 0.5;

/// What to simulate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub seed: u64,
    /// The morning only (7:30 to the last morning call), or the whole day.
    pub whole_day: bool,
    pub call_order: CallOrder,
    /// The arrival rates of the day times this (1: the day described above).
    pub load: f64,
}

impl Options {
    pub fn morning(seed: u64) -> Options {
        Options {
            seed,
            whole_day: false,
            call_order: CallOrder::Oldest,
            load: 1.0,
        }
    }
}

/// One ticket: what the kiosk quoted and how long the citizen waited.
#[derive(Debug, Clone)]
pub struct Quote {
    pub code: String,
    pub service: String,
    pub priority: bool,
    /// Local time of issue, e.g. `08:41:07`.
    pub issued: String,
    /// People ahead at issue.
    pub ahead: u32,
    /// Minutes quoted at issue.
    pub quoted: u32,
    /// Minutes from issue to the first call.
    pub waited: f64,
}

/// The hall of the simulation: its fields and counters on top of the defaults.
pub fn settings(call_order: CallOrder) -> Settings {
    let defaults = Settings::default();
    Settings {
        services: FIELDS
            .iter()
            .map(|f| ServiceSettings {
                code: f.code.into(),
                name_vi: f.name_vi.into(),
                name_en: f.name_en.into(),
                prefix: None,
                first: 1,
                last: 999,
                target_wait_minutes: 15,
                service_minutes: f.configured,
                booking_walk_in_percent: None,
                booking_prefix: None,
                satisfaction_target_percent: 95,
                procedures: Vec::new(),
                daily_quota: 0,
                icon: None,
            })
            .collect(),
        counters: COUNTERS
            .iter()
            .map(|(no, services)| CounterSettings {
                no: *no,
                services: services.iter().map(|s| s.to_string()).collect(),
            })
            .collect(),
        queue: QueueSettings {
            call_order,
            ..defaults.queue.clone()
        },
        ..defaults
    }
}

/// A local time of the simulated day (Asia/Ho_Chi_Minh, UTC+7).
fn local(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, hour - 7, minute, 0)
        .single()
        .expect("a valid time")
}

fn minutes(m: f64) -> Duration {
    Duration::milliseconds((m * 60_000.0).round() as i64)
}

/// The arrival rate (per hour) at `t`, from a profile.
fn rate(profile: &[(u32, u32, f64)], t: DateTime<Utc>) -> f64 {
    for pair in profile.windows(2) {
        let (a, b) = (local(pair[0].0, pair[0].1), local(pair[1].0, pair[1].1));
        if t >= a && t < b {
            let x = (t - a).num_milliseconds() as f64 / (b - a).num_milliseconds() as f64;
            return pair[0].2 + (pair[1].2 - pair[0].2) * x;
        }
    }
    0.0
}

/// The arrivals of a session: a Poisson process with the profile's rate (by thinning),
/// each with its field and whether it is a priority ticket.
fn arrivals(
    profile: &[(u32, u32, f64)],
    load: f64,
    rng: &mut StdRng,
) -> Vec<(DateTime<Utc>, usize, bool)> {
    let peak = profile.iter().map(|p| p.2).fold(0.0, f64::max) * load;
    let (first, last) = (profile[0], profile[profile.len() - 1]);
    let (start, end) = (local(first.0, first.1), local(last.0, last.1));
    let gap = Exp::new(peak / 60.0).expect("a positive rate");
    let mut out = Vec::new();
    let mut t = start;
    loop {
        t += minutes(gap.sample(rng));
        if t >= end {
            return out;
        }
        if rng.gen_bool((rate(profile, t) * load / peak).clamp(0.0, 1.0)) {
            let mut pick: f64 = rng.r#gen();
            let field = FIELDS
                .iter()
                .position(|f| {
                    pick -= f.share;
                    pick < 0.0
                })
                .unwrap_or(FIELDS.len() - 1);
            let priority = rng.gen_bool(PRIORITY_SHARE);
            out.push((t, field, priority));
        }
    }
}

/// What happens next in the hall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Happening {
    /// The `n`-th arrival takes a ticket.
    Arrival(usize),
    /// A clerk opens counter `i` (index in [`COUNTERS`]).
    Open(usize),
    /// Counter `i` is free: its clerk pauses if a break is due, else presses Next.
    Free(usize),
    /// The citizen at counter `i` reaches it.
    Start(usize),
    Finish(usize),
    /// Nobody came to counter `i`: recall once...
    Recall(usize),
    /// ...then mark absent.
    Absent(usize),
    /// A break of counter `i` is due, until the given time (milliseconds; 0: lunch).
    Break(usize, i64),
    Resume(usize),
    /// The kiosk stops issuing for the session: idle counters go to lunch or close.
    SessionEnd,
}

#[derive(Debug, Clone, PartialEq)]
enum Desk {
    Closed,
    Idle,
    Busy(Value),
    Paused,
}

struct Counter {
    no: u16,
    serves: &'static [&'static str],
    clerk: crate::Client,
    desk: Desk,
    /// The break it will take when free: until when (None: lunch, until the afternoon).
    break_due: Option<Option<DateTime<Utc>>>,
}

/// The simulated day.
struct Day {
    hall: TestHall,
    kiosk: crate::Client,
    counters: Vec<Counter>,
    events: BinaryHeap<Reverse<(DateTime<Utc>, u64, Happening)>>,
    seq: u64,
    arrivals: Vec<(DateTime<Utc>, usize, bool)>,
    rng: StdRng,
    /// Ticket id -> (quote so far, issued at).
    tickets: HashMap<i64, (Quote, DateTime<Utc>)>,
    whole_day: bool,
    now: DateTime<Utc>,
}

impl Day {
    /// When the kiosk stops issuing in the session under way, and when the clerks come
    /// back from lunch (none after the afternoon, or when only the morning is simulated).
    fn session(&self) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
        if self.now < local(13, 30) {
            (local(11, 30), self.whole_day.then(|| local(13, 30)))
        } else {
            (local(16, 30), None)
        }
    }

    fn at(&mut self, when: DateTime<Utc>, what: Happening) {
        self.seq += 1;
        self.events.push(Reverse((when, self.seq, what)));
    }

    fn after(&mut self, m: f64, what: Happening) {
        self.at(self.now + minutes(m), what);
    }

    async fn run(&mut self) {
        while let Some(Reverse((when, _, what))) = self.events.pop() {
            self.now = when;
            self.hall.clock.set(when);
            self.happen(what).await;
        }
    }

    async fn happen(&mut self, what: Happening) {
        match what {
            Happening::Arrival(n) => self.arrive(n).await,
            Happening::Open(i) => {
                let no = self.counters[i].no;
                let (status, body) = self.counters[i]
                    .clerk
                    .post(&format!("/api/counters/{no}/open"), json!({}))
                    .await;
                assert_eq!(status, 200, "open counter {no}: {body}");
                self.counters[i].desk = Desk::Idle;
                self.after(0.0, Happening::Free(i));
            }
            Happening::Free(i) => self.free(i).await,
            Happening::Start(i) => {
                let ticket = self.busy_with(i);
                let (status, body) = self.counters[i]
                    .clerk
                    .act(&ticket, "start", json!({}))
                    .await;
                assert_eq!(status, 200, "start: {body}");
                let mean = FIELDS
                    .iter()
                    .find(|f| ticket["service"] == f.code)
                    .map_or(10.0, |f| f.mean);
                let mu = mean.ln() - SERVICE_SIGMA * SERVICE_SIGMA / 2.0;
                let service = LogNormal::new(mu, SERVICE_SIGMA)
                    .expect("a valid distribution")
                    .sample(&mut self.rng);
                self.after(service, Happening::Finish(i));
            }
            Happening::Finish(i) => {
                let ticket = self.busy_with(i);
                let (status, body) = self.counters[i]
                    .clerk
                    .act(&ticket, "finish", json!({}))
                    .await;
                assert_eq!(status, 200, "finish: {body}");
                self.visit_over(i);
            }
            Happening::Recall(i) => {
                let ticket = self.busy_with(i);
                let (status, body) = self.counters[i]
                    .clerk
                    .act(&ticket, "recall", json!({}))
                    .await;
                assert_eq!(status, 200, "recall: {body}");
                let wait = self.rng.gen_range(0.5..1.5);
                self.after(wait, Happening::Absent(i));
            }
            Happening::Absent(i) => {
                let ticket = self.busy_with(i);
                let (status, body) = self.counters[i]
                    .clerk
                    .act(&ticket, "no-show", json!({}))
                    .await;
                assert_eq!(status, 200, "no-show: {body}");
                self.visit_over(i);
            }
            Happening::Break(i, until) => {
                let until = (until > 0).then(|| DateTime::from_timestamp_millis(until));
                self.counters[i].break_due = Some(until.flatten());
                if self.counters[i].desk == Desk::Idle {
                    self.take_break(i).await;
                }
            }
            Happening::Resume(i) => {
                let no = self.counters[i].no;
                let (status, body) = self.counters[i]
                    .clerk
                    .post(&format!("/api/counters/{no}/resume"), json!({}))
                    .await;
                assert_eq!(status, 200, "resume counter {no}: {body}");
                self.counters[i].desk = Desk::Idle;
                self.after(0.0, Happening::Free(i));
            }
            Happening::SessionEnd => {
                for i in 0..self.counters.len() {
                    if self.counters[i].desk == Desk::Idle {
                        self.session_over(i).await;
                    }
                }
            }
        }
    }

    fn busy_with(&self, i: usize) -> Value {
        match &self.counters[i].desk {
            Desk::Busy(ticket) => ticket.clone(),
            other => panic!("counter {} is {other:?}", self.counters[i].no),
        }
    }

    /// A visit ended: the clerk presses Next a few seconds later.
    fn visit_over(&mut self, i: usize) {
        self.counters[i].desk = Desk::Idle;
        let turnaround = self.rng.gen_range(0.0..(1.0 / 3.0));
        self.after(turnaround, Happening::Free(i));
    }

    async fn arrive(&mut self, n: usize) {
        let (_, field, priority) = self.arrivals[n];
        let ticket = self
            .kiosk
            .issue(
                FIELDS[field].code,
                if priority { "elderly" } else { "none" },
            )
            .await;
        let id = ticket["id"].as_i64().expect("ticket id");
        let quote = Quote {
            code: ticket["code"].as_str().unwrap_or_default().to_owned(),
            service: FIELDS[field].code.to_owned(),
            priority,
            issued: (self.now + Duration::hours(7))
                .format("%H:%M:%S")
                .to_string(),
            ahead: ticket["ahead"].as_u64().expect("people ahead") as u32,
            quoted: ticket["eta_minutes"].as_u64().expect("minutes quoted") as u32,
            waited: f64::NAN,
        };
        self.tickets.insert(id, (quote, self.now));
        // Idle clerks of the field see the number on their screen and press Next.
        for i in 0..self.counters.len() {
            let c = &self.counters[i];
            if c.desk == Desk::Idle && c.serves.contains(&FIELDS[field].code) {
                self.at(self.now, Happening::Free(i));
            }
        }
    }

    async fn free(&mut self, i: usize) {
        if self.counters[i].desk != Desk::Idle {
            return;
        }
        if self.counters[i].break_due.is_some() {
            self.take_break(i).await;
            return;
        }
        let no = self.counters[i].no;
        match self.counters[i].clerk.call_next(no).await {
            Some(ticket) => {
                let id = ticket["id"].as_i64().expect("ticket id");
                if let Some((quote, issued)) = self.tickets.get_mut(&id)
                    && quote.waited.is_nan()
                {
                    quote.waited = (self.now - *issued).num_milliseconds() as f64 / 60_000.0;
                }
                self.counters[i].desk = Desk::Busy(ticket);
                if self.rng.gen_bool(ABSENT_SHARE) {
                    self.after(1.0, Happening::Recall(i));
                } else {
                    let walk = self.rng.gen_range(1.0 / 3.0..1.5);
                    self.after(walk, Happening::Start(i));
                }
            }
            None if self.now >= self.session().0 => self.session_over(i).await,
            None => {}
        }
    }

    async fn take_break(&mut self, i: usize) {
        let Some(until) = self.counters[i].break_due.take() else {
            return;
        };
        self.pause(
            i,
            if until.is_some() {
                "giải lao"
            } else {
                "nghỉ trưa"
            },
        )
        .await;
        if let Some(back) = until.or(self.session().1) {
            self.at(back.max(self.now), Happening::Resume(i));
        }
    }

    async fn pause(&mut self, i: usize, reason: &str) {
        let no = self.counters[i].no;
        let (status, body) = self.counters[i]
            .clerk
            .post(
                &format!("/api/counters/{no}/pause"),
                json!({"reason": reason}),
            )
            .await;
        assert_eq!(status, 200, "pause counter {no}: {body}");
        self.counters[i].desk = Desk::Paused;
    }

    /// Nobody waits for this counter after the kiosk stopped: lunch, or home.
    async fn session_over(&mut self, i: usize) {
        match self.session().1 {
            Some(back) => {
                self.pause(i, "nghỉ trưa").await;
                self.at(back, Happening::Resume(i));
            }
            None => {
                let no = self.counters[i].no;
                let (status, body) = self.counters[i]
                    .clerk
                    .post(&format!("/api/counters/{no}/close"), json!({}))
                    .await;
                assert_eq!(status, 200, "close counter {no}: {body}");
                self.counters[i].desk = Desk::Closed;
            }
        }
    }
}

/// Simulate a day (or a morning) on a fresh hall; the quotes of every ticket issued.
pub async fn run(options: Options) -> Vec<Quote> {
    run_keeping_hall(options).await.1
}

/// [`run`], and the hall it ran on (still serving, its database there to read).
pub async fn run_keeping_hall(options: Options) -> (TestHall, Vec<Quote>) {
    let hall = TestHall::start_with(settings(options.call_order)).await;
    hall.clock.set(local(7, 0));
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let mut counters = Vec::new();
    for (no, serves) in COUNTERS {
        let clerk = hall.staff(&format!("clerk-{no}"), Role::Clerk).await;
        counters.push(Counter {
            no,
            serves,
            clerk,
            desk: Desk::Closed,
            break_due: None,
        });
    }
    let mut arrival_rng = StdRng::seed_from_u64(options.seed);
    let mut plan = arrivals(&MORNING_RATE, options.load, &mut arrival_rng);
    if options.whole_day {
        plan.extend(arrivals(&AFTERNOON_RATE, options.load, &mut arrival_rng));
    }
    let mut day = Day {
        hall,
        kiosk,
        counters,
        events: BinaryHeap::new(),
        seq: 0,
        arrivals: plan,
        rng: StdRng::seed_from_u64(options.seed ^ 0x5EED_5EED),
        tickets: HashMap::new(),
        whole_day: options.whole_day,
        now: local(7, 0),
    };
    for n in 0..day.arrivals.len() {
        day.at(day.arrivals[n].0, Happening::Arrival(n));
    }
    for i in 0..day.counters.len() {
        let opens = if day.counters[i].no == 6 {
            local(7, 45)
        } else {
            local(7, 30)
        };
        day.at(opens, Happening::Open(i));
    }
    let ms = |t: DateTime<Utc>| t.timestamp_millis();
    day.at(local(9, 30), Happening::Break(1, ms(local(9, 45))));
    day.at(local(11, 30), Happening::SessionEnd);
    if options.whole_day {
        day.at(local(15, 0), Happening::Break(2, ms(local(15, 15))));
        day.at(local(16, 30), Happening::SessionEnd);
    }
    day.run().await;
    let Day { hall, tickets, .. } = day;
    let mut quotes: Vec<(i64, Quote)> = tickets
        .into_iter()
        .map(|(id, (quote, _))| (id, quote))
        .collect();
    quotes.sort_by_key(|(id, _)| *id);
    let quotes: Vec<Quote> = quotes.into_iter().map(|(_, q)| q).collect();
    let never = quotes.iter().filter(|q| q.waited.is_nan()).count();
    assert_eq!(never, 0, "every ticket of the day is called");
    (hall, quotes)
}

/// The accuracy of a group of quotes.
#[derive(Debug, Clone)]
pub struct Accuracy {
    pub group: String,
    pub tickets: usize,
    /// Mean absolute error, minutes.
    pub mae: f64,
    /// Mean of waited − quoted, minutes (positive: waits are longer than quoted).
    pub bias: f64,
    /// Share waiting longer than quoted.
    pub late: f64,
    /// Share waiting more than 5 minutes longer than quoted.
    pub late_5: f64,
    pub mean_wait: f64,
}

impl Accuracy {
    pub fn of<'a>(group: &str, quotes: impl Iterator<Item = &'a Quote>) -> Accuracy {
        let mut a = Accuracy {
            group: group.to_owned(),
            tickets: 0,
            mae: 0.0,
            bias: 0.0,
            late: 0.0,
            late_5: 0.0,
            mean_wait: 0.0,
        };
        for q in quotes {
            let error = q.waited - f64::from(q.quoted);
            a.tickets += 1;
            a.mae += error.abs();
            a.bias += error;
            a.late += f64::from(u8::from(error > 0.0));
            a.late_5 += f64::from(u8::from(error > 5.0));
            a.mean_wait += q.waited;
        }
        if a.tickets > 0 {
            let n = a.tickets as f64;
            for x in [
                &mut a.mae,
                &mut a.bias,
                &mut a.late,
                &mut a.late_5,
                &mut a.mean_wait,
            ] {
                *x /= n;
            }
        }
        a
    }
}

/// The figures of a day: overall, for queues of up to 30 people, and by people ahead.
#[derive(Debug, Clone)]
pub struct Summary {
    pub all: Accuracy,
    pub up_to_30: Accuracy,
    pub buckets: Vec<Accuracy>,
    pub fields: Vec<Accuracy>,
    pub most_ahead: u32,
}

impl Summary {
    pub fn of(quotes: &[Quote]) -> Summary {
        let bucket = |label: &str, lo: u32, hi: u32| {
            Accuracy::of(
                label,
                quotes.iter().filter(|q| (lo..=hi).contains(&q.ahead)),
            )
        };
        Summary {
            all: Accuracy::of("all", quotes.iter()),
            up_to_30: bucket("up to 30 ahead", 0, 30),
            buckets: vec![
                bucket("0-5 ahead", 0, 5),
                bucket("6-10 ahead", 6, 10),
                bucket("11-20 ahead", 11, 20),
                bucket("21-30 ahead", 21, 30),
                bucket(">30 ahead", 31, u32::MAX),
            ],
            fields: FIELDS
                .iter()
                .map(|f| {
                    Accuracy::of(
                        &format!("field {}", f.code),
                        quotes.iter().filter(|q| q.service == f.code),
                    )
                })
                .collect(),
            most_ahead: quotes.iter().map(|q| q.ahead).max().unwrap_or(0),
        }
    }

    /// Whether both targets hold.
    pub fn meets_targets(&self) -> bool {
        self.up_to_30.mae < MAE_TARGET_MINUTES && self.all.late_5 < LATE_TARGET_SHARE
    }

    /// The table, as the simulation prints it.
    pub fn table(&self) -> String {
        let head = [
            "group",
            "tickets",
            "MAE min",
            "bias min",
            "mean wait",
            "later than quoted",
            ">5 min later",
        ];
        let rows: Vec<[String; 7]> = std::iter::once(&self.all)
            .chain(std::iter::once(&self.up_to_30))
            .chain(&self.buckets)
            .chain(&self.fields)
            .map(|a| {
                [
                    a.group.clone(),
                    a.tickets.to_string(),
                    format!("{:.2}", a.mae),
                    format!("{:+.2}", a.bias),
                    format!("{:.1}", a.mean_wait),
                    format!("{:.0}%", a.late * 100.0),
                    format!("{:.0}%", a.late_5 * 100.0),
                ]
            })
            .collect();
        let mut width = head.map(str::len);
        for row in &rows {
            for (w, cell) in width.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: Vec<&str>| {
            let parts: Vec<String> = cells
                .iter()
                .zip(width)
                .enumerate()
                .map(|(i, (c, w))| {
                    let pad = " ".repeat(w - c.chars().count());
                    if i == 0 {
                        format!("{c}{pad}")
                    } else {
                        format!("{pad}{c}")
                    }
                })
                .collect();
            let _ = writeln!(out, "{}", parts.join("  "));
        };
        line(head.to_vec());
        let rule: Vec<String> = width.iter().map(|w| "-".repeat(*w)).collect();
        line(rule.iter().map(String::as_str).collect());
        for row in &rows {
            line(row.iter().map(String::as_str).collect());
        }
        let verdict = |ok: bool| if ok { "PASS" } else { "MISS" };
        let _ = writeln!(
            out,
            "\nmost people ahead at issue: {}\ntarget: MAE up to 30 ahead < {MAE_TARGET_MINUTES} min: {:.2} {}\ntarget: >5 min later than quoted < {:.0}%: {:.1}% {}",
            self.most_ahead,
            self.up_to_30.mae,
            verdict(self.up_to_30.mae < MAE_TARGET_MINUTES),
            LATE_TARGET_SHARE * 100.0,
            self.all.late_5 * 100.0,
            verdict(self.all.late_5 < LATE_TARGET_SHARE),
        );
        out
    }
}
