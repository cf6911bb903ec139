//! Valid rows for the users group: unique values derive from the row's id, so every fresh copy
//! is valid on its own.

use serde_json::json;
use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, at, enum_value};

pub fn user(b: Backend, id: Uuid) -> Row {
    Row::new("users")
        .with("id", id)
        .with("email", format!("u{}@example.com", id.simple()))
        .with("username", format!("user-{}", id.simple()))
        .with(
            "password_hash",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        )
        .with("role", enum_value(b, "role", "educator"))
        .with("content_role", enum_value(b, "content_role", "author"))
        .with("full_name", "Ada Lovelace")
        .with("country_code", "GB")
        .with("email_verified", true)
        .with("failed_login_attempts", 0)
        .with("login_count", 3)
        .with("last_login", at(0))
        .with("metadata", json!({"source": "ss"}))
        .with("class", "7B")
}

pub fn user_profile(b: Backend, id: Uuid, user_id: Uuid) -> Row {
    Row::new("user_profiles")
        .with("id", id)
        .with("user_id", user_id)
        .with("timezone", "Europe/London")
        .with("language", "en-GB")
        .with("skill_level", enum_value(b, "skill_level", "expert"))
        .with("interests", json!(["signing", "stories"]))
        .with("privacy_settings", json!({"profile": "private"}))
}

pub fn user_session(id: Uuid, user_id: Uuid) -> Row {
    Row::new("user_sessions")
        .with("id", id)
        .with("user_id", user_id)
        .with("session_token", format!("sha256:{}", id.simple()))
        .with("created_at", at(0))
        .with("expires_at", at(24))
        .with("ip_address", "192.0.2.1")
}

pub fn user_preference(id: Uuid, user_id: Uuid) -> Row {
    Row::new("user_preferences")
        .with("id", id)
        .with("user_id", user_id)
        .with("preference_key", format!("ui.theme.{}", id.simple()))
        .with("preference_value", json!({"theme": "dark"}))
}
