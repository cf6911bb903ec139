//! Module 06 `progress` (SPEC.md §8): practice_sessions, sentence_attempts, user_progress.
//!
//! `practice_sessions` merges SS story practice, KG quiz practice and AL adaptive sessions, so
//! every source-specific column is optional and a row's origin shows in `session_type`,
//! `strategy` and `story_id`; the counters use neutral names (`total_items`, `completed_items`).
//! `sentence_attempts` is append-only, and `user_progress` keeps one row per user and skill area.

use sea_orm_migration::prelude::*;

use crate::ddl::{DbEnum, Ddl, TableGroup, null_or_between, null_or_positive};
use crate::m20261121_000001_users::{DIFFICULTY, Users};
use crate::m20261121_000002_content::Stories;

pub const SESSION_TYPE: DbEnum = DbEnum {
    name: "session_type",
    values: &[
        "individual",
        "collaborative",
        "assessment",
        "practice",
        "review",
        "mock_test",
        "placement",
    ],
};
pub const PRACTICE_SESSION_STATUS: DbEnum = DbEnum {
    name: "practice_session_status",
    values: &["pending", "active", "paused", "completed", "abandoned"],
};
pub const PRACTICE_STRATEGY: DbEnum = DbEnum {
    name: "practice_strategy",
    values: &["random", "sequential", "adaptive", "review", "weakness"],
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[&SESSION_TYPE, &PRACTICE_SESSION_STATUS, &PRACTICE_STRATEGY],
    tables: &[practice_sessions, sentence_attempts, user_progress],
    steps: &[],
};

crate::group_migration!(GROUP);

pub(crate) fn practice_sessions(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(PracticeSessions::Table)
        .col(ddl.id(PracticeSessions::Id))
        .col(ddl.uuid(PracticeSessions::UserId))
        .col(
            ddl.enumeration(PracticeSessions::SessionType, &SESSION_TYPE)
                .default(const { SESSION_TYPE.value("practice") }),
        )
        .col(
            ddl.enumeration(PracticeSessions::Status, &PRACTICE_SESSION_STATUS)
                .default(const { PRACTICE_SESSION_STATUS.value("pending") }),
        )
        .col(ddl.uuid_null(PracticeSessions::StoryId))
        .col(ddl.string_null(PracticeSessions::SessionName, 255))
        .col(ddl.enumeration_null(PracticeSessions::Strategy, &PRACTICE_STRATEGY))
        .col(ddl.enumeration_null(PracticeSessions::DifficultyLevel, &DIFFICULTY))
        .col(ddl.json_null(PracticeSessions::SkillAreas))
        .col(ddl.json_null(PracticeSessions::KnowledgePointIds))
        .col(ddl.json_null(PracticeSessions::QuestionIds))
        .col(ddl.json_null(PracticeSessions::SessionData))
        .col(ddl.json_null(PracticeSessions::StoryContent))
        .col(ddl.json_null(PracticeSessions::PerformanceMetrics))
        .col(ddl.integer_null(PracticeSessions::TotalItems))
        .col(ddl.integer(PracticeSessions::CompletedItems).default(0))
        .col(ddl.integer(PracticeSessions::CorrectItems).default(0))
        .col(ddl.decimal_null(PracticeSessions::OverallScore, 5, 4))
        .col(ddl.integer_null(PracticeSessions::PointsEarned))
        .col(ddl.integer_null(PracticeSessions::TimeLimitMinutes))
        .col(ddl.timestamptz_null(PracticeSessions::StartedAt))
        .col(ddl.timestamptz_null(PracticeSessions::CompletedAt))
        .col(ddl.bigint_null(PracticeSessions::DurationMs))
        .col(ddl.decimal_null(PracticeSessions::AverageDifficulty, 6, 3))
        .col(ddl.string_null(PracticeSessions::DeviceType, 20))
        .col(ddl.string_null(PracticeSessions::AppVersion, 20))
        .col(ddl.created_at(PracticeSessions::CreatedAt))
        .col(ddl.updated_at(PracticeSessions::UpdatedAt))
        .foreign_key(
            "fk_practice_sessions_user_id",
            PracticeSessions::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_practice_sessions_story_id",
            PracticeSessions::StoryId,
            Stories::Table,
            Stories::Id,
            ForeignKeyAction::SetNull,
        )
        .check(
            "ck_practice_sessions_counts",
            Expr::col(PracticeSessions::CompletedItems)
                .gte(0)
                .and(Expr::col(PracticeSessions::CorrectItems).gte(0))
                .and(
                    Expr::col(PracticeSessions::TotalItems)
                        .is_null()
                        .or(Expr::col(PracticeSessions::TotalItems).gte(0).and(
                            Expr::col(PracticeSessions::CorrectItems)
                                .lte(Expr::col(PracticeSessions::TotalItems)),
                        )),
                ),
        )
        .check(
            "ck_practice_sessions_score",
            null_or_between(PracticeSessions::OverallScore, 0, 1),
        )
        .check(
            "ck_practice_sessions_limits",
            Expr::col(PracticeSessions::PointsEarned)
                .is_null()
                .or(Expr::col(PracticeSessions::PointsEarned).gte(0))
                .and(null_or_positive(PracticeSessions::TimeLimitMinutes))
                .and(
                    Expr::col(PracticeSessions::DurationMs)
                        .is_null()
                        .or(Expr::col(PracticeSessions::DurationMs).gte(0)),
                ),
        )
        .check(
            "ck_practice_sessions_window",
            Expr::col(PracticeSessions::CompletedAt)
                .is_null()
                .or(Expr::col(PracticeSessions::StartedAt).is_null())
                .or(Expr::col(PracticeSessions::CompletedAt)
                    .gte(Expr::col(PracticeSessions::StartedAt))),
        )
        .index(
            "ix_practice_sessions_user_created",
            [PracticeSessions::UserId, PracticeSessions::CreatedAt],
        )
        .index(
            "ix_practice_sessions_user_status",
            [PracticeSessions::UserId, PracticeSessions::Status],
        )
        .index(
            "ix_practice_sessions_status_created",
            [PracticeSessions::Status, PracticeSessions::CreatedAt],
        )
        .index("ix_practice_sessions_story_id", [PracticeSessions::StoryId])
        .index(
            "ix_practice_sessions_type_difficulty",
            [
                PracticeSessions::SessionType,
                PracticeSessions::DifficultyLevel,
            ],
        )
        .index(
            "ix_practice_sessions_strategy",
            [PracticeSessions::Strategy],
        )
        .index(
            "ix_practice_sessions_created_at",
            [PracticeSessions::CreatedAt],
        )
}

pub(crate) fn sentence_attempts(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.insert_heavy_table(SentenceAttempts::Table, SentenceAttempts::Id)
        .col(ddl.uuid(SentenceAttempts::SessionId))
        .col(ddl.integer(SentenceAttempts::SentenceIndex))
        .col(ddl.integer(SentenceAttempts::AttemptNumber).default(1))
        .col(ddl.text(SentenceAttempts::TargetSentence))
        .col(ddl.json_null(SentenceAttempts::LandmarkData))
        .col(ddl.json_null(SentenceAttempts::GestureSequence))
        .col(ddl.decimal_null(SentenceAttempts::ConfidenceScore, 5, 4))
        .col(ddl.decimal_null(SentenceAttempts::AccuracyScore, 5, 4))
        .col(ddl.decimal_null(SentenceAttempts::FluencyScore, 5, 4))
        .col(ddl.text_null(SentenceAttempts::AiFeedback))
        .col(ddl.json_null(SentenceAttempts::Suggestions))
        .col(ddl.json_null(SentenceAttempts::DetectedErrors))
        .col(
            ddl.timestamptz(SentenceAttempts::AttemptedAt)
                .default(ddl.now()),
        )
        .col(ddl.integer_null(SentenceAttempts::DurationMs))
        .col(ddl.boolean_null(SentenceAttempts::IsSuccessful))
        .col(ddl.integer_null(SentenceAttempts::VideoStartFrame))
        .col(ddl.integer_null(SentenceAttempts::VideoEndFrame))
        .col(ddl.created_at(SentenceAttempts::CreatedAt))
        .foreign_key(
            "fk_sentence_attempts_session_id",
            SentenceAttempts::SessionId,
            PracticeSessions::Table,
            PracticeSessions::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_sentence_attempts_attempt",
            [
                SentenceAttempts::SessionId,
                SentenceAttempts::SentenceIndex,
                SentenceAttempts::AttemptNumber,
            ],
        )
        .check(
            "ck_sentence_attempts_scores",
            null_or_between(SentenceAttempts::ConfidenceScore, 0, 1)
                .and(null_or_between(SentenceAttempts::AccuracyScore, 0, 1))
                .and(null_or_between(SentenceAttempts::FluencyScore, 0, 1)),
        )
        .check(
            "ck_sentence_attempts_positions",
            Expr::col(SentenceAttempts::SentenceIndex)
                .gte(0)
                .and(Expr::col(SentenceAttempts::AttemptNumber).gte(1)),
        )
        .check(
            "ck_sentence_attempts_duration",
            null_or_positive(SentenceAttempts::DurationMs),
        )
        .check(
            "ck_sentence_attempts_frames",
            Expr::col(SentenceAttempts::VideoStartFrame)
                .is_null()
                .or(Expr::col(SentenceAttempts::VideoEndFrame).is_null())
                .or(Expr::col(SentenceAttempts::VideoEndFrame)
                    .gte(Expr::col(SentenceAttempts::VideoStartFrame))),
        )
        .index(
            "ix_sentence_attempts_session_attempt",
            [SentenceAttempts::SessionId, SentenceAttempts::AttemptNumber],
        )
        .index(
            "ix_sentence_attempts_attempted_at",
            [SentenceAttempts::AttemptedAt],
        )
}

pub(crate) fn user_progress(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(UserProgress::Table)
        .col(ddl.id(UserProgress::Id))
        .col(ddl.uuid(UserProgress::UserId))
        .col(ddl.string(UserProgress::SkillArea, 100))
        .col(ddl.string_null(UserProgress::SkillCategory, 50))
        .col(ddl.decimal(UserProgress::CurrentLevel, 4, 2).default(0))
        .col(
            ddl.decimal(UserProgress::ExperiencePoints, 12, 2)
                .default(0),
        )
        .col(ddl.integer(UserProgress::TotalPracticeTime).default(0))
        .col(ddl.integer(UserProgress::TotalSessions).default(0))
        .col(ddl.integer(UserProgress::TotalAttempts).default(0))
        .col(ddl.integer(UserProgress::SuccessfulAttempts).default(0))
        .col(ddl.decimal_null(UserProgress::AverageScore, 5, 4))
        .col(ddl.decimal_null(UserProgress::AverageConfidence, 5, 4))
        .col(ddl.decimal_null(UserProgress::AverageAccuracy, 5, 4))
        .col(ddl.decimal_null(UserProgress::AverageFluency, 5, 4))
        .col(ddl.json_null(UserProgress::Milestones))
        .col(ddl.integer(UserProgress::LearningStreak).default(0))
        .col(ddl.integer(UserProgress::LongestStreak).default(0))
        .col(ddl.timestamptz_null(UserProgress::LastPracticeDate))
        .col(
            ddl.enumeration(UserProgress::CurrentDifficulty, &DIFFICULTY)
                .default(const { DIFFICULTY.value("beginner") }),
        )
        .col(ddl.decimal_null(UserProgress::TargetLevel, 4, 2))
        .col(ddl.integer_null(UserProgress::WeeklyGoalMinutes))
        .col(ddl.created_at(UserProgress::CreatedAt))
        .col(ddl.updated_at(UserProgress::UpdatedAt))
        .foreign_key(
            "fk_user_progress_user_id",
            UserProgress::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_user_progress_user_skill",
            [UserProgress::UserId, UserProgress::SkillArea],
        )
        .check(
            "ck_user_progress_levels",
            Expr::col(UserProgress::CurrentLevel)
                .between(0, 10)
                .and(null_or_between(UserProgress::TargetLevel, 0, 10)),
        )
        .check(
            "ck_user_progress_counters",
            Expr::col(UserProgress::ExperiencePoints)
                .gte(0)
                .and(Expr::col(UserProgress::TotalPracticeTime).gte(0))
                .and(Expr::col(UserProgress::TotalSessions).gte(0))
                .and(Expr::col(UserProgress::TotalAttempts).gte(0))
                .and(Expr::col(UserProgress::SuccessfulAttempts).gte(0)),
        )
        .check(
            "ck_user_progress_success",
            Expr::col(UserProgress::SuccessfulAttempts).lte(Expr::col(UserProgress::TotalAttempts)),
        )
        .check(
            "ck_user_progress_averages",
            null_or_between(UserProgress::AverageScore, 0, 1)
                .and(null_or_between(UserProgress::AverageConfidence, 0, 1))
                .and(null_or_between(UserProgress::AverageAccuracy, 0, 1))
                .and(null_or_between(UserProgress::AverageFluency, 0, 1)),
        )
        .check(
            "ck_user_progress_streaks",
            Expr::col(UserProgress::LearningStreak).gte(0).and(
                Expr::col(UserProgress::LongestStreak).gte(Expr::col(UserProgress::LearningStreak)),
            ),
        )
        .check(
            "ck_user_progress_weekly_goal",
            null_or_positive(UserProgress::WeeklyGoalMinutes),
        )
        .index(
            "ix_user_progress_skill_level",
            [UserProgress::SkillArea, UserProgress::CurrentLevel],
        )
        .index(
            "ix_user_progress_last_practice",
            [UserProgress::LastPracticeDate],
        )
}

#[derive(DeriveIden)]
pub enum PracticeSessions {
    Table,
    Id,
    UserId,
    SessionType,
    Status,
    StoryId,
    SessionName,
    Strategy,
    DifficultyLevel,
    SkillAreas,
    KnowledgePointIds,
    QuestionIds,
    SessionData,
    StoryContent,
    PerformanceMetrics,
    TotalItems,
    CompletedItems,
    CorrectItems,
    OverallScore,
    PointsEarned,
    TimeLimitMinutes,
    StartedAt,
    CompletedAt,
    DurationMs,
    AverageDifficulty,
    DeviceType,
    AppVersion,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum SentenceAttempts {
    Table,
    Id,
    SessionId,
    SentenceIndex,
    AttemptNumber,
    TargetSentence,
    LandmarkData,
    GestureSequence,
    ConfidenceScore,
    AccuracyScore,
    FluencyScore,
    AiFeedback,
    Suggestions,
    DetectedErrors,
    AttemptedAt,
    DurationMs,
    IsSuccessful,
    VideoStartFrame,
    VideoEndFrame,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum UserProgress {
    Table,
    Id,
    UserId,
    SkillArea,
    SkillCategory,
    CurrentLevel,
    ExperiencePoints,
    TotalPracticeTime,
    TotalSessions,
    TotalAttempts,
    SuccessfulAttempts,
    AverageScore,
    AverageConfidence,
    AverageAccuracy,
    AverageFluency,
    Milestones,
    LearningStreak,
    LongestStreak,
    LastPracticeDate,
    CurrentDifficulty,
    TargetLevel,
    WeeklyGoalMinutes,
    CreatedAt,
    UpdatedAt,
}
