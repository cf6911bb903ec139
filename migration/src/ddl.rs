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
//! | date          | date             | date                             | date_text                        |
//! | text          | text             | mediumtext                       | text                             |
//! | numeric(p,s)  | numeric(p,s)     | decimal(p,s)                     | real(p, s) (REAL affinity)       |
//! | json          | jsonb            | json (MariaDB: longtext + check) | json_text + CHECK (json_valid)   |
//! | enum          | native type      | inline ENUM(...)                 | enum_text + CHECK (col IN (...)) |
//!
//! Nullability is visible where a column is written: `ddl.string(col, 255)` is NOT NULL and
//! `ddl.string_null(col, 255)` nullable, as in SeaORM's own schema helpers and Loco, so a
//! forgotten `.not_null()` cannot slip through. (A nullable column is written without an explicit
//! `NULL`, so the DDL reads as it always did.)
//!
//! Constraint placement also differs, so that every name in the spec survives in each catalog:
//! unique constraints are table constraints on PostgreSQL and MySQL but named `CREATE UNIQUE INDEX`
//! on SQLite (whose inline uniques get `sqlite_autoindex_*` names and can never be dropped);
//! secondary indexes are inline `KEY`s on MySQL (so InnoDB never adds its own index for a foreign
//! key) and `CREATE INDEX` statements elsewhere.
//!
//! Beside tables, a [`TableGroup`] lists its [`Step`]s: foreign keys deferred to a later group,
//! `updated_at` triggers, views, PostgreSQL functions and reference rows. `up()` creates enums,
//! tables, then steps; `down()` is derived from the same lists and undoes them in reverse order.
//!
//! Later migrations change tables that already hold data: [`Step::AddColumns`],
//! [`Step::AddIndex`], [`Step::DropIndex`] and [`Step::UpdatedAtTriggersFor`] ([`alter`]), each
//! with its `down()` derived, online on PostgreSQL. What SQLite's `ALTER TABLE` cannot change
//! (a CHECK, a foreign key) is [`Step::RebuildTables`] ([`rebuild`]): SQLite's table rebuild,
//! with the table's definition derived from the modules that shaped it, nothing elsewhere.
//!
//! Every helper produces the same SQL on every run: no clock, no catalog read, no environment.
//! The runner checksums that SQL; what must vary with time (the partition for next year) is SQL
//! the server evaluates.
//!
//! **Frozen output.** The SQL a shipped migration produces never changes, and that includes what
//! it gets from the helpers in this file: a helper's output is part of every shipped migration
//! that calls it, and of the checksums in every database's history. New behaviour comes as a new
//! helper or a new [`Step`], never as a change to one that a shipped migration uses.
//! `tests/schema_sql.rs` compares the SQL of every migration with `schema/*.sql` and fails,
//! naming this rule, when a helper's output moves.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::sea_orm::prelude::Uuid;

mod alter;
mod rebuild;
pub use alter::{AddColumns, IndexSpec, NamedCheck, NewColumn};
pub use rebuild::{FOREIGN_KEYS_OFF_SQL, Rebuild, RebuildTables, TableChange, TableShape};

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

impl DbEnum {
    /// One of this enum's values, checked at compile time when used in a const context:
    /// `.default(const { ROLE.value("student") })` does not build if `student` is not a `role`.
    pub const fn value(&self, value: &'static str) -> &'static str {
        let mut i = 0;
        while i < self.values.len() {
            if const_str_eq(self.values[i], value) {
                return value;
            }
            i += 1;
        }
        panic!("not a value of this enum")
    }
}

const fn const_str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
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
            options: Vec::new(),
            columns: Vec::new(),
            partition_key: None,
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
            def.options
                .push("/*T! SHARD_ROW_ID_BITS=4 PRE_SPLIT_REGIONS=3 */".to_owned());
        }
        def.col(id)
    }

    /// An insert-heavy table that PostgreSQL partitions by range of `key` (SPEC.md §10, §17.2).
    /// PostgreSQL requires every unique key of a partitioned table to contain the partition key,
    /// so there the primary key is `(id, key)` and every `.unique(..)` gets `key` appended; MySQL
    /// and SQLite get a plain insert-heavy table (their partitioned tables cannot have foreign
    /// keys). The partitions themselves are a [`Step::Sql`] of the table's group.
    pub fn partitioned_table(
        &self,
        table: impl IntoIden,
        id: impl IntoIden,
        key: impl IntoIden,
    ) -> TableDef {
        if !self.is_postgres() {
            return self.insert_heavy_table(table, id);
        }
        let (id, key) = (id.into_iden(), key.into_iden());
        let mut def = self.table(table);
        def.create
            .primary_key(Index::create().col(id.clone()).col(key.clone()))
            .partition_by_range([key.clone()]);
        def.partition_key = Some(key);
        let mut column = ColumnDef::new(id);
        column
            .uuid()
            .not_null()
            .default(Expr::cust("gen_random_uuid()"));
        def.col(column)
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

    /// `<parent>_id uuid PRIMARY KEY` with no default: the key of a 1:1 extension table is its
    /// parent's id (SPEC.md §0.1: `course_analytics.course_id`, `student_analytics.user_id`).
    pub fn parent_key(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.uuid().not_null().primary_key();
        def
    }

    /// A uuid column (foreign keys and other references), NOT NULL.
    pub fn uuid(&self, col: impl IntoIden) -> ColumnDef {
        not_null(self.uuid_null(col))
    }

    /// A nullable uuid column.
    pub fn uuid_null(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.uuid();
        def
    }

    /// A UTC timestamp, NOT NULL.
    pub fn timestamptz(&self, col: impl IntoIden) -> ColumnDef {
        not_null(self.timestamptz_null(col))
    }

    /// A nullable UTC timestamp (domain timestamps such as `published_at`).
    pub fn timestamptz_null(&self, col: impl IntoIden) -> ColumnDef {
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

    /// A calendar date, NOT NULL (`date_text` on SQLite, ISO 8601 `YYYY-MM-DD` as sqlx writes it).
    pub fn date(&self, col: impl IntoIden) -> ColumnDef {
        not_null(self.date_null(col))
    }

    pub fn date_null(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.date();
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
        def.default(self.now());
        def
    }

    /// `updated_at timestamptz NOT NULL DEFAULT now`; MySQL also bumps it on every update
    /// (`ON UPDATE CURRENT_TIMESTAMP(6)`), PostgreSQL and SQLite get triggers (SPEC.md §19,
    /// [`Step::UpdatedAtTriggers`]).
    pub fn updated_at(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = self.created_at(col);
        if self.is_mysql() {
            def.extra("ON UPDATE CURRENT_TIMESTAMP(6)");
        }
        def
    }

    pub fn string(&self, col: impl IntoIden, len: u32) -> ColumnDef {
        not_null(self.string_null(col, len))
    }

    pub fn string_null(&self, col: impl IntoIden, len: u32) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.string_len(len);
        def
    }

    /// A NOT NULL string compared byte by byte on every backend. The MySQL family's tables use a
    /// case-insensitive collation, under which 'a' and 'A' would collide in a unique key; this
    /// column gets `utf8mb4_bin` there (SPEC.md §17.6: `character_overrides.glyph`). PostgreSQL
    /// and SQLite compare strings exactly already.
    pub fn string_binary(&self, col: impl IntoIden, len: u32) -> ColumnDef {
        let mut def = self.string(col, len);
        if self.is_mysql() {
            def.extra("COLLATE utf8mb4_bin");
        }
        def
    }

    pub fn char(&self, col: impl IntoIden, len: u32) -> ColumnDef {
        not_null(self.char_null(col, len))
    }

    pub fn char_null(&self, col: impl IntoIden, len: u32) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.char_len(len);
        def
    }

    /// Unbounded text, NOT NULL. MySQL's TEXT stops at 64 KB, too small for story content and AI
    /// feedback, so it gets MEDIUMTEXT (16 MB).
    pub fn text(&self, col: impl IntoIden) -> ColumnDef {
        not_null(self.text_null(col))
    }

    pub fn text_null(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        if self.is_mysql() {
            def.custom("mediumtext");
        } else {
            def.text();
        }
        def
    }

    pub fn boolean(&self, col: impl IntoIden) -> ColumnDef {
        not_null(self.boolean_null(col))
    }

    pub fn boolean_null(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.boolean();
        def
    }

    pub fn smallint(&self, col: impl IntoIden) -> ColumnDef {
        not_null(self.smallint_null(col))
    }

    pub fn smallint_null(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.small_integer();
        def
    }

    pub fn integer(&self, col: impl IntoIden) -> ColumnDef {
        not_null(self.integer_null(col))
    }

    pub fn integer_null(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.integer();
        def
    }

    pub fn bigint(&self, col: impl IntoIden) -> ColumnDef {
        not_null(self.bigint_null(col))
    }

    pub fn bigint_null(&self, col: impl IntoIden) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.big_integer();
        def
    }

    /// `numeric(p,s)` NOT NULL; on SQLite sea-query's `real(p, s)`, REAL affinity. SeaORM reads
    /// SQLite decimals through `f64`, which accepts only the REAL storage class, while NUMERIC
    /// affinity would store whole numbers (`0`, `'4.00'`) as INTEGER and make those rows
    /// unreadable.
    pub fn decimal(&self, col: impl IntoIden, precision: u32, scale: u32) -> ColumnDef {
        not_null(self.decimal_null(col, precision, scale))
    }

    pub fn decimal_null(&self, col: impl IntoIden, precision: u32, scale: u32) -> ColumnDef {
        let mut def = ColumnDef::new(col);
        def.decimal_len(precision, scale);
        def
    }

    /// A JSON document, NOT NULL: jsonb on PostgreSQL, JSON on MySQL (MariaDB adds its own
    /// `json_valid` check), and TEXT with `CHECK (json_valid(col))` on SQLite.
    pub fn json(&self, col: impl IntoIden) -> ColumnDef {
        not_null(self.json_null(col))
    }

    pub fn json_null(&self, col: impl IntoIden) -> ColumnDef {
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

    /// A nullable JSON document whose SQLite check lets NULL through on every SQLite version:
    /// `CHECK ("col" IS NULL OR json_valid("col"))`. Before SQLite 3.45, `json_valid(NULL)` is 0,
    /// so [`Ddl::json_null`]'s `CHECK (json_valid("col"))` rejects NULL there (the sqlite3 shell
    /// and Python of Debian 12, `PRAGMA integrity_check`); from 3.45 it is NULL and passes.
    /// PostgreSQL and the MySQL family get what `json_null` gives. Every migration after module
    /// 20 writes nullable JSON with this helper; `json_null` stays as it is for the shipped
    /// migrations (frozen output), whose columns module 21 rebuilt with this check.
    pub fn json_null_or_valid(&self, col: impl IntoIden) -> ColumnDef {
        let col = col.into_iden();
        let mut def = ColumnDef::new(col.clone());
        match self.backend {
            DbBackend::Postgres => def.json_binary(),
            DbBackend::Sqlite => def.json().check(
                Expr::col(col.clone())
                    .is_null()
                    .or(Func::cust("json_valid").arg(Expr::col(col))),
            ),
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

    /// A NOT NULL column of a database enum (SPEC.md §17.1). Give a default as
    /// `.default(const { E.value("v") })`, so a value outside the enum does not compile.
    pub fn enumeration(&self, col: impl IntoIden, db_enum: &DbEnum) -> ColumnDef {
        not_null(self.enumeration_null(col, db_enum))
    }

    pub fn enumeration_null(&self, col: impl IntoIden, db_enum: &DbEnum) -> ColumnDef {
        let col = col.into_iden();
        let mut def = ColumnDef::new(col.clone());
        def.enumeration(db_enum.name, db_enum.values.iter().map(|v| v.into_iden()));
        if self.is_sqlite() {
            def.check(Expr::col(col).is_in(db_enum.values.iter().copied()));
        }
        def
    }

    /// An enum value in a statement (reference rows, views): cast to the native type on
    /// PostgreSQL, plain text elsewhere.
    pub fn enum_value(&self, db_enum: &DbEnum, value: &'static str) -> Expr {
        if self.is_postgres() {
            Expr::val(value).as_enum(Alias::new(db_enum.name))
        } else {
            Expr::val(value)
        }
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

    async fn execute_all(
        &self,
        manager: &SchemaManager<'_>,
        statements: Vec<String>,
    ) -> Result<(), DbErr> {
        for sql in statements {
            self.execute(manager, &sql).await?;
        }
        Ok(())
    }

    async fn execute(&self, manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(sql)
            .await
            .map(|_| ())
    }
}

fn not_null(mut def: ColumnDef) -> ColumnDef {
    def.not_null();
    def
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

/// `col IS NULL OR col >= 0`: optional counters and sizes.
pub fn null_or_non_negative(col: impl IntoIden) -> Expr {
    let col = col.into_iden();
    Expr::col(col.clone()).is_null().or(Expr::col(col).gte(0))
}

/// A foreign key whose parent table is created by a later group, to break a cycle between
/// groups (SPEC.md §1: `enrollments.payment_id`, `questions.knowledge_point_id`). It is defined
/// once, by a function in the child's module, and used twice: the child table declares it with
/// [`TableDef::deferred_foreign_key`] (inline on SQLite, which cannot add a constraint later and
/// checks the parent only on DML), and the parent's group lists it as
/// [`Step::ForeignKey`], which adds it with `ALTER TABLE … ADD CONSTRAINT` on PostgreSQL and the
/// MySQL family and drops it again in `down()`.
pub struct ForeignKeySpec {
    pub name: &'static str,
    pub table: DynIden,
    pub column: DynIden,
    pub ref_table: DynIden,
    pub ref_column: DynIden,
    pub on_delete: ForeignKeyAction,
}

/// A view: its SQL per backend (sea-query has no CREATE VIEW), or why it is absent there.
pub struct View {
    pub name: &'static str,
    pub definition: fn(DbBackend) -> ViewDefinition,
}

pub enum ViewDefinition {
    /// `CREATE VIEW name AS <select>`.
    Select(String),
    /// PostgreSQL: created only when `extension` is installed, decided by the server when the
    /// migration runs (the SQL stays the same); otherwise the server raises a WARNING saying the
    /// view was skipped.
    WhenExtension {
        extension: &'static str,
        select: String,
    },
    /// The backend has nothing to build the view from; the reason is documented in
    /// `docs/schema-decisions.md`.
    Absent(&'static str),
}

/// SQL objects that sea-query cannot build (functions, partitions), per backend: the statements
/// that create them and the statements that remove them.
pub struct SqlObject {
    pub create: fn(DbBackend) -> Vec<String>,
    pub drop: fn(DbBackend) -> Vec<String>,
}

/// Reference rows with fixed ids (SPEC.md §21): inserted idempotently (a row whose conflict key
/// exists is left as it is) and removed by id.
pub struct ReferenceRows {
    pub table: DynIden,
    pub id: DynIden,
    /// The natural key the insert skips on (`ON CONFLICT (..) DO NOTHING`; the MySQL family's
    /// `ON DUPLICATE KEY UPDATE id = id` skips on any unique key).
    pub conflict: Vec<DynIden>,
    /// Columns, `id` first.
    pub columns: Vec<DynIden>,
    /// One value per column, the id first.
    pub rows: Vec<(Uuid, Vec<Expr>)>,
    /// When set, `down()` deletes only rows where this column IS NULL: system rows, not copies a
    /// user made their own (`created_by`).
    pub system_marker: Option<DynIden>,
}

/// One schema object beside a group's tables.
pub enum Step {
    ForeignKey(fn() -> ForeignKeySpec),
    /// `updated_at` maintenance for every table of these groups that has the column
    /// (SPEC.md §19): one function and a BEFORE UPDATE trigger per table on PostgreSQL, an AFTER
    /// UPDATE trigger per table on SQLite, nothing on the MySQL family (whose column carries
    /// `ON UPDATE CURRENT_TIMESTAMP(6)`, as TiDB has no triggers). Every backend keeps a value
    /// that the UPDATE itself sets.
    UpdatedAtTriggers(&'static [&'static TableGroup]),
    View(&'static View),
    Sql(&'static SqlObject),
    Rows(fn(&Ddl) -> ReferenceRows),
    /// Columns added to a table an earlier migration created, with their named checks
    /// ([`AddColumns`]); `down()` drops them. On the MySQL family the checks are added as the
    /// group's last statements and dropped as its first (SPEC-26-27 §26.6).
    AddColumns(fn(&Ddl) -> AddColumns),
    /// An index or unique on a table an earlier migration created ([`IndexSpec`]); `down()`
    /// drops it.
    AddIndex(fn() -> IndexSpec),
    /// An index an earlier migration created, dropped; `down()` creates it again.
    DropIndex(fn() -> IndexSpec),
    /// `updated_at` maintenance for these tables of a later group, with the function module 17
    /// created (PostgreSQL's `set_updated_at()`), which it neither creates nor drops.
    UpdatedAtTriggersFor(&'static [fn(&Ddl) -> TableDef]),
    /// Tables rebuilt on SQLite by its documented procedure, with foreign keys off, to change
    /// what its `ALTER TABLE` cannot ([`RebuildTables`]); `down()` rebuilds them back. Nothing
    /// on PostgreSQL and the MySQL family.
    RebuildTables(&'static RebuildTables),
}

/// The trigger function PostgreSQL's `updated_at` triggers run. It keeps an `updated_at` that the
/// UPDATE sets to a new value, as MySQL's `ON UPDATE` and SQLite's `WHEN` guard do.
pub const SET_UPDATED_AT: &str = "set_updated_at";

/// `trg_<table>_updated_at`.
pub fn updated_at_trigger_name(table: &str) -> String {
    format!("trg_{table}_updated_at")
}

impl Step {
    async fn up(&self, ddl: &Ddl, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        match self {
            Step::ForeignKey(spec) => {
                if ddl.is_sqlite() {
                    return Ok(());
                }
                let spec = spec();
                manager
                    .create_foreign_key(
                        ForeignKey::create()
                            .name(spec.name)
                            .from(spec.table, spec.column)
                            .to(spec.ref_table, spec.ref_column)
                            .on_delete(spec.on_delete)
                            .on_update(ForeignKeyAction::NoAction)
                            .to_owned(),
                    )
                    .await
            }
            Step::UpdatedAtTriggers(groups) => {
                let tables = trigger_tables(ddl, groups.iter().flat_map(|g| g.tables.iter()));
                ddl.execute_all(manager, updated_at_sql(ddl, &tables, true, true))
                    .await
            }
            Step::View(view) => match (view.definition)(ddl.backend) {
                ViewDefinition::Select(select) => {
                    ddl.execute(
                        manager,
                        &format!("CREATE VIEW {} AS {select}", quote(ddl, view.name)),
                    )
                    .await
                }
                ViewDefinition::WhenExtension { extension, select } => {
                    let name = view.name;
                    ddl.execute(
                        manager,
                        &format!(
                            "DO $learndb$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = '{extension}') THEN EXECUTE $view$CREATE VIEW \"{name}\" AS {select}$view$; ELSE RAISE WARNING 'learndb: view {name} skipped: the {extension} extension is not installed (CREATE EXTENSION {extension}, then re-create the view by rolling back and re-applying the views migration)'; END IF; END $learndb$"
                        ),
                    )
                    .await
                }
                ViewDefinition::Absent(_) => Ok(()),
            },
            Step::Sql(object) => {
                for sql in (object.create)(ddl.backend) {
                    ddl.execute(manager, &sql).await?;
                }
                Ok(())
            }
            Step::Rows(rows) => {
                let rows = rows(ddl);
                let mut insert = Query::insert();
                insert
                    .into_table(rows.table.clone())
                    .columns(rows.columns.clone());
                for (_, values) in rows.rows {
                    insert
                        .values(values)
                        .map_err(|e| DbErr::Migration(format!("reference rows: {e}")))?;
                }
                insert.on_conflict(
                    OnConflict::columns(rows.conflict)
                        .do_nothing_on([rows.id])
                        .to_owned(),
                );
                manager.exec_stmt(insert).await
            }
            Step::AddColumns(columns) => ddl.execute_all(manager, columns(ddl).up(ddl)).await,
            Step::AddIndex(index) => ddl.execute_all(manager, index().create(ddl)).await,
            Step::DropIndex(index) => ddl.execute_all(manager, index().drop(ddl)).await,
            Step::UpdatedAtTriggersFor(tables) => {
                let sql = updated_at_sql(ddl, &trigger_tables(ddl, tables.iter()), false, true);
                ddl.execute_all(manager, sql).await
            }
            Step::RebuildTables(rebuilds) => {
                ddl.execute_all(manager, rebuilds.sql(ddl, true)?).await
            }
        }
    }

    async fn down(&self, ddl: &Ddl, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        match self {
            Step::ForeignKey(spec) => {
                if ddl.is_sqlite() {
                    return Ok(());
                }
                let spec = spec();
                manager
                    .drop_foreign_key(
                        ForeignKey::drop()
                            .name(spec.name)
                            .table(spec.table)
                            .to_owned(),
                    )
                    .await
            }
            Step::UpdatedAtTriggers(groups) => {
                let tables = trigger_tables(ddl, groups.iter().flat_map(|g| g.tables.iter()));
                ddl.execute_all(manager, updated_at_sql(ddl, &tables, true, false))
                    .await
            }
            Step::View(view) => match (view.definition)(ddl.backend) {
                ViewDefinition::Select(_) => {
                    ddl.execute(manager, &format!("DROP VIEW {}", quote(ddl, view.name)))
                        .await
                }
                // Whether the view exists was the server's decision; so is dropping it.
                ViewDefinition::WhenExtension { .. } => {
                    ddl.execute(
                        manager,
                        &format!("DROP VIEW IF EXISTS {}", quote(ddl, view.name)),
                    )
                    .await
                }
                ViewDefinition::Absent(_) => Ok(()),
            },
            Step::Sql(object) => {
                for sql in (object.drop)(ddl.backend) {
                    ddl.execute(manager, &sql).await?;
                }
                Ok(())
            }
            Step::Rows(rows) => {
                let rows = rows(ddl);
                let ids: Vec<Uuid> = rows.rows.iter().map(|(id, _)| *id).collect();
                let mut delete = Query::delete();
                delete
                    .from_table(rows.table)
                    .and_where(Expr::col(rows.id).is_in(ids));
                if let Some(marker) = rows.system_marker {
                    delete.and_where(Expr::col(marker).is_null());
                }
                manager.exec_stmt(delete).await
            }
            Step::AddColumns(columns) => ddl.execute_all(manager, columns(ddl).down(ddl)).await,
            Step::AddIndex(index) => ddl.execute_all(manager, index().drop(ddl)).await,
            Step::DropIndex(index) => ddl.execute_all(manager, index().create(ddl)).await,
            Step::UpdatedAtTriggersFor(tables) => {
                let sql = updated_at_sql(ddl, &trigger_tables(ddl, tables.iter()), false, false);
                ddl.execute_all(manager, sql).await
            }
            Step::RebuildTables(rebuilds) => {
                ddl.execute_all(manager, rebuilds.sql(ddl, false)?).await
            }
        }
    }

    /// Whether PostgreSQL must run this step outside a transaction block (`CONCURRENTLY`).
    const fn online_const(&self) -> bool {
        matches!(self, Step::AddIndex(_) | Step::DropIndex(_))
    }
}

/// An identifier quoted for the backend.
fn quote(ddl: &Ddl, name: &str) -> String {
    if ddl.is_mysql() {
        format!("`{name}`")
    } else {
        format!("\"{name}\"")
    }
}

/// The tables of `tables` that have an `updated_at` column, with the column that identifies a row.
fn trigger_tables<'a>(
    ddl: &Ddl,
    tables: impl Iterator<Item = &'a fn(&Ddl) -> TableDef>,
) -> Vec<(String, String)> {
    tables
        .map(|table| table(ddl))
        .filter(|def| def.column_named("updated_at"))
        .map(|def| (def.table.to_string(), def.key_column()))
        .collect()
}

/// The statements that create (or drop, in reverse order) the `updated_at` maintenance of
/// `tables`, with (module 17) or without (a later group) PostgreSQL's trigger function.
fn updated_at_sql(
    ddl: &Ddl,
    tables: &[(String, String)],
    with_function: bool,
    create: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    match (ddl.backend, create) {
        (DbBackend::Postgres, true) => {
            if with_function {
                out.push(format!(
                "CREATE FUNCTION \"{SET_UPDATED_AT}\"() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.\"updated_at\" IS NOT DISTINCT FROM OLD.\"updated_at\" THEN NEW.\"updated_at\" := now(); END IF; RETURN NEW; END $$"
            ));
            }
            for (table, _) in tables {
                out.push(format!(
                    "CREATE TRIGGER \"{}\" BEFORE UPDATE ON \"{table}\" FOR EACH ROW EXECUTE FUNCTION \"{SET_UPDATED_AT}\"()",
                    updated_at_trigger_name(table)
                ));
            }
        }
        (DbBackend::Postgres, false) => {
            for (table, _) in tables.iter().rev() {
                out.push(format!(
                    "DROP TRIGGER \"{}\" ON \"{table}\"",
                    updated_at_trigger_name(table)
                ));
            }
            if with_function {
                out.push(format!("DROP FUNCTION \"{SET_UPDATED_AT}\"()"));
            }
        }
        (DbBackend::Sqlite, true) => {
            // The WHEN guard skips rows whose UPDATE set updated_at itself, and stops the
            // trigger's own UPDATE from firing it again.
            for (table, key) in tables {
                out.push(format!(
                    "CREATE TRIGGER \"{}\" AFTER UPDATE ON \"{table}\" FOR EACH ROW WHEN NEW.\"updated_at\" IS OLD.\"updated_at\" BEGIN UPDATE \"{table}\" SET \"updated_at\" = {SQLITE_NOW} WHERE \"{key}\" = NEW.\"{key}\"; END",
                    updated_at_trigger_name(table)
                ));
            }
        }
        (DbBackend::Sqlite, false) => {
            for (table, _) in tables.iter().rev() {
                out.push(format!(
                    "DROP TRIGGER \"{}\"",
                    updated_at_trigger_name(table)
                ));
            }
        }
        _ => {}
    }
    out
}

/// A table group's schema objects: the enums it creates, its tables in foreign-key order, and
/// the steps beside them. `up` creates them in that order and `down` drops them in exactly the
/// reverse order, derived from the same lists, so the two cannot drift apart.
pub struct TableGroup {
    pub enums: &'static [&'static DbEnum],
    pub tables: &'static [fn(&Ddl) -> TableDef],
    pub steps: &'static [Step],
}

impl TableGroup {
    pub async fn up(&self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        let ddl = Ddl::of(manager);
        for step in self.steps {
            if let Step::AddIndex(index) = step
                && let Some(guard) = index().duplicate_guard(&ddl)
            {
                ddl.execute(manager, &guard).await?;
            }
        }
        for db_enum in self.enums {
            ddl.create_enum(manager, db_enum).await?;
        }
        for table in self.tables {
            ddl.create_table(manager, table(&ddl)).await?;
        }
        for step in self.steps {
            step.up(&ddl, manager).await?;
        }
        if ddl.is_mysql() {
            for columns in self.added_columns(&ddl) {
                ddl.execute_all(manager, columns.mysql_checks_up(&ddl))
                    .await?;
            }
        }
        Ok(())
    }

    pub async fn down(&self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        let ddl = Ddl::of(manager);
        if ddl.is_mysql() {
            for columns in self.added_columns(&ddl).iter().rev() {
                ddl.execute_all(manager, columns.mysql_checks_down(&ddl))
                    .await?;
            }
        }
        for step in self.steps.iter().rev() {
            step.down(&ddl, manager).await?;
        }
        for table in self.tables.iter().rev() {
            ddl.drop_table(manager, table(&ddl).table).await?;
        }
        for db_enum in self.enums.iter().rev() {
            ddl.drop_enum(manager, db_enum).await?;
        }
        Ok(())
    }

    /// The columns this group adds to earlier tables, in step order.
    fn added_columns(&self, ddl: &Ddl) -> Vec<AddColumns> {
        self.steps
            .iter()
            .filter_map(|step| match step {
                Step::AddColumns(columns) => Some(columns(ddl)),
                _ => None,
            })
            .collect()
    }

    /// What the group's migration answers to `use_transaction()`: `Some(true)`, one transaction
    /// wherever DDL is transactional, unless a step must run outside a transaction block on
    /// PostgreSQL (`CONCURRENTLY`). Then `None`, and the runner decides per backend from the
    /// SQL: journaled on PostgreSQL, one transaction on SQLite.
    pub const fn use_transaction(&self) -> Option<bool> {
        let mut i = 0;
        while i < self.steps.len() {
            if self.steps[i].online_const() {
                return None;
            }
            i += 1;
        }
        Some(true)
    }
}

/// The `MigrationTrait` impl of a module that is one [`TableGroup`]: `group_migration!(GROUP);`
/// declares `pub struct Migration`, named after the module's file like every sea-orm-migration
/// migration, whose `up()` and `down()` are the group's.
///
/// `use_transaction()` is the group's ([`TableGroup::use_transaction`]): `Some(true)` for a group
/// of plain DDL, which is transactional on PostgreSQL and SQLite, so a failure leaves nothing
/// behind there (MySQL commits each DDL statement implicitly whatever this says); `None` for a
/// group with online steps, which learndb's runner journals on PostgreSQL. sea-orm-migration's
/// own `Migrator::up` would wrap such a group in a transaction on PostgreSQL, where
/// `CREATE INDEX CONCURRENTLY` fails: apply learndb's migrations with `migration::Runner`.
#[macro_export]
macro_rules! group_migration {
    ($group:expr) => {
        #[derive(DeriveMigrationName)]
        pub struct Migration;

        #[async_trait::async_trait]
        impl MigrationTrait for Migration {
            async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                $group.up(manager).await
            }

            async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
                $group.down(manager).await
            }

            fn use_transaction(&self) -> Option<bool> {
                $group.use_transaction()
            }
        }
    };
}

/// One table, described once: columns, foreign keys, checks, uniques and indexes.
pub struct TableDef {
    ddl: Ddl,
    table: DynIden,
    create: TableCreateStatement,
    /// Table options, joined: sea-query's `extra()` keeps only the last one it is given.
    options: Vec<String>,
    columns: Vec<String>,
    partition_key: Option<DynIden>,
    foreign_keys: Vec<String>,
    uniques: Vec<IndexCreateStatement>,
    indexes: Vec<IndexCreateStatement>,
}

impl TableDef {
    pub fn col(mut self, column: impl IntoColumnDef) -> Self {
        let column = column.into_column_def();
        self.columns.push(column.get_column_name());
        self.create.col(column);
        self
    }

    /// The table's name.
    pub fn name(&self) -> String {
        self.table.to_string()
    }

    fn column_named(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c == name)
    }

    /// The column that identifies a row: the inline primary key (`id`, or the parent's id of a
    /// 1:1 extension table), else `id`.
    fn key_column(&self) -> String {
        self.create
            .get_columns()
            .iter()
            .find(|c| c.get_column_spec().primary_key)
            .map(|c| c.get_column_name())
            .unwrap_or_else(|| "id".to_owned())
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

    /// A foreign key to a table a later group creates ([`ForeignKeySpec`]): part of this table on
    /// SQLite, added by the later group's [`Step::ForeignKey`] elsewhere.
    pub fn deferred_foreign_key(self, spec: fn() -> ForeignKeySpec) -> Self {
        if !self.ddl.is_sqlite() {
            return self;
        }
        let spec = spec();
        self.foreign_key(
            spec.name,
            spec.column,
            spec.ref_table,
            spec.ref_column,
            spec.on_delete,
        )
    }

    /// A named CHECK constraint.
    pub fn check(mut self, name: &str, expr: Expr) -> Self {
        self.create.check((Alias::new(name), expr));
        self
    }

    /// A named CHECK on a column that a foreign key's referential action writes (`ON DELETE
    /// CASCADE` or `SET NULL`). MySQL forbids such checks (error 3823) and TiDB is assumed to
    /// follow it, so only PostgreSQL and SQLite get it; on the MySQL family the application
    /// enforces the rule (SPEC.md §17.5, the checks marked ‡).
    pub fn check_on_fk_column(self, name: &str, expr: Expr) -> Self {
        if self.ddl.is_mysql() {
            return self;
        }
        self.check(name, expr)
    }

    /// A named unique constraint. On a PostgreSQL partitioned table the partition key is
    /// appended, as PostgreSQL requires.
    pub fn unique<C: IntoIden>(mut self, name: &str, columns: impl IntoIterator<Item = C>) -> Self {
        let mut index = Index::create();
        index.name(name).unique();
        for column in columns {
            index.col(column.into_iden());
        }
        if let Some(key) = &self.partition_key {
            index.col(key.clone());
        }
        self.uniques.push(index);
        self
    }

    /// A primary key of several columns (the import's provenance map; SPEC-26-27 §27.3). No
    /// migration uses it: their keys are the inline `id` or a parent's id.
    pub fn primary_key<C: IntoIden>(mut self, columns: impl IntoIterator<Item = C>) -> Self {
        let mut index = Index::create();
        for column in columns {
            index.col(column.into_iden());
        }
        self.create.primary_key(&mut index);
        self
    }

    /// `CREATE TABLE IF NOT EXISTS`: for tables a tool creates on first use (the import's, SPEC-26-27
    /// §27.3), since MySQL DDL commits statement by statement and a later run completes a
    /// half-created set. No migration uses it.
    pub fn if_absent(mut self) -> Self {
        self.create.if_not_exists();
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
            options,
            uniques,
            indexes,
            ..
        } = self;
        if !options.is_empty() {
            create.extra(options.join(" "));
        }
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
