//! Reading one source row's columns by the rules of SPEC-26-27 §27.8–§27.9, each failure the
//! reject it is: a mapping function reads `f.int("score")?` and the row is rejected with
//! `invalid_type` naming the column when the value is not an integer.

use chrono::{DateTime, FixedOffset, SubsecRound, Utc};
use migration::sea_orm::ActiveEnum;
use migration::sea_orm::sea_query::Enum;
use rust_decimal::Decimal;
use serde_json::{Value as Json, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::canon;
use super::engine::{Conflict, Import, Out, Parent, Reject};
use super::source::SourceRow;

pub type Time = DateTime<FixedOffset>;

/// A source row's columns.
pub struct Fields<'a> {
    row: &'a SourceRow,
}

impl<'a> Fields<'a> {
    pub fn new(row: &'a SourceRow) -> Self {
        Fields { row }
    }

    fn raw(&self, col: &str) -> Option<&Json> {
        self.row.get(col).filter(|v| !v.is_null())
    }

    /// A text value (numbers and booleans in their JSON spelling).
    pub fn text(&self, col: &str) -> Option<String> {
        match self.raw(col)? {
            Json::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }

    pub fn uuid(&self, col: &'static str) -> Result<Uuid, Reject> {
        let text = self.text(col).unwrap_or_default();
        Uuid::parse_str(&text)
            .map_err(|_| Reject::new("invalid_type", col, format!("{text:?} is not a uuid")))
    }

    pub fn int(&self, col: &'static str) -> Result<Option<i32>, Reject> {
        match self.raw(col) {
            None => Ok(None),
            Some(Json::Number(n)) => n
                .as_i64()
                .or_else(|| {
                    n.as_f64()
                        .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                        .map(|f| f as i64)
                })
                .ok_or_else(|| Reject::new("invalid_type", col, format!("{n} is not an integer")))
                .and_then(|v| {
                    i32::try_from(v).map(Some).map_err(|_| {
                        Reject::new(
                            "numeric_out_of_range",
                            col,
                            format!("{v} is not a 32-bit integer"),
                        )
                    })
                }),
            // A text value in an INTEGER column (SQLite's type affinity keeps what it cannot
            // convert): strict parse, no guessing (§27.9).
            Some(v) => Err(Reject::new(
                "invalid_type",
                col,
                format!("{v} is not an integer"),
            )),
        }
    }

    /// A 64-bit integer (the same rules as [`Fields::int`]).
    pub fn bigint(&self, col: &'static str) -> Result<Option<i64>, Reject> {
        match self.raw(col) {
            None => Ok(None),
            Some(Json::Number(n)) => n
                .as_i64()
                .map(Some)
                .ok_or_else(|| Reject::new("invalid_type", col, format!("{n} is not an integer"))),
            Some(v) => Err(Reject::new(
                "invalid_type",
                col,
                format!("{v} is not an integer"),
            )),
        }
    }

    /// A boolean: true/false, 0/1 (SQLite, MySQL tinyint), or the text 'true'/'false' (§27.9).
    pub fn flag(&self, col: &'static str) -> Result<Option<bool>, Reject> {
        match self.raw(col) {
            None => Ok(None),
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(Json::Number(n)) if n.as_i64() == Some(0) => Ok(Some(false)),
            Some(Json::Number(n)) if n.as_i64() == Some(1) => Ok(Some(true)),
            Some(Json::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Json::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(Reject::new(
                "invalid_type",
                col,
                format!("{v} is not a boolean"),
            )),
        }
    }

    pub fn boolean(&self, col: &str) -> Option<bool> {
        self.raw(col).and_then(Json::as_bool)
    }

    pub fn json(&self, col: &str) -> Option<Json> {
        self.raw(col).cloned()
    }

    /// A numeric rounded half away from zero to `scale`; too many integer digits for
    /// numeric(`precision`, `scale`) is `numeric_out_of_range` (§27.9).
    pub fn decimal(
        &self,
        col: &'static str,
        precision: u32,
        scale: u32,
    ) -> Result<Option<Decimal>, Reject> {
        let Some(v) = self.raw(col) else {
            return Ok(None);
        };
        let d: Decimal = match v {
            Json::Number(n) => n
                .to_string()
                .parse()
                .ok()
                // Exponent notation (1e-7) parses through f64.
                .or_else(|| n.as_f64().and_then(Decimal::from_f64_retain)),
            // PostgreSQL's special floats arrive as text: not finite.
            Json::String(s) if matches!(s.as_str(), "NaN" | "Infinity" | "-Infinity") => None,
            Json::String(s) => {
                return Err(Reject::new(
                    "invalid_type",
                    col,
                    format!("{s:?} is not a number"),
                ));
            }
            _ => None,
        }
        .ok_or_else(|| {
            Reject::new(
                "numeric_out_of_range",
                col,
                format!("{v} is not a finite number"),
            )
        })?;
        let d =
            d.round_dp_with_strategy(scale, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        let limit = Decimal::from(10_i64.pow(precision - scale));
        if d.abs() >= limit {
            return Err(Reject::new(
                "numeric_out_of_range",
                col,
                format!("{d} does not fit numeric({precision},{scale})"),
            ));
        }
        Ok(Some(d))
    }

    /// A timestamp, in UTC with microseconds; outside the years 1000–9999 or unparseable
    /// (PostgreSQL's `infinity`) it is `invalid_timestamp`.
    pub fn time(&self, col: &'static str) -> Result<Option<Time>, Reject> {
        let Some(text) = self.text(col) else {
            return Ok(None);
        };
        let utc = parse_time(&text)
            .ok_or_else(|| {
                Reject::new("invalid_timestamp", col, format!("{text:?} is not a time"))
            })?
            .trunc_subsecs(6);
        if !(1000..=9999).contains(&chrono::Datelike::year(&utc)) {
            return Err(Reject::new(
                "invalid_timestamp",
                col,
                format!("{text} is outside the years 1000 to 9999"),
            ));
        }
        Ok(Some(utc.fixed_offset()))
    }

    /// `created_at` and `updated_at` (§27.9): created_at, else the first of `fallbacks` set,
    /// else the run's start; updated_at, else created_at.
    pub fn times(&self, fallbacks: &[&'static str], imp: &Import) -> Result<(Time, Time), Reject> {
        let mut created = self.time("created_at")?;
        for col in fallbacks {
            if created.is_some() {
                break;
            }
            created = self.time(col)?;
        }
        let created = created.unwrap_or_else(|| imp.run.started.fixed_offset());
        let updated = self.time("updated_at")?.unwrap_or(created);
        Ok((created, updated))
    }

    /// Text longer than the target's varchar(`n`) is `value_too_long`: never truncated.
    pub fn max_len(&self, col: &'static str, n: usize) -> Result<(), Reject> {
        match self.text(col) {
            Some(s) if s.chars().count() > n => Err(Reject::new(
                "value_too_long",
                col,
                format!("{} characters, at most {n}", s.chars().count()),
            )),
            _ => Ok(()),
        }
    }

    /// A NOT NULL / CASCADE reference (§27.4): the parent's target id, or the row is rejected.
    pub fn required_ref(
        &self,
        imp: &Import,
        col: &'static str,
        table: &str,
    ) -> Result<Uuid, Reject> {
        let key = self.text(col).unwrap_or_default();
        match imp.parent(table, &key) {
            Parent::Found(id) => Ok(id),
            Parent::Rejected => Err(Reject::new(
                "parent_rejected",
                col,
                format!("{table} {key} was rejected"),
            )),
            Parent::Absent => Err(Reject::new(
                "orphan_reference",
                col,
                format!("{table} {key} is not in the source"),
            )),
        }
    }

    /// A nullable, ON DELETE SET NULL reference (§27.4): NULL with `reference_nulled` when the
    /// parent is missing or rejected.
    pub fn set_null_ref(
        &self,
        imp: &Import,
        c: &mut Vec<Conflict>,
        col: &'static str,
        table: &str,
    ) -> Option<Uuid> {
        let key = self.text(col)?;
        match imp.parent(table, &key) {
            Parent::Found(id) => Some(id),
            Parent::Rejected | Parent::Absent => {
                c.push(Conflict::new(
                    "reference_nulled",
                    Some(col),
                    Some(json!(key)),
                    "set_null",
                ));
                None
            }
        }
    }

    /// A source array of keys → a JSON array of target ids; an element that resolves to nothing
    /// is dropped (`dangling_array_element`). A multi-dimensional array is `invalid_type`.
    pub fn id_array(
        &self,
        imp: &Import,
        c: &mut Vec<Conflict>,
        col: &'static str,
        table: &str,
    ) -> Option<Json> {
        let items = self.raw(col)?.as_array()?;
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            let key = match item {
                Json::String(s) => s.clone(),
                Json::Null => {
                    ids.push(Json::Null);
                    continue;
                }
                other => other.to_string(),
            };
            match imp.parent(table, &key) {
                Parent::Found(id) => ids.push(json!(id.to_string())),
                _ => c.push(Conflict::new(
                    "dangling_array_element",
                    Some(col),
                    Some(json!(key)),
                    "dropped",
                )),
            }
        }
        Some(Json::Array(ids))
    }
}

/// A timestamp with an offset (RFC 3339, PostgreSQL's spelling), or a naive one in the source
/// time zone, UTC (`YYYY-MM-DD HH:MM:SS[.f]`, ISO 8601 with `T`: WB's text, §27.9).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z") {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(text, f).ok())
        .map(|n| n.and_utc())
}

/// The target id of a parent row, when it was imported.
pub fn resolve(imp: &Import, table: &str, key: &str) -> Option<Uuid> {
    match imp.parent(table, key) {
        Parent::Found(id) => Some(id),
        _ => None,
    }
}

/// A PostgreSQL or MySQL enum value: the source's spelling must be one of the target's
/// (`invalid_enum_value` otherwise, §27.8).
pub fn enum_value<T: ActiveEnum<Value = Enum>>(f: &Fields, col: &'static str) -> Result<T, Reject> {
    let text = f.text(col).unwrap_or_default();
    T::values()
        .into_iter()
        .find(|v| v.value == text)
        .and_then(|v| T::try_from_value(&v).ok())
        .ok_or_else(|| {
            Reject::new(
                "invalid_enum_value",
                col,
                format!("{col} {text:?} has no learndb value"),
            )
        })
}

/// The source row with its secrets as `"<redacted>"` (§27.11), for the tool tables.
pub fn redacted(row: &SourceRow) -> Json {
    super::redact_row(Json::Object(row.clone()))
}

/// One mapped source row: its hash, its redacted copy, and what `build` made of it.
pub fn out_of<M>(
    f: &Fields,
    key: String,
    build: impl FnOnce(&Fields, &mut Vec<Conflict>) -> Result<M, Reject>,
) -> Out<M> {
    let mut conflicts = Vec::new();
    let model = build(f, &mut conflicts);
    if model.is_err() {
        conflicts.clear();
    }
    Out {
        key,
        source_hash: canon::hash_row(f.row),
        // Only a rejected row's copy is kept (the rejects table).
        source_row: if model.is_err() {
            redacted(f.row)
        } else {
            Json::Null
        },
        model,
        conflicts,
        pending: false,
    }
}

/// A derived row's key (§27.3): `<id>#<part>:<key>`, or `<id>#<part>-sha256:<hex>` when that
/// would exceed the map's 400 characters.
pub fn derived_key(id: &str, part: &str, key: &str) -> String {
    let plain = format!("{id}#{part}:{key}");
    if plain.chars().count() <= 400 {
        return plain;
    }
    format!(
        "{id}#{part}-sha256:{}",
        canon::hex(&Sha256::digest(key.as_bytes()))
    )
}
