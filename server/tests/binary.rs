//! The real `motcua` binary: its command line, its start-up, and what survives `kill -9`.

// The helpers outside the #[test] functions assert too.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use reqwest::blocking::Client;
use serde_json::{Value, json};
use std::process::Command;

mod common;

use common::{BIN, Server, add_kiosk, motcua};

#[test]
fn the_demo_starts_with_no_config_and_shows_its_accounts_only_the_first_time() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = Server::start(data.path(), &[]);
    assert!(server.banner.contains("demo accounts"), "{}", server.banner);
    assert!(server.banner.contains("canbo1"), "{}", server.banner);
    let services: Value = Client::new()
        .get(format!("{}/api/services", server.base))
        .send()
        .and_then(|r| r.json())
        .expect("services");
    assert_eq!(services["services"].as_array().map(Vec::len), Some(5));
    server.kill_9();
    let again = Server::start(data.path(), &[]);
    assert!(
        !again.banner.contains("demo accounts"),
        "only on first start: {}",
        again.banner
    );
    again.kill_9();
}

#[test]
fn every_acknowledged_ticket_survives_kill_9_and_numbering_continues() {
    let data = tempfile::tempdir().expect("temp dir");
    let token = add_kiosk(data.path(), "kiosk-1");
    let server = Server::start_unlimited(data.path(), &[]);
    // Four kiosks issue as fast as they can; the server is killed while they do.
    let (tx, rx) = std::sync::mpsc::channel::<Value>();
    let mut kiosks = Vec::new();
    for service in ["A", "B", "C", "D"] {
        let (tx, base, token) = (tx.clone(), server.base.clone(), token.clone());
        kiosks.push(std::thread::spawn(move || {
            let client = Client::new();
            for _ in 0..500 {
                let sent = client
                    .post(format!("{base}/api/tickets"))
                    .bearer_auth(&token)
                    .json(&json!({"service": service}))
                    .send();
                let Ok(resp) = sent else { return }; // the server is gone
                if resp.status() != 201 {
                    return;
                }
                let Ok(ticket) = resp.json::<Value>() else {
                    return;
                };
                if tx.send(ticket).is_err() {
                    return;
                }
            }
        }));
    }
    drop(tx);
    let mut acknowledged = Vec::new();
    while acknowledged.len() < 100 {
        acknowledged.push(rx.recv().expect("tickets keep coming"));
    }
    server.kill_9();
    for kiosk in kiosks {
        kiosk.join().expect("kiosk thread");
    }
    acknowledged.extend(rx.try_iter());

    let server = Server::start(data.path(), &[]);
    let client = Client::new();
    for t in &acknowledged {
        let token = t["token"].as_str().expect("token");
        let seen = client
            .get(format!("{}/api/tickets/{token}", server.base))
            .send()
            .expect("status");
        assert_eq!(
            seen.status(),
            200,
            "ticket {} was acknowledged, then lost",
            t["code"]
        );
        let seen: Value = seen.json().expect("json");
        assert_eq!(seen["code"], t["code"]);
    }
    // Numbering continues after the highest number given, acknowledged or not.
    let number = |t: &Value| -> u32 {
        t["code"].as_str().expect("code")[1..]
            .parse()
            .expect("number")
    };
    let highest_a = acknowledged
        .iter()
        .filter(|t| t["service"] == "A")
        .map(number)
        .max()
        .unwrap_or(0);
    let next: Value = client
        .post(format!("{}/api/tickets", server.base))
        .bearer_auth(&token)
        .json(&json!({"service": "A"}))
        .send()
        .and_then(|r| r.json())
        .expect("issue");
    assert!(
        number(&next) > highest_a,
        "{} after A{highest_a:03}: a number was given twice",
        next["code"]
    );
    server.kill_9();
}

#[test]
fn user_add_reads_the_password_from_stdin_and_that_user_can_sign_in() {
    let data = tempfile::tempdir().expect("temp dir");
    let out = motcua(
        &["user", "add", "Nguyễn Thị Lan", "--role", "clerk"],
        data.path(),
        Some("mật-khẩu-dài\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = Server::start(data.path(), &[]);
    let client = Client::new();
    let login = |password: &str| {
        client
            .post(format!("{}/api/session", server.base))
            .json(&json!({"name": "Nguyễn Thị Lan", "password": password}))
            .send()
            .expect("login")
    };
    let ok = login("mật-khẩu-dài");
    assert_eq!(ok.status(), 200);
    assert!(
        ok.headers()["set-cookie"]
            .to_str()
            .expect("cookie")
            .contains("HttpOnly")
    );
    let body: Value = ok.json().expect("json");
    assert_eq!(body["user"]["role"], "clerk");
    assert_eq!(login("sai mật khẩu").status(), 401);
    // A second user with the same name is refused.
    let again = motcua(
        &["user", "add", "Nguyễn Thị Lan", "--role", "admin"],
        data.path(),
        Some("another-password\n"),
    );
    assert!(!again.status.success());
    server.kill_9();
}

#[test]
fn user_add_refuses_a_weak_password_and_says_why_vietnamese_first() {
    let data = tempfile::tempdir().expect("temp dir");
    for weak in [
        "12345678\n",
        "        \n",
        "motcua2025!\n",
        "phuongmau2025\n",
    ] {
        let out = motcua(
            &["user", "add", "lan", "--role", "clerk"],
            data.path(),
            Some(weak),
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{weak:?} was accepted");
        let (vi, en) = (err.find("mật khẩu quá yếu"), err.find("weak password"));
        assert!(vi.is_some() && vi < en, "{weak:?}: {err}");
    }
    // Nothing was added: the name is still free for a good password.
    let out = motcua(
        &["user", "add", "lan", "--role", "clerk"],
        data.path(),
        Some("tulip ferry granite 88\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_bad_config_is_refused_with_the_key_and_the_reason() {
    let data = tempfile::tempdir().expect("temp dir");
    let config = data.path().join("hall.toml");
    let serve = |text: &str| {
        std::fs::write(&config, text).expect("write config");
        let out = motcua(
            &[
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--config",
                config.to_str().expect("path"),
            ],
            data.path(),
            None,
        );
        assert!(!out.status.success(), "a bad config must stop the server");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(serve("[hall]\ntimezone = \"Mars/Olympus\"\n").contains("hall.timezone"));
    assert!(serve("[hall]\nnmae = \"typo\"\n").contains("nmae"));
    assert!(
        serve("[queue]\npriority_streak_limit = \"three\"\n").contains("priority_streak_limit")
    );
}

#[test]
fn the_example_config_in_deploy_starts_as_shipped() {
    let data = tempfile::tempdir().expect("temp dir");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/motcua.example.toml");
    // --data and --listen override the example's /var/lib path and port 8080.
    let server = Server::start(data.path(), &["--config", example]);
    assert!(
        server.banner.contains("5 fields, 4 counters"),
        "{}",
        server.banner
    );
    assert!(
        !server.banner.contains("demo accounts"),
        "a configured hall makes no demo accounts"
    );
    let health = Client::new()
        .get(format!("{}/healthz", server.base))
        .send()
        .expect("healthz");
    assert_eq!(health.status(), 200);
    server.kill_9();
}

#[test]
fn a_device_added_while_the_server_runs_can_issue_at_once() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = Server::start(data.path(), &[]);
    let token = add_kiosk(data.path(), "kiosk-late");
    let resp = Client::new()
        .post(format!("{}/api/tickets", server.base))
        .bearer_auth(&token)
        .json(&json!({"service": "C", "priority": "pregnant"}))
        .send()
        .expect("issue");
    assert_eq!(resp.status(), 201);
    let ticket: Value = resp.json().expect("json");
    assert_eq!(ticket["code"], "C001");
    // Only a hash of the token is kept.
    let db = std::fs::read(data.path().join("motcua.sqlite3")).expect("db file");
    let wal = std::fs::read(data.path().join("motcua.sqlite3-wal")).unwrap_or_default();
    let needle = token.as_bytes();
    let stored = |bytes: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(
        !stored(&db) && !stored(&wal),
        "the device token is stored in clear"
    );
    server.kill_9();
}

#[test]
fn the_config_may_be_named_in_the_environment_beside_the_collectors_variables() {
    let data = tempfile::tempdir().expect("temp dir");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/motcua.example.toml");
    // MOTCUA_CONFIG and the collector's MOTCUA_CITY_DATA, MOTCUA_CITY_DATABASE, ... belong to
    // the command line, not to the settings,
    // and MOTCUA_TEST_POSTGRES to the tests (scripts/test exports it for the whole run).
    let mut command = Command::new(BIN);
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data.path())
        .env("MOTCUA_CONFIG", example)
        .env("MOTCUA_CITY_DATA", data.path())
        .env(
            "MOTCUA_CITY_DATABASE",
            "postgres://motcua:secret@127.0.0.1:5433/motcua",
        )
        .env("MOTCUA_CITY_RETENTION_MONTHS", "12")
        .env(
            "MOTCUA_TEST_POSTGRES",
            "postgres://motcua@127.0.0.1:5433/postgres",
        );
    let server = Server::spawn(command);
    assert!(
        server.banner.contains("5 fields, 4 counters") && !server.banner.contains("demo accounts"),
        "started on the example config: {}",
        server.banner
    );
}

#[test]
fn city_hall_add_prints_the_code_and_secret_once_and_keeps_no_secret_in_the_database() {
    use std::os::unix::fs::PermissionsExt;
    let data = tempfile::tempdir().expect("temp dir");
    let out = motcua(
        &["city", "hall", "add", "UBND phường Hàng Bạc"],
        data.path(),
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let value = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or_else(|| panic!("a {key} line in {stdout:?}"))
            .to_owned()
    };
    let (code, secret) = (value("hall"), value("secret"));
    assert!(code.starts_with("hall-"), "{code}");
    assert_eq!(secret.len(), 64);
    // The master key is the owner's alone; the database holds neither it nor the secret.
    let key = data.path().join("city.key");
    let mode = std::fs::metadata(&key)
        .expect("city.key")
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "city.key is readable by its owner only"
    );
    let db = std::fs::read(data.path().join("city.sqlite3")).expect("db");
    let wal = std::fs::read(data.path().join("city.sqlite3-wal")).unwrap_or_default();
    let master = std::fs::read_to_string(&key).expect("key");
    for (name, bytes) in [("database", &db), ("WAL", &wal)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(&secret), "the secret is in the {name}");
        assert!(
            !text.contains(master.trim()),
            "the master key is in the {name}"
        );
    }
    // A second hall gets another code and secret.
    let again = motcua(
        &["city", "hall", "add", "UBND xã Sóc Sơn"],
        data.path(),
        None,
    );
    let again = String::from_utf8(again.stdout).expect("utf-8");
    assert!(
        !again.contains(&secret) && !again.contains(&code),
        "{again}"
    );
}

#[test]
fn a_new_collector_says_how_to_add_an_account_and_a_hall() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut command = Command::new(BIN);
    command
        .args(["city", "serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data.path());
    let banner = Server::spawn(command).banner.clone();
    assert!(banner.contains("/city/"), "{banner}");
    assert!(banner.contains("motcua city user add"), "{banner}");
    assert!(banner.contains("motcua city hall add"), "{banner}");
}

#[test]
fn city_halls_are_placed_recoded_and_merged_from_the_command_line() {
    let data = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str]| {
        let out = motcua(args, data.path(), None);
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.success(), text(&out.stdout), text(&out.stderr))
    };
    let value = |stdout: &str, key: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key} = \"")))
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or_else(|| panic!("a {key} line in {stdout:?}"))
            .to_owned()
    };
    let (ok, a, err) = run(&["city", "hall", "add", "Xã Phú Minh", "--province", "Hà Nội"]);
    assert!(ok, "{err}");
    let a = value(&a, "hall");
    let (ok, b, err) = run(&["city", "hall", "add", "Xã Phú Cường"]);
    assert!(ok, "{err}");
    let b = value(&b, "hall");
    let (ok, _, err) = run(&["city", "hall", "province", &b, "Hà Nội"]);
    assert!(ok && err.contains("Hà Nội"), "{err}");

    // A commune renamed: a new code and name, the old code among its former ones, a new
    // secret printed once.
    let (ok, out, err) = run(&[
        "city",
        "hall",
        "recode",
        &a,
        "xa-phu-minh",
        "--name",
        "Xã Phú Minh mới",
    ]);
    assert!(ok, "{err}");
    assert_eq!(value(&out, "hall"), "xa-phu-minh");
    assert_eq!(value(&out, "secret").len(), 64);
    assert!(err.contains(&a) && err.contains("history"), "{err}");
    // Two communes become one.
    let (ok, _, err) = run(&["city", "hall", "merge", &b, "--into", "xa-phu-minh"]);
    assert!(ok, "{err}");
    // What cannot be done is said, and changes nothing.
    for (args, says) in [
        (
            vec!["city", "hall", "merge", "xa-phu-minh", "--into", &b],
            "not itself merged",
        ),
        (
            vec!["city", "hall", "recode", "hall-000000000000", "x-y-z"],
            "no hall has the code",
        ),
        (vec!["city", "hall", "recode", &b, "Mã Sai"], "lower-case"),
        (vec!["city", "region", "add", "Hà Nội"], "PostgreSQL"),
        (vec!["city", "reader", "analyst"], "PostgreSQL"),
    ] {
        let (ok, _, err) = run(&args);
        assert!(!ok && err.contains(says), "{args:?}: {err}");
    }

    let conn = rusqlite::Connection::open(data.path().join("city.sqlite3")).expect("db");
    let halls: Vec<(String, String, String, Option<String>, String)> = conn
        .prepare(
            "SELECT h.code, h.name, h.province, m.code, h.former_codes FROM halls h
             LEFT JOIN halls m ON m.id = h.merged_into ORDER BY h.id",
        )
        .and_then(|mut s| {
            s.query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()
        })
        .expect("halls");
    assert_eq!(
        halls,
        [
            (
                "xa-phu-minh".to_owned(),
                "Xã Phú Minh mới".to_owned(),
                "Hà Nội".to_owned(),
                None,
                format!("[\"{a}\"]")
            ),
            (
                b.clone(),
                "Xã Phú Cường".to_owned(),
                "Hà Nội".to_owned(),
                Some("xa-phu-minh".to_owned()),
                "[]".to_owned()
            ),
        ]
    );
}
