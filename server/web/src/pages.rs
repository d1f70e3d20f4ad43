//! The pages both servers embed in their binary, served file by file.
//!
//! Each folder is packed when the server is built (`server/pack`, from each crate's
//! `build.rs`): every file with its gzipped copy (where that is smaller) and a strong ETag.
//! A request gets the gzipped bytes when its `Accept-Encoding` allows gzip, the raw bytes
//! otherwise, and `304 Not Modified` when its `If-None-Match` names what it would get. Every
//! answer says `no-cache`: a kiosk revalidates each time (so it picks up a new version after
//! an upgrade without anyone clearing its browser), and the ETag makes that a 304.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::convert::Infallible;

/// One embedded file, as `server/pack` wrote it.
#[derive(Debug)]
pub struct Page {
    /// Its path inside its folder, `/` between folders.
    pub path: &'static str,
    pub raw: &'static [u8],
    /// Gzipped at the best level; `None` where that was not smaller.
    pub gzip: Option<&'static [u8]>,
    /// Strong ETags (quoted) of the raw and the gzipped bytes.
    pub etag: &'static str,
    pub gzip_etag: &'static str,
}

/// An embedded folder: its files, sorted by path.
#[derive(Debug)]
pub struct Folder(pub &'static [Page]);

impl Folder {
    pub fn get(&self, path: &str) -> Option<&'static Page> {
        let files: &'static [Page] = self.0;
        files
            .binary_search_by(|page| page.path.cmp(path))
            .ok()
            .map(|at| &files[at])
    }

    pub fn files(&self) -> &'static [Page] {
        self.0
    }
}

// The folders shared by both servers, packed once by this crate's build script: the
// front-end kit (`SHARED`, the pages' fonts among them) and the hall's dashboard (`DASHBOARD`,
// whose modules the city's page reuses).
include!(concat!(env!("OUT_DIR"), "/pages.rs"));

/// What the request accepts: gzip or not, and the ETags it already has.
#[derive(Debug, Default, Clone)]
pub struct Wants {
    gzip: bool,
    if_none_match: Option<HeaderValue>,
}

impl Wants {
    pub fn from_headers(headers: &HeaderMap) -> Wants {
        let accept = headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        Wants {
            gzip: accepts_gzip(&accept),
            if_none_match: headers.get(header::IF_NONE_MATCH).cloned(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Wants {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Wants::from_headers(&parts.headers))
    }
}

/// A file of an embedded folder, with its type, ETag and `no-cache`, gzipped if the request
/// allows; a friendly 404 page when there is no such file.
pub fn file(folder: &'static Folder, path: &str, wants: &Wants) -> Response {
    match folder.get(path) {
        Some(page) => serve(page, wants),
        None => (StatusCode::NOT_FOUND, Html(NOT_FOUND)).into_response(),
    }
}

/// One embedded file, as [`file`] serves it.
pub fn serve(page: &'static Page, wants: &Wants) -> Response {
    let (bytes, etag, gzip) = match page.gzip {
        Some(gz) if wants.gzip => (gz, page.gzip_etag, true),
        _ => (page.raw, page.etag, false),
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, HeaderValue::from_static(etag));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Even a file without a gzipped copy: a cache must not keep one answer for every client.
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    let unchanged = wants
        .if_none_match
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|list| matches_any(list, etag));
    if unchanged {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(header::CONTENT_TYPE, content_type(page.path));
    if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    (headers, bytes).into_response()
}

fn content_type(path: &str) -> HeaderValue {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    // Say the charset: the pages are Vietnamese.
    let value = if mime.type_() == mime_guess::mime::TEXT
        || mime.subtype() == mime_guess::mime::JAVASCRIPT
    {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    };
    HeaderValue::from_str(&value)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
}

/// Whether an `Accept-Encoding` value allows gzip: `gzip` (or `x-gzip`) with a non-zero
/// q-value, else `*` with one; and not below an explicit `identity`.
pub fn accepts_gzip(accept: &str) -> bool {
    let (mut gzip, mut any, mut identity) = (None, None, None);
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let mut q = 1.0_f32;
        for param in parts {
            if let Some((name, value)) = param.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                // A q-value that does not parse is no preference at all.
                q = value.trim().parse().unwrap_or(0.0);
            }
        }
        match coding.as_str() {
            "gzip" | "x-gzip" => gzip = Some(q),
            "*" => any = Some(q),
            "identity" => identity = Some(q),
            _ => {}
        }
    }
    let q = gzip.or(any).unwrap_or(0.0);
    q > 0.0 && identity.is_none_or(|identity| q >= identity)
}

/// Whether an `If-None-Match` value names `etag` (`*` names anything; the comparison is the
/// weak one RFC 9110 asks for: a `W/` prefix is ignored).
pub fn matches_any(list: &str, etag: &str) -> bool {
    let wanted = etag.trim_matches('"');
    let mut rest = list.trim_start();
    if rest == "*" {
        return true;
    }
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return false;
        }
        rest = rest.strip_prefix("W/").unwrap_or(rest);
        let Some(quoted) = rest.strip_prefix('"') else {
            // Not an entity tag: the header is malformed, so it names nothing.
            return false;
        };
        let Some(end) = quoted.find('"') else {
            return false;
        };
        if &quoted[..end] == wanted {
            return true;
        }
        rest = &quoted[end + 1..];
    }
}

const NOT_FOUND: &str = "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Không tìm thấy</title>\
<body><h1>Không tìm thấy trang</h1><p>Page not found.</p></body></html>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_accepted_as_the_q_values_say() {
        for (accept, gzip) in [
            ("gzip, deflate, br", true),
            ("br;q=1.0, gzip;q=0.8, *;q=0.1", true),
            ("gzip;q=0", false),
            ("gzip; q=0.000", false),
            ("*", true),
            ("*;q=0", false),
            ("gzip;q=0, *", false),
            ("br", false),
            ("", false),
            ("identity", false),
            ("identity;q=1, gzip;q=0.5", false),
            ("identity;q=0.5, gzip", true),
            ("GZIP", true),
            ("x-gzip", true),
            ("gzip;q=nonsense", false),
        ] {
            assert_eq!(accepts_gzip(accept), gzip, "{accept:?}");
        }
    }

    #[test]
    fn if_none_match_names_an_etag_in_a_list_weak_or_strong_or_star() {
        let etag = "\"abc\"";
        for (list, hit) in [
            ("\"abc\"", true),
            ("W/\"abc\"", true),
            ("\"x\", \"abc\"", true),
            ("\"x,y\",W/\"abc\"", true),
            ("*", true),
            ("\"abcd\"", false),
            ("\"ab\"", false),
            ("abc", false),
            ("\"x\", abc", false),
            ("\"abc", false),
            ("", false),
        ] {
            assert_eq!(matches_any(list, etag), hit, "{list:?}");
        }
    }
}
