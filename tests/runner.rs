//! The migration runner's safety guarantees, proved against real databases: what a failing
//! migration leaves behind on each backend and how it is resolved, edited migrations refused
//! until repaired, targets that stop exactly where asked, dry runs that change nothing,
//! destructive commands that need confirmation, and adoption of databases migrated by plain
//! sea-orm-migration.
//!
//! The runner is driven in-process where a test needs a migration of its own (one that fails
//! halfway), and through the `learndb migrate` binary everywhere else, as operators run it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Output;

use common::catalog;
use common::halfway::{HALFWAY, HalfwayMigrator};
use common::{
    Backend, TestDb, learndb_migrate, migration_names, migration_of_group, show, stderr, stdout,
};
use migration::connect::Target;
use migration::runner::{Event, Resolution, RunError, Runner, Selection};
use migration::{Migrator, MigratorTrait};

// ----- helpers ------------------------------------------------------------------------------

fn learndb_with_env(url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    learndb_migrate(url, args, env)
}

fn learndb(url: &str, args: &[&str]) -> Output {
    learndb_migrate(url, args, &[])
}

/// Asserts the exit code, showing both streams when it differs.
fn assert_exit(what: &str, o: &Output, code: i32) {
    assert_eq!(o.status.code(), Some(code), "{what}: {}", show(o));
}

/// Asserts stderr is exactly one `error:` line and returns it.
fn one_error_line(what: &str, o: &Output) -> String {
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{what}: expected one line on stderr: {err}");
    assert!(lines[0].starts_with("error: "), "{what}: {err}");
    lines[0].to_owned()
}

/// Every migration learndb ships, in order.
fn names() -> Vec<String> {
    migration_names()
}

fn name_of(group: &str) -> String {
    migration_of_group(group)
}

async fn table_exists(t: &TestDb, table: &str) -> bool {
    migration::SchemaManager::new(&t.db)
        .has_table(table)
        .await
        .unwrap()
}

/// The versions recorded in `table` (seaql_migrations or the history), in order.
async fn versions(t: &TestDb, table: &str) -> Vec<String> {
    t.query_strings(
        &format!("SELECT version FROM {table} ORDER BY version"),
        "version",
    )
    .await
}

/// One column of the history row of `version`: empty when there is no row or the cell is NULL.
async fn history_cell(t: &TestDb, version: &str, column: &str) -> Vec<String> {
    t.query_strings(
        &format!(
            "SELECT {column} FROM learndb_migration_history WHERE version = '{version}' AND {column} IS NOT NULL"
        ),
        column,
    )
    .await
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Whether `out` has a statement starting `<verb> "table"` (or with backticks on MySQL).
fn has_statement(out: &str, verb: &str, table: &str) -> bool {
    out.lines().any(|line| {
        line.starts_with(&format!("{verb} \"{table}\" "))
            || line.starts_with(&format!("{verb} `{table}` "))
            || line.starts_with(&format!("{verb} \"{table}\";"))
            || line.starts_with(&format!("{verb} `{table}`;"))
    })
}

// ----- a migration that fails halfway -------------------------------------------------------

fn target(t: &TestDb) -> Target {
    t.target()
}

fn quiet() -> impl FnMut(&Event) {
    |_: &Event| {}
}

fn assert_failed_halfway(result: Result<usize, RunError>) {
    match result {
        Err(RunError::MigrationFailed {
            version, reason, ..
        }) => {
            assert_eq!(version, HALFWAY);
            assert!(!reason.is_empty());
        }
        other => panic!("expected {HALFWAY} to fail, got {other:?}"),
    }
}

fn assert_unfinished<T: std::fmt::Debug>(what: &str, result: Result<T, RunError>) {
    match result {
        Err(RunError::Unfinished { version, state, .. }) => {
            assert_eq!(version, HALFWAY, "{what}");
            assert_eq!(state, "failed", "{what}");
        }
        other => panic!("{what}: expected a refusal naming {HALFWAY}, got {other:?}"),
    }
}

async fn failing_migration_leaves_no_trace(backend: Backend) {
    let t = TestDb::new(backend).await;
    let target = target(&t);
    let runner = Runner::<HalfwayMigrator>::for_target(&t.db, &target);

    for attempt in 1..=2 {
        assert_failed_halfway(runner.up_with(&Selection::All, &mut quiet()).await);
        assert!(
            !table_exists(&t, "halfway_a").await,
            "attempt {attempt}: halfway_a survived the rolled-back transaction"
        );
        assert_eq!(versions(&t, "seaql_migrations").await, names());
        assert_eq!(versions(&t, "learndb_migration_history").await, names());
        for version in names() {
            assert_eq!(
                history_cell(&t, &version, "state").await,
                ["applied"],
                "{version}"
            );
        }
        let status = runner.status().await.unwrap();
        let halfway = status
            .migrations
            .iter()
            .find(|m| m.version == HALFWAY)
            .unwrap();
        assert_eq!(halfway.state, "pending");
        assert_eq!(
            (status.applied, status.pending, status.problems),
            (names().len(), 1, 0)
        );
    }
}

mod a_migration_failing_halfway_leaves_no_trace_where_ddl_is_transactional {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        failing_migration_leaves_no_trace(Backend::Postgres).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        failing_migration_leaves_no_trace(Backend::Sqlite).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migration_failing_halfway_on_mysql_is_recorded_and_blocks_until_resolved() {
    let t = TestDb::new(Backend::MySql).await;
    let target = target(&t);
    let runner = Runner::<HalfwayMigrator>::for_target(&t.db, &target);

    assert_failed_halfway(runner.up_with(&Selection::All, &mut quiet()).await);
    assert!(
        table_exists(&t, "halfway_a").await,
        "MySQL commits DDL as it goes, so halfway_a should be in place"
    );
    assert_eq!(versions(&t, "seaql_migrations").await, names());
    assert_eq!(history_cell(&t, HALFWAY, "state").await, ["failed"]);
    let error = history_cell(&t, HALFWAY, "error").await;
    assert!(
        error.len() == 1 && !error[0].trim().is_empty(),
        "no error recorded: {error:?}"
    );

    assert_unfinished("up", runner.up_with(&Selection::All, &mut quiet()).await);
    assert_unfinished(
        "down",
        runner.down_with(&Selection::All, &mut quiet()).await,
    );
    assert_unfinished("repair", runner.repair(&mut quiet()).await);
    // The refusals changed nothing.
    assert_eq!(versions(&t, "seaql_migrations").await, names());
    assert_eq!(history_cell(&t, HALFWAY, "state").await, ["failed"]);
    let status = runner.status().await.unwrap();
    let row = status
        .migrations
        .iter()
        .find(|m| m.version == HALFWAY)
        .unwrap();
    assert_eq!(row.state, "failed");
    assert!(row.error.is_some());
    assert_eq!(status.problems, 1);

    // `status` shows exactly which of its statements completed.
    assert_eq!(row.statements_done.len(), 1, "{:?}", row.statements_done);
    assert!(
        row.statements_done[0].statement.contains("halfway_a"),
        "{:?}",
        row.statements_done
    );

    // Take it back without any SQL by hand: its down() drops what exists. Then `up` runs it
    // again (and it fails again).
    assert_eq!(
        runner
            .resolve("halfway", Resolution::RolledBack)
            .await
            .unwrap(),
        HALFWAY
    );
    assert!(
        !table_exists(&t, "halfway_a").await,
        "resolve --rolled-back must drop what the migration created"
    );
    assert!(history_cell(&t, HALFWAY, "state").await.is_empty());
    assert_eq!(versions(&t, "seaql_migrations").await, names());
    assert_failed_halfway(runner.up_with(&Selection::All, &mut quiet()).await);
    assert!(table_exists(&t, "halfway_a").await, "up did not re-run it");
    assert_eq!(history_cell(&t, HALFWAY, "state").await, ["failed"]);

    // Declare its changes complete instead: recorded as applied, and `up` has nothing to do.
    assert_eq!(
        runner.resolve(HALFWAY, Resolution::Applied).await.unwrap(),
        HALFWAY
    );
    let mut all = names();
    all.push(HALFWAY.to_owned());
    assert_eq!(versions(&t, "seaql_migrations").await, all);
    assert_eq!(history_cell(&t, HALFWAY, "state").await, ["applied"]);
    assert!(history_cell(&t, HALFWAY, "error").await.is_empty());
    assert_eq!(
        runner.up_with(&Selection::All, &mut quiet()).await.unwrap(),
        0
    );
    let status = runner.status().await.unwrap();
    assert_eq!(
        (status.applied, status.pending, status.problems),
        (names().len() + 1, 0, 0)
    );
}

// ----- through the CLI ----------------------------------------------------------------------

async fn edited_migration_is_refused_until_repaired(backend: Backend) {
    let t = TestDb::new(backend).await;
    let url = t.url.as_str();
    assert_exit("up", &learndb(url, &["up"]), 0);

    let content = name_of("content");
    let current = history_cell(&t, &content, "checksum").await;
    assert!(
        current.len() == 1 && is_sha256_hex(&current[0]),
        "{current:?}"
    );
    let current = current[0].clone();
    let edited = "deadbeef".repeat(8);
    t.exec(&format!(
        "UPDATE learndb_migration_history SET checksum = '{edited}' WHERE version = '{content}'"
    ))
    .await
    .unwrap();

    let up = learndb(url, &["up"]);
    assert_exit("up after an edit", &up, 1);
    let line = one_error_line("up after an edit", &up);
    for expected in [content.as_str(), &edited, &current, "repair"] {
        assert!(line.contains(expected), "`{expected}` missing from: {line}");
    }
    assert_eq!(
        history_cell(&t, &content, "checksum").await,
        [edited.as_str()]
    );

    let status = learndb(url, &["status"]);
    assert_exit("status", &status, 0);
    let content_row = stdout(&status)
        .lines()
        .find(|l| l.starts_with(&content))
        .map(str::to_owned)
        .unwrap_or_default();
    assert!(
        content_row.contains("checksum changed"),
        "{}",
        stdout(&status)
    );
    assert_exit("status --check", &learndb(url, &["status", "--check"]), 1);

    assert_exit("repair", &learndb(url, &["repair"]), 0);
    assert_eq!(history_cell(&t, &content, "checksum").await, [current]);
    let up = learndb(url, &["up"]);
    assert_exit("up after repair", &up, 0);
    assert!(stdout(&up).contains("Nothing to apply"), "{}", stdout(&up));
    assert_exit(
        "status --check after repair",
        &learndb(url, &["status", "--check"]),
        0,
    );
}

on_every_backend!(
    an_edited_migration_is_refused_until_repaired,
    edited_migration_is_refused_until_repaired
);

async fn targets_stop_exactly(backend: Backend) {
    let t = TestDb::new(backend).await;
    let url = t.url.as_str();
    let all = names();

    assert_exit(
        "up --to content",
        &learndb(url, &["up", "--to", "content"]),
        0,
    );
    assert_eq!(versions(&t, "seaql_migrations").await, all[..2]);
    assert!(table_exists(&t, "users").await && table_exists(&t, "stories").await);
    assert!(!table_exists(&t, "practice_sessions").await);

    assert_exit("up --to 9", &learndb(url, &["up", "--to", "9"]), 0);
    assert_eq!(versions(&t, "seaql_migrations").await, all[..9]);
    assert!(
        table_exists(&t, "practice_sessions").await && table_exists(&t, "learning_groups").await
    );
    assert!(!table_exists(&t, "plugins").await);

    assert_exit(
        "down --yes --to users",
        &learndb(url, &["down", "--yes", "--to", "users"]),
        0,
    );
    assert_eq!(versions(&t, "seaql_migrations").await, all[..1]);
    assert_eq!(versions(&t, "learndb_migration_history").await, all[..1]);
    assert!(table_exists(&t, "users").await);
    for gone in ["stories", "practice_sessions", "learning_groups", "plugins"] {
        assert!(
            !table_exists(&t, gone).await,
            "{gone} survived down --to users"
        );
    }

    let before = catalog::read(&t.db).await;
    let unknown = learndb(url, &["up", "--to", "nosuchgroup"]);
    assert_exit("up --to nosuchgroup", &unknown, 2);
    let line = one_error_line("up --to nosuchgroup", &unknown);
    assert!(line.contains("nosuchgroup"), "{line}");
    for version in &all {
        assert!(
            line.contains(version.as_str()),
            "{version} not listed: {line}"
        );
    }
    assert_eq!(catalog::read(&t.db).await, before);
    assert_eq!(versions(&t, "seaql_migrations").await, all[..1]);

    // Bad input is refused before anything is created, also on a database never migrated.
    let fresh = TestDb::new(backend).await;
    let unknown = learndb(&fresh.url, &["up", "--to", "nosuchgroup"]);
    assert_exit("up --to nosuchgroup on an empty database", &unknown, 2);
    let after = catalog::read(&fresh.db).await;
    assert!(
        after.is_empty(),
        "a refused `up --to nosuchgroup` created {:?}",
        after.tables.keys()
    );
}

on_every_backend!(up_and_down_stop_exactly_at_the_target, targets_stop_exactly);

async fn dry_runs_change_nothing(backend: Backend) {
    let t = TestDb::new(backend).await;
    let url = t.url.as_str();

    let plan = learndb(url, &["up", "--dry-run"]);
    assert_exit("up --dry-run", &plan, 0);
    let out = stdout(&plan);
    for version in names() {
        assert!(
            out.contains(&format!("\n-- {version}\n")),
            "no header for {version}:\n{out}"
        );
    }
    for table in [
        "users",
        "stories",
        "practice_sessions",
        "learning_groups",
        "plugins",
    ] {
        assert!(
            has_statement(&out, "CREATE TABLE", table),
            "no CREATE TABLE {table}:\n{out}"
        );
    }
    let catalog = catalog::read(&t.db).await;
    assert!(
        catalog.is_empty(),
        "up --dry-run created {:?}",
        catalog.tables.keys()
    );

    assert_exit("up", &learndb(url, &["up"]), 0);
    // Roll back every migration after plugins, so collaborative and plugins are the last two
    // applied.
    assert_exit(
        "down --to plugins",
        &learndb(url, &["down", "--yes", "--to", "plugins"]),
        0,
    );
    let before = catalog::read(&t.db).await;
    let plan = learndb(url, &["down", "--dry-run", "-n", "2"]);
    assert_exit("down --dry-run -n 2", &plan, 0);
    let out = stdout(&plan);
    for group in ["plugins", "collaborative"] {
        assert!(
            out.contains(&format!("\n-- {}\n", name_of(group))),
            "no header for {group}:\n{out}"
        );
    }
    assert!(
        !out.contains(&format!("-- {}", name_of("progress"))),
        "{out}"
    );
    for table in [
        "plugins",
        "plugin_data",
        "learning_groups",
        "group_memberships",
        "collaborative_sessions",
        "group_analytics",
    ] {
        assert!(
            has_statement(&out, "DROP TABLE", table),
            "no DROP TABLE {table}:\n{out}"
        );
    }
    assert!(
        !has_statement(&out, "DROP TABLE", "practice_sessions"),
        "{out}"
    );
    assert_eq!(catalog::read(&t.db).await, before);
    assert_eq!(versions(&t, "seaql_migrations").await, names()[..10]);
}

on_every_backend!(
    dry_run_prints_the_sql_and_changes_nothing,
    dry_runs_change_nothing
);

async fn destructive_commands_are_confirmed(backend: Backend) {
    let t = TestDb::new(backend).await;
    let url = t.url.as_str();
    assert_exit("up", &learndb(url, &["up"]), 0);
    let before = catalog::read(&t.db).await;

    for command in ["down", "fresh", "refresh", "reset"] {
        let refused = learndb(url, &[command]);
        assert_exit(&format!("{command} without --yes"), &refused, 2);
        let line = one_error_line(command, &refused);
        assert!(line.contains("--yes"), "{command}: {line}");
        assert_eq!(
            catalog::read(&t.db).await,
            before,
            "{command} changed the schema"
        );
        assert_eq!(versions(&t, "seaql_migrations").await, names());
        assert_eq!(versions(&t, "learndb_migration_history").await, names());
    }

    let production = [("LEARNDB_ENV", "production")];
    let refused = learndb_with_env(url, &["down", "--yes"], &production);
    assert_exit("down --yes in production", &refused, 2);
    let line = one_error_line("down --yes in production", &refused);
    assert!(line.contains("--allow-destructive"), "{line}");
    assert_eq!(catalog::read(&t.db).await, before);
    assert_eq!(versions(&t, "seaql_migrations").await, names());

    let allowed = learndb_with_env(
        url,
        &["down", "--yes", "--allow-destructive", "--to", "views"],
        &production,
    );
    assert_exit("down --yes --allow-destructive in production", &allowed, 0);
    let all = names();
    let views = all
        .iter()
        .position(|v| v.ends_with("_views"))
        .expect("module 18 is in the set");
    assert_eq!(versions(&t, "seaql_migrations").await, all[..=views]);
    // Rolled back to module 18: the reference rows of module 19 are gone, the tables stay.
    assert!(table_exists(&t, "page_size_presets").await);
    assert!(
        t.query_strings("SELECT name FROM page_size_presets", "name")
            .await
            .is_empty()
    );
}

on_every_backend!(
    destructive_commands_need_confirmation,
    destructive_commands_are_confirmed
);

async fn plain_sea_orm_migrations_are_adopted(backend: Backend) {
    let t = TestDb::new(backend).await;
    // A team that applied the launch set with sea-orm-migration alone, then switches.
    let plain = common::plain_sea_orm_migrations();
    Migrator::up(&t.db, Some(plain as u32)).await.unwrap();
    assert!(!table_exists(&t, "learndb_migration_history").await);

    let up = learndb(&t.url, &["up"]);
    assert_exit("up", &up, 0);
    let out = stdout(&up);
    let all = names();
    for version in &all[..plain] {
        assert!(
            out.contains(&format!(
                "Note: {version}: was applied without learndb; recorded its checksum"
            )),
            "no note for {version}:\n{out}"
        );
    }
    for version in &all[plain..] {
        assert!(
            out.contains(&format!("Applied {version}")),
            "{version} not applied:\n{out}"
        );
    }
    assert_eq!(versions(&t, "learndb_migration_history").await, names());

    // The adopted checksums are the ones learndb records when it applies the migrations itself.
    let own = TestDb::new(backend).await;
    assert_exit("up on a second database", &learndb(&own.url, &["up"]), 0);
    for version in names() {
        assert_eq!(history_cell(&t, &version, "state").await, ["applied"]);
        let adopted = history_cell(&t, &version, "checksum").await;
        assert!(
            adopted.len() == 1 && is_sha256_hex(&adopted[0]),
            "{version}: {adopted:?}"
        );
        assert_eq!(
            adopted,
            history_cell(&own, &version, "checksum").await,
            "{version}"
        );
    }
    assert_exit(
        "status --check",
        &learndb(&t.url, &["status", "--check"]),
        0,
    );
}

on_every_backend!(
    migrations_applied_by_plain_sea_orm_migration_are_adopted,
    plain_sea_orm_migrations_are_adopted
);
