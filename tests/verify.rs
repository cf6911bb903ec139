#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `learndb verify` and `learndb diff` on real databases: the committed catalogs are current,
//! a freshly migrated database shows no drift (also for a user who may only read, and at an
//! earlier version), each kind of hand-made change is named and exits 1, a scratch reference
//! agrees with the committed one, and `diff` shows exactly what the migrations between two
//! versions create.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use common::catalog::{self, Catalog};
use common::{
    Backend, TestDb, all_of_all, command, learndb_bin, migration_names, schema_tables, show,
    stderr, stdout,
};
use learndb::compare::{Objects, flatten};
use learndb::snapshot::Snapshot;
use migration::engine::Flavor;
use migration::runner::Selection;
use sea_orm::ConnectionTrait;

fn engine(backend: Backend) -> (&'static str, Flavor) {
    match backend {
        Backend::Postgres => ("postgres", Flavor::Postgres),
        Backend::MySql => ("mariadb", Flavor::MariaDb),
        Backend::Sqlite => ("sqlite", Flavor::Sqlite),
    }
}

fn learndb(args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    command(&learndb_bin(), dir.path())
        .args(args)
        .output()
        .expect("the learndb binary starts")
}

fn verify(url: &str, extra: &[&str]) -> Output {
    let mut args = vec!["verify", "-u", url];
    args.extend_from_slice(extra);
    learndb(&args)
}

fn drift_json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", show(o)))
}

// The committed catalogs are what the migrations create today, step by step. Recorded on a
// fresh database; LEARNDB_BLESS=1 writes them.
on_every_backend!(committed_catalog_is_current, committed_catalog_is_current);
async fn committed_catalog_is_current(backend: Backend) {
    let t = TestDb::new(backend).await;
    let (name, flavor) = engine(backend);
    let recorded = Snapshot::record(&t.db, &t.target(), name).await.unwrap();
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema/catalog")
        .join(Snapshot::file_name(flavor).unwrap());
    let text = recorded.to_text();
    if std::env::var("LEARNDB_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&file, &text).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    if committed != text {
        let old = Snapshot::parse(&committed).ok();
        let changed: Vec<&String> = recorded
            .objects
            .iter()
            .filter(|(k, v)| old.as_ref().and_then(|o| o.objects.get(*k)) != Some(*v))
            .map(|(k, _)| k)
            .take(10)
            .collect();
        panic!(
            "{} is stale (first changed objects: {changed:?}); refresh it with: LEARNDB_BLESS=1 cargo test --test verify committed_catalog_is_current",
            file.display()
        );
    }
    // The binary embeds the same file.
    assert_eq!(Snapshot::committed(flavor).unwrap().unwrap(), recorded);
}

on_every_backend!(
    a_migrated_database_shows_no_drift,
    a_migrated_database_shows_no_drift
);
async fn a_migrated_database_shows_no_drift(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let o = verify(&t.url, &[]);
    assert!(o.status.success(), "{}", show(&o));
    let out = stdout(&o);
    assert!(out.contains("Server: "), "{out}");
    assert!(
        out.contains(&format!("at {} migrations", all_of_all())),
        "{out}"
    );
    assert!(
        out.contains(&format!("No drift: {} tables", schema_tables())),
        "{out}"
    );
    let o = verify(&t.url, &["--json"]);
    assert!(o.status.success(), "{}", show(&o));
    let doc = drift_json(&o);
    assert_eq!(doc["drift"], serde_json::json!([]));
    assert_eq!(doc["applied"], migration_names().len());
}

// "At the version the database is at": a database migrated to `courses` is compared with the
// first three migrations only; then one migration more is applied by hand-free means and the
// result is still clean.
on_every_backend!(
    an_earlier_version_is_compared_with_that_version,
    an_earlier_version_is_compared_with_that_version
);
async fn an_earlier_version_is_compared_with_that_version(backend: Backend) {
    let t = TestDb::new(backend).await;
    t.migrate(Selection::To("courses".into())).await;
    let o = verify(&t.url, &[]);
    assert!(o.status.success(), "{}", show(&o));
    let at = format!("at 3 of {} migrations", migration_names().len());
    assert!(stdout(&o).contains(&at), "{}", show(&o));
    assert!(stdout(&o).contains("No drift: 12 tables"), "{}", show(&o));
}

/// The SQL that makes each change, on `backend`, for the objects this catalog holds.
struct Changes {
    /// The statement, the line verify prints, the table.
    drop_index: (String, String, String),
    add_column: String,
    change_type: Vec<String>,
    drop_view: String,
    drop_trigger: Vec<String>,
}

fn changes(backend: Backend, catalog: &Catalog) -> (Changes, [&'static str; 4]) {
    // An index that no foreign key needs (MySQL refuses to drop those).
    let (table, index) = catalog
        .tables
        .iter()
        .find_map(|(name, t)| {
            let fk_columns: BTreeSet<&String> = t
                .foreign_keys
                .values()
                .filter_map(|fk| fk.columns.first())
                .collect();
            t.indexes
                .iter()
                .find(|(_, cols)| !fk_columns.contains(&cols[0]))
                .map(|(index, _)| (name.clone(), index.clone()))
        })
        .expect("some index leads no foreign key");
    let q = |name: &str| match backend {
        Backend::MySql => format!("`{name}`"),
        _ => format!("\"{name}\""),
    };
    let drop_index = match backend {
        Backend::MySql => format!("DROP INDEX {} ON {}", q(&index), q(&table)),
        _ => format!("DROP INDEX {}", q(&index)),
    };
    let change_type = match backend {
        Backend::Postgres => {
            vec!["ALTER TABLE plugins ALTER COLUMN error_message TYPE varchar(100)".to_owned()]
        }
        Backend::MySql => {
            vec!["ALTER TABLE plugins MODIFY error_message varchar(100) NULL".to_owned()]
        }
        // SQLite cannot change a column's type in place: what an ALTER would amount to.
        Backend::Sqlite => vec![
            "ALTER TABLE plugins RENAME COLUMN error_message TO error_message_old".to_owned(),
            "ALTER TABLE plugins ADD COLUMN error_message varchar(100)".to_owned(),
            "UPDATE plugins SET error_message = error_message_old".to_owned(),
            "ALTER TABLE plugins DROP COLUMN error_message_old".to_owned(),
        ],
    };
    let trigger = catalog
        .triggers
        .iter()
        .find(|t| t.starts_with("users."))
        .map(|t| t.split_once('.').unwrap().1.to_owned());
    let drop_trigger = match backend {
        Backend::Postgres => vec![format!("DROP TRIGGER {} ON users", q(&trigger.unwrap()))],
        Backend::Sqlite => vec![format!("DROP TRIGGER {}", q(&trigger.unwrap()))],
        // The MySQL family keeps updated_at with ON UPDATE on the column, not a trigger.
        Backend::MySql => vec![
            "ALTER TABLE users MODIFY updated_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)"
                .to_owned(),
        ],
    };
    let trigger_line = match backend {
        Backend::MySql => "different column users.updated_at",
        _ => "missing trigger users.",
    };
    (
        Changes {
            drop_index: (drop_index, format!("missing index {table}.{index}"), table),
            add_column: "ALTER TABLE users ADD COLUMN nickname_by_hand text".into(),
            change_type,
            drop_view: "DROP VIEW user_summary_stats".into(),
            drop_trigger,
        },
        [
            "extra column users.nickname_by_hand",
            "different column plugins.error_message",
            "missing view user_summary_stats",
            trigger_line,
        ],
    )
}

// Each change made by hand is named, in its group, and verify exits 1; earlier changes stay
// reported. PostgreSQL also loses an enum value.
on_every_backend!(each_change_by_hand_is_named, each_change_by_hand_is_named);
async fn each_change_by_hand_is_named(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let catalog = catalog::read(&t.db).await;
    let (c, lines) = changes(backend, &catalog);
    let groups = learndb::groups::Groups::of(t.db_backend()).await.unwrap();
    let index_group = groups.group_of(&c.drop_index.2).unwrap();
    let mut steps: Vec<(Vec<String>, String, &str)> = vec![
        (
            vec![c.drop_index.0.clone()],
            c.drop_index.1.clone(),
            &index_group,
        ),
        (vec![c.add_column.clone()], lines[0].into(), "users"),
        (c.change_type.clone(), lines[1].into(), "plugins"),
        (vec![c.drop_view.clone()], lines[2].into(), "views"),
        (
            c.drop_trigger.clone(),
            lines[3].into(),
            if backend == Backend::MySql {
                "users"
            } else {
                "triggers"
            },
        ),
    ];
    if backend == Backend::Postgres {
        let (name, labels) = catalog.enums.iter().find(|(_, l)| l.len() > 2).unwrap();
        let label = labels.last().unwrap();
        steps.push((
            vec![format!(
                "DELETE FROM pg_enum WHERE enumtypid = '\"{name}\"'::regtype AND enumlabel = '{label}'"
            )],
            format!("different enum {name}: expected {}, found", labels.join(", ")),
            "",
        ));
    }
    let mut seen = Vec::new();
    for (sql, line, group) in steps {
        for statement in &sql {
            t.exec(statement)
                .await
                .unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
        let o = verify(&t.url, &[]);
        assert_eq!(o.status.code(), Some(1), "after {sql:?}:\n{}", show(&o));
        let out = stdout(&o);
        assert!(
            out.contains(&format!("  {line}")),
            "after {sql:?}, no line '{line}':\n{out}"
        );
        if !group.is_empty() {
            let block = out
                .split(&format!("\n{group}: "))
                .nth(1)
                .unwrap_or_default();
            let block: String = block
                .lines()
                .skip(1)
                .take_while(|l| l.starts_with("  "))
                .collect::<Vec<_>>()
                .join("\n");
            assert!(
                block.contains(&line),
                "'{line}' not in group {group}:\n{out}"
            );
        }
        for earlier in &seen {
            assert!(
                out.contains(earlier),
                "'{earlier}' no longer reported:\n{out}"
            );
        }
        let err = stderr(&o);
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.starts_with("error: the schema of "), "{err}");
        seen.push(line);
    }
    // --group narrows the report; an unknown group is bad input.
    let o = verify(&t.url, &["--group", "views", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let doc = drift_json(&o);
    let drift = doc["drift"].as_array().unwrap();
    assert!(
        !drift.is_empty() && drift.iter().all(|d| d["group"] == "views"),
        "{doc}"
    );
    let o = verify(&t.url, &["--group", "nonsense"]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(
        stderr(&o).contains("unknown group 'nonsense'; known: users, content"),
        "{}",
        show(&o)
    );
}

// Production users often may not create databases: the committed catalog needs only reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_who_may_only_read_can_verify() {
    for backend in [Backend::Postgres, Backend::MySql] {
        let t = TestDb::migrated(backend).await;
        let db_name = t.url.rsplit('/').next().unwrap().to_owned();
        let user = format!("ro_{}", &db_name[db_name.len() - 8..]);
        let grants: Vec<String> = match backend {
            Backend::Postgres => vec![
                format!("CREATE ROLE {user} LOGIN NOCREATEDB"),
                format!("GRANT USAGE ON SCHEMA public TO {user}"),
                format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {user}"),
            ],
            _ => vec![
                format!("CREATE USER '{user}'@'%' IDENTIFIED BY 'Pw!#$%&*+,;=?@[]'"),
                format!("GRANT SELECT ON `{db_name}`.* TO '{user}'@'%'"),
            ],
        };
        for g in &grants {
            t.exec(g).await.unwrap_or_else(|e| panic!("{g}: {e}"));
        }
        let url = match backend {
            Backend::Postgres => t
                .url
                .replacen("postgres:postgres@", &format!("{user}@"), 1)
                .replacen("postgres@", &format!("{user}@"), 1),
            _ => t.url.replacen(
                "root@",
                &format!("{user}:Pw%21%23%24%25%26%2A%2B%2C%3B%3D%3F%40%5B%5D@"),
                1,
            ),
        };
        assert!(url.contains(&user), "{url}");
        let o = verify(&url, &[]);
        // A scratch reference needs CREATE DATABASE: refused with one line that says so.
        let scratch = verify(&url, &["--reference", "scratch"]);
        let cleanup = match backend {
            Backend::Postgres => vec![
                format!("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {user}"),
                format!("REVOKE ALL ON SCHEMA public FROM {user}"),
                format!("DROP ROLE {user}"),
            ],
            _ => vec![format!("DROP USER '{user}'@'%'")],
        };
        for c in &cleanup {
            t.exec(c).await.ok();
        }
        assert!(o.status.success(), "{backend:?}: {}", show(&o));
        assert!(stdout(&o).contains("No drift"), "{}", show(&o));
        assert!(
            !format!("{}{}", stdout(&o), stderr(&o)).contains("Pw!"),
            "{}",
            show(&o)
        );
        assert_eq!(scratch.status.code(), Some(1), "{}", show(&scratch));
        assert!(
            stderr(&scratch).contains("needs CREATE DATABASE"),
            "{}",
            show(&scratch)
        );
        assert_eq!(
            stderr(&scratch).trim().lines().count(),
            1,
            "{}",
            show(&scratch)
        );
    }
}

// The scratch reference (for engines without a committed catalog) agrees with the committed one
// and finds the same drift.
on_every_backend!(
    a_scratch_reference_agrees_with_the_committed_one,
    a_scratch_reference_agrees_with_the_committed_one
);
async fn a_scratch_reference_agrees_with_the_committed_one(backend: Backend) {
    let t = TestDb::new(backend).await;
    t.migrate(Selection::To("enrollments".into())).await;
    let o = verify(&t.url, &["--reference", "scratch"]);
    assert!(o.status.success(), "{}", show(&o));
    assert!(
        stdout(&o).contains("a scratch database migrated on this"),
        "{}",
        show(&o)
    );
    t.exec("ALTER TABLE users ADD COLUMN nickname_by_hand text")
        .await
        .unwrap();
    let scratch = verify(&t.url, &["--reference", "scratch", "--json"]);
    let committed = verify(&t.url, &["--reference", "snapshot", "--json"]);
    assert_eq!(scratch.status.code(), Some(1), "{}", show(&scratch));
    assert_eq!(
        drift_json(&scratch)["drift"],
        drift_json(&committed)["drift"]
    );
    // Nothing of the scratch database is left.
    if backend != Backend::Sqlite {
        let list = match backend {
            Backend::Postgres => {
                "SELECT datname AS name FROM pg_database WHERE datname LIKE 'learndb_verify_%'"
            }
            _ => {
                "SELECT CAST(SCHEMA_NAME AS CHAR) AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'learndb_verify_%'"
            }
        };
        let left = t.query_strings(list, "name").await;
        let own = format!("learndb_verify_{}", std::process::id());
        assert!(!left.iter().any(|n| n.starts_with(&own)), "{left:?}");
    }
}

// diff between a database at `enrollments` (4 migrations) and one fully migrated lists exactly
// the objects migrations 5 to 19 create, as "only in B".
on_every_backend!(
    diff_shows_what_the_migrations_between_two_versions_create,
    diff_shows_what_the_migrations_between_two_versions_create
);
async fn diff_shows_what_the_migrations_between_two_versions_create(backend: Backend) {
    let a = TestDb::new(backend).await;
    a.migrate(Selection::To("enrollments".into())).await;
    let b = TestDb::migrated(backend).await;
    let o = learndb(&["diff", &a.url, &b.url, "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", show(&o));
    let doc = drift_json(&o);
    let (only_b, other): (Vec<&serde_json::Value>, Vec<&serde_json::Value>) = doc["drift"]
        .as_array()
        .unwrap()
        .iter()
        .partition(|d| d["change"] == "extra");
    // What migrations 5-19 create, from the committed catalog (itself checked above), minus
    // what changes objects that already existed (new foreign keys on old tables are new objects
    // too, so they are in the set; changed values would be "different").
    let (_, flavor) = engine(backend);
    let snapshot = Snapshot::committed(flavor).unwrap().unwrap();
    let names = migration_names();
    let first: BTreeSet<String> = names[..4].iter().cloned().collect();
    let all: BTreeSet<String> = names.iter().cloned().collect();
    let (before, after): (Objects, Objects) = (snapshot.at(&first), snapshot.at(&all));
    let created: BTreeSet<String> = after
        .keys()
        .filter(|k| !before.contains_key(*k))
        .cloned()
        .collect();
    let listed: BTreeSet<String> = only_b
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["kind"].as_str().unwrap(),
                d["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(listed, created);
    let changed: BTreeSet<String> = after
        .iter()
        .filter(|(k, v)| before.get(*k).is_some_and(|old| old != *v))
        .map(|(k, _)| k.clone())
        .collect();
    let listed_changed: BTreeSet<String> = other
        .iter()
        .map(|d| {
            format!(
                "{} {}",
                d["kind"].as_str().unwrap(),
                d["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        listed_changed, changed,
        "only 'extra' and 'different' expected: {other:?}"
    );
    // Same database twice: no difference, exit 0; and the text names both sides.
    let o = learndb(&["diff", &b.url, &b.url]);
    assert!(o.status.success(), "{}", show(&o));
    assert!(
        stdout(&o).contains(&format!("No difference: {} tables", schema_tables())),
        "{}",
        show(&o)
    );
    let o = learndb(&["diff", &a.url, &b.url]);
    assert!(
        stdout(&o).contains("  only in B: table quizzes"),
        "{}",
        show(&o)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_refuses_two_engines_and_bad_urls_with_one_line() {
    let pg = TestDb::new(Backend::Postgres).await;
    let sqlite = TestDb::new(Backend::Sqlite).await;
    let o = learndb(&["diff", &pg.url, &sqlite.url]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(
        stderr(&o).contains("diff compares two databases of the same engine"),
        "{}",
        show(&o)
    );
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", show(&o));
    let o = learndb(&["diff", "postgres://u:S3cr3t!@127.0.0.1:1/x", &pg.url]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(
        !format!("{}{}", stdout(&o), stderr(&o)).contains("S3cr3t"),
        "{}",
        show(&o)
    );
    let o = learndb(&["verify", "-u", "mysql://root:S3cr3t!@127.0.0.1:1/x"]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
    assert!(
        !format!("{}{}", stdout(&o), stderr(&o)).contains("S3cr3t"),
        "{}",
        show(&o)
    );
    let o = learndb(&["verify", "-u", &pg.url, "--reference", "nonsense"]);
    assert_eq!(o.status.code(), Some(2), "{}", show(&o));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flatten_of_a_migrated_catalog_is_the_committed_one_at_every_step() {
    // The library path the command takes: flatten(read) == snapshot.at(applied), step by step on
    // SQLite (the fastest), so a replay bug cannot hide behind the full-schema case.
    let t = TestDb::new(Backend::Sqlite).await;
    let snapshot = Snapshot::committed(Flavor::Sqlite).unwrap().unwrap();
    let mut applied = BTreeSet::new();
    for name in migration_names() {
        t.migrate(Selection::To(name.clone())).await;
        applied.insert(name.clone());
        let live = flatten(&catalog::read(&t.db).await);
        let expected = snapshot.at(&applied);
        assert_eq!(live, expected, "after {name}");
    }
    assert!(t.db.execute_unprepared("SELECT 1").await.is_ok());
}
