//! The migrated schema, read back from each backend's catalog, is the one SPEC.md describes
//! (tables, columns, keys, constraints, indexes, enums, `updated_at` triggers, views, partitions);
//! every migration's `down()` undoes its `up()` exactly; and the schema's invariants hold: every
//! foreign-key column leads an index, every identifier fits PostgreSQL's 63 characters, and the
//! migration list is sorted and unique. Databases are migrated through the runner, the path
//! `learndb migrate up` takes.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::catalog::{self, Catalog, Table};
use common::spec::{Spec, SpecColumn, SpecTable};
use common::{Backend, TestDb, implemented_modules};
use migration::runner::Selection;
use migration::runner::capture::{Direction, capture};
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
on_every_backend!(
    every_foreign_key_column_leads_an_index,
    every_foreign_key_column_leads_an_index
);
on_every_backend!(
    every_identifier_fits_63_characters,
    every_identifier_fits_63_characters
);

async fn schema_matches_spec(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let catalog = catalog::read(&t.db).await;
    let spec = Spec::load();
    let modules = implemented_modules();
    let mut problems = Vec::new();

    let expected: BTreeSet<&str> = spec
        .tables_of(&modules)
        .map(|t| t.name.as_str())
        .chain([
            "seaql_migrations",
            "learndb_migration_history",
            "learndb_migration_journal",
        ])
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
    compare_triggers(backend, &spec, &catalog, &mut problems);
    compare_views(&t, &spec, &catalog, &mut problems).await;
    compare_partitions(backend, &catalog, &mut problems);
    compare_totals(backend, &spec, &catalog, &mut problems);

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
            // Nullable JSON: `"col" IS NULL OR json_valid("col")` since module 21
            // (docs/schema-decisions.md 64); NOT NULL JSON keeps the spec's check.
            let check = if col.ty == "json" && col.nullable {
                Some(format!(
                    "CHECK (\"{0}\" IS NULL OR json_valid(\"{0}\"))",
                    col.name
                ))
            } else if col.ty == "json" {
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
    let pk = table.pk_on(backend == Backend::Postgres);
    if actual.primary_key != pk {
        problems.push(format!(
            "{name}: primary key {:?}, spec {pk:?}",
            actual.primary_key
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
    let want_uniques: BTreeMap<String, Vec<String>> = table
        .uniques
        .iter()
        .map(|u| {
            (
                u.name.clone(),
                u.columns_on(backend == Backend::Postgres).to_vec(),
            )
        })
        .collect();
    if want_uniques != actual.uniques {
        problems.push(format!(
            "{name}: uniques {:?}, spec {want_uniques:?}",
            actual.uniques
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
                        // The catalog reader lower-cases MySQL column types.
                        .map(|v| format!("'{}'", v.to_lowercase()))
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
        (Backend::Sqlite, "date") => "date_text".into(),
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
    // Modules 17-19 (triggers, views, seed) own no tables; §25 counts table modules.
    for module in modules
        .iter()
        .filter(|m| spec.tables.iter().any(|t| &t.module == *m))
    {
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
    let mut before = catalog::read(&t.db).await.without_history();
    assert!(
        before.is_empty(),
        "{backend:?}: a fresh test database is not empty: {before:?}"
    );
    for migration in Migrator::migrations() {
        let name = migration.name();
        // A migration that runs no DDL on this backend (module 17 on MySQL; module 19, whose
        // reference rows tests/reference_rows.rs checks) must leave the catalog as it was.
        let runs_ddl = capture(backend.db_backend(), migration.as_ref(), Direction::Up)
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: capture {name}: {e}"))
            .iter()
            .any(|sql| !sql.starts_with("INSERT ") && !sql.starts_with("DELETE "));
        t.migrate(Selection::Count(1)).await;
        let after_up = catalog::read(&t.db).await.without_history();
        assert!(
            (after_up != before) == runs_ddl,
            "{backend:?}: {name} runs DDL: {runs_ddl}, but changed the catalog: {}",
            after_up != before
        );
        t.roll_back(Selection::Count(1)).await;
        let after_down = catalog::read(&t.db).await.without_history();
        assert!(
            key_order_ignored(&after_down) == key_order_ignored(&before),
            "{backend:?}: down() of {name} does not undo its up():\n{}",
            difference(&before, &after_down)
        );
        t.migrate(Selection::Count(1)).await;
        let again = catalog::read(&t.db).await.without_history();
        assert!(
            again == after_up,
            "{backend:?}: {name} applied after its down() differs from the first time:\n{}",
            difference(&after_up, &again)
        );
        before = after_up;
    }
    let full = before;

    t.roll_back(Selection::All).await;
    let emptied = catalog::read(&t.db).await;
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

    t.migrate(Selection::All).await;
    let again = catalog::read(&t.db).await.without_history();
    assert!(
        again == full,
        "{backend:?}: up after down differs:\n{}",
        difference(&full, &again)
    );
}

/// SPEC.md §19: the 48 tables with `updated_at` get `trg_<table>_updated_at` on PostgreSQL (with
/// one function) and SQLite; the MySQL family has no trigger but `ON UPDATE CURRENT_TIMESTAMP(6)`
/// on each of those columns.
fn compare_triggers(backend: Backend, spec: &Spec, catalog: &Catalog, problems: &mut Vec<String>) {
    let expected: BTreeSet<String> = match backend {
        Backend::MySql => BTreeSet::new(),
        _ => spec
            .trigger_tables
            .iter()
            .map(|t| format!("{t}.trg_{t}_updated_at"))
            .collect(),
    };
    if catalog.triggers != expected {
        problems.push(format!(
            "triggers: missing {:?}, unexpected {:?}",
            expected.difference(&catalog.triggers).collect::<Vec<_>>(),
            catalog.triggers.difference(&expected).collect::<Vec<_>>()
        ));
    }
    if backend == Backend::MySql {
        for table in &spec.trigger_tables {
            let definition = catalog
                .tables
                .get(table)
                .map(|t| t.definition.join("\n").to_lowercase())
                .unwrap_or_default();
            if !definition.contains("on update current_timestamp(6)") {
                problems.push(format!(
                    "{table}.updated_at: no ON UPDATE CURRENT_TIMESTAMP(6)"
                ));
            }
        }
    }
    let functions: BTreeSet<&str> = catalog.functions.iter().map(String::as_str).collect();
    let want: BTreeSet<&str> = match backend {
        Backend::Postgres => ["ensure_attempts_partition", "set_updated_at"].into(),
        _ => BTreeSet::new(),
    };
    if functions != want {
        problems.push(format!("functions {functions:?}, expected {want:?}"));
    }
}

/// SPEC.md §20: the views each backend has, with their output columns in order. A view that is
/// "conditional" on a backend exists there exactly when what it needs does (PostgreSQL's
/// pg_stat_statements); SQLite's dbstat-based table_sizes is never created (a migration may not
/// probe the build), see docs/schema-decisions.md.
async fn compare_views(t: &TestDb, spec: &Spec, catalog: &Catalog, problems: &mut Vec<String>) {
    let backend = t.backend;
    let mut expected = BTreeMap::new();
    for view in &spec.views {
        let present = match view.on(backend_key(backend)) {
            "yes" => true,
            "conditional" if backend == Backend::Postgres => !t
                .query_strings(
                    "SELECT extname::text AS e FROM pg_extension WHERE extname = 'pg_stat_statements'",
                    "e",
                )
                .await
                .is_empty(),
            _ => false,
        };
        if present {
            expected.insert(view.name.clone(), view.columns.clone());
        }
    }
    if catalog.views != expected {
        problems.push(format!("views {:?}, expected {expected:?}", catalog.views));
    }
}

fn backend_key(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "postgres",
        Backend::MySql => "mysql",
        Backend::Sqlite => "sqlite",
    }
}

/// SPEC.md §10: on PostgreSQL `attempts` has a default partition and one for this year and the
/// next; no other table is partitioned, and no other backend has partitions.
fn compare_partitions(backend: Backend, catalog: &Catalog, problems: &mut Vec<String>) {
    use chrono::Datelike;
    let year = chrono::Utc::now().year();
    let expected: BTreeMap<String, String> = match backend {
        Backend::Postgres => [
            "attempts_default".to_owned(),
            format!("attempts_{year}"),
            format!("attempts_{}", year + 1),
        ]
        .into_iter()
        .map(|p| (p, "attempts".to_owned()))
        .collect(),
        _ => BTreeMap::new(),
    };
    if catalog.partitions != expected {
        problems.push(format!(
            "partitions {:?}, expected {expected:?}",
            catalog.partitions
        ));
    }
}

/// The spec's headline counts (SPEC.md §25, or §26.11 with module 20), read from the catalog
/// once every module is in. The numbers come from the fixture, so the test follows the spec.
fn compare_totals(backend: Backend, spec: &Spec, catalog: &Catalog, problems: &mut Vec<String>) {
    let tables: Vec<&Table> = spec
        .tables
        .iter()
        .filter_map(|t| catalog.tables.get(&t.name))
        .collect();
    let got = [
        ("tables", tables.len()),
        (
            "foreign keys",
            tables.iter().map(|t| t.foreign_keys.len()).sum(),
        ),
        ("uniques", tables.iter().map(|t| t.uniques.len()).sum()),
        (
            "named checks",
            tables
                .iter()
                .map(|t| t.checks.keys().filter(|k| k.starts_with("ck_")).count())
                .sum(),
        ),
        (
            "secondary indexes",
            tables.iter().map(|t| t.indexes.len()).sum(),
        ),
        (
            "primary keys",
            tables.iter().filter(|t| !t.primary_key.is_empty()).count(),
        ),
    ];
    let want = &spec.totals;
    let want = [
        ("tables", want.tables),
        ("foreign keys", want.fk),
        ("uniques", want.uq),
        (
            "named checks",
            if backend == Backend::MySql {
                want.ck - want.ck_pg_sqlite_only
            } else {
                want.ck
            },
        ),
        ("secondary indexes", want.ix),
        ("primary keys", want.primary_keys),
    ];
    if got != want {
        problems.push(format!("totals {got:?}, the spec's counts {want:?}"));
    }
    if backend == Backend::Postgres && catalog.enums.len() != spec.totals.enums {
        problems.push(format!(
            "{} enum types, the spec has {}",
            catalog.enums.len(),
            spec.totals.enums
        ));
    }
}

/// SPEC.md §0.5: every foreign-key column is the leading column of the primary key, a unique or
/// an index, so cascades and joins from the parent never scan the child.
async fn every_foreign_key_column_leads_an_index(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let catalog = catalog::read(&t.db).await;
    let mut uncovered = Vec::new();
    for (name, table) in &catalog.tables {
        let leading: BTreeSet<&str> = table
            .primary_key
            .first()
            .into_iter()
            .chain(table.uniques.values().filter_map(|c| c.first()))
            .chain(table.indexes.values().filter_map(|c| c.first()))
            .map(String::as_str)
            .collect();
        for (fk, key) in &table.foreign_keys {
            if !leading.contains(key.columns[0].as_str()) {
                uncovered.push(format!("{name}.{} ({fk})", key.columns[0]));
            }
        }
    }
    assert!(
        uncovered.is_empty(),
        "{backend:?}: foreign-key columns that lead no index: {uncovered:?}"
    );
}

/// SPEC.md §0.4: no identifier is longer than PostgreSQL's 63 characters (it would be truncated
/// there silently, and two long names could collide).
async fn every_identifier_fits_63_characters(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let catalog = catalog::read(&t.db).await;
    let mut names: Vec<String> = Vec::new();
    for (name, table) in &catalog.tables {
        names.push(name.clone());
        names.extend(table.columns.iter().map(|c| c.name.clone()));
        names.extend(table.foreign_keys.keys().cloned());
        names.extend(table.uniques.keys().cloned());
        names.extend(table.indexes.keys().cloned());
        names.extend(table.checks.keys().cloned());
    }
    names.extend(
        catalog
            .triggers
            .iter()
            .map(|t| t.split('.').next_back().unwrap_or(t).to_owned()),
    );
    names.extend(catalog.views.keys().cloned());
    names.extend(catalog.functions.iter().cloned());
    names.extend(catalog.enums.keys().cloned());
    let long: Vec<&String> = names.iter().filter(|n| n.len() > 63).collect();
    assert!(
        long.is_empty(),
        "{backend:?}: identifiers over 63 characters: {long:?}"
    );
    assert!(
        names.len() > 1000,
        "{backend:?}: only {} identifiers read",
        names.len()
    );
}

/// The migration list in `migration/src/lib.rs` is in version order with no version twice:
/// sea-orm-migration and the runner apply in list order, and history is keyed by version.
#[test]
fn migration_list_is_sorted_and_unique() {
    let names = common::migration_names();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(
        names, sorted,
        "migration/src/lib.rs lists migrations out of order or twice"
    );
    let groups = implemented_modules();
    let spec = Spec::load();
    let missing: Vec<&String> = spec
        .module_counts
        .keys()
        .filter(|module| !groups.contains(module))
        .collect();
    assert!(
        missing.is_empty(),
        "the spec's table modules {missing:?} have no migration: {names:?}"
    );
}

/// MySQL's `SHOW CREATE TABLE` lists secondary keys in the order they were created, and an index
/// that a `down()` creates again (module 20's `ix_practice_answers_session_question`) comes back
/// after the keys created since. The order means nothing to the server; every key, its columns
/// and its name are still compared.
fn key_order_ignored(catalog: &Catalog) -> Catalog {
    let mut catalog = catalog.clone();
    for table in catalog.tables.values_mut() {
        for definition in &mut table.definition {
            let (mut keys, mut rest): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
            for line in definition.lines() {
                if line.trim_start().starts_with("KEY `") {
                    keys.push(line.trim_end_matches(','));
                } else {
                    rest.push(line);
                }
            }
            keys.sort();
            rest.extend(keys);
            *definition = rest.join("\n");
        }
    }
    catalog
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
