//! Staff in trouble: the emergency button on the clerk's console.
//!
//! The clerk holding a counter raises an emergency (an aggressive visitor, someone taken
//! ill); a manager, or that clerk, marks it handled. Each is an event of the log
//! ([`Event::EmergencyRaised`], [`Event::EmergencyHandled`]), and the emergencies still
//! open today are read back from the log, so a restart forgets none. They are never put on
//! the application's feed that the hall TV and the phones follow: the web edge sends the
//! list, after the commit, to the staff feed alone (consoles and the dashboard).

use super::Ctx;
use super::queue::{Staff, held_counter, record};
use chrono::{DateTime, TimeZone, Utc};
use motcua_domain::event::Event;
use motcua_domain::{CounterNo, Error, Hall, Role};
use motcua_store::{StoreError, accounts, events};
use rusqlite::Connection;
use serde::Serialize;

const RAISED: &str = "emergency_raised";
const HANDLED: &str = "emergency_handled";

/// An emergency not yet handled.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Emergency {
    /// The counter whose clerk needs help.
    #[schema(value_type = u16)]
    pub counter: CounterNo,
    /// When it was raised, local `HH:MM`.
    pub raised_at: String,
    /// The clerk who raised it (their sign-in name).
    pub by: String,
}

/// The emergencies open now, and the log's sequence number they were read at: what the
/// staff feed sends (a later `seq` supersedes an earlier list).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Emergencies {
    pub seq: i64,
    /// Oldest first.
    pub emergencies: Vec<Emergency>,
}

/// The clerk at counter `no` raises an emergency. Pressing it again while it is open adds
/// nothing (the list is answered as it stands).
pub fn raise(ctx: &mut Ctx<'_, '_>, no: CounterNo, staff: &Staff) -> Result<Emergencies, Error> {
    held_counter(ctx, no, staff)?;
    let open = open_now(ctx.conn(), ctx.hall(), ctx.now())?;
    if open.emergencies.iter().any(|e| e.counter == no) {
        return Ok(open);
    }
    record(
        ctx,
        Event::EmergencyRaised {},
        None,
        Some(no),
        Some(staff.user_id),
    )?;
    Ok(open_now(ctx.conn(), ctx.hall(), ctx.now())?)
}

/// Counter `no`'s emergency was handled: a manager (or admin) says so, or the clerk
/// holding the counter.
pub fn handle(ctx: &mut Ctx<'_, '_>, no: CounterNo, staff: &Staff) -> Result<Emergencies, Error> {
    ctx.counter_def(no)?;
    if !matches!(staff.role, Role::Manager | Role::Admin) {
        held_counter(ctx, no, staff)?;
    }
    let open = open_now(ctx.conn(), ctx.hall(), ctx.now())?;
    if !open.emergencies.iter().any(|e| e.counter == no) {
        return Err(Error::refused(
            "no_emergency",
            format!("counter {no} has no emergency open"),
        ));
    }
    record(
        ctx,
        Event::EmergencyHandled {},
        None,
        Some(no),
        Some(staff.user_id),
    )?;
    Ok(open_now(ctx.conn(), ctx.hall(), ctx.now())?)
}

/// The first millisecond of `now`'s local day.
pub(super) fn start_of_day(hall: &Hall, now: DateTime<Utc>) -> i64 {
    motcua_domain::numbering::local_day(now, hall.tz)
        .and_hms_opt(0, 0, 0)
        .and_then(|midnight| hall.tz.from_local_datetime(&midnight).earliest())
        .map_or(0, |at| at.timestamp_millis())
}

/// The emergencies raised today and not handled, read from the log.
pub fn open_now(
    conn: &Connection,
    hall: &Hall,
    now: DateTime<Utc>,
) -> Result<Emergencies, StoreError> {
    let seq = events::last_seq(conn)?;
    let since = start_of_day(hall, now);
    let mut open: Vec<(CounterNo, i64, Option<i64>)> = Vec::new();
    for (_, at, kind, counter, user, _) in events::since_of_kinds(conn, since, &[RAISED, HANDLED])?
    {
        let Some(no) = counter.and_then(|c| CounterNo::try_from(c).ok()) else {
            continue;
        };
        open.retain(|(c, _, _)| *c != no);
        if kind == RAISED {
            open.push((no, at, user));
        }
    }
    let mut emergencies = Vec::with_capacity(open.len());
    for (counter, at, user) in open {
        let by = match user {
            Some(id) => accounts::user_by_id(conn, id)?
                .map(|u| u.user.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        emergencies.push(Emergency {
            counter,
            raised_at: motcua_domain::local_hhmm(hall, at),
            by,
        });
    }
    Ok(Emergencies { seq, emergencies })
}
