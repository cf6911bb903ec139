#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The entities sea-orm-cli generated (`entity/`) work against the migrated schema on every
//! backend: a row with every column set survives an insert through its `ActiveModel` and a read
//! back through its `Entity` unchanged, for the 22 tables of the users, content, progress,
//! collaborative and plugins groups and of module 20 (with the two tables it uses); numeric(p,s) values without a
//! fractional part read back too; the database fills the spec defaults (SPEC.md §3) for the
//! columns an `ActiveModel` leaves unset; on SQLite, timestamps written by the database's own
//! default sort as text among those the application writes (SPEC.md §0.2); and foreign keys are
//! enforced, `ON DELETE CASCADE` and `SET NULL` alike, on every backend. The typed enums are the
//! spec's 38 enums with every value. The service flows over every group are in `tests/flows_*.rs`.

mod common;

use chrono::{DateTime, TimeDelta, Utc};
use common::{Backend, TestDb};
use entity::sea_orm_active_enums::{
    AnalyticsPeriodType, ApprovalStatus, CollaborativeSessionStatus, ContentRole, ContentStatus,
    DataSharingLevel, Difficulty, GroupPrivacyLevel, GroupRole, PluginStatus,
    PracticeSessionStatus, PracticeStrategy, QuestionDifficulty, QuestionReportStatus,
    QuestionReportType, QuestionType, Role, SessionType, SkillLevel, VersionChangeType,
};
use entity::{
    collaborative_sessions, content_approvals, group_analytics, group_memberships,
    knowledge_points, learning_groups, plugin_data, plugins, practice_sessions, question_reports,
    questions, sentence_attempts, stories, story_ratings, story_tags, story_versions,
    system_config, user_preferences, user_profiles, user_progress, user_sessions, users,
};
use rust_decimal::Decimal;
use sea_orm::prelude::DateTimeWithTimeZone;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, EntityTrait, IntoActiveModel, Iterable, ModelTrait,
    PrimaryKeyToColumn, PrimaryKeyTrait, Value,
};
use serde_json::json;
use uuid::Uuid;

on_every_backend!(
    every_entity_round_trips_a_fully_populated_row,
    every_entity_round_trips_a_fully_populated_row
);
on_every_backend!(defaults_fill_omitted_columns, defaults_fill_omitted_columns);
on_every_backend!(
    whole_number_decimals_read_back,
    whole_number_decimals_read_back
);
on_every_backend!(
    deleting_a_user_cascades_and_clears_references,
    deleting_a_user_cascades_and_clears_references
);

/// Every entity, parents before children. Each value is non-default and non-NULL, so a column
/// that is dropped, swapped, truncated or mis-typed on the way in or out changes the row; each
/// timestamp column gets its own instant for the same reason.
///
/// `Decimal`'s `==` compares numeric value, not scale (`0.875 == 0.8750`). That is the right
/// comparison: PostgreSQL and MySQL return a numeric(p,s) value with the column's scale, while
/// SQLite stores it as a REAL (REAL affinity) and SeaORM reads it back through `f64`,
/// which keeps the value but not trailing zeros. The values below use every digit of their
/// column's precision and scale, so they still have to survive exactly. Whole numbers, which
/// SQLite stores differently, have their own test: `whole_number_decimals_read_back`.
async fn every_entity_round_trips_a_fully_populated_row(backend: Backend) {
    let t = TestDb::migrated(backend).await;

    // Module users (§3).
    let learner = user(Uuid::now_v7(), "learner");
    let mentor = user(Uuid::now_v7(), "mentor");
    let reviewer = user(Uuid::now_v7(), "reviewer");
    round_trip(&t, users::Entity, &learner).await;
    round_trip(&t, users::Entity, &mentor).await;
    round_trip(&t, users::Entity, &reviewer).await;
    round_trip(&t, user_profiles::Entity, &user_profile(&learner)).await;
    round_trip(&t, user_sessions::Entity, &user_session(&learner)).await;
    round_trip(&t, user_preferences::Entity, &user_preference(&learner)).await;

    // Module content (§4).
    let story = story(&mentor);
    round_trip(&t, stories::Entity, &story).await;
    round_trip(&t, story_tags::Entity, &story_tag(&story)).await;
    round_trip(&t, story_versions::Entity, &story_version(&story, &mentor)).await;
    round_trip(&t, story_ratings::Entity, &story_rating(&story, &learner)).await;
    let approval = content_approval(&story, &reviewer);
    round_trip(&t, content_approvals::Entity, &approval).await;

    // Module progress (§8).
    let session = practice_session(&learner, &story);
    round_trip(&t, practice_sessions::Entity, &session).await;
    round_trip(&t, sentence_attempts::Entity, &sentence_attempt(&session)).await;
    round_trip(&t, user_progress::Entity, &user_progress(&learner)).await;

    // Module collaborative (§11).
    let group = learning_group(&mentor);
    round_trip(&t, learning_groups::Entity, &group).await;
    let membership = group_membership(&group, &learner, &mentor, &reviewer);
    round_trip(&t, group_memberships::Entity, &membership).await;
    let collaboration = collaborative_session(&group, &mentor, &story, &learner);
    round_trip(&t, collaborative_sessions::Entity, &collaboration).await;
    round_trip(&t, group_analytics::Entity, &group_analytics(&group)).await;

    // Module plugins (§12).
    let plugin = plugin(&reviewer);
    round_trip(&t, plugins::Entity, &plugin).await;
    round_trip(&t, plugin_data::Entity, &plugin_datum(&plugin, &learner)).await;

    // Module 20 practice_later (SPEC-26-27 §26): its two tables, and the tables whose new columns
    // the rows above (users, practice_sessions) do not reach.
    let point = knowledge_point();
    round_trip(&t, knowledge_points::Entity, &point).await;
    let question = bank_question(&point);
    round_trip(&t, questions::Entity, &question).await;
    let report = question_report(&question, &learner, &session, &reviewer);
    round_trip(&t, question_reports::Entity, &report).await;
    round_trip(&t, system_config::Entity, &system_config()).await;
}

/// A users row and a user_profiles row that set only their required columns get the spec
/// defaults (§3) from the database, and every optional column reads back as `None`.
async fn defaults_fill_omitted_columns(backend: Backend) {
    let t = TestDb::migrated(backend).await;

    let user_id = Uuid::now_v7();
    users::ActiveModel {
        id: Set(user_id),
        email: Set(Some("defaults@example.org".to_owned())),
        ..Default::default()
    }
    .insert(&t.db)
    .await
    .unwrap_or_else(|e| panic!("{backend:?}: insert a users row with only its email: {e}"));
    let user = read_back(&t, users::Entity, user_id).await;
    assert_recent(backend, "users.created_at", user.created_at);
    assert_recent(backend, "users.updated_at", user.updated_at);
    assert_eq!(
        user,
        users::Model {
            id: user_id,
            email: Some("defaults@example.org".to_owned()),
            username: None,
            password_hash: None,
            password_salt: None,
            role: Role::Student,
            content_role: None,
            first_name: None,
            last_name: None,
            full_name: None,
            country_code: None,
            email_verified: false,
            verification_token: None,
            password_reset_token: None,
            password_reset_expires: None,
            password_changed_at: None,
            mfa_enabled: false,
            mfa_secret: None,
            failed_login_attempts: 0,
            locked_until: None,
            login_count: 0,
            last_login: None,
            last_active_at: None,
            gdpr_consent: false,
            gdpr_consent_date: None,
            data_retention_until: None,
            metadata: None,
            is_active: true,
            deleted_at: None,
            created_at: user.created_at,
            updated_at: user.updated_at,
            class: None,
        },
        "{backend:?}: users defaults"
    );

    let profile_id = Uuid::now_v7();
    user_profiles::ActiveModel {
        id: Set(profile_id),
        user_id: Set(user_id),
        ..Default::default()
    }
    .insert(&t.db)
    .await
    .unwrap_or_else(|e| panic!("{backend:?}: insert a user_profiles row with only user_id: {e}"));
    let profile = read_back(&t, user_profiles::Entity, profile_id).await;
    assert_recent(backend, "user_profiles.created_at", profile.created_at);
    assert_recent(backend, "user_profiles.updated_at", profile.updated_at);
    assert_eq!(
        profile,
        user_profiles::Model {
            id: profile_id,
            user_id,
            avatar_url: None,
            bio: None,
            location: None,
            timezone: "UTC".to_owned(),
            language: "en".to_owned(),
            skill_level: SkillLevel::Beginner,
            learning_goals: None,
            interests: None,
            accessibility_settings: None,
            privacy_settings: json!({}),
            notification_preferences: json!({}),
            created_at: profile.created_at,
            updated_at: profile.updated_at,
        },
        "{backend:?}: user_profiles defaults"
    );
}

/// A numeric(p,s) value without a fractional part reads back through the entity like any other:
/// the defaults of a new story (`avg_rating` 0) and tag (`weight` 1.00), and an average rating
/// of exactly 4.00 written by the application. Under NUMERIC affinity SQLite would store these
/// as INTEGER, which SeaORM cannot decode as a decimal; the columns have REAL affinity so that
/// they stay REAL (docs/schema-decisions.md).
async fn whole_number_decimals_read_back(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let author = user(Uuid::now_v7(), "author");
    insert_row(&t, users::Entity, &author).await;

    let new_story = Uuid::now_v7();
    stories::ActiveModel {
        id: Set(new_story),
        title: Set("Untitled".to_owned()),
        content: Set("Once.".to_owned()),
        ..Default::default()
    }
    .insert(&t.db)
    .await
    .unwrap_or_else(|e| panic!("{backend:?}: insert a story with its defaults: {e}"));
    let defaulted = read_back(&t, stories::Entity, new_story).await;
    assert_eq!(
        defaulted.avg_rating,
        Decimal::ZERO,
        "{backend:?}: stories.avg_rating default"
    );

    let new_tag = Uuid::now_v7();
    story_tags::ActiveModel {
        id: Set(new_tag),
        story_id: Set(new_story),
        tag_name: Set("draft".to_owned()),
        ..Default::default()
    }
    .insert(&t.db)
    .await
    .unwrap_or_else(|e| panic!("{backend:?}: insert a story tag with its defaults: {e}"));
    let tag = read_back(&t, story_tags::Entity, new_tag).await;
    assert_eq!(
        tag.weight,
        Decimal::ONE,
        "{backend:?}: story_tags.weight default"
    );

    let rated = stories::Model {
        id: Uuid::now_v7(),
        avg_rating: Decimal::new(400, 2),
        ..story(&author)
    };
    round_trip(&t, stories::Entity, &rated).await;
}

/// On SQLite timestamps are TEXT and compare as text, so the `now` default must write the
/// application's format (SPEC.md §0.2). Rows the application writes one microsecond before and
/// after the instant the database wrote must sort on either side of it, which fails if the
/// separator, the offset or the fraction differ in shape; and the defaulted text must parse
/// back through the entity.
#[tokio::test]
async fn sqlite_default_timestamps_sort_with_application_timestamps() {
    let t = TestDb::migrated(Backend::Sqlite).await;

    let defaulted = Uuid::now_v7();
    insert_user_named(&t, defaulted, "db-clock", None).await;
    let written_by_db = read_back(&t, users::Entity, defaulted).await.created_at;
    assert_recent(Backend::Sqlite, "users.created_at", written_by_db);

    let one_microsecond = TimeDelta::microseconds(1);
    let before = written_by_db - one_microsecond;
    let after = written_by_db + one_microsecond;
    insert_user_named(&t, Uuid::now_v7(), "app-after", Some(after)).await;
    insert_user_named(&t, Uuid::now_v7(), "app-before", Some(before)).await;

    // Only this test's users: the reference rows (SPEC.md §21) add the anonymous user.
    let stored = t
        .query_strings(
            "SELECT created_at FROM users WHERE username <> 'anonymous' ORDER BY created_at",
            "created_at",
        )
        .await;
    assert_eq!(
        t.query_strings(
            "SELECT username FROM users WHERE username <> 'anonymous' ORDER BY created_at",
            "username"
        )
        .await,
        ["app-before", "db-clock", "app-after"],
        "SQLite orders created_at as text: {stored:?}"
    );
    assert_eq!(
        t.query_strings(
            "SELECT DISTINCT typeof(created_at) AS storage FROM users",
            "storage"
        )
        .await,
        ["text"],
        "created_at storage classes: {stored:?}"
    );
}

/// Deleting a user through the entity cascades to its profile (`fk_user_profiles_user_id`,
/// CASCADE) and clears the story it wrote (`fk_stories_created_by`, SET NULL), which proves
/// foreign keys are enforced, on SQLite through the connection's `foreign_keys` pragma.
async fn deleting_a_user_cascades_and_clears_references(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let author = user(Uuid::now_v7(), "author");
    let profile = user_profile(&author);
    let story = story(&author);
    insert_row(&t, users::Entity, &author).await;
    insert_row(&t, user_profiles::Entity, &profile).await;
    insert_row(&t, stories::Entity, &story).await;

    let deleted = users::Entity::delete_by_id(author.id)
        .exec(&t.db)
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: delete the author: {e}"));
    assert_eq!(deleted.rows_affected, 1, "{backend:?}: users rows deleted");

    let profile_after = user_profiles::Entity::find_by_id(profile.id)
        .one(&t.db)
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: read user_profiles: {e}"));
    assert_eq!(
        profile_after, None,
        "{backend:?}: the profile must be deleted with its user (ON DELETE CASCADE)"
    );

    let story_after = stories::Entity::find_by_id(story.id)
        .one(&t.db)
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: read stories: {e}"))
        .unwrap_or_else(|| panic!("{backend:?}: the story must outlive its author"));
    assert_eq!(
        story_after.created_by, None,
        "{backend:?}: stories.created_by must be cleared (ON DELETE SET NULL)"
    );
    // Nothing else in the story changes. updated_at is left out: the cascade updates the row,
    // and the updated_at maintenance of SPEC.md §19 (triggers on PostgreSQL and SQLite) may
    // rightly bump it; that is not what this test is about.
    assert_eq!(
        story_after,
        stories::Model {
            created_by: None,
            updated_at: story_after.updated_at,
            ..story
        },
        "{backend:?}: the rest of the story"
    );
}

// ---------------------------------------------------------------------------------------------
// Inserting and reading back.

/// Inserts `model` with every column `Set`, reads the row back by its id and asserts it is the
/// same model.
async fn round_trip<E>(t: &TestDb, entity: E, model: &E::Model)
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + PartialEq,
    E::ActiveModel: Send,
    Uuid: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    insert_row(t, entity, model).await;
    let stored = read_back(t, entity, id_of(model)).await;
    assert_eq!(
        &stored,
        model,
        "{:?}: {} read back differs from what was inserted",
        t.backend,
        entity.table_name()
    );
}

/// Inserts `model` through its `ActiveModel`, with every column marked `Set` (a model converted
/// into an `ActiveModel` starts out `Unchanged`; `reset_all` marks every column `Set`).
async fn insert_row<E>(t: &TestDb, entity: E, model: &E::Model)
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: Send,
{
    let active: E::ActiveModel = model.clone().into_active_model().reset_all();
    active.insert(&t.db).await.unwrap_or_else(|e| {
        panic!(
            "{:?}: insert into {}: {e}\nrow: {model:?}",
            t.backend,
            entity.table_name()
        )
    });
}

/// The row with primary key `id`, read through the entity.
async fn read_back<E>(t: &TestDb, entity: E, id: Uuid) -> E::Model
where
    E: EntityTrait,
    Uuid: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    E::find_by_id(id)
        .one(&t.db)
        .await
        .unwrap_or_else(|e| panic!("{:?}: read {}: {e}", t.backend, entity.table_name()))
        .unwrap_or_else(|| {
            panic!(
                "{:?}: {} row {id} not found",
                t.backend,
                entity.table_name()
            )
        })
}

/// The `id` primary key of any of the models.
fn id_of<M: ModelTrait>(model: &M) -> Uuid {
    let key = <M::Entity as EntityTrait>::PrimaryKey::iter()
        .next()
        .expect("every table has a primary key")
        .into_column();
    match model.get(key) {
        Value::Uuid(Some(id)) => id,
        other => panic!("primary key is not a uuid: {other:?}"),
    }
}

/// A users row with only its username set and, if given, its created_at.
async fn insert_user_named(
    t: &TestDb,
    id: Uuid,
    username: &str,
    created_at: Option<DateTimeWithTimeZone>,
) {
    let mut row = users::ActiveModel {
        id: Set(id),
        username: Set(Some(username.to_owned())),
        ..Default::default()
    };
    if let Some(created_at) = created_at {
        row.created_at = Set(created_at);
    }
    row.insert(&t.db)
        .await
        .unwrap_or_else(|e| panic!("{:?}: insert user {username}: {e}", t.backend));
}

/// Database-written timestamps are close to the application's clock: a sanity window only,
/// since the two clocks may differ.
fn assert_recent(backend: Backend, column: &str, value: DateTimeWithTimeZone) {
    let now = Utc::now();
    let off = (value.with_timezone(&Utc) - now).abs();
    assert!(
        off < TimeDelta::minutes(10),
        "{backend:?}: {column} = {value}, {off} away from the application's clock ({now})"
    );
}

/// The instant every round-tripped timestamp is derived from, 2026-03-04T05:06:07.123456Z, plus
/// `minutes`. Microseconds are the finest precision all three backends keep.
fn at(minutes: i64) -> DateTimeWithTimeZone {
    let base = DateTime::parse_from_rfc3339("2026-03-04T05:06:07.123456+00:00")
        .expect("a valid RFC 3339 instant");
    base + TimeDelta::minutes(minutes)
}

const DAY: i64 = 24 * 60;

// ---------------------------------------------------------------------------------------------
// One fully populated row per table. Parents are passed in; their ids become the foreign keys.

/// users (§3). `handle` keeps the unique email and username apart between users.
fn user(id: Uuid, handle: &str) -> users::Model {
    users::Model {
        id,
        email: Some(format!("{handle}@example.org")),
        username: Some(format!("{handle}_01")),
        password_hash: Some(format!("$argon2id$v=19$m=65536,t=3,p=4${handle}$hash")),
        password_salt: Some(format!("salt-{handle}")),
        role: Role::Educator,
        content_role: Some(ContentRole::Reviewer),
        first_name: Some("Zoë".to_owned()),
        last_name: Some("Łukasiewicz".to_owned()),
        full_name: Some("Zoë Łukasiewicz".to_owned()),
        country_code: Some("PT".to_owned()),
        email_verified: true,
        verification_token: Some(format!("verify-{handle}")),
        password_reset_token: Some(format!("reset-{handle}")),
        password_reset_expires: Some(at(2 * DAY)),
        password_changed_at: Some(at(-30 * DAY)),
        mfa_enabled: true,
        mfa_secret: Some("JBSWY3DPEHPK3PXP".to_owned()),
        failed_login_attempts: 3,
        locked_until: Some(at(15)),
        login_count: 42,
        last_login: Some(at(-60)),
        last_active_at: Some(at(-5)),
        gdpr_consent: true,
        gdpr_consent_date: Some(at(-365 * DAY)),
        data_retention_until: Some(at(5 * 365 * DAY)),
        metadata: Some(json!({
            "source": "storysign",
            "legacy_id": 4711,
            "flags": ["beta", "early_access"],
            "nested": { "ratio": 0.5, "ok": true }
        })),
        is_active: false,
        deleted_at: Some(at(DAY)),
        created_at: at(-400 * DAY),
        updated_at: at(-1),
        class: Some("9C".to_owned()),
    }
}

/// user_profiles (§3). `language` satisfies `ck_user_profiles_language`.
fn user_profile(user: &users::Model) -> user_profiles::Model {
    user_profiles::Model {
        id: Uuid::now_v7(),
        user_id: user.id,
        avatar_url: Some("https://cdn.example.org/avatars/zoe.png".to_owned()),
        bio: Some("Learning Libras and ASL 🤟".to_owned()),
        location: Some("Lisboa".to_owned()),
        timezone: "America/Sao_Paulo".to_owned(),
        language: "pt-BR".to_owned(),
        skill_level: SkillLevel::Advanced,
        learning_goals: Some(json!(["fingerspelling", "storytelling"])),
        interests: Some(json!(["theatre", "poetry"])),
        accessibility_settings: Some(json!({ "captions": true, "playback_rate": 0.75 })),
        privacy_settings: json!({ "profile_visible": false }),
        notification_preferences: json!({ "email": false, "push": ["reminders"] }),
        created_at: at(-300 * DAY),
        updated_at: at(-2),
    }
}

/// user_sessions (§3). `expires_at` > `created_at` (`ck_user_sessions_expiry`).
fn user_session(user: &users::Model) -> user_sessions::Model {
    user_sessions::Model {
        id: Uuid::now_v7(),
        user_id: user.id,
        session_token: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
            .to_owned(),
        expires_at: at(7 * DAY),
        ip_address: Some("2001:db8:85a3::8a2e:370:7334".to_owned()),
        user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0".to_owned()),
        is_active: false,
        created_at: at(-3),
        updated_at: at(-4),
    }
}

/// user_preferences (§3).
fn user_preference(user: &users::Model) -> user_preferences::Model {
    user_preferences::Model {
        id: Uuid::now_v7(),
        user_id: user.id,
        preference_key: "writebot.default_style".to_owned(),
        preference_value: json!({ "style": 9, "bias": 0.75, "stroke": "#1a2b3c" }),
        created_at: at(-6),
        updated_at: at(-7),
    }
}

/// stories (§4). `avg_rating` is numeric(3,2) within 0–5.
fn story(author: &users::Model) -> stories::Model {
    stories::Model {
        id: Uuid::now_v7(),
        title: "The Four Seasons".to_owned(),
        description: Some("A short story about the year turning".to_owned()),
        content: "Spring comes. Summer stays. Autumn falls. Winter waits.".to_owned(),
        sentences: json!([
            "Spring comes.",
            "Summer stays.",
            "Autumn falls.",
            "Winter waits."
        ]),
        language: "fr-CA".to_owned(),
        content_type: "lesson".to_owned(),
        difficulty_level: Difficulty::Intermediate,
        learning_objectives: Some(json!(["seasons", "verbs of motion"])),
        skill_areas: Some(json!(["vocabulary", "classifiers"])),
        story_metadata: Some(json!({ "illustrated": true, "pages": 4 })),
        status: ContentStatus::Published,
        is_public: true,
        is_featured: true,
        sentence_count: 4,
        word_count: 8,
        estimated_duration: Some(6),
        avg_rating: Decimal::new(437, 2),
        rating_count: 19,
        practice_count: 230,
        view_count: 1_024,
        created_by: Some(author.id),
        published_at: Some(at(-20 * DAY)),
        created_at: at(-40 * DAY),
        updated_at: at(-8),
    }
}

/// story_tags (§4). `weight` is numeric(5,2).
fn story_tag(story: &stories::Model) -> story_tags::Model {
    story_tags::Model {
        id: Uuid::now_v7(),
        story_id: story.id,
        tag_name: "seasons".to_owned(),
        tag_category: Some("theme".to_owned()),
        tag_value: Some("nature".to_owned()),
        is_system_tag: true,
        weight: Decimal::new(12_345, 2),
        created_at: at(-9),
    }
}

/// story_versions (§4). `version_number` >= 1.
fn story_version(story: &stories::Model, editor: &users::Model) -> story_versions::Model {
    story_versions::Model {
        id: Uuid::now_v7(),
        story_id: story.id,
        version_number: 3,
        title: "The Four Seasons (revised)".to_owned(),
        description: Some("Winter rewritten".to_owned()),
        content: "Spring comes. Summer stays. Autumn falls. Winter rests.".to_owned(),
        sentences: json!([
            "Spring comes.",
            "Summer stays.",
            "Autumn falls.",
            "Winter rests."
        ]),
        version_metadata: Some(json!({ "diff": { "changed": [3] } })),
        change_summary: Some("Reworded the last sentence".to_owned()),
        change_type: VersionChangeType::Publish,
        changed_by: Some(editor.id),
        is_current: true,
        created_at: at(-10),
    }
}

/// story_ratings (§4). Every rating within 1–5.
fn story_rating(story: &stories::Model, rater: &users::Model) -> story_ratings::Model {
    story_ratings::Model {
        id: Uuid::now_v7(),
        story_id: story.id,
        user_id: rater.id,
        rating: 4,
        review_text: Some("Lovely pacing".to_owned()),
        difficulty_rating: Some(2),
        engagement_rating: Some(5),
        educational_value_rating: Some(3),
        created_at: at(-11),
        updated_at: at(-12),
    }
}

/// content_approvals (§4). Not pending, so `reviewed_at` is required
/// (`ck_content_approvals_reviewed`).
fn content_approval(story: &stories::Model, reviewer: &users::Model) -> content_approvals::Model {
    content_approvals::Model {
        id: Uuid::now_v7(),
        story_id: story.id,
        reviewer_id: Some(reviewer.id),
        status: ApprovalStatus::Approved,
        review_notes: Some("Clear and accurate".to_owned()),
        content_quality_score: Some(5),
        educational_value_score: Some(4),
        technical_accuracy_score: Some(3),
        reviewed_at: Some(at(-21 * DAY)),
        created_at: at(-22 * DAY),
        updated_at: at(-13),
    }
}

/// practice_sessions (§8). correct_items <= total_items, score within 0–1,
/// completed_at >= started_at.
fn practice_session(learner: &users::Model, story: &stories::Model) -> practice_sessions::Model {
    practice_sessions::Model {
        id: Uuid::now_v7(),
        user_id: learner.id,
        session_type: SessionType::Assessment,
        status: PracticeSessionStatus::Completed,
        story_id: Some(story.id),
        session_name: Some("Seasons, second pass".to_owned()),
        strategy: Some(PracticeStrategy::Adaptive),
        difficulty_level: Some(Difficulty::Advanced),
        skill_areas: Some(json!(["receptive", "expressive"])),
        knowledge_point_ids: Some(json!(["kp-seasons-01", "kp-verbs-07"])),
        question_ids: Some(json!(["0190c3a2-7b1e-7c4d-9a5b-3f2e1d0c9b8a"])),
        session_data: Some(json!({ "camera": "front", "mirrored": true })),
        story_content: Some(json!({ "title": "The Four Seasons", "sentences": 4 })),
        performance_metrics: Some(json!({ "fps": 30, "dropped_frames": 2 })),
        total_items: Some(12),
        completed_items: 11,
        correct_items: 9,
        overall_score: Some(Decimal::new(7_512, 4)),
        points_earned: Some(90),
        time_limit_minutes: Some(30),
        started_at: Some(at(100)),
        completed_at: Some(at(125)),
        // Beyond i32::MAX, so a bigint column is needed to keep it.
        duration_ms: Some(4_321_000_000),
        average_difficulty: Some(Decimal::new(-2_718, 3)),
        device_type: Some("tablet".to_owned()),
        app_version: Some("3.14.1".to_owned()),
        created_at: at(99),
        updated_at: at(126),
        subject_id: Some("bsl".to_owned()),
        incorrect_items: 2,
        skipped_items: 1,
        auto_advance_delay: Some(1_500),
        last_question_index: Some(11),
    }
}

/// knowledge_points (§9, with module 20's subject_id and sort_index).
fn knowledge_point() -> knowledge_points::Model {
    knowledge_points::Model {
        id: Uuid::now_v7(),
        code: "bsl.seasons.07".to_owned(),
        topic: "Seasons".to_owned(),
        volume: Some("Volume 2".to_owned()),
        unit: Some("Unit 3".to_owned()),
        lesson: Some("Weather signs".to_owned()),
        sub: Some("Winter".to_owned()),
        created_at: at(-10 * DAY),
        updated_at: at(-9 * DAY),
        subject_id: Some("bsl".to_owned()),
        sort_index: 7,
    }
}

/// questions (§7, with module 20's subject_id and JSON columns): a bank question, as every KG
/// question is, so quiz_id is the one NULL (a quiz would need the courses group).
fn bank_question(point: &knowledge_points::Model) -> questions::Model {
    questions::Model {
        id: Uuid::now_v7(),
        quiz_id: None,
        knowledge_point_id: Some(point.id),
        question_type: QuestionType::FillBlank,
        allow_multiple: true,
        question_text: "In winter the sign for ___ is made with both hands.".to_owned(),
        question_media_url: Some("https://cdn.example.org/q/winter.mp4".to_owned()),
        options: Some(json!(["snow", "rain", "frost"])),
        correct_answer: json!({ "blank": "snow" }),
        explanation: Some("Both hands flutter downwards.".to_owned()),
        original_paragraph: Some("Snow falls in winter.".to_owned()),
        images: Some(json!([{ "src": "winter.png", "alt": "snowfall" }])),
        tags: Some(json!(["weather", "winter"])),
        points: 3,
        order_number: Some(4),
        difficulty: QuestionDifficulty::Hard,
        created_at: at(-8 * DAY),
        updated_at: at(-7 * DAY),
        subject_id: Some("bsl".to_owned()),
        alternative_answers: Some(json!(["Snow", "snowfall"])),
        answer_index: Some(json!([0, 2])),
        hints: Some(json!(["Think of what falls", { "level": 2, "text": "white" }])),
        extra_properties: Some(
            json!({ "kedge_id": 81_234, "nested": { "ok": true, "ratio": 0.25 } }),
        ),
    }
}

/// question_reports (SPEC-26-27 §26.3), reviewing rather than the default pending.
fn question_report(
    question: &questions::Model,
    reporter: &users::Model,
    session: &practice_sessions::Model,
    resolver: &users::Model,
) -> question_reports::Model {
    question_reports::Model {
        id: Uuid::now_v7(),
        question_id: question.id,
        user_id: reporter.id,
        session_id: Some(session.id),
        report_type: QuestionReportType::WrongAssociation,
        reason: Some("Linked to the wrong knowledge point".to_owned()),
        user_answer: Some("frost".to_owned()),
        question_context: Some(json!({ "shown": ["snow", "rain", "frost"], "index": 11 })),
        status: QuestionReportStatus::Reviewing,
        resolved_by: Some(resolver.id),
        resolved_at: Some(at(3 * DAY)),
        resolution_note: Some("Moved to Weather signs".to_owned()),
        created_at: at(2 * DAY),
        updated_at: at(3 * DAY),
    }
}

/// system_config (SPEC-26-27 §26.3): a JSON document of nested values as the setting.
fn system_config() -> system_config::Model {
    system_config::Model {
        id: Uuid::now_v7(),
        config_key: "practice.auto_advance".to_owned(),
        config_value: json!({ "enabled": true, "delayMs": 1_500, "modes": ["quick", "review"] }),
        description: Some("Advance after a correct answer".to_owned()),
        created_at: at(-2 * DAY),
        updated_at: at(-DAY),
    }
}

/// sentence_attempts (§8). Scores within 0–1, attempt_number >= 1, positive duration,
/// video_end_frame >= video_start_frame.
fn sentence_attempt(session: &practice_sessions::Model) -> sentence_attempts::Model {
    sentence_attempts::Model {
        id: Uuid::now_v7(),
        session_id: session.id,
        sentence_index: 3,
        attempt_number: 2,
        target_sentence: "Winter waits.".to_owned(),
        landmark_data: Some(json!({ "hands": [[0.12, 0.34, -0.05], [0.56, 0.78, 0.01]] })),
        gesture_sequence: Some(json!(["WINTER", "WAIT"])),
        confidence_score: Some(Decimal::new(9_123, 4)),
        accuracy_score: Some(Decimal::new(8_456, 4)),
        fluency_score: Some(Decimal::new(7_789, 4)),
        ai_feedback: Some("Hold WAIT a beat longer.".to_owned()),
        suggestions: Some(json!(["slow down", "relax the wrist"])),
        detected_errors: Some(json!([{ "sign": "WAIT", "issue": "handshape" }])),
        attempted_at: at(110),
        duration_ms: Some(4_200),
        is_successful: Some(true),
        video_start_frame: Some(120),
        video_end_frame: Some(245),
        created_at: at(111),
    }
}

/// user_progress (§8). Levels within 0–10, averages within 0–1,
/// successful_attempts <= total_attempts, longest_streak >= learning_streak.
fn user_progress(learner: &users::Model) -> user_progress::Model {
    user_progress::Model {
        id: Uuid::now_v7(),
        user_id: learner.id,
        skill_area: "fingerspelling".to_owned(),
        skill_category: Some("receptive".to_owned()),
        current_level: Decimal::new(735, 2),
        experience_points: Decimal::new(123_456_789_012, 2), // 1234567890.12
        total_practice_time: 86_400,
        total_sessions: 48,
        total_attempts: 530,
        successful_attempts: 412,
        average_score: Some(Decimal::new(7_774, 4)),
        average_confidence: Some(Decimal::new(8_126, 4)),
        average_accuracy: Some(Decimal::new(6_901, 4)),
        average_fluency: Some(Decimal::new(7_345, 4)),
        milestones: Some(json!([{ "name": "first_story", "at": "2026-01-02" }])),
        learning_streak: 12,
        longest_streak: 30,
        last_practice_date: Some(at(125)),
        current_difficulty: Difficulty::Intermediate,
        target_level: Some(Decimal::new(915, 2)),
        weekly_goal_minutes: Some(150),
        created_at: at(-90 * DAY),
        updated_at: at(127),
    }
}

/// learning_groups (§11). Positive max_members.
fn learning_group(creator: &users::Model) -> learning_groups::Model {
    learning_groups::Model {
        id: Uuid::now_v7(),
        name: "Lisbon signers".to_owned(),
        description: Some("Weekly storytelling circle".to_owned()),
        creator_id: creator.id,
        privacy_level: GroupPrivacyLevel::InviteOnly,
        is_public: true,
        join_code: Some("ASL-7Q2X".to_owned()),
        max_members: Some(25),
        requires_approval: true,
        skill_focus: Some(json!(["storytelling"])),
        difficulty_level: Some(Difficulty::Intermediate),
        learning_goals: Some(json!(["tell a story in five minutes"])),
        tags: Some(json!(["lisbon", "weekly"])),
        language: "es".to_owned(),
        timezone: Some("Europe/Lisbon".to_owned()),
        last_activity_at: Some(at(200)),
        total_sessions: 17,
        is_active: false,
        archived_at: Some(at(300)),
        created_at: at(-60 * DAY),
        updated_at: at(301),
    }
}

/// group_memberships (§11). left_at >= joined_at.
fn group_membership(
    group: &learning_groups::Model,
    member: &users::Model,
    inviter: &users::Model,
    approver: &users::Model,
) -> group_memberships::Model {
    group_memberships::Model {
        id: Uuid::now_v7(),
        group_id: group.id,
        user_id: member.id,
        role: GroupRole::Moderator,
        is_active: false,
        joined_at: at(-50 * DAY),
        left_at: Some(at(250)),
        invited_by: Some(inviter.id),
        approved_by: Some(approver.id),
        approved_at: Some(at(-49 * DAY)),
        data_sharing_level: DataSharingLevel::Full,
        share_progress: false,
        share_performance: true,
        share_practice_sessions: true,
        allow_peer_feedback: false,
        notify_new_sessions: false,
        notify_group_updates: false,
        notify_peer_achievements: false,
        custom_role_name: Some("Deaf culture lead".to_owned()),
        member_notes: Some("Runs the poetry evenings".to_owned()),
        created_at: at(-51 * DAY),
        updated_at: at(251),
    }
}

/// collaborative_sessions (§11). Positive max_participants, scheduled_end >= scheduled_start.
fn collaborative_session(
    group: &learning_groups::Model,
    host: &users::Model,
    story: &stories::Model,
    participant: &users::Model,
) -> collaborative_sessions::Model {
    collaborative_sessions::Model {
        id: Uuid::now_v7(),
        session_name: "Seasons together".to_owned(),
        description: Some("Everyone signs one season".to_owned()),
        host_id: host.id,
        group_id: group.id,
        story_id: Some(story.id),
        story_content: Some(json!({ "title": "The Four Seasons" })),
        session_config: Some(json!({ "turn_seconds": 90 })),
        participant_ids: Some(json!([host.id.to_string(), participant.id.to_string()])),
        max_participants: Some(8),
        scheduled_start: Some(at(400)),
        scheduled_end: Some(at(460)),
        actual_start: Some(at(403)),
        actual_end: Some(at(458)),
        status: CollaborativeSessionStatus::Completed,
        session_data: Some(json!({ "turns": 4 })),
        performance_summary: Some(json!({ "best": "autumn" })),
        allow_peer_feedback: false,
        enable_voice_chat: true,
        enable_text_chat: false,
        record_session: true,
        is_public: true,
        requires_approval: true,
        difficulty_level: Some(Difficulty::Advanced),
        skill_focus: Some(json!(["role shift"])),
        tags: Some(json!(["recorded"])),
        created_at: at(390),
        updated_at: at(459),
    }
}

/// group_analytics (§11). active_members <= total_members,
/// collaborative_sessions <= total_sessions, rates within 0–1, period_end >= period_start.
fn group_analytics(group: &learning_groups::Model) -> group_analytics::Model {
    group_analytics::Model {
        id: Uuid::now_v7(),
        group_id: group.id,
        period_start: at(-7 * DAY),
        period_end: at(0),
        period_type: AnalyticsPeriodType::Weekly,
        total_members: 20,
        active_members: 14,
        total_sessions: 9,
        collaborative_sessions: 4,
        total_practice_time: 36_000,
        average_group_score: Some(Decimal::new(8_123, 4)),
        average_completion_rate: Some(Decimal::new(6_667, 4)),
        skill_progress: Some(json!({ "storytelling": 0.25 })),
        peer_feedback_count: 31,
        group_interactions: 128,
        milestones_achieved: Some(json!(["ten_sessions"])),
        group_achievements: Some(json!([{ "badge": "streak", "weeks": 3 }])),
        anonymized_data: Some(json!({ "k": 5 })),
        created_at: at(1),
        updated_at: at(2),
    }
}

/// plugins (§12).
fn plugin(installer: &users::Model) -> plugins::Model {
    plugins::Model {
        id: Uuid::now_v7(),
        name: "gesture-coach".to_owned(),
        version: "2.1.0".to_owned(),
        description: Some("Live handshape hints".to_owned()),
        author: Some("Signs & Co".to_owned()),
        manifest: json!({ "entry": "coach.wasm", "permissions": ["camera"] }),
        status: PluginStatus::Error,
        installed_by: Some(installer.id),
        error_message: Some("camera permission denied".to_owned()),
        created_at: at(-5 * DAY),
        updated_at: at(3),
    }
}

/// plugin_data (§12), user-scoped.
fn plugin_datum(plugin: &plugins::Model, owner: &users::Model) -> plugin_data::Model {
    plugin_data::Model {
        id: Uuid::now_v7(),
        plugin_id: plugin.id,
        user_id: Some(owner.id),
        data_key: "calibration".to_owned(),
        data_value: json!({ "hand": "left", "offsets": [1, -2, 3] }),
        created_at: at(4),
        updated_at: at(5),
    }
}

/// The typed enums of `entity::sea_orm_active_enums` are exactly the 36 enums of SPEC.md §2:
/// each database name with every value, in order. `tests/schema.rs` proves each backend's
/// columns hold the same lists (PostgreSQL types, MySQL inline `ENUM`, SQLite `CHECK … IN`), so a
/// value the Rust type can write is one every backend accepts, and every stored value decodes.
#[test]
fn typed_enums_are_the_spec_enums() {
    use entity::sea_orm_active_enums as e;
    use sea_orm::ActiveEnum;
    use std::collections::BTreeMap;

    fn values<E: ActiveEnum<Value = sea_orm::sea_query::Enum>>() -> (String, Vec<String>) {
        (
            E::name().to_string(),
            E::iter().map(|v| v.to_value().value.into_owned()).collect(),
        )
    }
    let typed: BTreeMap<String, Vec<String>> = [
        values::<e::AnalyticsPeriodType>(),
        values::<e::ApprovalStatus>(),
        values::<e::AssignmentGradingStatus>(),
        values::<e::ChunkingStrategy>(),
        values::<e::CollaborativeSessionStatus>(),
        values::<e::ContentRole>(),
        values::<e::ContentStatus>(),
        values::<e::CourseStatus>(),
        values::<e::DataSharingLevel>(),
        values::<e::Difficulty>(),
        values::<e::EnrollmentStatus>(),
        values::<e::GradingStatus>(),
        values::<e::GroupPrivacyLevel>(),
        values::<e::GroupRole>(),
        values::<e::ItemStatus>(),
        values::<e::LengthUnit>(),
        values::<e::LessonType>(),
        values::<e::NotificationType>(),
        values::<e::PageOrientation>(),
        values::<e::PaymentStatus>(),
        values::<e::PluginStatus>(),
        values::<e::PracticeSessionStatus>(),
        values::<e::PracticeStrategy>(),
        values::<e::PracticeStrategyType>(),
        values::<e::Priority>(),
        values::<e::ProgressStatus>(),
        values::<e::QuestionDifficulty>(),
        values::<e::QuestionReportStatus>(),
        values::<e::QuestionReportType>(),
        values::<e::QuestionType>(),
        values::<e::QuizType>(),
        values::<e::RefundStatus>(),
        values::<e::Role>(),
        values::<e::SessionType>(),
        values::<e::SkillLevel>(),
        values::<e::SubscriptionStatus>(),
        values::<e::TextAlignment>(),
        values::<e::VersionChangeType>(),
    ]
    .into_iter()
    .collect();
    let spec = common::spec::Spec::load();
    assert_eq!(typed, spec.enums);
    let generated = include_str!("../entity/src/generated/sea_orm_active_enums.rs")
        .matches("DeriveActiveEnum")
        .count();
    assert_eq!(
        generated,
        typed.len(),
        "an enum of the entity crate is not listed here"
    );
}
