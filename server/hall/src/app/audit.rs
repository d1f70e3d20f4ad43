//! The audit list: every change of the hall's set-up (its settings, a field, a counter, a
//! member of staff, a device) is an [`Event::Audited`] in the log, written in the same
//! transaction as the change: who, what, and the value before and after.

use motcua_domain::event::{Event, Logged};
use motcua_store::accounts::User;
use motcua_store::{StoreError, Tx, events, millis};

/// Record that `by` did `action` to `subject` (`kind:id`, e.g. `settings:hall`,
/// `user:lan`), with the value before and after (never a password, token or secret).
pub fn record(
    tx: &Tx<'_>,
    by: &User,
    subject: &str,
    action: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<i64, StoreError> {
    let logged = Logged {
        seq: 0,
        at: millis(tx.now),
        ticket: None,
        service: None,
        counter: None,
        user: Some(by.id),
        event: Event::Audited {
            by: by.name.clone(),
            subject: subject.to_owned(),
            action: action.to_owned(),
            before,
            after,
        },
    };
    // The time zone only names the local day of figures; an audit entry has none.
    events::append(tx.conn, chrono_tz::UTC, &logged)
}
