//! A real hall for tests: the real router on `127.0.0.1:0`, a real SQLite file in a temp
//! dir, a clock the test moves by hand, and clients that talk HTTP and WebSocket to it
//! like the kiosk, the displays and the clerks do.

pub mod browser;
pub mod city_load;
pub mod fake_printer;
pub mod official;
pub mod openapi;
pub mod pg;
pub mod print_agent;
pub mod simulation;
pub mod steps;
pub mod webhook;

use chrono::{DateTime, TimeZone, Utc};
use futures_util::StreamExt;
use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_store::clock::ManualClock;
use motcua_store::{self as store};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// 08:00 in Hanoi on a working day: the hall opens.
pub fn opening_time() -> DateTime<Utc> {
    // 01:00 UTC is 08:00 in Asia/Ho_Chi_Minh.
    Utc.with_ymd_and_hms(2026, 11, 25, 1, 0, 0)
        .single()
        .expect("a valid time")
}

/// A running hall.
pub struct TestHall {
    pub base: String,
    pub ws_base: String,
    pub clock: ManualClock,
    pub settings: Settings,
    pub state: motcua_hall::http::AppState,
    dir: DataDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
    uplink_stop: Option<oneshot::Sender<()>>,
}

/// The data dir: owned (deleted at the end) or borrowed from a previous run.
enum DataDir {
    Temp(tempfile::TempDir),
    Kept(PathBuf),
}

impl DataDir {
    fn path(&self) -> &Path {
        match self {
            DataDir::Temp(t) => t.path(),
            DataDir::Kept(p) => p,
        }
    }
}

impl TestHall {
    /// The demo hall, opening at 08:00.
    pub async fn start() -> TestHall {
        Self::start_with(Settings::default()).await
    }

    pub async fn start_with(settings: Settings) -> TestHall {
        Self::start_with_clock(settings, ManualClock::starting_at(opening_time())).await
    }

    /// A hall on a clock the test shares (with a city collector, say). Kiosks and staff
    /// issue as fast as they like: tests issue hundreds of tickets in a test millisecond
    /// (the limits have their own tests, through [`TestHall::start_limited`]). And clerks
    /// may mark a citizen absent right after the call (the minimum time has its own tests,
    /// through [`TestHall::start_with_absence_rules`]).
    pub async fn start_with_clock(mut settings: Settings, clock: ManualClock) -> TestHall {
        settings.queue.absent_after_seconds = 0;
        Self::start_with_absence_rules_on(settings, clock).await
    }

    /// A hall without issuing limits whose absence rules (`queue.absent_after_seconds`,
    /// `queue.absent_undo_minutes`) are as `settings` say, opening at 08:00.
    pub async fn start_with_absence_rules(settings: Settings) -> TestHall {
        Self::start_with_absence_rules_on(settings, ManualClock::starting_at(opening_time())).await
    }

    async fn start_with_absence_rules_on(mut settings: Settings, clock: ManualClock) -> TestHall {
        settings.limits = motcua_hall::http::issuing_limits::LimitSettings::off();
        // Tests book from one address as fast as they like (the bound has its own test).
        settings.bookings.attempts_per_minute = 100_000;
        let dir = tempfile::tempdir().expect("temp dir");
        Self::launch(settings, DataDir::Temp(dir), clock).await
    }

    /// A hall with its issuing limits as `settings` say (the defaults, unless changed).
    pub async fn start_limited(settings: Settings) -> TestHall {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = ManualClock::starting_at(opening_time());
        Self::launch(settings, DataDir::Temp(dir), clock).await
    }

    /// The demo hall on a copy of the database in `dir` (a fixture written by an earlier
    /// release, say: the original is never touched), with the clock at `at`.
    pub async fn start_on_copy_of(dir: &Path, at: DateTime<Utc>) -> TestHall {
        let copy = tempfile::tempdir().expect("temp dir");
        std::fs::copy(
            dir.join("motcua.sqlite3"),
            copy.path().join("motcua.sqlite3"),
        )
        .expect("copy the database");
        let mut settings = Settings {
            limits: motcua_hall::http::issuing_limits::LimitSettings::off(),
            ..Settings::default()
        };
        settings.queue.absent_after_seconds = 0;
        Self::launch(settings, DataDir::Temp(copy), ManualClock::starting_at(at)).await
    }

    async fn launch(settings: Settings, dir: DataDir, clock: ManualClock) -> TestHall {
        Self::launch_at("127.0.0.1:0", settings, dir, clock).await
    }

    async fn launch_at(at: &str, settings: Settings, dir: DataDir, clock: ManualClock) -> TestHall {
        // Bind first, so the address is known and the server is reachable at once.
        let listener = TcpListener::bind(at).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut hall = settings.hall().expect("valid settings");
        // Over the hall's own TLS (server.tls_cert) the addresses are https and wss.
        let (http, ws) = match settings.server.tls_cert {
            Some(_) => ("https", "wss"),
            None => ("http", "ws"),
        };
        hall.public_url = format!("{http}://{addr}");
        // The same wiring as `motcua serve`: printing, voices, store, feeds.
        let state = motcua_hall::wire(&settings, hall, dir.path(), Arc::new(clock.clone()))
            .expect("open the hall");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(motcua_hall::serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        // Reporting to a city, when the settings say where (as `motcua serve` does).
        let uplink_stop = settings.city.enabled().then(|| {
            let (stop, stopped) = oneshot::channel::<()>();
            state.uplink.start(
                state.store.clone(),
                state.clock.clone(),
                settings.city.clone(),
                async move {
                    let _ = stopped.await;
                },
            );
            stop
        });
        TestHall {
            base: format!("{http}://{addr}"),
            ws_base: format!("{ws}://{addr}"),
            clock,
            settings,
            state,
            dir,
            stop: Some(stop),
            task: Some(task),
            uplink_stop,
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Stop the server and start a new one on the same data dir (and the same clock).
    pub async fn restart(mut self) -> TestHall {
        self.shutdown().await;
        let dir = std::mem::replace(&mut self.dir, DataDir::Kept(PathBuf::new()));
        let clock = self.clock.clone();
        let settings = self.settings.clone();
        Self::launch(settings, dir, clock).await
    }

    /// Stop the server and start a new one on the same data dir and the same address, as
    /// a hall box restarting: pages and devices find it where it was.
    pub async fn restart_in_place(mut self) -> TestHall {
        self.shutdown().await;
        let at = self.base.trim_start_matches("http://").to_owned();
        let dir = std::mem::replace(&mut self.dir, DataDir::Kept(PathBuf::new()));
        let clock = self.clock.clone();
        let settings = self.settings.clone();
        Self::launch_at(&at, settings, dir, clock).await
    }

    /// Stop the server, restore `backup` (a file from `motcua backup`) over its database as
    /// `motcua restore` does, and start it again at the same address.
    /// (The backup is restored into a fresh data dir: this process still holds the old
    /// database open, which `motcua restore` would refuse.)
    pub async fn restart_restored(mut self, backup: &Path) -> TestHall {
        self.shutdown().await;
        let dir = tempfile::tempdir().expect("temp dir");
        store::backup::restore(dir.path(), backup).expect("restore the backup");
        let at = self.base.trim_start_matches("http://").to_owned();
        let clock = self.clock.clone();
        let settings = self.settings.clone();
        Self::launch_at(&at, settings, DataDir::Temp(dir), clock).await
    }

    /// A second hall on a copy of this one's database as it stands now (taken as `motcua
    /// backup` takes it, so it is whole while this hall runs), its own clock at this one's
    /// time: to play on from here without touching this hall.
    pub async fn fork(&self) -> TestHall {
        let backup = tempfile::tempdir().expect("temp dir");
        let file = backup.path().join("fork.sqlite3");
        store::backup::backup(self.data_dir(), &file).expect("back up the hall");
        let dir = tempfile::tempdir().expect("temp dir");
        store::backup::restore(dir.path(), &file).expect("restore the copy");
        let clock = ManualClock::starting_at(store::clock::Clock::now(&self.clock));
        Self::launch(self.settings.clone(), DataDir::Temp(dir), clock).await
    }

    /// Stop the server, as a hall box losing power: pages find nothing at its address (the
    /// data dir stays until the TestHall is dropped).
    pub async fn stop(&mut self) {
        self.shutdown().await;
    }

    async fn shutdown(&mut self) {
        if let Some(stop) = self.uplink_stop.take() {
            let _ = stop.send(());
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client with no credentials (a citizen's phone, a curious visitor).
    pub fn anonymous(&self) -> Client {
        Client::new(self.base.clone(), None)
    }

    /// Create a member of staff straight in the database (as `motcua user add` does) and
    /// sign them in through the API.
    pub async fn staff(&self, name: &str, role: Role) -> Client {
        let password = format!("{name}-secret-pw");
        {
            let conn = store::open_for_admin(self.data_dir()).expect("open db");
            motcua_web::accounts::add_user(&conn, name, role, &password, 0).expect("add user");
        }
        let client = Client::new(self.base.clone(), None);
        let (status, body) = client
            .post("/api/session", json!({"name": name, "password": password}))
            .await;
        assert_eq!(status, 200, "login failed: {body}");
        client
    }

    /// A client that sends `token` as its device token.
    pub fn device_with_token(&self, token: String) -> Client {
        Client::new(self.base.clone(), Some(token))
    }

    /// Sign in again as an existing member of staff (made by [`TestHall::staff`]).
    pub async fn sign_in(&self, name: &str) -> Client {
        let client = Client::new(self.base.clone(), None);
        let password = format!("{name}-secret-pw");
        let (status, body) = client
            .post("/api/session", json!({"name": name, "password": password}))
            .await;
        assert_eq!(status, 200, "login failed: {body}");
        client
    }

    /// A printer for the kiosk named `kiosk`: its token (as `motcua device add NAME --kind
    /// printer --kiosk KIOSK` prints it).
    pub fn printer(&self, name: &str, kiosk: &str) -> String {
        let conn = store::open_for_admin(self.data_dir()).expect("open db");
        let (_, token) =
            motcua_web::accounts::add_printer(&conn, name, kiosk, 0).expect("add printer");
        token
    }

    /// A kiosk, display (or, through [`TestHall::printer`], printer) with a token, as
    /// `motcua device add` makes it.
    pub fn device(&self, name: &str, kind: DeviceKind) -> Client {
        Client::new(self.base.clone(), Some(self.device_token(name, kind)))
    }

    /// A kiosk or display added as `motcua device add` does: its token, for a browser to
    /// pair with.
    pub fn device_token(&self, name: &str, kind: DeviceKind) -> String {
        let conn = store::open_for_admin(self.data_dir()).expect("open db");
        motcua_web::accounts::add_device(&conn, name, kind, 0)
            .expect("add device")
            .1
    }

    /// A clerk signed in with counter `no` open.
    pub async fn clerk_at(&self, name: &str, no: u16) -> Client {
        let clerk = self.staff(name, Role::Clerk).await;
        let (status, body) = clerk
            .post(&format!("/api/counters/{no}/open"), json!({}))
            .await;
        assert_eq!(status, 200, "open counter {no}: {body}");
        clerk
    }

    /// Open a WebSocket feed and read its first frame (the snapshot).
    pub async fn feed(&self, path: &str) -> (Socket, Value) {
        let (mut socket, _) = tokio_tungstenite::connect_async(format!("{}{}", self.ws_base, path))
            .await
            .expect("websocket connect");
        let first = next_json(&mut socket).await;
        assert_eq!(
            first["type"], "snapshot",
            "the first frame is a snapshot: {first}"
        );
        (socket, first)
    }
}

impl Drop for TestHall {
    fn drop(&mut self) {
        if let Some(stop) = self.uplink_stop.take() {
            let _ = stop.send(());
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Which database a test's collector keeps its data in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CityStore {
    /// The data dir's SQLite file (the default, and the demo's).
    Sqlite,
    /// A fresh database on the tests' PostgreSQL ([`pg`]).
    Postgres,
}

/// A running city collector: the real `motcua city serve` router on `127.0.0.1:0`, its
/// database (its own SQLite file, or a fresh PostgreSQL database) and master key in a temp
/// dir, and the clock the test moves (give it the halls' clock: batches are signed with
/// the time they are sent).
pub struct TestCity {
    pub base: String,
    pub state: motcua_city::CityState,
    pub database: motcua_city::db::Database,
    settings: motcua_city::CitySettings,
    dir: DataDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestCity {
    pub async fn start(clock: ManualClock) -> TestCity {
        Self::start_on(CityStore::Sqlite, clock).await
    }

    pub async fn start_on(store: CityStore, clock: ManualClock) -> TestCity {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = match store {
            CityStore::Sqlite => motcua_city::db::Database::Sqlite,
            CityStore::Postgres => motcua_city::db::Database::Postgres(
                motcua_city::pg::PgSettings::new(pg::database().await),
            ),
        };
        let settings = motcua_city::CitySettings::default();
        Self::launch("127.0.0.1:0", DataDir::Temp(dir), database, settings, clock).await
    }

    /// A province's collector on PostgreSQL that forwards its halls' days to `upstream`
    /// (the country's collector), retrying every second while it is down.
    pub async fn start_forwarding(
        clock: ManualClock,
        upstream: motcua_city::national::Upstream,
    ) -> TestCity {
        let dir = tempfile::tempdir().expect("temp dir");
        let pg = motcua_city::pg::PgSettings::new(pg::database().await);
        let settings = motcua_city::CitySettings {
            upstream: Some(upstream),
            ..Default::default()
        };
        let database = motcua_city::db::Database::Postgres(pg);
        Self::launch("127.0.0.1:0", DataDir::Temp(dir), database, settings, clock).await
    }

    /// Register a province's collector here (the country's), as `motcua city region add`
    /// does: how it forwards to this collector.
    pub async fn register_region(&self, name: &str) -> motcua_city::national::Upstream {
        let master = motcua_city::store::master_key(self.data_dir()).expect("master key");
        let pg = self
            .state
            .store
            .rows()
            .expect("the country's collector is on PostgreSQL");
        let region = pg
            .register_region(&master, name, 0)
            .await
            .expect("register the region");
        motcua_city::national::Upstream {
            url: self.base.clone(),
            code: region.code,
            secret: region.secret,
            retry_max: std::time::Duration::from_secs(1),
        }
    }

    /// A second collector process on the same database and master key, at its own address
    /// (as several processes behind one proxy): PostgreSQL only.
    pub async fn another_process(&self, clock: ManualClock) -> TestCity {
        assert!(
            matches!(self.database, motcua_city::db::Database::Postgres(_)),
            "collector processes share a PostgreSQL database"
        );
        let dir = DataDir::Kept(self.data_dir().to_owned());
        let settings = self.settings.clone();
        Self::launch("127.0.0.1:0", dir, self.database.clone(), settings, clock).await
    }

    async fn launch(
        at: &str,
        dir: DataDir,
        database: motcua_city::db::Database,
        settings: motcua_city::CitySettings,
        clock: ManualClock,
    ) -> TestCity {
        let listener = TcpListener::bind(at).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state =
            motcua_city::build_state(dir.path(), &database, Arc::new(clock), settings.clone())
                .await
                .expect("open the collector");
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(motcua_city::serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        TestCity {
            base: format!("http://{addr}"),
            state,
            database,
            settings,
            dir,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// The collector goes down (its data stays); [`TestCity::start_again`] brings it back
    /// at the same address.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    pub async fn start_again(mut self, clock: ManualClock) -> TestCity {
        self.stop().await;
        let at = self.base.trim_start_matches("http://").to_owned();
        let dir = std::mem::replace(&mut self.dir, DataDir::Kept(PathBuf::new()));
        let settings = self.settings.clone();
        Self::launch(&at, dir, self.database.clone(), settings, clock).await
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Register a hall as `motcua city hall add` does: its code and secret.
    pub fn register(&self, name: &str) -> (String, String) {
        let master = motcua_city::store::master_key(self.data_dir()).expect("master key");
        let now = motcua_store::clock::Clock::now(&*self.state.clock).timestamp_millis();
        let hall = match &self.database {
            motcua_city::db::Database::Sqlite => {
                let conn = motcua_city::store::open_for_admin(self.data_dir()).expect("open db");
                motcua_city::store::register_hall(&conn, &master, name, now).expect("register")
            }
            // As the command does: a process of its own, with its own connection.
            motcua_city::db::Database::Postgres(settings) => {
                let (settings, name) = (settings.clone(), name.to_owned());
                std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    runtime.block_on(async {
                        let pg = motcua_city::pg::PgStore::open(&settings)
                            .await
                            .expect("open the database");
                        pg.register_hall(&master, &name, now)
                            .await
                            .expect("register")
                    })
                })
                .join()
                .expect("register")
            }
        };
        (hall.code, hall.secret)
    }

    /// Say which province a hall belongs to, as `motcua city hall province` does.
    pub async fn set_province(&self, code: &str, province: &str) {
        self.state
            .store
            .set_province(code.to_owned(), province.to_owned())
            .await
            .expect("set the province");
    }

    /// The city's copy of a hall's log: how many events, the first and the last number.
    pub async fn log_of(&self, code: &str) -> (i64, i64, i64) {
        self.state
            .store
            .log_of(code.to_owned())
            .await
            .expect("the city's log")
    }

    /// A hall's `[city]` settings for reporting here.
    pub fn uplink(&self, code: &str, secret: &str) -> motcua_hall::config::UplinkSettings {
        motcua_hall::config::UplinkSettings {
            url: self.base.clone(),
            hall: code.to_owned(),
            secret: secret.to_owned(),
            batch_events: 50,
            retry_max_seconds: 1,
            ..Default::default()
        }
    }

    /// A member of the city office, signed in.
    pub async fn staff(&self, name: &str, role: Role) -> Client {
        let password = format!("{name}-secret-pw");
        self.state
            .store
            .add_user(name.to_owned(), role, password.clone(), &[], 0)
            .await
            .expect("add user");
        let client = Client::new(self.base.clone(), None);
        let (status, body) = client
            .post("/api/session", json!({"name": name, "password": password}))
            .await;
        assert_eq!(status, 200, "login failed: {body}");
        client
    }

    pub fn anonymous(&self) -> Client {
        Client::new(self.base.clone(), None)
    }
}

impl Drop for TestCity {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A small deterministic random source (xorshift), so a failing test or a bench can be
/// replayed from its seed. (A seed of 0 would repeat 0 forever: it is taken as 1.)
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed.max(1))
    }
    pub fn roll(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// 0 to `n - 1`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.roll() % n
    }
    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// `lo` to `hi`, both included.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
}

/// Wait (at most 30 s) until `done` holds, asking again every 50 ms: for what a test cannot
/// be told of, such as another server catching up.
pub async fn until<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = std::time::Instant::now();
    while !done().await {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "gave up waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The next JSON text frame of a feed (pings skipped). Waits at most 10 s so a broken
/// feed fails the test instead of hanging it.
pub async fn next_json(socket: &mut Socket) -> Value {
    let wait = std::time::Duration::from_secs(10);
    loop {
        let message = tokio::time::timeout(wait, socket.next())
            .await
            .expect("a frame within 10 s")
            .expect("the feed is open")
            .expect("a valid frame");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).expect("JSON frame"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

/// Read frames until one of `kind` arrives (feeds also carry other events).
pub async fn next_event(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let frame = next_json(socket).await;
        if frame["kind"] == kind {
            return frame;
        }
    }
}

/// An HTTP client as the kiosk, a clerk's browser or a phone would be.
#[derive(Clone)]
pub struct Client {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

impl Client {
    fn new(base: String, token: Option<String>) -> Client {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("http client");
        Client { base, http, token }
    }

    fn auth(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    async fn answer(resp: reqwest::Response) -> (u16, Value) {
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, body)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let resp = self
            .auth(self.http.get(format!("{}{}", self.base, path)))
            .send()
            .await
            .expect("request");
        Self::answer(resp).await
    }

    /// GET a download: status, content type and the raw bytes.
    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let resp = self
            .auth(self.http.get(format!("{}{}", self.base, path)))
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let bytes = resp.bytes().await.expect("body").to_vec();
        (status, content_type, bytes)
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .auth(self.http.post(format!("{}{}", self.base, path)).json(&body))
            .send()
            .await
            .expect("request");
        Self::answer(resp).await
    }

    /// POST a raw body with a content type, for bad-input tests.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let resp = self
            .auth(
                self.http
                    .post(format!("{}{}", self.base, path))
                    .header("content-type", content_type)
                    .body(body),
            )
            .send()
            .await
            .expect("request");
        Self::answer(resp).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .auth(self.http.put(format!("{}{}", self.base, path)).json(&body))
            .send()
            .await
            .expect("request");
        Self::answer(resp).await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        let resp = self
            .auth(self.http.delete(format!("{}{}", self.base, path)))
            .send()
            .await
            .expect("request");
        Self::answer(resp).await
    }

    /// Issue a ticket; panics unless it was issued.
    pub async fn issue(&self, service: &str, priority: &str) -> Value {
        let (status, body) = self
            .post(
                "/api/tickets",
                json!({"service": service, "priority": priority}),
            )
            .await;
        assert_eq!(status, 201, "issue a ticket in {service}: {body}");
        body
    }

    /// Press a ticket button (recall, start, finish, ...); returns status and body.
    pub async fn act(&self, ticket: &Value, action: &str, body: Value) -> (u16, Value) {
        let id = ticket["id"].as_i64().expect("ticket id");
        self.post(&format!("/api/tickets/{id}/{action}"), body)
            .await
    }

    /// Press Next at a counter: Some(ticket), or None when nobody waits.
    pub async fn call_next(&self, counter: u16) -> Option<Value> {
        let (status, body) = self
            .post(&format!("/api/counters/{counter}/call-next"), json!({}))
            .await;
        match status {
            200 => Some(body),
            204 => None,
            _ => panic!("call-next at {counter}: {status} {body}"),
        }
    }
}

/// The error code of an error body.
pub fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}
