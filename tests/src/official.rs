//! What the tests of the Decision 766 figure do as a clerk and a citizen would: attach a
//! dossier's code at the counter (`POST /api/counters/{no}/dossiers`) and complain from the
//! ticket's phone page (`POST /api/complaints`).

use crate::{Client, TestHall};
use serde_json::{Value, json};

/// The clerk at counter `no` attaches `code` to the ticket the counter is serving.
pub async fn attach(clerk: &Client, no: u16, code: &str) {
    let (status, body) = clerk
        .post(
            &format!("/api/counters/{no}/dossiers"),
            json!({ "code": code }),
        )
        .await;
    assert_eq!(status, 200, "attach {code}: {body}");
}

/// The ticket's holder complains (about a long wait) from their phone.
pub async fn complain(hall: &TestHall, ticket: &Value) {
    let (status, body) = hall
        .anonymous()
        .post(
            "/api/complaints",
            json!({"token": ticket["token"], "topic": "wait", "text": "Chờ quá lâu"}),
        )
        .await;
    assert_eq!(status, 201, "a complaint: {body}");
}
