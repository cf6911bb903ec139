//! Module 15 `writing` (SPEC.md §16a): page_size_presets, template_presets, character_override_collections, character_overrides.
//!
//! TODO(scaffold): module doc (what the group holds, deviations), enums, one function per table.

use sea_orm_migration::prelude::*;

use crate::ddl::TableGroup;

const GROUP: TableGroup = TableGroup {
    enums: &[],
    tables: &[],
    steps: &[],
};

crate::group_migration!(GROUP);

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
