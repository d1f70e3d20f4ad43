//! Placing a ticket that joins at the back of its queue without replaying everyone.
//!
//! With the counters calling the oldest ticket first, a normal ticket younger than every
//! ticket waiting is called by the first counter of its field to find nobody left in its
//! fields: the moment the replay placed its field's newcomer. Before that moment the
//! replay with the ticket is the replay without it (no counter would have called it
//! sooner); at that moment that counter calls it instead of falling idle, and is taken
//! for one typical visit of its field, after which it finds nobody again. No other counter
//! sees a difference: every field of that counter had run dry, and stays dry.
//!
//! So a [`Tail`] keeps, for each counter of the replay, when it called someone and when it
//! fell idle: a ticket joining at the back is called when the first counter of its field
//! falls idle, with everyone called before that moment by the counters of its field ahead
//! of it, exactly as the full replay would say; and the counter's record grows by one
//! call. Anything else (a priority ticket, a counter calling by preference, a ticket
//! queued as late as an older one of a field it would win against, or any other change
//! of the hall) needs the full replay.

use super::{CounterNow, Place};
use super::{Desk, Field, Record, Ticket, desks_that_call};
use crate::ServiceCode;
use crate::hall::CallOrder;
use std::cmp::Ordering;
use std::collections::HashMap;

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
    /// What each desk did: when it called someone, and when it fell idle for good.
    calls: Vec<Vec<f64>>,
    idle_at: Vec<f64>,
    /// Each field's last call in the replay: (when, by which desk).
    last_call: Vec<Option<(f64, usize)>>,
    /// Whether anyone waits in each field.
    waiting_in: Vec<bool>,
    /// The latest queue time of a normal waiting ticket, and the fields with one then.
    latest: Option<(i64, Vec<usize>)>,
}

impl Tail {
    pub(super) fn after(
        fields: &[Field],
        queues: &[Vec<Ticket>],
        desks: Vec<Desk>,
        free_at: Vec<f64>,
        typical: Vec<f64>,
        record: Record,
        order: CallOrder,
    ) -> Tail {
        let mut latest: Option<(i64, Vec<usize>)> = None;
        for (f, q) in queues.iter().enumerate() {
            // A queue is in call order: its last normal ticket is its latest one.
            let Some(&(false, at, _)) = q.last() else {
                continue;
            };
            match &mut latest {
                Some((l, fs)) if *l == at => fs.push(f),
                Some((l, _)) if *l > at => {}
                _ => latest = Some((at, vec![f])),
            }
        }
        Tail {
            codes: fields.iter().map(|f| f.code.clone()).collect(),
            typical,
            desks,
            free_at,
            order,
            calls: record.calls,
            idle_at: record.idle_at,
            last_call: record.last_call,
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
    /// or an older ticket the new one would go ahead of.
    pub fn join(&mut self, service: &ServiceCode, queued_at: i64) -> Option<(u32, u32)> {
        let f = self.field(service)?;
        if self.order != CallOrder::Oldest || !self.behind_everyone(f, queued_at) {
            return None;
        }
        // The first desk of the field to fall idle calls it, at that moment.
        let (desk, at) = self
            .serving(f)
            .map(|d| (d, self.idle_at[d]))
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))?;
        let before = |d: usize, c: f64| c.total_cmp(&at).then(d.cmp(&desk)) == Ordering::Less;
        let ahead: usize = self
            .serving(f)
            .map(|d| self.calls[d].partition_point(|&c| before(d, c)))
            .sum();
        self.calls[desk].push(at);
        self.last_call[f] = Some((at, desk));
        self.idle_at[desk] = at + self.typical[f];
        self.waiting_in[f] = true;
        match &mut self.latest {
            Some((l, fs)) if *l == queued_at => {
                if !fs.contains(&f) {
                    fs.push(f);
                }
            }
            _ => self.latest = Some((queued_at, vec![f])),
        }
        let place = Place {
            ahead: ahead as u32,
            minutes: at,
        };
        Some(place.whole())
    }

    fn field(&self, service: &ServiceCode) -> Option<usize> {
        self.codes.iter().position(|c| c == service)
    }

    /// The desks that call field `f`.
    fn serving(&self, f: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.desks.len()).filter(move |&d| self.desks[d].serves.contains(&f))
    }

    /// Whether a normal ticket of field `f` queued at `queued_at` is the last every desk
    /// of its field would call: queued after every normal ticket waiting, or at the same
    /// moment as tickets of fields that each desk serving both prefers (ties in queue time
    /// go to the preferred field) or that are all called before it reaches the head of its
    /// queue (before its field's last call).
    fn behind_everyone(&self, f: usize, queued_at: i64) -> bool {
        let called_sooner = |g: usize| match (self.last_call[g], self.last_call[f]) {
            (Some((tg, dg)), Some((tf, df))) => tg.total_cmp(&tf).then(dg.cmp(&df)).is_lt(),
            _ => false,
        };
        let Some((latest, fields)) = &self.latest else {
            return true;
        };
        match queued_at.cmp(latest) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => fields.iter().all(|&g| {
                g == f
                    || called_sooner(g)
                    || self.desks.iter().all(|d| {
                        let at = |x| d.serves.iter().position(|&s| s == x);
                        match (at(g), at(f)) {
                            (Some(pg), Some(pf)) => pg < pf,
                            _ => true,
                        }
                    })
            }),
        }
    }
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[cfg(test)]
mod tests;
