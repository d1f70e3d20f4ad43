//! (11) What each page weighs: loaded in headless Chromium at its real size (one browser,
//! resized and signed out between pages; a file it has cached still has its entry and its
//! sizes) and brought to its main state, then every file it fetched (Resource Timing's navigation and
//! resource entries; the API's answers and the live feeds are not counted) summed twice: as
//! the browser saw it (`decodedBodySize` raw, `encodedBodySize` over the wire) and as the
//! server sends it to a client that accepts gzip (each same-origin file fetched again here,
//! decompression off), beside what gzip at its best level makes of it (flate2), so the
//! table means something before and after the server compresses. Fonts apart from the rest.
//! The phone page (system fonts, on a citizen's data plan) has a target: < 15 KB gzipped.

use crate::harness::{Bench, Hall};
use crate::pages::until;
use crate::report::Report;
use anyhow::{Context, Result, bail};
use chrono::Utc;
use flate2::Compression;
use flate2::write::GzEncoder;
use motcua_domain::Role;
use motcua_store::clock::ManualClock;
use motcua_tests::TestCity;
use motcua_tests::browser::Browser;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

/// The phone page's target, gzipped, fonts aside (it has none of its own).
const PHONE_TARGET_KB: f64 = 15.0;

#[derive(Deserialize)]
struct Entry {
    name: String,
    #[serde(default)]
    decoded: f64,
    #[serde(default)]
    encoded: f64,
}

/// Some of a page's files, summed: as the browser got them (raw, over the wire), as the
/// server sends them to a client accepting gzip, and gzipped at the best level.
#[derive(Default)]
struct Files {
    files: usize,
    raw: u64,
    wire: u64,
    sent: u64,
    gzip9: u64,
}

/// One page's weight: its fonts apart from the rest.
#[derive(Default)]
struct Weight {
    rest: Files,
    fonts: Files,
    /// The encodings the server answered with (`identity` when none).
    encodings: Vec<String>,
}

pub fn section(
    bench: &Bench,
    report: &mut Report,
    hall: &Hall,
    clerk: (&str, &str),
    manager: (&str, &str),
) -> Result<()> {
    let city = bench
        .server_rt
        .block_on(TestCity::start(ManualClock::starting_at(Utc::now())));
    city.register("Phường Bến Thành");
    let rows = bench.client_rt.block_on(async {
        let mut rows = Vec::new();
        // Each file is fetched again and compressed once, however many pages use it.
        let mut seen = HashMap::new();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        let base = &hall.base;

        let kiosk = format!("{base}/kiosk/?token={}", hall.kiosk);
        let b = Browser::open(1080, 1920).await;
        b.goto(&kiosk).await;
        until(
            &b,
            "the kiosk's start",
            "document.body.dataset.screen === 'start'",
        )
        .await?;
        rows.push((
            "kiosk",
            "1080x1920",
            weigh(&b, &http, base, &mut seen).await?,
        ));

        for (label, size, (w, h), path) in [
            ("display, hall", "1920x1080", (1920, 1080), "/display/"),
            (
                "display, counter",
                "1280x720",
                (1280, 720),
                "/display/?counter=3",
            ),
        ] {
            fresh(&b, w, h).await?;
            b.goto(&format!("{base}{path}")).await;
            until(&b, label, "document.body.dataset.connected === 'true'").await?;
            rows.push((label, size, weigh(&b, &http, base, &mut seen).await?));
        }

        fresh(&b, 1366, 768).await?;
        b.goto(&format!("{base}/counter/")).await;
        until(&b, "the sign-in", "document.body.dataset.view === 'login'").await?;
        rows.push((
            "console, sign-in",
            "1366x768",
            weigh(&b, &http, base, &mut seen).await?,
        ));
        b.open_counter(&format!("{base}/counter/"), clerk.0, clerk.1, 3)
            .await;
        rows.push((
            "console, at work",
            "1366x768",
            weigh(&b, &http, base, &mut seen).await?,
        ));

        fresh(&b, 800, 1280).await?;
        b.goto(&format!("{base}/counter/rating.html?counter=3"))
            .await;
        until(&b, "the tablet", "document.body.dataset.view").await?;
        if b.eval("document.body.dataset.view").await == "login" {
            b.type_into("#login-name", clerk.0).await;
            b.type_into("#login-password", clerk.1).await;
            b.click("button[data-action='login']").await;
        }
        until(
            &b,
            "the tablet idle",
            "document.body.dataset.view === 'idle'",
        )
        .await?;
        rows.push((
            "rating tablet",
            "800x1280",
            weigh(&b, &http, base, &mut seen).await?,
        ));

        fresh(&b, 1440, 900).await?;
        sign_in_page(&b, &format!("{base}/dashboard/"), manager).await?;
        rows.push((
            "dashboard",
            "1440x900",
            weigh(&b, &http, base, &mut seen).await?,
        ));
        // Today in the hall (Vietnam, UTC+7): the day the bench's tickets were issued.
        let day = (Utc::now() + chrono::Duration::hours(7)).format("%Y-%m-%d");
        b.goto(&format!("{base}/dashboard/report.html?day={day}"))
            .await;
        until(
            &b,
            "the daily report",
            "document.body.dataset.state === 'ready'",
        )
        .await?;
        rows.push((
            "daily report",
            "1440x900",
            weigh(&b, &http, base, &mut seen).await?,
        ));

        let ticket: serde_json::Value = http
            .post(format!("{base}/api/tickets"))
            .bearer_auth(&hall.kiosk)
            .json(&json!({"service": "C"}))
            .send()
            .await?
            .json()
            .await?;
        let url = ticket["url"].as_str().context("the ticket's url")?;
        fresh(&b, 390, 844).await?;
        b.goto(url).await;
        until(
            &b,
            "the phone page",
            "document.body.dataset.status === 'waiting'",
        )
        .await?;
        rows.push((
            "phone /t/{token}",
            "390x844",
            weigh(&b, &http, base, &mut seen).await?,
        ));

        let password = "city-boss-bench-pw";
        {
            let conn = motcua_city::store::open_for_admin(city.data_dir())
                .map_err(|e| anyhow::anyhow!("open the city's db: {e}"))?;
            motcua_web::accounts::add_user(&conn, "city-boss", Role::Manager, password, 0)
                .map_err(|e| anyhow::anyhow!("add a city manager: {e:?}"))?;
        }
        fresh(&b, 1440, 900).await?;
        sign_in_page(&b, &format!("{}/", city.base), ("city-boss", password)).await?;
        rows.push((
            "city (collector)",
            "1440x900",
            weigh(&b, &http, &city.base, &mut seen).await?,
        ));
        b.close().await;
        anyhow::Ok(rows)
    })?;
    drop(city);
    print(report, rows);
    Ok(())
}

/// The one browser, to `width` x `height` for the next page (its inner size, as
/// `Browser::open` makes it), signed out of every page.
async fn fresh(b: &Browser, width: u32, height: u32) -> Result<()> {
    b.client.delete_all_cookies().await?;
    b.goto("about:blank").await;
    b.client.set_window_size(width, height).await?;
    let inner = b.eval("[window.innerWidth, window.innerHeight]").await;
    let w = inner[0].as_u64().unwrap_or(u64::from(width)) as u32;
    let h = inner[1].as_u64().unwrap_or(u64::from(height)) as u32;
    b.client
        .set_window_size(
            width + width.saturating_sub(w),
            height + height.saturating_sub(h),
        )
        .await?;
    Ok(())
}

/// Sign in on a page with the usual form (`#login-name`, `#login-password`) until its
/// `dash` view.
async fn sign_in_page(b: &Browser, url: &str, (name, password): (&str, &str)) -> Result<()> {
    b.goto(url).await;
    until(b, "the sign-in", "document.body.dataset.view === 'login'").await?;
    b.type_into("#login-name", name).await;
    b.type_into("#login-password", password).await;
    b.click("button[data-action='login']").await;
    until(b, "the dashboard", "document.body.dataset.view === 'dash'").await
}

/// Wait until the page has loaded everything it asks for (its fonts too, and no new file
/// for 300 ms), then sum its files.
async fn weigh(
    b: &Browser,
    http: &reqwest::Client,
    base: &str,
    seen_before: &mut HashMap<String, Option<Fetched>>,
) -> Result<Weight> {
    until(
        b,
        "the page loaded",
        "document.readyState === 'complete' && document.fonts.status === 'loaded'",
    )
    .await?;
    let count = "performance.getEntriesByType('resource').length";
    let mut seen = b.eval(count).await.as_u64().unwrap_or(0);
    for _ in 0..10 {
        // Pacing while the page may still ask for a file; nothing else to wait on.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let now = b.eval(count).await.as_u64().unwrap_or(0);
        if now == seen {
            break;
        }
        seen = now;
    }
    let entries = b
        .eval(
            "performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
               .map((e) => ({ name: e.name, decoded: e.decodedBodySize, encoded: e.encodedBodySize }))",
        )
        .await;
    let entries: Vec<Entry> = serde_json::from_value(entries)?;
    let mut weight = Weight::default();
    let mut counted = std::collections::HashSet::new();
    for e in entries {
        let Some(path) = e.name.strip_prefix(base) else {
            continue; // not ours (data: URLs never appear)
        };
        let path = path.split('#').next().unwrap_or(path);
        let bare = path.split('?').next().unwrap_or(path);
        if bare.starts_with("/api/") || bare.starts_with("/ws/") || bare == "/healthz" {
            continue;
        }
        if !counted.insert(path.to_owned()) {
            continue;
        }
        let font = bare.starts_with("/fonts/")
            || [".woff2", ".woff", ".ttf", ".otf"]
                .iter()
                .any(|x| bare.ends_with(x));
        let url = format!("{base}{path}");
        let fetched = match seen_before.get(&url) {
            Some(f) => f.clone(),
            None => {
                let f = fetched(http, &url).await?;
                seen_before.insert(url, f.clone());
                f
            }
        };
        // A file the server does not have (the browser's own `/favicon.ico`) is no weight.
        let Some(Fetched {
            sent,
            encoding,
            gzip9,
        }) = fetched
        else {
            continue;
        };
        let part = if font {
            &mut weight.fonts
        } else {
            &mut weight.rest
        };
        part.files += 1;
        part.raw += e.decoded as u64;
        part.wire += e.encoded as u64;
        part.sent += sent;
        part.gzip9 += gzip9;
        if !weight.encodings.contains(&encoding) {
            weight.encodings.push(encoding);
        }
    }
    Ok(weight)
}

/// A file as the server sends it to a client accepting gzip, and gzipped at the best level.
#[derive(Clone)]
struct Fetched {
    sent: u64,
    encoding: String,
    gzip9: u64,
}

async fn fetched(http: &reqwest::Client, url: &str) -> Result<Option<Fetched>> {
    let Some((sent, encoding)) = fetch(http, url, "gzip").await? else {
        return Ok(None);
    };
    let (plain, _) = fetch(http, url, "identity")
        .await?
        .with_context(|| format!("{url} is gone"))?;
    Ok(Some(Fetched {
        sent: sent.len() as u64,
        encoding,
        gzip9: gzip_best(&plain)?,
    }))
}

/// A file's body as the server sends it to a client accepting `encoding` (reqwest here has
/// no decompression), and the answer's Content-Encoding; None when there is no such file.
async fn fetch(
    http: &reqwest::Client,
    url: &str,
    encoding: &str,
) -> Result<Option<(Vec<u8>, String)>> {
    let resp = http
        .get(url)
        .header(reqwest::header::ACCEPT_ENCODING, encoding)
        .send()
        .await?;
    if resp.status() == reqwest::StatusCode::NOT_FOUND {
        return Ok(None);
    }
    if !resp.status().is_success() {
        bail!("GET {url}: {}", resp.status());
    }
    let used = resp
        .headers()
        .get(reqwest::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity")
        .to_owned();
    Ok(Some((resp.bytes().await?.to_vec(), used)))
}

fn gzip_best(bytes: &[u8]) -> Result<u64> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(bytes)?;
    Ok(gz.finish()?.len() as u64)
}

fn kb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1024.0)
}

fn print(report: &mut Report, rows: Vec<(&str, &str, Weight)>) {
    let mut table = Vec::new();
    for (page, size, w) in &rows {
        let phone = page.starts_with("phone");
        let gzipped = w.rest.gzip9 as f64 / 1024.0;
        let verdict = if gzipped < PHONE_TARGET_KB {
            "PASS"
        } else {
            "MISS"
        };
        table.push(vec![
            (*page).to_owned(),
            (*size).to_owned(),
            w.rest.files.to_string(),
            kb(w.rest.raw),
            kb(w.rest.wire),
            kb(w.rest.sent),
            kb(w.rest.gzip9),
            format!(
                "{}: {} / {} / {}",
                w.fonts.files,
                kb(w.fonts.raw),
                kb(w.fonts.sent),
                kb(w.fonts.gzip9)
            ),
            w.encodings.join(", "),
            if phone {
                format!("< 15 KB gzipped: {verdict}")
            } else {
                "-".to_owned()
            },
        ]);
        if phone {
            report.row(
                "11",
                "phone page /t/{token}, gzipped (gzip -9 of every file)",
                format!("{gzipped:.1} KB (sent now {} KB)", kb(w.rest.sent)),
                "< 15 KB",
                Some(gzipped < PHONE_TARGET_KB),
            );
        }
    }
    report.table(
        "(11) page weight, fonts apart; KB = 1,024 bytes (browser: Resource Timing's decoded and \
         encoded body sizes; sent: each file fetched again accepting gzip; gzip -9: flate2 at \
         its best level)",
        &[
            "page",
            "viewport",
            "files",
            "raw KB",
            "browser got KB",
            "server sends KB",
            "gzip -9 KB",
            "fonts: files: raw / sent / gzip -9 KB",
            "encoding sent",
            "target",
        ],
        table,
    );
}
