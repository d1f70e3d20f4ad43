//! Connection hygiene, the same on both servers: how many connections are open at once
//! (in all and per client address), how many WebSockets each client address holds, and
//! how long a client may take, before anything reaches a handler.
//!
//! - A connection over a cap gets a `429 too_many_connections` answer (when it is plain
//!   HTTP and still sends a request) and is closed; over TLS it is closed at once.
//! - A request's headers must arrive within `header_timeout`, counted from the connection's
//!   opening or the previous answer: a slow client, or a keep-alive connection left idle,
//!   is closed (hyper's own header timer).
//! - A connection from which nothing arrives for `idle_timeout` is closed: WebSockets too.
//!   Live screens answer the server's pings every 20 s, so only a dead peer is that quiet.
//! - An ordinary request (not a WebSocket) must be answered within `request_timeout`
//!   (`408 request_timeout`): a body sent byte by byte cannot hold a worker.
//! - WebSockets are counted per client address (the forwarded one behind a trusted proxy),
//!   with a separate, larger cap for the public feeds phones open (citizens' phones behind
//!   the Wi-Fi's one NAT address share it); over it, `429 too_many_sockets`.
//!
//! The accept loop is ours ([`serve`]): hyper's HTTP/1 server with its header timer, an
//! optional rustls acceptor ([`crate::tls`]), and each request told its peer
//! (`ConnectInfo<SocketAddr>`) and whether it came over TLS ([`crate::client::OverTls`]).

use crate::client::{OverTls, TrustedProxies};
use crate::{AppError, Exposition};
use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use motcua_domain::Error;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// The caps and timeouts (see the module's notes).
#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    pub max_connections: usize,
    pub max_connections_per_client: usize,
    pub max_websockets_per_client: usize,
    /// For the feeds under [`ConnectionSettings::public_feeds`].
    pub max_public_feeds_per_client: usize,
    pub header_timeout: Duration,
    pub request_timeout: Duration,
    pub idle_timeout: Duration,
    /// Path prefixes of the public feeds phones open (the hall: `/ws/tickets/`).
    pub public_feeds: Vec<&'static str>,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        ConnectionSettings {
            max_connections: 4096,
            max_connections_per_client: 1024,
            max_websockets_per_client: 50,
            max_public_feeds_per_client: 500,
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(120),
            public_feeds: Vec::new(),
        }
    }
}

/// How many connections over a cap may be waiting for their 429 at once; beyond, they
/// are closed without an answer.
const MAX_ANSWERING_REFUSALS: usize = 256;
/// How long a refused connection has to send its request before it is just closed.
const REFUSAL_HEADER_TIMEOUT: Duration = Duration::from_secs(2);
/// The largest request head hyper buffers (the default is about 400 KiB).
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// What the connection guard counts for `/metrics`.
#[derive(Default)]
struct Counts {
    refused_total: AtomicU64,
    refused_per_client: AtomicU64,
    sockets_refused: AtomicU64,
    header_timeouts: AtomicU64,
    idle_timeouts: AtomicU64,
    request_timeouts: AtomicU64,
    tls_failures: AtomicU64,
}

struct Shared {
    settings: ConnectionSettings,
    tls: Option<crate::tls::Tls>,
    proxies: TrustedProxies,
    open: AtomicUsize,
    answering_refusals: AtomicUsize,
    per_client: Mutex<HashMap<IpAddr, usize>>,
    /// Open WebSockets per (client, public feed or not).
    sockets: Mutex<HashMap<(IpAddr, bool), usize>>,
    counts: Counts,
}

/// A server's connection guard: its caps, timeouts, TLS and counts. Cheap to clone.
#[derive(Clone)]
pub struct Connections(Arc<Shared>);

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("settings", &self.0.settings)
            .field("tls", &self.0.tls.is_some())
            .finish()
    }
}

impl Default for Connections {
    fn default() -> Self {
        Connections::new(
            ConnectionSettings::default(),
            None,
            TrustedProxies::default(),
        )
    }
}

impl Connections {
    pub fn new(
        settings: ConnectionSettings,
        tls: Option<crate::tls::Tls>,
        proxies: TrustedProxies,
    ) -> Connections {
        Connections(Arc::new(Shared {
            settings,
            tls,
            proxies,
            open: AtomicUsize::new(0),
            answering_refusals: AtomicUsize::new(0),
            per_client: Mutex::default(),
            sockets: Mutex::default(),
            counts: Counts::default(),
        }))
    }

    /// Whether the server answers over its own TLS.
    pub fn tls(&self) -> bool {
        self.0.tls.is_some()
    }

    /// Open connections and WebSockets, refusals and timeouts, for `/metrics`; each
    /// family's name begins with `prefix` (`motcua` or `motcua_city`).
    pub fn expose(&self, out: &mut Exposition, prefix: &str) {
        let s = &self.0;
        let c = &s.counts;
        let open_sockets: usize = s.sockets.lock().map_or(0, |m| m.values().sum());
        let name = format!("{prefix}_connections_open");
        out.family(
            &name,
            "gauge",
            "Connections open now (WebSockets included).",
        );
        out.sample(&name, &[], s.open.load(Ordering::Relaxed));
        let name = format!("{prefix}_websockets_open");
        out.family(&name, "gauge", "WebSockets open now.");
        out.sample(&name, &[], open_sockets);
        let name = format!("{prefix}_connections_refused_total");
        out.family(
            &name,
            "counter",
            "Connections and WebSockets refused by a cap (429).",
        );
        for (cap, value) in [
            ("connections", &c.refused_total),
            ("connections_per_client", &c.refused_per_client),
            ("websockets_per_client", &c.sockets_refused),
        ] {
            out.sample(&name, &[("cap", cap)], value.load(Ordering::Relaxed));
        }
        let name = format!("{prefix}_connections_timed_out_total");
        out.family(
            &name,
            "counter",
            "Connections closed, or requests answered 408, for taking too long.",
        );
        for (timeout, value) in [
            ("header", &c.header_timeouts),
            ("idle", &c.idle_timeouts),
            ("request", &c.request_timeouts),
            ("tls_handshake", &c.tls_failures),
        ] {
            out.sample(
                &name,
                &[("timeout", timeout)],
                value.load(Ordering::Relaxed),
            );
        }
    }

    /// Take a connection's place, or say which cap it is over.
    fn admit(&self, peer: IpAddr) -> Result<Admitted, &'static str> {
        let s = &self.0;
        // Behind a trusted proxy every client shares the proxy's address: only the total
        // counts there (its WebSockets are counted per forwarded client).
        let per_client = !s.proxies.trusts(peer);
        if s.open.fetch_add(1, Ordering::AcqRel) >= s.settings.max_connections {
            s.open.fetch_sub(1, Ordering::AcqRel);
            s.counts.refused_total.fetch_add(1, Ordering::Relaxed);
            return Err("the server has as many connections as it takes");
        }
        if per_client {
            let mut map = s.per_client.lock().unwrap_or_else(|p| p.into_inner());
            let held = map.entry(peer).or_insert(0);
            if *held >= s.settings.max_connections_per_client {
                drop(map);
                s.open.fetch_sub(1, Ordering::AcqRel);
                s.counts.refused_per_client.fetch_add(1, Ordering::Relaxed);
                return Err("this address has as many connections as it may hold");
            }
            *held += 1;
        }
        Ok(Admitted {
            guard: self.clone(),
            peer,
            per_client,
            socket: Mutex::new(None),
        })
    }

    /// Take a WebSocket's place for `client`, or refuse with 429.
    fn take_socket(&self, client: IpAddr, public: bool) -> Result<SocketPlace, AppError> {
        let s = &self.0;
        let cap = if public {
            s.settings.max_public_feeds_per_client
        } else {
            s.settings.max_websockets_per_client
        };
        let mut map = s.sockets.lock().unwrap_or_else(|p| p.into_inner());
        let held = map.entry((client, public)).or_insert(0);
        if *held >= cap {
            drop(map);
            s.counts.sockets_refused.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(%client, public, cap, "WebSocket refused: too many from one address");
            return Err(Error::too_many(
                "too_many_sockets",
                format!("this address holds {cap} live feeds already: close one first"),
                10,
            )
            .into());
        }
        *held += 1;
        Ok(SocketPlace {
            guard: self.clone(),
            key: (client, public),
        })
    }
}

/// A connection's place, given back when the connection (or its WebSocket) ends.
struct Admitted {
    guard: Connections,
    peer: IpAddr,
    per_client: bool,
    /// The WebSocket this connection became, if it did.
    socket: Mutex<Option<SocketPlace>>,
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let s = &self.guard.0;
        if self.per_client {
            let mut map = s.per_client.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(held) = map.get_mut(&self.peer) {
                *held -= 1;
                if *held == 0 {
                    map.remove(&self.peer);
                }
            }
        }
        s.open.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A WebSocket's place for its client address.
struct SocketPlace {
    guard: Connections,
    key: (IpAddr, bool),
}

impl Drop for SocketPlace {
    fn drop(&mut self) {
        let mut map = self
            .guard
            .0
            .sockets
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(held) = map.get_mut(&self.key) {
            *held -= 1;
            if *held == 0 {
                map.remove(&self.key);
            }
        }
    }
}

/// A connection's byte stream, holding its place; reading from it fails once nothing has
/// arrived for the idle timeout.
struct Guarded<IO> {
    io: IO,
    idle: Duration,
    deadline: Pin<Box<tokio::time::Sleep>>,
    place: Arc<Admitted>,
}

impl<IO> Guarded<IO> {
    fn new(io: IO, idle: Duration, place: Arc<Admitted>) -> Self {
        Guarded {
            io,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
            place,
        }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Guarded<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Pending => {
                if this.deadline.as_mut().poll(cx).is_ready() {
                    let counts = &this.place.guard.0.counts;
                    counts.idle_timeouts.fetch_add(1, Ordering::Relaxed);
                    return Poll::Ready(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "nothing received for the idle timeout",
                    )));
                }
                Poll::Pending
            }
            ready => {
                let next = tokio::time::Instant::now() + this.idle;
                this.deadline.as_mut().reset(next);
                ready
            }
        }
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Guarded<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

fn is_websocket(req: &Request<Incoming>) -> bool {
    req.headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// Answer one request of an admitted connection: the router, within the request timeout,
/// or for a WebSocket, within its client's cap.
async fn answer(
    router: Router,
    guard: Connections,
    place: Arc<Admitted>,
    peer: SocketAddr,
    tls: bool,
    mut req: Request<Incoming>,
) -> Response {
    req.extensions_mut().insert(ConnectInfo(peer));
    if tls {
        req.extensions_mut().insert(OverTls);
    }
    let s = &guard.0;
    if is_websocket(&req) {
        let client = s.proxies.client(peer.ip(), req.headers());
        let path = req.uri().path();
        let public = s.settings.public_feeds.iter().any(|p| path.starts_with(p));
        let socket = match guard.take_socket(client, public) {
            Ok(socket) => socket,
            Err(refusal) => return refusal.into_response(),
        };
        let response = match router.oneshot(req).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        if response.status() == StatusCode::SWITCHING_PROTOCOLS {
            // The socket lives as long as the connection's stream, which holds its place.
            *place.socket.lock().unwrap_or_else(|p| p.into_inner()) = Some(socket);
        }
        return response;
    }
    match tokio::time::timeout(s.settings.request_timeout, router.oneshot(req)).await {
        Ok(Ok(response)) => response,
        Ok(Err(never)) => match never {},
        Err(_) => {
            s.counts.request_timeouts.fetch_add(1, Ordering::Relaxed);
            AppError::TimedOut.into_response()
        }
    }
}

/// Serve `router` on `listener`, guarded by `guard`, until `shutdown` resolves; then
/// let the connections finish their requests (upgraded WebSockets are the caller's to
/// close).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    guard: Connections,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(());
    let (done_tx, done_rx) = tokio::sync::watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before we took it:
                    // wait a moment rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // Live frames are small and should leave at once: no Nagle delay.
        let _ = tcp.set_nodelay(true);
        let peer = SocketAddr::new(crate::client::canonical(peer.ip()), peer.port());
        let (stop, done) = (stop_rx.clone(), done_rx.clone());
        match guard.admit(peer.ip()) {
            Ok(place) => {
                let (router, guard) = (router.clone(), guard.clone());
                tokio::spawn(async move {
                    connection(tcp, peer, router, guard, Arc::new(place), stop).await;
                    drop(done);
                });
            }
            Err(why) => refuse(tcp, &guard, why),
        }
    }
    drop(stop_tx);
    drop(done_rx);
    done_tx.closed().await;
    Ok(())
}

/// Serve one admitted connection, over TLS if the server has it.
async fn connection(
    tcp: TcpStream,
    peer: SocketAddr,
    router: Router,
    guard: Connections,
    place: Arc<Admitted>,
    stop: tokio::sync::watch::Receiver<()>,
) {
    let s = &guard.0;
    let idle = s.settings.idle_timeout;
    match s.tls.clone() {
        None => {
            let io = Guarded::new(tcp, idle, place.clone());
            run_http(io, peer, false, router, guard.clone(), place, stop).await;
        }
        Some(tls) => {
            let handshake = tokio::time::timeout(s.settings.header_timeout, tls.0.accept(tcp));
            let stream = match handshake.await {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    s.counts.tls_failures.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            };
            let io = Guarded::new(stream, idle, place.clone());
            run_http(io, peer, true, router, guard.clone(), place, stop).await;
        }
    }
}

async fn run_http<IO>(
    io: Guarded<IO>,
    peer: SocketAddr,
    tls: bool,
    router: Router,
    guard: Connections,
    place: Arc<Admitted>,
    mut stop: tokio::sync::watch::Receiver<()>,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let header_timeout = guard.0.settings.header_timeout;
    let counts_guard = guard.clone();
    let service = tower::service_fn(move |req: Request<Incoming>| {
        let (router, guard, place) = (router.clone(), guard.clone(), place.clone());
        async move {
            Ok::<_, std::convert::Infallible>(answer(router, guard, place, peer, tls, req).await)
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout)
        .max_buf_size(MAX_HEAD_BYTES);
    let conn = builder
        .serve_connection(TokioIo::new(io), TowerToHyperService::new(service))
        .with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let result = tokio::select! {
        result = conn.as_mut() => result,
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        if e.is_timeout() {
            counts_guard
                .0
                .counts
                .header_timeouts
                .fetch_add(1, Ordering::Relaxed);
        }
        tracing::debug!(%peer, error = %e, "connection ended");
    }
}

/// A connection over a cap: a plain-HTTP client gets a 429 for its first request (if it
/// sends one soon), then the connection is closed; over TLS it is closed at once.
fn refuse(tcp: TcpStream, guard: &Connections, why: &'static str) {
    let s = &guard.0;
    tracing::debug!(why, "connection refused");
    if s.tls.is_some() {
        return;
    }
    if s.answering_refusals.fetch_add(1, Ordering::AcqRel) >= MAX_ANSWERING_REFUSALS {
        s.answering_refusals.fetch_sub(1, Ordering::AcqRel);
        return;
    }
    let guard = guard.clone();
    tokio::spawn(async move {
        let service = hyper::service::service_fn(move |_req: Request<Incoming>| async move {
            let mut response =
                AppError::Command(Error::too_many("too_many_connections", why, 5)).into_response();
            response.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            Ok::<_, std::convert::Infallible>(response)
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(REFUSAL_HEADER_TIMEOUT)
            .keep_alive(false)
            .max_buf_size(MAX_HEAD_BYTES);
        let _ = builder.serve_connection(TokioIo::new(tcp), service).await;
        guard.0.answering_refusals.fetch_sub(1, Ordering::AcqRel);
    });
}
