//! Shared test harness: a fresh, real database per test on each backend, and the helpers the
//! integration tests share.
//!
//! PostgreSQL and MariaDB/MySQL are reached at `TEST_POSTGRES_URL` and `TEST_MYSQL_URL`, which
//! default to what `docker compose up -d` provides (and what the CI machine runs on loopback).
//! Each test creates its own database (`learndb_t_<random>`) through that admin URL and drops it
//! when the handle goes out of scope, so tests run in parallel. SQLite tests get a file in a
//! temporary directory. A server that cannot be reached fails the test with a message saying
//! how to start it; nothing is skipped.

#![allow(dead_code)]
// Test helpers fail the test by panicking: that is their job.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod catalog;
pub mod factories;
pub mod halfway;
pub mod private;
pub mod proxy;
pub mod rows;
pub mod service;
pub mod spec;
mod template;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use migration::connect::{Source, Target};
use migration::runner::{Runner, Selection};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
};

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres:postgres@127.0.0.1:5432/postgres";
pub const DEFAULT_MYSQL_URL: &str = "mysql://root@127.0.0.1:3306/mysql";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    MySql,
    Sqlite,
}

impl Backend {
    pub fn db_backend(self) -> DbBackend {
        match self {
            Backend::Postgres => DbBackend::Postgres,
            Backend::MySql => DbBackend::MySql,
            Backend::Sqlite => DbBackend::Sqlite,
        }
    }

    fn admin_url(self) -> Option<(String, &'static str)> {
        // A developer's .env may set the TEST_* URLs; a missing file is fine.
        dotenvy::dotenv().ok();
        let (var, default) = match self {
            Backend::Postgres => ("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL),
            Backend::MySql => ("TEST_MYSQL_URL", DEFAULT_MYSQL_URL),
            Backend::Sqlite => return None,
        };
        Some((
            std::env::var(var).unwrap_or_else(|_| default.to_owned()),
            var,
        ))
    }

    fn start_hint(self) -> &'static str {
        match self {
            Backend::Postgres => {
                "start PostgreSQL with `docker compose up -d postgres` (or `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` on a Debian host), or point TEST_POSTGRES_URL at a server where the user may create databases"
            }
            Backend::MySql => {
                "start MariaDB with `docker compose up -d mariadb` (or `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd` on a Debian host), or point TEST_MYSQL_URL at a server where the user may create databases"
            }
            Backend::Sqlite => "",
        }
    }
}

/// A database that exists for one test.
pub struct TestDb {
    pub backend: Backend,
    /// URL of the test database itself (for subprocesses).
    pub url: String,
    pub db: DatabaseConnection,
    name: String,
    admin_url: Option<String>,
    dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// Creates a fresh, empty database on `backend`.
    pub async fn new(backend: Backend) -> TestDb {
        TestDb::create(backend, None).await
    }

    /// Creates a database, as a copy of `template` where one is given (PostgreSQL).
    async fn create(backend: Backend, template: Option<&str>) -> TestDb {
        let name = format!(
            "learndb_t_{}",
            &uuid::Uuid::new_v4().simple().to_string()[..16]
        );
        match backend.admin_url() {
            None => {
                let dir = tempfile::tempdir().expect("create a temporary directory");
                let path: PathBuf = dir.path().join(format!("{name}.sqlite"));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                let db = connect(&url, backend).await;
                TestDb {
                    backend,
                    url,
                    db,
                    name,
                    admin_url: None,
                    dir: Some(dir),
                }
            }
            Some((admin_url, var)) => {
                let admin = connect_admin(&admin_url, var, backend).await;
                let create = match (backend, template) {
                    (Backend::Postgres, Some(template)) => {
                        format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"")
                    }
                    (Backend::Postgres, None) => format!("CREATE DATABASE \"{name}\""),
                    _ => format!(
                        "CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                    ),
                };
                admin
                    .execute_unprepared(&create)
                    .await
                    .unwrap_or_else(|e| panic!("{var}: cannot create test database {name}: {e}"));
                admin.close().await.ok();
                let url = with_database(&admin_url, &name);
                let db = connect(&url, backend).await;
                TestDb {
                    backend,
                    url,
                    db,
                    name,
                    admin_url: Some(admin_url),
                    dir: None,
                }
            }
        }
    }

    /// A fresh database with every migration applied through the runner, the path
    /// `learndb migrate up` takes. PostgreSQL databases are cloned from a migrated template
    /// (`CREATE DATABASE … TEMPLATE`) and SQLite ones copied from a migrated file, both made once
    /// per test process; MariaDB has no cheap clone, so each test migrates its own database.
    /// `LEARNDB_TEST_TEMPLATES=0` migrates every database in full (to measure what the templates
    /// save, docs/benchmarks.md).
    pub async fn migrated(backend: Backend) -> TestDb {
        let templates = std::env::var("LEARNDB_TEST_TEMPLATES").map_or(true, |v| v != "0");
        match backend {
            _ if !templates => {
                let t = TestDb::new(backend).await;
                t.migrate(Selection::All).await;
                t
            }
            Backend::MySql => {
                let t = TestDb::new(backend).await;
                t.migrate(Selection::All).await;
                t
            }
            Backend::Sqlite => {
                let template = template::sqlite().await;
                let mut t = TestDb::new(backend).await;
                t.db.close_by_ref().await.ok();
                let path = t.sqlite_path().expect("a SQLite test database has a file");
                std::fs::copy(template, &path)
                    .unwrap_or_else(|e| panic!("copy the migrated SQLite template: {e}"));
                t.db = connect(&t.url, backend).await;
                t
            }
            Backend::Postgres => {
                let template = template::postgres().await;
                TestDb::create(backend, Some(template)).await
            }
        }
    }

    /// Runs the migration runner (`learndb migrate up`) on this database.
    pub async fn migrate(&self, selection: Selection) -> usize {
        let target = Target::parse(&self.url, Source::Env)
            .unwrap_or_else(|e| panic!("test database URL: {e}"));
        Runner::<Migrator>::for_target(&self.db, &target)
            .up_with(&selection, &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("{:?}: migrate up {selection:?}: {e}", self.backend))
    }

    /// Rolls back through the migration runner (`learndb migrate down`).
    pub async fn roll_back(&self, selection: Selection) -> usize {
        let target = Target::parse(&self.url, Source::Env)
            .unwrap_or_else(|e| panic!("test database URL: {e}"));
        Runner::<Migrator>::for_target(&self.db, &target)
            .down_with(&selection, &mut |_| {})
            .await
            .unwrap_or_else(|e| panic!("{:?}: migrate down {selection:?}: {e}", self.backend))
    }

    /// This database as the runner names it (from `--database-url`).
    pub fn target(&self) -> Target {
        Target::parse(&self.url, Source::Flag).unwrap_or_else(|e| panic!("test database URL: {e}"))
    }

    pub fn db_backend(&self) -> DbBackend {
        self.backend.db_backend()
    }

    /// The SQLite file, for SQLite test databases.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.path().join(format!("{}.sqlite", self.name)))
    }

    pub async fn exec(&self, sql: &str) -> Result<(), sea_orm::DbErr> {
        self.db.execute_unprepared(sql).await.map(|_| ())
    }

    pub async fn query_strings(&self, sql: &str, column: &str) -> Vec<String> {
        self.db
            .query_all_raw(Statement::from_string(self.db_backend(), sql))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .map(|row| {
                row.try_get::<String>("", column)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
            })
            .collect()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(admin_url) = self.admin_url.clone() else {
            return;
        };
        let drop = match self.backend {
            Backend::Postgres => format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name),
            _ => format!("DROP DATABASE IF EXISTS `{}`", self.name),
        };
        cleanup(admin_url, vec![drop]);
    }
}

/// Runs `statements` on the database at `url` from a `Drop` impl: drop runs inside the test's
/// runtime, so the cleanup gets a thread and a runtime of its own. Failures are warnings.
pub fn cleanup(url: String, statements: Vec<String>) {
    let worker = std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async move {
            let Ok(db) = Database::connect(url.as_str()).await else {
                eprintln!("warning: could not connect to clean up: {statements:?}");
                return;
            };
            for sql in &statements {
                if let Err(e) = db.execute_unprepared(sql).await {
                    eprintln!("warning: {sql}: {e}");
                }
            }
            db.close().await.ok();
        });
    });
    worker.join().ok();
}

/// Connects with the migration crate's own connection code, so an unreachable server is
/// reported as precisely as the CLI reports it ("Connection refused", "refused the login", ...).
async fn connect_admin(url: &str, var: &str, backend: Backend) -> DatabaseConnection {
    let connected = match Target::parse(url, Source::Env) {
        Ok(target) => target
            .connect(Duration::from_secs(10))
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    connected.unwrap_or_else(|e| {
        panic!(
            "{backend:?} test server at {var} is unusable: {e}. To run the tests, {}.",
            backend.start_hint()
        )
    })
}

async fn connect(url: &str, backend: Backend) -> DatabaseConnection {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .max_connections(if backend == Backend::Sqlite { 1 } else { 4 })
        .sqlx_logging(false);
    Database::connect(options).await.unwrap_or_else(|e| {
        panic!(
            "cannot connect to test database {}: {e}",
            migration::connect::redact(url)
        )
    })
}

/// Replaces the database name (the URL path) of a server URL.
pub fn with_database(url: &str, name: &str) -> String {
    learndb::verify::with_database(url, name).expect("test server URLs are valid")
}

/// Every migration's version, in order.
pub fn migration_names() -> Vec<String> {
    Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

/// The number of tables the schema has at its latest migration (the spec's headline count).
pub fn schema_tables() -> usize {
    spec::Spec::load().totals.tables
}

/// `N of N`: every migration of the set, as status, verify and doctor count them.
pub fn all_of_all() -> String {
    let n = migration_names().len();
    format!("{n} of {n}")
}

/// How many migrations, from the first, sea-orm-migration's own `Migrator::up` can apply: the
/// launch set. Module 20's `use_transaction()` is `None`, which sea-orm-migration runs in a
/// transaction on PostgreSQL, where its `CREATE INDEX CONCURRENTLY` fails; module 21 rebuilds
/// SQLite tables and needs the foreign keys off that learndb's runner turns off around it.
pub fn plain_sea_orm_migrations() -> usize {
    Migrator::migrations()
        .iter()
        .take_while(|m| m.use_transaction() == Some(true))
        .count()
}

/// The table groups the migration set implements, in order: `m20261121_000001_users` → `users`.
pub fn implemented_modules() -> Vec<String> {
    migration_names()
        .iter()
        .map(|v| migration::runner::group_of(v))
        .collect()
}

/// The `learndb` binary that `cargo test` built for this workspace.
pub fn learndb_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_learndb"))
}

/// `bin` run in `dir`, isolated from the caller: no DATABASE_URL, DIRECT_DATABASE_URL, RUST_LOG
/// or LEARNDB_ENV from outside, no `.env` in reach (`dir` is a temporary folder), and stdin not a
/// terminal.
pub fn command(bin: &Path, dir: &Path) -> Command {
    let mut command = Command::new(bin);
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("DIRECT_DATABASE_URL")
        .env_remove("RUST_LOG")
        .env_remove("LEARNDB_ENV")
        .stdin(Stdio::null());
    command
}

/// Runs `learndb migrate -u URL <args>` as operators do, isolated like [`command`], plus the
/// given environment.
pub fn learndb_migrate(url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    command(&learndb_bin(), dir.path())
        .args(["migrate", "-u", url])
        .args(args)
        .envs(env.iter().copied())
        .output()
        .expect("the learndb binary starts")
}

/// `learndb migrate status --check` and `learndb verify` on `url` both pass: every migration
/// applied and the catalog what the migrations make. `context` prefixes a failure.
pub fn assert_current_and_verified(url: &str, context: &str) {
    let o = learndb_migrate(url, &["status", "--check"], &[]);
    assert!(o.status.success(), "{context}status --check: {}", show(&o));
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let o = command(&learndb_bin(), dir.path())
        .args(["verify", "-u", url])
        .output()
        .expect("the learndb binary starts");
    assert!(o.status.success(), "{context}verify: {}", show(&o));
}

/// Starts `n` commands at once (each made by `make`), as replicas start, and waits for them all.
/// `path` with every character but `/` percent-encoded: another spelling of the same file in a
/// `sqlite://` URL (the driver decodes it). For ASCII paths, as temporary folders are.
pub fn percent_encoded_path(path: &std::path::Path) -> String {
    path.to_string_lossy()
        .chars()
        .map(|c| match c {
            '/' => "/".to_owned(),
            c => format!("%{:02X}", c as u32),
        })
        .collect()
}

pub fn run_at_once(n: usize, mut make: impl FnMut() -> Command) -> Vec<Output> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            make()
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("the command starts")
        })
        .collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().expect("the command ends"))
        .collect()
}

/// Exit status and both streams, for assertion messages.
pub fn show(o: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        stdout(o),
        stderr(o)
    )
}

/// The version of the migration of table group `group` (`content` → `m20261121_000002_content`).
pub fn migration_of_group(group: &str) -> String {
    migration_names()
        .into_iter()
        .find(|n| n.ends_with(&format!("_{group}")))
        .unwrap_or_else(|| panic!("no migration for group {group}"))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Declares one `#[tokio::test]` per backend that runs `$body(Backend)`, in a module named after
/// what the test proves: `schema_matches_spec::postgres`, `::mysql`, `::sqlite`.
#[macro_export]
macro_rules! on_every_backend {
    ($name:ident, $body:path) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $body(common::Backend::Postgres).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn mysql() {
                $body(common::Backend::MySql).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $body(common::Backend::Sqlite).await
            }
        }
    };
}
