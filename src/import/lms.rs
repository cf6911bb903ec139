//! The course/LMS backend (`dz`, Drizzle on PostgreSQL): its 24 tables, every one "same name"
//! as learndb's (SPEC.md was written from it), in the order of SPEC-26-27 §27.5. Every uuid key
//! is kept; every `timestamp` (without time zone) is read in UTC. Columns map by
//! [`generic::model`]; this module says only what §27.7 adds: the users rules, the profile's
//! full name, currencies, the four self-references (second pass), `certificate_id`, and the
//! timestamps of the tables that have other names for them.

use std::collections::HashMap;

use entity::generated::sea_orm_active_enums::SkillLevel;
use entity::generated::{
    analytics_events, announcements, assignment_submissions, assignments, certificates,
    course_analytics, course_modules, courses, discussion_posts, discussion_threads, enrollments,
    lesson_progress, lessons, messages, notifications, payments, questions, quiz_submissions,
    quizzes, refunds, student_analytics, subscriptions, user_profiles, users,
};
use migration::sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, TryIntoModel, Value,
};
use serde::Serialize;
use serde_json::json;

use super::ImportError;
use super::engine::{Conflict, Import, Reject, Root, Step, run_step};
use super::generic::{self, Shape, Table, model};
use super::row::{Fields, out_of};
use super::source::SourceDb;
use super::users::{Book, USER_TARGET_WINS, language};

/// DZ's tables (0000 + 0001) with their columns.
pub const KNOWN: &[(&str, &[&str])] = &[
    (
        "users",
        &[
            "id",
            "email",
            "password_hash",
            "role",
            "email_verified",
            "verification_token",
            "password_reset_token",
            "password_reset_expires",
            "last_login",
            "created_at",
            "updated_at",
            "deleted_at",
        ],
    ),
    (
        "user_profiles",
        &[
            "id",
            "user_id",
            "full_name",
            "bio",
            "avatar_url",
            "timezone",
            "language",
            "notification_preferences",
            "privacy_settings",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "courses",
        &[
            "id",
            "instructor_id",
            "title",
            "description",
            "slug",
            "category",
            "difficulty",
            "price",
            "currency",
            "enrollment_limit",
            "enrollment_count",
            "average_rating",
            "total_reviews",
            "status",
            "published_at",
            "thumbnail_url",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "course_modules",
        &[
            "id",
            "course_id",
            "title",
            "description",
            "order_number",
            "duration_minutes",
            "prerequisite_module_id",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "lessons",
        &[
            "id",
            "module_id",
            "title",
            "description",
            "lesson_type",
            "content_url",
            "content_text",
            "duration_minutes",
            "order_number",
            "is_preview",
            "metadata",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "quizzes",
        &[
            "id",
            "lesson_id",
            "title",
            "description",
            "quiz_type",
            "time_limit_minutes",
            "passing_score_percentage",
            "max_attempts",
            "randomize_questions",
            "randomize_options",
            "show_correct_answers",
            "show_explanations",
            "available_from",
            "available_until",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "questions",
        &[
            "id",
            "quiz_id",
            "question_type",
            "question_text",
            "question_media_url",
            "options",
            "correct_answer",
            "explanation",
            "points",
            "order_number",
            "difficulty",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "assignments",
        &[
            "id",
            "lesson_id",
            "title",
            "description",
            "instructions",
            "due_date",
            "late_submission_allowed",
            "late_penalty_percentage",
            "max_points",
            "requires_file_upload",
            "allowed_file_types",
            "max_file_size_mb",
            "rubric",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "payments",
        &[
            "id",
            "user_id",
            "course_id",
            "stripe_payment_intent_id",
            "stripe_checkout_session_id",
            "amount",
            "currency",
            "status",
            "payment_method",
            "metadata",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "enrollments",
        &[
            "id",
            "student_id",
            "course_id",
            "enrolled_at",
            "completed_at",
            "progress_percentage",
            "last_accessed_at",
            "certificate_id",
            "payment_id",
            "status",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "lesson_progress",
        &[
            "id",
            "enrollment_id",
            "lesson_id",
            "status",
            "time_spent_seconds",
            "completed_at",
            "quiz_score",
            "attempts_count",
            "last_accessed_at",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "certificates",
        &[
            "id",
            "enrollment_id",
            "certificate_id",
            "pdf_url",
            "issued_at",
            "verification_url",
            "metadata",
            "created_at",
        ],
    ),
    (
        "quiz_submissions",
        &[
            "id",
            "quiz_id",
            "student_id",
            "enrollment_id",
            "attempt_number",
            "started_at",
            "submitted_at",
            "time_taken_seconds",
            "score_percentage",
            "points_earned",
            "answers",
            "grading_status",
            "feedback",
            "graded_at",
            "graded_by",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "assignment_submissions",
        &[
            "id",
            "assignment_id",
            "student_id",
            "enrollment_id",
            "file_url",
            "file_name",
            "file_size_bytes",
            "submission_text",
            "submitted_at",
            "is_late",
            "points_awarded",
            "feedback",
            "grading_status",
            "graded_at",
            "graded_by",
            "revision_number",
            "parent_submission_id",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "subscriptions",
        &[
            "id",
            "user_id",
            "stripe_subscription_id",
            "stripe_customer_id",
            "plan_id",
            "status",
            "current_period_start",
            "current_period_end",
            "cancel_at_period_end",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "refunds",
        &[
            "id",
            "payment_id",
            "enrollment_id",
            "stripe_refund_id",
            "amount",
            "reason",
            "status",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "messages",
        &[
            "id",
            "sender_id",
            "recipient_id",
            "conversation_id",
            "subject",
            "content",
            "attachments",
            "is_read",
            "read_at",
            "parent_message_id",
            "deleted_by_sender",
            "deleted_by_recipient",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "discussion_threads",
        &[
            "id",
            "course_id",
            "author_id",
            "category",
            "title",
            "content",
            "is_pinned",
            "is_locked",
            "view_count",
            "reply_count",
            "last_activity_at",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "discussion_posts",
        &[
            "id",
            "thread_id",
            "author_id",
            "parent_post_id",
            "content",
            "upvote_count",
            "is_solution",
            "edited_at",
            "edit_history",
            "is_deleted",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "announcements",
        &[
            "id",
            "course_id",
            "educator_id",
            "title",
            "content",
            "scheduled_for",
            "published_at",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "notifications",
        &[
            "id",
            "recipient_id",
            "notification_type",
            "title",
            "content",
            "action_url",
            "priority",
            "is_read",
            "read_at",
            "metadata",
            "expires_at",
            "created_at",
        ],
    ),
    (
        "course_analytics",
        &[
            "course_id",
            "total_enrollments",
            "active_enrollments",
            "completion_count",
            "completion_rate",
            "average_rating",
            "total_revenue",
            "average_time_to_completion_days",
            "dropout_rate",
            "most_difficult_lesson_id",
            "engagement_metrics",
            "last_updated",
        ],
    ),
    (
        "student_analytics",
        &[
            "user_id",
            "total_courses_enrolled",
            "courses_completed",
            "courses_in_progress",
            "average_quiz_score",
            "total_time_invested_minutes",
            "current_streak_days",
            "longest_streak_days",
            "badges_earned",
            "skill_ratings",
            "last_updated",
        ],
    ),
    (
        "analytics_events",
        &["id", "user_id", "event_type", "event_data", "timestamp"],
    ),
];

/// ORM-only tables (out of scope) and Drizzle's history (another schema, never read).
pub const SKIPPED: &[&str] = &[
    "post_votes",
    "video_assets",
    "file_assets",
    "processing_jobs",
];

pub const REQUIRED: &[(&str, &str)] = &[
    ("users", "id"),
    ("users", "email"),
    ("courses", "slug"),
    ("courses", "title"),
];

pub const SIGNATURE: &[&str] = &["users", "courses", "enrollments", "course_modules"];

/// Tables whose keys later rows reference.
pub const PARENTS: &[&str] = &[
    "users",
    "courses",
    "course_modules",
    "lessons",
    "quizzes",
    "assignments",
    "payments",
    "enrollments",
    "assignment_submissions",
    "messages",
    "discussion_threads",
    "discussion_posts",
];

const ORDER: &str = "t.created_at ASC NULLS LAST, t.id";

/// A DZ table mapped "same name" into `E`, with `extra` giving the columns §27.7 derives.
#[allow(clippy::too_many_arguments)]
async fn same<E, X>(
    imp: &mut Import,
    root: &Root<'_>,
    src: &SourceDb,
    batch: usize,
    table: &'static str,
    order: &'static str,
    natural: Option<super::engine::Natural<E::Model>>,
    self_ref: Option<(&'static str, E::Column)>,
    extra: X,
) -> Result<(), ImportError>
where
    E: EntityTrait,
    E::Model: Serialize + IntoActiveModel<E::ActiveModel> + Clone + Send + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + TryIntoModel<E::Model> + Send,
    X: FnMut(&Fields, &mut Vec<Conflict>) -> Result<Vec<(&'static str, Value)>, Reject>,
{
    let key = match table {
        "course_analytics" => "course_id",
        "student_analytics" => "user_id",
        _ => "id",
    };
    let t = Table {
        source: table,
        order,
        natural,
        self_ref,
        renames: &[],
        json_text: false,
        key,
    };
    let mut extra = extra;
    generic::same::<E, _>(
        imp,
        root,
        src,
        batch,
        t,
        move |f: &Fields, _: &Import, c: &mut Vec<Conflict>| extra(f, c),
    )
    .await
}

fn upper_currency(f: &Fields, check: &str) -> Result<Value, Reject> {
    let raw = f.text("currency").unwrap_or_default();
    let currency = raw.trim().to_uppercase();
    if currency.chars().count() != 3 {
        return Err(Reject::new(
            format!("check_violation:{check}"),
            "currency",
            format!("currency {raw:?} is not 3 letters"),
        ));
    }
    Ok(currency.into())
}

fn ts(
    f: &Fields,
    col: &'static str,
) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, Reject> {
    f.time(col)
}

pub async fn import(
    imp: &mut Import,
    root: &Root<'_>,
    src: &SourceDb,
    batch: usize,
    merge_unverified: bool,
) -> Result<(), ImportError> {
    let source = imp.run.source.clone();
    let started = imp.run.started;
    // user_profiles.full_name goes to users.full_name (§27.7): read before the users.
    let mut full_names: HashMap<String, String> = HashMap::new();
    src.scan("user_profiles", ORDER, |r| {
        let f = Fields::new(r);
        if let (Some(u), Some(n)) = (f.text("user_id"), f.text("full_name")) {
            full_names.entry(u).or_insert(n);
        }
    })
    .await?;
    // certificates.enrollment_id, to check enrollments.certificate_id against (§27.7).
    let mut certificate_of: HashMap<String, String> = HashMap::new();
    src.scan("certificates", ORDER, |r| {
        let f = Fields::new(r);
        if let (Some(id), Some(e)) = (f.text("id"), f.text("enrollment_id")) {
            certificate_of.insert(id, e);
        }
    })
    .await?;
    let read = root.begin().await?;
    let mut book = Book::read(&read).await?;
    drop(read);

    // users: email merge (§27.6), soft-deleted rows, reset tokens only while valid.
    let users_step = Step {
        entity: users::Entity,
        source_table: "users",
        order: ORDER,
        primary: true,
        natural: Some(|m: &users::Model| {
            if m.deleted_at.is_some() {
                return None;
            }
            m.email
                .as_ref()
                .map(|e| Condition::all().add(users::Column::Email.eq(e.clone())))
        }),
        never_fill: USER_TARGET_WINS,
    };
    let shape = Shape {
        source_table: "users",
        renames: &[],
        parents: &[],
        self_ref: None,
        json_text: false,
    };
    run_step(imp, root, src, &users_step, "users", batch, |row, imp| {
        let f = Fields::new(row);
        let key = f.text("id").unwrap_or_default();
        vec![out_of(&f, key.clone(), |f, c| {
            let own = imp.mapped("users", &key);
            let deleted = f.text("deleted_at").is_some();
            let raw = f.text("email");
            let mut set: Vec<(&'static str, Value)> = Vec::new();
            let (email, merge_into) =
                book.settle_email(raw.clone(), &key, own, deleted, merge_unverified, c);
            if let Some(target) = merge_into {
                set.push(("id", target.into()));
            }
            let username = book.username(None, email.is_some(), &source, &key, own, c);
            let expires = ts(f, "password_reset_expires")?;
            let token = f
                .text("password_reset_token")
                .filter(|_| expires.is_some_and(|t| t.to_utc() > started));
            set.extend([
                ("email", Value::String(email)),
                ("username", Value::String(username)),
                ("password_reset_token", Value::String(token)),
                ("full_name", Value::String(full_names.get(&key).cloned())),
                ("mfa_enabled", false.into()),
                ("failed_login_attempts", 0_i32.into()),
                ("login_count", 0_i32.into()),
                ("gdpr_consent", false.into()),
                ("is_active", true.into()),
            ]);
            let mut pending = false;
            model::<users::Entity>(f, imp, c, &shape, &key, &set, &mut pending)
        })]
    })
    .await?;

    same::<user_profiles::Entity, _>(
        imp,
        root,
        src,
        batch,
        "user_profiles",
        ORDER,
        Some(|m: &user_profiles::Model| {
            Some(Condition::all().add(user_profiles::Column::UserId.eq(m.user_id)))
        }),
        None,
        |f, c| {
            Ok(vec![
                (
                    "language",
                    language(f.text("language").as_deref(), c).into(),
                ),
                (
                    "timezone",
                    f.text("timezone").unwrap_or_else(|| "UTC".into()).into(),
                ),
                ("skill_level", SkillLevel::Beginner.into()),
                (
                    "privacy_settings",
                    f.json("privacy_settings")
                        .unwrap_or_else(|| json!({}))
                        .into(),
                ),
                (
                    "notification_preferences",
                    f.json("notification_preferences")
                        .unwrap_or_else(|| json!({}))
                        .into(),
                ),
            ])
        },
    )
    .await?;
    same::<courses::Entity, _>(
        imp,
        root,
        src,
        batch,
        "courses",
        ORDER,
        None,
        None,
        |f, _| {
            Ok(vec![(
                "currency",
                upper_currency(f, "ck_courses_currency")?,
            )])
        },
    )
    .await?;
    same::<course_modules::Entity, _>(
        imp,
        root,
        src,
        batch,
        "course_modules",
        ORDER,
        None,
        Some((
            "prerequisite_module_id",
            course_modules::Column::PrerequisiteModuleId,
        )),
        |_, _| Ok(vec![]),
    )
    .await?;
    same::<lessons::Entity, _>(
        imp,
        root,
        src,
        batch,
        "lessons",
        ORDER,
        None,
        None,
        |_, _| Ok(vec![]),
    )
    .await?;
    same::<quizzes::Entity, _>(
        imp,
        root,
        src,
        batch,
        "quizzes",
        ORDER,
        None,
        None,
        |_, _| Ok(vec![]),
    )
    .await?;
    same::<questions::Entity, _>(
        imp,
        root,
        src,
        batch,
        "questions",
        ORDER,
        None,
        None,
        |_, _| Ok(vec![("allow_multiple", false.into())]),
    )
    .await?;
    same::<assignments::Entity, _>(
        imp,
        root,
        src,
        batch,
        "assignments",
        ORDER,
        None,
        None,
        |_, _| Ok(vec![]),
    )
    .await?;
    same::<payments::Entity, _>(
        imp,
        root,
        src,
        batch,
        "payments",
        ORDER,
        None,
        None,
        |f, _| {
            Ok(vec![(
                "currency",
                upper_currency(f, "ck_payments_currency")?,
            )])
        },
    )
    .await?;
    same::<enrollments::Entity, _>(
        imp,
        root,
        src,
        batch,
        "enrollments",
        ORDER,
        Some(|m: &enrollments::Model| {
            Some(
                Condition::all()
                    .add(enrollments::Column::StudentId.eq(m.student_id))
                    .add(enrollments::Column::CourseId.eq(m.course_id)),
            )
        }),
        None,
        |f, c| {
            // certificate_id is not stored (§6): it must name a certificate of this enrollment.
            if let (Some(cert), Some(id)) = (f.text("certificate_id"), f.text("id"))
                && certificate_of.get(&cert) != Some(&id)
            {
                c.push(Conflict::new(
                    "derived_column_mismatch",
                    Some("certificate_id"),
                    Some(json!(cert)),
                    "not_stored",
                ));
            }
            Ok(vec![])
        },
    )
    .await?;
    same::<lesson_progress::Entity, _>(
        imp,
        root,
        src,
        batch,
        "lesson_progress",
        ORDER,
        Some(|m: &lesson_progress::Model| {
            Some(
                Condition::all()
                    .add(lesson_progress::Column::EnrollmentId.eq(m.enrollment_id))
                    .add(lesson_progress::Column::LessonId.eq(m.lesson_id)),
            )
        }),
        None,
        |_, _| Ok(vec![]),
    )
    .await?;
    same::<certificates::Entity, _>(
        imp,
        root,
        src,
        batch,
        "certificates",
        ORDER,
        None,
        None,
        |f, _| {
            let created = ts(f, "created_at")?.or(ts(f, "issued_at")?);
            Ok(created
                .map(|t| vec![("updated_at", t.into())])
                .unwrap_or_default())
        },
    )
    .await?;
    same::<quiz_submissions::Entity, _>(
        imp,
        root,
        src,
        batch,
        "quiz_submissions",
        ORDER,
        None,
        None,
        |_, _| Ok(vec![]),
    )
    .await?;
    same::<assignment_submissions::Entity, _>(
        imp,
        root,
        src,
        batch,
        "assignment_submissions",
        ORDER,
        None,
        Some((
            "parent_submission_id",
            assignment_submissions::Column::ParentSubmissionId,
        )),
        |_, _| Ok(vec![]),
    )
    .await?;
    same::<subscriptions::Entity, _>(
        imp,
        root,
        src,
        batch,
        "subscriptions",
        ORDER,
        None,
        None,
        |_, _| Ok(vec![]),
    )
    .await?;
    same::<refunds::Entity, _>(
        imp,
        root,
        src,
        batch,
        "refunds",
        ORDER,
        None,
        None,
        |_, _| Ok(vec![]),
    )
    .await?;
    same::<messages::Entity, _>(
        imp,
        root,
        src,
        batch,
        "messages",
        ORDER,
        None,
        Some(("parent_message_id", messages::Column::ParentMessageId)),
        |f, _| {
            if f.text("parent_message_id").is_some() && f.text("parent_message_id") == f.text("id")
            {
                return Err(Reject::new(
                    "check_violation:ck_messages_not_self",
                    "parent_message_id",
                    "a message is its own parent",
                ));
            }
            Ok(vec![])
        },
    )
    .await?;
    same::<discussion_threads::Entity, _>(
        imp,
        root,
        src,
        batch,
        "discussion_threads",
        ORDER,
        None,
        None,
        |_, _| Ok(vec![]),
    )
    .await?;
    same::<discussion_posts::Entity, _>(
        imp,
        root,
        src,
        batch,
        "discussion_posts",
        ORDER,
        None,
        Some(("parent_post_id", discussion_posts::Column::ParentPostId)),
        |_, _| Ok(vec![]),
    )
    .await?;
    same::<announcements::Entity, _>(
        imp,
        root,
        src,
        batch,
        "announcements",
        ORDER,
        None,
        None,
        |_, _| Ok(vec![]),
    )
    .await?;
    same::<notifications::Entity, _>(
        imp,
        root,
        src,
        batch,
        "notifications",
        ORDER,
        None,
        None,
        |f, _| {
            // notifications had no updated_at: its last change is the read, else the creation.
            let created = ts(f, "created_at")?;
            let read = ts(f, "read_at")?;
            Ok(read
                .or(created)
                .map(|t| vec![("updated_at", t.into())])
                .unwrap_or_default())
        },
    )
    .await?;
    let analytics =
        |f: &Fields, _: &mut Vec<Conflict>| -> Result<Vec<(&'static str, Value)>, Reject> {
            let at = ts(f, "last_updated")?.unwrap_or_else(|| started.fixed_offset());
            Ok(vec![("created_at", at.into()), ("updated_at", at.into())])
        };
    same::<course_analytics::Entity, _>(
        imp,
        root,
        src,
        batch,
        "course_analytics",
        "t.last_updated ASC NULLS LAST, t.course_id",
        Some(|m: &course_analytics::Model| {
            Some(Condition::all().add(course_analytics::Column::CourseId.eq(m.course_id)))
        }),
        None,
        analytics,
    )
    .await?;
    same::<student_analytics::Entity, _>(
        imp,
        root,
        src,
        batch,
        "student_analytics",
        "t.last_updated ASC NULLS LAST, t.user_id",
        Some(|m: &student_analytics::Model| {
            Some(Condition::all().add(student_analytics::Column::UserId.eq(m.user_id)))
        }),
        None,
        analytics,
    )
    .await?;
    same::<analytics_events::Entity, _>(
        imp,
        root,
        src,
        batch,
        "analytics_events",
        "t.timestamp ASC NULLS LAST, t.id",
        None,
        None,
        |f, _| {
            let at = ts(f, "timestamp")?.unwrap_or_else(|| started.fixed_offset());
            Ok(vec![("occurred_at", at.into()), ("created_at", at.into())])
        },
    )
    .await?;
    Ok(())
}
