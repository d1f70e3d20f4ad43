//! Counters through the day: a clerk opens one, pauses it with a reason, resumes, closes;
//! and the new day's closing of what the days before left open. One function per command,
//! as in [`super::queue`].

use super::queue::{Staff, announce, busy, counter_row, held_counter, record};
use super::views::{self, CounterView};
use super::{Committed, Ctx};
use motcua_domain::event::{EndReason, Event};
use motcua_domain::{CounterNo, CounterState, Error, Refusal, Status};
use motcua_store::tickets::{self, Update};
use motcua_store::{counters, events, millis};

/// Set a counter's state, log the event and publish it; answers the counter as it is now.
fn change_counter(
    ctx: &mut Ctx<'_, '_>,
    no: CounterNo,
    state: &CounterState,
    holder: Option<i64>,
    event: Event,
    staff: &Staff,
) -> Result<CounterView, Error> {
    counters::set_state(ctx.conn(), no, state, holder, millis(ctx.now()))?;
    let logged = record(ctx, event, None, Some(no), Some(staff.user_id))?;
    announce(ctx, logged, None, None)?;
    Ok(views::counter_view(ctx.conn(), ctx.hall(), no)?)
}

/// A clerk takes a counter. Opening a counter one already holds changes nothing.
pub fn open_counter(
    ctx: &mut Ctx<'_, '_>,
    no: CounterNo,
    staff: &Staff,
) -> Result<CounterView, Error> {
    let counter = counter_row(ctx, no)?;
    match (&counter.state, counter.user_id) {
        (CounterState::Closed, _) => {}
        (_, Some(holder)) if holder == staff.user_id => {
            return Ok(views::counter_view(ctx.conn(), ctx.hall(), no)?);
        }
        _ => {
            return Err(Refusal::other(
                "counter_taken",
                format!("counter {no} is open in another clerk's name"),
            )
            .into());
        }
    }
    if let Some(other) = counters::held_by(ctx.conn(), staff.user_id)? {
        return Err(Refusal::other(
            "already_at_counter",
            format!("you are at counter {other}: close it first"),
        )
        .into());
    }
    // A counter opens with a fresh fairness streak.
    counters::note_call(ctx.conn(), no, false)?;
    let open = CounterState::Open;
    change_counter(
        ctx,
        no,
        &open,
        Some(staff.user_id),
        Event::CounterOpened {},
        staff,
    )
}

/// A clerk leaves a counter (a manager may close one a clerk forgot).
pub fn close_counter(
    ctx: &mut Ctx<'_, '_>,
    no: CounterNo,
    staff: &Staff,
) -> Result<CounterView, Error> {
    let counter = counter_row(ctx, no)?;
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
    if busy(ctx, no)? {
        return Err(Refusal::other(
            "counter_busy",
            "finish, mark absent or return the current ticket first",
        )
        .into());
    }
    let closed = Event::CounterClosed { reason: None };
    change_counter(ctx, no, &CounterState::Closed, None, closed, staff)
}

pub fn pause_counter(
    ctx: &mut Ctx<'_, '_>,
    no: CounterNo,
    staff: &Staff,
    reason: &str,
) -> Result<CounterView, Error> {
    let counter = held_counter(ctx, no, staff)?;
    let paused = counter.state.pause(reason, busy(ctx, no)?)?;
    let event = Event::CounterPaused {
        reason: reason.to_owned(),
    };
    change_counter(ctx, no, &paused, Some(staff.user_id), event, staff)
}

pub fn resume_counter(
    ctx: &mut Ctx<'_, '_>,
    no: CounterNo,
    staff: &Staff,
) -> Result<CounterView, Error> {
    let counter = held_counter(ctx, no, staff)?;
    let open = counter.state.resume()?;
    let event = Event::CounterResumed {};
    change_counter(ctx, no, &open, Some(staff.user_id), event, staff)
}

/// A new local day has begun: tickets the previous days left open are cancelled and
/// counters left open are closed (each with its event), so today starts clean and
/// statistics see how yesterday ended.
pub fn close_previous_days(ctx: &mut Ctx<'_, '_>) -> Result<(), Error> {
    let today = ctx.today().to_string();
    let left_open = tickets::open_before(ctx.conn(), &today)?;
    let now = millis(ctx.now());
    for t in &left_open {
        let cancelled = Status::Cancelled;
        tickets::update(ctx.conn(), t.id, now, &Update::Closed { status: cancelled })?;
        let event = Event::Cancelled {
            from: t.status,
            reason: Some(EndReason::DayEnded),
            note: None,
        };
        record(ctx, event, Some(t), t.counter_no, None)?;
    }
    // Counters still open from a day before today (the clerk went home without closing).
    let day_start = ctx
        .today()
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(ctx.hall().tz).earliest())
        .map(|t| t.timestamp_millis())
        .unwrap_or(0);
    let stale = counters::open_since_before(ctx.conn(), day_start)?;
    for no in &stale {
        let Ok(no) = CounterNo::try_from(*no) else {
            continue;
        };
        counters::set_state(ctx.conn(), no, &CounterState::Closed, None, now)?;
        let event = Event::CounterClosed {
            reason: Some(EndReason::DayEnded),
        };
        record(ctx, event, None, Some(no), None)?;
    }
    if left_open.is_empty() && stale.is_empty() {
        return Ok(());
    }
    let seq = events::last_seq(ctx.conn())?;
    ctx.publish(Committed::DayStarted { seq });
    tracing::info!(tickets = left_open.len(), counters = stale.len(), day = %today, "a new day: what was left open is closed");
    Ok(())
}
