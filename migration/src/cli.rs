//! The migration command line, shared by `cargo run -p migration -- <cmd>` and
//! `learndb migrate <cmd>` so both behave the same.
//!
//! A superset of sea-orm-migration's CLI (`up [-n]`, `down [-n]`, `status`, `fresh`, `refresh`,
//! `reset`, `generate`, `init` keep their meaning), run through [`crate::runner`]: a lock, checked
//! history, targets, dry runs, `repair` and `resolve`. Output: results on stdout, one `error:` line
//! on stderr. Exit codes: 0 done; 1 a migration failed, the run was refused because of the
//! database's migration state, the lock was not free in time, or `status --check` found work;
//! 2 bad input (URL, connection, unknown version, a destructive command without confirmation).

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use sea_orm_migration::sea_orm::DbBackend;

use crate::Migrator;
use crate::connect::{ConnectError, Source, Target, one_line};
use crate::runner::{
    self, Direction, Event, Resolution, RunError, Runner, Selection, StatusReport,
};

// Output never panics: `println!` panics when the reader has gone (`learndb migrate status |
// head -2` closes the pipe). A closed stdout or stderr only stops the output, not the work.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}
macro_rules! say_err {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
macro_rules! ask {
    ($($arg:tt)*) => {{
        let _ = write!(std::io::stderr(), $($arg)*);
    }};
}

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

    /// Seconds to wait for the migration lock when another process holds it.
    #[arg(long, global = true, default_value_t = 60, value_name = "SECONDS")]
    pub lock_timeout: u64,

    /// Log each step (sets RUST_LOG=info unless RUST_LOG is set).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// Which migrations `up`/`down` act on: -n N or --to VERSION.
#[derive(Debug, Args, Clone, Default)]
pub struct Range {
    /// Only this many migrations.
    #[arg(short = 'n', long, value_name = "N", conflicts_with = "to")]
    pub num: Option<u32>,

    /// Up: apply up to and including VERSION. Down: roll back every migration after VERSION.
    /// VERSION is a full name, a unique prefix (m20261121_000006), a number (6) or a group
    /// name (progress).
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,

    /// Print the SQL the command would run, in order, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Confirmation for commands that destroy data.
#[derive(Debug, Args, Clone, Default)]
pub struct Confirm {
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// Allow this command although LEARNDB_ENV=production.
    #[arg(long)]
    pub allow_destructive: bool,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply pending migrations (all, the next N, or up to a version). The default command.
    Up {
        #[command(flatten)]
        range: Range,
    },
    /// Roll back applied migrations (the last one, the last N, or all after a version).
    Down {
        #[command(flatten)]
        range: Range,
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Show every migration's state. Read-only: takes no lock and creates nothing.
    Status {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Exit with code 1 when a migration is pending, failed or changed (for deploy scripts).
        #[arg(long)]
        check: bool,
    },
    /// Drop every table, view and type in the database (not only learndb's), then apply all.
    Fresh {
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Roll back all applied migrations, then apply all again.
    Refresh {
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Roll back all applied migrations and drop the migration history tables.
    Reset {
        #[command(flatten)]
        confirm: Confirm,
    },
    /// Record the current checksums of applied migrations whose SQL changed (after review).
    Repair,
    /// Settle a migration that failed part-way on MySQL/MariaDB/TiDB.
    Resolve {
        /// The migration (full name, unique prefix, number or group name).
        version: String,
        /// Its changes are complete: record it as applied.
        #[arg(
            long,
            conflicts_with = "rolled_back",
            required_unless_present = "rolled_back"
        )]
        applied: bool,
        /// Its changes are undone: forget it, so `up` runs it again.
        #[arg(long)]
        rolled_back: bool,
    },
    /// Print the full schema DDL for a backend, without a database.
    Sql {
        #[arg(long, value_enum)]
        backend: SqlBackend,
    },
    /// Create a new migration file and register it in lib.rs (as sea-orm-migration does).
    Generate {
        /// Name of the migration, e.g. add_course_tags.
        name: String,
        /// Name the file with the current UTC time (the default).
        #[arg(long, default_value_t = true, conflicts_with = "local_time")]
        universal_time: bool,
        /// Name the file with the local time.
        #[arg(long)]
        local_time: bool,
        /// The migration crate's folder.
        #[arg(short = 'd', long, default_value = DEFAULT_MIGRATION_DIR, value_name = "DIR")]
        migration_dir: String,
    },
    /// Create a new migration crate (as sea-orm-migration does).
    Init {
        /// Where to create it.
        #[arg(short = 'd', long, default_value = "./migration", value_name = "DIR")]
        migration_dir: String,
    },
}

/// This crate's folder, so `generate` works from the workspace root.
const DEFAULT_MIGRATION_DIR: &str = env!("CARGO_MANIFEST_DIR");

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SqlBackend {
    Postgres,
    Mysql,
    Sqlite,
}

impl SqlBackend {
    pub fn db_backend(self) -> DbBackend {
        match self {
            SqlBackend::Postgres => DbBackend::Postgres,
            SqlBackend::Mysql => DbBackend::MySql,
            SqlBackend::Sqlite => DbBackend::Sqlite,
        }
    }
}

/// A failure, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Run(#[from] RunError),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    NotCurrent(String),
    #[error("{0}")]
    Scaffold(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Connect(_) | CliError::Refused(_) | CliError::Scaffold(_) => 2,
            CliError::Run(e) => e.exit_code(),
            CliError::NotCurrent(_) => 1,
        }
    }
}

/// Runs an already parsed command line and turns the outcome into an exit code, printing
/// results on stdout and a single `error:` line on stderr.
pub async fn run(cli: MigrateCli) -> ExitCode {
    init_logging(cli.options.verbose);
    finish(execute(cli).await)
}

/// `learndb sql --backend X` / `migration sql --backend X`: no database involved.
pub async fn print_schema_sql(backend: SqlBackend) -> ExitCode {
    finish(schema_sql(backend).await)
}

fn finish(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            say_err!("error: {}", one_line(&err.to_string()));
            ExitCode::from(err.exit_code())
        }
    }
}

async fn schema_sql(backend: SqlBackend) -> Result<(), CliError> {
    let sql = runner::schema_sql::<Migrator>(backend.db_backend())
        .await
        .map_err(|e| CliError::Scaffold(format!("cannot render the schema: {e}")))?;
    say_raw!("{sql}");
    Ok(())
}

fn init_logging(verbose: bool) {
    let default = if verbose { "info" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // A second initialisation (tests calling run twice) is harmless; ignore it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

async fn execute(cli: MigrateCli) -> Result<(), CliError> {
    let command = cli.command.unwrap_or(MigrateCommand::Up {
        range: Range::default(),
    });
    // Commands that need no database.
    match &command {
        MigrateCommand::Sql { backend } => return schema_sql(*backend).await,
        MigrateCommand::Generate {
            name,
            local_time,
            migration_dir,
            ..
        } => {
            return sea_orm_cli::run_migrate_generate(migration_dir, name, !local_time)
                .map_err(|e| CliError::Scaffold(format!("generate failed: {e}")));
        }
        MigrateCommand::Init { migration_dir } => {
            return sea_orm_cli::run_migrate_init(migration_dir)
                .map_err(|e| CliError::Scaffold(format!("init failed: {e}")));
        }
        _ => {}
    }

    load_dotenv()?;
    let target = Target::resolve(cli.options.database_url.as_deref())?;
    if let Some(question) = destructive(&command) {
        confirm(&question, &target)?;
    }
    let timeout = Duration::from_secs(cli.options.connect_timeout.max(1));
    let db = target.connect(timeout).await?;
    let quiet = matches!(command, MigrateCommand::Status { json: true, .. });
    if !quiet {
        say!("{}", describe(&target));
    }
    let runner =
        Runner::<Migrator>::new(&db, &target, Duration::from_secs(cli.options.lock_timeout));
    let result = dispatch(&runner, &target, command).await;
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

/// What a destructive command would do, as a question, with its confirmation flags.
fn destructive(command: &MigrateCommand) -> Option<(String, Confirm)> {
    let (what, confirm) = match command {
        MigrateCommand::Down { range, confirm } if !range.dry_run => {
            let what = match (&range.num, &range.to) {
                (_, Some(to)) => format!("roll back every migration after {to}"),
                (Some(n), _) => format!("roll back the last {n} migration(s)"),
                _ => "roll back the last migration".to_owned(),
            };
            (what, confirm)
        }
        MigrateCommand::Fresh { confirm } => (
            "drop EVERY table, view and type in the database and re-apply all migrations"
                .to_owned(),
            confirm,
        ),
        MigrateCommand::Refresh { confirm } => (
            "roll back all migrations (dropping their tables and data) and re-apply them"
                .to_owned(),
            confirm,
        ),
        MigrateCommand::Reset { confirm } => (
            "roll back all migrations (dropping their tables and data) and drop the history"
                .to_owned(),
            confirm,
        ),
        _ => return None,
    };
    Some((what, confirm.clone()))
}

/// Guard rails: production refuses unless --allow-destructive; otherwise --yes, or a "yes"
/// typed on a terminal.
fn confirm((what, flags): &(String, Confirm), target: &Target) -> Result<(), CliError> {
    let production =
        std::env::var("LEARNDB_ENV").is_ok_and(|v| v.eq_ignore_ascii_case("production"));
    if production && !flags.allow_destructive {
        return Err(CliError::Refused(format!(
            "refusing to {what} on {target}: LEARNDB_ENV=production; add --allow-destructive if this is really intended"
        )));
    }
    if flags.yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Refused(format!(
            "refusing to {what} on {target} without confirmation: stdin is not a terminal; add --yes"
        )));
    }
    ask!("This will {what} on {target}.\nType 'yes' to continue: ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    if answer.trim().eq_ignore_ascii_case("yes") {
        Ok(())
    } else {
        Err(CliError::Refused(format!(
            "cancelled: nothing was changed on {target}"
        )))
    }
}

fn selection(range: &Range, default: Selection) -> Selection {
    match (&range.num, &range.to) {
        (_, Some(to)) => Selection::To(to.clone()),
        (Some(n), _) => Selection::Count(*n),
        _ => default,
    }
}

async fn dispatch(
    runner: &Runner<'_, Migrator>,
    target: &Target,
    command: MigrateCommand,
) -> Result<(), CliError> {
    let mut printer = Printer::new();
    let mut progress = |event: &Event| printer.event(event);
    match command {
        MigrateCommand::Up { range } => {
            let chosen = selection(&range, Selection::All);
            if range.dry_run {
                let plan = runner.plan(Direction::Up, &chosen).await?;
                print_plan("up", target, &plan);
                return Ok(());
            }
            let n = runner.up(&chosen, &mut progress).await?;
            if n == 0 {
                say!("Nothing to apply: the schema is up to date");
            } else {
                say!("Applied {n} migration(s)");
            }
        }
        MigrateCommand::Down { range, .. } => {
            let chosen = selection(&range, Selection::Count(1));
            if range.dry_run {
                let plan = runner.plan(Direction::Down, &chosen).await?;
                print_plan("down", target, &plan);
                return Ok(());
            }
            let n = runner.down(&chosen, &mut progress).await?;
            if n == 0 {
                say!("Nothing to roll back");
            } else {
                say!("Rolled back {n} migration(s)");
            }
        }
        MigrateCommand::Status { json, check } => {
            let report = runner.status().await?;
            if json {
                let text = serde_json::to_string_pretty(&report)
                    .map_err(|e| CliError::Scaffold(format!("cannot encode status: {e}")))?;
                say!("{text}");
            } else {
                print_status(&report);
            }
            if check && (report.pending > 0 || report.problems > 0) {
                return Err(CliError::NotCurrent(format!(
                    "{} is not current: {} pending, {} failed or changed",
                    report.database, report.pending, report.problems
                )));
            }
        }
        MigrateCommand::Fresh { .. } => {
            runner.fresh(&mut progress).await?;
            say!("Fresh schema: every migration applied");
        }
        MigrateCommand::Refresh { .. } => {
            runner.refresh(&mut progress).await?;
            say!("Refreshed: every migration rolled back and applied again");
        }
        MigrateCommand::Reset { .. } => {
            runner.reset(&mut progress).await?;
            say!("Reset: every migration rolled back");
        }
        MigrateCommand::Repair => {
            let repaired = runner.repair(&mut progress).await?;
            say!("Repaired {} checksum(s)", repaired.len());
        }
        MigrateCommand::Resolve {
            version, applied, ..
        } => {
            let resolution = if applied {
                Resolution::Applied
            } else {
                Resolution::RolledBack
            };
            let version = runner.resolve(&version, resolution).await?;
            match resolution {
                Resolution::Applied => say!("Resolved {version}: recorded as applied"),
                Resolution::RolledBack => {
                    say!("Resolved {version}: recorded as rolled back; `up` will run it again")
                }
            }
        }
        MigrateCommand::Sql { .. }
        | MigrateCommand::Generate { .. }
        | MigrateCommand::Init { .. } => {}
    }
    Ok(())
}

fn print_plan(direction: &str, target: &Target, plan: &[(String, Vec<String>)]) {
    say!(
        "-- {direction} --dry-run on {target}: {} migration(s). Nothing was executed.",
        plan.len()
    );
    if !plan.is_empty() {
        say!(
            "-- Each migration runs in its own transaction on PostgreSQL and SQLite and is then recorded in seaql_migrations and learndb_migration_history."
        );
    }
    for (version, statements) in plan {
        say!("\n-- {version}");
        say_raw!("{}", runner::capture::script(statements));
    }
}

fn print_status(report: &StatusReport) {
    match &report.lock_holder {
        Some(holder) => say!("Lock: held by {holder} (a migration is running)"),
        None => say!("Lock: free"),
    }
    let width = report
        .migrations
        .iter()
        .map(|m| m.version.len())
        .max()
        .unwrap_or(7)
        .max(7);
    say!(
        "{:<width$}  {:<14}  {:<16}  {:<23}  duration",
        "version",
        "group",
        "state",
        "applied at"
    );
    for row in &report.migrations {
        let at = row
            .applied_at
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| "-".into());
        let duration = row
            .duration_ms
            .map(|d| format!("{d} ms"))
            .unwrap_or_else(|| "-".into());
        say!(
            "{:<width$}  {:<14}  {:<16}  {:<23}  {duration}",
            row.version,
            row.group,
            row.state,
            at
        );
        if row.state == "checksum changed" {
            say!(
                "{:width$}  recorded {} / now {}",
                "",
                row.recorded_checksum.as_deref().unwrap_or("-"),
                row.checksum.as_deref().unwrap_or("-")
            );
        }
        if let Some(error) = &row.error {
            say!("{:width$}  error: {error}", "");
        }
    }
    say!(
        "{} applied, {} pending, {} problem(s)",
        report.applied,
        report.pending,
        report.problems
    );
}

/// Progress lines: on a terminal "Applying …" is overwritten by its result; in CI logs only the
/// results appear.
struct Printer {
    terminal: bool,
}

impl Printer {
    fn new() -> Self {
        Self {
            terminal: std::io::stdout().is_terminal(),
        }
    }

    fn event(&mut self, event: &Event) {
        let mut out = std::io::stdout();
        match event {
            Event::Applying(v) | Event::RollingBack(v) if self.terminal => {
                let verb = if matches!(event, Event::Applying(_)) {
                    "Applying"
                } else {
                    "Rolling back"
                };
                let _ = write!(out, "{verb} {v} …");
                let _ = out.flush();
            }
            Event::Applying(_) | Event::RollingBack(_) => {}
            Event::Applied(v, d) => self.line(&format!("Applied {v} in {}", millis(*d))),
            Event::RolledBack(v, d) => self.line(&format!("Rolled back {v} in {}", millis(*d))),
            Event::Note(text) => self.line(&format!("Note: {text}")),
        }
    }

    fn line(&self, text: &str) {
        if self.terminal {
            say!("\r\x1b[2K{text}");
        } else {
            say!("{text}");
        }
    }
}

fn millis(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}
