//! The Mermaid `erDiagram` of one table group.
//!
//! Mermaid's ER grammar is narrower than SQL: an attribute type and name are single words, and
//! some words (`end`, `one`, `many`, `to`, `PK`…) are keywords. Types are written with every
//! character other than an ASCII letter, digit or `_` replaced by `_` (`varchar(255)` →
//! `varchar_255_`, PostgreSQL enum `role` → `enum_role`, a MySQL `enum('a','b')` → `enum`); the
//! pages give the exact types in their tables. `scripts/mermaid-check` parses every diagram with
//! Mermaid itself.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::catalog::{Catalog, ForeignKey, Table};

/// Words the ER lexer reads as keywords wherever an entity name may stand.
const ENTITY_KEYWORDS: &[&str] = &[
    "accdescr",
    "acctitle",
    "class",
    "classdef",
    "direction",
    "end",
    "erdiagram",
    "many",
    "one",
    "only",
    "optionally",
    "style",
    "subgraph",
    "to",
    "u",
    "zero",
];

/// The diagram of `tables` (the group's own, drawn in full) and of the tables their foreign
/// keys reference in other groups (drawn with their key and referenced columns only).
pub fn diagram(catalog: &Catalog, tables: &[String]) -> String {
    let own: BTreeSet<&str> = tables.iter().map(String::as_str).collect();
    // Columns to draw of each referenced table outside the group.
    let mut outside: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for name in &own {
        let Some(table) = catalog.tables.get(*name) else {
            continue;
        };
        for fk in table.foreign_keys.values() {
            if !own.contains(fk.ref_table.as_str()) {
                outside
                    .entry(fk.ref_table.as_str())
                    .or_default()
                    .extend(fk.ref_columns.iter().map(String::as_str));
            }
        }
    }

    let mut out = String::from("erDiagram\n");
    for name in &own {
        if let Some(table) = catalog.tables.get(*name) {
            entity(&mut out, name, table, |_| true);
        }
    }
    for (name, referenced) in &outside {
        match catalog.tables.get(*name) {
            Some(table) => entity(&mut out, name, table, |column| {
                referenced.contains(column) || table.primary_key.iter().any(|c| c == column)
            }),
            None => {
                let _ = writeln!(out, "    {}", entity_name(name));
            }
        }
    }
    for name in &own {
        let Some(table) = catalog.tables.get(*name) else {
            continue;
        };
        for fk in table.foreign_keys.values() {
            let _ = writeln!(
                out,
                "    {} {} {} : \"{}\"",
                entity_name(&fk.ref_table),
                cardinality(table, fk),
                entity_name(name),
                fk.columns.join(", ").replace('"', "")
            );
        }
    }
    out
}

/// `name { type column KEYS }`, the columns `keep` accepts in table order.
fn entity(out: &mut String, name: &str, table: &Table, keep: impl Fn(&str) -> bool) {
    let columns: Vec<_> = table.columns.iter().filter(|c| keep(&c.name)).collect();
    if columns.is_empty() {
        let _ = writeln!(out, "    {}", entity_name(name));
        return;
    }
    let _ = writeln!(out, "    {} {{", entity_name(name));
    for column in columns {
        let mut keys = Vec::new();
        if table.primary_key.contains(&column.name) {
            keys.push("PK");
        }
        if table
            .foreign_keys
            .values()
            .any(|fk| fk.columns.contains(&column.name))
        {
            keys.push("FK");
        }
        if table
            .uniques
            .values()
            .any(|cols| cols.contains(&column.name))
        {
            keys.push("UK");
        }
        let (attribute, renamed) = attribute_name(&column.name);
        let mut line = format!("        {} {attribute}", type_word(&column.ty));
        if !keys.is_empty() {
            line.push(' ');
            line.push_str(&keys.join(", "));
        }
        if renamed {
            let _ = write!(line, " \"{}\"", column.name.replace('"', ""));
        }
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "    }}");
}

/// `||--o{` and friends: the referenced side is exactly one when every FK column is NOT NULL
/// (else zero or one); the referencing side is at most one when the FK columns are its primary
/// key or a unique (else many). The line is solid (identifying) when the FK columns are part of
/// the referencing table's primary key, dashed otherwise.
fn cardinality(table: &Table, fk: &ForeignKey) -> String {
    let required = fk.columns.iter().all(|name| {
        table
            .columns
            .iter()
            .find(|c| &c.name == name)
            .is_some_and(|c| !c.nullable)
    });
    let fk_cols: BTreeSet<&String> = fk.columns.iter().collect();
    let same =
        |cols: &Vec<String>| !cols.is_empty() && cols.iter().collect::<BTreeSet<_>>() == fk_cols;
    let single = same(&table.primary_key) || table.uniques.values().any(same);
    let identifying = fk.columns.iter().all(|c| table.primary_key.contains(c));
    format!(
        "{}{}{}",
        if required { "||" } else { "|o" },
        if identifying { "--" } else { ".." },
        if single { "o|" } else { "o{" }
    )
}

/// The type as one Mermaid word.
pub fn type_word(ty: &str) -> String {
    let ty = ty.trim();
    if let Some(name) = ty.strip_prefix("enum:") {
        return word(&format!("enum_{name}"));
    }
    // MySQL spells the values into the type: too long for a diagram, listed in the table.
    for kind in ["enum", "set"] {
        if ty.starts_with(&format!("{kind}(")) {
            return kind.to_owned();
        }
    }
    if ty.is_empty() {
        return "untyped".to_owned();
    }
    word(ty)
}

/// Every character other than an ASCII letter, digit or `_` replaced by `_`; a word that would
/// start with a digit gets a leading `_`.
fn word(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

fn is_plain(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A column as an attribute name, and whether it had to change (the real name then goes into
/// the attribute's comment).
fn attribute_name(name: &str) -> (String, bool) {
    if is_plain(name) && !matches!(name.to_ascii_lowercase().as_str(), "pk" | "fk" | "uk") {
        (name.to_owned(), false)
    } else {
        (format!("{}_", word(name)), true)
    }
}

/// A table as an entity name: plain words as they are, anything else quoted.
fn entity_name(name: &str) -> String {
    if is_plain(name) && !ENTITY_KEYWORDS.contains(&name.to_ascii_lowercase().as_str()) {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', ""))
    }
}

#[cfg(test)]
mod tests {
    use super::{attribute_name, entity_name, type_word};

    #[test]
    fn types_become_single_words() {
        assert_eq!(type_word("varchar(255)"), "varchar_255_");
        assert_eq!(type_word("numeric(10,2)"), "numeric_10_2_");
        assert_eq!(
            type_word("timestamp without time zone"),
            "timestamp_without_time_zone"
        );
        assert_eq!(type_word("enum:role"), "enum_role");
        assert_eq!(type_word("enum('a','b')"), "enum");
        assert_eq!(type_word(""), "untyped");
        assert_eq!(type_word("2d"), "_2d");
    }

    #[test]
    fn keywords_and_odd_names_are_escaped() {
        assert_eq!(attribute_name("user_id"), ("user_id".to_owned(), false));
        assert_eq!(attribute_name("pk"), ("pk_".to_owned(), true));
        assert_eq!(attribute_name("a b"), ("a_b_".to_owned(), true));
        assert_eq!(entity_name("users"), "users");
        assert_eq!(entity_name("end"), "\"end\"");
        assert_eq!(entity_name("1x"), "\"1x\"");
    }
}
