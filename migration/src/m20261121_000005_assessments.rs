//! Module 05 `assessments` (SPEC.md §7): quizzes, questions, quiz_submissions, assignments,
//! assignment_submissions.
//!
//! One quiz model. `quizzes` is the DZ container attached to a lesson; a KG "quiz" is a single
//! question, so KG quizzes become `questions` rows with no `quiz_id`, forming a question bank.
//! That is why `questions.quiz_id` is nullable (DZ: NOT NULL) and `order_number` is required
//! only for a question that belongs to a quiz, and why `allow_multiple` is new: KG's
//! multi-select `multiple-choice` keeps `question_type` to its six DZ values. Submissions carry
//! new unique keys per attempt and per revision; a grader leaving clears `graded_by`
//! (SET NULL; DZ: NO ACTION), and a revision's `parent_submission_id`, a bare uuid in DZ, now
//! refers to the earlier submission. `question_type` comes from module 01.
//!
//! `questions.knowledge_point_id` refers to `knowledge_points`, which module 07 creates: the
//! foreign key is defined once below ([`fk_questions_knowledge_point_id`]), declared inline on
//! SQLite and added by module 07 with `ALTER TABLE` elsewhere (SPEC.md §1).
//! `ck_questions_order_required` is on `quiz_id`, which its foreign key's `ON DELETE CASCADE`
//! writes; MySQL forbids such a check (error 3823), so it exists on PostgreSQL and SQLite only
//! and the application enforces it on the MySQL family (§17.5 ‡).
//!
//! Not created: the optional PostgreSQL GIN index on `questions.tags` (§7, §25), like the other
//! optional indexes, so the schema has the same indexes on every backend.

use sea_orm_migration::prelude::*;

use crate::ddl::{
    DbEnum, Ddl, ForeignKeySpec, TableGroup, null_or_between, null_or_non_negative,
    null_or_positive,
};
use crate::m20261121_000001_users::{QUESTION_TYPE, Users};
use crate::m20261121_000003_courses::Lessons;
use crate::m20261121_000004_enrollments::Enrollments;
use crate::m20261121_000007_practice::KnowledgePoints;

pub const QUIZ_TYPE: DbEnum = DbEnum {
    name: "quiz_type",
    values: &["formative", "summative", "practice"],
};
pub const QUESTION_DIFFICULTY: DbEnum = DbEnum {
    name: "question_difficulty",
    values: &["easy", "medium", "hard"],
};
pub const GRADING_STATUS: DbEnum = DbEnum {
    name: "grading_status",
    values: &["auto_graded", "pending_review", "graded"],
};
pub const ASSIGNMENT_GRADING_STATUS: DbEnum = DbEnum {
    name: "assignment_grading_status",
    values: &["submitted", "under_review", "graded", "revision_requested"],
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[
        &QUIZ_TYPE,
        &QUESTION_DIFFICULTY,
        &GRADING_STATUS,
        &ASSIGNMENT_GRADING_STATUS,
    ],
    tables: &[
        quizzes,
        questions,
        quiz_submissions,
        assignments,
        assignment_submissions,
    ],
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

fn quizzes(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(Quizzes::Table)
        .col(ddl.id(Quizzes::Id))
        .col(ddl.uuid(Quizzes::LessonId))
        .col(ddl.string(Quizzes::Title, 255))
        .col(ddl.text_null(Quizzes::Description))
        .col(ddl.enumeration(Quizzes::QuizType, &QUIZ_TYPE))
        .col(ddl.integer_null(Quizzes::TimeLimitMinutes))
        .col(ddl.integer(Quizzes::PassingScorePercentage))
        .col(ddl.integer(Quizzes::MaxAttempts).default(0))
        .col(ddl.boolean(Quizzes::RandomizeQuestions).default(false))
        .col(ddl.boolean(Quizzes::RandomizeOptions).default(false))
        .col(ddl.boolean(Quizzes::ShowCorrectAnswers).default(true))
        .col(ddl.boolean(Quizzes::ShowExplanations).default(true))
        .col(ddl.timestamptz_null(Quizzes::AvailableFrom))
        .col(ddl.timestamptz_null(Quizzes::AvailableUntil))
        .col(ddl.created_at(Quizzes::CreatedAt))
        .col(ddl.updated_at(Quizzes::UpdatedAt))
        .foreign_key(
            "fk_quizzes_lesson_id",
            Quizzes::LessonId,
            Lessons::Table,
            Lessons::Id,
            ForeignKeyAction::Cascade,
        )
        .check(
            "ck_quizzes_passing_score",
            Expr::col(Quizzes::PassingScorePercentage).between(0, 100),
        )
        .check(
            "ck_quizzes_limits",
            Expr::col(Quizzes::MaxAttempts)
                .gte(0)
                .and(null_or_positive(Quizzes::TimeLimitMinutes)),
        )
        .check(
            "ck_quizzes_window",
            Expr::col(Quizzes::AvailableFrom)
                .is_null()
                .or(Expr::col(Quizzes::AvailableUntil).is_null())
                .or(Expr::col(Quizzes::AvailableUntil).gt(Expr::col(Quizzes::AvailableFrom))),
        )
        .index("ix_quizzes_lesson_id", [Quizzes::LessonId])
}

pub(crate) fn questions(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(Questions::Table)
        .col(ddl.id(Questions::Id))
        .col(ddl.uuid_null(Questions::QuizId))
        .col(ddl.uuid_null(Questions::KnowledgePointId))
        .col(ddl.enumeration(Questions::QuestionType, &QUESTION_TYPE))
        .col(ddl.boolean(Questions::AllowMultiple).default(false))
        .col(ddl.text(Questions::QuestionText))
        .col(ddl.string_null(Questions::QuestionMediaUrl, 500))
        .col(ddl.json_null(Questions::Options))
        .col(ddl.json(Questions::CorrectAnswer))
        .col(ddl.text_null(Questions::Explanation))
        .col(ddl.text_null(Questions::OriginalParagraph))
        .col(ddl.json_null(Questions::Images))
        .col(ddl.json_null(Questions::Tags))
        .col(ddl.integer(Questions::Points).default(1))
        .col(ddl.integer_null(Questions::OrderNumber))
        .col(
            ddl.enumeration(Questions::Difficulty, &QUESTION_DIFFICULTY)
                .default(const { QUESTION_DIFFICULTY.value("medium") }),
        )
        .col(ddl.created_at(Questions::CreatedAt))
        .col(ddl.updated_at(Questions::UpdatedAt))
        .foreign_key(
            "fk_questions_quiz_id",
            Questions::QuizId,
            Quizzes::Table,
            Quizzes::Id,
            ForeignKeyAction::Cascade,
        )
        .deferred_foreign_key(fk_questions_knowledge_point_id)
        .check("ck_questions_points", Expr::col(Questions::Points).gte(0))
        .check(
            "ck_questions_order",
            null_or_non_negative(Questions::OrderNumber),
        )
        .check_on_fk_column(
            "ck_questions_order_required",
            Expr::col(Questions::QuizId)
                .is_null()
                .or(Expr::col(Questions::OrderNumber).is_not_null()),
        )
        .index(
            "ix_questions_quiz_order",
            [Questions::QuizId, Questions::OrderNumber],
        )
        .index(
            "ix_questions_knowledge_point_id",
            [Questions::KnowledgePointId],
        )
        .index("ix_questions_type", [Questions::QuestionType])
        .index("ix_questions_created_at", [Questions::CreatedAt])
}

fn quiz_submissions(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(QuizSubmissions::Table)
        .col(ddl.id(QuizSubmissions::Id))
        .col(ddl.uuid(QuizSubmissions::QuizId))
        .col(ddl.uuid(QuizSubmissions::StudentId))
        .col(ddl.uuid(QuizSubmissions::EnrollmentId))
        .col(ddl.integer(QuizSubmissions::AttemptNumber))
        .col(
            ddl.timestamptz(QuizSubmissions::StartedAt)
                .default(ddl.now()),
        )
        .col(ddl.timestamptz_null(QuizSubmissions::SubmittedAt))
        .col(ddl.integer_null(QuizSubmissions::TimeTakenSeconds))
        .col(ddl.decimal_null(QuizSubmissions::ScorePercentage, 5, 2))
        .col(ddl.decimal_null(QuizSubmissions::PointsEarned, 10, 2))
        .col(ddl.json(QuizSubmissions::Answers))
        .col(
            ddl.enumeration(QuizSubmissions::GradingStatus, &GRADING_STATUS)
                .default(const { GRADING_STATUS.value("auto_graded") }),
        )
        .col(ddl.text_null(QuizSubmissions::Feedback))
        .col(ddl.timestamptz_null(QuizSubmissions::GradedAt))
        .col(ddl.uuid_null(QuizSubmissions::GradedBy))
        .col(ddl.created_at(QuizSubmissions::CreatedAt))
        .col(ddl.updated_at(QuizSubmissions::UpdatedAt))
        .foreign_key(
            "fk_quiz_submissions_quiz_id",
            QuizSubmissions::QuizId,
            Quizzes::Table,
            Quizzes::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_quiz_submissions_student_id",
            QuizSubmissions::StudentId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_quiz_submissions_enrollment_id",
            QuizSubmissions::EnrollmentId,
            Enrollments::Table,
            Enrollments::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_quiz_submissions_graded_by",
            QuizSubmissions::GradedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .unique(
            "uq_quiz_submissions_attempt",
            [
                QuizSubmissions::QuizId,
                QuizSubmissions::StudentId,
                QuizSubmissions::AttemptNumber,
            ],
        )
        .check(
            "ck_quiz_submissions_attempt",
            Expr::col(QuizSubmissions::AttemptNumber).gte(1),
        )
        .check(
            "ck_quiz_submissions_score",
            null_or_between(QuizSubmissions::ScorePercentage, 0, 100),
        )
        .check(
            "ck_quiz_submissions_values",
            null_or_non_negative(QuizSubmissions::TimeTakenSeconds)
                .and(null_or_non_negative(QuizSubmissions::PointsEarned)),
        )
        .index(
            "ix_quiz_submissions_student_id",
            [QuizSubmissions::StudentId],
        )
        .index(
            "ix_quiz_submissions_enrollment_id",
            [QuizSubmissions::EnrollmentId],
        )
        .index("ix_quiz_submissions_graded_by", [QuizSubmissions::GradedBy])
        .index(
            "ix_quiz_submissions_grading_status",
            [QuizSubmissions::GradingStatus],
        )
}

pub(crate) fn assignments(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(Assignments::Table)
        .col(ddl.id(Assignments::Id))
        .col(ddl.uuid(Assignments::LessonId))
        .col(ddl.string(Assignments::Title, 255))
        .col(ddl.text_null(Assignments::Description))
        .col(ddl.text(Assignments::Instructions))
        .col(ddl.timestamptz(Assignments::DueDate))
        .col(
            ddl.boolean(Assignments::LateSubmissionAllowed)
                .default(false),
        )
        .col(ddl.integer(Assignments::LatePenaltyPercentage).default(0))
        .col(ddl.integer(Assignments::MaxPoints))
        .col(ddl.boolean(Assignments::RequiresFileUpload).default(true))
        .col(ddl.json(Assignments::AllowedFileTypes))
        .col(ddl.integer(Assignments::MaxFileSizeMb).default(10))
        .col(ddl.json_null(Assignments::Rubric))
        .col(ddl.created_at(Assignments::CreatedAt))
        .col(ddl.updated_at(Assignments::UpdatedAt))
        .foreign_key(
            "fk_assignments_lesson_id",
            Assignments::LessonId,
            Lessons::Table,
            Lessons::Id,
            ForeignKeyAction::Cascade,
        )
        .check(
            "ck_assignments_late_penalty",
            Expr::col(Assignments::LatePenaltyPercentage).between(0, 100),
        )
        .check(
            "ck_assignments_limits",
            Expr::col(Assignments::MaxPoints)
                .gt(0)
                .and(Expr::col(Assignments::MaxFileSizeMb).gt(0)),
        )
        .index("ix_assignments_lesson_id", [Assignments::LessonId])
        .index("ix_assignments_due_date", [Assignments::DueDate])
}

fn assignment_submissions(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(AssignmentSubmissions::Table)
        .col(ddl.id(AssignmentSubmissions::Id))
        .col(ddl.uuid(AssignmentSubmissions::AssignmentId))
        .col(ddl.uuid(AssignmentSubmissions::StudentId))
        .col(ddl.uuid(AssignmentSubmissions::EnrollmentId))
        .col(ddl.string_null(AssignmentSubmissions::FileUrl, 500))
        .col(ddl.string_null(AssignmentSubmissions::FileName, 255))
        .col(ddl.bigint_null(AssignmentSubmissions::FileSizeBytes))
        .col(ddl.text_null(AssignmentSubmissions::SubmissionText))
        .col(
            ddl.timestamptz(AssignmentSubmissions::SubmittedAt)
                .default(ddl.now()),
        )
        .col(ddl.boolean(AssignmentSubmissions::IsLate).default(false))
        .col(ddl.decimal_null(AssignmentSubmissions::PointsAwarded, 10, 2))
        .col(ddl.text_null(AssignmentSubmissions::Feedback))
        .col(
            ddl.enumeration(
                AssignmentSubmissions::GradingStatus,
                &ASSIGNMENT_GRADING_STATUS,
            )
            .default(const { ASSIGNMENT_GRADING_STATUS.value("submitted") }),
        )
        .col(ddl.timestamptz_null(AssignmentSubmissions::GradedAt))
        .col(ddl.uuid_null(AssignmentSubmissions::GradedBy))
        .col(
            ddl.integer(AssignmentSubmissions::RevisionNumber)
                .default(1),
        )
        .col(ddl.uuid_null(AssignmentSubmissions::ParentSubmissionId))
        .col(ddl.created_at(AssignmentSubmissions::CreatedAt))
        .col(ddl.updated_at(AssignmentSubmissions::UpdatedAt))
        .foreign_key(
            "fk_assignment_submissions_assignment_id",
            AssignmentSubmissions::AssignmentId,
            Assignments::Table,
            Assignments::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_assignment_submissions_student_id",
            AssignmentSubmissions::StudentId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_assignment_submissions_enrollment_id",
            AssignmentSubmissions::EnrollmentId,
            Enrollments::Table,
            Enrollments::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_assignment_submissions_graded_by",
            AssignmentSubmissions::GradedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .foreign_key(
            "fk_assignment_submissions_parent_submission_id",
            AssignmentSubmissions::ParentSubmissionId,
            AssignmentSubmissions::Table,
            AssignmentSubmissions::Id,
            ForeignKeyAction::SetNull,
        )
        .unique(
            "uq_assignment_submissions_revision",
            [
                AssignmentSubmissions::AssignmentId,
                AssignmentSubmissions::StudentId,
                AssignmentSubmissions::RevisionNumber,
            ],
        )
        .check(
            "ck_assignment_submissions_revision",
            Expr::col(AssignmentSubmissions::RevisionNumber).gte(1),
        )
        .check(
            "ck_assignment_submissions_values",
            null_or_non_negative(AssignmentSubmissions::FileSizeBytes)
                .and(null_or_non_negative(AssignmentSubmissions::PointsAwarded)),
        )
        .index(
            "ix_assignment_submissions_student_id",
            [AssignmentSubmissions::StudentId],
        )
        .index(
            "ix_assignment_submissions_enrollment_id",
            [AssignmentSubmissions::EnrollmentId],
        )
        .index(
            "ix_assignment_submissions_graded_by",
            [AssignmentSubmissions::GradedBy],
        )
        .index(
            "ix_assignment_submissions_parent",
            [AssignmentSubmissions::ParentSubmissionId],
        )
        .index(
            "ix_assignment_submissions_grading_status",
            [AssignmentSubmissions::GradingStatus],
        )
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
