//! What a browser is told and what it may do, the same on both servers: one middleware,
//! [`protect`], around every route, the fallbacks included.
//!
//! **Changes from another site's page are refused.** The session cookie is `SameSite=Strict`,
//! but "site" means the host name without its port: a page served on another port of the
//! same box (a printer's web page, a test server, anything on the citizens' Wi-Fi that
//! shares the name) is the same site, and its form or `fetch` would carry the clerk's
//! cookie. So every change (`POST`, `PUT`, `PATCH`, `DELETE`) that carries the session
//! cookie, every WebSocket opened with it, and the sign-in itself (a page must not sign a
//! clerk's browser in as someone else) must come from our own pages:
//! - `Sec-Fetch-Site: same-origin` or `none` (typed or bookmarked) passes; any other value
//!   (`same-site`, `cross-site`) is refused;
//! - without it (browsers send it only to `https://` and `localhost`), the `Origin` must be
//!   ours: the scheme and `Host` the request came with (https through our own TLS or a
//!   trusted proxy's `X-Forwarded-Proto`; a trusted proxy's `X-Forwarded-Host` too), or the
//!   configured public address;
//! - with neither header the request is not from a page (the print agent, the hall's
//!   uplink, `curl`) and passes.
//!
//! Devices (a bearer token), the citizen's phone (its ticket's token) and the city's signed
//! batches carry no cookie, so nothing changes for them. A refusal is 403 `cross_origin`.
//!
//! **Every answer carries the headers a browser needs to keep the pages to themselves:** a
//! Content-Security-Policy with no inline script or style and `frame-ancestors 'none'` (no
//! page of ours can be framed and clicked through), `X-Frame-Options` for older browsers,
//! `nosniff`, no referrer (the phone page's address holds its ticket's token), camera,
//! microphone and location off, a separate browsing context group, and `no-store` on API
//! answers that say nothing of caching themselves.

use crate::AppError;
use crate::client::{OverTls, TrustedProxies};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use std::sync::Arc;

/// Whose pages may change things: the request's own origin, and the configured public
/// addresses.
#[derive(Clone, Debug, Default)]
pub struct Guard {
    proxies: TrustedProxies,
    origins: Arc<[String]>,
}

impl Guard {
    /// `public_urls`: the addresses people open the pages at (`server.public_url`), besides
    /// the `Host` a request names (which a proxy may rewrite).
    pub fn new<'a>(
        proxies: TrustedProxies,
        public_urls: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let origins = public_urls.into_iter().filter_map(origin_of).collect();
        Guard { proxies, origins }
    }

    /// Whether a request that must come from our own pages does.
    fn same_origin(&self, req: &Request) -> Result<(), &'static str> {
        let headers = req.headers();
        if let Some(site) = headers.get("sec-fetch-site") {
            return match site.as_bytes() {
                b"same-origin" | b"none" => Ok(()),
                _ => Err("sec-fetch-site"),
            };
        }
        let Some(origin) = headers.get(header::ORIGIN) else {
            return Ok(());
        };
        let Some(origin) = origin.to_str().ok().and_then(origin_of) else {
            return Err("origin");
        };
        if self.origins.contains(&origin) {
            return Ok(());
        }
        let peer = peer_of(req);
        let https = req.extensions().get::<OverTls>().is_some()
            || self.proxies.forwarded_https(peer, headers);
        let scheme = if https { "https" } else { "http" };
        // A trusted proxy that rewrites `Host` says the original in `X-Forwarded-Host`.
        let forwarded_host = headers
            .get("x-forwarded-host")
            .filter(|_| self.proxies.trusts(peer))
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.split(',').next())
            .map(str::trim);
        let ours = |host: &str| origin_of(&format!("{scheme}://{host}")) == Some(origin.clone());
        if own_host(req).is_some_and(ours) || forwarded_host.is_some_and(ours) {
            Ok(())
        } else {
            Err("origin")
        }
    }
}

/// The middleware: refuse what must come from our pages and does not, then add the
/// headers to whatever is answered.
pub async fn protect(State(guard): State<Guard>, req: Request, next: Next) -> Response {
    let host = own_host(&req).filter(|h| plain_host(h)).map(str::to_owned);
    let api = req.uri().path().starts_with("/api/") || req.uri().path().starts_with("/ws/");
    let mut response = if must_be_ours(&req) {
        match guard.same_origin(&req) {
            Ok(()) => next.run(req).await,
            Err(why) => {
                tracing::warn!(
                    method = %req.method(),
                    path = req.uri().path(),
                    origin = ?req.headers().get(header::ORIGIN),
                    sec_fetch_site = ?req.headers().get("sec-fetch-site"),
                    why,
                    "refused a change from another origin"
                );
                AppError::CrossOrigin.into_response()
            }
        }
    } else {
        next.run(req).await
    };
    add_headers(response.headers_mut(), host.as_deref(), api);
    response
}

/// A change with the session cookie, a WebSocket opened with it, or a sign-in.
fn must_be_ours(req: &Request) -> bool {
    let sign_in = req.uri().path() == "/api/session" && req.method() == Method::POST;
    let changes = !matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    let websocket = req
        .headers()
        .get(header::UPGRADE)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
    let cookie = || {
        CookieJar::from_headers(req.headers())
            .get(crate::session::SESSION_COOKIE)
            .is_some()
    };
    sign_in || ((changes || websocket) && cookie())
}

/// The TCP peer (`trusts` reads an IPv4-mapped address as IPv4 itself).
fn peer_of(req: &Request) -> std::net::IpAddr {
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or(std::net::Ipv4Addr::UNSPECIFIED.into(), |c| c.0.ip())
}

/// The host (and port) the request was sent to: `Host`, or the URI's authority (HTTP/2).
fn own_host(req: &Request) -> Option<&str> {
    req.headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
}

/// A host name or address with its port, nothing that could end a CSP directive.
fn plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
}

/// `scheme://host[:port]` of an address, lower case, the scheme's default port left out;
/// None unless it is http or https.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') || !plain_host(authority) {
        return None;
    }
    let authority = authority.to_ascii_lowercase();
    let authority = authority.strip_suffix(default_port).unwrap_or(&authority);
    Some(format!("{scheme}://{authority}"))
}

/// What every answer says to the browser (unless the handler said otherwise).
fn add_headers(headers: &mut HeaderMap, host: Option<&str>, api: bool) {
    // WebSockets to ourselves: `'self'` covers them in CSP 3, older browsers (a TV's) need
    // the address spelled out.
    let sockets = host.map_or(String::new(), |h| format!(" ws://{h} wss://{h}"));
    let csp = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         font-src 'self'; media-src 'self'; connect-src 'self'{sockets}; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    let fixed: [(HeaderName, &str); 7] = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
        (header::CACHE_CONTROL, "no-store"),
    ];
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(csp);
    }
    for (name, value) in fixed {
        if name == header::CACHE_CONTROL && !api {
            continue;
        }
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
}

/// Say in an OpenAPI document that every change may be refused with 403 `cross_origin`
/// (when it carries the session cookie from another origin's page), beside the operation's
/// own 403s if it has any.
pub fn document(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    const WHY: &str = "`cross_origin`: sent with the session cookie from another origin's page";
    for item in openapi.paths.paths.values_mut() {
        let changes = [
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in changes.into_iter().flatten() {
            match operation.responses.responses.get_mut("403") {
                Some(RefOr::T(response)) => {
                    response.description = format!("{}; {WHY}", response.description);
                }
                Some(RefOr::Ref(_)) => {}
                None => {
                    let body = ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build();
                    let response = ResponseBuilder::new()
                        .description(WHY)
                        .content("application/json", body)
                        .build();
                    operation
                        .responses
                        .responses
                        .insert("403".to_owned(), RefOr::T(response));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_without_default_ports_or_case() {
        assert_eq!(
            origin_of("HTTP://Hall.local:80/t/x").as_deref(),
            Some("http://hall.local")
        );
        assert_eq!(
            origin_of("https://hall.local:443").as_deref(),
            Some("https://hall.local")
        );
        assert_eq!(
            origin_of("http://10.0.0.5:8080").as_deref(),
            Some("http://10.0.0.5:8080")
        );
        assert_eq!(
            origin_of("http://[::1]:8080/").as_deref(),
            Some("http://[::1]:8080")
        );
        assert_eq!(origin_of("null"), None);
        assert_eq!(origin_of("file:///etc/passwd"), None);
        assert_eq!(origin_of("http://a@b"), None);
        assert_eq!(origin_of("http://a b"), None);
    }

    fn request(method: Method, headers: &[(&str, &str)]) -> Request {
        let mut req = Request::builder()
            .method(method)
            .uri("/api/counters/1/call-next")
            .header("host", "10.0.0.5:8080");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn only_our_own_pages_pass() {
        let guard = Guard::new(TrustedProxies::default(), ["https://hall.example/"]);
        let ok = |h: &[(&str, &str)]| guard.same_origin(&request(Method::POST, h)).is_ok();
        assert!(ok(&[]), "no browser headers: not a page");
        assert!(ok(&[("sec-fetch-site", "same-origin")]));
        assert!(ok(&[("sec-fetch-site", "none")]));
        assert!(!ok(&[("sec-fetch-site", "same-site")]));
        assert!(!ok(&[("sec-fetch-site", "cross-site")]));
        assert!(ok(&[("origin", "http://10.0.0.5:8080")]));
        assert!(ok(&[("origin", "https://hall.example")]));
        assert!(!ok(&[("origin", "http://10.0.0.5:9000")]), "another port");
        assert!(
            !ok(&[("origin", "https://10.0.0.5:8080")]),
            "another scheme"
        );
        assert!(!ok(&[("origin", "null")]));
        assert!(
            !ok(&[
                ("origin", "http://10.0.0.5:8080"),
                ("sec-fetch-site", "same-site")
            ]),
            "Sec-Fetch-Site decides when the browser sends it"
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_host_and_scheme_the_browser_used() {
        use axum::extract::ConnectInfo;
        let proxy: std::net::SocketAddr = "10.0.0.2:40000".parse().unwrap();
        let stranger: std::net::SocketAddr = "10.0.0.9:40000".parse().unwrap();
        let guard = Guard::new(TrustedProxies::new([proxy.ip()]), []);
        let from = |peer, origin: &str| {
            let mut req = request(
                Method::POST,
                &[
                    ("origin", origin),
                    ("x-forwarded-host", "hall.example"),
                    ("x-forwarded-proto", "https"),
                ],
            );
            req.extensions_mut().insert(ConnectInfo(peer));
            guard.same_origin(&req).is_ok()
        };
        assert!(from(proxy, "https://hall.example"));
        assert!(
            !from(proxy, "http://hall.example"),
            "the browser used https"
        );
        assert!(
            !from(stranger, "https://hall.example"),
            "only a trusted proxy is believed"
        );
        assert!(
            from(stranger, "http://10.0.0.5:8080"),
            "the Host itself still counts"
        );
    }

    #[test]
    fn only_cookie_changes_websockets_and_sign_ins_are_checked() {
        let cookie = ("cookie", "motcua_session=abc");
        assert!(must_be_ours(&request(Method::POST, &[cookie])));
        assert!(must_be_ours(&request(Method::DELETE, &[cookie])));
        assert!(!must_be_ours(&request(Method::GET, &[cookie])));
        assert!(must_be_ours(&request(
            Method::GET,
            &[cookie, ("upgrade", "websocket")]
        )));
        assert!(!must_be_ours(&request(
            Method::POST,
            &[("authorization", "Bearer x")]
        )));
        assert!(!must_be_ours(&request(
            Method::POST,
            &[("cookie", "other=1")]
        )));
        let sign_in = Request::post("/api/session")
            .body(axum::body::Body::empty())
            .unwrap();
        assert!(must_be_ours(&sign_in));
    }
}
