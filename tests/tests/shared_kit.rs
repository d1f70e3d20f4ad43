//! The front-end kit every page uses (`shared-web/`, served at `/shared/`), driven in a real
//! Chromium against the real hall: the live feed's backoff, its snapshot-then-events rule and
//! its return after the hall restarts.

use motcua_domain::DeviceKind;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;

/// Run `body` (which may `await`) in the page with the kit's module `m` imported; answers what
/// it returns.
async fn with_module(browser: &Browser, module: &str, body: &str) -> serde_json::Value {
    browser
        .eval(&format!(
            "(async () => {{ const m = await import('/shared/{module}'); {body} }})()"
        ))
        .await
}

/// The feed waits 0.5 s before its first new attempt, doubling, never more than 10 s (the
/// README's promise; the console's own feed used to stop at 5 s), with jitter so a hall's
/// screens do not all knock at the same instant after a restart.
#[tokio::test]
async fn the_feed_backs_off_to_ten_seconds_with_jitter() {
    let hall = TestHall::start().await;
    let browser = Browser::open(800, 600).await;
    browser.goto(&hall.url("/")).await;
    let found = with_module(
        &browser,
        "feed.js",
        "const lo = [], hi = [], seen = [];
         for (let n = 0; n < 14; n++) { lo.push(m.backoff(n, () => 0)); hi.push(m.backoff(n, () => 0.999999)); }
         for (let i = 0; i < 200; i++) seen.push(m.backoff(3));
         return { lo, hi, distinct: new Set(seen).size, min: Math.min(...seen), max: Math.max(...seen) };",
    )
    .await;
    let list = |k: &str| -> Vec<u64> {
        found[k]
            .as_array()
            .expect("list")
            .iter()
            .map(|v| v.as_u64().expect("ms"))
            .collect()
    };
    let (lo, hi) = (list("lo"), list("hi"));
    assert_eq!(lo[0], 375, "first wait: 0.5 s less a quarter");
    assert_eq!(hi[0], 625, "first wait: 0.5 s plus a quarter");
    for n in 1..lo.len() {
        assert!(lo[n] >= lo[n - 1], "the wait never shrinks: {lo:?}");
        assert!(hi[n] <= 10_000, "never more than 10 s: {hi:?}");
    }
    assert_eq!(hi[13], 10_000, "it reaches 10 s: {hi:?}");
    assert_eq!(lo[13], 7_500, "and keeps its jitter there: {lo:?}");
    assert!(
        found["distinct"].as_u64().expect("count") > 20,
        "two screens do not wait the same: {found}"
    );
    assert!(found["min"].as_u64() >= Some(3000) && found["max"].as_u64() <= Some(5000));
    browser.close().await;
}

/// A page following the hall is live only once the snapshot has come, gets each event once,
/// says so when the hall goes away, and is live again by itself when the hall is back at the
/// same address.
#[tokio::test]
async fn the_feed_is_live_after_its_snapshot_and_comes_back_after_a_restart() {
    let hall = TestHall::start().await;
    let browser = Browser::open(800, 600).await;
    browser.goto(&hall.url("/")).await;
    with_module(
        &browser,
        "feed.js",
        "window.kit = { frames: [], states: [] };
         window.kit.feed = m.follow('/ws/hall', {
           onFrame: (f) => window.kit.frames.push(f.type === 'event' ? f.event?.type ?? f.kind ?? 'event' : f.type),
           onState: (live) => window.kit.states.push(live),
         });
         return true;",
    )
    .await;
    browser
        .wait_for(
            "the snapshot, then live",
            "window.kit.frames[0] === 'snapshot' && window.kit.states.join() === 'true'",
        )
        .await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    kiosk.issue("A", "none").await;
    browser
        .wait_for("the issue event", "window.kit.frames.length === 2")
        .await;

    let hall = hall.restart_in_place().await;
    browser
        .wait_for(
            "offline, then live again after the restart",
            "window.kit.states.join() === 'true,false,true' && window.kit.frames.filter((f) => f === 'snapshot').length === 2",
        )
        .await;
    let kiosk = hall.device("kiosk-2", DeviceKind::Kiosk);
    kiosk.issue("A", "none").await;
    browser
        .wait_for("the next event, once", "window.kit.frames.length === 4")
        .await;
    let frames = browser.eval("window.kit.frames").await;
    assert_eq!(frames[0], "snapshot");
    assert_eq!(frames[2], "snapshot");
    assert_ne!(frames[1], "snapshot");
    assert_ne!(frames[3], "snapshot");
    browser.close().await;
}

/// The page tests' own tools see what they claim to: axe-core finds a violation planted in a
/// page, and the touch-target check finds a button too small for a finger.
#[tokio::test]
async fn the_checks_the_page_tests_rely_on_find_what_they_look_for() {
    let hall = TestHall::start().await;
    let browser = Browser::open(800, 600).await;
    browser.goto(&hall.url("/")).await;
    assert_eq!(
        browser.axe().await,
        Vec::<String>::new(),
        "the home page passes"
    );
    assert_eq!(browser.small_targets(24).await, Vec::<String>::new());
    browser
        .eval(
            "(() => { const b = document.createElement('button'); b.id = 'tiny'; b.style.cssText = 'width:20px;height:20px;padding:0'; document.body.append(b); return true; })()",
        )
        .await;
    let violations = browser.axe().await;
    assert!(
        violations.iter().any(|v| v.starts_with("button-name")),
        "a button with no name is found: {violations:?}"
    );
    let small = browser.small_targets(44).await;
    assert!(
        small.iter().any(|s| s.starts_with("button#tiny 20x20")),
        "{small:?}"
    );
    browser.close().await;
}
