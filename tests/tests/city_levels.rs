//! The city page at every level, in a real headless Chromium against a real collector:
//! halls in two provinces and one in none report their days (signed batches, as a hall's
//! uplink or a province's collector sends them). The page shows the provinces side by side
//! with the collector's own figures, a province opened with the mouse or the keyboard
//! narrows everything to its halls with its line as the total, the address keeps the level
//! across a reload, "← Cả nước" goes back; axe passes in Vietnamese and English on both
//! levels. Where every hall is in one province the page has no levels. Screenshots land in
//! `target/test-artifacts/`.

use chrono::Duration;
use fantoccini::Locator;
use fantoccini::key::Key;
use motcua_domain::Role;
use motcua_store::clock::ManualClock;
use motcua_tests::browser::Browser;
use motcua_tests::{Client, TestCity, opening_time};
use motcua_web::protocol::{self, Batch, Profile, ProfileService, WireEvent};
use serde_json::{Value, json};

const RANGE: &str = "from=2026-11-25&to=2026-11-25";

/// The text of the first element matching a CSS selector, trimmed ("" when absent).
fn text_of(css: &str) -> String {
    let css = css.replace('\\', "\\\\").replace('\'', "\\'");
    format!("(document.querySelector('{css}')?.textContent ?? '').trim()")
}

/// The hall codes of the halls' table, sorted (their order is the table's business).
const HALL_CODES: &str = "Array.from(document.querySelectorAll('#halls-table tbody tr[data-code]')).map(r => r.dataset.code).sort()";

/// The provinces of the provinces' table, top to bottom.
const PROVINCE_ROWS: &str = "Array.from(document.querySelectorAll('#provinces-table tbody tr')).map(r => r.dataset.province)";

/// A hall's morning: one citizen after another served, each after waiting the minutes
/// given, as the hall's log numbers its events from 1.
fn morning(waits: &[i64]) -> Vec<WireEvent> {
    let start = opening_time().timestamp_millis();
    let mut events = Vec::new();
    let mut push = |at: i64, kind: &str, ticket: i64, counter: Option<u16>, data: Value| {
        events.push(WireEvent {
            seq: events.len() as i64 + 1,
            at,
            kind: kind.to_owned(),
            ticket: Some(ticket),
            service: Some("A".into()),
            counter,
            clerk: counter.map(i64::from),
            data,
        });
    };
    for (i, wait) in waits.iter().enumerate() {
        let id = i as i64 + 1;
        let code = format!("A{id:03}");
        let issued = start + id * 60_000;
        let called = issued + wait * 60_000;
        push(
            issued,
            "issued",
            id,
            None,
            json!({"code": code, "priority": "none", "eta_minutes": 5, "ahead": 0, "issued_by": "kiosk"}),
        );
        push(
            called,
            "called",
            id,
            Some(1),
            json!({"code": code, "priority": "none", "waited_ms": wait * 60_000}),
        );
        push(called + 30_000, "serving", id, Some(1), json!({}));
        push(called + 300_000, "served", id, Some(1), json!({}));
    }
    events
}

/// Post a hall's whole log in one signed batch, as its uplink would.
async fn report(city: &TestCity, code: &str, secret: &str, name: &str, events: Vec<WireEvent>) {
    let batch = Batch {
        hall: code.to_owned(),
        from_seq: 1,
        to_seq: events.len() as i64,
        profile: Profile {
            name: name.to_owned(),
            timezone: "Asia/Ho_Chi_Minh".into(),
            rating_scale: 5,
            services: vec![ProfileService {
                code: "A".into(),
                name_vi: "Hộ tịch".into(),
                name_en: "Civil status".into(),
                target_wait_minutes: 15,
                satisfaction_target_percent: 95,
            }],
        },
        events,
    };
    let now = motcua_store::clock::Clock::now(&*city.state.clock).timestamp_millis();
    let body = serde_json::to_vec(&batch).expect("json");
    let signature = protocol::sign(secret, code, now, &body);
    let response = reqwest::Client::new()
        .post(format!("{}{}", city.base, protocol::BATCH_PATH))
        .header("content-type", "application/json")
        .header(protocol::HALL_HEADER, code)
        .header(protocol::TIMESTAMP_HEADER, now.to_string())
        .header(protocol::SIGNATURE_HEADER, signature)
        .body(body)
        .send()
        .await
        .expect("post the batch");
    let status = response.status().as_u16();
    let text = response.text().await.expect("the answer");
    assert_eq!(status, 200, "the batch of {name}: {text}");
}

/// The collector's line of one province.
fn province_in<'a>(stats: &'a Value, province: &str) -> &'a Value {
    stats["provinces"]
        .as_array()
        .and_then(|lines| lines.iter().find(|p| p["province"] == province))
        .unwrap_or_else(|| panic!("province {province:?} in {stats}"))
}

/// Sign in on the city page and wait for every hall's figures.
async fn signed_in(browser: &Browser, url: &str) {
    browser.goto(url).await;
    browser
        .wait_for("the sign-in form", "document.body.dataset.view === 'login'")
        .await;
    browser.type_into("#login-name", "tinh").await;
    browser.type_into("#login-password", "tinh-secret-pw").await;
    browser.click("button[data-action='login']").await;
    ready(browser).await;
}

/// Wait until the overview is drawn.
async fn ready(browser: &Browser) {
    browser
        .wait_for(
            "every hall's figures",
            "document.body.dataset.view === 'dash' && document.body.dataset.city === 'ready'",
        )
        .await;
}

/// Four reporting halls (two in Hà Nội, one in Hải Phòng, one in no province) and one
/// in Hải Phòng that never reported, with the overview as the collector's API gives it.
struct Country {
    city: TestCity,
    kiem: String,
    dinh: String,
    bang: String,
    silent: String,
    loose: String,
    stats: Value,
    manager: Client,
}

async fn a_country() -> Country {
    let clock = ManualClock::starting_at(opening_time());
    let city = TestCity::start(clock.clone()).await;
    let hall = |name: &str| city.register(name);
    let (kiem, kiem_secret) = hall("UBND phường Hoàn Kiếm");
    let (dinh, dinh_secret) = hall("UBND phường Ba Đình");
    let (bang, bang_secret) = hall("UBND phường Hồng Bàng");
    let (silent, _) = hall("UBND xã Cát Hải");
    let (loose, loose_secret) = hall("UBND xã Chưa Xếp");
    for (code, province) in [
        (&kiem, "Hà Nội"),
        (&dinh, "Hà Nội"),
        (&bang, "Hải Phòng"),
        (&silent, "Hải Phòng"),
    ] {
        city.set_province(code, province).await;
    }
    clock.advance(Duration::hours(3));
    // Served: Hoàn Kiếm 3 (one past the 15-minute target), Ba Đình 2, Hồng Bàng 4, the
    // hall of no province 1.
    report(
        &city,
        &kiem,
        &kiem_secret,
        "UBND phường Hoàn Kiếm",
        morning(&[4, 9, 22]),
    )
    .await;
    report(
        &city,
        &dinh,
        &dinh_secret,
        "UBND phường Ba Đình",
        morning(&[6, 11]),
    )
    .await;
    report(
        &city,
        &bang,
        &bang_secret,
        "UBND phường Hồng Bàng",
        morning(&[3, 5, 7, 30]),
    )
    .await;
    report(
        &city,
        &loose,
        &loose_secret,
        "UBND xã Chưa Xếp",
        morning(&[12]),
    )
    .await;

    let manager = city.staff("tinh", Role::Manager).await; // password "tinh-secret-pw"
    let (status, stats) = manager.get(&format!("/api/city/stats?{RANGE}")).await;
    assert_eq!(status, 200, "{stats}");
    Country {
        city,
        kiem,
        dinh,
        bang,
        silent,
        loose,
        stats,
        manager,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_country_page_shows_its_provinces_opens_one_keeps_it_in_the_address_and_goes_back() {
    let c = a_country().await;
    let stats = &c.stats;
    // The collector's lines, which the page must show.
    assert_eq!(
        stats["provinces"].as_array().map(Vec::len),
        Some(3),
        "{stats}"
    );
    let hanoi = province_in(stats, "Hà Nội");
    let haiphong = province_in(stats, "Hải Phòng");
    let none = province_in(stats, "");
    assert_eq!(hanoi["served"], 5);
    assert_eq!(haiphong["served"], 4);
    assert_eq!(none["served"], 1);
    assert_eq!(hanoi["halls"], 2);
    assert_eq!(haiphong["halls"], 2);
    assert_eq!(stats["total"]["served"], 10);

    let browser = Browser::open(1920, 1080).await;
    signed_in(&browser, &format!("{}/city/", c.city.base)).await;

    // Everyone: the level selector, then the provinces by name (the halls of no province
    // last), each with the collector's figures, and every hall in the halls' table.
    assert_eq!(
        browser
            .eval("document.getElementById('levels').hidden")
            .await,
        false,
        "two provinces and more: the levels show"
    );
    assert_eq!(browser.eval("document.body.dataset.level").await, "all");
    assert_eq!(
        browser.eval(PROVINCE_ROWS).await,
        json!(["Hà Nội", "Hải Phòng", ""])
    );
    for line in [hanoi, haiphong, none] {
        let p = line["province"].as_str().expect("a name");
        let cell = |col: &str| {
            text_of(&format!(
                "#provinces-table tr[data-province='{p}'] td[data-col='{col}']"
            ))
        };
        assert_eq!(
            browser.eval(&cell("served")).await,
            line["served"].to_string().as_str(),
            "served in {p:?}"
        );
        assert_eq!(
            browser.eval(&cell("halls")).await,
            line["halls"].to_string().as_str(),
            "halls in {p:?}"
        );
    }
    assert_eq!(
        browser
            .eval(&text_of(
                "#provinces-table tr[data-province=''] td[data-col='province']"
            ))
            .await,
        "Chưa xếp tỉnh"
    );
    assert_eq!(
        browser
            .eval(&text_of(
                "#provinces-table tr[data-province='Hà Nội'] td[data-col='within']"
            ))
            .await,
        "80%",
        "four of Hà Nội's five within the target"
    );
    assert_eq!(
        browser
            .eval(&text_of("#provinces-table tfoot td[data-col='served']"))
            .await,
        "10"
    );
    let mut everyone = vec![
        c.kiem.clone(),
        c.dinh.clone(),
        c.bang.clone(),
        c.silent.clone(),
        c.loose.clone(),
    ];
    everyone.sort();
    assert_eq!(browser.eval(HALL_CODES).await, json!(everyone));
    assert!(
        browser
            .eval(&text_of("#halls-table tfoot td[data-col='name']"))
            .await
            .as_str()
            .is_some_and(|s| s.starts_with("Cả nước")),
        "the halls' total is the country's"
    );
    browser.assert_accessible("city-levels-all-vi").await;
    browser.screenshot("city-levels-all-1920x1080").await;

    // Hà Nội, clicked: only its halls, its line as the total, the key figures its own.
    browser
        .click("#provinces-table tr[data-province='Hà Nội'] a.province-link")
        .await;
    browser
        .wait_for(
            "Hà Nội's halls",
            "document.body.dataset.level === 'province'",
        )
        .await;
    let mut hanoi_halls = vec![c.kiem.clone(), c.dinh.clone()];
    hanoi_halls.sort();
    assert_eq!(browser.eval(HALL_CODES).await, json!(hanoi_halls));
    assert_eq!(
        browser
            .eval(&text_of("#halls-table tfoot td[data-col='served']"))
            .await,
        "5"
    );
    assert_eq!(
        browser
            .eval(&text_of("#halls-table tfoot td[data-col='within']"))
            .await,
        "80%"
    );
    assert!(
        browser
            .eval(&text_of("#halls-table tfoot td[data-col='name']"))
            .await
            .as_str()
            .is_some_and(|s| s.starts_with("Hà Nội")),
        "the total is Hà Nội's"
    );
    assert_eq!(
        browser
            .eval(&text_of("#city-kpis [data-kpi='served'] .value"))
            .await,
        "5"
    );
    assert_eq!(browser.eval(&text_of("#levels-title")).await, "Hà Nội");
    assert_eq!(
        browser
            .eval("document.getElementById('provinces-wrap').hidden")
            .await,
        true
    );
    assert_eq!(
        browser.eval("decodeURIComponent(location.hash)").await,
        "#province/Hà Nội/2026-11-25/2026-11-25"
    );
    browser.assert_accessible("city-levels-province-vi").await;
    browser.screenshot("city-levels-province-1920x1080").await;

    // A reload keeps the level: the address says it.
    browser
        .eval("(window.beforeReload = true, location.reload(), true)")
        .await;
    browser
        .wait_for(
            "the page again",
            "!window.beforeReload && document.body.dataset.view === 'dash' && document.body.dataset.city === 'ready'",
        )
        .await;
    assert_eq!(
        browser.eval("document.body.dataset.level").await,
        "province"
    );
    assert_eq!(browser.eval(HALL_CODES).await, json!(hanoi_halls));
    assert_eq!(
        browser
            .eval(&text_of("#halls-table tfoot td[data-col='served']"))
            .await,
        "5"
    );

    // A hall's line still opens the hall, and its way back returns to Hà Nội.
    browser
        .click(&format!(
            "#halls-table tr[data-code='{}'] a.hall-link",
            c.kiem
        ))
        .await;
    browser
        .wait_for(
            "Hoàn Kiếm's page",
            "document.body.dataset.page === 'hall' && document.body.dataset.hall === 'ready'",
        )
        .await;
    assert_eq!(
        browser.eval(&text_of("#hall-name")).await,
        "UBND phường Hoàn Kiếm"
    );
    assert_eq!(browser.eval(&text_of("#back-label")).await, "Hà Nội");
    browser.click("#back-link").await;
    browser
        .wait_for("the overview", "document.body.dataset.page === 'city'")
        .await;
    assert_eq!(
        browser.eval("document.body.dataset.level").await,
        "province"
    );
    assert_eq!(browser.eval(HALL_CODES).await, json!(hanoi_halls));

    // In English too, then "← Whole country" goes back to everyone.
    browser.click("#lang-btn").await;
    browser
        .wait_for("English", "document.documentElement.lang === 'en'")
        .await;
    assert!(
        browser
            .eval(&text_of("#level-up"))
            .await
            .as_str()
            .is_some_and(|s| s.ends_with("Whole country")),
        "the way back in English"
    );
    browser.assert_accessible("city-levels-province-en").await;
    browser
        .screenshot("city-levels-province-en-1920x1080")
        .await;
    browser.click("#level-up").await;
    browser
        .wait_for("everyone", "document.body.dataset.level === 'all'")
        .await;
    assert_eq!(browser.eval(HALL_CODES).await, json!(everyone));
    assert_eq!(
        browser
            .eval(&text_of(
                "#provinces-table tr[data-province=''] td[data-col='province']"
            ))
            .await,
        "No province set"
    );
    browser.assert_accessible("city-levels-all-en").await;

    // Hải Phòng by the keyboard: its link takes the focus, Enter opens it, with its hall
    // that never reported.
    browser
        .eval(
            "document.querySelector(\"#provinces-table tr[data-province='Hải Phòng'] a.province-link\").focus()",
        )
        .await;
    browser
        .client
        .active_element()
        .await
        .expect("the focused link")
        .send_keys(&Key::Enter)
        .await
        .expect("Enter");
    browser
        .wait_for(
            "Hải Phòng's halls",
            "document.body.dataset.level === 'province' && document.getElementById('levels-title').textContent === 'Hải Phòng'",
        )
        .await;
    let mut haiphong_halls = vec![c.bang.clone(), c.silent.clone()];
    haiphong_halls.sort();
    assert_eq!(browser.eval(HALL_CODES).await, json!(haiphong_halls));
    assert_eq!(
        browser
            .eval(&text_of("#halls-table tfoot td[data-col='served']"))
            .await,
        haiphong["served"].to_string().as_str()
    );

    // The level selector goes to a level too: the halls of no province.
    let select = browser
        .client
        .find(Locator::Css("#level-select"))
        .await
        .expect("the level selector");
    select.select_by_value("p:").await.expect("choose a level");
    browser
        .wait_for(
            "the halls of no province",
            "document.body.dataset.level === 'province' && location.hash.startsWith('#province//')",
        )
        .await;
    assert_eq!(browser.eval(HALL_CODES).await, json!([c.loose.clone()]));

    // The exports are everyone's, whatever the level.
    assert_eq!(
        browser
            .eval("document.getElementById('export-csv').getAttribute('href')")
            .await,
        format!("/api/city/stats.csv?{RANGE}").as_str()
    );
    let (status, _, csv) = c
        .manager
        .get_bytes(&format!("/api/city/stats.csv?{RANGE}"))
        .await;
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&csv).contains("UBND phường Hồng Bàng"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_whose_halls_are_in_one_province_has_no_levels() {
    let clock = ManualClock::starting_at(opening_time());
    let city = TestCity::start(clock.clone()).await;
    let (kiem, kiem_secret) = city.register("UBND phường Hoàn Kiếm");
    let (dinh, dinh_secret) = city.register("UBND phường Ba Đình");
    city.set_province(&kiem, "Hà Nội").await;
    city.set_province(&dinh, "Hà Nội").await;
    clock.advance(Duration::hours(3));
    report(
        &city,
        &kiem,
        &kiem_secret,
        "UBND phường Hoàn Kiếm",
        morning(&[4]),
    )
    .await;
    report(
        &city,
        &dinh,
        &dinh_secret,
        "UBND phường Ba Đình",
        morning(&[6]),
    )
    .await;
    city.staff("tinh", Role::Manager).await;

    let browser = Browser::open(1920, 1080).await;
    // Even an address naming a province shows the city as it is: the one level there is.
    signed_in(
        &browser,
        &format!(
            "{}/city/#province/H%C3%A0%20N%E1%BB%99i/2026-11-25/2026-11-25",
            city.base
        ),
    )
    .await;
    assert_eq!(
        browser
            .eval("document.getElementById('levels').hidden")
            .await,
        true
    );
    assert_eq!(browser.eval("document.body.dataset.level").await, "all");
    assert_eq!(
        browser
            .eval(&text_of("#halls-table tfoot td[data-col='name']"))
            .await
            .as_str()
            .map(|s| s.starts_with("Toàn thành phố")),
        Some(true)
    );
    assert_eq!(
        browser
            .eval(&text_of("#halls-table tfoot td[data-col='served']"))
            .await,
        "2"
    );
    browser.close().await;
}
