//! Schema drift: two catalogs compared object by object, each difference named and put in the
//! table group that owns the object.
//!
//! A [`Catalog`] is first flattened into [`Objects`]: one entry per table, column, primary key,
//! foreign key, unique, index, check, enum type, view, trigger, function, sequence and
//! partition, keyed `"<kind> <name>"` (`"column users.email"`) with a value that holds what
//! matters about it (`"varchar(255) NOT NULL"`). Two flattened catalogs compare entry by entry,
//! and the committed per-backend snapshots ([`crate::snapshot`]) are stored in the same form.
//!
//! What is left out, because it differs between two correct databases: the runner's own tables,
//! the yearly `attempts` partitions (they are named after the year the migration ran, and
//! `ensure_attempts_partition` adds more), PostgreSQL's `slow_queries` view (created only where
//! `pg_stat_statements` is installed), column order (a column added later is appended on every
//! backend) and the backends' full definition texts (the structured fields above cover them).

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::catalog::Catalog;
use crate::groups::Groups;

/// Flattened catalog: `"<kind> <name>"` → what the object is.
pub type Objects = BTreeMap<String, String>;

/// The kinds of objects, in the order a report lists them.
pub const KINDS: &[&str] = &[
    "table",
    "column",
    "primary-key",
    "foreign-key",
    "unique",
    "index",
    "check",
    "enum",
    "view",
    "trigger",
    "function",
    "sequence",
    "partition",
];

/// Views that exist or not depending on the server's extensions, never reported.
const OPTIONAL_VIEWS: &[&str] = &["slow_queries"];

/// `catalog` as one entry per object (see the module documentation for what is left out).
pub fn flatten(catalog: &Catalog) -> Objects {
    let catalog = catalog.without_history();
    let mut out = Objects::new();
    let mut put = |kind: &str, name: String, value: String| {
        out.insert(format!("{kind} {name}"), value);
    };
    for (table, t) in &catalog.tables {
        put("table", table.clone(), String::new());
        for c in &t.columns {
            let mut value = format!("{} {}", c.ty, if c.nullable { "NULL" } else { "NOT NULL" });
            if let Some(default) = &c.default {
                value.push_str(&format!(" DEFAULT {default}"));
            }
            if let Some(on_update) = &c.on_update {
                value.push_str(&format!(" ON UPDATE {on_update}"));
            }
            put("column", format!("{table}.{}", c.name), value);
        }
        if !t.primary_key.is_empty() {
            put("primary-key", table.clone(), list(&t.primary_key));
        }
        for (name, fk) in &t.foreign_keys {
            put(
                "foreign-key",
                format!("{table}.{name}"),
                format!(
                    "{} REFERENCES {}{} ON DELETE {} ON UPDATE {}",
                    list(&fk.columns),
                    fk.ref_table,
                    list(&fk.ref_columns),
                    fk.on_delete.to_uppercase(),
                    fk.on_update.to_uppercase()
                ),
            );
        }
        for (name, cols) in &t.uniques {
            put("unique", format!("{table}.{name}"), list(cols));
        }
        for (name, cols) in &t.indexes {
            put("index", format!("{table}.{name}"), list(cols));
        }
        for (name, def) in &t.checks {
            put("check", format!("{table}.{name}"), def.clone());
        }
    }
    for (name, labels) in &catalog.enums {
        put("enum", name.clone(), labels.join(", "));
    }
    for (name, cols) in &catalog.views {
        if OPTIONAL_VIEWS.contains(&name.as_str()) {
            continue;
        }
        put("view", name.clone(), list(cols));
    }
    for name in &catalog.triggers {
        put("trigger", name.clone(), String::new());
    }
    for name in &catalog.functions {
        put("function", name.clone(), String::new());
    }
    for name in &catalog.sequences {
        put("sequence", name.clone(), String::new());
    }
    for (name, parent) in &catalog.partitions {
        if is_yearly_partition(name, parent) {
            continue;
        }
        put("partition", name.clone(), parent.clone());
    }
    out
}

fn list(cols: &[String]) -> String {
    format!("({})", cols.join(", "))
}

/// `attempts_2026` of `attempts`: named after a year, so it depends on when `up` ran.
fn is_yearly_partition(name: &str, parent: &str) -> bool {
    name.strip_prefix(parent)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|year| year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit()))
}

/// How an object differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Expected (or in A) but not there (not in B).
    Missing,
    /// There (in B) but not expected (not in A).
    Extra,
    /// In both, different.
    Different,
}

/// One difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// The table group that owns the object (`users`, …, `views`, `triggers`); `other` for an
    /// object no migration creates.
    pub group: String,
    pub change: Change,
    /// `table`, `column`, `index`, … (see [`KINDS`]).
    pub kind: String,
    /// `users`, `users.email`, `users.idx_users_role`, …
    pub name: String,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl Drift {
    /// The table the object belongs to (the object itself for tables, views and types).
    pub fn table(&self) -> &str {
        match self.kind.as_str() {
            "column" | "foreign-key" | "unique" | "index" | "check" | "trigger" => {
                self.name.split('.').next().unwrap_or(&self.name)
            }
            _ => &self.name,
        }
    }
}

impl fmt::Display for Drift {
    /// `missing index users.idx_users_role (role)`, `different column users.bio: expected
    /// text NULL, found varchar(100) NULL`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let describe = |value: &Option<String>| match value.as_deref() {
            None | Some("") => String::new(),
            Some(v) => format!(" {v}"),
        };
        match self.change {
            Change::Missing => write!(
                f,
                "missing {} {}{}",
                self.kind,
                self.name,
                describe(&self.expected)
            ),
            Change::Extra => write!(
                f,
                "extra {} {}{}",
                self.kind,
                self.name,
                describe(&self.actual)
            ),
            Change::Different => {
                let expected = self.expected.as_deref().unwrap_or_default();
                let actual = self.actual.as_deref().unwrap_or_default();
                write!(
                    f,
                    "different {} {}: expected {expected}, found {actual}",
                    self.kind, self.name
                )?;
                if self.kind == "enum" {
                    let split =
                        |s: &str| -> Vec<String> { s.split(", ").map(str::to_owned).collect() };
                    let (e, a) = (split(expected), split(actual));
                    let gone: Vec<&String> = e.iter().filter(|v| !a.contains(v)).collect();
                    let new: Vec<&String> = a.iter().filter(|v| !e.contains(v)).collect();
                    if !gone.is_empty() {
                        write!(f, " (value {gone:?} missing)")?;
                    }
                    if !new.is_empty() {
                        write!(f, " (value {new:?} extra)")?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// Every difference between `expected` and `actual`, ordered by group (in migration order),
/// then kind, then name.
pub fn compare(expected: &Objects, actual: &Objects, groups: &Groups) -> Vec<Drift> {
    let mut out = Vec::new();
    let mut keys: Vec<&String> = expected.keys().chain(actual.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let (e, a) = (expected.get(key), actual.get(key));
        let change = match (e, a) {
            (Some(e), Some(a)) if e == a => continue,
            (Some(_), Some(_)) => Change::Different,
            (Some(_), None) => Change::Missing,
            (None, Some(_)) => Change::Extra,
            (None, None) => continue,
        };
        let (kind, name) = key.split_once(' ').unwrap_or(("object", key));
        let mut drift = Drift {
            group: String::new(),
            change,
            kind: kind.to_owned(),
            name: name.to_owned(),
            expected: e.cloned(),
            actual: a.cloned(),
        };
        drift.group = group_of(&drift, groups);
        out.push(drift);
    }
    let rank = |d: &Drift| {
        let group = groups
            .migrations()
            .iter()
            .position(|m| migration::runner::group_of(m) == d.group)
            .unwrap_or(usize::MAX);
        let kind = KINDS
            .iter()
            .position(|k| *k == d.kind)
            .unwrap_or(KINDS.len());
        (group, kind)
    };
    out.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.name.cmp(&b.name)));
    out
}

/// The group of the migration that creates the object; for what lives in a table (columns,
/// keys, indexes), the group of its table; triggers by their own name first (the `triggers`
/// migration creates them on other groups' tables).
fn group_of(drift: &Drift, groups: &Groups) -> String {
    let own = match drift.kind.as_str() {
        "trigger" => drift.name.split_once('.').map(|(_, trigger)| trigger),
        // A partition belongs with its parent table, its value.
        "partition" => drift.actual.as_deref().or(drift.expected.as_deref()),
        _ => Some(drift.name.as_str()),
    };
    own.and_then(|name| groups.group_of(name))
        .or_else(|| groups.group_of(drift.table()))
        .unwrap_or_else(|| "other".to_owned())
}

/// Counts of what a flattened catalog holds, for one-line summaries (`55 tables, 36 enums`).
pub fn summary(objects: &Objects) -> String {
    let count = |kind: &str| {
        objects
            .keys()
            .filter(|k| k.split_once(' ').is_some_and(|(k, _)| k == kind))
            .count()
    };
    let mut parts = Vec::new();
    for (kind, plural) in [
        ("table", "tables"),
        ("column", "columns"),
        ("foreign-key", "foreign keys"),
        ("index", "indexes"),
        ("unique", "uniques"),
        ("check", "checks"),
        ("enum", "enum types"),
        ("view", "views"),
        ("trigger", "triggers"),
    ] {
        let n = count(kind);
        if n > 0 || kind == "table" {
            parts.push(format!("{n} {plural}"));
        }
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Column, Table};

    fn catalog() -> Catalog {
        let mut c = Catalog::default();
        c.tables.insert(
            "users".into(),
            Table {
                columns: vec![Column {
                    name: "email".into(),
                    ty: "varchar(255)".into(),
                    nullable: false,
                    default: None,
                    on_update: None,
                }],
                primary_key: vec!["id".into()],
                ..Table::default()
            },
        );
        c.enums
            .insert("difficulty".into(), vec!["easy".into(), "hard".into()]);
        c.partitions
            .insert("attempts_2026".into(), "attempts".into());
        c.partitions
            .insert("attempts_default".into(), "attempts".into());
        c
    }

    #[test]
    fn equal_catalogs_have_no_drift() {
        let a = flatten(&catalog());
        assert!(compare(&a, &a.clone(), &Groups::default()).is_empty());
    }

    #[test]
    fn yearly_partitions_and_history_tables_are_left_out() {
        let mut c = catalog();
        c.tables.insert("seaql_migrations".into(), Table::default());
        let objects = flatten(&c);
        assert!(objects.contains_key("partition attempts_default"));
        assert!(!objects.contains_key("partition attempts_2026"));
        assert!(!objects.keys().any(|k| k.contains("seaql")));
    }

    #[test]
    fn each_change_is_named() {
        let expected = flatten(&catalog());
        let mut c = catalog();
        c.enums.insert("difficulty".into(), vec!["easy".into()]);
        let users = c.tables.get_mut("users").unwrap();
        users.columns[0].ty = "text".into();
        users.columns.push(Column {
            name: "nickname".into(),
            ty: "text".into(),
            nullable: true,
            default: None,
            on_update: None,
        });
        users.primary_key.clear();
        let drift = compare(&expected, &flatten(&c), &Groups::default());
        let lines: Vec<String> = drift.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "different column users.email: expected varchar(255) NOT NULL, found text NOT NULL",
                "extra column users.nickname text NULL",
                "missing primary-key users (id)",
                "different enum difficulty: expected easy, hard, found easy (value [\"hard\"] missing)",
            ]
        );
        assert!(drift.iter().all(|d| d.group == "other"));
    }
}
