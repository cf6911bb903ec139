//! The migration command line, shared by `cargo run -p migration -- <cmd>` and
//! `learndb migrate <cmd>` so both behave the same.
//!
//! Subcommands keep sea-orm-migration's meaning (`up [-n]`, `down [-n]`, `status`, `fresh`,
//! `refresh`, `reset`). Unlike its stock CLI, a bad URL or an unreachable server is one line on
//! stderr and exit code 2, never a panic, and every line names the database with its password
//! redacted. Migrations are applied one at a time so each one's duration is reported.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use sea_orm_migration::sea_orm::DatabaseConnection;
use sea_orm_migration::{MigrationStatus, MigratorTrait};

use crate::Migrator;
use crate::connect::{ConnectError, Source, Target, one_line};

/// Apply, roll back and inspect the learndb schema migrations.
///
/// Without --database-url or DATABASE_URL, the embedded SQLite database data/learndb.sqlite
/// (relative to the working directory) is used and created if missing.
#[derive(Debug, Parser)]
#[command(name = "migration", version)]
pub struct MigrateCli {
    #[command(flatten)]
    pub options: GlobalOptions,

    #[command(subcommand)]
    pub command: Option<MigrateCommand>,
}

#[derive(Debug, Args)]
pub struct GlobalOptions {
    /// Database URL: postgres://USER:PASSWORD@HOST:5432/DB, mysql://USER:PASSWORD@HOST:3306/DB
    /// or sqlite://PATH?mode=rwc. Overrides DATABASE_URL (which may also come from .env).
    #[arg(short = 'u', long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Seconds to wait for the database server to accept a connection.
    #[arg(long, global = true, default_value_t = 10, value_name = "SECONDS")]
    pub connect_timeout: u64,

    /// Log each statement step (sets RUST_LOG=info for the migrator unless RUST_LOG is set).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply pending migrations (all of them, or the next N). The default command.
    Up {
        /// Apply only the next N pending migrations.
        #[arg(short = 'n', long, value_name = "N")]
        num: Option<u32>,
    },
    /// Roll back the last N applied migrations (default 1).
    Down {
        /// How many applied migrations to roll back.
        #[arg(short = 'n', long, default_value_t = 1, value_name = "N")]
        num: u32,
    },
    /// Show every migration and whether it is applied.
    Status,
    /// Drop every table in the database (not only learndb's), then apply all migrations.
    Fresh,
    /// Roll back all applied migrations, then apply all migrations again.
    Refresh,
    /// Roll back all applied migrations and drop the migration history table.
    Reset,
}

/// A failure, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad configuration or no connection: exit code 2.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The database answered but a migration step failed: exit code 1.
    #[error("{action} failed on {target}: {reason}")]
    Migration {
        action: &'static str,
        target: String,
        reason: String,
    },
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Connect(_) => 2,
            CliError::Migration { .. } => 1,
        }
    }
}

/// Parses nothing: runs an already parsed command line and turns the outcome into an exit code,
/// printing results on stdout and a single `error:` line on stderr.
pub async fn run(cli: MigrateCli) -> ExitCode {
    init_logging(cli.options.verbose);
    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", one_line(&err.to_string()));
            ExitCode::from(err.exit_code())
        }
    }
}

fn init_logging(verbose: bool) {
    let default = if verbose { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // A second initialisation (tests calling run twice) is harmless; ignore it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

async fn execute(cli: MigrateCli) -> Result<(), CliError> {
    load_dotenv()?;
    let target = Target::resolve(cli.options.database_url.as_deref())?;
    let timeout = Duration::from_secs(cli.options.connect_timeout.max(1));
    let db = target.connect(timeout).await?;
    println!("{}", describe(&target));
    let command = cli.command.unwrap_or(MigrateCommand::Up { num: None });
    let result = dispatch(&db, &target, command).await;
    db.close().await.ok();
    result
}

fn load_dotenv() -> Result<(), ConnectError> {
    match dotenvy::dotenv() {
        Ok(_) => Ok(()),
        Err(err) if err.not_found() => Ok(()),
        Err(err) => Err(ConnectError::Config(format!(
            "cannot read .env: {err}; fix or remove the file"
        ))),
    }
}

fn describe(target: &Target) -> String {
    match target.source() {
        Source::EmbeddedDefault => format!(
            "Database: {target} (embedded default; set DATABASE_URL or --database-url to use a server)"
        ),
        Source::Env => format!("Database: {target} (from DATABASE_URL)"),
        Source::Flag => format!("Database: {target} (from --database-url)"),
    }
}

async fn dispatch(
    db: &DatabaseConnection,
    target: &Target,
    command: MigrateCommand,
) -> Result<(), CliError> {
    let fail = |action: &'static str| {
        move |err: sea_orm_migration::sea_orm::DbErr| CliError::Migration {
            action,
            target: target.to_string(),
            reason: target.scrub(&one_line(&err.to_string())),
        }
    };
    match command {
        MigrateCommand::Up { num } => apply(db, num, fail("migrate up")).await,
        MigrateCommand::Down { num } => roll_back(db, Some(num), fail("migrate down")).await,
        MigrateCommand::Status => status(db, fail("migrate status")).await,
        MigrateCommand::Fresh => {
            let started = Instant::now();
            Migrator::fresh(db).await.map_err(fail("migrate fresh"))?;
            println!(
                "Dropped all tables and applied {} migrations in {}",
                Migrator::migrations().len(),
                elapsed(started)
            );
            Ok(())
        }
        MigrateCommand::Refresh => {
            roll_back(db, None, fail("migrate refresh")).await?;
            apply(db, None, fail("migrate refresh")).await
        }
        MigrateCommand::Reset => {
            roll_back(db, None, fail("migrate reset")).await?;
            Migrator::reset(db).await.map_err(fail("migrate reset"))?;
            println!("Dropped the migration history table");
            Ok(())
        }
    }
}

type Fail<'a> = dyn Fn(sea_orm_migration::sea_orm::DbErr) -> CliError + 'a;

async fn apply(
    db: &DatabaseConnection,
    limit: Option<u32>,
    fail: impl Fn(sea_orm_migration::sea_orm::DbErr) -> CliError,
) -> Result<(), CliError> {
    let fail: &Fail<'_> = &fail;
    let pending = Migrator::get_pending_migrations(db).await.map_err(fail)?;
    let take = limit.map_or(pending.len(), |n| (n as usize).min(pending.len()));
    if take == 0 {
        println!("Nothing to apply: the schema is up to date");
        return Ok(());
    }
    let started = Instant::now();
    for migration in pending.iter().take(take) {
        let step = Instant::now();
        Migrator::up(db, Some(1)).await.map_err(fail)?;
        println!("Applied {} in {}", migration.name(), elapsed(step));
    }
    println!("Applied {take} migration(s) in {}", elapsed(started));
    Ok(())
}

async fn roll_back(
    db: &DatabaseConnection,
    limit: Option<u32>,
    fail: impl Fn(sea_orm_migration::sea_orm::DbErr) -> CliError,
) -> Result<(), CliError> {
    let fail: &Fail<'_> = &fail;
    let applied = Migrator::get_applied_migrations(db).await.map_err(fail)?;
    let take = limit.map_or(applied.len(), |n| (n as usize).min(applied.len()));
    if take == 0 {
        println!("Nothing to roll back: no migration is applied");
        return Ok(());
    }
    let started = Instant::now();
    for migration in applied.iter().rev().take(take) {
        let step = Instant::now();
        Migrator::down(db, Some(1)).await.map_err(fail)?;
        println!("Rolled back {} in {}", migration.name(), elapsed(step));
    }
    println!("Rolled back {take} migration(s) in {}", elapsed(started));
    Ok(())
}

async fn status(
    db: &DatabaseConnection,
    fail: impl Fn(sea_orm_migration::sea_orm::DbErr) -> CliError,
) -> Result<(), CliError> {
    let migrations = Migrator::get_migration_with_status_read_only(db)
        .await
        .map_err(fail)?;
    let width = migrations
        .iter()
        .map(|m| m.name().len())
        .max()
        .unwrap_or(7)
        .max(7);
    println!("{:<width$}  state", "version");
    let mut pending = 0;
    for migration in &migrations {
        let state = match migration.status() {
            MigrationStatus::Applied => "applied",
            MigrationStatus::Pending => {
                pending += 1;
                "pending"
            }
        };
        println!("{:<width$}  {state}", migration.name());
    }
    println!("{} applied, {pending} pending", migrations.len() - pending);
    Ok(())
}

fn elapsed(since: Instant) -> String {
    let d = since.elapsed();
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}
