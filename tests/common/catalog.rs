//! The tests read catalogs through the same reader as `learndb verify`, `diff`, `docs` and
//! `doctor`: [`learndb::catalog`]. A failed read fails the test.

pub use learndb::catalog::{Catalog, Table};

/// [`Catalog::read`], failing the test on a database error.
pub async fn read(db: &sea_orm::DatabaseConnection) -> Catalog {
    Catalog::read(db)
        .await
        .unwrap_or_else(|e| panic!("cannot read the catalog: {e}"))
}

/// A table of `catalog` that must exist.
pub fn table<'a>(catalog: &'a Catalog, name: &str) -> &'a Table {
    catalog.table(name).unwrap_or_else(|| {
        panic!(
            "table {name} does not exist; tables: {:?}",
            catalog.tables.keys()
        )
    })
}
