//! Module 07 `practice` (SPEC.md §9): knowledge_points, knowledge_points_metadata,
//! practice_strategies, practice_answers, student_weaknesses, student_mistakes, attachments.
//!
//! The KG self-practice tables. KG's natural `varchar` key of `knowledge_points` becomes `code`
//! beside a uuid `id`, so every reference to a knowledge point is a uuid foreign key; KG's
//! `quizzes` are now bank rows of `questions` (module 05), so answers and mistakes refer to
//! `questions`. This group also adds the foreign key that module 05 deferred,
//! `fk_questions_knowledge_point_id` (SPEC.md §1): `ALTER TABLE questions ADD CONSTRAINT` on
//! PostgreSQL and the MySQL family, declared inline by `questions` on SQLite.
//!
//! `practice_answers` takes one row per answered question, so it is an insert-heavy table (§0.1).
//! `practice_strategy_type` keeps KG's upper-case values; it is not the `practice_strategy` enum
//! of `practice_sessions.strategy` (module 06). The MySQL family compares ENUM values under the
//! table's case-insensitive collation, so it also takes `'quick_practice'` and stores the defined
//! `'QUICK_PRACTICE'`; PostgreSQL and SQLite reject the lower-case spelling. What is read back is
//! the same everywhere.
//!
//! Deviations: `ix_student_mistakes_review` is the portable composite (is_mastered,
//! next_review_at), not KG's optional partial index, so the schema has one shape everywhere.

use sea_orm_migration::prelude::*;

use crate::ddl::{DbEnum, Ddl, JsonDefault, Step, TableGroup, null_or_non_negative};
use crate::m20261121_000001_users::Users;
use crate::m20261121_000005_assessments::Questions;
use crate::m20261121_000006_progress::PracticeSessions;

pub const PRACTICE_STRATEGY_TYPE: DbEnum = DbEnum {
    name: "practice_strategy_type",
    values: &[
        "QUICK_PRACTICE",
        "WEAKNESS_REINFORCEMENT",
        "MISTAKE_REINFORCEMENT",
        "COMPREHENSIVE_REVIEW",
        "EXAM_SIMULATION",
    ],
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[&PRACTICE_STRATEGY_TYPE],
    tables: &[
        knowledge_points,
        knowledge_points_metadata,
        practice_strategies,
        practice_answers,
        student_weaknesses,
        student_mistakes,
        attachments,
    ],
    steps: &[Step::ForeignKey(
        crate::m20261121_000005_assessments::fk_questions_knowledge_point_id,
    )],
};

crate::group_migration!(GROUP);

fn knowledge_points(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(KnowledgePoints::Table)
        .col(ddl.id(KnowledgePoints::Id))
        .col(ddl.string(KnowledgePoints::Code, 255))
        .col(ddl.string(KnowledgePoints::Topic, 190))
        .col(ddl.string_null(KnowledgePoints::Volume, 190))
        .col(ddl.string_null(KnowledgePoints::Unit, 190))
        .col(ddl.string_null(KnowledgePoints::Lesson, 190))
        .col(ddl.string_null(KnowledgePoints::Sub, 190))
        .col(ddl.created_at(KnowledgePoints::CreatedAt))
        .col(ddl.updated_at(KnowledgePoints::UpdatedAt))
        .unique("uq_knowledge_points_code", [KnowledgePoints::Code])
        .index(
            "ix_knowledge_points_hierarchy",
            [
                KnowledgePoints::Topic,
                KnowledgePoints::Volume,
                KnowledgePoints::Unit,
                KnowledgePoints::Lesson,
            ],
        )
}

fn knowledge_points_metadata(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(KnowledgePointsMetadata::Table)
        .col(ddl.id(KnowledgePointsMetadata::Id))
        .col(ddl.string(KnowledgePointsMetadata::MetaKey, 255))
        .col(ddl.json(KnowledgePointsMetadata::MetaValue))
        .col(ddl.text_null(KnowledgePointsMetadata::Description))
        .col(ddl.created_at(KnowledgePointsMetadata::CreatedAt))
        .col(ddl.updated_at(KnowledgePointsMetadata::UpdatedAt))
        .unique(
            "uq_knowledge_points_metadata_key",
            [KnowledgePointsMetadata::MetaKey],
        )
}

fn practice_strategies(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(PracticeStrategies::Table)
        .col(ddl.id(PracticeStrategies::Id))
        .col(ddl.string(PracticeStrategies::Name, 100))
        .col(ddl.text_null(PracticeStrategies::Description))
        .col(ddl.enumeration(PracticeStrategies::StrategyType, &PRACTICE_STRATEGY_TYPE))
        .col(
            ddl.json(PracticeStrategies::Config)
                .default(ddl.json_default(JsonDefault::EmptyObject)),
        )
        .col(ddl.boolean(PracticeStrategies::IsActive).default(true))
        .col(ddl.integer(PracticeStrategies::Priority).default(0))
        .col(ddl.created_at(PracticeStrategies::CreatedAt))
        .col(ddl.updated_at(PracticeStrategies::UpdatedAt))
        .unique("uq_practice_strategies_name", [PracticeStrategies::Name])
        .index(
            "ix_practice_strategies_active_priority",
            [PracticeStrategies::IsActive, PracticeStrategies::Priority],
        )
}

pub(crate) fn practice_answers(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.insert_heavy_table(PracticeAnswers::Table, PracticeAnswers::Id)
        .col(ddl.uuid(PracticeAnswers::SessionId))
        .col(ddl.uuid(PracticeAnswers::QuestionId))
        .col(ddl.json_null(PracticeAnswers::UserAnswer))
        .col(ddl.boolean(PracticeAnswers::IsCorrect).default(false))
        .col(ddl.integer_null(PracticeAnswers::TimeSpentSeconds))
        .col(
            ddl.timestamptz(PracticeAnswers::AnsweredAt)
                .default(ddl.now()),
        )
        .col(ddl.created_at(PracticeAnswers::CreatedAt))
        .col(ddl.updated_at(PracticeAnswers::UpdatedAt))
        .foreign_key(
            "fk_practice_answers_session_id",
            PracticeAnswers::SessionId,
            PracticeSessions::Table,
            PracticeSessions::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_practice_answers_question_id",
            PracticeAnswers::QuestionId,
            Questions::Table,
            Questions::Id,
            ForeignKeyAction::Cascade,
        )
        .check(
            "ck_practice_answers_time",
            null_or_non_negative(PracticeAnswers::TimeSpentSeconds),
        )
        .index(
            "ix_practice_answers_session_question",
            [PracticeAnswers::SessionId, PracticeAnswers::QuestionId],
        )
        .index(
            "ix_practice_answers_question_id",
            [PracticeAnswers::QuestionId],
        )
}

fn student_weaknesses(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(StudentWeaknesses::Table)
        .col(ddl.id(StudentWeaknesses::Id))
        .col(ddl.uuid(StudentWeaknesses::UserId))
        .col(ddl.uuid(StudentWeaknesses::KnowledgePointId))
        .col(
            ddl.decimal(StudentWeaknesses::WeaknessScore, 5, 2)
                .default(0),
        )
        .col(ddl.integer(StudentWeaknesses::TotalAttempts).default(0))
        .col(ddl.integer(StudentWeaknesses::CorrectAttempts).default(0))
        .col(ddl.timestamptz_null(StudentWeaknesses::LastAttemptAt))
        .col(
            ddl.decimal(StudentWeaknesses::ImprovementTrend, 5, 2)
                .default(0),
        )
        .col(ddl.created_at(StudentWeaknesses::CreatedAt))
        .col(ddl.updated_at(StudentWeaknesses::UpdatedAt))
        .foreign_key(
            "fk_student_weaknesses_user_id",
            StudentWeaknesses::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_student_weaknesses_knowledge_point_id",
            StudentWeaknesses::KnowledgePointId,
            KnowledgePoints::Table,
            KnowledgePoints::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_student_weaknesses_user_kp",
            [
                StudentWeaknesses::UserId,
                StudentWeaknesses::KnowledgePointId,
            ],
        )
        .check(
            "ck_student_weaknesses_score",
            Expr::col(StudentWeaknesses::WeaknessScore).between(0, 100),
        )
        .check(
            "ck_student_weaknesses_attempts",
            Expr::col(StudentWeaknesses::TotalAttempts)
                .gte(0)
                .and(Expr::col(StudentWeaknesses::CorrectAttempts).gte(0))
                .and(
                    Expr::col(StudentWeaknesses::CorrectAttempts)
                        .lte(Expr::col(StudentWeaknesses::TotalAttempts)),
                ),
        )
        .index(
            "ix_student_weaknesses_kp",
            [StudentWeaknesses::KnowledgePointId],
        )
        .index(
            "ix_student_weaknesses_score",
            [StudentWeaknesses::WeaknessScore],
        )
}

fn student_mistakes(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(StudentMistakes::Table)
        .col(ddl.id(StudentMistakes::Id))
        .col(ddl.uuid(StudentMistakes::UserId))
        .col(ddl.uuid(StudentMistakes::QuestionId))
        .col(ddl.uuid_null(StudentMistakes::PracticeSessionId))
        .col(ddl.integer(StudentMistakes::MistakeCount).default(1))
        .col(
            ddl.timestamptz(StudentMistakes::LastMistakeAt)
                .default(ddl.now()),
        )
        .col(ddl.boolean(StudentMistakes::IsMastered).default(false))
        .col(ddl.timestamptz_null(StudentMistakes::MasteredAt))
        .col(ddl.integer(StudentMistakes::ReviewCount).default(0))
        .col(ddl.timestamptz_null(StudentMistakes::NextReviewAt))
        .col(ddl.created_at(StudentMistakes::CreatedAt))
        .col(ddl.updated_at(StudentMistakes::UpdatedAt))
        .foreign_key(
            "fk_student_mistakes_user_id",
            StudentMistakes::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_student_mistakes_question_id",
            StudentMistakes::QuestionId,
            Questions::Table,
            Questions::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_student_mistakes_practice_session_id",
            StudentMistakes::PracticeSessionId,
            PracticeSessions::Table,
            PracticeSessions::Id,
            ForeignKeyAction::SetNull,
        )
        .unique(
            "uq_student_mistakes_user_question",
            [StudentMistakes::UserId, StudentMistakes::QuestionId],
        )
        .check(
            "ck_student_mistakes_counts",
            Expr::col(StudentMistakes::MistakeCount)
                .gte(1)
                .and(Expr::col(StudentMistakes::ReviewCount).gte(0)),
        )
        .check(
            "ck_student_mistakes_mastered",
            Expr::col(StudentMistakes::IsMastered)
                .eq(false)
                .or(Expr::col(StudentMistakes::MasteredAt).is_not_null()),
        )
        .index(
            "ix_student_mistakes_question_id",
            [StudentMistakes::QuestionId],
        )
        .index(
            "ix_student_mistakes_session_id",
            [StudentMistakes::PracticeSessionId],
        )
        .index(
            "ix_student_mistakes_review",
            [StudentMistakes::IsMastered, StudentMistakes::NextReviewAt],
        )
}

fn attachments(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(Attachments::Table)
        .col(ddl.id(Attachments::Id))
        .col(ddl.string(Attachments::FileId, 255))
        .col(ddl.string(Attachments::FileExtension, 50))
        .col(ddl.string(Attachments::MimeType, 255))
        .col(ddl.string(Attachments::FilePath, 1000))
        .col(ddl.bigint(Attachments::FileSize))
        .col(ddl.string_null(Attachments::FileHash, 64))
        .col(ddl.string_null(Attachments::OriginalFilename, 500))
        .col(ddl.uuid_null(Attachments::UploadedBy))
        .col(ddl.string_null(Attachments::UploadPurpose, 100))
        .col(
            ddl.json(Attachments::Metadata)
                .default(ddl.json_default(JsonDefault::EmptyObject)),
        )
        .col(ddl.boolean(Attachments::IsPublic).default(false))
        .col(ddl.integer(Attachments::AccessCount).default(0))
        .col(ddl.timestamptz_null(Attachments::LastAccessedAt))
        .col(ddl.created_at(Attachments::CreatedAt))
        .col(ddl.updated_at(Attachments::UpdatedAt))
        .foreign_key(
            "fk_attachments_uploaded_by",
            Attachments::UploadedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .unique("uq_attachments_file_id", [Attachments::FileId])
        .check(
            "ck_attachments_counters",
            Expr::col(Attachments::FileSize)
                .gte(0)
                .and(Expr::col(Attachments::AccessCount).gte(0)),
        )
        .index("ix_attachments_uploaded_by", [Attachments::UploadedBy])
        .index("ix_attachments_mime_type", [Attachments::MimeType])
        .index("ix_attachments_created_at", [Attachments::CreatedAt])
}

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
