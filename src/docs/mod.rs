//! `learndb docs`: Markdown pages with Mermaid ER diagrams, written from the live schema.
//!
//! The command reads the database's catalog ([`Catalog::read`]) and the migration that creates
//! each object ([`Groups::of`]), and [`render`]s one page per table group plus an index. Render
//! is pure and deterministic (sorted, no clock, no database name or URL), so CI regenerates the
//! pages from a fresh PostgreSQL database and `--check` compares them with the committed copy
//! in `docs/schema` (`scripts/schema-docs.sh --check`). The Mermaid blocks are checked by
//! Mermaid's own parser in `scripts/mermaid-check`, not here.

mod mermaid;
mod render;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use migration::cli::{CliError, DatabaseOptions, open_session};

use crate::catalog::Catalog;
use crate::groups::Groups;

pub use render::{MARKER, page_name, render};

/// Write the schema reference (Markdown + Mermaid) of a live database.
#[derive(Debug, Args)]
pub struct DocsArgs {
    #[command(flatten)]
    pub db: DatabaseOptions,

    /// Folder the pages are written to (one page per table group and README.md, the index).
    #[arg(long, value_name = "DIR", default_value = "docs/schema")]
    pub out: PathBuf,

    /// Compare the pages with those in DIR instead of writing; exit 1 naming every stale,
    /// missing or extra page (CI: scripts/schema-docs.sh --check).
    #[arg(long)]
    pub check: bool,
}

/// How the pages in a folder differ from what [`render`] produced.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Differences {
    /// In both, with other content.
    pub stale: Vec<String>,
    /// Rendered but not in the folder.
    pub missing: Vec<String>,
    /// `.md` files in the folder that were not rendered.
    pub extra: Vec<String>,
}

impl Differences {
    pub fn is_empty(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.extra.is_empty()
    }

    /// `stale: a.md, b.md; missing: c.md; extra: d.md`.
    pub fn describe(&self) -> String {
        [
            ("stale", &self.stale),
            ("missing", &self.missing),
            ("extra", &self.extra),
        ]
        .iter()
        .filter(|(_, files)| !files.is_empty())
        .map(|(kind, files)| format!("{kind}: {}", files.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
    }
}

/// Compares rendered pages with the `.md` files of `dir` (a missing folder holds nothing).
pub fn compare(dir: &Path, pages: &BTreeMap<String, String>) -> std::io::Result<Differences> {
    let present = markdown_files(dir)?;
    let mut differences = Differences::default();
    for (name, content) in pages {
        match present.get(name) {
            None => differences.missing.push(name.clone()),
            Some(path) => {
                if std::fs::read(path)? != content.as_bytes() {
                    differences.stale.push(name.clone());
                }
            }
        }
    }
    differences.extra = present
        .keys()
        .filter(|name| !pages.contains_key(*name))
        .cloned()
        .collect();
    Ok(differences)
}

/// The `.md` files directly in `dir`, by file name.
fn markdown_files(dir: &Path) -> std::io::Result<BTreeMap<String, PathBuf>> {
    let mut found = BTreeMap::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(found),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && entry.file_type()?.is_file() {
            found.insert(name, entry.path());
        }
    }
    Ok(found)
}

/// Writes `pages` into `dir` and removes pages an earlier run generated that are no longer
/// rendered (a dropped group); Markdown files without the generated marker are left alone
/// (`learndb docs` refuses such a folder before it gets here: [`check_out_folder`]).
/// Returns the names of the pages removed.
pub fn write(dir: &Path, pages: &BTreeMap<String, String>) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    for (name, content) in pages {
        let path = dir.join(name);
        if std::fs::read(&path).ok().as_deref() != Some(content.as_bytes()) {
            std::fs::write(&path, content)?;
        }
    }
    let mut removed = Vec::new();
    for (name, path) in markdown_files(dir)? {
        if !pages.contains_key(&name) && std::fs::read_to_string(&path)?.starts_with(MARKER) {
            std::fs::remove_file(&path)?;
            removed.push(name);
        }
    }
    Ok(removed)
}

/// Where `learndb docs` may write: a folder that is empty, or new, or holds nothing but pages an
/// earlier run generated (they start with [`MARKER`]). Anything else is the user's own (a
/// project's README.md, hand-written notes) and is refused before the database is even read, so
/// `--out docs` or `--out .` can never replace it. Creates the folder when it is missing.
pub fn check_out_folder(dir: &Path) -> Result<(), CliError> {
    let shown = dir.display();
    let refuse = |why: String| {
        CliError::Refused(format!(
            "{shown} {why}; give --out an empty folder, a new one, or one that learndb docs wrote (nothing was written)"
        ))
    };
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => return Err(refuse("exists and is not a folder".into())),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return std::fs::create_dir_all(dir)
                .map_err(|e| refuse(format!("cannot be created ({e})")));
        }
        Err(e) => return Err(refuse(format!("cannot be read ({e})"))),
    }
    let entries = std::fs::read_dir(dir).map_err(|e| refuse(format!("cannot be read ({e})")))?;
    let mut foreign = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| refuse(format!("cannot be read ({e})")))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let generated = name.ends_with(".md")
            && entry.file_type().is_ok_and(|t| t.is_file())
            && std::fs::read_to_string(entry.path()).is_ok_and(|text| text.starts_with(MARKER));
        if !generated {
            foreign.push(name);
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    let shown_names = foreign
        .iter()
        .take(3)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let more = match foreign.len() {
        n if n > 3 => format!(" and {} more", n - 3),
        _ => String::new(),
    };
    Err(refuse(format!(
        "holds files that learndb docs did not generate ({shown_names}{more})"
    )))
}

/// `learndb docs`: reads the live schema, then writes or checks the pages.
pub async fn run(args: DocsArgs) -> Result<(), CliError> {
    if !args.check {
        check_out_folder(&args.out)?;
    }
    let session = open_session(args.db.database_url.as_deref(), args.db.connect_timeout).await?;
    say(&session.header);
    let target = &session.target;
    let backend = target.backend();
    let catalog = Catalog::read(&session.db)
        .await
        .map_err(|e| {
            CliError::Failed(format!(
                "cannot read the schema of {target}: {}",
                target.scrub(&e.to_string())
            ))
        })?
        .without_history();
    if catalog.tables.is_empty() {
        return Err(CliError::Refused(format!(
            "{target} has no learndb tables; run learndb migrate up first"
        )));
    }
    let groups = Groups::of(backend).await.map_err(|e| {
        CliError::Failed(format!(
            "cannot work out the table groups of the migrations: {e}"
        ))
    })?;
    let pages = render(&catalog, &groups, backend);
    let out = &args.out;
    let shown = out.display();
    if args.check {
        let differences = compare(out, &pages)
            .map_err(|e| CliError::Failed(format!("cannot read {shown}: {e}")))?;
        if !differences.is_empty() {
            return Err(CliError::Failed(format!(
                "{shown} does not match the schema of the database ({}); run learndb docs --out {shown} (scripts/schema-docs.sh for the committed copy)",
                differences.describe()
            )));
        }
        say(&format!(
            "{shown} matches the schema ({} pages, {} tables)",
            pages.len(),
            catalog.tables.len()
        ));
    } else {
        let removed = write(out, &pages)
            .map_err(|e| CliError::Failed(format!("cannot write {shown}: {e}")))?;
        say(&format!(
            "Wrote {} pages ({} tables, {} views) to {shown}",
            pages.len(),
            catalog.tables.len(),
            catalog.views.len()
        ));
        if !removed.is_empty() {
            say(&format!(
                "Removed pages no longer generated: {}",
                removed.join(", ")
            ));
        }
    }
    Ok(())
}

/// One line on stdout; a closed pipe stops the output, not the command.
fn say(text: &str) {
    let _ = writeln!(std::io::stdout(), "{text}");
}
