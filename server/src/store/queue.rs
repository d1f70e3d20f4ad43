//! What happens when a kiosk issues a ticket or a clerk presses a button: the rules of
//! [`crate::domain`] applied to the stored hall, inside the writer's transaction. Every
//! change writes its event in the same transaction, and queues the live update that goes
//! out after the commit.

use super::views::{self, CounterRow, TicketRow, TicketView};
use super::{Ctx, millis, stats};
use crate::domain::event::{EndReason, Event, Logged, RatingChannel};
use crate::domain::policy::{self, Candidate};
use crate::domain::{
    Action, CounterNo, CounterState, Hall, Priority, Refusal, Role, ServiceCode, Status,
};
use crate::domain::Error;
use crate::live::Change;
use rand::RngCore;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

/// Who asks for a change at a counter.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user_id: i64,
    pub role: Role,
}

pub use crate::domain::event::IssuedBy;

/// A new ticket: what the kiosk shows and prints. The token is in it, once.
#[derive(Debug, Serialize)]
pub struct Issued {
    #[serde(flatten)]
    pub ticket: TicketView,
    pub token: String,
    pub url: String,
}

/// Make sure every configured counter has its row.
pub fn prepare_counters(conn: &Connection, hall: &Hall) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare("INSERT OR IGNORE INTO counters (no) VALUES (?1)")?;
    for c in &hall.counters {
        stmt.execute([c.no.get()])?;
    }
    Ok(())
}

/// Append one event to the log, and fold it into the figures; returns it as logged.
fn record(
    ctx: &Ctx<'_>,
    event: Event,
    ticket: Option<&TicketRow>,
    counter: Option<CounterNo>,
    user_id: Option<i64>,
) -> Result<Logged, Error> {
    let (kind, data) = event.to_parts();
    ctx.conn
        .prepare_cached(
            "INSERT INTO events (at, kind, ticket_id, service, counter_no, user_id, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            millis(ctx.now),
            kind,
            ticket.map(|t| t.id),
            ticket.map(|t| t.service.as_str()),
            counter.map(CounterNo::get),
            user_id,
            data.to_string(),
        ])?;
    let seq = ctx.conn.last_insert_rowid();
    if event.moves_queue() {
        ctx.replay.queue_changed();
    }
    let logged = Logged {
        seq,
        at: millis(ctx.now),
        ticket: ticket.map(|t| t.id),
        service: ticket.map(|t| t.service.to_string()),
        counter: counter.map(CounterNo::get),
        user: user_id,
        event,
    };
    stats::fold(ctx.conn, ctx.hall.tz, 0, &logged)?;
    Ok(logged)
}

/// Queue the live update for an event: the ticket and counter as they are now, and the
/// waiting counts of every field.
fn announce(
    ctx: &mut Ctx<'_>,
    logged: Logged,
    ticket_id: Option<i64>,
    also_affects: Option<ServiceCode>,
) -> Result<(), Error> {
    let ticket = match ticket_id {
        Some(id) => views::ticket_by_id(ctx.conn, id)?,
        None => None,
    };
    let ticket_view = match &ticket {
        Some(t) => Some(views::ticket_view(ctx.conn, ctx.hall, t)?),
        None => None,
    };
    announce_view(ctx, logged, ticket_view.as_ref(), also_affects)
}

/// [`announce`] for a ticket whose view is already at hand.
fn announce_view(
    ctx: &mut Ctx<'_>,
    logged: Logged,
    ticket_view: Option<&TicketView>,
    also_affects: Option<ServiceCode>,
) -> Result<(), Error> {
    let (seq, kind) = (logged.seq, logged.event.kind());
    // A rating is the citizen's, not the counter's: counter feeds do not follow it.
    let counter = match logged.event {
        Event::Rated { .. } => None,
        _ => logged.counter_no(),
    };
    let counter_view = match counter {
        Some(no) => Some(views::counter_view(ctx.conn, ctx.hall, no)?),
        None => None,
    };
    let mut services: Vec<ServiceCode> = ticket_view.iter().map(|t| t.service.clone()).collect();
    services.extend(also_affects);
    let waiting = views::waiting_counts(ctx.conn, ctx.hall)?;
    let frame = json!({
        "type": "event",
        "seq": seq,
        "kind": kind,
        "at": views::local_time(ctx.hall, millis(ctx.now)),
        "ticket": ticket_view,
        "counter": counter_view,
        "waiting": waiting,
    });
    let ticket_id = ticket_view.map(|t| t.id);
    let mut change = Change::new(logged.event, ticket_id, counter, services, &frame);
    change.seq = seq;
    if ticket_id.is_none() {
        change.counter_fields = counter
            .and_then(|no| ctx.hall.counter(no))
            .map(|c| c.services.clone())
            .unwrap_or_default();
    }
    ctx.outbox.push(change);
    Ok(())
}

fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Issue a ticket in a field (the next number of the day, a fresh token, an estimate),
/// once per `request_id`: asked again with the same id (a kiosk retrying a
/// request whose answer was lost), it answers with the ticket already issued. The flag says
/// whether the ticket is new.
pub fn issue_once(
    ctx: &mut Ctx<'_>,
    service: &ServiceCode,
    priority: Priority,
    issued_by: IssuedBy,
    request_id: Option<&str>,
) -> Result<(Issued, bool), Error> {
    if let Some(request_id) = request_id {
        let id: Option<i64> = ctx
            .conn
            .prepare_cached("SELECT id FROM tickets WHERE request_id = ?1")?
            .query_row([request_id], |r| r.get(0))
            .optional()?;
        if let Some(id) = id {
            let row = views::ticket_by_id(ctx.conn, id)?.ok_or(Error::Internal)?;
            if &row.first_service != service || row.priority != priority {
                return Err(Refusal::other(
                    "request_id_reused",
                    "this request id was used for another ticket",
                )
                .into());
            }
            let url = ctx.hall.ticket_url(&row.token);
            let ticket = views::ticket_view(ctx.conn, ctx.hall, &row)?;
            return Ok((
                Issued {
                    ticket,
                    token: row.token,
                    url,
                },
                false,
            ));
        }
    }
    let field = ctx.hall.service(service).ok_or_else(|| {
        Error::invalid(
            "unknown_service",
            format!("no field has the code {service}"),
        )
    })?;
    let day = ctx.today().to_string();
    let last: Option<u32> = ctx
        .conn
        .prepare_cached(
            "SELECT last_number FROM day_numbers WHERE local_day = ?1 AND service = ?2",
        )?
        .query_row(params![day, service.as_str()], |r| r.get(0))
        .optional()?;
    let number = field.series.next(last).ok_or_else(|| {
        Refusal::other(
            "series_exhausted",
            format!("every number of field {service} has been given out today"),
        )
    })?;
    let code = field.series.code(number);
    ctx.conn
        .prepare_cached(
            "INSERT INTO day_numbers (local_day, service, last_number) VALUES (?1, ?2, ?3)
             ON CONFLICT (local_day, service) DO UPDATE SET last_number = excluded.last_number",
        )?
        .execute(params![day, service.as_str(), number])?;
    // Everyone waiting in the field is ahead of a new normal ticket (they all queued
    // earlier); only the waiting priority tickets are ahead of a new priority one.
    let (priority_waiting, normal_waiting) = views::waiting_in_field(ctx.conn, service)?;
    let ahead = if priority.is_priority() {
        priority_waiting
    } else {
        priority_waiting + normal_waiting
    };
    // The estimate quoted at issue is kept, so its accuracy can be reported later.
    let eta = ctx
        .replay
        .quote(ctx.conn, ctx.hall, service, ahead, millis(ctx.now))?;
    let now = millis(ctx.now);
    let token = new_token();
    ctx.conn
        .prepare_cached(
            "INSERT INTO tickets (token, local_day, first_service, service, number, code, priority,
                 status, issued_by, issued_at, queued_at, eta_minutes, request_id)
             VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, 'waiting', ?7, ?8, ?8, ?9, ?10)",
        )?
        .execute(params![
            token,
            day,
            service.as_str(),
            number,
            code,
            priority.as_str(),
            issued_by.as_str(),
            now,
            eta,
            request_id
        ])?;
    // The row as just written: nothing to read back.
    let row = TicketRow {
        id: ctx.conn.last_insert_rowid(),
        token: token.clone(),
        local_day: day,
        service: service.clone(),
        first_service: service.clone(),
        code: code.clone(),
        priority,
        status: Status::Waiting,
        counter_no: None,
        issued_at: now,
        queued_at: now,
        first_called_at: None,
        called_at: None,
        started_at: None,
        finished_at: None,
        recalls: 0,
        eta_minutes: eta,
        rating: None,
    };
    let view = views::ticket_view_known(ctx.hall, &row, Some((ahead, eta)));
    let issued = Event::Issued {
        code: code.clone(),
        priority,
        issued_by,
        eta_minutes: eta,
        ahead: Some(ahead),
    };
    let logged = record(ctx, issued, Some(&row), None, None)?;
    announce_view(ctx, logged, Some(&view), None)?;
    let url = ctx.hall.ticket_url(&token);
    Ok((
        Issued {
            ticket: view,
            token,
            url,
        },
        true,
    ))
}

/// The counter, checked to be held by `staff`.
fn held_counter(ctx: &Ctx<'_>, no: CounterNo, staff: &Staff) -> Result<CounterRow, Error> {
    let counter = views::counter_row(ctx.conn, no)?;
    if counter.state == CounterState::Closed || counter.user_id != Some(staff.user_id) {
        return Err(Error::forbidden(format!(
            "counter {no} is not open in your name: open it first"
        )));
    }
    Ok(counter)
}

fn set_counter(
    ctx: &Ctx<'_>,
    no: CounterNo,
    state: &CounterState,
    user_id: Option<i64>,
) -> Result<(), Error> {
    let reason = match state {
        CounterState::Paused { reason } => Some(reason.as_str()),
        _ => None,
    };
    ctx.conn
        .prepare_cached(
            "UPDATE counters SET state = ?1, pause_reason = ?2, user_id = ?3, changed_at = ?4 WHERE no = ?5",
        )?
        .execute(params![state.name(), reason, user_id, millis(ctx.now), no.get()])?;
    Ok(())
}

/// A clerk takes a counter. Opening a counter one already holds changes nothing.
pub fn open_counter(
    ctx: &mut Ctx<'_>,
    no: CounterNo,
    staff: &Staff,
) -> Result<views::CounterView, Error> {
    let counter = views::counter_row(ctx.conn, no)?;
    match (&counter.state, counter.user_id) {
        (CounterState::Closed, _) => {}
        (_, Some(holder)) if holder == staff.user_id => {
            return views::counter_view(ctx.conn, ctx.hall, no);
        }
        _ => {
            return Err(Refusal::other(
                "counter_taken",
                format!("counter {no} is open in another clerk's name"),
            )
            .into());
        }
    }
    let elsewhere = views::counter_held_by(ctx.conn, staff.user_id)?;
    if let Some(other) = elsewhere {
        return Err(Refusal::other(
            "already_at_counter",
            format!("you are at counter {other}: close it first"),
        )
        .into());
    }
    set_counter(ctx, no, &CounterState::Open, Some(staff.user_id))?;
    ctx.conn
        .prepare_cached("UPDATE counters SET priority_streak = 0 WHERE no = ?1")?
        .execute([no.get()])?;
    let logged = record(
        ctx,
        Event::CounterOpened {},
        None,
        Some(no),
        Some(staff.user_id),
    )?;
    announce(ctx, logged, None, None)?;
    views::counter_view(ctx.conn, ctx.hall, no)
}

/// A clerk leaves a counter (a manager may close one a clerk forgot).
pub fn close_counter(
    ctx: &mut Ctx<'_>,
    no: CounterNo,
    staff: &Staff,
) -> Result<views::CounterView, Error> {
    let counter = views::counter_row(ctx.conn, no)?;
    if counter.state == CounterState::Closed {
        return Err(
            Refusal::other("counter_closed", format!("counter {no} is already closed")).into(),
        );
    }
    if counter.user_id != Some(staff.user_id) && !staff.role.reads_everything() {
        return Err(Error::forbidden(format!(
            "counter {no} is open in another clerk's name"
        )));
    }
    if views::ticket_at_counter(ctx.conn, no)?.is_some() {
        return Err(Refusal::other(
            "counter_busy",
            "finish, mark absent or return the current ticket first",
        )
        .into());
    }
    set_counter(ctx, no, &CounterState::Closed, None)?;
    let logged = record(
        ctx,
        Event::CounterClosed { reason: None },
        None,
        Some(no),
        Some(staff.user_id),
    )?;
    announce(ctx, logged, None, None)?;
    views::counter_view(ctx.conn, ctx.hall, no)
}

pub fn pause_counter(
    ctx: &mut Ctx<'_>,
    no: CounterNo,
    staff: &Staff,
    reason: &str,
) -> Result<views::CounterView, Error> {
    let counter = held_counter(ctx, no, staff)?;
    let busy = views::ticket_at_counter(ctx.conn, no)?.is_some();
    let paused = counter.state.pause(reason, busy)?;
    set_counter(ctx, no, &paused, Some(staff.user_id))?;
    let paused = Event::CounterPaused {
        reason: reason.to_owned(),
    };
    let logged = record(ctx, paused, None, Some(no), Some(staff.user_id))?;
    announce(ctx, logged, None, None)?;
    views::counter_view(ctx.conn, ctx.hall, no)
}

pub fn resume_counter(
    ctx: &mut Ctx<'_>,
    no: CounterNo,
    staff: &Staff,
) -> Result<views::CounterView, Error> {
    let counter = held_counter(ctx, no, staff)?;
    let open = counter.state.resume()?;
    set_counter(ctx, no, &open, Some(staff.user_id))?;
    let logged = record(
        ctx,
        Event::CounterResumed {},
        None,
        Some(no),
        Some(staff.user_id),
    )?;
    announce(ctx, logged, None, None)?;
    views::counter_view(ctx.conn, ctx.hall, no)
}

/// The clerk pressed Next: call the ticket the policy picks among the fields this counter
/// serves. `None` when nobody waits.
pub fn call_next(
    ctx: &mut Ctx<'_>,
    no: CounterNo,
    staff: &Staff,
) -> Result<Option<TicketView>, Error> {
    let counter = held_counter(ctx, no, staff)?;
    let busy = views::ticket_at_counter(ctx.conn, no)?.is_some();
    counter.state.may_call(busy)?;
    let def = ctx
        .hall
        .counter(no)
        .ok_or_else(|| Error::not_found("counter_not_found", format!("no counter {no}")))?;
    let waiting = views::waiting_in(ctx.conn, &def.services)?;
    let candidates: Vec<Candidate> = waiting
        .iter()
        .map(|t| Candidate {
            id: t.id,
            queued_at: super::from_millis(t.queued_at),
            priority: t.priority.is_priority(),
            preference: def
                .services
                .iter()
                .position(|s| s == &t.service)
                .unwrap_or(usize::MAX),
        })
        .collect();
    let Some(choice) = policy::choose_next(
        &candidates,
        counter.priority_streak,
        ctx.hall.fairness,
        ctx.hall.call_order,
        ctx.now,
    ) else {
        return Ok(None);
    };
    let ticket = waiting
        .into_iter()
        .find(|t| t.id == choice.id)
        .ok_or(Error::Internal)?;
    call(ctx, ticket, no, staff).map(Some)
}

/// Call `ticket` to counter `no` (already checked: held, free, open).
fn call(
    ctx: &mut Ctx<'_>,
    ticket: TicketRow,
    no: CounterNo,
    staff: &Staff,
) -> Result<TicketView, Error> {
    ticket.status.after(&Action::Call { counter: no })?;
    let now = millis(ctx.now);
    ctx.conn
        .prepare_cached(
            "UPDATE tickets SET status = 'called', counter_no = ?1, called_at = ?2,
                 first_called_at = COALESCE(first_called_at, ?2), started_at = NULL
             WHERE id = ?3",
        )?
        .execute(params![no.get(), now, ticket.id])?;
    // Keep the streak of priority calls for the fairness rule.
    let streak_sql = if ticket.priority.is_priority() {
        "UPDATE counters SET priority_streak = priority_streak + 1 WHERE no = ?1"
    } else {
        "UPDATE counters SET priority_streak = 0 WHERE no = ?1"
    };
    ctx.conn.prepare_cached(streak_sql)?.execute([no.get()])?;
    let waited_ms = now - ticket.queued_at;
    let called = Event::Called {
        code: ticket.code.clone(),
        priority: ticket.priority,
        waited_ms,
    };
    let logged = record(ctx, called, Some(&ticket), Some(no), Some(staff.user_id))?;
    announce(ctx, logged, Some(ticket.id), None)?;
    let row = views::ticket_by_id(ctx.conn, ticket.id)?.ok_or(Error::Internal)?;
    views::ticket_view(ctx.conn, ctx.hall, &row)
}

/// Any move of one ticket asked by a clerk: call it, recall, start, finish, no-show,
/// transfer, return, cancel.
pub fn act(
    ctx: &mut Ctx<'_>,
    id: i64,
    action: Action,
    staff: &Staff,
) -> Result<TicketView, Error> {
    let ticket = views::ticket_by_id(ctx.conn, id)?
        .ok_or_else(|| Error::not_found("ticket_not_found", format!("no ticket {id}")))?;
    // The rules first: an illegal move is a 409 whoever asks.
    ticket.status.after(&action)?;
    match &action {
        Action::Call { counter } => {
            let c = held_counter(ctx, *counter, staff)?;
            let serves = ctx
                .hall
                .counter(*counter)
                .is_some_and(|d| d.services.contains(&ticket.service));
            if !serves {
                return Err(Refusal::other(
                    "service_not_served",
                    format!("counter {counter} does not serve field {}", ticket.service),
                )
                .into());
            }
            let busy = views::ticket_at_counter(ctx.conn, *counter)?.is_some();
            c.state.may_call(busy)?;
            return call(ctx, ticket, *counter, staff);
        }
        _ => check_may_touch(ctx, &ticket, staff)?,
    }
    let now = millis(ctx.now);
    let counter = ticket.counter_no;
    let (event, sql, affects): (Event, &str, Option<ServiceCode>) = match &action {
        Action::Call { .. } => return Err(Error::Internal),
        Action::Recall => (
            Event::Recalled {
                recall: ticket.recalls + 1,
            },
            "UPDATE tickets SET recalls = recalls + 1, called_at = ?2 WHERE id = ?1",
            None,
        ),
        Action::Start => (
            Event::Serving {},
            "UPDATE tickets SET status = 'serving', started_at = ?2 WHERE id = ?1",
            None,
        ),
        Action::Finish => (
            Event::Served {},
            "UPDATE tickets SET status = 'served', finished_at = ?2 WHERE id = ?1",
            None,
        ),
        Action::NoShow => (
            Event::Absent {},
            "UPDATE tickets SET status = 'absent', finished_at = ?2 WHERE id = ?1",
            None,
        ),
        Action::Cancel => (
            Event::Cancelled {
                from: ticket.status,
                reason: None,
            },
            "UPDATE tickets SET status = 'cancelled', finished_at = ?2 WHERE id = ?1",
            None,
        ),
        Action::Return => (
            Event::Returned {
                from: ticket.status,
            },
            // Back of the queue: the citizen went to complete the dossier.
            "UPDATE tickets SET status = 'waiting', counter_no = NULL, started_at = NULL, queued_at = ?2 WHERE id = ?1",
            None,
        ),
        Action::Transfer { to } => {
            if to == &ticket.service {
                return Err(Refusal::other(
                    "same_service",
                    format!("the ticket is already in field {to}"),
                )
                .into());
            }
            if ctx.hall.service(to).is_none() {
                return Err(Error::invalid(
                    "unknown_service",
                    format!("no field has the code {to}"),
                ));
            }
            // Keeping the place means keeping the original queue time.
            let sql = "UPDATE tickets SET status = 'waiting', service = ?3, counter_no = NULL,
                    started_at = NULL, queued_at = CASE WHEN ?4 THEN queued_at ELSE ?2 END
                WHERE id = ?1";
            (
                Event::Transferred {
                    from_service: ticket.service.clone(),
                    to_service: to.clone(),
                    from: ticket.status,
                    keeps_place: ctx.hall.transfer_keeps_place,
                },
                sql,
                Some(ticket.service.clone()),
            )
        }
    };
    if let Action::Transfer { to } = &action {
        let keeps_place = ctx.hall.transfer_keeps_place;
        ctx.conn
            .prepare_cached(sql)?
            .execute(params![id, now, to.as_str(), keeps_place])?;
    } else {
        ctx.conn.prepare_cached(sql)?.execute(params![id, now])?;
    }
    let logged = record(ctx, event, Some(&ticket), counter, Some(staff.user_id))?;
    let touched = views::ticket_by_id(ctx.conn, id)?.ok_or(Error::Internal)?;
    announce(ctx, logged, Some(id), affects)?;
    views::ticket_view(ctx.conn, ctx.hall, &touched)
}

/// A ticket at a counter is moved only by the clerk holding that counter. A waiting ticket
/// (transfer, cancel) by a manager, or by a clerk whose open counter serves its field.
fn check_may_touch(ctx: &Ctx<'_>, ticket: &TicketRow, staff: &Staff) -> Result<(), Error> {
    if let Some(no) = ticket.counter_no.filter(|_| ticket.status.at_counter()) {
        held_counter(ctx, no, staff)?;
        return Ok(());
    }
    if staff.role.reads_everything() {
        return Ok(());
    }
    let mine = views::counter_held_by(ctx.conn, staff.user_id)?;
    let serves = mine
        .and_then(|n| CounterNo::try_from(n).ok())
        .and_then(|n| ctx.hall.counter(n))
        .is_some_and(|c| c.services.contains(&ticket.service));
    if serves {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only a clerk at a counter serving this field may change this ticket",
        ))
    }
}

/// A citizen rates a served ticket, once.
pub fn rate(
    ctx: &mut Ctx<'_>,
    token: &str,
    level: u8,
    comment: Option<String>,
) -> Result<TicketView, Error> {
    let ticket = views::ticket_by_token(ctx.conn, token)?
        .ok_or_else(|| Error::not_found("ticket_not_found", "no such ticket"))?;
    record_rating(ctx, ticket, level, comment, RatingChannel::Phone)
}

/// The citizen rates on the tablet at the counter that served them: the tablet is signed
/// in as that counter's clerk, so only a ticket served at the clerk's own counter.
pub fn rate_at_counter(
    ctx: &mut Ctx<'_>,
    id: i64,
    level: u8,
    staff: &Staff,
) -> Result<TicketView, Error> {
    let ticket = views::ticket_by_id(ctx.conn, id)?
        .ok_or_else(|| Error::not_found("ticket_not_found", format!("no ticket {id}")))?;
    let Some(no) = ticket.counter_no else {
        return Err(
            Refusal::other("ticket_not_served", "only a served ticket can be rated").into(),
        );
    };
    held_counter(ctx, no, staff)?;
    record_rating(ctx, ticket, level, None, RatingChannel::Counter)
}

fn record_rating(
    ctx: &mut Ctx<'_>,
    ticket: TicketRow,
    level: u8,
    comment: Option<String>,
    channel: RatingChannel,
) -> Result<TicketView, Error> {
    if ticket.status != Status::Served {
        return Err(
            Refusal::other("ticket_not_served", "only a served ticket can be rated").into(),
        );
    }
    if ticket.rating.is_some() {
        return Err(Refusal::other("already_rated", "this ticket has already been rated").into());
    }
    if !(1..=ctx.hall.rating_scale).contains(&level) {
        return Err(Error::invalid(
            "bad_rating",
            format!(
                "a rating is 1 to {} on this hall's scale",
                ctx.hall.rating_scale
            ),
        ));
    }
    ctx.conn
        .prepare_cached("UPDATE tickets SET rating = ?1 WHERE id = ?2")?
        .execute(params![level, ticket.id])?;
    let rated = Event::Rated {
        level,
        scale: ctx.hall.rating_scale,
        comment,
        channel: Some(channel),
    };
    let logged = record(ctx, rated, Some(&ticket), ticket.counter_no, None)?;
    announce(ctx, logged, Some(ticket.id), None)?;
    let row = views::ticket_by_id(ctx.conn, ticket.id)?.ok_or(Error::Internal)?;
    views::ticket_view(ctx.conn, ctx.hall, &row)
}

/// A new local day has begun: tickets the previous days left open are cancelled and
/// counters left open are closed (each with its event), so today starts clean and
/// statistics see how yesterday ended.
pub fn close_previous_days(ctx: &mut Ctx<'_>) -> Result<(), Error> {
    let today = ctx.today().to_string();
    let ids: Vec<i64> = ctx
        .conn
        .prepare("SELECT id FROM tickets WHERE local_day < ?1 AND status IN ('waiting', 'called', 'serving')")?
        .query_map([&today], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &ids {
        let Some(t) = views::ticket_by_id(ctx.conn, *id)? else {
            continue;
        };
        ctx.conn
            .prepare_cached(
                "UPDATE tickets SET status = 'cancelled', finished_at = ?1 WHERE id = ?2",
            )?
            .execute(params![millis(ctx.now), t.id])?;
        let cancelled = Event::Cancelled {
            from: t.status,
            reason: Some(EndReason::DayEnded),
        };
        record(ctx, cancelled, Some(&t), t.counter_no, None)?;
    }
    // Counters still open from a day before today (the clerk went home without closing).
    let day_start = ctx
        .today()
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(ctx.hall.tz).earliest())
        .map(|t| t.timestamp_millis())
        .unwrap_or(0);
    let stale: Vec<u16> = ctx
        .conn
        .prepare("SELECT no FROM counters WHERE state <> 'closed' AND changed_at < ?1")?
        .query_map([day_start], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for no in &stale {
        let Ok(no) = CounterNo::try_from(*no) else {
            continue;
        };
        set_counter(ctx, no, &CounterState::Closed, None)?;
        let closed = Event::CounterClosed {
            reason: Some(EndReason::DayEnded),
        };
        record(ctx, closed, None, Some(no), None)?;
    }
    if ids.is_empty() && stale.is_empty() {
        return Ok(());
    }
    let seq = views::last_seq(ctx.conn)?;
    let change = Change::day_started(seq);
    ctx.outbox.push(change);
    tracing::info!(tickets = ids.len(), counters = stale.len(), day = %today, "a new day: what was left open is closed");
    Ok(())
}
