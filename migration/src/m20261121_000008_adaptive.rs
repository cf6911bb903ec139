//! Module 08 `adaptive` (SPEC.md §10, §17.2): items, attempts.
//!
//! The AL item bank and its answer log. `items` carries the IRT parameters (difficulty b,
//! discrimination a, guessing c) with AL's range checks; `item_type` reuses the shared
//! `question_type` enum of module 01. `attempts` is append-only (no `updated_at`), insert-heavy
//! (§0.1), and refers to `practice_sessions`, which replaced AL's `sessions`.
//!
//! **Partitioning, PostgreSQL only.** `attempts` is `PARTITION BY RANGE (created_at)` with the
//! primary key `(id, created_at)`, and `uq_attempts_client_attempt_id` is
//! `(client_attempt_id, created_at)`, because every unique key of a partitioned table must
//! contain the partition key: on PostgreSQL a repeated `client_attempt_id` with a different
//! `created_at` is accepted, and the application checks idempotency before it inserts. MySQL,
//! TiDB and SQLite get a plain table keyed on `id` with a unique `client_attempt_id` (their
//! partitioned tables cannot have foreign keys); retention there is batched
//! `DELETE … WHERE created_at < ?`.
//!
//! The partitions are yearly, `attempts_<YYYY>` for `[YYYY-01-01, YYYY+1-01-01)` in UTC, plus the
//! DEFAULT partition `attempts_default` that catches every row no yearly partition takes. The
//! migration creates the function `ensure_attempts_partition(year integer) RETURNS text`, the
//! default partition, and the partitions of the current and the next year (UTC), which the
//! server computes from its clock, so the migration's SQL is the same on every run. The function
//! is idempotent: for a year whose partition exists it only returns the name. Otherwise it
//! creates the table, moves that year's rows out of `attempts_default` (attaching a range that
//! the default partition already holds rows for would fail) and attaches it; writers to
//! `attempts_default` wait meanwhile. It keeps the `search_path` it was created with, so a job
//! that calls it from another session finds the same `attempts`.
//!
//! Operators call it once a year for the year after next to stay ahead, e.g. each December:
//! `SELECT ensure_attempts_partition(EXTRACT(YEAR FROM now() AT TIME ZONE 'UTC')::int + 1);`
//! from cron, pg_cron (`SELECT cron.schedule('attempts-partition', '0 3 1 12 *', $$…$$)`) or a
//! later migration. Rows for a year without a partition are never lost: they sit in
//! `attempts_default` until the function moves them. Retention: `ALTER TABLE attempts DETACH
//! PARTITION attempts_<YYYY>`, then `DROP TABLE attempts_<YYYY>` (or archive it first).
//!
//! Deviations: the optional PostgreSQL GIN indexes on `items.topics` and `items.tags` are not
//! created, so the schema has the same indexes everywhere; the current year is taken in UTC
//! (`now() AT TIME ZONE 'UTC'`) to match the UTC partition bounds, not in the session time zone.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::ddl::{DbEnum, Ddl, JsonDefault, SqlObject, Step, TableGroup, null_or_between};
use crate::m20261121_000001_users::{QUESTION_TYPE, Users};
use crate::m20261121_000006_progress::PracticeSessions;

pub const ITEM_STATUS: DbEnum = DbEnum {
    name: "item_status",
    values: &["draft", "under_review", "approved", "published", "archived"],
};

/// The PostgreSQL function that creates (or finds) the yearly partition of `attempts`.
pub const ENSURE_ATTEMPTS_PARTITION: &str = "ensure_attempts_partition";

/// The yearly partitions of `attempts` on PostgreSQL (see the module doc); nothing elsewhere.
const ATTEMPTS_PARTITIONS: SqlObject = SqlObject {
    create: attempts_partitions_create,
    drop: attempts_partitions_drop,
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[&ITEM_STATUS],
    tables: &[items, attempts],
    steps: &[Step::Sql(&ATTEMPTS_PARTITIONS)],
};

crate::group_migration!(GROUP);

pub(crate) fn items(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.table(Items::Table)
        .col(ddl.id(Items::Id))
        .col(ddl.string(Items::Slug, 255))
        .col(ddl.json(Items::Content))
        .col(ddl.json(Items::Choices))
        .col(ddl.json(Items::Correct))
        .col(ddl.json_null(Items::Explanation))
        .col(ddl.decimal(Items::Difficulty, 6, 3).default(0))
        .col(ddl.decimal(Items::Discrimination, 6, 3).default(1))
        .col(ddl.decimal(Items::Guessing, 4, 3).default(0.25))
        .col(
            ddl.json(Items::Topics)
                .default(ddl.json_default(JsonDefault::EmptyArray)),
        )
        .col(
            ddl.json(Items::Jurisdictions)
                .default(ddl.json_default(JsonDefault::EmptyArray)),
        )
        .col(
            ddl.enumeration(Items::ItemType, &QUESTION_TYPE)
                .default(const { QUESTION_TYPE.value("multiple_choice") }),
        )
        .col(ddl.string(Items::CognitiveLevel, 50).default("knowledge"))
        .col(
            ddl.json(Items::MediaRefs)
                .default(ddl.json_default(JsonDefault::EmptyArray)),
        )
        .col(
            ddl.json(Items::ExternalRefs)
                .default(ddl.json_default(JsonDefault::EmptyArray)),
        )
        .col(ddl.integer(Items::EstimatedTime).default(60))
        .col(ddl.integer(Items::Points).default(1))
        .col(
            ddl.json(Items::Tags)
                .default(ddl.json_default(JsonDefault::EmptyArray)),
        )
        .col(ddl.integer(Items::Version).default(1))
        .col(
            ddl.enumeration(Items::Status, &ITEM_STATUS)
                .default(const { ITEM_STATUS.value("draft") }),
        )
        .col(ddl.uuid_null(Items::CreatedBy))
        .col(ddl.uuid_null(Items::ReviewedBy))
        .col(ddl.uuid_null(Items::ApprovedBy))
        .col(ddl.timestamptz_null(Items::PublishedAt))
        .col(ddl.integer(Items::UsageCount).default(0))
        .col(ddl.integer(Items::AvgResponseTime).default(0))
        .col(ddl.decimal(Items::SuccessRate, 5, 4).default(0))
        .col(ddl.boolean(Items::IsActive).default(true))
        .col(ddl.created_at(Items::CreatedAt))
        .col(ddl.updated_at(Items::UpdatedAt))
        .foreign_key(
            "fk_items_created_by",
            Items::CreatedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .foreign_key(
            "fk_items_reviewed_by",
            Items::ReviewedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .foreign_key(
            "fk_items_approved_by",
            Items::ApprovedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .unique("uq_items_slug", [Items::Slug])
        .check(
            "ck_items_difficulty",
            Expr::col(Items::Difficulty).between(-4, 4),
        )
        .check(
            "ck_items_discrimination",
            Expr::col(Items::Discrimination).gt(0),
        )
        .check(
            "ck_items_guessing",
            Expr::col(Items::Guessing).between(0, 1),
        )
        .check(
            "ck_items_estimated_time",
            Expr::col(Items::EstimatedTime).gt(0),
        )
        .check("ck_items_points", Expr::col(Items::Points).gt(0))
        .check(
            "ck_items_stats",
            Expr::col(Items::Version)
                .gte(1)
                .and(Expr::col(Items::UsageCount).gte(0))
                .and(Expr::col(Items::AvgResponseTime).gte(0))
                .and(Expr::col(Items::SuccessRate).between(0, 1)),
        )
        .index("ix_items_status_active", [Items::Status, Items::IsActive])
        .index("ix_items_difficulty", [Items::Difficulty])
        .index("ix_items_created_by", [Items::CreatedBy])
        .index("ix_items_reviewed_by", [Items::ReviewedBy])
        .index("ix_items_approved_by", [Items::ApprovedBy])
}

pub(crate) fn attempts(ddl: &Ddl) -> crate::ddl::TableDef {
    ddl.partitioned_table(Attempts::Table, Attempts::Id, Attempts::CreatedAt)
        .col(ddl.uuid(Attempts::UserId))
        .col(ddl.uuid(Attempts::ItemId))
        .col(ddl.uuid(Attempts::SessionId))
        .col(ddl.json(Attempts::Selected))
        .col(ddl.boolean(Attempts::Correct))
        .col(ddl.smallint_null(Attempts::Quality))
        .col(ddl.smallint_null(Attempts::Confidence))
        .col(ddl.integer(Attempts::TimeTakenMs))
        .col(ddl.integer(Attempts::HintsUsed).default(0))
        .col(ddl.uuid(Attempts::ClientAttemptId))
        .col(ddl.string_null(Attempts::DeviceType, 20))
        .col(ddl.string_null(Attempts::AppVersion, 20))
        .col(ddl.string_null(Attempts::IpAddress, 45))
        .col(ddl.text_null(Attempts::UserAgent))
        .col(ddl.json_null(Attempts::Sm2StateBefore))
        .col(ddl.json_null(Attempts::Sm2StateAfter))
        .col(ddl.json_null(Attempts::BktStateBefore))
        .col(ddl.json_null(Attempts::BktStateAfter))
        .col(ddl.json_null(Attempts::IrtAbilityBefore))
        .col(ddl.json_null(Attempts::IrtAbilityAfter))
        .col(ddl.timestamptz(Attempts::AttemptedAt).default(ddl.now()))
        .col(ddl.created_at(Attempts::CreatedAt))
        .foreign_key(
            "fk_attempts_user_id",
            Attempts::UserId,
            Users::Table,
            Users::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_attempts_item_id",
            Attempts::ItemId,
            Items::Table,
            Items::Id,
            ForeignKeyAction::Cascade,
        )
        .foreign_key(
            "fk_attempts_session_id",
            Attempts::SessionId,
            PracticeSessions::Table,
            PracticeSessions::Id,
            ForeignKeyAction::Cascade,
        )
        // PostgreSQL: (client_attempt_id, created_at), the partition key appended by the helper.
        .unique("uq_attempts_client_attempt_id", [Attempts::ClientAttemptId])
        .check(
            "ck_attempts_quality",
            null_or_between(Attempts::Quality, 0, 5),
        )
        .check(
            "ck_attempts_confidence",
            null_or_between(Attempts::Confidence, 1, 5),
        )
        .check("ck_attempts_time", Expr::col(Attempts::TimeTakenMs).gt(0))
        .check("ck_attempts_hints", Expr::col(Attempts::HintsUsed).gte(0))
        .index(
            "ix_attempts_user_created",
            [Attempts::UserId, Attempts::CreatedAt],
        )
        .index(
            "ix_attempts_item_created",
            [Attempts::ItemId, Attempts::CreatedAt],
        )
        .index("ix_attempts_session_id", [Attempts::SessionId])
        .index("ix_attempts_created_at", [Attempts::CreatedAt])
}

/// PostgreSQL: the partition function, the DEFAULT partition, and the partitions of the current
/// and the next year. The years are read from the server's clock when the statements run.
fn attempts_partitions_create(backend: DbBackend) -> Vec<String> {
    if backend != DbBackend::Postgres {
        return Vec::new();
    }
    let function = ENSURE_ATTEMPTS_PARTITION;
    let table = Attempts::Table.unquoted();
    let key = Attempts::CreatedAt.unquoted();
    let default = format!("{table}_default");
    // Inside the function body, `%` placeholders belong to format() and RAISE; dynamic names go
    // through %I and bounds through %L, never through concatenation.
    let body = format!(
        r#"
DECLARE
    part_name text := format('{table}_%s', year);
    lower_bound text := format('%s-01-01 00:00:00+00', year);
    upper_bound text := format('%s-01-01 00:00:00+00', year + 1);
BEGIN
    IF year IS NULL OR year < 1970 OR year > 9998 THEN
        RAISE EXCEPTION '{function}: year % is outside 1970..9998', coalesce(year::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass a calendar year, e.g. EXTRACT(YEAR FROM now() AT TIME ZONE ''UTC'')::int + 1.';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_inherits
               WHERE inhparent = '"{table}"'::regclass AND inhrelid = to_regclass(quote_ident(part_name))) THEN
        RETURN part_name;
    END IF;
    -- Writers wait until the year's rows have moved, so none lands in the default partition in
    -- between; a concurrent call waits here too, then finds the partition.
    LOCK TABLE "{default}" IN EXCLUSIVE MODE;
    IF EXISTS (SELECT 1 FROM pg_inherits
               WHERE inhparent = '"{table}"'::regclass AND inhrelid = to_regclass(quote_ident(part_name))) THEN
        RETURN part_name;
    END IF;
    IF to_regclass(quote_ident(part_name)) IS NOT NULL THEN
        RAISE EXCEPTION '{function}: table % exists but is not a partition of {table}', part_name
            USING ERRCODE = 'duplicate_table',
                  HINT = 'A detached partition: re-attach, rename or drop it first.';
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE "{table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part_name);
    EXECUTE format('WITH moved AS (DELETE FROM "{default}" WHERE "{key}" >= %L AND "{key}" < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
                   lower_bound, upper_bound, part_name);
    EXECUTE format('ALTER TABLE "{table}" ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   part_name, lower_bound, upper_bound);
    RETURN part_name;
END
"#
    );
    let this_year = "EXTRACT(YEAR FROM now() AT TIME ZONE 'UTC')::int";
    vec![
        format!(
            "CREATE FUNCTION \"{function}\"(year integer) RETURNS text LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn${body}$fn$"
        ),
        format!("CREATE TABLE \"{default}\" PARTITION OF \"{table}\" DEFAULT"),
        format!("SELECT \"{function}\"({this_year})"),
        format!("SELECT \"{function}\"({this_year} + 1)"),
    ]
}

/// Drops the function; the partitions go with `attempts`.
fn attempts_partitions_drop(backend: DbBackend) -> Vec<String> {
    if backend != DbBackend::Postgres {
        return Vec::new();
    }
    vec![format!(
        "DROP FUNCTION \"{ENSURE_ATTEMPTS_PARTITION}\"(integer)"
    )]
}

#[derive(DeriveIden)]
pub enum Items {
    Table,
    Id,
    Slug,
    Content,
    Choices,
    Correct,
    Explanation,
    Difficulty,
    Discrimination,
    Guessing,
    Topics,
    Jurisdictions,
    ItemType,
    CognitiveLevel,
    MediaRefs,
    ExternalRefs,
    EstimatedTime,
    Points,
    Tags,
    Version,
    Status,
    CreatedBy,
    ReviewedBy,
    ApprovedBy,
    PublishedAt,
    UsageCount,
    AvgResponseTime,
    SuccessRate,
    IsActive,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum Attempts {
    Table,
    Id,
    UserId,
    ItemId,
    SessionId,
    Selected,
    Correct,
    Quality,
    Confidence,
    TimeTakenMs,
    HintsUsed,
    ClientAttemptId,
    DeviceType,
    AppVersion,
    IpAddress,
    UserAgent,
    Sm2StateBefore,
    Sm2StateAfter,
    BktStateBefore,
    BktStateAfter,
    IrtAbilityBefore,
    IrtAbilityAfter,
    AttemptedAt,
    CreatedAt,
}
