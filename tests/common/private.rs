//! Private database servers for the tests that need one of their own: a PostgreSQL hot standby
//! made with `pg_basebackup -R`, a MariaDB switched to `read_only`, a server to kill. Each runs
//! from the distribution's server binaries on a free loopback port with its data directory in a
//! temporary folder, and is stopped (immediately) when its handle drops.
//!
//! The binaries are found in the usual Debian places (`pg_config --bindir`,
//! `/usr/lib/postgresql/*/bin`, `/usr/sbin/mariadbd`); a test that cannot find them fails with
//! the package to install. Run as root (as CI does), the servers run as the `postgres` and
//! `mysql` users, which the packages create.

use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// A free TCP port on loopback (the kernel's choice, released before the server binds it).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}

fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `program args…`, as `user` when the tests run as root (servers refuse to run as root).
fn as_user(user: &str, program: &Path) -> Command {
    if running_as_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", user, "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn chown(user: &str, path: &Path) {
    if running_as_root() {
        let o = Command::new("chown")
            .args(["-R", user])
            .arg(path)
            .output()
            .expect("chown runs");
        assert!(o.status.success(), "chown {user} {}: {o:?}", path.display());
    }
}

fn checked(what: &str, o: std::io::Result<Output>) -> Output {
    let o = o.unwrap_or_else(|e| panic!("{what} does not start: {e}"));
    assert!(
        o.status.success(),
        "{what} failed: {}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn wait_for_port(what: &str, port: u16, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "{what} on port {port} did not accept connections within 60 s; its log:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// The PostgreSQL server binaries (`initdb`, `pg_ctl`, `pg_basebackup`).
fn postgres_bindir() -> PathBuf {
    if let Ok(dir) = std::env::var("LEARNDB_PG_BINDIR") {
        return PathBuf::from(dir);
    }
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    let mut candidates: Vec<PathBuf> = from_pg_config.into_iter().collect();
    if let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") {
        let mut versions: Vec<PathBuf> = entries.flatten().map(|e| e.path().join("bin")).collect();
        versions.sort();
        candidates.extend(versions.into_iter().rev());
    }
    candidates
        .into_iter()
        .find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
        .unwrap_or_else(|| {
            panic!(
                "this test starts a private PostgreSQL server and needs its binaries (initdb, pg_ctl, pg_basebackup): apt-get install postgresql-15, or set LEARNDB_PG_BINDIR to their folder"
            )
        })
}

/// A PostgreSQL server of this test's own.
pub struct PrivatePostgres {
    pub port: u16,
    bindir: PathBuf,
    data: PathBuf,
    log: PathBuf,
    _dir: TempDir,
}

impl PrivatePostgres {
    /// A new cluster (`initdb`, trust authentication, user `postgres`), started.
    pub fn primary() -> Self {
        let bindir = postgres_bindir();
        let dir = tempfile::tempdir().expect("a temporary folder");
        chown("postgres", dir.path());
        let data = dir.path().join("data");
        checked(
            "initdb",
            as_user("postgres", &bindir.join("initdb"))
                .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
                .arg(&data)
                .output(),
        );
        let server = Self {
            port: free_port(),
            bindir,
            log: dir.path().join("server.log"),
            data,
            _dir: dir,
        };
        server.start();
        server
    }

    /// A hot standby of `primary`, made the way operators make one: `pg_basebackup -R` (which
    /// writes `standby.signal` and the primary's connection), then started.
    pub fn standby_of(primary: &PrivatePostgres) -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        chown("postgres", dir.path());
        let data = dir.path().join("data");
        checked(
            "pg_basebackup",
            as_user("postgres", &primary.bindir.join("pg_basebackup"))
                .args([
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-R",
                    "-X",
                    "stream",
                    "-c",
                    "fast",
                    "-D",
                ])
                .arg(&data)
                .arg("-p")
                .arg(primary.port.to_string())
                .output(),
        );
        let server = Self {
            port: free_port(),
            bindir: primary.bindir.clone(),
            log: dir.path().join("server.log"),
            data,
            _dir: dir,
        };
        server.start();
        server
    }

    fn start(&self) {
        let socket_dir = self.data.parent().expect("the data folder has a parent");
        checked(
            "pg_ctl start",
            as_user("postgres", &self.bindir.join("pg_ctl"))
                .args(["start", "-w", "-t", "60", "-D"])
                .arg(&self.data)
                .arg("-l")
                .arg(&self.log)
                .arg("-o")
                .arg(format!(
                    "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
                    self.port,
                    socket_dir.display()
                ))
                .output(),
        );
        wait_for_port("the private PostgreSQL", self.port, &self.log);
    }

    /// The URL of database `db` on this server.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// Runs `sql` with psql (as the test's admin).
    pub fn psql(&self, db: &str, sql: &str) -> String {
        let o = checked(
            &format!("psql {sql}"),
            Command::new(self.bindir.join("psql"))
                .args(["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
                .arg(self.url(db))
                .output(),
        );
        String::from_utf8_lossy(&o.stdout).trim().to_owned()
    }

    /// Waits until this standby has replayed what its primary wrote up to now.
    pub fn caught_up_with(&self, primary: &PrivatePostgres) {
        let lsn = primary.psql("postgres", "SELECT pg_current_wal_lsn()");
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let behind = self.psql(
                "postgres",
                &format!("SELECT pg_last_wal_replay_lsn() < '{lsn}'::pg_lsn"),
            );
            if behind == "f" {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the standby did not replay its primary's WAL up to {lsn} within 60 s");
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = as_user("postgres", &self.bindir.join("pg_ctl"))
            .args(["stop", "-m", "immediate", "-D"])
            .arg(&self.data)
            .output();
    }
}

/// A data directory made by `mariadb-install-db` once for this machine's MariaDB build, which
/// each server copies: installs running side by side fail now and then, and a copy takes
/// milliseconds. It is kept in the temporary folder under a name that carries the build
/// (`mariadbd`'s size and mtime), made in a folder of its own and renamed into place, so
/// concurrent test processes agree on one and no run leaves another behind.
fn mariadb_template(install: &Path) -> PathBuf {
    static TEMPLATE: std::sync::Mutex<Option<PathBuf>> = std::sync::Mutex::new(None);
    let mut template = TEMPLATE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(data) = template.as_ref() {
        return data.clone();
    }
    let build = std::fs::metadata("/usr/sbin/mariadbd")
        .map(|m| format!("{}-{}", m.len(), m.mtime()))
        .unwrap_or_default();
    let kept = std::env::temp_dir().join(format!("learndb-test-mariadb-{build}"));
    if !kept.join("mysql").is_dir() {
        let dir = tempfile::tempdir_in(std::env::temp_dir()).expect("a temporary folder");
        chown("mysql", dir.path());
        let data = dir.path().join("data");
        checked(
            "mariadb-install-db",
            Command::new(install)
                .arg("--no-defaults")
                .arg(format!("--datadir={}", data.display()))
                .args([
                    "--user=mysql",
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                ])
                .output(),
        );
        // Another process may have won the race; its copy is as good.
        let _ = std::fs::rename(&data, &kept);
    }
    *template = Some(kept.clone());
    kept
}

/// A MariaDB server of this test's own (root without a password, on loopback).
pub struct PrivateMariaDb {
    pub port: u16,
    server: Option<std::process::Child>,
    data: PathBuf,
    log: PathBuf,
    pid_file: PathBuf,
    socket: PathBuf,
    _dir: TempDir,
}

impl PrivateMariaDb {
    /// A new data directory (`mariadb-install-db`), started.
    pub fn start() -> Self {
        let mariadbd = Path::new("/usr/sbin/mariadbd");
        let install = ["/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db"]
            .into_iter()
            .map(Path::new)
            .find(|p| p.exists());
        let Some(install) = install.filter(|_| mariadbd.exists()) else {
            panic!(
                "this test starts a private MariaDB server and needs its binaries (/usr/sbin/mariadbd, mariadb-install-db): apt-get install mariadb-server"
            )
        };
        let dir = tempfile::tempdir().expect("a temporary folder");
        let data = dir.path().join("data");
        let o = Command::new("cp")
            .arg("-a")
            .arg(mariadb_template(install))
            .arg(&data)
            .output()
            .expect("cp runs");
        assert!(
            o.status.success(),
            "copying the MariaDB data directory: {o:?}"
        );
        chown("mysql", dir.path());
        let mut server = Self {
            port: free_port(),
            server: None,
            log: dir.path().join("server.log"),
            pid_file: dir.path().join("server.pid"),
            socket: dir.path().join("server.sock"),
            data,
            _dir: dir,
        };
        server.spawn();
        server
    }

    fn spawn(&mut self) {
        let mut c = Command::new("/usr/sbin/mariadbd");
        c.arg("--no-defaults")
            .arg(format!("--datadir={}", self.data.display()))
            .arg(format!("--port={}", self.port))
            .arg(format!("--socket={}", self.socket.display()))
            .arg(format!("--pid-file={}", self.pid_file.display()))
            .arg(format!("--log-error={}", self.log.display()))
            .args(["--bind-address=127.0.0.1", "--skip-name-resolve"]);
        if running_as_root() {
            c.arg("--user=mysql");
        }
        let child = c
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("mariadbd starts");
        self.server = Some(child);
        wait_for_port("the private MariaDB", self.port, &self.log);
    }

    /// The URL of database `db` on this server.
    pub fn url(&self, db: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{db}", self.port)
    }

    /// Kills the server with SIGKILL, as a crash or an OOM kill does, and waits until it is gone.
    pub fn kill9(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
        }
        // The port is free again once the kernel closed the listening socket.
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(
                Instant::now() < deadline,
                "the killed MariaDB still answers"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Starts the server again on its data directory (InnoDB's crash recovery runs first).
    pub fn restart(&mut self) {
        self.spawn();
    }

    /// The server's error log (crash recovery reports go there).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Runs `sql` with the mariadb client.
    pub fn sql(&self, sql: &str) -> String {
        let o = checked(
            &format!("mariadb {sql}"),
            Command::new("mariadb")
                .args(["--no-defaults", "-uroot", "-h127.0.0.1", "-N", "-B"])
                .arg(format!("-P{}", self.port))
                .args(["-e", sql])
                .output(),
        );
        String::from_utf8_lossy(&o.stdout).trim().to_owned()
    }
}

impl Drop for PrivateMariaDb {
    fn drop(&mut self) {
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
        }
    }
}
