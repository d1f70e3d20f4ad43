//! The web pages, embedded in the binary so a hall needs nothing but `motcua`: the kiosk
//! (`/kiosk/`), the hall and counter displays (`/display/`), the clerk's console and the
//! counter's rating tablet (`/counter/`), the manager's dashboard (`/dashboard/`), and the bundled fonts (`/fonts/`). No CDN, no
//! internet at run time.
//!
//! Pages are static files; everything live comes from the JSON API and the WebSocket
//! feeds. They are sent with `no-cache` so a kiosk picks up a new version after an
//! upgrade without anyone clearing its browser.

use super::AppState;
use crate::store::{Store, views};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use include_dir::{Dir, include_dir};

static KIOSK: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../kiosk-web");
static DISPLAY: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../display-web");
static COUNTER: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../counter-web");
static PHONE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../phone-web");
static DASHBOARD: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../dashboard-web");
static FONTS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../printer/fonts");

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
        .route(
            "/fonts/{*path}",
            get(|Path(p): Path<String>| async move { file(&FONTS, &p) }),
        )
}

fn file(dir: &'static Dir<'static>, path: &str) -> Response {
    let Some(found) = dir.get_file(path) else {
        return (StatusCode::NOT_FOUND, Html(NOT_FOUND)).into_response();
    };
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    // Say the charset: the pages are Vietnamese.
    let content_type = if mime.type_() == mime_guess::mime::TEXT
        || mime.subtype() == mime_guess::mime::JAVASCRIPT
    {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache".to_owned()),
        ],
        found.contents(),
    )
        .into_response()
}

const NOT_FOUND: &str = "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Không tìm thấy</title>\
<body style=\"font-family:sans-serif;padding:3em\"><h1>Không tìm thấy trang</h1><p>Page not found.</p></body></html>";

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
                .read(move |conn| views::ticket_by_token(conn, &token))
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

const NO_TICKET: &str = "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Không tìm thấy phiếu</title>\
<body style=\"font-family:sans-serif;padding:2em;text-align:center\"><h1>Không tìm thấy phiếu</h1>\
<p>Mã trên phiếu không đúng hoặc phiếu đã quá cũ. Vui lòng hỏi cán bộ tại quầy.</p>\
<p style=\"color:#666\">Ticket not found. Please ask at the counter.</p></body></html>";

/// A plain index of the pages, for the person setting the hall up.
async fn home() -> Response {
    (
        [(header::CACHE_CONTROL, "no-cache")],
        Html(include_str!("home.html")),
    )
        .into_response()
}
