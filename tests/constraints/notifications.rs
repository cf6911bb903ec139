//! Rejection cases for the notifications group (SPEC.md §14): notifications.

use super::*;
use crate::common::factories::notifications::*;

on_every_backend!(
    notifications_group_rejects_invalid_rows,
    notifications_group_rejects_invalid_rows
);

async fn notifications_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    let ada = new();
    c.accepted(user(b, ada)).await;
    c.accepted(notification(b, new(), ada)).await;

    // notifications
    let fresh = || notification(b, new(), ada);
    c.rejected(
        fresh().with("recipient_id", nobody()),
        ForeignKey("fk_notifications_recipient_id"),
        "orphan recipient_id",
    )
    .await;
    c.rejects_enum(
        fresh(),
        "notification_type",
        "notification_type",
        "reminder",
    )
    .await;
    c.rejects_enum(fresh(), "priority", "priority", "low").await;
    c.rejects_json(fresh(), "metadata").await;
    c.accepted(fresh()).await;
    // An unread notification with the defaults: priority 'normal', metadata '{}'.
    c.accepted(
        fresh()
            .without("priority")
            .without("metadata")
            .without("is_read")
            .without("read_at"),
    )
    .await;

    c.finish("notifications").await;
}
