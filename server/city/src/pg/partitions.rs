//! The events' monthly partitions (by the event's time, UTC): made before a batch needs
//! one, and, past the retention setting, dropped whole (the figures, the tickets' visits
//! and the spans stay; only the raw log of those months goes).

use super::{PgStore, db_error};
use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};
use motcua_store::StoreError;
use std::collections::BTreeSet;
use std::sync::Mutex;

/// The lock a process takes to make a partition (another may be making the same one).
const PARTITION_LOCK: i64 = 0x6d6f_7463_7562;

/// Months a store has seen made (only a shortcut: a miss asks the database).
pub type Made = Mutex<BTreeSet<NaiveDate>>;

fn month_of(ms: i64) -> NaiveDate {
    let day = DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .date_naive();
    day.with_day(1).unwrap_or(day)
}

fn start_ms(month: NaiveDate) -> i64 {
    Utc.from_utc_datetime(&month.and_time(chrono::NaiveTime::MIN))
        .timestamp_millis()
}

/// The partition's name: `events_2026_12`.
pub fn name(month: NaiveDate) -> String {
    format!("events_{:04}_{:02}", month.year(), month.month())
}

/// Make the partitions the events at these times (ms) fall in, where missing.
pub async fn ensure(
    client: &tokio_postgres::Client,
    made: &Made,
    times: &[i64],
) -> Result<(), StoreError> {
    let months: BTreeSet<NaiveDate> = times.iter().map(|&t| month_of(t)).collect();
    let missing: Vec<NaiveDate> = {
        let made = made.lock().map_err(|_| StoreError::Stopped)?;
        months.into_iter().filter(|m| !made.contains(m)).collect()
    };
    for month in missing {
        make(client, month).await?;
        if let Ok(mut made) = made.lock() {
            made.insert(month);
        }
    }
    Ok(())
}

/// Forget that the months of these times were made (another process may have dropped them).
pub fn forget(made: &Made, times: &[i64]) {
    if let Ok(mut made) = made.lock() {
        for &t in times {
            made.remove(&month_of(t));
        }
    }
}

async fn make(client: &tokio_postgres::Client, month: NaiveDate) -> Result<(), StoreError> {
    let next = month + Months::new(1);
    let table = name(month);
    client
        .batch_execute(&format!(
            "BEGIN;
             SELECT pg_advisory_xact_lock({PARTITION_LOCK});
             CREATE TABLE IF NOT EXISTS {table} PARTITION OF events
                 FOR VALUES FROM ({}) TO ({});
             COMMIT;",
            start_ms(month),
            start_ms(next)
        ))
        .await
        .map_err(db_error)
}

impl PgStore {
    /// Make this month's and next month's partitions, and drop the months past the
    /// retention setting: what to run at start and now and then. The months dropped.
    pub async fn keep_partitions(&self, now_ms: i64) -> Result<Vec<String>, StoreError> {
        let client = self.client().await?;
        let this = month_of(now_ms);
        ensure(
            &client,
            &self.partitions,
            &[now_ms, start_ms(this + Months::new(1))],
        )
        .await?;
        if self.retention_months == 0 {
            return Ok(Vec::new());
        }
        let oldest_kept = this - Months::new(self.retention_months.saturating_sub(1));
        let rows = client
            .query(
                "SELECT c.relname FROM pg_inherits i
                 JOIN pg_class c ON c.oid = i.inhrelid
                 JOIN pg_class p ON p.oid = i.inhparent
                 WHERE p.relname = 'events' AND c.relname ~ '^events_[0-9]{4}_[0-9]{2}$'",
                &[],
            )
            .await
            .map_err(db_error)?;
        let mut dropped = Vec::new();
        for r in rows {
            let table: String = r.get(0);
            let month = NaiveDate::parse_from_str(&format!("{}_01", &table[7..]), "%Y_%m_%d");
            if month.is_ok_and(|m| m < oldest_kept) {
                client
                    .batch_execute(&format!("DROP TABLE IF EXISTS {table}"))
                    .await
                    .map_err(db_error)?;
                if let Ok(m) = month
                    && let Ok(mut made) = self.partitions.lock()
                {
                    made.remove(&m);
                }
                dropped.push(table);
            }
        }
        if !dropped.is_empty() {
            tracing::info!(?dropped, "raw events past the retention dropped");
        }
        Ok(dropped)
    }
}
