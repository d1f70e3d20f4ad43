//! Reading: the halls, one hall's visits (its own page: the same figures as the hall's),
//! and every hall's figure rows side by side.

use super::{PgStore, db_error};
use crate::store::{Error, HallRow};
use chrono::NaiveDate;
use motcua_domain::Error as Denied;
use motcua_domain::stats::fold::TicketVisits;
use motcua_domain::stats::rows::{COLUMNS, Counts};
use motcua_domain::stats::{Booking, BookingOutcome, Span};
use motcua_store::dossier_ratings::DossierRating;
use std::collections::HashMap;
use std::sync::LazyLock;

const HALL_COLUMNS: &str = "id, code, name, acked_seq, profile, registered_at, last_report_at, \
     province, merged_into, region IS NOT NULL";

fn hall_from_row(r: &tokio_postgres::Row) -> HallRow {
    let profile: Option<serde_json::Value> = r.get(4);
    HallRow {
        id: r.get(0),
        code: r.get(1),
        name: r.get(2),
        acked_seq: r.get(3),
        profile: profile.and_then(|p| serde_json::from_value(p).ok()),
        registered_at: r.get(5),
        last_report_at: r.get(6),
        province: r.get(7),
        merged_into: r.get(8),
        forwarded: r.get(9),
    }
}

/// One hall's figure rows over a range: its id (a merged hall's under the hall it was
/// merged into) and the rows added up.
#[derive(Debug, Clone)]
pub struct RowsOf {
    pub hall: i64,
    pub counts: Counts,
}

/// The side-by-side read: each hall's running totals at the range's last day less those
/// before its first, two rows per hall whatever the range; a merged hall is added to the
/// one it joined (in Rust).
static ROWS_OF: LazyLock<String> = LazyLock::new(|| {
    let differences: Vec<String> = COLUMNS
        .iter()
        .map(|c| format!("coalesce(hi.{c}, 0) - coalesce(lo.{c}, 0)"))
        .collect();
    format!(
        "SELECT coalesce(h.merged_into, h.id), {differences},
             motcua_sub_buckets(hi.wait_buckets, lo.wait_buckets),
             motcua_sub_buckets(hi.service_buckets, lo.service_buckets)
         FROM halls h
         JOIN LATERAL (SELECT * FROM figures_hall_running r
                       WHERE r.hall = h.id AND r.day <= $2 ORDER BY r.day DESC LIMIT 1) hi ON true
         LEFT JOIN LATERAL (SELECT * FROM figures_hall_running r
                            WHERE r.hall = h.id AND r.day < $1 ORDER BY r.day DESC LIMIT 1) lo ON true",
        differences = differences.join(", ")
    )
});

impl PgStore {
    pub async fn halls(&self) -> Result<Vec<HallRow>, Error> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!("SELECT {HALL_COLUMNS} FROM halls ORDER BY name, code"),
                &[],
            )
            .await
            .map_err(db_error)?;
        Ok(rows.iter().map(hall_from_row).collect())
    }

    pub async fn hall(&self, code: &str) -> Result<Option<HallRow>, Error> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                &format!("SELECT {HALL_COLUMNS} FROM halls WHERE code = $1"),
                &[&code],
            )
            .await
            .map_err(db_error)?;
        Ok(row.as_ref().map(hall_from_row))
    }

    /// Who may have signed batches as `code`: its id and key version.
    pub async fn signer(&self, code: &str) -> Result<Option<(i64, u32)>, Error> {
        let client = self.client().await?;
        let row = client
            .query_opt(
                "SELECT id, key_version FROM halls WHERE code = $1 AND region IS NULL",
                &[&code],
            )
            .await
            .map_err(db_error)?;
        Ok(row.map(|r| (r.get(0), r.get::<_, i32>(1) as u32)))
    }

    /// The halls whose history is `hall`'s: itself and those merged into it.
    async fn history_of(
        &self,
        client: &tokio_postgres::Client,
        hall: i64,
    ) -> Result<Vec<i64>, Error> {
        let rows = client
            .query(
                "SELECT id FROM halls WHERE id = $1 OR merged_into = $1",
                &[&hall],
            )
            .await
            .map_err(db_error)?;
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// One hall's visits, spans and bookings of `from` to `to` (with the halls merged into
    /// it), as its own figures read them.
    pub async fn hall_history(
        &self,
        hall: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<crate::store::History, Error> {
        let client = self.client().await?;
        let halls = self.history_of(&client, hall).await?;
        let mut visits = Vec::new();
        for r in client
            .query(
                "SELECT visits FROM tickets WHERE hall = ANY($1) AND day BETWEEN $2 AND $3
                 ORDER BY day, hall, ticket_id",
                &[&halls, &from, &to],
            )
            .await
            .map_err(db_error)?
        {
            let ticket: TicketVisits =
                serde_json::from_value(r.get(0)).map_err(Denied::internal)?;
            visits.extend(ticket.into_visits());
        }
        let spans = client
            .query(
                "SELECT counter_no, user_id, pause, day, began_at, last_activity, ended_at
                 FROM counter_spans WHERE hall = ANY($1) AND day BETWEEN $2 AND $3",
                &[&halls, &from, &to],
            )
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| Span {
                counter: r.get::<_, i32>(0) as u16,
                clerk: r.get(1),
                pause: r.get(2),
                day: r.get(3),
                began_at: r.get(4),
                last_activity: r.get(5),
                ended_at: r.get(6),
            })
            .collect();
        let bookings = client
            .query(
                "SELECT day, service, window_start, source, booked_at, outcome, offset_ms,
                     late_walk_in
                 FROM bookings WHERE hall = ANY($1) AND day BETWEEN $2 AND $3",
                &[&halls, &from, &to],
            )
            .await
            .map_err(db_error)?
            .iter()
            .map(|r| Booking {
                day: r.get(0),
                service: r.get(1),
                window: r.get(2),
                source: r.get(3),
                booked_at: r.get(4),
                outcome: BookingOutcome::parse(r.get(5)).unwrap_or(BookingOutcome::Booked),
                offset_ms: r.get(6),
                late_walk_in: r.get(7),
            })
            .collect();
        Ok((visits, spans, bookings))
    }

    /// Every hall's figure rows over `from` to `to`, added up per hall.
    pub async fn rows_of(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<RowsOf>, Error> {
        let client = self.client().await?;
        let statement = client
            .prepare_cached(ROWS_OF.as_str())
            .await
            .map_err(db_error)?;
        let rows = client
            .query(&statement, &[&from, &to])
            .await
            .map_err(db_error)?;
        let n = COLUMNS.len();
        let mut by_hall: std::collections::BTreeMap<i64, Counts> = Default::default();
        for r in &rows {
            let counts = Counts {
                values: (1..=n).map(|i| r.get::<_, i64>(i)).collect(),
                wait: r.get(n + 1),
                service: r.get(n + 2),
            };
            // Added to a full-length one: the stored buckets end at their last count.
            by_hall.entry(r.get(0)).or_default().add(&counts, 1);
        }
        Ok(by_hall
            .into_iter()
            .map(|(hall, counts)| RowsOf { hall, counts })
            .collect())
    }

    /// People waiting now in each hall: today's visits not yet called.
    pub async fn waiting_now(&self, day: NaiveDate) -> Result<HashMap<i64, u64>, Error> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT coalesce(h.merged_into, h.id), count(*) FROM tickets t
                 JOIN halls h ON h.id = t.hall
                 WHERE t.day = $1 AND t.visits->'visits'->-1->>'outcome' IS NULL
                   AND t.visits->'visits'->-1->>'first_call' IS NULL
                 GROUP BY 1",
                &[&day],
            )
            .await
            .map_err(db_error)?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
    }

    /// Every hall's rated or complained dossiers of tickets issued from `from` to `to`, in
    /// time order (as the SQLite store's `dossier_ratings`).
    pub async fn dossier_ratings(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DossierRating>, Error> {
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT coalesce(h.merged_into, h.id), t.visits FROM tickets t
                 JOIN halls h ON h.id = t.hall
                 WHERE t.day BETWEEN $1 AND $2 AND jsonb_array_length(t.visits->'dossiers') > 0",
                &[&from, &to],
            )
            .await
            .map_err(db_error)?;
        let mut out = Vec::new();
        for r in rows {
            let hall: i64 = r.get(0);
            let ticket: TicketVisits =
                serde_json::from_value(r.get(1)).map_err(Denied::internal)?;
            for v in ticket.into_visits() {
                if v.rating.is_none() && v.complaints == 0 {
                    continue;
                }
                for dossier in &v.dossiers {
                    out.push(DossierRating {
                        hall,
                        dossier: dossier.clone(),
                        service: v.service.clone(),
                        at: v.rated_at.or(v.ended_at).unwrap_or(v.queued_at),
                        rating: v.rating,
                        reasons: v.reasons.clone(),
                        visits_needed: v.visits_needed,
                        complaints: v.complaints,
                    });
                }
            }
        }
        out.sort_by(|a, b| (a.at, a.hall, &a.dossier).cmp(&(b.at, b.hall, &b.dossier)));
        Ok(out)
    }

    /// The city's copy of a hall's log: how many events, the first and the last number.
    pub async fn log_of(&self, code: &str) -> Result<(i64, i64, i64), Error> {
        let client = self.client().await?;
        let r = client
            .query_one(
                "SELECT count(*), coalesce(min(seq), 0), coalesce(max(seq), 0) FROM events
                 WHERE hall = (SELECT id FROM halls WHERE code = $1)",
                &[&code],
            )
            .await
            .map_err(db_error)?;
        Ok((r.get(0), r.get(1), r.get(2)))
    }
}
