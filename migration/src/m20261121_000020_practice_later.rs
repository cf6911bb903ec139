//! Module 20 `practice_later` (SPEC-26-27 §26): what Kedge's 33 migrations after its
//! consolidated schema added, and the four `practice_sessions` columns SPEC.md §8 left out, so
//! that all 141 columns of Kedge's DDL have a home.
//!
//! learndb's first migration after the launch set, and the model for every later one: it changes
//! tables that already hold data. Two new tables (`question_reports`, KG `quiz_reports` renamed as
//! §7 renames a KG quiz to a question; `system_config`) and two enums; 13 columns on `users`,
//! `knowledge_points`, `questions` and `practice_sessions`, each at the end of its table; six new
//! indexes, and on `practice_answers` the UNIQUE that KG upserts on replaces the plain index
//! (added before the index is dropped: on MySQL `fk_practice_answers_session_id` needs an index
//! that leads with `session_id` at every moment); `updated_at` triggers for the two new tables
//! with module 17's `set_updated_at()`.
//!
//! The order of `up()` (§26.6) is [`TableGroup::up`]'s: enums, tables, the steps in the order
//! listed, then, on the MySQL family only, the five checks one `ALTER TABLE` each. `down()` is
//! exactly the reverse and starts with those checks' drops. The steps are online on PostgreSQL
//! (checks `NOT VALID` then validated, indexes `CONCURRENTLY`: [`crate::ddl::AddColumns`],
//! [`crate::ddl::IndexSpec`]), so the runner journals this migration there; on SQLite it is one
//! transaction.
//!
//! Deviations (docs/schema-decisions.md 59–61): `system_config` keeps KG's singular name and its
//! unique is `uq_system_config_key` (§26.3 itself); on PostgreSQL the module is applied online
//! instead of in one transaction (§26.6 table, "Transaction" row), and a unique that duplicate
//! rows would break is refused before anything runs.

use sea_orm_migration::prelude::*;

use crate::ddl::{
    AddColumns, DbEnum, Ddl, IndexSpec, Step, TableDef, TableGroup, null_or_non_negative,
};
use crate::m20261121_000001_users::Users;
use crate::m20261121_000005_assessments::Questions;
use crate::m20261121_000006_progress::PracticeSessions;
use crate::m20261121_000007_practice::{KnowledgePoints, PracticeAnswers};

/// #37: what a student reports about a question (KG CHECK, …024).
pub const QUESTION_REPORT_TYPE: DbEnum = DbEnum {
    name: "question_report_type",
    values: &[
        "display_error",
        "wrong_answer",
        "wrong_association",
        "duplicate",
        "unclear_wording",
        "other",
    ],
};

/// #38: where a report stands (KG CHECK, …024).
pub const QUESTION_REPORT_STATUS: DbEnum = DbEnum {
    name: "question_report_status",
    values: &["pending", "reviewing", "resolved", "dismissed"],
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[&QUESTION_REPORT_TYPE, &QUESTION_REPORT_STATUS],
    tables: &[question_reports, system_config],
    steps: &[
        Step::AddColumns(users_columns),
        Step::AddColumns(knowledge_points_columns),
        Step::AddColumns(questions_columns),
        Step::AddColumns(practice_sessions_columns),
        Step::AddIndex(ix_users_class),
        Step::AddIndex(ix_knowledge_points_subject_id),
        Step::AddIndex(ix_knowledge_points_sort_order),
        Step::AddIndex(ix_questions_subject_id),
        Step::AddIndex(ix_practice_sessions_subject_id),
        Step::AddIndex(ix_practice_answers_answered_at),
        Step::AddIndex(uq_practice_answers_session_question),
        Step::DropIndex(ix_practice_answers_session_question),
        Step::UpdatedAtTriggersFor(&[question_reports, system_config]),
    ],
};

crate::group_migration!(GROUP);

pub(crate) fn question_reports(ddl: &Ddl) -> TableDef {
    ddl.table(QuestionReports::Table)
        .col(ddl.id(QuestionReports::Id))
        .col(ddl.uuid(QuestionReports::QuestionId))
        .col(ddl.uuid(QuestionReports::UserId))
        .col(ddl.uuid_null(QuestionReports::SessionId))
        .col(ddl.enumeration(QuestionReports::ReportType, &QUESTION_REPORT_TYPE))
        .col(ddl.text_null(QuestionReports::Reason))
        .col(ddl.text_null(QuestionReports::UserAnswer))
        .col(ddl.json_null(QuestionReports::QuestionContext))
        .col(
            ddl.enumeration(QuestionReports::Status, &QUESTION_REPORT_STATUS)
                .default(const { QUESTION_REPORT_STATUS.value("pending") }),
        )
        .col(ddl.uuid_null(QuestionReports::ResolvedBy))
        .col(ddl.timestamptz_null(QuestionReports::ResolvedAt))
        .col(ddl.text_null(QuestionReports::ResolutionNote))
        .col(ddl.created_at(QuestionReports::CreatedAt))
        .col(ddl.updated_at(QuestionReports::UpdatedAt))
        .foreign_key(
            "fk_question_reports_question_id",
            QuestionReports::QuestionId,
            Questions::Table,
            Questions::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_question_reports_user_id",
            QuestionReports::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_question_reports_session_id",
            QuestionReports::SessionId,
            PracticeSessions::Table,
            PracticeSessions::Id,
            ForeignKeyAction::SetNull,
        )
        .foreign_key(
            "fk_question_reports_resolved_by",
            QuestionReports::ResolvedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .index(
            "ix_question_reports_question_status",
            [QuestionReports::QuestionId, QuestionReports::Status],
        )
        .index(
            "ix_question_reports_user_question_type",
            [
                QuestionReports::UserId,
                QuestionReports::QuestionId,
                QuestionReports::ReportType,
            ],
        )
        .index(
            "ix_question_reports_status_question_created",
            [
                QuestionReports::Status,
                QuestionReports::QuestionId,
                QuestionReports::CreatedAt,
            ],
        )
        .index(
            "ix_question_reports_type_status",
            [QuestionReports::ReportType, QuestionReports::Status],
        )
        .index(
            "ix_question_reports_created_at",
            [QuestionReports::CreatedAt],
        )
        .index(
            "ix_question_reports_session_id",
            [QuestionReports::SessionId],
        )
        .index(
            "ix_question_reports_resolved_by",
            [QuestionReports::ResolvedBy],
        )
}

fn system_config(ddl: &Ddl) -> TableDef {
    ddl.table(SystemConfig::Table)
        .col(ddl.id(SystemConfig::Id))
        .col(ddl.string(SystemConfig::ConfigKey, 255))
        .col(ddl.json(SystemConfig::ConfigValue))
        .col(ddl.text_null(SystemConfig::Description))
        .col(ddl.created_at(SystemConfig::CreatedAt))
        .col(ddl.updated_at(SystemConfig::UpdatedAt))
        .unique("uq_system_config_key", [SystemConfig::ConfigKey])
}

/// §26.2.1. KG `is_admin` gets no column: it is `role = 'admin'`.
pub(crate) fn users_columns(ddl: &Ddl) -> AddColumns {
    AddColumns::new(Users::Table).col(ddl.string_null(UsersLater::Class, 50))
}

/// §26.2.2. `subject_id` is nullable: no subject is a correct default for rows already there.
fn knowledge_points_columns(ddl: &Ddl) -> AddColumns {
    AddColumns::new(KnowledgePoints::Table)
        .col(ddl.string_null(KnowledgePointsLater::SubjectId, 255))
        .col_checked(
            ddl.integer(KnowledgePointsLater::SortIndex).default(0),
            "ck_knowledge_points_sort_index",
            Expr::col(KnowledgePointsLater::SortIndex).gte(0),
        )
}

/// §26.2.3. The JSON columns carry KG content; DZ rows leave them NULL.
pub(crate) fn questions_columns(ddl: &Ddl) -> AddColumns {
    AddColumns::new(Questions::Table)
        .col(ddl.string_null(QuestionsLater::SubjectId, 255))
        .col(ddl.json_null(QuestionsLater::AlternativeAnswers))
        .col(ddl.json_null(QuestionsLater::AnswerIndex))
        .col(ddl.json_null(QuestionsLater::Hints))
        .col(ddl.json_null(QuestionsLater::ExtraProperties))
}

/// §26.2.4. One check per column, so SQLite can add each with its column.
pub(crate) fn practice_sessions_columns(ddl: &Ddl) -> AddColumns {
    AddColumns::new(PracticeSessions::Table)
        .col(ddl.string_null(PracticeSessionsLater::SubjectId, 255))
        .col_checked(
            ddl.integer(PracticeSessionsLater::IncorrectItems)
                .default(0),
            "ck_practice_sessions_incorrect_items",
            Expr::col(PracticeSessionsLater::IncorrectItems).gte(0),
        )
        .col_checked(
            ddl.integer(PracticeSessionsLater::SkippedItems).default(0),
            "ck_practice_sessions_skipped_items",
            Expr::col(PracticeSessionsLater::SkippedItems).gte(0),
        )
        .col_checked(
            ddl.integer_null(PracticeSessionsLater::AutoAdvanceDelay),
            "ck_practice_sessions_auto_advance_delay",
            null_or_non_negative(PracticeSessionsLater::AutoAdvanceDelay),
        )
        .col_checked(
            ddl.integer_null(PracticeSessionsLater::LastQuestionIndex),
            "ck_practice_sessions_last_question_index",
            null_or_non_negative(PracticeSessionsLater::LastQuestionIndex),
        )
}

pub(crate) fn ix_users_class() -> IndexSpec {
    IndexSpec::index("ix_users_class", Users::Table, [UsersLater::Class])
}

fn ix_knowledge_points_subject_id() -> IndexSpec {
    IndexSpec::index(
        "ix_knowledge_points_subject_id",
        KnowledgePoints::Table,
        [KnowledgePointsLater::SubjectId],
    )
}

/// KG's final index (…034). MySQL key length: 190×4 + 190×4 + 4 = 1524 of 3072 bytes.
fn ix_knowledge_points_sort_order() -> IndexSpec {
    IndexSpec::index(
        "ix_knowledge_points_sort_order",
        KnowledgePoints::Table,
        [
            KnowledgePoints::Volume.into_iden(),
            KnowledgePoints::Unit.into_iden(),
            KnowledgePointsLater::SortIndex.into_iden(),
        ],
    )
}

pub(crate) fn ix_questions_subject_id() -> IndexSpec {
    IndexSpec::index(
        "ix_questions_subject_id",
        Questions::Table,
        [QuestionsLater::SubjectId],
    )
}

pub(crate) fn ix_practice_sessions_subject_id() -> IndexSpec {
    IndexSpec::index(
        "ix_practice_sessions_subject_id",
        PracticeSessions::Table,
        [PracticeSessionsLater::SubjectId],
    )
}

pub(crate) fn ix_practice_answers_answered_at() -> IndexSpec {
    IndexSpec::index(
        "ix_practice_answers_answered_at",
        PracticeAnswers::Table,
        [PracticeAnswers::AnsweredAt],
    )
}

/// KG declares it and upserts `ON CONFLICT (session_id, quiz_id)` (§26.2.5).
pub(crate) fn uq_practice_answers_session_question() -> IndexSpec {
    IndexSpec::unique(
        "uq_practice_answers_session_question",
        PracticeAnswers::Table,
        [PracticeAnswers::SessionId, PracticeAnswers::QuestionId],
    )
}

/// Module 07's index, which the unique replaces.
pub(crate) fn ix_practice_answers_session_question() -> IndexSpec {
    IndexSpec::index(
        "ix_practice_answers_session_question",
        PracticeAnswers::Table,
        [PracticeAnswers::SessionId, PracticeAnswers::QuestionId],
    )
}

#[derive(DeriveIden)]
pub enum QuestionReports {
    Table,
    Id,
    QuestionId,
    UserId,
    SessionId,
    ReportType,
    Reason,
    UserAnswer,
    QuestionContext,
    Status,
    ResolvedBy,
    ResolvedAt,
    ResolutionNote,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum SystemConfig {
    Table,
    Id,
    ConfigKey,
    ConfigValue,
    Description,
    CreatedAt,
    UpdatedAt,
}

/// The columns module 20 adds to `users` (the table is module 01's [`Users`]).
#[derive(DeriveIden)]
pub enum UsersLater {
    Class,
}

#[derive(DeriveIden)]
pub enum KnowledgePointsLater {
    SubjectId,
    SortIndex,
}

#[derive(DeriveIden)]
pub enum QuestionsLater {
    SubjectId,
    AlternativeAnswers,
    AnswerIndex,
    Hints,
    ExtraProperties,
}

#[derive(DeriveIden)]
pub enum PracticeSessionsLater {
    SubjectId,
    IncorrectItems,
    SkippedItems,
    AutoAdvanceDelay,
    LastQuestionIndex,
}
