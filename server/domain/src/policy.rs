//! Whom a counter calls when the clerk presses Next.
//!
//! Priority tickets (elderly, disabled, pregnant, war invalids, meritorious service) go
//! ahead of normal ones, in the order they arrived. So that a steady stream of priority
//! tickets cannot starve everyone else, after `priority_streak_limit` priority calls in a
//! row at a counter, a normal ticket that has waited longer than
//! `normal_wait_limit_minutes` is called next.

use super::hall::{CallOrder, Fairness};
use chrono::{DateTime, Utc};

/// A waiting ticket, as far as the choice is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    /// The ticket's place in the queue: its issue time, or the time it was put back.
    pub queued_at: DateTime<Utc>,
    pub priority: bool,
    /// The position of the ticket's field in the counter's preference list (0 = first).
    pub preference: usize,
}

/// The ticket to call, and whether it was called as priority (to keep the streak count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Choice {
    pub id: i64,
    pub as_priority: bool,
}

/// Choose the next ticket among `waiting` (tickets of the fields the counter serves).
/// `streak` is how many priority tickets this counter has called in a row.
///
/// Within one field and one kind (priority or normal) the choice is always the oldest, by
/// queue time then id: a caller may show it only those heads of the queues instead of
/// everyone waiting, and gets the same answer.
pub fn choose_next(
    waiting: &[Candidate],
    streak: u32,
    fairness: Fairness,
    order: CallOrder,
    now: DateTime<Utc>,
) -> Option<Choice> {
    // The first ticket of one kind: the oldest (preference breaks ties), or in preference
    // order the oldest of the most preferred field that has anyone waiting.
    let first = |priority: bool| {
        let of_kind = waiting.iter().filter(|c| c.priority == priority);
        match order {
            CallOrder::Oldest => of_kind.min_by_key(|c| (c.queued_at, c.preference, c.id)),
            CallOrder::Preference => of_kind.min_by_key(|c| (c.preference, c.queued_at, c.id)),
        }
        .map(|c| (c, priority))
    };
    let priority = first(true);
    let normal = first(false);
    let chosen = match (priority, normal) {
        (Some(p), Some(n)) => {
            let waited = now.signed_duration_since(n.0.queued_at);
            let limit = chrono::Duration::minutes(i64::from(fairness.normal_wait_limit_minutes));
            if streak >= fairness.priority_streak_limit && waited > limit {
                n
            } else {
                p
            }
        }
        (Some(p), None) => p,
        (None, Some(n)) => n,
        (None, None) => return None,
    };
    Some(Choice {
        id: chosen.0.id,
        as_priority: chosen.1,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 1, minute, 0)
            .single()
            .expect("time")
    }

    fn ticket(id: i64, minute: u32, priority: bool, preference: usize) -> Candidate {
        Candidate {
            id,
            queued_at: at(minute),
            priority,
            preference,
        }
    }

    const FAIR: Fairness = Fairness {
        priority_streak_limit: 3,
        normal_wait_limit_minutes: 20,
    };

    #[test]
    fn nobody_waiting_means_nobody_is_called() {
        assert_eq!(choose_next(&[], 0, FAIR, CallOrder::Oldest, at(0)), None);
    }

    #[test]
    fn the_oldest_ticket_across_the_fields_goes_first() {
        let waiting = [ticket(1, 10, false, 0), ticket(2, 5, false, 1)];
        let c = choose_next(&waiting, 0, FAIR, CallOrder::Oldest, at(30)).expect("one");
        assert_eq!(c.id, 2);
    }

    #[test]
    fn in_preference_order_the_first_field_is_emptied_first() {
        let waiting = [ticket(1, 10, false, 0), ticket(2, 5, false, 1)];
        let c = choose_next(&waiting, 0, FAIR, CallOrder::Preference, at(30)).expect("one");
        assert_eq!(c.id, 1);
    }

    #[test]
    fn priority_goes_ahead_in_order_of_arrival() {
        let waiting = [
            ticket(1, 1, false, 0),
            ticket(2, 9, true, 0),
            ticket(3, 4, true, 1),
        ];
        let c = choose_next(&waiting, 0, FAIR, CallOrder::Oldest, at(10)).expect("one");
        assert_eq!(
            c,
            Choice {
                id: 3,
                as_priority: true
            }
        );
    }

    /// Each field's oldest priority and oldest normal ticket (by queue time, then id).
    fn heads(waiting: &[Candidate]) -> Vec<Candidate> {
        let mut heads: Vec<Candidate> = Vec::new();
        for c in waiting {
            let same = heads
                .iter_mut()
                .find(|h| h.preference == c.preference && h.priority == c.priority);
            match same {
                Some(h) if (c.queued_at, c.id) < (h.queued_at, h.id) => *h = c.clone(),
                Some(_) => {}
                None => heads.push(c.clone()),
            }
        }
        heads
    }

    #[test]
    fn shown_only_the_heads_of_the_queues_it_chooses_as_among_everyone() {
        // A small xorshift: the same queues on every run.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut roll = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for _ in 0..2_000 {
            let waiting: Vec<Candidate> = (0..roll(12))
                .map(|id| ticket(id as i64, roll(30) as u32, roll(3) == 0, roll(3) as usize))
                .collect();
            let streak = roll(5) as u32;
            let now = at(roll(60) as u32);
            for order in [CallOrder::Oldest, CallOrder::Preference] {
                assert_eq!(
                    choose_next(&heads(&waiting), streak, FAIR, order, now),
                    choose_next(&waiting, streak, FAIR, order, now),
                    "{waiting:?}, streak {streak}, {order:?}"
                );
            }
        }
    }

    #[test]
    fn after_a_streak_of_priority_a_long_waiting_normal_ticket_goes_next() {
        let waiting = [ticket(1, 0, false, 0), ticket(2, 9, true, 0)];
        // Streak reached and the normal ticket has waited 25 minutes > 20.
        let c = choose_next(&waiting, 3, FAIR, CallOrder::Oldest, at(25)).expect("one");
        assert_eq!(
            c,
            Choice {
                id: 1,
                as_priority: false
            }
        );
        // Streak not reached yet: priority still goes first.
        let c = choose_next(&waiting, 2, FAIR, CallOrder::Oldest, at(25)).expect("one");
        assert_eq!(c.id, 2);
        // Streak reached but the normal ticket has not waited long enough.
        let c = choose_next(&waiting, 3, FAIR, CallOrder::Oldest, at(15)).expect("one");
        assert_eq!(c.id, 2);
    }
}
