//! The hall application: one server per service point (a hall).
//!
//! - [`app`]: what each command does (issue, call, recall, ...) and the read models, on
//!   the store's transaction; its feed of committed changes;
//! - [`live`]: WebSocket feeds for displays, consoles and phones, built from that feed;
//! - [`http`]: the JSON API, the pages and the route table (the web edge);
//! - [`printing`], [`uplink`], [`announce`]: the printers, the report to the city, the
//!   spoken calls;
//! - [`config`]: the settings, and [`wire`], which builds the hall from them.
//!
//! Below it: `motcua_domain` (the rules, plain Rust), `motcua_store` (SQLite) and
//! `motcua_web` (what the hall and the city's collector share at the web edge). The
//! `motcua` binary parses the command line and calls [`wire`] and [`serve`]; the tests and
//! the benches call the same two on `127.0.0.1:0`.

pub mod access;
pub mod alerts;
pub mod announce;
pub mod app;
pub mod config;
pub mod http;
pub mod live;
pub mod planning;
pub mod printing;
pub mod setup;
pub mod uplink;

use config::{ConfigError, Settings};
use http::{AppState, Limits};
use live::Hub;
use motcua_domain::Hall;
use motcua_store::clock::Clock;
use motcua_store::{Store, StoreError};
use printing::Printing;
use std::path::Path;
use std::sync::Arc;

/// Why the hall could not be built.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error(transparent)]
    Settings(#[from] ConfigError),
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
}

/// Build the hall from its settings, on the database in `data_dir`: printing, voices,
/// the store, the application and its live feeds. The one wiring the `motcua` command,
/// the tests and the benches use. `hall` is `settings.hall()` with the address the server
/// is reached at.
pub fn wire(
    settings: &Settings,
    hall: Hall,
    data_dir: &Path,
    clock: Arc<dyn Clock>,
) -> Result<AppState, WireError> {
    // Every setting is read (and refused, naming it) before the database is touched.
    let printing = Printing::new(
        settings.direct_printers()?,
        settings.printing.footer.clone(),
        std::time::Duration::from_secs(settings.printing.job_expiry_seconds),
        std::time::Duration::from_secs(settings.printing.status_every_seconds.max(1)),
        clock.clone(),
        hall.tz,
    );
    let limits = Limits {
        body_bytes: settings.server.body_limit_bytes,
    };
    let proxies =
        motcua_web::client::TrustedProxies::new(settings.server.trusted_proxies.iter().copied());
    let connections = motcua_web::connections::Connections::new(
        settings.server.connections()?,
        settings.server.tls()?,
        proxies.clone(),
    );
    // The sections changed on the admin pages win over the file's (see `setup`).
    let setup = setup::Setup::new(settings.clone());
    let hall = setup.apply_stored(motcua_store::settings::stored_in(data_dir)?, hall);
    let alerts = alerts::Alerts::new(&setup)?;
    let store = Store::open(data_dir, Arc::new(hall), clock.clone())?;
    let app = app::App::new(store.clone());
    let hub = Hub::new().with_clock(clock.clone());
    hub.follow(&app);
    let access = access::Access::new(clock.clone());
    access.watch(data_dir.join(motcua_store::backup::DATABASE_FILE));
    let issuing =
        http::issuing_limits::IssuingLimits::new(&settings.limits, clock.clone(), store.hall());
    let sign_ins = motcua_web::session::SignIns::new(motcua_web::hashing::HashingSettings {
        threads: settings.server.hashing_threads,
        ..Default::default()
    });
    Ok(AppState {
        app,
        store,
        hub,
        clock: clock.clone(),
        limits,
        printing,
        announcer: announce::Announcer::new(&setup.current().announcements),
        bookings: http::booking_edge::BookingEdge::new(&setup, clock.clone()),
        setup,
        uplink: uplink::Uplink::default(),
        proxies,
        access,
        issuing,
        connections,
        sign_ins,
        alerts,
    })
}

pub use http::serve;
