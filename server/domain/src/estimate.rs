//! How long a waiting citizen should expect to wait.
//!
//! The estimate replays what the counters will do with the people already waiting, at
//! each field's typical pace, and reads off when each ticket is called:
//!
//! - **Typical occupation.** Each field has a typical number of minutes a counter is taken
//!   per call, from the call to the end of the visit (served or absent), so it includes the
//!   walk to the counter and the quick no-shows. Storage takes the mean of the field's
//!   latest finished visits of the day, weighed together with the configured service
//!   time ([`Field::typical`]).
//! - **Counters.** An open counter is free now if idle, or when its current citizen is
//!   done: the typical occupation of that citizen's field less the time already spent,
//!   with a floor, since a visit that has run long is not about to end ([`residual`]). Paused and closed counters do not count, except for a field none of
//!   whose counters is open: then its counters count as free now for it (they will come
//!   back; the estimate cannot know when).
//! - **Shared counters.** A counter serving several fields gives each the share of its
//!   time the call policy gives it: whenever a counter frees in the replay, it calls the
//!   ticket [`super::policy::choose_next`] would pick among its fields (priority first; the
//!   oldest, or its preferred field first) and is taken for that field's typical time. So
//!   a field whose queue is older gets more of a shared counter, as it does in the hall,
//!   and the weights follow the queues as they drain instead of being fixed shares. The
//!   fairness rule for long priority streaks is left out.
//! - **The call.** A waiting ticket is called when the replay calls it; a ticket taken
//!   now (the kiosk's quote) is one more at the back of its field's queue, called by the
//!   first counter of its field that finds nobody older left in its fields. The replay
//!   keeps the counters' next free times in a small min-heap, so it costs one heap step
//!   per waiting ticket, for every field at once.
//! - **People ahead.** The people before a ticket are everyone the replay calls before it
//!   at the counters serving its field: older tickets of other fields at a shared counter
//!   and priority tickets included (at the same minute, the counter listed first calls
//!   first). Not the length of its own field's queue: with shared counters that says
//!   "nobody ahead" to someone with a quarter of an hour to wait.
//! - **One answer.** The kiosk's quote for a new ticket and the phone's live place come
//!   from the same replay of the same hall ([`Forecast::place`]): the ticket is read as
//!   one of the waiting, so what is printed is what the phone shows at that moment. A
//!   ticket that joins at the back of its queue is placed from the last replay's
//!   [`Tail`] (the same answer, without replaying everyone), so a burst of tickets into a
//!   long queue does not replay it once per ticket.
//!
//! Tickets yet to arrive are not foreseen: a priority ticket issued later, or (when counters
//! call by preference) a later ticket of a preferred field, still goes ahead, and breaks
//! are not foreseen either. Everything here is plain arithmetic on what storage read: no
//! SQL and no clock.

use super::ServiceCode;
use super::hall::CallOrder;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

mod tail;
pub use tail::Tail;

/// A visit that has come near or past its typical length is assumed to need at least this
/// share of a typical visit more... A visit still going on is, on average, a long one
/// (the long ones are the likelier to be caught in progress): with service times as
/// skewed as a hall's (log-normal, spread about half the mean), one that has lasted its
/// typical time still has about 0.4 of it to go. Simulated days agree: with a floor of 0.1
/// waits ran about a minute longer than quoted on average; with 0.4, a fraction of one.
const RESIDUAL_SHARE: f64 = 0.4;
/// ...and at least this many minutes.
const RESIDUAL_MINUTES: f64 = 0.5;
/// The typical occupation of a field the estimate knows nothing about.
const UNKNOWN_TYPICAL: f64 = 10.0;

/// A field of the hall as the estimate needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub code: ServiceCode,
    /// Mean minutes a counter is taken per call of this field, call to end of visit.
    pub typical: f64,
}

/// Whether a counter takes calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Open,
    Paused,
    Closed,
}

/// The citizen at a counter now (called or being served).
#[derive(Debug, Clone, PartialEq)]
pub struct Visit {
    pub service: ServiceCode,
    /// Minutes since the call.
    pub elapsed: f64,
}

/// A counter of the hall as it stands now.
#[derive(Debug, Clone)]
pub struct CounterNow<'a> {
    /// The fields it serves, in order of preference.
    pub serves: &'a [ServiceCode],
    pub availability: Availability,
    pub visit: Option<Visit>,
}

/// A waiting ticket, as far as its place is concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    pub service: ServiceCode,
    pub priority: bool,
    /// Its place in the queue (issue time, or when it was put back), in milliseconds.
    pub queued_at: i64,
    pub id: i64,
}

/// Minutes left of a visit that has lasted `elapsed` minutes when visits of its field take
/// `typical` minutes: what is left of a typical visit, with a floor.
pub fn residual(typical: f64, elapsed: f64) -> f64 {
    let floor = (typical * RESIDUAL_SHARE).max(RESIDUAL_MINUTES);
    (typical - elapsed.max(0.0)).max(floor)
}

/// When every waiting ticket of the hall, and a ticket taken now in each field, should be
/// called, and how many people are called before each at the counters serving its field.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// Each waiting ticket's place, by id.
    places: HashMap<i64, Place>,
    /// Each field's place for a ticket taken now.
    newcomers: Vec<(ServiceCode, Place)>,
}

/// Where a ticket stands in the replay.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Place {
    /// People called before it at the counters serving its field.
    ahead: u32,
    /// Minutes from now to its call.
    minutes: f64,
}

impl Place {
    fn whole(self) -> (u32, u32) {
        (self.ahead, whole_minutes(self.minutes))
    }
}

impl Forecast {
    /// The place of waiting ticket `id`: people who will be called before it at the
    /// counters serving its field (older tickets of other fields at shared counters and
    /// priority tickets included), and the minutes until it is called. `None` for a
    /// ticket that was not waiting when the hall was read.
    pub fn place(&self, id: i64) -> Option<(u32, u32)> {
        self.places.get(&id).map(|p| p.whole())
    }

    /// The same for a normal ticket taken now in `service`.
    pub fn newcomer(&self, service: &ServiceCode) -> (u32, u32) {
        self.newcomers
            .iter()
            .find(|(code, _)| code == service)
            .map_or((0, 0), |(_, p)| p.whole())
    }
}

fn whole_minutes(minutes: f64) -> u32 {
    minutes.round().clamp(0.0, f64::from(u32::MAX)) as u32
}

/// A counter in the replay.
#[derive(Debug, Clone, PartialEq)]
struct Desk {
    /// Indexes into the fields, in order of preference.
    serves: Vec<usize>,
}

/// The first ticket of a field's queue not yet called in the replay.
#[derive(Clone, Copy)]
enum Head {
    Ticket {
        priority: bool,
        queued_at: i64,
        id: i64,
    },
    /// Everyone waiting has been called: the ticket taken now is next.
    Newcomer,
}

/// Replay the hall: when each waiting ticket, and a ticket taken now in each field, is
/// called, and how many are called before it at the counters of its field. `fields` are
/// the hall's fields; a waiting ticket of a field the hall no longer has gets one typical
/// visit per person before it in its field.
pub fn forecast(
    fields: &[Field],
    counters: &[CounterNow<'_>],
    waiting: &[Waiting],
    order: CallOrder,
) -> Forecast {
    forecast_with_tail(fields, counters, waiting, order).0
}

/// [`forecast`], with what the replay leaves behind to place tickets that join at the back
/// of their queue later without replaying everyone ([`Tail`]).
pub fn forecast_with_tail(
    fields: &[Field],
    counters: &[CounterNow<'_>],
    waiting: &[Waiting],
    order: CallOrder,
) -> (Forecast, Tail) {
    let index: HashMap<&ServiceCode, usize> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| (&f.code, i))
        .collect();
    let typical: Vec<f64> = fields.iter().map(|f| f.typical.max(0.1)).collect();
    let queues = queues_in_call_order(fields.len(), &index, waiting);
    let (desks, free_at) = desks_that_call(fields.len(), &index, &typical, counters);
    let latest = latest_queued(&queues);
    let (mut places, newcomer, record) = replay(&queues, &desks, &free_at, &typical, order, latest);
    let tail = Tail::after(
        fields, &queues, desks, free_at, typical, record, order, latest,
    );
    places.extend(unknown_fields(&index, waiting));
    let newcomers = fields
        .iter()
        .zip(newcomer)
        .map(|(field, place)| {
            let place = place.unwrap_or(Place {
                ahead: 0,
                minutes: 0.0,
            });
            (field.code.clone(), place)
        })
        .collect();
    (Forecast { places, newcomers }, tail)
}

/// Waiting tickets of fields the hall no longer has: their field's people before them,
/// one typical visit each.
fn unknown_fields(index: &HashMap<&ServiceCode, usize>, waiting: &[Waiting]) -> Vec<(i64, Place)> {
    let mut lost: Vec<&Waiting> = waiting
        .iter()
        .filter(|w| !index.contains_key(&w.service))
        .collect();
    lost.sort_by_key(|w| (&w.service, !w.priority, w.queued_at, w.id));
    let mut out = Vec::with_capacity(lost.len());
    for queue in lost.chunk_by(|a, b| a.service == b.service) {
        for (ahead, w) in queue.iter().enumerate() {
            let place = Place {
                ahead: ahead as u32,
                minutes: ahead as f64 * UNKNOWN_TYPICAL,
            };
            out.push((w.id, place));
        }
    }
    out
}

/// A waiting ticket in the replay: (priority, queued at, id).
type Ticket = (bool, i64, i64);

/// Each field's queue in its call order: priority first, then by queue time.
fn queues_in_call_order(
    n: usize,
    index: &HashMap<&ServiceCode, usize>,
    waiting: &[Waiting],
) -> Vec<Vec<Ticket>> {
    let mut queues: Vec<Vec<Ticket>> = vec![Vec::new(); n];
    for w in waiting {
        if let Some(&f) = index.get(&w.service) {
            queues[f].push((w.priority, w.queued_at, w.id));
        }
    }
    for q in &mut queues {
        q.sort_by_key(|&(priority, queued_at, id)| (!priority, queued_at, id));
    }
    queues
}

/// The counters that call: the open ones, from when they are free; for a field none of
/// whose counters is open, its other counters (for that field only), free now; for a
/// field no counter serves, one counter of its own, so its estimate stays finite. Returns
/// the desks and when each is free (minutes from now).
fn desks_that_call(
    n: usize,
    index: &HashMap<&ServiceCode, usize>,
    typical: &[f64],
    counters: &[CounterNow<'_>],
) -> (Vec<Desk>, Vec<f64>) {
    let field_of = |code: &ServiceCode| index.get(code).copied();
    let mut open_for = vec![false; n];
    for c in counters
        .iter()
        .filter(|c| c.availability == Availability::Open)
    {
        for f in c.serves.iter().filter_map(field_of) {
            open_for[f] = true;
        }
    }
    let mut desks = Vec::new();
    let mut free_at = Vec::new();
    let mut counted = vec![0usize; n];
    for c in counters {
        let serves: Vec<usize> = c
            .serves
            .iter()
            .filter_map(field_of)
            .filter(|&f| c.availability == Availability::Open || !open_for[f])
            .collect();
        if serves.is_empty() {
            continue;
        }
        let free_in = match (&c.visit, c.availability) {
            (Some(v), Availability::Open) => {
                let t = field_of(&v.service).map_or(UNKNOWN_TYPICAL, |f| typical[f]);
                residual(t, v.elapsed)
            }
            _ => 0.0,
        };
        for &f in &serves {
            counted[f] += 1;
        }
        free_at.push(free_in);
        desks.push(Desk { serves });
    }
    for (f, count) in counted.iter_mut().enumerate() {
        if *count == 0 {
            *count = 1;
            free_at.push(0.0);
            desks.push(Desk { serves: vec![f] });
        }
    }
    (desks, free_at)
}

/// The latest queue time of a normal waiting ticket.
fn latest_queued(queues: &[Vec<Ticket>]) -> Option<i64> {
    // A queue is in call order: its last normal ticket is its latest one.
    queues
        .iter()
        .filter_map(|q| match q.last() {
            Some(&(false, at, _)) => Some(at),
            _ => None,
        })
        .max()
}

/// What each desk did in the replay: when it called someone (in order), and when it found
/// nobody left in its fields.
struct Record {
    calls: Vec<Vec<f64>>,
    idle_at: Vec<f64>,
    /// Each desk's first call of a normal ticket queued at the latest queue time: its
    /// index in the desk's calls.
    latest_from: Vec<Option<usize>>,
}

/// Run the desks over the queues, each calling as soon as it is free: when each waiting
/// ticket is called and how many were called before it by the desks serving its field,
/// and the same for a ticket taken now in each field; and what each desk did.
fn replay(
    queues: &[Vec<Ticket>],
    desks: &[Desk],
    free_at: &[f64],
    typical: &[f64],
    order: CallOrder,
    latest: Option<i64>,
) -> (HashMap<i64, Place>, Vec<Option<Place>>, Record) {
    let mut record = Record {
        calls: vec![Vec::new(); desks.len()],
        idle_at: free_at.to_vec(),
        latest_from: vec![None; desks.len()],
    };
    let mut heap: BinaryHeap<Reverse<Slot>> = free_at
        .iter()
        .enumerate()
        .map(|(desk, &at)| Reverse(Slot { at, desk }))
        .collect();
    let mut next = vec![0usize; queues.len()];
    let mut places = HashMap::with_capacity(queues.iter().map(Vec::len).sum());
    let mut newcomer: Vec<Option<Place>> = vec![None; queues.len()];
    // Calls made so far by the desks serving each field: the people ahead of whoever such
    // a desk calls next in that field. Ties in time go to the desk listed first, as when
    // the clerks press Next counter by counter.
    let mut called = vec![0u32; queues.len()];
    while let Some(Reverse(Slot { at, desk })) = heap.pop() {
        // A newcomer costs the counter no time (it is not there yet): the counter picks
        // again until it calls someone waiting, or has nobody left.
        loop {
            let head = |f: usize| match queues[f].get(next[f]) {
                Some(&(priority, queued_at, id)) => Some(Head::Ticket {
                    priority,
                    queued_at,
                    id,
                }),
                None if newcomer[f].is_none() => Some(Head::Newcomer),
                None => None,
            };
            let Some(f) = choose(&desks[desk].serves, head, order) else {
                record.idle_at[desk] = at;
                break;
            };
            let place = Place {
                ahead: called[f],
                minutes: at,
            };
            if let Some(&(priority, queued_at, id)) = queues[f].get(next[f]) {
                next[f] += 1;
                places.insert(id, place);
                if !priority && Some(queued_at) == latest && record.latest_from[desk].is_none() {
                    record.latest_from[desk] = Some(record.calls[desk].len());
                }
                record.calls[desk].push(at);
                for &g in &desks[desk].serves {
                    called[g] += 1;
                }
                heap.push(Reverse(Slot {
                    at: at + typical[f],
                    desk,
                }));
                break;
            }
            newcomer[f] = Some(place);
        }
    }
    (places, newcomer, record)
}

/// The field whose head a counter calls, as [`super::policy::choose_next`] picks (without
/// its fairness rule): priority tickets first, then the oldest (preference breaking ties),
/// or the most preferred field with anyone waiting. A newcomer is the youngest of all.
fn choose(
    serves: &[usize],
    head: impl Fn(usize) -> Option<Head>,
    order: CallOrder,
) -> Option<usize> {
    let heads = serves
        .iter()
        .enumerate()
        .filter_map(|(preference, &f)| head(f).map(|h| (preference, f, h)));
    let key = |(preference, _, h): &(usize, usize, Head)| {
        let (priority, queued_at, id) = match *h {
            Head::Ticket {
                priority,
                queued_at,
                id,
            } => (priority, queued_at, id),
            Head::Newcomer => (false, i64::MAX, i64::MAX),
        };
        match order {
            CallOrder::Oldest => (!priority, queued_at, *preference as i64, id),
            CallOrder::Preference => (!priority, *preference as i64, queued_at, id),
        }
    };
    heads.min_by_key(key).map(|(_, f, _)| f)
}

/// A counter's next free time in the replay.
#[derive(Debug, Clone, Copy)]
struct Slot {
    at: f64,
    desk: usize,
}

impl PartialEq for Slot {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Slot {}

impl PartialOrd for Slot {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Slot {
    fn cmp(&self, other: &Self) -> Ordering {
        self.at
            .total_cmp(&other.at)
            .then(self.desk.cmp(&other.desk))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> ServiceCode {
        ServiceCode::try_from(s.to_owned()).expect("code")
    }

    fn fields(list: &[(&str, f64)]) -> Vec<Field> {
        list.iter()
            .map(|(c, typical)| Field {
                code: code(c),
                typical: *typical,
            })
            .collect()
    }

    fn open(serves: &[ServiceCode]) -> CounterNow<'_> {
        CounterNow {
            serves,
            availability: Availability::Open,
            visit: None,
        }
    }

    fn shut(serves: &[ServiceCode], availability: Availability) -> CounterNow<'_> {
        CounterNow {
            serves,
            availability,
            visit: None,
        }
    }

    fn busy<'a>(serves: &'a [ServiceCode], service: &str, elapsed: f64) -> CounterNow<'a> {
        CounterNow {
            serves,
            availability: Availability::Open,
            visit: Some(Visit {
                service: code(service),
                elapsed,
            }),
        }
    }

    /// `n` normal tickets of a field, queued at minutes `from`, `from + 1`, ...
    fn queue(service: &str, from: i64, n: usize) -> Vec<Waiting> {
        (0..n as i64)
            .map(|i| Waiting {
                service: code(service),
                priority: false,
                queued_at: (from + i) * 60_000,
                id: from * 1000 + i,
            })
            .collect()
    }

    /// The minutes to the call of each waiting ticket of a field, in its call order, then
    /// of a ticket taken now.
    fn waits(f: &Forecast, waiting: &[Waiting], service: &str) -> Vec<u32> {
        places(f, waiting, service).iter().map(|p| p.1).collect()
    }

    /// The same with the people ahead of each: (ahead, minutes).
    fn places(f: &Forecast, waiting: &[Waiting], service: &str) -> Vec<(u32, u32)> {
        let mut queue: Vec<&Waiting> = waiting
            .iter()
            .filter(|w| w.service.as_str() == service)
            .collect();
        queue.sort_by_key(|w| (!w.priority, w.queued_at, w.id));
        let mut out: Vec<(u32, u32)> = queue
            .iter()
            .map(|w| f.place(w.id).expect("placed"))
            .collect();
        out.push(f.newcomer(&code(service)));
        out
    }

    #[test]
    fn the_head_of_the_queue_waits_nothing_while_a_counter_is_idle() {
        let a = [code("A")];
        let f = forecast(&fields(&[("A", 10.0)]), &[open(&a)], &[], CallOrder::Oldest);
        assert_eq!(f.newcomer(&a[0]), (0, 0));
    }

    #[test]
    fn people_ahead_are_shared_among_counters() {
        let a = [code("A")];
        let waiting = queue("A", 0, 6);
        let f = forecast(
            &fields(&[("A", 10.0)]),
            &[open(&a), open(&a)],
            &waiting,
            CallOrder::Oldest,
        );
        // Two idle counters call at 0, 0, 10, 10, 20, 20, and the next one taken at 30.
        assert_eq!(waits(&f, &waiting, "A"), vec![0, 0, 10, 10, 20, 20, 30]);
        assert_eq!(
            places(&f, &waiting, "A")
                .iter()
                .map(|p| p.0)
                .collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4, 5, 6]
        );
    }

    #[test]
    fn time_already_spent_at_the_counter_shortens_the_wait() {
        let a = [code("A")];
        let f = fields(&[("A", 10.0)]);
        let wait_after = |elapsed: f64| {
            forecast(&f, &[busy(&a, "A", elapsed)], &[], CallOrder::Oldest)
                .newcomer(&a[0])
                .1
        };
        assert_eq!(wait_after(0.0), 10);
        assert_eq!(wait_after(3.0), 7);
        assert_eq!(wait_after(5.0), 5);
        // Near the typical length, what is left of a visit stops shrinking.
        assert_eq!(wait_after(9.0), 4);
        let one = queue("A", 0, 1);
        let nearly_done = forecast(&f, &[busy(&a, "A", 9.0)], &one, CallOrder::Oldest);
        assert_eq!(waits(&nearly_done, &one, "A"), vec![4, 14]);
    }

    #[test]
    fn a_visit_past_its_typical_length_still_takes_a_while() {
        assert_eq!(residual(10.0, 25.0), 4.0);
        assert_eq!(residual(1.0, 5.0), 0.5);
        assert_eq!(residual(10.0, -3.0), 10.0);
    }

    #[test]
    fn the_counter_of_a_citizen_of_another_field_frees_at_that_fields_pace() {
        let ad = [code("A"), code("D")];
        let f = forecast(
            &fields(&[("A", 10.0), ("D", 4.0)]),
            &[busy(&ad, "D", 0.5)],
            &[],
            CallOrder::Oldest,
        );
        // The D visit typically lasts 4 minutes: 3.5 left, not the 10 of an A visit.
        assert_eq!(f.newcomer(&ad[0]), (0, 4));
    }

    #[test]
    fn paused_counters_do_not_count_while_another_is_open() {
        let a = [code("A")];
        let waiting = queue("A", 0, 3);
        let f = forecast(
            &fields(&[("A", 10.0)]),
            &[open(&a), shut(&a, Availability::Paused)],
            &waiting,
            CallOrder::Oldest,
        );
        assert_eq!(waits(&f, &waiting, "A"), vec![0, 10, 20, 30]);
    }

    #[test]
    fn with_no_counter_open_for_a_field_its_counters_count_for_it_alone() {
        let a = [code("A")];
        let ad = [code("A"), code("D")];
        let d = [code("D")];
        let waiting = [queue("A", 0, 4), queue("D", 1, 4)].concat();
        let f = forecast(
            &fields(&[("A", 10.0), ("D", 5.0)]),
            &[
                shut(&a, Availability::Paused),
                shut(&ad, Availability::Closed),
                open(&d),
            ],
            &waiting,
            CallOrder::Oldest,
        );
        // Both counters of A count, free now; the closed one does not help D.
        assert_eq!(waits(&f, &waiting, "A"), vec![0, 0, 10, 10, 20]);
        assert_eq!(waits(&f, &waiting, "D"), vec![0, 5, 10, 15, 20]);
        // A field no counter serves still gets a finite estimate.
        let z = queue("Z", 0, 2);
        let lonely = forecast(&fields(&[("Z", 10.0)]), &[], &z, CallOrder::Oldest);
        assert_eq!(waits(&lonely, &z, "Z"), vec![0, 10, 20]);
    }

    #[test]
    fn a_shared_counter_calls_the_oldest_ticket_of_its_fields_first() {
        let ad = [code("A"), code("D")];
        // Two D tickets queued before the A ones, one after.
        let waiting = [queue("D", 0, 2), queue("A", 5, 2), queue("D", 9, 1)].concat();
        let f = forecast(
            &fields(&[("A", 10.0), ("D", 5.0)]),
            &[open(&ad)],
            &waiting,
            CallOrder::Oldest,
        );
        // D, D (0, 5), then A, A (10, 20), then D (30); a new A ticket after all of them.
        assert_eq!(waits(&f, &waiting, "A"), vec![10, 20, 35]);
        assert_eq!(waits(&f, &waiting, "D"), vec![0, 5, 30, 35]);
        // Everyone called at that counter before a ticket is ahead of it, whatever its
        // field: the first A ticket has the two older D tickets ahead, not nobody.
        assert_eq!(places(&f, &waiting, "A"), vec![(2, 10), (3, 20), (5, 35)]);
        assert_eq!(
            places(&f, &waiting, "D"),
            vec![(0, 0), (1, 5), (4, 30), (5, 35)]
        );
    }

    #[test]
    fn another_field_with_its_own_counter_takes_less_of_a_shared_one() {
        let ad = [code("A"), code("D")];
        let d = [code("D")];
        let waiting = [queue("D", 0, 4), queue("A", 5, 2)].concat();
        let f = forecast(
            &fields(&[("A", 10.0), ("D", 5.0)]),
            &[open(&ad), open(&d)],
            &waiting,
            CallOrder::Oldest,
        );
        // The four older D tickets go to both counters (0, 0, 5, 5), so the shared one
        // gets to A at 10 instead of 20.
        assert_eq!(waits(&f, &waiting, "D"), vec![0, 0, 5, 5, 10]);
        assert_eq!(waits(&f, &waiting, "A"), vec![10, 20, 30]);
        // Only the calls of the shared counter are ahead of an A ticket: two D tickets.
        assert_eq!(places(&f, &waiting, "A")[0], (2, 10));
    }

    #[test]
    fn in_preference_order_the_preferred_field_goes_first() {
        let da = [code("D"), code("A")];
        let waiting = [queue("A", 0, 2), queue("D", 5, 3)].concat();
        let f = forecast(
            &fields(&[("A", 10.0), ("D", 5.0)]),
            &[open(&da)],
            &waiting,
            CallOrder::Preference,
        );
        assert_eq!(waits(&f, &waiting, "D"), vec![0, 5, 10, 15]);
        assert_eq!(waits(&f, &waiting, "A"), vec![15, 25, 35]);
    }

    #[test]
    fn priority_tickets_are_called_first() {
        let a = [code("A")];
        let mut waiting = queue("A", 0, 2);
        waiting.push(Waiting {
            service: code("A"),
            priority: true,
            queued_at: 9 * 60_000,
            id: 99,
        });
        let f = forecast(
            &fields(&[("A", 10.0)]),
            &[open(&a)],
            &waiting,
            CallOrder::Oldest,
        );
        // In call order the priority ticket is first (0 ahead).
        assert_eq!(waits(&f, &waiting, "A"), vec![0, 10, 20, 30]);
        assert_eq!(f.place(99), Some((0, 0)));
    }

    #[test]
    fn a_new_ticket_waits_for_everyone_older_at_its_counters() {
        let ad = [code("A"), code("D")];
        let waiting = [queue("D", 0, 3), queue("Q", 1, 3)].concat();
        let f = forecast(
            &fields(&[("A", 10.0), ("D", 5.0)]),
            &[open(&ad)],
            &waiting,
            CallOrder::Oldest,
        );
        // Nobody waits in A, but the shared counter has three older D tickets first.
        assert_eq!(f.newcomer(&ad[0]), (3, 15));
        // A field the hall no longer has: one typical visit per person.
        assert_eq!(places(&f, &waiting, "Q")[..3], [(0, 0), (1, 10), (2, 20)]);
    }
}
