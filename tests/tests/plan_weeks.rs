//! The staffing planner against simulated weeks on the real server.
//!
//! Four weeks of a hall's mornings are played through the real server with the hand-moved
//! clock: citizens arrive at random (Poisson, a known rate per field and hour), take a
//! number at the kiosk, and the clerks call, start and finish (handling times log-normal
//! around each field's true mean). Then the planner forecasts the next week from that
//! history and proposes counters per field and hour; the week is played with the counters
//! it proposed (the manager changes the counters' fields on the admin API at each hour, as
//! a hall would), and the share called within target that the planner predicted is held
//! against the one the hall's own figures count.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::{CounterSettings, ServiceSettings, Settings};
use motcua_store::clock::ManualClock;
use motcua_tests::{Client, TestHall};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal, Poisson};
use serde_json::{Value, json};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A field: its code, true mean handling (minutes), target wait, and arrivals per hour
/// from 08:00 to 12:00.
struct Field {
    code: &'static str,
    handling: f64,
    target: u32,
    rates: [f64; 4],
}

const FIELDS: [Field; 3] = [
    Field {
        code: "A",
        handling: 8.0,
        target: 15,
        rates: [12.0, 20.0, 16.0, 8.0],
    },
    Field {
        code: "B",
        handling: 14.0,
        target: 20,
        rates: [4.0, 6.0, 6.0, 3.0],
    },
    Field {
        code: "C",
        handling: 4.0,
        target: 10,
        rates: [15.0, 24.0, 20.0, 10.0],
    },
];
const COUNTERS: u16 = 8;
const FIRST_HOUR: u32 = 8;
const HOURS: usize = 4;

type Plan = Vec<Vec<Vec<String>>>;

fn settings() -> Settings {
    let defaults = Settings::default();
    let template = defaults.services[0].clone();
    let mut s = Settings {
        services: FIELDS
            .iter()
            .map(|f| ServiceSettings {
                code: f.code.into(),
                name_vi: format!("Lĩnh vực {}", f.code),
                name_en: format!("Field {}", f.code),
                prefix: None,
                target_wait_minutes: f.target,
                service_minutes: f.handling.round() as u32,
                procedures: Vec::new(),
                ..template.clone()
            })
            .collect(),
        counters: (1..=COUNTERS)
            .map(|no| CounterSettings {
                no,
                services: FIELDS.iter().map(|f| f.code.to_owned()).collect(),
            })
            .collect(),
        ..defaults
    };
    s.bookings.opening_hours = vec!["08:00-12:00".into()];
    s.plan.weeks = 4;
    s
}

/// Local time (UTC+7) of a day.
fn local(day: NaiveDate, minutes_after_midnight: i64) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
        + Duration::minutes(minutes_after_midnight - 7 * 60)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Happening {
    /// The plan's next hour begins (index).
    Hour(usize),
    /// Counter `no` is done with its citizen.
    Finish(u16),
    /// A citizen of field `f` takes a number.
    Arrive(usize),
}

struct Hall {
    hall: TestHall,
    kiosk: Client,
    admin: Client,
    clerks: Vec<Client>,
}

struct Desk {
    open: bool,
    serving: Option<Value>,
}

impl Hall {
    async fn set_counters(&self, hour: &[Vec<String>]) {
        let counters: Vec<Value> = (1..=COUNTERS)
            .map(|no| {
                let fields = hour
                    .get(usize::from(no) - 1)
                    .cloned()
                    .unwrap_or_else(|| FIELDS.iter().map(|f| f.code.to_owned()).collect());
                json!({"no": no, "services": fields})
            })
            .collect();
        let (status, body) = self
            .admin
            .put("/api/admin/settings/counters", json!({"value": counters}))
            .await;
        assert_eq!(status, 200, "the counters for the hour: {body}");
    }

    /// Play one morning with `plan`'s counters per hour (the last hour's until everyone
    /// is called).
    async fn day(&mut self, day: NaiveDate, plan: &Plan, rng: &mut StdRng) {
        let start = local(day, i64::from(FIRST_HOUR) * 60);
        self.hall.clock.set(start - Duration::minutes(30));
        // A new day: yesterday's sessions are over, sign in again.
        self.admin = self.hall.sign_in("admin-plan").await;
        for no in 1..=COUNTERS {
            self.clerks[usize::from(no) - 1] = self.hall.sign_in(&format!("clerk-{no}")).await;
        }
        let mut next = BinaryHeap::new();
        let mut seq = 0u64;
        let mut at = |next: &mut BinaryHeap<_>, t: DateTime<Utc>, what: Happening| {
            seq += 1;
            next.push(Reverse((t, seq, what)));
        };
        for (f, field) in FIELDS.iter().enumerate() {
            for (h, rate) in field.rates.iter().enumerate() {
                let n = Poisson::new(*rate).expect("a rate").sample(rng) as u64;
                for _ in 0..n {
                    let t = start
                        + Duration::hours(h as i64)
                        + Duration::milliseconds(rng.gen_range(0..3_600_000));
                    at(&mut next, t, Happening::Arrive(f));
                }
            }
        }
        for h in 0..HOURS {
            at(
                &mut next,
                start + Duration::hours(h as i64),
                Happening::Hour(h),
            );
        }
        let mut desks: Vec<Desk> = (0..COUNTERS)
            .map(|_| Desk {
                open: false,
                serving: None,
            })
            .collect();
        let mut hour = 0usize;
        while let Some(Reverse((t, _, what))) = next.pop() {
            self.hall.clock.set(t);
            match what {
                Happening::Hour(h) => {
                    hour = h;
                    self.set_counters(&plan[h]).await;
                    for (i, desk) in desks.iter_mut().enumerate() {
                        let wanted = i < plan[h].len();
                        let no = i as u16 + 1;
                        if wanted && !desk.open {
                            let (status, body) = self.clerks[i]
                                .post(&format!("/api/counters/{no}/open"), json!({}))
                                .await;
                            assert_eq!(status, 200, "open {no}: {body}");
                            desk.open = true;
                        }
                        if !wanted && desk.open && desk.serving.is_none() {
                            self.close(no).await;
                            desk.open = false;
                        }
                    }
                }
                Happening::Finish(no) => {
                    let i = usize::from(no) - 1;
                    let ticket = desks[i].serving.take().expect("a citizen at the counter");
                    let (status, body) = self.clerks[i].act(&ticket, "finish", json!({})).await;
                    assert_eq!(status, 200, "finish: {body}");
                    if i >= plan[hour].len() {
                        self.close(no).await;
                        desks[i].open = false;
                    }
                }
                Happening::Arrive(f) => {
                    self.kiosk.issue(FIELDS[f].code, "none").await;
                }
            }
            // Every open free counter calls, in turn, while anyone waits for it.
            for (i, desk) in desks.iter_mut().enumerate() {
                if desk.open && desk.serving.is_none() {
                    let no = i as u16 + 1;
                    if let Some(ticket) = self.clerks[i].call_next(no).await {
                        let (status, body) = self.clerks[i].act(&ticket, "start", json!({})).await;
                        assert_eq!(status, 200, "start: {body}");
                        let f = FIELDS
                            .iter()
                            .position(|f| Some(f.code) == ticket["service"].as_str())
                            .expect("a field of the hall");
                        let mean = FIELDS[f].handling;
                        let sigma: f64 = 0.5;
                        let minutes = LogNormal::new(mean.ln() - sigma * sigma / 2.0, sigma)
                            .expect("a spread")
                            .sample(rng);
                        desk.serving = Some(ticket);
                        let done = t + Duration::milliseconds((minutes * 60_000.0) as i64);
                        at(&mut next, done, Happening::Finish(no));
                    }
                }
            }
        }
        for (i, desk) in desks.iter().enumerate() {
            if desk.open {
                self.close(i as u16 + 1).await;
            }
        }
    }

    async fn close(&self, no: u16) {
        let (status, body) = self.clerks[usize::from(no) - 1]
            .post(&format!("/api/counters/{no}/close"), json!({}))
            .await;
        assert_eq!(status, 200, "close {no}: {body}");
    }
}

fn weekdays(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days()
        .take_while(move |d| *d <= to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
}

#[tokio::test]
async fn the_predicted_share_within_target_holds_on_the_simulated_week_it_plans() {
    // Four weeks of history after Tết, away from month ends; the week planned after them.
    let history = (
        NaiveDate::from_ymd_opt(2027, 2, 22).expect("a day"),
        NaiveDate::from_ymd_opt(2027, 3, 19).expect("a day"),
    );
    let week = (
        NaiveDate::from_ymd_opt(2027, 3, 22).expect("a day"),
        NaiveDate::from_ymd_opt(2027, 3, 26).expect("a day"),
    );
    let clock = ManualClock::starting_at(local(history.0, 7 * 60));
    let hall = TestHall::start_with_clock(settings(), clock).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let admin = hall.staff("admin-plan", Role::Admin).await;
    let mut clerks = Vec::new();
    for no in 1..=COUNTERS {
        clerks.push(hall.staff(&format!("clerk-{no}"), Role::Clerk).await);
    }
    let mut h = Hall {
        hall,
        kiosk,
        admin,
        clerks,
    };
    let mut rng = StdRng::seed_from_u64(19);
    // The history: a fixed staffing, shared counters for the busy fields.
    let fixed: Vec<Vec<String>> = [
        vec!["A"],
        vec!["A"],
        vec!["A", "C"],
        vec!["B"],
        vec!["B", "C"],
        vec!["C"],
    ]
    .iter()
    .map(|c| c.iter().map(|s| s.to_string()).collect())
    .collect();
    let fixed: Plan = vec![fixed; HOURS];
    for day in weekdays(history.0, history.1) {
        h.day(day, &fixed, &mut rng).await;
    }

    // The planner, on the Friday evening before the week.
    h.hall.clock.set(local(history.1, 18 * 60));
    let manager = h.hall.staff("lan", Role::Manager).await;
    let (status, plan) = manager
        .get(&format!("/api/plan?from={}&days=5", week.0))
        .await;
    assert_eq!(status, 200, "{plan}");
    let days = plan["days"].as_array().expect("days");
    assert_eq!(days.len(), 5);
    // It learned from the history: no assumed arrivals, no configured minutes.
    for d in days {
        assert_eq!(d["open"], true, "{}", d["day"]);
        assert_eq!(d["first_hour"], FIRST_HOUR, "{}", d["day"]);
        assert_eq!(d["notes"], json!([]), "{}: {}", d["day"], d["notes"]);
        // Four weeks back, but a month's end (26 February) is no like day for a Friday.
        let like = d["like_days"].as_array().map_or(0, Vec::len);
        let friday = d["day"] == "2027-03-26";
        assert_eq!(like, if friday { 3 } else { 4 }, "{}", d["day"]);
        for (f, field) in FIELDS.iter().enumerate() {
            let p = &d["fields"][f];
            let handling = p["handling_minutes"].as_f64().expect("handling");
            assert!(
                (handling - field.handling).abs() < field.handling * 0.15,
                "{}: handling {handling} vs {}",
                field.code,
                field.handling
            );
            let arrivals: f64 = p["arrivals"]
                .as_array()
                .expect("arrivals")
                .iter()
                .filter_map(Value::as_f64)
                .sum();
            let truth: f64 = field.rates.iter().sum();
            assert!(
                (arrivals - truth).abs() < truth * 0.3,
                "{}: {arrivals} forecast vs {truth} a morning",
                field.code
            );
        }
    }

    // The week, played with the counters proposed.
    let mut predicted = [(0.0f64, 0.0f64); 3];
    for d in days {
        let day = NaiveDate::parse_from_str(d["day"].as_str().expect("a day"), "%Y-%m-%d")
            .expect("a date");
        let proposal: Plan = serde_json::from_value(d["proposal"].clone()).expect("counters");
        assert!(
            proposal
                .iter()
                .all(|hour| hour.len() <= usize::from(COUNTERS))
        );
        for (f, p) in predicted.iter_mut().enumerate() {
            let day = &d["fields"][f]["predicted_day"];
            let arrived = day["arrived"].as_f64().expect("arrived");
            p.0 += day["within"].as_f64().expect("within") * arrived;
            p.1 += arrived;
        }
        h.day(day, &proposal, &mut rng).await;
    }
    h.hall.clock.set(local(week.1, 18 * 60));
    let manager = h.hall.sign_in("lan").await;
    let (status, stats) = manager
        .get(&format!("/api/stats?from={}&to={}", week.0, week.1))
        .await;
    assert_eq!(status, 200, "{stats}");
    let mut table = String::from(
        "| field | predicted within | actual within | served | actual mean wait (s) |\n|---|---|---|---|---|\n",
    );
    let (mut all_predicted, mut all_weight) = (0.0, 0.0);
    for (f, field) in FIELDS.iter().enumerate() {
        let row = stats["by_field"]
            .as_array()
            .and_then(|rows| rows.iter().find(|r| r["key"] == field.code))
            .expect("the field's figures");
        let actual = row["within_target"].as_f64().expect("a share");
        let served = row["served"].as_f64().expect("served");
        let want = predicted[f].0 / predicted[f].1;
        table += &format!(
            "| {} | {:.1}% | {:.1}% | {served} | {:.0} |\n",
            field.code,
            want * 100.0,
            actual * 100.0,
            row["wait"]["mean"].as_f64().unwrap_or_default()
        );
        all_predicted += want * served;
        all_weight += served;
        assert!(
            (want - actual).abs() <= 0.05,
            "field {}: predicted {want:.3}, the week gave {actual:.3}\n{table}",
            field.code
        );
    }
    let actual_all = stats["total"]["within_target"].as_f64().expect("a share");
    println!(
        "{table}| all | {:.1}% | {:.1}% | {all_weight} | |",
        all_predicted / all_weight * 100.0,
        actual_all * 100.0
    );
    assert!((all_predicted / all_weight - actual_all).abs() <= 0.05);
    // And each field met the goal the plan aimed at, or near it.
    assert!(actual_all >= 0.75, "{actual_all}");

    // The check the dashboard shows: each day's prediction beside what happened.
    let (status, check) = manager
        .get(&format!("/api/plan/check?to={}&days=5", week.1))
        .await;
    assert_eq!(status, 200, "{check}");
    assert_eq!(check["days"].as_array().map(Vec::len), Some(5));
    let points = check["accuracy"]["within_mean_abs_points"]
        .as_f64()
        .expect("an accuracy");
    println!(
        "the planner's accuracy over the week: {points:.1} points a field-day, {} field-days",
        check["accuracy"]["field_days"]
    );
    assert!(points < 15.0, "{check}");
}
