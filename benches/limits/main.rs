//! `cargo bench`: learndb against the physical limit, in one run (issue 10).
//!
//! Every figure that has a limit to compare with is measured beside it in the same run and
//! reported as a ratio, because absolute times on a shared 2-core machine are noisy:
//! 1. `learndb migrate up` of the full schema vs replaying the same schema's dump with the
//!    engine's own client (`psql -1 -f` of `pg_dump -s`, `mariadb <` of `mariadb-dump
//!    --no-data`, `sqlite3 <` of `.schema`); no-op `up` and `status` as whole processes;
//! 2. the runner vs sea-orm-migration's own `Migrator::up` on the same connection;
//! 3. a fresh migrated test database from a template vs a full migrate;
//! 4. bulk insert through the entity crate vs `COPY` ([`bulk`]);
//! 5. `learndb verify` vs the engine's schema dump;
//! 6. a learner dashboard on demo data at scale 100 ([`dashboard`]);
//! 7. peak memory of `migrate up` and `seed --demo` at several scales;
//! 8. the longest wait of a steady write workload while module 20 upgrades a seeded PostgreSQL
//!    database, online and the naive way ([`online`]);
//! 9. `learndb import kedge` of a generated million-row source vs `COPY` of the same target
//!    rows, its memory at two sizes, and `--verify` vs reading the source ([`import`]).
//!
//! Results are printed as they come and, after a full run, written into docs/benchmarks.md
//! between `<!-- bench:begin -->` and `<!-- bench:end -->` (the text around them is kept).
//! Nothing asserts on time.
//!
//! Needs the servers `cargo test` needs (TEST_POSTGRES_URL, TEST_MYSQL_URL) and the clients
//! psql, pg_dump, mariadb, mariadb-dump, sqlite3 and /usr/bin/time. Settings:
//! `LEARNDB_BENCH_RUNS` (runs per figure, default 5), `LEARNDB_BENCH_ROWS` (bulk rows, default
//! 100000), `LEARNDB_BENCH_SCALES` (seed scales, default `1,10,100`; the largest one feeds the
//! dashboard), `LEARNDB_BENCH_ONLINE_SCALE` (the seed scale of part 8, default 10),
//! `LEARNDB_BENCH_IMPORT_ROWS` (practice answers of part 9's source, default 1000000),
//! `LEARNDB_BENCH_ONLY` (a comma list of `migrate,runner,template,bulk,verify,memory,dashboard,
//! online,import`: a partial run prints but does not write the file).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../tests/common/mod.rs"]
mod common;

mod bulk;
mod dashboard;
mod import;
mod online;

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Backend, TestDb};
use migration::connect::{Source, Target};
use migration::runner::{Runner, Selection};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

const BEGIN: &str = "<!-- bench:begin -->";
const END: &str = "<!-- bench:end -->";
/// The demo data's last day: fixed, so every run seeds the same rows.
const AS_OF: &str = "2026-12-01";
const SECTIONS: [&str; 9] = [
    "migrate",
    "runner",
    "template",
    "bulk",
    "verify",
    "memory",
    "dashboard",
    "online",
    "import",
];

/// Median, min and max of a set of timings.
#[derive(Clone, Copy)]
pub struct Stats {
    pub median: Duration,
    pub min: Duration,
    pub max: Duration,
}

impl Stats {
    pub fn of(times: &[Duration]) -> Stats {
        let mut sorted = times.to_vec();
        sorted.sort();
        Stats {
            median: sorted[sorted.len() / 2],
            min: sorted[0],
            max: sorted[sorted.len() - 1],
        }
    }
}

impl fmt::Display for Stats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{} – {}]",
            ms(self.median),
            ms(self.min).trim_end_matches(" ms"),
            ms(self.max)
        )
    }
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 100.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// `a / b`, two decimals.
pub fn ratio(a: Duration, b: Duration) -> String {
    format!("{:.2}", a.as_secs_f64() / b.as_secs_f64())
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `command`, which must succeed; returns how long it took.
fn timed(command: &mut Command) -> Duration {
    let started = Instant::now();
    let out = command.stdin(Stdio::null()).output().unwrap_or_else(|e| {
        panic!("cannot run {:?}: {e}", command.get_program());
    });
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "{:?} failed: {}{}",
        command.get_program(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    elapsed
}

/// `timed` under `/usr/bin/time`: the time and the peak resident set size in MB.
fn timed_with_peak(command: &Command) -> (Duration, f64) {
    let report = tempfile::NamedTempFile::new().unwrap();
    let mut wrapped = Command::new("/usr/bin/time");
    wrapped
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(report.path())
        .arg(command.get_program())
        .args(command.get_args());
    if let Some(dir) = command.get_current_dir() {
        wrapped.current_dir(dir);
    }
    for (key, value) in command.get_envs() {
        match value {
            Some(v) => wrapped.env(key, v),
            None => wrapped.env_remove(key),
        };
    }
    let elapsed = timed(&mut wrapped);
    let kb: f64 = std::fs::read_to_string(report.path())
        .unwrap()
        .trim()
        .parse()
        .expect("/usr/bin/time -f %M prints kilobytes");
    (elapsed, kb / 1024.0)
}

/// `learndb <args>` as operators run it: no DATABASE_URL or `.env` from outside.
fn learndb(dir: &Path, args: &[&str]) -> Command {
    let mut command = common::command(&common::learndb_bin(), dir);
    command.args(args);
    command
}

/// `learndb seed --demo` at `scale`, with the fixed as-of date, into `url`.
fn seed_demo(dir: &Path, scale: u64, url: &str) -> Command {
    let scale = scale.to_string();
    learndb(
        dir,
        &[
            "seed", "--demo", "--scale", &scale, "--as-of", AS_OF, "-u", url,
        ],
    )
}

fn median_of(runs: usize, mut once: impl FnMut() -> Duration) -> Stats {
    let times: Vec<Duration> = (0..runs).map(|_| once()).collect();
    Stats::of(&times)
}

/// Host, port, user and database of a server URL, for the engines' own clients.
struct Parts {
    host: String,
    port: String,
    user: String,
    database: String,
}

fn parts(url: &str) -> Parts {
    let parsed = url::Url::parse(url).expect("test URLs parse");
    Parts {
        host: parsed.host_str().unwrap_or("127.0.0.1").to_owned(),
        port: parsed.port().map(|p| p.to_string()).unwrap_or_default(),
        user: parsed.username().to_owned(),
        database: parsed.path().trim_start_matches('/').to_owned(),
    }
}

/// `mariadb`/`mariadb-dump` with the connection of `url` (its password through MYSQL_PWD).
fn mariadb_client(program: &str, url: &str) -> Command {
    let p = parts(url);
    let mut command = Command::new(program);
    command.args(["-h", &p.host, "-u", &p.user]);
    if !p.port.is_empty() {
        command.args(["-P", &p.port]);
    }
    if let Some(password) = url::Url::parse(url)
        .ok()
        .and_then(|u| u.password().map(str::to_owned))
    {
        command.env("MYSQL_PWD", password);
    }
    command
}

fn sqlite_file(t: &TestDb) -> PathBuf {
    t.sqlite_path().expect("a SQLite test database has a file")
}

/// The engine's dump of `t`'s schema, as a script its client replays.
fn dump_schema(t: &TestDb, file: &Path) {
    let out = match t.backend {
        Backend::Postgres => Command::new("pg_dump")
            .args(["-s", "--no-owner", "-d", &t.url])
            .output(),
        Backend::MySql => mariadb_client("mariadb-dump", &t.url)
            .args(["--no-data", "--routines", "--triggers", "--skip-comments"])
            .arg(parts(&t.url).database)
            .output(),
        Backend::Sqlite => Command::new("sqlite3")
            .arg(sqlite_file(t))
            .arg(".schema")
            .output(),
    }
    .expect("the engine's dump tool runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text = String::from_utf8(out.stdout).unwrap();
    if t.backend == Backend::Sqlite {
        // SQLite makes this table itself and refuses to have it created.
        text = text
            .lines()
            .filter(|l| !l.starts_with("CREATE TABLE sqlite_sequence"))
            .map(|l| format!("{l}\n"))
            .collect();
    }
    std::fs::write(file, text).unwrap();
}

/// The engine's client replaying `file` into `t`: PostgreSQL in one transaction (`psql -1`).
fn replay(t: &TestDb, file: &Path) -> Command {
    match t.backend {
        Backend::Postgres => {
            let mut c = Command::new("psql");
            c.args([
                "-X",
                "-q",
                "-1",
                "-v",
                "ON_ERROR_STOP=1",
                "-o",
                "/dev/null",
                "-f",
            ])
            .arg(file)
            .args(["-d", &t.url]);
            c
        }
        Backend::MySql => {
            let mut c = mariadb_client("mariadb", &t.url);
            c.arg(parts(&t.url).database)
                .arg("-e")
                .arg(format!("source {}", file.display()));
            c
        }
        Backend::Sqlite => {
            let mut c = Command::new("sqlite3");
            c.arg(sqlite_file(t))
                .arg(format!(".read {}", file.display()));
            c
        }
    }
}

/// Part 1: a full `migrate up` vs replaying the dump; no-op `up` and `status`.
async fn migrate_vs_replay(runs: usize) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut out = format!(
        "Whole processes, from an empty database; median of {runs} runs [min – max] (no-op `up` \
         and `status`: {} runs). PostgreSQL with the server's default TLS (`ssl = on`, both \
         clients `sslmode=prefer`).\n\n\
         | backend | `learndb migrate up` | replay of the schema dump | ratio | no-op `up` | `status` |\n\
         |---|---|---|---|---|---|\n",
        runs * 4
    );
    for backend in [Backend::Postgres, Backend::MySql, Backend::Sqlite] {
        let dump = dir.path().join(format!("{backend:?}.sql"));
        let mut migrated = None;
        let mut ups = Vec::new();
        let mut replays = Vec::new();
        for _ in 0..runs {
            let t = TestDb::new(backend).await;
            ups.push(timed(&mut learndb(
                dir.path(),
                &["migrate", "-u", &t.url, "up"],
            )));
            if migrated.is_none() {
                dump_schema(&t, &dump);
                migrated = Some(t);
            }
            let empty = TestDb::new(backend).await;
            replays.push(timed(&mut replay(&empty, &dump)));
        }
        let t = migrated.expect("at least one run");
        let noop = median_of(runs * 4, || {
            timed(&mut learndb(dir.path(), &["migrate", "-u", &t.url, "up"]))
        });
        let status = median_of(runs * 4, || {
            timed(&mut learndb(
                dir.path(),
                &["migrate", "-u", &t.url, "status"],
            ))
        });
        let (up, replayed) = (Stats::of(&ups), Stats::of(&replays));
        let client = match backend {
            Backend::Postgres => "`psql -1 -f` of `pg_dump -s`",
            Backend::MySql => "`mariadb` of `mariadb-dump --no-data`",
            Backend::Sqlite => "`sqlite3` of `.schema`",
        };
        out.push_str(&format!(
            "| {backend:?} | {up} | {replayed} ({client}) | **{}** | {noop} | {status} |\n",
            ratio(up.median, replayed.median)
        ));
        println!(
            "  migrate {backend:?}: up {up}, replay {replayed}, no-op {noop}, status {status}"
        );
    }
    out
}

/// Part 2: the runner vs sea-orm-migration's `Migrator::up`, in process, same connection kind.
async fn runner_overhead(runs: usize) -> String {
    // sea-orm-migration wraps a migration whose use_transaction() is None in a transaction on
    // PostgreSQL, where module 20's CREATE INDEX CONCURRENTLY fails: both apply the launch set.
    let migrations = Migrator::migrations();
    let launch = migrations
        .iter()
        .take_while(|m| m.use_transaction() == Some(true))
        .count();
    let last = migrations[launch - 1].name().to_owned();
    let mut out = format!(
        "In process on an open connection, a fresh empty database each run, the {launch} \
         migrations of the launch set (sea-orm-migration cannot apply module 20 on PostgreSQL: \
         it would run `CREATE INDEX CONCURRENTLY` in a transaction); median of {runs} \
         runs [min – max]. The runner adds the lock (and on PostgreSQL the session check and \
         the lock's proof), checksum capture and history rows.\n\n\
         | backend | sea-orm-migration `Migrator::up` | learndb `Runner::up` | ratio |\n|---|---|---|---|\n"
    );
    for backend in [Backend::Postgres, Backend::MySql, Backend::Sqlite] {
        let (mut plain, mut runner) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            let t = TestDb::new(backend).await;
            let started = Instant::now();
            Migrator::up(&t.db, Some(launch as u32)).await.unwrap();
            plain.push(started.elapsed());
            let t = TestDb::new(backend).await;
            let target = Target::parse(&t.url, Source::Flag).unwrap();
            let started = Instant::now();
            Runner::<Migrator>::for_target(&t.db, &target)
                .up_with(&Selection::To(last.clone()), &mut |_| {})
                .await
                .unwrap();
            runner.push(started.elapsed());
        }
        let (plain, runner) = (Stats::of(&plain), Stats::of(&runner));
        out.push_str(&format!(
            "| {backend:?} | {plain} | {runner} | **{}** |\n",
            ratio(runner.median, plain.median)
        ));
        println!("  runner {backend:?}: Migrator::up {plain}, Runner::up {runner}");
    }
    out
}

/// Part 3: a migrated test database from the template vs migrating a fresh one.
async fn templates(runs: usize) -> String {
    let mut out = format!(
        "What `TestDb::migrated` costs per test: creating and connecting a database, then \
         migrating it in full, or cloning the migrated template (PostgreSQL `CREATE DATABASE … \
         TEMPLATE`, a file copy on SQLite; MariaDB has no cheap clone and migrates). Median of \
         {runs} runs [min – max]; the template itself is made once per test process, before \
         the clock starts.\n\n\
         | backend | fresh database + full migrate | from the template | ratio |\n|---|---|---|---|\n"
    );
    for backend in [Backend::Postgres, Backend::Sqlite] {
        drop(TestDb::migrated(backend).await);
        let (mut full, mut cloned) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            let started = Instant::now();
            let t = TestDb::new(backend).await;
            t.migrate(Selection::All).await;
            full.push(started.elapsed());
            drop(t);
            let started = Instant::now();
            let t = TestDb::migrated(backend).await;
            cloned.push(started.elapsed());
            drop(t);
        }
        let (full, cloned) = (Stats::of(&full), Stats::of(&cloned));
        out.push_str(&format!(
            "| {backend:?} | {full} | {cloned} | **{}** |\n",
            ratio(cloned.median, full.median)
        ));
        println!("  template {backend:?}: full {full}, clone {cloned}");
    }
    out
}

/// Part 5: `learndb verify` vs the engine's schema dump, both whole processes.
async fn verify_vs_dump(runs: usize) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut out = format!(
        "Whole processes on a migrated database; median of {runs} runs [min – max]. `verify` \
         reads the catalog and compares it with the committed snapshot of what the migrations \
         make; the dump only reads and prints.\n\n\
         | backend | `learndb verify` | schema dump | ratio |\n|---|---|---|---|\n"
    );
    for backend in [Backend::Postgres, Backend::MySql, Backend::Sqlite] {
        let t = TestDb::migrated(backend).await;
        let sink = dir.path().join("dump.sql");
        let verify = median_of(runs, || {
            timed(&mut learndb(dir.path(), &["verify", "-u", &t.url]))
        });
        let dump = median_of(runs, || {
            let started = Instant::now();
            dump_schema(&t, &sink);
            started.elapsed()
        });
        let tool = match backend {
            Backend::Postgres => "`pg_dump -s`",
            Backend::MySql => "`mariadb-dump --no-data`",
            Backend::Sqlite => "`sqlite3 .schema`",
        };
        out.push_str(&format!(
            "| {backend:?} | {verify} | {dump} ({tool}) | **{}** |\n",
            ratio(verify.median, dump.median)
        ));
        println!("  verify {backend:?}: verify {verify}, dump {dump}");
    }
    out
}

/// Part 7: peak memory of `migrate up` and `seed --demo`; returns the PostgreSQL database
/// seeded at the largest scale, for the dashboard.
async fn memory(scales: &[u64]) -> (String, Option<TestDb>) {
    let dir = tempfile::tempdir().unwrap();
    let mut out = String::from(
        "Peak resident set size of the whole `learndb` process (`/usr/bin/time -f %M`), one run \
         each, release build. `seed` writes into a freshly migrated database.\n\n\
         | backend | command | time | peak RSS |\n|---|---|---|---|\n",
    );
    let mut largest = None;
    for backend in [Backend::Postgres, Backend::MySql, Backend::Sqlite] {
        let t = TestDb::new(backend).await;
        let (time, mb) = timed_with_peak(&learndb(dir.path(), &["migrate", "-u", &t.url, "up"]));
        out.push_str(&format!(
            "| {backend:?} | `migrate up` ({} migrations) | {} | {mb:.0} MB |\n",
            Migrator::migrations().len(),
            ms(time)
        ));
        for &scale in scales {
            let t = TestDb::migrated(backend).await;
            let (time, mb) = timed_with_peak(&seed_demo(dir.path(), scale, &t.url));
            out.push_str(&format!(
                "| {backend:?} | `seed --demo --scale {scale}` | {:.1} s | {mb:.0} MB |\n",
                time.as_secs_f64()
            ));
            println!(
                "  memory {backend:?} seed scale {scale}: {:.1} s, {mb:.0} MB",
                time.as_secs_f64()
            );
            if backend == Backend::Postgres && Some(&scale) == scales.iter().max() {
                largest = Some(t);
            }
        }
    }
    (out, largest)
}

/// Part 6: the learner dashboard's queries on the seeded database.
async fn dashboard_section(db: &DatabaseConnection, scale: u64, runs: usize) -> String {
    db.execute_unprepared("ANALYZE").await.unwrap();
    let (learner, timings) = dashboard::run(db, runs)
        .await
        .unwrap_or_else(|e| panic!("dashboard: {e}"));
    let mut out = format!(
        "PostgreSQL, demo data at scale {scale} (`seed --demo --scale {scale} --as-of {AS_OF}`, \
         then `ANALYZE`); each query {runs} times on one connection after 5 warm-up runs. \
         {learner}\n\n\
         | query | rows | p50 | p95 | sequential scans on tables over 5,000 rows |\n|---|---|---|---|---|\n"
    );
    for q in &timings {
        out.push_str(&format!(
            "| {} | {} | {:.2} ms | {:.2} ms | {} |\n",
            q.name,
            q.rows,
            q.p50_ms,
            q.p95_ms,
            if q.seq_scans.is_empty() {
                "none".to_owned()
            } else {
                q.seq_scans.join(", ")
            }
        ));
        println!(
            "  dashboard {}: p50 {:.2} ms, p95 {:.2} ms",
            q.name, q.p50_ms, q.p95_ms
        );
    }
    for q in &timings {
        out.push_str(&format!(
            "\n<details><summary>Plan: {}</summary>\n\n```\n{}\n```\n</details>\n",
            q.name,
            q.plan.trim_end()
        ));
    }
    out
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> String {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<String>(0).unwrap()
}

fn command_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// The machine and versions the figures come from.
async fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_default();
    let memory = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse::<f64>().ok())
        .map(|kb| format!("{:.0} GiB", kb / 1024.0 / 1024.0))
        .unwrap_or_default();
    let postgres = TestDb::new(Backend::Postgres).await;
    let mariadb = TestDb::new(Backend::MySql).await;
    let sqlite = TestDb::new(Backend::Sqlite).await;
    let ssl = scalar(&postgres.db, "SHOW ssl").await;
    let commit = command_line("git", &["describe", "--always", "--dirty"]);
    format!(
        "Measured {} at commit `{commit}` by `cargo bench` (release build).\n\n\
         - Machine: {} cores ({model}), {memory}, Linux {}\n\
         - {}\n\
         - PostgreSQL: {} (`ssl = {ssl}`), on loopback\n\
         - MariaDB: {}, on loopback\n\
         - SQLite: {} (bundled by sqlx), on local disk\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        command_line("uname", &["-r"]),
        command_line("rustc", &["--version"]),
        scalar(&postgres.db, "SHOW server_version").await,
        scalar(&mariadb.db, "SELECT VERSION()").await,
        scalar(&sqlite.db, "SELECT sqlite_version()").await,
    )
}

#[tokio::main]
async fn main() {
    let runs = env_number("LEARNDB_BENCH_RUNS", 5).max(1) as usize;
    let rows = env_number("LEARNDB_BENCH_ROWS", 100_000);
    let scales: Vec<u64> = std::env::var("LEARNDB_BENCH_SCALES")
        .unwrap_or_else(|_| "1,10,100".to_owned())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let only = std::env::var("LEARNDB_BENCH_ONLY").ok();
    let wanted: Vec<&str> = match &only {
        Some(list) => list.split(',').map(str::trim).collect(),
        None => SECTIONS.to_vec(),
    };
    if let Some(unknown) = wanted.iter().find(|s| !SECTIONS.contains(s)) {
        eprintln!(
            "error: LEARNDB_BENCH_ONLY names `{unknown}`; the sections are {}",
            SECTIONS.join(", ")
        );
        std::process::exit(2);
    }
    let on = |name: &str| wanted.contains(&name);

    let mut report = machine().await;
    println!("{report}");
    let mut add = |title: &str, body: String| {
        report.push_str(&format!("\n### {title}\n\n{body}"));
    };
    if on("migrate") {
        add(
            "1. Full `migrate up` vs replaying the schema dump; no-op `up` and `status`",
            migrate_vs_replay(runs).await,
        );
    }
    if on("runner") {
        add(
            "2. Runner overhead vs sea-orm-migration",
            runner_overhead(runs).await,
        );
    }
    if on("template") {
        add(
            "3. A fresh migrated test database: template vs full migrate",
            templates(runs).await,
        );
    }
    if on("bulk") {
        add(
            "4. Bulk insert through the entity crate vs COPY",
            bulk::run(runs, rows).await,
        );
    }
    if on("verify") {
        add(
            "5. `learndb verify` vs the schema dump",
            verify_vs_dump(runs).await,
        );
    }
    if on("memory") || on("dashboard") {
        let (text, seeded) = memory(&scales).await;
        if on("dashboard") {
            let scale = scales.iter().copied().max().unwrap_or(1);
            let seeded = seeded.expect("the PostgreSQL database seeded at the largest scale");
            add(
                "6. Learner dashboard",
                dashboard_section(&seeded.db, scale, runs.max(40) * 5).await,
            );
        }
        if on("memory") {
            add("7. Peak memory of `migrate up` and `seed --demo`", text);
        }
    }
    if on("online") {
        let scale = env_number("LEARNDB_BENCH_ONLINE_SCALE", 10);
        add(
            "8. Writes while module 20 upgrades a database in use",
            online::run(scale).await,
        );
    }
    if on("import") {
        let rows = env_number("LEARNDB_BENCH_IMPORT_ROWS", 1_000_000);
        add(
            "9. `learndb import kedge` vs COPY; memory; `--verify` vs reading the source",
            import::run(rows).await,
        );
    }
    if only.is_some() {
        println!("{report}\n(LEARNDB_BENCH_ONLY set: docs/benchmarks.md left as it is)");
        return;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/benchmarks.md");
    let text = std::fs::read_to_string(&path).expect("docs/benchmarks.md exists");
    let (Some(start), Some(end)) = (text.find(BEGIN), text.find(END)) else {
        panic!("docs/benchmarks.md has no {BEGIN} … {END} region to write into");
    };
    let updated = format!("{}{BEGIN}\n{report}\n{}", &text[..start], &text[end..]);
    std::fs::write(&path, updated).unwrap();
    println!("{report}\nwritten to {}", path.display());
}
