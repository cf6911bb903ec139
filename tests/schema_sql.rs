//! The committed `schema/*.sql` files are exactly what the migrations produce for each backend,
//! so every schema change is reviewed as SQL. Regenerate with `scripts/regen.sh` (or
//! `scripts/schema-sql.sh` alone). A change to the SQL of a migration the files already hold fails
//! with the frozen-output rule: a shipped migration's SQL never changes.

use std::collections::BTreeMap;

use migration::Migrator;
use migration::runner::schema_sql;
use sea_orm::DbBackend;

async fn assert_current(backend: DbBackend, file: &str, committed: &str) {
    let rendered = schema_sql::<Migrator>(backend)
        .await
        .unwrap_or_else(|e| panic!("rendering the {backend:?} schema failed: {e}"));
    if rendered == committed {
        return;
    }
    // A migration the committed file already holds has shipped: its SQL is frozen.
    let (now, before) = (by_migration(&rendered), by_migration(committed));
    let moved: Vec<&str> = before
        .iter()
        .filter(|(version, sql)| now.get(*version).is_some_and(|n| n != *sql))
        .map(|(version, _)| *version)
        .collect();
    if !moved.is_empty() {
        panic!(
            "{file}: the SQL of shipped migration(s) {} changed. The SQL a shipped migration produces never changes, including what it gets from migration/src/ddl.rs: put new behaviour in a new helper or a new step, and leave the one these migrations use as it was (README: Change the schema). Only when the change is deliberate and no database has applied these migrations, run scripts/regen.sh and commit the result",
            moved.join(", ")
        );
    }
    let first = rendered
        .lines()
        .zip(committed.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| rendered.lines().count().min(committed.lines().count()));
    panic!(
        "{file} is stale (first difference at line {}); run scripts/regen.sh and commit the result",
        first + 1
    );
}

/// The schema file cut at its `-- <version>` headers: each migration's SQL.
fn by_migration(sql: &str) -> BTreeMap<&str, String> {
    let mut out = BTreeMap::new();
    let mut current: Option<&str> = None;
    for line in sql.lines() {
        if line.starts_with("-- m") {
            current = Some(&line[3..]);
            continue;
        }
        if let Some(version) = current {
            let block: &mut String = out.entry(version).or_default();
            block.push_str(line);
            block.push('\n');
        }
    }
    out
}

#[tokio::test]
async fn committed_postgres_schema_is_current() {
    assert_current(
        DbBackend::Postgres,
        "schema/postgres.sql",
        include_str!("../schema/postgres.sql"),
    )
    .await;
}

#[tokio::test]
async fn committed_mysql_schema_is_current() {
    assert_current(
        DbBackend::MySql,
        "schema/mysql.sql",
        include_str!("../schema/mysql.sql"),
    )
    .await;
}

#[tokio::test]
async fn committed_sqlite_schema_is_current() {
    assert_current(
        DbBackend::Sqlite,
        "schema/sqlite.sql",
        include_str!("../schema/sqlite.sql"),
    )
    .await;
}
