//! The adaptive learning platform (`al`): users (with their profile and preferences), items,
//! sessions → practice_sessions and attempts (read through the partitioned parent), in the
//! order of SPEC-26-27 §27.5, each mapped by §27.7–§27.9. Its 16 other tables are out of
//! scope: skipped and counted.

use entity::generated::sea_orm_active_enums::{
    ContentRole, ItemStatus, PracticeSessionStatus, QuestionType, Role, SessionType, SkillLevel,
};
use entity::generated::{attempts, items, practice_sessions, user_profiles, users};
use migration::sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbBackend, Statement};
use serde_json::{Value as Json, json};

use super::ImportError;
use super::engine::{Import, Out, Reject, Root, Step, run_step};
use super::row::{Fields, enum_value, out_of, redacted};
use super::source::{SourceDb, SourceRow};
use super::users::{Book, language, preferences, preferences_step, user_base, users_step};

/// The four in-scope tables with every column AL's migrations 0001–0005 give them.
pub const KNOWN: &[(&str, &[&str])] = &[
    (
        "users",
        &[
            "id",
            "email",
            "email_verified",
            "hashed_password",
            "country_code",
            "timezone",
            "language",
            "preferences",
            "user_role",
            "mfa_enabled",
            "mfa_secret",
            "failed_login_attempts",
            "locked_until",
            "password_changed_at",
            "gdpr_consent",
            "gdpr_consent_date",
            "data_retention_until",
            "created_at",
            "updated_at",
            "last_active_at",
            "is_active",
        ],
    ),
    (
        "items",
        &[
            "id",
            "slug",
            "content",
            "choices",
            "correct",
            "explanation",
            "difficulty",
            "discrimination",
            "guessing",
            "topics",
            "jurisdictions",
            "item_type",
            "cognitive_level",
            "media_refs",
            "external_refs",
            "estimated_time",
            "points",
            "tags",
            "version",
            "status",
            "created_by",
            "reviewed_by",
            "approved_by",
            "published_at",
            "usage_count",
            "avg_response_time",
            "success_rate",
            "created_at",
            "updated_at",
            "is_active",
        ],
    ),
    (
        "sessions",
        &[
            "id",
            "user_id",
            "session_type",
            "start_time",
            "end_time",
            "items_attempted",
            "correct_count",
            "total_time_ms",
            "device_type",
            "app_version",
            "topics_practiced",
            "average_difficulty",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "attempts",
        &[
            "id",
            "user_id",
            "item_id",
            "session_id",
            "selected",
            "correct",
            "quality",
            "confidence",
            "time_taken_ms",
            "hints_used",
            "client_attempt_id",
            "device_type",
            "app_version",
            "ip_address",
            "user_agent",
            "sm2_state_before",
            "sm2_state_after",
            "bkt_state_before",
            "bkt_state_after",
            "irt_ability_before",
            "irt_ability_after",
            "timestamp",
            "created_at",
        ],
    ),
];

/// Out of scope and history (§27.2): skipped, their rows counted.
pub const SKIPPED: &[&str] = &[
    "migration_history",
    "oauth_providers",
    "refresh_tokens",
    "item_versions",
    "content_reviews",
    "skill_mastery",
    "user_scheduler_state",
    "placement_tests",
    "learning_goals",
    "user_activity",
    "item_analytics",
    "topic_analytics",
    "user_engagement",
    "system_metrics",
    "ab_test_results",
    "bkt_states",
    "sm2_states",
];

pub const REQUIRED: &[(&str, &str)] = &[
    ("users", "id"),
    ("users", "email"),
    ("items", "slug"),
    ("items", "content"),
    ("items", "choices"),
    ("items", "correct"),
    ("sessions", "user_id"),
    ("sessions", "session_type"),
    ("attempts", "user_id"),
    ("attempts", "item_id"),
    ("attempts", "session_id"),
    ("attempts", "selected"),
    ("attempts", "correct"),
    ("attempts", "time_taken_ms"),
    ("attempts", "client_attempt_id"),
];

pub const SIGNATURE: &[&str] = &["users", "items", "sessions", "attempts"];

const ORDER_ID: &str = "t.created_at ASC NULLS LAST, t.id";

pub async fn import(
    imp: &mut Import,
    root: &Root<'_>,
    src: &SourceDb,
    batch: usize,
    merge_unverified: bool,
) -> Result<(), ImportError> {
    let source = imp.run.source.clone();
    let read = root.begin().await?;
    let mut book = Book::read(&read).await?;
    drop(read);

    run_step(
        imp,
        root,
        src,
        &users_step(ORDER_ID),
        "users",
        batch,
        |row, imp| vec![user(row, imp, &source, &mut book, merge_unverified)],
    )
    .await?;
    let profile_step = Step {
        entity: user_profiles::Entity,
        source_table: "users",
        order: ORDER_ID,
        primary: false,
        natural: Some(|m: &user_profiles::Model| {
            Some(Condition::all().add(user_profiles::Column::UserId.eq(m.user_id)))
        }),
        never_fill: &[],
    };
    run_step(
        imp,
        root,
        src,
        &profile_step,
        "users→user_profiles",
        batch,
        |row, imp| vec![profile(row, imp)],
    )
    .await?;
    run_step(
        imp,
        root,
        src,
        &preferences_step(ORDER_ID),
        "users→user_preferences",
        batch,
        |row, imp| preferences(row, imp, "preferences"),
    )
    .await?;

    let step = Step {
        entity: items::Entity,
        source_table: "items",
        order: ORDER_ID,
        primary: true,
        natural: None,
        never_fill: &[],
    };
    run_step(imp, root, src, &step, "items", batch, |row, imp| {
        vec![item(row, imp)]
    })
    .await?;

    let step = Step {
        entity: practice_sessions::Entity,
        source_table: "sessions",
        order: ORDER_ID,
        primary: true,
        natural: None,
        never_fill: &[],
    };
    run_step(
        imp,
        root,
        src,
        &step,
        "sessions→practice_sessions",
        batch,
        |row, imp| vec![session(row, imp)],
    )
    .await?;

    // PostgreSQL: every year's partition exists before its attempts are written (§27.13).
    let backend = root.begin().await?;
    if backend.get_database_backend() == DbBackend::Postgres {
        for year in src.years("attempts", "created_at").await? {
            backend
                .execute_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!("SELECT ensure_attempts_partition({year})"),
                ))
                .await
                .map_err(|e| ImportError::db("creating an attempts partition", &e))?;
        }
    }
    migration::sea_orm::TransactionSession::commit(backend)
        .await
        .map_err(|e| ImportError::db("creating an attempts partition", &e))?;
    let step = Step {
        entity: attempts::Entity,
        source_table: "attempts",
        order: "t.created_at ASC, t.id",
        primary: true,
        // An idempotency key names one attempt: the same key for the same user, item and
        // session is that attempt (§27.10).
        natural: Some(|m: &attempts::Model| {
            Some(
                Condition::all()
                    .add(attempts::Column::ClientAttemptId.eq(m.client_attempt_id))
                    .add(attempts::Column::UserId.eq(m.user_id))
                    .add(attempts::Column::ItemId.eq(m.item_id))
                    .add(attempts::Column::SessionId.eq(m.session_id)),
            )
        }),
        never_fill: &[],
    };
    run_step(imp, root, src, &step, "attempts", batch, |row, imp| {
        vec![attempt(row, imp)]
    })
    .await?;
    Ok(())
}

/// AL user_role → learndb role and content role (§27.8).
fn role(legacy: &str) -> Option<(Role, Option<ContentRole>)> {
    Some(match legacy {
        "learner" => (Role::Student, None),
        "content_author" => (Role::Educator, Some(ContentRole::Author)),
        "content_reviewer" => (Role::Educator, Some(ContentRole::Reviewer)),
        "admin" => (Role::Admin, None),
        _ => return None,
    })
}

fn user(
    row: &SourceRow,
    imp: &Import,
    source: &str,
    book: &mut Book,
    merge_unverified: bool,
) -> Out<users::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, c| {
        let key = f.text("id").unwrap_or_default();
        let kept = f.uuid("id")?;
        let own = imp.mapped("users", &key);
        let mut id = imp.id_for("users", &key, Some(kept), None);
        let legacy_role = f.text("user_role").unwrap_or_else(|| "learner".into());
        let Some((role, content_role)) = role(&legacy_role) else {
            return Err(Reject::new(
                "invalid_enum_value",
                "user_role",
                format!("user_role {legacy_role:?}"),
            ));
        };
        let raw = f.text("email");
        let (email, merge_into) =
            book.settle_email(raw.clone(), &key, own, false, merge_unverified, c);
        if let Some(target) = merge_into {
            id = target;
        }
        let username = book.username(None, email.is_some(), source, &key, own, c);
        let (created_at, updated_at) = f.times(&["updated_at", "last_active_at"], imp)?;
        f.max_len("country_code", 2)?;
        Ok(users::Model {
            email,
            username,
            password_hash: f.text("hashed_password"),
            role,
            content_role,
            country_code: f.text("country_code"),
            email_verified: f.boolean("email_verified").unwrap_or(false),
            password_changed_at: f.time("password_changed_at")?,
            mfa_enabled: f.boolean("mfa_enabled").unwrap_or(false),
            mfa_secret: f.text("mfa_secret"),
            failed_login_attempts: f.int("failed_login_attempts")?.unwrap_or(0),
            locked_until: f.time("locked_until")?,
            last_active_at: f.time("last_active_at")?,
            gdpr_consent: f.boolean("gdpr_consent").unwrap_or(false),
            gdpr_consent_date: f.time("gdpr_consent_date")?,
            data_retention_until: f.time("data_retention_until")?,
            is_active: f.boolean("is_active").unwrap_or(true),
            updated_at,
            ..user_base(id, created_at)
        })
    })
}

/// users.timezone and language → the user's profile (`<id>#profile`).
fn profile(row: &SourceRow, imp: &Import) -> Out<user_profiles::Model> {
    let f = Fields::new(row);
    let user_key = f.text("id").unwrap_or_default();
    let key = format!("{user_key}#profile");
    let piece =
        json!({"user": user_key, "timezone": f.json("timezone"), "language": f.json("language")});
    let mut conflicts = Vec::new();
    let model = (|| {
        let user_id = f.required_ref(imp, "id", "users")?;
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        f.max_len("timezone", 50)?;
        Ok(user_profiles::Model {
            id: imp.id_for("users", &key, None, Some(created_at.to_utc())),
            user_id,
            avatar_url: None,
            bio: None,
            location: None,
            timezone: f.text("timezone").unwrap_or_else(|| "UTC".into()),
            language: language(f.text("language").as_deref(), &mut conflicts),
            skill_level: SkillLevel::Beginner,
            learning_goals: None,
            interests: None,
            accessibility_settings: None,
            privacy_settings: json!({}),
            notification_preferences: json!({}),
            created_at,
            updated_at,
        })
    })();
    Out {
        key,
        source_hash: super::canon::hash(&piece),
        source_row: redacted(row),
        model,
        conflicts,
        pending: false,
    }
}

fn item_type(t: &str) -> Option<QuestionType> {
    Some(match t {
        "multiple_choice" => QuestionType::MultipleChoice,
        "true_false" => QuestionType::TrueFalse,
        "essay" => QuestionType::Essay,
        "fill_in_blank" => QuestionType::FillBlank,
        _ => return None,
    })
}

fn item(row: &SourceRow, imp: &Import) -> Out<items::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, c| {
        let key = f.text("id").unwrap_or_default();
        let legacy_type = f
            .text("item_type")
            .unwrap_or_else(|| "multiple_choice".into());
        let Some(item_type) = item_type(&legacy_type) else {
            return Err(Reject::new(
                "invalid_enum_value",
                "item_type",
                format!("item_type {legacy_type:?}"),
            ));
        };
        f.max_len("slug", 190)?;
        let difficulty = f.decimal("difficulty", 6, 3)?.unwrap_or_default();
        let discrimination = f
            .decimal("discrimination", 6, 3)?
            .unwrap_or(rust_decimal::Decimal::ONE);
        let guessing = f
            .decimal("guessing", 4, 3)?
            .unwrap_or(rust_decimal::Decimal::new(25, 2));
        let success_rate = f.decimal("success_rate", 5, 4)?.unwrap_or_default();
        let version = f.int("version")?.unwrap_or(1);
        let usage_count = f.int("usage_count")?.unwrap_or(0);
        let avg_response_time = f.int("avg_response_time")?.unwrap_or(0);
        let stats_ok = version >= 1
            && usage_count >= 0
            && avg_response_time >= 0
            && success_rate >= rust_decimal::Decimal::ZERO
            && success_rate <= rust_decimal::Decimal::ONE;
        if !stats_ok {
            return Err(Reject::new(
                "check_violation:ck_items_stats",
                "success_rate",
                format!(
                    "version {version}, usage {usage_count}, response {avg_response_time}, success {success_rate}"
                ),
            ));
        }
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        let json_or = |col: &str, default: Json| f.json(col).unwrap_or(default);
        Ok(items::Model {
            id: imp.id_for("items", &key, Some(f.uuid("id")?), None),
            slug: f.text("slug").unwrap_or_default(),
            content: json_or("content", json!({})),
            choices: json_or("choices", json!([])),
            correct: json_or("correct", Json::Null),
            explanation: f.json("explanation"),
            difficulty,
            discrimination,
            guessing,
            topics: json_or("topics", json!([])),
            jurisdictions: json_or("jurisdictions", json!([])),
            item_type,
            cognitive_level: f
                .text("cognitive_level")
                .unwrap_or_else(|| "knowledge".into()),
            media_refs: json_or("media_refs", json!([])),
            external_refs: json_or("external_refs", json!([])),
            estimated_time: f.int("estimated_time")?.unwrap_or(60),
            points: f.int("points")?.unwrap_or(1),
            tags: json_or("tags", json!([])),
            version,
            status: match f.text("status") {
                None => ItemStatus::Draft,
                Some(_) => enum_value::<ItemStatus>(f, "status")?,
            },
            created_by: f.set_null_ref(imp, c, "created_by", "users"),
            reviewed_by: f.set_null_ref(imp, c, "reviewed_by", "users"),
            approved_by: f.set_null_ref(imp, c, "approved_by", "users"),
            published_at: f.time("published_at")?,
            usage_count,
            avg_response_time,
            success_rate,
            is_active: f.boolean("is_active").unwrap_or(true),
            created_at,
            updated_at,
        })
    })
}

fn session(row: &SourceRow, imp: &Import) -> Out<practice_sessions::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, _| {
        let key = f.text("id").unwrap_or_default();
        let user_id = f.required_ref(imp, "user_id", "users")?;
        let session_type = enum_value::<SessionType>(f, "session_type")?;
        let completed_at = f.time("end_time")?;
        let completed_items = f.int("items_attempted")?.unwrap_or(0);
        let correct_items = f.int("correct_count")?.unwrap_or(0);
        if completed_items < 0 || correct_items < 0 {
            return Err(Reject::new(
                "check_violation:ck_practice_sessions_counts",
                "correct_count",
                format!("attempted {completed_items}, correct {correct_items}"),
            ));
        }
        let duration_ms = match f.json("total_time_ms") {
            None => None,
            Some(v) => Some(v.as_i64().ok_or_else(|| {
                Reject::new("numeric_out_of_range", "total_time_ms", format!("{v}"))
            })?),
        };
        let (created_at, updated_at) = f.times(&["updated_at", "start_time"], imp)?;
        Ok(practice_sessions::Model {
            id: imp.id_for("sessions", &key, Some(f.uuid("id")?), None),
            user_id,
            session_type,
            status: if completed_at.is_some() {
                PracticeSessionStatus::Completed
            } else {
                PracticeSessionStatus::Active
            },
            story_id: None,
            session_name: None,
            strategy: None,
            difficulty_level: None,
            skill_areas: f.json("topics_practiced"),
            knowledge_point_ids: None,
            question_ids: None,
            session_data: None,
            story_content: None,
            performance_metrics: None,
            total_items: None,
            completed_items,
            correct_items,
            overall_score: None,
            points_earned: None,
            time_limit_minutes: None,
            started_at: f.time("start_time")?,
            completed_at,
            duration_ms,
            average_difficulty: f.decimal("average_difficulty", 6, 3)?,
            device_type: f.text("device_type"),
            app_version: f.text("app_version"),
            created_at,
            updated_at,
            subject_id: None,
            incorrect_items: 0,
            skipped_items: 0,
            auto_advance_delay: None,
            last_question_index: None,
        })
    })
}

/// An attempt's key: `<id>#<created_at>` (its primary key is both, §27.3).
pub fn attempt_key(f: &Fields) -> String {
    let created = f
        .time("created_at")
        .ok()
        .flatten()
        .map(|t| super::canon::utc6(t.to_utc()))
        .unwrap_or_default();
    format!("{}#{created}", f.text("id").unwrap_or_default())
}

fn small(f: &Fields, col: &'static str) -> Result<Option<i16>, Reject> {
    f.int(col)?
        .map(|v| {
            i16::try_from(v).map_err(|_| Reject::new("numeric_out_of_range", col, format!("{v}")))
        })
        .transpose()
}

fn attempt(row: &SourceRow, imp: &Import) -> Out<attempts::Model> {
    let f = Fields::new(row);
    let key = attempt_key(&f);
    out_of(&f, key.clone(), |f, _| {
        let user_id = f.required_ref(imp, "user_id", "users")?;
        let item_id = f.required_ref(imp, "item_id", "items")?;
        let session_id = f.required_ref(imp, "session_id", "sessions")?;
        let created_at = f
            .time("created_at")?
            .unwrap_or_else(|| imp.run.started.fixed_offset());
        let ip_address = f
            .text("ip_address")
            .map(|ip| ip.split('/').next().unwrap_or_default().to_owned());
        Ok(attempts::Model {
            id: imp.id_for("attempts", &key, Some(f.uuid("id")?), None),
            user_id,
            item_id,
            session_id,
            selected: f.json("selected").unwrap_or(Json::Null),
            correct: f.boolean("correct").unwrap_or(false),
            quality: small(f, "quality")?,
            confidence: small(f, "confidence")?,
            time_taken_ms: f.int("time_taken_ms")?.unwrap_or(0),
            hints_used: f.int("hints_used")?.unwrap_or(0),
            client_attempt_id: f.uuid("client_attempt_id")?,
            device_type: f.text("device_type"),
            app_version: f.text("app_version"),
            ip_address,
            user_agent: f.text("user_agent"),
            sm2_state_before: f.json("sm2_state_before"),
            sm2_state_after: f.json("sm2_state_after"),
            bkt_state_before: f.json("bkt_state_before"),
            bkt_state_after: f.json("bkt_state_after"),
            irt_ability_before: f.json("irt_ability_before"),
            irt_ability_after: f.json("irt_ability_after"),
            attempted_at: f.time("timestamp")?.unwrap_or(created_at),
            created_at,
        })
    })
}
