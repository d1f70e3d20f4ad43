//! The tail's answers against the full replay's, on random halls.

use super::super::{Availability, CounterNow, Field, Visit, Waiting, forecast, forecast_with_tail};
use crate::ServiceCode;
use crate::hall::CallOrder;

/// A small deterministic generator (xorshift), so a failure can be replayed by its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const CODES: [&str; 6] = ["A", "B", "C", "D", "E", "Z"];

fn code(s: &str) -> ServiceCode {
    ServiceCode::try_from(s.to_owned()).expect("code")
}

/// A random hall: fields with their typical visits, counters serving overlapping fields
/// (open, paused or closed, some with a citizen), and waiting tickets (priority ones,
/// transferred ones queued later than their id says, ties in queue time, a field the
/// hall no longer has).
struct RandomHall {
    fields: Vec<Field>,
    serves: Vec<Vec<ServiceCode>>,
    states: Vec<(Availability, Option<Visit>)>,
    waiting: Vec<Waiting>,
    order: CallOrder,
}

impl RandomHall {
    fn new(rng: &mut Rng) -> RandomHall {
        let n = 1 + rng.below(5) as usize;
        let fields: Vec<Field> = CODES[..n]
            .iter()
            .map(|c| Field {
                code: code(c),
                typical: [0.05, 2.0, 4.0, 4.5, 8.0, 10.0, 15.0][rng.below(7) as usize]
                    + rng.below(3) as f64 * 0.25,
            })
            .collect();
        let mut serves = Vec::new();
        let mut states = Vec::new();
        for _ in 0..rng.below(6) {
            let mut s: Vec<ServiceCode> = Vec::new();
            for _ in 0..1 + rng.below(3) {
                let c = code(CODES[rng.below(n as u64) as usize]);
                if !s.contains(&c) {
                    s.push(c);
                }
            }
            serves.push(s);
            let availability = match rng.below(10) {
                0..=5 => Availability::Open,
                6..=7 => Availability::Paused,
                _ => Availability::Closed,
            };
            let visit = rng.chance(50).then(|| Visit {
                service: code(CODES[rng.below(n as u64 + 1) as usize]),
                elapsed: rng.below(40) as f64 * 0.5,
            });
            states.push((availability, visit));
        }
        let mut waiting = Vec::new();
        for id in 0..rng.below(40) as i64 {
            waiting.push(Waiting {
                service: code(CODES[rng.below(n as u64 + 1) as usize]),
                priority: rng.chance(10),
                // Minutes apart, or within the same millisecond as another.
                queued_at: rng.below(30) as i64 * 60_000 + rng.below(2) as i64,
                id: id + 1,
            });
        }
        let order = if rng.chance(85) {
            CallOrder::Oldest
        } else {
            CallOrder::Preference
        };
        RandomHall {
            fields,
            serves,
            states,
            waiting,
            order,
        }
    }

    fn counters(&self) -> Vec<CounterNow<'_>> {
        self.serves
            .iter()
            .zip(&self.states)
            .map(|(serves, (availability, visit))| CounterNow {
                serves,
                availability: *availability,
                visit: visit.clone(),
            })
            .collect()
    }
}

#[test]
fn a_ticket_joining_at_the_back_is_placed_as_the_full_replay_places_it_ties_included() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut joined, mut on_a_tie, mut refused) = (0, 0, 0);
    for _ in 0..1500 {
        let mut hall = RandomHall::new(&mut rng);
        let (_, mut tail) =
            forecast_with_tail(&hall.fields, &hall.counters(), &hall.waiting, hall.order);
        assert!(tail.same_hall(&hall.fields, &hall.counters(), hall.order));
        let mut id = 1000;
        for _ in 0..25 {
            id += 1;
            let f = hall.fields[rng.below(hall.fields.len() as u64) as usize]
                .code
                .clone();
            let latest = tail.latest.as_ref().map_or(0, |(at, _)| *at);
            let tie = rng.chance(40);
            let queued_at = match rng.below(10) {
                _ if tie => latest,
                0 => latest - 1,
                n => latest + n as i64 * 20_000,
            };
            let placed = tail.join(&f, queued_at);
            hall.waiting.push(Waiting {
                service: f.clone(),
                priority: false,
                queued_at,
                id,
            });
            let full = forecast(&hall.fields, &hall.counters(), &hall.waiting, hall.order);
            match placed {
                Some(place) => {
                    assert_eq!(Some(place), full.place(id), "ticket {id} of {f}");
                    assert!(tail.waiting_in(&f));
                    joined += 1;
                    on_a_tie += usize::from(tie);
                }
                None => {
                    // Only a ticket queued before the youngest waiting, or counters calling
                    // by preference, need the full replay: never a tie in queue time.
                    assert!(
                        hall.order == CallOrder::Preference || queued_at < latest,
                        "ticket {id} of {f} queued at {queued_at} (latest {latest}) refused"
                    );
                    // The hall replays in full, and keeps that replay's tail.
                    refused += 1;
                    tail = forecast_with_tail(
                        &hall.fields,
                        &hall.counters(),
                        &hall.waiting,
                        hall.order,
                    )
                    .1;
                }
            }
        }
    }
    // The fast path was taken often, ties in queue time included, and refused sometimes.
    assert!(joined > 20_000, "{joined} joined");
    assert!(on_a_tie > 5_000, "{on_a_tie} joined on a tie");
    assert!(refused > 1_000, "{refused} refused");
}

#[test]
fn a_tail_is_of_its_own_hall_only() {
    let mut rng = Rng(7);
    for _ in 0..200 {
        let hall = RandomHall::new(&mut rng);
        let counters = hall.counters();
        let (_, tail) = forecast_with_tail(&hall.fields, &counters, &hall.waiting, hall.order);
        let mut slower = hall.fields.clone();
        slower[0].typical += 1.0;
        assert!(!tail.same_hall(&slower, &counters, hall.order));
        let other = match hall.order {
            CallOrder::Oldest => CallOrder::Preference,
            CallOrder::Preference => CallOrder::Oldest,
        };
        assert!(!tail.same_hall(&hall.fields, &counters, other));
        // A visit that has gone on a minute longer moves its counter's free time (unless
        // it is already at its floor): the tail is no longer of this hall then.
        let mut later: Vec<CounterNow<'_>> = counters.clone();
        for c in &mut later {
            if let Some(v) = &mut c.visit {
                v.elapsed += 1.0;
            }
        }
        let (_, moved) = forecast_with_tail(&hall.fields, &later, &hall.waiting, hall.order);
        assert_eq!(
            tail.same_hall(&hall.fields, &later, hall.order),
            moved.free_at == tail.free_at
        );
    }
}
