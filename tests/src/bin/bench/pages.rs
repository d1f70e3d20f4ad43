//! (10) The pages in headless Chromium, each at its real size, on a hall served in this
//! process: from a real input event (chromedriver's element click: pointer events, then the
//! click, as a person's) to the next painted frame, and from a frame pushed by the server to
//! the frame that shows it. Then (11), each page's weight (`page_weight.rs`).
//!
//! Times are taken inside the page by a probe (`page_probe.js`): a click's `timeStamp` is its
//! input event's time; "painted" is the end of the next frame's rendering on the main thread
//! after the change (a message posted from `requestAnimationFrame`); a pushed frame's arrival
//! is its `MessageEvent`'s time. Chromium's own Event Timing (`duration`: input to the next
//! frame presented, reported only from 16 ms) is printed beside the click figures.
//!
//! Measured: the kiosk (tap a field -> the priority question; tap "no" -> the ticket from the
//! server; tap "I have my number" -> the start screen again), the clerk's console (Next: the
//! click's own frame, and the called ticket from the server's answer), the hall TV (a call
//! pushed by the server -> painted; and from the clerk's request in this process), both with
//! 50 and with 400 tickets waiting, and the citizen's phone (its place in the queue pushed ->
//! painted).

use crate::harness::{Bench, Clerk, Hall, fill, issue};
use crate::page_table::{Series, print};
use crate::page_weight;
use crate::report::Report;
use anyhow::{Context, Result, anyhow, bail};
use fantoccini::Locator;
use motcua_domain::Role;
use motcua_tests::browser::Browser;
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Tickets taken at the kiosk (three taps each).
const KIOSK_TICKETS: usize = 67;
/// Next pressed on the console; calls pushed to the TV; places pushed to a phone.
const CONSOLE_CALLS: usize = 200;
const TV_CALLS: usize = 200;
const PHONE_CALLS: usize = 200;
/// Tickets waiting in field A while the console and the TV are timed (a busy morning), kept
/// by a new ticket after each call; then again with a long queue (8 a.m. on a land-registry
/// day: the console shows the head of it, the TV counts per field).
const QUEUE: usize = 50;
const LONG_QUEUE: usize = 400;

const PROBE: &str = include_str!("page_probe.js");

pub fn section(bench: &Bench, report: &mut Report) -> Result<()> {
    eprintln!("(10) pages in Chromium: click to painted...");
    let started = Instant::now();
    let load_before = load_average();
    let hall = bench.start_hall("hall-pages")?;
    let lan = hall.add_staff("lan", Role::Clerk)?;
    let mai = hall.add_staff("mai", Role::Clerk)?;
    let boss = hall.add_staff("boss", Role::Manager)?;
    let (series, phases) = bench.client_rt.block_on(async {
        let mut all = Vec::new();
        let mut phases = Vec::new();
        let mut lap = Instant::now();
        let mut took = |what: &str| {
            phases.push(format!("{what} {:.1} s", lap.elapsed().as_secs_f64()));
            lap = Instant::now();
        };
        // clerk2 keeps counter 2 (fields B and E) open, so the kiosk offers field B.
        let _clerk2 = Clerk::sign_in(&hall, 1, 2).await?;
        all.extend(kiosk(&hall).await?);
        took("kiosk");
        let lan_api = sign_in(&hall, "lan", &lan).await?;
        fill(&bench.http, &hall, &["A"], QUEUE, Duration::from_secs(60)).await?;
        all.extend(console(bench, &hall, &lan, &lan_api, "console 1366x768, 50 waiting").await?);
        took("console");
        all.extend(tv(bench, &hall, &lan_api, "hall TV 1920x1080, 50 waiting").await?);
        took("TV");
        let more = LONG_QUEUE - QUEUE;
        fill(&bench.http, &hall, &["A"], more, Duration::from_secs(60)).await?;
        all.extend(
            console(
                bench,
                &hall,
                &lan,
                &lan_api,
                "console 1366x768, 400 waiting",
            )
            .await?,
        );
        took("console (400)");
        all.extend(tv(bench, &hall, &lan_api, "hall TV 1920x1080, 400 waiting").await?);
        took("TV (400)");
        all.push(phone(bench, &hall, &lan_api).await?);
        took("phone");
        anyhow::Ok((all, phases.join(", ")))
    })?;
    print(report, series);
    report.note(format!(
        "(10) click to painted: {:.1} s ({phases}); the machine's load average {load_before} \
         before, {} after (Chromium shares the cores with the hall and whatever else runs)",
        started.elapsed().as_secs_f64(),
        load_average()
    ));
    let started = Instant::now();
    eprintln!("(11) pages in Chromium: weight...");
    page_weight::section(bench, report, &hall, ("mai", &mai), ("boss", &boss))?;
    report.note(format!(
        "(11) page weights: {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    bench.client_rt.block_on(hall.shut_down());
    Ok(())
}

/// The machine's one-minute load average (`/proc/loadavg`), as text.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

/// A signed-in clerk's or manager's HTTP client (cookies kept).
async fn sign_in(hall: &Hall, name: &str, password: &str) -> Result<reqwest::Client> {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(10))
        .build()?;
    let resp = http
        .post(format!("{}/api/session", hall.base))
        .json(&json!({"name": name, "password": password}))
        .send()
        .await?;
    if resp.status() != 200 {
        bail!("sign in {name}: {}", resp.status());
    }
    Ok(http)
}

/// Run the probe in the page (again after each navigation).
async fn probe(b: &Browser) -> Result<()> {
    b.client.execute(PROBE, vec![]).await?;
    Ok(())
}

/// Resolve when `test` (a JS expression) holds, checked on every DOM change; fails after
/// 10 s. The page's own work is not disturbed by polling.
pub async fn until(b: &Browser, what: &str, test: &str) -> Result<()> {
    until_then(b, what, test, "true").await
}

/// [`until`], then run `then` (a JS expression) in the page, in the same round trip.
async fn until_then(b: &Browser, what: &str, test: &str, then: &str) -> Result<()> {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const ok = () => {{ try {{ return !!({test}); }} catch (_) {{ return false; }} }};
         if (ok()) {{ {then}; return done(true); }}
         const timer = setTimeout(() => {{ mo.disconnect(); done(false); }}, 10000);
         const mo = new MutationObserver(() => {{
           if (ok()) {{ mo.disconnect(); clearTimeout(timer); {then}; done(true); }}
         }});
         mo.observe(document, {{ subtree: true, childList: true, attributes: true, characterData: true }});"
    );
    match b.client.execute_async(&script, vec![]).await? {
        Value::Bool(true) => Ok(()),
        _ => bail!("waited 10 s for {what} ({test})"),
    }
}

#[derive(Deserialize)]
struct Clicked {
    /// The click's input time, its own next frame, and the frame showing `test`.
    t0: f64,
    local: f64,
    painted: f64,
    /// The round trip of the request the click made (sent to answer read), if any.
    request: Option<f64>,
}

/// Once `ready` (a JS expression) holds, click `css` with a real (WebDriver) click and time
/// it: the frame after the click, and the first frame after `test` (a JS expression) holds.
async fn click_until(b: &Browser, ready: &str, css: &str, test: &str) -> Result<Clicked> {
    until_then(
        b,
        &format!("{css} ready"),
        ready,
        &format!("window.__bench.arm(() => ({test}))"),
    )
    .await?;
    // A live update may redraw the screen between finding the button and clicking it (a
    // stale element, never clicked): find it again.
    let mut tries = 0;
    loop {
        let clicked = match b.client.find(Locator::Css(css)).await {
            Ok(button) => button.click().await,
            Err(e) => Err(e),
        };
        match clicked {
            Ok(()) => break,
            Err(e) if tries < 5 && e.to_string().contains("stale") => tries += 1,
            Err(e) => return Err(e.into()),
        }
    }
    let wait = "const done = arguments[arguments.length - 1];
        const B = window.__bench;
        const timer = setTimeout(() => done(null), 10000);
        Promise.all([B.wait, B.click]).then(([painted, c]) => {
          clearTimeout(timer);
          // The page's own request after the click, if any: its round trip (Resource Timing).
          const api = performance.getEntriesByType('resource')
            .find((e) => e.initiatorType === 'fetch' && e.name.includes('/api/') && e.startTime >= c.t0);
          performance.clearResourceTimings();
          done({ t0: c.t0, local: c.local, painted, request: api ? api.responseEnd - api.startTime : null });
        });";
    let value = b.client.execute_async(wait, vec![]).await?;
    if value.is_null() {
        bail!("clicked {css}; waited 10 s for {test}");
    }
    Ok(serde_json::from_value(value)?)
}

/// Chromium's Event Timing entries of the page's clicks (16 ms and more).
async fn event_timing(b: &Browser, series: &mut [&mut Series]) -> Result<()> {
    // Entries are delivered after their frame is presented: give the last one a frame.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let et = b
        .client
        .execute(
            "return window.__bench.et && window.__bench.et.filter((e) => e.name === 'click');",
            vec![],
        )
        .await?;
    let Value::Array(entries) = et else {
        return Ok(());
    };
    let entries: Vec<(f64, f64)> = entries
        .iter()
        .filter_map(|e| Some((e["start"].as_f64()?, e["duration"].as_f64()?)))
        .collect();
    for s in series.iter_mut() {
        let matched = s
            .clicks
            .iter()
            .filter_map(|t0| {
                entries
                    .iter()
                    .find(|(start, _)| (start - t0).abs() < 0.5)
                    .map(|(_, d)| *d)
            })
            .collect();
        s.event_timing = Some(matched);
    }
    Ok(())
}

fn epoch_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1e3)
        .unwrap_or(0.0)
}

/// The kiosk, portrait: field B, "no" (the regular number, from the server), then "I have my
/// number" back to the start.
async fn kiosk(hall: &Hall) -> Result<Vec<Series>> {
    let b = Browser::open(1080, 1920).await;
    b.goto(&format!("{}/kiosk/?token={}", hall.base, hall.kiosk))
        .await;
    until(
        &b,
        "the start screen with field B open",
        "document.body.dataset.screen === 'start' && !document.querySelector(\"button[data-field='B']\").disabled",
    )
    .await?;
    probe(&b).await?;
    let mut field = Series::new("kiosk 1080x1920", "tap a field -> the next screen");
    let mut local = Series::new("kiosk 1080x1920", "tap 'no' -> its own frame");
    let mut ticket = Series::new("kiosk 1080x1920", "tap 'no' -> the ticket (server)");
    let mut issue = Series::new("kiosk 1080x1920", "  of which its request's round trip");
    let mut done = Series::new("kiosk 1080x1920", "tap 'done' -> the start screen");
    for _ in 0..KIOSK_TICKETS {
        let c = click_until(
            &b,
            "true",
            "button[data-field='B']",
            "document.body.dataset.screen === 'priority'",
        )
        .await?;
        field.samples.push(c.painted - c.t0);
        field.clicks.push(c.t0);
        let c = click_until(
            &b,
            "true",
            "button[data-priority='none']",
            "document.body.dataset.screen === 'ticket' && document.getElementById('ticket-code').textContent.trim()",
        )
        .await?;
        local.samples.push(c.local - c.t0);
        local.clicks.push(c.t0);
        ticket.samples.push(c.painted - c.t0);
        issue.samples.extend(c.request);
        let c = click_until(
            &b,
            "true",
            "button[data-action='done']",
            "document.body.dataset.screen === 'start'",
        )
        .await?;
        done.samples.push(c.painted - c.t0);
        done.clicks.push(c.t0);
    }
    event_timing(&b, &mut [&mut field, &mut local, &mut done]).await?;
    b.close().await;
    Ok(vec![field, local, ticket, issue, done])
}

/// The clerk's console at 1366x768 on counter 1, with the tickets waiting now (`page` says
/// how many): Next, its own frame and the called ticket. The API (the same clerk) serves
/// each ticket, which frees the counter for the next, and a citizen takes a new one.
async fn console(
    bench: &Bench,
    hall: &Hall,
    password: &str,
    api: &reqwest::Client,
    page: &'static str,
) -> Result<Vec<Series>> {
    let b = Browser::open(1366, 768).await;
    b.goto(&format!("{}/counter/", hall.base)).await;
    until(
        &b,
        "the login form",
        "document.body.dataset.view === 'login'",
    )
    .await?;
    b.type_into("#login-name", "lan").await;
    b.type_into("#login-password", password).await;
    b.click("button[data-action='login']").await;
    // The second time, lan still holds counter 1: signing in goes straight back to it.
    let signed_in = "['choose', 'work'].includes(document.body.dataset.view)";
    until(&b, "signed in", signed_in).await?;
    if b.eval("document.body.dataset.view").await == "choose" {
        b.eval("(function(){ const s = document.getElementById('counter-select'); s.value = '1'; s.dispatchEvent(new Event('change')); return true; })()")
            .await;
        b.click("button[data-action='open']").await;
    }
    until(&b, "the work view", "document.body.dataset.view === 'work'").await?;
    probe(&b).await?;
    let mut own = Series::new(page, "click Next -> its own frame");
    let mut called = Series::new(page, "click Next -> the call (server)");
    let mut request = Series::new(page, "  of which its request's round trip");
    let free = "document.getElementById('current-code').textContent.trim() === '—' \
        && !document.querySelector(\"button[data-action='next']\").disabled";
    for _ in 0..CONSOLE_CALLS {
        let c = click_until(
            &b,
            free,
            "button[data-action='next']",
            "(t => t && t !== '—')(document.getElementById('current-code').textContent.trim())",
        )
        .await?;
        own.samples.push(c.local - c.t0);
        own.clicks.push(c.t0);
        called.samples.push(c.painted - c.t0);
        request.samples.extend(c.request);
        let counter: Value = api
            .get(format!("{}/api/counters/1", hall.base))
            .send()
            .await?
            .json()
            .await?;
        let id = counter["counter"]["current"]["id"]
            .as_i64()
            .ok_or_else(|| anyhow!("no current ticket at counter 1: {counter}"))?;
        serve(hall, api, id).await?;
        arrive(bench, hall).await?;
    }
    event_timing(&b, &mut [&mut own]).await?;
    b.close().await;
    Ok(vec![own, called, request])
}

/// A citizen takes a ticket in field A at the kiosk (through the API): the queue keeps its
/// length while the clerk calls.
async fn arrive(bench: &Bench, hall: &Hall) -> Result<()> {
    let url = format!("{}/api/tickets", hall.base);
    if !issue(&bench.http, &url, &hall.kiosk, "A").await? {
        bail!("the kiosk's ticket in A was refused");
    }
    Ok(())
}

/// Start and finish ticket `id` (the counter is free again).
async fn serve(hall: &Hall, api: &reqwest::Client, id: i64) -> Result<()> {
    for action in ["start", "finish"] {
        let resp = api
            .post(format!("{}/api/tickets/{id}/{action}", hall.base))
            .send()
            .await?;
        if resp.status() != 200 {
            bail!("{action} {id}: {}", resp.status());
        }
    }
    Ok(())
}

#[derive(Deserialize)]
struct Pushed {
    arrived: f64,
    painted: f64,
    /// `performance.timeOrigin`: page times plus this are milliseconds since the epoch.
    origin: f64,
}

/// Wait (10 s at most) for the pushed frame keyed `key` to be painted.
async fn pushed(b: &Browser, key: &str) -> Result<Pushed> {
    let script = "const done = arguments[arguments.length - 1];
        const timer = setTimeout(() => done(null), 10000);
        window.__bench.push(arguments[0]).promise.then((p) => { clearTimeout(timer); done(p); });";
    let value = b.client.execute_async(script, vec![json!(key)]).await?;
    if value.is_null() {
        bail!("waited 10 s for the pushed frame {key} to be painted");
    }
    Ok(serde_json::from_value(value)?)
}

/// Call the next ticket at counter 1: its id and code.
async fn call_next(hall: &Hall, api: &reqwest::Client) -> Result<(i64, String)> {
    let resp = api
        .post(format!("{}/api/counters/1/call-next", hall.base))
        .send()
        .await?;
    if resp.status() != 200 {
        bail!("call-next: {}", resp.status());
    }
    let body: Value = resp.json().await?;
    let id = body["id"].as_i64().context("the called id")?;
    let code = body["code"].as_str().context("the called code")?.to_owned();
    Ok((id, code))
}

/// The hall TV at 1920x1080: each call from its frame's arrival to the call painted, and
/// from the clerk's request (sent from this process) to the call painted.
async fn tv(
    bench: &Bench,
    hall: &Hall,
    api: &reqwest::Client,
    page: &'static str,
) -> Result<Vec<Series>> {
    let b = Browser::open(1920, 1080).await;
    b.goto(&format!("{}/display/", hall.base)).await;
    until(
        &b,
        "the TV online",
        "document.body.dataset.connected === 'true'",
    )
    .await?;
    probe(&b).await?;
    b.client
        .execute(
            "window.__bench.onSocket = (d, at) => {
               if (!d.includes('\"called\"')) return;
               const f = JSON.parse(d);
               if (f.type !== 'event' || f.kind !== 'called' || !f.ticket) return;
               const code = f.ticket.code;
               window.__bench.track(code, at,
                 () => document.getElementById('latest-code').textContent.trim() === code);
             }; return true;",
            vec![],
        )
        .await?;
    let mut arrived = Series::new(page, "call pushed -> painted");
    let mut requested = Vec::new();
    for _ in 0..TV_CALLS {
        let sent = epoch_ms();
        let (id, code) = call_next(hall, api).await?;
        let p = pushed(&b, &code).await?;
        arrived.samples.push(p.painted - p.arrived);
        requested.push(p.origin + p.painted - sent);
        serve(hall, api, id).await?;
        arrive(bench, hall).await?;
    }
    b.close().await;
    let mut from_request = Series::new(page, "clerk's request -> painted");
    from_request.samples = requested;
    Ok(vec![arrived, from_request])
}

/// A citizen's phone at 390x844 following a ticket with many ahead: each call ahead of it
/// pushes its new place, timed from the frame's arrival to the place painted.
async fn phone(bench: &Bench, hall: &Hall, api: &reqwest::Client) -> Result<Series> {
    fill(
        &bench.http,
        hall,
        &["A"],
        PHONE_CALLS + 10,
        Duration::from_secs(60),
    )
    .await?;
    let resp = bench
        .http
        .post(format!("{}/api/tickets", hall.base))
        .bearer_auth(&hall.kiosk)
        .json(&json!({"service": "A"}))
        .send()
        .await?;
    let ticket: Value = resp.json().await?;
    let url = ticket["url"].as_str().context("the ticket's url")?;
    let b = Browser::open(390, 844).await;
    b.goto(url).await;
    until(
        &b,
        "the phone's place",
        "document.body.dataset.status === 'waiting' && /^[0-9]+$/.test(document.getElementById('ahead').textContent.trim())",
    )
    .await?;
    probe(&b).await?;
    b.client
        .execute(
            "window.__bench.onSocket = (d, at) => {
               const f = JSON.parse(d);
               if (f.type === 'snapshot' || !f.ticket || f.ticket.ahead == null) return;
               const want = String(f.ticket.ahead);
               window.__bench.track('ahead-' + want, at,
                 () => document.getElementById('ahead').textContent.trim() === want);
             }; return true;",
            vec![],
        )
        .await?;
    let first = b
        .eval("Number(document.getElementById('ahead').textContent.trim())")
        .await
        .as_u64()
        .context("the phone's place")?;
    let mut series = Series::new("phone 390x844", "place pushed -> painted");
    for k in 1..=PHONE_CALLS.min(first as usize) {
        let (id, _) = call_next(hall, api).await?;
        let p = pushed(&b, &format!("ahead-{}", first as usize - k)).await?;
        series.samples.push(p.painted - p.arrived);
        serve(hall, api, id).await?;
    }
    b.close().await;
    Ok(series)
}
