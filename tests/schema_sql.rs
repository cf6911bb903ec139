//! The committed `schema/*.sql` files are exactly what the migrations produce for each backend,
//! so every schema change is reviewed as SQL. Regenerate with `scripts/schema-sql.sh`.

use migration::Migrator;
use migration::runner::schema_sql;
use sea_orm::DbBackend;

async fn assert_current(backend: DbBackend, file: &str, committed: &str) {
    let rendered = schema_sql::<Migrator>(backend)
        .await
        .unwrap_or_else(|e| panic!("rendering the {backend:?} schema failed: {e}"));
    if rendered != committed {
        let first = rendered
            .lines()
            .zip(committed.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| rendered.lines().count().min(committed.lines().count()));
        panic!(
            "{file} is stale (first difference at line {}); run scripts/schema-sql.sh and commit the result",
            first + 1
        );
    }
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
