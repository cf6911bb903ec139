//! A migration that fails halfway, for the tests of what the runner records when a migration
//! fails (tests/runner.rs) and of the journaled profiles (tests/engines.rs): it creates
//! `halfway_a`, then runs SQL that cannot parse. [`HalfwayMigrator`] is learndb's migrations
//! followed by it.

use migration::{
    Alias, ColumnDef, ConnectionTrait, DbErr, MigrationName, MigrationTrait, Migrator,
    MigratorTrait, SchemaManager, Table, async_trait,
};

pub const HALFWAY: &str = "m20261121_999999_halfway";

pub struct Halfway;

impl MigrationName for Halfway {
    fn name(&self) -> &str {
        HALFWAY
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Halfway {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("halfway_a"))
                    .col(ColumnDef::new(Alias::new("n")).integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("CREATE TABLE halfway_b (")
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new("halfway_a")).to_owned())
            .await
    }
}

/// learndb's migrations followed by [`Halfway`].
pub struct HalfwayMigrator;

#[async_trait::async_trait]
impl MigratorTrait for HalfwayMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = Migrator::migrations();
        all.push(Box::new(Halfway));
        all
    }
}
