//! `learndb_migration_history`: what the runner knows about each migration beyond
//! `seaql_migrations` (which it keeps writing, so SeaORM's own tools see the same state).
//!
//! One row per migration that is applied or was interrupted: its checksum (SHA-256 of the SQL its
//! `up()` runs on this backend), when it was applied, how long it took, who ran it, and its
//! state. `applied` is the normal state. On MySQL, where DDL commits as it goes, a row is written
//! as `running` (or `rolling_back`) before the migration starts and becomes `applied` (or is
//! removed) only when it finishes, so a crash or error leaves `running`/`failed` behind and later
//! runs refuse until an operator resolves it. On PostgreSQL and SQLite the row is written in the
//! migration's own transaction, so a failure leaves no trace.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm;

use crate::ddl::Ddl;

pub const HISTORY_TABLE: &str = "learndb_migration_history";

/// A migration's recorded state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Applied,
    /// `up()` started on a non-transactional backend and has not finished (crash or running).
    Running,
    /// `up()` failed part-way on a non-transactional backend.
    Failed,
    /// `down()` started on a non-transactional backend and has not finished.
    RollingBack,
    /// `down()` failed part-way on a non-transactional backend.
    RollbackFailed,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Applied => "applied",
            State::Running => "running",
            State::Failed => "failed",
            State::RollingBack => "rolling_back",
            State::RollbackFailed => "rollback_failed",
        }
    }

    fn parse(text: &str) -> Option<State> {
        [
            State::Applied,
            State::Running,
            State::Failed,
            State::RollingBack,
            State::RollbackFailed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Whether this state blocks every other command until `resolve`.
    pub fn is_unfinished(self) -> bool {
        self != State::Applied
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub version: String,
    pub checksum: String,
    pub state: State,
    pub applied_at: DateTime<Utc>,
    pub duration_ms: Option<i64>,
    pub applied_by: Option<String>,
    pub error: Option<String>,
}

#[derive(DeriveIden)]
enum History {
    #[sea_orm(iden = "learndb_migration_history")]
    Table,
    Version,
    Checksum,
    State,
    AppliedAt,
    DurationMs,
    AppliedBy,
    Error,
}

/// The columns, in the order `load` reads and `put` writes them.
const COLUMNS: [History; 7] = [
    History::Version,
    History::Checksum,
    History::State,
    History::AppliedAt,
    History::DurationMs,
    History::AppliedBy,
    History::Error,
];

/// Creates the history table if it does not exist (the runner owns it, like
/// `seaql_migrations`; it is created under the migration lock).
pub async fn install<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    let ddl = Ddl::new(db.get_database_backend());
    let mut table = Table::create();
    table
        .table(History::Table)
        .if_not_exists()
        .col(ddl.string(History::Version, 255).primary_key())
        .col(ddl.string(History::Checksum, 64))
        .col(ddl.string(History::State, 20))
        .col(ddl.timestamptz(History::AppliedAt))
        .col(ddl.bigint_null(History::DurationMs))
        .col(ddl.string_null(History::AppliedBy, 255))
        .col(ddl.text_null(History::Error));
    if db.get_database_backend() == DbBackend::MySql {
        table.character_set("utf8mb4").collate("utf8mb4_unicode_ci");
    }
    db.execute(&table).await.map(|_| ())
}

/// Every recorded migration, by version. Read-only: a missing table means nothing is recorded.
pub async fn load(db: &DatabaseConnection) -> Result<Vec<Record>, DbErr> {
    if !SchemaManager::new(db).has_table(HISTORY_TABLE).await? {
        return Ok(Vec::new());
    }
    let select = Query::select()
        .columns(COLUMNS)
        .from(History::Table)
        .order_by(History::Version, Order::Asc)
        .to_owned();
    db.query_all(&select).await?.iter().map(record).collect()
}

fn record(row: &QueryResult) -> Result<Record, DbErr> {
    let state: String = row.try_get("", "state")?;
    Ok(Record {
        version: row.try_get("", "version")?,
        checksum: row.try_get("", "checksum")?,
        state: State::parse(&state).ok_or_else(|| {
            DbErr::Custom(format!(
                "unknown migration state '{state}' in {HISTORY_TABLE}"
            ))
        })?,
        applied_at: row.try_get("", "applied_at")?,
        duration_ms: row.try_get("", "duration_ms")?,
        applied_by: row.try_get("", "applied_by")?,
        error: row.try_get("", "error")?,
    })
}

/// Inserts or replaces the row of `record.version`.
pub async fn put<C: ConnectionTrait>(db: &C, record: &Record) -> Result<(), DbErr> {
    remove(db, &record.version).await?;
    let insert = Query::insert()
        .into_table(History::Table)
        .columns(COLUMNS)
        .values([
            record.version.clone().into(),
            record.checksum.clone().into(),
            record.state.as_str().into(),
            record.applied_at.into(),
            record.duration_ms.into(),
            record.applied_by.clone().into(),
            record.error.clone().into(),
        ])
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    db.execute(&insert).await.map(|_| ())
}

pub async fn remove<C: ConnectionTrait>(db: &C, version: &str) -> Result<(), DbErr> {
    let delete = Query::delete()
        .from_table(History::Table)
        .and_where(Expr::col(History::Version).eq(version))
        .to_owned();
    db.execute(&delete).await.map(|_| ())
}

pub async fn drop<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    db.execute(&Table::drop().table(History::Table).if_exists().to_owned())
        .await
        .map(|_| ())
}

/// `user@host (pid N)`, for the applied_by column and lock messages.
pub fn whoami() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{user}@{host} (pid {})", std::process::id())
}
