//! The activity group (SPEC.md §16b): user_activities, usage_statistics.

use super::*;

use crate::common::factories::activity::{usage_statistic, user_activity};

on_every_backend!(
    activity_group_rejects_invalid_rows,
    activity_group_rejects_invalid_rows
);

async fn activity_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    let (ada, bob) = (new(), new());
    c.accepted(user(b, ada)).await;
    c.accepted(user(b, bob)).await;
    c.accepted(user_activity(new(), ada)).await;
    c.accepted(usage_statistic(new(), ada, 0)).await;

    // user_activities: an append-only log with no rule beyond its user and its JSON.
    let fresh = || user_activity(new(), ada);
    c.rejected(
        fresh().with("user_id", nobody()),
        ForeignKey("fk_user_activities_user_id"),
        "orphan user_id",
    )
    .await;
    c.rejects_json(fresh(), "extra_data").await;
    c.accepted(fresh()).await;
    c.accepted(fresh().without("extra_data")).await;

    // usage_statistics: copies are ada's next day.
    let fresh = || usage_statistic(new(), ada, 1);
    // total_characters_generated is a bigint: PostgreSQL takes only an i64 for it.
    for (counter, value) in [
        ("svg_generations", Expr::val(-1)),
        ("batch_generations", Expr::val(-1)),
        ("total_lines_generated", Expr::val(-1)),
        ("total_characters_generated", Expr::val(-1_i64)),
    ] {
        let case = format!("negative {counter}");
        let row = fresh().with(counter, value);
        c.rejected(row, Check("ck_usage_statistics_counters"), &case)
            .await;
    }
    c.rejected(
        fresh().with("total_processing_time", dec("-0.001")),
        Check("ck_usage_statistics_counters"),
        "negative total_processing_time",
    )
    .await;
    c.rejected(
        usage_statistic(new(), ada, 0),
        Unique("uq_usage_statistics_user_date"),
        "a second row for the same user and day",
    )
    .await;
    c.rejected(
        fresh().with("user_id", nobody()),
        ForeignKey("fk_usage_statistics_user_id"),
        "orphan user_id",
    )
    .await;
    c.accepted(fresh()).await;
    // The same day for another user.
    c.accepted(usage_statistic(new(), bob, 0)).await;

    c.finish("activity").await;
}
