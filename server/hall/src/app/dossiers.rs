//! Dossiers (hồ sơ) on tickets: the clerk attaches the codes of the dossiers handled for the
//! citizen at the counter (typed, or scanned from the receipt's QR), and takes one typed
//! wrong off again; a citizen come back for a dossier's result scans its receipt at the kiosk
//! and gets a result pick-up ticket ("nhận kết quả") of the dossier's field with the dossier
//! attached. The codes tie the Decision 766 figure to dossiers (`stats::fold`); they never
//! appear on a public screen, and their events are not sent to the live feeds (nothing a
//! screen shows changes).

use super::Ctx;
use super::queue::{self, Issued, KioskTicket, Origin, Staff, Through, held_counter, record};
use motcua_domain::event::{Event, IssuedBy};
use motcua_domain::{CounterNo, CounterState, Error, Priority, Refusal, ServiceCode};
use motcua_store::tickets::{self, TicketRow};
use motcua_store::{counters, dossiers};
use rusqlite::Connection;
use serde::Serialize;

pub use motcua_domain::satisfaction::DOSSIERS_PER_TICKET;

/// The dossiers on the ticket at a counter.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DossierList {
    /// The ticket's id.
    pub ticket: i64,
    /// The ticket's code, as printed (`A012`).
    pub code: String,
    /// The dossiers' codes, in the order they were attached.
    pub dossiers: Vec<String>,
}

/// The ticket called to or served at counter `no`, which `staff` must hold.
fn ticket_at(ctx: &Ctx<'_, '_>, no: CounterNo, staff: &Staff) -> Result<TicketRow, Error> {
    held_counter(ctx, no, staff)?;
    ticket_at_counter(ctx.conn(), no)
}

fn ticket_at_counter(conn: &Connection, no: CounterNo) -> Result<TicketRow, Error> {
    tickets::at_counter(conn, no)?.ok_or_else(|| {
        Refusal::other(
            "no_ticket_at_counter",
            format!("counter {no} has no ticket called or being served"),
        )
        .into()
    })
}

fn list(conn: &Connection, ticket: &TicketRow) -> Result<DossierList, Error> {
    Ok(DossierList {
        ticket: ticket.id,
        code: ticket.code.clone(),
        dossiers: dossiers::of_ticket(conn, &ticket.local_day, ticket.id)?,
    })
}

/// The dossiers on the ticket at counter `no`, read for the clerk holding it (a reader's
/// connection: nothing is written).
pub fn at_counter(conn: &Connection, no: CounterNo, staff: &Staff) -> Result<DossierList, Error> {
    let held = counters::get(conn, no)?
        .is_some_and(|c| c.state != CounterState::Closed && c.user_id == Some(staff.user_id));
    if !held {
        return Err(Error::forbidden(format!(
            "counter {no} is not open in your name: open it first"
        )));
    }
    let ticket = ticket_at_counter(conn, no)?;
    list(conn, &ticket)
}

/// Attach `dossier` (a code already normalised) to the ticket at counter `no`. The same
/// code twice changes nothing; past [`DOSSIERS_PER_TICKET`] the clerk is refused.
pub fn attach(
    ctx: &mut Ctx<'_, '_>,
    no: CounterNo,
    staff: &Staff,
    dossier: String,
) -> Result<DossierList, Error> {
    let ticket = ticket_at(ctx, no, staff)?;
    let mut on = list(ctx.conn(), &ticket)?;
    if on.dossiers.contains(&dossier) {
        return Ok(on);
    }
    if on.dossiers.len() >= DOSSIERS_PER_TICKET {
        return Err(Refusal::other(
            "too_many_dossiers",
            format!("a ticket carries at most {DOSSIERS_PER_TICKET} dossiers"),
        )
        .into());
    }
    let attached = Event::DossierAttached {
        dossier: dossier.clone(),
    };
    record(ctx, attached, Some(&ticket), Some(no), Some(staff.user_id))?;
    on.dossiers.push(dossier);
    Ok(on)
}

/// Take `dossier` off the ticket at counter `no` (typed wrong).
pub fn detach(
    ctx: &mut Ctx<'_, '_>,
    no: CounterNo,
    staff: &Staff,
    dossier: String,
) -> Result<DossierList, Error> {
    let ticket = ticket_at(ctx, no, staff)?;
    let mut on = list(ctx.conn(), &ticket)?;
    let Some(at) = on.dossiers.iter().position(|d| d == &dossier) else {
        return Err(Error::not_found(
            "dossier_not_attached",
            format!("the ticket at counter {no} does not carry dossier {dossier}"),
        ));
    };
    let detached = Event::DossierDetached {
        dossier: dossier.clone(),
    };
    record(ctx, detached, Some(&ticket), Some(no), Some(staff.user_id))?;
    on.dossiers.remove(at);
    Ok(on)
}

/// A citizen's request for a result pick-up ticket: the receipt's codes (checked at the
/// edge), the field they picked if asked, and the kiosk's request id.
#[derive(Debug, Clone)]
pub struct ResultRequest {
    pub dossier: String,
    /// The national procedure code (`1.004227`) the receipt names, if it does.
    pub procedure: Option<String>,
    /// The field the citizen picked (after `choose_field`).
    pub service: Option<ServiceCode>,
    pub request_id: Option<String>,
}

/// The field a dossier's result is collected in: where the dossier was last attached in this
/// hall (a field still configured); else the field listing its procedure; else the field the
/// citizen picked; else refused with `choose_field`, and the kiosk asks.
pub fn field_of(ctx: &Ctx<'_, '_>, req: &ResultRequest) -> Result<ServiceCode, Error> {
    let hall = ctx.hall();
    let last = dossiers::last_field(ctx.conn(), &req.dossier)?
        .and_then(|code| ServiceCode::try_from(code).ok())
        .filter(|code| hall.service(code).is_some());
    if let Some(field) = last {
        return Ok(field);
    }
    if let Some(field) = req
        .procedure
        .as_deref()
        .and_then(|p| hall.field_of_procedure(p))
    {
        return Ok(field.code.clone());
    }
    req.service.clone().ok_or_else(|| {
        Refusal::other(
            "choose_field",
            "this hall cannot tell the dossier's field: say it ({\"service\": \"A\"})",
        )
        .into()
    })
}

/// Issue a result pick-up ticket (an ordinary number of the dossier's field, marked
/// "nhận kết quả") with the dossier attached in the same transaction; asked again with the
/// same request id, the ticket already issued. The flag says whether the ticket is new.
pub fn issue_result(
    ctx: &mut Ctx<'_, '_>,
    req: &ResultRequest,
    origin: Origin,
) -> Result<(Issued, bool), Error> {
    let field = field_of(ctx, req)?;
    let (issued, new) = queue::issue_through(
        ctx,
        &field,
        Priority::None,
        origin,
        req.request_id.as_deref(),
        Through::ResultPickup,
    )?;
    if new {
        let row = tickets::by_id(ctx.conn(), issued.ticket.id)?.ok_or(Error::Internal)?;
        let attached = Event::DossierAttached {
            dossier: req.dossier.clone(),
        };
        // A kiosk's ticket: no counter, and no member of staff.
        record(ctx, attached, Some(&row), None, origin.user)?;
    }
    Ok((issued, new))
}

/// [`issue_result`] at a kiosk, with the ticket's print job written in the same transaction
/// (as `queue::issue_at_kiosk`).
pub fn issue_result_at_kiosk(
    ctx: &mut Ctx<'_, '_>,
    req: &ResultRequest,
    kiosk_id: i64,
    footer: &str,
) -> Result<KioskTicket, Error> {
    let origin = Origin {
        by: IssuedBy::Kiosk,
        device: Some(kiosk_id),
        user: None,
    };
    let (issued, new) = issue_result(ctx, req, origin)?;
    if new {
        let (paper, job) = queue::print_job(ctx, &issued, kiosk_id, footer)?;
        return Ok(KioskTicket {
            issued,
            paper,
            job: Ok(job),
        });
    }
    let paper = super::views::ticket_paper(ctx.hall(), &issued.ticket, &issued.url, footer);
    let job = Err(queue::print_outcome_of(ctx, issued.ticket.id)?);
    Ok(KioskTicket { issued, paper, job })
}
