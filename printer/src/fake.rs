//! A network thermal printer in software: the hardware tests lack, and a printer to try a
//! hall with (`motcua-printer fake`).
//!
//! It behaves like an Epson TM on its raw port 9100, in the ways that decide whether a ticket
//! really came out:
//! - **one connection at a time**: a second connection waits in the operating system's
//!   backlog, unread and unanswered, until the first closes;
//! - **real-time status queries** (`DLE EOT n`) are answered wherever a command starts, also
//!   after a ticket on the same connection, with the state at that moment; inside a raster
//!   block or a QR code the same bytes are ink (commands are read by their lengths);
//! - everything else is paper. What comes out while the paper is out or the cover open is
//!   lost, not printed; a ticket is whole only if it ends with a cut and lost nothing.
//!
//! Its [`Mode`] changes at any time: paper near end, out, out after so many bytes, cover open,
//! wedged (now or after so many bytes), refusing connections. A slow link
//! ([`FakePrinter::set_rate`]), the clones that report paper end only to `DLE EOT 4`
//! ([`FakePrinter::set_paper_end_only_on_eot4`]) and confirmations held back for a test that
//! kills the agent in between ([`FakePrinter::hold_confirmations`]) combine with any mode.

mod commands;
mod serve;

use crate::status::PrinterStatus;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// What the fake printer is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Online, paper in.
    Ready,
    /// The roll is low; it still prints.
    PaperNearEnd,
    /// No paper: what it is sent is lost; it answers status queries.
    PaperOut,
    /// The cover is open: what it is sent is lost; it answers status queries.
    CoverOpen,
    /// Wedged: it accepts connections and reads nothing, answers nothing.
    Silent,
    /// Prints this many more paper bytes, then the roll ends: the rest is lost and the
    /// mode becomes [`Mode::PaperOut`].
    PaperOutAfter(usize),
    /// Takes this many more bytes from the link, then stops reading that connection for good
    /// (a wedged printer). The port serves again once the mode is changed.
    StallAfter(usize),
    /// Connections are refused: nothing listens on the port until the mode is changed, and
    /// then the same port listens again.
    Refuse,
}

/// What happened, for a log ([`FakePrinter::on_event`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A connection is being served.
    Connected(SocketAddr),
    /// `DLE EOT n` was answered with `answer`.
    Query { n: u8, answer: u8 },
    /// A whole ticket came out (numbered from 1).
    Ticket { number: usize, bytes: Vec<u8> },
    /// A ticket came out torn: part of it was lost, or it had no cut.
    Torn { bytes: Vec<u8> },
    /// The roll ran out ([`Mode::PaperOutAfter`]).
    PaperOut,
    /// The printer stopped reading the connection.
    Stalled,
    /// The connection closed.
    Closed,
}

type Hook = Arc<dyn Fn(&Event) + Send + Sync>;

/// How long a `wait_for_…` waits before it fails the test.
const PATIENCE: Duration = Duration::from_secs(10);

struct State {
    mode: Mode,
    /// Paper bytes left under `PaperOutAfter`, bytes to take under `StallAfter`.
    budget: usize,
    /// How many times `set` changed the mode: a wedged connection waits for the next.
    mode_changes: u64,
    rate: Option<u32>,
    paper_end_only_on_eot4: bool,
    hold: bool,
    held: usize,
    /// Connections wedged now (unread until the mode changes).
    wedged: usize,
    /// Every byte that came out on paper, in order.
    printed: Vec<u8>,
    /// The ticket coming out, and how many of its bytes were lost.
    current: Vec<u8>,
    lost_in_ticket: usize,
    /// The last paper bytes (a cut command, if a cut follows) were lost.
    last_lost: bool,
    tickets: Vec<Vec<u8>>,
    torn: Vec<Vec<u8>>,
    queries: usize,
    taken: usize,
    connections: usize,
    /// `None` while refusing connections.
    listener: Option<TcpListener>,
}

impl State {
    fn status(&self) -> PrinterStatus {
        match self.mode {
            Mode::PaperNearEnd => PrinterStatus::paper_near_end(),
            Mode::PaperOut => PrinterStatus::paper_out(),
            Mode::CoverOpen => PrinterStatus::cover_open(),
            _ => PrinterStatus::ready(),
        }
    }

    /// How many bytes may be read from the link now.
    fn readable(&self) -> usize {
        match self.mode {
            Mode::Silent => 0,
            Mode::StallAfter(_) => self.budget,
            _ => usize::MAX,
        }
    }
}

struct Shared {
    state: Mutex<State>,
    /// The mode, the rate or the holding changed.
    settings: Notify,
    /// Bytes were taken or printed, a query answered or held, a connection served.
    progress: Notify,
    runtime: tokio::runtime::Handle,
    hook: Mutex<Option<Hook>>,
}

impl Shared {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Change the state, then tell the log and the waiters.
    fn record(&self, change: impl FnOnce(&mut State, &mut Vec<Event>)) {
        let mut events = Vec::new();
        change(&mut self.state(), &mut events);
        self.progress.notify_waiters();
        let hook = self
            .hook
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        if let Some(hook) = hook {
            for event in &events {
                hook(event);
            }
        }
    }
}

/// A running fake printer. Clones share it.
#[derive(Clone)]
pub struct FakePrinter {
    /// Where it listens (the same address after [`Mode::Refuse`]).
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FakePrinter {
    /// A printer on 127.0.0.1 on a free port, ready.
    ///
    /// # Panics
    /// If no port can be bound: a test cannot go on without its printer.
    #[allow(clippy::panic)] // A test fixture: failing the test is the only answer.
    pub async fn start() -> FakePrinter {
        match FakePrinter::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await {
            Ok(printer) => printer,
            Err(e) => panic!("the fake printer cannot listen: {e}"),
        }
    }

    /// A printer listening on `addr`, ready. Serves from the current Tokio runtime.
    ///
    /// # Errors
    /// When `addr` cannot be bound.
    pub async fn bind(addr: SocketAddr) -> std::io::Result<FakePrinter> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                mode: Mode::Ready,
                budget: 0,
                mode_changes: 0,
                rate: None,
                paper_end_only_on_eot4: false,
                hold: false,
                held: 0,
                wedged: 0,
                printed: Vec::new(),
                current: Vec::new(),
                lost_in_ticket: 0,
                last_lost: false,
                tickets: Vec::new(),
                torn: Vec::new(),
                queries: 0,
                taken: 0,
                connections: 0,
                listener: Some(listener),
            }),
            settings: Notify::new(),
            progress: Notify::new(),
            runtime: tokio::runtime::Handle::current(),
            hook: Mutex::new(None),
        });
        tokio::spawn(serve::accept_loop(shared.clone()));
        Ok(FakePrinter { addr, shared })
    }

    /// `tcp://127.0.0.1:PORT`, as agents and settings name it.
    pub fn target(&self) -> String {
        format!("tcp://{}", self.addr)
    }

    /// Calls `hook` for every [`Event`] from now on (one hook; a new one replaces it).
    pub fn on_event(&self, hook: impl Fn(&Event) + Send + Sync + 'static) {
        *self
            .shared
            .hook
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(hook));
    }

    /// Changes the mode, now.
    ///
    /// # Panics
    /// When leaving [`Mode::Refuse`], if the port was taken meanwhile ([`FakePrinter::try_set`]
    /// says so instead).
    #[allow(clippy::panic)] // A test fixture: failing the test is the only answer.
    pub fn set(&self, mode: Mode) {
        if let Err(e) = self.try_set(mode) {
            panic!("the fake printer cannot listen on {} again: {e}", self.addr);
        }
    }

    /// Changes the mode, now. Leaving [`Mode::Refuse`] listens on the same port again.
    ///
    /// # Errors
    /// When the port cannot be bound again (the mode is then unchanged).
    pub fn try_set(&self, mode: Mode) -> std::io::Result<()> {
        {
            let mut state = self.shared.state();
            if mode == Mode::Refuse {
                // Dropped here, under the lock: once `set` returns, connections are refused.
                state.listener = None;
            } else if state.listener.is_none() {
                let _runtime = self.shared.runtime.enter();
                let listener = std::net::TcpListener::bind(self.addr)?;
                listener.set_nonblocking(true)?;
                state.listener = Some(TcpListener::from_std(listener)?);
            }
            (state.mode, state.budget) = match mode {
                Mode::PaperOutAfter(0) => (Mode::PaperOut, 0),
                Mode::PaperOutAfter(n) | Mode::StallAfter(n) => (mode, n),
                _ => (mode, 0),
            };
            state.mode_changes += 1;
        }
        self.shared.settings.notify_waiters();
        Ok(())
    }

    /// The mode now ([`Mode::PaperOutAfter`] turns into [`Mode::PaperOut`] when the roll ends).
    pub fn mode(&self) -> Mode {
        self.shared.state().mode
    }

    /// Reads at most this many bytes a second from the link (`None`: as fast as they come):
    /// a slow serial-like link, or a long ticket taking its time. Combines with any mode.
    pub fn set_rate(&self, bytes_per_second: Option<u32>) {
        self.shared.state().rate = bytes_per_second.map(|r| r.max(1));
        self.shared.settings.notify_waiters();
    }

    /// Like some clones: when out of paper, `DLE EOT 1` still says online and `DLE EOT 2`
    /// says nothing; only `DLE EOT 4` has its paper-end bits (5, 6) set.
    pub fn set_paper_end_only_on_eot4(&self, on: bool) {
        self.shared.state().paper_end_only_on_eot4 = on;
    }

    /// While on, a status query that comes after paper bytes on a connection (the agent's
    /// confirmation that the printer took a ticket) is not answered until this is turned off.
    pub fn hold_confirmations(&self, on: bool) {
        self.shared.state().hold = on;
        self.shared.settings.notify_waiters();
    }

    /// Queries held back right now ([`FakePrinter::hold_confirmations`]).
    pub fn held(&self) -> usize {
        self.shared.state().held
    }

    /// Connections wedged right now ([`Mode::Silent`], [`Mode::StallAfter`]).
    pub fn wedged(&self) -> usize {
        self.shared.state().wedged
    }

    /// Everything printed so far (status queries excluded, lost bytes excluded).
    pub fn printed(&self) -> Vec<u8> {
        self.shared.state().printed.clone()
    }

    /// How many whole tickets came out: each ended with a cut and lost nothing.
    pub fn tickets(&self) -> usize {
        self.shared.state().tickets.len()
    }

    /// The bytes of each whole ticket, in order, cut command included.
    pub fn ticket_bytes(&self) -> Vec<Vec<u8>> {
        self.shared.state().tickets.clone()
    }

    /// What came out of tickets that lost bytes (paper out, cover open) or had no cut
    /// (the connection closed first).
    pub fn torn_tickets(&self) -> Vec<Vec<u8>> {
        self.shared.state().torn.clone()
    }

    /// Status queries answered.
    pub fn status_queries(&self) -> usize {
        self.shared.state().queries
    }

    /// Bytes read from the link, queries included.
    pub fn taken(&self) -> usize {
        self.shared.state().taken
    }

    /// Connections served so far (a connection still waiting in the backlog is not counted).
    pub fn connections(&self) -> usize {
        self.shared.state().connections
    }

    /// Waits (at most 10 s) until `n` whole tickets have come out.
    pub async fn wait_for_tickets(&self, n: usize) {
        self.wait_until(
            |s| s.tickets.len() >= n,
            |s| {
                format!(
                    "{n} tickets did not come out within 10 s (got {})",
                    s.tickets.len()
                )
            },
        )
        .await;
    }

    /// Waits (at most 10 s) until `n` bytes have been printed.
    pub async fn wait_for_bytes(&self, n: usize) {
        self.wait_until(
            |s| s.printed.len() >= n,
            |s| {
                format!(
                    "{n} bytes were not printed within 10 s (got {})",
                    s.printed.len()
                )
            },
        )
        .await;
    }

    /// Waits (at most 10 s) until `n` bytes have been read from the link.
    pub async fn wait_for_taken(&self, n: usize) {
        self.wait_until(
            |s| s.taken >= n,
            |s| format!("{n} bytes were not taken within 10 s (got {})", s.taken),
        )
        .await;
    }

    /// Waits (at most 10 s) until `n` connections have been served.
    pub async fn wait_for_connections(&self, n: usize) {
        self.wait_until(
            |s| s.connections >= n,
            |s| {
                format!(
                    "{n} connections were not served within 10 s (got {})",
                    s.connections
                )
            },
        )
        .await;
    }

    /// Waits (at most 10 s) until a connection is wedged: the printer stopped reading it.
    pub async fn wait_for_wedged(&self) {
        self.wait_until(
            |s| s.wedged > 0,
            |_| "no connection was wedged within 10 s".to_owned(),
        )
        .await;
    }

    /// Waits (at most 10 s) until a confirmation is being held back.
    pub async fn wait_for_held(&self) {
        self.wait_until(
            |s| s.held > 0,
            |_| "no confirmation was held within 10 s".to_owned(),
        )
        .await;
    }

    #[allow(clippy::panic)] // A test fixture's bounded wait: waiting in vain fails the test.
    async fn wait_until(&self, done: impl Fn(&State) -> bool, failed: impl Fn(&State) -> String) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let progress = self.shared.progress.notified();
            tokio::pin!(progress);
            progress.as_mut().enable();
            if done(&self.shared.state()) {
                return;
            }
            if tokio::time::timeout_at(deadline, progress).await.is_err() {
                let message = failed(&self.shared.state());
                panic!("{message}");
            }
        }
    }
}
