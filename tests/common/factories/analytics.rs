//! Valid rows for the analytics group. `course_analytics` and `student_analytics` are keyed by
//! their parent's id, so there is one row per course or user.

use serde_json::json;
use uuid::Uuid;

use crate::common::rows::{Row, at, dec};

pub fn course_analytics(course_id: Uuid, most_difficult_lesson_id: Uuid) -> Row {
    Row::new("course_analytics")
        .with("course_id", course_id)
        .with("total_enrollments", 10)
        .with("active_enrollments", 6)
        .with("completion_count", 4)
        .with("completion_rate", dec("40.00"))
        .with("average_rating", dec("4.50"))
        .with("total_revenue", dec("199.90"))
        .with("average_time_to_completion_days", 21)
        .with("dropout_rate", dec("10.00"))
        .with("most_difficult_lesson_id", most_difficult_lesson_id)
        .with("engagement_metrics", json!({"video_minutes": 320}))
}

pub fn student_analytics(user_id: Uuid) -> Row {
    Row::new("student_analytics")
        .with("user_id", user_id)
        .with("total_courses_enrolled", 3)
        .with("courses_completed", 1)
        .with("courses_in_progress", 2)
        .with("average_quiz_score", dec("87.50"))
        .with("total_time_invested_minutes", 600)
        .with("current_streak_days", 4)
        .with("longest_streak_days", 9)
        .with("badges_earned", json!(["first_course"]))
        .with("skill_ratings", json!({"fingerspelling": 3}))
}

pub fn analytics_event(id: Uuid, user_id: Uuid) -> Row {
    Row::new("analytics_events")
        .with("id", id)
        .with("user_id", user_id)
        .with("event_type", "lesson_viewed")
        .with("event_data", json!({"lesson": "intro", "seconds": 95}))
        .with("occurred_at", at(0))
}
