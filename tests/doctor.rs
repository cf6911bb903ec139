#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `learndb doctor` on real databases: all pass on a migrated database; each broken promise
//! turns its own line to warn or FAIL (and FAIL exits 1); an unreachable server is one line and
//! exit 2.

mod common;

use std::process::Output;

use chrono::{Datelike, Utc};
use common::spec::Spec;
use common::{
    Backend, TestDb, all_of_all, command, learndb_bin, migration_names, show, stderr, stdout,
};
use migration::runner::Selection;
use sea_orm::{ConnectionTrait, Database};

fn doctor(url: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    command(&learndb_bin(), dir.path())
        .args(["doctor", "-u", url, "--json"])
        .output()
        .expect("the learndb binary starts")
}

/// `check` → `(level, detail)` from the JSON report.
fn findings(o: &Output) -> Vec<(String, String, String)> {
    let doc: serde_json::Value =
        serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", show(o)));
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_owned(),
                f["level"].as_str().unwrap().to_owned(),
                f["detail"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn level<'a>(found: &'a [(String, String, String)], check: &str) -> (&'a str, &'a str) {
    found
        .iter()
        .find(|(c, _, _)| c == check)
        .map(|(_, l, d)| (l.as_str(), d.as_str()))
        .unwrap_or_else(|| panic!("no '{check}' line in {found:?}"))
}

on_every_backend!(
    a_migrated_database_passes_every_check,
    a_migrated_database_passes_every_check
);
async fn a_migrated_database_passes_every_check(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let o = doctor(&t.url);
    assert!(o.status.success(), "{}", show(&o));
    let found = findings(&o);
    for check in [
        "connection",
        "server",
        "writes",
        "native enums",
        "check constraints",
        "tidb",
        "updated_at",
        "partitioning",
        "migrations",
        "lock",
        "schema",
    ] {
        assert_eq!(level(&found, check).0, "pass", "{check}: {found:?}");
    }
    assert!(
        level(&found, "migrations")
            .1
            .starts_with(&format!("{} applied", all_of_all())),
        "{found:?}"
    );
    assert!(
        level(&found, "updated_at").1.starts_with(&{
            let n = Spec::load().trigger_tables.len();
            format!("{n} of {n}")
        }),
        "{found:?}"
    );
    // The text form: one line per check, the header first.
    let dir = tempfile::tempdir().unwrap();
    let text = command(&learndb_bin(), dir.path())
        .args(["doctor", "-u", &t.url])
        .output()
        .unwrap();
    assert!(text.status.success(), "{}", show(&text));
    let out = stdout(&text);
    assert!(out.starts_with("Database: "), "{out}");
    assert!(out.lines().any(|l| l.starts_with("pass  schema")), "{out}");
}

// Pending migrations warn (exit 0); a removed updated_at maintenance and the drift it is FAIL
// (exit 1, one error line naming the failing checks).
on_every_backend!(
    broken_promises_turn_their_own_line,
    broken_promises_turn_their_own_line
);
async fn broken_promises_turn_their_own_line(backend: Backend) {
    let t = TestDb::new(backend).await;
    let o = doctor(&t.url);
    assert!(o.status.success(), "{}", show(&o));
    let found = findings(&o);
    let n = migration_names().len();
    assert_eq!(
        level(&found, "migrations"),
        (
            "warn",
            format!("0 of {n} applied, {n} pending (learndb migrate up)").as_str()
        )
    );
    t.migrate(Selection::All).await;
    let statement = match backend {
        Backend::Postgres => {
            let trigger = t
                .query_strings(
                    "SELECT tgname::text AS name FROM pg_trigger WHERE tgrelid = 'users'::regclass AND NOT tgisinternal",
                    "name",
                )
                .await;
            format!("DROP TRIGGER \"{}\" ON users", trigger[0])
        }
        Backend::Sqlite => {
            let trigger = t
                .query_strings(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'users'",
                    "name",
                )
                .await;
            format!("DROP TRIGGER \"{}\"", trigger[0])
        }
        Backend::MySql => {
            "ALTER TABLE users MODIFY updated_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
                .into()
        }
    };
    t.exec(&statement).await.unwrap();
    let o = doctor(&t.url);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let found = findings(&o);
    let (l, d) = level(&found, "updated_at");
    assert_eq!(l, "fail", "{found:?}");
    assert!(
        d.starts_with(&format!(
            "1 of {} tables with updated_at lack",
            Spec::load().trigger_tables.len()
        )) && d.ends_with(": users"),
        "{d}"
    );
    assert_eq!(level(&found, "schema").0, "fail", "{found:?}");
    assert_eq!(level(&found, "migrations").0, "pass", "{found:?}");
    let err = stderr(&o);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("failing check(s)") && err.contains("updated_at, schema"),
        "{err}"
    );
}

// A held lock is reported with its holder; a missing partition for next year warns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lock_holder_and_missing_partitions_are_reported_on_postgresql() {
    let t = TestDb::migrated(Backend::Postgres).await;
    let holder = Database::connect(&t.url).await.unwrap();
    // learndb's key (see migration/src/runner/lock.rs): held by another session, as a running
    // migration holds it.
    holder
        .execute_unprepared("SELECT pg_advisory_lock(1818583410)")
        .await
        .unwrap();
    let next = Utc::now().year() + 1;
    t.exec(&format!("DROP TABLE attempts_{next}"))
        .await
        .unwrap();
    let o = doctor(&t.url);
    holder.close().await.ok();
    let found = findings(&o);
    let (l, d) = level(&found, "lock");
    assert_eq!(l, "warn", "{found:?}");
    assert!(d.starts_with("held by PostgreSQL backend pid"), "{d}");
    let (l, d) = level(&found, "partitioning");
    assert_eq!(l, "warn", "{found:?}");
    assert!(
        d.contains(&format!("ensure_attempts_partition({next})")),
        "{d}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_server_is_one_line_and_exit_2() {
    let o = doctor("postgres://u:S3cr3t%21@127.0.0.1:1/x");
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", show(&o));
    assert!(
        !format!("{}{}", stdout(&o), stderr(&o)).contains("S3cr3t"),
        "{}",
        show(&o)
    );
}
