//! Valid rows for the adaptive group: unique values derive from the row's id, so every fresh copy
//! is valid on its own. An attempt's `created_at` is fixed (2026-01-01T00:00Z, `at(0)`): it is the
//! partition key on PostgreSQL, and cases that repeat a `client_attempt_id` repeat it too.

use serde_json::json;
use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, at, dec, enum_value};

/// An item written, reviewed and approved by `author`.
pub fn item(b: Backend, id: Uuid, author: Uuid) -> Row {
    Row::new("items")
        .with("id", id)
        .with("slug", format!("road-signs-{}", id.simple()))
        .with("content", json!({"stem": "What does a red octagon mean?"}))
        .with("choices", json!(["Stop", "Yield", "No entry"]))
        .with("correct", json!([0]))
        .with(
            "explanation",
            json!({"text": "A red octagon is a stop sign."}),
        )
        .with("difficulty", dec("-4.000"))
        .with("discrimination", dec("0.001"))
        .with("guessing", dec("1.000"))
        .with("topics", json!(["signs"]))
        .with("jurisdictions", json!(["US-CA"]))
        .with(
            "item_type",
            enum_value(b, "question_type", "multiple_choice"),
        )
        .with("cognitive_level", "recall")
        .with("media_refs", json!([]))
        .with("external_refs", json!([]))
        .with("estimated_time", 1)
        .with("points", 1)
        .with("tags", json!(["easy"]))
        .with("version", 1)
        .with("status", enum_value(b, "item_status", "published"))
        .with("created_by", author)
        .with("reviewed_by", author)
        .with("approved_by", author)
        .with("published_at", at(0))
        .with("usage_count", 0)
        .with("avg_response_time", 0)
        .with("success_rate", dec("1.0000"))
        .with("is_active", true)
}

pub fn attempt(id: Uuid, user_id: Uuid, item_id: Uuid, session_id: Uuid) -> Row {
    Row::new("attempts")
        .with("id", id)
        .with("user_id", user_id)
        .with("item_id", item_id)
        .with("session_id", session_id)
        .with("selected", json!([0]))
        .with("correct", true)
        .with("quality", 5)
        .with("confidence", 1)
        .with("time_taken_ms", 1)
        .with("hints_used", 0)
        .with("client_attempt_id", Uuid::now_v7())
        .with("device_type", "mobile")
        .with("app_version", "2.4.1")
        .with("ip_address", "2001:db8::1")
        .with("user_agent", "learndb-tests/1.0")
        .with("sm2_state_before", json!({"ef": 2.5, "interval": 1}))
        .with("sm2_state_after", json!({"ef": 2.6, "interval": 6}))
        .with("bkt_state_before", json!({"p_know": 0.4}))
        .with("bkt_state_after", json!({"p_know": 0.7}))
        .with("irt_ability_before", json!({"theta": 0.0}))
        .with("irt_ability_after", json!({"theta": 0.3}))
        .with("attempted_at", at(0))
        .with("created_at", at(0))
}
