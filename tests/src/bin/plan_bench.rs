//! The staffing planner's benchmark: the plan of a week for a 5-field hall (the demo hall:
//! five fields, four counters, ten hours a weekday) from eight weeks of its history, as
//! `GET /api/plan` computes it (forecast, Erlang, sharing, the simulated check with its
//! corrections, 40 simulated days a check). Target: under 2 s.
//!
//! ```text
//! cargo run --release -p motcua-tests --bin plan_bench
//! ```

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use motcua_domain::stats::{BeganBy, Outcome, Visit};
use motcua_hall::config::Settings;
use motcua_hall::planning::{self, Context};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, LogNormal, Poisson};
use std::collections::BTreeMap;
use std::time::Instant;

#[allow(clippy::print_stdout)]
fn main() -> anyhow::Result<()> {
    let settings = Settings::default();
    let hall = settings.hall()?;
    let plan_settings = settings.plan.clone();
    let first = NaiveDate::from_ymd_opt(2026, 9, 28).unwrap_or_default();
    let planned = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
    let mut rng = StdRng::seed_from_u64(7);
    // Arrivals an hour over the day, per field (its share of the hall's).
    let profile = [6.0, 14.0, 18.0, 16.0, 10.0, 2.0, 8.0, 14.0, 12.0, 6.0];
    let shares = [0.35, 0.1, 0.15, 0.3, 0.1];
    let mut history = Vec::new();
    let mut day = first;
    while day < planned {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            for (f, service) in hall.services.iter().enumerate() {
                for (h, rate) in profile.iter().enumerate() {
                    let n = Poisson::new(rate * shares[f] * 2.0)?.sample(&mut rng) as u64;
                    for _ in 0..n {
                        let hour = 7 + h as u32;
                        let at = Utc
                            .from_utc_datetime(&day.and_hms_opt(hour, 0, 0).unwrap_or_default())
                            .timestamp_millis()
                            - 7 * 3_600_000
                            + rng.gen_range(0..3_600_000);
                        let mean = f64::from(service.service_minutes);
                        let handling = LogNormal::new(mean.ln() - 0.125, 0.5)?.sample(&mut rng);
                        let call = at + rng.gen_range(0..900_000);
                        let end = call + (handling * 60_000.0) as i64;
                        history.push(visit(
                            day,
                            service.code.to_string(),
                            hour as u8,
                            at,
                            call,
                            end,
                        ));
                    }
                }
            }
        }
        day += Duration::days(1);
    }
    let saved = BTreeMap::new();
    let bookings = Vec::new();
    let ctx = Context {
        hall: &hall,
        settings: &plan_settings,
        history: &history,
        bookings: &bookings,
        saved: &saved,
    };
    println!(
        "history: {} visits over {} weeks; the week of {planned}, 5 fields, {} counters, {} simulated days a check",
        history.len(),
        (planned - first).num_weeks(),
        hall.counters.len(),
        plan_settings.runs
    );
    println!("| run | a week planned (ms) |");
    println!("|---|---|");
    let mut times = Vec::new();
    for run in 1..=5 {
        let started = Instant::now();
        let view = planning::plan(&ctx, planned, 7)?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        anyhow::ensure!(
            view.days.iter().filter(|d| d.open).count() == 5,
            "five working days"
        );
        println!("| {run} | {ms:.0} |");
        times.push(ms);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "median {:.0} ms, worst {:.0} ms (target < 2000 ms)",
        times[times.len() / 2],
        times[times.len() - 1]
    );
    Ok(())
}

fn visit(day: NaiveDate, service: String, hour: u8, at: i64, call: i64, end: i64) -> Visit {
    Visit {
        first_call: Some(call),
        last_call: Some(call),
        counter: Some(1),
        started_at: Some(call + 30_000),
        ended_at: Some(end),
        outcome: Some(Outcome::Served),
        ..Visit::begun(day, &service, BeganBy::Issued, (at, at), hour)
    }
}
