//! The command line as users run it: `learndb migrate …` and the `migration` binary behind
//! `cargo run -p migration -- …`, as real subprocesses.
//!
//! Proves the embedded default works with no configuration, that both entry points behave the
//! same, and that every kind of bad input ends in one `error:` line, exit code 2, no panic and
//! no password on screen. Also: the environment each command assumes, dry runs that are SQL
//! scripts, timeouts that cannot overflow, `generate` finding its folder at run time, and one
//! SQLite lock however the file is reached.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::catalog::{self, Catalog};
use common::{Backend, TestDb, command, implemented_modules, show, stderr, stdout, with_database};
use migration::connect::{Source, Target};
use migration::runner::lock::MigrationLock;
use sea_orm::Database;

const SECRET: &str = "s3cr3t-Pa55";

fn learndb() -> PathBuf {
    common::learndb_bin()
}

/// The `migration` binary, next to `learndb`. `cargo test` builds only the binaries of the
/// package under test, so a `target/debug/migration` left by an earlier build of other sources
/// would be run as is; build it from the current sources once per test process.
fn migration_bin() -> PathBuf {
    static BUILT: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let built = std::process::Command::new(cargo)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["build", "--quiet", "-p", "migration", "--bin", "migration"])
            .status()
            .expect("cargo runs");
        assert!(
            built.success(),
            "cargo build -p migration --bin migration failed"
        );
    });
    let path = learndb().with_file_name(format!("migration{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} is missing", path.display());
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
    let catalog = catalog::read(&db).await;
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
        .env_remove("DIRECT_DATABASE_URL")
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
        (
            "SQLite URL without a path",
            "sqlite://?mode=rwc".into(),
            "use sqlite://PATH?mode=rwc",
        ),
    ];
    for (case, url, expect) in &cases {
        let out = run(
            &learndb(),
            dir.path(),
            &["migrate", "--database-url", url, "up"],
        );
        assert_clean_failure(case, &out, expect);
        assert!(
            !stderr(&out).contains("sqlite::memory:"),
            "{case}: suggests a URL the parser rejects: {}",
            stderr(&out)
        );
        let out = Command::new(migration_bin())
            .arg("status")
            .current_dir(dir.path())
            .env_remove("DIRECT_DATABASE_URL")
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

/// Runs a binary in `dir` with LEARNDB_ENV set (or not).
fn run_in_env(dir: &Path, args: &[&str], learndb_env: Option<&str>) -> Output {
    let mut cmd = command(&learndb(), dir);
    if let Some(value) = learndb_env {
        cmd.env("LEARNDB_ENV", value);
    }
    cmd.args(args).output().expect("the binary starts")
}

#[tokio::test]
async fn every_learndb_env_value_but_a_development_name_counts_as_production() {
    let t = TestDb::new(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let url = t.url.as_str();
    for (value, line) in [
        (None, "Environment: development (LEARNDB_ENV not set)"),
        (Some("prod"), "Environment: production (LEARNDB_ENV=prod)"),
        (
            Some(" production"),
            "Environment: production (LEARNDB_ENV=\" production\")",
        ),
        (
            Some("Staging"),
            "Environment: production (LEARNDB_ENV=Staging)",
        ),
        (Some("dev"), "Environment: development (LEARNDB_ENV=dev)"),
        (Some(" CI "), "Environment: ci (LEARNDB_ENV=\" CI \")"),
    ] {
        let status = run_in_env(dir.path(), &["migrate", "-u", url, "status"], value);
        assert!(status.status.success(), "{value:?}: {}", stderr(&status));
        let out = stdout(&status);
        let lines: Vec<&str> = out.lines().collect();
        assert!(
            lines.len() > 2 && lines[0].starts_with("Database: ") && lines[1] == line,
            "{value:?}: expected `{line}` after the Database line:\n{out}"
        );

        let down = run_in_env(dir.path(), &["migrate", "-u", url, "down", "--yes"], value);
        let production = line.contains("production");
        if production {
            assert_eq!(down.status.code(), Some(2), "{value:?}: {}", stderr(&down));
            let err = stderr(&down);
            assert!(
                err.lines().count() == 1
                    && err.starts_with("error: refusing to roll back")
                    && err.contains("--allow-destructive"),
                "{value:?}: {err}"
            );
        } else {
            assert!(down.status.success(), "{value:?}: {}", stderr(&down));
        }
    }
}

/// `LEARNDB_YES=1` answers the question `--yes` answers, for every command that asks, so that
/// `sea-orm-cli migrate down` (which passes no `--yes`) works without a terminal; it is never
/// `--allow-destructive`, and `0` or `false` leave the question.
#[tokio::test]
async fn learndb_yes_answers_the_question_but_never_allows_destructive() {
    let t = TestDb::migrated(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let down = |yes: Option<&str>, env: Option<&str>| {
        let mut c = Command::new(migration_bin());
        c.args(["-u", &t.url, "down"]).current_dir(dir.path());
        c.env_remove("LEARNDB_YES").env_remove("LEARNDB_ENV");
        if let Some(v) = yes {
            c.env("LEARNDB_YES", v);
        }
        if let Some(v) = env {
            c.env("LEARNDB_ENV", v);
        }
        c.output().unwrap()
    };
    for value in [None, Some("0"), Some("false")] {
        let out = down(value, None);
        assert_eq!(out.status.code(), Some(2), "{value:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("add --yes"),
            "{value:?}: {}",
            stderr(&out)
        );
    }
    let out = down(Some("1"), Some("production"));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--allow-destructive"),
        "{}",
        stderr(&out)
    );
    let out = down(Some("1"), None);
    assert!(out.status.success(), "{}", stderr(&out));
    let status = run(&migration_bin(), dir.path(), &["-u", &t.url, "status"]);
    assert!(stdout(&status).contains("1 pending"), "{}", stdout(&status));
}

#[tokio::test]
async fn status_json_prints_only_json_on_stdout() {
    let t = TestDb::migrated(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let out = run_in_env(
        dir.path(),
        &["migrate", "-v", "-u", &t.url, "status", "--json"],
        Some("prod"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", stdout(&out)));
    assert!(json.is_object(), "{json}");
}

/// `up --dry-run` on a fresh database: its stdout, every line SQL or an SQL comment.
fn dry_run_script(t: &TestDb, dir: &Path) -> String {
    let out = run_in_env(dir, &["migrate", "-u", &t.url, "up", "--dry-run"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let script = stdout(&out);
    assert!(
        script.starts_with("-- Database: ") && script.contains("\n-- Environment: "),
        "the header is not commented:\n{}",
        &script[..script.len().min(500)]
    );
    script
}

/// What `learndb migrate up` builds, without the history tables the dry run leaves out.
async fn migrated_catalog(backend: Backend) -> Catalog {
    let reference = TestDb::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let up = run_in_env(dir.path(), &["migrate", "-u", &reference.url, "up"], None);
    assert!(up.status.success(), "{}", stderr(&up));
    catalog::read(&reference.db).await.without_history()
}

#[tokio::test]
async fn dry_run_output_is_a_script_sqlite_runs_to_the_migrated_schema() {
    let t = TestDb::new(Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let script = dry_run_script(&t, dir.path());
    // The whole script in one go, as `sqlite3 db < plan.sql` runs it, through the SQLite learndb
    // ships with. (The sqlite3 shell of Debian 12 is SQLite 3.40, where json_valid(NULL) is 0
    // rather than NULL, so the schema's CHECK (json_valid(col)) rejects NULL in nullable JSON
    // columns there: a schema issue, not a dry-run one.)
    let fresh = TestDb::new(Backend::Sqlite).await;
    fresh
        .exec(&script)
        .await
        .unwrap_or_else(|e| panic!("SQLite rejected the dry-run script: {e}"));
    assert_eq!(
        catalog::read(&fresh.db).await,
        migrated_catalog(Backend::Sqlite).await,
        "the dry-run script builds a different schema than `migrate up`"
    );
}

#[tokio::test]
async fn dry_run_output_is_a_script_psql_runs_to_the_migrated_schema() {
    let t = TestDb::new(Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let script = dry_run_script(&t, dir.path());
    let file = dir.path().join("plan.sql");
    std::fs::write(&file, &script).unwrap();
    let target = TestDb::new(Backend::Postgres).await;
    let applied = Command::new("psql")
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-f"])
        .arg(&file)
        .arg(&target.url)
        .output()
        .expect("psql is installed");
    assert!(
        applied.status.success(),
        "psql rejected the dry-run script: {}",
        stderr(&applied)
    );
    assert_eq!(
        catalog::read(&target.db).await,
        migrated_catalog(Backend::Postgres).await,
        "the dry-run script builds a different schema than `migrate up`"
    );
}

#[test]
fn timeouts_too_large_for_the_clock_are_usage_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    for flag in ["--lock-timeout", "--connect-timeout"] {
        for value in ["18446744073709551615", "99999999999999999999999", "-1"] {
            let flag_value = format!("{flag}={value}");
            for bin in [learndb(), migration_bin()] {
                let mut args = vec![flag_value.as_str(), "status"];
                if bin == learndb() {
                    args.insert(0, "migrate");
                }
                let out = run(&bin, dir.path(), &args);
                let err = stderr(&out);
                assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
                assert!(
                    err.starts_with("error: ") && err.contains(flag) && !err.contains("panicked"),
                    "{args:?}: {err}"
                );
            }
        }
    }
    assert!(!dir.path().join("data").exists());
}

#[test]
fn the_binaries_do_not_contain_the_build_machine_path() {
    let workspace_migration = concat!(env!("CARGO_MANIFEST_DIR"), "/migration");
    for bin in [learndb(), migration_bin()] {
        let bytes = std::fs::read(&bin).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(workspace_migration),
            "{} contains {workspace_migration}",
            bin.display()
        );
    }
}

/// A migration crate as `sea-orm-cli migrate init` lays it out, enough for `generate`.
fn fake_migration_crate(dir: &Path) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"migration\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/lib.rs"),
        "pub use sea_orm_migration::prelude::*;\n\nmod m20220101_000001_create_table;\n\npub struct Migrator;\n\n#[async_trait::async_trait]\nimpl MigratorTrait for Migrator {\n    fn migrations() -> Vec<Box<dyn MigrationTrait>> {\n        vec![Box::new(m20220101_000001_create_table::Migration)]\n    }\n}\n",
    )
    .unwrap();
}

fn generated(dir: &Path, name: &str) -> bool {
    std::fs::read_dir(dir.join("src"))
        .unwrap()
        .any(|e| e.unwrap().file_name().to_string_lossy().ends_with(name))
}

#[test]
fn generate_finds_the_migration_crate_at_run_time_or_asks_for_dir() {
    let root = tempfile::tempdir().unwrap();
    let out = run(
        &learndb(),
        root.path(),
        &["migrate", "generate", "add_tags"],
    );
    assert_clean_failure("generate outside a workspace", &out, "-d DIR");

    // From the workspace root: ./migration.
    fake_migration_crate(&root.path().join("migration"));
    let out = run(
        &learndb(),
        root.path(),
        &["migrate", "generate", "add_tags"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(generated(&root.path().join("migration"), "_add_tags.rs"));

    // From inside the migration crate: `.`.
    let inside = root.path().join("migration");
    let out = run(&migration_bin(), &inside, &["generate", "add_badges"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(generated(&inside, "_add_badges.rs"));
}

#[tokio::test]
async fn a_sqlite_database_reached_through_a_symlink_an_encoded_name_or_a_hard_link_shares_one_lock()
 {
    let t = TestDb::new(Backend::Sqlite).await;
    let real = t.sqlite_path().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("link.sqlite");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let link_url = format!("sqlite://{}?mode=rwc", link.display());

    let target = Target::parse(&t.url, Source::Flag).unwrap();
    let lock = MigrationLock::acquire(&target, &t.db, Duration::from_secs(5))
        .await
        .unwrap();
    let holder = format!("(pid {})", std::process::id());

    let status = run(
        &learndb(),
        dir.path(),
        &["migrate", "-u", &link_url, "status"],
    );
    assert!(status.status.success(), "{}", stderr(&status));
    assert!(
        stdout(&status).contains("Lock: held by") && stdout(&status).contains(&holder),
        "status through the symlink does not see the lock:\n{}",
        stdout(&status)
    );
    // The same file by a relative path, from its folder.
    let name = real.file_name().unwrap().to_string_lossy().into_owned();
    let relative = format!("sqlite://{name}?mode=rwc");
    let status = run(
        &learndb(),
        real.parent().unwrap(),
        &["migrate", "-u", &relative, "status"],
    );
    assert!(
        stdout(&status).contains(&holder),
        "status by a relative path does not see the lock:\n{}",
        stdout(&status)
    );
    let up = run(
        &learndb(),
        dir.path(),
        &["migrate", "-u", &link_url, "--lock-timeout", "0", "up"],
    );
    assert_eq!(up.status.code(), Some(1), "{}", stderr(&up));
    assert!(stderr(&up).contains(&holder), "{}", stderr(&up));
    assert!(
        !dir.path().join("link.sqlite.lock").exists(),
        "a second lock file was created beside the symlink"
    );
    // The same file by its percent-encoded name (the driver decodes it), and by a hard link in
    // another folder: one lock, keyed on the file's identity.
    let encoded = common::percent_encoded_path(&real);
    let hard = dir.path().join("elsewhere");
    std::fs::create_dir(&hard).unwrap();
    let hard = hard.join("hard link.sqlite");
    std::fs::hard_link(&real, &hard).unwrap();
    for url in [
        format!("sqlite://{encoded}"),
        format!("sqlite://{}", hard.display()),
    ] {
        let status = run(&learndb(), dir.path(), &["migrate", "-u", &url, "status"]);
        assert!(
            status.status.success() && stdout(&status).contains(&holder),
            "status by {url} does not see the lock:\n{}",
            show(&status)
        );
        let up = run(
            &learndb(),
            dir.path(),
            &["migrate", "-u", &url, "--lock-timeout", "0", "up"],
        );
        assert_eq!(up.status.code(), Some(1), "{url}: {}", show(&up));
        assert!(stderr(&up).contains(&holder), "{url}: {}", show(&up));
    }

    lock.release().await;
    let status = run(
        &learndb(),
        dir.path(),
        &["migrate", "-u", &link_url, "status"],
    );
    assert!(
        stdout(&status).lines().any(|l| l == "Lock: free"),
        "{}",
        stdout(&status)
    );
}
