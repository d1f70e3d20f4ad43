//! The hall's set-up as it stands: the settings file's (and the environment's), with the
//! sections changed on the admin pages. A changed section is kept in the database
//! (`motcua_store::settings`) and wins over the file's from then on, across restarts, until
//! an admin sends it back to the file's.
//!
//! A change is checked by the same code as the file ([`Settings::hall`]), then by what only
//! a running hall can refuse (a field with people in its queue, an open counter, the time
//! zone), stored with its audit entry in one transaction, and applied once committed: the
//! hall every request reads afterwards is the new one, and every screen starts again from
//! a snapshot.
//!
//! Two sections keep a part of them out of the admin pages: `[bookings]`' outside issuers
//! (their secrets stay in the file: the live section is the rest, and the file's issuers
//! always hold), and `[alerts].webhook_url`, shown and audited as its host only (its path
//! usually holds a chat's secret): sent back as shown, it keeps the address it stands for.

use crate::app::{App, Committed, audit};
use crate::config::{ConfigError, Settings};
use chrono::{NaiveDate, NaiveTime};
use motcua_domain::booking::BookingRules;
use motcua_domain::{CounterNo, Error, Hall};
use motcua_store::accounts::User;
use motcua_store::{Tx, millis};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use utoipa::ToSchema;

/// The sections of the settings the admin pages change while the hall runs. The others
/// (the server's address, the database, TLS, the city's secret) stay the file's.
pub const LIVE_SECTIONS: &[&str] = &[
    "hall",
    "queue",
    "services",
    "counters",
    "announcements",
    "hours",
    "alerts",
    "bookings",
];

/// Who last changed a section on the admin pages, and when (ms).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Changed {
    pub at: i64,
    pub by: String,
}

/// The set-up: shared by every request, changed only by the writer's commands, one at a
/// time.
#[derive(Clone)]
pub struct Setup {
    state: Arc<Mutex<State>>,
    changing: Arc<tokio::sync::Mutex<()>>,
}

struct State {
    /// The file's settings (and the environment's), as read at start.
    file: Settings,
    /// What runs now.
    current: Settings,
    /// The sections changed on the admin pages.
    changed: BTreeMap<String, Changed>,
    /// A section the database holds but that could not be applied at start (why).
    skipped: BTreeMap<String, String>,
}

impl Setup {
    pub fn new(file: Settings) -> Self {
        Setup {
            state: Arc::new(Mutex::new(State {
                current: file.clone(),
                file,
                changed: BTreeMap::new(),
                skipped: BTreeMap::new(),
            })),
            changing: Arc::default(),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The settings that run now.
    pub fn current(&self) -> Settings {
        self.state().current.clone()
    }

    /// Read one thing of the settings that run now (without copying them all): what is
    /// read on every use, not kept, follows a change at once.
    pub fn read<T>(&self, f: impl FnOnce(&Settings) -> T) -> T {
        f(&self.state().current)
    }

    /// At start: apply the sections the admin pages left in the database, all together
    /// (a new field and the counter that serves it were two changes); if together they no
    /// longer fit (the file changed under them), one by one in [`LIVE_SECTIONS`]' order,
    /// skipping each that does not fit, said in the log and on the admin page: the file's
    /// holds for it. Answers the hall to run.
    pub fn apply_stored(&self, stored: Vec<motcua_store::settings::Stored>, hall: Hall) -> Hall {
        let mut state = self.state();
        let mut stored: Vec<_> = stored
            .into_iter()
            .filter_map(|s| match LIVE_SECTIONS.iter().position(|n| *n == s.section) {
                Some(at) => Some((at, s)),
                None => {
                    tracing::warn!(section = %s.section, "the database holds settings for a section the admin pages no longer change: ignored");
                    None
                }
            })
            .collect();
        stored.sort_by_key(|(at, _)| *at);
        let fits = |settings: &Settings, s: &motcua_store::settings::Stored| {
            let value: Value = serde_json::from_str(&s.value).map_err(|e| e.to_string())?;
            with_section(settings, &s.section, value).map_err(|e| e.to_string())
        };
        let hall_of = |settings: &Settings| -> Result<Hall, String> {
            let mut next = settings.hall().map_err(|e| e.to_string())?;
            if next.tz != hall.tz {
                return Err("the time zone is the settings file's".to_owned());
            }
            next.public_url = hall.public_url.clone();
            Ok(next)
        };
        let together = stored
            .iter()
            .try_fold(state.current.clone(), |settings, (_, s)| fits(&settings, s))
            .and_then(|settings| hall_of(&settings).map(|hall| (settings, hall)));
        let mut running = hall.clone();
        let mut applied = Vec::new();
        match together {
            Ok((settings, next)) => {
                state.current = settings;
                running = next;
                applied = stored.iter().map(|(_, s)| s).collect();
            }
            Err(_) => {
                for (_, s) in &stored {
                    match fits(&state.current, s)
                        .and_then(|settings| hall_of(&settings).map(|hall| (settings, hall)))
                    {
                        Ok((settings, next)) => {
                            state.current = settings;
                            running = next;
                            applied.push(s);
                        }
                        Err(why) => {
                            tracing::warn!(section = %s.section, %why, "a section changed on the admin pages no longer fits: the settings file's holds");
                            state.skipped.insert(s.section.clone(), why);
                        }
                    }
                }
            }
        }
        for s in applied {
            state.changed.insert(
                s.section.clone(),
                Changed {
                    at: s.changed_at,
                    by: s.changed_by.clone(),
                },
            );
        }
        running
    }
}

/// One section of `settings` as JSON, the shape its TOML section has (as the database
/// keeps it: `[bookings]` without its issuers, which are the file's only).
pub fn section(settings: &Settings, name: &str) -> Option<Value> {
    let mut all = serde_json::to_value(settings).ok()?;
    let mut value = all.get_mut(name).map(Value::take)?;
    if name == "bookings"
        && let Some(object) = value.as_object_mut()
    {
        object.remove("issuers");
    }
    Some(value)
}

/// One section as the admin pages and the audit log show it: as [`section`], with the
/// alerts' webhook cut to its host.
pub fn shown(settings: &Settings, name: &str) -> Option<Value> {
    if name == "alerts" {
        return serde_json::to_value(settings.alerts.shown()).ok();
    }
    section(settings, name)
}

/// `settings` with one section replaced by `value` (the shape of its TOML section; keys left
/// out take their defaults, unknown keys are refused, as in the file).
pub fn with_section(
    settings: &Settings,
    name: &str,
    value: Value,
) -> Result<Settings, ConfigError> {
    let mut all = serde_json::to_value(settings).map_err(|e| bad(name, e.to_string()))?;
    let Some(slot) = all.get_mut(name) else {
        return Err(bad(name, "no such section".into()));
    };
    let mut value = value;
    if name == "bookings"
        && let Some(object) = value.as_object_mut()
    {
        // The outside issuers and their secrets are the settings file's only.
        if object.contains_key("issuers") {
            return Err(bad(
                "bookings.issuers",
                "the outside issuers (and their secrets) are set in the settings file only".into(),
            ));
        }
        object.insert("issuers".into(), slot["issuers"].take());
    }
    *slot = value;
    serde_json::from_value(all).map_err(|e| bad(name, e.to_string()))
}

fn bad(key: &str, reason: String) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_owned(),
        reason,
    }
}

/// A section as the admin page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionView {
    pub section: String,
    /// The section as it runs now (the shape of its TOML section).
    #[schema(value_type = Object)]
    pub value: Value,
    /// The settings file's value of it.
    #[schema(value_type = Object)]
    pub file: Value,
    /// Who changed it on the admin pages and when (the hall's local time); `null` while
    /// the file's holds.
    pub changed_at: Option<String>,
    pub changed_by: Option<String>,
    /// Why the database's copy could not be applied at start, if it could not.
    pub skipped: Option<String>,
}

impl Setup {
    /// Every live section as the admin page shows it.
    pub fn views(&self, hall: &Hall) -> Vec<SectionView> {
        let state = self.state();
        LIVE_SECTIONS
            .iter()
            .map(|name| {
                let changed = state.changed.get(*name);
                SectionView {
                    section: (*name).to_owned(),
                    value: shown(&state.current, name).unwrap_or(Value::Null),
                    file: shown(&state.file, name).unwrap_or(Value::Null),
                    changed_at: changed.map(|c| motcua_domain::hall::local_time(hall, c.at)),
                    changed_by: changed.map(|c| c.by.clone()),
                    skipped: state.skipped.get(*name).cloned(),
                }
            })
            .collect()
    }
}

/// What a change asks: a section's new value, or back to the file's.
pub enum Change {
    Set(Value),
    BackToFile,
}

/// Change one section, as `by` asked: checked, stored and audited in one transaction, and
/// applied as the last step of it, so the answer, the next command and every screen's new
/// snapshot all see the new set-up; a commit that fails puts the old one back. Changes run
/// one at a time. Answers the section as it runs now.
pub async fn change(
    app: &App,
    setup: &Setup,
    announcer: &crate::announce::Announcer,
    by: User,
    name: String,
    change: Change,
) -> Result<SectionView, Error> {
    if !LIVE_SECTIONS.contains(&name.as_str()) {
        return Err(Error::not_found(
            "unknown_section",
            format!(
                "the admin pages change the sections {}, not {name:?}",
                LIVE_SECTIONS.join(", ")
            ),
        ));
    }
    let _one_at_a_time = setup.changing.lock().await;
    let cell = app.hall_cell();
    let (was_hall, was) = {
        let state = setup.state();
        (
            cell.get(),
            (
                state.current.clone(),
                state.changed.clone(),
                state.skipped.clone(),
            ),
        )
    };
    let job_setup = setup.clone();
    let job_announcer = announcer.clone();
    let job_name = name.clone();
    let answer = app
        .run(move |ctx| {
            let (setup, name) = (job_setup, job_name);
            let (current, file) = {
                let state = setup.state();
                (state.current.clone(), state.file.clone())
            };
            let before = shown(&current, &name).unwrap_or(Value::Null);
            let (value, reset) = match change {
                Change::Set(value) => (value, false),
                Change::BackToFile => (section(&file, &name).unwrap_or(Value::Null), true),
            };
            let mut next = with_section(&current, &name, value).map_err(refusal)?;
            // The webhook's address as the page was shown it stands for the one set.
            next.alerts = next.alerts.keeping_webhook(&current.alerts);
            if name == "alerts" && !reset && next.alerts.webhook_url.contains('…') {
                return Err(refusal(crate::config::ConfigError::Invalid {
                    key: "alerts.webhook_url".into(),
                    reason: "“…” stands for the hidden part of the address set: send it as shown to keep it, or a whole new address".into(),
                }));
            }
            let mut hall = next.hall().map_err(refusal)?;
            hall.public_url = ctx.hall().public_url.clone();
            may_change(ctx.tx, ctx.hall(), &hall, ctx.today())?;
            let after = section(&next, &name).unwrap_or(Value::Null);
            let after_shown = shown(&next, &name).unwrap_or(Value::Null);
            let numbers: Vec<CounterNo> = hall.counters.iter().map(|c| c.no).collect();
            motcua_store::counters::prepare(ctx.conn(), &numbers)?;
            let at = millis(ctx.now());
            if reset {
                motcua_store::settings::remove(ctx.conn(), &name)?;
            } else {
                motcua_store::settings::put(ctx.conn(), &name, &after.to_string(), at, &by.name)?;
            }
            let mut audited = after_shown.clone();
            if name == "alerts" && next.alerts.webhook_url != current.alerts.webhook_url {
                // The log shows the webhook as its host only: that it changed (a new secret
                // on the same host, say) is said, not what it became.
                audited["webhook_url_changed"] = Value::Bool(true);
            }
            let seq = audit::record(
                ctx.tx,
                &by,
                &format!("settings:{name}"),
                if reset { "reset" } else { "changed" },
                Some(before),
                Some(audited),
            )?;
            // Every screen starts again from a snapshot of the new set-up.
            ctx.publish(Committed::DayStarted { seq });
            // Nothing below can fail: the new set-up is in place for whatever runs next.
            let hall = Arc::new(hall);
            let mut state = setup.state();
            if name == "announcements" {
                job_announcer.set_voice(&next.announcements);
            }
            state.current = next;
            state.skipped.remove(&name);
            let changed = if reset {
                state.changed.remove(&name);
                None
            } else {
                let changed = Changed { at, by: by.name };
                state.changed.insert(name.clone(), changed.clone());
                Some(changed)
            };
            let view = SectionView {
                section: name.clone(),
                value: after_shown,
                file: shown(&state.file, &name).unwrap_or(Value::Null),
                changed_at: changed
                    .as_ref()
                    .map(|c| motcua_domain::hall::local_time(&hall, c.at)),
                changed_by: changed.map(|c| c.by),
                skipped: None,
            };
            drop(state);
            cell.set(hall);
            Ok(view)
        })
        .await;
    if answer.is_err() {
        // Refused (nothing was put in place) or the commit failed (put the old set-up back).
        let mut state = setup.state();
        (state.current, state.changed, state.skipped) = was;
        if name == "announcements" {
            announcer.set_voice(&state.current.announcements);
        }
        drop(state);
        app.hall_cell().set(was_hall);
    }
    answer
}

/// A value the settings file would refuse is refused here with the same words.
fn refusal(e: ConfigError) -> Error {
    Error::invalid("bad_setting", e.to_string())
}

/// What only a running hall refuses: a new time zone (the day's numbering follows it), a
/// field gone while people wait in it or hold bookings for it, a counter gone while open,
/// a calendar that strands bookings already made.
fn may_change(tx: &Tx<'_>, now: &Hall, next: &Hall, today: NaiveDate) -> Result<(), Error> {
    if next.tz != now.tz {
        return Err(Error::invalid(
            "bad_setting",
            "hall.timezone changes only in the settings file, with a restart (the day's numbers follow it)",
        ));
    }
    for gone in now
        .services
        .iter()
        .filter(|s| next.service(&s.code).is_none())
    {
        let (in_queue, booked) = motcua_store::tickets::field_in_use(tx.conn, gone.code.as_str())?;
        if in_queue > 0 {
            return Err(Error::refused(
                "field_in_use",
                format!(
                    "field {} still has {in_queue} ticket(s) waiting or at a counter: serve, transfer or cancel them first",
                    gone.code
                ),
            ));
        }
        if booked > 0 {
            return Err(Error::refused(
                "field_in_use",
                format!(
                    "field {} has {booked} booking(s) still to come: cancel them first",
                    gone.code
                ),
            ));
        }
    }
    for gone in now.counters.iter().filter(|c| next.counter(c.no).is_none()) {
        let counter = motcua_store::counters::get(tx.conn, gone.no)?;
        if counter.is_some_and(|c| c.state != motcua_domain::CounterState::Closed) {
            return Err(Error::refused(
                "counter_open",
                format!("counter {} is open: close it first", gone.no),
            ));
        }
    }
    keeps_bookings(tx, now, next, today)
}

/// A change of the calendar (closed days, weekdays, holidays, opening hours, the windows'
/// length) must keep every booking already made: its day open and its window there, as the
/// citizen was told. One that would not is refused (409 `bookings_stranded`), naming the
/// first day it strands, how many bookings and at which times: the manager cancels them
/// first (the citizens are told), or keeps that day. Bookings the running calendar has
/// lost already (the file changed under them) do not stop a change.
fn keeps_bookings(tx: &Tx<'_>, now: &Hall, next: &Hall, today: NaiveDate) -> Result<(), Error> {
    let from = millis(motcua_domain::booking::instant(
        now.tz,
        today,
        NaiveTime::MIN,
    ));
    let kept = |rules: &BookingRules, day: NaiveDate, start: NaiveTime| {
        rules.closure(day).is_none() && rules.working_day(day).iter().any(|w| w.start == start)
    };
    // Day → (bookings, their windows).
    let mut stranded: BTreeMap<NaiveDate, (u32, Vec<String>)> = BTreeMap::new();
    for (day, window, count) in motcua_store::bookings::awaited_per_window(tx.conn, from)? {
        let (Ok(date), Ok(start)) = (
            NaiveDate::parse_from_str(&day, "%Y-%m-%d"),
            NaiveTime::parse_from_str(&window, "%H:%M"),
        ) else {
            continue;
        };
        if kept(&now.bookings, date, start) && !kept(&next.bookings, date, start) {
            let (n, windows) = stranded.entry(date).or_default();
            *n += count;
            windows.push(window);
        }
    }
    let Some((day, (count, windows))) = stranded.first_key_value() else {
        return Ok(());
    };
    let others: u32 = stranded.values().skip(1).map(|(n, _)| n).sum();
    let more = if others > 0 {
        format!(" (and {others} more on later days)")
    } else {
        String::new()
    };
    Err(Error::refused(
        "bookings_stranded",
        format!(
            "{count} booking(s) on {day} at {} would lose their day or window{more}: cancel them first, or keep that day and its hours",
            windows.join(", ")
        ),
    ))
}
