//! The schema contract, as `scripts/spec-fixture.py` extracted it from SPEC.md.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Spec {
    pub enums: BTreeMap<String, Vec<String>>,
    pub module_counts: BTreeMap<String, ModuleCounts>,
    pub tables: Vec<SpecTable>,
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
    pub fks: Vec<SpecFk>,
    pub uniques: Vec<SpecIndex>,
    pub checks: Vec<SpecCheck>,
    pub indexes: Vec<SpecIndex>,
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
}

#[derive(Debug, Deserialize)]
pub struct SpecCheck {
    pub name: String,
    pub pg_sqlite_only: bool,
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

    pub fn table(&self, name: &str) -> &SpecTable {
        self.tables
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("table {name} is not in the spec"))
    }
}
