//! `learndb migrate generate NAME` scaffolds a module that compiles as it is and runs up and down.
//!
//! The migration crate is copied into a temporary workspace (its `Cargo.toml` made from the real
//! one: the same dependency versions, lints, patches and profiles, `Cargo.lock` copied), the
//! module is generated there through the command users run, and the copy is built into the
//! target directory this test was built in, so no dependency is compiled again. Its binary is
//! renamed (`migration-generated`) so it never replaces the real `target/debug/migration`. The
//! copy then runs `up`, `down`, `up` against a fresh database, and the catalog is asked whether
//! the scaffolded table is there.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;

use common::{Backend, TestDb, command, learndb_bin, show, stdout};

/// The migration name the test generates; also the scaffolded table's name.
const NAME: &str = "scaffold_probe";

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The target directory this test binary was built in (`CARGO_TARGET_TMPDIR` is `<target>/tmp`).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target directory")
        .to_owned()
}

/// The built binary of a migration crate with a freshly generated module, built once per test
/// process, and the generated file's text.
fn generated_binary() -> &'static (PathBuf, String) {
    static BUILT: OnceLock<(PathBuf, String)> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("generate-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap()
            .keep();
        workspace_copy(&dir);

        let out = command(&learndb_bin(), &dir)
            .args(["migrate", "generate", NAME, "-d"])
            .arg(dir.join("migration"))
            .output()
            .unwrap();
        assert!(out.status.success(), "generate failed:\n{}", show(&out));
        let file = std::fs::read_dir(dir.join("migration/src"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().ends_with(&format!("_{NAME}.rs")))
            })
            .expect("the generated file is in migration/src");
        let source = std::fs::read_to_string(&file).unwrap();
        assert!(
            stdout(&out).contains(&file.display().to_string()),
            "generate names the file it wrote:\n{}",
            show(&out)
        );

        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = std::process::Command::new(cargo);
        // Not the variables cargo set for this test process: build scripts watch some of them
        // (ring's reruns on CARGO_MANIFEST_DIR), and a dependency rebuilt with them here would
        // be stale, and rebuilt again, for the next `cargo test`.
        for (var, _) in std::env::vars_os() {
            let var = var.to_string_lossy();
            if var.starts_with("CARGO_PKG_")
                || var.starts_with("CARGO_BIN_")
                || [
                    "CARGO_MANIFEST_DIR",
                    "CARGO_MANIFEST_PATH",
                    "CARGO_CRATE_NAME",
                    "CARGO_PRIMARY_PACKAGE",
                    "CARGO_TARGET_TMPDIR",
                    "CARGO_RUSTC_CURRENT_DIR",
                ]
                .contains(&var.as_ref())
            {
                build.env_remove(var.as_ref());
            }
        }
        let built = build
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", target_dir())
            .args([
                "build",
                "--quiet",
                "--offline",
                "-p",
                "migration",
                "--bin",
                "migration-generated",
            ])
            .status()
            .expect("cargo runs");
        assert!(
            built.success(),
            "the generated module does not build; sources in {}",
            dir.display()
        );
        // Kept when the build fails, to be read; removed once it has built.
        std::fs::remove_dir_all(&dir).ok();
        let bin = target_dir().join(format!(
            "debug/migration-generated{}",
            std::env::consts::EXE_SUFFIX
        ));
        (bin, source)
    })
}

/// `dir/Cargo.toml` (the workspace sections of the real one, with `migration` its only member
/// and other paths made absolute), `dir/Cargo.lock`, and `dir/migration` (manifest and sources).
fn workspace_copy(dir: &Path) {
    let manifest = std::fs::read_to_string(Path::new(ROOT).join("Cargo.toml")).unwrap();
    let mut out = String::new();
    let mut keep = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            keep = ["[workspace", "[patch", "[profile"]
                .iter()
                .any(|s| line.starts_with(s));
            if keep {
                out.push_str(line);
                out.push('\n');
                if line == "[workspace]" {
                    out.push_str("members = [\"migration\"]\n");
                }
            }
            continue;
        }
        let trimmed = line.trim_start();
        if !keep
            || ["members", "default-members", "exclude"]
                .iter()
                .any(|k| trimmed.starts_with(&format!("{k} =")))
        {
            continue;
        }
        let line = match line.split_once("path = \"") {
            Some((before, after)) if !after.starts_with("migration\"") => {
                format!("{before}path = \"{ROOT}/{after}")
            }
            _ => line.to_owned(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    std::fs::write(dir.join("Cargo.toml"), out).unwrap();
    std::fs::copy(Path::new(ROOT).join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();

    let crate_dir = dir.join("migration");
    copy_dir(
        &Path::new(ROOT).join("migration/src"),
        &crate_dir.join("src"),
    );
    let manifest = std::fs::read_to_string(Path::new(ROOT).join("migration/Cargo.toml")).unwrap();
    let renamed = manifest.replace(
        "[[bin]]\nname = \"migration\"",
        "[[bin]]\nname = \"migration-generated\"",
    );
    assert_ne!(
        renamed, manifest,
        "migration/Cargo.toml has no [[bin]] named migration"
    );
    std::fs::write(crate_dir.join("Cargo.toml"), renamed).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

fn migrate(t: &TestDb, args: &[&str]) -> Output {
    let (bin, _) = generated_binary();
    let dir = tempfile::tempdir().unwrap();
    let out = command(bin, dir.path())
        .args(["-u", &t.url])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?} failed:\n{}", show(&out));
    out
}

/// Whether the database holds a table named `NAME`, asked of its catalog.
async fn has_table(t: &TestDb) -> bool {
    let sql = match t.backend {
        Backend::Sqlite => {
            format!("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '{NAME}'")
        }
        Backend::Postgres => format!(
            "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '{NAME}'"
        ),
        _ => format!(
            "SELECT CAST(table_name AS CHAR) AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = '{NAME}'"
        ),
    };
    !t.query_strings(&sql, "name").await.is_empty()
}

async fn up_down_up(backend: Backend) {
    let t = TestDb::new(backend).await;
    migrate(&t, &["up"]);
    assert!(has_table(&t).await, "{backend:?}: no {NAME} table after up");
    migrate(&t, &["down", "--yes"]);
    assert!(
        !has_table(&t).await,
        "{backend:?}: {NAME} is left after down"
    );
    migrate(&t, &["up"]);
    assert!(
        has_table(&t).await,
        "{backend:?}: no {NAME} table after up again"
    );
}

#[tokio::test]
async fn a_generated_module_builds_as_is_and_runs_up_down_up_on_sqlite() {
    let (_, source) = generated_binary();
    assert!(source.contains("crate::group_migration!(GROUP);"));
    assert!(!source.contains("if_not_exists"));
    up_down_up(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_generated_module_runs_up_down_up_on_postgres_and_mysql() {
    up_down_up(Backend::Postgres).await;
    up_down_up(Backend::MySql).await;
}
