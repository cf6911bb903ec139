//! The import of one source table into one target table, batch by batch (SPEC-26-27 §27.10,
//! §27.12). A system module says how a source row maps (a [`Step`] and a mapping function);
//! this module decides what becomes of each mapped row and writes it:
//!
//! | the source row                         | and                                   | becomes |
//! |----------------------------------------|---------------------------------------|---------|
//! | failed a rule while mapping            |                                       | a reject (its key marked rejected, so dependants follow §27.4) |
//! | is in the map, its target row is gone  |                                       | `target_deleted`, never re-inserted |
//! | is in the map, same `source_hash`      |                                       | `unchanged` |
//! | is in the map, action `merged`         |                                       | merged again: NULL columns filled |
//! | is in the map, changed                 | target changed since (≠ written_hash) | `kept`, conflict `changed_on_both_sides` |
//! | is in the map, changed                 | target untouched                      | `updated`: changed columns written |
//! | is new                                 | its natural key is taken              | merged into that row (target wins, NULLs filled) |
//! | is new                                 | its kept id is taken                  | re-minted, conflict `id_collision` |
//! | is new                                 |                                       | `inserted` |
//!
//! Each batch is one target transaction: the rows, their map rows, rejects and conflicts, so a
//! crash leaves whole batches and the next run resumes. Inserts go through the entity crate's
//! bulk path; if the server refuses the batch, it is retried row by row, each under a savepoint
//! (PostgreSQL aborts a transaction on error), and a refused row is rejected
//! (`check_violation:<name>`, `natural_key_taken`, `db_error:<sqlstate>`).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use migration::connect::error_line;
use migration::sea_orm::{
    self, ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction,
    DbBackend, DbErr, EntityTrait, FromQueryResult, IdenStatic, IntoActiveModel, Iterable,
    ModelTrait, PrimaryKeyToColumn, QueryFilter, QuerySelect, Statement, TransactionTrait, Value,
};
use migration::{Alias, Expr, ExprTrait, Query};
use serde::Serialize;
use serde_json::{Value as Json, json};
use uuid::Uuid;

use super::canon;
use super::source::{SourceDb, SourceRow};
use super::tool;
use super::{ImportError, Run};

/// Unique keys per target table (column lists).
pub type Uniques = HashMap<String, Vec<Vec<String>>>;

/// Where a source key went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    Target(Uuid),
    Rejected,
}

/// What a reference to a parent resolves to (§27.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parent {
    Found(Uuid),
    Rejected,
    Absent,
}

/// A row that is not written, with the first rule it failed.
#[derive(Debug, Clone)]
pub struct Reject {
    pub reason: String,
    pub column: Option<&'static str>,
    pub detail: String,
}

impl Reject {
    pub fn new(reason: impl Into<String>, column: &'static str, detail: impl Into<String>) -> Self {
        Reject {
            reason: reason.into(),
            column: Some(column),
            detail: detail.into(),
        }
    }
}

/// A row carried, but not exactly as read (§27.11).
#[derive(Debug, Clone)]
pub struct Conflict {
    pub kind: &'static str,
    pub severity: &'static str,
    pub column: Option<&'static str>,
    pub source_value: Option<Json>,
    pub target_value: Option<Json>,
    pub resolution: String,
}

impl Conflict {
    pub fn new(
        kind: &'static str,
        column: Option<&'static str>,
        source_value: Option<Json>,
        resolution: impl Into<String>,
    ) -> Self {
        let severity = match kind {
            "value_differs" | "possible_duplicate" | "id_collision" | "value_replaced"
            | "value_wrapped" | "value_derived" | "lossy_value" | "source_deleted"
            | "target_deleted" => "info",
            _ => "warning",
        };
        Conflict {
            kind,
            severity,
            column,
            source_value,
            target_value: None,
            resolution: resolution.into(),
        }
    }
}

/// One mapped row: a source row, or a row derived from one (`<id>#pref:<key>`).
pub struct Out<M> {
    pub key: String,
    pub source_hash: String,
    /// The source row as read, secrets redacted, for the rejects table.
    pub source_row: Json,
    pub model: Result<M, Reject>,
    pub conflicts: Vec<Conflict>,
    /// Written with a NULL self-reference that the second pass sets (§27.4).
    pub pending: bool,
}

/// The counts of one report line (§27.12's identity).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub read: u64,
    pub inserted: u64,
    pub merged: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub kept: u64,
    pub target_deleted: u64,
    pub rejected: u64,
    pub skipped: u64,
}

impl Counts {
    /// read = inserted + updated + unchanged + kept + merged + rejected + target_deleted.
    pub fn balanced(&self) -> bool {
        self.read
            == self.inserted
                + self.updated
                + self.unchanged
                + self.kept
                + self.merged
                + self.rejected
                + self.target_deleted
                + self.skipped
    }
}

/// A report line: `quizzes→questions`.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub line: String,
    pub source_table: String,
    pub target_table: String,
    pub primary: bool,
    #[serde(flatten)]
    pub counts: Counts,
}

/// Finds the row a mapped row merges into: a condition on its natural key, or `None` when the
/// row has none.
pub type Natural<M> = fn(&M) -> Option<Condition>;

impl Line {
    /// An out-of-scope, history or unknown table: read and skipped, no target.
    pub fn skipped_table(&self) -> bool {
        self.target_table == SKIPPED_TARGET
    }
}

/// The target of a skipped table's line.
pub const SKIPPED_TARGET: &str = "–";

/// How one source table maps to one target table.
pub struct Step<E: EntityTrait> {
    pub entity: E,
    pub source_table: &'static str,
    /// ORDER BY over alias `t` (§27.5: created_at NULLs last, then the key).
    pub order: &'static str,
    /// The row's own key, so references to it resolve; false for derived rows.
    pub primary: bool,
    /// A natural key under the merge policy (§27.10): the existing row, if any, to merge into.
    pub natural: Option<Natural<E::Model>>,
    /// Columns a merge never fills (`created_by` of seed rows stays NULL, §21).
    pub never_fill: &'static [&'static str],
}

/// The whole import's state: the run, the keys resolved so far, the report.
pub struct Import {
    pub run: Run,
    pub keys: HashMap<(String, String), Slot>,
    /// The source tables whose keys later rows reference (their keys are kept in `keys`).
    pub parents: &'static [&'static str],
    /// The target's varchar lengths (the generic mapping checks them: SQLite does not).
    pub lengths: super::generic::Lengths,
    /// The target's unique keys per table, to tell `duplicate_key` from `natural_key_taken`.
    pub uniques: Uniques,
    pub lines: Vec<Line>,
    pub conflicts: BTreeMap<String, u64>,
    pub rejects: BTreeMap<String, u64>,
    /// Rows whose stored form differs from their mapping (V5), `table key: why`.
    pub fidelity: Vec<String>,
    /// Whether the tool tables exist to read (not on a dry run before the first run).
    pub tool: bool,
    /// Whether this pass records its map rows, rejects and conflicts (not `--verify`).
    pub record: bool,
    /// `--verify`: each batch is only compared with the map and the run's rejects
    /// ([`check_batch`]), nothing is written, not even in a rolled-back transaction.
    pub check_only: bool,
    /// Rows read and rows per second, on stderr.
    pub progress: super::progress::Progress,
    /// Users not merged because the target's email is unverified: what
    /// `--merge-unverified-emails` would merge in addition (§27.6, reported by `--dry-run`).
    pub unverified_collisions: u64,
}

impl Import {
    /// Where the source row `key` of `table` went.
    pub fn parent(&self, table: &str, key: &str) -> Parent {
        match self.keys.get(&(table.to_owned(), key.to_owned())) {
            Some(Slot::Target(id)) => Parent::Found(*id),
            Some(Slot::Rejected) => Parent::Rejected,
            None => Parent::Absent,
        }
    }

    /// The target row an earlier run (or batch) gave source row `key` of `table`.
    pub fn mapped(&self, table: &str, key: &str) -> Option<Uuid> {
        match self.keys.get(&(table.to_owned(), key.to_owned())) {
            Some(Slot::Target(id)) => Some(*id),
            _ => None,
        }
    }

    /// The target id a source row gets: the one it already has in the map, else its own (kept
    /// keys) or a UUIDv7 at its creation time (re-minted keys, §27.4).
    pub fn id_for(
        &self,
        table: &str,
        key: &str,
        kept: Option<Uuid>,
        created: Option<DateTime<Utc>>,
    ) -> Uuid {
        if let Some(Slot::Target(id)) = self.keys.get(&(table.to_owned(), key.to_owned())) {
            return *id;
        }
        kept.unwrap_or_else(|| mint(created.unwrap_or(self.run.started)))
    }

    fn line(&mut self, step_line: &str, source: &str, target: &str, primary: bool) -> usize {
        if let Some(i) = self.lines.iter().position(|l| l.line == step_line) {
            return i;
        }
        self.lines.push(Line {
            line: step_line.to_owned(),
            source_table: source.to_owned(),
            target_table: target.to_owned(),
            primary,
            counts: Counts::default(),
        });
        self.lines.len() - 1
    }

    /// Records a table read and skipped (out of scope, history).
    pub fn skipped(&mut self, table: &str, rows: u64) {
        let i = self.line(table, table, SKIPPED_TARGET, false);
        self.lines[i].counts.read += rows;
        self.lines[i].counts.skipped += rows;
    }
}

/// A UUIDv7 whose time is `at` (§27.4), with fresh random bits.
pub fn mint(at: DateTime<Utc>) -> Uuid {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    let ts = uuid::Timestamp::from_unix(
        uuid::NoContext,
        millis / 1000,
        ((millis % 1000) * 1_000_000) as u32,
    );
    Uuid::new_v7(ts)
}

/// A map row already stored for a source key.
struct Mapped {
    target_id: Uuid,
    action: String,
    source_hash: String,
    written_hash: String,
}

/// What a batch does with one mapped row.
enum Plan<M> {
    Insert(M),
    Update { old: M, new: M },
    Merge { existing: M, new: M, first: bool },
    Unchanged(Uuid),
    Kept(Uuid, Conflict),
    TargetDeleted(Uuid),
}

/// The tool-table rows a batch writes.
#[derive(Default)]
struct Writes {
    map_new: Vec<(String, Uuid, &'static str, String)>,
    /// Keys of rows inserted with their self-reference still to set.
    pending: HashSet<String>,
    map_touch: Vec<(String, Option<(&'static str, String)>)>,
    rejects: Vec<(String, Reject, Json)>,
    conflicts: Vec<(String, Option<Uuid>, Conflict)>,
    written: HashMap<Uuid, String>,
}

/// The JSON of a model as the canonical form hashes it.
pub fn model_json<M: Serialize>(m: &M) -> Json {
    serde_json::to_value(m).unwrap_or(Json::Null)
}

fn pk_column<E: EntityTrait>() -> E::Column {
    match E::PrimaryKey::iter().next() {
        Some(pk) => pk.into_column(),
        None => unreachable!("every learndb table has a primary key"),
    }
}

fn model_id<E: EntityTrait>(m: &E::Model) -> Uuid {
    match m.get(pk_column::<E>()) {
        Value::Uuid(Some(id)) => id,
        _ => Uuid::nil(),
    }
}

fn is_null(v: &Value) -> bool {
    *v == v.as_null()
}

/// Imports one source table: every row of `rows`' table through `map`.
pub async fn run_step<E, F>(
    imp: &mut Import,
    txn_root: &Root<'_>,
    source: &SourceDb,
    step: &Step<E>,
    line_name: &str,
    batch_size: usize,
    mut map: F,
) -> Result<(), ImportError>
where
    E: EntityTrait,
    E::Model: Serialize + IntoActiveModel<E::ActiveModel> + Clone + Send + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    F: FnMut(&SourceRow, &Import) -> Vec<Out<E::Model>>,
{
    let target_table = step.entity.table_name().to_owned();
    let line = imp.line(line_name, step.source_table, &target_table, step.primary);
    // A table no earlier run of this source imported has nothing in the map to look up.
    let mapped_before = imp.tool
        && has_map_rows(txn_root, &imp.run.source, step.source_table, &target_table).await?;
    let mut rows = source.rows(step.source_table, step.order).await?;
    imp.progress.start(line_name);
    loop {
        let batch = rows.next_batch(batch_size).await?;
        if batch.is_empty() {
            break;
        }
        txn_root.check_lock().await?;
        if let Some(signal) = migration::runner::interrupt::requested() {
            return Err(ImportError::Interrupted(signal));
        }
        let outs: Vec<Out<E::Model>> = batch.iter().flat_map(|r| map(r, imp)).collect();
        drop(batch);
        if imp.check_only {
            check_batch(imp, txn_root, step.source_table, &target_table, line, outs).await?;
            imp.progress.rows(imp.lines[line].counts.read);
            continue;
        }
        let txn = txn_root.begin().await?;
        let result = write_batch(imp, &txn, step, &target_table, line, outs, mapped_before).await;
        match result {
            Ok(keys) => {
                txn.commit()
                    .await
                    .map_err(|e| ImportError::db("committing a batch", &e))?;
                // Only the keys of tables that later rows reference are kept: memory grows with
                // the parents, not with every row read.
                if imp.parents.contains(&step.source_table) {
                    for (k, slot) in keys {
                        imp.keys.insert((step.source_table.to_owned(), k), slot);
                    }
                }
                imp.progress.rows(imp.lines[line].counts.read);
            }
            Err(e) => {
                let _ = txn.rollback().await;
                return Err(e);
            }
        }
    }
    imp.progress.done();
    Ok(())
}

/// `--verify` (§27.12 V1): where each mapped row of a batch stands, from the map and the run's
/// rejects alone: `unchanged` when the map holds its key with the same `source_hash`, `updated`
/// when the hash differs (the source changed since), `rejected` when the mapping or the run
/// rejected it, `inserted` when it is nowhere (a row the import never brought). Two indexed
/// lookups per batch; the target rows themselves are V2–V6's, by query.
async fn check_batch<M>(
    imp: &mut Import,
    root: &Root<'_>,
    source_table: &str,
    target_table: &str,
    line: usize,
    outs: Vec<Out<M>>,
) -> Result<(), ImportError> {
    let txn = root.begin().await?;
    let fail = |e: DbErr| ImportError::db(&format!("checking {target_table}"), &e);
    let mapped = read_map(
        &txn,
        &imp.run.source,
        source_table,
        target_table,
        outs.iter().map(|o| o.key.as_str()),
    )
    .await
    .map_err(fail)?;
    let unmapped: Vec<&str> = outs
        .iter()
        .filter(|o| o.model.is_ok() && !mapped.contains_key(&o.key))
        .map(|o| o.key.as_str())
        .collect();
    let mut rejected: HashSet<String> = HashSet::new();
    for keys_in in source_keys_in(txn.get_database_backend(), &unmapped) {
        let select = Query::select()
            .column(Alias::new("source_key"))
            .from(Alias::new(tool::REJECTS))
            .and_where(Expr::col(Alias::new("run_id")).eq(imp.run.id))
            .and_where(Expr::col(Alias::new("source")).eq(imp.run.source.as_str()))
            .and_where(Expr::col(Alias::new("source_table")).eq(source_table))
            .and_where(keys_in)
            .to_owned();
        for row in txn.query_all(&select).await.map_err(fail)? {
            rejected.insert(row.try_get_by_index(0).map_err(fail)?);
        }
    }
    txn.rollback().await.map_err(fail)?;
    let counts = &mut imp.lines[line].counts;
    for out in outs {
        counts.read += 1;
        match (&out.model, mapped.get(&out.key)) {
            (Err(reject), _) => {
                counts.rejected += 1;
                *imp.rejects.entry(reject.reason.clone()).or_default() += 1;
            }
            (Ok(_), Some(m)) if m.source_hash == out.source_hash || m.action == "merged" => {
                counts.unchanged += 1
            }
            (Ok(_), Some(_)) => counts.updated += 1,
            (Ok(_), None) if rejected.contains(&out.key) => counts.rejected += 1,
            (Ok(_), None) => counts.inserted += 1,
        }
    }
    Ok(())
}

/// Where batches begin: the target connection, or on a dry run one transaction that is rolled
/// back at the end (each batch a savepoint in it); and the migration lock, proved per batch.
pub struct Root<'a> {
    pub conn: RootConn<'a>,
    pub lock: tokio::sync::Mutex<Option<migration::runner::lock::MigrationLock>>,
    pub target: &'a migration::connect::Target,
}

pub enum RootConn<'a> {
    Db(&'a sea_orm::DatabaseConnection),
    DryRun(DatabaseTransaction),
}

impl Root<'_> {
    pub async fn begin(&self) -> Result<DatabaseTransaction, ImportError> {
        match &self.conn {
            RootConn::Db(db) => db.begin().await,
            RootConn::DryRun(t) => t.begin().await,
        }
        .map_err(|e| ImportError::db("starting a batch", &e))
    }

    /// Proves the migration lock is still held before a batch (§27.1).
    pub async fn check_lock(&self) -> Result<(), ImportError> {
        let mut lock = self.lock.lock().await;
        if let Some(l) = lock.as_mut() {
            l.verify(self.target, "the next batch")
                .await
                .map_err(|e| ImportError::LockLost(e.to_string()))?;
        }
        Ok(())
    }
}

async fn write_batch<E>(
    imp: &mut Import,
    txn: &DatabaseTransaction,
    step: &Step<E>,
    target_table: &str,
    line: usize,
    outs: Vec<Out<E::Model>>,
    mapped_before: bool,
) -> Result<Vec<(String, Slot)>, ImportError>
where
    E: EntityTrait,
    E::Model: Serialize + IntoActiveModel<E::ActiveModel> + Clone + Send + Sync,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    let db_err = |what: &str, e: &DbErr| ImportError::db(&format!("{what} ({target_table})"), e);
    let mut w = Writes::default();
    let mut keys: Vec<(String, Slot)> = Vec::new();
    let mut counts = Counts::default();

    // The map rows of this batch's keys.
    let mapped = if imp.tool && mapped_before {
        read_map(
            txn,
            &imp.run.source,
            step.source_table,
            target_table,
            outs.iter().map(|o| o.key.as_str()),
        )
        .await
        .map_err(|e| db_err("reading the map", &e))?
    } else {
        HashMap::new()
    };
    // The target rows those map rows point at: whole rows where the decision needs them (a
    // changed source, a merge), only their existence where the source is unchanged.
    let hash_of: HashMap<&str, &str> = outs
        .iter()
        .map(|o| (o.key.as_str(), o.source_hash.as_str()))
        .collect();
    let needs_row = |k: &str, m: &Mapped| {
        m.action == "merged" || hash_of.get(k) != Some(&m.source_hash.as_str())
    };
    let full_ids: Vec<Uuid> = mapped
        .iter()
        .filter(|(k, m)| needs_row(k, m))
        .map(|(_, m)| m.target_id)
        .collect();
    let light_ids: Vec<Uuid> = mapped
        .iter()
        .filter(|(k, m)| !needs_row(k, m))
        .map(|(_, m)| m.target_id)
        .collect();
    let mut existing = read_rows::<E>(txn, &full_ids)
        .await
        .map_err(|e| db_err("reading target rows", &e))?;
    let present = read_ids::<E>(txn, &light_ids)
        .await
        .map_err(|e| db_err("reading target rows", &e))?;

    // Kept ids of new rows already taken by rows the map does not attribute to them.
    let new_ids: Vec<Uuid> = outs
        .iter()
        .filter(|o| !mapped.contains_key(&o.key))
        .filter_map(|o| o.model.as_ref().ok().map(model_id::<E>))
        .collect();
    let taken = read_ids::<E>(txn, &new_ids)
        .await
        .map_err(|e| db_err("reading target rows", &e))?;

    let mut plans: Vec<(String, String, Plan<E::Model>)> = Vec::new();
    for out in outs {
        counts.read += 1;
        if out.pending {
            w.pending.insert(out.key.clone());
        }
        for c in out.conflicts.iter().cloned() {
            let id = out.model.as_ref().ok().map(model_id::<E>);
            w.conflicts.push((out.key.clone(), id, c));
        }
        let mut model = match out.model {
            Err(reject) => {
                counts.rejected += 1;
                *imp.rejects.entry(reject.reason.clone()).or_default() += 1;
                keys.push((out.key.clone(), Slot::Rejected));
                w.rejects.push((out.key, reject, out.source_row));
                continue;
            }
            Ok(m) => m,
        };
        if let Some(m) = mapped.get(&out.key) {
            let plan = if m.action != "merged" && m.source_hash == out.source_hash {
                if present.contains(&m.target_id) {
                    Plan::Unchanged(m.target_id)
                } else {
                    Plan::TargetDeleted(m.target_id)
                }
            } else {
                match existing.remove(&m.target_id) {
                    None => Plan::TargetDeleted(m.target_id),
                    Some(old) if m.action == "merged" => Plan::Merge {
                        existing: old,
                        new: model,
                        first: false,
                    },
                    Some(old) if canon::hash(&model_json(&old)) != m.written_hash => Plan::Kept(
                        m.target_id,
                        Conflict::new("changed_on_both_sides", None, None, "target_kept"),
                    ),
                    Some(old) => Plan::Update { old, new: model },
                }
            };
            plans.push((out.key, out.source_hash, plan));
            continue;
        }
        if let Some(cond) = step.natural.and_then(|natural| natural(&model)) {
            let found = E::find()
                .filter(cond)
                .one(txn)
                .await
                .map_err(|e| db_err("looking up a natural key", &e))?;
            if let Some(existing_row) = found {
                plans.push((
                    out.key,
                    out.source_hash,
                    Plan::Merge {
                        existing: existing_row,
                        new: model,
                        first: true,
                    },
                ));
                continue;
            }
        }
        let id = model_id::<E>(&model);
        if taken.contains(&id) {
            let fresh = mint(imp.run.started);
            model = with_id::<E>(model, fresh);
            w.conflicts.push((
                out.key.clone(),
                Some(fresh),
                Conflict::new(
                    "id_collision",
                    Some("id"),
                    Some(json!(id.to_string())),
                    format!("reminted:{fresh}"),
                ),
            ));
        }
        plans.push((out.key, out.source_hash, Plan::Insert(model)));
    }

    // Inserts: the whole batch through the bulk path, else row by row under savepoints.
    let mut inserts: Vec<(String, String, E::Model)> = Vec::new();
    let mut rest = Vec::new();
    for (key, hash, plan) in plans {
        match plan {
            Plan::Insert(m) => inserts.push((key, hash, m)),
            other => rest.push((key, hash, other)),
        }
    }
    let inserted = insert_rows::<E>(txn, inserts).await?;
    // Rows inserted: the model sent, and the row as stored when the insert returned it (V5).
    let mut written_back: Vec<(Uuid, E::Model, Option<E::Model>)> = Vec::new();
    for (key, hash, result) in inserted {
        match result {
            Ok((model, back)) => {
                let id = model_id::<E>(&model);
                counts.inserted += 1;
                keys.push((key.clone(), Slot::Target(id)));
                w.map_new.push((key.clone(), id, "inserted", hash));
                written_back.push((id, model, back));
            }
            Err((reject, row, collided)) => {
                // A unique key refused the row: under the merge policy it merges into the row
                // now present (an earlier row of this batch, or one written since the lookup,
                // §27.10); otherwise it is rejected.
                let present = match (collided, step.natural) {
                    (Some(model), Some(natural)) => match natural(&model) {
                        Some(cond) => E::find()
                            .filter(cond)
                            .one(txn)
                            .await
                            .map_err(|e| db_err("looking up a natural key", &e))?
                            .map(|existing| (existing, model)),
                        None => None,
                    },
                    _ => None,
                };
                if let Some((existing, new)) = present {
                    rest.push((
                        key,
                        hash,
                        Plan::Merge {
                            existing,
                            new,
                            first: true,
                        },
                    ));
                    continue;
                }
                let mut reject = reject;
                if reject.reason == "natural_key_taken"
                    && let Some(holder) = holder_of::<E>(txn, imp, target_table, &row)
                        .await
                        .map_err(|e| db_err("looking up a unique key", &e))?
                    && (w.map_new.iter().any(|m| m.1 == holder)
                        || mapped_to_source(txn, imp, target_table, holder)
                            .await
                            .map_err(|e| db_err("reading the map", &e))?)
                {
                    // The row holding the key came from this source: a duplicate within it.
                    reject.reason = "duplicate_key".into();
                }
                counts.rejected += 1;
                *imp.rejects.entry(reject.reason.clone()).or_default() += 1;
                keys.push((key.clone(), Slot::Rejected));
                w.rejects.push((key, reject, row));
            }
        }
    }
    // V5: a row written as mapped reads back as mapped; the row the insert returned, else the
    // row read now (before a merge of this batch writes to it). Its hash is its written_hash.
    let unread: Vec<Uuid> = written_back
        .iter()
        .filter(|(_, _, back)| back.is_none())
        .map(|(id, _, _)| *id)
        .collect();
    let mut read = read_rows::<E>(txn, &unread)
        .await
        .map_err(|e| db_err("reading back", &e))?;
    for (id, sent, back) in written_back {
        let sent = model_json(&sent);
        let Some(stored) = back.or_else(|| read.remove(&id)) else {
            w.written.insert(id, canon::hash(&sent));
            continue;
        };
        let stored = model_json(&stored);
        let written = canon::hash(&stored);
        if stored != sent && canon::hash(&sent) != written {
            imp.fidelity.push(format!(
                "{target_table} {id}: the stored row differs from its mapping"
            ));
        }
        w.written.insert(id, written);
    }
    for (key, hash, plan) in rest {
        match plan {
            Plan::Insert(_) => {}
            Plan::Unchanged(id) => {
                counts.unchanged += 1;
                keys.push((key.clone(), Slot::Target(id)));
                w.map_touch.push((key, None));
            }
            Plan::TargetDeleted(id) => {
                counts.target_deleted += 1;
                keys.push((key.clone(), Slot::Target(id)));
                w.conflicts.push((
                    key.clone(),
                    Some(id),
                    Conflict::new("target_deleted", None, None, "not_reinserted"),
                ));
                w.map_touch.push((key, None));
            }
            Plan::Kept(id, conflict) => {
                counts.kept += 1;
                keys.push((key.clone(), Slot::Target(id)));
                w.conflicts.push((key.clone(), Some(id), conflict));
                w.map_touch.push((key, None));
            }
            Plan::Update { old, new } => {
                let id = model_id::<E>(&old);
                let am = changed_columns::<E>(&old, &new, &[], false);
                let saved = E::update(am).exec(txn).await;
                match saved {
                    Ok(model) => {
                        counts.updated += 1;
                        w.written.insert(id, canon::hash(&model_json(&model)));
                        w.map_touch.push((key.clone(), Some(("updated", hash))));
                    }
                    Err(e) => {
                        counts.kept += 1;
                        let reason = refusal(&e).0;
                        w.conflicts.push((
                            key.clone(),
                            Some(id),
                            Conflict::new(
                                "update_rejected",
                                None,
                                None,
                                format!("target_kept:{reason}"),
                            ),
                        ));
                        w.map_touch.push((key.clone(), None));
                    }
                }
                keys.push((key, Slot::Target(id)));
            }
            Plan::Merge {
                existing,
                new,
                first,
            } => {
                let id = model_id::<E>(&existing);
                for (column, source_value, target_value) in differing::<E>(&existing, &new) {
                    let mut c = Conflict::new(
                        kind_of(column),
                        Some(column),
                        Some(source_value),
                        "target_kept",
                    );
                    c.target_value = Some(target_value);
                    w.conflicts.push((key.clone(), Some(id), c));
                }
                let am = changed_columns::<E>(&existing, &new, step.never_fill, true);
                let model = if am.is_changed() {
                    E::update(am)
                        .exec(txn)
                        .await
                        .map_err(|e| db_err("merging", &e))?
                } else {
                    existing
                };
                counts.merged += 1;
                keys.push((key.clone(), Slot::Target(id)));
                w.written.insert(id, canon::hash(&model_json(&model)));
                if first {
                    w.map_new.push((key, id, "merged", hash));
                } else {
                    w.map_touch.push((key, Some(("merged", hash))));
                }
            }
        }
    }
    if imp.tool && imp.record {
        write_tool_rows(txn, imp, step.source_table, target_table, &w)
            .await
            .map_err(|e| db_err("writing the map", &e))?;
    }
    for (_, _, c) in &w.conflicts {
        *imp.conflicts.entry(c.kind.to_owned()).or_default() += 1;
        if c.resolution == "withheld:unverified_email_collision" {
            imp.unverified_collisions += 1;
        }
    }
    let total = &mut imp.lines[line].counts;
    total.read += counts.read;
    total.inserted += counts.inserted;
    total.merged += counts.merged;
    total.updated += counts.updated;
    total.unchanged += counts.unchanged;
    total.kept += counts.kept;
    total.target_deleted += counts.target_deleted;
    total.rejected += counts.rejected;
    Ok(keys)
}

fn with_id<E: EntityTrait>(model: E::Model, id: Uuid) -> E::Model
where
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let mut model = model;
    model.set(pk_column::<E>(), id.into());
    model
}

/// An active model of `old` with the columns of `new` that differ set; with `fill_only`, only
/// those NULL in `old` (a merge: the target wins), never those in `never`.
fn changed_columns<E: EntityTrait>(
    old: &E::Model,
    new: &E::Model,
    never: &[&str],
    fill_only: bool,
) -> E::ActiveModel
where
    E::Model: IntoActiveModel<E::ActiveModel> + Clone + Serialize,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let mut am = old.clone().into_active_model();
    let pk = pk_column::<E>();
    for c in E::Column::iter() {
        if c.as_str() == pk.as_str() || never.contains(&c.as_str()) {
            continue;
        }
        let (a, b) = (old.get(c), new.get(c));
        if a == b {
            continue;
        }
        if fill_only && E::default().table_name() == "users" && !is_null(&a) && !is_null(&b) {
            // Users merge by §27.6: counters and activity take the larger, created_at the
            // earlier; the canonical spellings of both compare in order.
            let name = c.as_str();
            let x = canon::normalise(&model_json(old)[name]);
            let y = canon::normalise(&model_json(new)[name]);
            let later = match (&x, &y) {
                (Json::Number(p), Json::Number(q)) => q.as_f64() > p.as_f64(),
                (Json::String(p), Json::String(q)) => q > p,
                _ => false,
            };
            if (COMBINED.contains(&name) && later) || (name == "created_at" && !later) {
                am.set(c, b);
            }
            continue;
        }
        if fill_only && (!is_null(&a) || is_null(&b)) {
            continue;
        }
        am.set(c, b);
    }
    am
}

/// Users columns a merge combines instead of keeping the target's (§27.6): max, and min for
/// `created_at`.
const COMBINED: &[&str] = &[
    "last_login",
    "last_active_at",
    "login_count",
    "failed_login_attempts",
];

/// The conflict kind of a merge that kept the target's value of `column` (§27.11).
pub fn kind_of(column: &str) -> &'static str {
    match column {
        "password_hash"
        | "password_salt"
        | "mfa_enabled"
        | "mfa_secret"
        | "verification_token"
        | "password_reset_token"
        | "password_reset_expires"
        | "password_changed_at" => "credential_not_imported",
        "role" | "content_role" => "role_conflict",
        _ => "value_differs",
    }
}

/// Columns where a merge kept a non-NULL target value over a different non-NULL source value.
fn differing<E: EntityTrait>(existing: &E::Model, new: &E::Model) -> Vec<(&'static str, Json, Json)>
where
    E::Model: Serialize,
{
    let (a, b) = (model_json(existing), model_json(new));
    let pk = pk_column::<E>();
    let mut out = Vec::new();
    for c in E::Column::iter() {
        let name = c.as_str();
        if name == pk.as_str()
            || matches!(name, "created_at" | "updated_at")
            || COMBINED.contains(&name)
        {
            continue;
        }
        let (x, y) = (&a[name], &b[name]);
        if !Json::is_null(x) && !Json::is_null(y) && canon::normalise(x) != canon::normalise(y) {
            let secret = super::SECRETS.contains(&name);
            let red = |v: &Json| {
                if secret {
                    json!("<redacted>")
                } else {
                    v.clone()
                }
            };
            out.push((name, red(y), red(x)));
        }
    }
    out
}

/// The id of the target row holding one of `row`'s unique keys (`row` as the model's JSON).
async fn holder_of<E: EntityTrait>(
    txn: &DatabaseTransaction,
    imp: &Import,
    table: &str,
    row: &Json,
) -> Result<Option<Uuid>, DbErr> {
    let Some(sets) = imp.uniques.get(table) else {
        return Ok(None);
    };
    for set in sets {
        let mut cond = Condition::all();
        let mut complete = true;
        for name in set {
            let Some(col) = E::Column::iter().find(|c| c.as_str() == name) else {
                complete = false;
                break;
            };
            match &row[name.as_str()] {
                Json::Null => {
                    complete = false;
                    break;
                }
                Json::String(s) => {
                    cond = cond.add(col.eq(match Uuid::parse_str(s) {
                        Ok(u) => Value::from(u),
                        Err(_) => Value::from(s.clone()),
                    }))
                }
                Json::Number(n) => {
                    cond = cond.add(
                        col.eq(n
                            .as_i64()
                            .map(Value::from)
                            .unwrap_or_else(|| Value::from(n.as_f64()))),
                    )
                }
                Json::Bool(b) => cond = cond.add(col.eq(*b)),
                _ => {
                    complete = false;
                    break;
                }
            }
        }
        if !complete {
            continue;
        }
        // Under a savepoint: a value the JSON spells as text may not compare with its column on
        // PostgreSQL, and an error there must not abort the batch.
        let probe = txn.begin().await?;
        let found: Result<Option<Uuid>, DbErr> = E::find()
            .select_only()
            .column(pk_column::<E>())
            .filter(cond)
            .into_tuple()
            .one(&probe)
            .await;
        probe.rollback().await?;
        if let Ok(Some(id)) = found {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Whether a map row of this import's source points at `id`.
async fn mapped_to_source(
    txn: &DatabaseTransaction,
    imp: &Import,
    table: &str,
    id: Uuid,
) -> Result<bool, DbErr> {
    if !imp.tool {
        return Ok(false);
    }
    let select = Query::select()
        .expr(Expr::val(1))
        .from(Alias::new(tool::MAP))
        .and_where(Expr::col(Alias::new("source")).eq(imp.run.source.as_str()))
        .and_where(Expr::col(Alias::new("target_table")).eq(table))
        .and_where(Expr::col(Alias::new("target_id")).eq(id))
        .limit(1)
        .to_owned();
    Ok(txn.query_one(&select).await?.is_some())
}

/// `id IN (…)`; on PostgreSQL `id IN (SELECT unnest(<one array parameter>))`, parsed and
/// planned in constant time where a 1,000-element list is not (no prepared statements, see
/// [`insert_json`]). Not `= ANY(array)`: on a table without statistics yet (one the import is
/// filling) the planner scans it comparing each row with every element, 0.4–0.8 s a batch.
fn ids_in<E: EntityTrait>(txn: &DatabaseTransaction, ids: &[Uuid]) -> Condition {
    if txn.get_database_backend() == DbBackend::Postgres {
        let array = format!(
            "{{{}}}",
            ids.iter()
                .map(Uuid::to_string)
                .collect::<Vec<_>>()
                .join(",")
        );
        let pk = pk_column::<E>();
        Condition::all().add(Expr::cust_with_values(
            format!(
                "\"{}\".\"{}\" IN (SELECT unnest(CAST(CAST($1 AS text) AS uuid[])))",
                E::default().table_name(),
                pk.as_str()
            ),
            [array],
        ))
    } else {
        Condition::all().add(pk_column::<E>().is_in(ids.iter().copied()))
    }
}

/// Which of these ids exist in the target table (one light query per 1000).
async fn read_ids<E>(txn: &DatabaseTransaction, ids: &[Uuid]) -> Result<HashSet<Uuid>, DbErr>
where
    E: EntityTrait,
{
    let mut out = HashSet::new();
    for chunk in ids.chunks(1000) {
        let found: Vec<Uuid> = E::find()
            .select_only()
            .column(pk_column::<E>())
            .filter(ids_in::<E>(txn, chunk))
            .into_tuple()
            .all(txn)
            .await?;
        out.extend(found);
    }
    Ok(out)
}

/// The target rows with these ids, by id.
async fn read_rows<E>(
    txn: &DatabaseTransaction,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, E::Model>, DbErr>
where
    E: EntityTrait,
{
    let mut out = HashMap::new();
    for chunk in ids.chunks(1000) {
        if chunk.is_empty() {
            continue;
        }
        let found = E::find().filter(ids_in::<E>(txn, chunk)).all(txn).await?;
        for m in found {
            out.insert(model_id::<E>(&m), m);
        }
    }
    Ok(out)
}

/// Per row: the model inserted (with the row as stored when the insert returned it), or why not
/// (with the model when a unique key refused it, so the key's policy can look at the row now
/// present).
type Inserted<M> = Vec<(
    String,
    String,
    Result<(M, Option<M>), (Reject, Json, Option<M>)>,
)>;

/// Whether `rows` can go through [`insert_json`]: `json_populate_recordset` stores a JSON `null`
/// as SQL NULL, so a JSON column holding JSON `null` takes the ORM's path, which keeps it.
fn json_safe<E>(rows: &[(String, String, E::Model)]) -> bool
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone,
    E::ActiveModel: ActiveModelTrait<Entity = E>,
{
    let json_columns: Vec<E::Column> = E::Column::iter()
        .filter(|c| {
            matches!(
                c.def().get_column_type(),
                sea_orm::ColumnType::Json | sea_orm::ColumnType::JsonBinary
            )
        })
        .collect();
    json_columns.is_empty()
        || rows.iter().all(|(_, _, m)| {
            json_columns
                .iter()
                .all(|c| !matches!(m.get(*c), Value::Json(Some(ref j)) if **j == Json::Null))
        })
}

/// The models as one JSON array of objects keyed by column name, each value as the database
/// spells it (an enum's stored string, not its Rust name, which is what `Serialize` writes).
fn rows_json<'m, E>(models: impl Iterator<Item = &'m E::Model>) -> String
where
    E: EntityTrait,
    E::Model: 'm,
{
    let columns: Vec<(E::Column, String)> = E::Column::iter()
        .map(|c| (c, Json::String(c.as_str().to_owned()).to_string()))
        .collect();
    let mut out = String::from("[");
    for (i, m) in models.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        for (j, (c, name)) in columns.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str(name);
            out.push(':');
            let value = match m.get(*c) {
                Value::ChronoDateTimeWithTimeZone(Some(t)) => json!(t.to_rfc3339()),
                Value::ChronoDateTimeUtc(Some(t)) => json!(t.to_rfc3339()),
                Value::ChronoDateTime(Some(t)) => json!(t.to_string()),
                Value::ChronoDate(Some(t)) => json!(t.to_string()),
                Value::ChronoTime(Some(t)) => json!(t.to_string()),
                Value::Decimal(Some(d)) => json!(d.to_string()),
                Value::Uuid(Some(u)) => json!(u.to_string()),
                other => sea_orm::sea_query::value::sea_value_to_json_value(&other),
            };
            out.push_str(&value.to_string());
        }
        out.push('}');
    }
    out.push(']');
    out
}

/// PostgreSQL: the batch's rows as one JSON parameter (`json_populate_recordset` over the
/// table's own row type), the stored rows returned by the same statement. One short statement
/// whatever the batch size, where the ORM's multi-row `VALUES` sends one bind parameter per
/// value and PostgreSQL plans each anew (the target connection keeps no prepared statements,
/// for transaction poolers): 3–4× faster at 1,000 rows. Returns the stored rows by id.
async fn insert_json<E: EntityTrait>(
    txn: &DatabaseTransaction,
    rows: &[(String, String, E::Model)],
) -> Result<HashMap<Uuid, E::Model>, DbErr> {
    let table = E::default().table_name().replace('"', "");
    let body = rows_json::<E>(rows.iter().map(|(_, _, m)| m));
    let sql = format!(
        "INSERT INTO \"{table}\" SELECT * FROM json_populate_recordset(NULL::\"{table}\", $1::text::json) RETURNING *"
    );
    let stmt = Statement::from_sql_and_values(DbBackend::Postgres, sql, [body.into()]);
    let mut out = HashMap::with_capacity(rows.len());
    for row in txn.query_all_raw(stmt).await? {
        let m = E::Model::from_query_result(&row, "")?;
        out.insert(model_id::<E>(&m), m);
    }
    Ok(out)
}

/// Inserts the rows: in one go, or, when the server refuses that, one by one under savepoints.
async fn insert_rows<E>(
    txn: &DatabaseTransaction,
    rows: Vec<(String, String, E::Model)>,
) -> Result<Inserted<E::Model>, ImportError>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel> + Clone + Serialize,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
{
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let all = txn
        .begin()
        .await
        .map_err(|e| ImportError::db("savepoint", &e))?;
    if txn.get_database_backend() == DbBackend::Postgres && json_safe::<E>(&rows) {
        if let Ok(mut stored) = insert_json::<E>(&all, &rows).await {
            all.commit()
                .await
                .map_err(|e| ImportError::db("savepoint", &e))?;
            return Ok(rows
                .into_iter()
                .map(|(k, h, m)| {
                    let back = stored.remove(&model_id::<E>(&m));
                    (k, h, Ok((m, back)))
                })
                .collect());
        }
    } else {
        let bulk = entity::bulk::insert_all(
            &all,
            rows.iter().map(|(_, _, m)| m.clone().into_active_model()),
        )
        .await;
        if bulk.is_ok() {
            all.commit()
                .await
                .map_err(|e| ImportError::db("savepoint", &e))?;
            return Ok(rows
                .into_iter()
                .map(|(k, h, m)| (k, h, Ok((m, None))))
                .collect());
        }
    }
    let _ = all.rollback().await;
    let mut out = Vec::with_capacity(rows.len());
    for (key, hash, model) in rows {
        let one = txn
            .begin()
            .await
            .map_err(|e| ImportError::db("savepoint", &e))?;
        match E::insert(model.clone().into_active_model())
            .exec_without_returning(&one)
            .await
        {
            Ok(_) => {
                one.commit()
                    .await
                    .map_err(|e| ImportError::db("savepoint", &e))?;
                out.push((key, hash, Ok((model, None))));
            }
            Err(e) => {
                let _ = one.rollback().await;
                let (reason, detail) = refusal(&e);
                let row = super::redact_row(model_json(&model));
                let collided = (reason == "natural_key_taken").then_some(model);
                out.push((
                    key,
                    hash,
                    Err((
                        Reject {
                            reason,
                            column: None,
                            detail,
                        },
                        row,
                        collided,
                    )),
                ));
            }
        }
    }
    Ok(out)
}

/// The reject reason for a row the server refused (§27.10).
fn refusal(e: &DbErr) -> (String, String) {
    let line = error_line(e);
    let lower = line.to_lowercase();
    if lower.contains("duplicate") || lower.contains("unique") {
        return ("natural_key_taken".into(), line);
    }
    if let Some(name) = line
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .find(|w| w.starts_with("ck_"))
    {
        return (format!("check_violation:{name}"), line);
    }
    let code = match e {
        DbErr::Exec(sea_orm::RuntimeErr::SqlxError(s))
        | DbErr::Query(sea_orm::RuntimeErr::SqlxError(s)) => s
            .as_database_error()
            .and_then(|d| d.code().map(|c| c.into_owned())),
        _ => None,
    };
    (
        format!("db_error:{}", code.unwrap_or_else(|| "unknown".into())),
        line,
    )
}

/// Whether the map holds any row of this source table and target table.
async fn has_map_rows(
    root: &Root<'_>,
    source: &str,
    source_table: &str,
    target_table: &str,
) -> Result<bool, ImportError> {
    let txn = root.begin().await?;
    let select = Query::select()
        .expr(Expr::val(1))
        .from(Alias::new(tool::MAP))
        .and_where(Expr::col(Alias::new("source")).eq(source))
        .and_where(Expr::col(Alias::new("source_table")).eq(source_table))
        .and_where(Expr::col(Alias::new("target_table")).eq(target_table))
        .limit(1)
        .to_owned();
    let found = txn
        .query_one(&select)
        .await
        .map_err(|e| ImportError::db("reading the map", &e))?;
    txn.rollback()
        .await
        .map_err(|e| ImportError::db("reading the map", &e))?;
    Ok(found.is_some())
}

/// `source_key IN (…)` over `keys`, in as few statements as the backend takes: on PostgreSQL one
/// JSON array parameter for them all (see [`ids_in`]), elsewhere lists of 1,000.
fn source_keys_in(backend: DbBackend, keys: &[&str]) -> Vec<Expr> {
    if backend == DbBackend::Postgres {
        if keys.is_empty() {
            return Vec::new();
        }
        return vec![Expr::cust_with_values(
            "source_key IN (SELECT json_array_elements_text(CAST($1 AS json)))",
            [Json::from(keys.to_vec()).to_string()],
        )];
    }
    keys.chunks(1000)
        .map(|chunk| Expr::col(Alias::new("source_key")).is_in(chunk.iter().map(|k| k.to_string())))
        .collect()
}

async fn read_map<'k>(
    txn: &DatabaseTransaction,
    source: &str,
    source_table: &str,
    target_table: &str,
    keys: impl Iterator<Item = &'k str>,
) -> Result<HashMap<String, Mapped>, DbErr> {
    let keys: Vec<&str> = keys.collect();
    let mut out = HashMap::new();
    for keys_in in source_keys_in(txn.get_database_backend(), &keys) {
        let select = Query::select()
            .columns(
                [
                    "source_key",
                    "target_id",
                    "action",
                    "source_hash",
                    "written_hash",
                ]
                .map(Alias::new),
            )
            .from(Alias::new(tool::MAP))
            .and_where(Expr::col(Alias::new("source")).eq(source))
            .and_where(Expr::col(Alias::new("source_table")).eq(source_table))
            .and_where(Expr::col(Alias::new("target_table")).eq(target_table))
            .and_where(keys_in)
            .to_owned();
        for row in txn.query_all(&select).await? {
            let key: String = row.try_get_by_index(0)?;
            out.insert(
                key,
                Mapped {
                    target_id: row.try_get_by_index(1)?,
                    action: row.try_get_by_index(2)?,
                    source_hash: row.try_get_by_index(3)?,
                    written_hash: row.try_get_by_index(4)?,
                },
            );
        }
    }
    Ok(out)
}

async fn write_tool_rows(
    txn: &DatabaseTransaction,
    imp: &Import,
    source_table: &str,
    target_table: &str,
    w: &Writes,
) -> Result<(), DbErr> {
    let run = imp.run.id;
    let now = super::now();
    let source = imp.run.source.as_str();
    let system = imp.run.system;
    let col = |n: &str| Alias::new(n);
    let map_new: &[_] = if txn.get_database_backend() == DbBackend::Postgres {
        insert_map_json(txn, imp, source_table, target_table, w).await?;
        &[]
    } else {
        &w.map_new
    };
    for chunk in map_new.chunks(500) {
        let mut insert = Query::insert();
        insert.into_table(col(tool::MAP)).columns(
            [
                "source",
                "system",
                "source_table",
                "source_key",
                "target_table",
                "target_id",
                "action",
                "source_hash",
                "written_hash",
                "self_ref_pending",
                "first_run_id",
                "last_run_id",
                "imported_at",
                "updated_at",
            ]
            .map(col),
        );
        for (key, id, action, hash) in chunk {
            let written = w.written.get(id).cloned().unwrap_or_default();
            insert.values_panic([
                source.into(),
                system.into(),
                source_table.into(),
                key.as_str().into(),
                target_table.into(),
                (*id).into(),
                (*action).into(),
                hash.as_str().into(),
                written.into(),
                w.pending.contains(key).into(),
                run.into(),
                run.into(),
                now.into(),
                now.into(),
            ]);
        }
        txn.execute(&insert).await?;
    }
    // Rows seen again: this run touched them; a changed action or hash is written too.
    let untouched: Vec<&str> = w
        .map_touch
        .iter()
        .filter(|(_, c)| c.is_none())
        .map(|(k, _)| k.as_str())
        .collect();
    for chunk in untouched.chunks(1000) {
        let update = Query::update()
            .table(col(tool::MAP))
            .value(col("last_run_id"), run)
            .and_where(Expr::col(col("source")).eq(source))
            .and_where(Expr::col(col("source_table")).eq(source_table))
            .and_where(Expr::col(col("target_table")).eq(target_table))
            .and_where(Expr::col(col("source_key")).is_in(chunk.iter().map(|k| k.to_string())))
            .to_owned();
        txn.execute(&update).await?;
    }
    for (key, change) in &w.map_touch {
        let Some((action, hash)) = change else {
            continue;
        };
        let update = Query::update()
            .table(col(tool::MAP))
            .value(col("last_run_id"), run)
            .value(col("action"), *action)
            .value(col("source_hash"), hash.as_str())
            .value(col("updated_at"), now)
            .and_where(Expr::col(col("source")).eq(source))
            .and_where(Expr::col(col("source_table")).eq(source_table))
            .and_where(Expr::col(col("target_table")).eq(target_table))
            .and_where(Expr::col(col("source_key")).eq(key.as_str()))
            .to_owned();
        txn.execute(&update).await?;
    }
    // Every map row pointing at a row this batch merged into or updated gets its new hash (a row
    // inserted just now has no map row but its own, written above with its hash).
    let inserted: std::collections::HashSet<Uuid> = w
        .map_new
        .iter()
        .filter(|m| m.2 == "inserted")
        .map(|m| m.1)
        .collect();
    for (id, hash) in w.written.iter().filter(|(id, _)| !inserted.contains(id)) {
        let update = Query::update()
            .table(col(tool::MAP))
            .value(col("written_hash"), hash.as_str())
            .and_where(Expr::col(col("target_table")).eq(target_table))
            .and_where(Expr::col(col("target_id")).eq(*id))
            .to_owned();
        txn.execute(&update).await?;
    }
    for chunk in w.rejects.chunks(200) {
        let mut insert = Query::insert();
        insert.into_table(col(tool::REJECTS)).columns(
            [
                "id",
                "run_id",
                "source",
                "system",
                "source_table",
                "source_key",
                "reason",
                "column_name",
                "detail",
                "source_row",
                "created_at",
            ]
            .map(col),
        );
        for (key, r, row) in chunk {
            insert.values_panic([
                Uuid::now_v7().into(),
                run.into(),
                source.into(),
                system.into(),
                source_table.into(),
                key.as_str().into(),
                r.reason.as_str().into(),
                r.column.map(str::to_owned).into(),
                r.detail.as_str().into(),
                row.clone().into(),
                now.into(),
            ]);
        }
        txn.execute(&insert).await?;
    }
    write_conflicts(txn, imp, source_table, target_table, &w.conflicts).await?;
    let _ = Statement::from_string(DbBackend::Postgres, String::new());
    Ok(())
}

/// PostgreSQL: the batch's new map rows as one JSON parameter of the six columns that differ per
/// row (`json_to_recordset`), the others as single values: one short statement, and cheaper for
/// the server than the whole rows through `json_populate_recordset`.
async fn insert_map_json(
    txn: &DatabaseTransaction,
    imp: &Import,
    source_table: &str,
    target_table: &str,
    w: &Writes,
) -> Result<(), DbErr> {
    if w.map_new.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO {map} (source, system, source_table, source_key, target_table, target_id, \
           action, source_hash, written_hash, self_ref_pending, first_run_id, last_run_id, \
           imported_at, updated_at) \
         SELECT $1, $2, $3, k, $4, CAST(i AS uuid), a, h, w, p, $5, $5, $6, $6 \
         FROM json_to_recordset(CAST($7 AS json)) AS x(k text, i text, a text, h text, w text, p boolean)",
        map = tool::MAP
    );
    let rows: Vec<Json> = w
        .map_new
        .iter()
        .map(|(key, id, action, hash)| {
            json!({
                "k": key,
                "i": id,
                "a": action,
                "h": hash,
                "w": w.written.get(id).map(String::as_str).unwrap_or_default(),
                "p": w.pending.contains(key),
            })
        })
        .collect();
    let now = super::now();
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        [
            imp.run.source.as_str().into(),
            imp.run.system.into(),
            source_table.into(),
            target_table.into(),
            imp.run.id.into(),
            now.into(),
            Json::Array(rows).to_string().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// The second pass of a self-referencing table (§27.4): every map row of `source_table` still
/// pending gets its reference, from `parents` (child key → parent key, every row of the source
/// that has one). In batches, each one transaction that writes the references, puts back the
/// `updated_at` the insert wrote (a trigger or `ON UPDATE` moves it) and clears the flags. A
/// parent missing or rejected leaves NULL with `reference_nulled`. Runs on every run, so it
/// finishes what an interrupted run left; idempotent.
pub async fn second_pass<E>(
    imp: &mut Import,
    root: &Root<'_>,
    source_table: &str,
    column: E::Column,
    parents: &HashMap<String, String>,
) -> Result<(), ImportError>
where
    E: EntityTrait,
    E::Model: Serialize + Send + Sync,
{
    if !(imp.tool && imp.record) {
        return Ok(());
    }
    let target_table = E::default().table_name().to_owned();
    let col = |n: &str| Alias::new(n);
    loop {
        let txn = root.begin().await?;
        let fail = |e: DbErr| ImportError::db(&format!("second pass of {target_table}"), &e);
        let select = Query::select()
            .columns(["source_key", "target_id"].map(Alias::new))
            .from(col(tool::MAP))
            .and_where(Expr::col(col("source")).eq(imp.run.source.as_str()))
            .and_where(Expr::col(col("source_table")).eq(source_table))
            .and_where(Expr::col(col("target_table")).eq(target_table.as_str()))
            .and_where(Expr::col(col("self_ref_pending")).eq(true))
            .limit(500)
            .to_owned();
        let rows = txn.query_all(&select).await.map_err(fail)?;
        if rows.is_empty() {
            txn.rollback().await.map_err(fail)?;
            return Ok(());
        }
        let mut done: Vec<(String, Uuid)> = Vec::new();
        for r in rows {
            let key: String = r.try_get_by_index(0).map_err(fail)?;
            let id: Uuid = r.try_get_by_index(1).map_err(fail)?;
            let parent = parents
                .get(&key)
                .map(|k| (k.clone(), imp.parent(source_table, k)));
            match parent {
                Some((_, Parent::Found(pid))) => {
                    let before = read_rows::<E>(&txn, &[id]).await.map_err(fail)?;
                    let updated_at = before
                        .get(&id)
                        .map(|m| model_json(m)["updated_at"].clone())
                        .unwrap_or(Json::Null);
                    let set = Query::update()
                        .table(col(&target_table))
                        .value(col(column.as_str()), pid)
                        .and_where(Expr::col(col("id")).eq(id))
                        .to_owned();
                    txn.execute(&set).await.map_err(fail)?;
                    if let Some(t) = updated_at
                        .as_str()
                        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    {
                        let back = Query::update()
                            .table(col(&target_table))
                            .value(col("updated_at"), t)
                            .and_where(Expr::col(col("id")).eq(id))
                            .to_owned();
                        txn.execute(&back).await.map_err(fail)?;
                    }
                }
                other => {
                    let source_value = other.map(|(k, _)| json!(k));
                    let c = Conflict::new(
                        "reference_nulled",
                        Some(column.as_str()),
                        source_value,
                        "set_null",
                    );
                    write_conflicts(
                        &txn,
                        imp,
                        source_table,
                        &target_table,
                        &[(key.clone(), Some(id), c.clone())],
                    )
                    .await
                    .map_err(fail)?;
                    *imp.conflicts.entry(c.kind.to_owned()).or_default() += 1;
                }
            }
            done.push((key, id));
        }
        let ids: Vec<Uuid> = done.iter().map(|(_, id)| *id).collect();
        let back = read_rows::<E>(&txn, &ids).await.map_err(fail)?;
        for (key, id) in &done {
            let written = back
                .get(id)
                .map(|m| canon::hash(&model_json(m)))
                .unwrap_or_default();
            let update = Query::update()
                .table(col(tool::MAP))
                .value(col("self_ref_pending"), false)
                .value(col("written_hash"), written)
                .and_where(Expr::col(col("source")).eq(imp.run.source.as_str()))
                .and_where(Expr::col(col("source_table")).eq(source_table))
                .and_where(Expr::col(col("target_table")).eq(target_table.as_str()))
                .and_where(Expr::col(col("source_key")).eq(key.as_str()))
                .to_owned();
            txn.execute(&update).await.map_err(fail)?;
        }
        txn.commit().await.map_err(fail)?;
    }
}

/// The conflicts of a batch (or of the second pass), `(source key, target id, conflict)`.
async fn write_conflicts(
    txn: &DatabaseTransaction,
    imp: &Import,
    source_table: &str,
    target_table: &str,
    rows: &[(String, Option<Uuid>, Conflict)],
) -> Result<(), DbErr> {
    let now = super::now();
    for chunk in rows.chunks(200) {
        let mut insert = Query::insert();
        insert.into_table(Alias::new(tool::CONFLICTS)).columns(
            [
                "id",
                "run_id",
                "source",
                "system",
                "source_table",
                "source_key",
                "target_table",
                "target_id",
                "kind",
                "severity",
                "column_name",
                "source_value",
                "target_value",
                "resolution",
                "created_at",
            ]
            .map(Alias::new),
        );
        for (key, id, c) in chunk {
            insert.values_panic([
                Uuid::now_v7().into(),
                imp.run.id.into(),
                imp.run.source.as_str().into(),
                imp.run.system.into(),
                source_table.into(),
                key.as_str().into(),
                target_table.into(),
                (*id).into(),
                c.kind.into(),
                c.severity.into(),
                c.column.map(str::to_owned).into(),
                c.source_value.clone().into(),
                c.target_value.clone().into(),
                c.resolution.as_str().into(),
                now.into(),
            ]);
        }
        txn.execute(&insert).await?;
    }
    Ok(())
}
