//! Counters needed per field and hour, to call a share of each field's citizens within its
//! target wait.
//!
//! 1. **The first answer**, per field and hour on its own: Erlang C, or Erlang A where the
//!    hall measured citizens giving up ([`crate::erlang::counters_needed`]).
//! 2. **Sharing**: in an hour where two fields each need one counter and together keep it
//!    less than [`SHARE_BELOW`] busy, one counter serves both (the busier field first),
//!    when the formula says the pair still meets the stricter target. Where the fields
//!    together need more counters than the hall has, the two least busy counters become
//!    one serving both, until the hall's counters suffice. The plan says which share.
//! 3. **The check**: the day is simulated with those counters ([`crate::simulate`], the
//!    queue carried from one hour into the next, shared counters calling by the hall's
//!    rule); while a field's citizens of some hour are called within target less often than
//!    the goal, the worst such hour gets one more counter of that field, until every hour
//!    holds or the hall has no more counters to open.

use crate::erlang::{self, Load};
use crate::simulate::{Day, FieldDay, Tally, simulate};
use serde::Serialize;

/// Two fields share a counter only if together they keep it less busy than this.
pub const SHARE_BELOW: f64 = 0.7;

/// How hard the planner tries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// The share of citizens to call within their field's target (0..1).
    pub goal: f64,
    /// The counters the hall has: no hour gets more.
    pub counters: u32,
    /// Simulated days per check (more: steadier, slower).
    pub runs: u32,
    pub seed: u64,
    /// Checks and corrections at most.
    pub rounds: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            goal: 0.8,
            counters: 10,
            runs: 40,
            seed: 1,
            rounds: 30,
        }
    }
}

/// Fields sharing one counter in one hour.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Sharing {
    /// The hour's index from the day's first hour.
    pub hour: usize,
    /// The fields (indices), the busier first: the counter's order of preference.
    pub fields: Vec<usize>,
}

/// The planner's proposal for one day.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// Erlang's first answer: counters of each field alone, per field and hour.
    pub first_answer: Vec<Vec<u32>>,
    /// The counters to open each hour, each the fields it serves (the check's corrections
    /// included).
    pub counters: Vec<Vec<Vec<usize>>>,
    /// The counters shared between fields.
    pub shared: Vec<Sharing>,
    /// What the simulated day gave with those counters, per field and hour of arrival.
    pub predicted: Vec<Vec<Tally>>,
    /// Field and hour whose goal was not met even with every counter open.
    pub short: Vec<(usize, usize)>,
}

/// How many citizens of a field and hour the check must see before it judges the hour:
/// with fewer, one slow citizen would decide it.
const JUDGED_FROM: u64 = 3;

/// The proposal for a day of `fields` from `first_hour`.
pub fn propose(fields: &[FieldDay], first_hour: u8, options: &Options) -> Proposal {
    let hours = fields.iter().map(|f| f.arrivals.len()).max().unwrap_or(0);
    let first_answer: Vec<Vec<u32>> = fields
        .iter()
        .map(|f| (0..hours).map(|h| alone(f, h, options)).collect())
        .collect();
    let mut shared = Vec::new();
    let mut counters: Vec<Vec<Vec<usize>>> = (0..hours)
        .map(|h| {
            let wanted: Vec<u32> = first_answer.iter().map(|row| row[h]).collect();
            let mut open = paired(fields, h, &wanted, options.goal, &mut shared);
            fit(fields, h, options.counters as usize, &mut open, &mut shared);
            open
        })
        .collect();
    let (predicted, short) = check(fields, first_hour, &mut counters, options);
    Proposal {
        first_answer,
        counters,
        shared,
        predicted,
        short,
    }
}

/// A field's load in hour `h`.
fn load(f: &FieldDay, h: usize) -> Load {
    Load {
        arrivals_per_hour: f.arrivals.get(h).copied().unwrap_or(0.0),
        handling_minutes: f.handling.mean_minutes(),
        patience_minutes: f.patience_minutes,
    }
}

/// Its offered load, in counters' worth of work.
fn offered(f: &FieldDay, h: usize) -> f64 {
    let l = load(f, h);
    l.arrivals_per_hour * l.handling_minutes / 60.0
}

/// Step 1, Erlang's first answer: the counters a field needs alone in hour `h`.
fn alone(f: &FieldDay, h: usize, options: &Options) -> u32 {
    let l = load(f, h);
    if l.arrivals_per_hour <= 0.0 {
        return 0;
    }
    erlang::counters_needed(&l, f.target_minutes, options.goal, options.counters)
        .unwrap_or(options.counters)
}

/// Step 2, the hour's counters: each field's `wanted` counters of its own, but two quiet
/// fields that each want one share one where the pooled formula holds (least busy first).
fn paired(
    fields: &[FieldDay],
    h: usize,
    wanted: &[u32],
    goal: f64,
    shared: &mut Vec<Sharing>,
) -> Vec<Vec<usize>> {
    let mut single: Vec<(usize, f64)> = (0..fields.len())
        .filter(|&f| wanted[f] == 1)
        .map(|f| (f, offered(&fields[f], h)))
        .collect();
    single.sort_by(|a, b| a.1.total_cmp(&b.1));
    let mut open: Vec<Vec<usize>> = Vec::new();
    while !single.is_empty() {
        let (low, a) = single.remove(0);
        let partner = single.iter().position(|&(high, b)| {
            a + b < SHARE_BELOW && pair_holds(&fields[low], &fields[high], h, goal)
        });
        if let Some(i) = partner {
            let (high, _) = single.remove(i);
            open.push(vec![high, low]);
            shared.push(Sharing {
                hour: h,
                fields: vec![high, low],
            });
        }
    }
    let in_pairs: Vec<usize> = open.iter().flatten().copied().collect();
    for (f, &n) in wanted.iter().enumerate() {
        let n = if in_pairs.contains(&f) { 0 } else { n };
        open.extend((0..n).map(|_| vec![f]));
    }
    open
}

/// Step 2, continued: more counters needed than the hall's `most`: the least busy pair of
/// counters that brings a field to one lacking it becomes one shared counter, until the
/// hall's counters suffice (the check then says which hours fall short). Two counters of
/// the same fields would be one less counter, not one shared: when nothing else is left,
/// the least busy stays shut.
fn fit(
    fields: &[FieldDay],
    h: usize,
    most: usize,
    open: &mut Vec<Vec<usize>>,
    shared: &mut Vec<Sharing>,
) {
    let busy = |open: &[Vec<usize>], counter: &[usize]| -> f64 {
        counter
            .iter()
            .map(|&f| offered(&fields[f], h) / open_serving(open, f).max(1) as f64)
            .sum()
    };
    while open.len() > most.max(1) {
        let loads: Vec<f64> = open.iter().map(|c| busy(open, c)).collect();
        let pair = (0..open.len())
            .flat_map(|a| (a + 1..open.len()).map(move |b| (a, b)))
            .filter(|&(a, b)| {
                open[b].iter().any(|f| !open[a].contains(f))
                    || open[a].iter().any(|f| !open[b].contains(f))
            })
            .min_by(|x, y| (loads[x.0] + loads[x.1]).total_cmp(&(loads[y.0] + loads[y.1])));
        let Some((a, b)) = pair else {
            let least = (0..open.len())
                .min_by(|x, y| loads[*x].total_cmp(&loads[*y]))
                .unwrap_or(0);
            open.remove(least);
            continue;
        };
        let taken = open.remove(a.max(b));
        let mut merged = open.remove(a.min(b));
        for f in taken {
            if !merged.contains(&f) {
                merged.push(f);
            }
        }
        // The busier field first: the counter's order of preference.
        merged.sort_by(|x, y| offered(&fields[*y], h).total_cmp(&offered(&fields[*x], h)));
        // A shared counter joined again: its earlier entry is part of this one; other
        // shared counters of the same fields stay listed.
        shared.retain(|s| s.hour != h || !s.fields.iter().all(|f| merged.contains(f)));
        shared.push(Sharing {
            hour: h,
            fields: merged.clone(),
        });
        open.push(merged);
    }
    if most == 0 {
        open.clear();
    }
}

/// Step 3, the check: simulate the day; while a field-hour seen often enough is called
/// within target less often than the goal, the worst gets one more counter of its field
/// (or, with every counter open, is short). The last simulation, and the short ones.
#[allow(clippy::type_complexity)]
fn check(
    fields: &[FieldDay],
    first_hour: u8,
    counters: &mut [Vec<Vec<usize>>],
    options: &Options,
) -> (Vec<Vec<Tally>>, Vec<(usize, usize)>) {
    let mut short = Vec::new();
    let mut predicted = Vec::new();
    for _ in 0..options.rounds.max(1) {
        let day = Day {
            first_hour,
            fields: fields.to_vec(),
            counters: counters.to_vec(),
        };
        predicted = simulate(&day, options.runs, options.seed);
        let worst = predicted
            .iter()
            .enumerate()
            .flat_map(|(f, row)| row.iter().enumerate().map(move |(h, t)| (f, h, t)))
            .filter(|(f, h, _)| !short.contains(&(*f, *h)))
            .filter(|(_, _, t)| t.arrived >= JUDGED_FROM * u64::from(options.runs.max(1)) / 4)
            .map(|(f, h, t)| (f, h, t.within_share().unwrap_or(0.0)))
            .filter(|(_, _, share)| *share < options.goal)
            .min_by(|a, b| a.2.total_cmp(&b.2));
        let Some((f, h, _)) = worst else {
            break;
        };
        if counters[h].len() < options.counters as usize {
            counters[h].push(vec![f]);
        } else {
            short.push((f, h));
        }
    }
    (predicted, short)
}

/// How many of `open` serve field `f`.
fn open_serving(open: &[Vec<usize>], f: usize) -> usize {
    open.iter().filter(|c| c.contains(&f)).count()
}

/// Whether one counter serving `a` and `b` in hour `h` calls both within the stricter
/// target often enough, by Erlang on their pooled load.
fn pair_holds(a: &FieldDay, b: &FieldDay, h: usize, goal: f64) -> bool {
    let rate = |f: &FieldDay| f.arrivals.get(h).copied().unwrap_or(0.0);
    let arrivals = rate(a) + rate(b);
    if arrivals <= 0.0 {
        return true;
    }
    let handling =
        (rate(a) * a.handling.mean_minutes() + rate(b) * b.handling.mean_minutes()) / arrivals;
    let pooled = Load {
        arrivals_per_hour: arrivals,
        handling_minutes: handling,
        patience_minutes: None,
    };
    erlang::predict(&pooled, 1, a.target_minutes.min(b.target_minutes)).within_target >= goal
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::Handling;

    fn field(arrivals: Vec<f64>, minutes: f64, target: f64) -> FieldDay {
        FieldDay {
            arrivals,
            handling: Handling::Around {
                mean_minutes: minutes,
            },
            patience_minutes: None,
            target_minutes: target,
        }
    }

    fn options() -> Options {
        Options {
            runs: 20,
            ..Options::default()
        }
    }

    fn within(t: &[Tally]) -> f64 {
        let mut all = Tally::default();
        t.iter().for_each(|x| all.add(x));
        all.within_share().unwrap_or(0.0)
    }

    #[test]
    fn the_first_answer_is_erlangs_and_the_busy_hour_gets_more_counters() {
        // 20 an hour at 8 minutes needs 4 counters for 80% within 15 minutes (Erlang C: 3
        // give 57%); a quiet hour of 3 an hour needs 1 (87%; 4 an hour would need 2).
        let day = [field(vec![3.0, 20.0, 20.0, 3.0], 8.0, 15.0)];
        let p = propose(&day, 8, &options());
        assert_eq!(p.first_answer[0][0], 1);
        assert_eq!(p.first_answer[0][1], 4, "{:?}", p.first_answer);
        assert!(p.counters[1].len() >= p.counters[0].len());
        assert!(within(&p.predicted[0]) >= 0.8, "{:?}", p.predicted);
        assert!(p.short.is_empty());
    }

    #[test]
    fn two_quiet_fields_share_one_counter_and_still_meet_the_goal() {
        let day = [
            field(vec![2.0; 3], 10.0, 20.0),
            field(vec![1.5; 3], 8.0, 20.0),
            field(vec![25.0; 3], 6.0, 15.0),
        ];
        let p = propose(&day, 8, &options());
        assert!(
            p.shared
                .iter()
                .any(|s| s.fields == vec![0, 1] || s.fields == vec![1, 0]),
            "{:?}",
            p.shared
        );
        assert!(p.counters[0].iter().any(|c| c.len() == 2));
        for f in 0..3 {
            assert!(
                within(&p.predicted[f]) >= 0.8,
                "field {f}: {:?}",
                p.predicted[f]
            );
        }
    }

    /// The queue built up in a rush hour spills into the next: the simulated check sees it
    /// where the hour-by-hour formula does not, and opens more.
    /// The demo hall: five fields of 2 an hour each, four counters. Each needs a counter of
    /// its own (B two), but the hall has four: the least busy share, and every field is
    /// served.
    #[test]
    fn with_fewer_counters_than_fields_the_least_busy_share() {
        let day = [
            field(vec![2.0; 3], 9.0, 15.0),
            field(vec![2.0; 3], 16.0, 20.0),
            field(vec![2.0; 3], 11.0, 15.0),
            field(vec![2.0; 3], 5.0, 10.0),
            field(vec![2.0; 3], 13.0, 20.0),
        ];
        let o = Options {
            counters: 4,
            ..options()
        };
        let p = propose(&day, 8, &o);
        for h in 0..3 {
            assert!(p.counters[h].len() <= 4, "{:?}", p.counters[h]);
            for f in 0..5 {
                assert!(
                    open_serving(&p.counters[h], f) > 0,
                    "hour {h}: nobody serves {f}"
                );
            }
        }
        assert!(p.shared.iter().any(|s| s.hour == 0), "{:?}", p.shared);
        // Every shared counter of the proposal is listed as shared, and only those.
        for h in 0..3 {
            let mut listed: Vec<Vec<usize>> = p
                .shared
                .iter()
                .filter(|s| s.hour == h)
                .map(|s| s.fields.clone())
                .collect();
            let mut open: Vec<Vec<usize>> = p.counters[h]
                .iter()
                .filter(|c| c.len() > 1)
                .cloned()
                .collect();
            listed.sort();
            open.sort();
            // The check may add counters of one field, never shared ones.
            assert_eq!(listed, open, "hour {h}");
        }
        for f in 0..5 {
            let mut t = Tally::default();
            p.predicted[f].iter().for_each(|x| t.add(x));
            assert_eq!(
                t.called, t.arrived,
                "field {f}: everyone is called in the end"
            );
        }
    }

    /// Ten counters needed (A four, B three, C three, each alone) and six in the hall:
    /// counters of different fields become shared ones, never two of the same field one.
    #[test]
    fn sharing_for_want_of_counters_joins_different_fields() {
        let day = [
            field(vec![20.0], 8.0, 15.0),
            field(vec![6.0], 14.0, 20.0),
            field(vec![24.0], 4.0, 10.0),
        ];
        let o = Options {
            counters: 6,
            rounds: 1,
            ..options()
        };
        let p = propose(&day, 8, &o);
        assert_eq!(
            p.first_answer.iter().map(|f| f[0]).sum::<u32>(),
            10,
            "{:?}",
            p.first_answer
        );
        assert_eq!(p.counters[0].len(), 6, "{:?}", p.counters);
        let serving: Vec<usize> = (0..3).map(|f| open_serving(&p.counters[0], f)).collect();
        assert!(serving.iter().all(|&n| n >= 2), "{:?}", p.counters);
        assert!(p.counters[0].iter().filter(|c| c.len() > 1).count() >= 1);
    }

    #[test]
    fn the_check_corrects_the_hour_after_a_rush() {
        let day = [field(vec![40.0, 10.0, 10.0], 10.0, 15.0)];
        let o = Options {
            counters: 4,
            ..options()
        };
        let p = propose(&day, 8, &o);
        // Four counters for 40 an hour at 10 minutes is past full load: short in the rush.
        assert!(p.short.contains(&(0, 0)), "{:?}", p.short);
        assert!(
            p.counters[1].len() > p.first_answer[0][1] as usize,
            "after the rush the check opens more than the formula's {}: {:?}",
            p.first_answer[0][1],
            p.counters
        );
    }
}
