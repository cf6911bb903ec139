//! Module 05 `assessments` (SPEC.md §7): quizzes, questions, quiz_submissions, assignments, assignment_submissions.
//!
//! TODO(scaffold): module doc (what the group holds, deviations), enums, one function per table.

use sea_orm_migration::prelude::*;

use crate::ddl::{ForeignKeySpec, TableGroup};
use crate::m20261121_000007_practice::KnowledgePoints;

const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[],
    steps: &[],
};

crate::group_migration!(GROUP);

/// `questions.knowledge_point_id → knowledge_points(id)`, deferred to module 07 (SPEC.md §1):
/// declared by `questions` on SQLite, added by the practice group elsewhere.
pub fn fk_questions_knowledge_point_id() -> ForeignKeySpec {
    ForeignKeySpec {
        name: "fk_questions_knowledge_point_id",
        table: Questions::Table.into_iden(),
        column: Questions::KnowledgePointId.into_iden(),
        ref_table: KnowledgePoints::Table.into_iden(),
        ref_column: KnowledgePoints::Id.into_iden(),
        on_delete: ForeignKeyAction::SetNull,
    }
}

#[derive(DeriveIden)]
pub enum Quizzes {
    Table,
    Id,
    LessonId,
    Title,
    Description,
    QuizType,
    TimeLimitMinutes,
    PassingScorePercentage,
    MaxAttempts,
    RandomizeQuestions,
    RandomizeOptions,
    ShowCorrectAnswers,
    ShowExplanations,
    AvailableFrom,
    AvailableUntil,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Questions {
    Table,
    Id,
    QuizId,
    KnowledgePointId,
    QuestionType,
    AllowMultiple,
    QuestionText,
    QuestionMediaUrl,
    Options,
    CorrectAnswer,
    Explanation,
    OriginalParagraph,
    Images,
    Tags,
    Points,
    OrderNumber,
    Difficulty,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum QuizSubmissions {
    Table,
    Id,
    QuizId,
    StudentId,
    EnrollmentId,
    AttemptNumber,
    StartedAt,
    SubmittedAt,
    TimeTakenSeconds,
    ScorePercentage,
    PointsEarned,
    Answers,
    GradingStatus,
    Feedback,
    GradedAt,
    GradedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Assignments {
    Table,
    Id,
    LessonId,
    Title,
    Description,
    Instructions,
    DueDate,
    LateSubmissionAllowed,
    LatePenaltyPercentage,
    MaxPoints,
    RequiresFileUpload,
    AllowedFileTypes,
    MaxFileSizeMb,
    Rubric,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum AssignmentSubmissions {
    Table,
    Id,
    AssignmentId,
    StudentId,
    EnrollmentId,
    FileUrl,
    FileName,
    FileSizeBytes,
    SubmissionText,
    SubmittedAt,
    IsLate,
    PointsAwarded,
    Feedback,
    GradingStatus,
    GradedAt,
    GradedBy,
    RevisionNumber,
    ParentSubmissionId,
    CreatedAt,
    UpdatedAt,
}
