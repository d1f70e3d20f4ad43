//! (10) What each page weighs on the wire: the page and every script, stylesheet and module
//! it loads (followed from `src`/`href`, `import`, `@import` and `url(...)`), fetched from
//! the hall as a browser asks (`Accept-Encoding: gzip`), counted as sent. Fonts are
//! counted apart: a browser fetches them once for every page, and only those it uses.
//! The phone page's budget is 15 KB gzipped.

use crate::harness::Bench;
use crate::report::Report;
use anyhow::{Result, anyhow, bail};
use reqwest::Url;
use std::collections::BTreeSet;

const PHONE_BUDGET: usize = 15_000;

/// What one page loads, summed.
#[derive(Default)]
struct Weight {
    files: usize,
    raw: usize,
    sent: usize,
    font_files: usize,
    fonts_sent: usize,
}

/// The pages of the hall, by name and address (the phone page's is filled in).
const PAGES: [(&str, &str); 8] = [
    ("home", "/"),
    ("kiosk", "/kiosk/"),
    ("hall TV / counter display", "/display/"),
    ("clerk console", "/counter/"),
    ("rating tablet", "/counter/rating.html"),
    ("dashboard", "/dashboard/"),
    ("daily report", "/dashboard/report.html"),
    ("phone", "/t/"),
];

pub fn section(bench: &Bench, report: &mut Report) -> Result<()> {
    eprintln!("(10) each page's weight on the wire...");
    let hall = bench.start_hall("hall-pages")?;
    let weights = bench.client_rt.block_on(async {
        let http = reqwest::Client::builder().no_gzip().build()?;
        let ticket: serde_json::Value = http
            .post(format!("{}/api/tickets", hall.base))
            .bearer_auth(&hall.kiosk)
            .json(&serde_json::json!({ "service": "A" }))
            .send()
            .await?
            .json()
            .await?;
        let token = ticket["token"]
            .as_str()
            .ok_or_else(|| anyhow!("no token in {ticket}"))?;
        let mut weights = Vec::new();
        for (name, path) in PAGES {
            let path = if path == "/t/" {
                format!("/t/{token}")
            } else {
                path.to_owned()
            };
            let url = Url::parse(&format!("{}{path}", hall.base))?;
            weights.push((name, weigh(&http, url).await?));
        }
        Ok::<_, anyhow::Error>(weights)
    });
    bench.client_rt.block_on(hall.shut_down());
    let weights = weights?;
    let kb = |bytes: usize| format!("{:.1} KB", bytes as f64 / 1000.0);
    let mut rows = Vec::new();
    for (name, w) in &weights {
        rows.push(vec![
            (*name).to_owned(),
            w.files.to_string(),
            kb(w.raw),
            kb(w.sent),
            format!("{} ({})", kb(w.fonts_sent), w.font_files),
        ]);
        if *name == "phone" {
            report.row(
                "10",
                "phone page with its script and styles, gzipped as sent",
                kb(w.sent),
                "< 15 KB",
                Some(w.sent < PHONE_BUDGET),
            );
        }
    }
    report.table(
        "(10) each page's weight on the wire (page, scripts, styles; fonts apart)",
        &["page", "files", "raw", "sent gzipped", "fonts sent (files)"],
        rows,
    );
    Ok(())
}

/// The page at `url` and everything it loads, fetched once each.
async fn weigh(http: &reqwest::Client, url: Url) -> Result<Weight> {
    let mut weight = Weight::default();
    let mut seen = BTreeSet::new();
    let mut todo = vec![url];
    while let Some(url) = todo.pop() {
        if !seen.insert(url.clone()) {
            continue;
        }
        let resp = http
            .get(url.clone())
            .header("accept-encoding", "gzip, deflate, br")
            .send()
            .await?;
        if !resp.status().is_success() {
            bail!("{url}: {}", resp.status());
        }
        let gzipped = resp
            .headers()
            .get("content-encoding")
            .is_some_and(|v| v == "gzip");
        let sent = resp.bytes().await?.to_vec();
        let raw = if gzipped {
            gunzip(&sent)?
        } else {
            sent.clone()
        };
        if url.path().starts_with("/fonts/") {
            weight.font_files += 1;
            weight.fonts_sent += sent.len();
            continue;
        }
        weight.files += 1;
        weight.raw += raw.len();
        weight.sent += sent.len();
        let text = String::from_utf8_lossy(&raw);
        for link in links(&text) {
            if let Ok(next) = url.join(&link)
                && next.origin() == url.origin()
            {
                let mut next = next;
                next.set_fragment(None);
                next.set_query(None);
                todo.push(next);
            }
        }
    }
    Ok(weight)
}

/// What a page, a script or a stylesheet loads: the files named by `src="…"`, `href="…"`,
/// `from "…"`, `import "…"`, `@import "…"` and `url(…)`.
fn links(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for opener in ["src=", "href=", "from", "import", "url("] {
        let mut rest = text;
        while let Some(at) = rest.find(opener) {
            rest = &rest[at + opener.len()..];
            let trimmed = rest.trim_start();
            let Some(quote) = trimmed.chars().next() else {
                break;
            };
            let inner = if quote == '"' || quote == '\'' || quote == '`' {
                trimmed[1..].split(quote).next()
            } else if opener == "url(" {
                trimmed.split(')').next()
            } else {
                None
            };
            if let Some(link) = inner.map(str::trim)
                && !link.is_empty()
                && !link.starts_with('#')
                && !link.starts_with("data:")
                && !link.contains("${")
                && looks_like_file(link)
                // A link to a document (the API's description, say) is not loaded.
                && (opener != "href=" || link.ends_with(".css") || link.ends_with(".js"))
            {
                found.push(link.to_owned());
            }
        }
    }
    found
}

/// A link to a file the page loads (not a page it links to).
fn looks_like_file(link: &str) -> bool {
    let path = link.split(['?', '#']).next().unwrap_or_default();
    [
        ".js", ".mjs", ".css", ".ttf", ".woff2", ".svg", ".png", ".json",
    ]
    .iter()
    .any(|ext| path.ends_with(ext))
}

fn gunzip(bytes: &[u8]) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}
