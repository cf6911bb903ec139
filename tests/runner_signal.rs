//! SIGINT/SIGTERM during a migration, made deterministic: a stop is requested while a
//! migration's middle statement runs (a server-side sleep). The runner must finish that
//! statement, stop before the next, record the state, release the lock, and report with the
//! signal's exit code; then the documented command completes the schema.
//!
//! The stop request is process-wide, so this file holds a single test that visits the backends
//! one after another (the crash test in `runner_recovery.rs` sends real signals to the binary).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::{Backend, TestDb};
use migration::connect::{Source, Target};
use migration::runner::interrupt::{self, Signal};
use migration::runner::{Event, RunError, Runner, Selection};
use migration::{
    Alias, ColumnDef, ConnectionTrait, DbErr, MigrationName, MigrationTrait, MigratorTrait,
    SchemaManager, Table, async_trait,
};

const SLOW: &str = "m20260101_000001_slow";

/// Creates `slow_a`, sleeps on the server for 3 s, creates `slow_b`.
struct Slow;

impl MigrationName for Slow {
    fn name(&self) -> &str {
        SLOW
    }
}

fn table(name: &str) -> migration::TableCreateStatement {
    Table::create()
        .table(Alias::new(name))
        .col(ColumnDef::new(Alias::new("n")).integer().not_null())
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Slow {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_table(table("slow_a")).await?;
        let db = manager.get_connection();
        let sleep = match db.get_database_backend() {
            migration::sea_orm::DbBackend::Postgres => "SELECT pg_sleep(3)",
            migration::sea_orm::DbBackend::MySql => "DO SLEEP(3)",
            // Seconds of work for SQLite, which has no sleep function: 6,000,000 rows took 1.1 s on
            // this machine, less than the 1.5 s the stop waits, so the run finished first.
            _ => {
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30000000) SELECT count(*) FROM c"
            }
        };
        db.execute_unprepared(sleep).await?;
        manager.create_table(table("slow_b")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["slow_b", "slow_a"] {
            manager
                .drop_table(Table::drop().table(Alias::new(name)).to_owned())
                .await?;
        }
        Ok(())
    }
}

struct SlowMigrator;

#[async_trait::async_trait]
impl MigratorTrait for SlowMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(Slow)]
    }
}

async fn exists(t: &TestDb, table: &str) -> bool {
    SchemaManager::new(&t.db).has_table(table).await.unwrap()
}

async fn stopped_mid_migration(backend: Backend, signal: Signal) {
    interrupt::clear();
    let t = TestDb::new(backend).await;
    let target = Target::parse(&t.url, Source::Flag).unwrap();
    let runner = Runner::<SlowMigrator>::for_target(&t.db, &target);
    let requester = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        interrupt::request(signal);
    });
    let result = runner.up_with(&Selection::All, &mut |_: &Event| {}).await;
    requester.await.unwrap();
    let err = match result {
        Err(e @ RunError::Interrupted { .. }) => e,
        other => panic!("{backend:?}: expected the run to stop on {signal:?}, got {other:?}"),
    };
    assert_eq!(err.exit_code(), signal.exit_code());
    let message = err.to_string();
    assert!(
        message.starts_with(&format!("stopped by {}", signal.name()))
            && message.contains(SLOW)
            && message.contains("lock is released")
            && !message.contains('\n'),
        "{backend:?}: {message}"
    );
    interrupt::clear();

    // The lock was released: status sees it free, and the next run can take it at once.
    let status = runner.status().await.unwrap();
    assert_eq!(status.lock_holder, None, "{backend:?}");
    let row = &status.migrations[0];

    if backend == Backend::MySql {
        // The sleep finished, slow_b was never started; both statements that ran are recorded.
        assert!(message.contains("after 2 of 3 statements"), "{message}");
        assert!(exists(&t, "slow_a").await && !exists(&t, "slow_b").await);
        assert_eq!(row.state.as_str(), "failed");
        assert_eq!(row.statements_done.len(), 2, "{:?}", row.statements_done);
        assert!(
            runner
                .up_with(&Selection::All, &mut |_: &Event| {})
                .await
                .unwrap_err()
                .to_string()
                .contains("up --recover")
        );
        assert_eq!(
            runner
                .recover_and_up(&Selection::All, &mut |_: &Event| {})
                .await
                .unwrap(),
            1
        );
    } else {
        // The transaction was rolled back: nothing of the migration is in place.
        assert!(message.contains("rolled back"), "{message}");
        assert!(!exists(&t, "slow_a").await, "{backend:?}");
        assert_eq!(row.state.as_str(), "pending");
        assert_eq!(
            runner
                .up_with(&Selection::All, &mut |_: &Event| {})
                .await
                .unwrap(),
            1
        );
    }
    assert!(exists(&t, "slow_a").await && exists(&t, "slow_b").await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signal_stops_the_run_between_statements_with_the_state_recorded() {
    stopped_mid_migration(Backend::MySql, Signal::Terminate).await;
    stopped_mid_migration(Backend::Postgres, Signal::Interrupt).await;
    stopped_mid_migration(Backend::Sqlite, Signal::Terminate).await;
}
