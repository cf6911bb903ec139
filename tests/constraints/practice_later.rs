//! Module 20 `practice_later` (SPEC-26-27 §26.3–§26.4): question_reports and system_config reject
//! rows that break their UNIQUE, foreign keys, enum, JSON and NOT NULL columns. The checks and the
//! unique module 20 adds to older tables are cases of those tables' groups (`progress`,
//! `practice`), where [`Cases::finish`] looks for them; on the MySQL family the five checks are
//! also looked up by name in `CHECK_CONSTRAINTS` (§26.6 "Tests").

use super::*;
use crate::common::factories::assessments::question;
use crate::common::factories::practice_later::*;

on_every_backend!(
    practice_later_group_rejects_invalid_rows,
    practice_later_group_rejects_invalid_rows
);

/// The checks module 20 adds, one `ALTER TABLE` each on the MySQL family (§26.6).
const MODULE_20_CHECKS: [&str; 5] = [
    "ck_knowledge_points_sort_index",
    "ck_practice_sessions_auto_advance_delay",
    "ck_practice_sessions_incorrect_items",
    "ck_practice_sessions_last_question_index",
    "ck_practice_sessions_skipped_items",
];

async fn practice_later_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    let (ada, bob, fox, session, q) = (new(), new(), new(), new(), new());
    c.accepted(user(b, ada)).await;
    c.accepted(user(b, bob)).await;
    c.accepted(story(b, fox, ada)).await;
    c.accepted(practice_session(b, session, ada, fox)).await;
    // A bank question (no quiz), as every KG question is.
    c.accepted(
        question(b, q, nobody(), 0)
            .without("quiz_id")
            .without("order_number"),
    )
    .await;
    c.accepted(question_report(b, new(), q, ada, session, bob))
        .await;
    let config = c.accepted(system_config(new())).await;

    // question_reports
    let fresh = || question_report(b, new(), q, ada, session, bob);
    for (column, fk) in [
        ("question_id", "fk_question_reports_question_id"),
        ("user_id", "fk_question_reports_user_id"),
        ("session_id", "fk_question_reports_session_id"),
        ("resolved_by", "fk_question_reports_resolved_by"),
    ] {
        let case = format!("orphan {column}");
        c.rejected(fresh().with(column, nobody()), ForeignKey(fk), &case)
            .await;
    }
    c.rejects_enum(fresh(), "report_type", "question_report_type", "typo")
        .await;
    c.rejects_enum(fresh(), "status", "question_report_status", "open")
        .await;
    c.rejects_json(fresh(), "question_context").await;
    // The MySQL family gives a NOT NULL ENUM column without a default its first value
    // ('display_error') when an INSERT leaves it out, strict mode or not (documented engine
    // behaviour; schema decision 63): there the application always sets report_type.
    if c.backend() == Backend::MySql {
        c.accepted(fresh().without("report_type")).await;
    } else {
        c.rejects_missing(fresh(), "report_type").await;
    }
    c.accepted(fresh()).await;
    // A new report: pending by default, outside any session, nobody has looked at it. Reports
    // are not unique: the same user may report the same question again.
    c.accepted(
        fresh()
            .without("session_id")
            .without("question_context")
            .without("status")
            .without("resolved_by")
            .without("resolved_at")
            .without("resolution_note"),
    )
    .await;

    // system_config
    let fresh = || system_config(new());
    c.rejected(
        fresh().with("config_key", config.get("config_key")),
        Unique("uq_system_config_key"),
        "duplicate config_key",
    )
    .await;
    c.rejects_json(fresh(), "config_value").await;
    c.rejects_missing(fresh(), "config_value").await;
    c.accepted(fresh()).await;
    // Any JSON document is a value, a bare scalar included.
    c.accepted(
        fresh()
            .with("config_value", json!(3))
            .without("description"),
    )
    .await;

    if b == Backend::MySql {
        let names = MODULE_20_CHECKS.map(|n| format!("'{n}'")).join(", ");
        let present = t
            .query_strings(
                &format!(
                    "SELECT CONSTRAINT_NAME AS name FROM information_schema.CHECK_CONSTRAINTS \
                     WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME IN ({names}) \
                     ORDER BY CONSTRAINT_NAME"
                ),
                "name",
            )
            .await;
        if present != MODULE_20_CHECKS {
            c.failures.push(format!(
                "MySql: CHECK_CONSTRAINTS holds {present:?} of module 20's {MODULE_20_CHECKS:?}"
            ));
        }
    }

    c.finish("practice_later").await;
}
