//! Storage: one SQLite file in WAL mode.
//!
//! A single writer thread owns the write connection. Handlers send it jobs over a channel
//! and wait for the reply on a oneshot, so the async workers never block on SQLite and two
//! clerks pressing Next at once are simply served one after the other. The writer groups
//! the jobs that are queued together into one transaction (each in its own savepoint, so
//! one refused job does not undo the others) and answers only after the COMMIT with
//! `synchronous=FULL` has returned: an acknowledged ticket is on disk. Live updates are
//! published after the commit, never before.
//!
//! Reads go to a small pool of read-only connections on the blocking thread pool.

pub mod accounts;
pub mod backup;
pub mod bookings;
pub mod clock;
pub mod complaints;
pub mod counters;
pub mod dossier_ratings;
pub mod dossiers;
pub mod events;
pub mod pairings;
pub mod print_jobs;
pub mod private;
pub mod settings;
pub mod staffing_plans;
pub mod stats;
pub mod tickets;
pub mod uplink;

use crate::clock::Clock;
use chrono::{DateTime, Utc};
use motcua_domain::Hall;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::oneshot;

/// The migrations, in order; `pragma user_version` counts how many have run.
/// The statistics tables' schema, which the city's collector shares.
pub const STATISTICS_SCHEMA: &str = include_str!("../migrations/005_statistics.sql");
/// The bookings' figures (and the booked mark of visits), shared with the collector too.
pub const BOOKING_FIGURES_SCHEMA: &str = include_str!("../migrations/014_booking_figures.sql");
/// The figures' tables for dossiers, reasons and complaints: the city's collector has them too.
pub const DOSSIER_FIGURES_SCHEMA: &str = include_str!("../migrations/015_dossier_figures.sql");

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/001_init.sql"),
    include_str!("../migrations/002_printing.sql"),
    include_str!("../migrations/003_waiting_counts.sql"),
    include_str!("../migrations/004_request_ids.sql"),
    include_str!("../migrations/005_statistics.sql"),
    include_str!("../migrations/006_uplink.sql"),
    include_str!("../migrations/007_queue_heads.sql"),
    include_str!("../migrations/008_open_tickets_by_day.sql"),
    include_str!("../migrations/009_revocation.sql"),
    include_str!("../migrations/010_ticket_issuers.sql"),
    include_str!("../migrations/011_rating_source.sql"),
    include_str!("../migrations/012_print_job_keys.sql"),
    include_str!("../migrations/013_bookings.sql"),
    BOOKING_FIGURES_SCHEMA,
    DOSSIER_FIGURES_SCHEMA,
    include_str!("../migrations/016_complaints.sql"),
    include_str!("../migrations/017_result_pickup.sql"),
    include_str!("../migrations/018_admin.sql"),
    include_str!("../migrations/019_pairings.sql"),
    include_str!("../migrations/020_notices.sql"),
    include_str!("../migrations/021_staffing_plans.sql"),
];

/// How many queued jobs the writer may put in one transaction.
const MAX_BATCH: usize = 256;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the database was written by a newer motcua (schema {found}, this build knows {known}); upgrade motcua"
    )]
    TooNew { found: i64, known: i64 },
    #[error("the storage thread has stopped")]
    Stopped,
    /// A row with this name exists already (a unique key refused it).
    #[error("{0} exists already")]
    Duplicate(String),
    #[error("the commit failed: {0}")]
    CommitFailed(String),
    #[error("a reader failed: {0}")]
    ReaderFailed(String),
    /// A database server's failure (the collector's PostgreSQL): its message, never the
    /// address or password it was reached with.
    #[error("the database: {0}")]
    Database(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// What a caller's error must be able to say of the store's own failures (the storage
/// thread stopped, the commit failed): each caller keeps its own error type.
pub trait FromStore: From<StoreError> + Send + 'static {}
impl<E: From<StoreError> + Send + 'static> FromStore for E {}

/// What a job sees: the open transaction and the time of the job. What it asks to run
/// after the commit ([`Tx::after_commit`]) runs on the writer thread in commit order, and
/// not at all if the job is refused or the commit fails.
pub struct Tx<'a> {
    pub conn: &'a Connection,
    pub now: DateTime<Utc>,
    after_commit: Vec<AfterCommit>,
}

type AfterCommit = Box<dyn FnOnce() + Send>;

impl Tx<'_> {
    pub fn after_commit(&mut self, then: impl FnOnce() + Send + 'static) {
        self.after_commit.push(Box::new(then));
    }
}

/// Run by the writer before each batch of jobs, in a savepoint of its own.
type BeforeBatch = Box<dyn FnMut(&mut Tx<'_>) -> Result<(), String> + Send>;

type Deliver = Box<dyn FnOnce(Option<&StoreError>) + Send>;
/// A job runs in the open transaction and says whether it succeeded (else its savepoint
/// is rolled back); its answer is delivered after the commit.
type Job = Box<dyn for<'a> FnOnce(&mut Tx<'a>) -> (bool, Deliver) + Send>;

/// The handle every part of the server holds. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    jobs: mpsc::Sender<Job>,
    readers: Readers,
    before_batch: Arc<Mutex<Option<BeforeBatch>>>,
    hall: HallCell,
}

/// The hall as configured now: read afresh for each request or command (the admin pages
/// change it while the hall runs), never kept across them. Cheap to clone.
#[derive(Clone)]
pub struct HallCell(Arc<std::sync::RwLock<Arc<Hall>>>);

impl HallCell {
    pub fn new(hall: Arc<Hall>) -> Self {
        HallCell(Arc::new(std::sync::RwLock::new(hall)))
    }

    /// The hall as it is now.
    pub fn get(&self) -> Arc<Hall> {
        match self.0.read() {
            Ok(hall) => hall.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// From now on, the hall is `hall`.
    pub fn set(&self, hall: Arc<Hall>) {
        match self.0.write() {
            Ok(mut slot) => *slot = hall,
            Err(poisoned) => *poisoned.into_inner() = hall,
        }
    }
}

impl Store {
    /// Open (creating and migrating if needed) the database in `data_dir` and start the
    /// writer thread.
    pub fn open(
        data_dir: &Path,
        hall: Arc<Hall>,
        clock: Arc<dyn Clock>,
    ) -> Result<Store, StoreError> {
        private::dir(data_dir)?;
        let path = data_dir.join("motcua.sqlite3");
        let mut conn = open_writer(&path)?;
        migrate(&mut conn)?;
        stats::fold_history(&conn, &hall)?;
        let numbers: Vec<_> = hall.counters.iter().map(|c| c.no).collect();
        counters::prepare(&conn, &numbers)?;
        let (jobs, rx) = mpsc::channel::<Job>();
        let before_batch: Arc<Mutex<Option<BeforeBatch>>> = Arc::default();
        let writer_before = before_batch.clone();
        std::thread::Builder::new()
            .name("motcua-writer".into())
            .spawn(move || run_writer(conn, rx, clock, writer_before))?;
        Ok(Store {
            jobs,
            readers: Readers::new(path),
            before_batch,
            hall: HallCell::new(hall),
        })
    }

    /// The hall as configured now (see [`HallCell`]).
    pub fn hall(&self) -> Arc<Hall> {
        self.hall.get()
    }

    /// The cell the hall is read from, for whoever changes it (the admin pages' settings).
    pub fn hall_cell(&self) -> &HallCell {
        &self.hall
    }

    /// Have the writer run `hook` before each batch of jobs (a new day's closing, say),
    /// in a savepoint of its own: refused, it leaves nothing written.
    pub fn before_each_batch<E: std::fmt::Display>(
        &self,
        mut hook: impl FnMut(&mut Tx<'_>) -> Result<(), E> + Send + 'static,
    ) {
        let hook: BeforeBatch = Box::new(move |tx| hook(tx).map_err(|e| e.to_string()));
        if let Ok(mut slot) = self.before_batch.lock() {
            *slot = Some(hook);
        }
    }

    /// Run `job` in the writer's transaction; the answer comes after the commit.
    pub async fn write<T, E, F>(&self, job: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: FromStore,
        F: for<'a> FnOnce(&mut Tx<'a>) -> Result<T, E> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T, E>>();
        let job: Job = Box::new(move |ctx| {
            let outcome = job(ctx);
            let succeeded = outcome.is_ok();
            let deliver: Deliver = Box::new(move |commit_error: Option<&StoreError>| {
                let outcome = match (outcome, commit_error) {
                    (Ok(_), Some(e)) => Err(E::from(StoreError::CommitFailed(e.to_string()))),
                    (outcome, _) => outcome,
                };
                // The caller may have gone (client hung up): the change stands regardless.
                let _ = reply.send(outcome);
            });
            (succeeded, deliver)
        });
        self.jobs
            .send(job)
            .map_err(|_| E::from(StoreError::Stopped))?;
        answer.await.map_err(|_| E::from(StoreError::Stopped))?
    }

    /// Run `query` on a read-only connection, off the async workers.
    pub async fn read<T, E, F>(&self, query: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: FromStore,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        self.readers.run(query).await
    }
}

pub fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    // For the server's user only (see `private`), before SQLite makes it with 0644.
    private::database(path)?;
    let conn = Connection::open(path)?;
    configure(&conn)?;
    // WAL lets readers and the command-line tools work beside the server; FULL makes each
    // commit durable before we acknowledge it.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Open the database for a command-line tool (user add, device add) that may run while
/// the server is serving: an ordinary connection that waits its turn to write.
pub fn open_for_admin(data_dir: &Path) -> Result<Connection, StoreError> {
    private::dir(data_dir)?;
    let mut conn = open_writer(&data_dir.join("motcua.sqlite3"))?;
    migrate(&mut conn)?;
    Ok(conn)
}

/// Bring the schema up to date, refusing a database from a newer motcua.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_with(conn, MIGRATIONS)
}

/// Run the `migrations` a database has not had yet (counted by `pragma user_version`),
/// each in its own transaction; refuse a database that has had more than we know.
pub fn migrate_with(conn: &mut Connection, migrations: &[&str]) -> Result<(), StoreError> {
    let known = migrations.len() as i64;
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if found > known {
        return Err(StoreError::TooNew { found, known });
    }
    // A migration may make a table again (SQLite cannot change a CHECK in place): foreign
    // keys are off while it runs (they cannot be switched inside a transaction), and every
    // reference is checked before it commits.
    let enforced: bool = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
    if found < known {
        conn.pragma_update(None, "foreign_keys", "OFF")?;
    }
    for (i, sql) in migrations.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
        tx.execute_batch(sql)?;
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        if let Some(table) = broken {
            return Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                Some(format!(
                    "migration {} left a broken reference in {table}",
                    i + 1
                )),
            )));
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
        tracing::info!(version = i + 1, "database migrated");
    }
    conn.pragma_update(None, "foreign_keys", enforced)?;
    Ok(())
}

fn run_writer(
    conn: Connection,
    rx: mpsc::Receiver<Job>,
    clock: Arc<dyn Clock>,
    before_batch: Arc<Mutex<Option<BeforeBatch>>>,
) {
    // Block for the first job, then take whatever else is already queued.
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut tx = Tx {
            conn: &conn,
            now: clock.now(),
            after_commit: Vec::new(),
        };
        let mut delivers = Vec::with_capacity(batch.len());
        let begun = conn.execute_batch("BEGIN IMMEDIATE");
        if let Err(e) = begun {
            // Dropping the batch answers each caller with an error; nothing was written.
            tracing::error!(error = %e, "cannot begin a transaction");
            continue;
        }
        if let Ok(mut hook) = before_batch.lock()
            && let Some(hook) = hook.as_mut()
        {
            in_savepoint(&mut tx, |tx| match hook(tx) {
                Ok(()) => true,
                Err(e) => {
                    tracing::error!(error = %e, "the writer's hook failed; it was rolled back");
                    false
                }
            });
        }
        for job in batch {
            tx.now = clock.now().max(tx.now);
            let mut deliver = None;
            in_savepoint(&mut tx, |tx| {
                let (succeeded, then) = job(tx);
                deliver = Some(then);
                succeeded
            });
            delivers.extend(deliver);
        }
        let committed = conn.execute_batch("COMMIT").map_err(StoreError::from);
        if let Err(e) = &committed {
            tracing::error!(error = %e, "commit failed");
            let _ = conn.execute_batch("ROLLBACK");
            tx.after_commit.clear();
        }
        for deliver in delivers {
            deliver(committed.as_ref().err());
        }
        for then in tx.after_commit.drain(..) {
            then();
        }
    }
    tracing::info!("storage writer stopped");
}

/// Run `step` in a savepoint: kept if it says it succeeded, else rolled back with what it
/// asked to run after the commit. A panic in it (a bug) is rolled back too, and must not
/// take the writer (and so the hall) down with it.
fn in_savepoint(tx: &mut Tx<'_>, step: impl FnOnce(&mut Tx<'_>) -> bool) {
    let mark = tx.after_commit.len();
    if let Err(e) = tx.conn.execute_batch("SAVEPOINT job") {
        tracing::error!(error = %e, "savepoint failed");
        return;
    }
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| step(tx)));
    if ran.is_err() {
        tracing::error!("a storage job panicked; it was rolled back");
    }
    if matches!(ran, Ok(true)) {
        let _ = tx.conn.execute_batch("RELEASE job");
    } else {
        // A refused job leaves no trace and publishes nothing.
        tx.after_commit.truncate(mark);
        let _ = tx.conn.execute_batch("ROLLBACK TO job; RELEASE job");
    }
}

/// Read-only connections, reused.
#[derive(Clone)]
pub struct Readers {
    path: PathBuf,
    idle: Arc<Mutex<Vec<Connection>>>,
}

impl Readers {
    pub fn new(path: PathBuf) -> Self {
        Readers {
            path,
            idle: Arc::new(Mutex::new(Vec::new())),
        }
    }

    fn take(&self) -> Result<Connection, StoreError> {
        if let Some(conn) = self.idle.lock().ok().and_then(|mut idle| idle.pop()) {
            return Ok(conn);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        configure(&conn)?;
        Ok(conn)
    }

    fn give_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < 8
        {
            idle.push(conn);
        }
    }

    pub async fn run<T, E, F>(&self, query: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: FromStore,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        let readers = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = readers.take()?;
            let outcome = query(&conn);
            readers.give_back(conn);
            outcome
        })
        .await
        .map_err(|e| E::from(StoreError::ReaderFailed(e.to_string())))?
    }
}

/// Milliseconds since the epoch, as stored.
pub fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// Back from stored milliseconds.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl From<StoreError> for motcua_domain::Error {
    fn from(e: StoreError) -> Self {
        motcua_domain::Error::internal(e)
    }
}
