//! `cargo run -p migration -- <command>`: the sea-orm-migration entry point users already know.

use std::process::ExitCode;

use migration::cli::{parse_args, run};

#[tokio::main]
async fn main() -> ExitCode {
    run(parse_args()).await
}
