//! The citizen's phone page (`/t/{token}`, what the ticket's QR code opens) in a real
//! headless Chromium on a 390x844 phone screen: a ticket's whole life as its holder sees it
//! (waiting, the queue moving, the call with its sound and vibration, being served, the
//! rating, a reload), the states that need a sentence (transferred, returned, absent,
//! cancelled, offline), and the friendly page for an address that is no ticket.
//! Screenshots of every state land in `target/test-artifacts/phone-*.png`.

use motcua_domain::{DeviceKind, Role};
use motcua_tests::browser::Browser;
use motcua_tests::{Client, TestHall};
use serde_json::{Value, json};

const PHONE: (u32, u32) = (390, 844);

fn url(ticket: &Value) -> &str {
    ticket["url"].as_str().expect("ticket url")
}

fn token(ticket: &Value) -> &str {
    ticket["token"].as_str().expect("ticket token")
}

/// The text of an element, as the citizen reads it.
async fn text(phone: &Browser, id: &str) -> String {
    phone
        .eval(&format!("document.getElementById('{id}').innerText.trim()"))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

async fn visible(phone: &Browser, id: &str) -> bool {
    phone
        .eval(&format!(
            "document.getElementById('{id}').offsetParent !== null"
        ))
        .await
        .as_bool()
        .unwrap_or(false)
}

/// The estimate the page should show for a waiting ticket, from the server's own figure.
async fn eta_words(hall: &TestHall, ticket: &Value) -> String {
    let (_, seen) = hall
        .anonymous()
        .get(&format!("/api/tickets/{}", token(ticket)))
        .await;
    match seen["eta_minutes"]
        .as_u64()
        .expect("a waiting ticket's estimate")
    {
        0 => "Sắp đến lượt".to_owned(),
        n => format!("khoảng {n} phút"),
    }
}

/// A clerk's move that must succeed.
async fn act(clerk: &Client, ticket: &Value, action: &str, body: Value) -> Value {
    let (status, answer) = clerk.act(ticket, action, body).await;
    assert_eq!(status, 200, "{action}: {answer}");
    answer
}

/// The page shows the ticket in `status` (the page marks it on `<body>`).
async fn wait_status(phone: &Browser, status: &str) {
    phone
        .wait_for(
            &format!("the ticket {status}"),
            &format!("document.body.dataset.status === '{status}'"),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_follows_their_ticket_on_the_phone_from_waiting_to_called_to_rated() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await; // serves A and D
    let before = kiosk.issue("A", "none").await;
    let mine = kiosk.issue("A", "none").await;

    // Waiting, one person ahead.
    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(url(&mine)).await;
    wait_status(&phone, "waiting").await;
    assert_eq!(text(&phone, "code").await, "A002");
    assert_eq!(text(&phone, "field").await, "Tư pháp – Hộ tịch");
    assert_eq!(text(&phone, "ahead").await, "1");
    let queue = text(&phone, "queue").await;
    assert!(queue.contains("Số người được gọi trước bạn"), "{queue}");
    assert!(queue.contains("Thời gian chờ dự kiến:"), "{queue}");
    assert_eq!(text(&phone, "eta").await, eta_words(&hall, &mine).await);
    assert!(
        queue.contains("Lấy số lúc 08:00 ngày 25/11/2026"),
        "the hall's clock, not the phone's: {queue}"
    );
    assert_eq!(
        phone.eval("document.title").await,
        "A002 · 1 người trước bạn"
    );
    assert!(visible(&phone, "live").await);
    assert_eq!(text(&phone, "live").await, "Đang cập nhật trực tiếp");
    assert!(
        !visible(&phone, "rating").await,
        "no rating form before service"
    );
    // Record what the page asks of the vibration motor (the page calls navigator.vibrate
    // itself; this only listens).
    phone
        .eval("(function(){ const real = navigator.vibrate.bind(navigator); window.vibrations = []; navigator.vibrate = (p) => { window.vibrations.push(p); real(p); return true; }; return true; })()")
        .await;
    phone.screenshot("phone-waiting-390x844").await;

    // The person ahead is called: nobody ahead now, live, without a reload.
    clerk.call_next(1).await.expect("A001 is called");
    phone
        .wait_for(
            "nobody ahead",
            "document.getElementById('ahead').textContent === '0'",
        )
        .await;
    assert_eq!(text(&phone, "eta").await, eta_words(&hall, &mine).await);
    assert!(visible(&phone, "next").await, "says the citizen is next");
    phone.screenshot("phone-next-390x844").await;
    act(&clerk, &before, "no-show", json!({})).await;

    // A phone keeps sound blocked until the citizen taps the page; this browser allows
    // it from the start, so block it again as a phone would.
    phone
        .eval("(function(){ window.motcuaAudio().suspend(); return true; })()")
        .await;
    phone
        .wait_for("sound blocked", "document.body.dataset.sound === 'off'")
        .await;
    assert_eq!(text(&phone, "sound-btn").await, "Bật âm báo");

    // Called: the banner names the counter, the page alerts (sound and vibration).
    let called = clerk.call_next(1).await.expect("A002 is called");
    assert_eq!(called["code"], "A002");
    wait_status(&phone, "called").await;
    assert!(visible(&phone, "call").await, "the call banner shows");
    assert!(text(&phone, "call").await.starts_with("Mời bạn đến"));
    assert_eq!(text(&phone, "counter").await, "QUẦY 1");
    assert_eq!(
        phone
            .eval("document.getElementById('counter').textContent")
            .await,
        "Quầy 1"
    );
    let alert = phone
        .wait_for("the call alert", "window.motcuaAlerts[0]")
        .await;
    assert_eq!(alert["counter"], 1);
    assert_eq!(alert["sound"], "blocked", "no sound before a tap");
    assert_eq!(alert["vibrate"], "yes");
    assert_eq!(
        phone.eval("window.vibrations").await,
        json!([[600, 200, 600, 200, 600]])
    );
    assert_eq!(
        phone.eval("document.title").await,
        "🔔 Mời đến quầy 1 · A002"
    );
    assert_eq!(
        phone
            .eval("getComputedStyle(document.body).backgroundColor")
            .await,
        "rgb(180, 35, 24)",
        "the whole page turns red"
    );
    assert!(!visible(&phone, "queue").await);
    phone.screenshot("phone-called-390x844").await;
    // One tap on "Enable sound": the call's chime plays then.
    phone.click("#sound-btn").await;
    phone
        .wait_for(
            "the chime after the tap",
            "window.motcuaAlerts[0].sound === 'played after tap'",
        )
        .await;
    assert_eq!(phone.eval("document.body.dataset.sound").await, "on");

    // A recall alerts again.
    act(&clerk, &called, "recall", json!({})).await;
    let again = phone
        .wait_for("the second alert", "window.motcuaAlerts[1]")
        .await;
    assert_eq!(again["recalls"], 1);
    assert_eq!(again["sound"], "played", "sound is on now");
    assert_eq!(phone.eval("window.vibrations.length").await, 2);
    assert!(text(&phone, "status").await.contains("Gọi lại lần 1"));

    // Served: the rating form, on the hall's five-level scale.
    act(&clerk, &called, "start", json!({})).await;
    wait_status(&phone, "serving").await;
    assert!(
        text(&phone, "status")
            .await
            .starts_with("Bạn đang được phục vụ tại quầy 1.")
    );
    assert!(!visible(&phone, "call").await);
    phone.screenshot("phone-serving-390x844").await;
    act(&clerk, &called, "finish", json!({})).await;
    phone
        .wait_for("the rating form", "document.body.dataset.rate === 'form'")
        .await;
    assert!(visible(&phone, "rating").await);
    assert_eq!(
        phone
            .eval("[...document.querySelectorAll('#levels button')].map(b => b.dataset.rating + ' ' + b.innerText.trim())")
            .await,
        json!(["5 Rất hài lòng", "4 Hài lòng", "3 Bình thường", "2 Không hài lòng", "1 Rất không hài lòng"])
    );
    assert_eq!(text(&phone, "left").await, "Còn 500 ký tự");
    phone.screenshot("phone-rating-390x844").await;

    // A comment, then one tap on a level sends both.
    let comment = "Cán bộ nhiệt tình, hướng dẫn rõ ràng.";
    phone.type_into("#comment", comment).await;
    let left = format!("Còn {} ký tự", 500 - comment.chars().count());
    phone
        .wait_for(
            "the characters left",
            &format!("document.getElementById('left').textContent === '{left}'"),
        )
        .await;
    phone.click("button[data-rating='4']").await;
    // Not a low rating: straight to how many visits, which may be skipped.
    phone
        .wait_for(
            "the visits question",
            "document.getElementById('rating').dataset.step === 'visits'",
        )
        .await;
    phone.click("#visits-skip").await;
    phone
        .wait_for("the thank-you", "document.body.dataset.rate === 'thanks'")
        .await;
    assert!(!visible(&phone, "rating").await, "the form is gone");
    assert_eq!(text(&phone, "done").await, "Cảm ơn bạn đã đánh giá!");
    phone.screenshot("phone-thanks-390x844").await;

    // The server has it, with the comment as typed.
    let (status, seen) = hall
        .anonymous()
        .get(&format!("/api/tickets/{}", token(&mine)))
        .await;
    assert_eq!(status, 200);
    assert_eq!(seen["rating"], 4);
    let conn = motcua_store::open_for_admin(hall.data_dir()).expect("open db");
    let data: String = conn
        .query_row(
            "SELECT data FROM events WHERE kind = 'rated' AND ticket_id = ?1",
            [mine["id"].as_i64().expect("id")],
            |r| r.get(0),
        )
        .expect("a rated event");
    let data: Value = serde_json::from_str(&data).expect("event data");
    assert_eq!(data["comment"], comment);
    assert_eq!(data["channel"], "phone");
    drop(conn);

    // Reloaded later: already rated, no second form.
    phone.client.refresh().await.expect("reload");
    phone
        .wait_for(
            "the already-rated note",
            "document.body.dataset.rate === 'already'",
        )
        .await;
    assert!(!visible(&phone, "rating").await);
    assert_eq!(
        text(&phone, "done").await,
        "Phiếu này đã được đánh giá (Hài lòng). Cảm ơn bạn!"
    );
    assert!(
        text(&phone, "status")
            .await
            .starts_with("Đã giải quyết xong lúc 08:00")
    );
    phone.screenshot("phone-already-rated-390x844").await;

    // The citizen ahead never came: their page says so, and offers nothing to rate.
    phone.goto(url(&before)).await;
    wait_status(&phone, "absent").await;
    assert_eq!(text(&phone, "code").await, "A001");
    let why = format!(
        "{} {}",
        text(&phone, "status").await,
        text(&phone, "note").await
    );
    assert!(why.contains("không có mặt tại quầy"), "{why}");
    assert!(why.contains("không có phần đánh giá"), "{why}");
    assert!(!visible(&phone, "rating").await);
    assert_eq!(
        phone
            .eval("document.querySelectorAll('#levels button').length > 0 && document.getElementById('rating').offsetParent !== null")
            .await,
        false
    );
    phone.screenshot("phone-absent-390x844").await;
    phone.close().await;
}

/// A ticket moved to another field, sent back to the queue, followed across a server
/// restart, in English too, then served on a three-level hall; a cancelled ticket; and the
/// page when the hall's server is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moves_a_citizen_did_not_choose_are_explained_in_plain_words() {
    let mut settings = motcua_hall::config::Settings::default();
    settings.hall.rating_scale = 3;
    let hall = TestHall::start_with(settings).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let manager = hall.staff("minh", Role::Manager).await;
    let _clerk = hall.clerk_at("lan", 2).await; // serves B and E
    let other = kiosk.issue("A", "none").await;
    let mine = kiosk.issue("A", "none").await;

    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(url(&mine)).await;
    wait_status(&phone, "waiting").await;
    assert!(!visible(&phone, "note").await, "nothing to explain yet");

    // Transferred to land and construction: same number, a sentence says why.
    act(&manager, &mine, "transfer", json!({"service": "B"})).await;
    phone
        .wait_for(
            "the new field",
            "document.getElementById('field').textContent === 'Đất đai – Xây dựng'",
        )
        .await;
    let why = text(&phone, "note").await;
    assert!(
        why.contains("đã được chuyển từ lĩnh vực «Tư pháp – Hộ tịch» sang «Đất đai – Xây dựng»"),
        "{why}"
    );
    assert_eq!(text(&phone, "code").await, "A002");
    phone.screenshot("phone-transferred-390x844").await;
    // Still explained after a reload.
    phone.client.refresh().await.expect("reload");
    wait_status(&phone, "waiting").await;
    assert!(text(&phone, "note").await.contains("«Tư pháp – Hộ tịch»"));

    // The server restarts: the page says it is offline, then comes back by itself.
    let hall = hall.restart_in_place().await;
    phone
        .wait_for(
            "the offline mark",
            "document.body.dataset.connected === 'false'",
        )
        .await;
    phone
        .wait_for("back online", "document.body.dataset.connected === 'true'")
        .await;
    let clerk = hall.sign_in("lan").await;
    let manager = hall.sign_in("minh").await;

    // Called at counter 2, then sent back to complete the dossier.
    clerk.call_next(2).await.expect("A002 is called");
    wait_status(&phone, "called").await;
    assert_eq!(text(&phone, "counter").await, "QUẦY 2");
    act(&clerk, &mine, "return", json!({})).await;
    wait_status(&phone, "waiting").await;
    let why = text(&phone, "note").await;
    assert!(why.contains("trả lại hàng chờ"), "{why}");
    phone.screenshot("phone-returned-390x844").await;

    // In English, on the switch.
    phone.click("#lang").await;
    phone
        .wait_for("English", "document.documentElement.lang === 'en'")
        .await;
    assert!(text(&phone, "note").await.contains("back in the queue"));
    assert!(
        text(&phone, "queue")
            .await
            .contains("People called before you")
    );
    assert_eq!(text(&phone, "field").await, "Land – Construction");
    assert_eq!(text(&phone, "lang").await, "Tiếng Việt");
    phone.screenshot("phone-returned-en-390x844").await;
    phone.click("#lang").await;
    phone
        .wait_for("Vietnamese", "document.documentElement.lang === 'vi'")
        .await;

    // Served on a three-level hall: three faces.
    let again = clerk.call_next(2).await.expect("A002 is called again");
    act(&clerk, &again, "start", json!({})).await;
    act(&clerk, &again, "finish", json!({})).await;
    phone
        .wait_for("the rating form", "document.body.dataset.rate === 'form'")
        .await;
    assert_eq!(
        phone
            .eval("[...document.querySelectorAll('#levels button')].map(b => b.dataset.rating + ' ' + b.innerText.trim())")
            .await,
        json!(["3 Rất hài lòng", "2 Hài lòng", "1 Không hài lòng"])
    );
    assert!(!visible(&phone, "note").await, "no stale explanation");
    phone.screenshot("phone-rating-3-levels-390x844").await;

    // A cancelled ticket: why, and nothing to rate.
    act(&manager, &other, "cancel", json!({})).await;
    phone.goto(url(&other)).await;
    wait_status(&phone, "cancelled").await;
    let why = text(&phone, "note").await;
    assert!(why.contains("không có phần đánh giá"), "{why}");
    assert!(text(&phone, "status").await.contains("đã bị hủy"));
    assert!(!visible(&phone, "rating").await);
    phone.screenshot("phone-cancelled-390x844").await;

    // The hall's server goes away: the page says so plainly.
    drop(hall);
    phone
        .wait_for(
            "the offline mark",
            "document.body.dataset.connected === 'false'",
        )
        .await;
    assert_eq!(
        text(&phone, "live").await,
        "Mất kết nối – đang thử kết nối lại…"
    );
    phone.screenshot("phone-offline-390x844").await;
    phone.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_that_is_no_ticket_gets_a_friendly_page_in_both_languages() {
    let hall = TestHall::start().await;
    let http = reqwest::Client::new();
    for path in [
        "/t/00000000000000000000000000000000", // well formed, unknown
        "/t/not-a-ticket",
        "/t/0000000000000000000000000000000G",
        "/t/00000000000000000000000000000000a",
        "/t/%F0%9F%8E%AB",
    ] {
        let resp = http.get(hall.url(path)).send().await.expect("request");
        assert_eq!(resp.status().as_u16(), 404, "{path}");
        let kind = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        let body = resp.text().await.expect("body");
        for words in [
            "Không tìm thấy phiếu",
            "Ticket not found",
            "quét lại mã QR",
            "name=\"viewport\"",
        ] {
            assert!(body.contains(words), "{path}: {words:?} missing");
        }
    }

    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(&hall.url("/t/not-a-ticket")).await;
    let heading = phone
        .wait_for("the heading", "document.querySelector('h1').innerText")
        .await;
    assert_eq!(heading, "Không tìm thấy phiếu");
    assert_eq!(
        phone
            .eval("document.documentElement.scrollWidth <= window.innerWidth")
            .await,
        true,
        "fits the phone's width"
    );
    phone.screenshot("phone-not-found-390x844").await;
    phone.close().await;
}

/// The page a cheap phone downloads on a weak network: the page, its script and its
/// stylesheet (kept out of the page so the Content-Security-Policy can forbid inline
/// script), small, all from the hall, no fonts, nothing else before the ticket shows (the
/// live feed and the hall's settings aside). The script is the page's module on the
/// front-end kit, served joined with the kit's modules it imports: one file, 15 KB gzipped
/// with the page and its styles (issue 14's budget).
#[tokio::test]
async fn the_phone_page_is_three_small_files_from_the_hall() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    let resp = reqwest::get(url(&ticket)).await.expect("request");
    assert_eq!(resp.status().as_u16(), 200);
    let page = resp.text().await.expect("body");
    let loads: Vec<&str> = page
        .split(['"', '\''])
        .filter(|piece| {
            // Any address on the hall (an attribute value starting with a path).
            piece.starts_with('/')
                && piece[1..].starts_with(|c: char| c.is_ascii_alphanumeric())
                && !piece.contains(['<', '>', ' '])
        })
        .collect();
    assert_eq!(
        loads,
        ["/phone/phone.css", "/phone/phone.js"],
        "the page loads its stylesheet and script from the hall, nothing else"
    );
    // What the hall actually sends a phone: the gzipped bytes it packed when it was built.
    let mut weight = sent_gzipped(url(&ticket)).await;
    let mut sizes = vec![format!("page {weight}")];
    for path in &loads {
        let resp = reqwest::get(hall.url(path)).await.expect("request");
        assert_eq!(resp.status().as_u16(), 200, "{path}");
        let text = resp.text().await.expect("body");
        for outside in ["@font-face", "url(", "@import", "/fonts/"] {
            assert!(!text.contains(outside), "{path} loads {outside:?}");
        }
        let sent = sent_gzipped(&hall.url(path)).await;
        sizes.push(format!("{path} {sent}"));
        weight += sent;
    }
    // The script is built from the kit: its modules are in it, and it imports nothing more.
    let script = reqwest::get(hall.url("/phone/phone.js"))
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    for module in ["api.js", "clock.js", "el.js", "feed.js", "i18n.js"] {
        let kit = reqwest::get(hall.url(&format!("/shared/{module}")))
            .await
            .expect("request")
            .text()
            .await
            .expect("body");
        let body = kit
            .lines()
            .find(|l| l.starts_with("  ") && !l.trim_start().starts_with("//") && l.len() > 30)
            .expect("a line of code");
        assert!(script.contains(body), "{module} is joined in: {body:?}");
    }
    assert!(
        !script.lines().any(|l| l.starts_with("import ")),
        "one file: nothing left to import"
    );
    println!("the phone page, gzipped: {weight} bytes ({sizes:?})");
    assert!(
        weight < 15_000,
        "the page weighs {weight} bytes gzipped with its script and styles (budget 15 KB): {sizes:?}"
    );
    for inline in ["<script>", "<style>", " style=", " onclick="] {
        assert!(!page.contains(inline), "the page has inline {inline:?}");
    }
}

/// WCAG's contrast ratio of an element's text against its background, from the page's
/// own computed colours (the buttons have solid backgrounds), with what was measured.
async fn contrast(phone: &Browser, id: &str) -> (f64, Value) {
    let seen = phone
        .eval(&format!(
            "(function(){{ const el = document.getElementById('{id}'), s = getComputedStyle(el);
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => {{ const [r, g, b] = rgb(c).map((v) => {{ v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }});
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; }};
  const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
  return {{ ratio: (a + 0.05) / (b + 0.05), color: s.color, background: s.backgroundColor, text: el.innerText.trim() }};
}})()"
        ))
        .await;
    (seen["ratio"].as_f64().expect("a ratio"), seen)
}

/// Defect 4 of issue 14: once sound was on, the "Nghe thử" button on the red call screen
/// was an empty red bar (red text on red). Its text must stand out (WCAG AA, 4.5:1) with
/// sound off and on, waiting and called.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sound_button_is_legible_with_sound_off_and_on_waiting_and_called() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("lan", 1).await;
    let mine = kiosk.issue("A", "none").await;
    let phone = Browser::open(PHONE.0, PHONE.1).await;
    phone.goto(url(&mine)).await;
    wait_status(&phone, "waiting").await;
    // This browser lets sound play from the start; block it as a phone does before a tap.
    phone
        .eval("(function(){ window.motcuaAudio().suspend(); return true; })()")
        .await;
    phone
        .wait_for("sound blocked", "document.body.dataset.sound === 'off'")
        .await;
    for status in ["waiting", "called"] {
        if status == "called" {
            clerk.call_next(1).await.expect("A001 is called");
            wait_status(&phone, "called").await;
            phone
                .eval("(function(){ window.motcuaAudio().suspend(); return true; })()")
                .await;
            phone
                .wait_for("sound blocked", "document.body.dataset.sound === 'off'")
                .await;
        }
        let (ratio, seen) = contrast(&phone, "sound-btn").await;
        assert_eq!(seen["text"], "Bật âm báo");
        assert!(ratio >= 4.5, "{status}, sound off: {ratio:.2}: {seen}");
        phone.click("#sound-btn").await;
        phone
            .wait_for("sound on", "document.body.dataset.sound === 'on'")
            .await;
        let (ratio, seen) = contrast(&phone, "sound-btn").await;
        assert_eq!(seen["text"], "Nghe thử");
        assert!(ratio >= 4.5, "{status}, sound on: {ratio:.2}: {seen}");
        phone
            .screenshot(&format!("phone-sound-on-{status}-390x844"))
            .await;
    }
    phone.close().await;
}

/// How many bytes the hall sends for `url` to a phone that accepts gzip (as every phone's
/// browser does): the body as it comes over the wire, compressed, and its Content-Length.
async fn sent_gzipped(url: &str) -> usize {
    let resp = reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("client")
        .get(url)
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status().as_u16(), 200, "{url}");
    let encoding = resp.headers().get("content-encoding").cloned();
    assert_eq!(
        encoding.as_ref().and_then(|v| v.to_str().ok()),
        Some("gzip"),
        "{url} is sent gzipped"
    );
    let length = resp.content_length().expect("a Content-Length");
    let body = resp.bytes().await.expect("body");
    assert_eq!(body.len() as u64, length, "{url}");
    body.len()
}
