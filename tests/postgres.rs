//! The PostgreSQL destination: every stream lands as it lands in SQLite
//! (whose tables the other tests hold to the mock's ground truth), with the
//! same counts; tables are typed, evolve additively and refuse what they
//! cannot take; one sync writes a schema at a time; pages commit in batches;
//! and the `harness` commands take a `postgres://` URL.

use crate::common::postgres_server::PgSchema;
use crate::common::warehouse::{Db, rows, select, sync, truth};
use crate::common::{BOTH, connection, harness, mock, stderr, stdout};
use host_harness::destinations::{
    BatchLimits, Checkpoint, Column, ColumnKind, Destination, DestinationError,
    PostgresDestination, TableSpec,
};
use host_harness::sync::{RetryPolicy, SyncOptions, SyncReport};
use serde_json::Value;
use std::time::Duration;

fn every_stream() -> SyncOptions {
    SyncOptions {
        settings_json: r#"{"page_size":7}"#.into(),
        retry: RetryPolicy {
            max_retries: 2,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
        },
        ..SyncOptions::default()
    }
}

/// Each stream's rows and how many were new, changed and unchanged.
fn counts(report: &SyncReport) -> Vec<(String, u64, u64, u64)> {
    report
        .streams
        .iter()
        .map(|s| (s.stream.clone(), s.rows, s.new_rows, s.changed_rows))
        .collect()
}

/// A table's records as JSON with their fields in name order (PostgreSQL's
/// `jsonb` keeps fields in an order of its own), the records in a stable order.
fn records(db: &(impl Db + ?Sized), table: &str) -> Vec<Value> {
    let mut records: Vec<Value> = select(db, &format!("SELECT _raw FROM \"{table}\""))
        .into_iter()
        .map(|row| in_name_order(serde_json::from_str(&row[0]).unwrap()))
        .collect();
    records.sort_by_key(Value::to_string);
    records
}

fn in_name_order(value: Value) -> Value {
    match value {
        Value::Object(fields) => {
            let mut fields: Vec<(String, Value)> = fields.into_iter().collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                fields
                    .into_iter()
                    .map(|(name, value)| (name, in_name_order(value)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(in_name_order).collect()),
        other => other,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_stream_lands_in_postgres_exactly_as_in_sqlite_run_after_run() {
    let mock = mock(25, 2).await;
    let connection = connection(&mock.base_url(), BOTH);
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("w.sqlite");
    let postgres = PgSchema::fresh("every_stream");
    let options = every_stream();
    let all = crate::common::runtime()
        .list_streams(&connection)
        .await
        .unwrap()
        .len();
    for run in ["first", "second"] {
        let in_sqlite = sync(&connection, &sqlite, &options).await;
        let in_postgres = sync(&connection, &postgres, &options).await;
        assert!(in_sqlite.succeeded(), "{in_sqlite:?}");
        assert!(in_postgres.succeeded(), "{in_postgres:?}");
        assert_eq!(in_postgres.streams.len(), all, "every stream");
        assert_eq!(counts(&in_postgres), counts(&in_sqlite), "{run} run");
        for stream in &in_postgres.streams {
            let landed = records(&postgres, &stream.stream);
            assert!(!landed.is_empty(), "{} is empty", stream.stream);
            assert_eq!(
                landed,
                records(&sqlite, &stream.stream),
                "{}",
                stream.stream
            );
        }
    }
    assert_eq!(
        rows(&postgres, "admin_users", "id"),
        truth(&mock.org().admin_users, "id")
    );
    assert_eq!(
        rows(&postgres, "organizations", "uuid"),
        truth(&mock.org().organizations, "uuid")
    );
    // Both runs are in the history, each with every stream.
    let all = all.to_string();
    assert_eq!(
        select(
            &postgres,
            "SELECT run_id, jsonb_array_length(streams) FROM _runs ORDER BY run_id"
        ),
        [["1", all.as_str()], ["2", all.as_str()]]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn columns_are_typed_from_the_streams_schemas_and_amounts_stay_exact() {
    let mock = mock(5, 1).await;
    let connection = connection(&mock.base_url(), BOTH);
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("w.sqlite");
    let postgres = PgSchema::fresh("typed");
    let mut options = every_stream();
    options.streams = Some(
        [
            "cost_report",
            "usage_report",
            "claude_code_usage_report",
            "admin_users",
        ]
        .map(String::from)
        .to_vec(),
    );
    assert!(sync(&connection, &postgres, &options).await.succeeded());
    assert!(sync(&connection, &sqlite, &options).await.succeeded());
    let types = select(
        &postgres,
        "SELECT table_name || '.' || column_name, data_type FROM information_schema.columns
         WHERE table_schema = current_schema() AND column_name IN
           ('amount', 'bucket_start', 'date', 'is_remote', 'uncached_input_tokens', 'actor',
            'added_at', '_raw', '_synced_at', '_run_id', '_deleted_at')
         ORDER BY 1",
    );
    let types: Vec<(String, String)> = types
        .into_iter()
        .map(|row| (row[0].clone(), row[1].clone()))
        .collect();
    for (column, expected) in [
        ("admin_users._raw", "jsonb"),
        ("admin_users._synced_at", "timestamp with time zone"),
        ("admin_users._run_id", "bigint"),
        ("admin_users._deleted_at", "timestamp with time zone"),
        ("admin_users.added_at", "timestamp with time zone"),
        ("claude_code_usage_report.actor", "jsonb"),
        ("claude_code_usage_report.date", "date"),
        ("claude_code_usage_report.is_remote", "boolean"),
        ("cost_report.amount", "numeric"),
        ("cost_report.bucket_start", "timestamp with time zone"),
        ("usage_report.uncached_input_tokens", "bigint"),
    ] {
        assert!(
            types.contains(&(column.to_owned(), expected.to_owned())),
            "{column} is not {expected}: {types:?}"
        );
    }
    // Every digit of every amount, and the total the database adds up.
    let amounts = |db: &dyn Fn(&str) -> Vec<Vec<String>>| {
        let mut amounts: Vec<String> = db("SELECT amount FROM cost_report")
            .into_iter()
            .map(|row| row[0].clone())
            .collect();
        amounts.sort();
        amounts
    };
    assert_eq!(
        amounts(&|sql| select(&postgres, sql)),
        amounts(&|sql| select(&sqlite, sql))
    );
    let exact: u64 = amounts(&|sql| select(&sqlite, sql))
        .iter()
        .map(|a| crate::common::truth::microcents(a))
        .sum();
    assert_eq!(
        select(
            &postgres,
            "SELECT (sum(amount) * 1000000)::bigint FROM cost_report"
        )[0][0],
        exact.to_string()
    );
}

fn table(columns: &[(&str, ColumnKind)]) -> TableSpec {
    TableSpec {
        name: "people".into(),
        primary_key: vec!["id".into()],
        columns: columns
            .iter()
            .map(|(name, kind)| Column {
                name: (*name).into(),
                kind: *kind,
            })
            .collect(),
    }
}

async fn write(db: &mut PostgresDestination, table: &TableSpec, records: &[&str]) {
    db.prepare(table).await.unwrap();
    db.commit_page(
        table,
        records.iter().map(|r| (*r).to_owned()).collect(),
        &Checkpoint::default(),
    )
    .await
    .unwrap();
    db.flush().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn tables_gain_new_fields_and_refuse_a_changed_type_key_or_someone_elses_table() {
    let schema = PgSchema::fresh("evolve");
    let mut db = PostgresDestination::connect(&schema.location())
        .await
        .unwrap();
    let before = table(&[("id", ColumnKind::Text), ("age", ColumnKind::Integer)]);
    write(&mut db, &before, &[r#"{"id":"a","age":30}"#]).await;

    // A stream that gains a field: the column is added, old rows keep theirs.
    let after = table(&[
        ("id", ColumnKind::Text),
        ("age", ColumnKind::Integer),
        ("joined", ColumnKind::Timestamp),
    ]);
    write(
        &mut db,
        &after,
        &[r#"{"id":"b","age":7,"joined":"2026-11-02T10:00:00Z"}"#],
    )
    .await;
    assert_eq!(
        select(
            &schema,
            "SELECT id, age, joined AT TIME ZONE 'UTC' FROM people ORDER BY id"
        ),
        [["a", "30", ""], ["b", "7", "2026-11-02 10:00:00"]]
    );

    let refused = |e: DestinationError| e.to_string();
    let changed = table(&[("id", ColumnKind::Text), ("age", ColumnKind::Decimal)]);
    assert_eq!(
        refused(db.prepare(&changed).await.unwrap_err()),
        "column `age` of table `people` holds bigint but the stream now declares numeric: \
         rename or drop that column (or the table), then sync again"
    );
    let mut rekeyed = after.clone();
    rekeyed.primary_key = vec!["id".into(), "age".into()];
    assert_eq!(
        refused(db.prepare(&rekeyed).await.unwrap_err()),
        "table `people` has the primary key (id) but the stream now declares (id, age): \
         rename or drop the table, then sync again"
    );
    schema.query("CREATE TABLE visitors (id text PRIMARY KEY)");
    let mut theirs = after.clone();
    theirs.name = "visitors".into();
    assert_eq!(
        refused(db.prepare(&theirs).await.unwrap_err()),
        format!(
            "table `visitors` in PostgreSQL postgres@127.0.0.1:{}/postgres (schema {}) was not \
             created by this connector, so it is left as it is: sync into another file \
             (--into FILE), or rename or drop that table, then sync again",
            crate::common::postgres_server::server().port,
            schema.schema()
        )
    );
    assert_eq!(select(&schema, "SELECT count(*) FROM visitors"), [["0"]]);
}

#[tokio::test(flavor = "multi_thread")]
async fn one_sync_writes_a_schema_at_a_time_and_pages_commit_in_batches() {
    let schema = PgSchema::fresh("batches");
    let people = table(&[("id", ColumnKind::Text)]);
    let slow = BatchLimits {
        rows: 1000,
        age: Duration::from_secs(3600),
    };
    let mut db = PostgresDestination::connect_with(&schema.location(), slow)
        .await
        .unwrap();
    let busy = PostgresDestination::connect(&schema.location()).await.err();
    assert!(
        matches!(busy, Some(DestinationError::Busy { .. })),
        "{busy:?}"
    );
    db.prepare(&people).await.unwrap();
    for id in ["a", "b"] {
        let record = format!(r#"{{"id":"{id}"}}"#);
        db.commit_page(&people, vec![record], &Checkpoint::default())
            .await
            .unwrap();
    }
    assert_eq!(
        select(&schema, "SELECT count(*) FROM people"),
        [["0"]],
        "held back"
    );
    db.flush().await.unwrap();
    assert_eq!(select(&schema, "SELECT count(*) FROM people"), [["2"]]);
    drop(db);

    // Free once the first is gone; a batch old enough commits with no page after it.
    let quick = BatchLimits {
        rows: 1000,
        age: Duration::from_millis(100),
    };
    let mut db = PostgresDestination::connect_with(&schema.location(), quick)
        .await
        .unwrap();
    db.prepare(&people).await.unwrap();
    db.commit_page(
        &people,
        vec![r#"{"id":"c"}"#.into()],
        &Checkpoint::default(),
    )
    .await
    .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while select(&schema, "SELECT count(*) FROM people") != [["3"]] {
        assert!(std::time::Instant::now() < deadline, "never committed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_commands_take_a_postgres_url_and_say_what_is_wrong_with_a_bad_one() {
    let schema = PgSchema::fresh("cli");
    let url = schema.url();
    let into = ["--into", url.as_str(), "--schema", schema.schema()];
    let run = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(into);
        tokio::task::block_in_place(|| harness(&all, None, BOTH))
    };
    let synced = run(&["sync", "--mock", "--streams", "admin_users,organizations"]);
    assert!(synced.status.success(), "{}", stderr(&synced));
    let summary = stdout(&synced);
    assert!(
        summary.contains(&format!("(schema {})", schema.schema())),
        "{summary}"
    );
    assert_eq!(
        select(&schema, "SELECT count(*) > 0 FROM admin_users"),
        [["t"]]
    );

    let history = run(&["runs"]);
    assert!(history.status.success(), "{}", stderr(&history));
    let text = stdout(&history);
    assert!(
        text.lines().nth(1).is_some_and(|l| l.starts_with("1 ")),
        "{text}"
    );

    let reset = run(&["reset", "--streams", "admin_users"]);
    assert!(reset.status.success(), "{}", stderr(&reset));
    assert_eq!(
        select(
            &schema,
            "SELECT count(*) FROM _connector_state WHERE stream = 'admin_users'"
        ),
        [["0"]]
    );

    let fails = |args: &[&str]| {
        let out = tokio::task::block_in_place(|| harness(args, None, BOTH));
        assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
        stderr(&out)
    };
    let dead = fails(&[
        "sync",
        "--mock",
        "--into",
        "postgres://sync:s3cret-pass@127.0.0.1:1/warehouse",
    ]);
    assert!(
        dead.contains("cannot open PostgreSQL sync@127.0.0.1:1/warehouse (schema anthropic)"),
        "{dead}"
    );
    assert!(!dead.contains("s3cret"), "{dead}");
    let schema_for_file = fails(&["runs", "--into", "w.sqlite", "--schema", "x"]);
    assert!(
        schema_for_file.contains("applies to a PostgreSQL database only"),
        "{schema_for_file}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_named_connection_syncs_into_its_own_warehouse_and_schema() {
    let mock = mock(6, 1).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("prod.env"),
        format!("ANTHROPIC_ADMIN_API_KEY={}\n", crate::common::ADMIN_KEY),
    )
    .unwrap();
    // The slug names the schema unless the entry says otherwise.
    let slug = PgSchema::fresh("named");
    let file = dir.path().join("connections.json");
    std::fs::write(
        &file,
        serde_json::json!({"connections": {slug.schema(): {
            "base_url": mock.base_url(), "secrets_file": "prod.env", "into": slug.url()
        }}})
        .to_string(),
    )
    .unwrap();
    let none = crate::common::Keys {
        admin: None,
        compliance: None,
    };
    let file = file.to_str().unwrap();
    let synced = tokio::task::block_in_place(|| {
        harness(
            &[
                "sync",
                "--connection",
                slug.schema(),
                "--connections",
                file,
                "--streams",
                "admin_users",
            ],
            None,
            none,
        )
    });
    assert!(synced.status.success(), "{}", stderr(&synced));
    assert_eq!(
        rows(&slug, "admin_users", "id"),
        truth(&mock.org().admin_users, "id")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_to_postgres_verifies_the_server_against_the_public_roots_and_pgsslrootcert() {
    use crate::common::tls::TestCa;
    use host_harness::destinations::PostgresLocation;
    use host_harness::egress::ExtraRoots;
    let ca = TestCa::new();
    let (cert, key) = ca.identity_pem(&["127.0.0.1"]);
    let server =
        tokio::task::block_in_place(|| crate::common::postgres_server::start_tls(&cert, &key));
    let location =
        PostgresLocation::parse(&format!("{}?sslmode=require", server.url()), "tls").unwrap();

    // A company CA the public roots do not know: refused, saying what to do.
    let refused = PostgresDestination::connect(&location)
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        refused.contains(
            "the server's TLS certificate was not accepted: put the PEM of the CA \
                          that signed it in a file named by PGSSLROOTCERT"
        ),
        "{refused}"
    );
    // The server takes no plain connection, so what connects below is TLS.
    let plain =
        PostgresLocation::parse(&format!("{}?sslmode=disable", server.url()), "tls").unwrap();
    assert!(PostgresDestination::connect(&plain).await.is_err());

    let dir = tempfile::tempdir().unwrap();
    let roots = ExtraRoots::load(&[ca.write_pem(dir.path())]).unwrap();
    let mut db = PostgresDestination::connect(&location.with_roots(roots))
        .await
        .unwrap();
    let people = table(&[("id", ColumnKind::Text)]);
    write(&mut db, &people, &[r#"{"id":"over-tls"}"#]).await;
}
