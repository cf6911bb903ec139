//! PostgreSQL's yearly partitions of `attempts` (SPEC.md §10, §17.2): the migration creates the
//! DEFAULT partition and those of the current and the next year (UTC), rows land in the partition
//! of their `created_at`, and `ensure_attempts_partition(year)` adds a year later on, moving that
//! year's rows out of the default partition first, and does nothing for a year that exists.
//! MySQL and SQLite have no partitions; `tests/schema.rs` checks that they have none.
//!
//! The years are relative to the clock (as the migration's are), so the tests hold in any year:
//! "far" is five years ahead, a year no partition covers until a test asks for it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, TimeDelta, TimeZone, Utc};
use common::factories::adaptive::{attempt, item};
use common::factories::content::story;
use common::factories::progress::practice_session;
use common::factories::users::user;
use common::rows::Row;
use common::{Backend, TestDb};
use sea_orm::{ConnectionTrait, TransactionTrait};
use uuid::Uuid;

const PG: Backend = Backend::Postgres;

fn this_year() -> i32 {
    Utc::now().year()
}

/// Midnight UTC on January 1st of `year`.
fn new_year(year: i32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).unwrap()
}

/// A migrated PostgreSQL database with the parents an attempt needs, and a factory for attempts
/// at a given `created_at`.
struct Fixture {
    t: TestDb,
    user: Uuid,
    item: Uuid,
    session: Uuid,
}

impl Fixture {
    async fn new() -> Fixture {
        let t = TestDb::migrated(PG).await;
        let (user_id, story_id, session, item_id) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        for row in [
            user(PG, user_id),
            story(PG, story_id, user_id),
            practice_session(PG, session, user_id, story_id),
            item(PG, item_id, user_id),
        ] {
            insert(&t, &row).await;
        }
        Fixture {
            t,
            user: user_id,
            item: item_id,
            session,
        }
    }

    /// Inserts an attempt created at `created_at` and returns its id.
    async fn attempt_at(&self, created_at: DateTime<Utc>) -> Uuid {
        let id = Uuid::now_v7();
        let row = attempt(id, self.user, self.item, self.session).with("created_at", created_at);
        insert(&self.t, &row).await;
        id
    }

    /// The partition that holds attempt `id`.
    async fn partition_of(&self, id: Uuid) -> String {
        let sql =
            format!("SELECT tableoid::regclass::text AS part FROM attempts WHERE id = '{id}'");
        let parts = self.t.query_strings(&sql, "part").await;
        assert_eq!(parts.len(), 1, "attempt {id}: found {} rows", parts.len());
        parts.into_iter().next().unwrap()
    }

    /// The partitions of `attempts`, from `pg_inherits`.
    async fn partitions(&self) -> BTreeSet<String> {
        self.t
            .query_strings(
                "SELECT c.relname::text AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'attempts'::regclass",
                "name",
            )
            .await
            .into_iter()
            .collect()
    }

    async fn ensure(&self, year: i32) -> Result<String, sea_orm::DbErr> {
        let sql = format!("SELECT ensure_attempts_partition({year}) AS name");
        let row = self
            .t
            .db
            .query_one_raw(sea_orm::Statement::from_string(self.t.db_backend(), sql))
            .await?
            .expect("a SELECT returns one row");
        Ok(row.try_get::<String>("", "name").unwrap())
    }

    async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*)::text AS n FROM \"{table}\"");
        self.t.query_strings(&sql, "n").await[0].parse().unwrap()
    }
}

async fn insert(t: &TestDb, row: &Row) {
    if let Err(e) = t.db.execute(&row.insert()).await {
        panic!("{}: a valid row was rejected: {e}", row.table);
    }
}

fn names(years: &[i32]) -> BTreeSet<String> {
    years
        .iter()
        .map(|y| format!("attempts_{y}"))
        .chain(["attempts_default".to_owned()])
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_creates_default_current_and_next_year_partitions() {
    let f = Fixture::new().await;
    let year = this_year();
    assert_eq!(f.partitions().await, names(&[year, year + 1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attempts_land_in_their_years_partition_or_the_default() {
    let f = Fixture::new().await;
    let (year, far) = (this_year(), this_year() + 5);

    let now = f.attempt_at(Utc::now()).await;
    let first_instant = f.attempt_at(new_year(year)).await;
    let last_instant = f
        .attempt_at(new_year(year + 2) - TimeDelta::microseconds(1))
        .await;
    let after_next = f.attempt_at(new_year(year + 2)).await;
    let in_far = f.attempt_at(new_year(far) + TimeDelta::days(40)).await;
    let long_ago = f.attempt_at(new_year(1999)).await;

    assert_eq!(f.partition_of(now).await, format!("attempts_{year}"));
    assert_eq!(
        f.partition_of(first_instant).await,
        format!("attempts_{year}")
    );
    assert_eq!(
        f.partition_of(last_instant).await,
        format!("attempts_{}", year + 1)
    );
    for id in [after_next, in_far, long_ago] {
        assert_eq!(f.partition_of(id).await, "attempts_default");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ensure_attempts_partition_moves_rows_out_of_the_default_and_is_idempotent() {
    let f = Fixture::new().await;
    let (year, far) = (this_year(), this_year() + 5);

    // The bounds are UTC instants: the rows just inside the far year move, the ones just outside
    // stay, whatever the caller's session time zone.
    let inside = [
        f.attempt_at(new_year(far)).await,
        f.attempt_at(new_year(far + 1) - TimeDelta::microseconds(1))
            .await,
    ];
    let outside = [
        f.attempt_at(new_year(far) - TimeDelta::microseconds(1))
            .await,
        f.attempt_at(new_year(far + 1)).await,
    ];
    for id in inside.iter().chain(&outside) {
        assert_eq!(f.partition_of(*id).await, "attempts_default");
    }
    let total = f.count("attempts").await;

    // Called from a session east of UTC (UTC+13 in January).
    let txn = f.t.db.begin().await.unwrap();
    txn.execute_unprepared("SET LOCAL TIME ZONE 'Pacific/Auckland'")
        .await
        .unwrap();
    let created = txn
        .query_one_raw(sea_orm::Statement::from_string(
            f.t.db_backend(),
            format!("SELECT ensure_attempts_partition({far}) AS name"),
        ))
        .await
        .unwrap_or_else(|e| panic!("ensure_attempts_partition({far}): {e}"))
        .unwrap()
        .try_get::<String>("", "name")
        .unwrap();
    txn.commit().await.unwrap();
    assert_eq!(created, format!("attempts_{far}"));

    assert_eq!(f.partitions().await, names(&[year, year + 1, far]));
    for id in inside {
        assert_eq!(f.partition_of(id).await, format!("attempts_{far}"));
    }
    for id in outside {
        assert_eq!(f.partition_of(id).await, "attempts_default");
    }
    assert_eq!(f.count("attempts").await, total, "no row lost or copied");
    assert_eq!(f.count(&format!("attempts_{far}")).await, 2);

    // New rows for that year go to the new partition, which carries the table's rules.
    let later = f.attempt_at(new_year(far) + TimeDelta::days(100)).await;
    assert_eq!(f.partition_of(later).await, format!("attempts_{far}"));
    let broken = attempt(Uuid::now_v7(), f.user, f.item, f.session)
        .with("created_at", new_year(far))
        .with("time_taken_ms", 0);
    let err = f.t.db.execute(&broken.insert()).await.unwrap_err();
    assert!(
        err.to_string().contains("ck_attempts_time"),
        "the new partition must check ck_attempts_time: {err}"
    );

    // Again, and for a year the migration created: nothing changes.
    assert_eq!(f.ensure(far).await.unwrap(), format!("attempts_{far}"));
    assert_eq!(f.ensure(year).await.unwrap(), format!("attempts_{year}"));
    assert_eq!(f.partitions().await, names(&[year, year + 1, far]));
    assert_eq!(f.count(&format!("attempts_{far}")).await, 3);
    assert_eq!(f.count("attempts").await, total + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ensure_attempts_partition_rejects_years_out_of_range() {
    let f = Fixture::new().await;
    let year = this_year();
    for bad in ["1969", "9999", "-1", "NULL"] {
        let sql = format!("SELECT ensure_attempts_partition({bad})");
        let err =
            f.t.exec(&sql)
                .await
                .expect_err(&format!("year {bad} must be rejected"));
        assert!(
            err.to_string().contains("is outside 1970..9998"),
            "year {bad}: unclear error: {err}"
        );
    }
    // The edges are accepted.
    assert_eq!(f.ensure(1970).await.unwrap(), "attempts_1970");
    assert_eq!(f.ensure(9998).await.unwrap(), "attempts_9998");
    assert_eq!(f.partitions().await, names(&[1970, year, year + 1, 9998]));
}
