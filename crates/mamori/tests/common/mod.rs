//! Helpers for the end-to-end tests: run the real binary, make fixtures with the real tools.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// ../shared/data, as seen from this crate.
pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// Run mamori with `args` and the store at `db`.
pub fn mamori(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(args)
        .env("MAMORI_DB", db)
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .output()
        .expect("mamori runs")
}

/// `mamori scan` of every system of the register `reg` (no vulnerability database), stored
/// in `db`; asserts it ran (exit 0, or 1 for findings at `--fail-on`).
pub fn scan_register(db: &Path, reg: &Path) {
    let out = mamori(
        db,
        &[
            "scan",
            "-q",
            "--no-vulns",
            "--config",
            reg.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.code().is_some_and(|c| c <= 1),
        "{}",
        stderr(&out)
    );
}

/// Run a fixture-making tool; fail loudly, naming the Debian package, when it is missing.
pub fn tool(cwd: &Path, prog: &str, args: &[&str], package: &str) {
    let out = Command::new(prog)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("{prog} not runnable ({e}); install the Debian package {package} (scripts/test does)"));
    assert!(
        out.status.success(),
        "{prog} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn openssl(cwd: &Path, args: &[&str]) {
    tool(cwd, "openssl", args, "openssl")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Scan `targets` and return mamori's JSON report.
pub fn scan_json(db: &Path, targets: &[&Path], extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["scan", "--format", "json", "-q"];
    let t: Vec<String> = targets.iter().map(|p| p.display().to_string()).collect();
    args.extend(t.iter().map(String::as_str));
    args.extend_from_slice(extra);
    let out = mamori(db, &args);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "scan failed: {}",
        stderr(&out)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", stdout(&out)))
}

/// Assets of a JSON report with the given kind.
pub fn assets_of<'a>(report: &'a serde_json::Value, kind: &str) -> Vec<&'a serde_json::Value> {
    report["assets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == kind)
        .collect()
}

/// The asset whose occurrences include a path ending in `suffix`, of `kind`.
pub fn asset_at<'a>(
    report: &'a serde_json::Value,
    kind: &str,
    suffix: &str,
) -> &'a serde_json::Value {
    assets_of(report, kind)
        .into_iter()
        .find(|a| {
            a["occurrences"]
                .as_array()
                .unwrap()
                .iter()
                .any(|o| o["location"]["path"].as_str().unwrap().ends_with(suffix))
        })
        .unwrap_or_else(|| panic!("no {kind} asset at {suffix}"))
}

/// A validator for the official CycloneDX JSON schema `bom-<version>.schema.json` in
/// ../shared, with the schemas it references registered (nothing is fetched).
pub fn cyclonedx_validator(version: &str) -> jsonschema::Validator {
    let dir = shared().join("cyclonedx");
    let load = |f: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(f)).unwrap()).unwrap()
    };
    let mut opts = jsonschema::options();
    for f in [
        "spdx.schema.json",
        "jsf-0.82.schema.json",
        "cryptography-defs.schema.json",
    ] {
        opts = opts.with_resource(
            format!("http://cyclonedx.org/schema/{f}"),
            jsonschema::Resource::from_contents(load(f)).unwrap(),
        );
    }
    opts.build(&load(&format!("bom-{version}.schema.json")))
        .unwrap_or_else(|e| panic!("CycloneDX {version} schema compiles: {e}"))
}

/// `mamori serve` on 127.0.0.1 (a port of its choosing), killed when dropped.
pub struct Served {
    /// The server process.
    pub child: std::process::Child,
    /// Its port.
    pub port: u16,
    /// Where its standard error goes.
    pub log: PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// Starts `mamori --db DB serve --listen 127.0.0.1:0 ARGS…` (with no vulnerability
    /// database) and waits until it listens.
    pub fn start(db: &Path, args: &[&str]) -> Served {
        Served::start_with_vulndb(db, &beside(db, "no-vulndb"), args)
    }

    /// [`Served::start`] with the vulnerability database at `vulndb` (its scans match
    /// components against it).
    pub fn start_with_vulndb(db: &Path, vulndb: &Path, args: &[&str]) -> Served {
        let log = beside(
            db,
            &format!("serve-{}.log", std::process::id() ^ rand_u32()),
        );
        let err = std::fs::File::create(&log).unwrap();
        // Waited for when the `Served` is dropped.
        #[allow(clippy::zombie_processes)]
        let mut child = Command::new(env!("CARGO_BIN_EXE_mamori"))
            .args(["--db", db.to_str().unwrap(), "--vulndb"])
            .arg(vulndb)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .env("LANG", "C.UTF-8")
            .env_remove("LC_ALL")
            .stdout(std::process::Stdio::null())
            .stderr(err)
            .spawn()
            .expect("mamori serve starts");
        let start = std::time::Instant::now();
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(rest) = text
                .split("serving on http://127.0.0.1:")
                .nth(1)
                .or_else(|| text.split("serving on https://127.0.0.1:").nth(1))
            {
                let port = rest.split('/').next().unwrap().parse().unwrap();
                return Served { child, port, log };
            }
            if start.elapsed() > std::time::Duration::from_secs(30)
                || child.try_wait().ok().flatten().is_some()
            {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server did not start: {text}");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// What it wrote to standard error.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// A file beside the store `db` with extension `ext` (for a PostgreSQL URL, in the
/// temporary directory).
pub fn beside(db: &Path, ext: &str) -> PathBuf {
    if mamori_store::postgres_url(db).is_some() {
        std::env::temp_dir().join(format!(
            "mamori-pg-{}-{}.{ext}",
            std::process::id(),
            rand_u32()
        ))
    } else {
        db.with_extension(ext)
    }
}

fn rand_u32() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

/// Adds a user with a password and returns an API token of theirs.
pub fn user_with_token(db: &Path, name: &str, role: &str, system: Option<&str>) -> String {
    let mut args = vec![
        "--db",
        db.to_str().unwrap(),
        "user",
        "add",
        name,
        "--role",
        role,
        "--password-stdin",
    ];
    if let Some(s) = system {
        args.extend(["--system", s]);
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_mamori"))
        .args(&args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery staple\n")
        .unwrap();
    assert!(child.wait().unwrap().success());
    let out = mamori(db, &["user", "token", name]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out).trim().to_string()
}

/// Two systems of Python code using MD5 (and SHA-1 in beta) in `d`, and their register
/// (alpha scanned every 5 minutes when `scheduled`): the server tests' organization.
pub fn two_systems(d: &Path, scheduled: bool) -> PathBuf {
    for (s, code) in [
        ("alpha", "import hashlib\nhashlib.md5(b'a')\n"),
        (
            "beta",
            "import hashlib\nhashlib.md5(b'b')\nhashlib.sha1(b'b')\n",
        ),
    ] {
        std::fs::create_dir_all(d.join(s)).unwrap();
        std::fs::write(d.join(s).join("app.py"), code).unwrap();
    }
    let reg = d.join("mamori.toml");
    std::fs::write(
        &reg,
        format!(
            "[organization]\nname = \"Test City\"\n\n[[system]]\nid = \"alpha\"\nname = \"Alpha\"\nowner = \"A team\"\ncriticality = \"high\"\n{}targets = [\"alpha\"]\n\n[[system]]\nid = \"beta\"\nname = \"Beta\"\nowner = \"B team\"\ncriticality = \"critical\"\ntargets = [\"beta\"]\n",
            if scheduled { "every = \"5m\"\n" } else { "" }
        ),
    )
    .unwrap();
    reg
}
