//! The keys, indexes and checks the applied migrations declare, read from their SQL, against the
//! catalog.
//!
//! MariaDB killed while a copying `ALTER TABLE` waits can come back with the table's other
//! foreign keys gone, and every command used to report success over it (tests/server_crash.rs).
//! On the MySQL family the runner therefore compares, before it changes anything and in
//! `status`, the foreign keys, indexes and CHECK constraints the applied migrations declare with
//! those the catalog has; a missing one is a problem of the migration that declared it, and
//! `up --recover` adds it back with that migration's own clause (a foreign key in place and
//! checked, [`super::execute::AddedForeignKey`]).
//!
//! Pure functions over the SQL sea-query writes for the MySQL family: `CREATE TABLE` with
//! `[UNIQUE] KEY name (…)` and `CONSTRAINT name FOREIGN KEY|CHECK …` clauses, `ALTER TABLE … ADD
//! …` of one such clause, `ALTER TABLE … DROP FOREIGN KEY|KEY|INDEX|CONSTRAINT|CHECK name` and
//! `DROP TABLE`.

use std::collections::{BTreeMap, BTreeSet};

/// What a declared name is. Foreign keys and checks share one namespace per table in the
/// catalog's `TABLE_CONSTRAINTS`; indexes come from `STATISTICS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    ForeignKey,
    Check,
    Index,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::ForeignKey => "foreign key",
            Kind::Check => "check",
            Kind::Index => "index",
        }
    }
}

/// (kind, table, name): how the catalog and the declarations are compared.
pub type KeyId = (Kind, String, String);

/// A key, index or check a migration declared, and the statement that adds it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredKey {
    /// The migration that declared it.
    pub version: String,
    pub kind: Kind,
    pub table: String,
    pub name: String,
    /// `ALTER TABLE `t` ADD …`, the migration's own clause.
    pub add_sql: String,
}

impl DeclaredKey {
    /// `foreign key fk_x on t`.
    pub fn describe(&self) -> String {
        format!("{} {} on {}", self.kind.name(), self.name, self.table)
    }
}

/// The keys, indexes and checks `applied` (versions in the order they were applied, each with
/// its `up` SQL) leave in place.
pub fn declared(applied: &[(&str, &[String])]) -> BTreeMap<KeyId, DeclaredKey> {
    let mut keys: BTreeMap<KeyId, DeclaredKey> = BTreeMap::new();
    for (version, statements) in applied {
        for sql in *statements {
            let sql = sql.trim();
            if let Some(rest) = sql.strip_prefix("CREATE TABLE ") {
                let rest = rest.strip_prefix("IF NOT EXISTS ").unwrap_or(rest);
                let Some((table, body)) = backquoted(rest) else {
                    continue;
                };
                for clause in top_level_clauses(body) {
                    let add = format!("ALTER TABLE `{table}` ADD {clause}");
                    declare(&mut keys, version, &table, &clause, add);
                }
            } else if let Some(rest) = sql.strip_prefix("ALTER TABLE ") {
                let Some((table, rest)) = backquoted(rest) else {
                    continue;
                };
                let rest = rest.trim_start();
                if let Some(clause) = rest.strip_prefix("ADD ") {
                    declare(&mut keys, version, &table, clause, sql.to_owned());
                } else if let Some(rest) = rest.strip_prefix("DROP ") {
                    let rest = ["FOREIGN KEY ", "KEY ", "INDEX ", "CONSTRAINT ", "CHECK "]
                        .iter()
                        .find_map(|w| rest.strip_prefix(w));
                    if let Some((name, _)) = rest.and_then(|r| backquoted(r.trim_start())) {
                        forget(&mut keys, &table, Some(&name));
                    }
                }
            } else if let Some(rest) = sql.strip_prefix("DROP TABLE ") {
                let mut rest = rest.strip_prefix("IF EXISTS ").unwrap_or(rest);
                while let Some((table, after)) = backquoted(rest.trim_start()) {
                    forget(&mut keys, &table, None);
                    rest = after.trim_start().strip_prefix(',').unwrap_or("");
                }
            }
        }
    }
    keys
}

fn declare(
    keys: &mut BTreeMap<KeyId, DeclaredKey>,
    version: &str,
    table: &str,
    clause: &str,
    add_sql: String,
) {
    if let Some((kind, name)) = clause_key(clause) {
        keys.insert(
            (kind, table.to_owned(), name.clone()),
            DeclaredKey {
                version: version.to_owned(),
                kind,
                table: table.to_owned(),
                name,
                add_sql,
            },
        );
    }
}

fn forget(keys: &mut BTreeMap<KeyId, DeclaredKey>, table: &str, name: Option<&str>) {
    keys.retain(|(_, t, n), _| !(t == table && name.is_none_or(|x| x == n)));
}

/// The declared keys the catalog does not have.
pub fn missing<'k>(
    declared: &'k BTreeMap<KeyId, DeclaredKey>,
    present: &BTreeSet<KeyId>,
) -> Vec<&'k DeclaredKey> {
    declared
        .iter()
        .filter(|(key, _)| !present.contains(*key))
        .map(|(_, k)| k)
        .collect()
}

/// What a clause declares: `CONSTRAINT `n` FOREIGN KEY …`, `CONSTRAINT `n` CHECK …`,
/// `[UNIQUE] KEY `n` (…)` / `[UNIQUE] INDEX `n` (…)`.
fn clause_key(clause: &str) -> Option<(Kind, String)> {
    let clause = clause.trim_start();
    if let Some(rest) = clause.strip_prefix("CONSTRAINT ") {
        let (name, rest) = backquoted(rest.trim_start())?;
        let rest = rest.trim_start();
        return if rest.starts_with("FOREIGN KEY") {
            Some((Kind::ForeignKey, name))
        } else if rest.starts_with("CHECK") {
            Some((Kind::Check, name))
        } else if rest.starts_with("UNIQUE") {
            Some((Kind::Index, name))
        } else {
            None
        };
    }
    let rest = clause.strip_prefix("UNIQUE ").unwrap_or(clause);
    let rest = rest
        .strip_prefix("KEY ")
        .or_else(|| rest.strip_prefix("INDEX "))?;
    let (name, _) = backquoted(rest.trim_start())?;
    Some((Kind::Index, name))
}

/// The comma-separated clauses at the top level of a `CREATE TABLE` body (`( … ) options`).
fn top_level_clauses(body: &str) -> Vec<String> {
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

    const USERS: &str = "CREATE TABLE `users` ( `id` binary(16) NOT NULL PRIMARY KEY, `email` varchar(255), UNIQUE KEY `uq_users_email` (`email`), CONSTRAINT `ck_users_email` CHECK (`email` IS NULL OR (`email` REGEXP '^[a-z,()]+$')) ) ENGINE=InnoDB";
    const SESSIONS: &str = "CREATE TABLE `user_sessions` ( `id` binary(16) NOT NULL PRIMARY KEY, `user_id` binary(16) NOT NULL, KEY `ix_s` (`user_id`, `id`), CONSTRAINT `fk_user_sessions_user_id` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE NO ACTION, CONSTRAINT `ck_s` CHECK (`id` <> `user_id`) ) ENGINE=InnoDB";
    const ADD: &str = "ALTER TABLE `users` ADD CONSTRAINT `fk_users_session_id` FOREIGN KEY (`session_id`) REFERENCES `user_sessions` (`id`) ON DELETE SET NULL ON UPDATE NO ACTION";

    fn sql(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    fn id(kind: Kind, table: &str, name: &str) -> KeyId {
        (kind, table.to_owned(), name.to_owned())
    }

    #[test]
    fn keys_indexes_and_checks_declared_inline_and_added_later_are_found_with_their_statements() {
        let first = sql(&[USERS, SESSIONS]);
        let second = sql(&[
            ADD,
            "ALTER TABLE `users` ADD KEY `ix_users_email_id` (`email`, `id`)",
        ]);
        let keys = declared(&[("m1", &first), ("m2", &second)]);
        assert_eq!(
            keys.keys().cloned().collect::<Vec<_>>(),
            [
                id(
                    Kind::ForeignKey,
                    "user_sessions",
                    "fk_user_sessions_user_id"
                ),
                id(Kind::ForeignKey, "users", "fk_users_session_id"),
                id(Kind::Check, "user_sessions", "ck_s"),
                id(Kind::Check, "users", "ck_users_email"),
                id(Kind::Index, "user_sessions", "ix_s"),
                id(Kind::Index, "users", "ix_users_email_id"),
                id(Kind::Index, "users", "uq_users_email"),
            ]
        );
        let inline = &keys[&id(
            Kind::ForeignKey,
            "user_sessions",
            "fk_user_sessions_user_id",
        )];
        assert_eq!(inline.version, "m1");
        assert_eq!(
            inline.add_sql,
            "ALTER TABLE `user_sessions` ADD CONSTRAINT `fk_user_sessions_user_id` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE NO ACTION"
        );
        assert_eq!(
            keys[&id(Kind::Check, "users", "ck_users_email")].add_sql,
            "ALTER TABLE `users` ADD CONSTRAINT `ck_users_email` CHECK (`email` IS NULL OR (`email` REGEXP '^[a-z,()]+$'))"
        );
        assert_eq!(
            keys[&id(Kind::Index, "users", "uq_users_email")].add_sql,
            "ALTER TABLE `users` ADD UNIQUE KEY `uq_users_email` (`email`)"
        );
        let later = &keys[&id(Kind::ForeignKey, "users", "fk_users_session_id")];
        assert_eq!(
            (later.version.as_str(), later.add_sql.as_str()),
            ("m2", ADD)
        );
        assert_eq!(later.describe(), "foreign key fk_users_session_id on users");
    }

    #[test]
    fn dropped_keys_and_tables_are_no_longer_declared_and_a_key_added_again_is() {
        let first = sql(&[USERS, SESSIONS, ADD]);
        let drops = sql(&[
            "ALTER TABLE `users` DROP FOREIGN KEY `fk_users_session_id`",
            "ALTER TABLE `user_sessions` DROP KEY `ix_s`",
            "ALTER TABLE `user_sessions` ADD UNIQUE KEY `ix_s` (`user_id`)",
            "ALTER TABLE `users` DROP CONSTRAINT `ck_users_email`",
        ]);
        let keys = declared(&[("m1", &first), ("m2", &drops)]);
        assert!(!keys.contains_key(&id(Kind::ForeignKey, "users", "fk_users_session_id")));
        assert!(!keys.contains_key(&id(Kind::Check, "users", "ck_users_email")));
        assert_eq!(
            keys[&id(Kind::Index, "user_sessions", "ix_s")].version,
            "m2"
        );
        let drop_table = sql(&["DROP TABLE `user_sessions`"]);
        let keys = declared(&[("m1", &first), ("m2", &drop_table)]);
        assert!(keys.keys().all(|(_, t, _)| t == "users"), "{keys:?}");
    }

    #[test]
    fn missing_keys_are_those_the_catalog_lacks() {
        let first = sql(&[USERS, SESSIONS, ADD]);
        let keys = declared(&[("m1", &first)]);
        let mut present: BTreeSet<KeyId> = keys.keys().cloned().collect();
        present.remove(&id(
            Kind::ForeignKey,
            "user_sessions",
            "fk_user_sessions_user_id",
        ));
        present.remove(&id(Kind::Index, "users", "uq_users_email"));
        let gone: Vec<String> = missing(&keys, &present)
            .iter()
            .map(|k| k.describe())
            .collect();
        assert_eq!(
            gone,
            [
                "foreign key fk_user_sessions_user_id on user_sessions",
                "index uq_users_email on users"
            ]
        );
    }
}
