//! **Idle while people waited**: the time a counter was open, not paused and busy with no
//! one, while someone waited in one of the fields it serves.
//!
//! - A counter is **busy** from a visit's first call at it until that visit ends (served,
//!   absent, transferred, returned, cancelled), or until now while it runs.
//! - Someone **waits** in a field from a visit's beginning until its first call by any
//!   counter, or its end if it was never called.
//! - The fields a counter serves are those of the hall's set-up as it is now: a counter
//!   given other fields during the range is counted with its present ones.
//!
//! The time is the counter's and its clerk's of that open span, and the day's and the
//! hour's. Every such moment counts, the few seconds between finishing one citizen and
//! calling the next too: a clerk who calls at once adds little.

use super::{Span, Visit};
use chrono::NaiveDate;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// From, to (ms); to > from.
pub(super) type Interval = (i64, i64);

/// For each open span of `spans` (a counter's pauses lie within it), by its index there,
/// the moments it was neither paused nor busy while people waited in its counter's fields (`counter_fields`). `end(span)` is when a
/// span ends for counting; `now` ends what still runs.
pub(super) fn idle_while_waiting(
    visits: &[Visit],
    spans: &[Span],
    counter_fields: &BTreeMap<u16, Vec<String>>,
    end: impl Fn(&Span) -> i64,
    now: i64,
) -> Vec<(usize, Vec<Interval>)> {
    let mut waiting: FxHashMap<(NaiveDate, &str), Vec<Interval>> = FxHashMap::default();
    let mut busy: FxHashMap<(NaiveDate, u16), Vec<Interval>> = FxHashMap::default();
    for v in visits {
        let waited_until = v.first_call.or(v.ended_at).unwrap_or(now);
        waiting
            .entry((v.day, v.service.as_str()))
            .or_default()
            .push((v.queued_at, waited_until));
        if let (Some(counter), Some(called)) = (v.counter, v.first_call.or(v.started_at)) {
            busy.entry((v.day, counter))
                .or_default()
                .push((called, v.ended_at.unwrap_or(now)));
        }
    }
    // A pause lies within its counter's open span: busy too, for this count.
    for s in spans.iter().filter(|s| s.pause.is_some()) {
        busy.entry((s.day, s.counter))
            .or_default()
            .push((s.began_at, end(s)));
    }
    let waiting: FxHashMap<_, _> = waiting.into_iter().map(|(k, v)| (k, union(v))).collect();
    let busy: FxHashMap<_, _> = busy.into_iter().map(|(k, v)| (k, union(v))).collect();
    // Each counter's day is worked out once, whatever number of spans it had.
    let mut idle: FxHashMap<(NaiveDate, u16), Vec<Interval>> = FxHashMap::default();
    spans
        .iter()
        .enumerate()
        .filter(|(_, s)| s.pause.is_none())
        .filter_map(|(i, s)| {
            let key = (s.day, s.counter);
            let idle = idle.entry(key).or_insert_with(|| {
                let fields = counter_fields.get(&s.counter).map_or(&[][..], |f| f);
                let someone_waits = union(
                    fields
                        .iter()
                        .filter_map(|f| waiting.get(&(s.day, f.as_str())))
                        .flatten()
                        .copied()
                        .collect(),
                );
                minus(&someone_waits, busy.get(&key).map_or(&[][..], |b| b))
            });
            let parts: Vec<Interval> = within(idle, s.began_at, end(s)).collect();
            (!parts.is_empty()).then_some((i, parts))
        })
        .collect()
}

/// The union of `intervals`: sorted, disjoint, none empty.
fn union(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.retain(|(from, to)| from < to);
    intervals.sort_unstable();
    let mut out: Vec<Interval> = Vec::with_capacity(intervals.len());
    for (from, to) in intervals {
        match out.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => out.push((from, to)),
        }
    }
    out
}

/// `a` without `b`, both sorted and disjoint.
fn minus(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let mut out = Vec::new();
    let mut first = 0;
    for &(mut from, to) in a {
        while first < b.len() && b[first].1 <= from {
            first += 1;
        }
        for &(cut_from, cut_to) in b[first..].iter().take_while(|(f, _)| *f < to) {
            if cut_from > from {
                out.push((from, cut_from));
            }
            from = from.max(cut_to);
        }
        if from < to {
            out.push((from, to));
        }
    }
    out
}

/// The parts of sorted, disjoint `a` within [from, to).
fn within(a: &[Interval], from: i64, to: i64) -> impl Iterator<Item = Interval> + '_ {
    let first = a.partition_point(|&(_, end)| end <= from);
    a[first..]
        .iter()
        .take_while(move |&&(start, _)| start < to)
        .map(move |&(start, end)| (start.max(from), end.min(to)))
        .filter(|(start, end)| start < end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_joins_what_overlaps_or_touches_and_drops_the_empty() {
        assert_eq!(
            union(vec![(5, 8), (1, 3), (3, 4), (7, 10), (12, 12)]),
            vec![(1, 4), (5, 10)]
        );
    }

    #[test]
    fn minus_cuts_out_every_part_of_the_second() {
        assert_eq!(
            minus(&[(0, 10), (20, 30)], &[(2, 3), (5, 22), (25, 40)]),
            vec![(0, 2), (3, 5), (22, 25)]
        );
        assert_eq!(minus(&[(0, 10)], &[]), vec![(0, 10)]);
        assert_eq!(minus(&[(0, 10)], &[(0, 10)]), vec![]);
    }

    #[test]
    fn within_keeps_only_the_span() {
        let a = [(0, 10), (20, 30), (40, 50)];
        assert_eq!(
            within(&a, 5, 25).collect::<Vec<_>>(),
            vec![(5, 10), (20, 25)]
        );
        assert_eq!(within(&a, 10, 20).count(), 0);
    }
}
