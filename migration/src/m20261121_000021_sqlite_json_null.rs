//! Module 21 `sqlite_json_null`: on SQLite, every nullable JSON column's check becomes
//! `"col" IS NULL OR json_valid("col")`; nothing changes on PostgreSQL and the MySQL family,
//! where this migration runs no statement.
//!
//! Why: the shipped modules write nullable JSON with [`crate::ddl::Ddl::json_null`], which gives
//! SQLite an unnamed column check `CHECK (json_valid("col"))`. `json_valid(NULL)` is NULL from
//! SQLite 3.45 (the check passes) but 0 before it (the check fails): the sqlite3 shell and Python
//! of Debian 12 (3.40.1) cannot insert a row that leaves any of these columns NULL, and their
//! `PRAGMA integrity_check` reports "CHECK constraint failed" on a freshly migrated database (the
//! reference users of module 19 have no `metadata`). SQLite cannot alter a CHECK in place, so
//! each of the 19 tables that has such a column is rebuilt ([`Step::RebuildTables`], SQLite's
//! documented procedure with foreign keys off, every row, index, trigger and view kept); the new
//! check is [`crate::ddl::Ddl::json_null_or_valid`]'s, which later migrations use for nullable
//! JSON. `down()` rebuilds the tables back to the checks module 01–20 gave them.
//!
//! Each table's shape before the rebuild is spelled from the modules that made it: the module
//! that created it, then module 20's added columns and index changes. A shape that differs from
//! the database makes the migration fail before anything changes (the rebuild's guard).
//!
//! Deviation (docs/schema-decisions.md 64): SPEC-26-27 §26.6 gives JSON columns "the json_valid
//! CHECK as elsewhere"; on SQLite a nullable one now gets `col IS NULL OR json_valid(col)`.

use sea_orm_migration::prelude::*;

use crate::ddl::{Ddl, Rebuild, RebuildTables, Step, TableChange, TableGroup, TableShape};
use crate::{
    m20261121_000001_users as m01, m20261121_000002_content as m02,
    m20261121_000004_enrollments as m04, m20261121_000005_assessments as m05,
    m20261121_000006_progress as m06, m20261121_000007_practice as m07,
    m20261121_000008_adaptive as m08, m20261121_000009_collaborative as m09,
    m20261121_000014_payments as m14, m20261121_000016_activity as m16,
    m20261121_000018_views as m18, m20261121_000020_practice_later as m20,
};

const REBUILDS: RebuildTables = RebuildTables {
    views: &[&m18::GROUP],
    tables: &[
        users,
        user_profiles,
        stories,
        story_versions,
        certificates,
        questions,
        assignments,
        practice_sessions,
        sentence_attempts,
        user_progress,
        practice_answers,
        items,
        attempts,
        learning_groups,
        collaborative_sessions,
        group_analytics,
        payments,
        user_activities,
        question_reports,
    ],
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[],
    steps: &[Step::RebuildTables(&REBUILDS)],
};

crate::group_migration!(GROUP);

/// A table no later module changed, with its nullable JSON checks rewritten.
fn as_created(ddl: &Ddl, table: fn(&Ddl) -> crate::ddl::TableDef) -> Rebuild {
    Rebuild {
        shape: TableShape::created(ddl, table),
        change: TableChange::NullableJsonOrValid,
    }
}

fn users(ddl: &Ddl) -> Rebuild {
    Rebuild {
        shape: TableShape::created(ddl, m01::users)
            .columns(ddl, m20::users_columns)
            .index_added(m20::ix_users_class),
        change: TableChange::NullableJsonOrValid,
    }
}

fn user_profiles(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m01::user_profiles)
}

fn stories(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m02::stories)
}

fn story_versions(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m02::story_versions)
}

fn certificates(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m04::certificates)
}

fn questions(ddl: &Ddl) -> Rebuild {
    Rebuild {
        shape: TableShape::created(ddl, m05::questions)
            .columns(ddl, m20::questions_columns)
            .index_added(m20::ix_questions_subject_id),
        change: TableChange::NullableJsonOrValid,
    }
}

fn assignments(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m05::assignments)
}

fn practice_sessions(ddl: &Ddl) -> Rebuild {
    Rebuild {
        shape: TableShape::created(ddl, m06::practice_sessions)
            .columns(ddl, m20::practice_sessions_columns)
            .index_added(m20::ix_practice_sessions_subject_id),
        change: TableChange::NullableJsonOrValid,
    }
}

fn sentence_attempts(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m06::sentence_attempts)
}

fn user_progress(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m06::user_progress)
}

fn practice_answers(ddl: &Ddl) -> Rebuild {
    Rebuild {
        shape: TableShape::created(ddl, m07::practice_answers)
            .index_added(m20::ix_practice_answers_answered_at)
            .index_added(m20::uq_practice_answers_session_question)
            .index_dropped(m20::ix_practice_answers_session_question),
        change: TableChange::NullableJsonOrValid,
    }
}

fn items(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m08::items)
}

fn attempts(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m08::attempts)
}

fn learning_groups(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m09::learning_groups)
}

fn collaborative_sessions(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m09::collaborative_sessions)
}

fn group_analytics(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m09::group_analytics)
}

fn payments(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m14::payments)
}

fn user_activities(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m16::user_activities)
}

fn question_reports(ddl: &Ddl) -> Rebuild {
    as_created(ddl, m20::question_reports)
}
