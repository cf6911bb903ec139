//! Valid rows for the courses group: unique values derive from the row's id, so every fresh copy
//! is valid on its own. Positions (`order_number`) are unique per parent, so the caller gives
//! them.

use serde_json::json;
use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, at, dec, enum_value, short};

pub fn course(b: Backend, id: Uuid, instructor_id: Uuid) -> Row {
    Row::new("courses")
        .with("id", id)
        .with("instructor_id", instructor_id)
        .with("title", "British Sign Language, level 1")
        .with(
            "description",
            "Fingerspelling, greetings and everyday signs.",
        )
        .with("slug", format!("bsl-1-{}", short(id)))
        .with("category", "languages")
        .with("difficulty", enum_value(b, "difficulty", "beginner"))
        .with("price", dec("49.99"))
        .with("currency", "GBP")
        .with("enrollment_limit", 100)
        .with("enrollment_count", 3)
        .with("average_rating", dec("4.50"))
        .with("total_reviews", 2)
        .with("status", enum_value(b, "course_status", "published"))
        .with("published_at", at(0))
        .with("thumbnail_url", "https://cdn.example.com/bsl-1.png")
}

pub fn course_module(id: Uuid, course_id: Uuid, order_number: i32) -> Row {
    Row::new("course_modules")
        .with("id", id)
        .with("course_id", course_id)
        .with("title", "Fingerspelling")
        .with("description", "The two-handed alphabet.")
        .with("order_number", order_number)
        .with("duration_minutes", 45)
}

pub fn lesson(b: Backend, id: Uuid, module_id: Uuid, order_number: i32) -> Row {
    Row::new("lessons")
        .with("id", id)
        .with("module_id", module_id)
        .with("title", "Vowels")
        .with("lesson_type", enum_value(b, "lesson_type", "video"))
        .with("content_url", "https://cdn.example.com/vowels.mp4")
        .with("duration_minutes", 12)
        .with("order_number", order_number)
        .with("is_preview", true)
        .with("metadata", json!({"captions": ["en"]}))
}
