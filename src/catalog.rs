//! Reads back what a database actually holds: tables, columns, keys, constraints, indexes,
//! enum types, triggers, views and functions, from each backend's own catalog.
//!
//! The result is one backend-neutral value. The tests compare it with the spec and compare two
//! snapshots of the same database (before `up` and after `down`) for equality; `learndb verify`,
//! `diff`, `docs` and `doctor` read the live schema through it. Each table also keeps the
//! backend's own full definition (`pg_get_*def`, `SHOW CREATE TABLE`, `sqlite_master.sql`), so
//! a snapshot comparison catches changes the structured fields miss.
//!
//! Why not sea-schema: see docs/schema-decisions.md ("One catalog reader"). In short, its
//! discovery covers tables, columns, keys and indexes, but not views, triggers, functions,
//! partitions or (on SQLite and MySQL) named CHECK constraints, and it types columns into
//! sea-query's `ColumnType`, which loses the catalog's own spelling that drift reports need.

use std::collections::{BTreeMap, BTreeSet};

use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Statement};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalog {
    pub tables: BTreeMap<String, Table>,
    /// PostgreSQL enum types and their labels in order.
    pub enums: BTreeMap<String, Vec<String>>,
    /// `table.trigger`.
    pub triggers: BTreeSet<String>,
    /// View name → its output columns in order.
    pub views: BTreeMap<String, Vec<String>>,
    /// PostgreSQL partitions (`attempts_2026` → `attempts`); they are not listed as tables.
    pub partitions: BTreeMap<String, String>,
    pub functions: BTreeSet<String>,
    pub sequences: BTreeSet<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    pub foreign_keys: BTreeMap<String, ForeignKey>,
    pub uniques: BTreeMap<String, Vec<String>>,
    pub indexes: BTreeMap<String, Vec<String>>,
    /// Named CHECK constraints (name → definition where the catalog gives one).
    pub checks: BTreeMap<String, String>,
    /// The backend's own full definition of the table and its indexes.
    pub definition: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// The type as the catalog spells it, lower case (`character varying(255)`, `binary(16)`,
    /// `json_text`); PostgreSQL enum columns read `enum:<type>`.
    pub ty: String,
    pub nullable: bool,
    pub default: Option<String>,
    /// MySQL family: the column's `ON UPDATE` expression (`current_timestamp(6)`), which
    /// keeps `updated_at` there instead of a trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    pub on_delete: String,
    pub on_update: String,
}

impl Catalog {
    /// Reads the current schema (PostgreSQL: `current_schema()`; MySQL: `DATABASE()`; SQLite:
    /// `main`) of the database behind `db`.
    pub async fn read<C: ConnectionTrait>(db: &C) -> Result<Catalog, DbErr> {
        match db.get_database_backend() {
            DbBackend::Postgres => read_postgres(db).await,
            DbBackend::MySql => read_mysql(db).await,
            _ => read_sqlite(db).await,
        }
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// Everything but the runner's own tables, which stay after `down`, and the four tables of
    /// `learndb import` (`learndb_import_*`, SPEC-26-27 §27.3), which no migration creates.
    pub fn without_history(&self) -> Catalog {
        let mut c = self.clone();
        c.tables.remove("seaql_migrations");
        c.tables.remove("learndb_migration_history");
        c.tables.remove("learndb_migration_journal");
        c.tables
            .retain(|name, _| !name.starts_with("learndb_import_"));
        c
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
            && self.enums.is_empty()
            && self.triggers.is_empty()
            && self.views.is_empty()
            && self.partitions.is_empty()
            && self.functions.is_empty()
            && self.sequences.is_empty()
    }
}

async fn rows<C: ConnectionTrait>(db: &C, sql: &str) -> Result<Vec<QueryResult>, DbErr> {
    db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .map_err(|e| DbErr::Custom(format!("reading the catalog failed: {e} (query: {sql})")))
}

/// A cell as text, whatever type the catalog uses for it (NULL reads as `None`).
fn text(row: &QueryResult, col: &str) -> Result<Option<String>, DbErr> {
    cell(row, col).ok_or_else(|| DbErr::Custom(format!("cannot read catalog column {col}")))
}

fn cell(row: &QueryResult, col: &str) -> Option<Option<String>> {
    if let Ok(v) = row.try_get::<Option<String>>("", col) {
        return Some(v);
    }
    if let Ok(v) = row.try_get::<Option<i64>>("", col) {
        return Some(v.map(|v| v.to_string()));
    }
    if let Ok(v) = row.try_get::<Option<i32>>("", col) {
        return Some(v.map(|v| v.to_string()));
    }
    if let Ok(v) = row.try_get::<Option<bool>>("", col) {
        return Some(v.map(|v| v.to_string()));
    }
    if let Ok(v) = row.try_get::<Option<Vec<u8>>>("", col) {
        return Some(v.map(|v| String::from_utf8_lossy(&v).into_owned()));
    }
    None
}

fn req(row: &QueryResult, col: &str) -> Result<String, DbErr> {
    text(row, col)?.ok_or_else(|| DbErr::Custom(format!("catalog column {col} is NULL")))
}

fn split_cols(list: &str) -> Vec<String> {
    list.split(',').map(str::to_owned).collect()
}

async fn read_postgres<C: ConnectionTrait>(db: &C) -> Result<Catalog, DbErr> {
    let mut c = Catalog::default();
    // Partitions are rows of pg_class too; they belong to their parent, not to the table list.
    for r in rows(db, "SELECT relname::text AS t FROM pg_class WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition").await? {
        c.tables.insert(req(&r, "t")?, Table::default());
    }
    for r in rows(db, "SELECT c.relname::text AS part, p.relname::text AS parent FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')").await? {
        c.partitions.insert(req(&r, "part")?, req(&r, "parent")?);
    }
    let cols = "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS dt, udt_name::text AS udt,
            character_maximum_length AS len, numeric_precision AS p, numeric_scale AS s,
            is_nullable::text AS n, column_default::text AS d
        FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position";
    for r in rows(db, cols).await? {
        let Some(table) = c.tables.get_mut(&req(&r, "t")?) else {
            continue;
        };
        let dt = req(&r, "dt")?;
        let ty = match dt.as_str() {
            "USER-DEFINED" => format!("enum:{}", req(&r, "udt")?),
            "character varying" => match text(&r, "len")? {
                Some(len) => format!("varchar({len})"),
                None => "varchar".to_owned(),
            },
            "character" => format!("char({})", req(&r, "len")?),
            "numeric" => format!("numeric({},{})", req(&r, "p")?, req(&r, "s")?),
            "timestamp with time zone" => "timestamptz".to_owned(),
            other => other.to_owned(),
        };
        table.columns.push(Column {
            name: req(&r, "c")?,
            ty,
            nullable: req(&r, "n")? == "YES",
            default: text(&r, "d")?,
            on_update: None,
        });
    }
    let constraints = "SELECT rel.relname::text AS t, con.conname::text AS name, con.contype::text AS kind,
            pg_get_constraintdef(con.oid) AS def,
            (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS cols,
            frel.relname::text AS ref_table,
            (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS ref_cols,
            con.confdeltype::text AS del, con.confupdtype::text AS upd
        FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
        LEFT JOIN pg_class frel ON frel.oid = con.confrelid
        WHERE rel.relnamespace = current_schema()::regnamespace";
    let action = |code: &str| match code {
        "c" => "CASCADE",
        "n" => "SET NULL",
        "r" => "RESTRICT",
        "d" => "SET DEFAULT",
        _ => "NO ACTION",
    };
    for r in rows(db, constraints).await? {
        let Some(table) = c.tables.get_mut(&req(&r, "t")?) else {
            continue;
        };
        let name = req(&r, "name")?;
        let def = req(&r, "def")?;
        table.definition.push(format!("CONSTRAINT {name} {def}"));
        match req(&r, "kind")?.as_str() {
            "p" => table.primary_key = split_cols(&req(&r, "cols")?),
            "u" => {
                table.uniques.insert(name, split_cols(&req(&r, "cols")?));
            }
            "c" => {
                table.checks.insert(name, def);
            }
            "f" => {
                table.foreign_keys.insert(
                    name,
                    ForeignKey {
                        columns: split_cols(&req(&r, "cols")?),
                        ref_table: req(&r, "ref_table")?,
                        ref_columns: split_cols(&req(&r, "ref_cols")?),
                        on_delete: action(&req(&r, "del")?).to_owned(),
                        on_update: action(&req(&r, "upd")?).to_owned(),
                    },
                );
            }
            _ => {}
        }
    }
    let indexes = "SELECT t.relname::text AS t, i.relname::text AS name, pg_get_indexdef(i.oid) AS def,
            (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS cols,
            EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.oid AND con.conrelid = t.oid
                    AND con.contype IN ('p', 'u')) AS backs_constraint,
            ix.indisunique AS is_unique
        FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
        WHERE t.relnamespace = current_schema()::regnamespace";
    for r in rows(db, indexes).await? {
        let Some(table) = c.tables.get_mut(&req(&r, "t")?) else {
            continue;
        };
        let name = req(&r, "name")?;
        table.definition.push(req(&r, "def")?);
        if req(&r, "backs_constraint")? == "true" {
            continue;
        }
        let cols = split_cols(&req(&r, "cols")?);
        if req(&r, "is_unique")? == "true" {
            // A unique index that is not a constraint: report it as a unique so the spec check
            // notices it is not a constraint by its kind only if names differ.
            table.uniques.insert(format!("{name} (unique index)"), cols);
        } else {
            table.indexes.insert(name, cols);
        }
    }
    for r in rows(db, "SELECT t.typname::text AS name, e.enumlabel::text AS label FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typnamespace = current_schema()::regnamespace ORDER BY t.typname, e.enumsortorder").await? {
        c.enums.entry(req(&r, "name")?).or_default().push(req(&r, "label")?);
    }
    for r in rows(db, "SELECT c.relname::text || '.' || t.tgname::text AS name FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace").await? {
        c.triggers.insert(req(&r, "name")?);
    }
    for r in rows(db, "SELECT c.table_name::text AS name, c.column_name::text AS col FROM information_schema.columns c JOIN information_schema.views v ON v.table_schema = c.table_schema AND v.table_name = c.table_name WHERE c.table_schema = current_schema() ORDER BY c.table_name, c.ordinal_position").await? {
        c.views.entry(req(&r, "name")?).or_default().push(req(&r, "col")?);
    }
    for r in rows(db, "SELECT p.proname::text AS name FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace").await? {
        c.functions.insert(req(&r, "name")?);
    }
    for r in rows(db, "SELECT relname::text AS name FROM pg_class WHERE relkind = 'S' AND relnamespace = current_schema()::regnamespace").await? {
        c.sequences.insert(req(&r, "name")?);
    }
    for table in c.tables.values_mut() {
        table.definition.sort();
    }
    Ok(c)
}

async fn read_mysql<C: ConnectionTrait>(db: &C) -> Result<Catalog, DbErr> {
    let mut c = Catalog::default();
    for r in rows(db, "SELECT CAST(TABLE_NAME AS CHAR) AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'").await? {
        c.tables.insert(req(&r, "t")?, Table::default());
    }
    let cols = "SELECT CAST(TABLE_NAME AS CHAR) AS t, CAST(COLUMN_NAME AS CHAR) AS c, CAST(COLUMN_TYPE AS CHAR) AS ty,
            CAST(IS_NULLABLE AS CHAR) AS n, CAST(COLUMN_DEFAULT AS CHAR) AS d, CAST(EXTRA AS CHAR) AS extra
        FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION";
    for r in rows(db, cols).await? {
        let Some(table) = c.tables.get_mut(&req(&r, "t")?) else {
            continue;
        };
        table.columns.push(Column {
            name: req(&r, "c")?,
            ty: req(&r, "ty")?.to_lowercase(),
            nullable: req(&r, "n")? == "YES",
            default: text(&r, "d")?,
            on_update: text(&r, "extra")?.and_then(|extra| {
                extra
                    .to_lowercase()
                    .split_once("on update ")
                    .map(|(_, e)| e.trim().to_owned())
            }),
        });
    }
    let fks = "SELECT CAST(k.TABLE_NAME AS CHAR) AS t, CAST(k.CONSTRAINT_NAME AS CHAR) AS name,
            CAST(k.COLUMN_NAME AS CHAR) AS col, CAST(k.REFERENCED_TABLE_NAME AS CHAR) AS ref_table,
            CAST(k.REFERENCED_COLUMN_NAME AS CHAR) AS ref_col, CAST(r.DELETE_RULE AS CHAR) AS del,
            CAST(r.UPDATE_RULE AS CHAR) AS upd
        FROM information_schema.KEY_COLUMN_USAGE k
        LEFT JOIN information_schema.REFERENTIAL_CONSTRAINTS r
          ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME
        WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
        ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION";
    for r in rows(db, fks).await? {
        let Some(table) = c.tables.get_mut(&req(&r, "t")?) else {
            continue;
        };
        // MariaDB hides REFERENTIAL_CONSTRAINTS from a user who may only SELECT: the actions
        // are then read from SHOW CREATE TABLE below (empty until then).
        let first = ForeignKey {
            columns: Vec::new(),
            ref_table: req(&r, "ref_table")?,
            ref_columns: Vec::new(),
            on_delete: text(&r, "del")?.unwrap_or_default(),
            on_update: text(&r, "upd")?.unwrap_or_default(),
        };
        let fk = table.foreign_keys.entry(req(&r, "name")?).or_insert(first);
        fk.columns.push(req(&r, "col")?);
        fk.ref_columns.push(req(&r, "ref_col")?);
    }
    // MariaDB names CHECK constraints per table (a JSON column's implicit check is named after
    // the column) and lists their table in CHECK_CONSTRAINTS, which it shows to a user who may
    // only SELECT (TABLE_CONSTRAINTS it hides from them); MySQL names them per schema and has no
    // TABLE_NAME there, so it is read through TABLE_CONSTRAINTS.
    let mariadb = "SELECT CAST(TABLE_NAME AS CHAR) AS t, CAST(CONSTRAINT_NAME AS CHAR) AS name,
            CAST(CHECK_CLAUSE AS CHAR) AS def
        FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()";
    let mysql = "SELECT CAST(tc.TABLE_NAME AS CHAR) AS t, CAST(tc.CONSTRAINT_NAME AS CHAR) AS name,
            CAST(cc.CHECK_CLAUSE AS CHAR) AS def
        FROM information_schema.TABLE_CONSTRAINTS tc
        LEFT JOIN information_schema.CHECK_CONSTRAINTS cc ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA
          AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
        WHERE tc.CONSTRAINT_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK'";
    let check_rows = match rows(db, mariadb).await {
        Ok(found) => found,
        Err(_) => rows(db, mysql).await?,
    };
    for r in check_rows {
        let Some(table) = c.tables.get_mut(&req(&r, "t")?) else {
            continue;
        };
        table
            .checks
            .insert(req(&r, "name")?, text(&r, "def")?.unwrap_or_default());
    }
    let stats = "SELECT CAST(TABLE_NAME AS CHAR) AS t, CAST(INDEX_NAME AS CHAR) AS name, NON_UNIQUE AS nu,
            CAST(COLUMN_NAME AS CHAR) AS col
        FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX";
    for r in rows(db, stats).await? {
        let Some(table) = c.tables.get_mut(&req(&r, "t")?) else {
            continue;
        };
        let name = req(&r, "name")?;
        let col = req(&r, "col")?;
        if name == "PRIMARY" {
            table.primary_key.push(col);
        } else if req(&r, "nu")? == "0" {
            table.uniques.entry(name).or_default().push(col);
        } else {
            table.indexes.entry(name).or_default().push(col);
        }
    }
    let names: Vec<String> = c.tables.keys().cloned().collect();
    for name in names {
        let show = rows(db, &format!("SHOW CREATE TABLE `{name}`")).await?;
        let def = show
            .first()
            .map(|r| req(r, "Create Table"))
            .transpose()?
            .unwrap_or_default();
        if let Some(table) = c.tables.get_mut(&name) {
            for (fk_name, fk) in &mut table.foreign_keys {
                if fk.on_delete.is_empty() || fk.on_update.is_empty() {
                    (fk.on_delete, fk.on_update) = mysql_fk_actions(&def, fk_name);
                }
            }
            table.definition.push(def);
        }
    }
    for r in rows(db, "SELECT CAST(CONCAT(EVENT_OBJECT_TABLE, '.', TRIGGER_NAME) AS CHAR) AS name FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()").await? {
        c.triggers.insert(req(&r, "name")?);
    }
    for r in rows(db, "SELECT CAST(c.TABLE_NAME AS CHAR) AS name, CAST(c.COLUMN_NAME AS CHAR) AS col FROM information_schema.COLUMNS c JOIN information_schema.VIEWS v ON v.TABLE_SCHEMA = c.TABLE_SCHEMA AND v.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = DATABASE() ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION").await? {
        c.views.entry(req(&r, "name")?).or_default().push(req(&r, "col")?);
    }
    for r in rows(db, "SELECT CAST(ROUTINE_NAME AS CHAR) AS name FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()").await? {
        c.functions.insert(req(&r, "name")?);
    }
    Ok(c)
}

async fn read_sqlite<C: ConnectionTrait>(db: &C) -> Result<Catalog, DbErr> {
    let mut c = Catalog::default();
    let master = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name";
    let mut table_sql = BTreeMap::new();
    for r in rows(db, master).await? {
        let name = req(&r, "name")?;
        let sql = text(&r, "sql")?.unwrap_or_default();
        match req(&r, "type")?.as_str() {
            "table" => {
                table_sql.insert(name.clone(), sql.clone());
                c.tables.entry(name).or_default().definition.push(sql);
            }
            "index" => {
                c.tables
                    .entry(req(&r, "tbl_name")?)
                    .or_default()
                    .definition
                    .push(sql);
            }
            "trigger" => {
                c.triggers
                    .insert(format!("{}.{name}", req(&r, "tbl_name")?));
            }
            "view" => {
                let columns = rows(
                    db,
                    &format!("SELECT name FROM pragma_table_info('{name}') ORDER BY cid"),
                )
                .await?;
                c.views.insert(
                    name,
                    columns
                        .iter()
                        .map(|r| req(r, "name"))
                        .collect::<Result<_, _>>()?,
                );
            }
            _ => {}
        }
    }
    for (name, sql) in &table_sql {
        let Some(table) = c.tables.get_mut(name) else {
            continue;
        };
        let info = rows(db, &format!("SELECT name, type, \"notnull\" AS nn, dflt_value AS d, pk FROM pragma_table_info('{name}') ORDER BY cid")).await?;
        let mut pk: Vec<(i64, String)> = Vec::new();
        for r in &info {
            let col = req(r, "name")?;
            let order: i64 = req(r, "pk")?.parse().unwrap_or(0);
            if order > 0 {
                pk.push((order, col.clone()));
            }
            table.columns.push(Column {
                name: col,
                ty: req(r, "type")?.to_lowercase(),
                nullable: req(r, "nn")? == "0" && order == 0,
                default: text(r, "d")?,
                on_update: None,
            });
        }
        pk.sort();
        table.primary_key = pk.into_iter().map(|(_, c)| c).collect();

        // Constraint names exist only in the CREATE TABLE text.
        let fk_names = constraint_names(sql, "FOREIGN KEY");
        let mut by_id: BTreeMap<i64, ForeignKey> = BTreeMap::new();
        for r in rows(db, &format!("SELECT id, seq, \"table\" AS ref_table, \"from\" AS col, \"to\" AS ref_col, on_update AS upd, on_delete AS del FROM pragma_foreign_key_list('{name}') ORDER BY id, seq")).await? {
            let id: i64 = req(&r, "id")?.parse().unwrap_or(0);
            let first = ForeignKey {
                columns: Vec::new(),
                ref_table: req(&r, "ref_table")?,
                ref_columns: Vec::new(),
                on_delete: req(&r, "del")?,
                on_update: req(&r, "upd")?,
            };
            let fk = by_id.entry(id).or_insert(first);
            fk.columns.push(req(&r, "col")?);
            fk.ref_columns.push(req(&r, "ref_col")?);
        }
        for fk in by_id.into_values() {
            let name = fk_names
                .iter()
                .find(|(_, cols)| *cols == fk.columns)
                .map(|(n, _)| n.clone())
                .unwrap_or_else(|| format!("<unnamed fk on {}>", fk.columns.join(",")));
            table.foreign_keys.insert(name, fk);
        }
        for (check, body) in check_clauses(sql) {
            table.checks.insert(check, body);
        }
        for r in rows(
            db,
            &format!("SELECT name, \"unique\" AS u, origin FROM pragma_index_list('{name}')"),
        )
        .await?
        {
            let index = req(&r, "name")?;
            if req(&r, "origin")? == "pk" {
                continue;
            }
            let cols: Vec<String> = rows(
                db,
                &format!("SELECT name FROM pragma_index_info('{index}') ORDER BY seqno"),
            )
            .await?
            .iter()
            .map(|r| req(r, "name"))
            .collect::<Result<_, _>>()?;
            if req(&r, "u")? == "1" {
                table.uniques.insert(index, cols);
            } else {
                table.indexes.insert(index, cols);
            }
        }
    }
    Ok(c)
}

/// `CONSTRAINT "name" <kind> ("a", "b")` clauses in a SQLite CREATE TABLE statement.
fn constraint_names(sql: &str, kind: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = sql;
    while let Some(pos) = rest.find("CONSTRAINT \"") {
        rest = &rest[pos + "CONSTRAINT \"".len()..];
        let Some(end) = rest.find('"') else { break };
        let name = rest[..end].to_owned();
        let after = rest[end + 1..].trim_start();
        if let Some(body) = after.strip_prefix(kind) {
            let cols = body
                .trim_start()
                .strip_prefix('(')
                .and_then(|b| b.split_once(')'))
                .map(|(inside, _)| {
                    inside
                        .split(',')
                        .map(|c| c.trim().trim_matches('"').to_owned())
                        .collect()
                })
                .unwrap_or_default();
            out.push((name, cols));
        }
    }
    out
}

/// `CONSTRAINT "name" CHECK (<body>)` clauses of a SQLite CREATE TABLE statement, with the body
/// up to its matching parenthesis (string literals may hold parentheses).
fn check_clauses(sql: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = sql;
    while let Some(pos) = rest.find("CONSTRAINT \"") {
        rest = &rest[pos + "CONSTRAINT \"".len()..];
        let Some(end) = rest.find('"') else { break };
        let name = rest[..end].to_owned();
        let Some(body) = rest[end + 1..].trim_start().strip_prefix("CHECK") else {
            continue;
        };
        let body = body.trim_start();
        let (mut depth, mut quoted, mut close) = (0usize, false, None);
        for (i, ch) in body.char_indices() {
            match ch {
                '\'' => quoted = !quoted,
                '(' if !quoted => depth += 1,
                ')' if !quoted => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        if let Some(close) = close {
            out.push((name, body[1..close].trim().to_owned()));
        }
    }
    out
}

/// The ON DELETE and ON UPDATE actions of foreign key `name` in a MySQL `SHOW CREATE TABLE`
/// text; an action it does not print is the default, RESTRICT.
fn mysql_fk_actions(create: &str, name: &str) -> (String, String) {
    let clause = create
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&format!("CONSTRAINT `{name}` FOREIGN KEY")))
        .unwrap_or_default()
        .to_ascii_uppercase();
    let action = |after: &str| {
        clause
            .split_once(after)
            .map(|(_, rest)| {
                let rest = rest.trim_start().trim_end_matches(',');
                [
                    "SET NULL",
                    "SET DEFAULT",
                    "NO ACTION",
                    "CASCADE",
                    "RESTRICT",
                ]
                .into_iter()
                .find(|a| rest.starts_with(a))
                .unwrap_or("RESTRICT")
                .to_owned()
            })
            .unwrap_or_else(|| "RESTRICT".to_owned())
    };
    (action("ON DELETE"), action("ON UPDATE"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mysql_foreign_key_actions_are_read_from_the_create_statement() {
        let create = "CREATE TABLE `c` (\n  `id` int(11) NOT NULL,\n  CONSTRAINT `fk_a` FOREIGN KEY (`pid`) REFERENCES `p` (`id`) ON DELETE SET NULL ON UPDATE NO ACTION,\n  CONSTRAINT `fk_b` FOREIGN KEY (`qid`) REFERENCES `q` (`id`),\n  CONSTRAINT `fk_c` FOREIGN KEY (`rid`) REFERENCES `r` (`id`) ON DELETE CASCADE\n)";
        let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
        assert_eq!(
            mysql_fk_actions(create, "fk_a"),
            pair("SET NULL", "NO ACTION")
        );
        assert_eq!(
            mysql_fk_actions(create, "fk_b"),
            pair("RESTRICT", "RESTRICT")
        );
        assert_eq!(
            mysql_fk_actions(create, "fk_c"),
            pair("CASCADE", "RESTRICT")
        );
    }

    #[test]
    fn sqlite_check_bodies_end_at_their_own_parenthesis() {
        let sql = "CREATE TABLE \"t\" ( \"a\" text, CONSTRAINT \"ck_a\" CHECK (a IN ('(', ')') AND (length(a) > 0)), CONSTRAINT \"fk\" FOREIGN KEY (\"a\") REFERENCES \"u\" (\"a\") )";
        assert_eq!(
            check_clauses(sql),
            [(
                "ck_a".to_owned(),
                "a IN ('(', ')') AND (length(a) > 0)".to_owned()
            )]
        );
    }
}
