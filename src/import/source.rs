//! The legacy database, read-only (SPEC-26-27 §27.13): one connection, one read-only snapshot
//! for the whole run, rows streamed table by table as JSON objects keyed by column name.
//!
//! Rows come out of the server already as JSON (`to_jsonb` on PostgreSQL), so one reading path
//! serves every table: uuids, arrays, jsonb and numerics arrive in their JSON spelling, and
//! timestamps in UTC because the snapshot sets the session's zone to UTC.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures_util::StreamExt;
use migration::connect::{Source, Target, error_line};
use migration::sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    IsolationLevel, Statement, StreamTrait, TransactionTrait,
};
use serde_json::{Map, Value};

use super::{ImportError, canon};

pub type SourceRow = Map<String, Value>;

/// The open source: its snapshot and what its catalog holds.
pub struct SourceDb {
    pub target: Target,
    db: DatabaseConnection,
    txn: Option<DatabaseTransaction>,
    pub schema: String,
    /// `PostgreSQL 15.4`.
    pub server: String,
    /// Server identity + database + schema (§27.3).
    pub fingerprint: String,
    /// Whether the identity is weak (no EXECUTE on `pg_control_system()`).
    pub weak_identity: bool,
    /// Every table of the schema with its columns (views excluded).
    pub tables: BTreeMap<String, BTreeSet<String>>,
    pub snapshot_at: chrono::DateTime<chrono::Utc>,
}

impl SourceDb {
    /// Connects to `url`, which must name the engine the system ran on (`backend`), and opens
    /// the snapshot.
    pub async fn open(
        url: &str,
        schema: &str,
        timeout: u64,
        backend: DbBackend,
    ) -> Result<SourceDb, ImportError> {
        let target = Target::parse(url, Source::Flag)
            .map_err(|e| ImportError::BadInput(format!("--from: {e}")))?;
        if target.backend() != backend {
            let want = match backend {
                DbBackend::Postgres => "PostgreSQL; give a postgres:// URL",
                DbBackend::MySql => "MySQL, MariaDB or TiDB; give a mysql:// URL",
                _ => "an SQLite file; give a sqlite:// URL",
            };
            return Err(ImportError::BadInput(format!(
                "--from {target}: this system's database is {want}"
            )));
        }
        if backend == DbBackend::Sqlite {
            return Self::open_sqlite(target, timeout).await;
        }
        if backend == DbBackend::MySql {
            return Self::open_mysql(target, timeout).await;
        }
        let db = target
            .connect(Duration::from_secs(timeout.max(1)))
            .await
            .map_err(|e| ImportError::BadInput(format!("the source: {e}")))?;
        let fail = |what: &str, e: migration::sea_orm::DbErr| {
            ImportError::Failed(format!(
                "reading the source {target}: {what}: {}",
                target.scrub(&error_line(&e))
            ))
        };
        let txn = db
            .begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await
            .map_err(|e| fail("cannot open a read-only snapshot", e))?;
        txn.execute_unprepared("SET LOCAL TIME ZONE 'UTC'")
            .await
            .map_err(|e| fail("cannot set the time zone", e))?;
        let one = |sql: &str| Statement::from_string(DbBackend::Postgres, sql.to_owned());
        let row = txn
            .query_one_raw(one(
                "SELECT current_setting('server_version'), current_database(), now()",
            ))
            .await
            .map_err(|e| fail("server version", e))?
            .ok_or_else(|| ImportError::Failed("the source returned no version".into()))?;
        let version: String = row
            .try_get_by_index(0)
            .map_err(|e| fail("server version", e))?;
        let database: String = row.try_get_by_index(1).map_err(|e| fail("database", e))?;
        let snapshot_at: chrono::DateTime<chrono::Utc> = row
            .try_get_by_index(2)
            .map_err(|e| fail("snapshot time", e))?;
        // The cluster's identity needs EXECUTE on pg_control_system(); without it a savepoint
        // keeps the snapshot usable and the address, port and database oid stand in (weak).
        txn.execute_unprepared("SAVEPOINT identity")
            .await
            .map_err(|e| fail("savepoint", e))?;
        let strong = txn
            .query_one_raw(one(
                "SELECT system_identifier::text FROM pg_control_system()",
            ))
            .await;
        let (identity, weak_identity) = match strong {
            Ok(Some(r)) => (r.try_get_by_index::<String>(0).unwrap_or_default(), false),
            _ => {
                txn.execute_unprepared("ROLLBACK TO SAVEPOINT identity")
                    .await
                    .map_err(|e| fail("savepoint", e))?;
                let r = txn
                    .query_one_raw(one(
                        "SELECT coalesce(host(inet_server_addr()), 'local') || ':' || coalesce(inet_server_port(), 0)::text || '/' || (SELECT oid::text FROM pg_database WHERE datname = current_database())",
                    ))
                    .await
                    .map_err(|e| fail("server identity", e))?;
                (
                    r.and_then(|r| r.try_get_by_index::<String>(0).ok())
                        .unwrap_or_default(),
                    true,
                )
            }
        };
        let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let rows = txn
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT c.table_name::text, c.column_name::text FROM information_schema.columns c \
                 JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE' \
                 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class k ON k.oid = i.inhrelid \
                                 JOIN pg_catalog.pg_namespace n ON n.oid = k.relnamespace WHERE n.nspname = $1 AND k.relname = c.table_name)",
                [schema.into()],
            ))
            .await
            .map_err(|e| fail("catalog", e))?;
        for r in rows {
            let t: String = r.try_get_by_index(0).map_err(|e| fail("catalog", e))?;
            let c: String = r.try_get_by_index(1).map_err(|e| fail("catalog", e))?;
            tables.entry(t).or_default().insert(c);
        }
        if tables.is_empty() {
            return Err(ImportError::Refused(format!(
                "the source {target} has no tables in schema {schema:?}; name the schema with --schema"
            )));
        }
        Ok(SourceDb {
            fingerprint: format!("pg:{identity}/{database}/{schema}"),
            server: format!(
                "PostgreSQL {}",
                version.split_whitespace().next().unwrap_or_default()
            ),
            target,
            db,
            txn: Some(txn),
            schema: schema.to_owned(),
            weak_identity,
            tables,
            snapshot_at,
        })
    }

    /// An SQLite file, opened read-only (`mode=ro`): a missing file is an error, never created.
    async fn open_sqlite(target: Target, timeout: u64) -> Result<SourceDb, ImportError> {
        let Some(path) = target.sqlite_path() else {
            return Err(ImportError::BadInput(format!(
                "--from {target}: give the SQLite file as sqlite://PATH"
            )));
        };
        let meta = std::fs::metadata(&path).map_err(|e| {
            ImportError::BadInput(format!(
                "--from {target}: cannot read {}: {e}",
                path.display()
            ))
        })?;
        const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'/')
            .remove(b'.')
            .remove(b'-')
            .remove(b'_');
        let encoded =
            percent_encoding::utf8_percent_encode(&path.to_string_lossy(), PATH).to_string();
        let read_only = Target::parse(&format!("sqlite://{encoded}?mode=ro"), Source::Flag)
            .map_err(|e| ImportError::BadInput(format!("--from: {e}")))?;
        let db = read_only
            .connect(Duration::from_secs(timeout.max(1)))
            .await
            .map_err(|e| ImportError::BadInput(format!("the source: {e}")))?;
        let fail = |what: &str, e: migration::sea_orm::DbErr| {
            ImportError::Failed(format!(
                "reading the source {target}: {what}: {}",
                error_line(&e)
            ))
        };
        // One read transaction for the whole run (it starts at the first read).
        let txn = db
            .begin()
            .await
            .map_err(|e| fail("cannot open a read transaction", e))?;
        let one = |sql: &str| Statement::from_string(DbBackend::Sqlite, sql.to_owned());
        let version: String = txn
            .query_one_raw(one("SELECT sqlite_version()"))
            .await
            .map_err(|e| fail("version", e))?
            .map(|r| r.try_get_by_index(0))
            .transpose()
            .map_err(|e| fail("version", e))?
            .unwrap_or_default();
        let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let rows = txn
            .query_all_raw(one(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
            ))
            .await
            .map_err(|e| fail("catalog", e))?;
        for r in rows {
            let t: String = r.try_get_by_index(0).map_err(|e| fail("catalog", e))?;
            let c: String = r.try_get_by_index(1).map_err(|e| fail("catalog", e))?;
            tables.entry(t).or_default().insert(c);
        }
        if tables.is_empty() {
            return Err(ImportError::Refused(format!(
                "the source {target} has no tables"
            )));
        }
        let modified = meta
            .modified()
            .ok()
            .map(|t| canon::utc6(chrono::DateTime::<chrono::Utc>::from(t)))
            .unwrap_or_default();
        Ok(SourceDb {
            fingerprint: format!("sqlite:{}:{}:{modified}", path.display(), meta.len()),
            server: format!("SQLite {version}"),
            target,
            db,
            txn: Some(txn),
            schema: String::new(),
            weak_identity: true,
            tables,
            snapshot_at: chrono::Utc::now(),
        })
    }

    /// A MySQL-family database (the URL's), read in one consistent, read-only snapshot.
    async fn open_mysql(target: Target, timeout: u64) -> Result<SourceDb, ImportError> {
        let db = target
            .connect(Duration::from_secs(timeout.max(1)))
            .await
            .map_err(|e| ImportError::BadInput(format!("the source: {e}")))?;
        let fail = |what: &str, e: migration::sea_orm::DbErr| {
            ImportError::Failed(format!(
                "reading the source {target}: {what}: {}",
                target.scrub(&error_line(&e))
            ))
        };
        let one = |sql: &str| Statement::from_string(DbBackend::MySql, sql.to_owned());
        // The snapshot (§27.13): REPEATABLE READ and read-only; InnoDB fixes its read view at the
        // first row read, so every table is read from one snapshot.
        let txn = db
            .begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await
            .map_err(|e| fail("cannot open a read-only snapshot", e))?;
        let row = txn
            .query_one_raw(one(
                "SELECT VERSION(), DATABASE(), CAST(@@hostname AS CHAR), CAST(@@port AS CHAR), CAST(@@datadir AS CHAR), CAST(IFNULL(@@server_uuid, '') AS CHAR)",
            ))
            .await;
        // @@server_uuid is MySQL's; MariaDB has none and fails the query: ask without it.
        let row = match row {
            Ok(r) => r,
            Err(_) => txn
                .query_one_raw(one(
                    "SELECT VERSION(), DATABASE(), CAST(@@hostname AS CHAR), CAST(@@port AS CHAR), CAST(@@datadir AS CHAR), ''",
                ))
                .await
                .map_err(|e| fail("server identity", e))?,
        }
        .ok_or_else(|| ImportError::Failed("the source returned no version".into()))?;
        let text = |i: usize| {
            row.try_get_by_index::<Option<String>>(i)
                .ok()
                .flatten()
                .unwrap_or_default()
        };
        let (version, database) = (text(0), text(1));
        if database.is_empty() {
            return Err(ImportError::BadInput(format!(
                "--from {target}: name the database in the URL"
            )));
        }
        let identity = if text(5).is_empty() {
            format!("{}:{}:{}", text(2), text(3), text(4))
        } else {
            text(5)
        };
        let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let rows = txn
            .query_all_raw(one(
                "SELECT CAST(c.table_name AS CHAR), CAST(c.column_name AS CHAR) FROM information_schema.columns c \
                 JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
                 WHERE c.table_schema = DATABASE() AND t.table_type = 'BASE TABLE'",
            ))
            .await
            .map_err(|e| fail("catalog", e))?;
        for r in rows {
            let t: String = r.try_get_by_index(0).map_err(|e| fail("catalog", e))?;
            let c: String = r.try_get_by_index(1).map_err(|e| fail("catalog", e))?;
            tables.entry(t).or_default().insert(c);
        }
        if tables.is_empty() {
            return Err(ImportError::Refused(format!(
                "the source {target} has no tables"
            )));
        }
        let kind = if version.to_lowercase().contains("mariadb") {
            "MariaDB"
        } else if version.contains("TiDB") {
            "TiDB"
        } else {
            "MySQL"
        };
        Ok(SourceDb {
            fingerprint: format!("mysql:{identity}/{database}"),
            server: format!("{kind} {}", version.split('-').next().unwrap_or_default()),
            target,
            db,
            txn: Some(txn),
            schema: String::new(),
            weak_identity: false,
            tables,
            snapshot_at: chrono::Utc::now(),
        })
    }

    /// The backend the source runs on.
    pub fn backend(&self) -> DbBackend {
        self.target.backend()
    }

    /// `"schema"."table"`, `"table"` on SQLite, `` `table` `` on the MySQL family.
    fn qualified(&self, table: &str) -> String {
        if self.backend() == DbBackend::MySql {
            return format!("`{}`", table.replace('`', "``"));
        }
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        if self.schema.is_empty() {
            quote(table)
        } else {
            format!("{}.{}", quote(&self.schema), quote(table))
        }
    }

    /// Whether `table` has `column` in the source.
    pub fn has(&self, table: &str, column: &str) -> bool {
        self.tables.get(table).is_some_and(|c| c.contains(column))
    }

    /// `table`'s rows in `order` (an ORDER BY list over alias `t`), read in batches.
    pub async fn rows<'a>(&'a self, table: &str, order: &str) -> Result<Rows<'a>, ImportError> {
        let Some(txn) = &self.txn else {
            return Err(ImportError::Failed("the source snapshot is closed".into()));
        };
        let sql = match self.backend() {
            DbBackend::MySql => {
                let columns: Vec<String> = self
                    .tables
                    .get(table)
                    .map(|c| {
                        c.iter()
                            .map(|c| {
                                format!("'{}', t.`{}`", c.replace('\'', "''"), c.replace('`', "``"))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                format!(
                    "SELECT CAST(JSON_OBJECT({}) AS CHAR) FROM {} t ORDER BY {order}",
                    columns.join(", "),
                    self.qualified(table)
                )
            }
            DbBackend::Sqlite => {
                // SQLite has no row-to-JSON; json_object over the catalog's columns. Values keep
                // their storage class (INTEGER, REAL, TEXT), so type affinity is seen as it is.
                let columns: Vec<String> = self
                    .tables
                    .get(table)
                    .map(|c| {
                        c.iter()
                            .map(|c| {
                                format!(
                                    "'{}', t.\"{}\"",
                                    c.replace('\'', "''"),
                                    c.replace('"', "\"\"")
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                format!(
                    "SELECT json_object({}) FROM {} t ORDER BY {order}",
                    columns.join(", "),
                    self.qualified(table)
                )
            }
            _ => format!(
                "SELECT to_jsonb(t)::text FROM {} t ORDER BY {order}",
                self.qualified(table)
            ),
        };
        let stream = txn
            .stream_raw(Statement::from_string(self.backend(), sql))
            .await
            .map_err(|e| self.read_error(table, e))?;
        Ok(Rows {
            source: self,
            table: table.to_owned(),
            stream,
        })
    }

    /// Every row of `table` (in `order`) to `each`, a batch at a time: the small lookups a
    /// system reads ahead of the table that needs them.
    pub async fn scan(
        &self,
        table: &str,
        order: &str,
        mut each: impl FnMut(&SourceRow),
    ) -> Result<(), ImportError> {
        if !self.tables.contains_key(table) {
            return Ok(());
        }
        let mut rows = self.rows(table, order).await?;
        loop {
            let batch = rows.next_batch(1000).await?;
            if batch.is_empty() {
                return Ok(());
            }
            batch.iter().for_each(&mut each);
        }
    }

    /// The number of rows of `table` in the snapshot.
    pub async fn count(&self, table: &str) -> Result<u64, ImportError> {
        let Some(txn) = &self.txn else {
            return Err(ImportError::Failed("the source snapshot is closed".into()));
        };
        let sql = format!("SELECT count(*) FROM {}", self.qualified(table));
        let row = txn
            .query_one_raw(Statement::from_string(self.backend(), sql))
            .await
            .map_err(|e| self.read_error(table, e))?;
        let n: i64 = row
            .map(|r| r.try_get_by_index(0))
            .transpose()
            .map_err(|e| self.read_error(table, e))?
            .unwrap_or(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The UTC years of `column` in `table` (AL attempts: the partitions to create first).
    pub async fn years(&self, table: &str, column: &str) -> Result<Vec<i32>, ImportError> {
        let Some(txn) = &self.txn else {
            return Err(ImportError::Failed("the source snapshot is closed".into()));
        };
        let sql = format!(
            "SELECT DISTINCT EXTRACT(YEAR FROM \"{}\" AT TIME ZONE 'UTC')::int FROM \"{}\".\"{}\" WHERE \"{}\" IS NOT NULL AND \"{}\" NOT IN ('infinity', '-infinity')",
            column,
            self.schema.replace('"', "\"\""),
            table.replace('"', "\"\""),
            column,
            column
        );
        let rows = txn
            .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
            .await
            .map_err(|e| self.read_error(table, e))?;
        rows.iter()
            .map(|r| {
                r.try_get_by_index::<i32>(0)
                    .map_err(|e| self.read_error(table, e))
            })
            .filter(|y| y.as_ref().map_or(true, |y| (1000..=9999).contains(y)))
            .collect()
    }

    fn read_error(&self, table: &str, e: migration::sea_orm::DbErr) -> ImportError {
        ImportError::Failed(format!(
            "reading {table} from the source {}: {}",
            self.target,
            self.target.scrub(&error_line(&e))
        ))
    }

    /// Ends the snapshot (it wrote nothing) and closes the connection.
    pub async fn close(mut self) {
        if let Some(txn) = self.txn.take() {
            let _ = txn.rollback().await;
        }
        let _ = self.db.close().await;
    }
}

/// A table being read.
pub struct Rows<'a> {
    source: &'a SourceDb,
    table: String,
    stream: <DatabaseTransaction as StreamTrait>::Stream<'a>,
}

impl Rows<'_> {
    /// Up to `n` next rows; empty at the end.
    pub async fn next_batch(&mut self, n: usize) -> Result<Vec<SourceRow>, ImportError> {
        let mut rows = Vec::with_capacity(n);
        while rows.len() < n {
            let Some(row) = self.stream.next().await else {
                break;
            };
            let text: String = row
                .and_then(|r| r.try_get_by_index(0))
                .map_err(|e| self.source.read_error(&self.table, e))?;
            match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(map)) => rows.push(map),
                _ => {
                    return Err(ImportError::Failed(format!(
                        "{}: a row is not a JSON object",
                        self.table
                    )));
                }
            }
        }
        Ok(rows)
    }
}
