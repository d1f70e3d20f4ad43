//! Where the CPU went during a phase: this process's threads by runtime (server, writer,
//! bench clients), and the rest of the machine. Server and clients share this process and
//! the machine's cores, so a figure means little without knowing who else was running.

use crate::report::Report;
use std::collections::HashMap;
use std::time::Duration;

#[derive(Clone, Copy, Default)]
struct Cpu {
    server: f64,
    writer: f64,
    clients: f64,
    total: f64,
    /// The whole machine's busy time (all cores, every process and the kernel).
    machine: f64,
}

/// What the phase's CPU note compares against.
pub struct CpuMark {
    cpu: Cpu,
    others: HashMap<u32, (String, f64)>,
}

/// What the machine has used so far, to compare against at the end of a phase.
pub fn cpu_mark() -> CpuMark {
    CpuMark {
        cpu: cpu_now(),
        others: other_processes(),
    }
}

/// Busy seconds of the whole machine, from the first line of /proc/stat.
fn machine_busy() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return 0.0;
    };
    let Some(line) = stat.lines().next() else {
        return 0.0;
    };
    let ticks: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|t| t.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let busy: f64 = ticks
        .iter()
        .take(8)
        .enumerate()
        .filter(|(i, _)| *i != 3 && *i != 4)
        .map(|(_, t)| t)
        .sum();
    busy / ticks_per_second()
}

fn ticks_per_second() -> f64 {
    // /proc reports CPU times in USER_HZ, which Linux fixes at 100 on every architecture
    // this runs on (it is what sysconf(_SC_CLK_TCK) answers), whatever the kernel's HZ.
    100.0
}

/// utime + stime of a /proc stat line, in seconds, and the thread's name.
fn parse_stat(text: &str) -> Option<(String, f64)> {
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let name = text[open + 1..close].to_owned();
    let fields: Vec<&str> = text[close + 2..].split_whitespace().collect();
    // After "pid (comm) ": state is field 3, utime 14, stime 15.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((name, (utime + stime) / ticks_per_second()))
}

/// CPU seconds of every other process on the machine, by pid (kernel threads included).
fn other_processes() -> HashMap<u32, (String, f64)> {
    let me = std::process::id();
    let mut out = HashMap::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        if let Some((name, t)) = parse_stat(&text) {
            out.insert(pid, (name, t));
        }
    }
    out
}

/// CPU seconds this whole process has used: one file read, cheap enough to ask every
/// 100 ms (the per-thread split in [`cpu_note`] reads a file per thread, and the server's
/// blocking pool can hold hundreds).
pub fn process_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .as_deref()
        .and_then(parse_stat)
        .map_or(0.0, |(_, t)| t)
}

fn cpu_now() -> Cpu {
    let mut cpu = Cpu {
        machine: machine_busy(),
        ..Cpu::default()
    };
    if let Some((_, t)) = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .as_deref()
        .and_then(parse_stat)
    {
        cpu.total = t;
    }
    if let Ok(tasks) = std::fs::read_dir("/proc/self/task") {
        for task in tasks.flatten() {
            let Ok(text) = std::fs::read_to_string(task.path().join("stat")) else {
                continue;
            };
            let Some((name, t)) = parse_stat(&text) else {
                continue;
            };
            if name.starts_with("srv-rt") {
                cpu.server += t;
            } else if name.starts_with("motcua-writer") {
                cpu.writer += t;
            } else if name.starts_with("cli-rt") {
                cpu.clients += t;
            }
        }
    }
    cpu
}

/// A note of the CPU each side used since `mark`; flags the phase when the rest of the
/// machine took more than 15% of a core.
pub fn cpu_note(report: &mut Report, phase: &str, mark: CpuMark, wall: Duration) {
    let before = mark.cpu;
    let after = cpu_now();
    let mut others: Vec<(String, f64)> = other_processes()
        .into_iter()
        .map(|(pid, (name, t))| {
            let was = mark.others.get(&pid).map(|(_, t)| *t).unwrap_or(0.0);
            (name, t - was)
        })
        .filter(|(_, t)| *t > 0.0)
        .collect();
    others.sort_by(|a, b| b.1.total_cmp(&a.1));
    let wall = wall.as_secs_f64().max(1e-9);
    let pct = |a: f64, b: f64| (a - b).max(0.0) / wall * 100.0;
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1) as f64;
    let outside = pct(after.machine - after.total, before.machine - before.total);
    if outside > 15.0 {
        report.disturbed(phase, format!("{outside:.0}% of a core"));
    }
    report.note(format!(
        "{phase}: CPU over {wall:.1} s (100% = one core, {cores:.0} cores): server async+blocking {:.0}%, \
         writer thread {:.0}%, bench clients {:.0}%, this process {:.0}%; machine busy {:.0}%, of which \
         outside this process {:.0}% (busiest others: {})",
        pct(after.server, before.server),
        pct(after.writer, before.writer),
        pct(after.clients, before.clients),
        pct(after.total, before.total),
        pct(after.machine, before.machine),
        outside,
        {
            let top: Vec<String> = others
                .iter()
                .take(3)
                .map(|(name, t)| format!("{name} {:.0}%", t / wall * 100.0))
                .collect();
            if top.is_empty() { "none".to_owned() } else { top.join(", ") }
        },
    ));
}
