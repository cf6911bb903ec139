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
//!
//! That holds only where a connection is a session. Behind a transaction pooler (PgBouncer or
//! Supavisor in transaction mode) each statement may run on another pooled server connection: a
//! session lock lands on whichever one ran `pg_try_advisory_lock`, stays there after learndb
//! exits, and blocks every later run until the pooler recycles that connection. And some servers
//! accept the calls without locking anything (CockroachDB's advisory-lock stubs, TiDB's
//! `GET_LOCK` before 6.1). So the lock is proven, never assumed:
//!
//! - before locking on PostgreSQL, [`pg_shared_sessions`] checks that connections keep their own
//!   server session (no two report the same backend pid, none changes pid); otherwise the run is
//!   refused before anything is locked, so no lock can be left on a pooled connection;
//! - after locking, a second session must fail to take the same lock; otherwise the lock is
//!   released (the probe cleans up after itself in the same statement) and the run refused;
//! - before each migration, [`MigrationLock::verify`] checks on the lock's own connection that
//!   it still holds the lock, so a run that lost it (a killed session, TiDB's lease) stops;
//! - on release, the unlock must run on the holder's own backend; if it did not, that backend is
//!   ended rather than left holding the lock.
//!
//! Every statement of the PostgreSQL lock uses the simple query protocol (no prepared
//! statements), so a refusal through PgBouncer is that one clear line, not a driver error.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[cfg(feature = "postgres")]
use sea_orm::sqlx::Row;
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
    /// The connection, its backend pid, and how to reach the server again.
    #[cfg(feature = "postgres")]
    Postgres(
        sqlx::PgConnection,
        i32,
        std::sync::Arc<sqlx::postgres::PgConnectOptions>,
    ),
    /// The connection, and whether the server is TiDB (whose `IS_USED_LOCK` names no holder).
    #[cfg(feature = "mysql")]
    MySql(sqlx::MySqlConnection, bool),
    /// SQLite: the lock beside the database file, then its identity lock ([`lock_files_of`]).
    File(Vec<File>),
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
    /// Connections do not keep a server session: a transaction pooler.
    #[error(
        "refusing to migrate {target}: its connections do not keep their own server session ({evidence}), as behind a transaction pooler (PgBouncer or Supavisor in transaction mode), so the migration lock cannot hold; nothing was locked or changed; connect migrations directly or through a session pooler: set DIRECT_DATABASE_URL (or --direct-url) to the server's own address"
    )]
    NoSession { target: String, evidence: String },
    /// The lock was granted, but a second session could take it too.
    #[error(
        "refusing to migrate {target}: the migration lock is not exclusive there ({evidence}); it was released and nothing was changed; connect migrations directly to the database server (DIRECT_DATABASE_URL or --direct-url)"
    )]
    NotExclusive { target: String, evidence: String },
    /// The lock was held, and is not any more (checked before each migration).
    #[error(
        "the migration lock on {target} was lost before {version} ({evidence}); stopped before applying it, so another run may be migrating; run the command again"
    )]
    Lost {
        target: String,
        version: String,
        evidence: String,
    },
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
                let pool = db.get_postgres_connection_pool();
                let options = pool.connect_options();
                if let Some(evidence) = pg_shared_sessions(pool)
                    .await
                    .map_err(|e| failed(e.to_string()))?
                {
                    return Err(LockError::NoSession {
                        target: target.to_string(),
                        evidence,
                    });
                }
                let mut conn = pool
                    .acquire()
                    .await
                    .map_err(|e| failed(e.to_string()))?
                    .detach();
                let deadline = Instant::now() + timeout;
                let pid = loop {
                    let row = sqlx::raw_sql(PG_TRY_LOCK)
                        .fetch_one(&mut conn)
                        .await
                        .map_err(|e| failed(e.to_string()))?;
                    let got: bool = row.try_get(0).map_err(|e| failed(e.to_string()))?;
                    let pid: i32 = row.try_get(1).map_err(|e| failed(e.to_string()))?;
                    if got {
                        break pid;
                    }
                    interrupted(target)?;
                    if Instant::now() >= deadline {
                        let _ = conn.close().await;
                        return Err(timed_out(target, db, timeout).await);
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                };
                if let Err(evidence) = pg_prove(pool, pid).await {
                    MigrationLock {
                        held: Held::Postgres(conn, pid, options),
                    }
                    .release()
                    .await;
                    return Err(LockError::NotExclusive {
                        target: target.to_string(),
                        evidence: target.scrub(&evidence),
                    });
                }
                Held::Postgres(conn, pid, options)
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
                        Some(1) => {
                            if let Err(evidence) = mysql_prove(db).await {
                                MigrationLock {
                                    held: Held::MySql(conn, false),
                                }
                                .release()
                                .await;
                                return Err(LockError::NotExclusive {
                                    target: target.to_string(),
                                    evidence: target.scrub(&evidence),
                                });
                            }
                            break Held::MySql(conn, is_tidb(db).await);
                        }
                        Some(_) if Instant::now() < deadline => {}
                        Some(_) => return Err(timed_out(target, db, timeout).await),
                        None => return Err(failed("GET_LOCK returned NULL".into())),
                    }
                }
            }
            _ => {
                let deadline = Instant::now() + timeout;
                let mut files: Vec<File> = Vec::new();
                for path in sqlite_lock_files(target, db).await {
                    // A lock file another user created (the shared one in the temporary folder)
                    // may not be writable here: flock works on a read-only descriptor too; only
                    // the holder's name is then not written.
                    let mut file = OpenOptions::new()
                        .create(true)
                        .truncate(false)
                        .write(true)
                        .open(&path)
                        .or_else(|e| match e.kind() {
                            std::io::ErrorKind::PermissionDenied => File::open(&path),
                            _ => Err(e),
                        })
                        .map_err(|e| failed(format!("{}: {e}", path.display())))?;
                    loop {
                        match file.try_lock() {
                            Ok(()) => break,
                            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                                interrupted(target)?;
                                tokio::time::sleep(Duration::from_millis(100)).await;
                            }
                            Err(TryLockError::WouldBlock) => {
                                // Let go of the ones taken, so the holder named is the other.
                                for taken in files.drain(..) {
                                    taken.set_len(0).ok();
                                    let _ = taken.unlock();
                                }
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
                    files.push(file);
                }
                if files.is_empty() {
                    Held::Nothing
                } else {
                    Held::File(files)
                }
            }
        };
        Ok(MigrationLock { held })
    }

    /// Checks that the lock is still ours, before `version` runs: its session is alive and holds
    /// it (PostgreSQL: on the backend that took it). On TiDB only that some session holds it:
    /// TiDB cannot name the holder, and its `GET_LOCK` is a lease of at most `max-txn-ttl`.
    pub async fn verify(&mut self, target: &Target, version: &str) -> Result<(), LockError> {
        let lost = |evidence: String| LockError::Lost {
            target: target.to_string(),
            version: version.to_owned(),
            evidence: target.scrub(&evidence),
        };
        match &mut self.held {
            #[cfg(feature = "postgres")]
            Held::Postgres(conn, pid, _) => {
                let row = sqlx::raw_sql(PG_STILL_HELD)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(|e| lost(format!("its session failed: {e}")))?;
                let now: i32 = row.try_get(0).map_err(|e| lost(e.to_string()))?;
                let held: bool = row.try_get(1).map_err(|e| lost(e.to_string()))?;
                match (now == *pid, held) {
                    (true, true) => Ok(()),
                    (false, _) => Err(lost(format!(
                        "its session moved from backend pid {pid} to {now}"
                    ))),
                    (true, false) => Err(lost(format!("backend pid {pid} no longer holds it"))),
                }
            }
            #[cfg(feature = "mysql")]
            Held::MySql(conn, tidb) => {
                let (holder, me): (Option<i64>, i64) = sqlx::query_as(MYSQL_STILL_HELD)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(|e| lost(format!("its session failed: {e}")))?;
                match holder {
                    Some(h) if h == me || *tidb => Ok(()),
                    Some(h) => Err(lost(format!("connection {h} holds it, not {me}"))),
                    None => Err(lost("no session holds it".into())),
                }
            }
            Held::File(_) | Held::Nothing => Ok(()),
        }
    }

    /// Releases the lock now (dropping it does the same, less politely for the servers).
    pub async fn release(self) {
        match self.held {
            #[cfg(feature = "postgres")]
            Held::Postgres(mut conn, pid, options) => {
                let unlocked = sqlx::raw_sql(PG_UNLOCK).fetch_one(&mut conn).await;
                let _ = conn.close().await;
                let on_holder = unlocked.is_ok_and(|row| {
                    row.try_get::<bool, _>(0).unwrap_or(false)
                        && row.try_get::<i32, _>(1).ok() == Some(pid)
                });
                if !on_holder {
                    // The unlock did not run on the backend that holds the lock (a pooler
                    // moved us): end that backend if it still holds it and is idle, rather
                    // than leave the lock on a pooled connection.
                    pg_end_stray_holder(&options, pid).await;
                }
            }
            #[cfg(feature = "mysql")]
            Held::MySql(mut conn, _) => {
                let _ = sqlx::query(MYSQL_RELEASE_LOCK).execute(&mut conn).await;
                let _ = conn.close().await;
            }
            Held::File(files) => {
                for file in files {
                    file.set_len(0).ok();
                    let _ = file.unlock();
                }
            }
            Held::Nothing => {}
        }
    }
}

/// Takes the lock without waiting and names the backend that ran it, in one statement.
#[cfg(feature = "postgres")]
const PG_TRY_LOCK: &str = "SELECT pg_try_advisory_lock(1818583410) AS got, pg_backend_pid() AS pid";
#[cfg(feature = "postgres")]
const PG_STILL_HELD: &str = "SELECT pg_backend_pid() AS pid, EXISTS (
        SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0
          AND objid::bigint = 1818583410 AND objsubid = 1 AND pid = pg_backend_pid()) AS held";
#[cfg(feature = "postgres")]
/// Unlocks only where this backend holds the lock: `pg_advisory_unlock` of a lock it does not
/// hold would add a server WARNING line to the one-line error of a refused run.
const PG_UNLOCK: &str = "SELECT CASE WHEN EXISTS (
        SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND classid = 0
          AND objid::bigint = 1818583410 AND objsubid = 1 AND pid = pg_backend_pid())
     THEN pg_advisory_unlock(1818583410) ELSE false END AS released, pg_backend_pid() AS pid";
/// The second session's attempt: it must not get the lock. Whatever it got is released in the
/// same statement, so the probe can leave nothing behind even when a pooler ran it on the
/// holder's own backend (that backend's lock goes too, which is right: it was never ours).
#[cfg(feature = "postgres")]
const PG_PROBE: &str =
    "SELECT s.got, s.pid, CASE WHEN s.got THEN pg_advisory_unlock_all() IS NULL END AS cleaned
     FROM (SELECT pg_try_advisory_lock(1818583410) AS got, pg_backend_pid() AS pid) s";

/// Evidence that the connections of `pool` do not each keep a server session of their own: two
/// connections ask their backend pid three times in turn, then three connections do. A real
/// session (directly, or through a session pooler) keeps one pid, and no two sessions share one.
/// A transaction pooler hands server connections out per transaction: PgBouncer reuses the most
/// recently released one first, so the second connection is served by the first one's backend; a pooler that rotates instead changes a connection's pid when it has more
/// servers than clients and shares one when it has fewer, and the two client counts cover every
/// pool size. The three connections come from the command's own pool, opened at once where it
/// has none idle, and go back to it for the work that follows: a command opens three
/// connections in all, not one plus three for the check and one for the proof (at 3 to 5 ms of
/// TLS and backend start each).
#[cfg(feature = "postgres")]
pub async fn pg_shared_sessions(pool: &sqlx::PgPool) -> Result<Option<String>, sqlx::Error> {
    let (a, b, c) = tokio::try_join!(pool.acquire(), pool.acquire(), pool.acquire())?;
    let mut conns = [a, b, c];
    let mut pids = vec![Vec::new(); conns.len()];
    let mut outcome = Ok(());
    'rounds: for clients in [2, 3] {
        for _ in 0..3 {
            for (seen, conn) in pids.iter_mut().zip(conns.iter_mut()).take(clients) {
                match sqlx::raw_sql("SELECT pg_backend_pid()")
                    .fetch_one(&mut **conn)
                    .await
                    .and_then(|row| row.try_get::<i32, _>(0))
                {
                    Ok(pid) => seen.push(pid),
                    Err(e) => {
                        outcome = Err(e);
                        break 'rounds;
                    }
                }
            }
        }
    }
    drop(conns);
    outcome.map(|()| shared_evidence(&pids))
}

/// [`pg_shared_sessions`] for `db` when it is a PostgreSQL connection; `None` elsewhere.
pub async fn session_check(db: &DatabaseConnection) -> Result<Option<String>, DbErr> {
    match db.get_database_backend() {
        #[cfg(feature = "postgres")]
        DbBackend::Postgres => pg_shared_sessions(db.get_postgres_connection_pool())
            .await
            .map_err(|e| DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e.into()))),
        _ => Ok(None),
    }
}

/// What the backend pids each connection saw prove: `None` when every connection kept its own.
pub fn shared_evidence(pids: &[Vec<i32>]) -> Option<String> {
    for seen in pids {
        if let Some(other) = seen.iter().find(|p| Some(*p) != seen.first()) {
            return Some(format!(
                "one connection was served by backend pids {} and {other} in turn",
                seen.first().copied().unwrap_or_default()
            ));
        }
    }
    for (i, seen) in pids.iter().enumerate() {
        for later in &pids[i + 1..] {
            if let Some(pid) = seen.iter().find(|p| later.contains(p)) {
                return Some(format!(
                    "two connections were both served by backend pid {pid}"
                ));
            }
        }
    }
    None
}

/// A second session tries the lock the holder (backend `holder`) took: `Err` with what it saw
/// when it got the lock too.
#[cfg(feature = "postgres")]
async fn pg_prove(pool: &sqlx::PgPool, holder: i32) -> Result<(), String> {
    // From the pool, which the holder's connection has left (detached).
    let mut other = pool
        .acquire()
        .await
        .map_err(|e| format!("a second session could not connect to check it: {e}"))?;
    let row = sqlx::raw_sql(PG_PROBE).fetch_one(&mut *other).await;
    drop(other);
    let row = row.map_err(|e| format!("a second session could not check it: {e}"))?;
    let got: bool = row.try_get(0).map_err(|e| e.to_string())?;
    let pid: i32 = row.try_get(1).map_err(|e| e.to_string())?;
    match (got, pid == holder) {
        (_, true) => Err(format!(
            "a second connection was served by the holder's own backend, pid {pid}"
        )),
        (true, false) => Err(format!(
            "a second session (backend pid {pid}) was granted it while backend pid {holder} held it; this server's advisory locks do not lock"
        )),
        (false, false) => Ok(()),
    }
}

/// Ends backend `pid` if it still holds the migration lock and is idle: the lock was left on a
/// pooled server connection that learndb can no longer reach to unlock.
#[cfg(feature = "postgres")]
async fn pg_end_stray_holder(options: &sqlx::postgres::PgConnectOptions, pid: i32) {
    let sql = format!(
        "SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a
         WHERE a.pid = {pid} AND a.state = 'idle' AND EXISTS (
             SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
               AND l.classid = 0 AND l.objid::bigint = {PG_KEY} AND l.objsubid = 1)"
    );
    if let Ok(mut conn) = sqlx::PgConnection::connect_with(options).await {
        let ended = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .fetch_optional(&mut conn)
            .await;
        if matches!(ended, Ok(Some(_))) {
            tracing::warn!(
                "the migration lock was left on backend pid {pid} (a pooler moved the session); that backend was ended to release it"
            );
        }
        let _ = conn.close().await;
    }
}

/// A second session tries `GET_LOCK` on the name the holder locked: it must not get it.
#[cfg(feature = "mysql")]
async fn mysql_prove(db: &DatabaseConnection) -> Result<(), String> {
    let options = db.get_mysql_connection_pool().connect_options();
    let mut other = sqlx::MySqlConnection::connect_with(&options)
        .await
        .map_err(|e| format!("a second session could not connect to check it: {e}"))?;
    let got: Result<Option<i64>, _> = sqlx::query_scalar(MYSQL_GET_LOCK)
        .bind(0.0_f64)
        .fetch_one(&mut other)
        .await;
    let got = match got {
        Ok(got) => got,
        Err(e) => {
            let _ = other.close().await;
            return Err(format!("a second session could not check it: {e}"));
        }
    };
    if got == Some(1) {
        let _ = sqlx::query(MYSQL_RELEASE_LOCK).execute(&mut other).await;
        let _ = other.close().await;
        return Err(
            "a second session was granted GET_LOCK while the first held it (TiDB before 6.1 implements GET_LOCK as a no-op)".into(),
        );
    }
    let _ = other.close().await;
    Ok(())
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
#[cfg(feature = "mysql")]
const MYSQL_STILL_HELD: &str = "SELECT CAST(IS_USED_LOCK(LEFT(CONCAT('learndb_migrate:', DATABASE()), 64)) AS SIGNED) AS holder, CAST(CONNECTION_ID() AS SIGNED) AS me";
const MYSQL_IS_USED_LOCK: &str =
    "SELECT IS_USED_LOCK(LEFT(CONCAT('learndb_migrate:', DATABASE()), 64))";

async fn is_tidb<C: ConnectionTrait>(db: &C) -> bool {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::MySql,
            "SELECT CAST(VERSION() AS CHAR) AS v",
        ))
        .await;
    let reported = row
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<String>("", "v").ok())
        .unwrap_or_default();
    crate::engine::identify(DbBackend::MySql, &reported).flavor == crate::engine::Flavor::Tidb
}

/// The lock files of a SQLite target ([`lock_files_of`]); for the application's own connection
/// ([`Target::of_connection`]) the database file is asked from SQLite.
async fn sqlite_lock_files<C: ConnectionTrait>(target: &Target, db: &C) -> Vec<PathBuf> {
    if target.source() != crate::connect::Source::Connection {
        return target.sqlite_path().map(lock_files_of).unwrap_or_default();
    }
    let file = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT file FROM pragma_database_list WHERE name = 'main'",
        ))
        .await
        .ok()
        .flatten()
        .and_then(|row| row.try_get::<String>("", "file").ok());
    file.map(|f| lock_files_of(PathBuf::from(f)))
        .unwrap_or_default()
}

/// The lock files of a SQLite database, taken in this order; none for an in-memory database:
/// - `<database file>.lock` beside the real file: the path is canonicalized first (the file when
///   it exists, else its folder), so a symlink or a relative path finds the same lock, and a
///   database not created yet has one;
/// - when the file exists, one per file identity (device and inode) in the system's temporary
///   folder, so that every name of the file, hard links included, shares it.
fn lock_files_of(path: PathBuf) -> Vec<PathBuf> {
    let text = path.to_string_lossy();
    if text.is_empty() || text.starts_with(':') || text.contains("mode=memory") {
        return Vec::new();
    }
    let real = std::fs::canonicalize(&path).ok().or_else(|| {
        let name = path.file_name()?;
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => std::path::Path::new("."),
        };
        std::fs::canonicalize(folder).ok().map(|f| f.join(name))
    });
    let real = real.unwrap_or(path);
    let mut beside = real.clone().into_os_string();
    beside.push(".lock");
    let mut files = vec![PathBuf::from(beside)];
    if let Some(identity) = identity_lock(&real) {
        files.push(identity);
    }
    files
}

#[cfg(unix)]
fn identity_lock(path: &std::path::Path) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).ok()?;
    Some(std::env::temp_dir().join(format!("learndb-sqlite-{}-{}.lock", meta.dev(), meta.ino())))
}

#[cfg(not(unix))]
fn identity_lock(_path: &std::path::Path) -> Option<PathBuf> {
    None
}

/// Who holds the lock now, without taking it (for `status` and timeout messages): `None` when
/// it is free. Read-only, through the pool.
pub async fn holder<C: ConnectionTrait>(target: &Target, db: &C) -> Result<Option<String>, DbErr> {
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
                // TiDB's IS_USED_LOCK answers 1 for "held", not the holder's connection id, and
                // its PROCESSLIST shows only the TiDB server we are connected to.
                None if is_tidb(db).await => "another session (TiDB cannot name it; see INFORMATION_SCHEMA.CLUSTER_PROCESSLIST)".to_owned(),
                None => format!("connection {id}"),
            }))
        }
        _ => Ok(holder_of_files(sqlite_lock_files(target, db).await)),
    }
}

/// Who holds the migration lock of a SQLite target, read from its lock files without a
/// connection (when SQLite itself says "database is locked", there may be none to be had).
pub fn sqlite_holder(target: &Target) -> Option<String> {
    holder_of_files(target.sqlite_path().map(lock_files_of).unwrap_or_default())
}

fn holder_of_files(paths: Vec<PathBuf>) -> Option<String> {
    for path in paths {
        let Ok(file) = File::open(&path) else {
            continue;
        };
        match file.try_lock_shared() {
            Ok(()) => {
                let _ = file.unlock();
            }
            Err(_) => {
                let who = std::fs::read_to_string(&path).unwrap_or_default();
                return Some(if who.trim().is_empty() {
                    format!("another process (lock file {})", path.display())
                } else {
                    who.trim().to_owned()
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_pids_prove_sessions_only_when_each_connection_keeps_its_own() {
        // Direct connections, or a session pooler.
        assert_eq!(shared_evidence(&[vec![10, 10, 10], vec![11, 11, 11]]), None);
        // PgBouncer in transaction mode reuses the last released server connection.
        let shared = shared_evidence(&[vec![10, 10, 10], vec![10, 10, 10]]);
        assert_eq!(
            shared.as_deref(),
            Some("two connections were both served by backend pid 10")
        );
        // A pooler rotating over more servers than clients.
        let moved = shared_evidence(&[vec![10, 12, 10], vec![11, 13, 11]]);
        assert_eq!(
            moved.as_deref(),
            Some("one connection was served by backend pids 10 and 12 in turn")
        );
    }
}
