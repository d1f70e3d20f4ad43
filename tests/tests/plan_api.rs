//! The staffing planner's API on the demo hall: a plan with no history (and saying so),
//! closed days, a plan tried and saved, every refusal, and the exports.

use chrono::Duration;
use motcua_domain::Role;
use motcua_tests::{TestHall, error_code};
use serde_json::{Value, json};

/// The demo hall's weekday hours: 07:30-11:30 and 13:30-17:00, planned 07:00 to 17:00.
const HOURS: usize = 10;

fn counters(per_hour: Value) -> Value {
    json!(vec![per_hour; HOURS])
}

#[tokio::test]
async fn a_hall_with_no_history_gets_a_plan_from_its_configured_minutes_and_says_so() {
    let hall = TestHall::start().await;
    let manager = hall.staff("lan", Role::Manager).await;
    // Wednesday 25 November 2026 and the six days after.
    let (status, plan) = manager.get("/api/plan").await;
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["from"], "2026-11-25");
    assert_eq!(plan["goal"], 0.8);
    assert_eq!(plan["counters"], 4);
    let days = plan["days"].as_array().expect("days");
    assert_eq!(days.len(), 7);
    // The weekend is closed, and says why.
    let saturday = &days[3];
    assert_eq!(saturday["day"], "2026-11-28");
    assert_eq!(saturday["open"], false);
    assert_eq!(saturday["closure_vi"], "Ngày nghỉ cuối tuần");
    let day = &days[0];
    assert_eq!(day["open"], true);
    assert_eq!(
        (day["first_hour"].as_u64(), day["hours"].as_u64()),
        (Some(7), Some(10))
    );
    let notes = day["notes"].as_array().expect("notes");
    assert!(
        notes.contains(&json!({"kind": "no_history", "expected_per_day": 100.0})),
        "{notes:?}"
    );
    for field in ["A", "B", "C", "D", "E"] {
        assert!(
            notes
                .iter()
                .any(|n| n["kind"] == "configured_handling" && n["field"] == field),
            "{field}: {notes:?}"
        );
    }
    // The configured minutes and a minute's walk: A is 8 minutes, B 15.
    let fields = day["fields"].as_array().expect("fields");
    assert_eq!(fields[0]["handling_minutes"], 9.0);
    assert_eq!(fields[1]["handling_minutes"], 16.0);
    // 100 a day assumed: 2 an hour in each of five fields over ten hours.
    assert_eq!(fields[0]["arrivals"], json!(vec![2.0; HOURS]));
    // Four counters for five fields: some share, and every field is served every hour.
    for (h, hour) in day["proposal"]
        .as_array()
        .expect("proposal")
        .iter()
        .enumerate()
    {
        let open = hour.as_array().expect("counters");
        assert!(open.len() <= 4, "hour {h}: {hour}");
        for field in ["A", "B", "C", "D", "E"] {
            assert!(
                open.iter()
                    .any(|c| c.as_array().is_some_and(|c| c.contains(&json!(field)))),
                "hour {h}: nobody serves {field}: {hour}"
            );
        }
    }
    assert!(!day["shared"].as_array().expect("shared").is_empty());
    assert_eq!(day["in_force"], "proposal");
    assert_eq!(day["plan"], Value::Null);
}

#[tokio::test]
async fn a_plan_tried_moves_the_prediction_and_a_plan_saved_is_in_force_until_dropped() {
    let hall = TestHall::start().await;
    let manager = hall.staff("lan", Role::Manager).await;
    let tomorrow = "2026-11-26";
    // Every field on one counter each but E, left to share with D; then two of B; then
    // none of B at all.
    let all = json!([["A"], ["B"], ["C"], ["D", "E"]]);
    let (status, wide) = manager
        .post(
            "/api/plan/predict",
            json!({"day": tomorrow, "counters": counters(all.clone())}),
        )
        .await;
    assert_eq!(status, 200, "{wide}");
    assert_eq!(wide["in_force"], "plan");
    let within = |plan: &Value, f: usize| plan["fields"][f]["predicted_day"]["within"].as_f64();
    let without_b = json!([["A"], ["C"], ["D", "E"]]);
    let (status, narrow) = manager
        .post(
            "/api/plan/predict",
            json!({"day": tomorrow, "counters": counters(without_b.clone())}),
        )
        .await;
    assert_eq!(status, 200, "{narrow}");
    // A second counter of B (C, D and E sharing one): B's share within target rises.
    let two_b = json!([["A"], ["B"], ["B"], ["C", "D", "E"]]);
    let (status, more) = manager
        .post(
            "/api/plan/predict",
            json!({"day": tomorrow, "counters": counters(two_b)}),
        )
        .await;
    assert_eq!(status, 200, "{more}");
    let (one, two) = (within(&wide, 1), within(&more, 1));
    assert!(
        one.zip(two).is_some_and(|(one, two)| two > one),
        "B within target with one counter {one:?}, with two {two:?}"
    );
    // Nobody serves B: nobody in B is called at all.
    assert_eq!(within(&narrow, 1), None, "{}", narrow["fields"][1]);
    assert_eq!(narrow["fields"][1]["planned"], Value::Null);
    // Tried, not saved.
    let (_, plan) = manager
        .get(&format!("/api/plan?from={tomorrow}&days=1"))
        .await;
    assert_eq!(plan["days"][0]["in_force"], "proposal");

    // Saved: in force, with who saved it and when, across a restart.
    let (status, saved) = manager
        .put(
            &format!("/api/plan/{tomorrow}"),
            json!({"counters": counters(all.clone())}),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["in_force"], "plan");
    assert_eq!(saved["plan"]["by"], "lan");
    assert_eq!(saved["plan"]["at"], "2026-11-25T08:00:00+07:00");
    assert_eq!(saved["fields"][3]["planned"], json!(vec![1; HOURS]));
    assert_eq!(saved["fields"][4]["planned"], json!(vec![1; HOURS]));
    let hall = hall.restart().await;
    let manager = hall.sign_in("lan").await;
    let (_, plan) = manager
        .get(&format!("/api/plan?from={tomorrow}&days=1"))
        .await;
    let day = &plan["days"][0];
    assert_eq!(day["in_force"], "plan");
    assert_eq!(day["plan"]["counters"], counters(all));
    assert_eq!(
        day["fields"][0]["predicted_day"], saved["fields"][0]["predicted_day"],
        "the same day, plan and seed: the same prediction"
    );
    // Dropped: the proposal again.
    let (status, dropped) = manager.delete(&format!("/api/plan/{tomorrow}")).await;
    assert_eq!(status, 200, "{dropped}");
    assert_eq!(dropped["in_force"], "proposal");
    assert_eq!(dropped["plan"], Value::Null);

    // A day over cannot be planned any more.
    hall.clock.advance(Duration::days(2));
    let manager = hall.sign_in("lan").await;
    let (status, body) = manager
        .put(
            &format!("/api/plan/{tomorrow}"),
            json!({"counters": counters(json!([["A"]]))}),
        )
        .await;
    assert_eq!((status, error_code(&body)), (409, "day_past"), "{body}");
}

#[tokio::test]
async fn a_plan_that_does_not_fit_the_hall_or_the_day_is_refused_and_nothing_is_saved() {
    let hall = TestHall::start().await;
    let manager = hall.staff("lan", Role::Manager).await;
    let day = "2026-11-26";
    let refused = [
        (
            json!({"counters": vec![json!([["A"]]); 9]}),
            422,
            "bad_plan",
            "10 hours",
        ),
        (
            json!({"counters": counters(json!([["Z"]]))}),
            422,
            "bad_plan",
            "no field \"Z\"",
        ),
        (
            json!({"counters": counters(json!([["A"], ["B"], ["C"], ["D"], ["E"]]))}),
            422,
            "bad_plan",
            "the hall has 4",
        ),
        (
            json!({"counters": counters(json!([[]]))}),
            422,
            "bad_plan",
            "one field or more",
        ),
        (
            json!({"counters": counters(json!([["A", "A"]]))}),
            422,
            "bad_plan",
            "twice",
        ),
        (json!({"counters": "A"}), 422, "invalid_body", ""),
        (json!({"counters": [], "extra": 1}), 422, "invalid_body", ""),
    ];
    for (body, status, code, says) in refused {
        let (got, answer) = manager.put(&format!("/api/plan/{day}"), body.clone()).await;
        assert_eq!(
            (got, error_code(&answer)),
            (status, code),
            "{body}: {answer}"
        );
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{body}: {message}");
    }
    // A Saturday is closed; a day written wrong is not a day.
    let (status, body) = manager
        .put(
            "/api/plan/2026-11-28",
            json!({"counters": counters(json!([["A"]]))}),
        )
        .await;
    assert_eq!((status, error_code(&body)), (422, "day_closed"), "{body}");
    let (status, body) = manager.get("/api/plan?from=26/11/2026").await;
    assert_eq!((status, error_code(&body)), (422, "bad_range"), "{body}");
    let (status, body) = manager.get("/api/plan?days=15").await;
    assert_eq!((status, error_code(&body)), (422, "bad_range"), "{body}");
    let (status, body) = manager.get("/api/plan/check?days=57").await;
    assert_eq!((status, error_code(&body)), (422, "bad_range"), "{body}");
    // Nothing was saved.
    let (_, plan) = manager.get(&format!("/api/plan?from={day}&days=1")).await;
    assert_eq!(plan["days"][0]["in_force"], "proposal");
    // Clerks may not plan.
    let clerk = hall.staff("canbo1", Role::Clerk).await;
    let (status, _) = clerk.get("/api/plan").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn the_plan_exports_as_csv_and_excel_one_line_per_day_hour_and_field() {
    let hall = TestHall::start().await;
    let manager = hall.staff("lan", Role::Manager).await;
    let (status, kind, bytes) = manager.get_bytes("/api/plan.csv?days=3").await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"), "{kind}");
    let text = String::from_utf8(bytes).expect("UTF-8");
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    assert!(
        header.starts_with("Ngày,Giờ,Lĩnh vực,Số người đến dự báo"),
        "{header}"
    );
    // Wednesday and Thursday open (ten hours, five fields); Friday too: 3 × 10 × 5.
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3 * HOURS * 5, "{text}");
    assert!(rows[0].starts_with("25/11/2026,07:00,A,2"), "{}", rows[0]);
    let (status, kind, bytes) = manager.get_bytes("/api/plan.xlsx?days=1").await;
    assert_eq!(status, 200);
    assert!(kind.contains("spreadsheetml"), "{kind}");
    assert!(bytes.starts_with(b"PK"), "an Excel file is a zip");
}

#[tokio::test]
async fn the_check_sets_each_worked_day_beside_its_prediction_and_leaves_out_days_never_run() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", motcua_domain::DeviceKind::Kiosk);
    let clerk = hall.clerk_at("canbo1", 1).await;
    for _ in 0..6 {
        kiosk.issue("A", "none").await;
    }
    for _ in 0..6 {
        let ticket = clerk.call_next(1).await.expect("someone waits");
        hall.clock.advance(Duration::minutes(2));
        let (status, body) = clerk.act(&ticket, "start", json!({})).await;
        assert_eq!(status, 200, "{body}");
        hall.clock.advance(Duration::minutes(5));
        let (status, body) = clerk.act(&ticket, "finish", json!({})).await;
        assert_eq!(status, 200, "{body}");
    }
    hall.clock.advance(Duration::days(1));
    let manager = hall.staff("lan", Role::Manager).await;
    // The week before the hall ran is left out; its one day is there.
    let (status, check) = manager.get("/api/plan/check?days=7").await;
    assert_eq!(status, 200, "{check}");
    let days = check["days"].as_array().expect("days");
    assert_eq!(days.len(), 1, "{check}");
    let day = &days[0];
    assert_eq!(day["day"], "2026-11-25");
    assert_eq!(day["in_force"], "proposal");
    let a = &day["fields"][0];
    assert_eq!(
        (a["code"].as_str(), a["actual_arrivals"].as_u64()),
        (Some("A"), Some(6))
    );
    // Served after 0, 7, 14, ... minutes: 15 minutes is A's target, so 3 of 6 within.
    assert_eq!(a["actual_within"], 0.5);
    assert!(a["predicted_within"].as_f64().is_some(), "{a}");
    // Six served is one more than the least a field-day is judged from.
    assert_eq!(check["accuracy"]["field_days"], 1);
}
