//! Running one migration's statements: one executor for both ways a migration can run.
//!
//! - **In a transaction** (PostgreSQL and SQLite, unless the migration's `use_transaction()`
//!   says `Some(false)`): every statement and the bookkeeping commit together or not at all.
//! - **Journaled** (MySQL/MariaDB/TiDB, whose DDL commits statement by statement, and migrations
//!   that must run outside a transaction, such as `CREATE INDEX CONCURRENTLY`): the history row
//!   says `running` first, each completed statement is written to the journal, and the row
//!   becomes `applied` only at the end. A crash or error leaves an exact record, and
//!   [`Executor::undo`] takes the migration back by running its derived `down()` with IF EXISTS
//!   semantics: it drops only what exists.
//!
//! The statements are the ones [`super::capture`] records, executed one by one, so the runner
//! can stop between two of them when SIGINT or SIGTERM arrives. A migration whose SQL cannot be
//! captured (it reads the database) is run as a whole through its own `up()`/`down()`.
//!
//! Every DDL statement waits at most `ddl_lock_timeout` for its table locks (PostgreSQL
//! `lock_timeout`, MySQL `lock_wait_timeout`) and is retried a few times: a migration stuck
//! behind a long transaction then fails fast, naming that transaction, instead of queueing all
//! traffic on the table behind its exclusive lock request.

use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseExecutor, DbBackend, DbErr, RuntimeErr, Statement,
    TransactionTrait,
};
use sea_orm_migration::prelude::{Alias, Expr, ExprTrait, Query};
use sea_orm_migration::sea_orm;
use sea_orm_migration::{MigrationTrait, SchemaManager};

use super::capture::{Direction, capture_statements, checksum};
use super::history::{self, Record, State};
use super::interrupt::{self, Signal};
use super::keys::backquoted;
use super::{Options, RunError};
use crate::connect::{Target, error_line, one_line};

/// How a migration runs on this backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Transaction,
    Journaled,
}

/// The mode for `migration` on a server whose DDL is transactional or not (the engine profile,
/// [`crate::engine::Profile::transactional_ddl`]): the MySQL family and YugabyteDB commit each
/// DDL statement on their own, so migrations are always journaled there; elsewhere a
/// transaction, unless the migration opts out or one of its `statements` cannot run inside a
/// transaction block (PostgreSQL's `CONCURRENTLY`, which later migrations use to stay online).
pub fn mode(
    transactional_ddl: bool,
    migration: &dyn MigrationTrait,
    statements: Option<&[Statement]>,
) -> Mode {
    let outside = statements.is_some_and(|s| s.iter().any(|s| outside_transaction(&s.sql)));
    match (transactional_ddl, migration.use_transaction()) {
        (false, _) | (_, Some(false)) => Mode::Journaled,
        _ if outside => Mode::Journaled,
        _ => Mode::Transaction,
    }
}

/// Whether PostgreSQL refuses to run `sql` inside a transaction block.
pub fn outside_transaction(sql: &str) -> bool {
    let head: String = sql
        .trim_start()
        .chars()
        .take(40)
        .collect::<String>()
        .to_ascii_uppercase();
    [
        "CREATE INDEX CONCURRENTLY",
        "CREATE UNIQUE INDEX CONCURRENTLY",
        "DROP INDEX CONCURRENTLY",
    ]
    .iter()
    .any(|prefix| head.starts_with(prefix))
        || (head.starts_with("REINDEX") && sql.to_ascii_uppercase().contains("CONCURRENTLY"))
}

/// Whether a migration's statements rebuild SQLite tables
/// ([`crate::ddl::Step::RebuildTables`], which opens with `PRAGMA foreign_keys = OFF`): the
/// runner must then turn foreign keys off before its transaction and back on after it, since
/// the pragma is a no-op inside one and `DROP TABLE` of a parent would otherwise fire its
/// children's `ON DELETE` actions.
pub fn needs_foreign_keys_off(statements: Option<&[Statement]>) -> bool {
    statements.is_some_and(|s| {
        s.iter().any(|s| {
            s.sql
                .trim()
                .eq_ignore_ascii_case(crate::ddl::FOREIGN_KEYS_OFF_SQL)
        })
    })
}

/// A migration's statements in one direction, captured once.
pub struct Work<'m> {
    pub migration: &'m dyn MigrationTrait,
    pub direction: Direction,
    /// `None` when the migration reads the database and cannot be captured.
    pub statements: Option<Vec<Statement>>,
    /// SHA-256 of the `up()` SQL: the checksum the history records.
    pub checksum: String,
}

impl<'m> Work<'m> {
    pub async fn new(
        backend: DbBackend,
        migration: &'m dyn MigrationTrait,
        direction: Direction,
    ) -> Result<Work<'m>, DbErr> {
        let statements = capture_statements(backend, migration, direction).await.ok();
        let up_sql = match (direction, &statements) {
            (Direction::Up, Some(s)) => s.iter().map(|s| s.to_string()).collect(),
            _ => super::capture::capture(backend, migration, Direction::Up).await?,
        };
        Ok(Work {
            migration,
            direction,
            statements,
            checksum: checksum(&up_sql),
        })
    }

    fn version(&self) -> String {
        self.migration.name().to_owned()
    }
}

pub struct Executor<'r> {
    pub db: &'r DatabaseConnection,
    pub target: &'r Target,
    pub options: &'r Options,
    pub seaql_table: String,
    /// Whether a migration and its history can commit in one transaction on this server.
    pub transactional_ddl: bool,
    /// Whether to check, after each migration, that the CHECK constraints it declared exist.
    pub verify_checks: bool,
    /// Whether `ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY` runs in place ([`AddedForeignKey`]).
    pub inplace_foreign_keys: bool,
}

impl Executor<'_> {
    fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    fn bookkeeping_err(&self) -> impl Fn(DbErr) -> RunError + '_ {
        move |err| RunError::Db {
            action: "recording the migration history",
            target: self.target.to_string(),
            reason: self.target.scrub(&error_line(&err)),
        }
    }

    /// Runs `work` and records its outcome: `up` leaves the migration applied, `down` forgets
    /// it. `previous` is the history row of a migration being rolled back.
    pub async fn run(&self, work: &Work<'_>, previous: Option<&Record>) -> Result<(), RunError> {
        let version = work.version();
        if let Some(signal) = interrupt::requested() {
            return Err(self.interrupted(signal, format!("before {version}; nothing of it ran")));
        }
        match mode(
            self.transactional_ddl,
            work.migration,
            work.statements.as_deref(),
        ) {
            Mode::Transaction if needs_foreign_keys_off(work.statements.as_deref()) => {
                let previous = self.foreign_keys_off().await?;
                let outcome = self.in_transaction(work).await;
                let restored = self.set_foreign_keys(previous).await;
                outcome.and(restored)
            }
            Mode::Transaction => self.in_transaction(work).await,
            Mode::Journaled => self.journaled(work, previous).await,
        }
    }

    /// SQLite: turns foreign key enforcement off on the connection, before `BEGIN` (inside a
    /// transaction the pragma does nothing), for a migration that rebuilds tables; returns
    /// whether it was on. The SQLite pool has one connection ([`crate::connect`]), so the
    /// transaction runs where the pragma was set; should it not, the rebuild's own guard fails
    /// the migration before anything is dropped.
    async fn foreign_keys_off(&self) -> Result<bool, RunError> {
        let err = self.bookkeeping_err();
        let row = self
            .db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA foreign_keys",
            ))
            .await
            .map_err(&err)?;
        let on = match row {
            Some(row) => row.try_get::<i32>("", "foreign_keys").map_err(&err)? != 0,
            None => false,
        };
        self.set_foreign_keys(false).await?;
        Ok(on)
    }

    async fn set_foreign_keys(&self, on: bool) -> Result<(), RunError> {
        let sql = if on {
            "PRAGMA foreign_keys = ON"
        } else {
            "PRAGMA foreign_keys = OFF"
        };
        self.db
            .execute_unprepared(sql)
            .await
            .map(|_| ())
            .map_err(self.bookkeeping_err())
    }

    fn record(&self, work: &Work<'_>, state: State, started: Instant) -> Record {
        Record {
            version: work.version(),
            checksum: work.checksum.clone(),
            state,
            applied_at: Utc::now()
                - chrono::Duration::from_std(started.elapsed()).unwrap_or_default(),
            duration_ms: Some(i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX)),
            applied_by: Some(history::whoami()),
            error: None,
        }
    }

    async fn in_transaction(&self, work: &Work<'_>) -> Result<(), RunError> {
        let version = work.version();
        let started = Instant::now();
        let err = self.bookkeeping_err();
        let mut attempt = 0;
        'attempt: loop {
            attempt += 1;
            let txn = self.db.begin().await.map_err(&err)?;
            let session = self.start_session(&txn, true).await.map_err(&err)?;
            let outcome = match &work.statements {
                Some(statements) => {
                    let mut outcome = Ok(());
                    for statement in statements {
                        if let Some(signal) = interrupt::requested() {
                            txn.rollback().await.ok();
                            return Err(self.interrupted(
                                signal,
                                format!("during {version}; its transaction was rolled back, so nothing of it is in place"),
                            ));
                        }
                        outcome = self.execute(&txn, statement, session).await;
                        if outcome.is_err() {
                            break;
                        }
                    }
                    outcome
                }
                None => {
                    let manager = SchemaManager::new(&txn);
                    match work.direction {
                        Direction::Up => work.migration.up(&manager).await,
                        Direction::Down => work.migration.down(&manager).await,
                    }
                    .map_err(|e| StatementError::new(e, None))
                }
            };
            if let Err(e) = outcome {
                txn.rollback().await.ok();
                if e.lock_timeout && attempt <= self.options.ddl_retries {
                    tokio::time::sleep(backoff(attempt)).await;
                    continue 'attempt;
                }
                return Err(self.failed(
                    &version,
                    &e,
                    "its transaction was rolled back, so nothing was changed or recorded",
                ));
            }
            self.finish(&txn, work, started).await.map_err(&err)?;
            txn.commit().await.map_err(&err)?;
            return Ok(());
        }
    }

    /// Records the outcome of `work` on `db` (its transaction, when there is one).
    async fn finish<C: ConnectionTrait>(
        &self,
        db: &C,
        work: &Work<'_>,
        started: Instant,
    ) -> Result<(), DbErr> {
        let version = work.version();
        match work.direction {
            Direction::Up => {
                record_seaql(db, &self.seaql_table, &version).await?;
                history::put(db, &self.record(work, State::Applied, started)).await?;
            }
            Direction::Down => {
                forget_seaql(db, &self.seaql_table, &version).await?;
                history::remove(db, &version).await?;
            }
        }
        history::journal_clear(db, &version).await
    }

    async fn journaled(&self, work: &Work<'_>, previous: Option<&Record>) -> Result<(), RunError> {
        let version = work.version();
        let started = Instant::now();
        let err = self.bookkeeping_err();
        let (running, failed) = match work.direction {
            Direction::Up => (State::Running, State::Failed),
            Direction::Down => (State::RollingBack, State::RollbackFailed),
        };
        let mut marker = match (work.direction, previous) {
            (Direction::Down, Some(previous)) => Record {
                state: running.clone(),
                applied_by: Some(history::whoami()),
                error: None,
                ..previous.clone()
            },
            _ => self.record(work, running.clone(), started),
        };
        history::journal_clear(self.db, &version)
            .await
            .map_err(&err)?;
        history::put(self.db, &marker).await.map_err(&err)?;

        let pinned = Pinned::open(self.db).await.map_err(&err)?;
        let conn = &pinned.conn();
        let session = self.start_session(conn, false).await.map_err(&err)?;
        let total = work.statements.as_ref().map_or(0, Vec::len);
        let outcome: Result<(), (StatementError, usize)> = match &work.statements {
            Some(statements) => {
                let mut done = 0;
                let mut outcome = Ok(());
                for statement in statements {
                    if let Some(signal) = interrupt::requested() {
                        let what = format!(
                            "during {version} after {done} of {total} statements (recorded as {})",
                            failed.as_str()
                        );
                        marker.state = failed.clone();
                        marker.error = Some(format!("interrupted by {}", signal.name()));
                        pinned.close().await;
                        history::put(self.db, &marker).await.map_err(&err)?;
                        return Err(self.interrupted(signal, what));
                    }
                    let mut attempt = 0;
                    let result = loop {
                        attempt += 1;
                        match self.execute(conn, statement, session).await {
                            Err(e) if e.lock_timeout && attempt <= self.options.ddl_retries => {
                                tokio::time::sleep(backoff(attempt)).await;
                            }
                            other => break other,
                        }
                    };
                    if let Err(e) = result {
                        outcome = Err((e, done));
                        break;
                    }
                    done += 1;
                    history::journal_record(
                        conn,
                        &version,
                        work.direction.name(),
                        done,
                        &statement.to_string(),
                    )
                    .await
                    .map_err(&err)?;
                }
                outcome
            }
            None => {
                let manager = SchemaManager::new(pinned.conn());
                let run = match work.direction {
                    Direction::Up => work.migration.up(&manager).await,
                    Direction::Down => work.migration.down(&manager).await,
                };
                run.map_err(|e| (StatementError::new(e, None), 0))
            }
        };
        pinned.close().await;
        if let Err((e, 0)) = &outcome
            && work.statements.is_some()
            && !e.outcome_unknown
        {
            // Its first statement failed, so nothing of it ran: put back the row it had.
            match previous {
                Some(previous) => history::put(self.db, previous).await,
                None => history::remove(self.db, &version).await,
            }
            .map_err(&err)?;
            let after = match work.direction {
                Direction::Up => {
                    "its first statement failed, so nothing of it ran; it is still pending"
                }
                Direction::Down => {
                    "its first statement failed, so nothing of it was undone; it is still applied"
                }
            };
            return Err(self.failed(&version, e, after));
        }
        if let Err((e, done)) = outcome {
            marker.state = failed.clone();
            marker.error = Some(self.target.scrub(&one_line(&e.message)));
            history::put(self.db, &marker).await.map_err(&err)?;
            let after = match work.direction {
                _ if e.outcome_unknown => format!(
                    "the connection ended while statement {} of {total} ran, so the server may have completed it; {version} is recorded as {} and every run refuses until you run `up --recover` (takes back whatever of it exists, then applies it again)",
                    done + 1,
                    failed.as_str()
                ),
                Direction::Up => format!(
                    "it runs without a transaction here, so {done} of its {total} statements are in place; it is recorded as failed and every run refuses until you run `up --recover` (undoes them and applies it again) or `resolve {version} --rolled-back`"
                ),
                Direction::Down => format!(
                    "it runs without a transaction here, so {done} of its {total} rollback statements ran; it is recorded as rollback_failed and every run refuses until you run `up --recover` or `resolve {version} --rolled-back` (finishes the rollback)"
                ),
            };
            return Err(self.failed(&version, &e, &after));
        }
        if self.verify_checks && work.direction == Direction::Up {
            let missing = self.missing_checks(work).await.map_err(&err)?;
            if !missing.is_empty() {
                let reason = format!(
                    "the server accepted its CHECK constraints but its catalog lacks {} of them ({}); TiDB with tidb_enable_check_constraint OFF and MySQL before 8.0.16 discard them",
                    missing.len(),
                    missing.join(", ")
                );
                marker.state = failed.clone();
                marker.error = Some(reason.clone());
                history::put(self.db, &marker).await.map_err(&err)?;
                return Err(RunError::MigrationFailed {
                    version: version.clone(),
                    target: self.target.to_string(),
                    reason,
                    after: "its statements ran, so it is recorded as failed and every run refuses; make the server enforce CHECK constraints, then run `up --recover` (takes it back and applies it again)".into(),
                });
            }
        }
        let txn = self.db.begin().await.map_err(&err)?;
        self.finish(&txn, work, started).await.map_err(&err)?;
        txn.commit().await.map_err(&err)
    }

    /// Adds back a key, index or check the server lost, with the statement of the migration that
    /// declared it ([`super::keys`]); a foreign key in place and checked against the rows where
    /// the profile says so, as when the migration ran.
    pub async fn restore_key(&self, key: &super::keys::DeclaredKey) -> Result<(), RunError> {
        let err = self.bookkeeping_err();
        let pinned = Pinned::open(self.db).await.map_err(&err)?;
        let conn = &pinned.conn();
        let session = self.start_session(conn, false).await.map_err(&err)?;
        let statement = Statement::from_string(self.backend(), key.add_sql.clone());
        let result = self.execute(conn, &statement, session).await;
        pinned.close().await;
        result.map_err(|e| RunError::CannotRecover {
            version: key.version.clone(),
            target: self.target.to_string(),
            reason: format!(
                "adding back {} failed: {}",
                key.describe(),
                self.target.scrub(&one_line(&e.message))
            ),
        })
    }

    /// The CHECK constraints `work` declared that the catalog does not have (MySQL family).
    async fn missing_checks(&self, work: &Work<'_>) -> Result<Vec<String>, DbErr> {
        let declared: Vec<String> = work
            .statements
            .iter()
            .flatten()
            .flat_map(|s| declared_checks(&s.sql))
            .collect();
        if declared.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self
            .db
            .query_all_raw(Statement::from_string(
                self.backend(),
                "SELECT CAST(CONSTRAINT_NAME AS CHAR) AS name FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()",
            ))
            .await?;
        let present: std::collections::BTreeSet<String> = rows
            .iter()
            .filter_map(|r| r.try_get::<String>("", "name").ok())
            .collect();
        Ok(declared
            .into_iter()
            .filter(|name| !present.contains(name))
            .collect())
    }

    /// Takes back an interrupted or failed migration: runs its `down()` statements, skipping
    /// those whose object does not exist, then forgets it in one transaction. Works for an
    /// interrupted `up` and an interrupted `down` alike, and can itself be interrupted and run
    /// again. Returns how many statements changed something.
    pub async fn undo(&self, migration: &dyn MigrationTrait) -> Result<usize, RunError> {
        let version = migration.name().to_owned();
        let err = self.bookkeeping_err();
        let statements = capture_statements(self.backend(), migration, Direction::Down)
            .await
            .map_err(|e| RunError::CannotRecover {
                version: version.clone(),
                target: self.target.to_string(),
                reason: error_line(&e),
            })?;
        let pinned = Pinned::open(self.db).await.map_err(&err)?;
        let conn = &pinned.conn();
        let session = self.start_session(conn, false).await.map_err(&err)?;
        let mut changed = 0;
        for (step, statement) in statements.iter().enumerate() {
            if let Some(signal) = interrupt::requested() {
                pinned.close().await;
                return Err(self.interrupted(
                    signal,
                    format!("while undoing {version}; it stays unfinished and `up --recover` continues where this stopped"),
                ));
            }
            match self.execute(conn, statement, session).await {
                Ok(()) => {
                    changed += 1;
                    history::journal_record(
                        conn,
                        &version,
                        Direction::Down.name(),
                        step + 1,
                        &statement.to_string(),
                    )
                    .await
                    .map_err(&err)?;
                }
                // What does not exist needs no undoing, and what `down()` would create again
                // is still there.
                Err(e) if e.missing_object || e.existing_object => {}
                Err(e) => {
                    pinned.close().await;
                    return Err(RunError::CannotRecover {
                        version,
                        target: self.target.to_string(),
                        reason: format!(
                            "undoing it failed at `{}`: {}",
                            short(&statement.to_string()),
                            self.target.scrub(&one_line(&e.message))
                        ),
                    });
                }
            }
        }
        pinned.close().await;
        let txn = self.db.begin().await.map_err(&err)?;
        forget_seaql(&txn, &self.seaql_table, &version)
            .await
            .map_err(&err)?;
        history::remove(&txn, &version).await.map_err(&err)?;
        history::journal_clear(&txn, &version).await.map_err(&err)?;
        txn.commit().await.map_err(&err)?;
        Ok(changed)
    }

    /// Sets the DDL lock timeout on the connection the statements run on and returns its
    /// server session id, for naming whoever blocks it.
    async fn start_session<C: ConnectionTrait>(
        &self,
        conn: &C,
        in_transaction: bool,
    ) -> Result<Option<i64>, DbErr> {
        let ms = self.options.ddl_lock_timeout.as_millis().max(1);
        let (set, id) = match self.backend() {
            // Inside a transaction SET LOCAL, so the pooled connection keeps its own setting;
            // a pinned connection of our own is closed afterwards.
            DbBackend::Postgres => (
                format!(
                    "SET {} lock_timeout = '{ms}ms'",
                    if in_transaction { "LOCAL" } else { "SESSION" }
                ),
                "SELECT pg_backend_pid()::bigint AS id",
            ),
            DbBackend::MySql => (
                format!("SET SESSION lock_wait_timeout = {}", ms.div_ceil(1000)),
                "SELECT CAST(CONNECTION_ID() AS SIGNED) AS id",
            ),
            _ => return Ok(None),
        };
        conn.execute_unprepared(&set).await?;
        let row = conn
            .query_one_raw(Statement::from_string(self.backend(), id))
            .await?;
        Ok(row.and_then(|r| r.try_get::<i64>("", "id").ok()))
    }

    /// Executes one statement as the migration would have: unprepared SQL unprepared, built
    /// statements with their values. While it waits longer than half the DDL lock timeout, the
    /// sessions blocking it are looked up, so a lock timeout names them.
    async fn execute<C: ConnectionTrait>(
        &self,
        conn: &C,
        statement: &Statement,
        session: Option<i64>,
    ) -> Result<(), StatementError> {
        let added_fk = self
            .inplace_foreign_keys
            .then(|| AddedForeignKey::parse(&statement.sql))
            .flatten();
        let run = async {
            match (&added_fk, &statement.values) {
                (Some(fk), _) => fk.add_in_place(conn).await,
                (None, None) => conn.execute_unprepared(&statement.sql).await.map(|_| ()),
                (None, Some(_)) => conn.execute_raw(statement.clone()).await.map(|_| ()),
            }
        };
        tokio::pin!(run);
        let watch = tokio::time::sleep(self.options.ddl_lock_timeout / 2);
        tokio::pin!(watch);
        let mut blockers = None;
        let result = loop {
            tokio::select! {
                result = &mut run => break result,
                () = &mut watch, if blockers.is_none() && session.is_some() => {
                    blockers = Some(self.blockers(session.unwrap_or_default()).await);
                }
            }
        };
        let Err(e) = result else {
            return match &added_fk {
                Some(fk) => fk.check_rows(conn).await,
                None => Ok(()),
            };
        };
        let mut err = StatementError::new(e, blockers.flatten());
        if !err.existing_object
            && let Some(index) = concurrent_index(&statement.sql)
        {
            // A failed CREATE INDEX CONCURRENTLY leaves an invalid index of that name behind;
            // drop it, so the statement leaves nothing and can run again.
            conn.execute_unprepared(&format!("DROP INDEX CONCURRENTLY IF EXISTS {index}"))
                .await
                .ok();
        }
        if err.duplicate_key {
            err.hint = duplicate_rows_hint(&statement.sql);
        }
        Err(err)
    }

    /// Who holds what session `session` waits for, read through the pool.
    async fn blockers(&self, session: i64) -> Option<String> {
        let (sql, describe): (&str, fn(&sea_orm::QueryResult) -> String) = match self.backend()
        {
            DbBackend::Postgres => (
                "SELECT a.pid::bigint AS id, COALESCE(a.usename::text, '') AS who,
                        COALESCE(a.application_name, '') AS app, COALESCE(a.state, '') AS state,
                        COALESCE(EXTRACT(EPOCH FROM now() - a.xact_start)::bigint, 0) AS secs
                 FROM pg_stat_activity a WHERE a.pid = ANY(pg_blocking_pids($1::int)) ORDER BY a.xact_start",
                |r| {
                    format!(
                        "PostgreSQL backend pid {} (user {}, application '{}', {}, transaction open for {} s)",
                        r.try_get::<i64>("", "id").unwrap_or_default(),
                        r.try_get::<String>("", "who").unwrap_or_default(),
                        r.try_get::<String>("", "app").unwrap_or_default(),
                        r.try_get::<String>("", "state").unwrap_or_default(),
                        r.try_get::<i64>("", "secs").unwrap_or_default()
                    )
                },
            ),
            DbBackend::MySql => (
                "SELECT CAST(p.ID AS SIGNED) AS id, CAST(p.USER AS CHAR) AS who, CAST(p.HOST AS CHAR) AS host,
                        CAST(p.COMMAND AS CHAR) AS state,
                        CAST(TIMESTAMPDIFF(SECOND, t.trx_started, NOW()) AS SIGNED) AS secs
                 FROM information_schema.INNODB_TRX t
                 JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
                 WHERE t.trx_mysql_thread_id <> ? ORDER BY t.trx_started LIMIT 3",
                |r| {
                    format!(
                        "connection {} ({}@{}, {}, transaction open for {} s)",
                        r.try_get::<i64>("", "id").unwrap_or_default(),
                        r.try_get::<String>("", "who").unwrap_or_default(),
                        r.try_get::<String>("", "host").unwrap_or_default(),
                        r.try_get::<String>("", "state").unwrap_or_default(),
                        r.try_get::<i64>("", "secs").unwrap_or_default()
                    )
                },
            ),
            _ => return None,
        };
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                self.backend(),
                sql,
                [session.into()],
            ))
            .await
            .ok()?;
        let found: Vec<String> = rows.iter().map(describe).collect();
        (!found.is_empty()).then(|| found.join("; "))
    }

    fn failed(&self, version: &str, err: &StatementError, after: &str) -> RunError {
        let mut reason = self.target.scrub(&one_line(&err.message));
        if let Some(hint) = &err.hint {
            reason = format!("{reason}; {hint}");
        }
        if err.lock_timeout {
            reason = format!(
                "{reason} (waited {} ms for a table lock, {} time(s)); blocked by {}; end that transaction or retry when the database is quieter, or raise --ddl-lock-timeout",
                self.options.ddl_lock_timeout.as_millis(),
                self.options.ddl_retries + 1,
                err.blockers
                    .as_deref()
                    .unwrap_or("a session that had finished by the time it was looked up")
            );
        }
        RunError::MigrationFailed {
            version: version.to_owned(),
            target: self.target.to_string(),
            reason,
            after: after.to_owned(),
        }
    }

    fn interrupted(&self, signal: Signal, what: String) -> RunError {
        RunError::Interrupted {
            signal,
            target: self.target.to_string(),
            what,
        }
    }
}

/// The connection a journaled migration runs on: one connection for all its statements, so the
/// DDL lock timeout set on it holds for each of them.
enum Pinned<'d> {
    /// MySQL: a transaction pins one pooled connection. Its DDL commits implicitly as always,
    /// and each journal row commits with the statement before it.
    Transaction(sea_orm::DatabaseTransaction),
    /// PostgreSQL outside a transaction: a pool of one connection of its own.
    #[cfg(feature = "postgres")]
    Own(DatabaseConnection),
    /// SQLite: the pool is one connection already.
    Shared(&'d DatabaseConnection),
}

impl<'d> Pinned<'d> {
    async fn open(db: &'d DatabaseConnection) -> Result<Pinned<'d>, DbErr> {
        match db.get_database_backend() {
            DbBackend::MySql => Ok(Pinned::Transaction(db.begin().await?)),
            #[cfg(feature = "postgres")]
            DbBackend::Postgres => {
                let pool = db.get_postgres_connection_pool();
                let options = (*pool.connect_options()).clone();
                let own = sea_orm::sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(options)
                    .await
                    .map_err(|e| DbErr::Conn(RuntimeErr::SqlxError(e.into())))?;
                Ok(Pinned::Own(
                    sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(own),
                ))
            }
            _ => Ok(Pinned::Shared(db)),
        }
    }

    fn conn(&self) -> DatabaseExecutor<'_> {
        match self {
            Pinned::Transaction(txn) => txn.into(),
            #[cfg(feature = "postgres")]
            Pinned::Own(db) => db.into(),
            Pinned::Shared(db) => (*db).into(),
        }
    }

    async fn close(self) {
        match self {
            Pinned::Transaction(txn) => {
                // Restore the pooled connection's session before it goes back to the pool.
                txn.execute_unprepared("SET SESSION lock_wait_timeout = DEFAULT")
                    .await
                    .ok();
                txn.commit().await.ok();
            }
            #[cfg(feature = "postgres")]
            Pinned::Own(db) => {
                db.close().await.ok();
            }
            Pinned::Shared(_) => {}
        }
    }
}

/// `ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (c) REFERENCES p (id) …` as sea-query writes it
/// for the MySQL family, run in place: MariaDB and MySQL can add a foreign key without copying
/// the table only while `foreign_key_checks` is 0, so the statement runs with the checks off for
/// its session, and the rows are checked by query afterwards, when the key already guards every
/// new row. The migration's SQL (and so its checksum) stays as written.
#[derive(Debug, PartialEq, Eq)]
pub struct AddedForeignKey {
    pub sql: String,
    pub table: String,
    pub name: String,
    pub column: String,
    pub ref_table: String,
    pub ref_column: String,
}

impl AddedForeignKey {
    /// The parts of `sql`, when it adds one single-column foreign key to an existing table.
    pub fn parse(sql: &str) -> Option<Self> {
        let rest = sql.trim().strip_prefix("ALTER TABLE ")?;
        let (table, rest) = backquoted(rest)?;
        let rest = rest.trim_start().strip_prefix("ADD CONSTRAINT ")?;
        let (name, rest) = backquoted(rest)?;
        let rest = rest.trim_start().strip_prefix("FOREIGN KEY (")?;
        let (column, rest) = backquoted(rest)?;
        let rest = rest
            .strip_prefix(")")?
            .trim_start()
            .strip_prefix("REFERENCES ")?;
        let (ref_table, rest) = backquoted(rest)?;
        let rest = rest.trim_start().strip_prefix("(")?;
        let (ref_column, rest) = backquoted(rest)?;
        rest.strip_prefix(")")?;
        Some(Self {
            sql: sql.trim().to_owned(),
            table,
            name,
            column,
            ref_table,
            ref_column,
        })
    }

    /// The statement in place, with `foreign_key_checks` off for it alone.
    async fn add_in_place<C: ConnectionTrait>(&self, conn: &C) -> Result<(), DbErr> {
        conn.execute_unprepared("SET SESSION foreign_key_checks = 0")
            .await?;
        let added = conn
            .execute_unprepared(&format!("{}, ALGORITHM=INPLACE", self.sql))
            .await;
        let restored = conn
            .execute_unprepared("SET SESSION foreign_key_checks = 1")
            .await;
        added?;
        restored.map(|_| ())
    }

    /// A row the key does not allow, found by query; if there is one, the key is dropped again
    /// and the statement fails as the copying ALTER would have, naming the query that lists them.
    async fn check_rows<C: ConnectionTrait>(&self, conn: &C) -> Result<(), StatementError> {
        let orphans = self.orphans_sql();
        let found = conn
            .query_one_raw(Statement::from_string(
                DbBackend::MySql,
                format!("{orphans} LIMIT 1"),
            ))
            .await
            .map_err(|e| StatementError::new(e, None))?;
        if found.is_none() {
            return Ok(());
        }
        conn.execute_unprepared(&format!(
            "ALTER TABLE `{}` DROP FOREIGN KEY `{}`",
            self.table, self.name
        ))
        .await
        .map_err(|e| StatementError::new(e, None))?;
        Err(StatementError {
            message: format!(
                "rows of {}.{} reference no {}.{}, so foreign key {} cannot be added (it was dropped again); list them with `{orphans}`, fix or delete them, then run up again",
                self.table, self.column, self.ref_table, self.ref_column, self.name
            ),
            lock_timeout: false,
            missing_object: false,
            existing_object: false,
            duplicate_key: false,
            blockers: None,
            hint: None,
            outcome_unknown: false,
        })
    }

    fn orphans_sql(&self) -> String {
        format!(
            "SELECT c.* FROM `{t}` c WHERE c.`{c}` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `{p}` r WHERE r.`{r}` = c.`{c}`)",
            t = self.table,
            c = self.column,
            p = self.ref_table,
            r = self.ref_column
        )
    }
}

/// A failed statement, classified.
#[derive(Debug)]
pub struct StatementError {
    pub message: String,
    /// The server gave up waiting for a table lock.
    pub lock_timeout: bool,
    /// The statement names an object that does not exist (what `undo` skips).
    pub missing_object: bool,
    /// The statement creates an object that exists already (what `undo` skips too).
    pub existing_object: bool,
    /// Rows break a unique key the statement adds.
    pub duplicate_key: bool,
    pub blockers: Option<String>,
    /// What to do about it, when the runner can tell.
    pub hint: Option<String>,
    /// The server did not say how the statement ended: the connection was lost, killed or the
    /// server shut down while it ran. The server may have completed it (DDL commits on its own
    /// on the MySQL family), so the runner must not assume it did not.
    pub outcome_unknown: bool,
}

impl StatementError {
    fn new(err: DbErr, blockers: Option<String>) -> Self {
        let code = sqlstate(&err);
        let message = error_line(&err);
        let lower = message.to_ascii_lowercase();
        let lock_timeout =
            code.as_deref() == Some("55P03") || lower.contains("lock wait timeout exceeded");
        let missing_object = matches!(
            code.as_deref(),
            Some("42P01" | "42704" | "42703" | "42883" | "42S02")
        ) || [
            "doesn't exist",
            "does not exist",
            "unknown table",
            "check that it exists",
            "check that column/key exists",
            "no such table",
            "no such index",
            "no such trigger",
            "no such view",
            "no such column",
        ]
        .iter()
        .any(|p| lower.contains(p));
        let existing_object =
            matches!(code.as_deref(), Some("42P07" | "42710" | "42701" | "42723"))
                || [
                    "already exists",
                    "duplicate key name",
                    "duplicate column name",
                ]
                .iter()
                .any(|p| lower.contains(p));
        let duplicate_key = code.as_deref() == Some("23505")
            || lower.contains("duplicate entry")
            || lower.contains("unique constraint failed");
        StatementError {
            outcome_unknown: outcome_unknown(&err, code.as_deref()),
            message,
            lock_timeout,
            missing_object,
            existing_object,
            duplicate_key,
            blockers,
            hint: None,
        }
    }
}

/// Whether `err` leaves the statement's outcome unknown: no error reported by the server about
/// the statement (an I/O error, a closed connection, a pool that gave up), or an error that
/// reports the connection's end rather than the statement's (SQLSTATE class 08; PostgreSQL's
/// 57P01–57P03 shutdown codes; MariaDB/MySQL 70100 "connection was killed").
fn outcome_unknown(err: &DbErr, code: Option<&str>) -> bool {
    let reported_by_server = match err {
        DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e))
        | DbErr::Conn(RuntimeErr::SqlxError(e)) => e.as_database_error().is_some(),
        DbErr::Exec(RuntimeErr::Internal(_)) | DbErr::Query(RuntimeErr::Internal(_)) => true,
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => false,
        _ => true,
    };
    !reported_by_server
        || code.is_some_and(|c| {
            c.starts_with("08") || matches!(c, "57P01" | "57P02" | "57P03" | "70100")
        })
}

/// The SQLSTATE of a database error, when the driver reports one.
fn sqlstate(err: &DbErr) -> Option<String> {
    let runtime = match err {
        DbErr::Exec(e) | DbErr::Query(e) | DbErr::Conn(e) => e,
        _ => return None,
    };
    match runtime {
        RuntimeErr::SqlxError(e) => e
            .as_database_error()
            .and_then(|d| d.code())
            .map(|c| c.into_owned()),
        _ => None,
    }
}

/// The quoted name of the index a `CREATE [UNIQUE] INDEX CONCURRENTLY "name" ON …` builds.
fn concurrent_index(sql: &str) -> Option<&str> {
    let rest = sql
        .strip_prefix("CREATE INDEX CONCURRENTLY ")
        .or_else(|| sql.strip_prefix("CREATE UNIQUE INDEX CONCURRENTLY "))?;
    rest.split_once(" ON ").map(|(name, _)| name)
}

/// For a statement that adds a unique key (`CREATE UNIQUE INDEX [CONCURRENTLY] n ON t (a, b)`,
/// MySQL's ``ALTER TABLE `t` ADD UNIQUE KEY `n` (`a`, `b`)``): the query that lists the rows
/// breaking it.
pub fn duplicate_rows_hint(sql: &str) -> Option<String> {
    let unquote = |s: &str| s.trim().trim_matches(|c| c == '"' || c == '`').to_owned();
    let (name, table, cols) = if let Some(rest) = sql
        .strip_prefix("CREATE UNIQUE INDEX ")
        .map(|r| r.strip_prefix("CONCURRENTLY ").unwrap_or(r))
    {
        let (name, rest) = rest.split_once(" ON ")?;
        let (table, cols) = rest.split_once(" (")?;
        (name, table, cols)
    } else {
        let rest = sql.strip_prefix("ALTER TABLE ")?;
        let (table, rest) = rest.split_once(" ADD UNIQUE KEY ")?;
        let (name, cols) = rest.split_once(" (")?;
        (name, table, cols)
    };
    let cols: Vec<String> = cols.trim_end_matches(')').split(',').map(unquote).collect();
    let (name, table, cols) = (unquote(name), unquote(table), cols.join(", "));
    Some(format!(
        "rows of {table} share ({cols}), so {name} cannot be added; list them with: SELECT {cols}, COUNT(*) FROM {table} GROUP BY {cols} HAVING COUNT(*) > 1"
    ))
}

/// The names of the CHECK constraints a MySQL-family statement declares:
/// ``CONSTRAINT `ck_x` CHECK (…)``.
pub fn declared_checks(sql: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = sql;
    while let Some(at) = rest.find("CONSTRAINT `") {
        rest = &rest[at + "CONSTRAINT `".len()..];
        let Some(end) = rest.find('`') else { break };
        let name = &rest[..end];
        rest = &rest[end + 1..];
        if rest.trim_start().starts_with("CHECK") {
            names.push(name.to_owned());
        }
    }
    names
}

/// 1 s, 2 s, 4 s, … between retries after a lock timeout.
fn backoff(attempt: u32) -> Duration {
    Duration::from_secs(1 << Ord::min(attempt.saturating_sub(1), 5))
}

/// The start of a statement, for messages.
pub fn short(sql: &str) -> String {
    let line = one_line(sql);
    match line.char_indices().nth(100) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line,
    }
}

pub async fn record_seaql<C: ConnectionTrait>(
    db: &C,
    table: &str,
    version: &str,
) -> Result<(), DbErr> {
    let insert = Query::insert()
        .into_table(Alias::new(table))
        .columns([Alias::new("version"), Alias::new("applied_at")])
        .values([version.into(), Utc::now().timestamp().into()])
        .map_err(|e| DbErr::Custom(e.to_string()))?
        .to_owned();
    db.execute(&insert).await.map(|_| ())
}

pub async fn forget_seaql<C: ConnectionTrait>(
    db: &C,
    table: &str,
    version: &str,
) -> Result<(), DbErr> {
    let delete = Query::delete()
        .from_table(Alias::new(table))
        .and_where(Expr::col(Alias::new("version")).eq(version))
        .to_owned();
    db.execute(&delete).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_foreign_key_added_to_an_existing_table_is_recognised_with_its_parts() {
        let sql = "ALTER TABLE `questions` ADD CONSTRAINT `fk_questions_knowledge_point_id` FOREIGN KEY (`knowledge_point_id`) REFERENCES `knowledge_points` (`id`) ON DELETE SET NULL ON UPDATE NO ACTION";
        let fk = AddedForeignKey::parse(sql).unwrap();
        assert_eq!(
            (
                fk.table.as_str(),
                fk.name.as_str(),
                fk.column.as_str(),
                fk.ref_table.as_str(),
                fk.ref_column.as_str()
            ),
            (
                "questions",
                "fk_questions_knowledge_point_id",
                "knowledge_point_id",
                "knowledge_points",
                "id"
            )
        );
        assert_eq!(
            fk.orphans_sql(),
            "SELECT c.* FROM `questions` c WHERE c.`knowledge_point_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `knowledge_points` r WHERE r.`id` = c.`knowledge_point_id`)"
        );
        let odd = AddedForeignKey::parse(
            "ALTER TABLE `a``b` ADD CONSTRAINT `f` FOREIGN KEY (`c`) REFERENCES `p` (`id`)",
        )
        .unwrap();
        assert_eq!(odd.table, "a`b");
        for other in [
            "ALTER TABLE `t` ADD COLUMN `c` int",
            "ALTER TABLE `t` DROP FOREIGN KEY `f`",
            "ALTER TABLE `t` ADD CONSTRAINT `f` FOREIGN KEY (`a`, `b`) REFERENCES `p` (`a`, `b`)",
            "CREATE TABLE `t` (`id` int)",
        ] {
            assert_eq!(AddedForeignKey::parse(other), None, "{other}");
        }
    }

    #[test]
    fn declared_checks_are_the_named_check_constraints_of_a_statement() {
        let sql = "CREATE TABLE `t` ( `id` binary(16) NOT NULL, CONSTRAINT `ck_t_a` CHECK (`a` > 0), CONSTRAINT `fk_t_u` FOREIGN KEY (`u`) REFERENCES `u` (`id`), CONSTRAINT `ck_t_b`  CHECK (`b` IN ('x')) )";
        assert_eq!(declared_checks(sql), ["ck_t_a", "ck_t_b"]);
        assert!(declared_checks("CREATE INDEX `ix` ON `t` (`a`)").is_empty());
        assert!(declared_checks("CONSTRAINT `unterminated").is_empty());
    }

    #[test]
    fn a_migration_that_turns_foreign_keys_off_gets_them_off_around_its_transaction() {
        let st = |sql: &str| Statement::from_string(DbBackend::Sqlite, sql);
        let rebuild = [
            st("PRAGMA foreign_keys = OFF"),
            st("DROP TABLE \"users\""),
            st("PRAGMA foreign_keys = ON"),
        ];
        assert!(needs_foreign_keys_off(Some(&rebuild)));
        assert!(!needs_foreign_keys_off(Some(&[st(
            "PRAGMA foreign_keys = ON"
        )])));
        assert!(!needs_foreign_keys_off(Some(&[st(
            "CREATE TABLE \"t\" (\"a\" text)"
        )])));
        assert!(!needs_foreign_keys_off(None));
    }

    #[test]
    fn only_postgres_concurrently_statements_run_outside_a_transaction() {
        assert!(outside_transaction(
            "CREATE INDEX CONCURRENTLY \"ix\" ON \"t\" (\"a\")"
        ));
        assert!(outside_transaction(
            "CREATE UNIQUE INDEX CONCURRENTLY \"uq\" ON \"t\" (\"a\")"
        ));
        assert!(outside_transaction("DROP INDEX CONCURRENTLY \"ix\""));
        assert!(outside_transaction("REINDEX INDEX CONCURRENTLY \"ix\""));
        assert!(!outside_transaction("CREATE INDEX \"ix\" ON \"t\" (\"a\")"));
        assert!(!outside_transaction(
            "ALTER TABLE \"t\" VALIDATE CONSTRAINT \"ck\""
        ));
    }

    #[test]
    fn a_failed_unique_names_the_query_that_lists_its_duplicates() {
        let want = "rows of practice_answers share (session_id, question_id), so uq_x cannot be added; list them with: SELECT session_id, question_id, COUNT(*) FROM practice_answers GROUP BY session_id, question_id HAVING COUNT(*) > 1";
        for sql in [
            "CREATE UNIQUE INDEX CONCURRENTLY \"uq_x\" ON \"practice_answers\" (\"session_id\", \"question_id\")",
            "CREATE UNIQUE INDEX \"uq_x\" ON \"practice_answers\" (\"session_id\", \"question_id\")",
            "ALTER TABLE `practice_answers` ADD UNIQUE KEY `uq_x` (`session_id`, `question_id`)",
        ] {
            assert_eq!(duplicate_rows_hint(sql).as_deref(), Some(want), "{sql}");
        }
        assert_eq!(
            duplicate_rows_hint("CREATE INDEX \"ix\" ON \"t\" (\"a\")"),
            None
        );
        assert_eq!(
            concurrent_index("CREATE UNIQUE INDEX CONCURRENTLY \"uq_x\" ON \"t\" (\"a\")"),
            Some("\"uq_x\"")
        );
    }
}
