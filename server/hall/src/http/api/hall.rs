//! The hall as the kiosk and the screens first read it: its fields, voices and notice; a
//! spoken call; whether the server is up.

use super::*;

/// The hall as a kiosk, a display or a phone starts from: its name, fields and priorities.
#[derive(Debug, Serialize, ToSchema)]
pub struct HallInfo {
    pub hall: String,
    /// The hall's time zone (IANA name), e.g. `Asia/Ho_Chi_Minh`.
    pub timezone: String,
    /// Ratings are 1 to this.
    pub rating_scale: u8,
    /// A line the kiosk and the displays show (may be empty).
    pub notice: String,
    pub announcements: AnnouncementSettings,
    pub priorities: Vec<PriorityLabel>,
    pub services: Vec<views::ServiceView>,
    /// A called citizen may be marked absent this many seconds after the call, or after a
    /// recall (the console offers it then).
    pub absent_after_seconds: u32,
    /// An absence may be undone for this many minutes.
    pub absent_undo_minutes: u32,
    /// Whether the hall takes bookings, and whether walk-ins are for priority only.
    pub bookings: BookingMode,
    /// Whether numbers are given now, until when, and if not why and from when again.
    pub issuing: IssuingView,
    /// A recall comes at least this many minutes after the last call (0: at once).
    pub recall_gap_minutes: u32,
    /// After this many calls the hall marks an unanswered ticket absent itself (0: never).
    pub absent_after_calls: u32,
}

/// Whether numbers are given now (the hall's hours and cut-off): what the kiosk shows
/// before ("Cấp số đến 16:30") and after ("Đã ngừng cấp số lúc 16:30 — mời quay lại 7:30
/// thứ Hai").
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuingView {
    /// The hall's time when this was read (a page says "7:30" for later today, "7:30 thứ
    /// Hai" for another day, against it).
    pub now: String,
    pub open: bool,
    /// While open: when numbers stop today (`null`: at no set hour).
    pub until: Option<String>,
    /// While stopped: `closed_day`, `not_yet`, `break` or `day_over`.
    pub why: Option<motcua_domain::Stop>,
    /// While stopped: the cut-off that passed today, if one did.
    pub since: Option<String>,
    /// While stopped: when numbers are given again (`null`: no working day ahead).
    pub reopens: Option<String>,
    /// A closed day's name (a holiday's, "Ngày nghỉ cuối tuần"), both languages.
    pub closed_vi: Option<String>,
    pub closed_en: Option<String>,
}

/// [`IssuingView`] of the hall at `now`.
pub fn issuing_view(hall: &motcua_domain::Hall, now: chrono::DateTime<chrono::Utc>) -> IssuingView {
    let at = |t: chrono::DateTime<chrono::Utc>| motcua_domain::local_time(hall, millis(t));
    match hall.issuing.at(&hall.bookings, hall.tz, now) {
        motcua_domain::Issuing::Open { until } => IssuingView {
            now: at(now),
            open: true,
            until: until.map(at),
            why: None,
            since: None,
            reopens: None,
            closed_vi: None,
            closed_en: None,
        },
        motcua_domain::Issuing::Stopped {
            why,
            since,
            reopens,
            closure,
        } => IssuingView {
            now: at(now),
            open: false,
            until: None,
            why: Some(why),
            since: since.map(at),
            reopens: reopens.map(at),
            closed_vi: closure.as_ref().map(|c| c.vi.to_owned()),
            closed_en: closure.as_ref().map(|c| c.en.to_owned()),
        },
    }
}

/// How the hall takes bookings, as the kiosk needs to know.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingMode {
    pub enabled: bool,
    /// Walk-in numbers at the kiosk only for the law's priority categories.
    pub online_only: bool,
}

/// How the displays speak a call.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnnouncementSettings {
    /// 0 to 100.
    pub volume: u8,
    /// Ring a chime before each announcement.
    pub chime: bool,
}

/// A priority category as the kiosk offers it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriorityLabel {
    pub code: Priority,
    pub label_vi: String,
    pub label_en: String,
}

/// The hall's fields, their queues and the priority categories.
///
/// Who may call: anyone (the kiosk, the displays and the phone page read it first).
#[utoipa::path(
    get,
    path = "/api/services",
    tags = ["kiosk", "display", "phone"],
    responses((status = 200, description = "the hall, its fields and priorities", body = HallInfo)),
)]
pub async fn services(
    State(store): State<Store>,
    State(clock): State<Arc<dyn Clock>>,
    State(announcer): State<crate::announce::Announcer>,
) -> Result<Json<HallInfo>, AppError> {
    let hall = store.hall();
    let now = clock.now();
    let list = {
        let hall = hall.clone();
        store
            .read(move |conn| views::services(conn, &hall, millis(now)))
            .await?
    };
    Ok(Json(HallInfo {
        hall: hall.name.clone(),
        timezone: hall.tz.name().to_owned(),
        rating_scale: hall.rating_scale,
        notice: hall.notice.clone(),
        announcements: AnnouncementSettings {
            volume: announcer.voice().volume,
            chime: announcer.voice().chime,
        },
        priorities: Priority::ALL
            .iter()
            .map(|p| PriorityLabel {
                code: *p,
                label_vi: p.label().0.to_owned(),
                label_en: p.label().1.to_owned(),
            })
            .collect(),
        services: list,
        absent_after_seconds: hall.absence.after_call_secs,
        absent_undo_minutes: hall.absence.undo_minutes,
        bookings: BookingMode {
            enabled: hall.bookings.enabled,
            online_only: hall.bookings.enabled && hall.bookings.online_only,
        },
        issuing: issuing_view(&hall, now),
        recall_gap_minutes: hall.recall.recall_gap_minutes,
        absent_after_calls: hall.recall.absent_after_calls,
    }))
}

/// Which call to speak.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnnouncementQuery {
    /// The ticket's code, e.g. `A012`.
    code: String,
    /// The counter's number.
    counter: String,
}

/// The spoken call for a ticket code at a counter, as WAV (displays fetch it on each call).
/// Only for a ticket called (or recalled) today at that counter; signed-in staff may hear
/// any code, to try the voice.
///
/// Who may call: anyone, for a call the hall has made today; staff, for any code.
#[utoipa::path(
    get,
    path = "/api/announcements",
    tag = "display",
    params(AnnouncementQuery),
    responses(
        (status = 200, description = "the call, spoken", body = [u8], content_type = "audio/wav"),
        (status = 404, description = "`counter_not_found`; `not_called`: no ticket of this code was called at this counter today; `no_voice`: espeak-ng is missing or failed", body = ErrorBody),
        (status = 422, description = "`bad_code`", body = ErrorBody),
    ),
)]
pub async fn announcement(
    State(store): State<Store>,
    State(announcer): State<crate::announce::Announcer>,
    State(clock): State<Arc<dyn Clock>>,
    caller: Result<Caller, AppError>,
    Query(q): Query<AnnouncementQuery>,
) -> Result<Response, AppError> {
    let counter = counter_no(&store.hall(), &q.counter)?;
    let valid = (1..=9).contains(&q.code.len())
        && q.code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !valid {
        return Err(AppError::invalid(
            "bad_code",
            "a ticket code is 1 to 9 capital letters or digits",
        ));
    }
    // Synthesis costs a process and a few hundred KB: only for what the hall has said.
    let preview = matches!(caller, Ok(Caller::Staff(_)));
    if !preview {
        let day = motcua_domain::numbering::local_day(clock.now(), store.hall().tz).to_string();
        let code = q.code.clone();
        let no = counter.get();
        let called = store
            .read(move |conn| tickets::called_at(conn, &day, &code, no))
            .await?;
        if !called {
            return Err(AppError::not_found(
                "not_called",
                "no ticket of this code was called at this counter today",
            ));
        }
    }
    let audio = announcer
        .speak(crate::announce::phrase(&q.code, counter.get()))
        .await?;
    let cache = if preview {
        "no-store"
    } else {
        "public, max-age=86400"
    };
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "audio/wav"),
            (axum::http::header::CACHE_CONTROL, cache),
        ],
        audio,
    )
        .into_response())
}

/// The server is up and its database answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: String,
    /// The last event written.
    pub seq: i64,
}

/// Is the server up, and how far is its log.
///
/// Who may call: anyone.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "admin",
    responses((status = 200, description = "up", body = Health)),
)]
pub async fn healthz(State(store): State<Store>) -> Result<Json<Health>, AppError> {
    let seq = store.read(events::last_seq).await?;
    Ok(Json(Health {
        status: "ok".to_owned(),
        seq,
    }))
}
