//! The network drops while a migration runs: a proxy between `learndb` and the server forwards
//! one statement, lets the server run it to the end, and cuts the connection before the answer
//! comes back (tests/common/proxy.rs). On the MySQL family each DDL statement commits on its
//! own, so the statement is in place although the runner never heard so. Whatever statement is
//! cut, the state must be one `up --recover` settles, with no hand-written SQL: the runner may
//! not assume that a statement whose outcome it did not hear did not run.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::proxy::CuttingProxy;
use common::*;
use migration::Migrator;
use migration::runner::{Direction, Runner, Selection};

fn port_of(url: &str) -> u16 {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.port())
        .unwrap_or_else(|| panic!("{url} has no port"))
}

/// What the proxy watches for: the statement's text up to its first bound value, at most 60
/// characters (the wire carries placeholders where the captured SQL shows values).
fn trigger_of(sql: &str) -> String {
    let end = sql.find(['?', '$']).unwrap_or(sql.len()).min(60);
    sql[..end].to_owned()
}

/// For each migration in turn: cut the connection after its statement `pick(statements)`, then
/// settle with the commands the error names, and go on to the next one. At the end the database
/// must be exactly what an uninterrupted run makes.
async fn cut_each_migration(backend: Backend, pick: fn(&[String]) -> Option<&String>) {
    let t = TestDb::new(backend).await;
    let plan = Runner::<Migrator>::for_target(&t.db, &t.target())
        .plan(Direction::Up, &Selection::All)
        .await
        .unwrap();
    let upstream = port_of(&t.url);
    let proxy = CuttingProxy::start(upstream);
    let via = proxy.url(&t.url, upstream);
    for (version, statements) in &plan {
        let Some(statement) = pick(statements) else {
            let o = learndb_migrate(&t.url, &["up", "-n", "1"], &[]);
            assert!(o.status.success(), "{version}: {}", show(&o));
            continue;
        };
        proxy.arm(&trigger_of(statement));
        let o = learndb_migrate(&via, &["up", "-n", "1"], &[]);
        assert!(
            proxy.has_cut(),
            "{version}: the proxy never saw `{}`: {}",
            trigger_of(statement),
            show(&o)
        );
        assert!(!o.status.success(), "{version}: {}", show(&o));
        let err = stderr(&o);
        assert_eq!(err.lines().count(), 1, "{version}: {}", show(&o));
        assert!(
            !err.contains("nothing of it ran"),
            "{version}: assumed a statement it never heard back from did not run: {err}"
        );
        let o = learndb_migrate(&t.url, &["up", "--recover", "-n", "1"], &[]);
        assert!(
            o.status.success(),
            "{version}: `up --recover` after the cut: {}",
            show(&o)
        );
    }
    assert_current_and_verified(&t.url, "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_a_connection_cut_after_each_migrations_first_statement_is_settled_by_up_recover() {
    cut_each_migration(Backend::MySql, |s| s.first()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_a_connection_cut_after_each_migrations_last_statement_is_settled_by_up_recover() {
    cut_each_migration(Backend::MySql, |s| s.last()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_connection_cut_after_each_migrations_first_statement_is_settled_by_up_recover()
{
    cut_each_migration(Backend::Postgres, |s| s.first()).await;
}

// The state an older learndb left after such a cut: the first migration's objects exist, and no
// history names them. `up` refuses to build over them and names the one command that settles
// it; `resolve --rolled-back` takes them back with the migration's own down().
on_every_backend!(
    leftovers_without_history_are_taken_back_by_resolve_rolled_back,
    leftovers_without_history_are_taken_back_by_resolve_rolled_back
);
async fn leftovers_without_history_are_taken_back_by_resolve_rolled_back(backend: Backend) {
    let t = TestDb::new(backend).await;
    let first = migration_of_group("users");
    let o = learndb_migrate(&t.url, &["up", "-n", "1"], &[]);
    assert!(o.status.success(), "{}", show(&o));
    for table in ["seaql_migrations", "learndb_migration_history"] {
        t.exec(&format!("DELETE FROM {table}")).await.unwrap();
    }
    let o = learndb_migrate(&t.url, &["up"], &[]);
    let err = stderr(&o);
    assert!(
        !o.status.success() && err.contains(&format!("`resolve {first} --rolled-back`")),
        "{}",
        show(&o)
    );
    let o = learndb_migrate(&t.url, &["resolve", &first, "--rolled-back"], &[]);
    assert!(o.status.success(), "{}", show(&o));
    // Nothing left to take back the second time.
    let o = learndb_migrate(&t.url, &["resolve", &first, "--rolled-back"], &[]);
    assert!(
        !o.status.success() && stderr(&o).contains("nothing to resolve"),
        "{}",
        show(&o)
    );
    let o = learndb_migrate(&t.url, &["up"], &[]);
    assert!(o.status.success(), "{}", show(&o));
    assert_current_and_verified(&t.url, "");
}
