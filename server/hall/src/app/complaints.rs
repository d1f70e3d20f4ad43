//! Complaints (phản ánh): a citizen complains about a visit from the ticket's phone page
//! (the token is the credential), at most [`COMPLAINTS_PER_TICKET`] times; the hall
//! acknowledges it within 8 working hours ([`working_hours::after`], Hanoi's rule for
//! feedback) and resolves it with a note of its own. Each step is logged (`ComplaintMade`,
//! `ComplaintAcknowledged`, `ComplaintResolved`) and the made one counts against the
//! Decision 766 figure of the ticket's served visit (the fold's). The text and the note stay
//! in the hall: the city gets counts.

use super::Ctx;
use super::queue::{Staff, record};
use motcua_domain::event::Event;
use motcua_domain::satisfaction::{COMPLAINTS_PER_TICKET, Topic};
use motcua_domain::working_hours::{self, COMPLAINT_DUE_HOURS};
use motcua_domain::{Error, Hall, local_time};
use motcua_store::complaints::{self, ComplaintRow, NewComplaint, Which};
use motcua_store::{millis, tickets};
use rusqlite::Connection;
use serde::Serialize;

/// Where a complaint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Not acknowledged yet.
    Open,
    /// The hall has seen it and is working on it.
    Acknowledged,
    /// Answered, with the hall's note.
    Resolved,
}

impl State {
    fn of(row: &ComplaintRow) -> State {
        if row.resolved_at.is_some() {
            State::Resolved
        } else if row.acknowledged_at.is_some() {
            State::Acknowledged
        } else {
            State::Open
        }
    }
}

/// Whether a complaint was (or is now) not acknowledged by its due time.
fn overdue(row: &ComplaintRow, now: i64) -> bool {
    row.acknowledged_at.unwrap_or(now) > row.due_at
}

/// A complaint as its citizen sees it on the phone: no names, no note of the hall's.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CitizenComplaint {
    pub id: i64,
    /// `attitude`, `wait`, `extra_demands`, `process` or `other`.
    pub topic: String,
    pub text: Option<String>,
    pub state: State,
    /// Not acknowledged by `due_at`.
    pub overdue: bool,
    /// RFC 3339, the hall's time zone.
    pub made_at: String,
    /// 8 working hours after it was made (RFC 3339, the hall's time zone).
    pub due_at: String,
}

/// A complaint as the manager's list shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComplaintView {
    #[serde(flatten)]
    pub complaint: CitizenComplaint,
    /// The ticket it is about (its number, e.g. `A012`) and its field.
    pub ticket: String,
    pub service: String,
    pub service_name_vi: String,
    pub service_name_en: String,
    /// The local day of the ticket (`YYYY-MM-DD`).
    pub day: String,
    pub acknowledged_at: Option<String>,
    pub resolved_at: Option<String>,
    /// The hall's note on resolving it (never sent to the city).
    pub note: Option<String>,
}

fn citizen_view(hall: &Hall, row: &ComplaintRow, now: i64) -> CitizenComplaint {
    CitizenComplaint {
        id: row.id,
        topic: row.topic.clone(),
        text: row.text.clone(),
        state: State::of(row),
        overdue: overdue(row, now),
        made_at: local_time(hall, row.made_at),
        due_at: local_time(hall, row.due_at),
    }
}

fn manager_view(
    hall: &Hall,
    row: &ComplaintRow,
    ticket_code: String,
    ticket_day: String,
    now: i64,
) -> ComplaintView {
    let service = hall.service(&row.service);
    ComplaintView {
        complaint: citizen_view(hall, row, now),
        ticket: ticket_code,
        service: row.service.to_string(),
        service_name_vi: service.map(|s| s.name_vi.clone()).unwrap_or_default(),
        service_name_en: service.map(|s| s.name_en.clone()).unwrap_or_default(),
        day: ticket_day,
        acknowledged_at: row.acknowledged_at.map(|at| local_time(hall, at)),
        resolved_at: row.resolved_at.map(|at| local_time(hall, at)),
        note: row.note.clone(),
    }
}

/// One complaint as the manager's list shows it, its ticket read.
fn manager_view_of(
    conn: &Connection,
    hall: &Hall,
    row: &ComplaintRow,
    now: i64,
) -> Result<ComplaintView, Error> {
    let ticket = tickets::by_id(conn, row.ticket_id)?;
    let (code, day) = ticket.map(|t| (t.code, t.local_day)).unwrap_or_default();
    Ok(manager_view(hall, row, code, day, now))
}

/// A citizen complains about their ticket's visit (any ticket: one never served is listed
/// for the hall, though no visit of it counts in the figure).
pub fn make(
    ctx: &mut Ctx<'_, '_>,
    token: &str,
    topic: Topic,
    text: String,
) -> Result<CitizenComplaint, Error> {
    let ticket = tickets::by_token(ctx.conn(), token)?
        .ok_or_else(|| Error::not_found("ticket_not_found", "no such ticket"))?;
    let made = complaints::of_ticket(ctx.conn(), ticket.id)?;
    if made.len() >= COMPLAINTS_PER_TICKET {
        return Err(Error::refused(
            "too_many_complaints",
            format!("a ticket takes at most {COMPLAINTS_PER_TICKET} complaints"),
        ));
    }
    let now = ctx.now();
    let hall = ctx.hall();
    let due = working_hours::after(&hall.bookings, hall.tz, now, COMPLAINT_DUE_HOURS);
    let row = complaints::insert(
        ctx.conn(),
        &NewComplaint {
            ticket_id: ticket.id,
            service: &ticket.service,
            topic: topic.as_str(),
            text: Some(&text),
            made_at: millis(now),
            due_at: millis(due),
        },
    )?;
    let made = Event::ComplaintMade {
        complaint: row.id,
        topic: topic.as_str().to_owned(),
        text: Some(text),
    };
    record(ctx, made, Some(&ticket), ticket.counter_no, None)?;
    Ok(citizen_view(ctx.hall(), &row, millis(now)))
}

/// A ticket's complaints, oldest first, as its citizen sees them.
pub fn of_ticket(
    conn: &Connection,
    hall: &Hall,
    token: &str,
    now: i64,
) -> Result<Vec<CitizenComplaint>, Error> {
    let ticket = tickets::by_token(conn, token)?
        .ok_or_else(|| Error::not_found("ticket_not_found", "no such ticket"))?;
    Ok(complaints::of_ticket(conn, ticket.id)?
        .iter()
        .map(|row| citizen_view(hall, row, now))
        .collect())
}

/// Which complaints the manager asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    State(State),
    /// Not acknowledged by the due time (whatever happened since).
    Overdue,
}

/// The most complaints the list shows (the newest of those asked for).
pub const LIST_MAX: usize = 500;

/// The hall's complaints, newest first.
pub fn list(
    conn: &Connection,
    hall: &Hall,
    filter: Filter,
    now: i64,
) -> Result<Vec<ComplaintView>, Error> {
    let which = match filter {
        Filter::All => Which::All,
        Filter::State(State::Open) => Which::Open,
        Filter::State(State::Acknowledged) => Which::Acknowledged,
        Filter::State(State::Resolved) => Which::Resolved,
        Filter::Overdue => Which::OverdueAt(now),
    };
    Ok(complaints::newest(conn, which, LIST_MAX)?
        .into_iter()
        .map(|l| manager_view(hall, &l.complaint, l.ticket_code, l.ticket_day, now))
        .collect())
}

fn find(ctx: &Ctx<'_, '_>, id: i64) -> Result<ComplaintRow, Error> {
    complaints::by_id(ctx.conn(), id)?
        .ok_or_else(|| Error::not_found("complaint_not_found", format!("no complaint {id}")))
}

/// Log an acknowledgement unless the complaint has one.
fn acknowledge_row(ctx: &Ctx<'_, '_>, row: &ComplaintRow, staff: &Staff) -> Result<(), Error> {
    if row.acknowledged_at.is_some() {
        return Ok(());
    }
    let ticket = tickets::by_id(ctx.conn(), row.ticket_id)?;
    complaints::acknowledge(ctx.conn(), row.id, millis(ctx.now()), staff.user_id)?;
    let event = Event::ComplaintAcknowledged { complaint: row.id };
    record(ctx, event, ticket.as_ref(), None, Some(staff.user_id))?;
    Ok(())
}

/// The hall has seen the complaint (once: again is a no-op that keeps the first time).
pub fn acknowledge(ctx: &mut Ctx<'_, '_>, id: i64, staff: &Staff) -> Result<ComplaintView, Error> {
    let row = find(ctx, id)?;
    acknowledge_row(ctx, &row, staff)?;
    let row = find(ctx, id)?;
    manager_view_of(ctx.conn(), ctx.hall(), &row, millis(ctx.now()))
}

/// The hall has answered the complaint, with a note of its own (kept in the hall). A
/// complaint resolved before it was acknowledged is acknowledged by the same step.
pub fn resolve(
    ctx: &mut Ctx<'_, '_>,
    id: i64,
    staff: &Staff,
    note: Option<String>,
) -> Result<ComplaintView, Error> {
    let row = find(ctx, id)?;
    if row.resolved_at.is_some() {
        return Err(Error::refused(
            "already_resolved",
            format!("complaint {id} is resolved already"),
        ));
    }
    acknowledge_row(ctx, &row, staff)?;
    let ticket = tickets::by_id(ctx.conn(), row.ticket_id)?;
    complaints::resolve(
        ctx.conn(),
        id,
        millis(ctx.now()),
        staff.user_id,
        note.as_deref(),
    )?;
    let event = Event::ComplaintResolved {
        complaint: id,
        note,
    };
    record(ctx, event, ticket.as_ref(), None, Some(staff.user_id))?;
    let row = find(ctx, id)?;
    manager_view_of(ctx.conn(), ctx.hall(), &row, millis(ctx.now()))
}
