//! Bookings at the web edge: the public booking page's calls (the bookable fields, a field's
//! calendar, book, look, cancel, the QR), check-in at a kiosk or a counter, and the outside
//! issuers' signed calls. The rules and commands are `app::bookings`'.

use super::*;
use crate::app::bookings::{self, BookingView, CheckedIn, Lookup, Request};
use crate::http::booking_edge::BookingEdge;
use axum::http::HeaderMap;
use chrono::{Datelike, NaiveDate};
use motcua_domain::booking as rules;
use motcua_store::bookings as rows;
use motcua_web::protocol;

/// Signed requests from more than this far from the hall's clock are refused.
const MAX_SKEW_MS: i64 = 5 * 60_000;

/// A field that takes bookings.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookableField {
    pub code: ServiceCode,
    pub name_vi: String,
    pub name_en: String,
}

/// What the booking page starts from.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingFields {
    pub enabled: bool,
    /// Walk-in numbers at the kiosk only for the priority categories.
    pub online_only: bool,
    pub fields: Vec<BookableField>,
}

/// The fields that take bookings.
///
/// Who may call: anyone (the booking page).
#[utoipa::path(
    get,
    path = "/api/bookings/fields",
    tag = "booking",
    responses((status = 200, description = "the bookable fields", body = BookingFields)),
)]
pub async fn booking_fields(State(app): State<App>) -> Json<BookingFields> {
    let hall = &app.hall();
    let enabled = hall.bookings.enabled;
    let fields = hall
        .services
        .iter()
        .filter(|s| bookings::takes_bookings(hall, &s.code))
        .map(|s| BookableField {
            code: s.code.clone(),
            name_vi: s.name_vi.clone(),
            name_en: s.name_en.clone(),
        })
        .collect();
    Json(BookingFields {
        enabled,
        online_only: enabled && hall.bookings.online_only,
        fields,
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// The field's code.
    service: String,
}

/// The rules a citizen books under.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingRulesView {
    pub days_ahead: u32,
    pub per_person_per_day: u32,
    pub early_minutes: u32,
    pub late_minutes: u32,
    /// `walk_in` or `refuse`.
    pub late_arrival: String,
    pub release_delay_minutes: u32,
    pub keep_personal_days: u32,
}

/// Why a day is closed, in both languages.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosureView {
    pub vi: String,
    pub en: String,
}

/// A window of a day and its places.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowPlaces {
    pub start: String,
    pub end: String,
    pub places: u32,
    pub free: u32,
    /// False once the window has begun: it cannot be booked.
    pub open: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarDay {
    /// `YYYY-MM-DD`
    pub day: String,
    /// ISO: Monday 1 .. Sunday 7.
    pub weekday: u32,
    pub closed: Option<ClosureView>,
    pub windows: Vec<WindowPlaces>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Calendar {
    pub service: ServiceCode,
    pub service_name_vi: String,
    pub service_name_en: String,
    pub rules: BookingRulesView,
    pub days: Vec<CalendarDay>,
}

/// A field's days (today and the next `days_ahead`) with their windows and free places.
///
/// Who may call: anyone (the booking page).
#[utoipa::path(
    get,
    path = "/api/bookings/calendar",
    tag = "booking",
    params(CalendarQuery),
    responses(
        (status = 200, description = "the field's calendar", body = Calendar),
        (status = 409, description = "`bookings_off`, `field_not_bookable`", body = ErrorBody),
        (status = 422, description = "`unknown_service`", body = ErrorBody),
    ),
)]
pub async fn booking_calendar(
    State(app): State<App>,
    State(clock): State<Arc<dyn Clock>>,
    Query(q): Query<CalendarQuery>,
) -> Result<Json<Calendar>, AppError> {
    let service = service_code(&app.hall(), &q.service)?;
    let hall = app.hall();
    let r = &hall.bookings;
    if !r.enabled {
        return Err(Error::refused("bookings_off", "this hall takes no bookings").into());
    }
    let rate = bookings::rate(&hall, &service);
    if !bookings::takes_bookings(&hall, &service) {
        return Err(Error::refused(
            "field_not_bookable",
            format!("field {service} takes no bookings"),
        )
        .into());
    }
    let now = clock.now();
    let now_ms = millis(now);
    let today = motcua_domain::numbering::local_day(now, hall.tz);
    let release = now_ms - i64::from(r.release_delay_minutes) * 60_000;
    let days = r.days(today);
    let (read_service, read_days) = (service.clone(), days.clone());
    let held = app
        .store
        .read(move |conn| {
            read_days
                .iter()
                .map(|d| rows::held(conn, &read_service, &d.to_string(), release))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let days = days
        .into_iter()
        .zip(held)
        .map(|(day, held)| {
            let closure = r.closure(day);
            let open_windows = if closure.is_some() {
                Vec::new()
            } else {
                r.working_day(day)
            };
            let closed = closure.map(|c| ClosureView {
                vi: c.vi.to_owned(),
                en: c.en.to_owned(),
            });
            let windows = open_windows
                .into_iter()
                .enumerate()
                .map(|(index, w)| {
                    let places = rules::places_in(rate, index);
                    let start = w.start.format("%H:%M").to_string();
                    let taken = held.get(&start).map_or(0, |s| s.len() as u32);
                    WindowPlaces {
                        end: w.end.format("%H:%M").to_string(),
                        places,
                        free: places.saturating_sub(taken),
                        open: millis(rules::instant(hall.tz, day, w.start)) > now_ms,
                        start,
                    }
                })
                // A window the plan gives no place (a field with a fraction of a place a
                // window has some of them) is not listed: it was never bookable.
                .filter(|w| w.places > 0)
                .collect();
            CalendarDay {
                day: day.to_string(),
                weekday: day.weekday().number_from_monday(),
                closed,
                windows,
            }
        })
        .collect();
    let field = hall.service(&service);
    Ok(Json(Calendar {
        service_name_vi: field.map(|f| f.name_vi.clone()).unwrap_or_default(),
        service_name_en: field.map(|f| f.name_en.clone()).unwrap_or_default(),
        service,
        rules: BookingRulesView {
            days_ahead: r.days_ahead,
            per_person_per_day: r.per_person_per_day,
            early_minutes: r.early_minutes,
            late_minutes: r.late_minutes,
            late_arrival: r.late_arrival.as_str().to_owned(),
            release_delay_minutes: r.release_delay_minutes,
            keep_personal_days: r.keep_personal_days,
        },
        days,
    }))
}

/// A place asked for on the booking page.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookRequest {
    /// The field's code.
    service: String,
    /// `YYYY-MM-DD`
    day: String,
    /// The window's start, `HH:MM`.
    window: String,
    /// A phone number or the 12-digit number of the chip ID card (CCCD): only its keyed
    /// hash is kept, for the per-person limit, and deleted after the visit.
    person: String,
    /// The citizen agreed to that (Decree 13/2023).
    consent: bool,
}

fn parse_day(s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| AppError::invalid("bad_day", "a day is YYYY-MM-DD"))
}

fn parse_window(s: &str) -> Result<chrono::NaiveTime, AppError> {
    chrono::NaiveTime::parse_from_str(s, "%H:%M")
        .map_err(|_| AppError::invalid("bad_window", "a window is HH:MM"))
}

fn person(s: &str) -> Result<String, AppError> {
    rules::normalise_person(s).ok_or_else(|| {
        AppError::invalid(
            "bad_person",
            "give a phone number (10 digits) or the 12-digit ID card number",
        )
    })
}

async fn booking_view(app: &App, row: rows::BookingRow) -> Result<BookingView, AppError> {
    let hall = app.hall();
    Ok(app
        .store
        .read(move |conn| bookings::view(conn, &hall, &row))
        .await?)
}

/// Book a place in a window. One person (by phone or ID card number) holds at most
/// `per_person_per_day` bookings a day; one address may try `attempts_per_minute` times a
/// minute.
///
/// Who may call: anyone (the booking page).
#[utoipa::path(
    post,
    path = "/api/bookings",
    tag = "booking",
    request_body = BookRequest,
    responses(
        (status = 201, description = "the booking", body = BookingView),
        (status = 409, description = "`window_full`, `person_limit`, `day_closed`, `day_out_of_range`, `window_past`, `field_not_bookable`, `bookings_off`", body = ErrorBody),
        (status = 422, description = "`consent_required`, `bad_person`, `bad_day`, `bad_window`, `unknown_service`", body = ErrorBody),
        (status = 429, description = "`booking_rate_exceeded`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(service = %req.service))]
pub async fn make_booking(
    State(app): State<App>,
    State(edge): State<BookingEdge>,
    ClientAddr(addr): ClientAddr,
    Body(req): Body<BookRequest>,
) -> Result<Response, AppError> {
    let service = service_code(&app.hall(), &req.service)?;
    let day = parse_day(&req.day)?;
    let window = parse_window(&req.window)?;
    let person = person(&req.person)?;
    if !req.consent {
        return Err(AppError::invalid(
            "consent_required",
            "agree to the keeping of the number's hash to book",
        ));
    }
    edge.attempt(addr)?;
    let request = Request {
        service,
        day,
        window,
        person: Some(person),
        source: "page".into(),
        issuer_ref: None,
    };
    let (row, _) = app.run(move |ctx| bookings::book(ctx, request)).await?;
    let view = booking_view(&app, row).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

fn booking_code(code: &str) -> Result<String, AppError> {
    rules::parse_code(code)
        .ok_or_else(|| AppError::not_found("booking_not_found", "no such booking"))
}

/// The booking of a code. A miss counts against the address's booking attempts: codes
/// cannot be tried at the speed of the network (a code is its holder's key), while the
/// holder's own page, which always finds its booking, is never slowed.
async fn by_code(
    app: &App,
    edge: &BookingEdge,
    addr: std::net::IpAddr,
    code: &str,
) -> Result<rows::BookingRow, AppError> {
    let found = match rules::parse_code(code) {
        Some(code) => {
            app.store
                .read(move |conn| rows::by_code(conn, &code))
                .await?
        }
        None => None,
    };
    match found {
        Some(row) => Ok(row),
        None => {
            edge.attempt(addr)?;
            Err(AppError::not_found("booking_not_found", "no such booking"))
        }
    }
}

/// A booking, as its holder sees it.
///
/// Who may call: anyone with the booking's code.
#[utoipa::path(
    get,
    path = "/api/bookings/{code}",
    tag = "booking",
    params(("code" = String, Path, description = "the booking's code (any case; dashes ignored)")),
    responses(
        (status = 200, description = "the booking", body = BookingView),
        (status = 404, description = "`booking_not_found`", body = ErrorBody),
        (status = 429, description = "`booking_rate_exceeded`: too many codes tried from this address", body = ErrorBody),
    ),
)]
pub async fn booking_status(
    State(app): State<App>,
    State(edge): State<BookingEdge>,
    ClientAddr(addr): ClientAddr,
    Path(code): Path<String>,
) -> Result<Json<BookingView>, AppError> {
    let row = by_code(&app, &edge, addr, &code).await?;
    Ok(Json(booking_view(&app, row).await?))
}

/// Cancel a booking still awaited; its place is free again after the release delay.
///
/// Who may call: anyone with the booking's code.
#[utoipa::path(
    post,
    path = "/api/bookings/{code}/cancel",
    tag = "booking",
    params(("code" = String, Path, description = "the booking's code")),
    responses(
        (status = 200, description = "the booking, cancelled", body = BookingView),
        (status = 404, description = "`booking_not_found`", body = ErrorBody),
        (status = 409, description = "`booking_not_cancellable`: checked in or past", body = ErrorBody),
        (status = 429, description = "`booking_rate_exceeded`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn cancel_booking(
    State(app): State<App>,
    State(edge): State<BookingEdge>,
    ClientAddr(addr): ClientAddr,
    Path(code): Path<String>,
) -> Result<Json<BookingView>, AppError> {
    let code = booking_code(&code)?;
    edge.attempt(addr)?;
    let row = app
        .run(move |ctx| {
            let found = rows::by_code(ctx.conn(), &code)?
                .ok_or_else(|| Error::not_found("booking_not_found", "no such booking"))?;
            bookings::cancel(ctx, found)
        })
        .await?;
    Ok(Json(booking_view(&app, row).await?))
}

/// The booking's QR code (its page's address), as SVG.
///
/// Who may call: anyone with the booking's code.
#[utoipa::path(
    get,
    path = "/api/bookings/{code}/qr.svg",
    tag = "booking",
    params(("code" = String, Path, description = "the booking's code")),
    responses(
        (status = 200, description = "the QR code", body = String, content_type = "image/svg+xml"),
        (status = 404, description = "`booking_not_found`", body = ErrorBody),
        (status = 429, description = "`booking_rate_exceeded`: too many codes tried from this address", body = ErrorBody),
    ),
)]
pub async fn booking_qr(
    State(app): State<App>,
    State(edge): State<BookingEdge>,
    ClientAddr(addr): ClientAddr,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let row = by_code(&app, &edge, addr, &code).await?;
    let url = app.hall().booking_url(&row.code);
    let qr = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(AppError::internal)?;
    let svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build();
    Ok(([(axum::http::header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}

/// A check-in: the booking's code (typed, or its QR as scanned: the whole address will do)
/// or the number of the chip ID card the booking was made with.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    #[serde(default)]
    code: Option<String>,
    /// The 12-digit ID card number (the kiosk reads it from the card's QR and sends only it).
    #[serde(default)]
    person: Option<String>,
    /// As for `POST /api/tickets`: the same id never issues a second ticket.
    #[serde(default)]
    request_id: Option<String>,
}

/// What a check-in gave: the booking, and its ticket as `POST /api/tickets` answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInAnswer {
    /// `checked_in` (a booked number, called by its appointment) or `walk_in` (came after
    /// the late window: an ordinary number at the back of the queue).
    pub outcome: &'static str,
    pub booking: BookingView,
    #[serde(flatten)]
    pub ticket: IssuedTicket,
}

/// Check a booking in, at a kiosk (its ticket is printed) or a counter: within its span
/// (from `early_minutes` before the appointment to `late_minutes` after), a number of the
/// field's booked series, queued at the appointment; later, an ordinary number or a
/// refusal, as the hall decides. Counts against the kiosk's or clerk's ticket allowance.
///
/// Who may call: a kiosk or any member of staff.
#[utoipa::path(
    post,
    path = "/api/check-in",
    tag = "kiosk",
    security(("device" = []), ("session" = [])),
    request_body = CheckInRequest,
    responses(
        (status = 201, description = "checked in: the booking and its ticket", body = CheckInAnswer),
        (status = 200, description = "checked in before: the same ticket, nothing printed again", body = CheckInAnswer),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`booking_not_found`", body = ErrorBody),
        (status = 409, description = "`booking_too_early` (its message ends with the local time check-in opens, `HH:MM`), `booking_late_refused`, `booking_cancelled`, `booking_not_today`", body = ErrorBody),
        (status = 422, description = "`bad_code`, `bad_person`, `bad_request_id`", body = ErrorBody),
        (status = 429, description = "`issue_rate_exceeded`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn check_in(
    State(app): State<App>,
    State(printing): State<Printing>,
    State(limits): State<IssuingLimits>,
    issuer: Issuer,
    Body(req): Body<CheckInRequest>,
) -> Result<Response, AppError> {
    let lookup = match (req.code, req.person) {
        (Some(code), None) => Lookup::Code(rules::parse_code(&code).ok_or_else(|| {
            AppError::invalid("bad_code", "a booking code is 8 letters and digits")
        })?),
        (None, Some(p)) => Lookup::Person(
            rules::normalise_person(&p)
                .filter(|p| p.starts_with("cccd:") || p.starts_with("phone:"))
                .ok_or_else(|| AppError::invalid("bad_person", "an ID card number is 12 digits"))?,
        ),
        _ => {
            return Err(AppError::invalid(
                "bad_code",
                "give the booking's code or the ID card number, one of them",
            ));
        }
    };
    let request_id = request_id(req.request_id)?;
    let allowed =
        within_allowance(&app, &limits, &issuer, Priority::None, request_id.clone()).await?;
    let origin = queue::Origin {
        by: issuer.issued_by,
        device: issuer.kiosk.as_ref().map(|k| k.id),
        user: issuer.staff.as_ref().map(|u| u.id),
    };
    let kiosk = issuer.kiosk.as_ref().map(|k| (k.id, k.name.clone()));
    let footer = printing.footer().to_owned();
    let kiosk_id = kiosk.as_ref().map(|k| k.0);
    let outcome = app
        .run(move |ctx| {
            let checked = bookings::check_in(ctx, &lookup, origin, request_id.as_deref())?;
            // A kiosk's new ticket gets its print job in the same transaction.
            let job = match (&checked, kiosk_id) {
                (
                    CheckedIn::Ticket {
                        issued, new: true, ..
                    },
                    Some(kiosk),
                ) => Some(queue::print_job(ctx, issued, kiosk, &footer)?),
                _ => None,
            };
            Ok((checked, job))
        })
        .await;
    let (checked, job) = settle(allowed, outcome, |(c, _)| {
        matches!(c, CheckedIn::Ticket { new: true, .. })
    })?;
    let (booking, issued, walk_in, new) = match checked {
        CheckedIn::Ticket {
            booking,
            issued,
            walk_in,
            new,
        } => (booking, issued, walk_in, new),
        CheckedIn::LateRefused { .. } => {
            return Err(Error::refused(
                "booking_late_refused",
                "this booking came after its check-in closed; the hall does not take late bookings",
            )
            .into());
        }
    };
    let print = match (job, &kiosk) {
        (Some((paper, job)), Some((id, name))) => {
            Some(printing.dispatch(&app.store, *id, name, &job, &paper).await)
        }
        _ => None,
    };
    let answer = CheckInAnswer {
        outcome: if walk_in { "walk_in" } else { "checked_in" },
        booking: booking_view(&app, booking).await?,
        ticket: IssuedTicket {
            issued: *issued,
            print,
        },
    };
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(answer)).into_response())
}

/// A place booked by an outside issuer (the city's app), under its own id.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssuerBookRequest {
    /// The issuer's id of the booking: booked once, whatever the retries.
    issuer_ref: String,
    service: String,
    day: String,
    window: String,
    /// The citizen's phone or ID card number, if the issuer has it (the per-person limit
    /// holds across the page and the issuers).
    #[serde(default)]
    person: Option<String>,
}

/// Check an issuer's signature (the city uplink's scheme, the issuer's name in place of
/// the hall's) and its clock; answer its name.
fn signed_by<'a>(
    edge: &BookingEdge,
    headers: &'a HeaderMap,
    body: &[u8],
) -> Result<&'a str, AppError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let name = header(ISSUER_HEADER)
        .ok_or_else(|| AppError::rejected("unknown_issuer", "name the issuer (x-motcua-issuer)"))?;
    let secret = edge
        .issuer_secret(name)
        .ok_or_else(|| AppError::rejected("unknown_issuer", "no such issuer"))?;
    let timestamp: i64 = header(protocol::TIMESTAMP_HEADER)
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| {
            AppError::rejected(
                "stale_timestamp",
                "the timestamp is milliseconds since the epoch",
            )
        })?;
    let signature = header(protocol::SIGNATURE_HEADER).unwrap_or_default();
    if !protocol::verify(secret, name, timestamp, body, signature) {
        return Err(AppError::rejected(
            "bad_signature",
            "the signature does not hold",
        ));
    }
    if (edge.now_ms() - timestamp).abs() > MAX_SKEW_MS {
        return Err(AppError::rejected(
            "stale_timestamp",
            "the request's time is more than 5 minutes from the hall's",
        ));
    }
    Ok(name)
}

/// The header that names an outside issuer.
pub const ISSUER_HEADER: &str = "x-motcua-issuer";

fn issuer_ref(s: &str) -> Result<String, AppError> {
    let ok = (1..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    if ok {
        Ok(s.to_owned())
    } else {
        Err(AppError::invalid(
            "bad_issuer_ref",
            "an issuer's booking id is 1 to 64 letters, digits, - _ . or :",
        ))
    }
}

/// Book a place for an outside issuer, once per `issuer_ref`: a retry (or a replay) of the
/// same request answers with the same booking. Signed: `x-motcua-issuer`,
/// `x-motcua-timestamp` (ms, within 5 minutes of the hall's clock), `x-motcua-signature`
/// (hex HMAC-SHA256 of `"<issuer>\n<timestamp>\n"` and the body, with the issuer's secret).
///
/// Who may call: a configured issuer, with its signature.
#[utoipa::path(
    post,
    path = "/api/issuers/bookings",
    tag = "booking",
    security(("issuer" = [])),
    params(
        ("x-motcua-issuer" = String, Header, description = "the issuer's name"),
        ("x-motcua-timestamp" = i64, Header, description = "milliseconds since the epoch"),
        ("x-motcua-signature" = String, Header, description = "hex HMAC-SHA256 of issuer, timestamp and body"),
    ),
    request_body = IssuerBookRequest,
    responses(
        (status = 201, description = "booked", body = BookingView),
        (status = 200, description = "booked before under this id: the same booking", body = BookingView),
        (status = 401, description = "`unknown_issuer`, `bad_signature`, `stale_timestamp`", body = ErrorBody),
        (status = 409, description = "`issuer_ref_reused`, `window_full`, `person_limit`, `day_closed`, ...", body = ErrorBody),
        (status = 422, description = "`invalid_body`, `bad_day`, `bad_window`, `bad_person`, `bad_issuer_ref`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn issuer_book(
    State(app): State<App>,
    State(edge): State<BookingEdge>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let name = signed_by(&edge, &headers, &body)?;
    let req: IssuerBookRequest = serde_json::from_slice(&body)
        .map_err(|e| AppError::invalid("invalid_body", e.to_string()))?;
    let request = Request {
        service: service_code(&app.hall(), &req.service)?,
        day: parse_day(&req.day)?,
        window: parse_window(&req.window)?,
        person: req.person.as_deref().map(person).transpose()?,
        source: format!("issuer:{name}"),
        issuer_ref: Some(issuer_ref(&req.issuer_ref)?),
    };
    let (row, new) = app.run(move |ctx| bookings::book(ctx, request)).await?;
    let view = booking_view(&app, row).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)).into_response())
}

/// Cancel an issuer's booking by its id (signed as for booking; the body is `{}`).
///
/// Who may call: the issuer that made it, with its signature.
#[utoipa::path(
    post,
    path = "/api/issuers/bookings/{issuer_ref}/cancel",
    tag = "booking",
    security(("issuer" = [])),
    params(
        ("issuer_ref" = String, Path, description = "the issuer's id of the booking"),
        ("x-motcua-issuer" = String, Header, description = "the issuer's name"),
        ("x-motcua-timestamp" = i64, Header, description = "milliseconds since the epoch"),
        ("x-motcua-signature" = String, Header, description = "hex HMAC-SHA256 of issuer, timestamp and body"),
    ),
    responses(
        (status = 200, description = "cancelled (or was already)", body = BookingView),
        (status = 401, description = "`unknown_issuer`, `bad_signature`, `stale_timestamp`", body = ErrorBody),
        (status = 404, description = "`booking_not_found`", body = ErrorBody),
        (status = 409, description = "`booking_not_cancellable`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn issuer_cancel(
    State(app): State<App>,
    State(edge): State<BookingEdge>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<BookingView>, AppError> {
    let name = signed_by(&edge, &headers, &body)?;
    let reference = issuer_ref(&reference)?;
    let source = format!("issuer:{name}");
    let row = app
        .run(move |ctx| {
            let found = rows::by_issuer_ref(ctx.conn(), &source, &reference)?
                .ok_or_else(|| Error::not_found("booking_not_found", "no such booking"))?;
            bookings::cancel(ctx, found)
        })
        .await?;
    Ok(Json(booking_view(&app, row).await?))
}
