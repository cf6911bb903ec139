//! Valid rows for the content group: unique values derive from the row's id, so every fresh copy
//! is valid on its own.

use serde_json::json;
use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, at, dec, enum_value, short};

pub fn story(b: Backend, id: Uuid, created_by: Uuid) -> Row {
    Row::new("stories")
        .with("id", id)
        .with("title", "The Fox and the Crow")
        .with("content", "A crow sat on a branch. A fox came by.")
        .with(
            "sentences",
            json!(["A crow sat on a branch.", "A fox came by."]),
        )
        .with(
            "difficulty_level",
            enum_value(b, "difficulty", "intermediate"),
        )
        .with("status", enum_value(b, "content_status", "published"))
        .with("is_public", true)
        .with("sentence_count", 2)
        .with("word_count", 10)
        .with("estimated_duration", 5)
        .with("avg_rating", dec("4.50"))
        .with("rating_count", 2)
        .with("practice_count", 7)
        .with("view_count", 40)
        .with("created_by", created_by)
        .with("published_at", at(0))
}

pub fn story_tag(id: Uuid, story_id: Uuid) -> Row {
    Row::new("story_tags")
        .with("id", id)
        .with("story_id", story_id)
        .with("tag_name", format!("animals-{}", short(id)))
        .with("tag_category", "theme")
        .with("weight", dec("1.50"))
}

pub fn story_version(b: Backend, id: Uuid, story_id: Uuid, changed_by: Uuid, number: i32) -> Row {
    Row::new("story_versions")
        .with("id", id)
        .with("story_id", story_id)
        .with("version_number", number)
        .with("title", "The Fox and the Crow")
        .with("content", "A crow sat on a branch.")
        .with("sentences", json!(["A crow sat on a branch."]))
        .with(
            "change_type",
            enum_value(b, "version_change_type", "create"),
        )
        .with("changed_by", changed_by)
        .with("is_current", true)
}

pub fn story_rating(id: Uuid, story_id: Uuid, user_id: Uuid) -> Row {
    Row::new("story_ratings")
        .with("id", id)
        .with("story_id", story_id)
        .with("user_id", user_id)
        .with("rating", 4)
        .with("review_text", "Clear signing.")
        .with("difficulty_rating", 1)
        .with("engagement_rating", 5)
        .with("educational_value_rating", 3)
}

pub fn content_approval(b: Backend, id: Uuid, story_id: Uuid, reviewer_id: Uuid) -> Row {
    Row::new("content_approvals")
        .with("id", id)
        .with("story_id", story_id)
        .with("reviewer_id", reviewer_id)
        .with("status", enum_value(b, "approval_status", "approved"))
        .with("content_quality_score", 4)
        .with("educational_value_score", 5)
        .with("technical_accuracy_score", 1)
        .with("reviewed_at", at(1))
}
