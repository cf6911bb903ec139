//! Module 19 `seed` (SPEC.md §21): the reference rows every database starts with. 16 rows with
//! fixed ids: 4 page sizes (ISO 216 and ANSI, in millimetres; A4 is the default), 3 handwriting
//! templates on A4, the 3 KG practice strategies, and KG's anonymous guest user with its
//! 5 preferences.
//!
//! The inserts are idempotent and keyed on natural keys (`name` for presets and strategies, `id`
//! for the user, `(user_id, preference_key)` for preferences): `ON CONFLICT (..) DO NOTHING` on
//! PostgreSQL and SQLite, `ON DUPLICATE KEY UPDATE id = id` on the MySQL family (SPEC.md §17.6).
//! A row that already exists, perhaps edited since, is left as it is. `down()` deletes exactly
//! these ids, in the reverse order; for the presets only while they are still system rows
//! (`created_by IS NULL`), as WB did, so a preset a user has taken over survives.
//!
//! Decimals are written as SQL literals (`Expr::cust("210.00")`), so every backend stores exactly
//! the spec's value; JSON documents are bound as JSON. The anonymous user's email, password hash
//! and salt are left out and so NULL: KG's `''` made a login with an empty password conceivable,
//! NULL makes it impossible. Template columns the spec does not list take their defaults.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::prelude::Uuid;
use serde_json::json;

use crate::ddl::{Ddl, ReferenceRows, Step, TableGroup};
use crate::m20261121_000001_users::{ROLE, UserPreferences, Users};
use crate::m20261121_000007_practice::{PRACTICE_STRATEGY_TYPE, PracticeStrategies};
use crate::m20261121_000015_writing::{
    LENGTH_UNIT, PAGE_ORIENTATION, PageSizePresets, TEXT_ALIGNMENT, TemplatePresets,
};

const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[],
    steps: &[
        Step::Rows(page_size_presets),
        Step::Rows(template_presets),
        Step::Rows(practice_strategies),
        Step::Rows(anonymous_user),
        Step::Rows(anonymous_user_preferences),
    ],
};

crate::group_migration!(GROUP);

/// A4, the page size of every seed template.
const A4: Uuid = Uuid::from_u128(0x00000000_0000_7000_8000_000000000102);
/// KG's guest account: the nil UUID.
const ANONYMOUS: Uuid = Uuid::nil();

fn page_size_presets(ddl: &Ddl) -> ReferenceRows {
    let mm = ddl.enum_value(&LENGTH_UNIT, const { LENGTH_UNIT.value("mm") });
    let row =
        |id: Uuid, name: &str, width: &'static str, height: &'static str, is_default: bool| {
            let values = vec![
                Expr::val(id),
                Expr::val(name),
                Expr::cust(width),
                Expr::cust(height),
                mm.clone(),
                Expr::val(true),
                Expr::val(is_default),
            ];
            (id, values)
        };
    ReferenceRows {
        table: PageSizePresets::Table.into_iden(),
        id: PageSizePresets::Id.into_iden(),
        conflict: vec![PageSizePresets::Name.into_iden()],
        columns: vec![
            PageSizePresets::Id.into_iden(),
            PageSizePresets::Name.into_iden(),
            PageSizePresets::Width.into_iden(),
            PageSizePresets::Height.into_iden(),
            PageSizePresets::Unit.into_iden(),
            PageSizePresets::IsActive.into_iden(),
            PageSizePresets::IsDefault.into_iden(),
        ],
        rows: vec![
            row(
                Uuid::from_u128(0x00000000_0000_7000_8000_000000000101),
                "A5",
                "148.00",
                "210.00",
                false,
            ),
            row(A4, "A4", "210.00", "297.00", true),
            row(
                Uuid::from_u128(0x00000000_0000_7000_8000_000000000103),
                "Letter",
                "215.90",
                "279.40",
                false,
            ),
            row(
                Uuid::from_u128(0x00000000_0000_7000_8000_000000000104),
                "Legal",
                "215.90",
                "355.60",
                false,
            ),
        ],
        system_marker: Some(PageSizePresets::CreatedBy.into_iden()),
    }
}

fn template_presets(ddl: &Ddl) -> ReferenceRows {
    let portrait = ddl.enum_value(
        &PAGE_ORIENTATION,
        const { PAGE_ORIENTATION.value("portrait") },
    );
    let left = ddl.enum_value(&TEXT_ALIGNMENT, const { TEXT_ALIGNMENT.value("left") });
    let mm = ddl.enum_value(&LENGTH_UNIT, const { LENGTH_UNIT.value("mm") });
    let row = |id: Uuid,
               name: &str,
               description: &str,
               margin: &'static str,
               line_height: &'static str,
               global_scale: &'static str| {
        let values = vec![
            Expr::val(id),
            Expr::val(name),
            Expr::val(description),
            Expr::val(A4),
            portrait.clone(),
            Expr::cust(margin),
            Expr::cust(margin),
            Expr::cust(margin),
            Expr::cust(margin),
            mm.clone(),
            Expr::cust(line_height),
            mm.clone(),
            left.clone(),
            Expr::cust(global_scale),
            Expr::cust("1.000"),
        ];
        (id, values)
    };
    ReferenceRows {
        table: TemplatePresets::Table.into_iden(),
        id: TemplatePresets::Id.into_iden(),
        conflict: vec![TemplatePresets::Name.into_iden()],
        columns: vec![
            TemplatePresets::Id.into_iden(),
            TemplatePresets::Name.into_iden(),
            TemplatePresets::Description.into_iden(),
            TemplatePresets::PageSizePresetId.into_iden(),
            TemplatePresets::Orientation.into_iden(),
            TemplatePresets::MarginTop.into_iden(),
            TemplatePresets::MarginRight.into_iden(),
            TemplatePresets::MarginBottom.into_iden(),
            TemplatePresets::MarginLeft.into_iden(),
            TemplatePresets::MarginUnit.into_iden(),
            TemplatePresets::LineHeight.into_iden(),
            TemplatePresets::LineHeightUnit.into_iden(),
            TemplatePresets::TextAlignment.into_iden(),
            TemplatePresets::GlobalScale.into_iden(),
            TemplatePresets::HorizontalStretch.into_iden(),
        ],
        rows: vec![
            row(
                Uuid::from_u128(0x00000000_0000_7000_8000_000000000201),
                "Standard Handwriting",
                "Default handwriting style with standard spacing",
                "15.00",
                "8.00",
                "1.000",
            ),
            row(
                Uuid::from_u128(0x00000000_0000_7000_8000_000000000202),
                "Compact Notes",
                "Smaller text with tighter spacing for note-taking",
                "10.00",
                "6.00",
                "0.800",
            ),
            row(
                Uuid::from_u128(0x00000000_0000_7000_8000_000000000203),
                "Large Print",
                "Larger, more readable text with generous spacing",
                "20.00",
                "10.00",
                "1.200",
            ),
        ],
        system_marker: Some(TemplatePresets::CreatedBy.into_iden()),
    }
}

fn practice_strategies(ddl: &Ddl) -> ReferenceRows {
    let row = |id: Uuid,
               name: &str,
               strategy_type: &'static str,
               description: &str,
               config: serde_json::Value,
               priority: i32| {
        let values = vec![
            Expr::val(id),
            Expr::val(name),
            ddl.enum_value(&PRACTICE_STRATEGY_TYPE, strategy_type),
            Expr::val(description),
            Expr::val(config),
            Expr::val(priority),
        ];
        (id, values)
    };
    ReferenceRows {
        table: PracticeStrategies::Table.into_iden(),
        id: PracticeStrategies::Id.into_iden(),
        conflict: vec![PracticeStrategies::Name.into_iden()],
        columns: vec![
            PracticeStrategies::Id.into_iden(),
            PracticeStrategies::Name.into_iden(),
            PracticeStrategies::StrategyType.into_iden(),
            PracticeStrategies::Description.into_iden(),
            PracticeStrategies::Config.into_iden(),
            PracticeStrategies::Priority.into_iden(),
        ],
        rows: vec![
            row(
                Uuid::from_u128(0x00000000_0000_7000_8000_000000000301),
                "Quick Practice",
                const { PRACTICE_STRATEGY_TYPE.value("QUICK_PRACTICE") },
                "Fast-paced practice session for quick review",
                json!({"time_limit": 15, "question_count": 10}),
                1,
            ),
            row(
                Uuid::from_u128(0x00000000_0000_7000_8000_000000000302),
                "Weakness Reinforcement",
                const { PRACTICE_STRATEGY_TYPE.value("WEAKNESS_REINFORCEMENT") },
                "Focus on areas where you need improvement",
                json!({"threshold": 60, "min_attempts": 3}),
                2,
            ),
            row(
                Uuid::from_u128(0x00000000_0000_7000_8000_000000000303),
                "Mistake Reinforcement",
                const { PRACTICE_STRATEGY_TYPE.value("MISTAKE_REINFORCEMENT") },
                "Review and practice previously incorrect answers",
                json!({"review_interval_days": 3, "max_reviews": 5}),
                3,
            ),
        ],
        system_marker: None,
    }
}

fn anonymous_user(ddl: &Ddl) -> ReferenceRows {
    ReferenceRows {
        table: Users::Table.into_iden(),
        id: Users::Id.into_iden(),
        conflict: vec![Users::Id.into_iden()],
        columns: vec![
            Users::Id.into_iden(),
            Users::Username.into_iden(),
            Users::FullName.into_iden(),
            Users::Role.into_iden(),
            Users::IsActive.into_iden(),
        ],
        rows: vec![(
            ANONYMOUS,
            vec![
                Expr::val(ANONYMOUS),
                Expr::val("anonymous"),
                Expr::val("Anonymous User"),
                ddl.enum_value(&ROLE, const { ROLE.value("student") }),
                Expr::val(true),
            ],
        )],
        system_marker: None,
    }
}

fn anonymous_user_preferences(_: &Ddl) -> ReferenceRows {
    let row = |id: u128, key: &str, value: serde_json::Value| {
        let id = Uuid::from_u128(id);
        (
            id,
            vec![
                Expr::val(id),
                Expr::val(ANONYMOUS),
                Expr::val(key),
                Expr::val(value),
            ],
        )
    };
    ReferenceRows {
        table: UserPreferences::Table.into_iden(),
        id: UserPreferences::Id.into_iden(),
        conflict: vec![
            UserPreferences::UserId.into_iden(),
            UserPreferences::PreferenceKey.into_iden(),
        ],
        columns: vec![
            UserPreferences::Id.into_iden(),
            UserPreferences::UserId.into_iden(),
            UserPreferences::PreferenceKey.into_iden(),
            UserPreferences::PreferenceValue.into_iden(),
        ],
        rows: vec![
            row(
                0x00000000_0000_7000_8000_000000000401,
                "theme",
                json!("light"),
            ),
            row(
                0x00000000_0000_7000_8000_000000000402,
                "language",
                json!("zh-CN"),
            ),
            row(
                0x00000000_0000_7000_8000_000000000403,
                "notifications",
                json!(false),
            ),
            row(
                0x00000000_0000_7000_8000_000000000404,
                "autoSave",
                json!(true),
            ),
            row(
                0x00000000_0000_7000_8000_000000000405,
                "practiceSettings",
                json!({
                    "defaultQuestionCount": 20,
                    "defaultTimeLimit": 30,
                    "showAnswerImmediately": true,
                    "enableSoundEffects": false
                }),
            ),
        ],
        system_marker: None,
    }
}
