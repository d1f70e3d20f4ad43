//! The fake printer's side of the wire: its port served one connection at a time, and each
//! connection read command by command, as the printer's firmware does.

use super::commands::{Piece, Scanner};
use super::{Event, Mode, Shared, State};
use crate::status::{self, PrinterStatus};
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Serves one connection at a time, as a printer's raw port does.
pub(super) async fn accept_loop(shared: Arc<Shared>) {
    loop {
        let settings = shared.settings.notified();
        tokio::pin!(settings);
        settings.as_mut().enable();
        let accept = std::future::poll_fn(|cx| match &shared.state().listener {
            Some(listener) => listener.poll_accept(cx).map(Some),
            None => Poll::Ready(None),
        });
        let accepted = tokio::select! {
            accepted = accept => accepted,
            () = &mut settings => continue,
        };
        match accepted {
            Some(Ok((socket, peer))) => serve(&shared, socket, peer).await,
            // Out of file descriptors, say: try again in a moment.
            Some(Err(_)) => tokio::time::sleep(Duration::from_millis(10)).await,
            // Refusing: wait until the mode changes.
            None => settings.await,
        }
    }
}

async fn serve(shared: &Shared, mut socket: TcpStream, peer: SocketAddr) {
    let _ = socket.set_nodelay(true);
    shared.record(|state, events| {
        state.connections += 1;
        events.push(Event::Connected(peer));
    });
    let mut scanner = Scanner::default();
    let mut pieces = Vec::new();
    let mut paper_seen = false;
    let mut buf = vec![0u8; 8192];
    'connection: loop {
        let settings = shared.settings.notified();
        tokio::pin!(settings);
        settings.as_mut().enable();
        let (readable, rate, mode_changes) = {
            let state = shared.state();
            (state.readable(), state.rate, state.mode_changes)
        };
        // At a given rate, a twentieth of a second's worth at a time.
        let chunk = rate.map_or(buf.len(), |r| (r as usize / 20).max(1));
        let limit = readable.min(chunk).min(buf.len());
        if limit == 0 {
            shared.record(|state, events| {
                state.wedged += 1;
                events.push(Event::Stalled);
            });
            wait_for_mode_change(shared, mode_changes).await;
            shared.record(|state, _| state.wedged -= 1);
            break;
        }
        let read = tokio::select! {
            read = socket.read(&mut buf[..limit]) => read,
            () = &mut settings => continue,
        };
        let n = match read {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        shared.record(|state, _| {
            state.taken += n;
            if let Mode::StallAfter(_) = state.mode {
                state.budget = state.budget.saturating_sub(n);
            }
        });
        scanner.push(&buf[..n], &mut pieces);
        for piece in pieces.drain(..) {
            match piece {
                Piece::Paper(bytes) => {
                    paper_seen = true;
                    shared.record(|state, events| print(state, &bytes, events));
                }
                Piece::Cut => shared.record(cut),
                Piece::Query(q) => {
                    if paper_seen && !wait_for_release(shared, &mut socket).await {
                        break 'connection;
                    }
                    let mut answer = 0;
                    shared.record(|state, events| {
                        answer = respond(state, q);
                        events.push(Event::Query { n: q, answer });
                    });
                    if socket.write_all(&[answer]).await.is_err() {
                        break 'connection;
                    }
                }
            }
        }
        if let Some(rate) = rate {
            tokio::time::sleep(Duration::from_secs_f64(n as f64 / f64::from(rate))).await;
        }
    }
    shared.record(|state, events| {
        let rest = std::mem::take(&mut state.current);
        state.lost_in_ticket = 0;
        if !rest.is_empty() {
            state.torn.push(rest.clone());
            events.push(Event::Torn { bytes: rest });
        }
        events.push(Event::Closed);
    });
}

/// Paper bytes: printed while there is paper and the cover is closed, lost otherwise.
fn print(state: &mut State, bytes: &[u8], events: &mut Vec<Event>) {
    let printable = match state.mode {
        Mode::PaperOut | Mode::CoverOpen => 0,
        Mode::PaperOutAfter(_) => state.budget.min(bytes.len()),
        _ => bytes.len(),
    };
    let (printed, lost) = bytes.split_at(printable);
    state.printed.extend_from_slice(printed);
    state.current.extend_from_slice(printed);
    state.lost_in_ticket += lost.len();
    state.last_lost = !lost.is_empty();
    if let Mode::PaperOutAfter(_) = state.mode {
        state.budget -= printable;
        if state.budget == 0 {
            state.mode = Mode::PaperOut;
            events.push(Event::PaperOut);
        }
    }
}

/// A cut command came: the ticket is whole, or torn if it lost bytes (or the cut itself).
fn cut(state: &mut State, events: &mut Vec<Event>) {
    let bytes = std::mem::take(&mut state.current);
    let lost = std::mem::take(&mut state.lost_in_ticket);
    if lost == 0 && !state.last_lost {
        state.tickets.push(bytes.clone());
        events.push(Event::Ticket {
            number: state.tickets.len(),
            bytes,
        });
    } else if !bytes.is_empty() {
        state.torn.push(bytes.clone());
        events.push(Event::Torn { bytes });
    }
}

/// The answer to `DLE EOT q` now.
fn respond(state: &mut State, q: u8) -> u8 {
    state.queries += 1;
    let status = state.status();
    if state.paper_end_only_on_eot4 && status.paper_out && q != 4 {
        // The clone says online and no offline cause: only its paper sensor tells.
        let told = PrinterStatus {
            paper_near_end: status.paper_near_end,
            ..PrinterStatus::ready()
        };
        return status::respond(q, &told);
    }
    status::respond(q, &status)
}

/// Holds a confirmation while [`hold_confirmations`](super::FakePrinter::hold_confirmations)
/// is on. `false` if the other end closed the connection meanwhile (the query then goes
/// unanswered).
async fn wait_for_release(shared: &Shared, socket: &mut TcpStream) -> bool {
    let mut holding = false;
    shared.record(|state, _| {
        holding = state.hold;
        if holding {
            state.held += 1;
        }
    });
    if !holding {
        return true;
    }
    let mut watch_for_close = true;
    let mut probe = [0u8; 1];
    let released = loop {
        let settings = shared.settings.notified();
        tokio::pin!(settings);
        settings.as_mut().enable();
        if !shared.state().hold {
            break true;
        }
        if watch_for_close {
            tokio::select! {
                () = &mut settings => {}
                peeked = socket.peek(&mut probe) => match peeked {
                    Ok(0) | Err(_) => break false,
                    // More is coming: nothing to watch for until the release.
                    Ok(_) => watch_for_close = false,
                },
            }
        } else {
            settings.await;
        }
    };
    shared.record(|state, _| state.held -= 1);
    released
}

/// A wedged connection stays unread until the mode is changed (the printer switched off
/// and on), and is then closed.
async fn wait_for_mode_change(shared: &Shared, since: u64) {
    loop {
        let settings = shared.settings.notified();
        tokio::pin!(settings);
        settings.as_mut().enable();
        {
            let state = shared.state();
            if state.mode_changes != since && state.mode != Mode::Silent {
                return;
            }
        }
        settings.await;
    }
}
