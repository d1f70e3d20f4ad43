//! Printing tickets at the kiosk.
//!
//! A ticket issued at a kiosk gets a print job, written in the same transaction as the
//! ticket. The job goes to the kiosk's printer in one of two ways:
//! - a print agent (`motcua-printer agent`, beside a USB printer or anywhere for a network
//!   printer) holds a WebSocket to `/ws/printer` with its printer token, receives the jobs
//!   of its kiosk and answers `done` or `failed`; it reports the printer's status every few
//!   seconds;
//! - or the server prints itself to a network printer configured for the kiosk
//!   (`[[printers]]` in the settings).
//!
//! The kiosk learns the outcome at once: in the answer to its request when it is known
//! then (no printer, paper out, printed directly), else on its feed (`/ws/kiosk`). The
//! ticket itself is never lost or issued twice: printing happens after the ticket is on
//! disk, and a job is resent only to the same agent, which remembers what it printed.

use crate::live::{drive, until_closed};
use axum::extract::ws::Utf8Bytes;
use axum::extract::ws::{Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use motcua_domain::Error;
use motcua_printer::protocol::ToAgent;
use motcua_printer::transport::{Deadlines, Target};
use motcua_printer::{Layout, TicketPrint};
use motcua_store::accounts::Device;
use motcua_store::clock::Clock;
use motcua_store::{Store, StoreError, millis, print_jobs};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// What a printer says of itself (from DLE EOT), as agents report it.
pub use motcua_printer::status::Report as PrinterReport;

/// A printer as managers see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PrinterView {
    pub name: String,
    pub kiosk: String,
    /// How it is reached: "agent" or the network address the server prints to.
    pub via: String,
    /// An agent is connected now (always true for a reachable direct printer).
    pub connected: bool,
    /// The printer's own status (paper, cover, errors) as its agent last read it.
    #[schema(value_type = Option<Object>)]
    pub report: Option<PrinterReport>,
    pub last_seen: Option<String>,
    pub last_error: Option<String>,
}

impl PrinterView {
    /// A printer nothing has been heard from yet.
    fn unseen(name: String, kiosk: String, via: String) -> Self {
        PrinterView {
            name,
            kiosk,
            via,
            connected: false,
            report: None,
            last_seen: None,
            last_error: None,
        }
    }
}

/// A network printer the server prints to itself.
#[derive(Debug, Clone)]
pub struct DirectPrinter {
    pub kiosk: String,
    pub target: Target,
    pub layout: Layout,
}

pub use crate::app::queue::PrintOutcome;

struct AgentLink {
    printer_name: String,
    connection: u64,
    jobs: mpsc::UnboundedSender<Utf8Bytes>,
}

struct Inner {
    /// Connected agents by kiosk id.
    agents: Mutex<HashMap<i64, AgentLink>>,
    /// What each printer last said, by printer name.
    states: Mutex<HashMap<String, PrinterView>>,
    kiosk_feed: broadcast::Sender<(i64, Utf8Bytes)>,
    direct: Vec<DirectPrinter>,
    footer: String,
    expiry: Duration,
    connections: AtomicU64,
    clock: Arc<dyn Clock>,
    tz: chrono_tz::Tz,
    /// Numbers the kiosk feed's frames, so a kiosk can tell it missed one.
    seq: AtomicU64,
}

/// The print room: agents, direct printers and the kiosks' feed. Cheap to clone.
#[derive(Clone)]
pub struct Printing(Arc<Inner>);

impl Printing {
    pub fn new(
        direct: Vec<DirectPrinter>,
        footer: String,
        expiry: Duration,
        clock: Arc<dyn Clock>,
        tz: chrono_tz::Tz,
    ) -> Self {
        let (kiosk_feed, _) = broadcast::channel(256);
        Printing(Arc::new(Inner {
            agents: Mutex::new(HashMap::new()),
            states: Mutex::new(HashMap::new()),
            kiosk_feed,
            direct,
            footer,
            expiry,
            connections: AtomicU64::new(0),
            clock,
            tz,
            seq: AtomicU64::new(0),
        }))
    }

    /// Now, as the hall reads it (for "last seen").
    fn now_local(&self) -> String {
        self.0
            .clock
            .now()
            .with_timezone(&self.0.tz)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    }

    /// Send a frame to one kiosk's feed, numbered.
    fn tell_kiosk(&self, kiosk_id: i64, frame: impl FnOnce(u64) -> KioskFrame) {
        let frame = frame(self.0.seq.fetch_add(1, Ordering::Relaxed) + 1);
        if let Ok(text) = serde_json::to_string(&frame) {
            let _ = self.0.kiosk_feed.send((kiosk_id, Utf8Bytes::from(text)));
        }
    }

    /// The line printed at the bottom of every ticket.
    pub fn footer(&self) -> &str {
        &self.0.footer
    }

    /// Send a queued job on its way and say what became of it so far. A job stays
    /// `queued` in the database until the printer says it printed or failed: handing it to
    /// the agent's socket is not worth a commit of its own (an agent that reconnects is
    /// sent every job still queued).
    pub async fn dispatch(
        &self,
        store: &Store,
        kiosk_id: i64,
        kiosk_name: &str,
        job: i64,
        ticket: &TicketPrint,
    ) -> PrintOutcome {
        if let Some(printer) = self
            .0
            .direct
            .iter()
            .find(|p| p.kiosk == kiosk_name)
            .cloned()
        {
            let result = print_direct(&printer, ticket).await;
            self.note_direct(&printer, &result);
            return match result {
                Ok(()) => {
                    self.finish(store, kiosk_id, job, None).await;
                    PrintOutcome {
                        job,
                        status: "printed",
                        reason: None,
                    }
                }
                Err(reason) => self.failed(store, kiosk_id, job, reason).await,
            };
        }
        let agent = {
            let agents = self.0.agents.lock().unwrap_or_else(|e| e.into_inner());
            agents
                .get(&kiosk_id)
                .map(|a| (a.printer_name.clone(), a.jobs.clone()))
        };
        let Some((printer_name, jobs)) = agent else {
            return self.failed(store, kiosk_id, job, "no_printer".into()).await;
        };
        // A printer that says it cannot print gets no job: the kiosk shows the ticket.
        let blocked = self
            .report_of(&printer_name)
            .and_then(|r| r.blocking_reason());
        if let Some(reason) = blocked {
            return self.failed(store, kiosk_id, job, reason.to_owned()).await;
        }
        if jobs.send(job_frame(job, ticket)).is_err() {
            return self
                .failed(store, kiosk_id, job, "printer_offline".into())
                .await;
        }
        PrintOutcome {
            job,
            status: "sent",
            reason: None,
        }
    }

    /// Record that a job failed, and say so.
    async fn failed(&self, store: &Store, kiosk_id: i64, job: i64, reason: String) -> PrintOutcome {
        self.finish(store, kiosk_id, job, Some(reason.clone()))
            .await;
        PrintOutcome {
            job,
            status: "failed",
            reason: Some(reason),
        }
    }

    /// Record a job's end (once: a repeated answer changes nothing) and tell the kiosk.
    pub async fn finish(&self, store: &Store, kiosk_id: i64, job: i64, failure: Option<String>) {
        let status = if failure.is_none() {
            "printed"
        } else {
            "failed"
        };
        let reason = failure.clone();
        let changed = store
            .write::<_, StoreError, _>(move |tx| {
                let at = millis(tx.now);
                print_jobs::finish(tx.conn, job, kiosk_id, status, reason.as_deref(), at)
            })
            .await;
        match changed {
            Ok((true, code)) => {
                self.tell_kiosk(kiosk_id, |seq| KioskFrame::Print {
                    seq,
                    job,
                    code,
                    status,
                    reason: failure,
                });
            }
            Ok((false, _)) => {}
            Err(e) => tracing::error!(job, error = %e, "could not record a print result"),
        }
    }

    fn report_of(&self, printer_name: &str) -> Option<PrinterReport> {
        let states = self.0.states.lock().unwrap_or_else(|e| e.into_inner());
        states.get(printer_name).and_then(|v| v.report.clone())
    }

    fn note_direct(&self, printer: &DirectPrinter, result: &Result<(), String>) {
        let mut states = self.0.states.lock().unwrap_or_else(|e| e.into_inner());
        let view = states
            .entry(format!("{}@{}", printer.kiosk, printer.target))
            .or_insert_with(|| {
                PrinterView::unseen(
                    printer.target.to_string(),
                    printer.kiosk.clone(),
                    printer.target.to_string(),
                )
            });
        view.connected = result.is_ok();
        view.last_seen = Some(self.now_local());
        view.last_error = result.as_ref().err().cloned();
    }

    /// Every printer the hall knows, with what it last said.
    pub async fn printers(&self, store: &Store) -> Result<Vec<PrinterView>, Error> {
        let known = store.read(motcua_store::accounts::printers).await?;
        let states = self
            .0
            .states
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut out: Vec<PrinterView> = known
            .into_iter()
            .map(|(_, name, _, kiosk)| {
                states
                    .get(&name)
                    .cloned()
                    .unwrap_or_else(|| PrinterView::unseen(name, kiosk, "agent".to_owned()))
            })
            .collect();
        for p in &self.0.direct {
            let key = format!("{}@{}", p.kiosk, p.target);
            out.push(states.get(&key).cloned().unwrap_or_else(|| {
                PrinterView::unseen(p.target.to_string(), p.kiosk.clone(), p.target.to_string())
            }));
        }
        Ok(out)
    }

    /// The kiosk feed: print results and printer changes, tagged with the kiosk id.
    pub fn kiosk_feed(&self) -> broadcast::Receiver<(i64, Utf8Bytes)> {
        self.0.kiosk_feed.subscribe()
    }

    /// An agent connected: remember it, and hand it the jobs its kiosk still waits for
    /// (jobs older than the expiry are failed instead: the citizen has long gone).
    pub async fn agent_connected(
        &self,
        store: &Store,
        printer_name: &str,
        kiosk_id: i64,
        jobs: mpsc::UnboundedSender<Utf8Bytes>,
    ) -> Result<u64, Error> {
        let connection = self.0.connections.fetch_add(1, Ordering::Relaxed) + 1;
        let kiosk_name = store
            .read(move |conn| motcua_store::accounts::device_name(conn, kiosk_id))
            .await?;
        {
            let mut states = self.0.states.lock().unwrap_or_else(|e| e.into_inner());
            let view = states
                .entry(printer_name.to_owned())
                .or_insert_with(|| PrinterView {
                    connected: true,
                    ..PrinterView::unseen(
                        printer_name.to_owned(),
                        kiosk_name.clone(),
                        "agent".to_owned(),
                    )
                });
            view.connected = true;
            view.last_seen = Some(self.now_local());
        }
        let expiry_ms = self.0.expiry.as_millis() as i64;
        let now = millis(self.0.clock.now());
        let pending = store
            .read::<_, Error, _>(move |conn| Ok(print_jobs::waiting_for_kiosk(conn, kiosk_id)?))
            .await?;
        for (job, payload, created) in pending {
            let expired = now - created > expiry_ms;
            if expired {
                self.finish(store, kiosk_id, job, Some("expired".into()))
                    .await;
            } else if let Ok(ticket) = serde_json::from_str::<TicketPrint>(&payload) {
                let _ = jobs.send(job_frame(job, &ticket));
            }
        }
        self.0
            .agents
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                kiosk_id,
                AgentLink {
                    printer_name: printer_name.to_owned(),
                    connection,
                    jobs,
                },
            );
        self.announce_printer(kiosk_id, printer_name);
        Ok(connection)
    }

    /// What an agent said: a status report or a job's end.
    pub async fn agent_said(
        &self,
        store: &Store,
        printer_name: &str,
        kiosk_id: i64,
        message: AgentMessage,
    ) {
        match message {
            AgentMessage::Status { status } => {
                let changed = {
                    let mut states = self.0.states.lock().unwrap_or_else(|e| e.into_inner());
                    let Some(view) = states.get_mut(printer_name) else {
                        return;
                    };
                    view.last_seen = Some(self.now_local());
                    let changed = view.report.as_ref() != Some(&status);
                    view.last_error = status
                        .blocking_reason()
                        .map(str::to_owned)
                        .or(view.last_error.take());
                    view.report = Some(status);
                    changed
                };
                if changed {
                    self.announce_printer(kiosk_id, printer_name);
                }
            }
            AgentMessage::Done { job } => self.finish(store, kiosk_id, job, None).await,
            AgentMessage::Failed { job, reason } => {
                {
                    let mut states = self.0.states.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some(view) = states.get_mut(printer_name) {
                        view.last_error = Some(reason.clone());
                    }
                }
                self.finish(store, kiosk_id, job, Some(reason)).await
            }
        }
    }

    /// An agent went away (only the latest connection of a kiosk counts).
    pub fn agent_gone(&self, printer_name: &str, kiosk_id: i64, connection: u64) {
        let mut agents = self.0.agents.lock().unwrap_or_else(|e| e.into_inner());
        if agents
            .get(&kiosk_id)
            .is_some_and(|a| a.connection == connection)
        {
            agents.remove(&kiosk_id);
            drop(agents);
            if let Some(view) = self
                .0
                .states
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_mut(printer_name)
            {
                view.connected = false;
            }
            self.announce_printer(kiosk_id, printer_name);
        }
    }

    fn announce_printer(&self, kiosk_id: i64, printer_name: &str) {
        let view = self
            .0
            .states
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(printer_name)
            .cloned();
        self.tell_kiosk(kiosk_id, |seq| KioskFrame::Printer { seq, printer: view });
    }

    /// The printer of a kiosk as the kiosk feed's snapshot shows it (known printers
    /// whose agent has not connected yet included).
    pub async fn printer_of_kiosk(&self, store: &Store, kiosk_name: &str) -> Option<PrinterView> {
        let printers = self.printers(store).await.ok()?;
        printers.into_iter().find(|v| v.kiosk == kiosk_name)
    }
}

/// What a kiosk's feed (`/ws/kiosk`) sends.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KioskFrame {
    /// First, and again after falling behind: the kiosk's printer as it stands.
    Snapshot {
        kiosk: String,
        printer: Option<PrinterView>,
    },
    /// A print job ended.
    Print {
        seq: u64,
        job: i64,
        /// The ticket's code.
        code: Option<String>,
        /// `printed` or `failed`.
        #[schema(value_type = String, example = "printed")]
        status: &'static str,
        reason: Option<String>,
    },
    /// The printer's state changed.
    Printer {
        seq: u64,
        printer: Option<PrinterView>,
    },
}

/// What an agent sends (the protocol is the printer crate's).
pub use motcua_printer::protocol::FromAgent as AgentMessage;

fn job_frame(job: i64, ticket: &TicketPrint) -> Utf8Bytes {
    let job = ToAgent::Job {
        job,
        ticket: ticket.clone(),
    };
    Utf8Bytes::from(job.to_json())
}

/// Print straight to a network printer: check its status, then send the ticket (the
/// same steps an agent takes).
async fn print_direct(printer: &DirectPrinter, ticket: &TicketPrint) -> Result<(), String> {
    let (target, layout, ticket) = (printer.target.clone(), printer.layout, ticket.clone());
    tokio::task::spawn_blocking(move || {
        motcua_printer::transport::print_ticket(&target, &layout, &ticket, Deadlines::default())
    })
    .await
    .map_err(|_| "printer_io_error".to_owned())?
}

/// Serve one agent's socket: jobs go out as they come, answers come in.
pub async fn serve_agent(
    socket: WebSocket,
    store: Store,
    printing: Printing,
    printer: String,
    kiosk_id: i64,
    closing: impl std::future::Future<Output = ()>,
) {
    let (mut sink, mut stream) = socket.split();
    let (jobs, mut outgoing) = mpsc::unbounded_channel::<Utf8Bytes>();
    let connection = match printing
        .agent_connected(&store, &printer, kiosk_id, jobs)
        .await
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "could not register a print agent");
            return;
        }
    };
    tracing::info!(%printer, "print agent connected");
    let send = async move {
        while let Some(frame) = outgoing.recv().await {
            if sink.send(Message::Text(frame)).await.is_err() {
                break;
            }
        }
    };
    let (store_in, printing_in, printer_in) = (store.clone(), printing.clone(), printer.clone());
    let receive = async move {
        while let Some(Ok(message)) = stream.next().await {
            match message {
                Message::Text(text) => match serde_json::from_str::<AgentMessage>(&text) {
                    Ok(said) => {
                        printing_in
                            .agent_said(&store_in, &printer_in, kiosk_id, said)
                            .await
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "an unreadable message from a print agent")
                    }
                },
                Message::Close(_) => break,
                _ => {}
            }
        }
    };
    drive(send, receive, closing).await;
    printing.agent_gone(&printer, kiosk_id, connection);
    tracing::info!(%printer, "print agent gone");
}

/// Serve a kiosk's feed: a snapshot of its printer, then its print results and printer
/// changes.
pub async fn serve_kiosk(
    socket: WebSocket,
    store: Store,
    printing: Printing,
    kiosk: Device,
    closing: impl std::future::Future<Output = ()>,
) {
    let (mut sink, stream) = socket.split();
    let mut feed = printing.kiosk_feed();
    let snapshot = KioskFrame::Snapshot {
        kiosk: kiosk.name.clone(),
        printer: printing.printer_of_kiosk(&store, &kiosk.name).await,
    };
    if sink
        .send(Message::Text(Utf8Bytes::from(
            serde_json::to_string(&snapshot).unwrap_or_default(),
        )))
        .await
        .is_err()
    {
        return;
    }
    let (printing_out, name) = (printing.clone(), kiosk.name.clone());
    let send = async move {
        let mut ping = tokio::time::interval(crate::live::PING_EVERY);
        ping.tick().await;
        loop {
            let frame = tokio::select! {
                got = feed.recv() => match got {
                    Ok((id, frame)) if id == kiosk.id => frame,
                    Ok(_) => continue,
                    // Behind: what matters is the printer's state now.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let snapshot = KioskFrame::Snapshot {
                            kiosk: name.clone(),
                            printer: printing_out.printer_of_kiosk(&store, &name).await,
                        };
                        Utf8Bytes::from(serde_json::to_string(&snapshot).unwrap_or_default())
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                _ = ping.tick() => {
                    if sink.send(Message::Ping(Default::default())).await.is_err() { break; }
                    continue;
                }
            };
            if sink.send(Message::Text(frame)).await.is_err() {
                break;
            }
        }
    };
    drive(send, until_closed(stream), closing).await;
}
