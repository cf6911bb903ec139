//! Valid rows for the writing group: unique values derive from the row's id, so every fresh copy
//! is valid on its own (and never collides with the seed's system presets, which every migrated
//! database holds).

use uuid::Uuid;

use crate::common::Backend;
use crate::common::rows::{Row, dec, enum_value, short};

pub fn page_size_preset(b: Backend, id: Uuid, created_by: Uuid) -> Row {
    Row::new("page_size_presets")
        .with("id", id)
        .with("name", format!("B5 {}", short(id)))
        .with("width", dec("176.00"))
        .with("height", dec("250.00"))
        .with("unit", enum_value(b, "length_unit", "mm"))
        .with("is_active", true)
        .with("is_default", false)
        .with("created_by", created_by)
}

pub fn template_preset(b: Backend, id: Uuid, page_size_preset_id: Uuid, created_by: Uuid) -> Row {
    Row::new("template_presets")
        .with("id", id)
        .with("name", format!("Cursive notes {}", short(id)))
        .with("description", "Slanted handwriting for lecture notes")
        .with("page_size_preset_id", page_size_preset_id)
        .with(
            "orientation",
            enum_value(b, "page_orientation", "landscape"),
        )
        .with("margin_top", dec("12.50"))
        .with("margin_right", dec("10.00"))
        .with("margin_bottom", dec("12.50"))
        .with("margin_left", dec("0.00"))
        .with("margin_unit", enum_value(b, "length_unit", "mm"))
        .with("line_height", dec("0.35"))
        .with("line_height_unit", enum_value(b, "length_unit", "in"))
        .with("empty_line_spacing", dec("0.00"))
        .with("text_alignment", enum_value(b, "text_alignment", "center"))
        .with("global_scale", dec("0.900"))
        .with("auto_size", true)
        .with("manual_size_scale", dec("1.250"))
        .with("background_color", "#fdf6e3")
        .with("biases", "0.75|0.75|0.5")
        .with("per_line_styles", "1,1,2")
        .with("stroke_colors", "#000000,#1a1a80")
        .with("stroke_widths", "1.5,2")
        .with("horizontal_stretch", dec("1.100"))
        .with("denoise", true)
        .with("character_width", dec("4.500"))
        .with("wrap_ratio", dec("0.200"))
        .with("wrap_utilization", dec("1.000"))
        .with("use_chunked_generation", true)
        .with("adaptive_chunking", true)
        .with(
            "adaptive_strategy",
            enum_value(b, "chunking_strategy", "punctuation"),
        )
        .with("words_per_chunk", 1)
        .with("chunk_spacing", dec("2.00"))
        .with("max_line_width", dec("180.00"))
        .with("is_active", true)
        .with("created_by", created_by)
}

pub fn character_override_collection(id: Uuid, created_by: Uuid) -> Row {
    Row::new("character_override_collections")
        .with("id", id)
        .with("name", format!("Ada's glyphs {}", short(id)))
        .with(
            "description",
            "Hand-drawn replacements for the model's weak letters",
        )
        .with("created_by", created_by)
        .with("is_active", true)
}

/// A glyph override whose glyph derives from its id; tests that are about glyphs set it.
pub fn character_override(id: Uuid, collection_id: Uuid) -> Row {
    Row::new("character_overrides")
        .with("id", id)
        .with("collection_id", collection_id)
        .with("glyph", id.simple().to_string()[24..].to_owned())
        .with(
            "svg_data",
            "<path d=\"M10 90 L50 10 L90 90 M30 50 L70 50\" stroke=\"black\" fill=\"none\"/>",
        )
        .with("viewbox_x", dec("-5.000"))
        .with("viewbox_y", dec("0.000"))
        .with("viewbox_width", dec("110.000"))
        .with("viewbox_height", dec("100.000"))
        .with("baseline_offset", dec("-12.500"))
}
