//! Module 15 `writing` (SPEC.md §16a): page_size_presets, template_presets,
//! character_override_collections, character_overrides.
//!
//! The WriteBot handwriting tables. Presets and collections are shared reference data that a user
//! may have created (`created_by`, cleared when the user goes) or that the system owns
//! (`created_by` NULL; the seed rows of module 19). The WB unit, orientation, alignment and
//! chunking lists become the enums `length_unit`, `page_orientation`, `text_alignment` and
//! `chunking_strategy`. `character_overrides.glyph` (WB `character`, reserved in MySQL) compares
//! byte by byte on every backend, so 'a' and 'A' are different glyphs of one collection.
//!
//! Not built: the optional PostgreSQL/SQLite partial unique index allowing one default page size
//! (SPEC.md marks it optional; the MySQL family cannot express it, and `data_integrity_checks`
//! reports `multiple_defaults` on every backend instead).

use sea_orm_migration::prelude::*;

use crate::ddl::{DbEnum, Ddl, TableDef, TableGroup, null_or_between, null_or_positive};
use crate::m20261121_000001_users::Users;

pub const LENGTH_UNIT: DbEnum = DbEnum {
    name: "length_unit",
    values: &["mm", "cm", "in", "px"],
};
pub const PAGE_ORIENTATION: DbEnum = DbEnum {
    name: "page_orientation",
    values: &["portrait", "landscape"],
};
pub const TEXT_ALIGNMENT: DbEnum = DbEnum {
    name: "text_alignment",
    values: &["left", "center", "right"],
};
pub const CHUNKING_STRATEGY: DbEnum = DbEnum {
    name: "chunking_strategy",
    values: &[
        "off",
        "balanced",
        "word_length",
        "sentence",
        "punctuation",
        "fixed",
    ],
};

pub(crate) const GROUP: TableGroup = TableGroup {
    enums: &[
        &LENGTH_UNIT,
        &PAGE_ORIENTATION,
        &TEXT_ALIGNMENT,
        &CHUNKING_STRATEGY,
    ],
    tables: &[
        page_size_presets,
        template_presets,
        character_override_collections,
        character_overrides,
    ],
    steps: &[],
};

crate::group_migration!(GROUP);

fn page_size_presets(ddl: &Ddl) -> TableDef {
    ddl.table(PageSizePresets::Table)
        .col(ddl.id(PageSizePresets::Id))
        .col(ddl.string(PageSizePresets::Name, 100))
        .col(ddl.decimal(PageSizePresets::Width, 8, 2))
        .col(ddl.decimal(PageSizePresets::Height, 8, 2))
        .col(
            ddl.enumeration(PageSizePresets::Unit, &LENGTH_UNIT)
                .default(const { LENGTH_UNIT.value("mm") }),
        )
        .col(ddl.boolean(PageSizePresets::IsActive).default(true))
        .col(ddl.boolean(PageSizePresets::IsDefault).default(false))
        .col(ddl.uuid_null(PageSizePresets::CreatedBy))
        .col(ddl.created_at(PageSizePresets::CreatedAt))
        .col(ddl.updated_at(PageSizePresets::UpdatedAt))
        .foreign_key(
            "fk_page_size_presets_created_by",
            PageSizePresets::CreatedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .unique("uq_page_size_presets_name", [PageSizePresets::Name])
        .check(
            "ck_page_size_presets_dims",
            Expr::col(PageSizePresets::Width)
                .gt(0)
                .and(Expr::col(PageSizePresets::Height).gt(0)),
        )
        .index("ix_page_size_presets_active", [PageSizePresets::IsActive])
        .index("ix_page_size_presets_default", [PageSizePresets::IsDefault])
        .index(
            "ix_page_size_presets_created_by",
            [PageSizePresets::CreatedBy],
        )
}

fn template_presets(ddl: &Ddl) -> TableDef {
    ddl.table(TemplatePresets::Table)
        .col(ddl.id(TemplatePresets::Id))
        .col(ddl.string(TemplatePresets::Name, 150))
        .col(ddl.text_null(TemplatePresets::Description))
        .col(ddl.uuid_null(TemplatePresets::PageSizePresetId))
        .col(
            ddl.enumeration(TemplatePresets::Orientation, &PAGE_ORIENTATION)
                .default(const { PAGE_ORIENTATION.value("portrait") }),
        )
        .col(ddl.decimal(TemplatePresets::MarginTop, 6, 2).default(10))
        .col(ddl.decimal(TemplatePresets::MarginRight, 6, 2).default(10))
        .col(ddl.decimal(TemplatePresets::MarginBottom, 6, 2).default(10))
        .col(ddl.decimal(TemplatePresets::MarginLeft, 6, 2).default(10))
        .col(
            ddl.enumeration(TemplatePresets::MarginUnit, &LENGTH_UNIT)
                .default(const { LENGTH_UNIT.value("mm") }),
        )
        .col(
            ddl.decimal_null(TemplatePresets::LineHeight, 6, 2)
                .default(7.0),
        )
        .col(
            ddl.enumeration(TemplatePresets::LineHeightUnit, &LENGTH_UNIT)
                .default(const { LENGTH_UNIT.value("mm") }),
        )
        .col(
            ddl.decimal_null(TemplatePresets::EmptyLineSpacing, 6, 2)
                .default(0),
        )
        .col(
            ddl.enumeration(TemplatePresets::TextAlignment, &TEXT_ALIGNMENT)
                .default(const { TEXT_ALIGNMENT.value("left") }),
        )
        .col(ddl.decimal(TemplatePresets::GlobalScale, 6, 3).default(1.0))
        .col(ddl.boolean(TemplatePresets::AutoSize).default(false))
        .col(
            ddl.decimal_null(TemplatePresets::ManualSizeScale, 6, 3)
                .default(1.0),
        )
        .col(
            ddl.string_null(TemplatePresets::BackgroundColor, 20)
                .default("#ffffff"),
        )
        .col(ddl.text_null(TemplatePresets::Biases))
        .col(ddl.text_null(TemplatePresets::PerLineStyles))
        .col(ddl.text_null(TemplatePresets::StrokeColors))
        .col(ddl.text_null(TemplatePresets::StrokeWidths))
        .col(
            ddl.decimal(TemplatePresets::HorizontalStretch, 6, 3)
                .default(1.0),
        )
        .col(ddl.boolean(TemplatePresets::Denoise).default(false))
        .col(
            ddl.decimal_null(TemplatePresets::CharacterWidth, 8, 3)
                .default(5.0),
        )
        .col(
            ddl.decimal_null(TemplatePresets::WrapRatio, 6, 3)
                .default(0),
        )
        .col(
            ddl.decimal_null(TemplatePresets::WrapUtilization, 6, 3)
                .default(0.9),
        )
        .col(
            ddl.boolean(TemplatePresets::UseChunkedGeneration)
                .default(false),
        )
        .col(
            ddl.boolean(TemplatePresets::AdaptiveChunking)
                .default(false),
        )
        .col(
            ddl.enumeration_null(TemplatePresets::AdaptiveStrategy, &CHUNKING_STRATEGY)
                .default(const { CHUNKING_STRATEGY.value("balanced") }),
        )
        .col(ddl.integer_null(TemplatePresets::WordsPerChunk).default(5))
        .col(
            ddl.decimal_null(TemplatePresets::ChunkSpacing, 6, 2)
                .default(0),
        )
        .col(ddl.decimal_null(TemplatePresets::MaxLineWidth, 8, 2))
        .col(ddl.boolean(TemplatePresets::IsActive).default(true))
        .col(ddl.uuid_null(TemplatePresets::CreatedBy))
        .col(ddl.created_at(TemplatePresets::CreatedAt))
        .col(ddl.updated_at(TemplatePresets::UpdatedAt))
        .foreign_key(
            "fk_template_presets_page_size_preset_id",
            TemplatePresets::PageSizePresetId,
            PageSizePresets::Table,
            PageSizePresets::Id,
            ForeignKeyAction::SetNull,
        )
        .foreign_key(
            "fk_template_presets_created_by",
            TemplatePresets::CreatedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .unique("uq_template_presets_name", [TemplatePresets::Name])
        .check(
            "ck_template_presets_margins",
            Expr::col(TemplatePresets::MarginTop)
                .gte(0)
                .and(Expr::col(TemplatePresets::MarginRight).gte(0))
                .and(Expr::col(TemplatePresets::MarginBottom).gte(0))
                .and(Expr::col(TemplatePresets::MarginLeft).gte(0)),
        )
        .check(
            "ck_template_presets_line_height",
            null_or_positive(TemplatePresets::LineHeight),
        )
        .check(
            "ck_template_presets_scales",
            Expr::col(TemplatePresets::GlobalScale)
                .gt(0)
                .and(Expr::col(TemplatePresets::HorizontalStretch).gt(0))
                .and(null_or_positive(TemplatePresets::ManualSizeScale)),
        )
        .check(
            "ck_template_presets_wrap",
            null_or_between(TemplatePresets::WrapUtilization, 0, 1),
        )
        .check(
            "ck_template_presets_chunk",
            null_or_positive(TemplatePresets::WordsPerChunk),
        )
        .index(
            "ix_template_presets_page_size",
            [TemplatePresets::PageSizePresetId],
        )
        .index("ix_template_presets_active", [TemplatePresets::IsActive])
        .index(
            "ix_template_presets_created_by",
            [TemplatePresets::CreatedBy],
        )
}

fn character_override_collections(ddl: &Ddl) -> TableDef {
    ddl.table(CharacterOverrideCollections::Table)
        .col(ddl.id(CharacterOverrideCollections::Id))
        .col(ddl.string(CharacterOverrideCollections::Name, 150))
        .col(ddl.text_null(CharacterOverrideCollections::Description))
        .col(ddl.uuid_null(CharacterOverrideCollections::CreatedBy))
        .col(
            ddl.boolean(CharacterOverrideCollections::IsActive)
                .default(true),
        )
        .col(ddl.created_at(CharacterOverrideCollections::CreatedAt))
        .col(ddl.updated_at(CharacterOverrideCollections::UpdatedAt))
        .foreign_key(
            "fk_character_override_collections_created_by",
            CharacterOverrideCollections::CreatedBy,
            Users::Table,
            Users::Id,
            ForeignKeyAction::SetNull,
        )
        .unique(
            "uq_character_override_collections_name",
            [CharacterOverrideCollections::Name],
        )
        .index(
            "ix_character_override_collections_active",
            [CharacterOverrideCollections::IsActive],
        )
        .index(
            "ix_character_override_collections_created_by",
            [CharacterOverrideCollections::CreatedBy],
        )
}

fn character_overrides(ddl: &Ddl) -> TableDef {
    ddl.table(CharacterOverrides::Table)
        .col(ddl.id(CharacterOverrides::Id))
        .col(ddl.uuid(CharacterOverrides::CollectionId))
        .col(ddl.string_binary(CharacterOverrides::Glyph, 10))
        .col(ddl.text(CharacterOverrides::SvgData))
        .col(ddl.decimal(CharacterOverrides::ViewboxX, 10, 3).default(0))
        .col(ddl.decimal(CharacterOverrides::ViewboxY, 10, 3).default(0))
        .col(
            ddl.decimal(CharacterOverrides::ViewboxWidth, 10, 3)
                .default(100),
        )
        .col(
            ddl.decimal(CharacterOverrides::ViewboxHeight, 10, 3)
                .default(100),
        )
        .col(
            ddl.decimal(CharacterOverrides::BaselineOffset, 10, 3)
                .default(0),
        )
        .col(ddl.created_at(CharacterOverrides::CreatedAt))
        .col(ddl.updated_at(CharacterOverrides::UpdatedAt))
        .foreign_key(
            "fk_character_overrides_collection_id",
            CharacterOverrides::CollectionId,
            CharacterOverrideCollections::Table,
            CharacterOverrideCollections::Id,
            ForeignKeyAction::Cascade,
        )
        .unique(
            "uq_character_overrides_collection_glyph",
            [CharacterOverrides::CollectionId, CharacterOverrides::Glyph],
        )
        .check(
            "ck_character_overrides_viewbox",
            Expr::col(CharacterOverrides::ViewboxWidth)
                .gt(0)
                .and(Expr::col(CharacterOverrides::ViewboxHeight).gt(0)),
        )
}

#[derive(DeriveIden)]
pub enum PageSizePresets {
    Table,
    Id,
    Name,
    Width,
    Height,
    Unit,
    IsActive,
    IsDefault,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum TemplatePresets {
    Table,
    Id,
    Name,
    Description,
    PageSizePresetId,
    Orientation,
    MarginTop,
    MarginRight,
    MarginBottom,
    MarginLeft,
    MarginUnit,
    LineHeight,
    LineHeightUnit,
    EmptyLineSpacing,
    TextAlignment,
    GlobalScale,
    AutoSize,
    ManualSizeScale,
    BackgroundColor,
    Biases,
    PerLineStyles,
    StrokeColors,
    StrokeWidths,
    HorizontalStretch,
    Denoise,
    CharacterWidth,
    WrapRatio,
    WrapUtilization,
    UseChunkedGeneration,
    AdaptiveChunking,
    AdaptiveStrategy,
    WordsPerChunk,
    ChunkSpacing,
    MaxLineWidth,
    IsActive,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum CharacterOverrideCollections {
    Table,
    Id,
    Name,
    Description,
    CreatedBy,
    IsActive,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
pub enum CharacterOverrides {
    Table,
    Id,
    CollectionId,
    Glyph,
    SvgData,
    ViewboxX,
    ViewboxY,
    ViewboxWidth,
    ViewboxHeight,
    BaselineOffset,
    CreatedAt,
    UpdatedAt,
}
