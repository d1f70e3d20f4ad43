//! The phones of (7): one WebSocket client per ticket on `/ws/tickets/{token}`, each
//! reading its own feed on its own task and passing every update it reads, with the
//! moment it arrived, to the measurement.

use crate::displays::CONNECT_AT_ONCE;
use crate::harness::{Hall, Issued, PATIENCE, Socket, next_text};
use anyhow::{Context, Result, anyhow, bail};
use futures_util::StreamExt;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// The phone clients' WebSocket read buffer (see the displays' for why it is small).
const PHONE_READ_BUFFER: usize = 8 * 1024;

/// The phones, each reading its own feed on its own task.
pub struct Phones {
    pub tasks: Vec<JoinHandle<()>>,
    frames: Arc<AtomicU64>,
    /// Every update any phone read, as it arrived.
    pub heard: mpsc::UnboundedReceiver<Heard>,
    /// People ahead of each phone's ticket when it connected.
    pub ahead_at_start: Vec<u32>,
    /// Which phone follows a ticket, by ticket id.
    pub phone_of: HashMap<i64, usize>,
}

impl Phones {
    /// Text frames read by every phone so far, snapshots included.
    pub fn frames(&self) -> u64 {
        self.frames.load(Ordering::Relaxed)
    }

    pub fn close(self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// An update frame a phone read.
pub struct Heard {
    pub phone: usize,
    /// The change's kind ("called", "absent", ...), or "snapshot" after a resync.
    pub kind: String,
    pub status: String,
    pub ahead: Option<u32>,
    pub at: Instant,
}

/// `{"type":"update","seq":..,"kind":"called","ticket":{.."status":..,"ahead":..}}`, or the
/// snapshot a feed starts (or starts again) with.
#[derive(Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    ty: String,
    #[serde(default)]
    kind: Option<String>,
    ticket: TicketNow,
}

#[derive(Deserialize)]
struct TicketNow {
    status: String,
    #[serde(default)]
    ahead: Option<u32>,
}

/// A phone's index, its ticket's id, and its socket with the people ahead when it connected.
type Connected = (usize, i64, Result<(Socket, u32)>);

/// Connect a phone to each issued ticket's feed, each reading its snapshot first.
pub async fn connect_phones(hall: &Hall, issued: Vec<Issued>) -> Result<(Phones, Duration)> {
    let start = Instant::now();
    let ws = hall.ws.clone();
    let connected: Vec<Connected> = futures_util::stream::iter(issued.into_iter().enumerate())
        .map(|(i, t)| {
            let url = format!("{ws}/ws/tickets/{}", t.token);
            async move { (i, t.id, connect_phone(url).await) }
        })
        .buffer_unordered(CONNECT_AT_ONCE)
        .collect()
        .await;
    let took = start.elapsed();
    let frames = Arc::new(AtomicU64::new(0));
    let (tx, heard) = mpsc::unbounded_channel();
    let mut phones = Phones {
        tasks: Vec::with_capacity(connected.len()),
        frames,
        heard,
        ahead_at_start: vec![0; connected.len()],
        phone_of: HashMap::new(),
    };
    let mut failed = Vec::new();
    for (i, id, socket) in connected {
        match socket {
            Ok((socket, ahead)) => {
                phones.ahead_at_start[i] = ahead;
                phones.phone_of.insert(id, i);
                let (frames, tx) = (phones.frames.clone(), tx.clone());
                phones
                    .tasks
                    .push(tokio::spawn(phone_loop(i, socket, frames, tx)));
            }
            Err(e) => failed.push(e),
        }
    }
    if let Some(e) = failed.first() {
        let count = failed.len();
        phones.close();
        bail!("{count} phones failed to connect, first: {e:#}");
    }
    Ok((phones, took))
}

/// One phone's feed, up to its snapshot: the socket and the people ahead then.
async fn connect_phone(url: String) -> Result<(Socket, u32)> {
    let config = WebSocketConfig::default().read_buffer_size(PHONE_READ_BUFFER);
    let connect = tokio_tungstenite::connect_async_with_config(url, Some(config), true);
    let (mut socket, _) = tokio::time::timeout(PATIENCE, connect)
        .await
        .map_err(|_| anyhow!("connect timed out"))??;
    let first = next_text(&mut socket).await?;
    let frame: Frame = serde_json::from_str(&first).context("snapshot JSON")?;
    if frame.ty != "snapshot" || frame.ticket.status != "waiting" {
        bail!("expected a waiting ticket's snapshot, got {first}");
    }
    let ahead = frame
        .ticket
        .ahead
        .ok_or_else(|| anyhow!("a waiting ticket without people ahead: {first}"))?;
    Ok((socket, ahead))
}

async fn phone_loop(
    phone: usize,
    mut socket: Socket,
    frames: Arc<AtomicU64>,
    heard: mpsc::UnboundedSender<Heard>,
) {
    while let Some(message) = socket.next().await {
        match message {
            Ok(Message::Text(text)) => {
                let at = Instant::now();
                frames.fetch_add(1, Ordering::Relaxed);
                let Ok(frame) = serde_json::from_str::<Frame>(text.as_str()) else {
                    continue;
                };
                let _ = heard.send(Heard {
                    phone,
                    kind: frame.kind.unwrap_or(frame.ty),
                    status: frame.ticket.status,
                    ahead: frame.ticket.ahead,
                    at,
                });
            }
            Ok(Message::Close(_)) | Err(_) => break,
            Ok(_) => {}
        }
    }
}
