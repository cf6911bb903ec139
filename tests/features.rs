//! A service that migrates at startup depends on `migration` without its command line and with
//! only the driver it uses, and imports `entity`, which selects no driver and no runtime at all.
//! `cargo tree` proves what such a service pulls in; `.ci/run` also compiles that configuration
//! (`cargo clippy -p migration --no-default-features …`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

/// The crates (by name) in the normal dependency tree of `migration` with these features.
fn dependencies(features: &str) -> Vec<String> {
    tree(&[
        "-p",
        "migration",
        "--no-default-features",
        "--features",
        features,
    ])
}

/// The crates (by name) that `cargo tree <selection> -e normal` lists.
fn tree(selection: &[&str]) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("tree")
        .args(selection)
        .args([
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
            "--offline",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_postgres_service_gets_no_cli_and_no_other_driver() {
    let deps = dependencies("postgres,runtime-tokio-rustls");
    assert!(deps.iter().any(|d| d == "sqlx-postgres"), "{deps:?}");
    for unwanted in [
        "clap",
        "sea-orm-cli",
        "sqlx-mysql",
        "sqlx-sqlite",
        "libsqlite3-sys",
    ] {
        assert!(
            !deps.iter().any(|d| d == unwanted),
            "`migration` with only `postgres` still depends on {unwanted}"
        );
    }
}

#[test]
fn the_default_features_keep_the_command_line_and_every_driver() {
    let deps = dependencies("cli,postgres,mysql,sqlite,runtime-tokio-rustls");
    for wanted in [
        "clap",
        "sea-orm-cli",
        "sqlx-postgres",
        "sqlx-mysql",
        "sqlx-sqlite",
    ] {
        assert!(
            deps.iter().any(|d| d == wanted),
            "missing {wanted}: {deps:?}"
        );
    }
}

#[test]
fn the_entity_crate_selects_no_driver_and_no_runtime() {
    let deps = tree(&["-p", "entity"]);
    assert!(deps.iter().any(|d| d == "sea-orm"), "{deps:?}");
    for unwanted in [
        "sqlx",
        "sqlx-core",
        "sqlx-postgres",
        "sqlx-mysql",
        "sqlx-sqlite",
        "libsqlite3-sys",
        "tokio",
        "async-std",
        "smol",
        "rustls",
        "native-tls",
    ] {
        assert!(
            !deps.iter().any(|d| d == unwanted),
            "`entity` depends on {unwanted}: a service would get it whether it wants it or not"
        );
    }
}
