//! Objects that exist although no history says they were created: a migration whose history
//! row was lost, or leftovers created by hand. `up` looks before it applies a migration and
//! stops with a message instead of failing part-way on "already exists".

use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use sea_orm_migration::sea_orm;

/// A table or view (one namespace on every backend), or a PostgreSQL type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Object {
    Relation(String),
    Type(String),
}

impl Object {
    pub fn describe(&self) -> String {
        match self {
            Object::Relation(name) => format!("table/view {name}"),
            Object::Type(name) => format!("type {name}"),
        }
    }
}

/// What `sql` creates unconditionally: `CREATE TABLE|VIEW|TYPE name`, but not `IF NOT EXISTS`
/// or `OR REPLACE` forms, which are written to tolerate an existing object.
pub fn created_by(sql: &str) -> Option<Object> {
    let words: Vec<&str> = sql.split_whitespace().take(6).collect();
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    let is = |i: usize, w: &str| upper.get(i).is_some_and(|u| u == w);
    if !is(0, "CREATE") {
        return None;
    }
    let (kind, at) = if is(1, "TABLE") || is(1, "VIEW") {
        ("relation", 2)
    } else if is(1, "TYPE") {
        ("type", 2)
    } else {
        return None;
    };
    if is(at, "IF") {
        return None;
    }
    let name = unquote(words.get(at)?);
    if name.is_empty() {
        return None;
    }
    Some(match kind {
        "type" => Object::Type(name),
        _ => Object::Relation(name),
    })
}

/// What `sql` drops: `DROP TABLE|VIEW|TYPE [IF EXISTS] name` (the first name).
pub fn dropped_by(sql: &str) -> Option<Object> {
    let words: Vec<&str> = sql.split_whitespace().take(6).collect();
    let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
    if upper.first().map(String::as_str) != Some("DROP") {
        return None;
    }
    let kind = upper.get(1)?.clone();
    let at = if upper.get(2).map(String::as_str) == Some("IF") {
        4
    } else {
        2
    };
    let name = unquote(words.get(at)?.trim_end_matches([',', ';']));
    match kind.as_str() {
        "TABLE" | "VIEW" => Some(Object::Relation(name)),
        "TYPE" => Some(Object::Type(name)),
        _ => None,
    }
}

/// `"users"`, `` `users` ``, `users(` → `users`.
fn unquote(word: &str) -> String {
    let word = word.split('(').next().unwrap_or(word);
    word.trim_matches(|c| c == '"' || c == '`').to_owned()
}

/// Every table, view and (on PostgreSQL) type in the database's current schema.
pub async fn existing(db: &DatabaseConnection) -> Result<BTreeSet<Object>, DbErr> {
    let backend = db.get_database_backend();
    let relations = match backend {
        DbBackend::Postgres => {
            "SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
        }
        DbBackend::MySql => {
            "SELECT CAST(TABLE_NAME AS CHAR) AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
        }
        _ => "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')",
    };
    let mut found = BTreeSet::new();
    for row in db
        .query_all_raw(Statement::from_string(backend, relations))
        .await?
    {
        found.insert(Object::Relation(row.try_get("", "name")?));
    }
    if backend == DbBackend::Postgres {
        let types = "SELECT t.typname::text AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                     WHERE n.nspname = current_schema() AND t.typtype = 'e'";
        for row in db
            .query_all_raw(Statement::from_string(backend, types))
            .await?
        {
            found.insert(Object::Type(row.try_get("", "name")?));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_are_recognised_in_every_backends_quoting() {
        assert_eq!(
            created_by(r#"CREATE TABLE "users" ( "id" uuid )"#),
            Some(Object::Relation("users".into()))
        );
        assert_eq!(
            created_by("CREATE TABLE `users` ( `id` binary(16) )"),
            Some(Object::Relation("users".into()))
        );
        assert_eq!(
            created_by(r#"CREATE TYPE "role" AS ENUM ('a')"#),
            Some(Object::Type("role".into()))
        );
        assert_eq!(
            created_by("create view v_x AS SELECT 1"),
            Some(Object::Relation("v_x".into()))
        );
        assert_eq!(
            created_by(r#"CREATE TABLE "t"("id" int)"#),
            Some(Object::Relation("t".into()))
        );
        for tolerant in [
            r#"CREATE TABLE IF NOT EXISTS "users" ()"#,
            "CREATE OR REPLACE VIEW v AS SELECT 1",
            r#"CREATE INDEX "i" ON "t" ("c")"#,
            "INSERT INTO t VALUES (1)",
            "",
        ] {
            assert_eq!(created_by(tolerant), None, "{tolerant}");
        }
    }
}
