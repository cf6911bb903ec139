//! The adaptive group (SPEC.md §10): items and attempts reject rows that break their CHECKs,
//! UNIQUEs, foreign keys, enum and JSON columns. On PostgreSQL `attempts` is partitioned, so its
//! rows land in `attempts_<year>` and the partition's own copies of the constraints reject them.

use super::*;
use crate::common::factories::adaptive::*;

on_every_backend!(
    adaptive_group_rejects_invalid_rows,
    adaptive_group_rejects_invalid_rows
);

async fn adaptive_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    let (ada, fox, session, quiz_item) = (new(), new(), new(), new());
    c.accepted(user(b, ada)).await;
    c.accepted(story(b, fox, ada)).await;
    c.accepted(practice_session(b, session, ada, fox)).await;
    let item_row = c.accepted(item(b, quiz_item, ada)).await;
    let attempt_row = c.accepted(attempt(new(), ada, quiz_item, session)).await;

    // items: the factory's values sit on the inclusive edges (difficulty -4, guessing 1,
    // estimated_time 1, success_rate 1), so each case steps just past one.
    let fresh = || item(b, new(), ada);
    for (difficulty, case) in [
        ("4.001", "difficulty above 4"),
        ("-4.001", "difficulty below -4"),
    ] {
        let row = fresh().with("difficulty", dec(difficulty));
        c.rejected(row, Check("ck_items_difficulty"), case).await;
    }
    for (discrimination, case) in [
        ("0.000", "zero discrimination"),
        ("-1.000", "negative discrimination"),
    ] {
        let row = fresh().with("discrimination", dec(discrimination));
        c.rejected(row, Check("ck_items_discrimination"), case)
            .await;
    }
    for (guessing, case) in [
        ("1.001", "guessing above 1"),
        ("-0.001", "negative guessing"),
    ] {
        let row = fresh().with("guessing", dec(guessing));
        c.rejected(row, Check("ck_items_guessing"), case).await;
    }
    c.rejected(
        fresh().with("estimated_time", 0),
        Check("ck_items_estimated_time"),
        "zero estimated_time",
    )
    .await;
    c.rejected(
        fresh().with("points", 0),
        Check("ck_items_points"),
        "zero points",
    )
    .await;
    for (column, value, case) in [
        ("version", 0, "version 0"),
        ("usage_count", -1, "negative usage_count"),
        ("avg_response_time", -1, "negative avg_response_time"),
    ] {
        let row = fresh().with(column, value);
        c.rejected(row, Check("ck_items_stats"), case).await;
    }
    for (rate, case) in [
        ("1.0001", "success_rate above 1"),
        ("-0.0001", "negative success_rate"),
    ] {
        let row = fresh().with("success_rate", dec(rate));
        c.rejected(row, Check("ck_items_stats"), case).await;
    }
    c.rejected(
        fresh().with("slug", item_row.get("slug")),
        Unique("uq_items_slug"),
        "duplicate slug",
    )
    .await;
    for (column, fk) in [
        ("created_by", "fk_items_created_by"),
        ("reviewed_by", "fk_items_reviewed_by"),
        ("approved_by", "fk_items_approved_by"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.rejects_enum(fresh(), "item_type", "question_type", "multiple_select")
        .await;
    c.rejects_enum(fresh(), "status", "item_status", "retired")
        .await;
    for column in ["content", "choices", "correct", "topics", "tags"] {
        c.rejects_json(fresh(), column).await;
    }
    c.accepted(fresh()).await;
    // The other edges, and every default.
    c.accepted(
        fresh()
            .with("difficulty", dec("4.000"))
            .with("guessing", dec("0.000"))
            .with("success_rate", dec("0.0000")),
    )
    .await;
    c.accepted(
        Row::new("items")
            .with("id", new())
            .with("slug", format!("defaults-{}", new().simple()))
            .with("content", json!({}))
            .with("choices", json!([]))
            .with("correct", json!([])),
    )
    .await;

    // attempts
    let fresh = || attempt(new(), ada, quiz_item, session);
    for (quality, case) in [(6, "quality above 5"), (-1, "negative quality")] {
        let row = fresh().with("quality", quality);
        c.rejected(row, Check("ck_attempts_quality"), case).await;
    }
    for (confidence, case) in [(0, "confidence 0"), (6, "confidence above 5")] {
        let row = fresh().with("confidence", confidence);
        c.rejected(row, Check("ck_attempts_confidence"), case).await;
    }
    c.rejected(
        fresh().with("time_taken_ms", 0),
        Check("ck_attempts_time"),
        "zero time_taken_ms",
    )
    .await;
    c.rejected(
        fresh().with("hints_used", -1),
        Check("ck_attempts_hints"),
        "negative hints_used",
    )
    .await;
    // The same client_attempt_id at the same created_at is rejected everywhere. On PostgreSQL
    // the key is (client_attempt_id, created_at), so the same id at another created_at is
    // accepted there, and the application checks idempotency before inserting (SPEC.md §10);
    // MySQL and SQLite reject it.
    let repeated = || fresh().with("client_attempt_id", attempt_row.get("client_attempt_id"));
    rejected_by_unique_of_partitioned(
        &mut c,
        repeated(),
        "uq_attempts_client_attempt_id",
        "duplicate client_attempt_id, same created_at",
    )
    .await;
    let later = repeated().with("created_at", at(1));
    if b == Backend::Postgres {
        c.accepted(later).await;
    } else {
        c.rejected(
            later,
            Unique("uq_attempts_client_attempt_id"),
            "duplicate client_attempt_id, later created_at",
        )
        .await;
    }
    for (column, fk) in [
        ("user_id", "fk_attempts_user_id"),
        ("item_id", "fk_attempts_item_id"),
        ("session_id", "fk_attempts_session_id"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    for column in ["selected", "sm2_state_before", "irt_ability_after"] {
        c.rejects_json(fresh(), column).await;
    }
    c.accepted(fresh()).await;
    // The other edges, and the optional columns left out.
    c.accepted(
        fresh()
            .with("quality", 0)
            .with("confidence", 5)
            .without("device_type")
            .without("sm2_state_before")
            .without("hints_used"),
    )
    .await;

    c.finish("adaptive").await;
}

/// A duplicate key in a table that PostgreSQL partitions. The row lands in a partition, and
/// PostgreSQL reports the partition's copy of the unique constraint under a name it chose itself
/// (`attempts_2026_client_attempt_id_created_at_key`); the case counts as rejected by `unique`
/// when the reported constraint's index is the partition's index of `unique`. Elsewhere the
/// table is plain and the error names `unique` (or, on SQLite, its table).
async fn rejected_by_unique_of_partitioned(
    c: &mut Cases<'_>,
    row: Row,
    unique: &'static str,
    case: &str,
) {
    if c.backend() != Backend::Postgres {
        c.rejected(row, Unique(unique), case).await;
        return;
    }
    let table = row.table;
    c.rejections += 1;
    c.exercised.insert(unique.to_owned());
    let before = c.count(table).await;
    let result = c.t.db.execute(&row.insert()).await;
    let after = c.count(table).await;
    let label = format!("Postgres {table} [{case}]");
    match result {
        Ok(_) => c
            .failures
            .push(format!("{label}: accepted, but {unique} must reject it")),
        Err(e) => {
            let message = e.to_string();
            let marker = "violates unique constraint \"";
            let reported = message
                .split_once(marker)
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(name, _)| name.to_owned());
            let parents = match &reported {
                Some(name) => {
                    let sql = format!(
                        "SELECT parent.relname::text AS name FROM pg_inherits i \
                         JOIN pg_class child ON child.oid = i.inhrelid \
                         JOIN pg_class parent ON parent.oid = i.inhparent \
                         WHERE child.relname = '{name}' AND child.relkind = 'i'"
                    );
                    c.t.query_strings(&sql, "name").await
                }
                None => Vec::new(),
            };
            if parents != [unique] {
                c.failures.push(format!(
                    "{label}: rejected, but not by a partition of {unique}: {message}"
                ));
            }
        }
    }
    if after != before {
        c.failures.push(format!(
            "{label}: the row count changed from {before} to {after}"
        ));
    }
}
