//! The wait estimate against a simulated hall day: the real server on `127.0.0.1:0`, a
//! clock moved from event to event, kiosk and clerks over HTTP (see
//! `motcua_tests::simulation` for the hall and the day).
//!
//! ```text
//! cargo run --release -p motcua-tests --bin simulate -- --seed 1
//! cargo run --release -p motcua-tests --bin simulate -- --seed 1 2 3 4 5 --morning
//! cargo run --release -p motcua-tests --bin simulate -- --seed 1 --load 1.3 --details
//! ```
//!
//! For each seed it prints how far the minutes quoted at the kiosk were from the real
//! waits (first call − issue), overall, for queues of up to 30 people and by people ahead
//! at issue; with several seeds, a line per seed at the end. Exits with 1 when a target is
//! missed.

use clap::Parser;
use motcua_domain::CallOrder;
use motcua_tests::simulation::{self, Options, Summary};

#[derive(Parser)]
#[command(about = "Simulate a hall day and measure the wait estimate")]
struct Cli {
    /// Seeds of the random day (arrivals, service times, absences); one day per seed.
    #[arg(long, num_args = 1.., default_values_t = [1])]
    seed: Vec<u64>,
    /// Simulate the morning only (what the test runs).
    #[arg(long)]
    morning: bool,
    /// Counters call by field preference instead of oldest first.
    #[arg(long)]
    by_preference: bool,
    /// Arrival rates times this: 1.2 is a day 20% busier than the one described.
    #[arg(long, default_value_t = 1.0)]
    load: f64,
    /// Print every ticket: issue time, people ahead, minutes quoted and waited.
    #[arg(long)]
    details: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let mut lines = Vec::new();
    let mut all_pass = true;
    for &seed in &cli.seed {
        let options = Options {
            seed,
            whole_day: !cli.morning,
            call_order: if cli.by_preference {
                CallOrder::Preference
            } else {
                CallOrder::Oldest
            },
            load: cli.load,
        };
        let quotes = simulation::run(options).await;
        let summary = Summary::of(&quotes);
        if cli.details {
            for q in &quotes {
                println!(
                    "{} {} {:>6}{} ahead {:>3} quoted {:>3} waited {:>6.1}",
                    q.issued,
                    q.service,
                    q.code,
                    if q.priority { "*" } else { " " },
                    q.ahead,
                    q.quoted,
                    q.waited
                );
            }
        }
        println!(
            "\nseed {seed}, {}, load {}:\n",
            if cli.morning { "morning" } else { "whole day" },
            cli.load
        );
        print!("{}", summary.table());
        all_pass &= summary.meets_targets();
        lines.push(format!(
            "seed {seed:>4}: {:>4} tickets, MAE {:.2} min (up to 30 ahead {:.2}), >5 min later {:>4.1}%, later {:>3.0}%, most ahead {}",
            summary.all.tickets,
            summary.all.mae,
            summary.up_to_30.mae,
            summary.all.late_5 * 100.0,
            summary.all.late * 100.0,
            summary.most_ahead,
        ));
    }
    if lines.len() > 1 {
        println!();
        for line in &lines {
            println!("{line}");
        }
    }
    if all_pass {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
