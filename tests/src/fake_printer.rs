//! A network thermal printer on 127.0.0.1, for tests: the hardware we lack.
//!
//! It behaves like one: it accepts raw TCP connections as on port 9100, answers the
//! real-time status queries (DLE EOT n) that open a connection with the bytes a real
//! printer sends for its state, and keeps everything else it receives as paper output.
//! It can be told to run out of paper, open its cover, or stop answering altogether (a
//! wedged printer: it accepts connections and then reads nothing).

use motcua_printer::status::{self, PrinterStatus};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// What the fake printer is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Ready,
    PaperNearEnd,
    PaperOut,
    CoverOpen,
    /// Accepts connections, reads nothing, answers nothing.
    Silent,
}

#[derive(Default)]
struct Paper {
    /// Every byte that was printed (status queries excluded), in order.
    bytes: Vec<u8>,
    /// Status queries answered.
    queries: usize,
}

/// A running fake printer.
#[derive(Clone)]
pub struct FakePrinter {
    pub addr: SocketAddr,
    mode: Arc<Mutex<Mode>>,
    paper: Arc<Mutex<Paper>>,
    printed: Arc<Notify>,
}

/// The cut command closes every ticket (GS V).
const CUT: [u8; 2] = [0x1d, 0x56];

impl FakePrinter {
    pub async fn start() -> FakePrinter {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake printer");
        let printer = FakePrinter {
            addr: listener.local_addr().expect("addr"),
            mode: Arc::new(Mutex::new(Mode::Ready)),
            paper: Arc::new(Mutex::new(Paper::default())),
            printed: Arc::new(Notify::new()),
        };
        let me = printer.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let me = me.clone();
                tokio::spawn(async move { me.serve(socket).await });
            }
        });
        printer
    }

    /// `tcp://127.0.0.1:PORT`, as agents and settings name it.
    pub fn target(&self) -> String {
        format!("tcp://{}", self.addr)
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().expect("mode") = mode;
    }

    fn mode(&self) -> Mode {
        *self.mode.lock().expect("mode")
    }

    fn status(&self) -> PrinterStatus {
        let mode = self.mode();
        PrinterStatus {
            online: !matches!(mode, Mode::PaperOut | Mode::CoverOpen),
            cover_open: mode == Mode::CoverOpen,
            paper_near_end: matches!(mode, Mode::PaperNearEnd | Mode::PaperOut),
            paper_out: mode == Mode::PaperOut,
            error: false,
        }
    }

    async fn serve(&self, mut socket: tokio::net::TcpStream) {
        if self.mode() == Mode::Silent {
            // Hold the connection open and never read or answer, like a wedged printer.
            let _held = socket;
            std::future::pending::<()>().await;
            return;
        }
        let mut queries_done = false;
        let mut pending: Vec<u8> = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            let n = match socket.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            pending.extend_from_slice(&buf[..n]);
            // Real-time status queries are answered while they open the stream; after the
            // first byte of a ticket, everything is paper (raster data can hold any byte).
            while !queries_done && pending.len() >= 3 && pending[0] == 0x10 && pending[1] == 0x04 {
                let answer = status::respond(pending[2], &self.status());
                pending.drain(..3);
                self.paper.lock().expect("paper").queries += 1;
                if socket.write_all(&[answer]).await.is_err() {
                    return;
                }
            }
            if !queries_done && (pending.len() >= 3 || pending.first().is_some_and(|b| *b != 0x10))
            {
                queries_done = true;
            }
            if queries_done && !pending.is_empty() {
                if self.mode() != Mode::Ready && self.mode() != Mode::PaperNearEnd {
                    // No paper, or the cover is open: nothing comes out.
                    pending.clear();
                    continue;
                }
                let mut paper = self.paper.lock().expect("paper");
                paper.bytes.append(&mut pending);
                drop(paper);
                self.printed.notify_waiters();
            }
        }
    }

    /// Everything printed so far.
    pub fn printed(&self) -> Vec<u8> {
        self.paper.lock().expect("paper").bytes.clone()
    }

    /// How many tickets came out (each ends with a cut).
    pub fn tickets(&self) -> usize {
        let bytes = self.printed();
        bytes.windows(2).filter(|w| *w == CUT).count()
    }

    /// The bytes of each ticket printed so far.
    pub fn ticket_bytes(&self) -> Vec<Vec<u8>> {
        let bytes = self.printed();
        let mut out = Vec::new();
        let mut start = 0;
        let mut i = 0;
        while i + 1 < bytes.len() {
            if bytes[i..i + 2] == CUT {
                // GS V takes one or two more bytes (m, and n for m = 65/66).
                let end = match bytes.get(i + 2) {
                    Some(65 | 66) => i + 4,
                    _ => i + 3,
                }
                .min(bytes.len());
                out.push(bytes[start..end].to_vec());
                start = end;
                i = end;
            } else {
                i += 1;
            }
        }
        out
    }

    pub fn status_queries(&self) -> usize {
        self.paper.lock().expect("paper").queries
    }

    /// Wait (at most 10 s) until `n` tickets have come out.
    pub async fn wait_for_tickets(&self, n: usize) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let notified = self.printed.notified();
            if self.tickets() >= n {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!(
                    "{n} tickets did not come out within 10 s (got {})",
                    self.tickets()
                );
            }
        }
    }
}
