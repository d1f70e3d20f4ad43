//! A manager cancels many waiting tickets at once: everything one kiosk or one member of
//! staff issued (a stolen token, a clerk's flood), or everything issued within a time range,
//! optionally of one field. Each ticket is cancelled as a clerk's Cancel would be, with the
//! same event (its note says `bulk: <the manager's reason>`), all in one transaction: the
//! figures, the uplink and the screens see ordinary cancellations.

use super::queue::{Staff, announce, record};
use super::{Committed, Ctx};
use motcua_domain::event::Event;
use motcua_domain::{Error, Status};
use motcua_store::tickets::{self, Update, WaitingFilter};
use motcua_store::{events, millis};
use serde::Serialize;

/// Beyond this many tickets the screens are not sent one frame per cancellation: every
/// feed starts again from a snapshot (as at a new day), which shows them all gone.
const FRAMES_AT_MOST: usize = 100;

/// What a bulk cancellation did (or, as a dry run, would do).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkCancelled {
    /// How many waiting tickets were cancelled (a dry run: would be).
    pub count: usize,
    /// Their codes, in issue order.
    pub codes: Vec<String>,
    /// Nothing was changed: the count is what the selection holds now.
    pub dry_run: bool,
}

/// Cancel every waiting ticket `filter` picks, each with the event a clerk's Cancel
/// records and the note `bulk: {reason}`. Called, serving and finished tickets are
/// never touched. Managers and admins only.
pub fn cancel_waiting(
    ctx: &mut Ctx<'_, '_>,
    filter: &WaitingFilter<'_>,
    reason: &str,
    staff: &Staff,
    dry_run: bool,
) -> Result<BulkCancelled, Error> {
    if !staff.role.reads_everything() {
        return Err(Error::forbidden(
            "only a manager or an admin may cancel tickets in bulk",
        ));
    }
    let picked = tickets::waiting_matching(ctx.conn(), filter)?;
    let codes: Vec<String> = picked.iter().map(|t| t.code.clone()).collect();
    if dry_run || picked.is_empty() {
        return Ok(BulkCancelled {
            count: picked.len(),
            codes,
            dry_run,
        });
    }
    let note = format!("bulk: {reason}");
    let now = millis(ctx.now());
    let one_frame_each = picked.len() <= FRAMES_AT_MOST;
    for t in &picked {
        // Checked like a single Cancel: only a waiting ticket is picked, and may go.
        t.status
            .after(&motcua_domain::Action::Cancel)
            .map_err(|_| Error::Internal)?;
        let cancelled = Status::Cancelled;
        tickets::update(ctx.conn(), t.id, now, &Update::Closed { status: cancelled })?;
        let event = Event::Cancelled {
            from: t.status,
            reason: None,
            note: Some(note.clone()),
        };
        let logged = record(ctx, event, Some(t), t.counter_no, Some(staff.user_id))?;
        if one_frame_each {
            announce(ctx, logged, Some(t.id), None)?;
        }
    }
    if !one_frame_each {
        let seq = events::last_seq(ctx.conn())?;
        ctx.publish(Committed::DayStarted { seq });
    }
    tracing::warn!(
        count = picked.len(),
        by = staff.user_id,
        reason,
        "waiting tickets cancelled in bulk"
    );
    Ok(BulkCancelled {
        count: picked.len(),
        codes,
        dry_run,
    })
}
