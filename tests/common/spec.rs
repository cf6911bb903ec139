//! The schema contract, as `scripts/spec-fixture.py` extracted it from SPEC.md and, for module 20,
//! SPEC-26-27.md §26.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Spec {
    /// The headline counts (§25, or §26.11 with the continuation), as parsed and checked.
    pub totals: Totals,
    pub enums: BTreeMap<String, Vec<String>>,
    pub module_counts: BTreeMap<String, ModuleCounts>,
    pub tables: Vec<SpecTable>,
    /// §20, in spec order.
    pub views: Vec<SpecView>,
    /// The tables with an `updated_at` column (§19), in spec order.
    pub trigger_tables: Vec<String>,
    /// §21, in spec order.
    pub seeds: Vec<SpecSeed>,
}

/// The headline counts of the spec.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub tables: usize,
    pub columns: usize,
    pub enums: usize,
    pub primary_keys: usize,
    pub fk: usize,
    pub uq: usize,
    /// Named checks, the PG/SQLite-only ones (‡) included.
    pub ck: usize,
    /// The checks that exist on PostgreSQL and SQLite only (‡).
    pub ck_pg_sqlite_only: usize,
    pub ix: usize,
    /// Tables with `updated_at` (§19).
    pub trigger_tables: usize,
    pub views: usize,
    pub seed_rows: usize,
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
pub struct ModuleCounts {
    pub tables: usize,
    pub fk: usize,
    pub uq: usize,
    pub ck: usize,
    pub ix: usize,
}

#[derive(Debug, Deserialize)]
pub struct SpecTable {
    pub name: String,
    pub module: String,
    pub columns: Vec<SpecColumn>,
    pub pk: Vec<String>,
    /// Set where the PostgreSQL PK differs from `pk` (partitioned `attempts`).
    #[serde(default)]
    pub pk_postgres: Option<Vec<String>>,
    pub fks: Vec<SpecFk>,
    pub uniques: Vec<SpecIndex>,
    pub checks: Vec<SpecCheck>,
    pub indexes: Vec<SpecIndex>,
}

impl SpecTable {
    /// The primary key on the given backend.
    pub fn pk_on(&self, backend_is_postgres: bool) -> &[String] {
        match (&self.pk_postgres, backend_is_postgres) {
            (Some(pg), true) => pg,
            _ => &self.pk,
        }
    }

    /// The unique constraints on the given backend: name and columns.
    pub fn uniques_on(&self, backend_is_postgres: bool) -> impl Iterator<Item = (&str, &[String])> {
        self.uniques
            .iter()
            .map(move |u| (u.name.as_str(), u.columns_on(backend_is_postgres)))
    }

    /// The secondary indexes on the given backend: name and columns.
    pub fn indexes_on(&self, backend_is_postgres: bool) -> impl Iterator<Item = (&str, &[String])> {
        self.indexes
            .iter()
            .map(move |i| (i.name.as_str(), i.columns_on(backend_is_postgres)))
    }
}

#[derive(Debug, Deserialize)]
pub struct SpecColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub nullable: bool,
    pub default: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SpecFk {
    pub name: String,
    pub column: String,
    pub ref_table: String,
    pub ref_column: String,
    pub on_delete: String,
}

#[derive(Debug, Deserialize)]
pub struct SpecIndex {
    pub name: String,
    pub columns: Vec<String>,
    /// Set where the PostgreSQL columns differ from `columns`
    /// (`uq_attempts_client_attempt_id` must include the partition key).
    #[serde(default)]
    pub columns_postgres: Option<Vec<String>>,
}

impl SpecIndex {
    /// The columns on the given backend.
    pub fn columns_on(&self, backend_is_postgres: bool) -> &[String] {
        match (&self.columns_postgres, backend_is_postgres) {
            (Some(pg), true) => pg,
            _ => &self.columns,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct SpecCheck {
    pub name: String,
    pub pg_sqlite_only: bool,
}

/// A view of §20.
#[derive(Debug, Deserialize)]
pub struct SpecView {
    pub name: String,
    /// Output column names, in order.
    pub columns: Vec<String>,
    pub backends: ViewBackends,
    /// For each backend where the view is `Conditional`: what it depends on
    /// (`dbstat`, `pg_stat_statements`), keyed "postgres" / "mysql" / "sqlite".
    #[serde(default)]
    pub requires: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, Clone, Copy)]
pub struct ViewBackends {
    pub postgres: Presence,
    pub mysql: Presence,
    pub sqlite: Presence,
}

/// Whether a view exists on a backend.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Presence {
    Yes,
    No,
    /// Only when an extension or compile-time feature is available (see `SpecView::requires`).
    Conditional,
}

impl Presence {
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Yes => "yes",
            Presence::No => "no",
            Presence::Conditional => "conditional",
        }
    }
}

impl SpecView {
    /// "yes", "no" or "conditional" on the backend named "postgres", "mysql" or "sqlite".
    pub fn on(&self, backend: &str) -> &'static str {
        self.presence(backend).as_str()
    }

    /// Whether the view exists on the backend named "postgres", "mysql" or "sqlite".
    pub fn presence(&self, backend: &str) -> Presence {
        match backend {
            "postgres" => self.backends.postgres,
            "mysql" => self.backends.mysql,
            "sqlite" => self.backends.sqlite,
            other => panic!("unknown backend {other:?}"),
        }
    }
}

/// The seed rows of one table (§21).
#[derive(Debug, Deserialize)]
pub struct SpecSeed {
    pub table: String,
    /// The natural key column: `name`, `username` or `preference_key`.
    pub key_column: String,
    pub rows: Vec<SpecSeedRow>,
}

#[derive(Debug, Deserialize)]
pub struct SpecSeedRow {
    /// The fixed UUID, lower-case with hyphens.
    pub id: String,
    /// The value of `key_column`.
    pub key: String,
}

impl Spec {
    pub fn load() -> Spec {
        let text = include_str!("../fixtures/spec_schema.json");
        serde_json::from_str(text).expect("tests/fixtures/spec_schema.json is valid")
    }

    /// The tables of the given modules, in spec order.
    pub fn tables_of<'a>(
        &'a self,
        modules: &'a [String],
    ) -> impl Iterator<Item = &'a SpecTable> + 'a {
        self.tables
            .iter()
            .filter(move |t| modules.contains(&t.module))
    }

    pub fn view(&self, name: &str) -> &SpecView {
        self.views
            .iter()
            .find(|v| v.name == name)
            .unwrap_or_else(|| panic!("view {name} is not in the spec"))
    }

    pub fn table(&self, name: &str) -> &SpecTable {
        self.tables
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("table {name} is not in the spec"))
    }
}
