//! Taking credentials away (issue 12, "nothing can be revoked"): a revoked device's token
//! is refused and its open sockets close at once; a disabled member of staff is signed out
//! everywhere at once and their console's socket closes; they can be enabled again; a new
//! password replaces the old; devices are listed with where they were last seen. The
//! command line's path is tested the way it runs: a second connection to the same SQLite
//! file changes the rows while the server is serving.

use futures_util::StreamExt;
use motcua_domain::{DeviceKind, Role};
use motcua_store::{self as store, accounts};
use motcua_tests::{Client, Socket, TestHall, error_code, next_json};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Wait (at most 10 s, so a socket left open fails the test instead of hanging it) until
/// the server closes `socket`: a close frame, an error or the end of the stream.
async fn closes(what: &str, socket: &mut Socket) {
    let wait = std::time::Duration::from_secs(10);
    loop {
        let next = tokio::time::timeout(wait, socket.next())
            .await
            .unwrap_or_else(|_| panic!("{what}: the socket is still open after 10 s"));
        match next {
            None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
            // Frames already on their way, pings.
            Some(Ok(_)) => continue,
        }
    }
}

/// Open a WebSocket with extra headers (a session cookie), past its first frame.
async fn open(hall: &TestHall, path: &str, cookie: Option<&str>) -> Socket {
    let mut request = format!("{}{}", hall.ws_base, path)
        .into_client_request()
        .expect("ws request");
    if let Some(cookie) = cookie {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().expect("cookie header"));
    }
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .unwrap_or_else(|e| panic!("open {path}: {e}"));
    let first = next_json(&mut socket).await;
    assert_eq!(first["type"], "snapshot", "{path} starts with a snapshot");
    socket
}

/// Sign in as a browser does and keep the session cookie (`name=value`).
async fn session_cookie(hall: &TestHall, name: &str, password: &str) -> Result<String, u16> {
    let resp = reqwest::Client::new()
        .post(hall.url("/api/session"))
        .json(&json!({"name": name, "password": password}))
        .send()
        .await
        .expect("login request");
    if resp.status().as_u16() != 200 {
        return Err(resp.status().as_u16());
    }
    Ok(resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("motcua_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_owned())
}

/// `GET /api/session` with a cookie: the status.
async fn whoami(hall: &TestHall, cookie: &str) -> u16 {
    reqwest::Client::new()
        .get(hall.url("/api/session"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

fn password_of(name: &str) -> String {
    format!("{name}-secret-pw")
}

/// The id of the device or user named `name` in the admins' lists.
async fn id_in(admin: &Client, list: &str, name: &str) -> i64 {
    let (status, body) = admin.get(&format!("/api/{list}")).await;
    assert_eq!(status, 200, "list {list}: {body}");
    body[list]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["name"] == name))
        .and_then(|r| r["id"].as_i64())
        .unwrap_or_else(|| panic!("{name} in {list}: {body}"))
}

#[tokio::test]
async fn a_revoked_kiosk_is_refused_and_its_sockets_close_at_once() {
    let hall = TestHall::start().await;
    let admin = hall.staff("admin", Role::Admin).await;
    let kiosk_token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let printer_token = hall.printer("printer-1", "kiosk-1");
    let kiosk = hall.device_with_token(kiosk_token.clone());
    kiosk.issue("A", "none").await;
    let mut kiosk_feed = open(&hall, &format!("/ws/kiosk?token={kiosk_token}"), None).await;
    let (mut agent, _) = tokio_tungstenite::connect_async(format!(
        "{}/ws/printer?token={printer_token}",
        hall.ws_base
    ))
    .await
    .expect("the print agent connects");
    // The kiosk hears its printer come online: the agent is registered.
    loop {
        let frame = next_json(&mut kiosk_feed).await;
        if frame["type"] == "printer" && frame["printer"]["connected"] == true {
            break;
        }
    }
    // A display opened with the kiosk's token, and one without: only the first is its.
    let mut with_token = open(&hall, &format!("/ws/hall?token={kiosk_token}"), None).await;
    let mut anonymous = open(&hall, "/ws/hall", None).await;

    let id = id_in(&admin, "devices", "kiosk-1").await;
    let (status, body) = admin
        .post(&format!("/api/devices/{id}/revoke"), json!({}))
        .await;
    assert_eq!(status, 200, "revoke: {body}");
    assert!(body["device"]["revoked_at"].is_string(), "{body}");

    closes("the revoked kiosk's feed", &mut kiosk_feed).await;
    closes("the hall feed opened with its token", &mut with_token).await;
    let (status, body) = kiosk
        .post("/api/tickets", json!({"service": "A", "priority": "none"}))
        .await;
    assert_eq!(status, 401, "a revoked kiosk issues nothing: {body}");
    assert_eq!(error_code(&body), "unauthenticated");
    let refused =
        tokio_tungstenite::connect_async(format!("{}/ws/kiosk?token={kiosk_token}", hall.ws_base))
            .await;
    assert!(
        matches!(&refused, Err(tokio_tungstenite::tungstenite::Error::Http(r)) if r.status() == 401),
        "the kiosk's feed refuses it: {refused:?}"
    );
    let (status, body) = admin
        .post(&format!("/api/devices/{id}/revoke"), json!({}))
        .await;
    assert_eq!(status, 409, "twice: {body}");
    assert_eq!(error_code(&body), "device_revoked");

    // Its printer has a token of its own: revoked too, its agent is cut off.
    let printer = id_in(&admin, "devices", "printer-1").await;
    let (status, body) = admin
        .post(&format!("/api/devices/{printer}/revoke"), json!({}))
        .await;
    assert_eq!(status, 200, "revoke the printer: {body}");
    closes("the revoked printer's agent", &mut agent).await;

    // Anyone's public feed is untouched.
    let staff_kiosk = hall.clerk_at("canbo1", 1).await;
    staff_kiosk.issue("A", "none").await;
    let frame = next_json(&mut anonymous).await;
    assert!(
        frame["type"] == "snapshot" || frame["kind"].is_string(),
        "the anonymous hall feed carries on: {frame}"
    );
}

#[tokio::test]
async fn a_disabled_clerk_is_signed_out_at_once_and_their_console_closes() {
    let hall = TestHall::start().await;
    let admin = hall.staff("admin", Role::Admin).await;
    let clerk = hall.clerk_at("canbo1", 1).await;
    let cookie = session_cookie(&hall, "canbo1", &password_of("canbo1"))
        .await
        .expect("the clerk signs in on the console too");
    let mut console = open(&hall, "/ws/counters/1", Some(&cookie)).await;
    let mut display = open(&hall, "/ws/counters/1", None).await;

    let id = id_in(&admin, "users", "canbo1").await;
    let (status, body) = admin
        .post(&format!("/api/users/{id}/disable"), json!({}))
        .await;
    assert_eq!(status, 200, "disable: {body}");
    assert!(body["user"]["disabled_at"].is_string(), "{body}");

    closes("the disabled clerk's console", &mut console).await;
    assert_eq!(
        whoami(&hall, &cookie).await,
        401,
        "the console's session ended"
    );
    let (status, body) = clerk.post("/api/counters/1/call-next", json!({})).await;
    assert_eq!(status, 401, "the first session ended too: {body}");
    assert_eq!(
        session_cookie(&hall, "canbo1", &password_of("canbo1")).await,
        Err(401),
        "a disabled clerk cannot sign in"
    );
    // The counter's own display (no credential) carries on; the counter stays as it was.
    let (status, counter) = admin.get("/api/counters/1").await;
    assert_eq!(status, 200);
    assert_eq!(counter["counter"]["state"], "open", "{counter}");
    kiosk_issue(&hall).await;
    let frame = next_json(&mut display).await;
    assert_eq!(frame["kind"], "issued", "the display still hears: {frame}");

    // Enabled again, the same password works.
    let (status, body) = admin
        .post(&format!("/api/users/{id}/enable"), json!({}))
        .await;
    assert_eq!(status, 200, "enable: {body}");
    assert_eq!(body["user"]["disabled_at"], Value::Null);
    let cookie = session_cookie(&hall, "canbo1", &password_of("canbo1"))
        .await
        .expect("signs in again");
    assert_eq!(whoami(&hall, &cookie).await, 200);
    let (status, body) = admin
        .post(&format!("/api/users/{id}/enable"), json!({}))
        .await;
    assert_eq!(status, 409, "enabled twice: {body}");
    assert_eq!(error_code(&body), "user_enabled");
}

async fn kiosk_issue(hall: &TestHall) {
    hall.device("kiosk-x", DeviceKind::Kiosk)
        .issue("A", "none")
        .await;
}

#[tokio::test]
async fn a_new_password_replaces_the_old_one_and_ends_the_sessions() {
    let hall = TestHall::start().await;
    let admin = hall.staff("admin", Role::Admin).await;
    let clerk = hall.staff("canbo1", Role::Clerk).await;
    let id = id_in(&admin, "users", "canbo1").await;
    let new = "Ngựa vằn nhảy qua cầu 2026";
    let (status, body) = admin
        .post(
            &format!("/api/users/{id}/password"),
            json!({"password": "short"}),
        )
        .await;
    assert_eq!(status, 422, "the password policy holds: {body}");
    assert_eq!(
        whoami_client(&clerk).await,
        200,
        "a refused reset changes nothing"
    );
    let (status, body) = admin
        .post(
            &format!("/api/users/{id}/password"),
            json!({"password": new}),
        )
        .await;
    assert_eq!(status, 200, "reset: {body}");
    assert_eq!(whoami_client(&clerk).await, 401, "the old session ended");
    assert_eq!(
        session_cookie(&hall, "canbo1", &password_of("canbo1")).await,
        Err(401),
        "the old password fails"
    );
    assert!(
        session_cookie(&hall, "canbo1", new).await.is_ok(),
        "the new one works"
    );
    let (status, body) = admin
        .post("/api/users/999/password", json!({"password": new}))
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(error_code(&body), "user_not_found");
}

async fn whoami_client(client: &Client) -> u16 {
    client.get("/api/session").await.0
}

#[tokio::test]
async fn devices_are_listed_with_when_and_where_they_were_last_seen() {
    let hall = TestHall::start().await;
    let admin = hall.staff("admin", Role::Admin).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    hall.device("tv-1", DeviceKind::Display);
    kiosk.issue("A", "none").await;
    let (status, body) = admin.get("/api/devices").await;
    assert_eq!(status, 200, "{body}");
    let devices = body["devices"].as_array().expect("devices");
    let seen = devices
        .iter()
        .find(|d| d["name"] == "kiosk-1")
        .expect("kiosk");
    assert_eq!(seen["last_seen_addr"], "127.0.0.1", "{seen}");
    assert!(
        seen["last_seen_at"]
            .as_str()
            .is_some_and(|t| t.ends_with("+07:00")),
        "the hall's local time: {seen}"
    );
    assert_eq!(seen["kind"], "kiosk");
    assert_eq!(seen["revoked_at"], Value::Null);
    let never = devices.iter().find(|d| d["name"] == "tv-1").expect("tv");
    assert_eq!(never["last_seen_at"], Value::Null, "{never}");
    // Written down too (once, not per request), for `motcua device list`.
    motcua_tests::until("the last sign of life written down", || async {
        let conn = store::open_for_admin(hall.data_dir()).expect("open db");
        accounts::devices(&conn)
            .expect("devices")
            .iter()
            .any(|d| d.device.name == "kiosk-1" && d.last_seen_addr.as_deref() == Some("127.0.0.1"))
    })
    .await;
}

#[tokio::test]
async fn the_command_line_revokes_and_disables_while_the_server_runs() {
    let hall = TestHall::start().await;
    hall.staff("admin", Role::Admin).await;
    let kiosk_token = hall.device_token("kiosk-1", DeviceKind::Kiosk);
    let mut kiosk_feed = open(&hall, &format!("/ws/kiosk?token={kiosk_token}"), None).await;
    hall.clerk_at("canbo1", 1).await;
    let cookie = session_cookie(&hall, "canbo1", &password_of("canbo1"))
        .await
        .expect("signs in");
    let mut console = open(&hall, "/ws/counters/1", Some(&cookie)).await;

    // What `motcua device revoke kiosk-1` runs: its own connection to the file.
    {
        let conn = store::open_for_admin(hall.data_dir()).expect("open db");
        let id = motcua_hall::access::device_named(&conn, "kiosk-1").expect("the kiosk");
        motcua_hall::access::revoke_device(&conn, id, 0).expect("revoke");
    }
    closes(
        "the kiosk's feed, revoked from the command line",
        &mut kiosk_feed,
    )
    .await;

    // What `motcua user disable canbo1` runs.
    {
        let conn = store::open_for_admin(hall.data_dir()).expect("open db");
        let id = motcua_hall::access::user_named(&conn, "canbo1").expect("the clerk");
        let tx = conn.unchecked_transaction().expect("begin");
        motcua_hall::access::disable_user(&tx, id, None, 0).expect("disable");
        tx.commit().expect("commit");
    }
    closes("the console, disabled from the command line", &mut console).await;
    assert_eq!(whoami(&hall, &cookie).await, 401);
}

#[tokio::test]
async fn an_admin_cannot_disable_themselves_nor_the_last_admin() {
    let hall = TestHall::start().await;
    let admin = hall.staff("admin", Role::Admin).await;
    let me = id_in(&admin, "users", "admin").await;
    let (status, body) = admin
        .post(&format!("/api/users/{me}/disable"), json!({}))
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(error_code(&body), "own_account");
    // From the command line (nobody signed in), the last admin stays.
    let conn = store::open_for_admin(hall.data_dir()).expect("open db");
    let refused = motcua_hall::access::disable_user(&conn, me, None, 0).expect_err("refused");
    assert_eq!(
        motcua_web::AppError::from(refused).code(),
        "last_admin",
        "the last admin cannot be disabled"
    );
    // With a second admin, one may disable the other.
    let second = hall.staff("admin2", Role::Admin).await;
    let (status, body) = second
        .post(&format!("/api/users/{me}/disable"), json!({}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(whoami_client(&admin).await, 401);
    for path in [
        "/api/users/999/disable",
        "/api/users/abc/enable",
        "/api/devices/999/revoke",
    ] {
        let (status, body) = second.post(path, json!({})).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
}

#[tokio::test]
async fn only_admins_may_list_revoke_or_disable() {
    let hall = TestHall::start().await;
    hall.staff("admin", Role::Admin).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    let clerk = hall.staff("canbo1", Role::Clerk).await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let nobody = hall.anonymous();
    for (who, client, want) in [
        ("a manager", &manager, 403),
        ("a clerk", &clerk, 403),
        ("a kiosk", &kiosk, 403),
        ("nobody", &nobody, 401),
    ] {
        for (path, post) in [
            ("/api/users", false),
            ("/api/devices", false),
            ("/api/devices/1/revoke", true),
            ("/api/users/1/disable", true),
            ("/api/users/1/enable", true),
            ("/api/users/1/password", true),
        ] {
            let (status, body) = if post {
                client
                    .post(path, json!({"password": "whatever-long-enough"}))
                    .await
            } else {
                client.get(path).await
            };
            assert_eq!(status, want, "{path} as {who}: {body}");
        }
    }
    let conn = store::open_for_admin(hall.data_dir()).expect("open db");
    assert!(accounts::revoked_device_ids(&conn).expect("ids").is_empty());
    assert!(accounts::disabled_user_ids(&conn).expect("ids").is_empty());
}
