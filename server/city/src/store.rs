//! The collector's storage: one SQLite file (`city.sqlite3`) with the halls, every event
//! each hall sent, and the same statistics tables a hall keeps, filled by the same fold.
//! Plus the master key (`city.key`) every hall's secret is derived from, kept beside the
//! database and never in it.

use chrono_tz::Tz;
use motcua_domain::Error as Denied;
use motcua_domain::hall::Fairness;
use motcua_domain::{CounterDef, Hall, Series, Service, ServiceCode};
use motcua_store::{FromStore, Readers, StoreError, migrate_with, open_writer, stats};
use motcua_web::protocol::{self, Ack, Batch, Profile};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/001_collector.sql"),
    motcua_store::STATISTICS_SCHEMA,
    include_str!("../migrations/002_disabled_users.sql"),
    include_str!("../migrations/003_rating_source.sql"),
    motcua_store::BOOKING_FIGURES_SCHEMA,
    motcua_store::DOSSIER_FIGURES_SCHEMA,
    include_str!("../migrations/004_hall_boundaries.sql"),
];

const DATABASE: &str = "city.sqlite3";

/// What the collector's store answers when it does not take a request: a refusal in the
/// hall's terms (forged, out of order, unknown hall), or a failure of the database.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Denied(#[from] Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Store(e.into())
    }
}

impl From<Error> for motcua_web::AppError {
    fn from(e: Error) -> Self {
        match e {
            Error::Denied(d) => d.into(),
            Error::Store(s) => s.into(),
        }
    }
}
const MASTER_KEY: &str = "city.key";

/// The collector's database: one writer (a mutex: batches are few and large), pooled
/// readers.
#[derive(Clone)]
pub struct CityStore {
    writer: Arc<Mutex<Connection>>,
    readers: Readers,
}

impl CityStore {
    pub fn open(data_dir: &Path) -> Result<CityStore, StoreError> {
        let conn = open_for_admin(data_dir)?;
        Ok(CityStore {
            writer: Arc::new(Mutex::new(conn)),
            readers: Readers::new(data_dir.join(DATABASE)),
        })
    }

    /// Run `job` in a transaction of its own: all of it is stored, or none.
    pub async fn write<T, E, F>(&self, job: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: FromStore,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || {
            let conn = writer.lock().map_err(|_| {
                E::from(StoreError::CommitFailed(
                    "the city's writer panicked".into(),
                ))
            })?;
            conn.execute_batch("BEGIN IMMEDIATE")
                .map_err(|e| E::from(e.into()))?;
            match job(&conn) {
                Ok(answer) => {
                    conn.execute_batch("COMMIT")
                        .map_err(|e| E::from(e.into()))?;
                    Ok(answer)
                }
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    Err(e)
                }
            }
        })
        .await
        .map_err(|e| E::from(StoreError::ReaderFailed(e.to_string())))?
    }

    pub async fn read<T, E, F>(&self, query: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: FromStore,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        self.readers.run(query).await
    }
}

impl motcua_web::session::SqliteAccounts for CityStore {
    fn read_accounts<T, F>(
        &self,
        query: F,
    ) -> impl std::future::Future<Output = Result<T, StoreError>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.read(query)
    }

    fn write_accounts<T, F>(
        &self,
        change: F,
    ) -> impl std::future::Future<Output = Result<T, StoreError>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.write(change)
    }
}

/// Open (creating and migrating) the collector's database, for the server or a
/// command-line tool.
pub fn open_for_admin(data_dir: &Path) -> Result<Connection, StoreError> {
    motcua_store::private::dir(data_dir)?;
    let mut conn = open_writer(&data_dir.join(DATABASE))?;
    migrate_with(&mut conn, MIGRATIONS)?;
    // The statistics tables are filled as batches arrive; there is no earlier log to fold.
    conn.execute(
        "UPDATE stat_state SET folded_through = 0 WHERE folded_through IS NULL",
        [],
    )?;
    Ok(conn)
}

/// The master key every hall's secret is derived from: `city.key` in the data dir (64 hex
/// characters), made on first use with permissions for the owner only.
pub fn master_key(data_dir: &Path) -> Result<Vec<u8>, StoreError> {
    let path: PathBuf = data_dir.join(MASTER_KEY);
    if path.exists() {
        // A key copied in by hand may be readable by all: it is the city's every secret.
        motcua_store::private::tighten(&path)?;
    }
    match std::fs::read_to_string(&path) {
        Ok(text) => hex::decode(text.trim()).map_err(|_| {
            StoreError::Io(std::io::Error::other(format!(
                "{} is not a key (64 hex characters)",
                path.display()
            )))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            use rand::RngCore;
            use std::io::Write;
            use std::os::unix::fs::OpenOptionsExt;
            motcua_store::private::dir(data_dir)?;
            let mut key = vec![0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut key);
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)?;
            // Exactly 0600 whatever the umask.
            motcua_store::private::tighten(&path)?;
            writeln!(file, "{}", hex::encode(&key))?;
            file.sync_all()?;
            Ok(key)
        }
        Err(e) => Err(e.into()),
    }
}

/// A hall registered with the collector: its code and secret (shown once).
pub struct Registered {
    pub code: String,
    pub secret: String,
}

/// A hall's name as registered: trimmed, 1 to 200 characters, no control characters.
pub(crate) fn hall_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(Denied::invalid("bad_name", "a hall's name is 1 to 200 characters").into());
    }
    Ok(name.to_owned())
}

/// A new hall's code: `hall-` and 12 random hex digits.
pub(crate) fn hall_code() -> String {
    use rand::RngCore;
    let mut id = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut id);
    format!("hall-{}", hex::encode(id))
}

/// A code given by hand (a re-coded hall): 3 to 64 lower-case letters, digits, `-`, `_`
/// and `.`.
pub(crate) fn check_code(code: &str) -> Result<(), Error> {
    let ok = (3..=64).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(Denied::invalid(
            "bad_code",
            "a hall's code is 3 to 64 lower-case letters, digits, '-', '_' and '.'",
        )
        .into())
    }
}

/// What is kept of a secret: its hash, to recognise it (never to check a signature).
pub(crate) fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Register a hall: a new code, and its secret derived from the master key.
pub fn register_hall(
    conn: &Connection,
    master: &[u8],
    name: &str,
    now_ms: i64,
) -> Result<Registered, Error> {
    let name = hall_name(name)?;
    let code = hall_code();
    let secret = protocol::derive_secret(master, &code, 1);
    conn.execute(
        "INSERT INTO halls (code, name, key_version, secret_hash, registered_at)
         VALUES (?1, ?2, 1, ?3, ?4)",
        params![code, name, secret_hash(&secret), now_ms],
    )?;
    Ok(Registered { code, secret })
}

/// Give a hall a new secret (the old one stops working at once): for a secret that leaked,
/// or a hall box replaced.
pub fn rotate_secret(conn: &Connection, master: &[u8], code: &str) -> Result<Registered, Error> {
    let version: Option<u32> = conn
        .query_row(
            "SELECT key_version FROM halls WHERE code = ?1",
            [code],
            |r| r.get(0),
        )
        .optional()?;
    let Some(version) = version else {
        return Err(
            Denied::not_found("hall_not_found", format!("no hall has the code {code:?}")).into(),
        );
    };
    let secret = protocol::derive_secret(master, code, version + 1);
    conn.execute(
        "UPDATE halls SET key_version = ?2, secret_hash = ?3 WHERE code = ?1",
        params![code, version + 1, secret_hash(&secret)],
    )?;
    Ok(Registered {
        code: code.to_owned(),
        secret,
    })
}

/// Give a hall a new code (and name, if given), keeping its history; its secret follows
/// the code, so a new one is made. The old code is kept among its former codes.
pub fn recode(
    conn: &Connection,
    master: &[u8],
    code: &str,
    new_code: &str,
    new_name: Option<&str>,
) -> Result<Registered, Error> {
    check_code(new_code)?;
    let name = new_name.map(hall_name).transpose()?;
    let version: Option<u32> = conn
        .query_row(
            "SELECT key_version FROM halls WHERE code = ?1",
            [code],
            |r| r.get(0),
        )
        .optional()?;
    let Some(version) = version else {
        return Err(
            Denied::not_found("hall_not_found", format!("no hall has the code {code:?}")).into(),
        );
    };
    let secret = protocol::derive_secret(master, new_code, version + 1);
    conn.execute(
        "UPDATE halls SET code = ?2, name = COALESCE(?3, name), key_version = ?4,
             secret_hash = ?5, former_codes = json_insert(former_codes, '$[#]', code)
         WHERE code = ?1",
        params![code, new_code, name, version + 1, secret_hash(&secret)],
    )
    .map_err(|e| match StoreError::from(e) {
        StoreError::Duplicate(_) => Error::Denied(Denied::refused(
            "code_taken",
            format!("another hall has the code {new_code:?}"),
        )),
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            Error::Denied(Denied::refused(
                "code_taken",
                format!("another hall has the code {new_code:?}"),
            ))
        }
        other => other.into(),
    })?;
    Ok(Registered {
        code: new_code.to_owned(),
        secret,
    })
}

/// Say which province (or city) a hall belongs to (at most 100 characters).
pub fn set_province(conn: &Connection, code: &str, province: &str) -> Result<(), Error> {
    let province = check_province(province)?;
    let changed = conn.execute(
        "UPDATE halls SET province = ?2 WHERE code = ?1",
        params![code, province],
    )?;
    if changed == 0 {
        return Err(
            Denied::not_found("hall_not_found", format!("no hall has the code {code:?}")).into(),
        );
    }
    Ok(())
}

/// A province's name: trimmed, at most 100 characters, no control characters.
pub(crate) fn check_province(province: &str) -> Result<String, Error> {
    let province = province.trim();
    if province.chars().count() > 100 || province.chars().any(char::is_control) {
        return Err(Denied::invalid(
            "bad_province",
            "a province's name is at most 100 characters",
        )
        .into());
    }
    Ok(province.to_owned())
}

/// Merge a hall into another: its history (and anything it still sends) counts as the
/// other's from now on; halls merged into it before follow it.
pub fn merge(conn: &Connection, code: &str, into: &str) -> Result<(), Error> {
    let find = |c: &str| -> Result<Option<(i64, Option<i64>)>, Error> {
        Ok(conn
            .query_row(
                "SELECT id, merged_into FROM halls WHERE code = ?1",
                [c],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    };
    let missing =
        |c: &str| Denied::not_found("hall_not_found", format!("no hall has the code {c:?}"));
    let (from_id, _) = find(code)?.ok_or_else(|| missing(code))?;
    let (into_id, into_merged) = find(into)?.ok_or_else(|| missing(into))?;
    if from_id == into_id || into_merged.is_some() {
        return Err(Denied::refused(
            "bad_merge",
            "a hall merges into another hall that is not itself merged",
        )
        .into());
    }
    conn.execute(
        "UPDATE halls SET merged_into = ?2 WHERE id = ?1 OR merged_into = ?1",
        params![from_id, into_id],
    )?;
    Ok(())
}

/// What a batch is checked against.
pub struct Check<'a> {
    pub master: &'a [u8],
    pub now_ms: i64,
    pub max_skew_ms: i64,
    pub hall: &'a str,
    pub timestamp_ms: i64,
    pub signature: &'a str,
    pub body: &'a [u8],
}

/// A batch whose signature, time and values were checked, before the writer was asked.
pub struct Verified {
    pub hall_id: i64,
    /// The hall's key version that signed it: a secret rotated meanwhile voids it.
    pub key_version: u32,
    pub batch: Batch,
    pub tz: Tz,
    pub now_ms: i64,
}

/// Who may have signed batches as `code`: the registered hall's id and key version (a
/// read, outside the writer).
pub fn signer(conn: &Connection, code: &str) -> Result<Option<(i64, u32)>, Error> {
    Ok(conn
        .prepare_cached("SELECT id, key_version FROM halls WHERE code = ?1")?
        .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Check a batch before anything is written: the hall that signed it (`signer`), now,
/// with this body; the batch whole and in order; every value plausible
/// ([`crate::plausible`]). CPU only, no database: run it off the writer, so a flood of
/// forged or absurd batches never holds the collector's one write lock.
pub fn verify(check: &Check<'_>, signer: Option<(i64, u32)>) -> Result<Verified, Error> {
    let (hall_id, key_version) = signed_by(check, signer)?;
    let (batch, tz) = read_batch(check)?;
    crate::plausible::batch(&batch, check.now_ms, check.max_skew_ms)?;
    Ok(Verified {
        hall_id,
        key_version,
        batch,
        tz,
        now_ms: check.now_ms,
    })
}

/// Take a verified batch: store each event the city does not have yet, in order, and
/// fold it into the statistics. A batch refused for any reason stores nothing; a batch
/// the city already has is acknowledged and ignored; a batch that skips ahead is refused
/// with where to resume.
pub fn accept(conn: &Connection, verified: &Verified) -> Result<Ack, Error> {
    let Verified {
        hall_id,
        ref batch,
        tz,
        now_ms,
        ..
    } = *verified;
    let (version, acked): (u32, i64) = conn
        .prepare_cached("SELECT key_version, acked_seq FROM halls WHERE id = ?1")?
        .query_row([hall_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    if version != verified.key_version {
        return Err(Denied::rejected(
            "bad_signature",
            "the hall's secret changed while its batch was checked: sign it with the new one",
        )
        .into());
    }
    let profile = serde_json::to_string(&batch.profile).map_err(Denied::internal)?;
    if batch.is_heartbeat() {
        // An idle hall: alive, its log ends at to_seq. Behind us: it resends; ahead: it
        // resumes from what we hold.
        if batch.to_seq > acked {
            return Err(Denied::SequenceGap {
                acked_through: acked,
            }
            .into());
        }
        conn.prepare_cached("UPDATE halls SET last_report_at = ?2, profile = ?3 WHERE id = ?1")?
            .execute(params![hall_id, now_ms, profile])?;
        return Ok(Ack {
            acked_through: acked,
            stored: 0,
        });
    }
    check_held_events(conn, hall_id, acked, batch)?;
    if let Some(had) = crate::store::had_or_next(acked, batch.from_seq, batch.to_seq)? {
        return Ok(had);
    }
    let stored = store_new_events(conn, hall_id, acked, batch, tz, now_ms)?;
    conn.prepare_cached(
        "UPDATE halls SET acked_seq = ?2, last_report_at = ?3, profile = ?4 WHERE id = ?1",
    )?
    .execute(params![hall_id, batch.to_seq, now_ms, profile])?;
    Ok(Ack {
        acked_through: batch.to_seq,
        stored,
    })
}

/// Where a batch `from_seq..=to_seq` stands against what the collector holds through
/// `acked`: had already (acknowledged, nothing stored), skipping ahead (refused with where
/// to resume), or the next one (`None`: to be taken). A hall's batches and a province's
/// hall-days alike.
pub(crate) fn had_or_next(acked: i64, from_seq: i64, to_seq: i64) -> Result<Option<Ack>, Error> {
    if to_seq <= acked {
        return Ok(Some(Ack {
            acked_through: acked,
            stored: 0,
        }));
    }
    if from_seq > acked + 1 {
        return Err(Denied::SequenceGap {
            acked_through: acked,
        }
        .into());
    }
    Ok(None)
}

/// The registered hall that signed the batch, now, with this body: its id and key version.
fn signed_by(check: &Check<'_>, signer: Option<(i64, u32)>) -> Result<(i64, u32), Error> {
    let Some((hall_id, version)) = signer else {
        return Err(
            Denied::rejected("unknown_hall", "no hall is registered with this code").into(),
        );
    };
    let secret = protocol::derive_secret(check.master, check.hall, version);
    if !protocol::verify(
        &secret,
        check.hall,
        check.timestamp_ms,
        check.body,
        check.signature,
    ) {
        return Err(Denied::rejected(
            "bad_signature",
            "the signature does not match this batch: it was changed on the way, or not signed with this hall's secret",
        ).into());
    }
    let skew = (check.now_ms - check.timestamp_ms).abs();
    if skew > check.max_skew_ms {
        return Err(Denied::rejected(
            "stale_batch",
            format!(
                "the batch was signed {} s away from the collector's clock (at most {} s): an old batch sent again, or a clock to set right",
                skew / 1000,
                check.max_skew_ms / 1000
            ),
        ).into());
    }
    Ok((hall_id, version))
}

/// The batch in the body, checked to be the sender's, whole and in order, with its hall's
/// time zone.
fn read_batch(check: &Check<'_>) -> Result<(Batch, Tz), Error> {
    let batch: Batch = serde_json::from_slice(check.body)
        .map_err(|e| Denied::invalid("bad_batch", format!("the batch cannot be read: {e}")))?;
    if batch.hall != check.hall {
        return Err(Denied::invalid(
            "hall_mismatch",
            "the batch names another hall than its sender",
        )
        .into());
    }
    if batch.from_seq < 1 || !(batch.is_contiguous() || batch.is_heartbeat()) {
        return Err(Denied::invalid(
            "bad_batch",
            "a batch holds the events from_seq..=to_seq, each once, in order",
        )
        .into());
    }
    let tz: Tz = batch.profile.timezone.parse().map_err(|_| {
        Denied::invalid(
            "bad_batch",
            format!("unknown time zone {:?}", batch.profile.timezone),
        )
    })?;
    Ok((batch, tz))
}

/// Events the city already holds must be the same events: a hall restored from an older
/// backup numbers new events with numbers the city has, and taking them for the old ones
/// would silently lose them.
fn check_held_events(
    conn: &Connection,
    hall_id: i64,
    acked: i64,
    batch: &Batch,
) -> Result<(), Error> {
    let mut held =
        conn.prepare_cached("SELECT at, kind, ticket_id FROM events WHERE hall = ?1 AND seq = ?2")?;
    for e in batch.events.iter().filter(|e| e.seq <= acked) {
        let stored: Option<(i64, String, Option<i64>)> = held
            .query_row(params![hall_id, e.seq], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        if stored.as_ref() != Some(&(e.at, e.kind.clone(), e.ticket)) {
            return Err(Denied::refused(
                "log_diverged",
                format!(
                    "event {} is not the one the city holds under that number: was the hall's database restored from an older backup? The city keeps what it has; ask the city to register the hall again",
                    e.seq
                ),
            ).into());
        }
    }
    Ok(())
}

/// Store the batch's events after `acked`, each folded as the hall folds it; how many.
fn store_new_events(
    conn: &Connection,
    hall_id: i64,
    acked: i64,
    batch: &Batch,
    tz: Tz,
    now_ms: i64,
) -> Result<u64, Error> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO events (hall, seq, at, kind, ticket_id, service, counter_no, user_id, data, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut stored = 0;
    for e in batch.events.iter().filter(|e| e.seq > acked) {
        insert.execute(params![
            hall_id,
            e.seq,
            e.at,
            e.kind,
            e.ticket,
            e.service,
            e.counter,
            e.clerk,
            e.data.to_string(),
            now_ms
        ])?;
        // An event this build cannot read (a newer hall's kind) is kept in the log, and
        // left out of the figures until it can be.
        match e.logged() {
            Ok(logged) => {
                crate::plausible::ticket_times(conn, hall_id, &logged)?;
                stats::fold(conn, tz, hall_id, &logged)?
            }
            Err(error) => {
                tracing::warn!(hall = hall_id, seq = e.seq, %error, "an event left out of the figures");
            }
        }
        stored += 1;
    }
    Ok(stored)
}

/// A registered hall as the city lists it.
#[derive(Debug, Clone)]
pub struct HallRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub acked_seq: i64,
    pub profile: Option<Profile>,
    pub registered_at: i64,
    pub last_report_at: Option<i64>,
    /// The province (or city) it belongs to, for the country's page.
    pub province: String,
    /// The hall it was merged into: its history is read as that hall's.
    pub merged_into: Option<i64>,
    /// Known through a province collector's forwarding (the country's collector): its
    /// daily figures only.
    pub forwarded: bool,
}

const HALL_COLUMNS: &str =
    "id, code, name, acked_seq, profile, registered_at, last_report_at, province, merged_into";

pub fn halls(conn: &Connection) -> Result<Vec<HallRow>, Error> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {HALL_COLUMNS} FROM halls ORDER BY name, code"
    ))?;
    let rows = stmt.query_map([], hall_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// One registered hall, by its code.
pub fn hall(conn: &Connection, code: &str) -> Result<Option<HallRow>, Error> {
    Ok(conn
        .prepare_cached(&format!("SELECT {HALL_COLUMNS} FROM halls WHERE code = ?1"))?
        .query_row([code], hall_from_row)
        .optional()?)
}

fn hall_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HallRow> {
    let profile: Option<String> = r.get(4)?;
    Ok(HallRow {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        acked_seq: r.get(3)?,
        profile: profile.and_then(|p| serde_json::from_str(&p).ok()),
        registered_at: r.get(5)?,
        last_report_at: r.get(6)?,
        province: r.get(7)?,
        merged_into: r.get(8)?,
        forwarded: false,
    })
}

impl HallRow {
    /// The hall as its figures need it: its name, time zone, scale and fields with their
    /// targets, as it last reported them (the registered name until it has).
    pub fn as_hall(&self, default_tz: Tz) -> Hall {
        let profile = self.profile.as_ref();
        let services = profile
            .map(|p| {
                p.services
                    .iter()
                    .filter_map(|s| {
                        Some(Service {
                            code: ServiceCode::try_from(s.code.clone()).ok()?,
                            name_vi: s.name_vi.clone(),
                            name_en: s.name_en.clone(),
                            series: Series {
                                prefix: s.code.clone(),
                                first: 1,
                                last: 999,
                            },
                            target_wait_minutes: s.target_wait_minutes,
                            service_minutes: 10,
                            satisfaction_target_percent: s.satisfaction_target_percent,
                            procedures: Vec::new(),
                            daily_quota: 0,
                            icon: None,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Hall {
            name: self.name.clone(),
            tz: profile
                .and_then(|p| p.timezone.parse().ok())
                .unwrap_or(default_tz),
            services,
            counters: Vec::<CounterDef>::new(),
            fairness: Fairness {
                priority_streak_limit: 0,
                normal_wait_limit_minutes: 0,
            },
            call_order: Default::default(),
            transfer_keeps_place: false,
            absence: Default::default(),
            rating_scale: profile.map(|p| p.rating_scale).unwrap_or(5),
            notice: String::new(),
            public_url: String::new(),
            bookings: Default::default(),
            issuing: Default::default(),
            recall: Default::default(),
            holds_per_counter: 0,
        }
    }
}

/// People waiting now in each hall, as last reported: today's visits not yet called (a
/// merged hall's under the hall it joined).
pub fn waiting_now(
    conn: &Connection,
    day: &str,
) -> Result<std::collections::HashMap<i64, u64>, Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT COALESCE(h.merged_into, v.hall), COUNT(*) FROM stat_visits v
         JOIN halls h ON h.id = v.hall
         WHERE v.day = ?1 AND v.outcome IS NULL AND v.first_call IS NULL GROUP BY 1",
    )?;
    let rows = stmt.query_map([day], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A hall's visits, counter spans and bookings over a range of days: what its figures are
/// made of.
pub type History = (
    Vec<motcua_domain::stats::Visit>,
    Vec<motcua_domain::stats::Span>,
    Vec<motcua_domain::stats::Booking>,
);

/// A hall's visits, spans and bookings of `from` to `to`, with those of the halls merged
/// into it.
pub fn history(
    conn: &Connection,
    hall: i64,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<History, Error> {
    let mut ids = conn.prepare_cached("SELECT id FROM halls WHERE id = ?1 OR merged_into = ?1")?;
    let ids: Vec<i64> = ids
        .query_map([hall], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let (mut visits, mut spans, mut bookings) = (Vec::new(), Vec::new(), Vec::new());
    for id in ids {
        visits.extend(stats::visits(conn, id, from, to)?);
        spans.extend(stats::spans(conn, id, from, to)?);
        bookings.extend(stats::bookings(conn, id, from, to)?);
    }
    Ok((visits, spans, bookings))
}

/// The city's copy of a hall's log: how many events, the first and the last number.
pub fn log_of(conn: &Connection, code: &str) -> Result<(i64, i64, i64), Error> {
    Ok(conn.query_row(
        "SELECT COUNT(*), COALESCE(MIN(seq), 0), COALESCE(MAX(seq), 0) FROM events
         WHERE hall = (SELECT id FROM halls WHERE code = ?1)",
        [code],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?)
}
