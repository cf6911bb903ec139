//! StorySign (`ss`) on MySQL, MariaDB or TiDB: its 17 in-scope tables (12 from its DDL files,
//! 5 ORM content tables read by SPEC §4's names), in the order of SPEC-26-27 §27.5. Ids are
//! `CHAR(36)`: kept when they parse as a uuid (any case), re-minted otherwise; JSON arrives as
//! text (LONGTEXT) and must parse; `tinyint(1)` booleans other than 0/1 are `lossy_value`.
//! Columns map by [`generic::same`]; this module says what §27.7 adds.

use std::collections::HashMap;

use entity::generated::sea_orm_active_enums::Role;
use entity::generated::{
    collaborative_sessions, content_approvals, group_analytics, group_memberships, learning_groups,
    plugin_data, plugins, practice_sessions, sentence_attempts, stories, story_ratings, story_tags,
    story_versions, user_preferences, user_profiles, user_progress, user_sessions, users,
};
use migration::sea_orm::{ColumnTrait, Condition, Value};
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};

use super::ImportError;
use super::engine::{Conflict, Import, Out, Reject, Root, Step, run_step};
use super::generic::{self, Shape, Table, canonical_key, model};
use super::row::{Fields, derived_key, out_of, redacted};
use super::source::{SourceDb, SourceRow};
use super::users::{Book, USER_TARGET_WINS, language, preferences_step};

const ORDER: &str = "t.created_at IS NULL, t.created_at, t.id";

/// SS's 17 tables with every column its DDL (and SPEC §4 for the ORM tables) gives them.
pub const KNOWN: &[(&str, &[&str])] = &[
    (
        "users",
        &[
            "id",
            "email",
            "username",
            "password_hash",
            "first_name",
            "last_name",
            "is_active",
            "is_verified",
            "verification_token",
            "reset_token",
            "reset_token_expires",
            "last_login",
            "login_count",
            "preferences",
            "metadata",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "user_profiles",
        &[
            "id",
            "user_id",
            "avatar_url",
            "bio",
            "location",
            "timezone",
            "language",
            "skill_level",
            "learning_goals",
            "interests",
            "accessibility_settings",
            "privacy_settings",
            "notification_settings",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "user_sessions",
        &[
            "id",
            "user_id",
            "session_token",
            "expires_at",
            "ip_address",
            "user_agent",
            "is_active",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "stories",
        &[
            "id",
            "title",
            "description",
            "content",
            "sentences",
            "language",
            "content_type",
            "difficulty_level",
            "learning_objectives",
            "skill_areas",
            "story_metadata",
            "status",
            "is_public",
            "is_featured",
            "sentence_count",
            "word_count",
            "estimated_duration",
            "avg_rating",
            "rating_count",
            "practice_count",
            "view_count",
            "created_by",
            "published_at",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "story_tags",
        &[
            "id",
            "story_id",
            "tag_name",
            "tag_category",
            "tag_value",
            "is_system_tag",
            "weight",
            "created_at",
        ],
    ),
    (
        "story_versions",
        &[
            "id",
            "story_id",
            "version_number",
            "title",
            "description",
            "content",
            "sentences",
            "version_metadata",
            "change_summary",
            "change_type",
            "changed_by",
            "is_current",
            "created_at",
        ],
    ),
    (
        "story_ratings",
        &[
            "id",
            "story_id",
            "user_id",
            "rating",
            "review_text",
            "difficulty_rating",
            "engagement_rating",
            "educational_value_rating",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "content_approvals",
        &[
            "id",
            "story_id",
            "reviewer_id",
            "status",
            "review_notes",
            "content_quality_score",
            "educational_value_score",
            "technical_accuracy_score",
            "reviewed_at",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "practice_sessions",
        &[
            "id",
            "user_id",
            "story_id",
            "session_type",
            "session_name",
            "session_data",
            "story_content",
            "overall_score",
            "sentences_completed",
            "total_sentences",
            "started_at",
            "completed_at",
            "duration_seconds",
            "performance_metrics",
            "status",
            "difficulty_level",
            "skill_areas",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "sentence_attempts",
        &[
            "id",
            "session_id",
            "sentence_index",
            "target_sentence",
            "landmark_data",
            "gesture_sequence",
            "confidence_score",
            "accuracy_score",
            "fluency_score",
            "ai_feedback",
            "suggestions",
            "detected_errors",
            "attempted_at",
            "duration_ms",
            "attempt_number",
            "is_successful",
            "video_start_frame",
            "video_end_frame",
        ],
    ),
    (
        "user_progress",
        &[
            "id",
            "user_id",
            "skill_area",
            "skill_category",
            "current_level",
            "experience_points",
            "total_practice_time",
            "total_sessions",
            "total_attempts",
            "successful_attempts",
            "average_score",
            "average_confidence",
            "average_accuracy",
            "average_fluency",
            "milestones",
            "learning_streak",
            "longest_streak",
            "last_practice_date",
            "current_difficulty",
            "target_level",
            "weekly_goal_minutes",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "learning_groups",
        &[
            "id",
            "name",
            "description",
            "creator_id",
            "privacy_level",
            "is_public",
            "join_code",
            "max_members",
            "requires_approval",
            "skill_focus",
            "difficulty_level",
            "learning_goals",
            "tags",
            "language",
            "timezone",
            "last_activity_at",
            "total_sessions",
            "is_active",
            "archived_at",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "group_memberships",
        &[
            "id",
            "group_id",
            "user_id",
            "role",
            "is_active",
            "joined_at",
            "left_at",
            "invited_by",
            "approved_by",
            "approved_at",
            "data_sharing_level",
            "share_progress",
            "share_performance",
            "share_practice_sessions",
            "allow_peer_feedback",
            "notify_new_sessions",
            "notify_group_updates",
            "notify_peer_achievements",
            "custom_role_name",
            "member_notes",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "collaborative_sessions",
        &[
            "id",
            "session_name",
            "description",
            "host_id",
            "group_id",
            "story_id",
            "story_content",
            "session_config",
            "participant_ids",
            "max_participants",
            "scheduled_start",
            "scheduled_end",
            "actual_start",
            "actual_end",
            "status",
            "session_data",
            "performance_summary",
            "allow_peer_feedback",
            "enable_voice_chat",
            "enable_text_chat",
            "record_session",
            "is_public",
            "requires_approval",
            "difficulty_level",
            "skill_focus",
            "tags",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "group_analytics",
        &[
            "id",
            "group_id",
            "period_start",
            "period_end",
            "period_type",
            "total_members",
            "active_members",
            "total_sessions",
            "collaborative_sessions",
            "total_practice_time",
            "average_group_score",
            "average_completion_rate",
            "skill_progress",
            "peer_feedback_count",
            "group_interactions",
            "milestones_achieved",
            "group_achievements",
            "anonymized_data",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "plugins",
        &[
            "id",
            "name",
            "version",
            "description",
            "author",
            "manifest",
            "status",
            "installed_by",
            "error_message",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "plugin_data",
        &[
            "id",
            "plugin_id",
            "user_id",
            "data_key",
            "data_value",
            "created_at",
            "updated_at",
        ],
    ),
];

/// The tables of SS's nine further migration files and the superseded content DDL, and its
/// history table: skipped, counted.
pub const SKIPPED: &[&str] = &["migration_history", "lessons", "vocabulary"];

pub const REQUIRED: &[(&str, &str)] = &[("users", "id"), ("users", "email"), ("users", "username")];

pub const SIGNATURE: &[&str] = &["users", "user_profiles", "practice_sessions"];

pub const PARENTS: &[&str] = &[
    "users",
    "user_profiles",
    "stories",
    "practice_sessions",
    "learning_groups",
    "plugins",
];

fn table<E: migration::sea_orm::EntityTrait>(source: &'static str) -> Table<E> {
    Table {
        source,
        order: ORDER,
        natural: None,
        self_ref: None,
        renames: &[],
        json_text: true,
        key: "id",
    }
}

/// The newest non-NULL value per column of one user's profiles (§27.7: SS allowed several).
type Combined = HashMap<String, (String, serde_json::Map<String, Json>)>;

pub async fn import(
    imp: &mut Import,
    root: &Root<'_>,
    src: &SourceDb,
    batch: usize,
    merge_unverified: bool,
) -> Result<(), ImportError> {
    let source = imp.run.source.clone();
    let started = imp.run.started;
    let read = root.begin().await?;
    let mut book = Book::read(&read).await?;
    drop(read);

    let users_step = Step {
        entity: users::Entity,
        source_table: "users",
        order: ORDER,
        primary: true,
        natural: Some(|m: &users::Model| {
            m.email
                .as_ref()
                .map(|e| Condition::all().add(users::Column::Email.eq(e.clone())))
        }),
        never_fill: USER_TARGET_WINS,
    };
    let shape = Shape {
        source_table: "users",
        renames: &[
            ("email_verified", "is_verified"),
            ("password_reset_expires", "reset_token_expires"),
        ],
        parents: &[],
        self_ref: None,
        json_text: true,
    };
    run_step(imp, root, src, &users_step, "users", batch, |row, imp| {
        let f = Fields::new(row);
        let key = canonical_key(&f.text("id").unwrap_or_default());
        vec![out_of(&f, key.clone(), |f, c| {
            let own = imp.mapped("users", &key);
            let raw = f.text("email");
            let mut set: Vec<(&'static str, Value)> = Vec::new();
            let (email, merge_into) =
                book.settle_email(raw.clone(), &key, own, false, merge_unverified, c);
            if let Some(target) = merge_into {
                set.push(("id", target.into()));
            }
            let username = book.username(
                f.text("username").as_deref(),
                email.is_some(),
                &source,
                &key,
                own,
                c,
            );
            let expires = f.time("reset_token_expires")?;
            let token = f
                .text("reset_token")
                .filter(|_| expires.is_some_and(|t| t.to_utc() > started));
            set.extend([
                ("email", Value::String(email)),
                ("username", Value::String(username)),
                ("password_reset_token", Value::String(token)),
                ("role", Role::Student.into()),
                ("mfa_enabled", false.into()),
                ("failed_login_attempts", 0_i32.into()),
                ("gdpr_consent", false.into()),
            ]);
            let mut pending = false;
            model::<users::Entity>(f, imp, c, &shape, &key, &set, &mut pending)
        })]
    })
    .await?;
    run_step(
        imp,
        root,
        src,
        &preferences_step(ORDER),
        "users→user_preferences",
        batch,
        preferences,
    )
    .await?;

    // user_profiles: a user's profiles become one (newest non-NULL value per column by
    // updated_at); the newest keeps its id, the others merge into it (§27.7).
    let mut combined: Combined = HashMap::new();
    src.scan(
        "user_profiles",
        "t.updated_at IS NULL, t.updated_at DESC, t.id",
        |r| {
            let f = Fields::new(r);
            let user = canonical_key(&f.text("user_id").unwrap_or_default());
            let entry = combined.entry(user).or_insert_with(|| {
                (
                    canonical_key(&f.text("id").unwrap_or_default()),
                    serde_json::Map::new(),
                )
            });
            for (k, v) in r.iter() {
                if !v.is_null() && !entry.1.contains_key(k) {
                    entry.1.insert(k.clone(), v.clone());
                }
            }
        },
    )
    .await?;
    let profile_step = Step {
        entity: user_profiles::Entity,
        source_table: "user_profiles",
        order: ORDER,
        primary: true,
        natural: Some(|m: &user_profiles::Model| {
            Some(Condition::all().add(user_profiles::Column::UserId.eq(m.user_id)))
        }),
        never_fill: &[],
    };
    let profile_shape = Shape {
        source_table: "user_profiles",
        renames: &[("notification_preferences", "notification_settings")],
        parents: &[],
        self_ref: None,
        json_text: true,
    };
    // One profile per batch: a user's second profile merges into the first, which must be
    // written before it is looked up.
    run_step(
        imp,
        root,
        src,
        &profile_step,
        "user_profiles",
        1,
        |row, imp| {
            let f = Fields::new(row);
            let key = canonical_key(&f.text("id").unwrap_or_default());
            let user = canonical_key(&f.text("user_id").unwrap_or_default());
            let (newest, values) = combined
                .get(&user)
                .cloned()
                .unwrap_or_else(|| (key.clone(), row.clone()));
            let merged_row = values;
            let g = Fields::new(&merged_row);
            let mut out = out_of(&f, key.clone(), |_, c| {
                let mut set: Vec<(&'static str, Value)> = vec![
                    (
                        "language",
                        language(g.text("language").as_deref(), c).into(),
                    ),
                    (
                        "timezone",
                        g.text("timezone").unwrap_or_else(|| "UTC".into()).into(),
                    ),
                ];
                if newest != key {
                    // Not the newest: the same combined row, under the newest's id (merged).
                    if let super::engine::Parent::Found(id) = imp.parent("user_profiles", &newest) {
                        set.push(("id", id.into()));
                    }
                }
                for (col, default) in [
                    ("privacy_settings", json!({})),
                    ("notification_settings", json!({})),
                ] {
                    if g.text(col).is_none() {
                        let target = if col == "notification_settings" {
                            "notification_preferences"
                        } else {
                            col
                        };
                        set.push((target, Value::Json(Some(Box::new(default)))));
                    }
                }
                let mut pending = false;
                model::<user_profiles::Entity>(
                    &g,
                    imp,
                    c,
                    &profile_shape,
                    &newest,
                    &set,
                    &mut pending,
                )
            });
            out.key = key;
            vec![out]
        },
    )
    .await?;

    let token = |f: &Fields,
                 _: &Import,
                 _: &mut Vec<Conflict>|
     -> Result<Vec<(&'static str, Value)>, Reject> {
        // §3 stores the token's hash, never the token.
        let hashed = f
            .text("session_token")
            .map(|t| super::canon::hex(&Sha256::digest(t.as_bytes())));
        Ok(vec![("session_token", Value::String(hashed))])
    };
    generic::same::<user_sessions::Entity, _>(imp, root, src, batch, table("user_sessions"), token)
        .await?;
    generic::same::<stories::Entity, _>(imp, root, src, batch, table("stories"), |_, _, _| {
        Ok(vec![])
    })
    .await?;
    let mut tags = table::<story_tags::Entity>("story_tags");
    tags.natural = Some(|m: &story_tags::Model| {
        Some(
            Condition::all()
                .add(story_tags::Column::StoryId.eq(m.story_id))
                .add(story_tags::Column::TagName.eq(m.tag_name.clone())),
        )
    });
    generic::same::<story_tags::Entity, _>(imp, root, src, batch, tags, |_, _, _| Ok(vec![]))
        .await?;
    generic::same::<story_versions::Entity, _>(
        imp,
        root,
        src,
        batch,
        table("story_versions"),
        |_, _, _| Ok(vec![]),
    )
    .await?;
    let mut ratings = table::<story_ratings::Entity>("story_ratings");
    ratings.natural = Some(|m: &story_ratings::Model| {
        Some(
            Condition::all()
                .add(story_ratings::Column::StoryId.eq(m.story_id))
                .add(story_ratings::Column::UserId.eq(m.user_id)),
        )
    });
    generic::same::<story_ratings::Entity, _>(imp, root, src, batch, ratings, |_, _, _| Ok(vec![]))
        .await?;
    generic::same::<content_approvals::Entity, _>(
        imp,
        root,
        src,
        batch,
        table("content_approvals"),
        |_, _, _| Ok(vec![]),
    )
    .await?;

    let mut sessions = table::<practice_sessions::Entity>("practice_sessions");
    sessions.renames = &[
        ("total_items", "total_sentences"),
        ("completed_items", "sentences_completed"),
    ];
    generic::same::<practice_sessions::Entity, _>(imp, root, src, batch, sessions, |f, _, _| {
        let duration = f.int("duration_seconds")?.map(|s| i64::from(s) * 1000);
        Ok(vec![
            ("duration_ms", Value::BigInt(duration)),
            (
                "completed_items",
                f.int("sentences_completed")?.unwrap_or(0).into(),
            ),
            ("correct_items", 0_i32.into()),
            ("incorrect_items", 0_i32.into()),
            ("skipped_items", 0_i32.into()),
        ])
    })
    .await?;
    let mut attempts = table::<sentence_attempts::Entity>("sentence_attempts");
    // No created_at: attempted_at becomes it, and orders the rows (§27.5).
    attempts.order = "t.attempted_at IS NULL, t.attempted_at, t.id";
    generic::same::<sentence_attempts::Entity, _>(imp, root, src, batch, attempts, |f, _, _| {
        let at = f
            .time("attempted_at")?
            .unwrap_or_else(|| started.fixed_offset());
        Ok(vec![("created_at", at.into())])
    })
    .await?;
    let mut progress = table::<user_progress::Entity>("user_progress");
    progress.natural = Some(|m: &user_progress::Model| {
        Some(
            Condition::all()
                .add(user_progress::Column::UserId.eq(m.user_id))
                .add(user_progress::Column::SkillArea.eq(m.skill_area.clone())),
        )
    });
    generic::same::<user_progress::Entity, _>(imp, root, src, batch, progress, |_, _, _| {
        Ok(vec![])
    })
    .await?;
    generic::same::<learning_groups::Entity, _>(
        imp,
        root,
        src,
        batch,
        table("learning_groups"),
        |_, _, _| Ok(vec![]),
    )
    .await?;
    let mut members = table::<group_memberships::Entity>("group_memberships");
    members.natural = Some(|m: &group_memberships::Model| {
        Some(
            Condition::all()
                .add(group_memberships::Column::GroupId.eq(m.group_id))
                .add(group_memberships::Column::UserId.eq(m.user_id)),
        )
    });
    generic::same::<group_memberships::Entity, _>(imp, root, src, batch, members, |_, _, _| {
        Ok(vec![])
    })
    .await?;
    generic::same::<collaborative_sessions::Entity, _>(
        imp,
        root,
        src,
        batch,
        table("collaborative_sessions"),
        |f, imp, c| {
            // participant_ids: each element through the users map (§27.4), as parsed JSON text.
            let ids = match f.json("participant_ids") {
                Some(Json::String(text)) => serde_json::from_str::<Json>(&text).ok(),
                other => other,
            };
            let Some(Json::Array(items)) = ids else {
                return Ok(vec![]);
            };
            let mut out = Vec::new();
            for item in items {
                let key = canonical_key(item.as_str().unwrap_or_default());
                match super::row::resolve(imp, "users", &key) {
                    Some(id) => out.push(json!(id.to_string())),
                    None => c.push(Conflict::new(
                        "dangling_array_element",
                        Some("participant_ids"),
                        Some(item.clone()),
                        "dropped",
                    )),
                }
            }
            Ok(vec![(
                "participant_ids",
                Value::Json(Some(Box::new(Json::Array(out)))),
            )])
        },
    )
    .await?;
    generic::same::<group_analytics::Entity, _>(
        imp,
        root,
        src,
        batch,
        table("group_analytics"),
        |_, _, _| Ok(vec![]),
    )
    .await?;
    let mut plugin_table = table::<plugins::Entity>("plugins");
    plugin_table.natural = Some(|m: &plugins::Model| {
        Some(Condition::all().add(plugins::Column::Name.eq(m.name.clone())))
    });
    generic::same::<plugins::Entity, _>(imp, root, src, batch, plugin_table, |_, _, _| Ok(vec![]))
        .await?;
    let mut data = table::<plugin_data::Entity>("plugin_data");
    data.natural = Some(|m: &plugin_data::Model| {
        Some(
            Condition::all()
                .add(plugin_data::Column::PluginId.eq(m.plugin_id))
                .add(match m.user_id {
                    Some(u) => plugin_data::Column::UserId.eq(u),
                    None => plugin_data::Column::UserId.is_null(),
                })
                .add(plugin_data::Column::DataKey.eq(m.data_key.clone())),
        )
    });
    generic::same::<plugin_data::Entity, _>(imp, root, src, batch, data, |_, _, _| Ok(vec![]))
        .await?;
    Ok(())
}

/// users.preferences (JSON text) → one user_preferences row per top-level key. Text that does
/// not parse rejects only the derived rows, as `<id>#pref:*` (§27.9); the user is imported.
fn preferences(row: &SourceRow, imp: &Import) -> Vec<Out<user_preferences::Model>> {
    let f = Fields::new(row);
    let user_key = canonical_key(&f.text("id").unwrap_or_default());
    let parsed = match f.json("preferences") {
        None | Some(Json::Null) => return Vec::new(),
        Some(Json::String(text)) => serde_json::from_str::<Json>(&text).map_err(|e| e.to_string()),
        Some(other) => Ok(other),
    };
    let value = match parsed {
        Ok(v) => v,
        Err(e) => {
            return vec![Out {
                key: derived_key(&user_key, "pref", "*"),
                source_hash: super::canon::hash(
                    &json!({"user": user_key, "preferences": f.json("preferences")}),
                ),
                source_row: redacted(row),
                model: Err(Reject::new("invalid_json", "preferences", e)),
                conflicts: Vec::new(),
                pending: false,
            }];
        }
    };
    let mut normal = row.clone();
    normal.insert("id".into(), json!(user_key));
    normal.insert("preferences".into(), value);
    super::users::preferences(&normal, imp, "preferences")
}
