//! Settings: typed defaults (a demo hall), then a TOML file, then `MOTCUA_...` environment
//! variables (`MOTCUA_SERVER__LISTEN=0.0.0.0:80`: two underscores between the section and
//! the key). A bad value is refused at start-up with the key that holds it.

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use motcua_domain::{
    AbsenceRules, CallOrder, CounterDef, CounterNo, Hall, Series, Service, ServiceCode,
    hall::Fairness,
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

mod alerts;
mod bookings;
mod hours;
mod plan;
mod server;

pub use alerts::{AlertSettings, Webhook, webhook_host, webhook_shown};
pub use bookings::{BookingSettings, IssuerSettings};
pub use hours::HoursSettings;
pub use plan::PlanSettings;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {0} does not exist")]
    Missing(PathBuf),
    #[error("{0}")]
    Parse(Box<figment::Error>),
    #[error("bad setting `{key}`: {reason}")]
    Invalid { key: String, reason: String },
}

fn invalid(key: impl Into<String>, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        reason: reason.into(),
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub hall: HallSettings,
    pub server: ServerSettings,
    pub queue: QueueSettings,
    pub services: Vec<ServiceSettings>,
    pub counters: Vec<CounterSettings>,
    pub printing: PrintingSettings,
    /// The spoken announcements on the displays.
    pub announcements: crate::announce::VoiceSettings,
    /// Network printers the server prints to itself (no agent needed).
    pub printers: Vec<PrinterSettings>,
    /// Reporting to the city's collector (off until `city.url` is set).
    pub city: UplinkSettings,
    /// How fast one kiosk or one member of staff may issue tickets.
    pub limits: crate::http::issuing_limits::LimitSettings,
    /// Bookings ahead: the page, outside issuers, check-in.
    pub bookings: BookingSettings,
    /// When numbers are given out (the calendar is `[bookings]`'s).
    pub hours: HoursSettings,
    /// The manager's alerts: thresholds and the outbound webhook.
    pub alerts: AlertSettings,
    /// The staffing planner: its goal and how far back it looks.
    pub plan: PlanSettings,
}

/// Where and how the hall reports its events to the city.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UplinkSettings {
    /// The collector's address, e.g. `https://thongke.hanoi.gov.vn`; empty: no reporting.
    pub url: String,
    /// The hall's code, as `motcua city hall add` printed it.
    pub hall: String,
    /// The hall's secret, as `motcua city hall add` printed it (or MOTCUA_CITY__SECRET).
    pub secret: String,
    /// Whether citizens' comments go to the city too (their text; never who wrote them).
    pub share_comments: bool,
    /// Events per batch.
    pub batch_events: u32,
    /// The longest wait between two tries while the collector cannot be reached.
    pub retry_max_seconds: u64,
}

impl Default for UplinkSettings {
    fn default() -> Self {
        UplinkSettings {
            url: String::new(),
            hall: String::new(),
            secret: String::new(),
            share_comments: false,
            batch_events: 500,
            retry_max_seconds: 60,
        }
    }
}

/// The secret never shows in logs or error messages.
impl std::fmt::Debug for UplinkSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UplinkSettings")
            .field("url", &self.url)
            .field("hall", &self.hall)
            .field(
                "secret",
                &if self.secret.is_empty() {
                    ""
                } else {
                    "<hidden>"
                },
            )
            .field("share_comments", &self.share_comments)
            .field("batch_events", &self.batch_events)
            .field("retry_max_seconds", &self.retry_max_seconds)
            .finish()
    }
}

impl UplinkSettings {
    pub fn enabled(&self) -> bool {
        !self.url.is_empty()
    }

    /// Check the settings that matter once reporting is on.
    pub fn check(&self) -> Result<(), ConfigError> {
        if !self.enabled() {
            return Ok(());
        }
        if !(self.url.starts_with("http://") || self.url.starts_with("https://")) {
            return Err(invalid(
                "city.url",
                "must start with https:// (or http:// on a closed network)",
            ));
        }
        if self.hall.is_empty() || self.hall.len() > 100 {
            return Err(invalid(
                "city.hall",
                "the hall's code from `motcua city hall add` is needed",
            ));
        }
        if self.secret.len() < 32 {
            return Err(invalid(
                "city.secret",
                "the hall's secret from `motcua city hall add` is needed (64 characters)",
            ));
        }
        // The collector takes at most 2,000 events a batch (its body limit is sized on it).
        if !(1..=2_000).contains(&self.batch_events) {
            return Err(invalid("city.batch_events", "must be 1 to 2000"));
        }
        if self.retry_max_seconds == 0 {
            return Err(invalid("city.retry_max_seconds", "must be at least 1"));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrintingSettings {
    /// Printed at the bottom of every ticket.
    pub footer: String,
    /// A job waits for its printer (an agent away, paper out) at most this many seconds,
    /// then fails (the kiosk showed the ticket on screen; the citizen has moved on).
    pub job_expiry_seconds: u64,
    /// How often the server asks its own network printers (`[[printers]]`) how they are,
    /// while they have nothing to print.
    pub status_every_seconds: u64,
}

impl Default for PrintingSettings {
    fn default() -> Self {
        PrintingSettings {
            footer: "Xin cảm ơn quý công dân! · Thank you!".into(),
            job_expiry_seconds: 120,
            status_every_seconds: 5,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrinterSettings {
    /// The kiosk (device name) whose tickets this printer prints.
    pub kiosk: String,
    /// `tcp://HOST:9100`.
    pub address: String,
    /// Paper width in mm: 80 or 58.
    #[serde(default = "eighty")]
    pub paper: u16,
    /// `raster` (text drawn as an image: every printer, every diacritic), `codepage`
    /// (the printer's own Vietnamese code page, number in `code_page`), or `ascii`
    /// (diacritics stripped, for the cheapest printers).
    #[serde(default = "raster")]
    pub text: String,
    /// The printer's number for Windows-1258 (Epson: 52; others 27, 46, 94).
    #[serde(default = "fifty_two")]
    pub code_page: u8,
    /// `raster` (drawn into the image) or `native` (the printer's own QR command).
    #[serde(default = "raster")]
    pub qr: String,
}

fn eighty() -> u16 {
    80
}
fn fifty_two() -> u8 {
    52
}
fn raster() -> String {
    "raster".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HallSettings {
    /// Shown on displays and tickets.
    pub name: String,
    /// IANA time zone; the local day (and so numbering) follows it.
    pub timezone: String,
    /// 3 or 5 levels of satisfaction.
    pub rating_scale: u8,
    /// A line that scrolls along the bottom of the hall display.
    pub notice: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub listen: String,
    /// Base address of the citizen's status page (the QR code). Defaults to the listen
    /// address.
    pub public_url: Option<String>,
    pub data_dir: PathBuf,
    /// Largest request body accepted, in bytes.
    pub body_limit_bytes: usize,
    /// Reverse proxies in front of the server (their addresses): only theirs are
    /// `X-Forwarded-For` and `X-Forwarded-Proto` believed. Empty: clients connect directly.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Built-in HTTPS: the certificate chain and its private key (PEM files); both or
    /// neither. Checked at start-up ([`server`]).
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Connection caps and timeouts (see `motcua_web::connections` and deploy/CONFIG.md).
    pub max_connections: usize,
    pub max_connections_per_client: usize,
    pub max_websockets_per_client: usize,
    pub max_phone_feeds_per_client: usize,
    pub header_timeout_seconds: u64,
    pub request_timeout_seconds: u64,
    pub idle_timeout_seconds: u64,
    /// Passwords checked at once (argon2, 19 MiB each); more sign-ins wait their turn. One
    /// checks about 100 a second and leaves the other cores to the hall during a burst.
    pub hashing_threads: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueSettings {
    pub call_order: CallOrder,
    pub priority_streak_limit: u32,
    pub normal_wait_limit_minutes: u32,
    pub transfer_keeps_place: bool,
    /// A called citizen may be marked absent this long after the call (0: at once), or
    /// at any time after a recall.
    pub absent_after_seconds: u32,
    /// An absence may be undone (called again, or back to the front of the queue) this
    /// many minutes (0: never).
    pub absent_undo_minutes: u32,
    /// A recall comes at least this many minutes after the last call (0: at once).
    pub recall_gap_minutes: u32,
    /// After this many calls (the first and its recalls) and `recall_gap_minutes` more
    /// with nobody coming, the hall marks the ticket absent itself (0: never).
    pub absent_after_calls: u32,
    /// Tickets a counter may hold aside at once, the citizens gone to complete their
    /// dossiers ("đi bổ sung hồ sơ"), to be called back keeping their turn (0: no holds).
    /// Holds lapse at the day's end.
    pub holds_per_counter: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSettings {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    /// Printed before the number; defaults to the code.
    pub prefix: Option<String>,
    #[serde(default = "one")]
    pub first: u32,
    #[serde(default = "nine_nine_nine")]
    pub last: u32,
    #[serde(default = "fifteen")]
    pub target_wait_minutes: u32,
    #[serde(default = "ten")]
    pub service_minutes: u32,
    /// Percent of the field's counter time kept for walk-ins (100: no bookings); the
    /// `[bookings]` share when not set.
    #[serde(default)]
    pub booking_walk_in_percent: Option<u8>,
    /// Printed before a booked number; the field's prefix and `H` when not set.
    #[serde(default)]
    pub booking_prefix: Option<String>,
    /// The Decision 766 target (share of dossiers without dissatisfaction), in percent:
    /// 95 nationally, 90 for land, construction and investment.
    #[serde(default = "ninety_five")]
    pub satisfaction_target_percent: u32,
    /// The national codes of the procedures this field handles (`1.004227`): a result
    /// pick-up ticket for a dossier of one of them goes to this field.
    #[serde(default)]
    pub procedures: Vec<String>,
    /// Walk-in numbers the field gives a day (0: no bound).
    #[serde(default)]
    pub daily_quota: u32,
    /// The picture on the kiosk's button ([`FIELD_ICONS`]); chosen from the field's name
    /// when not set.
    #[serde(default)]
    pub icon: Option<String>,
}

/// The pictures the kiosk has for a field's button.
pub const FIELD_ICONS: &[&str] = &[
    "family", "house", "care", "stamp", "shop", "bridge", "document",
];

/// At most this many fields and counters: a hall's screens and the kiosk hold them.
pub const MAX_FIELDS: usize = 30;
pub const MAX_COUNTERS: usize = 99;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CounterSettings {
    pub no: u16,
    /// Field codes in order of preference.
    pub services: Vec<String>,
}

fn one() -> u32 {
    1
}
fn ninety_five() -> u32 {
    motcua_domain::stats::OFFICIAL_TARGET_PERCENT
}
fn nine_nine_nine() -> u32 {
    999
}
fn fifteen() -> u32 {
    15
}
fn ten() -> u32 {
    10
}

impl Default for HallSettings {
    fn default() -> Self {
        HallSettings {
            name: "Trung tâm Phục vụ hành chính công phường Mẫu".into(),
            timezone: "Asia/Ho_Chi_Minh".into(),
            rating_scale: 5,
            notice: "Giờ làm việc: sáng 7:30 – 11:30, chiều 13:30 – 17:00, thứ Hai đến thứ Sáu. \
                     Quý công dân vui lòng giữ phiếu và chú ý màn hình, loa gọi số."
                .into(),
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            listen: "0.0.0.0:8080".into(),
            public_url: None,
            data_dir: PathBuf::from("motcua-data"),
            body_limit_bytes: 16 * 1024,
            trusted_proxies: Vec::new(),
            tls_cert: None,
            tls_key: None,
            max_connections: 4096,
            max_connections_per_client: 1024,
            max_websockets_per_client: 50,
            max_phone_feeds_per_client: 500,
            header_timeout_seconds: 10,
            request_timeout_seconds: 30,
            idle_timeout_seconds: 120,
            hashing_threads: 1,
        }
    }
}

impl Default for QueueSettings {
    fn default() -> Self {
        QueueSettings {
            call_order: CallOrder::Oldest,
            priority_streak_limit: 3,
            normal_wait_limit_minutes: 20,
            transfer_keeps_place: true,
            absent_after_seconds: 120,
            absent_undo_minutes: 15,
            recall_gap_minutes: 0,
            absent_after_calls: 0,
            holds_per_counter: 3,
        }
    }
}

/// A field's procedure codes, checked: national codes (`1.004227`: a digit, a dot, six
/// digits), none listed twice in the field nor by another field (`earlier`): a result pick-up
/// ticket must know where to go.
fn checked_procedures(
    codes: &[String],
    earlier: &[Service],
    key: &str,
) -> Result<Vec<String>, ConfigError> {
    let mut checked: Vec<String> = Vec::new();
    for code in codes {
        let code = code.trim();
        let national = code.len() == 8
            && code.as_bytes()[1] == b'.'
            && code
                .bytes()
                .enumerate()
                .all(|(i, b)| i == 1 || b.is_ascii_digit());
        if !national {
            return Err(invalid(
                key,
                format!("{code:?} is not a national procedure code like 1.004227"),
            ));
        }
        if checked.iter().any(|c| c == code) {
            return Err(invalid(key, format!("{code} is listed twice")));
        }
        if let Some(other) = earlier
            .iter()
            .find(|s| s.procedures.iter().any(|p| p == code))
        {
            return Err(invalid(
                key,
                format!("{code} is already listed by field {}", other.code),
            ));
        }
        checked.push(code.to_owned());
    }
    Ok(checked)
}

impl Default for Settings {
    /// The demo hall: five fields, four counters serving overlapping fields.
    fn default() -> Self {
        let service = |code: &str, vi: &str, en: &str, target, minutes| ServiceSettings {
            code: code.into(),
            name_vi: vi.into(),
            name_en: en.into(),
            prefix: None,
            first: 1,
            last: 999,
            target_wait_minutes: target,
            service_minutes: minutes,
            booking_walk_in_percent: None,
            booking_prefix: None,
            satisfaction_target_percent: motcua_domain::stats::OFFICIAL_TARGET_PERCENT,
            procedures: Vec::new(),
            daily_quota: 0,
            icon: None,
        };
        let procedures = |codes: &[&str]| codes.iter().map(|c| c.to_string()).collect();
        let counter = |no, services: &[&str]| CounterSettings {
            no,
            services: services.iter().map(|s| s.to_string()).collect(),
        };
        Settings {
            hall: HallSettings::default(),
            server: ServerSettings::default(),
            queue: QueueSettings::default(),
            services: vec![
                // A few real procedures (the national database's codes), so that a result
                // pick-up ticket finds its field: birth, marriage and death registration.
                ServiceSettings {
                    procedures: procedures(&["1.001193", "1.000894", "1.000656"]),
                    ..service("A", "Tư pháp – Hộ tịch", "Justice – Civil status", 15, 8)
                },
                // Decision 766 holds land and construction to 90%, not 95%.
                ServiceSettings {
                    satisfaction_target_percent: 90,
                    ..service("B", "Đất đai – Xây dựng", "Land – Construction", 20, 15)
                },
                service(
                    "C",
                    "Lao động – Thương binh và Xã hội",
                    "Labour, Invalids and Social Affairs",
                    15,
                    10,
                ),
                // Certified copies from originals, and certified signatures.
                ServiceSettings {
                    procedures: procedures(&["2.000815", "2.000884"]),
                    ..service("D", "Chứng thực", "Certification of copies", 10, 4)
                },
                service("E", "Kinh tế – Hạ tầng", "Economy – Infrastructure", 20, 12),
            ],
            counters: vec![
                counter(1, &["A", "D"]),
                counter(2, &["B", "E"]),
                counter(3, &["C", "A"]),
                counter(4, &["D", "A", "C"]),
            ],
            printing: PrintingSettings::default(),
            announcements: crate::announce::VoiceSettings::default(),
            printers: Vec::new(),
            city: UplinkSettings::default(),
            limits: Default::default(),
            bookings: BookingSettings::default(),
            hours: HoursSettings::default(),
            alerts: AlertSettings::default(),
            plan: PlanSettings::default(),
        }
    }
}

impl Settings {
    /// Defaults, then the file (if any), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError::Missing(file.to_owned()));
            }
            figment = figment.merge(Toml::file(file));
        }
        // MOTCUA_CONFIG and the collector's MOTCUA_CITY_DATA, _LISTEN, _DATABASE, ... (one
        // underscore: the hall's own `[city]` keys are MOTCUA_CITY__URL, ...) are the command
        // line's, not settings; MOTCUA_TEST_POSTGRES is the tests' PostgreSQL (scripts/test
        // exports it, and the tests start the binary in that environment).
        figment = figment.merge(
            Env::prefixed("MOTCUA_")
                .filter(|key| {
                    let key = key.as_str().to_ascii_lowercase();
                    let collectors = key.starts_with("city_") && !key.starts_with("city__");
                    !(collectors || key == "config" || key == "test_postgres")
                })
                .split("__"),
        );
        figment
            .extract()
            .map_err(|e| ConfigError::Parse(Box::new(e)))
    }

    /// Check every value and build the hall the server runs.
    pub fn hall(&self) -> Result<Hall, ConfigError> {
        let tz = self.hall.timezone.parse().map_err(|_| {
            invalid(
                "hall.timezone",
                format!("unknown time zone {:?}", self.hall.timezone),
            )
        })?;
        self.city.check()?;
        (self.limits.check()).map_err(|(key, reason)| invalid(format!("limits.{key}"), reason))?;
        if ![3, 5].contains(&self.hall.rating_scale) {
            return Err(invalid("hall.rating_scale", "must be 3 or 5"));
        }
        self.announcements
            .espeak_voice()
            .map_err(|(key, reason)| invalid(format!("announcements.{key}"), reason))?;
        let name = self.hall.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(invalid("hall.name", "1 to 200 characters"));
        }
        if self.hall.notice.chars().count() > 500 {
            return Err(invalid("hall.notice", "at most 500 characters"));
        }
        if self.services.is_empty() {
            return Err(invalid("services", "a hall needs at least one field"));
        }
        self.alerts.check()?;
        let services = self.checked_services()?;
        let counters = self.checked_counters(&services)?;
        let mut bookings = self.bookings.rules(&services, &self.services)?;
        let (issuing, by_weekday) = self.hours.rules()?;
        bookings.by_weekday = by_weekday;
        self.plan.check()?;
        let listen: std::net::SocketAddr = self.server.listen.parse().map_err(|_| {
            invalid(
                "server.listen",
                format!(
                    "{:?} is not an address like 0.0.0.0:8080",
                    self.server.listen
                ),
            )
        })?;
        let public_url = match &self.server.public_url {
            Some(url) if url.starts_with("http://") || url.starts_with("https://") => url.clone(),
            Some(url) => {
                return Err(invalid(
                    "server.public_url",
                    format!("{url:?} must start with http:// or https://"),
                ));
            }
            None => self.server.default_scheme(default_public_url(listen)),
        };
        self.server.connections()?;
        if !(1..=16).contains(&self.server.hashing_threads) {
            return Err(invalid("server.hashing_threads", "must be 1 to 16"));
        }
        if !(1..=100).contains(&self.queue.priority_streak_limit) {
            return Err(invalid("queue.priority_streak_limit", "1 to 100"));
        }
        if self.queue.normal_wait_limit_minutes > 480 {
            return Err(invalid(
                "queue.normal_wait_limit_minutes",
                "at most 480 minutes",
            ));
        }
        if self.queue.absent_after_seconds > 3600 {
            return Err(invalid("queue.absent_after_seconds", "at most 3600"));
        }
        if self.queue.absent_undo_minutes > 240 {
            return Err(invalid("queue.absent_undo_minutes", "at most 240"));
        }
        if self.queue.recall_gap_minutes > 60 {
            return Err(invalid("queue.recall_gap_minutes", "at most 60"));
        }
        if self.queue.holds_per_counter > 20 {
            return Err(invalid("queue.holds_per_counter", "0 (no holds) to 20"));
        }
        if self.queue.absent_after_calls > 10 {
            return Err(invalid("queue.absent_after_calls", "0 (never) to 10"));
        }
        if self.queue.absent_after_calls > 0 && self.queue.recall_gap_minutes == 0 {
            return Err(invalid(
                "queue.recall_gap_minutes",
                "at least 1 when queue.absent_after_calls is set: the last call needs time to be answered",
            ));
        }
        if self.server.body_limit_bytes < 1024 {
            return Err(invalid("server.body_limit_bytes", "at least 1024"));
        }
        Ok(Hall {
            name: self.hall.name.clone(),
            tz,
            services,
            counters,
            fairness: Fairness {
                priority_streak_limit: self.queue.priority_streak_limit,
                normal_wait_limit_minutes: self.queue.normal_wait_limit_minutes,
            },
            call_order: self.queue.call_order,
            transfer_keeps_place: self.queue.transfer_keeps_place,
            absence: AbsenceRules {
                after_call_secs: self.queue.absent_after_seconds,
                undo_minutes: self.queue.absent_undo_minutes,
            },
            rating_scale: self.hall.rating_scale,
            notice: self.hall.notice.clone(),
            public_url,
            bookings,
            issuing,
            holds_per_counter: self.queue.holds_per_counter,
            recall: motcua_domain::RecallRules {
                recall_gap_minutes: self.queue.recall_gap_minutes,
                absent_after_calls: self.queue.absent_after_calls,
            },
        })
    }

    /// The fields, checked: codes unique, names given, series within 1..=99999, prefixes
    /// unique.
    fn checked_services(&self) -> Result<Vec<Service>, ConfigError> {
        let mut services = Vec::new();
        let mut prefixes = HashSet::new();
        if self.services.len() > MAX_FIELDS {
            return Err(invalid("services", format!("at most {MAX_FIELDS} fields")));
        }
        for (i, s) in self.services.iter().enumerate() {
            let key = |k: &str| format!("services[{i}].{k}");
            let code =
                ServiceCode::try_from(s.code.clone()).map_err(|e| invalid(key("code"), e))?;
            if services.iter().any(|x: &Service| x.code == code) {
                return Err(invalid(key("code"), format!("{code} is used twice")));
            }
            for (k, v) in [("name_vi", &s.name_vi), ("name_en", &s.name_en)] {
                if v.trim().is_empty() {
                    return Err(invalid(key(k), "must not be empty"));
                }
                if v.chars().count() > 100 {
                    return Err(invalid(key(k), "at most 100 characters"));
                }
            }
            if !(1..=480).contains(&s.target_wait_minutes) {
                return Err(invalid(key("target_wait_minutes"), "1 to 480 minutes"));
            }
            if s.service_minutes > 480 {
                return Err(invalid(key("service_minutes"), "at most 480 minutes"));
            }
            if let Some(icon) = s.icon.as_deref()
                && !FIELD_ICONS.contains(&icon)
            {
                return Err(invalid(
                    key("icon"),
                    format!("one of {}", FIELD_ICONS.join(", ")),
                ));
            }
            let prefix = s.prefix.clone().unwrap_or_else(|| code.to_string());
            if prefix.chars().count() > 4 || !prefix.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(invalid(key("prefix"), "at most 4 letters or digits"));
            }
            if s.first == 0 || s.first > s.last || s.last > 99_999 {
                return Err(invalid(
                    key("last"),
                    format!(
                        "the series {}..{} must satisfy 1 <= first <= last <= 99999",
                        s.first, s.last
                    ),
                ));
            }
            if s.daily_quota > 99_999 {
                return Err(invalid(key("daily_quota"), "0 (no bound) to 99999"));
            }
            if !(1..=100).contains(&s.satisfaction_target_percent) {
                return Err(invalid(
                    key("satisfaction_target_percent"),
                    "a percentage from 1 to 100",
                ));
            }
            let procedures = checked_procedures(&s.procedures, &services, &key("procedures"))?;
            // Two fields printing the same codes would confuse the whole hall.
            if !prefixes.insert(prefix.clone()) && !prefix.is_empty() {
                return Err(invalid(
                    key("prefix"),
                    format!("{prefix} is used by another field"),
                ));
            }
            services.push(Service {
                code,
                name_vi: s.name_vi.clone(),
                name_en: s.name_en.clone(),
                series: Series {
                    prefix,
                    first: s.first,
                    last: s.last,
                },
                target_wait_minutes: s.target_wait_minutes,
                service_minutes: s.service_minutes.max(1),
                satisfaction_target_percent: s.satisfaction_target_percent,
                procedures,
                daily_quota: s.daily_quota,
                icon: s.icon.clone(),
            });
        }
        Ok(services)
    }

    /// The counters, checked: numbers unique, each serving known fields.
    fn checked_counters(&self, services: &[Service]) -> Result<Vec<CounterDef>, ConfigError> {
        let mut counters: Vec<CounterDef> = Vec::new();
        if self.counters.len() > MAX_COUNTERS {
            return Err(invalid(
                "counters",
                format!("at most {MAX_COUNTERS} counters"),
            ));
        }
        for (i, c) in self.counters.iter().enumerate() {
            let key = |k: &str| format!("counters[{i}].{k}");
            let no = CounterNo::try_from(c.no).map_err(|e| invalid(key("no"), e))?;
            if counters.iter().any(|x| x.no == no) {
                return Err(invalid(key("no"), format!("counter {no} is defined twice")));
            }
            if c.services.is_empty() {
                return Err(invalid(
                    key("services"),
                    "a counter serves at least one field",
                ));
            }
            let mut codes = Vec::new();
            for code in &c.services {
                let code =
                    ServiceCode::try_from(code.clone()).map_err(|e| invalid(key("services"), e))?;
                if !services.iter().any(|s| s.code == code) {
                    return Err(invalid(
                        key("services"),
                        format!("no field has the code {code}"),
                    ));
                }
                if codes.contains(&code) {
                    return Err(invalid(key("services"), format!("{code} is listed twice")));
                }
                codes.push(code);
            }
            counters.push(CounterDef {
                no,
                services: codes,
            });
        }
        Ok(counters)
    }
}

impl Settings {
    /// The printers the server prints to itself, checked.
    pub fn direct_printers(&self) -> Result<Vec<crate::printing::DirectPrinter>, ConfigError> {
        self.printers
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let key = |k: &str| format!("printers[{i}].{k}");
                let target =
                    p.address
                        .parse()
                        .map_err(|e: motcua_printer::transport::TransportError| {
                            invalid(key("address"), e.to_string())
                        })?;
                let layout = motcua_printer::Layout::from_words(
                    &p.paper.to_string(),
                    &p.text,
                    p.code_page,
                    &p.qr,
                )
                .map_err(|(k, reason)| invalid(key(k), reason))?;
                if p.kiosk.trim().is_empty() {
                    return Err(invalid(
                        key("kiosk"),
                        "name the kiosk device this printer serves",
                    ));
                }
                Ok(crate::printing::DirectPrinter {
                    kiosk: p.kiosk.clone(),
                    target,
                    layout,
                })
            })
            .collect()
    }
}

/// Where to reach a server listening on `addr`: an unspecified address is reached through
/// localhost on this machine.
pub fn default_public_url(addr: std::net::SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("http://localhost:{}", addr.port())
    } else {
        format!("http://{addr}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_hall_is_valid() {
        let hall = Settings::default().hall().expect("demo hall");
        assert_eq!(hall.services.len(), 5);
        assert_eq!(hall.counters.len(), 4);
    }

    #[test]
    fn a_counter_serving_an_unknown_field_is_refused_with_its_key() {
        let mut s = Settings::default();
        s.counters[1].services.push("Z".into());
        let err = s.hall().expect_err("refused").to_string();
        assert!(err.contains("counters[1].services"), "{err}");
    }

    #[test]
    fn a_field_s_procedures_are_national_codes_each_listed_by_one_field_only() {
        let hall = Settings::default().hall().expect("demo hall");
        let field = |code: &str| hall.field_of_procedure(code).map(|s| s.code.to_string());
        assert_eq!(field("1.001193").as_deref(), Some("A"));
        assert_eq!(field("2.000815").as_deref(), Some("D"));
        assert_eq!(field("1.999999"), None);
        for (i, codes) in [
            (2, vec!["1.001193"]),
            (2, vec!["1.004227", "1.004227"]),
            (4, vec!["1.4227"]),
            (4, vec!["2.000815.000.00.00.H26"]),
            (4, vec!["A.004227"]),
        ] {
            let mut s = Settings::default();
            s.services[i].procedures = codes.iter().map(|c| c.to_string()).collect();
            let err = s.hall().expect_err("refused").to_string();
            assert!(
                err.contains(&format!("services[{i}].procedures")),
                "{codes:?}: {err}"
            );
        }
    }

    #[test]
    fn an_unknown_time_zone_is_refused() {
        let mut s = Settings::default();
        s.hall.timezone = "Asia/Saigon_City".into();
        assert!(
            s.hall()
                .expect_err("refused")
                .to_string()
                .contains("hall.timezone")
        );
    }
}
