//! The migration runner behind every command: safe to start from every replica at once, and
//! safe to stop at any point.
//!
//! Compared with calling `MigratorTrait::up` directly it adds, for each command that changes
//! migration state: a database-wide lock ([`lock`]); a history with checksums of the SQL each
//! migration ran ([`history`], [`capture`]), verified before anything runs ([`state`]); a plan
//! that refuses out-of-order migrations and rolls back in the order of application ([`plan`]);
//! one executor that runs each migration in a transaction, or journaled statement by statement
//! where DDL cannot be transactional, with a DDL lock timeout, stopping cleanly on SIGINT or
//! SIGTERM ([`execute`], [`interrupt`]); recovery of an interrupted migration without
//! hand-written SQL; and a stop before `up` trips over objects no history accounts for
//! ([`untracked`]). It keeps `seaql_migrations` current, so SeaORM's own tools see the same state.
//!
//! The runner is generic over the migrator, so tests can run it with migrations of their own;
//! `migration::Runner` is the runner of learndb's migrations.

pub mod capture;
mod error;
pub mod execute;
pub mod history;
pub mod interrupt;
pub mod keys;
pub mod lock;
pub mod plan;
pub mod rows;
pub mod state;
pub mod untracked;
mod wipe;

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    IsolationLevel, TransactionTrait,
};
use sea_orm_migration::sea_orm;
use sea_orm_migration::{MigrationTrait, MigratorTrait};

use crate::connect::{Target, error_line};
use crate::engine::{self, Facts, Profile, Refusal, Server};
pub use capture::Direction;
use capture::{capture, checksum};
pub use error::RunError;
use execute::{Executor, Work};
use history::{Record, State};
pub use interrupt::Signal;
use lock::MigrationLock;
pub use plan::{PlanError, Selection, find_version, group_of};
use state::Snapshot;
pub use state::{MigrationState, StatusReport, StatusRow};
use untracked::Object;

/// How the runner waits and what it allows.
#[derive(Clone, Debug)]
pub struct Options {
    /// How long to wait for the migration lock when another process holds it.
    pub lock_timeout: Duration,
    /// How long each DDL statement may wait for its table locks on the server (PostgreSQL
    /// `lock_timeout`, MySQL `lock_wait_timeout`) before it gives up.
    pub ddl_lock_timeout: Duration,
    /// How many times a statement (or a transactional migration) that hit the DDL lock timeout
    /// is tried again, after 1 s, 2 s, 4 s, …
    pub ddl_retries: u32,
    /// Apply a pending migration although a newer one is already applied.
    pub allow_out_of_order: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            lock_timeout: Duration::from_secs(60),
            ddl_lock_timeout: Duration::from_secs(5),
            ddl_retries: 3,
            allow_out_of_order: false,
        }
    }
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

/// How `resolve` settles a migration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Its changes are complete: record it as applied.
    Applied,
    /// Take it back: undo whatever of it exists (its derived `down()`, skipping what does not
    /// exist) and forget it, so `up` runs it again.
    RolledBack,
}

/// The server behind the runner's connection and what learndb does there ([`crate::engine`]).
#[derive(Clone, Debug)]
pub struct Engine {
    pub server: Server,
    pub decision: Result<Profile, Refusal>,
    /// Whether changing commands may run: not on a standby or a read-only server
    /// ([`engine::writable`]).
    pub writable: Result<(), Refusal>,
}

impl Engine {
    fn of(server: Server, facts: &Facts) -> Self {
        Self {
            decision: engine::decide(&server, facts),
            writable: engine::writable(&server, facts),
            server,
        }
    }
}

/// The runner for migrator `M` on one database.
pub struct Runner<'a, M: MigratorTrait> {
    db: &'a DatabaseConnection,
    target: Target,
    options: Options,
    migrator: PhantomData<M>,
    /// Found once, before the first command locks (or reads the status).
    engine: OnceLock<Engine>,
    /// The connection caches no prepared statements ([`Target::connect`]), so reads may
    /// deallocate what they prepared (see [`Runner::end_read_only`]).
    uncached: bool,
    /// The migration lock while a command holds it, so it is checked before each migration.
    held: Mutex<Option<MigrationLock>>,
    /// Every migration's `up` SQL, captured once ([`Runner::up_sql`]).
    up_sql: OnceLock<BTreeMap<String, Vec<String>>>,
}

impl<'a, M: MigratorTrait> Runner<'a, M> {
    /// The runner on a connection the application opened, as `Migrator::up(&db, None)` takes
    /// one. Messages name the database by its backend; on SQLite the lock file is found from
    /// the connection.
    pub fn new(db: &'a DatabaseConnection) -> Self {
        Self::for_target(db, &Target::of_connection(db.get_database_backend()))
    }

    /// The runner on `db`, opened from `target` (messages name the target, password redacted).
    pub fn for_target(db: &'a DatabaseConnection, target: &Target) -> Self {
        Self {
            db,
            target: target.clone(),
            options: Options::default(),
            migrator: PhantomData,
            engine: OnceLock::new(),
            uncached: false,
            held: Mutex::new(None),
            up_sql: OnceLock::new(),
        }
    }

    /// Declares that `db` caches no prepared statements, as connections opened by
    /// [`Target::connect`] do: reads then clean up the statements they prepared, which makes
    /// `status` and dry runs work through a transaction pooler. (On a connection with sqlx's
    /// statement cache that cleanup would leave the cache naming statements that are gone.)
    pub fn uncached_statements(mut self, uncached: bool) -> Self {
        self.uncached = uncached;
        self
    }

    /// Uses what the caller already found out about the server ([`engine::inspect`]) instead of
    /// asking it again.
    pub fn with_server(self, server: Server, facts: &Facts) -> Self {
        let _ = self.engine.set(Engine::of(server, facts));
        self
    }

    /// The server and learndb's decision for it, identified on first use.
    pub async fn engine(&self) -> Result<Engine, RunError> {
        if let Some(engine) = self.engine.get() {
            return Ok(engine.clone());
        }
        let (server, facts) = engine::inspect(self.db)
            .await
            .map_err(self.db_err("identifying the database server"))?;
        Ok(self
            .engine
            .get_or_init(|| Engine::of(server, &facts))
            .clone())
    }

    /// How migrations run on this server, or why they do not; also refused on a server that
    /// takes no writes, since every caller is about to change something.
    async fn profile(&self) -> Result<Profile, RunError> {
        let engine = self.engine().await?;
        let refused = |refusal| RunError::Refused {
            target: self.target.to_string(),
            refusal,
        };
        let profile = engine.decision.map_err(refused)?;
        engine.writable.map_err(refused)?;
        Ok(profile)
    }

    pub fn options(mut self, options: Options) -> Self {
        self.options = options;
        self
    }

    pub fn lock_timeout(mut self, timeout: Duration) -> Self {
        self.options.lock_timeout = timeout;
        self
    }

    pub fn ddl_lock_timeout(mut self, timeout: Duration, retries: u32) -> Self {
        self.options.ddl_lock_timeout = timeout;
        self.options.ddl_retries = retries;
        self
    }

    pub fn allow_out_of_order(mut self, allow: bool) -> Self {
        self.options.allow_out_of_order = allow;
        self
    }

    /// Applies every pending migration, logging progress through `tracing`; returns how many
    /// were applied. The library counterpart of `learndb migrate up`.
    pub async fn up(&self) -> Result<usize, RunError> {
        self.up_with(&Selection::All, &mut log_event).await
    }

    fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    fn db_err(&self, action: &'static str) -> impl Fn(DbErr) -> RunError + '_ {
        move |err| RunError::Db {
            action,
            target: self.target.to_string(),
            reason: self.target.scrub(&error_line(&err)),
        }
    }

    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        M::migrations()
    }

    fn names() -> Vec<String> {
        Self::migrations()
            .iter()
            .map(|m| m.name().to_owned())
            .collect()
    }

    fn migration(version: &str) -> Option<Box<dyn MigrationTrait>> {
        Self::migrations().into_iter().find(|m| m.name() == version)
    }

    fn executor(&self) -> Executor<'_> {
        // Commands reach this under the lock, after the profile was decided; the fallback is
        // the protocol's own behaviour.
        let profile = self.engine.get().and_then(|e| e.decision.as_ref().ok());
        let mysql = self.backend() == DbBackend::MySql;
        Executor {
            db: self.db,
            target: &self.target,
            options: &self.options,
            seaql_table: M::migration_table_name().to_string(),
            transactional_ddl: profile.map_or(!mysql, |p| p.transactional_ddl),
            verify_checks: profile.map_or(mysql, |p| p.verify_checks),
            inplace_foreign_keys: profile.is_some_and(|p| p.inplace_foreign_keys),
        }
    }

    // ----- commands that change state: each takes the lock first --------------------------

    /// Runs `work` holding the migration lock and releases the lock whatever the outcome. Refuses
    /// first, before locking anything, on a server where learndb's promises do not hold.
    async fn locked<T>(
        &self,
        work: impl AsyncFnOnce() -> Result<T, RunError>,
    ) -> Result<T, RunError> {
        let profile = self.profile().await?;
        for note in &profile.notes {
            tracing::info!("{note}");
        }
        let lock = MigrationLock::acquire(&self.target, self.db, self.options.lock_timeout).await?;
        *self.held.lock().unwrap_or_else(PoisonError::into_inner) = Some(lock);
        let result = work().await;
        let lock = self
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(lock) = lock {
            lock.release().await;
        }
        result
    }

    /// Before each migration: the lock taken for this command must still be ours (a killed
    /// lock session, a pooler that moved it, TiDB's lease running out). The check runs on the
    /// lock's own connection.
    async fn check_lock(&self, version: &str) -> Result<(), RunError> {
        let taken = self
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(mut lock) = taken else {
            return Ok(());
        };
        let checked = lock.verify(&self.target, version).await;
        *self.held.lock().unwrap_or_else(PoisonError::into_inner) = Some(lock);
        Ok(checked?)
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn up_with(
        &self,
        selection: &Selection,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<usize, RunError> {
        self.check_selection(selection)?;
        // Refusals first, as under the lock; then the unlocked look (see `nothing_to_apply`).
        self.profile().await?;
        if self.nothing_to_apply(selection).await {
            return Ok(0);
        }
        self.locked(async || self.up_locked(selection, progress).await)
            .await
    }

    /// Takes back every interrupted or failed migration (see [`Resolution::RolledBack`]), then
    /// applies pending migrations: `up --recover`.
    pub async fn recover_and_up(
        &self,
        selection: &Selection,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<usize, RunError> {
        self.check_selection(selection)?;
        self.locked(async || {
            self.install().await?;
            let snapshot = self.snapshot().await?;
            let mut unfinished: Vec<&Record> = snapshot.unfinished();
            unfinished.sort_by(|a, b| b.version.cmp(&a.version));
            for record in unfinished {
                let changed = self.undo(&record.version).await?;
                progress(&Event::Note(format!(
                    "{}: was '{}'; took back {changed} statement(s) of it",
                    record.version,
                    record.state.as_str()
                )));
            }
            // Keys, indexes and checks the server lost, added back as their migrations declared
            // them.
            let snapshot = self.snapshot().await?;
            let up_sql = self
                .up_sql()
                .await
                .map_err(self.db_err("computing checksums"))?;
            let executor = self.executor();
            for key in self.missing_keys(&snapshot, up_sql) {
                executor.restore_key(&key).await?;
                progress(&Event::Note(format!(
                    "{}: {} was missing; added it back",
                    key.version,
                    key.describe()
                )));
            }
            self.up_locked(selection, progress).await
        })
        .await
    }

    /// Rolls back applied migrations, newest application first; returns how many.
    pub async fn down_with(
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

    /// Rolls back everything and drops the history tables.
    pub async fn reset(&self, progress: &mut dyn FnMut(&Event)) -> Result<(), RunError> {
        self.locked(async || {
            self.down_locked(&Selection::All, progress).await?;
            let err = self.db_err("reset");
            history::drop(self.db).await.map_err(&err)?;
            M::uninstall(self.db).await.map_err(&err)?;
            progress(&Event::Note(format!(
                "dropped seaql_migrations, {} and {}",
                history::HISTORY_TABLE,
                history::JOURNAL_TABLE
            )));
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
            let snapshot = self.reconcile(snapshot, progress).await?;
            let mut repaired = Vec::new();
            let up_sql = self
                .up_sql()
                .await
                .map_err(self.db_err("computing checksums"))?;
            for (version, current, record) in state::checksum_changes(&snapshot, up_sql) {
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

    /// Settles one migration: records it as applied (after a failure whose changes an operator
    /// completed, or objects that exist without history), or takes it back.
    pub async fn resolve(&self, query: &str, resolution: Resolution) -> Result<String, RunError> {
        let version = self.find_version(query)?;
        self.locked(async || {
            self.install().await?;
            let snapshot = self.snapshot().await?;
            let err = self.db_err("resolve");
            let record = snapshot.history.get(&version);
            let unfinished = record.is_some_and(|r| r.state.is_unfinished());
            let applied = snapshot.applied.contains_key(&version);
            match resolution {
                Resolution::Applied if unfinished || !applied => {
                    let migration =
                        Self::migration(&version).ok_or_else(|| self.missing(&version))?;
                    let sum = checksum(
                        &capture(self.backend(), migration.as_ref(), Direction::Up)
                            .await
                            .map_err(&err)?,
                    );
                    let resolved = Record {
                        version: version.clone(),
                        checksum: sum,
                        state: State::Applied,
                        applied_at: Utc::now(),
                        duration_ms: record.and_then(|r| r.duration_ms),
                        applied_by: Some(format!("resolved --applied by {}", history::whoami())),
                        error: None,
                    };
                    let txn = self.db.begin().await.map_err(&err)?;
                    if !applied {
                        execute::record_seaql(
                            &txn,
                            &M::migration_table_name().to_string(),
                            &version,
                        )
                        .await
                        .map_err(&err)?;
                    }
                    history::put(&txn, &resolved).await.map_err(&err)?;
                    history::journal_clear(&txn, &version).await.map_err(&err)?;
                    txn.commit().await.map_err(&err)?;
                }
                Resolution::RolledBack if unfinished => {
                    self.undo(&version).await?;
                }
                // Pending, but objects it creates exist: leftovers of a run whose history was
                // lost (an older learndb, a connection lost on its first statement), which `up`
                // refuses to build over. Its `down()` takes them back.
                Resolution::RolledBack
                    if !applied && !self.leftovers(&version).await?.is_empty() =>
                {
                    self.undo(&version).await?;
                }
                _ => {
                    return Err(RunError::NothingToResolve {
                        version: version.clone(),
                        target: self.target.to_string(),
                        state: match record {
                            Some(r) => r.state.as_str().to_owned(),
                            None if applied => "applied".to_owned(),
                            None => "pending".to_owned(),
                        },
                    });
                }
            }
            Ok(version.clone())
        })
        .await
    }

    /// The tables, views and types `version`'s `up()` creates that exist already.
    async fn leftovers(&self, version: &str) -> Result<Vec<Object>, RunError> {
        let migration = Self::migration(version).ok_or_else(|| self.missing(version))?;
        let err = self.db_err("reading the catalog");
        let work = Work::new(self.backend(), migration.as_ref(), Direction::Up)
            .await
            .map_err(&err)?;
        let existing = untracked::existing(self.db).await.map_err(&err)?;
        Ok(work
            .statements
            .iter()
            .flatten()
            .filter_map(|s| untracked::created_by(&s.sql))
            .filter(|o| existing.contains(o))
            .collect())
    }

    fn missing(&self, version: &str) -> RunError {
        RunError::MissingFiles {
            target: self.target.to_string(),
            versions: version.to_owned(),
        }
    }

    async fn undo(&self, version: &str) -> Result<usize, RunError> {
        let migration = Self::migration(version).ok_or_else(|| self.missing(version))?;
        self.executor().undo(migration.as_ref()).await
    }

    // ----- read-only: no lock, no DDL -------------------------------------------------------

    /// What rolling back `selection` would do to rows now ([`rows::impact`]), one line per
    /// `DELETE` of a `down()` that touches any, prefixed with its migration. Changes nothing.
    pub async fn down_impact(&self, selection: &Selection) -> Result<Vec<String>, RunError> {
        // A server that refuses the rollback is refused before anything is counted (a standby
        // would fail the counting DELETE instead).
        self.profile().await?;
        let plan = self.plan(Direction::Down, selection).await?;
        rows::impact(self.db, &plan)
            .await
            .map_err(self.db_err("counting the rows a rollback changes"))
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
        let mut plan = Vec::new();
        for version in self.select(
            &snapshot,
            direction,
            selection,
            self.options.allow_out_of_order,
        )? {
            let migration = Self::migration(&version).ok_or_else(|| self.missing(&version))?;
            let sql = capture(self.backend(), migration.as_ref(), direction)
                .await
                .map_err(self.db_err("dry run"))?;
            plan.push((version, sql));
        }
        Ok(plan)
    }

    // ----- the work, under the lock ----------------------------------------------------------

    fn select(
        &self,
        snapshot: &Snapshot,
        direction: Direction,
        selection: &Selection,
        allow_out_of_order: bool,
    ) -> Result<Vec<String>, RunError> {
        let names = Self::names();
        let applied = snapshot.applied_in_order();
        Ok(match direction {
            Direction::Up => plan::select_up(&names, &applied, selection, allow_out_of_order)?,
            Direction::Down => plan::select_down(&names, &applied, selection)?,
        })
    }

    async fn up_locked(
        &self,
        selection: &Selection,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<usize, RunError> {
        let snapshot = self.checked_snapshot(progress).await?;
        // Objects first: a migration whose history was lost looks out of order too, and the
        // objects say more about what happened.
        let chosen = self.select(&snapshot, Direction::Up, selection, true)?;
        if chosen.is_empty() {
            return Ok(0);
        }
        let mut existing = untracked::existing(self.db)
            .await
            .map_err(self.db_err("reading the catalog"))?;
        let migrations: Vec<Box<dyn MigrationTrait>> = chosen
            .iter()
            .map(|v| Self::migration(v).ok_or_else(|| self.missing(v)))
            .collect::<Result<_, _>>()?;
        let mut works = Vec::new();
        for migration in &migrations {
            let work = Work::new(self.backend(), migration.as_ref(), Direction::Up)
                .await
                .map_err(self.db_err("migrate up"))?;
            let creates = self.refuse_untracked(&work, &existing, &snapshot)?;
            existing.extend(creates);
            works.push(work);
        }
        self.select(
            &snapshot,
            Direction::Up,
            selection,
            self.options.allow_out_of_order,
        )?;
        let executor = self.executor();
        for work in &works {
            let version = work.migration.name().to_owned();
            self.check_lock(&version).await?;
            progress(&Event::Applying(version.clone()));
            let started = Instant::now();
            executor.run(work, snapshot.history.get(&version)).await?;
            progress(&Event::Applied(version, started.elapsed()));
        }
        Ok(works.len())
    }

    /// Stops before a migration that would create an object that already exists (and that it
    /// does not drop first); returns what it creates.
    fn refuse_untracked(
        &self,
        work: &Work<'_>,
        existing: &BTreeSet<Object>,
        snapshot: &Snapshot,
    ) -> Result<Vec<Object>, RunError> {
        let Some(statements) = &work.statements else {
            return Ok(Vec::new());
        };
        let mut creates = Vec::new();
        let mut clashes = Vec::new();
        let mut dropped = BTreeSet::new();
        for statement in statements {
            if let Some(object) = untracked::dropped_by(&statement.sql) {
                dropped.insert(object);
            }
            if let Some(object) = untracked::created_by(&statement.sql) {
                if existing.contains(&object) && !dropped.contains(&object) {
                    clashes.push(object.describe());
                }
                creates.push(object);
            }
        }
        if clashes.is_empty() {
            return Ok(creates);
        }
        let count = clashes.len();
        clashes.truncate(5);
        let mut objects = clashes.join(", ");
        if count > 5 {
            objects.push_str(&format!(" and {} more", count - 5));
        }
        let version = work.migration.name().to_owned();
        let note = match snapshot.history.get(&version) {
            Some(r) => format!(
                " ({} records it as '{}' since {})",
                history::HISTORY_TABLE,
                r.state.as_str(),
                r.applied_at.to_rfc3339()
            ),
            None => String::new(),
        };
        Err(RunError::Untracked {
            version,
            target: self.target.to_string(),
            objects,
            note,
        })
    }

    async fn down_locked(
        &self,
        selection: &Selection,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<usize, RunError> {
        let snapshot = self.checked_snapshot(progress).await?;
        let chosen = self.select(&snapshot, Direction::Down, selection, true)?;
        let executor = self.executor();
        for version in &chosen {
            let migration = Self::migration(version).ok_or_else(|| self.missing(version))?;
            let work = Work::new(self.backend(), migration.as_ref(), Direction::Down)
                .await
                .map_err(self.db_err("migrate down"))?;
            self.check_lock(version).await?;
            progress(&Event::RollingBack(version.clone()));
            let started = Instant::now();
            executor.run(&work, snapshot.history.get(version)).await?;
            progress(&Event::RolledBack(version.clone(), started.elapsed()));
        }
        Ok(chosen.len())
    }

    /// The migration state, once the history tables exist, migrations applied by other tools
    /// are recorded, and nothing blocks a run (see [`Runner::verify`]).
    async fn checked_snapshot(
        &self,
        progress: &mut dyn FnMut(&Event),
    ) -> Result<Snapshot, RunError> {
        self.install().await?;
        let snapshot = self.snapshot().await?;
        let snapshot = self.reconcile(snapshot, progress).await?;
        self.verify(&snapshot).await?;
        Ok(snapshot)
    }

    /// Creates `seaql_migrations` and the history tables if missing (only under the lock, so
    /// concurrent first runs cannot race on CREATE TABLE).
    async fn install(&self) -> Result<(), RunError> {
        let err = self.db_err("creating the migration history tables");
        M::install(self.db).await.map_err(&err)?;
        history::install(self.db).await.map_err(&err)
    }

    async fn snapshot(&self) -> Result<Snapshot, RunError> {
        let err = self.db_err("reading the migration history");
        let txn = self.begin_read_only().await.map_err(&err)?;
        let snapshot = Snapshot::read(&(&txn).into(), &M::migration_table_name().to_string()).await;
        self.end_read_only(txn, snapshot.is_ok())
            .await
            .map_err(&err)?;
        snapshot.map_err(err)
    }

    /// A read-only transaction, so a read sees one consistent state and a transaction pooler
    /// keeps all of it on one server connection (see [`Runner::end_read_only`]).
    async fn begin_read_only(&self) -> Result<DatabaseTransaction, DbErr> {
        match self.backend() {
            DbBackend::Postgres => {
                self.db
                    .begin_with_config(
                        Some(IsolationLevel::RepeatableRead),
                        Some(AccessMode::ReadOnly),
                    )
                    .await
            }
            _ => self.db.begin().await,
        }
    }

    /// Ends a read-only transaction. On PostgreSQL the statements it prepared are deallocated
    /// first: a prepared statement outlives its transaction on the server, and behind a
    /// transaction pooler the next client on that server connection would meet our
    /// `sqlx_s_1` ("prepared statement already exists"). Our own connections cache no
    /// statements, so nothing on our side refers to them afterwards; a connection with a
    /// statement cache (not declared [`Runner::uncached_statements`]) is left alone.
    async fn end_read_only(&self, txn: DatabaseTransaction, ok: bool) -> Result<(), DbErr> {
        let deallocate = self.backend() == DbBackend::Postgres && self.uncached;
        if !ok {
            return txn.rollback().await;
        }
        if deallocate {
            txn.execute_unprepared("DEALLOCATE ALL").await?;
        }
        txn.commit().await
    }

    /// Rejects an unknown `--to` before anything is locked or created.
    fn check_selection(&self, selection: &Selection) -> Result<(), RunError> {
        match selection {
            Selection::To(query) => self.find_version(query).map(|_| ()),
            _ => Ok(()),
        }
    }

    /// Resolves a version query: a full name, a unique prefix, a serial number or a group name.
    pub fn find_version(&self, query: &str) -> Result<String, RunError> {
        Ok(find_version(&Self::names(), query)?)
    }
}

/// The library's progress output: one `tracing` event per step.
fn log_event(event: &Event) {
    match event {
        Event::Applying(v) => tracing::debug!("applying {v}"),
        Event::Applied(v, d) => tracing::info!("applied {v} in {} ms", d.as_millis()),
        Event::RollingBack(v) => tracing::debug!("rolling back {v}"),
        Event::RolledBack(v, d) => tracing::info!("rolled back {v} in {} ms", d.as_millis()),
        Event::Note(text) => tracing::info!("{text}"),
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
