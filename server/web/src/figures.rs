//! The manager's figures as both servers show them: a range of days read from a query, the
//! figures of a hall laid out for screens ([`StatsView`]), and the same figures as CSV and
//! as an Excel workbook (Vietnamese headers, one sheet per breakdown, and the bookings'
//! figures in a sheet of their own).

use crate::AppError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use motcua_domain::Hall;
use motcua_domain::satisfaction::Reason;
use motcua_domain::stats::{self, Basis, BookingFigures, BookingReport, Figures, Report};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest range one question may ask for, in days.
pub const MAX_RANGE_DAYS: i64 = 1096;

/// A range of days (`from`, `to`: `YYYY-MM-DD`, both included; today when left out).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RangeQuery {
    /// The first day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// The last day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// For a CSV: the breakdown (total, field, counter, clerk, hour, day, or bookings for
    /// the bookings' figures; field when left out).
    pub by: Option<String>,
}

/// A range of local days, both ends included; today when not given.
pub fn range(q: &RangeQuery, today: NaiveDate) -> Result<(NaiveDate, NaiveDate), AppError> {
    let day = |s: &Option<String>, name: &str| -> Result<Option<NaiveDate>, AppError> {
        s.as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| {
                NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                    AppError::invalid(
                        "bad_range",
                        format!("{name} must be a date written YYYY-MM-DD, not {s:?}"),
                    )
                })
            })
            .transpose()
    };
    let from = day(&q.from, "from")?;
    let to = day(&q.to, "to")?;
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        (Some(f), None) => (f, today.max(f)),
        (None, Some(t)) => (t, t),
        (None, None) => (today, today),
    };
    if from > to {
        return Err(AppError::invalid(
            "bad_range",
            format!("the range starts ({from}) after it ends ({to})"),
        ));
    }
    if (to - from).num_days() >= MAX_RANGE_DAYS {
        return Err(AppError::invalid(
            "bad_range",
            format!("a range may cover at most {MAX_RANGE_DAYS} days"),
        ));
    }
    Ok((from, to))
}

/// A row of a breakdown: what it is, in both languages, and its figures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Row {
    pub key: String,
    pub name_vi: String,
    pub name_en: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CommentView {
    pub at: String,
    pub field: String,
    pub counter: Option<u16>,
    pub clerk: Option<String>,
    pub level: u8,
    pub comment: String,
}

/// The figures of a range, as the dashboard and the exports read them.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StatsView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub hall: String,
    pub rating_scale: u8,
    pub generated_at: String,
    pub total: Figures,
    pub by_field: Vec<Row>,
    pub by_counter: Vec<Row>,
    pub by_clerk: Vec<Row>,
    pub by_hour: Vec<Row>,
    pub by_day: Vec<Row>,
    pub wait_histogram: Vec<stats::Bucket>,
    pub estimate: stats::Accuracy,
    pub comments: Vec<CommentView>,
    /// The bookings booked for these days.
    pub bookings: BookingsView,
}

/// The bookings' figures of a range, in every breakdown (see
/// `motcua_domain::stats::bookings` for what each counts).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BookingsView {
    pub total: BookingFigures,
    pub by_field: Vec<BookingRow>,
    /// By the window's local start, every day and field together.
    pub by_window: Vec<BookingRow>,
    pub by_day: Vec<BookingRow>,
    /// The hall's booking page, then each outside issuer.
    pub by_source: Vec<BookingRow>,
}

/// A row of a bookings' breakdown: what it is, in both languages, and its figures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BookingRow {
    pub key: String,
    pub name_vi: String,
    pub name_en: String,
    #[serde(flatten)]
    pub figures: BookingFigures,
}

/// A booking's source as people read it: the hall's page, or an outside issuer by name.
pub fn source_names(source: &str) -> (String, String) {
    match source.strip_prefix("issuer:") {
        Some(name) => (format!("Ứng dụng {name}"), format!("App {name}")),
        None if source == "page" => (
            "Trang đặt lịch của bộ phận".into(),
            "The hall's booking page".into(),
        ),
        None => (source.to_owned(), source.to_owned()),
    }
}

fn bookings_view(hall: &Hall, report: BookingReport) -> BookingsView {
    let row = |key: String, (name_vi, name_en): (String, String), figures| BookingRow {
        key,
        name_vi,
        name_en,
        figures,
    };
    BookingsView {
        total: report.total,
        by_field: report
            .by_field
            .into_iter()
            .map(|(code, f)| row(code.clone(), name_of_field(hall, &code), f))
            .collect(),
        by_window: report
            .by_window
            .into_iter()
            .map(|(w, f)| row(w.clone(), (w.clone(), w), f))
            .collect(),
        by_day: report
            .by_day
            .into_iter()
            .map(|(d, f)| {
                row(
                    d.to_string(),
                    (d.format("%d/%m/%Y").to_string(), d.to_string()),
                    f,
                )
            })
            .collect(),
        by_source: report
            .by_source
            .into_iter()
            .map(|(s, f)| row(s.clone(), source_names(&s), f))
            .collect(),
    }
}

fn name_of_field(hall: &Hall, code: &str) -> (String, String) {
    hall.services
        .iter()
        .find(|s| s.code.as_str() == code)
        .map(|s| (s.name_vi.clone(), s.name_en.clone()))
        .unwrap_or_else(|| (code.to_owned(), code.to_owned()))
}

pub fn clerk_name(names: &BTreeMap<i64, String>, id: i64) -> String {
    names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
}

pub fn view(
    hall: &Hall,
    names: &BTreeMap<i64, String>,
    from: NaiveDate,
    to: NaiveDate,
    generated_at: String,
    report: Report,
    bookings: BookingReport,
) -> StatsView {
    let row = |key: String, (name_vi, name_en): (String, String), figures| Row {
        key,
        name_vi,
        name_en,
        figures,
    };
    StatsView {
        from,
        to,
        hall: hall.name.clone(),
        rating_scale: hall.rating_scale,
        generated_at,
        total: report.total,
        by_field: report
            .by_field
            .into_iter()
            .map(|(code, f)| row(code.clone(), name_of_field(hall, &code), f))
            .collect(),
        by_counter: report
            .by_counter
            .into_iter()
            .map(|(no, f)| {
                row(
                    no.to_string(),
                    (format!("Quầy {no}"), format!("Counter {no}")),
                    f,
                )
            })
            .collect(),
        by_clerk: {
            let mut rows: Vec<Row> = report
                .by_clerk
                .into_iter()
                .map(|(id, f)| {
                    let name = clerk_name(names, id);
                    row(name.clone(), (name.clone(), name), f)
                })
                .collect();
            rows.sort_by(|a, b| a.key.cmp(&b.key));
            rows
        },
        by_hour: report
            .by_hour
            .into_iter()
            .map(|(h, f)| {
                let name = format!("{h:02}:00–{:02}:00", (h + 1) % 24);
                row(format!("{h:02}"), (name.clone(), name), f)
            })
            .collect(),
        by_day: report
            .by_day
            .into_iter()
            .map(|(d, f)| {
                row(
                    d.to_string(),
                    (d.format("%d/%m/%Y").to_string(), d.to_string()),
                    f,
                )
            })
            .collect(),
        wait_histogram: report.wait_histogram,
        estimate: report.estimate,
        comments: report
            .comments
            .into_iter()
            .map(|c| CommentView {
                at: motcua_domain::local_time(hall, c.at),
                field: c.field,
                counter: c.counter,
                clerk: c.clerk.map(|id| clerk_name(names, id)),
                level: c.level,
                comment: c.comment,
            })
            .collect(),
        bookings: bookings_view(hall, bookings),
    }
}

/// One column of an exported table of `T`s.
struct Column<T> {
    header: String,
    value: fn(&T) -> Cell,
}

/// What an exported table's rows can be: figures, the bookings' figures, or both side by
/// side (the city's list of halls).
pub trait Table {
    /// The headers of the figures' columns (the hall's rating scale names its levels).
    fn headers(scale: u8) -> Vec<String>;
    fn cells(&self, scale: u8) -> Vec<Cell>;
}

impl Table for Figures {
    fn headers(scale: u8) -> Vec<String> {
        columns(scale).into_iter().map(|c| c.header).collect()
    }

    fn cells(&self, scale: u8) -> Vec<Cell> {
        columns(scale).iter().map(|c| (c.value)(self)).collect()
    }
}

impl Table for BookingFigures {
    fn headers(_: u8) -> Vec<String> {
        booking_columns().into_iter().map(|c| c.header).collect()
    }

    fn cells(&self, _: u8) -> Vec<Cell> {
        booking_columns().iter().map(|c| (c.value)(self)).collect()
    }
}

impl<T: Table> Table for &T {
    fn headers(scale: u8) -> Vec<String> {
        T::headers(scale)
    }

    fn cells(&self, scale: u8) -> Vec<Cell> {
        (*self).cells(scale)
    }
}

impl<A: Table, B: Table> Table for (A, B) {
    fn headers(scale: u8) -> Vec<String> {
        let mut h = A::headers(scale);
        h.extend(B::headers(scale));
        h
    }

    fn cells(&self, scale: u8) -> Vec<Cell> {
        let mut c = self.0.cells(scale);
        c.extend(self.1.cells(scale));
        c
    }
}

/// The bookings' columns (what each counts: `motcua_domain::stats::bookings`).
fn booking_columns() -> Vec<Column<BookingFigures>> {
    macro_rules! col {
        ($h:expr, $f:expr) => {
            Column::<BookingFigures> {
                header: $h.to_owned(),
                value: $f,
            }
        };
    }
    vec![
        col!("Số lịch hẹn", |b| Cell::Count(b.booked)),
        col!("Đã hủy hẹn", |b| Cell::Count(b.cancelled)),
        col!("Đến trong khung giờ hẹn", |b| Cell::Count(
            b.checked_in
        )),
        col!("Đến muộn", |b| Cell::Count(b.late)),
        col!("Đến muộn được cấp số thường", |b| {
            Cell::Count(b.late_walk_in)
        }),
        col!("Không đến", |b| Cell::Count(b.no_show)),
        col!("Chưa đến giờ hẹn", |b| Cell::Count(b.awaited)),
        col!("Tỷ lệ đến (%)", |b| Cell::Share(b.show_rate)),
        col!("Lệch giờ hẹn trung vị (phút)", |b| Cell::Minutes(
            b.lateness.median
        )),
        col!("Lệch giờ hẹn P90 (phút)", |b| Cell::Minutes(
            b.lateness.p90
        )),
    ]
}

/// The unit the Decision 766 figure counts, as the exports name it.
pub fn basis_name(basis: Basis) -> &'static str {
    match basis {
        Basis::Dossiers => "hồ sơ",
        Basis::Visits => "lượt phục vụ",
        Basis::Mixed => "hồ sơ hoặc lượt phục vụ",
    }
}

/// One cell of an exported table.
pub enum Cell {
    /// Words of our own (never a person's: those go through [`text_cell`]).
    Text(&'static str),
    Count(u64),
    /// Minutes, from seconds.
    Minutes(Option<f64>),
    /// A share, written as a percentage.
    Share(Option<f64>),
}

fn columns(scale: u8) -> Vec<Column<Figures>> {
    macro_rules! col {
        ($h:expr, $f:expr) => {
            Column::<Figures> {
                header: $h.to_owned(),
                value: $f,
            }
        };
    }
    let mut cols = vec![
        col!("Số phiếu cấp", |f| Cell::Count(f.issued)),
        col!("Chuyển đến", |f| Cell::Count(f.transferred_in)),
        col!("Đã phục vụ", |f| Cell::Count(f.served)),
        col!("Vắng mặt", |f| Cell::Count(f.absent)),
        col!("Chuyển đi", |f| Cell::Count(f.transferred)),
        col!("Trở lại hàng chờ", |f| Cell::Count(f.returned)),
        col!("Hủy", |f| Cell::Count(f.cancelled)),
        col!("Chưa xong", |f| Cell::Count(f.unfinished)),
        col!("Số lần gọi lại", |f| Cell::Count(f.recalls)),
        col!("Chờ trung bình (phút)", |f| Cell::Minutes(f.wait.mean)),
        col!("Chờ trung vị (phút)", |f| Cell::Minutes(f.wait.median)),
        col!("Chờ P90 (phút)", |f| Cell::Minutes(f.wait.p90)),
        col!("Chờ lâu nhất (phút)", |f| Cell::Minutes(f.wait.max)),
        col!("Đến quầy trung bình (phút)", |f| Cell::Minutes(
            f.walk.mean
        )),
        col!("Đến quầy trung vị (phút)", |f| Cell::Minutes(
            f.walk.median
        )),
        col!("Đến quầy P90 (phút)", |f| Cell::Minutes(f.walk.p90)),
        col!("Đến quầy lâu nhất (phút)", |f| Cell::Minutes(
            f.walk.max
        )),
        col!("Phục vụ trung bình (phút)", |f| Cell::Minutes(
            f.service.mean
        )),
        col!("Phục vụ trung vị (phút)", |f| Cell::Minutes(
            f.service.median
        )),
        col!("Phục vụ P90 (phút)", |f| Cell::Minutes(f.service.p90)),
        col!("Phục vụ lâu nhất (phút)", |f| Cell::Minutes(
            f.service.max
        )),
        col!("Tổng thời gian trung bình (phút)", |f| Cell::Minutes(
            f.total.mean
        )),
        col!("Tổng thời gian trung vị (phút)", |f| Cell::Minutes(
            f.total.median
        )),
        col!("Tổng thời gian P90 (phút)", |f| Cell::Minutes(
            f.total.p90
        )),
        col!("Tổng thời gian lâu nhất (phút)", |f| Cell::Minutes(
            f.total.max
        )),
        col!("Đúng thời gian chờ mục tiêu (%)", |f| Cell::Share(
            f.within_target
        )),
        col!("Tỷ lệ vắng mặt (%)", |f| Cell::Share(f.absent_rate)),
        col!("Thời gian mở quầy (phút)", |f| Cell::Minutes(Some(
            f.open_seconds
        ))),
        col!("Thời gian tạm dừng (phút)", |f| Cell::Minutes(Some(
            f.paused_seconds
        ))),
        col!("Rảnh khi có người chờ (phút)", |f| Cell::Minutes(
            f.idle_while_waiting_seconds
        )),
        col!("Số lượt đánh giá", |f| Cell::Count(
            f.satisfaction.rated
        )),
        col!("Tỷ lệ hài lòng (%)", |f| Cell::Share(
            f.satisfaction.satisfied_share
        )),
        col!("Tỷ lệ được đánh giá (%)", |f| Cell::Share(
            f.satisfaction.coverage
        )),
        // Where the ratings were given: the citizen's phone, or the counter's tablet.
        col!("Đánh giá qua điện thoại", |f| Cell::Count(
            f.satisfaction.by_source.phone.rated
        )),
        col!("Hài lòng qua điện thoại (%)", |f| Cell::Share(
            f.satisfaction.by_source.phone.satisfied_share
        )),
        col!("Đánh giá tại quầy", |f| Cell::Count(
            f.satisfaction.by_source.counter.rated
        )),
        col!("Hài lòng tại quầy (%)", |f| Cell::Share(
            f.satisfaction.by_source.counter.satisfied_share
        )),
        col!("Đánh giá không rõ nguồn", |f| Cell::Count(
            f.satisfaction.by_source.unknown.rated
        )),
        col!(
            "Đánh giá tại quầy được công dân đánh giá lại",
            |f| { Cell::Count(f.satisfaction.replaced) }
        ),
        // Numbers taken at the hall and numbers of bookings checked in, apart.
        col!("Phiếu lấy trực tiếp", |f| Cell::Count(
            f.by_ticket.walk_in.issued
        )),
        col!(
            "Chờ trung vị phiếu lấy trực tiếp (phút)",
            |f| { Cell::Minutes(f.by_ticket.walk_in.wait.median) }
        ),
        col!("Phiếu đặt hẹn", |f| Cell::Count(
            f.by_ticket.booked.issued
        )),
        col!("Chờ trung vị phiếu đặt hẹn (phút)", |f| {
            Cell::Minutes(f.by_ticket.booked.wait.median)
        }),
    ];
    // The Decision 766 figure: its unit, its levels on the official scale, what counts
    // against it, the share and its target.
    cols.extend([
        col!("QĐ 766: đơn vị tính", |f| Cell::Text(basis_name(
            f.official.basis
        ))),
        col!("QĐ 766: số hồ sơ (lượt) tính", |f| Cell::Count(
            f.official.units
        )),
        col!("QĐ 766: rất hài lòng", |f| Cell::Count(
            f.official.very_satisfied
        )),
        col!("QĐ 766: hài lòng", |f| Cell::Count(f.official.satisfied)),
        col!("QĐ 766: không hài lòng", |f| Cell::Count(
            f.official.dissatisfied
        )),
        col!("QĐ 766: chưa đánh giá", |f| Cell::Count(
            f.official.unrated
        )),
        col!("QĐ 766: có phản ánh", |f| Cell::Count(
            f.official.complained
        )),
        col!("QĐ 766: không hài lòng hoặc có phản ánh", |f| {
            Cell::Count(f.official.against)
        }),
        col!("Chỉ số hài lòng QĐ 766 (%)", |f| Cell::Share(
            f.official.share
        )),
        col!("Mục tiêu QĐ 766 (%)", |f| Cell::Share(Some(
            f.official.target
        ))),
        col!("Lượt phục vụ chưa gắn mã hồ sơ", |f| {
            Cell::Count(f.official.served_without_dossier)
        }),
        col!("Số phản ánh", |f| Cell::Count(f.complaints)),
        col!("Phiếu nhận kết quả", |f| Cell::Count(
            f.result_pickups
        )),
    ]);
    // Why low ratings were low, and how many times the citizens had to come.
    const REASON: [fn(&Figures) -> Cell; 5] = [
        |f| Cell::Count(f.reasons.first().map_or(0, |r| r.count)),
        |f| Cell::Count(f.reasons.get(1).map_or(0, |r| r.count)),
        |f| Cell::Count(f.reasons.get(2).map_or(0, |r| r.count)),
        |f| Cell::Count(f.reasons.get(3).map_or(0, |r| r.count)),
        |f| Cell::Count(f.reasons.get(4).map_or(0, |r| r.count)),
    ];
    for (reason, value) in Reason::ALL.iter().zip(REASON) {
        cols.push(Column {
            header: format!("Lý do đánh giá thấp: {}", reason.name_vi()),
            value,
        });
    }
    cols.extend([
        col!("Số lần phải đến: 1", |f| Cell::Count(
            f.visits_needed[0]
        )),
        col!("Số lần phải đến: 2", |f| Cell::Count(
            f.visits_needed[1]
        )),
        col!("Số lần phải đến: 3 trở lên", |f| Cell::Count(
            f.visits_needed[2]
        )),
    ]);
    const LEVEL: [fn(&Figures) -> Cell; 5] = [
        |f| Cell::Count(f.satisfaction.levels.first().copied().unwrap_or(0)),
        |f| Cell::Count(f.satisfaction.levels.get(1).copied().unwrap_or(0)),
        |f| Cell::Count(f.satisfaction.levels.get(2).copied().unwrap_or(0)),
        |f| Cell::Count(f.satisfaction.levels.get(3).copied().unwrap_or(0)),
        |f| Cell::Count(f.satisfaction.levels.get(4).copied().unwrap_or(0)),
    ];
    for (i, name) in level_names(scale).iter().enumerate() {
        if let Some(&value) = LEVEL.get(i) {
            cols.push(Column {
                header: format!("Mức {}: {name}", i + 1),
                value,
            });
        }
    }
    cols
}

/// The hall's satisfaction levels, level 1 (the worst) first.
pub fn level_names(scale: u8) -> &'static [&'static str] {
    if scale == 3 {
        &["Không hài lòng", "Hài lòng", "Rất hài lòng"]
    } else {
        &[
            "Rất không hài lòng",
            "Không hài lòng",
            "Bình thường",
            "Hài lòng",
            "Rất hài lòng",
        ]
    }
}

/// A breakdown of the figures, as an exported table names it.
#[derive(Clone, Copy)]
pub enum Breakdown {
    Total,
    Field,
    Counter,
    Clerk,
    Hour,
    Day,
}

impl Breakdown {
    const ALL: [Breakdown; 6] = [
        Breakdown::Total,
        Breakdown::Field,
        Breakdown::Counter,
        Breakdown::Clerk,
        Breakdown::Hour,
        Breakdown::Day,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "total" => Breakdown::Total,
            "field" => Breakdown::Field,
            "counter" => Breakdown::Counter,
            "clerk" => Breakdown::Clerk,
            "hour" => Breakdown::Hour,
            "day" => Breakdown::Day,
            _ => return None,
        })
    }

    pub fn slug(self) -> &'static str {
        match self {
            Breakdown::Total => "tong-hop",
            Breakdown::Field => "theo-linh-vuc",
            Breakdown::Counter => "theo-quay",
            Breakdown::Clerk => "theo-can-bo",
            Breakdown::Hour => "theo-gio",
            Breakdown::Day => "theo-ngay",
        }
    }

    /// The sheet's name and the first column's header.
    fn titles(self) -> (&'static str, &'static str) {
        match self {
            Breakdown::Total => ("Tổng hợp", "Phạm vi"),
            Breakdown::Field => ("Theo lĩnh vực", "Lĩnh vực"),
            Breakdown::Counter => ("Theo quầy", "Quầy"),
            Breakdown::Clerk => ("Theo cán bộ", "Cán bộ"),
            Breakdown::Hour => ("Theo giờ", "Giờ"),
            Breakdown::Day => ("Theo ngày", "Ngày"),
        }
    }

    /// The rows: (code, name, figures).
    fn rows(self, v: &StatsView) -> Vec<(String, String, &Figures)> {
        fn of(rows: &[Row]) -> Vec<(String, String, &Figures)> {
            rows.iter()
                .map(|r| (r.key.clone(), r.name_vi.clone(), &r.figures))
                .collect()
        }
        match self {
            Breakdown::Total => vec![(
                format!(
                    "{} – {}",
                    v.from.format("%d/%m/%Y"),
                    v.to.format("%d/%m/%Y")
                ),
                v.hall.clone(),
                &v.total,
            )],
            Breakdown::Field => of(&v.by_field),
            Breakdown::Counter => of(&v.by_counter),
            Breakdown::Clerk => of(&v.by_clerk),
            Breakdown::Hour => of(&v.by_hour),
            Breakdown::Day => of(&v.by_day),
        }
    }
}

/// Text from people (a clerk's or a field's name, a comment, a hall's name) as a spreadsheet
/// cell: text that starts like a formula (`=`, `+`, `-`, `@`, a tab or a carriage return)
/// gets a leading `'`, so Excel, LibreOffice and Google Sheets show it instead of running it
/// (a clerk named `=HYPERLINK("http://…","Bấm")` would otherwise be a link in the manager's
/// report). Figures are written as numbers and never go through this.
pub fn text_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn cell_number(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Text(_) => None,
        Cell::Count(n) => Some(*n as f64),
        Cell::Minutes(s) => s.map(|s| round2(s / 60.0)),
        Cell::Share(s) => s.map(|s| round2(s * 100.0)),
    }
}

/// A cell as CSV text: a number, or nothing where the figure is missing.
fn csv_value(cell: &Cell) -> String {
    match cell {
        Cell::Text(text) => (*text).to_owned(),
        _ => cell_number(cell).map(|x| x.to_string()).unwrap_or_default(),
    }
}

pub fn csv_table(v: &StatsView, by: Breakdown) -> Result<Vec<u8>, AppError> {
    rows_csv(by.titles().1, &by.rows(v), v.rating_scale)
}

/// The bookings' breakdowns, one after the other: (the breakdown's name, code, name, figures).
fn booking_rows(v: &StatsView) -> Vec<(&'static str, String, String, &BookingFigures)> {
    let b = &v.bookings;
    let mut rows = vec![(
        "Tổng hợp",
        format!(
            "{} – {}",
            v.from.format("%d/%m/%Y"),
            v.to.format("%d/%m/%Y")
        ),
        v.hall.clone(),
        &b.total,
    )];
    for (title, part) in [
        ("Lĩnh vực", &b.by_field),
        ("Khung giờ", &b.by_window),
        ("Ngày", &b.by_day),
        ("Nguồn đặt", &b.by_source),
    ] {
        rows.extend(
            part.iter()
                .map(|r| (title, r.key.clone(), r.name_vi.clone(), &r.figures)),
        );
    }
    rows
}

/// The bookings' figures as CSV: every breakdown in one table, its first column naming the
/// breakdown (total, field, window, day, source).
pub fn bookings_csv(v: &StatsView) -> Result<Vec<u8>, AppError> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let mut header = vec!["Theo".to_owned(), "Mã".to_owned(), "Tên".to_owned()];
        header.extend(BookingFigures::headers(v.rating_scale));
        w.write_record(&header).map_err(AppError::internal)?;
        for (by, key, name, figures) in booking_rows(v) {
            let mut record = vec![
                by.to_owned(),
                text_cell(&key).into_owned(),
                text_cell(&name).into_owned(),
            ];
            record.extend(figures.cells(v.rating_scale).iter().map(csv_value));
            w.write_record(&record).map_err(AppError::internal)?;
        }
        w.flush().map_err(AppError::internal)?;
    }
    Ok(out)
}

/// Rows of figures as CSV: the group's code and name, then every figure (Vietnamese
/// headers, times in minutes, shares in percent).
pub fn rows_csv<T: Table>(
    first: &str,
    rows: &[(String, String, T)],
    scale: u8,
) -> Result<Vec<u8>, AppError> {
    // A byte-order mark, so spreadsheet programs read the Vietnamese right.
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let mut header = vec![first.to_owned(), "Tên".to_owned()];
        header.extend(T::headers(scale));
        w.write_record(&header).map_err(AppError::internal)?;
        for (key, name, figures) in rows {
            let mut record = vec![text_cell(key).into_owned(), text_cell(name).into_owned()];
            record.extend(figures.cells(scale).iter().map(csv_value));
            w.write_record(&record).map_err(AppError::internal)?;
        }
        w.flush().map_err(AppError::internal)?;
    }
    Ok(out)
}

/// Rows of figures as one worksheet, headers in row `top`.
pub fn rows_sheet<T: Table>(
    sheet: &mut rust_xlsxwriter::Worksheet,
    top: u32,
    first: &str,
    rows: &[(String, String, T)],
    scale: u8,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::Format;
    let bold = Format::new().set_bold().set_text_wrap();
    sheet.write_string_with_format(top, 0, first, &bold)?;
    sheet.write_string_with_format(top, 1, "Tên", &bold)?;
    for (i, h) in T::headers(scale).iter().enumerate() {
        sheet.write_string_with_format(top, i as u16 + 2, h, &bold)?;
    }
    sheet.set_row_height(top, 45)?;
    sheet.set_column_width(1, 28)?;
    for (r, (key, name, figures)) in rows.iter().enumerate() {
        let row = top + 1 + r as u32;
        sheet.write_string(row, 0, text_cell(key))?;
        sheet.write_string(row, 1, text_cell(name))?;
        write_cells(sheet, row, 2, &figures.cells(scale))?;
    }
    sheet.set_freeze_panes(top + 1, 2)?;
    Ok(())
}

/// Figures as numbers in a row of a worksheet, from column `first`.
fn write_cells(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    first: u16,
    cells: &[Cell],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::Format;
    let minutes = Format::new().set_num_format("0.00");
    let percent = Format::new().set_num_format("0.0");
    {
        for (i, cell) in cells.iter().enumerate() {
            let col = i as u16 + first;
            match (cell, cell_number(cell)) {
                (Cell::Text(text), _) => {
                    sheet.write_string(row, col, *text)?;
                }
                (_, None) => {}
                (Cell::Count(_), Some(x)) => {
                    sheet.write_number(row, col, x)?;
                }
                (Cell::Minutes(_), Some(x)) => {
                    sheet.write_number_with_format(row, col, x, &minutes)?;
                }
                (Cell::Share(_), Some(x)) => {
                    sheet.write_number_with_format(row, col, x, &percent)?;
                }
            }
        }
    }
    Ok(())
}

fn download(content_type: &str, filename: String, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// A CSV table as a download named `filename`.
pub fn csv_download(filename: String, body: Vec<u8>) -> Response {
    download("text/csv; charset=utf-8", filename, body)
}

/// An Excel workbook built by `build` (off the async workers: writing one is CPU work) as
/// a download named `filename`.
pub async fn xlsx_download(
    filename: String,
    build: impl FnOnce() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> + Send + 'static,
) -> Result<Response, AppError> {
    let body = tokio::task::spawn_blocking(build)
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok(download(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename,
        body,
    ))
}

pub fn workbook(v: &StatsView) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold().set_text_wrap();
    for by in Breakdown::ALL {
        let (title, first) = by.titles();
        let sheet = book.add_worksheet().set_name(title)?;
        let top: u32 = if let Breakdown::Total = by {
            let title = format!(
                "{} · {} – {}",
                v.hall,
                v.from.format("%d/%m/%Y"),
                v.to.format("%d/%m/%Y")
            );
            sheet.write_string(0, 0, text_cell(&title))?;
            sheet.write_string(1, 0, format!("Lập lúc {}", v.generated_at))?;
            3
        } else {
            0
        };
        rows_sheet(sheet, top, first, &by.rows(v), v.rating_scale)?;
    }
    let sheet = book.add_worksheet().set_name("Lịch hẹn")?;
    for (i, h) in ["Theo", "Mã", "Tên"]
        .into_iter()
        .map(str::to_owned)
        .chain(BookingFigures::headers(v.rating_scale))
        .enumerate()
    {
        sheet.write_string_with_format(0, i as u16, h, &bold)?;
    }
    sheet.set_row_height(0, 45)?;
    sheet.set_column_width(2, 28)?;
    for (r, (by, key, name, figures)) in booking_rows(v).into_iter().enumerate() {
        let row = r as u32 + 1;
        sheet.write_string(row, 0, by)?;
        sheet.write_string(row, 1, text_cell(&key))?;
        sheet.write_string(row, 2, text_cell(&name))?;
        write_cells(sheet, row, 3, &figures.cells(v.rating_scale))?;
    }
    sheet.set_freeze_panes(1, 3)?;
    let sheet = book.add_worksheet().set_name("Phân bố thời gian chờ")?;
    sheet.write_string_with_format(0, 0, "Từ (phút)", &bold)?;
    sheet.write_string_with_format(0, 1, "Đến (phút)", &bold)?;
    sheet.write_string_with_format(0, 2, "Số lượt", &bold)?;
    for (i, b) in v.wait_histogram.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, b.from_minutes)?;
        if let Some(to) = b.to_minutes {
            sheet.write_number(row, 1, to)?;
        }
        sheet.write_number(row, 2, b.count as f64)?;
    }
    let sheet = book.add_worksheet().set_name("Độ chính xác ước tính")?;
    let e = &v.estimate;
    let lines: [(&str, Option<f64>); 4] = [
        ("Số phiếu có ước tính", Some(e.quoted as f64)),
        (
            "Sai số tuyệt đối trung bình (phút)",
            e.mean_abs_error_minutes.map(round2),
        ),
        (
            "Chờ lâu hơn ước tính (%)",
            e.share_longer.map(|s| round2(s * 100.0)),
        ),
        (
            "Chờ lâu hơn ước tính trên 5 phút (%)",
            e.share_5_min_longer.map(|s| round2(s * 100.0)),
        ),
    ];
    sheet.set_column_width(0, 40)?;
    for (i, (label, value)) in lines.into_iter().enumerate() {
        sheet.write_string(i as u32, 0, label)?;
        if let Some(x) = value {
            sheet.write_number(i as u32, 1, x)?;
        }
    }
    let sheet = book.add_worksheet().set_name("Góp ý")?;
    for (i, h) in ["Thời gian", "Lĩnh vực", "Quầy", "Cán bộ", "Mức", "Góp ý"]
        .iter()
        .enumerate()
    {
        sheet.write_string_with_format(0, i as u16, *h, &bold)?;
    }
    sheet.set_column_width(0, 26)?;
    sheet.set_column_width(5, 60)?;
    for (i, c) in v.comments.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &c.at)?;
        sheet.write_string(row, 1, text_cell(name_of_field_in(v, &c.field)))?;
        if let Some(no) = c.counter {
            sheet.write_number(row, 2, no)?;
        }
        sheet.write_string(row, 3, text_cell(c.clerk.as_deref().unwrap_or("")))?;
        sheet.write_number(row, 4, c.level)?;
        sheet.write_string(row, 5, text_cell(&c.comment))?;
    }
    book.save_to_buffer()
}

fn name_of_field_in<'a>(v: &'a StatsView, code: &'a str) -> &'a str {
    v.by_field
        .iter()
        .find(|r| r.key == code)
        .map(|r| r.name_vi.as_str())
        .unwrap_or(code)
}

/// The ratings of dossiers as a CSV a province's administrative-procedure system can
/// import: one line per dossier per served visit that was rated or complained about.
/// Columns: `ma_ho_so` (the dossier's code), `ma_don_vi` (the hall's code: the collector's
/// export only, `halls` given), `linh_vuc` and `ten_linh_vuc` (the field), `thoi_gian`
/// (when it was rated, else served: RFC 3339 in the hall's time), `muc_do` (the official
/// level of Decision 766: 1 Rất hài lòng, 2 Hài lòng, 3 Không hài lòng; empty when not
/// rated), `ten_muc_do`, `ly_do` (the low rating's reasons, names joined by "; "),
/// `so_lan_den` (how many times the citizen came: 1, 2, 3 = three or more), `phan_anh`
/// (complaints about the visit). UTF-8 with a byte-order mark, CRLF line ends, text that
/// starts like a formula quoted as in the other exports.
pub fn dossiers_csv<'a>(
    rows: &[motcua_store::dossier_ratings::DossierRating],
    hall_of: impl Fn(i64) -> Option<(&'a str, &'a Hall)>,
    with_hall_code: bool,
) -> Result<Vec<u8>, AppError> {
    use motcua_domain::satisfaction::official;
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let mut header = vec!["ma_ho_so"];
        if with_hall_code {
            header.push("ma_don_vi");
        }
        header.extend([
            "linh_vuc",
            "ten_linh_vuc",
            "thoi_gian",
            "muc_do",
            "ten_muc_do",
            "ly_do",
            "so_lan_den",
            "phan_anh",
        ]);
        w.write_record(&header).map_err(AppError::internal)?;
        for r in rows {
            let Some((code, hall)) = hall_of(r.hall) else {
                continue;
            };
            let level = r.rating.map(|(level, scale)| official(level, scale));
            let reasons: Vec<&str> = r
                .reasons
                .iter()
                .map(|code| match Reason::parse(code) {
                    Some(reason) => reason.name_vi(),
                    None => code.as_str(),
                })
                .collect();
            let mut record = vec![text_cell(&r.dossier).into_owned()];
            if with_hall_code {
                record.push(text_cell(code).into_owned());
            }
            record.extend([
                text_cell(&r.service).into_owned(),
                text_cell(&name_of_field(hall, &r.service).0).into_owned(),
                motcua_domain::local_time(hall, r.at),
                level.map(|l| l.number().to_string()).unwrap_or_default(),
                level.map(|l| l.name_vi().to_owned()).unwrap_or_default(),
                reasons.join("; "),
                r.visits_needed.map(|n| n.to_string()).unwrap_or_default(),
                r.complaints.to_string(),
            ]);
            w.write_record(&record).map_err(AppError::internal)?;
        }
        w.flush().map_err(AppError::internal)?;
    }
    Ok(out)
}
