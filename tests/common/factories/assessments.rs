//! Valid rows for the assessments group: every fresh copy is valid on its own, except for the
//! per-parent positions and numbers (`order_number`, `attempt_number`, `revision_number`), which
//! the caller gives.

use serde_json::json;
use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, at, dec, enum_value};

pub fn quiz(b: Backend, id: Uuid, lesson_id: Uuid) -> Row {
    Row::new("quizzes")
        .with("id", id)
        .with("lesson_id", lesson_id)
        .with("title", "Vowels check")
        .with("quiz_type", enum_value(b, "quiz_type", "formative"))
        .with("time_limit_minutes", 10)
        .with("passing_score_percentage", 70)
        .with("max_attempts", 3)
        .with("randomize_questions", true)
        .with("available_from", at(0))
        .with("available_until", at(168))
}

/// A question in a quiz. A question-bank item (every KG row) is this row
/// `.without("quiz_id").without("order_number")`.
pub fn question(b: Backend, id: Uuid, quiz_id: Uuid, order_number: i32) -> Row {
    Row::new("questions")
        .with("id", id)
        .with("quiz_id", quiz_id)
        .with(
            "question_type",
            enum_value(b, "question_type", "multiple_choice"),
        )
        .with("allow_multiple", false)
        .with("question_text", "Which handshape is the letter A?")
        .with("options", json!(["thumb", "index", "little finger"]))
        .with("correct_answer", json!("thumb"))
        .with("images", json!([]))
        .with("tags", json!(["vowels"]))
        .with("points", 2)
        .with("order_number", order_number)
        .with("difficulty", enum_value(b, "question_difficulty", "easy"))
        .with("subject_id", "sign-language")
        .with("alternative_answers", json!(["fist with thumb"]))
        .with("answer_index", json!([0]))
        .with("hints", json!(["Make a fist"]))
        .with("extra_properties", json!({"source": "kedge", "chapter": 1}))
}

pub fn quiz_submission(
    b: Backend,
    id: Uuid,
    quiz_id: Uuid,
    student_id: Uuid,
    enrollment_id: Uuid,
    attempt_number: i32,
    grader: Uuid,
) -> Row {
    Row::new("quiz_submissions")
        .with("id", id)
        .with("quiz_id", quiz_id)
        .with("student_id", student_id)
        .with("enrollment_id", enrollment_id)
        .with("attempt_number", attempt_number)
        .with("started_at", at(0))
        .with("submitted_at", at(1))
        .with("time_taken_seconds", 420)
        .with("score_percentage", dec("80.00"))
        .with("points_earned", dec("8.00"))
        .with("answers", json!({"q1": "thumb"}))
        .with("grading_status", enum_value(b, "grading_status", "graded"))
        .with("feedback", "Well done.")
        .with("graded_at", at(2))
        .with("graded_by", grader)
}

pub fn assignment(id: Uuid, lesson_id: Uuid) -> Row {
    Row::new("assignments")
        .with("id", id)
        .with("lesson_id", lesson_id)
        .with("title", "Fingerspell your name")
        .with(
            "instructions",
            "Record yourself fingerspelling your full name.",
        )
        .with("due_date", at(168))
        .with("late_submission_allowed", true)
        .with("late_penalty_percentage", 10)
        .with("max_points", 20)
        .with("allowed_file_types", json!(["mp4", "webm"]))
        .with("max_file_size_mb", 50)
        .with("rubric", json!({"clarity": 10, "accuracy": 10}))
}

pub fn assignment_submission(
    b: Backend,
    id: Uuid,
    assignment_id: Uuid,
    student_id: Uuid,
    enrollment_id: Uuid,
    revision_number: i32,
    grader: Uuid,
) -> Row {
    Row::new("assignment_submissions")
        .with("id", id)
        .with("assignment_id", assignment_id)
        .with("student_id", student_id)
        .with("enrollment_id", enrollment_id)
        .with("file_url", "https://cdn.example.com/name.mp4")
        .with("file_name", "name.mp4")
        .with("file_size_bytes", 5_000_000_000_i64)
        .with("submitted_at", at(100))
        .with("points_awarded", dec("18.50"))
        .with(
            "grading_status",
            enum_value(b, "assignment_grading_status", "graded"),
        )
        .with("graded_at", at(120))
        .with("graded_by", grader)
        .with("revision_number", revision_number)
}
