//! (10)'s table: each interaction's p50, p95, p99 and max, Chromium's Event Timing beside
//! the clicks, and the verdict against the 100 ms target.

use crate::report::Report;

/// The target for every interaction's p99.
const TARGET_MS: f64 = 100.0;

/// One interaction's samples, in milliseconds.
pub struct Series {
    pub page: &'static str,
    pub what: &'static str,
    pub samples: Vec<f64>,
    /// The clicks' input times, matched afterwards with Chromium's Event Timing entries.
    pub clicks: Vec<f64>,
    /// Event Timing durations of those clicks (only those of 16 ms and more are reported).
    pub event_timing: Option<Vec<f64>>,
}

impl Series {
    pub fn new(page: &'static str, what: &'static str) -> Series {
        Series {
            page,
            what,
            samples: Vec::new(),
            clicks: Vec::new(),
            event_timing: None,
        }
    }
}

/// The value at quantile `q` (nearest rank) of sorted milliseconds.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

/// Event Timing's value at quantile `q` of `n` clicks of which only `reported` (sorted)
/// reached 16 ms: None when it falls among those below 16 ms.
fn event_timing_quantile(n: usize, reported: &[f64], q: f64) -> Option<f64> {
    let rank = (q * n as f64).ceil().max(1.0) as usize;
    let below = n.saturating_sub(reported.len());
    if rank <= below || reported.is_empty() {
        None
    } else {
        Some(reported[(rank - below - 1).min(reported.len() - 1)])
    }
}

pub fn print(report: &mut Report, mut series: Vec<Series>) {
    let mut rows = Vec::new();
    let mut worst: Option<(f64, String)> = None;
    let mut all_pass = true;
    for s in &mut series {
        s.samples.sort_by(f64::total_cmp);
        let p99 = quantile(&s.samples, 0.99);
        // Chromium's own figure (to the frame presented) must meet the target too.
        let (et, et_pass) = match &mut s.event_timing {
            Some(d) => {
                d.sort_by(f64::total_cmp);
                let n = s.clicks.len();
                let show = |v: Option<f64>| v.map_or("< 16".to_owned(), |v| format!("{v:.0}"));
                let et99 = event_timing_quantile(n, d, 0.99);
                (
                    format!(
                        "{} / {} ({} of {n} ≥ 16)",
                        show(event_timing_quantile(n, d, 0.5)),
                        show(et99),
                        d.len()
                    ),
                    et99.is_none_or(|v| v < TARGET_MS),
                )
            }
            None => ("-".into(), true),
        };
        let pass = p99 < TARGET_MS && et_pass;
        // A part of the row above ("of which ...") is shown, not judged.
        let part = s.what.starts_with(' ');
        if !part {
            if worst.as_ref().is_none_or(|(w, _)| p99 > *w) {
                worst = Some((p99, format!("{}: {}", s.page, s.what)));
            }
            all_pass &= pass;
        }
        rows.push(vec![
            s.page.to_owned(),
            s.what.to_owned(),
            s.samples.len().to_string(),
            format!("{:.1}", quantile(&s.samples, 0.5)),
            format!("{:.1}", quantile(&s.samples, 0.95)),
            format!("{p99:.1}"),
            format!("{:.1}", quantile(&s.samples, 1.0)),
            et,
            match (part, pass) {
                (true, _) => "info",
                (false, true) => "PASS",
                (false, false) => "MISS",
            }
            .to_owned(),
        ]);
    }
    report.table(
        "(10) pages in Chromium: input or pushed frame -> painted, ms (target p99 < 100 ms)",
        &[
            "page",
            "interaction",
            "n",
            "p50",
            "p95",
            "p99",
            "max",
            "Event Timing p50 / p99",
            "p99 < 100",
        ],
        rows,
    );
    if let Some((p99, what)) = worst {
        report.row(
            "10",
            &format!("pages: slowest click-to-painted p99 ({what})"),
            format!("{p99:.1} ms"),
            "< 100 ms",
            Some(all_pass),
        );
    }
}
