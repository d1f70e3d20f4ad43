//! The hall's TVs: 1,000 clients on `/ws/hall`, connected before the phases that run with
//! displays, and (4) the time from a clerk pressing Next until every one of them has the
//! call.

use crate::cpu::{cpu_mark, cpu_note};
use crate::harness::{
    Bench, CLERKS, Clerk, FIELDS, Hall, PATIENCE, Socket, called_id, fill, issue, next_text,
};
use crate::issuing::{self, OPEN_COUNT};
use crate::report::{Report, ms, quantile};
use anyhow::{Context, Result, bail};
use futures_util::StreamExt;
use serde::Deserialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Hall displays connected during (2), (3), (4) and (5).
pub const DISPLAYS: usize = 1000;
/// The display clients' WebSocket read buffer.
const DISPLAY_READ_BUFFER: usize = 8 * 1024;
/// Displays connecting at once.
pub const CONNECT_AT_ONCE: usize = 50;
/// (4): calls measured, and the pause between one call's no-show and the next call.
const CALLS: usize = 200;
const CALL_GAP: Duration = Duration::from_millis(20);

/// (3) and (4) on a fresh hall with 1,000 displays and a clerk at every counter. Without
/// (3), the hall is first given the waiting list (3) would have left.
pub fn latency_and_calls(
    bench: &Bench,
    report: &mut Report,
    open_loop: bool,
    calls_too: bool,
) -> Result<()> {
    if open_loop {
        eprintln!("(3) open loop 200/s, {DISPLAYS} displays...");
    }
    let hall = bench.start_hall("hall-calls")?;
    let http = &bench.http;
    bench.client_rt.block_on(async {
        let (mut displays, took) = connect_displays(&hall.ws, DISPLAYS).await?;
        let phase = if open_loop { "(3)" } else { "(4)" };
        report.note(format!(
            "{phase} {} displays connected (snapshot read) in {:.2} s",
            displays.tasks.len(),
            took.as_secs_f64()
        ));
        let mut clerks = Vec::new();
        for i in 0..CLERKS {
            clerks.push(Clerk::sign_in(&hall, usize::from(i), i + 1).await?);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        if open_loop {
            issuing::latency_with_displays(report, http, &hall).await;
        } else {
            fill(http, &hall, &FIELDS, OPEN_COUNT, Duration::from_secs(60)).await?;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        if calls_too {
            calls_to_displays(report, http, &hall, &clerks, &mut displays).await?;
        }
        displays.close();
        hall.shut_down().await;
        anyhow::Ok(())
    })
}

/// (4) The call-to-display latency, with its notes.
async fn calls_to_displays(
    report: &mut Report,
    http: &reqwest::Client,
    hall: &Hall,
    clerks: &[Clerk],
    displays: &mut Displays,
) -> Result<()> {
    eprintln!("(4) {CALLS} calls to {DISPLAYS} displays...");
    let waiting = hall.waiting(http).await.unwrap_or(0);
    let cpu = cpu_mark();
    let started = Instant::now();
    let c = calls(hall, http, clerks, displays).await?;
    cpu_note(report, "(4)", cpu, started.elapsed());
    let p99 = quantile(&c.latencies, 0.99);
    let row = "                            ";
    report.row(
        "4",
        "call-to-display latency, p50",
        ms(quantile(&c.latencies, 0.5)),
        "-",
        None,
    );
    report.row(
        "4",
        &format!("{row}p99"),
        ms(p99),
        "< 20 ms",
        Some(p99 < Duration::from_millis(20) && c.missing == 0),
    );
    let max = ms(quantile(&c.latencies, 1.0));
    report.row("4", &format!("{row}max"), max, "-", None);
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
    Ok(())
}

#[derive(Default)]
pub struct DisplayStats {
    pub frames: AtomicU64,
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

pub struct Displays {
    pub tasks: Vec<JoinHandle<()>>,
    pub stats: Arc<DisplayStats>,
    /// (ticket id, when this display saw it called), one per display per call.
    called: mpsc::UnboundedReceiver<(i64, Instant)>,
}

impl Displays {
    pub fn close(self) {
        for t in &self.tasks {
            t.abort();
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
        .map_err(|_| anyhow::anyhow!("connect timed out"))??;
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
pub async fn connect_displays(ws_base: &str, n: usize) -> Result<(Displays, Duration)> {
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

/// `CALLS` calls, the clerks taking turns; each called ticket is marked absent (no-show)
/// once every display has it, so its counter is free for the next turn.
async fn calls(
    hall: &Hall,
    http: &reqwest::Client,
    clerks: &[Clerk],
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
        let clerk = &clerks[out.calls % clerks.len()];
        // Whatever is left in the channel belongs to no call of ours.
        while displays.called.try_recv().is_ok() {}
        let t0 = Instant::now();
        let resp = clerk.http.post(clerk.call_next_url()).send().await?;
        let round_trip = t0.elapsed();
        let status = resp.status().as_u16();
        let body = resp.text().await?;
        if status == 204 {
            // Nobody waits for this counter: give it some, and try again.
            for i in 0..20 {
                let url = format!("{}/api/tickets", hall.base);
                issue(http, &url, &hall.kiosk, FIELDS[i % FIELDS.len()]).await?;
            }
            continue;
        }
        if status != 200 {
            bail!("call-next at {}: {status} {body}", clerk.counter);
        }
        let id = called_id(&body)?;
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
        clerk.act(id, "no-show").await?;
        tokio::time::sleep(CALL_GAP).await;
    }
    out.latencies.sort();
    out.round_trips.sort();
    out.first.sort();
    out.spread.sort();
    Ok(out)
}
