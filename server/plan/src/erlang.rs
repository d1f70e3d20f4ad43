//! The queueing formulas for one field in one hour: arrivals at random (Poisson), `counters`
//! alike serving one queue in turn, handling times spread like an exponential.
//!
//! - **Erlang C** (M/M/c): nobody gives up. Past full load (`offered ≥ counters`) the queue
//!   grows without end: the wait is infinite and nobody is called within the target.
//! - **Erlang A** (M/M/c+M): each citizen gives up after a patience spread like an
//!   exponential of the given mean, and leaves the queue. Always settles. Solved on the
//!   birth-death chain of the number in the hall (cut where what is left is below 1e-12),
//!   and, for the target, by uniformisation of each waiting citizen's own chain.
//!
//! "Within target" is the share of the citizens who are called (not those who gave up) whose
//! wait was at most the target, as the hall's figures count served visits.

use serde::Serialize;

/// One field in one hour, as the formulas see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    /// Arrivals an hour.
    pub arrivals_per_hour: f64,
    /// Mean counter time one arrival takes, in minutes (its service, or its no-show).
    pub handling_minutes: f64,
    /// Mean time a citizen waits before giving up, in minutes; `None`: nobody gives up
    /// (Erlang C).
    pub patience_minutes: Option<f64>,
}

/// What the formulas predict for a load on a number of counters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Prediction {
    /// The offered load, in counters' worth of work (erlangs).
    pub offered: f64,
    /// The share of the counters' time spent handling citizens (at most 1).
    pub occupancy: f64,
    /// The share of arrivals who find every counter busy.
    pub wait_probability: f64,
    /// The mean wait in the queue, in minutes (those who give up count the time they
    /// waited); infinite past full load without giving up.
    pub mean_wait_minutes: f64,
    /// The share of the citizens called whose wait was at most the target.
    pub within_target: f64,
    /// The share of arrivals who give up (0 under Erlang C).
    pub abandoned: f64,
}

/// The prediction for `load` on `counters` counters, with the target wait `target_minutes`.
pub fn predict(load: &Load, counters: u32, target_minutes: f64) -> Prediction {
    let lambda = load.arrivals_per_hour.max(0.0) / 60.0;
    let s = load.handling_minutes.max(1e-9);
    let offered = lambda * s;
    let c = f64::from(counters);
    if lambda == 0.0 {
        return Prediction {
            offered: 0.0,
            occupancy: 0.0,
            wait_probability: 0.0,
            mean_wait_minutes: 0.0,
            within_target: 1.0,
            abandoned: 0.0,
        };
    }
    match load.patience_minutes {
        Some(patience) if patience > 0.0 && patience.is_finite() => {
            erlang_a(lambda, s, counters, 1.0 / patience, target_minutes)
        }
        _ => {
            if counters == 0 || offered >= c {
                return Prediction {
                    offered,
                    occupancy: if counters == 0 {
                        1.0
                    } else {
                        1.0f64.min(offered / c)
                    },
                    wait_probability: 1.0,
                    mean_wait_minutes: f64::INFINITY,
                    within_target: 0.0,
                    abandoned: 0.0,
                };
            }
            let wait_probability = erlang_c(offered, counters);
            Prediction {
                offered,
                occupancy: offered / c,
                wait_probability,
                mean_wait_minutes: wait_probability * s / (c - offered),
                within_target: 1.0 - wait_probability * (-(c - offered) * target_minutes / s).exp(),
                abandoned: 0.0,
            }
        }
    }
}

/// The fewest counters (up to `most`) whose prediction calls at least `share` of the
/// citizens within `target_minutes`; `None` if even `most` do not.
pub fn counters_needed(load: &Load, target_minutes: f64, share: f64, most: u32) -> Option<u32> {
    (0..=most).find(|&c| predict(load, c, target_minutes).within_target >= share)
}

/// Erlang B by its stable recursion, then Erlang C: the chance an arrival waits.
fn erlang_c(offered: f64, counters: u32) -> f64 {
    let mut b = 1.0;
    for k in 1..=counters {
        b = offered * b / (f64::from(k) + offered * b);
    }
    let c = f64::from(counters);
    c * b / (c - offered * (1.0 - b))
}

/// The most states of the hall's chain Erlang A looks at.
const MOST_STATES: usize = 20_000;

/// Erlang A on the birth-death chain: arrivals at `lambda` a minute, handling `s` minutes,
/// giving up at `gamma` a minute.
fn erlang_a(lambda: f64, s: f64, counters: u32, gamma: f64, target: f64) -> Prediction {
    let mu = 1.0 / s;
    let c = counters as usize;
    let death = |n: usize| n.min(c) as f64 * mu + n.saturating_sub(c) as f64 * gamma;
    // Unnormalised chances of n in the hall, rescaled as they go so nothing overflows.
    let mut p = vec![1.0f64];
    let mut sum = 1.0;
    let mut n = 0;
    while n < MOST_STATES {
        n += 1;
        let next = p[n - 1] * lambda / death(n);
        p.push(next);
        sum += next;
        if sum > 1e200 {
            p.iter_mut().for_each(|x| *x /= sum);
            sum = 1.0;
        }
        if n > c && next < 1e-12 * sum && death(n + 1) > lambda {
            break;
        }
    }
    p.iter_mut().for_each(|x| *x /= sum);
    let wait_probability: f64 = p.iter().skip(c).sum();
    let queue: f64 = p
        .iter()
        .enumerate()
        .skip(c)
        .map(|(n, x)| (n - c) as f64 * x)
        .sum();
    let busy: f64 = p.iter().enumerate().map(|(n, x)| n.min(c) as f64 * x).sum();
    let abandoned = gamma * queue / lambda;
    // A citizen arriving to find n ≥ c waits behind j = n − c: with i still ahead it moves
    // up at cμ + iγ and gives up at γ. Called within the target, and called at all:
    let ahead = p.len().saturating_sub(c);
    let (within, called) = tagged_citizen(ahead, c as f64 * mu, gamma, target);
    let mut called_in_time = p.iter().take(c).sum::<f64>();
    let mut called_at_all = called_in_time;
    for (j, x) in p.iter().skip(c).enumerate() {
        called_in_time += x * within[j];
        called_at_all += x * called[j];
    }
    Prediction {
        offered: lambda * s,
        occupancy: if c == 0 { 1.0 } else { busy / c as f64 },
        wait_probability,
        mean_wait_minutes: queue / lambda,
        within_target: if called_at_all > 0.0 {
            called_in_time / called_at_all
        } else {
            0.0
        },
        abandoned,
    }
}

/// For a waiting citizen with j = 0..`ahead` others ahead: the chance to be called within
/// `target` minutes, and to be called at all, when the queue moves at `served` + iγ with i
/// ahead and the citizen gives up at `gamma`. Uniformisation of the backward equation gives
/// every j at once.
fn tagged_citizen(ahead: usize, served: f64, gamma: f64, target: f64) -> (Vec<f64>, Vec<f64>) {
    let called: Vec<f64> = (0..ahead)
        .scan(1.0, |product, i| {
            let moves = served + i as f64 * gamma;
            *product *= moves / (moves + gamma);
            Some(*product)
        })
        .collect();
    if ahead == 0 || served == 0.0 {
        return (vec![0.0; ahead], called);
    }
    let top = served + ahead as f64 * gamma + gamma;
    let steps = top * target;
    // u[j]: the chance to have been called after k jumps of the uniformised chain.
    let mut u = vec![0.0f64; ahead];
    let mut within = vec![0.0f64; ahead];
    // The Poisson weights of k jumps in `target`, in log space: no underflow however busy.
    let mut log_weight = -steps;
    let mut mass = log_weight.exp();
    let most = (steps + 12.0 * steps.sqrt() + 30.0) as u32;
    for k in 1..=most {
        // One jump: from j, up a place (to j-1, or called from 0) with (served + jγ)/top,
        // gone with γ/top, else stay.
        let mut next = vec![0.0f64; ahead];
        for j in 0..ahead {
            let moves = (served + j as f64 * gamma) / top;
            let up = if j == 0 { 1.0 } else { u[j - 1] };
            next[j] = moves * up + (1.0 - moves - gamma / top) * u[j];
        }
        u = next;
        log_weight += steps.ln() - f64::from(k).ln();
        let weight = log_weight.exp();
        mass += weight;
        for (w, x) in within.iter_mut().zip(&u) {
            *w += weight * x;
        }
        if mass > 1.0 - 1e-12 && f64::from(k) > steps {
            break;
        }
    }
    (within, called)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(arrivals_per_hour: f64, handling_minutes: f64) -> Load {
        Load {
            arrivals_per_hour,
            handling_minutes,
            patience_minutes: None,
        }
    }

    fn close(got: f64, want: f64, within: f64) {
        assert!(
            (got - want).abs() <= within,
            "got {got}, want {want} ± {within}"
        );
    }

    /// The call-centre textbook case: 100 calls in 30 minutes, 180 s handling, 20 s target,
    /// 14 agents: a service level of 0.888 and a chance of waiting of 0.174.
    #[test]
    fn erlang_c_gives_the_published_reference_values() {
        let p = predict(&c(200.0, 3.0), 14, 20.0 / 60.0);
        close(p.offered, 10.0, 1e-9);
        close(p.wait_probability, 0.174, 0.0005);
        close(p.within_target, 0.888, 0.0005);
        // Its mean wait, 0.174 × 180 s / 4 = 7.8 s.
        close(p.mean_wait_minutes * 60.0, 7.8, 0.05);
    }

    /// The issue's cliff: 20 an hour at 8 minutes, and 38 an hour at 6.
    #[test]
    fn one_counter_more_or_less_is_the_cliff_the_issue_describes() {
        let three = predict(&c(20.0, 8.0), 3, 15.0);
        close(three.mean_wait_minutes, 19.0, 0.5);
        close(three.within_target, 0.57, 0.01);
        let four = predict(&c(20.0, 8.0), 4, 15.0);
        close(four.mean_wait_minutes, 2.3, 0.1);
        close(four.within_target, 0.97, 0.01);
        let crowded = predict(&c(38.0, 6.0), 4, 15.0);
        close(crowded.occupancy, 0.95, 0.001);
        close(crowded.mean_wait_minutes, 27.0, 1.0);
        close(predict(&c(38.0, 6.0), 5, 15.0).mean_wait_minutes, 2.4, 0.1);
        assert_eq!(counters_needed(&c(20.0, 8.0), 15.0, 0.8, 20), Some(4));
    }

    #[test]
    fn past_full_load_nobody_is_called_in_time_and_with_no_one_coming_everyone_is() {
        let p = predict(&c(30.0, 4.0), 2, 10.0);
        assert_eq!(p.within_target, 0.0);
        assert!(p.mean_wait_minutes.is_infinite());
        assert_eq!(predict(&c(30.0, 4.0), 0, 10.0).within_target, 0.0);
        assert_eq!(predict(&c(0.0, 4.0), 0, 10.0).within_target, 1.0);
        assert_eq!(counters_needed(&c(300.0, 10.0), 15.0, 0.8, 20), None);
    }

    #[test]
    fn erlang_a_with_endless_patience_is_erlang_c() {
        let patient = Load {
            patience_minutes: Some(1e7),
            ..c(200.0, 3.0)
        };
        let a = predict(&patient, 14, 20.0 / 60.0);
        let c = predict(&c(200.0, 3.0), 14, 20.0 / 60.0);
        close(a.wait_probability, c.wait_probability, 1e-4);
        close(a.within_target, c.within_target, 1e-4);
        close(a.mean_wait_minutes, c.mean_wait_minutes, 1e-4);
        assert!(a.abandoned < 1e-6);
    }

    /// Past full load the queue settles when citizens give up: the chain's answer matches
    /// what balance requires (served + gave up = arrivals) and lies where it must.
    #[test]
    fn erlang_a_settles_past_full_load_and_its_flows_balance() {
        let load = Load {
            arrivals_per_hour: 40.0,
            handling_minutes: 8.0,
            patience_minutes: Some(20.0),
        };
        let p = predict(&load, 4, 15.0);
        assert!(p.mean_wait_minutes.is_finite());
        // What the counters serve, occupancy × c / s, is what did not give up.
        close(
            p.occupancy * 4.0 / 8.0,
            40.0 / 60.0 * (1.0 - p.abandoned),
            1e-6,
        );
        assert!(p.abandoned > 0.1 && p.abandoned < 0.5, "{p:?}");
        assert!(p.within_target > 0.0 && p.within_target < 1.0, "{p:?}");
        // More counters: fewer give up, more are called in time.
        let more = predict(&load, 6, 15.0);
        assert!(more.abandoned < p.abandoned && more.within_target > p.within_target);
    }

    /// Little's law on the chain: the queue's length is arrivals × mean wait, and the
    /// tagged citizen's chance to be called at all matches the abandonment share.
    #[test]
    fn erlang_a_agrees_with_itself_on_who_is_called() {
        let load = Load {
            arrivals_per_hour: 30.0,
            handling_minutes: 10.0,
            patience_minutes: Some(15.0),
        };
        let lambda = 0.5;
        let mu = 0.1;
        let gamma = 1.0 / 15.0;
        let c = 5usize;
        let p = predict(&load, 5, 10.0);
        // Recompute the called share from the tagged citizen alone.
        let mut pi = vec![1.0f64];
        for n in 1..400 {
            let death = n.min(c) as f64 * mu + n.saturating_sub(c) as f64 * gamma;
            pi.push(pi[n - 1] * lambda / death);
        }
        let total: f64 = pi.iter().sum();
        let (_, called) = tagged_citizen(400 - c, c as f64 * mu, gamma, 10.0);
        let gave_up: f64 = pi
            .iter()
            .skip(c)
            .zip(&called)
            .map(|(x, called)| x / total * (1.0 - called))
            .sum();
        close(gave_up, p.abandoned, 1e-6);
    }
}
