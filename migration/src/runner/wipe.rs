//! `fresh`: drop every table, view and (PostgreSQL) enum type and function in the database,
//! as sea-orm-migration's `fresh` does, whoever created them. Runs under the migration lock.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait};
use sea_orm_migration::sea_orm;

/// Drops everything; returns how many objects were dropped.
pub async fn drop_everything(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let backend = db.get_database_backend();
    let listing = match backend {
        DbBackend::Postgres => {
            "SELECT 'VIEW' AS kind, format('%I', viewname) AS name FROM pg_views WHERE schemaname = current_schema()
             UNION ALL SELECT 'TABLE', format('%I', tablename) FROM pg_tables WHERE schemaname = current_schema()
             UNION ALL SELECT 'FUNCTION', p.oid::regprocedure::text FROM pg_proc p
                 WHERE p.pronamespace = current_schema()::regnamespace
                   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
             UNION ALL SELECT 'TYPE', format('%I', t.typname) FROM pg_type t
                 WHERE t.typnamespace = current_schema()::regnamespace AND t.typtype = 'e'"
        }
        DbBackend::MySql => {
            "SELECT CAST(IF(TABLE_TYPE = 'VIEW', 'VIEW', 'TABLE') AS CHAR) AS kind,
                    CAST(CONCAT('`', REPLACE(TABLE_NAME, '`', '``'), '`') AS CHAR) AS name
             FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_TYPE DESC"
        }
        _ => {
            "SELECT upper(type) AS kind, '\"' || replace(name, '\"', '\"\"') || '\"' AS name FROM sqlite_master
             WHERE type IN ('view', 'table', 'trigger') AND name NOT LIKE 'sqlite_%'
             ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 ELSE 2 END"
        }
    };
    let mut objects = Vec::new();
    for row in db
        .query_all_raw(Statement::from_string(backend, listing))
        .await?
    {
        let kind: String = row.try_get("", "kind")?;
        let name: String = row.try_get("", "name")?;
        objects.push((kind, name));
    }
    let cascade = if backend == DbBackend::Postgres {
        " CASCADE"
    } else {
        ""
    };
    let statements: Vec<String> = objects
        .iter()
        .map(|(kind, name)| format!("DROP {kind} IF EXISTS {name}{cascade}"))
        .collect();
    match backend {
        // Foreign-key checks are per session: keep every statement on one connection.
        DbBackend::MySql => {
            let txn = db.begin().await?;
            txn.execute_unprepared("SET FOREIGN_KEY_CHECKS = 0").await?;
            for statement in &statements {
                txn.execute_unprepared(statement).await?;
            }
            txn.execute_unprepared("SET FOREIGN_KEY_CHECKS = 1").await?;
            txn.commit().await?;
        }
        DbBackend::Sqlite => {
            db.execute_unprepared("PRAGMA foreign_keys = OFF").await?;
            let result = async {
                for statement in &statements {
                    db.execute_unprepared(statement).await?;
                }
                Ok::<(), DbErr>(())
            }
            .await;
            db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
            result?;
        }
        _ => {
            let txn = db.begin().await?;
            for statement in &statements {
                txn.execute_unprepared(statement).await?;
            }
            txn.commit().await?;
        }
    }
    Ok(objects.len())
}
