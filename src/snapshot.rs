//! The committed catalogs: what learndb's migrations create on each backend, after each
//! migration, so `learndb verify` can check a database without creating one.
//!
//! Production users often may not `CREATE DATABASE`, so verify cannot always migrate a scratch
//! database to compare with. Instead `schema/catalog/<backend>.json` records, for every object
//! of the flattened catalog ([`crate::compare::flatten`]), the migration that created it and each
//! later migration that changed or dropped it. The expected catalog at any set of applied
//! migrations is replayed from that. A test (`tests/verify.rs`) records the files again from
//! real databases, migrating one step at a time, and fails when the committed copy is stale.
//!
//! One file per engine whose catalog we can record here: PostgreSQL, MariaDB and SQLite. MySQL,
//! TiDB and YugabyteDB spell their catalogs differently; verify compares them with a scratch
//! database migrated on the same server instead (`--reference scratch`).

use std::collections::{BTreeMap, BTreeSet};

use migration::connect::Target;
use migration::engine::Flavor;
use migration::runner::{Runner, Selection};
use migration::{Migrator, MigratorTrait};
use sea_orm::{DatabaseConnection, DbErr};
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::compare::{Objects, flatten};

/// The format of the files; a reader refuses others.
pub const FORMAT: u32 = 1;

/// Each object's history: `(migration, value)` in migration order, `None` when the migration
/// dropped it.
pub type History = Vec<(String, Option<String>)>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub format: u32,
    /// `postgres`, `mariadb` or `sqlite`.
    pub engine: String,
    /// The migrations it covers, in order.
    pub migrations: Vec<String>,
    pub objects: BTreeMap<String, History>,
}

impl Snapshot {
    /// The committed snapshot for `flavor`, if learndb ships one.
    pub fn committed(flavor: Flavor) -> Option<Result<Snapshot, String>> {
        let (engine, text) = match flavor {
            Flavor::Postgres => ("postgres", include_str!("../schema/catalog/postgres.json")),
            Flavor::MariaDb => ("mariadb", include_str!("../schema/catalog/mariadb.json")),
            Flavor::Sqlite => ("sqlite", include_str!("../schema/catalog/sqlite.json")),
            _ => return None,
        };
        Some(Snapshot::parse(text).map_err(|e| {
            format!("the committed catalog schema/catalog/{engine}.json is unreadable: {e}")
        }))
    }

    /// The file name under `schema/catalog/` for `flavor`.
    pub fn file_name(flavor: Flavor) -> Option<&'static str> {
        match flavor {
            Flavor::Postgres => Some("postgres.json"),
            Flavor::MariaDb => Some("mariadb.json"),
            Flavor::Sqlite => Some("sqlite.json"),
            _ => None,
        }
    }

    pub fn parse(text: &str) -> Result<Snapshot, String> {
        let snapshot: Snapshot = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if snapshot.format != FORMAT {
            return Err(format!(
                "format {} (this build reads format {FORMAT})",
                snapshot.format
            ));
        }
        Ok(snapshot)
    }

    /// Records a snapshot on `db`, an empty database: migrates it one migration at a time with
    /// learndb's runner and reads the catalog after each.
    pub async fn record(
        db: &DatabaseConnection,
        target: &Target,
        engine: &str,
    ) -> Result<Snapshot, String> {
        let runner = Runner::<Migrator>::for_target(db, target);
        let mut snapshot = Snapshot {
            format: FORMAT,
            engine: engine.to_owned(),
            migrations: Vec::new(),
            objects: BTreeMap::new(),
        };
        let mut before = read(db).await?;
        for migration in Migrator::migrations() {
            let name = migration.name().to_owned();
            runner
                .up_with(&Selection::To(name.clone()), &mut |_| {})
                .await
                .map_err(|e| format!("migrating to {name}: {e}"))?;
            let after = read(db).await?;
            let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
            for key in keys {
                let (old, new) = (before.get(key), after.get(key));
                if old != new {
                    snapshot
                        .objects
                        .entry(key.clone())
                        .or_default()
                        .push((name.clone(), new.cloned()));
                }
            }
            snapshot.migrations.push(name);
            before = after;
        }
        Ok(snapshot)
    }

    /// The flattened catalog after exactly the migrations of `applied` (replayed in the
    /// snapshot's order, whatever order they were applied in).
    pub fn at(&self, applied: &BTreeSet<String>) -> Objects {
        let mut out = Objects::new();
        for (key, history) in &self.objects {
            let value = history
                .iter()
                .rfind(|(migration, _)| applied.contains(migration))
                .and_then(|(_, value)| value.clone());
            if let Some(value) = value {
                out.insert(key.clone(), value);
            }
        }
        out
    }

    /// The file's text: one object per line, so a schema change shows as a readable diff.
    pub fn to_text(&self) -> String {
        let mut out = String::from("{\n");
        out.push_str(&format!("  \"format\": {},\n", self.format));
        out.push_str(&format!("  \"engine\": {},\n", json(&self.engine)));
        out.push_str("  \"migrations\": [\n");
        let names: Vec<String> = self
            .migrations
            .iter()
            .map(|m| format!("    {}", json(m)))
            .collect();
        out.push_str(&names.join(",\n"));
        out.push_str("\n  ],\n  \"objects\": {\n");
        let objects: Vec<String> = self
            .objects
            .iter()
            .map(|(key, history)| format!("    {}: {}", json(key), json(history)))
            .collect();
        out.push_str(&objects.join(",\n"));
        out.push_str("\n  }\n}\n");
        out
    }
}

async fn read(db: &DatabaseConnection) -> Result<Objects, String> {
    Catalog::read(db)
        .await
        .map(|c| flatten(&c))
        .map_err(|e: DbErr| e.to_string())
}

/// Compact JSON of one value (a string or a history) for [`Snapshot::to_text`]; serialising
/// strings and vectors of `(String, Option<String>)` cannot fail.
fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> Snapshot {
        let h = |steps: &[(&str, Option<&str>)]| -> History {
            steps
                .iter()
                .map(|(m, v)| ((*m).to_owned(), v.map(str::to_owned)))
                .collect()
        };
        Snapshot {
            format: FORMAT,
            engine: "sqlite".into(),
            migrations: vec!["m1_users".into(), "m2_more".into()],
            objects: BTreeMap::from([
                ("table users".to_owned(), h(&[("m1_users", Some(""))])),
                (
                    "column users.bio".to_owned(),
                    h(&[
                        ("m1_users", Some("text NULL")),
                        ("m2_more", Some("varchar NULL")),
                    ]),
                ),
                (
                    "index users.gone".to_owned(),
                    h(&[("m1_users", Some("(a)")), ("m2_more", None)]),
                ),
                ("table more".to_owned(), h(&[("m2_more", Some(""))])),
            ]),
        }
    }

    #[test]
    fn replays_the_applied_migrations() {
        let s = snapshot();
        let first = s.at(&BTreeSet::from(["m1_users".to_owned()]));
        assert_eq!(
            first.get("column users.bio").map(String::as_str),
            Some("text NULL")
        );
        assert!(first.contains_key("index users.gone"));
        assert!(!first.contains_key("table more"));
        let both = s.at(&BTreeSet::from([
            "m1_users".to_owned(),
            "m2_more".to_owned(),
        ]));
        assert_eq!(
            both.get("column users.bio").map(String::as_str),
            Some("varchar NULL")
        );
        assert!(!both.contains_key("index users.gone"));
        assert!(both.contains_key("table more"));
        assert!(s.at(&BTreeSet::new()).is_empty());
    }

    #[test]
    fn the_text_reads_back() {
        let s = snapshot();
        assert_eq!(Snapshot::parse(&s.to_text()), Ok(s.clone()));
        let other = s.to_text().replace("\"format\": 1", "\"format\": 9");
        assert!(Snapshot::parse(&other).is_err_and(|e| e.contains("format 9")));
    }
}
