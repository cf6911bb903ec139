//! Valid rows for the activity group: unique values derive from the row's id or from the day it
//! is given, so every fresh copy is valid on its own.

use chrono::NaiveDate;
use serde_json::json;
use uuid::Uuid;

use crate::common::rows::{Row, at, dec};

pub fn user_activity(id: Uuid, user_id: Uuid) -> Row {
    Row::new("user_activities")
        .with("id", id)
        .with("user_id", user_id)
        .with("activity_type", "batch")
        .with("description", "Generated 12 lines from batch.csv")
        .with("ip_address", "2001:db8::1")
        .with("user_agent", "Mozilla/5.0 (X11; Linux x86_64)")
        .with("extra_data", json!({"lines": 12, "file": "batch.csv"}))
        .with("created_at", at(0))
}

/// The usage row of `user_id` for the day `day` days after 2026-01-01.
pub fn usage_statistic(id: Uuid, user_id: Uuid, day: i64) -> Row {
    Row::new("usage_statistics")
        .with("id", id)
        .with("user_id", user_id)
        .with("date", usage_day(day))
        .with("svg_generations", 40)
        .with("batch_generations", 3)
        .with("total_lines_generated", 120)
        .with("total_characters_generated", 5_000_000_000_i64)
        .with("total_processing_time", dec("93.125"))
}

/// The UTC day `day` days after 2026-01-01.
pub fn usage_day(day: i64) -> NaiveDate {
    at(day * 24).date_naive()
}
