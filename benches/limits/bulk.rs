//! Part 4: 100,000 `attempts` rows through the entity crate (`entity::bulk::insert_all`:
//! `insert_many` batched at the bind-parameter cap, one transaction) on each backend, and on
//! PostgreSQL against the physical limit, `COPY` of the very same rows (`psql -c '\copy … FROM
//! file CSV'`), in the same run.

use std::io::Write;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::service::{AttemptParents, attempt, attempt_parents};
use crate::common::{Backend, TestDb};
use crate::{Stats, ratio};
use entity::attempts;
use entity::behavior::prepare_insert;
use entity::bulk::{insert_all, rows_per_batch};
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, TransactionTrait, TryIntoModel};

/// Markdown: rows/s per backend, and entity / COPY on PostgreSQL.
pub async fn run(runs: usize, rows: u64) -> String {
    let mut out = format!(
        "{rows} `attempts` rows with every column set, in one transaction; median of {runs} runs [min – max].\n\n\
         | backend | rows a statement | entity `insert_all` | rows/s | `COPY` (psql `\\copy`) | rows/s | entity / COPY rate |\n|---|---|---|---|---|---|---|\n"
    );
    for backend in [Backend::Postgres, Backend::MySql, Backend::Sqlite] {
        let (mut entity_times, mut copy_times) = (Vec::new(), Vec::new());
        let mut batch = 0;
        for _ in 0..runs {
            let t = TestDb::migrated(backend).await;
            batch = rows_per_batch::<attempts::Entity>(t.db.get_database_backend());
            let parents = attempt_parents(&t.db, "bench").await;
            let started = Instant::now();
            let txn = t.db.begin().await.unwrap();
            let inserted = insert_all(&txn, (0..rows).map(|i| attempt(&parents, i)))
                .await
                .unwrap();
            txn.commit().await.unwrap();
            entity_times.push(started.elapsed());
            assert_eq!(inserted, rows);
            if backend == Backend::Postgres {
                copy_times.push(copy(&t, &parents, rows).await);
            }
        }
        let entity = Stats::of(&entity_times);
        let rate = |d: Duration| format!("{:.0}", rows as f64 / d.as_secs_f64());
        let (copy_cell, copy_rate, ratio_cell) = if copy_times.is_empty() {
            ("n/a".to_owned(), "".to_owned(), "".to_owned())
        } else {
            let copied = Stats::of(&copy_times);
            (
                copied.to_string(),
                rate(copied.median),
                // Rates: COPY's time over the entity path's time.
                ratio(copied.median, entity.median),
            )
        };
        out.push_str(&format!(
            "| {backend:?} | {batch} | {entity} | {} | {copy_cell} | {copy_rate} | {ratio_cell} |\n",
            rate(entity.median)
        ));
        println!("  bulk insert {backend:?}: {entity}");
    }
    out
}

/// Empties `attempts`, writes the same rows (ids and timestamps filled as the entity crate
/// fills them) to a CSV file, and times `\copy` of that file in one psql session.
async fn copy(t: &TestDb, parents: &AttemptParents, rows: u64) -> Duration {
    t.db.execute_unprepared("TRUNCATE attempts").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("attempts.csv");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let columns = [
        "id",
        "user_id",
        "item_id",
        "session_id",
        "selected",
        "correct",
        "quality",
        "confidence",
        "time_taken_ms",
        "hints_used",
        "client_attempt_id",
        "device_type",
        "app_version",
        "ip_address",
        "user_agent",
        "sm2_state_before",
        "sm2_state_after",
        "bkt_state_before",
        "bkt_state_after",
        "irt_ability_before",
        "irt_ability_after",
        "attempted_at",
        "created_at",
    ];
    for i in 0..rows {
        let m = prepare_insert(attempt(parents, i))
            .try_into_model()
            .unwrap();
        let json = |v: &Option<serde_json::Value>| csv(&v.as_ref().unwrap().to_string());
        let opt = |v: &Option<String>| csv(v.as_deref().unwrap_or(""));
        writeln!(
            file,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            m.id,
            m.user_id,
            m.item_id,
            m.session_id,
            csv(&m.selected.to_string()),
            m.correct,
            m.quality.unwrap(),
            m.confidence.unwrap(),
            m.time_taken_ms,
            m.hints_used,
            m.client_attempt_id,
            opt(&m.device_type),
            opt(&m.app_version),
            opt(&m.ip_address),
            opt(&m.user_agent),
            json(&m.sm2_state_before),
            json(&m.sm2_state_after),
            json(&m.bkt_state_before),
            json(&m.bkt_state_after),
            json(&m.irt_ability_before),
            json(&m.irt_ability_after),
            m.attempted_at.to_rfc3339(),
            m.created_at.to_rfc3339(),
        )
        .unwrap();
    }
    file.flush().unwrap();
    drop(file);
    let copy = format!(
        "\\copy attempts ({}) FROM '{}' WITH (FORMAT csv)",
        columns.join(", "),
        path.display()
    );
    let started = Instant::now();
    let out = Command::new("psql")
        .args([t.url.as_str(), "-qX1", "-v", "ON_ERROR_STOP=1", "-c", &copy])
        .output()
        .expect("psql runs");
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(attempts::Entity::find().count(&t.db).await.unwrap(), rows);
    elapsed
}

/// A CSV field: quoted, with quotes doubled.
fn csv(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}
