//! The database itself, on every backend, enforces each rule SPEC.md gives the users, content,
//! progress, collaborative and plugins groups (§3, §4, §8, §11, §12, per-backend spellings §17):
//! every named CHECK (`ck_*`), every UNIQUE (`uq_*`), every foreign key, every enum column and the
//! JSON columns; for module 20's tables, also the NOT NULL columns without a default.
//!
//! Each test first inserts a valid row into every table of its group and asserts it is accepted.
//! Each case then inserts a fresh copy of such a row (new id, new unique values) with exactly one
//! thing wrong, and asserts that the database rejects it, that the error names the rule that was
//! broken (where the backend's message names it), and that the table's row count did not change.
//! Finally the unaltered copy is inserted and accepted, so the one bad value is what each case was
//! rejected for. Every statement runs on the pooled connection in autocommit mode, outside any
//! transaction, so a rejection on PostgreSQL cannot poison the statements after it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "constraints/activity.rs"]
mod activity;
#[path = "constraints/adaptive.rs"]
mod adaptive;
#[path = "constraints/analytics.rs"]
mod analytics;
#[path = "constraints/assessments.rs"]
mod assessments;
mod common;
#[path = "constraints/communication.rs"]
mod communication;
#[path = "constraints/courses.rs"]
mod courses;
#[path = "constraints/enrollments.rs"]
mod enrollments;
#[path = "constraints/notifications.rs"]
mod notifications;
#[path = "constraints/payments.rs"]
mod payments;
#[path = "constraints/practice.rs"]
mod practice;
#[path = "constraints/practice_later.rs"]
mod practice_later;
#[path = "constraints/writing.rs"]
mod writing;

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, TimeZone, Utc};
use common::spec::{Spec, SpecTable};
use common::{Backend, TestDb};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use serde_json::json;
use uuid::Uuid;

use common::factories::{collaborative::*, content::*, plugins::*, progress::*, users::*};
use common::rows::{Row, at, dec, enum_value, nobody, not_json};

on_every_backend!(
    users_group_rejects_invalid_rows,
    users_group_rejects_invalid_rows
);
on_every_backend!(
    content_group_rejects_invalid_rows,
    content_group_rejects_invalid_rows
);
on_every_backend!(
    progress_group_rejects_invalid_rows,
    progress_group_rejects_invalid_rows
);
on_every_backend!(
    collaborative_group_rejects_invalid_rows,
    collaborative_group_rejects_invalid_rows
);
on_every_backend!(
    plugins_group_rejects_invalid_rows,
    plugins_group_rejects_invalid_rows
);

/// Whether a backend's error message shows that `rule` rejected the row. SQLite names neither
/// unique indexes nor foreign keys in its messages, and reports an enum column's unnamed
/// `CHECK (col IN (...))` by the column's name; the MySQL family reports a bad enum value as
/// truncated data, and MariaDB's automatic JSON check is named `table.column`.
fn rejected_by(backend: Backend, table: &str, rule: &Rule, message: &str) -> bool {
    let message = message.trim_end();
    match (backend, rule) {
        (Backend::Sqlite, Rule::Check(name)) => {
            message.ends_with(&format!("CHECK constraint failed: {name}"))
        }
        (Backend::Sqlite, Rule::Unique(_)) => {
            message.contains(&format!("UNIQUE constraint failed: {table}."))
        }
        (Backend::Sqlite, Rule::ForeignKey(_)) => {
            message.ends_with("FOREIGN KEY constraint failed")
        }
        (Backend::Sqlite, Rule::Enum { column, .. }) => {
            message.ends_with(&format!("CHECK constraint failed: {column}"))
        }
        // SQLite names `CHECK (json_valid("c"))` by its expression and a nullable column's
        // `CHECK ("c" IS NULL OR json_valid("c"))` (module 21) by the column.
        (Backend::Sqlite, Rule::Json(column)) => {
            message.ends_with(&format!(
                "CHECK constraint failed: json_valid(\"{column}\")"
            )) || message.ends_with(&format!("CHECK constraint failed: {column}"))
        }
        (Backend::Sqlite, Rule::NotNull(column)) => {
            message.ends_with(&format!("NOT NULL constraint failed: {table}.{column}"))
        }
        (Backend::Postgres, Rule::Check(name)) => {
            message.contains(&format!("violates check constraint \"{name}\""))
        }
        (Backend::Postgres, Rule::Unique(name)) => {
            message.contains(&format!("violates unique constraint \"{name}\""))
        }
        (Backend::Postgres, Rule::ForeignKey(name)) => {
            message.contains(&format!("violates foreign key constraint \"{name}\""))
        }
        (Backend::Postgres, Rule::Enum { type_name, .. }) => {
            message.contains(&format!("invalid input value for enum {type_name}:"))
        }
        (Backend::Postgres, Rule::Json(_)) => {
            message.contains("invalid input syntax for type json")
        }
        (Backend::Postgres, Rule::NotNull(column)) => message.contains(&format!(
            "null value in column \"{column}\" of relation \"{table}\" violates not-null constraint"
        )),
        // MariaDB's spelling, then MySQL 8's.
        (Backend::MySql, Rule::Check(name)) => {
            message.contains(&format!("CONSTRAINT `{name}` failed"))
                || message.contains(&format!("Check constraint '{name}' is violated"))
        }
        (Backend::MySql, Rule::Unique(name)) => {
            message.contains("Duplicate entry")
                && (message.contains(&format!("for key '{name}'"))
                    || message.contains(&format!("for key '{table}.{name}'")))
        }
        (Backend::MySql, Rule::ForeignKey(name)) => {
            message.contains(&format!("CONSTRAINT `{name}` FOREIGN KEY"))
        }
        (Backend::MySql, Rule::Enum { column, .. }) => {
            message.contains(&format!("Data truncated for column '{column}'"))
        }
        // MariaDB checks JSON with its automatic `json_valid` constraint; MySQL parses it itself.
        (Backend::MySql, Rule::Json(column)) => {
            message.contains(&format!("CONSTRAINT `{table}.{column}` failed"))
                || message.contains("Invalid JSON text")
        }
        // A column left out of the INSERT: strict mode refuses to make up a value.
        (Backend::MySql, Rule::NotNull(column)) => {
            message.contains(&format!("Field '{column}' doesn't have a default value"))
        }
    }
}

/// The rule a case breaks, as SPEC.md names it.
enum Rule {
    Check(&'static str),
    Unique(&'static str),
    ForeignKey(&'static str),
    Enum {
        column: &'static str,
        type_name: &'static str,
    },
    Json(&'static str),
    /// A NOT NULL column without a default, left out of the row.
    NotNull(&'static str),
}

use Rule::{Check, ForeignKey, Unique};

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Check(name) | Rule::Unique(name) | Rule::ForeignKey(name) => f.write_str(name),
            Rule::Enum { column, type_name } => write!(f, "enum {type_name} ({column})"),
            Rule::Json(column) => write!(f, "JSON column {column}"),
            Rule::NotNull(column) => write!(f, "NOT NULL column {column}"),
        }
    }
}

/// Runs one test's inserts on one database. A valid row that is rejected stops the test at once
/// (the cases built on it would prove nothing); broken rejection cases are collected, so a
/// failing test lists all of them.
struct Cases<'a> {
    t: &'a TestDb,
    failures: Vec<String>,
    rejections: usize,
    /// Every row accepted, in order; the first of each table is used for the `updated_at` check.
    accepted_rows: Vec<Row>,
    /// The rules rejection cases exercised.
    exercised: BTreeSet<String>,
}

impl<'a> Cases<'a> {
    fn new(t: &'a TestDb) -> Self {
        Cases {
            t,
            failures: Vec::new(),
            rejections: 0,
            accepted_rows: Vec::new(),
            exercised: BTreeSet::new(),
        }
    }

    fn backend(&self) -> Backend {
        self.t.backend
    }

    async fn count(&self, table: &'static str) -> i64 {
        let query = Query::select()
            .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
            .from(Alias::new(table))
            .to_owned();
        self.t
            .db
            .query_one(&query)
            .await
            .unwrap_or_else(|e| panic!("{:?}: counting {table}: {e}", self.backend()))
            .expect("COUNT(*) returns one row")
            .try_get::<i64>("", "n")
            .unwrap()
    }

    /// Inserts a row that must be accepted, and returns it for the cases that refer to it.
    async fn accepted(&mut self, row: Row) -> Row {
        let backend = self.backend();
        let before = self.count(row.table).await;
        if let Err(e) = self.t.db.execute(&row.insert()).await {
            panic!("{backend:?}: {}: a valid row was rejected: {e}", row.table);
        }
        let after = self.count(row.table).await;
        assert_eq!(
            after,
            before + 1,
            "{backend:?}: {}: a valid row was accepted but the row count went from {before} to {after}",
            row.table
        );
        self.accepted_rows.push(row.clone());
        row
    }

    /// Inserts a row that breaks `rule` and must be rejected for it, leaving the table as it was.
    async fn rejected(&mut self, row: Row, rule: Rule, case: &str) {
        let backend = self.backend();
        let table = row.table;
        self.rejections += 1;
        if let Rule::Check(name) | Rule::Unique(name) | Rule::ForeignKey(name) = &rule {
            self.exercised.insert((*name).to_owned());
        }
        let before = self.count(table).await;
        let result = self.t.db.execute(&row.insert()).await;
        let after = self.count(table).await;
        let label = format!("{backend:?} {table} [{case}]");
        match result {
            Ok(_) => self
                .failures
                .push(format!("{label}: accepted, but {rule} must reject it")),
            Err(e) => {
                let message = e.to_string();
                if !rejected_by(backend, table, &rule, &message) {
                    self.failures
                        .push(format!("{label}: rejected, but not by {rule}: {message}"));
                }
            }
        }
        if after != before {
            self.failures.push(format!(
                "{label}: the row count changed from {before} to {after}"
            ));
        }
    }

    /// A value outside `type_name` in an enum column.
    async fn rejects_enum(
        &mut self,
        row: Row,
        column: &'static str,
        type_name: &'static str,
        value: &'static str,
    ) {
        let row = row.with(column, enum_value(self.backend(), type_name, value));
        let case = format!("{column} = '{value}', not a {type_name}");
        self.rejected(row, Rule::Enum { column, type_name }, &case)
            .await;
    }

    /// Text that is not JSON in a JSON column.
    async fn rejects_json(&mut self, row: Row, column: &'static str) {
        let row = row.with(column, not_json(self.backend(), "{\"unterminated\": [1, 2"));
        let case = format!("{column} is not a JSON document");
        self.rejected(row, Rule::Json(column), &case).await;
    }

    /// A NOT NULL column without a default left out of the row.
    async fn rejects_missing(&mut self, row: Row, column: &'static str) {
        let case = format!("{column} left out");
        self.rejected(row.without(column), Rule::NotNull(column), &case)
            .await;
    }

    /// Fails the test with every broken case, after two checks over the tables of `module`
    /// (SPEC.md §1): each named CHECK, UNIQUE and foreign key of those modules has a rejection case (on MySQL
    /// except the PG/SQLite-only checks, SPEC.md §17.5), and `updated_at` maintenance works on
    /// each of their tables that has the column (SPEC.md §19): an UPDATE that sets `updated_at`
    /// keeps that value, and one that leaves it alone moves it.
    async fn finish(mut self, module: &str) {
        let spec = Spec::load();
        let modules = BTreeSet::from([module]);
        let mysql = self.backend() == Backend::MySql;
        let mut missing = Vec::new();
        for table in spec
            .tables
            .iter()
            .filter(|t| modules.contains(t.module.as_str()))
        {
            let rules = table
                .checks
                .iter()
                .filter(|c| !(mysql && c.pg_sqlite_only))
                .map(|c| &c.name)
                .chain(table.uniques.iter().map(|u| &u.name))
                .chain(table.fks.iter().map(|f| &f.name));
            missing.extend(rules.filter(|r| !self.exercised.contains(*r)).cloned());
            if spec.trigger_tables.contains(&table.name) {
                self.check_updated_at(table).await;
            }
        }
        if !missing.is_empty() {
            self.failures.push(format!(
                "no rejection case for {} rule(s) of module(s) {modules:?}: {missing:?}",
                missing.len()
            ));
        }
        assert!(
            self.failures.is_empty(),
            "{:?}: {} of {} rejection cases failed:\n  {}",
            self.backend(),
            self.failures.len(),
            self.rejections,
            self.failures.join("\n  ")
        );
    }

    /// On the first accepted row of `table`: an UPDATE that sets `updated_at` keeps the value it
    /// set; an UPDATE of another column (here `created_at`) moves `updated_at` to the present.
    async fn check_updated_at(&mut self, table: &SpecTable) {
        let backend = self.backend();
        let name = table.name.as_str();
        let key = table.pk_on(backend == Backend::Postgres)[0].as_str();
        let Some(row) = self.accepted_rows.iter().find(|r| r.table == name) else {
            self.failures.push(format!(
                "{name}: no valid row was inserted, so updated_at is untested"
            ));
            return;
        };
        let id = row.get(key);
        let explicit = Utc.with_ymd_and_hms(2001, 1, 1, 0, 0, 0).unwrap();
        let earlier = Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap();
        let update = |column: &str, value: DateTime<Utc>| {
            Query::update()
                .table(Alias::new(name))
                .value(Alias::new(column), value)
                .and_where(Expr::col(Alias::new(key)).eq(id.clone()))
                .to_owned()
        };
        let matching = |condition: Expr| {
            Query::select()
                .expr_as(Expr::cust("COUNT(*)"), Alias::new("n"))
                .from(Alias::new(name))
                .and_where(Expr::col(Alias::new(key)).eq(id.clone()))
                .and_where(condition)
                .to_owned()
        };
        let db = &self.t.db;
        let count = async |query: sea_orm::sea_query::SelectStatement| -> i64 {
            db.query_one(&query)
                .await
                .unwrap_or_else(|e| panic!("{backend:?}: {name}: {e}"))
                .expect("COUNT(*) returns one row")
                .try_get::<i64>("", "n")
                .unwrap()
        };
        if let Err(e) = db.execute(&update("updated_at", explicit)).await {
            self.failures.push(format!(
                "{backend:?} {name}: setting updated_at failed: {e}"
            ));
            return;
        }
        let kept = Expr::col(Alias::new("updated_at")).eq(explicit);
        if count(matching(kept)).await != 1 {
            self.failures.push(format!(
                "{backend:?} {name}: an UPDATE that set updated_at did not keep the value it set"
            ));
        }
        if let Err(e) = db.execute(&update("created_at", earlier)).await {
            self.failures.push(format!(
                "{backend:?} {name}: updating created_at failed: {e}"
            ));
            return;
        }
        let moved = Expr::col(Alias::new("updated_at")).gt(explicit);
        if count(matching(moved)).await != 1 {
            self.failures.push(format!(
                "{backend:?} {name}: an UPDATE of another column left updated_at where it was"
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The five groups.

async fn users_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    // The valid rows: two users (one without a profile yet), and one row per table for the first.
    let (ada, bob) = (new(), new());
    let ada_row = c.accepted(user(b, ada)).await;
    c.accepted(user(b, bob).without("email")).await;
    c.accepted(user_profile(b, new(), ada)).await;
    let session = c.accepted(user_session(new(), ada)).await;
    let preference = c.accepted(user_preference(new(), ada)).await;

    // users
    let fresh = || user(b, new());
    c.rejected(
        fresh().without("email").without("username"),
        Check("ck_users_login_identifier"),
        "neither email nor username",
    )
    .await;
    for email in ["not-an-email", "user@example", "@example.com"] {
        let case = format!("malformed email {email:?}");
        let row = fresh().with("email", email);
        c.rejected(row, Check("ck_users_email_format"), &case).await;
    }
    c.rejected(
        fresh().with("country_code", "G"),
        Check("ck_users_country_code"),
        "one-letter country code",
    )
    .await;
    c.rejected(
        fresh().with("failed_login_attempts", -1),
        Check("ck_users_counters"),
        "negative failed_login_attempts",
    )
    .await;
    c.rejected(
        fresh().with("login_count", -1),
        Check("ck_users_counters"),
        "negative login_count",
    )
    .await;
    c.rejected(
        fresh().with("email", ada_row.get("email")),
        Unique("uq_users_email"),
        "duplicate email",
    )
    .await;
    c.rejected(
        fresh().with("username", ada_row.get("username")),
        Unique("uq_users_username"),
        "duplicate username",
    )
    .await;
    c.rejects_enum(fresh(), "role", "role", "superuser").await;
    c.rejects_enum(fresh(), "content_role", "content_role", "editor")
        .await;
    c.rejects_json(fresh(), "metadata").await;
    c.accepted(fresh()).await;

    // user_profiles: copies belong to bob, who has no profile yet.
    let fresh = || user_profile(b, new(), bob);
    for language in ["EN", "en-gb", "EN-GB", "eng", "en_GB"] {
        let case = format!("language {language:?}");
        let row = fresh().with("language", language);
        c.rejected(row, Check("ck_user_profiles_language"), &case)
            .await;
    }
    c.rejected(
        fresh().with("user_id", ada),
        Unique("uq_user_profiles_user_id"),
        "second profile for a user",
    )
    .await;
    c.rejected(
        fresh().with("user_id", nobody()),
        ForeignKey("fk_user_profiles_user_id"),
        "orphan user_id",
    )
    .await;
    c.rejects_enum(fresh(), "skill_level", "skill_level", "guru")
        .await;
    c.rejects_json(fresh(), "privacy_settings").await;
    c.accepted(fresh().with("language", "de")).await;

    // user_sessions
    let fresh = || user_session(new(), ada);
    c.rejected(
        fresh().with("expires_at", at(0)),
        Check("ck_user_sessions_expiry"),
        "expires_at equal to created_at",
    )
    .await;
    c.rejected(
        fresh().with("expires_at", at(-1)),
        Check("ck_user_sessions_expiry"),
        "expires_at before created_at",
    )
    .await;
    c.rejected(
        fresh().with("session_token", session.get("session_token")),
        Unique("uq_user_sessions_session_token"),
        "duplicate session_token",
    )
    .await;
    c.rejected(
        fresh().with("user_id", nobody()),
        ForeignKey("fk_user_sessions_user_id"),
        "orphan user_id",
    )
    .await;
    c.accepted(fresh()).await;

    // user_preferences
    let fresh = || user_preference(new(), ada);
    c.rejected(
        fresh().with("preference_key", preference.get("preference_key")),
        Unique("uq_user_preferences_user_key"),
        "duplicate key for the same user",
    )
    .await;
    c.rejected(
        fresh().with("user_id", nobody()),
        ForeignKey("fk_user_preferences_user_id"),
        "orphan user_id",
    )
    .await;
    c.rejects_json(fresh(), "preference_value").await;
    c.accepted(
        fresh()
            .with("preference_key", preference.get("preference_key"))
            .with("user_id", bob),
    )
    .await;

    c.finish("users").await;
}

async fn content_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    let (ada, bob, fox) = (new(), new(), new());
    c.accepted(user(b, ada)).await;
    c.accepted(user(b, bob)).await;
    c.accepted(story(b, fox, ada)).await;
    let tag = c.accepted(story_tag(new(), fox)).await;
    c.accepted(story_version(b, new(), fox, ada, 1)).await;
    c.accepted(story_rating(new(), fox, ada)).await;
    c.accepted(content_approval(b, new(), fox, bob)).await;

    // stories
    let fresh = || story(b, new(), ada);
    for (avg, case) in [
        ("5.01", "avg_rating above 5"),
        ("-0.01", "negative avg_rating"),
    ] {
        let row = fresh().with("avg_rating", dec(avg));
        c.rejected(row, Check("ck_stories_avg_rating"), case).await;
    }
    for counter in [
        "sentence_count",
        "word_count",
        "rating_count",
        "practice_count",
        "view_count",
    ] {
        let case = format!("negative {counter}");
        let row = fresh().with(counter, -1);
        c.rejected(row, Check("ck_stories_counters"), &case).await;
    }
    c.rejected(
        fresh().with("estimated_duration", 0),
        Check("ck_stories_duration"),
        "zero estimated_duration",
    )
    .await;
    c.rejected(
        fresh().with("created_by", nobody()),
        ForeignKey("fk_stories_created_by"),
        "orphan created_by",
    )
    .await;
    c.rejects_enum(fresh(), "difficulty_level", "difficulty", "expert")
        .await;
    c.rejects_enum(fresh(), "status", "content_status", "deleted")
        .await;
    c.rejects_json(fresh(), "sentences").await;
    c.accepted(fresh()).await;

    // story_tags
    let fresh = || story_tag(new(), fox);
    c.rejected(
        fresh().with("weight", dec("-0.01")),
        Check("ck_story_tags_weight"),
        "negative weight",
    )
    .await;
    c.rejected(
        fresh().with("tag_name", tag.get("tag_name")),
        Unique("uq_story_tags_story_tag"),
        "same tag twice on a story",
    )
    .await;
    c.rejected(
        fresh().with("story_id", nobody()),
        ForeignKey("fk_story_tags_story_id"),
        "orphan story_id",
    )
    .await;
    c.accepted(fresh()).await;

    // story_versions: copies are version 2.
    let fresh = || story_version(b, new(), fox, ada, 2);
    c.rejected(
        fresh().with("version_number", 0),
        Check("ck_story_versions_number"),
        "version_number 0",
    )
    .await;
    c.rejected(
        fresh().with("version_number", 1),
        Unique("uq_story_versions_story_version"),
        "duplicate version_number",
    )
    .await;
    c.rejected(
        fresh().with("story_id", nobody()),
        ForeignKey("fk_story_versions_story_id"),
        "orphan story_id",
    )
    .await;
    c.rejected(
        fresh().with("changed_by", nobody()),
        ForeignKey("fk_story_versions_changed_by"),
        "orphan changed_by",
    )
    .await;
    c.rejects_enum(fresh(), "change_type", "version_change_type", "delete")
        .await;
    c.rejects_json(fresh(), "sentences").await;
    c.accepted(fresh()).await;

    // story_ratings: copies are bob's, who has not rated the story yet.
    let fresh = || story_rating(new(), fox, bob);
    for (rating, case) in [(0, "rating 0"), (6, "rating 6")] {
        let row = fresh().with("rating", rating);
        c.rejected(row, Check("ck_story_ratings_rating"), case)
            .await;
    }
    for (column, value) in [
        ("difficulty_rating", 0),
        ("engagement_rating", 6),
        ("educational_value_rating", 0),
    ] {
        let case = format!("{column} {value}");
        let row = fresh().with(column, value);
        c.rejected(row, Check("ck_story_ratings_sub_ratings"), &case)
            .await;
    }
    c.rejected(
        fresh().with("user_id", ada),
        Unique("uq_story_ratings_story_user"),
        "second rating by the same user",
    )
    .await;
    c.rejected(
        fresh().with("story_id", nobody()),
        ForeignKey("fk_story_ratings_story_id"),
        "orphan story_id",
    )
    .await;
    c.rejected(
        fresh().with("user_id", nobody()),
        ForeignKey("fk_story_ratings_user_id"),
        "orphan user_id",
    )
    .await;
    c.accepted(fresh()).await;

    // content_approvals
    let fresh = || content_approval(b, new(), fox, bob);
    for (column, value) in [
        ("content_quality_score", 0),
        ("educational_value_score", 6),
        ("technical_accuracy_score", 0),
    ] {
        let case = format!("{column} {value}");
        let row = fresh().with(column, value);
        c.rejected(row, Check("ck_content_approvals_scores"), &case)
            .await;
    }
    c.rejected(
        fresh().without("reviewed_at"),
        Check("ck_content_approvals_reviewed"),
        "approved with reviewed_at NULL",
    )
    .await;
    c.rejected(
        fresh()
            .with("status", enum_value(b, "approval_status", "rejected"))
            .without("reviewed_at"),
        Check("ck_content_approvals_reviewed"),
        "rejected with reviewed_at NULL",
    )
    .await;
    c.rejected(
        fresh().with("story_id", nobody()),
        ForeignKey("fk_content_approvals_story_id"),
        "orphan story_id",
    )
    .await;
    c.rejected(
        fresh().with("reviewer_id", nobody()),
        ForeignKey("fk_content_approvals_reviewer_id"),
        "orphan reviewer_id",
    )
    .await;
    c.rejects_enum(fresh(), "status", "approval_status", "maybe")
        .await;
    c.accepted(fresh()).await;
    // The other side of ck_content_approvals_reviewed: a pending review has no reviewed_at.
    c.accepted(
        fresh()
            .with("status", enum_value(b, "approval_status", "pending"))
            .without("reviewed_at"),
    )
    .await;

    c.finish("content").await;
}

async fn progress_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    let (ada, fox, session) = (new(), new(), new());
    c.accepted(user(b, ada)).await;
    c.accepted(story(b, fox, ada)).await;
    c.accepted(practice_session(b, session, ada, fox)).await;
    c.accepted(sentence_attempt(new(), session, 0)).await;
    let progress = c.accepted(user_progress(b, new(), ada)).await;

    // practice_sessions
    let fresh = || practice_session(b, new(), ada, fox);
    for (column, value, case) in [
        ("completed_items", -1, "negative completed_items"),
        ("correct_items", -1, "negative correct_items"),
        ("total_items", -1, "negative total_items"),
        ("correct_items", 11, "correct_items > total_items"),
    ] {
        let row = fresh().with(column, value);
        c.rejected(row, Check("ck_practice_sessions_counts"), case)
            .await;
    }
    for (score, case) in [
        ("1.0001", "overall_score above 1"),
        ("-0.0001", "negative overall_score"),
    ] {
        let row = fresh().with("overall_score", dec(score));
        c.rejected(row, Check("ck_practice_sessions_score"), case)
            .await;
    }
    for (column, value, case) in [
        ("points_earned", -1, "negative points_earned"),
        ("time_limit_minutes", 0, "zero time_limit_minutes"),
    ] {
        let row = fresh().with(column, value);
        c.rejected(row, Check("ck_practice_sessions_limits"), case)
            .await;
    }
    c.rejected(
        fresh().with("duration_ms", -1_i64),
        Check("ck_practice_sessions_limits"),
        "negative duration_ms",
    )
    .await;
    c.rejected(
        fresh().with("completed_at", at(-1)),
        Check("ck_practice_sessions_window"),
        "completed_at before started_at",
    )
    .await;
    // The four checks module 20 adds (SPEC-26-27 §26.2.4). The factory's 0 for skipped_items and
    // auto_advance_delay is the bound, so each is rejected for the sign alone.
    for (column, check) in [
        ("incorrect_items", "ck_practice_sessions_incorrect_items"),
        ("skipped_items", "ck_practice_sessions_skipped_items"),
        (
            "auto_advance_delay",
            "ck_practice_sessions_auto_advance_delay",
        ),
        (
            "last_question_index",
            "ck_practice_sessions_last_question_index",
        ),
    ] {
        let case = format!("negative {column}");
        c.rejected(fresh().with(column, -1), Check(check), &case)
            .await;
    }
    c.rejected(
        fresh().with("user_id", nobody()),
        ForeignKey("fk_practice_sessions_user_id"),
        "orphan user_id",
    )
    .await;
    c.rejected(
        fresh().with("story_id", nobody()),
        ForeignKey("fk_practice_sessions_story_id"),
        "orphan story_id",
    )
    .await;
    c.rejects_enum(fresh(), "session_type", "session_type", "exam")
        .await;
    c.rejects_enum(fresh(), "status", "practice_session_status", "in_progress")
        .await;
    c.rejects_enum(fresh(), "strategy", "practice_strategy", "smart")
        .await;
    c.rejects_enum(fresh(), "difficulty_level", "difficulty", "expert")
        .await;
    c.rejects_json(fresh(), "skill_areas").await;
    c.accepted(fresh()).await;
    // The other side of the two nullable checks, and the counters' defaults: a session as it was
    // before module 20.
    c.accepted(
        fresh()
            .without("subject_id")
            .without("incorrect_items")
            .without("skipped_items")
            .without("auto_advance_delay")
            .without("last_question_index"),
    )
    .await;

    // sentence_attempts: copies are for sentence 1.
    let fresh = || sentence_attempt(new(), session, 1);
    for (column, score) in [
        ("confidence_score", "1.0001"),
        ("accuracy_score", "-0.0001"),
        ("fluency_score", "1.5000"),
    ] {
        let case = format!("{column} {score}");
        let row = fresh().with(column, dec(score));
        c.rejected(row, Check("ck_sentence_attempts_scores"), &case)
            .await;
    }
    c.rejected(
        fresh().with("sentence_index", -1),
        Check("ck_sentence_attempts_positions"),
        "negative sentence_index",
    )
    .await;
    c.rejected(
        fresh().with("attempt_number", 0),
        Check("ck_sentence_attempts_positions"),
        "attempt_number 0",
    )
    .await;
    c.rejected(
        fresh().with("duration_ms", 0),
        Check("ck_sentence_attempts_duration"),
        "zero duration_ms",
    )
    .await;
    c.rejected(
        fresh().with("video_end_frame", 9),
        Check("ck_sentence_attempts_frames"),
        "video_end_frame < video_start_frame",
    )
    .await;
    c.rejected(
        fresh().with("sentence_index", 0),
        Unique("uq_sentence_attempts_attempt"),
        "same session, sentence and attempt number",
    )
    .await;
    c.rejected(
        fresh().with("session_id", nobody()),
        ForeignKey("fk_sentence_attempts_session_id"),
        "orphan session_id",
    )
    .await;
    c.rejects_json(fresh(), "landmark_data").await;
    c.accepted(fresh()).await;

    // user_progress
    let fresh = || user_progress(b, new(), ada);
    for (column, level) in [
        ("current_level", "10.01"),
        ("current_level", "-0.01"),
        ("target_level", "10.50"),
        ("target_level", "-1.00"),
    ] {
        let case = format!("{column} {level}");
        let row = fresh().with(column, dec(level));
        c.rejected(row, Check("ck_user_progress_levels"), &case)
            .await;
    }
    c.rejected(
        fresh().with("experience_points", dec("-0.01")),
        Check("ck_user_progress_counters"),
        "negative experience_points",
    )
    .await;
    for counter in [
        "total_practice_time",
        "total_sessions",
        "successful_attempts",
    ] {
        let case = format!("negative {counter}");
        let row = fresh().with(counter, -1);
        c.rejected(row, Check("ck_user_progress_counters"), &case)
            .await;
    }
    c.rejected(
        fresh().with("successful_attempts", 11),
        Check("ck_user_progress_success"),
        "successful_attempts > total_attempts",
    )
    .await;
    for (column, average) in [
        ("average_score", "1.0001"),
        ("average_confidence", "-0.0001"),
        ("average_accuracy", "1.0001"),
        ("average_fluency", "-0.0001"),
    ] {
        let case = format!("{column} {average}");
        let row = fresh().with(column, dec(average));
        c.rejected(row, Check("ck_user_progress_averages"), &case)
            .await;
    }
    c.rejected(
        fresh().with("learning_streak", -1),
        Check("ck_user_progress_streaks"),
        "negative learning_streak",
    )
    .await;
    c.rejected(
        fresh().with("longest_streak", 2),
        Check("ck_user_progress_streaks"),
        "longest_streak < learning_streak",
    )
    .await;
    c.rejected(
        fresh().with("weekly_goal_minutes", 0),
        Check("ck_user_progress_weekly_goal"),
        "zero weekly_goal_minutes",
    )
    .await;
    c.rejected(
        fresh().with("skill_area", progress.get("skill_area")),
        Unique("uq_user_progress_user_skill"),
        "same skill_area twice for a user",
    )
    .await;
    c.rejected(
        fresh().with("user_id", nobody()),
        ForeignKey("fk_user_progress_user_id"),
        "orphan user_id",
    )
    .await;
    c.rejects_enum(fresh(), "current_difficulty", "difficulty", "expert")
        .await;
    c.rejects_json(fresh(), "milestones").await;
    c.accepted(fresh()).await;

    c.finish("progress").await;
}

async fn collaborative_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    let (ada, bob, cy, fox, group) = (new(), new(), new(), new(), new());
    for id in [ada, bob, cy] {
        c.accepted(user(b, id)).await;
    }
    c.accepted(story(b, fox, ada)).await;
    let group_row = c.accepted(learning_group(b, group, ada)).await;
    c.accepted(group_membership(b, new(), group, bob, ada))
        .await;
    c.accepted(collaborative_session(b, new(), ada, group, fox))
        .await;
    c.accepted(group_analytics(b, new(), group, 0)).await;

    // learning_groups
    let fresh = || learning_group(b, new(), ada);
    c.rejected(
        fresh().with("max_members", 0),
        Check("ck_learning_groups_max_members"),
        "zero max_members",
    )
    .await;
    c.rejected(
        fresh().with("total_sessions", -1),
        Check("ck_learning_groups_total_sessions"),
        "negative total_sessions",
    )
    .await;
    c.rejected(
        fresh().with("join_code", group_row.get("join_code")),
        Unique("uq_learning_groups_join_code"),
        "duplicate join_code",
    )
    .await;
    c.rejected(
        fresh().with("creator_id", nobody()),
        ForeignKey("fk_learning_groups_creator_id"),
        "orphan creator_id",
    )
    .await;
    c.rejects_enum(fresh(), "privacy_level", "group_privacy_level", "secret")
        .await;
    c.rejects_enum(fresh(), "difficulty_level", "difficulty", "expert")
        .await;
    c.rejects_json(fresh(), "tags").await;
    c.accepted(fresh()).await;

    // group_memberships: copies are cy's, who has not joined yet.
    let fresh = || group_membership(b, new(), group, cy, ada);
    c.rejected(
        fresh().with("left_at", at(-1)),
        Check("ck_group_memberships_left"),
        "left_at before joined_at",
    )
    .await;
    c.rejected(
        fresh().with("user_id", bob),
        Unique("uq_group_memberships_group_user"),
        "duplicate membership (same group and user)",
    )
    .await;
    for (column, fk) in [
        ("group_id", "fk_group_memberships_group_id"),
        ("user_id", "fk_group_memberships_user_id"),
        ("invited_by", "fk_group_memberships_invited_by"),
        ("approved_by", "fk_group_memberships_approved_by"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.rejects_enum(fresh(), "role", "group_role", "admin").await;
    c.rejects_enum(fresh(), "data_sharing_level", "data_sharing_level", "all")
        .await;
    c.accepted(fresh()).await;

    // collaborative_sessions
    let fresh = || collaborative_session(b, new(), ada, group, fox);
    c.rejected(
        fresh().with("max_participants", 0),
        Check("ck_collaborative_sessions_max"),
        "zero max_participants",
    )
    .await;
    c.rejected(
        fresh().with("scheduled_end", at(23)),
        Check("ck_collaborative_sessions_schedule"),
        "scheduled_end before scheduled_start",
    )
    .await;
    for (column, fk) in [
        ("host_id", "fk_collaborative_sessions_host_id"),
        ("group_id", "fk_collaborative_sessions_group_id"),
        ("story_id", "fk_collaborative_sessions_story_id"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.rejects_enum(fresh(), "status", "collaborative_session_status", "running")
        .await;
    c.rejects_enum(fresh(), "difficulty_level", "difficulty", "expert")
        .await;
    c.rejects_json(fresh(), "session_config").await;
    c.accepted(fresh()).await;

    // group_analytics: copies cover the following week.
    let fresh = || group_analytics(b, new(), group, 1);
    for (column, value, case) in [
        ("total_members", -1, "negative total_members"),
        ("active_members", -1, "negative active_members"),
        ("active_members", 11, "active_members > total_members"),
    ] {
        let row = fresh().with(column, value);
        c.rejected(row, Check("ck_group_analytics_members"), case)
            .await;
    }
    for (column, value, case) in [
        ("total_sessions", -1, "negative total_sessions"),
        (
            "collaborative_sessions",
            -1,
            "negative collaborative_sessions",
        ),
        (
            "collaborative_sessions",
            6,
            "collaborative_sessions > total_sessions",
        ),
    ] {
        let row = fresh().with(column, value);
        c.rejected(row, Check("ck_group_analytics_sessions"), case)
            .await;
    }
    for counter in [
        "total_practice_time",
        "peer_feedback_count",
        "group_interactions",
    ] {
        let case = format!("negative {counter}");
        let row = fresh().with(counter, -1);
        c.rejected(row, Check("ck_group_analytics_counters"), &case)
            .await;
    }
    for (column, rate) in [
        ("average_group_score", "1.0001"),
        ("average_completion_rate", "-0.0001"),
    ] {
        let case = format!("{column} {rate}");
        let row = fresh().with(column, dec(rate));
        c.rejected(row, Check("ck_group_analytics_rates"), &case)
            .await;
    }
    c.rejected(
        fresh().with("period_end", at(167)),
        Check("ck_group_analytics_period"),
        "period_end before period_start",
    )
    .await;
    c.rejected(
        group_analytics(b, new(), group, 0),
        Unique("uq_group_analytics_period"),
        "same group, period and period type",
    )
    .await;
    c.rejected(
        fresh().with("group_id", nobody()),
        ForeignKey("fk_group_analytics_group_id"),
        "orphan group_id",
    )
    .await;
    c.rejects_enum(fresh(), "period_type", "analytics_period_type", "yearly")
        .await;
    c.rejects_json(fresh(), "skill_progress").await;
    c.accepted(fresh()).await;

    c.finish("collaborative").await;
}

async fn plugins_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    let (ada, trainer) = (new(), new());
    c.accepted(user(b, ada)).await;
    let plugin_row = c.accepted(plugin(b, trainer, ada)).await;
    let datum = c.accepted(plugin_datum(new(), trainer, ada)).await;

    // plugins
    let fresh = || plugin(b, new(), ada);
    c.rejected(
        fresh().with("name", plugin_row.get("name")),
        Unique("uq_plugins_name"),
        "duplicate name",
    )
    .await;
    c.rejected(
        fresh().with("installed_by", nobody()),
        ForeignKey("fk_plugins_installed_by"),
        "orphan installed_by",
    )
    .await;
    c.rejects_enum(fresh(), "status", "plugin_status", "broken")
        .await;
    c.rejects_json(fresh(), "manifest").await;
    c.accepted(fresh()).await;

    // plugin_data
    let fresh = || plugin_datum(new(), trainer, ada);
    c.rejected(
        fresh().with("data_key", datum.get("data_key")),
        Unique("uq_plugin_data_plugin_user_key"),
        "duplicate key for the same plugin and user",
    )
    .await;
    c.rejected(
        fresh().with("plugin_id", nobody()),
        ForeignKey("fk_plugin_data_plugin_id"),
        "orphan plugin_id",
    )
    .await;
    c.rejected(
        fresh().with("user_id", nobody()),
        ForeignKey("fk_plugin_data_user_id"),
        "orphan user_id",
    )
    .await;
    c.rejects_json(fresh(), "data_value").await;
    c.accepted(fresh()).await;
    // Plugin-global data: no user.
    c.accepted(fresh().without("user_id")).await;

    c.finish("plugins").await;
}
