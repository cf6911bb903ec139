//! Module 10 `plugins` (SPEC.md §12): plugins, plugin_data.
//!
//! The SS plugin registry and its key/value store. Removing the admin who installed a plugin
//! only clears `installed_by` (SS cascaded, deleting the plugin and all its data); a NULL
//! `plugin_data.user_id` marks plugin-global data, which the unique key does not de-duplicate.

use sea_orm_migration::prelude::*;

use crate::ddl::{DbEnum, Ddl, TableGroup};
use crate::m20261121_000001_users::Users;

pub const PLUGIN_STATUS: DbEnum = DbEnum {
    name: "plugin_status",
    values: &["installed", "active", "disabled", "error", "updating"],
};

const GROUP: TableGroup = TableGroup {
    enums: &[&PLUGIN_STATUS],
    tables: &[plugins, plugin_data],
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        GROUP.up(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        GROUP.down(manager).await
    }

    /// DDL is transactional on PostgreSQL and SQLite, so a failure leaves nothing behind there;
    /// MySQL commits each DDL statement implicitly whatever this says.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}

fn plugins(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(Plugins::Table)
        .col(ddl.id(Plugins::Id))
        .col(ddl.string(Plugins::Name, 255).not_null())
        .col(ddl.string(Plugins::Version, 50).not_null())
        .col(ddl.text(Plugins::Description))
        .col(ddl.string(Plugins::Author, 255))
        .col(ddl.json(Plugins::Manifest).not_null())
        .col(
            ddl.enumeration(Plugins::Status, &PLUGIN_STATUS)
                .not_null()
                .default("installed"),
        )
        .col(ddl.uuid(Plugins::InstalledBy))
        .col(ddl.text(Plugins::ErrorMessage))
        .col(ddl.created_at(Plugins::CreatedAt))
        .col(ddl.updated_at(Plugins::UpdatedAt))
        .foreign_key(
            "fk_plugins_installed_by",
            Plugins::InstalledBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .unique("uq_plugins_name", [Plugins::Name])
        .index("ix_plugins_status", [Plugins::Status])
        .index("ix_plugins_installed_by", [Plugins::InstalledBy])
        .index("ix_plugins_author", [Plugins::Author])
}

fn plugin_data(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(PluginData::Table)
        .col(ddl.id(PluginData::Id))
        .col(ddl.uuid(PluginData::PluginId).not_null())
        .col(ddl.uuid(PluginData::UserId))
        .col(ddl.string(PluginData::DataKey, 255).not_null())
        .col(ddl.json(PluginData::DataValue).not_null())
        .col(ddl.created_at(PluginData::CreatedAt))
        .col(ddl.updated_at(PluginData::UpdatedAt))
        .foreign_key(
            "fk_plugin_data_plugin_id",
            PluginData::PluginId,
            Plugins::Table,
            Plugins::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_plugin_data_user_id",
            PluginData::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_plugin_data_plugin_user_key",
            [
                PluginData::PluginId,
                PluginData::UserId,
                PluginData::DataKey,
            ],
        )
        .index("ix_plugin_data_user_id", [PluginData::UserId])
        .index(
            "ix_plugin_data_plugin_key",
            [PluginData::PluginId, PluginData::DataKey],
        )
        .index("ix_plugin_data_key", [PluginData::DataKey])
}

#[derive(DeriveIden)]
pub enum Plugins {
    Table,
    Id,
    Name,
    Version,
    Description,
    Author,
    Manifest,
    Status,
    InstalledBy,
    ErrorMessage,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum PluginData {
    Table,
    Id,
    PluginId,
    UserId,
    DataKey,
    DataValue,
    CreatedAt,
    UpdatedAt,
}
