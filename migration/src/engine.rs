//! Which server a connection really reaches, and what learndb does there.
//!
//! A `postgres://` URL may lead to PostgreSQL, CockroachDB or YugabyteDB, and a `mysql://` URL to
//! MySQL, MariaDB or TiDB. They speak the same protocol but differ exactly where learndb's safety
//! rests: CockroachDB's `pg_try_advisory_lock` always returns true and its DDL in a transaction
//! is not atomic; YugabyteDB runs each DDL statement in its own transaction; TiDB discards CHECK
//! constraints unless a global switch is on. So the server is identified from its own version
//! report (`SELECT version()`, `VERSION()`), never from the URL scheme, and every backend-specific
//! decision is taken from the result by one pure function, [`decide`], which tests can call with
//! any engine's facts.
//!
//! [`inspect`] is the library entry point (the runner calls it before it locks; a `doctor`
//! command can call it too). On PostgreSQL-protocol servers it uses the simple query protocol
//! only, so it works through a transaction pooler that cannot keep prepared statements.

use std::fmt;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use sea_orm_migration::sea_orm;

/// The engine behind a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavor {
    Postgres,
    Cockroach,
    Yugabyte,
    MySql,
    MariaDb,
    Tidb,
    Sqlite,
}

impl Flavor {
    pub fn name(self) -> &'static str {
        match self {
            Flavor::Postgres => "PostgreSQL",
            Flavor::Cockroach => "CockroachDB",
            Flavor::Yugabyte => "YugabyteDB",
            Flavor::MySql => "MySQL",
            Flavor::MariaDb => "MariaDB",
            Flavor::Tidb => "TiDB",
            Flavor::Sqlite => "SQLite",
        }
    }
}

/// What the server says it is.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Server {
    pub flavor: Flavor,
    /// The engine's own version: `25.2.1` for CockroachDB, `2.25.1.0` for YugabyteDB, `8.5.1` for
    /// TiDB (not the MySQL version it imitates), `10.11.6` for MariaDB. Empty when unparsable.
    pub version: String,
    /// The version string as the server reported it.
    pub reported: String,
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.version.is_empty() {
            write!(f, "{}", self.flavor.name())
        } else {
            write!(f, "{} {}", self.flavor.name(), self.version)
        }
    }
}

impl Server {
    /// The version as numbers (`8.5.1` → `[8, 5, 1]`), for comparisons.
    pub fn version_numbers(&self) -> Vec<u32> {
        self.version
            .split('.')
            .map_while(|part| part.parse().ok())
            .collect()
    }

    fn at_least(&self, minimum: &[u32]) -> bool {
        self.version_numbers().as_slice() >= minimum
    }
}

/// The leading `1.2.3` of `text`.
fn numeric_prefix(text: &str) -> String {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    text[..end].trim_end_matches('.').to_owned()
}

/// Tells the engine from the version string the server reports (`SELECT version()` on the
/// PostgreSQL protocol, `SELECT VERSION()` on the MySQL protocol, `sqlite_version()`).
pub fn identify(backend: DbBackend, reported: &str) -> Server {
    let reported = reported.trim().to_owned();
    let after = |marker: &str| {
        reported
            .find(marker)
            .map(|at| numeric_prefix(&reported[at + marker.len()..]))
    };
    let (flavor, version) = match backend {
        DbBackend::Postgres => {
            if let Some(at) = reported.find("CockroachDB") {
                // `CockroachDB CCL v25.2.1 (x86_64-pc-linux-gnu, …)`
                let rest = &reported[at..];
                let version = rest
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix('v').map(numeric_prefix))
                    .unwrap_or_default();
                (Flavor::Cockroach, version)
            } else if let Some(version) = after("-YB-") {
                // `PostgreSQL 15.2-YB-2.25.1.0-b0 on x86_64-pc-linux-gnu, …`
                (Flavor::Yugabyte, version)
            } else {
                // `PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu, …`
                let version = after("PostgreSQL ").unwrap_or_default();
                (Flavor::Postgres, version)
            }
        }
        DbBackend::MySql => {
            if let Some(version) = after("-TiDB-v") {
                // `8.0.11-TiDB-v8.5.1`
                (Flavor::Tidb, version)
            } else if reported.to_ascii_lowercase().contains("mariadb") {
                // `10.11.6-MariaDB-0+deb12u1`; old clients may be shown `5.5.5-10.11.6-MariaDB`.
                let text = reported.strip_prefix("5.5.5-").unwrap_or(&reported);
                (Flavor::MariaDb, numeric_prefix(text))
            } else {
                // `8.0.36`, `8.0.36-0ubuntu0.22.04.1`
                (Flavor::MySql, numeric_prefix(&reported))
            }
        }
        _ => (Flavor::Sqlite, numeric_prefix(&reported)),
    };
    Server {
        flavor,
        version,
        reported,
    }
}

/// Server settings that decide whether learndb's promises hold (read only where they matter).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Facts {
    /// TiDB `@@global.tidb_enable_check_constraint`; `None` when it could not be read.
    pub tidb_check_constraints: Option<bool>,
    /// TiDB's new collation framework (`mysql.tidb` `new_collation_enabled`).
    pub tidb_new_collation: Option<bool>,
    /// TiDB `performance.max-txn-ttl` in milliseconds, the longest a `GET_LOCK` lasts.
    pub tidb_max_txn_ttl_ms: Option<u64>,
    /// Why the server takes no writes, when it takes none ([`ReadOnly`]).
    pub read_only: Option<ReadOnly>,
}

/// Why a server accepts reads only: every changing command refuses there before it starts
/// ([`writable`]), while `status`, `verify`, `diff`, `docs` and `doctor` work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadOnly {
    /// PostgreSQL `pg_is_in_recovery()`: a hot standby replaying its primary's WAL.
    Standby,
    /// PostgreSQL `transaction_read_only` on outside any transaction
    /// (`default_transaction_read_only`, set for the server, the database or the user).
    DefaultReadOnly,
    /// MySQL family `@@GLOBAL.read_only` or `super_read_only`: a replica, as a rule.
    ReadOnlyServer,
}

impl ReadOnly {
    /// The server's role in a few words, for the `Server:` line and `doctor`.
    pub fn describe(self) -> &'static str {
        match self {
            ReadOnly::Standby => "hot standby, read-only (pg_is_in_recovery() is true)",
            ReadOnly::DefaultReadOnly => "read-only session (default_transaction_read_only is on)",
            ReadOnly::ReadOnlyServer => "read-only server (read_only is ON: a replica, as a rule)",
        }
    }
}

/// How learndb migrates on one engine.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Profile {
    /// Each migration with its history rows in one transaction. False where DDL commits on its
    /// own (the MySQL family, YugabyteDB): migrations are journaled statement by statement.
    pub transactional_ddl: bool,
    /// After each migration, check that every CHECK constraint its DDL declared is in the
    /// catalog (the MySQL family: TiDB with the switch off and MySQL before 8.0.16 accept CHECK
    /// and keep nothing).
    pub verify_checks: bool,
    /// Add foreign keys to existing tables in place (`foreign_key_checks = 0` for the statement,
    /// `ALGORITHM=INPLACE`, then a query for rows that break it) instead of MySQL's copying
    /// ALTER: MariaDB killed while a copying ALTER waits for a reader of the table recovers with
    /// the table's other foreign keys gone (tests/server_crash.rs). MySQL and MariaDB.
    pub inplace_foreign_keys: bool,
    /// What an operator should know about this engine, printed once per run.
    pub notes: Vec<String>,
}

/// Why learndb will not migrate this server, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{reason}; {fix}")]
pub struct Refusal {
    pub reason: String,
    pub fix: String,
}

/// The oldest TiDB learndb migrates: foreign keys are GA from 8.5 (enforced from 6.6), JSON
/// expression defaults need 8.1, a real `GET_LOCK` 6.1.
pub const TIDB_MINIMUM: &[u32] = &[8, 5];
pub const TIDB_MINIMUM_TEXT: &str = "8.5";
/// TiDB's default `performance.max-txn-ttl`: one hour.
pub const TIDB_DEFAULT_MAX_TXN_TTL_MS: u64 = 3_600_000;

/// What learndb does on `server`: a profile, or a refusal. Pure, so every engine's decision is
/// unit-tested without its server.
pub fn decide(server: &Server, facts: &Facts) -> Result<Profile, Refusal> {
    let standard = |transactional_ddl: bool, verify_checks: bool| Profile {
        transactional_ddl,
        verify_checks,
        inplace_foreign_keys: false,
        notes: Vec::new(),
    };
    match server.flavor {
        Flavor::Postgres | Flavor::Sqlite => Ok(standard(true, false)),
        Flavor::MySql | Flavor::MariaDb => Ok(Profile {
            inplace_foreign_keys: true,
            ..standard(false, true)
        }),
        Flavor::Cockroach => Err(Refusal {
            reason: format!(
                "{server} is not PostgreSQL where learndb's safety rests on it: pg_try_advisory_lock always succeeds (there is no migration lock), DDL in a transaction is not atomic (each statement commits on its own since 25.1), `integer` columns are 64-bit, and PostgreSQL partitioning (attempts) and DROP TYPE … CASCADE are unsupported"
            ),
            fix: "learndb has no CockroachDB profile, because one needs different SQL than the shipped migrations (see docs/distributed.md); migrate a PostgreSQL server instead".into(),
        }),
        Flavor::Yugabyte => Ok(Profile {
            transactional_ddl: false,
            verify_checks: false,
            inplace_foreign_keys: false,
            notes: vec![format!(
                "{server}: each DDL statement commits on its own, so every migration is journaled statement by statement (as on MySQL) instead of running in one transaction; a failed migration is recorded and `up --recover` takes it back"
            )],
        }),
        Flavor::Tidb => decide_tidb(server, facts),
    }
}

fn decide_tidb(server: &Server, facts: &Facts) -> Result<Profile, Refusal> {
    if !server.at_least(TIDB_MINIMUM) {
        return Err(Refusal {
            reason: format!(
                "{server} is older than TiDB {TIDB_MINIMUM_TEXT}, the oldest learndb migrates (foreign keys are GA from 8.5, JSON expression defaults need 8.1, GET_LOCK is a no-op before 6.1)"
            ),
            fix: format!("upgrade the cluster to TiDB {TIDB_MINIMUM_TEXT} or later"),
        });
    }
    if facts.tidb_check_constraints != Some(true) {
        let state = match facts.tidb_check_constraints {
            Some(_) => "OFF",
            None => "unreadable",
        };
        return Err(Refusal {
            reason: format!(
                "{server} has tidb_enable_check_constraint {state}, so it would accept every CHECK constraint of the schema and keep none (turning it on later does not bring them back)"
            ),
            fix: "run `SET GLOBAL tidb_enable_check_constraint = ON` first".into(),
        });
    }
    if facts.tidb_new_collation != Some(true) {
        return Err(Refusal {
            reason: format!(
                "{server} runs the old collation framework (new_collation_enabled is not True), under which utf8mb4_unicode_ci compares as binary and the unique emails and usernames become case-sensitive"
            ),
            fix: "the framework is fixed when a cluster is first bootstrapped (new_collations_enabled_on_first_bootstrap, the default since 6.0); migrate into a cluster bootstrapped with it".into(),
        });
    }
    let ttl = facts
        .tidb_max_txn_ttl_ms
        .unwrap_or(TIDB_DEFAULT_MAX_TXN_TTL_MS);
    Ok(Profile {
        transactional_ddl: false,
        verify_checks: true,
        inplace_foreign_keys: false,
        notes: vec![format!(
            "{server}: the migration lock (GET_LOCK) is a lease of at most max-txn-ttl ({} s{}); a run longer than that can lose it while another run starts, and a crashed TiDB server releases it only after about 20 s",
            ttl / 1000,
            if facts.tidb_max_txn_ttl_ms.is_some() {
                ""
            } else {
                ", the default"
            }
        )],
    })
}

/// Whether changing commands may run on this server: not on a standby or a read-only server,
/// where the first write would fail after the command started (and a replica must not diverge
/// from its primary). Pure, like [`decide`].
pub fn writable(server: &Server, facts: &Facts) -> Result<(), Refusal> {
    let Some(read_only) = facts.read_only else {
        return Ok(());
    };
    let fix = match read_only {
        ReadOnly::Standby | ReadOnly::ReadOnlyServer => {
            "point DIRECT_DATABASE_URL (or --database-url) at the primary; status, verify, diff, docs and doctor work here"
        }
        ReadOnly::DefaultReadOnly => {
            "connect as a user or to a database without default_transaction_read_only, or point DIRECT_DATABASE_URL at the primary"
        }
    };
    Err(Refusal {
        reason: format!("{server} is a {}", read_only.describe()),
        fix: fix.into(),
    })
}

/// Identifies the server behind `db` and reads the facts [`decide`] needs.
pub async fn inspect(db: &DatabaseConnection) -> Result<(Server, Facts), DbErr> {
    let backend = db.get_database_backend();
    let reported = match backend {
        DbBackend::Postgres => pg_simple_text(db, "SELECT version()").await?,
        DbBackend::MySql => one_text(db, "SELECT CAST(VERSION() AS CHAR) AS v").await?,
        _ => one_text(db, "SELECT sqlite_version() AS v").await?,
    }
    .unwrap_or_default();
    let server = identify(backend, &reported);
    let mut facts = Facts {
        read_only: read_only(db, backend).await,
        ..Facts::default()
    };
    if server.flavor == Flavor::Tidb {
        facts.tidb_check_constraints = one_text(
            db,
            "SELECT CAST(@@GLOBAL.tidb_enable_check_constraint AS CHAR) AS v",
        )
        .await
        .ok()
        .flatten()
        .map(|v| matches!(v.to_ascii_uppercase().as_str(), "1" | "ON" | "TRUE"));
        facts.tidb_new_collation = one_text(
            db,
            "SELECT CAST(VARIABLE_VALUE AS CHAR) AS v FROM mysql.tidb WHERE VARIABLE_NAME = 'new_collation_enabled'",
        )
        .await
        .ok()
        .flatten()
        .map(|v| v.eq_ignore_ascii_case("true"));
        facts.tidb_max_txn_ttl_ms = tidb_max_txn_ttl(db).await;
    }
    Ok((server, facts))
}

/// Whether the server takes writes ([`ReadOnly`]); `None` also when it cannot tell (SQLite,
/// a server without the setting), so the command goes on and the server has the last word.
async fn read_only(db: &DatabaseConnection, backend: DbBackend) -> Option<ReadOnly> {
    let yes = |v: Option<String>| {
        v.is_some_and(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "1" | "on" | "t" | "true"
            )
        })
    };
    match backend {
        DbBackend::Postgres => {
            if yes(
                pg_simple_text(db, "SELECT CAST(pg_is_in_recovery() AS text)")
                    .await
                    .ok()?,
            ) {
                Some(ReadOnly::Standby)
            } else if yes(
                pg_simple_text(db, "SELECT current_setting('transaction_read_only')")
                    .await
                    .ok()?,
            ) {
                Some(ReadOnly::DefaultReadOnly)
            } else {
                None
            }
        }
        DbBackend::MySql => {
            // `super_read_only` is MySQL's alone; MariaDB has `read_only` (which binds users
            // without READ ONLY ADMIN, and a replica is read-only for everyone in practice).
            let global = |name: &str| format!("SELECT CAST(@@GLOBAL.{name} AS CHAR) AS v");
            let read_only = yes(one_text(db, &global("read_only")).await.ok().flatten());
            let super_read_only = yes(one_text(db, &global("super_read_only"))
                .await
                .ok()
                .flatten());
            (read_only || super_read_only).then_some(ReadOnly::ReadOnlyServer)
        }
        _ => None,
    }
}

/// `performance.max-txn-ttl` of the TiDB server we are connected to, from `SHOW CONFIG`.
async fn tidb_max_txn_ttl(db: &DatabaseConnection) -> Option<u64> {
    let rows = db
        .query_all_raw(Statement::from_string(
            DbBackend::MySql,
            "SHOW CONFIG WHERE type = 'tidb' AND name = 'performance.max-txn-ttl'",
        ))
        .await
        .ok()?;
    rows.iter()
        .filter_map(|r| r.try_get::<String>("", "Value").ok())
        .filter_map(|v| v.trim().parse::<u64>().ok())
        .min()
}

async fn one_text(db: &DatabaseConnection, sql: &str) -> Result<Option<String>, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?;
    Ok(row.and_then(|r| r.try_get_by_index::<String>(0).ok()))
}

/// The first column of the first row of `sql`, run with the simple query protocol: no prepared
/// statement is created, so this works through a transaction pooler (PgBouncer before 1.21 mixes
/// up prepared statements of different clients).
#[cfg(feature = "postgres")]
pub(crate) async fn pg_simple_text(
    db: &DatabaseConnection,
    sql: &str,
) -> Result<Option<String>, DbErr> {
    use sea_orm::sqlx::{self, Row};
    let row = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_optional(db.get_postgres_connection_pool())
        .await
        .map_err(|e| DbErr::Query(sea_orm::RuntimeErr::SqlxError(e.into())))?;
    Ok(row.and_then(|r| r.try_get::<String, _>(0).ok()))
}

#[cfg(not(feature = "postgres"))]
pub(crate) async fn pg_simple_text(
    _db: &DatabaseConnection,
    _sql: &str,
) -> Result<Option<String>, DbErr> {
    Err(DbErr::Custom(
        "this build of the migration crate has no `postgres` feature".into(),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// Version strings as each engine reports them.
    const POSTGRES_15: &str = "PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14+deb12u1) 12.2.0, 64-bit";
    const COCKROACH_25: &str = "CockroachDB CCL v25.2.1 (x86_64-pc-linux-gnu, built 2025/06/10 18:17:42, go1.23.7 X:nocoverageredesign)";
    const YUGABYTE_225: &str = "PostgreSQL 15.2-YB-2.25.1.0-b0 on x86_64-pc-linux-gnu, compiled by clang version 17.0.6 (https://github.com/yugabyte/llvm-project.git 9b881774e40024e901fc6f3d313607b071c08631), 64-bit";
    const MYSQL_80: &str = "8.0.36";
    const MYSQL_80_UBUNTU: &str = "8.0.36-0ubuntu0.22.04.1";
    const MARIADB_1011: &str = "10.11.6-MariaDB-0+deb12u1";
    const TIDB_851: &str = "8.0.11-TiDB-v8.5.1";

    fn tidb_ok() -> Facts {
        Facts {
            tidb_check_constraints: Some(true),
            tidb_new_collation: Some(true),
            tidb_max_txn_ttl_ms: None,
            read_only: None,
        }
    }

    #[test]
    fn a_standby_or_read_only_server_refuses_changes_naming_the_primary() {
        let pg = identify(DbBackend::Postgres, POSTGRES_15);
        assert!(writable(&pg, &Facts::default()).is_ok());
        let standby = Facts {
            read_only: Some(ReadOnly::Standby),
            ..Facts::default()
        };
        let text = writable(&pg, &standby).unwrap_err().to_string();
        for needle in [
            "PostgreSQL 15.20 is a hot standby",
            "pg_is_in_recovery",
            "DIRECT_DATABASE_URL",
            "primary",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        // Reads are still decided as on the primary.
        assert!(decide(&pg, &standby).is_ok());
        let session = Facts {
            read_only: Some(ReadOnly::DefaultReadOnly),
            ..Facts::default()
        };
        let text = writable(&pg, &session).unwrap_err().to_string();
        assert!(text.contains("default_transaction_read_only"), "{text}");
        let replica = Facts {
            read_only: Some(ReadOnly::ReadOnlyServer),
            ..Facts::default()
        };
        let maria = identify(DbBackend::MySql, MARIADB_1011);
        let text = writable(&maria, &replica).unwrap_err().to_string();
        assert!(
            text.contains("MariaDB 10.11.6 is a read-only server (read_only is ON")
                && text.contains("DIRECT_DATABASE_URL"),
            "{text}"
        );
        assert!(!text.contains('\n'));
    }

    #[test]
    fn every_engine_is_told_from_its_own_version_string() {
        let cases = [
            (DbBackend::Postgres, POSTGRES_15, Flavor::Postgres, "15.20"),
            (
                DbBackend::Postgres,
                COCKROACH_25,
                Flavor::Cockroach,
                "25.2.1",
            ),
            (
                DbBackend::Postgres,
                YUGABYTE_225,
                Flavor::Yugabyte,
                "2.25.1.0",
            ),
            (DbBackend::MySql, MYSQL_80, Flavor::MySql, "8.0.36"),
            (DbBackend::MySql, MYSQL_80_UBUNTU, Flavor::MySql, "8.0.36"),
            (DbBackend::MySql, MARIADB_1011, Flavor::MariaDb, "10.11.6"),
            (
                DbBackend::MySql,
                "5.5.5-10.11.6-MariaDB",
                Flavor::MariaDb,
                "10.11.6",
            ),
            (DbBackend::MySql, TIDB_851, Flavor::Tidb, "8.5.1"),
            (
                DbBackend::MySql,
                "8.0.11-TiDB-v7.5.0-alpha",
                Flavor::Tidb,
                "7.5.0",
            ),
            (DbBackend::Sqlite, "3.45.1", Flavor::Sqlite, "3.45.1"),
        ];
        for (backend, reported, flavor, version) in cases {
            let server = identify(backend, reported);
            assert_eq!(server.flavor, flavor, "{reported}");
            assert_eq!(server.version, version, "{reported}");
            assert_eq!(server.reported, reported);
        }
        assert_eq!(
            identify(DbBackend::MySql, TIDB_851).version_numbers(),
            [8, 5, 1]
        );
        assert_eq!(
            identify(DbBackend::Postgres, COCKROACH_25).to_string(),
            "CockroachDB 25.2.1"
        );
        // Nothing recognisable: the protocol's own engine, no version.
        assert_eq!(identify(DbBackend::Postgres, "").to_string(), "PostgreSQL");
    }

    #[test]
    fn postgresql_and_sqlite_migrate_in_transactions_and_the_mysql_family_journaled_with_checks_verified()
     {
        let pg = decide(
            &identify(DbBackend::Postgres, POSTGRES_15),
            &Facts::default(),
        )
        .unwrap();
        assert!(pg.transactional_ddl && !pg.verify_checks && pg.notes.is_empty());
        let sqlite = decide(&identify(DbBackend::Sqlite, "3.45.1"), &Facts::default()).unwrap();
        assert!(sqlite.transactional_ddl);
        for reported in [MYSQL_80, MARIADB_1011] {
            let p = decide(&identify(DbBackend::MySql, reported), &Facts::default()).unwrap();
            assert!(
                !p.transactional_ddl && p.verify_checks && p.inplace_foreign_keys,
                "{reported}"
            );
        }
    }

    #[test]
    fn cockroachdb_is_refused_naming_the_missing_lock_and_atomic_ddl() {
        let refusal = decide(
            &identify(DbBackend::Postgres, COCKROACH_25),
            &Facts::default(),
        )
        .unwrap_err();
        let text = refusal.to_string();
        for needle in [
            "CockroachDB 25.2.1",
            "pg_try_advisory_lock always succeeds",
            "not atomic",
            "64-bit",
            "docs/distributed.md",
        ] {
            assert!(text.contains(needle), "{needle}: {text}");
        }
        assert!(!text.contains('\n'));
    }

    #[test]
    fn yugabytedb_is_journaled_because_its_ddl_is_not_transactional() {
        let p = decide(
            &identify(DbBackend::Postgres, YUGABYTE_225),
            &Facts::default(),
        )
        .unwrap();
        assert!(!p.transactional_ddl);
        assert!(p.notes[0].contains("YugabyteDB 2.25.1.0"), "{:?}", p.notes);
    }

    #[test]
    fn tidb_migrates_only_with_checks_enforced_new_collations_and_a_recent_version() {
        let tidb = identify(DbBackend::MySql, TIDB_851);
        let ok = decide(&tidb, &tidb_ok()).unwrap();
        assert!(!ok.transactional_ddl && ok.verify_checks);
        assert!(
            ok.notes[0].contains("lease of at most max-txn-ttl (3600 s, the default)"),
            "{:?}",
            ok.notes
        );
        let short_ttl = Facts {
            tidb_max_txn_ttl_ms: Some(600_000),
            ..tidb_ok()
        };
        assert!(decide(&tidb, &short_ttl).unwrap().notes[0].contains("(600 s)"));

        for switch in [Some(false), None] {
            let facts = Facts {
                tidb_check_constraints: switch,
                ..tidb_ok()
            };
            let text = decide(&tidb, &facts).unwrap_err().to_string();
            assert!(
                text.contains("tidb_enable_check_constraint")
                    && text.contains("SET GLOBAL tidb_enable_check_constraint = ON"),
                "{text}"
            );
        }
        let old_collation = Facts {
            tidb_new_collation: Some(false),
            ..tidb_ok()
        };
        let text = decide(&tidb, &old_collation).unwrap_err().to_string();
        assert!(text.contains("old collation framework"), "{text}");

        let old = identify(DbBackend::MySql, "8.0.11-TiDB-v7.5.0");
        let text = decide(&old, &tidb_ok()).unwrap_err().to_string();
        assert!(
            text.contains("older than TiDB 8.5") && text.contains("upgrade"),
            "{text}"
        );
    }
}
