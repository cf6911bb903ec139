//! WriteBot (modules `writing`, `activity`): users' templates on the page sizes migration 19
//! seeded, glyph override collections, and the activity log and daily usage counters.

use chrono::TimeDelta;
use entity::sea_orm_active_enums::{ChunkingStrategy, LengthUnit, PageOrientation, TextAlignment};
use entity::{
    character_override_collections, character_overrides, template_presets, usage_statistics,
    user_activities,
};
use fake::Fake;
use fake::faker::company::en::Buzzword;
use fake::faker::internet::en::{IPv4, UserAgent};
use fake::faker::lorem::en::Sentence;
use rand::Rng;
use sea_orm::IntoActiveModel;
use serde_json::json;
use uuid::Uuid;

use super::det::{ACTIVITY, Ctx, SETUP, dec};
use super::people::{learner, user};
use super::plan::{GLYPHS, USAGE_DAYS_PER_LEARNER};

/// The page sizes of migration 19 (SPEC.md §21): A5, A4, Letter, Legal.
pub const PAGE_SIZES: [Uuid; 4] = [
    Uuid::from_u128(0x00000000_0000_7000_8000_000000000101),
    Uuid::from_u128(0x00000000_0000_7000_8000_000000000102),
    Uuid::from_u128(0x00000000_0000_7000_8000_000000000103),
    Uuid::from_u128(0x00000000_0000_7000_8000_000000000104),
];

pub fn template_presets(
    ctx: &Ctx,
) -> impl Iterator<Item = template_presets::ActiveModel> + Send + '_ {
    let n = 5 * ctx.n.scale;
    (0..n).map(move |i| {
        let mut rng = ctx.rng("template_presets", i);
        let created = ctx.at_in("template_presets", i, n, ACTIVITY);
        let margin = dec(rng.random_range(500..2500), 2);
        let chunked = i.is_multiple_of(2);
        template_presets::Model {
            id: ctx.id("template_presets", i, created),
            name: format!(
                "{} notes {}",
                Buzzword().fake_with_rng::<String, _>(&mut rng),
                i + 1
            ),
            description: Some(Sentence(4..10).fake_with_rng(&mut rng)),
            page_size_preset_id: Some(PAGE_SIZES[i as usize % PAGE_SIZES.len()]),
            orientation: if i % 4 == 3 {
                PageOrientation::Landscape
            } else {
                PageOrientation::Portrait
            },
            margin_top: margin,
            margin_right: margin,
            margin_bottom: margin,
            margin_left: margin,
            margin_unit: LengthUnit::Mm,
            line_height: Some(dec(rng.random_range(500..1200), 2)),
            line_height_unit: LengthUnit::Mm,
            empty_line_spacing: Some(dec(0, 2)),
            text_alignment: [
                TextAlignment::Left,
                TextAlignment::Center,
                TextAlignment::Right,
            ][i as usize % 3]
                .clone(),
            global_scale: dec(rng.random_range(700..1400), 3),
            auto_size: i.is_multiple_of(3),
            manual_size_scale: Some(dec(1000, 3)),
            background_color: Some(["#ffffff", "#fdf6e3", "#f0f0f0"][i as usize % 3].to_owned()),
            biases: Some("0.75|0.8|0.9".to_owned()),
            per_line_styles: Some("1,2,3".to_owned()),
            stroke_colors: Some("#000000,#1a237e".to_owned()),
            stroke_widths: Some("1.0,1.5".to_owned()),
            horizontal_stretch: dec(1000, 3),
            denoise: i % 2 == 1,
            character_width: Some(dec(5000, 3)),
            wrap_ratio: Some(dec(0, 3)),
            wrap_utilization: Some(dec(rng.random_range(700..=1000), 3)),
            use_chunked_generation: chunked,
            adaptive_chunking: chunked && i.is_multiple_of(4),
            adaptive_strategy: Some(
                [
                    ChunkingStrategy::Balanced,
                    ChunkingStrategy::Sentence,
                    ChunkingStrategy::WordLength,
                ][i as usize % 3]
                    .clone(),
            ),
            words_per_chunk: Some(rng.random_range(3..9)),
            chunk_spacing: Some(dec(0, 2)),
            max_line_width: Some(dec(18000, 2)),
            is_active: i % 7 != 6,
            created_by: Some(user(ctx, learner(ctx, i * 3))),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn character_override_collections(
    ctx: &Ctx,
) -> impl Iterator<Item = character_override_collections::ActiveModel> + Send + '_ {
    (0..ctx.n.collections).map(move |c| {
        let mut rng = ctx.rng("character_override_collections", c);
        character_override_collections::Model {
            id: ctx.id_of("character_override_collections", c),
            name: format!(
                "{} hand {}",
                Buzzword().fake_with_rng::<String, _>(&mut rng),
                c + 1
            ),
            description: Some(Sentence(4..10).fake_with_rng(&mut rng)),
            created_by: Some(user(ctx, learner(ctx, c * 5 + 1))),
            is_active: true,
            created_at: ctx.created("character_override_collections", c),
            updated_at: ctx.created("character_override_collections", c),
        }
        .into_active_model()
    })
}

pub fn character_overrides(
    ctx: &Ctx,
) -> impl Iterator<Item = character_overrides::ActiveModel> + Send + '_ {
    let glyphs = GLYPHS.len() as u64;
    (0..ctx.n.collections * glyphs).map(move |r| {
        let c = r / glyphs;
        let glyph = &GLYPHS[(r % glyphs) as usize..][..1];
        let mut rng = ctx.rng("character_overrides", r);
        let created = ctx.created("character_override_collections", c) + TimeDelta::minutes(r as i64 % glyphs as i64);
        let (x, y): (u32, u32) = (rng.random_range(10..90), rng.random_range(10..90));
        character_overrides::Model {
            id: ctx.id("character_overrides", r, created),
            collection_id: ctx.id_of("character_override_collections", c),
            glyph: glyph.to_owned(),
            svg_data: format!(
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 100\"><path d=\"M10 90 Q {x} {y} 90 90\" stroke=\"black\" fill=\"none\"/></svg>"
            ),
            viewbox_x: dec(0, 3),
            viewbox_y: dec(0, 3),
            viewbox_width: dec(100_000, 3),
            viewbox_height: dec(100_000, 3),
            baseline_offset: dec(rng.random_range(-5000..5000), 3),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}

pub fn user_activities(
    ctx: &Ctx,
) -> impl Iterator<Item = user_activities::ActiveModel> + Send + '_ {
    let n = 600 * ctx.n.scale;
    (0..n).map(move |i| {
        let mut rng = ctx.rng("user_activities", i);
        let at = ctx.at_in("user_activities", i, n, ACTIVITY);
        let kind = [
            "login",
            "generate",
            "generate",
            "batch",
            "logout",
            "admin_action",
        ][i as usize % 6];
        let u = if kind == "admin_action" {
            0
        } else {
            (i * 13) % ctx.n.users
        };
        user_activities::Model {
            id: ctx.id("user_activities", i, at),
            user_id: user(ctx, u),
            activity_type: kind.to_owned(),
            description: Some(match kind {
                "generate" => format!("Generated {} lines", rng.random_range(1..40)),
                "batch" => format!("Batch of {} documents", rng.random_range(2..20)),
                "admin_action" => "Updated a template preset".to_owned(),
                other => format!("User {other}"),
            }),
            ip_address: Some(IPv4().fake_with_rng(&mut rng)),
            user_agent: Some(UserAgent().fake_with_rng(&mut rng)),
            extra_data: Some(json!({"client": "web", "seq": i})),
            created_at: at,
        }
        .into_active_model()
    })
}

pub fn usage_statistics(
    ctx: &Ctx,
) -> impl Iterator<Item = usage_statistics::ActiveModel> + Send + '_ {
    (0..ctx.n.learners * USAGE_DAYS_PER_LEARNER).map(move |r| {
        let k = r / USAGE_DAYS_PER_LEARNER;
        let d = r % USAGE_DAYS_PER_LEARNER;
        let mut rng = ctx.rng("usage_statistics", r);
        // Four distinct days per learner, spread over both years.
        let day = SETUP.to + (d * 160 + k % 150) as i64;
        let created = ctx.time(day * super::det::DAY_MS + 23 * 3_600_000);
        let lines: i32 = rng.random_range(1..400);
        usage_statistics::Model {
            id: ctx.id("usage_statistics", r, created),
            user_id: user(ctx, learner(ctx, k)),
            date: ctx.date(day),
            svg_generations: rng.random_range(1..50),
            batch_generations: rng.random_range(0..5),
            total_lines_generated: lines,
            total_characters_generated: i64::from(lines) * rng.random_range(20..80),
            total_processing_time: dec(rng.random_range(1_000..600_000), 3),
            created_at: created,
            updated_at: created,
        }
        .into_active_model()
    })
}
