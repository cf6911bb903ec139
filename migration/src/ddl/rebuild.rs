//! SQLite table rebuilds: the changes `ALTER TABLE` cannot make there (a CHECK or a foreign key
//! of an existing table), made by SQLite's own procedure ("Making Other Kinds Of Table Schema
//! Changes", <https://www.sqlite.org/lang_altertable.html>): create the new table, copy every
//! row, drop the old one, rename the new one, recreate its indexes and triggers and the views,
//! then `PRAGMA foreign_key_check`. PostgreSQL and the MySQL family alter such constraints in
//! place, so a [`super::Step::RebuildTables`] runs nothing there.
//!
//! **Definitions come from the DSL, never from the catalog.** A migration produces the same SQL
//! on every run, so the table as it is before the rebuild is a [`TableShape`]: the `TableDef` of
//! the module that created it, the columns later modules added ([`TableShape::columns`], the same
//! `AddColumns` fns) and the indexes they added or dropped ([`TableShape::index_added`],
//! [`TableShape::index_dropped`], the same `IndexSpec` fns); its `updated_at` trigger follows from
//! its columns, as in module 17. The table after the rebuild is that shape with a
//! [`TableChange`] applied. Should the shape miss anything the database holds, the rebuild would
//! lose it silently, so the first statements are **guards**, SQL the server evaluates: the
//! migration fails, changing nothing, unless the table's stored `CREATE TABLE` text and the SQL
//! of its indexes and triggers are exactly the shape's (`learndb_rebuild_found_a_table_unlike_
//! its_migrations`). `down()` rebuilds back to the shape before the change, guarded the same way.
//!
//! **Foreign keys are off around it.** With foreign keys on, `DROP TABLE parent` runs an implicit
//! `DELETE` that fires `ON DELETE CASCADE`/`SET NULL` on the child tables: every child row would
//! go. `PRAGMA foreign_keys` is a no-op inside a transaction, and the runner runs a SQLite
//! migration in one transaction, so the step's first statement, `PRAGMA foreign_keys = OFF`, is
//! what the runner looks for ([`crate::runner::needs_foreign_keys_off`]): it sets the pragma on
//! its one SQLite connection before `BEGIN` and restores it after `COMMIT`/`ROLLBACK`. (Run as a
//! script in autocommit mode, the statement does the same itself.) Whoever runs the migration,
//! a guard fails it before anything is dropped unless foreign keys are really off
//! (`learndb_rebuild_needs_foreign_keys_off`: sea-orm-migration's own `Migrator` in a
//! transaction, a pool of several connections), and another fails it at the end if
//! `PRAGMA foreign_key_check` reports a row (`learndb_rebuild_left_rows_that_break_a_foreign_key`)
//! — so the transaction rolls back whole.
//!
//! **Views.** Since SQLite 3.26, `ALTER TABLE … RENAME` re-parses every view and trigger of the
//! schema and fails if one names a table that does not exist, as a view of the dropped table
//! does between the `DROP` and the `RENAME`. Every view of the groups in
//! [`RebuildTables::views`] is dropped before the rebuilds (in reverse order) and created again
//! after them with the same SQL, so which view reads which table does not have to be worked out.
//! Triggers are the tables' own (`updated_at`) and go with them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use super::alter::column_sql;
use super::{
    AddColumns, Ddl, IndexSpec, Step, TableDef, TableGroup, ViewDefinition,
    name_sqlite_foreign_keys, updated_at_sql,
};

/// The temporary table whose named checks make a rebuild fail when a guard trips.
const GUARD: &str = "learndb_rebuild_guard";
const FOREIGN_KEYS_OFF: &str = "learndb_rebuild_needs_foreign_keys_off";
const TABLE_AS_EXPECTED: &str = "learndb_rebuild_found_a_table_unlike_its_migrations";
const NO_ORPHANS: &str = "learndb_rebuild_left_rows_that_break_a_foreign_key";

/// The statement that opens every rebuild, and that the runner recognises.
pub const FOREIGN_KEYS_OFF_SQL: &str = "PRAGMA foreign_keys = OFF";
const FOREIGN_KEYS_ON_SQL: &str = "PRAGMA foreign_keys = ON";

/// Tables rebuilt by one step, and the groups whose views exist while they are rebuilt.
pub struct RebuildTables {
    /// Every group whose [`Step::View`]s exist when the migration runs (module 18).
    pub views: &'static [&'static TableGroup],
    /// The tables, rebuilt in this order (reverse in `down()`).
    pub tables: &'static [fn(&Ddl) -> Rebuild],
}

/// One table's rebuild: its shape now and the change.
pub struct Rebuild {
    pub shape: TableShape,
    pub change: TableChange,
}

/// What a rebuild changes. Each variant is a rewrite of the shape's `CREATE TABLE` into the text
/// a helper of this DSL writes, so the result is what a fresh table with the new helper would be.
#[derive(Clone, Copy, Debug)]
pub enum TableChange {
    /// Every nullable JSON column written with [`Ddl::json_null`] gets [`Ddl::json_null_or_valid`]'s
    /// check, `"col" IS NULL OR json_valid("col")`.
    NullableJsonOrValid,
}

/// A table as the migrations so far left it on SQLite.
pub struct TableShape {
    def: TableDef,
    added: Vec<AddColumns>,
    indexes_added: Vec<IndexSpec>,
    indexes_dropped: Vec<IndexSpec>,
}

impl TableShape {
    /// The table as the module that created it defines it (its `fn(&Ddl) -> TableDef`).
    pub fn created(ddl: &Ddl, table: fn(&Ddl) -> TableDef) -> Self {
        TableShape {
            def: table(ddl),
            added: Vec::new(),
            indexes_added: Vec::new(),
            indexes_dropped: Vec::new(),
        }
    }

    /// Columns a later module added ([`Step::AddColumns`]'s fn), in migration order.
    pub fn columns(mut self, ddl: &Ddl, columns: fn(&Ddl) -> AddColumns) -> Self {
        self.added.push(columns(ddl));
        self
    }

    /// An index a later module added ([`Step::AddIndex`]'s fn).
    pub fn index_added(mut self, index: fn() -> IndexSpec) -> Self {
        self.indexes_added.push(index());
        self
    }

    /// An index a later module dropped ([`Step::DropIndex`]'s fn).
    pub fn index_dropped(mut self, index: fn() -> IndexSpec) -> Self {
        self.indexes_dropped.push(index());
        self
    }

    pub fn name(&self) -> String {
        self.def.name()
    }

    /// Whether any piece names another table than the one created.
    fn mismatch(&self) -> Option<String> {
        let name = self.name();
        let others = self
            .added
            .iter()
            .map(|a| a.table.to_string())
            .chain(self.indexes_added.iter().map(|i| i.table.to_string()))
            .chain(self.indexes_dropped.iter().map(|i| i.table.to_string()));
        others
            .into_iter()
            .find(|t| *t != name)
            .map(|t| format!("the rebuild of {name} lists a column or index of {t}"))
    }

    /// Column names, in table order.
    fn column_names(&self) -> Vec<String> {
        self.def
            .create
            .get_columns()
            .iter()
            .map(|c| c.get_column_name())
            .chain(
                self.added
                    .iter()
                    .flat_map(|a| a.columns.iter().map(|c| c.def.get_column_name())),
            )
            .collect()
    }

    /// Every column as it is written: the created ones, then the added ones with their checks.
    fn column_defs(&self) -> Vec<ColumnDef> {
        let mut out: Vec<ColumnDef> = self.def.create.get_columns().to_vec();
        for added in &self.added {
            for column in &added.columns {
                let mut def = column.def.clone();
                if let Some(check) = &column.check {
                    def.check(Check::named(Alias::new(check.name), check.expr.clone()));
                }
                out.push(def);
            }
        }
        out
    }

    /// The `CREATE TABLE` text SQLite stores for the table (`ADD COLUMN` puts a column after
    /// the last one, before the table constraints, where sea-query writes it).
    fn create_sql(&self) -> Result<String, DbErr> {
        let mut create = self.def.create.clone();
        for added in &self.added {
            for column in &added.columns {
                let mut def = column.def.clone();
                if let Some(check) = &column.check {
                    def.check(Check::named(Alias::new(check.name), check.expr.clone()));
                }
                create.col(def);
            }
        }
        let sql = create.to_string(SqliteQueryBuilder);
        if self.def.foreign_keys.is_empty() {
            Ok(sql)
        } else {
            name_sqlite_foreign_keys(&sql, &self.def.foreign_keys)
        }
    }

    /// The table's indexes and uniques, then its `updated_at` trigger: `(name, SQL)` sorted by
    /// name, as the guard compares them with `sqlite_master`.
    fn objects(&self, ddl: &Ddl) -> Vec<(String, String)> {
        let table = self.def.table.clone();
        let mut out: Vec<(String, String)> = Vec::new();
        for index in self.def.uniques.iter().chain(&self.def.indexes) {
            let mut index = index.clone();
            index.table(table.clone());
            let name = index
                .get_index_spec()
                .get_name()
                .unwrap_or_default()
                .to_owned();
            out.push((name, index.to_string(SqliteQueryBuilder)));
        }
        for index in &self.indexes_added {
            for sql in index.create(ddl) {
                out.push((index.name.to_owned(), sql));
            }
        }
        out.retain(|(name, _)| !self.indexes_dropped.iter().any(|d| d.name == name));
        if self.def.column_named("updated_at") {
            let tables = [(self.name(), self.def.key_column())];
            for sql in updated_at_sql(ddl, &tables, false, true) {
                out.push((super::updated_at_trigger_name(&self.name()), sql));
            }
        }
        out.sort();
        out
    }
}

impl TableChange {
    /// The `CREATE TABLE` text of `shape` after the change.
    fn apply(&self, ddl: &Ddl, shape: &TableShape, sql: &str) -> Result<String, DbErr> {
        match self {
            TableChange::NullableJsonOrValid => {
                let mut out = sql.to_owned();
                let mut changed = 0;
                for column in shape.column_defs() {
                    let name = column.get_column_name();
                    let old = column_sql(ddl, &ddl.json_null(Alias::new(&name)));
                    if column_sql(ddl, &column) != old {
                        continue;
                    }
                    let new = column_sql(ddl, &ddl.json_null_or_valid(Alias::new(&name)));
                    if out.matches(&old).count() != 1 {
                        return Err(DbErr::Migration(format!(
                            "the rebuild of {} cannot find column {name} written once in {sql}",
                            shape.name()
                        )));
                    }
                    out = out.replacen(&old, &new, 1);
                    changed += 1;
                }
                if changed == 0 {
                    return Err(DbErr::Migration(format!(
                        "the rebuild of {} changes nothing: it has no nullable JSON column",
                        shape.name()
                    )));
                }
                Ok(out)
            }
        }
    }
}

/// One table's definition at either end of the rebuild.
struct Version {
    name: String,
    create: String,
    objects: Vec<(String, String)>,
}

impl Rebuild {
    /// The table before (`.0`) and after (`.1`) the change, in the direction of `up`.
    fn versions(&self, ddl: &Ddl, up: bool) -> Result<(Version, Version), DbErr> {
        if let Some(mismatch) = self.shape.mismatch() {
            return Err(DbErr::Migration(mismatch));
        }
        let name = self.shape.name();
        let old = self.shape.create_sql()?;
        let new = self.change.apply(ddl, &self.shape, &old)?;
        let objects = self.shape.objects(ddl);
        let version = |create: String| Version {
            name: name.clone(),
            create,
            objects: objects.clone(),
        };
        let (old, new) = (version(old), version(new));
        Ok(if up { (old, new) } else { (new, old) })
    }
}

/// A string literal for SQLite.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

impl RebuildTables {
    /// The statements of the step in one direction: nothing outside SQLite.
    pub(super) fn sql(&self, ddl: &Ddl, up: bool) -> Result<Vec<String>, DbErr> {
        if ddl.backend() != DbBackend::Sqlite {
            return Ok(Vec::new());
        }
        let mut tables = Vec::new();
        for rebuild in self.tables {
            tables.push(rebuild(ddl).versions(ddl, up)?);
        }
        if !up {
            tables.reverse();
        }
        let columns: Vec<Vec<String>> = self
            .tables
            .iter()
            .map(|rebuild| rebuild(ddl).shape.column_names())
            .collect();
        let columns: Vec<Vec<String>> = if up {
            columns
        } else {
            columns.into_iter().rev().collect()
        };
        let views: Vec<(&str, String)> = self
            .views
            .iter()
            .flat_map(|group| group.steps.iter())
            .filter_map(|step| match step {
                Step::View(view) => match (view.definition)(ddl.backend()) {
                    ViewDefinition::Select(select) => Some((view.name, select)),
                    _ => None,
                },
                _ => None,
            })
            .collect();

        let guard = format!("temp.\"{GUARD}\"");
        let mut out = vec![
            FOREIGN_KEYS_OFF_SQL.to_owned(),
            format!(
                "CREATE TEMP TABLE \"{GUARD}\" (\"foreign_keys\" integer CONSTRAINT \"{FOREIGN_KEYS_OFF}\" CHECK (\"foreign_keys\" = 0), \"unexpected_table\" text CONSTRAINT \"{TABLE_AS_EXPECTED}\" CHECK (\"unexpected_table\" IS NULL), \"orphans\" integer CONSTRAINT \"{NO_ORPHANS}\" CHECK (\"orphans\" = 0))"
            ),
            format!(
                "INSERT INTO {guard} (\"foreign_keys\") SELECT \"foreign_keys\" FROM pragma_foreign_keys"
            ),
        ];
        for (old, _) in &tables {
            let objects = old
                .objects
                .iter()
                .map(|(_, sql)| sql.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            out.push(format!(
                "INSERT INTO {guard} (\"unexpected_table\") SELECT {name} WHERE (SELECT \"sql\" FROM sqlite_master WHERE \"type\" = 'table' AND \"name\" = {name}) IS NOT {create} OR (SELECT group_concat(\"sql\", '; ') FROM (SELECT \"sql\" FROM sqlite_master WHERE \"tbl_name\" = {name} AND \"type\" IN ('index', 'trigger') AND \"sql\" IS NOT NULL ORDER BY \"name\")) IS NOT {objects}",
                name = literal(&old.name),
                create = literal(&old.create),
                objects = if objects.is_empty() {
                    "NULL".to_owned()
                } else {
                    literal(&objects)
                },
            ));
        }
        for (name, _) in views.iter().rev() {
            out.push(format!("DROP VIEW \"{name}\""));
        }
        for ((_, new), columns) in tables.iter().zip(&columns) {
            let name = &new.name;
            let temporary = format!("learndb_new_{name}");
            let prefix = format!("CREATE TABLE \"{name}\" (");
            let Some(body) = new.create.strip_prefix(&prefix) else {
                return Err(DbErr::Migration(format!(
                    "the rebuild of {name} expected its CREATE TABLE to start {prefix}: {}",
                    new.create
                )));
            };
            let columns = columns
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ");
            out.push(format!("CREATE TABLE \"{temporary}\" ({body}"));
            out.push(format!(
                "INSERT INTO \"{temporary}\" ({columns}) SELECT {columns} FROM \"{name}\""
            ));
            out.push(format!("DROP TABLE \"{name}\""));
            out.push(format!("ALTER TABLE \"{temporary}\" RENAME TO \"{name}\""));
            out.extend(new.objects.iter().map(|(_, sql)| sql.clone()));
        }
        for (name, select) in &views {
            out.push(format!("CREATE VIEW \"{name}\" AS {select}"));
        }
        out.push(format!(
            "INSERT INTO {guard} (\"orphans\") SELECT COUNT(*) FROM pragma_foreign_key_check"
        ));
        out.push(format!("DROP TABLE {guard}"));
        out.push(FOREIGN_KEYS_ON_SQL.to_owned());
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_json_helper_differs_from_json_null_only_in_its_check() {
        let ddl = Ddl::new(DbBackend::Sqlite);
        assert_eq!(
            column_sql(&ddl, &ddl.json_null(Alias::new("m"))),
            "\"m\" json_text CHECK (json_valid(\"m\"))"
        );
        assert_eq!(
            column_sql(&ddl, &ddl.json_null_or_valid(Alias::new("m"))),
            "\"m\" json_text CHECK (\"m\" IS NULL OR json_valid(\"m\"))"
        );
        for backend in [DbBackend::Postgres, DbBackend::MySql] {
            let ddl = Ddl::new(backend);
            assert_eq!(
                column_sql(&ddl, &ddl.json_null(Alias::new("m"))),
                column_sql(&ddl, &ddl.json_null_or_valid(Alias::new("m"))),
                "{backend:?}"
            );
        }
    }
}
