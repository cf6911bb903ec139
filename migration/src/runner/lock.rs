//! The database-wide migration lock, so replicas that start together migrate one at a time.
//!
//! - PostgreSQL: a session advisory lock, taken on a connection detached from the pool (a pooled
//!   connection could be recycled and silently drop the lock). Detaching reuses a connection the
//!   pool already opened, so no second TLS handshake is paid.
//! - MySQL/MariaDB/TiDB: `GET_LOCK('learndb_migrate:<database>')` on a detached connection, so
//!   the lock is scoped to the database being migrated.
//! - SQLite: an exclusive OS file lock on `<database file>.lock` beside the database.
//!
//! All three belong to a session or a file descriptor, so a killed holder never leaves the lock
//! held: the server ends the session, or the kernel closes the descriptor.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[cfg(any(feature = "postgres", feature = "mysql"))]
use sea_orm::sqlx::{self, Connection};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use sea_orm_migration::sea_orm;

use super::interrupt::Signal;
use crate::connect::Target;

/// The advisory lock key on PostgreSQL: "lear" in ASCII, below 2^31 so it reads back from
/// `pg_locks` as classid 0, objid KEY.
const PG_KEY: i64 = 0x6c65_6172;

/// A held migration lock. Dropping it releases the lock.
pub struct MigrationLock {
    held: Held,
}

enum Held {
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgConnection),
    #[cfg(feature = "mysql")]
    MySql(sqlx::MySqlConnection),
    File(File),
    Nothing,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("the migration lock on {target} is held{}; waited {waited} s (raise --lock-timeout, or wait for the other run to finish)", holder_text(.holder))]
    Timeout {
        target: String,
        waited: u64,
        holder: Option<String>,
    },
    #[error("cannot take the migration lock on {target}: {reason}")]
    Failed { target: String, reason: String },
    #[error("stopped by {} while waiting for the migration lock on {target}; nothing was changed", .signal.name())]
    Interrupted { target: String, signal: Signal },
}

/// The reason for a backend this build was compiled without.
#[cfg(not(all(feature = "postgres", feature = "mysql")))]
fn without(feature: &str) -> String {
    format!("this build of the migration crate has no `{feature}` feature")
}

/// Stops waiting for the lock when SIGINT or SIGTERM arrived.
fn interrupted(target: &Target) -> Result<(), LockError> {
    match super::interrupt::requested() {
        Some(signal) => Err(LockError::Interrupted {
            target: target.to_string(),
            signal,
        }),
        None => Ok(()),
    }
}

fn holder_text(holder: &Option<String>) -> String {
    holder
        .as_ref()
        .map(|h| format!(" by {h}"))
        .unwrap_or_default()
}

impl MigrationLock {
    /// Takes the lock, waiting up to `timeout`.
    pub async fn acquire(
        target: &Target,
        db: &DatabaseConnection,
        timeout: Duration,
    ) -> Result<MigrationLock, LockError> {
        let failed = |reason: String| LockError::Failed {
            target: target.to_string(),
            reason: target.scrub(&reason),
        };
        let held = match target.backend() {
            #[cfg(not(feature = "postgres"))]
            DbBackend::Postgres => return Err(failed(without("postgres"))),
            #[cfg(not(feature = "mysql"))]
            DbBackend::MySql => return Err(failed(without("mysql"))),
            #[cfg(feature = "postgres")]
            DbBackend::Postgres => {
                let mut conn = db
                    .get_postgres_connection_pool()
                    .acquire()
                    .await
                    .map_err(|e| failed(e.to_string()))?
                    .detach();
                let deadline = Instant::now() + timeout;
                loop {
                    let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                        .bind(PG_KEY)
                        .fetch_one(&mut conn)
                        .await
                        .map_err(|e| failed(e.to_string()))?;
                    if got {
                        break Held::Postgres(conn);
                    }
                    interrupted(target)?;
                    if Instant::now() >= deadline {
                        return Err(timed_out(target, db, timeout).await);
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
            #[cfg(feature = "mysql")]
            DbBackend::MySql => {
                let mut conn = db
                    .get_mysql_connection_pool()
                    .acquire()
                    .await
                    .map_err(|e| failed(e.to_string()))?
                    .detach();
                // Waited for in slices of at most a second, so a signal is noticed.
                let deadline = Instant::now() + timeout;
                loop {
                    interrupted(target)?;
                    let slice = deadline
                        .saturating_duration_since(Instant::now())
                        .min(Duration::from_secs(1));
                    let got: Option<i64> = sqlx::query_scalar(MYSQL_GET_LOCK)
                        .bind(slice.as_secs_f64())
                        .fetch_one(&mut conn)
                        .await
                        .map_err(|e| failed(e.to_string()))?;
                    match got {
                        Some(1) => break Held::MySql(conn),
                        Some(_) if Instant::now() < deadline => {}
                        Some(_) => return Err(timed_out(target, db, timeout).await),
                        None => return Err(failed("GET_LOCK returned NULL".into())),
                    }
                }
            }
            _ => match sqlite_lock_file(target, db).await {
                None => Held::Nothing,
                Some(path) => {
                    let mut file = OpenOptions::new()
                        .create(true)
                        .truncate(false)
                        .write(true)
                        .open(&path)
                        .map_err(|e| failed(format!("{}: {e}", path.display())))?;
                    let deadline = Instant::now() + timeout;
                    loop {
                        match file.try_lock() {
                            Ok(()) => break,
                            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                                interrupted(target)?;
                                tokio::time::sleep(Duration::from_millis(100)).await;
                            }
                            Err(TryLockError::WouldBlock) => {
                                return Err(timed_out(target, db, timeout).await);
                            }
                            Err(TryLockError::Error(e)) => {
                                return Err(failed(format!("{}: {e}", path.display())));
                            }
                        }
                    }
                    // Tell waiting processes who holds it.
                    file.set_len(0).ok();
                    let _ = write!(
                        file,
                        "{} since {}",
                        super::history::whoami(),
                        chrono::Utc::now().to_rfc3339()
                    );
                    Held::File(file)
                }
            },
        };
        Ok(MigrationLock { held })
    }

    /// Releases the lock now (dropping it does the same, less politely for the servers).
    pub async fn release(self) {
        match self.held {
            #[cfg(feature = "postgres")]
            Held::Postgres(mut conn) => {
                let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(PG_KEY)
                    .execute(&mut conn)
                    .await;
                let _ = conn.close().await;
            }
            #[cfg(feature = "mysql")]
            Held::MySql(mut conn) => {
                let _ = sqlx::query(MYSQL_RELEASE_LOCK).execute(&mut conn).await;
                let _ = conn.close().await;
            }
            Held::File(file) => {
                file.set_len(0).ok();
                let _ = file.unlock();
            }
            Held::Nothing => {}
        }
    }
}

async fn timed_out(target: &Target, db: &DatabaseConnection, timeout: Duration) -> LockError {
    LockError::Timeout {
        target: target.to_string(),
        waited: timeout.as_secs(),
        holder: holder(target, db).await.ok().flatten(),
    }
}

// `GET_LOCK` names are server-wide, so the name carries the database; MySQL caps it at 64
// characters.
#[cfg(feature = "mysql")]
const MYSQL_GET_LOCK: &str = "SELECT GET_LOCK(LEFT(CONCAT('learndb_migrate:', DATABASE()), 64), ?)";
#[cfg(feature = "mysql")]
const MYSQL_RELEASE_LOCK: &str =
    "SELECT RELEASE_LOCK(LEFT(CONCAT('learndb_migrate:', DATABASE()), 64))";
const MYSQL_IS_USED_LOCK: &str =
    "SELECT IS_USED_LOCK(LEFT(CONCAT('learndb_migrate:', DATABASE()), 64))";

/// `<database file>.lock` beside the real file, or nothing for an in-memory database. The path is
/// canonicalized first (the file when it exists, else its folder), so a symlink or a relative
/// path to the same database finds the same lock.
fn lock_file(target: &Target) -> Option<PathBuf> {
    lock_file_of(target.sqlite_path()?)
}

/// The lock file of a SQLite target; for the application's own connection
/// ([`Target::of_connection`]) the database file is asked from SQLite.
async fn sqlite_lock_file(target: &Target, db: &DatabaseConnection) -> Option<PathBuf> {
    if target.source() != crate::connect::Source::Connection {
        return lock_file(target);
    }
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT file FROM pragma_database_list WHERE name = 'main'",
        ))
        .await
        .ok()??;
    let file: String = row.try_get("", "file").ok()?;
    lock_file_of(PathBuf::from(file))
}

fn lock_file_of(path: PathBuf) -> Option<PathBuf> {
    let text = path.to_string_lossy();
    if text.is_empty() || text.starts_with(':') || text.contains("mode=memory") {
        return None;
    }
    let real = std::fs::canonicalize(&path).ok().or_else(|| {
        let name = path.file_name()?;
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => std::path::Path::new("."),
        };
        std::fs::canonicalize(folder).ok().map(|f| f.join(name))
    });
    let mut name = real.unwrap_or(path).into_os_string();
    name.push(".lock");
    Some(PathBuf::from(name))
}

/// Who holds the lock now, without taking it (for `status` and timeout messages): `None` when
/// it is free. Read-only, through the pool.
pub async fn holder(target: &Target, db: &DatabaseConnection) -> Result<Option<String>, DbErr> {
    let backend = target.backend();
    let query = |sql: &str, values: Vec<sea_orm::Value>| {
        Statement::from_sql_and_values(backend, sql, values)
    };
    match backend {
        DbBackend::Postgres => {
            let row = db
                .query_one_raw(query(
                    "SELECT a.pid, COALESCE(a.usename::text, '') AS usename, COALESCE(a.application_name, '') AS app,
                            COALESCE(host(a.client_addr), 'local') AS addr, a.backend_start::text AS since
                     FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                     WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid::bigint = $1
                       AND l.objsubid = 1
                       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                    vec![PG_KEY.into()],
                ))
                .await?;
            row.map(|r| {
                Ok(format!(
                    "PostgreSQL backend pid {} (user {}, application '{}', from {}, connected {})",
                    r.try_get::<i32>("", "pid")?,
                    r.try_get::<String>("", "usename")?,
                    r.try_get::<String>("", "app")?,
                    r.try_get::<String>("", "addr")?,
                    r.try_get::<String>("", "since")?
                ))
            })
            .transpose()
        }
        DbBackend::MySql => {
            let id = db
                .query_one_raw(query(MYSQL_IS_USED_LOCK, Vec::new()))
                .await?
                .and_then(|r| r.try_get_by_index::<Option<i64>>(0).ok().flatten());
            let Some(id) = id else {
                return Ok(None);
            };
            let who = db
                .query_one_raw(query(
                    "SELECT CAST(USER AS CHAR) AS u, CAST(HOST AS CHAR) AS h, CAST(TIME AS SIGNED) AS t FROM information_schema.PROCESSLIST WHERE ID = ?",
                    vec![id.into()],
                ))
                .await?;
            Ok(Some(match who {
                Some(r) => format!(
                    "connection {id} ({}@{}, for {} s)",
                    r.try_get::<String>("", "u").unwrap_or_default(),
                    r.try_get::<String>("", "h").unwrap_or_default(),
                    r.try_get::<i64>("", "t").unwrap_or_default()
                ),
                None => format!("connection {id}"),
            }))
        }
        _ => {
            let Some(path) = sqlite_lock_file(target, db).await else {
                return Ok(None);
            };
            let Ok(file) = File::open(&path) else {
                return Ok(None);
            };
            match file.try_lock_shared() {
                Ok(()) => {
                    let _ = file.unlock();
                    Ok(None)
                }
                Err(_) => {
                    let who = std::fs::read_to_string(&path).unwrap_or_default();
                    Ok(Some(if who.trim().is_empty() {
                        format!("another process (lock file {})", path.display())
                    } else {
                        who.trim().to_owned()
                    }))
                }
            }
        }
    }
}
