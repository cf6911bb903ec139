//! The learndb schema as one sea-orm-migration set for PostgreSQL, MySQL/MariaDB/TiDB and SQLite.
//!
//! Table-group modules are named `mYYYYMMDD_NNNNNN_<group>` with the module numbers of SPEC.md §1,
//! so groups still to come slot in between in dependency order. Helper modules (`ddl`, `cli`,
//! `connect`, `runner`) are named so that `migrate generate` never mistakes them for migrations.

pub use sea_orm_migration::prelude::*;

pub mod cli;
pub mod connect;
pub mod ddl;
pub mod runner;

mod m20261121_000001_users;
mod m20261121_000002_content;
mod m20261121_000006_progress;
mod m20261121_000009_collaborative;
mod m20261121_000010_plugins;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_users::Migration),
            Box::new(m20261121_000002_content::Migration),
            Box::new(m20261121_000006_progress::Migration),
            Box::new(m20261121_000009_collaborative::Migration),
            Box::new(m20261121_000010_plugins::Migration),
        ]
    }
}
