//! The migration state of one database, read without changing anything, and the typed status
//! built from it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ConnectionTrait, DatabaseExecutor, DbBackend, DbErr, Statement};
use sea_orm_migration::prelude::{Alias, Query};
use sea_orm_migration::sea_orm;

use sea_orm_migration::MigratorTrait;

use super::capture::{Direction, capture, checksum};
use super::history::{self, JournalEntry, Record, State};
use super::{Event, RunError, Runner, Selection, group_of, keys, lock, plan};

/// What the database records about its migrations.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// `seaql_migrations`: version → applied_at (unix seconds). What counts as applied.
    pub applied: BTreeMap<String, i64>,
    /// `learndb_migration_history`, by version.
    pub history: BTreeMap<String, Record>,
    /// `learndb_migration_journal`, by version.
    pub journal: BTreeMap<String, Vec<JournalEntry>>,
    /// The foreign keys, checks and indexes in the catalog, on the MySQL family
    /// ([`super::keys`]).
    pub catalog_keys: Option<BTreeSet<keys::KeyId>>,
}

impl Snapshot {
    /// Reads all three tables; missing tables read as empty, so this works on a database that
    /// has never been migrated and for a user who may not create anything.
    pub async fn read(db: &DatabaseExecutor<'_>, seaql_table: &str) -> Result<Snapshot, DbErr> {
        let mut snapshot = Snapshot::default();
        let tables = history::existing_tables(
            db,
            &[seaql_table, history::HISTORY_TABLE, history::JOURNAL_TABLE],
        )
        .await?;
        if tables.contains(seaql_table) {
            let select = Query::select()
                .columns([Alias::new("version"), Alias::new("applied_at")])
                .from(Alias::new(seaql_table))
                .to_owned();
            for row in db.query_all(&select).await? {
                let version: String = row.try_get("", "version")?;
                let at: i64 = row.try_get("", "applied_at")?;
                snapshot.applied.insert(version, at);
            }
        }
        for record in history::load(db, tables.contains(history::HISTORY_TABLE)).await? {
            snapshot.history.insert(record.version.clone(), record);
        }
        snapshot.journal = history::journal(db, tables.contains(history::JOURNAL_TABLE)).await?;
        if db.get_database_backend() == DbBackend::MySql {
            let rows = db
                .query_all_raw(Statement::from_string(
                    DbBackend::MySql,
                    "SELECT CAST(CONSTRAINT_TYPE AS CHAR) AS k, CAST(TABLE_NAME AS CHAR) AS t, CAST(CONSTRAINT_NAME AS CHAR) AS n
                     FROM information_schema.TABLE_CONSTRAINTS
                     WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_TYPE IN ('FOREIGN KEY', 'CHECK')
                     UNION
                     SELECT 'INDEX', CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR)
                     FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()",
                ))
                .await?;
            snapshot.catalog_keys = Some(
                rows.iter()
                    .filter_map(|r| {
                        let kind = match r.try_get::<String>("", "k").ok()?.as_str() {
                            "FOREIGN KEY" => keys::Kind::ForeignKey,
                            "CHECK" => keys::Kind::Check,
                            _ => keys::Kind::Index,
                        };
                        Some((kind, r.try_get("", "t").ok()?, r.try_get("", "n").ok()?))
                    })
                    .collect(),
            );
        }
        Ok(snapshot)
    }

    /// When `version` was applied: the history's time (microseconds), else seaql_migrations'.
    pub fn applied_at(&self, version: &str) -> Option<DateTime<Utc>> {
        let seaql = self.applied.get(version)?;
        Some(
            self.history
                .get(version)
                .map(|r| r.applied_at)
                .or_else(|| Utc.timestamp_opt(*seaql, 0).single())
                .unwrap_or_default(),
        )
    }

    /// Applied versions in the order they were applied, oldest first (ties by version).
    pub fn applied_in_order(&self) -> Vec<String> {
        let mut applied: Vec<(DateTime<Utc>, &String)> = self
            .applied
            .keys()
            .map(|v| (self.applied_at(v).unwrap_or_default(), v))
            .collect();
        applied.sort();
        applied.into_iter().map(|(_, v)| v.clone()).collect()
    }

    /// Migrations whose last run did not finish (any state but `applied`).
    pub fn unfinished(&self) -> Vec<&Record> {
        self.history
            .values()
            .filter(|r| r.state.is_unfinished())
            .collect()
    }
}

/// A migration's state as `status` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MigrationState {
    Applied,
    Pending,
    /// Pending, but older than a migration already applied: `up` refuses it by default.
    OutOfOrder,
    /// Applied, but its SQL today differs from what was applied.
    ChecksumChanged,
    /// Applied on the database, but this build has no such migration.
    MissingFile,
    /// Its last run did not finish: `running`, `failed`, `rolling_back`, `rollback_failed`, or
    /// a state this build does not know.
    Unfinished(history::State),
    /// Applied, but foreign keys, indexes or checks it declared are not in the catalog (the
    /// server lost them).
    Incomplete,
}

impl MigrationState {
    pub fn as_str(&self) -> &str {
        match self {
            MigrationState::Applied => "applied",
            MigrationState::Pending => "pending",
            MigrationState::OutOfOrder => "out of order",
            MigrationState::ChecksumChanged => "checksum changed",
            MigrationState::MissingFile => "missing file",
            MigrationState::Unfinished(state) => state.as_str(),
            MigrationState::Incomplete => "incomplete",
        }
    }

    /// Whether this state needs an operator (everything but applied and pending).
    pub fn is_problem(&self) -> bool {
        !matches!(self, MigrationState::Applied | MigrationState::Pending)
    }
}

impl serde::Serialize for MigrationState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for MigrationState {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// One row of `status`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StatusRow {
    pub version: String,
    pub group: String,
    pub state: MigrationState,
    pub applied_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    pub checksum: Option<String>,
    pub recorded_checksum: Option<String>,
    pub error: Option<String>,
    /// Why the state is what it is, when that is not obvious (out of order: the newer applied
    /// migration; unfinished: how far it got).
    pub detail: Option<String>,
    /// For an unfinished migration: the statements that completed, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statements_done: Vec<JournalEntry>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct StatusReport {
    pub database: String,
    /// The engine behind the connection, from its own version report.
    pub server: crate::engine::Server,
    /// Why `up` and the other changing commands would refuse on this connection (the engine,
    /// or a transaction pooler in front of it); `None` when they would run.
    pub refused: Option<String>,
    pub lock_holder: Option<String>,
    pub applied: usize,
    pub pending: usize,
    /// Unfinished, out of order, changed checksums, applied migrations without files.
    pub problems: usize,
    pub migrations: Vec<StatusRow>,
}

/// Reading and checking the state: `status`, and what every command verifies before it runs.
impl<M: MigratorTrait> Runner<'_, M> {
    /// The recorded state and who holds the migration lock, in one read-only transaction: one
    /// consistent state, and through a transaction pooler one server connection (see
    /// `end_read_only`).
    pub(super) async fn read_state(&self) -> Result<(Snapshot, Option<String>), DbErr> {
        let txn = self.begin_read_only().await?;
        let read = async {
            let snapshot =
                Snapshot::read(&(&txn).into(), &M::migration_table_name().to_string()).await?;
            let holder = lock::holder(&self.target, &txn).await?;
            Ok::<_, DbErr>((snapshot, holder))
        }
        .await;
        self.end_read_only(txn, read.is_ok()).await?;
        read
    }

    /// Whether `up` with `selection` has nothing to do, read without taking the lock: nobody
    /// holds the lock, every applied migration is recorded in the history, nothing is unfinished
    /// or changed, and nothing is selected. Then `up` returns at once, as it would after the
    /// lock: a deploy's replicas that find the schema current cost the server one read each, and
    /// on PostgreSQL no session check, lock or proof connections. Anything else (pending work,
    /// history to record, a problem, another process holding the lock, a failed read) takes the
    /// locked path, which reads again under the lock and reports what it finds.
    pub(super) async fn nothing_to_apply(&self, selection: &Selection) -> bool {
        let (read, up_sql) = tokio::join!(self.read_state(), self.up_sql());
        let (Ok((snapshot, None)), Ok(up_sql)) = (read, up_sql) else {
            return false;
        };
        let recorded = snapshot
            .applied
            .keys()
            .all(|v| snapshot.history.contains_key(v));
        recorded
            && self.verify_with(&snapshot, up_sql).is_ok()
            && self
                .select(
                    &snapshot,
                    Direction::Up,
                    selection,
                    self.options.allow_out_of_order,
                )
                .is_ok_and(|chosen| chosen.is_empty())
    }

    /// The SQL of every migration's `up` on this backend, by version: what checksums are made
    /// of. Capturing it is CPU work (about 5 ms for learndb's 19 migrations in a release build),
    /// so it is done once per runner, and callers run it beside their reads with `join!`: it
    /// yields after each migration, and the reads progress while it computes.
    pub(super) async fn up_sql(&self) -> Result<&BTreeMap<String, Vec<String>>, DbErr> {
        if let Some(done) = self.up_sql.get() {
            return Ok(done);
        }
        let mut out = BTreeMap::new();
        for migration in Self::migrations() {
            let sql = capture(self.backend(), migration.as_ref(), Direction::Up).await?;
            out.insert(migration.name().to_owned(), sql);
            tokio::task::yield_now().await;
        }
        Ok(self.up_sql.get_or_init(|| out))
    }

    /// The state of every migration. Creates nothing and takes no lock, so it works for a
    /// read-only user and while another process migrates.
    pub async fn status(&self) -> Result<StatusReport, RunError> {
        let engine = self.engine().await?;
        let err = self.db_err("status");
        // The session check first: its three connections stay in the pool (of at most three),
        // and the read takes one of them instead of opening a fourth. The migrations' SQL is
        // captured meanwhile.
        let reads = async {
            let refused = match &engine.decision {
                Err(refusal) => Some(refusal.to_string()),
                Ok(_) => lock::session_check(self.db).await?.map(|evidence| {
                    format!(
                        "its connections do not keep their own server session ({evidence}), as behind a transaction pooler; connect migrations directly or through a session pooler (DIRECT_DATABASE_URL or --direct-url)"
                    )
                }),
            };
            let (snapshot, holder) = self.read_state().await?;
            Ok::<_, DbErr>((refused, snapshot, holder))
        };
        let (reads, up_sql) = tokio::join!(reads, self.up_sql());
        let (refused, snapshot, lock_holder) = reads.map_err(&err)?;
        let up_sql = up_sql.map_err(&err)?;
        let names = Self::names();
        let applied_order = snapshot.applied_in_order();
        let out_of_order = plan::out_of_order(&names, &applied_order);
        let mut lost: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for key in self.missing_keys(&snapshot, up_sql) {
            lost.entry(key.version.clone())
                .or_default()
                .push(key.describe());
        }
        let mut rows = Vec::new();
        for migration in Self::migrations() {
            let version = migration.name().to_owned();
            let record = snapshot.history.get(&version);
            let up = up_sql.get(&version).map(Vec::as_slice).unwrap_or_default();
            let current = checksum(up);
            let in_seaql = snapshot.applied.contains_key(&version);
            let newer = out_of_order
                .iter()
                .find(|(p, _)| *p == version)
                .map(|(_, a)| a);
            let journal = snapshot.journal.get(&version).cloned().unwrap_or_default();
            let mut detail = None;
            let state = match (record, newer) {
                (Some(r), _) if r.state.is_unfinished() => {
                    let total = if r.state.is_rollback() {
                        capture(self.backend(), migration.as_ref(), Direction::Down)
                            .await
                            .map(|s| s.len())
                            .ok()
                    } else {
                        Some(up.len())
                    };
                    detail = Some(format!(
                        "{} of {} statements completed",
                        journal.len(),
                        total.map_or("?".to_owned(), |t| t.to_string())
                    ));
                    MigrationState::Unfinished(r.state.clone())
                }
                (Some(r), _) if in_seaql && r.checksum != current => {
                    MigrationState::ChecksumChanged
                }
                _ if in_seaql && lost.contains_key(&version) => {
                    detail = Some(format!(
                        "{} not in the catalog (the server lost it); `up --recover` adds it back",
                        lost[&version].join(", ")
                    ));
                    MigrationState::Incomplete
                }
                _ if in_seaql => MigrationState::Applied,
                (_, Some(newer)) => {
                    detail = Some(format!("older than {newer}, which is applied"));
                    MigrationState::OutOfOrder
                }
                _ => MigrationState::Pending,
            };
            if !in_seaql && record.is_some_and(|r| r.state == State::Applied) {
                detail = Some(format!(
                    "{} records it as applied, but {} has no row: treated as pending",
                    history::HISTORY_TABLE,
                    M::migration_table_name()
                ));
            }
            rows.push(StatusRow {
                group: group_of(&version),
                applied_at: if in_seaql || record.is_some_and(|r| r.state.is_unfinished()) {
                    record
                        .map(|r| r.applied_at)
                        .or_else(|| snapshot.applied_at(&version))
                } else {
                    None
                },
                duration_ms: record.and_then(|r| r.duration_ms),
                checksum: Some(current),
                recorded_checksum: record.map(|r| r.checksum.clone()),
                error: record.and_then(|r| r.error.clone()),
                statements_done: if state.is_problem() {
                    journal
                } else {
                    Vec::new()
                },
                state,
                detail,
                version,
            });
        }
        for (version, at) in &snapshot.applied {
            if !names.contains(version) {
                let record = snapshot.history.get(version);
                rows.push(StatusRow {
                    group: group_of(version),
                    state: MigrationState::MissingFile,
                    applied_at: Utc.timestamp_opt(*at, 0).single(),
                    duration_ms: record.and_then(|r| r.duration_ms),
                    checksum: None,
                    recorded_checksum: record.map(|r| r.checksum.clone()),
                    error: None,
                    detail: None,
                    statements_done: Vec::new(),
                    version: version.clone(),
                });
            }
        }
        let applied = rows
            .iter()
            .filter(|r| r.state == MigrationState::Applied)
            .count();
        let pending = rows
            .iter()
            .filter(|r| r.state == MigrationState::Pending)
            .count();
        Ok(StatusReport {
            database: self.target.to_string(),
            server: engine.server,
            refused,
            lock_holder,
            applied,
            pending,
            problems: rows.len() - applied - pending,
            migrations: rows,
        })
    }

    /// Records migrations applied by plain sea-orm-migration (a `seaql_migrations` row without
    /// history) with their current checksum. The opposite, a history row whose
    /// `seaql_migrations` row is gone, is never deleted here: the migration counts as pending,
    /// `up` checks its objects before applying it again, and the new run replaces the row.
    /// Returns the state after that: `snapshot` itself, or read again when it recorded anything.
    pub(super) async fn reconcile(
        &self,
        snapshot: Snapshot,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<Snapshot, RunError> {
        let err = self.db_err("recording the migration history");
        let mut recorded = false;
        for migration in Self::migrations() {
            let version = migration.name();
            match (snapshot.applied.get(version), snapshot.history.get(version)) {
                (Some(at), None) => {
                    let sql = capture(self.backend(), migration.as_ref(), Direction::Up)
                        .await
                        .map_err(&err)?;
                    let record = Record {
                        version: version.to_owned(),
                        checksum: checksum(&sql),
                        state: State::Applied,
                        applied_at: Utc.timestamp_opt(*at, 0).single().unwrap_or_else(Utc::now),
                        duration_ms: None,
                        applied_by: Some("recorded by learndb: applied without its history".into()),
                        error: None,
                    };
                    history::put(self.db, &record).await.map_err(&err)?;
                    recorded = true;
                    progress(&Event::Note(format!(
                        "{version}: was applied without learndb; recorded its checksum"
                    )));
                }
                (None, Some(r)) if r.state == State::Applied => {
                    progress(&Event::Note(format!(
                        "{version}: {} records it as applied at {}, but {} has no row (rolled back by another tool?); treating it as pending",
                        history::HISTORY_TABLE,
                        r.applied_at.to_rfc3339(),
                        M::migration_table_name()
                    )));
                }
                _ => {}
            }
        }
        if recorded {
            self.snapshot().await
        } else {
            Ok(snapshot)
        }
    }

    /// Refuses to continue when a migration is unfinished, applied without its file, or
    /// changed since it was applied.
    pub(super) async fn verify(&self, snapshot: &Snapshot) -> Result<(), RunError> {
        let up_sql = self
            .up_sql()
            .await
            .map_err(self.db_err("computing checksums"))?;
        self.verify_with(snapshot, up_sql)
    }

    /// The foreign keys, indexes and checks the applied migrations declare that the catalog
    /// lacks (MySQL family; none elsewhere, where DDL is transactional).
    pub(super) fn missing_keys(
        &self,
        snapshot: &Snapshot,
        up_sql: &BTreeMap<String, Vec<String>>,
    ) -> Vec<keys::DeclaredKey> {
        let Some(present) = &snapshot.catalog_keys else {
            return Vec::new();
        };
        let applied: Vec<(&str, &[String])> = snapshot
            .applied_in_order()
            .iter()
            .filter_map(|v| up_sql.get_key_value(v))
            .map(|(v, sql)| (v.as_str(), sql.as_slice()))
            .collect();
        let declared = keys::declared(&applied);
        keys::missing(&declared, present)
            .into_iter()
            .cloned()
            .collect()
    }

    /// [`Runner::verify`] with the migrations' SQL already captured ([`Runner::up_sql`]).
    pub(super) fn verify_with(
        &self,
        snapshot: &Snapshot,
        up_sql: &BTreeMap<String, Vec<String>>,
    ) -> Result<(), RunError> {
        self.refuse_unfinished(snapshot)?;
        let lost = self.missing_keys(snapshot, up_sql);
        if !lost.is_empty() {
            return Err(RunError::Incomplete {
                target: self.target.to_string(),
                keys: lost
                    .iter()
                    .map(|k| format!("{} (declared by {})", k.describe(), k.version))
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let names = Self::names();
        let missing: Vec<&String> = snapshot
            .applied
            .keys()
            .filter(|v| !names.contains(v))
            .collect();
        if !missing.is_empty() {
            return Err(RunError::MissingFiles {
                target: self.target.to_string(),
                versions: missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let changes = checksum_changes(snapshot, up_sql);
        if !changes.is_empty() {
            return Err(RunError::ChecksumChanged {
                target: self.target.to_string(),
                count: changes.len(),
                details: changes
                    .iter()
                    .map(|(v, current, r)| format!("{v} recorded {} but now {current}", r.checksum))
                    .collect::<Vec<_>>()
                    .join("; "),
            });
        }
        Ok(())
    }

    /// An unfinished migration blocks every command but `status`, `resolve` and `up --recover`.
    pub(super) fn refuse_unfinished(&self, snapshot: &Snapshot) -> Result<(), RunError> {
        match snapshot.unfinished().first() {
            Some(record) => {
                let done = snapshot.journal.get(&record.version).map_or(0, Vec::len);
                Err(RunError::Unfinished {
                    target: self.target.to_string(),
                    version: record.version.clone(),
                    state: record.state.as_str().to_owned(),
                    details: format!(
                        " since {}{}; {done} statement(s) of it completed (see `status`)",
                        record.applied_at.to_rfc3339(),
                        record
                            .error
                            .as_ref()
                            .map(|e| format!(" ({e})"))
                            .unwrap_or_default()
                    ),
                })
            }
            None => Ok(()),
        }
    }
}

/// Applied migrations whose recorded checksum differs from their SQL today.
pub(super) fn checksum_changes(
    snapshot: &Snapshot,
    up_sql: &BTreeMap<String, Vec<String>>,
) -> Vec<(String, String, Record)> {
    let mut changes = Vec::new();
    for (version, sql) in up_sql {
        let Some(record) = snapshot.history.get(version) else {
            continue;
        };
        if record.state != State::Applied || !snapshot.applied.contains_key(version) {
            continue;
        }
        let current = checksum(sql);
        if current != record.checksum {
            changes.push((record.version.clone(), current, record.clone()));
        }
    }
    changes
}
