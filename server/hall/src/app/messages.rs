//! Speaking to the hall: a manager's message to everyone waiting (every phone and the hall
//! TV) or to one field's queue ("Lĩnh vực đất đai tạm dừng 30 phút": its phones, and the TV
//! naming the field), in Vietnamese (English optional), with an expiry, withdrawable.
//!
//! Each is an event of the log ([`Event::MessagePosted`], [`Event::MessageWithdrawn`]);
//! the messages open now are read back from today's log. They go out on the application's
//! feed like any event: the hall TV reads the list again on seeing one, and each phone
//! whose field it concerns is told to (see `live`).

use super::Ctx;
use super::emergency::start_of_day;
use super::queue::{Staff, announce, record};
use chrono::{DateTime, Utc};
use motcua_domain::event::Event;
use motcua_domain::{Error, Hall, Role, ServiceCode};
use motcua_store::{StoreError, events, millis};
use rusqlite::Connection;
use serde::Serialize;

/// The longest message, in characters (a TV line, a phone's card).
pub const TEXT_MAX: usize = 200;
/// The most messages open at once.
pub const OPEN_MAX: usize = 10;
/// The longest a message stays up, in minutes (a working day).
pub const MINUTES_MAX: u32 = 600;

const POSTED: &str = "message_posted";
const WITHDRAWN: &str = "message_withdrawn";

/// A message open now.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HallMessage {
    /// Its number (to withdraw it).
    pub id: i64,
    /// The field it speaks to, or none: everyone waiting.
    #[schema(value_type = Option<String>)]
    pub service: Option<ServiceCode>,
    /// The field's names, when it speaks to one.
    pub service_name_vi: Option<String>,
    pub service_name_en: Option<String>,
    pub text_vi: String,
    pub text_en: Option<String>,
    /// Local `HH:MM`.
    pub posted_at: String,
    /// Until when it shows, RFC 3339 in the hall's zone (pages hide it after).
    pub expires_at: String,
    /// Seconds it still shows, as of the answer (for a page whose own clock is off).
    pub expires_in_seconds: i64,
}

/// The messages open now.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HallMessages {
    pub messages: Vec<HallMessage>,
}

/// A message as asked, checked at the edge.
pub struct NewMessage {
    pub service: Option<ServiceCode>,
    pub text_vi: String,
    pub text_en: Option<String>,
    pub minutes: u32,
}

fn may_speak(staff: &Staff) -> Result<(), Error> {
    match staff.role {
        Role::Manager | Role::Admin => Ok(()),
        Role::Clerk => Err(Error::forbidden("only managers speak to the hall")),
    }
}

/// Post a message; refused when [`OPEN_MAX`] are open already.
pub fn post(ctx: &mut Ctx<'_, '_>, staff: &Staff, new: NewMessage) -> Result<HallMessage, Error> {
    may_speak(staff)?;
    if open_now(ctx.conn(), ctx.hall(), ctx.now())?.len() >= OPEN_MAX {
        return Err(Error::refused(
            "too_many_messages",
            format!("at most {OPEN_MAX} messages are up at once: withdraw one first"),
        ));
    }
    let expires_at = millis(ctx.now()) + i64::from(new.minutes) * 60_000;
    let event = Event::MessagePosted {
        service: new.service.as_ref().map(ToString::to_string),
        text_vi: new.text_vi,
        text_en: new.text_en,
        expires_at,
    };
    let logged = record(ctx, event, None, None, Some(staff.user_id))?;
    let id = logged.seq;
    announce(ctx, logged, None, None)?;
    open_now(ctx.conn(), ctx.hall(), ctx.now())?
        .into_iter()
        .find(|m| m.id == id)
        .ok_or_else(|| Error::internal("a message just posted is not open"))
}

/// Withdraw message `id` (open now).
pub fn withdraw(ctx: &mut Ctx<'_, '_>, staff: &Staff, id: i64) -> Result<HallMessages, Error> {
    may_speak(staff)?;
    if !open_now(ctx.conn(), ctx.hall(), ctx.now())?
        .iter()
        .any(|m| m.id == id)
    {
        return Err(Error::not_found(
            "message_not_found",
            format!("no message {id} is up"),
        ));
    }
    let logged = record(
        ctx,
        Event::MessageWithdrawn { message: id },
        None,
        None,
        Some(staff.user_id),
    )?;
    announce(ctx, logged, None, None)?;
    Ok(HallMessages {
        messages: open_now(ctx.conn(), ctx.hall(), ctx.now())?,
    })
}

/// The messages posted today, not withdrawn and not expired at `now`, oldest first.
pub fn open_now(
    conn: &Connection,
    hall: &Hall,
    now: DateTime<Utc>,
) -> Result<Vec<HallMessage>, StoreError> {
    let now_ms = millis(now);
    let mut open: Vec<HallMessage> = Vec::new();
    for (seq, at, kind, _, _, data) in
        events::since_of_kinds(conn, start_of_day(hall, now), &[POSTED, WITHDRAWN])?
    {
        let data: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
        let Ok(event) = Event::from_parts(&kind, data) else {
            continue;
        };
        match event {
            Event::MessagePosted {
                service,
                text_vi,
                text_en,
                expires_at,
            } if expires_at > now_ms => {
                let service = service.and_then(|s| ServiceCode::try_from(s).ok());
                let def = service.as_ref().and_then(|s| hall.service(s));
                open.push(HallMessage {
                    id: seq,
                    service_name_vi: def.map(|d| d.name_vi.clone()),
                    service_name_en: def.map(|d| d.name_en.clone()),
                    service,
                    text_vi,
                    text_en,
                    posted_at: motcua_domain::local_hhmm(hall, at),
                    expires_at: motcua_domain::local_time(hall, expires_at),
                    expires_in_seconds: (expires_at - now_ms + 999) / 1000,
                });
            }
            Event::MessageWithdrawn { message } => open.retain(|m| m.id != message),
            _ => {}
        }
    }
    Ok(open)
}
