//! Everything a runner command can fail with, each a message an operator can act on.

use super::interrupt::Signal;
use super::lock::LockError;
use super::plan::PlanError;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The server is one where learndb's promises would not hold ([`crate::engine::decide`]).
    #[error("refusing to migrate {target}: {refusal}; nothing was locked or changed")]
    Refused {
        target: String,
        refusal: crate::engine::Refusal,
    },
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error("{action} failed on {target}: {reason}")]
    Db {
        action: &'static str,
        target: String,
        reason: String,
    },
    #[error(
        "refusing to run: {count} applied migration(s) changed since they were applied on {target}: {details}; review the change (an applied migration must never be edited: add a new one), then run `repair` to record the new checksums"
    )]
    ChecksumChanged {
        target: String,
        count: usize,
        details: String,
    },
    #[error(
        "refusing to run: {version} is '{state}' on {target}{details}; run `up --recover` to take back what it did and apply it again, or `resolve {version} --applied` if you have checked that its changes are complete"
    )]
    Unfinished {
        target: String,
        version: String,
        /// Its recorded state (`failed`, `running`, …).
        state: String,
        /// Since when, the recorded error, and how many statements completed.
        details: String,
    },
    #[error("{version} failed on {target}: {reason}; {after}")]
    MigrationFailed {
        version: String,
        target: String,
        reason: String,
        after: String,
    },
    #[error(
        "{target} has applied migrations this build does not contain: {versions}; run a build that has them, or restore their files"
    )]
    MissingFiles { target: String, versions: String },
    #[error("{0}")]
    Plan(#[from] PlanError),
    #[error(
        "refusing to apply {version} on {target}: {objects} already exist(s), but seaql_migrations does not record {version} as applied{note}; if they are leftovers of an unfinished run of {version}, `resolve {version} --rolled-back` takes them back with its down(); if {version} is applied, record it with `resolve {version} --applied`; nothing was changed"
    )]
    Untracked {
        version: String,
        target: String,
        objects: String,
        /// What learndb's own history says, when it has a row.
        note: String,
    },
    #[error(
        "cannot take back {version} on {target} automatically: {reason}; undo its changes by hand, then run `resolve {version} --rolled-back`"
    )]
    CannotRecover {
        version: String,
        target: String,
        reason: String,
    },
    #[error("stopped by {} {what} on {target}; the migration lock is released", .signal.name())]
    Interrupted {
        signal: Signal,
        target: String,
        what: String,
    },
    #[error(
        "refusing to run: keys or checks that applied migrations declare are not in the catalog of {target}: {keys}; the server lost them (MariaDB crash recovery after a copying ALTER can); run `up --recover`, which adds them back with their migrations' own statements (a foreign key checked against the rows); nothing was changed"
    )]
    Incomplete { target: String, keys: String },
    #[error(
        "{version} is not in a failed or interrupted state on {target} (it is {state}); nothing to resolve"
    )]
    NothingToResolve {
        version: String,
        target: String,
        state: String,
    },
}

impl RunError {
    /// 2 for input the user must fix (an unknown version), 130/143 when a signal stopped the
    /// run, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Plan(
                PlanError::UnknownVersion { .. } | PlanError::AmbiguousVersion { .. },
            ) => 2,
            RunError::Interrupted { signal, .. }
            | RunError::Lock(LockError::Interrupted { signal, .. }) => signal.exit_code(),
            _ => 1,
        }
    }
}
