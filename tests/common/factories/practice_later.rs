//! Valid rows for module 20's two tables (SPEC-26-27 §26.3): unique values derive from the row's
//! id, so every fresh copy is valid on its own. A report is about a bank question and may name
//! the session it came from and the user who resolved it.

use serde_json::json;
use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, at, enum_value, short};

pub fn question_report(
    b: Backend,
    id: Uuid,
    question_id: Uuid,
    user_id: Uuid,
    session_id: Uuid,
    resolved_by: Uuid,
) -> Row {
    Row::new("question_reports")
        .with("id", id)
        .with("question_id", question_id)
        .with("user_id", user_id)
        .with("session_id", session_id)
        .with(
            "report_type",
            enum_value(b, "question_report_type", "wrong_answer"),
        )
        .with("reason", "The key says B; the worked answer says C.")
        .with("user_answer", "C")
        .with(
            "question_context",
            json!({"options": ["A", "B", "C"], "shownIndex": 3}),
        )
        .with(
            "status",
            enum_value(b, "question_report_status", "resolved"),
        )
        .with("resolved_by", resolved_by)
        .with("resolved_at", at(2))
        .with("resolution_note", "Answer key corrected")
}

pub fn system_config(id: Uuid) -> Row {
    Row::new("system_config")
        .with("id", id)
        .with("config_key", format!("practice.auto_advance.{}", short(id)))
        .with("config_value", json!({"enabled": true, "delayMs": 1500}))
        .with(
            "description",
            "Advance to the next question after a correct answer",
        )
}
