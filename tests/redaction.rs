//! No password reaches the screen, whatever it contains and whichever way the command ends.
//!
//! For every ASCII punctuation character c, a password `Pw{c}x9Q` is put in a database URL raw
//! and percent-encoded, and the real `learndb` binary is run down every output path: a URL that
//! does not parse, a login the server refuses, `-v` and `RUST_LOG=trace` on a command that
//! succeeds, `status --json` and `up --dry-run`. Neither stream may contain the password in any
//! form it could be printed in (raw, percent-encoded, escaped). On PostgreSQL and MariaDB a real
//! user with that password is created, so the success paths really log in; MariaDB checks the
//! password (PostgreSQL here trusts local logins), so there the URL is proven to authenticate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Output;

use common::{Backend, TestDb, command, learndb_bin, stderr, stdout};

/// All 32 ASCII punctuation characters.
const PUNCTUATION: &str = r##"!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~"##;

/// Binaries run at once per backend.
const THREADS: usize = 4;

fn password(c: char) -> String {
    format!("Pw{c}x9Q")
}

/// Percent-encodes every byte that is not a letter or digit.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Every form in which a password could show up: as written, percent-encoded, and escaped as
/// `Debug` and JSON escape it.
fn forms(password: &str) -> Vec<String> {
    let debug = format!("{password:?}");
    vec![
        password.to_owned(),
        encode(password),
        debug[1..debug.len() - 1].to_owned(),
    ]
}

/// How a run must end, besides not printing the password.
#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Exit 0.
    Success,
    /// `status --json`: exit 0 and stdout is one JSON document.
    Json,
    /// Exit 2 and one `error:` line on stderr containing this text (any, when empty).
    Error(&'static str),
    /// Either: what matters is only that nothing leaks (and nothing panics).
    Anything,
}

/// The learndb commands beside `migrate` that open a database.
const APP_COMMANDS: &[&str] = &["verify", "doctor", "seed", "docs"];

struct Case {
    what: String,
    url: String,
    /// Passed as DATABASE_URL instead of --database-url.
    from_env: bool,
    args: Vec<&'static str>,
    env: Vec<(&'static str, &'static str)>,
    expect: Expect,
    secret: String,
}

impl Case {
    fn new(what: String, url: String, args: &[&'static str], expect: Expect, secret: &str) -> Self {
        Case {
            what,
            url,
            from_env: false,
            args: args.to_vec(),
            env: Vec::new(),
            expect,
            secret: secret.to_owned(),
        }
    }

    fn env(mut self, key: &'static str, value: &'static str) -> Self {
        self.env.push((key, value));
        self
    }

    fn via_env(mut self) -> Self {
        self.from_env = true;
        self
    }

    fn run(&self, dir: &Path) -> Output {
        let mut cmd = command(&learndb_bin(), dir);
        // `learndb migrate <args>`, or one of the app's own commands (`verify`, `doctor`, …),
        // which take the URL after their name.
        let args = match self.args.first() {
            Some(&app) if APP_COMMANDS.contains(&app) => {
                cmd.arg(app);
                &self.args[1..]
            }
            _ => {
                cmd.arg("migrate");
                &self.args[..]
            }
        };
        if self.from_env {
            cmd.env("DATABASE_URL", &self.url);
        } else {
            cmd.args(["--database-url", &self.url]);
        }
        cmd.args(args)
            .envs(self.env.iter().copied())
            .output()
            .expect("the learndb binary starts")
    }

    /// Runs the case; returns what went wrong, if anything.
    fn check(&self, dir: &Path) -> Option<String> {
        let out = self.run(dir);
        let (so, se) = (stdout(&out), stderr(&out));
        let context = || {
            format!(
                "{}: exit {:?}\n--- stdout\n{so}\n--- stderr\n{se}",
                self.what,
                out.status.code()
            )
        };
        for form in forms(&self.secret) {
            if so.contains(&form) || se.contains(&form) {
                return Some(format!("printed the password as `{form}`: {}", context()));
            }
        }
        if so.contains("panicked") || se.contains("panicked") {
            return Some(format!("panicked: {}", context()));
        }
        match self.expect {
            Expect::Success if !out.status.success() => Some(format!("failed: {}", context())),
            Expect::Json => {
                if !out.status.success() {
                    return Some(format!("failed: {}", context()));
                }
                serde_json::from_str::<serde_json::Value>(&so)
                    .err()
                    .map(|e| format!("stdout is not JSON ({e}): {}", context()))
            }
            Expect::Error(text) => {
                let lines: Vec<&str> = se.lines().collect();
                let one_line = lines.len() == 1 && lines[0].starts_with("error: ");
                (out.status.code() != Some(2) || !one_line || !se.contains(text))
                    .then(|| format!("expected one `error:` line with `{text}`: {}", context()))
            }
            _ => None,
        }
    }
}

/// Runs every case, `THREADS` at a time, and fails with every problem found.
fn run_all(cases: &[Case]) {
    let dir = tempfile::tempdir().unwrap();
    let chunk = cases.len().div_ceil(THREADS).max(1);
    let problems: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = cases
            .chunks(chunk)
            .map(|part| {
                let dir = dir.path();
                scope.spawn(move || part.iter().filter_map(|c| c.check(dir)).collect::<Vec<_>>())
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a worker thread"))
            .collect()
    });
    assert!(
        problems.is_empty(),
        "{} of {} runs went wrong:\n\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n\n")
    );
}

/// URLs that are rejected before anything is opened.
fn unparseable_cases(c: char, backend: Backend) -> Vec<Case> {
    let pw = password(c);
    let enc = encode(&pw);
    let (scheme, port) = match backend {
        Backend::Postgres => ("postgres", 5432),
        Backend::MySql => ("mysql", 3306),
        Backend::Sqlite => {
            return vec![
                Case::new(
                    format!("{c:?}: sqlite: without //"),
                    format!("sqlite:u:{pw}@data.sqlite"),
                    &["status"],
                    Expect::Error("is not valid"),
                    &pw,
                ),
                Case::new(
                    format!("{c:?}: sqlite:// without a path, from DATABASE_URL"),
                    format!("sqlite://?u:{enc}@x"),
                    &["up", "--dry-run"],
                    Expect::Error("names no file"),
                    &pw,
                )
                .via_env(),
            ];
        }
    };
    vec![
        Case::new(
            format!("{c:?}: no host, raw password"),
            format!("{scheme}://learndb:{pw}@/learndb"),
            &["status"],
            Expect::Error("is not valid"),
            &pw,
        ),
        Case::new(
            format!("{c:?}: no host, encoded password"),
            format!("{scheme}://learndb:{enc}@/learndb"),
            &["status"],
            Expect::Error("is not valid"),
            &pw,
        ),
        Case::new(
            format!("{c:?}: no database, raw password, from DATABASE_URL"),
            format!("{scheme}://learndb:{pw}@127.0.0.1:{port}"),
            &["up", "--dry-run"],
            Expect::Error("is not valid"),
            &pw,
        )
        .via_env(),
    ]
}

/// A server user per punctuation character, dropped again when the test ends.
struct Users {
    backend: Backend,
    url: String,
    names: Vec<String>,
}

impl Users {
    async fn create(t: &TestDb, run: &str) -> Users {
        let database = t.url.rsplit('/').next().unwrap().to_owned();
        let mut names = Vec::new();
        for (i, c) in PUNCTUATION.chars().enumerate() {
            let name = format!("ldb_{run}_{i}");
            let pw = password(c);
            let sql = match t.backend {
                Backend::Postgres => format!(
                    "CREATE ROLE \"{name}\" LOGIN PASSWORD '{}'; GRANT ALL ON DATABASE \"{database}\" TO \"{name}\"; GRANT ALL ON SCHEMA public TO \"{name}\"",
                    pw.replace('\'', "''")
                ),
                // MariaDB string literals also treat the backslash as an escape.
                _ => format!(
                    "CREATE USER '{name}'@'%' IDENTIFIED BY '{}'; GRANT ALL ON `{database}`.* TO '{name}'@'%'",
                    pw.replace('\\', "\\\\").replace('\'', "''")
                ),
            };
            names.push(name.clone());
            for statement in sql.split("; ") {
                t.exec(statement)
                    .await
                    .unwrap_or_else(|e| panic!("{c:?}: {statement}: {e}"));
            }
        }
        Users {
            backend: t.backend,
            url: t.url.clone(),
            names,
        }
    }
}

impl Drop for Users {
    fn drop(&mut self) {
        let (backend, url, names) = (self.backend, self.url.clone(), self.names.clone());
        let statements = names
            .iter()
            .flat_map(|name| match backend {
                Backend::Postgres => vec![
                    format!("DROP OWNED BY \"{name}\""),
                    format!("DROP ROLE IF EXISTS \"{name}\""),
                ],
                _ => vec![format!("DROP USER IF EXISTS '{name}'@'%'")],
            })
            .collect();
        common::cleanup(url, statements);
    }
}

/// The test database's URL as another user, the password inserted exactly as given.
fn url_as(t: &TestDb, user: &str, password: &str) -> String {
    let (scheme, rest) = t.url.split_once("://").unwrap();
    let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    format!("{scheme}://{user}:{password}@{host}")
}

async fn no_password_is_ever_printed(backend: Backend) {
    let t = TestDb::new(backend).await;
    let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let mut cases = Vec::new();
    let users = match backend {
        Backend::Sqlite => None,
        _ => Some(Users::create(&t, &run).await),
    };
    let dir = tempfile::tempdir().unwrap();
    for (i, c) in PUNCTUATION.chars().enumerate() {
        let pw = password(c);
        let enc = encode(&pw);
        cases.extend(unparseable_cases(c, backend));
        if let Some(users) = &users {
            let user = &users.names[i];
            let good = url_as(&t, user, &enc);
            let case = |what: &str, url: &str, args: &[&'static str], expect| {
                Case::new(format!("{c:?}: {what}"), url.to_owned(), args, expect, &pw)
            };
            // PostgreSQL trusts local logins here: a role that does not exist is what it refuses.
            let refused = match backend {
                Backend::Postgres => url_as(&t, &format!("nobody_{run}"), &enc),
                _ => url_as(&t, user, &format!("{enc}W")),
            };
            cases.extend([
                case(
                    "refused login",
                    &refused,
                    &["status"],
                    Expect::Error("refused the login"),
                ),
                case(
                    "raw password",
                    &url_as(&t, user, &pw),
                    &["status"],
                    Expect::Anything,
                ),
                case("-v status", &good, &["-v", "status"], Expect::Success),
                case("RUST_LOG=trace status", &good, &["status"], Expect::Success)
                    .env("RUST_LOG", "trace")
                    .via_env(),
                case("status --json", &good, &["status", "--json"], Expect::Json)
                    .env("RUST_LOG", "trace"),
                case("up --dry-run", &good, &["up", "--dry-run"], Expect::Success),
                // The app's commands: the same header, errors and logs.
                case(
                    "verify, refused login",
                    &refused,
                    &["verify"],
                    Expect::Error("refused the login"),
                ),
                case(
                    "-v verify --json",
                    &good,
                    &["verify", "-v", "--json"],
                    Expect::Json,
                )
                .env("RUST_LOG", "trace"),
                case("doctor --json", &good, &["doctor", "--json"], Expect::Json)
                    .env("RUST_LOG", "trace"),
                case(
                    "seed, unmigrated",
                    &good,
                    &["seed", "--demo"],
                    Expect::Error("learndb migrate up"),
                ),
                case(
                    "docs, refused login",
                    &refused,
                    &["docs", "--check"],
                    Expect::Error("refused the login"),
                ),
                case(
                    "-v up --dry-run",
                    &good,
                    &["-v", "up", "--dry-run"],
                    Expect::Success,
                )
                .env("RUST_LOG", "trace"),
            ]);
        } else {
            // SQLite has no password, but a path can look like user info; it is hidden too.
            let base = dir.path().display();
            let what = |w: &str| format!("{c:?}: {w}");
            cases.extend([
                Case::new(
                    what("unopenable file"),
                    format!("sqlite://{base}/u:{pw}@missing/x.sqlite"),
                    &["status"],
                    Expect::Error(""),
                    &pw,
                ),
                Case::new(
                    what("RUST_LOG=trace up --dry-run"),
                    format!("sqlite://{base}/u{i}:{enc}@x.sqlite?mode=rwc"),
                    &["-v", "up", "--dry-run"],
                    Expect::Anything,
                    &pw,
                )
                .env("RUST_LOG", "trace"),
                Case::new(
                    what("status --json"),
                    format!("sqlite://{base}/u{i}:{enc}@x.sqlite?mode=rwc"),
                    &["status", "--json"],
                    Expect::Anything,
                    &pw,
                ),
            ]);
        }
    }
    run_all(&cases);
    drop(users);
}

on_every_backend!(
    no_password_with_any_punctuation_is_printed_on_any_output_path,
    no_password_is_ever_printed
);
