//! Which database a command talks to, and connecting to it with errors a person can act on.
//!
//! The URL comes from `--database-url`, then `DATABASE_URL` (a `.env` file is read first), then
//! the embedded default: a SQLite file under `./data`. Every message names the database with
//! its password replaced by `***`, and every failure is classified (bad URL, unreachable server,
//! rejected login, missing database) so the one line a user sees says what to do next.
//!
//! Redaction cannot fail open: it works on the text, not on a parsed URL, so a URL that does not
//! parse (a raw `/`, `#` or `?` in the password) is hidden as well as one that does. Passwords
//! seen by [`Target::parse`] are also registered process-wide, so the log writer can remove them
//! from lines that show them outside a URL (a driver's `Debug` of its options).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use sea_orm_migration::sea_orm::sqlx;
use sea_orm_migration::sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr, RuntimeErr,
};

/// The embedded default database, relative to the working directory.
pub const DEFAULT_SQLITE_PATH: &str = "data/learndb.sqlite";

/// Where the database URL came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Flag,
    Env,
    /// `--direct-url`: the server's own address, for migrations, beside a pooled DATABASE_URL.
    DirectFlag,
    /// `DIRECT_DATABASE_URL`.
    DirectEnv,
    EmbeddedDefault,
    /// A connection the application opened itself (`migration::Runner::new(&db)`): no URL.
    Connection,
}

/// A resolved, validated database URL.
#[derive(Clone, Debug)]
pub struct Target {
    url: String,
    source: Source,
    backend: DbBackend,
    /// The password in every form it may be printed in (as written, decoded, escaped).
    secrets: Vec<String>,
    /// How long SQLite's write lock held by another process is waited for, and the option that
    /// sets it ([`Target::wait_for_sqlite_lock`]); the connect timeout otherwise.
    sqlite_wait: Option<(Duration, &'static str)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    Config(String),
    #[error(
        "the database URL {url} is not valid ({reason}); expected postgres://HOST:5432/DB, mysql://HOST:3306/DB (USER:PASSWORD@ before HOST, percent-encoded) or sqlite://PATH?mode=rwc"
    )]
    Malformed { url: String, reason: String },
    #[error(
        "the database URL {url} has the unsupported scheme '{scheme}'; use postgres://, mysql:// (also MariaDB and TiDB) or sqlite://"
    )]
    Scheme { url: String, scheme: String },
    #[error("cannot reach {target}: {reason}; {hint}")]
    Unreachable {
        target: String,
        reason: String,
        hint: String,
    },
    #[error("{target} refused the login: {reason}; check the user and password in DATABASE_URL")]
    Auth { target: String, reason: String },
    #[error("{target} does not exist: {reason}; {hint}")]
    MissingDatabase {
        target: String,
        reason: String,
        hint: String,
    },
    #[error(
        "cannot open {target}: {reason}; check that the folder exists and is writable (add ?mode=rwc to create a new file)"
    )]
    SqliteOpen { target: String, reason: String },
    /// SQLite's write lock is held by another connection longer than the connect timeout.
    #[error(
        "{target} is locked: {holder} holds its write lock, still after {waited} s of waiting (SQLite: {reason}); wait until it finishes, or raise {option}"
    )]
    SqliteBusy {
        target: String,
        holder: String,
        waited: u64,
        option: &'static str,
        reason: String,
    },
    #[error("cannot connect to {target}: {reason}")]
    Other { target: String, reason: String },
}

impl Target {
    /// Resolves the URL: the flag, then `DATABASE_URL`, then the embedded SQLite default.
    pub fn resolve(flag: Option<&str>) -> Result<Self, ConnectError> {
        Self::resolve_direct(None, flag)
    }

    /// Resolves the URL migrations use: `--direct-url`, `--database-url`, `DIRECT_DATABASE_URL`,
    /// `DATABASE_URL`, then the embedded default. The direct URL is the server's own address
    /// for deployments whose DATABASE_URL goes through a transaction pooler, which learndb
    /// refuses to migrate through (its lock needs a session); flags beat the environment.
    pub fn resolve_direct(
        direct_flag: Option<&str>,
        flag: Option<&str>,
    ) -> Result<Self, ConnectError> {
        if let Some(url) = direct_flag {
            return Self::parse(url, Source::DirectFlag);
        }
        if let Some(url) = flag {
            return Self::parse(url, Source::Flag);
        }
        match std::env::var("DIRECT_DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => return Self::parse(&url, Source::DirectEnv),
            Ok(_) => {
                return Err(ConnectError::Config(
                    "DIRECT_DATABASE_URL is set but empty; unset it, or set it to the database server's own postgres:// or mysql:// URL".into(),
                ));
            }
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(ConnectError::Config(
                    "DIRECT_DATABASE_URL is not valid UTF-8; set it to a postgres:// or mysql:// URL".into(),
                ));
            }
            Err(std::env::VarError::NotPresent) => {}
        }
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => Self::parse(&url, Source::Env),
            Ok(_) => Err(ConnectError::Config(
                "DATABASE_URL is set but empty; unset it to use the embedded SQLite default, or set it to a postgres://, mysql:// or sqlite:// URL".into(),
            )),
            Err(std::env::VarError::NotUnicode(_)) => Err(ConnectError::Config(
                "DATABASE_URL is not valid UTF-8; set it to a postgres://, mysql:// or sqlite:// URL".into(),
            )),
            Err(std::env::VarError::NotPresent) => Self::embedded_default(Path::new(DEFAULT_SQLITE_PATH)),
        }
    }

    /// The embedded default: a SQLite file, created with its folder if missing.
    pub fn embedded_default(path: &Path) -> Result<Self, ConnectError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                ConnectError::Config(format!(
                    "cannot create the folder {} for the embedded SQLite database: {e}; run from a writable directory or set DATABASE_URL",
                    dir.display()
                ))
            })?;
        }
        let url = format!("sqlite://{}?mode=rwc", path.display());
        Self::parse(&url, Source::EmbeddedDefault)
    }

    /// Validates a URL without connecting. The password is registered as a secret first, so it
    /// is hidden from every later output even when the URL is rejected.
    pub fn parse(url: &str, source: Source) -> Result<Self, ConnectError> {
        let url = url.trim();
        let mut secrets: Vec<String> = raw_passwords(url)
            .into_iter()
            .flat_map(secret_forms)
            .collect();
        register_secrets(&secrets);
        let Some(scheme) = url
            .split_once("://")
            .map(|(s, _)| s)
            .filter(|s| is_scheme(s))
        else {
            let reason = if url.starts_with("sqlite:") {
                "SQLite URLs are written sqlite://PATH".to_owned()
            } else {
                "it has no scheme://".to_owned()
            };
            return Err(ConnectError::Malformed {
                url: redact(url),
                reason,
            });
        };
        let backend = match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => DbBackend::Postgres,
            "mysql" | "mariadb" => DbBackend::MySql,
            "sqlite" => DbBackend::Sqlite,
            other => {
                return Err(ConnectError::Scheme {
                    url: redact(url),
                    scheme: other.to_owned(),
                });
            }
        };
        let mut url = url.to_owned();
        if backend != DbBackend::Sqlite {
            let malformed = |reason: &str| ConnectError::Malformed {
                url: redact(&url),
                reason: reason.to_owned(),
            };
            if ambiguous_authority(&url) {
                return Err(malformed(
                    "an '@' follows its first '/', '?' or '#', so the user name or password would be read as the host; percent-encode '/', '?', '#' and '@' in them (%2F, %3F, %23, %40)",
                ));
            }
            let parsed = url::Url::parse(&url).map_err(|e| malformed(&e.to_string()))?;
            if let Some(password) = parsed.password() {
                let forms = secret_forms(password);
                register_secrets(&forms);
                secrets.extend(forms);
            }
            if parsed.host_str().is_none_or(str::is_empty) {
                return Err(malformed("it names no host"));
            }
            if parsed.path().trim_start_matches('/').is_empty() {
                return Err(malformed(
                    "it names no database (add /DBNAME after the host)",
                ));
            }
            if scheme.eq_ignore_ascii_case("mariadb") {
                url = format!("mysql{}", &url[scheme.len()..]);
            }
        } else if url["sqlite://".len()..]
            .split('?')
            .next()
            .is_none_or(str::is_empty)
        {
            return Err(ConnectError::Malformed {
                url: redact(&url),
                reason: "it names no file (use sqlite://PATH?mode=rwc, e.g. sqlite://data/learndb.sqlite?mode=rwc)".into(),
            });
        }
        longest_first(&mut secrets);
        Ok(Self {
            url,
            source,
            backend,
            secrets,
            sqlite_wait: None,
        })
    }

    /// The target of a connection the application opened: named by its backend, with no URL
    /// (so nothing to redact). The SQLite lock file is found from the connection itself.
    pub fn of_connection(backend: DbBackend) -> Target {
        Target {
            url: String::new(),
            source: Source::Connection,
            backend,
            secrets: Vec::new(),
            sqlite_wait: None,
        }
    }

    /// Waits `wait` (the value of `option`, for the message) for SQLite's write lock held by
    /// another process, instead of the connect timeout: the migrate commands wait for it as
    /// long as for the migration lock (`--lock-timeout`), as they wait on the other backends.
    pub fn wait_for_sqlite_lock(mut self, wait: Duration, option: &'static str) -> Self {
        self.sqlite_wait = Some((wait, option));
        self
    }

    /// How long SQLite's write lock is waited for, and the option that says so.
    fn sqlite_busy_wait(&self, connect_timeout: Duration) -> (Duration, &'static str) {
        self.sqlite_wait
            .unwrap_or((connect_timeout, "--connect-timeout"))
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn source(&self) -> Source {
        self.source
    }

    pub fn backend(&self) -> DbBackend {
        self.backend
    }

    /// The URL with its password replaced by `***`.
    pub fn redacted(&self) -> String {
        redact(&self.url)
    }

    /// The SQLite file path, for SQLite targets.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        (self.backend == DbBackend::Sqlite && self.source != Source::Connection).then(|| {
            let rest = &self.url["sqlite://".len()..];
            let path = rest.split('?').next().unwrap_or(rest);
            // As the driver opens it: percent-decoded (`a%20b.sqlite` is `a b.sqlite`).
            match percent_encoding::percent_decode_str(path).decode_utf8() {
                Ok(decoded) => PathBuf::from(decoded.as_ref()),
                Err(_) => PathBuf::from(path),
            }
        })
    }

    /// Hides this target's password (in every form) and the password of every URL in `text`
    /// (error messages from drivers can echo connection strings).
    pub fn scrub(&self, text: &str) -> String {
        let mut text = if self.url.is_empty() {
            text.to_owned()
        } else {
            text.replace(&self.url, &self.redacted())
        };
        // This target's own secrets only: the process-wide registry ([`scrub_text`]) is applied
        // where output leaves the process (the log writer, the final error line).
        text = redact_text(&text);
        for secret in &self.secrets {
            text = hide_secret(&text, secret);
        }
        text
    }

    /// Connects, failing within `timeout` with a classified error.
    pub async fn connect(&self, timeout: Duration) -> Result<DatabaseConnection, ConnectError> {
        self.probe(timeout).await?;
        let mut options = ConnectOptions::new(self.url.clone());
        options
            .connect_timeout(timeout)
            .acquire_timeout(timeout)
            // Three for PostgreSQL's session check (see `lock::pg_shared_sessions`), which then
            // serve the rest of the command: a fourth would be a TLS handshake and a server
            // backend more per command, where waiting for one of the three costs nothing.
            .max_connections(if self.backend == DbBackend::Sqlite {
                1
            } else {
                3
            })
            .min_connections(0)
            // Also silences sqlx's slow-statement warnings: GET_LOCK waits on the server by design.
            .sqlx_logging(false)
            .set_application_name("learndb");
        // No statement cache: a cached statement is a server-side name (`sqlx_s_1`) that a
        // transaction pooler may find on another client's server connection ("prepared
        // statement sqlx_s_1 already exists"). The read-only `status` runs in one transaction
        // and deallocates what it prepared (`Runner::uncached_statements`), which then works
        // through PgBouncer too.
        #[cfg(feature = "postgres")]
        options.map_sqlx_postgres_opts(|o| o.statement_cache_capacity(0));
        // A few cached statements on SQLite: learndb's statements run once (DDL, catalog reads)
        // or are bulk inserts of up to 32,766 parameters, whose compiled programs take MBs
        // each; sqlx's default of 100 of them held 200 MB while seeding scale 100.
        // SQLite's write lock held by another process is waited for as long as a server is
        // (`--connect-timeout`; the migrate commands: `--lock-timeout`), not sqlx's fixed 5 s: a
        // reader meets it while a migration commits.
        let (busy, _) = self.sqlite_busy_wait(timeout);
        #[cfg(feature = "sqlite")]
        options.map_sqlx_sqlite_opts(move |o| o.statement_cache_capacity(4).busy_timeout(busy));
        let wait = if self.backend == DbBackend::Sqlite {
            timeout.max(busy)
        } else {
            timeout
        };
        options.acquire_timeout(wait);
        let attempt =
            tokio::time::timeout(wait + Duration::from_secs(1), Database::connect(options)).await;
        match attempt {
            Ok(Ok(db)) => Ok(db),
            Ok(Err(err)) => Err(self.classify(&err, timeout)),
            Err(_) => Err(ConnectError::Unreachable {
                target: self.to_string(),
                reason: format!("no answer within {} s", timeout.as_secs()),
                hint: self.start_hint(),
            }),
        }
    }

    /// Opens a plain TCP connection first: sqlx retries a refused connection until its timeout
    /// and then reports only "pool timed out", while the socket error says what is wrong at once.
    async fn probe(&self, timeout: Duration) -> Result<(), ConnectError> {
        if self.backend == DbBackend::Sqlite {
            return Ok(());
        }
        let Ok(parsed) = url::Url::parse(&self.url) else {
            return Ok(());
        };
        let default_port = if self.backend == DbBackend::Postgres {
            5432
        } else {
            3306
        };
        let host = parsed
            .host_str()
            .unwrap_or_default()
            .trim_matches(['[', ']'])
            .to_owned();
        let port = parsed.port().unwrap_or(default_port);
        let unreachable = |reason: String| ConnectError::Unreachable {
            target: self.to_string(),
            reason,
            hint: self.start_hint(),
        };
        match tokio::time::timeout(
            timeout,
            tokio::net::TcpStream::connect((host.as_str(), port)),
        )
        .await
        {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err)) => Err(unreachable(format!("{host}:{port}: {err}"))),
            Err(_) => Err(unreachable(format!(
                "{host}:{port} did not answer within {} s",
                timeout.as_secs()
            ))),
        }
    }

    fn start_hint(&self) -> String {
        match self.backend {
            DbBackend::Postgres => "is PostgreSQL running there? Start it with `docker compose up -d postgres` or `pg_ctlcluster <version> main start`".into(),
            DbBackend::MySql => "is MySQL/MariaDB running there? Start it with `docker compose up -d mariadb` or `systemctl start mariadb`".into(),
            _ => "check the file path".into(),
        }
    }

    fn classify(&self, err: &DbErr, timeout: Duration) -> ConnectError {
        let target = self.to_string();
        let reason = self.scrub(&one_line(&sqlx_message(err)));
        let sqlx_err = match err {
            DbErr::Conn(RuntimeErr::SqlxError(e))
            | DbErr::Exec(RuntimeErr::SqlxError(e))
            | DbErr::Query(RuntimeErr::SqlxError(e)) => Some(e.as_ref()),
            _ => None,
        };
        match sqlx_err {
            Some(sqlx::Error::Configuration(_)) => ConnectError::Malformed {
                url: self.redacted(),
                reason,
            },
            Some(sqlx::Error::Io(_)) | Some(sqlx::Error::PoolTimedOut) => {
                ConnectError::Unreachable {
                    target,
                    reason,
                    hint: self.start_hint(),
                }
            }
            Some(sqlx::Error::Database(db)) => {
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                match (self.backend, code.as_str()) {
                    (DbBackend::Postgres, "28P01" | "28000") | (DbBackend::MySql, "28000") => {
                        ConnectError::Auth { target, reason }
                    }
                    (DbBackend::Postgres, "3D000") => ConnectError::MissingDatabase {
                        target,
                        reason,
                        hint: format!(
                            "create it first (`createdb {}`) or fix DATABASE_URL",
                            self.database_name()
                        ),
                    },
                    (DbBackend::MySql, "42000") if reason.contains("Unknown database") => {
                        ConnectError::MissingDatabase {
                            target,
                            reason,
                            hint: format!(
                                "create it first (`CREATE DATABASE {}`) or fix DATABASE_URL",
                                self.database_name()
                            ),
                        }
                    }
                    // SQLITE_BUSY and SQLITE_LOCKED with their extended codes.
                    (DbBackend::Sqlite, code)
                        if code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6)) =>
                    {
                        let (waited, option) = self.sqlite_busy_wait(timeout);
                        ConnectError::SqliteBusy {
                            holder: crate::runner::lock::sqlite_holder(self).map_or_else(
                                || "another connection (not a learndb migration)".to_owned(),
                                |who| format!("a learndb migration ({who})"),
                            ),
                            waited: waited.as_secs(),
                            option,
                            target,
                            reason,
                        }
                    }
                    (DbBackend::Sqlite, _) => ConnectError::SqliteOpen { target, reason },
                    _ => ConnectError::Other { target, reason },
                }
            }
            _ if self.backend == DbBackend::Sqlite => ConnectError::SqliteOpen { target, reason },
            _ => ConnectError::Other { target, reason },
        }
    }

    fn database_name(&self) -> String {
        url::Url::parse(&self.url)
            .map(|u| u.path().trim_start_matches('/').to_owned())
            .unwrap_or_default()
    }
}

impl fmt::Display for Target {
    /// `PostgreSQL database learndb at postgres://app:***@db:5432/learndb`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source == Source::Connection {
            let backend = match self.backend {
                DbBackend::Postgres => "PostgreSQL",
                DbBackend::MySql => "MySQL",
                _ => "SQLite",
            };
            return write!(f, "{backend} database (the application's connection)");
        }
        match self.backend {
            DbBackend::Sqlite => {
                let path = self.sqlite_path().unwrap_or_default();
                write!(
                    f,
                    "SQLite database {}",
                    hide_password(&path.to_string_lossy())
                )
            }
            DbBackend::Postgres => write!(f, "PostgreSQL database {}", self.redacted()),
            _ => write!(f, "MySQL database {}", self.redacted()),
        }
    }
}

/// The innermost driver message of a SeaORM error, without SeaORM's "Connection Error:" prefixes.
fn sqlx_message(err: &DbErr) -> String {
    let text = match err {
        DbErr::Conn(e) | DbErr::Exec(e) | DbErr::Query(e) => e.to_string(),
        other => other.to_string(),
    };
    let text = text.trim_start_matches("error returned from database: ");
    // PostgreSQL reports the server source line of the error; it means nothing to a user.
    match pg_source_line(err) {
        Some(line) => text.replacen(&format!(" at line {line}"), "", 1),
        None => text.to_owned(),
    }
}

/// A database error as one line for a user: the driver's text, without the server source line
/// that sqlx appends to PostgreSQL errors (`… at line 3907`, a line of PostgreSQL's C source,
/// which means nothing to an operator; [`pg_source_line`], as for connection errors). MySQL's own
/// `at line N` (a line of the statement) stays.
pub fn error_line(err: &DbErr) -> String {
    let text = err.to_string();
    let text = match pg_source_line(err) {
        Some(line) => text.replacen(&format!(" at line {line}"), "", 1),
        None => text,
    };
    one_line(&text)
}

/// The server source line a PostgreSQL error carries, when `err` is one.
fn pg_source_line(err: &DbErr) -> Option<usize> {
    #[cfg(feature = "postgres")]
    if let DbErr::Conn(RuntimeErr::SqlxError(e))
    | DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e)) = err
    {
        return e
            .as_database_error()?
            .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()?
            .line();
    }
    let _ = err;
    None
}

/// Folds a multi-line message onto one line.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Replaces the password in one URL with `***`, also for URLs too malformed to parse: everything
/// between `scheme://` and the last `@` is the user info, and all of it after the first `:` is
/// hidden. Without `://` the whole text is read that way (`postgres:user:pw@host` hides `pw`).
/// Hides more than the password when an `@` follows it (in a query), never less.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = split_scheme(url);
    hide_query_secrets(&format!("{scheme}{}", hide_password(rest)))
}

/// Whether a URL query parameter carries a secret (`password`, `sslpassword`, `token`, an API
/// key…): PostgreSQL honours `?password=` as it honours the user info's.
fn is_secret_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "pass",
        "pwd",
        "secret",
        "token",
        "key",
        "auth",
        "credential",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// Replaces the value of every secret query parameter in `text` (`?password=…`, `&token=…`,
/// up to the next `&`, `#` or white space) with `***`.
fn hide_query_secrets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['?', '&']) {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let name_end = rest
            .find(|c: char| c == '=' || c == '&' || c == '#' || c.is_whitespace())
            .unwrap_or(rest.len());
        if rest[name_end..].starts_with('=') && is_secret_parameter(&rest[..name_end]) {
            let value = &rest[name_end + 1..];
            let end = value
                .find(|c: char| c == '&' || c == '#' || c.is_whitespace())
                .unwrap_or(value.len());
            out.push_str(&rest[..=name_end]);
            out.push_str("***");
            rest = &value[end..];
        }
    }
    out.push_str(rest);
    out
}

/// The values of a URL's secret query parameters, as written.
fn query_secrets(url: &str) -> Vec<&str> {
    let Some((_, query)) = url.split_once('?') else {
        return Vec::new();
    };
    let query = query.split('#').next().unwrap_or_default();
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(name, value)| is_secret_parameter(name) && !value.is_empty())
        .map(|(_, value)| value)
        .collect()
}

/// `scheme://` and the rest, or nothing and all of it when the text does not start with a
/// scheme (`postgres:u:pw://…` is all user info as far as hiding goes).
fn split_scheme(url: &str) -> (&str, &str) {
    match url.split_once("://") {
        Some((scheme, rest)) if is_scheme(scheme) => (&url[..scheme.len() + 3], rest),
        _ => ("", url),
    }
}

/// A URL scheme: a letter, then letters, digits, `+`, `-` and `.`.
fn is_scheme(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// [`redact`] applied to every `scheme://` in free text; a URL ends at the next whitespace.
pub fn redact_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let start = i + 3;
        let after = &rest[start..];
        let end = after.find(char::is_whitespace).unwrap_or(after.len());
        // Before this `://`, in the same word: a `:` there means the word is no `scheme://`
        // URL but `scheme:user:password@…` whose password holds a `://` (as `redact` reads
        // it), so all from that `:` to the word's last `@` is user info.
        // (The whitespace may be wider than a byte: U+00A0 is two.)
        let word = rest[..i]
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(w, c)| w + c.len_utf8());
        if let (Some(colon), Some(at)) = (rest[word..i].find(':'), after[..end].rfind('@')) {
            out.push_str(&rest[..word + colon + 1]);
            out.push_str("***");
            rest = &after[at..];
            continue;
        }
        out.push_str(&rest[..start]);
        match after[..end].rfind('@') {
            Some(at) => {
                out.push_str(&hide_password(&after[..=at]));
                rest = &after[at + 1..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    hide_query_secrets(&out)
}

/// `user:password@rest` → `user:***@rest`; text without both a `:` and a later `@` is returned
/// as it is (no password).
fn hide_password(text: &str) -> String {
    let Some(at) = text.rfind('@') else {
        return text.to_owned();
    };
    match text[..at].split_once(':') {
        Some((user, _)) => format!("{user}:***{}", &text[at..]),
        None => text.to_owned(),
    }
}

/// The password as written in a URL: what follows the first `:` of the user info, read from
/// after the first `://` and, for a URL whose scheme is not one, from the start too.
fn raw_passwords(url: &str) -> Vec<&str> {
    let after_scheme = url.split_once("://").map(|(_, rest)| rest);
    // `scheme:user:password@…` without `//` (its password may hold a `://`): the user info
    // starts after the scheme's `:`.
    let after_bare_scheme = url
        .split_once(':')
        .filter(|(scheme, _)| is_scheme(scheme))
        .map(|(_, rest)| rest);
    [after_scheme, Some(split_scheme(url).1), after_bare_scheme]
        .into_iter()
        .flatten()
        .filter_map(password_of)
        .chain(query_secrets(url))
        .collect()
}

/// `user:password@host…` → `password`.
fn password_of(rest: &str) -> Option<&str> {
    let at = rest.rfind('@')?;
    let (_, password) = rest[..at].split_once(':')?;
    Some(password).filter(|p| !p.is_empty())
}

/// True when a URL parser would read the user info as something else: an `@` after the first
/// `/`, `?` or `#` of the authority (a raw `/` in the password turns `user:pw` into host:port).
fn ambiguous_authority(url: &str) -> bool {
    let Some((_, rest)) = url.split_once("://") else {
        return false;
    };
    match rest.find(['/', '?', '#']) {
        Some(end) => rest[end..].contains('@'),
        None => false,
    }
}

/// A password in every form a library may print it in: as written, percent-decoded,
/// percent-encoded, and escaped as `Debug` (and JSON) escape it.
fn secret_forms(password: &str) -> Vec<String> {
    let decoded = percent_encoding::percent_decode_str(password)
        .decode_utf8_lossy()
        .into_owned();
    let encoded =
        percent_encoding::utf8_percent_encode(&decoded, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    let escaped = |s: &str| {
        let quoted = format!("{s:?}");
        quoted[1..quoted.len() - 1].to_owned()
    };
    let mut forms = vec![
        escaped(password),
        escaped(&decoded),
        password.to_owned(),
        decoded,
        encoded,
    ];
    forms.retain(|f| !f.is_empty());
    longest_first(&mut forms);
    forms
}

/// Passwords seen in this process, longest first (so a secret that contains another is
/// removed whole).
static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Registers a secret: [`scrub_text`] removes it from every text from now on.
pub fn register_secret(secret: &str) {
    if secret.is_empty() {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(PoisonError::into_inner);
    if let Err(at) = secrets.binary_search_by(|s| longest_first_order(s, secret)) {
        secrets.insert(at, secret.to_owned());
    }
}

/// Sorts secrets so one that contains another is replaced first, and drops duplicates.
fn longest_first(secrets: &mut Vec<String>) {
    secrets.sort_by(|a, b| longest_first_order(a, b));
    secrets.dedup();
}

fn longest_first_order(a: &str, b: &str) -> std::cmp::Ordering {
    b.len().cmp(&a.len()).then_with(|| a.cmp(b))
}

/// Registers the password of `text` read as a URL (a command-line argument that may be one).
pub fn register_url_secrets(text: &str) {
    if text.contains('@') || text.contains('?') {
        for password in raw_passwords(text) {
            register_secrets(&secret_forms(password));
        }
    }
}

fn register_secrets(secrets: &[String]) {
    for secret in secrets {
        register_secret(secret);
    }
}

/// Removes every registered secret and every URL password from `text`: what the log writer
/// and the final error line pass everything through.
pub fn scrub_text(text: &str) -> String {
    let mut text = redact_text(text);
    for secret in SECRETS
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
    {
        text = hide_secret(&text, secret);
    }
    text
}

/// Replaces `secret` with `***`, except where it is a URL's scheme or the user name of an
/// already redacted URL (the password `postgres` of `postgres://postgres:***@h/db` must not
/// turn the whole URL into `***://***:***@h/db`; the password itself is gone already).
fn hide_secret(text: &str, secret: &str) -> String {
    if secret.is_empty() || !text.contains(secret) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in text.match_indices(secret) {
        if at < last {
            continue;
        }
        let after = &text[at + secret.len()..];
        out.push_str(&text[last..at]);
        if after.starts_with("://") || after.starts_with(":***@") {
            out.push_str(secret);
        } else {
            out.push_str("***");
        }
        last = at + secret.len();
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    // Tests fail by panicking.
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use proptest::prelude::*;

    #[test]
    fn secrets_in_the_query_are_hidden_everywhere() {
        let t = Target::parse(
            "postgres://app@127.0.0.1:5432/db?sslmode=require&password=s3cr%26t&sslpassword=k3y#x",
            Source::Env,
        )
        .unwrap();
        assert_eq!(
            t.to_string(),
            "PostgreSQL database postgres://app@127.0.0.1:5432/db?sslmode=require&password=***&sslpassword=***#x"
        );
        // The value as written and as the server or driver may echo it, decoded.
        for leaked in ["s3cr%26t", "s3cr&t", "k3y"] {
            let text = format!("password authentication failed: {leaked}");
            assert!(!t.scrub(&text).contains(leaked), "{}", t.scrub(&text));
            assert!(!scrub_text(&text).contains(leaked), "{}", scrub_text(&text));
        }
        assert_eq!(
            redact_text("see mysql://u@h/db?Token=abc and sqlite://f?mode=rwc"),
            "see mysql://u@h/db?Token=*** and sqlite://f?mode=rwc"
        );
        assert!(query_secrets("sqlite://f?mode=rwc").is_empty());
    }

    #[test]
    fn a_password_equal_to_the_scheme_or_user_leaves_the_url_readable() {
        let t = Target::parse(
            "postgres://postgres:postgres@127.0.0.1:5432/db",
            Source::Env,
        )
        .unwrap();
        assert_eq!(
            t.to_string(),
            "PostgreSQL database postgres://postgres:***@127.0.0.1:5432/db"
        );
        assert_eq!(
            t.scrub(&format!("cannot reach {t}; login postgres refused")),
            "cannot reach PostgreSQL database postgres://postgres:***@127.0.0.1:5432/db; login *** refused"
        );
        assert_eq!(
            scrub_text("error: cannot reach postgres://postgres:***@h/db"),
            "error: cannot reach postgres://postgres:***@h/db"
        );
    }

    use super::*;

    /// Every ASCII punctuation character: each may appear raw in a password someone pastes.
    const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    #[test]
    fn redact_hides_password_in_parseable_and_malformed_urls() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/learndb"),
            "postgres://app:***@db:5432/learndb"
        );
        assert_eq!(
            redact("mysql://root@localhost/test"),
            "mysql://root@localhost/test"
        );
        assert_eq!(
            redact("postgres://u:p@ss:w@rd@host/db"),
            "postgres://u:***@host/db"
        );
        assert_eq!(
            redact("postgres://u:pw@[::1/db"),
            "postgres://u:***@[::1/db"
        );
        assert_eq!(
            redact("postgres://postgres:pa/ss9@127.0.0.1:5432/postgres"),
            "postgres://postgres:***@127.0.0.1:5432/postgres"
        );
        assert_eq!(redact("postgres:u:pw@host/db"), "postgres:***@host/db");
        assert_eq!(redact("learndb.sqlite"), "learndb.sqlite");
    }

    #[test]
    fn redact_hides_every_punctuation_character_raw_in_the_password() {
        for c in PUNCTUATION.chars() {
            let password = format!("Pw{c}x9Q");
            let url = format!("postgres://app:{password}@127.0.0.1:5432/learndb");
            let shown = redact(&url);
            assert!(!shown.contains(&password), "{c:?}: {shown}");
            assert!(shown.starts_with("postgres://app:***@"), "{c:?}: {shown}");
            let text = redact_text(&format!("connect to {url}: failed"));
            assert!(!text.contains(&password), "{c:?}: {text}");
        }
    }

    #[test]
    fn redact_text_hides_every_url_in_free_text_and_keeps_the_rest() {
        assert_eq!(
            redact_text(
                "from postgres://a:one@h/db to mysql://b:t/w#o@h2:3306/x, sqlite://data/x.sqlite and user@example.org"
            ),
            "from postgres://a:***@h/db to mysql://b:***@h2:3306/x, sqlite://data/x.sqlite and user@example.org"
        );
        assert_eq!(
            redact_text("url=\"postgres://u:pw@h/db\" next"),
            "url=\"postgres://u:***@h/db\" next"
        );
        assert_eq!(redact_text("a://b://c:d@e"), "a://b:***@e");
        // `scheme:user:password@…` with a `://` inside the password (found by the proptest).
        assert_eq!(redact_text("x postgres::K7://q@ y"), "x postgres:***@ y");
        assert_eq!(redact_text("postgres:u:a://b:c@h"), "postgres:***@h");
        assert_eq!(redact_text("no urls here: a@b"), "no urls here: a@b");
        assert_eq!(redact_text("://"), "://");
        assert_eq!(redact_text("x://@"), "x://@");
    }

    #[test]
    fn parse_rejects_unknown_scheme_and_missing_parts_without_echoing_password() {
        let err = Target::parse("oracle://a:hunter2@h/db", Source::Env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unsupported scheme 'oracle'") && !err.contains("hunter2"),
            "{err}"
        );
        let err = Target::parse("postgres://a:hunter2@/db", Source::Env)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("hunter2"), "{err}");
        let err = Target::parse("postgres://a:hunter2@host", Source::Env)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("names no database") && !err.contains("hunter2"),
            "{err}"
        );
        assert!(Target::parse("not a url", Source::Env).is_err());
    }

    #[test]
    fn a_raw_slash_hash_or_question_mark_in_the_password_is_rejected_without_leaking_it() {
        for c in ['/', '#', '?'] {
            let url = format!("postgres://postgres:pa{c}ss9@127.0.0.1:5432/postgres");
            let err = Target::parse(&url, Source::Flag).unwrap_err().to_string();
            let password = format!("pa{c}ss9");
            assert!(!err.contains(&password), "{err}");
            assert!(err.contains("postgres://postgres:***@127.0.0.1"), "{err}");
            assert!(err.contains("percent-encode"), "{err}");
            // Registered by the failed parse: gone from any later text too.
            let later = scrub_text(&format!("driver said: password {password} rejected"));
            assert!(!later.contains(&password), "{later}");
        }
        // `postgres://u:123/x@h/db` parses as host `u`, port 123: refused as ambiguous rather than
        // connecting to `u:123` and naming it in the error.
        let err = Target::parse("postgres://u:123/x@h/db", Source::Flag)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("123"), "{err}");
    }

    #[test]
    fn a_raw_at_sign_in_the_password_still_connects_as_written() {
        let t = Target::parse("mysql://u:p@ss@127.0.0.1:3306/db", Source::Flag).unwrap();
        assert_eq!(t.redacted(), "mysql://u:***@127.0.0.1:3306/db");
        assert_eq!(t.scrub("login p@ss failed"), "login *** failed");
    }

    #[test]
    fn scrub_removes_percent_decoded_password() {
        let t = Target::parse("postgres://a:p%40ss@h/db", Source::Env).unwrap();
        assert_eq!(t.scrub("login p@ss failed"), "login *** failed");
        assert_eq!(t.scrub("login p%40ss failed"), "login *** failed");
        // As a driver's Debug output shows it: quotes and backslashes escaped.
        let t = Target::parse("postgres://a:q%22u%5Cote@h/db", Source::Env).unwrap();
        assert_eq!(
            t.scrub(r#"password: Some("q\"u\\ote")"#),
            r#"password: Some("***")"#
        );
    }

    #[test]
    fn sqlite_paths_that_look_like_user_info_are_hidden_in_messages() {
        let t = Target::parse("sqlite://u:Sq1pw@host/x.sqlite?mode=rwc", Source::Flag).unwrap();
        let shown = t.to_string();
        assert!(!shown.contains("Sq1pw"), "{shown}");
        assert_eq!(shown, "SQLite database u:***@host/x.sqlite");
    }

    #[test]
    fn the_sqlite_hint_suggests_only_urls_the_parser_accepts() {
        let err = Target::parse("sqlite://?mode=rwc", Source::Flag)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("sqlite::memory:"), "{err}");
        assert!(err.contains("sqlite://PATH?mode=rwc"), "{err}");
        assert!(Target::parse("sqlite://PATH?mode=rwc", Source::Flag).is_ok());
        let err = Target::parse("sqlite::memory:", Source::Flag)
            .unwrap_err()
            .to_string();
        assert!(err.contains("sqlite://PATH"), "{err}");
    }

    /// A password that cannot occur in any message by chance: a marker, then anything printable.
    fn password() -> impl Strategy<Value = String> {
        "[ -~]{0,24}".prop_map(|mid| format!("K7{mid}q"))
    }

    fn url_with(password: String) -> impl Strategy<Value = String> {
        (
            prop_oneof![
                Just("postgres"),
                Just("postgresql"),
                Just("mysql"),
                Just("mariadb"),
                Just("sqlite"),
                Just("oracle"),
                Just("")
            ],
            "[a-z]{0,8}",
            prop_oneof![Just("://"), Just(":"), Just(":/"), Just("//")],
            "[a-z0-9.:\\[\\]]{0,12}",
            "(/[a-z_]{0,8})?(\\?[a-z=&]{0,10})?",
        )
            .prop_map(move |(scheme, user, sep, host, tail)| {
                format!("{scheme}{sep}{user}:{password}@{host}{tail}")
            })
    }

    fn decoded(password: &str) -> String {
        percent_encoding::percent_decode_str(password)
            .decode_utf8_lossy()
            .into_owned()
    }

    /// Found by the property below: a word boundary at a whitespace wider than one byte.
    #[test]
    fn urls_after_wide_whitespace_are_redacted_without_panicking() {
        for space in ['\u{a0}', '\u{2003}', '\u{3000}'] {
            let text = format!("x{space}postgres://u:secret@h/db and{space}mysql:u:p://w@h");
            let out = redact_text(&text);
            assert!(!out.contains("secret") && !out.contains("p://w"), "{out}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn no_text_makes_redaction_or_parsing_panic(text in "\\PC{0,80}") {
            let _ = redact(&text);
            let _ = redact_text(&text);
            let _ = scrub_text(&text);
            if let Ok(t) = Target::parse(&text, Source::Flag) {
                let _ = (t.to_string(), t.redacted(), t.sqlite_path(), t.scrub(&text));
            }
        }

        #[test]
        fn a_password_in_a_url_never_appears_in_parse_errors_or_redacted_text(
            (password, url) in password().prop_flat_map(|p| (Just(p.clone()), url_with(p)))
        ) {
            let forms = [password.clone(), decoded(&password)];
            let shown = match Target::parse(&url, Source::Flag) {
                Ok(t) => format!("{t} {} {}", t.redacted(), t.scrub(&format!("{url} {password}"))),
                Err(e) => e.to_string(),
            };
            for form in &forms {
                prop_assert!(!shown.contains(form.as_str()), "{form:?} in {shown}");
            }
            if !url.contains("://") {
                // Without `://` the password's start is a guess: only messages naming the URL
                // are promised to hide it.
                return Ok(());
            }
            let later =
                scrub_text(&format!("echo {url} and {password} and {}", decoded(&password)));
            for form in &forms {
                prop_assert!(!later.contains(form.as_str()), "{form:?} in {later}");
            }
            if !password.contains(char::is_whitespace) {
                let text = redact_text(&format!("x {url} y"));
                prop_assert!(!text.contains(&password), "{password:?} in {text}");
                let one = redact(&url);
                prop_assert!(!one.contains(&password), "{password:?} in {one}");
            }
        }
    }
}
