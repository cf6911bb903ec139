//! The migration runner behind every command: safe to start from every replica at once.
//!
//! Compared with calling `MigratorTrait::up` directly it adds, in this order for each command
//! that changes migration state: a database-wide lock ([`lock`]); a history with checksums of
//! the SQL each migration ran ([`history`], [`capture`]), verified before anything runs; one
//! transaction per migration together with its bookkeeping on PostgreSQL and SQLite, and a
//! `running`/`failed` record on MySQL, whose DDL commits as it goes; and targets by version. It
//! keeps `seaql_migrations` current, so SeaORM's own tools see the same state.
//!
//! The runner is generic over the migrator, so tests can run it with migrations of their own.

pub mod capture;
pub mod history;
pub mod lock;
mod wipe;

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, TransactionTrait};
use sea_orm_migration::prelude::{Alias, Expr, ExprTrait, Query};
use sea_orm_migration::sea_orm;
use sea_orm_migration::{MigrationTrait, MigratorTrait, SchemaManager};

use crate::connect::{Target, one_line};
pub use capture::Direction;
use capture::{capture, checksum};
use history::{Record, State};
use lock::{LockError, MigrationLock};

/// Which migrations a command acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Every pending migration (up) or every applied one (down).
    All,
    /// The next N pending, or the last N applied.
    Count(u32),
    /// Up to and including this version (up), or every applied one after it (down). A full
    /// name, a unique prefix (`m20261121_000006`), a serial number (`6`, `000006`) or a group
    /// name (`progress`).
    To(String),
}

/// What the runner reports while it works.
#[derive(Clone, Debug)]
pub enum Event {
    Applying(String),
    Applied(String, Duration),
    RollingBack(String),
    RolledBack(String, Duration),
    Note(String),
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error("{action} failed on {target}: {reason}")]
    Db {
        action: &'static str,
        target: String,
        reason: String,
    },
    #[error(
        "refusing to run: {count} applied migration(s) changed since they were applied on {target}: {details}; review the change (an applied migration must never be edited: add a new one), then run `repair` to record the new checksums"
    )]
    ChecksumChanged {
        target: String,
        count: usize,
        details: String,
    },
    #[error(
        "refusing to run: {version} is '{state}' on {target} since {since}{}; inspect the database, then run `resolve {version} --applied` if its changes are complete or `resolve {version} --rolled-back` once they are undone",
        error_text(.error)
    )]
    Unfinished {
        target: String,
        version: String,
        state: &'static str,
        since: String,
        error: Option<String>,
    },
    #[error("{version} failed on {target}: {reason}; {after}")]
    MigrationFailed {
        version: String,
        target: String,
        reason: String,
        after: String,
    },
    #[error(
        "{target} has applied migrations this build does not contain: {versions}; run a build that has them, or restore their files"
    )]
    MissingFiles { target: String, versions: String },
    #[error("no migration matches '{query}'; known: {known}")]
    UnknownVersion { query: String, known: String },
    #[error("'{query}' matches several migrations ({matches}); give more of the name")]
    AmbiguousVersion { query: String, matches: String },
    #[error("{version} is not applied on {target}, so there is nothing to roll back to")]
    NotApplied { version: String, target: String },
    #[error(
        "{version} is not in a failed or interrupted state on {target} (it is {state}); nothing to resolve"
    )]
    NothingToResolve {
        version: String,
        target: String,
        state: String,
    },
}

fn error_text(error: &Option<String>) -> String {
    error
        .as_ref()
        .map(|e| format!(" ({e})"))
        .unwrap_or_default()
}

impl RunError {
    /// 2 for input the user must fix (an unknown version), 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::UnknownVersion { .. } | RunError::AmbiguousVersion { .. } => 2,
            _ => 1,
        }
    }
}

/// How `resolve` settles an interrupted migration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Its changes are complete: record it as applied.
    Applied,
    /// Its changes are undone: forget it, so `up` runs it again.
    RolledBack,
}

/// The migration state of one database, read without changing anything.
#[derive(Debug, Default)]
struct Snapshot {
    /// `seaql_migrations`: version → applied_at (unix seconds).
    applied: BTreeMap<String, i64>,
    history: BTreeMap<String, Record>,
}

/// One row of `status`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StatusRow {
    pub version: String,
    pub group: String,
    pub state: String,
    pub applied_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    pub checksum: Option<String>,
    pub recorded_checksum: Option<String>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct StatusReport {
    pub database: String,
    pub lock_holder: Option<String>,
    pub applied: usize,
    pub pending: usize,
    /// Failed or interrupted migrations, changed checksums, applied migrations without files.
    pub problems: usize,
    pub migrations: Vec<StatusRow>,
}

/// The runner for migrator `M` on one database.
pub struct Runner<'a, M: MigratorTrait> {
    db: &'a DatabaseConnection,
    target: &'a Target,
    lock_timeout: Duration,
    migrator: PhantomData<M>,
}

impl<'a, M: MigratorTrait> Runner<'a, M> {
    pub fn new(db: &'a DatabaseConnection, target: &'a Target, lock_timeout: Duration) -> Self {
        Self {
            db,
            target,
            lock_timeout,
            migrator: PhantomData,
        }
    }

    fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    fn db_err(&self, action: &'static str) -> impl Fn(DbErr) -> RunError + '_ {
        move |err| RunError::Db {
            action,
            target: self.target.to_string(),
            reason: self.target.scrub(&one_line(&err.to_string())),
        }
    }

    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        M::migrations()
    }

    fn seaql_table() -> String {
        M::migration_table_name().to_string()
    }

    // ----- commands that change state: each takes the lock first --------------------------

    /// Runs `work` holding the migration lock and releases the lock whatever the outcome.
    async fn locked<T>(
        &self,
        work: impl AsyncFnOnce() -> Result<T, RunError>,
    ) -> Result<T, RunError> {
        let lock = MigrationLock::acquire(self.target, self.db, self.lock_timeout).await?;
        let result = work().await;
        lock.release().await;
        result
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn up(
        &self,
        selection: &Selection,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<usize, RunError> {
        self.check_selection(selection)?;
        self.locked(async || self.up_locked(selection, progress).await)
            .await
    }

    /// Rolls back applied migrations; returns how many were rolled back.
    pub async fn down(
        &self,
        selection: &Selection,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<usize, RunError> {
        self.check_selection(selection)?;
        self.locked(async || self.down_locked(selection, progress).await)
            .await
    }

    /// Rolls back everything, then applies everything.
    pub async fn refresh(&self, progress: &mut dyn FnMut(&Event)) -> Result<(), RunError> {
        self.locked(async || {
            self.down_locked(&Selection::All, progress).await?;
            self.up_locked(&Selection::All, progress).await.map(|_| ())
        })
        .await
    }

    /// Rolls back everything and drops the two history tables.
    pub async fn reset(&self, progress: &mut dyn FnMut(&Event)) -> Result<(), RunError> {
        self.locked(async || {
            self.down_locked(&Selection::All, progress).await?;
            let err = self.db_err("reset");
            history::drop(self.db).await.map_err(&err)?;
            M::uninstall(self.db).await.map_err(&err)?;
            progress(&Event::Note(
                "dropped seaql_migrations and learndb_migration_history".into(),
            ));
            Ok(())
        })
        .await
    }

    /// Drops every table, view and type in the database (not only learndb's), then applies
    /// every migration.
    pub async fn fresh(&self, progress: &mut dyn FnMut(&Event)) -> Result<(), RunError> {
        self.locked(async || {
            let dropped = wipe::drop_everything(self.db)
                .await
                .map_err(self.db_err("fresh"))?;
            progress(&Event::Note(format!("dropped {dropped} objects")));
            self.up_locked(&Selection::All, progress).await.map(|_| ())
        })
        .await
    }

    /// Records the current checksums of applied migrations whose SQL changed, after a human
    /// reviewed the change. Returns the versions updated.
    pub async fn repair(&self, progress: &mut dyn FnMut(&Event)) -> Result<Vec<String>, RunError> {
        self.locked(async || {
            self.install().await?;
            let snapshot = self.snapshot().await?;
            self.refuse_unfinished(&snapshot)?;
            self.reconcile(&snapshot, progress).await?;
            let snapshot = self.snapshot().await?;
            let mut repaired = Vec::new();
            for (version, current, record) in self.checksum_changes(&snapshot).await? {
                history::put(
                    self.db,
                    &Record {
                        checksum: current.clone(),
                        ..record
                    },
                )
                .await
                .map_err(self.db_err("repair"))?;
                progress(&Event::Note(format!(
                    "{version}: checksum recorded as {current}"
                )));
                repaired.push(version);
            }
            Ok(repaired)
        })
        .await
    }

    /// Settles a migration that failed or was interrupted on a non-transactional backend.
    pub async fn resolve(&self, query: &str, resolution: Resolution) -> Result<String, RunError> {
        let version = self.find_version(query)?;
        self.locked(async || {
            self.install().await?;
            let snapshot = self.snapshot().await?;
            let err = self.db_err("resolve");
            let record = match snapshot.history.get(&version) {
                Some(r) if r.state.is_unfinished() => r.clone(),
                other => {
                    return Err(RunError::NothingToResolve {
                        version: version.clone(),
                        target: self.target.to_string(),
                        state: other
                            .map_or("not recorded", |r| r.state.as_str())
                            .to_owned(),
                    });
                }
            };
            match resolution {
                Resolution::Applied => {
                    if !snapshot.applied.contains_key(&version) {
                        self.record_seaql(self.db, &version).await.map_err(&err)?;
                    }
                    let resolved = Record {
                        state: State::Applied,
                        error: None,
                        applied_by: Some(format!("resolved --applied by {}", history::whoami())),
                        ..record
                    };
                    history::put(self.db, &resolved).await.map_err(&err)?;
                }
                Resolution::RolledBack => {
                    self.forget_seaql(self.db, &version).await.map_err(&err)?;
                    history::remove(self.db, &version).await.map_err(&err)?;
                }
            }
            Ok(version.clone())
        })
        .await
    }

    // ----- read-only: no lock, no DDL -------------------------------------------------------

    /// The state of every migration. Creates nothing and takes no lock, so it works for a
    /// read-only user and while another process migrates.
    pub async fn status(&self) -> Result<StatusReport, RunError> {
        let snapshot = self.snapshot().await?;
        let lock_holder = lock::holder(self.target, self.db)
            .await
            .map_err(self.db_err("status"))?;
        let mut rows = Vec::new();
        let names: Vec<String> = Self::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        for migration in Self::migrations() {
            let version = migration.name().to_owned();
            let record = snapshot.history.get(&version);
            let current = checksum(
                &capture(self.backend(), migration.as_ref(), Direction::Up)
                    .await
                    .map_err(self.db_err("status"))?,
            );
            let applied_at = snapshot.applied.get(&version);
            let state = match (record, applied_at) {
                (Some(r), _) if r.state.is_unfinished() => r.state.as_str().to_owned(),
                (Some(r), Some(_)) if r.checksum != current => "checksum changed".to_owned(),
                (_, Some(_)) => "applied".to_owned(),
                (_, None) => "pending".to_owned(),
            };
            rows.push(StatusRow {
                group: group_of(&version),
                state,
                applied_at: record
                    .map(|r| r.applied_at)
                    .or_else(|| applied_at.and_then(|t| Utc.timestamp_opt(*t, 0).single())),
                duration_ms: record.and_then(|r| r.duration_ms),
                checksum: Some(current),
                recorded_checksum: record.map(|r| r.checksum.clone()),
                error: record.and_then(|r| r.error.clone()),
                version,
            });
        }
        for (version, at) in &snapshot.applied {
            if !names.contains(version) {
                rows.push(StatusRow {
                    group: group_of(version),
                    state: "missing file".into(),
                    applied_at: Utc.timestamp_opt(*at, 0).single(),
                    duration_ms: snapshot.history.get(version).and_then(|r| r.duration_ms),
                    checksum: None,
                    recorded_checksum: snapshot.history.get(version).map(|r| r.checksum.clone()),
                    error: None,
                    version: version.clone(),
                });
            }
        }
        let applied = rows.iter().filter(|r| r.state == "applied").count();
        let pending = rows.iter().filter(|r| r.state == "pending").count();
        Ok(StatusReport {
            database: self.target.to_string(),
            lock_holder,
            applied,
            pending,
            problems: rows.len() - applied - pending,
            migrations: rows,
        })
    }

    /// The SQL `up` (Direction::Up) or `down` would run, per migration, without running it.
    pub async fn plan(
        &self,
        direction: Direction,
        selection: &Selection,
    ) -> Result<Vec<(String, Vec<String>)>, RunError> {
        self.check_selection(selection)?;
        let snapshot = self.snapshot().await?;
        self.verify(&snapshot).await?;
        let chosen = match direction {
            Direction::Up => self.select_up(&snapshot, selection)?,
            Direction::Down => self.select_down(&snapshot, selection)?,
        };
        let mut plan = Vec::new();
        for migration in chosen {
            let sql = capture(self.backend(), migration.as_ref(), direction)
                .await
                .map_err(self.db_err("dry run"))?;
            plan.push((migration.name().to_owned(), sql));
        }
        Ok(plan)
    }

    // ----- the work, under the lock ----------------------------------------------------------

    async fn up_locked(
        &self,
        selection: &Selection,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<usize, RunError> {
        let snapshot = self.checked_snapshot(progress).await?;
        let chosen = self.select_up(&snapshot, selection)?;
        for migration in &chosen {
            self.apply(migration.as_ref(), progress).await?;
        }
        Ok(chosen.len())
    }

    async fn down_locked(
        &self,
        selection: &Selection,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<usize, RunError> {
        let snapshot = self.checked_snapshot(progress).await?;
        let chosen = self.select_down(&snapshot, selection)?;
        for migration in &chosen {
            // checked_snapshot() recorded every applied migration, so its row is there.
            let recorded = snapshot
                .history
                .get(migration.name())
                .ok_or_else(|| RunError::Db {
                    action: "migrate down",
                    target: self.target.to_string(),
                    reason: format!(
                        "{} has no row in {}",
                        migration.name(),
                        history::HISTORY_TABLE
                    ),
                })?;
            self.roll_back(migration.as_ref(), recorded, progress)
                .await?;
        }
        Ok(chosen.len())
    }

    /// The migration state, once the history tables exist, migrations applied or rolled back by
    /// other tools are reconciled, and nothing blocks a run (see [`Runner::verify`]).
    async fn checked_snapshot(
        &self,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<Snapshot, RunError> {
        self.install().await?;
        let snapshot = self.snapshot().await?;
        self.reconcile(&snapshot, progress).await?;
        let snapshot = self.snapshot().await?;
        self.verify(&snapshot).await?;
        Ok(snapshot)
    }

    /// Creates `seaql_migrations` and the history table if missing (only under the lock, so
    /// concurrent first runs cannot race on CREATE TABLE).
    async fn install(&self) -> Result<(), RunError> {
        let err = self.db_err("creating the migration history tables");
        M::install(self.db).await.map_err(&err)?;
        history::install(self.db).await.map_err(&err)
    }

    async fn snapshot(&self) -> Result<Snapshot, RunError> {
        let err = self.db_err("reading the migration history");
        let mut snapshot = Snapshot::default();
        let table = Self::seaql_table();
        if SchemaManager::new(self.db)
            .has_table(&table)
            .await
            .map_err(&err)?
        {
            let select = Query::select()
                .columns([Alias::new("version"), Alias::new("applied_at")])
                .from(Alias::new(table))
                .to_owned();
            for row in self.db.query_all(&select).await.map_err(&err)? {
                let version: String = row.try_get("", "version").map_err(&err)?;
                let at: i64 = row.try_get("", "applied_at").map_err(&err)?;
                snapshot.applied.insert(version, at);
            }
        }
        for record in history::load(self.db).await.map_err(&err)? {
            snapshot.history.insert(record.version.clone(), record);
        }
        Ok(snapshot)
    }

    /// Brings the history in line with `seaql_migrations` where another tool changed it:
    /// migrations applied by plain sea-orm-migration get a history row with their current
    /// checksum, and rows of migrations it rolled back are removed.
    async fn reconcile(
        &self,
        snapshot: &Snapshot,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<(), RunError> {
        let err = self.db_err("recording the migration history");
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
                    progress(&Event::Note(format!(
                        "{version}: was applied without learndb; recorded its checksum"
                    )));
                }
                (None, Some(r)) if r.state == State::Applied => {
                    history::remove(self.db, version).await.map_err(&err)?;
                    progress(&Event::Note(format!(
                        "{version}: was rolled back without learndb; removed its history row"
                    )));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Refuses to continue when a migration is unfinished, applied without its file, or
    /// changed since it was applied.
    async fn verify(&self, snapshot: &Snapshot) -> Result<(), RunError> {
        self.refuse_unfinished(snapshot)?;
        let names: Vec<String> = Self::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
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
        let changes = self.checksum_changes(snapshot).await?;
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

    /// A failed or interrupted migration blocks every command but `status` and `resolve`.
    fn refuse_unfinished(&self, snapshot: &Snapshot) -> Result<(), RunError> {
        match snapshot.history.values().find(|r| r.state.is_unfinished()) {
            Some(record) => Err(RunError::Unfinished {
                target: self.target.to_string(),
                version: record.version.clone(),
                state: record.state.as_str(),
                since: record.applied_at.to_rfc3339(),
                error: record.error.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Rejects an unknown `--to` before anything is locked or created.
    fn check_selection(&self, selection: &Selection) -> Result<(), RunError> {
        match selection {
            Selection::To(query) => self.find_version(query).map(|_| ()),
            _ => Ok(()),
        }
    }

    /// Applied migrations whose recorded checksum differs from their SQL today.
    async fn checksum_changes(
        &self,
        snapshot: &Snapshot,
    ) -> Result<Vec<(String, String, Record)>, RunError> {
        let mut changes = Vec::new();
        for migration in Self::migrations() {
            let Some(record) = snapshot.history.get(migration.name()) else {
                continue;
            };
            if record.state != State::Applied {
                continue;
            }
            let current = checksum(
                &capture(self.backend(), migration.as_ref(), Direction::Up)
                    .await
                    .map_err(self.db_err("computing checksums"))?,
            );
            if current != record.checksum {
                changes.push((record.version.clone(), current, record.clone()));
            }
        }
        Ok(changes)
    }

    fn select_up(
        &self,
        snapshot: &Snapshot,
        selection: &Selection,
    ) -> Result<Vec<Box<dyn MigrationTrait>>, RunError> {
        let all = Self::migrations();
        let last = match selection {
            Selection::To(query) => Some(self.find_version(query)?),
            _ => None,
        };
        let mut pending: Vec<Box<dyn MigrationTrait>> = Vec::new();
        for migration in all {
            if snapshot.applied.contains_key(migration.name()) {
                continue;
            }
            if let Some(last) = &last
                && migration.name() > last.as_str()
            {
                continue;
            }
            pending.push(migration);
        }
        if let Selection::Count(n) = selection {
            pending.truncate(*n as usize);
        }
        Ok(pending)
    }

    fn select_down(
        &self,
        snapshot: &Snapshot,
        selection: &Selection,
    ) -> Result<Vec<Box<dyn MigrationTrait>>, RunError> {
        let mut applied: Vec<Box<dyn MigrationTrait>> = Self::migrations()
            .into_iter()
            .filter(|m| snapshot.applied.contains_key(m.name()))
            .collect();
        applied.reverse();
        match selection {
            Selection::All => {}
            Selection::Count(n) => applied.truncate(*n as usize),
            Selection::To(query) => {
                let keep = self.find_version(query)?;
                if !snapshot.applied.contains_key(&keep) {
                    return Err(RunError::NotApplied {
                        version: keep,
                        target: self.target.to_string(),
                    });
                }
                applied.retain(|m| m.name() > keep.as_str());
            }
        }
        Ok(applied)
    }

    /// Resolves a version query: a full name, a unique prefix, a serial number or a group name.
    pub fn find_version(&self, query: &str) -> Result<String, RunError> {
        let names: Vec<String> = Self::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect();
        find_version(&names, query)
    }

    async fn apply(
        &self,
        migration: &dyn MigrationTrait,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<(), RunError> {
        let version = migration.name().to_owned();
        progress(&Event::Applying(version.clone()));
        let err = self.db_err("migrate up");
        let sum = checksum(
            &capture(self.backend(), migration, Direction::Up)
                .await
                .map_err(&err)?,
        );
        let started_at = Utc::now();
        let started = Instant::now();
        let record = |state: State, error: Option<String>| Record {
            version: version.clone(),
            checksum: sum.clone(),
            state,
            applied_at: started_at,
            duration_ms: Some(started.elapsed().as_millis() as i64),
            applied_by: Some(history::whoami()),
            error,
        };
        if self.transactional() {
            let txn = self.db.begin().await.map_err(&err)?;
            if let Err(e) = migration.up(&SchemaManager::new(&txn)).await {
                txn.rollback().await.ok();
                return Err(self.failed(
                    &version,
                    &e,
                    "its transaction was rolled back, so nothing was changed or recorded",
                ));
            }
            self.record_seaql(&txn, &version).await.map_err(&err)?;
            history::put(&txn, &record(State::Applied, None))
                .await
                .map_err(&err)?;
            txn.commit().await.map_err(&err)?;
        } else {
            history::put(self.db, &record(State::Running, None))
                .await
                .map_err(&err)?;
            if let Err(e) = migration.up(&SchemaManager::new(self.db)).await {
                let reason = self.target.scrub(&one_line(&e.to_string()));
                history::put(self.db, &record(State::Failed, Some(reason)))
                    .await
                    .map_err(&err)?;
                return Err(self.failed(
                    &version,
                    &e,
                    &format!("MySQL commits DDL statement by statement, so part of it may be in place; it is recorded as failed and every run refuses until you inspect the database and run `resolve {version} --applied` or `--rolled-back`"),
                ));
            }
            self.record_seaql(self.db, &version).await.map_err(&err)?;
            history::put(self.db, &record(State::Applied, None))
                .await
                .map_err(&err)?;
        }
        progress(&Event::Applied(version, started.elapsed()));
        Ok(())
    }

    async fn roll_back(
        &self,
        migration: &dyn MigrationTrait,
        recorded: &Record,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<(), RunError> {
        let version = migration.name().to_owned();
        progress(&Event::RollingBack(version.clone()));
        let err = self.db_err("migrate down");
        let started = Instant::now();
        if self.transactional() {
            let txn = self.db.begin().await.map_err(&err)?;
            if let Err(e) = migration.down(&SchemaManager::new(&txn)).await {
                txn.rollback().await.ok();
                return Err(self.failed(
                    &version,
                    &e,
                    "its transaction was rolled back, so it is still applied",
                ));
            }
            self.forget_seaql(&txn, &version).await.map_err(&err)?;
            history::remove(&txn, &version).await.map_err(&err)?;
            txn.commit().await.map_err(&err)?;
        } else {
            let marked = |state: State, error: Option<String>| Record {
                state,
                error,
                applied_at: Utc::now(),
                applied_by: Some(history::whoami()),
                ..recorded.clone()
            };
            history::put(self.db, &marked(State::RollingBack, None))
                .await
                .map_err(&err)?;
            if let Err(e) = migration.down(&SchemaManager::new(self.db)).await {
                let reason = self.target.scrub(&one_line(&e.to_string()));
                history::put(self.db, &marked(State::RollbackFailed, Some(reason)))
                    .await
                    .map_err(&err)?;
                return Err(self.failed(
                    &version,
                    &e,
                    &format!("MySQL commits DDL statement by statement, so part of it may be undone; it is recorded as rollback_failed and every run refuses until you run `resolve {version} --applied` or `--rolled-back`"),
                ));
            }
            self.forget_seaql(self.db, &version).await.map_err(&err)?;
            history::remove(self.db, &version).await.map_err(&err)?;
        }
        progress(&Event::RolledBack(version, started.elapsed()));
        Ok(())
    }

    /// PostgreSQL and SQLite run DDL inside transactions; MySQL commits each DDL statement.
    fn transactional(&self) -> bool {
        self.backend() != DbBackend::MySql
    }

    fn failed(&self, version: &str, err: &DbErr, after: &str) -> RunError {
        RunError::MigrationFailed {
            version: version.to_owned(),
            target: self.target.to_string(),
            reason: self.target.scrub(&one_line(&err.to_string())),
            after: after.to_owned(),
        }
    }

    async fn record_seaql<C: ConnectionTrait>(&self, db: &C, version: &str) -> Result<(), DbErr> {
        let insert = Query::insert()
            .into_table(Alias::new(Self::seaql_table()))
            .columns([Alias::new("version"), Alias::new("applied_at")])
            .values([version.into(), Utc::now().timestamp().into()])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .to_owned();
        db.execute(&insert).await.map(|_| ())
    }

    async fn forget_seaql<C: ConnectionTrait>(&self, db: &C, version: &str) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table(Alias::new(Self::seaql_table()))
            .and_where(Expr::col(Alias::new("version")).eq(version))
            .to_owned();
        db.execute(&delete).await.map(|_| ())
    }
}

/// `m20261121_000006_progress` → `progress`.
pub fn group_of(version: &str) -> String {
    version.splitn(3, '_').nth(2).unwrap_or(version).to_owned()
}

/// Resolves a version query against migration names.
pub fn find_version(names: &[String], query: &str) -> Result<String, RunError> {
    let query = query.trim();
    if let Some(exact) = names.iter().find(|n| n.as_str() == query) {
        return Ok(exact.clone());
    }
    let serial = |name: &str| name.split('_').nth(1).and_then(|s| s.parse::<u64>().ok());
    let wanted_serial = query.parse::<u64>().ok();
    let matches: Vec<&String> = names
        .iter()
        .filter(|name| {
            let after_date = name.split_once('_').map_or("", |(_, rest)| rest);
            !query.is_empty()
                && (name.starts_with(query)
                    || after_date.starts_with(query)
                    || group_of(name) == query
                    || (wanted_serial.is_some() && serial(name) == wanted_serial))
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(RunError::UnknownVersion {
            query: query.to_owned(),
            known: names.join(", "),
        }),
        many => Err(RunError::AmbiguousVersion {
            query: query.to_owned(),
            matches: many
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// The full schema DDL for `backend`, with no database: every migration's `up()` in order.
pub async fn schema_sql<M: MigratorTrait>(backend: DbBackend) -> Result<String, DbErr> {
    let name = match backend {
        DbBackend::Postgres => "PostgreSQL",
        DbBackend::MySql => "MySQL / MariaDB / TiDB",
        _ => "SQLite",
    };
    let mut out = format!(
        "-- learndb schema for {name}: every migration's up(), in order.\n-- Generated by `learndb sql --backend {}`; do not edit.\n",
        backend_name(backend)
    );
    for migration in M::migrations() {
        let sql = capture(backend, migration.as_ref(), Direction::Up).await?;
        out.push_str(&format!("\n-- {}\n", migration.name()));
        out.push_str(&capture::script(&sql));
    }
    Ok(out)
}

pub fn backend_name(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "postgres",
        DbBackend::MySql => "mysql",
        _ => "sqlite",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<String> {
        [
            "m20261121_000001_users",
            "m20261121_000002_content",
            "m20261121_000006_progress",
            "m20261121_000010_plugins",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn versions_resolve_by_name_prefix_serial_and_group() {
        let n = names();
        assert_eq!(find_version(&n, "m20261121_000006_progress").unwrap(), n[2]);
        assert_eq!(find_version(&n, "m20261121_000002").unwrap(), n[1]);
        assert_eq!(find_version(&n, "000006").unwrap(), n[2]);
        assert_eq!(find_version(&n, "6").unwrap(), n[2]);
        assert_eq!(find_version(&n, "010").unwrap(), n[3]);
        assert_eq!(find_version(&n, "progress").unwrap(), n[2]);
        assert!(matches!(
            find_version(&n, "m2026"),
            Err(RunError::AmbiguousVersion { .. })
        ));
        assert!(matches!(
            find_version(&n, "9"),
            Err(RunError::UnknownVersion { .. })
        ));
        assert!(matches!(
            find_version(&n, ""),
            Err(RunError::UnknownVersion { .. })
        ));
    }
}
