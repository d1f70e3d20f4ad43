//! The web pages, embedded in the binary so a hall needs nothing but `motcua`: the kiosk
//! (`/kiosk/`), the hall and counter displays (`/display/`), the clerk's console and the
//! counter's rating tablet (`/counter/`), the manager's dashboard (`/dashboard/`), the citizen's page
//! (`/t/{token}`, its script and styles under `/phone/`), the front-end kit they share (`/shared/`)
//! and the bundled fonts (`/fonts/`). No CDN, no
//! internet at run time.
//!
//! Pages are static files; everything live comes from the JSON API and the WebSocket
//! feeds. They are sent with `no-cache` so a kiosk picks up a new version after an
//! upgrade without anyone clearing its browser.

use super::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use include_dir::{Dir, include_dir};
use motcua_store::Store;
use motcua_web::pages::file;
use std::sync::LazyLock;

static KIOSK: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../kiosk-web");
static DISPLAY: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../display-web");
static COUNTER: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../counter-web");
static PHONE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../phone-web");
static DASHBOARD: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../dashboard-web");
static FONTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../printer/fonts");
/// The front-end kit every page uses (API client, live feed, translations, element builder,
/// design tokens), the same files the city's collector serves.
static SHARED: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../../shared-web");

/// The pages' routes (static documents, not API: not in the OpenAPI description).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/kiosk", get(|| async { Redirect::permanent("/kiosk/") }))
        .route("/kiosk/", get(|| async { file(&KIOSK, "index.html") }))
        .route(
            "/kiosk/{*path}",
            get(|Path(p): Path<String>| async move { file(&KIOSK, &p) }),
        )
        .route(
            "/display",
            get(|| async { Redirect::permanent("/display/") }),
        )
        .route("/display/", get(|| async { file(&DISPLAY, "index.html") }))
        .route(
            "/display/{*path}",
            get(|Path(p): Path<String>| async move { file(&DISPLAY, &p) }),
        )
        .route(
            "/counter",
            get(|| async { Redirect::permanent("/counter/") }),
        )
        .route("/counter/", get(|| async { file(&COUNTER, "index.html") }))
        .route(
            "/counter/{*path}",
            get(|Path(p): Path<String>| async move { file(&COUNTER, &p) }),
        )
        .route(
            "/dashboard",
            get(|| async { Redirect::permanent("/dashboard/") }),
        )
        .route(
            "/dashboard/",
            get(|| async { file(&DASHBOARD, "index.html") }),
        )
        .route(
            "/dashboard/{*path}",
            get(|Path(p): Path<String>| async move { file(&DASHBOARD, &p) }),
        )
        .route("/t/{token}", get(phone_page))
        // The phone page's script and styles (the page itself is only ever `/t/{token}`).
        .route(
            "/phone/{*path}",
            get(|Path(p): Path<String>| async move {
                if p == "index.html" {
                    (StatusCode::NOT_FOUND, Html(NO_TICKET)).into_response()
                } else if p == "phone.js" {
                    phone_script()
                } else {
                    file(&PHONE, &p)
                }
            }),
        )
        .route(
            "/shared/{*path}",
            get(|Path(p): Path<String>| async move { file(&SHARED, &p) }),
        )
        .route("/home.css", get(home_css))
        .route(
            "/fonts/{*path}",
            get(|Path(p): Path<String>| async move { file(&FONTS, &p) }),
        )
}

/// The phone page's script joined with the kit modules it imports, once (see `bundle`).
static PHONE_SCRIPT: LazyLock<Result<String, String>> = LazyLock::new(|| {
    let entry = PHONE
        .get_file("phone.js")
        .and_then(|f| f.contents_utf8())
        .ok_or_else(|| "phone-web/phone.js is missing".to_owned())?;
    super::bundle::join(entry, &SHARED)
});

fn phone_script() -> Response {
    match &*PHONE_SCRIPT {
        Ok(script) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            script.as_str(),
        )
            .into_response(),
        Err(why) => {
            tracing::error!(%why, "the phone page's script cannot be joined with the kit");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The citizen's own page, what the ticket's QR code opens. An unknown or malformed token
/// gets a friendly page saying so.
async fn phone_page(State(store): State<Store>, Path(token): Path<String>) -> Response {
    let valid = token.len() == 32
        && token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let known = valid && {
        let token = token.clone();
        matches!(
            store
                .read(move |conn| motcua_store::tickets::by_token(conn, &token))
                .await,
            Ok(Some(_))
        )
    };
    if known {
        file(&PHONE, "index.html")
    } else {
        (StatusCode::NOT_FOUND, Html(NO_TICKET)).into_response()
    }
}

/// What a phone gets for an address that is no ticket: the same look as the ticket page,
/// both languages at once (the page cannot know which the reader prefers), and what to do.
const NO_TICKET: &str = r##"<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta name="theme-color" content="#0b4f9c">
<title>Không tìm thấy phiếu · Ticket not found</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/phone/missing.css">
</head>
<body>
<header>Bộ phận một cửa · One-stop service hall</header>
<main>
  <section class="card">
    <svg class="sign" viewBox="0 0 64 40" aria-hidden="true"><path d="M4 4h56v10a6 6 0 0 0 0 12v10H4V26a6 6 0 0 0 0-12z" fill="#dbe6f5" stroke="#0b4f9c" stroke-width="3"/><path d="M22 14l20 12M42 14L22 26" stroke="#b42318" stroke-width="4" stroke-linecap="round"/></svg>
    <h1>Không tìm thấy phiếu</h1>
    <p>Đường dẫn này không khớp với phiếu số thứ tự nào.</p>
    <p>Hãy quét lại mã QR trên phiếu của bạn, hoặc hỏi cán bộ tại bộ phận một cửa. Số thứ tự của bạn vẫn được gọi trên màn hình trong sảnh.</p>
  </section>
  <section class="card" lang="en">
    <h2>Ticket not found</h2>
    <p>This link does not match any queue ticket.</p>
    <p>Please scan the QR code on your ticket again, or ask a member of staff. Your number is still called on the screens in the hall.</p>
  </section>
</main>
</body>
</html>
"##;

/// The home page's look (no inline style: the Content-Security-Policy forbids it).
async fn home_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("home.css"),
    )
        .into_response()
}

/// A plain index of the pages, for the person setting the hall up.
async fn home() -> Response {
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Html(include_str!("home.html")),
    )
        .into_response()
}
