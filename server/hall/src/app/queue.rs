//! What happens when a kiosk issues a ticket or a clerk presses a button: one function per
//! command. Each checks who asks and what the rules allow (the domain's
//! [`Status::after`], [`CounterState`], [`policy::choose_next`]), changes the rows through
//! the store's repositories, appends its typed [`Event`] and publishes what the screens need,
//! all in the writer's one transaction. A refusal leaves nothing written.

use super::views::{self, TicketView};
use super::{Committed, Ctx, EventCommitted};
use motcua_domain::event::{Event, IssuedBy, Logged};
use motcua_domain::policy::{self, Candidate};
use motcua_domain::{
    Action, CounterNo, CounterState, Error, Priority, Refusal, Role, ServiceCode, Status,
};
use motcua_printer::TicketPrint;
use motcua_store::counters::{self, CounterRow};
use motcua_store::tickets::{self, TicketRow, Update};
use motcua_store::{events, from_millis, millis, print_jobs};
use rand::RngCore;
use serde::Serialize;

/// Who asks for a change at a counter.
#[derive(Debug, Clone)]
pub struct Staff {
    pub user_id: i64,
    pub role: Role,
}

/// A new ticket: what the kiosk shows and prints. The token is in it, once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Issued {
    #[serde(flatten)]
    pub ticket: TicketView,
    pub token: String,
    pub url: String,
}

/// Append one event to the log (folded into the figures in the same step); returns it as
/// logged.
pub(super) fn record(
    ctx: &Ctx<'_, '_>,
    event: Event,
    ticket: Option<&TicketRow>,
    counter: Option<CounterNo>,
    user: Option<i64>,
) -> Result<Logged, Error> {
    let mut logged = Logged {
        seq: 0,
        at: millis(ctx.now()),
        ticket: ticket.map(|t| t.id),
        service: ticket.map(|t| t.service.to_string()),
        counter: counter.map(CounterNo::get),
        user,
        event,
    };
    logged.seq = events::append(ctx.conn(), ctx.hall().tz, &logged)?;
    Ok(logged)
}

/// Publish an event with the ticket (read now) and counter it touched.
pub(super) fn announce(
    ctx: &mut Ctx<'_, '_>,
    logged: Logged,
    ticket_id: Option<i64>,
    also_affects: Option<ServiceCode>,
) -> Result<(), Error> {
    let ticket = match ticket_id {
        Some(id) => tickets::by_id(ctx.conn(), id)?,
        None => None,
    };
    let view = match &ticket {
        Some(t) => Some(views::ticket_view(ctx.conn(), ctx.hall(), t)?),
        None => None,
    };
    announce_view(ctx, logged, view, also_affects)
}

/// [`announce`] for a ticket whose view is already at hand.
fn announce_view(
    ctx: &mut Ctx<'_, '_>,
    logged: Logged,
    ticket: Option<TicketView>,
    also_affects: Option<ServiceCode>,
) -> Result<(), Error> {
    // A rating is the citizen's, not the counter's: counter feeds do not follow it.
    let counter = match logged.event {
        Event::Rated { .. } => None,
        _ => logged.counter_no(),
    };
    let counter_view = match counter {
        Some(no) => Some(views::counter_view(ctx.conn(), ctx.hall(), no)?),
        None => None,
    };
    let mut services: Vec<ServiceCode> = ticket.iter().map(|t| t.service.clone()).collect();
    services.extend(also_affects);
    // A counter opening, pausing, resuming or closing moves its fields' estimates.
    let mut counter_fields = match (&ticket, counter) {
        (None, Some(no)) => ctx
            .hall()
            .counter(no)
            .map(|c| c.services.clone())
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    // A change in one field moves the places of the fields sharing a counter with it
    // (and theirs, in turn): their phones follow it too. A rating moves nobody.
    if !matches!(logged.event, Event::Rated { .. }) {
        let touched: Vec<ServiceCode> = services.iter().chain(&counter_fields).cloned().collect();
        counter_fields = views::linked_fields(ctx.hall(), &touched);
    }
    let waiting = views::waiting_counts(ctx.conn(), ctx.hall())?;
    ctx.publish(Committed::Event(Box::new(EventCommitted {
        logged,
        ticket,
        counter: counter_view,
        waiting,
        services,
        counter_fields,
    })));
    Ok(())
}

fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Where a ticket is asked for: a kiosk or a counter, and which kiosk or member of staff
/// (kept with the ticket, so what one of them issued can be cancelled at once).
#[derive(Debug, Clone, Copy)]
pub struct Origin {
    pub by: IssuedBy,
    /// The kiosk's device id.
    pub device: Option<i64>,
    /// The member of staff's user id.
    pub user: Option<i64>,
}

/// [`issue`] with no kiosk or member of staff named.
pub fn issue_once(
    ctx: &mut Ctx<'_, '_>,
    service: &ServiceCode,
    priority: Priority,
    issued_by: IssuedBy,
    request_id: Option<&str>,
) -> Result<(Issued, bool), Error> {
    let origin = Origin {
        by: issued_by,
        device: None,
        user: None,
    };
    issue(ctx, service, priority, origin, request_id)
}

/// Issue a ticket in a field (the next number of the day, a fresh token, an estimate),
/// once per `request_id`: asked again with the same id (a kiosk retrying a request whose
/// answer was lost), it answers with the ticket already issued. The flag says whether the
/// ticket is new.
pub fn issue(
    ctx: &mut Ctx<'_, '_>,
    service: &ServiceCode,
    priority: Priority,
    origin: Origin,
    request_id: Option<&str>,
) -> Result<(Issued, bool), Error> {
    issue_through(ctx, service, priority, origin, request_id, Through::WalkIn)
}

/// How a ticket comes to be: a walk-in, a booking checked in within its span (a number of
/// the field's booked series, queued at its appointment: see `motcua_domain::booking`), a
/// booking come too late (an ordinary number at the back, even in online-only mode), or a
/// citizen come back with a dossier's receipt to collect its result (an ordinary number
/// marked "nhận kết quả", even in online-only mode: see `app::dossiers`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Through {
    WalkIn,
    Booking { appointment: i64 },
    LateBooking,
    ResultPickup,
}

/// The numbers of a field's booked series are kept apart from its walk-in numbers in the
/// store (a day's numbers are unique per field): the number written is this plus the
/// booked number; the code printed is the booked series'.
pub const BOOKED_NUMBER_BASE: u32 = 100_000;

/// [`issue`], for a walk-in or a booking.
pub fn issue_through(
    ctx: &mut Ctx<'_, '_>,
    service: &ServiceCode,
    priority: Priority,
    origin: Origin,
    request_id: Option<&str>,
    through: Through,
) -> Result<(Issued, bool), Error> {
    let issued_by = origin.by;
    if let Some(request_id) = request_id
        && let Some(id) = tickets::by_request_id(ctx.conn(), request_id)?
    {
        let row = tickets::by_id(ctx.conn(), id)?.ok_or(Error::Internal)?;
        if &row.first_service != service || row.priority != priority {
            return Err(Refusal::other(
                "request_id_reused",
                "this request id was used for another ticket",
            )
            .into());
        }
        let url = ctx.hall().ticket_url(&row.token);
        let ticket = views::ticket_view(ctx.conn(), ctx.hall(), &row)?;
        let issued = Issued {
            ticket,
            token: row.token,
            url,
        };
        return Ok((issued, false));
    }
    let field = ctx.hall().service(service).ok_or_else(|| {
        Error::invalid(
            "unknown_service",
            format!("no field has the code {service}"),
        )
    })?;
    // The hall's hours and the field's daily quota.
    super::day_rules::may_issue(ctx, field, through)?;
    let rules = &ctx.hall().bookings;
    // In online-only mode a kiosk gives walk-in numbers to the law's priority categories
    // only; staff at a counter keep their judgment.
    if rules.enabled
        && rules.online_only
        && through == Through::WalkIn
        && issued_by == IssuedBy::Kiosk
        && !priority.is_priority()
    {
        return Err(Refusal::other(
            "walk_ins_priority_only",
            "the hall serves booked citizens today; walk-in numbers are for the priority categories only",
        )
        .into());
    }
    let (series, series_key, base, appointment) = match through {
        Through::Booking { appointment } => {
            let booked = rules.field(service).ok_or_else(|| {
                Refusal::other(
                    "field_not_bookable",
                    format!("field {service} takes no bookings"),
                )
            })?;
            (
                &booked.series,
                format!("{service}~booked"),
                BOOKED_NUMBER_BASE,
                Some(appointment),
            )
        }
        Through::WalkIn | Through::LateBooking | Through::ResultPickup => {
            (&field.series, service.to_string(), 0, None)
        }
    };
    let day = ctx.today().to_string();
    let last = tickets::last_number(ctx.conn(), &day, &series_key)?;
    let number = series.next(last).ok_or_else(|| {
        Refusal::other(
            "series_exhausted",
            format!("every number of field {service} has been given out today"),
        )
    })?;
    let code = series.code(number);
    tickets::set_last_number(ctx.conn(), &day, &series_key, number)?;
    let number = number + base;
    let now = millis(ctx.now());
    let queued_at = appointment.unwrap_or(now);
    // The place quoted at issue is the one the phone shows a moment later (the same replay
    // of the hall, this ticket among the waiting): everyone called before it at the
    // counters of its field, and when it is called. Kept with the ticket and in its
    // event, so the estimate's accuracy can be reported later.
    let (ahead, eta) = views::place_at_issue(
        ctx.conn(),
        ctx.hall(),
        ctx.kept_replay(),
        service,
        priority.is_priority(),
        now,
        queued_at,
    )?;
    let token = new_token();
    let mut row = tickets::insert(
        ctx.conn(),
        &tickets::NewTicket {
            token: &token,
            day: &day,
            service,
            number,
            code: &code,
            priority,
            issued_by: issued_by.as_str(),
            at: now,
            queued_at,
            booked_for: appointment,
            eta_minutes: eta,
            request_id,
            issued_device: origin.device,
            issued_user: origin.user,
        },
    )?;
    let result_pickup = through == Through::ResultPickup;
    if result_pickup {
        tickets::mark_result_pickup(ctx.conn(), row.id)?;
        row.result_pickup = true;
    }
    let place = views::Place {
        ahead,
        eta_minutes: eta,
        no_counter_open: views::no_counter_open(ctx.conn(), ctx.hall(), service)?,
    };
    let view = views::ticket_view_known(ctx.hall(), &row, Some(place));
    let issued = Event::Issued {
        code,
        priority,
        issued_by,
        eta_minutes: eta,
        ahead: Some(ahead),
        booked_for: appointment,
        result_pickup,
    };
    let logged = record(ctx, issued, Some(&row), None, None)?;
    ctx.kept_replay().logged(logged.seq, row.id);
    announce_view(ctx, logged, Some(view.clone()), None)?;
    let url = ctx.hall().ticket_url(&token);
    Ok((
        Issued {
            ticket: view,
            token,
            url,
        },
        true,
    ))
}

/// The outcome of a print request, as the kiosk is told.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PrintOutcome {
    pub job: i64,
    /// `sent` (to the printer; the result follows on the kiosk feed), `waiting` (for the
    /// printer, `reason` says why; it is tried until it expires), `printed` or `failed`.
    #[schema(value_type = String, example = "sent")]
    pub status: &'static str,
    /// Why it waits or failed: one of the codes in `motcua_printer::Reason`.
    pub reason: Option<String>,
}

/// A ticket issued at a kiosk, with what goes on paper and its print job: a new job to send
/// (its id), or for a retried request the job's state so far.
pub struct KioskTicket {
    pub issued: Issued,
    pub paper: TicketPrint,
    pub job: Result<print_jobs::NewJob, PrintOutcome>,
}

/// Issue a ticket at a kiosk (as [`issue_once`]) and write its print job in the same
/// transaction: a ticket on disk always has its job, and a retried request gets its ticket
/// and the state of its job, and prints nothing again.
pub fn issue_at_kiosk(
    ctx: &mut Ctx<'_, '_>,
    service: &ServiceCode,
    priority: Priority,
    request_id: Option<&str>,
    kiosk_id: i64,
    footer: &str,
) -> Result<KioskTicket, Error> {
    let origin = Origin {
        by: IssuedBy::Kiosk,
        device: Some(kiosk_id),
        user: None,
    };
    let (issued, new) = issue(ctx, service, priority, origin, request_id)?;
    if new {
        let (paper, job) = print_job(ctx, &issued, kiosk_id, footer)?;
        return Ok(KioskTicket {
            issued,
            paper,
            job: Ok(job),
        });
    }
    let paper = views::ticket_paper(ctx.hall(), &issued.ticket, &issued.url, footer);
    let job = Err(print_outcome_of(ctx, issued.ticket.id)?);
    Ok(KioskTicket { issued, paper, job })
}

/// A new ticket's paper and its print job at a kiosk, written in the command's
/// transaction (a ticket on disk always has its job).
pub fn print_job(
    ctx: &mut Ctx<'_, '_>,
    issued: &Issued,
    kiosk_id: i64,
    footer: &str,
) -> Result<(TicketPrint, print_jobs::NewJob), Error> {
    let paper = views::ticket_paper(ctx.hall(), &issued.ticket, &issued.url, footer);
    let payload = serde_json::to_string(&paper).map_err(Error::internal)?;
    let now = millis(ctx.now());
    let job = print_jobs::insert(ctx.conn(), issued.ticket.id, kiosk_id, &payload, now)?;
    Ok((paper, job))
}

/// What became of a ticket's print job so far (for a retried request).
pub(super) fn print_outcome_of(ctx: &Ctx<'_, '_>, ticket_id: i64) -> Result<PrintOutcome, Error> {
    // A ticket first asked for at a counter has no job: nothing was to be printed.
    let Some((job, status, reason)) = print_jobs::latest_of_ticket(ctx.conn(), ticket_id)? else {
        return Ok(PrintOutcome {
            job: 0,
            status: "failed",
            reason: Some("no_printer".into()),
        });
    };
    let status = match status.as_str() {
        "printed" => "printed",
        "failed" => "failed",
        _ if reason.is_some() => "waiting",
        _ => "sent",
    };
    Ok(PrintOutcome {
        job,
        status,
        reason,
    })
}

/// The counter's row (every configured counter has one).
pub(super) fn counter_row(ctx: &Ctx<'_, '_>, no: CounterNo) -> Result<CounterRow, Error> {
    counters::get(ctx.conn(), no)?
        .ok_or_else(|| Error::not_found("counter_not_found", format!("no counter {no}")))
}

/// The counter, checked to be held by `staff`.
pub(super) fn held_counter(
    ctx: &Ctx<'_, '_>,
    no: CounterNo,
    staff: &Staff,
) -> Result<CounterRow, Error> {
    let counter = counter_row(ctx, no)?;
    if counter.state == CounterState::Closed || counter.user_id != Some(staff.user_id) {
        return Err(Error::forbidden(format!(
            "counter {no} is not open in your name: open it first"
        )));
    }
    Ok(counter)
}

/// Whether the counter holds a called or serving ticket.
pub(super) fn busy(ctx: &Ctx<'_, '_>, no: CounterNo) -> Result<bool, Error> {
    Ok(tickets::at_counter(ctx.conn(), no)?.is_some())
}

/// The clerk pressed Next: call the ticket the policy picks among the fields this counter
/// serves. `None` when nobody waits.
///
/// The policy is shown only the head of each queue (per field, the first priority and the
/// first normal ticket): whatever the call order and the fairness rule, it takes the oldest
/// of a field and a kind, so the others could never be chosen, and a call costs the same
/// with ten people waiting or twenty thousand.
pub fn call_next(
    ctx: &mut Ctx<'_, '_>,
    no: CounterNo,
    staff: &Staff,
) -> Result<Option<TicketView>, Error> {
    let counter = held_counter(ctx, no, staff)?;
    counter.state.may_call(busy(ctx, no)?)?;
    let serves = ctx.counter_def(no)?.services.clone();
    let waiting = tickets::queue_heads(ctx.conn(), &serves)?;
    let candidates: Vec<Candidate> = waiting
        .iter()
        .map(|t| Candidate {
            id: t.id,
            queued_at: from_millis(t.queued_at),
            priority: t.priority.is_priority(),
            preference: serves
                .iter()
                .position(|s| s == &t.service)
                .unwrap_or(usize::MAX),
        })
        .collect();
    let hall = ctx.hall();
    let Some(choice) = policy::choose_next(
        &candidates,
        counter.priority_streak,
        hall.fairness,
        hall.call_order,
        ctx.now(),
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
    ctx: &mut Ctx<'_, '_>,
    ticket: TicketRow,
    no: CounterNo,
    staff: &Staff,
) -> Result<TicketView, Error> {
    ticket.status.after(&Action::Call { counter: no })?;
    let now = millis(ctx.now());
    tickets::update(ctx.conn(), ticket.id, now, &Update::Called { counter: no })?;
    // Keep the streak of priority calls for the fairness rule.
    counters::note_call(ctx.conn(), no, ticket.priority.is_priority())?;
    // A ticket called back from its hold waited until its first call, not since.
    let until = match (ticket.status, ticket.first_called_at) {
        (Status::Held, Some(first)) => first,
        _ => now,
    };
    let called = Event::Called {
        code: ticket.code.clone(),
        priority: ticket.priority,
        // A booked ticket called before its appointment has not waited at all.
        waited_ms: (until - ticket.queued_at).max(0),
    };
    let logged = record(ctx, called, Some(&ticket), Some(no), Some(staff.user_id))?;
    announce(ctx, logged, Some(ticket.id), None)?;
    let row = tickets::by_id(ctx.conn(), ticket.id)?.ok_or(Error::Internal)?;
    Ok(views::ticket_view(ctx.conn(), ctx.hall(), &row)?)
}

/// Any move of one ticket asked by a clerk: call it, recall, start, finish, no-show,
/// transfer, return, cancel.
pub fn act(
    ctx: &mut Ctx<'_, '_>,
    id: i64,
    action: Action,
    staff: &Staff,
) -> Result<TicketView, Error> {
    let ticket = tickets::by_id(ctx.conn(), id)?
        .ok_or_else(|| Error::not_found("ticket_not_found", format!("no ticket {id}")))?;
    // The rules first: an illegal move is a 409 whoever asks.
    ticket.status.after(&action)?;
    if let Action::Call { counter } = action {
        let c = held_counter(ctx, counter, staff)?;
        if !ctx.counter_def(counter)?.services.contains(&ticket.service) {
            return Err(Refusal::other(
                "service_not_served",
                format!("counter {counter} does not serve field {}", ticket.service),
            )
            .into());
        }
        c.state.may_call(busy(ctx, counter)?)?;
        return call(ctx, ticket, counter, staff);
    }
    check_may_touch(ctx, &ticket, staff)?;
    let (event, update, affects) = move_of(ctx, &ticket, &action)?;
    tickets::update(ctx.conn(), id, millis(ctx.now()), &update)?;
    let logged = record(
        ctx,
        event,
        Some(&ticket),
        ticket.counter_no,
        Some(staff.user_id),
    )?;
    let touched = tickets::by_id(ctx.conn(), id)?.ok_or(Error::Internal)?;
    announce(ctx, logged, Some(id), affects)?;
    Ok(views::ticket_view(ctx.conn(), ctx.hall(), &touched)?)
}

/// What a move (other than a call) logs, how it changes the row, and the field it leaves
/// (a transfer: that queue changed too).
fn move_of<'t>(
    ctx: &Ctx<'_, '_>,
    ticket: &TicketRow,
    action: &'t Action,
) -> Result<(Event, Update<'t>, Option<ServiceCode>), Error> {
    let closed = |status| Update::Closed { status };
    Ok(match action {
        Action::Call { .. } => return Err(Error::Internal),
        Action::Recall => {
            // Not before the hall's gap since the last call.
            if let Some(called_at) = ticket.called_at {
                ctx.hall().recall.may_recall(called_at, millis(ctx.now()))?;
            }
            (
                Event::Recalled {
                    recall: ticket.recalls + 1,
                },
                Update::Recalled,
                None,
            )
        }
        Action::Start => (Event::Serving {}, Update::Started, None),
        Action::Finish => (Event::Served {}, closed(Status::Served), None),
        Action::NoShow => {
            // Not before a recall or the hall's minimum time since the call.
            if let Some(called_at) = ticket.called_at {
                let now = millis(ctx.now());
                ctx.hall()
                    .absence
                    .may_mark_absent(called_at, ticket.recalls, now)?;
            }
            (Event::Absent {}, closed(Status::Absent), None)
        }
        Action::UndoAbsent { .. } => return Err(Error::Internal),
        // Aside: the citizen went to complete the dossier. The counter is free; a bound
        // per counter keeps the holds from piling up (they lapse at the day's end).
        Action::Hold => {
            let no = ticket.counter_no.ok_or(Error::Internal)?;
            let bound = ctx.hall().holds_per_counter;
            if bound == 0 {
                return Err(
                    Refusal::other("holds_off", "this hall does not put tickets on hold").into(),
                );
            }
            let held = tickets::held_at(ctx.conn(), no)?.len();
            if held >= bound as usize {
                return Err(Refusal::other(
                    "hold_limit",
                    format!("counter {no} already holds {held} tickets aside: call one back first"),
                )
                .into());
            }
            (Event::Held {}, Update::Held, None)
        }
        Action::Cancel => (
            Event::Cancelled {
                from: ticket.status,
                reason: None,
                note: None,
            },
            closed(Status::Cancelled),
            None,
        ),
        // Back of the queue: the citizen went to complete the dossier.
        Action::Return => (
            Event::Returned {
                from: ticket.status,
            },
            Update::Requeued,
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
            if ctx.hall().service(to).is_none() {
                return Err(Error::invalid(
                    "unknown_service",
                    format!("no field has the code {to}"),
                ));
            }
            let keeps_place = ctx.hall().transfer_keeps_place;
            (
                Event::Transferred {
                    from_service: ticket.service.clone(),
                    to_service: to.clone(),
                    from: ticket.status,
                    keeps_place,
                },
                Update::Moved { to, keeps_place },
                Some(ticket.service.clone()),
            )
        }
    })
}

/// A ticket at a counter is moved only by the clerk holding that counter. A waiting ticket
/// (transfer, cancel) by a manager, or by a clerk whose open counter serves its field.
pub(super) fn check_may_touch(
    ctx: &Ctx<'_, '_>,
    ticket: &TicketRow,
    staff: &Staff,
) -> Result<(), Error> {
    if let Some(no) = ticket.counter_no.filter(|_| ticket.status.at_counter()) {
        held_counter(ctx, no, staff)?;
        return Ok(());
    }
    if staff.role.reads_everything() {
        return Ok(());
    }
    let mine = counters::held_by(ctx.conn(), staff.user_id)?;
    let serves = mine
        .and_then(|n| CounterNo::try_from(n).ok())
        .and_then(|n| ctx.hall().counter(n))
        .is_some_and(|c| c.services.contains(&ticket.service));
    if serves {
        Ok(())
    } else {
        Err(Error::forbidden(
            "only a clerk at a counter serving this field may change this ticket",
        ))
    }
}
