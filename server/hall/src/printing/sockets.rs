//! The print room's sockets: a print agent's link (`/ws/printer`) and a kiosk's feed
//! (`/ws/kiosk`).

use super::{AgentMessage, KioskFrame, Printing};
use crate::live::{drive, until_closed};
use axum::extract::ws::{Message, Utf8Bytes, WebSocket};
use futures_util::{SinkExt, StreamExt};
use motcua_store::Store;
use motcua_store::accounts::Device;
use tokio::sync::{broadcast, mpsc};

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
