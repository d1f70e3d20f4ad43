//! What every section stands on: the two runtimes (server and clients in one process), a
//! hall served on `127.0.0.1:0` from its own data dir, and the kiosk and clerks that talk to
//! it over HTTP as the real ones do.

use anyhow::{Context, Result, anyhow, bail};
use futures_util::StreamExt;
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_hall::http::AppState;
use motcua_store::clock::SystemClock;
use motcua_store::{self as store};
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

/// The fields tickets are spread over (the demo hall's, with a 5-digit series).
pub const FIELDS: [&str; 5] = ["A", "B", "C", "D", "E"];
/// Clerks each hall has an account for (`clerk1`..), one per counter of the demo hall.
pub const CLERKS: u16 = 4;
/// Any single request or wait gives up after this.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// The runtimes, the data root and the HTTP client the sections share.
pub struct Bench {
    /// The server runs on its own Tokio runtime ("srv-rt" threads), the clients on another
    /// ("cli-rt"), so the CPU notes can tell them apart.
    pub server_rt: Runtime,
    pub client_rt: Runtime,
    pub root: tempfile::TempDir,
    /// The kiosks' client (pooled connections, no cookies).
    pub http: reqwest::Client,
}

impl Bench {
    pub fn new() -> Result<Bench> {
        let root = tempfile::tempdir()?;
        let server_rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("srv-rt")
            .enable_all()
            .build()?;
        let client_rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("cli-rt")
            .enable_all()
            .build()?;
        Ok(Bench {
            server_rt,
            client_rt,
            root,
            http: http_client()?,
        })
    }

    /// A fresh hall in its own data dir under the root, so the waiting list one phase
    /// leaves does not slow the next.
    pub fn start_hall(&self, name: &str) -> Result<Hall> {
        start_hall(&self.server_rt, self.root.path(), name, bench_settings())
    }

    /// [`Bench::start_hall`] with settings of the section's own, from the bench's.
    pub fn start_hall_with(&self, name: &str, change: impl FnOnce(&mut Settings)) -> Result<Hall> {
        let mut settings = bench_settings();
        change(&mut settings);
        start_hall(&self.server_rt, self.root.path(), name, settings)
    }

    pub fn shut_down(self) {
        self.client_rt.shutdown_timeout(Duration::from_secs(1));
        self.server_rt.shutdown_timeout(Duration::from_secs(1));
    }
}

/// A hall served in this process.
pub struct Hall {
    pub base: String,
    pub ws: String,
    dir: std::path::PathBuf,
    state: AppState,
    /// The kiosk's device token.
    pub kiosk: String,
    /// (name, password) of `clerk1`.. `clerkN`.
    clerks: Vec<(String, String)>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// The demo hall, each field numbered up to 99999 (the demo's 999 runs out in a bench).
fn bench_settings() -> Settings {
    let mut settings = Settings::default();
    for s in &mut settings.services {
        s.last = 99_999;
    }
    // A few kiosks stand in for a city's worth: no issuing limits.
    settings.limits = motcua_hall::http::issuing_limits::LimitSettings::off();
    // Simulated clerks mark a citizen absent when the script says, right after the call.
    settings.queue.absent_after_seconds = 0;
    // Every simulated display and phone connects from this one address.
    let server = &mut settings.server;
    server.max_connections = 16_384;
    server.max_connections_per_client = 16_384;
    server.max_websockets_per_client = 8_192;
    server.max_phone_feeds_per_client = 8_192;
    settings
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn start_hall(server_rt: &Runtime, root: &Path, name: &str, settings: Settings) -> Result<Hall> {
    let dir = root.join(name);
    // The accounts, as `motcua device add` and `motcua user add` make them.
    let (kiosk, clerks) = {
        let conn =
            store::open_for_admin(&dir).map_err(|e| anyhow!("open {}: {e}", dir.display()))?;
        let (_, kiosk) =
            motcua_web::accounts::add_device(&conn, "bench-kiosk", DeviceKind::Kiosk, now_ms())
                .map_err(|e| anyhow!("add kiosk: {e:?}"))?;
        let mut clerks = Vec::new();
        for i in 1..=CLERKS {
            let (user, password) = (format!("clerk{i}"), format!("clerk{i}-bench-pw"));
            motcua_web::accounts::add_user(&conn, &user, Role::Clerk, &password, now_ms())
                .map_err(|e| anyhow!("add clerk: {e:?}"))?;
            clerks.push((user, password));
        }
        (kiosk, clerks)
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let mut hall = settings.hall().map_err(|e| anyhow!("settings: {e}"))?;
    hall.public_url = format!("http://{addr}");
    let state = motcua_hall::wire(&settings, hall, &dir, Arc::new(SystemClock))
        .map_err(|e| anyhow!("wire the hall: {e}"))?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = {
        let _in_server_rt = server_rt.enter();
        let listener = tokio::net::TcpListener::from_std(listener)?;
        server_rt.spawn(motcua_hall::serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }))
    };
    Ok(Hall {
        base: format!("http://{addr}"),
        ws: format!("ws://{addr}"),
        dir,
        state,
        kiosk,
        clerks,
        stop: Some(stop),
        task: Some(task),
    })
}

impl Hall {
    /// A printer for the bench's kiosk, as `motcua device add NAME --kind printer --kiosk
    /// bench-kiosk` makes it: its token.
    pub fn add_printer(&self, name: &str) -> Result<String> {
        let conn = store::open_for_admin(&self.dir).map_err(|e| anyhow!("open: {e}"))?;
        let (_, token) = motcua_web::accounts::add_printer(&conn, name, "bench-kiosk", now_ms())
            .map_err(|e| anyhow!("add printer: {e:?}"))?;
        Ok(token)
    }

    /// A member of staff, as `motcua user add NAME --role ROLE` makes them: their password.
    pub fn add_staff(&self, name: &str, role: Role) -> Result<String> {
        let conn = store::open_for_admin(&self.dir).map_err(|e| anyhow!("open: {e}"))?;
        let password = format!("{name}-bench-pw");
        motcua_web::accounts::add_user(&conn, name, role, &password, now_ms())
            .map_err(|e| anyhow!("add {name}: {e:?}"))?;
        Ok(password)
    }

    pub async fn shut_down(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // Upgraded sockets may keep a graceful shutdown waiting: do not wait long.
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
    }

    /// Read the hall's database (its own file, on a connection of the bench's).
    pub fn read_db<T>(
        &self,
        read: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> Result<T> {
        let conn = rusqlite::Connection::open_with_flags(
            self.dir.join(store::backup::DATABASE_FILE),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        Ok(read(&conn)?)
    }

    /// Snapshots sent to feeds that fell behind.
    pub fn resyncs(&self) -> u64 {
        self.state.hub.stats.resyncs.load(Ordering::Relaxed)
    }

    pub fn frames_sent(&self) -> u64 {
        self.state.hub.stats.frames_sent.load(Ordering::Relaxed)
    }

    /// Tickets waiting in the whole hall, as `/metrics` counts them.
    pub async fn waiting(&self, http: &reqwest::Client) -> Result<u64> {
        let text = http
            .get(format!("{}/metrics", self.base))
            .send()
            .await?
            .text()
            .await?;
        Ok(text
            .lines()
            .filter(|l| l.starts_with("motcua_waiting{"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum())
    }
}

pub fn http_client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .tcp_nodelay(true)
        .timeout(PATIENCE)
        .build()?)
}

/// One ticket in `field`: Ok(true) when issued (201), Ok(false) on another status.
pub async fn issue(http: &reqwest::Client, url: &str, token: &str, field: &str) -> Result<bool> {
    let resp = http
        .post(url)
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(format!(r#"{{"service":"{field}"}}"#))
        .send()
        .await?;
    let status = resp.status().as_u16();
    // Read the whole body so the connection goes back to the pool.
    let _ = resp.bytes().await?;
    Ok(status == 201)
}

/// The field of the `i`th ticket of a load spread over every field.
pub fn field_of(i: usize) -> &'static str {
    FIELDS[i % FIELDS.len()]
}

/// What the kiosk's answer says about a ticket it issued.
#[derive(Deserialize)]
pub struct Issued {
    pub id: i64,
    /// The phone's key to `/ws/tickets/{token}` (printed as a QR code on the paper).
    pub token: String,
}

/// Issue `n` tickets from many kiosk clients at once, the `i`th in `fields[i % len]`, as
/// fast as the hall takes them: to fill a waiting list, not to time it. Gives up after
/// `within`. The answers come in the order the hall answered, not the order sent.
pub async fn fill(
    http: &reqwest::Client,
    hall: &Hall,
    fields: &[&str],
    n: usize,
    within: Duration,
) -> Result<Vec<Issued>> {
    let url = format!("{}/api/tickets", hall.base);
    let started = Instant::now();
    let issued: Vec<Result<Issued>> = futures_util::stream::iter(0..n)
        .map(|i| {
            let (url, field) = (&url, fields[i % fields.len()]);
            async move {
                if started.elapsed() > within {
                    bail!("the hall took more than {within:?} to issue {n} tickets");
                }
                let resp = http
                    .post(url)
                    .bearer_auth(&hall.kiosk)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(format!(r#"{{"service":"{field}"}}"#))
                    .send()
                    .await?;
                if resp.status() != 201 {
                    bail!("issue in {field}: {}", resp.status());
                }
                Ok(resp.json::<Issued>().await?)
            }
        })
        .buffer_unordered(FILL_AT_ONCE)
        .collect()
        .await;
    issued.into_iter().collect()
}

/// Kiosk requests in flight while filling a waiting list.
const FILL_AT_ONCE: usize = 64;

/// A clerk signed in, with a counter open.
pub struct Clerk {
    /// The clerk's browser: the session cookie rides on it.
    pub http: reqwest::Client,
    pub counter: u16,
    base: String,
}

impl Clerk {
    /// `clerk{index + 1}` signs in and opens `counter`.
    pub async fn sign_in(hall: &Hall, index: usize, counter: u16) -> Result<Clerk> {
        let (name, password) = &hall.clerks[index];
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .tcp_nodelay(true)
            .timeout(PATIENCE)
            .build()?;
        let resp = http
            .post(format!("{}/api/session", hall.base))
            .json(&serde_json::json!({"name": name, "password": password}))
            .send()
            .await?;
        if resp.status() != 200 {
            bail!(
                "login {name}: {} {}",
                resp.status(),
                resp.text().await.unwrap_or_default()
            );
        }
        let resp = http
            .post(format!("{}/api/counters/{counter}/open", hall.base))
            .send()
            .await?;
        if resp.status() != 200 {
            bail!(
                "open counter {counter}: {} {}",
                resp.status(),
                resp.text().await.unwrap_or_default()
            );
        }
        Ok(Clerk {
            http,
            counter,
            base: hall.base.clone(),
        })
    }

    pub fn call_next_url(&self) -> String {
        format!("{}/api/counters/{}/call-next", self.base, self.counter)
    }

    /// Press a ticket's button (start, finish, no-show, ...); anything but 200 is an error.
    pub async fn act(&self, ticket: i64, action: &str) -> Result<()> {
        let resp = self
            .http
            .post(format!("{}/api/tickets/{ticket}/{action}", self.base))
            .send()
            .await?;
        if resp.status() != 200 {
            bail!(
                "{action} {ticket}: {} {}",
                resp.status(),
                resp.text().await.unwrap_or_default()
            );
        }
        Ok(())
    }

    /// Serve a called ticket to the end (start, then finish), so the counter is free.
    pub async fn serve(&self, ticket: i64) -> Result<()> {
        self.act(ticket, "start").await?;
        self.act(ticket, "finish").await
    }
}

/// The id of the ticket in a call-next answer.
pub fn called_id(body: &str) -> Result<i64> {
    #[derive(Deserialize)]
    struct Called {
        id: i64,
    }
    Ok(serde_json::from_str::<Called>(body)
        .context("called ticket")?
        .id)
}

/// A WebSocket client's end of a live feed.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The next text frame of a feed (pings skipped), within [`PATIENCE`].
pub async fn next_text(socket: &mut Socket) -> Result<String> {
    loop {
        let message = tokio::time::timeout(PATIENCE, socket.next())
            .await
            .map_err(|_| anyhow!("no frame within {PATIENCE:?}"))?
            .ok_or_else(|| anyhow!("the feed closed"))??;
        match message {
            Message::Text(text) => return Ok(text.as_str().to_owned()),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => bail!("unexpected frame {other:?}"),
        }
    }
}

/// Raise the open-file limit to the hard limit; returns the limit now in force.
pub fn raise_open_files() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024)
}
