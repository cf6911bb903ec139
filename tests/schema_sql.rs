//! The committed `schema/*.sql` files are exactly what the migrations produce for each backend,
//! so every schema change is reviewed as SQL. Regenerate with `scripts/regen.sh` (or
//! `scripts/schema-sql.sh` alone). A change to the SQL of a migration the files already hold fails
//! with the frozen-output rule: a shipped migration's SQL never changes.

use std::collections::BTreeMap;

use migration::runner::capture::capture;
use migration::runner::{Direction, schema_sql};
use migration::{Migrator, MigratorTrait};
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

/// Module 20 on the MySQL family (SPEC-26-27 §26.6): each of its five checks is added, and
/// dropped, by an `ALTER TABLE` of its own (TiDB cannot combine a CHECK with another clause, and
/// MariaDB would name a column-level check after its column); the adds are the last statements
/// of `up()`, and `down()` starts with the five drops, in reverse.
#[tokio::test]
async fn practice_later_checks_stand_alone_on_mysql() {
    let checks = [
        ("knowledge_points", "ck_knowledge_points_sort_index"),
        ("practice_sessions", "ck_practice_sessions_incorrect_items"),
        ("practice_sessions", "ck_practice_sessions_skipped_items"),
        (
            "practice_sessions",
            "ck_practice_sessions_auto_advance_delay",
        ),
        (
            "practice_sessions",
            "ck_practice_sessions_last_question_index",
        ),
    ];
    let migrations = Migrator::migrations();
    let module = migrations
        .iter()
        .find(|m| m.name() == "m20261121_000020_practice_later")
        .expect("module 20 is in Migrator::migrations()");
    let sql = async |direction| {
        capture(DbBackend::MySql, module.as_ref(), direction)
            .await
            .unwrap_or_else(|e| panic!("capturing module 20 {direction:?} on MySQL: {e}"))
    };
    let (up, down) = (sql(Direction::Up).await, sql(Direction::Down).await);

    for (direction, statements) in [("up", &up), ("down", &down)] {
        for statement in statements.iter().filter(|s| s.contains("CHECK")) {
            assert_eq!(
                top_level_clauses(statement),
                1,
                "module 20 {direction}: a CHECK shares its statement with another clause: {statement}"
            );
        }
        let mentioning = statements
            .iter()
            .filter(|s| checks.iter().any(|(_, name)| s.contains(name)))
            .count();
        assert_eq!(
            mentioning, 5,
            "module 20 {direction}: statements naming one of the five checks"
        );
    }

    let adds: Vec<String> = checks
        .iter()
        .map(|(table, name)| format!("ALTER TABLE `{table}` ADD CONSTRAINT `{name}` CHECK ("))
        .collect();
    let last_five = &up[up.len().saturating_sub(5)..];
    assert_eq!(last_five.len(), 5, "module 20 up: {up:#?}");
    for (statement, prefix) in last_five.iter().zip(&adds) {
        assert!(
            statement.starts_with(prefix.as_str()),
            "module 20 up must end with the five checks, one ALTER TABLE each, in §26.2 order; \
             expected {prefix}…, got: {statement}"
        );
    }

    let drops: Vec<String> = checks
        .iter()
        .rev()
        .map(|(table, name)| format!("ALTER TABLE `{table}` DROP CONSTRAINT `{name}`"))
        .collect();
    assert_eq!(
        &down[..5.min(down.len())],
        drops.as_slice(),
        "module 20 down must start with the five check drops, in reverse"
    );
}

/// The clauses of one statement: commas outside parentheses and quotes, plus one.
fn top_level_clauses(statement: &str) -> usize {
    let (mut depth, mut quote, mut clauses) = (0_i32, None, 1);
    for c in statement.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '`' | '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => clauses += 1,
            _ => {}
        }
    }
    clauses
}
