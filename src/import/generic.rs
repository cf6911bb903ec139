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
            match f.text(source) {
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
            let kept = f.uuid(leak(source))?;
            imp.id_for(shape.source_table, key, Some(kept), None).into()
        } else if let Some(parent) = fks.get(name) {
            let parent_source = shape.source_table_of(parent);
            match f.text(source) {
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
