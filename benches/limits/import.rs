//! Part 9: `learndb import kedge` (issue 17) against the physical limit, in one run.
//!
//! A Kedge source of `rows` practice answers (plus 1,000 users, 100 knowledge points, 200
//! quizzes and one session per 50 answers) is generated inside PostgreSQL with
//! `generate_series`. Then, each measured as a whole process:
//! - the import into a freshly migrated PostgreSQL target: rows read per second, peak RSS;
//! - `COPY` of the very same target rows (exported from the import's result as CSV, then
//!   `\copy … FROM` into another fresh target in one psql session): rows per second;
//! - `COPY` of those rows plus their map rows and run row (what §27.3 makes any import write):
//!   the floor of the import's time, so the best import/COPY ratio any importer can reach;
//! - the same import at a tenth of the size: peak RSS, to show memory does not follow the source;
//! - `learndb import kedge --verify` vs reading every source table once (`\copy (SELECT …) TO
//!   /dev/null`).
//!
//! One run per figure: at a million rows each takes minutes.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::common::{Backend, TestDb};
use crate::{learndb, ratio, timed, timed_with_peak};

const SCHEMA: &str = include_str!("../../tests/fixtures/legacy/kedge.schema.sql");

/// The target tables the import writes, in FK order, with the source rows they come from.
const TABLES: &[&str] = &[
    "users",
    "knowledge_points",
    "questions",
    "practice_sessions",
    "practice_answers",
];

/// A Kedge source with `answers` practice answers; returns the number of source rows.
async fn source(answers: u64) -> (TestDb, u64) {
    let src = TestDb::new(Backend::Postgres).await;
    src.exec(SCHEMA).await.expect("Kedge schema");
    let sessions = answers.div_ceil(50);
    let id = |prefix: &str, g: &str| {
        format!("('{prefix}-0000-4000-8000-' || lpad(to_hex({g}), 12, '0'))::uuid")
    };
    let sql = format!(
        "INSERT INTO kedge_practice.users (id, account_id, name, password_hash, salt, role, created_at, updated_at)
           SELECT {u}, 'user' || g, 'User ' || g, 'hash' || g, 'salt' || g, 'student',
                  timestamptz '2025-01-01' + g * interval '1 second', timestamptz '2025-01-01' + g * interval '1 second'
           FROM generate_series(1, 1000) g;
         INSERT INTO kedge_practice.knowledge_points (id, topic, subject_id, sort_index, created_at, updated_at)
           SELECT 'kp-' || g, 'Topic ' || g, 'history', g, timestamptz '2025-01-01', timestamptz '2025-01-01'
           FROM generate_series(1, 100) g;
         INSERT INTO kedge_practice.quizzes (id, type, question, answer, options, knowledge_point_id, subject_id, created_at, updated_at)
           SELECT {q}, 'single-choice', 'Question ' || g, '\"A\"'::jsonb, '[\"A\",\"B\",\"C\"]'::jsonb,
                  'kp-' || (g % 100 + 1), 'history', timestamptz '2025-01-02', timestamptz '2025-01-02'
           FROM generate_series(1, 200) g;
         INSERT INTO kedge_practice.practice_sessions (id, user_id, quiz_ids, strategy, status, score, total_questions,
                  answered_questions, correct_answers, incorrect_answers, skipped_questions, time_spent_seconds,
                  started_at, completed_at, created_at, updated_at, session_state)
           SELECT {s}, ('a0000000-0000-4000-8000-' || lpad(to_hex(g % 1000 + 1), 12, '0'))::uuid, NULL, 'random', 'completed',
                  40, 50, 50, 40, 10, 0, 600,
                  timestamptz '2025-02-01' + g * interval '1 minute', timestamptz '2025-02-01' + g * interval '1 minute' + interval '10 minutes',
                  timestamptz '2025-02-01' + g * interval '1 minute', timestamptz '2025-02-01' + g * interval '1 minute', '{{}}'::jsonb
           FROM generate_series(1, {sessions}) g;
         INSERT INTO kedge_practice.practice_answers (id, session_id, quiz_id, user_answer, is_correct, time_spent_seconds,
                  answered_at, created_at, updated_at)
           SELECT {a}, ('b0000000-0000-4000-8000-' || lpad(to_hex((g - 1) / 50 + 1), 12, '0'))::uuid,
                  ('c0000000-0000-4000-8000-' || lpad(to_hex((g - 1) % 50 + 1), 12, '0'))::uuid,
                  '\"A\"'::jsonb, g % 5 <> 0, 12,
                  timestamptz '2025-02-01' + g * interval '1 second', timestamptz '2025-02-01' + g * interval '1 second',
                  timestamptz '2025-02-01' + g * interval '1 second'
           FROM generate_series(1, {answers}) g;
         ANALYZE;",
        u = id("a0000000", "g"),
        q = id("c0000000", "g"),
        s = id("b0000000", "g"),
        a = id("d0000000", "g"),
    );
    src.exec(&sql).await.expect("the generated Kedge rows");
    (src, 1000 + 100 + 200 + sessions + answers)
}

fn psql(url: &str, script: &str) -> Command {
    let mut c = Command::new("psql");
    c.arg("-X")
        .arg("-q")
        .arg("-v")
        .arg("ON_ERROR_STOP=1")
        .arg(url)
        .arg("-c")
        .arg(script);
    c
}

/// Runs psql `script` against `url` in one transaction, stopping at the first error; its time.
fn load_in_one_transaction(url: &str, script: &Path) -> Duration {
    timed(
        Command::new("psql")
            .arg("-X")
            .arg("-q")
            .arg("-1")
            .arg("-v")
            .arg("ON_ERROR_STOP=1")
            .arg(url)
            .arg("-f")
            .arg(script),
    )
}

/// Markdown for part 9.
pub async fn run(rows: u64) -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (src, read) = source(rows).await;
    println!("  import: source of {read} rows generated");

    // The import at full size.
    let target = TestDb::migrated(Backend::Postgres).await;
    let (import_time, import_peak) = timed_with_peak(&learndb(
        dir.path(),
        &[
            "import",
            "kedge",
            "--from",
            &src.url,
            "-u",
            &target.url,
            "--yes",
            "--json",
        ],
    ));
    println!("  import: {read} rows in {import_time:?}, peak {import_peak:.0} MB");

    // COPY of the same target rows into another fresh target.
    let copy_target = TestDb::migrated(Backend::Postgres).await;
    let mut load = String::new();
    let mut copied = 0_u64;
    for table in TABLES {
        let file = dir.path().join(format!("{table}.csv"));
        let export = format!(
            "\\copy (SELECT t.* FROM {table} t JOIN learndb_import_map m ON m.target_table = '{table}' AND m.target_id = t.id AND m.action = 'inserted') TO '{}' CSV",
            file.display()
        );
        timed(&mut psql(&target.url, &export));
        copied += std::fs::read_to_string(&file)
            .map(|s| s.lines().count() as u64)
            .unwrap_or(0);
        load.push_str(&format!("\\copy {table} FROM '{}' CSV\n", file.display()));
    }
    let script = dir.path().join("load.sql");
    std::fs::write(&script, &load).unwrap();
    let copy_time = load_in_one_transaction(&copy_target.url, &script);
    println!("  import: COPY of {copied} target rows in {copy_time:?}");

    // The floor: COPY of the same target rows plus the provenance §27.3 makes every import write
    // with them (the run row and one map row per source row, with the map's 4 indexes and 2
    // foreign keys), into a third fresh target holding the tool tables.
    let floor_target = TestDb::migrated(Backend::Postgres).await;
    let dump = Command::new("pg_dump")
        .arg("-s")
        .arg("-t")
        .arg("learndb_import_*")
        .arg(&target.url)
        .output()
        .expect("pg_dump of the tool tables");
    let tool_ddl = dir.path().join("tool.sql");
    std::fs::write(&tool_ddl, &dump.stdout).unwrap();
    timed(
        Command::new("psql")
            .arg("-X")
            .arg("-q")
            .arg(&floor_target.url)
            .arg("-f")
            .arg(&tool_ddl),
    );
    let mut floor_load = load.clone();
    for table in ["learndb_import_runs", "learndb_import_map"] {
        let file = dir.path().join(format!("{table}.csv"));
        timed(&mut psql(
            &target.url,
            &format!("\\copy {table} TO '{}' CSV", file.display()),
        ));
        floor_load.push_str(&format!("\\copy {table} FROM '{}' CSV\n", file.display()));
    }
    let floor_script = dir.path().join("floor.sql");
    std::fs::write(&floor_script, &floor_load).unwrap();
    let floor_time = load_in_one_transaction(&floor_target.url, &floor_script);
    drop(floor_target);
    println!("  import: COPY of the target rows and their map rows in {floor_time:?}");

    // Memory at a tenth of the size.
    let (small_src, small_read) = source(rows / 10).await;
    let small_target = TestDb::migrated(Backend::Postgres).await;
    let (_, small_peak) = timed_with_peak(&learndb(
        dir.path(),
        &[
            "import",
            "kedge",
            "--from",
            &small_src.url,
            "-u",
            &small_target.url,
            "--yes",
            "--json",
        ],
    ));
    drop(small_src);
    drop(small_target);

    // --verify vs reading the source once.
    let verify_time = timed(&mut learndb(
        dir.path(),
        &[
            "import",
            "kedge",
            "--from",
            &src.url,
            "-u",
            &target.url,
            "--verify",
        ],
    ));
    let mut read_once = String::new();
    for table in [
        "users",
        "knowledge_points",
        "quizzes",
        "practice_sessions",
        "practice_answers",
    ] {
        read_once.push_str(&format!(
            "\\copy (SELECT * FROM kedge_practice.{table}) TO '/dev/null'\n"
        ));
    }
    let read_script = dir.path().join("read.sql");
    std::fs::write(&read_script, &read_once).unwrap();
    let read_time = timed(
        Command::new("psql")
            .arg("-X")
            .arg("-q")
            .arg(&src.url)
            .arg("-f")
            .arg(&read_script),
    );

    let rate = |n: u64, d: Duration| n as f64 / d.as_secs_f64();
    let import_rate = rate(read, import_time);
    let copy_rate = rate(copied, copy_time);
    format!(
        "A generated Kedge source (PostgreSQL → PostgreSQL, release build, one run each):\n\n\
         | figure | value |\n|---|---|\n\
         | source rows read | {read} |\n\
         | `learndb import kedge` | {} s, {import_rate:.0} rows/s, peak RSS {import_peak:.0} MB |\n\
         | `COPY` of the same {copied} target rows (psql `\\copy`, one transaction) | {} s, {copy_rate:.0} rows/s |\n\
         | import rate / COPY rate | {:.2} (goal ≥ 0.5) |\n\
         | `COPY` of the same target rows and their map rows (the provenance §27.3 requires) | {} s |\n\
         | the best import / COPY rate any importer writing that map can reach | {:.2} |\n\
         | peak RSS at {small_read} source rows | {small_peak:.0} MB (vs {import_peak:.0} MB at {read}) |\n\
         | `--verify` of the import | {} s |\n\
         | reading the source tables once (`\\copy … TO /dev/null`) | {} s |\n\
         | verify / read | {} (goal ≤ 2) |\n",
        fmt_s(import_time),
        fmt_s(copy_time),
        import_rate / copy_rate,
        fmt_s(floor_time),
        copy_time.as_secs_f64() / floor_time.as_secs_f64(),
        fmt_s(verify_time),
        fmt_s(read_time),
        ratio(verify_time, read_time),
    )
}

fn fmt_s(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64())
}
