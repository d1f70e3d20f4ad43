//! Print jobs as staff see them: the day's tickets that did not print (or may not have),
//! and printing one again.

use super::*;
use crate::app::reprint;
use motcua_store::print_jobs;

/// A ticket's print job that did not print, or waits for its printer.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrintJobView {
    pub job: i64,
    /// The ticket's id (for `POST /api/tickets/{id}/reprint`) and code.
    pub ticket: i64,
    pub code: String,
    /// The kiosk whose printer it went to.
    pub kiosk: String,
    /// `queued`/`sent` (still to print: `reason` says why it waits, if it does) or `failed`.
    pub status: String,
    /// Why (one of the codes in the README's list); `print_uncertain` when a crash came
    /// between sending the ticket and the printer's confirmation.
    pub reason: Option<String>,
    /// When the job was made and last changed, in the hall's time zone.
    pub created_at: String,
    pub updated_at: String,
}

/// The day's print jobs that did not print.
#[derive(Debug, Serialize, ToSchema)]
pub struct PrintJobList {
    pub jobs: Vec<PrintJobView>,
}

/// Today's tickets whose latest print job did not print: failed, uncertain, or still
/// waiting for the printer, newest first (at most 200).
///
/// Who may call: any member of staff.
#[utoipa::path(
    get,
    path = "/api/print-jobs",
    tags = ["counter", "manager"],
    security(("session" = [])),
    responses(
        (status = 200, description = "the day's unprinted jobs", body = PrintJobList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device", body = ErrorBody),
    ),
)]
pub async fn unprinted_jobs(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    StaffUser(_user): StaffUser,
) -> Result<Json<PrintJobList>, AppError> {
    let tz = store.hall().tz;
    let now = clock.now().with_timezone(&tz);
    let midnight = now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(tz).earliest())
        .map(|t| millis(t.with_timezone(&chrono::Utc)))
        .unwrap_or_else(|| millis(clock.now()) - 86_400_000);
    let rows = store
        .read(move |conn| print_jobs::unprinted_since(conn, midnight, 200))
        .await?;
    let local = |ms: i64| {
        motcua_store::from_millis(ms)
            .with_timezone(&tz)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    };
    let jobs = rows
        .into_iter()
        .map(|r| PrintJobView {
            job: r.id,
            ticket: r.ticket_id,
            code: r.code,
            kiosk: r.kiosk,
            status: r.status,
            reason: r.reason,
            created_at: local(r.created_at),
            updated_at: local(r.updated_at),
        })
        .collect();
    Ok(Json(PrintJobList { jobs }))
}

/// What a reprint answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reprinted {
    pub ticket: i64,
    pub code: String,
    /// The new job: `sent`, `waiting` or `failed`; the result follows on the kiosk's feed
    /// and in `GET /api/print-jobs`.
    pub print: queue::PrintOutcome,
}

/// Print a ticket again at the kiosk that printed it first (its first copy did not
/// print, or may not have). Logged as a `reprinted` event with who asked.
///
/// Who may call: a clerk for a ticket at their counter or waiting in a field their
/// counter serves; managers and admins for any open ticket.
#[utoipa::path(
    post,
    path = "/api/tickets/{id}/reprint",
    tags = ["counter", "manager"],
    security(("session" = [])),
    params(("id" = i64, Path, description = "the ticket's id")),
    responses(
        (status = 200, description = "a new print job is on its way", body = Reprinted),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a device, or a clerk whose counter does not serve the ticket", body = ErrorBody),
        (status = 404, description = "`ticket_not_found`", body = ErrorBody),
        (status = 409, description = "`ticket_closed` (its visit is over), `not_from_a_kiosk` (it was never printed), `reprint_limit` (printed again 3 times already)", body = ErrorBody),
    ),
)]
#[tracing::instrument(skip_all, fields(ticket = %id, action = "reprint"))]
pub async fn reprint_ticket(
    State(app): State<App>,
    State(printing): State<Printing>,
    StaffUser(user): StaffUser,
    Path(id): Path<String>,
) -> Result<Json<Reprinted>, AppError> {
    let staff = staff(&user);
    let id = super::ticketing::ticket_id(&id)?;
    let again = app
        .run(move |ctx| reprint::reprint(ctx, id, &staff))
        .await?;
    let print = printing
        .dispatch(
            &app.store,
            again.kiosk_id,
            &again.kiosk_name,
            &again.job,
            &again.paper,
        )
        .await;
    Ok(Json(Reprinted {
        ticket: id,
        code: again.code,
        print,
    }))
}
