//! `learndb_migration_history`: what the runner knows about each migration beyond
//! `seaql_migrations` (which it keeps writing, so SeaORM's own tools see the same state).
//!
//! One row per migration that is applied or was interrupted: its checksum (SHA-256 of the SQL its
//! `up()` runs on this backend), when it was applied, how long it took, who ran it, and its
//! state. `applied` is the normal state. On MySQL, where DDL commits as it goes, a row is written
//! as `running` (or `rolling_back`) before the migration starts and becomes `applied` (or is
//! removed) only when it finishes, so a crash or error leaves `running`/`failed` behind and later
//! runs refuse until it is recovered. On PostgreSQL and SQLite the row is written in the
//! migration's own transaction, so a failure leaves no trace.
//!
//! `learndb_migration_journal` holds, for a migration running without a transaction, one row
//! per statement as it completes, so `status` shows exactly how far an interrupted migration
//! got. Its rows are removed together with the state they explain.

use chrono::{DateTime, Utc};
use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DatabaseExecutor, DbBackend, DbErr, QueryResult, Statement, Value};
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm;

use crate::ddl::Ddl;

pub const HISTORY_TABLE: &str = "learndb_migration_history";
pub const JOURNAL_TABLE: &str = "learndb_migration_journal";

/// A migration's recorded state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    Applied,
    /// `up()` started without a transaction and has not finished: a crash, or still running.
    Running,
    /// `up()` failed or was interrupted part-way without a transaction.
    Failed,
    /// `down()` started without a transaction and has not finished.
    RollingBack,
    /// `down()` failed or was interrupted part-way without a transaction.
    RollbackFailed,
    /// A value this build does not know (written by hand or by a newer learndb): shown as it
    /// is, and treated as unfinished.
    Unknown(String),
}

impl State {
    pub fn as_str(&self) -> &str {
        match self {
            State::Applied => "applied",
            State::Running => "running",
            State::Failed => "failed",
            State::RollingBack => "rolling_back",
            State::RollbackFailed => "rollback_failed",
            State::Unknown(text) => text,
        }
    }

    pub fn parse(text: &str) -> State {
        match text {
            "applied" => State::Applied,
            "running" => State::Running,
            "failed" => State::Failed,
            "rolling_back" => State::RollingBack,
            "rollback_failed" => State::RollbackFailed,
            other => State::Unknown(other.to_owned()),
        }
    }

    /// Whether this state blocks every other command until it is recovered or resolved.
    pub fn is_unfinished(&self) -> bool {
        *self != State::Applied
    }

    /// Whether the interrupted work was a rollback.
    pub fn is_rollback(&self) -> bool {
        matches!(self, State::RollingBack | State::RollbackFailed)
    }
}

impl serde::Serialize for State {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
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
    db.execute(&table).await?;

    let mut journal = Table::create();
    journal
        .table(Journal::Table)
        .if_not_exists()
        .col(ddl.string(Journal::Version, 255))
        .col(ddl.string(Journal::Direction, 4))
        .col(ddl.integer(Journal::Step))
        .col(ddl.text(Journal::Statement))
        .col(ddl.timestamptz(Journal::DoneAt))
        .primary_key(
            Index::create()
                .col(Journal::Version)
                .col(Journal::Direction)
                .col(Journal::Step),
        );
    if db.get_database_backend() == DbBackend::MySql {
        journal
            .character_set("utf8mb4")
            .collate("utf8mb4_unicode_ci");
    }
    db.execute(&journal).await.map(|_| ())
}

/// A borrowed executor of the same connection or transaction, for a `SchemaManager` (which takes
/// its executor by value) beside the caller's own use of it.
pub fn reborrow<'a>(db: &'a DatabaseExecutor<'_>) -> DatabaseExecutor<'a> {
    match db {
        DatabaseExecutor::Connection(c) => DatabaseExecutor::Connection(c),
        DatabaseExecutor::Transaction(t) => DatabaseExecutor::Transaction(t),
        DatabaseExecutor::OwnedTransaction(t) => DatabaseExecutor::Transaction(t),
    }
}

/// Which of `names` exist as tables in the current schema, in one catalog query.
/// sea-orm-migration's `has_table` asks `information_schema.tables` once per table, and on
/// PostgreSQL planning that view took 3 to 10 ms each time: most of a `status`.
pub async fn existing_tables(
    db: &DatabaseExecutor<'_>,
    names: &[&str],
) -> Result<BTreeSet<String>, DbErr> {
    let backend = db.get_database_backend();
    let placeholders: Vec<String> = (1..=names.len())
        .map(|i| match backend {
            DbBackend::Postgres => format!("${i}"),
            _ => "?".to_owned(),
        })
        .collect();
    let list = placeholders.join(", ");
    let sql = match backend {
        DbBackend::Postgres => format!(
            "SELECT c.relname::text AS name FROM pg_catalog.pg_class c \
             WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = current_schema()) \
             AND c.relkind IN ('r', 'p') AND c.relname IN ({list})"
        ),
        DbBackend::MySql => format!(
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' AND table_name IN ({list})"
        ),
        _ => format!("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ({list})"),
    };
    let values = names.iter().map(|n| Value::from(*n)).collect::<Vec<_>>();
    db.query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?
        .iter()
        .map(|row| row.try_get::<String>("", "name"))
        .collect()
}

/// Every recorded migration, by version (nothing when the table does not exist).
pub async fn load(db: &DatabaseExecutor<'_>, exists: bool) -> Result<Vec<Record>, DbErr> {
    if !exists {
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
        state: State::parse(&state),
        applied_at: row.try_get("", "applied_at")?,
        duration_ms: row.try_get("", "duration_ms")?,
        applied_by: row.try_get("", "applied_by")?,
        error: row.try_get("", "error")?,
    })
}

/// Inserts or replaces the row of `record.version`, in one statement (an upsert), so there is
/// no moment without the row, whatever connection or transaction it runs on.
pub async fn put<C: ConnectionTrait>(db: &C, record: &Record) -> Result<(), DbErr> {
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
        .on_conflict(
            OnConflict::column(History::Version)
                .update_columns(COLUMNS.into_iter().skip(1))
                .to_owned(),
        )
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

/// Drops the history and the journal.
pub async fn drop<C: ConnectionTrait>(db: &C) -> Result<(), DbErr> {
    db.execute(&Table::drop().table(Journal::Table).if_exists().to_owned())
        .await?;
    db.execute(&Table::drop().table(History::Table).if_exists().to_owned())
        .await
        .map(|_| ())
}

#[derive(DeriveIden)]
enum Journal {
    #[sea_orm(iden = "learndb_migration_journal")]
    Table,
    Version,
    Direction,
    Step,
    Statement,
    DoneAt,
}

/// The journal's columns, in the order `journal_record` writes and `journal` reads them.
const JOURNAL_COLUMNS: [Journal; 5] = [
    Journal::Version,
    Journal::Direction,
    Journal::Step,
    Journal::Statement,
    Journal::DoneAt,
];

/// One completed statement of a migration that ran without a transaction.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct JournalEntry {
    /// `up` or `down`.
    pub direction: String,
    /// 1-based position in the migration's statements.
    pub step: i32,
    pub statement: String,
    pub done_at: DateTime<Utc>,
}

/// Records that statement `step` (1-based) of `version` completed.
pub async fn journal_record<C: ConnectionTrait>(
    db: &C,
    version: &str,
    direction: &str,
    step: usize,
    statement: &str,
) -> Result<(), DbErr> {
    let insert = Query::insert()
        .into_table(Journal::Table)
        .columns(JOURNAL_COLUMNS)
        .values([
            version.into(),
            direction.into(),
            <i32 as TryFrom<usize>>::try_from(step)
                .unwrap_or(i32::MAX)
                .into(),
            statement.into(),
            Utc::now().into(),
        ])
        .map_err(|e| DbErr::Custom(e.to_string()))?
        // A take-back that was itself interrupted runs again and records its steps again.
        .on_conflict(
            OnConflict::columns([Journal::Version, Journal::Direction, Journal::Step])
                .update_columns([Journal::Statement, Journal::DoneAt])
                .to_owned(),
        )
        .to_owned();
    db.execute(&insert).await.map(|_| ())
}

/// The journal of every migration that has one, in statement order (empty when the table does
/// not exist).
pub async fn journal(
    db: &DatabaseExecutor<'_>,
    exists: bool,
) -> Result<std::collections::BTreeMap<String, Vec<JournalEntry>>, DbErr> {
    let mut out = std::collections::BTreeMap::<String, Vec<JournalEntry>>::new();
    if !exists {
        return Ok(out);
    }
    let select = Query::select()
        .columns(JOURNAL_COLUMNS)
        .from(Journal::Table)
        .order_by(Journal::Version, Order::Asc)
        .order_by(Journal::Direction, Order::Desc)
        .order_by(Journal::Step, Order::Asc)
        .to_owned();
    for row in db.query_all(&select).await? {
        let version: String = row.try_get("", "version")?;
        out.entry(version).or_default().push(JournalEntry {
            direction: row.try_get("", "direction")?,
            step: row.try_get("", "step")?,
            statement: row.try_get("", "statement")?,
            done_at: row.try_get("", "done_at")?,
        });
    }
    Ok(out)
}

/// Forgets the journal of `version` (with the state it explains).
pub async fn journal_clear<C: ConnectionTrait>(db: &C, version: &str) -> Result<(), DbErr> {
    let delete = Query::delete()
        .from_table(Journal::Table)
        .and_where(Expr::col(Journal::Version).eq(version))
        .to_owned();
    db.execute(&delete).await.map(|_| ())
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
