//! Taking a verified batch: in one transaction that holds its hall's row lock, the events
//! the city does not have yet are stored, folded into the tickets' visits, the counters'
//! spans and the bookings, and their change to the figure rows is added; the hall's
//! acknowledged sequence moves on. Refused for any reason, nothing is stored.

use super::{PgStore, db_error, partitions};
use crate::store::{Error, Verified};
use chrono::NaiveDate;
use deadpool_postgres::Transaction;
use motcua_domain::Error as Denied;
use motcua_domain::event::Logged;
use motcua_domain::stats::fold::{FoldedSpan, TicketVisits, fold_booking, fold_spans};
use motcua_domain::stats::rows::{self, COLUMNS, Counts, Key};
use motcua_domain::stats::{Booking, BookingOutcome, Span};
use motcua_store::StoreError;
use motcua_web::protocol::{Ack, Batch};
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

impl PgStore {
    /// Take a verified batch (see the module's note): the same answers as the SQLite
    /// store's `accept`, whichever collector process the batch reached.
    pub async fn accept(&self, verified: &Verified) -> Result<Ack, Error> {
        let times: Vec<i64> = verified.batch.events.iter().map(|e| e.at).collect();
        match self.try_accept(verified, &times).await {
            // No partition for an event's month: another process dropped it (past the
            // retention) since this one made it. Made again, the batch goes in.
            Err(Error::Store(StoreError::Database(m))) if m.starts_with("23514") => {
                partitions::forget(&self.partitions, &times);
                self.try_accept(verified, &times).await
            }
            answer => answer,
        }
    }

    async fn try_accept(&self, verified: &Verified, times: &[i64]) -> Result<Ack, Error> {
        let mut client = self.client().await?;
        partitions::ensure(&client, &self.partitions, times).await?;
        let tx = client.transaction().await.map_err(db_error)?;
        let ack = accept_in(&tx, verified, self.forwards).await?;
        tx.commit().await.map_err(db_error)?;
        if self.forwards && ack.stored > 0 {
            self.outbox.notify_one();
        }
        Ok(ack)
    }
}

async fn accept_in(
    tx: &Transaction<'_>,
    verified: &Verified,
    forwards: bool,
) -> Result<Ack, Error> {
    let Verified {
        hall_id,
        ref batch,
        now_ms,
        ..
    } = *verified;
    // The hall's lock: its batches one at a time, whichever process took them.
    let row = tx
        .query_opt(
            "SELECT key_version, acked_seq FROM halls WHERE id = $1 FOR UPDATE",
            &[&hall_id],
        )
        .await
        .map_err(db_error)?
        .ok_or_else(|| Denied::rejected("unknown_hall", "no hall is registered with this code"))?;
    let (version, acked): (i32, i64) = (row.get(0), row.get(1));
    if version as u32 != verified.key_version {
        return Err(Denied::rejected(
            "bad_signature",
            "the hall's secret changed while its batch was checked: sign it with the new one",
        )
        .into());
    }
    let profile = serde_json::to_value(&batch.profile).map_err(Denied::internal)?;
    if batch.is_heartbeat() {
        if batch.to_seq > acked {
            return Err(Denied::SequenceGap {
                acked_through: acked,
            }
            .into());
        }
        tx.execute(
            "UPDATE halls SET last_report_at = $2, profile = $3 WHERE id = $1",
            &[&hall_id, &now_ms, &profile],
        )
        .await
        .map_err(db_error)?;
        return Ok(Ack {
            acked_through: acked,
            stored: 0,
        });
    }
    check_held_events(tx, hall_id, acked, batch).await?;
    if let Some(had) = crate::store::had_or_next(acked, batch.from_seq, batch.to_seq)? {
        return Ok(had);
    }
    let stored = store_events(tx, verified, acked).await?;
    fold_and_count(tx, verified, acked, forwards).await?;
    tx.execute(
        "UPDATE halls SET acked_seq = $2, last_report_at = $3, profile = $4 WHERE id = $1",
        &[&hall_id, &batch.to_seq, &now_ms, &profile],
    )
    .await
    .map_err(db_error)?;
    Ok(Ack {
        acked_through: batch.to_seq,
        stored,
    })
}

/// Events the city already holds must be the same events (see the SQLite store's check).
/// An event of a month the retention dropped is not held any more, and not compared.
async fn check_held_events(
    tx: &Transaction<'_>,
    hall_id: i64,
    acked: i64,
    batch: &Batch,
) -> Result<(), Error> {
    let held: Vec<&motcua_web::protocol::WireEvent> =
        batch.events.iter().filter(|e| e.seq <= acked).collect();
    if held.is_empty() {
        return Ok(());
    }
    let seqs: Vec<i64> = held.iter().map(|e| e.seq).collect();
    let rows = tx
        .query(
            "SELECT seq, at, kind, ticket_id FROM events WHERE hall = $1 AND seq = ANY($2)",
            &[&hall_id, &seqs],
        )
        .await
        .map_err(db_error)?;
    let stored: HashMap<i64, (i64, String, Option<i64>)> = rows
        .iter()
        .map(|r| (r.get(0), (r.get(1), r.get(2), r.get(3))))
        .collect();
    for e in held {
        if let Some(s) = stored.get(&e.seq)
            && *s != (e.at, e.kind.clone(), e.ticket)
        {
            return Err(Denied::refused(
                "log_diverged",
                format!(
                    "event {} is not the one the city holds under that number: was the hall's database restored from an older backup? The city keeps what it has; ask the city to register the hall again",
                    e.seq
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// Store the batch's events after `acked`, all in one statement; how many.
async fn store_events(tx: &Transaction<'_>, v: &Verified, acked: i64) -> Result<u64, Error> {
    let new: Vec<&motcua_web::protocol::WireEvent> =
        v.batch.events.iter().filter(|e| e.seq > acked).collect();
    let seq: Vec<i64> = new.iter().map(|e| e.seq).collect();
    let at: Vec<i64> = new.iter().map(|e| e.at).collect();
    let kind: Vec<&str> = new.iter().map(|e| e.kind.as_str()).collect();
    let ticket: Vec<Option<i64>> = new.iter().map(|e| e.ticket).collect();
    let service: Vec<Option<&str>> = new.iter().map(|e| e.service.as_deref()).collect();
    let counter: Vec<Option<i32>> = new.iter().map(|e| e.counter.map(i32::from)).collect();
    let clerk: Vec<Option<i64>> = new.iter().map(|e| e.clerk).collect();
    let data: Vec<&serde_json::Value> = new.iter().map(|e| &e.data).collect();
    let stored = tx
        .execute(
            "INSERT INTO events (hall, seq, at, kind, ticket_id, service, counter_no, user_id, data, received_at)
             SELECT $1, e.* , $10 FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::bigint[],
                 $6::text[], $7::integer[], $8::bigint[], $9::jsonb[]) AS e",
            &[
                &v.hall_id, &seq, &at, &kind, &ticket, &service, &counter, &clerk, &data, &v.now_ms,
            ],
        )
        .await
        .map_err(db_error)?;
    Ok(stored)
}

/// What the fold works on: the touched tickets, the hall's running spans and the touched
/// bookings, each with what it counted before.
struct Folding {
    tickets: BTreeMap<i64, (TicketVisits, BTreeMap<Key, Counts>)>,
    spans: Vec<FoldedSpan>,
    bookings: BTreeMap<i64, (Option<Booking>, Option<Booking>)>,
}

/// Fold the batch's new events, as the hall folds them, and add their change to the rows.
async fn fold_and_count(
    tx: &Transaction<'_>,
    v: &Verified,
    acked: i64,
    forwards: bool,
) -> Result<(), Error> {
    let hall_id = v.hall_id;
    let mut logged: Vec<Logged> = Vec::new();
    for e in v.batch.events.iter().filter(|e| e.seq > acked) {
        // An event this build cannot read (a newer hall's kind) is kept in the log, and
        // left out of the figures until it can be.
        match e.logged() {
            Ok(l) => logged.push(l),
            Err(error) => {
                tracing::warn!(hall = hall_id, seq = e.seq, %error, "an event left out of the figures");
            }
        }
    }
    let mut folding = load(tx, hall_id, &logged).await?;
    for e in &logged {
        if let Some(reference) = e.event.booking() {
            let entry = folding
                .bookings
                .entry(reference.booking)
                .or_insert((None, None));
            fold_booking(&mut entry.1, e);
            continue;
        }
        match e.ticket {
            Some(ticket) => {
                let entry = folding.tickets.entry(ticket).or_default();
                let issued_at = entry.0.visits.last().map(|v| v.issued_at);
                crate::plausible::issued_before(issued_at, e)?;
                entry.0.fold(v.tz, e);
                fold_spans(&mut folding.spans, v.tz, e);
            }
            None => fold_spans(&mut folding.spans, v.tz, e),
        }
    }
    let targets: BTreeMap<String, u32> = v
        .batch
        .profile
        .services
        .iter()
        .map(|s| (s.code.clone(), s.target_wait_minutes))
        .collect();
    let mut change: BTreeMap<Key, Counts> = BTreeMap::new();
    let mut add = |delta: BTreeMap<Key, Counts>| {
        for (k, c) in delta {
            change.entry(k).or_default().add(&c, 1);
        }
    };
    write_tickets(tx, hall_id, &folding.tickets, &targets, &mut add).await?;
    write_spans(tx, hall_id, &folding.spans, v.tz, &mut add).await?;
    write_bookings(tx, hall_id, &folding.bookings, &mut add).await?;
    add_to_rows(tx, hall_id, &change, forwards).await
}

async fn load(tx: &Transaction<'_>, hall_id: i64, logged: &[Logged]) -> Result<Folding, Error> {
    let mut ticket_ids: Vec<i64> = logged
        .iter()
        .filter(|e| e.event.booking().is_none())
        .filter_map(|e| e.ticket)
        .collect();
    ticket_ids.sort_unstable();
    ticket_ids.dedup();
    let mut tickets = BTreeMap::new();
    for r in tx
        .query(
            "SELECT ticket_id, visits, targets FROM tickets WHERE hall = $1 AND ticket_id = ANY($2)",
            &[&hall_id, &ticket_ids],
        )
        .await
        .map_err(db_error)?
    {
        let visits: TicketVisits =
            serde_json::from_value(r.get(1)).map_err(Denied::internal)?;
        // What the ticket added to the rows, counted again with the targets it was counted
        // with: exactly what is to be taken back.
        let targets: BTreeMap<String, u32> =
            serde_json::from_value(r.get(2)).map_err(Denied::internal)?;
        let counted = rows::contribution(&visits.clone().into_visits(), &visits.dossiers, &targets);
        tickets.insert(r.get::<_, i64>(0), (visits, counted));
    }
    let spans = tx
        .query(
            "SELECT id, counter_no, user_id, pause, day, began_at, last_activity
             FROM counter_spans WHERE hall = $1 AND ended_at IS NULL",
            &[&hall_id],
        )
        .await
        .map_err(db_error)?
        .iter()
        .map(|r| FoldedSpan {
            id: Some(r.get(0)),
            span: Span {
                counter: r.get::<_, i32>(1) as u16,
                clerk: r.get(2),
                pause: r.get(3),
                day: r.get(4),
                began_at: r.get(5),
                last_activity: r.get(6),
                ended_at: None,
            },
            changed: false,
        })
        .collect();
    let booking_ids: Vec<i64> = logged
        .iter()
        .filter_map(|e| e.event.booking().map(|b| b.booking))
        .collect();
    let mut bookings = BTreeMap::new();
    for r in tx
        .query(
            "SELECT booking, day, service, window_start, source, booked_at, outcome, offset_ms,
                 late_walk_in
             FROM bookings WHERE hall = $1 AND booking = ANY($2)",
            &[&hall_id, &booking_ids],
        )
        .await
        .map_err(db_error)?
    {
        let b = Booking {
            day: r.get(1),
            service: r.get(2),
            window: r.get(3),
            source: r.get(4),
            booked_at: r.get(5),
            outcome: BookingOutcome::parse(r.get(6)).unwrap_or(BookingOutcome::Booked),
            offset_ms: r.get(7),
            late_walk_in: r.get(8),
        };
        bookings.insert(r.get::<_, i64>(0), (Some(b.clone()), Some(b)));
    }
    Ok(Folding {
        tickets,
        spans,
        bookings,
    })
}

/// Store the tickets' visits and the targets they were counted with, handing the change
/// in the rows on.
async fn write_tickets(
    tx: &Transaction<'_>,
    hall_id: i64,
    tickets: &BTreeMap<i64, (TicketVisits, BTreeMap<Key, Counts>)>,
    targets: &BTreeMap<String, u32>,
    add: &mut impl FnMut(BTreeMap<Key, Counts>),
) -> Result<(), Error> {
    let mut ids = Vec::new();
    let mut days = Vec::new();
    let mut visits = Vec::new();
    let mut counted_with = Vec::new();
    for (id, (ticket, before)) in tickets {
        // A ticket whose issue the city never had (its events came before the hall began
        // reporting) has no visit to count.
        let Some(day) = ticket.day() else {
            continue;
        };
        // The targets of the ticket's own fields, as they stand now, kept with it.
        let own: BTreeMap<&str, u32> = ticket
            .visits
            .iter()
            .filter_map(|v| Some((v.service.as_str(), *targets.get(&v.service)?)))
            .collect();
        let after = rows::contribution(&ticket.clone().into_visits(), &ticket.dossiers, targets);
        add(rows::delta(before, &after));
        ids.push(*id);
        days.push(day);
        visits.push(serde_json::to_value(ticket).map_err(Denied::internal)?);
        counted_with.push(serde_json::to_value(own).map_err(Denied::internal)?);
    }
    tx.execute(
        "INSERT INTO tickets (hall, ticket_id, day, visits, targets)
         SELECT $1, t.* FROM unnest($2::bigint[], $3::date[], $4::jsonb[], $5::jsonb[]) AS t
         ON CONFLICT (hall, ticket_id) DO UPDATE
             SET visits = EXCLUDED.visits, targets = EXCLUDED.targets",
        &[&hall_id, &ids, &days, &visits, &counted_with],
    )
    .await
    .map_err(db_error)?;
    Ok(())
}

/// Store the spans begun or moved on; a span that ended adds its time to the rows.
async fn write_spans(
    tx: &Transaction<'_>,
    hall_id: i64,
    spans: &[FoldedSpan],
    tz: chrono_tz::Tz,
    add: &mut impl FnMut(BTreeMap<Key, Counts>),
) -> Result<(), Error> {
    for s in spans.iter().filter(|s| s.changed) {
        let span = &s.span;
        add(rows::span_contribution(span, tz));
        match s.id {
            Some(id) => tx
                .execute(
                    "UPDATE counter_spans SET last_activity = $2, ended_at = $3 WHERE id = $1",
                    &[&id, &span.last_activity, &span.ended_at],
                )
                .await
                .map_err(db_error)?,
            None => tx
                .execute(
                    "INSERT INTO counter_spans (hall, counter_no, user_id, pause, day, began_at,
                         last_activity, ended_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[
                        &hall_id,
                        &i32::from(span.counter),
                        &span.clerk,
                        &span.pause,
                        &span.day,
                        &span.began_at,
                        &span.last_activity,
                        &span.ended_at,
                    ],
                )
                .await
                .map_err(db_error)?,
        };
    }
    Ok(())
}

/// Store the bookings made or moved on, their change handed on.
async fn write_bookings(
    tx: &Transaction<'_>,
    hall_id: i64,
    bookings: &BTreeMap<i64, (Option<Booking>, Option<Booking>)>,
    add: &mut impl FnMut(BTreeMap<Key, Counts>),
) -> Result<(), Error> {
    for (id, (before, after)) in bookings {
        let Some(b) = after else {
            continue;
        };
        if before.as_ref() == Some(b) {
            continue;
        }
        let was = before
            .as_ref()
            .map(rows::booking_contribution)
            .unwrap_or_default();
        add(rows::delta(&was, &rows::booking_contribution(b)));
        tx.execute(
            "INSERT INTO bookings (hall, booking, day, service, window_start, source, booked_at,
                 outcome, offset_ms, late_walk_in)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (hall, booking) DO UPDATE SET outcome = EXCLUDED.outcome,
                 offset_ms = EXCLUDED.offset_ms, late_walk_in = EXCLUDED.late_walk_in",
            &[
                &hall_id,
                id,
                &b.day,
                &b.service,
                &b.window,
                &b.source,
                &b.booked_at,
                &b.outcome.as_str(),
                &b.offset_ms,
                &b.late_walk_in,
            ],
        )
        .await
        .map_err(db_error)?;
    }
    Ok(())
}

/// The upsert that adds a change to one of the figure tables keyed by `key`.
fn upsert(table: &str, key: &[&str]) -> String {
    let n = key.len();
    let columns: Vec<String> = COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    let values: Vec<String> = (1..=COLUMNS.len())
        .map(|i| format!("(${}::bigint[])[{i}]", n + 1))
        .collect();
    let sets: Vec<String> = COLUMNS
        .iter()
        .map(|c| format!("{c} = f.{c} + EXCLUDED.{c}"))
        .collect();
    let placeholders: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    format!(
        "INSERT INTO {table} AS f ({key}, {columns}, wait_buckets, service_buckets)
         VALUES ({placeholders}, {values}, ${w}, ${s})
         ON CONFLICT ({key}) DO UPDATE SET {sets},
             wait_buckets = motcua_add_buckets(f.wait_buckets, EXCLUDED.wait_buckets),
             service_buckets = motcua_add_buckets(f.service_buckets, EXCLUDED.service_buckets)",
        key = key.join(", "),
        columns = columns.join(", "),
        placeholders = placeholders.join(", "),
        values = values.join(", "),
        w = n + 2,
        s = n + 3,
        sets = sets.join(", "),
    )
}

static HOURLY: LazyLock<String> =
    LazyLock::new(|| upsert("figures_hourly", &["hall", "day", "hour", "service"]));
static DAILY: LazyLock<String> =
    LazyLock::new(|| upsert("figures_daily", &["hall", "day", "service"]));
static HALL_DAILY: LazyLock<String> =
    LazyLock::new(|| upsert("figures_hall_daily", &["hall", "day"]));
/// The running totals: the day's row made where missing (from the last day's before it,
/// or nothing), then the change added to it and every later day's.
static RUNNING: LazyLock<[String; 2]> = LazyLock::new(|| {
    let columns = COLUMNS.join(", ");
    let sets: Vec<String> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = {c} + ($3::bigint[])[{}]", i + 1))
        .collect();
    [
        format!(
            "INSERT INTO figures_hall_running (hall, day, {columns}, wait_buckets, service_buckets)
             SELECT $1, $2, {columns}, wait_buckets, service_buckets FROM (
                 (SELECT {columns}, wait_buckets, service_buckets FROM figures_hall_running
                  WHERE hall = $1 AND day < $2 ORDER BY day DESC LIMIT 1)
                 UNION ALL
                 SELECT {zeros}, '{{}}', '{{}}'
             ) AS before LIMIT 1
             ON CONFLICT (hall, day) DO NOTHING",
            zeros = vec!["0"; COLUMNS.len()].join(", ")
        ),
        format!(
            "UPDATE figures_hall_running SET {},
                 wait_buckets = motcua_add_buckets(wait_buckets, $4),
                 service_buckets = motcua_add_buckets(service_buckets, $5)
             WHERE hall = $1 AND day >= $2",
            sets.join(", ")
        ),
    ]
});

/// Buckets as stored: without the zeros at their end.
fn trimmed(buckets: &[i64]) -> &[i64] {
    let end = buckets.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    &buckets[..end]
}

/// One of the four figure tables, as [`add_row`] adds to it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Table {
    Hourly(u8),
    Daily,
    HallDaily,
    /// The running totals: the change added to the day and every later one.
    HallRunning,
}

/// Add `c` to a row of a figure table (made if missing).
pub(super) async fn add_row(
    tx: &Transaction<'_>,
    table: Table,
    hall: i64,
    day: NaiveDate,
    service: Option<&str>,
    c: &Counts,
) -> Result<(), Error> {
    let (wait, times) = (trimmed(&c.wait), trimmed(&c.service));
    let sql = match table {
        Table::Hourly(_) => HOURLY.as_str(),
        Table::Daily => DAILY.as_str(),
        Table::HallDaily => HALL_DAILY.as_str(),
        Table::HallRunning => {
            let [make, add] = &*RUNNING;
            let make = tx.prepare_cached(make).await.map_err(db_error)?;
            tx.execute(&make, &[&hall, &day]).await.map_err(db_error)?;
            let add = tx.prepare_cached(add).await.map_err(db_error)?;
            tx.execute(&add, &[&hall, &day, &c.values, &wait, &times])
                .await
                .map_err(db_error)?;
            return Ok(());
        }
    };
    let statement = tx.prepare_cached(sql).await.map_err(db_error)?;
    let service = service.unwrap_or_default();
    let done = match table {
        Table::Hourly(hour) => {
            let hour = i16::from(hour);
            tx.execute(
                &statement,
                &[&hall, &day, &hour, &service, &c.values, &wait, &times],
            )
            .await
        }
        Table::Daily => {
            tx.execute(
                &statement,
                &[&hall, &day, &service, &c.values, &wait, &times],
            )
            .await
        }
        Table::HallDaily | Table::HallRunning => {
            tx.execute(&statement, &[&hall, &day, &c.values, &wait, &times])
                .await
        }
    };
    done.map_err(db_error)?;
    Ok(())
}

/// Add the batch's change to the four figure tables, and (when this collector forwards
/// to the country's) list the hall-days changed in the outbox.
async fn add_to_rows(
    tx: &Transaction<'_>,
    hall_id: i64,
    change: &BTreeMap<Key, Counts>,
    forwards: bool,
) -> Result<(), Error> {
    let mut daily: BTreeMap<(NaiveDate, &str), Counts> = BTreeMap::new();
    let mut hall_daily: BTreeMap<NaiveDate, Counts> = BTreeMap::new();
    for (key, c) in change {
        daily
            .entry((key.day, key.service.as_str()))
            .or_default()
            .add(c, 1);
        hall_daily.entry(key.day).or_default().add(c, 1);
    }
    // Every row's statement sent at once and answered in order (the connection pipelines
    // them): one round trip for the batch's rows, not one each.
    let mut runs = Vec::new();
    for (key, c) in change {
        let table = Table::Hourly(key.hour);
        runs.push(add_row(tx, table, hall_id, key.day, Some(&key.service), c));
    }
    for ((day, service), c) in &daily {
        runs.push(add_row(tx, Table::Daily, hall_id, *day, Some(service), c));
    }
    for (day, c) in &hall_daily {
        runs.push(add_row(tx, Table::HallDaily, hall_id, *day, None, c));
        runs.push(add_row(tx, Table::HallRunning, hall_id, *day, None, c));
    }
    for done in futures_util::future::join_all(runs).await {
        done?;
    }
    if forwards && !hall_daily.is_empty() {
        let days: Vec<NaiveDate> = hall_daily.keys().copied().collect();
        tx.execute(
            "INSERT INTO upstream_outbox (hall, day) SELECT $1, unnest($2::date[])",
            &[&hall_id, &days],
        )
        .await
        .map_err(db_error)?;
    }
    Ok(())
}
