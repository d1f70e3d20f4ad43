//! A visit's rating: by the citizen on their phone (the ticket's token), or on the tablet
//! at the counter that served them (signed in as the counter's clerk). Who may rate and
//! which rating counts is [`motcua_domain::rating`]'s rule; here it is applied in the
//! writer's transaction, and the rating is logged with its source.

use super::Ctx;
use super::queue::{Staff, announce, held_counter, record};
use super::views::{self, TicketView};
use motcua_domain::event::{Event, RatingChannel};
use motcua_domain::rating::{self, TabletAsk};
use motcua_domain::satisfaction::{self, Reason};
use motcua_domain::{Error, Refusal, Status};
use motcua_store::tickets::{self, TicketRow, Update};
use motcua_store::{events, millis};

/// What a rating says beyond its level, checked at the edge: the comment (phone only), the
/// reasons of a low rating (the codes of [`Reason`], each once) and how many times the
/// citizen had to come for this dossier (1, 2, or 3 for "3 or more").
#[derive(Debug, Clone, Default)]
pub struct Detail {
    pub comment: Option<String>,
    pub reasons: Vec<Reason>,
    pub visits_needed: Option<u8>,
}

/// A citizen rates a served ticket on their phone, once; over the counter tablet's rating
/// if it gave one (see [`motcua_domain::rating`]).
pub fn rate(
    ctx: &mut Ctx<'_, '_>,
    token: &str,
    level: u8,
    detail: Detail,
) -> Result<TicketView, Error> {
    let ticket = tickets::by_token(ctx.conn(), token)?
        .ok_or_else(|| Error::not_found("ticket_not_found", "no such ticket"))?;
    record_rating(ctx, ticket, level, detail, RatingChannel::Phone, None)
}

/// Who holds the counter's rating tablet.
pub enum Tablet<'s> {
    /// Signed in as the counter's clerk: it rates only what that clerk finished.
    Clerk(&'s Staff),
    /// Paired to the counter as a device: it rates what its counter finished, whoever did.
    Paired(motcua_domain::CounterNo),
}

/// The citizen rates on the tablet at the counter that served them: only the ticket the
/// counter finished last, a few minutes ago at most, and not rated yet
/// ([`rating::tablet_may_rate`]); a clerk's tablet only what that clerk finished.
pub fn rate_at_counter(
    ctx: &mut Ctx<'_, '_>,
    id: i64,
    level: u8,
    detail: Detail,
    tablet: Tablet<'_>,
) -> Result<TicketView, Error> {
    let ticket = tickets::by_id(ctx.conn(), id)?
        .ok_or_else(|| Error::not_found("ticket_not_found", format!("no ticket {id}")))?;
    let Some(no) = ticket
        .counter_no
        .filter(|_| ticket.status == Status::Served)
    else {
        return Err(
            Refusal::other("ticket_not_served", "only a served ticket can be rated").into(),
        );
    };
    let clerk = match tablet {
        Tablet::Clerk(staff) => {
            held_counter(ctx, no, staff)?;
            Some(staff.user_id)
        }
        Tablet::Paired(counter) if counter == no => None,
        Tablet::Paired(counter) => {
            return Err(Error::Forbidden(format!(
                "this tablet rates at counter {counter} only"
            )));
        }
    };
    rating::tablet_may_rate(&TabletAsk {
        ticket: ticket.id,
        last_finished_here: tickets::last_served_at(ctx.conn(), no)?,
        finished_by: events::finished_by(ctx.conn(), ticket.id)?,
        clerk,
        finished_at: ticket.finished_at,
        now: millis(ctx.now()),
    })?;
    // The log says whose session the tablet rated in (none for a paired tablet).
    record_rating(
        ctx,
        ticket,
        level,
        Detail {
            comment: None,
            ..detail
        },
        RatingChannel::Counter,
        clerk,
    )
}

fn record_rating(
    ctx: &mut Ctx<'_, '_>,
    ticket: TicketRow,
    level: u8,
    detail: Detail,
    source: RatingChannel,
    by: Option<i64>,
) -> Result<TicketView, Error> {
    if ticket.status != Status::Served {
        return Err(
            Refusal::other("ticket_not_served", "only a served ticket can be rated").into(),
        );
    }
    let held = ticket.rating.map(|level| rating::Held {
        level,
        source: ticket.rating_source,
    });
    rating::may_replace(held, source)?;
    let scale = ctx.hall().rating_scale;
    if !(1..=scale).contains(&level) {
        return Err(Error::invalid(
            "bad_rating",
            format!("a rating is 1 to {scale} on this hall's scale"),
        ));
    }
    if !detail.reasons.is_empty() && !satisfaction::is_low(level, scale) {
        return Err(Error::invalid(
            "reasons_need_low_rating",
            "reasons are given with a low rating only",
        ));
    }
    tickets::update(
        ctx.conn(),
        ticket.id,
        millis(ctx.now()),
        &Update::Rated { level, source },
    )?;
    let rated = Event::Rated {
        level,
        scale,
        comment: detail.comment,
        channel: Some(source),
        reasons: detail
            .reasons
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        visits_needed: detail.visits_needed,
    };
    let logged = record(ctx, rated, Some(&ticket), ticket.counter_no, by)?;
    announce(ctx, logged, Some(ticket.id), None)?;
    let row = tickets::by_id(ctx.conn(), ticket.id)?.ok_or(Error::Internal)?;
    Ok(views::ticket_view(ctx.conn(), ctx.hall(), &row)?)
}
