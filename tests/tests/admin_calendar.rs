//! `[bookings]` and `[alerts]` changed while the hall runs (`/api/admin/settings`), on a
//! hand-moved clock: a closed day set by an admin closes the kiosk and the booking page that
//! day at once, and stays across a restart; a change that would strand bookings already made
//! is refused naming the day and how many; the outside issuers stay the settings file's;
//! the alerts' thresholds and webhook follow a change at once (a new listener hears what
//! comes next, the old one nothing more), and the webhook's path never shows in the API or
//! the audit log. The admin page's cards for both are driven in Chromium.

use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::{IssuerSettings, Settings};
use motcua_tests::browser::Browser;
use motcua_tests::{Client, TestHall, error_code, webhook};
use serde_json::{Value, json};

/// The demo hall (Wednesday 25 November 2026, 08:00) giving numbers on its calendar only.
fn on_the_calendar() -> Settings {
    let mut settings = Settings::default();
    settings.hours.follow_calendar = true;
    settings
}

/// A live section as it runs now, read by `who`.
async fn section(who: &Client, name: &str) -> Value {
    let (status, all) = who.get("/api/admin/settings").await;
    assert_eq!(status, 200, "{all}");
    all["sections"]
        .as_array()
        .expect("the sections")
        .iter()
        .find(|s| s["section"] == name)
        .unwrap_or_else(|| panic!("{name} is a live section: {all}"))
        .clone()
}

/// `[bookings]` as it runs, with `change` made to it.
async fn bookings_with(admin: &Client, change: impl FnOnce(&mut Value)) -> Value {
    let mut value = section(admin, "bookings").await["value"].clone();
    change(&mut value);
    json!({ "value": value })
}

async fn try_issue(kiosk: &Client) -> (u16, Value) {
    kiosk
        .post("/api/tickets", json!({"service": "A", "priority": "none"}))
        .await
}

/// A day of field A's booking calendar.
async fn calendar_day(hall: &TestHall, day: &str) -> Value {
    let (status, calendar) = hall
        .anonymous()
        .get("/api/bookings/calendar?service=A")
        .await;
    assert_eq!(status, 200, "{calendar}");
    calendar["days"]
        .as_array()
        .expect("days")
        .iter()
        .find(|d| d["day"] == day)
        .unwrap_or_else(|| panic!("{day} in {calendar}"))
        .clone()
}

async fn book(hall: &TestHall, day: &str, window: &str, person: &str) -> (u16, Value) {
    hall.anonymous()
        .post(
            "/api/bookings",
            json!({"service": "A", "day": day, "window": window, "person": person, "consent": true}),
        )
        .await
}

/// The subjects of the audit log, newest first.
async fn audited(admin: &Client) -> (Vec<String>, String) {
    let (status, audit) = admin.get("/api/audit").await;
    assert_eq!(status, 200, "{audit}");
    let subjects = audit["entries"]
        .as_array()
        .expect("the audit list")
        .iter()
        .filter_map(|e| e["subject"].as_str().map(str::to_owned))
        .collect();
    (subjects, audit.to_string())
}

#[tokio::test]
async fn a_closed_day_set_by_an_admin_closes_the_kiosk_and_the_booking_page_at_once_and_stays_after_a_restart()
 {
    let hall = TestHall::start_with(on_the_calendar()).await;
    let admin = hall.staff("lan", Role::Admin).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let (status, body) = try_issue(&kiosk).await;
    assert_eq!(status, 201, "{body}");
    assert!(calendar_day(&hall, "2026-11-26").await["closed"].is_null());

    // Today and tomorrow closed: the hall's own days off.
    let change = bookings_with(&admin, |v| {
        v["closed_days"] = json!(["2026-11-25", "2026-11-26"]);
    })
    .await;
    let (status, answer) = admin.put("/api/admin/settings/bookings", change).await;
    assert_eq!(status, 200, "{answer}");
    let (status, body) = try_issue(&kiosk).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "hall_closed_today"),
        "{body}"
    );
    let (_, info) = hall.anonymous().get("/api/services").await;
    assert_eq!(
        (&info["issuing"]["why"], &info["issuing"]["closed_vi"]),
        (&json!("closed_day"), &json!("Bộ phận một cửa nghỉ")),
        "{}",
        info["issuing"]
    );
    let tomorrow = calendar_day(&hall, "2026-11-26").await;
    assert_eq!(
        tomorrow["closed"]["vi"], "Bộ phận một cửa nghỉ",
        "{tomorrow}"
    );
    let (status, body) = book(&hall, "2026-11-26", "09:00", "0912000001").await;
    assert_eq!((status, error_code(&body)), (409, "day_closed"), "{body}");

    // Audited with before and after.
    let (subjects, text) = audited(&admin).await;
    assert_eq!(subjects[0], "settings:bookings", "{text}");
    assert!(text.contains("2026-11-26"), "{text}");

    // Applied at start, from the database.
    let hall = hall.restart().await;
    let kiosk = hall.device("kiosk-2", DeviceKind::Kiosk);
    let (status, body) = try_issue(&kiosk).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "hall_closed_today"),
        "{body}"
    );

    // Back to the file's calendar: open again at once.
    let admin = hall.sign_in("lan").await;
    let (status, answer) = admin.delete("/api/admin/settings/bookings").await;
    assert_eq!(status, 200, "{answer}");
    let (status, body) = try_issue(&kiosk).await;
    assert_eq!(status, 201, "{body}");
    assert!(calendar_day(&hall, "2026-11-26").await["closed"].is_null());
}

#[tokio::test]
async fn a_calendar_change_that_would_strand_bookings_is_refused_naming_the_day_and_how_many() {
    let hall = TestHall::start().await;
    let admin = hall.staff("lan", Role::Admin).await;
    // Friday 27 November: two bookings in the morning; Monday 30: one in the afternoon.
    let mut friday = Vec::new();
    for (window, person) in [("09:00", "0912000001"), ("09:30", "0912000002")] {
        let (status, body) = book(&hall, "2026-11-27", window, person).await;
        assert_eq!(status, 201, "{body}");
        friday.push(body["code"].as_str().expect("a code").to_owned());
    }
    let (status, body) = book(&hall, "2026-11-30", "14:00", "0912000003").await;
    assert_eq!(status, 201, "{body}");

    let refusals = [
        // The Friday closed,
        bookings_with(&admin, |v| v["closed_days"] = json!(["2026-11-27"])).await,
        // Fridays no longer worked,
        bookings_with(&admin, |v| v["weekdays"] = json!([1, 2, 3, 4])).await,
        // or hour-long windows, which start at 07:30, 08:30, 09:30...: 09:00 is gone.
        bookings_with(&admin, |v| v["window_minutes"] = json!(60)).await,
    ];
    for change in refusals {
        let (status, body) = admin.put("/api/admin/settings/bookings", change).await;
        assert_eq!(
            (status, error_code(&body)),
            (409, "bookings_stranded"),
            "{body}"
        );
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("2 booking(s) on 2026-11-27 at 09:00")
                || message.starts_with("1 booking(s) on 2026-11-27 at 09:00"),
            "{message}"
        );
    }
    // Mornings only: Monday's afternoon booking is the one stranded.
    let change = bookings_with(&admin, |v| v["opening_hours"] = json!(["07:30-11:30"])).await;
    let (status, body) = admin.put("/api/admin/settings/bookings", change).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "bookings_stranded"),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("1 booking(s) on 2026-11-30 at 14:00"),
        "{body}"
    );
    // The day's rules' own hours strand them too: Friday afternoons only.
    let mut hours = section(&admin, "hours").await["value"].clone();
    hours["weekdays"] = json!({"friday": ["13:30-17:00"]});
    let (status, body) = admin
        .put("/api/admin/settings/hours", json!({ "value": hours }))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "bookings_stranded"),
        "{body}"
    );

    // Nothing changed, nothing audited.
    assert!(calendar_day(&hall, "2026-11-27").await["closed"].is_null());
    let (subjects, _) = audited(&admin).await;
    assert!(
        !subjects.iter().any(|s| s.starts_with("settings:")),
        "{subjects:?}"
    );

    // Once the Friday's bookings are cancelled, the day closes.
    for code in friday {
        let (status, body) = hall
            .anonymous()
            .post(&format!("/api/bookings/{code}/cancel"), json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let change = bookings_with(&admin, |v| v["closed_days"] = json!(["2026-11-27"])).await;
    let (status, body) = admin.put("/api/admin/settings/bookings", change).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        calendar_day(&hall, "2026-11-27").await["closed"]["en"],
        "The hall is closed"
    );
}

#[tokio::test]
async fn the_booking_pages_bound_on_attempts_follows_a_change_at_once() {
    let hall = TestHall::start().await;
    let admin = hall.staff("lan", Role::Admin).await;
    // The tests' hall lets one address book as fast as it likes; one attempt a minute now.
    let change = bookings_with(&admin, |v| v["attempts_per_minute"] = json!(1)).await;
    let (status, body) = admin.put("/api/admin/settings/bookings", change).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = book(&hall, "2026-11-26", "09:00", "0912000001").await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = book(&hall, "2026-11-26", "09:30", "0912000002").await;
    assert_eq!(
        (status, error_code(&body)),
        (429, "booking_rate_exceeded"),
        "{body}"
    );
}

const SECRET: &str = "an issuer's secret of at least thirty-two characters";

#[tokio::test]
async fn the_outside_issuers_stay_the_settings_files_and_are_never_shown_or_changed_on_the_admin_pages()
 {
    let mut settings = Settings::default();
    settings.bookings.issuers = vec![IssuerSettings {
        name: "ihanoi".into(),
        secret: SECRET.into(),
    }];
    let hall = TestHall::start_with(settings).await;
    let admin = hall.staff("lan", Role::Admin).await;
    let shown = section(&admin, "bookings").await;
    assert!(
        shown["value"].get("issuers").is_none() && shown["file"].get("issuers").is_none(),
        "{shown}"
    );
    let (_, all) = admin.get("/api/admin/settings").await;
    assert!(!all.to_string().contains("thirty-two"), "{all}");

    // Sending issuers is refused, naming the key.
    let change = bookings_with(&admin, |v| {
        v["issuers"] = json!([{"name": "touts", "secret": "x".repeat(40)}]);
    })
    .await;
    let (status, body) = admin.put("/api/admin/settings/bookings", change).await;
    assert_eq!((status, error_code(&body)), (422, "bad_setting"), "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("bookings.issuers"),
        "{body}"
    );

    // A change of the rest keeps the file's issuer: it still books, signed with its secret.
    let change = bookings_with(&admin, |v| v["days_ahead"] = json!(3)).await;
    let (status, body) = admin.put("/api/admin/settings/bookings", change).await;
    assert_eq!(status, 200, "{body}");
    let now = motcua_tests::opening_time().timestamp_millis();
    let body =
        json!({"issuer_ref": "IH-1", "service": "A", "day": "2026-11-26", "window": "10:00"})
            .to_string();
    let signature = motcua_web::protocol::sign(SECRET, "ihanoi", now, body.as_bytes());
    let answer = reqwest::Client::new()
        .post(hall.url("/api/issuers/bookings"))
        .header("content-type", "application/json")
        .header("x-motcua-issuer", "ihanoi")
        .header("x-motcua-timestamp", now.to_string())
        .header("x-motcua-signature", signature)
        .body(body)
        .send()
        .await
        .expect("the issuer's request");
    assert_eq!(answer.status().as_u16(), 201);
    // The audit log holds no secret either.
    let (_, text) = audited(&admin).await;
    assert!(!text.contains("thirty-two"), "{text}");
}

/// The webhook of one chat room (`motcua_tests::webhook`), answering 200 to every request.
struct Receiver {
    url: String,
    hook: webhook::Receiver,
}

impl Receiver {
    async fn start(room: &str) -> Receiver {
        let hook = webhook::Receiver::start(room, 0).await;
        Receiver {
            url: hook.url.clone(),
            hook,
        }
    }

    /// The next delivery, as `state kind subject`, within 20 s.
    async fn next(&mut self) -> String {
        let webhook::Delivery { path, body, .. } = self.hook.next_heard().await;
        assert!(self.url.ends_with(&path), "{path} for {}", self.url);
        format!(
            "{} {} {}",
            body["state"].as_str().unwrap_or(""),
            body["kind"].as_str().unwrap_or(""),
            body["subject"].as_str().unwrap_or("")
        )
    }

    /// Everything heard so far and not read yet.
    fn heard(&mut self) -> Vec<String> {
        std::iter::from_fn(|| self.hook.got.try_recv().ok())
            .map(|heard| format!("{} {}", heard.path, heard.body["kind"]))
            .collect()
    }
}

/// The webhook as the admin pages show it: its scheme, host and port.
fn shown(url: &str) -> String {
    let rest = url.trim_start_matches("http://");
    format!("http://{}/…", rest.split('/').next().unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alerts_webhook_changed_live_reaches_the_new_listener_and_the_old_one_hears_nothing_more()
 {
    let mut old = Receiver::start("old-room").await;
    let mut new = Receiver::start("new-room").await;
    let mut settings = Settings::default();
    settings.alerts.webhook_url = old.url.clone();
    settings.alerts.offline_minutes = 0;
    let hall = TestHall::start_with(settings).await;
    let admin = hall.staff("admin", Role::Admin).await;
    let boss = hall.staff("boss", Role::Manager).await;
    let lan = hall.clerk_at("lan", 1).await;
    let emergency = |who: &Client, counter: u16, handled: bool| {
        let path = if handled {
            format!("/api/counters/{counter}/emergency/handled")
        } else {
            format!("/api/counters/{counter}/emergency")
        };
        let who = who.clone();
        async move {
            let (status, body) = who.post(&path, json!({})).await;
            assert_eq!(status, 200, "{body}");
        }
    };
    emergency(&lan, 1, false).await;
    assert_eq!(old.next().await, "fired emergency counter:1");

    // The manager reads the webhook as its host only; the path and its secret never show.
    let alerts = section(&boss, "alerts").await;
    assert_eq!(alerts["value"]["webhook_url"], json!(shown(&old.url)));
    assert_eq!(alerts["file"]["webhook_url"], json!(shown(&old.url)));
    let (_, all) = boss.get("/api/admin/settings").await;
    assert!(!all.to_string().contains("SECRET"), "{all}");
    // Managers read, admins change.
    let mut value = alerts["value"].clone();
    value["webhook_url"] = json!(new.url);
    let (status, _) = boss
        .put("/api/admin/settings/alerts", json!({ "value": value }))
        .await;
    assert_eq!(status, 403);
    // Not a web address: refused, naming the key and not the address.
    let mut wrong = value.clone();
    wrong["webhook_url"] = json!("ftp://SECRET-host/x");
    let (status, body) = admin
        .put("/api/admin/settings/alerts", json!({ "value": wrong }))
        .await;
    assert_eq!((status, error_code(&body)), (422, "bad_setting"), "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("alerts.webhook_url") && !message.contains("SECRET"),
        "{message}"
    );

    // The shown value edited (the hidden part cannot be edited): refused.
    let mut partial = value.clone();
    partial["webhook_url"] = json!(format!("{}x", shown(&old.url)));
    let (status, body) = admin
        .put("/api/admin/settings/alerts", json!({ "value": partial }))
        .await;
    assert_eq!((status, error_code(&body)), (422, "bad_setting"), "{body}");

    // The new address: what is sent from now on goes there, and nothing to the old one.
    let (status, answer) = admin
        .put("/api/admin/settings/alerts", json!({ "value": value }))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["section"]["value"]["webhook_url"],
        json!(shown(&new.url))
    );
    assert!(!answer.to_string().contains("SECRET"), "{answer}");
    emergency(&boss, 1, true).await;
    assert_eq!(new.next().await, "cleared emergency counter:1");
    assert_eq!(old.heard(), Vec::<String>::new());

    // Saved again as shown (another threshold changed): the address it stands for is kept.
    let mut again = section(&admin, "alerts").await["value"].clone();
    again["idle_minutes"] = json!(7);
    let (status, answer) = admin
        .put("/api/admin/settings/alerts", json!({ "value": again }))
        .await;
    assert_eq!(status, 200, "{answer}");
    emergency(&lan, 1, false).await;
    assert_eq!(new.next().await, "fired emergency counter:1");

    // The audit log says what changed, and never the path.
    let (subjects, text) = audited(&admin).await;
    assert_eq!(
        subjects[..2],
        ["settings:alerts", "settings:alerts"],
        "{text}"
    );
    assert!(
        !text.contains("SECRET") && !text.contains("hooks") && text.contains(&shown(&new.url)),
        "{text}"
    );

    // Applied at start, from the database: after a restart the open emergency fires again
    // (open alerts live in memory), to the new address.
    let hall = hall.restart().await;
    let boss = hall.sign_in("boss").await;
    let (status, _) = boss.get("/api/alerts").await;
    assert_eq!(status, 200);
    assert_eq!(new.next().await, "fired emergency counter:1");
    assert_eq!(old.heard(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alerts_thresholds_changed_live_apply_at_the_next_check() {
    let mut settings = Settings::default();
    settings.alerts.offline_minutes = 0;
    let hall = TestHall::start_with(settings).await;
    let admin = hall.staff("admin", Role::Admin).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let _lan = hall.clerk_at("lan", 1).await;
    kiosk.issue("A", "none").await;
    let idle = |list: &Value| {
        list["alerts"]
            .as_array()
            .expect("the alerts")
            .iter()
            .any(|a| a["kind"] == "counter_idle")
    };
    // Six minutes with counter 1 open and free while someone waits in A: idle (5 minutes).
    hall.clock.advance(chrono::Duration::minutes(6));
    let (_, list) = admin.get("/api/alerts").await;
    assert!(idle(&list), "{list}");
    // Ten minutes before a counter counts as idle: cleared at once.
    let mut value = section(&admin, "alerts").await["value"].clone();
    value["idle_minutes"] = json!(10);
    let (status, body) = admin
        .put("/api/admin/settings/alerts", json!({ "value": value }))
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, list) = admin.get("/api/alerts").await;
    assert!(!idle(&list), "{list}");
    // Out of bounds: refused as the file would be.
    value["idle_minutes"] = json!(601);
    let (status, body) = admin
        .put("/api/admin/settings/alerts", json!({ "value": value }))
        .await;
    assert_eq!((status, error_code(&body)), (422, "bad_setting"), "{body}");

    // A new secret on the same host: the audit log says the address changed, not to what.
    for secret in ["SECRET-one", "SECRET-two"] {
        value["idle_minutes"] = json!(10);
        value["webhook_url"] = json!(format!("https://chat.example/hooks/{secret}"));
        let (status, body) = admin
            .put("/api/admin/settings/alerts", json!({ "value": value }))
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, audit) = admin.get("/api/audit").await;
    assert_eq!(status, 200);
    let latest = &audit["entries"][0];
    assert_eq!(
        (
            &latest["subject"],
            &latest["before"]["webhook_url"],
            &latest["after"]["webhook_url"],
            &latest["after"]["webhook_url_changed"]
        ),
        (
            &json!("settings:alerts"),
            &json!("https://chat.example/…"),
            &json!("https://chat.example/…"),
            &json!(true)
        ),
        "{latest}"
    );
    assert!(!audit.to_string().contains("SECRET"), "{audit}");
}

/// Set an input's value as a person's typing would (the page reads it on Save).
async fn set(page: &Browser, css: &str, value: &str) {
    page.eval(&format!(
        "(function(e){{ e.value = '{value}'; e.dispatchEvent(new Event('input', {{bubbles: true}})); return e.value; }})(document.querySelector(\"{css}\"))"
    ))
    .await;
}

/// The card of a section said something (saved, or why not): (class of the message, its text).
async fn card_said(page: &Browser, section: &str) -> (String, String) {
    let css = format!("form[data-section='{section}']");
    page.wait_for(
        "the card's answer",
        &format!(
            "(function(f){{ return [...f.querySelectorAll('.form-ok, .form-error')].some((p) => p.textContent !== ''); }})(document.querySelector(\"{css}\"))"
        ),
    )
    .await;
    let said = page
        .eval(&format!(
            "(function(f){{ const p = [...f.querySelectorAll('.form-ok, .form-error')].find((p) => p.textContent !== ''); return [p.className, p.textContent]; }})(document.querySelector(\"{css}\"))"
        ))
        .await;
    (
        said[0].as_str().unwrap_or_default().to_owned(),
        said[1].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_admin_page_a_closed_day_closes_the_kiosk_and_the_booking_page_at_once_and_the_alerts_card_keeps_the_webhooks_secret()
 {
    let mut old = Receiver::start("old-room").await;
    let mut new = Receiver::start("new-room").await;
    let mut settings = on_the_calendar();
    settings.alerts.webhook_url = old.url.clone();
    settings.alerts.offline_minutes = 0;
    let hall = TestHall::start_with(settings).await;
    let admin = hall.staff("lan", Role::Admin).await;
    let clerk = hall.clerk_at("hoa", 1).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    // Friday 27 November holds a booking.
    let (status, body) = book(&hall, "2026-11-27", "09:00", "0912000001").await;
    assert_eq!(status, 201, "{body}");

    // The hall's kiosk, open on its start screen, giving numbers.
    let token = hall.device_token("kiosk-2", DeviceKind::Kiosk);
    let kiosk_page =
        Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), 1080, 1920).await;
    kiosk_page
        .wait_for(
            "the kiosk's fields",
            "document.body.dataset.screen === 'start' && document.querySelector('button[data-field]')",
        )
        .await;

    let page = Browser::open(1366, 900).await;
    page.goto(&hall.url("/admin/")).await;
    page.wait_for("the sign-in", "document.body.dataset.view === 'login'")
        .await;
    page.type_into("#login-name", "lan").await;
    page.type_into("#login-password", "lan-secret-pw").await;
    page.click("#login-form button[type=submit]").await;
    page.wait_for("the admin page", "document.body.dataset.view === 'admin'")
        .await;
    page.click("#tab-calendar").await;
    page.wait_for(
        "the bookings' card, read",
        "document.querySelector(\"form[data-section='bookings'] .source\").textContent !== ''",
    )
    .await;

    // Closing the Friday is refused: it strands the booking, and the page says so.
    set(&page, "#calendar-closed_days-new", "2026-11-27").await;
    page.click("[data-action='add-closed_days']").await;
    page.click("[data-action='save-bookings']").await;
    let (class, said) = card_said(&page, "bookings").await;
    assert_eq!(class, "form-error", "{said}");
    assert!(
        said.contains("27/11/2026") && said.contains("1 lịch hẹn") && said.contains("09:00"),
        "{said}"
    );
    assert!(calendar_day(&hall, "2026-11-27").await["closed"].is_null());

    // Today instead: the kiosk and the booking page close at once.
    page.click("li[data-day='2026-11-27'] [data-action='remove-closed_days']")
        .await;
    set(&page, "#calendar-closed_days-new", "2026-11-25").await;
    page.click("[data-action='add-closed_days']").await;
    page.click("[data-action='save-bookings']").await;
    let (class, said) = card_said(&page, "bookings").await;
    assert_eq!(class, "form-ok", "{said}");
    let (status, body) = try_issue(&kiosk).await;
    assert_eq!(
        (status, error_code(&body)),
        (409, "hall_closed_today"),
        "{body}"
    );
    let today = calendar_day(&hall, "2026-11-25").await;
    assert_eq!(today["closed"]["vi"], "Bộ phận một cửa nghỉ", "{today}");
    // The open kiosk page says so without a reload, its fields off.
    kiosk_page
        .wait_for(
            "the kiosk saying the hall is closed today",
            "document.querySelector(\"[data-issuing='closed_day']\")",
        )
        .await;
    let head = kiosk_page.text("[data-issuing='closed_day']").await;
    assert!(head.contains("Bộ phận một cửa nghỉ"), "{head}");
    let off = kiosk_page
        .eval("[...document.querySelectorAll('button[data-field]')].every(b => b.disabled)")
        .await;
    assert_eq!(off, json!(true), "every field is off on a closed day");
    kiosk_page
        .screenshot("kiosk-closed-by-admin-1080x1920")
        .await;
    kiosk_page.close().await;
    assert!(calendar_day(&hall, "2026-11-27").await["closed"].is_null());
    page.screenshot("admin-calendar-1366x900").await;
    page.assert_accessible("admin-calendar").await;
    // In English too.
    page.click("#lang-btn").await;
    page.wait_for(
        "the card in English",
        "document.querySelector(\"form[data-section='bookings'] legend\").textContent === 'Working weekdays'",
    )
    .await;
    assert_eq!(page.text("#tab-calendar").await, "Calendar & bookings");
    page.assert_accessible("admin-calendar-en").await;
    page.click("#lang-btn").await;
    page.wait_for(
        "the card in Vietnamese",
        "document.querySelector(\"form[data-section='bookings'] legend\").textContent === 'Ngày làm việc trong tuần'",
    )
    .await;

    // The alerts' card shows the webhook as its host only.
    page.click("#tab-hall").await;
    page.wait_for(
        "the alerts' card, read",
        "document.querySelector(\"form[data-section='alerts'] .source\").textContent !== ''",
    )
    .await;
    let shown_url = page
        .eval("document.querySelector('#alerts-webhook-url').value")
        .await;
    assert_eq!(shown_url, json!(shown(&old.url)));
    let html = page.eval("document.documentElement.outerHTML").await;
    assert!(
        !html.to_string().contains("SECRET"),
        "the page holds the secret"
    );
    // Another threshold saved with the address as shown: the old address stays in use.
    set(&page, "#alerts-webhook-url", &shown(&old.url)).await;
    set(
        &page,
        "form[data-section='alerts'] [data-key='alerts.idle_minutes']",
        "9",
    )
    .await;
    page.click("[data-action='save-alerts']").await;
    let (class, said) = card_said(&page, "alerts").await;
    assert_eq!(class, "form-ok", "{said}");
    assert_eq!(section(&admin, "alerts").await["value"]["idle_minutes"], 9);
    let (status, _) = clerk.post("/api/counters/1/emergency", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(old.next().await, "fired emergency counter:1");
    // A new address: the next alert goes there, none to the old one.
    page.eval("document.querySelector(\"form[data-section='alerts'] .form-ok\").textContent = ''")
        .await;
    // Typing into the shown address (its hidden part cannot be edited) is refused by the page.
    set(
        &page,
        "#alerts-webhook-url",
        &format!("{}x", shown(&old.url)),
    )
    .await;
    page.click("[data-action='save-alerts']").await;
    let (class, said) = card_said(&page, "alerts").await;
    assert!(
        class == "form-error" && said.contains("phần bị ẩn"),
        "{class}: {said}"
    );
    assert_eq!(
        page.eval("document.querySelector('#alerts-webhook-url').getAttribute('aria-invalid')")
            .await,
        json!("true")
    );
    set(&page, "#alerts-webhook-url", &new.url).await;
    page.click("[data-action='save-alerts']").await;
    let (class, said) = card_said(&page, "alerts").await;
    assert_eq!(class, "form-ok", "{said}");
    let shown_url = page
        .eval("document.querySelector('#alerts-webhook-url').value")
        .await;
    assert_eq!(shown_url, json!(shown(&new.url)));
    let (status, _) = admin
        .post("/api/counters/1/emergency/handled", json!({}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(new.next().await, "cleared emergency counter:1");
    assert_eq!(old.heard(), Vec::<String>::new());
    page.eval("document.querySelector(\"form[data-section='alerts']\").scrollIntoView()")
        .await;
    page.screenshot("admin-alerts-1366x900").await;
    page.assert_accessible("admin-alerts").await;

    // Both changes are in the audit tab, and never the webhook's path.
    let (subjects, text) = audited(&admin).await;
    assert_eq!(
        subjects[..3],
        ["settings:alerts", "settings:alerts", "settings:bookings"],
        "{text}"
    );
    assert!(!text.contains("SECRET"), "{text}");
    page.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manager_reads_the_calendar_and_the_alerts_on_the_admin_page_but_cannot_change_them() {
    let mut settings = Settings::default();
    settings.bookings.closed_days = vec!["2026-12-24".into()];
    settings.alerts.webhook_url = "https://chat.example/hooks/SECRET-room".into();
    let hall = TestHall::start_with(settings).await;
    hall.staff("boss", Role::Manager).await;
    let page = Browser::open(1366, 900).await;
    page.goto(&hall.url("/admin/")).await;
    page.wait_for("the sign-in", "document.body.dataset.view === 'login'")
        .await;
    page.type_into("#login-name", "boss").await;
    page.type_into("#login-password", "boss-secret-pw").await;
    page.click("#login-form button[type=submit]").await;
    page.wait_for("the admin page", "document.body.dataset.view === 'admin'")
        .await;
    page.click("#tab-calendar").await;
    page.wait_for(
        "the file's closed day, read only",
        "document.querySelector(\"li[data-day='2026-12-24']\") && [...document.querySelectorAll(\"form[data-section='bookings'] input, form[data-section='bookings'] button\")].every((e) => e.disabled)",
    )
    .await;
    assert_eq!(
        page.eval("document.querySelector(\"[data-action='save-bookings']\")")
            .await,
        json!(null),
        "no Save for a manager"
    );
    page.click("#tab-hall").await;
    page.wait_for(
        "the alerts' card, read only",
        "document.querySelector('#alerts-webhook-url') && document.querySelector('#alerts-webhook-url').disabled",
    )
    .await;
    assert_eq!(
        page.eval("document.querySelector('#alerts-webhook-url').value")
            .await,
        json!("https://chat.example/…")
    );
    page.close().await;
}
