//! A hall's day, simulated in memory: arrivals at random per field and hour, counters
//! opened per hour as a plan says, each calling by the hall's own rule
//! ([`motcua_domain::policy::choose_next`], oldest first across its fields, its preference
//! breaking ties), handling times drawn from what the hall observed (or spread around the
//! configured service minutes), citizens giving up after a patience where the hall
//! measured any. It answers, per field and per hour of arrival, how many came, how many
//! were called, how many within the target, their waits, and how many gave up.
//!
//! Counters follow the hour: a counter the next hour does not have finishes its citizen
//! and stops; one it adds starts calling at the hour. After the last hour nobody new
//! comes, and the last hour's counters call everyone left (the hall serves every number it
//! gave). Every draw comes from the seed: the same day, plan and seed give the same
//! answer.

use chrono::{DateTime, Utc};
use motcua_domain::hall::{CallOrder, Fairness};
use motcua_domain::policy::{Candidate, choose_next};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp, LogNormal, Poisson};
use serde::Serialize;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// How long a counter spends on one citizen, from the call to the end (service, or the
/// wait for a no-show), in minutes.
#[derive(Debug, Clone, PartialEq)]
pub enum Handling {
    /// Drawn from the times the hall observed.
    Observed(Vec<f64>),
    /// Log-normal around a mean (sigma 0.5: often half or twice it), for a field with no
    /// history of its own.
    Around { mean_minutes: f64 },
}

impl Handling {
    pub fn mean_minutes(&self) -> f64 {
        match self {
            Handling::Observed(times) if !times.is_empty() => {
                times.iter().sum::<f64>() / times.len() as f64
            }
            Handling::Observed(_) => 0.0,
            Handling::Around { mean_minutes } => *mean_minutes,
        }
    }
}

/// One field over the day.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDay {
    /// Arrivals an hour, for each hour from [`Day::first_hour`].
    pub arrivals: Vec<f64>,
    pub handling: Handling,
    /// The mean patience before giving up, in minutes; `None`: nobody gives up.
    pub patience_minutes: Option<f64>,
    pub target_minutes: f64,
}

/// A day to simulate: its fields, and the counters open each hour.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    pub first_hour: u8,
    pub fields: Vec<FieldDay>,
    /// For each hour from `first_hour`: the counters open, each the fields it serves (their
    /// indices in `fields`) in order of preference.
    pub counters: Vec<Vec<Vec<usize>>>,
}

/// What happened to the citizens of one field who came in one hour, over all runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Tally {
    pub arrived: u64,
    pub called: u64,
    /// Called within the field's target wait.
    pub within: u64,
    pub gave_up: u64,
    /// The sum of the waits of those called, in minutes.
    pub wait_minutes: f64,
}

impl Tally {
    /// The share of those called who were called within the target (`None`: nobody was).
    pub fn within_share(&self) -> Option<f64> {
        (self.called > 0).then(|| self.within as f64 / self.called as f64)
    }

    pub fn mean_wait_minutes(&self) -> Option<f64> {
        (self.called > 0).then(|| self.wait_minutes / self.called as f64)
    }

    pub fn add(&mut self, other: &Tally) {
        self.arrived += other.arrived;
        self.called += other.called;
        self.within += other.within;
        self.gave_up += other.gave_up;
        self.wait_minutes += other.wait_minutes;
    }
}

/// The day simulated `runs` times: per field, per hour of arrival.
pub fn simulate(day: &Day, runs: u32, seed: u64) -> Vec<Vec<Tally>> {
    let hours = day.counters.len().max(
        day.fields
            .iter()
            .map(|f| f.arrivals.len())
            .max()
            .unwrap_or(0),
    );
    let mut tallies = vec![vec![Tally::default(); hours]; day.fields.len()];
    for run in 0..runs {
        let mut rng = StdRng::seed_from_u64(
            seed.wrapping_add(u64::from(run))
                .wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        Run::new(day, hours, &mut rng).go(&mut tallies);
    }
    tallies
}

const MINUTE: i64 = 60_000;
const HOUR: i64 = 3_600_000;

/// What happens next, in time order (ms from the first hour's start).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Happening {
    /// The plan's next hour begins.
    Hour(usize),
    /// A counter is done with its citizen.
    Free(usize),
    Arrives(usize),
    GivesUp(usize),
}

struct Citizen {
    field: usize,
    at: i64,
    hour: usize,
    /// Called, or gone: no longer in the queue.
    out: bool,
}

struct Run<'a, R> {
    day: &'a Day,
    rng: &'a mut R,
    hours: usize,
    hour: usize,
    now: i64,
    next: BinaryHeap<Reverse<(i64, u64, Happening)>>,
    seq: u64,
    citizens: Vec<Citizen>,
    queues: Vec<VecDeque<usize>>,
    busy: Vec<bool>,
}

impl<'a, R: Rng> Run<'a, R> {
    fn new(day: &'a Day, hours: usize, rng: &'a mut R) -> Self {
        let most = day.counters.iter().map(Vec::len).max().unwrap_or(0);
        let mut run = Run {
            day,
            rng,
            hours,
            hour: 0,
            now: 0,
            next: BinaryHeap::new(),
            seq: 0,
            citizens: Vec::new(),
            queues: vec![VecDeque::new(); day.fields.len()],
            busy: vec![false; most],
        };
        // Every arrival of the day, drawn up front: a Poisson count per hour, spread evenly.
        for (f, field) in day.fields.iter().enumerate() {
            for (h, &rate) in field.arrivals.iter().enumerate() {
                let count = if rate > 0.0 {
                    Poisson::new(rate).map_or(0.0, |p| p.sample(run.rng)) as u64
                } else {
                    0
                };
                for _ in 0..count {
                    let at = h as i64 * HOUR + run.rng.gen_range(0..HOUR);
                    run.citizens.push(Citizen {
                        field: f,
                        at,
                        hour: h,
                        out: false,
                    });
                    let id = run.citizens.len() - 1;
                    run.at(at, Happening::Arrives(id));
                }
            }
        }
        for h in 1..day.counters.len() {
            run.at(h as i64 * HOUR, Happening::Hour(h));
        }
        run
    }

    fn at(&mut self, time: i64, what: Happening) {
        self.seq += 1;
        self.next.push(Reverse((time, self.seq, what)));
    }

    /// The counters open now.
    fn counters(&self) -> &'a [Vec<usize>] {
        let day = self.day;
        day.counters
            .get(self.hour.min(day.counters.len().saturating_sub(1)))
            .map_or(&[][..], |c| c)
    }

    fn go(mut self, tallies: &mut [Vec<Tally>]) {
        for c in self.citizens.iter() {
            tallies[c.field][c.hour.min(self.hours - 1)].arrived += 1;
        }
        while let Some(Reverse((time, _, what))) = self.next.pop() {
            self.now = time;
            match what {
                Happening::Hour(h) => {
                    self.hour = h;
                    for k in 0..self.counters().len() {
                        if !self.busy[k] {
                            self.call(k, tallies);
                        }
                    }
                }
                Happening::Free(k) => {
                    self.busy[k] = false;
                    if k < self.counters().len() {
                        self.call(k, tallies);
                    }
                }
                Happening::Arrives(id) => {
                    let field = self.citizens[id].field;
                    self.queues[field].push_back(id);
                    if let Some(patience) = self.day.fields[field].patience_minutes
                        && let Ok(exp) = Exp::new(1.0 / patience.max(1e-6))
                    {
                        let after = (exp.sample(self.rng) * MINUTE as f64) as i64;
                        self.at(self.now + after, Happening::GivesUp(id));
                    }
                    let free = (0..self.counters().len())
                        .find(|&k| !self.busy[k] && self.counters()[k].contains(&field));
                    if let Some(k) = free {
                        self.call(k, tallies);
                    }
                }
                Happening::GivesUp(id) => {
                    let citizen = &mut self.citizens[id];
                    if !citizen.out {
                        citizen.out = true;
                        tallies[citizen.field][citizen.hour].gave_up += 1;
                    }
                }
            }
        }
    }

    /// Counter `k` calls the next citizen by the hall's rule, if anyone waits for it.
    fn call(&mut self, k: usize, tallies: &mut [Vec<Tally>]) {
        let serves = &self.counters()[k];
        let mut heads = Vec::with_capacity(serves.len());
        for (preference, &field) in serves.iter().enumerate() {
            let queue = &mut self.queues[field];
            while queue.front().is_some_and(|&id| self.citizens[id].out) {
                queue.pop_front();
            }
            if let Some(&id) = queue.front() {
                heads.push(Candidate {
                    id: id as i64,
                    queued_at: instant(self.citizens[id].at),
                    priority: false,
                    preference,
                });
            }
        }
        let Some(choice) = choose_next(&heads, 0, FAIR, CallOrder::Oldest, instant(self.now))
        else {
            return;
        };
        let id = choice.id as usize;
        let field = self.citizens[id].field;
        self.queues[field].pop_front();
        let citizen = &mut self.citizens[id];
        citizen.out = true;
        let spec = &self.day.fields[field];
        let waited = (self.now - citizen.at) as f64 / MINUTE as f64;
        let tally = &mut tallies[field][citizen.hour];
        tally.called += 1;
        tally.wait_minutes += waited;
        if waited <= spec.target_minutes {
            tally.within += 1;
        }
        let minutes = self.handling(&spec.handling);
        self.busy[k] = true;
        self.at(
            self.now + (minutes * MINUTE as f64) as i64,
            Happening::Free(k),
        );
    }

    fn handling(&mut self, handling: &Handling) -> f64 {
        match handling {
            Handling::Observed(times) if !times.is_empty() => {
                times[self.rng.gen_range(0..times.len())]
            }
            Handling::Observed(_) => 0.0,
            Handling::Around { mean_minutes } => {
                let sigma: f64 = 0.5;
                let mu = mean_minutes.max(0.1).ln() - sigma * sigma / 2.0;
                LogNormal::new(mu, sigma).map_or(*mean_minutes, |d| d.sample(self.rng))
            }
        }
    }
}

/// The rule's fairness does not come in: the simulated tickets are all normal ones.
const FAIR: Fairness = Fairness {
    priority_streak_limit: 3,
    normal_wait_limit_minutes: 20,
};

fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::erlang::{Load, predict};

    fn field(rate: f64, minutes: f64, hours: usize) -> FieldDay {
        FieldDay {
            arrivals: vec![rate; hours],
            handling: Handling::Observed(exponential(minutes)),
            patience_minutes: None,
            target_minutes: 15.0,
        }
    }

    /// Handling times spread like an exponential of the mean (quantiles of it), as Erlang C
    /// assumes.
    fn exponential(mean: f64) -> Vec<f64> {
        (0..1000)
            .map(|i| -mean * (1.0 - (f64::from(i) + 0.5) / 1000.0).ln())
            .collect()
    }

    fn total(row: &[Tally]) -> Tally {
        let mut t = Tally::default();
        row.iter().for_each(|x| t.add(x));
        t
    }

    /// A long steady day agrees with Erlang C within a few points: the simulator and the
    /// formula check each other.
    #[test]
    fn a_steady_day_agrees_with_erlang_c() {
        let hours = 40;
        let day = Day {
            first_hour: 0,
            fields: vec![field(20.0, 8.0, hours)],
            counters: vec![vec![vec![0]; 4]; hours],
        };
        let got = total(&simulate(&day, 20, 7)[0]);
        let want = predict(
            &Load {
                arrivals_per_hour: 20.0,
                handling_minutes: 8.0,
                patience_minutes: None,
            },
            4,
            15.0,
        );
        let share = got.within_share().unwrap_or_default();
        assert!(
            (share - want.within_target).abs() < 0.03,
            "{share} vs {want:?}"
        );
        let wait = got.mean_wait_minutes().unwrap_or_default();
        assert!(
            (wait - want.mean_wait_minutes).abs() < 1.0,
            "{wait} vs {want:?}"
        );
        assert_eq!(got.called, got.arrived, "everyone who came was called");
    }

    /// Past full load with citizens giving up, the simulator agrees with Erlang A.
    #[test]
    fn a_crowded_day_where_citizens_give_up_agrees_with_erlang_a() {
        let hours = 40;
        let mut f = field(40.0, 8.0, hours);
        f.patience_minutes = Some(20.0);
        let day = Day {
            first_hour: 0,
            fields: vec![f],
            counters: vec![vec![vec![0]; 4]; hours],
        };
        let got = total(&simulate(&day, 10, 11)[0]);
        let want = predict(
            &Load {
                arrivals_per_hour: 40.0,
                handling_minutes: 8.0,
                patience_minutes: Some(20.0),
            },
            4,
            15.0,
        );
        let gave_up = got.gave_up as f64 / got.arrived as f64;
        assert!(
            (gave_up - want.abandoned).abs() < 0.03,
            "{gave_up} vs {want:?}"
        );
        let share = got.within_share().unwrap_or_default();
        assert!(
            (share - want.within_target).abs() < 0.04,
            "{share} vs {want:?}"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_day_and_more_counters_a_shorter_wait() {
        let day = Day {
            first_hour: 8,
            fields: vec![field(30.0, 8.0, 4), field(10.0, 12.0, 4)],
            counters: vec![vec![vec![0], vec![0], vec![0], vec![1, 0], vec![1]]; 4],
        };
        assert_eq!(simulate(&day, 3, 1), simulate(&day, 3, 1));
        let fewer = Day {
            counters: vec![vec![vec![0], vec![0], vec![1, 0]]; 4],
            ..day.clone()
        };
        let (many, few) = (
            total(&simulate(&day, 10, 1)[0]),
            total(&simulate(&fewer, 10, 1)[0]),
        );
        assert!(
            many.mean_wait_minutes() < few.mean_wait_minutes(),
            "{many:?} {few:?}"
        );
    }

    /// A counter of field B only never calls field A; a shared counter calls the older.
    #[test]
    fn a_counter_calls_only_its_own_fields() {
        let day = Day {
            first_hour: 8,
            fields: vec![field(20.0, 5.0, 2), field(0.0, 5.0, 2)],
            counters: vec![vec![vec![1]]; 2],
        };
        let t = total(&simulate(&day, 2, 3)[0]);
        assert!(t.arrived > 0);
        assert_eq!(t.called, 0, "nobody serves A");
    }

    #[test]
    fn impatient_citizens_give_up_when_nobody_calls_them() {
        let mut f = field(20.0, 5.0, 2);
        f.patience_minutes = Some(10.0);
        let day = Day {
            first_hour: 8,
            fields: vec![f],
            counters: vec![vec![]; 2],
        };
        let t = total(&simulate(&day, 2, 3)[0]);
        assert_eq!(t.gave_up, t.arrived);
    }

    #[test]
    fn counters_that_close_at_the_hour_stop_after_their_citizen() {
        // One counter in the first hour, none after: those who came later wait forever.
        let day = Day {
            first_hour: 8,
            fields: vec![field(6.0, 5.0, 2)],
            counters: vec![vec![vec![0]], vec![]],
        };
        let t = simulate(&day, 5, 2);
        assert_eq!(t[0][1].called, 0, "{:?}", t[0][1]);
        assert!(t[0][0].called > 0);
    }
}
