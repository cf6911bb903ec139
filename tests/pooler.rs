#![allow(clippy::unwrap_used, clippy::expect_used)]

//! learndb behind a transaction pooler: PgBouncer (`pool_mode = transaction`, started by
//! `scripts/pgbouncer.sh`) in front of the test PostgreSQL, with `learndb migrate` run as real
//! subprocesses through it.
//!
//! Proves that 8 concurrent `up` runs through the pooler either apply each migration exactly
//! once or all refuse with the one-line message naming the fix; that afterwards no advisory lock
//! is left on any (pooled) server connection and a direct `up` runs at once; that `status` works
//! through the pooler (text and JSON, concurrently) and says migrations are refused there; and
//! that `--direct-url` / `DIRECT_DATABASE_URL` beside a pooled URL migrates.
//!
//! The pooler is found at `TEST_PGBOUNCER_URL` (default
//! `postgres://postgres@127.0.0.1:6432/postgres`; the database name is replaced by each test's
//! own). A pooler that cannot be reached fails the test with how to start it.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::{
    Backend, TestDb, command, learndb_bin, learndb_migrate, migration_names, show, stderr, stdout,
    with_database,
};
use sea_orm::{ConnectionTrait, Statement};

pub const DEFAULT_PGBOUNCER_URL: &str = "postgres://postgres@127.0.0.1:6432/postgres";

/// The pooler's URL for test database `t`, after checking that the pooler answers.
async fn pooled_url(t: &TestDb) -> String {
    dotenvy::dotenv().ok();
    let server =
        std::env::var("TEST_PGBOUNCER_URL").unwrap_or_else(|_| DEFAULT_PGBOUNCER_URL.to_owned());
    let name = url::Url::parse(&t.url)
        .unwrap()
        .path()
        .trim_start_matches('/')
        .to_owned();
    let url = with_database(&server, &name);
    let reachable = tokio::time::timeout(
        Duration::from_secs(10),
        sea_orm::sqlx::postgres::PgPool::connect(&url),
    )
    .await;
    match reachable {
        Ok(Ok(pool)) => pool.close().await,
        other => panic!(
            "the PgBouncer test pooler at TEST_PGBOUNCER_URL ({}) is unusable: {}. To run the tests, start it with `scripts/pgbouncer.sh start` (PgBouncer in transaction pooling mode on 127.0.0.1:6432 in front of the local PostgreSQL; `.ci/run` does this), or point TEST_PGBOUNCER_URL at one",
            migration::connect::redact(&server),
            match other {
                Ok(Err(e)) => e.to_string(),
                _ => "no answer within 10 s".to_owned(),
            }
        ),
    }
    url
}

fn migrate_command(url: &str, dir: &std::path::Path, args: &[&str]) -> Command {
    let mut c = command(&learndb_bin(), dir);
    c.args(["migrate", "-u", url]).args(args);
    c
}

/// Advisory locks granted on the server in database `t`, on any connection, pooled or not.
async fn advisory_locks(t: &TestDb) -> Vec<String> {
    t.query_strings(
        "SELECT l.pid::text AS pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
         WHERE l.locktype = 'advisory' AND d.datname = current_database()",
        "pid",
    )
    .await
}

async fn seaql_versions(t: &TestDb) -> Vec<String> {
    let exists = t
        .query_strings(
            "SELECT (to_regclass('seaql_migrations') IS NOT NULL)::text AS e",
            "e",
        )
        .await;
    if exists != ["true"] {
        return Vec::new();
    }
    let mut v = t
        .query_strings("SELECT version FROM seaql_migrations", "version")
        .await;
    v.sort();
    v
}

const FIX: &str = "connect migrations directly or through a session pooler";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_concurrent_up_runs_through_a_transaction_pooler_refuse_and_leave_no_lock_behind() {
    let t = TestDb::new(Backend::Postgres).await;
    let pooled = pooled_url(&t).await;
    let dir = tempfile::tempdir().unwrap();
    let outputs = common::run_at_once(8, || {
        migrate_command(&pooled, dir.path(), &["--lock-timeout", "60", "up"])
    });

    let applied = seaql_versions(&t).await;
    let all_ok = outputs.iter().all(|o| o.status.success());
    if all_ok {
        // Allowed by the issue, though learndb refuses today: each migration exactly once.
        assert_eq!(
            applied,
            migration_names(),
            "migrations applied more than once"
        );
    } else {
        for (i, o) in outputs.iter().enumerate() {
            assert_eq!(o.status.code(), Some(1), "run {i}: {}", show(o));
            let err = stderr(o);
            let lines: Vec<&str> = err.lines().collect();
            assert_eq!(lines.len(), 1, "run {i}: expected one stderr line: {err}");
            assert!(
                lines[0].starts_with("error: refusing to migrate PostgreSQL database")
                    && lines[0].contains("transaction pooler")
                    && lines[0].contains(FIX)
                    && lines[0].contains("DIRECT_DATABASE_URL"),
                "run {i}: {err}"
            );
            assert!(
                lines[0].contains("nothing was locked or changed")
                    || lines[0].contains("nothing was changed"),
                "run {i}: {err}"
            );
        }
        assert!(
            applied.is_empty(),
            "refused runs recorded migrations: {applied:?}"
        );
    }

    assert_eq!(
        advisory_locks(&t).await,
        Vec::<String>::new(),
        "an advisory lock was left behind on a server connection"
    );
    // A direct run takes the lock at once (lock timeout 0).
    let direct = learndb_migrate(&t.url, &["--lock-timeout", "0", "up"], &[]);
    assert!(
        direct.status.success(),
        "direct up after the pooled runs: {}",
        show(&direct)
    );
    assert_eq!(seaql_versions(&t).await, migration_names());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_works_through_a_transaction_pooler_and_says_migrations_are_refused_there() {
    let t = TestDb::migrated(Backend::Postgres).await;
    let pooled = pooled_url(&t).await;
    let dir = tempfile::tempdir().unwrap();

    // Concurrently, so prepared statements of different clients would meet on shared server
    // connections if any were left behind.
    let children: Vec<_> = (0..8)
        .map(|i| {
            let args: &[&str] = if i % 2 == 0 {
                &["status"]
            } else {
                &["status", "--json"]
            };
            migrate_command(&pooled, dir.path(), args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("learndb starts")
        })
        .collect();
    let names = migration_names();
    for (i, child) in children.into_iter().enumerate() {
        let o = child.wait_with_output().unwrap();
        assert!(o.status.success(), "status {i}: {}", show(&o));
        let out = stdout(&o);
        if i % 2 == 0 {
            assert!(out.contains("\nServer: PostgreSQL "), "{out}");
            assert!(
                out.lines().any(|l| l.starts_with(
                    "Migrations: refused on this connection: its connections do not keep their own server session"
                ) && l.contains(FIX)),
                "status {i} does not say migrations are refused here:\n{out}"
            );
            assert!(
                out.contains(&format!("{} applied, 0 pending, 0 problem(s)", names.len())),
                "{out}"
            );
        } else {
            let report: serde_json::Value = serde_json::from_str(&out)
                .unwrap_or_else(|e| panic!("status {i} --json is not JSON ({e}):\n{out}"));
            assert_eq!(report["server"]["flavor"], "postgres", "{out}");
            assert!(
                report["refused"].as_str().is_some_and(|r| r.contains(FIX)),
                "{out}"
            );
            assert_eq!(report["applied"], names.len(), "{out}");
        }
    }

    // The same status directly: nothing refused.
    let direct = learndb_migrate(&t.url, &["status", "--json"], &[]);
    assert!(direct.status.success(), "{}", show(&direct));
    let report: serde_json::Value = serde_json::from_str(&stdout(&direct)).unwrap();
    assert!(report["refused"].is_null(), "{}", stdout(&direct));
    assert_eq!(advisory_locks(&t).await, Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_url_beside_a_pooled_database_url_migrates() {
    let t = TestDb::new(Backend::Postgres).await;
    let pooled = pooled_url(&t).await;

    // The flag.
    let up = learndb_migrate(&pooled, &["--direct-url", &t.url, "up", "-n", "3"], &[]);
    assert!(up.status.success(), "{}", show(&up));
    let first = stdout(&up).lines().next().unwrap_or_default().to_owned();
    assert!(
        first.starts_with("Database: PostgreSQL database postgres://")
            && first.contains(":5432/")
            && first.ends_with("(from --direct-url)"),
        "{}",
        show(&up)
    );

    // The variable, as a deployment sets it beside a pooled DATABASE_URL.
    let dir = tempfile::tempdir().unwrap();
    let up = command(&learndb_bin(), dir.path())
        .args(["migrate", "up"])
        .env("DATABASE_URL", &pooled)
        .env("DIRECT_DATABASE_URL", &t.url)
        .output()
        .unwrap();
    assert!(up.status.success(), "{}", show(&up));
    assert!(
        stdout(&up).contains("(from DIRECT_DATABASE_URL)"),
        "{}",
        stdout(&up)
    );
    assert!(
        !stdout(&up).contains(":postgres@") && !stderr(&up).contains(":postgres@"),
        "the password was shown: {}",
        show(&up)
    );
    assert_eq!(seaql_versions(&t).await, migration_names());

    // Without it, through the pooler alone, the same command refuses.
    let dir = tempfile::tempdir().unwrap();
    let down = command(&learndb_bin(), dir.path())
        .args(["migrate", "down", "--yes"])
        .env("DATABASE_URL", &pooled)
        .output()
        .unwrap();
    assert_eq!(down.status.code(), Some(1), "{}", show(&down));
    assert!(stderr(&down).contains(FIX), "{}", show(&down));
    assert_eq!(seaql_versions(&t).await, migration_names());
    let holders =
        t.db.query_all_raw(Statement::from_string(
            t.db_backend(),
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory'
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        ))
        .await
        .unwrap();
    assert!(holders.is_empty(), "an advisory lock was left behind");
}
