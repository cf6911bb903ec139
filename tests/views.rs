//! The ten views of module 18 (SPEC.md §20) on every backend: which views exist where, with the
//! source output columns in the spec's order, and what the application views report for a small
//! hand-made data set (exact numbers, no join fan-out); every monitoring view that exists can be
//! read.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{TimeDelta, Utc};
use common::factories::activity::{usage_day, usage_statistic, user_activity};
use common::factories::adaptive::{attempt, item};
use common::factories::practice::practice_answer;
use common::factories::progress::{practice_session, user_progress};
use common::factories::users::user;
use common::factories::writing::{
    character_override, character_override_collection, page_size_preset, template_preset,
};
use common::rows::{Row, at, dec, enum_value, nobody};
use common::{Backend, TestDb};
use migration::runner::Selection;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, QueryResult, Statement, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

on_every_backend!(
    views_exist_per_backend_with_the_spec_columns,
    views_exist_per_backend_with_the_spec_columns
);
on_every_backend!(
    application_views_report_exact_numbers,
    application_views_report_exact_numbers
);
on_every_backend!(
    data_integrity_checks_count_each_failure_once,
    data_integrity_checks_count_each_failure_once
);
on_every_backend!(monitoring_views_can_be_read, monitoring_views_can_be_read);

/// Every view of SPEC.md §20, in order, with its output columns.
const VIEWS: [(&str, &[&str]); 10] = [
    (
        "practice_statistics_view",
        &[
            "user_id",
            "user_name",
            "session_id",
            "session_type",
            "strategy",
            "status",
            "score",
            "total_questions",
            "correct_answers",
            "accuracy_percentage",
            "time_limit_minutes",
            "started_at",
            "completed_at",
            "actual_duration_minutes",
            "created_at",
            "knowledge_point_count",
            "quiz_count",
        ],
    ),
    (
        "user_summary_stats",
        &[
            "id",
            "username",
            "full_name",
            "role",
            "created_at",
            "last_login",
            "total_activities",
            "days_active",
            "total_svg_generations",
            "total_batch_generations",
            "total_lines",
            "total_characters",
        ],
    ),
    (
        "system_statistics",
        &[
            "total_users",
            "active_users",
            "admin_users",
            "total_templates",
            "total_page_sizes",
            "total_char_collections",
            "total_char_overrides",
            "all_time_svg_generations",
            "all_time_lines_generated",
        ],
    ),
    (
        "recent_activity",
        &[
            "id",
            "timestamp",
            "activity_type",
            "description",
            "username",
            "full_name",
        ],
    ),
    (
        "data_integrity_checks",
        &[
            "table_name",
            "check_name",
            "total_records",
            "failing_records",
        ],
    ),
    (
        "table_sizes",
        &["schemaname", "tablename", "size", "size_bytes"],
    ),
    (
        "slow_queries",
        &[
            "query",
            "calls",
            "total_exec_time",
            "mean_exec_time",
            "rows",
            "hit_percent",
        ],
    ),
    (
        "index_usage",
        &[
            "schemaname",
            "tablename",
            "indexname",
            "idx_scan",
            "idx_tup_read",
            "idx_tup_fetch",
            "size",
        ],
    ),
    (
        "connection_stats",
        &[
            "datname",
            "usename",
            "application_name",
            "client_addr",
            "state",
            "query_start",
            "state_change",
            "query",
        ],
    ),
    ("system_health", &["metric", "value", "checked_at"]),
];

/// The views module 18 promises on each backend. PostgreSQL's `slow_queries` needs the
/// `pg_stat_statements` extension, which a fresh test database does not have.
fn promised_views(backend: Backend) -> BTreeSet<&'static str> {
    let absent: &[&str] = match backend {
        Backend::Postgres => &["slow_queries"],
        Backend::MySql => &[],
        Backend::Sqlite => &[
            "table_sizes",
            "slow_queries",
            "index_usage",
            "connection_stats",
        ],
    };
    VIEWS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !absent.contains(name))
        .collect()
}

/// The ten (table_name, check_name) pairs of `data_integrity_checks`.
const INTEGRITY_CHECKS: [(&str, &str); 10] = [
    ("users", "no_login_identifier"),
    ("users", "empty_username"),
    ("page_size_presets", "invalid_dimensions"),
    ("page_size_presets", "invalid_unit"),
    ("page_size_presets", "multiple_defaults"),
    ("template_presets", "invalid_line_height"),
    ("template_presets", "invalid_scale"),
    ("user_progress", "success_gt_total"),
    ("practice_answers", "orphan_session"),
    ("attempts", "orphan_item"),
];

async fn views_exist_per_backend_with_the_spec_columns(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let present = view_names(&t).await;
    let promised: BTreeSet<String> = promised_views(backend)
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        present, promised,
        "{backend:?}: the views in the database are not the ones module 18 promises"
    );
    for (name, columns) in VIEWS {
        if !promised.contains(name) {
            continue;
        }
        assert_eq!(
            view_columns(&t, name).await,
            columns,
            "{backend:?}: view {name} does not have the source output columns of SPEC.md §20, in order"
        );
    }

    // down() drops what up() created, including a view the server decided to skip.
    t.roll_back(Selection::To("triggers".into())).await;
    assert!(
        view_names(&t).await.is_empty(),
        "{backend:?}: views left behind after rolling back module 18"
    );
    t.migrate(Selection::All).await;
    assert_eq!(
        view_names(&t).await,
        promised,
        "{backend:?}: re-applying module 18 did not recreate its views"
    );
}

/// PostgreSQL creates `slow_queries` when `pg_stat_statements` is installed before the migration
/// runs, and drops it again on rollback. (Reading it needs the library preloaded, which the test
/// server does not do; creating it does not.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_queries_exists_on_postgres_once_pg_stat_statements_is_installed() {
    let t = TestDb::new(Backend::Postgres).await;
    t.exec("CREATE EXTENSION pg_stat_statements")
        .await
        .unwrap_or_else(|e| panic!("installing pg_stat_statements (postgresql-contrib): {e}"));
    t.migrate(Selection::All).await;
    assert!(
        view_names(&t).await.contains("slow_queries"),
        "slow_queries was not created although pg_stat_statements is installed"
    );
    assert_eq!(
        view_columns(&t, "slow_queries").await,
        VIEWS[6].1,
        "slow_queries does not have the columns of SPEC.md §20, in order"
    );
    t.roll_back(Selection::To("triggers".into())).await;
    assert!(
        !view_names(&t).await.contains("slow_queries"),
        "slow_queries survived the rollback of module 18"
    );
}

async fn application_views_report_exact_numbers(backend: Backend) {
    let b = backend;
    let t = TestDb::migrated(backend).await;
    let statistics_before = system_statistics(&t).await;
    let health_before = system_health(&t).await;

    // Users: u1 named, u2 without full_name, u3 admin, u4 inactive, u5 soft-deleted admin.
    let [u1, u2, u3, u4, u5] = [(); 5].map(|_| Uuid::now_v7());
    insert(&t, user(b, u1)).await;
    insert(&t, user(b, u2).without("full_name")).await;
    insert(&t, user(b, u3).with("role", enum_value(b, "role", "admin"))).await;
    insert(&t, user(b, u4).with("is_active", false)).await;
    insert(
        &t,
        user(b, u5)
            .with("role", enum_value(b, "role", "admin"))
            .with("deleted_at", at(0)),
    )
    .await;

    // Practice sessions: 8 of 10 over 90 minutes; 3 of 7; 0 items; no item count at all.
    let [s1, s2, s3, s4] = [(); 4].map(|_| Uuid::now_v7());
    let session = |id, user_id| practice_session(b, id, user_id, nobody()).without("story_id");
    insert(
        &t,
        session(s1, u1)
            .with("total_items", 10)
            .with("correct_items", 8)
            .with("points_earned", 80)
            .with("started_at", at(0))
            .with("completed_at", at(0) + TimeDelta::minutes(90))
            .with("knowledge_point_ids", json!(["kp-1", "kp-2", "kp-3"]))
            .with(
                "question_ids",
                json!([Uuid::now_v7().to_string(), Uuid::now_v7().to_string()]),
            ),
    )
    .await;
    insert(
        &t,
        session(s2, u2)
            .with("total_items", 7)
            .with("completed_items", 7)
            .with("correct_items", 3)
            .with("started_at", at(0))
            .with("completed_at", at(0) + TimeDelta::seconds(45))
            .with("knowledge_point_ids", json!([]))
            .with("question_ids", json!({"not": "an array"})),
    )
    .await;
    insert(
        &t,
        session(s3, u1)
            .with("total_items", 0)
            .with("completed_items", 0)
            .with("correct_items", 0)
            .without("started_at")
            .without("completed_at"),
    )
    .await;
    insert(
        &t,
        session(s4, u1)
            .without("total_items")
            .with("correct_items", 0)
            .without("completed_at"),
    )
    .await;

    // Activity: u1 has 105 activities (one a minute), u2 has 3 older ones; u2 has 2 usage days,
    // u1 one, u3 none.
    let mut activities: Vec<(chrono::DateTime<Utc>, Uuid)> = Vec::new();
    for (user_id, count, start) in [(u2, 3, 0), (u1, 105, 10)] {
        for i in 0..count {
            let id = Uuid::now_v7();
            let when = at(0) + TimeDelta::minutes(start + i);
            insert(&t, user_activity(id, user_id).with("created_at", when)).await;
            activities.push((when, id));
        }
    }
    insert(&t, usage_statistic(Uuid::now_v7(), u2, 0)).await;
    insert(
        &t,
        usage_statistic(Uuid::now_v7(), u2, 1)
            .with("svg_generations", 7)
            .with("batch_generations", 1)
            .with("total_lines_generated", 30)
            .with("total_characters_generated", 1000_i64),
    )
    .await;
    insert(
        &t,
        usage_statistic(Uuid::now_v7(), u1, 0)
            .with("date", usage_day(5))
            .with("svg_generations", 5)
            .with("batch_generations", 0)
            .with("total_lines_generated", 10)
            .with("total_characters_generated", 100_i64),
    )
    .await;

    // Writing: one page size, one template, one collection with two overrides.
    let (page, template, collection) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    insert(&t, page_size_preset(b, page, u1)).await;
    insert(&t, template_preset(b, template, page, u1)).await;
    insert(&t, character_override_collection(collection, u1)).await;
    insert(&t, character_override(Uuid::now_v7(), collection)).await;
    insert(&t, character_override(Uuid::now_v7(), collection)).await;

    // Adaptive: items published+active, published+inactive, draft; one attempt today, one not.
    let [i1, i2, i3] = [(); 3].map(|_| Uuid::now_v7());
    insert(&t, item(b, i1, u1)).await;
    insert(&t, item(b, i2, u1).with("is_active", false)).await;
    insert(
        &t,
        item(b, i3, u1).with("status", enum_value(b, "item_status", "draft")),
    )
    .await;
    insert(
        &t,
        attempt(Uuid::now_v7(), u1, i1, s1).with("created_at", Utc::now()),
    )
    .await;
    insert(
        &t,
        attempt(Uuid::now_v7(), u1, i1, s1).with("created_at", Utc::now() - TimeDelta::days(2)),
    )
    .await;

    // practice_statistics_view
    let stats = practice_statistics(&t).await;
    let s = &stats[&s1];
    assert_eq!(
        s.user_id, u1,
        "{b:?}: practice_statistics_view.user_id of s1"
    );
    assert_eq!(
        s.user_name.as_deref(),
        Some("Ada Lovelace"),
        "{b:?}: practice_statistics_view.user_name must be full_name when there is one"
    );
    assert_eq!(
        (
            s.session_type.as_str(),
            s.strategy.as_deref(),
            s.status.as_str()
        ),
        ("individual", Some("adaptive"), "completed"),
        "{b:?}: practice_statistics_view session_type/strategy/status of s1"
    );
    assert_eq!(
        (s.score, s.total_questions, s.correct_answers),
        (Some(80.0), Some(10.0), 8.0),
        "{b:?}: practice_statistics_view score/total_questions/correct_answers of s1"
    );
    assert_close(b, "accuracy_percentage of 8 of 10", s.accuracy, 80.0);
    assert_close(b, "actual_duration_minutes of 90 minutes", s.duration, 90.0);
    assert_eq!(
        (s.knowledge_point_count, s.quiz_count),
        (3.0, 2.0),
        "{b:?}: practice_statistics_view JSON array lengths of s1 (3 knowledge points, 2 questions)"
    );
    let s = &stats[&s2];
    assert_eq!(
        s.user_name.as_deref(),
        Some(format!("user-{}", u2.simple()).as_str()),
        "{b:?}: practice_statistics_view.user_name must fall back to username"
    );
    assert_close(b, "accuracy_percentage of 3 of 7", s.accuracy, 42.86);
    assert_close(b, "actual_duration_minutes of 45 s", s.duration, 0.75);
    assert_eq!(
        (s.knowledge_point_count, s.quiz_count),
        (0.0, 0.0),
        "{b:?}: practice_statistics_view counts an empty array and a non-array as 0"
    );
    let s = &stats[&s3];
    assert_close(b, "accuracy_percentage of 0 items", s.accuracy, 0.0);
    assert_eq!(
        s.duration, None,
        "{b:?}: actual_duration_minutes without started_at/completed_at must be NULL"
    );
    assert_eq!(
        (s.knowledge_point_count, s.quiz_count),
        (0.0, 0.0),
        "{b:?}: practice_statistics_view counts NULL JSON arrays as 0"
    );
    let s = &stats[&s4];
    assert_close(
        b,
        "accuracy_percentage with total_items NULL",
        s.accuracy,
        0.0,
    );
    assert_eq!(
        stats.len(),
        4,
        "{b:?}: practice_statistics_view has one row per practice session"
    );

    // user_summary_stats: no fan-out between activities and usage days.
    let summary = user_summary(&t).await;
    assert_eq!(
        summary[&u2],
        [3.0, 2.0, 47.0, 4.0, 150.0, 5_000_001_000.0],
        "{b:?}: user_summary_stats of a user with 3 activities and 2 usage days \
         (total_activities, days_active, svg, batch, lines, characters) must be the true totals"
    );
    assert_eq!(
        summary[&u1],
        [105.0, 1.0, 5.0, 0.0, 10.0, 100.0],
        "{b:?}: user_summary_stats of a user with 105 activities and 1 usage day"
    );
    assert_eq!(
        summary[&u3], [0.0; 6],
        "{b:?}: user_summary_stats of a user without activity or usage must be all 0"
    );

    // system_statistics: deltas from what the seed put there.
    let after = system_statistics(&t).await;
    let delta: Vec<f64> = after
        .iter()
        .zip(&statistics_before)
        .map(|(a, b)| a - b)
        .collect();
    assert_eq!(
        delta,
        [4.0, 3.0, 1.0, 1.0, 1.0, 1.0, 2.0, 52.0, 160.0],
        "{b:?}: system_statistics (total_users, active_users, admin_users, templates, page sizes, \
         collections, overrides, svg, lines) must count 4 new live users of which 3 active and 1 \
         admin (soft-deleted users excluded), and sum every usage row once"
    );

    // recent_activity: the latest 100, newest first.
    activities.sort_by(|a, b| b.cmp(a));
    let expected: Vec<Uuid> = activities.iter().take(100).map(|(_, id)| *id).collect();
    let recent = select(&t, Query::select().column("id").from("recent_activity")).await;
    let recent: Vec<Uuid> = recent.iter().map(|r| uuid(r, "id")).collect();
    assert_eq!(
        recent.len(),
        100,
        "{b:?}: recent_activity must hold exactly the latest 100 of 108 activities"
    );
    assert_eq!(
        recent, expected,
        "{b:?}: recent_activity must be the latest 100 activities, newest first"
    );
    let top = select(
        &t,
        Query::select()
            .columns(["username", "full_name"])
            .from("recent_activity")
            .and_where(Expr::col("id").eq(expected[0])),
    )
    .await;
    assert_eq!(
        (text(&top[0], "username"), text(&top[0], "full_name")),
        (
            Some(format!("user-{}", u1.simple())),
            Some("Ada Lovelace".to_owned())
        ),
        "{b:?}: recent_activity must carry the user's username and full_name"
    );

    // system_health: the application-table rows.
    let health = system_health(&t).await;
    for (metric, added) in [
        ("Total Users", 3),
        ("Published Items", 1),
        ("Total Attempts Today", 1),
    ] {
        let value = |h: &BTreeMap<String, String>| -> i64 {
            h.get(metric)
                .unwrap_or_else(|| panic!("{b:?}: system_health has no {metric:?} row"))
                .parse()
                .unwrap_or_else(|e| panic!("{b:?}: system_health {metric:?} is not a count: {e}"))
        };
        assert_eq!(
            value(&health) - value(&health_before),
            added,
            "{b:?}: system_health {metric:?} must count active live users, published active \
             items and attempts created today (UTC)"
        );
    }
}

async fn data_integrity_checks_count_each_failure_once(backend: Backend) {
    let b = backend;
    let t = TestDb::migrated(backend).await;
    let u1 = Uuid::now_v7();
    insert(&t, user(b, u1)).await;
    let defaults_before = count(&t, "page_size_presets", Some(("is_default", true))).await;

    // Failures no constraint prevents, on every backend.
    let mut failing: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    insert(&t, user(b, Uuid::now_v7()).with("username", "   ")).await;
    failing.insert(("users", "empty_username"), 1);
    for _ in 0..2 {
        insert(
            &t,
            page_size_preset(b, Uuid::now_v7(), u1).with("is_default", true),
        )
        .await;
    }
    failing.insert(
        ("page_size_presets", "multiple_defaults"),
        defaults_before + 2,
    );

    // Orphans, inserted with foreign-key enforcement switched off on that connection (PostgreSQL:
    // `session_replication_role = replica`, which the test server's superuser may set). Only a
    // missing session counts for practice_answers and only a missing item for attempts: the rows
    // orphaned on their other reference must not.
    let (session, valid_item) = (Uuid::now_v7(), Uuid::now_v7());
    insert(
        &t,
        practice_session(b, session, u1, nobody()).without("story_id"),
    )
    .await;
    insert(&t, item(b, valid_item, u1)).await;
    let orphans = [
        practice_answer(Uuid::now_v7(), nobody(), nobody()),
        practice_answer(Uuid::now_v7(), session, nobody()),
        attempt(Uuid::now_v7(), u1, nobody(), session),
        attempt(Uuid::now_v7(), u1, valid_item, nobody()),
    ];
    insert_unchecked(&t, &orphans, false).await;
    failing.insert(("practice_answers", "orphan_session"), 1);
    failing.insert(("attempts", "orphan_item"), 1);

    // SQLite can also switch CHECKs off, so every other check gets one failing row there.
    if b == Backend::Sqlite {
        let bad = [
            user(b, Uuid::now_v7())
                .with("email", Expr::val(Option::<String>::None))
                .with("username", Expr::val(Option::<String>::None)),
            page_size_preset(b, Uuid::now_v7(), u1).with("width", dec("0.00")),
            page_size_preset(b, Uuid::now_v7(), u1).with("unit", "furlong"),
            template_preset(b, Uuid::now_v7(), nobody(), u1).with("line_height", dec("0.00")),
            template_preset(b, Uuid::now_v7(), nobody(), u1).with("global_scale", dec("-1.000")),
            user_progress(b, Uuid::now_v7(), u1)
                .with("total_attempts", 2)
                .with("successful_attempts", 3),
        ];
        insert_unchecked(&t, &bad, true).await;
        for check in [
            ("users", "no_login_identifier"),
            ("page_size_presets", "invalid_dimensions"),
            ("page_size_presets", "invalid_unit"),
            ("template_presets", "invalid_line_height"),
            ("template_presets", "invalid_scale"),
            ("user_progress", "success_gt_total"),
        ] {
            failing.insert(check, 1);
        }
    }

    let rows = select(
        &t,
        Query::select()
            .columns([
                "table_name",
                "check_name",
                "total_records",
                "failing_records",
            ])
            .from("data_integrity_checks"),
    )
    .await;
    let mut report: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for r in &rows {
        let key = (
            text(r, "table_name").unwrap_or_default(),
            text(r, "check_name").unwrap_or_default(),
        );
        let counts = (int(r, "total_records"), int(r, "failing_records"));
        assert!(
            report.insert(key.clone(), counts).is_none(),
            "{b:?}: data_integrity_checks reports {key:?} twice"
        );
    }
    let pairs: BTreeSet<(String, String)> = report.keys().cloned().collect();
    let expected_pairs: BTreeSet<(String, String)> = INTEGRITY_CHECKS
        .iter()
        .map(|(t, c)| ((*t).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(
        pairs, expected_pairs,
        "{b:?}: data_integrity_checks must have exactly the 10 (table_name, check_name) rows of SPEC.md §20"
    );
    for (table, check) in INTEGRITY_CHECKS {
        let (total, failed) = report[&(table.to_owned(), check.to_owned())];
        assert_eq!(
            total,
            count(&t, table, None).await,
            "{b:?}: data_integrity_checks {table}/{check}: total_records must be the row count of {table}"
        );
        assert_eq!(
            failed,
            failing.get(&(table, check)).copied().unwrap_or(0),
            "{b:?}: data_integrity_checks {table}/{check}: wrong failing_records"
        );
    }
}

async fn monitoring_views_can_be_read(backend: Backend) {
    let b = backend;
    let t = TestDb::migrated(backend).await;
    let promised = promised_views(backend);
    for name in [
        "table_sizes",
        "slow_queries",
        "index_usage",
        "connection_stats",
    ] {
        if promised.contains(name) {
            select(&t, Query::select().expr(Expr::cust("*")).from(name)).await;
        }
    }
    let metrics: BTreeSet<String> = system_health(&t).await.into_keys().collect();
    let expected: &[&str] = match b {
        Backend::Sqlite => &["Total Users", "Published Items", "Total Attempts Today"],
        _ => &[
            "Database Size",
            "Active Connections",
            "Total Users",
            "Published Items",
            "Total Attempts Today",
        ],
    };
    assert_eq!(
        metrics,
        expected.iter().map(|m| (*m).to_owned()).collect(),
        "{b:?}: system_health metrics"
    );
    if b == Backend::Sqlite {
        return;
    }

    let sizes = select(
        &t,
        Query::select()
            .columns(["tablename", "size", "size_bytes"])
            .from("table_sizes"),
    )
    .await;
    let users = sizes
        .iter()
        .find(|r| text(r, "tablename").as_deref() == Some("users"))
        .unwrap_or_else(|| panic!("{b:?}: table_sizes does not list the users table"));
    assert!(
        int(users, "size_bytes") > 0 && text(users, "size").is_some_and(|s| !s.is_empty()),
        "{b:?}: table_sizes must give users a size in bytes and a readable size"
    );
    assert!(
        !sizes
            .iter()
            .any(|r| text(r, "tablename").as_deref() == Some("pg_class")),
        "{b:?}: table_sizes must list only the current schema's tables"
    );

    let connections = select(
        &t,
        Query::select()
            .expr(Expr::cust("*"))
            .from("connection_stats"),
    )
    .await;
    assert!(
        !connections.is_empty(),
        "{b:?}: connection_stats must list at least the connection that reads it"
    );

    if b == Backend::Postgres {
        let indexes = select(
            &t,
            Query::select()
                .columns(["tablename", "indexname"])
                .from("index_usage"),
        )
        .await;
        assert!(
            indexes.iter().any(|r| {
                text(r, "tablename").as_deref() == Some("users")
                    && text(r, "indexname").as_deref() == Some("ix_users_role")
            }),
            "{b:?}: index_usage must list ix_users_role on users (relname/indexrelname)"
        );
    }
}

// ---------------------------------------------------------------------------------------------

async fn insert(t: &TestDb, row: Row) {
    if let Err(e) = t.db.execute(&row.insert()).await {
        panic!(
            "{:?}: inserting a test row into {} failed: {e}",
            t.backend, row.table
        );
    }
}

/// Inserts rows that break foreign keys (and, on SQLite when `checks_off`, CHECKs), with the
/// enforcement switched off for that connection only.
async fn insert_unchecked(t: &TestDb, rows: &[Row], checks_off: bool) {
    let b = t.backend;
    match b {
        Backend::Sqlite => {
            // The test pool has one SQLite connection; these pragmas are no-ops inside a
            // transaction, so they are set around the inserts.
            let (off, on) = if checks_off {
                (
                    "PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON",
                    "PRAGMA foreign_keys = ON; PRAGMA ignore_check_constraints = OFF",
                )
            } else {
                ("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON")
            };
            for sql in off.split("; ") {
                t.exec(sql).await.unwrap();
            }
            for row in rows {
                insert(t, row.clone()).await;
            }
            for sql in on.split("; ") {
                t.exec(sql).await.unwrap();
            }
        }
        Backend::Postgres | Backend::MySql => {
            let (off, on) = match b {
                Backend::Postgres => ("SET LOCAL session_replication_role = replica", None),
                _ => (
                    "SET foreign_key_checks = 0",
                    Some("SET foreign_key_checks = 1"),
                ),
            };
            let tx = t.db.begin().await.unwrap();
            tx.execute_unprepared(off)
                .await
                .unwrap_or_else(|e| panic!("{b:?}: {off}: {e}"));
            for row in rows {
                tx.execute(&row.insert()).await.unwrap_or_else(|e| {
                    panic!("{b:?}: inserting an orphan into {} failed: {e}", row.table)
                });
            }
            if let Some(on) = on {
                tx.execute_unprepared(on).await.unwrap();
            }
            tx.commit().await.unwrap();
        }
    }
}

async fn select(t: &TestDb, query: &mut SelectStatement) -> Vec<QueryResult> {
    let stmt = t.db.get_database_backend().build(&*query);
    t.db.query_all_raw(stmt.clone())
        .await
        .unwrap_or_else(|e| panic!("{:?}: {}: {e}", t.backend, stmt.sql))
}

async fn raw(t: &TestDb, sql: &str) -> Vec<QueryResult> {
    t.db.query_all_raw(Statement::from_string(t.db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|e| panic!("{:?}: {sql}: {e}", t.backend))
}

async fn count(t: &TestDb, table: &str, flag: Option<(&str, bool)>) -> i64 {
    let mut query = Query::select();
    query
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(Alias::new(table));
    if let Some((column, value)) = flag {
        query.and_where(Expr::col(Alias::new(column)).eq(value));
    }
    int(&select(t, &mut query).await[0], "n")
}

async fn view_names(t: &TestDb) -> BTreeSet<String> {
    let sql = match t.backend {
        Backend::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.views WHERE table_schema = current_schema()"
        }
        Backend::MySql => {
            "SELECT CAST(TABLE_NAME AS CHAR) AS name FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"
        }
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'view'",
    };
    // pg_stat_statements brings views of its own.
    raw(t, sql)
        .await
        .iter()
        .filter_map(|r| text(r, "name"))
        .filter(|n| !n.starts_with("pg_stat_statements"))
        .collect()
}

async fn view_columns(t: &TestDb, view: &str) -> Vec<String> {
    let sql = match t.backend {
        Backend::Postgres => format!(
            "SELECT column_name::text AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{view}' ORDER BY ordinal_position"
        ),
        Backend::MySql => format!(
            "SELECT CAST(COLUMN_NAME AS CHAR) AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{view}' ORDER BY ORDINAL_POSITION"
        ),
        Backend::Sqlite => format!("SELECT name FROM pragma_table_info('{view}') ORDER BY cid"),
    };
    raw(t, &sql)
        .await
        .iter()
        .filter_map(|r| text(r, "name"))
        .collect()
}

/// One row of `practice_statistics_view`, numbers as f64 whatever type each backend gives.
struct PracticeStatistics {
    user_id: Uuid,
    user_name: Option<String>,
    session_type: String,
    strategy: Option<String>,
    status: String,
    score: Option<f64>,
    total_questions: Option<f64>,
    correct_answers: f64,
    accuracy: Option<f64>,
    duration: Option<f64>,
    knowledge_point_count: f64,
    quiz_count: f64,
}

async fn practice_statistics(t: &TestDb) -> BTreeMap<Uuid, PracticeStatistics> {
    let as_text = |column: &str| {
        let cast = match t.backend {
            Backend::MySql => "CHAR",
            _ => "TEXT",
        };
        Expr::cust(format!("CAST({column} AS {cast})"))
    };
    let mut query = Query::select();
    query
        .columns([
            "session_id",
            "user_id",
            "user_name",
            "score",
            "total_questions",
            "correct_answers",
            "accuracy_percentage",
            "actual_duration_minutes",
            "knowledge_point_count",
            "quiz_count",
        ])
        .expr_as(as_text("session_type"), Alias::new("session_type_text"))
        .expr_as(as_text("strategy"), Alias::new("strategy_text"))
        .expr_as(as_text("status"), Alias::new("status_text"))
        .from("practice_statistics_view");
    select(t, &mut query)
        .await
        .iter()
        .map(|r| {
            let row = PracticeStatistics {
                user_id: uuid(r, "user_id"),
                user_name: text(r, "user_name"),
                session_type: text(r, "session_type_text").unwrap_or_default(),
                strategy: text(r, "strategy_text"),
                status: text(r, "status_text").unwrap_or_default(),
                score: num(r, "score"),
                total_questions: num(r, "total_questions"),
                correct_answers: num(r, "correct_answers").unwrap_or(f64::NAN),
                accuracy: num(r, "accuracy_percentage"),
                duration: num(r, "actual_duration_minutes"),
                knowledge_point_count: num(r, "knowledge_point_count").unwrap_or(f64::NAN),
                quiz_count: num(r, "quiz_count").unwrap_or(f64::NAN),
            };
            (uuid(r, "session_id"), row)
        })
        .collect()
}

const SUMMARY_COUNTERS: [&str; 6] = [
    "total_activities",
    "days_active",
    "total_svg_generations",
    "total_batch_generations",
    "total_lines",
    "total_characters",
];

async fn user_summary(t: &TestDb) -> BTreeMap<Uuid, [f64; 6]> {
    let mut query = Query::select();
    query
        .column("id")
        .columns(SUMMARY_COUNTERS)
        .from("user_summary_stats");
    select(t, &mut query)
        .await
        .iter()
        .map(|r| {
            (
                uuid(r, "id"),
                SUMMARY_COUNTERS.map(|c| num(r, c).unwrap_or(f64::NAN)),
            )
        })
        .collect()
}

const STATISTICS: [&str; 9] = [
    "total_users",
    "active_users",
    "admin_users",
    "total_templates",
    "total_page_sizes",
    "total_char_collections",
    "total_char_overrides",
    "all_time_svg_generations",
    "all_time_lines_generated",
];

async fn system_statistics(t: &TestDb) -> Vec<f64> {
    let rows = select(
        t,
        Query::select()
            .columns(STATISTICS)
            .from("system_statistics"),
    )
    .await;
    assert_eq!(
        rows.len(),
        1,
        "{:?}: system_statistics must be one row",
        t.backend
    );
    STATISTICS
        .iter()
        .map(|c| num(&rows[0], c).unwrap_or(f64::NAN))
        .collect()
}

/// `system_health` as metric → value.
async fn system_health(t: &TestDb) -> BTreeMap<String, String> {
    let rows = select(
        t,
        Query::select()
            .columns(["metric", "value", "checked_at"])
            .order_by("metric", Order::Asc)
            .from("system_health"),
    )
    .await;
    let mut health = BTreeMap::new();
    for r in &rows {
        let metric = text(r, "metric").unwrap_or_default();
        let value = text(r, "value").unwrap_or_default();
        assert!(
            health.insert(metric.clone(), value).is_none(),
            "{:?}: system_health reports {metric:?} twice",
            t.backend
        );
    }
    health
}

fn assert_close(b: Backend, what: &str, actual: Option<f64>, expected: f64) {
    let actual = actual.unwrap_or_else(|| panic!("{b:?}: {what}: got NULL, expected {expected}"));
    assert!(
        (actual - expected).abs() < 1e-6,
        "{b:?}: {what}: got {actual}, expected {expected}"
    );
}

fn uuid(r: &QueryResult, column: &str) -> Uuid {
    r.try_get::<Uuid>("", column)
        .unwrap_or_else(|e| panic!("reading {column} as a uuid: {e}"))
}

fn text(r: &QueryResult, column: &str) -> Option<String> {
    r.try_get::<Option<String>>("", column)
        .unwrap_or_else(|e| panic!("reading {column} as text: {e}"))
}

fn int(r: &QueryResult, column: &str) -> i64 {
    num(r, column).unwrap_or_else(|| panic!("{column} is NULL")) as i64
}

/// A number, whatever numeric type the backend chose for the column (integer, bigint,
/// numeric/decimal or float).
fn num(r: &QueryResult, column: &str) -> Option<f64> {
    if let Ok(v) = r.try_get::<Option<i64>>("", column) {
        return v.map(|v| v as f64);
    }
    if let Ok(v) = r.try_get::<Option<i32>>("", column) {
        return v.map(f64::from);
    }
    if let Ok(v) = r.try_get::<Option<Decimal>>("", column) {
        return v.map(|v| v.to_f64().unwrap_or(f64::NAN));
    }
    if let Ok(v) = r.try_get::<Option<f64>>("", column) {
        return v;
    }
    if let Ok(v) = r.try_get::<Option<u64>>("", column) {
        return v.map(|v| v as f64);
    }
    panic!("{column} is not a number on this backend")
}
