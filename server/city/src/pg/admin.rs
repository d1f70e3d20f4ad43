//! The collector's administration on PostgreSQL: halls registered, their secrets rotated,
//! re-coded and merged; the city office's accounts and sessions; the BI tools' readers.

use super::{PgStore, db_error};
use crate::store::{Error, Registered, hall_code, secret_hash};
use motcua_domain::{Error as Denied, Role};
use motcua_store::StoreError;
use motcua_store::accounts::{SESSION_MS, User, random_token, token_hash};
use motcua_web::protocol;

/// A BI tool's login: a PostgreSQL role that may read the `bi` views and nothing else.
pub struct ReaderRole {
    pub name: String,
}

impl PgStore {
    /// Register a hall: a new code, and its secret derived from the master key.
    pub async fn register_hall(
        &self,
        master: &[u8],
        name: &str,
        now_ms: i64,
    ) -> Result<Registered, Error> {
        let name = crate::store::hall_name(name)?;
        let code = hall_code();
        let secret = protocol::derive_secret(master, &code, 1);
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO halls (code, name, key_version, secret_hash, registered_at)
                 VALUES ($1, $2, 1, $3, $4)",
                &[&code, &name, &secret_hash(&secret), &now_ms],
            )
            .await
            .map_err(db_error)?;
        Ok(Registered { code, secret })
    }

    /// Give a hall a new secret (the old one stops working at once).
    pub async fn rotate_secret(&self, master: &[u8], code: &str) -> Result<Registered, Error> {
        let client = self.client().await?;
        let version: Option<i32> = client
            .query_opt(
                "UPDATE halls SET key_version = key_version + 1 WHERE code = $1
                 RETURNING key_version",
                &[&code],
            )
            .await
            .map_err(db_error)?
            .map(|r| r.get(0));
        let Some(version) = version else {
            return Err(not_found(code));
        };
        let secret = protocol::derive_secret(master, code, version as u32);
        client
            .execute(
                "UPDATE halls SET secret_hash = $2 WHERE code = $1",
                &[&code, &secret_hash(&secret)],
            )
            .await
            .map_err(db_error)?;
        Ok(Registered {
            code: code.to_owned(),
            secret,
        })
    }

    /// Give a hall a new code (and name, if given), keeping its history; its secret
    /// follows the code, so a new one is made (the old code is kept in `former_codes`).
    pub async fn recode(
        &self,
        master: &[u8],
        code: &str,
        new_code: &str,
        new_name: Option<&str>,
    ) -> Result<Registered, Error> {
        crate::store::check_code(new_code)?;
        let name = new_name.map(crate::store::hall_name).transpose()?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        let version: Option<i32> = tx
            .query_opt(
                "UPDATE halls SET code = $2, name = coalesce($3, name),
                     former_codes = array_append(former_codes, code),
                     key_version = key_version + 1
                 WHERE code = $1 RETURNING key_version",
                &[&code, &new_code, &name],
            )
            .await
            .map_err(|e| match db_error(e) {
                StoreError::Duplicate(_) => Error::Denied(Denied::refused(
                    "code_taken",
                    format!("another hall has the code {new_code:?}"),
                )),
                other => other.into(),
            })?
            .map(|r| r.get(0));
        let Some(version) = version else {
            return Err(not_found(code));
        };
        let secret = protocol::derive_secret(master, new_code, version as u32);
        let id: i64 = tx
            .query_one(
                "UPDATE halls SET secret_hash = $2 WHERE code = $1 RETURNING id",
                &[&new_code, &secret_hash(&secret)],
            )
            .await
            .map_err(db_error)?
            .get(0);
        self.forward_again(&tx, id).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(Registered {
            code: new_code.to_owned(),
            secret,
        })
    }

    /// Say which province (or city) a hall belongs to.
    pub async fn set_province(&self, code: &str, province: &str) -> Result<(), Error> {
        let province = crate::store::check_province(province)?;
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE halls SET province = $2 WHERE code = $1",
                &[&code, &province],
            )
            .await
            .map_err(db_error)?;
        if changed == 0 {
            return Err(not_found(code));
        }
        Ok(())
    }

    /// Merge a hall into another: from now on its history (and anything it still sends)
    /// counts as the other's. Halls merged into it before follow it.
    pub async fn merge(&self, code: &str, into: &str) -> Result<(), Error> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        let ids = tx
            .query(
                "SELECT code, id, merged_into FROM halls WHERE code = $1 OR code = $2 FOR UPDATE",
                &[&code, &into],
            )
            .await
            .map_err(db_error)?;
        let find = |c: &str| {
            ids.iter()
                .find(|r| r.get::<_, &str>(0) == c)
                .map(|r| (r.get::<_, i64>(1), r.get::<_, Option<i64>>(2)))
        };
        let (Some((from_id, _)), Some((into_id, into_merged))) = (find(code), find(into)) else {
            return Err(not_found(if find(code).is_none() { code } else { into }));
        };
        if from_id == into_id || into_merged.is_some() {
            return Err(Denied::refused(
                "bad_merge",
                "a hall merges into another hall that is not itself merged",
            )
            .into());
        }
        tx.execute(
            "UPDATE halls SET merged_into = $2 WHERE id = $1 OR merged_into = $1",
            &[&from_id, &into_id],
        )
        .await
        .map_err(db_error)?;
        self.forward_again(&tx, from_id).await?;
        tx.commit().await.map_err(db_error)?;
        Ok(())
    }

    /// A hall's every day listed again for the country (it was re-coded or merged), when
    /// this collector forwards.
    async fn forward_again(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        hall: i64,
    ) -> Result<(), Error> {
        if self.forwards {
            tx.execute(
                "INSERT INTO upstream_outbox (hall, day)
                 SELECT hall, day FROM figures_hall_daily WHERE hall = $1 ORDER BY day",
                &[&hall],
            )
            .await
            .map_err(db_error)?;
        }
        Ok(())
    }

    /// Add a member of the city office (checked and hashed as on SQLite).
    pub async fn add_user(
        &self,
        name: &str,
        role: Role,
        password: &str,
        place: &[&str],
        now_ms: i64,
    ) -> Result<User, Denied> {
        let hash = motcua_web::accounts::new_user_hash(name, role, password, place)?;
        let client = self.client().await?;
        let id: i64 = client
            .query_one(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4)
                 RETURNING id",
                &[&name, &role.as_str(), &hash, &now_ms],
            )
            .await
            .map_err(|e| motcua_web::accounts::taken(db_error(e)))?
            .get(0);
        Ok(User {
            id,
            name: name.to_owned(),
            role,
        })
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        let client = self.client().await?;
        Ok(client
            .query_one("SELECT count(*) FROM users", &[])
            .await
            .map_err(db_error)?
            .get(0))
    }

    /// Make a BI tool's login: a role in `motcua_readers` (which may read the `bi` views
    /// only). Its password is sent as a SCRAM verifier, never in the clear. Needs a
    /// database user allowed to create roles.
    pub async fn add_reader(&self, name: &str, password: &str) -> Result<ReaderRole, Error> {
        let valid = !name.is_empty()
            && name.len() <= 63
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            return Err(Denied::invalid(
                "bad_name",
                "a reader's name is 1 to 63 lower-case letters, digits and _, from a letter",
            )
            .into());
        }
        motcua_web::accounts::new_user_hash(name, Role::Manager, password, &[])?;
        let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
        let client = self.client().await?;
        client
            .batch_execute(&format!(
                "CREATE ROLE {name} LOGIN IN ROLE motcua_readers PASSWORD '{}'",
                verifier.replace('\'', "''")
            ))
            .await
            .map_err(|e| match db_error(e) {
                StoreError::Database(m) if m.starts_with("42710") => Error::Denied(
                    Denied::refused("name_taken", format!("the role {name} exists already")),
                ),
                other => other.into(),
            })?;
        Ok(ReaderRole {
            name: name.to_owned(),
        })
    }
}

fn not_found(code: &str) -> Error {
    Denied::not_found("hall_not_found", format!("no hall has the code {code:?}")).into()
}

impl motcua_web::session::SessionStore for PgStore {
    async fn user_for_login(&self, name: String) -> Result<Option<(User, String)>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT id, role, password_hash FROM users WHERE name = $1 AND disabled_at IS NULL",
                &[&name],
            )
            .await
            .map_err(db_error)?;
        Ok(row.and_then(|r| {
            let role = Role::parse(r.get(1))?;
            Some((
                User {
                    id: r.get(0),
                    name,
                    role,
                },
                r.get(2),
            ))
        }))
    }

    async fn create_session(&self, user_id: i64, now_ms: i64) -> Result<String, StoreError> {
        let token = random_token();
        let client = self.client().await?;
        client
            .execute("DELETE FROM sessions WHERE expires_at < $1", &[&now_ms])
            .await
            .map_err(db_error)?;
        client
            .execute(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
                 SELECT $1, id, $3, $4 FROM users WHERE id = $2 AND disabled_at IS NULL",
                &[
                    &token_hash(&token),
                    &user_id,
                    &now_ms,
                    &(now_ms + SESSION_MS),
                ],
            )
            .await
            .map_err(db_error)?;
        Ok(token)
    }

    async fn delete_session(&self, token: String) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                "DELETE FROM sessions WHERE token_hash = $1",
                &[&token_hash(&token)],
            )
            .await
            .map_err(db_error)?;
        Ok(())
    }

    async fn user_by_session(
        &self,
        token: String,
        now_ms: i64,
    ) -> Result<Option<User>, StoreError> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT u.id, u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL",
                &[&token_hash(&token), &now_ms],
            )
            .await
            .map_err(db_error)?;
        Ok(row.and_then(|r| {
            Some(User {
                id: r.get(0),
                name: r.get(1),
                role: Role::parse(r.get(2))?,
            })
        }))
    }
}
