//! Column and table helpers: the one place where PostgreSQL, MySQL/MariaDB/TiDB and SQLite differ.
//!
//! A table module describes each table once, in portable terms (`ddl.json(col)`,
//! `ddl.enumeration(col, &ROLE)`, `.unique(..)`, `.check(..)`), and these helpers decide what each
//! backend gets (SPEC.md §0.2, §0.3 and §17):
//!
//! | portable      | PostgreSQL       | MySQL family                     | SQLite                           |
//! |---------------|------------------|----------------------------------|----------------------------------|
//! | uuid          | uuid             | binary(16)                       | uuid_text (TEXT affinity)        |
//! | timestamptz   | timestamptz      | datetime(6), UTC session         | TEXT, RFC 3339 as sqlx writes it |
//! | text          | text             | mediumtext                       | text                             |
//! | numeric(p,s)  | numeric(p,s)     | decimal(p,s)                     | real(p, s) (REAL affinity)       |
//! | json          | jsonb            | json (MariaDB: longtext + check) | json_text + CHECK (json_valid)   |
//! | enum          | native type      | inline ENUM(...)                 | enum_text + CHECK (col IN (...)) |
//!
//! Constraint placement also differs, so that every name in the spec survives in each catalog:
//! unique constraints are table constraints on PostgreSQL and MySQL but named `CREATE UNIQUE INDEX`
//! on SQLite (whose inline uniques get `sqlite_autoindex_*` names and can never be dropped);
//! secondary indexes are inline `KEY`s on MySQL (so InnoDB never adds its own index for a foreign
//! key) and `CREATE INDEX` statements elsewhere.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

/// The format SQLite timestamps are written in by the database itself. sqlx writes
/// `DateTime<Utc>` as RFC 3339 with a `T` separator and a `+00:00` offset; this default produces
/// the same shape (with SQLite's millisecond clock), so rows written by the application and rows
/// defaulted by the database sort together as text.
pub const SQLITE_NOW: &str = "strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')";

/// A database enum: a native type on PostgreSQL, an inline `ENUM(...)` on MySQL, and TEXT with a
/// `CHECK (col IN (...))` on SQLite (SPEC.md §17.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DbEnum {
    pub name: &'static str,
    pub values: &'static [&'static str],
}

/// The JSON defaults the spec uses. MySQL 8 accepts no literal default on a JSON column, only an
/// expression, so each backend spells them differently.
#[derive(Clone, Copy, Debug)]
pub enum JsonDefault {
    EmptyArray,
    EmptyObject,
}

/// A regular-expression CHECK, spelled per backend (SPEC.md §17.5). SQLite has no REGEXP
/// function by default, so the caller gives the LIKE/GLOB approximation the spec prescribes.
pub struct Pattern {
    pub regex: &'static str,
    pub case_insensitive: bool,
    pub sqlite: Expr,
}

/// Builds backend-specific DDL for one migration run.
#[derive(Clone, Copy, Debug)]
pub struct Ddl {
    backend: DbBackend,
}

impl Ddl {
    pub fn new(backend: DbBackend) -> Self {
        Self { backend }
    }

    pub fn of(manager: &SchemaManager<'_>) -> Self {
        Self::new(manager.get_database_backend())
    }

    pub fn backend(&self) -> DbBackend {
        self.backend
    }

    fn is_mysql(&self) -> bool {
        self.backend == DbBackend::MySql
    }

    fn is_sqlite(&self) -> bool {
        self.backend == DbBackend::Sqlite
    }

    fn is_postgres(&self) -> bool {
        self.backend == DbBackend::Postgres
    }

    /// Starts a table definition.
    pub fn table(&self, table: impl IntoIden) -> TableDef {
        let table = table.into_iden();
        let mut create = Table::create();
        create.table(table.clone());
        if self.is_mysql() {
            // TiDB defaults to the case-sensitive utf8mb4_bin; MariaDB to utf8mb4_general_ci.
            create
                .engine("InnoDB")
                .character_set("utf8mb4")
                .collate("utf8mb4_unicode_ci");
        }
        TableDef {
            ddl: *self,
            table,
            create,
            foreign_keys: Vec::new(),
            uniques: Vec::new(),
            indexes: Vec::new(),
        }
    }

    /// Starts a table that takes a high insert rate (SPEC.md §0.1) with its `id` column. On TiDB
    /// time-ordered UUIDs would all land in one region, so the key is NONCLUSTERED and rows are
    /// sharded. Both options are TiDB executable comments (`/*T! ... */`), which MySQL and MariaDB
    /// read as plain comments, so one DDL serves the whole MySQL family.
    pub fn insert_heavy_table(&self, table: impl IntoIden, id: impl IntoIden) -> TableDef {
        let mut id = self.id(id);
        let mut def = self.table(table);
        if self.is_mysql() {
            id.extra("/*T![clustered_index] NONCLUSTERED */");
            def.create
                .extra("/*T! SHARD_ROW_ID_BITS=4 PRE_SPLIT_REGIONS=3 */");
        }
        def.col(id)
    }

    /// `id uuid PRIMARY KEY`. The application generates UUIDv7 ids; PostgreSQL gets
    /// `gen_random_uuid()` as a fallback for hand-written SQL (SPEC.md §0.1).
    pub fn id(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.uuid().not_null().primary_key();
        if self.is_postgres() {
            def.default(Expr::cust("gen_random_uuid()"));
        }
        def
    }

    /// A uuid column (foreign keys and other references).
    pub fn uuid(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.uuid();
        def
    }

    /// A nullable UTC timestamp (domain timestamps such as `published_at`).
    pub fn timestamptz(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        if self.is_mysql() {
            // sea-query's timestamp_with_time_zone() is TIMESTAMP on MySQL: 2038 limit and
            // session time-zone conversion. DATETIME(6) in a UTC session avoids both.
            def.custom("datetime(6)");
        } else {
            def.timestamp_with_time_zone();
        }
        def
    }

    /// The "current time" default for a timestamp column, in each backend's own spelling.
    pub fn now(&self) -> Expr {
        match self.backend {
            DbBackend::MySql => Expr::Keyword(Keyword::Custom("CURRENT_TIMESTAMP(6)".into_iden())),
            DbBackend::Sqlite => Expr::cust(SQLITE_NOW),
            _ => Expr::current_timestamp(),
        }
    }

    /// `created_at timestamptz NOT NULL DEFAULT now`.
    pub fn created_at(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = self.timestamptz(col);
        def.not_null().default(self.now());
        def
    }

    /// `updated_at timestamptz NOT NULL DEFAULT now`; MySQL also bumps it on every update
    /// (`ON UPDATE CURRENT_TIMESTAMP(6)`), PostgreSQL and SQLite get triggers (SPEC.md §19).
    pub fn updated_at(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = self.created_at(col);
        if self.is_mysql() {
            def.extra("ON UPDATE CURRENT_TIMESTAMP(6)");
        }
        def
    }

    pub fn string(&self, col: impl IntoIden, len: u32) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.string_len(len);
        def
    }

    pub fn char(&self, col: impl IntoIden, len: u32) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.char_len(len);
        def
    }

    /// Unbounded text. MySQL's TEXT stops at 64 KB, too small for story content and AI
    /// feedback, so it gets MEDIUMTEXT (16 MB).
    pub fn text(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        if self.is_mysql() {
            def.custom("mediumtext");
        } else {
            def.text();
        }
        def
    }

    pub fn boolean(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.boolean();
        def
    }

    pub fn smallint(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.small_integer();
        def
    }

    pub fn integer(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.integer();
        def
    }

    pub fn bigint(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.big_integer();
        def
    }

    /// `numeric(p,s)`; on SQLite sea-query's `real(p, s)`, REAL affinity. SeaORM reads SQLite
    /// decimals through `f64`, which accepts only the REAL storage class, while NUMERIC affinity
    /// would store whole numbers (`0`, `'4.00'`) as INTEGER and make those rows unreadable.
    pub fn decimal(&self, col: impl IntoIden, precision: u32, scale: u32) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.decimal_len(precision, scale);
        def
    }

    /// A JSON document: jsonb on PostgreSQL, JSON on MySQL (MariaDB adds its own
    /// `json_valid` check), and TEXT with `CHECK (json_valid(col))` on SQLite.
    pub fn json(&self, col: impl IntoIden) -> ColumnDef {
        let col = col.into_iden();
        let mut def = ColumnDef::new(col.clone());
        match self.backend {
            DbBackend::Postgres => def.json_binary(),
            DbBackend::Sqlite => def
                .json()
                .check(Func::cust("json_valid").arg(Expr::col(col))),
            _ => def.json(),
        };
        def
    }

    /// The default expression for a JSON column.
    pub fn json_default(&self, value: JsonDefault) -> Expr {
        match (self.backend, value) {
            (DbBackend::MySql, JsonDefault::EmptyArray) => Expr::cust("JSON_ARRAY()"),
            (DbBackend::MySql, JsonDefault::EmptyObject) => Expr::cust("JSON_OBJECT()"),
            (_, JsonDefault::EmptyArray) => Expr::val("[]"),
            (_, JsonDefault::EmptyObject) => Expr::val("{}"),
        }
    }

    /// A column of a database enum (SPEC.md §17.1).
    pub fn enumeration(&self, col: impl IntoIden, db_enum: &DbEnum) -> ColumnDef {
        let col = col.into_iden();
        let mut def = ColumnDef::new(col.clone());
        def.enumeration(db_enum.name, db_enum.values.iter().map(|v| v.into_iden()));
        if self.is_sqlite() {
            def.check(Expr::col(col).is_in(db_enum.values.iter().copied()));
        }
        def
    }

    /// `CREATE TYPE name AS ENUM (...)` on PostgreSQL; nothing elsewhere (the values live on the
    /// columns).
    pub async fn create_enum(
        &self,
        manager: &SchemaManager<'_>,
        db_enum: &DbEnum,
    ) -> Result<(), DbErr> {
        if !self.is_postgres() {
            return Ok(());
        }
        manager
            .create_type(
                extension::postgres::Type::create()
                    .as_enum(db_enum.name)
                    .values(db_enum.values.iter().map(|v| v.into_iden()))
                    .to_owned(),
            )
            .await
    }

    /// Drops what [`Ddl::create_enum`] created.
    pub async fn drop_enum(
        &self,
        manager: &SchemaManager<'_>,
        db_enum: &DbEnum,
    ) -> Result<(), DbErr> {
        if !self.is_postgres() {
            return Ok(());
        }
        manager
            .drop_type(
                extension::postgres::Type::drop()
                    .name(db_enum.name)
                    .to_owned(),
            )
            .await
    }

    /// A regular-expression CHECK (SPEC.md §17.5): `~`/`~*` on PostgreSQL, `REGEXP` on the MySQL
    /// family (under `utf8mb4_bin` when it must be case-sensitive, since the tables use a
    /// case-insensitive collation), the spec's LIKE/GLOB approximation on SQLite.
    pub fn matches(&self, col: impl IntoIden, pattern: Pattern) -> Expr {
        let col = Expr::col(col.into_iden());
        let regex = Expr::val(pattern.regex);
        let op = |op: &'static str, left: Expr| left.binary(BinOper::Custom(op), regex.clone());
        match (self.backend, pattern.case_insensitive) {
            (DbBackend::Postgres, true) => op("~*", col),
            (DbBackend::Postgres, false) => op("~", col),
            (DbBackend::MySql, true) => op("REGEXP", col),
            (DbBackend::MySql, false) => op(
                "REGEXP",
                col.binary(
                    BinOper::Custom("COLLATE"),
                    Expr::Keyword(Keyword::Custom("utf8mb4_bin".into_iden())),
                ),
            ),
            _ => pattern.sqlite,
        }
    }

    /// Creates a table with its constraints and indexes, placed as each backend needs.
    pub async fn create_table(
        &self,
        manager: &SchemaManager<'_>,
        def: TableDef,
    ) -> Result<(), DbErr> {
        let foreign_keys = def.foreign_keys.clone();
        let (table, indexes) = def.into_statements();
        if self.is_sqlite() && !foreign_keys.is_empty() {
            let sql =
                name_sqlite_foreign_keys(&table.to_string(SqliteQueryBuilder), &foreign_keys)?;
            manager.get_connection().execute_unprepared(&sql).await?;
        } else {
            manager.create_table(table).await?;
        }
        for index in indexes {
            manager.create_index(index).await?;
        }
        Ok(())
    }

    /// Drops a table (its indexes and constraints go with it).
    pub async fn drop_table(
        &self,
        manager: &SchemaManager<'_>,
        table: impl IntoIden,
    ) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(table).to_owned())
            .await
    }
}

/// sea-query writes SQLite foreign keys without their names; SQLite keeps a constraint name only
/// in the stored CREATE TABLE text, so it is inserted there: the n-th `FOREIGN KEY (` clause gets
/// the n-th name, in the order the table declared them.
fn name_sqlite_foreign_keys(sql: &str, names: &[String]) -> Result<String, DbErr> {
    let clauses: Vec<&str> = sql.split("FOREIGN KEY (").collect();
    if clauses.len() != names.len() + 1 {
        return Err(DbErr::Migration(format!(
            "expected {} foreign keys in generated SQLite DDL, found {}: {sql}",
            names.len(),
            clauses.len() - 1
        )));
    }
    let mut out = clauses[0].to_owned();
    for (name, rest) in names.iter().zip(&clauses[1..]) {
        out.push_str(&format!("CONSTRAINT \"{name}\" FOREIGN KEY ("));
        out.push_str(rest);
    }
    Ok(out)
}

/// `col IS NULL OR col BETWEEN lo AND hi`: optional scores, ratings and ratios.
pub fn null_or_between(col: impl IntoIden, lo: impl Into<Expr>, hi: impl Into<Expr>) -> Expr {
    let col = col.into_iden();
    Expr::col(col.clone())
        .is_null()
        .or(Expr::col(col).between(lo, hi))
}

/// `col IS NULL OR col > 0`: optional limits and durations.
pub fn null_or_positive(col: impl IntoIden) -> Expr {
    let col = col.into_iden();
    Expr::col(col.clone()).is_null().or(Expr::col(col).gt(0))
}

/// A table group's schema objects: the enums it creates and its tables in foreign-key order.
/// `up` creates them in that order and `down` drops them in exactly the reverse order, derived
/// from the same list, so the two cannot drift apart.
pub struct TableGroup {
    pub enums: &'static [&'static DbEnum],
    pub tables: &'static [fn(&Ddl) -> TableDef],
}

impl TableGroup {
    pub async fn up(&self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        let ddl = Ddl::of(manager);
        for db_enum in self.enums {
            ddl.create_enum(manager, db_enum).await?;
        }
        for table in self.tables {
            ddl.create_table(manager, table(&ddl)).await?;
        }
        Ok(())
    }

    pub async fn down(&self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        let ddl = Ddl::of(manager);
        for table in self.tables.iter().rev() {
            ddl.drop_table(manager, table(&ddl).table).await?;
        }
        for db_enum in self.enums.iter().rev() {
            ddl.drop_enum(manager, db_enum).await?;
        }
        Ok(())
    }
}

/// One table, described once: columns, foreign keys, checks, uniques and indexes.
pub struct TableDef {
    ddl: Ddl,
    table: DynIden,
    create: TableCreateStatement,
    foreign_keys: Vec<String>,
    uniques: Vec<IndexCreateStatement>,
    indexes: Vec<IndexCreateStatement>,
}

impl TableDef {
    pub fn col(mut self, column: impl IntoColumnDef) -> Self {
        self.create.col(column);
        self
    }

    /// A named foreign key with its ON DELETE action; ON UPDATE is always NO ACTION because
    /// primary keys never change (SPEC.md §0.5).
    pub fn foreign_key(
        mut self,
        name: &str,
        column: impl IntoIden,
        ref_table: impl IntoIden,
        ref_column: impl IntoIden,
        on_delete: ForeignKeyAction,
    ) -> Self {
        self.foreign_keys.push(name.to_owned());
        self.create.foreign_key(
            ForeignKey::create()
                .name(name)
                .from(self.table.clone(), column)
                .to(ref_table, ref_column)
                .on_delete(on_delete)
                .on_update(ForeignKeyAction::NoAction),
        );
        self
    }

    /// A named CHECK constraint.
    pub fn check(mut self, name: &str, expr: Expr) -> Self {
        self.create.check((Alias::new(name), expr));
        self
    }

    /// A named unique constraint.
    pub fn unique<C: IntoIden>(mut self, name: &str, columns: impl IntoIterator<Item = C>) -> Self {
        let mut index = Index::create();
        index.name(name).unique();
        for column in columns {
            index.col(column.into_iden());
        }
        self.uniques.push(index);
        self
    }

    /// A named secondary index.
    pub fn index<C: IntoIden>(mut self, name: &str, columns: impl IntoIterator<Item = C>) -> Self {
        let mut index = Index::create();
        index.name(name);
        for column in columns {
            index.col(column.into_iden());
        }
        self.indexes.push(index);
        self
    }

    /// The statements that create this table on the target backend: the `CREATE TABLE`, then
    /// the indexes that are not part of it.
    pub fn into_statements(self) -> (TableCreateStatement, Vec<IndexCreateStatement>) {
        let TableDef {
            ddl,
            table,
            mut create,
            foreign_keys: _,
            uniques,
            indexes,
        } = self;
        let mut separate: Vec<IndexCreateStatement> = match ddl.backend {
            DbBackend::MySql => {
                for mut index in uniques.into_iter().chain(indexes) {
                    create.index(&mut index);
                }
                Vec::new()
            }
            DbBackend::Sqlite => uniques.into_iter().chain(indexes).collect(),
            _ => {
                for mut index in uniques {
                    create.index(&mut index);
                }
                indexes
            }
        };
        for index in &mut separate {
            index.table(table.clone());
        }
        (create, separate)
    }
}
