//! The staffing planner in the hall: the days ahead forecast from the hall's own history
//! (`motcua_plan::forecast`), counters proposed per field and hour
//! (`motcua_plan::staffing`), the manager's own plan of a day predicted on the simulated
//! day, and, for the days past, what was predicted beside what happened.
//!
//! A day's proposal is made only from what came before the day (its history, and the
//! bookings made for it), with a seed of its own: made again later it is the same, so
//! nothing but the manager's plans is stored (`motcua_store::staffing_plans`).

use crate::config::PlanSettings;
use chrono::{Datelike, Duration, NaiveDate, Timelike};
use motcua_domain::stats::{Booking, BookingOutcome, Outcome, Visit};
use motcua_domain::{Error, Hall};
use motcua_plan::forecast::{self, DayForecast, FieldSpec, Inputs, Note};
use motcua_plan::simulate::{Day, Tally, simulate};
use motcua_plan::staffing::{self, Options};
use motcua_store::staffing_plans::Saved;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The most days planned at once.
pub const MOST_DAYS: u32 = 14;
/// The most past days checked at once.
pub const MOST_CHECKED: u32 = 56;
/// The days of history read before the first day planned: the weeks asked for, and enough
/// to see how much busier month ends are.
pub fn history_days(settings: &PlanSettings) -> i64 {
    (7 * i64::from(settings.weeks)).max(84)
}

/// Per hour, the counters to open, each the fields it serves in order of preference.
pub type Counters = Vec<Vec<Vec<String>>>;

/// What the planner works from: the hall, its settings, and what it read.
pub struct Context<'a> {
    pub hall: &'a Hall,
    pub settings: &'a PlanSettings,
    /// The hall's visits before the days (and last Tết's, when a day is near Tết).
    pub history: &'a [Visit],
    /// The bookings made for the days.
    pub bookings: &'a [Booking],
    /// The manager's plans of the days.
    pub saved: &'a BTreeMap<NaiveDate, Saved>,
}

/// A field as the plan page names it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldName {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub target_wait_minutes: u32,
}

/// The plan of the days ahead.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub from: NaiveDate,
    /// The share of each field's citizens to call within its target.
    pub goal: f64,
    /// The counters the hall has.
    pub counters: usize,
    pub fields: Vec<FieldName>,
    pub days: Vec<DayPlan>,
}

/// A field's predicted hour (or day).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Predicted {
    /// Citizens expected (the mean of the simulated days).
    pub arrived: f64,
    /// The share called within target; `null`: nobody came.
    pub within: Option<f64>,
    pub mean_wait_minutes: Option<f64>,
}

impl Predicted {
    fn of(t: &Tally, runs: u32) -> Predicted {
        Predicted {
            arrived: t.arrived as f64 / f64::from(runs.max(1)),
            within: t.within_share(),
            mean_wait_minutes: t.mean_wait_minutes(),
        }
    }
}

/// One field's day in the plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldPlan {
    pub code: String,
    /// Arrivals expected per hour (bookings made included).
    pub arrivals: Vec<f64>,
    /// Of which bookings already made.
    pub booked: Vec<f64>,
    pub handling_minutes: f64,
    pub no_show_share: Option<f64>,
    pub patience_minutes: Option<f64>,
    /// Erlang's answer: counters for this field alone, per hour.
    pub first_answer: Vec<u32>,
    /// Counters serving it in the proposal (a shared counter counts for each of its fields).
    pub proposed: Vec<u32>,
    /// The same in the manager's plan, if one is saved.
    pub planned: Option<Vec<u32>>,
    /// For the counters in force, per hour of arrival.
    pub predicted: Vec<Predicted>,
    pub predicted_day: Predicted,
}

/// Fields sharing a counter in an hour.
#[derive(Debug, Serialize, ToSchema)]
pub struct SharingView {
    /// The clock hour.
    pub hour: u8,
    pub fields: Vec<String>,
}

/// A field short of the goal in an hour even with every counter open.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShortView {
    pub hour: u8,
    pub field: String,
}

/// The manager's saved plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedView {
    #[schema(value_type = Vec<Vec<Vec<String>>>)]
    pub counters: Counters,
    pub by: String,
    /// The hall's local time.
    pub at: String,
}

/// Which counters the prediction is for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InForce {
    Proposal,
    Plan,
}

/// One day of the plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayPlan {
    pub day: NaiveDate,
    pub open: bool,
    /// Why the hall is closed that day.
    pub closure_vi: Option<String>,
    pub closure_en: Option<String>,
    /// The clock hours planned: `first_hour` .. `first_hour + hours - 1`.
    pub first_hour: u8,
    pub hours: usize,
    #[schema(value_type = Vec<Object>)]
    pub notes: Vec<Note>,
    /// The days the arrivals were taken from.
    pub like_days: Vec<NaiveDate>,
    pub fields: Vec<FieldPlan>,
    #[schema(value_type = Vec<Vec<Vec<String>>>)]
    pub proposal: Counters,
    pub plan: Option<SavedView>,
    pub in_force: InForce,
    pub shared: Vec<SharingView>,
    pub short: Vec<ShortView>,
}

/// A day's hours: from the first opening's hour to the last closing's (rounded up).
fn opening_hours(hall: &Hall, day: NaiveDate) -> Option<(u8, usize)> {
    if hall.bookings.closure(day).is_some() {
        return None;
    }
    let spans = hall.bookings.opening_on(day);
    let first = spans.iter().map(|(open, _)| open.hour()).min()?;
    let last = spans
        .iter()
        .map(|(_, close)| close.hour() + u32::from(close.minute() > 0))
        .max()?;
    (last > first).then(|| (first as u8, (last - first) as usize))
}

/// Whether the hall works on a day.
fn works(hall: &Hall, day: NaiveDate) -> bool {
    opening_hours(hall, day).is_some()
}

/// A day's forecast.
fn forecast_of(ctx: &Context<'_>, day: NaiveDate, first_hour: u8, hours: usize) -> DayForecast {
    let hall = ctx.hall;
    let fields: Vec<FieldSpec> = hall
        .services
        .iter()
        .map(|s| FieldSpec {
            code: s.code.to_string(),
            service_minutes: s.service_minutes,
            target_wait_minutes: s.target_wait_minutes,
        })
        .collect();
    let booked: Vec<(String, u8)> = ctx
        .bookings
        .iter()
        .filter(|b| b.day == day && b.outcome != BookingOutcome::Cancelled)
        .filter_map(|b| Some((b.service.clone(), b.window.get(..2)?.parse().ok()?)))
        .collect();
    let open = |d: NaiveDate| works(hall, d);
    forecast::forecast(&Inputs {
        day,
        first_hour,
        hours,
        fields: &fields,
        history: ctx.history,
        booked: &booked,
        open: &open,
        weeks: ctx.settings.weeks,
        expected_per_day: f64::from(ctx.settings.expected_per_day),
    })
}

/// The day's own seed: the same day simulates the same whenever it is asked.
fn seed(day: NaiveDate) -> u64 {
    u64::try_from(day.num_days_from_ce()).unwrap_or_default()
}

/// Whether `counters` fit the hall on `day` (its working hours, counters and fields),
/// without reading or simulating anything: what a plan is checked on before it is kept.
pub fn fits(hall: &Hall, day: NaiveDate, counters: &Counters) -> Result<(), Error> {
    let Some((_, hours)) = opening_hours(hall, day) else {
        return Err(Error::invalid(
            "day_closed",
            format!("the hall does not work on {day}"),
        ));
    };
    checked(hall, hours, counters).map(|_| ())
}

/// Check a plan's counters against the day and the hall: as indices into the fields.
pub fn checked(
    hall: &Hall,
    hours: usize,
    counters: &Counters,
) -> Result<Vec<Vec<Vec<usize>>>, Error> {
    let bad = |why: String| Error::invalid("bad_plan", why);
    if counters.len() != hours {
        return Err(bad(format!(
            "the day has {hours} hours to plan, the plan {}",
            counters.len()
        )));
    }
    let codes: Vec<String> = hall.services.iter().map(|s| s.code.to_string()).collect();
    counters
        .iter()
        .enumerate()
        .map(|(h, open)| {
            if open.len() > hall.counters.len() {
                return Err(bad(format!(
                    "hour {h}: {} counters, the hall has {}",
                    open.len(),
                    hall.counters.len()
                )));
            }
            open.iter()
                .map(|fields| {
                    if fields.is_empty() || fields.len() > codes.len() {
                        return Err(bad(format!("hour {h}: a counter serves one field or more")));
                    }
                    let mut seen = Vec::new();
                    for code in fields {
                        let i = codes.iter().position(|c| c == code).ok_or_else(|| {
                            bad(format!("hour {h}: no field {code:?} in this hall"))
                        })?;
                        if seen.contains(&i) {
                            return Err(bad(format!("hour {h}: field {code} twice on a counter")));
                        }
                        seen.push(i);
                    }
                    Ok(seen)
                })
                .collect()
        })
        .collect()
}

/// The plan of `day`: its forecast, the proposal, and the prediction for the counters in
/// force (`trying` if given, else the manager's saved plan, else the proposal).
pub fn day_plan(
    ctx: &Context<'_>,
    day: NaiveDate,
    trying: Option<&Counters>,
) -> Result<DayPlan, Error> {
    let hall = ctx.hall;
    let closed = |closure: Option<motcua_domain::booking::Closure>| DayPlan {
        day,
        open: false,
        closure_vi: Some(
            closure
                .as_ref()
                .map_or("Không làm việc", |c| c.vi)
                .to_owned(),
        ),
        closure_en: Some(closure.map_or("Not a working day", |c| c.en).to_owned()),
        first_hour: 0,
        hours: 0,
        notes: Vec::new(),
        like_days: Vec::new(),
        fields: Vec::new(),
        proposal: Vec::new(),
        plan: None,
        in_force: InForce::Proposal,
        shared: Vec::new(),
        short: Vec::new(),
    };
    let Some((first_hour, hours)) = opening_hours(hall, day) else {
        if trying.is_some() {
            return Err(Error::invalid(
                "day_closed",
                format!("the hall does not work on {day}"),
            ));
        }
        return Ok(closed(hall.bookings.closure(day)));
    };
    let forecast = forecast_of(ctx, day, first_hour, hours);
    let fields: Vec<_> = forecast.fields.iter().map(|f| f.day()).collect();
    let runs = ctx.settings.runs;
    let options = Options {
        goal: f64::from(ctx.settings.goal_percent) / 100.0,
        counters: u32::try_from(hall.counters.len()).unwrap_or(u32::MAX),
        runs,
        seed: seed(day),
        rounds: 30,
    };
    let proposal = staffing::propose(&fields, first_hour, &options);
    let codes: Vec<String> = hall.services.iter().map(|s| s.code.to_string()).collect();
    let named = |counters: &[Vec<Vec<usize>>]| -> Counters {
        counters
            .iter()
            .map(|open| {
                open.iter()
                    .map(|c| c.iter().map(|&f| codes[f].clone()).collect())
                    .collect()
            })
            .collect()
    };
    let serving = |counters: &[Vec<Vec<usize>>], f: usize| -> Vec<u32> {
        counters
            .iter()
            .map(|open| open.iter().filter(|c| c.contains(&f)).count() as u32)
            .collect()
    };
    let saved = ctx.saved.get(&day);
    // A saved plan that no longer fits the hall (a field removed, fewer counters, other
    // hours) is not used: the proposal stands, and the page shows the saved one's absence.
    let saved_counters = saved
        .and_then(|s| serde_json_counters(&s.counters))
        .and_then(|c| checked(hall, hours, &c).ok());
    let (in_force, predicted) = match trying {
        Some(counters) => {
            let indices = checked(hall, hours, counters)?;
            (InForce::Plan, Some(indices))
        }
        None => match &saved_counters {
            Some(indices) => (InForce::Plan, Some(indices.clone())),
            None => (InForce::Proposal, None),
        },
    };
    let tallies = match &predicted {
        Some(counters) => simulate(
            &Day {
                first_hour,
                fields: fields.clone(),
                counters: counters.clone(),
            },
            runs,
            seed(day),
        ),
        None => proposal.predicted.clone(),
    };
    let field_plans = forecast
        .fields
        .iter()
        .enumerate()
        .map(|(f, fc)| {
            let mut whole = Tally::default();
            tallies[f].iter().for_each(|t| whole.add(t));
            FieldPlan {
                code: fc.code.clone(),
                arrivals: fc.arrivals.clone(),
                booked: fc.booked.clone(),
                handling_minutes: fc.handling.mean_minutes(),
                no_show_share: fc.no_show_share,
                patience_minutes: fc.patience_minutes,
                first_answer: proposal.first_answer[f].clone(),
                proposed: serving(&proposal.counters, f),
                planned: saved_counters.as_ref().map(|c| serving(c, f)),
                predicted: tallies[f].iter().map(|t| Predicted::of(t, runs)).collect(),
                predicted_day: Predicted::of(&whole, runs),
            }
        })
        .collect();
    let clock = |h: usize| first_hour + h as u8;
    Ok(DayPlan {
        day,
        open: true,
        closure_vi: None,
        closure_en: None,
        first_hour,
        hours,
        notes: forecast.notes,
        like_days: forecast.like_days,
        fields: field_plans,
        proposal: named(&proposal.counters),
        plan: saved
            .filter(|_| saved_counters.is_some())
            .map(|s| SavedView {
                counters: serde_json_counters(&s.counters).unwrap_or_default(),
                by: s.saved_by.clone(),
                at: motcua_domain::hall::local_time(hall, s.saved_at),
            }),
        in_force,
        shared: proposal
            .shared
            .iter()
            .map(|s| SharingView {
                hour: clock(s.hour),
                fields: s.fields.iter().map(|&f| codes[f].clone()).collect(),
            })
            .collect(),
        short: proposal
            .short
            .iter()
            .map(|&(f, h)| ShortView {
                hour: clock(h),
                field: codes[f].clone(),
            })
            .collect(),
    })
}

fn serde_json_counters(json: &str) -> Option<Counters> {
    serde_json::from_str(json).ok()
}

/// The days `from..from+days` planned.
pub fn plan(ctx: &Context<'_>, from: NaiveDate, days: u32) -> Result<PlanView, Error> {
    let hall = ctx.hall;
    Ok(PlanView {
        from,
        goal: f64::from(ctx.settings.goal_percent) / 100.0,
        counters: hall.counters.len(),
        fields: hall
            .services
            .iter()
            .map(|s| FieldName {
                code: s.code.to_string(),
                name_vi: s.name_vi.clone(),
                name_en: s.name_en.clone(),
                target_wait_minutes: s.target_wait_minutes,
            })
            .collect(),
        days: (0..days)
            .map(|i| day_plan(ctx, from + Duration::days(i64::from(i)), None))
            .collect::<Result<_, _>>()?,
    })
}

/// A body that sets a day's counters.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// Per hour, the counters, each the fields it serves: `[[["A"],["B","C"]], ...]`.
    #[schema(value_type = Vec<Vec<Vec<String>>>)]
    pub counters: Counters,
}

/// What a day's plan predicted beside what happened, per field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldCheck {
    pub code: String,
    pub predicted_arrivals: f64,
    pub actual_arrivals: u64,
    pub predicted_within: Option<f64>,
    pub actual_within: Option<f64>,
    pub predicted_wait_minutes: Option<f64>,
    pub actual_wait_minutes: Option<f64>,
}

/// One past day checked.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayCheck {
    pub day: NaiveDate,
    pub in_force: InForce,
    pub fields: Vec<FieldCheck>,
    pub predicted_within: Option<f64>,
    pub actual_within: Option<f64>,
}

/// How close the planner came over the days checked.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanAccuracy {
    /// Field-days compared (each with at least [`JUDGED_FROM`] citizens served).
    pub field_days: u64,
    /// The mean distance between the predicted and the actual share within target, in
    /// percentage points.
    pub within_mean_abs_points: Option<f64>,
    /// The mean distance between the predicted and the actual arrivals, in percent of the
    /// actual.
    pub arrivals_mean_abs_percent: Option<f64>,
}

/// The past days' check.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    pub days: Vec<DayCheck>,
    pub accuracy: PlanAccuracy,
}

/// A field-day is compared when at least this many were served.
pub const JUDGED_FROM: u64 = 5;

/// The days `from..=to` checked: each one's plan (made from what came before it) beside its
/// visits (`history` holds them, and the history before). Days without a single visit are
/// left out.
pub fn check(ctx: &Context<'_>, from: NaiveDate, to: NaiveDate) -> Result<CheckView, Error> {
    let hall = ctx.hall;
    let mut days = Vec::new();
    let (mut compared, mut points, mut arrivals_off, mut arrivals_n) = (0u64, 0.0, 0.0, 0u64);
    // The days' visits, found once.
    let mut by_day: BTreeMap<NaiveDate, Vec<&Visit>> = BTreeMap::new();
    for v in ctx.history.iter().filter(|v| (from..=to).contains(&v.day)) {
        by_day.entry(v.day).or_default().push(v);
    }
    let mut day = from;
    while day <= to {
        // A day with no visit at all is left out: the hall did not run it (before it had
        // motcua, say), and its forecast had nothing to be held to.
        let Some(visits) = by_day.get(&day) else {
            day += Duration::days(1);
            continue;
        };
        let plan = day_plan(ctx, day, None)?;
        if plan.open {
            let mut fields = Vec::new();
            let (mut p_called, mut p_within, mut a_served, mut a_within) = (0.0, 0.0, 0u64, 0u64);
            for (service, fp) in hall.services.iter().zip(&plan.fields) {
                let code = service.code.to_string();
                let mine: Vec<&Visit> = visits
                    .iter()
                    .copied()
                    .filter(|v| v.service == code)
                    .collect();
                let served: Vec<&&Visit> = mine
                    .iter()
                    .filter(|v| v.outcome == Some(Outcome::Served))
                    .collect();
                let target = i64::from(service.target_wait_minutes) * 60_000;
                let within = served
                    .iter()
                    .filter(|v| v.wait().is_some_and(|w| w <= target))
                    .count() as u64;
                let waits: Vec<i64> = mine.iter().filter_map(|v| v.wait()).collect();
                let actual_within =
                    (!served.is_empty()).then(|| within as f64 / served.len() as f64);
                let predicted_arrivals = fp.arrivals.iter().sum::<f64>();
                if let (Some(p), Some(a)) = (fp.predicted_day.within, actual_within)
                    && served.len() as u64 >= JUDGED_FROM
                {
                    compared += 1;
                    points += (p - a).abs() * 100.0;
                }
                if !mine.is_empty() {
                    arrivals_n += 1;
                    arrivals_off +=
                        (predicted_arrivals - mine.len() as f64).abs() / mine.len() as f64 * 100.0;
                }
                if let Some(p) = fp.predicted_day.within {
                    p_called += fp.predicted_day.arrived;
                    p_within += p * fp.predicted_day.arrived;
                }
                a_served += served.len() as u64;
                a_within += within;
                fields.push(FieldCheck {
                    code,
                    predicted_arrivals,
                    actual_arrivals: mine.len() as u64,
                    predicted_within: fp.predicted_day.within,
                    actual_within,
                    predicted_wait_minutes: fp.predicted_day.mean_wait_minutes,
                    actual_wait_minutes: (!waits.is_empty())
                        .then(|| waits.iter().sum::<i64>() as f64 / waits.len() as f64 / 60_000.0),
                });
            }
            days.push(DayCheck {
                day,
                in_force: plan.in_force,
                fields,
                predicted_within: (p_called > 0.0).then(|| p_within / p_called),
                actual_within: (a_served > 0).then(|| a_within as f64 / a_served as f64),
            });
        }
        day += Duration::days(1);
    }
    Ok(CheckView {
        days,
        accuracy: PlanAccuracy {
            field_days: compared,
            within_mean_abs_points: (compared > 0).then(|| points / compared as f64),
            arrivals_mean_abs_percent: (arrivals_n > 0).then(|| arrivals_off / arrivals_n as f64),
        },
    })
}

/// The lunar new year nearest `day`, if a day planned is around it: its history must be
/// read too.
pub fn last_tet_window(day: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    forecast::near_tet(day)?;
    let year = if day.month() >= 7 {
        day.year()
    } else {
        day.year() - 1
    };
    let tet = motcua_domain::holidays::lunar_new_year(year)?;
    let span = Duration::days(forecast::AROUND_TET_DAYS + 2);
    Some((tet - span, tet + span))
}
