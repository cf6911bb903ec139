#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Upgrading a database that holds data (SPEC-26-27 §26, issue item 7): module 20 is the first
//! migration that alters tables already in use, so these tests run it on a database filled by
//! `learndb seed --demo` and check what the database holds before and after, through the
//! commands operators use (`learndb migrate`, `learndb verify`).
//!
//! 1. `up` from module 19 keeps every row, `verify` is clean, and `down` back to module 19
//!    restores the module-19 catalog exactly, still with every row.
//! 2. Two answers to the same question in one session (allowed at module 19, which has only a
//!    plain index there) stop `up` with one `error:` line naming the query that lists them. On
//!    PostgreSQL (a guard runs first) and SQLite (one transaction) nothing changes; on MariaDB
//!    (journaled) the migration stays failed until the duplicate is gone and `up --recover`
//!    finishes it.
//! 3. On PostgreSQL, `up` is killed with SIGKILL while a `CREATE INDEX CONCURRENTLY` waits behind
//!    a long transaction, and the server session building the index is either terminated (an
//!    invalid index stays) or left to finish (a valid index the journal does not know); the
//!    documented recovery reaches the full schema with no invalid index left behind.

mod common;

use std::collections::BTreeMap;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::catalog::{self, Catalog};
use common::factories::practice::practice_answer;
use common::{
    Backend, TestDb, command, learndb_bin, learndb_migrate, migration_of_group, show, stderr,
};
use entity::{practice_answers, practice_sessions, users};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder, QuerySelect, Statement, TransactionTrait};
use uuid::Uuid;

/// What `up` prints when a unique meets duplicate answers: the query an operator runs to list them.
const DUPLICATES_QUERY: &str = "SELECT session_id, question_id, COUNT(*) FROM practice_answers GROUP BY session_id, question_id HAVING COUNT(*) > 1";

fn learndb(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    command(&learndb_bin(), dir.path())
        .args(args)
        .output()
        .expect("the learndb binary starts")
}

fn migrate(url: &str, args: &[&str]) -> Output {
    learndb_migrate(url, args, &[])
}

fn succeeds(o: &Output, what: &str) {
    assert_eq!(o.status.code(), Some(0), "{what}: {}", show(o));
}

fn module_19() -> String {
    migration_of_group("seed")
}

fn module_20() -> String {
    migration_of_group("practice_later")
}

/// A database at module 19 that holds the demo data set. `seed` only writes a fully migrated
/// database (it fills every table at the latest schema, module 20's columns included), so the
/// database is migrated to the latest, seeded, and rolled back to module 19: what stays is a
/// module-19 schema with module 19's tables full, as a learndb in use before module 20 shipped.
async fn seeded_at_module_19(backend: Backend) -> TestDb {
    let t = TestDb::migrated(backend).await;
    succeeds(
        &learndb(&["seed", "--demo", "-u", &t.url]),
        "seed --demo on the latest schema",
    );
    succeeds(
        &migrate(&t.url, &["down", "--to", &module_19(), "--yes"]),
        "down to module 19",
    );
    t
}

/// What the tables hold: the row count of each, and the content of a few in full.
#[derive(Debug, PartialEq)]
struct Holdings {
    counts: BTreeMap<String, i64>,
    /// Every answer, whole (module 20 adds no column to `practice_answers`, so the entity reads
    /// it at module 19 too).
    answers: Vec<practice_answers::Model>,
    /// Columns that module 19 has, of tables module 20 adds columns to.
    users: Vec<(Uuid, Option<String>)>,
    sessions: Vec<(Uuid, Uuid, i32)>,
}

async fn holdings(t: &TestDb, schema: &Catalog) -> Holdings {
    let mut counts = BTreeMap::new();
    for table in schema.without_history().tables.keys() {
        let quoted = match t.backend {
            Backend::MySql => format!("`{table}`"),
            _ => format!("\"{table}\""),
        };
        let sql = format!("SELECT COUNT(*) AS n FROM {quoted}");
        let row =
            t.db.query_one_raw(Statement::from_string(t.db_backend(), &sql))
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .unwrap();
        counts.insert(table.clone(), row.try_get::<i64>("", "n").unwrap());
    }
    let answers = practice_answers::Entity::find()
        .order_by_asc(practice_answers::Column::Id)
        .all(&t.db)
        .await
        .unwrap();
    let users = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Email)
        .order_by_asc(users::Column::Id)
        .into_tuple()
        .all(&t.db)
        .await
        .unwrap();
    let sessions = practice_sessions::Entity::find()
        .select_only()
        .column(practice_sessions::Column::Id)
        .column(practice_sessions::Column::UserId)
        .column(practice_sessions::Column::CompletedItems)
        .order_by_asc(practice_sessions::Column::Id)
        .into_tuple()
        .all(&t.db)
        .await
        .unwrap();
    Holdings {
        counts,
        answers,
        users,
        sessions,
    }
}

/// The `status --json` state of module 20 and the number of problems.
fn module_20_state(url: &str) -> (String, u64) {
    let o = migrate(url, &["status", "--json"]);
    succeeds(&o, "status --json");
    let json: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("status --json is not JSON ({e}): {}", show(&o)));
    let row = json["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["version"] == module_20().as_str())
        .unwrap_or_else(|| panic!("no module 20 in {json}"));
    (
        row["state"].as_str().unwrap().to_owned(),
        json["problems"].as_u64().unwrap(),
    )
}

async fn invalid_postgres_indexes(t: &TestDb) -> Vec<String> {
    t.query_strings(
        "SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid ORDER BY 1",
        "name",
    )
    .await
}

// ----- 1. up and down keep every row -----------------------------------------------------------

on_every_backend!(
    module_20_keeps_every_row_up_and_down,
    module_20_keeps_every_row_up_and_down
);
async fn module_20_keeps_every_row_up_and_down(backend: Backend) {
    let t = seeded_at_module_19(backend).await;
    let at_19 = catalog::read(&t.db).await;
    let held = holdings(&t, &at_19).await;
    assert!(
        held.counts["practice_answers"] > 0 && held.counts["users"] > 0,
        "{backend:?}: the seed filled the tables: {:?}",
        held.counts
    );

    succeeds(&migrate(&t.url, &["up"]), "up from module 19");
    let latest = catalog::read(&t.db).await;
    for added in ["question_reports", "system_config"] {
        assert!(latest.table(added).is_some(), "{backend:?}: {added} exists");
    }
    assert_eq!(
        holdings(&t, &at_19).await,
        held,
        "{backend:?}: up kept every row"
    );
    succeeds(&learndb(&["verify", "-u", &t.url]), "verify after up");
    if backend == Backend::Postgres {
        assert_eq!(invalid_postgres_indexes(&t).await, Vec::<String>::new());
    }

    succeeds(
        &migrate(&t.url, &["down", "--to", &module_19(), "--yes"]),
        "down to module 19 again",
    );
    assert_eq!(
        catalog::read(&t.db).await.without_history(),
        at_19.without_history(),
        "{backend:?}: down restores module 19's catalog"
    );
    assert_eq!(
        holdings(&t, &at_19).await,
        held,
        "{backend:?}: down kept every row of module 19's tables"
    );
}

// ----- 2. duplicate answers stop the unique ----------------------------------------------------

on_every_backend!(
    duplicate_answers_stop_module_20_with_the_query_that_lists_them,
    duplicate_answers_stop_module_20_with_the_query_that_lists_them
);
async fn duplicate_answers_stop_module_20_with_the_query_that_lists_them(backend: Backend) {
    let t = seeded_at_module_19(backend).await;
    let at_19 = catalog::read(&t.db).await;
    let held = holdings(&t, &at_19).await;

    // A second answer to an answered question in the same session: module 19 allows it.
    let first = held.answers.first().expect("the seed wrote answers");
    let duplicate = Uuid::now_v7();
    t.db.execute(&practice_answer(duplicate, first.session_id, first.question_id).insert())
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: module 19 takes a second answer: {e}"));

    let up = migrate(&t.url, &["up"]);
    assert_eq!(up.status.code(), Some(1), "{backend:?}: {}", show(&up));
    let err = stderr(&up);
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines.len() == 1 && lines[0].starts_with("error:") && lines[0].contains(DUPLICATES_QUERY),
        "{backend:?}: one error line naming the query that lists the duplicates: {}",
        show(&up)
    );
    // The query is what an operator copies: no server source position trails it (sqlx appends
    // PostgreSQL's C source line, `at line 3907`, to the text of every server error).
    assert!(
        !lines[0].contains("> 1 at line"),
        "{backend:?}: a server source position follows the query: {}",
        show(&up)
    );

    match backend {
        Backend::Postgres | Backend::Sqlite => {
            assert_eq!(
                catalog::read(&t.db).await.without_history(),
                at_19.without_history(),
                "{backend:?}: the refused up changed nothing"
            );
            assert_eq!(
                module_20_state(&t.url),
                ("pending".to_owned(), 0),
                "{backend:?}: module 20 is pending, not failed"
            );
            if backend == Backend::Postgres {
                assert_eq!(invalid_postgres_indexes(&t).await, Vec::<String>::new());
            }
        }
        Backend::MySql => {
            let (state, problems) = module_20_state(&t.url);
            assert!(
                state == "failed" && problems == 1,
                "MariaDB journals module 20: it stays failed until recovered ({state}, {problems} problem(s))"
            );
            let delete = Query::delete()
                .from_table(Alias::new("practice_answers"))
                .and_where(Expr::col(Alias::new("id")).eq(duplicate))
                .to_owned();
            t.db.execute(&delete).await.unwrap();
            succeeds(
                &migrate(&t.url, &["up", "--recover"]),
                "up --recover once the duplicate is gone",
            );
            succeeds(&learndb(&["verify", "-u", &t.url]), "verify after recovery");
            succeeds(
                &migrate(&t.url, &["status", "--check"]),
                "status --check after recovery",
            );
            assert_eq!(
                holdings(&t, &at_19).await,
                held,
                "the failed up and its recovery kept every row"
            );
        }
    }
}

// ----- 3. a CREATE INDEX CONCURRENTLY killed while it waits --------------------------------------

/// What becomes of the server session that was building the index when `up` was killed.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Orphan {
    /// An operator ends it with `pg_terminate_backend` while it still waits: an invalid index
    /// is left behind.
    Terminated,
    /// Nobody touches it: once the long transaction ends, it finishes the index on its own
    /// (PostgreSQL notices the dead client only when it answers), so the index exists, valid,
    /// although the journal never recorded the statement.
    Finished,
}

/// A transaction that stays open with a snapshot makes every `CREATE INDEX CONCURRENTLY` wait
/// for it (the build waits out older snapshots). `up` is killed with SIGKILL while it waits;
/// the documented recovery (`up`, and `up --recover` when `up` says so) must reach the full
/// schema, with `verify` clean and no invalid index left.
async fn a_concurrent_index_build_killed_while_it_waits_is_recovered(orphan: Orphan) {
    let t = seeded_at_module_19(Backend::Postgres).await;
    // REPEATABLE READ keeps the snapshot until the transaction ends. It reads a table module 20
    // does not touch, so the steps before the first index (ALTER TABLE users ...) do not wait.
    let blocker = t.db.begin().await.unwrap();
    blocker
        .execute_unprepared("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        .await
        .unwrap();
    blocker
        .execute_unprepared("SELECT count(*) FROM courses")
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut child = command(&learndb_bin(), dir.path())
        .args([
            "migrate",
            "-u",
            &t.url,
            "up",
            "--ddl-lock-timeout",
            "3600000",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let building = "SELECT pid::text AS pid FROM pg_stat_activity WHERE query LIKE 'CREATE%INDEX CONCURRENTLY%' AND state = 'active' AND datname = current_database()";
    let started = Instant::now();
    let mut seen = Vec::new();
    while seen.is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no CREATE INDEX CONCURRENTLY began waiting"
        );
        if let Ok(Some(status)) = child.try_wait() {
            panic!("up ended before it waited: {status:?}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        seen = t.query_strings(building, "pid").await;
    }
    child.kill().unwrap();
    let killed = child.wait_with_output().unwrap();
    if orphan == Orphan::Terminated {
        for pid in &seen {
            t.exec(&format!("SELECT pg_terminate_backend({pid})"))
                .await
                .unwrap();
        }
    }
    blocker.rollback().await.unwrap();
    let started = Instant::now();
    while !t.query_strings(building, "pid").await.is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the orphaned build did not end"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let invalid_after_kill = invalid_postgres_indexes(&t).await;

    let status = migrate(&t.url, &["status"]);
    let mut up = migrate(&t.url, &["up"]);
    let first_up = show(&up);
    if up.status.code() == Some(1) && stderr(&up).contains("up --recover") {
        up = migrate(&t.url, &["up", "--recover"]);
    }
    let context = format!(
        "{orphan:?}\nkilled: {}\ninvalid indexes after the kill: {invalid_after_kill:?}\nstatus after the kill: {}\nfirst up: {first_up}\nrecovery: {}",
        show(&killed),
        show(&status),
        show(&up)
    );
    succeeds(&up, &format!("recovery\n{context}"));
    // What recovery took, for the log (as the crash test of tests/runner_recovery.rs reports).
    let notes: Vec<String> = common::stdout(&up)
        .lines()
        .filter(|l| l.starts_with("Note:"))
        .map(str::to_owned)
        .collect();
    eprintln!(
        "{orphan:?}: invalid indexes after the kill {invalid_after_kill:?}; first `up` exit {:?}; recovery: {notes:?}",
        first_up.lines().next()
    );
    succeeds(
        &learndb(&["verify", "-u", &t.url]),
        &format!("verify after recovery\n{context}"),
    );
    assert_eq!(
        invalid_postgres_indexes(&t).await,
        Vec::<String>::new(),
        "{context}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_concurrent_index_build_whose_session_was_terminated_is_recovered_on_postgres() {
    a_concurrent_index_build_killed_while_it_waits_is_recovered(Orphan::Terminated).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_concurrent_index_build_that_finished_on_the_server_is_recovered_on_postgres() {
    a_concurrent_index_build_killed_while_it_waits_is_recovered(Orphan::Finished).await
}
