//! The benchmark: the real server on `127.0.0.1:0`, a real SQLite file in a temp dir on
//! this disk, the real clock, 1,000 hall displays on `/ws/hall`, and the numbers the hall
//! is sized by.
//!
//! ```text
//! cargo build --release -p motcua            # the binary measured in (5)
//! cargo run --release -p motcua-tests --bin bench
//! cargo run --release -p motcua-tests --bin bench -- --only tickets,memory
//! cargo run --release -p motcua-tests --bin bench -- --only call-cost
//! ```
//!
//! 1. the physical limit: bare single-row SQLite commits (WAL, synchronous=FULL);
//! 2. acknowledged (durable) tickets per second, 64 kiosk clients, and its ratio to (1);
//! 3. issue latency at an open-loop offered load of 200 requests/s;
//! 4. call-to-display latency: Next pressed -> every one of 1,000 displays has the frame;
//! 5. resident memory of the real binary: idle on its first start, with 1,000 displays,
//!    idle on a second start of the same data, and after the staff sign in;
//! 6. a clerk's call-next against the length of the waiting list (100 to 20,000 in one
//!    field): p50, p99 and calls per second at each length;
//! 7. 1,000 phones following their own tickets on `/ws/tickets/{token}`: a call until
//!    every phone has its new place in the queue;
//! 8. 200 wrong sign-ins kept in flight (each from another address, for another name):
//!    peak resident memory, and a kiosk's issue p99 against the quiet figure
//!    (`--only sign-in-burst`);
//! 9. tickets through the print agent to a fake printer on TCP: tickets on paper per
//!    second, and request to last byte p50/p99 at 50 requests/s (`--only printing`);
//! 10. the pages in headless Chromium at their real sizes: a click (or a frame pushed by the
//!     server) until the frame that shows it is painted, p50/p95/p99/max per interaction;
//! 11. each page's weight: files, raw, as sent, gzipped; fonts apart (`--only pages`,
//!     about a minute; needs chromium and chromium-driver, as the page tests do);
//! 12. 2,000 booking attempts at once on the same 50 places: answer p50/p99/max, and the
//!     places taken counted in the database, none twice (`--only bookings`).
//!
//! (2) and (3) run with 1,000 displays on `/ws/hall`; (2b) and (3b) repeat them on a hall
//! with none, to tell the cost of the fan-out from the cost of the ticket itself. Each
//! phase gets a fresh hall (its own data dir), so the waiting list one phase leaves does
//! not slow the next.
//!
//! Server and clients share this process (and the machine's cores): the server runs on its
//! own Tokio runtime ("srv-rt" threads), the clients on another ("cli-rt"), and the CPU
//! each side used is printed per phase, with what the rest of the machine used (a warning
//! says when other processes disturbed a phase). Every request loop is bounded in count
//! and time, and only 127.0.0.1 is contacted. The open-file limit is raised to the hard
//! limit (1,000 displays in one process need about 2,100 descriptors; if the hard limit
//! is lower, run `ulimit -n 4096` first). (1) to (5) take about 50 s, (6) about 10 s;
//! (7) stops calling after 50 calls or two minutes, whichever comes first.

mod bookings;
mod call_cost;
mod commit_limit;
mod cpu;
mod displays;
mod harness;
mod issuing;
mod memory;
mod page_table;
mod page_weight;
mod pages;
mod phone_feeds;
mod phones;
mod printing;
mod report;
mod sign_in_burst;

use anyhow::{Result, bail};
use clap::{Parser, ValueEnum};
use displays::DISPLAYS;
use harness::{Bench, raise_open_files};
use report::Report;
use std::time::Instant;

#[derive(Parser)]
#[command(about = "Measure the hall server: commits, tickets/s, latencies, memory, live feeds")]
struct Cli {
    /// Run only these sections (comma-separated or repeated), in the usual order; all of
    /// them when absent.
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Section>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Section {
    /// (1) bare SQLite commits per second: the physical limit
    CommitLimit,
    /// (2b), (2) acknowledged tickets per second, without and with displays (measures (1)
    /// too: the rate is judged against it)
    Tickets,
    /// (3b), (3) issue latency at 200 requests/s, without and with displays
    Latency,
    /// (4) a clerk's call until all 1,000 displays have it
    Displays,
    /// (5) resident memory of the real binary
    Memory,
    /// (6) call-next against the length of the waiting list
    CallCost,
    /// (7) a call until all 1,000 phones following their tickets have their new place
    Phones,
    /// (8) 200 wrong sign-ins in flight: peak memory and the kiosk's issue p99
    SignInBurst,
    /// (9) tickets through the print agent to a printer: per second, request to last byte
    Printing,
    /// (10), (11) the pages in Chromium: click to painted, and each page's weight
    Pages,
    /// (12) 2,000 booking attempts at once on the same 50 places
    Bookings,
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let wanted = |s: Section| cli.only.is_empty() || cli.only.contains(&s);
    let wall = Instant::now();
    let files = raise_open_files();
    let many_sockets = [
        Section::Tickets,
        Section::Latency,
        Section::Displays,
        Section::Memory,
        Section::Phones,
    ]
    .into_iter()
    .any(wanted);
    // A client and a server socket per display or phone, plus SQLite's and the runtime's.
    if many_sockets && files < 2 * DISPLAYS.max(phones::PHONES) as u64 + 500 {
        bail!("the open-file limit is {files}: run `ulimit -n 4096` first");
    }
    let bench = Bench::new()?;
    let mut report = Report::default();
    eprintln!(
        "motcua bench: {} cores, data in {}, open-file limit {files}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        bench.root.path().display()
    );
    run(&bench, &mut report, wanted)?;
    report.note(format!(
        "whole bench: {:.1} s",
        wall.elapsed().as_secs_f64()
    ));
    report.print();
    bench.shut_down();
    Ok(())
}

/// The sections asked for, in an order that keeps the no-display baselines (2b), (3b)
/// before the phases with displays.
fn run(bench: &Bench, report: &mut Report, wanted: impl Fn(Section) -> bool) -> Result<()> {
    let limit = if wanted(Section::CommitLimit) || wanted(Section::Tickets) {
        Some(commit_limit::section(bench.root.path(), report)?)
    } else {
        None
    };
    let tickets_limit = limit.filter(|_| wanted(Section::Tickets));
    if let Some(limit) = tickets_limit {
        issuing::tickets_without_displays(bench, report, limit)?;
    }
    if wanted(Section::Latency) {
        issuing::latency_without_displays(bench, report)?;
    }
    if let Some(limit) = tickets_limit {
        issuing::tickets_with_displays(bench, report, limit)?;
    }
    if wanted(Section::Latency) || wanted(Section::Displays) {
        let (open_loop, calls) = (wanted(Section::Latency), wanted(Section::Displays));
        displays::latency_and_calls(bench, report, open_loop, calls)?;
    }
    if wanted(Section::Memory) {
        memory::section(bench, report)?;
    }
    if wanted(Section::CallCost) {
        call_cost::section(bench, report)?;
    }
    if wanted(Section::Phones) {
        phones::section(bench, report)?;
    }
    if wanted(Section::SignInBurst) {
        sign_in_burst::section(bench, report)?;
    }
    if wanted(Section::Printing) {
        printing::section(bench, report)?;
    }
    if wanted(Section::Pages) {
        pages::section(bench, report)?;
    }
    if wanted(Section::Bookings) {
        bookings::section(bench, report)?;
    }
    Ok(())
}
