#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Which engine learndb believes it talks to, and what it decides there, through the runner on
//! real servers.
//!
//! The servers here are PostgreSQL, MariaDB and SQLite; CockroachDB, YugabyteDB and TiDB are not
//! available, so their decisions are exercised by handing the runner the identification such a
//! server reports ([`Runner::with_server`]) on a real connection: a refusal must come before
//! anything is locked or created, and a profile that runs must run the whole schema there
//! (YugabyteDB's journaled path on PostgreSQL, TiDB's verified CHECK constraints on MariaDB).
//! The version-string parsing and the pure decision per engine are unit tests of
//! `migration::engine`.

mod common;

use common::catalog;
use common::halfway::{HALFWAY, HalfwayMigrator};
use common::{Backend, TestDb, learndb_migrate, migration_names, show, stdout};
use migration::engine::{self, Facts, Flavor};
use migration::runner::{RunError, Runner, Selection};
use migration::{
    Alias, ConnectionTrait, DbErr, MigrationName, MigrationTrait, Migrator, MigratorTrait,
    SchemaManager, Table, async_trait,
};
use sea_orm::{DbBackend, Statement};

const COCKROACH: &str = "CockroachDB CCL v25.2.1 (x86_64-pc-linux-gnu, built 2025/06/10 18:17:42, go1.23.7 X:nocoverageredesign)";
const YUGABYTE: &str = "PostgreSQL 15.2-YB-2.25.1.0-b0 on x86_64-pc-linux-gnu, compiled by clang version 17.0.6, 64-bit";
const TIDB: &str = "8.0.11-TiDB-v8.5.1";

on_every_backend!(
    the_server_is_identified_from_its_own_version_report,
    the_server_is_identified_from_its_own_version_report
);

async fn the_server_is_identified_from_its_own_version_report(backend: Backend) {
    let t = TestDb::new(backend).await;
    let (server, facts) = engine::inspect(&t.db).await.unwrap();
    let expected = match backend {
        Backend::Postgres => vec![Flavor::Postgres],
        Backend::MySql => vec![Flavor::MariaDb, Flavor::MySql],
        Backend::Sqlite => vec![Flavor::Sqlite],
    };
    assert!(expected.contains(&server.flavor), "{backend:?}: {server:?}");
    if backend == Backend::MySql {
        let is_mariadb = server.reported.to_ascii_lowercase().contains("mariadb");
        assert_eq!(server.flavor == Flavor::MariaDb, is_mariadb, "{server:?}");
    }
    assert!(
        server.version_numbers().len() >= 2,
        "{backend:?}: no version in {server:?}"
    );
    assert_eq!(facts, Facts::default(), "facts are read on TiDB only");

    // `status` shows it, as text and JSON.
    let text = learndb_migrate(&t.url, &["status"], &[]);
    assert!(text.status.success(), "{}", show(&text));
    assert!(
        stdout(&text)
            .lines()
            .any(|l| l == format!("Server: {server}")),
        "{}",
        stdout(&text)
    );
    let json = learndb_migrate(&t.url, &["status", "--json"], &[]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(
        report["server"]["version"],
        server.version,
        "{}",
        stdout(&json)
    );
    assert_eq!(
        report["server"]["reported"],
        server.reported,
        "{}",
        stdout(&json)
    );
    assert!(report["refused"].is_null(), "{}", stdout(&json));
}

/// Advisory locks granted in this PostgreSQL database.
async fn advisory_locks(t: &TestDb) -> usize {
    t.query_strings(
        "SELECT pid::text AS pid FROM pg_locks WHERE locktype = 'advisory'
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        "pid",
    )
    .await
    .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cockroachdb_is_refused_before_anything_is_locked_or_created() {
    let t = TestDb::new(Backend::Postgres).await;
    let runner = Runner::<Migrator>::for_target(&t.db, &t.target()).with_server(
        engine::identify(DbBackend::Postgres, COCKROACH),
        &Facts::default(),
    );
    let err = runner
        .up_with(&Selection::All, &mut |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, RunError::Refused { .. }), "{err:?}");
    assert_eq!(err.exit_code(), 1);
    let text = err.to_string();
    assert!(
        text.starts_with("refusing to migrate PostgreSQL database postgres://")
            && text.contains("CockroachDB 25.2.1")
            && text.contains("pg_try_advisory_lock always succeeds")
            && text.contains("docs/distributed.md")
            && text.ends_with("nothing was locked or changed")
            && !text.contains('\n'),
        "{text}"
    );
    assert!(
        catalog::read(&t.db).await.is_empty(),
        "something was created"
    );
    assert_eq!(advisory_locks(&t).await, 0);
    // `status` still works, and says why migrations are refused.
    let report = runner.status().await.unwrap();
    assert_eq!(report.server.flavor, Flavor::Cockroach);
    assert!(
        report
            .refused
            .as_deref()
            .is_some_and(|r| r.contains("CockroachDB")),
        "{report:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tidb_without_enforced_checks_or_new_collations_is_refused_before_anything_is_created() {
    let t = TestDb::new(Backend::MySql).await;
    let cases = [
        (
            Facts {
                tidb_check_constraints: Some(false),
                tidb_new_collation: Some(true),
                tidb_max_txn_ttl_ms: None,
                read_only: None,
            },
            "SET GLOBAL tidb_enable_check_constraint = ON",
        ),
        (
            Facts {
                tidb_check_constraints: Some(true),
                tidb_new_collation: Some(false),
                tidb_max_txn_ttl_ms: None,
                read_only: None,
            },
            "old collation framework",
        ),
    ];
    for (facts, needle) in cases {
        let runner = Runner::<Migrator>::for_target(&t.db, &t.target())
            .with_server(engine::identify(DbBackend::MySql, TIDB), &facts);
        let err = runner
            .up_with(&Selection::All, &mut |_| {})
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, RunError::Refused { .. })
                && text.contains("TiDB 8.5.1")
                && text.contains(needle),
            "{text}"
        );
    }
    let old = Runner::<Migrator>::for_target(&t.db, &t.target()).with_server(
        engine::identify(DbBackend::MySql, "8.0.11-TiDB-v7.5.1"),
        &Facts {
            tidb_check_constraints: Some(true),
            tidb_new_collation: Some(true),
            tidb_max_txn_ttl_ms: None,
            read_only: None,
        },
    );
    let text = old
        .up_with(&Selection::All, &mut |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(text.contains("older than TiDB 8.5"), "{text}");
    assert!(
        catalog::read(&t.db).await.is_empty(),
        "something was created"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tidb_profile_migrates_with_every_declared_check_found_in_the_catalog() {
    // MariaDB keeps CHECK constraints, so the verification after each migration passes; the
    // unit test `declared_checks…` covers what it looks for.
    let t = TestDb::new(Backend::MySql).await;
    let facts = Facts {
        tidb_check_constraints: Some(true),
        tidb_new_collation: Some(true),
        tidb_max_txn_ttl_ms: Some(600_000),
        read_only: None,
    };
    let runner = Runner::<Migrator>::for_target(&t.db, &t.target())
        .with_server(engine::identify(DbBackend::MySql, TIDB), &facts);
    let n = runner.up_with(&Selection::All, &mut |_| {}).await.unwrap();
    assert_eq!(n, migration_names().len());
    let checks = t
        .query_strings(
            "SELECT CAST(COUNT(*) AS CHAR) AS n FROM information_schema.CHECK_CONSTRAINTS
             WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME LIKE 'ck\\_%'",
            "n",
        )
        .await;
    let declared =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema/mysql.sql"))
            .unwrap()
            .matches("` CHECK (")
            .count();
    assert_eq!(checks, [declared.to_string()]);
}

// ----- YugabyteDB: journaled on a PostgreSQL connection ---------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_yugabytedb_profile_journals_each_statement_instead_of_one_transaction() {
    let t = TestDb::new(Backend::Postgres).await;
    let runner = Runner::<HalfwayMigrator>::for_target(&t.db, &t.target()).with_server(
        engine::identify(DbBackend::Postgres, YUGABYTE),
        &Facts::default(),
    );
    let err = runner
        .up_with(&Selection::All, &mut |_| {})
        .await
        .unwrap_err();
    // The whole schema went in journaled; the failing migration is recorded with what it did,
    // as on MySQL, instead of being rolled back with its transaction.
    let text = err.to_string();
    assert!(
        matches!(err, RunError::MigrationFailed { .. })
            && text.contains("runs without a transaction here"),
        "{text}"
    );
    let state = t
        .query_strings(
            &format!("SELECT state FROM learndb_migration_history WHERE version = '{HALFWAY}'"),
            "state",
        )
        .await;
    assert_eq!(state, ["failed"]);
    let exists =
        t.db.query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT to_regclass('halfway_a') IS NOT NULL AS e",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<bool>("", "e")
        .unwrap();
    assert!(
        exists,
        "the journaled statement before the failure is in place"
    );
    let applied = t
        .query_strings(
            "SELECT version FROM seaql_migrations ORDER BY version",
            "version",
        )
        .await;
    assert_eq!(applied, migration_names());

    let report = runner.status().await.unwrap();
    assert_eq!(report.server.flavor, Flavor::Yugabyte);
    assert_eq!(
        (report.applied, report.problems),
        (migration_names().len(), 1)
    );
}

// ----- CHECK constraints the server accepted but did not keep ---------------------------------

const GHOST: &str = "m20261121_999997_ghost_check";

/// A table whose CHECK constraint MariaDB parses away, as TiDB with its switch OFF (or MySQL
/// before 8.0.16) does: the clause sits in a versioned comment for a server version that does
/// not exist, so the statement succeeds and the catalog has no constraint.
struct GhostCheck;

impl MigrationName for GhostCheck {
    fn name(&self) -> &str {
        GHOST
    }
}

#[async_trait::async_trait]
impl MigrationTrait for GhostCheck {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE TABLE `ghost_checks` ( `n` int NOT NULL /*M!999999 , CONSTRAINT `ck_ghost_checks_n` CHECK (`n` > 0) */ )",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("ghost_checks")).to_owned())
            .await
    }
}

struct GhostMigrator;

#[async_trait::async_trait]
impl MigratorTrait for GhostMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(GhostCheck)]
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_constraint_the_server_did_not_keep_fails_the_migration_on_the_mysql_family() {
    let t = TestDb::new(Backend::MySql).await;
    let runner = Runner::<GhostMigrator>::for_target(&t.db, &t.target());
    let err = runner
        .up_with(&Selection::All, &mut |_| {})
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, RunError::MigrationFailed { .. })
            && text.contains("catalog lacks 1 of them (ck_ghost_checks_n)")
            && text.contains("up --recover"),
        "{text}"
    );
    let state = t
        .query_strings(
            &format!("SELECT state FROM learndb_migration_history WHERE version = '{GHOST}'"),
            "state",
        )
        .await;
    assert_eq!(state, ["failed"], "the migration must not count as applied");
    let applied = t
        .query_strings("SELECT version FROM seaql_migrations", "version")
        .await;
    assert!(applied.is_empty(), "{applied:?}");
}
