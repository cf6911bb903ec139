//! learndb's entity models: one SeaORM 2.0 entity per table of the unified learning-platform
//! schema, for services to import.
//!
//! The crate has two halves, kept apart so that regeneration never surprises anyone:
//! - [`generated`] is exactly what `sea-orm-cli generate entity --entity-format dense` writes
//!   from a freshly migrated PostgreSQL database (`scripts/generate-entities.sh`; CI fails when
//!   it is stale). Nobody edits it.
//! - [`behavior`] is written by hand: the `ActiveModelBehavior` of every entity (UUIDv7 ids and
//!   UTC timestamps filled in by the application, the same on PostgreSQL, MySQL and SQLite), and
//!   so is [`bulk`]: batched, streamed `insert_many` within each backend's bind-parameter limit.
//!
//! The generated modules are re-exported at the root, so services write `entity::users::Model`,
//! `entity::prelude::*` and `entity::sea_orm_active_enums::Role`.
//!
//! The crate selects no async runtime and no database driver: a service depends on `sea-orm`
//! with the ones it uses (see the README).

pub mod behavior;
pub mod bulk;
pub mod generated;

pub use behavior::{new_id, now};
pub use generated::*;
