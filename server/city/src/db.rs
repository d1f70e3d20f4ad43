//! The collector's database behind one set of questions: the embedded SQLite file (a
//! small city, the demo) or PostgreSQL (`--database postgres://…`: a province, the
//! country, several collector processes sharing it). The HTTP side asks these, never SQL.

use crate::pg::{PgSettings, PgStore};
use crate::store::{self as sqlite, CityStore, Error, HallRow, Registered, Verified};
use chrono::NaiveDate;
use motcua_domain::Role;
use motcua_store::StoreError;
use motcua_store::accounts::User;
use motcua_store::dossier_ratings::DossierRating;
use motcua_web::protocol::Ack;
use std::collections::HashMap;
use std::path::Path;

/// Where the collector keeps everything but its master key.
#[derive(Clone)]
pub enum Db {
    Sqlite(CityStore),
    Postgres(PgStore),
}

/// Which database: the data dir's SQLite file, or PostgreSQL.
#[derive(Debug, Clone, Default)]
pub enum Database {
    #[default]
    Sqlite,
    Postgres(PgSettings),
}

impl Db {
    /// Open (creating and migrating) the collector's database.
    pub async fn open(data_dir: &Path, database: &Database) -> Result<Db, StoreError> {
        match database {
            Database::Sqlite => {
                let dir = data_dir.to_owned();
                let store = tokio::task::spawn_blocking(move || CityStore::open(&dir))
                    .await
                    .map_err(|e| StoreError::ReaderFailed(e.to_string()))??;
                Ok(Db::Sqlite(store))
            }
            Database::Postgres(settings) => Ok(Db::Postgres(PgStore::open(settings).await?)),
        }
    }

    /// The store that keeps figure rows, where every hall side by side is read from.
    pub fn rows(&self) -> Option<&PgStore> {
        match self {
            Db::Postgres(pg) => Some(pg),
            Db::Sqlite(_) => None,
        }
    }

    pub async fn halls(&self) -> Result<Vec<HallRow>, Error> {
        match self {
            Db::Sqlite(s) => s.read(sqlite::halls).await,
            Db::Postgres(pg) => pg.halls().await,
        }
    }

    pub async fn hall(&self, code: String) -> Result<Option<HallRow>, Error> {
        match self {
            Db::Sqlite(s) => s.read(move |conn| sqlite::hall(conn, &code)).await,
            Db::Postgres(pg) => pg.hall(&code).await,
        }
    }

    pub async fn signer(&self, code: String) -> Result<Option<(i64, u32)>, Error> {
        match self {
            Db::Sqlite(s) => s.read(move |conn| sqlite::signer(conn, &code)).await,
            Db::Postgres(pg) => pg.signer(&code).await,
        }
    }

    /// Take a verified batch: stored once, in order, or refused with nothing stored.
    pub async fn accept(&self, verified: Verified) -> Result<Ack, Error> {
        match self {
            Db::Sqlite(s) => s.write(move |conn| sqlite::accept(conn, &verified)).await,
            Db::Postgres(pg) => pg.accept(&verified).await,
        }
    }

    /// A hall's visits, spans and bookings of `from` to `to`, with those of the halls
    /// merged into it.
    pub async fn hall_history(
        &self,
        hall: &HallRow,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<crate::store::History, Error> {
        match self {
            Db::Sqlite(s) => {
                let id = hall.id;
                s.read(move |conn| sqlite::history(conn, id, from, to))
                    .await
            }
            Db::Postgres(pg) => pg.hall_history(hall.id, from, to).await,
        }
    }

    /// Several halls' histories, each as [`Db::hall_history`] gives it, in the halls' order
    /// (on SQLite in one read).
    pub async fn histories(
        &self,
        halls: Vec<HallRow>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<crate::store::History>, Error> {
        match self {
            Db::Sqlite(s) => {
                s.read(move |conn| {
                    halls
                        .iter()
                        .map(|h| sqlite::history(conn, h.id, from, to))
                        .collect()
                })
                .await
            }
            Db::Postgres(pg) => {
                let mut histories = Vec::new();
                for h in &halls {
                    histories.push(pg.hall_history(h.id, from, to).await?);
                }
                Ok(histories)
            }
        }
    }

    /// People waiting now in each hall (a merged hall's under the hall it joined).
    pub async fn waiting_now(&self, day: NaiveDate) -> Result<HashMap<i64, u64>, Error> {
        match self {
            Db::Sqlite(s) => {
                s.read(move |conn| sqlite::waiting_now(conn, &day.to_string()))
                    .await
            }
            Db::Postgres(pg) => pg.waiting_now(day).await,
        }
    }

    pub async fn dossier_ratings(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DossierRating>, Error> {
        match self {
            Db::Sqlite(s) => {
                s.read(move |conn| {
                    Ok(motcua_store::dossier_ratings::dossier_ratings(
                        conn, None, from, to,
                    )?)
                })
                .await
            }
            Db::Postgres(pg) => pg.dossier_ratings(from, to).await,
        }
    }

    pub async fn register_hall(
        &self,
        master: Vec<u8>,
        name: String,
        now_ms: i64,
    ) -> Result<Registered, Error> {
        match self {
            Db::Sqlite(s) => {
                s.write(move |conn| sqlite::register_hall(conn, &master, &name, now_ms))
                    .await
            }
            Db::Postgres(pg) => pg.register_hall(&master, &name, now_ms).await,
        }
    }

    pub async fn rotate_secret(&self, master: Vec<u8>, code: String) -> Result<Registered, Error> {
        match self {
            Db::Sqlite(s) => {
                s.write(move |conn| sqlite::rotate_secret(conn, &master, &code))
                    .await
            }
            Db::Postgres(pg) => pg.rotate_secret(&master, &code).await,
        }
    }

    /// Give a hall a new code (and name), keeping its history; a new secret follows.
    pub async fn recode(
        &self,
        master: Vec<u8>,
        code: String,
        new_code: String,
        new_name: Option<String>,
    ) -> Result<Registered, Error> {
        match self {
            Db::Sqlite(s) => {
                s.write(move |conn| {
                    sqlite::recode(conn, &master, &code, &new_code, new_name.as_deref())
                })
                .await
            }
            Db::Postgres(pg) => {
                pg.recode(&master, &code, &new_code, new_name.as_deref())
                    .await
            }
        }
    }

    /// Say which province (or city) a hall belongs to.
    pub async fn set_province(&self, code: String, province: String) -> Result<(), Error> {
        match self {
            Db::Sqlite(s) => {
                s.write(move |conn| sqlite::set_province(conn, &code, &province))
                    .await
            }
            Db::Postgres(pg) => pg.set_province(&code, &province).await,
        }
    }

    /// Merge a hall into another: its history counts as the other's.
    pub async fn merge(&self, code: String, into: String) -> Result<(), Error> {
        match self {
            Db::Sqlite(s) => s.write(move |conn| sqlite::merge(conn, &code, &into)).await,
            Db::Postgres(pg) => pg.merge(&code, &into).await,
        }
    }

    /// Add a member of the city office (`place`: the office's words, refused in passwords).
    pub async fn add_user(
        &self,
        name: String,
        role: Role,
        password: String,
        place: &'static [&'static str],
        now_ms: i64,
    ) -> Result<User, motcua_domain::Error> {
        match self {
            Db::Sqlite(s) => {
                s.write(move |conn| {
                    motcua_web::accounts::add_user_in(conn, &name, role, &password, place, now_ms)
                })
                .await
            }
            Db::Postgres(pg) => pg.add_user(&name, role, &password, place, now_ms).await,
        }
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        match self {
            Db::Sqlite(s) => s.read(motcua_store::accounts::count_users).await,
            Db::Postgres(pg) => pg.count_users().await,
        }
    }

    /// The city's copy of a hall's log: how many events, the first and last number.
    pub async fn log_of(&self, code: String) -> Result<(i64, i64, i64), Error> {
        match self {
            Db::Sqlite(s) => s.read(move |conn| sqlite::log_of(conn, &code)).await,
            Db::Postgres(pg) => pg.log_of(&code).await,
        }
    }
}

impl motcua_web::session::SessionStore for Db {
    async fn user_for_login(&self, name: String) -> Result<Option<(User, String)>, StoreError> {
        match self {
            Db::Sqlite(s) => s.user_for_login(name).await,
            Db::Postgres(pg) => pg.user_for_login(name).await,
        }
    }

    async fn create_session(&self, user_id: i64, now_ms: i64) -> Result<String, StoreError> {
        match self {
            Db::Sqlite(s) => s.create_session(user_id, now_ms).await,
            Db::Postgres(pg) => pg.create_session(user_id, now_ms).await,
        }
    }

    async fn delete_session(&self, token: String) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(s) => s.delete_session(token).await,
            Db::Postgres(pg) => pg.delete_session(token).await,
        }
    }

    async fn user_by_session(
        &self,
        token: String,
        now_ms: i64,
    ) -> Result<Option<User>, StoreError> {
        match self {
            Db::Sqlite(s) => s.user_by_session(token, now_ms).await,
            Db::Postgres(pg) => pg.user_by_session(token, now_ms).await,
        }
    }
}
