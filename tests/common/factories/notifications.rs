//! Valid rows for the notifications group: every fresh copy is valid on its own.

use serde_json::json;
use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, at, enum_value};

pub fn notification(b: Backend, id: Uuid, recipient_id: Uuid) -> Row {
    Row::new("notifications")
        .with("id", id)
        .with("recipient_id", recipient_id)
        .with(
            "notification_type",
            enum_value(b, "notification_type", "assignment_due"),
        )
        .with("title", "Assignment due tomorrow")
        .with("content", "Fingerspelling practice 3 is due at noon.")
        .with("action_url", "/courses/bsl-1/assignments/3")
        .with("priority", enum_value(b, "priority", "high"))
        .with("is_read", true)
        .with("read_at", at(1))
        .with("metadata", json!({"assignment": 3}))
        .with("expires_at", at(48))
}
