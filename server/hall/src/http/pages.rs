//! The web pages, embedded in the binary so a hall needs nothing but `motcua`: the kiosk
//! (`/kiosk/`), the hall and counter displays (`/display/`), the clerk's console and the
//! counter's rating tablet (`/counter/`), the manager's dashboard (`/dashboard/`), the citizen's page
//! (`/t/{token}`, its script and styles under `/phone/`), the admin pages (`/admin/`), the public booking page (`/book/`,
//! a booking's own page at `/book/#CODE`) and the front-end kit they share
//! (`/shared/`, the pages' fonts among them). No CDN, no internet at run time.
//!
//! Pages are static files; everything live comes from the JSON API and the WebSocket
//! feeds. They are packed when the server is built (gzipped, each with its ETag: see
//! `motcua_web::pages`) and sent with `no-cache`, so a kiosk revalidates each time and picks
//! up a new version after an upgrade without anyone clearing its browser; an unchanged file
//! is a 304.

use super::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use motcua_store::Store;
use motcua_web::pages::{DASHBOARD, SHARED, Wants, file};

// The hall's own folders (KIOSK, DISPLAY, COUNTER, BOOK, ADMIN, PHONE) and its home page (HOME), packed
// by build.rs; the front-end kit every page uses (`/shared/`), the fonts and the dashboard
// are packed once by motcua-web, the city's collector serves them too.
include!(concat!(env!("OUT_DIR"), "/pages.rs"));

/// The pages' routes (static documents, not API: not in the OpenAPI description).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/",
            get(|wants: Wants| async move { file(&HOME, "home.html", &wants) }),
        )
        .route("/kiosk", get(|| async { Redirect::permanent("/kiosk/") }))
        .route(
            "/kiosk/",
            get(|wants: Wants| async move { file(&KIOSK, "index.html", &wants) }),
        )
        .route(
            "/kiosk/{*path}",
            get(|Path(p): Path<String>, wants: Wants| async move { file(&KIOSK, &p, &wants) }),
        )
        .route(
            "/display",
            get(|| async { Redirect::permanent("/display/") }),
        )
        .route(
            "/display/",
            get(|wants: Wants| async move { file(&DISPLAY, "index.html", &wants) }),
        )
        .route(
            "/display/{*path}",
            get(|Path(p): Path<String>, wants: Wants| async move { file(&DISPLAY, &p, &wants) }),
        )
        .route(
            "/counter",
            get(|| async { Redirect::permanent("/counter/") }),
        )
        .route(
            "/counter/",
            get(|wants: Wants| async move { file(&COUNTER, "index.html", &wants) }),
        )
        .route(
            "/counter/{*path}",
            get(|Path(p): Path<String>, wants: Wants| async move { file(&COUNTER, &p, &wants) }),
        )
        .route(
            "/dashboard",
            get(|| async { Redirect::permanent("/dashboard/") }),
        )
        .route(
            "/dashboard/",
            get(|wants: Wants| async move { file(&DASHBOARD, "index.html", &wants) }),
        )
        .route(
            "/dashboard/{*path}",
            get(|Path(p): Path<String>, wants: Wants| async move { file(&DASHBOARD, &p, &wants) }),
        )
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }))
        .route(
            "/admin/",
            get(|wants: Wants| async move { file(&ADMIN, "index.html", &wants) }),
        )
        .route(
            "/admin/{*path}",
            get(|Path(p): Path<String>, wants: Wants| async move { file(&ADMIN, &p, &wants) }),
        )
        .route("/book", get(|| async { Redirect::permanent("/book/") }))
        .route(
            "/book/",
            get(|wants: Wants| async move { file(&BOOK, "index.html", &wants) }),
        )
        .route(
            "/book/{*path}",
            get(|Path(p): Path<String>, wants: Wants| async move { file(&BOOK, &p, &wants) }),
        )
        .route("/t/{token}", get(phone_page))
        // The phone page's script and styles (the page itself is only ever `/t/{token}`).
        .route(
            "/phone/{*path}",
            get(|Path(p): Path<String>, wants: Wants| async move {
                if p == "index.html" {
                    (StatusCode::NOT_FOUND, Html(NO_TICKET)).into_response()
                } else {
                    file(&PHONE, &p, &wants)
                }
            }),
        )
        .route(
            "/shared/{*path}",
            get(|Path(p): Path<String>, wants: Wants| async move { file(&SHARED, &p, &wants) }),
        )
        .route(
            "/home.css",
            get(|wants: Wants| async move { file(&HOME, "home.css", &wants) }),
        )
}

/// The citizen's own page, what the ticket's QR code opens. An unknown or malformed token
/// gets a friendly page saying so.
async fn phone_page(
    State(store): State<Store>,
    Path(token): Path<String>,
    wants: Wants,
) -> Response {
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
        file(&PHONE, "index.html", &wants)
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
