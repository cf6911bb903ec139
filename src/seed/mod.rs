//! `learndb seed --demo`: deterministic, realistic demo data in every table group.
//!
//! The command refuses a database that is not fully migrated or already holds users besides
//! the anonymous one, then writes every table in foreign-key order inside one transaction, so
//! a failure leaves the database as it was. The library API ([`seed_demo`], [`plan`]) is what
//! the tests and benchmarks use without the command line.
//!
//! How it stays deterministic and flat in memory:
//! - every row is a pure function of (seed, table, row index) (`det.rs`): a child computes its
//!   parents' ids with `Ctx::id_of` instead of holding parent rows, so each table is streamed
//!   from an iterator into [`entity::bulk::insert_all`], one batch in memory at a time;
//! - ids are UUIDv7 values built from the row's own creation time and seeded bits, and every
//!   timestamp (`created_at`/`updated_at` included) is set from the as-of date (`--as-of`,
//!   today in UTC by default) rather than the clock: the data covers the two years before it
//!   and nothing is dated later. The same scale, seed and as-of date therefore give the same
//!   rows, ids included; on PostgreSQL the as-of year's `attempts_<year>` partition and
//!   `attempts_default` (the years before) both fill.
//!
//! The reference rows of migration 19 are used, not written: templates sit on the seeded page
//! sizes, and the counts of [`plan`] exclude them.

mod community;
mod det;
mod learning;
mod people;
mod plan;
mod practice;
mod writing;

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use clap::Args;
use entity::page_size_presets;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use migration::cli::{CliError, DatabaseOptions, open_session};
use migration::connect::error_line;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, TransactionSession, TransactionTrait,
};

pub use det::Ctx;
pub use plan::{Counts, plan};

/// Write deterministic demo data into every table group of a freshly migrated database.
#[derive(Debug, Args)]
pub struct SeedArgs {
    #[command(flatten)]
    pub db: DatabaseOptions,

    /// Write the demo data set (required: it is the only data set `seed` knows).
    #[arg(long)]
    pub demo: bool,

    /// Size of the data set: about 10,000 rows per unit (1 to 1000).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub scale: u32,

    /// Random seed: the same scale, seed and as-of date give the same rows, ids included.
    #[arg(long, value_name = "S", default_value_t = 42)]
    pub seed: u64,

    /// The day the data ends (YYYY-MM-DD, from 1972-01-01 to 9998-12-31; default: today in UTC).
    /// The rows cover the two years before it, so none is dated later.
    #[arg(long, value_name = "DATE", value_parser = parse_as_of)]
    pub as_of: Option<chrono::NaiveDate>,
}

/// The first and last `--as-of` days: the data reaches two years back, and PostgreSQL gets the
/// `attempts` partition of the year after, so every timestamp stays within what all three
/// backends store (MySQL `DATETIME` ends with 9999, PostgreSQL partitions need year + 1).
const AS_OF_RANGE: (chrono::NaiveDate, chrono::NaiveDate) = (
    match chrono::NaiveDate::from_ymd_opt(1972, 1, 1) {
        Some(day) => day,
        None => panic!("a valid date"),
    },
    match chrono::NaiveDate::from_ymd_opt(9998, 12, 31) {
        Some(day) => day,
        None => panic!("a valid date"),
    },
);

/// `--as-of`: a calendar day written `YYYY-MM-DD` with a four-digit year (`26-01-01` is no
/// shorthand for 2026; chrono would read it as the year 26), within [`AS_OF_RANGE`].
fn parse_as_of(text: &str) -> Result<chrono::NaiveDate, String> {
    let shape = text.len() == 10
        && text.char_indices().all(|(i, c)| match i {
            4 | 7 => c == '-',
            _ => c.is_ascii_digit(),
        });
    let day = shape
        .then(|| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
        .ok_or_else(|| format!("'{text}' is not a date written YYYY-MM-DD"))?;
    let (first, last) = AS_OF_RANGE;
    if day < first || day > last {
        return Err(format!(
            "{day} is outside {first} to {last}, the days whose two years of data every backend stores"
        ));
    }
    Ok(day)
}

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedOptions {
    pub scale: u32,
    pub seed: u64,
    /// The day the data ends (see [`SeedArgs::as_of`]).
    pub as_of: chrono::NaiveDate,
}

impl Default for SeedOptions {
    fn default() -> Self {
        SeedOptions {
            scale: 1,
            seed: 42,
            as_of: chrono::Utc::now().date_naive(),
        }
    }
}

/// What was written.
#[derive(Clone, Debug, Default)]
pub struct SeedReport {
    /// Rows inserted per table, in insertion order.
    pub tables: Vec<(&'static str, u64)>,
    pub elapsed: Duration,
}

impl SeedReport {
    pub fn total(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }

    pub fn counts(&self) -> BTreeMap<&'static str, u64> {
        self.tables.iter().copied().collect()
    }
}

/// Why seeding did not happen. Nothing was written in any case.
#[derive(Debug)]
pub enum SeedError {
    /// The schema or its reference rows are missing.
    NotMigrated(String),
    /// The database holds rows beyond migration 19's reference rows: how many, per table.
    AlreadySeeded { tables: Vec<(&'static str, u64)> },
    /// The database refused a statement while `table` was being written.
    Db { table: &'static str, source: DbErr },
}

impl std::fmt::Display for SeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SeedError::NotMigrated(why) => write!(f, "{why}; run `learndb migrate up` first"),
            SeedError::AlreadySeeded { tables } => write!(
                f,
                "the database already holds data ({}); seed a freshly migrated database (learndb migrate fresh)",
                held(tables)
            ),
            SeedError::Db { table, source } => write!(f, "seeding {table} failed: {source}"),
        }
    }
}

impl std::error::Error for SeedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SeedError::Db { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Where seeding reports what it does: a progress bar, log lines, or nothing.
pub trait Progress: Send {
    /// Seeding starts; `rows` will be written in all.
    fn start(&mut self, _rows: u64) {}
    /// `table` starts; `rows` are planned.
    fn table(&mut self, _table: &'static str, _rows: u64) {}
    /// One more row generated.
    fn row(&mut self) {}
    /// `table` is written: `rows` rows.
    fn table_done(&mut self, _table: &'static str, _rows: u64) {}
    /// Everything is written (or seeding failed).
    fn finish(&mut self) {}
}

/// Reports nothing (tests, benchmarks).
pub struct Quiet;

impl Progress for Quiet {}

/// One plain line per table on stderr, for logs: `seeded attempts: 2000 rows`.
pub struct Lines;

impl Progress for Lines {
    fn table_done(&mut self, table: &'static str, rows: u64) {
        // A closed stderr stops the lines, not the seeding.
        let _ = writeln!(std::io::stderr(), "seeded {table}: {rows} rows");
    }
}

/// An overall progress bar on stderr, naming the table being written.
pub struct Bar(ProgressBar);

impl Bar {
    pub fn new() -> Bar {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {human_pos}/{human_len} rows, {msg}",
        ) {
            bar.set_style(style);
        }
        Bar(bar)
    }
}

impl Default for Bar {
    fn default() -> Self {
        Bar::new()
    }
}

impl Progress for Bar {
    fn start(&mut self, rows: u64) {
        self.0.set_length(rows);
    }

    fn table(&mut self, table: &'static str, _rows: u64) {
        self.0.set_message(table);
    }

    fn row(&mut self) {
        self.0.inc(1);
    }

    fn finish(&mut self) {
        self.0.finish_and_clear();
    }
}

/// `learndb seed`: the command line around [`seed_demo`].
pub async fn run(args: SeedArgs) -> Result<(), CliError> {
    if !args.demo {
        return Err(CliError::Refused(
            "`learndb seed` needs --demo: it writes the demo data set (see `learndb seed --help`)"
                .into(),
        ));
    }
    let session = open_session(args.db.database_url.as_deref(), args.db.connect_timeout).await?;
    // Output never panics: a closed stdout (`learndb seed … | head`) stops the output only.
    let _ = writeln!(std::io::stdout(), "{}", session.header);
    let target = session.target.to_string();

    session
        .refuse_read_only("seed")
        .map_err(CliError::Refused)?;
    let status = session.runner().status().await?;
    if status.applied == 0 || status.pending > 0 || status.problems > 0 {
        return Err(CliError::Refused(format!(
            "{target} is not fully migrated ({} of {} migrations applied{}); run `learndb migrate up` first",
            status.applied,
            status.migrations.len(),
            if status.problems > 0 {
                format!(", {} with problems", status.problems)
            } else {
                String::new()
            }
        )));
    }

    let options = SeedOptions {
        scale: args.scale,
        seed: args.seed,
        as_of: args
            .as_of
            .unwrap_or_else(|| chrono::Utc::now().date_naive()),
    };
    let mut progress: Box<dyn Progress> = if std::io::stderr().is_terminal() {
        Box::new(Bar::new())
    } else {
        Box::new(Lines)
    };
    let report = seed_demo(&session.db, &options, progress.as_mut())
        .await
        .map_err(|err| match err {
            SeedError::Db { table, source } => CliError::Failed(format!(
                "seeding {table} on {target} failed: {}; nothing was written (the transaction was rolled back)",
                session.target.scrub(&error_line(&source))
            )),
            SeedError::NotMigrated(why) => CliError::Refused(format!(
                "{target}: {why}; run `learndb migrate up` first"
            )),
            SeedError::AlreadySeeded { tables } => CliError::Refused(format!(
                "{target} already holds data ({}); seed a freshly migrated database (learndb migrate fresh)",
                held(&tables)
            )),
        })?;
    let _ = writeln!(
        std::io::stdout(),
        "Seeded {} rows into {} tables in {:.1} s (scale {}, seed {}, as of {}).",
        report.total(),
        report.tables.len(),
        report.elapsed.as_secs_f64(),
        options.scale,
        options.seed,
        options.as_of
    );
    Ok(())
}

/// Writes the demo data set into `db`, a migrated database without users of its own, in one
/// transaction: on any error nothing is written. Returns the rows written per table, which
/// equal [`plan`]`(options.scale)`.
pub async fn seed_demo<C>(
    db: &C,
    options: &SeedOptions,
    progress: &mut dyn Progress,
) -> Result<SeedReport, SeedError>
where
    C: ConnectionTrait + TransactionTrait,
{
    let started = Instant::now();
    let ctx = Ctx::new(options.scale, options.seed, options.as_of);
    let txn = db.begin().await.map_err(|source| SeedError::Db {
        table: "(transaction)",
        source,
    })?;
    let planned: u64 = ctx.n.tables().iter().map(|(_, n)| n).sum();
    progress.start(planned);
    let written = write_all(&txn, &ctx, progress).await;
    progress.finish();
    match written {
        Ok(tables) => {
            txn.commit().await.map_err(|source| SeedError::Db {
                table: "(commit)",
                source,
            })?;
            Ok(SeedReport {
                tables,
                elapsed: started.elapsed(),
            })
        }
        Err(err) => {
            // Dropping the transaction would roll back too; this waits for it.
            txn.rollback().await.ok();
            Err(err)
        }
    }
}

/// Migration 19's reference rows (SPEC.md §21: page sizes, templates, strategies, the anonymous
/// user and its preferences) have fixed ids below this one (and the anonymous user the nil id);
/// every row an application writes has a UUIDv7, whose first 48 bits are its time, so it sorts
/// above.
const REFERENCE_IDS_END: uuid::Uuid = uuid::Uuid::from_u128(0x00000000_0000_7000_8000_000000001000);

/// `12 users, 3 plugins`: the tables that hold rows, and how many.
fn held(tables: &[(&'static str, u64)]) -> String {
    tables
        .iter()
        .map(|(table, rows)| format!("{rows} {table}"))
        .collect::<Vec<_>>()
        .join(", ")
}

macro_rules! count_every_table {
    { $($table:ident,)* } => {
        /// Every table's row count, over the entity crate's list of tables.
        async fn rows_per_table<C: ConnectionTrait>(
            db: &C,
        ) -> Result<Vec<(&'static str, u64)>, DbErr> {
            Ok(vec![$(
                (stringify!($table), entity::$table::Entity::find().count(db).await?),
            )*])
        }
    };
}
entity::for_each_entity!(count_every_table);

/// The tables that hold rows besides migration 19's reference rows, with how many: a database
/// with any data of its own is not seeded into (its plugins or knowledge points would mix with
/// the demo's).
async fn rows_beyond_reference<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<(&'static str, u64)>, DbErr> {
    macro_rules! reference {
        ($table:ident) => {
            (
                stringify!($table),
                entity::$table::Entity::find()
                    .filter(entity::$table::Column::Id.lt(REFERENCE_IDS_END))
                    .count(db)
                    .await?,
            )
        };
    }
    let reference = [
        reference!(users),
        reference!(user_preferences),
        reference!(page_size_presets),
        reference!(template_presets),
        reference!(practice_strategies),
    ];
    Ok(rows_per_table(db)
        .await?
        .into_iter()
        .map(|(table, rows)| {
            let of_reference = reference
                .iter()
                .find(|(t, _)| *t == table)
                .map_or(0, |(_, n)| *n);
            (table, rows - of_reference)
        })
        .filter(|(_, rows)| *rows > 0)
        .collect())
}

/// Checks that the database is ready, then writes every table in foreign-key order.
async fn write_all<C: ConnectionTrait>(
    db: &C,
    ctx: &Ctx,
    progress: &mut dyn Progress,
) -> Result<Vec<(&'static str, u64)>, SeedError> {
    let db_err = |table| move |source| SeedError::Db { table, source };
    let found = page_size_presets::Entity::find()
        .filter(page_size_presets::Column::Id.is_in(writing::PAGE_SIZES))
        .count(db)
        .await
        .map_err(|e| SeedError::NotMigrated(format!("the learndb schema is missing ({e})")))?;
    if found < writing::PAGE_SIZES.len() as u64 {
        return Err(SeedError::NotMigrated(
            "the reference page sizes of migration 19 are missing".into(),
        ));
    }
    let held = rows_beyond_reference(db).await.map_err(db_err("users"))?;
    if !held.is_empty() {
        return Err(SeedError::AlreadySeeded { tables: held });
    }

    let plan = ctx.n.tables();
    let planned = |table: &str| {
        plan.iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    };
    let mut done = Vec::with_capacity(plan.len());
    macro_rules! seed {
        ($($table:ident => $rows:expr,)*) => {$(
            let table = stringify!($table);
            done.push((table, insert(db, table, planned(table), $rows, progress).await?));
        )*};
    }
    seed! {
        users => people::users(ctx),
        user_profiles => people::user_profiles(ctx),
        user_preferences => people::user_preferences(ctx),
        user_sessions => people::user_sessions(ctx),
        stories => people::stories(ctx),
        story_tags => people::story_tags(ctx),
        story_versions => people::story_versions(ctx),
        story_ratings => people::story_ratings(ctx),
        content_approvals => people::content_approvals(ctx),
        courses => learning::courses(ctx),
        course_modules => learning::course_modules(ctx),
        lessons => learning::lessons(ctx),
        payments => learning::payments(ctx),
        subscriptions => learning::subscriptions(ctx),
        enrollments => learning::enrollments(ctx),
        lesson_progress => learning::lesson_progress(ctx),
        certificates => learning::certificates(ctx),
        refunds => learning::refunds(ctx),
        knowledge_points => practice::knowledge_points(ctx),
        knowledge_points_metadata => practice::knowledge_points_metadata(ctx),
        quizzes => learning::quizzes(ctx),
        questions => learning::questions(ctx),
        quiz_submissions => learning::quiz_submissions(ctx),
        assignments => learning::assignments(ctx),
        assignment_submissions => learning::assignment_submissions(ctx),
        practice_sessions => practice::practice_sessions(ctx),
        sentence_attempts => practice::sentence_attempts(ctx),
        user_progress => practice::user_progress(ctx),
        practice_answers => practice::practice_answers(ctx),
        question_reports => practice::question_reports(ctx),
        system_config => practice::system_config(ctx),
        student_weaknesses => practice::student_weaknesses(ctx),
        student_mistakes => practice::student_mistakes(ctx),
        attachments => practice::attachments(ctx),
        items => practice::items(ctx),
        attempts => practice::attempts(ctx),
        learning_groups => community::learning_groups(ctx),
        group_memberships => community::group_memberships(ctx),
        collaborative_sessions => community::collaborative_sessions(ctx),
        group_analytics => community::group_analytics(ctx),
        plugins => community::plugins(ctx),
        plugin_data => community::plugin_data(ctx),
        messages => community::messages(ctx),
        discussion_threads => community::discussion_threads(ctx),
        discussion_posts => community::discussion_posts(ctx),
        announcements => community::announcements(ctx),
        notifications => community::notifications(ctx),
        course_analytics => community::course_analytics(ctx),
        student_analytics => community::student_analytics(ctx),
        analytics_events => community::analytics_events(ctx),
        template_presets => writing::template_presets(ctx),
        character_override_collections => writing::character_override_collections(ctx),
        character_overrides => writing::character_overrides(ctx),
        user_activities => writing::user_activities(ctx),
        usage_statistics => writing::usage_statistics(ctx),
    }
    Ok(done)
}

/// Streams `rows` into `table` in batches, reporting each row.
async fn insert<A, C, I>(
    db: &C,
    table: &'static str,
    planned: u64,
    rows: I,
    progress: &mut dyn Progress,
) -> Result<u64, SeedError>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
    I: IntoIterator<Item = A>,
{
    progress.table(table, planned);
    let written = entity::bulk::insert_all(db, rows.into_iter().inspect(|_| progress.row()))
        .await
        .map_err(|source| SeedError::Db { table, source })?;
    progress.table_done(table, written);
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_of_takes_four_digit_days_that_every_backend_stores() {
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_as_of("2026-12-01").ok(), day(2026, 12, 1));
        assert_eq!(parse_as_of("1972-01-01").ok(), day(1972, 1, 1));
        assert_eq!(parse_as_of("9998-12-31").ok(), day(9998, 12, 31));
        for bad in [
            "26-01-01",
            "0026-01-01",
            "9999-12-31",
            "1971-12-31",
            "+262143-12-31",
            "262143-12-31",
            "2026-02-30",
            "2026-1-01",
            "",
        ] {
            assert!(parse_as_of(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn scale_one_is_about_ten_thousand_rows_and_scales_linearly() {
        let one: u64 = plan(1).values().sum();
        assert!((9_000..=11_000).contains(&one), "{one}");
        // Linear up to the rounding of "every fourth enrollment..." fan-outs.
        let hundred: u64 = plan(100).values().sum();
        assert!(hundred.abs_diff(100 * one) < one, "{hundred} vs {one}");
    }

    #[test]
    fn fanouts_vary_between_learners_and_keep_the_planned_totals() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        for scale in [1, 4] {
            let ctx = Ctx::new(scale, 42, day);
            for fanout in [plan::ENROLLMENTS, plan::WEAKNESSES, plan::MISTAKES] {
                let mut row = 0;
                let mut seen = std::collections::BTreeSet::new();
                for k in 0..ctx.n.learners {
                    let n = fanout.count(&ctx, k);
                    seen.insert(n);
                    assert_eq!(fanout.first(&ctx, k), row, "{} of learner {k}", fanout.key);
                    for j in 0..n {
                        assert_eq!(fanout.locate(&ctx, row + j), (k, j), "{}", fanout.key);
                    }
                    row += n;
                }
                assert_eq!(row, ctx.n.learners * fanout.mean, "{}", fanout.key);
                assert_eq!(seen.len(), 5, "{}: learners differ", fanout.key);
            }
        }
    }

    #[test]
    fn ids_are_uuid_v7_and_pure() {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let ctx = Ctx::new(1, 42, day);
        let id = ctx.id_of("users", 3);
        assert_eq!(id.get_version_num(), 7);
        assert_eq!(id, Ctx::new(1, 42, day).id_of("users", 3));
        assert_ne!(id, Ctx::new(1, 43, day).id_of("users", 3));
        assert!(ctx.id_of("users", 2) < id, "ids sort like row indexes");
    }
}
