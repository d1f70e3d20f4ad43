//! The kiosk is built on the front-end kit (`shared-web/`, served at `/shared/`): it keeps no
//! API client, live feed, element builder, translation helper or font declarations of its own,
//! and what the kit's feed gives it (stop following once the token is refused) it uses.

use motcua_domain::{DeviceKind, Role};
use motcua_tests::browser::Browser;
use motcua_tests::{TestHall, until};
use serde_json::json;
use std::path::PathBuf;

/// Every file of kiosk-web/ with its text.
fn kiosk_files() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../kiosk-web");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("kiosk-web")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let text = std::fs::read_to_string(&p).expect("read");
            (name, text)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_kiosk_uses_the_kit_and_keeps_no_copy_of_it() {
    let files = kiosk_files();
    let all_js: String = files
        .iter()
        .filter(|(n, _)| n.ends_with(".js"))
        .map(|(_, t)| t.as_str())
        .collect();
    for module in ["api.js", "feed.js", "i18n.js", "el.js", "clock.js"] {
        assert!(
            all_js.contains(&format!("from '/shared/{module}'")),
            "the kiosk imports the kit's {module}"
        );
    }
    // What the kit does, the kiosk does not do again.
    for (name, text) in &files {
        let own = [
            ("new WebSocket", "a feed of its own"),
            ("fetch(", "an API client of its own"),
            ("createElement(", "an element builder of its own"),
            ("innerHTML", "HTML strings"),
            ("@font-face", "fonts declared again"),
            ("user-scalable", "zoom forbidden in the viewport"),
            ("maximum-scale", "zoom limited in the viewport"),
        ];
        for (needle, what) in own {
            assert!(
                !text.contains(needle),
                "kiosk-web/{name} has {what} ({needle:?})"
            );
        }
        if name.ends_with(".js") {
            assert!(
                text.lines().count() <= 600,
                "kiosk-web/{name} is over 600 lines: split it by concern"
            );
        }
    }
    let index = &files
        .iter()
        .find(|(n, _)| n == "index.html")
        .expect("index.html")
        .1;
    let tokens = index
        .find("/shared/tokens.css")
        .expect("the page links the kit's tokens");
    let own = index.find("kiosk.css").expect("and its own stylesheet");
    assert!(tokens < own, "the kit's tokens first, then the kiosk's own");
    // Zoom is not forbidden in the viewport (axe's meta-viewport); a passing hand still does not
    // pinch the kiosk: its root takes no pinch or pan gesture.
    let css = &files
        .iter()
        .find(|(n, _)| n == "kiosk.css")
        .expect("kiosk.css")
        .1;
    let root = &css[css.find("\nhtml {").expect("an html rule")..];
    let root = &root[..root.find('}').expect("its end")];
    assert!(
        root.contains("touch-action: none;"),
        "the kiosk's root takes no pinch: {root}"
    );
}

/// How many hall feeds are open, as `/metrics` says.
async fn hall_feeds(hall: &TestHall) -> i64 {
    let (status, _, body) = hall.anonymous().get_bytes("/metrics").await;
    assert_eq!(status, 200);
    let text = String::from_utf8(body).expect("text");
    let prefix = "motcua_live_sockets{feed=\"hall\"} ";
    text.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {prefix} in:\n{text}"))
}

/// A kiosk whose token an administrator revokes shows the pairing screen, says why, forgets
/// the token and stops following the hall (the kit's feed stops when told to).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_kiosk_says_so_forgets_its_token_and_stops_following() {
    let hall = TestHall::start().await;
    let admin = hall.staff("admin", Role::Admin).await;
    let token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let _clerk = hall.clerk_at("lan", 1).await;
    let kiosk = Browser::open(1080, 1920).await;
    kiosk
        .goto(&hall.url(&format!("/kiosk/?token={token}")))
        .await;
    kiosk
        .wait_for(
            "the start screen, live",
            "document.body.dataset.screen === 'start' && document.body.dataset.connected === 'true'",
        )
        .await;
    until("the kiosk's hall feed", || async {
        hall_feeds(&hall).await == 1
    })
    .await;

    let (status, list) = admin.get("/api/devices").await;
    assert_eq!(status, 200, "{list}");
    let id = list["devices"]
        .as_array()
        .and_then(|l| l.iter().find(|d| d["name"] == "kiosk-1"))
        .and_then(|d| d["id"].as_i64())
        .unwrap_or_else(|| panic!("kiosk-1 in {list}"));
    let (status, body) = admin
        .post(&format!("/api/devices/{id}/revoke"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");

    let said = kiosk
        .wait_for(
            "the pairing screen",
            "document.body.dataset.screen === 'unpaired' && document.querySelector('.revoked')?.innerText",
        )
        .await;
    assert_eq!(said, "Mã ghép nối của máy này không còn hiệu lực.");
    assert_eq!(
        kiosk
            .eval("localStorage.getItem('motcua.kiosk.token')")
            .await,
        serde_json::Value::Null,
        "the token is forgotten"
    );
    // It stops following the hall (it still asks /api/services for the hall's name), and
    // does not knock again (the feed's first retry would
    // come within 0.6 s; the checks below take longer than that).
    until("the hall feed closed", || async {
        hall_feeds(&hall).await == 0
    })
    .await;
    hall.device("kiosk-2", DeviceKind::Kiosk)
        .issue("A", "none")
        .await;
    kiosk.assert_accessible("the revoked kiosk").await;
    assert_eq!(hall_feeds(&hall).await, 0, "no feed opened again");
    assert_eq!(kiosk.eval("document.body.dataset.screen").await, "unpaired");
    kiosk.close().await;
}
