//! The runner under the failures operators meet: a migration killed or signalled at a random
//! point, a history edited or lost, objects nobody recorded, out-of-order migrations, a
//! migration that must run outside a transaction, and DDL stuck behind a long transaction.
//!
//! The crash test drives the real `learndb` binary and kills it at random times with SIGKILL,
//! SIGTERM or SIGINT; everything else drives the runner in-process with migrations of its own.
//! `LEARNDB_CRASH_RUNS` sets the number of kills per backend (default 12; the closing note of
//! the runner hardening reports 100).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use common::catalog::{self, Catalog};
use common::{
    Backend, TestDb, command, learndb_bin, learndb_migrate, migration_names, migration_of_group,
    show, stderr, stdout,
};
use migration::connect::Target;
use migration::runner::{
    Event, MigrationState, Options, PlanError, Resolution, RunError, Runner, Selection,
};
use migration::{
    Alias, ColumnDef, ConnectionTrait, DbErr, MigrationName, MigrationTrait, Migrator,
    MigratorTrait, SchemaManager, Table, async_trait,
};

// ----- helpers ------------------------------------------------------------------------------

fn target(t: &TestDb) -> Target {
    t.target()
}

fn quiet() -> impl FnMut(&Event) {
    |_: &Event| {}
}

fn learndb(url: &str, args: &[&str]) -> Output {
    learndb_migrate(url, args, &[])
}

async fn strings(t: &TestDb, sql: &str, column: &str) -> Vec<String> {
    t.query_strings(sql, column).await
}

async fn seaql_versions(t: &TestDb) -> Vec<String> {
    strings(
        t,
        "SELECT version FROM seaql_migrations ORDER BY version",
        "version",
    )
    .await
}

/// `(state, checksum, applied_at as text, applied_by)` of a history row.
async fn history_row(t: &TestDb, version: &str) -> Vec<String> {
    let mut row = Vec::new();
    for column in ["state", "checksum", "applied_by"] {
        row.extend(
            strings(
                t,
                &format!(
                    "SELECT {column} FROM learndb_migration_history WHERE version = '{version}'"
                ),
                column,
            )
            .await,
        );
    }
    row
}

fn name_of(group: &str) -> String {
    migration_of_group(group)
}

/// The catalog of a database migrated by the runner, without the runner's own tables.
async fn reference_catalog(backend: Backend) -> Catalog {
    let reference = TestDb::migrated(backend).await;
    catalog::read(&reference.db).await.without_history()
}

// ----- small migrations of our own ----------------------------------------------------------

/// Creates table `t_<name>` (one integer column); down drops it.
struct Simple(&'static str);

impl MigrationName for Simple {
    fn name(&self) -> &str {
        self.0
    }
}

fn simple_table(version: &str) -> String {
    format!("t_{}", migration::runner::group_of(version))
}

#[async_trait::async_trait]
impl MigrationTrait for Simple {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(simple_table(self.0)))
                    .col(ColumnDef::new(Alias::new("n")).integer().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new(simple_table(self.0)))
                    .to_owned(),
            )
            .await
    }
}

const A: &str = "m20260101_000001_a";
const B: &str = "m20260101_000002_b";
const C: &str = "m20260101_000003_c";

/// A and C: what a database saw before B's file arrived from another branch.
struct WithoutB;

#[async_trait::async_trait]
impl MigratorTrait for WithoutB {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(Simple(A)), Box::new(Simple(C))]
    }
}

struct WithB;

#[async_trait::async_trait]
impl MigratorTrait for WithB {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(Simple(A)),
            Box::new(Simple(B)),
            Box::new(Simple(C)),
        ]
    }
}

// ----- out of order -------------------------------------------------------------------------

async fn a_pending_migration_older_than_an_applied_one_is_refused_and_rolled_back_first(
    backend: Backend,
) {
    let t = TestDb::new(backend).await;
    let target = target(&t);
    Runner::<WithoutB>::for_target(&t.db, &target)
        .up_with(&Selection::All, &mut quiet())
        .await
        .unwrap();

    let runner = Runner::<WithB>::for_target(&t.db, &target);
    let status = runner.status().await.unwrap();
    let b = status.migrations.iter().find(|m| m.version == B).unwrap();
    assert_eq!(b.state, MigrationState::OutOfOrder, "{backend:?}");
    assert!(b.detail.as_deref().unwrap().contains(C), "{:?}", b.detail);
    assert_eq!(
        (status.applied, status.pending, status.problems),
        (2, 0, 1),
        "{backend:?}: out of order counts as a problem, so `status --check` fails"
    );

    match runner.up_with(&Selection::All, &mut quiet()).await {
        Err(RunError::Plan(PlanError::OutOfOrder { pending, applied })) => {
            assert_eq!((pending.as_str(), applied.as_str()), (B, C));
        }
        other => panic!("{backend:?}: expected an out-of-order refusal, got {other:?}"),
    }
    assert_eq!(
        seaql_versions(&t).await,
        [A, C],
        "the refusal changed nothing"
    );
    let message = runner
        .up_with(&Selection::All, &mut quiet())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        message.contains(B) && message.contains(C) && message.contains("--allow-out-of-order"),
        "{message}"
    );

    let allowed = Runner::<WithB>::for_target(&t.db, &target).allow_out_of_order(true);
    assert_eq!(
        allowed
            .up_with(&Selection::All, &mut quiet())
            .await
            .unwrap(),
        1
    );
    assert_eq!(seaql_versions(&t).await, [A, B, C]);

    // B was applied last, so it is rolled back first.
    assert_eq!(
        runner
            .down_with(&Selection::Count(1), &mut quiet())
            .await
            .unwrap(),
        1
    );
    assert_eq!(seaql_versions(&t).await, [A, C], "{backend:?}");
    assert!(
        !SchemaManager::new(&t.db)
            .has_table(simple_table(B))
            .await
            .unwrap()
    );
}

on_every_backend!(
    a_pending_migration_older_than_an_applied_one_is_refused_and_rolled_back_first,
    a_pending_migration_older_than_an_applied_one_is_refused_and_rolled_back_first
);

// ----- the history is never lost -----------------------------------------------------------

async fn a_lost_seaql_row_stops_up_and_keeps_the_history(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let url = t.url.as_str();
    let content = name_of("content");
    let before = history_row(&t, &content).await;
    assert_eq!(before.len(), 3, "{before:?}");
    t.exec(&format!(
        "DELETE FROM seaql_migrations WHERE version = '{content}'"
    ))
    .await
    .unwrap();

    let up = learndb(url, &["up"]);
    assert_eq!(up.status.code(), Some(1), "{}", show(&up));
    let err = stderr(&up);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&content) && err.contains("already exist") && err.contains("resolve"),
        "{err}"
    );
    assert_eq!(
        history_row(&t, &content).await,
        before,
        "{backend:?}: the history row must survive"
    );

    let status = learndb(url, &["status"]);
    assert_eq!(status.status.code(), Some(0), "{}", show(&status));
    assert!(
        stdout(&status).contains("treated as pending"),
        "{}",
        show(&status)
    );

    let resolve = learndb(url, &["resolve", "content", "--applied"]);
    assert_eq!(resolve.status.code(), Some(0), "{}", show(&resolve));
    let up = learndb(url, &["up"]);
    assert_eq!(up.status.code(), Some(0), "{}", show(&up));
    assert!(stdout(&up).contains("Nothing to apply"), "{}", show(&up));
    let check = learndb(url, &["status", "--check"]);
    assert_eq!(check.status.code(), Some(0), "{}", show(&check));
}

on_every_backend!(
    a_lost_seaql_row_stops_up_and_keeps_the_history,
    a_lost_seaql_row_stops_up_and_keeps_the_history
);

async fn objects_without_history_stop_up_before_anything_changes(backend: Backend) {
    let t = TestDb::new(backend).await;
    t.exec("CREATE TABLE users (id INTEGER)").await.unwrap();
    let up = learndb(&t.url, &["up"]);
    assert_eq!(up.status.code(), Some(1), "{}", show(&up));
    let err = stderr(&up);
    assert!(
        err.contains("table/view users") && err.contains(&name_of("users")),
        "{err}"
    );
    assert!(
        seaql_versions(&t).await.is_empty(),
        "{backend:?}: nothing may be applied"
    );
    let catalog = catalog::read(&t.db).await.without_history();
    assert_eq!(
        catalog.tables.keys().collect::<Vec<_>>(),
        ["users"],
        "{backend:?}"
    );
}

on_every_backend!(
    objects_without_history_stop_up_before_anything_changes,
    objects_without_history_stop_up_before_anything_changes
);

async fn an_unknown_state_is_shown_not_fatal(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let url = t.url.as_str();
    let users = name_of("users");
    t.exec(&format!(
        "UPDATE learndb_migration_history SET state = 'paused_by_dba' WHERE version = '{users}'"
    ))
    .await
    .unwrap();
    let status = learndb(url, &["status"]);
    assert_eq!(status.status.code(), Some(0), "{}", show(&status));
    assert!(
        stdout(&status).contains("paused_by_dba"),
        "{}",
        show(&status)
    );
    let json = learndb(url, &["status", "--json"]);
    assert_eq!(json.status.code(), Some(0), "{}", show(&json));
    let parsed: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(parsed["problems"], 1);

    let up = learndb(url, &["up"]);
    assert_eq!(up.status.code(), Some(1), "{}", show(&up));
    assert!(
        stderr(&up).contains("paused_by_dba") && stderr(&up).contains(&users),
        "{}",
        show(&up)
    );
}

on_every_backend!(
    an_unknown_state_is_shown_not_fatal,
    an_unknown_state_is_shown_not_fatal
);

// ----- use_transaction() --------------------------------------------------------------------

const OUTSIDE: &str = "m20261121_999997_outside_a_transaction";

/// A migration that cannot run in a transaction: `CREATE INDEX CONCURRENTLY` on PostgreSQL,
/// `VACUUM` on SQLite.
struct Outside;

impl MigrationName for Outside {
    fn name(&self) -> &str {
        OUTSIDE
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Outside {
    fn use_transaction(&self) -> Option<bool> {
        Some(false)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            migration::sea_orm::DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE INDEX CONCURRENTLY idx_users_created_at_outside ON users (created_at)",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(
                    "CREATE INDEX idx_users_created_at_outside ON users (created_at)",
                )
                .await?;
                db.execute_unprepared("VACUUM").await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            migration::sea_orm::DbBackend::Postgres => {
                db.execute_unprepared("DROP INDEX CONCURRENTLY idx_users_created_at_outside")
                    .await?;
            }
            _ => {
                db.execute_unprepared("DROP INDEX idx_users_created_at_outside")
                    .await?;
            }
        }
        Ok(())
    }
}

struct WithOutside;

#[async_trait::async_trait]
impl MigratorTrait for WithOutside {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = Migrator::migrations();
        all.push(Box::new(Outside));
        all
    }
}

async fn index_exists(t: &TestDb) -> bool {
    let sql = match t.backend {
        Backend::Postgres => {
            "SELECT indexname AS name FROM pg_indexes WHERE indexname = 'idx_users_created_at_outside'"
        }
        _ => "SELECT name FROM sqlite_master WHERE name = 'idx_users_created_at_outside'",
    };
    !t.query_strings(sql, "name").await.is_empty()
}

async fn use_transaction_false_runs_outside_a_transaction(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let target = target(&t);
    let runner = Runner::<WithOutside>::for_target(&t.db, &target);
    assert_eq!(
        runner
            .up_with(&Selection::All, &mut quiet())
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: {e}")),
        1
    );
    assert!(index_exists(&t).await);
    assert_eq!(history_row(&t, OUTSIDE).await[0], "applied");
    assert!(
        strings(
            &t,
            "SELECT version FROM learndb_migration_journal",
            "version"
        )
        .await
        .is_empty(),
        "the journal is cleared once the migration is applied"
    );
    assert_eq!(
        runner
            .down_with(&Selection::Count(1), &mut quiet())
            .await
            .unwrap(),
        1
    );
    assert!(!index_exists(&t).await);
    assert!(history_row(&t, OUTSIDE).await.is_empty());
}

mod a_migration_with_use_transaction_false_runs_outside_a_transaction {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        use_transaction_false_runs_outside_a_transaction(Backend::Postgres).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        use_transaction_false_runs_outside_a_transaction(Backend::Sqlite).await
    }
}

// ----- DDL lock timeout ---------------------------------------------------------------------

const ALTER: &str = "m20261121_999996_alter_users";

/// Adds a column to `users`: needs an exclusive lock on it.
struct AlterUsers;

impl MigrationName for AlterUsers {
    fn name(&self) -> &str {
        ALTER
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AlterUsers {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("users"))
                    .add_column(ColumnDef::new(Alias::new("nickname_x")).integer().null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("users"))
                    .drop_column(Alias::new("nickname_x"))
                    .to_owned(),
            )
            .await
    }
}

struct WithAlter;

#[async_trait::async_trait]
impl MigratorTrait for WithAlter {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = Migrator::migrations();
        all.push(Box::new(AlterUsers));
        all
    }
}

async fn ddl_behind_a_long_transaction_fails_fast_naming_the_blocker(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let target = target(&t);
    // Another session reads users in a transaction it keeps open.
    let blocker = migration::sea_orm::Database::connect(t.url.as_str())
        .await
        .unwrap();
    let txn = migration::sea_orm::TransactionTrait::begin(&blocker)
        .await
        .unwrap();
    txn.execute_unprepared("SELECT COUNT(*) FROM users")
        .await
        .unwrap();
    let id_sql = match backend {
        Backend::Postgres => "SELECT pg_backend_pid()::text AS id",
        _ => "SELECT CAST(CONNECTION_ID() AS CHAR) AS id",
    };
    let id: String = txn
        .query_one_raw(migration::sea_orm::Statement::from_string(
            t.db_backend(),
            id_sql,
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "id")
        .unwrap();

    let runner = Runner::<WithAlter>::for_target(&t.db, &target).options(Options {
        ddl_lock_timeout: Duration::from_millis(1000),
        ddl_retries: 1,
        ..Options::default()
    });
    let started = Instant::now();
    let result = runner.up_with(&Selection::All, &mut quiet()).await;
    let waited = started.elapsed();
    let message = match result {
        Err(e @ RunError::MigrationFailed { .. }) => e.to_string(),
        other => panic!("{backend:?}: expected a lock timeout, got {other:?}"),
    };
    assert!(
        message.contains(&id) && message.contains("blocked by"),
        "{backend:?}: the message must name the blocking session {id}: {message}"
    );
    assert!(
        message.contains("still pending") || message.contains("rolled back"),
        "{message}"
    );
    // Two attempts of about a second each and one back-off, not a queue behind the blocker.
    assert!(waited < Duration::from_secs(30), "waited {waited:?}");
    txn.rollback().await.unwrap();

    // Nothing is recorded as failed: once the blocker is gone, a plain `up` applies it.
    assert!(history_row(&t, ALTER).await.is_empty(), "{backend:?}");
    assert_eq!(
        runner.up_with(&Selection::All, &mut quiet()).await.unwrap(),
        1
    );
}

mod ddl_behind_a_long_transaction_fails_fast_naming_the_blocker {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        ddl_behind_a_long_transaction_fails_fast_naming_the_blocker(Backend::Postgres).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql() {
        ddl_behind_a_long_transaction_fails_fast_naming_the_blocker(Backend::MySql).await
    }
}

// ----- resolve --rolled-back undoes what exists ---------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolve_rolled_back_undoes_a_half_applied_migration_on_mysql() {
    let t = TestDb::new(Backend::MySql).await;
    let target = target(&t);
    let runner = Runner::<Migrator>::for_target(&t.db, &target);
    runner
        .up_with(&Selection::To("content".into()), &mut quiet())
        .await
        .unwrap();
    // Simulate a crash in `courses`: its marker says running, two of its tables exist.
    let courses = name_of("courses");
    t.exec(&format!(
        "INSERT INTO learndb_migration_history (version, checksum, state, applied_at) VALUES ('{courses}', 'x', 'running', NOW(6))"
    ))
    .await
    .unwrap();
    // Of its statements, only the first CREATE TABLE ran.
    let plan = migration::runner::capture::capture(
        migration::sea_orm::DbBackend::MySql,
        Migrator::migrations()
            .iter()
            .find(|m| m.name() == courses)
            .unwrap()
            .as_ref(),
        migration::runner::Direction::Up,
    )
    .await
    .unwrap();
    let first_create = plan.iter().find(|s| s.starts_with("CREATE TABLE")).unwrap();
    t.exec(first_create).await.unwrap();

    let status = runner.status().await.unwrap();
    let row = status
        .migrations
        .iter()
        .find(|m| m.version == courses)
        .unwrap();
    assert_eq!(row.state.as_str(), "running");

    assert_eq!(
        runner
            .resolve("courses", Resolution::RolledBack)
            .await
            .unwrap(),
        courses
    );
    assert!(history_row(&t, &courses).await.is_empty());
    assert_eq!(
        runner.up_with(&Selection::All, &mut quiet()).await.unwrap(),
        migration_names().len() - 2
    );
    assert!(
        catalog::read(&t.db).await.without_history() == reference_catalog(Backend::MySql).await,
        "after resolve --rolled-back and up, the schema equals a clean migrate"
    );
}

// ----- killed at a random point -------------------------------------------------------------

/// SIGKILL, SIGTERM or SIGINT.
#[derive(Clone, Copy, Debug)]
#[allow(clippy::enum_variant_names)]
enum Kill {
    Kill,
    Term,
    Int,
}

impl Kill {
    fn signal(self) -> &'static str {
        match self {
            Kill::Kill => "KILL",
            Kill::Term => "TERM",
            Kill::Int => "INT",
        }
    }

    fn exit_code(self) -> Option<i32> {
        match self {
            Kill::Kill => None,
            Kill::Term => Some(143),
            Kill::Int => Some(130),
        }
    }
}

fn spawn_up(url: &str, dir: &std::path::Path) -> Child {
    command(&learndb_bin(), dir)
        .args(["migrate", "-u", url, "up"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the learndb binary starts")
}

/// A small deterministic generator (xorshift), seeded per run so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn crash_runs() -> usize {
    std::env::var("LEARNDB_CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12)
}

async fn killed_at_random_points_the_documented_commands_reach_the_full_schema(backend: Backend) {
    let reference = reference_catalog(backend).await;
    // How long a full `up` takes here, to spread the kills over it.
    let probe = TestDb::new(backend).await;
    let started = Instant::now();
    let full = learndb(&probe.url, &["up"]);
    assert_eq!(full.status.code(), Some(0), "{}", show(&full));
    let full_time = started.elapsed();
    drop(probe);

    let runs = crash_runs();
    let seed = std::env::var("LEARNDB_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_1ea2_u64 + backend as u64);
    let mut rng = Rng(seed);
    let mut recovered = 0;
    let mut needed_recover = 0;
    let mut clean_signal_exits = 0;
    let mut report = Vec::new();
    for run in 0..runs {
        let t = TestDb::new(backend).await;
        let dir = tempfile::tempdir().unwrap();
        let kill = [Kill::Kill, Kill::Term, Kill::Int][(rng.next() % 3) as usize];
        let delay = Duration::from_millis(rng.next() % (full_time.as_millis() as u64 + 1));
        let child = spawn_up(&t.url, dir.path());
        tokio::time::sleep(delay).await;
        let pid = child.id().to_string();
        let _ = std::process::Command::new("kill")
            .args([&format!("-{}", kill.signal()), &pid])
            .status();
        let killed = child.wait_with_output().unwrap();
        let what = format!(
            "run {run} (seed {seed:#x}, {kill:?} after {delay:?})\nkilled run: {}",
            show(&killed)
        );
        if let (Some(code), Some(expected)) = (killed.status.code(), kill.exit_code())
            && code == i32::from(expected as u8)
        {
            // Stopped by our handler: one line saying what it left, the last on stderr (a
            // migration may log a warning before it).
            let err = stderr(&killed);
            let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
            assert_eq!(errors.len(), 1, "{what}");
            assert_eq!(err.lines().last(), Some(errors[0]), "{what}");
            assert!(errors[0].starts_with("error: stopped by SIG"), "{what}");
            clean_signal_exits += 1;
        }

        // The documented recovery: `up`; when it refuses, `up --recover`.
        let mut up = learndb(&t.url, &["up"]);
        if up.status.code() == Some(1) && stderr(&up).contains("up --recover") {
            needed_recover += 1;
            up = learndb(&t.url, &["up", "--recover"]);
        }
        assert_eq!(up.status.code(), Some(0), "{what}\nrecovery: {}", show(&up));
        let check = learndb(&t.url, &["status", "--check"]);
        assert_eq!(
            check.status.code(),
            Some(0),
            "{what}\nstatus: {}",
            show(&check)
        );
        let catalog = catalog::read(&t.db).await.without_history();
        assert!(
            catalog == reference,
            "{what}\nthe recovered schema differs from a clean migrate"
        );
        recovered += 1;
        report.push(format!("{kill:?}@{}ms", delay.as_millis()));
    }
    eprintln!(
        "{backend:?}: {recovered} of {runs} killed runs reached the full schema ({needed_recover} needed `up --recover`, {clean_signal_exits} stopped cleanly on a signal); full up {full_time:?}; kills: {}",
        report.join(" ")
    );
    assert_eq!(recovered, runs);
}

on_every_backend!(
    killed_at_random_points_the_documented_commands_reach_the_full_schema,
    killed_at_random_points_the_documented_commands_reach_the_full_schema
);

// ----- the library entry point --------------------------------------------------------------

async fn a_service_migrates_at_startup_with_one_call(backend: Backend) {
    let t = TestDb::new(backend).await;
    // What a service writes in `main`, on the connection it opened itself.
    let applied = migration::Runner::new(&t.db).up().await.unwrap();
    assert_eq!(applied, migration_names().len(), "{backend:?}");
    assert_eq!(migration::Runner::new(&t.db).up().await.unwrap(), 0);
    let status = migration::Runner::new(&t.db).status().await.unwrap();
    assert_eq!(
        (status.applied, status.pending, status.problems),
        (migration_names().len(), 0, 0)
    );
    assert!(
        status.database.contains("the application's connection"),
        "{}",
        status.database
    );
    assert!(
        catalog::read(&t.db).await.without_history() == reference_catalog(backend).await,
        "{backend:?}: the library's up builds the same schema as the command line"
    );
    if let Some(path) = t.sqlite_path() {
        // The lock was taken on the file the connection uses, found through SQLite itself.
        let mut lock = path.canonicalize().unwrap().into_os_string();
        lock.push(".lock");
        assert!(
            std::path::Path::new(&lock).exists(),
            "no lock file beside {}",
            path.display()
        );
    }
}

on_every_backend!(
    a_service_migrates_at_startup_with_one_call,
    a_service_migrates_at_startup_with_one_call
);
