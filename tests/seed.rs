#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `learndb seed --demo` on PostgreSQL, MariaDB and SQLite, on freshly migrated databases:
//!
//! 1. scale 1 writes exactly the promised rows into each table (reference rows of migration 19
//!    are reused, not written again), every table of the schema has rows, every view there is
//!    returns rows, and on PostgreSQL both partitions of `attempts` that the demo aims at fill;
//! 2. derived columns follow from the rows written (progress from lesson progress, session
//!    counters from answers and attempts, course and learner totals from enrollments), learners
//!    differ in how much they do, and module 20's tables and columns are filled in agreement
//!    with their rows and with Kedge's meaning of them (SPEC-26-27 §26);
//! 3. the same seed gives identical databases, ids included, and another seed different ones;
//! 4. a failure in the middle leaves nothing behind (one transaction);
//! 5. the command: header and summary, refusal of a second run, of bad options and of an
//!    unmigrated database, each with one line and exit code 2.

mod common;

use std::collections::BTreeMap;
use std::fmt::Debug;

use chrono::{Datelike, Utc};
use common::factories::practice::knowledge_point;
use common::{Backend, TestDb, command, learndb_bin, schema_tables, show, stderr, stdout};
use entity::questions;
use entity::sea_orm_active_enums::QuestionType;
use learndb::catalog::Catalog;
use learndb::seed::{Quiet, SeedError, SeedOptions, plan, seed_demo};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Iterable, PrimaryKeyToColumn,
    QueryFilter, QueryOrder, Statement,
};

on_every_backend!(
    scale_one_fills_every_table_with_the_planned_rows_and_every_view_reads_rows,
    scale_one_fills_every_table_with_the_planned_rows
);
on_every_backend!(
    derived_columns_follow_from_their_rows_and_learners_differ,
    derived_columns_follow_from_their_rows
);
on_every_backend!(
    module_20_tables_and_columns_are_filled_and_agree_with_their_rows,
    module_20_is_filled
);
on_every_backend!(
    the_same_seed_gives_identical_data_and_another_seed_different_data,
    the_same_seed_gives_identical_data
);
on_every_backend!(
    a_failure_while_seeding_leaves_the_database_as_it_was,
    a_failure_leaves_the_database_as_it_was
);
on_every_backend!(
    the_command_seeds_once_and_refuses_a_second_run_bad_options_and_an_unmigrated_database,
    the_command_seeds_once_and_refuses
);

/// Rows in every table of the schema (the runner's history tables left out).
async fn counts(db: &DatabaseConnection) -> BTreeMap<String, u64> {
    let catalog = Catalog::read(db).await.unwrap().without_history();
    let mut counts = BTreeMap::new();
    for table in catalog.tables.keys() {
        counts.insert(table.clone(), count(db, table).await);
    }
    counts
}

async fn count(db: &DatabaseConnection, relation: &str) -> u64 {
    let backend = db.get_database_backend();
    let quoted = match backend {
        sea_orm::DbBackend::MySql => format!("`{relation}`"),
        _ => format!("\"{relation}\""),
    };
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT COUNT(*) AS n FROM {quoted}"),
        ))
        .await
        .unwrap_or_else(|e| panic!("count {relation}: {e}"))
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() as u64
}

/// Rows of `table` where `condition` holds.
async fn count_where(db: &DatabaseConnection, table: &str, condition: &str) -> u64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table} WHERE {condition}"),
        ))
        .await
        .unwrap_or_else(|e| panic!("count {table} where {condition}: {e}"))
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() as u64
}

async fn scale_one_fills_every_table_with_the_planned_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let before = counts(&t.db).await;
    assert_eq!(
        before.len(),
        schema_tables(),
        "{backend:?}: every table of the schema"
    );

    let report = seed_demo(&t.db, &SeedOptions::default(), &mut Quiet)
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    let promised = plan(1);
    assert_eq!(
        report.counts(),
        promised,
        "{backend:?}: the report is the plan"
    );
    let total: u64 = promised.values().sum();
    assert!(
        (9_000..=12_000).contains(&total),
        "scale 1 is about 10,000 rows: {total}"
    );

    let after = counts(&t.db).await;
    for (table, rows) in &after {
        let written = rows - before[table];
        assert_eq!(
            written,
            promised.get(table.as_str()).copied().unwrap_or(0),
            "{backend:?}: rows written into {table}"
        );
        assert!(*rows > 0, "{backend:?}: {table} is empty");
    }
    for table in promised.keys() {
        assert!(
            after.contains_key(*table),
            "{backend:?}: the plan names {table}"
        );
    }

    let catalog = Catalog::read(&t.db).await.unwrap();
    assert!(!catalog.views.is_empty());
    for view in catalog.views.keys() {
        // These two read server statistics, not the demo data, and may rightly be empty:
        // `slow_queries` lists statements averaging over a second (none on a test server),
        // and `index_usage` on MariaDB reads performance_schema, which is off by default.
        let statistics =
            view == "slow_queries" || (view == "index_usage" && backend == Backend::MySql);
        let rows = count(&t.db, view).await;
        assert!(
            statistics || rows > 0,
            "{backend:?}: view {view} returns no rows"
        );
    }

    // The integrity view re-checks some CHECKs and FKs by query: nothing fails.
    let failing = t
        .query_strings(
            "SELECT check_name AS c FROM data_integrity_checks WHERE failing_records <> 0",
            "c",
        )
        .await;
    assert!(failing.is_empty(), "{backend:?}: {failing:?}");

    // Nothing is dated after today (the as-of date): no row of any table was created later.
    let now = match backend {
        Backend::Postgres => "now()",
        Backend::MySql => "CURRENT_TIMESTAMP(6)",
        Backend::Sqlite => "strftime('%Y-%m-%dT%H:%M:%f', 'now')",
    };
    let mut dated_later = Vec::new();
    for (table, columns) in &catalog.tables {
        for column in &columns.columns {
            let timestamp = [
                "created_at",
                "updated_at",
                "completed_at",
                "issued_at",
                "submitted_at",
                "started_at",
                "ended_at",
                "graded_at",
                "reviewed_at",
                "last_accessed_at",
            ];
            if !timestamp.contains(&column.name.as_str()) {
                continue;
            }
            let later = count_where(&t.db, table, &format!("{} > {now}", column.name)).await;
            if later > 0 {
                dated_later.push(format!("{table}.{} ({later} rows)", column.name));
            }
        }
    }
    assert!(
        dated_later.is_empty(),
        "{backend:?}: dated in the future: {dated_later:?}"
    );

    if backend == Backend::Postgres {
        // Two years of attempts up to 30 days before today: the years before this one land in
        // the DEFAULT partition, this year's (after its first 30 days) in its own.
        let today = Utc::now().date_naive();
        let mut filled = vec!["attempts_default".to_owned()];
        if today.ordinal() > 31 {
            filled.push(format!("attempts_{}", today.year()));
        }
        for partition in &filled {
            assert!(
                catalog.partitions.contains_key(partition),
                "no partition {partition}"
            );
            assert!(count(&t.db, partition).await > 0, "{partition} is empty");
        }
    }
}

/// `SELECT COUNT(*)` of a whole query's rows.
async fn rows_of(db: &DatabaseConnection, query: &str) -> u64 {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM ({query}) q"),
        ))
        .await
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() as u64
}

/// The rows a check query finds must be none; it lists what breaks the rule.
async fn none(backend: Backend, db: &DatabaseConnection, rule: &str, query: &str) {
    let broken = rows_of(db, query).await;
    assert_eq!(broken, 0, "{backend:?}: {broken} rows break: {rule}");
}

/// Every value of a per-parent count: `(SELECT parent, COUNT(*) FROM table GROUP BY parent)`.
async fn distinct_counts(db: &DatabaseConnection, table: &str, parent: &str) -> u64 {
    rows_of(
        db,
        &format!(
            "SELECT n FROM (SELECT {parent}, COUNT(*) AS n FROM {table} GROUP BY {parent}) c GROUP BY n"
        ),
    )
    .await
}

async fn derived_columns_follow_from_their_rows(backend: Backend) {
    let t = seeded(backend, 42).await;
    let db = &t.db;

    none(
        backend,
        db,
        "progress_percentage = completed lessons / lessons of the course x 100",
        "SELECT e.id FROM enrollments e WHERE ABS(e.progress_percentage - 100.0 * \
           (SELECT COUNT(*) FROM lesson_progress lp \
            WHERE lp.enrollment_id = e.id AND lp.status = 'completed') / \
           (SELECT COUNT(*) FROM lessons l JOIN course_modules m ON m.id = l.module_id \
            WHERE m.course_id = e.course_id)) > 0.005",
    )
    .await;
    none(
        backend,
        db,
        "a completed enrollment completed every lesson, and only it",
        "SELECT e.id FROM enrollments e WHERE (e.status = 'completed') <> \
           (e.progress_percentage = 100)",
    )
    .await;
    assert!(
        rows_of(
            db,
            "SELECT id FROM enrollments WHERE progress_percentage > 0 AND progress_percentage < 100"
        )
        .await
            > 0,
        "{backend:?}: some enrollments are part-way"
    );

    // Learners differ: 1 to 5 enrollments and weaknesses, 2 to 6 mistakes.
    for (table, parent) in [
        ("enrollments", "student_id"),
        ("student_weaknesses", "user_id"),
        ("student_mistakes", "user_id"),
    ] {
        let counts = distinct_counts(db, table, parent).await;
        assert!(
            counts > 1,
            "{backend:?}: every learner has the same number of {table}"
        );
    }

    let answers = "FROM practice_answers pa WHERE pa.session_id = ps.id";
    none(
        backend,
        db,
        "a Kedge session's counters count its answers",
        &format!(
            "SELECT ps.id FROM practice_sessions ps WHERE EXISTS (SELECT 1 {answers}) AND ( \
               ps.completed_items <> (SELECT COUNT(*) {answers}) \
               OR ps.correct_items <> (SELECT COUNT(*) {answers} AND pa.is_correct) \
               OR ps.incorrect_items <> (SELECT COUNT(*) {answers} AND NOT pa.is_correct) \
               OR ps.total_items < ps.completed_items + ps.skipped_items \
               OR ps.last_question_index <> ps.completed_items + ps.skipped_items \
                  - CASE WHEN ps.status = 'completed' THEN 1 ELSE 0 END)"
        ),
    )
    .await;
    let attempts = "FROM attempts a WHERE a.session_id = ps.id";
    none(
        backend,
        db,
        "an adaptive session's counters count its attempts",
        &format!(
            "SELECT ps.id FROM practice_sessions ps WHERE EXISTS (SELECT 1 {attempts}) AND ( \
               ps.completed_items <> (SELECT COUNT(*) {attempts}) \
               OR ps.correct_items <> (SELECT COUNT(*) {attempts} AND a.correct) \
               OR ps.incorrect_items <> (SELECT COUNT(*) {attempts} AND NOT a.correct))"
        ),
    )
    .await;
    none(
        backend,
        db,
        "a story session's counters count its sentences, successful if a try was",
        "SELECT ps.id FROM practice_sessions ps WHERE ps.story_id IS NOT NULL AND ( \
           ps.completed_items <> (SELECT COUNT(DISTINCT sa.sentence_index) \
             FROM sentence_attempts sa WHERE sa.session_id = ps.id) \
           OR ps.correct_items <> (SELECT COUNT(DISTINCT sa.sentence_index) \
             FROM sentence_attempts sa WHERE sa.session_id = ps.id AND sa.is_successful) \
           OR ps.incorrect_items <> ps.completed_items - ps.correct_items)",
    )
    .await;

    none(
        backend,
        db,
        "courses.enrollment_count and total_reviews count its (completed) enrollments",
        "SELECT c.id FROM courses c WHERE \
           c.enrollment_count <> (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = c.id) \
           OR c.total_reviews <> (SELECT COUNT(*) FROM enrollments e \
             WHERE e.course_id = c.id AND e.status = 'completed')",
    )
    .await;
    none(
        backend,
        db,
        "course_analytics counts the course's enrollments",
        "SELECT ca.course_id FROM course_analytics ca WHERE \
           ca.total_enrollments <> (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = ca.course_id) \
           OR ca.active_enrollments <> (SELECT COUNT(*) FROM enrollments e \
             WHERE e.course_id = ca.course_id AND e.status = 'active') \
           OR ca.completion_count <> (SELECT COUNT(*) FROM enrollments e \
             WHERE e.course_id = ca.course_id AND e.status = 'completed')",
    )
    .await;
    none(
        backend,
        db,
        "student_analytics counts the learner's enrollments",
        "SELECT sa.user_id FROM student_analytics sa WHERE \
           sa.total_courses_enrolled <> (SELECT COUNT(*) FROM enrollments e WHERE e.student_id = sa.user_id) \
           OR sa.courses_completed <> (SELECT COUNT(*) FROM enrollments e \
             WHERE e.student_id = sa.user_id AND e.status = 'completed') \
           OR sa.courses_in_progress <> (SELECT COUNT(*) FROM enrollments e \
             WHERE e.student_id = sa.user_id AND e.status = 'active')",
    )
    .await;
    none(
        backend,
        db,
        "stories' rating and practice counters count their rows",
        "SELECT s.id FROM stories s WHERE \
           s.rating_count <> (SELECT COUNT(*) FROM story_ratings r WHERE r.story_id = s.id) \
           OR s.practice_count <> (SELECT COUNT(*) FROM practice_sessions ps WHERE ps.story_id = s.id) \
           OR ABS(s.avg_rating - (SELECT AVG(r.rating) FROM story_ratings r WHERE r.story_id = s.id)) > 0.005",
    )
    .await;
}

async fn module_20_is_filled(backend: Backend) {
    let t = seeded(backend, 42).await;
    let db = &t.db;
    let planned = plan(1);
    for table in ["question_reports", "system_config"] {
        assert!(planned[table] > 0, "the plan fills {table}");
        assert_eq!(
            count(db, table).await,
            planned[table],
            "{backend:?}: {table}"
        );
    }
    for (table, condition) in [
        ("users", "class IS NOT NULL"),
        ("knowledge_points", "subject_id IS NOT NULL"),
        ("knowledge_points", "sort_index > 0"),
        ("questions", "subject_id IS NOT NULL"),
        ("questions", "alternative_answers IS NOT NULL"),
        ("questions", "answer_index IS NOT NULL"),
        ("questions", "hints IS NOT NULL"),
        ("questions", "extra_properties IS NOT NULL"),
        ("practice_sessions", "subject_id IS NOT NULL"),
        ("practice_sessions", "incorrect_items > 0"),
        ("practice_sessions", "skipped_items > 0"),
        ("practice_sessions", "auto_advance_delay > 0"),
        ("practice_sessions", "last_question_index IS NOT NULL"),
        ("question_reports", "resolved_by IS NOT NULL"),
    ] {
        assert!(
            count_where(db, table, condition).await > 0,
            "{backend:?}: no {table} row where {condition}"
        );
    }

    none(
        backend,
        db,
        "only learners have a class",
        "SELECT id FROM users WHERE class IS NOT NULL AND role <> 'student'",
    )
    .await;
    none(
        backend,
        db,
        "sort_index numbers each (volume, unit) 1, 2, 3, ...",
        "SELECT volume, unit FROM knowledge_points GROUP BY volume, unit \
         HAVING MIN(sort_index) <> 1 OR MAX(sort_index) <> COUNT(*) \
           OR COUNT(DISTINCT sort_index) <> COUNT(*)",
    )
    .await;
    none(
        backend,
        db,
        "a question's subject is its knowledge point's",
        "SELECT q.id FROM questions q JOIN knowledge_points k ON k.id = q.knowledge_point_id \
         WHERE q.subject_id IS NOT NULL AND q.subject_id <> k.subject_id",
    )
    .await;
    none(
        backend,
        db,
        "a Kedge session's answers are of its subject",
        "SELECT pa.id FROM practice_answers pa \
         JOIN practice_sessions ps ON ps.id = pa.session_id \
         JOIN questions q ON q.id = pa.question_id WHERE q.subject_id <> ps.subject_id",
    )
    .await;
    none(
        backend,
        db,
        "a report is of a question its user answered in its session",
        "SELECT r.id FROM question_reports r WHERE NOT EXISTS (SELECT 1 FROM practice_answers pa \
           JOIN practice_sessions ps ON ps.id = pa.session_id \
           WHERE pa.session_id = r.session_id AND pa.question_id = r.question_id \
             AND ps.user_id = r.user_id)",
    )
    .await;
    none(
        backend,
        db,
        "resolved_by, resolved_at and resolution_note only on resolved or dismissed reports",
        "SELECT id FROM question_reports WHERE \
           (status IN ('resolved', 'dismissed') AND (resolved_by IS NULL OR resolved_at IS NULL)) \
           OR (status IN ('pending', 'reviewing') AND (resolved_by IS NOT NULL \
             OR resolved_at IS NOT NULL OR resolution_note IS NOT NULL))",
    )
    .await;
    assert!(
        rows_of(db, "SELECT status FROM question_reports GROUP BY status").await >= 3,
        "{backend:?}: a mix of report statuses"
    );
    none(
        backend,
        db,
        "no show_demo_accounts (SPEC-26-27 §26.3)",
        "SELECT id FROM system_config WHERE config_key = 'show_demo_accounts'",
    )
    .await;

    // answer_index points at the correct options; fill-in-the-blank has alternatives.
    let kg = questions::Entity::find()
        .filter(questions::Column::SubjectId.is_not_null())
        .all(db)
        .await
        .unwrap();
    assert!(!kg.is_empty());
    for q in &kg {
        let at = |what: &str| {
            format!(
                "{backend:?}: question {} ({:?}): {what}",
                q.id, q.question_type
            )
        };
        match q.question_type {
            QuestionType::MultipleChoice => {
                let options = q
                    .options
                    .as_ref()
                    .and_then(|o| o.as_array())
                    .expect("options");
                let index: Vec<usize> =
                    serde_json::from_value(q.answer_index.clone().expect("answer_index"))
                        .unwrap_or_else(|e| panic!("{}", at(&e.to_string())));
                let picked: Vec<_> = index
                    .iter()
                    .map(|i| options.get(*i).cloned().expect("an option"))
                    .collect();
                let expected = if q.allow_multiple {
                    serde_json::json!(picked)
                } else {
                    assert_eq!(picked.len(), 1, "{}", at("one correct option"));
                    picked[0].clone()
                };
                assert_eq!(q.correct_answer, expected, "{}", at("answer_index"));
            }
            QuestionType::FillBlank => {
                assert!(q.answer_index.is_none(), "{}", at("no options"));
                assert!(
                    q.alternative_answers.as_ref().is_some_and(|a| a.is_array()),
                    "{}",
                    at("alternatives")
                );
                assert!(
                    q.hints.as_ref().is_some_and(|a| a.is_array()),
                    "{}",
                    at("hints")
                );
            }
            QuestionType::TrueFalse | QuestionType::Matching => {
                panic!("{}", at("KG has no such type"))
            }
            _ => assert!(q.answer_index.is_none(), "{}", at("no options")),
        }
        assert!(
            q.extra_properties.as_ref().is_some_and(|e| e.is_object()),
            "{}",
            at("extra_properties")
        );
    }
}

/// Every row of `E`, ordered by primary key, as text.
async fn dump<E>(db: &DatabaseConnection) -> Vec<String>
where
    E: EntityTrait,
    E::Model: Debug,
{
    let mut select = E::find();
    for key in E::PrimaryKey::iter() {
        select = select.order_by_asc(key.into_column());
    }
    select
        .all(db)
        .await
        .unwrap_or_else(|e| panic!("dump: {e}"))
        .iter()
        .map(|row| format!("{row:?}"))
        // The reference rows of migration 19 have fixed ids (00000000-0000-…) and the time of
        // the migration, and each MariaDB test database is migrated on its own: not demo data.
        .filter(|row| !row.starts_with("Model { id: 00000000-0000-"))
        .collect()
}

/// `dump_database`: every table of the schema, row by row, over the entity crate's list.
macro_rules! dump_every_entity {
    { $($table:ident,)* } => {
        async fn dump_database(db: &DatabaseConnection) -> BTreeMap<&'static str, Vec<String>> {
            let mut tables = BTreeMap::new();
            $( tables.insert(stringify!($table), dump::<entity::$table::Entity>(db).await); )*
            assert_eq!(tables.len(), schema_tables());
            tables
        }
    };
}
entity::for_each_entity!(dump_every_entity);

/// The as-of date of the determinism test: one date for both databases, even across midnight.
fn as_of() -> chrono::NaiveDate {
    static DAY: std::sync::OnceLock<chrono::NaiveDate> = std::sync::OnceLock::new();
    *DAY.get_or_init(|| Utc::now().date_naive())
}

async fn seeded(backend: Backend, seed: u64) -> TestDb {
    let t = TestDb::migrated(backend).await;
    let options = SeedOptions {
        scale: 1,
        seed,
        as_of: as_of(),
    };
    seed_demo(&t.db, &options, &mut Quiet)
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    t
}

async fn the_same_seed_gives_identical_data(backend: Backend) {
    let first = seeded(backend, 7).await;
    let again = seeded(backend, 7).await;
    let (a, b) = (
        dump_database(&first.db).await,
        dump_database(&again.db).await,
    );
    let planned = plan(1);
    for (table, rows) in &a {
        if planned.contains_key(table) {
            assert!(!rows.is_empty(), "{backend:?}: {table} has no demo rows");
        }
        // Compared table by table, so that a failure names the table, not 10,000 rows.
        assert!(
            rows == &b[table],
            "{backend:?}: {table} differs between two runs of seed 7"
        );
    }
    drop((first, again));

    let other = seeded(backend, 8).await;
    let c = dump_database(&other.db).await;
    for table in ["users", "attempts", "enrollments", "notifications"] {
        assert_ne!(
            a[table], c[table],
            "{backend:?}: seeds 7 and 8 give the same {table}"
        );
    }
}

async fn a_failure_leaves_the_database_as_it_was(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    // A rule the demo breaks, in a table it writes half-way through: the insert of
    // knowledge_points_metadata fails after nineteen tables were written. (A row of the
    // database's own would make the seed refuse up front.)
    let rule = match backend {
        Backend::Sqlite => {
            "CREATE TRIGGER test_taken BEFORE INSERT ON knowledge_points_metadata WHEN NEW.meta_key = 'curriculum.version.0' BEGIN SELECT RAISE(ABORT, 'taken'); END"
        }
        _ => {
            "ALTER TABLE knowledge_points_metadata ADD CONSTRAINT ck_test_taken CHECK (meta_key <> 'curriculum.version.0')"
        }
    };
    t.exec(rule).await.unwrap();
    let before = counts(&t.db).await;

    let err = seed_demo(&t.db, &SeedOptions::default(), &mut Quiet)
        .await
        .expect_err("the duplicate key stops the seed");
    assert!(
        matches!(
            err,
            SeedError::Db {
                table: "knowledge_points_metadata",
                ..
            }
        ),
        "{backend:?}: {err}"
    );
    assert_eq!(
        counts(&t.db).await,
        before,
        "{backend:?}: rows were left behind"
    );
}

fn seed(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    command(&learndb_bin(), dir)
        .arg("seed")
        .args(args)
        .output()
        .expect("the learndb binary starts")
}

fn one_line(o: &std::process::Output) -> String {
    let err = stderr(o);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line on stderr:\n{}",
        show(o)
    );
    err
}

async fn the_command_seeds_once_and_refuses(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let t = TestDb::migrated(backend).await;

    let first = seed(dir.path(), &["--demo", "-u", &t.url]);
    assert_eq!(first.status.code(), Some(0), "{}", show(&first));
    let out = stdout(&first);
    assert!(
        out.starts_with("Database: "),
        "header first:\n{}",
        show(&first)
    );
    assert!(out.contains("\nServer: "), "{}", show(&first));
    let total: u64 = plan(1).values().sum();
    assert!(
        out.contains(&format!(
            "Seeded {total} rows into {} tables",
            plan(1).len()
        )),
        "summary:\n{}",
        show(&first)
    );
    // Not a terminal: one plain line per table.
    assert!(stderr(&first).contains(&format!("seeded attempts: {} rows", plan(1)["attempts"])));

    // Seeded data leaves the schema as the migrations made it: learndb verify passes.
    let verify = command(&learndb_bin(), dir.path())
        .args(["verify", "-u", &t.url])
        .output()
        .unwrap();
    assert_eq!(verify.status.code(), Some(0), "{}", show(&verify));
    assert!(
        stdout(&verify).contains(&format!("No drift: {} tables", schema_tables())),
        "{}",
        show(&verify)
    );

    let seeded = counts(&t.db).await;
    let second = seed(dir.path(), &["--demo", "-u", &t.url]);
    assert_eq!(second.status.code(), Some(2), "{}", show(&second));
    assert!(
        one_line(&second).contains("already holds data"),
        "{}",
        show(&second)
    );
    assert!(
        stderr(&second).contains("learndb migrate fresh"),
        "{}",
        show(&second)
    );
    assert_eq!(counts(&t.db).await, seeded, "a refused run changes nothing");

    for bad in [
        &["--demo", "--scale", "0", "-u", &t.url][..],
        &["--demo", "--scale", "abc", "-u", &t.url],
        &["--demo", "--scale", "1001", "-u", &t.url],
    ] {
        let o = seed(dir.path(), bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", show(&o));
        assert!(stderr(&o).contains("--scale"), "{bad:?}: {}", show(&o));
    }
    // Not a day, a two-digit year (not 2026: chrono reads it as the year 26), and days whose
    // data some backend cannot store or the date library cannot count back from: bad input,
    // refused before anything is written.
    for day in [
        "2026-02-30",
        "26-01-01",
        "9999-12-31",
        "1900-01-01",
        "262143-12-31",
    ] {
        let bad_date = seed(dir.path(), &["--demo", "--as-of", day, "-u", &t.url]);
        assert_eq!(
            bad_date.status.code(),
            Some(2),
            "{day}: {}",
            show(&bad_date)
        );
        assert!(
            stderr(&bad_date).contains("--as-of") && !stderr(&bad_date).contains("panicked"),
            "{day}: {}",
            show(&bad_date)
        );
    }
    assert_eq!(counts(&t.db).await, seeded, "a refused run changes nothing");

    // Closed stdout and stderr (`learndb seed … | true`): the output stops, the seeding does not.
    let closed = TestDb::migrated(backend).await;
    let mut child = command(&learndb_bin(), dir.path())
        .args(["seed", "--demo", "-u", &closed.url])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "{backend:?}: seeding with closed pipes"
    );
    assert_eq!(
        counts(&closed.db).await,
        seeded,
        "{backend:?}: every row seeded"
    );
    let no_demo = seed(dir.path(), &["-u", &t.url]);
    assert_eq!(no_demo.status.code(), Some(2), "{}", show(&no_demo));
    assert!(one_line(&no_demo).contains("--demo"), "{}", show(&no_demo));

    // Data of the database's own in any table, not only users: a knowledge point alone is
    // enough to refuse, naming the table, and nothing is written.
    let own = TestDb::migrated(backend).await;
    own.db
        .execute(&knowledge_point(uuid::Uuid::now_v7()).insert())
        .await
        .unwrap();
    let before = counts(&own.db).await;
    let mixed = seed(dir.path(), &["--demo", "-u", &own.url]);
    assert_eq!(mixed.status.code(), Some(2), "{}", show(&mixed));
    assert!(
        one_line(&mixed).contains("already holds data (1 knowledge_points)"),
        "{}",
        show(&mixed)
    );
    assert_eq!(
        counts(&own.db).await,
        before,
        "a refused run changes nothing"
    );

    let empty = TestDb::new(backend).await;
    let unmigrated = seed(dir.path(), &["--demo", "-u", &empty.url]);
    assert_eq!(unmigrated.status.code(), Some(2), "{}", show(&unmigrated));
    assert!(
        one_line(&unmigrated).contains("learndb migrate up"),
        "{}",
        show(&unmigrated)
    );
}
