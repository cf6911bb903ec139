//! Module 08 `adaptive` (SPEC.md §10): items, attempts.
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
pub enum Items {
    Table,
    Id,
    Slug,
    Content,
    Choices,
    Correct,
    Explanation,
    Difficulty,
    Discrimination,
    Guessing,
    Topics,
    Jurisdictions,
    ItemType,
    CognitiveLevel,
    MediaRefs,
    ExternalRefs,
    EstimatedTime,
    Points,
    Tags,
    Version,
    Status,
    CreatedBy,
    ReviewedBy,
    ApprovedBy,
    PublishedAt,
    UsageCount,
    AvgResponseTime,
    SuccessRate,
    IsActive,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Attempts {
    Table,
    Id,
    UserId,
    ItemId,
    SessionId,
    Selected,
    Correct,
    Quality,
    Confidence,
    TimeTakenMs,
    HintsUsed,
    ClientAttemptId,
    DeviceType,
    AppVersion,
    IpAddress,
    UserAgent,
    Sm2StateBefore,
    Sm2StateAfter,
    BktStateBefore,
    BktStateAfter,
    IrtAbilityBefore,
    IrtAbilityAfter,
    AttemptedAt,
    CreatedAt,
}
