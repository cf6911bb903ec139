//! The foreign keys the applied migrations declare, read from their SQL, against the catalog.
//!
//! MariaDB killed while a copying `ALTER TABLE` waits can come back with the table's other
//! foreign keys gone, and every command used to report success over it (tests/server_crash.rs).
//! On the MySQL family the runner therefore compares, before it changes anything and in
//! `status`, the foreign keys the applied migrations declare with those the catalog has; a
//! missing one is a problem of the migration that declared it, and `up --recover` adds it back
//! with that migration's own clause ([`super::execute::AddedForeignKey`], in place and checked).
//!
//! Pure functions over the SQL sea-query writes for the MySQL family: `CREATE TABLE` with
//! `CONSTRAINT name FOREIGN KEY …` clauses, `ALTER TABLE … ADD CONSTRAINT name FOREIGN KEY …`,
//! `ALTER TABLE … DROP FOREIGN KEY name` and `DROP TABLE`.

use std::collections::{BTreeMap, BTreeSet};

/// A foreign key a migration declared, and the statement that adds it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredKey {
    /// The migration that declared it.
    pub version: String,
    pub table: String,
    pub name: String,
    /// `ALTER TABLE `t` ADD CONSTRAINT `name` FOREIGN KEY …`, the migration's own clause.
    pub add_sql: String,
}

/// The foreign keys `applied` (versions in the order they were applied, each with its `up` SQL)
/// leave in place, by (table, name).
pub fn declared(applied: &[(&str, &[String])]) -> BTreeMap<(String, String), DeclaredKey> {
    let mut keys: BTreeMap<(String, String), DeclaredKey> = BTreeMap::new();
    for (version, statements) in applied {
        for sql in *statements {
            let sql = sql.trim();
            if let Some(rest) = sql.strip_prefix("CREATE TABLE ") {
                let rest = rest.strip_prefix("IF NOT EXISTS ").unwrap_or(rest);
                let Some((table, body)) = backquoted(rest) else {
                    continue;
                };
                for clause in constraint_clauses(body) {
                    if let Some(name) = foreign_key_name(&clause) {
                        keys.insert(
                            (table.clone(), name.clone()),
                            DeclaredKey {
                                version: (*version).to_owned(),
                                add_sql: format!("ALTER TABLE `{table}` ADD {clause}"),
                                table: table.clone(),
                                name,
                            },
                        );
                    }
                }
            } else if let Some(rest) = sql.strip_prefix("ALTER TABLE ") {
                let Some((table, rest)) = backquoted(rest) else {
                    continue;
                };
                let rest = rest.trim_start();
                if let Some(clause) = rest.strip_prefix("ADD ")
                    && let Some(name) = foreign_key_name(clause)
                {
                    {
                        keys.insert(
                            (table.clone(), name.clone()),
                            DeclaredKey {
                                version: (*version).to_owned(),
                                add_sql: sql.to_owned(),
                                table: table.clone(),
                                name,
                            },
                        );
                    }
                } else if let Some(rest) = rest.strip_prefix("DROP FOREIGN KEY ")
                    && let Some((name, _)) = backquoted(rest.trim_start())
                {
                    keys.remove(&(table, name));
                }
            } else if let Some(rest) = sql.strip_prefix("DROP TABLE ") {
                let rest = rest.strip_prefix("IF EXISTS ").unwrap_or(rest);
                let mut rest = rest;
                while let Some((table, after)) = backquoted(rest.trim_start()) {
                    keys.retain(|(t, _), _| *t != table);
                    rest = after.trim_start().strip_prefix(',').unwrap_or("");
                }
            }
        }
    }
    keys
}

/// The declared keys the catalog does not have (`present`: (table, name) pairs).
pub fn missing<'k>(
    declared: &'k BTreeMap<(String, String), DeclaredKey>,
    present: &BTreeSet<(String, String)>,
) -> Vec<&'k DeclaredKey> {
    declared
        .iter()
        .filter(|(key, _)| !present.contains(*key))
        .map(|(_, k)| k)
        .collect()
}

/// `CONSTRAINT `name` FOREIGN KEY …` → `name`.
fn foreign_key_name(clause: &str) -> Option<String> {
    let rest = clause.trim_start().strip_prefix("CONSTRAINT ")?;
    let (name, rest) = backquoted(rest.trim_start())?;
    rest.trim_start().starts_with("FOREIGN KEY").then_some(name)
}

/// Every `CONSTRAINT …` clause at the top level of a `CREATE TABLE` body (`( … ) options`).
fn constraint_clauses(body: &str) -> Vec<String> {
    let Some(open) = body.find('(') else {
        return Vec::new();
    };
    let inner = &body[open + 1..];
    let mut clauses = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (at, c) in inner.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '`' | '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => {
                clauses.push(inner[start..at].trim().to_owned());
                break;
            }
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                clauses.push(inner[start..at].trim().to_owned());
                start = at + 1;
            }
            _ => {}
        }
    }
    clauses
        .into_iter()
        .filter(|c| c.starts_with("CONSTRAINT "))
        .collect()
}

/// The name at the start of `text` in backquotes (a doubled backquote is one), and the rest.
pub fn backquoted(text: &str) -> Option<(String, &str)> {
    let body = text.strip_prefix('`')?;
    let mut name = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == '`' {
            if chars.peek().is_some_and(|&(_, n)| n == '`') {
                chars.next();
                name.push('`');
                continue;
            }
            return Some((name, &body[at + 1..]));
        }
        name.push(c);
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const USERS: &str = "CREATE TABLE `users` ( `id` binary(16) NOT NULL PRIMARY KEY, `email` varchar(255), CONSTRAINT `ck_users_email` CHECK (`email` IS NULL OR (`email` REGEXP '^[a-z,()]+$')) ) ENGINE=InnoDB";
    const SESSIONS: &str = "CREATE TABLE `user_sessions` ( `id` binary(16) NOT NULL PRIMARY KEY, `user_id` binary(16) NOT NULL, KEY `ix_s` (`user_id`, `id`), CONSTRAINT `fk_user_sessions_user_id` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT `ck_s` CHECK (`id` <> `user_id`) ) ENGINE=InnoDB";
    const ADD: &str = "ALTER TABLE `users` ADD CONSTRAINT `fk_users_session_id` FOREIGN KEY (`session_id`) REFERENCES `user_sessions` (`id`) ON DELETE SET NULL ON UPDATE NO ACTION";

    fn sql(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn keys_declared_inline_and_added_later_are_found_with_the_statement_that_adds_them() {
        let first = sql(&[USERS, SESSIONS]);
        let second = sql(&[ADD]);
        let keys = declared(&[("m1", &first), ("m2", &second)]);
        assert_eq!(keys.len(), 2, "{keys:?}");
        let inline = &keys[&("user_sessions".into(), "fk_user_sessions_user_id".into())];
        assert_eq!(inline.version, "m1");
        assert_eq!(
            inline.add_sql,
            "ALTER TABLE `user_sessions` ADD CONSTRAINT `fk_user_sessions_user_id` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE NO ACTION"
        );
        let later = &keys[&("users".into(), "fk_users_session_id".into())];
        assert_eq!(
            (later.version.as_str(), later.add_sql.as_str()),
            ("m2", ADD)
        );
    }

    #[test]
    fn dropped_keys_and_tables_are_no_longer_declared() {
        let first = sql(&[USERS, SESSIONS, ADD]);
        let drop_key = sql(&["ALTER TABLE `users` DROP FOREIGN KEY `fk_users_session_id`"]);
        let keys = declared(&[("m1", &first), ("m2", &drop_key)]);
        assert_eq!(keys.len(), 1);
        let drop_table = sql(&["DROP TABLE `user_sessions`"]);
        let keys = declared(&[("m1", &first), ("m2", &drop_table)]);
        assert_eq!(
            keys.keys().cloned().collect::<Vec<_>>(),
            [("users".to_owned(), "fk_users_session_id".to_owned())]
        );
    }

    #[test]
    fn missing_keys_are_those_the_catalog_lacks() {
        let first = sql(&[USERS, SESSIONS, ADD]);
        let keys = declared(&[("m1", &first)]);
        let present: BTreeSet<(String, String)> =
            [("users".to_owned(), "fk_users_session_id".to_owned())].into();
        let gone = missing(&keys, &present);
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].name, "fk_user_sessions_user_id");
    }
}
