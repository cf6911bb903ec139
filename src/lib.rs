//! The `learndb` application: what the command does beyond migrating, as a library the tests
//! use too. It holds no schema knowledge of its own: the schema is the migration crate's, the
//! models are the entity crate's, and every command reads the live database through
//! [`catalog`], the one catalog reader of the workspace.

pub mod catalog;
pub mod compare;
pub mod docs;
pub mod doctor;
pub mod groups;
pub mod import;
pub mod seed;
pub mod snapshot;
pub mod verify;
