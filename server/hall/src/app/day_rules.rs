//! The day's rules as the commands apply them (see `motcua_domain::hours`): whether a
//! number may be given now (the hall's hours and cut-off, the field's daily quota), and
//! the hall letting go of a citizen called the set number of times who never came.

use super::Ctx;
use super::queue::{Through, announce, record};
use motcua_domain::event::Event;
use motcua_domain::{Error, Issuing, Refusal, Service, Status, Stop, local_hhmm};
use motcua_store::millis;
use motcua_store::tickets::{self, Update};

/// Whether the field may give a number now, the way `through` asks: refused (409) outside
/// the issuing hours (`issuing_stopped`, or `hall_closed_today` on a closed day) and once
/// the field's daily quota of walk-in numbers is reached (`quota_reached`). A booking
/// checked in keeps its planned place whatever the hour; a result pick-up is given
/// within the hours but whatever the quota.
pub fn may_issue(ctx: &Ctx<'_, '_>, field: &Service, through: Through) -> Result<(), Error> {
    if matches!(through, Through::Booking { .. }) {
        return Ok(());
    }
    let hall = ctx.hall();
    if let Issuing::Stopped {
        why,
        since,
        reopens,
        closure,
    } = hall.issuing.at(&hall.bookings, hall.tz, ctx.now())
    {
        let again = match reopens {
            Some(t) => format!(
                "numbers are given again from {} ({})",
                local_hhmm(hall, millis(t)),
                t.with_timezone(&hall.tz).format("%A %Y-%m-%d")
            ),
            None => "no working day is set in the next year".to_owned(),
        };
        return Err(match why {
            Stop::ClosedDay => Refusal::other(
                "hall_closed_today",
                format!(
                    "the hall is closed today ({}): {again}",
                    closure.map(|c| c.en).unwrap_or("no opening hours")
                ),
            ),
            Stop::NotYet => Refusal::other(
                "issuing_stopped",
                format!("numbers are not given yet today: {again}"),
            ),
            Stop::Break | Stop::DayOver => Refusal::other(
                "issuing_stopped",
                format!(
                    "numbers stopped at {}: {again}",
                    since
                        .map(|t| local_hhmm(hall, millis(t)))
                        .unwrap_or_default()
                ),
            ),
        }
        .into());
    }
    if field.daily_quota > 0 && matches!(through, Through::WalkIn | Through::LateBooking) {
        let given = given_today(ctx, field)?;
        if given >= field.daily_quota {
            return Err(Refusal::other(
                "quota_reached",
                format!(
                    "field {} has given its {} numbers of the day: come back on the next working day",
                    field.code, field.daily_quota
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// The numbers of the field's walk-in series given today (walk-ins, late bookings and
/// result pick-ups: the series is consecutive from its first number).
pub fn given_today(ctx: &Ctx<'_, '_>, field: &Service) -> Result<u32, Error> {
    let day = ctx.today().to_string();
    Ok(given_on(ctx.conn(), &day, field)?)
}

/// [`given_today`] on a reader, for the kiosk's view of the fields.
pub fn given_on(
    conn: &rusqlite::Connection,
    day: &str,
    field: &Service,
) -> Result<u32, motcua_store::StoreError> {
    Ok(tickets::last_number(conn, day, field.code.as_str())?
        .map(|last| (last + 1).saturating_sub(field.series.first))
        .unwrap_or(0))
}

/// Before every batch: mark absent, in the hall's own name (an event with no user), the
/// called tickets that had their last call `recall_gap_minutes` ago or more and were
/// called `absent_after_calls` times. One index step when none is due.
pub fn sweep_unanswered(ctx: &mut Ctx<'_, '_>) -> Result<(), Error> {
    let rules = ctx.hall().recall;
    if rules.absent_after_calls == 0 {
        return Ok(());
    }
    let now = millis(ctx.now());
    let before = now - i64::from(rules.recall_gap_minutes) * 60_000;
    for ticket in tickets::called_unanswered(ctx.conn(), before, rules.absent_after_calls)? {
        ticket.status.after(&motcua_domain::Action::NoShow)?;
        tickets::update(
            ctx.conn(),
            ticket.id,
            now,
            &Update::Closed {
                status: Status::Absent,
            },
        )?;
        let logged = record(
            ctx,
            Event::Absent {},
            Some(&ticket),
            ticket.counter_no,
            None,
        )?;
        announce(ctx, logged, Some(ticket.id), None)?;
    }
    Ok(())
}
