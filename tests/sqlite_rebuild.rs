//! Module 21 `sqlite_json_null` and the table rebuild it runs on SQLite (`Step::RebuildTables`):
//! every row, index, trigger, view and foreign key survives, the runner turns foreign keys off
//! around it (no cascade fires when a parent table is dropped), `down()` restores the tables as
//! module 20 left them, and the sqlite3 of Debian 12 (3.40, where `json_valid(NULL)` is 0) can
//! check the database and insert NULL JSON afterwards, which it could not before.

// Tests fail by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{Backend, TestDb, catalog};
use migration::runner::Selection;
use migration::runner::capture::{Direction, capture};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};

const MODULE_20: &str = "m20261121_000020_practice_later";

/// The tables module 21 rebuilds on SQLite: every table with a nullable JSON column.
const REBUILT: [&str; 19] = [
    "users",
    "user_profiles",
    "stories",
    "story_versions",
    "certificates",
    "questions",
    "assignments",
    "practice_sessions",
    "sentence_attempts",
    "user_progress",
    "practice_answers",
    "items",
    "attempts",
    "learning_groups",
    "collaborative_sessions",
    "group_analytics",
    "payments",
    "user_activities",
    "question_reports",
];

/// Every table with its row count (the runner's own tables aside).
async fn row_counts(t: &TestDb) -> BTreeMap<String, i64> {
    let tables = t
        .query_strings(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('seaql_migrations', 'learndb_migration_history', 'learndb_migration_journal') ORDER BY name",
            "name",
        )
        .await;
    let mut out = BTreeMap::new();
    for table in tables {
        let n = t
            .query_strings(
                &format!("SELECT CAST(COUNT(*) AS TEXT) AS n FROM \"{table}\""),
                "n",
            )
            .await;
        out.insert(table, n[0].parse().expect("a count"));
    }
    out
}

/// Child rows that reference rebuilt parents (users, questions, practice_sessions, stories):
/// what `ON DELETE CASCADE`/`SET NULL` would have removed or cleared had foreign keys been on.
async fn child_references(t: &TestDb) -> Vec<String> {
    t.query_strings(
        "SELECT CAST((SELECT COUNT(*) FROM user_profiles p JOIN users u ON u.id = p.user_id) AS TEXT) || ',' || \
                CAST((SELECT COUNT(*) FROM practice_answers a JOIN practice_sessions s ON s.id = a.session_id) AS TEXT) || ',' || \
                CAST((SELECT COUNT(*) FROM practice_sessions WHERE story_id IS NOT NULL) AS TEXT) || ',' || \
                CAST((SELECT COUNT(*) FROM enrollments e JOIN users u ON u.id = e.student_id) AS TEXT) || ',' || \
                CAST((SELECT COUNT(*) FROM quiz_submissions) AS TEXT) || ',' || \
                CAST((SELECT COUNT(*) FROM question_reports WHERE session_id IS NOT NULL) AS TEXT) AS refs",
        "refs",
    )
    .await
}

/// `sql` with every nullable JSON column's `CHECK (json_valid("c"))` written as
/// `Ddl::json_null_or_valid` writes it.
fn json_checks_rewritten(sql: &str) -> String {
    let marker = " json_text CHECK (json_valid(\"";
    let mut out = sql.to_owned();
    for (at, _) in sql.match_indices(marker) {
        let name: String = sql[at + marker.len()..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        out = out.replace(
            &format!("\"{name}\" json_text CHECK (json_valid(\"{name}\"))"),
            &format!("\"{name}\" json_text CHECK (\"{name}\" IS NULL OR json_valid(\"{name}\"))"),
        );
    }
    out
}

/// Columns whose SQLite check rejects NULL before 3.45: nullable (no NOT NULL) with a bare
/// `CHECK (json_valid(col))`.
async fn null_rejecting_json_columns(t: &TestDb) -> Vec<String> {
    let tables = t
        .query_strings(
            "SELECT name || char(9) || sql AS s FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL",
            "s",
        )
        .await;
    let mut out = Vec::new();
    for row in tables {
        let (table, sql) = row.split_once('\t').expect("name and sql");
        for column in sql.split(", \"").skip(1) {
            if column.contains(" json_text CHECK (json_valid(") {
                out.push(format!(
                    "{table}.{}",
                    column.split('"').next().unwrap_or("")
                ));
            }
        }
    }
    out
}

/// A database at module 20 holding `learndb seed --demo`'s rows. The seed writes only into a
/// fully migrated database, so it runs at the head and module 21 is rolled back under it (its
/// `down()` rebuilds the tables with their rows).
async fn seeded_at_module_20() -> TestDb {
    let t = TestDb::new(Backend::Sqlite).await;
    t.migrate(Selection::All).await;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let seed = common::command(&common::learndb_bin(), dir.path())
        .args(["seed", "--demo", "-u", &t.url])
        .output()
        .expect("the learndb binary starts");
    assert!(seed.status.success(), "seed: {}", common::show(&seed));
    let counts = row_counts(&t).await;
    t.roll_back(Selection::Count(1)).await;
    assert_eq!(
        row_counts(&t).await,
        counts,
        "rows changed in down() of module 21"
    );
    // The demo data has no question reports; one that references a session (ON DELETE SET
    // NULL) and a question and a user (CASCADE).
    t.exec("INSERT INTO question_reports (id, question_id, user_id, session_id, report_type, question_context) SELECT '01936f00-0000-7000-8000-000000000001', (SELECT id FROM questions ORDER BY id LIMIT 1), (SELECT id FROM users ORDER BY id LIMIT 1), (SELECT id FROM practice_sessions ORDER BY id LIMIT 1), 'other', '{\"shown\": 1}'")
        .await
        .expect("insert a question report");
    t
}

#[tokio::test]
async fn sqlite_rebuild_keeps_every_row_index_trigger_view_and_foreign_key() {
    let t = seeded_at_module_20().await;
    let counts = row_counts(&t).await;
    let references = child_references(&t).await;
    let at_20 = catalog::read(&t.db).await;
    for table in REBUILT {
        assert!(
            counts[table] > 0,
            "no rows in {table}, so its rebuild proves nothing"
        );
    }
    assert!(
        !null_rejecting_json_columns(&t).await.is_empty(),
        "module 20's schema should still have json_valid checks that reject NULL"
    );

    t.migrate(Selection::All).await;
    let at_21 = catalog::read(&t.db).await;
    assert_eq!(row_counts(&t).await, counts, "rows changed in the rebuild");
    assert_eq!(
        child_references(&t).await,
        references,
        "child rows of rebuilt tables changed: a cascade fired"
    );
    assert_eq!(
        t.query_strings(
            "SELECT CAST(COUNT(*) AS TEXT) AS n FROM pragma_foreign_key_check",
            "n"
        )
        .await,
        ["0"]
    );
    assert_eq!(
        t.query_strings(
            "SELECT CAST(foreign_keys AS TEXT) AS f FROM pragma_foreign_keys",
            "f"
        )
        .await,
        ["1"],
        "the runner did not turn foreign keys back on"
    );
    assert_eq!(
        null_rejecting_json_columns(&t).await,
        Vec::<String>::new(),
        "nullable JSON columns module 21 left with a check that rejects NULL"
    );
    let changed: Vec<&str> = at_21
        .tables
        .iter()
        .filter(|(name, table)| {
            at_20.tables.get(*name).map(|t| &t.definition) != Some(&table.definition)
        })
        .map(|(name, _)| name.as_str())
        .collect();
    let mut rebuilt = REBUILT.to_vec();
    rebuilt.sort();
    assert_eq!(
        changed, rebuilt,
        "tables whose definition module 21 changed"
    );
    // Created fresh with the new definition, the tables would read as module 20 left them with
    // each nullable JSON check rewritten, and nothing else different.
    let mut want = at_20.without_history();
    for table in want.tables.values_mut() {
        for sql in &mut table.definition {
            *sql = json_checks_rewritten(sql);
        }
    }
    assert!(
        want == at_21.without_history(),
        "the rebuild changed more than the JSON checks:\n{:#?}",
        want.tables
            .iter()
            .filter(|(name, table)| at_21.tables.get(*name) != Some(*table))
            .map(|(name, _)| name)
            .collect::<Vec<_>>()
    );

    t.roll_back(Selection::Count(1)).await;
    assert_eq!(row_counts(&t).await, counts, "rows changed in down()");
    assert_eq!(child_references(&t).await, references);
    let back = catalog::read(&t.db).await;
    assert!(
        back == at_20,
        "down() of module 21 does not restore module 20's tables exactly"
    );

    t.migrate(Selection::All).await;
    assert_eq!(
        row_counts(&t).await,
        counts,
        "rows changed applying 21 again"
    );
    assert!(catalog::read(&t.db).await == at_21);
}

#[tokio::test]
async fn a_rebuild_with_foreign_keys_on_fails_before_dropping_anything() {
    let t = seeded_at_module_20().await;
    let counts = row_counts(&t).await;
    let module_21 = Migrator::migrations().pop().expect("module 21");
    let statements = capture(DbBackend::Sqlite, module_21.as_ref(), Direction::Up)
        .await
        .expect("capture module 21");
    // What sea-orm-migration's own Migrator would do: the statements in one transaction, with
    // the connection's foreign keys on (sqlx's default).
    let txn = t.db.begin().await.expect("begin");
    let mut failure = None;
    for sql in &statements {
        if let Err(e) = txn.execute_unprepared(sql).await {
            failure = Some(e.to_string());
            break;
        }
    }
    txn.rollback().await.expect("rollback");
    let failure = failure.expect("module 21 ran with foreign keys on");
    assert!(
        failure.contains("learndb_rebuild_needs_foreign_keys_off"),
        "{failure}"
    );
    assert_eq!(row_counts(&t).await, counts);
}

/// The sqlite3 shell of the machine (Debian 12: 3.40.1). Tests of old-SQLite behaviour need it.
fn sqlite3() -> &'static str {
    let path = "/usr/bin/sqlite3";
    assert!(
        Path::new(path).exists(),
        "{path} is missing; install the SQLite shell with `apt-get install sqlite3`"
    );
    path
}

fn shell(db: &Path, sql: &str) -> (bool, String) {
    let out = Command::new(sqlite3())
        .arg(db)
        .arg(sql)
        .output()
        .expect("sqlite3 starts");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.success() && !text.contains("Error"),
        text.trim().to_owned(),
    )
}

fn shell_version() -> String {
    shell(Path::new(":memory:"), "SELECT sqlite_version()").1
}

const INSERT_NULL_JSON: &str = "INSERT INTO users (id, email) VALUES ('00000000-0000-7000-8000-0000000000aa', 'null.json@example.org')";

#[tokio::test]
async fn old_sqlite3_checks_and_inserts_null_json_after_module_21() {
    let version = shell_version();
    let t = TestDb::new(Backend::Sqlite).await;
    let path = t.sqlite_path().expect("a file");
    t.migrate(Selection::To(MODULE_20.into())).await;
    let old = version.as_str() < "3.45";
    if old {
        // Why module 21 exists: json_valid(NULL) is 0 before SQLite 3.45.
        let (ok, text) = shell(&path, "PRAGMA integrity_check");
        assert!(ok && text != "ok", "sqlite3 {version} at module 20: {text}");
        let (ok, text) = shell(&path, INSERT_NULL_JSON);
        assert!(
            !ok,
            "sqlite3 {version} inserted NULL JSON at module 20: {text}"
        );
    }

    t.migrate(Selection::All).await;
    assert_eq!(
        shell(&path, "PRAGMA integrity_check"),
        (true, "ok".to_owned()),
        "sqlite3 {version}, fresh database at module 21"
    );
    let (ok, text) = shell(&path, INSERT_NULL_JSON);
    assert!(
        ok,
        "sqlite3 {version} cannot insert NULL JSON at module 21: {text}"
    );
    let (ok, text) = shell(
        &path,
        "INSERT INTO users (id, email, metadata) VALUES ('00000000-0000-7000-8000-0000000000ab', 'bad.json@example.org', '{not json')",
    );
    assert!(!ok, "sqlite3 {version} accepted malformed JSON: {text}");

    let seeded = seeded_at_module_20().await;
    seeded.migrate(Selection::All).await;
    let path = seeded.sqlite_path().expect("a file");
    assert_eq!(
        shell(&path, "PRAGMA integrity_check"),
        (true, "ok".to_owned()),
        "sqlite3 {version}, seeded database at module 21"
    );
}
