//! Valid rows for the enrollments group: unique values derive from the row's id, so every fresh
//! copy is valid on its own. A student enrolls in a course once, so the caller picks the pair.

use serde_json::json;
use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, at, dec, enum_value, short};

/// A completed enrollment, without a payment (a free course).
pub fn enrollment(b: Backend, id: Uuid, student_id: Uuid, course_id: Uuid) -> Row {
    Row::new("enrollments")
        .with("id", id)
        .with("student_id", student_id)
        .with("course_id", course_id)
        .with("enrolled_at", at(0))
        .with("completed_at", at(48))
        .with("progress_percentage", dec("100.00"))
        .with("last_accessed_at", at(48))
        .with("status", enum_value(b, "enrollment_status", "completed"))
}

pub fn lesson_progress(b: Backend, id: Uuid, enrollment_id: Uuid, lesson_id: Uuid) -> Row {
    Row::new("lesson_progress")
        .with("id", id)
        .with("enrollment_id", enrollment_id)
        .with("lesson_id", lesson_id)
        .with("status", enum_value(b, "progress_status", "completed"))
        .with("time_spent_seconds", 600)
        .with("completed_at", at(1))
        .with("quiz_score", 85)
        .with("attempts_count", 2)
        .with("last_accessed_at", at(1))
}

pub fn certificate(id: Uuid, enrollment_id: Uuid) -> Row {
    let code = format!("CERT-{}", short(id));
    Row::new("certificates")
        .with("id", id)
        .with("enrollment_id", enrollment_id)
        .with("pdf_url", format!("https://cdn.example.com/{code}.pdf"))
        .with("issued_at", at(48))
        .with(
            "verification_url",
            format!("https://learn.example.com/verify/{code}"),
        )
        .with("metadata", json!({"grade": "distinction"}))
        .with("certificate_id", code)
}
