//! A source row whose columns have the target's names (legacy-schemas Appendix A: "same name"),
//! read into the target model column by column, each by the rule of its target type
//! (SPEC-26-27 §27.9) and every reference through the map (§27.4). A system module names only
//! what differs: renamed columns and values it sets itself.
//!
//! What each column of the target entity gets:
//! - the primary key: the source's uuid, kept (or the row's mapped id on a re-run);
//! - a foreign key (from the entity's relations): the parent's target id; a missing or rejected
//!   parent is NULL with `reference_nulled` when the column is nullable, else the row is
//!   rejected (`orphan_reference`, `parent_rejected`);
//! - a timestamp: RFC 3339, or naive text in UTC; `created_at`/`updated_at` by §27.9's rules;
//! - an enum: the value must be one of the target's (`invalid_enum_value`);
//! - text longer than the target's varchar: `value_too_long`;
//! - numbers and booleans parsed strictly; a NULL where the target is NOT NULL and has no value
//!   of its own: `not_null_no_default`.

use std::collections::HashMap;

use migration::sea_orm::sea_query::{Enum, OptionEnum};
use migration::sea_orm::{
    ActiveModelTrait, ColumnTrait, ColumnType, EntityTrait, IdenStatic, Iterable, RelationTrait,
    RelationType, TryIntoModel, Value,
};
use serde_json::Value as Json;
use uuid::Uuid;

use super::engine::{Conflict, Import, Parent, Reject};
use super::row::Fields;

/// How a system's table maps where it is not "same name".
pub struct Shape<'a> {
    /// The source table (the key namespace of references to its rows).
    pub source_table: &'a str,
    /// `(target column, source column)` pairs that are renamed.
    pub renames: &'a [(&'a str, &'a str)],
    /// Target table → source table, for the parents of references (same name when absent).
    pub parents: &'a [(&'a str, &'a str)],
    /// The column referencing the table itself, resolved by the second pass when its parent
    /// comes later (§27.4).
    pub self_ref: Option<&'a str>,
    /// JSON arrives as text (MariaDB LONGTEXT, SQLite): parsed, `invalid_json` otherwise.
    pub json_text: bool,
}

/// A source table mapped "same name" into a target table ([`same`]).
pub struct Table<E: EntityTrait> {
    pub source: &'static str,
    /// ORDER BY over alias `t` (§27.5).
    pub order: &'static str,
    pub natural: Option<super::engine::Natural<E::Model>>,
    /// The self-referencing source column and its target column (second pass).
    pub self_ref: Option<(&'static str, E::Column)>,
    /// `(target column, source column)` renames.
    pub renames: &'static [(&'static str, &'static str)],
    pub json_text: bool,
    /// The source column holding the row's key (`id`; a 1:1 table's parent key).
    pub key: &'static str,
}

/// Imports `t` into `E` column by column ([`model`]), `extra` giving the columns the system
/// derives; runs the second pass after the table when it references itself.
pub async fn same<E, X>(
    imp: &mut Import,
    root: &super::engine::Root<'_>,
    src: &super::source::SourceDb,
    batch: usize,
    t: Table<E>,
    mut extra: X,
) -> Result<(), super::ImportError>
where
    E: EntityTrait,
    E::Model: serde::Serialize
        + migration::sea_orm::IntoActiveModel<E::ActiveModel>
        + Clone
        + Send
        + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + TryIntoModel<E::Model> + Send,
    X: FnMut(&Fields, &Import, &mut Vec<Conflict>) -> Result<Vec<(&'static str, Value)>, Reject>,
{
    if !src.tables.contains_key(t.source) {
        return Ok(());
    }
    let step = super::engine::Step {
        entity: E::default(),
        source_table: t.source,
        order: t.order,
        primary: true,
        natural: t.natural,
        never_fill: &["created_by"],
    };
    let name = E::default().table_name();
    let line = if name == t.source {
        name.to_owned()
    } else {
        format!("{}→{name}", t.source)
    };
    let shape = Shape {
        source_table: t.source,
        renames: t.renames,
        parents: &[],
        self_ref: t.self_ref.map(|(c, _)| c),
        json_text: t.json_text,
    };
    let mut parents: HashMap<String, String> = HashMap::new();
    let key_col = t.key;
    super::engine::run_step(imp, root, src, &step, &line, batch, |row, imp| {
        let f = Fields::new(row);
        let key = canonical_key(&f.text(key_col).unwrap_or_default());
        if let Some(parent) = t.self_ref.and_then(|(col, _)| f.text(col)) {
            parents.insert(key.clone(), canonical_key(&parent));
        }
        let mut pending = false;
        let mut out = super::row::out_of(&f, key.clone(), |f, c| {
            let set = extra(f, imp, c)?;
            model::<E>(f, imp, c, &shape, &key, &set, &mut pending)
        });
        out.pending = pending;
        vec![out]
    })
    .await?;
    if let Some((_, column)) = t.self_ref {
        super::engine::second_pass::<E>(imp, root, t.source, column, &parents).await?;
    }
    Ok(())
}

/// A key as the map stores it: a uuid lower-case and hyphenated (SS `CHAR(36)` keys may be
/// upper-case, and MySQL compares them case-insensitively), anything else as stored.
pub fn canonical_key(text: &str) -> String {
    match Uuid::parse_str(text) {
        Ok(u) => u.to_string(),
        Err(_) => text.to_owned(),
    }
}

impl Shape<'_> {
    fn source_column<'c>(&self, target: &'c str) -> &'c str
    where
        Self: 'c,
    {
        self.renames
            .iter()
            .find(|(t, _)| *t == target)
            .map_or(target, |(_, s)| s)
    }

    fn source_table_of<'c>(&'c self, target: &'c str) -> &'c str {
        self.parents
            .iter()
            .find(|(t, _)| *t == target)
            .map_or(target, |(_, s)| s)
    }
}

/// The target's varchar lengths, `(table, column) → n`, read from its catalog once per run.
pub type Lengths = HashMap<(String, String), usize>;

/// `varchar(190)`, `character varying(190)`, `char(3)` → the length.
pub fn length_of(ty: &str) -> Option<usize> {
    if !ty.contains("char") {
        return None;
    }
    let open = ty.find('(')?;
    let close = ty[open..].find(')')? + open;
    ty[open + 1..close].trim().parse().ok()
}

/// The row as a model of `E`; `set` gives columns the mapping derives, by name. `pending` is set
/// when the self-reference waits for the second pass.
pub fn model<E: EntityTrait>(
    f: &Fields,
    imp: &Import,
    c: &mut Vec<Conflict>,
    shape: &Shape,
    key: &str,
    set: &[(&str, Value)],
    pending: &mut bool,
) -> Result<E::Model, Reject>
where
    E::ActiveModel: ActiveModelTrait<Entity = E> + TryIntoModel<E::Model>,
{
    let entity = E::default();
    let table = entity.table_name();
    // Foreign keys: column → (parent target table, nullable).
    let mut fks: HashMap<String, String> = HashMap::new();
    for rel in E::Relation::iter() {
        let def = rel.def();
        if def.rel_type != RelationType::HasOne || def.is_owner {
            continue;
        }
        if let (
            migration::sea_orm::Identity::Unary(col),
            migration::sea_orm::sea_query::TableRef::Table(t, _),
        ) = (&def.from_col, &def.to_tbl)
        {
            fks.insert(col.to_string(), t.1.to_string());
        }
    }
    let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
    let mut am = E::ActiveModel::default();
    let pk = E::PrimaryKey::iter()
        .next()
        .map(|p| migration::sea_orm::PrimaryKeyToColumn::into_column(p).as_str());
    for col in E::Column::iter() {
        let name = col.as_str();
        if let Some((_, v)) = set.iter().find(|(n, _)| *n == name) {
            am.set(col, v.clone());
            continue;
        }
        let def = col.def();
        let nullable = def.is_null();
        let source = shape.source_column(name);
        let value: Value = if Some(name) == shape.self_ref {
            // Its own table: resolved now when the parent came in an earlier batch, else by
            // the second pass (which also decides a missing parent).
            match f.text(source).map(|k| canonical_key(&k)) {
                None => Value::Uuid(None),
                Some(k) => match imp.parent(shape.source_table, &k) {
                    Parent::Found(id) => id.into(),
                    _ => {
                        *pending = true;
                        Value::Uuid(None)
                    }
                },
            }
        } else if Some(name) == pk && !fks.contains_key(name) {
            // A key that is a uuid is kept; any other (SS CHAR(36) that does not parse) is
            // re-minted at the row's creation time (§27.4).
            let kept = f.text(source).and_then(|k| Uuid::parse_str(&k).ok());
            imp.id_for(shape.source_table, key, kept, Some(created_at.to_utc()))
                .into()
        } else if shape.json_text
            && matches!(
                def.get_column_type(),
                ColumnType::Json | ColumnType::JsonBinary
            )
        {
            match f.json(source) {
                Some(Json::String(text)) => match serde_json::from_str::<Json>(&text) {
                    Ok(v) => Value::Json(Some(Box::new(v))),
                    Err(_) if nullable => {
                        c.push(Conflict::new(
                            "invalid_json",
                            Some(leak(name)),
                            Some(Json::String(text)),
                            "set_null",
                        ));
                        Value::Json(None)
                    }
                    Err(e) => {
                        return Err(Reject::new(
                            "invalid_json",
                            leak(name),
                            format!("{source}: {e}"),
                        ));
                    }
                },
                other => Value::Json(other.map(Box::new)),
            }
        } else if matches!(def.get_column_type(), ColumnType::Boolean)
            && f.json(source)
                .is_some_and(|v| v.as_i64().is_some_and(|n| n != 0 && n != 1))
        {
            // tinyint(1) holding 2, 3, …: true, and the value is lost (§27.9).
            c.push(Conflict::new(
                "lossy_value",
                Some(leak(name)),
                f.json(source),
                "true",
            ));
            true.into()
        } else if let Some(parent) = fks.get(name) {
            let parent_source = shape.source_table_of(parent);
            match f.text(source).map(|k| canonical_key(&k)) {
                None => Value::Uuid(None),
                Some(k) => match imp.parent(parent_source, &k) {
                    Parent::Found(id) => id.into(),
                    _ if nullable => {
                        c.push(Conflict::new(
                            "reference_nulled",
                            Some(leak(name)),
                            Some(Json::String(k)),
                            "set_null",
                        ));
                        Value::Uuid(None)
                    }
                    Parent::Rejected => {
                        return Err(Reject::new(
                            "parent_rejected",
                            leak(name),
                            format!("{parent_source} {k} was rejected"),
                        ));
                    }
                    Parent::Absent => {
                        return Err(Reject::new(
                            "orphan_reference",
                            leak(name),
                            format!("{parent_source} {k} is not in the source"),
                        ));
                    }
                },
            }
        } else if name == "created_at" {
            created_at.into()
        } else if name == "updated_at" {
            updated_at.into()
        } else {
            typed(
                f,
                leak(source),
                leak(name),
                def.get_column_type(),
                imp.lengths
                    .get(&(table.to_owned(), name.to_owned()))
                    .copied(),
            )?
        };
        if !nullable && value.as_null() == value {
            return Err(Reject::new(
                "not_null_no_default",
                leak(name),
                format!("{source} is NULL and {table}.{name} is NOT NULL"),
            ));
        }
        am.set(col, value);
    }
    am.try_into_model()
        .map_err(|e| Reject::new("invalid_type", "", format!("{table}: {e}")))
}

/// A column name as `&'static str` (reject and conflict records keep them): names come from the
/// entity (static already) or the system's rename tables (static), so nothing is leaked twice.
fn leak(s: &str) -> &'static str {
    static NAMES: std::sync::OnceLock<std::sync::Mutex<std::collections::HashSet<&'static str>>> =
        std::sync::OnceLock::new();
    let names = NAMES.get_or_init(Default::default);
    let mut names = names
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = names.get(s) {
        return found;
    }
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    names.insert(leaked);
    leaked
}

/// One value by its target type.
fn typed(
    f: &Fields,
    source: &'static str,
    target: &'static str,
    ty: &ColumnType,
    len: Option<usize>,
) -> Result<Value, Reject> {
    let _ = target;
    Ok(match ty {
        ColumnType::Uuid => match f.text(source) {
            None => Value::Uuid(None),
            Some(_) => f.uuid(source)?.into(),
        },
        ColumnType::TimestampWithTimeZone | ColumnType::Timestamp | ColumnType::DateTime => {
            Value::ChronoDateTimeWithTimeZone(f.time(source)?)
        }
        ColumnType::Date => match f.text(source) {
            None => Value::ChronoDate(None),
            Some(t) => Value::ChronoDate(Some(
                chrono::NaiveDate::parse_from_str(t.get(..10).unwrap_or(&t), "%Y-%m-%d").map_err(
                    |_| Reject::new("invalid_timestamp", source, format!("{t:?} is not a date")),
                )?,
            )),
        },
        ColumnType::Boolean => Value::Bool(f.flag(source)?),
        ColumnType::SmallInteger => Value::SmallInt(
            f.int(source)?
                .map(|v| {
                    i16::try_from(v)
                        .map_err(|_| Reject::new("numeric_out_of_range", source, format!("{v}")))
                })
                .transpose()?,
        ),
        ColumnType::Integer => Value::Int(f.int(source)?),
        ColumnType::BigInteger => Value::BigInt(f.bigint(source)?),
        ColumnType::Decimal(Some((p, s))) | ColumnType::Money(Some((p, s))) => {
            Value::Decimal(f.decimal(source, *p, *s)?)
        }
        ColumnType::Decimal(None) | ColumnType::Money(None) => {
            Value::Decimal(f.decimal(source, 38, 10)?)
        }
        ColumnType::Float => {
            Value::Float(f.json(source).and_then(|v| v.as_f64()).map(|v| v as f32))
        }
        ColumnType::Double => Value::Double(f.json(source).and_then(|v| v.as_f64())),
        ColumnType::Json | ColumnType::JsonBinary => Value::Json(f.json(source).map(Box::new)),
        ColumnType::Enum { name, variants } => match f.text(source) {
            None => Value::Enum(OptionEnum::None(name.to_string().into())),
            Some(v) => {
                if !variants.iter().any(|x| x.to_string() == v) {
                    return Err(Reject::new(
                        "invalid_enum_value",
                        source,
                        format!("{source} {v:?} has no learndb value"),
                    ));
                }
                Value::Enum(OptionEnum::Some(Box::new(Enum {
                    type_name: name.to_string().into(),
                    value: v.into(),
                })))
            }
        },
        _ => {
            if let Some(n) = len {
                f.max_len(source, n)?;
            }
            Value::String(f.text(source))
        }
    })
}
