//! The benchmark: the real server on `127.0.0.1:0`, a real SQLite file in a temp dir on
//! this disk, the real clock, 1,000 hall displays on `/ws/hall`, and the numbers the hall
//! is sized by.
//!
//! ```text
//! cargo build --release -p motcua            # the binary measured in (5)
//! cargo run --release -p motcua-tests --bin bench
//! ```
//!
//! 1. the physical limit: bare single-row SQLite commits (WAL, synchronous=FULL);
//! 2. acknowledged (durable) tickets per second, 64 kiosk clients, and its ratio to (1);
//! 3. issue latency at an open-loop offered load of 200 requests/s;
//! 4. call-to-display latency: Next pressed -> every one of 1,000 displays has the frame;
//! 5. resident memory of the real binary: idle on its first start, with 1,000 displays,
//!    idle on a second start of the same data, and after the staff sign in.
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
//! is lower, run `ulimit -n 4096` first). Takes about 50 s.

use anyhow::{Context, Result, anyhow, bail};
use futures_util::StreamExt;
use motcua_store::clock::SystemClock;
use motcua_hall::config::Settings;
use motcua_domain::{DeviceKind, Role};
use motcua_hall::http::{AppState, Limits};
use motcua_store::{self as store};
use serde::Deserialize;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Hall displays connected during (2), (3), (4) and (5).
const DISPLAYS: usize = 1000;
/// The display clients' WebSocket read buffer.
const DISPLAY_READ_BUFFER: usize = 8 * 1024;
/// Displays connecting at once.
const CONNECT_AT_ONCE: usize = 50;
/// The fields tickets are spread over (the demo hall's, with a 5-digit series).
const FIELDS: [&str; 5] = ["A", "B", "C", "D", "E"];
/// (1): how long to commit single rows.
const LIMIT_TIME: Duration = Duration::from_secs(3);
const LIMIT_MAX_ROWS: u64 = 1_000_000;
/// (2): concurrent kiosk clients, at most this many tickets, for at most this long.
const BURST_TASKS: usize = 64;
const BURST_MAX: usize = 6000;
const BURST_TIME: Duration = Duration::from_secs(6);
/// (3): one request started every 5 ms (200/s) for 10 s, whatever the previous did.
const OPEN_TICK: Duration = Duration::from_millis(5);
const OPEN_COUNT: usize = 2000;
/// (4): calls measured, and the pause between one call's no-show and the next call.
const CALLS: usize = 200;
const CALL_GAP: Duration = Duration::from_millis(20);
const CLERKS: u16 = 4;
/// Any single request or wait gives up after this.
const PATIENCE: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------
// The report

struct Row {
    no: &'static str,
    what: String,
    result: String,
    target: String,
    verdict: &'static str,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
    notes: Vec<String>,
    /// Phases during which the rest of the machine took a noticeable share of the CPU.
    disturbed: Vec<String>,
}

impl Report {
    fn row(
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

    fn note(&mut self, line: String) {
        eprintln!("      {line}");
        self.notes.push(line);
    }

    fn print(&self) {
        let head = ["#", "measurement", "result", "target", "verdict"];
        let cells: Vec<[&str; 5]> = self
            .rows
            .iter()
            .map(|r| {
                [
                    r.no,
                    r.what.as_str(),
                    r.result.as_str(),
                    r.target.as_str(),
                    r.verdict,
                ]
            })
            .collect();
        let mut width = head.map(|h| h.chars().count());
        for row in &cells {
            for (w, cell) in width.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: &[&str; 5]| {
            let parts: Vec<String> = cells
                .iter()
                .zip(width)
                .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
                .collect();
            println!("{}", parts.join("  ").trim_end());
        };
        println!();
        line(&head);
        let rule: Vec<String> = width.iter().map(|w| "-".repeat(*w)).collect();
        println!("{}", rule.join("  "));
        for row in &cells {
            line(row);
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

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// The value at quantile `q` (nearest rank) of sorted durations.
fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1]
}

// ---------------------------------------------------------------------------------------
// Where the CPU went: this process's threads, by runtime

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
struct CpuMark {
    cpu: Cpu,
    others: HashMap<u32, (String, f64)>,
}

fn cpu_mark() -> CpuMark {
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
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as f64 } else { 100.0 }
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

fn cpu_note(report: &mut Report, phase: &str, mark: CpuMark, wall: Duration) {
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
        report
            .disturbed
            .push(format!("{phase} ({outside:.0}% of a core)"));
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

// ---------------------------------------------------------------------------------------
// (1) The physical limit

fn sqlite_limit(dir: &Path) -> Result<(u64, Duration)> {
    let conn = rusqlite::Connection::open(dir.join("limit.sqlite3"))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(
        "CREATE TABLE rows (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, data TEXT NOT NULL)",
    )?;
    let mut insert = conn.prepare("INSERT INTO rows (at, data) VALUES (?1, ?2)")?;
    let data = "A001 waiting kiosk 0123456789abcdef0123456789abcdef";
    let start = Instant::now();
    let mut n = 0u64;
    // Autocommit: each INSERT is its own transaction, so its own fsync of the WAL.
    while start.elapsed() < LIMIT_TIME && n < LIMIT_MAX_ROWS {
        insert.execute(rusqlite::params![n as i64, data])?;
        n += 1;
    }
    Ok((n, start.elapsed()))
}

// ---------------------------------------------------------------------------------------
// A hall in this process

struct Hall {
    base: String,
    ws: String,
    state: AppState,
    kiosk: String,
    clerks: Vec<(String, String)>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// The demo hall, each field numbered up to 99999 (the demo's 999 runs out in a bench).
fn bench_settings() -> Settings {
    let mut settings = Settings::default();
    for s in &mut settings.services {
        s.last = 99_999;
    }
    settings
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn start_hall(server_rt: &Runtime, root: &Path, name: &str) -> Result<Hall> {
    let dir = root.join(name);
    // The accounts, as `motcua device add` and `motcua user add` make them.
    let (kiosk, clerks) = {
        let conn =
            store::open_for_admin(&dir).map_err(|e| anyhow!("open {}: {e}", dir.display()))?;
        let (_, kiosk) = motcua_web::accounts::add_device(&conn, "bench-kiosk", DeviceKind::Kiosk, now_ms())
            .map_err(|e| anyhow!("add kiosk: {e:?}"))?;
        let mut clerks = Vec::new();
        for i in 1..=CLERKS {
            let (user, password) = (format!("clerk{i}"), format!("clerk{i}-bench-pw"));
            motcua_web::accounts::add_user(&conn, &user, Role::Clerk, &password, now_ms())
                .map_err(|e| anyhow!("add clerk: {e:?}"))?;
            clerks.push((user, password));
        }
        (kiosk, clerks)
    };
    let settings = bench_settings();
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let mut hall = settings.hall().map_err(|e| anyhow!("settings: {e}"))?;
    hall.public_url = format!("http://{addr}");
    let state = motcua_hall::build_state(
        &dir,
        hall,
        Arc::new(SystemClock),
        Limits {
            body_bytes: settings.server.body_limit_bytes,
        },
    )
    .map_err(|e| anyhow!("build state: {e}"))?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = {
        let _in_server_rt = server_rt.enter();
        let listener = tokio::net::TcpListener::from_std(listener)?;
        server_rt.spawn(motcua_hall::serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }))
    };
    Ok(Hall {
        base: format!("http://{addr}"),
        ws: format!("ws://{addr}"),
        state,
        kiosk,
        clerks,
        stop: Some(stop),
        task: Some(task),
    })
}

impl Hall {
    async fn shut_down(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // Upgraded sockets may keep a graceful shutdown waiting: do not wait long.
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
    }

    fn resyncs(&self) -> u64 {
        self.state.hub.stats.resyncs.load(Ordering::Relaxed)
    }

    fn frames_sent(&self) -> u64 {
        self.state.hub.stats.frames_sent.load(Ordering::Relaxed)
    }

    async fn waiting(&self, http: &reqwest::Client) -> Result<u64> {
        let text = http
            .get(format!("{}/metrics", self.base))
            .send()
            .await?
            .text()
            .await?;
        Ok(text
            .lines()
            .filter(|l| l.starts_with("motcua_waiting{"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum())
    }
}

// ---------------------------------------------------------------------------------------
// Displays

#[derive(Default)]
struct DisplayStats {
    frames: AtomicU64,
    snapshots: AtomicU64,
    closed: AtomicU64,
}

#[derive(Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    ticket: Option<TicketRef>,
}

#[derive(Deserialize)]
struct TicketRef {
    id: i64,
}

struct Displays {
    tasks: Vec<JoinHandle<()>>,
    stats: Arc<DisplayStats>,
    /// (ticket id, when this display saw it called), one per display per call.
    called: mpsc::UnboundedReceiver<(i64, Instant)>,
}

impl Displays {
    fn close(self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn next_text(socket: &mut Socket) -> Result<String> {
    loop {
        let message = tokio::time::timeout(PATIENCE, socket.next())
            .await
            .map_err(|_| anyhow!("no frame within {PATIENCE:?}"))?
            .ok_or_else(|| anyhow!("the feed closed"))??;
        match message {
            Message::Text(text) => return Ok(text.as_str().to_owned()),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => bail!("unexpected frame {other:?}"),
        }
    }
}

async fn connect_display(url: String) -> Result<Socket> {
    // tungstenite zero-fills its whole read buffer (128 KiB by default) before every read;
    // frames here are under 1 KiB, so a small buffer keeps the 1,000 clients cheap. It grows
    // by itself for a larger frame (a snapshot).
    let config = WebSocketConfig::default().read_buffer_size(DISPLAY_READ_BUFFER);
    let connect = tokio_tungstenite::connect_async_with_config(url, Some(config), true);
    let (mut socket, _) = tokio::time::timeout(PATIENCE, connect)
        .await
        .map_err(|_| anyhow!("connect timed out"))??;
    let first = next_text(&mut socket).await?;
    let frame: Frame = serde_json::from_str(&first).context("snapshot JSON")?;
    if frame.ty != "snapshot" {
        bail!(
            "the first frame is not a snapshot: {}",
            &first[..first.len().min(80)]
        );
    }
    Ok(socket)
}

async fn display_loop(
    mut socket: Socket,
    stats: Arc<DisplayStats>,
    called: mpsc::UnboundedSender<(i64, Instant)>,
) {
    while let Some(message) = socket.next().await {
        match message {
            Ok(Message::Text(text)) => {
                let at = Instant::now();
                stats.frames.fetch_add(1, Ordering::Relaxed);
                let text = text.as_str();
                if text.starts_with(r#"{"type":"snapshot""#) {
                    stats.snapshots.fetch_add(1, Ordering::Relaxed);
                } else if text.contains(r#""kind":"called""#)
                    && let Ok(frame) = serde_json::from_str::<Frame>(text)
                    && frame.ty == "event"
                    && frame.kind.as_deref() == Some("called")
                    && let Some(t) = frame.ticket
                {
                    let _ = called.send((t.id, at));
                }
            }
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => {}
        }
    }
    stats.closed.fetch_add(1, Ordering::Relaxed);
}

/// Connect `n` displays to `/ws/hall`, each reading its snapshot before the next phase.
async fn connect_displays(ws_base: &str, n: usize) -> Result<(Displays, Duration)> {
    let url = format!("{ws_base}/ws/hall");
    let start = Instant::now();
    let sockets: Vec<Result<Socket>> = futures_util::stream::iter(0..n)
        .map(|_| connect_display(url.clone()))
        .buffer_unordered(CONNECT_AT_ONCE)
        .collect()
        .await;
    let took = start.elapsed();
    let stats = Arc::new(DisplayStats::default());
    let (tx, rx) = mpsc::unbounded_channel();
    let mut tasks = Vec::with_capacity(n);
    let mut failed = Vec::new();
    for socket in sockets {
        match socket {
            Ok(s) => tasks.push(tokio::spawn(display_loop(s, stats.clone(), tx.clone()))),
            Err(e) => failed.push(e),
        }
    }
    let displays = Displays {
        tasks,
        stats,
        called: rx,
    };
    if let Some(e) = failed.first() {
        let count = failed.len();
        displays.close();
        bail!("{count} of {n} displays failed to connect, first: {e:#}");
    }
    Ok((displays, took))
}

// ---------------------------------------------------------------------------------------
// Kiosk load

fn http_client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .tcp_nodelay(true)
        .timeout(PATIENCE)
        .build()?)
}

fn issue_body(i: usize) -> String {
    format!(r#"{{"service":"{}"}}"#, FIELDS[i % FIELDS.len()])
}

/// One ticket: Ok(true) when issued (201), Ok(false) on another status.
async fn issue(http: &reqwest::Client, url: &str, token: &str, i: usize) -> Result<bool> {
    let resp = http
        .post(url)
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(issue_body(i))
        .send()
        .await?;
    let status = resp.status().as_u16();
    // Read the whole body so the connection goes back to the pool.
    let _ = resp.bytes().await?;
    Ok(status == 201)
}

struct Burst {
    issued: usize,
    failed: usize,
    elapsed: Duration,
    /// When each ticket was acknowledged, from the start.
    acked_at: Vec<Duration>,
    latencies: Vec<Duration>,
}

async fn burst(http: &reqwest::Client, hall: &Hall) -> Burst {
    let url = Arc::new(format!("{}/api/tickets", hall.base));
    let token = Arc::new(hall.kiosk.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..BURST_TASKS {
        let (http, url, token, next) = (http.clone(), url.clone(), token.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let (mut acked, mut lat, mut failed) = (Vec::new(), Vec::new(), 0usize);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= BURST_MAX || start.elapsed() >= BURST_TIME {
                    break;
                }
                let sent = Instant::now();
                match issue(&http, &url, &token, i).await {
                    Ok(true) => {
                        let now = Instant::now();
                        acked.push(now - start);
                        lat.push(now - sent);
                    }
                    _ => failed += 1,
                }
            }
            (acked, lat, failed)
        }));
    }
    let mut out = Burst {
        issued: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        acked_at: Vec::new(),
        latencies: Vec::new(),
    };
    for t in tasks {
        if let Ok((acked, lat, failed)) = t.await {
            out.acked_at.extend(acked);
            out.latencies.extend(lat);
            out.failed += failed;
        }
    }
    out.elapsed = start.elapsed();
    out.issued = out.acked_at.len();
    out.acked_at.sort();
    out.latencies.sort();
    out
}

fn burst_notes(report: &mut Report, label: &str, b: &Burst) {
    let rate = b.issued as f64 / b.elapsed.as_secs_f64();
    // Throughput second by second, to see whether it falls as the waiting list grows.
    let secs = b.elapsed.as_secs_f64().ceil() as usize;
    let mut per_second = vec![0usize; secs.max(1)];
    for t in &b.acked_at {
        let s = (t.as_secs_f64() as usize).min(per_second.len() - 1);
        per_second[s] += 1;
    }
    report.note(format!(
        "{label}: {} issued, {} failed in {:.2} s = {rate:.0}/s; per second: {:?}; \
         request latency p50 {} p99 {} max {}",
        b.issued,
        b.failed,
        b.elapsed.as_secs_f64(),
        per_second,
        ms(quantile(&b.latencies, 0.5)),
        ms(quantile(&b.latencies, 0.99)),
        ms(quantile(&b.latencies, 1.0)),
    ));
}

/// Open loop: a request starts every tick whatever the previous ones do. Latency counts
/// from the scheduled start, so a stalled server is not hidden by a stalled client.
async fn open_loop(
    http: &reqwest::Client,
    hall: &Hall,
) -> (Vec<Duration>, Vec<Duration>, usize, Duration) {
    let url = Arc::new(format!("{}/api/tickets", hall.base));
    let token = Arc::new(hall.kiosk.clone());
    let start = tokio::time::Instant::now() + OPEN_TICK;
    let mut tick = tokio::time::interval_at(start, OPEN_TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = Vec::with_capacity(OPEN_COUNT);
    for i in 0..OPEN_COUNT {
        let scheduled = tick.tick().await.into_std();
        let (http, url, token) = (http.clone(), url.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let ok = matches!(issue(&http, &url, &token, i).await, Ok(true));
            let done = Instant::now();
            (ok, done - scheduled, done - sent)
        }));
    }
    let offered_over = start.elapsed();
    let (mut from_schedule, mut from_send, mut failed) = (Vec::new(), Vec::new(), 0);
    for t in tasks {
        match t.await {
            Ok((true, a, b)) => {
                from_schedule.push(a);
                from_send.push(b);
            }
            _ => failed += 1,
        }
    }
    from_schedule.sort();
    from_send.sort();
    (from_schedule, from_send, failed, offered_over)
}

// ---------------------------------------------------------------------------------------
// Clerks

async fn clerk(hall: &Hall, index: usize, counter: u16) -> Result<reqwest::Client> {
    let (name, password) = &hall.clerks[index];
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .tcp_nodelay(true)
        .timeout(PATIENCE)
        .build()?;
    let resp = client
        .post(format!("{}/api/session", hall.base))
        .json(&serde_json::json!({"name": name, "password": password}))
        .send()
        .await?;
    if resp.status() != 200 {
        bail!(
            "login {name}: {} {}",
            resp.status(),
            resp.text().await.unwrap_or_default()
        );
    }
    let resp = client
        .post(format!("{}/api/counters/{counter}/open", hall.base))
        .send()
        .await?;
    if resp.status() != 200 {
        bail!(
            "open counter {counter}: {} {}",
            resp.status(),
            resp.text().await.unwrap_or_default()
        );
    }
    Ok(client)
}

struct Calls {
    /// Every (call, display) pair's latency, sorted.
    latencies: Vec<Duration>,
    /// The call request's own round trip, sorted.
    round_trips: Vec<Duration>,
    /// Per call: from the press to the first display, and from the first to the last.
    first: Vec<Duration>,
    spread: Vec<Duration>,
    calls: usize,
    missing: usize,
}

async fn calls(
    hall: &Hall,
    http: &reqwest::Client,
    clerks: &[(reqwest::Client, u16)],
    displays: &mut Displays,
) -> Result<Calls> {
    let n = displays.tasks.len();
    let mut out = Calls {
        latencies: Vec::with_capacity(CALLS * n),
        round_trips: Vec::with_capacity(CALLS),
        first: Vec::with_capacity(CALLS),
        spread: Vec::with_capacity(CALLS),
        calls: 0,
        missing: 0,
    };
    let mut attempts = 0;
    while out.calls < CALLS && attempts < 2 * CALLS {
        attempts += 1;
        let (client, counter) = &clerks[out.calls % clerks.len()];
        // Whatever is left in the channel belongs to no call of ours.
        while displays.called.try_recv().is_ok() {}
        let url = format!("{}/api/counters/{counter}/call-next", hall.base);
        let t0 = Instant::now();
        let resp = client.post(url).send().await?;
        let round_trip = t0.elapsed();
        let status = resp.status().as_u16();
        let body = resp.text().await?;
        if status == 204 {
            // Nobody waits for this counter: give it some, and try again.
            for i in 0..20 {
                issue(http, &format!("{}/api/tickets", hall.base), &hall.kiosk, i).await?;
            }
            continue;
        }
        if status != 200 {
            bail!("call-next at {counter}: {status} {body}");
        }
        let id = serde_json::from_str::<TicketRef>(&body)
            .context("called ticket")?
            .id;
        out.round_trips.push(round_trip);
        // Wait until every display has the frame (or give up on the stragglers).
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let mut seen = 0;
        let (mut first, mut last) = (Duration::MAX, Duration::ZERO);
        while seen < n {
            match tokio::time::timeout_at(deadline, displays.called.recv()).await {
                Ok(Some((ticket, at))) if ticket == id => {
                    let latency = at.saturating_duration_since(t0);
                    out.latencies.push(latency);
                    first = first.min(latency);
                    last = last.max(latency);
                    seen += 1;
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        out.missing += n - seen;
        out.calls += 1;
        if seen > 0 {
            out.first.push(first);
            out.spread.push(last - first);
        }
        let resp = client
            .post(format!("{}/api/tickets/{id}/no-show", hall.base))
            .send()
            .await?;
        if resp.status() != 200 {
            bail!(
                "no-show {id}: {} {}",
                resp.status(),
                resp.text().await.unwrap_or_default()
            );
        }
        tokio::time::sleep(CALL_GAP).await;
    }
    out.latencies.sort();
    out.round_trips.sort();
    out.first.sort();
    out.spread.sort();
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// (5) The real binary

struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn server_binary() -> Option<PathBuf> {
    let beside = std::env::current_exe().ok()?.parent()?.join("motcua");
    if beside.is_file() {
        return Some(beside);
    }
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/motcua");
    built.is_file().then_some(built)
}

/// Whether a file under `dir` is newer than `than` (the binary may predate the sources).
fn newer_source(dir: &Path, than: std::time::SystemTime) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if let Some(p) = newer_source(&path, than) {
                return Some(p);
            }
        } else if entry.metadata().ok()?.modified().ok()? > than {
            return Some(path);
        }
    }
    None
}

/// VmRSS and VmHWM of a process, in kB.
fn memory_kb(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        status
            .lines()
            .find(|l| l.starts_with(name))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

/// Start the binary on `data`, read its address from the first line, wait for /healthz.
/// Also returns the rest of what it printed by then (the demo accounts, on a first start).
async fn launch(
    binary: &Path,
    data: &Path,
    http: &reqwest::Client,
) -> Result<(Child, String, Vec<String>)> {
    let mut child = Child(
        std::process::Command::new(binary)
            .args(["serve", "--data"])
            .arg(data)
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "warn")
            .env_remove("MOTCUA_CONFIG")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .with_context(|| format!("start {}", binary.display()))?,
    );
    let stdout = child.0.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
    // Read the first line, then keep draining stdout so the server never blocks on it.
    let (line_tx, line_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let _ = line_tx.send(line);
        }
    });
    let (first, line_rx) =
        tokio::task::spawn_blocking(move || (line_rx.recv_timeout(PATIENCE), line_rx)).await?;
    let first = first.context("no first line from the binary")?;
    let base = first
        .strip_prefix("motcua listening on ")
        .ok_or_else(|| anyhow!("unexpected first line {first:?}"))?
        .trim()
        .to_owned();
    if !base.starts_with("http://127.0.0.1:") {
        bail!("the binary listens on {base}, not 127.0.0.1");
    }
    let started = Instant::now();
    loop {
        let ok = http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .map(|r| r.status() == 200);
        if matches!(ok, Ok(true)) {
            break;
        }
        if started.elapsed() > PATIENCE {
            bail!("/healthz did not answer within {PATIENCE:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Let start-up settle before reading the memory.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rest = line_rx.try_iter().collect();
    Ok((child, base, rest))
}

/// The demo accounts a first start prints: "    canbo1   clerk    password 0123456789ab".
fn demo_accounts(lines: &[String]) -> Vec<(String, String)> {
    lines
        .iter()
        .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [name, _role, "password", password] => Some((name.to_owned(), password.to_owned())),
            _ => None,
        })
        .collect()
}

async fn memory(report: &mut Report, root: &Path, http: &reqwest::Client) -> Result<()> {
    let Some(binary) = server_binary() else {
        report.row(
            "5",
            "idle RSS of the motcua binary",
            "not built".into(),
            "< 40 MB",
            Some(false),
        );
        report.note("(5) build it first: cargo build --release -p motcua".into());
        return Ok(());
    };
    if let Ok(built) = std::fs::metadata(&binary).and_then(|m| m.modified()) {
        let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("../server");
        if let Some(newer) = newer_source(&sources.join("src"), built) {
            report.note(format!(
                "(5) warning: {} is older than {}: rebuild with cargo build --release -p motcua",
                binary.display(),
                newer.display()
            ));
        }
    }
    let data = root.join("binary-data");
    // The first start on an empty data dir, as an installer would do it.
    let (child, base, printed) = launch(&binary, &data, http).await?;
    let accounts = demo_accounts(&printed);
    let pid = child.0.id();
    let (idle, _) = memory_kb(pid).ok_or_else(|| anyhow!("no /proc/{pid}/status"))?;
    report.row(
        "5",
        "idle RSS of the motcua binary (first start)",
        mb(idle),
        "< 40 MB",
        Some(idle < 40 * 1024),
    );
    let ws = base.replacen("http", "ws", 1);
    match connect_displays(&ws, DISPLAYS).await {
        Ok((displays, took)) => {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let (rss, hwm) = memory_kb(pid).ok_or_else(|| anyhow!("no /proc/{pid}/status"))?;
            report.row(
                "5",
                "RSS of the binary with 1,000 displays",
                mb(rss),
                "-",
                None,
            );
            report.note(format!(
                "(5) idle {} -> {} with {} displays (connected in {:.2} s), peak (VmHWM) {}; {:.1} kB per display",
                mb(idle),
                mb(rss),
                displays.tasks.len(),
                took.as_secs_f64(),
                mb(hwm),
                (rss.saturating_sub(idle)) as f64 / displays.tasks.len().max(1) as f64
            ));
            displays.close();
        }
        Err(e) => report.note(format!(
            "(5) could not connect the displays to the binary: {e:#}"
        )),
    }
    drop(child);
    // Started again on the same data: the demo accounts exist, so no password is hashed.
    let (child, base, _) = launch(&binary, &data, http).await?;
    let pid = child.0.id();
    let (again, _) = memory_kb(pid).ok_or_else(|| anyhow!("no /proc/{pid}/status"))?;
    report.row(
        "5",
        "idle RSS of the binary, second start (same data)",
        mb(again),
        "-",
        None,
    );
    // The staff sign in (at once, as at opening time): each login verifies a password.
    if accounts.is_empty() {
        report.note("(5) the first start printed no demo accounts: logins not measured".into());
    } else {
        let logins = accounts.iter().map(|(name, password)| {
            http.post(format!("{base}/api/session"))
                .json(&serde_json::json!({"name": name, "password": password}))
                .send()
        });
        let answers = futures_util::future::join_all(logins).await;
        let ok = answers
            .iter()
            .filter(|a| a.as_ref().is_ok_and(|r| r.status() == 200))
            .count();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let (after, _) = memory_kb(pid).ok_or_else(|| anyhow!("no /proc/{pid}/status"))?;
        report.row(
            "5",
            &format!("idle RSS, second start, after {ok} staff logins"),
            mb(after),
            "-",
            None,
        );
    }
    drop(child);
    Ok(())
}

// ---------------------------------------------------------------------------------------

fn raise_open_files() -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system calls on a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
            let _ = libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
        }
    }
    limit.rlim_cur
}

fn main() -> Result<()> {
    let wall = Instant::now();
    let files = raise_open_files();
    if files < 2 * DISPLAYS as u64 + 500 {
        bail!("the open-file limit is {files}: run `ulimit -n 4096` first");
    }
    let root = tempfile::tempdir()?;
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("srv-rt")
        .enable_all()
        .build()?;
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("cli-rt")
        .enable_all()
        .build()?;
    let mut report = Report::default();
    eprintln!(
        "motcua bench: {} cores, data in {}, open-file limit {files}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(0),
        root.path().display()
    );

    // (1) The physical limit.
    eprintln!("(1) bare SQLite commits for {LIMIT_TIME:?}...");
    let (rows, took) = sqlite_limit(root.path())?;
    let limit = rows as f64 / took.as_secs_f64();
    report.row(
        "1",
        "bare SQLite commits/s (WAL, sync=FULL)",
        format!("{limit:.0}/s"),
        "-",
        None,
    );
    report.note(format!(
        "(1) {rows} single-row transactions in {:.2} s",
        took.as_secs_f64()
    ));

    let http = http_client()?;

    // (2b) The same burst on a hall with no display, to see what the displays cost.
    eprintln!("(2b) {BURST_TASKS} kiosks, no displays...");
    let hall = start_hall(&server_rt, root.path(), "hall-without-displays")?;
    client_rt.block_on(async {
        let cpu = cpu_mark();
        let b = burst(&http, &hall).await;
        cpu_note(&mut report, "(2b)", cpu, b.elapsed);
        burst_notes(&mut report, "(2b) no displays", &b);
        let rate = b.issued as f64 / b.elapsed.as_secs_f64();
        report.row(
            "2b",
            "acked tickets/s, no displays (ratio to 1)",
            format!("{rate:.0}/s ({:.2})", rate / limit),
            ">= 0.6",
            Some(rate / limit >= 0.6),
        );
        hall.shut_down().await;
    });

    // (3b) The open loop on a hall with no display, to see what the displays cost.
    eprintln!("(3b) open loop 200/s, no displays...");
    let hall = start_hall(&server_rt, root.path(), "hall-open-loop-without-displays")?;
    client_rt.block_on(async {
        let cpu = cpu_mark();
        let started = Instant::now();
        let (lat, _, failed, _) = open_loop(&http, &hall).await;
        cpu_note(&mut report, "(3b)", cpu, started.elapsed());
        report.row(
            "3b",
            "issue latency at 200/s, no displays",
            format!(
                "p50 {} p90 {} p99 {} max {}",
                ms(quantile(&lat, 0.5)),
                ms(quantile(&lat, 0.9)),
                ms(quantile(&lat, 0.99)),
                ms(quantile(&lat, 1.0))
            ),
            "(p99 < 10 ms)",
            None,
        );
        if failed > 0 {
            report.note(format!("(3b) {failed} requests failed"));
        }
        hall.shut_down().await;
    });

    // (2) Tickets per second with 1,000 displays watching.
    eprintln!("(2) {BURST_TASKS} kiosks, {DISPLAYS} displays...");
    let hall = start_hall(&server_rt, root.path(), "hall-burst")?;
    client_rt.block_on(async {
        let (displays, took) = connect_displays(&hall.ws, DISPLAYS).await?;
        report.note(format!("(2) {} displays connected (snapshot read) in {:.2} s", displays.tasks.len(), took.as_secs_f64()));
        let (frames0, resync0, sent0) = (displays.stats.frames.load(Ordering::Relaxed), hall.resyncs(), hall.frames_sent());
        let cpu = cpu_mark();
        let b = burst(&http, &hall).await;
        cpu_note(&mut report, "(2)", cpu, b.elapsed);
        burst_notes(&mut report, "(2) 1,000 displays", &b);
        let rate = b.issued as f64 / b.elapsed.as_secs_f64();
        report.row(
            "2",
            "acked tickets/s, 1,000 displays (ratio to 1)",
            format!("{rate:.0}/s ({:.2})", rate / limit),
            ">= 0.6",
            Some(rate / limit >= 0.6),
        );
        // Let the displays catch up, then see what they got.
        tokio::time::sleep(Duration::from_secs(1)).await;
        report.note(format!(
            "(2) server sent {} frames, displays read {}, {} resync snapshots sent to feeds that fell behind; waiting now {}",
            hall.frames_sent() - sent0,
            displays.stats.frames.load(Ordering::Relaxed) - frames0,
            hall.resyncs() - resync0,
            hall.waiting(&http).await.unwrap_or(0),
        ));
        displays.close();
        hall.shut_down().await;
        anyhow::Ok(())
    })?;

    // (3) and (4) on a fresh hall with 1,000 displays.
    eprintln!("(3) open loop 200/s, {DISPLAYS} displays...");
    let hall = start_hall(&server_rt, root.path(), "hall-calls")?;
    client_rt.block_on(async {
        let (mut displays, took) = connect_displays(&hall.ws, DISPLAYS).await?;
        report.note(format!("(3) {} displays connected (snapshot read) in {:.2} s", displays.tasks.len(), took.as_secs_f64()));
        let mut clerks = Vec::new();
        for i in 0..CLERKS {
            clerks.push((clerk(&hall, usize::from(i), i + 1).await?, i + 1));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;

        let resync0 = hall.resyncs();
        let cpu = cpu_mark();
        let started = Instant::now();
        let (lat, from_send, failed, offered_over) = open_loop(&http, &hall).await;
        cpu_note(&mut report, "(3)", cpu, started.elapsed());
        let p99 = quantile(&lat, 0.99);
        report.row(
            "3",
            "issue latency at 200/s open loop, p50",
            ms(quantile(&lat, 0.5)),
            "-",
            None,
        );
        report.row("3", "                                   p90", ms(quantile(&lat, 0.9)), "-", None);
        report.row("3", "                                   p99", ms(p99), "< 10 ms", Some(p99 < Duration::from_millis(10) && failed == 0));
        report.row("3", "                                   max", ms(quantile(&lat, 1.0)), "-", None);
        report.note(format!(
            "(3) {} requests offered over {:.2} s ({:.0}/s), {} failed; from the actual send: p50 {} p99 {} max {}; {} resyncs",
            OPEN_COUNT,
            offered_over.as_secs_f64(),
            OPEN_COUNT as f64 / offered_over.as_secs_f64(),
            failed,
            ms(quantile(&from_send, 0.5)),
            ms(quantile(&from_send, 0.99)),
            ms(quantile(&from_send, 1.0)),
            hall.resyncs() - resync0,
        ));
        tokio::time::sleep(Duration::from_secs(1)).await;

        eprintln!("(4) {CALLS} calls to {DISPLAYS} displays...");
        let waiting = hall.waiting(&http).await.unwrap_or(0);
        let cpu = cpu_mark();
        let started = Instant::now();
        let c = calls(&hall, &http, &clerks, &mut displays).await?;
        cpu_note(&mut report, "(4)", cpu, started.elapsed());
        let p99 = quantile(&c.latencies, 0.99);
        report.row("4", "call-to-display latency, p50", ms(quantile(&c.latencies, 0.5)), "-", None);
        report.row(
            "4",
            "                            p99",
            ms(p99),
            "< 20 ms",
            Some(p99 < Duration::from_millis(20) && c.missing == 0),
        );
        report.row("4", "                            max", ms(quantile(&c.latencies, 1.0)), "-", None);
        report.note(format!(
            "(4) {} calls x {} displays = {} pairs, {} frames missing; {waiting} tickets waiting at the start; \
             call-next round trip p50 {} p99 {} max {}; first display p50 {} p99 {}; \
             first-to-last display p50 {} p99 {}",
            c.calls,
            displays.tasks.len(),
            c.latencies.len(),
            c.missing,
            ms(quantile(&c.round_trips, 0.5)),
            ms(quantile(&c.round_trips, 0.99)),
            ms(quantile(&c.round_trips, 1.0)),
            ms(quantile(&c.first, 0.5)),
            ms(quantile(&c.first, 0.99)),
            ms(quantile(&c.spread, 0.5)),
            ms(quantile(&c.spread, 0.99)),
        ));
        displays.close();
        hall.shut_down().await;
        anyhow::Ok(())
    })?;

    // (5) The real binary's memory.
    eprintln!("(5) memory of the real binary...");
    client_rt.block_on(memory(&mut report, root.path(), &http))?;

    report.note(format!(
        "whole bench: {:.1} s",
        wall.elapsed().as_secs_f64()
    ));
    report.print();
    client_rt.shutdown_timeout(Duration::from_secs(1));
    server_rt.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}
