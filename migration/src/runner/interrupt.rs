//! SIGINT and SIGTERM during a run: the runner finishes the statement in flight, records where
//! it stopped, releases the lock and reports, instead of dying between a DDL statement and its
//! bookkeeping.
//!
//! The handlers are process-wide, so the library never installs them by itself (a service that
//! migrates at startup keeps its own Ctrl-C handling); the command line calls [`install`] just
//! before a command that changes the database, and a service may too. A second signal ends the
//! process at once with the usual exit code: what it leaves behind is recorded as `running` and
//! `up --recover` undoes it.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, Ordering};

static REQUESTED: AtomicI32 = AtomicI32::new(0);
static INSTALLED: OnceLock<()> = OnceLock::new();

/// The signal that asked the run to stop, if one did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Interrupt,
    Terminate,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }

    /// 128 + the signal number, as shells report a process ended by it.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    fn number(self) -> i32 {
        match self {
            Signal::Interrupt => 2,
            Signal::Terminate => 15,
        }
    }

    fn from_number(n: i32) -> Option<Signal> {
        match n {
            2 => Some(Signal::Interrupt),
            15 => Some(Signal::Terminate),
            _ => None,
        }
    }
}

/// Whether a stop was requested, and by which signal.
pub fn requested() -> Option<Signal> {
    Signal::from_number(REQUESTED.load(Ordering::SeqCst))
}

/// Forgets a stop request, so the next run proceeds (a service that handled the signal and
/// decided to carry on; tests).
pub fn clear() {
    REQUESTED.store(0, Ordering::SeqCst);
}

/// Asks the run to stop at the next statement boundary, as a signal would.
pub fn request(signal: Signal) {
    REQUESTED.store(signal.number(), Ordering::SeqCst);
}

/// Listens for SIGINT and SIGTERM for the rest of the process (idempotent). Needs a Tokio
/// runtime.
pub fn install() {
    if INSTALLED.set(()).is_err() {
        return;
    }
    let Some(mut signals) = Signals::new() else {
        return;
    };
    tokio::spawn(async move {
        while let Some(signal) = signals.next().await {
            if requested().is_some() {
                // The second signal: the operator insists.
                std::process::exit(i32::from(signal.exit_code()));
            }
            request(signal);
        }
    });
}

#[cfg(unix)]
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    /// Registers both handlers now, so no signal is missed between two waits.
    fn new() -> Option<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Some(Signals {
            int: signal(SignalKind::interrupt()).ok()?,
            term: signal(SignalKind::terminate()).ok()?,
        })
    }

    async fn next(&mut self) -> Option<Signal> {
        tokio::select! {
            got = self.int.recv() => got.map(|()| Signal::Interrupt),
            got = self.term.recv() => got.map(|()| Signal::Terminate),
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> Option<Signals> {
        Some(Signals)
    }

    async fn next(&mut self) -> Option<Signal> {
        tokio::signal::ctrl_c().await.ok()?;
        Some(Signal::Interrupt)
    }
}
