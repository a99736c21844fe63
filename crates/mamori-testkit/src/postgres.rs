//! PostgreSQL for tests.
//!
//! [`database`] gives a test an empty database of its own:
//! - with `MAMORI_TEST_POSTGRES` set (a libpq URL, e.g. the server `scripts/test` starts, or
//!   one of the user's), a new schema there, dropped afterwards;
//! - without it, a whole throwaway server: [`Postgres::start`].
//!
//! [`Postgres::start`] runs Debian's `initdb` into a temporary directory and `pg_ctl` on a
//! free loopback port (no Unix socket, trust authentication, fsync off), and removes it all
//! when dropped. As root, the server runs as the `postgres` user, which PostgreSQL
//! requires.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// The environment variable naming a PostgreSQL server for the tests.
pub const ENV: &str = "MAMORI_TEST_POSTGRES";

/// Where `initdb` and `pg_ctl` are: `MAMORI_PG_BIN`, or the newest
/// `/usr/lib/postgresql/N/bin`, or `PATH`.
pub fn bin_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("MAMORI_PG_BIN") {
        return Some(PathBuf::from(d));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

/// A throwaway PostgreSQL server on 127.0.0.1.
pub struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    tls: bool,
    /// Its port.
    pub port: u16,
    /// A URL of its `postgres` database as the superuser `mamori`.
    pub url: String,
}

static SEQ: AtomicU32 = AtomicU32::new(0);

impl Postgres {
    /// Makes and starts a new server; panics with what to install when PostgreSQL is
    /// missing.
    pub fn start() -> Postgres {
        Postgres::start_inner(None)
    }

    /// [`Postgres::start`] with TLS offered (plain connections still allowed), with the
    /// certificate chain and key given (PEM).
    pub fn start_tls(cert: &Path, key: &Path) -> Postgres {
        Postgres::start_inner(Some((cert, key)))
    }

    fn start_inner(tls: Option<(&Path, &Path)>) -> Postgres {
        let bin = bin_dir().unwrap_or_else(|| {
            panic!("PostgreSQL is not installed: install the Debian package `postgresql`, or set {ENV} to a server's URL")
        });
        let dir = std::env::temp_dir().join(format!(
            "mamori-pg-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("make the server's directory");
        if is_root() {
            let ok = Command::new("chown")
                .args(["postgres:", dir.to_str().unwrap_or_default()])
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "cannot give {} to the user postgres", dir.display());
        }
        let pg = Postgres {
            port: 0,
            url: String::new(),
            dir,
            bin,
            tls: tls.is_some(),
        };
        let out = pg
            .command("initdb")
            .args(["-D", pg.data().to_str().unwrap_or_default()])
            .args(["-U", "mamori", "--auth=trust", "-E", "UTF8", "--no-locale"])
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some((cert, key)) = tls {
            // In the data directory, the key readable by the server's user only, as the
            // server demands.
            for (from, to) in [(cert, "server.crt"), (key, "server.key")] {
                let dest = pg.data().join(to);
                std::fs::copy(from, &dest).expect("copy the TLS files");
                let _ = Command::new("chmod").arg("600").arg(&dest).status();
                if is_root() {
                    let _ = Command::new("chown").arg("postgres:").arg(&dest).status();
                }
            }
        }
        let mut pg = pg;
        // A port just free may be taken before the server binds it: try a few.
        for _ in 0..5 {
            pg.port = crate::free_port();
            if pg.run_ctl(&["start", "-w", "-t", "30"]) {
                pg.url = format!(
                    "postgres://mamori@127.0.0.1:{}/postgres?connect_timeout=10",
                    pg.port
                );
                return pg;
            }
        }
        let log = std::fs::read_to_string(pg.dir.join("log")).unwrap_or_default();
        panic!("PostgreSQL did not start: {log}");
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn command(&self, tool: &str) -> Command {
        let exe = self.bin.join(tool);
        if is_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    fn run_ctl(&self, args: &[&str]) -> bool {
        let mut opts = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off",
            self.port
        );
        if self.tls {
            opts.push_str(" -c ssl=on");
        }
        self.command("pg_ctl")
            .args(["-D", self.data().to_str().unwrap_or_default()])
            .args(["-l", self.dir.join("log").to_str().unwrap_or_default()])
            .args(["-o", &opts])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// Stops the server (fast shutdown: open connections are cut), as a database that goes
    /// away.
    pub fn stop(&self) {
        assert!(
            self.run_ctl(&["stop", "-w", "-m", "fast"]),
            "pg_ctl stop failed"
        );
    }

    /// Starts it again on the same port.
    pub fn restart(&self) {
        assert!(
            self.run_ctl(&["start", "-w", "-t", "30"]),
            "PostgreSQL did not start again: {}",
            std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
        );
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let _ = self.run_ctl(&["stop", "-w", "-m", "immediate"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An empty database for one test: its URL, and what keeps it.
pub struct TestDb {
    /// The URL to give `mamori --db` or `Store::open`.
    pub url: String,
    schema: Option<(String, String)>,
    /// The test's own server, when no shared one is named.
    pub server: Option<Postgres>,
}

impl TestDb {
    /// The URL as a path, for APIs that take `--db` paths.
    pub fn path(&self) -> &Path {
        Path::new(&self.url)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = &self.schema {
            if let Ok(mut c) = ::postgres::Client::connect(base, ::postgres::NoTls) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

/// An empty database: a new schema on the server `MAMORI_TEST_POSTGRES` names, or a new
/// server of its own.
pub fn database() -> TestDb {
    match std::env::var(ENV).ok().filter(|u| !u.is_empty()) {
        Some(base) => {
            let schema = format!(
                "t_{}_{}_{}",
                std::process::id(),
                SEQ.fetch_add(1, Ordering::Relaxed),
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or(0)
            );
            let mut c = ::postgres::Client::connect(&base, ::postgres::NoTls)
                .unwrap_or_else(|e| panic!("{ENV}={base}: cannot connect: {e}"));
            c.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .unwrap_or_else(|e| panic!("{ENV}: cannot make a schema: {e}"));
            let sep = if base.contains('?') { '&' } else { '?' };
            TestDb {
                url: format!("{base}{sep}options=-csearch_path%3D{schema}"),
                schema: Some((base, schema)),
                server: None,
            }
        }
        None => {
            let server = Postgres::start();
            TestDb {
                url: server.url.clone(),
                schema: None,
                server: Some(server),
            }
        }
    }
}
