#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `learndb seed --demo` on PostgreSQL, MariaDB and SQLite, on freshly migrated databases:
//!
//! 1. scale 1 writes exactly the promised rows into each table (reference rows of migration 19
//!    are reused, not written again), every table of the schema has rows, every view there is
//!    returns rows, and on PostgreSQL both partitions of `attempts` that the demo aims at fill;
//! 2. the same seed gives identical databases, ids included, and another seed different ones;
//! 3. a failure in the middle leaves nothing behind (one transaction);
//! 4. the command: header and summary, refusal of a second run, of bad options and of an
//!    unmigrated database, each with one line and exit code 2.

mod common;

use std::collections::BTreeMap;
use std::fmt::Debug;

use chrono::{Datelike, Utc};
use common::{Backend, TestDb, command, learndb_bin, schema_tables, show, stderr, stdout};
use entity::knowledge_points_metadata;
use learndb::catalog::Catalog;
use learndb::seed::{Quiet, SeedError, SeedOptions, plan, seed_demo};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Iterable,
    PrimaryKeyToColumn, QueryOrder, Statement,
};

on_every_backend!(
    scale_one_fills_every_table_with_the_planned_rows_and_every_view_reads_rows,
    scale_one_fills_every_table_with_the_planned_rows
);
on_every_backend!(
    the_same_seed_gives_identical_data_and_another_seed_different_data,
    the_same_seed_gives_identical_data
);
on_every_backend!(
    a_failure_while_seeding_leaves_the_database_as_it_was,
    a_failure_leaves_the_database_as_it_was
);
on_every_backend!(
    the_command_seeds_once_and_refuses_a_second_run_bad_options_and_an_unmigrated_database,
    the_command_seeds_once_and_refuses
);

/// Rows in every table of the schema (the runner's history tables left out).
async fn counts(db: &DatabaseConnection) -> BTreeMap<String, u64> {
    let catalog = Catalog::read(db).await.unwrap().without_history();
    let mut counts = BTreeMap::new();
    for table in catalog.tables.keys() {
        counts.insert(table.clone(), count(db, table).await);
    }
    counts
}

async fn count(db: &DatabaseConnection, relation: &str) -> u64 {
    let backend = db.get_database_backend();
    let quoted = match backend {
        sea_orm::DbBackend::MySql => format!("`{relation}`"),
        _ => format!("\"{relation}\""),
    };
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {quoted}"),
        ))
        .await
        .unwrap_or_else(|e| panic!("count {relation}: {e}"))
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() as u64
}

/// Rows of `table` where `condition` holds.
async fn count_where(db: &DatabaseConnection, table: &str, condition: &str) -> u64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table} WHERE {condition}"),
        ))
        .await
        .unwrap_or_else(|e| panic!("count {table} where {condition}: {e}"))
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() as u64
}

async fn scale_one_fills_every_table_with_the_planned_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let before = counts(&t.db).await;
    assert_eq!(
        before.len(),
        schema_tables(),
        "{backend:?}: every table of the schema"
    );

    let report = seed_demo(&t.db, &SeedOptions::default(), &mut Quiet)
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    let promised = plan(1);
    assert_eq!(
        report.counts(),
        promised,
        "{backend:?}: the report is the plan"
    );
    let total: u64 = promised.values().sum();
    assert!(
        (9_000..=12_000).contains(&total),
        "scale 1 is about 10,000 rows: {total}"
    );

    let after = counts(&t.db).await;
    for (table, rows) in &after {
        let written = rows - before[table];
        assert_eq!(
            written,
            promised.get(table.as_str()).copied().unwrap_or(0),
            "{backend:?}: rows written into {table}"
        );
        assert!(*rows > 0, "{backend:?}: {table} is empty");
    }
    for table in promised.keys() {
        assert!(
            after.contains_key(*table),
            "{backend:?}: the plan names {table}"
        );
    }

    let catalog = Catalog::read(&t.db).await.unwrap();
    assert!(!catalog.views.is_empty());
    for view in catalog.views.keys() {
        // These two read server statistics, not the demo data, and may rightly be empty:
        // `slow_queries` lists statements averaging over a second (none on a test server),
        // and `index_usage` on MariaDB reads performance_schema, which is off by default.
        let statistics =
            view == "slow_queries" || (view == "index_usage" && backend == Backend::MySql);
        let rows = count(&t.db, view).await;
        assert!(
            statistics || rows > 0,
            "{backend:?}: view {view} returns no rows"
        );
    }

    // The integrity view re-checks some CHECKs and FKs by query: nothing fails.
    let failing = t
        .query_strings(
            "SELECT check_name AS c FROM data_integrity_checks WHERE failing_records <> 0",
            "c",
        )
        .await;
    assert!(failing.is_empty(), "{backend:?}: {failing:?}");

    // Nothing is dated after today (the as-of date): no row of any table was created later.
    let now = match backend {
        Backend::Postgres => "now()",
        Backend::MySql => "CURRENT_TIMESTAMP(6)",
        Backend::Sqlite => "strftime('%Y-%m-%dT%H:%M:%f', 'now')",
    };
    let mut dated_later = Vec::new();
    for (table, columns) in &catalog.tables {
        for column in &columns.columns {
            let timestamp = [
                "created_at",
                "updated_at",
                "completed_at",
                "issued_at",
                "submitted_at",
                "started_at",
                "ended_at",
                "graded_at",
                "reviewed_at",
                "last_accessed_at",
            ];
            if !timestamp.contains(&column.name.as_str()) {
                continue;
            }
            let later = count_where(&t.db, table, &format!("{} > {now}", column.name)).await;
            if later > 0 {
                dated_later.push(format!("{table}.{} ({later} rows)", column.name));
            }
        }
    }
    assert!(
        dated_later.is_empty(),
        "{backend:?}: dated in the future: {dated_later:?}"
    );

    if backend == Backend::Postgres {
        // Two years of attempts up to 30 days before today: the years before this one land in
        // the DEFAULT partition, this year's (after its first 30 days) in its own.
        let today = Utc::now().date_naive();
        let mut filled = vec!["attempts_default".to_owned()];
        if today.ordinal() > 31 {
            filled.push(format!("attempts_{}", today.year()));
        }
        for partition in &filled {
            assert!(
                catalog.partitions.contains_key(partition),
                "no partition {partition}"
            );
            assert!(count(&t.db, partition).await > 0, "{partition} is empty");
        }
    }
}

/// Every row of `E`, ordered by primary key, as text.
async fn dump<E>(db: &DatabaseConnection) -> Vec<String>
where
    E: EntityTrait,
    E::Model: Debug,
{
    let mut select = E::find();
    for key in E::PrimaryKey::iter() {
        select = select.order_by_asc(key.into_column());
    }
    select
        .all(db)
        .await
        .unwrap_or_else(|e| panic!("dump: {e}"))
        .iter()
        .map(|row| format!("{row:?}"))
        // The reference rows of migration 19 have fixed ids (00000000-0000-…) and the time of
        // the migration, and each MariaDB test database is migrated on its own: not demo data.
        .filter(|row| !row.starts_with("Model { id: 00000000-0000-"))
        .collect()
}

/// `dump_database`: every table of the schema, row by row, over the entity crate's list.
macro_rules! dump_every_entity {
    { $($table:ident,)* } => {
        async fn dump_database(db: &DatabaseConnection) -> BTreeMap<&'static str, Vec<String>> {
            let mut tables = BTreeMap::new();
            $( tables.insert(stringify!($table), dump::<entity::$table::Entity>(db).await); )*
            assert_eq!(tables.len(), schema_tables());
            tables
        }
    };
}
entity::for_each_entity!(dump_every_entity);

/// The as-of date of the determinism test: one date for both databases, even across midnight.
fn as_of() -> chrono::NaiveDate {
    static DAY: std::sync::OnceLock<chrono::NaiveDate> = std::sync::OnceLock::new();
    *DAY.get_or_init(|| Utc::now().date_naive())
}

async fn seeded(backend: Backend, seed: u64) -> TestDb {
    let t = TestDb::migrated(backend).await;
    let options = SeedOptions {
        scale: 1,
        seed,
        as_of: as_of(),
    };
    seed_demo(&t.db, &options, &mut Quiet)
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    t
}

async fn the_same_seed_gives_identical_data(backend: Backend) {
    let first = seeded(backend, 7).await;
    let again = seeded(backend, 7).await;
    let (a, b) = (
        dump_database(&first.db).await,
        dump_database(&again.db).await,
    );
    let planned = plan(1);
    for (table, rows) in &a {
        if planned.contains_key(table) {
            assert!(!rows.is_empty(), "{backend:?}: {table} has no demo rows");
        }
        // Compared table by table, so that a failure names the table, not 10,000 rows.
        assert!(
            rows == &b[table],
            "{backend:?}: {table} differs between two runs of seed 7"
        );
    }
    drop((first, again));

    let other = seeded(backend, 8).await;
    let c = dump_database(&other.db).await;
    for table in ["users", "attempts", "enrollments", "notifications"] {
        assert_ne!(
            a[table], c[table],
            "{backend:?}: seeds 7 and 8 give the same {table}"
        );
    }
}

async fn a_failure_leaves_the_database_as_it_was(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    // A row the demo would write again, in a table it writes half-way through: the insert of
    // knowledge_points_metadata fails on its unique key after nineteen tables were written.
    knowledge_points_metadata::ActiveModel {
        meta_key: Set("curriculum.version.0".to_owned()),
        meta_value: Set(serde_json::json!("taken")),
        ..Default::default()
    }
    .insert(&t.db)
    .await
    .unwrap();
    let before = counts(&t.db).await;

    let err = seed_demo(&t.db, &SeedOptions::default(), &mut Quiet)
        .await
        .expect_err("the duplicate key stops the seed");
    assert!(
        matches!(
            err,
            SeedError::Db {
                table: "knowledge_points_metadata",
                ..
            }
        ),
        "{backend:?}: {err}"
    );
    assert_eq!(
        counts(&t.db).await,
        before,
        "{backend:?}: rows were left behind"
    );
}

fn seed(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    command(&learndb_bin(), dir)
        .arg("seed")
        .args(args)
        .output()
        .expect("the learndb binary starts")
}

fn one_line(o: &std::process::Output) -> String {
    let err = stderr(o);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line on stderr:\n{}",
        show(o)
    );
    err
}

async fn the_command_seeds_once_and_refuses(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let t = TestDb::migrated(backend).await;

    let first = seed(dir.path(), &["--demo", "-u", &t.url]);
    assert_eq!(first.status.code(), Some(0), "{}", show(&first));
    let out = stdout(&first);
    assert!(
        out.starts_with("Database: "),
        "header first:\n{}",
        show(&first)
    );
    assert!(out.contains("\nServer: "), "{}", show(&first));
    let total: u64 = plan(1).values().sum();
    assert!(
        out.contains(&format!(
            "Seeded {total} rows into {} tables",
            plan(1).len()
        )),
        "summary:\n{}",
        show(&first)
    );
    // Not a terminal: one plain line per table.
    assert!(stderr(&first).contains(&format!("seeded attempts: {} rows", plan(1)["attempts"])));

    // Seeded data leaves the schema as the migrations made it: learndb verify passes.
    let verify = command(&learndb_bin(), dir.path())
        .args(["verify", "-u", &t.url])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", show(&verify));
    assert!(
        stdout(&verify).contains(&format!("No drift: {} tables", schema_tables())),
        "{}",
        show(&verify)
    );

    let seeded = counts(&t.db).await;
    let second = seed(dir.path(), &["--demo", "-u", &t.url]);
    assert_eq!(second.status.code(), Some(2), "{}", show(&second));
    assert!(
        one_line(&second).contains("already holds data"),
        "{}",
        show(&second)
    );
    assert!(
        stderr(&second).contains("learndb migrate fresh"),
        "{}",
        show(&second)
    );
    assert_eq!(counts(&t.db).await, seeded, "a refused run changes nothing");

    for bad in [
        &["--demo", "--scale", "0", "-u", &t.url][..],
        &["--demo", "--scale", "abc", "-u", &t.url],
        &["--demo", "--scale", "1001", "-u", &t.url],
    ] {
        let o = seed(dir.path(), bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", show(&o));
        assert!(stderr(&o).contains("--scale"), "{bad:?}: {}", show(&o));
    }
    let bad_date = seed(
        dir.path(),
        &["--demo", "--as-of", "2026-02-30", "-u", &t.url],
    );
    assert_eq!(bad_date.status.code(), Some(2), "{}", show(&bad_date));
    assert!(stderr(&bad_date).contains("--as-of"), "{}", show(&bad_date));
    let no_demo = seed(dir.path(), &["-u", &t.url]);
    assert_eq!(no_demo.status.code(), Some(2), "{}", show(&no_demo));
    assert!(one_line(&no_demo).contains("--demo"), "{}", show(&no_demo));

    let empty = TestDb::new(backend).await;
    let unmigrated = seed(dir.path(), &["--demo", "-u", &empty.url]);
    assert_eq!(unmigrated.status.code(), Some(2), "{}", show(&unmigrated));
    assert!(
        one_line(&unmigrated).contains("learndb migrate up"),
        "{}",
        show(&unmigrated)
    );
}
