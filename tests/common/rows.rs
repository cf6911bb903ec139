//! Rows for tests to insert with sea-query, and the values each backend takes: one row factory
//! per table lives in `factories/`, shared by every test that needs a valid row.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, InsertStatement, Query};
use uuid::Uuid;

use super::Backend;

/// An enum value: PostgreSQL columns have the native enum type, so the text is cast to it;
/// MySQL (inline `ENUM`) and SQLite (TEXT + `CHECK (col IN ...)`) take the plain text.
pub fn enum_value(backend: Backend, type_name: &str, value: &'static str) -> Expr {
    match backend {
        Backend::Postgres => Expr::val(value).cast_as(Alias::new(type_name)),
        Backend::MySql | Backend::Sqlite => Expr::val(value),
    }
}

/// Text that is not a JSON document, offered to a JSON column: on PostgreSQL it has to be cast to
/// `jsonb` to be parsed as JSON at all; MariaDB (`LONGTEXT` + `json_valid`) and SQLite
/// (TEXT + `CHECK (json_valid(..))`) take the text and check it.
pub fn not_json(backend: Backend, text: &'static str) -> Expr {
    match backend {
        Backend::Postgres => Expr::val(text).cast_as(Alias::new("jsonb")),
        Backend::MySql | Backend::Sqlite => Expr::val(text),
    }
}

/// A fixed instant `hours` after 2026-01-01T00:00:00Z. Cases compare timestamps with each
/// other, never with the clock.
pub fn at(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + TimeDelta::hours(hours)
}

pub fn dec(value: &str) -> Decimal {
    value.parse().unwrap()
}

/// An id that no table holds: the target of every orphan foreign key.
pub fn nobody() -> Uuid {
    Uuid::now_v7()
}

/// The part of an id that is random in a UUIDv7, for unique values in short columns.
pub fn short(id: Uuid) -> String {
    id.simple().to_string()[20..].to_owned()
}

/// One row to insert: a table and its column values. Columns left out take their defaults
/// (NULL for nullable columns without one).
#[derive(Clone)]
pub struct Row {
    pub table: &'static str,
    pub values: Vec<(&'static str, Expr)>,
}

impl Row {
    pub fn new(table: &'static str) -> Self {
        Row {
            table,
            values: Vec::new(),
        }
    }

    /// Sets (or replaces) a column's value.
    pub fn with(mut self, column: &'static str, value: impl Into<Expr>) -> Self {
        let value = value.into();
        match self.values.iter_mut().find(|(c, _)| *c == column) {
            Some(slot) => slot.1 = value,
            None => self.values.push((column, value)),
        }
        self
    }

    /// Leaves a column out, so it takes its default.
    pub fn without(mut self, column: &'static str) -> Self {
        let before = self.values.len();
        self.values.retain(|(c, _)| *c != column);
        assert_ne!(
            before,
            self.values.len(),
            "{}.{column} was not set",
            self.table
        );
        self
    }

    /// The value this row gives a column, for cases that duplicate it.
    pub fn get(&self, column: &str) -> Expr {
        self.values
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{}.{column} was not set", self.table))
    }

    pub fn insert(&self) -> InsertStatement {
        Query::insert()
            .into_table(Alias::new(self.table))
            .columns(self.values.iter().map(|(c, _)| Alias::new(*c)))
            .values_panic(self.values.iter().map(|(_, v)| v.clone()))
            .to_owned()
    }
}
