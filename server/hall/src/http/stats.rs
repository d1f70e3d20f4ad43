//! The manager's figures over HTTP: the hall now, the figures of a range of days, and the
//! same figures as CSV and as an Excel workbook (Vietnamese headers, one sheet per
//! breakdown) to attach to a report upward. Managers and admins only.

use super::AppError;
use super::extract::{Caller, Query};
use crate::app::views;
use crate::printing::Printing;
use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use motcua_domain::numbering::local_day;
use motcua_domain::stats::{self, Setup};
use motcua_store::clock::Clock;
use motcua_store::{Store, millis, stats as stored};
use motcua_web::ErrorBody;
use motcua_web::figures::{
    Breakdown, RangeQuery, StatsView, bookings_csv, clerk_name, csv_download, csv_table, range,
    view, workbook, xlsx_download,
};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Read and compute the figures of `from..=to`.
pub async fn figures(
    store: &Store,
    clock: &Arc<dyn Clock>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<StatsView, AppError> {
    let hall = store.hall();
    let now = clock.now();
    // A long range is read in two halves at once, on two reader connections: reading the
    // rows is most of a year's answer, and a hall box has two cores. The halves hold
    // different days, so every visit is read once.
    let mut halves = vec![(from, to)];
    if (to - from).num_days() >= 60 {
        let middle = from + (to - from) / 2;
        halves = vec![(from, middle), (middle + chrono::Duration::days(1), to)];
    }
    let reads = halves.into_iter().map(|(a, b)| {
        store.read(move |conn| {
            Ok((
                stored::visits(conn, 0, a, b)?,
                stored::spans(conn, 0, a, b)?,
                stored::bookings(conn, 0, a, b)?,
            ))
        })
    });
    let (parts, names) = tokio::try_join!(
        futures_util::future::try_join_all(reads),
        store.read(stored::user_names)
    )?;
    let (mut visits, mut spans, mut bookings) = (Vec::new(), Vec::new(), Vec::new());
    for (v, s, b) in parts {
        visits.extend(v);
        spans.extend(s);
        bookings.extend(b);
    }
    tokio::task::spawn_blocking(move || {
        let targets: BTreeMap<String, u32> = hall
            .services
            .iter()
            .map(|s| (s.code.to_string(), s.target_wait_minutes))
            .collect();
        let official_targets = stats::official_targets(&hall.services);
        let counter_fields = stats::counter_fields(&hall);
        let report = stats::report(
            &visits,
            &spans,
            &Setup {
                tz: hall.tz,
                scale: hall.rating_scale,
                targets: &targets,
                official_targets: &official_targets,
                counter_fields: Some(&counter_fields),
                now: millis(now),
            },
        );
        view(
            &hall,
            &names,
            from,
            to,
            views::local_time(&hall, millis(now)),
            report,
            stats::booking_report(&bookings),
        )
    })
    .await
    .map_err(AppError::internal)
}

/// Today in the hall's time zone.
pub(super) fn today(store: &Store, clock: &Arc<dyn Clock>) -> NaiveDate {
    local_day(clock.now(), store.hall().tz)
}

/// The figures of a range of days (`GET /api/stats`): every breakdown, the wait
/// distribution, the estimate's accuracy and the comments.
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/stats",
    tag = "manager",
    security(("session" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "the figures", body = StatsView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub async fn range_figures(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    caller: Caller,
    Query(q): Query<RangeQuery>,
) -> Result<Json<StatsView>, AppError> {
    caller.reader()?;
    let (from, to) = range(&q, today(&store, &clock))?;
    Ok(Json(figures(&store, &clock, from, to).await?))
}

/// The hall at this moment, for the dashboard's first tab.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HallNow {
    pub at: String,
    pub fields: Vec<FieldNow>,
    pub counters: Vec<CounterNow>,
    pub printers: Vec<crate::printing::PrinterView>,
    pub uplink: crate::uplink::UplinkStatus,
    /// Kiosks and staff refused today for issuing too fast, until acknowledged.
    pub issuing_alerts: Vec<super::issuing_limits::IssuingAlert>,
}

/// A field's queue now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FieldNow {
    pub code: motcua_domain::ServiceCode,
    pub name_vi: String,
    pub name_en: String,
    pub waiting: u32,
    pub priority_waiting: u32,
    /// How long the longest-waiting ticket has waited (none waiting: null).
    pub longest_wait_seconds: Option<f64>,
    pub eta_minutes: u32,
    pub counters_open: u32,
    pub target_wait_minutes: u32,
}

/// A counter now, with its clerk and today's count.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CounterNow {
    pub no: motcua_domain::CounterNo,
    /// closed, open or paused.
    #[schema(value_type = String, example = "open")]
    pub state: &'static str,
    /// Why it is paused.
    pub reason: Option<String>,
    pub clerk: Option<String>,
    pub services: Vec<motcua_domain::ServiceCode>,
    pub current: Option<CurrentTicket>,
    pub served_today: u64,
}

/// The ticket at a counter, as the dashboard shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CurrentTicket {
    pub code: String,
    pub status: motcua_domain::Status,
    /// Since when it is at the counter (serving, else called).
    pub since: String,
}

/// The hall at this moment (`GET /api/stats/now`): queues, counters, printers, the uplink.
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/stats/now",
    tag = "manager",
    security(("session" = [])),
    responses(
        (status = 200, description = "the hall now", body = HallNow),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
    ),
)]
pub async fn now(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    State(printing): State<Printing>,
    State(uplink): State<crate::uplink::Uplink>,
    State(issuing): State<super::issuing_limits::IssuingLimits>,
    caller: Caller,
) -> Result<Json<HallNow>, AppError> {
    caller.reader()?;
    let hall = store.hall();
    let now = millis(clock.now());
    let day = today(&store, &clock).to_string();
    let (fields, counters) = store
        .read::<_, AppError, _>(move |conn| {
            let services = views::services(conn, &hall, now)?;
            let mut oldest: BTreeMap<String, (i64, u32)> = BTreeMap::new();
            {
                let mut stmt = conn.prepare_cached(
                    "SELECT service, MIN(queued_at), SUM(priority <> 'none') FROM tickets
                     WHERE status = 'waiting' GROUP BY service",
                )?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
                for row in rows {
                    let (service, v) = row?;
                    oldest.insert(service, v);
                }
            }
            let fields: Vec<FieldNow> = services
                .into_iter()
                .map(|s| {
                    let (since, priority) = oldest.get(s.code.as_str()).copied().unzip();
                    FieldNow {
                        code: s.code,
                        name_vi: s.name_vi,
                        name_en: s.name_en,
                        waiting: s.waiting,
                        priority_waiting: priority.unwrap_or(0),
                        longest_wait_seconds: since.map(|t| (now - t).max(0) as f64 / 1000.0),
                        eta_minutes: s.eta_minutes,
                        counters_open: s.counters_open,
                        target_wait_minutes: s.target_wait_minutes,
                    }
                })
                .collect();
            let names = stored::user_names(conn)?;
            let mut served_today: BTreeMap<u16, u64> = BTreeMap::new();
            {
                let mut stmt = conn.prepare_cached(
                    "SELECT counter_no, COUNT(*) FROM stat_visits
                     WHERE hall = 0 AND day = ?1 AND outcome = 'served' AND counter_no IS NOT NULL
                     GROUP BY counter_no",
                )?;
                let rows = stmt.query_map([&day], |r| Ok((r.get(0)?, r.get(1)?)))?;
                for row in rows {
                    let (no, n) = row?;
                    served_today.insert(no, n);
                }
            }
            let mut counters = Vec::new();
            for c in &hall.counters {
                let row = motcua_store::counters::get(conn, c.no)?
                    .ok_or(AppError::internal(format!("counter {} has no row", c.no)))?;
                let current = motcua_store::tickets::at_counter(conn, c.no)?;
                let reason = match &row.state {
                    motcua_domain::CounterState::Paused { reason } => Some(reason.clone()),
                    _ => None,
                };
                counters.push(CounterNow {
                    no: c.no,
                    state: row.state.name(),
                    reason,
                    clerk: row.user_id.map(|id| clerk_name(&names, id)),
                    services: c.services.clone(),
                    current: current.map(|t| CurrentTicket {
                        since: views::local_time(
                            &hall,
                            t.started_at.or(t.called_at).unwrap_or(t.queued_at),
                        ),
                        code: t.code,
                        status: t.status,
                    }),
                    served_today: served_today.get(&c.no.get()).copied().unwrap_or(0),
                });
            }
            Ok((fields, counters))
        })
        .await?;
    let printers = printing.printers(&store).await?;
    Ok(Json(HallNow {
        at: views::local_time(&store.hall(), now),
        fields,
        counters,
        printers,
        uplink: uplink.status(),
        issuing_alerts: issuing.alerts(),
    }))
}

/// One breakdown of the figures of a range of days as CSV (`?by=field`, ...).
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/stats.csv",
    tag = "manager",
    security(("session" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "a CSV download", body = String, content_type = "text/csv; charset=utf-8"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`, `bad_breakdown`", body = ErrorBody),
    ),
)]
pub async fn csv_export(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    caller: Caller,
    Query(q): Query<RangeQuery>,
) -> Result<Response, AppError> {
    caller.reader()?;
    let by_name = q.by.clone().unwrap_or_else(|| "field".to_owned());
    let by = match by_name.as_str() {
        "bookings" => None,
        name => Some(Breakdown::parse(name).ok_or_else(|| {
            AppError::invalid(
                "bad_breakdown",
                format!(
                    "by must be one of total, field, counter, clerk, hour, day, bookings, not {by_name:?}"
                ),
            )
        })?),
    };
    let (from, to) = range(&q, today(&store, &clock))?;
    let v = figures(&store, &clock, from, to).await?;
    let Some(by) = by else {
        return Ok(csv_download(
            format!("motcua-lich-hen-{from}-{to}.csv"),
            bookings_csv(&v)?,
        ));
    };
    let body = csv_table(&v, by)?;
    Ok(csv_download(
        format!("motcua-{}-{from}-{to}.csv", by.slug()),
        body,
    ))
}

/// The figures of a range of days as an Excel workbook: every breakdown, one sheet each,
/// plus the wait distribution, the estimate's accuracy and the comments.
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/stats.xlsx",
    tag = "manager",
    security(("session" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "an Excel download", body = [u8], content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub async fn xlsx_export(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    caller: Caller,
    Query(q): Query<RangeQuery>,
) -> Result<Response, AppError> {
    caller.reader()?;
    let (from, to) = range(&q, today(&store, &clock))?;
    let v = figures(&store, &clock, from, to).await?;
    xlsx_download(format!("motcua-thong-ke-{from}-{to}.xlsx"), move || {
        workbook(&v)
    })
    .await
}

/// How the report to the city stands.
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/uplink",
    tag = "manager",
    security(("session" = [])),
    responses(
        (status = 200, description = "the uplink", body = crate::uplink::UplinkStatus),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
    ),
)]
pub async fn uplink(
    State(uplink): State<crate::uplink::Uplink>,
    caller: Caller,
) -> Result<Json<crate::uplink::UplinkStatus>, AppError> {
    caller.reader()?;
    Ok(Json(uplink.status()))
}

/// The ratings of dossiers as CSV, for the province's administrative-procedure system: one
/// line per dossier per served visit that was rated or complained about, by the day its
/// ticket was issued (`by` is not used). Columns `ma_ho_so, linh_vuc, ten_linh_vuc,
/// thoi_gian, muc_do, ten_muc_do, ly_do, so_lan_den, phan_anh`; `muc_do` is the level of
/// Decision 766: 1 Rất hài lòng, 2 Hài lòng, 3 Không hài lòng (empty: not rated, only a
/// complaint). UTF-8 with a byte-order mark, CRLF.
///
/// Who may call: managers and admins.
#[utoipa::path(
    get,
    path = "/api/stats/dossiers.csv",
    tag = "manager",
    security(("session" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "a CSV download", body = String, content_type = "text/csv; charset=utf-8"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub async fn dossiers_csv(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    caller: Caller,
    Query(q): Query<RangeQuery>,
) -> Result<Response, AppError> {
    caller.reader()?;
    let (from, to) = range(&q, today(&store, &clock))?;
    let rows = store
        .read(move |conn| motcua_store::dossier_ratings::dossier_ratings(conn, Some(0), from, to))
        .await?;
    let hall = store.hall();
    let body = motcua_web::figures::dossiers_csv(&rows, |_| Some(("", &*hall)), false)?;
    Ok(csv_download(
        format!("motcua-danh-gia-ho-so-{from}-{to}.csv"),
        body,
    ))
}
