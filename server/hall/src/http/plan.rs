//! The staffing planner over HTTP ("Kế hoạch quầy" on the dashboard): the days ahead, a
//! plan tried or saved for a day, the same as CSV and Excel, and the past days' predictions
//! beside what happened. Managers and admins.

use super::AppError;
use super::api::Manager;
use super::extract::{Body, Path, Query};
use super::stats::today;
use crate::planning::{
    self, CheckView, Context, Counters, DayPlan, MOST_CHECKED, MOST_DAYS, PlanBody, PlanView,
};
use crate::setup::Setup;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::{Duration, NaiveDate};
use motcua_domain::Error;
use motcua_store::clock::Clock;
use motcua_store::staffing_plans::{self, Saved};
use motcua_store::{Store, millis, stats as stored};
use motcua_web::ErrorBody;
use motcua_web::figures::{csv_download, xlsx_download};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use utoipa::{IntoParams, ToSchema};

/// Which days to plan.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// The first day, `YYYY-MM-DD` (today in the hall when left out).
    pub from: Option<String>,
    /// How many days (7 when left out, at most 14).
    pub days: Option<u32>,
}

/// Which past days to check.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    /// The last day, `YYYY-MM-DD` (yesterday when left out).
    pub to: Option<String>,
    /// How many days back from it (28 when left out, at most 56).
    pub days: Option<u32>,
}

/// A plan tried on a day, not saved.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TryBody {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Per hour, the counters, each the fields it serves: `[[["A"],["B","C"]], ...]`.
    #[schema(value_type = Vec<Vec<Vec<String>>>)]
    pub counters: Counters,
}

fn date(s: &str, name: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        AppError::invalid(
            "bad_range",
            format!("{name} must be a date written YYYY-MM-DD, not {s:?}"),
        )
    })
}

/// One plan is computed at a time: simulating days is CPU work, and a hall box has two
/// cores the live hall needs too. Others wait their turn.
static PLANNING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Read what the planner needs for `from..=to`, then answer with `answer` off the async
/// workers (simulating days is CPU work), one plan at a time.
async fn with_context<T: Send + 'static>(
    store: &Store,
    setup: &Setup,
    from: NaiveDate,
    to: NaiveDate,
    answer: impl FnOnce(&Context<'_>) -> Result<T, Error> + Send + 'static,
) -> Result<T, AppError> {
    let hall = store.hall();
    let settings = setup.current().plan;
    let back = from - Duration::days(planning::history_days(&settings));
    // Around Tết the like days are last Tết's: read those too, when outside the range.
    let tet: Vec<(NaiveDate, NaiveDate)> = {
        let mut spans: Vec<_> = (0..=(to - from).num_days())
            .filter_map(|i| planning::last_tet_window(from + Duration::days(i)))
            .filter(|(_, end)| *end < back)
            .collect();
        spans.dedup();
        spans
    };
    let (history, bookings, saved) = store
        .read(move |conn| {
            let mut history = Vec::new();
            for (a, b) in tet {
                history.extend(stored::visits(conn, 0, a, b)?);
            }
            history.extend(stored::visits(conn, 0, back, to)?);
            let bookings = stored::bookings(conn, 0, from, to)?;
            let saved = staffing_plans::between(conn, &from.to_string(), &to.to_string())?;
            Ok::<_, motcua_store::StoreError>((history, bookings, saved))
        })
        .await?;
    let saved: BTreeMap<NaiveDate, Saved> = saved
        .into_iter()
        .filter_map(|s| Some((NaiveDate::parse_from_str(&s.day, "%Y-%m-%d").ok()?, s)))
        .collect();
    let turn = PLANNING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || {
        // Held until the work is done, even if the asker has gone.
        let _turn = turn;
        answer(&Context {
            hall: &hall,
            settings: &settings,
            history: &history,
            bookings: &bookings,
            saved: &saved,
        })
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::from)
}

/// The days planned by a query.
fn days_of(q: &PlanQuery, today: NaiveDate) -> Result<(NaiveDate, u32), AppError> {
    let from = match q.from.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => date(s, "from")?,
        None => today,
    };
    let days = q.days.unwrap_or(7);
    if !(1..=MOST_DAYS).contains(&days) {
        return Err(AppError::invalid(
            "bad_range",
            format!("days must be 1 to {MOST_DAYS}, not {days}"),
        ));
    }
    Ok((from, days))
}

/// The plan of the days ahead: for each day and hour, each field's arrivals forecast from
/// the hall's own history, the counters Erlang's formula needs for it alone, the counters
/// proposed (checked and corrected on the simulated day, quiet fields sharing a counter),
/// the manager's saved plan, and the predicted wait and share within target of the plan in
/// force. A day is planned from what came before it only: asked again later, it is the same.
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/plan",
    tag = "manager",
    security(("session" = [])),
    params(PlanQuery),
    responses(
        (status = 200, description = "the days planned", body = PlanView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub async fn plan(
    State(store): State<Store>,
    State(setup): State<Setup>,
    State(clock): State<Arc<dyn Clock>>,
    _manager: Manager,
    Query(q): Query<PlanQuery>,
) -> Result<Json<PlanView>, AppError> {
    let (from, days) = days_of(&q, today(&store, &clock))?;
    let to = from + Duration::days(i64::from(days) - 1);
    let view = with_context(&store, &setup, from, to, move |ctx| {
        planning::plan(ctx, from, days)
    })
    .await?;
    Ok(Json(view))
}

/// The prediction of a plan tried on a day, not saved: change a number, see the wait move.
///
/// Who may call: managers and admins.
#[utoipa::path(
    post,
    path = "/api/plan/predict",
    tag = "manager",
    security(("session" = [])),
    request_body = TryBody,
    responses(
        (status = 200, description = "the day with the plan tried in force", body = DayPlan),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_plan` (the message names what), `day_closed`, `bad_range`", body = ErrorBody),
    ),
)]
pub async fn plan_predict(
    State(store): State<Store>,
    State(setup): State<Setup>,
    _manager: Manager,
    Body(body): Body<TryBody>,
) -> Result<Json<DayPlan>, AppError> {
    let day = date(&body.day, "day")?;
    let counters = body.counters;
    let plan = with_context(&store, &setup, day, day, move |ctx| {
        planning::day_plan(ctx, day, Some(&counters))
    })
    .await?;
    Ok(Json(plan))
}

/// Save the manager's plan of a day (today or later); it is the plan in force from then
/// on, predicted on the simulated day.
///
/// Who may call: managers and admins.
#[utoipa::path(
    put,
    path = "/api/plan/{day}",
    tag = "manager",
    security(("session" = [])),
    params(("day" = String, Path, description = "YYYY-MM-DD")),
    request_body = PlanBody,
    responses(
        (status = 200, description = "the day with the plan saved", body = DayPlan),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 409, description = "`day_past`: a day already over", body = ErrorBody),
        (status = 422, description = "`bad_plan` (the message names what), `day_closed`, `bad_range`", body = ErrorBody),
    ),
)]
pub async fn save_plan(
    State(store): State<Store>,
    State(setup): State<Setup>,
    State(clock): State<Arc<dyn Clock>>,
    Manager(user): Manager,
    Path(day): Path<String>,
    Body(body): Body<PlanBody>,
) -> Result<Json<DayPlan>, AppError> {
    let day = date(&day, "day")?;
    not_past(day, today(&store, &clock))?;
    let counters = body.counters;
    // Checked on the hall and the day before it is kept; simulated once, for the answer.
    planning::fits(&store.hall(), day, &counters)?;
    let saved = Saved {
        day: day.to_string(),
        counters: serde_json::to_string(&counters).map_err(AppError::internal)?,
        saved_at: millis(clock.now()),
        saved_by: user.name,
    };
    store
        .write(move |tx| staffing_plans::put(tx.conn, &saved))
        .await?;
    day_answer(&store, &setup, day).await
}

/// Back to the planner's proposal for a day (today or later).
///
/// Who may call: managers and admins.
#[utoipa::path(
    delete,
    path = "/api/plan/{day}",
    tag = "manager",
    security(("session" = [])),
    params(("day" = String, Path, description = "YYYY-MM-DD")),
    responses(
        (status = 200, description = "the day with the proposal in force", body = DayPlan),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 409, description = "`day_past`: a day already over", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub async fn drop_plan(
    State(store): State<Store>,
    State(setup): State<Setup>,
    State(clock): State<Arc<dyn Clock>>,
    _manager: Manager,
    Path(day): Path<String>,
) -> Result<Json<DayPlan>, AppError> {
    let day = date(&day, "day")?;
    not_past(day, today(&store, &clock))?;
    let key = day.to_string();
    store
        .write(move |tx| staffing_plans::remove(tx.conn, &key))
        .await?;
    day_answer(&store, &setup, day).await
}

fn not_past(day: NaiveDate, today: NaiveDate) -> Result<(), AppError> {
    if day < today {
        return Err(Error::refused(
            "day_past",
            format!("{day} is over: only today and the days ahead can be planned"),
        )
        .into());
    }
    Ok(())
}

async fn day_answer(
    store: &Store,
    setup: &Setup,
    day: NaiveDate,
) -> Result<Json<DayPlan>, AppError> {
    let plan = with_context(store, setup, day, day, move |ctx| {
        planning::day_plan(ctx, day, None)
    })
    .await?;
    Ok(Json(plan))
}

/// The past days' check: each day's plan (made from what came before it, the manager's
/// where one was saved) beside what happened, per field (arrivals, share within target,
/// mean wait), and the planner's accuracy over the days.
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/plan/check",
    tag = "manager",
    security(("session" = [])),
    params(CheckQuery),
    responses(
        (status = 200, description = "the days checked", body = CheckView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub async fn plan_check(
    State(store): State<Store>,
    State(setup): State<Setup>,
    State(clock): State<Arc<dyn Clock>>,
    _manager: Manager,
    Query(q): Query<CheckQuery>,
) -> Result<Json<CheckView>, AppError> {
    let to = match q.to.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => date(s, "to")?,
        None => today(&store, &clock) - Duration::days(1),
    };
    let days = q.days.unwrap_or(28);
    if !(1..=MOST_CHECKED).contains(&days) {
        return Err(AppError::invalid(
            "bad_range",
            format!("days must be 1 to {MOST_CHECKED}, not {days}"),
        ));
    }
    let from = to - Duration::days(i64::from(days) - 1);
    let view = with_context(&store, &setup, from, to, move |ctx| {
        planning::check(ctx, from, to)
    })
    .await?;
    Ok(Json(view))
}

/// The plan's columns, one row per day, hour and field.
const COLUMNS: [&str; 10] = [
    "Ngày",
    "Giờ",
    "Lĩnh vực",
    "Số người đến dự báo",
    "Trong đó đã đặt lịch",
    "Số quầy cần (riêng lĩnh vực)",
    "Số quầy đề xuất",
    "Số quầy theo kế hoạch",
    "Tỷ lệ gọi trong thời gian mục tiêu dự báo (%)",
    "Thời gian chờ trung bình dự báo (phút)",
];

/// A cell of the plan's table.
enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

fn rows(view: &PlanView) -> Vec<Vec<Cell>> {
    let mut rows = Vec::new();
    for day in view.days.iter().filter(|d| d.open) {
        for h in 0..day.hours {
            for f in &day.fields {
                let p = &f.predicted[h];
                let some = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
                rows.push(vec![
                    Cell::Text(day.day.format("%d/%m/%Y").to_string()),
                    Cell::Text(format!("{:02}:00", usize::from(day.first_hour) + h)),
                    Cell::Text(f.code.clone()),
                    Cell::Number((f.arrivals[h] * 10.0).round() / 10.0),
                    Cell::Number(f.booked[h]),
                    Cell::Number(f64::from(f.first_answer[h])),
                    Cell::Number(f64::from(f.proposed[h])),
                    f.planned
                        .as_ref()
                        .map_or(Cell::Empty, |p| Cell::Number(f64::from(p[h]))),
                    some(p.within.map(|w| (w * 1000.0).round() / 10.0)),
                    some(p.mean_wait_minutes.map(|m| (m * 10.0).round() / 10.0)),
                ]);
            }
        }
    }
    rows
}

/// The plan of the days ahead as CSV: one line per day, hour and field (UTF-8 with a
/// byte-order mark, Vietnamese headers).
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/plan.csv",
    tag = "manager",
    security(("session" = [])),
    params(PlanQuery),
    responses(
        (status = 200, description = "a CSV download", body = String, content_type = "text/csv; charset=utf-8"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub async fn plan_csv(
    store: State<Store>,
    setup: State<Setup>,
    clock: State<Arc<dyn Clock>>,
    manager: Manager,
    q: Query<PlanQuery>,
) -> Result<Response, AppError> {
    let Json(view) = plan(store, setup, clock, manager, q).await?;
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(COLUMNS).map_err(AppError::internal)?;
        for row in rows(&view) {
            let record: Vec<String> = row
                .into_iter()
                .map(|c| match c {
                    Cell::Text(t) => t,
                    Cell::Number(n) => n.to_string(),
                    Cell::Empty => String::new(),
                })
                .collect();
            w.write_record(&record).map_err(AppError::internal)?;
        }
        w.flush().map_err(AppError::internal)?;
    }
    Ok(csv_download(
        format!("motcua-ke-hoach-quay-{}.csv", view.from),
        out,
    ))
}

/// The plan of the days ahead as an Excel workbook: the same table as the CSV.
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/plan.xlsx",
    tag = "manager",
    security(("session" = [])),
    params(PlanQuery),
    responses(
        (status = 200, description = "an Excel download", body = [u8], content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub async fn plan_xlsx(
    store: State<Store>,
    setup: State<Setup>,
    clock: State<Arc<dyn Clock>>,
    manager: Manager,
    q: Query<PlanQuery>,
) -> Result<Response, AppError> {
    let Json(view) = plan(store, setup, clock, manager, q).await?;
    let from = view.from;
    xlsx_download(format!("motcua-ke-hoach-quay-{from}.xlsx"), move || {
        use rust_xlsxwriter::{Format, Workbook};
        let mut book = Workbook::new();
        let bold = Format::new().set_bold().set_text_wrap();
        let sheet = book.add_worksheet().set_name("Kế hoạch quầy")?;
        for (i, h) in COLUMNS.iter().enumerate() {
            sheet.write_string_with_format(0, i as u16, *h, &bold)?;
        }
        sheet.set_row_height(0, 45)?;
        for (r, row) in rows(&view).into_iter().enumerate() {
            for (c, cell) in row.into_iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    Cell::Text(t) => sheet.write_string(r, c, t)?,
                    Cell::Number(n) => sheet.write_number(r, c, n)?,
                    Cell::Empty => sheet,
                };
            }
        }
        book.save_to_buffer()
    })
    .await
}
