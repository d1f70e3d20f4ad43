//! Printing a ticket again: its first copy did not print, or may not have (a crash came
//! between sending it and the printer's confirmation). A second copy of the same number
//! is better than none.

use super::Ctx;
use super::queue::{Staff, check_may_touch, record};
use motcua_domain::event::Event;
use motcua_domain::ticket::Refusal;
use motcua_domain::{Error, Status};
use motcua_printer::TicketPrint;
use motcua_store::{accounts, millis, print_jobs, tickets};

/// How many times one ticket may be printed again: enough for a jam and a lost copy, and a
/// bound on the paper one careless or hostile session can spend.
pub const MAX_REPRINTS: u32 = 3;

/// A new print job for a ticket, ready to send.
pub struct Reprint {
    pub code: String,
    pub kiosk_id: i64,
    pub kiosk_name: String,
    pub paper: TicketPrint,
    pub job: print_jobs::NewJob,
}

/// Write a new print job for the ticket `id`, to the kiosk that printed it first, with
/// the same paper, and log who asked. A clerk may reprint what they may touch (a ticket
/// at their counter, or waiting in a field it serves); a manager any open ticket.
pub fn reprint(ctx: &mut Ctx<'_, '_>, id: i64, staff: &Staff) -> Result<Reprint, Error> {
    let ticket = tickets::by_id(ctx.conn(), id)?
        .ok_or_else(|| Error::not_found("ticket_not_found", format!("no ticket {id}")))?;
    if matches!(
        ticket.status,
        Status::Served | Status::Absent | Status::Cancelled
    ) {
        return Err(Refusal::other("ticket_closed", "the ticket's visit is over").into());
    }
    check_may_touch(ctx, &ticket, staff)?;
    let Some((kiosk_id, payload)) = print_jobs::latest_paper_of_ticket(ctx.conn(), id)? else {
        return Err(Refusal::other(
            "not_from_a_kiosk",
            "the ticket was not issued at a kiosk: there is no printed copy to repeat",
        )
        .into());
    };
    if print_jobs::count_of_ticket(ctx.conn(), id)? > MAX_REPRINTS {
        return Err(Refusal::other(
            "reprint_limit",
            format!("the ticket was already printed again {MAX_REPRINTS} times"),
        )
        .into());
    }
    let paper: TicketPrint = serde_json::from_str(&payload).map_err(Error::internal)?;
    let kiosk_name = accounts::device_name(ctx.conn(), kiosk_id)?;
    let job = print_jobs::insert(ctx.conn(), id, kiosk_id, &payload, millis(ctx.now()))?;
    record(
        ctx,
        Event::Reprinted {},
        Some(&ticket),
        ticket.counter_no,
        Some(staff.user_id),
    )?;
    Ok(Reprint {
        code: ticket.code.clone(),
        kiosk_id,
        kiosk_name,
        paper,
        job,
    })
}
