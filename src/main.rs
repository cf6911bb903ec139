//! The `learndb` command. It holds no schema knowledge of its own: `learndb migrate` is the
//! migration crate's command line, so it behaves exactly like `cargo run -p migration --`; the
//! other commands are the `learndb` library's, over the migration and entity crates.

use std::process::ExitCode;

/// mimalloc: `learndb import` allocates per source value, and glibc malloc spent 40 % of its CPU
/// (docs/benchmarks.md, issue 17).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use migration::cli::{MigrateCli, SqlBackend, finish, init_logging};

/// learndb: the unified learning-platform database (schema, migrations, entities).
#[derive(Debug, Parser)]
#[command(name = "learndb", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply, roll back and inspect schema migrations (same as `cargo run -p migration --`).
    Migrate(MigrateCli),
    /// Print the full schema DDL for a backend, without a database (committed under schema/).
    Sql {
        #[arg(long, value_enum)]
        backend: SqlBackend,
    },
    /// Compare the live schema with what learndb's migrations create, at the database's version.
    Verify(learndb::verify::VerifyArgs),
    /// Compare the schemas of two live databases of the same backend.
    Diff(learndb::verify::DiffArgs),
    /// Write deterministic demo data into every table group.
    Seed(learndb::seed::SeedArgs),
    /// Write Markdown pages with Mermaid ER diagrams of the live schema.
    Docs(learndb::docs::DocsArgs),
    /// Bring a legacy system's database into learndb (SPEC-26-27 §27).
    Import(learndb::import::ImportArgs),
    /// Check the connection, the server's capabilities, the migrations, the lock and the schema.
    Doctor(learndb::doctor::DoctorArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    match migration::cli::parse_args::<Cli>().command {
        Command::Migrate(cli) => migration::cli::run(cli).await,
        Command::Sql { backend } => migration::cli::print_schema_sql(backend).await,
        Command::Verify(args) => {
            init_logging(args.db.verbose);
            finish(learndb::verify::verify(args).await)
        }
        Command::Diff(args) => {
            init_logging(args.db.verbose);
            finish(learndb::verify::diff(args).await)
        }
        Command::Seed(args) => {
            init_logging(args.db.verbose);
            finish(learndb::seed::run(args).await)
        }
        Command::Docs(args) => {
            init_logging(args.db.verbose);
            finish(learndb::docs::run(args).await)
        }
        Command::Import(args) => {
            init_logging(args.verbose);
            finish(learndb::import::run(args).await)
        }
        Command::Doctor(args) => {
            init_logging(args.db.verbose);
            finish(learndb::doctor::run(args).await)
        }
    }
}
