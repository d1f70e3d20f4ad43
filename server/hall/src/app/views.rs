//! The hall as its screens and clients read it: tickets, counters, fields and the
//! snapshots live feeds start with, with each waiting ticket's place and estimate. Built
//! from the store's rows and the domain's estimate; used inside the writer's transaction
//! (for the answer of a command and its live update) and by readers alike.

use motcua_domain::event::RatingChannel;
use motcua_domain::{CounterNo, CounterState, Hall, Priority, ServiceCode, Status};
use motcua_store::tickets::{self, TicketRow};
use motcua_store::{StoreError, counters, events};
use rusqlite::Connection;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A ticket as the outside world sees it: no token, nothing personal.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TicketView {
    pub id: i64,
    pub code: String,
    pub service: ServiceCode,
    pub service_name_vi: String,
    pub service_name_en: String,
    pub priority: Priority,
    pub status: Status,
    pub counter: Option<CounterNo>,
    pub issued_at: String,
    pub called_at: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub recalls: u32,
    /// People who will be called before this ticket at the counters serving its field,
    /// whatever their field (waiting tickets only).
    pub ahead: Option<u32>,
    /// Minutes until this ticket is likely called (waiting tickets only).
    pub eta_minutes: Option<u32>,
    /// A waiting ticket whose field no open counter serves now (its counters are paused or
    /// closed): the pages say so instead of the estimate, which cannot know when one opens.
    pub no_counter_open: bool,
    /// The field the ticket was issued in, when it now waits in another (it was
    /// transferred): the phone explains the move even when opened afresh.
    pub transferred_from: Option<TicketField>,
    pub rating: Option<u8>,
    /// Where the rating was given: kept from the holder's view (below), not sent.
    #[serde(skip)]
    pub rating_source: Option<RatingChannel>,
    /// A booked number: its appointment, local `HH:MM` (it is called by that time).
    pub booked_for: Option<String>,
    /// A result pick-up ticket ("nhận kết quả"): the citizen came back with a dossier's
    /// receipt to collect its result.
    pub result_pickup: bool,
    /// Where to go: the counters that serve the ticket's field, by number, as the hall's
    /// settings say now ("Quầy phục vụ: 1, 3" on the ticket and the phone).
    pub serving_counters: Vec<CounterNo>,
}

/// A ticket as its holder sees it (the phone page, the rating answer): the view without
/// its priority category. The token is printed on a paper ticket anyone may pick up, and
/// "pregnant" or "disabled" is nobody else's business; the phone page has no use for it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CitizenTicket {
    pub id: i64,
    pub code: String,
    pub service: ServiceCode,
    pub service_name_vi: String,
    pub service_name_en: String,
    pub status: Status,
    pub counter: Option<CounterNo>,
    pub issued_at: String,
    pub called_at: Option<String>,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub recalls: u32,
    /// People who will be called before this ticket at the counters serving its field,
    /// whatever their field (waiting tickets only).
    pub ahead: Option<u32>,
    /// Minutes until this ticket is likely called (waiting tickets only).
    pub eta_minutes: Option<u32>,
    /// No open counter serves this waiting ticket's field now: the page says so instead of
    /// the estimate.
    pub no_counter_open: bool,
    /// The field the ticket was issued in, when it now waits in another (it was transferred).
    pub transferred_from: Option<TicketField>,
    /// The citizen's own rating. A rating the counter's tablet gave is not shown: the
    /// phone still asks, and the citizen's answer replaces it.
    pub rating: Option<u8>,
    /// A booked number: its appointment, local `HH:MM`.
    pub booked_for: Option<String>,
    /// A result pick-up ticket ("nhận kết quả"): the page says so.
    pub result_pickup: bool,
    /// Where to go: the counters that serve the ticket's field, by number ("Quầy phục vụ:
    /// 1, 3"), as the hall's settings say now.
    pub serving_counters: Vec<CounterNo>,
}

/// A field named as a ticket names its own (`service`, `service_name_vi`, `service_name_en`).
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TicketField {
    pub service: ServiceCode,
    pub service_name_vi: String,
    pub service_name_en: String,
}

impl TicketField {
    fn of(hall: &Hall, code: &ServiceCode) -> TicketField {
        let (vi, en) = hall
            .service(code)
            .map(|s| (s.name_vi.clone(), s.name_en.clone()))
            .unwrap_or_else(|| (code.to_string(), code.to_string()));
        TicketField {
            service: code.clone(),
            service_name_vi: vi,
            service_name_en: en,
        }
    }
}

impl From<&TicketView> for CitizenTicket {
    fn from(v: &TicketView) -> Self {
        CitizenTicket {
            id: v.id,
            code: v.code.clone(),
            service: v.service.clone(),
            service_name_vi: v.service_name_vi.clone(),
            service_name_en: v.service_name_en.clone(),
            status: v.status,
            counter: v.counter,
            issued_at: v.issued_at.clone(),
            called_at: v.called_at.clone(),
            started_at: v.started_at.clone(),
            finished_at: v.finished_at.clone(),
            recalls: v.recalls,
            ahead: v.ahead,
            eta_minutes: v.eta_minutes,
            no_counter_open: v.no_counter_open,
            transferred_from: v.transferred_from.clone(),
            rating: v
                .rating
                .filter(|_| v.rating_source != Some(RatingChannel::Counter)),
            booked_for: v.booked_for.clone(),
            result_pickup: v.result_pickup,
            serving_counters: v.serving_counters.clone(),
        }
    }
}

pub use motcua_domain::local_time;

pub fn ticket_view(
    conn: &Connection,
    hall: &Hall,
    t: &TicketRow,
) -> Result<TicketView, StoreError> {
    let estimate = if t.status == Status::Waiting {
        let estimates = Estimates::read(conn, hall, hall_time(conn)?)?;
        let place = estimates
            .place(t.id)
            .unwrap_or_else(|| estimates.newcomer(&t.service));
        Some(Place::of(&estimates, &t.service, place))
    } else {
        None
    };
    Ok(ticket_view_known(hall, t, estimate))
}

/// Where a waiting ticket stands: the people called before it, the minutes until its call,
/// and whether any open counter serves its field now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    pub ahead: u32,
    pub eta_minutes: u32,
    pub no_counter_open: bool,
}

impl Place {
    /// The replay's (people ahead, minutes) for a ticket of `service`, with whether an open
    /// counter serves the field.
    pub fn of(estimates: &Estimates, service: &ServiceCode, (ahead, eta): (u32, u32)) -> Place {
        Place {
            ahead,
            eta_minutes: eta,
            no_counter_open: estimates.counters_open(service) == 0,
        }
    }
}

/// Whether no open counter serves `service` now (its counters are all paused or closed).
pub fn no_counter_open(
    conn: &Connection,
    hall: &Hall,
    service: &ServiceCode,
) -> Result<bool, StoreError> {
    let open = counters::now(conn)?
        .into_iter()
        .filter(|(_, state, _)| *state == CounterState::Open)
        .filter_map(|(no, _, _)| CounterNo::try_from(no).ok())
        .any(|no| {
            hall.counter(no)
                .is_some_and(|c| c.services.contains(service))
        });
    Ok(!open)
}

/// A ticket's view when its place in the queue is already known.
pub fn ticket_view_known(hall: &Hall, t: &TicketRow, estimate: Option<Place>) -> TicketView {
    let field = TicketField::of(hall, &t.service);
    TicketView {
        id: t.id,
        code: t.code.clone(),
        service: field.service,
        service_name_vi: field.service_name_vi,
        service_name_en: field.service_name_en,
        priority: t.priority,
        status: t.status,
        counter: t.counter_no,
        issued_at: local_time(hall, t.issued_at),
        called_at: t.called_at.map(|ms| local_time(hall, ms)),
        started_at: t.started_at.map(|ms| local_time(hall, ms)),
        finished_at: t.finished_at.map(|ms| local_time(hall, ms)),
        recalls: t.recalls,
        ahead: estimate.map(|e| e.ahead),
        eta_minutes: estimate.map(|e| e.eta_minutes),
        no_counter_open: estimate.is_some_and(|e| e.no_counter_open),
        transferred_from: (t.status == Status::Waiting && t.service != t.first_service)
            .then(|| TicketField::of(hall, &t.first_service)),
        rating: t.rating,
        rating_source: t.rating_source,
        booked_for: t.booked_for.map(|at| motcua_domain::local_hhmm(hall, at)),
        result_pickup: t.result_pickup,
        serving_counters: serving_counters(hall, &t.service),
    }
}

/// The counters that serve `service`, by number: where its tickets go when called.
pub fn serving_counters(hall: &Hall, service: &ServiceCode) -> Vec<CounterNo> {
    let mut counters: Vec<CounterNo> = hall
        .counters
        .iter()
        .filter(|c| c.services.contains(service))
        .map(|c| c.no)
        .collect();
    counters.sort();
    counters
}

pub use super::estimate::{Estimates, hall_time, place_at_issue};

/// Views of tickets, in the order given, the places of the waiting ones read from one
/// replay of the hall.
pub fn queue_views(
    conn: &Connection,
    hall: &Hall,
    rows: &[TicketRow],
) -> Result<Vec<TicketView>, StoreError> {
    let estimates = if rows.iter().any(|t| t.status == Status::Waiting) {
        Some(Estimates::read(conn, hall, hall_time(conn)?)?)
    } else {
        None
    };
    Ok(rows
        .iter()
        .map(|t| {
            let place = estimates
                .as_ref()
                .filter(|_| t.status == Status::Waiting)
                .and_then(|e| e.place(t.id).map(|p| Place::of(e, &t.service, p)));
            ticket_view_known(hall, t, place)
        })
        .collect())
}

/// Every waiting ticket's place in some fields at one moment (as of event `seq`), read
/// together: one replay of the hall, instead of one per ticket. The live feeds read it once per change and share it among all the phones that
/// follow a ticket of those fields.
#[derive(Debug)]
pub struct Places {
    /// The last event when the places were read.
    pub seq: i64,
    /// The fields read, sorted.
    fields: Vec<ServiceCode>,
    /// Each waiting ticket's field (its index in `fields`) and place.
    places: HashMap<i64, (usize, Place)>,
}

impl Places {
    /// Read the places of every waiting ticket of `fields` as they are now, in one read
    /// transaction.
    pub fn read(
        conn: &Connection,
        hall: &Hall,
        fields: &[ServiceCode],
    ) -> Result<Places, StoreError> {
        let tx = conn.unchecked_transaction()?;
        let seq = events::last_seq(conn)?;
        let mut fields = fields.to_vec();
        fields.sort();
        fields.dedup();
        let now = hall_time(conn)?;
        let waiting = super::estimate::all_waiting(conn, hall, now)?;
        let mut places = HashMap::new();
        if waiting
            .iter()
            .any(|w| fields.binary_search(&w.service).is_ok())
        {
            let estimates = Estimates::read_with(conn, hall, now, &waiting)?;
            for w in &waiting {
                if let (Ok(field), Some(place)) =
                    (fields.binary_search(&w.service), estimates.place(w.id))
                {
                    places.insert(w.id, (field, Place::of(&estimates, &w.service, place)));
                }
            }
        }
        tx.finish()?;
        Ok(Places {
            seq,
            fields,
            places,
        })
    }

    /// The place of ticket `t` as of [`Places::seq`]: `None` unless it was waiting then, in
    /// `t`'s field, among the fields read.
    pub fn of(&self, t: &TicketRow) -> Option<Place> {
        let (field, place) = self.places.get(&t.id)?;
        (self.fields.get(*field) == Some(&t.service)).then_some(*place)
    }
}

/// `fields` and every field linked to them through counters serving several fields: the
/// fields whose waiting tickets' places can move when one of `fields` changes.
pub fn linked_fields(hall: &Hall, fields: &[ServiceCode]) -> Vec<ServiceCode> {
    let mut linked: Vec<ServiceCode> = fields.to_vec();
    let mut grew = !linked.is_empty();
    while grew {
        grew = false;
        for c in &hall.counters {
            if c.services.iter().any(|s| linked.contains(s)) {
                for s in &c.services {
                    if !linked.contains(s) {
                        linked.push(s.clone());
                        grew = true;
                    }
                }
            }
        }
    }
    linked
}

/// A counter as displays and consoles see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CounterView {
    pub no: CounterNo,
    #[serde(flatten)]
    pub state: CounterState,
    pub services: Vec<ServiceCode>,
    pub current: Option<TicketView>,
}

pub fn counter_view(
    conn: &Connection,
    hall: &Hall,
    no: CounterNo,
) -> Result<CounterView, StoreError> {
    let state = counters::get(conn, no)?.map_or(CounterState::Closed, |c| c.state);
    let current = match tickets::at_counter(conn, no)? {
        Some(t) => Some(ticket_view(conn, hall, &t)?),
        None => None,
    };
    Ok(CounterView {
        no,
        state,
        services: hall
            .counter(no)
            .map(|c| c.services.clone())
            .unwrap_or_default(),
        current,
    })
}

/// How many wait in each field (every field listed, zero included).
pub fn waiting_counts(conn: &Connection, hall: &Hall) -> Result<BTreeMap<String, u32>, StoreError> {
    let mut counts: BTreeMap<String, u32> = hall
        .services
        .iter()
        .map(|s| (s.code.to_string(), 0))
        .collect();
    counts.extend(tickets::waiting_counts(conn)?);
    Ok(counts)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceView {
    pub code: ServiceCode,
    pub name_vi: String,
    pub name_en: String,
    pub target_wait_minutes: u32,
    pub waiting: u32,
    /// People who would be called before a ticket taken now (normal priority) at the
    /// counters serving this field: other fields' older tickets at shared counters too.
    pub ahead: u32,
    /// Minutes a ticket taken now should expect to wait (normal priority).
    pub eta_minutes: u32,
    /// Counters open for this field now.
    pub counters_open: u32,
    /// Walk-in numbers the field gives a day (0: no bound).
    pub daily_quota: u32,
    /// Of them, the numbers left today (`null`: no bound); at 0 the kiosk says "Đã hết số
    /// hôm nay" on the field.
    pub quota_left: Option<u32>,
    /// The picture on the kiosk's button, when the hall chose one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
}

/// The hall's fields as the kiosk and the screens show them, at `now_ms` (the day whose
/// numbers the quotas count).
pub fn services(
    conn: &Connection,
    hall: &Hall,
    now_ms: i64,
) -> Result<Vec<ServiceView>, StoreError> {
    let day = chrono::DateTime::from_timestamp_millis(now_ms)
        .unwrap_or_default()
        .with_timezone(&hall.tz)
        .date_naive()
        .to_string();
    let counts = waiting_counts(conn, hall)?;
    let estimates = Estimates::read(conn, hall, hall_time(conn)?)?;
    let mut out = Vec::new();
    for s in &hall.services {
        let waiting = counts.get(s.code.as_str()).copied().unwrap_or(0);
        out.push(ServiceView {
            code: s.code.clone(),
            name_vi: s.name_vi.clone(),
            name_en: s.name_en.clone(),
            target_wait_minutes: s.target_wait_minutes,
            waiting,
            ahead: estimates.newcomer(&s.code).0,
            eta_minutes: estimates.newcomer(&s.code).1,
            counters_open: estimates.counters_open(&s.code),
            daily_quota: s.daily_quota,
            quota_left: match s.daily_quota {
                0 => None,
                quota => Some(quota.saturating_sub(super::day_rules::given_on(conn, &day, s)?)),
            },
            icon: s.icon.clone(),
        });
    }
    Ok(out)
}

/// A call as the hall display lists it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CallView {
    pub seq: i64,
    pub code: String,
    pub service: String,
    pub counter: Option<u16>,
    pub at: String,
    pub kind: String,
    /// Where the ticket stands now (`called` or `serving` while the call still holds;
    /// `waiting` once returned or transferred; `served`, `absent`, `cancelled`): a display
    /// never sends anyone to a counter for a call that no longer holds.
    #[schema(value_type = String, example = "called")]
    pub status: String,
}

/// The latest calls and recalls of the hall's latest day, newest first.
pub fn recent_calls(
    conn: &Connection,
    hall: &Hall,
    limit: u32,
) -> Result<Vec<CallView>, StoreError> {
    let day = tickets::latest_day(conn)?.unwrap_or_default();
    Ok(events::recent_calls(conn, &day, limit)?
        .into_iter()
        .map(|(seq, code, service, counter, at, kind, status)| CallView {
            seq,
            code,
            service: service.unwrap_or_default(),
            counter,
            at: local_time(hall, at),
            kind,
            status,
        })
        .collect())
}

/// Everything a hall display needs to draw itself from nothing.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HallSnapshot {
    /// Always `snapshot`.
    #[serde(rename = "type")]
    #[schema(value_type = String, example = "snapshot")]
    pub kind: &'static str,
    pub seq: i64,
    /// The hall's time when the snapshot was read: displays time how long a call stays
    /// up by the hall's clock, not their own.
    pub now: String,
    pub hall: String,
    pub services: Vec<ServiceView>,
    pub counters: Vec<CounterView>,
    pub recent_calls: Vec<CallView>,
}

/// `now_ms`: the hall's clock as the snapshot is read.
pub fn hall_snapshot(
    conn: &Connection,
    hall: &Hall,
    now_ms: i64,
) -> Result<HallSnapshot, StoreError> {
    let seq = events::last_seq(conn)?;
    let mut counters = Vec::new();
    for c in &hall.counters {
        counters.push(counter_view(conn, hall, c.no)?);
    }
    Ok(HallSnapshot {
        kind: "snapshot",
        seq,
        now: local_time(hall, now_ms),
        hall: hall.name.clone(),
        services: services(conn, hall, now_ms)?,
        counters,
        recent_calls: recent_calls(conn, hall, 10)?,
    })
}

/// Everything a counter display or console needs: the counter and its waiting list, in
/// the order "Next" would take them (priority first).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CounterSnapshot {
    /// Always `snapshot`.
    #[serde(rename = "type")]
    #[schema(value_type = String, example = "snapshot")]
    pub kind: &'static str,
    pub seq: i64,
    pub counter: CounterView,
    pub waiting: Vec<TicketView>,
}

pub fn counter_snapshot(
    conn: &Connection,
    hall: &Hall,
    no: CounterNo,
) -> Result<CounterSnapshot, StoreError> {
    let seq = events::last_seq(conn)?;
    let counter = counter_view(conn, hall, no)?;
    let mut waiting = tickets::waiting_in(conn, &counter.services)?;
    waiting.sort_by_key(|t| (!t.priority.is_priority(), t.queued_at, t.id));
    let waiting = queue_views(conn, hall, &waiting)?;
    Ok(CounterSnapshot {
        kind: "snapshot",
        seq,
        counter,
        waiting,
    })
}

/// What a result pick-up ticket's paper says where a priority ticket shows its category.
pub const RESULT_PICKUP_LABEL: &str = "Nhận kết quả";

/// What goes on paper for a ticket just issued.
pub fn ticket_paper(
    hall: &Hall,
    t: &TicketView,
    url: &str,
    footer: &str,
) -> motcua_printer::TicketPrint {
    let issued_at = chrono::DateTime::parse_from_rfc3339(&t.issued_at)
        .map(|at| at.format("%H:%M  %d/%m/%Y").to_string())
        .unwrap_or_else(|_| t.issued_at.clone());
    motcua_printer::TicketPrint {
        hall: hall.name.clone(),
        service: t.service_name_vi.clone(),
        code: t.code.clone(),
        // A booked number, or a result pick-up ticket, says so where a priority ticket shows
        // its category.
        priority: match &t.booked_for {
            Some(time) => Some(format!("Số hẹn · giờ hẹn {time}")),
            None if t.result_pickup => Some(RESULT_PICKUP_LABEL.to_owned()),
            None => t
                .priority
                .is_priority()
                .then(|| t.priority.label().0.to_owned()),
        },
        issued_at,
        ahead: t.ahead.unwrap_or(0),
        eta_minutes: t.eta_minutes.unwrap_or(0),
        counters: t.serving_counters.iter().map(|c| c.get()).collect(),
        url: url.to_owned(),
        footer: footer.to_owned(),
    }
}
