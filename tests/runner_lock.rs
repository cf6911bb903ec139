#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The migration lock and the read-only `status`, with `learndb migrate` run as real
//! subprocesses against real databases.
//!
//! Proves that replicas starting together apply each migration exactly once and end with the
//! same schema as a single run; that `up` waits for a lock held by another session, then fails
//! with exit code 1 and the holder named, having created nothing; that `status` reports the
//! holder meanwhile; that a killed holder never leaves the lock held; and that `status` creates
//! nothing and works for a user who may only connect and read.

mod common;

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use common::catalog;
use common::{Backend, TestDb, command, learndb_bin, migration_names, show, stderr, stdout};
use sea_orm::sqlx::{self, Connection};
use sea_orm::{ConnectionTrait, Statement};

on_every_backend!(
    eight_concurrent_up_runs_apply_each_migration_once,
    eight_concurrent_up_runs_apply_each_migration_once
);
on_every_backend!(
    up_waits_for_the_lock_then_fails_with_the_holder_named_and_changes_nothing,
    up_waits_for_the_lock_then_fails_with_the_holder_named_and_changes_nothing
);

// ---------------------------------------------------------------------------------------------
// Helpers.

/// `learndb migrate -u URL <args>`, in `dir`, isolated from the caller's environment.
fn migrate_command(dir: &Path, url: &str, args: &[&str]) -> Command {
    let mut command = command(&learndb_bin(), dir);
    command.args(["migrate", "-u", url]).args(args);
    command
}

fn migrate(dir: &Path, url: &str, args: &[&str]) -> Output {
    migrate_command(dir, url, args)
        .output()
        .expect("learndb starts")
}

/// The versions recorded in `seaql_migrations`, sorted, duplicates kept.
async fn seaql_versions(t: &TestDb) -> Vec<String> {
    let mut v = t
        .query_strings("SELECT version FROM seaql_migrations", "version")
        .await;
    v.sort();
    v
}

/// `(version, state)` of every row of `learndb_migration_history`, sorted, duplicates kept.
async fn history_rows(t: &TestDb) -> Vec<(String, String)> {
    let sql = "SELECT version, state FROM learndb_migration_history";
    let mut rows: Vec<(String, String)> =
        t.db.query_all_raw(Statement::from_string(t.db_backend(), sql))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .iter()
            .map(|r| {
                (
                    r.try_get::<String>("", "version").unwrap(),
                    r.try_get::<String>("", "state").unwrap(),
                )
            })
            .collect();
    rows.sort();
    rows
}

/// Asserts that `status` printed every migration as pending and nothing else.
fn assert_all_pending(out: &str) {
    let names = migration_names();
    for name in &names {
        assert!(
            out.lines()
                .any(|l| l.starts_with(name.as_str()) && l.contains(" pending ")),
            "{name} is not listed as pending:\n{out}"
        );
    }
    assert!(
        out.contains(&format!("0 applied, {} pending, 0 problem(s)", names.len())),
        "{out}"
    );
}

// ---------------------------------------------------------------------------------------------
// Eight replicas start together.

async fn eight_concurrent_up_runs_apply_each_migration_once(backend: Backend) {
    let t = TestDb::new(backend).await;
    eight_runs_by(&t, std::slice::from_ref(&t.url)).await;
}

/// One SQLite file by three spellings (its URL, its name percent-encoded, a hard link in another
/// folder): one lock, so the eight runs still apply each migration once (issue 18, 6).
#[tokio::test]
async fn eight_sqlite_runs_by_three_spellings_of_one_file_apply_each_migration_once() {
    let t = TestDb::new(Backend::Sqlite).await;
    let real = t.sqlite_path().unwrap();
    let encoded = common::percent_encoded_path(&real);
    let elsewhere = tempfile::tempdir().unwrap();
    let hard = elsewhere.path().join("hard link.sqlite");
    std::fs::hard_link(&real, &hard).unwrap();
    let urls = [
        t.url.clone(),
        format!("sqlite://{encoded}"),
        format!("sqlite://{}", hard.display()),
    ];
    eight_runs_by(&t, &urls).await;
}

/// Eight `up` runs started together, by `urls` in turn, all on the database of `t`.
async fn eight_runs_by(t: &TestDb, urls: &[String]) {
    let backend = t.backend;
    let dir = tempfile::tempdir().unwrap();
    let mut next = urls.iter().cycle();
    let outputs = common::run_at_once(8, || {
        let url = next.next().unwrap();
        migrate_command(dir.path(), url, &["--lock-timeout", "120", "up"])
    });
    for (i, o) in outputs.iter().enumerate() {
        assert!(
            o.status.success(),
            "{backend:?}: run {i} exited {:?}\nstdout:\n{}\nstderr:\n{}",
            o.status,
            stdout(o),
            stderr(o)
        );
    }

    let names = migration_names();
    assert_eq!(
        seaql_versions(t).await,
        names,
        "{backend:?}: seaql_migrations must hold each migration exactly once"
    );
    let applied: Vec<(String, String)> = names
        .iter()
        .map(|v| (v.clone(), "applied".to_owned()))
        .collect();
    assert_eq!(
        history_rows(t).await,
        applied,
        "{backend:?}: learndb_migration_history must hold each migration once, applied"
    );

    let all: Vec<String> = outputs.iter().map(stdout).collect();
    for name in &names {
        let prefix = format!("Applied {name} in ");
        let times: usize = all
            .iter()
            .map(|out| out.lines().filter(|l| l.starts_with(&prefix)).count())
            .sum();
        assert_eq!(
            times,
            1,
            "{backend:?}: {name} was reported applied {times} times across the 8 runs:\n{}",
            all.join("\n----\n")
        );
    }
    // The first run to take the lock applies everything; the others find nothing to do.
    let idle = all
        .iter()
        .filter(|out| out.contains("Nothing to apply"))
        .count();
    assert_eq!(idle, 7, "{backend:?}:\n{}", all.join("\n----\n"));

    let reference = TestDb::new(backend).await;
    let single = migrate(dir.path(), &reference.url, &["up"]);
    assert!(single.status.success(), "{}", stderr(&single));
    assert_eq!(
        catalog::read(&t.db).await.without_history(),
        catalog::read(&reference.db).await.without_history(),
        "{backend:?}: 8 concurrent runs built a different schema than one run"
    );
}

// ---------------------------------------------------------------------------------------------
// Another session holds the lock.

/// The migration lock, held by the test the way another session would hold it.
enum Holder {
    Postgres(sqlx::PgConnection, i32),
    MySql(sqlx::MySqlConnection, u64),
    File(File),
}

impl Holder {
    async fn take(t: &TestDb) -> Holder {
        match t.backend {
            Backend::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&t.url).await.unwrap();
                let pid: i32 = sqlx::query_scalar("SELECT pg_backend_pid()")
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                sqlx::query("SELECT pg_advisory_lock(1818583410)")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                Holder::Postgres(conn, pid)
            }
            Backend::MySql => {
                let mut conn = sqlx::MySqlConnection::connect(&t.url).await.unwrap();
                let id: u64 = sqlx::query_scalar("SELECT CONNECTION_ID()")
                    .fetch_one(&mut conn)
                    .await
                    .unwrap();
                let got: Option<i64> = sqlx::query_scalar(
                    "SELECT GET_LOCK(LEFT(CONCAT('learndb_migrate:', DATABASE()), 64), 0)",
                )
                .fetch_one(&mut conn)
                .await
                .unwrap();
                assert_eq!(got, Some(1), "the test could not take the lock itself");
                Holder::MySql(conn, id)
            }
            Backend::Sqlite => {
                let mut path = t.sqlite_path().unwrap().into_os_string();
                path.push(".lock");
                let mut file = OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
                    .unwrap();
                file.lock().unwrap();
                file.set_len(0).unwrap();
                writeln!(file, "test holder").unwrap();
                file.flush().unwrap();
                Holder::File(file)
            }
        }
    }

    /// What the runner's messages must contain to identify this holder.
    fn identity(&self) -> String {
        match self {
            Holder::Postgres(_, pid) => format!("pid {pid}"),
            Holder::MySql(_, id) => format!("connection {id}"),
            Holder::File(_) => "test holder".to_owned(),
        }
    }

    /// Kills the holder as a crash would: its session ends, or its descriptor closes.
    async fn kill(self, t: &TestDb) {
        match self {
            Holder::Postgres(conn, pid) => {
                let row =
                    t.db.query_one_raw(Statement::from_sql_and_values(
                        t.db_backend(),
                        "SELECT pg_terminate_backend($1) AS killed",
                        [pid.into()],
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                assert!(row.try_get::<bool>("", "killed").unwrap());
                drop(conn);
            }
            Holder::MySql(conn, id) => {
                t.exec(&format!("KILL {id}")).await.unwrap();
                drop(conn);
            }
            Holder::File(file) => drop(file),
        }
    }
}

async fn up_waits_for_the_lock_then_fails_with_the_holder_named_and_changes_nothing(
    backend: Backend,
) {
    let t = TestDb::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let before = catalog::read(&t.db).await;
    assert!(
        before.is_empty(),
        "{backend:?}: the fresh database is not empty"
    );

    let holder = Holder::take(&t).await;
    let who = holder.identity();

    let up = migrate(dir.path(), &t.url, &["--lock-timeout", "2", "up"]);
    let err = stderr(&up);
    assert_eq!(
        up.status.code(),
        Some(1),
        "{backend:?}: up with the lock held exited {:?}\nstdout:\n{}\nstderr:\n{err}",
        up.status,
        stdout(&up)
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "{backend:?}: expected one stderr line: {err}"
    );
    assert!(
        lines[0].contains("migration lock") && lines[0].contains("is held"),
        "{backend:?}: {err}"
    );
    assert!(
        lines[0].contains(&who),
        "{backend:?}: the error does not name the holder ({who}): {err}"
    );
    assert_eq!(
        catalog::read(&t.db).await,
        before,
        "{backend:?}: up created something although it never held the lock"
    );

    let status = migrate(dir.path(), &t.url, &["status"]);
    assert!(
        status.status.success(),
        "{backend:?}: status while the lock is held exited {:?}: {}",
        status.status,
        stderr(&status)
    );
    let out = stdout(&status);
    assert!(
        out.lines()
            .any(|l| l.starts_with("Lock: held by") && l.contains(&who)),
        "{backend:?}: status does not say the lock is held by {who}:\n{out}"
    );

    holder.kill(&t).await;

    let up = migrate(dir.path(), &t.url, &["up"]);
    assert!(
        up.status.success(),
        "{backend:?}: up after the holder was killed exited {:?}: {}",
        up.status,
        stderr(&up)
    );
    assert_eq!(seaql_versions(&t).await, migration_names());
    let status = migrate(dir.path(), &t.url, &["status"]);
    assert!(status.status.success(), "{}", stderr(&status));
    assert!(
        stdout(&status).lines().any(|l| l == "Lock: free"),
        "{backend:?}: the lock is still reported held after up:\n{}",
        stdout(&status)
    );

    // Everything is applied now, and `up` answers without the lock (see
    // `Runner::nothing_to_apply`), but not while another process holds it: that process may be
    // rolling back, so `up` waits for it as before.
    let holder = Holder::take(&t).await;
    let up = migrate(dir.path(), &t.url, &["--lock-timeout", "1", "up"]);
    assert_eq!(
        up.status.code(),
        Some(1),
        "{backend:?}: a no-op up did not wait for the lock held by {who}: {}",
        show(&up)
    );
    assert!(
        stderr(&up).contains("is held"),
        "{backend:?}: {}",
        show(&up)
    );
    holder.kill(&t).await;
    let up = migrate(dir.path(), &t.url, &["up"]);
    assert!(
        up.status.success() && stdout(&up).contains("Nothing to apply"),
        "{backend:?}: {}",
        show(&up)
    );
}

// ---------------------------------------------------------------------------------------------
// `status` is read-only.

/// Drops a cluster-wide role when the test ends, pass or fail, through a fresh connection on its
/// own runtime (as TestDb's cleanup does).
struct RoleGuard {
    admin_url: String,
    role: String,
    database: String,
}

impl Drop for RoleGuard {
    fn drop(&mut self) {
        let url = self.admin_url.clone();
        let statements = [
            format!(
                "REVOKE ALL ON DATABASE \"{}\" FROM \"{}\"",
                self.database, self.role
            ),
            format!("DROP ROLE IF EXISTS \"{}\"", self.role),
        ];
        common::cleanup(url, statements.to_vec());
    }
}

#[tokio::test]
async fn status_is_read_only() {
    let t = TestDb::new(Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let mut url = url::Url::parse(&t.url).unwrap();
    let database = url.path().trim_start_matches('/').to_owned();
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    let role = format!("learndb_ro_{}", &suffix[..12]);
    let password = format!("pw{}", &suffix[12..24]);
    t.exec(&format!(
        "CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'"
    ))
    .await
    .unwrap();
    let _guard = RoleGuard {
        admin_url: t.url.clone(),
        role: role.clone(),
        database: database.clone(),
    };
    t.exec(&format!(
        "GRANT CONNECT ON DATABASE \"{database}\" TO \"{role}\""
    ))
    .await
    .unwrap();
    // PostgreSQL 15 already denies this to non-owners; say so for older servers too.
    t.exec("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        .await
        .unwrap();
    let can_create = t
        .query_strings(
            &format!(
                "SELECT (has_schema_privilege('{role}', 'public', 'CREATE') \
                 OR has_database_privilege('{role}', '{database}', 'CREATE'))::text AS c"
            ),
            "c",
        )
        .await;
    assert_eq!(can_create, ["false"], "the role must not be able to create");

    url.set_username(&role).unwrap();
    url.set_password(Some(&password)).unwrap();
    let status = migrate(dir.path(), url.as_str(), &["status"]);
    assert!(
        status.status.success(),
        "status as a read-only user exited {:?}\nstdout:\n{}\nstderr:\n{}",
        status.status,
        stdout(&status),
        stderr(&status)
    );
    assert_all_pending(&stdout(&status));
    let after = catalog::read(&t.db).await;
    assert!(
        after.is_empty(),
        "status created something: {:?}",
        after.tables.keys()
    );
}

#[tokio::test]
async fn status_creates_nothing_on_sqlite() {
    let t = TestDb::new(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let status = migrate(dir.path(), &t.url, &["status"]);
    assert!(
        status.status.success(),
        "status exited {:?}: {}",
        status.status,
        stderr(&status)
    );
    let out = stdout(&status);
    assert_all_pending(&out);
    assert!(out.lines().any(|l| l == "Lock: free"), "{out}");
    let after = catalog::read(&t.db).await;
    assert!(
        after.is_empty(),
        "status created something: {:?}",
        after.tables.keys()
    );
    let mut lock = t.sqlite_path().unwrap().into_os_string();
    lock.push(".lock");
    assert!(
        !Path::new(&lock).exists(),
        "status created the lock file {}",
        Path::new(&lock).display()
    );
}

// ---------------------------------------------------------------------------------------------
// The lock is checked before each migration.

const LOCK_KILLER: &str = "m20261121_999996_lock_killer";

/// Ends the session that holds the migration lock, as a DBA (or a pooler recycling it) would.
struct LockKiller;

impl migration::MigrationName for LockKiller {
    fn name(&self) -> &str {
        LOCK_KILLER
    }
}

#[migration::async_trait::async_trait]
impl migration::MigrationTrait for LockKiller {
    async fn up(&self, manager: &migration::SchemaManager) -> Result<(), migration::DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'
                   AND objid::bigint = 1818583410
                   AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            )
            .await
            .map(|_| ())
    }

    async fn down(&self, _: &migration::SchemaManager) -> Result<(), migration::DbErr> {
        Ok(())
    }
}

/// Three of learndb's migrations, the killer, then the rest.
struct KillerMigrator;

#[migration::async_trait::async_trait]
impl migration::MigratorTrait for KillerMigrator {
    fn migrations() -> Vec<Box<dyn migration::MigrationTrait>> {
        let mut all = <migration::Migrator as migration::MigratorTrait>::migrations();
        let rest = all.split_off(3);
        all.push(Box::new(LockKiller));
        all.extend(rest);
        all
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_lost_during_up_stops_the_run_before_the_next_migration() {
    let t = TestDb::new(Backend::Postgres).await;
    let runner = migration::runner::Runner::<KillerMigrator>::for_target(&t.db, &t.target());
    let err = runner
        .up_with(&migration::runner::Selection::All, &mut |_| {})
        .await
        .unwrap_err();
    let text = err.to_string();
    let next = migration_names()[3].clone();
    assert!(
        matches!(
            err,
            migration::runner::RunError::Lock(migration::runner::lock::LockError::Lost { .. })
        ) && text.contains("was lost before")
            && text.contains(&next),
        "{text}"
    );
    let mut applied = t
        .query_strings("SELECT version FROM seaql_migrations", "version")
        .await;
    applied.sort();
    let mut expected: Vec<String> = migration_names()[..3].to_vec();
    expected.push(LOCK_KILLER.to_owned());
    expected.sort();
    assert_eq!(applied, expected, "nothing may run after the lock was lost");
}

fn signal(child: &std::process::Child, sig: &str) {
    let o = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .output()
        .unwrap();
    assert!(o.status.success(), "kill {sig}: {o:?}");
}

/// An `up` on SQLite frozen (SIGSTOP) while it holds SQLite's write lock: `status` waits for it
/// up to `--lock-timeout`, `verify` and `doctor` up to `--connect-timeout`, and if it is not
/// released each names the learndb run that holds it, in one line; once the run goes on, a
/// `status` and a second `up` that were waiting succeed.
#[test]
fn reading_commands_wait_for_a_frozen_sqlite_up_and_name_it() {
    let bin = learndb_bin();
    for attempt in 1..=20 {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("app.db").display());
        let mut up = migrate_command(dir.path(), &url, &["up"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Freeze it at moments spread over the run until readers meet its write lock.
        let status = ["migrate", "-u", &url, "status", "--lock-timeout", "1"];
        let mut caught = None;
        for step in 0..400u64 {
            std::thread::sleep(std::time::Duration::from_millis(
                3 + (step * 7 + attempt) % 11,
            ));
            signal(&up, "-STOP");
            if up.try_wait().unwrap().is_some() {
                break;
            }
            let probe = command(&bin, dir.path()).args(status).output().unwrap();
            if stderr(&probe).contains("is locked") {
                caught = Some(probe);
                break;
            }
            signal(&up, "-CONT");
        }
        let Some(probe) = caught else {
            signal(&up, "-CONT");
            up.wait().unwrap();
            continue;
        };
        for (args, option) in [
            (status.to_vec(), "--lock-timeout"),
            (
                vec!["verify", "-u", &url, "--connect-timeout", "1"],
                "--connect-timeout",
            ),
            (
                vec!["doctor", "-u", &url, "--connect-timeout", "1"],
                "--connect-timeout",
            ),
        ] {
            let o = if args[0] == "migrate" {
                probe.clone()
            } else {
                command(&bin, dir.path()).args(&args).output().unwrap()
            };
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", show(&o));
            assert_eq!(err.lines().count(), 1, "{args:?}: {}", show(&o));
            for needle in [
                "is locked: a learndb migration (",
                " since ",
                "after 1 s",
                &format!("raise {option}"),
            ] {
                assert!(err.contains(needle), "{args:?} lacks {needle:?}: {err}");
            }
        }
        // Commands that wait long enough see the run through: a reader, and a second `up`
        // (which waits as long as for the migration lock, as on the other backends).
        let waiting: Vec<std::process::Child> = [
            vec!["migrate", "-u", &url, "status", "--lock-timeout", "30"],
            vec![
                "migrate",
                "-u",
                &url,
                "up",
                "--lock-timeout",
                "30",
                "--connect-timeout",
                "1",
            ],
        ]
        .iter()
        .map(|args| {
            command(&bin, dir.path())
                .args(args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
        std::thread::sleep(std::time::Duration::from_millis(2500));
        signal(&up, "-CONT");
        for child in waiting {
            let o = child.wait_with_output().unwrap();
            assert!(o.status.success(), "a waiting command: {}", show(&o));
        }
        assert!(up.wait().unwrap().success());
        return;
    }
    panic!("in 20 runs of `up`, no moment was found where SQLite's write lock kept readers out");
}

/// The lock file shared by every name of a SQLite file lives in the temporary folder, so another
/// user may have created it: a run that cannot write it still locks it (flock on a read-only
/// descriptor) instead of failing. As root, the run is made as `nobody` on a lock file root owns;
/// otherwise the lock file is made read-only for its owner, which refuses writing the same way.
#[test]
fn a_sqlite_lock_file_this_user_cannot_write_still_locks() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    std::fs::write(&db, b"").unwrap();
    let meta = std::fs::metadata(&db).unwrap();
    let lock =
        std::env::temp_dir().join(format!("learndb-sqlite-{}-{}.lock", meta.dev(), meta.ino()));
    let _ = std::fs::remove_file(&lock);
    std::fs::write(&lock, b"").unwrap();
    let mode = if root { 0o644 } else { 0o444 };
    std::fs::set_permissions(&lock, std::fs::Permissions::from_mode(mode)).unwrap();
    let url = format!("sqlite://{}?mode=rwc", db.display());
    let o = if root {
        for path in [dir.path(), db.as_path()] {
            let chown = Command::new("chown")
                .args(["nobody"])
                .arg(path)
                .output()
                .unwrap();
            assert!(chown.status.success(), "{chown:?}");
        }
        Command::new("runuser")
            .args(["-u", "nobody", "--"])
            .arg(learndb_bin())
            .args(["migrate", "-u", &url, "up"])
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .output()
            .unwrap()
    } else {
        migrate(dir.path(), &url, &["up"])
    };
    let _ = std::fs::remove_file(&lock);
    assert!(o.status.success(), "{}", show(&o));
    assert!(stdout(&o).contains("Applied"), "{}", show(&o));
}
