//! Taking back an absence: the citizen who stepped out to photocopy a paper comes back
//! within the hall's window (`queue.absent_undo_minutes`). The clerk calls the ticket again
//! at their counter at once, or sends it to the front of its queue (its original queue
//! time kept, so it is called before everyone who came after it). Either move is an
//! [`Event::AbsentUndone`] in the log; the figures then count the visit as if it had never
//! ended (see the README, "How the figures are counted").

use super::Ctx;
use super::queue::{Staff, announce, busy, check_may_touch, held_counter, record};
use super::views::{self, TicketView};
use motcua_domain::event::Event;
use motcua_domain::{Action, CounterNo, Error, Refusal, UndoTo};
use motcua_store::counters;
use motcua_store::millis;
use motcua_store::tickets::{self, Update};

/// Undo the absence of ticket `id`: called again at `counter` ([`UndoTo::Counter`], the
/// counter the clerk holds), or waiting at the front of its queue ([`UndoTo::Queue`]).
pub fn undo_absent(
    ctx: &mut Ctx<'_, '_>,
    id: i64,
    to: UndoTo,
    counter: Option<CounterNo>,
    staff: &Staff,
) -> Result<TicketView, Error> {
    let ticket = tickets::by_id(ctx.conn(), id)?
        .ok_or_else(|| Error::not_found("ticket_not_found", format!("no ticket {id}")))?;
    let again = match to {
        UndoTo::Counter => Some(counter.ok_or_else(|| {
            Error::invalid(
                "missing_counter",
                "say at which counter to call it again: {\"to\": \"counter\", \"counter\": 3}",
            )
        })?),
        UndoTo::Queue => None,
    };
    ticket
        .status
        .after(&Action::UndoAbsent { counter: again })?;
    let now = millis(ctx.now());
    // A past day's absence stays: that day's queue is gone.
    let absent_at = ticket
        .finished_at
        .filter(|_| ticket.local_day == ctx.today().to_string())
        .unwrap_or(i64::MIN / 2);
    ctx.hall().absence.may_undo(absent_at, now)?;
    let at_counter = match again {
        Some(no) => {
            let c = held_counter(ctx, no, staff)?;
            if !ctx.counter_def(no)?.services.contains(&ticket.service) {
                return Err(Refusal::other(
                    "service_not_served",
                    format!("counter {no} does not serve field {}", ticket.service),
                )
                .into());
            }
            c.state.may_call(busy(ctx, no)?)?;
            counters::note_call(ctx.conn(), no, ticket.priority.is_priority())?;
            Some(no)
        }
        None => {
            check_may_touch(ctx, &ticket, staff)?;
            counters::held_by(ctx.conn(), staff.user_id)?.and_then(|n| CounterNo::try_from(n).ok())
        }
    };
    tickets::update(ctx.conn(), id, now, &Update::Reopened { counter: again })?;
    let logged = record(
        ctx,
        Event::AbsentUndone { to },
        Some(&ticket),
        at_counter,
        Some(staff.user_id),
    )?;
    announce(ctx, logged, Some(id), None)?;
    let row = tickets::by_id(ctx.conn(), id)?.ok_or(Error::Internal)?;
    Ok(views::ticket_view(ctx.conn(), ctx.hall(), &row)?)
}
