//! What the import says while it runs (issue 17): per report line, the rows read and the rows
//! per second, on stderr so that stdout keeps the report alone.
//! - on a terminal, a live line per table (indicatif), cleared into a summary line when the
//!   table is done;
//! - otherwise plain lines, one every [`EVERY`] while a table runs and one when it is done;
//! - with `--json`, the same as JSON lines: `{"progress":{"line":…,"read":…,"rows_per_second":…,"done":…}}`.
//!
//! A closed stderr stops the progress output, never the import.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

/// How often a plain or JSON line is written while a table runs.
pub const EVERY: Duration = Duration::from_secs(5);

/// How the progress is shown.
pub enum Progress {
    Bar(Option<Table<ProgressBar>>),
    Lines {
        json: bool,
        table: Option<Table<()>>,
    },
}

/// The table being read: its report line, when it started, the rows read, the last line written.
pub struct Table<T> {
    line: String,
    started: Instant,
    read: u64,
    said: Instant,
    shown: T,
}

impl<T> Table<T> {
    fn rate(&self) -> u64 {
        let secs = self.started.elapsed().as_secs_f64();
        if secs > 0.0 {
            (self.read as f64 / secs) as u64
        } else {
            0
        }
    }
}

impl Progress {
    /// A bar on a terminal, else plain (or JSON) lines.
    pub fn for_stderr(json: bool) -> Progress {
        if std::io::stderr().is_terminal() && !json {
            Progress::Bar(None)
        } else {
            Progress::Lines { json, table: None }
        }
    }

    /// Report line `line` starts (a table, or rows derived from one).
    pub fn start(&mut self, line: &str) {
        self.done();
        match self {
            Progress::Bar(slot) => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                if let Ok(style) =
                    ProgressStyle::with_template("{spinner} {prefix}: {human_pos} rows, {per_sec}")
                {
                    bar.set_style(style);
                }
                bar.set_prefix(line.to_owned());
                *slot = Some(table(line, bar));
            }
            Progress::Lines { table: slot, .. } => *slot = Some(table(line, ())),
        }
    }

    /// `read` rows of the current line are read so far (called after each batch).
    pub fn rows(&mut self, read: u64) {
        match self {
            Progress::Bar(Some(t)) => {
                t.read = read;
                t.shown.set_position(read);
            }
            Progress::Lines {
                json,
                table: Some(t),
            } => {
                t.read = read;
                if t.said.elapsed() >= EVERY {
                    say(*json, t, false);
                    t.said = Instant::now();
                }
            }
            _ => {}
        }
    }

    /// The current line is done (or the run ended, or failed, during it).
    pub fn done(&mut self) {
        match self {
            Progress::Bar(slot) => {
                if let Some(t) = slot.take() {
                    t.shown.finish_and_clear();
                    say(false, &t, true);
                }
            }
            Progress::Lines { json, table } => {
                if let Some(t) = table.take() {
                    say(*json, &t, true);
                }
            }
        }
    }
}

fn table<T>(line: &str, shown: T) -> Table<T> {
    Table {
        line: line.to_owned(),
        started: Instant::now(),
        read: 0,
        said: Instant::now(),
        shown,
    }
}

fn say<T>(json: bool, t: &Table<T>, done: bool) {
    let text = if json {
        json!({"progress": {"line": t.line, "read": t.read, "rows_per_second": t.rate(), "done": done}})
            .to_string()
    } else {
        format!(
            "{}: {} rows read, {} rows/s{}",
            t.line,
            t.read,
            t.rate(),
            if done { "" } else { " …" }
        )
    };
    let _ = writeln!(std::io::stderr(), "{text}");
}
