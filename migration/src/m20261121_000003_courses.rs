//! Module 03 `courses` (SPEC.md §5): courses, course_modules, lessons.
//!
//! The DZ course catalogue: a course has ordered modules, a module has ordered lessons, and each
//! goes with its parent (CASCADE). The DZ SQL had no CHECKs although its summary claimed them;
//! the spec's are all new here. `course_modules.prerequisite_module_id`, a bare uuid in DZ, now
//! refers to another module and is cleared when that module goes. `difficulty` comes from
//! module 01.
//!
//! `ck_course_modules_not_self` is on `prerequisite_module_id`, which its foreign key's
//! `ON DELETE SET NULL` writes; MySQL forbids such a check (error 3823), so it exists on
//! PostgreSQL and SQLite only and the application enforces it on the MySQL family (§17.5 ‡).

use sea_orm_migration::prelude::*;

use crate::ddl::{
    DbEnum, Ddl, JsonDefault, TableGroup, null_or_between, null_or_non_negative, null_or_positive,
};
use crate::m20261121_000001_users::{DIFFICULTY, Users};

pub const COURSE_STATUS: DbEnum = DbEnum {
    name: "course_status",
    values: &["draft", "pending_review", "published", "archived"],
};
pub const LESSON_TYPE: DbEnum = DbEnum {
    name: "lesson_type",
    values: &["video", "text", "quiz", "assignment"],
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[&COURSE_STATUS, &LESSON_TYPE],
    tables: &[courses, course_modules, lessons],
    steps: &[],
};

crate::group_migration!(GROUP);

fn courses(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(Courses::Table)
        .col(ddl.id(Courses::Id))
        .col(ddl.uuid(Courses::InstructorId))
        .col(ddl.string(Courses::Title, 255))
        .col(ddl.text(Courses::Description))
        .col(ddl.string(Courses::Slug, 255))
        .col(ddl.string(Courses::Category, 100))
        .col(ddl.enumeration(Courses::Difficulty, &DIFFICULTY))
        .col(ddl.decimal(Courses::Price, 10, 2).default(0))
        .col(ddl.char(Courses::Currency, 3).default("USD"))
        .col(ddl.integer_null(Courses::EnrollmentLimit))
        .col(ddl.integer(Courses::EnrollmentCount).default(0))
        .col(ddl.decimal_null(Courses::AverageRating, 3, 2))
        .col(ddl.integer(Courses::TotalReviews).default(0))
        .col(
            ddl.enumeration(Courses::Status, &COURSE_STATUS)
                .default(const { COURSE_STATUS.value("draft") }),
        )
        .col(ddl.timestamptz_null(Courses::PublishedAt))
        .col(ddl.string_null(Courses::ThumbnailUrl, 500))
        .col(ddl.created_at(Courses::CreatedAt))
        .col(ddl.updated_at(Courses::UpdatedAt))
        .foreign_key(
            "fk_courses_instructor_id",
            Courses::InstructorId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .unique("uq_courses_slug", [Courses::Slug])
        .check("ck_courses_price", Expr::col(Courses::Price).gte(0))
        .check(
            "ck_courses_currency",
            Func::cust("LENGTH").arg(Expr::col(Courses::Currency)).eq(3),
        )
        .check(
            "ck_courses_enrollment_limit",
            null_or_positive(Courses::EnrollmentLimit),
        )
        .check(
            "ck_courses_counters",
            Expr::col(Courses::EnrollmentCount)
                .gte(0)
                .and(Expr::col(Courses::TotalReviews).gte(0)),
        )
        .check(
            "ck_courses_rating",
            null_or_between(Courses::AverageRating, 0, 5),
        )
        .index("ix_courses_instructor_id", [Courses::InstructorId])
        .index("ix_courses_status", [Courses::Status])
        .index("ix_courses_category", [Courses::Category])
}

fn course_modules(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(CourseModules::Table)
        .col(ddl.id(CourseModules::Id))
        .col(ddl.uuid(CourseModules::CourseId))
        .col(ddl.string(CourseModules::Title, 255))
        .col(ddl.text_null(CourseModules::Description))
        .col(ddl.integer(CourseModules::OrderNumber))
        .col(ddl.integer(CourseModules::DurationMinutes).default(0))
        .col(ddl.uuid_null(CourseModules::PrerequisiteModuleId))
        .col(ddl.created_at(CourseModules::CreatedAt))
        .col(ddl.updated_at(CourseModules::UpdatedAt))
        .foreign_key(
            "fk_course_modules_course_id",
            CourseModules::CourseId,
            Courses::Table,
            Courses::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_course_modules_prerequisite_module_id",
            CourseModules::PrerequisiteModuleId,
            CourseModules::Table,
            CourseModules::Id,
            ForeignKeyAction::SetNull,
        )
        .unique(
            "uq_course_modules_course_order",
            [CourseModules::CourseId, CourseModules::OrderNumber],
        )
        .check(
            "ck_course_modules_values",
            Expr::col(CourseModules::OrderNumber)
                .gte(0)
                .and(Expr::col(CourseModules::DurationMinutes).gte(0)),
        )
        .check_on_fk_column(
            "ck_course_modules_not_self",
            Expr::col(CourseModules::PrerequisiteModuleId)
                .is_null()
                .or(Expr::col(CourseModules::PrerequisiteModuleId)
                    .ne(Expr::col(CourseModules::Id))),
        )
        .index(
            "ix_course_modules_prerequisite",
            [CourseModules::PrerequisiteModuleId],
        )
}

fn lessons(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(Lessons::Table)
        .col(ddl.id(Lessons::Id))
        .col(ddl.uuid(Lessons::ModuleId))
        .col(ddl.string(Lessons::Title, 255))
        .col(ddl.text_null(Lessons::Description))
        .col(ddl.enumeration(Lessons::LessonType, &LESSON_TYPE))
        .col(ddl.string_null(Lessons::ContentUrl, 500))
        .col(ddl.text_null(Lessons::ContentText))
        .col(ddl.integer_null(Lessons::DurationMinutes))
        .col(ddl.integer(Lessons::OrderNumber))
        .col(ddl.boolean(Lessons::IsPreview).default(false))
        .col(
            ddl.json(Lessons::Metadata)
                .default(ddl.json_default(JsonDefault::EmptyObject)),
        )
        .col(ddl.created_at(Lessons::CreatedAt))
        .col(ddl.updated_at(Lessons::UpdatedAt))
        .foreign_key(
            "fk_lessons_module_id",
            Lessons::ModuleId,
            CourseModules::Table,
            CourseModules::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_lessons_module_order",
            [Lessons::ModuleId, Lessons::OrderNumber],
        )
        .check(
            "ck_lessons_values",
            Expr::col(Lessons::OrderNumber)
                .gte(0)
                .and(null_or_non_negative(Lessons::DurationMinutes)),
        )
}
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
