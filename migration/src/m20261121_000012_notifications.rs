//! Module 12 `notifications` (SPEC.md §14): notifications.
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
pub enum Notifications {
    Table,
    Id,
    RecipientId,
    NotificationType,
    Title,
    Content,
    ActionUrl,
    Priority,
    IsRead,
    ReadAt,
    Metadata,
    ExpiresAt,
    CreatedAt,
    UpdatedAt,
}
