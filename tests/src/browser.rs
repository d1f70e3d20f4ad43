//! A real headless Chromium for page tests, driven over WebDriver (Debian's `chromium` and
//! `chromium-driver`, installed by `scripts/test`). A missing browser fails the test with
//! the command that installs it; it never skips.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// One browser window of a given size. Dropping it closes the browser.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A headless Chromium window of `width` x `height` CSS pixels.
    pub async fn open(width: u32, height: u32) -> Browser {
        for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            assert!(
                std::path::Path::new(path).exists(),
                "{path} is missing: run ./scripts/test (it installs {package}) or apt-get install {package}"
            );
        }
        // Port 0 is not understood by chromedriver: take a free port from the kernel.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        // In a process group of its own, so the browser it starts goes with it (a test that
        // fails must not leave Chromium running).
        let mut driver = Command::new(CHROMEDRIVER)
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        // chromedriver says when it listens; read up to that line instead of sleeping.
        let stdout = driver.stdout.take().expect("stdout");
        let ready = tokio::task::spawn_blocking(move || {
            let mut lines = BufReader::new(stdout).lines();
            let ok = lines
                .by_ref()
                .map_while(Result::ok)
                .any(|line| line.contains("started successfully"));
            std::thread::spawn(move || for _ in lines {});
            ok
        });
        let ready = tokio::time::timeout(Duration::from_secs(20), ready)
            .await
            .expect("chromedriver started within 20 s")
            .expect("reader");
        assert!(ready, "chromedriver did not start");
        let profile = tempfile::tempdir().expect("profile dir");
        let capabilities = json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                    "--autoplay-policy=no-user-gesture-required", "--hide-scrollbars",
                    "--force-device-scale-factor=1", "--lang=vi-VN",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }
        });
        let capabilities = match capabilities {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("an object literal"),
        };
        // chromedriver listens on plain HTTP on this machine: no TLS.
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a browser session");
        // The window size counts the browser's own frame; grow it so the page itself gets
        // exactly `width` x `height`, as on the kiosk's or the TV's screen.
        client
            .set_window_size(width, height)
            .await
            .expect("window size");
        let inner = client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .expect("viewport");
        let inner_w = inner[0].as_u64().unwrap_or(u64::from(width)) as u32;
        let inner_h = inner[1].as_u64().unwrap_or(u64::from(height)) as u32;
        client
            .set_window_size(
                width + width.saturating_sub(inner_w),
                height + height.saturating_sub(inner_h),
            )
            .await
            .expect("window size");
        Browser {
            client,
            driver,
            _profile: profile,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// Wait (at most 10 s) until `script` (a JS expression) is truthy, the way a person
    /// waits for the page to show something. Returns its value.
    pub async fn wait_for(&self, what: &str, script: &str) -> serde_json::Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let poll = format!(
            "return (function(){{ try {{ return {script}; }} catch (e) {{ return null; }} }})();"
        );
        loop {
            let value = self
                .client
                .execute(&poll, vec![])
                .await
                .expect("script runs");
            let truthy = match &value {
                serde_json::Value::Null | serde_json::Value::Bool(false) => false,
                serde_json::Value::String(s) => !s.is_empty(),
                serde_json::Value::Number(n) => n.as_f64() != Some(0.0),
                _ => true,
            };
            if truthy {
                return value;
            }
            if tokio::time::Instant::now() > deadline {
                let html = self.client.source().await.unwrap_or_default();
                let snippet: String = html.chars().take(2000).collect();
                panic!("waited 10 s for {what} ({script}); the page is:\n{snippet}");
            }
            // The browser needs a moment to run its own scripts; this paces the polling,
            // it does not wait for a server.
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Evaluate a JS expression.
    pub async fn eval(&self, script: &str) -> serde_json::Value {
        self.client
            .execute(&format!("return {script};"), vec![])
            .await
            .expect("script runs")
    }

    /// Sign in to the clerk's console at `url` as `name` and open counter `no`, waiting for
    /// each step the page shows (login, counter choice, work view).
    pub async fn open_counter(&self, url: &str, name: &str, password: &str, no: u16) {
        self.goto(url).await;
        self.wait_for("the login form", "document.body.dataset.view === 'login'")
            .await;
        self.type_into("#login-name", name).await;
        self.type_into("#login-password", password).await;
        self.click("button[data-action='login']").await;
        self.wait_for(
            "the counter choice",
            "document.body.dataset.view === 'choose'",
        )
        .await;
        self.eval(&format!(
            "(function(){{ const s = document.getElementById('counter-select'); s.value = '{no}'; s.dispatchEvent(new Event('change')); return true; }})()"
        ))
        .await;
        self.click("button[data-action='open']").await;
        self.wait_for("the work view", "document.body.dataset.view === 'work'")
            .await;
    }

    /// A paired kiosk's page at `url` (with its `?token=`), on its start screen and connected
    /// to the hall's feed.
    pub async fn open_kiosk(url: &str, width: u32, height: u32) -> Browser {
        let kiosk = Browser::open(width, height).await;
        kiosk.goto(url).await;
        kiosk
            .wait_for(
                "the start screen, connected",
                "document.body.dataset.screen === 'start' && document.body.dataset.connected === 'true'",
            )
            .await;
        kiosk
    }

    /// Type `text` as a USB scanner does (a keyboard that types fast): key presses into the
    /// page, with no field focused, then Enter.
    pub async fn scan(&self, text: &str) {
        self.client
            .find(Locator::Css("body"))
            .await
            .expect("the page")
            .send_keys(&format!("{text}\u{e007}"))
            .await
            .expect("keys");
    }

    /// Click the element matching a CSS selector (waiting until it is there and enabled).
    pub async fn click(&self, css: &str) {
        let escaped = css.replace('\\', "\\\\").replace('\'', "\\'");
        self.wait_for(
            &format!("{css} to be clickable"),
            &format!("(function(e){{ return e && !e.disabled && e.offsetParent !== null; }})(document.querySelector('{escaped}'))"),
        )
        .await;
        self.client
            .find(Locator::Css(css))
            .await
            .expect("element")
            .click()
            .await
            .expect("click");
    }

    /// Tap a button as a finger would. A page that redraws itself when the hall's figures
    /// change (the kiosk's start screen) may replace a button found just before the click:
    /// find it again then, as a person's second look would.
    pub async fn tap(&self, css: &str) {
        for _ in 0..20 {
            self.wait_for(
                &format!("{css} to be clickable"),
                &format!(
                    "(function(e){{ return e && !e.disabled && e.offsetParent !== null; }})(document.querySelector('{}'))",
                    css.replace('\'', "\\'")
                ),
            )
            .await;
            let element = self.client.find(Locator::Css(css)).await.expect("element");
            match element.click().await {
                Ok(()) => return,
                Err(e) if format!("{e:?}").contains("StaleElementReference") => continue,
                Err(e) => panic!("click on {css}: {e:?}"),
            }
        }
        panic!("{css} kept being redrawn under the finger");
    }

    /// The text an element shows (white space collapsed), or "" when there is none.
    pub async fn text(&self, css: &str) -> String {
        let css = css.replace('\'', "\\'");
        self.eval(&format!(
            "(document.querySelector('{css}')?.innerText ?? '').replace(/\\s+/g, ' ').trim()"
        ))
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// axe-core and the 44 px targets on a phone-sized page (the phone's, the booking
    /// page's) as it is, in Vietnamese, then in English after its `#lang` switch (the page's
    /// `lang` follows), then back in Vietnamese; a screenshot of each, named
    /// `a11y-{name}-{vi|en}`.
    pub async fn assert_accessible_in_both_languages(&self, name: &str) {
        self.assert_accessible(&format!("{name}-vi")).await;
        self.assert_touch_targets(&format!("{name}-vi"), 44).await;
        self.screenshot(&format!("a11y-{name}-vi")).await;
        self.click("#lang").await;
        self.wait_for(
            "English",
            "document.documentElement.lang === 'en' && document.getElementById('lang').textContent === 'Tiếng Việt'",
        )
        .await;
        self.assert_accessible(&format!("{name}-en")).await;
        self.assert_touch_targets(&format!("{name}-en"), 44).await;
        self.screenshot(&format!("a11y-{name}-en")).await;
        self.click("#lang").await;
        self.wait_for(
            "Vietnamese",
            "document.documentElement.lang === 'vi' && document.getElementById('lang').textContent === 'English'",
        )
        .await;
    }

    /// Type into an input.
    pub async fn type_into(&self, css: &str, text: &str) {
        let escaped = css.replace('\'', "\\'");
        self.wait_for(
            &format!("{css} to be present"),
            &format!("document.querySelector('{escaped}')"),
        )
        .await;
        let field = self.client.find(Locator::Css(css)).await.expect("element");
        field.clear().await.expect("clear");
        field.send_keys(text).await.expect("type");
    }

    /// Save a screenshot into the test artifacts folder (`target/test-artifacts/`).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = artifacts_dir();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// What axe-core (node_modules/axe-core, installed by the test command) finds against the
    /// WCAG 2.2 A and AA rules on the page as it is now: one line per violation, with its rule,
    /// impact, what it asks and the elements at fault. Empty when the page passes.
    pub async fn axe(&self) -> Vec<String> {
        let source = std::fs::read_to_string(axe_path()).unwrap_or_else(|e| {
            panic!(
                "axe-core is missing ({e}): run the test command (scripts/test), which installs it with npm"
            )
        });
        // Loaded as the script body itself, so the page's Content-Security-Policy (no eval) does
        // not stand in the way; it defines window.axe.
        self.client
            .execute(&format!("{source}\nreturn typeof window.axe;"), vec![])
            .await
            .expect("axe-core loads");
        let found = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
window.axe
  .run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    resultTypes: ['violations'],
  })
  .then((r) => done(r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes
      .slice(0, 5)
      .map((n) => `${n.target.join(' ')} ${n.failureSummary.replace(/\s+/g, ' ')}`)
      .join(' | ')}`)))
  .catch((e) => done([`axe failed: ${e}`]));"#,
                vec![],
            )
            .await
            .expect("axe runs");
        serde_json::from_value(found).expect("axe answers a list")
    }

    /// Check the page as it is now with axe-core ([`Browser::axe`]): panics naming every WCAG
    /// 2.2 AA violation, saving a screenshot `axe-{what}.png` to look at.
    pub async fn assert_accessible(&self, what: &str) {
        let violations = self.axe().await;
        if !violations.is_empty() {
            let shot = self.screenshot(&format!("axe-{what}")).await;
            panic!(
                "axe-core finds {} WCAG 2.2 AA violation(s) on {what} (screenshot {}):\n{}",
                violations.len(),
                shot.display(),
                violations.join("\n")
            );
        }
    }

    /// Every visible thing a finger can press (buttons, links, inputs, selects, `[role=button]`,
    /// `[role=tab]`, `[tabindex]`) smaller than `min` CSS pixels either way, as
    /// "selector-ish WxH 'text'" lines. The kiosk, the tablet and the phone ask 44 px.
    pub async fn small_targets(&self, min: u32) -> Vec<String> {
        let found = self
            .eval(&format!(
                r#"(() => {{
  const min = {min};
  const out = [];
  const sel = 'button, a[href], input:not([type=hidden]), select, textarea, summary, [role=button], [role=tab], [role=link], [tabindex]:not([tabindex="-1"])';
  for (const el of document.querySelectorAll(sel)) {{
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden' || el.closest('[hidden],[inert]')) continue;
    if (r.width + 0.5 < min || r.height + 0.5 < min) {{
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
      out.push(`${{name}} ${{Math.round(r.width)}}x${{Math.round(r.height)}} '${{(el.textContent || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30)}}'`);
    }}
  }}
  return out;
}})()"#
            ))
            .await;
        serde_json::from_value(found).expect("a list")
    }

    /// Check that nothing a finger presses on the page as it is now is under `min` px
    /// ([`Browser::small_targets`]).
    pub async fn assert_touch_targets(&self, what: &str, min: u32) {
        let small = self.small_targets(min).await;
        if !small.is_empty() {
            let shot = self.screenshot(&format!("targets-{what}")).await;
            panic!(
                "{} target(s) under {min} px on {what} (screenshot {}):\n{}",
                small.len(),
                shot.display(),
                small.join("\n")
            );
        }
    }

    /// Lay the page out for paper (`"print"`) or the screen again (`""`), as Chromium does
    /// when printing: `@media print` rules apply, and a screenshot shows what would print.
    pub async fn emulate_media(&self, media: &str) {
        self.client
            .issue_cmd(DevTools {
                cmd: "Emulation.setEmulatedMedia",
                params: json!({ "media": media }),
            })
            .await
            .expect("chromedriver runs the DevTools command");
    }

    /// Close the browser.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        kill_group(&mut self.driver);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill_group(&mut self.driver);
    }
}

/// A Chrome DevTools command sent through chromedriver's own endpoint
/// (`POST /session/{id}/goog/cdp/execute`): what WebDriver itself cannot ask, such as
/// laying a page out for print.
#[derive(Debug)]
struct DevTools {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Kill chromedriver and every browser process it started (its process group), and reap it.
fn kill_group(driver: &mut std::process::Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", driver.id())])
        .stderr(Stdio::null())
        .status();
    let _ = driver.kill();
    let _ = driver.wait();
}

/// axe-core's browser build, from the workspace's npm packages (package.json).
fn axe_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../node_modules/axe-core/axe.min.js")
}

/// Where page tests leave their screenshots for people to look at.
pub fn artifacts_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}
