//! The `learndb` command. It holds no schema knowledge of its own: `learndb migrate` is the
//! migration crate's command line, so it behaves exactly like `cargo run -p migration --`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use migration::cli::{MigrateCli, SqlBackend};

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
}

#[tokio::main]
async fn main() -> ExitCode {
    match migration::cli::parse_args::<Cli>().command {
        Command::Migrate(cli) => migration::cli::run(cli).await,
        Command::Sql { backend } => migration::cli::print_schema_sql(backend).await,
    }
}
