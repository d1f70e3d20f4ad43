//! Who may rate a visit, and which rating counts.
//!
//! A served visit is rated by the citizen: on their own phone (the ticket's token is the
//! credential), or on the tablet at the counter that served them. The tablet is signed in
//! as the counter's clerk, so nothing but these rules keeps a clerk from rating for the
//! citizen (and those figures go to the city):
//! - the tablet rates only the ticket its counter finished last, finished by the clerk who
//!   holds the counter now, at most [`TABLET_WINDOW_MINUTES`] after the finish, and only a
//!   ticket nobody has rated;
//! - the citizen's own rating is never blocked by the tablet's: a phone rating replaces a
//!   tablet's (the log keeps both events; the ticket and the figures count the phone's),
//!   and a ticket takes one phone rating.
//!
//! A rating from before ratings said where they came from counts as the citizen's: it is
//! final, as it always was.

use crate::Refusal;
use crate::event::RatingChannel;

/// How long after the finish the counter's tablet may still rate the ticket. The tablet
/// asks for 30 s; the rest covers a feed outage it catches up from. Not a setting: a hall
/// has no reason to let a clerk rate later.
pub const TABLET_WINDOW_MINUTES: i64 = 5;

/// The rating a ticket holds now: its level and where it was given (`None`: before
/// ratings said where).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub level: u8,
    pub source: Option<RatingChannel>,
}

/// Whether a rating from `source` may be given to a ticket that holds `held`.
pub fn may_replace(held: Option<Held>, source: RatingChannel) -> Result<(), Refusal> {
    match (held, source) {
        (None, _) => Ok(()),
        // The citizen's own rating counts over the tablet's, once.
        (
            Some(Held {
                source: Some(RatingChannel::Counter),
                ..
            }),
            RatingChannel::Phone,
        ) => Ok(()),
        (Some(_), _) => Err(Refusal::other(
            "already_rated",
            "this ticket has already been rated",
        )),
    }
}

/// What the counter's tablet asks to rate, and what the hall knows about it.
#[derive(Debug, Clone, Copy)]
pub struct TabletAsk {
    /// The ticket asked about.
    pub ticket: i64,
    /// The ticket the counter finished last (served), if any.
    pub last_finished_here: Option<i64>,
    /// The member of staff who finished the ticket (from the log).
    pub finished_by: Option<i64>,
    /// The member of staff the tablet is signed in as (who holds the counter); `None` for a
    /// tablet paired to the counter as a device, which rates whoever's ticket it finished.
    pub clerk: Option<i64>,
    /// When the ticket was finished, and now (milliseconds).
    pub finished_at: Option<i64>,
    pub now: i64,
}

/// The tablet's own rules (see the module's comment); [`may_replace`] comes after.
pub fn tablet_may_rate(ask: &TabletAsk) -> Result<(), Refusal> {
    let refuse = |message: &str| Err(Refusal::other("rating_not_allowed", message));
    if ask.last_finished_here != Some(ask.ticket) {
        return refuse("the counter's tablet rates only the ticket its counter finished last");
    }
    if ask
        .clerk
        .is_some_and(|clerk| ask.finished_by != Some(clerk))
    {
        return refuse("the counter's tablet rates only a ticket its clerk finished");
    }
    let window = TABLET_WINDOW_MINUTES * 60_000;
    match ask.finished_at {
        Some(at) if ask.now - at <= window => Ok(()),
        _ => refuse(&format!(
            "the counter's tablet rates a ticket at most {TABLET_WINDOW_MINUTES} minutes after it was finished"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn ask() -> TabletAsk {
        TabletAsk {
            ticket: 7,
            last_finished_here: Some(7),
            finished_by: Some(3),
            clerk: Some(3),
            finished_at: Some(100 * MIN),
            now: 101 * MIN,
        }
    }

    fn code(r: Result<(), Refusal>) -> Option<&'static str> {
        r.err().map(|e| e.code)
    }

    #[test]
    fn the_tablet_rates_the_ticket_its_clerk_just_finished() {
        assert_eq!(code(tablet_may_rate(&ask())), None);
        let at_the_limit = TabletAsk {
            now: 105 * MIN,
            ..ask()
        };
        assert_eq!(code(tablet_may_rate(&at_the_limit)), None);
    }

    #[test]
    fn the_tablet_may_not_rate_an_older_ticket_a_colleagues_or_a_late_one() {
        let refused = Some("rating_not_allowed");
        let older = TabletAsk {
            last_finished_here: Some(8),
            ..ask()
        };
        let colleagues = TabletAsk {
            finished_by: Some(4),
            ..ask()
        };
        let late = TabletAsk {
            now: 105 * MIN + 1,
            ..ask()
        };
        let nothing_finished = TabletAsk {
            last_finished_here: None,
            finished_at: None,
            ..ask()
        };
        for refusal in [older, colleagues, late, nothing_finished] {
            assert_eq!(code(tablet_may_rate(&refusal)), refused, "{refusal:?}");
        }
    }

    #[test]
    fn a_tablet_paired_to_the_counter_rates_any_clerks_last_ticket_there_but_no_older_or_late_one()
    {
        let paired = TabletAsk {
            clerk: None,
            finished_by: Some(4),
            ..ask()
        };
        assert_eq!(code(tablet_may_rate(&paired)), None);
        for refusal in [
            TabletAsk {
                last_finished_here: Some(8),
                ..paired
            },
            TabletAsk {
                now: 105 * MIN + 1,
                ..paired
            },
        ] {
            assert_eq!(
                code(tablet_may_rate(&refusal)),
                Some("rating_not_allowed"),
                "{refusal:?}"
            );
        }
    }

    #[test]
    fn the_phone_replaces_the_tablets_rating_once_and_nothing_replaces_the_phones() {
        let held = |source| Some(Held { level: 5, source });
        let (phone, counter) = (RatingChannel::Phone, RatingChannel::Counter);
        assert_eq!(code(may_replace(None, phone)), None);
        assert_eq!(code(may_replace(None, counter)), None);
        assert_eq!(code(may_replace(held(Some(counter)), phone)), None);
        for (held, source) in [
            (held(Some(counter)), counter),
            (held(Some(phone)), phone),
            (held(Some(phone)), counter),
            // Before ratings said where: final, as it always was.
            (held(None), phone),
            (held(None), counter),
        ] {
            assert_eq!(
                code(may_replace(held, source)),
                Some("already_rated"),
                "{held:?} then {source:?}"
            );
        }
    }
}
