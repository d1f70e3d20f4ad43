//! Counting the work a command does in SQLite: the virtual machine steps of every statement
//! the hall's writer runs, through rusqlite's trace hook. A count of steps, unlike a time,
//! does not vary with the machine, so a test can hold that a command's cost stays flat as
//! the hall grows. Each test binary has its own counters.

use crate::TestHall;
use motcua_domain::Error;
use rusqlite::StatementStatus;
use rusqlite::trace::{TraceEvent, TraceEventCodes};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

/// Each statement's count of steps when its current run began, by its text (a cached
/// statement's count grows over its runs).
static RUNNING: Mutex<BTreeMap<String, i32>> = Mutex::new(BTreeMap::new());
/// Steps run by the statements of the traced connection since the last look.
static STEPS: AtomicI64 = AtomicI64::new(0);

/// The trace hook: the steps of each statement's run, from its start to its end.
fn count_steps(event: TraceEvent<'_>) {
    let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    match event {
        TraceEvent::Stmt(stmt, _) => {
            // Also sent as each trigger starts: the run began at the first.
            let so_far = stmt.get_status(StatementStatus::VmStep);
            running.entry(stmt.sql().into_owned()).or_insert(so_far);
        }
        TraceEvent::Profile(stmt, _) => {
            if let Some(began) = running.remove(stmt.sql().as_ref()) {
                let ran = stmt.get_status(StatementStatus::VmStep) - began;
                STEPS.fetch_add(i64::from(ran), Ordering::SeqCst);
            }
        }
        _ => {}
    }
}

/// Count the steps of every statement the hall's writer runs from now on.
pub async fn trace_the_writer(hall: &TestHall) {
    hall.state
        .store
        .write::<_, Error, _>(|tx| {
            let events = TraceEventCodes::SQLITE_TRACE_STMT | TraceEventCodes::SQLITE_TRACE_PROFILE;
            tx.conn.trace_v2(events, Some(count_steps));
            Ok(())
        })
        .await
        .expect("trace the writer");
}

/// The steps run since the last call (or since tracing began), and start counting afresh.
pub fn take() -> i64 {
    STEPS.swap(0, Ordering::SeqCst)
}
