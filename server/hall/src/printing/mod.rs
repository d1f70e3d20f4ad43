//! Printing tickets at the kiosk.
//!
//! A ticket issued at a kiosk gets a print job, written in the same transaction as the
//! ticket, with a key of its own (random, never reused even after a restore). The job goes
//! to the kiosk's printer in one of two ways, both through the printer crate's
//! [`worker`](motcua_printer::worker) (one job at a time, each confirmed by the printer):
//! - a print agent (`motcua-printer agent`, beside a USB printer or anywhere for a network
//!   printer) holds a WebSocket to `/ws/printer` with its printer token ([`sockets`]);
//! - or the server prints itself to a network printer configured for the kiosk
//!   (`[[printers]]` in the settings; [`direct`]), polling its status like an agent.
//!
//! A job is `sent`, then `printed` or `failed`, or it `waiting`s for the printer (its
//! agent is away, the paper ran out) until it expires, and the kiosk hears each step on
//! its feed (`/ws/kiosk`). Only a kiosk with no printer at all fails at once. A job is
//! failed by the sweep here when nobody will print it: its agent never came back, or it
//! is long overdue.

mod direct;
mod sockets;

pub use sockets::{serve_agent, serve_kiosk};

use axum::extract::ws::Utf8Bytes;
use motcua_domain::Error;
use motcua_printer::protocol::ToAgent;
use motcua_printer::transport::Target;
use motcua_printer::{Layout, Reason, TicketPrint};
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

/// What an agent sends (the protocol is the printer crate's).
pub use motcua_printer::protocol::FromAgent as AgentMessage;

/// How often the sweep looks for jobs nobody will print.
const SWEEP_EVERY: Duration = Duration::from_secs(1);
/// A job an agent holds is its to fail at expiry; past this much more, the sweep does.
const OVERDUE_GRACE: Duration = Duration::from_secs(60);

/// A printer as managers see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PrinterView {
    pub name: String,
    pub kiosk: String,
    /// How it is reached: "agent" or the network address the server prints to.
    pub via: String,
    /// Reachable now: its agent is connected, or the server's own printer answered.
    pub connected: bool,
    /// The printer's own status (paper, cover, errors) as it last said it.
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

impl DirectPrinter {
    /// Its name among the hall's printers.
    fn name(&self) -> String {
        format!("{}@{}", self.kiosk, self.target)
    }
}

pub use crate::app::queue::PrintOutcome;

struct AgentLink {
    connection: u64,
    jobs: mpsc::UnboundedSender<Utf8Bytes>,
}

struct Inner {
    /// Connected agents by kiosk id.
    agents: Mutex<HashMap<i64, AgentLink>>,
    /// The server's own printers' job queues, by kiosk name (while the server runs).
    direct_jobs: Mutex<HashMap<String, mpsc::UnboundedSender<motcua_printer::worker::Job>>>,
    /// The kiosks those printers print for, by name, once their ids are known.
    direct_kiosks: Mutex<HashMap<String, i64>>,
    /// What each printer last said, by printer name.
    states: Mutex<HashMap<String, PrinterView>>,
    kiosk_feed: broadcast::Sender<(i64, Utf8Bytes)>,
    direct: Vec<DirectPrinter>,
    footer: String,
    expiry: Duration,
    status_every: Duration,
    connections: AtomicU64,
    clock: Arc<dyn Clock>,
    tz: chrono_tz::Tz,
    /// Numbers the kiosk feed's frames, so a kiosk can tell it missed one.
    seq: AtomicU64,
}

/// The print room: agents, direct printers and the kiosks' feed. Cheap to clone.
#[derive(Clone)]
pub struct Printing(Arc<Inner>);

/// The print room's background work (the server's own printers, the sweep), stopped
/// when this is dropped.
pub struct Running(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Running {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

impl Printing {
    pub fn new(
        direct: Vec<DirectPrinter>,
        footer: String,
        expiry: Duration,
        status_every: Duration,
        clock: Arc<dyn Clock>,
        tz: chrono_tz::Tz,
    ) -> Self {
        let (kiosk_feed, _) = broadcast::channel(256);
        Printing(Arc::new(Inner {
            agents: Mutex::new(HashMap::new()),
            direct_jobs: Mutex::new(HashMap::new()),
            direct_kiosks: Mutex::new(HashMap::new()),
            states: Mutex::new(HashMap::new()),
            kiosk_feed,
            direct,
            footer,
            expiry,
            status_every,
            connections: AtomicU64::new(0),
            clock,
            tz,
            seq: AtomicU64::new(0),
        }))
    }

    /// Start the server's own printers and the sweep; they run until the answer is dropped.
    pub fn start(&self, store: &Store) -> Running {
        let mut tasks = direct::start(self, store);
        let (me, store) = (self.clone(), store.clone());
        tasks.push(tokio::spawn(async move {
            let mut every = tokio::time::interval(SWEEP_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                me.sweep(&store).await;
            }
        }));
        Running(tasks)
    }

    /// Now, as the hall reads it (for "last seen").
    fn now_local(&self) -> String {
        self.0
            .clock
            .now()
            .with_timezone(&self.0.tz)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    }

    fn lock<'a, T>(m: &'a Mutex<T>) -> std::sync::MutexGuard<'a, T> {
        m.lock().unwrap_or_else(|e| e.into_inner())
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

    /// How long a job made at `created` (hall time, ms) has left before it expires.
    fn left(&self, created: i64) -> Duration {
        let expires = created.saturating_add(self.0.expiry.as_millis() as i64);
        let left = expires - millis(self.0.clock.now());
        Duration::from_millis(left.max(0) as u64)
    }

    /// Send a new job on its way and say what became of it so far: `sent` to the printer,
    /// `waiting` for an agent that is away, or `failed` when the kiosk has no printer.
    pub async fn dispatch(
        &self,
        store: &Store,
        kiosk_id: i64,
        kiosk_name: &str,
        job: &print_jobs::NewJob,
        ticket: &TicketPrint,
    ) -> PrintOutcome {
        let outcome = |status, reason: Option<Reason>| PrintOutcome {
            job: job.id,
            status,
            reason: reason.map(|r| r.as_str().to_owned()),
        };
        let direct = Self::lock(&self.0.direct_jobs).get(kiosk_name).cloned();
        if let Some(jobs) = direct {
            direct::remember_kiosk(self, kiosk_name, kiosk_id);
            let sent = jobs.send(motcua_printer::worker::Job {
                job: job.id,
                key: job.key.clone(),
                ticket: ticket.clone(),
                expires: tokio::time::Instant::now() + self.0.expiry,
            });
            if sent.is_ok() {
                return outcome("sent", None);
            }
        }
        let agent = Self::lock(&self.0.agents)
            .get(&kiosk_id)
            .map(|a| a.jobs.clone());
        if let Some(jobs) = agent
            && jobs
                .send(job_frame(job.id, &job.key, self.0.expiry, ticket))
                .is_ok()
        {
            return outcome("sent", None);
        }
        // No agent now: wait for it if the kiosk has one, else there is nothing to wait for.
        let name = kiosk_name.to_owned();
        let has_printer = store
            .read(motcua_store::accounts::printers)
            .await
            .map(|printers| printers.iter().any(|(_, _, _, kiosk)| *kiosk == name))
            .unwrap_or(true);
        if has_printer {
            self.waiting(store, kiosk_id, job.id, Reason::PrinterAway)
                .await;
            outcome("waiting", Some(Reason::PrinterAway))
        } else {
            self.finish(store, kiosk_id, job.id, Some(Reason::NoPrinter))
                .await;
            outcome("failed", Some(Reason::NoPrinter))
        }
    }

    /// A job waits for the printer: note why (once per change) and tell the kiosk.
    async fn waiting(&self, store: &Store, kiosk_id: i64, job: i64, reason: Reason) {
        let noted = store
            .write::<_, StoreError, _>(move |tx| {
                let at = millis(tx.now);
                print_jobs::note_waiting(tx.conn, job, kiosk_id, reason.as_str(), at)
            })
            .await;
        match noted {
            Ok(true) => self.tell_kiosk(kiosk_id, |seq| KioskFrame::Print {
                seq,
                job,
                code: None,
                status: "waiting",
                reason: Some(reason),
            }),
            Ok(false) => {}
            Err(e) => tracing::error!(job, error = %e, "could not note why a print job waits"),
        }
    }

    /// Record a job's end (once: a repeated answer changes nothing) and tell the kiosk.
    pub async fn finish(&self, store: &Store, kiosk_id: i64, job: i64, failure: Option<Reason>) {
        let status = if failure.is_none() {
            "printed"
        } else {
            "failed"
        };
        let changed = store
            .write::<_, StoreError, _>(move |tx| {
                let at = millis(tx.now);
                let reason = failure.map(Reason::as_str);
                print_jobs::finish(tx.conn, job, kiosk_id, status, reason, at)
            })
            .await;
        match changed {
            Ok((true, code)) => {
                if let Some(reason) = failure {
                    tracing::warn!(job, %reason, "a ticket was not printed");
                }
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

    /// Fail the jobs nobody will print: past their expiry with no agent or printer of
    /// the server's own to hold them, or long overdue whoever holds them.
    async fn sweep(&self, store: &Store) {
        let now = millis(self.0.clock.now());
        let expiry = self.0.expiry.as_millis() as i64;
        let overdue = store
            .read(move |conn| print_jobs::open_before(conn, now - expiry))
            .await;
        let Ok(overdue) = overdue else {
            return;
        };
        let grace = OVERDUE_GRACE.as_millis() as i64;
        for print_jobs::Overdue {
            id: job,
            kiosk_id,
            reason: said,
            created_at: created,
        } in overdue
        {
            let held =
                Self::lock(&self.0.agents).contains_key(&kiosk_id) || direct::holds(self, kiosk_id);
            if held && created >= now - expiry - grace {
                continue;
            }
            let reason = said
                .as_deref()
                .and_then(Reason::parse)
                .unwrap_or(Reason::Expired);
            self.finish(store, kiosk_id, job, Some(reason)).await;
        }
    }

    fn note_status(&self, printer_name: &str, kiosk_id: i64, status: PrinterReport) {
        let changed = {
            let mut states = Self::lock(&self.0.states);
            let Some(view) = states.get_mut(printer_name) else {
                return;
            };
            view.last_seen = Some(self.now_local());
            let changed = view.report.as_ref() != Some(&status);
            if let Some(reason) = status.blocking_reason() {
                view.last_error = Some(reason.as_str().to_owned());
            }
            if view.via != "agent" {
                // The server's own printer: reachable while it answers.
                view.connected = status
                    .error
                    .as_deref()
                    .and_then(Reason::parse)
                    .is_none_or(|r| {
                        !matches!(r, Reason::PrinterUnreachable | Reason::PrinterTimeout)
                    });
            }
            view.report = Some(status);
            changed
        };
        if changed {
            self.announce_printer(kiosk_id, printer_name);
        }
    }

    /// What an agent (or the server's own printer) said: a status report or a job's step.
    pub async fn agent_said(
        &self,
        store: &Store,
        printer_name: &str,
        kiosk_id: i64,
        message: AgentMessage,
    ) {
        match message {
            AgentMessage::Status { status } => self.note_status(printer_name, kiosk_id, status),
            AgentMessage::Done { job, confirmed } => {
                if !confirmed {
                    tracing::debug!(job, "printed on a one-way link (unconfirmed)");
                }
                self.finish(store, kiosk_id, job, None).await
            }
            AgentMessage::Waiting { job, reason } => {
                self.waiting(store, kiosk_id, job, reason).await
            }
            AgentMessage::Failed { job, reason } => {
                if let Some(view) = Self::lock(&self.0.states).get_mut(printer_name) {
                    view.last_error = Some(reason.as_str().to_owned());
                }
                self.finish(store, kiosk_id, job, Some(reason)).await
            }
        }
    }

    /// Every printer the hall knows, with what it last said.
    pub async fn printers(&self, store: &Store) -> Result<Vec<PrinterView>, Error> {
        let known = store.read(motcua_store::accounts::printers).await?;
        let states = Self::lock(&self.0.states).clone();
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
            out.push(states.get(&p.name()).cloned().unwrap_or_else(|| {
                PrinterView::unseen(p.name(), p.kiosk.clone(), p.target.to_string())
            }));
        }
        Ok(out)
    }

    /// The kiosk feed: print results and printer changes, tagged with the kiosk id.
    pub fn kiosk_feed(&self) -> broadcast::Receiver<(i64, Utf8Bytes)> {
        self.0.kiosk_feed.subscribe()
    }

    /// An agent connected: introduce the hall, remember the agent, and hand it the jobs
    /// its kiosk still waits for (jobs past their expiry are failed instead: the citizen
    /// has long gone).
    pub async fn agent_connected(
        &self,
        store: &Store,
        printer_name: &str,
        kiosk_id: i64,
        jobs: mpsc::UnboundedSender<Utf8Bytes>,
    ) -> Result<u64, Error> {
        let connection = self.0.connections.fetch_add(1, Ordering::Relaxed) + 1;
        let (kiosk_name, identity) = store
            .read::<_, StoreError, _>(move |conn| {
                Ok((
                    motcua_store::accounts::device_name(conn, kiosk_id)?,
                    print_jobs::hall_identity(conn)?,
                ))
            })
            .await?;
        let hello = ToAgent::Hello { server: identity };
        let _ = jobs.send(Utf8Bytes::from(hello.to_json()));
        {
            let mut states = Self::lock(&self.0.states);
            let view = states.entry(printer_name.to_owned()).or_insert_with(|| {
                PrinterView::unseen(printer_name.to_owned(), kiosk_name, "agent".to_owned())
            });
            view.connected = true;
            view.last_seen = Some(self.now_local());
        }
        // Registered before the backlog is read: a job issued meanwhile reaches the agent
        // directly (and a job sent twice is printed once: the agent knows its key).
        Self::lock(&self.0.agents).insert(
            kiosk_id,
            AgentLink {
                connection,
                jobs: jobs.clone(),
            },
        );
        let pending = store
            .read::<_, Error, _>(move |conn| Ok(print_jobs::waiting_for_kiosk(conn, kiosk_id)?))
            .await?;
        for job in pending {
            let left = self.left(job.created_at);
            if left.is_zero() {
                let reason = job.reason.as_deref().and_then(Reason::parse);
                self.finish(store, kiosk_id, job.id, reason.or(Some(Reason::Expired)))
                    .await;
            } else if let Ok(ticket) = serde_json::from_str::<TicketPrint>(&job.payload) {
                let _ = jobs.send(job_frame(job.id, &job.key, left, &ticket));
            }
        }
        self.announce_printer(kiosk_id, printer_name);
        Ok(connection)
    }

    /// An agent went away (only the latest connection of a kiosk counts).
    pub fn agent_gone(&self, printer_name: &str, kiosk_id: i64, connection: u64) {
        let mut agents = Self::lock(&self.0.agents);
        if agents
            .get(&kiosk_id)
            .is_some_and(|a| a.connection == connection)
        {
            agents.remove(&kiosk_id);
            drop(agents);
            if let Some(view) = Self::lock(&self.0.states).get_mut(printer_name) {
                view.connected = false;
            }
            self.announce_printer(kiosk_id, printer_name);
        }
    }

    fn announce_printer(&self, kiosk_id: i64, printer_name: &str) {
        let view = Self::lock(&self.0.states).get(printer_name).cloned();
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
    /// A print job moved on: it printed, failed, or waits for the printer.
    Print {
        seq: u64,
        job: i64,
        /// The ticket's code (on `printed` and `failed`).
        code: Option<String>,
        /// `printed`, `failed` or `waiting`.
        #[schema(value_type = String, example = "printed")]
        status: &'static str,
        /// Why it waits or failed.
        #[schema(value_type = Option<String>, example = "paper_out")]
        reason: Option<Reason>,
    },
    /// The printer's state changed.
    Printer {
        seq: u64,
        printer: Option<PrinterView>,
    },
}

fn job_frame(job: i64, key: &str, left: Duration, ticket: &TicketPrint) -> Utf8Bytes {
    let job = ToAgent::Job {
        job,
        key: key.to_owned(),
        expires_in_ms: left.as_millis() as u64,
        ticket: Box::new(ticket.clone()),
    };
    Utf8Bytes::from(job.to_json())
}
