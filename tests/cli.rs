//! The command line as users run it: `learndb migrate …` and the `migration` binary behind
//! `cargo run -p migration -- …`, as real subprocesses.
//!
//! Proves the embedded default works with no configuration, that both entry points behave the
//! same, and that every kind of bad input ends in one `error:` line, exit code 2, no panic and
//! no password on screen.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::catalog::Catalog;
use common::{Backend, TestDb, command, implemented_modules, stderr, stdout, with_database};
use sea_orm::Database;

const SECRET: &str = "s3cr3t-Pa55";

fn learndb() -> PathBuf {
    common::learndb_bin()
}

/// The `migration` binary, built next to `learndb` by `cargo test` (both are workspace members).
fn migration_bin() -> PathBuf {
    let path = learndb().with_file_name(format!("migration{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "{} is missing: run the tests from the workspace root with `cargo test` so every member is built",
        path.display()
    );
    path
}

/// Runs a binary in `dir`, isolated from the caller's environment.
fn run(bin: &Path, dir: &Path, args: &[&str]) -> Output {
    command(bin, dir)
        .args(args)
        .output()
        .expect("the binary starts")
}

#[tokio::test]
async fn migrate_up_without_database_url_creates_the_embedded_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let first = run(&learndb(), dir.path(), &["migrate", "up"]);
    assert!(
        first.status.success(),
        "exit {:?}: {}",
        first.status,
        stderr(&first)
    );
    let out = stdout(&first);
    assert!(
        out.contains("SQLite database data/learndb.sqlite (embedded default"),
        "does not say which database it migrated:\n{out}"
    );
    let modules = implemented_modules();
    assert!(
        out.contains(&format!("Applied {} migration(s)", modules.len())),
        "{out}"
    );

    let file = dir.path().join("data/learndb.sqlite");
    assert!(file.is_file(), "{} was not created", file.display());
    let db = Database::connect(format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    let catalog = Catalog::read(&db).await;
    assert!(catalog.tables.contains_key("users") && catalog.tables.contains_key("plugin_data"));
    db.close().await.unwrap();

    let second = run(&learndb(), dir.path(), &["migrate", "up"]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stdout(&second).contains("Nothing to apply"),
        "{}",
        stdout(&second)
    );
}

#[tokio::test]
async fn migration_binary_and_learndb_migrate_report_the_same_status() {
    let t = TestDb::new(Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let url = t.url.as_str();
    let up = run(&migration_bin(), dir.path(), &["-u", url, "up", "-n", "2"]);
    assert!(up.status.success(), "{}", stderr(&up));

    let a = run(&migration_bin(), dir.path(), &["-u", url, "status"]);
    let b = run(&learndb(), dir.path(), &["migrate", "-u", url, "status"]);
    assert!(
        a.status.success() && b.status.success(),
        "{} {}",
        stderr(&a),
        stderr(&b)
    );
    assert_eq!(stdout(&a), stdout(&b), "the two entry points disagree");
    let total = implemented_modules().len();
    assert!(
        stdout(&a).contains(&format!("2 applied, {} pending", total - 2)),
        "{}",
        stdout(&a)
    );

    let down = run(
        &learndb(),
        dir.path(),
        &["migrate", "-u", url, "down", "--yes"],
    );
    assert!(down.status.success(), "{}", stderr(&down));
    let after = run(&learndb(), dir.path(), &["migrate", "-u", url, "status"]);
    assert!(
        stdout(&after).contains(&format!("1 applied, {} pending", total - 1)),
        "{}",
        stdout(&after)
    );
}

#[tokio::test]
async fn database_url_from_the_environment_is_used_and_named() {
    let t = TestDb::new(Backend::MySql).await;
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(learndb())
        .args(["migrate", "up"])
        .current_dir(dir.path())
        .env("DATABASE_URL", &t.url)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("MySQL database mysql://")
            && stdout(&out).contains("(from DATABASE_URL)")
    );
    assert!(
        !dir.path().join("data").exists(),
        "the embedded default was created although DATABASE_URL is set"
    );
}

/// One `error:` line on stderr, exit code 2, no panic, and the password nowhere in the output.
fn assert_clean_failure(case: &str, out: &Output, expect: &str) {
    let err = stderr(out);
    let all = format!("{}{err}", stdout(out));
    assert_eq!(
        out.status.code(),
        Some(2),
        "{case}: exit {:?}, stderr: {err}",
        out.status
    );
    assert!(!all.contains("panicked"), "{case}: panicked: {all}");
    assert!(!all.contains(SECRET), "{case}: printed the password: {all}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "{case}: expected one line on stderr, got: {err}"
    );
    assert!(lines[0].starts_with("error: "), "{case}: {err}");
    assert!(
        err.contains(expect),
        "{case}: expected `{expect}` in: {err}"
    );
}

#[tokio::test]
async fn bad_database_urls_fail_with_one_line_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let pg_admin =
        std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| common::DEFAULT_POSTGRES_URL.into());
    let mysql_admin =
        std::env::var("TEST_MYSQL_URL").unwrap_or_else(|_| common::DEFAULT_MYSQL_URL.into());
    let mut wrong_password = url::Url::parse(&mysql_admin).unwrap();
    wrong_password.set_password(Some(SECRET)).unwrap();
    let mut missing_db =
        url::Url::parse(&with_database(&pg_admin, "learndb_no_such_database")).unwrap();
    missing_db.set_password(Some(SECRET)).unwrap();

    let cases: Vec<(&str, String, &str)> = vec![
        (
            "malformed URL",
            format!("postgres://app:{SECRET}@/learndb"),
            "is not valid",
        ),
        (
            "URL without database",
            format!("postgres://app:{SECRET}@127.0.0.1:5432"),
            "names no database",
        ),
        ("not a URL", "learndb.sqlite".into(), "is not valid"),
        (
            "unknown scheme",
            format!("oracle://app:{SECRET}@127.0.0.1/learndb"),
            "unsupported scheme 'oracle'",
        ),
        (
            "wrong password",
            wrong_password.to_string(),
            "refused the login",
        ),
        ("missing database", missing_db.to_string(), "does not exist"),
        (
            "closed port",
            format!("postgres://app:{SECRET}@127.0.0.1:1/learndb"),
            "cannot reach",
        ),
        (
            "unopenable SQLite file",
            "sqlite:///nonexistent-dir/learndb.sqlite".into(),
            "cannot open",
        ),
    ];
    for (case, url, expect) in &cases {
        let out = run(
            &learndb(),
            dir.path(),
            &["migrate", "--database-url", url, "up"],
        );
        assert_clean_failure(case, &out, expect);
        let out = Command::new(migration_bin())
            .arg("status")
            .current_dir(dir.path())
            .env("DATABASE_URL", url)
            .output()
            .unwrap();
        assert_clean_failure(
            &format!("{case} (DATABASE_URL, migration binary)"),
            &out,
            expect,
        );
    }
    assert!(
        !dir.path().join("data").exists(),
        "a failed run created the embedded database"
    );
}

#[tokio::test]
async fn a_malformed_dotenv_file_is_reported_not_ignored() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".env"), "DATABASE_URL='unterminated\n").unwrap();
    let out = run(&learndb(), dir.path(), &["migrate", "status"]);
    assert_clean_failure("malformed .env", &out, "cannot read .env");
}

#[tokio::test]
async fn a_reader_that_stops_early_does_not_make_the_command_panic() {
    // `learndb migrate status | head -1`: the pipe closes before the command writes.
    let t = TestDb::migrated(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(learndb())
        .args(["migrate", "-u", &t.url, "status"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        stderr(&out)
    );
}
