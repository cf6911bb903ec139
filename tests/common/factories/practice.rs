//! Valid rows for the practice group: unique values derive from the row's id, so every fresh copy
//! is valid on its own. Answers and mistakes refer to bank questions (`questions` rows without a
//! quiz, as every KG question is).

use serde_json::json;
use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, at, dec, enum_value, short};

pub fn knowledge_point(id: Uuid) -> Row {
    Row::new("knowledge_points")
        .with("id", id)
        .with("code", format!("math.algebra.{}", short(id)))
        .with("topic", "Algebra")
        .with("volume", "Volume 1")
        .with("unit", "Unit 2")
        .with("lesson", "Linear equations")
        .with("sub", "Solving for x")
        .with("subject_id", "math")
        .with("sort_index", 2)
}

pub fn knowledge_point_metadata(id: Uuid) -> Row {
    Row::new("knowledge_points_metadata")
        .with("id", id)
        .with("meta_key", format!("curriculum.version.{}", short(id)))
        .with("meta_value", json!({"version": 3, "grades": [7, 8]}))
        .with("description", "Curriculum the codes come from")
}

pub fn practice_strategy(b: Backend, id: Uuid) -> Row {
    Row::new("practice_strategies")
        .with("id", id)
        .with("name", format!("Weak spots {}", short(id)))
        .with("description", "Questions from the weakest knowledge points")
        .with(
            "strategy_type",
            enum_value(b, "practice_strategy_type", "WEAKNESS_REINFORCEMENT"),
        )
        .with("config", json!({"questionCount": 20, "minWeakness": 60}))
        .with("is_active", true)
        .with("priority", 2)
}

pub fn practice_answer(id: Uuid, session_id: Uuid, question_id: Uuid) -> Row {
    Row::new("practice_answers")
        .with("id", id)
        .with("session_id", session_id)
        .with("question_id", question_id)
        .with("user_answer", json!(["B"]))
        .with("is_correct", true)
        .with("time_spent_seconds", 0)
        .with("answered_at", at(1))
}

pub fn student_weakness(id: Uuid, user_id: Uuid, knowledge_point_id: Uuid) -> Row {
    Row::new("student_weaknesses")
        .with("id", id)
        .with("user_id", user_id)
        .with("knowledge_point_id", knowledge_point_id)
        .with("weakness_score", dec("100.00"))
        .with("total_attempts", 10)
        .with("correct_attempts", 10)
        .with("last_attempt_at", at(1))
        .with("improvement_trend", dec("-12.50"))
}

pub fn student_mistake(id: Uuid, user_id: Uuid, question_id: Uuid, session_id: Uuid) -> Row {
    Row::new("student_mistakes")
        .with("id", id)
        .with("user_id", user_id)
        .with("question_id", question_id)
        .with("practice_session_id", session_id)
        .with("mistake_count", 1)
        .with("last_mistake_at", at(1))
        .with("is_mastered", true)
        .with("mastered_at", at(48))
        .with("review_count", 0)
        .with("next_review_at", at(72))
}

pub fn attachment(id: Uuid, uploaded_by: Uuid) -> Row {
    Row::new("attachments")
        .with("id", id)
        .with("file_id", format!("file-{}", id.simple()))
        .with("file_extension", "png")
        .with("mime_type", "image/png")
        .with("file_path", format!("uploads/2026/01/{}.png", id.simple()))
        .with("file_size", 5_000_000_000_i64)
        .with(
            "file_hash",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        )
        .with("original_filename", "diagram.png")
        .with("uploaded_by", uploaded_by)
        .with("upload_purpose", "question_image")
        .with("metadata", json!({"width": 640, "height": 480}))
        .with("is_public", false)
        .with("access_count", 0)
        .with("last_accessed_at", at(2))
}
