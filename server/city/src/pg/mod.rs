//! The collector's store on PostgreSQL (`--database postgres://…`): what a city or a
//! province runs when one SQLite file is not enough, or when its data centre wants a
//! database it can back up, replicate and point its BI tools at.
//!
//! Several collector processes may share one database: a batch is taken in one
//! transaction that first locks its hall's row (`SELECT … FOR UPDATE`), so a hall's batches
//! are stored one at a time, in order, whichever process each reached; a duplicate is
//! acknowledged, a gap refused, and no process keeps anything of a hall between batches.
//!
//! What it keeps: the events in monthly partitions ([`partitions`], dropped whole after
//! `retention_months`), each ticket's visits folded in memory as the hall folds them
//! ([`motcua_domain::stats::fold`]), the counters' spans and the bookings, and the figures
//! as rows that add up ([`motcua_domain::stats::rows`]): per hall, day, hour and field, per
//! hall and day, and per hall and month, kept as events arrive. One hall's own page reads
//! its visits (the same figures as the hall's); every hall side by side reads the rows.

mod admin;
mod ingest;
mod national;
pub mod partitions;
mod read;
mod schema;

pub use admin::ReaderRole;
pub use national::Region;
pub use read::RowsOf;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use motcua_store::StoreError;
use tokio_postgres::NoTls;

/// The collector's PostgreSQL database: a pool of connections (each request takes one).
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// Months of raw events kept (0: all).
    retention_months: u32,
    /// The events' partitions this process has seen made.
    partitions: std::sync::Arc<partitions::Made>,
    /// The hall-days changed are listed for the country's collector.
    forwards: bool,
    /// Told when this process lists hall-days in the outbox.
    outbox: std::sync::Arc<tokio::sync::Notify>,
}

/// How the store is reached and what it keeps.
#[derive(Debug, Clone)]
pub struct PgSettings {
    /// `postgres://user:password@host:port/database` (or the key=value form).
    pub url: String,
    /// Connections this process holds at most.
    pub pool_size: usize,
    /// Months of raw events kept; older months are dropped whole (0: kept for ever).
    pub retention_months: u32,
    /// This collector forwards its halls' days to the country's: list each hall-day that
    /// changes in the outbox. Set by `build_state` from `CitySettings::upstream`.
    pub forwards: bool,
}

impl PgSettings {
    pub fn new(url: impl Into<String>) -> PgSettings {
        PgSettings {
            url: url.into(),
            pool_size: 16,
            retention_months: 24,
            forwards: false,
        }
    }
}

/// Whether a database setting names PostgreSQL (`postgres://`, `postgresql://`).
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The URL as it may be shown: its password (if any) replaced.
pub fn redacted(url: &str) -> String {
    match url.parse::<tokio_postgres::Config>() {
        Ok(config) => {
            let hosts: Vec<String> = config
                .get_hosts()
                .iter()
                .map(|h| match h {
                    tokio_postgres::config::Host::Tcp(name) => name.clone(),
                    tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
                })
                .collect();
            format!(
                "postgres://{}@{}/{}",
                config.get_user().unwrap_or(""),
                hosts.join(","),
                config.get_dbname().unwrap_or("")
            )
        }
        Err(_) => "postgres://…".to_owned(),
    }
}

/// A database failure as the store's error: its message, never the URL.
pub(crate) fn db_error(e: tokio_postgres::Error) -> StoreError {
    match e.as_db_error() {
        Some(db) if *db.code() == tokio_postgres::error::SqlState::UNIQUE_VIOLATION => {
            StoreError::Duplicate(db.message().to_owned())
        }
        Some(db) => StoreError::Database(format!("{}: {}", db.code().code(), db.message())),
        // A connection's failure says why in its sources ("connection refused").
        None => {
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(cause) = source {
                message.push_str(": ");
                message.push_str(&cause.to_string());
                source = cause.source();
            }
            StoreError::Database(message)
        }
    }
}

fn pool_error(e: deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => db_error(e),
        other => StoreError::Database(other.to_string()),
    }
}

impl PgStore {
    /// Connect, and bring the schema up to date (one process at a time: the migration
    /// holds an advisory lock).
    pub async fn open(settings: &PgSettings) -> Result<PgStore, StoreError> {
        let config: tokio_postgres::Config = settings.url.parse().map_err(|e| {
            StoreError::Database(format!(
                "the database URL cannot be read ({e}); it is postgres://user:password@host:port/database"
            ))
        })?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(settings.pool_size.max(2))
            .build()
            .map_err(|e| StoreError::Database(e.to_string()))?;
        let store = PgStore {
            pool,
            retention_months: settings.retention_months,
            partitions: std::sync::Arc::default(),
            forwards: settings.forwards,
            outbox: std::sync::Arc::default(),
        };
        let mut client = store.client().await?;
        schema::migrate(&mut client).await?;
        drop(client);
        Ok(store)
    }

    /// Resolves when this process next lists hall-days for the country.
    pub async fn outbox_filled(&self) {
        self.outbox.notified().await;
    }

    /// A connection of the pool.
    pub(crate) async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(pool_error)
    }
}
