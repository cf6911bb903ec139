//! The seed migration's reference rows (SPEC.md §21, §17.6 "Idempotent seed inserts"), read back
//! from every backend: after a full migrate the 16 rows hold exactly the spec's values; running
//! the seed's `up()` again leaves rows that exist (even edited ones) alone and adds no duplicates;
//! its `down()` removes exactly its own rows, but not a preset a user has taken over nor anything
//! a user created, and `up()` then restores them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::factories::users::{user, user_preference};
use common::factories::writing::{page_size_preset, template_preset};
use common::rows::{Row, dec, enum_value, short};
use common::{Backend, TestDb};
use migration::{MigrationTrait, Migrator, MigratorTrait, SchemaManager};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, QueryResult};
use serde_json::{Value, json};
use uuid::Uuid;

on_every_backend!(
    seed_holds_the_16_reference_rows_of_the_spec,
    seed_holds_the_16_reference_rows_of_the_spec
);
on_every_backend!(
    seed_up_again_keeps_existing_rows_and_adds_no_duplicates,
    seed_up_again_keeps_existing_rows_and_adds_no_duplicates
);
on_every_backend!(
    seed_down_removes_only_its_system_rows_and_up_restores_them,
    seed_down_removes_only_its_system_rows_and_up_restores_them
);

on_every_backend!(
    rolling_back_the_seed_says_first_which_rows_go_and_up_brings_the_reference_rows_back,
    rolling_back_the_seed_says_first_which_rows_go_and_up_brings_the_reference_rows_back
);

const fn seed_id(n: u128) -> Uuid {
    Uuid::from_u128(0x00000000_0000_7000_8000_000000000000 | n)
}

const A5: Uuid = seed_id(0x101);
const A4: Uuid = seed_id(0x102);
const LETTER: Uuid = seed_id(0x103);
const LEGAL: Uuid = seed_id(0x104);
const ANONYMOUS: Uuid = Uuid::nil();

/// The seed's tables and how many rows it puts in each: 4 + 3 + 3 + 1 + 5 = 16.
const SEEDED: [(&str, i64); 5] = [
    ("page_size_presets", 4),
    ("template_presets", 3),
    ("practice_strategies", 3),
    ("users", 1),
    ("user_preferences", 5),
];

async fn seed_holds_the_16_reference_rows_of_the_spec(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    assert_eq!(counts(&t).await, seeded(0), "{b:?}: rows after migrate");

    // page_size_presets: real ISO 216 and ANSI sizes in mm, system-owned, A4 the only default.
    let presets = by_id(
        &t,
        Query::select()
            .columns(cols(&[
                "id",
                "name",
                "width",
                "height",
                "is_active",
                "is_default",
            ]))
            .expr_as(as_text(b, "unit"), Alias::new("unit"))
            .expr_as(is_null("created_by"), Alias::new("system"))
            .from(Alias::new("page_size_presets"))
            .to_owned(),
    )
    .await;
    let expected = [
        (A5, "A5", "148.00", "210.00", false),
        (A4, "A4", "210.00", "297.00", true),
        (LETTER, "Letter", "215.90", "279.40", false),
        (LEGAL, "Legal", "215.90", "355.60", false),
    ];
    assert_eq!(presets.len(), expected.len(), "{b:?}: page sizes");
    for (id, name, width, height, is_default) in expected {
        let row = presets
            .get(&id)
            .unwrap_or_else(|| panic!("{b:?}: no page size {id}"));
        assert_eq!(get::<String>(row, "name"), name, "{b:?}: {id}");
        assert_eq!(get::<Decimal>(row, "width"), dec(width), "{b:?}: {name}");
        assert_eq!(get::<Decimal>(row, "height"), dec(height), "{b:?}: {name}");
        assert_eq!(get::<String>(row, "unit"), "mm", "{b:?}: {name}");
        assert!(get::<bool>(row, "is_active"), "{b:?}: {name} inactive");
        assert_eq!(get::<bool>(row, "is_default"), is_default, "{b:?}: {name}");
        assert_eq!(get::<i32>(row, "system"), 1, "{b:?}: {name} has an owner");
    }

    // template_presets: the listed columns, on A4; every other column takes its default.
    let templates = by_id(
        &t,
        Query::select()
            .columns(cols(&[
                "id",
                "name",
                "description",
                "page_size_preset_id",
                "margin_top",
                "margin_right",
                "margin_bottom",
                "margin_left",
                "line_height",
                "global_scale",
                "horizontal_stretch",
                "empty_line_spacing",
                "auto_size",
                "manual_size_scale",
                "background_color",
                "denoise",
                "character_width",
                "wrap_ratio",
                "wrap_utilization",
                "use_chunked_generation",
                "adaptive_chunking",
                "words_per_chunk",
                "chunk_spacing",
                "is_active",
            ]))
            .expr_as(as_text(b, "orientation"), Alias::new("orientation"))
            .expr_as(as_text(b, "margin_unit"), Alias::new("margin_unit"))
            .expr_as(
                as_text(b, "line_height_unit"),
                Alias::new("line_height_unit"),
            )
            .expr_as(as_text(b, "text_alignment"), Alias::new("text_alignment"))
            .expr_as(
                as_text(b, "adaptive_strategy"),
                Alias::new("adaptive_strategy"),
            )
            .expr_as(is_null("max_line_width"), Alias::new("no_max_line_width"))
            .expr_as(is_null("biases"), Alias::new("no_biases"))
            .expr_as(is_null("created_by"), Alias::new("system"))
            .from(Alias::new("template_presets"))
            .to_owned(),
    )
    .await;
    let expected = [
        (
            seed_id(0x201),
            "Standard Handwriting",
            "Default handwriting style with standard spacing",
            "15",
            "8.0",
            "1.0",
        ),
        (
            seed_id(0x202),
            "Compact Notes",
            "Smaller text with tighter spacing for note-taking",
            "10",
            "6.0",
            "0.8",
        ),
        (
            seed_id(0x203),
            "Large Print",
            "Larger, more readable text with generous spacing",
            "20",
            "10.0",
            "1.2",
        ),
    ];
    assert_eq!(templates.len(), expected.len(), "{b:?}: templates");
    for (id, name, description, margin, line_height, global_scale) in expected {
        let row = templates
            .get(&id)
            .unwrap_or_else(|| panic!("{b:?}: no template {id}"));
        assert_eq!(get::<String>(row, "name"), name, "{b:?}: {id}");
        assert_eq!(get::<String>(row, "description"), description, "{b:?}");
        assert_eq!(get::<Option<Uuid>>(row, "page_size_preset_id"), Some(A4));
        for side in ["margin_top", "margin_right", "margin_bottom", "margin_left"] {
            assert_eq!(
                get::<Decimal>(row, side),
                dec(margin),
                "{b:?}: {name} {side}"
            );
        }
        let decimals = [
            ("line_height", line_height),
            ("global_scale", global_scale),
            ("horizontal_stretch", "1.0"),
            // Defaults.
            ("empty_line_spacing", "0"),
            ("manual_size_scale", "1.0"),
            ("character_width", "5.0"),
            ("wrap_ratio", "0"),
            ("wrap_utilization", "0.9"),
            ("chunk_spacing", "0"),
        ];
        for (column, value) in decimals {
            assert_eq!(
                get::<Decimal>(row, column),
                dec(value),
                "{b:?}: {name} {column}"
            );
        }
        let texts = [
            ("orientation", "portrait"),
            ("text_alignment", "left"),
            ("margin_unit", "mm"),
            ("line_height_unit", "mm"),
            ("adaptive_strategy", "balanced"),
            ("background_color", "#ffffff"),
        ];
        for (column, value) in texts {
            assert_eq!(get::<String>(row, column), value, "{b:?}: {name} {column}");
        }
        let flags = [
            ("auto_size", false),
            ("denoise", false),
            ("use_chunked_generation", false),
            ("adaptive_chunking", false),
            ("is_active", true),
        ];
        for (column, value) in flags {
            assert_eq!(get::<bool>(row, column), value, "{b:?}: {name} {column}");
        }
        assert_eq!(get::<i32>(row, "words_per_chunk"), 5, "{b:?}: {name}");
        for column in ["no_max_line_width", "no_biases", "system"] {
            assert_eq!(get::<i32>(row, column), 1, "{b:?}: {name} {column}");
        }
    }

    // practice_strategies: KG's three rows, config as JSON.
    let strategies = by_id(
        &t,
        Query::select()
            .columns(cols(&[
                "id",
                "name",
                "description",
                "config",
                "is_active",
                "priority",
            ]))
            .expr_as(as_text(b, "strategy_type"), Alias::new("strategy_type"))
            .from(Alias::new("practice_strategies"))
            .to_owned(),
    )
    .await;
    let expected = [
        (
            seed_id(0x301),
            "Quick Practice",
            "QUICK_PRACTICE",
            "Fast-paced practice session for quick review",
            json!({"time_limit": 15, "question_count": 10}),
            1,
        ),
        (
            seed_id(0x302),
            "Weakness Reinforcement",
            "WEAKNESS_REINFORCEMENT",
            "Focus on areas where you need improvement",
            json!({"threshold": 60, "min_attempts": 3}),
            2,
        ),
        (
            seed_id(0x303),
            "Mistake Reinforcement",
            "MISTAKE_REINFORCEMENT",
            "Review and practice previously incorrect answers",
            json!({"review_interval_days": 3, "max_reviews": 5}),
            3,
        ),
    ];
    assert_eq!(strategies.len(), expected.len(), "{b:?}: strategies");
    for (id, name, strategy_type, description, config, priority) in expected {
        let row = strategies
            .get(&id)
            .unwrap_or_else(|| panic!("{b:?}: no strategy {id}"));
        assert_eq!(get::<String>(row, "name"), name, "{b:?}: {id}");
        assert_eq!(get::<String>(row, "strategy_type"), strategy_type, "{b:?}");
        assert_eq!(get::<String>(row, "description"), description, "{b:?}");
        assert_eq!(get::<Value>(row, "config"), config, "{b:?}: {name}");
        assert!(get::<bool>(row, "is_active"), "{b:?}: {name} inactive");
        assert_eq!(get::<i32>(row, "priority"), priority, "{b:?}: {name}");
    }

    // The anonymous user: the nil UUID, no email and no password, so nobody can log in as it.
    let users = by_id(
        &t,
        Query::select()
            .columns(cols(&[
                "id",
                "username",
                "full_name",
                "email",
                "password_hash",
                "password_salt",
                "is_active",
            ]))
            .expr_as(as_text(b, "role"), Alias::new("role"))
            .from(Alias::new("users"))
            .to_owned(),
    )
    .await;
    let anonymous = users.get(&ANONYMOUS).expect("the anonymous user");
    assert_eq!(get::<String>(anonymous, "username"), "anonymous");
    assert_eq!(get::<String>(anonymous, "full_name"), "Anonymous User");
    for column in ["email", "password_hash", "password_salt"] {
        assert_eq!(
            get::<Option<String>>(anonymous, column),
            None,
            "{b:?}: {column}"
        );
    }
    assert_eq!(get::<String>(anonymous, "role"), "student", "{b:?}");
    assert!(
        get::<bool>(anonymous, "is_active"),
        "{b:?}: anonymous inactive"
    );

    // Its KG preferences, one row per top-level key.
    let preferences = by_id(
        &t,
        Query::select()
            .columns(cols(&[
                "id",
                "user_id",
                "preference_key",
                "preference_value",
            ]))
            .from(Alias::new("user_preferences"))
            .to_owned(),
    )
    .await;
    let expected = [
        (seed_id(0x401), "theme", json!("light")),
        (seed_id(0x402), "language", json!("zh-CN")),
        (seed_id(0x403), "notifications", json!(false)),
        (seed_id(0x404), "autoSave", json!(true)),
        (
            seed_id(0x405),
            "practiceSettings",
            json!({
                "defaultQuestionCount": 20,
                "defaultTimeLimit": 30,
                "showAnswerImmediately": true,
                "enableSoundEffects": false
            }),
        ),
    ];
    assert_eq!(preferences.len(), expected.len(), "{b:?}: preferences");
    for (id, key, value) in expected {
        let row = preferences
            .get(&id)
            .unwrap_or_else(|| panic!("{b:?}: no preference {id}"));
        assert_eq!(get::<Uuid>(row, "user_id"), ANONYMOUS, "{b:?}: {key}");
        assert_eq!(get::<String>(row, "preference_key"), key, "{b:?}: {id}");
        assert_eq!(get::<Value>(row, "preference_value"), value, "{b:?}: {key}");
    }
}

async fn seed_up_again_keeps_existing_rows_and_adds_no_duplicates(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;

    // Hand edits to seed rows, and one seed row gone.
    t.exec("UPDATE page_size_presets SET is_active = false WHERE name = 'A5'")
        .await
        .unwrap();
    t.exec(
        "UPDATE user_preferences SET preference_value = '\"dark\"' WHERE preference_key = 'theme'",
    )
    .await
    .unwrap();
    t.exec("UPDATE practice_strategies SET priority = 7 WHERE name = 'Quick Practice'")
        .await
        .unwrap();
    t.exec("DELETE FROM page_size_presets WHERE name = 'Legal'")
        .await
        .unwrap();

    for run in 1..=2 {
        seed_up(&t).await;
        assert_eq!(
            counts(&t).await,
            seeded(0),
            "{b:?}: rows after re-run {run}"
        );
        for (table, name) in [
            ("page_size_presets", "A5"),
            ("page_size_presets", "Legal"),
            ("practice_strategies", "Quick Practice"),
        ] {
            let n = count(&t, table, Expr::col(Alias::new("name")).eq(name)).await;
            assert_eq!(n, 1, "{b:?}: {table} named {name} after re-run {run}");
        }
    }

    // The edits survive.
    let a5 = one(&t, "page_size_presets", A5, &["is_active"]).await;
    assert!(
        !get::<bool>(&a5, "is_active"),
        "{b:?}: the A5 edit was undone"
    );
    let theme = one(
        &t,
        "user_preferences",
        seed_id(0x401),
        &["preference_value"],
    )
    .await;
    assert_eq!(
        get::<Value>(&theme, "preference_value"),
        json!("dark"),
        "{b:?}"
    );
    let quick = one(&t, "practice_strategies", seed_id(0x301), &["priority"]).await;
    assert_eq!(
        get::<i32>(&quick, "priority"),
        7,
        "{b:?}: the priority edit was undone"
    );
    // The deleted row is back, with its fixed id and values.
    let legal = one(
        &t,
        "page_size_presets",
        LEGAL,
        &["name", "height", "is_active"],
    )
    .await;
    assert_eq!(get::<String>(&legal, "name"), "Legal", "{b:?}");
    assert_eq!(get::<Decimal>(&legal, "height"), dec("355.60"), "{b:?}");
    assert!(get::<bool>(&legal, "is_active"), "{b:?}");
}

async fn seed_down_removes_only_its_system_rows_and_up_restores_them(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let new = Uuid::now_v7;

    // A real user, rows of their own in every seeded table, and two presets they took over.
    let (ada, b5, strategy) = (new(), new(), new());
    insert(&t, user(b, ada)).await;
    insert(&t, page_size_preset(b, b5, ada)).await;
    insert(&t, template_preset(b, new(), b5, ada)).await;
    insert(
        &t,
        Row::new("practice_strategies")
            .with("id", strategy)
            .with("name", format!("Spaced review {}", short(strategy)))
            .with(
                "strategy_type",
                enum_value(b, "practice_strategy_type", "COMPREHENSIVE_REVIEW"),
            )
            .with("config", json!({"interval_days": [1, 3, 7]})),
    )
    .await;
    insert(&t, user_preference(new(), ada)).await;
    for (table, id) in [
        ("page_size_presets", LETTER),
        ("template_presets", seed_id(0x202)),
    ] {
        let take_over = Query::update()
            .table(Alias::new(table))
            .value(Alias::new("created_by"), ada)
            .and_where(Expr::col(Alias::new("id")).eq(id))
            .to_owned();
        t.db.execute(&take_over).await.unwrap();
    }
    assert_eq!(counts(&t).await, seeded(1), "{b:?}: rows before down");

    seed_migration()
        .down(&SchemaManager::new(&t.db))
        .await
        .unwrap_or_else(|e| panic!("{b:?}: seed down failed: {e}"));
    // The user's rows stay, and so do the two presets they took over; nothing else of the seed.
    let after_down = [
        ("page_size_presets", 2),
        ("template_presets", 2),
        ("practice_strategies", 1),
        ("users", 1),
        ("user_preferences", 1),
    ];
    assert_eq!(
        counts(&t).await,
        after_down.to_vec(),
        "{b:?}: rows after down"
    );
    for (table, id) in [
        ("page_size_presets", LETTER),
        ("page_size_presets", b5),
        ("template_presets", seed_id(0x202)),
        ("practice_strategies", strategy),
        ("users", ada),
    ] {
        let n = count(&t, table, Expr::col(Alias::new("id")).eq(id)).await;
        assert_eq!(n, 1, "{b:?}: {table} {id} was removed by down()");
    }
    let n = count(&t, "users", Expr::col(Alias::new("id")).eq(ANONYMOUS)).await;
    assert_eq!(n, 0, "{b:?}: the anonymous user survived down()");

    seed_up(&t).await;
    assert_eq!(counts(&t).await, seeded(1), "{b:?}: rows after down and up");
    // The taken-over preset is still the user's; the restored ones are system rows again.
    let letter = one(&t, "page_size_presets", LETTER, &["created_by"]).await;
    assert_eq!(
        get::<Option<Uuid>>(&letter, "created_by"),
        Some(ada),
        "{b:?}"
    );
    let a4 = one(&t, "page_size_presets", A4, &["is_default", "created_by"]).await;
    assert!(
        get::<bool>(&a4, "is_default"),
        "{b:?}: A4 restored without default"
    );
    assert_eq!(get::<Option<Uuid>>(&a4, "created_by"), None, "{b:?}");
    let n = count(
        &t,
        "page_size_presets",
        Expr::col(Alias::new("is_default")).eq(true),
    )
    .await;
    assert_eq!(n, 1, "{b:?}: default page sizes after down and up");
    let anonymous = one(&t, "users", ANONYMOUS, &["username"]).await;
    assert_eq!(get::<String>(&anonymous, "username"), "anonymous", "{b:?}");
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// The seed migration, found by name in the migration set the runner uses.
fn seed_migration() -> Box<dyn MigrationTrait> {
    Migrator::migrations()
        .into_iter()
        .find(|m| m.name().ends_with("_seed"))
        .expect("a migration named ..._seed")
}

async fn seed_up(t: &TestDb) {
    seed_migration()
        .up(&SchemaManager::new(&t.db))
        .await
        .unwrap_or_else(|e| panic!("{:?}: seed up failed: {e}", t.backend));
}

/// The seeded tables' row counts when `extra` rows of each were added besides the seed's.
fn seeded(extra: i64) -> Vec<(&'static str, i64)> {
    SEEDED.iter().map(|&(t, n)| (t, n + extra)).collect()
}

async fn counts(t: &TestDb) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for (table, _) in SEEDED {
        out.push((table, count(t, table, Expr::cust("1 = 1")).await));
    }
    out
}

async fn count(t: &TestDb, table: &'static str, filter: Expr) -> i64 {
    let query = Query::select()
        .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
        .from(Alias::new(table))
        .and_where(filter)
        .to_owned();
    let row =
        t.db.query_one(&query)
            .await
            .unwrap_or_else(|e| panic!("{:?}: counting {table}: {e}", t.backend))
            .expect("COUNT(*) returns one row");
    get(&row, "n")
}

async fn insert(t: &TestDb, row: Row) {
    t.db.execute(&row.insert())
        .await
        .unwrap_or_else(|e| panic!("{:?}: {}: {e}", t.backend, row.table));
}

/// The rows of a query that selects `id`, by id.
async fn by_id(t: &TestDb, query: SelectStatement) -> BTreeMap<Uuid, QueryResult> {
    t.db.query_all(&query)
        .await
        .unwrap_or_else(|e| panic!("{:?}: {e}", t.backend))
        .into_iter()
        .map(|row| (get::<Uuid>(&row, "id"), row))
        .collect()
}

/// One row's `columns`, by id.
async fn one(t: &TestDb, table: &'static str, id: Uuid, columns: &[&'static str]) -> QueryResult {
    let query = Query::select()
        .columns(cols(columns))
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .to_owned();
    t.db.query_one(&query)
        .await
        .unwrap_or_else(|e| panic!("{:?}: {table}: {e}", t.backend))
        .unwrap_or_else(|| panic!("{:?}: {table} has no row {id}", t.backend))
}

fn cols(names: &[&'static str]) -> Vec<Alias> {
    names.iter().map(|&c| Alias::new(c)).collect()
}

/// An enum column as text: PostgreSQL's native enum types do not decode as strings.
fn as_text(b: Backend, column: &str) -> Expr {
    match b {
        Backend::Postgres => Expr::cust(format!("CAST(\"{column}\" AS text)")),
        Backend::MySql => Expr::cust(format!("CAST(`{column}` AS CHAR)")),
        Backend::Sqlite => Expr::col(Alias::new(column)),
    }
}

/// 1 when `column` is NULL, else 0, as an integer every backend decodes alike.
fn is_null(column: &str) -> Expr {
    Expr::case(Expr::col(Alias::new(column)).is_null(), 1)
        .finally(0)
        .into()
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> T {
    row.try_get::<T>("", column)
        .unwrap_or_else(|e| panic!("reading {column}: {e}"))
}

/// `down` past module 19 deletes the anonymous user (its guest sessions go with it, ON DELETE
/// CASCADE) and the page sizes a user's template points at (unlinked, SET NULL). The command
/// says so with counts before it changes anything (the same lines a terminal sees above its
/// question), and `up` brings the reference rows back.
async fn rolling_back_the_seed_says_first_which_rows_go_and_up_brings_the_reference_rows_back(
    backend: Backend,
) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let new = Uuid::now_v7;
    let ada = new();
    insert(&t, user(b, ada)).await;
    insert(&t, template_preset(b, new(), A4, ada)).await;
    for _ in 0..2 {
        insert(&t, common::factories::users::user_session(new(), ANONYMOUS)).await;
    }
    let before = counts(&t).await;
    let seed = common::migration_of_group("seed");
    let names = common::migration_names();
    let before_seed = &names[names.iter().position(|n| *n == seed).unwrap() - 1];
    let o = common::learndb_migrate(&t.url, &["down", "--to", before_seed, "--yes"], &[]);
    assert!(o.status.success(), "{b:?}: {}", common::show(&o));
    let out = common::stdout(&o);
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("Rows: ")).collect();
    let users_line = format!("Rows: {seed} deletes 1 row of users; ");
    let users = rows
        .iter()
        .find(|l| l.starts_with(&users_line))
        .unwrap_or_else(|| panic!("{b:?}: no line for the anonymous user: {out}"));
    assert!(
        users.contains("deletes 2 rows of user_sessions with them (ON DELETE CASCADE"),
        "{b:?}: {users}"
    );
    let sizes = rows
        .iter()
        .find(|l| l.starts_with(&format!("Rows: {seed} deletes 4 rows of page_size_presets")))
        .unwrap_or_else(|| panic!("{b:?}: no line for the page sizes: {out}"));
    // The three seeded templates went with the statement before; only Ada's is unlinked.
    assert!(
        sizes.contains("sets template_presets.page_size_preset_id to NULL in 1 row"),
        "{b:?}: {sizes}"
    );
    let first_rows = out.find("Rows: ").unwrap();
    let first_change = out.find("Rolled back").unwrap_or(out.len());
    assert!(
        first_rows < first_change,
        "{b:?}: said after the change: {out}"
    );
    assert_eq!(
        count(
            &t,
            "user_sessions",
            Expr::col(Alias::new("user_id")).eq(ANONYMOUS)
        )
        .await,
        0
    );

    let o = common::learndb_migrate(&t.url, &["up"], &[]);
    assert!(o.status.success(), "{b:?}: {}", common::show(&o));
    assert_eq!(counts(&t).await, before, "{b:?}: reference rows after up");
}
