//! The enrollments group (SPEC.md §6): enrollments, lesson_progress and certificates reject rows
//! that break their CHECKs, UNIQUEs, foreign keys (the deferred `fk_enrollments_payment_id`
//! too), enum columns and JSON column.

use super::*;
use crate::common::factories::courses::{course, course_module, lesson};
use crate::common::factories::enrollments::*;
use crate::common::factories::users::user;

on_every_backend!(
    enrollments_group_rejects_invalid_rows,
    enrollments_group_rejects_invalid_rows
);

async fn enrollments_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    // The valid rows: ada and bob are enrolled in a course of two lessons; ada has progress on
    // the first lesson and a certificate; cy is not enrolled yet.
    let (ada, bob, cy, course_id, module, first, second) =
        (new(), new(), new(), new(), new(), new(), new());
    for id in [ada, bob, cy] {
        c.accepted(user(b, id)).await;
    }
    c.accepted(course(b, course_id, ada)).await;
    c.accepted(course_module(module, course_id, 0)).await;
    c.accepted(lesson(b, first, module, 0)).await;
    c.accepted(lesson(b, second, module, 1)).await;
    let (ada_enrollment, bob_enrollment) = (new(), new());
    c.accepted(enrollment(b, ada_enrollment, ada, course_id))
        .await;
    c.accepted(enrollment(b, bob_enrollment, bob, course_id))
        .await;
    c.accepted(lesson_progress(b, new(), ada_enrollment, first))
        .await;
    let certificate_row = c.accepted(certificate(new(), ada_enrollment)).await;

    // enrollments: copies are cy's.
    let fresh = || enrollment(b, new(), cy, course_id);
    for progress in ["100.01", "-0.01"] {
        let case = format!("progress_percentage {progress}");
        let row = fresh().with("progress_percentage", dec(progress));
        c.rejected(row, Check("ck_enrollments_progress"), &case)
            .await;
    }
    c.rejected(
        fresh().with("completed_at", at(-1)),
        Check("ck_enrollments_completed"),
        "completed_at before enrolled_at",
    )
    .await;
    c.rejected(
        fresh().with("student_id", ada),
        Unique("uq_enrollments_student_course"),
        "second enrollment of a student in a course",
    )
    .await;
    for (column, fk) in [
        ("student_id", "fk_enrollments_student_id"),
        ("course_id", "fk_enrollments_course_id"),
        // Deferred: added by the payments group (inline on SQLite).
        ("payment_id", "fk_enrollments_payment_id"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.rejects_enum(fresh(), "status", "enrollment_status", "paused")
        .await;
    c.accepted(fresh()).await;

    // lesson_progress: copies are ada's progress on the second lesson.
    let fresh = || lesson_progress(b, new(), ada_enrollment, second);
    for counter in ["time_spent_seconds", "attempts_count"] {
        let case = format!("negative {counter}");
        let row = fresh().with(counter, -1);
        c.rejected(row, Check("ck_lesson_progress_counters"), &case)
            .await;
    }
    for score in [101, -1] {
        let case = format!("quiz_score {score}");
        let row = fresh().with("quiz_score", score);
        c.rejected(row, Check("ck_lesson_progress_quiz_score"), &case)
            .await;
    }
    c.rejected(
        fresh().with("lesson_id", first),
        Unique("uq_lesson_progress_enrollment_lesson"),
        "second progress row for an enrollment and lesson",
    )
    .await;
    for (column, fk) in [
        ("enrollment_id", "fk_lesson_progress_enrollment_id"),
        ("lesson_id", "fk_lesson_progress_lesson_id"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.rejects_enum(fresh(), "status", "progress_status", "skipped")
        .await;
    c.accepted(fresh()).await;

    // certificates: copies are bob's, who has none yet.
    let fresh = || certificate(new(), bob_enrollment);
    c.rejected(
        fresh().with("enrollment_id", ada_enrollment),
        Unique("uq_certificates_enrollment_id"),
        "second certificate for an enrollment",
    )
    .await;
    c.rejected(
        fresh().with("certificate_id", certificate_row.get("certificate_id")),
        Unique("uq_certificates_certificate_id"),
        "duplicate certificate code",
    )
    .await;
    c.rejected(
        fresh().with("enrollment_id", nobody()),
        ForeignKey("fk_certificates_enrollment_id"),
        "orphan enrollment_id",
    )
    .await;
    c.rejects_json(fresh(), "metadata").await;
    c.accepted(fresh()).await;

    c.finish("enrollments").await;
}
