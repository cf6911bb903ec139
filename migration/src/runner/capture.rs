//! The SQL a migration runs, captured without a database.
//!
//! A migration's `up()`/`down()` is run against SeaORM's mock connection for the target backend,
//! which records every statement instead of executing it. That gives the exact SQL for
//! `--dry-run`, `learndb sql` and the history checksums, from the same code that migrates. A
//! migration that reads the database (e.g. `has_table`) cannot be captured and reports an error;
//! learndb's own migrations only write.

use sea_orm::{DbBackend, DbErr, MockDatabase, MockExecResult, Statement};
use sea_orm_migration::sea_orm;
use sea_orm_migration::{MigrationTrait, SchemaManager};
use sha2::{Digest, Sha256};
use tracing::instrument::WithSubscriber;

/// Canned results the mock starts with: each execute consumes one. learndb's largest migration
/// runs about 200 statements. The mock keeps them as a `Vec<Result<_, DbErr>>` and drops every
/// one of them afterwards: with 100,000 of them, capturing the 19 migrations for `status`'s
/// checksums took 39 of its 57 million instructions. A migration that runs out is captured again
/// with [`MAX_STATEMENTS`].
const FIRST_TRY_STATEMENTS: usize = 1_024;

/// More statements than any migration runs.
const MAX_STATEMENTS: usize = 1_000_000;

/// Which half of a migration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    /// `up` or `down`, as the journal records it.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// The SQL text of the statements `migration` executes in `direction` on `backend`, in order,
/// with bound values written inline.
pub async fn capture(
    backend: DbBackend,
    migration: &dyn MigrationTrait,
    direction: Direction,
) -> Result<Vec<String>, DbErr> {
    Ok(capture_statements(backend, migration, direction)
        .await?
        .iter()
        .map(|s| s.to_string())
        .collect())
}

/// The statements `migration` executes in `direction` on `backend`, in order, as it sends
/// them: with their bound values, or without values for SQL it runs unprepared. Running these
/// one by one does exactly what the migration does.
pub async fn capture_statements(
    backend: DbBackend,
    migration: &dyn MigrationTrait,
    direction: Direction,
) -> Result<Vec<Statement>, DbErr> {
    let mut canned = FIRST_TRY_STATEMENTS;
    loop {
        let (run, statements) = capture_with(backend, migration, direction, canned).await;
        match run {
            Ok(()) => return Ok(statements),
            // Every canned result consumed: the failure may be the mock running out.
            Err(_) if statements.len() >= canned && canned < MAX_STATEMENTS => {
                canned = MAX_STATEMENTS;
            }
            Err(e) => {
                return Err(DbErr::Migration(format!(
                    "cannot capture the SQL of {} without a database: {e}",
                    migration.name()
                )));
            }
        }
    }
}

/// One simulated run of `migration` with `canned` exec results: its outcome and what it executed.
async fn capture_with(
    backend: DbBackend,
    migration: &dyn MigrationTrait,
    direction: Direction,
    canned: usize,
) -> (Result<(), DbErr>, Vec<Statement>) {
    let db = MockDatabase::new(backend)
        .append_exec_results(std::iter::repeat_n(MockExecResult::default(), canned))
        .into_connection();
    let manager = SchemaManager::new(&db);
    let run = async {
        match direction {
            Direction::Up => migration.up(&manager).await,
            Direction::Down => migration.down(&manager).await,
        }
    };
    // Nothing of the simulation is logged: its statements were not executed, and SeaORM's trace
    // spans would format the mock's whole queue of canned results for every statement (with
    // RUST_LOG=trace, `status` took 38 s instead of 0.1 s).
    let run = run
        .with_subscriber(tracing::subscriber::NoSubscriber::default())
        .await;
    let statements = db
        .into_transaction_log()
        .iter()
        .flat_map(|t| t.statements().iter().cloned())
        .collect();
    (run, statements)
}

/// SHA-256 (hex) of a migration's statements: the checksum the history records.
pub fn checksum(statements: &[String]) -> String {
    let mut hasher = Sha256::new();
    for statement in statements {
        hasher.update(statement.as_bytes());
        hasher.update(b";\n");
    }
    format!("{:x}", hasher.finalize())
}

/// Renders statements as a script: each ends with `;` on its own line.
pub fn script(statements: &[String]) -> String {
    statements.iter().map(|s| format!("{s};\n")).collect()
}
