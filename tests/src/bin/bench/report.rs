//! The report: one table row per figure with its target and verdict, a detail table for a
//! section whose figures are a series, notes under them, and the phases the rest of the
//! machine disturbed. Rows, tables and notes are also echoed to stderr as they come, so a
//! long run shows its progress.

use std::time::Duration;

struct Row {
    no: &'static str,
    what: String,
    result: String,
    target: String,
    verdict: &'static str,
}

/// A section's own table, printed under the main one.
struct Detail {
    title: String,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
}

#[derive(Default)]
pub struct Report {
    rows: Vec<Row>,
    details: Vec<Detail>,
    notes: Vec<String>,
    /// Phases during which the rest of the machine took a noticeable share of the CPU.
    disturbed: Vec<String>,
}

impl Report {
    /// A figure: `pass` is None for one with no target of its own.
    pub fn row(
        &mut self,
        no: &'static str,
        what: &str,
        result: String,
        target: &str,
        pass: Option<bool>,
    ) {
        let verdict = match pass {
            Some(true) => "PASS",
            Some(false) => "MISS",
            None => "info",
        };
        eprintln!("  [{no}] {what}: {result}  (target {target}) {verdict}");
        self.rows.push(Row {
            no,
            what: what.to_owned(),
            result,
            target: target.to_owned(),
            verdict,
        });
    }

    /// Mark a phase the rest of the machine disturbed (`why`: how much it took).
    pub fn disturbed(&mut self, phase: &str, why: String) {
        self.disturbed.push(format!("{phase} ({why})"));
    }

    /// A table of its own (a series, such as one figure against a queue length).
    pub fn table(&mut self, title: &str, head: &[&str], rows: Vec<Vec<String>>) {
        eprintln!("  {title}");
        for row in &rows {
            eprintln!("    {}", row.join(" | "));
        }
        self.details.push(Detail {
            title: title.to_owned(),
            head: head.iter().map(|h| (*h).to_owned()).collect(),
            rows,
        });
    }

    pub fn note(&mut self, line: String) {
        eprintln!("      {line}");
        self.notes.push(line);
    }

    pub fn print(&self) {
        let head = ["#", "measurement", "result", "target", "verdict"];
        let cells: Vec<Vec<&str>> = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.no,
                    r.what.as_str(),
                    r.result.as_str(),
                    r.target.as_str(),
                    r.verdict,
                ]
            })
            .collect();
        println!();
        print_table(&head, &cells);
        for detail in &self.details {
            println!();
            println!("{}", detail.title);
            let head: Vec<&str> = detail.head.iter().map(String::as_str).collect();
            let rows: Vec<Vec<&str>> = detail
                .rows
                .iter()
                .map(|r| r.iter().map(String::as_str).collect())
                .collect();
            print_table(&head, &rows);
        }
        if !self.disturbed.is_empty() {
            println!();
            println!(
                "  WARNING: other processes were busy during {}: those numbers are pessimistic; run again on a quiet machine",
                self.disturbed.join(", ")
            );
        }
        if !self.notes.is_empty() {
            println!();
            for n in &self.notes {
                println!("  {n}");
            }
        }
    }
}

/// Columns as wide as their widest cell, two spaces apart, a rule of dashes under the head.
fn print_table(head: &[&str], rows: &[Vec<&str>]) {
    let mut width: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[&str]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&width)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(head);
    let rule: Vec<String> = width.iter().map(|w| "-".repeat(*w)).collect();
    println!("{}", rule.join("  "));
    for row in rows {
        line(row);
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// The value at quantile `q` (nearest rank) of sorted durations.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}
