//! `learndb doctor`: one pass/warn/fail line per thing that decides whether learndb works on
//! this database: the connection and server, the capabilities the schema relies on (native
//! enums, enforced CHECK constraints, `updated_at` maintenance, partitioning, TiDB's guard
//! rails), the migrations, the lock and the schema itself (the `verify` summary).
//!
//! It reads only. The CHECK probe uses a temporary table inside a transaction that is rolled
//! back, so nothing is left behind even on servers whose DDL commits on its own (MySQL's
//! `CREATE TEMPORARY TABLE` does not commit). Exit 1 when a line fails, 0 otherwise (warnings
//! included), 2 when the database cannot be reached.

use std::io::Write;
use std::time::Instant;

use chrono::{Datelike, Utc};
use clap::Args;
use migration::cli::{CliError, DatabaseOptions, Session, open_session};
use migration::connect::one_line;
use migration::engine::{self, Flavor};
use migration::runner::StatusReport;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::verify::{Reference, check_read, count};

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub db: DatabaseOptions,

    /// Print one JSON document on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Pass,
    Warn,
    Fail,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub check: &'static str,
    pub level: Level,
    pub detail: String,
}

pub async fn run(args: DoctorArgs) -> Result<(), CliError> {
    let started = Instant::now();
    let session = open_session(args.db.database_url.as_deref(), args.db.connect_timeout).await?;
    let connected = started.elapsed();
    let findings = diagnose(&session, connected.as_millis(), args.db.connect_timeout).await;
    session.db.close_by_ref().await.ok();
    if args.json {
        #[derive(Serialize)]
        struct Doc<'a> {
            database: String,
            server: String,
            findings: &'a [Finding],
        }
        say(&serde_json::to_string_pretty(&Doc {
            database: session.target.to_string(),
            server: session.server.to_string(),
            findings: &findings,
        })
        .unwrap_or_default());
    } else {
        say(&session.header);
        for f in &findings {
            let level = match f.level {
                Level::Pass => "pass",
                Level::Warn => "warn",
                Level::Fail => "FAIL",
            };
            say(&format!("{level}  {:<18} {}", f.check, f.detail));
        }
    }
    let failed: Vec<&str> = findings
        .iter()
        .filter(|f| f.level == Level::Fail)
        .map(|f| f.check)
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "doctor found {} failing check(s) on {}: {}",
            failed.len(),
            session.target,
            failed.join(", ")
        )))
    }
}

/// Every finding, in the order they print.
pub async fn diagnose(session: &Session, connect_ms: u128, connect_timeout: u64) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut add = |check: &'static str, level: Level, detail: String| {
        out.push(Finding {
            check,
            level,
            detail,
        })
    };
    let db = &session.db;
    let flavor = session.server.flavor;
    let backend = db.get_database_backend();
    let scrub = |e: &dyn std::fmt::Display| session.target.scrub(&one_line(&e.to_string()));

    add(
        "connection",
        Level::Pass,
        format!("{} (connected in {connect_ms} ms)", session.target),
    );
    match engine::decide(&session.server, &session.facts) {
        Ok(profile) => {
            let how = if profile.transactional_ddl {
                "each migration in one transaction"
            } else {
                "migrations journaled statement by statement (DDL commits on its own)"
            };
            add(
                "server",
                Level::Pass,
                format!("{} ({})", session.server, how),
            );
        }
        Err(refusal) => add(
            "server",
            Level::Fail,
            format!("learndb refuses to migrate here: {refusal}"),
        ),
    }
    match engine::writable(&session.server, &session.facts) {
        Ok(()) => add("writes", Level::Pass, "the server takes writes".into()),
        Err(refusal) => add(
            "writes",
            Level::Warn,
            format!("changing commands refuse here: {refusal}"),
        ),
    }
    add(
        "native enums",
        Level::Pass,
        match backend {
            DbBackend::Postgres => "yes: CREATE TYPE … AS ENUM, one type per enum".to_owned(),
            DbBackend::MySql => "yes: ENUM column types".to_owned(),
            _ => "no: each enum column is text with a CHECK constraint on its values".to_owned(),
        },
    );
    match checks_enforced(db).await {
        Ok(true) => add(
            "check constraints",
            Level::Pass,
            "enforced: a row breaking one was rejected".into(),
        ),
        Ok(false) => add(
            "check constraints",
            Level::Fail,
            "NOT enforced: a row breaking a CHECK constraint was accepted (TiDB: SET GLOBAL tidb_enable_check_constraint = ON; MySQL: 8.0.16 or later)".into(),
        ),
        Err(e) => add(
            "check constraints",
            Level::Warn,
            format!("could not probe (a temporary table is needed): {}", scrub(&e)),
        ),
    }
    if flavor == Flavor::Tidb {
        let f = &session.facts;
        add(
            "tidb",
            if f.tidb_check_constraints == Some(true) && f.tidb_new_collation == Some(true) {
                Level::Pass
            } else {
                Level::Fail
            },
            format!(
                "tidb_enable_check_constraint {:?}, new collation framework {:?}, GET_LOCK lease (max-txn-ttl) {} s",
                f.tidb_check_constraints,
                f.tidb_new_collation,
                f.tidb_max_txn_ttl_ms
                    .unwrap_or(engine::TIDB_DEFAULT_MAX_TXN_TTL_MS)
                    / 1000
            ),
        );
    } else {
        add("tidb", Level::Pass, "not TiDB".into());
    }

    let catalog = Catalog::read(db).await;
    let status = session.runner().status().await;
    match &catalog {
        Ok(catalog) => {
            let (level, detail) = updated_at(backend, catalog);
            add("updated_at", level, detail);
            let (level, detail) = partitioning(backend, catalog);
            add("partitioning", level, detail);
        }
        Err(e) => add(
            "catalog",
            Level::Fail,
            format!("cannot read the catalog: {}", scrub(e)),
        ),
    }
    match &status {
        Ok(report) => {
            let (level, detail) = migrations(report);
            add("migrations", level, detail);
            match &report.lock_holder {
                None => add("lock", Level::Pass, "free".into()),
                Some(holder) => add(
                    "lock",
                    Level::Warn,
                    format!("held by {holder}: a migration is running (or its session is stuck)"),
                ),
            }
            if let Some(refused) = &report.refused {
                add(
                    "pooler",
                    Level::Warn,
                    format!("migrations are refused on this connection: {refused}"),
                );
            }
        }
        Err(e) => add(
            "migrations",
            Level::Fail,
            format!("cannot read the migration state: {}", scrub(e)),
        ),
    }
    // The verify summary, from the state and catalog read above.
    let verified = match (&status, &catalog) {
        (Ok(status), Ok(catalog)) => {
            check_read(session, status, catalog, Reference::Auto, connect_timeout).await
        }
        _ => Err(CliError::Failed(
            "the catalog or the migration state could not be read (above)".into(),
        )),
    };
    match verified {
        Ok(found) if found.drift.is_empty() => add(
            "schema",
            Level::Pass,
            format!(
                "no drift at {} of {} migrations: {}",
                found.applied, found.migrations, found.summary
            ),
        ),
        Ok(found) => add(
            "schema",
            Level::Fail,
            format!("{}; learndb verify lists them", count(&found.drift)),
        ),
        Err(e) => add(
            "schema",
            Level::Warn,
            format!("not verified: {}", scrub(&e)),
        ),
    }
    out
}

/// Whether the server rejects a row that breaks a CHECK constraint, tried on a temporary table
/// in a transaction that is rolled back.
async fn checks_enforced(db: &DatabaseConnection) -> Result<bool, sea_orm::DbErr> {
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    let sql = |s: &str| Statement::from_string(backend, s.to_owned());
    let create = match backend {
        DbBackend::Postgres => {
            "CREATE TEMPORARY TABLE learndb_doctor_probe (n integer, CONSTRAINT ck_learndb_doctor_probe CHECK (n > 0)) ON COMMIT DROP"
        }
        _ => {
            "CREATE TEMPORARY TABLE learndb_doctor_probe (n integer, CONSTRAINT ck_learndb_doctor_probe CHECK (n > 0))"
        }
    };
    txn.execute_raw(sql(create)).await?;
    let accepted = txn
        .execute_raw(sql("INSERT INTO learndb_doctor_probe (n) VALUES (0)"))
        .await
        .is_ok();
    txn.rollback().await?;
    if backend == DbBackend::MySql {
        // A temporary table is not transactional on the MySQL family: drop it.
        db.execute_raw(sql("DROP TEMPORARY TABLE IF EXISTS learndb_doctor_probe"))
            .await
            .ok();
    }
    Ok(!accepted)
}

/// How `updated_at` is kept: triggers (PostgreSQL, SQLite) or `ON UPDATE` on the column (the
/// MySQL family), counted against the tables that have the column.
fn updated_at(backend: DbBackend, catalog: &Catalog) -> (Level, String) {
    let tables = catalog.without_history();
    let with_column: Vec<&String> = tables
        .tables
        .iter()
        .filter(|(_, t)| t.columns.iter().any(|c| c.name == "updated_at"))
        .map(|(name, _)| name)
        .collect();
    let kept: Vec<&String> = with_column
        .iter()
        .copied()
        .filter(|name| match backend {
            DbBackend::MySql => tables.tables[*name]
                .columns
                .iter()
                .any(|c| c.name == "updated_at" && c.on_update.is_some()),
            _ => catalog
                .triggers
                .iter()
                .any(|trigger| trigger.starts_with(&format!("{name}."))),
        })
        .collect();
    let how = match backend {
        DbBackend::MySql => "ON UPDATE CURRENT_TIMESTAMP(6)",
        _ => "a trigger",
    };
    let missing: Vec<&&String> = with_column.iter().filter(|t| !kept.contains(t)).collect();
    if with_column.is_empty() {
        (
            Level::Warn,
            "no table has updated_at yet (nothing migrated?)".into(),
        )
    } else if missing.is_empty() {
        (
            Level::Pass,
            format!(
                "{} of {} tables with updated_at keep it with {how}",
                kept.len(),
                with_column.len()
            ),
        )
    } else {
        (
            Level::Fail,
            format!(
                "{} of {} tables with updated_at lack {how}: {}",
                missing.len(),
                with_column.len(),
                missing
                    .iter()
                    .map(|t| t.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    }
}

/// PostgreSQL: `attempts` is partitioned by year, and this year's and next year's partitions
/// exist (otherwise rows land in `attempts_default`). Elsewhere one table.
fn partitioning(backend: DbBackend, catalog: &Catalog) -> (Level, String) {
    if backend != DbBackend::Postgres {
        return (
            Level::Pass,
            "not used on this backend: attempts is one table".into(),
        );
    }
    let parts: Vec<&String> = catalog
        .partitions
        .iter()
        .filter(|(_, parent)| *parent == "attempts")
        .map(|(name, _)| name)
        .collect();
    if parts.is_empty() {
        return if catalog.tables.contains_key("attempts") {
            (Level::Fail, "attempts is not partitioned".into())
        } else {
            (
                Level::Warn,
                "attempts does not exist yet (adaptive not migrated)".into(),
            )
        };
    }
    let year = Utc::now().year();
    let has = |y: i32| parts.iter().any(|p| **p == format!("attempts_{y}"));
    let list = parts
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if !has(year) {
        (
            Level::Fail,
            format!(
                "no partition for {year} ({list}): this year's attempts land in attempts_default; run SELECT ensure_attempts_partition({year});"
            ),
        )
    } else if !has(year + 1) {
        (
            Level::Warn,
            format!(
                "no partition for {} yet ({list}); before January run SELECT ensure_attempts_partition({});",
                year + 1,
                year + 1
            ),
        )
    } else {
        (Level::Pass, format!("attempts partitioned by year: {list}"))
    }
}

fn migrations(report: &StatusReport) -> (Level, String) {
    let total = report.migrations.len();
    let problems: Vec<String> = report
        .migrations
        .iter()
        .filter(|m| m.state.is_problem())
        .map(|m| format!("{} {}", m.version, m.state.as_str()))
        .collect();
    if !problems.is_empty() {
        (
            Level::Fail,
            format!(
                "{} of {total} applied; {} (learndb migrate status explains)",
                report.applied,
                problems.join(", ")
            ),
        )
    } else if report.pending > 0 {
        (
            Level::Warn,
            format!(
                "{} of {total} applied, {} pending (learndb migrate up)",
                report.applied, report.pending
            ),
        )
    } else {
        (
            Level::Pass,
            format!("{} of {total} applied", report.applied),
        )
    }
}

fn say(text: &str) {
    let _ = writeln!(std::io::stdout(), "{text}");
}
