//! The database server dies, not the client: a private MariaDB (tests/common/private.rs) killed
//! with SIGKILL in the middle of a migration and started again, as systemd's `Restart=always` or
//! a pod restart does. Recovery uses only the commands learndb prints, and must end with
//! `status --check` and `verify` both passing: no foreign key, index or check may be lost on the
//! way.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::private::PrivateMariaDb;
use common::*;

fn learndb(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    command(&learndb_bin(), dir.path())
        .args(args)
        .output()
        .unwrap()
}

fn spawn_learndb(args: &[&str]) -> Child {
    let dir = tempfile::tempdir().unwrap();
    let child = command(&learndb_bin(), dir.path())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The folder only needs to outlive the start.
    std::mem::forget(dir);
    child
}

/// The foreign keys of `table`, by name.
fn foreign_keys(server: &PrivateMariaDb, table: &str) -> Vec<String> {
    server
        .sql(&format!(
            "SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = 'learndb' AND TABLE_NAME = '{table}' ORDER BY 1"
        ))
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A client that holds `table` in an open transaction (a long report), so DDL on it waits.
fn reader_holding(server: &PrivateMariaDb, table: &str) -> Child {
    let mut reader = Command::new("mariadb")
        .args([
            "--no-defaults",
            "-uroot",
            "-h127.0.0.1",
            "-N",
            "-B",
            "--unbuffered",
        ])
        .arg(format!("-P{}", server.port))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdin = reader.stdin.as_mut().unwrap();
    writeln!(
        stdin,
        "START TRANSACTION; SELECT COUNT(*) FROM learndb.`{table}`; SELECT 'holding';"
    )
    .unwrap();
    stdin.flush().unwrap();
    let mut out = std::io::BufReader::new(reader.stdout.take().unwrap());
    let mut line = String::new();
    while std::io::BufRead::read_line(&mut out, &mut line).unwrap() > 0 {
        if line.trim() == "holding" {
            return reader;
        }
        line.clear();
    }
    let _ = reader.wait();
    panic!("the reader ended before it held {table}");
}

/// Waits until a statement on `table` waits for its metadata lock.
fn wait_for_ddl_blocked_on(server: &PrivateMariaDb, table: &str, up: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let waiting = server.sql(&format!(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE LIKE 'Waiting for table metadata lock%' AND INFO LIKE '%`{table}`%'"
        ));
        if waiting != "0" {
            return;
        }
        assert!(
            up.try_wait().unwrap().is_none(),
            "`up` ended before it waited on {table}"
        );
        assert!(
            Instant::now() < deadline,
            "no DDL waited on {table} within 60 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The migration just before `group`'s.
fn before(group: &str) -> String {
    let names = migration_names();
    let at = names
        .iter()
        .position(|n| *n == migration_of_group(group))
        .unwrap();
    names[at - 1].clone()
}

/// Brings `url` to `version` (all migrations when `None`) with only the commands learndb's
/// errors name: `up`, then `up --recover` or `resolve V --rolled-back` where an error asks for
/// it. Returns every command's output, for messages, and how many commands it took.
fn settle(url: &str, version: Option<&str>) -> (String, usize) {
    let mut seen = String::new();
    let to: Vec<&str> = version.map_or(Vec::new(), |v| vec!["--to", v]);
    let mut args: Vec<String> = ["migrate", "-u", url, "up"]
        .iter()
        .chain(&to)
        .map(|s| s.to_string())
        .collect();
    for attempt in 1..=5 {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = learndb(&refs);
        seen.push_str(&show(&o));
        if o.status.success() {
            if args.iter().any(|a| a == "up") {
                return (seen, attempt);
            }
            args = ["migrate", "-u", url, "up"]
                .iter()
                .chain(&to)
                .map(|s| s.to_string())
                .collect();
            continue;
        }
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "not one line: {seen}");
        if err.contains("`up --recover`") && !args.iter().any(|a| a == "--recover") {
            args = ["migrate", "-u", url, "up", "--recover"]
                .iter()
                .chain(&to)
                .map(|s| s.to_string())
                .collect();
        } else if let Some(v) = err
            .split("`resolve ")
            .nth(1)
            .and_then(|rest| rest.strip_suffix_once(" --rolled-back`"))
        {
            args = ["migrate", "-u", url, "resolve", v, "--rolled-back"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        } else {
            panic!("the failure names no command that settles it: {seen}");
        }
    }
    panic!("not settled by the printed commands: {seen}");
}

trait StripOnce {
    fn strip_suffix_once(&self, end: &str) -> Option<&str>;
}

impl StripOnce for str {
    /// The text before the first `end`.
    fn strip_suffix_once(&self, end: &str) -> Option<&str> {
        self.find(end).map(|at| &self[..at])
    }
}

/// A small random number generator (xorshift), seeded from the clock unless
/// `LEARNDB_CRASH_SEED` is set, so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// MariaDB killed with SIGKILL at a random moment of a full `up` and restarted at once, then
/// recovered with the printed commands only: `status --check` and `verify` must both pass.
/// 10 runs; `LEARNDB_CRASH_RUNS` sets another number.
#[test]
fn mariadb_killed_at_random_points_of_a_full_up_recovers_with_the_printed_commands() {
    let runs: usize = std::env::var("LEARNDB_CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let seed: u64 = std::env::var("LEARNDB_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    let mut rng = Rng(seed);
    let mut server = PrivateMariaDb::start();
    // How long an uninterrupted `up` takes here: the crashes fall anywhere within it.
    server.sql("CREATE DATABASE baseline CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    let started = Instant::now();
    let o = learndb(&["migrate", "-u", &server.url("baseline"), "up"]);
    assert!(o.status.success(), "{}", show(&o));
    let full = started.elapsed().as_millis() as u64;
    let mut commands = [0usize; 6];
    for run in 0..runs {
        let db = format!("crash_{run}");
        server.sql(&format!(
            "CREATE DATABASE {db} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        ));
        let url = server.url(&db);
        let at = rng.next() % (full + 200);
        let mut up = spawn_learndb(&["migrate", "-u", &url, "up"]);
        std::thread::sleep(Duration::from_millis(at));
        server.kill9();
        let _ = up.wait();
        server.restart();
        let (seen, took) = settle(&url, None);
        commands[took.min(5)] += 1;
        let context = format!("run {run} (seed {seed}), killed after {at} ms of {full}:\n{seen}");
        assert_current_and_verified(&url, &format!("{context}\n"));
        server.sql(&format!("DROP DATABASE {db}"));
    }
    eprintln!(
        "{runs} server kills (seed {seed}, up takes {full} ms): settled by 1 command {}, 2 commands {}, 3 or more {}; status --check and verify passed every time",
        commands[1],
        commands[2],
        commands[3] + commands[4] + commands[5]
    );
}

/// Module 07 adds `fk_questions_knowledge_point_id` to `questions` (module 05's table, which has
/// foreign keys of its own), module 14 `fk_enrollments_payment_id` to `enrollments`. A report
/// holds the table, the ALTER waits for it, and the server is killed then.
#[test]
fn mariadb_killed_while_a_foreign_key_is_added_to_a_table_in_use_keeps_every_other_foreign_key() {
    let mut server = PrivateMariaDb::start();
    server.sql("CREATE DATABASE learndb CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    let url = server.url("learndb");
    for (group, table, added) in [
        ("practice", "questions", "fk_questions_knowledge_point_id"),
        ("payments", "enrollments", "fk_enrollments_payment_id"),
    ] {
        settle(&url, Some(&before(group)));
        let kept = foreign_keys(&server, table);
        assert!(!kept.is_empty(), "{table} has foreign keys before");
        let mut reader = reader_holding(&server, table);
        let mut up = spawn_learndb(&[
            "migrate",
            "-u",
            &url,
            "up",
            "-n",
            "1",
            "--ddl-lock-timeout",
            "600000",
        ]);
        wait_for_ddl_blocked_on(&server, table, &mut up);
        server.kill9();
        let _ = up.wait();
        let _ = reader.kill();
        let _ = reader.wait();
        server.restart();
        let (seen, _) = settle(&url, Some(&migration_of_group(group)));
        let now = foreign_keys(&server, table);
        for fk in kept.iter().map(String::as_str).chain([added]) {
            assert!(
                now.iter().any(|n| n == fk),
                "{group}: {fk} is missing on {table} after the crash and recovery (has {now:?}); the commands said:\n{seen}\nserver log:\n{}",
                server.log()
            );
        }
    }
    let o = learndb(&["migrate", "-u", &url, "up"]);
    assert!(o.status.success(), "{}", show(&o));
    assert_current_and_verified(&url, "");
}

/// A migration adding a foreign key that rows already break: the key goes in without a table
/// copy, finds the rows by query, and is dropped again; the migration fails naming the query
/// that lists them, as the copying ALTER would have refused it.
mod orphan_rows {
    use migration::runner::{RunError, Runner, Selection};
    use migration::{
        Alias, ColumnDef, ConnectionTrait, DbErr, ForeignKey, MigrationName, MigrationTrait,
        MigratorTrait, SchemaManager, Table, async_trait,
    };

    use super::common::{Backend, TestDb};

    struct OrphanFk;

    impl MigrationName for OrphanFk {
        fn name(&self) -> &str {
            "m20261121_999998_orphan_fk"
        }
    }

    #[async_trait::async_trait]
    impl MigrationTrait for OrphanFk {
        async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            for table in ["fk_parent", "fk_child"] {
                let mut create = Table::create();
                create
                    .table(Alias::new(table))
                    .col(ColumnDef::new(Alias::new("id")).integer().primary_key());
                if table == "fk_child" {
                    create.col(ColumnDef::new(Alias::new("parent_id")).integer().null());
                }
                manager.create_table(create.to_owned()).await?;
            }
            let db = manager.get_connection();
            db.execute_unprepared("INSERT INTO fk_parent (id) VALUES (1)")
                .await?;
            db.execute_unprepared(
                "INSERT INTO fk_child (id, parent_id) VALUES (1, 1), (2, NULL), (3, 99)",
            )
            .await?;
            manager
                .create_foreign_key(
                    ForeignKey::create()
                        .name("fk_child_parent_id")
                        .from(Alias::new("fk_child"), Alias::new("parent_id"))
                        .to(Alias::new("fk_parent"), Alias::new("id"))
                        .to_owned(),
                )
                .await
        }

        async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            for table in ["fk_child", "fk_parent"] {
                manager
                    .drop_table(Table::drop().table(Alias::new(table)).to_owned())
                    .await?;
            }
            Ok(())
        }
    }

    struct OrphanMigrator;

    #[async_trait::async_trait]
    impl MigratorTrait for OrphanMigrator {
        fn migrations() -> Vec<Box<dyn MigrationTrait>> {
            vec![Box::new(OrphanFk)]
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn mysql_a_foreign_key_that_rows_break_is_refused_and_not_left_behind() {
        let t = TestDb::new(Backend::MySql).await;
        let runner = Runner::<OrphanMigrator>::for_target(&t.db, &t.target());
        let err = runner
            .up_with(&Selection::All, &mut |_| {})
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(err, RunError::MigrationFailed { .. })
                && text.contains("rows of fk_child.parent_id reference no fk_parent.id")
                && text.contains("SELECT c.* FROM `fk_child` c WHERE c.`parent_id` IS NOT NULL"),
            "{text}"
        );
        let fks = t
            .query_strings(
                "SELECT CAST(CONSTRAINT_NAME AS CHAR) AS name FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()",
                "name",
            )
            .await;
        assert!(fks.is_empty(), "the key was left behind: {fks:?}");
    }
}

/// What an older learndb left after such a crash, or a server that lost keys some other way:
/// foreign keys, an index and a check that applied migrations declare are gone. `status --check`
/// names them and fails, every changing command refuses naming `up --recover`, and that adds
/// them back with the declaring migration's own clause; then `status --check` and `verify` pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_keys_and_checks_the_server_lost_are_found_and_added_back_by_up_recover() {
    let t = TestDb::migrated(Backend::MySql).await;
    for drop in [
        "ALTER TABLE `questions` DROP FOREIGN KEY `fk_questions_quiz_id`",
        "ALTER TABLE `enrollments` DROP FOREIGN KEY `fk_enrollments_student_id`",
        "ALTER TABLE `users` DROP KEY `ix_users_last_login`",
        "ALTER TABLE `users` DROP CONSTRAINT `ck_users_counters`",
    ] {
        t.exec(drop).await.unwrap();
    }
    let o = learndb_migrate(&t.url, &["status", "--check"], &[]);
    let out = stdout(&o);
    assert!(!o.status.success(), "{}", show(&o));
    for needle in [
        "incomplete",
        "foreign key fk_questions_quiz_id on questions",
        "foreign key fk_enrollments_student_id on enrollments",
        "index ix_users_last_login on users",
        "check ck_users_counters on users",
        "up --recover",
    ] {
        assert!(
            out.contains(needle),
            "status lacks {needle:?}: {}",
            show(&o)
        );
    }
    for args in [vec!["up"], vec!["down", "--yes"]] {
        let o = learndb_migrate(&t.url, &args, &[]);
        let err = stderr(&o);
        assert!(
            !o.status.success()
                && err.lines().count() == 1
                && err.contains("foreign key fk_questions_quiz_id on questions")
                && err.contains("`up --recover`"),
            "{args:?}: {}",
            show(&o)
        );
    }
    let o = learndb_migrate(&t.url, &["up", "--recover"], &[]);
    assert!(o.status.success(), "{}", show(&o));
    for restored in [
        "foreign key fk_questions_quiz_id on questions",
        "foreign key fk_enrollments_student_id on enrollments",
        "index ix_users_last_login on users",
        "check ck_users_counters on users",
    ] {
        assert!(
            stdout(&o).contains(&format!("{restored} was missing; added it back")),
            "{restored}: {}",
            show(&o)
        );
    }
    assert_current_and_verified(&t.url, "");
}
