//! Reporting to the city: the wire format both sides share ([`protocol`]), the city's
//! collector (`motcua city serve`: [`store`], [`http`]) that takes every hall's signed
//! batches and computes the same figures as the halls, with the same code.
//!
//! The hall's side, the store-and-forward uplink, is [`crate::uplink`].

pub mod db;
pub mod http;
pub mod national;
pub mod pg;
pub mod plausible;
pub mod store;

use motcua_store::StoreError;
use motcua_store::clock::Clock;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;

pub use http::{CitySettings, CityState};

/// Open the collector's database (the data dir's SQLite file, or PostgreSQL) and its
/// master key (always in the data dir, never in the database), and build its state.
pub async fn build_state(
    data_dir: &Path,
    database: &db::Database,
    clock: Arc<dyn Clock>,
    settings: CitySettings,
) -> Result<CityState, StoreError> {
    // A collector with an upstream lists its changed hall-days for it: only the figure rows
    // of PostgreSQL can be forwarded.
    let mut database = database.clone();
    match (&mut database, &settings.upstream) {
        (db::Database::Postgres(pg), Some(_)) => pg.forwards = true,
        (db::Database::Sqlite, Some(_)) => {
            return Err(StoreError::Database(
                "--upstream forwards the figure rows a collector on PostgreSQL keeps: give --database postgres://…".into(),
            ));
        }
        _ => {}
    }
    let store = db::Db::open(data_dir, &database).await?;
    let master = store::master_key(data_dir)?;
    let connections = motcua_web::connections::Connections::new(
        settings.connections.clone(),
        settings.tls.clone(),
        settings.trusted_proxies.clone(),
    );
    Ok(CityState {
        connections,
        store,
        master: Arc::new(master),
        clock,
        settings: Arc::new(settings),
        counts: Arc::default(),
        sign_ins: motcua_web::session::SignIns::default(),
    })
}

/// Serve the collector on `listener` until `shutdown` resolves, behind the connection
/// guard (`motcua_web::connections`: caps, timeouts, TLS).
pub async fn serve(
    listener: TcpListener,
    state: CityState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let connections = state.connections.clone();
    // On PostgreSQL: this month's and next month's partitions made, months past the
    // retention dropped, at start and every hour.
    let partitions = state.store.rows().cloned().map(|pg| {
        let clock = state.clock.clone();
        tokio::spawn(async move {
            let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                every_hour.tick().await;
                let now = motcua_store::millis(clock.now());
                if let Err(error) = pg.keep_partitions(now).await {
                    tracing::warn!(%error, "the events' partitions could not be kept");
                }
            }
        })
    });
    // A province's collector forwards its halls' days to the country's.
    let forwarding = match (state.store.rows(), &state.settings.upstream) {
        (Some(pg), Some(upstream)) => Some(tokio::spawn(national::forward(
            pg.clone(),
            upstream.clone(),
            state.clock.clone(),
        ))),
        _ => None,
    };
    let app = http::router(state).layer(tower_http::trace::TraceLayer::new_for_http());
    let served = motcua_web::connections::serve(listener, app, connections, shutdown).await;
    for task in [partitions, forwarding].into_iter().flatten() {
        task.abort();
    }
    served
}
