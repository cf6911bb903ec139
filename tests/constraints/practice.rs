//! The practice group (SPEC.md §9): knowledge_points, knowledge_points_metadata,
//! practice_strategies, practice_answers, student_weaknesses, student_mistakes and attachments
//! reject rows that break their CHECKs, UNIQUEs, foreign keys, enum and JSON columns; and the
//! foreign key this group adds to `questions` (`fk_questions_knowledge_point_id`, deferred from
//! module 05) holds.

use super::*;
use crate::common::factories::assessments::question;
use crate::common::factories::practice::*;
use sea_orm::sea_query::ExprTrait;

on_every_backend!(
    practice_group_rejects_invalid_rows,
    practice_group_rejects_invalid_rows
);

/// A question-bank row (no quiz), as every KG question is.
fn bank_question(b: Backend, id: Uuid) -> Row {
    question(b, id, nobody(), 0)
        .without("quiz_id")
        .without("order_number")
}

async fn practice_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    let (ada, bob, fox, session, later, kp, q, q2) =
        (new(), new(), new(), new(), new(), new(), new(), new());
    c.accepted(user(b, ada)).await;
    c.accepted(user(b, bob)).await;
    c.accepted(story(b, fox, ada)).await;
    c.accepted(practice_session(b, session, ada, fox)).await;
    c.accepted(practice_session(b, later, ada, fox)).await;
    let kp_row = c.accepted(knowledge_point(kp)).await;
    c.accepted(bank_question(b, q).with("knowledge_point_id", kp))
        .await;
    c.accepted(bank_question(b, q2)).await;
    let metadata = c.accepted(knowledge_point_metadata(new())).await;
    let strategy = c.accepted(practice_strategy(b, new())).await;
    c.accepted(practice_answer(new(), session, q)).await;
    c.accepted(student_weakness(new(), ada, kp)).await;
    c.accepted(student_mistake(new(), ada, q, session)).await;
    let file = c.accepted(attachment(new(), ada)).await;

    // questions.knowledge_point_id: the foreign key this group adds.
    c.rejected(
        bank_question(b, new()).with("knowledge_point_id", nobody()),
        ForeignKey("fk_questions_knowledge_point_id"),
        "orphan knowledge_point_id",
    )
    .await;

    // knowledge_points
    let fresh = || knowledge_point(new());
    c.rejected(
        fresh().with("code", kp_row.get("code")),
        Unique("uq_knowledge_points_code"),
        "duplicate code",
    )
    .await;
    c.rejected(
        fresh().with("sort_index", -1),
        Check("ck_knowledge_points_sort_index"),
        "negative sort_index",
    )
    .await;
    c.accepted(fresh()).await;
    c.accepted(fresh().with("sort_index", 0)).await;
    // Only `topic` of the hierarchy is required; module 20's columns have their defaults.
    c.accepted(
        fresh()
            .without("volume")
            .without("unit")
            .without("lesson")
            .without("sub")
            .without("subject_id")
            .without("sort_index"),
    )
    .await;

    // knowledge_points_metadata
    let fresh = || knowledge_point_metadata(new());
    c.rejected(
        fresh().with("meta_key", metadata.get("meta_key")),
        Unique("uq_knowledge_points_metadata_key"),
        "duplicate meta_key",
    )
    .await;
    c.rejects_json(fresh(), "meta_value").await;
    c.accepted(fresh()).await;

    // practice_strategies
    let fresh = || practice_strategy(b, new());
    c.rejected(
        fresh().with("name", strategy.get("name")),
        Unique("uq_practice_strategies_name"),
        "duplicate name",
    )
    .await;
    // KG's upper-case values are the values. The MySQL family compares ENUM values under the
    // table's case-insensitive collation, so there the lower-case spelling is taken and stored as
    // the defined upper-case value; PostgreSQL and SQLite reject it.
    if b == Backend::MySql {
        let id = new();
        c.accepted(practice_strategy(b, id).with("strategy_type", "quick_practice"))
            .await;
        let select = Query::select()
            .column(Alias::new("strategy_type"))
            .from(Alias::new("practice_strategies"))
            .and_where(Expr::col(Alias::new("id")).eq(id))
            .to_owned();
        let stored: String =
            t.db.query_one(&select)
                .await
                .unwrap()
                .expect("the row just inserted")
                .try_get("", "strategy_type")
                .unwrap();
        assert_eq!(stored, "QUICK_PRACTICE", "MySql: the stored strategy_type");
    } else {
        c.rejects_enum(
            fresh(),
            "strategy_type",
            "practice_strategy_type",
            "quick_practice",
        )
        .await;
    }
    c.rejects_enum(fresh(), "strategy_type", "practice_strategy_type", "RANDOM")
        .await;
    c.rejects_json(fresh(), "config").await;
    c.accepted(fresh()).await;
    c.accepted(fresh().without("config")).await;

    // practice_answers: copies answer q2, which the session has not answered yet.
    let fresh = || practice_answer(new(), session, q2);
    c.rejected(
        fresh().with("time_spent_seconds", -1),
        Check("ck_practice_answers_time"),
        "negative time_spent_seconds",
    )
    .await;
    c.rejected(
        fresh().with("session_id", nobody()),
        ForeignKey("fk_practice_answers_session_id"),
        "orphan session_id",
    )
    .await;
    c.rejected(
        fresh().with("question_id", nobody()),
        ForeignKey("fk_practice_answers_question_id"),
        "orphan question_id",
    )
    .await;
    // Module 20 (SPEC-26-27 §26.2.5): one answer per question and session, the key KG upserts on.
    c.rejected(
        fresh().with("question_id", q),
        Unique("uq_practice_answers_session_question"),
        "the same question answered twice in a session",
    )
    .await;
    c.rejects_json(fresh(), "user_answer").await;
    c.accepted(fresh()).await;
    // The same question answered in another session.
    c.accepted(
        fresh()
            .with("session_id", later)
            .without("time_spent_seconds")
            .without("user_answer"),
    )
    .await;

    // student_weaknesses: copies are bob's, who has none yet.
    let fresh = || student_weakness(new(), bob, kp);
    for (score, case) in [
        ("100.01", "weakness_score above 100"),
        ("-0.01", "negative weakness_score"),
    ] {
        let row = fresh().with("weakness_score", dec(score));
        c.rejected(row, Check("ck_student_weaknesses_score"), case)
            .await;
    }
    for (column, value, case) in [
        ("total_attempts", -1, "negative total_attempts"),
        ("correct_attempts", -1, "negative correct_attempts"),
        ("correct_attempts", 11, "correct_attempts > total_attempts"),
    ] {
        let row = fresh().with(column, value);
        c.rejected(row, Check("ck_student_weaknesses_attempts"), case)
            .await;
    }
    c.rejected(
        fresh().with("user_id", ada),
        Unique("uq_student_weaknesses_user_kp"),
        "same user and knowledge point twice",
    )
    .await;
    c.rejected(
        fresh().with("user_id", nobody()),
        ForeignKey("fk_student_weaknesses_user_id"),
        "orphan user_id",
    )
    .await;
    c.rejected(
        fresh().with("knowledge_point_id", nobody()),
        ForeignKey("fk_student_weaknesses_knowledge_point_id"),
        "orphan knowledge_point_id",
    )
    .await;
    // improvement_trend is signed and unchecked; the score's bounds are inclusive.
    c.accepted(
        fresh()
            .with("weakness_score", dec("0.00"))
            .with("improvement_trend", dec("-999.99")),
    )
    .await;

    // student_mistakes: copies are bob's.
    let fresh = || student_mistake(new(), bob, q, session);
    c.rejected(
        fresh().with("mistake_count", 0),
        Check("ck_student_mistakes_counts"),
        "mistake_count 0",
    )
    .await;
    c.rejected(
        fresh().with("review_count", -1),
        Check("ck_student_mistakes_counts"),
        "negative review_count",
    )
    .await;
    c.rejected(
        fresh().without("mastered_at"),
        Check("ck_student_mistakes_mastered"),
        "mastered without mastered_at",
    )
    .await;
    c.rejected(
        fresh().with("user_id", ada),
        Unique("uq_student_mistakes_user_question"),
        "same user and question twice",
    )
    .await;
    for (column, fk) in [
        ("user_id", "fk_student_mistakes_user_id"),
        ("question_id", "fk_student_mistakes_question_id"),
        (
            "practice_session_id",
            "fk_student_mistakes_practice_session_id",
        ),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    // The other side of ck_student_mistakes_mastered: a mistake not yet mastered, outside any
    // session.
    c.accepted(
        fresh()
            .with("is_mastered", false)
            .without("mastered_at")
            .without("practice_session_id"),
    )
    .await;

    // attachments
    let fresh = || attachment(new(), ada);
    c.rejected(
        fresh().with("file_size", -1_i64),
        Check("ck_attachments_counters"),
        "negative file_size",
    )
    .await;
    c.rejected(
        fresh().with("access_count", -1),
        Check("ck_attachments_counters"),
        "negative access_count",
    )
    .await;
    c.rejected(
        fresh().with("file_id", file.get("file_id")),
        Unique("uq_attachments_file_id"),
        "duplicate file_id",
    )
    .await;
    c.rejected(
        fresh().with("uploaded_by", nobody()),
        ForeignKey("fk_attachments_uploaded_by"),
        "orphan uploaded_by",
    )
    .await;
    c.rejects_json(fresh(), "metadata").await;
    c.accepted(fresh()).await;
    // A system file: no uploader, default metadata.
    c.accepted(fresh().without("uploaded_by").without("metadata"))
        .await;

    c.finish("practice").await;
}
