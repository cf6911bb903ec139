//! `learndb import <system> --from URL`: one legacy system's rows into a learndb database at its
//! last migration (SPEC-26-27 §27). Read-only on the source, resumable, idempotent, and every
//! source row read ends in exactly one place: a target row, a merge, or a reject.
//!
//! The parts:
//! - [`source`]: the legacy database, one read-only snapshot, rows as JSON objects;
//! - [`row`]: the column rules of §27.8–§27.9 (each failure is its reject);
//! - a module per system ([`kedge`]) with one mapping function per source table;
//! - [`engine`]: what becomes of each mapped row (insert, merge, update, unchanged, kept,
//!   target_deleted, reject) and the batch transaction that writes it with its provenance;
//! - [`tool`]: the four tool-owned tables; [`canon`]: row hashes;
//! - this module: the command, its refusals, the lock, the run row, V1–V7 and the report.
//!
//! Systems built so far: Kedge. The others refuse with exit 2 and say so.

mod adaptive;
mod canon;
mod engine;
mod generic;
mod kedge;
mod lms;
mod progress;
mod row;
mod source;
mod storysign;
mod tool;
mod users;
mod writebot;

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use clap::Args;
use migration::cli::{CliError, Environment, load_dotenv, open_target};
use migration::connect::{Source as UrlSource, Target, error_line, register_url_secrets};
use migration::runner::Signal;
use migration::runner::lock::MigrationLock;
use migration::sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, TransactionTrait};
use migration::{Alias, Expr, ExprTrait, MigratorTrait, Query};
use serde_json::{Value as Json, json};
use uuid::Uuid;

pub use canon::hash as row_hash;
pub use engine::{Counts, Line};

use engine::{Import, Root, RootConn};

/// Column names whose values never reach the tool tables (§27.11).
pub const SECRETS: &[&str] = &[
    "password_hash",
    "password_salt",
    "hashed_password",
    "salt",
    "mfa_secret",
    "verification_token",
    "reset_token",
    "password_reset_token",
    "session_token",
];

/// `row` with every secret column as `"<redacted>"`.
pub fn redact_row(mut row: Json) -> Json {
    if let Json::Object(map) = &mut row {
        for (k, v) in map.iter_mut() {
            if SECRETS.contains(&k.as_str()) && !Json::is_null(v) {
                *v = json!("<redacted>");
            }
        }
    }
    row
}

pub use users::username_key;

/// The current instant, in UTC microseconds, as every backend stores it.
pub fn now() -> DateTime<chrono::FixedOffset> {
    Utc::now().trunc_subsecs(6).fixed_offset()
}

/// The command line of §27.1.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The legacy system: storysign (ss), adaptive (al), kedge (kg), writebot (wb), lms (dz).
    pub system: String,

    /// The legacy database URL (read only; printed with its password as ***).
    #[arg(long, value_name = "URL")]
    pub from: String,

    /// Target database URL (as every command; DATABASE_URL, .env otherwise).
    #[arg(short = 'u', long, value_name = "URL")]
    pub database_url: Option<String>,

    /// Target URL that bypasses a pooler (wins over --database-url and DATABASE_URL).
    #[arg(
        long,
        value_name = "URL",
        env = "DIRECT_DATABASE_URL",
        hide_env_values = true
    )]
    pub direct_url: Option<String>,

    /// Names this source in the map (default: the system code).
    #[arg(long, value_name = "NAME")]
    pub source_name: Option<String>,

    /// Source schema (Kedge: kedge_practice).
    #[arg(long, value_name = "S")]
    pub schema: Option<String>,

    /// Read, map and validate everything and print the report; write nothing.
    #[arg(long, conflicts_with = "verify")]
    pub dry_run: bool,

    /// Evaluate V1–V7 again for the latest finished run of this source (read only).
    #[arg(long)]
    pub verify: bool,

    /// A later run may read a source whose fingerprint changed (a restored copy).
    #[arg(long)]
    pub accept_moved_source: bool,

    /// Time zone of naive timestamps (default UTC). Fixed per source name.
    #[arg(long, value_name = "TZ", default_value = "UTC")]
    pub source_timezone: String,

    /// Merge on email even when the target's email is not verified. Fixed per source name.
    #[arg(long)]
    pub merge_unverified_emails: bool,

    /// Skip (and count) unknown tables and columns instead of refusing. Fixed per source name.
    #[arg(long)]
    pub allow_unmapped: bool,

    /// Source rows per target transaction (1 to 100000).
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub batch_size: u32,

    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,

    /// Do not ask for confirmation (required when not on a terminal); LEARNDB_YES=1 does the same.
    #[arg(long, env = "LEARNDB_YES", value_parser = clap::builder::BoolishValueParser::new())]
    pub yes: bool,

    /// Seconds to wait for each server to accept a connection.
    #[arg(long, default_value_t = 10, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub connect_timeout: u64,

    /// Seconds to wait for the migration lock.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    pub lock_timeout: u64,

    /// Log each step.
    #[arg(short, long)]
    pub verbose: bool,
}

/// Why an import stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    BadInput(String),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Failed(String),
    #[error(
        "the migration lock was lost ({0}); the run stopped before the next batch and is resumed by running the command again"
    )]
    LockLost(String),
    #[error("stopped by {} after the current batch; run the command again to resume", .0.name())]
    Interrupted(Signal),
}

impl ImportError {
    pub fn db(what: &str, e: &DbErr) -> Self {
        ImportError::Failed(format!("{what}: {}", error_line(e)))
    }
}

/// The run being written.
pub struct Run {
    pub id: Uuid,
    pub source: String,
    pub system: &'static str,
    pub started: DateTime<Utc>,
}

/// What the import knows of one legacy system's schema (§27.2).
pub struct System {
    pub code: &'static str,
    pub name: &'static str,
    /// The engine the system ran on.
    pub engine: DbBackend,
    /// The source schema read by default (none on SQLite).
    pub schema: &'static str,
    /// In-scope tables with every column the system's DDL versions can give them.
    pub known: &'static [(&'static str, &'static [&'static str])],
    /// Out of scope and history: skipped, their rows counted.
    pub skipped: &'static [&'static str],
    /// Source columns that a NOT NULL target column without a default needs.
    pub required: &'static [(&'static str, &'static str)],
    /// Tables without which the source is not this system.
    pub signature: &'static [&'static str],
    /// Source tables that later rows reference: their keys stay in memory for the run.
    pub parents: &'static [&'static str],
}

/// The systems this build imports.
pub const SYSTEMS: &[System] = &[
    System {
        code: "kg",
        name: "kedge",
        engine: DbBackend::Postgres,
        schema: "kedge_practice",
        known: kedge::KNOWN,
        skipped: &[],
        required: kedge::REQUIRED,
        signature: &["users", "knowledge_points", "quizzes", "practice_sessions"],
        parents: &["users", "knowledge_points", "quizzes", "practice_sessions"],
    },
    System {
        code: "al",
        name: "adaptive",
        engine: DbBackend::Postgres,
        schema: "public",
        known: adaptive::KNOWN,
        skipped: adaptive::SKIPPED,
        required: adaptive::REQUIRED,
        signature: adaptive::SIGNATURE,
        parents: &["users", "items", "sessions"],
    },
    System {
        code: "ss",
        name: "storysign",
        engine: DbBackend::MySql,
        schema: "",
        known: storysign::KNOWN,
        skipped: storysign::SKIPPED,
        required: storysign::REQUIRED,
        signature: storysign::SIGNATURE,
        parents: storysign::PARENTS,
    },
    System {
        code: "dz",
        name: "lms",
        engine: DbBackend::Postgres,
        schema: "public",
        known: lms::KNOWN,
        skipped: lms::SKIPPED,
        required: lms::REQUIRED,
        signature: lms::SIGNATURE,
        parents: lms::PARENTS,
    },
    System {
        code: "wb",
        name: "writebot",
        engine: DbBackend::Sqlite,
        schema: "",
        known: writebot::KNOWN,
        skipped: writebot::SKIPPED,
        required: writebot::REQUIRED,
        signature: writebot::SIGNATURE,
        parents: &[
            "users",
            "page_size_presets",
            "character_override_collections",
        ],
    },
];

/// The system a name or alias names: its code and name, and its definition when this build
/// imports it.
fn system(name: &str) -> Option<(&'static str, &'static str, Option<&'static System>)> {
    let (code, name) = match name {
        "storysign" | "ss" => ("ss", "storysign"),
        "adaptive" | "al" => ("al", "adaptive"),
        "kedge" | "kg" => ("kg", "kedge"),
        "writebot" | "wb" => ("wb", "writebot"),
        "lms" | "dz" => ("dz", "lms"),
        _ => return None,
    };
    Some((code, name, SYSTEMS.iter().find(|s| s.code == code)))
}

/// Runs one system's tables in order.
async fn import_system(
    sys: &System,
    imp: &mut Import,
    root: &Root<'_>,
    src: &source::SourceDb,
    args: &ImportArgs,
) -> Result<(), ImportError> {
    let batch = args.batch_size as usize;
    match sys.code {
        "kg" => kedge::import(imp, root, src, batch).await?,
        "al" => adaptive::import(imp, root, src, batch, args.merge_unverified_emails).await?,
        "ss" => storysign::import(imp, root, src, batch, args.merge_unverified_emails).await?,
        "dz" => lms::import(imp, root, src, batch, args.merge_unverified_emails).await?,
        "wb" => writebot::import(imp, root, src, batch, args.merge_unverified_emails).await?,
        other => {
            return Err(ImportError::BadInput(format!(
                "system {other} is not built"
            )));
        }
    }
    // Out-of-scope and history tables, and with --allow-unmapped unknown ones: read = skipped.
    for table in src.tables.keys() {
        let known = sys.known.iter().any(|(t, _)| t == table);
        if !known && (sys.skipped.contains(&table.as_str()) || args.allow_unmapped) {
            let rows = src.count(table).await?;
            imp.skipped(table, rows);
        }
    }
    Ok(())
}

/// Runs the command; the report goes to stdout, the one error line to stderr (by `finish`).
pub async fn run(args: ImportArgs) -> Result<(), CliError> {
    register_url_secrets(&args.from);
    match execute(&args).await {
        Ok(()) => Ok(()),
        Err(ImportError::BadInput(m)) => Err(CliError::Refused(m)),
        Err(ImportError::Interrupted(signal)) => {
            Err(CliError::Run(migration::runner::RunError::Interrupted {
                signal,
                target: "the target".into(),
                what: "after the current batch (run the import again to resume)".into(),
            }))
        }
        Err(e) => Err(CliError::Failed(e.to_string())),
    }
}

async fn execute(args: &ImportArgs) -> Result<(), ImportError> {
    let Some((code, name, sys)) = system(&args.system) else {
        return Err(ImportError::BadInput(format!(
            "unknown system {:?}: give storysign (ss), adaptive (al), kedge (kg), writebot (wb) or lms (dz)",
            args.system
        )));
    };
    let Some(sys) = sys else {
        return Err(ImportError::BadInput(format!(
            "importing {name} is not built yet: this learndb imports kedge, adaptive, writebot and lms (issue 17 tracks storysign)"
        )));
    };
    if args.source_timezone != "UTC" {
        return Err(ImportError::BadInput(format!(
            "--source-timezone {:?}: this build reads naive source timestamps in UTC only (give UTC, or convert the source first)",
            args.source_timezone
        )));
    }
    if !args.yes && !args.dry_run && !args.verify && !std::io::stdin().is_terminal() {
        return Err(ImportError::BadInput(
            "not on a terminal: pass --yes to import without confirmation".into(),
        ));
    }
    load_dotenv().map_err(|e| ImportError::BadInput(e.to_string()))?;
    let environment = Environment::from_env();
    let target = Target::resolve_direct(args.direct_url.as_deref(), args.database_url.as_deref())
        .map_err(|e| ImportError::BadInput(e.to_string()))?;
    let _ = UrlSource::Flag;
    let session = open_target(target, &environment, args.connect_timeout)
        .await
        .map_err(|e| match e {
            CliError::Connect(c) => ImportError::BadInput(c.to_string()),
            other => ImportError::Failed(other.to_string()),
        })?;
    // A standby or read-only target: refused before the source is even opened.
    if !args.dry_run && !args.verify {
        session
            .refuse_read_only("import into")
            .map_err(ImportError::Refused)?;
    }
    let source_name = args.source_name.clone().unwrap_or_else(|| code.to_owned());
    if source_name.is_empty() || source_name.len() > 64 {
        return Err(ImportError::BadInput(
            "--source-name must have 1 to 64 characters".into(),
        ));
    }
    let schema = args.schema.clone().unwrap_or_else(|| sys.schema.into());
    let src = source::SourceDb::open(&args.from, &schema, args.connect_timeout, sys.engine).await?;
    if !args.json {
        println!("{}", session.header);
        println!(
            "Source: {name} {source_name:?} {} ({}), snapshot at {}",
            src.target,
            src.server,
            canon::utc6(src.snapshot_at)
        );
    }
    let result = import_with(args, &session, &src, sys, &source_name).await;
    src.close().await;
    session.db.clone().close().await.ok();
    result
}

/// Refusals before anything is written (§27.1).
async fn refusals(
    args: &ImportArgs,
    session: &migration::cli::Session,
    src: &source::SourceDb,
    sys: &System,
) -> Result<String, ImportError> {
    let status = session
        .runner()
        .status()
        .await
        .map_err(|e| ImportError::Failed(e.to_string()))?;
    let known = migration::Migrator::migrations().len();
    let applied = status.applied;
    let last = format!("{applied} of {known} migrations");
    if applied < known || status.pending > 0 || status.problems > 0 {
        return Err(ImportError::Refused(format!(
            "refusing to import into {}: it is at {applied} of {known} migrations; run `learndb migrate up` first",
            session.target
        )));
    }
    let found = crate::verify::check(
        session,
        crate::verify::Reference::Snapshot,
        args.connect_timeout,
    )
    .await
    .map_err(|e| ImportError::Failed(e.to_string()))?;
    if !found.drift.is_empty() {
        return Err(ImportError::Refused(format!(
            "refusing to import into {}: `learndb verify` finds drift ({}); fix the schema first",
            session.target,
            crate::verify::count(&found.drift)
        )));
    }
    if session.target.backend() == DbBackend::Sqlite {
        let row = session
            .db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA foreign_keys",
            ))
            .await
            .map_err(|e| ImportError::db("PRAGMA foreign_keys", &e))?;
        let on: i64 = row.and_then(|r| r.try_get_by_index(0).ok()).unwrap_or(0);
        if on != 1 {
            return Err(ImportError::Refused(
                "refusing to import: PRAGMA foreign_keys is off on the target connection".into(),
            ));
        }
    }
    // Unknown tables and columns (§27.2), and required columns that are absent.
    let mut unknown = Vec::new();
    for (table, columns) in &src.tables {
        match sys.known.iter().find(|(t, _)| t == table) {
            None if sys.skipped.contains(&table.as_str()) => {}
            None => unknown.push(format!("table {table}")),
            Some((_, known)) => {
                for c in columns {
                    if !known.contains(&c.as_str()) {
                        unknown.push(format!("column {table}.{c}"));
                    }
                }
            }
        }
    }
    if !unknown.is_empty() && !args.allow_unmapped {
        return Err(ImportError::Refused(format!(
            "refusing to import: the source has what {}'s schema does not define ({}); its data would be lost without a word; pass --allow-unmapped to skip and count it",
            sys.name,
            unknown.join(", ")
        )));
    }
    for (table, column) in sys.required {
        if src.tables.contains_key(*table) && !src.has(table, column) {
            return Err(ImportError::Refused(format!(
                "refusing to import: source table {table} lacks column {column}, which learndb requires; this is not a {} schema this build knows",
                sys.name
            )));
        }
    }
    for table in sys.signature {
        if !src.tables.contains_key(*table) {
            return Err(ImportError::Refused(format!(
                "refusing to import: the source schema {:?} has no table {table}: it is not a {} database",
                src.schema, sys.name
            )));
        }
    }
    Ok(last)
}

/// The options stored with the run and compared with the source name's earlier runs.
fn fixed_options(args: &ImportArgs) -> Json {
    json!({
        "source_timezone": args.source_timezone,
        "merge_unverified_emails": args.merge_unverified_emails,
        "allow_unmapped": args.allow_unmapped,
        "batch_size": args.batch_size,
    })
}

async fn import_with(
    args: &ImportArgs,
    session: &migration::cli::Session,
    src: &source::SourceDb,
    sys: &'static System,
    source_name: &str,
) -> Result<(), ImportError> {
    let code = sys.code;
    let target_version = refusals(args, session, src, sys).await?;
    let db = &session.db;
    let tool_present = tool::present(db)
        .await
        .map_err(|e| ImportError::db("reading the tool tables", &e))?;
    let options = fixed_options(args);

    // The source name's earlier runs: same fingerprint and options (§27.1).
    if tool_present {
        let earlier = latest_run(db, source_name, false).await?;
        if let Some((_, fingerprint, stored, _)) = &earlier {
            for key in [
                "source_timezone",
                "merge_unverified_emails",
                "allow_unmapped",
            ] {
                if stored.get(key) != options.get(key) {
                    return Err(ImportError::Refused(format!(
                        "refusing to import: source {source_name:?} was imported with {key} = {}, and this run has {}; these are fixed per source name",
                        stored.get(key).cloned().unwrap_or(Json::Null),
                        options[key]
                    )));
                }
            }
            if *fingerprint != src.fingerprint && !args.accept_moved_source {
                return Err(ImportError::Refused(format!(
                    "refusing to import: source {source_name:?} was read from {fingerprint}, and this source is {}; pass --accept-moved-source for a restored copy, or another --source-name for another deployment",
                    src.fingerprint
                )));
            }
        }
    }
    if args.verify {
        return verify_only(args, session, src, sys, source_name).await;
    }

    // The migration lock for the whole run (not for a dry run, which writes nothing).
    let lock = if args.dry_run {
        None
    } else {
        Some(
            MigrationLock::acquire(&session.target, db, Duration::from_secs(args.lock_timeout))
                .await
                .map_err(|e| ImportError::Failed(e.to_string()))?,
        )
    };
    if !args.dry_run {
        tool::ensure(db)
            .await
            .map_err(|e| ImportError::db("creating the import's tables", &e))?;
    }
    let tool = tool_present || !args.dry_run;
    migration::runner::interrupt::install();
    let run = Run {
        id: engine::mint(Utc::now()),
        source: source_name.to_owned(),
        system: code,
        started: Utc::now().trunc_subsecs(6),
    };
    let mut imp = Import {
        run,
        keys: Default::default(),
        parents: sys.parents,
        lengths: Default::default(),
        uniques: Default::default(),
        lines: Vec::new(),
        conflicts: BTreeMap::new(),
        rejects: BTreeMap::new(),
        fidelity: Vec::new(),
        tool,
        // A dry run writes nothing, not even into the tool tables it reads.
        record: !args.dry_run,
        check_only: false,
        progress: progress::Progress::for_stderr(args.json),
        unverified_collisions: 0,
    };
    if tool {
        load_keys(&mut imp, db).await?;
        if !args.dry_run {
            analyze_map(db).await?;
        }
    }
    (imp.lengths, imp.uniques) = target_lengths(db).await?;
    let root = Root {
        conn: if args.dry_run {
            RootConn::DryRun(
                db.begin()
                    .await
                    .map_err(|e| ImportError::db("starting the dry run", &e))?,
            )
        } else {
            RootConn::Db(db)
        },
        lock: tokio::sync::Mutex::new(lock),
        target: &session.target,
    };
    if !args.dry_run {
        let insert = Query::insert()
            .into_table(Alias::new(tool::RUNS))
            .columns(
                [
                    "id",
                    "source",
                    "system",
                    "source_url",
                    "source_fingerprint",
                    "source_server",
                    "target_version",
                    "options",
                    "status",
                    "started_at",
                ]
                .map(Alias::new),
            )
            .values_panic([
                imp.run.id.into(),
                source_name.into(),
                code.into(),
                src.target.redacted().into(),
                src.fingerprint.clone().into(),
                src.server.clone().into(),
                target_version.clone().into(),
                options.clone().into(),
                "running".into(),
                imp.run.started.fixed_offset().into(),
            ])
            .to_owned();
        db.execute(&insert)
            .await
            .map_err(|e| ImportError::db("recording the run", &e))?;
    }
    let outcome = import_system(sys, &mut imp, &root, src, args).await;
    imp.progress.done();
    if !args.dry_run && outcome.is_ok() {
        analyze_map(db).await?;
    }
    let lock = root.lock.into_inner();
    if let RootConn::DryRun(t) = root.conn {
        let _ = t.rollback().await;
    }
    if let Err(e) = outcome {
        if !args.dry_run {
            let status = if matches!(e, ImportError::Interrupted(_) | ImportError::LockLost(_)) {
                "interrupted"
            } else {
                "failed"
            };
            finish_run(db, imp.run.id, status, &report_json(&imp, src, &[], status))
                .await
                .ok();
        }
        if let Some(l) = lock {
            l.release().await;
        }
        return Err(e);
    }
    let mut failures = Vec::new();
    if !args.dry_run {
        failures = conditions(&imp, session, src, args.connect_timeout, imp.run.id).await?;
    }
    let status = if args.dry_run {
        "dry-run"
    } else if failures.is_empty() {
        "verified"
    } else {
        "completed"
    };
    let report = report_json(&imp, src, &failures, status);
    if !args.dry_run {
        finish_run(db, imp.run.id, status, &report).await?;
    }
    if let Some(l) = lock {
        l.release().await;
    }
    print_report(args, &imp, &failures, status, &report);
    outcome_of(&imp, &failures, args.dry_run)
}

/// Exit 0, or the `error:` lines of §27.14 (joined into the one line `finish` prints).
fn outcome_of(imp: &Import, failures: &[String], dry_run: bool) -> Result<(), ImportError> {
    let mut errors = Vec::new();
    let rejected: u64 = imp.rejects.values().sum();
    if rejected > 0 {
        let reasons: Vec<String> = imp
            .rejects
            .iter()
            .map(|(r, n)| format!("{r} {n}"))
            .collect();
        errors.push(if dry_run {
            format!("{rejected} rows would be rejected ({})", reasons.join(", "))
        } else {
            format!("{rejected} rows rejected ({}; see learndb_import_rejects, run {}); the rest is imported", reasons.join(", "), imp.run.id)
        });
    }
    errors.extend(failures.iter().cloned());
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ImportError::Failed(errors.join("; ")))
    }
}

/// The target's varchar lengths by table and column, from its catalog.
/// Fresh planner statistics for the map on PostgreSQL. A map that grew from nothing in one run
/// has none, and the per-batch lookup by source key then scans every map row of the table
/// (a million-row `--verify` took 445 s instead of tens); MySQL recomputes InnoDB statistics
/// by itself, and SQLite's planner uses the primary key without them.
async fn analyze_map(db: &migration::sea_orm::DatabaseConnection) -> Result<(), ImportError> {
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared(&format!("ANALYZE {}", tool::MAP))
            .await
            .map_err(|e| ImportError::db("ANALYZE of the map", &e))?;
    }
    Ok(())
}

/// The target's varchar lengths and unique keys, from its catalog.
async fn target_lengths(
    db: &migration::sea_orm::DatabaseConnection,
) -> Result<(generic::Lengths, engine::Uniques), ImportError> {
    let catalog = crate::catalog::Catalog::read(db)
        .await
        .map_err(|e| ImportError::db("reading the target's catalog", &e))?;
    let mut lengths = generic::Lengths::new();
    for (table, t) in &catalog.tables {
        for c in &t.columns {
            if let Some(n) = generic::length_of(&c.ty) {
                lengths.insert((table.clone(), c.name.clone()), n);
            }
        }
    }
    let mut uniques = engine::Uniques::new();
    for (table, t) in &catalog.tables {
        let sets: Vec<Vec<String>> = t
            .uniques
            .values()
            .map(|cols| {
                cols.iter()
                    .filter(|c| *c != "created_at" || table != "attempts")
                    .cloned()
                    .collect()
            })
            .collect();
        uniques.insert(table.clone(), sets);
    }
    Ok((lengths, uniques))
}

/// Every map row of this source, so references to rows of earlier runs resolve.
async fn load_keys(
    imp: &mut Import,
    db: &migration::sea_orm::DatabaseConnection,
) -> Result<(), ImportError> {
    let select = Query::select()
        .columns(["source_table", "source_key", "target_id"].map(Alias::new))
        .from(Alias::new(tool::MAP))
        .and_where(Expr::col(Alias::new("source")).eq(imp.run.source.as_str()))
        .and_where(Expr::col(Alias::new("source_table")).is_in(imp.parents.iter().copied()))
        .to_owned();
    let rows = db
        .query_all(&select)
        .await
        .map_err(|e| ImportError::db("reading the map", &e))?;
    for r in rows {
        let t: String = r
            .try_get_by_index(0)
            .map_err(|e| ImportError::db("reading the map", &e))?;
        let k: String = r
            .try_get_by_index(1)
            .map_err(|e| ImportError::db("reading the map", &e))?;
        let id: Uuid = r
            .try_get_by_index(2)
            .map_err(|e| ImportError::db("reading the map", &e))?;
        imp.keys.insert((t, k), engine::Slot::Target(id));
    }
    Ok(())
}

/// The latest run of `source` (with `finished`: the latest that ended completed or verified):
/// id, fingerprint, options, counts.
async fn latest_run(
    db: &migration::sea_orm::DatabaseConnection,
    source: &str,
    finished: bool,
) -> Result<Option<(Uuid, String, Json, Json)>, ImportError> {
    let mut select = Query::select()
        .columns(["id", "source_fingerprint", "options", "counts"].map(Alias::new))
        .from(Alias::new(tool::RUNS))
        .and_where(Expr::col(Alias::new("source")).eq(source))
        .order_by(Alias::new("started_at"), migration::Order::Desc)
        .limit(1)
        .to_owned();
    if finished {
        select.and_where(Expr::col(Alias::new("status")).is_in(["completed", "verified"]));
    }
    let row = db
        .query_one(&select)
        .await
        .map_err(|e| ImportError::db("reading the runs", &e))?;
    let Some(r) = row else { return Ok(None) };
    let get_json = |i: usize| -> Json {
        r.try_get_by_index::<Json>(i)
            .or_else(|_| {
                r.try_get_by_index::<String>(i)
                    .map(|s| serde_json::from_str(&s).unwrap_or(Json::Null))
            })
            .unwrap_or(Json::Null)
    };
    Ok(Some((
        r.try_get_by_index(0)
            .map_err(|e| ImportError::db("reading the runs", &e))?,
        r.try_get_by_index(1)
            .map_err(|e| ImportError::db("reading the runs", &e))?,
        get_json(2),
        get_json(3),
    )))
}

async fn finish_run(
    db: &migration::sea_orm::DatabaseConnection,
    id: Uuid,
    status: &str,
    counts: &Json,
) -> Result<(), ImportError> {
    let update = Query::update()
        .table(Alias::new(tool::RUNS))
        .value(Alias::new("status"), status)
        .value(Alias::new("counts"), counts.clone())
        .value(Alias::new("finished_at"), now())
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .to_owned();
    db.execute(&update)
        .await
        .map_err(|e| ImportError::db("recording the run's end", &e))?;
    Ok(())
}

/// V1–V7 (§27.12) for run `run`, read-only. Returns one line per failed condition.
async fn conditions(
    imp: &Import,
    session: &migration::cli::Session,
    _src: &source::SourceDb,
    connect_timeout: u64,
    run: Uuid,
) -> Result<Vec<String>, ImportError> {
    let db = &session.db;
    let mut failures = Vec::new();
    let count = |sql: String| async move {
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .map_err(|e| ImportError::db("evaluating V1–V7", &e))?;
        Ok::<i64, ImportError>(
            row.and_then(|r| r.try_get_by_index::<i64>(0).ok())
                .unwrap_or(0),
        )
    };
    let b = db.get_database_backend();
    let uuid_lit = |id: Uuid| match b {
        DbBackend::Postgres => format!("'{id}'"),
        _ => format!("X'{}'", id.simple()),
    };
    let src_lit = |s: &str| format!("'{}'", s.replace('\'', "''"));
    // V1: every line balances, and the map and rejects hold each primary key read exactly once.
    for line in &imp.lines {
        if !line.counts.balanced() {
            failures.push(format!(
                "V1 failed: {} reads {} rows but accounts for a different number",
                line.line, line.counts.read
            ));
        }
        if line.skipped_table() {
            continue;
        }
        let mapped = count(format!(
            "SELECT count(*) FROM {} WHERE source = {} AND source_table = {} AND target_table = {} AND last_run_id = {}",
            tool::MAP, src_lit(&imp.run.source), src_lit(&line.source_table), src_lit(&line.target_table), uuid_lit(run)
        ))
        .await?;
        let expected = line.counts.read - line.counts.rejected;
        if mapped as u64 != expected {
            failures.push(format!(
                "V1 failed: {}: {} rows read and {} rejected, but the map holds {mapped} of them",
                line.line, line.counts.read, line.counts.rejected
            ));
        }
    }
    // … and the rejects table holds each rejected row of a source table once.
    let mut by_table: BTreeMap<&str, u64> = BTreeMap::new();
    for line in imp.lines.iter().filter(|l| !l.skipped_table()) {
        *by_table.entry(line.source_table.as_str()).or_default() += line.counts.rejected;
    }
    for (table, rejected) in by_table {
        let stored = count(format!(
            "SELECT count(*) FROM {} WHERE run_id = {} AND source_table = {}",
            tool::REJECTS,
            uuid_lit(run),
            src_lit(table)
        ))
        .await?;
        if stored as u64 != rejected {
            failures.push(format!(
                "V1 failed: {table}: {rejected} rows rejected, but the rejects table holds {stored}"
            ));
        }
    }
    let pending = count(format!(
        "SELECT count(*) FROM {} WHERE source = {} AND self_ref_pending = {}",
        tool::MAP,
        src_lit(&imp.run.source),
        if b == DbBackend::Postgres {
            "true"
        } else {
            "1"
        }
    ))
    .await?;
    if pending > 0 {
        failures.push(format!(
            "V1 failed: {pending} map rows still wait for the second pass"
        ));
    }
    // V2: every map row of the run points at an existing row (rows the application deleted
    // since are target_deleted, reported, not a failure; for `--verify`, every missing row).
    let mut targets: Vec<&str> = imp
        .lines
        .iter()
        .filter(|l| !l.skipped_table())
        .map(|l| l.target_table.as_str())
        .collect();
    targets.dedup();
    let catalog = crate::catalog::Catalog::read(&session.db)
        .await
        .map_err(|e| ImportError::db("reading the catalog", &e))?;
    for t in &targets {
        let key = catalog
            .table(t)
            .and_then(|table| table.primary_key.first().cloned())
            .unwrap_or_else(|| "id".to_owned());
        let missing = count(format!(
            "SELECT count(*) FROM {} m WHERE m.last_run_id = {} AND m.target_table = {} AND NOT EXISTS (SELECT 1 FROM {t} x WHERE x.{key} = m.target_id)",
            tool::MAP, uuid_lit(run), src_lit(t)
        ))
        .await?;
        let deleted: u64 = imp
            .lines
            .iter()
            .filter(|l| l.target_table == *t)
            .map(|l| l.counts.target_deleted)
            .sum();
        // `--verify` runs later: every row missing since was deleted by the application.
        if !imp.check_only && missing as u64 > deleted {
            failures.push(format!(
                "V2 failed: {} map rows point at missing {t} rows",
                missing as u64 - deleted
            ));
        }
    }
    // V3: no row of a table the import wrote references a missing parent, for every FK.
    for (table, t) in &catalog.tables {
        if !targets.contains(&table.as_str()) {
            continue;
        }
        for (fk_name, fk) in &t.foreign_keys {
            let cond: Vec<String> = fk
                .columns
                .iter()
                .zip(&fk.ref_columns)
                .map(|(c, r)| format!("p.{r} = c.{c}"))
                .collect();
            let not_null: Vec<String> = fk
                .columns
                .iter()
                .map(|c| format!("c.{c} IS NOT NULL"))
                .collect();
            let orphans = count(format!(
                "SELECT count(*) FROM {table} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {})",
                not_null.join(" AND "),
                fk.ref_table,
                cond.join(" AND ")
            ))
            .await?;
            if orphans > 0 {
                failures.push(format!(
                    "V3 failed: {orphans} {table} rows reference missing {} rows ({fk_name})",
                    fk.ref_table
                ));
            }
        }
    }
    // V4: the data-integrity view (§20) finds no failing record in the tables imported.
    let rows = db
        .query_all_raw(Statement::from_string(
            b,
            "SELECT table_name, check_name, failing_records FROM data_integrity_checks",
        ))
        .await
        .map_err(|e| ImportError::db("V4: data_integrity_checks", &e))?;
    for r in rows {
        let table: String = r.try_get_by_index(0).unwrap_or_default();
        let check: String = r.try_get_by_index(1).unwrap_or_default();
        let failing: i64 = r.try_get_by_index(2).unwrap_or(0);
        if failing > 0 && targets.contains(&table.as_str()) {
            failures.push(format!("V4 failed: {check} finds {failing} {table} rows"));
        }
    }
    // V5: every row written reads back exactly as mapped.
    for f in imp.fidelity.iter().take(5) {
        failures.push(format!("V5 failed: {f}"));
    }
    // V6: uniqueness the backend cannot enforce (§27.12): PostgreSQL's attempts keys include
    // created_at, a plugin_data key with a NULL user is not unique to a unique index, and one
    // story has one current version.
    let truthy = if b == DbBackend::Postgres {
        "TRUE"
    } else {
        "1"
    };
    let v6 = [
        ("attempts", "attempts.id", "SELECT count(*) FROM (SELECT id FROM attempts GROUP BY id HAVING count(*) > 1) d".to_owned()),
        (
            "attempts",
            "attempts.client_attempt_id",
            "SELECT count(*) FROM (SELECT client_attempt_id FROM attempts GROUP BY client_attempt_id HAVING count(*) > 1) d".to_owned(),
        ),
        (
            "plugin_data",
            "plugin_data (plugin_id, data_key) with a NULL user_id",
            "SELECT count(*) FROM (SELECT plugin_id, data_key FROM plugin_data WHERE user_id IS NULL GROUP BY plugin_id, data_key HAVING count(*) > 1) d".to_owned(),
        ),
        (
            "story_versions",
            "one current story_versions row per story",
            format!("SELECT count(*) FROM (SELECT story_id FROM story_versions WHERE is_current = {truthy} GROUP BY story_id HAVING count(*) > 1) d"),
        ),
    ];
    for (table, what, sql) in v6 {
        if targets.contains(&table) {
            let dup = count(sql).await?;
            if dup > 0 {
                failures.push(format!("V6 failed: {dup} duplicate keys of {what}"));
            }
        }
    }
    // V7: the import changed no schema object.
    let found = crate::verify::check(session, crate::verify::Reference::Snapshot, connect_timeout)
        .await
        .map_err(|e| ImportError::Failed(e.to_string()))?;
    if !found.drift.is_empty() {
        failures.push(format!(
            "V7 failed: learndb verify finds {}",
            crate::verify::count(&found.drift)
        ));
    }
    Ok(failures)
}

/// `--verify`: V1–V7 again for the latest finished run of the source, read-only except for
/// that run's status.
async fn verify_only(
    args: &ImportArgs,
    session: &migration::cli::Session,
    src: &source::SourceDb,
    sys: &'static System,
    source_name: &str,
) -> Result<(), ImportError> {
    let db = &session.db;
    let Some((run_id, _, _, counts)) = latest_run(db, source_name, true).await? else {
        return Err(ImportError::Refused(format!(
            "--verify: source {source_name:?} has no finished import run to verify"
        )));
    };
    // Re-read the source through the mapping, in a transaction that is rolled back: the
    // counts of a re-run must all be `unchanged` (or kept/target_deleted) and nothing written.
    let mut imp = Import {
        run: Run {
            id: run_id,
            source: source_name.to_owned(),
            system: sys.code,
            started: Utc::now().trunc_subsecs(6),
        },
        keys: Default::default(),
        parents: sys.parents,
        lengths: Default::default(),
        uniques: Default::default(),
        lines: Vec::new(),
        conflicts: BTreeMap::new(),
        rejects: BTreeMap::new(),
        fidelity: Vec::new(),
        tool: true,
        record: false,
        check_only: true,
        progress: progress::Progress::for_stderr(args.json),
        unverified_collisions: 0,
    };
    load_keys(&mut imp, db).await?;
    analyze_map(db).await?;
    let dry = db
        .begin()
        .await
        .map_err(|e| ImportError::db("starting the check", &e))?;
    let root = Root {
        conn: RootConn::DryRun(dry),
        lock: tokio::sync::Mutex::new(None),
        target: &session.target,
    };
    let outcome = import_system(sys, &mut imp, &root, src, args).await;
    imp.progress.done();
    if let RootConn::DryRun(t) = root.conn {
        let _ = t.rollback().await;
    }
    outcome?;
    let mut failures = conditions(&imp, session, src, args.connect_timeout, run_id).await?;
    for line in &imp.lines {
        let c = &line.counts;
        if c.inserted + c.updated > 0 {
            failures.push(format!(
                "V1 failed: {}: {} source rows are not (or no longer) imported as read; run the import again",
                line.line,
                c.inserted + c.updated
            ));
        }
    }
    let status = if failures.is_empty() {
        "verified"
    } else {
        "completed"
    };
    let update = Query::update()
        .table(Alias::new(tool::RUNS))
        .value(Alias::new("status"), status)
        .and_where(Expr::col(Alias::new("id")).eq(run_id))
        .to_owned();
    db.execute(&update)
        .await
        .map_err(|e| ImportError::db("recording the verification", &e))?;
    let rejected = counts["rejected_total"].as_u64().unwrap_or(0);
    if args.json {
        println!(
            "{}",
            json!({"run": run_id.to_string(), "status": status, "failures": failures, "rejected": rejected})
        );
    } else {
        println!(
            "Run {run_id}: {}",
            if failures.is_empty() {
                "V1–V7 hold: status verified"
            } else {
                "status completed"
            }
        );
        for f in &failures {
            println!("error: {f}");
        }
    }
    if !failures.is_empty() {
        return Err(ImportError::Failed(failures.join("; ")));
    }
    if rejected > 0 {
        return Err(ImportError::Failed(format!(
            "run {run_id} rejected {rejected} rows (see learndb_import_rejects)"
        )));
    }
    Ok(())
}

/// Users merged into existing target users by this run (the users line).
fn users_merged(imp: &Import) -> u64 {
    imp.lines
        .iter()
        .filter(|l| l.line == "users")
        .map(|l| l.counts.merged)
        .sum()
}

fn report_json(imp: &Import, src: &source::SourceDb, failures: &[String], status: &str) -> Json {
    json!({
        "run": imp.run.id.to_string(),
        "source": imp.run.source,
        "system": imp.run.system,
        "source_url": src.target.redacted(),
        "source_server": src.server,
        "fingerprint": src.fingerprint,
        "weak_identity": src.weak_identity,
        "status": status,
        "tables": imp.lines,
        "conflicts": imp.conflicts,
        "rejects": imp.rejects,
        "rejected_total": imp.rejects.values().sum::<u64>(),
        "users_merged": users_merged(imp),
        "users_merged_with_unverified_emails": users_merged(imp) + imp.unverified_collisions,
        "failures": failures,
        "notes": ["ids inside free-form JSON (session_state → session_data, quiz_context, metadata) are not rewritten"],
    })
}

fn print_report(args: &ImportArgs, imp: &Import, failures: &[String], status: &str, report: &Json) {
    if args.json {
        println!("{report}");
        return;
    }
    let width = imp
        .lines
        .iter()
        .map(|l| l.line.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    println!(
        "{:<width$} {:>6} {:>8} {:>6} {:>7} {:>9} {:>4} {:>14} {:>8} {:>7}",
        "table",
        "read",
        "inserted",
        "merged",
        "updated",
        "unchanged",
        "kept",
        "target_deleted",
        "rejected",
        "skipped"
    );
    for l in &imp.lines {
        let c = &l.counts;
        let skipped = if l.skipped_table() || c.skipped > 0 {
            c.skipped.to_string()
        } else {
            "–".into()
        };
        println!(
            "{:<width$} {:>6} {:>8} {:>6} {:>7} {:>9} {:>4} {:>14} {:>8} {:>7}",
            l.line,
            c.read,
            c.inserted,
            c.merged,
            c.updated,
            c.unchanged,
            c.kept,
            c.target_deleted,
            c.rejected,
            skipped
        );
    }
    if !imp.conflicts.is_empty() {
        let list: Vec<String> = imp
            .conflicts
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        println!("conflicts: {}", list.join(", "));
    }
    let rejected: u64 = imp.rejects.values().sum();
    if rejected > 0 {
        let list: Vec<String> = imp
            .rejects
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        println!("rejects: {rejected} ({})", list.join(", "));
    }
    match status {
        "dry-run" => {
            println!(
                "email policy: {} users merged; with --merge-unverified-emails: {}",
                users_merged(imp),
                users_merged(imp) + imp.unverified_collisions
            );
            println!("Dry run: nothing was written.");
        }
        "verified" => println!("V1–V7 hold: status verified"),
        _ => {
            for f in failures {
                println!("{f}");
            }
            println!("status {status}");
        }
    }
}
