//! The pages as both servers send them: every file of every embedded folder, found by
//! walking the folders on disk (so a file added later is covered), fetched over real HTTP
//! with automatic decompression off, so the bytes on the wire are what is checked.
//!
//! For each file: the raw bytes without `Accept-Encoding` and with `gzip;q=0`; gzip when
//! asked (wherever gzip at the best level is smaller), decompressing to exactly the file;
//! the type it always had; a strong ETag, the same on every request; `If-None-Match` with
//! it (strong, weak, in a list, `*`) a 304 without a body; another ETag a 200; `Vary:
//! Accept-Encoding` and `no-cache` on every answer; HEAD with the length and no body.

use motcua_domain::DeviceKind;
use motcua_store::clock::ManualClock;
use motcua_tests::{TestCity, TestHall, opening_time};
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG,
    HeaderMap, IF_NONE_MATCH, VARY,
};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// What a browser sends.
const BROWSER: &str = "gzip, deflate, br, zstd";

/// The repository's root (the page folders are there).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the repository")
        .to_path_buf()
}

/// Every file under `dir`, relative, `/` between folders.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, at: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(at).expect("read the folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(root, &path, found);
            } else {
                let relative = path.strip_prefix(root).expect("inside");
                let parts: Vec<&str> = relative
                    .components()
                    .map(|c| c.as_os_str().to_str().expect("a UTF-8 name"))
                    .collect();
                found.push(parts.join("/"));
            }
        }
    }
    let mut found = Vec::new();
    walk(dir, dir, &mut found);
    found.sort();
    assert!(!found.is_empty(), "{} has no files", dir.display());
    found
}

/// Each file of `folder` at `prefix` + its path.
fn folder(prefix: &str, folder: &str) -> Vec<(String, PathBuf)> {
    let dir = root().join(folder);
    files_under(&dir)
        .into_iter()
        .map(|path| (format!("{prefix}{path}"), dir.join(path)))
        .collect()
}

/// The type each kind of file has always been sent with.
fn expected_type(file: &Path) -> &'static str {
    match file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default()
    {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "ttf" => "font/ttf",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "json" => "application/json",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("a gzip stream");
    out
}

fn header<'a>(headers: &'a HeaderMap, name: &reqwest::header::HeaderName) -> &'a str {
    headers
        .get(name)
        .map(|v| v.to_str().expect("a readable header"))
        .unwrap_or_default()
}

/// Whether the answer says it depends on `Accept-Encoding`.
fn varies(headers: &HeaderMap) -> bool {
    headers
        .get_all(VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("accept-encoding"))
}

/// Automatic decompression off: the test sees the bytes on the wire.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_gzip()
        .build()
        .expect("a client")
}

/// A GET or HEAD with these headers: status, headers, body.
async fn get(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    asks: &[(reqwest::header::HeaderName, &str)],
) -> (u16, HeaderMap, Vec<u8>) {
    let mut request = http.request(method, url);
    for (name, value) in asks {
        request = request.header(name, *value);
    }
    let resp = request.send().await.expect("request");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.bytes().await.expect("body").to_vec();
    (status, headers, body)
}

/// Everything this file says for one served file.
async fn check(http: &reqwest::Client, base: &str, path: &str, file: &Path) {
    let url = format!("{base}{path}");
    let on_disk = if path == "/phone/phone.js" {
        // The phone's script is served joined with the kit modules it imports, made from the
        // files on disk when the hall is built.
        let entry = std::fs::read_to_string(file).expect("the file");
        let kit = file.parent().expect("phone-web").join("../shared-web");
        motcua_pack::join::join(&entry, kit.as_path())
            .expect("the phone's script joins")
            .into_bytes()
    } else {
        std::fs::read(file).expect("the file")
    };
    let what = format!("{path} ({})", file.display());
    let plain = reqwest::Method::GET;

    // Raw, without Accept-Encoding.
    let (status, raw, body) = get(http, plain.clone(), &url, &[]).await;
    assert_eq!(status, 200, "{what}");
    assert_eq!(header(&raw, &CONTENT_TYPE), expected_type(file), "{what}");
    assert!(body == on_disk, "{what}: the raw bytes differ");
    assert_eq!(header(&raw, &CONTENT_ENCODING), "", "{what}");
    assert_eq!(header(&raw, &CONTENT_LENGTH), on_disk.len().to_string());
    assert_eq!(header(&raw, &CACHE_CONTROL), "no-cache", "{what}");
    assert!(varies(&raw), "{what}: Vary {:?}", raw.get(VARY));
    let etag = header(&raw, &ETAG).to_owned();
    assert!(
        etag.len() > 2 && etag.starts_with('"') && etag.ends_with('"'),
        "{what}: a strong ETag, not {etag:?}"
    );

    // gzip;q=0 is a no.
    let (_, refused, body) = get(
        http,
        plain.clone(),
        &url,
        &[(ACCEPT_ENCODING, "gzip;q=0, identity")],
    )
    .await;
    assert!(body == on_disk, "{what}: gzip;q=0 gets the raw bytes");
    assert_eq!(header(&refused, &CONTENT_ENCODING), "", "{what}");
    assert_eq!(header(&refused, &ETAG), etag, "{what}");

    // gzip when asked, wherever it is smaller.
    let (status, zipped, body) =
        get(http, plain.clone(), &url, &[(ACCEPT_ENCODING, BROWSER)]).await;
    assert_eq!(status, 200, "{what}");
    assert_eq!(
        header(&zipped, &CONTENT_TYPE),
        expected_type(file),
        "{what}"
    );
    assert_eq!(header(&zipped, &CONTENT_LENGTH), body.len().to_string());
    assert!(varies(&zipped), "{what}");
    assert_eq!(header(&zipped, &CACHE_CONTROL), "no-cache", "{what}");
    let zipped_etag = header(&zipped, &ETAG).to_owned();
    if gzip(&on_disk).len() < on_disk.len() {
        assert_eq!(header(&zipped, &CONTENT_ENCODING), "gzip", "{what}");
        assert!(gunzip(&body) == on_disk, "{what}: the gzipped bytes differ");
        assert!(body.len() < on_disk.len(), "{what}");
        assert_ne!(zipped_etag, etag, "{what}: each encoding its own ETag");
    } else {
        assert!(body == on_disk, "{what}: not smaller gzipped, sent raw");
        assert_eq!(zipped_etag, etag, "{what}");
    }
    // `*` allows gzip too.
    let (_, starred, _) = get(http, plain.clone(), &url, &[(ACCEPT_ENCODING, "*")]).await;
    assert_eq!(
        header(&starred, &ETAG),
        zipped_etag,
        "{what}: * allows gzip"
    );

    // Stable: asked again, the same ETags.
    let (_, again, _) = get(http, plain.clone(), &url, &[]).await;
    assert_eq!(header(&again, &ETAG), etag, "{what}: the ETag is stable");

    // Revalidation: the ETag it has, as it may be written, is a 304 without a body.
    for (encoding, tag) in [("identity", &etag), (BROWSER, &zipped_etag)] {
        for names in [
            tag.to_string(),
            format!("W/{tag}"),
            format!("\"elsewhere\", {tag}"),
            "*".to_owned(),
        ] {
            let (status, headers, body) = get(
                http,
                plain.clone(),
                &url,
                &[(ACCEPT_ENCODING, encoding), (IF_NONE_MATCH, &names)],
            )
            .await;
            assert_eq!(status, 304, "{what}: If-None-Match {names} ({encoding})");
            assert!(body.is_empty(), "{what}: a 304 has no body");
            assert_eq!(header(&headers, &ETAG), tag.as_str(), "{what}");
            assert_eq!(header(&headers, &CACHE_CONTROL), "no-cache", "{what}");
        }
    }
    // Another version's ETag: the file again.
    let changed = format!("\"{}0\"", etag.trim_matches('"'));
    let (status, _, body) = get(http, plain.clone(), &url, &[(IF_NONE_MATCH, &changed)]).await;
    assert_eq!(status, 200, "{what}: a changed ETag gets the file");
    assert!(body == on_disk, "{what}: the bytes differ");

    // HEAD: the same headers, no body.
    let (status, head, body) = get(
        http,
        reqwest::Method::HEAD,
        &url,
        &[(ACCEPT_ENCODING, BROWSER)],
    )
    .await;
    assert_eq!(status, 200, "{what}: HEAD");
    assert!(body.is_empty(), "{what}: HEAD has no body");
    assert_eq!(header(&head, &ETAG), zipped_etag, "{what}: HEAD");
    assert_eq!(
        header(&head, &CONTENT_LENGTH),
        header(&zipped, &CONTENT_LENGTH),
        "{what}: HEAD"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hall_page_file_is_served_gzipped_with_its_etag_and_revalidates_to_304() {
    let hall = TestHall::start().await;
    let ticket = hall
        .device("kiosk-1", DeviceKind::Kiosk)
        .issue("A", "none")
        .await;
    let token = ticket["token"].as_str().expect("a token");
    let mut served = Vec::new();
    for (prefix, dir) in [
        ("/kiosk/", "kiosk-web"),
        ("/display/", "display-web"),
        ("/counter/", "counter-web"),
        ("/book/", "book-web"),
        ("/dashboard/", "dashboard-web"),
        ("/shared/", "shared-web"),
    ] {
        served.extend(folder(prefix, dir));
        // The folder's own address is its index page.
        served.push((prefix.to_owned(), root().join(dir).join("index.html")));
    }
    served.retain(|(_, file)| file.exists());
    // The phone page is only ever `/t/{token}`; its script and styles are under /phone/.
    for (path, file) in folder("/phone/", "phone-web") {
        if path == "/phone/index.html" {
            served.push((format!("/t/{token}"), file));
        } else {
            served.push((path, file));
        }
    }
    let home = root().join("server/hall/src/http");
    served.push(("/".to_owned(), home.join("home.html")));
    served.push(("/home.css".to_owned(), home.join("home.css")));

    let http = client();
    for (path, file) in &served {
        check(&http, &hall.base, path, file).await;
    }
    // The friendly 404s stay.
    for path in ["/kiosk/nothing.js", "/t/00000000000000000000000000000000"] {
        let (status, headers, _) = get(&http, reqwest::Method::GET, &hall.url(path), &[]).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(header(&headers, &CONTENT_TYPE), "text/html; charset=utf-8");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_city_page_file_is_served_gzipped_with_its_etag_and_revalidates_to_304() {
    let city = TestCity::start(ManualClock::starting_at(opening_time())).await;
    let mut served = folder("/city/", "city-web");
    served.push(("/city/".to_owned(), root().join("city-web/index.html")));
    served.extend(folder("/shared/", "shared-web"));
    // The hall dashboard's modules the city's page reuses, at /dashboard/ as on the hall.
    let dashboard = root().join("dashboard-web");
    for path in files_under(&dashboard) {
        let reused = [
            "charts.js",
            "controls.js",
            "figures.css",
            "format.js",
            "history.js",
            "screen.css",
            "signin.js",
            "strings.js",
        ]
        .contains(&path.as_str())
            || path.starts_with("vendor/uplot/");
        if reused {
            served.push((format!("/dashboard/{path}"), dashboard.join(&path)));
        }
    }
    let http = client();
    for (path, file) in &served {
        check(&http, &city.base, path, file).await;
    }
}
