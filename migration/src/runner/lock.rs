//! The database-wide migration lock, so replicas that start together migrate one at a time.
//!
//! - PostgreSQL: a session advisory lock, taken on a dedicated connection outside the pool (a
//!   pooled connection could be recycled and silently drop the lock).
//! - MySQL/MariaDB/TiDB: `GET_LOCK('learndb_migrate:<database>')` on a dedicated connection, so
//!   the lock is scoped to the database being migrated.
//! - SQLite: an exclusive OS file lock on `<database file>.lock` beside the database.
//!
//! All three belong to a session or a file descriptor, so a killed holder never leaves the lock
//! held: the server ends the session, or the kernel closes the descriptor.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use sea_orm::sqlx::{self, ConnectOptions, Connection, Row};
use sea_orm::{DbBackend, DbErr};
use sea_orm_migration::sea_orm;

use crate::connect::Target;

/// The advisory lock key on PostgreSQL: "lear" in ASCII, below 2^31 so it reads back from
/// `pg_locks` as classid 0, objid KEY.
const PG_KEY: i64 = 0x6c65_6172;

/// A held migration lock. Dropping it releases the lock.
pub struct MigrationLock {
    _held: Held,
}

enum Held {
    Postgres(sqlx::PgConnection),
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
}

fn holder_text(holder: &Option<String>) -> String {
    holder
        .as_ref()
        .map(|h| format!(" by {h}"))
        .unwrap_or_default()
}

impl MigrationLock {
    /// Takes the lock, waiting up to `timeout`.
    pub async fn acquire(target: &Target, timeout: Duration) -> Result<MigrationLock, LockError> {
        let failed = |reason: String| LockError::Failed {
            target: target.to_string(),
            reason: target.scrub(&reason),
        };
        let held = match target.backend() {
            DbBackend::Postgres => {
                let mut conn = pg_connection(target)
                    .await
                    .map_err(|e| failed(e.to_string()))?;
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
                    if Instant::now() >= deadline {
                        return Err(timed_out(target, timeout).await);
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
            DbBackend::MySql => {
                let mut conn = mysql_connection(target)
                    .await
                    .map_err(|e| failed(e.to_string()))?;
                let got: Option<i64> = sqlx::query_scalar(MYSQL_GET_LOCK)
                    .bind(timeout.as_secs_f64())
                    .fetch_one(&mut conn)
                    .await
                    .map_err(|e| failed(e.to_string()))?;
                match got {
                    Some(1) => Held::MySql(conn),
                    Some(_) => return Err(timed_out(target, timeout).await),
                    None => return Err(failed("GET_LOCK returned NULL".into())),
                }
            }
            _ => match lock_file(target) {
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
                                tokio::time::sleep(Duration::from_millis(100)).await;
                            }
                            Err(TryLockError::WouldBlock) => {
                                return Err(timed_out(target, timeout).await);
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
        Ok(MigrationLock { _held: held })
    }

    /// Releases the lock now (dropping it does the same, less politely for the servers).
    pub async fn release(self) {
        match self._held {
            Held::Postgres(mut conn) => {
                let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                    .bind(PG_KEY)
                    .execute(&mut conn)
                    .await;
                let _ = conn.close().await;
            }
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

async fn timed_out(target: &Target, timeout: Duration) -> LockError {
    LockError::Timeout {
        target: target.to_string(),
        waited: timeout.as_secs(),
        holder: holder(target).await.ok().flatten(),
    }
}

// The lock connections log no statements: `GET_LOCK` waits on the server by design, and sqlx
// would report every wait longer than a second as a slow statement on stderr.
async fn pg_connection(target: &Target) -> Result<sqlx::PgConnection, sqlx::Error> {
    let options: sqlx::postgres::PgConnectOptions = target.url().parse()?;
    let options = options
        .application_name("learndb migrate (lock)")
        .disable_statement_logging();
    sqlx::PgConnection::connect_with(&options).await
}

async fn mysql_connection(target: &Target) -> Result<sqlx::MySqlConnection, sqlx::Error> {
    let options: sqlx::mysql::MySqlConnectOptions = target.url().parse()?;
    sqlx::MySqlConnection::connect_with(&options.disable_statement_logging()).await
}

// `GET_LOCK` names are server-wide, so the name carries the database; MySQL caps it at 64
// characters.
const MYSQL_GET_LOCK: &str = "SELECT GET_LOCK(LEFT(CONCAT('learndb_migrate:', DATABASE()), 64), ?)";
const MYSQL_RELEASE_LOCK: &str =
    "SELECT RELEASE_LOCK(LEFT(CONCAT('learndb_migrate:', DATABASE()), 64))";
const MYSQL_IS_USED_LOCK: &str =
    "SELECT IS_USED_LOCK(LEFT(CONCAT('learndb_migrate:', DATABASE()), 64))";

/// `<database file>.lock`, or nothing for an in-memory database.
fn lock_file(target: &Target) -> Option<PathBuf> {
    let path = target.sqlite_path()?;
    let text = path.to_string_lossy();
    if text.is_empty() || text.starts_with(':') || text.contains("mode=memory") {
        return None;
    }
    let mut name = path.clone().into_os_string();
    name.push(".lock");
    Some(PathBuf::from(name))
}

/// Who holds the lock now, without taking it (for `status` and timeout messages): `None` when
/// it is free. Read-only on the database.
pub async fn holder(target: &Target) -> Result<Option<String>, DbErr> {
    let err = |e: sqlx::Error| DbErr::Custom(target.scrub(&e.to_string()));
    match target.backend() {
        DbBackend::Postgres => {
            let mut conn = pg_connection(target).await.map_err(err)?;
            let row = sqlx::query(
                "SELECT a.pid, COALESCE(a.usename::text, '') AS usename, COALESCE(a.application_name, '') AS app,
                        COALESCE(host(a.client_addr), 'local') AS addr, a.backend_start::text AS since
                 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                 WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid::bigint = $1 AND l.objsubid = 1
                   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            )
            .bind(PG_KEY)
            .fetch_optional(&mut conn)
            .await
            .map_err(err)?;
            let _ = conn.close().await;
            Ok(row.map(|r| {
                format!(
                    "PostgreSQL backend pid {} (user {}, application '{}', from {}, connected {})",
                    r.get::<i32, _>("pid"),
                    r.get::<String, _>("usename"),
                    r.get::<String, _>("app"),
                    r.get::<String, _>("addr"),
                    r.get::<String, _>("since")
                )
            }))
        }
        DbBackend::MySql => {
            let mut conn = sqlx::MySqlConnection::connect(target.url())
                .await
                .map_err(err)?;
            let id: Option<i64> = sqlx::query_scalar(MYSQL_IS_USED_LOCK)
                .fetch_one(&mut conn)
                .await
                .map_err(err)?;
            let Some(id) = id else {
                let _ = conn.close().await;
                return Ok(None);
            };
            let who = sqlx::query(
                "SELECT CAST(USER AS CHAR) AS u, CAST(HOST AS CHAR) AS h, TIME AS t FROM information_schema.PROCESSLIST WHERE ID = ?",
            )
            .bind(id)
            .fetch_optional(&mut conn)
            .await
            .map_err(err)?;
            let _ = conn.close().await;
            Ok(Some(match who {
                Some(r) => format!(
                    "connection {id} ({}@{}, for {} s)",
                    r.try_get::<String, _>("u").unwrap_or_default(),
                    r.try_get::<String, _>("h").unwrap_or_default(),
                    r.try_get::<i64, _>("t").unwrap_or_default()
                ),
                None => format!("connection {id}"),
            }))
        }
        _ => {
            let Some(path) = lock_file(target) else {
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
