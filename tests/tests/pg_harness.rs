//! The throwaway PostgreSQL the city's tests run against (`motcua_tests::pg`): each test's
//! database is its own and starts empty, the server speaks UTF-8, and without
//! `MOTCUA_TEST_POSTGRES` the harness runs a server of its own.

use motcua_tests::pg;
use tokio_postgres::{Client, NoTls};

async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connecting to {url}: {e}"));
    tokio::spawn(connection);
    client
}

/// The tables in the database's own schema.
async fn tables(client: &Client) -> Vec<String> {
    client
        .query(
            "SELECT table_name FROM information_schema.tables \
             WHERE table_schema = 'public' ORDER BY table_name",
            &[],
        )
        .await
        .expect("list the tables")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[tokio::test]
async fn two_calls_for_a_database_give_two_empty_databases_and_a_table_made_in_one_is_not_in_the_other()
 {
    let first_url = pg::database().await;
    let second_url = pg::database().await;
    assert_ne!(first_url, second_url);
    let first = connect(&first_url).await;
    let second = connect(&second_url).await;

    let name = |row: tokio_postgres::Row| row.get::<_, String>(0);
    let first_name = name(
        first
            .query_one("SELECT current_database()", &[])
            .await
            .expect("name"),
    );
    let second_name = name(
        second
            .query_one("SELECT current_database()", &[])
            .await
            .expect("name"),
    );
    assert_ne!(first_name, second_name);
    assert!(first_name.starts_with("t_"), "{first_name}");
    assert!(tables(&first).await.is_empty());
    assert!(tables(&second).await.is_empty());

    first
        .batch_execute(
            "CREATE TABLE halls (code text PRIMARY KEY, name text NOT NULL);
             INSERT INTO halls VALUES ('00004', 'Hoàn Kiếm');",
        )
        .await
        .expect("a table in the first");
    assert_eq!(tables(&first).await, ["halls"]);
    assert!(
        tables(&second).await.is_empty(),
        "the first's table shows in the second"
    );

    // The second is usable on its own: the same table, made there too, starts empty.
    second
        .batch_execute("CREATE TABLE halls (code text PRIMARY KEY, name text NOT NULL)")
        .await
        .expect("a table in the second");
    let count = |row: tokio_postgres::Row| row.get::<_, i64>(0);
    let in_first = count(
        first
            .query_one("SELECT count(*) FROM halls", &[])
            .await
            .expect("count"),
    );
    let in_second = count(
        second
            .query_one("SELECT count(*) FROM halls", &[])
            .await
            .expect("count"),
    );
    assert_eq!((in_first, in_second), (1, 0));
}

#[tokio::test]
async fn a_ward_name_in_vietnamese_comes_back_as_it_went_in() {
    let db = connect(&pg::database().await).await;
    let encoding: String = db
        .query_one("SHOW server_encoding", &[])
        .await
        .expect("encoding")
        .get(0);
    assert_eq!(encoding, "UTF8");

    let ward = "Phường Hoàn Kiếm";
    db.batch_execute("CREATE TABLE wards (name text NOT NULL)")
        .await
        .expect("table");
    db.execute("INSERT INTO wards VALUES ($1)", &[&ward])
        .await
        .expect("insert");
    // Read back, and counted by the server: letters as letters, bytes as UTF-8's.
    let row = db
        .query_one(
            "SELECT name, char_length(name), octet_length(name) FROM wards",
            &[],
        )
        .await
        .expect("read back");
    assert_eq!(row.get::<_, String>(0), ward);
    assert_eq!(row.get::<_, i32>(1) as usize, ward.chars().count());
    assert_eq!(row.get::<_, i32>(2) as usize, ward.len());
    // And found by it.
    let found: i64 = db
        .query_one(
            "SELECT count(*) FROM wards WHERE name = 'Phường Hoàn Kiếm'",
            &[],
        )
        .await
        .expect("find")
        .get(0);
    assert_eq!(found, 1);
}

#[tokio::test]
async fn the_harness_runs_its_own_server_unless_motcua_test_postgres_names_one() {
    let server = pg::server();
    let admin = connect(&server.superuser_url()).await;
    let superuser: bool = admin
        .query_one(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await
        .expect("role")
        .get(0);
    assert!(superuser, "{} is not a superuser's", server.superuser_url());
    let port: String = admin
        .query_one("SHOW port", &[])
        .await
        .expect("port")
        .get(0);

    match std::env::var(pg::VARIABLE) {
        Ok(given) if !given.trim().is_empty() => {
            // The server given, and nothing started here.
            let given = url::Url::parse(given.trim()).expect("MOTCUA_TEST_POSTGRES");
            assert_eq!(server.data_directory(), None);
            assert_eq!(port, given.port().unwrap_or(5432).to_string());
        }
        _ => {
            // The server is the one this process started: its data dir is ours, and it
            // runs on the port our URL names, on 127.0.0.1.
            let data = server.data_directory().expect("a server of our own");
            let theirs: String = admin
                .query_one("SHOW data_directory", &[])
                .await
                .expect("data dir")
                .get(0);
            assert_eq!(std::path::PathBuf::from(theirs), data);
            assert!(data.join("postmaster.pid").is_file());
            let url = url::Url::parse(&server.superuser_url()).expect("our URL");
            assert_eq!(url.host_str(), Some("127.0.0.1"));
            assert_eq!(url.port().map(|p| p.to_string()), Some(port));
        }
    }
}
