//! Valid rows for the communication group: every fresh copy is valid on its own (the group has
//! no unique keys).

use serde_json::json;
use uuid::Uuid;

use crate::common::rows::{Row, at};

/// A reply-less message from `sender_id` to `recipient_id`, read an hour after it was sent.
pub fn message(id: Uuid, sender_id: Uuid, recipient_id: Uuid) -> Row {
    Row::new("messages")
        .with("id", id)
        .with("sender_id", sender_id)
        .with("recipient_id", recipient_id)
        .with("conversation_id", sender_id)
        .with("subject", "Homework")
        .with("content", "Could you look at my fingerspelling video?")
        .with("attachments", json!([{"name": "clip.mp4", "size": 1024}]))
        .with("is_read", true)
        .with("read_at", at(1))
        .with("deleted_by_sender", at(2))
}

pub fn discussion_thread(id: Uuid, course_id: Uuid, author_id: Uuid) -> Row {
    Row::new("discussion_threads")
        .with("id", id)
        .with("course_id", course_id)
        .with("author_id", author_id)
        .with("category", "questions")
        .with("title", "Two-handed alphabet: which hand leads?")
        .with("content", "The videos seem to disagree.")
        .with("is_pinned", true)
        .with("view_count", 12)
        .with("reply_count", 3)
        .with("last_activity_at", at(0))
}

pub fn discussion_post(id: Uuid, thread_id: Uuid, author_id: Uuid) -> Row {
    Row::new("discussion_posts")
        .with("id", id)
        .with("thread_id", thread_id)
        .with("author_id", author_id)
        .with("content", "The dominant hand does the moving.")
        .with("upvote_count", 2)
        .with("is_solution", true)
        .with("edited_at", at(1))
        .with("edit_history", json!([{"at": "2026-01-01T00:00:00Z"}]))
}

pub fn announcement(id: Uuid, course_id: Uuid, educator_id: Uuid) -> Row {
    Row::new("announcements")
        .with("id", id)
        .with("course_id", course_id)
        .with("educator_id", educator_id)
        .with("title", "Live session moved")
        .with("content", "Thursday's live session starts an hour later.")
        .with("scheduled_for", at(24))
        .with("published_at", at(24))
}
