//! Module 12 `notifications` (SPEC.md §14): notifications.
//!
//! The DZ in-app notification feed, one row per recipient. It takes a high insert rate, so on
//! TiDB its key is NONCLUSTERED and its rows sharded (SPEC.md §0.1); `updated_at`, which DZ did
//! not have, is added because `is_read` changes. No deviations from SPEC.md.

use sea_orm_migration::prelude::*;

use crate::ddl::{DbEnum, Ddl, JsonDefault, TableDef, TableGroup};
use crate::m20261121_000001_users::Users;

pub const NOTIFICATION_TYPE: DbEnum = DbEnum {
    name: "notification_type",
    values: &[
        "new_message",
        "assignment_due",
        "grade_posted",
        "course_update",
        "announcement",
        "discussion_reply",
        "enrollment_confirmed",
        "certificate_issued",
        "payment_received",
        "refund_processed",
    ],
};
pub const PRIORITY: DbEnum = DbEnum {
    name: "priority",
    values: &["normal", "high", "urgent"],
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[&NOTIFICATION_TYPE, &PRIORITY],
    tables: &[notifications],
    steps: &[],
};

crate::group_migration!(GROUP);

fn notifications(ddl: &Ddl) -> TableDef {
    ddl.insert_heavy_table(Notifications::Table, Notifications::Id)
        .col(ddl.uuid(Notifications::RecipientId))
        .col(ddl.enumeration(Notifications::NotificationType, &NOTIFICATION_TYPE))
        .col(ddl.string(Notifications::Title, 255))
        .col(ddl.text(Notifications::Content))
        .col(ddl.string_null(Notifications::ActionUrl, 500))
        .col(
            ddl.enumeration(Notifications::Priority, &PRIORITY)
                .default(const { PRIORITY.value("normal") }),
        )
        .col(ddl.boolean(Notifications::IsRead).default(false))
        .col(ddl.timestamptz_null(Notifications::ReadAt))
        .col(
            ddl.json(Notifications::Metadata)
                .default(ddl.json_default(JsonDefault::EmptyObject)),
        )
        .col(ddl.timestamptz_null(Notifications::ExpiresAt))
        .col(ddl.created_at(Notifications::CreatedAt))
        .col(ddl.updated_at(Notifications::UpdatedAt))
        .foreign_key(
            "fk_notifications_recipient_id",
            Notifications::RecipientId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .index(
            "ix_notifications_recipient_read",
            [Notifications::RecipientId, Notifications::IsRead],
        )
        .index(
            "ix_notifications_recipient_created",
            [Notifications::RecipientId, Notifications::CreatedAt],
        )
        .index("ix_notifications_type", [Notifications::NotificationType])
        .index("ix_notifications_expires_at", [Notifications::ExpiresAt])
}

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
