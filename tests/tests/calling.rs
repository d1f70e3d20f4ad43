//! Pressing Next: the ticket called is the one the call policy picks among everyone
//! waiting, however the queues were shuffled, and a call costs the same with fifty people
//! waiting or thousands.

use motcua_domain::event::IssuedBy;
use motcua_domain::policy::{self, Candidate};
use motcua_domain::{CallOrder, CounterNo, Error, Priority, ServiceCode};
use motcua_hall::app::queue;
use motcua_hall::config::Settings;
use motcua_store::clock::Clock;
use motcua_store::{counters, from_millis, tickets};
use motcua_tests::{Client, Dice, TestHall, steps};
use serde_json::{Value, json};

fn code(s: &str) -> ServiceCode {
    ServiceCode::try_from(s.to_owned()).expect("a field code")
}

/// The ticket the policy picks at counter `no` when shown every waiting ticket of its
/// fields (as Next did before it read only the heads of the queues), now.
async fn policy_over_everyone(hall: &TestHall, no: u16) -> Option<i64> {
    let (settings, now) = (hall.state.app.hall(), hall.clock.now());
    let counter = CounterNo::try_from(no).expect("a counter");
    hall.state
        .store
        .read::<_, Error, _>(move |conn| {
            let serves = settings
                .counter(counter)
                .expect("configured")
                .services
                .clone();
            let streak = counters::get(conn, counter)?
                .expect("its row")
                .priority_streak;
            let waiting = tickets::waiting_in(conn, &serves)?;
            let candidates: Vec<Candidate> = waiting
                .iter()
                .map(|t| Candidate {
                    id: t.id,
                    queued_at: from_millis(t.queued_at),
                    priority: t.priority.is_priority(),
                    preference: serves
                        .iter()
                        .position(|s| s == &t.service)
                        .expect("one of its fields"),
                })
                .collect();
            Ok(policy::choose_next(
                &candidates,
                streak,
                settings.fairness,
                settings.call_order,
                now,
            )
            .map(|c| c.id))
        })
        .await
        .expect("read the queues")
}

/// A random move of the ticket a counter just called: served, absent, back of the queue,
/// or transferred to another field (keeping its place or not, as the hall says).
async fn dismiss(clerk: &Client, ticket: &Value, dice: &mut Dice) {
    let (status, body) = match dice.below(5) {
        0 => clerk.act(ticket, "no-show", json!({})).await,
        1 => clerk.act(ticket, "return", json!({})).await,
        2 => {
            let here = ticket["service"].as_str().expect("its field");
            let to = ["A", "C", "D"]
                .into_iter()
                .filter(|f| *f != here)
                .nth(dice.below(2) as usize)
                .expect("another field");
            clerk
                .act(ticket, "transfer", json!({ "service": to }))
                .await
        }
        _ => {
            let (status, body) = clerk.act(ticket, "start", json!({})).await;
            assert_eq!(status, 200, "{body}");
            clerk.act(ticket, "finish", json!({})).await
        }
    };
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn next_calls_exactly_whom_the_policy_picks_among_everyone_waiting() {
    let priorities = [
        "elderly",
        "disabled",
        "pregnant",
        "war_invalid",
        "meritorious",
    ];
    for seed in 1..=16u64 {
        let mut dice = Dice::new(seed * 7_919);
        let mut settings = Settings::default();
        settings.queue.call_order = if seed % 2 == 0 {
            CallOrder::Oldest
        } else {
            CallOrder::Preference
        };
        settings.queue.priority_streak_limit = dice.between(1, 3) as u32;
        settings.queue.normal_wait_limit_minutes = dice.between(0, 6) as u32;
        settings.queue.transfer_keeps_place = dice.chance(50);
        let hall = TestHall::start_with(settings).await;
        let kiosk = hall.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
        // Counter 4 serves D, A and C (in that order), counter 1 A and D.
        let clerks = [
            (4, hall.clerk_at("tu", 4).await),
            (1, hall.clerk_at("lan", 1).await),
        ];
        let mut calls = 0;
        for step in 0..60 {
            match dice.below(10) {
                // Tickets arrive, often several in the same millisecond.
                0..=4 => {
                    let field = ["A", "C", "D", "B"][dice.below(4) as usize];
                    let priority = if dice.chance(35) {
                        priorities[dice.below(5) as usize]
                    } else {
                        "none"
                    };
                    kiosk.issue(field, priority).await;
                }
                5 => hall
                    .clock
                    .advance(chrono::Duration::seconds(dice.between(0, 240))),
                _ => {
                    let (no, clerk) = &clerks[dice.below(2) as usize];
                    let expected = policy_over_everyone(&hall, *no).await;
                    let called = clerk.call_next(*no).await;
                    let got = called.as_ref().map(|t| t["id"].as_i64().expect("id"));
                    assert_eq!(
                        got, expected,
                        "seed {seed}, step {step}: counter {no} called {called:?}"
                    );
                    if let Some(ticket) = called {
                        calls += 1;
                        dismiss(clerk, &ticket, &mut dice).await;
                    }
                }
            }
        }
        assert!(calls > 5, "seed {seed}: only {calls} calls");
    }
}

/// Issue `n` tickets in field `field` at once through the application (every fifth a
/// priority ticket): the writer takes them in a few transactions.
async fn issue_many(hall: &TestHall, field: &str, n: usize) {
    let issues = (0..n).map(|i| {
        let (app, field) = (hall.state.app.clone(), code(field));
        let priority = if i % 5 == 0 {
            Priority::Elderly
        } else {
            Priority::None
        };
        async move {
            app.run(move |ctx| queue::issue_once(ctx, &field, priority, IssuedBy::Counter, None))
                .await
                .expect("issued")
        }
    });
    futures_util::future::join_all(issues).await;
}

#[tokio::test]
async fn a_call_runs_as_many_database_steps_with_thousands_waiting_as_with_fifty() {
    let mut settings = Settings::default();
    // Numbers enough for thousands of tickets in a field.
    for s in &mut settings.services {
        s.last = 99_999;
    }
    let hall = TestHall::start_with(settings).await;
    // Counter 1 calls A first, then D.
    let clerk = hall.clerk_at("lan", 1).await;
    steps::trace_the_writer(&hall).await;
    let mut steps = Vec::new();
    for waiting in [50, 3_000] {
        for field in ["A", "D", "C"] {
            let now = hall
                .state
                .app
                .read(|conn, _| Ok(tickets::waiting_counts(conn)?))
                .await;
            let have = now.expect("counts").get(field).copied().unwrap_or(0) as usize;
            issue_many(&hall, field, waiting - have).await;
        }
        // Two calls, the first to warm the statement cache. Nothing else writes meanwhile.
        for round in 0..2 {
            steps::take();
            let ticket = clerk.call_next(1).await.expect("someone waits");
            let counted = steps::take();
            let (status, body) = clerk.act(&ticket, "no-show", json!({})).await;
            assert_eq!(status, 200, "{body}");
            if round == 1 {
                steps.push(counted);
            }
        }
    }
    let (few, many) = (steps[0], steps[1]);
    assert!(
        many <= few + few / 10,
        "a call ran {few} SQLite steps with 50 waiting per field, {many} with 3,000"
    );
}
