//! Kedge self-practice (`kg`): its 12 in-scope tables, read from schema `kedge_practice`, in the
//! order of SPEC-26-27 §27.5, each mapped by §27.7–§27.9. One function per source table, read
//! against the spec's rows the way the migrations are read against SPEC.md.

use std::collections::HashMap;

use entity::generated::sea_orm_active_enums::{
    PracticeSessionStatus, PracticeStrategy, PracticeStrategyType, QuestionDifficulty,
    QuestionReportStatus, QuestionReportType, QuestionType, Role, SessionType,
};
use entity::generated::{
    attachments, knowledge_points, knowledge_points_metadata, practice_answers, practice_sessions,
    practice_strategies, question_reports, questions, student_mistakes, student_weaknesses,
    system_config, users,
};
use migration::sea_orm::{ColumnTrait, Condition};
use serde_json::{Value as Json, json};

use super::ImportError;
use super::engine::{Conflict, Import, Out, Reject, Root, Step, run_step};
use super::row::{Fields, enum_value, out_of};
use super::source::{SourceDb, SourceRow};
use super::users::{Book, preferences, preferences_step, user_base, users_step};

/// Every table Kedge's DDL (initial schema + …001–…036) can hold, with its columns; anything
/// else in `kedge_practice` is unknown (§27.2).
pub const KNOWN: &[(&str, &[&str])] = &[
    (
        "users",
        &[
            "id",
            "account_id",
            "name",
            "password_hash",
            "salt",
            "role",
            "preferences",
            "created_at",
            "updated_at",
            "is_admin",
            "class",
        ],
    ),
    (
        "knowledge_points",
        &[
            "id",
            "topic",
            "volume",
            "unit",
            "lesson",
            "sub",
            "created_at",
            "updated_at",
            "subject_id",
            "sort_index",
        ],
    ),
    (
        "knowledge_points_metadata",
        &[
            "id",
            "key",
            "value",
            "description",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "practice_strategies",
        &[
            "id",
            "name",
            "description",
            "strategy_type",
            "config",
            "is_active",
            "priority",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "system_config",
        &["key", "value", "description", "created_at", "updated_at"],
    ),
    (
        "quizzes",
        &[
            "id",
            "type",
            "question",
            "options",
            "answer",
            "original_paragraph",
            "images",
            "tags",
            "knowledge_point_id",
            "created_at",
            "updated_at",
            "alternative_answers",
            "answer_index",
            "explanation",
            "hints",
            "extra_properties",
            "subject_id",
        ],
    ),
    (
        "practice_sessions",
        &[
            "id",
            "user_id",
            "knowledge_point_ids",
            "quiz_ids",
            "strategy",
            "status",
            "score",
            "total_questions",
            "answered_questions",
            "correct_answers",
            "incorrect_answers",
            "skipped_questions",
            "time_spent_seconds",
            "time_limit_minutes",
            "started_at",
            "completed_at",
            "created_at",
            "updated_at",
            "auto_advance_delay",
            "subject_id",
            "last_question_index",
            "session_state",
        ],
    ),
    (
        "practice_answers",
        &[
            "id",
            "session_id",
            "quiz_id",
            "user_answer",
            "is_correct",
            "time_spent_seconds",
            "answered_at",
            "created_at",
            "updated_at",
            "user_id",
        ],
    ),
    (
        "student_weaknesses",
        &[
            "id",
            "user_id",
            "knowledge_point_id",
            "weakness_score",
            "total_attempts",
            "correct_attempts",
            "last_attempt_at",
            "improvement_trend",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "student_mistakes",
        &[
            "id",
            "user_id",
            "quiz_id",
            "practice_session_id",
            "mistake_count",
            "last_mistake_at",
            "is_mastered",
            "mastered_at",
            "review_count",
            "next_review_at",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "quiz_reports",
        &[
            "id",
            "quiz_id",
            "user_id",
            "session_id",
            "report_type",
            "reason",
            "user_answer",
            "quiz_context",
            "created_at",
            "updated_at",
            "status",
            "resolved_by",
            "resolved_at",
            "resolution_note",
        ],
    ),
    (
        "attachments",
        &[
            "id",
            "file_id",
            "file_extension",
            "mime_type",
            "file_path",
            "file_size",
            "file_hash",
            "original_filename",
            "uploaded_by",
            "upload_purpose",
            "metadata",
            "is_public",
            "access_count",
            "last_accessed_at",
            "created_at",
            "updated_at",
        ],
    ),
];

/// Target NOT NULL columns without a default whose source column must be present (§27.2).
pub const REQUIRED: &[(&str, &str)] = &[
    ("users", "id"),
    ("users", "account_id"),
    ("knowledge_points", "id"),
    ("knowledge_points", "topic"),
    ("knowledge_points_metadata", "key"),
    ("knowledge_points_metadata", "value"),
    ("practice_strategies", "name"),
    ("practice_strategies", "strategy_type"),
    ("system_config", "key"),
    ("system_config", "value"),
    ("quizzes", "type"),
    ("quizzes", "question"),
    ("quizzes", "answer"),
    ("practice_sessions", "user_id"),
    ("practice_answers", "session_id"),
    ("practice_answers", "quiz_id"),
    ("student_weaknesses", "user_id"),
    ("student_weaknesses", "knowledge_point_id"),
    ("student_mistakes", "user_id"),
    ("student_mistakes", "quiz_id"),
    ("quiz_reports", "quiz_id"),
    ("quiz_reports", "user_id"),
    ("quiz_reports", "report_type"),
    ("attachments", "file_id"),
    ("attachments", "file_extension"),
    ("attachments", "mime_type"),
    ("attachments", "file_path"),
    ("attachments", "file_size"),
];

const ORDER_ID: &str = "t.created_at ASC NULLS LAST, t.id";
const ORDER_KEY: &str = "t.created_at ASC NULLS LAST, t.key";

/// The demo accounts Kedge ships with a published password (§27.7).
fn is_demo(id: &str, salt: Option<&str>) -> bool {
    ["a1111111-", "b2222222-", "c3333333-"]
        .iter()
        .any(|p| id.starts_with(p))
        || salt == Some("demosalt123456")
}

/// Runs the twelve tables in order.
pub async fn import(
    imp: &mut Import,
    root: &Root<'_>,
    src: &SourceDb,
    batch: usize,
) -> Result<(), ImportError> {
    let source_name = imp.run.source.clone();
    // Through the run's own connection: SQLite has one, and a dry run holds it.
    let read_only = root.begin().await?;
    let mut book = Book::read(&read_only).await?;
    read_only
        .rollback()
        .await
        .map_err(|e| ImportError::db("reading the target's users", &e))?;
    run_step(
        imp,
        root,
        src,
        &users_step(ORDER_ID),
        "users",
        batch,
        |row, imp| vec![user(row, imp, &source_name, &mut book)],
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

    let has_subject = src.has("knowledge_points", "subject_id");
    let step = Step {
        entity: knowledge_points::Entity,
        source_table: "knowledge_points",
        order: ORDER_ID,
        primary: true,
        natural: Some(|m: &knowledge_points::Model| {
            Some(
                Condition::all()
                    .add(knowledge_points::Column::Code.eq(m.code.clone()))
                    .add(knowledge_points::Column::Topic.eq(m.topic.clone()))
                    .add(match &m.subject_id {
                        Some(s) => knowledge_points::Column::SubjectId.eq(s.clone()),
                        None => knowledge_points::Column::SubjectId.is_null(),
                    }),
            )
        }),
        never_fill: &[],
    };
    run_step(
        imp,
        root,
        src,
        &step,
        "knowledge_points",
        batch,
        |row, imp| vec![knowledge_point(row, imp, has_subject)],
    )
    .await?;

    let step = Step {
        entity: knowledge_points_metadata::Entity,
        source_table: "knowledge_points_metadata",
        order: ORDER_ID,
        primary: true,
        natural: Some(|m: &knowledge_points_metadata::Model| {
            Some(
                Condition::all()
                    .add(knowledge_points_metadata::Column::MetaKey.eq(m.meta_key.clone())),
            )
        }),
        never_fill: &[],
    };
    run_step(
        imp,
        root,
        src,
        &step,
        "knowledge_points_metadata",
        batch,
        |row, imp| vec![metadata(row, imp)],
    )
    .await?;

    let step = Step {
        entity: practice_strategies::Entity,
        source_table: "practice_strategies",
        order: ORDER_ID,
        primary: true,
        natural: Some(|m: &practice_strategies::Model| {
            Some(Condition::all().add(practice_strategies::Column::Name.eq(m.name.clone())))
        }),
        never_fill: &["created_by"],
    };
    run_step(
        imp,
        root,
        src,
        &step,
        "practice_strategies",
        batch,
        |row, imp| vec![strategy(row, imp)],
    )
    .await?;

    let step = Step {
        entity: system_config::Entity,
        source_table: "system_config",
        order: ORDER_KEY,
        primary: true,
        natural: Some(|m: &system_config::Model| {
            Some(Condition::all().add(system_config::Column::ConfigKey.eq(m.config_key.clone())))
        }),
        never_fill: &[],
    };
    run_step(imp, root, src, &step, "system_config", batch, |row, imp| {
        vec![config(row, imp)]
    })
    .await?;

    let has_quiz_subject = src.has("quizzes", "subject_id");
    let step = Step {
        entity: questions::Entity,
        source_table: "quizzes",
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
        "quizzes→questions",
        batch,
        |row, imp| vec![question(row, imp, has_quiz_subject)],
    )
    .await?;

    // practice_answers compares its user_id with its session's (§27.7): the sessions' source users.
    let mut session_users: HashMap<String, String> = HashMap::new();
    let step = Step {
        entity: practice_sessions::Entity,
        source_table: "practice_sessions",
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
        "practice_sessions",
        batch,
        |row, imp| {
            let f = Fields::new(row);
            if let (Some(id), Some(user)) = (f.text("id"), f.text("user_id")) {
                session_users.insert(id, user);
            }
            vec![session(row, imp)]
        },
    )
    .await?;

    let step = Step {
        entity: practice_answers::Entity,
        source_table: "practice_answers",
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
        "practice_answers",
        batch,
        |row, imp| vec![answer(row, imp, &session_users)],
    )
    .await?;

    let step = Step {
        entity: student_weaknesses::Entity,
        source_table: "student_weaknesses",
        order: ORDER_ID,
        primary: true,
        natural: Some(|m: &student_weaknesses::Model| {
            Some(
                Condition::all()
                    .add(student_weaknesses::Column::UserId.eq(m.user_id))
                    .add(student_weaknesses::Column::KnowledgePointId.eq(m.knowledge_point_id)),
            )
        }),
        never_fill: &[],
    };
    run_step(
        imp,
        root,
        src,
        &step,
        "student_weaknesses",
        batch,
        |row, imp| vec![weakness(row, imp)],
    )
    .await?;

    let step = Step {
        entity: student_mistakes::Entity,
        source_table: "student_mistakes",
        order: ORDER_ID,
        primary: true,
        natural: Some(|m: &student_mistakes::Model| {
            Some(
                Condition::all()
                    .add(student_mistakes::Column::UserId.eq(m.user_id))
                    .add(student_mistakes::Column::QuestionId.eq(m.question_id)),
            )
        }),
        never_fill: &[],
    };
    run_step(
        imp,
        root,
        src,
        &step,
        "student_mistakes",
        batch,
        |row, imp| vec![mistake(row, imp)],
    )
    .await?;

    if src.tables.contains_key("quiz_reports") {
        let step = Step {
            entity: question_reports::Entity,
            source_table: "quiz_reports",
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
            "quiz_reports→question_reports",
            batch,
            |row, imp| vec![report(row, imp)],
        )
        .await?;
    }

    let step = Step {
        entity: attachments::Entity,
        source_table: "attachments",
        order: ORDER_ID,
        primary: true,
        natural: None,
        never_fill: &[],
    };
    run_step(imp, root, src, &step, "attachments", batch, |row, imp| {
        vec![attachment(row, imp)]
    })
    .await?;
    Ok(())
}

fn user(row: &SourceRow, imp: &Import, source: &str, book: &mut Book) -> Out<users::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, c| {
        let key = f.text("id").unwrap_or_default();
        let kept = f.uuid("id")?;
        let id = imp.id_for("users", &key, Some(kept), None);
        let anonymous = kept.is_nil();
        let salt = f.text("salt").filter(|s| !s.is_empty());
        let hash = f.text("password_hash").filter(|s| !s.is_empty());
        let legacy_role = f.text("role").unwrap_or_else(|| "student".into());
        let mut role = match legacy_role.as_str() {
            "admin" => Role::Admin,
            "teacher" => Role::Educator,
            "student" => Role::Student,
            other => {
                return Err(Reject::new(
                    "invalid_enum_value",
                    "role",
                    format!("role {other:?} is not admin, teacher or student"),
                ));
            }
        };
        let is_admin = f.boolean("is_admin").unwrap_or(false);
        if is_admin != (role == Role::Admin) {
            c.push(Conflict::new(
                "derived_column_mismatch",
                Some("is_admin"),
                Some(json!(is_admin)),
                format!(
                    "role:{}",
                    if is_admin {
                        "admin"
                    } else {
                        legacy_role.as_str()
                    }
                ),
            ));
        }
        if is_admin {
            role = Role::Admin;
        }
        let demo = is_demo(&key, salt.as_deref());
        let (password_hash, password_salt, is_active) = if demo {
            c.push(Conflict::new(
                "demo_credential",
                Some("password_hash"),
                Some(json!("<redacted>")),
                "credentials_removed",
            ));
            role = Role::Student;
            (None, None, false)
        } else {
            (hash, salt, true)
        };
        // KG account ids are never emails (§27.6); the anonymous user merges as it is.
        let mapped = imp.keys.contains_key(&("users".to_owned(), key.clone()));
        let username = if anonymous {
            f.text("account_id")
        } else {
            book.username(
                f.text("account_id").as_deref(),
                false,
                source,
                &key,
                mapped.then_some(id),
                c,
            )
        };
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        let preferences = f.json("preferences");
        let _ = preferences;
        Ok(users::Model {
            username,
            password_hash,
            password_salt,
            role,
            full_name: f.text("name"),
            is_active,
            updated_at,
            class: f.text("class"),
            ..user_base(id, created_at)
        })
    })
}

fn knowledge_point(
    row: &SourceRow,
    imp: &Import,
    has_subject: bool,
) -> Out<knowledge_points::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, c| {
        let code = f.text("id").unwrap_or_default();
        for col in ["topic", "volume", "unit", "lesson", "sub"] {
            f.max_len(col, 190)?;
        }
        f.max_len("id", 190)?;
        let subject_id = if has_subject {
            f.text("subject_id")
        } else {
            c.push(Conflict::new(
                "value_derived",
                Some("subject_id"),
                None,
                "history",
            ));
            Some("history".to_owned())
        };
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        Ok(knowledge_points::Model {
            id: imp.id_for("knowledge_points", &code, None, Some(created_at.to_utc())),
            code,
            topic: f.text("topic").unwrap_or_default(),
            volume: f.text("volume"),
            unit: f.text("unit"),
            lesson: f.text("lesson"),
            sub: f.text("sub"),
            created_at,
            updated_at,
            subject_id,
            sort_index: f.int("sort_index")?.unwrap_or(0),
        })
    })
}

fn metadata(row: &SourceRow, imp: &Import) -> Out<knowledge_points_metadata::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, _| {
        let key = f.text("id").unwrap_or_default();
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        f.max_len("key", 190)?;
        Ok(knowledge_points_metadata::Model {
            id: imp.id_for("knowledge_points_metadata", &key, Some(f.uuid("id")?), None),
            meta_key: f.text("key").unwrap_or_default(),
            meta_value: f.json("value").unwrap_or(Json::Null),
            description: f.text("description"),
            created_at,
            updated_at,
        })
    })
}

fn strategy(row: &SourceRow, imp: &Import) -> Out<practice_strategies::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, _| {
        let key = f.text("id").unwrap_or_default();
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        f.max_len("name", 100)?;
        Ok(practice_strategies::Model {
            id: imp.id_for("practice_strategies", &key, Some(f.uuid("id")?), None),
            name: f.text("name").unwrap_or_default(),
            description: f.text("description"),
            strategy_type: enum_value::<PracticeStrategyType>(f, "strategy_type")?,
            config: f
                .json("config")
                .filter(|j| !j.is_null())
                .unwrap_or_else(|| json!({})),
            is_active: f.boolean("is_active").unwrap_or(true),
            priority: f.int("priority")?.unwrap_or(0),
            created_at,
            updated_at,
        })
    })
}

fn config(row: &SourceRow, imp: &Import) -> Out<system_config::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("key").unwrap_or_default(), |f, _| {
        let key = f.text("key").unwrap_or_default();
        f.max_len("key", 190)?;
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        Ok(system_config::Model {
            id: imp.id_for("system_config", &key, None, Some(created_at.to_utc())),
            config_key: key,
            config_value: f.json("value").unwrap_or(Json::Null),
            description: f.text("description"),
            created_at,
            updated_at,
        })
    })
}

/// KG quiz types (§26.4): the learndb type and whether several answers are allowed.
fn quiz_type(t: &str) -> (QuestionType, bool) {
    match t {
        "single-choice" => (QuestionType::MultipleChoice, false),
        "multiple-choice" => (QuestionType::MultipleChoice, true),
        "fill-in-the-blank" => (QuestionType::FillBlank, false),
        "essay" | "subjective" => (QuestionType::Essay, false),
        _ => (QuestionType::ShortAnswer, false),
    }
}

fn question(row: &SourceRow, imp: &Import, has_subject: bool) -> Out<questions::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, c| {
        let key = f.text("id").unwrap_or_default();
        let (question_type, allow_multiple) = quiz_type(&f.text("type").unwrap_or_default());
        let knowledge_point_id = f.set_null_ref(imp, c, "knowledge_point_id", "knowledge_points");
        let subject_id = if has_subject {
            f.text("subject_id")
        } else {
            c.push(Conflict::new(
                "value_derived",
                Some("subject_id"),
                None,
                "history",
            ));
            Some("history".to_owned())
        };
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        Ok(questions::Model {
            id: imp.id_for("quizzes", &key, Some(f.uuid("id")?), None),
            quiz_id: None,
            knowledge_point_id,
            question_type,
            allow_multiple,
            question_text: f.text("question").unwrap_or_default(),
            question_media_url: None,
            options: f.json("options"),
            correct_answer: f.json("answer").unwrap_or(Json::Null),
            explanation: f.text("explanation"),
            original_paragraph: f.text("original_paragraph"),
            images: f.json("images"),
            tags: f.json("tags"),
            points: 1,
            order_number: None,
            difficulty: QuestionDifficulty::Medium,
            created_at,
            updated_at,
            subject_id,
            alternative_answers: f.json("alternative_answers"),
            answer_index: f.json("answer_index"),
            hints: f.json("hints"),
            extra_properties: f.json("extra_properties"),
        })
    })
}

fn session(row: &SourceRow, imp: &Import) -> Out<practice_sessions::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, c| {
        let key = f.text("id").unwrap_or_default();
        let user_id = f.required_ref(imp, "user_id", "users")?;
        let status = match f.text("status").as_deref() {
            Some("pending") | None => PracticeSessionStatus::Pending,
            Some("in_progress") => PracticeSessionStatus::Active,
            Some("completed") => PracticeSessionStatus::Completed,
            Some("abandoned") => PracticeSessionStatus::Abandoned,
            Some(other) => {
                return Err(Reject::new(
                    "invalid_enum_value",
                    "status",
                    format!("status {other:?}"),
                ));
            }
        };
        let strategy = match f.text("strategy") {
            None => None,
            Some(_) => Some(enum_value::<PracticeStrategy>(f, "strategy")?),
        };
        let total_items = f.int("total_questions")?;
        let completed_items = f.int("answered_questions")?.unwrap_or(0);
        let correct_items = f.int("correct_answers")?.unwrap_or(0);
        if completed_items < 0
            || correct_items < 0
            || total_items.is_some_and(|t| t < 0 || correct_items > t)
        {
            return Err(Reject::new(
                "check_violation:ck_practice_sessions_counts",
                "correct_answers",
                format!(
                    "correct {correct_items}, answered {completed_items}, total {total_items:?}"
                ),
            ));
        }
        let question_ids = f.id_array(imp, c, "quiz_ids", "quizzes");
        let knowledge_point_ids = f.id_array(imp, c, "knowledge_point_ids", "knowledge_points");
        let (created_at, updated_at) = f.times(&["updated_at", "started_at"], imp)?;
        Ok(practice_sessions::Model {
            id: imp.id_for("practice_sessions", &key, Some(f.uuid("id")?), None),
            user_id,
            session_type: SessionType::Practice,
            status,
            story_id: None,
            session_name: None,
            strategy,
            difficulty_level: None,
            skill_areas: None,
            knowledge_point_ids,
            question_ids,
            session_data: f.json("session_state"),
            story_content: None,
            performance_metrics: None,
            total_items,
            completed_items,
            correct_items,
            overall_score: None,
            points_earned: f.int("score")?,
            time_limit_minutes: f.int("time_limit_minutes")?,
            started_at: f.time("started_at")?,
            completed_at: f.time("completed_at")?,
            duration_ms: f.int("time_spent_seconds")?.map(|s| i64::from(s) * 1000),
            average_difficulty: None,
            device_type: None,
            app_version: None,
            created_at,
            updated_at,
            subject_id: f.text("subject_id"),
            incorrect_items: f.int("incorrect_answers")?.unwrap_or(0),
            skipped_items: f.int("skipped_questions")?.unwrap_or(0),
            auto_advance_delay: f.int("auto_advance_delay")?,
            last_question_index: f.int("last_question_index")?,
        })
    })
}

fn answer(
    row: &SourceRow,
    imp: &Import,
    session_users: &HashMap<String, String>,
) -> Out<practice_answers::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, c| {
        let key = f.text("id").unwrap_or_default();
        let session_id = f.required_ref(imp, "session_id", "practice_sessions")?;
        let question_id = f.required_ref(imp, "quiz_id", "quizzes")?;
        if let (Some(user), Some(session)) = (f.text("user_id"), f.text("session_id"))
            && session_users.get(&session).is_some_and(|u| *u != user)
        {
            c.push(Conflict::new(
                "derived_column_mismatch",
                Some("user_id"),
                Some(json!(user)),
                "session_user_kept",
            ));
        }
        let (created_at, updated_at) = f.times(&["updated_at", "answered_at"], imp)?;
        Ok(practice_answers::Model {
            id: imp.id_for("practice_answers", &key, Some(f.uuid("id")?), None),
            session_id,
            question_id,
            user_answer: f.json("user_answer"),
            is_correct: f.boolean("is_correct").unwrap_or(false),
            time_spent_seconds: f.int("time_spent_seconds")?,
            answered_at: f.time("answered_at")?.unwrap_or(created_at),
            created_at,
            updated_at,
        })
    })
}

fn weakness(row: &SourceRow, imp: &Import) -> Out<student_weaknesses::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, _| {
        let key = f.text("id").unwrap_or_default();
        let user_id = f.required_ref(imp, "user_id", "users")?;
        let knowledge_point_id = f.required_ref(imp, "knowledge_point_id", "knowledge_points")?;
        let (created_at, updated_at) = f.times(&["updated_at", "last_attempt_at"], imp)?;
        Ok(student_weaknesses::Model {
            id: imp.id_for("student_weaknesses", &key, Some(f.uuid("id")?), None),
            user_id,
            knowledge_point_id,
            weakness_score: f.decimal("weakness_score", 5, 2)?.unwrap_or_default(),
            total_attempts: f.int("total_attempts")?.unwrap_or(0),
            correct_attempts: f.int("correct_attempts")?.unwrap_or(0),
            last_attempt_at: f.time("last_attempt_at")?,
            improvement_trend: f.decimal("improvement_trend", 5, 2)?.unwrap_or_default(),
            created_at,
            updated_at,
        })
    })
}

fn mistake(row: &SourceRow, imp: &Import) -> Out<student_mistakes::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, c| {
        let key = f.text("id").unwrap_or_default();
        let user_id = f.required_ref(imp, "user_id", "users")?;
        let question_id = f.required_ref(imp, "quiz_id", "quizzes")?;
        let practice_session_id =
            f.set_null_ref(imp, c, "practice_session_id", "practice_sessions");
        let (created_at, updated_at) = f.times(&["updated_at", "last_mistake_at"], imp)?;
        let is_mastered = f.boolean("is_mastered").unwrap_or(false);
        let mut mastered_at = f.time("mastered_at")?;
        if is_mastered && mastered_at.is_none() {
            mastered_at = Some(updated_at);
            c.push(Conflict::new(
                "value_derived",
                Some("mastered_at"),
                None,
                "mastered_at:=updated_at",
            ));
        }
        Ok(student_mistakes::Model {
            id: imp.id_for("student_mistakes", &key, Some(f.uuid("id")?), None),
            user_id,
            question_id,
            practice_session_id,
            mistake_count: f.int("mistake_count")?.unwrap_or(1),
            last_mistake_at: f.time("last_mistake_at")?.unwrap_or(created_at),
            is_mastered,
            mastered_at,
            review_count: f.int("review_count")?.unwrap_or(0),
            next_review_at: f.time("next_review_at")?,
            created_at,
            updated_at,
        })
    })
}

fn report(row: &SourceRow, imp: &Import) -> Out<question_reports::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, c| {
        let key = f.text("id").unwrap_or_default();
        let question_id = f.required_ref(imp, "quiz_id", "quizzes")?;
        let user_id = f.required_ref(imp, "user_id", "users")?;
        let session_id = f.set_null_ref(imp, c, "session_id", "practice_sessions");
        let resolved_by = f.set_null_ref(imp, c, "resolved_by", "users");
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        Ok(question_reports::Model {
            id: imp.id_for("quiz_reports", &key, Some(f.uuid("id")?), None),
            question_id,
            user_id,
            session_id,
            report_type: enum_value::<QuestionReportType>(f, "report_type")?,
            reason: f.text("reason"),
            user_answer: f.text("user_answer"),
            question_context: f.json("quiz_context"),
            status: match f.text("status") {
                None => QuestionReportStatus::Pending,
                Some(_) => enum_value::<QuestionReportStatus>(f, "status")?,
            },
            resolved_by,
            resolved_at: f.time("resolved_at")?,
            resolution_note: f.text("resolution_note"),
            created_at,
            updated_at,
        })
    })
}

fn attachment(row: &SourceRow, imp: &Import) -> Out<attachments::Model> {
    let f = Fields::new(row);
    out_of(&f, f.text("id").unwrap_or_default(), |f, c| {
        let key = f.text("id").unwrap_or_default();
        let uploaded_by = f.set_null_ref(imp, c, "uploaded_by", "users");
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        for (col, n) in [
            ("file_id", 255),
            ("file_extension", 50),
            ("mime_type", 255),
            ("file_path", 1000),
            ("file_hash", 64),
            ("original_filename", 500),
            ("upload_purpose", 100),
        ] {
            f.max_len(col, n)?;
        }
        Ok(attachments::Model {
            id: imp.id_for("attachments", &key, Some(f.uuid("id")?), None),
            file_id: f.text("file_id").unwrap_or_default(),
            file_extension: f.text("file_extension").unwrap_or_default(),
            mime_type: f.text("mime_type").unwrap_or_default(),
            file_path: f.text("file_path").unwrap_or_default(),
            file_size: f.int("file_size")?.map(i64::from).unwrap_or(0),
            file_hash: f.text("file_hash"),
            original_filename: f.text("original_filename"),
            uploaded_by,
            upload_purpose: f.text("upload_purpose"),
            metadata: f
                .json("metadata")
                .filter(|j| !j.is_null())
                .unwrap_or_else(|| json!({})),
            is_public: f.boolean("is_public").unwrap_or(false),
            access_count: f.int("access_count")?.unwrap_or(0),
            last_accessed_at: f.time("last_accessed_at")?,
            created_at,
            updated_at,
        })
    })
}
