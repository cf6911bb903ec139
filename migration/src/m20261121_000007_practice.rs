//! Module 07 `practice` (SPEC.md §9): knowledge_points, knowledge_points_metadata, practice_strategies, practice_answers, student_weaknesses, student_mistakes, attachments.
//!
//! TODO(scaffold): module doc (what the group holds, deviations), enums, one function per table.

use sea_orm_migration::prelude::*;

use crate::ddl::TableGroup;

const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[],
    steps: &[],
};

crate::group_migration!(GROUP);

#[derive(DeriveIden)]
pub enum KnowledgePoints {
    Table,
    Id,
    Code,
    Topic,
    Volume,
    Unit,
    Lesson,
    Sub,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum KnowledgePointsMetadata {
    Table,
    Id,
    MetaKey,
    MetaValue,
    Description,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum PracticeStrategies {
    Table,
    Id,
    Name,
    Description,
    StrategyType,
    Config,
    IsActive,
    Priority,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum PracticeAnswers {
    Table,
    Id,
    SessionId,
    QuestionId,
    UserAnswer,
    IsCorrect,
    TimeSpentSeconds,
    AnsweredAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum StudentWeaknesses {
    Table,
    Id,
    UserId,
    KnowledgePointId,
    WeaknessScore,
    TotalAttempts,
    CorrectAttempts,
    LastAttemptAt,
    ImprovementTrend,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum StudentMistakes {
    Table,
    Id,
    UserId,
    QuestionId,
    PracticeSessionId,
    MistakeCount,
    LastMistakeAt,
    IsMastered,
    MasteredAt,
    ReviewCount,
    NextReviewAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Attachments {
    Table,
    Id,
    FileId,
    FileExtension,
    MimeType,
    FilePath,
    FileSize,
    FileHash,
    OriginalFilename,
    UploadedBy,
    UploadPurpose,
    Metadata,
    IsPublic,
    AccessCount,
    LastAccessedAt,
    CreatedAt,
    UpdatedAt,
}
