//! Valid rows for the progress group: unique values derive from the row's id, so every fresh copy
//! is valid on its own.

use serde_json::json;
use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, at, dec, enum_value, short};

pub fn practice_session(b: Backend, id: Uuid, user_id: Uuid, story_id: Uuid) -> Row {
    Row::new("practice_sessions")
        .with("id", id)
        .with("user_id", user_id)
        .with("session_type", enum_value(b, "session_type", "individual"))
        .with(
            "status",
            enum_value(b, "practice_session_status", "completed"),
        )
        .with("story_id", story_id)
        .with("strategy", enum_value(b, "practice_strategy", "adaptive"))
        .with("difficulty_level", enum_value(b, "difficulty", "beginner"))
        .with("skill_areas", json!(["fingerspelling"]))
        .with("total_items", 10)
        .with("completed_items", 10)
        .with("correct_items", 8)
        .with("overall_score", dec("0.8000"))
        .with("points_earned", 80)
        .with("time_limit_minutes", 30)
        .with("started_at", at(0))
        .with("completed_at", at(1))
        .with("duration_ms", 3_600_000_i64)
        .with("average_difficulty", dec("1.250"))
        .with("subject_id", "fingerspelling")
        .with("incorrect_items", 2)
        .with("skipped_items", 0)
        .with("auto_advance_delay", 0)
        .with("last_question_index", 9)
}

pub fn sentence_attempt(id: Uuid, session_id: Uuid, sentence_index: i32) -> Row {
    Row::new("sentence_attempts")
        .with("id", id)
        .with("session_id", session_id)
        .with("sentence_index", sentence_index)
        .with("attempt_number", 1)
        .with("target_sentence", "A crow sat on a branch.")
        .with("landmark_data", json!({"frames": [[0.1, 0.2]]}))
        .with("confidence_score", dec("0.9000"))
        .with("accuracy_score", dec("0.8500"))
        .with("fluency_score", dec("1.0000"))
        .with("attempted_at", at(0))
        .with("duration_ms", 1500)
        .with("is_successful", true)
        .with("video_start_frame", 10)
        .with("video_end_frame", 20)
}

pub fn user_progress(b: Backend, id: Uuid, user_id: Uuid) -> Row {
    Row::new("user_progress")
        .with("id", id)
        .with("user_id", user_id)
        .with("skill_area", format!("fingerspelling-{}", short(id)))
        .with("current_level", dec("3.50"))
        .with("experience_points", dec("120.50"))
        .with("total_practice_time", 3600)
        .with("total_sessions", 4)
        .with("total_attempts", 10)
        .with("successful_attempts", 7)
        .with("average_score", dec("0.8000"))
        .with("average_confidence", dec("0.7500"))
        .with("average_accuracy", dec("0.0000"))
        .with("average_fluency", dec("1.0000"))
        .with("milestones", json!([{"name": "first session"}]))
        .with("learning_streak", 3)
        .with("longest_streak", 5)
        .with("last_practice_date", at(0))
        .with(
            "current_difficulty",
            enum_value(b, "difficulty", "intermediate"),
        )
        .with("target_level", dec("10.00"))
        .with("weekly_goal_minutes", 60)
}
