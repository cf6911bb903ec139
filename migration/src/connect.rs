//! Which database a command talks to, and connecting to it with errors a person can act on.
//!
//! The URL comes from `--database-url`, then `DATABASE_URL` (a `.env` file is read first), then
//! the embedded default: a SQLite file under `./data`. Every message names the database with
//! its password replaced by `***`, and every failure is classified (bad URL, unreachable server,
//! rejected login, missing database) so the one line a user sees says what to do next.

use std::fmt;
use std::path::{Path, PathBuf};
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
    EmbeddedDefault,
}

/// A resolved, validated database URL.
#[derive(Clone, Debug)]
pub struct Target {
    url: String,
    source: Source,
    backend: DbBackend,
    password: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    Config(String),
    #[error(
        "the database URL {url} is not valid ({reason}); expected postgres://USER:PASSWORD@HOST:5432/DB, mysql://USER:PASSWORD@HOST:3306/DB or sqlite://PATH"
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
    #[error("cannot connect to {target}: {reason}")]
    Other { target: String, reason: String },
}

impl Target {
    /// Resolves the URL: the flag, then `DATABASE_URL`, then the embedded SQLite default.
    pub fn resolve(flag: Option<&str>) -> Result<Self, ConnectError> {
        if let Some(url) = flag {
            return Self::parse(url, Source::Flag);
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

    /// Validates a URL without connecting.
    pub fn parse(url: &str, source: Source) -> Result<Self, ConnectError> {
        let url = url.trim();
        let Some((scheme, _)) = url.split_once("://") else {
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
        let mut password = None;
        let mut url = url.to_owned();
        if backend != DbBackend::Sqlite {
            let parsed = url::Url::parse(&url).map_err(|e| ConnectError::Malformed {
                url: redact(&url),
                reason: e.to_string(),
            })?;
            if parsed.host_str().is_none_or(str::is_empty) {
                return Err(ConnectError::Malformed {
                    url: redact(&url),
                    reason: "it names no host".into(),
                });
            }
            if parsed.path().trim_start_matches('/').is_empty() {
                return Err(ConnectError::Malformed {
                    url: redact(&url),
                    reason: "it names no database (add /DBNAME after the host)".into(),
                });
            }
            password = parsed.password().map(|p| {
                percent_encoding::percent_decode_str(p)
                    .decode_utf8_lossy()
                    .into_owned()
            });
            if scheme.eq_ignore_ascii_case("mariadb") {
                url = format!("mysql{}", &url[scheme.len()..]);
            }
        } else if url["sqlite://".len()..]
            .split('?')
            .next()
            .is_none_or(str::is_empty)
        {
            return Err(ConnectError::Malformed {
                url: url.clone(),
                reason: "it names no file (use sqlite://PATH or sqlite::memory:)".into(),
            });
        }
        Ok(Self {
            url,
            source,
            backend,
            password,
        })
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
        (self.backend == DbBackend::Sqlite).then(|| {
            let rest = &self.url["sqlite://".len()..];
            PathBuf::from(rest.split('?').next().unwrap_or(rest))
        })
    }

    /// Replaces every occurrence of this target's password in `text` (error messages from
    /// drivers can echo connection strings).
    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.replace(&self.url, &self.redacted());
        if let Some(password) = self.password.as_deref().filter(|p| !p.is_empty()) {
            text = text.replace(password, "***");
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
            .max_connections(if self.backend == DbBackend::Sqlite {
                1
            } else {
                4
            })
            .min_connections(0)
            // Also silences sqlx's slow-statement warnings: GET_LOCK waits on the server by design.
            .sqlx_logging(false)
            .set_application_name("learndb");
        let attempt =
            tokio::time::timeout(timeout + Duration::from_secs(1), Database::connect(options))
                .await;
        match attempt {
            Ok(Ok(db)) => Ok(db),
            Ok(Err(err)) => Err(self.classify(&err)),
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

    fn classify(&self, err: &DbErr) -> ConnectError {
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
        match self.backend {
            DbBackend::Sqlite => {
                let path = self.sqlite_path().unwrap_or_default();
                write!(f, "SQLite database {}", path.display())
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
    match text.rsplit_once(" at line ") {
        Some((head, line)) if line.chars().all(|c| c.is_ascii_digit()) => head.to_owned(),
        _ => text.to_owned(),
    }
}

/// Folds a multi-line message onto one line.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Replaces the password in a URL with `***`, also for URLs too malformed to parse.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = &url[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:***{}",
        &url[..authority_start],
        &userinfo[..colon],
        &url[authority_start + at..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn scrub_removes_percent_decoded_password() {
        let t = Target::parse("postgres://a:p%40ss@h/db", Source::Env).unwrap();
        assert_eq!(t.scrub("login p@ss failed"), "login *** failed");
    }
}
