//! The tickets table: rows in and out, nothing decided here. Which move is legal and who may
//! ask for it is the application's (`app::queue`) and the domain's business.

use super::StoreError;
use motcua_domain::event::RatingChannel;
use motcua_domain::{CounterNo, Priority, ServiceCode, Status};
use rusqlite::{Connection, OptionalExtension, Row, params};
use std::collections::BTreeMap;

/// A ticket as stored.
#[derive(Debug, Clone)]
pub struct TicketRow {
    pub id: i64,
    pub token: String,
    pub local_day: String,
    pub service: ServiceCode,
    pub first_service: ServiceCode,
    pub code: String,
    pub priority: Priority,
    pub status: Status,
    pub counter_no: Option<CounterNo>,
    pub issued_at: i64,
    pub queued_at: i64,
    pub first_called_at: Option<i64>,
    pub called_at: Option<i64>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub recalls: u32,
    pub eta_minutes: u32,
    pub rating: Option<u8>,
    /// Where the rating was given (`None`: not rated, or before ratings said where).
    pub rating_source: Option<RatingChannel>,
    /// A checked-in booking's appointment (ms): a booked number, called by that time.
    pub booked_for: Option<i64>,
    /// A result pick-up ticket ("nhận kết quả"), taken at the kiosk with a dossier's receipt.
    pub result_pickup: bool,
}

/// The columns [`ticket_from_row`] reads, as a literal (for `concat!`).
macro_rules! ticket_columns {
    () => {
        "id, token, local_day, service, first_service, code, priority, status, \
         counter_no, issued_at, queued_at, first_called_at, called_at, started_at, \
         finished_at, recalls, eta_minutes, rating, rating_source, booked_for, result_pickup"
    };
}

const TICKET_COLUMNS: &str = ticket_columns!();

pub(crate) fn bad_value(column: &str, value: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        format!("unexpected {column} {value:?}").into(),
    )
}

fn ticket_from_row(row: &Row<'_>) -> rusqlite::Result<TicketRow> {
    let text = |i: usize| row.get::<_, String>(i);
    let service = text(3)?;
    let first_service = text(4)?;
    let priority = text(6)?;
    let status = text(7)?;
    let counter: Option<u16> = row.get(8)?;
    Ok(TicketRow {
        id: row.get(0)?,
        token: text(1)?,
        local_day: text(2)?,
        service: ServiceCode::try_from(service.clone())
            .map_err(|_| bad_value("service", service))?,
        first_service: ServiceCode::try_from(first_service.clone())
            .map_err(|_| bad_value("service", first_service))?,
        code: text(5)?,
        priority: Priority::parse(&priority).ok_or_else(|| bad_value("priority", priority))?,
        status: Status::parse(&status).ok_or_else(|| bad_value("status", status))?,
        counter_no: counter.and_then(|n| CounterNo::try_from(n).ok()),
        issued_at: row.get(9)?,
        queued_at: row.get(10)?,
        first_called_at: row.get(11)?,
        called_at: row.get(12)?,
        started_at: row.get(13)?,
        finished_at: row.get(14)?,
        recalls: row.get(15)?,
        eta_minutes: row.get(16)?,
        rating: row.get(17)?,
        rating_source: row
            .get::<_, Option<String>>(18)?
            .and_then(|s| RatingChannel::parse(&s)),
        booked_for: row.get(19)?,
        result_pickup: row.get(20)?,
    })
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<TicketRow>, StoreError> {
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], ticket_from_row)
        .optional()?)
}

pub fn by_token(conn: &Connection, token: &str) -> Result<Option<TicketRow>, StoreError> {
    let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE token = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([token], ticket_from_row)
        .optional()?)
}

/// The ticket issued for a kiosk's request id, if any.
pub fn by_request_id(conn: &Connection, request_id: &str) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT id FROM tickets WHERE request_id = ?1")?
        .query_row([request_id], |r| r.get(0))
        .optional()?)
}

/// The ticket a counter holds now (called or serving), if any.
pub fn at_counter(conn: &Connection, no: CounterNo) -> Result<Option<TicketRow>, StoreError> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets WHERE counter_no = ?1 AND status IN ('called', 'serving')"
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([no.get()], ticket_from_row)
        .optional()?)
}

/// The called tickets whose last call was at or before `before` and who were called at
/// least `calls` times (the first call and its recalls): those the hall may let go. A
/// step down `tickets_by_status` (the called tickets are a handful, one a counter).
pub fn called_unanswered(
    conn: &Connection,
    before: i64,
    calls: u32,
) -> Result<Vec<TicketRow>, StoreError> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets
          WHERE status = 'called' AND called_at <= ?1 AND recalls + 1 >= ?2 ORDER BY id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![before, calls], ticket_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The ticket a counter finished (served) last, if any: one step down
/// `tickets_served_at_counter`.
pub fn last_served_at(conn: &Connection, no: CounterNo) -> Result<Option<i64>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM tickets INDEXED BY tickets_served_at_counter
             WHERE counter_no = ?1 AND status = 'served'
             ORDER BY finished_at DESC, id DESC LIMIT 1",
        )?
        .query_row([no.get()], |r| r.get(0))
        .optional()?)
}

/// The tickets of a local day, optionally of one status and one field, in issue order.
pub fn of_day(
    conn: &Connection,
    day: &str,
    status: Option<Status>,
    service: Option<&ServiceCode>,
) -> Result<Vec<TicketRow>, StoreError> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets WHERE local_day = ?1
           AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR service = ?3)
         ORDER BY id LIMIT 5000"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            day,
            status.map(Status::as_str),
            service.map(ServiceCode::as_str)
        ],
        ticket_from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Waiting tickets of some fields, in no particular order.
pub fn waiting_in(
    conn: &Connection,
    services: &[ServiceCode],
) -> Result<Vec<TicketRow>, StoreError> {
    let sql =
        format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE status = 'waiting' AND service = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut tickets = Vec::new();
    for code in services {
        let rows = stmt.query_map([code.as_str()], ticket_from_row)?;
        for row in rows {
            tickets.push(row?);
        }
    }
    Ok(tickets)
}

/// The first waiting ticket of one kind (priority or not) in a field, by queue time then
/// id: one step down `tickets_queue_heads`, however long the queue.
pub const QUEUE_HEAD: &str = concat!(
    "SELECT ",
    ticket_columns!(),
    " FROM tickets
     WHERE status = 'waiting' AND service = ?1 AND (priority <> 'none') = ?2
     ORDER BY queued_at, id LIMIT 1"
);

/// The heads of some fields' queues: in each, the first waiting priority ticket and the
/// first waiting normal ticket (by queue time, then id). Every call policy picks among
/// these, since within a field and a kind it always takes the oldest.
pub fn queue_heads(
    conn: &Connection,
    services: &[ServiceCode],
) -> Result<Vec<TicketRow>, StoreError> {
    let mut stmt = conn.prepare_cached(QUEUE_HEAD)?;
    let mut heads = Vec::with_capacity(services.len() * 2);
    for (i, code) in services.iter().enumerate() {
        // A field listed twice has the same heads.
        if services[..i].contains(code) {
            continue;
        }
        for priority in [true, false] {
            if let Some(head) = stmt
                .query_row(params![code.as_str(), priority], ticket_from_row)
                .optional()?
            {
                heads.push(head);
            }
        }
    }
    Ok(heads)
}

const OPEN_BEFORE: &str = concat!(
    "SELECT ",
    ticket_columns!(),
    " FROM tickets INDEXED BY tickets_open_by_day
     WHERE local_day < ?1 AND status IN ('waiting', 'called', 'serving') ORDER BY id"
);

/// Tickets of days before `today` still open (waiting, called or serving). Run before
/// every batch of commands: the partial index holds open tickets only, so this is one
/// index step when the previous days are closed (the planner would otherwise pick an index
/// by status and read the day of every waiting ticket).
pub fn open_before(conn: &Connection, today: &str) -> Result<Vec<TicketRow>, StoreError> {
    let mut stmt = conn.prepare_cached(OPEN_BEFORE)?;
    let rows = stmt.query_map([today], ticket_from_row)?;
    let mut open: Vec<TicketRow> = rows.collect::<Result<_, _>>()?;
    // Tickets on hold lapse at the day's end too: a step down `tickets_by_status` (a
    // handful at most, a few per counter).
    let mut stmt = conn.prepare_cached(HELD_BEFORE)?;
    let rows = stmt.query_map([today], ticket_from_row)?;
    open.extend(rows.collect::<Result<Vec<_>, _>>()?);
    open.sort_by_key(|t| t.id);
    Ok(open)
}

const HELD_BEFORE: &str = concat!(
    "SELECT ",
    ticket_columns!(),
    " FROM tickets WHERE status = 'held' AND local_day < ?1"
);

/// The tickets a counter holds aside (on hold), oldest hold first.
pub fn held_at(conn: &Connection, no: CounterNo) -> Result<Vec<TicketRow>, StoreError> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets WHERE counter_no = ?1 AND status = 'held' ORDER BY id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([no.get()], ticket_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Waiting tickets of the same field that will be called first: every priority ticket
/// queued before it, and for a normal ticket also every priority ticket and every normal
/// ticket queued before it.
pub fn people_ahead(conn: &Connection, t: &TicketRow) -> Result<u32, StoreError> {
    let n: u32 = conn
        .prepare_cached(
            "SELECT COUNT(*) FROM tickets
             WHERE status = 'waiting' AND service = ?1 AND id <> ?2
               AND ((priority <> 'none' AND (?3 = 0 OR (queued_at, id) < (?4, ?2)))
                 OR (?3 = 0 AND priority = 'none' AND (queued_at, id) < (?4, ?2)))",
        )?
        .query_row(
            params![
                t.service.as_str(),
                t.id,
                t.priority.is_priority(),
                t.queued_at
            ],
            |r| r.get(0),
        )?;
    Ok(n)
}

/// How many wait in each field that has anyone waiting (kept by triggers).
pub fn waiting_counts(conn: &Connection) -> Result<BTreeMap<String, u32>, StoreError> {
    let mut stmt = conn.prepare_cached("SELECT service, priority + normal FROM waiting_counts")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Waiting in one field: (priority, normal).
pub fn waiting_in_field(
    conn: &Connection,
    service: &ServiceCode,
) -> Result<(u32, u32), StoreError> {
    Ok(conn
        .prepare_cached("SELECT priority, normal FROM waiting_counts WHERE service = ?1")?
        .query_row([service.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, 0)))
}

/// Every waiting ticket, as the estimate replays them: (field, priority, queued at, id).
pub fn all_waiting(conn: &Connection) -> Result<Vec<(String, bool, i64, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT service, priority <> 'none', queued_at, id FROM tickets WHERE status = 'waiting'",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A field's latest finished visits of the day (since `day_start`), at most `sample` of
/// them, each capped at `cap_ms`: how many, and their mean length in milliseconds. Only
/// visits called before every visit of the field still at a counter count (see
/// `app::views::typical`).
pub fn recent_visits(
    conn: &Connection,
    service: &ServiceCode,
    day_start: i64,
    cap_ms: i64,
    sample: u32,
) -> Result<(u32, Option<f64>), StoreError> {
    Ok(conn.prepare_cached(&recent_visits_sql(sample))?.query_row(
        params![service.as_str(), day_start, cap_ms, i64::MAX],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// [`recent_visits`]' statement. The sample is written into it, not bound: SQLite plans an
/// `ORDER BY ... LIMIT ?` with the bound value, so each new binding of it prepares the
/// statement again (parsing and planning it at every issue, for every field).
fn recent_visits_sql(sample: u32) -> String {
    format!(
        "SELECT COUNT(*), AVG(MAX(MIN(finished_at - called_at, ?3), 0)) FROM (
             SELECT finished_at, called_at FROM tickets
             WHERE service = ?1 AND status IN ('served', 'absent')
               AND finished_at >= ?2 AND called_at IS NOT NULL
               AND called_at < COALESCE((SELECT MIN(called_at) FROM tickets
                   WHERE status IN ('called', 'serving') AND service = ?1), ?4)
             ORDER BY called_at DESC LIMIT {sample})"
    )
}

/// How many tickets of `day` are in each status.
pub fn count_by_status(conn: &Connection, day: &str) -> Result<Vec<(String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT status, COUNT(*) FROM tickets WHERE local_day = ?1 GROUP BY status",
    )?;
    let rows = stmt.query_map([day], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The last local day any ticket was issued.
pub fn latest_day(conn: &Connection) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT MAX(local_day) FROM tickets")?
        .query_row([], |r| r.get(0))?)
}

/// Which waiting tickets a bulk cancellation takes: every condition given must hold.
#[derive(Debug, Clone, Default)]
pub struct WaitingFilter<'a> {
    /// Issued by this kiosk (a device's id).
    pub issued_device: Option<i64>,
    /// Issued at a counter by this member of staff.
    pub issued_user: Option<i64>,
    /// Issued at or after (milliseconds).
    pub issued_from: Option<i64>,
    /// Issued before (milliseconds).
    pub issued_to: Option<i64>,
    /// Waiting in this field.
    pub service: Option<&'a ServiceCode>,
}

/// The waiting tickets `filter` picks, in issue order.
pub fn waiting_matching(
    conn: &Connection,
    filter: &WaitingFilter<'_>,
) -> Result<Vec<TicketRow>, StoreError> {
    let sql = format!(
        "SELECT {TICKET_COLUMNS} FROM tickets
         WHERE status = 'waiting'
           AND (?1 IS NULL OR issued_device = ?1) AND (?2 IS NULL OR issued_user = ?2)
           AND (?3 IS NULL OR issued_at >= ?3) AND (?4 IS NULL OR issued_at < ?4)
           AND (?5 IS NULL OR service = ?5)
         ORDER BY id"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            filter.issued_device,
            filter.issued_user,
            filter.issued_from,
            filter.issued_to,
            filter.service.map(ServiceCode::as_str)
        ],
        ticket_from_row,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

// ---- Writes ---------------------------------------------------------------------------

/// The last number given out today in a field.
/// The last number given out today in a series: a field's walk-in series is named by the
/// field's code, its booked series by the code and `~booked`.
pub fn last_number(conn: &Connection, day: &str, series: &str) -> Result<Option<u32>, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT last_number FROM day_numbers WHERE local_day = ?1 AND service = ?2",
        )?
        .query_row(params![day, series], |r| r.get(0))
        .optional()?)
}

pub fn set_last_number(
    conn: &Connection,
    day: &str,
    series: &str,
    number: u32,
) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO day_numbers (local_day, service, last_number) VALUES (?1, ?2, ?3)
         ON CONFLICT (local_day, service) DO UPDATE SET last_number = excluded.last_number",
    )?
    .execute(params![day, series, number])?;
    Ok(())
}

/// A new ticket, waiting in its first field.
pub struct NewTicket<'a> {
    pub token: &'a str,
    pub day: &'a str,
    pub service: &'a ServiceCode,
    pub number: u32,
    pub code: &'a str,
    pub priority: Priority,
    pub issued_by: &'a str,
    pub at: i64,
    /// Its place in the queue: `at`, or a checked-in booking's appointment.
    pub queued_at: i64,
    /// A checked-in booking's appointment, for a booked number.
    pub booked_for: Option<i64>,
    pub eta_minutes: u32,
    pub request_id: Option<&'a str>,
    /// The kiosk that issued it (a device's id), if a kiosk did.
    pub issued_device: Option<i64>,
    /// The member of staff who issued it at a counter, if staff did.
    pub issued_user: Option<i64>,
}

/// Insert a new ticket; returns its row as written.
pub fn insert(conn: &Connection, t: &NewTicket<'_>) -> Result<TicketRow, StoreError> {
    conn.prepare_cached(
        "INSERT INTO tickets (token, local_day, first_service, service, number, code, priority,
             status, issued_by, issued_at, queued_at, eta_minutes, request_id, issued_device,
             issued_user, booked_for)
         VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, 'waiting', ?7, ?8, ?13, ?9, ?10, ?11, ?12, ?14)",
    )?
    .execute(params![
        t.token,
        t.day,
        t.service.as_str(),
        t.number,
        t.code,
        t.priority.as_str(),
        t.issued_by,
        t.at,
        t.eta_minutes,
        t.request_id,
        t.issued_device,
        t.issued_user,
        t.queued_at,
        t.booked_for
    ])?;
    // The row as just written: nothing to read back.
    Ok(TicketRow {
        id: conn.last_insert_rowid(),
        token: t.token.to_owned(),
        local_day: t.day.to_owned(),
        service: t.service.clone(),
        first_service: t.service.clone(),
        code: t.code.to_owned(),
        priority: t.priority,
        status: Status::Waiting,
        counter_no: None,
        issued_at: t.at,
        queued_at: t.queued_at,
        first_called_at: None,
        called_at: None,
        started_at: None,
        finished_at: None,
        recalls: 0,
        eta_minutes: t.eta_minutes,
        rating: None,
        rating_source: None,
        booked_for: t.booked_for,
        result_pickup: false,
    })
}

/// Mark a ticket just issued as a result pick-up ticket.
pub fn mark_result_pickup(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE tickets SET result_pickup = 1 WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// A change of one ticket's row, as a move of its life makes it.
#[derive(Debug, Clone)]
pub enum Update<'a> {
    Called {
        counter: CounterNo,
    },
    Recalled,
    Started,
    /// Served, absent or cancelled: the ticket's life is over.
    Closed {
        status: Status,
    },
    /// Back to the back of its queue.
    Requeued,
    /// Put aside at its counter ("đi bổ sung hồ sơ"), to be called back.
    Held,
    /// Into another field's queue, keeping its queue time or not.
    Moved {
        to: &'a ServiceCode,
        keeps_place: bool,
    },
    /// An absence taken back: called again at `counter`, or (`None`) waiting again with
    /// its original queue time, so at the front of its queue.
    Reopened {
        counter: Option<CounterNo>,
    },
    /// Rated, or rated again (the citizen's phone over the tablet).
    Rated {
        level: u8,
        source: RatingChannel,
    },
}

/// Apply `update` to ticket `id` at `at` (milliseconds).
pub fn update(conn: &Connection, id: i64, at: i64, update: &Update<'_>) -> Result<(), StoreError> {
    match update {
        Update::Called { counter } => conn
            .prepare_cached(
                "UPDATE tickets SET status = 'called', counter_no = ?3, called_at = ?2,
                     first_called_at = COALESCE(first_called_at, ?2), started_at = NULL
                 WHERE id = ?1",
            )?
            .execute(params![id, at, counter.get()])?,
        Update::Recalled => conn
            .prepare_cached(
                "UPDATE tickets SET recalls = recalls + 1, called_at = ?2 WHERE id = ?1",
            )?
            .execute(params![id, at])?,
        Update::Started => conn
            .prepare_cached("UPDATE tickets SET status = 'serving', started_at = ?2 WHERE id = ?1")?
            .execute(params![id, at])?,
        Update::Closed { status } => conn
            .prepare_cached("UPDATE tickets SET status = ?3, finished_at = ?2 WHERE id = ?1")?
            .execute(params![id, at, status.as_str()])?,
        // Aside at its counter: the counter, the call and the start are kept.
        Update::Held => conn
            .prepare_cached("UPDATE tickets SET status = 'held' WHERE id = ?1")?
            .execute(params![id])?,
        Update::Requeued => conn
            .prepare_cached(
                "UPDATE tickets SET status = 'waiting', counter_no = NULL, started_at = NULL,
                     queued_at = ?2 WHERE id = ?1",
            )?
            .execute(params![id, at])?,
        // Keeping the place means keeping the original queue time.
        Update::Moved { to, keeps_place } => conn
            .prepare_cached(
                "UPDATE tickets SET status = 'waiting', service = ?3, counter_no = NULL,
                     started_at = NULL, queued_at = CASE WHEN ?4 THEN queued_at ELSE ?2 END
                 WHERE id = ?1",
            )?
            .execute(params![id, at, to.as_str(), keeps_place])?,
        Update::Reopened {
            counter: Some(counter),
        } => conn
            .prepare_cached(
                "UPDATE tickets SET status = 'called', counter_no = ?3, called_at = ?2,
                     started_at = NULL, finished_at = NULL
                 WHERE id = ?1",
            )?
            .execute(params![id, at, counter.get()])?,
        Update::Reopened { counter: None } => conn
            .prepare_cached(
                "UPDATE tickets SET status = 'waiting', counter_no = NULL, started_at = NULL,
                     finished_at = NULL
                 WHERE id = ?1",
            )?
            .execute(params![id])?,
        Update::Rated { level, source } => conn
            .prepare_cached("UPDATE tickets SET rating = ?2, rating_source = ?3 WHERE id = ?1")?
            .execute(params![id, level, source.as_str()])?,
    };
    Ok(())
}

/// Whether the ticket `code` of `day` was called (or recalled) at counter `counter`: what
/// a display may have to announce. Two index steps (the day's code, the ticket's events).
pub fn called_at(
    conn: &Connection,
    day: &str,
    code: &str,
    counter: u16,
) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM tickets t JOIN events e ON e.ticket_id = t.id
             WHERE t.local_day = ?1 AND t.code = ?2
               AND e.kind IN ('called', 'recalled') AND e.counter_no = ?3)",
        )?
        .query_row(params![day, code, counter], |r| r.get(0))?)
}

/// How many tickets of field `service` are still in its queue or at a counter, and how
/// many of its bookings are still to come (before the field may go).
pub fn field_in_use(conn: &Connection, service: &str) -> Result<(u32, u32), StoreError> {
    let in_queue: u32 = conn.query_row(
        "SELECT COUNT(*) FROM tickets WHERE status IN ('waiting', 'called', 'serving')
         AND service = ?1",
        [service],
        |r| r.get(0),
    )?;
    let booked: u32 = conn.query_row(
        "SELECT COUNT(*) FROM bookings WHERE status = 'booked' AND service = ?1",
        [service],
        |r| r.get(0),
    )?;
    Ok((in_queue, booked))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::StatementStatus;

    /// A migrated database in memory with `n` tickets waiting in fields A and B, every
    /// third a priority ticket, queued a second apart in a shuffled order.
    fn hall_with_waiting(n: u32) -> Connection {
        let mut conn = Connection::open_in_memory().expect("open");
        crate::migrate(&mut conn).expect("migrate");
        let kinds = [Priority::None, Priority::Elderly, Priority::None];
        for i in 0..n {
            let service =
                ServiceCode::try_from(if i % 2 == 0 { "A" } else { "B" }.to_owned()).expect("code");
            let token = format!("t{i}");
            let code = format!("{service}{i:05}");
            // Queue times out of id order, so "oldest" and "first issued" differ.
            let at = 1_000_000 + i64::from((i * 7919) % n.max(1)) * 1_000;
            insert(
                &conn,
                &NewTicket {
                    token: &token,
                    day: "2026-11-25",
                    service: &service,
                    number: i + 1,
                    code: &code,
                    priority: kinds[(i % 3) as usize],
                    issued_by: "kiosk",
                    at,
                    queued_at: at,
                    booked_for: None,
                    eta_minutes: 0,
                    request_id: None,
                    issued_device: None,
                    issued_user: None,
                },
            )
            .expect("insert");
        }
        conn
    }

    fn plan(conn: &Connection, sql: &str) -> String {
        let mut stmt = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        let rows = stmt
            .query_map(params!["A", true], |r| r.get::<_, String>(3))
            .expect("plan");
        rows.collect::<Result<Vec<_>, _>>()
            .expect("plan rows")
            .join("\n")
    }

    /// SQLite's count of virtual machine steps and full-scan steps of a cached statement
    /// since the last look (the counters are reset).
    fn steps(conn: &Connection, sql: &str) -> (i32, i32) {
        let stmt = conn.prepare_cached(sql).expect("cached");
        let counts = (
            stmt.get_status(StatementStatus::VmStep),
            stmt.get_status(StatementStatus::FullscanStep),
        );
        stmt.reset_status(StatementStatus::VmStep);
        stmt.reset_status(StatementStatus::FullscanStep);
        counts
    }

    fn code(s: &str) -> ServiceCode {
        ServiceCode::try_from(s.to_owned()).expect("code")
    }

    #[test]
    fn a_fields_recent_visits_are_read_without_preparing_the_statement_again() {
        let conn = hall_with_waiting(50);
        for field in ["A", "B", "A", "C", "B"] {
            recent_visits(&conn, &code(field), 0, 60_000, 20).expect("visits");
        }
        let stmt = conn.prepare_cached(&recent_visits_sql(20)).expect("cached");
        assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
    }

    #[test]
    fn a_queue_head_is_read_from_its_index_without_a_scan_or_a_sort() {
        let conn = hall_with_waiting(200);
        let plan = plan(&conn, QUEUE_HEAD);
        assert!(
            plan.contains("SEARCH tickets USING INDEX tickets_queue_heads (status=? AND service=? AND <expr>=?)"),
            "{plan}"
        );
        assert!(!plan.contains("SCAN"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    #[test]
    fn reading_the_queue_heads_costs_the_same_with_twenty_or_four_thousand_waiting() {
        let mut counts = Vec::new();
        for n in [20, 4_000] {
            let conn = hall_with_waiting(n);
            let heads = queue_heads(&conn, &[code("A"), code("B")]).expect("heads");
            assert_eq!(heads.len(), 4, "a priority and a normal head in A and B");
            counts.push(steps(&conn, QUEUE_HEAD));
        }
        let ((small, small_scan), (large, large_scan)) = (counts[0], counts[1]);
        assert_eq!((small_scan, large_scan), (0, 0), "no full scan");
        assert_eq!(small, large, "SQLite steps with 20 and 4,000 waiting");
    }

    #[test]
    fn the_heads_are_the_oldest_priority_and_normal_ticket_of_each_field() {
        let conn = hall_with_waiting(300);
        let all = waiting_in(&conn, &[code("A"), code("B")]).expect("all");
        let heads = queue_heads(&conn, &[code("B"), code("A"), code("B")]).expect("heads");
        let mut expected = Vec::new();
        for field in ["B", "A"] {
            for priority in [true, false] {
                let oldest = all
                    .iter()
                    .filter(|t| t.service.as_str() == field && t.priority.is_priority() == priority)
                    .min_by_key(|t| (t.queued_at, t.id))
                    .map(|t| t.id);
                expected.extend(oldest);
            }
        }
        let got: Vec<i64> = heads.iter().map(|t| t.id).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn looking_for_tickets_a_previous_day_left_open_does_not_walk_the_queue() {
        let mut counts = Vec::new();
        for n in [20, 4_000] {
            let conn = hall_with_waiting(n);
            assert!(open_before(&conn, "2026-11-25").expect("open").is_empty());
            assert_eq!(
                open_before(&conn, "2026-11-26").expect("open").len(),
                n as usize
            );
            // Only the look on the day itself (nothing left open) is counted.
            let _ = steps(&conn, OPEN_BEFORE);
            open_before(&conn, "2026-11-25").expect("open");
            counts.push(steps(&conn, OPEN_BEFORE));
        }
        assert_eq!(counts[0], counts[1], "steps with 20 and 4,000 waiting");
    }
}
