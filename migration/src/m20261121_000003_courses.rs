//! Module 03 `courses` (SPEC.md §5): courses, course_modules, lessons.
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
pub enum Courses {
    Table,
    Id,
    InstructorId,
    Title,
    Description,
    Slug,
    Category,
    Difficulty,
    Price,
    Currency,
    EnrollmentLimit,
    EnrollmentCount,
    AverageRating,
    TotalReviews,
    Status,
    PublishedAt,
    ThumbnailUrl,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum CourseModules {
    Table,
    Id,
    CourseId,
    Title,
    Description,
    OrderNumber,
    DurationMinutes,
    PrerequisiteModuleId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Lessons {
    Table,
    Id,
    ModuleId,
    Title,
    Description,
    LessonType,
    ContentUrl,
    ContentText,
    DurationMinutes,
    OrderNumber,
    IsPreview,
    Metadata,
    CreatedAt,
    UpdatedAt,
}
