//! Reading: the halls, every hall's figures side by side, one hall's, and their exports.

use super::*;

/// A registered hall and how recently it reported.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HallListed {
    pub code: String,
    pub name: String,
    pub registered_at: String,
    pub last_report_at: Option<String>,
    pub acked_seq: i64,
    pub silent: bool,
    pub minutes_since_report: Option<i64>,
    /// The province (or city) it belongs to: at the country's collector, the collector
    /// that forwarded it; empty where not set.
    pub province: String,
}

pub(super) fn listed(h: &HallRow, settings: &CitySettings, now_ms: i64) -> HallListed {
    let time = |ms| city_time(settings, ms);
    let minutes = h.last_report_at.map(|at| (now_ms - at).max(0) / 60_000);
    HallListed {
        code: h.code.clone(),
        // The name the city registered it under (the hall's own is in its profile).
        name: h.name.clone(),
        registered_at: time(h.registered_at),
        last_report_at: h.last_report_at.map(time),
        acked_seq: h.acked_seq,
        silent: minutes.is_none_or(|m| m >= settings.silent_after_minutes),
        minutes_since_report: minutes,
        province: h.province.clone(),
    }
}

/// Every registered hall.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HallList {
    pub at: String,
    /// A hall without a report for this long is shown as silent.
    pub silent_after_minutes: i64,
    pub halls: Vec<HallListed>,
}

/// Every registered hall, and which have gone silent.
///
/// Who may call: the city office's managers and admins.
#[utoipa::path(
    get,
    path = "/api/city/halls",
    tag = "city",
    security(("session" = [])),
    responses(
        (status = 200, description = "the halls", body = HallList),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
    ),
)]
pub(super) async fn list_halls(
    State(state): State<CityState>,
    jar: CookieJar,
) -> Result<Json<HallList>, AppError> {
    reader(&state, &jar).await?;
    let now = millis(state.clock.now());
    let halls = state.store.halls().await?;
    let listed: Vec<HallListed> = halls
        .iter()
        .map(|h| listed(h, &state.settings, now))
        .collect();
    Ok(Json(HallList {
        at: city_time(&state.settings, now),
        silent_after_minutes: state.settings.silent_after_minutes,
        halls: listed,
    }))
}

/// An instant as the city office reads it: RFC 3339 in the city's time zone.
pub(super) fn city_time(settings: &CitySettings, ms: i64) -> String {
    motcua_store::from_millis(ms)
        .with_timezone(&settings.tz)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

pub(super) fn today(state: &CityState) -> NaiveDate {
    local_day(state.clock.now(), state.settings.tz)
}

/// One hall's figures from its visits (with the halls merged into it): the visits,
/// spans and bookings are handed back for the city's total.
pub(super) async fn figures_of(
    state: &CityState,
    row: &HallRow,
    from: NaiveDate,
    to: NaiveDate,
    now_ms: i64,
) -> Result<HallReport, AppError> {
    let hall = row.as_hall(state.settings.tz);
    let (visits, spans, bookings) = state.store.hall_history(row, from, to).await?;
    // A year of visits is a quarter of a second's work: off the async threads.
    tokio::task::spawn_blocking(move || report_of(hall, visits, spans, bookings, now_ms))
        .await
        .map_err(AppError::internal)
}

fn report_of(
    hall: motcua_domain::Hall,
    visits: Vec<domain_stats::Visit>,
    spans: Vec<domain_stats::Span>,
    bookings: Vec<domain_stats::Booking>,
    now_ms: i64,
) -> HallReport {
    let targets: BTreeMap<String, u32> = hall
        .services
        .iter()
        .map(|s| (s.code.to_string(), s.target_wait_minutes))
        .collect();
    let official_targets = domain_stats::official_targets(&hall.services);
    let report = domain_stats::report(
        &visits,
        &spans,
        &Setup {
            tz: hall.tz,
            scale: hall.rating_scale,
            targets: &targets,
            official_targets: &official_targets,
            counter_fields: None,
            now: now_ms,
        },
    );
    HallReport {
        booking_report: domain_stats::booking_report(&bookings),
        hall,
        report,
        visits,
        spans,
        bookings,
        targets,
    }
}

pub(super) struct HallReport {
    hall: motcua_domain::Hall,
    report: domain_stats::Report,
    booking_report: domain_stats::BookingReport,
    visits: Vec<domain_stats::Visit>,
    spans: Vec<domain_stats::Span>,
    bookings: Vec<domain_stats::Booking>,
    targets: BTreeMap<String, u32>,
}

/// A hall's line of the overview: the hall, who waits there now, its figures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HallFigures {
    #[serde(flatten)]
    pub hall: HallListed,
    pub waiting_now: u64,
    #[serde(flatten)]
    pub figures: Figures,
    /// The bookings booked for these days in this hall.
    pub bookings: BookingFigures,
}

/// Every hall's figures side by side, and the city's.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Overview {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub generated_at: String,
    pub silent_after_minutes: i64,
    pub total: Figures,
    /// Every hall's bookings together.
    pub bookings: BookingFigures,
    /// Each province's halls together (one line, everyone's, where every hall is in the
    /// same province).
    pub provinces: Vec<ProvinceFigures>,
    pub halls: Vec<HallFigures>,
}

/// A province's halls together.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProvinceFigures {
    /// Empty for the halls of no province.
    pub province: String,
    pub halls: u64,
    #[serde(flatten)]
    pub figures: Figures,
    pub bookings: BookingFigures,
}

pub(super) async fn overview_of(state: &CityState, q: &RangeQuery) -> Result<Overview, AppError> {
    let (from, to) = hall_stats::range(q, today(state))?;
    let now = millis(state.clock.now());
    // A merged hall is part of the hall it joined, not a line of its own.
    let halls: Vec<HallRow> = state
        .store
        .halls()
        .await?
        .into_iter()
        .filter(|h| h.merged_into.is_none())
        .collect();
    let waiting = state.store.waiting_now(today(state)).await?;
    let lines = match state.store.rows() {
        Some(pg) => from_rows(pg, &halls, from, to).await?,
        None => from_visits(state, &halls, from, to, now).await?,
    };
    let rows: Vec<HallFigures> = halls
        .iter()
        .zip(lines.halls)
        .map(|(h, (figures, bookings))| HallFigures {
            hall: listed(h, &state.settings, now),
            waiting_now: waiting.get(&h.id).copied().unwrap_or(0),
            figures,
            bookings,
        })
        .collect();
    let mut total = lines.total;
    // The 766 figure adds each hall's on its own basis: a hall that attaches no codes
    // counts its served visits, not nothing beside halls that do.
    total.official =
        domain_stats::OfficialFigure::combine(rows.iter().map(|r| &r.figures.official));
    let mut provinces = lines.provinces;
    for p in &mut provinces {
        p.figures.official = domain_stats::OfficialFigure::combine(
            rows.iter()
                .filter(|r| r.hall.province == p.province)
                .map(|r| &r.figures.official),
        );
    }
    Ok(Overview {
        from,
        to,
        generated_at: city_time(&state.settings, now),
        silent_after_minutes: state.settings.silent_after_minutes,
        total,
        bookings: lines.bookings,
        provinces,
        halls: rows,
    })
}

/// Each hall's figures and bookings, in the halls' order, each province's, and
/// everyone's together.
struct Lines {
    halls: Vec<(Figures, BookingFigures)>,
    provinces: Vec<ProvinceFigures>,
    total: Figures,
    bookings: BookingFigures,
}

/// The halls' provinces, each once, in order.
fn provinces_of(halls: &[HallRow]) -> Vec<String> {
    let set: std::collections::BTreeSet<&str> = halls.iter().map(|h| h.province.as_str()).collect();
    set.into_iter().map(str::to_owned).collect()
}

/// Every hall's figures from its visits (the embedded store: a city of some hundred
/// halls), the total from all visits together.
async fn from_visits(
    state: &CityState,
    halls: &[HallRow],
    from: NaiveDate,
    to: NaiveDate,
    now: i64,
) -> Result<Lines, AppError> {
    // Every hall's history in one read, every report on one blocking thread.
    let histories = state.store.histories(halls.to_vec(), from, to).await?;
    let tz = state.settings.tz;
    let names = provinces_of(halls);
    let province_of: Vec<String> = halls.iter().map(|h| h.province.clone()).collect();
    let halls: Vec<(i64, motcua_domain::Hall)> =
        halls.iter().map(|h| (h.id, h.as_hall(tz))).collect();
    tokio::task::spawn_blocking(move || {
        let mut all_visits = Vec::new();
        let mut all_spans = Vec::new();
        let mut all_bookings = Vec::new();
        let mut lines = Vec::new();
        let mut targets: BTreeMap<String, u32> = BTreeMap::new();
        // Where each hall's visits, spans and bookings begin in the lists: a province is
        // its halls' stretches.
        let mut starts = Vec::new();
        for ((id, hall), (visits, spans, bookings)) in halls.into_iter().zip(histories) {
            starts.push((all_visits.len(), all_spans.len(), all_bookings.len()));
            let r = report_of(hall, visits, spans, bookings, now);
            // The city's total counts every hall's visits together, each against its own
            // hall's targets: fields are told apart by hall.
            for (code, minutes) in r.targets {
                targets.insert(format!("{id}/{code}"), minutes);
            }
            all_visits.extend(r.visits.into_iter().map(|mut v| {
                v.service = format!("{id}/{}", v.service);
                // Two halls' dossiers are two dossiers, whatever their codes.
                for code in &mut v.dossiers {
                    *code = format!("{id}/{code}");
                }
                v
            }));
            all_spans.extend(r.spans.into_iter().map(|mut s| {
                // Counter numbers repeat from hall to hall.
                s.counter = 0;
                s
            }));
            all_bookings.extend(r.bookings);
            lines.push((r.report.total, r.booking_report.total));
        }
        let setup = Setup {
            tz,
            scale: 5,
            targets: &targets,
            official_targets: &BTreeMap::new(),
            counter_fields: None,
            now,
        };
        let total = domain_stats::report(&all_visits, &all_spans, &setup).total;
        let bookings = domain_stats::booking_report(&all_bookings).total;
        let provinces = if names.len() == 1 {
            vec![ProvinceFigures {
                province: names.concat(),
                halls: province_of.len() as u64,
                figures: total.clone(),
                bookings: bookings.clone(),
            }]
        } else {
            let ends: Vec<(usize, usize, usize)> = starts
                .iter()
                .skip(1)
                .copied()
                .chain([(all_visits.len(), all_spans.len(), all_bookings.len())])
                .collect();
            names
                .iter()
                .map(|name| {
                    let (mut v, mut sp, mut b) = (Vec::new(), Vec::new(), Vec::new());
                    let mut count = 0;
                    for ((p, start), end) in province_of.iter().zip(&starts).zip(&ends) {
                        if p == name {
                            count += 1;
                            v.extend_from_slice(&all_visits[start.0..end.0]);
                            sp.extend_from_slice(&all_spans[start.1..end.1]);
                            b.extend_from_slice(&all_bookings[start.2..end.2]);
                        }
                    }
                    ProvinceFigures {
                        province: name.clone(),
                        halls: count,
                        figures: domain_stats::report(&v, &sp, &setup).total,
                        bookings: domain_stats::booking_report(&b).total,
                    }
                })
                .collect()
        };
        Lines {
            halls: lines,
            provinces,
            total,
            bookings,
        }
    })
    .await
    .map_err(AppError::internal)
}

/// Every hall's figures from its figure rows (the store on PostgreSQL: the country's
/// 3,321 halls), the total from all rows together: counts and means exact, percentiles to
/// their bucket (`motcua_domain::stats::rows`).
async fn from_rows(
    pg: &crate::pg::PgStore,
    halls: &[HallRow],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Lines, AppError> {
    use motcua_domain::stats::rows::Counts;
    let mut by_hall: BTreeMap<i64, Counts> = pg
        .rows_of(from, to)
        .await?
        .into_iter()
        .map(|r| (r.hall, r.counts))
        .collect();
    let mut all = Counts::default();
    let mut by_province: BTreeMap<&str, (u64, Counts)> = BTreeMap::new();
    // A hall's total is held to the national target, as the hall's own total is.
    let national = f64::from(domain_stats::OFFICIAL_TARGET_PERCENT) / 100.0;
    let lines = halls
        .iter()
        .map(|h| {
            let counts = by_hall.remove(&h.id).unwrap_or_default();
            all.add(&counts, 1);
            let province = by_province.entry(h.province.as_str()).or_default();
            province.0 += 1;
            province.1.add(&counts, 1);
            let scale = h.profile.as_ref().map_or(5, |p| p.rating_scale);
            (counts.figures(scale, national), counts.booking_figures())
        })
        .collect();
    Ok(Lines {
        halls: lines,
        provinces: by_province
            .into_iter()
            .map(|(province, (count, counts))| ProvinceFigures {
                province: province.to_owned(),
                halls: count,
                figures: counts.figures(5, national),
                bookings: counts.booking_figures(),
            })
            .collect(),
        total: all.figures(5, national),
        bookings: all.booking_figures(),
    })
}

/// Every hall's figures side by side, and the city's.
///
/// Who may call: the city office's managers and admins.
#[utoipa::path(
    get,
    path = "/api/city/stats",
    tag = "city",
    security(("session" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "the overview", body = Overview),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub(super) async fn overview(
    State(state): State<CityState>,
    jar: CookieJar,
    Query(q): Query<RangeQuery>,
) -> Result<Json<Overview>, AppError> {
    reader(&state, &jar).await?;
    Ok(Json(overview_of(&state, &q).await?))
}

/// The overview's lines: each hall's figures and bookings, then the city's.
pub(super) fn overview_rows(o: &Overview) -> Vec<(String, String, (&Figures, &BookingFigures))> {
    let mut rows: Vec<_> = o
        .halls
        .iter()
        .map(|h| {
            (
                h.hall.code.clone(),
                h.hall.name.clone(),
                (&h.figures, &h.bookings),
            )
        })
        .collect();
    rows.push(("".into(), "Toàn thành phố".into(), (&o.total, &o.bookings)));
    rows
}

/// The overview as CSV.
///
/// Who may call: the city office's managers and admins.
#[utoipa::path(
    get,
    path = "/api/city/stats.csv",
    tag = "city",
    security(("session" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "a CSV download", body = String, content_type = "text/csv; charset=utf-8"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub(super) async fn overview_csv(
    State(state): State<CityState>,
    jar: CookieJar,
    Query(q): Query<RangeQuery>,
) -> Result<Response, AppError> {
    reader(&state, &jar).await?;
    let o = overview_of(&state, &q).await?;
    let body = hall_stats::rows_csv("Mã bộ phận", &overview_rows(&o), 5)?;
    Ok(hall_stats::csv_download(
        format!("motcua-thanh-pho-{}-{}.csv", o.from, o.to),
        body,
    ))
}

/// The overview as an Excel workbook.
///
/// Who may call: the city office's managers and admins.
#[utoipa::path(
    get,
    path = "/api/city/stats.xlsx",
    tag = "city",
    security(("session" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "an Excel download", body = [u8], content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub(super) async fn overview_xlsx(
    State(state): State<CityState>,
    jar: CookieJar,
    Query(q): Query<RangeQuery>,
) -> Result<Response, AppError> {
    reader(&state, &jar).await?;
    let o = overview_of(&state, &q).await?;
    hall_stats::xlsx_download("motcua-thanh-pho.xlsx".to_owned(), move || {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet().set_name("Các bộ phận một cửa")?;
        sheet.write_string(
            0,
            0,
            format!(
                "{} – {} · lập lúc {}",
                o.from.format("%d/%m/%Y"),
                o.to.format("%d/%m/%Y"),
                o.generated_at
            ),
        )?;
        hall_stats::rows_sheet(sheet, 2, "Mã bộ phận", &overview_rows(&o), 5)?;
        book.save_to_buffer()
    })
    .await
}

pub(super) async fn one_hall(
    state: &CityState,
    code: String,
    q: &RangeQuery,
) -> Result<StatsView, AppError> {
    let (from, to) = hall_stats::range(q, today(state))?;
    let now = millis(state.clock.now());
    let row = state
        .store
        .hall(code)
        .await?
        .ok_or_else(|| AppError::not_found("hall_not_found", "no hall has this code"))?;
    if let (true, Some(pg)) = (row.forwarded, state.store.rows()) {
        return from_days(state, pg, &row, from, to, now).await;
    }
    let r = figures_of(state, &row, from, to, now).await?;
    // Clerks are known to the city by their number in the hall, never by name.
    let names = BTreeMap::new();
    Ok(hall_stats::view(
        &r.hall,
        &names,
        from,
        to,
        motcua_domain::local_time(&r.hall, now),
        r.report,
        r.booking_report,
    ))
}

/// A forwarded hall's figures at the country's collector, from its daily rows: the total,
/// each field and each day (no counter, clerk or hour: the country keeps days only).
async fn from_days(
    state: &CityState,
    pg: &crate::pg::PgStore,
    row: &HallRow,
    from: NaiveDate,
    to: NaiveDate,
    now: i64,
) -> Result<StatsView, AppError> {
    use motcua_domain::stats::rows::Counts;
    let hall = row.as_hall(state.settings.tz);
    let national = f64::from(domain_stats::OFFICIAL_TARGET_PERCENT) / 100.0;
    let mut total = Counts::default();
    let mut by_field: BTreeMap<String, Counts> = BTreeMap::new();
    let mut by_day: BTreeMap<NaiveDate, Counts> = BTreeMap::new();
    for (day, service, counts) in pg.hall_days(row.id, from, to).await? {
        total.add(&counts, 1);
        by_day.entry(day).or_default().add(&counts, 1);
        if !service.is_empty() {
            by_field.entry(service).or_default().add(&counts, 1);
        }
    }
    let scale = hall.rating_scale;
    let report = domain_stats::Report {
        total: total.figures(scale, national),
        by_field: by_field
            .iter()
            .map(|(f, c)| (f.clone(), c.figures(scale, national)))
            .collect(),
        by_counter: Vec::new(),
        by_clerk: Vec::new(),
        by_hour: Vec::new(),
        by_day: by_day
            .iter()
            .map(|(d, c)| (*d, c.figures(scale, national)))
            .collect(),
        wait_histogram: total.wait_histogram(),
        estimate: domain_stats::Accuracy {
            quoted: 0,
            mean_abs_error_minutes: None,
            share_longer: None,
            share_5_min_longer: None,
        },
        comments: Vec::new(),
    };
    let mut bookings = domain_stats::booking_report(&[]);
    bookings.total = total.booking_figures();
    Ok(hall_stats::view(
        &hall,
        &BTreeMap::new(),
        from,
        to,
        motcua_domain::local_time(&hall, now),
        report,
        bookings,
    ))
}

/// One hall's figures, as its own dashboard has them (clerks by number, not name).
///
/// Who may call: the city office's managers and admins.
#[utoipa::path(
    get,
    path = "/api/city/halls/{code}/stats",
    tag = "city",
    security(("session" = [])),
    params(("code" = String, Path, description = "the hall's code"), RangeQuery),
    responses(
        (status = 200, description = "the hall's figures", body = StatsView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 404, description = "`hall_not_found`", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub(super) async fn hall_figures(
    State(state): State<CityState>,
    jar: CookieJar,
    Path(code): Path<String>,
    Query(q): Query<RangeQuery>,
) -> Result<Json<StatsView>, AppError> {
    reader(&state, &jar).await?;
    Ok(Json(one_hall(&state, code, &q).await?))
}

/// One hall's figures as an Excel workbook.
///
/// Who may call: the city office's managers and admins.
#[utoipa::path(
    get,
    path = "/api/city/halls/{code}/stats.xlsx",
    tag = "city",
    security(("session" = [])),
    params(("code" = String, Path, description = "the hall's code"), RangeQuery),
    responses(
        (status = 200, description = "an Excel download", body = [u8], content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 404, description = "`hall_not_found`", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub(super) async fn hall_xlsx(
    State(state): State<CityState>,
    jar: CookieJar,
    Path(code): Path<String>,
    Query(q): Query<RangeQuery>,
) -> Result<Response, AppError> {
    reader(&state, &jar).await?;
    let v = one_hall(&state, code.clone(), &q).await?;
    let (from, to) = (v.from, v.to);
    hall_stats::xlsx_download(format!("motcua-{code}-{from}-{to}.xlsx"), move || {
        hall_stats::workbook(&v)
    })
    .await
}

/// Every hall's ratings of dossiers as one CSV, for the province's administrative-procedure
/// system: the hall's export (`/api/stats/dossiers.csv`) with the hall's code in
/// `ma_don_vi`. Columns `ma_ho_so, ma_don_vi, linh_vuc, ten_linh_vuc, thoi_gian, muc_do,
/// ten_muc_do, ly_do, so_lan_den, phan_anh`; `muc_do` is the level of Decision 766: 1 Rất
/// hài lòng, 2 Hài lòng, 3 Không hài lòng (empty: not rated, only a complaint). UTF-8 with a
/// byte-order mark, CRLF. Days are the halls' ticket issue days (`by` is not used).
///
/// Who may call: the city office's managers and admins.
#[utoipa::path(
    get,
    path = "/api/city/dossiers.csv",
    tag = "city",
    security(("session" = [])),
    params(RangeQuery),
    responses(
        (status = 200, description = "a CSV download", body = String, content_type = "text/csv; charset=utf-8"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a manager or admin", body = ErrorBody),
        (status = 422, description = "`bad_range`", body = ErrorBody),
    ),
)]
pub(super) async fn dossiers_csv(
    State(state): State<CityState>,
    jar: CookieJar,
    Query(q): Query<RangeQuery>,
) -> Result<Response, AppError> {
    reader(&state, &jar).await?;
    let (from, to) = hall_stats::range(&q, today(&state))?;
    let tz = state.settings.tz;
    let halls: BTreeMap<i64, (String, motcua_domain::Hall)> = state
        .store
        .halls()
        .await?
        .into_iter()
        .map(|h| (h.id, (h.code.clone(), h.as_hall(tz))))
        .collect();
    let rows = state.store.dossier_ratings(from, to).await?;
    let body = hall_stats::dossiers_csv(
        &rows,
        |id| halls.get(&id).map(|(code, hall)| (code.as_str(), hall)),
        true,
    )?;
    Ok(hall_stats::csv_download(
        format!("motcua-danh-gia-ho-so-thanh-pho-{from}-{to}.csv"),
        body,
    ))
}
