//! What both servers, the hall and the city's collector, share at the web edge:
//! - [`accounts`]: staff and devices added and signed in, passwords checked and hashed;
//! - [`client`]: the client's address, through the operator's trusted proxies;
//! - [`connections`]: the accept loop both servers run, with its caps and timeouts, and
//!   [`tls`], its optional built-in HTTPS;
//! - [`AppError`]: one error type, one status match, one JSON body;
//! - [`guard`]: changes only from our own pages, and the security headers on every answer;
//! - [`extract`]: request bodies, paths and queries with that error shape;
//! - [`pages`]: the embedded page folders, served file by file;
//! - [`figures`]: the manager's figures laid out for screens, CSV and Excel;
//! - [`Exposition`]: `/metrics` in Prometheus's text format;
//! - [`session`]: staff signing in and out, the same on both servers, through [`hashing`]
//!   (argon2 on a few fixed threads) and [`throttle`] (failures per name and address);
//! - [`protocol`]: the uplink's wire format, signed by the hall and checked by the city.

pub mod accounts;
pub mod client;
pub mod connections;
pub mod error;
pub mod exposition;
pub mod extract;
pub mod figures;
pub mod guard;
pub mod hashing;
pub mod pages;
pub mod protocol;
pub mod session;
pub mod throttle;
pub mod tls;

pub use error::{AppError, ErrorBody};
pub use exposition::Exposition;
