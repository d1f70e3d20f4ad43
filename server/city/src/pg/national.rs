//! The national tier's database side: a province's outbox of changed hall-days and its
//! forwarding, and the country's collector taking them (see [`crate::national`]).

use super::{PgStore, db_error, ingest};
use crate::national::{self, DaysBatch, FieldDay, HallDay, Upstream};
use crate::store::{Error, Registered, hall_code, secret_hash};
use chrono::NaiveDate;
use motcua_domain::Error as Denied;
use motcua_domain::stats::rows::{COLUMNS, Counts};
use motcua_web::protocol::{self, Ack};
use std::collections::BTreeMap;

/// The lock the forwarding process holds while it sends (one at a time).
const FORWARD_LOCK: i64 = 0x6d6f_7463_7563;

/// A forwarding region as the country's collector checks its batches: id and key version.
pub struct Region {
    pub id: i64,
    pub key_version: u32,
    pub name: String,
}

impl PgStore {
    /// Send the outbox's next hall-days (if this process holds the forwarding lock); how
    /// many entries were acknowledged.
    pub async fn forward_once(
        &self,
        http: &reqwest::Client,
        upstream: &Upstream,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        let locked: bool = tx
            .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&FORWARD_LOCK])
            .await
            .map_err(db_error)?
            .get(0);
        if !locked {
            return Ok(0);
        }
        let acked: i64 = tx
            .query_one("SELECT acked_seq FROM upstream_state", &[])
            .await
            .map_err(db_error)?
            .get(0);
        let entries = tx
            .query(
                "SELECT seq, hall, day FROM upstream_outbox WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&acked, &national::DAYS_PER_BATCH],
            )
            .await
            .map_err(db_error)?;
        let Some(last) = entries.last().map(|r| r.get::<_, i64>(0)) else {
            return Ok(0);
        };
        // A hall-day listed twice is sent once, under its last number.
        let mut wanted: BTreeMap<(i64, NaiveDate), i64> = BTreeMap::new();
        for r in &entries {
            wanted.insert((r.get(1), r.get(2)), r.get(0));
        }
        let mut days = Vec::new();
        for ((hall, day), seq) in wanted {
            if let Some(d) = hall_day(&tx, hall, day, seq).await? {
                days.push(d);
            }
        }
        days.sort_by_key(|d| d.seq);
        let batch = DaysBatch {
            region: upstream.code.clone(),
            from_seq: acked + 1,
            to_seq: last,
            columns: COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
            days,
        };
        let answer = national::post(http, upstream, &batch, now_ms).await;
        match answer {
            Ok(ack) => {
                tx.execute(
                    "UPDATE upstream_state SET acked_seq = $1, last_success_at = $2, last_error = NULL",
                    &[&ack.acked_through, &now_ms],
                )
                .await
                .map_err(db_error)?;
                tx.execute(
                    "DELETE FROM upstream_outbox WHERE seq <= $1",
                    &[&ack.acked_through],
                )
                .await
                .map_err(db_error)?;
                tx.commit().await.map_err(db_error)?;
                Ok((ack.acked_through - acked).max(0))
            }
            Err(error) => {
                tx.execute("UPDATE upstream_state SET last_error = $1", &[&error])
                    .await
                    .map_err(db_error)?;
                tx.commit().await.map_err(db_error)?;
                Err(Denied::refused("upstream_failed", error).into())
            }
        }
    }

    /// The forwarding's state: acknowledged through, entries waiting, the last error.
    pub async fn upstream_state(&self) -> Result<(i64, i64, Option<String>), Error> {
        let client = self.client().await?;
        let r = client
            .query_one(
                "SELECT acked_seq, (SELECT count(*) FROM upstream_outbox WHERE seq > acked_seq),
                     last_error FROM upstream_state",
                &[],
            )
            .await
            .map_err(db_error)?;
        Ok((r.get(0), r.get(1), r.get(2)))
    }

    /// Register a province's collector at the country's: its code and secret (shown once).
    pub async fn register_region(
        &self,
        master: &[u8],
        name: &str,
        now_ms: i64,
    ) -> Result<Registered, Error> {
        let name = crate::store::hall_name(name)?;
        let code = hall_code().replacen("hall-", "region-", 1);
        let secret = protocol::derive_secret(master, &code, 1);
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO regions (code, name, secret_hash, registered_at) VALUES ($1, $2, $3, $4)",
                &[&code, &name, &secret_hash(&secret), &now_ms],
            )
            .await
            .map_err(db_error)?;
        Ok(Registered { code, secret })
    }

    /// Who may have signed a region's batch.
    pub async fn region(&self, code: &str) -> Result<Option<Region>, Error> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT id, key_version, name FROM regions WHERE code = $1",
                &[&code],
            )
            .await
            .map_err(db_error)?;
        Ok(row.map(|r| Region {
            id: r.get(0),
            key_version: r.get::<_, i32>(1) as u32,
            name: r.get(2),
        }))
    }

    /// Take a region's verified batch of hall-days: each replaces what the country held
    /// of that hall-day, in one transaction; a batch the country has is acknowledged, one
    /// that skips ahead refused.
    pub async fn accept_days(
        &self,
        region: &Region,
        batch: &DaysBatch,
        now_ms: i64,
    ) -> Result<Ack, Error> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_error)?;
        let row = tx
            .query_one(
                "SELECT key_version, acked_seq FROM regions WHERE id = $1 FOR UPDATE",
                &[&region.id],
            )
            .await
            .map_err(db_error)?;
        let (version, acked): (i32, i64) = (row.get(0), row.get(1));
        if version as u32 != region.key_version {
            return Err(Denied::rejected(
                "bad_signature",
                "the region's secret changed while its batch was checked",
            )
            .into());
        }
        if let Some(had) = crate::store::had_or_next(acked, batch.from_seq, batch.to_seq)? {
            return Ok(had);
        }
        let column_of: Vec<Option<usize>> = batch
            .columns
            .iter()
            .map(|name| COLUMNS.iter().position(|c| c == name))
            .collect();
        let mut stored = 0;
        for day in batch.days.iter().filter(|d| d.seq > acked) {
            let hall = hall_for(&tx, region, day, now_ms).await?;
            replace_day(&tx, hall, day, &column_of).await?;
            stored += 1;
        }
        tx.execute(
            "UPDATE regions SET acked_seq = $2, last_report_at = $3 WHERE id = $1",
            &[&region.id, &batch.to_seq, &now_ms],
        )
        .await
        .map_err(db_error)?;
        tx.commit().await.map_err(db_error)?;
        Ok(Ack {
            acked_through: batch.to_seq,
            stored,
        })
    }

    /// One hall's daily rows (with those of halls merged into it), per day and field.
    pub async fn hall_days(
        &self,
        hall: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, String, Counts)>, Error> {
        let client = self.client().await?;
        let statement = format!(
            "SELECT day, service, {}, wait_buckets, service_buckets FROM figures_daily
             WHERE hall IN (SELECT id FROM halls WHERE id = $1 OR merged_into = $1)
               AND day BETWEEN $2 AND $3",
            COLUMNS.join(", ")
        );
        let rows = client
            .query(&statement, &[&hall, &from, &to])
            .await
            .map_err(db_error)?;
        let n = COLUMNS.len();
        Ok(rows
            .iter()
            .map(|r| {
                let mut counts = Counts {
                    values: (2..2 + n).map(|i| r.get::<_, i64>(i)).collect(),
                    wait: r.get(2 + n),
                    service: r.get(3 + n),
                };
                let full = Counts::default();
                counts
                    .wait
                    .resize(full.wait.len().max(counts.wait.len()), 0);
                counts
                    .service
                    .resize(full.service.len().max(counts.service.len()), 0);
                (r.get(0), r.get(1), counts)
            })
            .collect())
    }
}

/// A hall-day of the outbox, as the country is sent it (`None`: the hall is gone).
async fn hall_day(
    tx: &deadpool_postgres::Transaction<'_>,
    hall: i64,
    day: NaiveDate,
    seq: i64,
) -> Result<Option<HallDay>, Error> {
    let Some(h) = tx
        .query_opt(
            "SELECT h.code, h.name, h.former_codes, m.code, h.profile FROM halls h
             LEFT JOIN halls m ON m.id = h.merged_into WHERE h.id = $1",
            &[&hall],
        )
        .await
        .map_err(db_error)?
    else {
        return Ok(None);
    };
    let profile: Option<serde_json::Value> = h.get(4);
    let profile = profile.unwrap_or_default();
    let statement = format!(
        "SELECT service, {}, wait_buckets, service_buckets FROM figures_daily
         WHERE hall = $1 AND day = $2 ORDER BY service",
        COLUMNS.join(", ")
    );
    let n = COLUMNS.len();
    let fields = tx
        .query(&statement, &[&hall, &day])
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| FieldDay {
            service: r.get(0),
            values: (1..=n).map(|i| r.get::<_, i64>(i)).collect(),
            wait_buckets: r.get(n + 1),
            service_buckets: r.get(n + 2),
        })
        .collect();
    Ok(Some(HallDay {
        seq,
        hall: h.get(0),
        name: h.get(1),
        former_codes: h.get(2),
        merged_into: h.get(3),
        timezone: profile["timezone"]
            .as_str()
            .unwrap_or("Asia/Ho_Chi_Minh")
            .to_owned(),
        rating_scale: profile["rating_scale"].as_u64().unwrap_or(5) as u8,
        services: serde_json::from_value(profile["services"].clone()).unwrap_or_default(),
        day,
        fields,
    }))
}

/// The country's id of a forwarded hall: found by its code or a former one (then given
/// the new code), made on first sight; its name and merge kept up to date.
async fn hall_for(
    tx: &deadpool_postgres::Transaction<'_>,
    region: &Region,
    day: &HallDay,
    now_ms: i64,
) -> Result<i64, Error> {
    let mut codes = vec![day.hall.clone()];
    codes.extend(day.former_codes.iter().cloned());
    let profile = serde_json::json!({
        "name": day.name,
        "timezone": day.timezone,
        "rating_scale": day.rating_scale,
        "services": day.services,
    });
    let found = tx
        .query_opt(
            "SELECT id, region FROM halls WHERE code = ANY($1) ORDER BY code = $2 DESC LIMIT 1",
            &[&codes, &day.hall],
        )
        .await
        .map_err(db_error)?;
    let id: i64 = match found {
        Some(r) if r.get::<_, Option<i64>>(1) == Some(region.id) => {
            let id = r.get(0);
            tx.execute(
                "UPDATE halls SET code = $2, name = $3, profile = $4, last_report_at = $5,
                     province = $6
                 WHERE id = $1",
                &[&id, &day.hall, &day.name, &profile, &now_ms, &region.name],
            )
            .await
            .map_err(db_error)?;
            id
        }
        Some(_) => {
            return Err(Denied::refused(
                "code_taken",
                format!(
                    "the hall code {:?} is another province's here: re-code the hall at its province",
                    day.hall
                ),
            )
            .into());
        }
        None => tx
            .query_one(
                "INSERT INTO halls (code, name, key_version, secret_hash, registered_at,
                     last_report_at, profile, province, region)
                 VALUES ($1, $2, 0, '', $3, $3, $4, $5, $6) RETURNING id",
                &[
                    &day.hall,
                    &day.name,
                    &now_ms,
                    &profile,
                    &region.name,
                    &region.id,
                ],
            )
            .await
            .map_err(db_error)?
            .get(0),
    };
    let into: Option<i64> = match &day.merged_into {
        Some(code) => tx
            .query_opt(
                "SELECT id FROM halls WHERE code = $1 AND region = $2",
                &[code, &region.id],
            )
            .await
            .map_err(db_error)?
            .map(|r| r.get(0)),
        None => None,
    };
    tx.execute(
        "UPDATE halls SET merged_into = $2 WHERE id = $1",
        &[&id, &into],
    )
    .await
    .map_err(db_error)?;
    Ok(id)
}

/// Replace what the country holds of a hall-day by what it was sent, the change added to
/// the hall's daily and monthly rows.
async fn replace_day(
    tx: &deadpool_postgres::Transaction<'_>,
    hall: i64,
    day: &HallDay,
    column_of: &[Option<usize>],
) -> Result<(), Error> {
    let statement = format!(
        "DELETE FROM figures_daily WHERE hall = $1 AND day = $2
         RETURNING {}, wait_buckets, service_buckets",
        COLUMNS.join(", ")
    );
    let n = COLUMNS.len();
    let mut change = Counts::default();
    for r in tx
        .query(&statement, &[&hall, &day.day])
        .await
        .map_err(db_error)?
    {
        let old = Counts {
            values: (0..n).map(|i| r.get::<_, i64>(i)).collect(),
            wait: r.get(n),
            service: r.get(n + 1),
        };
        change.add(&old, -1);
    }
    let mut rows = BTreeMap::new();
    for field in &day.fields {
        let mut counts = Counts::default();
        for (value, column) in field.values.iter().zip(column_of) {
            if let Some(slot) = column.and_then(|c| counts.values.get_mut(c)) {
                *slot = *value;
            }
        }
        for (into, from) in [
            (&mut counts.wait, &field.wait_buckets),
            (&mut counts.service, &field.service_buckets),
        ] {
            for (slot, v) in into.iter_mut().zip(from) {
                *slot = *v;
            }
        }
        change.add(&counts, 1);
        rows.insert(field.service.clone(), counts);
    }
    for (service, counts) in &rows {
        ingest::add_row(
            tx,
            ingest::Table::Daily,
            hall,
            day.day,
            Some(service),
            counts,
        )
        .await?;
    }
    ingest::add_row(tx, ingest::Table::HallDaily, hall, day.day, None, &change).await?;
    ingest::add_row(tx, ingest::Table::HallRunning, hall, day.day, None, &change).await?;
    Ok(())
}
