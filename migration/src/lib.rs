//! The learndb schema as one sea-orm-migration set for PostgreSQL, MySQL/MariaDB/TiDB and SQLite.
//!
//! Table-group modules are named `mYYYYMMDD_NNNNNN_<group>` with the module numbers of SPEC.md §1,
//! so groups still to come slot in between in dependency order. Helper modules (`ddl`, `cli`,
//! `connect`, `engine`, `runner`, `scaffold`) are named so that `migrate generate` never mistakes
//! them for migrations.

pub use sea_orm_migration::prelude::*;

#[cfg(feature = "cli")]
pub mod cli;
pub mod connect;
pub mod ddl;
pub mod engine;
pub mod runner;
#[cfg(feature = "cli")]
pub mod scaffold;

mod m20261121_000001_users;
mod m20261121_000002_content;
mod m20261121_000003_courses;
mod m20261121_000004_enrollments;
mod m20261121_000005_assessments;
mod m20261121_000006_progress;
mod m20261121_000007_practice;
mod m20261121_000008_adaptive;
mod m20261121_000009_collaborative;
mod m20261121_000010_plugins;
mod m20261121_000011_communication;
mod m20261121_000012_notifications;
mod m20261121_000013_analytics;
mod m20261121_000014_payments;
mod m20261121_000015_writing;
mod m20261121_000016_activity;
mod m20261121_000017_triggers;
mod m20261121_000018_views;
mod m20261121_000019_seed;
mod m20261121_000020_practice_later;
mod m20261121_000021_sqlite_json_null;

pub struct Migrator;

/// The safe runner of learndb's migrations, for services that migrate at startup:
///
/// ```no_run
/// # async fn start(db: &migration::sea_orm::DatabaseConnection) -> Result<(), migration::runner::RunError> {
/// migration::Runner::new(db).up().await?;
/// # Ok(()) }
/// ```
///
/// The same lock, history, checksums and recovery as `learndb migrate up`; see
/// [`runner::Runner`] for targets, rollbacks, `status` and the options.
pub type Runner<'a> = runner::Runner<'a, Migrator>;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_users::Migration),
            Box::new(m20261121_000002_content::Migration),
            Box::new(m20261121_000003_courses::Migration),
            Box::new(m20261121_000004_enrollments::Migration),
            Box::new(m20261121_000005_assessments::Migration),
            Box::new(m20261121_000006_progress::Migration),
            Box::new(m20261121_000007_practice::Migration),
            Box::new(m20261121_000008_adaptive::Migration),
            Box::new(m20261121_000009_collaborative::Migration),
            Box::new(m20261121_000010_plugins::Migration),
            Box::new(m20261121_000011_communication::Migration),
            Box::new(m20261121_000012_notifications::Migration),
            Box::new(m20261121_000013_analytics::Migration),
            Box::new(m20261121_000014_payments::Migration),
            Box::new(m20261121_000015_writing::Migration),
            Box::new(m20261121_000016_activity::Migration),
            Box::new(m20261121_000017_triggers::Migration),
            Box::new(m20261121_000018_views::Migration),
            Box::new(m20261121_000019_seed::Migration),
            Box::new(m20261121_000020_practice_later::Migration),
            Box::new(m20261121_000021_sqlite_json_null::Migration),
        ]
    }
}
