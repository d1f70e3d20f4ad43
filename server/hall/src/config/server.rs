//! The `[server]` settings that guard connections: caps, timeouts and built-in TLS, checked
//! and turned into what `motcua_web::connections` runs with.

use super::{ConfigError, ServerSettings, invalid};
use motcua_web::connections::ConnectionSettings;
use motcua_web::tls::{Tls, TlsError};
use std::time::Duration;

/// The phones' own feeds (one per ticket), capped per client address apart from the
/// devices' feeds: a hall's citizens' Wi-Fi is often one NAT address.
pub const PHONE_FEEDS: &str = "/ws/tickets/";

impl ServerSettings {
    /// The caps and timeouts, checked.
    pub fn connections(&self) -> Result<ConnectionSettings, ConfigError> {
        for (key, value) in [
            ("server.max_connections", self.max_connections as u64),
            (
                "server.max_connections_per_client",
                self.max_connections_per_client as u64,
            ),
            (
                "server.max_websockets_per_client",
                self.max_websockets_per_client as u64,
            ),
            (
                "server.max_phone_feeds_per_client",
                self.max_phone_feeds_per_client as u64,
            ),
            ("server.header_timeout_seconds", self.header_timeout_seconds),
            (
                "server.request_timeout_seconds",
                self.request_timeout_seconds,
            ),
            ("server.idle_timeout_seconds", self.idle_timeout_seconds),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1"));
            }
        }
        if self.idle_timeout_seconds <= crate::live::PING_EVERY.as_secs() {
            return Err(invalid(
                "server.idle_timeout_seconds",
                format!(
                    "must be longer than the live feeds' ping interval ({} s)",
                    crate::live::PING_EVERY.as_secs()
                ),
            ));
        }
        Ok(ConnectionSettings {
            max_connections: self.max_connections,
            max_connections_per_client: self.max_connections_per_client,
            max_websockets_per_client: self.max_websockets_per_client,
            max_public_feeds_per_client: self.max_phone_feeds_per_client,
            header_timeout: Duration::from_secs(self.header_timeout_seconds),
            request_timeout: Duration::from_secs(self.request_timeout_seconds),
            idle_timeout: Duration::from_secs(self.idle_timeout_seconds),
            public_feeds: vec![PHONE_FEEDS],
        })
    }

    /// The built-in TLS, if `tls_cert` and `tls_key` are set: both files read now, so a bad
    /// path is refused at start-up with the setting's name.
    pub fn tls(&self) -> Result<Option<Tls>, ConfigError> {
        match (&self.tls_cert, &self.tls_key) {
            (None, None) => Ok(None),
            (Some(_), None) => Err(invalid(
                "server.tls_key",
                "is needed with server.tls_cert (the certificate's private key, PEM)",
            )),
            (None, Some(_)) => Err(invalid(
                "server.tls_cert",
                "is needed with server.tls_key (the certificate chain, PEM)",
            )),
            (Some(cert), Some(key)) => match Tls::from_pem_files(cert, key) {
                Ok(tls) => Ok(Some(tls)),
                Err(e @ TlsError::Certificate { .. }) => {
                    Err(invalid("server.tls_cert", e.to_string()))
                }
                Err(e @ TlsError::Key { .. }) => Err(invalid("server.tls_key", e.to_string())),
            },
        }
    }

    /// `url` (made from the listen address) with `https://` when the server has TLS.
    pub fn default_scheme(&self, url: String) -> String {
        match (&self.tls_cert, url.strip_prefix("http://")) {
            (Some(_), Some(rest)) => format!("https://{rest}"),
            _ => url,
        }
    }
}
