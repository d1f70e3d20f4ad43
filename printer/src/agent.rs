//! The print agent: runs beside the printer (a USB printer on the kiosk PC, or anywhere
//! for a network printer), holds a WebSocket to the hall server with its printer token,
//! prints the jobs of its kiosk through a [`worker`](crate::worker) and answers `done`,
//! `waiting` or `failed`, and reports the printer's status when it changes.
//!
//! It reconnects with backoff whenever the server or the network goes away. A job is
//! printed once even if the link drops between printing and the answer: the server sends
//! unanswered jobs again after a reconnect, and the agent's [`Journal`] (on disk, one per
//! hall server, across its own restarts) answers `done` for the keys it printed.
//!
//! Its token is the one given (`--token`, `MOTCUA_PRINTER_TOKEN`), else the one it
//! remembers in its state dir, else it pairs by a code printed on its own paper
//! ([`pairing`](crate::pairing)) and remembers the token it is given. A remembered token the
//! server refuses (the printer was revoked) is forgotten, and the agent pairs again.

use crate::Layout;
use crate::journal::Journal;
use crate::pairing::{self, Pairer};
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
#[derive(Clone)]
pub struct AgentConfig {
    /// The hall server, e.g. `ws://192.168.1.10:8080` (or http://, taken as ws://).
    pub server: String,
    /// The printer device's token (from `motcua device add NAME --kind printer --kiosk K`):
    /// used as given, whatever the state dir remembers. `None`: the token remembered in
    /// the state dir, or else pair by a code printed on the printer.
    pub token: Option<String>,
    pub printer: Target,
    pub layout: Layout,
    /// Where the agent remembers the jobs it printed (a journal per hall server) and the
    /// token it was given by pairing.
    pub state_dir: PathBuf,
    pub status_every: Duration,
    pub deadlines: Deadlines,
    /// While pairing, the first wait between two asks whether the code was taken (it
    /// grows to [`pairing::POLL_MAX`]).
    pub pairing_poll: Duration,
}

/// The token stays out of every log line, `{:?}` included.
impl std::fmt::Debug for AgentConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentConfig")
            .field("server", &self.server)
            .field("token", &self.token.as_ref().map(|_| "…"))
            .field("printer", &self.printer)
            .field("layout", &self.layout)
            .field("state_dir", &self.state_dir)
            .field("status_every", &self.status_every)
            .field("deadlines", &self.deadlines)
            .field("pairing_poll", &self.pairing_poll)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error(
        "cannot keep the agent's state (its journal of print jobs, its token) in {path}: {source}"
    )]
    State {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the server refused the printer token given with --token or MOTCUA_PRINTER_TOKEN (revoked? leave it out to pair the printer by a code printed on it)"
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
    let state_error = |source| AgentError::State {
        path: config.state_dir.clone(),
        source,
    };
    loop {
        let token = match &config.token {
            Some(token) => token.clone(),
            None => {
                match pairing::remembered(&config.state_dir, &config.server).map_err(state_error)? {
                    Some(token) => {
                        tracing::info!(state_dir = %config.state_dir.display(), "using the printer token remembered from pairing");
                        token
                    }
                    None => {
                        let pairer = Pairer {
                            server: config.server.clone(),
                            printer: config.printer.clone(),
                            layout: config.layout,
                            deadlines: config.deadlines,
                            poll: config.pairing_poll,
                        };
                        let paired = tokio::select! {
                            _ = &mut shutdown => return Ok(()),
                            paired = pairer.pair() => paired,
                        };
                        pairing::remember(&config.state_dir, &config.server, &paired.token)
                            .map_err(state_error)?;
                        tracing::info!(
                            device = %paired.name,
                            state_dir = %config.state_dir.display(),
                            "Đã ghép nối máy in / the printer is paired: its token is remembered in the state dir"
                        );
                        paired.token
                    }
                }
            }
        };
        match serve(&config, &token, &mut shutdown).await {
            Err(AgentError::Refused) if config.token.is_none() => {
                tracing::warn!(
                    "Máy chủ từ chối mã thiết bị đã ghép nối (máy in bị thu hồi?): quên mã đó và ghép nối lại bằng mã mới / the hall server refused the remembered printer token (revoked on Admin › Devices?): it is forgotten, and the agent pairs again with a new code"
                );
                pairing::forget(&config.state_dir).map_err(state_error)?;
            }
            other => return other,
        }
    }
}

/// Serve the printer's jobs with `token`, reconnecting with backoff, until `shutdown`
/// resolves (`Ok`) or the server refuses the token.
async fn serve(
    config: &AgentConfig,
    token: &str,
    shutdown: &mut std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
) -> Result<(), AgentError> {
    let mut backoff = Duration::from_millis(250);
    loop {
        let outcome = tokio::select! {
            _ = &mut *shutdown => return Ok(()),
            outcome = session(config, token) => outcome,
        };
        match outcome {
            Ok(true) => backoff = Duration::from_millis(250),
            Ok(false) => {}
            Err(SessionEnd::Refused) => return Err(AgentError::Refused),
            Err(SessionEnd::State(e)) => return Err(e),
        }
        tokio::select! {
            _ = &mut *shutdown => return Ok(()),
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
async fn session(config: &AgentConfig, token: &str) -> Result<bool, SessionEnd> {
    let base = config
        .server
        .trim_end_matches('/')
        .replacen("http://", "ws://", 1)
        .replacen("https://", "wss://", 1);
    let Ok(mut request) = format!("{base}/ws/printer").into_client_request() else {
        tracing::error!(server = %config.server, "not a server address");
        return Ok(false);
    };
    let Ok(auth) = format!("Bearer {token}").parse() else {
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
