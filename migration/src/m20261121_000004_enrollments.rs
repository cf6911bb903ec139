//! Module 04 `enrollments` (SPEC.md §6): enrollments, lesson_progress, certificates.
//!
//! A student's enrollment in a course, their progress through its lessons, and the certificate
//! issued on completion; each goes with its enrollment (CASCADE). The DZ `certificate_id` column
//! of `enrollments` is dropped: `certificates.enrollment_id` is unique, so it is derivable, and
//! dropping it removes the enrollment↔certificate cycle. `certificates` is immutable and carries
//! no `updated_at`.
//!
//! `enrollments.payment_id` refers to `payments`, which module 14 creates: the foreign key is
//! defined once below ([`fk_enrollments_payment_id`]), declared inline on SQLite (which cannot add
//! a constraint later) and added by module 14 with `ALTER TABLE` elsewhere (SPEC.md §1).

use sea_orm_migration::prelude::*;

use crate::ddl::{DbEnum, Ddl, ForeignKeySpec, TableGroup, null_or_between};
use crate::m20261121_000001_users::Users;
use crate::m20261121_000003_courses::{Courses, Lessons};
use crate::m20261121_000014_payments::Payments;

pub const ENROLLMENT_STATUS: DbEnum = DbEnum {
    name: "enrollment_status",
    values: &["active", "completed", "dropped"],
};
pub const PROGRESS_STATUS: DbEnum = DbEnum {
    name: "progress_status",
    values: &["not_started", "in_progress", "completed"],
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[&ENROLLMENT_STATUS, &PROGRESS_STATUS],
    tables: &[enrollments, lesson_progress, certificates],
    steps: &[],
};

crate::group_migration!(GROUP);

/// `enrollments.payment_id → payments(id)`, deferred to module 14 (SPEC.md §1): declared by
/// `enrollments` on SQLite, added by the payments group elsewhere.
pub fn fk_enrollments_payment_id() -> ForeignKeySpec {
    ForeignKeySpec {
        name: "fk_enrollments_payment_id",
        table: Enrollments::Table.into_iden(),
        column: Enrollments::PaymentId.into_iden(),
        ref_table: Payments::Table.into_iden(),
        ref_column: Payments::Id.into_iden(),
        on_delete: ForeignKeyAction::SetNull,
    }
}

fn enrollments(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(Enrollments::Table)
        .col(ddl.id(Enrollments::Id))
        .col(ddl.uuid(Enrollments::StudentId))
        .col(ddl.uuid(Enrollments::CourseId))
        .col(ddl.timestamptz(Enrollments::EnrolledAt).default(ddl.now()))
        .col(ddl.timestamptz_null(Enrollments::CompletedAt))
        .col(
            ddl.decimal(Enrollments::ProgressPercentage, 5, 2)
                .default(0),
        )
        .col(ddl.timestamptz_null(Enrollments::LastAccessedAt))
        .col(ddl.uuid_null(Enrollments::PaymentId))
        .col(
            ddl.enumeration(Enrollments::Status, &ENROLLMENT_STATUS)
                .default(const { ENROLLMENT_STATUS.value("active") }),
        )
        .col(ddl.created_at(Enrollments::CreatedAt))
        .col(ddl.updated_at(Enrollments::UpdatedAt))
        .foreign_key(
            "fk_enrollments_student_id",
            Enrollments::StudentId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_enrollments_course_id",
            Enrollments::CourseId,
            Courses::Table,
            Courses::Id,
            ForeignKeyAction::Cascade,
        )
        .deferred_foreign_key(fk_enrollments_payment_id)
        .unique(
            "uq_enrollments_student_course",
            [Enrollments::StudentId, Enrollments::CourseId],
        )
        .check(
            "ck_enrollments_progress",
            Expr::col(Enrollments::ProgressPercentage).between(0, 100),
        )
        .check(
            "ck_enrollments_completed",
            Expr::col(Enrollments::CompletedAt)
                .is_null()
                .or(Expr::col(Enrollments::CompletedAt).gte(Expr::col(Enrollments::EnrolledAt))),
        )
        .index("ix_enrollments_course_id", [Enrollments::CourseId])
        .index("ix_enrollments_status", [Enrollments::Status])
        .index("ix_enrollments_completed_at", [Enrollments::CompletedAt])
        .index("ix_enrollments_payment_id", [Enrollments::PaymentId])
}

fn lesson_progress(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(LessonProgress::Table)
        .col(ddl.id(LessonProgress::Id))
        .col(ddl.uuid(LessonProgress::EnrollmentId))
        .col(ddl.uuid(LessonProgress::LessonId))
        .col(
            ddl.enumeration(LessonProgress::Status, &PROGRESS_STATUS)
                .default(const { PROGRESS_STATUS.value("not_started") }),
        )
        .col(ddl.integer(LessonProgress::TimeSpentSeconds).default(0))
        .col(ddl.timestamptz_null(LessonProgress::CompletedAt))
        .col(ddl.integer_null(LessonProgress::QuizScore))
        .col(ddl.integer(LessonProgress::AttemptsCount).default(0))
        .col(ddl.timestamptz_null(LessonProgress::LastAccessedAt))
        .col(ddl.created_at(LessonProgress::CreatedAt))
        .col(ddl.updated_at(LessonProgress::UpdatedAt))
        .foreign_key(
            "fk_lesson_progress_enrollment_id",
            LessonProgress::EnrollmentId,
            Enrollments::Table,
            Enrollments::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_lesson_progress_lesson_id",
            LessonProgress::LessonId,
            Lessons::Table,
            Lessons::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_lesson_progress_enrollment_lesson",
            [LessonProgress::EnrollmentId, LessonProgress::LessonId],
        )
        .check(
            "ck_lesson_progress_counters",
            Expr::col(LessonProgress::TimeSpentSeconds)
                .gte(0)
                .and(Expr::col(LessonProgress::AttemptsCount).gte(0)),
        )
        .check(
            "ck_lesson_progress_quiz_score",
            null_or_between(LessonProgress::QuizScore, 0, 100),
        )
        .index("ix_lesson_progress_lesson_id", [LessonProgress::LessonId])
        .index("ix_lesson_progress_status", [LessonProgress::Status])
        .index(
            "ix_lesson_progress_completed_at",
            [LessonProgress::CompletedAt],
        )
}

pub(crate) fn certificates(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(Certificates::Table)
        .col(ddl.id(Certificates::Id))
        .col(ddl.uuid(Certificates::EnrollmentId))
        .col(ddl.string(Certificates::CertificateId, 100))
        .col(ddl.string(Certificates::PdfUrl, 500))
        .col(ddl.timestamptz(Certificates::IssuedAt).default(ddl.now()))
        .col(ddl.string(Certificates::VerificationUrl, 500))
        .col(ddl.json_null(Certificates::Metadata))
        .col(ddl.created_at(Certificates::CreatedAt))
        .foreign_key(
            "fk_certificates_enrollment_id",
            Certificates::EnrollmentId,
            Enrollments::Table,
            Enrollments::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_certificates_enrollment_id",
            [Certificates::EnrollmentId],
        )
        .unique(
            "uq_certificates_certificate_id",
            [Certificates::CertificateId],
        )
}

#[derive(DeriveIden)]
pub enum Enrollments {
    Table,
    Id,
    StudentId,
    CourseId,
    EnrolledAt,
    CompletedAt,
    ProgressPercentage,
    LastAccessedAt,
    PaymentId,
    Status,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum LessonProgress {
    Table,
    Id,
    EnrollmentId,
    LessonId,
    Status,
    TimeSpentSeconds,
    CompletedAt,
    QuizScore,
    AttemptsCount,
    LastAccessedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Certificates {
    Table,
    Id,
    EnrollmentId,
    CertificateId,
    PdfUrl,
    IssuedAt,
    VerificationUrl,
    Metadata,
    CreatedAt,
}
