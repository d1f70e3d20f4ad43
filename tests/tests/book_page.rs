//! The public booking page (`/book/`) in a real headless Chromium at a phone's 390x844,
//! against the real hall on its hand-moved clock: a citizen books a window and sees the
//! code and the appointment; the free places the page shows drop by one; the booking is
//! found again at `/book/#CODE` after a reload and on this browser ("Lịch hẹn của tôi");
//! cancelling takes a confirm step, shows it cancelled, and the place is not bookable again
//! before the release delay; a refusal is a sentence in Vietnamese (and in English after the
//! switch), the rate bound's with its wait in minutes; the consent box is required; closed
//! days (Tết) are greyed with their reason, begun and full windows disabled; a checked-in
//! booking shows its queue number and a link to the ticket's live page once the page is seen
//! again; a hall without bookings, or serving booked numbers only, says so. Screenshots land
//! in `target/test-artifacts/`.

use chrono::{Duration, NaiveTime, TimeZone, Utc};
use motcua_domain::DeviceKind;
use motcua_store::clock::ManualClock;
use motcua_tests::browser::Browser;
use motcua_tests::{TestHall, error_code, opening_time};
use serde_json::{Value, json};

const PHONE: (u32, u32) = (390, 844);

/// The field every test books: the demo hall's civil status and certification.
const FIELD: &str = "A";

async fn calendar(hall: &TestHall) -> Value {
    let (status, cal) = hall
        .anonymous()
        .get(&format!("/api/bookings/calendar?service={FIELD}"))
        .await;
    assert_eq!(status, 200, "the calendar: {cal}");
    cal
}

/// The first day after today with a window of at least two free places, and that window's
/// start: a booking there is not in the past whatever the test does with the clock today.
fn a_later_window(cal: &Value) -> (String, String) {
    for day in cal["days"].as_array().expect("days").iter().skip(1) {
        if !day["closed"].is_null() {
            continue;
        }
        for window in day["windows"].as_array().expect("windows") {
            if window["open"] == true && window["free"].as_i64() >= Some(2) {
                return (
                    day["day"].as_str().expect("day").to_owned(),
                    window["start"].as_str().expect("start").to_owned(),
                );
            }
        }
    }
    panic!("no day after today has a window with two free places: {cal}");
}

/// The starts of the windows of `day` still open with a free place.
fn windows_with_room(cal: &Value, day: &str) -> Vec<String> {
    cal["days"]
        .as_array()
        .expect("days")
        .iter()
        .filter(|d| d["day"] == day)
        .flat_map(|d| d["windows"].as_array().expect("windows").iter())
        .filter(|w| w["open"] == true && w["free"].as_i64() > Some(0))
        .map(|w| w["start"].as_str().expect("start").to_owned())
        .collect()
}

/// The free places of one window as the server counts them.
fn free(cal: &Value, day: &str, start: &str) -> i64 {
    cal["days"]
        .as_array()
        .expect("days")
        .iter()
        .find(|d| d["day"] == day)
        .and_then(|d| {
            d["windows"]
                .as_array()
                .expect("windows")
                .iter()
                .find(|w| w["start"] == start)
        })
        .and_then(|w| w["free"].as_i64())
        .unwrap_or_else(|| panic!("{day} {start} is in the calendar: {cal}"))
}

/// Book through the API, as another citizen (or the same one on another phone) does.
async fn book_by_api(hall: &TestHall, day: &str, window: &str, person: &str) -> (u16, Value) {
    hall.anonymous()
        .post(
            "/api/bookings",
            json!({"service": FIELD, "day": day, "window": window, "person": person, "consent": true}),
        )
        .await
}

async fn step(phone: &Browser, step: &str) {
    phone
        .wait_for(
            &format!("the {step} step"),
            &format!("document.body.dataset.step === '{step}'"),
        )
        .await;
}

/// What a person reads in an element, spaces folded.
async fn text(phone: &Browser, css: &str) -> String {
    let css = css.replace('\'', "\\'");
    phone
        .eval(&format!(
            "(document.querySelector('{css}')?.innerText ?? '').replace(/\\s+/g, ' ').trim()"
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// From the page's start: the field, the day, and the window, whose button must say
/// `còn {free} chỗ`; the page then asks for the number.
async fn choose(phone: &Browser, day: &str, window: &str, free: i64) {
    step(phone, "fields").await;
    phone.click(&format!("button[data-field='{FIELD}']")).await;
    step(phone, "days").await;
    phone.click(&format!("button[data-day='{day}']")).await;
    step(phone, "windows").await;
    let button = format!("button[data-window='{window}']");
    let shown = text(phone, &button).await;
    assert!(
        shown.ends_with(&format!("còn {free} chỗ")),
        "the window's button says its free places ({free}): {shown:?}"
    );
    phone.click(&button).await;
    step(phone, "person").await;
}

/// Type the number, tick the consent, book; waits for the booking's own page.
async fn give_number_and_book(phone: &Browser, person: &str) {
    phone.type_into("#person", person).await;
    phone.click("#consent").await;
    phone.click("#book").await;
    step(phone, "booking").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_books_a_window_and_sees_the_code_and_appointment_and_one_place_less() {
    let hall = TestHall::start().await;
    let cal = calendar(&hall).await;
    let (day, window) = a_later_window(&cal);
    let before = free(&cal, &day, &window);

    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(&hall.url("/book/")).await;
    choose(&phone, &day, &window, before).await;
    give_number_and_book(&phone, "0912345678").await;

    // The page shows the booking the server holds: its code, big, and its appointment.
    let address = phone.eval("location.hash.slice(1)").await;
    let code = address
        .as_str()
        .expect("the code in the address")
        .to_owned();
    let (status, booking) = hall.anonymous().get(&format!("/api/bookings/{code}")).await;
    assert_eq!(status, 200, "the booking the page shows exists: {booking}");
    assert_eq!(booking["status"], "booked");
    assert_eq!(booking["day"], day.as_str());
    assert_eq!(booking["window"]["start"], window.as_str());
    assert_eq!(
        text(&phone, "#code").await,
        booking["code_display"].as_str().expect("code_display"),
        "the code, as people read it"
    );
    let appointment = booking["appointment"].as_str().expect("appointment");
    let shown = text(&phone, "#appointment").await;
    assert!(
        shown.starts_with(appointment),
        "the appointment time ({appointment}) is shown: {shown:?}"
    );
    let rules = text(&phone, "#check-in").await;
    let from = booking["check_in"]["from"].as_str().expect("from");
    let until = booking["check_in"]["until"].as_str().expect("until");
    assert!(
        rules.contains(&format!("từ {from} đến {until}")),
        "the check-in rules: {rules:?}"
    );
    phone
        .wait_for(
            "the QR drawn",
            "(function(i){ return i && i.complete && i.naturalWidth > 0; })(document.getElementById('qr'))",
        )
        .await;
    phone.screenshot("book-booked-vi").await;

    // One place less, for the server and on the page.
    let after = calendar(&hall).await;
    assert_eq!(
        free(&after, &day, &window),
        before - 1,
        "the server's count"
    );
    phone.click("#again").await;
    step(&phone, "fields").await;
    phone.click(&format!("button[data-field='{FIELD}']")).await;
    step(&phone, "days").await;
    phone.click(&format!("button[data-day='{day}']")).await;
    step(&phone, "windows").await;
    let shown = text(&phone, &format!("button[data-window='{window}']")).await;
    assert!(
        shown.ends_with(&format!("còn {} chỗ", before - 1)),
        "the page shows one place less: {shown:?}"
    );

    // The QR's address opens the booking, and a reload finds it again.
    phone
        .goto(booking["url"].as_str().expect("the booking's url"))
        .await;
    step(&phone, "booking").await;
    phone.client.refresh().await.expect("reload");
    step(&phone, "booking").await;
    assert_eq!(
        text(&phone, "#code").await,
        booking["code_display"].as_str().expect("code_display"),
        "the booking after a reload"
    );

    // The start of the page offers it again ("Lịch hẹn của tôi"), until the citizen forgets it.
    phone.goto(&hall.url("/book/")).await;
    phone.client.refresh().await.expect("reload");
    step(&phone, "fields").await;
    phone
        .wait_for("my booking", "!document.getElementById('mine').hidden")
        .await;
    assert_eq!(
        text(&phone, "#mine-code").await,
        booking["code_display"].as_str().expect("code_display")
    );
    phone.click("#mine-open").await;
    step(&phone, "booking").await;
    assert_eq!(phone.eval("location.hash.slice(1)").await, json!(code));
    phone.click("#again").await;
    step(&phone, "fields").await;
    phone.click("#forget").await;
    phone
        .wait_for("my booking gone", "document.getElementById('mine').hidden")
        .await;
    phone.client.refresh().await.expect("reload");
    step(&phone, "fields").await;
    assert_eq!(
        phone
            .eval(
                "[document.getElementById('mine').hidden, localStorage.getItem('motcua.book.last')]"
            )
            .await,
        json!([true, null]),
        "forgotten on this browser"
    );
    phone.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_asks_first_shows_it_cancelled_and_the_place_is_not_bookable_again_at_once() {
    let hall = TestHall::start().await;
    let cal = calendar(&hall).await;
    let (day, window) = a_later_window(&cal);
    let before = free(&cal, &day, &window);
    let delay = cal["rules"]["release_delay_minutes"]
        .as_i64()
        .expect("release_delay_minutes");
    assert!(delay > 0, "a freed place waits before it is bookable again");
    let (status, booking) = book_by_api(&hall, &day, &window, "0987654321").await;
    assert_eq!(status, 201, "{booking}");
    let code = booking["code"].as_str().expect("code");

    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(&hall.url(&format!("/book/#{code}"))).await;
    step(&phone, "booking").await;
    assert_eq!(
        phone.eval("document.body.dataset.status").await,
        json!("booked")
    );

    // The first press only asks; "No" keeps the booking.
    phone.click("#cancel").await;
    phone
        .wait_for("the question", "document.getElementById('cancel-yes')")
        .await;
    let (_, still) = hall.anonymous().get(&format!("/api/bookings/{code}")).await;
    assert_eq!(still["status"], "booked", "asking cancels nothing");
    phone.click("#cancel-no").await;
    phone
        .wait_for(
            "the question closed",
            "!document.getElementById('cancel-yes') && document.getElementById('cancel')",
        )
        .await;

    phone.click("#cancel").await;
    phone.click("#cancel-yes").await;
    phone
        .wait_for(
            "the booking cancelled",
            "document.body.dataset.status === 'cancelled'",
        )
        .await;
    assert_eq!(text(&phone, "#status").await, "Lịch hẹn đã bị hủy");
    assert_eq!(
        phone.eval("!!document.getElementById('cancel')").await,
        json!(false),
        "nothing left to cancel"
    );
    let (_, gone) = hall.anonymous().get(&format!("/api/bookings/{code}")).await;
    assert_eq!(gone["status"], "cancelled");
    phone.screenshot("book-cancelled-vi").await;

    // The freed place is not on offer at once (against resale), on the page or the server.
    let now = calendar(&hall).await;
    assert_eq!(free(&now, &day, &window), before - 1, "not freed at once");
    phone.click("#again").await;
    step(&phone, "fields").await;
    phone.click(&format!("button[data-field='{FIELD}']")).await;
    step(&phone, "days").await;
    phone.click(&format!("button[data-day='{day}']")).await;
    step(&phone, "windows").await;
    let shown = text(&phone, &format!("button[data-window='{window}']")).await;
    assert!(
        shown.ends_with(&format!("còn {} chỗ", before - 1)),
        "the page does not offer the freed place yet: {shown:?}"
    );

    // After the delay it is.
    hall.clock.advance(Duration::minutes(delay + 1));
    let later = calendar(&hall).await;
    assert_eq!(free(&later, &day, &window), before, "freed after the delay");
    phone.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_is_a_sentence_in_vietnamese_and_in_english_after_the_switch() {
    let hall = TestHall::start().await;
    let cal = calendar(&hall).await;
    let (day, _) = a_later_window(&cal);
    let limit = cal["rules"]["per_person_per_day"]
        .as_i64()
        .expect("per_person_per_day");
    // The same person has already booked as many as one may that day, in whichever windows
    // have room.
    let person = "001099012345";
    let mut booked = 0;
    for window in windows_with_room(&cal, &day) {
        while booked < limit {
            let (status, body) = book_by_api(&hall, &day, &window, person).await;
            if status != 201 {
                assert_eq!(error_code(&body), "window_full", "{body}");
                break;
            }
            booked += 1;
        }
    }
    assert_eq!(booked, limit, "the day had room for {limit} bookings");
    // A window that still has a place: the refusal is then the person's limit.
    let now = calendar(&hall).await;
    let window = windows_with_room(&now, &day)
        .into_iter()
        .next()
        .expect("a window with a place left that day");
    let left = free(&now, &day, &window);

    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(&hall.url("/book/")).await;
    choose(&phone, &day, &window, left).await;
    phone.type_into("#person", "0010 9901 2345").await;
    phone.click("#consent").await;
    phone.click("#book").await;
    let said = phone
        .wait_for(
            "the refusal",
            "document.getElementById('alert').innerText.trim()",
        )
        .await;
    assert_eq!(
        said,
        json!(format!(
            "Số này đã giữ đủ {limit} lịch hẹn trong ngày đó, mức tối đa cho mỗi người. Vui lòng chọn ngày khác hoặc hủy bớt một lịch hẹn."
        )),
        "the per-person limit, in Vietnamese"
    );
    assert_eq!(
        phone.eval("document.body.dataset.step").await,
        json!("person"),
        "the citizen stays where the number can be changed"
    );
    phone.screenshot("book-refused-vi").await;
    assert_eq!(
        free(&calendar(&hall).await, &day, &window),
        left,
        "nothing was booked"
    );

    phone.click("#lang").await;
    phone
        .wait_for(
            "the refusal in English",
            &format!(
                "document.documentElement.lang === 'en' && document.getElementById('alert').innerText.trim() === 'This number already holds {limit} bookings on that day, the most one person may. Please choose another day or cancel a booking.'"
            ),
        )
        .await;
    phone.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_english_switch_translates_every_step_and_is_kept_after_a_reload() {
    let hall = TestHall::start().await;
    let (status, fields) = hall.anonymous().get("/api/bookings/fields").await;
    assert_eq!(status, 200, "{fields}");
    let field = fields["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .find(|f| f["code"] == FIELD)
        .expect("field A takes bookings")
        .clone();
    let cal = calendar(&hall).await;
    let (day, window) = a_later_window(&cal);

    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(&hall.url("/book/")).await;
    step(&phone, "fields").await;
    assert_eq!(text(&phone, "#step-title").await, "Bước 1/4 Chọn lĩnh vực");
    assert_eq!(
        text(&phone, &format!("button[data-field='{FIELD}']")).await,
        field["name_vi"].as_str().expect("name_vi")
    );
    phone.click("#lang").await;
    phone
        .wait_for(
            "English",
            "document.documentElement.lang === 'en' && document.getElementById('lang').textContent === 'Tiếng Việt'",
        )
        .await;
    assert_eq!(
        text(&phone, "#step-title").await,
        "Step 1 of 4 Choose a field"
    );
    assert_eq!(
        text(&phone, &format!("button[data-field='{FIELD}']")).await,
        field["name_en"].as_str().expect("name_en")
    );

    phone.client.refresh().await.expect("reload");
    step(&phone, "fields").await;
    assert_eq!(
        text(&phone, "#step-title").await,
        "Step 1 of 4 Choose a field",
        "the choice is kept"
    );
    phone.click(&format!("button[data-field='{FIELD}']")).await;
    step(&phone, "days").await;
    let button = text(&phone, &format!("button[data-day='{day}']")).await;
    let weekday = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .expect("a day")
        .format("%A")
        .to_string();
    assert!(
        button.starts_with(&weekday) && button.contains("places left"),
        "the day in English ({weekday}): {button:?}"
    );
    phone.click(&format!("button[data-day='{day}']")).await;
    step(&phone, "windows").await;
    phone
        .click(&format!("button[data-window='{window}']"))
        .await;
    step(&phone, "person").await;
    assert_eq!(
        text(&phone, "label[for='person']").await,
        "Phone number or citizen ID number (CCCD, 12 digits)"
    );
    give_number_and_book(&phone, "0912000111").await;
    assert_eq!(text(&phone, "#status").await, "Booked");
    assert!(
        text(&phone, "#check-in")
            .await
            .starts_with("Check in at the kiosk from"),
        "the check-in rules in English"
    );
    phone.screenshot("book-booked-en").await;
    phone.click("#lang").await;
    phone
        .wait_for(
            "Vietnamese again",
            "document.documentElement.lang === 'vi' && document.getElementById('status').textContent === 'Đã đặt lịch'",
        )
        .await;
    phone.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consent_box_is_required_before_anything_is_booked() {
    let hall = TestHall::start().await;
    let cal = calendar(&hall).await;
    let (day, window) = a_later_window(&cal);
    let before = free(&cal, &day, &window);

    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(&hall.url("/book/")).await;
    choose(&phone, &day, &window, before).await;
    assert_eq!(
        phone
            .eval("[document.getElementById('consent').required, document.getElementById('consent').checked, document.getElementById('person').inputMode]")
            .await,
        json!([true, false, "numeric"]),
        "a required consent box, not ticked for the citizen; a number keypad"
    );
    let consent = text(&phone, ".consent").await;
    for said in [
        "mã băm có khóa",
        &format!(
            "tối đa {} lịch hẹn một ngày",
            cal["rules"]["per_person_per_day"]
        ),
        &format!(
            "xóa {} ngày sau ngày hẹn",
            cal["rules"]["keep_personal_days"]
        ),
        "hủy lịch hẹn",
    ] {
        assert!(
            consent.contains(said),
            "the consent says {said:?}: {consent:?}"
        );
    }
    phone.type_into("#person", "0912345678").await;
    phone.click("#book").await;
    phone
        .wait_for(
            "the consent asked for",
            "document.getElementById('alert').innerText.trim() === 'Vui lòng đánh dấu vào ô đồng ý để đặt lịch hẹn.'",
        )
        .await;
    assert_eq!(
        phone
            .eval("[document.body.dataset.step, document.activeElement.id]")
            .await,
        json!(["person", "consent"]),
        "still asking, the box in focus"
    );
    assert_eq!(
        free(&calendar(&hall).await, &day, &window),
        before,
        "nothing was booked"
    );
    // Ticked, the same press books.
    phone.click("#consent").await;
    phone.click("#book").await;
    step(&phone, "booking").await;
    assert_eq!(
        free(&calendar(&hall).await, &day, &window),
        before - 1,
        "booked once ticked"
    );
    phone.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checked_in_booking_shows_its_queue_number_and_link_once_the_page_is_seen_again() {
    let hall = TestHall::start().await;
    let cal = calendar(&hall).await;
    // A window today that is still open at 08:00.
    let today = &cal["days"][0];
    let window = today["windows"]
        .as_array()
        .expect("windows")
        .iter()
        .find(|w| w["open"] == true && w["free"].as_i64() > Some(0))
        .unwrap_or_else(|| panic!("a window today still open at 08:00: {today}"));
    let day = today["day"].as_str().expect("day");
    let start = window["start"].as_str().expect("start");
    let (status, booking) = book_by_api(&hall, day, start, "0912345678").await;
    assert_eq!(status, 201, "{booking}");
    let code = booking["code"].as_str().expect("code");

    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(&hall.url(&format!("/book/#{code}"))).await;
    step(&phone, "booking").await;
    assert_eq!(
        phone.eval("document.getElementById('ticket-code')").await,
        serde_json::Value::Null,
        "no number before the check-in"
    );

    // The clock reaches the check-in's opening; the kiosk checks the booking in.
    let from =
        NaiveTime::parse_from_str(booking["check_in"]["from"].as_str().expect("from"), "%H:%M")
            .expect("a time");
    let opening = opening_time();
    let hanoi = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    let check_in_from = hanoi
        .from_local_datetime(&opening.with_timezone(&hanoi).date_naive().and_time(from))
        .single()
        .expect("a time")
        .with_timezone(&Utc);
    if check_in_from > opening {
        hall.clock.set(check_in_from);
    }
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let (status, checked) = kiosk
        .post(
            "/api/check-in",
            json!({"code": booking["code_display"], "request_id": "book-page-1"}),
        )
        .await;
    assert!(status == 201 || status == 200, "check-in: {checked}");
    let ticket = &checked["booking"]["ticket"];
    let ticket_code = ticket["code"].as_str().expect("the ticket's code");
    let ticket_url = ticket["url"].as_str().expect("the ticket's url");

    // No push for bookings: the page asks again when it is seen again.
    phone
        .eval(
            "(function(){ document.dispatchEvent(new Event('visibilitychange')); return true; })()",
        )
        .await;
    phone
        .wait_for(
            "checked in",
            "document.body.dataset.status === 'checked_in'",
        )
        .await;
    assert_eq!(text(&phone, "#ticket-code").await, ticket_code);
    assert_eq!(
        phone
            .eval("document.getElementById('ticket-link').href")
            .await,
        json!(ticket_url),
        "the link to the ticket's live page"
    );
    assert_eq!(
        phone.eval("!!document.getElementById('cancel')").await,
        json!(false),
        "a checked-in booking is not cancelled from here"
    );
    phone.screenshot("book-checked-in-vi").await;
    phone.click("#ticket-link").await;
    phone
        .wait_for(
            "the ticket's page",
            &format!("document.getElementById('code') && document.getElementById('code').textContent === '{ticket_code}'"),
        )
        .await;
    phone.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closed_days_past_windows_and_full_windows_cannot_be_chosen_and_say_why() {
    // 08:00 on Wednesday 3 February 2027: Tết (1 Giêng is Saturday 6 February) closes the
    // hall for days of the week the page offers.
    let at = Utc
        .with_ymd_and_hms(2027, 2, 3, 1, 0, 0)
        .single()
        .expect("a time");
    let hall = TestHall::start_with_clock(Default::default(), ManualClock::starting_at(at)).await;
    let cal = calendar(&hall).await;
    let days = cal["days"].as_array().expect("days");
    assert!(
        days.iter().any(|d| d["closed"]["vi"] == "Tết Nguyên đán"),
        "the week has Tết in it: {cal}"
    );
    // Today's first window has begun; fill the next one with other citizens.
    let today = &days[0];
    let day = today["day"].as_str().expect("day");
    let windows = today["windows"].as_array().expect("windows");
    let past = windows
        .iter()
        .find(|w| w["open"] == false)
        .expect("a window begun before 08:00");
    let full = windows
        .iter()
        .find(|w| w["open"] == true)
        .expect("a window still open today");
    let start = full["start"].as_str().expect("start");
    for n in 0..full["free"].as_i64().expect("free") {
        let (status, body) = book_by_api(&hall, day, start, &format!("09120000{n:02}")).await;
        assert_eq!(status, 201, "{body}");
    }

    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(&hall.url("/book/")).await;
    step(&phone, "fields").await;
    phone.click(&format!("button[data-field='{FIELD}']")).await;
    step(&phone, "days").await;
    for d in days {
        let name = d["day"].as_str().expect("day");
        let button = format!("button[data-day='{name}']");
        let disabled = phone
            .eval(&format!("document.querySelector(\"{button}\").disabled"))
            .await;
        let said = text(&phone, &button).await;
        if d["closed"].is_null() {
            assert_eq!(disabled, json!(false), "{name} is open: {said:?}");
        } else {
            assert_eq!(disabled, json!(true), "{name} is closed: {said:?}");
            let why = format!("Nghỉ: {}", d["closed"]["vi"].as_str().expect("vi"));
            assert!(said.ends_with(&why), "{name} says why ({why}): {said:?}");
        }
    }
    phone.screenshot("book-tet-vi").await;
    phone.click("#lang").await;
    phone
        .wait_for("English", "document.documentElement.lang === 'en'")
        .await;
    let closed = days
        .iter()
        .find(|d| d["closed"]["vi"] == "Tết Nguyên đán")
        .expect("a day of Tết");
    let said = text(
        &phone,
        &format!(
            "button[data-day='{}']",
            closed["day"].as_str().expect("day")
        ),
    )
    .await;
    let why = format!("Closed: {}", closed["closed"]["en"].as_str().expect("en"));
    assert!(said.ends_with(&why), "in English ({why}): {said:?}");
    phone.click("#lang").await;
    phone
        .wait_for("Vietnamese", "document.documentElement.lang === 'vi'")
        .await;

    phone.click(&format!("button[data-day='{day}']")).await;
    step(&phone, "windows").await;
    for (window, state, said) in [(past, "past", "Đã qua giờ"), (full, "full", "Hết chỗ")] {
        let button = format!(
            "button[data-window='{}']",
            window["start"].as_str().expect("start")
        );
        assert_eq!(
            phone
                .eval(&format!(
                    "[document.querySelector(\"{button}\").disabled, document.querySelector(\"{button}\").dataset.state]"
                ))
                .await,
            json!([true, state]),
            "{button}"
        );
        let shown = text(&phone, &button).await;
        assert!(shown.ends_with(said), "{button} says {said:?}: {shown:?}");
    }
    phone.screenshot("book-windows-today-vi").await;
    phone.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_attempts_from_one_network_are_said_with_the_wait_in_minutes() {
    let mut settings = motcua_hall::config::Settings::default();
    settings.bookings.attempts_per_minute = 1;
    let hall = TestHall::start_limited(settings).await;
    let cal = calendar(&hall).await;
    let (day, window) = a_later_window(&cal);
    // This network's one attempt of the minute.
    let (status, body) = book_by_api(&hall, &day, &window, "0912345678").await;
    assert_eq!(status, 201, "{body}");

    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(&hall.url("/book/")).await;
    choose(
        &phone,
        &day,
        &window,
        free(&calendar(&hall).await, &day, &window),
    )
    .await;
    phone.type_into("#person", "0987654321").await;
    phone.click("#consent").await;
    phone.click("#book").await;
    phone
        .wait_for(
            "the refusal",
            "document.getElementById('alert').innerText.trim() === 'Có quá nhiều lượt đặt lịch từ mạng này. Vui lòng thử lại sau 1 phút.'",
        )
        .await;
    assert_eq!(
        phone.eval("document.body.dataset.step").await,
        json!("person"),
        "the citizen can try again from here"
    );
    phone.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_says_when_the_hall_takes_no_bookings_or_serves_booked_numbers_only() {
    let mut off = motcua_hall::config::Settings::default();
    off.bookings.enabled = false;
    let hall = TestHall::start_with(off).await;
    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(&hall.url("/book/")).await;
    step(&phone, "off").await;
    assert_eq!(
        text(&phone, "#view .info").await,
        "Hiện bộ phận một cửa không nhận đặt lịch trực tuyến. Bạn vẫn có thể đến lấy số tại ki-ốt."
    );
    drop(hall);

    let mut online_only = motcua_hall::config::Settings::default();
    online_only.bookings.online_only = true;
    let hall = TestHall::start_with(online_only).await;
    phone.goto(&hall.url("/book/")).await;
    step(&phone, "fields").await;
    assert_eq!(
        text(&phone, "#view .info").await,
        "Bộ phận một cửa đang chỉ nhận số đặt trước; người không đặt lịch chỉ được lấy số nếu thuộc diện ưu tiên."
    );
    phone.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn going_back_to_the_windows_shows_the_places_as_they_are_now() {
    let hall = TestHall::start().await;
    let cal = calendar(&hall).await;
    let (day, window) = a_later_window(&cal);
    let before = free(&cal, &day, &window);
    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(&hall.url("/book/")).await;
    choose(&phone, &day, &window, before).await;
    // Someone else takes a place of that window meanwhile.
    let (status, body) = book_by_api(&hall, &day, &window, "0933000111").await;
    assert_eq!(status, 201, "{body}");
    phone.click("#back").await;
    step(&phone, "windows").await;
    phone
        .wait_for(
            "the window's places as they are now",
            &format!(
                "document.querySelector(\"button[data-window='{window}']\").innerText.trim().endsWith('còn {} chỗ')",
                before - 1
            ),
        )
        .await;
    phone.close().await;
}
