//! The writing group (SPEC.md §16a): page_size_presets, template_presets,
//! character_override_collections, character_overrides.

use super::*;

use crate::common::factories::writing::{
    character_override, character_override_collection, page_size_preset, template_preset,
};

on_every_backend!(
    writing_group_rejects_invalid_rows,
    writing_group_rejects_invalid_rows
);

async fn writing_group_rejects_invalid_rows(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let b = backend;
    let mut c = Cases::new(&t);
    let new = Uuid::now_v7;

    let (ada, b5, glyphs, other_glyphs) = (new(), new(), new(), new());
    c.accepted(user(b, ada)).await;
    let preset = c.accepted(page_size_preset(b, b5, ada)).await;
    let template = c.accepted(template_preset(b, new(), b5, ada)).await;
    let collection = c.accepted(character_override_collection(glyphs, ada)).await;
    c.accepted(character_override_collection(other_glyphs, ada))
        .await;
    c.accepted(character_override(new(), glyphs).with("glyph", "a"))
        .await;

    // page_size_presets
    let fresh = || page_size_preset(b, new(), ada);
    for (column, value, case) in [
        ("width", "0.00", "zero width"),
        ("height", "-1.00", "negative height"),
    ] {
        let row = fresh().with(column, dec(value));
        c.rejected(row, Check("ck_page_size_presets_dims"), case)
            .await;
    }
    c.rejected(
        fresh().with("name", preset.get("name")),
        Unique("uq_page_size_presets_name"),
        "duplicate name",
    )
    .await;
    c.rejected(
        fresh().with("created_by", nobody()),
        ForeignKey("fk_page_size_presets_created_by"),
        "orphan created_by",
    )
    .await;
    c.rejects_enum(fresh(), "unit", "length_unit", "pt").await;
    c.accepted(fresh()).await;
    // A system preset: no owner.
    c.accepted(fresh().without("created_by")).await;

    // template_presets
    let fresh = || template_preset(b, new(), b5, ada);
    for margin in ["margin_top", "margin_right", "margin_bottom", "margin_left"] {
        let case = format!("negative {margin}");
        let row = fresh().with(margin, dec("-0.01"));
        c.rejected(row, Check("ck_template_presets_margins"), &case)
            .await;
    }
    c.rejected(
        fresh().with("line_height", dec("0.00")),
        Check("ck_template_presets_line_height"),
        "zero line_height",
    )
    .await;
    for (column, value) in [
        ("global_scale", "0.000"),
        ("horizontal_stretch", "-1.000"),
        ("manual_size_scale", "0.000"),
    ] {
        let case = format!("{column} {value}");
        let row = fresh().with(column, dec(value));
        c.rejected(row, Check("ck_template_presets_scales"), &case)
            .await;
    }
    for value in ["1.001", "-0.001"] {
        let case = format!("wrap_utilization {value}");
        let row = fresh().with("wrap_utilization", dec(value));
        c.rejected(row, Check("ck_template_presets_wrap"), &case)
            .await;
    }
    c.rejected(
        fresh().with("words_per_chunk", 0),
        Check("ck_template_presets_chunk"),
        "zero words_per_chunk",
    )
    .await;
    c.rejected(
        fresh().with("name", template.get("name")),
        Unique("uq_template_presets_name"),
        "duplicate name",
    )
    .await;
    for (column, fk) in [
        (
            "page_size_preset_id",
            "fk_template_presets_page_size_preset_id",
        ),
        ("created_by", "fk_template_presets_created_by"),
    ] {
        let case = format!("orphan {column}");
        let row = fresh().with(column, nobody());
        c.rejected(row, ForeignKey(fk), &case).await;
    }
    c.rejects_enum(fresh(), "orientation", "page_orientation", "upside_down")
        .await;
    c.rejects_enum(fresh(), "margin_unit", "length_unit", "pt")
        .await;
    c.rejects_enum(fresh(), "line_height_unit", "length_unit", "em")
        .await;
    c.rejects_enum(fresh(), "text_alignment", "text_alignment", "justify")
        .await;
    c.rejects_enum(fresh(), "adaptive_strategy", "chunking_strategy", "greedy")
        .await;
    c.accepted(fresh()).await;
    // Every nullable rule column left to its default, and the optional ones unset.
    c.accepted(
        fresh()
            .without("line_height")
            .without("manual_size_scale")
            .without("wrap_utilization")
            .without("words_per_chunk")
            .without("page_size_preset_id")
            .without("created_by"),
    )
    .await;

    // character_override_collections
    let fresh = || character_override_collection(new(), ada);
    c.rejected(
        fresh().with("name", collection.get("name")),
        Unique("uq_character_override_collections_name"),
        "duplicate name",
    )
    .await;
    c.rejected(
        fresh().with("created_by", nobody()),
        ForeignKey("fk_character_override_collections_created_by"),
        "orphan created_by",
    )
    .await;
    c.accepted(fresh()).await;

    // character_overrides: the collection already holds 'a'.
    let fresh = || character_override(new(), glyphs);
    for (column, value) in [("viewbox_width", "0.000"), ("viewbox_height", "-1.000")] {
        let case = format!("{column} {value}");
        let row = fresh().with(column, dec(value));
        c.rejected(row, Check("ck_character_overrides_viewbox"), &case)
            .await;
    }
    c.rejected(
        fresh().with("glyph", "a"),
        Unique("uq_character_overrides_collection_glyph"),
        "second 'a' in one collection",
    )
    .await;
    c.rejected(
        fresh().with("collection_id", nobody()),
        ForeignKey("fk_character_overrides_collection_id"),
        "orphan collection_id",
    )
    .await;
    c.accepted(fresh()).await;
    // Glyphs compare byte by byte on every backend (utf8mb4_bin on MySQL): 'A' is not 'a'.
    c.accepted(fresh().with("glyph", "A")).await;
    // The same glyph in another collection.
    c.accepted(character_override(new(), other_glyphs).with("glyph", "a"))
        .await;

    c.finish("writing").await;
}
