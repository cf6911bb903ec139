//! Module 13 `analytics` (SPEC.md §15): course_analytics, student_analytics, analytics_events.
//!
//! The DZ rollups and event log. `course_analytics` and `student_analytics` are 1:1 extensions
//! of `courses` and `users`: their key is the parent's id (no `id` column), with the foreign key
//! on the same column, and DZ's `last_updated` became the standard `updated_at`. The application
//! recomputes the rollups; the checks keep the counters, percentages and rating in range.
//! `analytics_events` is append-only and insert-heavy (NONCLUSTERED and sharded on TiDB,
//! SPEC.md §0.1); `event_type` stays an open varchar and DZ's `timestamp` is `occurred_at`.
//! No deviations from SPEC.md.

use sea_orm_migration::prelude::*;

use crate::ddl::{Ddl, JsonDefault, TableDef, TableGroup, null_or_between};
use crate::m20261121_000001_users::Users;
use crate::m20261121_000003_courses::{Courses, Lessons};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[course_analytics, student_analytics, analytics_events],
    steps: &[],
};

crate::group_migration!(GROUP);

fn course_analytics(ddl: &Ddl) -> TableDef {
    ddl.table(CourseAnalytics::Table)
        .col(ddl.parent_key(CourseAnalytics::CourseId))
        .col(ddl.integer(CourseAnalytics::TotalEnrollments).default(0))
        .col(ddl.integer(CourseAnalytics::ActiveEnrollments).default(0))
        .col(ddl.integer(CourseAnalytics::CompletionCount).default(0))
        .col(
            ddl.decimal(CourseAnalytics::CompletionRate, 5, 2)
                .default(0),
        )
        .col(ddl.decimal_null(CourseAnalytics::AverageRating, 3, 2))
        .col(ddl.decimal(CourseAnalytics::TotalRevenue, 12, 2).default(0))
        .col(ddl.integer_null(CourseAnalytics::AverageTimeToCompletionDays))
        .col(ddl.decimal(CourseAnalytics::DropoutRate, 5, 2).default(0))
        .col(ddl.uuid_null(CourseAnalytics::MostDifficultLessonId))
        .col(
            ddl.json(CourseAnalytics::EngagementMetrics)
                .default(ddl.json_default(JsonDefault::EmptyObject)),
        )
        .col(ddl.created_at(CourseAnalytics::CreatedAt))
        .col(ddl.updated_at(CourseAnalytics::UpdatedAt))
        .foreign_key(
            "fk_course_analytics_course_id",
            CourseAnalytics::CourseId,
            Courses::Table,
            Courses::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_course_analytics_most_difficult_lesson_id",
            CourseAnalytics::MostDifficultLessonId,
            Lessons::Table,
            Lessons::Id,
            ForeignKeyAction::SetNull,
        )
        .check(
            "ck_course_analytics_rates",
            Expr::col(CourseAnalytics::CompletionRate)
                .between(0, 100)
                .and(Expr::col(CourseAnalytics::DropoutRate).between(0, 100)),
        )
        .check(
            "ck_course_analytics_counters",
            Expr::col(CourseAnalytics::TotalEnrollments)
                .gte(0)
                .and(Expr::col(CourseAnalytics::ActiveEnrollments).gte(0))
                .and(Expr::col(CourseAnalytics::CompletionCount).gte(0))
                .and(Expr::col(CourseAnalytics::TotalRevenue).gte(0)),
        )
        .check(
            "ck_course_analytics_rating",
            null_or_between(CourseAnalytics::AverageRating, 0, 5),
        )
        .index(
            "ix_course_analytics_lesson",
            [CourseAnalytics::MostDifficultLessonId],
        )
}

fn student_analytics(ddl: &Ddl) -> TableDef {
    ddl.table(StudentAnalytics::Table)
        .col(ddl.parent_key(StudentAnalytics::UserId))
        .col(
            ddl.integer(StudentAnalytics::TotalCoursesEnrolled)
                .default(0),
        )
        .col(ddl.integer(StudentAnalytics::CoursesCompleted).default(0))
        .col(ddl.integer(StudentAnalytics::CoursesInProgress).default(0))
        .col(ddl.decimal_null(StudentAnalytics::AverageQuizScore, 5, 2))
        .col(
            ddl.integer(StudentAnalytics::TotalTimeInvestedMinutes)
                .default(0),
        )
        .col(ddl.integer(StudentAnalytics::CurrentStreakDays).default(0))
        .col(ddl.integer(StudentAnalytics::LongestStreakDays).default(0))
        .col(
            ddl.json(StudentAnalytics::BadgesEarned)
                .default(ddl.json_default(JsonDefault::EmptyArray)),
        )
        .col(
            ddl.json(StudentAnalytics::SkillRatings)
                .default(ddl.json_default(JsonDefault::EmptyObject)),
        )
        .col(ddl.created_at(StudentAnalytics::CreatedAt))
        .col(ddl.updated_at(StudentAnalytics::UpdatedAt))
        .foreign_key(
            "fk_student_analytics_user_id",
            StudentAnalytics::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .check(
            "ck_student_analytics_counters",
            Expr::col(StudentAnalytics::TotalCoursesEnrolled)
                .gte(0)
                .and(Expr::col(StudentAnalytics::CoursesCompleted).gte(0))
                .and(Expr::col(StudentAnalytics::CoursesInProgress).gte(0))
                .and(Expr::col(StudentAnalytics::TotalTimeInvestedMinutes).gte(0))
                .and(Expr::col(StudentAnalytics::CurrentStreakDays).gte(0)),
        )
        .check(
            "ck_student_analytics_score",
            null_or_between(StudentAnalytics::AverageQuizScore, 0, 100),
        )
        .check(
            "ck_student_analytics_streaks",
            Expr::col(StudentAnalytics::LongestStreakDays)
                .gte(Expr::col(StudentAnalytics::CurrentStreakDays)),
        )
}

fn analytics_events(ddl: &Ddl) -> TableDef {
    ddl.insert_heavy_table(AnalyticsEvents::Table, AnalyticsEvents::Id)
        .col(ddl.uuid_null(AnalyticsEvents::UserId))
        .col(ddl.string(AnalyticsEvents::EventType, 100))
        .col(ddl.json(AnalyticsEvents::EventData))
        .col(
            ddl.timestamptz(AnalyticsEvents::OccurredAt)
                .default(ddl.now()),
        )
        .col(ddl.created_at(AnalyticsEvents::CreatedAt))
        .foreign_key(
            "fk_analytics_events_user_id",
            AnalyticsEvents::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .index(
            "ix_analytics_events_user_occurred",
            [AnalyticsEvents::UserId, AnalyticsEvents::OccurredAt],
        )
        .index(
            "ix_analytics_events_type_occurred",
            [AnalyticsEvents::EventType, AnalyticsEvents::OccurredAt],
        )
        .index(
            "ix_analytics_events_occurred_at",
            [AnalyticsEvents::OccurredAt],
        )
}

#[derive(DeriveIden)]
pub enum CourseAnalytics {
    Table,
    CourseId,
    TotalEnrollments,
    ActiveEnrollments,
    CompletionCount,
    CompletionRate,
    AverageRating,
    TotalRevenue,
    AverageTimeToCompletionDays,
    DropoutRate,
    MostDifficultLessonId,
    EngagementMetrics,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum StudentAnalytics {
    Table,
    UserId,
    TotalCoursesEnrolled,
    CoursesCompleted,
    CoursesInProgress,
    AverageQuizScore,
    TotalTimeInvestedMinutes,
    CurrentStreakDays,
    LongestStreakDays,
    BadgesEarned,
    SkillRatings,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum AnalyticsEvents {
    Table,
    Id,
    UserId,
    EventType,
    EventData,
    OccurredAt,
    CreatedAt,
}
