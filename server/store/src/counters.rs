//! The counters table: each configured counter's state, who holds it, and its streak of
//! priority calls (for the fairness rule).

use super::StoreError;
use motcua_domain::{CounterNo, CounterState, ServiceCode};
use rusqlite::{Connection, OptionalExtension, params};

/// A counter's stored state.
#[derive(Debug, Clone)]
pub struct CounterRow {
    pub no: CounterNo,
    pub state: CounterState,
    pub user_id: Option<i64>,
    pub priority_streak: u32,
}

/// Make sure every configured counter has its row.
pub fn prepare(conn: &Connection, counters: &[CounterNo]) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("INSERT OR IGNORE INTO counters (no) VALUES (?1)")?;
    for no in counters {
        stmt.execute([no.get()])?;
    }
    Ok(())
}

fn state_of(state: &str, reason: Option<String>) -> CounterState {
    match state {
        "open" => CounterState::Open,
        "paused" => CounterState::Paused {
            reason: reason.unwrap_or_default(),
        },
        _ => CounterState::Closed,
    }
}

/// A counter's row; `None` for a counter the database does not know.
pub fn get(conn: &Connection, no: CounterNo) -> Result<Option<CounterRow>, StoreError> {
    let row = conn
        .prepare_cached(
            "SELECT state, pause_reason, user_id, priority_streak FROM counters WHERE no = ?1",
        )?
        .query_row([no.get()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, u32>(3)?,
            ))
        })
        .optional()?;
    Ok(
        row.map(|(state, reason, user_id, priority_streak)| CounterRow {
            no,
            state: state_of(&state, reason),
            user_id,
            priority_streak,
        }),
    )
}

/// The counter a member of staff holds (open or paused), if any.
pub fn held_by(conn: &Connection, user_id: i64) -> Result<Option<u16>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT no FROM counters WHERE user_id = ?1 AND state <> 'closed'")?
        .query_row([user_id], |r| r.get(0))
        .optional()?)
}

/// Set a counter's state and holder at `at` (milliseconds).
pub fn set_state(
    conn: &Connection,
    no: CounterNo,
    state: &CounterState,
    user_id: Option<i64>,
    at: i64,
) -> Result<(), StoreError> {
    let reason = match state {
        CounterState::Paused { reason } => Some(reason.as_str()),
        _ => None,
    };
    conn.prepare_cached(
        "UPDATE counters SET state = ?1, pause_reason = ?2, user_id = ?3, changed_at = ?4 WHERE no = ?5",
    )?
    .execute(params![state.name(), reason, user_id, at, no.get()])?;
    Ok(())
}

/// Count one more priority call in a row, or start again after a normal one.
pub fn note_call(conn: &Connection, no: CounterNo, priority: bool) -> Result<(), StoreError> {
    let sql = if priority {
        "UPDATE counters SET priority_streak = priority_streak + 1 WHERE no = ?1"
    } else {
        "UPDATE counters SET priority_streak = 0 WHERE no = ?1"
    };
    conn.prepare_cached(sql)?.execute([no.get()])?;
    Ok(())
}

/// Counters left open or paused since before `day_start` (milliseconds).
pub fn open_since_before(conn: &Connection, day_start: i64) -> Result<Vec<u16>, StoreError> {
    let mut stmt =
        conn.prepare_cached("SELECT no FROM counters WHERE state <> 'closed' AND changed_at < ?1")?;
    let rows = stmt.query_map([day_start], |r| r.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every counter's state and the visit it holds (field and call time), for the estimate.
pub type CounterNowRow = (u16, CounterState, Option<(ServiceCode, i64)>);

pub fn now(conn: &Connection) -> Result<Vec<CounterNowRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.no, c.state, t.service, t.called_at FROM counters c
         LEFT JOIN tickets t ON t.counter_no = c.no AND t.status IN ('called', 'serving')",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, u16>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, Option<i64>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (no, state, service, called_at) = row?;
        let visit = match (service.map(ServiceCode::try_from), called_at) {
            (Some(Ok(service)), Some(called_at)) => Some((service, called_at)),
            _ => None,
        };
        // The estimate reads only whether it is open or paused, not why.
        out.push((no, state_of(&state, None), visit));
    }
    Ok(out)
}

/// A counter as the manager's idle alert reads it: its number, state, whether a citizen is
/// at it (called or serving), when its state last changed and its last call or finish of
/// the open span (ms).
pub type IdleRow = (u16, String, bool, Option<i64>, Option<i64>);

/// Every counter's [`IdleRow`].
pub fn idle_rows(conn: &Connection) -> Result<Vec<IdleRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.no, c.state,
             EXISTS (SELECT 1 FROM tickets t
                     WHERE t.counter_no = c.no AND t.status IN ('called', 'serving')),
             c.changed_at,
             (SELECT MAX(s.last_activity) FROM stat_counter_spans s
              WHERE s.hall = 0 AND s.counter_no = c.no AND s.kind = 'open'
                AND s.ended_at IS NULL)
         FROM counters c ORDER BY c.no",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
