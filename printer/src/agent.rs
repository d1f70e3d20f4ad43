//! The print agent: runs beside the printer (a USB printer on the kiosk PC, or anywhere
//! for a network printer), holds a WebSocket to the hall server with its printer token,
//! prints the jobs of its kiosk through a [`worker`](crate::worker) and answers `done`,
//! `waiting` or `failed`, and reports the printer's status when it changes.
//!
//! It reconnects with backoff whenever the server or the network goes away. A job is
//! printed once even if the link drops between printing and the answer: the server sends
//! unanswered jobs again after a reconnect, and the agent's [`Journal`] (on disk, one per
//! hall server, across its own restarts) answers `done` for the keys it printed.

use crate::Layout;
use crate::journal::Journal;
use crate::protocol::{FromAgent, ToAgent};
use crate::transport::{Deadlines, Target};
use crate::worker::{self, Job, Station};
use futures_util::{SinkExt, StreamExt};
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// How long a server has to introduce itself after the connection opens.
const HELLO_WITHIN: Duration = Duration::from_secs(10);

/// How an agent is set up.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// The hall server, e.g. `ws://192.168.1.10:8080` (or http://, taken as ws://).
    pub server: String,
    /// The printer device's token (from `motcua device add NAME --kind printer --kiosk K`).
    pub token: String,
    pub printer: Target,
    pub layout: Layout,
    /// Where the agent remembers the jobs it printed (a journal per hall server).
    pub state_dir: PathBuf,
    pub status_every: Duration,
    pub deadlines: Deadlines,
}

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error("cannot keep the journal of print jobs in {path}: {source}")]
    State {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the server refused the printer token (is the printer added with `motcua device add`?)"
    )]
    Refused,
}

/// The session's worker. Dropped with the session (the agent stopped), it stops at once,
/// mid-attempt if need be, as a killed agent would: that job's key stays marked started.
struct Printing(Option<tokio::task::JoinHandle<std::io::Result<()>>>);

impl Drop for Printing {
    fn drop(&mut self) {
        if let Some(handle) = &self.0 {
            handle.abort();
        }
    }
}

/// Run the agent until `shutdown` resolves.
pub async fn run(
    config: AgentConfig,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), AgentError> {
    tokio::pin!(shutdown);
    let mut backoff = Duration::from_millis(250);
    loop {
        let outcome = tokio::select! {
            _ = &mut shutdown => return Ok(()),
            outcome = session(&config) => outcome,
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
async fn session(config: &AgentConfig) -> Result<bool, SessionEnd> {
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
    let (mut sink, mut stream) = socket.split();
    let hello = tokio::time::timeout(HELLO_WITHIN, async {
        while let Some(Ok(message)) = stream.next().await {
            if let Message::Text(text) = message {
                return serde_json::from_str::<ToAgent>(&text).ok();
            }
        }
        None
    })
    .await;
    let Ok(Some(ToAgent::Hello { server })) = hello else {
        tracing::warn!("the hall server did not introduce itself; will retry");
        return Ok(true);
    };
    let state_error = |source| {
        SessionEnd::State(AgentError::State {
            path: config.state_dir.clone(),
            source,
        })
    };
    let journal = Journal::open(&config.state_dir, &server).map_err(state_error)?;
    tracing::info!(server = %base, identity = %server, "connected to the hall server");
    let station = Station {
        printer: config.printer.clone(),
        layout: config.layout,
        deadlines: config.deadlines,
        status_every: config.status_every,
    };
    let (jobs, queue) = mpsc::unbounded_channel();
    let (updates, mut said) = mpsc::unbounded_channel();
    let mut printing = Printing(Some(tokio::spawn(worker::run(
        station, journal, queue, updates,
    ))));
    loop {
        tokio::select! {
            update = said.recv() => {
                // None: the worker stopped (its journal failed); its error is read below.
                let Some(update) = update else { break };
                if sink.send(Message::text(FromAgent::from(update).to_json())).await.is_err() {
                    break;
                }
            }
            message = stream.next() => {
                let text = match message {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => continue,
                };
                match serde_json::from_str::<ToAgent>(&text) {
                    Ok(ToAgent::Job { job, key, expires_in_ms, ticket }) => {
                        let expires = tokio::time::Instant::now() + Duration::from_millis(expires_in_ms);
                        let _ = jobs.send(Job { job, key, ticket: *ticket, expires });
                    }
                    Ok(ToAgent::Hello { .. }) => {}
                    Err(_) => tracing::warn!("an unknown message from the server was ignored"),
                }
            }
        }
    }
    // The attempt under way finishes (and is written down) before the next connection.
    drop(jobs);
    let Some(handle) = printing.0.take() else {
        return Ok(true);
    };
    match handle.await {
        Ok(Err(e)) => Err(state_error(e)),
        _ => Ok(true),
    }
}
