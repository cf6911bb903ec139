//! The canonical form of a row (SPEC-26-27 §27.3) and its SHA-256: `source_hash` of a source row
//! as read, `written_hash` of a target row as read back.
//!
//! A row is a JSON object keyed by column name. Before hashing, every value is put in the spelling
//! the spec fixes, so the same row hashes the same whatever driver or backend produced it:
//! - timestamps RFC 3339 UTC with 6 fraction digits (`2025-01-02T03:04:05.000000Z`); a string
//!   that parses as an RFC 3339 time with an offset is one;
//! - exact decimals as strings of their digits without trailing fraction zeros (`"12.5"`, not
//!   `"12.50"`: PostgreSQL keeps the column's scale, SQLite stores a REAL);
//! - uuids lower-case and hyphenated (what `uuid` and PostgreSQL print already).
//!
//! The serialisation itself is RFC 8785 (JCS) by `serde_json_canonicalizer`: sorted keys, no
//! whitespace, ECMAScript number spelling.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A copy of `value` with every timestamp and decimal in canonical spelling (recursively).
pub fn normalise(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(normalise_str(s)),
        Value::Array(items) => Value::Array(items.iter().map(normalise).collect()),
        Value::Object(map) => normalise_map(map),
        other => other.clone(),
    }
}

fn normalise_map(map: &serde_json::Map<String, Value>) -> Value {
    Value::Object(map.iter().map(|(k, v)| (k.clone(), normalise(v))).collect())
}

fn normalise_str(s: &str) -> String {
    if let Some(t) = timestamp(s) {
        return t;
    }
    if looks_decimal(s) {
        return trim_decimal(s);
    }
    s.to_owned()
}

/// An RFC 3339 time (or PostgreSQL's `2025-01-02 03:04:05+00` spelling) in canonical form.
pub fn timestamp(s: &str) -> Option<String> {
    if s.len() < 20 || !s.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let parsed = DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f%#z"))
        .ok()?;
    Some(utc6(parsed.with_timezone(&Utc)))
}

/// RFC 3339 UTC with 6 fraction digits.
pub fn utc6(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn looks_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let mut parts = digits.splitn(2, '.');
    let int = parts.next().unwrap_or("");
    let frac = parts.next();
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

fn trim_decimal(s: &str) -> String {
    let t = s.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" { "0".into() } else { t.into() }
}

/// Lower-case hex SHA-256 of the canonical JSON of `value`.
pub fn hash(value: &Value) -> String {
    digest(&normalise(value))
}

/// [`hash`] of a row given as its map of columns.
pub fn hash_row(row: &serde_json::Map<String, Value>) -> String {
    digest(&normalise_map(row))
}

fn digest(normal: &Value) -> String {
    let bytes = serde_json_canonicalizer::to_vec(normal)
        .unwrap_or_else(|_| normal.to_string().into_bytes());
    hex(&Sha256::digest(&bytes))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn spellings_of_one_row_hash_alike() {
        let pg = json!({"b": "12.50", "a": "2025-01-02T03:04:05+00:00", "id": "0190a1b2-0000-7000-8000-000000000001"});
        let other = json!({"id": "0190a1b2-0000-7000-8000-000000000001", "a": "2025-01-02 04:04:05.000+01", "b": "12.5"});
        assert_eq!(hash(&pg), hash(&other));
        assert_ne!(
            hash(&pg),
            hash(
                &json!({"b": "12.51", "a": "2025-01-02T03:04:05Z", "id": "0190a1b2-0000-7000-8000-000000000001"})
            )
        );
    }

    #[test]
    fn canonical_values() {
        assert_eq!(
            normalise(&json!("2025-01-02T03:04:05.5Z")),
            json!("2025-01-02T03:04:05.500000Z")
        );
        assert_eq!(normalise(&json!("10.0")), json!("10"));
        assert_eq!(normalise(&json!("-0.00")), json!("0"));
        assert_eq!(normalise(&json!("1.10.0")), json!("1.10.0"));
        assert_eq!(normalise(&json!("history")), json!("history"));
        assert_eq!(hash(&json!({"a": 1})).len(), 64);
    }
}
