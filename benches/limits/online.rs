//! Part 8: module 20 upgrading a PostgreSQL database that takes writes (issue 16, item 8).
//!
//! A database seeded at the given scale is brought back to module 19; writers then run a steady
//! workload of short autocommit writes on every table module 20 touches (new sessions with an
//! answer, updates of sessions, answers, questions, knowledge points and users), and each write's
//! latency is recorded. Three windows: no migration (the baseline), module 20 applied by
//! learndb's runner as a process (online: checks `NOT VALID` then validated, indexes
//! `CONCURRENTLY`), and the same DDL done the naive way, as one transaction with plain
//! `CREATE INDEX` and checks validated at once (what a hand-written migration or
//! sea-orm-migration's `Migrator::up` does). The figure is the longest wait of any write while
//! the DDL runs; the goal is under 1 s for the runner.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use migration::runner::capture::{Direction, capture};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement,
    TransactionTrait,
};
use tokio::sync::Mutex;

use crate::common::{Backend, TestDb};
use crate::{learndb, ms, seed_demo, timed};

const WRITERS: usize = 4;
/// A writer's pause between two writes: a steady load, not a saturating one (2 cores).
const PAUSE: Duration = Duration::from_millis(2);

/// One write: when it started (since the run began) and how long it took.
type Sample = (Duration, Duration);

pub async fn run(scale: u64) -> String {
    let dir = tempfile::tempdir().unwrap();
    let t = TestDb::new(Backend::Postgres).await;
    timed(&mut learndb(dir.path(), &["migrate", "-u", &t.url, "up"]));
    timed(&mut seed_demo(dir.path(), scale, &t.url));
    // The seed writes the latest schema: back to module 19, with every row of its tables kept.
    let back = || {
        timed(&mut learndb(
            dir.path(),
            &["migrate", "-u", &t.url, "down", "--to", "seed", "--yes"],
        ))
    };
    back();
    let rows = count(&t.db, "practice_answers").await;
    println!("  online: practice_answers has {rows} rows at scale {scale}");

    let ids = Ids::read(&t.db).await;
    let baseline = window(&t.url, &ids, async {
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;

    let mut online_time = Duration::ZERO;
    let online = window(&t.url, &ids, async {
        let url = t.url.clone();
        let path = dir.path().to_owned();
        online_time = tokio::task::spawn_blocking(move || {
            timed(&mut learndb(
                &path,
                &["migrate", "-u", &url, "up", "--to", "practice_later"],
            ))
        })
        .await
        .unwrap();
    })
    .await;

    back();
    let naive_sql = naive_statements().await;
    let mut naive_time = Duration::ZERO;
    let naive = window(&t.url, &ids, async {
        let started = Instant::now();
        let txn = t.db.begin().await.unwrap();
        for sql in &naive_sql {
            txn.execute_unprepared(sql).await.unwrap();
        }
        txn.commit().await.unwrap();
        naive_time = started.elapsed();
    })
    .await;

    let line = |what: &str, ddl: Option<Duration>, w: &Window| {
        format!(
            "| {what} | {} | {} | {} | {} | **{}** |\n",
            ddl.map_or("–".to_owned(), ms),
            w.writes,
            ms(w.p50),
            ms(w.p99),
            ms(w.max)
        )
    };
    let mut out = format!(
        "PostgreSQL, demo data at scale {scale} ({rows} practice_answers rows), rolled back to \
         module 19. {WRITERS} writers, each a short autocommit write every {} ms or so on the \
         tables module 20 touches (a new session with an answer; updates of sessions, answers, \
         questions, knowledge points, users). Latency of every write while the DDL runs (the \
         baseline: 5 s with no DDL). Goal: no write waits more than 1 s.\n\n\
         | window | DDL time | writes | p50 | p99 | longest wait |\n|---|---|---|---|---|---|\n",
        PAUSE.as_millis()
    );
    out.push_str(&line("no migration", None, &baseline));
    out.push_str(&line(
        "module 20 by `learndb migrate up` (online)",
        Some(online_time),
        &online,
    ));
    out.push_str(&line(
        "the same DDL the naive way (one transaction, plain `CREATE INDEX`, checks validated at once)",
        Some(naive_time),
        &naive,
    ));
    println!(
        "  online: baseline max {}, runner max {} ({} DDL), naive max {} ({} DDL)",
        ms(baseline.max),
        ms(online.max),
        ms(online_time),
        ms(naive.max),
        ms(naive_time)
    );
    out
}

/// Module 20's PostgreSQL SQL as a plain transactional migration would run it.
async fn naive_statements() -> Vec<String> {
    let migrations = Migrator::migrations();
    let module = migrations
        .iter()
        .find(|m| m.name().ends_with("_practice_later"))
        .expect("module 20 is in the migration set");
    capture(DbBackend::Postgres, module.as_ref(), Direction::Up)
        .await
        .unwrap()
        .into_iter()
        .filter(|sql| !sql.starts_with("DO ") && !sql.contains(" VALIDATE CONSTRAINT "))
        .map(|sql| sql.replace(" CONCURRENTLY", "").replace(" NOT VALID", ""))
        .collect()
}

struct Window {
    writes: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

/// Runs the workload while `ddl` runs (plus a second on each side), and reports the writes
/// that overlapped the DDL.
async fn window(url: &str, ids: &Ids, ddl: impl std::future::Future<Output = ()>) -> Window {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(WRITERS as u32)
        .min_connections(WRITERS as u32)
        .sqlx_logging(false);
    let pool = Database::connect(options).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let samples = Arc::new(Mutex::new(Vec::<Sample>::new()));
    let origin = Instant::now();
    let mut writers = Vec::new();
    for n in 0..WRITERS {
        let (pool, stop, samples, ids) = (pool.clone(), stop.clone(), samples.clone(), ids.clone());
        writers.push(tokio::spawn(async move {
            let mut i = n;
            let mut mine = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                write(&pool, &ids, i).await;
                mine.push((started - origin, started.elapsed()));
                i += WRITERS;
                tokio::time::sleep(PAUSE).await;
            }
            samples.lock().await.extend(mine);
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (from, to) = {
        let from = origin.elapsed();
        ddl.await;
        (from, origin.elapsed())
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.await.unwrap();
    }
    pool.close().await.ok();
    let samples = samples.lock().await;
    // A write overlapped the DDL if it ended after the DDL started and began before it ended.
    let mut during: Vec<Duration> = samples
        .iter()
        .filter(|(start, took)| *start + *took >= from && *start <= to)
        .map(|(_, took)| *took)
        .collect();
    during.sort();
    let at = |q: f64| during[((during.len() - 1) as f64 * q) as usize];
    Window {
        writes: during.len(),
        p50: at(0.5),
        p99: at(0.99),
        max: *during.last().unwrap(),
    }
}

/// Existing rows the workload writes to.
#[derive(Clone)]
struct Ids {
    users: Arc<Vec<String>>,
    sessions: Arc<Vec<String>>,
    answers: Arc<Vec<String>>,
    questions: Arc<Vec<String>>,
    knowledge_points: Arc<Vec<String>>,
}

impl Ids {
    async fn read(db: &DatabaseConnection) -> Ids {
        let ids = |table: &'static str| async move {
            Arc::new(
                db.query_all_raw(Statement::from_string(
                    DbBackend::Postgres,
                    format!("SELECT id::text AS id FROM {table} ORDER BY id LIMIT 500"),
                ))
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get::<String>("", "id").unwrap())
                .collect::<Vec<_>>(),
            )
        };
        Ids {
            users: ids("users").await,
            sessions: ids("practice_sessions").await,
            answers: ids("practice_answers").await,
            questions: ids("questions").await,
            knowledge_points: ids("knowledge_points").await,
        }
    }
}

/// The `i`-th write of the workload.
async fn write(db: &DatabaseConnection, ids: &Ids, i: usize) {
    let pick = |list: &Vec<String>| list[(i * 7919) % list.len()].clone();
    let sql = match i % 6 {
        0 => format!(
            "WITH s AS (INSERT INTO practice_sessions (user_id) VALUES ('{}') RETURNING id) \
             INSERT INTO practice_answers (session_id, question_id) SELECT id, '{}' FROM s",
            pick(&ids.users),
            pick(&ids.questions)
        ),
        1 => format!(
            "UPDATE practice_sessions SET completed_items = completed_items + 1 WHERE id = '{}'",
            pick(&ids.sessions)
        ),
        2 => format!(
            "UPDATE practice_answers SET time_spent_seconds = {} WHERE id = '{}'",
            i % 60,
            pick(&ids.answers)
        ),
        3 => format!(
            "UPDATE questions SET updated_at = now() WHERE id = '{}'",
            pick(&ids.questions)
        ),
        4 => format!(
            "UPDATE knowledge_points SET updated_at = now() WHERE id = '{}'",
            pick(&ids.knowledge_points)
        ),
        _ => format!(
            "UPDATE users SET last_active_at = now() WHERE id = '{}'",
            pick(&ids.users)
        ),
    };
    db.execute_unprepared(&sql)
        .await
        .unwrap_or_else(|e| panic!("workload write failed: {e}: {sql}"));
}

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    db.query_one_raw(Statement::from_string(
        DbBackend::Postgres,
        format!("SELECT count(*) AS n FROM {table}"),
    ))
    .await
    .unwrap()
    .unwrap()
    .try_get::<i64>("", "n")
    .unwrap()
}
