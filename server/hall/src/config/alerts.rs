//! The `[alerts]` settings: when the manager is alerted (on the dashboard and through an
//! outbound webhook for the office's chat), and how the webhook is bounded.

use super::{ConfigError, invalid};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// When the manager is alerted, and where the alerts go besides the dashboard.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct AlertSettings {
    /// Where each alert is POSTed (JSON) when it fires and when it clears, e.g. the office
    /// chat's incoming webhook; empty: the dashboard only. It may hold a secret (a chat's
    /// webhook usually does): logs name only its host.
    pub webhook_url: String,
    /// A counter open, not paused and free while people wait in its fields this many
    /// minutes is idle (an alert); 0: no idle alerts.
    pub idle_minutes: u32,
    /// A kiosk or hall TV that has been seen and holds no live link this many minutes is
    /// offline (an alert); 0: no offline alerts.
    pub offline_minutes: u32,
    /// How long one webhook delivery may take before it counts as failed.
    pub webhook_timeout_seconds: u64,
    /// Tries after a failed delivery (waiting 1, 2, 4, ... seconds between), then it is
    /// dropped and logged.
    pub webhook_retries: u32,
    /// Deliveries waiting to be sent at most; past it the newest is dropped and logged.
    pub webhook_queue: usize,
}

impl Default for AlertSettings {
    fn default() -> Self {
        AlertSettings {
            webhook_url: String::new(),
            idle_minutes: 5,
            offline_minutes: 2,
            webhook_timeout_seconds: 5,
            webhook_retries: 3,
            webhook_queue: 100,
        }
    }
}

/// The webhook's address may hold a secret: never in logs or error messages.
impl std::fmt::Debug for AlertSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertSettings")
            .field("webhook", &webhook_host(&self.webhook_url))
            .field("idle_minutes", &self.idle_minutes)
            .field("offline_minutes", &self.offline_minutes)
            .field("webhook_timeout_seconds", &self.webhook_timeout_seconds)
            .field("webhook_retries", &self.webhook_retries)
            .field("webhook_queue", &self.webhook_queue)
            .finish()
    }
}

/// What logs say of a webhook's address: its host, never its path or query (where chats
/// put their secret).
pub fn webhook_host(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => u.host_str().unwrap_or("?").to_owned(),
        Err(_) if url.is_empty() => "(none)".to_owned(),
        Err(_) => "(invalid)".to_owned(),
    }
}

/// What the admin pages and the audit log show of a webhook's address: its scheme, host
/// and port, then "…" for the path and query (where chats put their secret); empty when
/// none is set. Sent back unchanged in a change, it keeps the address it stands for
/// ([`AlertSettings::keeping_webhook`]).
pub fn webhook_shown(url: &str) -> String {
    if url.trim().is_empty() {
        return String::new();
    }
    match reqwest::Url::parse(url.trim()) {
        Ok(u) => {
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            format!("{}://{}{port}/…", u.scheme(), u.host_str().unwrap_or("?"))
        }
        Err(_) => "…".to_owned(),
    }
}

/// The webhook, checked: where to POST, with its bounds.
#[derive(Clone)]
pub struct Webhook {
    pub url: reqwest::Url,
    pub timeout: Duration,
    pub retries: u32,
    pub queue: usize,
}

impl AlertSettings {
    /// These settings as the admin pages and the audit log show them: the webhook's address
    /// cut to its host ([`webhook_shown`]).
    pub fn shown(&self) -> AlertSettings {
        AlertSettings {
            webhook_url: webhook_shown(&self.webhook_url),
            ..self.clone()
        }
    }

    /// A change sent by the admin pages: a webhook address that is what they were shown of
    /// `now`'s stands for `now`'s (the secret is never sent to the page, so it cannot come
    /// back from it); any other is the new address.
    pub fn keeping_webhook(mut self, now: &AlertSettings) -> AlertSettings {
        if !self.webhook_url.is_empty() && self.webhook_url == webhook_shown(&now.webhook_url) {
            self.webhook_url = now.webhook_url.clone();
        }
        self
    }
}

/// The most minutes the idle and offline rules wait (a working day).
pub const MOST_ALERT_MINUTES: u32 = 600;

impl AlertSettings {
    /// Check every value (the settings file's and the admin pages' alike): the rules'
    /// minutes, and the webhook with its bounds. Answers the webhook, if one is set.
    pub fn check(&self) -> Result<Option<Webhook>, ConfigError> {
        if self.idle_minutes > MOST_ALERT_MINUTES {
            return Err(invalid("alerts.idle_minutes", "must be 0 to 600"));
        }
        if self.offline_minutes > MOST_ALERT_MINUTES {
            return Err(invalid("alerts.offline_minutes", "must be 0 to 600"));
        }
        self.webhook()
    }

    /// The webhook to deliver to, or `None` when none is set; a bad address or bound is
    /// refused, naming its key (and not the address).
    pub fn webhook(&self) -> Result<Option<Webhook>, ConfigError> {
        if self.webhook_url.trim().is_empty() {
            return Ok(None);
        }
        let url = reqwest::Url::parse(self.webhook_url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some())
            .ok_or_else(|| {
                invalid(
                    "alerts.webhook_url",
                    "must be an http:// or https:// address",
                )
            })?;
        if !(1..=60).contains(&self.webhook_timeout_seconds) {
            return Err(invalid("alerts.webhook_timeout_seconds", "must be 1 to 60"));
        }
        if self.webhook_retries > 10 {
            return Err(invalid("alerts.webhook_retries", "must be 0 to 10"));
        }
        if !(1..=10_000).contains(&self.webhook_queue) {
            return Err(invalid("alerts.webhook_queue", "must be 1 to 10000"));
        }
        Ok(Some(Webhook {
            url,
            timeout: Duration::from_secs(self.webhook_timeout_seconds),
            retries: self.webhook_retries,
            queue: self.webhook_queue,
        }))
    }
}
