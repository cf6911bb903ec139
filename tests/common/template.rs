//! Migrated templates, made once per test process, so a fresh migrated database costs a copy
//! instead of a full migration as the schema grows.
//!
//! PostgreSQL: a database `learndb_tpl_<hash>` migrated through the runner, cloned with
//! `CREATE DATABASE … TEMPLATE`. Its name carries a hash of the SQL every migration runs and the
//! current year (the `attempts` partitions depend on it), so a changed migration or a new year
//! gets a new template and a stale one is never reused; test processes that run at the same time
//! share it (whoever renames its build into place first wins, the others drop theirs). Older
//! templates are dropped when a new one is made.
//!
//! SQLite: a file migrated through the runner in a temporary folder, copied per test.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use chrono::Datelike;
use migration::Migrator;
use migration::runner::{Selection, schema_sql};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use tokio::sync::OnceCell;

use super::{Backend, TestDb, connect_admin};

static POSTGRES: OnceCell<String> = OnceCell::const_new();
static SQLITE: OnceCell<(tempfile::TempDir, PathBuf)> = OnceCell::const_new();

/// The name of the migrated PostgreSQL template, made on first use.
pub async fn postgres() -> &'static str {
    POSTGRES.get_or_init(make_postgres).await
}

/// The migrated SQLite template file, made on first use.
pub async fn sqlite() -> &'static PathBuf {
    &SQLITE
        .get_or_init(|| async {
            let t = TestDb::new(Backend::Sqlite).await;
            t.migrate(Selection::All).await;
            t.db.close_by_ref().await.ok();
            let dir = tempfile::tempdir().expect("create a temporary directory");
            let path = dir.path().join("template.sqlite");
            std::fs::copy(t.sqlite_path().expect("SQLite file"), &path)
                .unwrap_or_else(|e| panic!("copy the migrated SQLite database: {e}"));
            (dir, path)
        })
        .await
        .1
}

async fn make_postgres() -> String {
    let sql = schema_sql::<Migrator>(DbBackend::Postgres)
        .await
        .unwrap_or_else(|e| panic!("render the PostgreSQL schema: {e}"));
    let mut hasher = DefaultHasher::new();
    sql.hash(&mut hasher);
    let name = format!(
        "learndb_tpl_{:016x}_{}",
        hasher.finish(),
        chrono::Utc::now().year()
    );
    let (admin_url, var) = Backend::Postgres
        .admin_url()
        .expect("PostgreSQL has an admin URL");
    let admin = connect_admin(&admin_url, var, Backend::Postgres).await;
    let exists = |name: String| {
        let admin = &admin;
        async move {
            !admin
                .query_all_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT 1 FROM pg_database WHERE datname = $1",
                    [name.into()],
                ))
                .await
                .unwrap_or_else(|e| panic!("{var}: list databases: {e}"))
                .is_empty()
        }
    };
    if !exists(name.clone()).await {
        // Build under a private name, then rename into place: a half-built template is never
        // visible under the shared name.
        let build = TestDb::new(Backend::Postgres).await;
        build.migrate(Selection::All).await;
        build.db.close_by_ref().await.ok();
        let built = build.name.clone();
        let renamed = admin
            .execute_unprepared(&format!("ALTER DATABASE \"{built}\" RENAME TO \"{name}\""))
            .await;
        match renamed {
            Ok(_) => {
                // `build` now names nothing; its drop is a no-op. Mark the template so a role
                // with CREATEDB (not only a superuser) may clone it.
                admin
                    .execute_unprepared(&format!("ALTER DATABASE \"{name}\" IS_TEMPLATE true"))
                    .await
                    .unwrap_or_else(|e| panic!("{var}: mark {name} as a template: {e}"));
                drop_stale(&admin, &name).await;
            }
            // Another test process renamed its build first; ours is dropped with `build`.
            Err(_) if exists(name.clone()).await => {}
            Err(e) => panic!("{var}: rename the migrated template into place: {e}"),
        }
        drop(build);
    }
    admin.close().await.ok();
    name
}

/// Drops templates of other schema versions; one still being cloned is left for next time.
async fn drop_stale(admin: &sea_orm::DatabaseConnection, keep: &str) {
    let Ok(rows) = admin
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT datname::text AS name FROM pg_database WHERE datname LIKE 'learndb\\_tpl\\_%'",
        ))
        .await
    else {
        return;
    };
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "name") else {
            continue;
        };
        if name != keep {
            admin
                .execute_unprepared(&format!("ALTER DATABASE \"{name}\" IS_TEMPLATE false"))
                .await
                .ok();
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\""))
                .await
                .ok();
        }
    }
}
