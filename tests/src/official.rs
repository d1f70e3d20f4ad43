//! What the tests of the Decision 766 figure do that issue 16's other parts serve:
//! attaching a dossier's code at the counter (`POST /api/counters/{no}/dossiers`), a
//! citizen's complaint (`POST /api/complaints`), and a rating's reasons and visits needed.
//! Where the running server does not describe them yet (its OpenAPI document), the same
//! events are written through the store, as the hall's writer would write them, and ratings
//! go without reasons; once those parts are merged, the routes are used, as a clerk and a
//! citizen would use them. The figures are counted from the same events either way.

use crate::{Client, TestHall};
use motcua_domain::event::{Event, Logged};
use motcua_store::clock::Clock;
use serde_json::{Value, json};

/// What the server describes of issue 16's other parts.
#[derive(Debug, Clone, Copy)]
pub struct Routes {
    pub dossiers: bool,
    pub complaints: bool,
    /// Both rating routes take `reasons` and `visits_needed`.
    pub reasons: bool,
}

impl Routes {
    pub async fn of(hall: &TestHall) -> Routes {
        let (status, doc) = hall.anonymous().get("/api/openapi.json").await;
        assert_eq!(status, 200, "{doc}");
        let schema = |name: &str| &doc["components"]["schemas"][name]["properties"];
        Routes {
            dossiers: doc["paths"]["/api/counters/{no}/dossiers"]["post"].is_object(),
            complaints: doc["paths"]["/api/complaints"]["post"].is_object(),
            reasons: schema("RatingRequest")["reasons"].is_object()
                && schema("CounterRatingBody")["reasons"].is_object(),
        }
    }
}

/// Write a ticket event through the store, as the hall's writer does.
async fn write_event(
    hall: &TestHall,
    ticket: &Value,
    field: &str,
    counter: Option<u16>,
    event: Event,
) {
    let logged = Logged {
        seq: 0,
        at: motcua_store::millis(hall.clock.now()),
        ticket: ticket["id"].as_i64(),
        service: Some(field.to_owned()),
        counter,
        user: None,
        event,
    };
    let tz = hall.state.store.hall.tz;
    hall.state
        .store
        .write(move |tx| motcua_store::events::append(tx.conn, tz, &logged))
        .await
        .expect("the event is written");
}

/// The clerk at counter `no` attaches `code` to `ticket` (of `field`), which the counter is
/// serving.
pub async fn attach(
    hall: &TestHall,
    routes: Routes,
    clerk: &Client,
    no: u16,
    ticket: &Value,
    field: &str,
    code: &str,
) {
    if routes.dossiers {
        let (status, body) = clerk
            .post(
                &format!("/api/counters/{no}/dossiers"),
                json!({ "code": code }),
            )
            .await;
        assert_eq!(status, 200, "attach {code}: {body}");
    } else {
        let event = Event::DossierAttached {
            dossier: code.to_owned(),
        };
        write_event(hall, ticket, field, Some(no), event).await;
    }
}

/// The ticket's holder complains (about a long wait) from their phone. `number` numbers the
/// complaint where the store is written to (the hall's own numbering otherwise).
pub async fn complain(hall: &TestHall, routes: Routes, ticket: &Value, field: &str, number: i64) {
    if routes.complaints {
        let (status, body) = hall
            .anonymous()
            .post(
                "/api/complaints",
                json!({"token": ticket["token"], "topic": "wait", "text": "Chờ quá lâu"}),
            )
            .await;
        assert_eq!(status, 201, "a complaint: {body}");
    } else {
        let event = Event::ComplaintMade {
            complaint: number,
            topic: "wait".into(),
            text: Some("Chờ quá lâu".into()),
        };
        write_event(hall, ticket, field, None, event).await;
    }
}
