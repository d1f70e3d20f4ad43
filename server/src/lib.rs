//! motcua: the hall server of a one-stop public-service hall (bộ phận một cửa).
//!
//! - [`domain`]: the queue's rules (tickets, numbering, whom to call), plain Rust;
//! - [`store`]: SQLite, one writer thread, the event log;
//! - [`http`]: the JSON API and the route table;
//! - [`live`]: WebSocket feeds for displays, consoles and phones;
//! - [`config`], [`clock`]: settings and time.
//!
//! `main.rs` only parses the command line; tests start the same [`start`] on
//! `127.0.0.1:0`.

pub mod announce;
pub mod app;
pub mod backup;
pub mod city;
pub mod clock;
pub mod config;
pub mod domain;
pub mod http;
pub mod live;
pub mod printing;
pub mod store;
pub mod uplink;

use clock::Clock;
use domain::Hall;
use http::{AppState, Limits};
use live::Hub;
use printing::Printing;
use std::path::Path;
use std::sync::Arc;
use store::{Store, StoreError};

/// Open the hall's database in `data_dir` and build the state the server runs on, with
/// printing through agents only.
pub fn build_state(
    data_dir: &Path,
    hall: Hall,
    clock: Arc<dyn Clock>,
    limits: Limits,
) -> Result<AppState, StoreError> {
    let printing = Printing::new(
        Vec::new(),
        String::new(),
        std::time::Duration::from_secs(120),
        clock.clone(),
        hall.tz,
    );
    build_state_with(data_dir, hall, clock, limits, printing)
}

/// As [`build_state`], with the printing set up from the settings.
pub fn build_state_with(
    data_dir: &Path,
    hall: Hall,
    clock: Arc<dyn Clock>,
    limits: Limits,
    printing: Printing,
) -> Result<AppState, StoreError> {
    let store = Store::open(data_dir, Arc::new(hall), clock.clone())?;
    let app = app::App::new(store.clone());
    let hub = Hub::new();
    hub.follow(&app);
    Ok(AppState {
        app,
        store,
        hub,
        clock,
        limits,
        printing,
        announcer: announce::Announcer::new(&announce::VoiceSettings::default()),
        uplink: uplink::Uplink::default(),
    })
}

pub use http::serve;
