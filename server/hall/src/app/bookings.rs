//! Bookings, as commands: book a place (on the hall's page or for an outside issuer, once per
//! issuer's id), cancel it, check it in at a kiosk or a counter (a number of the booked
//! series queued at the appointment, a walk-in number when late, or a refusal), and the
//! sweep run before every batch that records the no-shows. The rules are
//! `motcua_domain::booking`'s; each command runs in the writer's one transaction, so two
//! citizens can never take the same place, and a refusal writes nothing.

use super::Ctx;
use super::queue::{self, Issued, Origin, Through};
use chrono::{NaiveDate, NaiveTime};
use hmac::{Hmac, Mac};
use motcua_domain::booking::{self, Arrival, BookingRules, LateArrival};
use motcua_domain::event::{BookingRef, Event, Logged};
use motcua_domain::{Error, Hall, Priority, Refusal, ServiceCode, local_hhmm};
use motcua_store::bookings::{self as rows, BookingRow, BookingStatus, NewBooking};
use motcua_store::{events, millis, tickets};
use rand::RngCore;
use serde::Serialize;
use sha2::Sha256;
use utoipa::ToSchema;

/// A window as a citizen reads it: local start and end.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WindowView {
    /// `08:00`
    pub start: String,
    pub end: String,
}

/// When check-in is open for a booking (local times).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckInSpan {
    pub from: String,
    pub until: String,
}

/// The ticket a booking was given at check-in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookingTicket {
    pub code: String,
    /// The ticket's live page.
    pub url: String,
}

/// A booking as its holder sees it (the booking page, the kiosk, the issuer).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookingView {
    /// 8 characters; the booking's page is `/book/#<code>`.
    pub code: String,
    /// The code as people write it: `K7M2-QX9P`.
    pub code_display: String,
    pub service: ServiceCode,
    pub service_name_vi: String,
    pub service_name_en: String,
    /// The booked local day, `YYYY-MM-DD`.
    pub day: String,
    pub window: WindowView,
    /// The appointment, local `HH:MM`: the booked ticket's place in the queue.
    pub appointment: String,
    /// The appointment, milliseconds since the epoch.
    pub appointment_at: i64,
    pub check_in: CheckInSpan,
    /// `walk_in` or `refuse`: what a later arrival gets.
    pub late_arrival: String,
    /// `booked`, `checked_in`, `cancelled`, `no_show` or `late`.
    pub status: String,
    pub ticket: Option<BookingTicket>,
    /// The booking's page (what its QR opens).
    pub url: String,
    /// Its QR code, as SVG.
    pub qr: String,
}

/// The view of a booking (with its ticket's code and page once it has one).
pub fn view(
    conn: &rusqlite::Connection,
    hall: &Hall,
    b: &BookingRow,
) -> Result<BookingView, Error> {
    let rules = &hall.bookings;
    let field = hall.service(&b.service);
    let (from, until) = rules.check_in_span(b.appointment);
    let end = NaiveTime::parse_from_str(&b.window_start, "%H:%M")
        .ok()
        .map(|t| t + chrono::Duration::minutes(i64::from(rules.window_minutes)))
        .map(|t| t.format("%H:%M").to_string())
        .unwrap_or_default();
    let ticket = match b.ticket_id {
        Some(id) => tickets::by_id(conn, id)?.map(|t| BookingTicket {
            code: t.code,
            url: hall.ticket_url(&t.token),
        }),
        None => None,
    };
    Ok(BookingView {
        code: b.code.clone(),
        code_display: booking::code_display(&b.code),
        service: b.service.clone(),
        service_name_vi: field.map(|f| f.name_vi.clone()).unwrap_or_default(),
        service_name_en: field.map(|f| f.name_en.clone()).unwrap_or_default(),
        day: b.local_day.clone(),
        window: WindowView {
            start: b.window_start.clone(),
            end,
        },
        appointment: local_hhmm(hall, b.appointment),
        appointment_at: b.appointment,
        check_in: CheckInSpan {
            from: local_hhmm(hall, from),
            until: local_hhmm(hall, until),
        },
        late_arrival: rules.late_arrival.as_str().to_owned(),
        status: b.status.as_str().to_owned(),
        ticket,
        url: hall.booking_url(&b.code),
        qr: format!("/api/bookings/{}/qr.svg", b.code),
    })
}

/// The keyed hash of a person (normalised by [`booking::normalise_person`]): the only trace
/// of them the hall keeps, and only for `keep_personal_days` after the booked day.
pub fn person_hash(conn: &rusqlite::Connection, person: &str) -> Result<String, Error> {
    let key = rows::person_key(conn)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(Error::internal)?;
    mac.update(person.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// How many places a field's windows offer on average, from the hall's plan (see
/// [`booking::rate`]); 0 when the field takes no bookings.
pub fn rate(hall: &Hall, service: &ServiceCode) -> f64 {
    let rules = &hall.bookings;
    let (Some(field), Some(def)) = (rules.field(service), hall.service(service)) else {
        return 0.0;
    };
    let counters: Vec<usize> = hall
        .counters
        .iter()
        .filter(|c| c.services.contains(service))
        .map(|c| c.services.len())
        .collect();
    booking::rate(
        rules.window_minutes,
        &counters,
        field.walk_in_percent,
        def.service_minutes,
    )
}

/// Whether a field takes bookings at all (some window of a day has a place).
pub fn takes_bookings(hall: &Hall, service: &ServiceCode) -> bool {
    hall.bookings.enabled && booking::most_places(rate(hall, service)) > 0
}

/// What a citizen or an issuer asks to book, checked at the edge.
#[derive(Debug, Clone)]
pub struct Request {
    pub service: ServiceCode,
    pub day: NaiveDate,
    pub window: NaiveTime,
    /// Normalised ([`booking::normalise_person`]); required on the hall's page.
    pub person: Option<String>,
    /// `page`, or `issuer:<name>`.
    pub source: String,
    /// The issuer's own id of the booking (it is booked once).
    pub issuer_ref: Option<String>,
}

fn refused(code: &'static str, message: impl Into<String>) -> Error {
    Refusal::other(code, message).into()
}

fn bookable<'r>(hall: &'r Hall, service: &ServiceCode) -> Result<&'r BookingRules, Error> {
    if hall.service(service).is_none() {
        return Err(Error::invalid(
            "unknown_service",
            format!("no field has the code {service}"),
        ));
    }
    let rules = &hall.bookings;
    if !rules.enabled {
        return Err(refused("bookings_off", "this hall takes no bookings"));
    }
    if rules.field(service).is_none() || !takes_bookings(hall, service) {
        return Err(refused(
            "field_not_bookable",
            format!("field {service} takes no bookings"),
        ));
    }
    Ok(rules)
}

/// Book a place: the first free place of the window, if the day and window are open, the
/// person holds fewer than the day's limit, and (for an issuer) its id was not booked
/// before. The flag says whether the booking is new (an issuer's retry gets its booking).
pub fn book(ctx: &mut Ctx<'_, '_>, req: Request) -> Result<(BookingRow, bool), Error> {
    if let Some(issuer_ref) = &req.issuer_ref
        && let Some(found) = rows::by_issuer_ref(ctx.conn(), &req.source, issuer_ref)?
    {
        let same = found.service == req.service
            && found.local_day == req.day.to_string()
            && found.window_start == req.window.format("%H:%M").to_string();
        return if same {
            Ok((found, false))
        } else {
            Err(refused(
                "issuer_ref_reused",
                "this booking id was used for another place",
            ))
        };
    }
    let hall = ctx.hall();
    let rules = bookable(hall, &req.service)?;
    let now = millis(ctx.now());
    let today = ctx.today();
    if !rules.days(today).contains(&req.day) {
        return Err(refused(
            "day_out_of_range",
            format!(
                "bookings are taken for today and the next {} days",
                rules.days_ahead
            ),
        ));
    }
    if let Some(closure) = rules.closure(req.day) {
        return Err(refused(
            "day_closed",
            format!("{} is closed: {}", req.day, closure.en),
        ));
    }
    // The day is open (above): its windows are a working day's.
    let windows = rules.working_day(req.day);
    let index = windows
        .iter()
        .position(|w| w.start == req.window)
        .ok_or_else(|| Error::invalid("bad_window", "no window starts at that time"))?;
    let window = windows[index];
    if millis(booking::instant(hall.tz, req.day, window.start)) <= now {
        return Err(refused("window_past", "that window has begun"));
    }
    let day = req.day.to_string();
    let window_start = req.window.format("%H:%M").to_string();
    let release = now - i64::from(rules.release_delay_minutes) * 60_000;
    let held = rows::held(ctx.conn(), &req.service, &day, release)?;
    let taken = held.get(&window_start).map(Vec::as_slice).unwrap_or(&[]);
    let places = booking::places_in(rate(hall, &req.service), index);
    let slot = (0..places)
        .find(|s| !taken.contains(s))
        .ok_or_else(|| refused("window_full", "every place of that window is taken"))?;
    let hash = match &req.person {
        Some(person) => {
            let hash = person_hash(ctx.conn(), person)?;
            if rows::held_by_person(ctx.conn(), &hash, &day)? >= rules.per_person_per_day {
                return Err(refused(
                    "person_limit",
                    format!(
                        "one person may hold {} bookings a day",
                        rules.per_person_per_day
                    ),
                ));
            }
            Some(hash)
        }
        None => None,
    };
    let appointment = millis(booking::instant(
        hall.tz,
        req.day,
        booking::appointment(window, rules.window_minutes, slot, places),
    ));
    let code = new_code(ctx.conn())?;
    let row = rows::insert(
        ctx.conn(),
        &NewBooking {
            code: &code,
            service: &req.service,
            day: &day,
            window_start: &window_start,
            slot,
            appointment,
            person_hash: hash.as_deref(),
            source: &req.source,
            issuer_ref: req.issuer_ref.as_deref(),
            at: now,
        },
    )?;
    let made = Event::BookingMade {
        booking: reference(&row),
        source: req.source,
    };
    record(ctx, made, &row)?;
    Ok((row, true))
}

/// A fresh booking code (40 random bits), not used before.
fn new_code(conn: &rusqlite::Connection) -> Result<String, Error> {
    for _ in 0..8 {
        let mut bytes = [0u8; 5];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let code = booking::code_from(bytes);
        if !rows::code_taken(conn, &code)? {
            return Ok(code);
        }
    }
    Err(Error::internal("no free booking code after 8 draws"))
}

fn reference(b: &BookingRow) -> BookingRef {
    BookingRef {
        booking: b.id,
        day: b.local_day.clone(),
        window: b.window_start.clone(),
        appointment: b.appointment,
    }
}

/// Append a booking's event (its field, no ticket) to the log.
fn record(ctx: &Ctx<'_, '_>, event: Event, b: &BookingRow) -> Result<Logged, Error> {
    let mut logged = Logged {
        seq: 0,
        at: millis(ctx.now()),
        ticket: None,
        service: Some(b.service.to_string()),
        counter: None,
        user: None,
        event,
    };
    logged.seq = events::append(ctx.conn(), ctx.hall().tz, &logged)?;
    Ok(logged)
}

/// Cancel a booking still awaited: its place is free again after the release delay.
pub fn cancel(ctx: &mut Ctx<'_, '_>, b: BookingRow) -> Result<BookingRow, Error> {
    if b.status == BookingStatus::Cancelled {
        return Ok(b);
    }
    let now = millis(ctx.now());
    if b.status != BookingStatus::Booked
        || !rows::end(ctx.conn(), b.id, BookingStatus::Cancelled, now, None)?
    {
        return Err(refused(
            "booking_not_cancellable",
            format!("a booking {} cannot be cancelled", b.status.as_str()),
        ));
    }
    record(
        ctx,
        Event::BookingCancelled {
            booking: reference(&b),
        },
        &b,
    )?;
    rows::by_id(ctx.conn(), b.id)?.ok_or(Error::Internal)
}

/// How a booking is found at check-in.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// Its code (typed, or read from its QR).
    Code(String),
    /// The person, normalised: today's first booking of theirs still awaited whose
    /// check-in has opened (or else the first).
    Person(String),
}

/// What a check-in gave.
pub enum CheckedIn {
    /// A number: booked (`walk_in` false) or, for a late arrival, an ordinary one. `new`
    /// is false when the booking had its ticket already (a retry: nothing to print).
    Ticket {
        booking: BookingRow,
        issued: Box<Issued>,
        walk_in: bool,
        new: bool,
    },
    /// Late, and the hall refuses late bookings: recorded, no number.
    LateRefused { booking: BookingRow },
}

/// Find the booking a check-in names.
pub fn find(ctx: &Ctx<'_, '_>, lookup: &Lookup) -> Result<BookingRow, Error> {
    let not_found = || Error::not_found("booking_not_found", "no such booking");
    match lookup {
        Lookup::Code(code) => rows::by_code(ctx.conn(), code)?.ok_or_else(not_found),
        Lookup::Person(person) => {
            let hash = person_hash(ctx.conn(), person)?;
            let today = ctx.today().to_string();
            let awaited = rows::awaited_for_person(ctx.conn(), &hash, &today)?;
            let now = millis(ctx.now());
            let rules = &ctx.hall().bookings;
            awaited
                .iter()
                .find(|b| !matches!(rules.arrival(b.appointment, now), Arrival::TooEarly { .. }))
                .or(awaited.first())
                .cloned()
                .ok_or_else(not_found)
        }
    }
}

/// Check a booking in: within its span, a number of the booked series queued at its
/// appointment; after it, a walk-in number or a refusal (per the hall's setting); before
/// it, refused with the time check-in opens. A booking checked in already answers with its
/// ticket again.
pub fn check_in(
    ctx: &mut Ctx<'_, '_>,
    lookup: &Lookup,
    origin: Origin,
    request_id: Option<&str>,
) -> Result<CheckedIn, Error> {
    let b = find(ctx, lookup)?;
    if let (Some(ticket), BookingStatus::CheckedIn | BookingStatus::Late) = (b.ticket_id, b.status)
    {
        let row = tickets::by_id(ctx.conn(), ticket)?.ok_or(Error::Internal)?;
        let issued = Issued {
            ticket: super::views::ticket_view(ctx.conn(), ctx.hall(), &row)?,
            url: ctx.hall().ticket_url(&row.token),
            token: row.token,
        };
        return Ok(CheckedIn::Ticket {
            walk_in: b.status == BookingStatus::Late,
            booking: b,
            issued: Box::new(issued),
            new: false,
        });
    }
    match b.status {
        BookingStatus::Cancelled => {
            return Err(refused("booking_cancelled", "this booking was cancelled"));
        }
        BookingStatus::Late => {
            return Err(refused(
                "booking_late_refused",
                "this booking came after its check-in closed",
            ));
        }
        BookingStatus::Booked | BookingStatus::NoShow | BookingStatus::CheckedIn => {}
    }
    if b.local_day != ctx.today().to_string() {
        return Err(refused(
            "booking_not_today",
            format!("this booking is for {}", b.local_day),
        ));
    }
    let now = millis(ctx.now());
    let rules = ctx.hall().bookings.clone();
    let arrival = match b.status {
        BookingStatus::NoShow => Arrival::Late,
        _ => rules.arrival(b.appointment, now),
    };
    let offset_ms = now - b.appointment;
    match arrival {
        Arrival::TooEarly { from } => Err(refused(
            "booking_too_early",
            format!(
                "check-in for this booking opens at {}",
                local_hhmm(ctx.hall(), from)
            ),
        )),
        Arrival::OnTime => {
            record(
                ctx,
                Event::BookingCheckedIn {
                    booking: reference(&b),
                    offset_ms,
                },
                &b,
            )?;
            let through = Through::Booking {
                appointment: b.appointment,
            };
            let (issued, _) =
                queue::issue_through(ctx, &b.service, Priority::None, origin, request_id, through)?;
            rows::end(
                ctx.conn(),
                b.id,
                BookingStatus::CheckedIn,
                now,
                Some(issued.ticket.id),
            )?;
            let booking = rows::by_id(ctx.conn(), b.id)?.ok_or(Error::Internal)?;
            Ok(CheckedIn::Ticket {
                booking,
                issued: Box::new(issued),
                walk_in: false,
                new: true,
            })
        }
        Arrival::Late => {
            let walk_in = rules.late_arrival == LateArrival::WalkIn;
            record(
                ctx,
                Event::BookingLate {
                    booking: reference(&b),
                    offset_ms,
                    walk_in,
                },
                &b,
            )?;
            if !walk_in {
                rows::end(ctx.conn(), b.id, BookingStatus::Late, now, None)?;
                let booking = rows::by_id(ctx.conn(), b.id)?.ok_or(Error::Internal)?;
                return Ok(CheckedIn::LateRefused { booking });
            }
            let (issued, _) = queue::issue_through(
                ctx,
                &b.service,
                Priority::None,
                origin,
                request_id,
                Through::LateBooking,
            )?;
            rows::end(
                ctx.conn(),
                b.id,
                BookingStatus::Late,
                now,
                Some(issued.ticket.id),
            )?;
            let booking = rows::by_id(ctx.conn(), b.id)?.ok_or(Error::Internal)?;
            Ok(CheckedIn::Ticket {
                booking,
                issued: Box::new(issued),
                walk_in: true,
                new: true,
            })
        }
    }
}

/// Before every batch: record the bookings whose check-in closed without them (one index
/// step when none is due). A no-show who comes later the same day is still taken as late.
pub fn sweep(ctx: &mut Ctx<'_, '_>) -> Result<(), Error> {
    let rules = &ctx.hall().bookings;
    if !rules.enabled {
        return Ok(());
    }
    let now = millis(ctx.now());
    let before = now - i64::from(rules.late_minutes) * 60_000;
    for b in rows::overdue(ctx.conn(), before)? {
        if rows::end(ctx.conn(), b.id, BookingStatus::NoShow, now, None)? {
            record(
                ctx,
                Event::BookingNoShow {
                    booking: reference(&b),
                },
                &b,
            )?;
        }
    }
    Ok(())
}

/// Once a day: forget the persons of bookings whose day is more than `keep_personal_days`
/// past (Decree 13/2023: kept no longer than needed).
pub fn forget_persons(ctx: &mut Ctx<'_, '_>) -> Result<usize, Error> {
    let keep = i64::from(ctx.hall().bookings.keep_personal_days);
    let Some(cutoff) = ctx.today().checked_sub_signed(chrono::Duration::days(keep)) else {
        return Ok(0);
    };
    Ok(rows::forget_persons_before(
        ctx.conn(),
        &cutoff.to_string(),
    )?)
}
