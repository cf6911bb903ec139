//! Module 13 `analytics` (SPEC.md §15): course_analytics, student_analytics, analytics_events.
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
