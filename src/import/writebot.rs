//! WriteBot (`wb`): its SQLite file, opened read-only; 7 in-scope tables in the order of
//! SPEC-26-27 §27.5, each mapped by §27.7–§27.9. Every key is an INTEGER, so every key is
//! re-minted (UUIDv7 at the row's creation time). Values come with SQLite's type affinity, so
//! each is parsed strictly (`invalid_type` otherwise) and every FLOAT becomes an exact decimal.

use entity::generated::sea_orm_active_enums::{
    ChunkingStrategy, LengthUnit, PageOrientation, Role, TextAlignment,
};
use entity::generated::{
    character_override_collections, character_overrides, page_size_presets, template_presets,
    usage_statistics, user_activities, user_preferences, users,
};
use migration::sea_orm::{ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter};
use rust_decimal::Decimal;
use serde_json::{Value as Json, json};

use super::ImportError;
use super::engine::{Conflict, Import, Out, Reject, Root, Step, run_step};
use super::row::{Fields, derived_key, out_of, redacted};
use super::source::{SourceDb, SourceRow};
use super::users::{Book, preferences_step, user_base, users_step};

pub const KNOWN: &[(&str, &[&str])] = &[
    (
        "users",
        &[
            "id",
            "username",
            "password_hash",
            "full_name",
            "role",
            "is_active",
            "created_at",
            "last_login",
            "default_style",
            "default_bias",
            "default_stroke_color",
            "default_stroke_width",
            "email",
        ],
    ),
    (
        "page_size_presets",
        &[
            "id",
            "name",
            "width",
            "height",
            "unit",
            "is_active",
            "is_default",
            "created_by",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "template_presets",
        &[
            "id",
            "name",
            "description",
            "page_size_preset_id",
            "orientation",
            "margin_top",
            "margin_right",
            "margin_bottom",
            "margin_left",
            "margin_unit",
            "line_height",
            "line_height_unit",
            "empty_line_spacing",
            "text_alignment",
            "global_scale",
            "auto_size",
            "manual_size_scale",
            "background_color",
            "biases",
            "per_line_styles",
            "stroke_colors",
            "stroke_widths",
            "horizontal_stretch",
            "denoise",
            "character_width",
            "wrap_ratio",
            "wrap_utilization",
            "is_active",
            "created_by",
            "created_at",
            "updated_at",
            "use_chunked_generation",
            "adaptive_chunking",
            "adaptive_strategy",
            "words_per_chunk",
            "chunk_spacing",
            "max_line_width",
        ],
    ),
    (
        "character_override_collections",
        &[
            "id",
            "name",
            "description",
            "created_by",
            "created_at",
            "updated_at",
            "is_active",
        ],
    ),
    (
        "character_overrides",
        &[
            "id",
            "collection_id",
            "character",
            "svg_data",
            "viewbox_x",
            "viewbox_y",
            "viewbox_width",
            "viewbox_height",
            "baseline_offset",
            "created_at",
            "updated_at",
        ],
    ),
    (
        "user_activities",
        &[
            "id",
            "user_id",
            "activity_type",
            "description",
            "ip_address",
            "user_agent",
            "timestamp",
            "extra_data",
        ],
    ),
    (
        "usage_statistics",
        &[
            "id",
            "user_id",
            "date",
            "svg_generations",
            "batch_generations",
            "total_lines_generated",
            "total_characters_generated",
            "total_processing_time",
            "updated_at",
        ],
    ),
];

/// Out of scope (Alembic HEAD's batch_jobs) and history: skipped, counted.
pub const SKIPPED: &[&str] = &["batch_jobs", "migration_history", "alembic_version"];

pub const REQUIRED: &[(&str, &str)] = &[
    ("users", "username"),
    ("page_size_presets", "name"),
    ("page_size_presets", "width"),
    ("page_size_presets", "height"),
    ("template_presets", "name"),
    ("character_override_collections", "name"),
    ("character_overrides", "collection_id"),
    ("character_overrides", "character"),
    ("character_overrides", "svg_data"),
    ("user_activities", "user_id"),
    ("user_activities", "activity_type"),
    ("usage_statistics", "user_id"),
    ("usage_statistics", "date"),
];

pub const SIGNATURE: &[&str] = &["users", "page_size_presets", "template_presets"];

const ORDER: &str = "t.created_at IS NULL, t.created_at, t.id";

pub async fn import(
    imp: &mut Import,
    root: &Root<'_>,
    src: &SourceDb,
    batch: usize,
    merge_unverified: bool,
) -> Result<(), ImportError> {
    let source = imp.run.source.clone();
    let read = root.begin().await?;
    let mut book = Book::read(&read).await?;
    // One default page size stays (§27.7): the target's, if it has one.
    let mut has_default = page_size_presets::Entity::find()
        .filter(page_size_presets::Column::IsDefault.eq(true))
        .count(&read)
        .await
        .map_err(|e| ImportError::db("reading the page sizes", &e))?
        > 0;
    drop(read);

    run_step(
        imp,
        root,
        src,
        &users_step(ORDER),
        "users",
        batch,
        |row, imp| vec![user(row, imp, &source, &mut book, merge_unverified)],
    )
    .await?;
    run_step(
        imp,
        root,
        src,
        &preferences_step(ORDER),
        "users→user_preferences",
        batch,
        preferences,
    )
    .await?;

    let step = Step {
        entity: page_size_presets::Entity,
        source_table: "page_size_presets",
        order: ORDER,
        primary: true,
        natural: Some(|m: &page_size_presets::Model| {
            Some(Condition::all().add(page_size_presets::Column::Name.eq(m.name.clone())))
        }),
        never_fill: &["created_by"],
    };
    run_step(
        imp,
        root,
        src,
        &step,
        "page_size_presets",
        batch,
        |row, imp| vec![page_size(row, imp, &mut has_default)],
    )
    .await?;

    let step = Step {
        entity: template_presets::Entity,
        source_table: "template_presets",
        order: ORDER,
        primary: true,
        natural: Some(|m: &template_presets::Model| {
            Some(Condition::all().add(template_presets::Column::Name.eq(m.name.clone())))
        }),
        never_fill: &["created_by"],
    };
    run_step(
        imp,
        root,
        src,
        &step,
        "template_presets",
        batch,
        |row, imp| vec![template(row, imp, src)],
    )
    .await?;

    let step = Step {
        entity: character_override_collections::Entity,
        source_table: "character_override_collections",
        order: ORDER,
        primary: true,
        natural: Some(|m: &character_override_collections::Model| {
            Some(
                Condition::all()
                    .add(character_override_collections::Column::Name.eq(m.name.clone())),
            )
        }),
        never_fill: &["created_by"],
    };
    run_step(
        imp,
        root,
        src,
        &step,
        "character_override_collections",
        batch,
        |row, imp| vec![collection(row, imp)],
    )
    .await?;

    let step = Step {
        entity: character_overrides::Entity,
        source_table: "character_overrides",
        order: ORDER,
        primary: true,
        natural: Some(|m: &character_overrides::Model| {
            Some(
                Condition::all()
                    .add(character_overrides::Column::CollectionId.eq(m.collection_id))
                    .add(character_overrides::Column::Glyph.eq(m.glyph.clone())),
            )
        }),
        never_fill: &[],
    };
    run_step(
        imp,
        root,
        src,
        &step,
        "character_overrides",
        batch,
        |row, imp| vec![glyph(row, imp)],
    )
    .await?;

    let step = Step {
        entity: user_activities::Entity,
        source_table: "user_activities",
        order: "t.timestamp IS NULL, t.timestamp, t.id",
        primary: true,
        natural: None,
        never_fill: &[],
    };
    run_step(
        imp,
        root,
        src,
        &step,
        "user_activities",
        batch,
        |row, imp| vec![activity(row, imp)],
    )
    .await?;

    let step = Step {
        entity: usage_statistics::Entity,
        source_table: "usage_statistics",
        order: "t.updated_at IS NULL, t.updated_at, t.id",
        primary: true,
        natural: Some(|m: &usage_statistics::Model| {
            Some(
                Condition::all()
                    .add(usage_statistics::Column::UserId.eq(m.user_id))
                    .add(usage_statistics::Column::Date.eq(m.date)),
            )
        }),
        never_fill: &[],
    };
    run_step(
        imp,
        root,
        src,
        &step,
        "usage_statistics",
        batch,
        |row, imp| vec![usage(row, imp)],
    )
    .await?;
    Ok(())
}

/// The row's INTEGER key as text (`12`).
fn key_of(f: &Fields) -> String {
    f.text("id").unwrap_or_default()
}

/// A FLOAT as numeric(p, s), NULL when absent.
fn num(f: &Fields, col: &'static str, p: u32, s: u32) -> Result<Option<Decimal>, Reject> {
    f.decimal(col, p, s)
}

/// A FLOAT as numeric(p, s) for a NOT NULL column: the SPEC default when NULL (§27.9).
fn num_or(
    f: &Fields,
    col: &'static str,
    p: u32,
    s: u32,
    default: Decimal,
) -> Result<Decimal, Reject> {
    Ok(num(f, col, p, s)?.unwrap_or(default))
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap_or_default()
}

/// `lower(trim())` of an enum text, mapped by `T`'s values (§27.8); NULL gives `default`.
fn wb_enum<T: migration::sea_orm::ActiveEnum<Value = migration::sea_orm::sea_query::Enum>>(
    f: &Fields,
    col: &'static str,
    default: Option<T>,
) -> Result<Option<T>, Reject> {
    let Some(raw) = f.text(col) else {
        return Ok(default);
    };
    let text = raw.trim().to_lowercase();
    T::values()
        .into_iter()
        .find(|v| v.value == text)
        .and_then(|v| T::try_from_value(&v).ok())
        .map(Some)
        .ok_or_else(|| {
            Reject::new(
                "invalid_enum_value",
                col,
                format!("{col} {raw:?} has no learndb value"),
            )
        })
}

fn user(
    row: &SourceRow,
    imp: &Import,
    source: &str,
    book: &mut Book,
    merge_unverified: bool,
) -> Out<users::Model> {
    let f = Fields::new(row);
    out_of(&f, key_of(&f), |f, c| {
        let key = key_of(f);
        let own = imp.mapped("users", &key);
        let created = f.time("created_at")?.or(f.time("last_login")?);
        let mut id = imp.id_for("users", &key, None, created.map(|t| t.to_utc()));
        let role = match f.text("role").as_deref().map(str::trim) {
            Some("admin") => Role::Admin,
            Some("user") | None => Role::Student,
            Some(other) => {
                c.push(Conflict::new(
                    "value_replaced",
                    Some("role"),
                    Some(json!(other)),
                    "student",
                ));
                Role::Student
            }
        };
        // WB at Alembic HEAD has an email; 001–014 have none (never merged then, §27.6).
        let raw_email = f.text("email");
        let (email, merge_into) =
            book.settle_email(raw_email.clone(), &key, own, false, merge_unverified, c);
        if let Some(target) = merge_into {
            id = target;
        }
        f.max_len("username", 100)?;
        let username = book.username(
            f.text("username").as_deref(),
            email.is_some(),
            source,
            &key,
            own,
            c,
        );
        let (created_at, _) = f.times(&["last_login"], imp)?;
        Ok(users::Model {
            email,
            username,
            password_hash: f.text("password_hash").filter(|h| !h.is_empty()),
            role,
            full_name: f.text("full_name"),
            last_login: f.time("last_login")?,
            is_active: f.flag("is_active")?.unwrap_or(true),
            ..user_base(id, created_at)
        })
    })
}

/// `default_style`, `default_bias`, `default_stroke_color`, `default_stroke_width` → one
/// user_preferences row each, key `writebot.default_*` (§3), when set.
fn preferences(row: &SourceRow, imp: &Import) -> Vec<Out<user_preferences::Model>> {
    let f = Fields::new(row);
    let user_key = key_of(&f);
    [
        "default_style",
        "default_bias",
        "default_stroke_color",
        "default_stroke_width",
    ]
    .into_iter()
    .filter_map(|col| f.json(col).map(|v| (col, v)))
    .map(|(col, value)| {
        let pref = format!("writebot.{col}");
        let key = derived_key(&user_key, "pref", &pref);
        let piece = json!({"user": user_key, "key": pref, "value": value});
        let model = (|| {
            // Each column keeps its type: a text in a FLOAT column rejects this row only.
            match col {
                "default_style" => f.int(col).map(|_| ())?,
                "default_stroke_color" => f.max_len(col, 20)?,
                _ => f.decimal(col, 12, 6).map(|_| ())?,
            }
            let user_id = f.required_ref(imp, "id", "users")?;
            let (created_at, _) = f.times(&["last_login"], imp)?;
            Ok(user_preferences::Model {
                id: imp.id_for("users", &key, None, Some(created_at.to_utc())),
                user_id,
                preference_key: pref.clone(),
                preference_value: value.clone(),
                created_at,
                updated_at: created_at,
            })
        })();
        Out {
            key,
            source_hash: super::canon::hash(&piece),
            source_row: redacted(row),
            model,
            conflicts: Vec::new(),
            pending: false,
        }
    })
    .collect()
}

fn page_size(
    row: &SourceRow,
    imp: &Import,
    has_default: &mut bool,
) -> Out<page_size_presets::Model> {
    let f = Fields::new(row);
    let out = out_of(&f, key_of(&f), |f, c| {
        let key = key_of(f);
        f.max_len("name", 100)?;
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        let mut is_default = f.flag("is_default")?.unwrap_or(false);
        let mapped = imp
            .keys
            .contains_key(&("page_size_presets".to_owned(), key.clone()));
        if is_default && *has_default && !mapped {
            c.push(Conflict::new(
                "value_replaced",
                Some("is_default"),
                Some(json!(true)),
                "false",
            ));
            is_default = false;
        }
        Ok(page_size_presets::Model {
            id: imp.id_for("page_size_presets", &key, None, Some(created_at.to_utc())),
            name: f.text("name").unwrap_or_default(),
            width: num_or(f, "width", 8, 2, Decimal::ZERO)?,
            height: num_or(f, "height", 8, 2, Decimal::ZERO)?,
            unit: wb_enum(f, "unit", Some(LengthUnit::Mm))?.unwrap_or(LengthUnit::Mm),
            is_active: f.flag("is_active")?.unwrap_or(true),
            is_default,
            created_by: f.set_null_ref(imp, c, "created_by", "users"),
            created_at,
            updated_at,
        })
    });
    if out.model.as_ref().is_ok_and(|m| m.is_default) {
        *has_default = true;
    }
    out
}

fn template(row: &SourceRow, imp: &Import, src: &SourceDb) -> Out<template_presets::Model> {
    let f = Fields::new(row);
    let has_margin_unit = src.has("template_presets", "margin_unit");
    out_of(&f, key_of(&f), |f, c| {
        let key = key_of(f);
        f.max_len("name", 150)?;
        f.max_len("background_color", 20)?;
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        // denoise was a FLOAT: ≠ 0 is true; a value other than 0 and 1 loses information.
        let denoise = match f.json("denoise") {
            None => false,
            Some(v) => {
                let x = v.as_f64().ok_or_else(|| {
                    Reject::new("invalid_type", "denoise", format!("{v} is not a number"))
                })?;
                if x != 0.0 && x != 1.0 {
                    c.push(Conflict::new(
                        "lossy_value",
                        Some("denoise"),
                        Some(v.clone()),
                        "true",
                    ));
                }
                x != 0.0
            }
        };
        let margin_unit = if has_margin_unit {
            wb_enum(f, "margin_unit", Some(LengthUnit::Mm))?.unwrap_or(LengthUnit::Mm)
        } else {
            LengthUnit::Mm
        };
        Ok(template_presets::Model {
            id: imp.id_for("template_presets", &key, None, Some(created_at.to_utc())),
            name: f.text("name").unwrap_or_default(),
            description: f.text("description"),
            page_size_preset_id: f.set_null_ref(imp, c, "page_size_preset_id", "page_size_presets"),
            orientation: wb_enum(f, "orientation", Some(PageOrientation::Portrait))?
                .unwrap_or(PageOrientation::Portrait),
            margin_top: num_or(f, "margin_top", 6, 2, Decimal::TEN)?,
            margin_right: num_or(f, "margin_right", 6, 2, Decimal::TEN)?,
            margin_bottom: num_or(f, "margin_bottom", 6, 2, Decimal::TEN)?,
            margin_left: num_or(f, "margin_left", 6, 2, Decimal::TEN)?,
            margin_unit,
            line_height: num(f, "line_height", 6, 2)?,
            line_height_unit: wb_enum(f, "line_height_unit", Some(LengthUnit::Mm))?
                .unwrap_or(LengthUnit::Mm),
            empty_line_spacing: num(f, "empty_line_spacing", 6, 2)?,
            text_alignment: wb_enum(f, "text_alignment", Some(TextAlignment::Left))?
                .unwrap_or(TextAlignment::Left),
            global_scale: num_or(f, "global_scale", 6, 3, Decimal::ONE)?,
            auto_size: f.flag("auto_size")?.unwrap_or(false),
            manual_size_scale: num(f, "manual_size_scale", 6, 3)?,
            background_color: f.text("background_color"),
            biases: f.text("biases"),
            per_line_styles: f.text("per_line_styles"),
            stroke_colors: f.text("stroke_colors"),
            stroke_widths: f.text("stroke_widths"),
            horizontal_stretch: num_or(f, "horizontal_stretch", 6, 3, Decimal::ONE)?,
            denoise,
            character_width: num(f, "character_width", 8, 3)?,
            wrap_ratio: num(f, "wrap_ratio", 6, 3)?,
            wrap_utilization: num(f, "wrap_utilization", 6, 3)?,
            use_chunked_generation: f.flag("use_chunked_generation")?.unwrap_or(false),
            adaptive_chunking: f.flag("adaptive_chunking")?.unwrap_or(false),
            adaptive_strategy: wb_enum::<ChunkingStrategy>(f, "adaptive_strategy", None)?,
            words_per_chunk: f.int("words_per_chunk")?,
            chunk_spacing: num(f, "chunk_spacing", 6, 2)?,
            max_line_width: num(f, "max_line_width", 8, 2)?,
            is_active: f.flag("is_active")?.unwrap_or(true),
            created_by: f.set_null_ref(imp, c, "created_by", "users"),
            created_at,
            updated_at,
        })
    })
}

fn collection(row: &SourceRow, imp: &Import) -> Out<character_override_collections::Model> {
    let f = Fields::new(row);
    out_of(&f, key_of(&f), |f, c| {
        let key = key_of(f);
        f.max_len("name", 100)?;
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        Ok(character_override_collections::Model {
            id: imp.id_for(
                "character_override_collections",
                &key,
                None,
                Some(created_at.to_utc()),
            ),
            name: f.text("name").unwrap_or_default(),
            description: f.text("description"),
            created_by: f.set_null_ref(imp, c, "created_by", "users"),
            is_active: f.flag("is_active")?.unwrap_or(true),
            created_at,
            updated_at,
        })
    })
}

fn glyph(row: &SourceRow, imp: &Import) -> Out<character_overrides::Model> {
    let f = Fields::new(row);
    out_of(&f, key_of(&f), |f, _| {
        let key = key_of(f);
        let collection_id =
            f.required_ref(imp, "collection_id", "character_override_collections")?;
        f.max_len("character", 10)?;
        let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
        Ok(character_overrides::Model {
            id: imp.id_for("character_overrides", &key, None, Some(created_at.to_utc())),
            collection_id,
            glyph: f.text("character").unwrap_or_default(),
            svg_data: f.text("svg_data").unwrap_or_default(),
            viewbox_x: num_or(f, "viewbox_x", 10, 3, Decimal::ZERO)?,
            viewbox_y: num_or(f, "viewbox_y", 10, 3, Decimal::ZERO)?,
            viewbox_width: num_or(f, "viewbox_width", 10, 3, dec("100"))?,
            viewbox_height: num_or(f, "viewbox_height", 10, 3, dec("100"))?,
            baseline_offset: num_or(f, "baseline_offset", 10, 3, Decimal::ZERO)?,
            created_at,
            updated_at,
        })
    })
}

fn activity(row: &SourceRow, imp: &Import) -> Out<user_activities::Model> {
    let f = Fields::new(row);
    out_of(&f, key_of(&f), |f, c| {
        let key = key_of(f);
        let user_id = f.required_ref(imp, "user_id", "users")?;
        f.max_len("activity_type", 50)?;
        f.max_len("ip_address", 45)?;
        // The only time on the row: absent, it is the run's start (§27.9).
        let created_at = match f.time("timestamp")? {
            Some(t) => t,
            None => {
                c.push(Conflict::new(
                    "defaulted_to_import_time",
                    Some("timestamp"),
                    None,
                    "run_start",
                ));
                imp.run.started.fixed_offset()
            }
        };
        // extra_data: valid JSON as is, other text as a JSON string (§27.7, lossless).
        let extra_data = match f.json("extra_data") {
            None => None,
            Some(Json::String(text)) => match serde_json::from_str::<Json>(&text) {
                Ok(v) => Some(v),
                Err(_) => {
                    c.push(Conflict::new(
                        "value_wrapped",
                        Some("extra_data"),
                        None,
                        "json_string",
                    ));
                    Some(Json::String(text))
                }
            },
            Some(other) => Some(other),
        };
        Ok(user_activities::Model {
            id: imp.id_for("user_activities", &key, None, Some(created_at.to_utc())),
            user_id,
            activity_type: f.text("activity_type").unwrap_or_default(),
            description: f.text("description"),
            ip_address: f.text("ip_address"),
            user_agent: f.text("user_agent"),
            extra_data,
            created_at,
        })
    })
}

fn usage(row: &SourceRow, imp: &Import) -> Out<usage_statistics::Model> {
    let f = Fields::new(row);
    out_of(&f, key_of(&f), |f, _| {
        let key = key_of(f);
        let user_id = f.required_ref(imp, "user_id", "users")?;
        let text = f.text("date").unwrap_or_default();
        let date = chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .ok()
            .filter(|d| (1000..=9999).contains(&chrono::Datelike::year(d)))
            .ok_or_else(|| {
                Reject::new(
                    "invalid_timestamp",
                    "date",
                    format!("{text:?} is not YYYY-MM-DD"),
                )
            })?;
        // created_at := updated_at, else the day's midnight UTC (§27.7).
        let created_at = f.time("updated_at")?.unwrap_or_else(|| {
            date.and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .fixed_offset()
        });
        let count = |col: &'static str| -> Result<i32, Reject> { Ok(f.int(col)?.unwrap_or(0)) };
        Ok(usage_statistics::Model {
            id: imp.id_for("usage_statistics", &key, None, Some(created_at.to_utc())),
            user_id,
            date,
            svg_generations: count("svg_generations")?,
            batch_generations: count("batch_generations")?,
            total_lines_generated: count("total_lines_generated")?,
            total_characters_generated: f.bigint("total_characters_generated")?.unwrap_or(0),
            total_processing_time: num_or(f, "total_processing_time", 12, 3, Decimal::ZERO)?,
            created_at,
            updated_at: created_at,
        })
    })
}
