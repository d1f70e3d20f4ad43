//! Live updates over WebSocket: the hall feed (`/ws/hall`), one feed per counter
//! (`/ws/counters/{no}`) and one per ticket (`/ws/tickets/{token}`).
//!
//! The hub follows the application's feed of committed changes ([`crate::app::Committed`],
//! in commit order) and turns each into one [`Change`]: its frame for hall and counter
//! displays is serialised once, here, and shared by every display. Each socket starts with
//! a full snapshot, then forwards the changes that concern it, each carrying the event's
//! sequence number. A socket that falls behind (`Lagged`) is not dropped: it gets a fresh
//! snapshot and carries on.

use crate::app::views::{self, CitizenTicket, CounterView, Places, TicketView};
use crate::app::{App, Committed};
use axum::extract::ws::{Message, Utf8Bytes, WebSocket};
use futures_util::{SinkExt, StreamExt};
use motcua_domain::Error;
use motcua_domain::Hall;
use motcua_domain::event::Event;
use motcua_domain::{CounterNo, ServiceCode, Status};
use motcua_store::clock::Clock;
use motcua_store::tickets::{self, TicketRow};
use motcua_store::{Store, StoreError, events};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};

/// How many changes a slow socket may fall behind before it is resynchronised.
const BACKLOG: usize = 1024;
/// How long the hall feed may hold a quiet change (see [`Hub`]).
const HOLD_QUIET: Duration = Duration::from_secs(1);
/// Pings keep idle connections (and the proxies between) alive.
pub(crate) const PING_EVERY: Duration = Duration::from_secs(20);

/// A ticket as its holder sees it, as JSON: see [`views::CitizenTicket`].
pub fn citizen_view(view: &TicketView) -> Result<String, motcua_domain::Error> {
    serde_json::to_string(&CitizenTicket::from(view)).map_err(motcua_domain::Error::internal)
}

/// A change as the hall and counter feeds send it (written once for every screen).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventFrame {
    /// Always `event`.
    #[serde(rename = "type")]
    #[schema(value_type = String, example = "event")]
    pub frame: &'static str,
    /// The event's sequence number: a gap means a frame was missed (ask for a snapshot by
    /// reconnecting).
    pub seq: i64,
    /// What happened: issued, called, recalled, started, finished, no_show, ...
    #[schema(value_type = String, example = "called")]
    pub kind: &'static str,
    pub at: String,
    /// The ticket the event moved, as it now stands.
    pub ticket: Option<TicketView>,
    /// The counter the event touched, as it now stands.
    pub counter: Option<CounterView>,
    /// How many wait in each field now.
    pub waiting: BTreeMap<String, u32>,
}

/// What the hall feed (`/ws/hall`) sends: a snapshot first (and again after falling
/// behind or at a new day), then events.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum HallFrame {
    Snapshot(views::HallSnapshot),
    Event(Box<EventFrame>),
}

/// What a counter's feed (`/ws/counters/{no}`) sends: its snapshot, then the events that
/// concern its fields.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum CounterFrame {
    Snapshot(Box<views::CounterSnapshot>),
    Event(Box<EventFrame>),
}

/// What a ticket's feed (`/ws/tickets/{token}`) sends: the ticket, then the ticket again
/// each time it (or its place in the queue) changes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TicketFrame {
    Snapshot {
        seq: i64,
        ticket: CitizenTicket,
    },
    Update {
        seq: i64,
        /// The event that moved it.
        #[schema(value_type = String, example = "called")]
        kind: &'static str,
        ticket: CitizenTicket,
    },
    /// A manager's message to the hall, or to this ticket's field, was posted or withdrawn:
    /// read `GET /api/messages?service=` again.
    Messages {
        seq: i64,
    },
}

/// What the staff feed (`/ws/staff`) sends: the emergencies open now, first as a
/// `snapshot`, then again (`emergencies`) each time one is raised or handled. Only staff
/// follow it (the consoles and the dashboard): the hall TV and the phones never see one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffFrame {
    /// `snapshot` or `emergencies`.
    #[serde(rename = "type")]
    #[schema(value_type = String, example = "emergencies")]
    pub frame: &'static str,
    /// The list as of this event of the log: a lower `seq` than one already seen is stale.
    pub seq: i64,
    pub emergencies: Vec<crate::app::emergency::Emergency>,
    /// The counter whose emergency this frame announces (consoles ring).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<u16>)]
    pub raised: Option<CounterNo>,
    /// The counter whose emergency this frame says was handled.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<u16>)]
    pub handled: Option<CounterNo>,
}

impl StaffFrame {
    fn text(&self) -> Utf8Bytes {
        // Plain data: serialising it cannot fail.
        Utf8Bytes::from(serde_json::to_string(self).unwrap_or_default())
    }
}

/// One committed change, as the live feeds need it.
#[derive(Debug)]
pub struct Change {
    pub seq: i64,
    /// What happened; `None` when a new day began (feeds start again from a snapshot).
    pub event: Option<Event>,
    pub ticket_id: Option<i64>,
    pub counter: Option<CounterNo>,
    /// Fields whose waiting lists changed.
    pub services: Vec<ServiceCode>,
    /// The fields of a counter that opened, paused, resumed or closed: their waiting
    /// tickets' estimates moved (their lists did not).
    pub counter_fields: Vec<ServiceCode>,
    /// The frame sent to hall and counter feeds.
    pub frame: Utf8Bytes,
    /// Feeds should start again from a snapshot (a new day began).
    pub resync: bool,
    /// The places of the waiting tickets in the fields this change touches: read by the
    /// first ticket feed that needs them, once, and shared by all the others.
    places: tokio::sync::OnceCell<Arc<Places>>,
}

impl Change {
    /// The change the screens see of a committed one.
    pub fn of(committed: &Committed, hall: &Hall) -> Change {
        let e = match committed {
            Committed::DayStarted { seq } => return Change::day_started(*seq),
            Committed::Event(e) => e,
        };
        let frame = EventFrame {
            frame: "event",
            seq: e.logged.seq,
            kind: e.logged.event.kind(),
            at: views::local_time(hall, e.logged.at),
            ticket: e.ticket.clone(),
            counter: e.counter.clone(),
            waiting: e.waiting.clone(),
        };
        // Plain data: serialising it cannot fail.
        let frame = serde_json::to_string(&frame).unwrap_or_default();
        Change {
            seq: e.logged.seq,
            event: Some(e.logged.event.clone()),
            ticket_id: e.ticket.as_ref().map(|t| t.id),
            counter: e.counter.as_ref().map(|c| c.no),
            services: e.services.clone(),
            counter_fields: e.counter_fields.clone(),
            frame: Utf8Bytes::from(frame),
            resync: false,
            places: tokio::sync::OnceCell::new(),
        }
    }

    /// A new local day began at `seq`: every feed starts again from a snapshot.
    pub fn day_started(seq: i64) -> Self {
        Change {
            seq,
            event: None,
            ticket_id: None,
            counter: None,
            services: Vec::new(),
            counter_fields: Vec::new(),
            frame: Utf8Bytes::from_static("{}"),
            resync: true,
            places: tokio::sync::OnceCell::new(),
        }
    }

    /// For a manager's message posted or withdrawn: the field it speaks to (`None`: the
    /// whole hall; a withdrawal is told to everyone).
    fn message_to(&self) -> Option<Option<&str>> {
        match self.event.as_ref()? {
            Event::MessagePosted { service, .. } => Some(service.as_deref()),
            Event::MessageWithdrawn { .. } => Some(None),
            _ => None,
        }
    }

    /// The event's name in frames.
    pub fn kind(&self) -> &'static str {
        self.event.as_ref().map_or("day_started", Event::kind)
    }

    /// The waiting tickets' places in the fields this change touches, as they are just
    /// after it (or a little later, if more changes were committed meanwhile: see
    /// [`Places::seq`]). Read once, by the first ticket feed that asks; `None` if the read
    /// failed (the feed then counts its ticket's place itself).
    async fn places(&self, store: &Store, stats: &LiveStats) -> Option<Arc<Places>> {
        let read = self.places.get_or_try_init(|| {
            stats.ticket_replays.fetch_add(1, Ordering::Relaxed);
            let hall = store.hall();
            let fields: Vec<ServiceCode> = self
                .services
                .iter()
                .chain(&self.counter_fields)
                .cloned()
                .collect();
            store.read::<_, Error, _>(move |conn| Ok(Arc::new(Places::read(conn, &hall, &fields)?)))
        });
        read.await.ok().cloned()
    }

    /// Only the waiting counts moved (a ticket joined the back of a queue, a rating): the
    /// hall feed may merge it with the next.
    fn is_quiet(&self) -> bool {
        // A manager's message is never merged away: the TV reads the messages on seeing it.
        !self.resync
            && self.message_to().is_none()
            && self.event.as_ref().is_some_and(|e| !e.moves_queue())
    }
}

/// Counts shown in `/metrics`.
#[derive(Debug, Default)]
pub struct LiveStats {
    pub hall_sockets: AtomicI64,
    pub counter_sockets: AtomicI64,
    pub ticket_sockets: AtomicI64,
    pub frames_sent: AtomicU64,
    pub resyncs: AtomicU64,
    /// Times the hall's estimates were replayed for ticket feeds: once per change of their
    /// fields (shared by every phone), plus a phone's own when it connects or catches up.
    pub ticket_replays: AtomicU64,
}

/// Where changes are published and feeds subscribe.
#[derive(Clone)]
pub struct Hub {
    /// Every change, for counter and ticket feeds.
    tx: broadcast::Sender<Arc<Change>>,
    /// What the hall displays get: calls and counter changes at once; quiet changes (a
    /// ticket issued: only the waiting counts move) merged, the latest at most every
    /// [`HOLD_QUIET`], so a busy kiosk does not wake a thousand TVs for every ticket.
    hall: broadcast::Sender<Arc<Change>>,
    /// The latest quiet change not yet sent to the hall displays.
    quiet: Arc<std::sync::Mutex<Option<Arc<Change>>>>,
    pub stats: Arc<LiveStats>,
    /// Turns true when the server shuts down: every feed closes its socket, so clients see
    /// the outage and reconnect to whatever serves next.
    closing: Arc<tokio::sync::watch::Sender<bool>>,
    /// The hall's clock, for the time a hall snapshot was read (without one: the time of
    /// the latest event).
    clock: Option<Arc<dyn Clock>>,
    /// The staff feed's frames (emergencies), with their sequence numbers: consoles and
    /// the dashboard only.
    staff: broadcast::Sender<(i64, Utf8Bytes)>,
}

impl Default for Hub {
    fn default() -> Self {
        Hub::new()
    }
}

impl Hub {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(BACKLOG);
        let (hall, _) = broadcast::channel(BACKLOG);
        let quiet: Arc<std::sync::Mutex<Option<Arc<Change>>>> = Arc::default();
        // The pacer sends the held quiet change to the hall; it ends with the hub.
        let (pacer_hall, pacer_quiet) = (hall.clone(), Arc::downgrade(&quiet));
        let _ = std::thread::Builder::new()
            .name("motcua-hall-pacer".into())
            .spawn(move || {
                while let Some(quiet) = pacer_quiet.upgrade() {
                    if let Some(change) = quiet.lock().unwrap_or_else(|e| e.into_inner()).take() {
                        let _ = pacer_hall.send(change);
                    }
                    drop(quiet);
                    std::thread::sleep(HOLD_QUIET);
                }
            });
        let (staff, _) = broadcast::channel(64);
        Hub {
            staff,
            tx,
            hall,
            quiet,
            stats: Arc::new(LiveStats::default()),
            closing: Arc::new(tokio::sync::watch::Sender::new(false)),
            clock: None,
        }
    }

    /// A hub whose hall snapshots say the hall's time, read from `clock`: the TV times
    /// how long a call stays up by it.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Follow the application's committed changes until it goes away. A hub that falls
    /// behind its feed (it never should) tells every screen to start again.
    pub fn follow(&self, app: &App) {
        let mut committed = app.subscribe();
        // The hall is read afresh for each change: the admin pages change it while it runs.
        let (hub, hall) = (self.clone(), app.hall_cell());
        let _ = std::thread::Builder::new()
            .name("motcua-hub".into())
            .spawn(move || {
                use tokio::sync::broadcast::error::RecvError;
                loop {
                    match committed.blocking_recv() {
                        Ok(c) => hub.publish(Change::of(&c, &hall.get())),
                        Err(RecvError::Lagged(_)) => hub.publish(Change::day_started(0)),
                        Err(RecvError::Closed) => break,
                    }
                }
            });
    }

    pub fn publish(&self, change: Change) {
        let change = Arc::new(change);
        // No subscriber is fine: nobody is watching.
        let _ = self.tx.send(change.clone());
        // Under the lock, so a held quiet change never overtakes a newer call.
        let mut held = self.quiet.lock().unwrap_or_else(|e| e.into_inner());
        if change.is_quiet() {
            *held = Some(change);
        } else {
            // This frame carries newer waiting counts than the held one.
            *held = None;
            let _ = self.hall.send(change);
        }
    }

    /// Send a staff frame (emergencies) to every console and dashboard following
    /// `/ws/staff`. Call it after the commit that made it, in commit order.
    pub fn publish_staff(&self, frame: &StaffFrame) {
        // Nobody listening is fine.
        let _ = self.staff.send((frame.seq, frame.text()));
    }

    /// The changes a feed follows.
    pub fn subscribe(&self, feed: &Feed) -> broadcast::Receiver<Arc<Change>> {
        match feed {
            Feed::Hall => self.hall.subscribe(),
            _ => self.tx.subscribe(),
        }
    }

    /// Resolves when the server is shutting down.
    pub fn closing(&self) -> impl std::future::Future<Output = ()> + Send + use<> {
        let mut rx = self.closing.subscribe();
        async move {
            let _ = rx.wait_for(|closing| *closing).await;
        }
    }

    /// Close every feed (at shutdown).
    pub fn close_all(&self) {
        self.closing.send_replace(true);
    }
}

/// Which feed a socket follows.
#[derive(Debug, Clone)]
pub enum Feed {
    Hall,
    Counter(CounterNo),
    /// A citizen's ticket, found by its token.
    Ticket {
        id: i64,
        token: String,
    },
}

impl Feed {
    fn gauge<'a>(&self, stats: &'a LiveStats) -> &'a AtomicI64 {
        match self {
            Feed::Hall => &stats.hall_sockets,
            Feed::Counter(_) => &stats.counter_sockets,
            Feed::Ticket { .. } => &stats.ticket_sockets,
        }
    }
}

/// What one feed has sent so far, to decide what to send next.
struct FeedState {
    feed: Feed,
    seq: i64,
    /// The counter's fields, or the ticket's current field.
    services: Vec<ServiceCode>,
    /// The last ticket frame sent (ticket feeds send only real changes).
    last_ticket: Option<String>,
    /// The ticket's row as last read (ticket feeds).
    ticket: Option<TicketRow>,
    stats: Arc<LiveStats>,
    clock: Option<Arc<dyn Clock>>,
}

impl FeedState {
    fn concerns(&self, change: &Change) -> bool {
        match &self.feed {
            Feed::Hall => true,
            Feed::Counter(no) => {
                change.counter == Some(*no)
                    || change.services.iter().any(|s| self.services.contains(s))
            }
            Feed::Ticket { id, .. } => {
                change.ticket_id == Some(*id)
                    || change
                        .services
                        .iter()
                        .chain(&change.counter_fields)
                        .any(|s| self.services.contains(s))
            }
        }
    }

    /// A full snapshot for this feed, read now.
    async fn snapshot(&mut self, store: &Store) -> Option<Utf8Bytes> {
        let (hall, stats) = (store.hall(), self.stats.clone());
        let feed = self.feed.clone();
        let now_ms = self.clock.as_ref().map(|c| c.now().timestamp_millis());
        let read = store
            .read(move |conn| -> Result<Snapshot, Error> {
                Ok(match feed {
                    Feed::Hall => {
                        let now_ms = match now_ms {
                            Some(ms) => ms,
                            None => events::last_at(conn)?,
                        };
                        let s = views::hall_snapshot(conn, &hall, now_ms)?;
                        let body = serde_json::to_string(&s).map_err(Error::internal)?;
                        (s.seq, Vec::new(), body, None)
                    }
                    Feed::Counter(no) => {
                        let s = views::counter_snapshot(conn, &hall, no)?;
                        let services = s.counter.services.clone();
                        let body = serde_json::to_string(&s).map_err(Error::internal)?;
                        (s.seq, services, body, None)
                    }
                    Feed::Ticket { token, .. } => {
                        let tx = conn.unchecked_transaction().map_err(StoreError::from)?;
                        let seq = events::last_seq(conn)?;
                        let t = tickets::by_token(conn, &token)?
                            .ok_or_else(|| Error::not_found("ticket_not_found", "gone"))?;
                        if t.status == Status::Waiting {
                            stats.ticket_replays.fetch_add(1, Ordering::Relaxed);
                        }
                        let view = views::ticket_view(conn, &hall, &t)?;
                        tx.finish().map_err(StoreError::from)?;
                        (seq, vec![t.service.clone()], citizen_view(&view)?, Some(t))
                    }
                })
            })
            .await;
        let (seq, services, body, ticket) = read.ok()?;
        self.seq = seq;
        self.services = services;
        let frame = match self.feed {
            Feed::Ticket { .. } => {
                self.last_ticket = Some(body.clone());
                self.ticket = ticket;
                format!(r#"{{"type":"snapshot","seq":{seq},"ticket":{body}}}"#)
            }
            _ => body,
        };
        Some(Utf8Bytes::from(frame))
    }

    /// The frame to send for a change, if any.
    async fn frame_for(&mut self, change: &Change, store: &Store) -> Option<Utf8Bytes> {
        if change.resync {
            return self.snapshot(store).await;
        }
        if change.seq <= self.seq {
            return None;
        }
        // A manager's message: phones of the field it speaks to (all, for the hall's) are
        // told to read the messages again; the TV gets the event (it reads them too).
        if let (Feed::Ticket { .. }, Some(to)) = (&self.feed, change.message_to()) {
            if !to.is_none_or(|s| self.services.iter().any(|f| f.as_str() == s)) {
                return None;
            }
            self.seq = change.seq;
            let frame = TicketFrame::Messages { seq: change.seq };
            return Some(Utf8Bytes::from(serde_json::to_string(&frame).ok()?));
        }
        if !self.concerns(change) {
            return None;
        }
        self.seq = change.seq;
        match &self.feed {
            Feed::Hall | Feed::Counter(_) => Some(change.frame.clone()),
            Feed::Ticket { id, .. } => {
                let view = self.ticket_after(*id, change, store).await?;
                let ticket = CitizenTicket::from(&view);
                let text = serde_json::to_string(&ticket).ok()?;
                if self.last_ticket.as_deref() == Some(text.as_str()) {
                    return None;
                }
                self.last_ticket = Some(text);
                let frame = TicketFrame::Update {
                    seq: change.seq,
                    kind: change.kind(),
                    ticket,
                };
                Some(Utf8Bytes::from(serde_json::to_string(&frame).ok()?))
            }
        }
    }

    /// A phone's ticket as it stands after `change`, or `None` when its page cannot have
    /// moved. Its row changes only with an event about it; otherwise only its place moves,
    /// and that is taken from the places the change shares with every phone of the
    /// field, so a call with a thousand phones watching replays the hall once, not a
    /// thousand times.
    async fn ticket_after(
        &mut self,
        id: i64,
        change: &Change,
        store: &Store,
    ) -> Option<TicketView> {
        let about_it = change.ticket_id == Some(id);
        if !about_it && let Some(row) = &self.ticket {
            // Called, served or gone: its page shows no place, and nothing but an event
            // about it changes the rest.
            if row.status != Status::Waiting {
                return None;
            }
            let places = change.places(store, &self.stats).await;
            // Places read just after this change (nothing committed since) go with the row
            // as it stood then, which is the row read before: nothing about it came since.
            if let Some(place) = places
                .as_ref()
                .filter(|p| p.seq == change.seq)
                .and_then(|p| p.of(row))
            {
                return Some(views::ticket_view_known(&store.hall(), row, Some(place)));
            }
        }
        // Read the row again; its place from the change's places when they have it (it was
        // waiting in that field when they were read), else counted afresh.
        let places = change.places(store, &self.stats).await;
        let (hall, stats) = (store.hall(), self.stats.clone());
        let read = store
            .read::<_, Error, _>(move |conn| {
                let t = tickets::by_id(conn, id)?
                    .ok_or_else(|| Error::not_found("ticket_not_found", "gone"))?;
                let known = places.as_deref().and_then(|p| p.of(&t));
                let view = match known {
                    Some(place) if t.status == Status::Waiting => {
                        views::ticket_view_known(&hall, &t, Some(place))
                    }
                    _ => {
                        if t.status == Status::Waiting {
                            stats.ticket_replays.fetch_add(1, Ordering::Relaxed);
                        }
                        views::ticket_view(conn, &hall, &t)?
                    }
                };
                Ok((t, view))
            })
            .await;
        let (row, view) = read.ok()?;
        self.services = vec![row.service.clone()];
        self.ticket = Some(row);
        Some(view)
    }
}

/// What a feed's snapshot read: its sequence number, the fields it follows, its body, and
/// for a ticket feed the ticket's row.
type Snapshot = (i64, Vec<ServiceCode>, String, Option<TicketRow>);

/// Serve one socket until the client goes away (or, for a socket opened with a
/// credential, `held`, until that credential is taken away).
pub async fn run_feed(
    socket: WebSocket,
    store: Store,
    hub: Hub,
    feed: Feed,
    held: Option<crate::access::Held>,
) {
    let gauge = feed.gauge(&hub.stats);
    gauge.fetch_add(1, Ordering::Relaxed);
    let (mut sink, stream) = socket.split();
    // Subscribe before reading the snapshot, so nothing falls between the two.
    let mut changes = hub.subscribe(&feed);
    let mut state = FeedState {
        feed,
        seq: 0,
        services: Vec::new(),
        last_ticket: None,
        ticket: None,
        stats: hub.stats.clone(),
        clock: hub.clock.clone(),
    };
    let stats = hub.stats.clone();
    let send = async move {
        let Some(first) = state.snapshot(&store).await else {
            return;
        };
        if sink.send(Message::Text(first)).await.is_err() {
            return;
        }
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        loop {
            let frame = tokio::select! {
                received = changes.recv() => match received {
                    Ok(change) => state.frame_for(&change, &store).await,
                    Err(RecvError::Lagged(_)) => {
                        stats.resyncs.fetch_add(1, Ordering::Relaxed);
                        state.snapshot(&store).await
                    }
                    Err(RecvError::Closed) => break,
                },
                _ = ping.tick() => {
                    if sink.send(Message::Ping(Default::default())).await.is_err() {
                        break;
                    }
                    continue;
                }
            };
            if let Some(frame) = frame {
                if sink.send(Message::Text(frame)).await.is_err() {
                    break;
                }
                stats.frames_sent.fetch_add(1, Ordering::Relaxed);
            }
        }
        let _ = sink.close().await;
    };
    let receive = until_closed(stream);
    match held {
        Some(held) => drive(send, receive, held.or(hub.closing())).await,
        None => drive(send, receive, hub.closing()).await,
    }
    gauge.fetch_sub(1, Ordering::Relaxed);
}

/// Run a socket's two halves, each on its own task, until either ends or the server
/// shuts down; then stop the other.
pub async fn drive(
    send: impl std::future::Future<Output = ()> + Send + 'static,
    receive: impl std::future::Future<Output = ()> + Send + 'static,
    closing: impl std::future::Future<Output = ()>,
) {
    let mut send = tokio::spawn(send);
    let mut receive = tokio::spawn(receive);
    tokio::select! {
        _ = &mut send => receive.abort(),
        _ = &mut receive => send.abort(),
        _ = closing => {
            send.abort();
            receive.abort();
        }
    }
}

/// The receive side of a feed that takes no commands: it only watches for the client
/// closing.
pub async fn until_closed(mut stream: futures_util::stream::SplitStream<WebSocket>) {
    while let Some(Ok(message)) = stream.next().await {
        if matches!(message, Message::Close(_)) {
            break;
        }
    }
}

/// Serve one staff feed (`/ws/staff`): the emergencies open now, then the list again each
/// time it changes. A socket that falls behind gets the list afresh.
pub async fn run_staff_feed(
    socket: WebSocket,
    app: App,
    hub: Hub,
    clock: Arc<dyn Clock>,
    held: crate::access::Held,
) {
    let (mut sink, stream) = socket.split();
    // Subscribe before reading the snapshot, so nothing falls between the two.
    let mut changes = hub.staff.subscribe();
    let snapshot = move || {
        let (app, clock) = (app.clone(), clock.clone());
        async move {
            let now = clock.now();
            let list = app
                .read(move |conn, hall| Ok(crate::app::emergency::open_now(conn, hall, now)?))
                .await
                .ok()?;
            let frame = StaffFrame {
                frame: "snapshot",
                seq: list.seq,
                emergencies: list.emergencies,
                raised: None,
                handled: None,
            };
            Some((frame.seq, frame.text()))
        }
    };
    let send = async move {
        let Some((mut seq, first)) = snapshot().await else {
            return;
        };
        if sink.send(Message::Text(first)).await.is_err() {
            return;
        }
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        loop {
            let frame = tokio::select! {
                received = changes.recv() => match received {
                    Ok((at, frame)) if at > seq => Some((at, frame)),
                    Ok(_) => None,
                    Err(RecvError::Lagged(_)) => snapshot().await,
                    Err(RecvError::Closed) => break,
                },
                _ = ping.tick() => {
                    if sink.send(Message::Ping(Default::default())).await.is_err() {
                        break;
                    }
                    continue;
                }
            };
            if let Some((at, frame)) = frame {
                seq = at;
                if sink.send(Message::Text(frame)).await.is_err() {
                    break;
                }
            }
        }
        let _ = sink.close().await;
    };
    drive(send, until_closed(stream), held.or(hub.closing())).await;
}
