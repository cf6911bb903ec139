//! A read-only server, as an operator meets one by pointing DATABASE_URL at the wrong host: a
//! real PostgreSQL hot standby made with `pg_basebackup -R`, and a MariaDB with `read_only` on.
//! Every changing command refuses before it starts, in one line naming the fix; the reading
//! commands (`status`, `verify`, `diff`, `docs`) work; `doctor` says what the server is.
//!
//! Each test starts private servers of its own (tests/common/private.rs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Output;

use common::private::{PrivateMariaDb, PrivatePostgres};
use common::*;

/// `learndb <args>` with `LEARNDB_YES` set, so a refusal is the server's, not the prompt's.
fn learndb(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    command(&learndb_bin(), dir.path())
        .args(args)
        .env("LEARNDB_YES", "1")
        .output()
        .unwrap()
}

/// The changing commands, each as an operator would type it against `url`.
fn changing_commands(url: &str) -> Vec<Vec<String>> {
    let m = |args: &[&str]| {
        ["migrate", "-u", url]
            .iter()
            .chain(args)
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    vec![
        m(&["up"]),
        m(&["up", "--recover"]),
        m(&["down"]),
        m(&["fresh"]),
        m(&["refresh"]),
        m(&["reset"]),
        m(&["repair"]),
        m(&["resolve", "m20261121_000019_seed", "--rolled-back"]),
        ["seed", "--demo", "-u", url].map(String::from).to_vec(),
        [
            "import",
            "writebot",
            "--from",
            "sqlite:///nonexistent/writebot.db",
            "--yes",
            "-u",
            url,
        ]
        .map(String::from)
        .to_vec(),
    ]
}

/// Each changing command exits non-zero with one `error:` line that names the server's role
/// and the fix, and starts nothing (no migration, no "dropped … objects").
fn every_changing_command_refuses(url: &str, role: &str) {
    for args in changing_commands(url) {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = learndb(&args);
        let err = stderr(&o);
        assert!(!o.status.success(), "{args:?} ran: {}", show(&o));
        assert_eq!(err.lines().count(), 1, "{args:?}: {}", show(&o));
        for needle in ["error: refusing to", role, "DIRECT_DATABASE_URL", "nothing"] {
            assert!(
                err.contains(needle),
                "{args:?} lacks {needle:?}: {}",
                show(&o)
            );
        }
        let out = stdout(&o);
        for started in ["dropped", "Applying", "Rolling back", "Source:"] {
            assert!(
                !out.contains(started),
                "{args:?} started work: {}",
                show(&o)
            );
        }
    }
}

/// `status`, `verify`, `diff` (with the primary), `docs` and `doctor` work on the read-only
/// server; `doctor` warns that it is one.
fn reading_commands_work(url: &str, primary_url: &str, role: &str) {
    let o = learndb(&["migrate", "-u", url, "status", "--check"]);
    assert!(o.status.success(), "status: {}", show(&o));
    assert!(
        stdout(&o).contains(role),
        "the Server: line names the role: {}",
        show(&o)
    );
    let o = learndb(&["verify", "-u", url]);
    assert!(o.status.success(), "verify: {}", show(&o));
    let o = learndb(&["diff", primary_url, url]);
    assert!(o.status.success(), "diff: {}", show(&o));
    let out = tempfile::tempdir().unwrap();
    let docs = out.path().join("schema");
    let o = learndb(&["docs", "-u", url, "--out", docs.to_str().unwrap()]);
    assert!(o.status.success(), "docs: {}", show(&o));
    assert!(
        docs.join("README.md").exists(),
        "docs wrote nothing: {}",
        show(&o)
    );
    let o = learndb(&["doctor", "-u", url]);
    assert!(o.status.success(), "doctor: {}", show(&o));
    let line = stdout(&o)
        .lines()
        .find(|l| l.contains("writes"))
        .map(str::to_owned)
        .unwrap_or_else(|| panic!("no 'writes' line: {}", show(&o)));
    assert!(
        line.starts_with("warn") && line.contains(role) && line.contains("refuse"),
        "{line}"
    );
}

#[test]
fn a_postgresql_hot_standby_refuses_every_changing_command_and_serves_the_reading_ones() {
    let primary = PrivatePostgres::primary();
    primary.psql("postgres", "CREATE DATABASE learndb");
    let primary_url = primary.url("learndb");
    let o = learndb(&["migrate", "-u", &primary_url, "up"]);
    assert!(o.status.success(), "migrating the primary: {}", show(&o));

    let standby = PrivatePostgres::standby_of(&primary);
    standby.caught_up_with(&primary);
    assert_eq!(standby.psql("postgres", "SELECT pg_is_in_recovery()"), "t");
    let url = standby.url("learndb");

    every_changing_command_refuses(&url, "hot standby");
    reading_commands_work(&url, &primary_url, "hot standby");

    // The standby still replays its primary: nothing the refused commands did reached either.
    let history = "SELECT count(*) FROM seaql_migrations";
    assert_eq!(
        primary.psql("learndb", history),
        migration_names().len().to_string()
    );
    standby.caught_up_with(&primary);
    assert_eq!(
        standby.psql("learndb", history),
        primary.psql("learndb", history)
    );
}

#[test]
fn a_postgresql_database_read_only_by_default_is_refused_the_same_way() {
    let server = PrivatePostgres::primary();
    server.psql("postgres", "CREATE DATABASE learndb");
    let url = server.url("learndb");
    let o = learndb(&["migrate", "-u", &url, "up"]);
    assert!(o.status.success(), "{}", show(&o));
    server.psql(
        "postgres",
        "ALTER DATABASE learndb SET default_transaction_read_only = on",
    );
    let o = learndb(&["migrate", "-u", &url, "down"]);
    let err = stderr(&o);
    assert!(
        !o.status.success()
            && err.lines().count() == 1
            && err.contains("default_transaction_read_only"),
        "{}",
        show(&o)
    );
    reading_commands_work(&url, &url, "read-only session");
}

#[test]
fn a_mariadb_replica_with_read_only_on_refuses_every_changing_command() {
    let server = PrivateMariaDb::start();
    server.sql("CREATE DATABASE learndb");
    let url = server.url("learndb");
    let o = learndb(&["migrate", "-u", &url, "up"]);
    assert!(o.status.success(), "{}", show(&o));
    // The root user may still write under read_only (it has READ ONLY ADMIN), which is exactly
    // how a replica is broken by hand: learndb refuses anyway.
    server.sql("SET GLOBAL read_only = ON");
    every_changing_command_refuses(&url, "read_only is ON");
    reading_commands_work(&url, &url, "read_only is ON");
    assert_eq!(
        server.sql("SELECT count(*) FROM learndb.seaql_migrations"),
        migration_names().len().to_string()
    );
}
