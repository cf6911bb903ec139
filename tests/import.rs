//! `learndb import kedge` end to end (SPEC-26-27 §27): the legacy Kedge schema of
//! `tests/fixtures/legacy/kedge.schema.sql` (generated from legacy-catalog.json by
//! `scripts/legacy-ddl.py`) with the rows of `kedge.rows.sql`, whose header lists the outcome
//! §27 gives every row. Each test runs the real binary against a real PostgreSQL source and a
//! real target, and reads the outcome back from the target and the tool tables.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::process::Output;
use std::time::Duration;

use common::{Backend, TestDb, command, learndb_bin, show, stderr, stdout};
use sea_orm::ConnectionTrait;
use serde_json::Value;

const SCHEMA: &str = include_str!("fixtures/legacy/kedge.schema.sql");
const ROWS: &str = include_str!("fixtures/legacy/kedge.rows.sql");
const AL_SCHEMA: &str = include_str!("fixtures/legacy/adaptive.schema.sql");
const AL_ROWS: &str = include_str!("fixtures/legacy/adaptive.rows.sql");
const DZ_SCHEMA: &str = include_str!("fixtures/legacy/lms.schema.sql");
const DZ_ROWS: &str = include_str!("fixtures/legacy/lms.rows.sql");
const SS_SCHEMA: &str = include_str!("fixtures/legacy/storysign.schema.sql");
const SS_ROWS: &str = include_str!("fixtures/legacy/storysign.rows.sql");
const WB_SCHEMA: &str = include_str!("fixtures/legacy/writebot.schema.sql");
const WB_ROWS: &str = include_str!("fixtures/legacy/writebot.rows.sql");

/// (line, read, inserted, merged, rejected) of a first import into a freshly migrated target.
const FIRST: &[(&str, u64, u64, u64, u64)] = &[
    ("users", 8, 7, 1, 0),
    ("users→user_preferences", 9, 4, 5, 0),
    ("knowledge_points", 6, 5, 0, 1),
    ("knowledge_points_metadata", 2, 2, 0, 0),
    ("practice_strategies", 3, 1, 2, 0),
    ("system_config", 3, 3, 0, 0),
    ("quizzes→questions", 8, 8, 0, 0),
    ("practice_sessions", 5, 4, 0, 1),
    ("practice_answers", 8, 6, 0, 2),
    ("student_weaknesses", 3, 2, 0, 1),
    ("student_mistakes", 3, 3, 0, 0),
    ("quiz_reports→question_reports", 2, 2, 0, 0),
    ("attachments", 2, 2, 0, 0),
];

const CONFLICTS: &[(&str, u64)] = &[
    ("dangling_array_element", 2),
    ("demo_credential", 1),
    ("derived_column_mismatch", 1),
    ("possible_duplicate", 1),
    ("reference_nulled", 2),
    ("username_renamed", 1),
    ("value_derived", 1),
    ("value_differs", 1),
    ("value_wrapped", 1),
];

/// (source table, source key, reason) of every reject.
const REJECTS: &[(&str, &str, &str)] = &[
    ("knowledge_points", "kp-long", "value_too_long"),
    (
        "practice_sessions",
        "33333333-0000-4000-8000-000000000005",
        "check_violation:ck_practice_sessions_counts",
    ),
    (
        "practice_answers",
        "44444444-0000-4000-8000-000000000007",
        "parent_rejected",
    ),
    (
        "practice_answers",
        "44444444-0000-4000-8000-000000000008",
        "parent_rejected",
    ),
    (
        "student_weaknesses",
        "55555555-0000-4000-8000-000000000003",
        "parent_rejected",
    ),
];

/// The tables an import writes, counted before and after.
const TARGETS: &[&str] = &[
    "users",
    "user_preferences",
    "knowledge_points",
    "knowledge_points_metadata",
    "practice_strategies",
    "system_config",
    "questions",
    "practice_sessions",
    "practice_answers",
    "student_weaknesses",
    "student_mistakes",
    "question_reports",
    "attachments",
];

async fn kedge_source(extra: &str) -> TestDb {
    let src = TestDb::new(Backend::Postgres).await;
    src.exec(SCHEMA)
        .await
        .expect("the legacy Kedge schema applies");
    src.exec(ROWS).await.expect("the Kedge rows apply");
    if !extra.is_empty() {
        src.exec(extra).await.expect("the source change applies");
    }
    src
}

fn import(src: &str, target: &str, args: &[&str]) -> Output {
    import_system("kedge", src, target, args)
}

fn import_system(system: &str, src: &str, target: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().expect("a temporary directory");
    command(&learndb_bin(), dir.path())
        .args(["import", system, "--from", src, "-u", target])
        .args(args)
        .output()
        .expect("learndb runs")
}

/// A first run's report, checked: exit 1 (rows were rejected), status verified, each line's
/// (read, inserted, merged, rejected) and the conflicts by kind as the fixture's EXPECTED says.
fn assert_first(
    o: &Output,
    expected: &[(&str, u64, u64, u64, u64)],
    conflicts: &[(&str, u64)],
) -> Value {
    assert_eq!(
        o.status.code(),
        Some(1),
        "rows were rejected, so exit 1: {}",
        show(o)
    );
    let r = report(o);
    assert_eq!(r["status"], "verified", "{}", show(o));
    let got = lines(&r);
    for (line, read, inserted, merged, rejected) in expected {
        let l = &got[*line];
        assert_eq!(
            (
                l["read"].as_u64(),
                l["inserted"].as_u64(),
                l["merged"].as_u64(),
                l["rejected"].as_u64()
            ),
            (Some(*read), Some(*inserted), Some(*merged), Some(*rejected)),
            "line {line}: {l}"
        );
    }
    let found: BTreeMap<String, u64> =
        serde_json::from_value(r["conflicts"].clone()).expect("conflicts");
    let want: BTreeMap<String, u64> = conflicts
        .iter()
        .map(|(k, n)| ((*k).to_owned(), *n))
        .collect();
    assert_eq!(found, want);
    r
}

/// A run over an unchanged source: nothing inserted or updated on any line.
fn assert_rerun_writes_nothing(o: &Output) {
    for (line, l) in lines(&report(o)) {
        assert_eq!(
            (l["inserted"].as_u64(), l["updated"].as_u64()),
            (Some(0), Some(0)),
            "second run, {line}: {l}"
        );
    }
}

/// The JSON report: the last line of stdout.
fn report(o: &Output) -> Value {
    let out = stdout(o);
    let line = out.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("no JSON report ({e}): {}", show(o)))
}

fn lines(r: &Value) -> BTreeMap<String, Value> {
    r["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(|l| (l["line"].as_str().unwrap_or_default().to_owned(), l.clone()))
        .collect()
}

async fn counts(t: &TestDb) -> BTreeMap<&'static str, i64> {
    let mut out = BTreeMap::new();
    for table in TARGETS {
        out.insert(
            *table,
            count_sql(t, &format!("SELECT count(*) FROM {table}")).await,
        );
    }
    out
}

async fn count_sql(t: &TestDb, sql: &str) -> i64 {
    let cast = match t.backend {
        Backend::Postgres => format!("SELECT CAST(({sql}) AS TEXT) AS n"),
        _ => format!("SELECT CAST(({sql}) AS CHAR(20)) AS n"),
    };
    t.query_strings(&cast, "n")
        .await
        .concat()
        .trim()
        .parse()
        .unwrap_or(-1)
}

fn assert_first_run(o: &Output) {
    assert_eq!(
        o.status.code(),
        Some(1),
        "rows were rejected, so exit 1: {}",
        show(o)
    );
    assert_first(o, FIRST, CONFLICTS);
    assert!(stderr(o).contains("5 rows rejected"), "{}", show(o));
}

async fn first_import_on(backend: Backend) {
    let src = kedge_source("").await;
    let tgt = TestDb::migrated(backend).await;
    let o = import(&src.url, &tgt.url, &["--yes", "--json"]);
    assert_first_run(&o);

    // Every reject is the expected row with the expected reason, secrets redacted.
    let joined = match backend {
        Backend::MySql => "CONCAT(source_table, ' ', source_key, ' ', reason)",
        _ => "source_table || ' ' || source_key || ' ' || reason",
    };
    let rejects = tgt
        .query_strings(
            &format!("SELECT {joined} AS r FROM learndb_import_rejects ORDER BY 1"),
            "r",
        )
        .await;
    let mut expected: Vec<String> = REJECTS
        .iter()
        .map(|(t, k, r)| format!("{t} {k} {r}"))
        .collect();
    expected.sort();
    assert_eq!(rejects, expected);

    // The anonymous user merged into the seed's; the demo account cannot log in.
    assert_eq!(count_sql(&tgt, "SELECT count(*) FROM users").await, 8);
    assert_eq!(
        count_sql(&tgt, "SELECT count(*) FROM users WHERE password_hash IS NULL AND is_active = FALSE AND username = 'student@example.com'").await,
        1,
        "the demo account is imported without credentials and inactive"
    );
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM users WHERE username = 'alice@example.com.kg'"
        )
        .await,
        1
    );
    assert_eq!(
        count_sql(&tgt, "SELECT count(*) FROM users WHERE email IS NOT NULL").await,
        0,
        "KG account ids never become emails"
    );
    // Every map row points at its target; verify finds no drift (V2, V7 hold: status verified).
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM learndb_import_map WHERE action = 'merged'"
        )
        .await,
        8
    );

    // A second run changes nothing and says so.
    let before = counts(&tgt).await;
    let o = import(&src.url, &tgt.url, &["--yes", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let r = report(&o);
    for (line, l) in lines(&r) {
        assert_eq!(
            (l["inserted"].as_u64(), l["updated"].as_u64()),
            (Some(0), Some(0)),
            "second run, {line}: {l}"
        );
    }
    assert_eq!(r["status"], "verified");
    assert_eq!(counts(&tgt).await, before, "a second run writes no row");

    // --verify re-reads the source: V1–V7 hold, exit 1 because the run rejected rows.
    let o = import(&src.url, &tgt.url, &["--verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(stdout(&o).contains("V1–V7 hold"), "{}", show(&o));
    assert!(stderr(&o).contains("rejected 5 rows"), "{}", show(&o));

    // A row the application deleted since is not a failure of the import (V2, §27.12).
    let answers = count_sql(&tgt, "SELECT count(*) FROM practice_answers").await;
    tgt.exec(
        "DELETE FROM practice_answers WHERE id = (SELECT target_id FROM learndb_import_map \
         WHERE target_table = 'practice_answers' ORDER BY source_key LIMIT 1)",
    )
    .await
    .expect("deleting an imported row");
    assert_eq!(
        count_sql(&tgt, "SELECT count(*) FROM practice_answers").await,
        answers - 1
    );
    let o = import(&src.url, &tgt.url, &["--verify"]);
    assert!(stdout(&o).contains("V1–V7 hold"), "{}", show(&o));

    // A source row changed since the import: --verify names it under V1, status completed.
    let key = tgt
        .query_strings(
            "SELECT source_key AS k FROM learndb_import_map WHERE source_table = 'users' AND action = 'inserted' ORDER BY source_key",
            "k",
        )
        .await;
    src.exec(&format!(
        "UPDATE kedge_practice.users SET name = 'Renamed since' WHERE id = '{}'",
        key[0]
    ))
    .await
    .expect("changing a source row");
    let o = import(&src.url, &tgt.url, &["--verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        stdout(&o)
            .contains("V1 failed: users: 1 source rows are not (or no longer) imported as read"),
        "{}",
        show(&o)
    );
}

#[tokio::test]
async fn kedge_into_postgres() {
    first_import_on(Backend::Postgres).await;
}

#[tokio::test]
async fn kedge_into_mariadb() {
    first_import_on(Backend::MySql).await;
}

#[tokio::test]
async fn kedge_into_sqlite() {
    first_import_on(Backend::Sqlite).await;
}

#[tokio::test]
async fn dry_run_writes_nothing() {
    let src = kedge_source("").await;
    let tgt = TestDb::migrated(Backend::Postgres).await;
    let before = counts(&tgt).await;
    let o = import(&src.url, &tgt.url, &["--dry-run", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "rows would be rejected: {}",
        show(&o)
    );
    let r = report(&o);
    assert_eq!(r["status"], "dry-run");
    assert_eq!(lines(&r)["practice_answers"]["inserted"], 6);
    assert!(stderr(&o).contains("would be rejected"), "{}", show(&o));
    assert_eq!(counts(&tgt).await, before);
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'learndb_import%'"
        )
        .await,
        0,
        "not even the tool tables"
    );
}

/// Source changes after a first import, and the application's own changes, meet on a re-run
/// (§27.10): updated, kept (changed on both sides), target_deleted, never re-inserted.
#[tokio::test]
async fn rerun_carries_source_changes_and_keeps_the_applications() {
    let src = kedge_source("").await;
    let tgt = TestDb::migrated(Backend::Postgres).await;
    assert_eq!(
        import(&src.url, &tgt.url, &["--yes"]).status.code(),
        Some(1)
    );
    src.exec(
        "UPDATE kedge_practice.attachments SET access_count = 99 WHERE id = '88888888-0000-4000-8000-000000000001';
         UPDATE kedge_practice.quizzes SET explanation = 'changed in Kedge' WHERE id = '22222222-0000-4000-8000-000000000001';",
    )
    .await
    .expect("source change");
    tgt.exec(
        "UPDATE questions SET explanation = 'changed in learndb' WHERE id = '22222222-0000-4000-8000-000000000001';
         DELETE FROM question_reports WHERE id IN (SELECT id FROM question_reports ORDER BY id LIMIT 1);",
    )
    .await
    .expect("application change");
    let o = import(&src.url, &tgt.url, &["--yes", "--json"]);
    let r = report(&o);
    let got = lines(&r);
    assert_eq!(got["attachments"]["updated"], 1, "{r}");
    assert_eq!(got["quizzes→questions"]["kept"], 1, "{r}");
    assert_eq!(
        got["quiz_reports→question_reports"]["target_deleted"], 1,
        "{r}"
    );
    assert_eq!(r["status"], "verified", "{}", show(&o));
    assert_eq!(
        count_sql(&tgt, "SELECT count(*) FROM question_reports").await,
        1,
        "a deleted row stays deleted"
    );
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM attachments WHERE access_count = 99"
        )
        .await,
        1
    );
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM questions WHERE explanation = 'changed in learndb'"
        )
        .await,
        1,
        "the target wins a change on both sides"
    );
}

/// An import killed at any point resumes to the end state of an uninterrupted one.
#[tokio::test]
async fn killed_import_resumes_to_the_same_end_state() {
    let src = kedge_source("").await;
    let expected = uninterrupted_end_state(&src, &["--batch-size", "1"]).await;
    let mut cut_mid_run = 0;
    for delay_ms in [300_u64, 600, 900, 1200] {
        let tgt = TestDb::migrated(Backend::Postgres).await;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut child = command(&learndb_bin(), dir.path())
            .args([
                "import",
                "kedge",
                "--from",
                &src.url,
                "-u",
                &tgt.url,
                "--yes",
                "--batch-size",
                "1",
            ])
            .spawn()
            .expect("learndb starts");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // A run left `running` with part of the rows: the kill landed between two batches.
        let tool = count_sql(
            &tgt,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'learndb_import_runs'",
        )
        .await;
        let running = if tool == 1 {
            count_sql(
                &tgt,
                "SELECT count(*) FROM learndb_import_runs WHERE status = 'running'",
            )
            .await
        } else {
            0
        };
        if running > 0 && counts(&tgt).await != expected {
            cut_mid_run += 1;
        }
        assert_resumes(&src, &tgt, &expected, &format!("a kill at {delay_ms} ms")).await;
    }
    assert!(
        cut_mid_run > 0,
        "no kill landed in the middle of an import: the test proved nothing"
    );
}

/// A Kedge from before …024, …030 and …033: no quiz_reports, no subject_id, no sort_index.
#[tokio::test]
async fn older_kedge_version_imports_with_defaults() {
    let src = kedge_source(
        "DROP TABLE kedge_practice.quiz_reports;
         ALTER TABLE kedge_practice.knowledge_points DROP COLUMN subject_id, DROP COLUMN sort_index;
         ALTER TABLE kedge_practice.quizzes DROP COLUMN subject_id;",
    )
    .await;
    let tgt = TestDb::migrated(Backend::Postgres).await;
    let o = import(&src.url, &tgt.url, &["--yes", "--json"]);
    let r = report(&o);
    assert_eq!(r["status"], "verified", "{}", show(&o));
    assert!(!lines(&r).contains_key("quiz_reports→question_reports"));
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM knowledge_points WHERE subject_id = 'history'"
        )
        .await,
        5
    );
    assert!(
        r["conflicts"]["value_derived"].as_u64().unwrap_or(0) >= 13,
        "{r}"
    );
}

#[tokio::test]
async fn refuses_what_it_cannot_import_safely() {
    let src = kedge_source("ALTER TABLE kedge_practice.users ADD COLUMN nickname text;").await;
    let tgt = TestDb::migrated(Backend::Postgres).await;
    let before = counts(&tgt).await;
    // An unknown column: its data would be lost without a word.
    let o = import(&src.url, &tgt.url, &["--yes"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(stderr(&o).contains("column users.nickname"), "{}", show(&o));
    assert_eq!(counts(&tgt).await, before, "a refusal writes nothing");
    // Not a Kedge database at all.
    let other = TestDb::new(Backend::Postgres).await;
    other
        .exec("CREATE SCHEMA kedge_practice; CREATE TABLE kedge_practice.lessons (id int);")
        .await
        .expect("schema");
    let o = import(&other.url, &tgt.url, &["--yes"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(stderr(&o).contains("table lessons"), "{}", show(&o));
    // A target that is not fully migrated.
    let bare = TestDb::new(Backend::Postgres).await;
    let o = import(&src.url, &bare.url, &["--yes", "--allow-unmapped"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(stderr(&o).contains("migrate up"), "{}", show(&o));
    // Not on a terminal without --yes; an unknown system; a source URL that is not PostgreSQL.
    let o = import(&src.url, &tgt.url, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    let dir = tempfile::tempdir().expect("a temporary directory");
    let o = command(&learndb_bin(), dir.path())
        .args([
            "import", "moodle", "--from", &src.url, "-u", &tgt.url, "--yes",
        ])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    let o = import("mysql://root@127.0.0.1/x", &tgt.url, &["--yes"]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert_eq!(counts(&tgt).await, before);
}

/// Every punctuation character in the source password: never printed, and the URL still parses.
#[tokio::test]
async fn source_password_is_never_printed() {
    let src = kedge_source("").await;
    let tgt = TestDb::migrated(Backend::Postgres).await;
    let password = "p!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~w0rd";
    let encoded: String = password
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let url = url::Url::parse(&src.url).expect("url");
    let with_password = format!(
        "postgres://{}:{encoded}@{}:{}{}",
        if url.username().is_empty() {
            "postgres"
        } else {
            url.username()
        },
        url.host_str().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(5432),
        url.path()
    );
    let o = import(&with_password, &tgt.url, &["--dry-run"]);
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        all.contains("***"),
        "the source URL is printed redacted: {}",
        show(&o)
    );
    for secret in [password, encoded.as_str(), "w0rd"] {
        assert!(!all.contains(secret), "password leaked: {}", show(&o));
    }
}

/// (line, read, inserted, merged, rejected) of a first AL import into a target holding the two
/// users of the fixture's TARGET-SETUP.
const AL_FIRST: &[(&str, u64, u64, u64, u64)] = &[
    ("users", 7, 6, 1, 0),
    ("users→user_profiles", 7, 7, 0, 0),
    ("users→user_preferences", 2, 2, 0, 0),
    ("items", 5, 3, 0, 2),
    ("sessions→practice_sessions", 4, 4, 0, 0),
    ("attempts", 6, 5, 0, 1),
    ("refresh_tokens", 2, 0, 0, 0),
    ("user_activity", 1, 0, 0, 0),
];

const AL_CONFLICTS: &[(&str, u64)] = &[
    ("credential_not_imported", 1),
    ("email_withheld", 2),
    ("role_conflict", 1),
];

/// The fixture's two target users (a verified and an unverified email), written through the
/// entity crate so that every backend gets them.
async fn al_target_users(t: &TestDb) {
    use sea_orm::{ActiveModelTrait, Set};
    let day = |d: &str| chrono::DateTime::parse_from_rfc3339(d).expect("a date");
    for (id, email, verified, hash, created) in [
        (
            1_u128,
            "verified@example.com",
            true,
            "target-hash",
            "2024-06-01T00:00:00Z",
        ),
        (
            2,
            "unverified@example.com",
            false,
            "target-hash-2",
            "2024-06-02T00:00:00Z",
        ),
    ] {
        entity::users::ActiveModel {
            id: Set(
                uuid::Uuid::parse_str(&format!("99999999-0000-4000-8000-{id:012}")).expect("uuid"),
            ),
            email: Set(Some(email.into())),
            email_verified: Set(verified),
            password_hash: Set(Some(hash.into())),
            role: Set(entity::sea_orm_active_enums::Role::Student),
            created_at: Set(day(created)),
            updated_at: Set(day(created)),
            ..Default::default()
        }
        .insert(&t.db)
        .await
        .expect("a target user");
    }
}

async fn adaptive_on(backend: Backend) {
    let src = TestDb::new(Backend::Postgres).await;
    src.exec(AL_SCHEMA)
        .await
        .expect("the legacy AL schema applies");
    src.exec(AL_ROWS).await.expect("the AL rows apply");
    let tgt = TestDb::migrated(backend).await;
    al_target_users(&tgt).await;
    let o = import_system("adaptive", &src.url, &tgt.url, &["--yes", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "rows were rejected, so exit 1: {}",
        show(&o)
    );
    assert_first(&o, AL_FIRST, AL_CONFLICTS);
    // The verified email merged: the target's credentials and role won, the activity combined.
    let merged = "id = '99999999-0000-4000-8000-000000000001'";
    let merged = match backend {
        Backend::Postgres => merged.to_owned(),
        _ => "email = 'verified@example.com'".to_owned(),
    };
    assert_eq!(
        count_sql(&tgt, &format!("SELECT count(*) FROM users WHERE {merged} AND password_hash = 'target-hash' AND role = 'student' AND country_code = 'US' AND content_role IS NULL")).await,
        1
    );
    // The unverified collision and the same-source duplicate are imported without email.
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM users WHERE email IS NULL AND username LIKE 'al:%'"
        )
        .await,
        2
    );
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM users WHERE email = 'case@example.com'"
        )
        .await,
        1
    );
    // The merged user's sessions and attempts follow it.
    assert_eq!(
        count_sql(&tgt, &format!("SELECT count(*) FROM attempts WHERE user_id IN (SELECT id FROM users WHERE {merged})")).await,
        3
    );
    // A second run writes nothing.
    let before = count_sql(&tgt, "SELECT count(*) FROM attempts").await;
    let o = import_system("adaptive", &src.url, &tgt.url, &["--yes", "--json"]);
    let r = report(&o);
    for (line, l) in lines(&r) {
        assert_eq!(
            (l["inserted"].as_u64(), l["updated"].as_u64()),
            (Some(0), Some(0)),
            "second run, {line}: {l}"
        );
    }
    assert_eq!(
        count_sql(&tgt, "SELECT count(*) FROM attempts").await,
        before
    );
}

#[tokio::test]
async fn adaptive_into_postgres() {
    adaptive_on(Backend::Postgres).await;
}

#[tokio::test]
async fn adaptive_into_mariadb() {
    adaptive_on(Backend::MySql).await;
}

#[tokio::test]
async fn adaptive_into_sqlite() {
    adaptive_on(Backend::Sqlite).await;
}

/// Two systems into one target, one after the other: each keeps its own map and report, and
/// the second verifies with the first's rows present.
#[tokio::test]
async fn adaptive_then_kedge_into_one_target() {
    let al = TestDb::new(Backend::Postgres).await;
    al.exec(AL_SCHEMA).await.expect("AL schema");
    al.exec(AL_ROWS).await.expect("AL rows");
    let kg = kedge_source("").await;
    let tgt = TestDb::migrated(Backend::Postgres).await;
    let o = import_system("adaptive", &al.url, &tgt.url, &["--yes", "--json"]);
    assert_eq!(report(&o)["status"], "verified", "{}", show(&o));
    let o = import_system("kedge", &kg.url, &tgt.url, &["--yes", "--json"]);
    assert_first_run(&o);
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM learndb_import_runs WHERE status = 'verified'"
        )
        .await,
        2
    );
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(DISTINCT source) FROM learndb_import_map"
        )
        .await,
        2
    );
    let o = import_system("adaptive", &al.url, &tgt.url, &["--verify"]);
    assert!(stdout(&o).contains("V1–V7 hold"), "{}", show(&o));
}

/// `--dry-run` reports how many users each email policy merges (§27.6), and after a real run it
/// reads the tool tables without writing into them.
#[tokio::test]
async fn dry_run_reports_both_email_policies() {
    let src = TestDb::new(Backend::Postgres).await;
    src.exec(AL_SCHEMA).await.expect("AL schema");
    src.exec(AL_ROWS).await.expect("AL rows");
    let tgt = TestDb::migrated(Backend::Postgres).await;
    al_target_users(&tgt).await;
    let o = import_system("adaptive", &src.url, &tgt.url, &["--dry-run", "--json"]);
    let r = report(&o);
    assert_eq!(
        (
            r["users_merged"].as_u64(),
            r["users_merged_with_unverified_emails"].as_u64()
        ),
        (Some(1), Some(2)),
        "{r}"
    );
    assert_eq!(
        import_system("adaptive", &src.url, &tgt.url, &["--yes"])
            .status
            .code(),
        Some(1)
    );
    let tool = "SELECT (SELECT count(*) FROM learndb_import_map) + (SELECT count(*) FROM learndb_import_rejects) + (SELECT count(*) FROM learndb_import_conflicts) + (SELECT count(*) FROM learndb_import_runs)";
    let before = count_sql(&tgt, tool).await;
    let o = import_system("adaptive", &src.url, &tgt.url, &["--dry-run"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        stdout(&o).contains("with --merge-unverified-emails: 2"),
        "{}",
        show(&o)
    );
    assert_eq!(
        count_sql(&tgt, tool).await,
        before,
        "a dry run writes into no tool table"
    );
    // The email policy is fixed per source name.
    let o = import_system(
        "adaptive",
        &src.url,
        &tgt.url,
        &["--yes", "--merge-unverified-emails"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(stderr(&o).contains("fixed per source name"), "{}", show(&o));
}

/// (line, read, inserted, merged, rejected) of a first WB import into a freshly migrated target.
const WB_FIRST: &[(&str, u64, u64, u64, u64)] = &[
    ("users", 6, 6, 0, 0),
    ("users→user_preferences", 11, 10, 0, 1),
    ("page_size_presets", 5, 2, 2, 1),
    ("template_presets", 5, 3, 1, 1),
    ("character_override_collections", 3, 2, 0, 1),
    ("character_overrides", 6, 3, 0, 3),
    ("user_activities", 4, 4, 0, 0),
    ("usage_statistics", 5, 3, 0, 2),
];

const WB_CONFLICTS: &[(&str, u64)] = &[
    ("defaulted_to_import_time", 1),
    ("lossy_value", 1),
    ("possible_duplicate", 2),
    ("reference_nulled", 1),
    ("username_renamed", 2),
    ("value_differs", 2),
    ("value_replaced", 2),
    ("value_wrapped", 1),
];

const WB_REJECTS: &[(&str, &str, &str)] = &[
    (
        "users",
        "5#pref:writebot.default_stroke_width",
        "invalid_type",
    ),
    ("page_size_presets", "5", "invalid_enum_value"),
    ("template_presets", "3", "invalid_enum_value"),
    ("character_override_collections", "3", "invalid_type"),
    ("character_overrides", "3", "value_too_long"),
    ("character_overrides", "4", "parent_rejected"),
    (
        "character_overrides",
        "6",
        "check_violation:ck_character_overrides_viewbox",
    ),
    ("usage_statistics", "2", "invalid_timestamp"),
    ("usage_statistics", "5", "invalid_timestamp"),
];

async fn writebot_on(backend: Backend) {
    let src = TestDb::new(Backend::Sqlite).await;
    src.exec(WB_SCHEMA)
        .await
        .expect("the legacy WriteBot schema applies");
    src.exec(WB_ROWS).await.expect("the WriteBot rows apply");
    let tgt = TestDb::migrated(backend).await;
    let o = import_system("writebot", &src.url, &tgt.url, &["--yes", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "rows were rejected, so exit 1: {}",
        show(&o)
    );
    assert_first(&o, WB_FIRST, WB_CONFLICTS);
    let joined = match backend {
        Backend::MySql => "CONCAT(source_table, ' ', source_key, ' ', reason)",
        _ => "source_table || ' ' || source_key || ' ' || reason",
    };
    let rejects = tgt
        .query_strings(
            &format!("SELECT {joined} AS r FROM learndb_import_rejects ORDER BY 1"),
            "r",
        )
        .await;
    let mut expected: Vec<String> = WB_REJECTS
        .iter()
        .map(|(t, k, r)| format!("{t} {k} {r}"))
        .collect();
    expected.sort();
    assert_eq!(rejects, expected);
    // The seed's A4 stays the one default; the renamed users log in with their new names.
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM page_size_presets WHERE is_default = TRUE"
        )
        .await,
        1
    );
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM users WHERE username IN ('anonymous.wb', 'bob .wb')"
        )
        .await,
        2
    );
    // The source file was opened read-only: a second run changes nothing, --verify holds.
    let before = counts(&tgt).await;
    assert_rerun_writes_nothing(&import_system(
        "writebot",
        &src.url,
        &tgt.url,
        &["--yes", "--json"],
    ));
    assert_eq!(counts(&tgt).await, before);
    let o = import_system("writebot", &src.url, &tgt.url, &["--verify"]);
    assert!(stdout(&o).contains("V1–V7 hold"), "{}", show(&o));
}

#[tokio::test]
async fn writebot_into_postgres() {
    writebot_on(Backend::Postgres).await;
}

#[tokio::test]
async fn writebot_into_mariadb() {
    writebot_on(Backend::MySql).await;
}

#[tokio::test]
async fn writebot_into_sqlite() {
    writebot_on(Backend::Sqlite).await;
}

/// A WriteBot file that does not exist is an error, never created (the source is read-only).
#[tokio::test]
async fn a_missing_sqlite_source_is_not_created() {
    let tgt = TestDb::migrated(Backend::Postgres).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let missing = dir.path().join("writebot.db");
    let o = import_system(
        "writebot",
        &format!("sqlite://{}?mode=rwc", missing.display()),
        &tgt.url,
        &["--yes"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(!missing.exists(), "the import created the source file");
}

/// (line, read, inserted, merged, rejected) of a first LMS import into a freshly migrated target.
const DZ_FIRST: &[(&str, u64, u64, u64, u64)] = &[
    ("users", 6, 6, 0, 0),
    ("user_profiles", 3, 3, 0, 0),
    ("courses", 2, 1, 0, 1),
    ("course_modules", 4, 3, 0, 1),
    ("lessons", 2, 2, 0, 0),
    ("quizzes", 1, 1, 0, 0),
    ("questions", 2, 2, 0, 0),
    ("assignments", 1, 1, 0, 0),
    ("payments", 2, 2, 0, 0),
    ("enrollments", 4, 3, 0, 1),
    ("lesson_progress", 1, 1, 0, 0),
    ("certificates", 1, 1, 0, 0),
    ("quiz_submissions", 1, 1, 0, 0),
    ("assignment_submissions", 2, 2, 0, 0),
    ("subscriptions", 1, 1, 0, 0),
    ("refunds", 1, 1, 0, 0),
    ("messages", 2, 2, 0, 0),
    ("discussion_threads", 1, 1, 0, 0),
    ("discussion_posts", 2, 2, 0, 0),
    ("announcements", 1, 1, 0, 0),
    ("notifications", 2, 2, 0, 0),
    ("course_analytics", 1, 1, 0, 0),
    ("student_analytics", 1, 1, 0, 0),
    ("analytics_events", 2, 2, 0, 0),
];

const DZ_CONFLICTS: &[(&str, u64)] = &[
    ("derived_column_mismatch", 1),
    ("email_withheld", 1),
    ("reference_nulled", 2),
    ("value_replaced", 1),
];

async fn lms_source() -> TestDb {
    let src = TestDb::new(Backend::Postgres).await;
    src.exec(DZ_SCHEMA)
        .await
        .expect("the legacy LMS schema applies");
    src.exec(DZ_ROWS).await.expect("the LMS rows apply");
    src
}

async fn lms_on(backend: Backend) {
    let src = lms_source().await;
    let tgt = TestDb::migrated(backend).await;
    let o = import_system("lms", &src.url, &tgt.url, &["--yes", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "rows were rejected, so exit 1: {}",
        show(&o)
    );
    assert_first(&o, DZ_FIRST, DZ_CONFLICTS);
    // The second pass set both forward self-references and cleared every pending flag.
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM course_modules WHERE prerequisite_module_id IS NOT NULL"
        )
        .await,
        2
    );
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM messages WHERE parent_message_id IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM learndb_import_map WHERE self_ref_pending = TRUE"
        )
        .await,
        0
    );
    // Profile names reached the users; an expired reset token did not come along.
    assert_eq!(count_sql(&tgt, "SELECT count(*) FROM users WHERE full_name IN ('Grace Hopper', 'Dana Scully', 'Carol Danvers')").await, 3);
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM users WHERE password_reset_token IS NOT NULL"
        )
        .await,
        1
    );
    let before = counts(&tgt).await;
    assert_rerun_writes_nothing(&import_system(
        "lms",
        &src.url,
        &tgt.url,
        &["--yes", "--json"],
    ));
    assert_eq!(counts(&tgt).await, before);
}

#[tokio::test]
async fn lms_into_postgres() {
    lms_on(Backend::Postgres).await;
}

#[tokio::test]
async fn lms_into_mariadb() {
    lms_on(Backend::MySql).await;
}

#[tokio::test]
async fn lms_into_sqlite() {
    lms_on(Backend::Sqlite).await;
}

/// The five systems, one after another into one target, in the order §27.5 recommends (lms,
/// adaptive, storysign, kedge, writebot): every run verified, each source its own map.
async fn all_into_one(backend: Backend) {
    let dz = lms_source().await;
    let ss = storysign_source().await;
    let al = TestDb::new(Backend::Postgres).await;
    al.exec(AL_SCHEMA).await.expect("AL schema");
    al.exec(AL_ROWS).await.expect("AL rows");
    let kg = kedge_source("").await;
    let wb = TestDb::new(Backend::Sqlite).await;
    wb.exec(WB_SCHEMA).await.expect("WB schema");
    wb.exec(WB_ROWS).await.expect("WB rows");
    let tgt = TestDb::migrated(backend).await;
    let systems = [
        ("lms", &dz.url),
        ("adaptive", &al.url),
        ("storysign", &ss.url),
        ("kedge", &kg.url),
        ("writebot", &wb.url),
    ];
    for (system, url) in systems {
        let o = import_system(system, url, &tgt.url, &["--yes", "--json"]);
        assert_eq!(report(&o)["status"], "verified", "{system}: {}", show(&o));
    }
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM learndb_import_runs WHERE status = 'verified'"
        )
        .await,
        5
    );
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(DISTINCT source) FROM learndb_import_map"
        )
        .await,
        5
    );
    for (system, url) in systems {
        let o = import_system(system, url, &tgt.url, &["--verify"]);
        assert!(stdout(&o).contains("V1–V7 hold"), "{system}: {}", show(&o));
    }
    let verify = command(&learndb_bin(), tempfile::tempdir().expect("dir").path())
        .args(["verify", "-u", &tgt.url])
        .output()
        .expect("learndb verify runs");
    assert!(
        verify.status.success(),
        "the imports changed no schema object: {}",
        show(&verify)
    );
}

#[tokio::test]
async fn all_systems_into_one_postgres_target() {
    all_into_one(Backend::Postgres).await;
}

#[tokio::test]
async fn all_systems_into_one_mariadb_target() {
    all_into_one(Backend::MySql).await;
}

#[tokio::test]
async fn all_systems_into_one_sqlite_target() {
    all_into_one(Backend::Sqlite).await;
}

/// (line, read, inserted, merged, rejected) of a first StorySign import (MariaDB source).
const SS_FIRST: &[(&str, u64, u64, u64, u64)] = &[
    ("users", 4, 4, 0, 0),
    ("users→user_preferences", 5, 4, 0, 1),
    ("user_profiles", 4, 3, 1, 0),
    ("user_sessions", 3, 2, 0, 1),
    ("stories", 3, 2, 0, 1),
    ("story_tags", 3, 2, 0, 1),
    ("story_versions", 3, 3, 0, 0),
    ("story_ratings", 3, 2, 0, 1),
    ("content_approvals", 3, 2, 0, 1),
    ("practice_sessions", 4, 4, 0, 0),
    ("sentence_attempts", 4, 2, 0, 2),
    ("user_progress", 2, 2, 0, 0),
    ("learning_groups", 2, 2, 0, 0),
    ("group_memberships", 4, 3, 0, 1),
    ("collaborative_sessions", 2, 1, 0, 1),
    ("group_analytics", 2, 1, 0, 1),
    ("plugins", 2, 2, 0, 0),
    ("plugin_data", 4, 2, 1, 1),
];

const SS_CONFLICTS: &[(&str, u64)] = &[
    ("dangling_array_element", 1),
    ("invalid_json", 1),
    ("lossy_value", 1),
    ("reference_nulled", 2),
    ("value_differs", 1),
    ("value_replaced", 1),
    ("value_wrapped", 1),
];

const SS_REJECTS: &[(&str, u64)] = &[
    ("check_violation:ck_collaborative_sessions_schedule", 1),
    ("check_violation:ck_content_approvals_reviewed", 1),
    ("check_violation:ck_group_analytics_period", 1),
    ("check_violation:ck_group_memberships_left", 1),
    ("check_violation:ck_sentence_attempts_frames", 1),
    ("check_violation:ck_story_ratings_rating", 1),
    ("check_violation:ck_user_sessions_expiry", 1),
    ("duplicate_key", 1),
    ("invalid_enum_value", 1),
    ("invalid_json", 2),
    ("parent_rejected", 1),
];

async fn storysign_source() -> TestDb {
    let src = TestDb::new(Backend::MySql).await;
    src.exec(SS_SCHEMA)
        .await
        .expect("the legacy StorySign schema applies");
    src.exec(SS_ROWS).await.expect("the StorySign rows apply");
    src
}

async fn storysign_on(backend: Backend) {
    let src = storysign_source().await;
    let tgt = TestDb::migrated(backend).await;
    let o = import_system("storysign", &src.url, &tgt.url, &["--yes", "--json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "rows were rejected, so exit 1: {}",
        show(&o)
    );
    let r = assert_first(&o, SS_FIRST, SS_CONFLICTS);
    let rejects: BTreeMap<String, u64> =
        serde_json::from_value(r["rejects"].clone()).expect("rejects");
    let expected: BTreeMap<String, u64> = SS_REJECTS
        .iter()
        .map(|(k, n)| ((*k).to_owned(), *n))
        .collect();
    assert_eq!(rejects, expected);
    // Session tokens are stored hashed; the upper-case id is kept lower-case; the id that is not
    // a uuid got a new one; secrets never reach the rejects table.
    assert_eq!(
        count_sql(&tgt, "SELECT count(*) FROM user_sessions WHERE session_token = '4fecf75112c460c971b1802690ce5a12baa4ed6ee7a75a9cf50b5a3fe8991d8b'").await,
        1
    );
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM users WHERE username = 'legacy7'"
        )
        .await,
        1
    );
    let as_text = match backend {
        Backend::Postgres => "CAST(source_row AS TEXT)",
        _ => "source_row",
    };
    let leaked = count_sql(
        &tgt,
        &format!("SELECT count(*) FROM learndb_import_rejects WHERE {as_text} LIKE '%ss-token%'"),
    )
    .await;
    assert_eq!(leaked, 0, "a session token reached the rejects table");
    let before = counts(&tgt).await;
    assert_rerun_writes_nothing(&import_system(
        "storysign",
        &src.url,
        &tgt.url,
        &["--yes", "--json"],
    ));
    assert_eq!(counts(&tgt).await, before);
    let o = import_system("storysign", &src.url, &tgt.url, &["--verify"]);
    assert!(stdout(&o).contains("V1–V7 hold"), "{}", show(&o));
}

#[tokio::test]
async fn storysign_into_postgres() {
    storysign_on(Backend::Postgres).await;
}

#[tokio::test]
async fn storysign_into_mariadb() {
    storysign_on(Backend::MySql).await;
}

#[tokio::test]
async fn storysign_into_sqlite() {
    storysign_on(Backend::Sqlite).await;
}

/// A PostgreSQL user with nothing but SELECT on the source is enough (§27.1: read-only), and
/// the source's rows are the same afterwards.
#[tokio::test]
async fn a_select_only_source_user_is_enough() {
    let src = kedge_source("").await;
    let role = format!(
        "kg_reader_{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    );
    src.exec(&format!(
        "CREATE ROLE {role} LOGIN; GRANT USAGE ON SCHEMA kedge_practice TO {role}; GRANT SELECT ON ALL TABLES IN SCHEMA kedge_practice TO {role};"
    ))
    .await
    .expect("a read-only role");
    let mut url = url::Url::parse(&src.url).expect("url");
    url.set_username(&role).expect("user");
    url.set_password(None).expect("no password");
    let before = count_sql(&src, "SELECT (SELECT count(*) FROM kedge_practice.users) + (SELECT count(*) FROM kedge_practice.practice_answers)").await;
    let tgt = TestDb::migrated(Backend::Postgres).await;
    let o = import(url.as_str(), &tgt.url, &["--yes", "--json"]);
    let r = report(&o);
    assert_eq!(r["status"], "verified", "{}", show(&o));
    assert_eq!(
        count_sql(&src, "SELECT (SELECT count(*) FROM kedge_practice.users) + (SELECT count(*) FROM kedge_practice.practice_answers)").await,
        before
    );
    assert!(
        r["source_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("postgres://")),
        "{r}"
    );
    src.exec(&format!("DROP OWNED BY {role}; DROP ROLE {role};"))
        .await
        .ok();
}

/// The import holds learndb's migration lock for its whole run (§27.1): while another process
/// holds it, the import waits, and gives up after --lock-timeout with exit 1, writing nothing.
#[tokio::test]
async fn the_import_waits_for_the_migration_lock() {
    let src = kedge_source("").await;
    let tgt = TestDb::migrated(Backend::Postgres).await;
    let holder = sea_orm::Database::connect(&tgt.url)
        .await
        .expect("a second session");
    holder
        .execute_unprepared("SELECT pg_advisory_lock(1818583410)")
        .await
        .expect("the migration lock");
    let before = counts(&tgt).await;
    let o = import(&src.url, &tgt.url, &["--yes", "--lock-timeout", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(stderr(&o).contains("migration lock"), "{}", show(&o));
    assert_eq!(
        counts(&tgt).await,
        before,
        "nothing was written while the lock was held"
    );
    holder.close().await.ok();
    let o = import(&src.url, &tgt.url, &["--yes", "--json"]);
    assert_eq!(report(&o)["status"], "verified", "{}", show(&o));
}

/// The target's row counts after an uninterrupted import of `src` (extra arguments `args`) into
/// a fresh PostgreSQL target: the end state an interrupted import must resume to.
async fn uninterrupted_end_state(src: &TestDb, args: &[&str]) -> BTreeMap<&'static str, i64> {
    let whole = TestDb::migrated(Backend::Postgres).await;
    let args = [&["--yes"][..], args].concat();
    assert_eq!(import(&src.url, &whole.url, &args).status.code(), Some(1));
    counts(&whole).await
}

/// The next run after an interruption (`after`) finishes the import: exit 1 (the fixture's
/// rejects), status `verified`, and the end state of an uninterrupted run.
async fn assert_resumes(
    src: &TestDb,
    tgt: &TestDb,
    expected: &BTreeMap<&'static str, i64>,
    after: &str,
) {
    let o = import(&src.url, &tgt.url, &["--yes", "--json"]);
    assert_eq!(o.status.code(), Some(1), "after {after}: {}", show(&o));
    assert_eq!(
        report(&o)["status"],
        "verified",
        "after {after}: {}",
        show(&o)
    );
    assert_eq!(counts(tgt).await, *expected, "after {after}");
}

/// `learndb import kedge` one row a batch, returned once it is writing (its map holds rows).
async fn spawn_mid_run(src: &TestDb, tgt: &TestDb, dir: &std::path::Path) -> std::process::Child {
    let child = command(&learndb_bin(), dir)
        .args([
            "import",
            "kedge",
            "--from",
            &src.url,
            "-u",
            &tgt.url,
            "--yes",
            "--batch-size",
            "1",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("learndb starts");
    for _ in 0..100 {
        let tool = count_sql(
            tgt,
            "SELECT count(*) FROM pg_tables WHERE tablename = 'learndb_import_runs'",
        )
        .await;
        if tool == 1 && count_sql(tgt, "SELECT count(*) FROM learndb_import_map").await > 3 {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

/// SIGTERM stops the import after its current batch (§27.12): exit 143, the run `interrupted`,
/// and the next run finishes it to the same end state.
#[tokio::test]
async fn sigterm_stops_after_the_batch_and_the_next_run_resumes() {
    let src = kedge_source("").await;
    let expected = uninterrupted_end_state(&src, &[]).await;
    let tgt = TestDb::migrated(Backend::Postgres).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let child = spawn_mid_run(&src, &tgt, dir.path()).await;
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let o = child.wait_with_output().expect("learndb ends");
    assert_eq!(o.status.code(), Some(143), "{}", show(&o));
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM learndb_import_runs WHERE status = 'interrupted'"
        )
        .await,
        1,
        "{}",
        show(&o)
    );
    assert_resumes(&src, &tgt, &expected, "SIGTERM").await;
}

/// The target's connections dropped by the server in the middle of an import (§27.12): the run
/// fails without a half-written batch, and the next run resumes to the same end state.
#[tokio::test]
async fn a_dropped_target_connection_resumes_to_the_same_end_state() {
    let src = kedge_source("").await;
    let expected = uninterrupted_end_state(&src, &[]).await;
    let tgt = TestDb::migrated(Backend::Postgres).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let child = spawn_mid_run(&src, &tgt, dir.path()).await;
    let name = url::Url::parse(&tgt.url)
        .expect("url")
        .path()
        .trim_start_matches('/')
        .to_owned();
    tgt.exec(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND application_name = 'learndb' AND pid <> pg_backend_pid()"
    ))
    .await
    .expect("the server drops the import's connections");
    let o = child.wait_with_output().expect("learndb ends");
    assert_ne!(o.status.code(), Some(0), "{}", show(&o));
    assert_eq!(
        count_sql(
            &tgt,
            "SELECT count(*) FROM learndb_import_runs WHERE status = 'verified'"
        )
        .await,
        0,
        "the drop landed after the run had finished: {}",
        show(&o)
    );
    assert_resumes(&src, &tgt, &expected, "the dropped connections").await;
}

/// V6 (§27.12): uniqueness PostgreSQL cannot enforce on attempts, whose keys include
/// `created_at`. A second attempt row with an imported attempt's id, written behind the import's
/// back, makes `--verify` fail V6 with exit 1.
#[tokio::test]
async fn verify_finds_duplicate_attempt_ids_postgres_cannot_refuse() {
    let src = TestDb::new(Backend::Postgres).await;
    src.exec(AL_SCHEMA).await.expect("AL schema");
    src.exec(AL_ROWS).await.expect("AL rows");
    let tgt = TestDb::migrated(Backend::Postgres).await;
    al_target_users(&tgt).await;
    assert_eq!(
        report(&import_system(
            "adaptive",
            &src.url,
            &tgt.url,
            &["--yes", "--json"]
        ))["status"],
        "verified"
    );
    tgt.exec(
        "INSERT INTO attempts (id, user_id, item_id, session_id, selected, correct, time_taken_ms, hints_used, client_attempt_id, attempted_at, created_at)
         SELECT id, user_id, item_id, session_id, selected, correct, time_taken_ms, hints_used, gen_random_uuid(), attempted_at, created_at - interval '1 day'
         FROM attempts ORDER BY created_at DESC LIMIT 1",
    )
    .await
    .expect("a duplicate id in another created_at");
    let o = import_system("adaptive", &src.url, &tgt.url, &["--verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    assert!(
        stdout(&o).contains("V6 failed: 1 duplicate keys of attempts.id"),
        "{}",
        show(&o)
    );
}
