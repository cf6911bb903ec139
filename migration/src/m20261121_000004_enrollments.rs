//! Module 04 `enrollments` (SPEC.md §6): enrollments, lesson_progress, certificates.
//!
//! TODO(scaffold): module doc (what the group holds, deviations), enums, one function per table.

use sea_orm_migration::prelude::*;

use crate::ddl::{ForeignKeySpec, TableGroup};
use crate::m20261121_000014_payments::Payments;

const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[],
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
