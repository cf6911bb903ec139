//! Module 16 `activity` (SPEC.md §16b): user_activities, usage_statistics.
//!
//! TODO(scaffold): module doc (what the group holds, deviations), enums, one function per table.

use sea_orm_migration::prelude::*;

use crate::ddl::TableGroup;

const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[],
    steps: &[],
};

crate::group_migration!(GROUP);

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
