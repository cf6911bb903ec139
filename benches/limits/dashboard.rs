//! The learner dashboard (issue 10): the four reads a learning-platform service makes to draw one
//! learner's home page, timed on a seeded PostgreSQL database, each with the plan PostgreSQL
//! chose for it.
//!
//! - enrolments with progress: the learner's enrollments and courses, with completed lessons
//!   (from `lesson_progress`) out of the course's lessons (`course_modules` → `lessons`);
//! - recent attempts: the latest 20 `attempts` (partitioned by year on PostgreSQL) with their item;
//! - weaknesses: the top 10 `student_weaknesses` by score, with the knowledge point;
//! - unread notifications: the newest 20 unread, each row carrying the total unread count.
//!
//! The learner is the heaviest dashboard in the data, chosen the same way on every run: most
//! attempts, then most unread notifications, then the smallest id, among learners who also have
//! enrollments and weaknesses. The last three reads are built with SeaORM from the `entity`
//! crate, as a service would write them; the first is raw SQL, because its two per-enrollment
//! aggregates (LATERAL subqueries) are clearer in SQL than in sea-query.
//!
//! Each read runs 5 times to warm the caches, then `runs` times, all on one connection (in one
//! read-only transaction). The plan is `EXPLAIN` of the same SQL with its values inlined, that
//! is the custom plan; after five executions PostgreSQL may switch the prepared statement to a
//! generic plan, which may pick another index (notifications) but, checked at scale 100 with
//! `plan_cache_mode = force_generic_plan`, no sequential scan. A `Seq Scan` on a table of more
//! than 5,000 rows is reported: the goal is index scans only, and p95 under 5 ms.

use std::time::Instant;

use entity::{attempts, items, knowledge_points, notifications, student_weaknesses};
use sea_orm::sea_query::Expr;
use sea_orm::{
    AccessMode, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    EntityTrait, ExprTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement,
    TransactionTrait, Value,
};
use uuid::Uuid;

/// One dashboard read: latency over the timed runs, its plan and what it returned.
pub struct QueryTiming {
    pub name: &'static str,
    pub p50_ms: f64,
    pub p95_ms: f64,
    /// `EXPLAIN (FORMAT TEXT)` of the SQL that was timed.
    pub plan: String,
    /// "table (N rows)" for each sequential scan on a table of more than [`LARGE_TABLE`] rows.
    pub seq_scans: Vec<String>,
    /// Rows the read returned.
    pub rows: usize,
}

/// Why [`run`] found nobody to time.
const NO_LEARNER: &str = "choosing the learner: nobody has attempts, enrollments, weaknesses \
    and unread notifications; seed the database first (`learndb seed --demo`)";
/// Untimed runs before the timed ones.
const WARM_UP: usize = 5;
/// A sequential scan on a table larger than this is a finding; on a smaller one it is fine.
const LARGE_TABLE: i64 = 5_000;

/// Picks the learner, then times the four reads `runs` times each. Returns one line saying which
/// learner and why, and the timings in dashboard order.
pub async fn run(
    db: &DatabaseConnection,
    runs: usize,
) -> Result<(String, Vec<QueryTiming>), String> {
    // A read-only transaction holds one connection for every run (a pool may hand out several)
    // and guarantees that the benchmark changes nothing.
    let txn = db
        .begin_with_config(None, Some(AccessMode::ReadOnly))
        .await
        .map_err(|e| format!("starting a read-only transaction: {e}"))?;
    let (learner, why) = pick_learner(&txn).await?;
    let reads = [
        ("enrolments with progress", enrolments(learner)),
        ("recent attempts", recent_attempts(learner)),
        ("weaknesses", weaknesses(learner)),
        ("unread notifications", unread_notifications(learner)),
    ];
    let mut timings = Vec::with_capacity(reads.len());
    for (name, statement) in reads {
        timings.push(time(&txn, name, statement, runs).await?);
    }
    txn.rollback()
        .await
        .map_err(|e| format!("ending the read-only transaction: {e}"))?;
    Ok((why, timings))
}

/// The learner with the most attempts, then the most unread notifications, then the smallest id,
/// among those who also have enrollments and weaknesses: the dashboard that reads the most rows.
async fn pick_learner(db: &DatabaseTransaction) -> Result<(Uuid, String), String> {
    const SQL: &str = "\
        WITH a AS (SELECT user_id, count(*) AS attempts FROM attempts GROUP BY user_id), \
        c AS (SELECT a.user_id, a.attempts, \
            (SELECT count(*) FROM enrollments e WHERE e.student_id = a.user_id) AS enrollments, \
            (SELECT count(*) FROM student_weaknesses w WHERE w.user_id = a.user_id) AS weaknesses, \
            (SELECT count(*) FROM notifications n \
                WHERE n.recipient_id = a.user_id AND NOT n.is_read) AS unread \
            FROM a) \
        SELECT user_id, attempts, enrollments, weaknesses, unread FROM c \
        WHERE enrollments > 0 AND weaknesses > 0 AND unread > 0 \
        ORDER BY attempts DESC, unread DESC, user_id LIMIT 1";
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, SQL))
        .await
        .map_err(|e| format!("choosing the learner: {e}"))?
        .ok_or(NO_LEARNER)?;
    let get = |i: usize| {
        row.try_get_by_index::<i64>(i)
            .map_err(|e| format!("choosing the learner: {e}"))
    };
    let learner: Uuid = row
        .try_get_by_index(0)
        .map_err(|e| format!("choosing the learner: {e}"))?;
    let why = format!(
        "Learner {learner}, the heaviest dashboard (most attempts, then most unread \
         notifications, then smallest id): {} attempts, {} enrolments, {} weaknesses, {} unread \
         notifications.",
        get(1)?,
        get(2)?,
        get(3)?,
        get(4)?,
    );
    Ok((learner, why))
}

/// Enrollments with their course and progress: completed lessons out of the lessons the course
/// has, and how many lessons the learner has touched at all.
fn enrolments(learner: Uuid) -> Statement {
    const SQL: &str = "\
        SELECT e.id AS enrollment_id, e.course_id, c.title AS course_title, e.status, \
            e.enrolled_at, e.last_accessed_at, e.progress_percentage, \
            lp.completed_lessons, lp.tracked_lessons, t.total_lessons \
        FROM enrollments e \
        JOIN courses c ON c.id = e.course_id \
        CROSS JOIN LATERAL ( \
            SELECT count(*) FILTER (WHERE p.status = 'completed') AS completed_lessons, \
                count(*) AS tracked_lessons \
            FROM lesson_progress p WHERE p.enrollment_id = e.id) lp \
        CROSS JOIN LATERAL ( \
            SELECT count(*) AS total_lessons \
            FROM course_modules m JOIN lessons l ON l.module_id = m.id \
            WHERE m.course_id = e.course_id) t \
        WHERE e.student_id = $1 \
        ORDER BY e.last_accessed_at DESC NULLS LAST, e.id";
    Statement::from_sql_and_values(DbBackend::Postgres, SQL, [Value::from(learner)])
}

/// The latest 20 attempts with the item each answered.
fn recent_attempts(learner: Uuid) -> Statement {
    attempts::Entity::find()
        .select_only()
        .columns([
            attempts::Column::Id,
            attempts::Column::CreatedAt,
            attempts::Column::AttemptedAt,
            attempts::Column::Correct,
            attempts::Column::TimeTakenMs,
            attempts::Column::ItemId,
        ])
        .column_as(items::Column::Slug, "item_slug")
        .column_as(items::Column::ItemType, "item_type")
        .inner_join(items::Entity)
        .filter(attempts::Column::UserId.eq(learner))
        .order_by_desc(attempts::Column::CreatedAt)
        .limit(20)
        .build(DbBackend::Postgres)
}

/// The 10 weakest knowledge points, worst first.
fn weaknesses(learner: Uuid) -> Statement {
    student_weaknesses::Entity::find()
        .select_only()
        .columns([
            student_weaknesses::Column::Id,
            student_weaknesses::Column::KnowledgePointId,
            student_weaknesses::Column::WeaknessScore,
            student_weaknesses::Column::TotalAttempts,
            student_weaknesses::Column::CorrectAttempts,
            student_weaknesses::Column::ImprovementTrend,
            student_weaknesses::Column::LastAttemptAt,
        ])
        .column_as(knowledge_points::Column::Code, "knowledge_point_code")
        .column_as(knowledge_points::Column::Topic, "knowledge_point_topic")
        .inner_join(knowledge_points::Entity)
        .filter(student_weaknesses::Column::UserId.eq(learner))
        .order_by_desc(student_weaknesses::Column::WeaknessScore)
        .order_by_asc(student_weaknesses::Column::Id)
        .limit(10)
        .build(DbBackend::Postgres)
}

/// The newest 20 unread notifications. Every row also carries the unread total (the window runs
/// before the LIMIT), so the badge needs no second round trip; no row means none unread.
fn unread_notifications(learner: Uuid) -> Statement {
    notifications::Entity::find()
        .select_only()
        .columns([
            notifications::Column::Id,
            notifications::Column::NotificationType,
            notifications::Column::Title,
            notifications::Column::Priority,
            notifications::Column::ActionUrl,
            notifications::Column::CreatedAt,
        ])
        .column_as(Expr::cust("count(*) OVER ()"), "unread_total")
        .filter(notifications::Column::RecipientId.eq(learner))
        // `NOT is_read` in the SQL, not `is_read = $2`: a bound `false` hides the predicate from
        // the planner, so a generic plan could not use a partial index `WHERE NOT is_read`.
        .filter(notifications::Column::IsRead.into_expr().not())
        .order_by_desc(notifications::Column::CreatedAt)
        .limit(20)
        .build(DbBackend::Postgres)
}

/// Warms up, times `runs` executions of `statement`, and explains it.
async fn time(
    db: &DatabaseTransaction,
    name: &'static str,
    statement: Statement,
    runs: usize,
) -> Result<QueryTiming, String> {
    let fail = |e: sea_orm::DbErr| format!("{name}: {e}");
    for _ in 0..WARM_UP {
        db.query_all_raw(statement.clone()).await.map_err(fail)?;
    }
    let (mut rows, mut millis) = (0, Vec::with_capacity(runs.max(1)));
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        rows = db
            .query_all_raw(statement.clone())
            .await
            .map_err(fail)?
            .len();
        millis.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    millis.sort_by(f64::total_cmp);

    let explain = Statement::from_string(
        DbBackend::Postgres,
        format!("EXPLAIN (FORMAT TEXT) {statement}"),
    );
    let plan = db
        .query_all_raw(explain)
        .await
        .map_err(fail)?
        .iter()
        .map(|line| line.try_get_by_index::<String>(0))
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?
        .join("\n");
    let seq_scans = large_seq_scans(db, &plan).await.map_err(fail)?;
    Ok(QueryTiming {
        name,
        p50_ms: percentile(&millis, 0.50),
        p95_ms: percentile(&millis, 0.95),
        plan,
        seq_scans,
        rows,
    })
}

/// Nearest-rank percentile of sorted, non-empty `values`.
fn percentile(values: &[f64], p: f64) -> f64 {
    let rank = (p * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

/// "table (N rows)" for every table the plan reads with a sequential scan and that has more than
/// [`LARGE_TABLE`] rows. A partition is its own table here (`attempts_2026`). N is the planner's
/// estimate (`pg_class.reltuples`), or the live row count if the table was never analysed.
async fn large_seq_scans(
    db: &DatabaseTransaction,
    plan: &str,
) -> Result<Vec<String>, sea_orm::DbErr> {
    let mut tables: Vec<&str> = plan
        .lines()
        .filter_map(|line| line.split("Seq Scan on ").nth(1))
        .filter_map(|rest| rest.split_whitespace().next())
        .collect();
    tables.sort_unstable();
    tables.dedup();
    let mut large = Vec::new();
    for table in tables {
        let count = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT COALESCE(NULLIF(c.reltuples, -1)::bigint, s.n_live_tup, 0) \
             FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid \
             WHERE c.oid = to_regclass($1)",
            [Value::from(table)],
        );
        let rows = match db.query_one_raw(count).await? {
            Some(row) => row.try_get_by_index::<i64>(0)?,
            None => 0,
        };
        if rows > LARGE_TABLE {
            large.push(format!("{table} ({rows} rows)"));
        }
    }
    Ok(large)
}
