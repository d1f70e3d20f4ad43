//! What an issue costs the writer as the queue grows: a ticket behind everyone is placed
//! from the writer's last replay, so it reads no more of the database with thousands
//! waiting than with fifty, ties in the same millisecond included.

use chrono::Duration;
use motcua_domain::event::IssuedBy;
use motcua_domain::{Priority, ServiceCode};
use motcua_hall::app::queue;
use motcua_hall::config::Settings;
use motcua_store::tickets;
use motcua_tests::{TestHall, steps};

fn code(s: &str) -> ServiceCode {
    ServiceCode::try_from(s.to_owned()).expect("code")
}

/// Issue one ticket in `field` through the application.
async fn issue(hall: &TestHall, field: &str, priority: Priority) {
    let field = code(field);
    hall.state
        .app
        .run(move |ctx| queue::issue_once(ctx, &field, priority, IssuedBy::Counter, None))
        .await
        .expect("issued");
}

#[tokio::test]
async fn an_issue_behind_everyone_runs_as_many_database_steps_with_thousands_waiting_as_with_fifty()
{
    let mut settings = Settings::default();
    for s in &mut settings.services {
        s.last = 99_999;
    }
    let hall = TestHall::start_with(settings).await;
    steps::trace_the_writer(&hall).await;
    let mut steps = Vec::new();
    for waiting in [50, 3_000] {
        for field in ["A", "B", "C", "D", "E"] {
            let now = hall
                .state
                .app
                .read(|conn, _| Ok(tickets::waiting_counts(conn)?))
                .await;
            let have = now.expect("counts").get(field).copied().unwrap_or(0) as usize;
            // A minute's tickets at a time (the writer takes them together), every seventh
            // a priority ticket.
            let mut from = have;
            while from < waiting {
                let to = (from + 100).min(waiting);
                hall.clock.advance(Duration::minutes(1));
                let issues = (from..to).map(|i| {
                    let priority = if i % 7 == 0 {
                        Priority::Elderly
                    } else {
                        Priority::None
                    };
                    issue(&hall, field, priority)
                });
                futures_util::future::join_all(issues).await;
                from = to;
            }
        }
        hall.clock.advance(Duration::seconds(1));
        // Normal tickets in one millisecond, in fields the shared counters prefer to one
        // another's (counter 1 calls A before D, counter 4 D before A): the first replays
        // the hall in full, the others join it.
        let mut counted = 0;
        for (round, field) in ["D", "A", "C", "A", "D", "B", "E", "A"].iter().enumerate() {
            steps::take();
            issue(&hall, field, Priority::None).await;
            let ran = steps::take();
            if round > 0 {
                counted += ran;
            }
        }
        steps.push(counted);
    }
    let (few, many) = (steps[0], steps[1]);
    assert!(
        many <= few + few / 10,
        "seven issues ran {few} SQLite steps with 50 waiting per field, {many} with 3,000"
    );
}
