//! Valid rows for the plugins group: unique values derive from the row's id, so every fresh copy
//! is valid on its own.

use serde_json::json;
use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, enum_value};

pub fn plugin(b: Backend, id: Uuid, installed_by: Uuid) -> Row {
    Row::new("plugins")
        .with("id", id)
        .with("name", format!("handshape-trainer-{}", id.simple()))
        .with("version", "1.2.0")
        .with("author", "StorySign")
        .with("manifest", json!({"entry": "main.js", "permissions": []}))
        .with("status", enum_value(b, "plugin_status", "active"))
        .with("installed_by", installed_by)
}

pub fn plugin_datum(id: Uuid, plugin_id: Uuid, user_id: Uuid) -> Row {
    Row::new("plugin_data")
        .with("id", id)
        .with("plugin_id", plugin_id)
        .with("user_id", user_id)
        .with("data_key", format!("progress.{}", id.simple()))
        .with("data_value", json!({"level": 3}))
}
