//! The figures of a range of days in every breakdown (field, counter, clerk, hour, day),
//! the wait distribution, the estimate's accuracy and the comments: what the manager's
//! dashboard, the exports and the city read. The definitions are in [`super`].

use super::{
    Basis, BeganBy, Code, Facts, Figures, OFFICIAL_TARGET_PERCENT, Outcome, Setup, Span, Tally,
    Visit, at, split_by_hour,
};
use chrono::NaiveDate;
use chrono_tz::Tz;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// One bucket of the wait distribution, in minutes; the last has no upper end.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Bucket {
    pub from_minutes: u32,
    pub to_minutes: Option<u32>,
    pub count: u64,
}

/// The bucket edges of the wait distribution, in minutes.
pub const WAIT_BUCKETS: [u32; 8] = [0, 5, 10, 15, 20, 30, 45, 60];

/// How well the estimate quoted at issue matched the wait that followed.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Accuracy {
    /// First visits that were quoted an estimate and have been called.
    pub quoted: u64,
    pub mean_abs_error_minutes: Option<f64>,
    /// Share who waited longer than quoted.
    pub share_longer: Option<f64>,
    /// Share who waited more than 5 minutes longer than quoted.
    pub share_5_min_longer: Option<f64>,
}

/// A citizen's comment with its rating.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Comment {
    pub at: i64,
    pub field: String,
    pub counter: Option<u16>,
    pub clerk: Option<i64>,
    pub level: u8,
    pub comment: String,
}

/// The figures of a range of days, in every breakdown.
#[derive(Debug)]
pub struct Report {
    pub total: Figures,
    pub by_field: Vec<(String, Figures)>,
    pub by_counter: Vec<(u16, Figures)>,
    pub by_clerk: Vec<(i64, Figures)>,
    pub by_hour: Vec<(u8, Figures)>,
    pub by_day: Vec<(NaiveDate, Figures)>,
    pub wait_histogram: Vec<Bucket>,
    pub estimate: Accuracy,
    /// Newest first.
    pub comments: Vec<Comment>,
}

/// At most this many comments are listed.
pub const COMMENTS_LISTED: usize = 200;

/// The figures of `visits` and `spans` (already limited to the days asked for).
pub fn report(visits: &[Visit], spans: &[Span], setup: &Setup<'_>) -> Report {
    let scale = setup.scale;
    let mut groups = Groups::default();
    let mut waits = Waits::default();
    let mut comments = Vec::new();
    // Every dossier's code numbered once, and how many visits carry it: the groups count
    // numbers, and keep only those seen more than once.
    // The numbers in the visits' order, looked up once.
    let mut numbers: FxHashMap<&str, u32> = FxHashMap::default();
    let mut seen: Vec<u32> = Vec::new();
    let in_order: Vec<u32> = visits
        .iter()
        .flat_map(|v| &v.dossiers)
        .map(|code| {
            let next = numbers.len() as u32;
            let number = *numbers.entry(code.as_str()).or_insert(next);
            if number == next {
                seen.push(0);
            }
            seen[number as usize] += 1;
            number
        })
        .collect();
    drop(numbers);
    let mut in_order = in_order.into_iter();
    let mut codes = Vec::new();
    for v in visits {
        codes.clear();
        codes.extend(in_order.by_ref().take(v.dossiers.len()).map(|number| Code {
            number,
            shared: seen[number as usize] > 1,
        }));
        let f = Facts::of(v, setup, &codes);
        groups.add_visit(v, &f, scale);
        waits.add(v, &f);
        if let (Some(text), Some((level, _))) = (&v.comment, v.rating) {
            comments.push(Comment {
                at: v.rated_at.or(v.ended_at).unwrap_or(v.queued_at),
                field: v.service.clone(),
                counter: v.counter,
                clerk: v.clerk,
                level,
                comment: text.clone(),
            });
        }
    }
    let today = crate::numbering::local_day(at(setup.now), setup.tz);
    for span in spans {
        groups.add_span(span, span.end(today, setup.now), setup.tz);
    }
    if let Some(counter_fields) = setup.counter_fields {
        let idle = super::idle::idle_while_waiting(
            visits,
            spans,
            counter_fields,
            |span| span.end(today, setup.now),
            setup.now,
        );
        groups.count_idle();
        for (i, parts) in idle {
            groups.add_idle(&spans[i], &parts, setup.tz);
        }
    }
    comments.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.comment.cmp(&b.comment)));
    comments.truncate(COMMENTS_LISTED);
    // One basis for every group of the range: dossiers if the hall attached any.
    let basis = if visits
        .iter()
        .any(|v| v.outcome == Some(Outcome::Served) && !v.dossiers.is_empty())
    {
        Basis::Dossiers
    } else {
        Basis::Visits
    };
    let national = f64::from(OFFICIAL_TARGET_PERCENT) / 100.0;
    fn finish<K>(groups: BTreeMap<K, Tally>, scale: u8, basis: Basis) -> Vec<(K, Figures)> {
        let national = f64::from(OFFICIAL_TARGET_PERCENT) / 100.0;
        groups
            .into_iter()
            .map(|(k, t)| (k, t.figures(scale, basis, national)))
            .collect()
    }
    let by_field = groups
        .by_field
        .into_iter()
        .map(|(field, t)| {
            let target = setup
                .official_targets
                .get(&field)
                .map_or(national, |&p| f64::from(p) / 100.0);
            let figures = t.figures(scale, basis, target);
            (field, figures)
        })
        .collect();
    Report {
        total: groups.total.figures(scale, basis, national),
        by_field,
        by_counter: finish(groups.by_counter, scale, basis),
        by_clerk: finish(groups.by_clerk, scale, basis),
        by_hour: finish(groups.by_hour, scale, basis),
        by_day: finish(groups.by_day, scale, basis),
        wait_histogram: waits.histogram(),
        estimate: waits.accuracy(),
        comments,
    }
}

/// The tallies of every breakdown at once.
#[derive(Default)]
struct Groups {
    total: Tally,
    by_field: BTreeMap<String, Tally>,
    by_counter: BTreeMap<u16, Tally>,
    by_clerk: BTreeMap<i64, Tally>,
    by_hour: BTreeMap<u8, Tally>,
    by_day: BTreeMap<NaiveDate, Tally>,
}

impl Groups {
    fn add_visit(&mut self, v: &Visit, f: &Facts, scale: u8) {
        self.total.add_visit(v, f, scale);
        // Look the field up before cloning its name: a year is millions of visits.
        match self.by_field.get_mut(&v.service) {
            Some(t) => t.add_visit(v, f, scale),
            None => self
                .by_field
                .entry(v.service.clone())
                .or_default()
                .add_visit(v, f, scale),
        }
        if let Some(no) = v.counter {
            self.by_counter
                .entry(no)
                .or_default()
                .add_visit(v, f, scale);
        }
        if let Some(clerk) = v.clerk {
            self.by_clerk
                .entry(clerk)
                .or_default()
                .add_visit(v, f, scale);
        }
        self.by_hour
            .entry(v.hour)
            .or_default()
            .add_visit(v, f, scale);
        self.by_day.entry(v.day).or_default().add_visit(v, f, scale);
    }

    /// A counter's open or paused time, until `end`.
    fn add_span(&mut self, span: &Span, end: i64, tz: Tz) {
        let pause = span.pause.as_deref();
        let ms = (end - span.began_at).max(0);
        self.total.add_time(pause, ms);
        self.by_counter
            .entry(span.counter)
            .or_default()
            .add_time(pause, ms);
        if let Some(clerk) = span.clerk {
            self.by_clerk.entry(clerk).or_default().add_time(pause, ms);
        }
        self.by_day.entry(span.day).or_default().add_time(pause, ms);
        for (hour, ms) in split_by_hour(span.began_at, end, tz) {
            self.by_hour.entry(hour).or_default().add_time(pause, ms);
        }
    }
}

impl Groups {
    /// The idle time while people waited is counted: zero where none was idle. Never a
    /// field's (a counter serves several).
    fn count_idle(&mut self) {
        self.total.add_idle(0);
        let groups = self.by_counter.values_mut();
        let groups = groups.chain(self.by_clerk.values_mut());
        let groups = groups.chain(self.by_hour.values_mut());
        for t in groups.chain(self.by_day.values_mut()) {
            t.add_idle(0);
        }
    }

    /// An open span's moments idle while people waited.
    fn add_idle(&mut self, span: &Span, parts: &[super::idle::Interval], tz: Tz) {
        let ms: i64 = parts.iter().map(|(from, to)| to - from).sum();
        self.total.add_idle(ms);
        self.by_counter
            .entry(span.counter)
            .or_default()
            .add_idle(ms);
        if let Some(clerk) = span.clerk {
            self.by_clerk.entry(clerk).or_default().add_idle(ms);
        }
        self.by_day.entry(span.day).or_default().add_idle(ms);
        for &(from, to) in parts {
            for (hour, ms) in split_by_hour(from, to, tz) {
                self.by_hour.entry(hour).or_default().add_idle(ms);
            }
        }
    }
}

/// The wait distribution, and how the estimates quoted at issue held.
#[derive(Default)]
struct Waits {
    histogram: [u64; WAIT_BUCKETS.len()],
    errors: Vec<f64>,
    longer: u64,
    much_longer: u64,
}

impl Waits {
    fn add(&mut self, v: &Visit, f: &Facts) {
        let Some(wait) = f.wait else {
            return;
        };
        let minutes = wait as f64 / 60_000.0;
        let bucket = WAIT_BUCKETS
            .iter()
            .rposition(|&edge| minutes >= f64::from(edge))
            .unwrap_or(0);
        self.histogram[bucket] += 1;
        if let (BeganBy::Issued, Some(quoted)) = (v.began_by, v.quoted_minutes) {
            let quoted = f64::from(quoted);
            self.errors.push((minutes - quoted).abs());
            self.longer += u64::from(minutes > quoted);
            self.much_longer += u64::from(minutes > quoted + 5.0);
        }
    }

    fn histogram(&self) -> Vec<Bucket> {
        WAIT_BUCKETS
            .iter()
            .enumerate()
            .map(|(i, &from)| Bucket {
                from_minutes: from,
                to_minutes: WAIT_BUCKETS.get(i + 1).copied(),
                count: self.histogram[i],
            })
            .collect()
    }

    fn accuracy(&self) -> Accuracy {
        let n = self.errors.len() as u64;
        let share = |part: u64| (n > 0).then(|| part as f64 / n as f64);
        Accuracy {
            quoted: n,
            mean_abs_error_minutes: (n > 0).then(|| self.errors.iter().sum::<f64>() / n as f64),
            share_longer: share(self.longer),
            share_5_min_longer: share(self.much_longer),
        }
    }
}
