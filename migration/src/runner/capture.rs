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

/// More statements than any migration runs; each execute consumes one canned result.
const MAX_STATEMENTS: usize = 100_000;

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
    let db = MockDatabase::new(backend)
        .append_exec_results(std::iter::repeat_n(
            MockExecResult::default(),
            MAX_STATEMENTS,
        ))
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
    run.map_err(|e| {
        DbErr::Migration(format!(
            "cannot capture the SQL of {} without a database: {e}",
            migration.name()
        ))
    })?;
    Ok(db
        .into_transaction_log()
        .iter()
        .flat_map(|t| t.statements().iter().cloned())
        .collect())
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
