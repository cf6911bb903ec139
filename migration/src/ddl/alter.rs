//! Steps on tables an earlier migration created: the DSL of every migration after the launch set
//! (SPEC-26-27 §26.6). Each step is written once, in portable terms, and derives its `down()`.
//!
//! | step            | PostgreSQL (online)                          | MySQL family                          | SQLite                              |
//! |-----------------|----------------------------------------------|---------------------------------------|-------------------------------------|
//! | add columns     | one `ALTER TABLE` adding the columns and     | one `ALTER TABLE … ADD COLUMN …, …`;  | one `ALTER TABLE … ADD COLUMN` per  |
//! |                 | their checks `NOT VALID`, then `VALIDATE`    | checks last, one `ALTER TABLE` each   | column, its check a named column    |
//! |                 | per check                                    |                                       | constraint                          |
//! | add index       | `CREATE INDEX CONCURRENTLY`                  | `ALTER TABLE … ADD KEY`               | `CREATE INDEX`                      |
//! | add unique      | a duplicate guard first, `CREATE UNIQUE INDEX| `ALTER TABLE … ADD UNIQUE KEY`        | `CREATE UNIQUE INDEX`               |
//! |                 | CONCURRENTLY`, then `ADD CONSTRAINT … UNIQUE |                                       |                                     |
//! |                 | USING INDEX`                                 |                                       |                                     |
//! | drop index      | `DROP INDEX CONCURRENTLY`                    | `ALTER TABLE … DROP KEY`              | `DROP INDEX`                        |
//!
//! **Online on PostgreSQL.** A table that already holds rows keeps taking writes while a later
//! migration runs, as pgroll and squawk teach: nothing holds `ACCESS EXCLUSIVE` while it scans
//! or builds. A check is added `NOT VALID` (a catalog change under a short lock) and validated
//! under `SHARE UPDATE EXCLUSIVE`, which lets writes through; an index is built `CONCURRENTLY`;
//! a unique constraint takes over an index built that way. `CONCURRENTLY` cannot run inside a
//! transaction block, so the runner runs such a migration journaled on PostgreSQL (statement by
//! statement, each under the DDL lock timeout, recoverable with `up --recover`), as it runs
//! every migration on the MySQL family; SQLite keeps its one transaction.
//!
//! **Frozen output.** The SQL a shipped migration produces never changes, including what it gets
//! from these helpers: a change of behaviour is a new helper or a new step, never an edit of one
//! that a shipped migration uses (`tests/schema_sql.rs` fails, naming this rule, if one does).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use super::{Ddl, quote};

/// Columns added to an existing table, each with its optional named check (SPEC-26-27 §26.6).
pub struct AddColumns {
    pub table: DynIden,
    pub columns: Vec<NewColumn>,
}

/// One added column: its definition (from the [`Ddl`] column helpers) and a named check on it.
pub struct NewColumn {
    pub def: ColumnDef,
    pub check: Option<NamedCheck>,
}

/// A named CHECK constraint on one column.
pub struct NamedCheck {
    pub name: &'static str,
    pub expr: Expr,
}

impl AddColumns {
    pub fn new(table: impl IntoIden) -> Self {
        AddColumns {
            table: table.into_iden(),
            columns: Vec::new(),
        }
    }

    /// Adds a column without a check of its own.
    pub fn col(mut self, def: impl IntoColumnDef) -> Self {
        self.columns.push(NewColumn {
            def: def.into_column_def(),
            check: None,
        });
        self
    }

    /// Adds a column with a named check on it (`ck_<table>_<rule>`).
    pub fn col_checked(mut self, def: impl IntoColumnDef, name: &'static str, expr: Expr) -> Self {
        self.columns.push(NewColumn {
            def: def.into_column_def(),
            check: Some(NamedCheck { name, expr }),
        });
        self
    }

    fn table_name(&self) -> String {
        self.table.to_string()
    }

    /// The statements that add the columns (on the MySQL family without their checks, which
    /// [`AddColumns::mysql_checks_up`] adds at the end of the group).
    pub(super) fn up(&self, ddl: &Ddl) -> Vec<String> {
        let table = self.table_name();
        match ddl.backend() {
            DbBackend::Postgres => {
                let mut clauses: Vec<String> = self
                    .columns
                    .iter()
                    .map(|c| format!("ADD COLUMN {}", column_sql(ddl, &c.def)))
                    .collect();
                let checks: Vec<&NamedCheck> = self.checks().collect();
                clauses.extend(checks.iter().map(|check| {
                    format!(
                        "ADD CONSTRAINT {} CHECK ({}) NOT VALID",
                        quote(ddl, check.name),
                        expr_sql(ddl, &check.expr)
                    )
                }));
                let mut out = vec![format!(
                    "ALTER TABLE {} {}",
                    quote(ddl, &table),
                    clauses.join(", ")
                )];
                out.extend(checks.iter().map(|check| {
                    format!(
                        "ALTER TABLE {} VALIDATE CONSTRAINT {}",
                        quote(ddl, &table),
                        quote(ddl, check.name)
                    )
                }));
                out
            }
            DbBackend::MySql => vec![format!(
                "ALTER TABLE {} {}",
                quote(ddl, &table),
                self.columns
                    .iter()
                    .map(|c| format!("ADD COLUMN {}", column_sql(ddl, &c.def)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
            _ => self
                .columns
                .iter()
                .map(|c| {
                    let mut def = c.def.clone();
                    if let Some(check) = &c.check {
                        def.check(Check::named(Alias::new(check.name), check.expr.clone()));
                    }
                    format!(
                        "ALTER TABLE {} ADD COLUMN {}",
                        quote(ddl, &table),
                        column_sql(ddl, &def)
                    )
                })
                .collect(),
        }
    }

    /// The statements that drop the columns again, in reverse order (their checks and indexes
    /// go with them; on the MySQL family [`AddColumns::mysql_checks_down`] dropped the checks
    /// first).
    pub(super) fn down(&self, ddl: &Ddl) -> Vec<String> {
        let table = quote(ddl, &self.table_name());
        let names: Vec<String> = self
            .columns
            .iter()
            .rev()
            .map(|c| quote(ddl, &c.def.get_column_name()))
            .collect();
        match ddl.backend() {
            DbBackend::Sqlite => names
                .iter()
                .map(|name| format!("ALTER TABLE {table} DROP COLUMN {name}"))
                .collect(),
            _ => vec![format!(
                "ALTER TABLE {table} {}",
                names
                    .iter()
                    .map(|name| format!("DROP COLUMN {name}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )],
        }
    }

    fn checks(&self) -> impl Iterator<Item = &NamedCheck> {
        self.columns.iter().filter_map(|c| c.check.as_ref())
    }

    /// MySQL family: one `ALTER TABLE … ADD CONSTRAINT … CHECK` per check, a table constraint in
    /// a statement of its own (TiDB cannot add a check in a multi-clause `ALTER TABLE`).
    pub(super) fn mysql_checks_up(&self, ddl: &Ddl) -> Vec<String> {
        self.checks()
            .map(|check| {
                format!(
                    "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({})",
                    quote(ddl, &self.table_name()),
                    quote(ddl, check.name),
                    expr_sql(ddl, &check.expr)
                )
            })
            .collect()
    }

    /// MySQL family: the checks dropped, in reverse order, before anything else of the group.
    /// `DROP CONSTRAINT` is the one spelling MariaDB, TiDB and MySQL ≥ 8.0.19 share.
    pub(super) fn mysql_checks_down(&self, ddl: &Ddl) -> Vec<String> {
        let checks: Vec<&NamedCheck> = self.checks().collect();
        checks
            .iter()
            .rev()
            .map(|check| {
                format!(
                    "ALTER TABLE {} DROP CONSTRAINT {}",
                    quote(ddl, &self.table_name()),
                    quote(ddl, check.name)
                )
            })
            .collect()
    }
}

/// A secondary index or unique key on an existing table.
pub struct IndexSpec {
    pub name: &'static str,
    pub table: DynIden,
    pub columns: Vec<DynIden>,
    pub unique: bool,
}

impl IndexSpec {
    /// A secondary index `ix_<table>_<cols>`.
    pub fn index<C: IntoIden>(
        name: &'static str,
        table: impl IntoIden,
        columns: impl IntoIterator<Item = C>,
    ) -> Self {
        IndexSpec {
            name,
            table: table.into_iden(),
            columns: columns.into_iter().map(IntoIden::into_iden).collect(),
            unique: false,
        }
    }

    /// A unique constraint `uq_<table>_<cols>`.
    pub fn unique<C: IntoIden>(
        name: &'static str,
        table: impl IntoIden,
        columns: impl IntoIterator<Item = C>,
    ) -> Self {
        IndexSpec {
            unique: true,
            ..IndexSpec::index(name, table, columns)
        }
    }

    fn column_list(&self, ddl: &Ddl) -> String {
        self.columns
            .iter()
            .map(|c| quote(ddl, &c.to_string()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The statements that create the index (or unique) on a table in use.
    pub(super) fn create(&self, ddl: &Ddl) -> Vec<String> {
        let (table, name, cols) = (
            quote(ddl, &self.table.to_string()),
            quote(ddl, self.name),
            self.column_list(ddl),
        );
        match (ddl.backend(), self.unique) {
            (DbBackend::Postgres, false) => {
                vec![format!(
                    "CREATE INDEX CONCURRENTLY {name} ON {table} ({cols})"
                )]
            }
            (DbBackend::Postgres, true) => vec![
                format!("CREATE UNIQUE INDEX CONCURRENTLY {name} ON {table} ({cols})"),
                format!("ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}"),
            ],
            (DbBackend::MySql, false) => {
                vec![format!("ALTER TABLE {table} ADD KEY {name} ({cols})")]
            }
            (DbBackend::MySql, true) => {
                vec![format!(
                    "ALTER TABLE {table} ADD UNIQUE KEY {name} ({cols})"
                )]
            }
            (_, false) => vec![format!("CREATE INDEX {name} ON {table} ({cols})")],
            (_, true) => vec![format!("CREATE UNIQUE INDEX {name} ON {table} ({cols})")],
        }
    }

    /// The statements that drop it. On PostgreSQL a unique constraint goes with its index; the
    /// `IF EXISTS` drop after it removes the invalid index that a `CREATE UNIQUE INDEX
    /// CONCURRENTLY` interrupted by a crash leaves behind (nothing otherwise), so `up --recover`
    /// can build it again.
    pub(super) fn drop(&self, ddl: &Ddl) -> Vec<String> {
        let (table, name) = (quote(ddl, &self.table.to_string()), quote(ddl, self.name));
        match (ddl.backend(), self.unique) {
            (DbBackend::Postgres, false) => vec![format!("DROP INDEX CONCURRENTLY {name}")],
            (DbBackend::Postgres, true) => vec![
                format!("ALTER TABLE {table} DROP CONSTRAINT {name}"),
                format!("DROP INDEX CONCURRENTLY IF EXISTS {name}"),
            ],
            (DbBackend::MySql, _) => vec![format!("ALTER TABLE {table} DROP KEY {name}")],
            _ => vec![format!("DROP INDEX {name}")],
        }
    }

    /// PostgreSQL, for a unique: a statement that fails, changing nothing, when rows already
    /// share the unique's columns, naming the query that lists them. [`super::TableGroup::up`]
    /// runs it before anything else of the group: `CREATE UNIQUE INDEX CONCURRENTLY` would fail
    /// too, but only after the statements before it had run outside a transaction. (Elsewhere the
    /// unique's own statement fails, inside SQLite's transaction or journaled on the MySQL
    /// family, and the runner names the same query.)
    pub(super) fn duplicate_guard(&self, ddl: &Ddl) -> Option<String> {
        if !self.unique || ddl.backend() != DbBackend::Postgres {
            return None;
        }
        let table = self.table.to_string();
        let cols = self.column_list(ddl);
        let plain: Vec<String> = self.columns.iter().map(|c| c.to_string()).collect();
        let plain = plain.join(", ");
        Some(format!(
            "DO $learndb$ BEGIN IF EXISTS (SELECT 1 FROM {q_table} GROUP BY {cols} HAVING COUNT(*) > 1) THEN RAISE EXCEPTION 'rows of {table} share ({plain}), so {name} cannot be added; list them with: SELECT {plain}, COUNT(*) FROM {table} GROUP BY {plain} HAVING COUNT(*) > 1' USING ERRCODE = 'unique_violation'; END IF; END $learndb$",
            q_table = quote(ddl, &table),
            name = self.name,
        ))
    }
}

/// A column definition as the backend writes it after `ADD COLUMN`.
pub(super) fn column_sql(ddl: &Ddl, def: &ColumnDef) -> String {
    let mut alter = Table::alter();
    alter.table(Alias::new("t")).add_column(def.clone());
    let sql = match ddl.backend() {
        DbBackend::MySql => alter.to_string(MysqlQueryBuilder),
        DbBackend::Postgres => alter.to_string(PostgresQueryBuilder),
        _ => alter.to_string(SqliteQueryBuilder),
    };
    match sql.split_once("ADD COLUMN ") {
        Some((_, column)) => column.to_owned(),
        None => sql,
    }
}

/// An expression as the backend writes it, values inline.
fn expr_sql(ddl: &Ddl, expr: &Expr) -> String {
    let mut sql = String::new();
    match ddl.backend() {
        DbBackend::MySql => MysqlQueryBuilder.prepare_expr(expr, &mut sql),
        DbBackend::Postgres => PostgresQueryBuilder.prepare_expr(expr, &mut sql),
        _ => SqliteQueryBuilder.prepare_expr(expr, &mut sql),
    }
    sql
}
