//! The hall application: what each command does, in one place, between the web edge and
//! the store.
//!
//! A command is a plain function (in [`queue`]) that takes the writer's open
//! transaction through a [`Ctx`], applies the domain's rules, changes the rows through the
//! store's repositories, appends its typed events, and answers (or refuses with a
//! [`motcua_domain::Error`], leaving nothing written). Each event it appends goes out,
//! once the transaction has committed and in commit order, as a [`Committed`] on the
//! application's feed: the live module builds the screens' frames from it; nothing here
//! knows of WebSockets or HTTP.

pub mod absence;
pub mod audit;
pub mod bookings;
pub mod bulk;
pub mod complaints;
pub mod counters;
pub mod day_rules;
pub mod dossiers;
pub mod emergency;
pub mod estimate;
pub mod messages;
pub mod pairing;
pub mod queue;
pub mod rating;
pub mod reprint;
pub mod views;

use chrono::{DateTime, NaiveDate, Utc};
use motcua_domain::event::Logged;
use motcua_domain::{CounterNo, Error, Hall, ServiceCode};
use motcua_store::{Store, Tx};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::sync::Arc;
use tokio::sync::broadcast;
use views::{CounterView, TicketView};

/// How many committed changes the feed keeps for a slow listener before it lags.
const FEED_BACKLOG: usize = 1024;

/// What the screens need to know of one committed change.
#[derive(Debug)]
pub enum Committed {
    /// One event, with what it touched as it stood right after it.
    Event(Box<EventCommitted>),
    /// A new local day began at `seq`: what the days before left open was closed, and
    /// every screen starts again from a snapshot. (Also sent when much changed at once: a
    /// bulk cancellation, the hall's set-up changed on the admin pages.)
    DayStarted { seq: i64 },
}

#[derive(Debug)]
pub struct EventCommitted {
    pub logged: Logged,
    /// The ticket it moved, as its views show it now.
    pub ticket: Option<TicketView>,
    /// The counter it happened at, as it is now.
    pub counter: Option<CounterView>,
    /// How many wait in each field now.
    pub waiting: BTreeMap<String, u32>,
    /// Fields whose waiting lists changed.
    pub services: Vec<ServiceCode>,
    /// The fields of a counter that opened, paused, resumed or closed: their waiting
    /// tickets' estimates moved (their lists did not).
    pub counter_fields: Vec<ServiceCode>,
}

impl Committed {
    pub fn seq(&self) -> i64 {
        match self {
            Committed::Event(e) => e.logged.seq,
            Committed::DayStarted { seq } => *seq,
        }
    }
}

/// The application: the store, the hall as configured, and the feed of committed changes.
/// Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: Store,
    parts: Parts,
}

/// What a command needs besides its transaction. Held by the writer's hook too, so it must
/// not hold the store: the writer stops when the last store handle goes.
#[derive(Clone)]
struct Parts {
    hall: motcua_store::HallCell,
    feed: broadcast::Sender<Arc<Committed>>,
    /// The writer's last replay of the hall, for the quotes at issue.
    kept: estimate::KeptReplay,
}

impl App {
    /// The application on an open store. A new local day is noticed by the writer before
    /// the first command of the day, which then finds yesterday closed.
    pub fn new(store: Store) -> App {
        let (feed, _) = broadcast::channel(FEED_BACKLOG);
        let parts = Parts {
            hall: store.hall_cell().clone(),
            feed,
            kept: estimate::KeptReplay::default(),
        };
        // Yesterday is closed once per local day: the day is marked only once the closing
        // has committed, so a failed commit tries again with the next batch.
        let on_new_day = parts.clone();
        let closed_day: Arc<std::sync::Mutex<Option<NaiveDate>>> = Arc::default();
        store.before_each_batch(move |tx| -> Result<(), Error> {
            // Bookings whose check-in closed are no-shows (one index step when none is).
            bookings::sweep(&mut Ctx::new(tx, &on_new_day))?;
            // Citizens called the set number of times who never came are let go.
            day_rules::sweep_unanswered(&mut Ctx::new(tx, &on_new_day))?;
            let today = motcua_domain::numbering::local_day(tx.now, on_new_day.hall.get().tz);
            if closed_day.lock().is_ok_and(|d| *d == Some(today)) {
                return Ok(());
            }
            counters::close_previous_days(&mut Ctx::new(tx, &on_new_day))?;
            bookings::forget_persons(&mut Ctx::new(tx, &on_new_day))?;
            let closed_day = closed_day.clone();
            tx.after_commit(move || {
                if let Ok(mut d) = closed_day.lock() {
                    *d = Some(today);
                }
            });
            Ok(())
        });
        App { store, parts }
    }

    /// The hall as configured now: read it afresh for each request (the admin pages change
    /// it while the hall runs).
    pub fn hall(&self) -> Arc<Hall> {
        self.parts.hall.get()
    }

    /// Where the hall is read from, for a task that lives longer than one request.
    pub fn hall_cell(&self) -> motcua_store::HallCell {
        self.parts.hall.clone()
    }

    /// Listen to every change committed from now on, in commit order.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Committed>> {
        self.parts.feed.subscribe()
    }

    /// Run a command in the writer's transaction: its answer comes after the commit.
    pub async fn run<T, F>(&self, command: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: for<'c, 'a> FnOnce(&mut Ctx<'c, 'a>) -> Result<T, Error> + Send + 'static,
    {
        let parts = self.parts.clone();
        self.store
            .write(move |tx| command(&mut Ctx::new(tx, &parts)))
            .await
    }

    /// Run a query on a reader, off the async workers.
    pub async fn read<T, F>(&self, query: F) -> Result<T, Error>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &Hall) -> Result<T, Error> + Send + 'static,
    {
        let hall = self.hall();
        self.store.read(move |conn| query(conn, &hall)).await
    }
}

/// What a command sees: the open transaction and its time, the hall as configured when it
/// began, and the application.
pub struct Ctx<'c, 'a> {
    pub tx: &'c mut Tx<'a>,
    app: &'c Parts,
    hall: Arc<Hall>,
}

impl<'c, 'a> Ctx<'c, 'a> {
    fn new(tx: &'c mut Tx<'a>, app: &'c Parts) -> Self {
        Ctx {
            tx,
            hall: app.hall.get(),
            app,
        }
    }

    pub fn conn(&self) -> &'a Connection {
        self.tx.conn
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.tx.now
    }

    pub fn hall(&self) -> &Hall {
        &self.hall
    }

    /// The writer's last replay of the hall (see [`estimate::KeptReplay`]).
    pub fn kept_replay(&self) -> &estimate::KeptReplay {
        &self.app.kept
    }

    /// The local day of the command.
    pub fn today(&self) -> NaiveDate {
        motcua_domain::numbering::local_day(self.tx.now, self.hall.tz)
    }

    /// Send `change` on the feed once the transaction has committed (not at all if this
    /// command is refused or the commit fails).
    pub fn publish(&mut self, change: Committed) {
        let feed = self.app.feed.clone();
        self.tx.after_commit(move || {
            // Nobody listening is fine: no screen is open.
            let _ = feed.send(Arc::new(change));
        });
    }

    /// The counter's definition, or not found.
    pub fn counter_def(&self, no: CounterNo) -> Result<&motcua_domain::CounterDef, Error> {
        self.hall
            .counter(no)
            .ok_or_else(|| Error::not_found("counter_not_found", format!("no counter {no}")))
    }
}
