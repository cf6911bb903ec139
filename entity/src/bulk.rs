//! Bulk inserts that a service, the demo seed and the benchmarks share: many rows through
//! `insert_many`, in batches as large as the backend's bind-parameter limit allows, streamed from
//! an iterator so that memory holds one batch, not every row.
//!
//! SeaORM sends one bind parameter per set column of every row, and each backend caps the
//! parameters of one statement: PostgreSQL and MySQL at 65,535 (a 16-bit count in their
//! protocols), SQLite at 32,766 (`SQLITE_MAX_VARIABLE_NUMBER` since 3.32). A batch is sized from
//! the entity's column count, so it never exceeds the cap whatever the caller sets. Each row goes
//! through [`prepare_insert`](crate::behavior::prepare_insert) first, because `insert_many`
//! runs no `ActiveModelBehavior` hooks.
//!
//! The batches are separate statements: pass a transaction as `db` for all-or-nothing.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, Iterable};

use crate::behavior::prepare_insert;

/// The most bind parameters one statement may carry on `backend`.
pub fn bind_parameter_limit(backend: DbBackend) -> usize {
    match backend {
        DbBackend::Postgres | DbBackend::MySql => 65_535,
        DbBackend::Sqlite => 32_766,
        // DbBackend is non-exhaustive; a backend added later gets SQLite's smaller cap.
        _ => 32_766,
    }
}

/// How many rows of entity `E` fit in one statement on `backend`.
pub fn rows_per_batch<E: EntityTrait>(backend: DbBackend) -> usize {
    let columns = E::Column::iter().count().max(1);
    (bind_parameter_limit(backend) / columns).max(1)
}

/// Inserts every model of `models` with `insert_many`, [`rows_per_batch`] rows a statement,
/// after [`prepare_insert`]. Returns the number of rows inserted.
pub async fn insert_all<A, C, I>(db: &C, models: I) -> Result<u64, DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
    I: IntoIterator<Item = A>,
{
    let size = rows_per_batch::<A::Entity>(db.get_database_backend());
    let mut batch = Vec::with_capacity(size);
    let mut inserted = 0;
    for model in models {
        batch.push(prepare_insert(model));
        if batch.len() == size {
            inserted += flush(db, &mut batch).await?;
        }
    }
    inserted += flush(db, &mut batch).await?;
    Ok(inserted)
}

async fn flush<A, C>(db: &C, batch: &mut Vec<A>) -> Result<u64, DbErr>
where
    A: ActiveModelTrait + Send,
    C: ConnectionTrait,
{
    if batch.is_empty() {
        return Ok(0);
    }
    A::Entity::insert_many(std::mem::take(batch))
        .exec_without_returning(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{attempts, users};

    #[test]
    fn a_batch_never_exceeds_the_backend_cap() {
        for backend in [DbBackend::Postgres, DbBackend::MySql, DbBackend::Sqlite] {
            let columns = attempts::Column::iter().count();
            let rows = rows_per_batch::<attempts::Entity>(backend);
            assert!(rows * columns <= bind_parameter_limit(backend));
            assert!((rows + 1) * columns > bind_parameter_limit(backend));
        }
        assert_eq!(
            rows_per_batch::<users::Entity>(DbBackend::Sqlite),
            32_766 / users::Column::iter().count()
        );
    }
}
