//! The schema, brought up to date when the store opens: each step once, in order, in a
//! transaction of its own, under an advisory lock (two processes starting together do
//! not both migrate).

use super::db_error;
use motcua_domain::stats::rows::{BUCKET_UPPER_SECONDS, COLUMNS};
use motcua_store::StoreError;

/// The lock every migrating process takes (an arbitrary number of ours).
const MIGRATION_LOCK: i64 = 0x6d6f_7463_7561;

/// The steps, in order; a step is never changed once released (a new one is added).
fn steps() -> Vec<String> {
    vec![
        include_str!("../../pg/001_collector.sql").to_owned(),
        figure_tables(),
        include_str!("../../pg/003_bi_views.sql").to_owned(),
        include_str!("../../pg/004_national.sql").to_owned(),
    ]
}

/// The figure rows' tables: per hall, day, hour and field; per hall, day and field; per
/// hall and day; and each hall's running totals by day. Each has every column of
/// `motcua_domain::stats::rows::COLUMNS` and the two bucket arrays.
fn figure_tables() -> String {
    let columns: String = COLUMNS
        .iter()
        .map(|c| format!("    {c} bigint NOT NULL DEFAULT 0,\n"))
        .collect();
    let table = |name: &str, key: &str, comment: &str| {
        let key_columns: String = key
            .split(", ")
            .map(|k| match k {
                "hall" => "    hall bigint NOT NULL,\n".to_owned(),
                "day" | "month" => format!("    {k} date NOT NULL,\n"),
                "hour" => "    hour smallint NOT NULL,\n".to_owned(),
                _ => format!("    {k} text NOT NULL,\n"),
            })
            .collect();
        format!(
            "-- {comment}\nCREATE TABLE {name} (\n{key_columns}{columns}    \
             wait_buckets bigint[] NOT NULL DEFAULT '{{}}',\n    \
             service_buckets bigint[] NOT NULL DEFAULT '{{}}',\n    \
             PRIMARY KEY ({key})\n);\n"
        )
    };
    let mut edges: Vec<String> = BUCKET_UPPER_SECONDS
        .iter()
        .map(|s| format!("{}", *s as f64 / 60.0))
        .collect();
    // The open bucket is read as its lower edge.
    edges.push(edges.last().cloned().unwrap_or_default());
    format!(
        "{}{}{}{}
-- The upper edge (minutes) of each bucket, the last (open) one its lower edge.
CREATE FUNCTION motcua_bucket_minutes() RETURNS numeric[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT ARRAY[{}]::numeric[] $$;

-- Bucket counts less others, element by element.
CREATE FUNCTION motcua_sub_buckets(a bigint[], b bigint[]) RETURNS bigint[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    i integer;
BEGIN
    a := coalesce(a, '{{}}');
    FOR i IN 1 .. coalesce(cardinality(b), 0) LOOP
        a[i] := coalesce(a[i], 0) - b[i];
    END LOOP;
    RETURN a;
END $$;

-- The nearest-rank percentile p (0 to 1) of bucket counts: the upper edge (minutes) of
-- the bucket the visit of that rank is in. NULL when the buckets are empty.
CREATE FUNCTION motcua_percentile(buckets bigint[], p double precision) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    WITH b AS (
        SELECT i, sum(x) OVER (ORDER BY i) AS cum, sum(x) OVER () AS n
        FROM unnest(buckets) WITH ORDINALITY AS t(x, i)
    )
    SELECT (motcua_bucket_minutes())[min(i)] FROM b
    WHERE n > 0 AND cum >= greatest(ceil(p * n), 1)
$$;
",
        table(
            "figures_hourly",
            "hall, day, hour, service",
            "Per hall, local day, hour and field (the counters' time in the field '')."
        ),
        table(
            "figures_daily",
            "hall, day, service",
            "Per hall, local day and field."
        ),
        table("figures_hall_daily", "hall, day", "Per hall and local day."),
        table(
            "figures_hall_running",
            "hall, day",
            "Per hall, running totals: a row for each day with figures, holding the sum of \
             every day up to it, so any range of days is two rows per hall (the later less \
             the earlier)."
        ),
        edges.join(", ")
    )
}

/// Bring the schema up to date.
pub async fn migrate(client: &mut tokio_postgres::Client) -> Result<(), StoreError> {
    let tx = client.transaction().await.map_err(db_error)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(db_error)?;
    // "already exists, skipping" is no news at every start.
    tx.batch_execute("SET LOCAL client_min_messages = warning")
        .await
        .map_err(db_error)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS motcua_schema (version integer NOT NULL);
         INSERT INTO motcua_schema (version)
             SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM motcua_schema);",
    )
    .await
    .map_err(db_error)?;
    let done: i32 = tx
        .query_one("SELECT version FROM motcua_schema", &[])
        .await
        .map_err(db_error)?
        .get(0);
    let steps = steps();
    let known = steps.len() as i32;
    if done > known {
        return Err(StoreError::TooNew {
            found: i64::from(done),
            known: i64::from(known),
        });
    }
    for (i, step) in steps.iter().enumerate().skip(done.max(0) as usize) {
        tx.batch_execute(step).await.map_err(|e| {
            let e = db_error(e);
            StoreError::Database(format!("schema step {}: {e}", i + 1))
        })?;
    }
    tx.execute("UPDATE motcua_schema SET version = $1", &[&known])
        .await
        .map_err(db_error)?;
    tx.commit().await.map_err(db_error)?;
    Ok(())
}
