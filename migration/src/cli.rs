//! The migration command line, shared by `cargo run -p migration -- <cmd>` and
//! `learndb migrate <cmd>` so both behave the same.
//!
//! A superset of sea-orm-migration's CLI (`up [-n]`, `down [-n]`, `status`, `fresh`, `refresh`,
//! `reset`, `generate`, `init` keep their meaning), run through [`crate::runner`]: a lock, checked
//! history, targets, dry runs, `repair` and `resolve`. Output: results on stdout, one `error:` line
//! on stderr. Exit codes: 0 done; 1 a migration failed, the run was refused because of the
//! database's migration state, the lock was not free in time, or `status --check` found work;
//! 2 bad input (URL, connection, unknown version, a destructive command without confirmation).

use std::fmt;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use sea_orm_migration::sea_orm::DbBackend;

use crate::Migrator;
use crate::connect::{ConnectError, Source, Target, error_line, one_line, scrub_text};
use crate::engine;
use crate::runner::{
    self, Direction, Event, Resolution, RunError, Runner, Selection, StatusReport, interrupt,
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
    #[command(flatten)]
    pub db: DatabaseOptions,

    /// The database server's own address, for migrations, when DATABASE_URL goes through a
    /// transaction pooler (PgBouncer, Supavisor) that learndb refuses to migrate through.
    /// Overrides --database-url, DIRECT_DATABASE_URL and DATABASE_URL.
    #[arg(long, global = true, value_name = "URL")]
    pub direct_url: Option<String>,

    /// Seconds to wait for the migration lock when another process holds it (0 to 86400).
    #[arg(
        long,
        global = true,
        default_value_t = 60,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(0..=MAX_LOCK_TIMEOUT)
    )]
    pub lock_timeout: u64,

    /// Milliseconds each DDL statement may wait for its table locks on the server (PostgreSQL
    /// lock_timeout, MySQL lock_wait_timeout) before it gives up (100 to 3600000).
    #[arg(
        long,
        global = true,
        default_value_t = 5000,
        value_name = "MILLISECONDS",
        value_parser = clap::value_parser!(u64).range(100..=3_600_000)
    )]
    pub ddl_lock_timeout: u64,

    /// How many times a statement that hit the DDL lock timeout is retried (0 to 10), after
    /// 1 s, 2 s, 4 s, …
    #[arg(
        long,
        global = true,
        default_value_t = 3,
        value_name = "N",
        value_parser = clap::value_parser!(u32).range(0..=10)
    )]
    pub ddl_retries: u32,
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
    /// Do not ask for confirmation (required when stdin is not a terminal). LEARNDB_YES=1 does
    /// the same, for scripts that cannot pass it (`sea-orm-cli migrate down`); it never stands
    /// for --allow-destructive.
    #[arg(short = 'y', long, env = "LEARNDB_YES", value_parser = clap::builder::BoolishValueParser::new())]
    pub yes: bool,

    /// Allow this command in production (LEARNDB_ENV set to anything but development, dev,
    /// test, local or ci).
    #[arg(long)]
    pub allow_destructive: bool,
}

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply pending migrations (all, the next N, or up to a version). The default command.
    Up {
        #[command(flatten)]
        range: Range,
        /// First take back a migration that was interrupted or failed part-way (MySQL, or a
        /// migration without a transaction): undo what of it exists, then apply it again.
        #[arg(long, conflicts_with = "dry_run")]
        recover: bool,
        /// Apply a pending migration although a newer one is already applied.
        #[arg(long)]
        allow_out_of_order: bool,
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
    /// Settle a migration that failed or was interrupted part-way (MySQL/MariaDB/TiDB, or a
    /// migration without a transaction), or record one whose objects exist without history.
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
        /// Take it back: undo what of it exists (its down(), skipping objects that do not
        /// exist) and forget it, so `up` runs it again.
        #[arg(long)]
        rolled_back: bool,
    },
    /// Print the full schema DDL for a backend, without a database.
    Sql {
        #[arg(long, value_enum)]
        backend: SqlBackend,
    },
    /// Create a new table-group module (one example table in the schema DSL) and register it in
    /// lib.rs.
    Generate {
        /// Name of the migration, e.g. add_course_tags.
        name: String,
        /// Name the file with the current UTC time (the default).
        #[arg(long, default_value_t = true, conflicts_with = "local_time")]
        universal_time: bool,
        /// Name the file with the local time.
        #[arg(long)]
        local_time: bool,
        /// The migration crate's folder [default: ./migration from the workspace root, . from
        /// inside the migration crate].
        #[arg(short = 'd', long, value_name = "DIR")]
        migration_dir: Option<String>,
    },
    /// Create a new migration crate (as sea-orm-migration does).
    Init {
        /// Where to create it.
        #[arg(short = 'd', long, default_value = "./migration", value_name = "DIR")]
        migration_dir: String,
    },
}

/// Longest accepted --connect-timeout, in seconds: an hour.
pub const MAX_CONNECT_TIMEOUT: u64 = 3600;
/// Longest accepted --lock-timeout, in seconds: a day.
pub const MAX_LOCK_TIMEOUT: u64 = 86_400;

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
    /// A command ran and found a problem (drift, a failed check) or failed on the database.
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Connect(_) | CliError::Refused(_) | CliError::Scaffold(_) => 2,
            CliError::Run(e) => e.exit_code(),
            CliError::NotCurrent(_) | CliError::Failed(_) => 1,
        }
    }
}

/// Runs an already parsed command line and turns the outcome into an exit code, printing
/// results on stdout and a single `error:` line on stderr.
pub async fn run(cli: MigrateCli) -> ExitCode {
    init_logging(cli.options.db.verbose);
    finish(execute(cli).await)
}

/// Parses the command line as `T::parse()` does, but prints a usage error with the password of
/// every URL in it hidden: clap echoes the offending value (`migration postgres://u:pw@h/db`
/// is an unknown subcommand, shown in full).
pub fn parse_args<T: Parser>() -> T {
    parse_from(std::env::args_os()).unwrap_or_else(|err| {
        if !err.use_stderr() {
            // --help and --version.
            err.exit();
        }
        say_err!("{}", usage_error_text(&err).trim_end());
        std::process::exit(err.exit_code());
    })
}

/// `T::try_parse_from`, after registering the password of every argument that looks like a URL
/// as a secret (a URL clap echoes may hold spaces, which end a URL in free text).
pub fn parse_from<T: Parser>(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Result<T, clap::Error> {
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    for arg in &args {
        crate::connect::register_url_secrets(&arg.to_string_lossy());
    }
    T::try_parse_from(args)
}

/// A clap usage error as one line, without colours, URL passwords hidden: clap's message, its
/// context lines (a tip, the possible values) after `;`, then the usage and the hint:
/// `error: unexpected argument '--bogus' found; usage: learndb migrate [OPTIONS] [COMMAND]; try '--help'`.
pub fn usage_error_text(err: &clap::Error) -> String {
    scrub_text(&one_line_usage_error(&err.render().to_string()))
}

/// clap's rendering (`error: …`, context lines, `Usage: …`, `For more information, try
/// '--help'.`) folded into one line.
fn one_line_usage_error(rendered: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut usage: Option<String> = None;
    let mut lines = rendered
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .peekable();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("Usage:") {
            // A usage of several lines (subcommand alternatives) keeps its first.
            usage = Some(rest.trim().to_owned());
            while lines
                .peek()
                .is_some_and(|l| !l.starts_with("For more information"))
            {
                lines.next();
            }
        } else if line.starts_with("For more information") {
            continue;
        } else {
            parts.push(line.trim_end_matches('.').to_owned());
        }
    }
    let mut text = parts.join("; ");
    if let Some(usage) = usage {
        text.push_str(&format!("; usage: {usage}"));
    }
    text.push_str("; try '--help'");
    text
}

/// `learndb sql --backend X` / `migration sql --backend X`: no database involved.
pub async fn print_schema_sql(backend: SqlBackend) -> ExitCode {
    finish(schema_sql(backend).await)
}

/// The outcome as an exit code; an error is printed as one `error:` line on stderr, every
/// registered password hidden.
pub fn finish(result: Result<(), CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            say_err!("error: {}", scrub_text(&one_line(&err.to_string())));
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

/// Logs to stderr through the scrubbing writer: `warn` by default, `info` with `verbose`,
/// `RUST_LOG` when set.
pub fn init_logging(verbose: bool) {
    // Driver logs only with -v: a pool's "error occurred while testing the connection" WARN
    // would come before the one `error:` line that already says what failed.
    let default = if verbose {
        "info"
    } else {
        "warn,sqlx=off,sqlx_core=off,sqlx_mysql=off,sqlx_postgres=off,sqlx_sqlite=off,sea_orm=off,sea_orm_migration=off"
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    // A second initialisation (tests calling run twice) is harmless; ignore it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(ScrubbedStderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .try_init();
}

/// Log output goes through [`scrub_text`] on its way to stderr: with RUST_LOG=trace, sqlx and
/// SeaORM print connection URLs and options (passwords included) on every connect.
struct ScrubbedStderr;

/// One formatted log event, written to stderr scrubbed when the formatter is done with it.
struct ScrubbedEvent(Vec<u8>);

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for ScrubbedStderr {
    type Writer = ScrubbedEvent;

    fn make_writer(&'a self) -> ScrubbedEvent {
        ScrubbedEvent(Vec::new())
    }
}

impl Write for ScrubbedEvent {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for ScrubbedEvent {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            let text = scrub_text(&String::from_utf8_lossy(&self.0));
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
    }
}

async fn execute(cli: MigrateCli) -> Result<(), CliError> {
    let command = cli.command.unwrap_or(MigrateCommand::Up {
        range: Range::default(),
        recover: false,
        allow_out_of_order: false,
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
            let migration_dir = match migration_dir {
                Some(dir) => dir.clone(),
                None => default_migration_dir(Path::new(".")).map_err(CliError::Scaffold)?,
            };
            let generated = crate::scaffold::generate(Path::new(&migration_dir), name, !local_time)
                .map_err(|e| CliError::Scaffold(format!("generate failed: {e}")))?;
            say!("Created {}", generated.file.display());
            say!(
                "Registered {} in {}",
                generated.module,
                generated.lib_rs.display()
            );
            return Ok(());
        }
        MigrateCommand::Init { migration_dir } => {
            return sea_orm_cli::run_migrate_init(migration_dir)
                .map_err(|e| CliError::Scaffold(format!("init failed: {e}")));
        }
        _ => {}
    }

    load_dotenv()?;
    let environment = Environment::from_env();
    let target = Target::resolve_direct(
        cli.options.direct_url.as_deref(),
        cli.options.db.database_url.as_deref(),
    )?;
    // Refusals that need no database come first; the question itself is asked once the rows
    // a rollback would change have been counted.
    let question = destructive(&command);
    if let Some(question) = &question {
        refuse_unconfirmed(question, &target, &environment).map_err(CliError::Refused)?;
    }
    // On SQLite, another process's write lock is waited for as long as the migration lock.
    let target = target.wait_for_sqlite_lock(
        Duration::from_secs(cli.options.lock_timeout),
        "--lock-timeout",
    );
    let session = open_target(target, &environment, cli.options.db.connect_timeout).await?;
    let mut header = session.header.clone();
    if !matches!(command, MigrateCommand::Status { .. })
        && let Ok(profile) = engine::decide(&session.server, &session.facts)
    {
        for note in profile.notes {
            header.push_str(&format!("\nNote: {note}"));
        }
    }
    match &command {
        // stdout is the JSON document and nothing else.
        MigrateCommand::Status { json: true, .. } => {}
        // stdout is an SQL script: the header is a comment.
        MigrateCommand::Up { range, .. } | MigrateCommand::Down { range, .. } if range.dry_run => {
            say_raw!("{}", sql_comment(&header));
        }
        _ => say!("{header}"),
    }
    let runner = session
        .runner()
        .lock_timeout(Duration::from_secs(cli.options.lock_timeout))
        .ddl_lock_timeout(
            Duration::from_millis(cli.options.ddl_lock_timeout),
            cli.options.ddl_retries,
        );
    if let Some(question) = &question {
        let rolled_back = match &command {
            MigrateCommand::Down { range, .. } => Some(selection(range, Selection::Count(1))),
            MigrateCommand::Refresh { .. } | MigrateCommand::Reset { .. } => Some(Selection::All),
            _ => None,
        };
        let rows = match rolled_back {
            Some(chosen) => runner.down_impact(&chosen).await?,
            None => Vec::new(),
        };
        for line in &rows {
            say!("Rows: {line}");
        }
        if !question.1.yes {
            ask(question, &session.target, !rows.is_empty()).map_err(CliError::Refused)?;
        }
    }
    let result = dispatch(runner, &session.target, command).await;
    session.db.close_by_ref().await.ok();
    result
}

/// Reads `.env` as every command does (a missing file is fine; a broken one is an error that
/// never echoes its lines).
pub fn load_dotenv() -> Result<(), ConnectError> {
    match dotenvy::dotenv() {
        Ok(_) => Ok(()),
        Err(err) if err.not_found() => Ok(()),
        Err(err) => Err(ConnectError::Config(format!(
            "cannot read .env: {}; fix or remove the file",
            dotenv_problem(&err)
        ))),
    }
}

/// What is wrong with `.env`, without the offending line: dotenvy's message quotes it whole,
/// and a line that fails to parse is typically `DATABASE_URL=…` with its password. The
/// variable's name is kept, and where the line broke.
fn dotenv_problem(err: &dotenvy::Error) -> String {
    match err {
        dotenvy::Error::LineParse(line, at) => {
            let name = line
                .split_once('=')
                .map(|(name, _)| name.trim())
                .filter(|name| {
                    !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                })
                .map_or_else(|| "a line".to_owned(), |name| format!("the line of {name}"));
            format!(
                "{name} cannot be parsed at character {} (quote a value that holds spaces or '#')",
                at + 1
            )
        }
        other => other.to_string(),
    }
}

/// Which database a command talks to, how long to wait for it, and how much to log: the
/// options every learndb command shares (`migrate` adds [`GlobalOptions`]).
#[derive(Debug, Args, Clone)]
pub struct DatabaseOptions {
    /// Database URL: postgres://USER:PASSWORD@HOST:5432/DB, mysql://USER:PASSWORD@HOST:3306/DB
    /// or sqlite://PATH?mode=rwc. Overrides DATABASE_URL (which may also come from .env).
    #[arg(short = 'u', long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    /// Seconds to wait for the database server to accept a connection (1 to 3600).
    #[arg(
        long,
        global = true,
        default_value_t = 10,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(1..=MAX_CONNECT_TIMEOUT)
    )]
    pub connect_timeout: u64,

    /// Log each step (sets RUST_LOG=info unless RUST_LOG is set).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// An open connection with what every command says about it first.
#[derive(Debug)]
pub struct Session {
    pub target: Target,
    pub db: sea_orm_migration::sea_orm::DatabaseConnection,
    pub server: engine::Server,
    pub facts: engine::Facts,
    /// The `Database:`, `Environment:` and `Server:` lines.
    pub header: String,
}

impl Session {
    /// The migration runner on this connection, for the server found: the one the commands use
    /// (statements uncached, so reads work through a transaction pooler too).
    pub fn runner(&self) -> Runner<'_, Migrator> {
        Runner::for_target(&self.db, &self.target)
            .with_server(self.server.clone(), &self.facts)
            .uncached_statements(true)
    }

    /// Refuses a command that would change the database (`what`: "seed", "import into") on a
    /// standby or read-only server, before it starts ([`engine::writable`]).
    pub fn refuse_read_only(&self, what: &str) -> Result<(), String> {
        engine::writable(&self.server, &self.facts).map_err(|refusal| {
            format!(
                "refusing to {what} {}: {refusal}; nothing was changed",
                self.target
            )
        })
    }
}

/// Resolves the database as the migrate commands do (the URL given, `DATABASE_URL`, `.env`,
/// the embedded default), connects and identifies the server. `url` given explicitly wins.
pub async fn open_session(url: Option<&str>, connect_timeout: u64) -> Result<Session, CliError> {
    load_dotenv()?;
    let environment = Environment::from_env();
    let target = Target::resolve(url)?;
    open_target(target, &environment, connect_timeout).await
}

/// [`open_session`] for a target already resolved (for example the second URL of `diff`).
pub async fn open_target(
    target: Target,
    environment: &Environment,
    connect_timeout: u64,
) -> Result<Session, CliError> {
    let db = target
        .connect(Duration::from_secs(connect_timeout.max(1)))
        .await?;
    let (server, facts) = engine::inspect(&db)
        .await
        .map_err(|e| ConnectError::Other {
            target: target.to_string(),
            reason: format!(
                "cannot tell which server this is: {}",
                target.scrub(&error_line(&e))
            ),
        })?;
    let role = facts
        .read_only
        .map(|r| format!(" ({})", r.describe()))
        .unwrap_or_default();
    let header = format!("{}\nServer: {server}{role}", describe(&target, environment));
    Ok(Session {
        target,
        db,
        server,
        facts,
        header,
    })
}

/// The `Database:` and `Environment:` lines every command that talks to a database prints.
fn describe(target: &Target, environment: &Environment) -> String {
    let database = match target.source() {
        Source::EmbeddedDefault => format!(
            "Database: {target} (embedded default; set DATABASE_URL or --database-url to use a server)"
        ),
        Source::Env => format!("Database: {target} (from DATABASE_URL)"),
        Source::Flag | Source::Connection => format!("Database: {target} (from --database-url)"),
        Source::DirectEnv => format!("Database: {target} (from DIRECT_DATABASE_URL)"),
        Source::DirectFlag => format!("Database: {target} (from --direct-url)"),
    };
    format!("{database}\nEnvironment: {environment}")
}

/// `text` as SQL line comments, every line of it (a line break in a URL cannot end the comment).
fn sql_comment(text: &str) -> String {
    text.split(['\n', '\r'])
        .map(|line| format!("-- {line}\n"))
        .collect()
}

/// The environment LEARNDB_ENV names. Only a known development name disarms the production
/// guard, so a typo (`prod`, `" production"`) guards instead of disarming; unset is development.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    /// `production`, or the development name LEARNDB_ENV gave (`development` when unset).
    pub name: &'static str,
    /// LEARNDB_ENV as set, if set.
    pub value: Option<String>,
}

impl Environment {
    /// Reads LEARNDB_ENV (after `.env`); a value that is not UTF-8 is production.
    pub fn from_env() -> Environment {
        let value = std::env::var_os("LEARNDB_ENV").map(|v| v.to_string_lossy().into_owned());
        Environment::from_value(value.as_deref())
    }

    /// Classifies a LEARNDB_ENV value: development, dev, test, local and ci (any case, spaces
    /// around ignored) are not production; every other value is.
    pub fn from_value(value: Option<&str>) -> Environment {
        let name = match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("development" | "dev") => "development",
            Some("test") => "test",
            Some("local") => "local",
            Some("ci") => "ci",
            Some(_) => "production",
        };
        Environment {
            name,
            value: value.map(str::to_owned),
        }
    }

    pub fn is_production(&self) -> bool {
        self.name == "production"
    }
}

impl fmt::Display for Environment {
    /// `production (LEARNDB_ENV=prod)`, `development (LEARNDB_ENV not set)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            None => write!(f, "{} (LEARNDB_ENV not set)", self.name),
            Some(v) if !v.is_empty() && v.chars().all(|c| c.is_ascii_graphic()) => {
                write!(f, "{} (LEARNDB_ENV={v})", self.name)
            }
            Some(v) => write!(f, "{} (LEARNDB_ENV={v:?})", self.name),
        }
    }
}

/// Where `generate` writes without -d, decided at run time (a path compiled in would name the
/// build machine): `./migration` from the workspace root, `.` from inside the migration crate.
fn default_migration_dir(cwd: &Path) -> Result<String, String> {
    if cwd.join("migration/src/lib.rs").is_file() {
        return Ok("./migration".into());
    }
    if cwd.join("src/lib.rs").is_file() && names_package(&cwd.join("Cargo.toml"), "migration") {
        return Ok(".".into());
    }
    Err("cannot find the migration crate: there is no ./migration/src/lib.rs here and this folder is not the `migration` package; run from the workspace root or pass -d DIR".into())
}

/// Whether the Cargo manifest at `manifest` declares `[package] name = "<name>"`.
fn names_package(manifest: &Path, name: &str) -> bool {
    std::fs::read_to_string(manifest).is_ok_and(|text| package_name(&text) == Some(name))
}

/// The `[package] name` of a Cargo manifest.
fn package_name(manifest: &str) -> Option<&str> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if let Some((key, value)) = line.split_once('=')
            && in_package
            && key.trim() == "name"
        {
            let value = value.split('#').next().unwrap_or_default().trim();
            return Some(value.trim_matches(['"', '\'']));
        }
    }
    None
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

/// Guard rails: production refuses unless --allow-destructive; otherwise --yes, or a terminal
/// to ask on ([`ask`]). A refusal is the message to show.
fn refuse_unconfirmed(
    (what, flags): &(String, Confirm),
    target: &Target,
    environment: &Environment,
) -> Result<(), String> {
    if environment.is_production() && !flags.allow_destructive {
        return Err(format!(
            "refusing to {what} on {target}: the environment is {environment}; add --allow-destructive if this is really intended, or set LEARNDB_ENV=development"
        ));
    }
    if !flags.yes && !std::io::stdin().is_terminal() {
        return Err(format!(
            "refusing to {what} on {target} without confirmation: stdin is not a terminal; add --yes"
        ));
    }
    Ok(())
}

/// Asks on the terminal; only a typed "yes" goes on.
fn ask((what, _): &(String, Confirm), target: &Target, rows: bool) -> Result<(), String> {
    let rows = if rows {
        ", changing the rows listed above"
    } else {
        ""
    };
    ask!("This will {what} on {target}{rows}.\nType 'yes' to continue: ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    if answer.trim().eq_ignore_ascii_case("yes") {
        Ok(())
    } else {
        Err(format!("cancelled: nothing was changed on {target}"))
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
    runner: Runner<'_, Migrator>,
    target: &Target,
    command: MigrateCommand,
) -> Result<(), CliError> {
    let dry_run = matches!(
        &command,
        MigrateCommand::Up { range, .. } | MigrateCommand::Down { range, .. } if range.dry_run
    );
    if !dry_run && !matches!(command, MigrateCommand::Status { .. }) {
        // From here on SIGINT and SIGTERM stop the run at the next statement boundary, with
        // the state recorded and the lock released, instead of killing it mid-migration.
        interrupt::install();
    }
    let mut printer = Printer::new();
    let mut progress = |event: &Event| printer.event(event);
    match command {
        MigrateCommand::Up {
            range,
            recover,
            allow_out_of_order,
        } => {
            let chosen = selection(&range, Selection::All);
            let runner = runner.allow_out_of_order(allow_out_of_order);
            if range.dry_run {
                let plan = runner.plan(Direction::Up, &chosen).await?;
                print_plan("up", target, &plan);
                return Ok(());
            }
            let n = if recover {
                runner.recover_and_up(&chosen, &mut progress).await?
            } else {
                runner.up_with(&chosen, &mut progress).await?
            };
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
            let n = runner.down_with(&chosen, &mut progress).await?;
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
                    say!("Resolved {version}: took back what of it existed; `up` will run it again")
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
    say_raw!(
        "{}",
        sql_comment(&format!(
            "{direction} --dry-run on {target}: {} migration(s). Nothing was executed.",
            plan.len()
        ))
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
    if let Some(reason) = &report.refused {
        say!("Migrations: refused on this connection: {reason}");
    }
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
            row.state.as_str(),
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
        if let Some(detail) = &row.detail {
            say!("{:width$}  {detail}", "");
        }
        for done in &row.statements_done {
            say!(
                "{:width$}  {} #{} done: {}",
                "",
                done.direction,
                done.step,
                runner::execute::short(&done.statement)
            );
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

#[cfg(test)]
mod tests {
    // Tests fail by panicking.
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::panic::{AssertUnwindSafe, catch_unwind};

    use clap::CommandFactory;
    use clap::error::ErrorKind;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_dotenv_line_that_fails_to_parse_is_named_but_never_echoed() {
        let line = "DATABASE_URL=postgres://u:pa ss#@h/db".to_owned();
        let problem = dotenv_problem(&dotenvy::Error::LineParse(line, 27));
        assert_eq!(
            problem,
            "the line of DATABASE_URL cannot be parsed at character 28 (quote a value that holds spaces or '#')"
        );
        let garbage = dotenv_problem(&dotenvy::Error::LineParse("pa ss=#".into(), 2));
        assert!(!garbage.contains("pa ss"), "{garbage}");
    }

    #[test]
    fn learndb_env_is_production_unless_it_names_a_development_environment() {
        for (value, name) in [
            (None, "development"),
            (Some("development"), "development"),
            (Some("DEV"), "development"),
            (Some(" Test "), "test"),
            (Some("local"), "local"),
            (Some("CI"), "ci"),
            (Some("production"), "production"),
            (Some("prod"), "production"),
            (Some(" production"), "production"),
            (Some("staging"), "production"),
            (Some(""), "production"),
            (Some("devel"), "production"),
            (Some("dev\u{0}"), "production"),
        ] {
            let environment = Environment::from_value(value);
            assert_eq!(environment.name, name, "{value:?}");
            assert_eq!(
                environment.is_production(),
                name == "production",
                "{value:?}"
            );
        }
    }

    #[test]
    fn the_environment_line_shows_the_value_it_was_derived_from() {
        assert_eq!(
            Environment::from_value(None).to_string(),
            "development (LEARNDB_ENV not set)"
        );
        assert_eq!(
            Environment::from_value(Some("prod")).to_string(),
            "production (LEARNDB_ENV=prod)"
        );
        assert_eq!(
            Environment::from_value(Some(" production")).to_string(),
            "production (LEARNDB_ENV=\" production\")"
        );
        assert_eq!(
            Environment::from_value(Some("a\nb")).to_string(),
            "production (LEARNDB_ENV=\"a\\nb\")"
        );
    }

    #[test]
    fn sql_comments_cover_every_line() {
        assert_eq!(sql_comment("a\nb"), "-- a\n-- b\n");
        assert_eq!(sql_comment("x\rDROP TABLE t;"), "-- x\n-- DROP TABLE t;\n");
    }

    #[test]
    fn package_name_reads_only_the_package_section() {
        let manifest = "[workspace]\nname = \"no\"\n\n[package]\nname = \"migration\" # the crate\nversion = \"1\"\n[dependencies]\nname = \"x\"\n";
        assert_eq!(package_name(manifest), Some("migration"));
        assert_eq!(package_name("[dependencies]\nname = \"migration\"\n"), None);
        assert_eq!(package_name(""), None);
    }

    #[test]
    fn the_default_migration_dir_is_not_compiled_in() {
        // From the workspace root while testing: the package folder holds src/lib.rs and a
        // Cargo.toml naming `migration`.
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert_eq!(default_migration_dir(here).unwrap(), ".");
        let root = here.parent().unwrap();
        assert_eq!(default_migration_dir(root).unwrap(), "./migration");
        let err = default_migration_dir(&here.join("src")).unwrap_err();
        assert!(err.contains("-d DIR"), "{err}");
    }

    #[test]
    fn timeouts_outside_their_range_are_usage_errors() {
        let parse = |args: &[&str]| MigrateCli::try_parse_from(["migration"].iter().chain(args));
        for args in [
            ["--lock-timeout", "18446744073709551615"],
            ["--connect-timeout", "18446744073709551615"],
            ["--connect-timeout", "0"],
            ["--connect-timeout", "3601"],
            ["--lock-timeout", "86401"],
            ["--lock-timeout", "-1"],
            ["--lock-timeout", "1e3"],
        ] {
            let err = parse(&args).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{args:?}");
            assert!(
                matches!(
                    err.kind(),
                    ErrorKind::ValueValidation | ErrorKind::UnknownArgument
                ),
                "{args:?}: {:?}",
                err.kind()
            );
        }
        for args in [
            ["--lock-timeout", "0"],
            ["--lock-timeout", "86400"],
            ["--connect-timeout", "1"],
            ["--connect-timeout", "3600"],
        ] {
            assert!(parse(&args).is_ok(), "{args:?}");
        }
    }

    /// Every way to pass VALUE to every argument of every subcommand (global ones included), read
    /// from the command definition so new flags are covered without listing them here.
    fn invocations(value: &str) -> Vec<Vec<String>> {
        let root = MigrateCli::command();
        let globals: Vec<_> = root.get_arguments().cloned().collect();
        let mut all = Vec::new();
        let mut subcommands: Vec<Option<String>> = vec![None];
        subcommands.extend(
            root.get_subcommands()
                .map(|s| Some(s.get_name().to_owned())),
        );
        for sub in subcommands {
            let (prefix, args): (Vec<String>, Vec<clap::Arg>) = match &sub {
                None => (Vec::new(), globals.clone()),
                Some(name) => (
                    vec![name.clone()],
                    root.find_subcommand(name)
                        .map(|s| s.get_arguments().cloned().collect::<Vec<_>>())
                        .unwrap_or_default()
                        .into_iter()
                        .chain(globals.iter().cloned())
                        .collect(),
                ),
            };
            all.push([prefix.clone(), vec![value.to_owned()]].concat());
            for arg in args {
                if arg.is_positional() {
                    all.push([prefix.clone(), vec![value.to_owned()]].concat());
                    continue;
                }
                let mut names: Vec<String> = arg
                    .get_long()
                    .map(|l| format!("--{l}"))
                    .into_iter()
                    .collect();
                names.extend(arg.get_short().map(|s| format!("-{s}")));
                for name in names {
                    all.push([prefix.clone(), vec![name.clone(), value.to_owned()]].concat());
                    all.push([prefix.clone(), vec![format!("{name}={value}")]].concat());
                }
            }
        }
        all
    }

    fn hostile_value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            Just(u64::MAX.to_string()),
            Just(format!("{}0", u64::MAX)),
            Just(i64::MIN.to_string()),
            "[0-9]{10,40}",
            "-[0-9]{1,25}",
            "[+-]?[0-9]{1,3}(\\.[0-9]+|e[0-9]+)?",
            "\\PC{0,40}",
            "[\\x01-\\x1f\\x7f]{1,8}",
            "[a-z0-9_-]{1000,4000}",
            "--?[a-z-]{0,12}(=.{0,8})?",
        ]
    }

    fn parses_without_panic(args: &[String]) -> Result<Result<MigrateCli, clap::Error>, String> {
        let argv: Vec<std::ffi::OsString> = std::iter::once("migration")
            .chain(args.iter().map(String::as_str))
            .map(Into::into)
            .collect();
        catch_unwind(AssertUnwindSafe(|| parse_from::<MigrateCli>(argv.clone())))
            .map_err(|_| format!("panicked on {argv:?}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn usage_errors_are_one_line_with_usage_and_hint(value in hostile_value()) {
            for args in invocations(&value) {
                if let Err(err) = parses_without_panic(&args).map_err(TestCaseError::fail)?
                    && err.use_stderr()
                {
                    let text = usage_error_text(&err);
                    prop_assert_eq!(text.lines().count(), 1, "{:?}: {}", args, text);
                    prop_assert!(text.starts_with("error: "), "{:?}: {}", args, text);
                    prop_assert!(text.ends_with("; try '--help'"), "{:?}: {}", args, text);
                }
            }
        }

        #[test]
        fn hostile_values_for_any_argument_never_panic_and_never_show_the_password(
            value in hostile_value(),
            mid in "[ -~]{0,12}",
        ) {
            let password = format!("K7{mid}q");
            let url = format!("postgres://app:{password}@127.0.0.1:5432/learndb");
            for args in invocations(&value) {
                let _ = parses_without_panic(&args).map_err(TestCaseError::fail)?;
                // With the password in --database-url, no usage error about another argument
                // repeats it.
                let with_url = [vec!["-u".to_owned(), url.clone()], args.clone()].concat();
                if let Err(err) = parses_without_panic(&with_url).map_err(TestCaseError::fail)? {
                    let text = err.render().to_string();
                    prop_assert!(!text.contains(&password), "{with_url:?}: {text}");
                }
                // A URL where clap expects something else is echoed by clap: the printed error
                // hides its password.
                let misplaced: Vec<String> = args.iter().map(|a| a.replace(&value, &url)).collect();
                if let Err(err) = parses_without_panic(&misplaced).map_err(TestCaseError::fail)?
                    && err.render().to_string().contains(&password)
                {
                    let text = usage_error_text(&err);
                    prop_assert!(!text.contains(&password), "{misplaced:?}: {text}");
                }
            }
        }
    }
}
