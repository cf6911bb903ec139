//! Module 16 `activity` (SPEC.md §16b): user_activities, usage_statistics.
//!
//! The WriteBot activity log and its per-day usage counters. `user_activities` is an append-only,
//! insert-heavy log (SPEC.md §0.1: NONCLUSTERED and sharded on TiDB) whose WB `timestamp` is the
//! standard `created_at`; `activity_type` stays an open varchar. `usage_statistics` holds one row
//! per user and UTC day. Both go with their user (CASCADE).

use sea_orm_migration::prelude::*;

use crate::ddl::{Ddl, TableDef, TableGroup};
use crate::m20261121_000001_users::Users;

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[user_activities, usage_statistics],
    steps: &[],
};

crate::group_migration!(GROUP);

pub(crate) fn user_activities(ddl: &Ddl) -> TableDef {
    ddl.insert_heavy_table(UserActivities::Table, UserActivities::Id)
        .col(ddl.uuid(UserActivities::UserId))
        .col(ddl.string(UserActivities::ActivityType, 50))
        .col(ddl.text_null(UserActivities::Description))
        .col(ddl.string_null(UserActivities::IpAddress, 45))
        .col(ddl.text_null(UserActivities::UserAgent))
        .col(ddl.json_null(UserActivities::ExtraData))
        .col(ddl.created_at(UserActivities::CreatedAt))
        .foreign_key(
            "fk_user_activities_user_id",
            UserActivities::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .index(
            "ix_user_activities_user_created",
            [UserActivities::UserId, UserActivities::CreatedAt],
        )
        .index("ix_user_activities_type", [UserActivities::ActivityType])
        .index("ix_user_activities_created_at", [UserActivities::CreatedAt])
}

fn usage_statistics(ddl: &Ddl) -> TableDef {
    ddl.table(UsageStatistics::Table)
        .col(ddl.id(UsageStatistics::Id))
        .col(ddl.uuid(UsageStatistics::UserId))
        .col(ddl.date(UsageStatistics::Date))
        .col(ddl.integer(UsageStatistics::SvgGenerations).default(0))
        .col(ddl.integer(UsageStatistics::BatchGenerations).default(0))
        .col(ddl.integer(UsageStatistics::TotalLinesGenerated).default(0))
        .col(
            ddl.bigint(UsageStatistics::TotalCharactersGenerated)
                .default(0),
        )
        .col(
            ddl.decimal(UsageStatistics::TotalProcessingTime, 12, 3)
                .default(0),
        )
        .col(ddl.created_at(UsageStatistics::CreatedAt))
        .col(ddl.updated_at(UsageStatistics::UpdatedAt))
        .foreign_key(
            "fk_usage_statistics_user_id",
            UsageStatistics::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_usage_statistics_user_date",
            [UsageStatistics::UserId, UsageStatistics::Date],
        )
        .check(
            "ck_usage_statistics_counters",
            Expr::col(UsageStatistics::SvgGenerations)
                .gte(0)
                .and(Expr::col(UsageStatistics::BatchGenerations).gte(0))
                .and(Expr::col(UsageStatistics::TotalLinesGenerated).gte(0))
                .and(Expr::col(UsageStatistics::TotalCharactersGenerated).gte(0))
                .and(Expr::col(UsageStatistics::TotalProcessingTime).gte(0)),
        )
        .index("ix_usage_statistics_date", [UsageStatistics::Date])
}

#[derive(DeriveIden)]
pub enum UserActivities {
    Table,
    Id,
    UserId,
    ActivityType,
    Description,
    IpAddress,
    UserAgent,
    ExtraData,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum UsageStatistics {
    Table,
    Id,
    UserId,
    Date,
    SvgGenerations,
    BatchGenerations,
    TotalLinesGenerated,
    TotalCharactersGenerated,
    TotalProcessingTime,
    CreatedAt,
    UpdatedAt,
}
