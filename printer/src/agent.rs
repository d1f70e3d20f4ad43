//! The print agent: runs beside the printer (a USB printer on the kiosk PC, or anywhere
//! for a network printer), holds a WebSocket to the hall server with its printer token,
//! prints the jobs of its kiosk and answers `done` or `failed`, and reports the printer's
//! status every few seconds.
//!
//! It reconnects with backoff whenever the server or the network goes away. A job is
//! printed once even if the link drops between printing and the answer: the server sends
//! unanswered jobs again after a reconnect, and the agent remembers (on disk, across its
//! own restarts) which job ids it has printed, answering `done` for those without printing.

use crate::Layout;
use crate::protocol::{FromAgent, ToAgent};
use crate::status::{PrinterStatus, Report};
use crate::transport::{Deadlines, Target, TransportError, print_ticket, printer_status};
use futures_util::{SinkExt, StreamExt};

use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// How an agent is set up.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// The hall server, e.g. `ws://192.168.1.10:8080` (or http://, taken as ws://).
    pub server: String,
    /// The printer device's token (from `motcua device add NAME --kind printer --kiosk K`).
    pub token: String,
    pub printer: Target,
    pub layout: Layout,
    /// Where the agent remembers the jobs it printed.
    pub state_dir: PathBuf,
    pub status_every: Duration,
    pub deadlines: Deadlines,
}

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("cannot keep the list of printed jobs in {path}: {source}")]
    State {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the server refused the printer token (is the printer added with `motcua device add`?)"
    )]
    Refused,
}

/// The job ids this agent has printed, kept in a file so a restart remembers them.
struct Printed {
    path: PathBuf,
    ids: HashSet<i64>,
}

impl Printed {
    fn load(dir: &std::path::Path) -> Result<Printed, AgentError> {
        let path = dir.join("printed-jobs");
        let state_error = |source| AgentError::State {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(state_error)?;
        let ids = match std::fs::File::open(&path) {
            Ok(file) => std::io::BufReader::new(file)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.trim().parse().ok())
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => HashSet::new(),
            Err(e) => return Err(state_error(e)),
        };
        Ok(Printed { path, ids })
    }

    fn contains(&self, job: i64) -> bool {
        self.ids.contains(&job)
    }

    /// Remember a printed job, durably, before the server is told.
    fn remember(&mut self, job: i64) -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        writeln!(file, "{job}")?;
        file.sync_data()?;
        self.ids.insert(job);
        Ok(())
    }
}

fn status_message(status: Result<Option<PrinterStatus>, TransportError>) -> String {
    let report = match status {
        Ok(Some(s)) => Report::of(&s),
        Ok(None) => Report::one_way(),
        Err(e) => Report::unreachable(e.reason()),
    };
    FromAgent::Status { status: report }.to_json()
}

/// Run the agent until `shutdown` resolves.
pub async fn run(
    config: AgentConfig,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), AgentError> {
    let mut printed = Printed::load(&config.state_dir)?;
    tokio::pin!(shutdown);
    let mut backoff = Duration::from_millis(250);
    loop {
        let outcome = tokio::select! {
            _ = &mut shutdown => return Ok(()),
            outcome = session(&config, &mut printed) => outcome,
        };
        match outcome {
            Ok(true) => backoff = Duration::from_millis(250),
            Ok(false) => {}
            Err(SessionEnd::Refused) => return Err(AgentError::Refused),
            Err(SessionEnd::State(e)) => return Err(e),
        }
        tokio::select! {
            _ = &mut shutdown => return Ok(()),
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
    }
}

enum SessionEnd {
    Refused,
    State(AgentError),
}

/// One connection to the server. `Ok(true)` if it got connected before it ended.
async fn session(config: &AgentConfig, printed: &mut Printed) -> Result<bool, SessionEnd> {
    let base = config
        .server
        .trim_end_matches('/')
        .replacen("http://", "ws://", 1)
        .replacen("https://", "wss://", 1);
    let Ok(mut request) = format!("{base}/ws/printer").into_client_request() else {
        tracing::error!(server = %config.server, "not a server address");
        return Ok(false);
    };
    let Ok(auth) = format!("Bearer {}", config.token).parse() else {
        return Err(SessionEnd::Refused);
    };
    request.headers_mut().insert("authorization", auth);
    let socket = match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => socket,
        Err(tokio_tungstenite::tungstenite::Error::Http(resp))
            if resp.status() == 401 || resp.status() == 403 =>
        {
            return Err(SessionEnd::Refused);
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot reach the hall server; will retry");
            return Ok(false);
        }
    };
    tracing::info!(server = %base, "connected to the hall server");
    let (mut sink, mut stream) = socket.split();
    let mut ticker = tokio::time::interval(config.status_every);
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                let (target, deadlines) = (config.printer.clone(), config.deadlines);
                let status = tokio::task::spawn_blocking(move || printer_status(&target, deadlines))
                    .await
                    .unwrap_or(Ok(None));
                if sink.send(Message::text(status_message(status))).await.is_err() {
                    return Ok(true);
                }
            }
            message = stream.next() => {
                let text = match message {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(true),
                    Some(Ok(_)) => continue,
                };
                let Ok(ToAgent::Job { job, ticket }) = serde_json::from_str::<ToAgent>(&text) else {
                    tracing::warn!("an unknown message from the server was ignored");
                    continue;
                };
                let answer = if printed.contains(job) {
                    // Printed before the link dropped: say so again, print nothing.
                    FromAgent::Done { job }
                } else {
                    let (target, layout, deadlines) = (config.printer.clone(), config.layout, config.deadlines);
                    let result = tokio::task::spawn_blocking(move || print_ticket(&target, &layout, &ticket, deadlines))
                        .await
                        .unwrap_or_else(|_| Err("printer_io_error".to_owned()));
                    match result {
                        Ok(()) => {
                            printed.remember(job).map_err(|source| SessionEnd::State(AgentError::State {
                                path: printed.path.clone(),
                                source,
                            }))?;
                            tracing::info!(job, "printed");
                            FromAgent::Done { job }
                        }
                        Err(reason) => {
                            tracing::warn!(job, %reason, "could not print");
                            FromAgent::Failed { job, reason }
                        }
                    }
                };
                if sink.send(Message::text(answer.to_json())).await.is_err() {
                    return Ok(true);
                }
            }
        }
    }
}
