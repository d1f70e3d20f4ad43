//! Deploying a hall: backups and restores through the real binary while kiosks issue,
//! upgrades of the database, the configuration reference checked against the code, and
//! everything in `deploy/`: the install script into a temp root, the systemd units, the
//! Dockerfile, the kiosk launcher and the reverse-proxy examples.
//!
//! The linters these tests run (shellcheck, hadolint, systemd-analyze) are installed by
//! `scripts/test`; a missing one fails the test, it never skips it.

// The helpers outside the #[test] functions assert too.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use figment::providers::Format;
use motcua_hall::config::{PrinterSettings, ServiceSettings, Settings};
use reqwest::blocking::Client;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

mod common;

use common::{BIN, Server, motcua};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_owned()
}

fn deploy(path: &str) -> PathBuf {
    repo().join("deploy").join(path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn add_kiosk(data: &Path) -> String {
    common::add_kiosk(data, "kiosk-1")
}

/// A tool the tests drive; `scripts/test` installs it. Missing fails, it never skips.
fn tool(name: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{name} is missing: ./scripts/test installs it (see the linters there)"
    );
    Command::new(name)
}

fn open(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn has_token(db: &Path, token: &str) -> bool {
    open(db)
        .query_row(
            "SELECT count(*) FROM tickets WHERE token = ?1",
            [token],
            |r| r.get::<_, i64>(0),
        )
        .expect("query")
        == 1
}

// ---- backups and restores -----------------------------------------------------------

#[test]
fn a_backup_taken_while_kiosks_issue_restores_to_a_hall_with_every_acknowledged_ticket() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let token = add_kiosk(&data);
    let server = Server::start_unlimited(&data, &[]);

    // Four kiosks issue as fast as they can, before, during and after the backup.
    let stop = Arc::new(AtomicBool::new(false));
    let (tx, rx) = mpsc::channel::<Value>();
    let mut kiosks = Vec::new();
    for service in ["A", "B", "C", "D"] {
        let (tx, base, token, stop) =
            (tx.clone(), server.base.clone(), token.clone(), stop.clone());
        kiosks.push(std::thread::spawn(move || {
            let client = Client::new();
            for _ in 0..900 {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let ticket: Value = client
                    .post(format!("{base}/api/tickets"))
                    .bearer_auth(&token)
                    .json(&json!({"service": service}))
                    .send()
                    .and_then(|r| r.error_for_status())
                    .and_then(|r| r.json())
                    .expect("a ticket");
                if tx.send(ticket).is_err() {
                    return;
                }
            }
        }));
    }
    drop(tx);
    let mut before = Vec::new();
    while before.len() < 200 {
        before.push(rx.recv().expect("tickets keep coming"));
    }
    // Everything acknowledged up to here must be in the backup.
    before.extend(rx.try_iter());
    let backup = dir.path().join("backups/motcua-today.sqlite3");
    let out = motcua(
        &["backup", "--out", backup.to_str().expect("path")],
        &data,
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("backed up") && said.contains("tickets"),
        "{said}"
    );
    // Tickets acknowledged once the backup had finished are not in it.
    let mut after = Vec::new();
    while after.len() < 40 {
        after.push(rx.recv().expect("tickets keep coming"));
    }
    stop.store(true, Ordering::Relaxed);
    for kiosk in kiosks {
        kiosk.join().expect("kiosk thread");
    }
    after.extend(rx.try_iter());

    // The copy is one moment of the hall: each field's numbers run 1..=n with no gap,
    // and the day's counter agrees.
    let copy = open(&backup);
    let mut per_field = copy
        .prepare(
            "SELECT t.first_service, count(*), max(t.number), d.last_number
             FROM tickets t JOIN day_numbers d
               ON d.local_day = t.local_day AND d.service = t.first_service
             GROUP BY t.first_service",
        )
        .expect("query");
    let fields: Vec<(String, i64, i64, i64)> = per_field
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("rows");
    assert_eq!(fields.len(), 4, "{fields:?}");
    for (field, count, max, last) in &fields {
        assert_eq!(
            (count, last),
            (max, max),
            "field {field} is torn: {fields:?}"
        );
    }
    drop(per_field);
    drop(copy);
    for t in &before {
        assert!(
            has_token(&backup, t["token"].as_str().expect("token")),
            "ticket {} was acknowledged before the backup and is not in it",
            t["code"]
        );
    }

    // A server holds the database: restoring now is refused, and says what to do.
    let refused = motcua(&["restore", backup.to_str().expect("path")], &data, None);
    assert!(!refused.status.success());
    let why = text(&refused.stderr);
    assert!(why.contains("in use") && why.contains("stop"), "{why}");

    server.kill_9();
    let restored = motcua(&["restore", backup.to_str().expect("path")], &data, None);
    assert!(restored.status.success(), "{}", text(&restored.stderr));
    let said = text(&restored.stdout);
    assert!(
        said.contains("restored") && said.contains("kept as"),
        "{said}"
    );
    // The database it replaced is kept, with the tickets the backup does not have.
    let safety = std::fs::read_dir(&data)
        .expect("data dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().contains("before-restore"))
        .expect("a safety copy");
    let late = after.last().expect("tickets after the backup");
    let late_token = late["token"].as_str().expect("token");
    assert!(has_token(&safety, late_token));

    let server = Server::start(&data, &[]);
    let client = Client::new();
    for t in &before {
        let token = t["token"].as_str().expect("token");
        let seen = client
            .get(format!("{}/api/tickets/{token}", server.base))
            .send()
            .expect("status");
        assert_eq!(seen.status(), 200, "ticket {} is lost", t["code"]);
        let seen: Value = seen.json().expect("json");
        assert_eq!(seen["code"], t["code"]);
    }
    let gone = client
        .get(format!("{}/api/tickets/{late_token}", server.base))
        .send()
        .expect("status");
    assert_eq!(
        gone.status(),
        404,
        "the restored hall is the backup's, not the database it replaced"
    );
    // The restored hall works: the next number follows the backup's last.
    let highest_a = fields
        .iter()
        .find(|f| f.0 == "A")
        .map(|f| f.2)
        .expect("field A");
    let next: Value = client
        .post(format!("{}/api/tickets", server.base))
        .bearer_auth(&token)
        .json(&json!({"service": "A"}))
        .send()
        .and_then(|r| r.json())
        .expect("issue");
    assert_eq!(next["code"], format!("A{:03}", highest_a + 1));
    server.kill_9();
}

#[test]
fn restore_refuses_a_file_that_is_not_a_whole_motcua_database_or_is_from_a_newer_motcua() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    add_kiosk(&data);
    let restore = |file: &Path| {
        let out = motcua(&["restore", file.to_str().expect("path")], &data, None);
        assert!(!out.status.success(), "{} was restored", file.display());
        text(&out.stderr)
    };

    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "Danh sách cán bộ một cửa\n".repeat(200)).expect("write");
    assert!(restore(&notes).contains("is not a SQLite database"));

    let other = dir.path().join("other.sqlite3");
    open(&other)
        .execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('Lan');")
        .expect("another program's database");
    assert!(restore(&other).contains("is not a motcua database"));

    let backup = dir.path().join("good.sqlite3");
    let out = motcua(
        &["backup", "--out", backup.to_str().expect("path")],
        &data,
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    let newer = dir.path().join("newer.sqlite3");
    std::fs::copy(&backup, &newer).expect("copy");
    open(&newer)
        .pragma_update(None, "user_version", 99)
        .expect("a future schema");
    let why = restore(&newer);
    assert!(
        why.contains("newer motcua") && why.contains("schema 99"),
        "{why}"
    );

    let bytes = std::fs::read(&backup).expect("backup");
    let cut = dir.path().join("cut.sqlite3");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    let why = restore(&cut);
    assert!(
        why.contains("damaged") || why.contains("not a SQLite database"),
        "{why}"
    );

    assert!(restore(&dir.path().join("missing.sqlite3")).contains("does not exist"));

    // Nothing was touched: the kiosk is still there and no safety copy was made.
    let devices: i64 = open(&data.join("motcua.sqlite3"))
        .query_row("SELECT count(*) FROM devices", [], |r| r.get(0))
        .expect("devices");
    assert_eq!(devices, 1);
    let names: Vec<String> = std::fs::read_dir(&data)
        .expect("data dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("motcua.sqlite3") && !n.contains("before")),
        "{names:?}"
    );
}

#[test]
fn a_backup_from_an_older_motcua_is_brought_up_to_date_and_the_hall_starts_on_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A hall as the first three migrations left it, with a kiosk.
    let old = dir.path().join("old.sqlite3");
    let conn = open(&old);
    let mut migrations: Vec<PathBuf> = std::fs::read_dir(repo().join("server/store/migrations"))
        .expect("migrations")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    migrations.sort();
    for sql in &migrations[..3] {
        conn.execute_batch(&read(sql)).expect("an old migration");
    }
    conn.pragma_update(None, "user_version", 3)
        .expect("version");
    let token = "0123456789abcdef".repeat(4);
    conn.execute(
        "INSERT INTO devices (name, kind, token_hash, created_at) VALUES ('kiosk-old', 'kiosk', ?1, 0)",
        [motcua_store::accounts::token_hash(&token)],
    )
    .expect("a kiosk");
    drop(conn);

    let data = dir.path().join("data");
    let out = motcua(&["restore", old.to_str().expect("path")], &data, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("schema 3 brought up to"), "{said}");
    assert!(said.contains("no database before"), "{said}");

    let server = Server::start(&data, &[]);
    let issued = Client::new()
        .post(format!("{}/api/tickets", server.base))
        .bearer_auth(&token)
        .json(&json!({"service": "B"}))
        .send()
        .expect("issue");
    assert_eq!(issued.status(), 201, "the old hall's kiosk issues again");
    server.kill_9();
}

#[test]
fn the_server_refuses_to_start_on_a_database_from_a_newer_motcua_and_says_to_upgrade() {
    let data = tempfile::tempdir().expect("temp dir");
    add_kiosk(data.path());
    let db = data.path().join("motcua.sqlite3");
    open(&db)
        .pragma_update(None, "user_version", 42)
        .expect("a future schema");
    let out = motcua(&["serve", "--listen", "127.0.0.1:0"], data.path(), None);
    assert!(!out.status.success(), "it served a database it cannot read");
    let why = text(&out.stderr);
    assert!(
        why.contains("newer motcua") && why.contains("schema 42") && why.contains("upgrade"),
        "{why}"
    );
    let version: i64 = open(&db)
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, 42, "the newer database was left alone");
}

#[test]
fn the_daily_backup_script_writes_a_backup_and_keeps_only_the_newest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    add_kiosk(&data);
    let backups = dir.path().join("backups");
    std::fs::create_dir_all(&backups).expect("dir");
    for day in ["20240101", "20240102", "20240103", "20240104"] {
        std::fs::write(backups.join(format!("motcua-{day}-183000.sqlite3")), "old").expect("old");
    }
    std::fs::write(backups.join("motcua-before-upgrade.sqlite3"), "mine").expect("mine");
    let out = Command::new("bash")
        .arg(deploy("motcua-backup.sh"))
        .env("MOTCUA_BIN", BIN)
        .env("MOTCUA_DATA", &data)
        .env("MOTCUA_BACKUP_DIR", &backups)
        .env("MOTCUA_BACKUP_KEEP", "3")
        .output()
        .expect("run the backup script");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut left: Vec<String> = std::fs::read_dir(&backups)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    left.sort();
    assert_eq!(left.len(), 4, "{left:?}");
    assert_eq!(left[0], "motcua-20240103-183000.sqlite3");
    assert_eq!(left[1], "motcua-20240104-183000.sqlite3");
    assert!(
        left[2].starts_with("motcua-2") && left[2] != left[1],
        "{left:?}"
    );
    assert_eq!(
        left[3], "motcua-before-upgrade.sqlite3",
        "a named copy is kept"
    );
    let schema = motcua_store::backup::inspect(&backups.join(&left[2])).expect("a whole backup");
    assert!(schema >= 5);
}

// ---- configuration ------------------------------------------------------------------

/// Every setting's key, with its default (`None` for a required key of a list's item).
fn settings_and_defaults() -> BTreeMap<String, Option<Value>> {
    let mut keys = BTreeMap::new();
    let defaults = serde_json::to_value(Settings::default()).expect("json");
    let sections = defaults.as_object().expect("an object");
    for (section, value) in sections {
        match value {
            Value::Object(fields) => {
                for (key, default) in fields {
                    keys.insert(format!("{section}.{key}"), Some(default.clone()));
                }
            }
            list => {
                keys.insert(section.clone(), Some(list.clone()));
            }
        }
    }
    // A list's item: what an item with only its required keys holds.
    let item = |list: &str, required: &[&str], full: Value| {
        let mut found = BTreeMap::new();
        for (key, default) in full.as_object().expect("an object") {
            let is_required = required.contains(&key.as_str());
            found.insert(
                format!("{list}[].{key}"),
                (!is_required).then(|| default.clone()),
            );
        }
        found
    };
    let service: ServiceSettings = figment::Figment::from(figment::providers::Toml::string(
        "code = \"X\"\nname_vi = \"x\"\nname_en = \"x\"",
    ))
    .extract()
    .expect("a service");
    keys.extend(item(
        "services",
        &["code", "name_vi", "name_en"],
        serde_json::to_value(service).expect("json"),
    ));
    let printer: PrinterSettings = figment::Figment::from(figment::providers::Toml::string(
        "kiosk = \"k\"\naddress = \"tcp://p:9100\"",
    ))
    .extract()
    .expect("a printer");
    keys.extend(item(
        "printers",
        &["kiosk", "address"],
        serde_json::to_value(printer).expect("json"),
    ));
    let counter = serde_json::to_value(&Settings::default().counters[0]).expect("json");
    keys.extend(item("counters", &["no", "services"], counter));
    keys
}

#[test]
fn every_setting_is_in_the_configuration_reference_with_its_default() {
    let reference = read(&deploy("CONFIG.md"));
    let mut documented: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in reference.lines() {
        if let Some(key) = line
            .strip_prefix("### `")
            .and_then(|rest| rest.strip_suffix('`'))
        {
            current = Some(key.to_owned());
        } else if let Some(default) = line.strip_prefix("- Mặc định / Default:") {
            let key = current.take().expect("a default under a key's heading");
            documented.insert(key, default.trim().to_owned());
        }
    }
    let settings = settings_and_defaults();
    let known: BTreeSet<&String> = settings.keys().collect();
    let written: BTreeSet<&String> = documented.keys().collect();
    assert_eq!(
        known.difference(&written).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "settings missing from deploy/CONFIG.md"
    );
    assert_eq!(
        written.difference(&known).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "deploy/CONFIG.md documents settings that do not exist"
    );
    for (key, default) in &settings {
        let shown = &documented[key];
        match default {
            Some(Value::Array(_)) => assert!(shown.starts_with('('), "{key}: {shown}"),
            Some(Value::Null) => assert!(
                shown.starts_with('(') && (shown.contains("unset") || shown.contains("none")),
                "{key}: say it is unset by default: {shown}"
            ),
            None => assert!(shown.contains("required"), "{key} is required: {shown}"),
            Some(value) => {
                let literal = match value {
                    Value::String(_) => serde_json::to_string(value).expect("json"),
                    other => other.to_string(),
                };
                assert_eq!(shown, &format!("`{literal}`"), "the default of {key}");
            }
        }
    }
}

#[test]
fn the_example_config_holds_every_setting_at_its_default() {
    let example = deploy("motcua.example.toml");
    let loaded = Settings::load(Some(&example)).expect("the example loads");
    loaded.hall().expect("the example is a valid hall");
    let mut expected = serde_json::to_value(Settings::default()).expect("json");
    expected["server"]["data_dir"] = json!("/var/lib/motcua");
    assert_eq!(
        serde_json::to_value(&loaded).expect("json"),
        expected,
        "deploy/motcua.example.toml differs from the defaults (other than data_dir)"
    );
    // Every key is written out (commented out where it has no default to show).
    let mut written = BTreeSet::new();
    let mut section = String::new();
    for line in read(&example).lines() {
        let line = line.trim_start_matches('#').trim();
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            section = format!("{name}[]");
        } else if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_owned();
        } else if let Some((key, _)) = line.split_once(" = ")
            && !key.contains(' ')
        {
            written.insert(format!("{section}.{key}"));
        }
    }
    let missing: Vec<String> = settings_and_defaults()
        .into_keys()
        .filter(|k| k.contains('.') && !written.contains(k))
        .collect();
    assert!(
        missing.is_empty(),
        "not in deploy/motcua.example.toml: {missing:?}"
    );
}

#[test]
fn a_bad_setting_from_the_environment_is_refused_with_the_key_and_the_reason() {
    let data = tempfile::tempdir().expect("temp dir");
    let out = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data.path())
        .env("MOTCUA_HALL__RATING_SCALE", "4")
        .output()
        .expect("run motcua");
    assert!(!out.status.success());
    let why = text(&out.stderr);
    assert!(
        why.contains("hall.rating_scale") && why.contains("3 or 5"),
        "{why}"
    );
}

// ---- deploy/: install script, units, Dockerfile, kiosk, proxy --------------------------

/// Every file and directory under `root`: its mode, and a file's contents.
fn tree(root: &Path) -> BTreeMap<String, (u32, Option<Vec<u8>>)> {
    let mut found = BTreeMap::new();
    let mut todo = vec![root.to_owned()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            let name = path
                .strip_prefix(root)
                .expect("inside")
                .to_string_lossy()
                .into_owned();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.is_dir() {
                todo.push(path);
                found.insert(name, (mode, None));
            } else {
                found.insert(name, (mode, Some(std::fs::read(&path).expect("read"))));
            }
        }
    }
    found
}

fn install(root: &Path, bin: &Path) -> Output {
    let out = Command::new("bash")
        .arg(deploy("install.sh"))
        .arg("--root")
        .arg(root)
        .arg("--bin-dir")
        .arg(bin)
        .args(["--server", "--kiosk"])
        .output()
        .expect("run install.sh");
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

#[test]
fn the_install_script_run_twice_leaves_the_same_tree_and_never_overwrites_a_config() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bin = dir.path().join("release");
    std::fs::create_dir_all(&bin).expect("dir");
    let build = |version: &str| {
        for name in ["motcua", "motcua-printer"] {
            let path = bin.join(name);
            std::fs::write(&path, format!("#!/bin/sh\necho {name} {version}\n")).expect("write");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
    };
    build("1");
    let root = dir.path().join("root");
    install(&root, &bin);
    let first = tree(&root);
    install(&root, &bin);
    let second = tree(&root);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    assert_eq!(first, second, "a second run changed the tree");

    // What a hall needs is there, with the right modes.
    let mode = |path: &str| {
        first
            .get(path)
            .unwrap_or_else(|| panic!("{path} not installed"))
            .0
    };
    assert_eq!(mode("usr/local/bin/motcua"), 0o755);
    assert_eq!(mode("usr/local/bin/motcua-printer"), 0o755);
    assert_eq!(mode("usr/local/bin/motcua-kiosk"), 0o755);
    assert_eq!(mode("etc/motcua/motcua.toml"), 0o640);
    assert_eq!(
        mode("etc/motcua/printer-agent.env"),
        0o640,
        "it holds a token"
    );
    assert_eq!(mode("var/lib/motcua"), 0o750);
    assert_eq!(mode("var/backups/motcua"), 0o750);
    assert_eq!(mode("etc/udev/rules.d/60-motcua-printer.rules"), 0o644);
    assert_eq!(
        read(&root.join("etc/motcua/motcua.toml")),
        read(&deploy("motcua.example.toml"))
    );
    // Every program a unit starts, and every file it reads, is installed.
    for unit in [
        "motcua.service",
        "motcua-backup.service",
        "motcua-backup.timer",
        "motcua-printer-agent.service",
    ] {
        let text = read(&root.join("etc/systemd/system").join(unit));
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let path = match key {
                "ExecStart" => value.split_whitespace().next(),
                "EnvironmentFile" => Some(value.trim_start_matches('-')),
                _ => None,
            };
            if let Some(path) = path {
                let path = path.trim_start_matches('/');
                assert!(
                    first.contains_key(path) || key == "EnvironmentFile" && value.starts_with('-'),
                    "{unit} needs /{path}, which install.sh does not install"
                );
            }
        }
    }

    // The hall's own settings survive a reinstall, mode included; programs are upgraded.
    let config = root.join("etc/motcua/motcua.toml");
    let edited = format!("{}\n# quầy 5 mở từ tháng 12\n", read(&config));
    std::fs::write(&config, &edited).expect("edit");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let agent_env = root.join("etc/motcua/printer-agent.env");
    std::fs::write(&agent_env, "MOTCUA_PRINTER_TOKEN=secret\n").expect("edit");
    build("2");
    let out = install(&root, &bin);
    assert!(text(&out.stdout).contains("kept"), "{}", text(&out.stdout));
    assert_eq!(read(&config), edited);
    assert_eq!(mode_of(&config), 0o600);
    assert_eq!(read(&agent_env), "MOTCUA_PRINTER_TOKEN=secret\n");
    assert!(read(&root.join("usr/local/bin/motcua")).contains("motcua 2"));
    let third = tree(&root);
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        third.keys().collect::<Vec<_>>(),
        "no file left behind or added"
    );
}

fn mode_of(path: &Path) -> u32 {
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o7777
}

#[test]
fn the_install_script_says_what_is_missing_when_nothing_was_built() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new("bash")
        .arg(deploy("install.sh"))
        .arg("--root")
        .arg(dir.path().join("root"))
        .arg("--bin-dir")
        .arg(dir.path().join("nothing"))
        .output()
        .expect("run install.sh");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("cargo build --release --locked"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn the_systemd_units_are_valid_and_harden_the_services() {
    for unit in [
        "motcua.service",
        "motcua-backup.service",
        "motcua-backup.timer",
        "motcua-printer-agent.service",
    ] {
        let path = deploy("systemd").join(unit);
        let out = tool("systemd-analyze")
            .args(["verify", "--man=no"])
            .arg(&path)
            .output()
            .expect("systemd-analyze");
        // The programs live in /usr/local/bin on a hall's box, not on this one.
        let complaints: Vec<String> = text(&out.stderr)
            .lines()
            .chain(text(&out.stdout).lines())
            .filter(|l| !l.trim().is_empty() && !l.contains("is not executable"))
            .map(str::to_owned)
            .collect();
        assert!(complaints.is_empty(), "{unit}: {complaints:#?}");
    }
    let server = read(&deploy("systemd/motcua.service"));
    for line in [
        "User=motcua",
        "Restart=on-failure",
        "ExecStart=/usr/local/bin/motcua serve --config /etc/motcua/motcua.toml --data /var/lib/motcua",
        "ReadWritePaths=/var/lib/motcua",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "CapabilityBoundingSet=",
    ] {
        assert!(server.lines().any(|l| l == line), "motcua.service: {line}");
    }
    let agent = read(&deploy("systemd/motcua-printer-agent.service"));
    for line in [
        "User=motcua-printer",
        "EnvironmentFile=/etc/motcua/printer-agent.env",
        "SupplementaryGroups=lp dialout",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
    ] {
        assert!(agent.lines().any(|l| l == line), "agent: {line}");
    }
    let timer = read(&deploy("systemd/motcua-backup.timer"));
    assert!(timer.contains("OnCalendar=") && timer.contains("Persistent=true"));
    let udev = read(&deploy("udev/60-motcua-printer.rules"));
    assert!(udev.contains("KERNEL==\"lp[0-9]*\", GROUP=\"lp\", MODE=\"0660\""));
}

#[test]
fn every_deploy_script_and_repository_tool_passes_bash_n_and_shellcheck() {
    let mut scripts = Vec::new();
    let mut todo = vec![deploy("")];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "sh") {
                scripts.push(path);
            }
        }
    }
    // The repository's own tools (scripts/test, scripts/subset-fonts): bash, no extension.
    for entry in std::fs::read_dir(repo().join("scripts")).expect("read scripts") {
        let path = entry.expect("entry").path();
        if read(&path).starts_with("#!/usr/bin/env bash") {
            scripts.push(path);
        }
    }
    scripts.sort();
    assert!(scripts.len() >= 5, "{scripts:?}");
    for script in &scripts {
        assert!(
            mode_of(script) & 0o111 != 0,
            "{} is not executable",
            script.display()
        );
        let syntax = Command::new("bash")
            .arg("-n")
            .arg(script)
            .output()
            .expect("bash");
        assert!(syntax.status.success(), "{}", text(&syntax.stderr));
        let lint = tool("shellcheck")
            .args(["--severity=style", "--shell=bash"])
            .arg(script)
            .output()
            .expect("shellcheck");
        assert!(
            lint.status.success(),
            "{}:\n{}",
            script.display(),
            text(&lint.stdout)
        );
    }
}

#[test]
fn the_dockerfile_passes_hadolint_and_builds_a_small_non_root_image_with_data_on_a_volume() {
    let path = deploy("Dockerfile");
    let lint = tool("hadolint").arg(&path).output().expect("hadolint");
    assert!(lint.status.success(), "{}", text(&lint.stdout));
    // What hadolint does not check, but a hall needs.
    let dockerfile = read(&path);
    let instructions: Vec<&str> = dockerfile
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with(' ') && !l.trim().is_empty())
        .collect();
    let froms: Vec<&&str> = instructions
        .iter()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    assert_eq!(
        froms.len(),
        2,
        "a builder and a small final image: {froms:?}"
    );
    assert!(froms[1].contains("-slim"), "{}", froms[1]);
    for from in &froms {
        assert!(
            from.split_whitespace()
                .nth(1)
                .is_some_and(|image| image.contains(':') && !image.ends_with(":latest")),
            "pin the image: {from}"
        );
    }
    assert!(dockerfile.contains("cargo build --release --locked"));
    let user = instructions
        .iter()
        .rfind(|l| l.starts_with("USER "))
        .expect("a USER");
    assert!(
        !user.contains("root") && !user.ends_with(" 0") && !user.contains(" 0:"),
        "{user}"
    );
    assert!(instructions.contains(&"VOLUME [\"/var/lib/motcua\"]"));
    assert!(instructions.contains(&"EXPOSE 8080"));
    assert!(dockerfile.contains("HEALTHCHECK"));
    // The build context leaves out build output and local data.
    let ignore = read(&repo().join(".dockerignore"));
    for line in ["**/target", ".git", "**/motcua-data"] {
        assert!(ignore.lines().any(|l| l == line), ".dockerignore: {line}");
    }
}

#[test]
fn the_dockerfile_healthcheck_asks_healthz_and_fails_when_the_server_is_down() {
    let dockerfile = read(&deploy("Dockerfile"));
    let start = dockerfile
        .find("CMD [\"bash\"")
        .expect("a healthcheck in bash");
    let line = dockerfile[start + 4..].lines().next().expect("a line");
    let command: Vec<String> = serde_json::from_str(line).expect("exec form");
    let data = tempfile::tempdir().expect("temp dir");
    let server = Server::start(data.path(), &[]);
    let check = |port: &str| {
        Command::new(&command[0])
            .args(command[1..].iter().map(|a| a.replace("8080", port)))
            .output()
            .expect("run the healthcheck")
            .status
            .success()
    };
    assert!(check(server.port()), "healthy server judged unhealthy");
    let port = server.port().to_owned();
    server.kill_9();
    assert!(!check(&port), "a stopped server judged healthy");
}

#[test]
fn the_kiosk_launcher_opens_each_screen_at_its_page() {
    let data = tempfile::tempdir().expect("temp dir");
    let token = add_kiosk(data.path());
    let server = Server::start(data.path(), &[]);
    let home = tempfile::tempdir().expect("home");
    let launch = |screen: &str, counter: &str, token: &str| {
        Command::new("bash")
            .arg(deploy("kiosk/motcua-kiosk.sh"))
            .arg("--dry-run")
            .env("HOME", home.path())
            .env_remove("XDG_CONFIG_HOME")
            .env("MOTCUA_KIOSK_SYSTEM_ENV", "/dev/null")
            .env("MOTCUA_BROWSER", "chromium")
            .env("MOTCUA_URL", format!("{}/", server.base))
            .env("MOTCUA_SCREEN", screen)
            .env("MOTCUA_COUNTER", counter)
            .env("MOTCUA_KIOSK_TOKEN", token)
            .output()
            .expect("run motcua-kiosk")
    };
    let client = Client::new();
    for (screen, counter, page) in [
        ("kiosk", "", format!("/kiosk/?token={token}")),
        ("display", "", "/display/".to_owned()),
        ("counter-display", "3", "/display/?counter=3".to_owned()),
        ("rating", "2", "/counter/rating.html?counter=2".to_owned()),
    ] {
        let out = launch(screen, counter, &token);
        assert!(out.status.success(), "{screen}: {}", text(&out.stderr));
        let said = text(&out.stdout);
        let url = said.lines().next().expect("the address");
        assert_eq!(url, format!("{}{page}", server.base), "{screen}");
        let browser = said.lines().nth(1).expect("the command line");
        assert!(
            browser.contains("--kiosk")
                && browser.contains("--autoplay-policy=no-user-gesture-required"),
            "{browser}"
        );
        let status = client.get(url).send().expect("the page").status();
        assert_eq!(status, 200, "{screen}: {url}");
    }
    let out = launch("counter-display", "", "");
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("MOTCUA_COUNTER"));
    server.kill_9();
}

/// The hall addresses (`/api/...`, `/ws/...`) a text mentions, ignoring comment lines.
fn hall_paths(text: &str, comment: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in text
        .lines()
        .filter(|l| !l.trim_start().starts_with(comment))
    {
        for prefix in ["/api/", "/ws/"] {
            for (at, _) in line.match_indices(prefix) {
                let path: String = line[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "/_-.".contains(*c))
                    .collect();
                found.insert(path);
            }
        }
    }
    found
}

#[test]
fn the_proxy_examples_publish_exactly_what_the_phone_page_loads() {
    let page = read(&repo().join("phone-web/index.html"));
    let script = read(&repo().join("phone-web/phone.js"));
    let mut needed = hall_paths(&page, "//");
    needed.extend(hall_paths(&script, "//"));
    assert!(
        needed.contains("/api/services") && needed.contains("/ws/tickets/"),
        "{needed:?}"
    );
    for (file, comment, catch_all) in [
        ("proxy/nginx.conf", "#", "return 404;"),
        ("proxy/Caddyfile", "#", "404"),
    ] {
        let config = read(&deploy(file));
        let published = hall_paths(&config, comment);
        assert_eq!(
            published, needed,
            "{file} must publish exactly the phone page's addresses"
        );
        assert!(
            config.contains("/t/") && config.contains("[0-9a-f]{32}"),
            "{file}: the page itself, /t/{{token}}"
        );
        // The page's script and styles, named outside the comments (a dot may be escaped).
        let rules: String = config
            .lines()
            .filter(|l| !l.trim_start().starts_with(comment))
            .collect::<Vec<_>>()
            .join("\n")
            .replace("\\.", ".");
        for file in ["phone.js", "phone.css", "missing.css"] {
            assert!(
                rules.contains(file),
                "{file}: the phone page's /phone/{file}"
            );
        }
        assert!(
            config.contains(catch_all),
            "{file}: everything else is refused"
        );
    }
}
