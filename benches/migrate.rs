//! `cargo bench`: how long `migrate up` (per migration and in total) and `migrate down` take on a
//! fresh database on each backend, through sea-orm-migration and through learndb's runner. Results are recorded in docs/benchmarks.md; nothing here
//! asserts on time.
//!
//! Uses the test harness, so it needs the same servers as `cargo test` (TEST_POSTGRES_URL,
//! TEST_MYSQL_URL). `LEARNDB_BENCH_RUNS` sets the number of fresh databases per backend (default 7).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{Backend, TestDb};
use migration::connect::{Source, Target};
use migration::runner::{Runner, Selection};
use migration::{Migrator, MigratorTrait};

#[tokio::main]
async fn main() {
    let runs: usize = std::env::var("LEARNDB_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    let names = common::migration_names();
    println!(
        "migrate up / down on a fresh database, {runs} runs per backend (median [min – max])\n"
    );
    for backend in [Backend::Sqlite, Backend::Postgres, Backend::MySql] {
        let mut steps: Vec<Vec<Duration>> = vec![Vec::new(); names.len()];
        let (mut ups, mut downs) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            let t = TestDb::new(backend).await;
            let started = Instant::now();
            for step in steps.iter_mut() {
                let s = Instant::now();
                Migrator::up(&t.db, Some(1)).await.unwrap();
                step.push(s.elapsed());
            }
            ups.push(started.elapsed());
            let s = Instant::now();
            Migrator::down(&t.db, None).await.unwrap();
            downs.push(s.elapsed());
        }
        println!("{backend:?}");
        for (name, times) in names.iter().zip(steps.iter_mut()) {
            println!("  up   {name:<34} {}", summary(times));
        }
        println!("  up   {:<34} {}", "all", summary(&mut ups));
        println!("  down {:<34} {}", "all", summary(&mut downs));

        // The same work through learndb's runner: lock, checksum capture, history rows.
        let (mut runner_ups, mut statuses, mut noops) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..runs {
            let t = TestDb::new(backend).await;
            let target = Target::parse(&t.url, Source::Flag).unwrap();
            let runner = Runner::<Migrator>::for_target(&t.db, &target);
            let s = Instant::now();
            runner.up_with(&Selection::All, &mut |_| {}).await.unwrap();
            runner_ups.push(s.elapsed());
            let s = Instant::now();
            runner.up_with(&Selection::All, &mut |_| {}).await.unwrap();
            noops.push(s.elapsed());
            let s = Instant::now();
            runner.status().await.unwrap();
            statuses.push(s.elapsed());
        }
        println!(
            "  runner up all (lock + checksums + history) {}",
            summary(&mut runner_ups)
        );
        println!(
            "  runner up, nothing pending                 {}",
            summary(&mut noops)
        );
        println!(
            "  runner status                              {}\n",
            summary(&mut statuses)
        );
    }
}

fn summary(times: &mut [Duration]) -> String {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "{:>8.1} ms  [{:.1} – {:.1}]",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    )
}
