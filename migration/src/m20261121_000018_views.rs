//! Module 18 `views` (SPEC.md §20): the ten views, in the spec's order.
//!
//! Views keep their source output column names, so KG, WB and AL readers keep working. sea-query
//! has no CREATE VIEW, so each view is plain SQL per backend; this is the one kind of module that
//! branches on the backend. SQL that is portable (views 2-4, the checks of view 5) is written
//! once. The five AL monitoring views read each server's own statistics catalog; where a backend
//! has nothing to read, the view is `Absent` there, with the reason.
//!
//! | #  | view                     | PostgreSQL            | MySQL family          | SQLite |
//! |----|--------------------------|-----------------------|-----------------------|--------|
//! | 1  | practice_statistics_view | yes                   | yes                   | yes    |
//! | 2  | user_summary_stats       | yes                   | yes                   | yes    |
//! | 3  | system_statistics        | yes                   | yes                   | yes    |
//! | 4  | recent_activity          | yes                   | yes                   | yes    |
//! | 5  | data_integrity_checks    | yes                   | yes                   | yes    |
//! | 6  | table_sizes              | pg_tables             | I_S.TABLES            | absent |
//! | 7  | slow_queries             | if pg_stat_statements | P_S digest summary    | absent |
//! | 8  | index_usage              | pg_stat_user_indexes  | P_S index I/O summary | absent |
//! | 9  | connection_stats         | pg_stat_activity      | I_S.PROCESSLIST       | absent |
//! | 10 | system_health            | 5 rows                | 5 rows                | 3 rows |
//!
//! (I_S = information_schema, P_S = performance_schema.)
//!
//! Choices the spec leaves open, and deviations from it:
//! - JSON array lengths (`knowledge_point_count`, `quiz_count`) are 0, not NULL, when the column
//!   is NULL or holds something other than an array: PostgreSQL's `jsonb_array_length` raises an
//!   error on a non-array (which would make the whole view unreadable) and MySQL's `JSON_LENGTH`
//!   would count an object's keys. SQLite's `json_array_length` already gives 0 for a non-array.
//! - `accuracy_percentage` is 0 when `total_items` is NULL or 0.
//! - `user_summary_stats.days_active` counts the user's `usage_statistics` rows (one per day);
//!   every counter is 0, not NULL, for a user without activity or usage. Soft-deleted users are
//!   listed: the spec filters them only in `system_statistics`.
//! - `recent_activity` breaks timestamp ties by id and keeps an activity whose user row is missing
//!   (LEFT JOIN), so it is always the latest 100 `user_activities` rows.
//! - `data_integrity_checks`: `empty_username` counts usernames that are blank after trimming
//!   (NULL is allowed: email-only accounts); `multiple_defaults` counts the default page sizes when
//!   there is more than one, else 0; `invalid_scale` mirrors `ck_template_presets_scales`; the two
//!   orphan checks use NOT EXISTS. On the MySQL family every label is utf8mb4_unicode_ci,
//!   whatever charset the creating session had.
//! - MySQL family: a view can neither name its own schema nor read a system variable, so
//!   `DATABASE()` is the querying session's current database: the monitoring views report on it.
//! - `table_sizes` is absent on SQLite: `dbstat` is not compiled into every SQLite, and a
//!   migration must not probe the server. `slow_queries`, `index_usage` and `connection_stats` are
//!   absent on SQLite: it has no statement statistics, index counters or connections.
//! - `slow_queries`, PostgreSQL: created only if the `pg_stat_statements` extension is installed
//!   in the database when this migration runs; otherwise the server raises a WARNING and the
//!   migration goes on (install the extension, then roll back and re-apply this module). MySQL
//!   family: `performance_schema.events_statements_summary_by_digest`, times in ms, `rows` = rows
//!   sent + affected, `hit_percent` NULL.
//! - `index_usage`, MySQL family: `idx_scan` = COUNT_STAR (every I/O event on the index),
//!   `idx_tup_read` = COUNT_READ, `idx_tup_fetch` = COUNT_FETCH, and `size` NULL: a per-index size
//!   needs `@@innodb_page_size`, which a view may not read.
//! - `connection_stats`, MySQL family: `application_name` NULL, `client_addr` PROCESSLIST's
//!   `host:port`, `state` its COMMAND (`Sleep`, `Query`, ...), `state_change` now minus TIME,
//!   `query_start` the same while a statement runs.
//! - `system_health`: "Active Connections" counts the current database's active sessions
//!   (PostgreSQL `state = 'active'`, MySQL family COMMAND other than `Sleep`); "Total Attempts
//!   Today" counts attempts created since midnight UTC; `checked_at` is the time of the query.
//! - TiDB gets the MySQL-family SQL: a migration cannot tell TiDB from MySQL without reading the
//!   server, so the spec's STATEMENTS_SUMMARY, TIDB_INDEX_USAGE and CLUSTER_PROCESSLIST are not
//!   used (unverified on TiDB).
//! - The MySQL-family monitoring views read `performance_schema` (empty while MariaDB's
//!   `performance_schema` is OFF, its default): the migrating user needs SELECT on it.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::ddl::{SQLITE_NOW, Step, TableGroup, View, ViewDefinition};
use crate::m20261121_000001_users::ROLE;
use crate::m20261121_000008_adaptive::ITEM_STATUS;
use crate::m20261121_000015_writing::LENGTH_UNIT;

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[],
    steps: &[
        Step::View(&PRACTICE_STATISTICS_VIEW),
        Step::View(&USER_SUMMARY_STATS),
        Step::View(&SYSTEM_STATISTICS),
        Step::View(&RECENT_ACTIVITY),
        Step::View(&DATA_INTEGRITY_CHECKS),
        Step::View(&TABLE_SIZES),
        Step::View(&SLOW_QUERIES),
        Step::View(&INDEX_USAGE),
        Step::View(&CONNECTION_STATS),
        Step::View(&SYSTEM_HEALTH),
    ],
};

crate::group_migration!(GROUP);

const PRACTICE_STATISTICS_VIEW: View = View {
    name: "practice_statistics_view",
    definition: practice_statistics_view,
};
const USER_SUMMARY_STATS: View = View {
    name: "user_summary_stats",
    definition: user_summary_stats,
};
const SYSTEM_STATISTICS: View = View {
    name: "system_statistics",
    definition: system_statistics,
};
const RECENT_ACTIVITY: View = View {
    name: "recent_activity",
    definition: recent_activity,
};
const DATA_INTEGRITY_CHECKS: View = View {
    name: "data_integrity_checks",
    definition: data_integrity_checks,
};
const TABLE_SIZES: View = View {
    name: "table_sizes",
    definition: table_sizes,
};
const SLOW_QUERIES: View = View {
    name: "slow_queries",
    definition: slow_queries,
};
const INDEX_USAGE: View = View {
    name: "index_usage",
    definition: index_usage,
};
const CONNECTION_STATS: View = View {
    name: "connection_stats",
    definition: connection_stats,
};
const SYSTEM_HEALTH: View = View {
    name: "system_health",
    definition: system_health,
};

/// View 1: KG's practice statistics over every practice session, with the session type added.
fn practice_statistics_view(backend: DbBackend) -> ViewDefinition {
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT ps.user_id, COALESCE(u.full_name, u.username) AS user_name, \
             ps.id AS session_id, ps.session_type, ps.strategy, ps.status, \
             ps.points_earned AS score, ps.total_items AS total_questions, \
             ps.correct_items AS correct_answers, \
             COALESCE(ROUND(100.0 * ps.correct_items / NULLIF(ps.total_items, 0), 2), 0) AS accuracy_percentage, \
             ps.time_limit_minutes, ps.started_at, ps.completed_at, \
             EXTRACT(EPOCH FROM (ps.completed_at - ps.started_at)) / 60 AS actual_duration_minutes, \
             ps.created_at, \
             CASE jsonb_typeof(ps.knowledge_point_ids) \
             WHEN 'array' THEN jsonb_array_length(ps.knowledge_point_ids) ELSE 0 END AS knowledge_point_count, \
             CASE jsonb_typeof(ps.question_ids) \
             WHEN 'array' THEN jsonb_array_length(ps.question_ids) ELSE 0 END AS quiz_count \
             FROM practice_sessions ps JOIN users u ON u.id = ps.user_id"
        }
        DbBackend::MySql => {
            "SELECT ps.user_id, COALESCE(u.full_name, u.username) AS user_name, \
             ps.id AS session_id, ps.session_type, ps.strategy, ps.status, \
             ps.points_earned AS score, ps.total_items AS total_questions, \
             ps.correct_items AS correct_answers, \
             COALESCE(ROUND(100.0 * ps.correct_items / NULLIF(ps.total_items, 0), 2), 0) AS accuracy_percentage, \
             ps.time_limit_minutes, ps.started_at, ps.completed_at, \
             TIMESTAMPDIFF(SECOND, ps.started_at, ps.completed_at) / 60 AS actual_duration_minutes, \
             ps.created_at, \
             CASE WHEN JSON_TYPE(ps.knowledge_point_ids) = 'ARRAY' \
             THEN JSON_LENGTH(ps.knowledge_point_ids) ELSE 0 END AS knowledge_point_count, \
             CASE WHEN JSON_TYPE(ps.question_ids) = 'ARRAY' \
             THEN JSON_LENGTH(ps.question_ids) ELSE 0 END AS quiz_count \
             FROM practice_sessions ps JOIN users u ON u.id = ps.user_id"
        }
        _ => {
            "SELECT ps.user_id, COALESCE(u.full_name, u.username) AS user_name, \
             ps.id AS session_id, ps.session_type, ps.strategy, ps.status, \
             ps.points_earned AS score, ps.total_items AS total_questions, \
             ps.correct_items AS correct_answers, \
             COALESCE(ROUND(100.0 * ps.correct_items / NULLIF(ps.total_items, 0), 2), 0) AS accuracy_percentage, \
             ps.time_limit_minutes, ps.started_at, ps.completed_at, \
             (julianday(ps.completed_at) - julianday(ps.started_at)) * 1440 AS actual_duration_minutes, \
             ps.created_at, \
             COALESCE(json_array_length(ps.knowledge_point_ids), 0) AS knowledge_point_count, \
             COALESCE(json_array_length(ps.question_ids), 0) AS quiz_count \
             FROM practice_sessions ps JOIN users u ON u.id = ps.user_id"
        }
    };
    ViewDefinition::Select(sql.to_owned())
}

/// View 2: WB's per-user totals. Activities and usage are aggregated per user before the join,
/// so neither multiplies the other (the WB view's double LEFT JOIN did). Portable SQL.
fn user_summary_stats(_: DbBackend) -> ViewDefinition {
    ViewDefinition::Select(
        "SELECT u.id, u.username, u.full_name, u.role, u.created_at, u.last_login, \
         COALESCE(a.total_activities, 0) AS total_activities, \
         COALESCE(s.days_active, 0) AS days_active, \
         COALESCE(s.total_svg_generations, 0) AS total_svg_generations, \
         COALESCE(s.total_batch_generations, 0) AS total_batch_generations, \
         COALESCE(s.total_lines, 0) AS total_lines, \
         COALESCE(s.total_characters, 0) AS total_characters \
         FROM users u \
         LEFT JOIN (SELECT user_id, COUNT(*) AS total_activities \
         FROM user_activities GROUP BY user_id) a ON a.user_id = u.id \
         LEFT JOIN (SELECT user_id, COUNT(*) AS days_active, \
         SUM(svg_generations) AS total_svg_generations, \
         SUM(batch_generations) AS total_batch_generations, \
         SUM(total_lines_generated) AS total_lines, \
         SUM(total_characters_generated) AS total_characters \
         FROM usage_statistics GROUP BY user_id) s ON s.user_id = u.id"
            .to_owned(),
    )
}

/// View 3: WB's one-row system totals; users are counted when not soft-deleted. Portable SQL.
fn system_statistics(_: DbBackend) -> ViewDefinition {
    let admin = const { ROLE.value("admin") };
    ViewDefinition::Select(format!(
        "SELECT \
         (SELECT COUNT(*) FROM users WHERE deleted_at IS NULL) AS total_users, \
         (SELECT COUNT(*) FROM users WHERE deleted_at IS NULL AND is_active = TRUE) AS active_users, \
         (SELECT COUNT(*) FROM users WHERE deleted_at IS NULL AND role = '{admin}') AS admin_users, \
         (SELECT COUNT(*) FROM template_presets) AS total_templates, \
         (SELECT COUNT(*) FROM page_size_presets) AS total_page_sizes, \
         (SELECT COUNT(*) FROM character_override_collections) AS total_char_collections, \
         (SELECT COUNT(*) FROM character_overrides) AS total_char_overrides, \
         (SELECT COALESCE(SUM(svg_generations), 0) FROM usage_statistics) AS all_time_svg_generations, \
         (SELECT COALESCE(SUM(total_lines_generated), 0) FROM usage_statistics) AS all_time_lines_generated"
    ))
}

/// View 4: WB's activity feed: the latest 100 activities, newest first. Portable SQL (PostgreSQL,
/// MySQL and SQLite all keep `ORDER BY … LIMIT` in a view, SPEC.md §17.6).
fn recent_activity(_: DbBackend) -> ViewDefinition {
    ViewDefinition::Select(
        "SELECT ua.id, ua.created_at AS timestamp, ua.activity_type, ua.description, \
         u.username, u.full_name \
         FROM user_activities ua LEFT JOIN users u ON u.id = ua.user_id \
         ORDER BY ua.created_at DESC, ua.id DESC LIMIT 100"
            .to_owned(),
    )
}

/// One row of `data_integrity_checks`: the table, the check's name, and the SQL condition a
/// failing row of that table meets (or, for a check about the whole table, a scalar query).
struct IntegrityCheck {
    table: &'static str,
    check: &'static str,
    failing: Failing,
}

enum Failing {
    /// Rows of the table that meet this condition.
    Rows(String),
    /// A scalar query giving the number of failing rows.
    Count(&'static str),
}

fn integrity_checks() -> Vec<IntegrityCheck> {
    let units = LENGTH_UNIT
        .values
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = |table, check, condition: &str| IntegrityCheck {
        table,
        check,
        failing: Failing::Rows(condition.to_owned()),
    };
    vec![
        rows(
            "users",
            "no_login_identifier",
            "email IS NULL AND username IS NULL",
        ),
        rows("users", "empty_username", "TRIM(username) = ''"),
        rows(
            "page_size_presets",
            "invalid_dimensions",
            "width <= 0 OR height <= 0",
        ),
        rows(
            "page_size_presets",
            "invalid_unit",
            &format!("unit IS NULL OR unit NOT IN ({units})"),
        ),
        IntegrityCheck {
            table: "page_size_presets",
            check: "multiple_defaults",
            failing: Failing::Count(
                "(SELECT CASE WHEN COUNT(*) > 1 THEN COUNT(*) ELSE 0 END \
                 FROM page_size_presets WHERE is_default = TRUE)",
            ),
        },
        rows(
            "template_presets",
            "invalid_line_height",
            "line_height IS NOT NULL AND line_height <= 0",
        ),
        rows(
            "template_presets",
            "invalid_scale",
            "global_scale <= 0 OR horizontal_stretch <= 0 OR manual_size_scale <= 0",
        ),
        rows(
            "user_progress",
            "success_gt_total",
            "successful_attempts > total_attempts",
        ),
        rows(
            "practice_answers",
            "orphan_session",
            "NOT EXISTS (SELECT 1 FROM practice_sessions p WHERE p.id = t.session_id)",
        ),
        rows(
            "attempts",
            "orphan_item",
            "NOT EXISTS (SELECT 1 FROM items i WHERE i.id = t.item_id)",
        ),
    ]
}

/// View 5: WB's integrity report in long format, one row per check, each UNION branch labelled
/// by its own columns. The conditions are portable; only the labels differ: on the MySQL family
/// they get an explicit charset and collation, so every branch has the same text type whatever
/// the session that created the view used.
fn data_integrity_checks(backend: DbBackend) -> ViewDefinition {
    let label = |text: &str| match backend {
        DbBackend::MySql => format!("_utf8mb4'{text}' COLLATE utf8mb4_unicode_ci"),
        _ => format!("'{text}'"),
    };
    let branches: Vec<String> = integrity_checks()
        .into_iter()
        .map(|c| {
            let failing = match c.failing {
                Failing::Rows(condition) => {
                    format!("(SELECT COUNT(*) FROM {} t WHERE {condition})", c.table)
                }
                Failing::Count(query) => query.to_owned(),
            };
            format!(
                "SELECT {} AS table_name, {} AS check_name, \
                 (SELECT COUNT(*) FROM {}) AS total_records, {failing} AS failing_records",
                label(c.table),
                label(c.check),
                c.table
            )
        })
        .collect();
    ViewDefinition::Select(branches.join(" UNION ALL "))
}

/// `pg_size_pretty` for the MySQL family: bytes, kB, MB or GB, switching at 10 units as
/// PostgreSQL does.
fn mysql_size_pretty(bytes: &str) -> String {
    format!(
        "CASE WHEN {bytes} < 10240 THEN CONCAT({bytes}, ' bytes') \
         WHEN {bytes} < 10485760 THEN CONCAT(ROUND({bytes} / 1024), ' kB') \
         WHEN {bytes} < 10737418240 THEN CONCAT(ROUND({bytes} / 1048576), ' MB') \
         ELSE CONCAT(ROUND({bytes} / 1073741824), ' GB') END"
    )
}

/// Text in the MySQL family's table collation, whatever the creating session's charset, so that
/// UNION branches agree and every computed text column reads like the tables' own.
fn mysql_text(expr: &str) -> String {
    format!("CAST({expr} AS CHAR CHARACTER SET utf8mb4) COLLATE utf8mb4_unicode_ci")
}

/// A NULL text column of the MySQL family, for a column the source has and MySQL cannot fill.
fn mysql_null_text(length: u32) -> String {
    format!("CAST(NULL AS CHAR({length}) CHARACTER SET utf8mb4) COLLATE utf8mb4_unicode_ci")
}

/// View 6: AL's table sizes, largest first.
fn table_sizes(backend: DbBackend) -> ViewDefinition {
    match backend {
        DbBackend::Postgres => ViewDefinition::Select(
            "SELECT schemaname, tablename, pg_size_pretty(size_bytes) AS size, size_bytes \
             FROM (SELECT schemaname, tablename, \
             pg_total_relation_size(format('%I.%I', schemaname, tablename)::regclass) AS size_bytes \
             FROM pg_tables WHERE schemaname = current_schema()) t \
             ORDER BY size_bytes DESC, tablename"
                .to_owned(),
        ),
        DbBackend::MySql => ViewDefinition::Select(format!(
            "SELECT schemaname, tablename, {} AS size, size_bytes \
             FROM (SELECT TABLE_SCHEMA AS schemaname, TABLE_NAME AS tablename, \
             COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) AS size_bytes \
             FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE') t \
             ORDER BY size_bytes DESC, tablename",
            mysql_text(&mysql_size_pretty("size_bytes"))
        )),
        _ => ViewDefinition::Absent(
            "SQLite reports table sizes only through the dbstat virtual table, which is not \
             compiled into every SQLite build, and a migration must not probe the server",
        ),
    }
}

/// View 7: AL's slow statements: mean execution time above 1000 ms, slowest first.
fn slow_queries(backend: DbBackend) -> ViewDefinition {
    match backend {
        DbBackend::Postgres => ViewDefinition::WhenExtension {
            extension: "pg_stat_statements",
            select: "SELECT query, calls, total_exec_time, mean_exec_time, rows, \
                     100.0 * shared_blks_hit / NULLIF(shared_blks_hit + shared_blks_read, 0) AS hit_percent \
                     FROM pg_stat_statements WHERE mean_exec_time > 1000 \
                     ORDER BY mean_exec_time DESC"
                .to_owned(),
        },
        // Timers are picoseconds: 10^9 ps = 1 ms.
        DbBackend::MySql => ViewDefinition::Select(
            "SELECT DIGEST_TEXT AS query, COUNT_STAR AS calls, \
             SUM_TIMER_WAIT / 1000000000 AS total_exec_time, \
             AVG_TIMER_WAIT / 1000000000 AS mean_exec_time, \
             SUM_ROWS_SENT + SUM_ROWS_AFFECTED AS `rows`, \
             CAST(NULL AS DECIMAL(5,2)) AS hit_percent \
             FROM performance_schema.events_statements_summary_by_digest \
             WHERE AVG_TIMER_WAIT > 1000000000000 ORDER BY AVG_TIMER_WAIT DESC"
                .to_owned(),
        ),
        _ => ViewDefinition::Absent("SQLite keeps no statement statistics"),
    }
}

/// View 8: AL's index usage, with the columns `pg_stat_user_indexes` really has (SPEC.md §23).
fn index_usage(backend: DbBackend) -> ViewDefinition {
    match backend {
        DbBackend::Postgres => ViewDefinition::Select(
            "SELECT schemaname, relname AS tablename, indexrelname AS indexname, \
             idx_scan, idx_tup_read, idx_tup_fetch, \
             pg_size_pretty(pg_relation_size(indexrelid)) AS size \
             FROM pg_stat_user_indexes WHERE schemaname = current_schema()"
                .to_owned(),
        ),
        DbBackend::MySql => ViewDefinition::Select(format!(
            "SELECT OBJECT_SCHEMA AS schemaname, OBJECT_NAME AS tablename, \
             INDEX_NAME AS indexname, COUNT_STAR AS idx_scan, COUNT_READ AS idx_tup_read, \
             COUNT_FETCH AS idx_tup_fetch, {} AS size \
             FROM performance_schema.table_io_waits_summary_by_index_usage \
             WHERE OBJECT_SCHEMA = DATABASE() AND INDEX_NAME IS NOT NULL",
            mysql_null_text(32)
        )),
        _ => ViewDefinition::Absent("SQLite keeps no index usage statistics"),
    }
}

/// View 9: AL's connections to this database.
fn connection_stats(backend: DbBackend) -> ViewDefinition {
    match backend {
        DbBackend::Postgres => ViewDefinition::Select(
            "SELECT datname, usename, application_name, client_addr, state, query_start, \
             state_change, query \
             FROM pg_stat_activity WHERE datname = current_database()"
                .to_owned(),
        ),
        DbBackend::MySql => ViewDefinition::Select(format!(
            "SELECT DB AS datname, USER AS usename, {} AS application_name, \
             HOST AS client_addr, COMMAND AS state, \
             CASE WHEN INFO IS NULL THEN NULL ELSE UTC_TIMESTAMP(6) - INTERVAL TIME SECOND END AS query_start, \
             UTC_TIMESTAMP(6) - INTERVAL TIME SECOND AS state_change, INFO AS query \
             FROM information_schema.PROCESSLIST WHERE DB = DATABASE()",
            mysql_null_text(64)
        )),
        _ => ViewDefinition::Absent("SQLite is an embedded library and has no connections to list"),
    }
}

/// View 10: AL's health summary: metric, value as text, and when it was read.
fn system_health(backend: DbBackend) -> ViewDefinition {
    let published = const { ITEM_STATUS.value("published") };
    match backend {
        DbBackend::Postgres => ViewDefinition::Select(format!(
            "SELECT 'Database Size' AS metric, \
             pg_size_pretty(pg_database_size(current_database())) AS value, now() AS checked_at \
             UNION ALL SELECT 'Active Connections', CAST(COUNT(*) AS text), now() \
             FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' \
             UNION ALL SELECT 'Total Users', CAST(COUNT(*) AS text), now() \
             FROM users WHERE is_active = TRUE AND deleted_at IS NULL \
             UNION ALL SELECT 'Published Items', CAST(COUNT(*) AS text), now() \
             FROM items WHERE status = '{published}' AND is_active = TRUE \
             UNION ALL SELECT 'Total Attempts Today', CAST(COUNT(*) AS text), now() \
             FROM attempts WHERE created_at >= date_trunc('day', now(), 'UTC')"
        )),
        DbBackend::MySql => {
            let label = |text: &str| format!("_utf8mb4'{text}' COLLATE utf8mb4_unicode_ci");
            ViewDefinition::Select(format!(
                "SELECT {} AS metric, {} AS value, UTC_TIMESTAMP(6) AS checked_at \
                 FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() \
                 UNION ALL SELECT {}, {}, UTC_TIMESTAMP(6) \
                 FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND COMMAND <> 'Sleep' \
                 UNION ALL SELECT {}, {count}, UTC_TIMESTAMP(6) \
                 FROM users WHERE is_active = TRUE AND deleted_at IS NULL \
                 UNION ALL SELECT {}, {count}, UTC_TIMESTAMP(6) \
                 FROM items WHERE status = '{published}' AND is_active = TRUE \
                 UNION ALL SELECT {}, {count}, UTC_TIMESTAMP(6) \
                 FROM attempts WHERE created_at >= UTC_DATE()",
                label("Database Size"),
                mysql_text(&mysql_size_pretty(
                    "COALESCE(SUM(COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0)), 0)"
                )),
                label("Active Connections"),
                mysql_text("COUNT(*)"),
                label("Total Users"),
                label("Published Items"),
                label("Total Attempts Today"),
                count = mysql_text("COUNT(*)"),
            ))
        }
        _ => ViewDefinition::Select(format!(
            "SELECT 'Total Users' AS metric, CAST(COUNT(*) AS TEXT) AS value, {SQLITE_NOW} AS checked_at \
             FROM users WHERE is_active = TRUE AND deleted_at IS NULL \
             UNION ALL SELECT 'Published Items', CAST(COUNT(*) AS TEXT), {SQLITE_NOW} \
             FROM items WHERE status = '{published}' AND is_active = TRUE \
             UNION ALL SELECT 'Total Attempts Today', CAST(COUNT(*) AS TEXT), {SQLITE_NOW} \
             FROM attempts WHERE created_at >= strftime('%Y-%m-%d', 'now')"
        )),
    }
}
