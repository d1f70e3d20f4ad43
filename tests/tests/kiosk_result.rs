//! Collecting a dossier's result at the kiosk, in a real headless Chromium against the real
//! hall: the QR of a Circular 01/2023/TT-VPCP receipt ("Giấy tiếp nhận hồ sơ và hẹn trả kết
//! quả") typed as a USB 2D scanner types it (key presses into the page, ended by Enter) gives
//! a printed result pick-up ticket ("Nhận kết quả") in the dossier's field with the dossier
//! attached, and only the dossier's and the procedure's codes leave the page; a dossier the
//! hall cannot place asks the citizen for its field; the result screens pass axe-core with
//! big targets in both languages and orientations.
//!
//! What a receipt's QR may hold (shared-web/receipt.js) is checked in the page on a table.

use motcua_domain::DeviceKind;
use motcua_tests::TestHall;
use motcua_tests::browser::Browser;
use serde_json::{Value, json};

const ENTER: &str = "\u{e007}";
/// The receipt of a certified copy (procedure 2.000815, field D in the demo settings): the
/// dossier's code, the procedure's, the applicant's name and ID number, the appointment.
const DOSSIER: &str = "H26.39-251207-0012";
const NAME: &str = "Nguyễn Văn An";
const ID_NUMBER: &str = "001099012345";

fn receipt_text() -> String {
    format!("{DOSSIER}|2.000815|{NAME}|{ID_NUMBER}|12/12/2026")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_receipt_reader_keeps_only_the_dossier_and_procedure_codes() {
    let hall = TestHall::start().await;
    let page = Browser::open(800, 600).await;
    page.goto(&hall.url("/")).await;
    let nothing = Value::Null;
    let cases = json!([
        // A bare code, in either case.
        [DOSSIER, {"dossier": DOSSIER, "procedure": null}],
        ["000.00.16.h26-241204-0001", {"dossier": "000.00.16.H26-241204-0001", "procedure": null}],
        // The list a province's system prints: code first, then the rest, by `|` or by line.
        [receipt_text(), {"dossier": DOSSIER, "procedure": "2.000815"}],
        [format!("{DOSSIER}\n2.000815.000.00.00.H26\n{NAME}\n{ID_NUMBER}"), {"dossier": DOSSIER, "procedure": "2.000815"}],
        // The look-up page's address, the code named in its query (or its fragment's).
        [format!("https://dichvucong.hanoi.gov.vn/tra-cuu-ho-so?maHoSo={DOSSIER}&maTTHC=2.000815&cccd={ID_NUMBER}"), {"dossier": DOSSIER, "procedure": "2.000815"}],
        [format!("https://dvc.example.gov.vn/#/tra-cuu?ma_ho_so={DOSSIER}"), {"dossier": DOSSIER, "procedure": null}],
        [format!("https://dvc.example.gov.vn/hs?code={}", DOSSIER.to_lowercase()), {"dossier": DOSSIER, "procedure": null}],
        // JSON, flat or one level down.
        [json!({"MaHoSo": DOSSIER, "MaTTHC": "2.000815", "HoTen": NAME, "SoGiayTo": ID_NUMBER}).to_string(), {"dossier": DOSSIER, "procedure": "2.000815"}],
        [json!({"data": {"mahoso": DOSSIER, "chuHoSo": NAME}}).to_string(), {"dossier": DOSSIER, "procedure": null}],
        // Not a receipt: a chip ID card's QR, an ID or phone number, a product's barcode, a
        // booking code's shape without a separator, a URL naming no code, text.
        [format!("{ID_NUMBER}|123456789|{NAME}|01011990|Nam|Hà Nội|15062021"), nothing],
        [ID_NUMBER, nothing],
        ["0912345678", nothing],
        ["8934567890123", nothing],
        ["K7M2QX9P", nothing],
        ["https://dichvucong.gov.vn/p/home/dvc-trang-chu.html", nothing],
        [json!({"HoTen": NAME}).to_string(), nothing],
        ["Nhận kết quả", nothing],
        ["H26.39-251207-0012-QUA-DAI-QUA-DAI-QUA-DAI-1", nothing],
    ]);
    let found = page
        .eval(&format!(
            "(async () => {{ const m = await import('/shared/receipt.js'); return {cases}.map(([text]) => m.readReceipt(text)); }})()"
        ))
        .await;
    for (case, got) in cases
        .as_array()
        .expect("cases")
        .iter()
        .zip(found.as_array().expect("answers"))
    {
        assert_eq!(got, &case[1], "{} reads as {got}", case[0]);
    }
    page.close().await;
}

/// Every request the page makes from now on, with its body, in `window.sent`.
async fn record_requests(kiosk: &Browser) {
    kiosk
        .eval(
            "(() => { window.sent = []; const f = window.fetch; window.fetch = (url, init) => { window.sent.push([String(url), init?.body ?? null]); return f(url, init); }; return true; })()",
        )
        .await;
}

/// The result ticket on screen: its code.
async fn result_ticket(kiosk: &Browser) -> String {
    kiosk
        .wait_for(
            "the result pick-up ticket",
            "document.body.dataset.screen === 'ticket' && document.getElementById('ticket-result') && document.getElementById('ticket-code').textContent.trim()",
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_qr_typed_as_a_scanner_types_it_prints_a_result_ticket_of_its_field_with_the_dossier_and_only_its_codes_leave_the_page()
 {
    let hall = TestHall::start().await;
    let printing = motcua_tests::print_agent::PrintingKiosk::start(&hall).await;
    let (token, printer) = (&printing.token, &printing.printer);
    let clerk = hall.clerk_at("lan", 1).await;
    let kiosk = Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), 1080, 1920).await;
    record_requests(&kiosk).await;

    // On the start screen, without touching anything: the receipt's QR.
    kiosk.scan(&receipt_text()).await;
    let code = result_ticket(&kiosk).await;
    let said = kiosk.text("#ticket-result").await;
    assert!(
        said.contains("Nhận kết quả") && said.contains("Collecting a result"),
        "{said:?}"
    );
    assert!(
        code.starts_with('D'),
        "certified copies are field D's: {code}"
    );
    kiosk
        .wait_for(
            "the printed ticket",
            "document.getElementById('print-status')?.dataset.state === 'printed'",
        )
        .await;
    printer.wait_for_tickets(1).await;
    kiosk.screenshot("kiosk-result-ticket-1080x1920").await;

    // One request for it, carrying the two codes and the request's id, nothing else.
    let sent = kiosk.eval("window.sent").await;
    let asked: Vec<&Value> = sent
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| {
            r[0].as_str()
                .is_some_and(|u| u.ends_with("/api/result-tickets"))
        })
        .collect();
    assert_eq!(asked.len(), 1, "one request: {sent}");
    let body: Value =
        serde_json::from_str(asked[0][1].as_str().expect("a JSON body")).expect("JSON");
    let keys: Vec<&String> = body.as_object().expect("an object").keys().collect();
    assert_eq!(keys, ["dossier", "procedure", "request_id"], "{body}");
    assert_eq!(body["dossier"], DOSSIER);
    assert_eq!(body["procedure"], "2.000815");
    for (what, secret) in [
        ("name", NAME),
        ("ID number", ID_NUMBER),
        ("appointment", "12/12/2026"),
    ] {
        assert!(
            !sent.to_string().contains(secret),
            "the receipt's {what} left the page: {sent}"
        );
    }
    // Nor is anything of the receipt on the screen, the dossier's code included.
    let shown = kiosk
        .eval("document.body.innerText + JSON.stringify(localStorage) + JSON.stringify(sessionStorage)")
        .await;
    let shown = shown.as_str().unwrap_or_default();
    for secret in [DOSSIER, NAME, ID_NUMBER, "Nguy"] {
        assert!(
            !shown.contains(secret),
            "{secret:?} is on the page: {shown}"
        );
    }

    // The hall has it: a result ticket of D, the dossier attached, the paper saying so.
    let conn = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("db");
    let (id, service, pickup): (i64, String, bool) = conn
        .query_row(
            "SELECT id, service, result_pickup FROM tickets WHERE code = ?1",
            [&code],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("the ticket");
    assert_eq!((service.as_str(), pickup), ("D", true));
    let attached: Vec<String> = conn
        .prepare("SELECT dossier FROM stat_dossiers WHERE ticket_id = ?1")
        .expect("sql")
        .query_map([id], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("codes");
    assert_eq!(
        attached,
        [DOSSIER],
        "the dossier is on the ticket in the figures"
    );
    let counted: bool = conn
        .query_row(
            "SELECT result_pickup FROM stat_visits WHERE ticket_id = ?1 AND visit = 0",
            [id],
            |r| r.get(0),
        )
        .expect("its visit");
    assert!(counted, "the figures know it is a result pick-up");
    let payload: String = conn
        .query_row(
            "SELECT payload FROM print_jobs WHERE ticket_id = ?1",
            [id],
            |r| r.get(0),
        )
        .expect("the print job");
    let paper: Value = serde_json::from_str(&payload).expect("json");
    assert_eq!(paper["priority"], "Nhận kết quả", "{paper}");
    // The citizen's phone, through the ticket's QR, says it too (and not the dossier's code).
    let token: String = conn
        .query_row("SELECT token FROM tickets WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .expect("its token");
    let phone = Browser::open(390, 844).await;
    phone.goto(&hall.url(&format!("/t/{token}"))).await;
    let field = phone
        .wait_for(
            "the phone's field line",
            "document.getElementById('field').textContent.includes('Nhận kết quả') && document.getElementById('field').textContent",
        )
        .await;
    assert_eq!(field, "Chứng thực · Nhận kết quả");
    let shown = phone.eval("document.body.innerText").await;
    assert!(!shown.to_string().contains(DOSSIER), "{shown}");
    phone.close().await;
    // The clerk at counter 1 (A and D) calls it and finds the dossier on it.
    let called = clerk.call_next(1).await.expect("the result ticket");
    assert_eq!(called["code"], code.as_str());
    let (_, list) = clerk.get("/api/counters/1/dossiers").await;
    assert_eq!(list["dossiers"], json!([DOSSIER]), "{list}");
    kiosk.close().await;
}

/// axe-core and the 44 px rule on the page as it is now.
async fn check(kiosk: &Browser, what: &str) {
    kiosk.assert_accessible(what).await;
    kiosk.assert_touch_targets(what, 44).await;
    kiosk.screenshot(&format!("a11y-{what}")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dossier_the_hall_cannot_place_asks_for_its_field_and_the_result_screens_pass_axe() {
    let hall = TestHall::start().await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 3).await;
    for (n, (width, height)) in [(1080, 1920), (1920, 1080)].into_iter().enumerate() {
        for lang in ["vi", "en"] {
            let at = |what: &str| format!("kiosk-result-{what}-{width}x{height}-{lang}");
            let kiosk =
                Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), width, height)
                    .await;
            if lang == "en" {
                kiosk.tap("#lang").await;
                kiosk
                    .wait_for("English", "document.documentElement.lang === 'en'")
                    .await;
            }
            check(&kiosk, &at("start")).await;
            // "Nhận kết quả": the screen asking for the receipt.
            kiosk.tap("button[data-action='result']").await;
            kiosk
                .wait_for(
                    "the result screen",
                    "document.body.dataset.screen === 'result'",
                )
                .await;
            assert_eq!(kiosk.eval("document.documentElement.lang").await, lang);
            check(&kiosk, &at("scan")).await;

            // A receipt naming no procedure, for a dossier never seen here: pick the field.
            let dossier = format!(
                "H26.39-251207-{:04}",
                100 + n * 2 + usize::from(lang == "en")
            );
            kiosk.scan(&dossier).await;
            kiosk
                .wait_for(
                    "the fields to pick",
                    "document.querySelector(\"button[data-result-field='C']:not(:disabled)\")",
                )
                .await;
            check(&kiosk, &at("choose")).await;
            let shown = kiosk.eval("document.body.innerText").await;
            assert!(
                !shown.as_str().unwrap_or_default().contains(&dossier),
                "the code is not shown: {shown}"
            );
            kiosk.tap("button[data-result-field='C']").await;
            let code = result_ticket(&kiosk).await;
            assert!(code.starts_with('C'), "{code}");
            check(&kiosk, &at("ticket")).await;
            kiosk.close().await;
        }
    }
    // Four result tickets of C, each with its dossier.
    let conn = rusqlite::Connection::open(hall.data_dir().join("motcua.sqlite3")).expect("db");
    let tickets: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM tickets t JOIN stat_dossiers d ON d.ticket_id = t.id
             WHERE t.service = 'C' AND t.result_pickup = 1",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(tickets, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receipt_whose_qr_holds_lines_gives_one_ticket_by_its_first_line_and_the_others_never_leave_the_page()
 {
    let hall = TestHall::start().await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    let kiosk = Browser::open_kiosk(&hall.url(&format!("/kiosk/?token={token}")), 1920, 1080).await;
    record_requests(&kiosk).await;
    // The scanner types Enter for each line: the code, the procedure, the name, the ID number.
    // The first line is the scan; the kiosk waits on no timer for more, so the procedure on
    // the second is not known and the citizen picks the field.
    let lines = [DOSSIER, "2.000815", NAME, ID_NUMBER].join(ENTER);
    kiosk.scan(&lines).await;
    kiosk
        .wait_for(
            "the fields to pick",
            "document.querySelector(\"button[data-result-field='D']:not(:disabled)\")",
        )
        .await;
    // No later line was read as a scan of its own (it would say it could not be read).
    assert_eq!(
        kiosk
            .eval("document.getElementById('toast').dataset.notice ?? null")
            .await,
        Value::Null,
        "a later line was read as a scan"
    );
    kiosk.tap("button[data-result-field='D']").await;
    let code = result_ticket(&kiosk).await;
    assert!(code.starts_with('D'), "{code}");
    // The marker: a field chosen and a regular number taken, after the scan's last key.
    kiosk.tap("button[data-action='done']").await;
    kiosk.tap("button[data-field='A']").await;
    kiosk.tap("button[data-priority='none']").await;
    kiosk
        .wait_for(
            "the regular ticket",
            "document.body.dataset.screen === 'ticket' && !document.getElementById('ticket-result') && document.getElementById('ticket-code').textContent.startsWith('A')",
        )
        .await;
    let sent = kiosk.eval("window.sent").await;
    let asked: Vec<Value> = sent
        .as_array()
        .expect("requests")
        .iter()
        .filter(|r| {
            r[0].as_str()
                .is_some_and(|u| u.ends_with("/api/result-tickets"))
        })
        .map(|r| serde_json::from_str(r[1].as_str().expect("a body")).expect("JSON"))
        .collect();
    // Asked once by the first line, then again with the field picked: no later line asked.
    assert_eq!(asked.len(), 2, "{sent}");
    assert_eq!(asked[0]["dossier"], DOSSIER);
    assert_eq!(asked[0].get("service"), None);
    assert_eq!(asked[1]["dossier"], DOSSIER);
    assert_eq!(asked[1]["service"], "D");
    for secret in [NAME, ID_NUMBER] {
        assert!(
            !sent.to_string().contains(secret),
            "{secret} left the page: {sent}"
        );
    }
    kiosk.close().await;
}
