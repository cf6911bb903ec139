//! `learndb verify` and `learndb diff`: schema drift, named object by object and grouped by
//! table group.
//!
//! `verify` compares the live database with what learndb's migrations create on its engine, at
//! the migrations the database has applied. The reference is the committed catalog of the
//! engine (`schema/catalog/*.json`, see [`crate::snapshot`]), which needs no rights beyond
//! reading the catalog; or, for engines without one (MySQL, TiDB, YugabyteDB) or on request, a
//! scratch database migrated on the same server and dropped afterwards (`--reference scratch`,
//! which needs CREATE DATABASE). `diff` compares two live databases of the same engine.
//!
//! Exit codes: 0 equal, 1 drift, 2 bad input (URL, unreachable server, unknown group, no
//! reference for this engine).

use std::collections::BTreeSet;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};
use migration::cli::{CliError, DatabaseOptions, Environment, Session, open_session, open_target};
use migration::connect::{Source, Target, error_line, one_line};
use migration::runner::{MigrationState, Runner, Selection, StatusReport};
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use serde::Serialize;

use crate::catalog::Catalog;
use crate::compare::{Change, Drift, Objects, compare, flatten, summary};
use crate::groups::Groups;
use crate::snapshot::Snapshot;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub db: DatabaseOptions,

    /// Only this table group (users, content, courses, …, triggers, views).
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,

    /// Print one JSON document on stdout instead of text.
    #[arg(long)]
    pub json: bool,

    /// What the database is compared with: the catalog learndb ships for this engine
    /// (`snapshot`; PostgreSQL, MariaDB, SQLite), a scratch database migrated on the same server
    /// and dropped afterwards (`scratch`; needs CREATE DATABASE), or the snapshot where there is
    /// one and a scratch database otherwise (`auto`).
    #[arg(long, value_enum, default_value_t = Reference::Auto)]
    pub reference: Reference,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Reference {
    Auto,
    Snapshot,
    Scratch,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    pub db: DatabaseOptions,

    /// The first database (what `B` is compared with).
    #[arg(value_name = "URL_A")]
    pub a: String,

    /// The second database, of the same engine.
    #[arg(value_name = "URL_B")]
    pub b: String,

    /// Only this table group.
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,

    /// Print one JSON document on stdout instead of text.
    #[arg(long)]
    pub json: bool,
}

/// What `verify` found, for the command and for `doctor`.
#[derive(Debug, Serialize)]
pub struct Verification {
    pub database: String,
    pub server: String,
    /// `committed catalog schema/catalog/postgres.json` or `scratch database …`.
    pub reference: String,
    /// Applied migrations / all migrations of this build.
    pub applied: usize,
    pub migrations: usize,
    /// Migrations whose state needs an operator; their objects may show as drift.
    pub notes: Vec<String>,
    /// What the live database holds (`55 tables, 512 columns, …`).
    pub summary: String,
    pub drift: Vec<Drift>,
}

pub async fn verify(args: VerifyArgs) -> Result<(), CliError> {
    let session = open_session(args.db.database_url.as_deref(), args.db.connect_timeout).await?;
    if !args.json {
        say(&session.header);
    }
    let result = check(&session, args.reference, args.db.connect_timeout).await;
    session.db.close_by_ref().await.ok();
    let mut found = result?;
    if let Some(group) = &args.group {
        keep_group(&mut found.drift, group)?;
    }
    if args.json {
        say(&to_json(&found));
    } else {
        say(&format!(
            "Reference: {}, at {} of {} migrations",
            found.reference, found.applied, found.migrations
        ));
        for note in &found.notes {
            say(&format!("Note: {note}"));
        }
        say(&render(&found.drift, Wording::Verify));
    }
    if found.drift.is_empty() {
        if !args.json {
            say(&format!("No drift: {}.", found.summary));
        }
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "the schema of {} differs from what learndb's migrations create: {}",
            session.target,
            count(&found.drift)
        )))
    }
}

pub async fn diff(args: DiffArgs) -> Result<(), CliError> {
    let environment = Environment::from_env();
    let a = Target::parse(&args.a, Source::Flag)?;
    let b = Target::parse(&args.b, Source::Flag)?;
    let a = open_target(a, &environment, args.db.connect_timeout).await?;
    let b = open_target(b, &environment, args.db.connect_timeout).await?;
    if a.server.flavor != b.server.flavor {
        return Err(CliError::Refused(format!(
            "cannot compare {} ({}) with {} ({}): diff compares two databases of the same engine; use learndb verify on each",
            a.target, a.server, b.target, b.server
        )));
    }
    let (objects_a, objects_b) = (read_objects(&a).await?, read_objects(&b).await?);
    let groups = groups_of(&a).await?;
    let mut drift = compare(&objects_a, &objects_b, &groups);
    if let Some(group) = &args.group {
        keep_group(&mut drift, group)?;
    }
    a.db.close_by_ref().await.ok();
    b.db.close_by_ref().await.ok();
    if args.json {
        #[derive(Serialize)]
        struct Doc<'a> {
            a: String,
            b: String,
            server: String,
            drift: &'a [Drift],
        }
        say(&serde_json::to_string_pretty(&Doc {
            a: a.target.to_string(),
            b: b.target.to_string(),
            server: a.server.to_string(),
            drift: &drift,
        })
        .unwrap_or_default());
    } else {
        say(&format!(
            "A: {}\nB: {}\nServer: {}",
            a.target, b.target, a.server
        ));
        say(&render(&drift, Wording::Diff));
    }
    if drift.is_empty() {
        if !args.json {
            say(&format!("No difference: {}.", summary(&objects_a)));
        }
        Ok(())
    } else {
        Err(CliError::Failed(format!(
            "the schemas of A and B differ: {}",
            count(&drift)
        )))
    }
}

/// The catalog of `db`, or one line naming `target` (password hidden).
async fn read_catalog(db: &DatabaseConnection, target: &Target) -> Result<Catalog, CliError> {
    Catalog::read(db).await.map_err(|e| {
        CliError::Failed(format!(
            "cannot read the catalog of {target}: {}",
            target.scrub(&error_line(&e))
        ))
    })
}

/// Which group owns each object on `session`'s backend.
async fn groups_of(session: &Session) -> Result<Groups, CliError> {
    Groups::of(session.db.get_database_backend())
        .await
        .map_err(|e| CliError::Failed(format!("cannot read the migrations: {e}")))
}

async fn read_objects(session: &Session) -> Result<Objects, CliError> {
    read_catalog(&session.db, &session.target)
        .await
        .map(|c| flatten(&c))
}

/// Compares `session`'s database with its reference. Reads only, except that a scratch
/// reference creates and drops a database.
pub async fn check(
    session: &Session,
    reference: Reference,
    connect_timeout: u64,
) -> Result<Verification, CliError> {
    let status = session.runner().status().await?;
    let catalog = read_catalog(&session.db, &session.target).await?;
    check_read(session, &status, &catalog, reference, connect_timeout).await
}

/// [`check`] for a migration state and a catalog already read (`doctor` reads both for its
/// other lines).
pub async fn check_read(
    session: &Session,
    status: &StatusReport,
    catalog: &Catalog,
    reference: Reference,
    connect_timeout: u64,
) -> Result<Verification, CliError> {
    let (applied, notes) = applied_set(status);
    let all = Migrator::migrations().len();
    let actual = flatten(catalog);
    let flavor = session.server.flavor;
    let use_snapshot = match reference {
        Reference::Snapshot => true,
        Reference::Scratch => false,
        Reference::Auto => Snapshot::file_name(flavor).is_some(),
    };
    let (expected, reference) = if use_snapshot {
        let Some(snapshot) = Snapshot::committed(flavor) else {
            return Err(CliError::Refused(format!(
                "learndb ships no catalog for {}; compare with a scratch database migrated on the same server instead: learndb verify --reference scratch (needs CREATE DATABASE)",
                session.server
            )));
        };
        let snapshot = snapshot.map_err(CliError::Failed)?;
        if let Some(unknown) = applied.iter().find(|m| !snapshot.migrations.contains(m)) {
            return Err(CliError::Failed(format!(
                "the committed catalog does not cover migration {unknown}; this build's schema/catalog files are stale (cargo test --test verify says how to refresh them)"
            )));
        }
        let file = Snapshot::file_name(flavor).unwrap_or_default();
        (
            snapshot.at(&applied),
            format!(
                "learndb's catalog for {} (schema/catalog/{file})",
                session.server.flavor.name()
            ),
        )
    } else {
        let expected = scratch(session, &applied, connect_timeout).await?;
        (
            expected,
            format!(
                "a scratch database migrated on this {} server",
                session.server.flavor.name()
            ),
        )
    };
    let groups = groups_of(session).await?;
    Ok(Verification {
        database: session.target.to_string(),
        server: session.server.to_string(),
        reference,
        applied: applied.len(),
        migrations: all,
        notes,
        summary: summary(&actual),
        drift: compare(&expected, &actual, &groups),
    })
}

/// The migrations whose objects the database should hold: applied ones (also with a changed
/// checksum); unfinished ones are not, and are named in a note.
fn applied_set(status: &StatusReport) -> (BTreeSet<String>, Vec<String>) {
    let mut applied = BTreeSet::new();
    let mut notes = Vec::new();
    for row in &status.migrations {
        match &row.state {
            MigrationState::Applied
            | MigrationState::ChecksumChanged
            | MigrationState::Incomplete => {
                applied.insert(row.version.clone());
            }
            MigrationState::Pending | MigrationState::OutOfOrder => {}
            MigrationState::MissingFile => notes.push(format!(
                "{} is applied but unknown to this build: its objects show as extra",
                row.version
            )),
            MigrationState::Unfinished(state) => notes.push(format!(
                "{} is {}: whatever it created shows as extra (learndb migrate status says more)",
                row.version,
                state.as_str()
            )),
        }
        if row.state == MigrationState::ChecksumChanged {
            notes.push(format!(
                "{} was edited after it was applied: compared with the migration as applied",
                row.version
            ));
        }
    }
    (applied, notes)
}

/// Migrates a database created for the purpose on the same server to the migrations of
/// `applied`, reads its catalog and drops it.
async fn scratch(
    session: &Session,
    applied: &BTreeSet<String>,
    connect_timeout: u64,
) -> Result<Objects, CliError> {
    let names: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let prefix = names.iter().take_while(|n| applied.contains(*n)).count();
    if prefix != applied.len() {
        return Err(CliError::Refused(
            "the applied migrations are not a prefix of the migration list (applied out of order), which a scratch database cannot reproduce; use --reference snapshot".into(),
        ));
    }
    let nonce = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let name = format!("learndb_verify_{}_{nonce}", std::process::id());
    let backend = session.db.get_database_backend();
    let sqlite_path = std::env::temp_dir().join(format!("{name}.sqlite"));
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        CliError::Failed(format!(
            "verify --reference scratch: {what} on {}: {}; this needs CREATE DATABASE (use --reference snapshot where learndb ships a catalog)",
            session.target,
            session.target.scrub(&one_line(&e.to_string()))
        ))
    };
    let url = match backend {
        DbBackend::Sqlite => format!("sqlite://{}?mode=rwc", sqlite_path.display()),
        _ => {
            let create = match backend {
                DbBackend::Postgres => format!("CREATE DATABASE \"{name}\""),
                _ => format!("CREATE DATABASE `{name}`"),
            };
            session
                .db
                .execute_raw(Statement::from_string(backend, create))
                .await
                .map_err(|e| failed("creating a scratch database", &e))?;
            with_database(session.target.url(), &name)
                .map_err(|e| failed("naming the scratch database", &e))?
        }
    };
    let result = async {
        let target = Target::parse(&url, Source::Flag)?;
        let scratch = target
            .connect(std::time::Duration::from_secs(connect_timeout.max(1)))
            .await?;
        let migrated = async {
            if let Some(last) = prefix.checked_sub(1).and_then(|i| names.get(i)) {
                Runner::<Migrator>::for_target(&scratch, &target)
                    .up_with(&Selection::To(last.clone()), &mut |_| {})
                    .await?;
            }
            read_catalog(&scratch, &target).await.map(|c| flatten(&c))
        }
        .await;
        scratch.close().await.ok();
        migrated
    }
    .await;
    match backend {
        DbBackend::Sqlite => {
            std::fs::remove_file(&sqlite_path).ok();
            for suffix in ["-wal", "-shm", ".lock"] {
                let mut other = sqlite_path.clone().into_os_string();
                other.push(suffix);
                std::fs::remove_file(other).ok();
            }
        }
        _ => {
            let drop = match backend {
                DbBackend::Postgres => format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                _ => format!("DROP DATABASE IF EXISTS `{name}`"),
            };
            session
                .db
                .execute_raw(Statement::from_string(backend, drop))
                .await
                .map_err(|e| failed("dropping the scratch database", &e))?;
        }
    }
    result
}

/// `url` with its database name (the URL path) replaced by `name`; credentials, host, port and
/// query string kept.
pub fn with_database(url: &str, name: &str) -> Result<String, url::ParseError> {
    let mut parsed = url::Url::parse(url)?;
    parsed.set_path(&format!("/{name}"));
    Ok(parsed.to_string())
}

/// Keeps the drift of `group`, which must be a known group.
fn keep_group(drift: &mut Vec<Drift>, group: &str) -> Result<(), CliError> {
    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| migration::runner::group_of(m.name()))
        .collect();
    if !known.iter().any(|g| g == group) && group != "other" {
        return Err(CliError::Refused(format!(
            "unknown group '{group}'; known: {}",
            known.join(", ")
        )));
    }
    drift.retain(|d| d.group == group);
    Ok(())
}

#[derive(Clone, Copy)]
enum Wording {
    Verify,
    Diff,
}

/// The drift, one block per group: `users: 2 differences` then one indented line each.
fn render(drift: &[Drift], wording: Wording) -> String {
    let mut out = String::new();
    let mut current: Option<&str> = None;
    for (i, d) in drift.iter().enumerate() {
        if current != Some(d.group.as_str()) {
            let n = drift[i..].iter().take_while(|x| x.group == d.group).count();
            out.push_str(&format!("{}: {}\n", d.group, plural(n, "difference")));
            current = Some(&d.group);
        }
        let line = match wording {
            Wording::Verify => d.to_string(),
            Wording::Diff => {
                let value = |v: &Option<String>| match v.as_deref() {
                    None | Some("") => String::new(),
                    Some(v) => format!(" {v}"),
                };
                match d.change {
                    Change::Missing => {
                        format!("only in A: {} {}{}", d.kind, d.name, value(&d.expected))
                    }
                    Change::Extra => {
                        format!("only in B: {} {}{}", d.kind, d.name, value(&d.actual))
                    }
                    Change::Different => format!(
                        "different {} {}: A has {}, B has {}",
                        d.kind,
                        d.name,
                        d.expected.as_deref().unwrap_or_default(),
                        d.actual.as_deref().unwrap_or_default()
                    ),
                }
            }
        };
        out.push_str(&format!("  {line}\n"));
    }
    out.trim_end().to_owned()
}

/// `3 differences in 2 groups (users: 2, views: 1)`.
pub fn count(drift: &[Drift]) -> String {
    let mut groups: Vec<(String, usize)> = Vec::new();
    for d in drift {
        match groups.last_mut() {
            Some((g, n)) if *g == d.group => *n += 1,
            _ => groups.push((d.group.clone(), 1)),
        }
    }
    let per: Vec<String> = groups.iter().map(|(g, n)| format!("{g}: {n}")).collect();
    format!(
        "{} in {} ({})",
        plural(drift.len(), "difference"),
        plural(groups.len(), "group"),
        per.join(", ")
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn to_json(found: &Verification) -> String {
    serde_json::to_string_pretty(found).unwrap_or_default()
}

fn say(text: &str) {
    if !text.is_empty() {
        let _ = writeln!(std::io::stdout(), "{text}");
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_name() {
        let w = |url: &str| with_database(url, "x").unwrap();
        assert_eq!(
            w("postgres://u:p@h:5432/app?sslmode=disable"),
            "postgres://u:p@h:5432/x?sslmode=disable"
        );
        assert_eq!(w("mysql://root@h:3306"), "mysql://root@h:3306/x");
        assert_eq!(w("mysql://root@h:3306/db"), "mysql://root@h:3306/x");
        // A password with a slash or a question mark, percent-encoded, stays as it was.
        assert_eq!(w("mysql://u:a%2Fb%3F@h/db"), "mysql://u:a%2Fb%3F@h/x");
    }
}
