//! `cargo run -p migration -- <command>`: the sea-orm-migration entry point users already know.

use std::process::ExitCode;

use clap::Parser;
use migration::cli::{MigrateCli, run};

#[tokio::main]
async fn main() -> ExitCode {
    run(MigrateCli::parse()).await
}
