//! `learndb docs` on every backend: every table of the migrated schema has its section on its
//! group's page and the index links every page; every Mermaid diagram parses with Mermaid's own
//! parser (`scripts/mermaid-check`, which is shown to reject a broken diagram); the command
//! writes, checks (naming a stale page) and refuses an unmigrated database; and the committed
//! `docs/schema` is what a fresh PostgreSQL database renders.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Backend, TestDb, command, learndb_bin, show, stderr, stdout};
use learndb::catalog::Catalog;
use learndb::docs::{MARKER, compare, page_name, render};
use learndb::groups::Groups;

on_every_backend!(
    docs_have_a_section_for_every_table_and_a_page_for_every_group,
    docs_have_a_section_for_every_table_and_a_page_for_every_group
);
on_every_backend!(
    docs_mermaid_diagrams_parse_with_mermaid,
    docs_mermaid_diagrams_parse_with_mermaid
);
on_every_backend!(
    docs_command_writes_checks_and_refuses_an_unmigrated_database,
    docs_command_writes_checks_and_refuses_an_unmigrated_database
);

/// The pages of a freshly migrated database of `backend`, through the library.
async fn rendered(t: &TestDb) -> (Catalog, BTreeMap<String, String>) {
    let catalog = Catalog::read(&t.db)
        .await
        .unwrap_or_else(|e| panic!("cannot read the catalog: {e}"))
        .without_history();
    let groups = Groups::of(t.db_backend())
        .await
        .unwrap_or_else(|e| panic!("cannot work out the groups: {e}"));
    let pages = render(&catalog, &groups, t.db_backend());
    (catalog, pages)
}

async fn docs_have_a_section_for_every_table_and_a_page_for_every_group(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let (catalog, pages) = rendered(&t).await;
    let groups = Groups::of(t.db_backend()).await.unwrap();
    assert!(
        !catalog.tables.is_empty(),
        "{backend:?}: the migrated catalog has no tables"
    );
    for history in [
        "seaql_migrations",
        "learndb_migration_history",
        "learndb_migration_journal",
    ] {
        assert!(
            pages.values().all(|p| !p.contains(&format!("`{history}`]"))
                && !p.contains(&format!("## Table `{history}`"))),
            "{backend:?}: the runner's table {history} is documented"
        );
    }

    for (name, table) in &catalog.tables {
        let group = groups
            .group_of(name)
            .unwrap_or_else(|| panic!("{backend:?}: no migration creates table {name}"));
        let page = pages
            .get(&page_name(&group))
            .unwrap_or_else(|| panic!("{backend:?}: group {group} of table {name} has no page"));
        let heading = format!("## Table `{name}`\n");
        let start = page
            .find(&heading)
            .unwrap_or_else(|| panic!("{backend:?}: {group}.md has no section for {name}"));
        let section = &page[start + heading.len()..];
        let section = &section[..section.find("\n## ").unwrap_or(section.len())];
        for column in &table.columns {
            assert!(
                section.contains(&format!("\n| `{}` | ", column.name)),
                "{backend:?}: the section of {name} lacks column {}",
                column.name
            );
        }
        for fk in table.foreign_keys.keys() {
            assert!(
                section.contains(&format!("| `{fk}` |")),
                "{backend:?}: the section of {name} lacks foreign key {fk}"
            );
        }
        for check in table.checks.keys() {
            assert!(
                section.contains(&format!("| `{check}` |")),
                "{backend:?}: the section of {name} lacks check {check}"
            );
        }
        assert!(
            page.contains(&format!("\n    {name} {{\n")),
            "{backend:?}: the diagram of {group}.md does not draw {name}"
        );
    }
    for view in catalog.views.keys() {
        let group = groups.group_of(view).unwrap();
        assert!(
            pages[&page_name(&group)].contains(&format!("## View `{view}`\n")),
            "{backend:?}: view {view} has no section on {group}.md"
        );
    }
    // Every group whose migration creates something on this backend has a page.
    for (group, objects) in groups.by_group() {
        if objects
            .iter()
            .any(|o| catalog.tables.contains_key(o) || catalog.views.contains_key(o))
        {
            assert!(
                pages.contains_key(&page_name(&group)),
                "{backend:?}: group {group} has no page"
            );
        }
    }
    let index = &pages["README.md"];
    for name in pages.keys().filter(|n| *n != "README.md") {
        assert!(
            index.contains(&format!("]({name})")),
            "{backend:?}: the index does not link {name}"
        );
        assert!(
            pages[name].contains("](README.md)"),
            "{backend:?}: {name} does not link back to the index"
        );
    }
    for name in catalog.tables.keys() {
        assert!(
            index.contains(&format!("[`{name}`](")),
            "{backend:?}: the index does not link table {name}"
        );
    }
}

/// `scripts/mermaid-check`, with its dependencies installed (the test fails saying how
/// otherwise: a skipped check would pass unnoticed).
fn mermaid_check() -> Command {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("scripts/mermaid-check");
    // `cargo test` alone must work on a fresh clone: install the pinned parser once per test
    // process (from the committed lock file) when it is missing.
    static INSTALLED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    let installed = INSTALLED.get_or_init(|| {
        if dir.join("node_modules/mermaid/package.json").is_file() {
            return Ok(());
        }
        let out = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--prefix"])
            .arg(&dir)
            .output()
            .map_err(|e| format!("cannot run npm ({e})"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "npm ci failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    });
    if let Err(e) = installed {
        panic!(
            "scripts/mermaid-check/node_modules is missing and installing it failed ({e}): install Node.js 18 or later and run `npm ci --prefix scripts/mermaid-check`"
        );
    }
    let mut node = Command::new("node");
    node.arg(dir.join("check.mjs"));
    node
}

fn run_mermaid_check(files: &[PathBuf]) -> Output {
    mermaid_check()
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run node (install Node.js 18 or later): {e}"))
}

/// Writes `pages` into a new temporary folder.
fn write_pages(pages: &BTreeMap<String, String>) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let files = pages
        .iter()
        .map(|(name, content)| {
            let path = dir.path().join(name);
            std::fs::write(&path, content).unwrap();
            path
        })
        .collect();
    (dir, files)
}

async fn docs_mermaid_diagrams_parse_with_mermaid(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let (catalog, pages) = rendered(&t).await;
    let diagrams = pages
        .values()
        .filter(|p| p.contains("```mermaid\nerDiagram\n"))
        .count();
    let groups_with_tables = pages
        .values()
        .filter(|p| p.contains("\n## Table `"))
        .count();
    assert!(
        diagrams == groups_with_tables && diagrams > 0,
        "{backend:?}: {diagrams} diagrams for {groups_with_tables} pages with tables ({} tables)",
        catalog.tables.len()
    );
    let (_dir, files) = write_pages(&pages);
    let out = run_mermaid_check(&files);
    assert!(
        out.status.success(),
        "{backend:?}: Mermaid rejects a generated diagram:\n{}",
        show(&out)
    );
    assert!(
        stdout(&out).contains(&format!("{diagrams} mermaid blocks")),
        "{backend:?}: the checker did not parse every diagram:\n{}",
        show(&out)
    );
}

/// The checker really parses: an attribute type with a space and parentheses (what the pages
/// avoid by writing `varchar_255_`) and a relationship without a label are rejected, naming the
/// file; the same diagram written as the pages write it passes.
#[test]
fn mermaid_check_rejects_a_broken_diagram() {
    let broken = "# broken\n\n```mermaid\nerDiagram\n    users {\n        character varying(255) email UK\n    }\n```\n";
    let unlabelled = "```mermaid\nerDiagram\n    users ||--o{ posts\n```\n";
    let fixed = "```mermaid\nerDiagram\n    users {\n        varchar_255_ email UK\n    }\n    users ||--o{ posts : \"user_id\"\n```\n";
    let pages = BTreeMap::from([
        ("broken.md".to_owned(), broken.to_owned()),
        ("unlabelled.md".to_owned(), unlabelled.to_owned()),
        ("fixed.md".to_owned(), fixed.to_owned()),
    ]);
    let (dir, _) = write_pages(&pages);
    let path = |name: &str| dir.path().join(name);

    let out = run_mermaid_check(&[path("broken.md"), path("fixed.md")]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        stderr(&out).contains("broken.md:3: mermaid parse error"),
        "{}",
        show(&out)
    );
    assert!(!stderr(&out).contains("fixed.md"), "{}", show(&out));

    let out = run_mermaid_check(&[path("unlabelled.md")]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        stderr(&out).contains("unlabelled.md:1: mermaid parse error"),
        "{}",
        show(&out)
    );

    let out = run_mermaid_check(&[path("fixed.md")]);
    assert!(out.status.success(), "{}", show(&out));
}

/// Every file of `dir` with its bytes.
fn folder(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

fn learndb_docs(url: &str, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    command(&learndb_bin(), dir.path())
        .args(["docs", "-u", url])
        .args(args)
        .output()
        .expect("the learndb binary starts")
}

async fn docs_command_writes_checks_and_refuses_an_unmigrated_database(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let out_dir = tempfile::tempdir().unwrap();
    let out_path = out_dir.path().join("schema");
    let out = out_path.to_str().unwrap();

    let written = learndb_docs(&t.url, &["--out", out]);
    assert_eq!(
        written.status.code(),
        Some(0),
        "{backend:?}: {}",
        show(&written)
    );
    assert!(
        stdout(&written).starts_with("Database: "),
        "{}",
        show(&written)
    );
    let (_, pages) = rendered(&t).await;
    let on_disk: Vec<String> = std::fs::read_dir(&out_path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(on_disk.len(), pages.len(), "{backend:?}: {on_disk:?}");
    for (name, content) in &pages {
        assert_eq!(
            &std::fs::read_to_string(out_path.join(name)).unwrap(),
            content,
            "{backend:?}: {name} on disk is not what render gives"
        );
    }

    let checked = learndb_docs(&t.url, &["--out", out, "--check"]);
    assert_eq!(
        checked.status.code(),
        Some(0),
        "{backend:?}: {}",
        show(&checked)
    );

    let edited = out_path.join("users.md");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("\nA hand-written line.\n");
    std::fs::write(&edited, text).unwrap();
    std::fs::remove_file(out_path.join("views.md")).unwrap();
    let stale = learndb_docs(&t.url, &["--out", out, "--check"]);
    assert_eq!(
        stale.status.code(),
        Some(1),
        "{backend:?}: {}",
        show(&stale)
    );
    let err = stderr(&stale);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{backend:?}: {}",
        show(&stale)
    );
    assert!(
        err.contains("stale: users.md") && err.contains("missing: views.md"),
        "{backend:?}: --check does not name the edited and the removed page: {err}"
    );

    // A folder holding a file learndb docs did not write (a project's README.md, notes) is
    // refused with one line and exit 2, and nothing in it changes; --check names the file extra.
    std::fs::write(
        out_path.join("dropped.md"),
        format!("{MARKER}\n\n# old group\n"),
    )
    .unwrap();
    std::fs::write(out_path.join("notes.md"), "# hand-written\n").unwrap();
    let before = folder(&out_path);
    let refused = learndb_docs(&t.url, &["--out", out]);
    assert_eq!(
        refused.status.code(),
        Some(2),
        "{backend:?}: {}",
        show(&refused)
    );
    assert!(
        stderr(&refused).trim_end().lines().count() == 1
            && stderr(&refused).contains("did not generate (notes.md)"),
        "{backend:?}: {}",
        show(&refused)
    );
    let after = folder(&out_path);
    assert!(
        before == after,
        "{backend:?}: a refused run changed the folder"
    );
    let extra = learndb_docs(&t.url, &["--out", out, "--check"]);
    assert_eq!(
        extra.status.code(),
        Some(1),
        "{backend:?}: {}",
        show(&extra)
    );
    // The refused run repaired nothing and removed nothing: users.md is still stale and
    // dropped.md still there.
    assert!(
        stderr(&extra).contains("stale: users.md")
            && stderr(&extra).contains("extra: dropped.md, notes.md"),
        "{backend:?}: {}",
        show(&extra)
    );

    // Without the hand-written file, writing again repairs the folder and removes the page an
    // earlier run generated that is no longer rendered.
    std::fs::remove_file(out_path.join("notes.md")).unwrap();
    let rewritten = learndb_docs(&t.url, &["--out", out]);
    assert_eq!(
        rewritten.status.code(),
        Some(0),
        "{backend:?}: {}",
        show(&rewritten)
    );
    assert!(
        !out_path.join("dropped.md").exists(),
        "{}",
        show(&rewritten)
    );

    // Not a folder, or not one that can be made: bad input, exit 2, one line.
    let file = out_dir.path().join("a-file");
    std::fs::write(&file, "mine\n").unwrap();
    for bad in [file.to_str().unwrap(), "/dev/null", "/proc/learndb-docs"] {
        let o = learndb_docs(&t.url, &["--out", bad]);
        assert_eq!(o.status.code(), Some(2), "{backend:?} {bad}: {}", show(&o));
        assert_eq!(stderr(&o).trim_end().lines().count(), 1, "{}", show(&o));
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine\n");

    let empty = TestDb::new(backend).await;
    let refused = learndb_docs(&empty.url, &["--out", out, "--check"]);
    assert_eq!(
        refused.status.code(),
        Some(2),
        "{backend:?}: {}",
        show(&refused)
    );
    let err = stderr(&refused);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{backend:?}: {}",
        show(&refused)
    );
    assert!(
        err.contains("has no learndb tables; run learndb migrate up first"),
        "{backend:?}: {err}"
    );
}

/// `docs/schema` is committed; CI regenerates it from a fresh PostgreSQL database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_docs_schema_is_current_on_postgres() {
    let t = TestDb::migrated(Backend::Postgres).await;
    let (_, pages) = rendered(&t).await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/schema");
    let differences = compare(&dir, &pages).unwrap();
    assert!(
        differences.is_empty(),
        "docs/schema is not what a freshly migrated PostgreSQL database renders ({}); run scripts/schema-docs.sh and commit the result",
        differences.describe()
    );
}
