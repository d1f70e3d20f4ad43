//! The pages both servers embed in their binary, served file by file.

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use include_dir::Dir;

/// A file of an embedded page folder, with its type and `no-cache`; a friendly 404 page when
/// there is no such file.
pub fn file(dir: &'static Dir<'static>, path: &str) -> Response {
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
<body><h1>Không tìm thấy trang</h1><p>Page not found.</p></body></html>";
