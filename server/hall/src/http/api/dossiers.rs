//! Dossiers (hồ sơ) on tickets: the clerk attaches the codes of the dossiers handled at the
//! counter, and takes one typed wrong off; a kiosk (or staff) issues a result pick-up
//! ticket ("nhận kết quả") for a dossier's receipt. The codes are the hall's own: no public
//! view, feed or page shows them (`app::dossiers`).

use super::*;
use crate::app::dossiers::{self, DossierList, ResultRequest};
use motcua_domain::satisfaction::dossier;

/// A dossier's code, typed or read from its receipt's QR.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachBody {
    /// 1 to 40 of `A-Z 0-9 . - _ /` with a digit (kept in capitals), e.g.
    /// `000.00.16.H26-241204-0001` (required).
    code: Option<String>,
}

/// A dossier's code, checked into the form the hall keeps (or 422 `bad_dossier_code`).
fn dossier_code(code: Option<&str>) -> Result<String, AppError> {
    code.and_then(dossier::normalise).ok_or_else(|| {
        AppError::invalid(
            "bad_dossier_code",
            "a dossier code is 1 to 40 letters, digits, . - _ or /, with at least one digit",
        )
    })
}

/// A national procedure code (`1.004227`: a digit, a dot, six digits), or 422.
fn procedure_code(code: &str) -> Result<String, AppError> {
    let code = code.trim();
    let national = code.len() == 8
        && code.as_bytes()[1] == b'.'
        && code
            .bytes()
            .enumerate()
            .all(|(i, b)| i == 1 || b.is_ascii_digit());
    if national {
        Ok(code.to_owned())
    } else {
        Err(AppError::invalid(
            "bad_procedure_code",
            "a procedure code is the national one, like 1.004227",
        ))
    }
}

/// The dossiers on the ticket called to or served at the counter.
///
/// Who may call: the member of staff holding the counter.
#[utoipa::path(
    get,
    path = "/api/counters/{no}/dossiers",
    tag = "counter",
    security(("session" = [])),
    params(("no" = u16, Path, description = "the counter's number")),
    responses(
        (status = 200, description = "the ticket at the counter and its dossiers", body = DossierList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device, or not the counter's clerk", body = ErrorBody),
        (status = 404, description = "`counter_not_found`", body = ErrorBody),
        (status = 409, description = "`no_ticket_at_counter`", body = ErrorBody),
    ),
)]
pub async fn counter_dossiers(
    State(app): State<App>,
    StaffUser(user): StaffUser,
    Path(no): Path<String>,
) -> Result<Json<DossierList>, AppError> {
    let staff = staff(&user);
    let no = counter_no(&app.hall(), &no)?;
    let list = app
        .read(move |conn, _| dossiers::at_counter(conn, no, &staff))
        .await?;
    Ok(Json(list))
}

/// Attach a dossier to the ticket called to or served at the counter. The same code twice
/// changes nothing (200 with the list); a ticket carries at most 10.
///
/// Who may call: the member of staff holding the counter.
#[utoipa::path(
    post,
    path = "/api/counters/{no}/dossiers",
    tag = "counter",
    security(("session" = [])),
    params(("no" = u16, Path, description = "the counter's number")),
    request_body = AttachBody,
    responses(
        (status = 200, description = "the ticket's dossiers, this one among them", body = DossierList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device, or not the counter's clerk", body = ErrorBody),
        (status = 404, description = "`counter_not_found`", body = ErrorBody),
        (status = 409, description = "`no_ticket_at_counter`, `too_many_dossiers`", body = ErrorBody),
        (status = 422, description = "`bad_dossier_code`, `invalid_body`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(counter = %no, action = "attach-dossier"))]
pub async fn attach_dossier(
    State(app): State<App>,
    StaffUser(user): StaffUser,
    Path(no): Path<String>,
    Body(body): Body<AttachBody>,
) -> Result<Json<DossierList>, AppError> {
    let staff = staff(&user);
    let no = counter_no(&app.hall(), &no)?;
    let code = dossier_code(body.code.as_deref())?;
    let list = app
        .run(move |ctx| dossiers::attach(ctx, no, &staff, code))
        .await?;
    Ok(Json(list))
}

/// Take a dossier off the ticket at the counter (its code was typed wrong).
///
/// Who may call: the member of staff holding the counter.
#[utoipa::path(
    delete,
    path = "/api/counters/{no}/dossiers/{code}",
    tag = "counter",
    security(("session" = [])),
    params(
        ("no" = u16, Path, description = "the counter's number"),
        ("code" = String, Path, description = "the dossier's code"),
    ),
    responses(
        (status = 200, description = "the ticket's dossiers, without this one", body = DossierList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device, or not the counter's clerk", body = ErrorBody),
        (status = 404, description = "`counter_not_found`, `dossier_not_attached`", body = ErrorBody),
        (status = 409, description = "`no_ticket_at_counter`", body = ErrorBody),
        (status = 422, description = "`bad_dossier_code`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(counter = %no, action = "detach-dossier"))]
pub async fn detach_dossier(
    State(app): State<App>,
    StaffUser(user): StaffUser,
    Path((no, code)): Path<(String, String)>,
) -> Result<Json<DossierList>, AppError> {
    let staff = staff(&user);
    let no = counter_no(&app.hall(), &no)?;
    let code = dossier_code(Some(&code))?;
    let list = app
        .run(move |ctx| dossiers::detach(ctx, no, &staff, code))
        .await?;
    Ok(Json(list))
}

/// A result pick-up ticket asked for with a dossier's receipt.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultTicketRequest {
    /// The dossier's code from the receipt (required): 1 to 40 of `A-Z 0-9 . - _ /` with a
    /// digit.
    dossier: Option<String>,
    /// The national procedure code the receipt names, if it does (`1.004227`).
    #[serde(default)]
    procedure: Option<String>,
    /// The field's code, when the hall could not tell it (`choose_field`) and the citizen
    /// picked it.
    #[serde(default)]
    service: Option<String>,
    /// As for `POST /api/tickets`: the same id never issues a second ticket.
    #[serde(default)]
    request_id: Option<String>,
}

/// A citizen come back for a dossier's result: an ordinary ticket of the dossier's field,
/// marked "nhận kết quả" (printed, and said on the phone page), with the dossier attached.
/// The field: where this dossier was last attached in this hall; else the field whose
/// `procedures` setting lists `procedure`; else `service`; else 409 `choose_field` (the
/// kiosk asks the citizen and sends `service`). Counts against the kiosk's or clerk's
/// ticket allowance, as issuing does; issued even on an online-only day.
///
/// Who may call: a kiosk (its ticket is printed) or any member of staff.
#[utoipa::path(
    post,
    path = "/api/result-tickets",
    tag = "kiosk",
    security(("device" = []), ("session" = [])),
    request_body = ResultTicketRequest,
    responses(
        (status = 201, description = "the ticket, its token and status page", body = IssuedTicket),
        (status = 200, description = "asked before with this request id: the same ticket, nothing printed again", body = IssuedTicket),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a display or a printer", body = ErrorBody),
        (status = 409, description = "`choose_field`: say the field; `series_exhausted`, `request_id_reused`", body = ErrorBody),
        (status = 422, description = "`bad_dossier_code`, `bad_procedure_code`, `unknown_service`, `bad_request_id`, `invalid_body`", body = ErrorBody),
        (status = 429, description = "`issue_rate_exceeded`", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all)]
pub async fn result_ticket(
    State(app): State<App>,
    State(printing): State<Printing>,
    State(limits): State<IssuingLimits>,
    issuer: Issuer,
    Body(req): Body<ResultTicketRequest>,
) -> Result<Response, AppError> {
    let dossier = dossier_code(req.dossier.as_deref())?;
    let procedure = req.procedure.as_deref().map(procedure_code).transpose()?;
    let service = req
        .service
        .as_deref()
        .map(|s| service_code(&app.hall(), s))
        .transpose()?;
    let request_id = request_id(req.request_id)?;
    let pickup = ResultRequest {
        dossier,
        procedure,
        service,
        request_id: request_id.clone(),
    };
    let allowed = within_allowance(&app, &limits, &issuer, Priority::None, request_id).await?;
    let Some(kiosk) = issuer.kiosk else {
        let origin = queue::Origin {
            by: issuer.issued_by,
            device: None,
            user: issuer.staff.map(|u| u.id),
        };
        let issued = app
            .run(move |ctx| dossiers::issue_result(ctx, &pickup, origin))
            .await;
        let (issued, new) = settle(allowed, issued, |(_, new)| *new)?;
        let status = if new {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        let answer = IssuedTicket {
            issued,
            print: None,
        };
        return Ok((status, Json(answer)).into_response());
    };
    let (footer, kiosk_id) = (printing.footer().to_owned(), kiosk.id);
    let issued = app
        .run(move |ctx| dossiers::issue_result_at_kiosk(ctx, &pickup, kiosk_id, &footer))
        .await;
    let queue::KioskTicket { issued, paper, job } = settle(allowed, issued, |t| t.job.is_ok())?;
    let (status, print) = match job {
        Ok(job) => (
            StatusCode::CREATED,
            printing
                .dispatch(&app.store, kiosk.id, &kiosk.name, &job, &paper)
                .await,
        ),
        Err(known) => (StatusCode::OK, known),
    };
    let answer = IssuedTicket {
        issued,
        print: Some(print),
    };
    Ok((status, Json(answer)).into_response())
}
