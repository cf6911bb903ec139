//! Module 17 `triggers` (SPEC.md §19): `updated_at` maintenance for the 48 tables that have the
//! column.
//!
//! The table list is not written here: it is every table of the sixteen groups whose definition
//! has an `updated_at` column, so a table cannot be added without its trigger. PostgreSQL gets one
//! function, `set_updated_at()`, and a `BEFORE UPDATE` trigger per table; SQLite an `AFTER UPDATE`
//! trigger per table, guarded by `WHEN NEW.updated_at IS OLD.updated_at`; the MySQL family
//! nothing, because its column already carries `ON UPDATE CURRENT_TIMESTAMP(6)` (TiDB has no
//! triggers), so this migration is empty there.
//!
//! Deviation: §19's function sets `NEW.updated_at := now()` unconditionally. Here it does so only
//! when the UPDATE left `updated_at` as it was, so a value the UPDATE sets explicitly is kept, as
//! MySQL's `ON UPDATE` and SQLite's `WHEN` guard keep it: the three backends behave alike.

use sea_orm_migration::prelude::*;

use crate::ddl::{Step, TableGroup};

const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[],
    steps: &[Step::UpdatedAtTriggers(&[
        &crate::m20261121_000001_users::GROUP,
        &crate::m20261121_000002_content::GROUP,
        &crate::m20261121_000003_courses::GROUP,
        &crate::m20261121_000004_enrollments::GROUP,
        &crate::m20261121_000005_assessments::GROUP,
        &crate::m20261121_000006_progress::GROUP,
        &crate::m20261121_000007_practice::GROUP,
        &crate::m20261121_000008_adaptive::GROUP,
        &crate::m20261121_000009_collaborative::GROUP,
        &crate::m20261121_000010_plugins::GROUP,
        &crate::m20261121_000011_communication::GROUP,
        &crate::m20261121_000012_notifications::GROUP,
        &crate::m20261121_000013_analytics::GROUP,
        &crate::m20261121_000014_payments::GROUP,
        &crate::m20261121_000015_writing::GROUP,
        &crate::m20261121_000016_activity::GROUP,
    ])],
};

crate::group_migration!(GROUP);
