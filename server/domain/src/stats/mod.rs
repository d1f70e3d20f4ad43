//! The hall's figures: waiting, service and satisfaction, per field, counter, clerk, hour
//! and day, from the event log folded into visits and counter spans.
//!
//! The definitions live here and in the README ("How the figures are counted"); storage
//! only folds events into [`Visit`]s and [`Span`]s and hands them over. In short:
//! - A **visit** is one stay of a ticket in one field's queue: it begins when the ticket is
//!   issued, transferred in or returned to the queue, and ends when it is served, marked
//!   absent, cancelled, transferred out or returned. A ticket served at once is one visit.
//! - **wait** = first call of the visit − its beginning (recalls do not restart it);
//!   a booked ticket called before its appointment waited 0;
//!   **walk** = start − the last call or recall before it; **service** = finish − start;
//!   **total** = finish − the ticket's issue (the citizen's whole time in the hall, earlier
//!   visits included). Service and total count served visits only.
//! - A visit belongs to its ticket's issue day, the hour it began, its field, and the
//!   counter and clerk of its last call (a visit never called belongs to no counter).
//! - A visit still open, or cancelled because its day ended, is **unfinished**.
//! - Percentiles are nearest-rank: the median and the 90th percentile are always times
//!   that were observed.
//! - **Walk-in and booked tickets** ([`ByTicket`]): the visits begun by an issue, split by
//!   whether the ticket came from a booking checked in within its span (a late booking given
//!   a walk-in number is a walk-in). A booked ticket that came early waits from its
//!   appointment. A transferred or returned visit is in neither part.
//! - **The Decision 766 figure** ([`OfficialFigure`]): the share of dossiers not rated
//!   "không hài lòng" and without a complaint; an unrated dossier is not dissatisfied. A
//!   dossier is counted with the served visit of the ticket that carries its code, once per
//!   group (distinct codes); its level is the worst official level
//!   ([`crate::satisfaction::official`]) of its rated visits in the group. In a range where
//!   the hall attached no code at all, the unit is the served visit instead, and the figure
//!   says so (`basis`). A complaint counts on its ticket's served visit.
//! - The bookings' own figures (booked, cancelled, checked in, late, no-show, lateness) are
//!   in [`bookings`].

use crate::event::RatingChannel;
use crate::satisfaction::{Official, Reason, official};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod bookings;
mod breakdown;
pub mod fold;
mod idle;
pub mod rows;
pub use bookings::{Booking, BookingFigures, BookingOutcome, BookingReport, booking_report};
pub use breakdown::{Accuracy, Bucket, COMMENTS_LISTED, Comment, Report, WAIT_BUCKETS, report};

/// How a visit began.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BeganBy {
    Issued,
    Transferred,
    Returned,
}

impl BeganBy {
    pub fn as_str(self) -> &'static str {
        match self {
            BeganBy::Issued => "issued",
            BeganBy::Transferred => "transferred",
            BeganBy::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "issued" => BeganBy::Issued,
            "transferred" => BeganBy::Transferred,
            "returned" => BeganBy::Returned,
            _ => return None,
        })
    }
}

/// How a visit ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Served,
    Absent,
    Cancelled,
    Transferred,
    Returned,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Served => "served",
            Outcome::Absent => "absent",
            Outcome::Cancelled => "cancelled",
            Outcome::Transferred => "transferred",
            Outcome::Returned => "returned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "served" => Outcome::Served,
            "absent" => Outcome::Absent,
            "cancelled" => Outcome::Cancelled,
            "transferred" => Outcome::Transferred,
            "returned" => Outcome::Returned,
            _ => return None,
        })
    }
}

/// One stay of a ticket in one field's queue. Times are milliseconds since the epoch. (Kept
/// as JSON by the collector on PostgreSQL: what is empty is left out.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// The local day the ticket was issued.
    pub day: NaiveDate,
    pub service: String,
    pub began_by: BeganBy,
    pub issued_at: i64,
    pub queued_at: i64,
    /// The local hour the visit began.
    pub hour: u8,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub priority: bool,
    /// The ticket came from a booking checked in within its span.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub booked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_call: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_call: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clerk: Option<i64>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub recalls: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Cancelled because its day ended, not by anyone.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ended_with_day: bool,
    /// The estimate quoted when the ticket was issued (first visits only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quoted_minutes: Option<u32>,
    /// The citizen's rating: (level, scale), level 1 the worst.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<(u8, u8)>,
    /// Where the rating that counts was given (`None`: before ratings said where).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating_source: Option<RatingChannel>,
    /// The citizen's phone rating replaced the counter tablet's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub rating_replaced: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rated_at: Option<i64>,
    /// The codes of the dossiers the ticket carries (on its served visit only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dossiers: Vec<String>,
    /// A result pick-up ticket, taken at the kiosk for a dossier.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub result_pickup: bool,
    /// Why the rating was low ([`Reason`] codes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// How many times the citizen had to come for the dossier (3: three or more).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visits_needed: Option<u8>,
    /// Complaints about the ticket (on its served visit, or its last one if never served).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub complaints: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl Visit {
    /// A visit that began in `service` at the local `hour` and waits from `queued_at`,
    /// nothing done yet; `day` and `issued_at` are its ticket's.
    pub fn begun(
        day: NaiveDate,
        service: &str,
        began_by: BeganBy,
        (issued_at, queued_at): (i64, i64),
        hour: u8,
    ) -> Visit {
        Visit {
            day,
            service: service.to_owned(),
            began_by,
            issued_at,
            queued_at,
            hour,
            priority: false,
            booked: false,
            first_call: None,
            last_call: None,
            counter: None,
            clerk: None,
            recalls: 0,
            started_at: None,
            ended_at: None,
            outcome: None,
            ended_with_day: false,
            quoted_minutes: None,
            rating: None,
            rating_source: None,
            rating_replaced: false,
            comment: None,
            rated_at: None,
            dossiers: Vec::new(),
            result_pickup: false,
            reasons: Vec::new(),
            visits_needed: None,
            complaints: 0,
        }
    }

    /// A booked ticket called before its appointment (it is queued at it) waited nothing.
    pub fn wait(&self) -> Option<i64> {
        self.first_call.map(|c| (c - self.queued_at).max(0))
    }

    pub fn walk(&self) -> Option<i64> {
        Some(self.started_at? - self.last_call?)
    }

    pub fn service(&self) -> Option<i64> {
        match self.outcome {
            Some(Outcome::Served) => Some(self.ended_at? - self.started_at?),
            _ => None,
        }
    }

    pub fn total(&self) -> Option<i64> {
        match self.outcome {
            Some(Outcome::Served) => Some(self.ended_at? - self.issued_at),
            _ => None,
        }
    }

    /// Still open, or cancelled by the day's end: nobody finished it.
    pub fn unfinished(&self) -> bool {
        self.outcome.is_none() || self.ended_with_day
    }
}

/// A counter open, or paused within its open time.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub counter: u16,
    pub clerk: Option<i64>,
    /// `Some(reason)` for a pause, `None` for the open span.
    pub pause: Option<String>,
    pub day: NaiveDate,
    pub began_at: i64,
    /// The counter's last call or finish within the span.
    pub last_activity: i64,
    pub ended_at: Option<i64>,
}

impl Span {
    /// When the span ended, or ends for counting: closed, still running today (until
    /// `now`), or left running on a past day (until the counter's last activity that day).
    pub fn end(&self, today: NaiveDate, now: i64) -> i64 {
        match self.ended_at {
            Some(end) => end,
            None if self.day == today => now.max(self.began_at),
            None => self.last_activity.max(self.began_at),
        }
    }
}

/// What the figures need to know about the hall.
pub struct Setup<'a> {
    pub tz: Tz,
    /// The hall's rating scale now (3 or 5).
    pub scale: u8,
    /// Target wait per field, in minutes.
    pub targets: &'a BTreeMap<String, u32>,
    /// The Decision 766 target per field, in percent, where it is not
    /// [`OFFICIAL_TARGET_PERCENT`] (90 for land, construction and investment).
    pub official_targets: &'a BTreeMap<String, u32>,
    /// The fields each counter serves, for the idle time while people waited; `None` where
    /// the counters are not known (the city's figures), and the figure is null.
    pub counter_fields: Option<&'a BTreeMap<u16, Vec<String>>>,
    pub now: i64,
}

/// A spread of durations, in seconds. Empty: every figure but `n` is null.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Durations {
    pub n: usize,
    pub mean: Option<f64>,
    pub median: Option<f64>,
    pub p90: Option<f64>,
    pub max: Option<f64>,
}

impl Durations {
    /// From durations in milliseconds, in any order (reordered here).
    pub fn of(mut ms: Vec<i64>) -> Durations {
        let n = ms.len();
        let secs = |v: i64| v as f64 / 1000.0;
        if n == 0 {
            return Durations {
                n,
                mean: None,
                median: None,
                p90: None,
                max: None,
            };
        }
        let mean = ms.iter().map(|&v| v as f64).sum::<f64>() / n as f64 / 1000.0;
        // Selection, not a full sort: a year's figures pick ranks among millions of times.
        // Each rank is looked for only above the one before.
        let (m, q) = (nearest_rank(0.5, n), nearest_rank(0.9, n));
        let (_, median, above) = ms.select_nth_unstable(m);
        let median = *median;
        let p90 = if q == m {
            median
        } else {
            *above.select_nth_unstable(q - m - 1).1
        };
        let max = ms[q..].iter().max().copied().unwrap_or(p90);
        Durations {
            n,
            mean: Some(mean),
            median: Some(secs(median)),
            p90: Some(secs(p90)),
            max: Some(secs(max)),
        }
    }
}

/// The index of the nearest-rank `p` percentile in `n` sorted values: the smallest value
/// with at least a share `p` of the values at or below it.
pub fn nearest_rank(p: f64, n: usize) -> usize {
    ((p * n as f64).ceil() as usize).clamp(1, n.max(1)) - 1
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReasonTime {
    pub reason: String,
    pub seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Satisfaction {
    /// Ratings per level of the hall's scale now, level 1 (the worst) first.
    pub levels: Vec<u64>,
    pub rated: u64,
    /// Share of ratings in the top two levels of their scale.
    pub satisfied_share: Option<f64>,
    /// Share of served visits that were rated.
    pub coverage: Option<f64>,
    /// The ratings by where they were given (a phone rating that replaced the tablet's
    /// counts as the phone's).
    pub by_source: BySource,
    /// Tablet ratings the citizen's own phone rating replaced: many of them at one counter
    /// say its tablet is not the citizens' voice.
    pub replaced: u64,
}

/// Ratings by where they were given.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct BySource {
    /// On the citizen's phone.
    pub phone: SourceRatings,
    /// On the counter's tablet.
    pub counter: SourceRatings,
    /// Given before ratings said where.
    pub unknown: SourceRatings,
}

/// The ratings from one source.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SourceRatings {
    pub rated: u64,
    /// Share of these ratings in the top two levels of their scale.
    pub satisfied_share: Option<f64>,
}

/// The place of a source in [`Tally`]'s counts.
fn source_index(source: Option<RatingChannel>) -> usize {
    match source {
        Some(RatingChannel::Phone) => 0,
        Some(RatingChannel::Counter) => 1,
        None => 2,
    }
}

/// The national target of Decision 766 for the share of dossiers without dissatisfaction
/// (by 2030), in percent; land, construction and investment have 90.
pub const OFFICIAL_TARGET_PERCENT: u32 = 95;

/// The fields' Decision 766 targets where they are not the national one, as
/// [`Setup::official_targets`] takes them.
pub fn official_targets(services: &[crate::Service]) -> BTreeMap<String, u32> {
    services
        .iter()
        .filter(|s| s.satisfaction_target_percent != OFFICIAL_TARGET_PERCENT)
        .map(|s| (s.code.to_string(), s.satisfaction_target_percent))
        .collect()
}

/// The fields each counter serves (for [`Setup::counter_fields`]).
pub fn counter_fields(hall: &crate::Hall) -> BTreeMap<u16, Vec<String>> {
    hall.counters
        .iter()
        .map(|c| {
            (
                c.no.get(),
                c.services.iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect()
}

/// What the Decision 766 figure is counted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The dossiers whose codes the counters attached.
    Dossiers,
    /// The served visits: the hall attached no dossier code in the range.
    Visits,
    /// Several halls together, each counted on its own basis (the city's total, where some
    /// halls attach codes and some do not).
    Mixed,
}

/// The satisfaction figure of Decision 766/QĐ-TTg: (units − those rated "không hài lòng"
/// or complained about) ÷ units, where an unrated unit is not dissatisfied. The unit is the
/// dossier, or the served visit where the hall attaches no dossier codes (`basis`). Overdue
/// dossiers also count against it in the province's figure; the hall cannot know them.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct OfficialFigure {
    pub basis: Basis,
    /// Dossiers (or served visits) counted.
    pub units: u64,
    /// Units by their worst official rating; `unrated` had none.
    pub very_satisfied: u64,
    pub satisfied: u64,
    pub dissatisfied: u64,
    pub unrated: u64,
    /// Units with a complaint.
    pub complained: u64,
    /// Units rated "không hài lòng" or complained about (each once).
    pub against: u64,
    /// (units − against) ÷ units.
    pub share: Option<f64>,
    /// The target the share is held to (0.95; a field's own where it has one).
    pub target: f64,
    /// Served visits that carried no dossier code (dossier basis only: not counted).
    pub served_without_dossier: u64,
}

impl OfficialFigure {
    /// Several halls' figures as one: each hall's units on its own basis, added up (a hall
    /// that attaches no codes still counts, by its served visits). Held to the national
    /// target.
    pub fn combine<'a>(figures: impl IntoIterator<Item = &'a OfficialFigure>) -> OfficialFigure {
        let mut total = OfficialFigure {
            basis: Basis::Visits,
            units: 0,
            very_satisfied: 0,
            satisfied: 0,
            dissatisfied: 0,
            unrated: 0,
            complained: 0,
            against: 0,
            share: None,
            target: f64::from(OFFICIAL_TARGET_PERCENT) / 100.0,
            served_without_dossier: 0,
        };
        let mut bases = std::collections::BTreeSet::new();
        for f in figures {
            if f.units > 0 {
                bases.insert(f.basis as u8);
                total.basis = f.basis;
            }
            total.units += f.units;
            total.very_satisfied += f.very_satisfied;
            total.satisfied += f.satisfied;
            total.dissatisfied += f.dissatisfied;
            total.unrated += f.unrated;
            total.complained += f.complained;
            total.against += f.against;
            total.served_without_dossier += f.served_without_dossier;
        }
        if bases.len() > 1 {
            total.basis = Basis::Mixed;
        }
        total.share =
            (total.units > 0).then(|| (total.units - total.against) as f64 / total.units as f64);
        total
    }
}

/// How many low ratings gave one reason.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReasonCount {
    pub reason: String,
    pub count: u64,
}

/// The figures of one group of visits and counter time.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    pub issued: u64,
    pub transferred_in: u64,
    pub returned: u64,
    pub served: u64,
    pub absent: u64,
    pub transferred: u64,
    pub cancelled: u64,
    pub unfinished: u64,
    pub recalls: u64,
    pub wait: Durations,
    pub walk: Durations,
    pub service: Durations,
    pub total: Durations,
    /// Share of served visits whose wait was at most their field's target.
    pub within_target: Option<f64>,
    /// absent ÷ (served + absent).
    pub absent_rate: Option<f64>,
    pub open_seconds: f64,
    pub paused_seconds: f64,
    pub paused_reasons: Vec<ReasonTime>,
    /// Open, not paused and serving no one while someone waited in the counter's fields
    /// ([`idle`]); null for a field, and where the counters are not known.
    pub idle_while_waiting_seconds: Option<f64>,
    pub satisfaction: Satisfaction,
    /// The visits begun by an issue, walk-in and booked tickets apart.
    pub by_ticket: ByTicket,
    /// The Decision 766 figure.
    pub official: OfficialFigure,
    /// The reasons low ratings gave, in [`Reason::ALL`]'s order (each rating may give several).
    pub reasons: Vec<ReasonCount>,
    /// Ratings answering "how many times did you come": once, twice, three times or more.
    pub visits_needed: [u64; 3],
    /// Complaints about the group's visits.
    pub complaints: u64,
    /// Result pick-up tickets issued.
    pub result_pickups: u64,
}

/// The visits begun by an issue, by how the ticket came.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ByTicket {
    /// Numbers taken at the kiosk or the counter (late bookings given a walk-in number too).
    pub walk_in: TicketKind,
    /// Numbers of bookings checked in within their span.
    pub booked: TicketKind,
}

/// The issued visits of one kind of ticket.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TicketKind {
    pub issued: u64,
    /// From the visit's beginning (a booked ticket's appointment when it came early) to its
    /// first call.
    pub wait: Durations,
}

#[derive(Debug, Default)]
pub(crate) struct Tally {
    issued: u64,
    transferred_in: u64,
    returned: u64,
    served: u64,
    absent: u64,
    transferred: u64,
    cancelled: u64,
    unfinished: u64,
    recalls: u64,
    wait: Vec<i64>,
    walk: Vec<i64>,
    service: Vec<i64>,
    total: Vec<i64>,
    within_target: u64,
    levels: Vec<u64>,
    rated: u64,
    satisfied: u64,
    /// (rated, satisfied) by [`source_index`].
    by_source: [(u64, u64); 3],
    replaced: u64,
    /// (issued, waits) of walk-in and booked tickets.
    walk_in: (u64, Vec<i64>),
    booked: (u64, Vec<i64>),
    open_ms: i64,
    paused_ms: i64,
    /// `None` until counted: a field's group never is.
    idle_ms: Option<i64>,
    reasons: BTreeMap<String, i64>,
    official: OfficialTally,
    rating_reasons: [u64; Reason::ALL.len()],
    visits_needed: [u64; 3],
    complaints: u64,
    result_pickups: u64,
}

/// The Decision 766 units of a group: its served visits, and its dossiers with their worst
/// official rating and whether one was complained about. A dossier seen on one visit of
/// the whole report (nearly all) is counted as it comes; only one seen on several is kept
/// by its number until the group's figure is made, to count it once.
#[derive(Debug, Default)]
struct OfficialTally {
    visits: Counts,
    single: Counts,
    shared: rustc_hash::FxHashMap<u32, Unit>,
    served_without_dossier: u64,
}

/// Units counted: by their worst official level, unrated, complained about, against.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    units: u64,
    levels: [u64; 3],
    unrated: u64,
    complained: u64,
    against: u64,
}

impl Counts {
    fn add(&mut self, unit: Unit) {
        self.units += 1;
        match unit.worst {
            Some(l) => self.levels[usize::from(l.number() - 1)] += 1,
            None => self.unrated += 1,
        }
        self.complained += u64::from(unit.complained);
        self.against += u64::from(unit.against());
    }
}

/// One unit of the figure: its worst rating so far, and whether it had a complaint.
#[derive(Debug, Default, Clone, Copy)]
struct Unit {
    worst: Option<Official>,
    complained: bool,
}

impl Unit {
    fn add(&mut self, other: Unit) {
        self.worst = self.worst.max(other.worst);
        self.complained |= other.complained;
    }

    fn against(self) -> bool {
        self.complained || self.worst == Some(Official::Dissatisfied)
    }
}

/// A dossier's code as the groups count it: its number in the report, and whether other
/// visits of the report carry it too.
#[derive(Debug, Clone, Copy)]
struct Code {
    number: u32,
    shared: bool,
}

impl OfficialTally {
    fn add(&mut self, v: &Visit, dossiers: &[Code]) {
        let unit = Unit {
            worst: v.rating.map(|(level, scale)| official(level, scale)),
            complained: v.complaints > 0,
        };
        self.visits.add(unit);
        if dossiers.is_empty() {
            self.served_without_dossier += 1;
        }
        for code in dossiers {
            if code.shared {
                self.shared
                    .entry(code.number)
                    .and_modify(|d| d.add(unit))
                    .or_insert(unit);
            } else {
                self.single.add(unit);
            }
        }
    }

    fn figure(self, basis: Basis, target: f64) -> OfficialFigure {
        let share = |part: u64, whole: u64| (whole > 0).then(|| part as f64 / whole as f64);
        let (counts, without) = match basis {
            // A report has one basis; only several halls' figures together are mixed
            // ([`OfficialFigure::combine`]).
            Basis::Visits | Basis::Mixed => (self.visits, 0),
            Basis::Dossiers => {
                let mut counts = self.single;
                for &unit in self.shared.values() {
                    counts.add(unit);
                }
                (counts, self.served_without_dossier)
            }
        };
        let Counts {
            units,
            levels,
            unrated,
            complained,
            against,
        } = counts;
        OfficialFigure {
            basis,
            units,
            very_satisfied: levels[0],
            satisfied: levels[1],
            dissatisfied: levels[2],
            unrated,
            complained,
            against,
            share: share(units - against, units),
            target,
            served_without_dossier: without,
        }
    }
}

/// What one visit adds, worked out once for all the groups it belongs to.
struct Facts<'a> {
    /// The visit's dossiers, each code numbered once for the whole report: a group counts
    /// distinct numbers, not strings (a year is a hundred and fifty thousand codes, in six
    /// breakdowns), and looks up only those other visits carry too.
    dossiers: &'a [Code],
    wait: Option<i64>,
    walk: Option<i64>,
    service: Option<i64>,
    total: Option<i64>,
    within_target: bool,
}

impl<'a> Facts<'a> {
    fn of(v: &Visit, setup: &Setup<'_>, dossiers: &'a [Code]) -> Facts<'a> {
        let wait = v.wait();
        let within_target = v.outcome == Some(Outcome::Served) && {
            let target = setup.targets.get(&v.service).copied().unwrap_or(u32::MAX);
            wait.is_some_and(|w| w <= i64::from(target) * 60_000)
        };
        Facts {
            dossiers,
            wait,
            walk: v.walk(),
            service: v.service(),
            total: v.total(),
            within_target,
        }
    }
}

impl Tally {
    fn add_visit(&mut self, v: &Visit, f: &Facts, scale_now: u8) {
        match v.began_by {
            BeganBy::Issued => {
                self.issued += 1;
                let kind = if v.booked {
                    &mut self.booked
                } else {
                    &mut self.walk_in
                };
                kind.0 += 1;
                kind.1.extend(f.wait);
            }
            BeganBy::Transferred => self.transferred_in += 1,
            BeganBy::Returned => {}
        }
        if v.unfinished() {
            self.unfinished += 1;
        } else {
            match v.outcome {
                Some(Outcome::Served) => self.served += 1,
                Some(Outcome::Absent) => self.absent += 1,
                Some(Outcome::Cancelled) => self.cancelled += 1,
                Some(Outcome::Transferred) => self.transferred += 1,
                Some(Outcome::Returned) => self.returned += 1,
                None => {}
            }
        }
        self.recalls += u64::from(v.recalls);
        self.complaints += u64::from(v.complaints);
        self.result_pickups += u64::from(v.result_pickup && v.began_by == BeganBy::Issued);
        self.wait.extend(f.wait);
        self.walk.extend(f.walk);
        self.service.extend(f.service);
        self.total.extend(f.total);
        if v.outcome == Some(Outcome::Served) {
            self.within_target += u64::from(f.within_target);
            self.official.add(v, f.dossiers);
            if v.rating.is_some() {
                for reason in &v.reasons {
                    if let Some(i) = Reason::ALL.iter().position(|r| r.as_str() == reason) {
                        self.rating_reasons[i] += 1;
                    }
                }
                if let Some(n @ 1..=3) = v.visits_needed {
                    self.visits_needed[usize::from(n - 1)] += 1;
                }
            }
            if let Some((level, scale)) = v.rating {
                let satisfied = level + 1 >= scale;
                self.rated += 1;
                self.satisfied += u64::from(satisfied);
                let source = &mut self.by_source[source_index(v.rating_source)];
                source.0 += 1;
                source.1 += u64::from(satisfied);
                self.replaced += u64::from(v.rating_replaced);
                if scale == scale_now && (1..=scale).contains(&level) {
                    if self.levels.is_empty() {
                        self.levels = vec![0; usize::from(scale_now)];
                    }
                    self.levels[usize::from(level - 1)] += 1;
                }
            }
        }
    }

    fn add_time(&mut self, pause: Option<&str>, ms: i64) {
        match pause {
            None => self.open_ms += ms,
            Some(reason) => {
                self.paused_ms += ms;
                *self.reasons.entry(reason.to_owned()).or_default() += ms;
            }
        }
    }

    fn add_idle(&mut self, ms: i64) {
        *self.idle_ms.get_or_insert(0) += ms;
    }

    fn figures(self, scale: u8, basis: Basis, official_target: f64) -> Figures {
        let share = |part: u64, whole: u64| (whole > 0).then(|| part as f64 / whole as f64);
        let mut levels = self.levels;
        levels.resize(usize::from(scale), 0);
        Figures {
            issued: self.issued,
            transferred_in: self.transferred_in,
            returned: self.returned,
            served: self.served,
            absent: self.absent,
            transferred: self.transferred,
            cancelled: self.cancelled,
            unfinished: self.unfinished,
            recalls: self.recalls,
            wait: Durations::of(self.wait),
            walk: Durations::of(self.walk),
            service: Durations::of(self.service),
            total: Durations::of(self.total),
            within_target: share(self.within_target, self.served),
            absent_rate: share(self.absent, self.served + self.absent),
            open_seconds: self.open_ms as f64 / 1000.0,
            paused_seconds: self.paused_ms as f64 / 1000.0,
            idle_while_waiting_seconds: self.idle_ms.map(|ms| ms as f64 / 1000.0),
            paused_reasons: self
                .reasons
                .into_iter()
                .map(|(reason, ms)| ReasonTime {
                    reason,
                    seconds: ms as f64 / 1000.0,
                })
                .collect(),
            satisfaction: Satisfaction {
                levels,
                rated: self.rated,
                satisfied_share: share(self.satisfied, self.rated),
                coverage: share(self.rated, self.served),
                by_source: {
                    let of = |(rated, satisfied): (u64, u64)| SourceRatings {
                        rated,
                        satisfied_share: share(satisfied, rated),
                    };
                    let [phone, counter, unknown] = self.by_source;
                    BySource {
                        phone: of(phone),
                        counter: of(counter),
                        unknown: of(unknown),
                    }
                },
                replaced: self.replaced,
            },
            by_ticket: ByTicket {
                walk_in: TicketKind {
                    issued: self.walk_in.0,
                    wait: Durations::of(self.walk_in.1),
                },
                booked: TicketKind {
                    issued: self.booked.0,
                    wait: Durations::of(self.booked.1),
                },
            },
            official: self.official.figure(basis, official_target),
            reasons: Reason::ALL
                .iter()
                .zip(self.rating_reasons)
                .map(|(r, count)| ReasonCount {
                    reason: r.as_str().to_owned(),
                    count,
                })
                .collect(),
            visits_needed: self.visits_needed,
            complaints: self.complaints,
            result_pickups: self.result_pickups,
        }
    }
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// The local hour an instant falls in.
pub fn local_hour(ms: i64, tz: Tz) -> u8 {
    at(ms).with_timezone(&tz).hour() as u8
}

/// The part of `[from, to)` in each local hour, in milliseconds.
pub fn split_by_hour(from: i64, to: i64, tz: Tz) -> Vec<(u8, i64)> {
    let mut parts = Vec::new();
    let mut cursor = from;
    while cursor < to {
        let local = at(cursor).with_timezone(&tz);
        let hour_start = local
            .date_naive()
            .and_hms_opt(local.hour(), 0, 0)
            .and_then(|t| tz.from_local_datetime(&t).earliest());
        let next = hour_start
            .map(|t| (t + Duration::hours(1)).timestamp_millis())
            .filter(|&n| n > cursor)
            // A zone whose hours do not start on the hour: step an hour at a time.
            .unwrap_or(cursor + 3_600_000);
        let end = next.min(to);
        parts.push((local.hour() as u8, end - cursor));
        cursor = end;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn tz() -> Tz {
        chrono_tz::Asia::Ho_Chi_Minh
    }

    /// 08:00 in Hanoi on 2026-11-25.
    fn eight() -> i64 {
        Utc.with_ymd_and_hms(2026, 11, 25, 1, 0, 0)
            .single()
            .map(|t| t.timestamp_millis())
            .unwrap_or_default()
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
    }

    fn served(queued: i64, call: i64, start: i64, end: i64) -> Visit {
        Visit {
            first_call: Some(call),
            last_call: Some(call),
            counter: Some(1),
            clerk: Some(7),
            started_at: Some(start),
            ended_at: Some(end),
            outcome: Some(Outcome::Served),
            quoted_minutes: Some(10),
            ..Visit::begun(
                day(),
                "A",
                BeganBy::Issued,
                (queued, queued),
                local_hour(queued, tz()),
            )
        }
    }

    static NO_OFFICIAL_TARGETS: BTreeMap<String, u32> = BTreeMap::new();

    fn setup(targets: &BTreeMap<String, u32>) -> Setup<'_> {
        Setup {
            tz: tz(),
            scale: 5,
            targets,
            official_targets: &NO_OFFICIAL_TARGETS,
            counter_fields: None,
            now: eight() + 600 * MIN,
        }
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let d = Durations::of((1..=10).rev().map(|s| s * 1000).collect());
        assert_eq!(d.n, 10);
        assert_eq!(d.median, Some(5.0));
        assert_eq!(d.p90, Some(9.0));
        assert_eq!(d.max, Some(10.0));
        assert_eq!(d.mean, Some(5.5));
        let one = Durations::of(vec![4000]);
        assert_eq!((one.median, one.p90), (Some(4.0), Some(4.0)));
        let none = Durations::of(Vec::new());
        assert_eq!((none.n, none.mean, none.median), (0, None, None));
    }

    #[test]
    fn a_served_visit_gives_each_time_once() {
        let t = eight();
        let v = served(t, t + 12 * MIN, t + 13 * MIN, t + 20 * MIN);
        let targets = BTreeMap::from([("A".to_owned(), 15)]);
        let r = report(&[v], &[], &setup(&targets));
        assert_eq!(r.total.served, 1);
        assert_eq!(r.total.wait.mean, Some(720.0));
        assert_eq!(r.total.walk.mean, Some(60.0));
        assert_eq!(r.total.service.mean, Some(420.0));
        assert_eq!(r.total.total.mean, Some(1200.0));
        assert_eq!(r.total.within_target, Some(1.0));
        assert_eq!(r.by_hour[0].0, 8);
        assert_eq!(r.estimate.mean_abs_error_minutes, Some(2.0));
        assert_eq!(r.estimate.share_longer, Some(1.0));
        assert_eq!(r.estimate.share_5_min_longer, Some(0.0));
    }

    #[test]
    fn a_wait_longer_than_the_target_is_not_within_it() {
        let t = eight();
        let targets = BTreeMap::from([("A".to_owned(), 10)]);
        let on_time = served(t, t + 10 * MIN, t + 11 * MIN, t + 12 * MIN);
        let late = served(t, t + 10 * MIN + 1, t + 11 * MIN, t + 12 * MIN);
        let r = report(&[on_time, late], &[], &setup(&targets));
        assert_eq!(r.total.within_target, Some(0.5));
    }

    #[test]
    fn a_ticket_cancelled_by_the_day_end_is_unfinished_not_cancelled() {
        let t = eight();
        let mut v = served(t, t, t, t);
        v.first_call = None;
        v.last_call = None;
        v.started_at = None;
        v.outcome = Some(Outcome::Cancelled);
        v.ended_with_day = true;
        let targets = BTreeMap::new();
        let r = report(&[v], &[], &setup(&targets));
        assert_eq!((r.total.cancelled, r.total.unfinished), (0, 1));
        assert_eq!(r.total.wait.n, 0);
    }

    #[test]
    fn satisfied_means_the_top_two_levels_of_the_scale() {
        let t = eight();
        let mut visits = Vec::new();
        for (level, scale) in [(5, 5), (4, 5), (3, 5), (1, 5), (2, 3)] {
            let mut v = served(t, t, t, t + MIN);
            v.rating = Some((level, scale));
            visits.push(v);
        }
        visits.push(served(t, t, t, t + MIN));
        let targets = BTreeMap::new();
        let r = report(&visits, &[], &setup(&targets));
        let s = &r.total.satisfaction;
        assert_eq!(s.levels, vec![1, 0, 1, 1, 1]);
        assert_eq!(s.rated, 5);
        assert_eq!(s.satisfied_share, Some(3.0 / 5.0));
        assert_eq!(s.coverage, Some(5.0 / 6.0));
    }

    #[test]
    fn ratings_are_counted_by_where_they_were_given() {
        let t = eight();
        let rated = |level, source, replaced| {
            let mut v = served(t, t, t, t + MIN);
            v.rating = Some((level, 5));
            v.rating_source = source;
            v.rating_replaced = replaced;
            v
        };
        let (phone, counter) = (Some(RatingChannel::Phone), Some(RatingChannel::Counter));
        let visits = [
            rated(5, phone, false),
            rated(1, phone, true),
            rated(5, counter, false),
            rated(4, counter, false),
            rated(2, None, false),
        ];
        let targets = BTreeMap::new();
        let s = report(&visits, &[], &setup(&targets)).total.satisfaction;
        let by = &s.by_source;
        assert_eq!((by.phone.rated, by.phone.satisfied_share), (2, Some(0.5)));
        assert_eq!(
            (by.counter.rated, by.counter.satisfied_share),
            (2, Some(1.0))
        );
        assert_eq!(
            (by.unknown.rated, by.unknown.satisfied_share),
            (1, Some(0.0))
        );
        assert_eq!((s.rated, s.replaced), (5, 1));
    }

    #[test]
    fn the_766_figure_counts_each_dossier_once_at_its_worst_and_complaints_against_it() {
        let t = eight();
        let visit = |dossiers: &[&str], rating: Option<(u8, u8)>, complaints| {
            let mut v = served(t, t, t, t + MIN);
            v.dossiers = dossiers.iter().map(|d| d.to_string()).collect();
            v.rating = rating;
            v.complaints = complaints;
            v
        };
        let visits = [
            // One dossier seen twice: rated well, then "không hài lòng" at its pick-up.
            visit(&["H1-1"], Some((5, 5)), 0),
            visit(&["H1-1"], Some((2, 5)), 0),
            // Two dossiers on one visit, rated "hài lòng" on the 3-level scale.
            visit(&["H1-2", "H1-3"], Some((2, 3)), 0),
            // Unrated: not dissatisfied. Complained about: against.
            visit(&["H1-4"], None, 0),
            visit(&["H1-5"], Some((3, 5)), 1),
            // No code: not a dossier.
            visit(&[], Some((1, 5)), 0),
        ];
        let targets = BTreeMap::new();
        let o = report(&visits, &[], &setup(&targets)).total.official;
        assert_eq!(o.basis, Basis::Dossiers);
        assert_eq!(o.units, 5);
        assert_eq!(
            (o.very_satisfied, o.satisfied, o.dissatisfied, o.unrated),
            (0, 3, 1, 1)
        );
        assert_eq!((o.complained, o.against), (1, 2));
        assert_eq!(o.share, Some(3.0 / 5.0));
        assert_eq!(o.served_without_dossier, 1);
        assert_eq!(o.target, 0.95);
    }

    #[test]
    fn without_any_dossier_the_766_figure_counts_served_visits_and_says_so() {
        let t = eight();
        let rated = |level, scale| {
            let mut v = served(t, t, t, t + MIN);
            v.rating = Some((level, scale));
            v.service = "B".into();
            v
        };
        let mut absent = served(t, t, t, t + MIN);
        absent.outcome = Some(Outcome::Absent);
        let visits = [
            rated(1, 3),
            rated(3, 5),
            rated(5, 5),
            served(t, t, t, t + MIN),
            absent,
        ];
        let targets = BTreeMap::new();
        let land = BTreeMap::from([("B".to_owned(), 90)]);
        let r = report(
            &visits,
            &[],
            &Setup {
                official_targets: &land,
                counter_fields: None,
                ..setup(&targets)
            },
        );
        let o = &r.total.official;
        assert_eq!((o.basis, o.units, o.against), (Basis::Visits, 4, 1));
        assert_eq!(o.share, Some(0.75));
        let target = |code: &str| {
            r.by_field
                .iter()
                .find(|(field, _)| field == code)
                .map(|(_, f)| f.official.target)
        };
        assert_eq!((target("A"), target("B")), (Some(0.95), Some(0.9)));
    }

    #[test]
    fn halls_on_different_bases_add_up_each_on_its_own() {
        let t = eight();
        let mut coded = served(t, t, t, t + MIN);
        coded.dossiers = vec!["H1-1".into()];
        coded.rating = Some((1, 5));
        let targets = BTreeMap::new();
        let with_codes = report(&[coded], &[], &setup(&targets)).total.official;
        let without = report(
            &[served(t, t, t, t + MIN), served(t, t, t, t + MIN)],
            &[],
            &setup(&targets),
        )
        .total
        .official;
        let city = OfficialFigure::combine([&with_codes, &without]);
        assert_eq!((city.basis, city.units, city.against), (Basis::Mixed, 3, 1));
        assert_eq!(city.share, Some(2.0 / 3.0));
        let alone = OfficialFigure::combine([&without]);
        assert_eq!((alone.basis, alone.units), (Basis::Visits, 2));
    }

    #[test]
    fn low_ratings_reasons_and_the_visits_needed_are_counted() {
        let t = eight();
        let mut v = served(t, t, t, t + MIN);
        v.rating = Some((2, 5));
        v.reasons = vec!["wait".into(), "repeat".into()];
        v.visits_needed = Some(3);
        let mut w = served(t, t, t, t + MIN);
        w.rating = Some((5, 5));
        w.visits_needed = Some(1);
        let targets = BTreeMap::new();
        let f = report(&[v, w], &[], &setup(&targets)).total;
        let counts: Vec<(&str, u64)> = f
            .reasons
            .iter()
            .map(|r| (r.reason.as_str(), r.count))
            .collect();
        assert_eq!(
            counts,
            vec![
                ("wait", 1),
                ("attitude", 0),
                ("guidance", 0),
                ("repeat", 1),
                ("other", 0)
            ]
        );
        assert_eq!(f.visits_needed, [1, 0, 1]);
    }

    #[test]
    fn walk_in_and_booked_tickets_are_counted_apart() {
        let t = eight();
        let walk_in = served(t, t + 20 * MIN, t + 21 * MIN, t + 30 * MIN);
        let mut booked = served(t + 5 * MIN, t + 10 * MIN, t + 11 * MIN, t + 15 * MIN);
        booked.booked = true;
        let mut moved = served(t, t + 2 * MIN, t + 3 * MIN, t + 4 * MIN);
        moved.began_by = BeganBy::Transferred;
        let targets = BTreeMap::new();
        let r = report(&[walk_in, booked, moved], &[], &setup(&targets));
        let by = &r.total.by_ticket;
        assert_eq!(
            (by.walk_in.issued, by.walk_in.wait.median),
            (1, Some(1200.0))
        );
        assert_eq!((by.booked.issued, by.booked.wait.median), (1, Some(300.0)));
        assert_eq!(r.total.wait.n, 3);
    }

    #[test]
    fn a_booked_ticket_called_before_its_appointment_waited_nothing() {
        let t = eight();
        // Queued at its appointment, 08:30; the counter was free at 08:20.
        let mut early = served(t + 30 * MIN, t + 20 * MIN, t + 21 * MIN, t + 25 * MIN);
        early.booked = true;
        let targets = BTreeMap::new();
        let r = report(&[early], &[], &setup(&targets));
        assert_eq!(r.total.wait.max, Some(0.0));
        assert_eq!(r.total.by_ticket.booked.wait.median, Some(0.0));
    }

    #[test]
    fn counter_time_is_split_by_hour_and_pauses_by_reason() {
        let t = eight();
        let open = Span {
            counter: 2,
            clerk: Some(3),
            pause: None,
            day: day(),
            began_at: t + 30 * MIN,
            last_activity: t + 30 * MIN,
            ended_at: Some(t + 150 * MIN),
        };
        let lunch = Span {
            pause: Some("Nghỉ trưa".into()),
            began_at: t + 60 * MIN,
            ended_at: Some(t + 90 * MIN),
            ..open.clone()
        };
        let targets = BTreeMap::new();
        let r = report(&[], &[open, lunch], &setup(&targets));
        assert_eq!(r.total.open_seconds, 7200.0);
        assert_eq!(r.total.paused_seconds, 1800.0);
        assert_eq!(r.total.paused_reasons[0].reason, "Nghỉ trưa");
        let hours: Vec<(u8, f64)> = r
            .by_hour
            .iter()
            .map(|(h, f)| (*h, f.open_seconds))
            .collect();
        assert_eq!(hours, vec![(8, 1800.0), (9, 3600.0), (10, 1800.0)]);
        assert_eq!(r.by_counter[0].0, 2);
    }

    #[test]
    fn a_counter_is_idle_while_people_wait_in_its_fields_unless_busy_or_paused() {
        let t = eight();
        // Counter 1 serves A, open 08:00-10:00 by clerk 7, paused 09:00-09:15.
        let open = Span {
            counter: 1,
            clerk: Some(7),
            pause: None,
            day: day(),
            began_at: t,
            last_activity: t + 90 * MIN,
            ended_at: Some(t + 120 * MIN),
        };
        let pause = Span {
            pause: Some("Họp".into()),
            began_at: t + 60 * MIN,
            ended_at: Some(t + 75 * MIN),
            ..open.clone()
        };
        // Idle 08:00-08:10 and 08:30-08:40 while one waited; busy 08:10-08:20, 08:40-08:50.
        let first = served(t, t + 10 * MIN, t + 11 * MIN, t + 20 * MIN);
        let second = served(t + 30 * MIN, t + 40 * MIN, t + 41 * MIN, t + 50 * MIN);
        // Someone waits in B, which counter 1 does not serve: not its idle time.
        let mut elsewhere = served(t + 50 * MIN, t + 90 * MIN, t + 91 * MIN, t + 95 * MIN);
        elsewhere.service = "B".into();
        elsewhere.counter = Some(5);
        // Waits 08:55-09:20 across the pause: idle 08:55-09:00 and 09:15-09:20.
        let across = served(t + 55 * MIN, t + 80 * MIN, t + 81 * MIN, t + 90 * MIN);
        let targets = BTreeMap::new();
        let fields = BTreeMap::from([(1, vec!["A".to_owned()]), (5, vec!["B".to_owned()])]);
        let setup = Setup {
            counter_fields: Some(&fields),
            ..setup(&targets)
        };
        let r = report(&[first, second, elsewhere, across], &[open, pause], &setup);
        assert_eq!(r.total.idle_while_waiting_seconds, Some(30.0 * 60.0));
        assert_eq!(r.by_clerk[0].0, 7);
        assert_eq!(r.by_clerk[0].1.idle_while_waiting_seconds, Some(1800.0));
        assert_eq!(r.by_counter[0].1.idle_while_waiting_seconds, Some(1800.0));
        let hours: Vec<(u8, Option<f64>)> = r
            .by_hour
            .iter()
            .map(|(h, f)| (*h, f.idle_while_waiting_seconds))
            .collect();
        assert_eq!(hours, vec![(8, Some(1500.0)), (9, Some(300.0))]);
        assert_eq!(r.by_field[0].1.idle_while_waiting_seconds, None);
        // Without the counters' fields (the city) the figure is not known, not zero.
        assert_eq!(
            report(&[], &[], &self::setup(&targets))
                .total
                .idle_while_waiting_seconds,
            None
        );
    }

    #[test]
    fn a_span_left_open_on_a_past_day_ends_at_its_last_activity() {
        let t = eight();
        let span = Span {
            counter: 1,
            clerk: None,
            pause: None,
            day: day(),
            began_at: t,
            last_activity: t + 90 * MIN,
            ended_at: None,
        };
        let tomorrow = t + 24 * 60 * MIN;
        assert_eq!(span.end(day(), t + 100 * MIN), t + 100 * MIN);
        let next_day = day().succ_opt().unwrap_or_default();
        assert_eq!(span.end(next_day, tomorrow), t + 90 * MIN);
    }
}
