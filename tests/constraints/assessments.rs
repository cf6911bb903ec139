//! The assessments group (SPEC.md §7): quizzes, questions, quiz_submissions, assignments and
//! assignment_submissions reject rows that break their CHECKs (the ‡ `ck_questions_order_required`
//! on PostgreSQL and SQLite only), UNIQUEs, foreign keys (the deferred
//! `fk_questions_knowledge_point_id` too), enum columns and JSON columns.

use super::courses::rejected_where_checked;
use super::*;
use crate::common::factories::assessments::*;
use crate::common::factories::courses::{course, course_module, lesson};
use crate::common::factories::enrollments::enrollment;
use crate::common::factories::users::user;

on_every_backend!(
    assessments_group_rejects_invalid_rows,
    assessments_group_rejects_invalid_rows
);

async fn assessments_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    // The valid rows: ada teaches and grades, bob is enrolled; the lesson has a quiz with one
    // question, there is one question-bank item, and bob has a graded attempt and submission.
    let (ada, bob, course_id, module, lesson_id, enrollment_id) =
        (new(), new(), new(), new(), new(), new());
    c.accepted(user(b, ada)).await;
    c.accepted(user(b, bob)).await;
    c.accepted(course(b, course_id, ada)).await;
    c.accepted(course_module(module, course_id, 0)).await;
    c.accepted(lesson(b, lesson_id, module, 0)).await;
    c.accepted(enrollment(b, enrollment_id, bob, course_id))
        .await;
    let (quiz_id, assignment_id, submission) = (new(), new(), new());
    c.accepted(quiz(b, quiz_id, lesson_id)).await;
    c.accepted(question(b, new(), quiz_id, 0)).await;
    c.accepted(
        question(b, new(), quiz_id, 0)
            .without("quiz_id")
            .without("order_number"),
    )
    .await;
    c.accepted(quiz_submission(
        b,
        new(),
        quiz_id,
        bob,
        enrollment_id,
        1,
        ada,
    ))
    .await;
    c.accepted(assignment(assignment_id, lesson_id)).await;
    c.accepted(assignment_submission(
        b,
        submission,
        assignment_id,
        bob,
        enrollment_id,
        1,
        ada,
    ))
    .await;

    // quizzes
    let fresh = || quiz(b, new(), lesson_id);
    for score in [101, -1] {
        let case = format!("passing_score_percentage {score}");
        let row = fresh().with("passing_score_percentage", score);
        c.rejected(row, Check("ck_quizzes_passing_score"), &case)
            .await;
    }
    for (column, value, case) in [
        ("max_attempts", -1, "negative max_attempts"),
        ("time_limit_minutes", 0, "zero time_limit_minutes"),
    ] {
        let row = fresh().with(column, value);
        c.rejected(row, Check("ck_quizzes_limits"), case).await;
    }
    for (until, case) in [
        (0, "available_until equal to available_from"),
        (-1, "available_until before available_from"),
    ] {
        let row = fresh().with("available_until", at(until));
        c.rejected(row, Check("ck_quizzes_window"), case).await;
    }
    c.rejected(
        fresh().with("lesson_id", nobody()),
        ForeignKey("fk_quizzes_lesson_id"),
        "orphan lesson_id",
    )
    .await;
    c.rejects_enum(fresh(), "quiz_type", "quiz_type", "final")
        .await;
    c.accepted(fresh()).await;
    // Unlimited time, always open.
    c.accepted(
        fresh()
            .without("time_limit_minutes")
            .without("available_from")
            .without("available_until"),
    )
    .await;

    // questions
    let fresh = || question(b, new(), quiz_id, 1);
    c.rejected(
        fresh().with("points", -1),
        Check("ck_questions_points"),
        "negative points",
    )
    .await;
    c.rejected(
        fresh().with("order_number", -1),
        Check("ck_questions_order"),
        "negative order_number",
    )
    .await;
    rejected_where_checked(
        &mut c,
        fresh().without("order_number"),
        "ck_questions_order_required",
        "question in a quiz without order_number",
    )
    .await;
    c.rejected(
        fresh().with("quiz_id", nobody()),
        ForeignKey("fk_questions_quiz_id"),
        "orphan quiz_id",
    )
    .await;
    // Deferred: added by the practice group (inline on SQLite).
    c.rejected(
        fresh().with("knowledge_point_id", nobody()),
        ForeignKey("fk_questions_knowledge_point_id"),
        "orphan knowledge_point_id",
    )
    .await;
    c.rejects_enum(fresh(), "question_type", "question_type", "ranking")
        .await;
    c.rejects_enum(fresh(), "difficulty", "question_difficulty", "extreme")
        .await;
    for column in ["options", "correct_answer", "images", "tags"] {
        c.rejects_json(fresh(), column).await;
    }
    c.accepted(fresh()).await;

    // quiz_submissions: copies are bob's second attempt.
    let fresh = || quiz_submission(b, new(), quiz_id, bob, enrollment_id, 2, ada);
    c.rejected(
        fresh().with("attempt_number", 0),
        Check("ck_quiz_submissions_attempt"),
        "attempt_number 0",
    )
    .await;
    for score in ["100.01", "-0.01"] {
        let case = format!("score_percentage {score}");
        let row = fresh().with("score_percentage", dec(score));
        c.rejected(row, Check("ck_quiz_submissions_score"), &case)
            .await;
    }
    c.rejected(
        fresh().with("time_taken_seconds", -1),
        Check("ck_quiz_submissions_values"),
        "negative time_taken_seconds",
    )
    .await;
    c.rejected(
        fresh().with("points_earned", dec("-0.01")),
        Check("ck_quiz_submissions_values"),
        "negative points_earned",
    )
    .await;
    c.rejected(
        fresh().with("attempt_number", 1),
        Unique("uq_quiz_submissions_attempt"),
        "same quiz, student and attempt number",
    )
    .await;
    for (column, fk) in [
        ("quiz_id", "fk_quiz_submissions_quiz_id"),
        ("student_id", "fk_quiz_submissions_student_id"),
        ("enrollment_id", "fk_quiz_submissions_enrollment_id"),
        ("graded_by", "fk_quiz_submissions_graded_by"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.rejects_enum(fresh(), "grading_status", "grading_status", "failed")
        .await;
    c.rejects_json(fresh(), "answers").await;
    c.accepted(fresh()).await;

    // assignments
    let fresh = || assignment(new(), lesson_id);
    for penalty in [101, -1] {
        let case = format!("late_penalty_percentage {penalty}");
        let row = fresh().with("late_penalty_percentage", penalty);
        c.rejected(row, Check("ck_assignments_late_penalty"), &case)
            .await;
    }
    for column in ["max_points", "max_file_size_mb"] {
        let case = format!("zero {column}");
        let row = fresh().with(column, 0);
        c.rejected(row, Check("ck_assignments_limits"), &case).await;
    }
    c.rejected(
        fresh().with("lesson_id", nobody()),
        ForeignKey("fk_assignments_lesson_id"),
        "orphan lesson_id",
    )
    .await;
    for column in ["allowed_file_types", "rubric"] {
        c.rejects_json(fresh(), column).await;
    }
    c.accepted(fresh()).await;

    // assignment_submissions: copies are bob's second revision of the first submission.
    let fresh = || {
        assignment_submission(b, new(), assignment_id, bob, enrollment_id, 2, ada)
            .with("parent_submission_id", submission)
    };
    c.rejected(
        fresh().with("revision_number", 0),
        Check("ck_assignment_submissions_revision"),
        "revision_number 0",
    )
    .await;
    c.rejected(
        fresh().with("file_size_bytes", -1_i64),
        Check("ck_assignment_submissions_values"),
        "negative file_size_bytes",
    )
    .await;
    c.rejected(
        fresh().with("points_awarded", dec("-0.01")),
        Check("ck_assignment_submissions_values"),
        "negative points_awarded",
    )
    .await;
    c.rejected(
        fresh().with("revision_number", 1),
        Unique("uq_assignment_submissions_revision"),
        "same assignment, student and revision number",
    )
    .await;
    for (column, fk) in [
        ("assignment_id", "fk_assignment_submissions_assignment_id"),
        ("student_id", "fk_assignment_submissions_student_id"),
        ("enrollment_id", "fk_assignment_submissions_enrollment_id"),
        ("graded_by", "fk_assignment_submissions_graded_by"),
        (
            "parent_submission_id",
            "fk_assignment_submissions_parent_submission_id",
        ),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.rejects_enum(
        fresh(),
        "grading_status",
        "assignment_grading_status",
        "rejected",
    )
    .await;
    c.accepted(fresh()).await;

    c.finish("assessments").await;
}
