//! The import's four tool-owned tables (SPEC-26-27 §27.3): runs, the provenance map, rejects and
//! conflicts. `learndb import` creates them on first use, as the runner creates its history
//! table; no migration does, and `verify`, `diff`, `doctor` and entity generation ignore them
//! (`Catalog::without_history`).
//!
//! They are built with the migrations' own [`Ddl`] helpers, so their types follow §0.3 on every
//! backend (uuid, DATETIME(6), jsonb/JSON/TEXT+json_valid), with two differences the spec asks
//! for: `utf8mb4_bin` on the MySQL family, and `IF NOT EXISTS` everywhere.

use migration::ddl::Ddl;
use migration::sea_orm::{ConnectionTrait, DbBackend, DbErr, TransactionSession, TransactionTrait};
use migration::{Alias, ForeignKeyAction};

pub const RUNS: &str = "learndb_import_runs";
pub const MAP: &str = "learndb_import_map";
pub const REJECTS: &str = "learndb_import_rejects";
pub const CONFLICTS: &str = "learndb_import_conflicts";
pub const ALL: [&str; 4] = [RUNS, MAP, REJECTS, CONFLICTS];

fn a(name: &str) -> Alias {
    Alias::new(name)
}

/// The CREATE statements of the four tables, in FK order, as SQL for `backend`.
pub fn create_sql(backend: DbBackend) -> Vec<String> {
    let d = Ddl::new(backend);
    let tables = [
        d.table(a(RUNS))
            .col(d.id(a("id")))
            .col(d.string(a("source"), 64))
            .col(d.string(a("system"), 2))
            .col(d.string(a("source_url"), 1000))
            .col(d.string(a("source_fingerprint"), 255))
            .col(d.string(a("source_server"), 100))
            .col(d.string(a("target_version"), 100))
            .col(d.json(a("options")))
            .col({
                let mut c = d.string(a("status"), 16);
                c.default("running");
                c
            })
            .col(d.json_null_or_valid(a("counts")))
            .col(d.created_at(a("started_at")))
            .col(d.timestamptz_null(a("finished_at")))
            .index(
                "ix_learndb_import_runs_source_started",
                [a("source"), a("started_at")],
            ),
        d.table(a(MAP))
            .col(d.string(a("source"), 64))
            .col(d.string(a("system"), 2))
            .col(d.string(a("source_table"), 64))
            .col(d.string(a("source_key"), 400))
            .col(d.string(a("target_table"), 64))
            .col(d.uuid(a("target_id")))
            .col(d.string(a("action"), 16))
            .col(d.char(a("source_hash"), 64))
            .col(d.char(a("written_hash"), 64))
            .col({
                let mut c = d.boolean(a("self_ref_pending"));
                c.default(false);
                c
            })
            .col(d.uuid(a("first_run_id")))
            .col(d.uuid(a("last_run_id")))
            .col(d.created_at(a("imported_at")))
            .col(d.created_at(a("updated_at")))
            .primary_key([
                a("source"),
                a("source_table"),
                a("source_key"),
                a("target_table"),
            ])
            .foreign_key(
                "fk_learndb_import_map_first_run_id",
                a("first_run_id"),
                a(RUNS),
                a("id"),
                ForeignKeyAction::Restrict,
            )
            .foreign_key(
                "fk_learndb_import_map_last_run_id",
                a("last_run_id"),
                a(RUNS),
                a("id"),
                ForeignKeyAction::Restrict,
            )
            .index(
                "ix_learndb_import_map_target",
                [a("target_table"), a("target_id")],
            )
            .index("ix_learndb_import_map_first_run", [a("first_run_id")])
            .index("ix_learndb_import_map_last_run", [a("last_run_id")]),
        d.table(a(REJECTS))
            .col(d.id(a("id")))
            .col(d.uuid(a("run_id")))
            .col(d.string(a("source"), 64))
            .col(d.string(a("system"), 2))
            .col(d.string(a("source_table"), 64))
            .col(d.string(a("source_key"), 400))
            .col(d.string(a("reason"), 64))
            .col(d.string_null(a("column_name"), 64))
            .col(d.text(a("detail")))
            .col(d.json(a("source_row")))
            .col(d.created_at(a("created_at")))
            .foreign_key(
                "fk_learndb_import_rejects_run_id",
                a("run_id"),
                a(RUNS),
                a("id"),
                ForeignKeyAction::Cascade,
            )
            .unique(
                "uq_learndb_import_rejects_row",
                [a("run_id"), a("source"), a("source_table"), a("source_key")],
            ),
        d.table(a(CONFLICTS))
            .col(d.id(a("id")))
            .col(d.uuid(a("run_id")))
            .col(d.string(a("source"), 64))
            .col(d.string(a("system"), 2))
            .col(d.string(a("source_table"), 64))
            .col(d.string(a("source_key"), 400))
            .col(d.string(a("target_table"), 64))
            .col(d.uuid_null(a("target_id")))
            .col(d.string(a("kind"), 64))
            .col(d.string(a("severity"), 8))
            .col(d.string_null(a("column_name"), 64))
            .col(d.json_null_or_valid(a("source_value")))
            .col(d.json_null_or_valid(a("target_value")))
            .col(d.string(a("resolution"), 300))
            .col(d.created_at(a("created_at")))
            .foreign_key(
                "fk_learndb_import_conflicts_run_id",
                a("run_id"),
                a(RUNS),
                a("id"),
                ForeignKeyAction::Cascade,
            )
            .index(
                "ix_learndb_import_conflicts_run_kind",
                [a("run_id"), a("kind")],
            )
            .index(
                "ix_learndb_import_conflicts_target",
                [a("target_table"), a("target_id")],
            ),
    ];
    let mut sql = Vec::new();
    for table in tables {
        let (create, indexes) = table.if_absent().into_statements();
        let create = backend.build(&create).to_string();
        // Byte-for-byte keys on the MySQL family, as on PostgreSQL and SQLite (§27.3): the
        // table's collation replaces the one every learndb table gets.
        sql.push(create.replace("COLLATE=utf8mb4_unicode_ci", "COLLATE=utf8mb4_bin"));
        for mut index in indexes {
            index.if_not_exists();
            sql.push(backend.build(&index).to_string());
        }
    }
    sql
}

/// Creates the tables that are missing: in one transaction on PostgreSQL and SQLite; statement
/// by statement, each `IF NOT EXISTS`, on the MySQL family (whose DDL commits implicitly).
pub async fn ensure<C: ConnectionTrait + TransactionTrait>(db: &C) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    if backend == DbBackend::MySql {
        for sql in create_sql(backend) {
            db.execute_unprepared(&sql).await?;
        }
        return Ok(());
    }
    let txn = db.begin().await?;
    for sql in create_sql(backend) {
        txn.execute_unprepared(&sql).await?;
    }
    txn.commit().await
}

/// Whether all four tables exist (a dry run reads the map only when they do).
pub async fn present<C: ConnectionTrait>(db: &C) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let list = ALL.map(|t| format!("'{t}'")).join(", ");
    let sql = match backend {
        DbBackend::Postgres => format!(
            "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename IN ({list})"
        ),
        DbBackend::MySql => format!(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name IN ({list})"
        ),
        _ => {
            format!("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ({list})")
        }
    };
    let row = db
        .query_one_raw(migration::sea_orm::Statement::from_string(backend, sql))
        .await?;
    let n: i64 = match row {
        Some(r) => r.try_get_by_index(0)?,
        None => 0,
    };
    Ok(n == 4)
}
