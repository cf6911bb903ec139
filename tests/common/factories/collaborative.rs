//! Valid rows for the collaborative group: unique values derive from the row's id, so every fresh copy
//! is valid on its own.

use serde_json::json;
use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, at, dec, enum_value, short};

pub fn learning_group(b: Backend, id: Uuid, creator_id: Uuid) -> Row {
    Row::new("learning_groups")
        .with("id", id)
        .with("name", "Evening signers")
        .with("creator_id", creator_id)
        .with(
            "privacy_level",
            enum_value(b, "group_privacy_level", "invite_only"),
        )
        .with("join_code", format!("j-{}", short(id)))
        .with("max_members", 30)
        .with("difficulty_level", enum_value(b, "difficulty", "advanced"))
        .with("tags", json!(["bsl"]))
        .with("total_sessions", 2)
        .with("last_activity_at", at(0))
}

pub fn group_membership(b: Backend, id: Uuid, group_id: Uuid, user_id: Uuid, by: Uuid) -> Row {
    Row::new("group_memberships")
        .with("id", id)
        .with("group_id", group_id)
        .with("user_id", user_id)
        .with("role", enum_value(b, "group_role", "moderator"))
        .with("joined_at", at(0))
        .with("left_at", at(0))
        .with("invited_by", by)
        .with("approved_by", by)
        .with("approved_at", at(0))
        .with(
            "data_sharing_level",
            enum_value(b, "data_sharing_level", "detailed"),
        )
}

pub fn collaborative_session(b: Backend, id: Uuid, host: Uuid, group: Uuid, story: Uuid) -> Row {
    Row::new("collaborative_sessions")
        .with("id", id)
        .with("session_name", "Fox and Crow together")
        .with("host_id", host)
        .with("group_id", group)
        .with("story_id", story)
        .with("session_config", json!({"turns": "round_robin"}))
        .with("participant_ids", json!([host.to_string()]))
        .with("max_participants", 8)
        .with("scheduled_start", at(24))
        .with("scheduled_end", at(24))
        .with(
            "status",
            enum_value(b, "collaborative_session_status", "scheduled"),
        )
        .with("difficulty_level", enum_value(b, "difficulty", "beginner"))
}

pub fn group_analytics(b: Backend, id: Uuid, group_id: Uuid, week: i64) -> Row {
    Row::new("group_analytics")
        .with("id", id)
        .with("group_id", group_id)
        .with("period_start", at(week * 168))
        .with("period_end", at(week * 168 + 168))
        .with(
            "period_type",
            enum_value(b, "analytics_period_type", "weekly"),
        )
        .with("total_members", 10)
        .with("active_members", 10)
        .with("total_sessions", 5)
        .with("collaborative_sessions", 5)
        .with("total_practice_time", 3600)
        .with("average_group_score", dec("0.7500"))
        .with("average_completion_rate", dec("1.0000"))
        .with("skill_progress", json!({"fingerspelling": 0.5}))
        .with("peer_feedback_count", 4)
        .with("group_interactions", 12)
}
