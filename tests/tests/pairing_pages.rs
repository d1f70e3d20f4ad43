//! The pairing screens in Chromium: a kiosk page without a token and a hall TV opened with
//! `?pair` show a six-digit code and its QR; once an admin accepts the code, the device
//! starts by itself with its own token (seen on the devices' list), and a TV revoked later
//! shows a new code.

use motcua_domain::Role;
use motcua_tests::browser::Browser;
use motcua_tests::{Client, TestHall, until};
use serde_json::{Value, json};

async fn device(admin: &Client, name: &str) -> Option<Value> {
    let (status, list) = admin.get("/api/devices").await;
    assert_eq!(status, 200, "{list}");
    list["devices"]
        .as_array()
        .and_then(|l| l.iter().find(|d| d["name"] == name).cloned())
}

/// The code the page shows, once it shows one, and that its QR code drew.
async fn shown_code(page: &Browser) -> String {
    let code = page
        .wait_for(
            "the pairing code",
            "document.querySelector('.pairing[data-state=waiting] .pairing-code')?.dataset.code",
        )
        .await;
    page.wait_for(
        "the QR code",
        "document.querySelector('img.pairing-qr')?.naturalWidth > 0",
    )
    .await;
    code.as_str().expect("a code").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_without_a_token_shows_a_code_and_starts_once_an_admin_accepts_it() {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let kiosk = Browser::open(1080, 1920).await;
    kiosk.goto(&hall.url("/kiosk/")).await;
    let code = shown_code(&kiosk).await;
    assert_eq!(
        kiosk.text(".pairing-code").await,
        format!("{} {}", &code[..3], &code[3..]),
        "read in two groups of three"
    );
    assert!(
        kiosk
            .text(".pairing")
            .await
            .contains("Quản trị › Thiết bị › Ghép nối thiết bị"),
        "the steps, in Vietnamese first"
    );
    kiosk.assert_accessible("the kiosk's pairing code").await;
    kiosk.screenshot("pairing-kiosk-1080x1920").await;

    // A reload shows the same code: the page kept its secret.
    kiosk.goto(&hall.url("/kiosk/")).await;
    assert_eq!(shown_code(&kiosk).await, code);

    let (status, accepted) = admin
        .post(
            &format!("/api/pairings/{code}/accept"),
            json!({"name": "kiosk-sanh"}),
        )
        .await;
    assert_eq!(status, 201, "{accepted}");
    kiosk
        .wait_for(
            "the fields, live",
            "document.body.dataset.screen === 'start' && document.body.dataset.connected === 'true' && document.querySelector('button[data-field=A]')",
        )
        .await;
    assert!(
        kiosk
            .eval("localStorage.getItem('motcua.kiosk.token')")
            .await
            .is_string(),
        "the token is kept"
    );
    assert_eq!(
        kiosk
            .eval("localStorage.getItem('motcua.pairing.kiosk')")
            .await,
        Value::Null,
        "the pairing's secret is forgotten"
    );
    // Its feed opened with its token: the admin sees it alive.
    until("the kiosk seen", || async {
        device(&admin, "kiosk-sanh")
            .await
            .is_some_and(|d| d["last_seen_at"].is_string())
    })
    .await;
    kiosk.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tv_opened_to_pair_shows_its_code_follows_the_hall_with_its_token_and_pairs_again_when_revoked()
 {
    let hall = TestHall::start().await;
    let admin = hall.staff("quan-tri", Role::Admin).await;
    let tv = Browser::open(1920, 1080).await;
    tv.goto(&hall.url("/display/?pair")).await;
    let code = shown_code(&tv).await;
    tv.assert_accessible("the TV's pairing code").await;
    tv.screenshot("pairing-display-1920x1080").await;

    let (status, seen) = admin.get(&format!("/api/pairings/{code}")).await;
    assert_eq!((status, &seen["kind"]), (200, &json!("display")), "{seen}");
    let (status, accepted) = admin
        .post(
            &format!("/api/pairings/{code}/accept"),
            json!({"name": "tv-sanh"}),
        )
        .await;
    assert_eq!(status, 201, "{accepted}");
    tv.wait_for(
        "the hall, live",
        "document.body.dataset.connected === 'true' && !document.body.dataset.pairing && !document.getElementById('hall').hidden",
    )
    .await;
    assert!(
        !tv.eval("location.search")
            .await
            .to_string()
            .contains("pair")
    );
    until("the TV seen", || async {
        device(&admin, "tv-sanh")
            .await
            .is_some_and(|d| d["last_seen_at"].is_string())
    })
    .await;

    // Revoked: its feed closes, and it shows a new code instead of the hall.
    let id = device(&admin, "tv-sanh").await.expect("the TV")["id"]
        .as_i64()
        .expect("id");
    let (status, _) = admin
        .post(&format!("/api/devices/{id}/revoke"), json!({}))
        .await;
    assert_eq!(status, 200);
    let again = shown_code(&tv).await;
    assert_ne!(again, code, "a new code");
    assert_eq!(
        tv.eval("document.getElementById('hall').hidden").await,
        true
    );
    tv.close().await;
}
