//! The migrated schema, read back from each backend's catalog, is the one SPEC.md describes; and
//! every migration's `down()` undoes its `up()` exactly.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::catalog::{Catalog, Table};
use common::spec::{Spec, SpecColumn, SpecTable};
use common::{Backend, TestDb, implemented_modules};
use migration::{Migrator, MigratorTrait};

/// The enums module 01 creates besides its own columns' (SPEC.md §1): `difficulty` and
/// `question_type` are shared by later modules and live as long as `users` does.
const USERS_MODULE_ENUMS: [&str; 5] = [
    "role",
    "content_role",
    "skill_level",
    "difficulty",
    "question_type",
];

on_every_backend!(schema_matches_spec, schema_matches_spec);
on_every_backend!(
    every_down_restores_the_previous_catalog,
    every_down_restores_the_previous_catalog
);

async fn schema_matches_spec(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let catalog = Catalog::read(&t.db).await;
    let spec = Spec::load();
    let modules = implemented_modules();
    let mut problems = Vec::new();

    let expected: BTreeSet<&str> = spec
        .tables_of(&modules)
        .map(|t| t.name.as_str())
        .chain(["seaql_migrations"])
        .collect();
    let actual: BTreeSet<&str> = catalog.tables.keys().map(String::as_str).collect();
    if expected != actual {
        problems.push(format!(
            "tables: missing {:?}, unexpected {:?}",
            expected.difference(&actual).collect::<Vec<_>>(),
            actual.difference(&expected).collect::<Vec<_>>()
        ));
    }
    for table in spec.tables_of(&modules) {
        if let Some(actual) = catalog.tables.get(&table.name) {
            compare_table(backend, &spec, table, actual, &mut problems);
        }
    }
    compare_enums(backend, &spec, &modules, &catalog, &mut problems);
    compare_module_counts(backend, &spec, &modules, &catalog, &mut problems);

    assert!(
        problems.is_empty(),
        "{backend:?}: the migrated schema differs from SPEC.md in {} places:\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

fn compare_table(
    backend: Backend,
    spec: &Spec,
    table: &SpecTable,
    actual: &Table,
    problems: &mut Vec<String>,
) {
    let name = &table.name;
    let expected_cols: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    let actual_cols: Vec<&str> = actual.columns.iter().map(|c| c.name.as_str()).collect();
    if expected_cols != actual_cols {
        problems.push(format!(
            "{name}: columns {actual_cols:?}, spec {expected_cols:?}"
        ));
    }
    let definition = actual.definition.join("\n");
    for col in &table.columns {
        let Some(a) = actual.columns.iter().find(|a| a.name == col.name) else {
            continue;
        };
        let want = expected_type(backend, spec, col);
        let got = normalize_type(backend, &a.ty, &col.name, &definition);
        if want != got {
            problems.push(format!(
                "{name}.{}: type {got} (catalog {}), expected {want}",
                col.name, a.ty
            ));
        }
        if backend == Backend::Sqlite {
            let affinity = sqlite_affinity(&a.ty);
            let want_affinity = sqlite_expected_affinity(&col.ty);
            if affinity != want_affinity {
                problems.push(format!(
                    "{name}.{}: SQLite affinity {affinity}, expected {want_affinity}",
                    col.name
                ));
            }
            let check = if col.ty == "json" {
                Some(format!("CHECK (json_valid(\"{}\"))", col.name))
            } else if col.ty.starts_with("enum:") {
                Some(format!("CHECK (\"{}\" IN (", col.name))
            } else {
                None
            };
            if let Some(check) = check.filter(|c| !definition.contains(c.as_str())) {
                problems.push(format!(
                    "{name}.{}: SQLite column lacks `{check}`",
                    col.name
                ));
            }
        }
        if a.nullable != col.nullable {
            problems.push(format!(
                "{name}.{}: nullable {}, spec {}",
                col.name, a.nullable, col.nullable
            ));
        }
        if !default_matches(backend, col, a.default.as_deref()) {
            problems.push(format!(
                "{name}.{}: default {:?}, spec {:?}",
                col.name, a.default, col.default
            ));
        }
    }
    if actual.primary_key != table.pk {
        problems.push(format!(
            "{name}: primary key {:?}, spec {:?}",
            actual.primary_key, table.pk
        ));
    }

    let want_fks: BTreeMap<&str, String> = table
        .fks
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                format!(
                    "({}) -> {}({}) ON DELETE {} ON UPDATE NO ACTION",
                    f.column, f.ref_table, f.ref_column, f.on_delete
                ),
            )
        })
        .collect();
    let got_fks: BTreeMap<&str, String> = actual
        .foreign_keys
        .iter()
        .map(|(n, f)| {
            (
                n.as_str(),
                format!(
                    "({}) -> {}({}) ON DELETE {} ON UPDATE {}",
                    f.columns.join(","),
                    f.ref_table,
                    f.ref_columns.join(","),
                    f.on_delete.to_uppercase(),
                    f.on_update.to_uppercase()
                ),
            )
        })
        .collect();
    if want_fks != got_fks {
        problems.push(format!(
            "{name}: foreign keys {got_fks:?}, spec {want_fks:?}"
        ));
    }

    let named = |list: &[common::spec::SpecIndex]| -> BTreeMap<String, Vec<String>> {
        list.iter()
            .map(|i| (i.name.clone(), i.columns.clone()))
            .collect()
    };
    if named(&table.uniques) != actual.uniques {
        problems.push(format!(
            "{name}: uniques {:?}, spec {:?}",
            actual.uniques,
            named(&table.uniques)
        ));
    }
    if named(&table.indexes) != actual.indexes {
        problems.push(format!(
            "{name}: indexes {:?}, spec {:?}",
            actual.indexes,
            named(&table.indexes)
        ));
    }

    let want_checks: BTreeSet<&str> = table
        .checks
        .iter()
        .filter(|c| backend != Backend::MySql || !c.pg_sqlite_only)
        .map(|c| c.name.as_str())
        .collect();
    // MariaDB adds an unnamed-by-us `json_valid` check per JSON column, named after the column.
    let got_checks: BTreeSet<&str> = actual
        .checks
        .keys()
        .map(String::as_str)
        .filter(|n| {
            n.starts_with("ck_") || !table.columns.iter().any(|c| c.name == *n && c.ty == "json")
        })
        .collect();
    if want_checks != got_checks {
        problems.push(format!(
            "{name}: checks {got_checks:?}, spec {want_checks:?}"
        ));
    }
}

/// The catalog spelling each backend must show for a spec type.
fn expected_type(backend: Backend, spec: &Spec, col: &SpecColumn) -> String {
    let ty = col.ty.as_str();
    if let Some(enum_name) = ty.strip_prefix("enum:") {
        return match backend {
            Backend::Postgres => ty.to_owned(),
            Backend::MySql => {
                let values = &spec.enums[enum_name];
                format!(
                    "enum({})",
                    values
                        .iter()
                        .map(|v| format!("'{v}'"))
                        .collect::<Vec<_>>()
                        .join(",")
                )
            }
            Backend::Sqlite => "enum_text".to_owned(),
        };
    }
    let (base, args) = match ty.split_once('(') {
        Some((b, a)) => (b, Some(a.trim_end_matches(')'))),
        None => (ty, None),
    };
    match (backend, base) {
        (Backend::Postgres, "json") => "jsonb".into(),
        (Backend::Postgres, _) => ty.into(),
        (Backend::MySql, "uuid") => "binary(16)".into(),
        (Backend::MySql, "text") => "mediumtext".into(),
        (Backend::MySql, "boolean") => "tinyint(1)".into(),
        (Backend::MySql, "integer") => "int".into(),
        (Backend::MySql, "numeric") => format!("decimal({})", args.unwrap_or_default()),
        (Backend::MySql, "timestamptz") => "datetime(6)".into(),
        (Backend::MySql, _) => ty.into(),
        (Backend::Sqlite, "uuid") => "uuid_text".into(),
        (Backend::Sqlite, "json") => "json_text".into(),
        (Backend::Sqlite, "timestamptz") => "timestamp_with_timezone_text".into(),
        (Backend::Sqlite, "numeric") => {
            format!("real({})", args.unwrap_or_default().replace(',', ", "))
        }
        (Backend::Sqlite, "bigint") => "integer".into(),
        (Backend::Sqlite, _) => ty.into(),
    }
}

/// The catalog type, with MySQL integer display widths dropped and MariaDB's JSON alias
/// (LONGTEXT plus a `json_valid` check) recognised.
fn normalize_type(backend: Backend, ty: &str, column: &str, definition: &str) -> String {
    if backend != Backend::MySql {
        return ty.to_owned();
    }
    for int in ["int", "smallint", "bigint"] {
        if let Some(rest) = ty.strip_prefix(int).and_then(|r| r.strip_prefix('('))
            && rest
                .trim_end_matches(')')
                .chars()
                .all(|c| c.is_ascii_digit())
        {
            return int.to_owned();
        }
    }
    if ty == "longtext" && definition.contains(&format!("CHECK (json_valid(`{column}`))")) {
        return "json".into();
    }
    ty.to_owned()
}

/// SQLite's column affinity rules (https://sqlite.org/datatype3.html §3.1).
fn sqlite_affinity(declared: &str) -> &'static str {
    let t = declared.to_uppercase();
    if t.contains("INT") {
        "INTEGER"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "TEXT"
    } else if t.contains("BLOB") || t.is_empty() {
        "BLOB"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "REAL"
    } else {
        "NUMERIC"
    }
}

/// SPEC.md §0.3: the SQLite affinity each portable type must get, except numeric, which is REAL
/// (docs/schema-decisions.md: SeaORM decodes SQLite decimals only from REAL values).
fn sqlite_expected_affinity(spec_type: &str) -> &'static str {
    match spec_type.split('(').next().unwrap_or_default() {
        "integer" | "smallint" | "bigint" => "INTEGER",
        "numeric" => "REAL",
        "boolean" => "NUMERIC",
        _ => "TEXT",
    }
}

/// Whether a catalog default means the spec's default. Catalogs spell the same default
/// differently (`'student'::role`, `'student'`, `0` for false, `CURRENT_TIMESTAMP(6)`).
fn default_matches(backend: Backend, col: &SpecColumn, actual: Option<&str>) -> bool {
    let actual = actual
        .map(|a| a.trim())
        .filter(|a| !a.eq_ignore_ascii_case("NULL"));
    let Some(spec) = col.default.as_deref() else {
        // The only unspecified default is PostgreSQL's fallback for hand-written inserts (§0.1).
        return match actual {
            None => true,
            Some(a) => backend == Backend::Postgres && col.name == "id" && a == "gen_random_uuid()",
        };
    };
    let Some(actual) = actual else { return false };
    let mut a = actual.to_lowercase();
    if let Some((value, _cast)) = a.split_once("::") {
        a = value.to_owned();
    }
    let a = a.trim_matches(['(', ')']).trim_matches('\'').to_owned();
    match spec {
        "now" => {
            a.starts_with("current_timestamp")
                || a.starts_with("now")
                || a.starts_with("strftime('%y-%m-%dt%h:%m:%f+00:00'")
        }
        "false" => a == "false" || a == "0",
        "true" => a == "true" || a == "1",
        "[]" => a == "[]" || a == "json_array",
        "{}" => a == "{}" || a == "json_object",
        other => match (other.parse::<f64>(), a.parse::<f64>()) {
            (Ok(x), Ok(y)) => x == y,
            _ => a == other.to_lowercase(),
        },
    }
}

fn compare_enums(
    backend: Backend,
    spec: &Spec,
    modules: &[String],
    catalog: &Catalog,
    problems: &mut Vec<String>,
) {
    if backend != Backend::Postgres {
        if !catalog.enums.is_empty() {
            problems.push(format!(
                "{backend:?} has enum types {:?}",
                catalog.enums.keys()
            ));
        }
        return;
    }
    let mut expected: BTreeSet<String> = spec
        .tables_of(modules)
        .flat_map(|t| t.columns.iter())
        .filter_map(|c| c.ty.strip_prefix("enum:").map(str::to_owned))
        .collect();
    if modules.iter().any(|m| m == "users") {
        expected.extend(USERS_MODULE_ENUMS.map(str::to_owned));
    }
    let actual: BTreeSet<String> = catalog.enums.keys().cloned().collect();
    if expected != actual {
        problems.push(format!("enum types {actual:?}, expected {expected:?}"));
    }
    for (name, values) in &catalog.enums {
        if spec.enums.get(name) != Some(values) {
            problems.push(format!(
                "enum {name} has {values:?}, spec {:?}",
                spec.enums.get(name)
            ));
        }
    }
}

fn compare_module_counts(
    backend: Backend,
    spec: &Spec,
    modules: &[String],
    catalog: &Catalog,
    problems: &mut Vec<String>,
) {
    for module in modules {
        let Some(want) = spec.module_counts.get(module) else {
            problems.push(format!("module {module} has no counts in SPEC.md §25"));
            continue;
        };
        let tables: Vec<&SpecTable> = spec.tables.iter().filter(|t| &t.module == module).collect();
        let pg_only: usize = tables
            .iter()
            .flat_map(|t| &t.checks)
            .filter(|c| c.pg_sqlite_only)
            .count();
        let present: Vec<&Table> = tables
            .iter()
            .filter_map(|t| catalog.tables.get(&t.name))
            .collect();
        let got = common::spec::ModuleCounts {
            tables: present.len(),
            fk: present.iter().map(|t| t.foreign_keys.len()).sum(),
            uq: present.iter().map(|t| t.uniques.len()).sum(),
            ck: present
                .iter()
                .map(|t| t.checks.keys().filter(|k| k.starts_with("ck_")).count())
                .sum(),
            ix: present.iter().map(|t| t.indexes.len()).sum(),
        };
        let mut want = *want;
        if backend == Backend::MySql {
            want.ck -= pg_only;
        }
        if got != want {
            problems.push(format!(
                "module {module}: counts {got:?}, SPEC.md §25 {want:?}"
            ));
        }
    }
}

async fn every_down_restores_the_previous_catalog(backend: Backend) {
    let t = TestDb::new(backend).await;
    let names = common::migration_names();
    let mut before = Catalog::read(&t.db).await.without_history();
    assert!(
        before.is_empty(),
        "{backend:?}: a fresh test database is not empty: {before:?}"
    );
    for name in &names {
        Migrator::up(&t.db, Some(1))
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: up {name}: {e}"));
        let after_up = Catalog::read(&t.db).await.without_history();
        assert_ne!(after_up, before, "{backend:?}: {name} changed nothing");
        Migrator::down(&t.db, Some(1))
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: down {name}: {e}"));
        let after_down = Catalog::read(&t.db).await.without_history();
        assert!(
            after_down == before,
            "{backend:?}: down() of {name} does not undo its up():\n{}",
            difference(&before, &after_down)
        );
        Migrator::up(&t.db, Some(1))
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: re-up {name}: {e}"));
        let again = Catalog::read(&t.db).await.without_history();
        assert!(
            again == after_up,
            "{backend:?}: {name} applied after its down() differs from the first time:\n{}",
            difference(&after_up, &again)
        );
        before = after_up;
    }
    let full = before;

    Migrator::down(&t.db, None)
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: down all: {e}"));
    let emptied = Catalog::read(&t.db).await;
    assert!(
        emptied.without_history().is_empty(),
        "{backend:?}: after down of every migration the database still holds {:?}",
        emptied.without_history()
    );
    let recorded = t
        .query_strings("SELECT version FROM seaql_migrations", "version")
        .await;
    assert!(
        recorded.is_empty(),
        "{backend:?}: history still lists {recorded:?} after down"
    );

    Migrator::up(&t.db, None)
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: up again: {e}"));
    let again = Catalog::read(&t.db).await.without_history();
    assert!(
        again == full,
        "{backend:?}: up after down differs:\n{}",
        difference(&full, &again)
    );
}

/// The lines of two catalogs' pretty-printed forms that differ, to keep failures readable.
fn difference(expected: &Catalog, actual: &Catalog) -> String {
    let a = format!("{expected:#?}");
    let b = format!("{actual:#?}");
    let a_lines: BTreeSet<&str> = a.lines().collect();
    let b_lines: BTreeSet<&str> = b.lines().collect();
    let mut out: Vec<String> = a_lines
        .difference(&b_lines)
        .map(|l| format!("- {}", l.trim()))
        .collect();
    out.extend(
        b_lines
            .difference(&a_lines)
            .map(|l| format!("+ {}", l.trim())),
    );
    out.truncate(60);
    out.join("\n")
}
