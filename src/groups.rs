//! Which migration, and so which table group, creates each table, view and PostgreSQL type.
//!
//! Worked out from the migrations themselves: each one's `up()` is captured for the backend
//! (no database needed) and its `CREATE TABLE|VIEW|TYPE` statements are read. So a new table in
//! a new migration lands in the right group without a list to keep up to date.

use std::collections::BTreeMap;

use migration::runner::capture::{Direction, capture};
use migration::runner::group_of;
use migration::{Migrator, MigratorTrait};
use sea_orm::{DbBackend, DbErr};

#[derive(Debug, Clone, Default)]
pub struct Groups {
    /// Migration names in order of application.
    migrations: Vec<String>,
    /// Table, view or type name → the migration that creates it.
    owner: BTreeMap<String, String>,
}

impl Groups {
    /// The owners of every object the migrations create on `backend`.
    pub async fn of(backend: DbBackend) -> Result<Groups, DbErr> {
        let mut groups = Groups::default();
        for migration in Migrator::migrations() {
            let name = migration.name().to_owned();
            for sql in capture(backend, migration.as_ref(), Direction::Up).await? {
                if let Some(object) = created_name(&sql) {
                    groups.owner.entry(object).or_insert_with(|| name.clone());
                }
            }
            groups.migrations.push(name);
        }
        Ok(groups)
    }

    /// Migration names, in order.
    pub fn migrations(&self) -> &[String] {
        &self.migrations
    }

    /// The migration that creates table, view or type `name`.
    pub fn migration_of(&self, name: &str) -> Option<&str> {
        self.owner.get(name).map(String::as_str)
    }

    /// The table group (`users`, `content`, …, `views`) of table, view or type `name`.
    pub fn group_of(&self, name: &str) -> Option<String> {
        self.migration_of(name).map(group_of)
    }

    /// Each group, in migration order, with the objects its migration creates, sorted.
    pub fn by_group(&self) -> Vec<(String, Vec<String>)> {
        self.migrations
            .iter()
            .map(|m| {
                let objects = self
                    .owner
                    .iter()
                    .filter(|(_, owner)| *owner == m)
                    .map(|(object, _)| object.clone())
                    .collect();
                (group_of(m), objects)
            })
            .collect()
    }
}

/// The object a `CREATE [OR REPLACE] TABLE|VIEW|TYPE|TRIGGER|FUNCTION [IF NOT EXISTS] name`
/// statement creates.
pub fn created_name(sql: &str) -> Option<String> {
    let mut words = sql.split_whitespace().map(|w| (w, w.to_ascii_uppercase()));
    if words.next()?.1 != "CREATE" {
        return None;
    }
    let mut kind = words.next()?;
    if kind.1 == "OR" {
        words.next()?; // REPLACE
        kind = words.next()?;
    }
    if kind.1 == "TEMPORARY" || kind.1 == "TEMP" {
        return None;
    }
    if !matches!(
        kind.1.as_str(),
        "TABLE" | "VIEW" | "TYPE" | "TRIGGER" | "FUNCTION"
    ) {
        return None;
    }
    let mut name = words.next()?;
    if name.1 == "IF" {
        words.next()?; // NOT
        words.next()?; // EXISTS
        name = words.next()?;
    }
    let name = name.0.split('(').next().unwrap_or_default();
    let name = name.trim_matches(|c| c == '"' || c == '`' || c == '\'' || c == '[' || c == ']');
    (!name.is_empty()).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::created_name;

    #[test]
    fn reads_the_created_object() {
        assert_eq!(
            created_name("CREATE TABLE \"users\" ( id uuid )").as_deref(),
            Some("users")
        );
        assert_eq!(
            created_name("CREATE TABLE IF NOT EXISTS `plugins`(x int)").as_deref(),
            Some("plugins")
        );
        assert_eq!(
            created_name("create or replace view v as select 1").as_deref(),
            Some("v")
        );
        assert_eq!(
            created_name("CREATE TYPE \"difficulty\" AS ENUM ('a')").as_deref(),
            Some("difficulty")
        );
        assert_eq!(
            created_name("CREATE TRIGGER trg_users_updated_at BEFORE UPDATE").as_deref(),
            Some("trg_users_updated_at")
        );
        assert_eq!(
            created_name("CREATE OR REPLACE FUNCTION f(y int) RETURNS").as_deref(),
            Some("f")
        );
        assert_eq!(created_name("CREATE INDEX i ON t (c)"), None);
        assert_eq!(created_name("INSERT INTO t VALUES (1)"), None);
    }
}
