//! The figures kept as rows that add up: per hall, day, hour and field, the counts and sums
//! of [`super::Figures`], and the waits and service times in fixed buckets
//! ([`BUCKET_UPPER_SECONDS`]). Rows of any range and any set of halls add up to the same
//! figures as their visits give, with the percentiles exact to their bucket: the median
//! and 90th percentile of a wait are the upper edge of the bucket the visit of that rank
//! waited in (an honest "at most"), and the longest wait the upper edge of the highest
//! bucket used. The city's collector on PostgreSQL keeps them as its visits arrive (each
//! ticket's part is taken back and added again when the ticket moves on), and the national
//! collector keeps nothing else.
//!
//! What rows do not carry: walk and total times are their mean alone; a counter's idle time
//! while people waited is not counted (the city does not know the counters' fields); the
//! Decision 766 figure counts a dossier carried on two days on both.

use super::{
    BeganBy, BookingFigures, Durations, Figures, Outcome, Span, Visit, nearest_rank, split_by_hour,
};
use crate::event::RatingChannel;
use crate::satisfaction::{Official, Reason, official};
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The buckets' upper edges, in seconds: each minute to 60, each 5 minutes to 120, each 15
/// to 240, each 30 to 480; the last bucket (8 hours and more) is open. A bucket holds its
/// lower edge and not its upper one, as the hall's wait distribution does
/// ([`super::WAIT_BUCKETS`], whose edges are all edges here).
pub const BUCKET_UPPER_SECONDS: [i64; 88] = {
    let mut edges = [0i64; 88];
    let mut i = 0;
    let mut minute = 0;
    while i < 88 {
        minute += if minute < 60 {
            1
        } else if minute < 120 {
            5
        } else if minute < 240 {
            15
        } else {
            30
        };
        edges[i] = minute * 60;
        i += 1;
    }
    edges
};

/// How many buckets a histogram has: one per edge, and the open one.
pub const BUCKETS: usize = BUCKET_UPPER_SECONDS.len() + 1;

/// The bucket a duration (ms) falls in: the first whose upper edge it has not reached.
pub fn bucket(ms: i64) -> usize {
    BUCKET_UPPER_SECONDS.partition_point(|&edge| edge * 1000 <= ms.max(0))
}

/// A bucket's bounds in seconds: (lower, upper), the last one's upper `None`.
pub fn bucket_bounds(i: usize) -> (i64, Option<i64>) {
    let lower = i
        .checked_sub(1)
        .and_then(|j| BUCKET_UPPER_SECONDS.get(j))
        .copied()
        .unwrap_or(0);
    (lower, BUCKET_UPPER_SECONDS.get(i).copied())
}

macro_rules! columns {
    ($($name:ident),* $(,)?) => {
        /// The rows' additive columns, in their order.
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        pub enum C { $($name),* }
        /// The columns' names, as the tables and views call them.
        pub const COLUMNS: &[&str] = &[$(stringify!($name)),*];
    };
}

columns!(
    issued,
    transferred_in,
    returned,
    served,
    absent,
    transferred,
    cancelled,
    unfinished,
    recalls,
    waits,
    wait_ms,
    walks,
    walk_ms,
    services,
    service_ms,
    totals,
    total_ms,
    within_target,
    rated,
    satisfied,
    level_1,
    level_2,
    level_3,
    level_4,
    level_5,
    phone_rated,
    phone_satisfied,
    counter_rated,
    counter_satisfied,
    unknown_rated,
    unknown_satisfied,
    replaced,
    walk_in_issued,
    walk_in_waits,
    walk_in_wait_ms,
    booked_issued,
    booked_waits,
    booked_wait_ms,
    visit_units,
    visit_very_satisfied,
    visit_satisfied,
    visit_dissatisfied,
    visit_unrated,
    visit_complained,
    visit_against,
    dossier_units,
    dossier_very_satisfied,
    dossier_satisfied,
    dossier_dissatisfied,
    dossier_unrated,
    dossier_complained,
    dossier_against,
    served_without_dossier,
    reason_wait,
    reason_attitude,
    reason_guidance,
    reason_repeat,
    reason_other,
    needed_1,
    needed_2,
    needed_3,
    complaints,
    result_pickups,
    open_ms,
    paused_ms,
    bookings,
    bookings_cancelled,
    bookings_checked_in,
    bookings_late,
    bookings_no_show,
);

/// Where a row belongs: the local day and hour, and the field (`""` for the counters'
/// time, which belongs to no field).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    pub day: NaiveDate,
    pub hour: u8,
    pub service: String,
}

/// One row's values: the columns, and the waits' and service times' buckets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub values: Vec<i64>,
    pub wait: Vec<i64>,
    pub service: Vec<i64>,
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            values: vec![0; COLUMNS.len()],
            wait: vec![0; BUCKETS],
            service: vec![0; BUCKETS],
        }
    }
}

impl Counts {
    pub fn get(&self, c: C) -> i64 {
        self.values.get(c as usize).copied().unwrap_or(0)
    }

    fn bump(&mut self, c: C, by: i64) {
        if let Some(v) = self.values.get_mut(c as usize) {
            *v += by;
        }
    }

    fn time(&mut self, n: C, sum: C, ms: Option<i64>) {
        if let Some(ms) = ms {
            self.bump(n, 1);
            self.bump(sum, ms);
        }
    }

    /// `other` added (`sign` 1) or taken away (−1).
    pub fn add(&mut self, other: &Counts, sign: i64) {
        let pairs = [
            (&mut self.values, &other.values),
            (&mut self.wait, &other.wait),
            (&mut self.service, &other.service),
        ];
        for (mine, theirs) in pairs {
            if mine.len() < theirs.len() {
                mine.resize(theirs.len(), 0);
            }
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += sign * t;
            }
        }
    }

    pub fn is_zero(&self) -> bool {
        self.values
            .iter()
            .chain(&self.wait)
            .chain(&self.service)
            .all(|v| *v == 0)
    }

    /// The columns as the figures show them, the time's durations from the buckets. The
    /// 766 figure is on the dossiers where there are any, else on the served visits.
    pub fn figures(&self, scale: u8, official_target: f64) -> Figures {
        let share = |part: i64, whole: i64| (whole > 0).then(|| part as f64 / whole as f64);
        let n = |c: C| self.get(c).max(0) as u64;
        let mean_only = |count: C, sum: C| {
            let count = self.get(count);
            Durations {
                n: count.max(0) as usize,
                mean: (count > 0).then(|| self.get(sum) as f64 / count as f64 / 1000.0),
                median: None,
                p90: None,
                max: None,
            }
        };
        let levels = [C::level_1, C::level_2, C::level_3, C::level_4, C::level_5];
        let official_counts = if self.get(C::dossier_units) > 0 {
            (
                super::Basis::Dossiers,
                [
                    C::dossier_units,
                    C::dossier_very_satisfied,
                    C::dossier_satisfied,
                    C::dossier_dissatisfied,
                    C::dossier_unrated,
                    C::dossier_complained,
                    C::dossier_against,
                ],
                n(C::served_without_dossier),
            )
        } else {
            (
                super::Basis::Visits,
                [
                    C::visit_units,
                    C::visit_very_satisfied,
                    C::visit_satisfied,
                    C::visit_dissatisfied,
                    C::visit_unrated,
                    C::visit_complained,
                    C::visit_against,
                ],
                0,
            )
        };
        let (basis, [units, very, sat, dis, unrated, complained, against], without) =
            official_counts;
        let source = |rated_col: C, satisfied_col: C| super::SourceRatings {
            rated: n(rated_col),
            satisfied_share: share(self.get(satisfied_col), self.get(rated_col)),
        };
        Figures {
            issued: n(C::issued),
            transferred_in: n(C::transferred_in),
            returned: n(C::returned),
            served: n(C::served),
            absent: n(C::absent),
            transferred: n(C::transferred),
            cancelled: n(C::cancelled),
            unfinished: n(C::unfinished),
            recalls: n(C::recalls),
            wait: durations(&self.wait, self.get(C::waits), self.get(C::wait_ms)),
            walk: mean_only(C::walks, C::walk_ms),
            service: durations(
                &self.service,
                self.get(C::services),
                self.get(C::service_ms),
            ),
            total: mean_only(C::totals, C::total_ms),
            within_target: share(self.get(C::within_target), self.get(C::served)),
            absent_rate: share(
                self.get(C::absent),
                self.get(C::served) + self.get(C::absent),
            ),
            open_seconds: self.get(C::open_ms) as f64 / 1000.0,
            paused_seconds: self.get(C::paused_ms) as f64 / 1000.0,
            paused_reasons: Vec::new(),
            idle_while_waiting_seconds: None,
            satisfaction: super::Satisfaction {
                levels: levels
                    .iter()
                    .take(usize::from(scale))
                    .map(|&c| n(c))
                    .collect(),
                rated: n(C::rated),
                satisfied_share: share(self.get(C::satisfied), self.get(C::rated)),
                coverage: share(self.get(C::rated), self.get(C::served)),
                by_source: super::BySource {
                    phone: source(C::phone_rated, C::phone_satisfied),
                    counter: source(C::counter_rated, C::counter_satisfied),
                    unknown: source(C::unknown_rated, C::unknown_satisfied),
                },
                replaced: n(C::replaced),
            },
            by_ticket: super::ByTicket {
                walk_in: super::TicketKind {
                    issued: n(C::walk_in_issued),
                    wait: mean_only(C::walk_in_waits, C::walk_in_wait_ms),
                },
                booked: super::TicketKind {
                    issued: n(C::booked_issued),
                    wait: mean_only(C::booked_waits, C::booked_wait_ms),
                },
            },
            official: super::OfficialFigure {
                basis,
                units: n(units),
                very_satisfied: n(very),
                satisfied: n(sat),
                dissatisfied: n(dis),
                unrated: n(unrated),
                complained: n(complained),
                against: n(against),
                share: share(self.get(units) - self.get(against), self.get(units)),
                target: official_target,
                served_without_dossier: without,
            },
            reasons: Reason::ALL
                .iter()
                .zip([
                    C::reason_wait,
                    C::reason_attitude,
                    C::reason_guidance,
                    C::reason_repeat,
                    C::reason_other,
                ])
                .map(|(r, c)| super::ReasonCount {
                    reason: r.as_str().to_owned(),
                    count: n(c),
                })
                .collect(),
            visits_needed: [n(C::needed_1), n(C::needed_2), n(C::needed_3)],
            complaints: n(C::complaints),
            result_pickups: n(C::result_pickups),
        }
    }

    /// The waits in the hall's wait distribution's buckets ([`super::WAIT_BUCKETS`]),
    /// exact: each of its edges is an edge of the rows' buckets.
    pub fn wait_histogram(&self) -> Vec<super::Bucket> {
        let edges = super::WAIT_BUCKETS;
        edges
            .iter()
            .enumerate()
            .map(|(i, &from)| {
                let to = edges.get(i + 1).copied();
                let count = self
                    .wait
                    .iter()
                    .enumerate()
                    .filter(|(b, _)| {
                        let (lower, _) = bucket_bounds(*b);
                        lower >= i64::from(from) * 60
                            && to.is_none_or(|t| lower < i64::from(t) * 60)
                    })
                    .map(|(_, c)| *c)
                    .sum::<i64>();
                super::Bucket {
                    from_minutes: from,
                    to_minutes: to,
                    count: count.max(0) as u64,
                }
            })
            .collect()
    }

    /// The bookings' counts (their lateness is not kept in rows).
    pub fn booking_figures(&self) -> BookingFigures {
        let n = |c: C| self.get(c).max(0) as u64;
        let mut figures = super::booking_report(&[]).total;
        figures.booked = n(C::bookings);
        figures.cancelled = n(C::bookings_cancelled);
        figures.checked_in = n(C::bookings_checked_in);
        figures.late = n(C::bookings_late);
        figures.no_show = n(C::bookings_no_show);
        figures
    }
}

/// Durations from buckets: the count and mean exact, the median, 90th percentile and
/// longest the upper edge of their bucket (the open bucket's lower edge).
fn durations(buckets: &[i64], n: i64, sum_ms: i64) -> Durations {
    let edge = |i: usize| {
        let (lower, upper) = bucket_bounds(i);
        upper.unwrap_or(lower) as f64
    };
    let rank = |p: f64| {
        let wanted = nearest_rank(p, n.max(0) as usize) as i64;
        let mut seen = 0;
        for (i, &count) in buckets.iter().enumerate() {
            seen += count;
            if seen > wanted {
                return Some(edge(i));
            }
        }
        None
    };
    if n <= 0 {
        return Durations::of(Vec::new());
    }
    Durations {
        n: n as usize,
        mean: Some(sum_ms as f64 / n as f64 / 1000.0),
        median: rank(0.5),
        p90: rank(0.9),
        max: buckets.iter().rposition(|&c| c > 0).map(edge),
    }
}

/// What one ticket's visits add to the rows, with each field's target wait (minutes) as
/// it stands.
pub fn contribution(
    visits: &[Visit],
    dossiers: &[String],
    targets: &BTreeMap<String, u32>,
) -> BTreeMap<Key, Counts> {
    let mut rows: BTreeMap<Key, Counts> = BTreeMap::new();
    let served = visits
        .iter()
        .rposition(|v| v.outcome == Some(Outcome::Served));
    for (i, v) in visits.iter().enumerate() {
        let key = Key {
            day: v.day,
            hour: v.hour,
            service: v.service.clone(),
        };
        let c = rows.entry(key).or_default();
        let wait = v.wait();
        match v.began_by {
            BeganBy::Issued => {
                c.bump(C::issued, 1);
                if v.booked {
                    c.bump(C::booked_issued, 1);
                    c.time(C::booked_waits, C::booked_wait_ms, wait);
                } else {
                    c.bump(C::walk_in_issued, 1);
                    c.time(C::walk_in_waits, C::walk_in_wait_ms, wait);
                }
                if v.result_pickup {
                    c.bump(C::result_pickups, 1);
                }
            }
            BeganBy::Transferred => c.bump(C::transferred_in, 1),
            BeganBy::Returned => {}
        }
        if v.unfinished() {
            c.bump(C::unfinished, 1);
        } else if let Some(outcome) = v.outcome {
            c.bump(
                match outcome {
                    Outcome::Served => C::served,
                    Outcome::Absent => C::absent,
                    Outcome::Cancelled => C::cancelled,
                    Outcome::Transferred => C::transferred,
                    Outcome::Returned => C::returned,
                },
                1,
            );
        }
        c.bump(C::recalls, i64::from(v.recalls));
        c.bump(C::complaints, i64::from(v.complaints));
        if let Some(w) = wait {
            c.time(C::waits, C::wait_ms, Some(w));
            if let Some(b) = c.wait.get_mut(bucket(w)) {
                *b += 1;
            }
        }
        c.time(C::walks, C::walk_ms, v.walk());
        if let Some(s) = v.service() {
            c.time(C::services, C::service_ms, Some(s));
            if let Some(b) = c.service.get_mut(bucket(s)) {
                *b += 1;
            }
        }
        c.time(C::totals, C::total_ms, v.total());
        if Some(i) != served {
            continue;
        }
        let target = targets.get(&v.service).copied().unwrap_or(u32::MAX);
        if wait.is_some_and(|w| w <= i64::from(target) * 60_000) {
            c.bump(C::within_target, 1);
        }
        let worst = v.rating.map(|(level, scale)| official(level, scale));
        let complained = v.complaints > 0;
        let against = complained || worst == Some(Official::Dissatisfied);
        let unit = |c: &mut Counts, n: i64, cols: [C; 7]| {
            let [units, very, sat, dis, unrated, compl, against_col] = cols;
            c.bump(units, n);
            c.bump(
                match worst {
                    Some(Official::VerySatisfied) => very,
                    Some(Official::Satisfied) => sat,
                    Some(Official::Dissatisfied) => dis,
                    None => unrated,
                },
                n,
            );
            c.bump(compl, n * i64::from(complained));
            c.bump(against_col, n * i64::from(against));
        };
        unit(
            c,
            1,
            [
                C::visit_units,
                C::visit_very_satisfied,
                C::visit_satisfied,
                C::visit_dissatisfied,
                C::visit_unrated,
                C::visit_complained,
                C::visit_against,
            ],
        );
        if dossiers.is_empty() {
            c.bump(C::served_without_dossier, 1);
        } else {
            unit(
                c,
                dossiers.len() as i64,
                [
                    C::dossier_units,
                    C::dossier_very_satisfied,
                    C::dossier_satisfied,
                    C::dossier_dissatisfied,
                    C::dossier_unrated,
                    C::dossier_complained,
                    C::dossier_against,
                ],
            );
        }
        let Some((level, scale)) = v.rating else {
            continue;
        };
        let satisfied = i64::from(level + 1 >= scale);
        c.bump(C::rated, 1);
        c.bump(C::satisfied, satisfied);
        let (rated_col, satisfied_col) = match v.rating_source {
            Some(RatingChannel::Phone) => (C::phone_rated, C::phone_satisfied),
            Some(RatingChannel::Counter) => (C::counter_rated, C::counter_satisfied),
            None => (C::unknown_rated, C::unknown_satisfied),
        };
        c.bump(rated_col, 1);
        c.bump(satisfied_col, satisfied);
        c.bump(C::replaced, i64::from(v.rating_replaced));
        if let Some(col) = [C::level_1, C::level_2, C::level_3, C::level_4, C::level_5]
            .get(usize::from(level).wrapping_sub(1))
        {
            c.bump(*col, 1);
        }
        for reason in &v.reasons {
            if let Some(i) = Reason::ALL.iter().position(|r| r.as_str() == reason) {
                c.bump(
                    [
                        C::reason_wait,
                        C::reason_attitude,
                        C::reason_guidance,
                        C::reason_repeat,
                        C::reason_other,
                    ][i],
                    1,
                );
            }
        }
        if let Some(n @ 1..=3) = v.visits_needed {
            c.bump(
                [C::needed_1, C::needed_2, C::needed_3][usize::from(n - 1)],
                1,
            );
        }
    }
    rows
}

/// What a counter's span adds once it has ended: its time, open or paused, in each hour
/// it covers (in the row of no field).
pub fn span_contribution(span: &Span, tz: Tz) -> BTreeMap<Key, Counts> {
    let mut rows: BTreeMap<Key, Counts> = BTreeMap::new();
    let Some(end) = span.ended_at else {
        return rows;
    };
    let column = if span.pause.is_some() {
        C::paused_ms
    } else {
        C::open_ms
    };
    for (hour, ms) in split_by_hour(span.began_at, end, tz) {
        let key = Key {
            day: span.day,
            hour,
            service: String::new(),
        };
        rows.entry(key).or_default().bump(column, ms);
    }
    rows
}

/// What a booking adds: one booked, and its outcome, on its day (hour 0, its field).
pub fn booking_contribution(b: &super::Booking) -> BTreeMap<Key, Counts> {
    let mut c = Counts::default();
    c.bump(C::bookings, 1);
    let outcome = match b.outcome {
        super::BookingOutcome::Booked => None,
        super::BookingOutcome::Cancelled => Some(C::bookings_cancelled),
        super::BookingOutcome::CheckedIn => Some(C::bookings_checked_in),
        super::BookingOutcome::Late => Some(C::bookings_late),
        super::BookingOutcome::NoShow => Some(C::bookings_no_show),
    };
    if let Some(col) = outcome {
        c.bump(col, 1);
    }
    let key = Key {
        day: b.day,
        hour: 0,
        service: b.service.clone(),
    };
    BTreeMap::from([(key, c)])
}

/// `after` − `before`, key by key, leaving out keys that did not change.
pub fn delta(
    before: &BTreeMap<Key, Counts>,
    after: &BTreeMap<Key, Counts>,
) -> BTreeMap<Key, Counts> {
    let mut out: BTreeMap<Key, Counts> = BTreeMap::new();
    for (k, c) in after {
        out.entry(k.clone()).or_default().add(c, 1);
    }
    for (k, c) in before {
        out.entry(k.clone()).or_default().add(c, -1);
    }
    out.retain(|_, c| !c.is_zero());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_falls_in_the_bucket_whose_edges_hold_it() {
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(59_999), 0);
        assert_eq!(bucket(60_000), 1);
        assert_eq!(bucket_bounds(1), (60, Some(120)));
        assert_eq!(BUCKET_UPPER_SECONDS[59], 60 * 60);
        assert_eq!(BUCKET_UPPER_SECONDS[60], 65 * 60);
        assert_eq!(BUCKET_UPPER_SECONDS[BUCKETS - 2], 480 * 60);
        assert_eq!(bucket(9 * 3_600_000), BUCKETS - 1);
        assert_eq!(bucket_bounds(BUCKETS - 1), (480 * 60, None));
        for ms in [0, 1, 59_999, 61_000, 1_800_001, 7_300_000, 28_800_000] {
            let (lower, upper) = bucket_bounds(bucket(ms));
            assert!(
                lower * 1000 <= ms && upper.is_none_or(|u| ms < u * 1000),
                "{ms}"
            );
        }
        for edge in super::super::WAIT_BUCKETS.iter().skip(1) {
            assert!(
                BUCKET_UPPER_SECONDS.contains(&(i64::from(*edge) * 60)),
                "{edge}"
            );
        }
    }

    #[test]
    fn the_median_of_buckets_is_the_upper_edge_of_the_median_visits_bucket() {
        let mut buckets = vec![0; BUCKETS];
        // Waits of 30 s, 90 s, 150 s: the median (90 s) is in the 1–2 minute bucket.
        for ms in [30_000, 90_000, 150_000] {
            buckets[bucket(ms)] += 1;
        }
        let d = durations(&buckets, 3, 270_000);
        assert_eq!(d.median, Some(120.0));
        assert_eq!(d.p90, Some(180.0));
        assert_eq!(d.max, Some(180.0));
        assert_eq!(d.mean, Some(90.0));
    }
}
