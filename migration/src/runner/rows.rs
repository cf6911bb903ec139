//! What rolling back would do to rows, said before it is done: the reference rows a migration's
//! `down()` deletes, and the rows that go with them through foreign keys (deleted by
//! `ON DELETE CASCADE`, unlinked by `SET NULL`). Module 19's `down()` deletes the anonymous
//! user, with every guest session, and the page sizes user templates point at; `up` brings the
//! reference rows back but not what went with them, so the operator is told first, with counts.
//!
//! The `DELETE` statements are read from the migrations' captured `down` SQL and turned into
//! counts with the same `WHERE`; the foreign keys come from the catalog. Only the rows that
//! reference the deleted ones directly are counted: a cascade that goes further is named as such.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
    TransactionTrait,
};
use sea_orm_migration::sea_orm;
use sea_orm_migration::sea_orm::prelude::Uuid;

/// `DELETE FROM t WHERE …`, as sea-query writes it for every backend.
#[derive(Debug, PartialEq, Eq)]
pub struct Delete {
    pub table: String,
    /// The condition, as written (`"id" IN (…) AND "created_by" IS NULL`).
    pub condition: String,
}

/// The table and condition of a `DELETE FROM "t" WHERE …` statement.
pub fn delete_of(sql: &str) -> Option<Delete> {
    let rest = sql.trim().strip_prefix("DELETE FROM ")?;
    let quote = rest.chars().next().filter(|c| matches!(c, '"' | '`'))?;
    let end = rest[1..].find(quote)? + 1;
    let table = rest[1..end].to_owned();
    let condition = rest[end + 1..].trim_start().strip_prefix("WHERE ")?.trim();
    Some(Delete {
        table,
        condition: condition.to_owned(),
    })
}

/// A foreign key that points at a table, with what deleting a referenced row does.
#[derive(Debug, Clone)]
pub struct Reference {
    pub child: String,
    pub column: String,
    pub parent_column: String,
    /// `CASCADE`, `SET NULL`, `SET DEFAULT`, `RESTRICT` or `NO ACTION`.
    pub on_delete: String,
}

/// The single-column foreign keys that reference `table`.
pub async fn references_to<C: ConnectionTrait>(
    db: &C,
    table: &str,
) -> Result<Vec<Reference>, DbErr> {
    let backend = db.get_database_backend();
    let (sql, values): (&str, Vec<sea_orm::Value>) = match backend {
        DbBackend::Postgres => (
            "SELECT cl.relname::text AS child, a.attname::text AS col, pa.attname::text AS pcol,
                    CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL'
                         WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END AS action
             FROM pg_constraint c
             JOIN pg_class cl ON cl.oid = c.conrelid
             JOIN pg_class p ON p.oid = c.confrelid
             JOIN pg_namespace n ON n.oid = p.relnamespace
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
             WHERE c.contype = 'f' AND p.relname = $1 AND n.nspname = current_schema()
               AND array_length(c.conkey, 1) = 1
             ORDER BY 1, 2",
            vec![table.into()],
        ),
        DbBackend::MySql => (
            "SELECT CAST(k.TABLE_NAME AS CHAR) AS child, CAST(k.COLUMN_NAME AS CHAR) AS col,
                    CAST(k.REFERENCED_COLUMN_NAME AS CHAR) AS pcol, CAST(r.DELETE_RULE AS CHAR) AS action
             FROM information_schema.KEY_COLUMN_USAGE k
             JOIN information_schema.REFERENTIAL_CONSTRAINTS r
               ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
              AND r.TABLE_NAME = k.TABLE_NAME
             WHERE k.CONSTRAINT_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME = ?
             ORDER BY 1, 2",
            vec![table.into()],
        ),
        _ => (
            "SELECT m.name AS child, f.\"from\" AS col, f.\"to\" AS pcol, f.on_delete AS action
             FROM sqlite_master m, pragma_foreign_key_list(m.name) f
             WHERE m.type = 'table' AND f.\"table\" = ?
             ORDER BY 1, 2",
            vec![table.into()],
        ),
    };
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Reference {
                child: r.try_get("", "child")?,
                column: r.try_get("", "col")?,
                parent_column: r.try_get("", "pcol")?,
                on_delete: r.try_get::<String>("", "action")?.to_ascii_uppercase(),
            })
        })
        .collect()
}

/// What the `DELETE` statements of `plan` (migrations in rollback order, each with its `down`
/// SQL) would do to rows now, one line per statement that touches any, prefixed with its
/// migration: `deletes 1 row of users; deletes 3 rows of user_sessions with them (ON DELETE
/// CASCADE, …); sets template_presets.page_size_preset_id to NULL in 5 rows`.
///
/// The deletes run one after another in a transaction that is rolled back, so each count sees
/// what the earlier ones removed (a template deleted by one statement is not counted as unlinked
/// by the next); nothing else of the rollback runs.
pub async fn impact(
    db: &DatabaseConnection,
    plan: &[(String, Vec<String>)],
) -> Result<Vec<String>, DbErr> {
    let txn = db.begin().await?;
    let counted = count_deletes(&txn, plan).await;
    txn.rollback().await?;
    counted
}

async fn count_deletes(
    txn: &DatabaseTransaction,
    plan: &[(String, Vec<String>)],
) -> Result<Vec<String>, DbErr> {
    let backend = txn.get_database_backend();
    let quote = |name: &str| match backend {
        DbBackend::MySql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    };
    let count = async |sql: String| -> Result<i64, DbErr> {
        let row = txn
            .query_one_raw(Statement::from_string(backend, sql))
            .await?;
        Ok(row
            .and_then(|r| r.try_get_by_index::<i64>(0).ok())
            .unwrap_or(0))
    };
    let mut lines = Vec::new();
    for (version, statements) in plan {
        for sql in statements {
            let Some(mut delete) = delete_of(sql) else {
                continue;
            };
            if backend != DbBackend::Postgres {
                delete.condition = uuid_blobs(&delete.condition);
            }
            let table = quote(&delete.table);
            let deleted = count(format!(
                "SELECT COUNT(*) FROM {table} WHERE {}",
                delete.condition
            ))
            .await?;
            if deleted == 0 {
                continue;
            }
            let mut effects = Vec::new();
            for reference in references_to(txn, &delete.table).await? {
                let n = count(format!(
                    "SELECT COUNT(*) FROM {} WHERE {} IN (SELECT {} FROM {table} WHERE {})",
                    quote(&reference.child),
                    quote(&reference.column),
                    quote(&reference.parent_column),
                    delete.condition
                ))
                .await?;
                if n == 0 {
                    continue;
                }
                effects.push(match reference.on_delete.as_str() {
                    "CASCADE" => format!(
                        "deletes {} of {} with them (ON DELETE CASCADE, and what references those)",
                        rows(n),
                        reference.child
                    ),
                    "SET NULL" => format!(
                        "sets {}.{} to NULL in {}",
                        reference.child,
                        reference.column,
                        rows(n)
                    ),
                    "SET DEFAULT" => format!(
                        "sets {}.{} to its default in {}",
                        reference.child,
                        reference.column,
                        rows(n)
                    ),
                    other => format!(
                        "fails while {} of {} reference them ({other})",
                        rows(n),
                        reference.child
                    ),
                });
            }
            let mut line = format!("{version} deletes {} of {}", rows(deleted), delete.table);
            for effect in effects {
                line.push_str("; ");
                line.push_str(&effect);
            }
            lines.push(line);
            txn.execute_unprepared(&format!("DELETE FROM {table} WHERE {}", delete.condition))
                .await?;
        }
    }
    Ok(lines)
}

/// `condition` with each quoted UUID (`'0190…-…'`) written as the 16 bytes SQLite and the MySQL
/// family store (`X'0190…'`, a blob; `binary(16)`): SeaORM binds a `Uuid` as bytes there, while
/// the captured SQL shows its text.
fn uuid_blobs(condition: &str) -> String {
    let mut out = String::with_capacity(condition.len());
    let mut rest = condition;
    while let Some(at) = rest.find('\'') {
        out.push_str(&rest[..at]);
        let literal = rest[at + 1..].get(..37);
        match literal
            .and_then(|l| l.strip_suffix('\''))
            .and_then(|l| Uuid::try_parse(l).ok())
        {
            Some(id) if rest.as_bytes().get(at + 9) == Some(&b'-') => {
                out.push_str(&format!("X'{}'", id.simple()));
                rest = &rest[at + 38..];
            }
            _ => {
                out.push('\'');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn rows(n: i64) -> String {
    if n == 1 {
        "1 row".to_owned()
    } else {
        format!("{n} rows")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn deletes_are_read_in_every_backends_quoting() {
        assert_eq!(
            delete_of(
                r#"DELETE FROM "users" WHERE "id" IN ('00000000-0000-0000-0000-000000000000')"#
            ),
            Some(Delete {
                table: "users".into(),
                condition: r#""id" IN ('00000000-0000-0000-0000-000000000000')"#.into()
            })
        );
        let mysql = delete_of(
            "DELETE FROM `page_size_presets` WHERE `id` IN (X'01') AND `created_by` IS NULL",
        )
        .unwrap();
        assert_eq!(mysql.table, "page_size_presets");
        assert_eq!(mysql.condition, "`id` IN (X'01') AND `created_by` IS NULL");
        assert_eq!(
            uuid_blobs(
                "\"id\" IN ('00000000-0000-7000-8000-000000000101', 'x') AND \"n\" = 'it''s'"
            ),
            "\"id\" IN (X'00000000000070008000000000000101', 'x') AND \"n\" = 'it''s'"
        );
        for other in [
            r#"DROP TABLE "users""#,
            r#"DELETE FROM "users""#,
            "INSERT INTO t VALUES (1)",
        ] {
            assert_eq!(delete_of(other), None, "{other}");
        }
    }
}
