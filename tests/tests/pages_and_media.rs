//! What the hall's screens and speakers get besides JSON: the ticket's QR code as SVG (read
//! back module by module and decoded), the spoken call as WAV (synthesised by espeak-ng,
//! which must be installed: without it these tests fail, they do not skip), the rating
//! given on the counter's tablet, and the web pages and fonts served from the binary.

use motcua_domain::DeviceKind;
use motcua_tests::{Client, TestHall, error_code};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderMap, LOCATION};
use serde_json::{Value, json};

/// A GET as a browser makes it, with the answer's headers and raw bytes.
async fn fetch(hall: &TestHall, path: &str) -> (u16, HeaderMap, Vec<u8>) {
    fetch_with(&reqwest::Client::new(), hall, path).await
}

async fn fetch_with(
    http: &reqwest::Client,
    hall: &TestHall,
    path: &str,
) -> (u16, HeaderMap, Vec<u8>) {
    let resp = http.get(hall.url(path)).send().await.expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.expect("body").to_vec();
    (status, headers, body)
}

fn header(headers: &HeaderMap, name: reqwest::header::HeaderName) -> &str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn token(ticket: &Value) -> &str {
    ticket["token"].as_str().expect("ticket token")
}

// ---------------------------------------------------------------------------------------
// The QR code, read back from the SVG: no rasterising, the rectangles are the modules.

/// A dark axis-aligned rectangle of the drawing: left, top, right, bottom.
#[derive(Debug, Clone, Copy)]
struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

/// The value of `name="..."` in one element's text.
fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let start = element.find(&needle)? + needle.len();
    let len = element[start..].find('"')?;
    Some(&element[start..start + len])
}

/// Every element `<tag ...>` of the document, as its text up to `>`.
fn elements<'a>(svg: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    let mut found = Vec::new();
    let mut rest = svg;
    while let Some(at) = rest.find(&open) {
        rest = &rest[at..];
        let end = rest.find('>').expect("the element ends");
        found.push(&rest[..end]);
        rest = &rest[end..];
    }
    found
}

fn is_light(fill: Option<&str>) -> bool {
    matches!(
        fill.map(str::to_ascii_lowercase).as_deref(),
        Some("#fff" | "#ffffff" | "white" | "none")
    )
}

/// The rectangles of a path drawn from axis-aligned moves (`M x y h w v h H x V y`, as
/// the `qrcode` crate draws modules): each subpath read as its bounding box.
fn path_rects(d: &str) -> Vec<Rect> {
    enum Token {
        Command(char),
        Number(f64),
    }
    let mut tokens = Vec::new();
    let chars: Vec<char> = d.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_alphabetic() {
            tokens.push(Token::Command(c));
            i += 1;
        } else if c.is_ascii_digit() || c == '-' || c == '.' {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '.') {
                i += 1;
            }
            let number: String = chars[start..i].iter().collect();
            tokens.push(Token::Number(number.parse().expect("a number in the path")));
        } else {
            i += 1;
        }
    }
    let mut rects = Vec::new();
    let mut subpath: Vec<(f64, f64)> = Vec::new();
    let flush = |subpath: &mut Vec<(f64, f64)>, rects: &mut Vec<Rect>| {
        if subpath.len() > 1 {
            let xs = subpath.iter().map(|p| p.0);
            let ys = subpath.iter().map(|p| p.1);
            rects.push(Rect {
                x0: xs.clone().fold(f64::INFINITY, f64::min),
                x1: xs.fold(f64::NEG_INFINITY, f64::max),
                y0: ys.clone().fold(f64::INFINITY, f64::min),
                y1: ys.fold(f64::NEG_INFINITY, f64::max),
            });
        }
        subpath.clear();
    };
    let (mut x, mut y) = (0.0, 0.0);
    let mut command = 'M';
    let mut at = 0;
    let number = |at: &mut usize| match tokens.get(*at) {
        Some(Token::Number(n)) => {
            *at += 1;
            *n
        }
        _ => panic!("a number expected in the path {d:.80}"),
    };
    while at < tokens.len() {
        if let Token::Command(c) = tokens[at] {
            command = c;
            at += 1;
            if c == 'Z' || c == 'z' {
                if let Some(&first) = subpath.first() {
                    (x, y) = first;
                }
                flush(&mut subpath, &mut rects);
                continue;
            }
        }
        let relative = command.is_ascii_lowercase();
        match command.to_ascii_uppercase() {
            'M' => {
                flush(&mut subpath, &mut rects);
                let (dx, dy) = (number(&mut at), number(&mut at));
                (x, y) = if relative { (x + dx, y + dy) } else { (dx, dy) };
                // Further pairs after a move are lines.
                command = if relative { 'l' } else { 'L' };
            }
            'L' => {
                let (dx, dy) = (number(&mut at), number(&mut at));
                (x, y) = if relative { (x + dx, y + dy) } else { (dx, dy) };
            }
            'H' => {
                let n = number(&mut at);
                x = if relative { x + n } else { n };
            }
            'V' => {
                let n = number(&mut at);
                y = if relative { y + n } else { n };
            }
            other => panic!("the QR code's path uses {other}: teach path_rects to read it"),
        }
        subpath.push((x, y));
    }
    flush(&mut subpath, &mut rects);
    rects
}

/// A QR code drawn in SVG, read back: its modules, its size in modules, and its quiet
/// zone (in modules, the narrowest side).
struct ReadQr {
    size: usize,
    dark: Vec<bool>,
    quiet_zone: f64,
}

fn read_qr(svg: &str) -> ReadQr {
    let mut rects = Vec::new();
    for path in elements(svg, "path") {
        if !is_light(attribute(path, "fill")) {
            rects.extend(path_rects(attribute(path, "d").expect("a path has d")));
        }
    }
    for rect in elements(svg, "rect") {
        if is_light(attribute(rect, "fill")) {
            continue;
        }
        let number = |name| -> f64 {
            attribute(rect, name)
                .unwrap_or("0")
                .parse()
                .expect("a number")
        };
        let (x, y) = (number("x"), number("y"));
        rects.push(Rect {
            x0: x,
            y0: y,
            x1: x + number("width"),
            y1: y + number("height"),
        });
    }
    assert!(!rects.is_empty(), "the SVG draws dark modules: {svg:.300}");
    // The timing patterns hold single modules, so the smallest side is one module.
    let module = rects
        .iter()
        .map(|r| (r.x1 - r.x0).min(r.y1 - r.y0))
        .fold(f64::INFINITY, f64::min);
    assert!(module > 0.0, "modules have a size");
    // The three finder patterns sit in three corners: the dark bounding box is the symbol.
    let left = rects.iter().map(|r| r.x0).fold(f64::INFINITY, f64::min);
    let top = rects.iter().map(|r| r.y0).fold(f64::INFINITY, f64::min);
    let right = rects.iter().map(|r| r.x1).fold(f64::NEG_INFINITY, f64::max);
    let bottom = rects.iter().map(|r| r.y1).fold(f64::NEG_INFINITY, f64::max);
    let size = ((right - left) / module).round() as usize;
    assert_eq!(
        size,
        ((bottom - top) / module).round() as usize,
        "a QR code is square"
    );
    assert!(
        (21..=177).contains(&size) && (size - 17).is_multiple_of(4),
        "{size} modules is no QR code version"
    );
    let mut dark = vec![false; size * size];
    let cell = |v: f64, origin: f64| ((v - origin) / module).round() as usize;
    for r in &rects {
        for row in cell(r.y0, top)..cell(r.y1, top) {
            for col in cell(r.x0, left)..cell(r.x1, left) {
                dark[row * size + col] = true;
            }
        }
    }
    let view_box: Vec<f64> = svg
        .find("<svg ")
        .map(|at| &svg[at..])
        .and_then(|s| attribute(s, "viewBox"))
        .expect("the SVG has a viewBox")
        .split_whitespace()
        .map(|n| n.parse().expect("a viewBox number"))
        .collect();
    let (vx, vy, vw, vh) = (view_box[0], view_box[1], view_box[2], view_box[3]);
    let quiet_zone = [left - vx, top - vy, vx + vw - right, vy + vh - bottom]
        .into_iter()
        .fold(f64::INFINITY, f64::min)
        / module;
    ReadQr {
        size,
        dark,
        quiet_zone,
    }
}

/// What a phone's camera reads in the QR code.
fn decode_qr(qr: &ReadQr) -> String {
    let grid = rqrr::SimpleGrid::from_func(qr.size, |x, y| qr.dark[y * qr.size + x]);
    rqrr::Grid::new(grid)
        .decode()
        .expect("a readable QR code")
        .1
}

async fn qr_svg(hall: &TestHall, token: &str) -> String {
    let (status, headers, body) = fetch(hall, &format!("/api/tickets/{token}/qr.svg")).await;
    let text = String::from_utf8(body).expect("an SVG is UTF-8 text");
    assert_eq!(status, 200, "the QR code of ticket {token}: {text}");
    assert_eq!(
        header(&headers, CONTENT_TYPE),
        "image/svg+xml",
        "served as SVG"
    );
    text
}

#[tokio::test]
async fn the_qr_code_of_an_issued_ticket_is_an_svg_that_opens_the_tickets_page() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    let svg = qr_svg(&hall, token(&ticket)).await;
    assert!(svg.contains("<svg"), "an SVG document: {svg:.200}");
    let qr = read_qr(&svg);
    assert_eq!(
        decode_qr(&qr),
        ticket["url"].as_str().expect("the ticket's url"),
        "the QR code opens the ticket's own page"
    );
    assert!(
        qr.quiet_zone >= 4.0,
        "a quiet zone of 4 modules lets a phone find the code on a bright screen, not {}",
        qr.quiet_zone
    );
}

#[tokio::test]
async fn a_tickets_qr_code_is_the_same_each_time_and_differs_from_another_tickets() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let first = kiosk.issue("A", "none").await;
    let second = kiosk.issue("A", "none").await;
    let once = qr_svg(&hall, token(&first)).await;
    let again = qr_svg(&hall, token(&first)).await;
    let other = qr_svg(&hall, token(&second)).await;
    assert_eq!(once, again, "the same ticket, the same picture");
    assert_ne!(once, other, "two tickets, two pictures");
    assert_eq!(
        decode_qr(&read_qr(&other)),
        second["url"].as_str().expect("url"),
        "the second ticket's code opens the second ticket's page"
    );
}

#[tokio::test]
async fn the_address_in_the_qr_code_opens_the_citizens_page() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    let url = decode_qr(&read_qr(&qr_svg(&hall, token(&ticket)).await));
    let resp = reqwest::get(&url).await.expect("request");
    let status = resp.status().as_u16();
    let content_type = header(resp.headers(), CONTENT_TYPE).to_owned();
    assert_eq!(status, 200, "GET {url}");
    assert!(
        content_type.starts_with("text/html"),
        "GET {url}: {content_type}"
    );
}

// ---------------------------------------------------------------------------------------
// The spoken call.

/// What the header of a WAV file says.
#[derive(Debug)]
struct Wav {
    format: u16,
    channels: u16,
    byte_rate: u32,
    bits: u16,
    /// The RIFF chunk's declared size (the file's length less 8, when it tells the truth).
    riff_size: u32,
    /// Where the samples start, and how many bytes the `data` chunk declares.
    data_at: usize,
    data_size: u32,
}

fn read_wav(bytes: &[u8]) -> Wav {
    assert!(bytes.len() > 44, "a WAV file is longer than its header");
    assert_eq!(&bytes[0..4], b"RIFF", "a RIFF file");
    assert_eq!(&bytes[8..12], b"WAVE", "of WAVE audio");
    let u16_at = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let u32_at =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let mut fmt = None;
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let (id, size) = (&bytes[at..at + 4], u32_at(at + 4));
        if id == b"fmt " {
            fmt = Some(at + 8);
        }
        if id == b"data" {
            let fmt = fmt.expect("the fmt chunk comes before the data");
            return Wav {
                format: u16_at(fmt),
                channels: u16_at(fmt + 2),
                byte_rate: u32_at(fmt + 8),
                bits: u16_at(fmt + 14),
                riff_size: u32_at(4),
                data_at: at + 8,
                data_size: size,
            };
        }
        at += 8 + size as usize + (size as usize & 1);
    }
    panic!("no data chunk in the WAV file");
}

/// The call as a member of staff trying the voice hears it (any code; a display hears
/// only the calls made today: tests/tests/announcements.rs).
async fn announcement(hall: &TestHall, code: &str, counter: u16) -> Vec<u8> {
    {
        let conn = motcua_store::open_for_admin(hall.data_dir()).expect("open db");
        // Made once per hall; later calls find it there.
        let _ = motcua_web::accounts::add_user(
            &conn,
            "voice",
            motcua_domain::Role::Manager,
            "voice-secret-pw",
            0,
        );
    }
    let staff = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client");
    let resp = staff
        .post(hall.url("/api/session"))
        .json(&json!({"name": "voice", "password": "voice-secret-pw"}))
        .send()
        .await
        .expect("sign in");
    assert_eq!(resp.status().as_u16(), 200, "the voice tester signs in");
    let path = format!("/api/announcements?code={code}&counter={counter}");
    let (status, headers, body) = fetch_with(&staff, hall, &path).await;
    assert_eq!(
        status,
        200,
        "GET {path} (is espeak-ng installed? it must be): {}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(header(&headers, CONTENT_TYPE), "audio/wav", "GET {path}");
    body
}

#[tokio::test]
async fn the_call_is_spoken_as_a_wav_file_of_a_few_seconds() {
    let hall = TestHall::start().await;
    let audio = announcement(&hall, "A012", 3).await;
    let wav = read_wav(&audio);
    assert_eq!(
        wav.format, 1,
        "plain PCM, which every browser plays: {wav:?}"
    );
    assert_eq!(wav.bits, 16, "16-bit samples: {wav:?}");
    assert!(wav.channels >= 1 && wav.byte_rate > 0, "{wav:?}");
    let samples = &audio[wav.data_at..];
    let seconds = samples.len() as f64 / f64::from(wav.byte_rate);
    assert!(
        (2.0..=20.0).contains(&seconds),
        "\"Mời công dân có số thứ tự A 0 1 2 đến quầy số 3\" lasts a few seconds, not {seconds:.1}"
    );
    let loudest = samples
        .chunks_exact(2)
        .map(|s| i16::from_le_bytes([s[0], s[1]]).unsigned_abs())
        .max()
        .unwrap_or(0);
    assert!(
        loudest > 2000,
        "the call is heard, not silence: the loudest sample is {loudest}"
    );
}

#[tokio::test]
async fn asking_for_the_same_call_again_gives_the_same_audio_and_another_call_other_audio() {
    let hall = TestHall::start().await;
    let first = announcement(&hall, "A012", 3).await;
    let again = announcement(&hall, "A012", 3).await;
    assert!(
        first == again,
        "the same call, the same bytes (from the cache)"
    );
    let other_code = announcement(&hall, "A013", 3).await;
    let other_counter = announcement(&hall, "A012", 4).await;
    assert!(first != other_code, "another ticket is another call");
    assert!(first != other_counter, "another counter is another call");
}

#[tokio::test]
async fn the_wav_header_declares_the_real_length_of_the_call() {
    let hall = TestHall::start().await;
    let audio = announcement(&hall, "A012", 3).await;
    let wav = read_wav(&audio);
    assert_eq!(
        wav.riff_size as usize,
        audio.len() - 8,
        "the RIFF size is the file's length less 8"
    );
    assert_eq!(
        wav.data_size as usize,
        audio.len() - wav.data_at,
        "the data chunk's size is the samples' length"
    );
}

#[tokio::test]
async fn a_call_to_an_unknown_counter_or_with_a_malformed_code_is_refused() {
    let hall = TestHall::start().await;
    let nobody = hall.anonymous();
    let (status, body) = nobody.get("/api/announcements?code=A012&counter=99").await;
    assert_eq!(status, 404, "counter 99: {body}");
    assert_eq!(error_code(&body), "counter_not_found", "{body}");
    let (status, body) = nobody.get("/api/announcements?code=a-1&counter=3").await;
    assert_eq!(status, 422, "code a-1: {body}");
    assert_eq!(error_code(&body), "bad_code", "{body}");
}

// ---------------------------------------------------------------------------------------
// Rating on the counter's tablet.

/// A ticket issued, called, served and finished at `counter` by `clerk`.
async fn served_at(kiosk: &Client, clerk: &Client, counter: u16) -> Value {
    let ticket = kiosk.issue("A", "none").await;
    let called = clerk.call_next(counter).await.expect("a ticket to call");
    assert_eq!(called["id"], ticket["id"], "the ticket is called");
    for action in ["start", "finish"] {
        let (status, body) = clerk.act(&ticket, action, json!({})).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    ticket
}

/// The `rated` events of a ticket in the event log: (counter, data).
fn rated_events(hall: &TestHall, ticket: &Value) -> Vec<(Option<i64>, Value)> {
    let conn = motcua_store::open_for_admin(hall.data_dir()).expect("open db");
    let mut stmt = conn
        .prepare("SELECT counter_no, data FROM events WHERE kind = 'rated' AND ticket_id = ?1 ORDER BY seq")
        .expect("query events");
    stmt.query_map([ticket["id"].as_i64().expect("id")], |r| {
        let data: String = r.get(1)?;
        Ok((
            r.get(0)?,
            serde_json::from_str(&data).expect("event data is JSON"),
        ))
    })
    .expect("events")
    .collect::<Result<_, _>>()
    .expect("events")
}

#[tokio::test]
async fn a_served_ticket_is_rated_once_on_the_tablet_of_the_counter_that_served_it() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("clerk-1", 1).await;
    let elsewhere = hall.clerk_at("clerk-3", 3).await;
    let ticket = served_at(&kiosk, &clerk, 1).await;

    let (status, body) = elsewhere.act(&ticket, "rate", json!({"level": 5})).await;
    assert_eq!(status, 403, "the clerk of counter 3: {body}");
    assert_eq!(error_code(&body), "forbidden", "{body}");

    let (status, body) = clerk.act(&ticket, "rate", json!({"level": 4})).await;
    assert_eq!(status, 200, "the clerk of counter 1: {body}");
    assert_eq!(body["rating"], 4, "{body}");
    assert_eq!(body["status"], "served", "{body}");
    let (_, page) = hall
        .anonymous()
        .get(&format!("/api/tickets/{}", token(&ticket)))
        .await;
    assert_eq!(
        page["rating"],
        Value::Null,
        "the ticket's page still asks the citizen (the tablet is signed in as the clerk): {page}"
    );

    let (status, body) = clerk.act(&ticket, "rate", json!({"level": 1})).await;
    assert_eq!(status, 409, "a second rating: {body}");
    assert_eq!(error_code(&body), "already_rated", "{body}");
    let (status, body) = hall
        .anonymous()
        .post("/api/ratings", json!({"token": token(&ticket), "level": 1}))
        .await;
    assert_eq!(status, 201, "the citizen's phone after the tablet: {body}");
    assert_eq!(
        body["rating"], 1,
        "the citizen's rating replaces it: {body}"
    );
    let (status, body) = elsewhere.act(&ticket, "rate", json!({"level": 1})).await;
    assert_eq!(status, 403, "the clerk of counter 3, afterwards: {body}");

    let events = rated_events(&hall, &ticket);
    assert_eq!(events.len(), 2, "both ratings in the event log: {events:?}");
    assert_eq!(events[1].1["channel"], "phone", "{events:?}");
    let (counter, data) = &events[0];
    assert_eq!(*counter, Some(1), "rated at counter 1: {data}");
    assert_eq!(
        data["channel"], "counter",
        "given on the counter's tablet: {data}"
    );
    assert_eq!(data["level"], 4, "{data}");
}

#[tokio::test]
async fn a_rating_from_the_citizens_phone_is_logged_with_the_phone_channel() {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk", DeviceKind::Kiosk);
    let clerk = hall.clerk_at("clerk-1", 1).await;
    let ticket = served_at(&kiosk, &clerk, 1).await;
    let (status, body) = hall
        .anonymous()
        .post("/api/ratings", json!({"token": token(&ticket), "level": 5}))
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = clerk.act(&ticket, "rate", json!({"level": 2})).await;
    assert_eq!(status, 409, "the tablet after the phone: {body}");
    assert_eq!(error_code(&body), "already_rated", "{body}");
    let events = rated_events(&hall, &ticket);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].1["channel"], "phone", "{events:?}");
}

// ---------------------------------------------------------------------------------------
// The pages and fonts.

#[tokio::test]
async fn the_kiosk_display_counter_and_booking_pages_are_html_that_browsers_revalidate() {
    let hall = TestHall::start().await;
    for path in ["/kiosk/", "/display/", "/counter/", "/book/"] {
        let (status, headers, body) = fetch(&hall, path).await;
        assert_eq!(
            status,
            200,
            "GET {path}: {}",
            String::from_utf8_lossy(&body)
        );
        assert!(
            header(&headers, CONTENT_TYPE).starts_with("text/html"),
            "GET {path} is HTML: {headers:?}"
        );
        assert_eq!(
            header(&headers, CACHE_CONTROL),
            "no-cache",
            "GET {path}: a kiosk picks up a new version after an upgrade"
        );
    }
}

#[tokio::test]
async fn the_home_page_lists_the_pages() {
    let hall = TestHall::start().await;
    let (status, headers, body) = fetch(&hall, "/").await;
    let text = String::from_utf8(body).expect("UTF-8");
    assert_eq!(status, 200, "GET /: {text}");
    assert!(
        header(&headers, CONTENT_TYPE).starts_with("text/html"),
        "{headers:?}"
    );
    for link in ["/kiosk/", "/display/", "/counter/", "/book/"] {
        assert!(
            text.contains(&format!("href=\"{link}\"")),
            "links to {link}"
        );
    }
}

#[tokio::test]
async fn the_home_page_is_revalidated_like_the_other_pages() {
    let hall = TestHall::start().await;
    let (status, headers, _) = fetch(&hall, "/").await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, CACHE_CONTROL), "no-cache", "{headers:?}");
}

#[tokio::test]
async fn a_page_address_without_its_slash_is_redirected_to_the_page() {
    let hall = TestHall::start().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    for page in ["/kiosk", "/display", "/counter", "/book"] {
        let (status, headers, _) = fetch_with(&http, &hall, page).await;
        assert!(
            matches!(status, 301 | 308),
            "GET {page}: a permanent redirect, not {status}"
        );
        assert_eq!(header(&headers, LOCATION), format!("{page}/"), "GET {page}");
    }
}

#[tokio::test]
async fn the_pages_font_is_served_as_a_font() {
    let hall = TestHall::start().await;
    let (status, headers, body) = fetch(&hall, "/shared/fonts/NotoSans-Regular.woff2").await;
    assert_eq!(status, 200, "GET /shared/fonts/NotoSans-Regular.woff2");
    let content_type = header(&headers, CONTENT_TYPE);
    assert!(
        content_type.starts_with("font/")
            || matches!(
                content_type,
                "application/font-sfnt" | "application/x-font-ttf"
            ),
        "a font's content type, not {content_type:?}"
    );
    let on_disk = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared-web/fonts/NotoSans-Regular.woff2"),
    )
    .expect("the font in the repository");
    assert!(body == on_disk, "the font as bundled");
    // The printer's full fonts (1 MB) are not the pages' to download.
    let (status, _, _) = fetch(&hall, "/fonts/NotoSans-Regular.ttf").await;
    assert_eq!(status, 404, "the full TTF is not served");
}

#[tokio::test]
async fn unknown_pages_and_paths_out_of_the_page_folders_are_not_found() {
    let hall = TestHall::start().await;
    for path in [
        "/kiosk/nope.js",
        "/display/nope.css",
        "/counter/nope.html",
        "/book/nope.js",
        "/shared/fonts/nope.woff2",
        "/kiosk/..%2Fserver%2FCargo.toml",
        "/shared/..%2F..%2Fserver%2Fsrc%2Fmain.rs",
        "/counter/%2Fetc%2Fpasswd",
    ] {
        let (status, _, body) = fetch(&hall, path).await;
        assert_eq!(
            status,
            404,
            "GET {path}: {}",
            String::from_utf8_lossy(&body)
                .chars()
                .take(200)
                .collect::<String>()
        );
    }
}
