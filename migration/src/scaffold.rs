//! `migrate generate NAME`: a new table-group module in learndb's style, registered in `lib.rs`.
//!
//! sea-orm-cli's generator writes its stock template (string identifiers, `todo!()` bodies), not
//! a [`TableGroup`](crate::ddl::TableGroup) module, and offers no way to swap the template. So the
//! file is written here, named as sea-orm-cli names it (`mYYYYMMDD_HHMMSS_<name>.rs`, UTC unless
//! local time is asked for, in `<dir>/src` when that exists, else `<dir>`), and `lib.rs` is updated
//! here too: sea-orm-cli's update rewrites everything from the first `vec![` to the last `]` +
//! newline of the file, which is right only while nothing after the migration list holds a `]`
//! at a line's end. This one touches two places, the last `mod mYYYYMMDD_HHMMSS_*;` line and the
//! `vec![...]` inside `fn migrations()`, fails loudly when either is missing, and leaves doc
//! comments, helper modules and the `Runner` alias as they are.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{Local, Utc};

/// Why nothing, or not everything, was generated.
#[derive(Debug)]
pub struct ScaffoldError(String);

impl fmt::Display for ScaffoldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScaffoldError {}

fn err(message: impl Into<String>) -> ScaffoldError {
    ScaffoldError(message.into())
}

/// What `generate` wrote.
#[derive(Debug)]
pub struct Generated {
    /// `mYYYYMMDD_HHMMSS_<name>`: the module, and the version stored in the database.
    pub module: String,
    pub file: PathBuf,
    pub lib_rs: PathBuf,
}

/// Writes `mYYYYMMDD_HHMMSS_<name>.rs` into the migration crate at `migration_dir` and registers
/// it in its `lib.rs` (or `mod.rs`), the way `sea-orm-cli migrate generate` finds them.
pub fn generate(
    migration_dir: &Path,
    name: &str,
    universal_time: bool,
) -> Result<Generated, ScaffoldError> {
    let name = migration_name(name)?;
    const FORMAT: &str = "%Y%m%d_%H%M%S";
    let now = if universal_time {
        Utc::now().format(FORMAT).to_string()
    } else {
        Local::now().format(FORMAT).to_string()
    };
    let module = format!("m{now}_{name}");

    let src = if migration_dir.join("src").is_dir() {
        migration_dir.join("src")
    } else {
        migration_dir.to_owned()
    };
    let lib_rs = if src.join("lib.rs").is_file() {
        src.join("lib.rs")
    } else {
        src.join("mod.rs")
    };
    let lib = std::fs::read_to_string(&lib_rs)
        .map_err(|e| err(format!("cannot read {}: {e}", lib_rs.display())))?;
    let number = migration_modules(&lib).len() + 1;
    let updated = register(&lib, &module)?;

    let file = src.join(format!("{module}.rs"));
    // create_new: a file of that name is somebody's migration; it is never overwritten.
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&file)
        .and_then(|mut f| {
            std::io::Write::write_all(&mut f, module_source(&name, number).as_bytes())
        })
        .map_err(|e| err(format!("cannot create {}: {e}", file.display())))?;
    std::fs::write(&lib_rs, updated)
        .map_err(|e| err(format!("cannot write {}: {e}", lib_rs.display())))?;
    Ok(Generated {
        module,
        file,
        lib_rs,
    })
}

/// The migration name as sea-orm-cli takes it (trimmed, spaces to `_`), checked to make a module,
/// a function and a table name: lower-case ASCII letters, digits and `_`, starting with a letter.
/// sea-orm-cli refuses only `-` and leaves the rest to the compiler.
fn migration_name(raw: &str) -> Result<String, ScaffoldError> {
    let name = raw.trim().replace(' ', "_");
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.ends_with('_')
        && !name.contains("__");
    if !valid {
        return Err(err(format!(
            "invalid migration name {raw:?}: use lower-case letters, digits and single underscores, starting with a letter, e.g. add_course_tags"
        )));
    }
    // The name is also the example table's function; a keyword would not compile. The table
    // name plus `fk_`/`_<column>` must also fit the 63-character limit on identifiers.
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "return", "self", "static", "struct", "super", "trait",
        "true", "try", "type", "unsafe", "use", "where", "while", "yield",
    ];
    if KEYWORDS.contains(&name.as_str()) {
        return Err(err(format!(
            "invalid migration name {raw:?}: it is a Rust keyword"
        )));
    }
    if name.len() > 40 {
        return Err(err(format!(
            "invalid migration name {raw:?}: at most 40 characters, so constraint names built from it stay under 63"
        )));
    }
    Ok(name)
}

/// `mYYYYMMDD_HHMMSS_<word>`: the names sea-orm-cli (and this module) treat as migrations.
fn is_migration_module(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 17
        && b[0] == b'm'
        && b[1..9].iter().all(u8::is_ascii_digit)
        && b[9] == b'_'
        && b[10..16].iter().all(u8::is_ascii_digit)
        && b[16] == b'_'
        && name[17..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The migration modules `lib_rs` declares (`mod m…;` or `pub mod m…;` lines), in order, with the
/// byte offset where each line ends (after its newline).
fn migration_modules(lib_rs: &str) -> Vec<(&str, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in lib_rs.split_inclusive('\n') {
        offset += line.len();
        let code = line.trim();
        let code = code.strip_prefix("pub ").unwrap_or(code);
        if let Some(name) = code
            .strip_prefix("mod ")
            .and_then(|rest| rest.trim().strip_suffix(';'))
            .map(str::trim)
            && is_migration_module(name)
        {
            out.push((name, offset));
        }
    }
    out
}

/// `lib_rs` with `module` declared after the last migration module and appended to the
/// `vec![...]` of `fn migrations()`, which is rewritten as one `Box::new(<m>::Migration),` line
/// per declared migration, in declaration order (as sea-orm-cli writes it).
pub fn register(lib_rs: &str, module: &str) -> Result<String, ScaffoldError> {
    let modules = migration_modules(lib_rs);
    if modules.iter().any(|(m, _)| *m == module) {
        return Err(err(format!("lib.rs already declares {module}")));
    }
    let insert_mod_at = match modules.last() {
        Some((_, end)) => *end,
        None => {
            return Err(err(
                "lib.rs declares no `mod mYYYYMMDD_HHMMSS_name;` module; add the new module to it by hand",
            ));
        }
    };

    let migrations_fn = lib_rs
        .find("fn migrations()")
        .ok_or_else(|| err("lib.rs has no `fn migrations()`"))?;
    let vec_start = lib_rs[migrations_fn..]
        .find("vec![")
        .map(|i| migrations_fn + i)
        .ok_or_else(|| err("`fn migrations()` in lib.rs has no `vec![`"))?;
    let mut depth = 0usize;
    let mut vec_end = None;
    for (i, c) in lib_rs[vec_start + "vec!".len()..].char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    vec_end = Some(vec_start + "vec!".len() + i + 1);
                    break;
                }
            }
            _ => {}
        }
    }
    let vec_end = vec_end.ok_or_else(|| err("the `vec![` of `fn migrations()` is not closed"))?;
    if insert_mod_at > vec_start {
        return Err(err(
            "lib.rs declares a migration module after `fn migrations()`; keep the `mod` lines above it",
        ));
    }

    // The indentation of the `vec![` line; entries one level (4 spaces) deeper.
    let line_start = lib_rs[..vec_start].rfind('\n').map_or(0, |i| i + 1);
    let indent: String = lib_rs[line_start..vec_start]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let mut vec = String::from("vec![\n");
    for m in modules.iter().map(|(m, _)| *m).chain([module]) {
        vec.push_str(&format!("{indent}    Box::new({m}::Migration),\n"));
    }
    vec.push_str(&format!("{indent}]"));

    let mut out = String::with_capacity(lib_rs.len() + vec.len());
    out.push_str(&lib_rs[..insert_mod_at]);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("mod {module};\n"));
    out.push_str(&lib_rs[insert_mod_at..vec_start]);
    out.push_str(&vec);
    out.push_str(&lib_rs[vec_end..]);
    Ok(out)
}

/// `add_course_tags` → `AddCourseTags`: the identifier enum, which `DeriveIden` turns back into
/// the snake-case table name.
fn pascal_case(name: &str) -> String {
    name.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// The new module's text: one example table, in the house style, that compiles and runs up and
/// down as it is on every backend.
fn module_source(name: &str, number: usize) -> String {
    let ident = pascal_case(name);
    TEMPLATE
        .replace("__NN__", &format!("{number:02}"))
        .replace("__name__", name)
        .replace("__Ident__", &ident)
}

const TEMPLATE: &str = r#"//! Module __NN__ `__name__` (SPEC.md §?): TODO what this group holds and why it is shaped so.
//!
//! Scaffolded by `migrate generate`; replace the example table with the group's own. Record every
//! deliberate difference from the spec in `docs/schema-decisions.md`.
//!
//! Frozen once shipped: this file's name is the version stored in the database, and the runner
//! checksums the SQL `up()` produces. Never rename this file, edit it, or change a `crate::ddl`
//! helper it uses after it has shipped; new behaviour comes as a new migration (`migrate generate`)
//! with a new helper or `Step`, never as a changed one.

use sea_orm_migration::prelude::*;

use crate::ddl::{Ddl, Step, TableDef, TableGroup};

/// `up()` creates `enums` (PostgreSQL types; `DbEnum` consts in this file), then `tables` in
/// foreign-key order, then `steps`; `down()` undoes the same lists in reverse order.
pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[__name__],
    // Changes to tables of earlier groups, which already hold data, are steps
    // (`crate::ddl::Step`, `src/ddl/alter.rs`; each derives its `down()` and is online on
    // PostgreSQL; m20261121_000020_practice_later.rs is the model):
    //   Step::AddColumns(f)  columns with their named checks; f(ddl) -> AddColumns::new(T::Table).col(..)
    //   Step::AddIndex(f)    an index or unique; f() -> IndexSpec::index(..) / IndexSpec::unique(..)
    //   Step::DropIndex(f)   an index an earlier group created (down() builds it again)
    //   Step::ForeignKey(f)  a foreign key from an earlier table to one of this group's
    //   Step::Sql(&OBJECT)   SQL sea-query cannot build (create and drop statements per backend)
    //   Step::Rows(f)        reference rows with fixed ids
    // The group's tables with `updated_at` get their triggers (PostgreSQL, SQLite) here, with
    // module 17's function; the MySQL family keeps the column with `ON UPDATE`.
    steps: &[Step::UpdatedAtTriggersFor(&[__name__])],
};

crate::group_migration!(GROUP);

/// Written once for every backend: the `ddl.*` helpers decide what each one gets (see the table
/// at the top of `src/ddl.rs`). A table function that branches on the backend is a smell.
fn __name__(ddl: &Ddl) -> TableDef {
    ddl.table(__Ident__::Table)
        // uuid primary key; the application writes UUIDv7 ids.
        .col(ddl.id(__Ident__::Id))
        // `ddl.string(col, 255)` is NOT NULL, `ddl.string_null(col, 255)` nullable; likewise
        // `uuid`, `text`, `integer`, `bigint`, `boolean`, `decimal(col, p, s)`, `json`, `date`,
        // `timestamptz`, `enumeration(col, &ENUM)`. Defaults: `.default(..)`, `ddl.json_default(..)`.
        .col(ddl.string(__Ident__::Name, 255))
        .col(ddl.created_at(__Ident__::CreatedAt))
        .col(ddl.updated_at(__Ident__::UpdatedAt))
    // Name every constraint `fk_<table>_<col>`, `uq_<table>_<cols>`, `ck_<table>_<rule>`,
    // `ix_<table>_<cols>` (at most 63 characters). Every foreign key states its ON DELETE, and
    // every foreign-key column leads some index. Tables of earlier groups are referred to through
    // their enums (`use crate::m20261121_000001_users::Users;`), never as strings:
    //   .foreign_key("fk___name___user_id", __Ident__::UserId, Users::Table, Users::Id, ForeignKeyAction::Cascade)
    //   .unique("uq___name___name", [__Ident__::Name])
    //   .check("ck___name___name", Expr::col(__Ident__::Name).ne(""))
    //   .index("ix___name___user_id", [__Ident__::UserId])
}

/// Identifiers of `__name__`, columns in DDL order.
#[derive(DeriveIden)]
enum __Ident__ {
    Table,
    Id,
    Name,
    CreatedAt,
    UpdatedAt,
}
"#;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// The real lib.rs, as the crate ships it.
    const LIB_RS: &str = include_str!("lib.rs");

    #[test]
    fn register_adds_one_mod_line_and_one_vec_entry_to_the_real_lib_rs() {
        let module = "m20991231_235959_add_course_tags";
        let out = register(LIB_RS, module).unwrap();
        let added: Vec<&str> = diff_added(LIB_RS, &out);
        assert_eq!(
            added,
            [
                "mod m20991231_235959_add_course_tags;",
                "            Box::new(m20991231_235959_add_course_tags::Migration),",
            ]
        );
        // Nothing else changed: removing the two lines gives lib.rs back.
        let without: String = out
            .split_inclusive('\n')
            .filter(|l| !added.contains(&l.trim_end_matches('\n')))
            .collect();
        assert_eq!(without, LIB_RS);
        // The new mod line follows the last migration module, before `pub struct Migrator`.
        let last = migration_modules(LIB_RS).last().unwrap().0;
        assert!(out.contains(&format!("mod {last};\nmod {module};\n")));
    }

    #[test]
    fn register_rewrites_a_one_line_vec_as_sea_orm_cli_lays_it_out() {
        let lib = "pub use sea_orm_migration::prelude::*;\n\nmod m20220101_000001_create_table;\n\npub struct Migrator;\n\n#[async_trait::async_trait]\nimpl MigratorTrait for Migrator {\n    fn migrations() -> Vec<Box<dyn MigrationTrait>> {\n        vec![Box::new(m20220101_000001_create_table::Migration)]\n    }\n}\n";
        let out = register(lib, "m20220102_000000_next").unwrap();
        assert_eq!(
            out,
            "pub use sea_orm_migration::prelude::*;\n\nmod m20220101_000001_create_table;\nmod m20220102_000000_next;\n\npub struct Migrator;\n\n#[async_trait::async_trait]\nimpl MigratorTrait for Migrator {\n    fn migrations() -> Vec<Box<dyn MigrationTrait>> {\n        vec![\n            Box::new(m20220101_000001_create_table::Migration),\n            Box::new(m20220102_000000_next::Migration),\n        ]\n    }\n}\n"
        );
    }

    #[test]
    fn register_keeps_brackets_after_the_migration_list() {
        // sea-orm-cli's pattern would swallow everything up to the last `]` at a line's end.
        let lib = "mod m20220101_000001_a;\n\nfn migrations() -> Vec<()> {\n    vec![\n        Box::new(m20220101_000001_a::Migration),\n    ]\n}\n\n#[cfg(test)]\nconst X: [u8; 1] = [\n    1,\n]\n";
        let out = register(lib, "m20220101_000002_b").unwrap();
        assert!(out.ends_with("    ]\n}\n\n#[cfg(test)]\nconst X: [u8; 1] = [\n    1,\n]\n"));
        assert!(out.contains("        Box::new(m20220101_000002_b::Migration),\n    ]\n}"));
    }

    #[test]
    fn register_refuses_what_it_cannot_place() {
        let no_mods = "fn migrations() -> Vec<()> { vec![] }\n";
        assert!(register(no_mods, "m20220101_000001_a").is_err());
        let no_fn = "mod m20220101_000001_a;\n";
        assert!(register(no_fn, "m20220101_000002_b").is_err());
        let unclosed = "mod m20220101_000001_a;\nfn migrations() -> Vec<()> { vec![\n";
        assert!(register(unclosed, "m20220101_000002_b").is_err());
        let twice = "mod m20220101_000001_a;\nfn migrations() -> Vec<()> { vec![] }\n";
        assert!(register(twice, "m20220101_000001_a").is_err());
    }

    #[test]
    fn helper_modules_are_not_migrations() {
        let names: Vec<&str> = migration_modules(LIB_RS).iter().map(|m| m.0).collect();
        assert!(names.iter().all(|n| is_migration_module(n)));
        for helper in ["cli", "connect", "ddl", "engine", "runner", "scaffold"] {
            assert!(!names.contains(&helper));
        }
        assert_eq!(names.first(), Some(&"m20261121_000001_users"));
    }

    #[test]
    fn names_are_taken_as_sea_orm_cli_takes_them_and_must_make_identifiers() {
        assert_eq!(
            migration_name(" add course tags ").unwrap(),
            "add_course_tags"
        );
        for bad in [
            "add-tags", "AddTags", "2fa", "_x", "x_", "a__b", "type", "", "ünï",
        ] {
            assert!(migration_name(bad).is_err(), "{bad:?} was accepted");
        }
        assert!(migration_name(&"a".repeat(41)).is_err());
    }

    #[test]
    fn the_template_names_the_table_after_the_migration() {
        assert_eq!(pascal_case("add_course_tags2"), "AddCourseTags2");
        let source = module_source("add_course_tags", 20);
        assert!(source.starts_with("//! Module 20 `add_course_tags` "));
        assert!(source.contains("tables: &[add_course_tags],"));
        assert!(source.contains("fn add_course_tags(ddl: &Ddl) -> TableDef {"));
        assert!(source.contains("enum AddCourseTags {"));
        assert!(!source.contains("__"), "a placeholder is left");
        assert!(!source.contains("if_not_exists"));
    }

    fn diff_added<'a>(before: &str, after: &'a str) -> Vec<&'a str> {
        let old: Vec<&str> = before.lines().collect();
        after.lines().filter(|l| !old.contains(l)).collect()
    }
}
