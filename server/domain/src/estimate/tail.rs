//! Placing a ticket that joins at the back of its queue without replaying everyone.
//!
//! With the counters calling the oldest ticket first, the normal tickets queued at the
//! latest moment (the youngest, usually one) are called last: a counter calls one only when
//! nobody older waits in any of its fields, the moment it would fall idle in the replay
//! without them, and from then on it calls only them. So the replay of the hall splits in
//! two: the replay of everyone older (the "base": when each counter called someone, and
//! when it fell idle), untouched by the youngest tickets, and a small replay of the
//! youngest alone, each counter starting when it fell idle in the base and calling its
//! most preferred field that still has one (they are all as old).
//!
//! So a [`Tail`] keeps the base and how many of the youngest each field has. A normal
//! ticket queued later than all of them turns them into base (their small replay is
//! settled) and is the youngest alone; one queued at the same moment joins them (a
//! ticket of a preferred field may then go before the others of that moment, as in the
//! hall). Either way its place is read off the small replay, with everyone called before
//! it by the counters of its field, exactly as the full replay says. Anything else (a
//! priority ticket, counters calling by preference, a ticket queued earlier than the
//! youngest, or any other change of the hall) needs the full replay.

use super::{CounterNow, Place};
use super::{Desk, Field, Record, Ticket, desks_that_call};
use crate::ServiceCode;
use crate::hall::CallOrder;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

/// What a replay leaves behind to place tickets joining at the back of their queues.
#[derive(Debug, Clone)]
pub struct Tail {
    /// The fields' codes, in the replay's order.
    codes: Vec<ServiceCode>,
    /// The replay's inputs: each field's typical visit, the desks and when each was free.
    typical: Vec<f64>,
    desks: Vec<Desk>,
    free_at: Vec<f64>,
    order: CallOrder,
    /// What each desk did in the base (everyone but the youngest): when it called someone,
    /// and when it fell idle.
    calls: Vec<Vec<f64>>,
    idle_at: Vec<f64>,
    /// Whether anyone waits in each field.
    waiting_in: Vec<bool>,
    /// The latest queue time of a normal waiting ticket, and how many normal tickets of
    /// each field were queued then (the youngest, left out of the base).
    latest: Option<(i64, Vec<u32>)>,
}

/// The small replay of the youngest tickets on top of the base.
struct Youngest {
    /// Each desk's calls of them, in order.
    calls: Vec<Vec<f64>>,
    /// When each desk fell idle for good.
    idle_at: Vec<f64>,
    /// Each field's last call of them: (when, by which desk).
    last: Vec<Option<(f64, usize)>>,
}

impl Tail {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn after(
        fields: &[Field],
        queues: &[Vec<Ticket>],
        desks: Vec<Desk>,
        free_at: Vec<f64>,
        typical: Vec<f64>,
        record: Record,
        order: CallOrder,
        latest: Option<i64>,
    ) -> Tail {
        let Record {
            mut calls,
            mut idle_at,
            latest_from,
        } = record;
        // A desk's calls of the youngest come last: the base ends (falls idle) at the first.
        for (d, from) in latest_from.into_iter().enumerate() {
            if let Some(i) = from {
                idle_at[d] = calls[d][i];
                calls[d].truncate(i);
            }
        }
        let latest = latest.map(|at| {
            let counts = queues
                .iter()
                .map(|q| {
                    q.iter()
                        .rev()
                        .take_while(|t| **t == (false, at, t.2))
                        .count() as u32
                })
                .collect();
            (at, counts)
        });
        Tail {
            codes: fields.iter().map(|f| f.code.clone()).collect(),
            typical,
            desks,
            free_at,
            order,
            calls,
            idle_at,
            waiting_in: queues.iter().map(|q| !q.is_empty()).collect(),
            latest,
        }
    }

    /// Whether the replay was of a hall with these fields (and typical visits) and these
    /// counters: whether [`Tail::join`] may build on it.
    pub fn same_hall(
        &self,
        fields: &[Field],
        counters: &[CounterNow<'_>],
        order: CallOrder,
    ) -> bool {
        if order != self.order
            || fields.len() != self.codes.len()
            || fields.iter().zip(&self.codes).any(|(f, c)| &f.code != c)
        {
            return false;
        }
        let index: HashMap<&ServiceCode, usize> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (&f.code, i))
            .collect();
        let typical: Vec<f64> = fields.iter().map(|f| f.typical.max(0.1)).collect();
        let (desks, free_at) = desks_that_call(fields.len(), &index, &typical, counters);
        same(&typical, &self.typical) && desks == self.desks && same(&free_at, &self.free_at)
    }

    /// Whether anyone waits in `service` in the replayed hall (with the tickets joined).
    pub fn waiting_in(&self, service: &ServiceCode) -> bool {
        self.field(service).is_some_and(|f| self.waiting_in[f])
    }

    /// Place a normal ticket of `service` queued at `queued_at` (milliseconds) behind
    /// everyone: its place (people ahead, minutes), as the full replay with it among the
    /// waiting would give, and kept for the next. `None` (and nothing kept) when the full
    /// replay is needed: a field the replay does not know, counters calling by preference,
    /// or a ticket queued before the youngest waiting.
    pub fn join(&mut self, service: &ServiceCode, queued_at: i64) -> Option<(u32, u32)> {
        let f = self.field(service)?;
        if self.order != CallOrder::Oldest {
            return None;
        }
        match &self.latest {
            Some((at, _)) if queued_at < *at => return None,
            Some((at, _)) if queued_at > *at => self.settle(),
            _ => {}
        }
        let n = self.codes.len();
        let (_, counts) = self.latest.get_or_insert_with(|| (queued_at, vec![0; n]));
        counts[f] += 1;
        self.waiting_in[f] = true;
        // The new ticket is the last of its field's youngest: it is called at its field's
        // last call of the small replay.
        let young = self.youngest();
        let (at, desk) = young.last[f]?;
        let before = |d: usize, c: f64| c.total_cmp(&at).then(d.cmp(&desk)) == Ordering::Less;
        let ahead: usize = self
            .serving(f)
            .map(|d| {
                self.calls[d].partition_point(|&c| before(d, c))
                    + young.calls[d].partition_point(|&c| before(d, c))
            })
            .sum();
        let place = Place {
            ahead: ahead as u32,
            minutes: at,
        };
        Some(place.whole())
    }

    /// The youngest become base: their calls are the desks' latest, and the desks fall
    /// idle after them.
    fn settle(&mut self) {
        let young = self.youngest();
        for (d, calls) in young.calls.into_iter().enumerate() {
            self.calls[d].extend(calls);
        }
        self.idle_at = young.idle_at;
        self.latest = None;
    }

    /// Replay the youngest tickets: each desk from when it fell idle in the base, calling
    /// its most preferred field with one left (they were all queued at the same moment),
    /// taken for that field's typical visit; the desks in order of their free time, the
    /// desk listed first at the same minute, as in the full replay.
    fn youngest(&self) -> Youngest {
        let mut left = self
            .latest
            .as_ref()
            .map_or_else(|| vec![0; self.codes.len()], |(_, c)| c.clone());
        let mut young = Youngest {
            calls: vec![Vec::new(); self.desks.len()],
            idle_at: self.idle_at.clone(),
            last: vec![None; self.codes.len()],
        };
        let mut heap: BinaryHeap<Reverse<super::Slot>> = self
            .idle_at
            .iter()
            .enumerate()
            .map(|(desk, &at)| Reverse(super::Slot { at, desk }))
            .collect();
        while let Some(Reverse(super::Slot { at, desk })) = heap.pop() {
            let Some(&f) = self.desks[desk].serves.iter().find(|&&f| left[f] > 0) else {
                young.idle_at[desk] = at;
                continue;
            };
            left[f] -= 1;
            young.calls[desk].push(at);
            young.last[f] = Some((at, desk));
            heap.push(Reverse(super::Slot {
                at: at + self.typical[f],
                desk,
            }));
        }
        young
    }

    fn field(&self, service: &ServiceCode) -> Option<usize> {
        self.codes.iter().position(|c| c == service)
    }

    /// The desks that call field `f`.
    fn serving(&self, f: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.desks.len()).filter(move |&d| self.desks[d].serves.contains(&f))
    }
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[cfg(test)]
mod tests;
