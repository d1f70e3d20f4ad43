//! The dossiers of the ticket at the counter, in the clerk's console (real Chromium, real
//! hall): a code typed into "Mã hồ sơ" is attached (in capitals) and listed, and its remove
//! button takes it off; a receipt's QR scanned while the focus is elsewhere on the console
//! (a USB scanner types like a keyboard) attaches its dossier's code and nothing else of it,
//! and none of its letters acts as the console's keys; the box passes axe-core.

use fantoccini::Locator;
use motcua_domain::{DeviceKind, Role};
use motcua_tests::browser::Browser;
use motcua_tests::{Client, TestHall};
use serde_json::{Value, json};

const ENTER: &str = "\u{e007}";
const DOSSIER: &str = "H26.39-251207-0012";

/// The console of counter 1 (fields A and D), signed in as `lan`, with a ticket called.
async fn console_with_a_ticket(hall: &TestHall) -> (Browser, Client, Value) {
    hall.staff("lan", Role::Clerk).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let ticket = kiosk.issue("A", "none").await;
    let console = Browser::open(1366, 768).await;
    console
        .open_counter(&hall.url("/counter/"), "lan", "lan-secret-pw", 1)
        .await;
    console.click(".desk button[data-action='next']").await;
    let code = ticket["code"].as_str().expect("code");
    console
        .wait_for(
            "the ticket's dossier box",
            &format!(
                "!document.getElementById('dossier-box').hidden && document.getElementById('dossier-title').textContent.includes('{code}')"
            ),
        )
        .await;
    // The same clerk's other session reads what the hall has.
    let api = hall.sign_in("lan").await;
    (console, api, ticket)
}

async fn attached(api: &Client) -> Value {
    let (status, list) = api.get("/api/counters/1/dossiers").await;
    assert_eq!(status, 200, "{list}");
    list["dossiers"].clone()
}

/// The codes the console lists.
const LISTED: &str =
    "[...document.querySelectorAll('#dossier-list li')].map(li => li.dataset.dossier)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dossier_code_typed_at_the_console_is_attached_and_its_button_removes_it() {
    let hall = TestHall::start().await;
    let (console, api, _) = console_with_a_ticket(&hall).await;
    assert_eq!(console.eval(LISTED).await, json!([]));

    console
        .type_into(
            "#dossier-code",
            &format!("{}{ENTER}", DOSSIER.to_lowercase()),
        )
        .await;
    console
        .wait_for(
            "the code listed",
            &format!("{LISTED}.includes('{DOSSIER}')"),
        )
        .await;
    assert_eq!(attached(&api).await, json!([DOSSIER]));
    let said = console.text("#dossier-result").await;
    assert!(
        said.contains(&format!("Đã gắn mã hồ sơ {DOSSIER}")),
        "{said:?}"
    );
    // A second, then a code that is none: said in words, nothing attached.
    console
        .type_into(
            "#dossier-code",
            &format!("000.00.16.H26-241204-0001{ENTER}"),
        )
        .await;
    console
        .wait_for("two codes", &format!("{LISTED}.length === 2"))
        .await;
    console
        .type_into("#dossier-code", &format!("khong co so{ENTER}"))
        .await;
    console
        .wait_for(
            "the refusal",
            "document.getElementById('dossier-result').dataset.kind === 'error'",
        )
        .await;
    assert_eq!(attached(&api).await.as_array().map(Vec::len), Some(2));
    console.assert_accessible("console-dossiers").await;
    console.screenshot("counter-dossiers").await;

    console
        .click(&format!(
            "#dossier-list button[data-dossier-remove='{DOSSIER}']"
        ))
        .await;
    console
        .wait_for(
            "the code gone",
            &format!("!{LISTED}.includes('{DOSSIER}') && {LISTED}.length === 1"),
        )
        .await;
    assert_eq!(attached(&api).await, json!(["000.00.16.H26-241204-0001"]));
    console.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_scanned_while_the_focus_is_elsewhere_attaches_its_code_and_no_letter_of_it_acts_as_a_key()
 {
    let hall = TestHall::start().await;
    let (console, api, ticket) = console_with_a_ticket(&hall).await;
    // The receipt's look-up address: S would start serving, R recall, P pause, N call next, A
    // mark absent; the applicant's ID number rides along in it.
    let receipt = format!(
        "https://dichvucong.hanoi.gov.vn/tra-cuu-ho-so?maHoSo={DOSSIER}&maTTHC=2.000815&cccd=001099012345"
    );
    for key in ['s', 'r', 'p', 'n', 'a'] {
        assert!(receipt.contains(key), "{receipt} has {key}");
    }
    // The clerk's last click left the focus on "Gọi lại" (recall).
    let recall = console
        .client
        .find(Locator::Css(".desk button[data-action='recall']"))
        .await
        .expect("recall");
    recall
        .send_keys(&format!("{receipt}{ENTER}"))
        .await
        .expect("keys");
    console
        .wait_for(
            "the code listed",
            &format!("{LISTED}.includes('{DOSSIER}')"),
        )
        .await;
    assert_eq!(attached(&api).await, json!([DOSSIER]));

    // The ticket is still called, not recalled nor served; the counter is not paused.
    let (_, counter) = hall.anonymous().get("/api/counters/1").await;
    let current = &counter["counter"]["current"];
    assert_eq!(current["id"], ticket["id"], "{counter}");
    assert_eq!(current["status"], "called", "{counter}");
    assert_eq!(current["recalls"], 0, "{counter}");
    assert_eq!(counter["counter"]["state"], "open", "{counter}");
    // Nothing of the receipt but the code stayed in the page; the check-in field is empty.
    let page = console
        .eval("document.body.innerText + [...document.querySelectorAll('input')].map(i => i.value).join('|')")
        .await;
    let page = page.as_str().unwrap_or_default();
    assert!(
        !page.contains("001099012345") && !page.contains("dichvucong"),
        "{page}"
    );
    assert_eq!(
        console
            .eval("document.getElementById('checkin-code').value")
            .await,
        ""
    );
    // The focus is back on the button: the keys work again at once.
    assert_eq!(
        console
            .eval("document.activeElement.dataset.action ?? document.activeElement.id")
            .await,
        "recall"
    );
    console.screenshot("counter-dossier-scanned").await;
    console.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_whose_qr_holds_lines_attaches_its_code_alone_and_its_other_lines_go_nowhere() {
    let hall = TestHall::start().await;
    let (console, api, _) = console_with_a_ticket(&hall).await;
    // The scanner types Enter for each line: the code, the procedure, the name, the ID number.
    let lines = [DOSSIER, "2.000815", "Nguyễn Văn An", "001099012345"].join(ENTER);
    let body = console
        .client
        .find(Locator::Css("body"))
        .await
        .expect("the page");
    body.send_keys(&format!("{lines}{ENTER}"))
        .await
        .expect("keys");
    console
        .wait_for(
            "the code listed",
            &format!("{LISTED}.includes('{DOSSIER}')"),
        )
        .await;
    // The marker: the check-in field typed into after the scan's last key.
    console.type_into("#checkin-code", "marker").await;
    assert_eq!(
        attached(&api).await,
        json!([DOSSIER]),
        "the procedure is no dossier"
    );
    let page = console
        .eval("document.body.innerText + [...document.querySelectorAll('input')].map(i => i.value).join('|')")
        .await;
    let page = page.as_str().unwrap_or_default();
    for secret in ["Nguy", "001099012345", "2.000815"] {
        assert!(!page.contains(secret), "{secret} is on the page: {page}");
    }
    assert_eq!(
        console
            .eval("document.getElementById('checkin-result').textContent")
            .await,
        "",
        "no line went to check-in"
    );
    console.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_ticket_says_so_in_the_waiting_list_and_at_the_counter_with_its_dossier_listed() {
    let hall = TestHall::start().await;
    hall.staff("lan", Role::Clerk).await;
    let console = Browser::open(1366, 768).await;
    console
        .open_counter(&hall.url("/counter/"), "lan", "lan-secret-pw", 1)
        .await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let (status, ticket) = kiosk
        .post(
            "/api/result-tickets",
            json!({"dossier": DOSSIER, "procedure": "2.000815"}),
        )
        .await;
    assert_eq!(status, 201, "{ticket}");
    let code = ticket["code"].as_str().expect("code");
    let badge = console
        .wait_for(
            "the result ticket in the waiting list",
            &format!(
                "[...document.querySelectorAll('#waiting li')].find(li => li.querySelector('.code')?.textContent === '{code}')?.querySelector('.badge.result')?.textContent"
            ),
        )
        .await;
    assert_eq!(badge, "Nhận kết quả");
    console.click(".desk button[data-action='next']").await;
    console
        .wait_for(
            "the dossier listed",
            &format!("{LISTED}.includes('{DOSSIER}')"),
        )
        .await;
    assert_eq!(
        console
            .eval("document.getElementById('current-result').hidden ? null : document.getElementById('current-result').textContent")
            .await,
        "Nhận kết quả"
    );
    console.screenshot("counter-result-ticket").await;
    console.close().await;
}
