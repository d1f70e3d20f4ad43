//! How fast a ticket is made and how big it is, against the targets of the printed-ticket issue:
//! under 5 ms to make a ticket, under 24 KB for an 80 mm ticket (so it reaches a USB or network
//! printer well within the printer's own print time).
//!
//! `cargo run --release -p motcua-printer --example bench`

// An example prints what it made.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::expect_used)]

use motcua_printer::{Layout, Paper, QrMode, TextMode, TicketPrint, encode, render};
use std::hint::black_box;
use std::time::{Duration, Instant};

const RUNS: usize = 1_000;
const TIME_TARGET: Duration = Duration::from_millis(5);
const SIZE_TARGET_80: usize = 24 * 1024;

struct Timing {
    mean: Duration,
    p99: Duration,
}

fn time<T>(mut f: impl FnMut() -> T) -> Timing {
    for _ in 0..20 {
        black_box(f());
    }
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed()
        })
        .collect();
    samples.sort();
    let total: Duration = samples.iter().sum();
    Timing {
        mean: total / RUNS as u32,
        p99: samples[RUNS * 99 / 100 - 1],
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "MISS" }
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if cfg!(debug_assertions) {
        eprintln!("note: a debug build; run with --release for figures that mean anything");
    }
    let ticket = TicketPrint::sample();
    let layouts = [
        ("80 mm raster", Layout::for_paper(Paper::Mm80)),
        ("58 mm raster", Layout::for_paper(Paper::Mm58)),
        (
            "80 mm raster, native QR",
            Layout {
                qr: QrMode::Native,
                ..Layout::default()
            },
        ),
        (
            "80 mm CP1258, native QR",
            Layout {
                text: TextMode::CodePage { page: 52 },
                qr: QrMode::Native,
                ..Layout::default()
            },
        ),
    ];
    println!(
        "{RUNS} runs each; make = encode(ticket) -> ESC/POS bytes; preview = render(bytes) -> image"
    );
    println!();
    println!(
        "| layout | make mean | make p99 | < 5 ms | preview mean | preview p99 | bytes | < 24 KB (80 mm) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (name, layout) in layouts {
        let bytes = encode(&ticket, &layout)?;
        let make = time(|| encode(&ticket, &layout));
        let preview = time(|| render(&bytes, layout.paper));
        let size_verdict = match layout.paper {
            Paper::Mm80 => verdict(bytes.len() < SIZE_TARGET_80),
            Paper::Mm58 => "n/a",
        };
        println!(
            "| {name} | {} | {} | {} | {} | {} | {} ({:.1} KB) | {size_verdict} |",
            ms(make.mean),
            ms(make.p99),
            verdict(make.p99 < TIME_TARGET),
            ms(preview.mean),
            ms(preview.p99),
            bytes.len(),
            bytes.len() as f64 / 1024.0,
        );
    }
    Ok(())
}
