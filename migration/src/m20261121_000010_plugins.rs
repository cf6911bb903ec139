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

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[&PLUGIN_STATUS],
    tables: &[plugins, plugin_data],
    steps: &[],
};

crate::group_migration!(GROUP);

fn plugins(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(Plugins::Table)
        .col(ddl.id(Plugins::Id))
        .col(ddl.string(Plugins::Name, 255))
        .col(ddl.string(Plugins::Version, 50))
        .col(ddl.text_null(Plugins::Description))
        .col(ddl.string_null(Plugins::Author, 255))
        .col(ddl.json(Plugins::Manifest))
        .col(
            ddl.enumeration(Plugins::Status, &PLUGIN_STATUS)
                .default(const { PLUGIN_STATUS.value("installed") }),
        )
        .col(ddl.uuid_null(Plugins::InstalledBy))
        .col(ddl.text_null(Plugins::ErrorMessage))
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
        .col(ddl.uuid(PluginData::PluginId))
        .col(ddl.uuid_null(PluginData::UserId))
        .col(ddl.string(PluginData::DataKey, 255))
        .col(ddl.json(PluginData::DataValue))
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
