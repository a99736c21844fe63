//! mamori's store: every scan is a run; runs keep their assets, findings and warnings, and
//! any two runs can be diffed.
//!
//! SQLite is the embedded default: one file, nothing to start. PostgreSQL serves many
//! users and workers on many machines: [`Store::open`] takes a `postgres://` URL in place
//! of a file (see [`db`] for how one body of SQL serves both). A run is written in a single
//! transaction when the scan has finished, so a scan killed midway leaves the store exactly
//! as it was.
//!
//! ```
//! use mamori_store::Store;
//! use mamori_model::ScanResult;
//! let dir = tempfile::tempdir().unwrap();
//! let mut store = Store::open(&dir.path().join("m.db")).unwrap();
//! let run = store.save_run(&ScanResult::default(), "2026-01-01T00:00:00Z").unwrap();
//! assert_eq!(store.runs().unwrap()[0].id, run);
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod account;
pub mod db;
pub mod jobs;
pub use mamori_domain::lifecycle;
mod migrations;
mod sessions;
pub use mamori_domain::users;
pub mod views;

use db::{vals, Db, DbError, Row};
use mamori_model::{
    Component, CryptoAsset, Distro, Endpoint, Finding, RunInfo, ScanResult, Vulnerability, Warning,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What can go wrong with the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or created, or the database server could
    /// not be reached.
    #[error("cannot open the store {path}: {error}")]
    Open {
        /// The file, or the server's URL without its password.
        path: PathBuf,
        /// Why (whole in this message, so not also given as its source).
        error: DbError,
    },
    /// A `postgres://` URL that cannot be read.
    #[error("the store URL {url} is not valid: {message}")]
    Url {
        /// The URL without its password.
        url: String,
        /// Why.
        message: String,
    },
    /// The file is a mamori store of a newer version.
    #[error("the store {path} has schema version {found}; this mamori knows up to {known}: upgrade mamori")]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// Ours.
        known: i64,
    },
    /// A PostgreSQL store of a schema this mamori cannot upgrade.
    #[error(
        "the store {path} has schema version {found}; this mamori cannot upgrade it to {known}"
    )]
    TooOld {
        /// The database, without its password.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// Ours.
        known: i64,
    },
    /// A query failed (the whole reason is in this message).
    #[error("store error: {0}")]
    Sql(DbError),
    /// Stored JSON could not be read back.
    #[error("corrupt record in the store: {0}")]
    Json(#[from] serde_json::Error),
    /// No such run.
    #[error("no run {0} in the store (see `mamori runs`)")]
    NoRun(i64),
    /// No tracked finding with this id.
    #[error("no finding {0} in the store (see `mamori findings`)")]
    NoTracked(i64),
    /// No scan job with this id.
    #[error("no scan job {0} in the store")]
    NoJob(i64),
    /// The scan job is no longer this worker's (it was taken over after a missed
    /// heartbeat); its run is not stored.
    #[error("scan job {0} was taken over by another worker; this run is not stored")]
    JobTaken(i64),
    /// A person's act that the lifecycle refuses.
    #[error(transparent)]
    Act(#[from] lifecycle::ActError),
    /// A user that cannot be made or found.
    #[error(transparent)]
    User(#[from] users::UserError),
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> StoreError {
        StoreError::Sql(e)
    }
}

/// Which tracked items [`Store::tracked`] returns (empty: all).
#[derive(Debug, Clone, Default)]
pub struct TrackedFilter {
    /// Only these statuses.
    pub statuses: Vec<lifecycle::Status>,
    /// Only this system.
    pub system: Option<String>,
    /// Only at or above this severity.
    pub min_severity: Option<mamori_model::Severity>,
}

/// A run without its contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunHead {
    /// The run.
    pub id: i64,
    /// When the scan started (RFC 3339).
    pub started: String,
    /// When it was stored.
    pub finished: String,
    /// What it scanned.
    pub targets: Vec<String>,
}

/// An open store.
pub struct Store {
    db: Db,
}

/// What changed between two runs.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Diff {
    /// The older run.
    pub from: i64,
    /// The newer run.
    pub to: i64,
    /// Assets in `to` but not in `from`.
    pub assets_added: Vec<CryptoAsset>,
    /// Assets in `from` but not in `to`.
    pub assets_removed: Vec<CryptoAsset>,
    /// Findings in `to` but not in `from`.
    pub findings_added: Vec<Finding>,
    /// Findings in `from` but not in `to`.
    pub findings_removed: Vec<Finding>,
    /// Software components in `to` but not in `from` (by purl).
    #[serde(default)]
    pub components_added: Vec<Component>,
    /// Software components in `from` but not in `to`.
    #[serde(default)]
    pub components_removed: Vec<Component>,
    /// Vulnerabilities (advisory on component, not suppressed) in `to` but not in `from`.
    #[serde(default)]
    pub vulnerabilities_added: Vec<Vulnerability>,
    /// Vulnerabilities in `from` that `to` no longer has (fixed, removed or suppressed by VEX).
    #[serde(default)]
    pub vulnerabilities_removed: Vec<Vulnerability>,
}

/// Makes a new store file readable by its owner alone (`0600`, in a directory made `0700`):
/// it holds password hashes, token digests and every weakness found. SQLite gives its WAL
/// and shared-memory files the database file's mode. An existing file is left as it is.
fn create_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() && !dir.exists() {
            let mut b = std::fs::DirBuilder::new();
            b.recursive(true);
            #[cfg(unix)]
            b.mode(0o700);
            b.create(dir)?;
        }
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    o.mode(0o600);
    match o.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

impl Store {
    /// Open (creating if needed) the store at `path`, applying pending migrations. A
    /// `postgres://` or `postgresql://` URL in place of a path opens that PostgreSQL
    /// database instead (libpq's URL form: `postgres://user:password@host:port/db`; with
    /// `sslmode=require`, `verify-ca` or `verify-full` over TLS, the server's certificate
    /// checked against `sslrootcert=FILE` or the system's CAs).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(url) = postgres_url(path) {
            return Store::open_postgres(url);
        }
        let open_err = |e: rusqlite::Error| StoreError::Open {
            path: path.to_path_buf(),
            error: e.into(),
        };
        // Where this fails (a directory not ours), opening says why.
        let _ = create_private(path);
        let conn = rusqlite::Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        let store = Store {
            db: Db::sqlite(conn),
        };
        migrations::migrate(&store.db, path)?;
        Ok(store)
    }

    fn open_postgres(url: &str) -> Result<Store, StoreError> {
        let shown = redact_url(url);
        let url_err = |message: String| StoreError::Url {
            url: shown.clone(),
            message,
        };
        let (rest, tls) = db::tls_wanted(url).map_err(url_err)?;
        let mut config: postgres::Config = rest
            .parse()
            .map_err(|e: postgres::Error| url_err(e.to_string()))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("mamori");
        }
        // A machine that vanishes mid-transaction is noticed in about a minute, not the
        // two hours of the system's default keepalive.
        if config.get_keepalives_idle() == std::time::Duration::from_secs(7200) {
            config.keepalives_idle(std::time::Duration::from_secs(30));
            config.keepalives_interval(std::time::Duration::from_secs(10));
            config.keepalives_retries(3);
        }
        let open_err = |error: DbError| StoreError::Open {
            path: PathBuf::from(&shown),
            error,
        };
        let client = match tls {
            None => config.connect(postgres::NoTls),
            Some(roots) => {
                config.ssl_mode(postgres::config::SslMode::Require);
                let tls = db::tls_connector(roots.as_deref()).map_err(url_err)?;
                config.connect(tls)
            }
        }
        .map_err(|e| open_err(e.into()))?;
        let store = Store {
            db: Db::postgres(client),
        };
        // As SQLite's busy timeout: a writer waits at most 30 s for another (a run being
        // stored waits longer, see save_run_for); and a transaction left idle by a stalled
        // client ends after five minutes, so its lock does not hold every writer.
        store
            .db
            .batch("SET lock_timeout = '30s'; SET idle_in_transaction_session_timeout = '5min'")
            .map_err(open_err)?;
        migrations::migrate(&store.db, Path::new(&shown)).map_err(|e| match e {
            StoreError::Sql(error) => open_err(error),
            other => other,
        })?;
        Ok(store)
    }

    /// False once the store's connection is known to be lost (a database server gone
    /// away): a pool drops it rather than reuse it.
    pub fn usable(&self) -> bool {
        self.db.usable()
    }

    /// Store a finished scan as a new run, in one transaction. Returns the run id. Findings
    /// are followed with the default service levels.
    pub fn save_run(&mut self, r: &ScanResult, started: &str) -> Result<i64, StoreError> {
        self.save_run_with(r, started, &lifecycle::ServiceLevels::default())
    }

    /// [`Store::save_run`] with the service levels of a policy (due dates of new findings).
    pub fn save_run_with(
        &mut self,
        r: &ScanResult,
        started: &str,
        sla: &lifecycle::ServiceLevels,
    ) -> Result<i64, StoreError> {
        self.save_run_for(r, started, sla, None)
    }

    /// [`Store::save_run_with`] for a scan job `(id, worker)`: the job is marked done with
    /// this run in the run's own transaction, so a worker killed at any moment leaves either
    /// both or neither, and a job taken over by another worker refuses the run.
    pub fn save_run_for(
        &mut self,
        r: &ScanResult,
        started: &str,
        sla: &lifecycle::ServiceLevels,
        job: Option<(i64, &str)>,
    ) -> Result<i64, StoreError> {
        let finished = now_rfc3339();
        let tx = self.db.begin_write_waiting("10min")?;
        let run = tx.insert(
            "INSERT INTO runs (started, finished, targets, files, bytes) VALUES (?1, ?2, ?3, ?4, ?5)",
            vals![
                started,
                finished,
                serde_json::to_string(&r.targets)?,
                r.files as i64,
                r.bytes as i64
            ],
        )?;
        let mut ins = tx.inserter(
            "INSERT INTO assets (run_id, asset_id, kind, name, status, data) VALUES",
            6,
            "",
        );
        for a in &r.assets {
            ins.push(vals![
                run,
                a.id,
                a.kind.as_str(),
                a.name,
                a.status().as_str(),
                serde_json::to_string(a)?
            ])?;
        }
        ins.finish()?;
        let mut ins = tx.inserter(
            "INSERT INTO findings (run_id, key, code, severity, asset_id, data) VALUES",
            6,
            "ON CONFLICT DO NOTHING",
        );
        for f in &r.findings {
            ins.push(vals![
                run,
                f.key(),
                f.code,
                f.severity.as_str(),
                f.asset_id,
                serde_json::to_string(f)?
            ])?;
        }
        ins.finish()?;
        let mut ins = tx.inserter("INSERT INTO warnings (run_id, path, message) VALUES", 3, "");
        for w in &r.warnings {
            ins.push(vals![run, w.path, w.message])?;
        }
        ins.finish()?;
        let mut ins = tx.inserter(
            "INSERT INTO components (run_id, purl, name, version, ecosystem, data) VALUES",
            6,
            "ON CONFLICT DO NOTHING",
        );
        for c in &r.components {
            ins.push(vals![
                run,
                c.purl,
                c.name,
                c.version,
                c.ecosystem,
                serde_json::to_string(c)?
            ])?;
        }
        ins.finish()?;
        let mut ins = tx.inserter(
            "INSERT INTO vulnerabilities (run_id, key, advisory, severity, component, suppressed, data) VALUES",
            7,
            "ON CONFLICT DO NOTHING",
        );
        for v in &r.vulnerabilities {
            ins.push(vals![
                run,
                v.key(),
                v.id,
                v.severity.map(|s| s.as_str()),
                v.component,
                !v.active(),
                serde_json::to_string(v)?
            ])?;
        }
        ins.finish()?;
        let mut ins = tx.inserter("INSERT INTO distros (run_id, data) VALUES", 2, "");
        for d in &r.distros {
            ins.push(vals![run, serde_json::to_string(d)?])?;
        }
        ins.finish()?;
        let mut ins = tx.inserter(
            "INSERT INTO endpoints (run_id, endpoint, service, data) VALUES",
            4,
            "",
        );
        for e in &r.endpoints {
            ins.push(vals![run, e.endpoint, e.service, serde_json::to_string(e)?])?;
        }
        ins.finish()?;
        let seen = sightings(&r.targets, &r.findings, &r.vulnerabilities);
        follow(&tx, run, started, &r.targets, &seen, sla)?;
        tx.exec(
            "INSERT INTO run_stats (run_id, at, system, severity, active)
             SELECT ?1, ?2, COALESCE(system, ''), COALESCE(severity, ''),
                    SUM(CASE WHEN status IN ('new', 'open', 'acknowledged', 'reopened') THEN 1 ELSE 0 END)
             FROM tracked GROUP BY COALESCE(system, ''), COALESCE(severity, '')",
            vals![run, finished],
        )?;
        if let Some((job, worker)) = job {
            jobs::complete(&tx, job, worker, run, &finished)?;
        }
        tx.commit()?;
        // Fresh statistics let SQLite pick the index that serves a sort over a filter on
        // status (about 80 ms at 100,000 findings; a sampled ANALYZE misjudges status).
        // Only a hint: a failure here loses nothing.
        // On PostgreSQL also VACUUM: it marks the pages all-visible, so sorts and deep
        // pages are read from the indexes alone.
        let _ = self.db.batch(if self.db.pg() {
            "VACUUM (ANALYZE) tracked"
        } else {
            "ANALYZE tracked"
        });
        Ok(run)
    }

    /// Tracked findings and vulnerabilities, most severe and oldest first, narrowed by
    /// `filter`.
    pub fn tracked(&self, filter: &TrackedFilter) -> Result<Vec<lifecycle::Tracked>, StoreError> {
        let mut out = Vec::new();
        self.db.each(
            &format!("SELECT {TRACKED_COLUMNS} FROM tracked ORDER BY id"),
            vals![],
            |r| {
                let t = tracked_row(r)?;
                let wanted = (filter.statuses.is_empty() || filter.statuses.contains(&t.status))
                    && filter
                        .system
                        .as_ref()
                        .is_none_or(|s| t.system.as_ref() == Some(s))
                    && filter
                        .min_severity
                        .is_none_or(|m| t.severity.is_some_and(|s| s >= m));
                if wanted {
                    out.push(t);
                }
                Ok::<(), DbError>(())
            },
        )?;
        out.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.id.cmp(&b.id)));
        self.fill_advisories(&mut out)?;
        Ok(out)
    }

    /// One tracked item and its whole history, oldest first.
    pub fn tracked_one(
        &self,
        id: i64,
    ) -> Result<(lifecycle::Tracked, Vec<lifecycle::Event>), StoreError> {
        let mut t = self
            .db
            .opt(
                &format!("SELECT {TRACKED_COLUMNS} FROM tracked WHERE id = ?1"),
                vals![id],
                tracked_row,
            )?
            .ok_or(StoreError::NoTracked(id))?;
        self.fill_advisories(std::slice::from_mut(&mut t))?;
        let events = self.db.all(
            "SELECT at, actor, action, from_status, to_status, run, detail FROM events WHERE tracked_id = ?1 ORDER BY id",
            vals![id],
            |r| {
                let from: Option<String> = r.get(3)?;
                let to: Option<String> = r.get(4)?;
                let action: String = r.get(2)?;
                let action =
                    lifecycle::EventAction::parse(&action).ok_or_else(|| DbError::Type {
                        column: 2,
                        message: format!("unknown event action {action:?}"),
                    })?;
                Ok::<_, DbError>(lifecycle::Event {
                    key: t.key.clone(),
                    at: r.get(0)?,
                    actor: r.get(1)?,
                    action,
                    from: from.as_deref().and_then(lifecycle::Status::parse),
                    to: to.as_deref().and_then(lifecycle::Status::parse),
                    run: r.get(5)?,
                    detail: r.get(6)?,
                })
            },
        )?;
        Ok((t, events))
    }

    /// What a person does to tracked item `id`, recorded with its event in one transaction.
    pub fn act(
        &mut self,
        id: i64,
        act: &lifecycle::Act,
        actor: &str,
        comment: Option<&str>,
    ) -> Result<lifecycle::Tracked, StoreError> {
        // Read under the write lock: two people acting on one item at once each apply their
        // act to what the other left, and a run being stored does not interleave.
        let tx = self.db.begin_write()?;
        let t = tx
            .opt(
                &format!("SELECT {TRACKED_COLUMNS} FROM tracked WHERE id = ?1"),
                vals![id],
                tracked_row,
            )?
            .ok_or(StoreError::NoTracked(id))?;
        let (mut n, e) = lifecycle::apply(&t, act, actor, &now_rfc3339(), comment)?;
        write_tracked(&tx, &n)?;
        write_event(&tx, id, &e)?;
        tx.commit()?;
        self.fill_advisories(std::slice::from_mut(&mut n))?;
        Ok(n)
    }

    /// Makes a user with a password (hashed with Argon2id) and grants.
    pub fn add_user(
        &mut self,
        name: &str,
        password: &str,
        grants: &[users::Grant],
    ) -> Result<users::User, StoreError> {
        users::check_name(name)?;
        let hash = users::hash_password(password)?;
        let tx = self.db.begin_write()?;
        let exists: i64 = tx.one(
            "SELECT COUNT(*) FROM users WHERE name = ?1",
            vals![name],
            |r| r.get(0),
        )?;
        if exists > 0 {
            return Err(users::UserError::Exists(name.into()).into());
        }
        let id = tx.insert(
            "INSERT INTO users (name, password, created) VALUES (?1, ?2, ?3)",
            vals![name, hash, now_rfc3339()],
        )?;
        for g in grants {
            tx.exec(
                "INSERT INTO grants (user_id, role, system) VALUES (?1, ?2, ?3)",
                vals![id, g.role.as_str(), g.system],
            )?;
        }
        tx.commit()?;
        self.user(name)?
            .ok_or_else(|| users::UserError::NoUser(name.into()).into())
    }

    /// A user by name, with their grants.
    pub fn user(&self, name: &str) -> Result<Option<users::User>, StoreError> {
        let row = self.db.opt(
            "SELECT id, name, created FROM users WHERE name = ?1",
            vals![name],
            |r| Ok::<_, DbError>((r.get::<i64>(0)?, r.get::<String>(1)?, r.get::<String>(2)?)),
        )?;
        let Some((id, name, created)) = row else {
            return Ok(None);
        };
        let grants = self
            .db
            .all(
                "SELECT role, system FROM grants WHERE user_id = ?1 ORDER BY rowid",
                vals![id],
                |r| Ok::<_, DbError>((r.get::<String>(0)?, r.get::<Option<String>>(1)?)),
            )?
            .into_iter()
            .filter_map(|(role, system)| {
                users::Role::parse(&role).map(|role| users::Grant { role, system })
            })
            .collect();
        Ok(Some(users::User {
            id,
            name,
            grants,
            created,
        }))
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<users::User>, StoreError> {
        let names: Vec<String> =
            self.db
                .all("SELECT name FROM users ORDER BY name", vals![], |r| {
                    r.get(0)
                })?;
        Ok(names
            .iter()
            .map(|n| self.user(n))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect())
    }

    /// Removes a user, their grants and tokens.
    pub fn remove_user(&mut self, name: &str) -> Result<(), StoreError> {
        if self
            .db
            .exec("DELETE FROM users WHERE name = ?1", vals![name])?
            == 0
        {
            return Err(users::UserError::NoUser(name.into()).into());
        }
        Ok(())
    }

    /// The stored password hash of `name` (PHC string), for a caller that verifies it away
    /// from the store's connection (the server: Argon2 takes its time on purpose).
    pub fn password_hash(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(self.db.opt(
            "SELECT password FROM users WHERE name = ?1",
            vals![name],
            |r| r.get(0),
        )?)
    }

    /// The user `name` if `password` is theirs.
    pub fn login(&self, name: &str, password: &str) -> Result<Option<users::User>, StoreError> {
        let hash: Option<String> = self.db.opt(
            "SELECT password FROM users WHERE name = ?1",
            vals![name],
            |r| r.get(0),
        )?;
        match hash {
            Some(h) if users::verify_password(&h, password) => self.user(name),
            _ => Ok(None),
        }
    }

    /// All runs, oldest first.
    pub fn runs(&self) -> Result<Vec<RunInfo>, StoreError> {
        let rows = self.db.all(
            "SELECT r.id, r.started, r.finished, r.targets, r.files, r.bytes,
                    (SELECT COUNT(*) FROM assets a WHERE a.run_id = r.id),
                    (SELECT COUNT(*) FROM findings f WHERE f.run_id = r.id),
                    (SELECT COUNT(*) FROM warnings w WHERE w.run_id = r.id),
                    (SELECT COUNT(*) FROM components c WHERE c.run_id = r.id),
                    (SELECT COUNT(*) FROM vulnerabilities v WHERE v.run_id = r.id AND v.suppressed = 0)
             FROM runs r ORDER BY r.id",
            vals![],
            |row| {
            Ok::<_, DbError>((
                row.get::<i64>(0)?,
                row.get::<String>(1)?,
                row.get::<String>(2)?,
                row.get::<String>(3)?,
                row.get::<i64>(4)?,
                row.get::<i64>(5)?,
                row.get::<i64>(6)?,
                row.get::<i64>(7)?,
                row.get::<i64>(8)?,
                row.get::<i64>(9)?,
                row.get::<i64>(10)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            let (
                id,
                started,
                finished,
                targets,
                files,
                bytes,
                assets,
                findings,
                warnings,
                components,
                vulnerabilities,
            ) = r;
            out.push(RunInfo {
                id,
                started,
                finished,
                targets: serde_json::from_str(&targets)?,
                assets: assets as u64,
                findings: findings as u64,
                warnings: warnings as u64,
                components: components as u64,
                vulnerabilities: vulnerabilities as u64,
                files: files as u64,
                bytes: bytes as u64,
            });
        }
        Ok(out)
    }

    /// Every run's id, start, end and targets, oldest first: [`Store::runs`] without its
    /// counts, cheap enough for every page.
    pub fn run_heads(&self) -> Result<Vec<RunHead>, StoreError> {
        let rows = self.db.all(
            "SELECT id, started, finished, targets FROM runs ORDER BY id",
            vals![],
            |r| Ok::<_, DbError>((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<String>(3)?)),
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (id, started, finished, targets) = row;
            out.push(RunHead {
                id,
                started,
                finished,
                targets: serde_json::from_str(&targets)?,
            });
        }
        Ok(out)
    }

    /// A page of one run's crypto assets that `keep` accepts (it may also narrow each),
    /// and how many it accepts in all — read row by row, so a run of a million assets is
    /// never in memory at once.
    pub fn page_assets(
        &self,
        run: i64,
        keep: Option<&mut dyn FnMut(&mut CryptoAsset) -> bool>,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<CryptoAsset>, u64), StoreError> {
        self.page_of("assets", "asset_id", run, keep, offset, limit)
    }

    /// [`Store::page_assets`] for software components.
    pub fn page_components(
        &self,
        run: i64,
        keep: Option<&mut dyn FnMut(&mut Component) -> bool>,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<Component>, u64), StoreError> {
        self.page_of("components", "purl", run, keep, offset, limit)
    }

    /// [`Store::page_assets`] for findings.
    pub fn page_findings(
        &self,
        run: i64,
        keep: Option<&mut dyn FnMut(&mut Finding) -> bool>,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<Finding>, u64), StoreError> {
        self.page_of("findings", "key", run, keep, offset, limit)
    }

    /// [`Store::page_assets`] for vulnerabilities (VEX-suppressed ones included).
    pub fn page_vulnerabilities(
        &self,
        run: i64,
        keep: Option<&mut dyn FnMut(&mut Vulnerability) -> bool>,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<Vulnerability>, u64), StoreError> {
        self.page_of("vulnerabilities", "key", run, keep, offset, limit)
    }

    /// One crypto asset of a run and the run's findings about it.
    pub fn run_asset(
        &self,
        run: i64,
        asset: &str,
    ) -> Result<Option<(CryptoAsset, Vec<Finding>)>, StoreError> {
        let data: Option<String> = self.db.opt(
            "SELECT data FROM assets WHERE run_id = ?1 AND asset_id = ?2",
            vals![run, asset],
            |r| r.get(0),
        )?;
        let Some(data) = data else {
            return Ok(None);
        };
        let findings = self
            .db
            .all(
                "SELECT data FROM findings WHERE run_id = ?1 AND asset_id = ?2 ORDER BY key",
                vals![run, asset],
                |r| r.get::<String>(0),
            )?
            .iter()
            .map(|d| serde_json::from_str(d))
            .collect::<Result<Vec<Finding>, _>>()?;
        Ok(Some((serde_json::from_str(&data)?, findings)))
    }

    fn page_of<T: serde::de::DeserializeOwned>(
        &self,
        table: &str,
        order: &str,
        run: i64,
        keep: Option<&mut dyn FnMut(&mut T) -> bool>,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<T>, u64), StoreError> {
        let exists: i64 =
            self.db
                .one("SELECT COUNT(*) FROM runs WHERE id = ?1", vals![run], |r| {
                    r.get(0)
                })?;
        if exists == 0 {
            return Err(StoreError::NoRun(run));
        }
        let mut out = Vec::new();
        match keep {
            None => {
                let total: i64 = self.db.one(
                    &format!("SELECT COUNT(*) FROM {table} WHERE run_id = ?1"),
                    vals![run],
                    |r| r.get(0),
                )?;
                self.db.each(
                    &format!(
                        "SELECT data FROM {table} WHERE run_id = ?1 ORDER BY {order} LIMIT ?2 OFFSET ?3"
                    ),
                    vals![run, limit, offset],
                    |r| {
                        out.push(serde_json::from_str(&r.get::<String>(0)?)?);
                        Ok::<(), StoreError>(())
                    },
                )?;
                Ok((out, total as u64))
            }
            Some(keep) => {
                let mut seen = 0usize;
                self.db.each(
                    &format!("SELECT data FROM {table} WHERE run_id = ?1 ORDER BY {order}"),
                    vals![run],
                    |r| {
                        let mut item: T = serde_json::from_str(&r.get::<String>(0)?)?;
                        if keep(&mut item) {
                            if seen >= offset && out.len() < limit {
                                out.push(item);
                            }
                            seen += 1;
                        }
                        Ok::<(), StoreError>(())
                    },
                )?;
                Ok((out, seen as u64))
            }
        }
    }

    /// The newest run's id, if any.
    pub fn latest_run(&self) -> Result<Option<i64>, StoreError> {
        Ok(self.db.one("SELECT MAX(id) FROM runs", vals![], |r| {
            r.get::<Option<i64>>(0)
        })?)
    }

    /// Everything stored for one run.
    pub fn load_run(&self, run: i64) -> Result<ScanResult, StoreError> {
        let (targets, files, bytes): (String, i64, i64) = self
            .db
            .opt(
                "SELECT targets, files, bytes FROM runs WHERE id = ?1",
                vals![run],
                |r| Ok::<_, DbError>((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?
            .ok_or(StoreError::NoRun(run))?;
        let assets = self.assets_in_order(run)?;
        let mut findings: Vec<Finding> = self.findings(run)?.into_values().collect();
        findings.sort_by(|a, b| b.severity.cmp(&a.severity).then(a.key().cmp(&b.key())));
        let warnings = self.db.all(
            "SELECT path, message FROM warnings WHERE run_id = ?1 ORDER BY rowid",
            vals![run],
            |r| Ok::<_, DbError>(Warning::new(r.get::<String>(0)?, r.get::<String>(1)?)),
        )?;
        let components = self.components(run)?.into_values().collect();
        let mut vulnerabilities: Vec<Vulnerability> =
            self.vulnerabilities(run)?.into_values().collect();
        mamori_model::sort_vulnerabilities(&mut vulnerabilities);
        let json = |sql: &str| -> Result<Vec<String>, StoreError> {
            Ok(self.db.all(sql, vals![run], |r| r.get(0))?)
        };
        let distros = json("SELECT data FROM distros WHERE run_id = ?1 ORDER BY rowid")?
            .iter()
            .map(|d| serde_json::from_str::<Distro>(d))
            .collect::<Result<Vec<_>, _>>()?;
        let endpoints = json("SELECT data FROM endpoints WHERE run_id = ?1 ORDER BY rowid")?
            .iter()
            .map(|d| serde_json::from_str::<Endpoint>(d))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ScanResult {
            targets: serde_json::from_str(&targets)?,
            assets,
            findings,
            warnings,
            components,
            distros,
            vulnerabilities,
            endpoints,
            files: files as u64,
            bytes: bytes as u64,
        })
    }

    fn components(&self, run: i64) -> Result<BTreeMap<String, Component>, StoreError> {
        self.rows(
            "SELECT purl, data FROM components WHERE run_id = ?1 ORDER BY purl",
            run,
        )
    }

    fn vulnerabilities(&self, run: i64) -> Result<BTreeMap<String, Vulnerability>, StoreError> {
        self.rows(
            "SELECT key, data FROM vulnerabilities WHERE run_id = ?1 ORDER BY key",
            run,
        )
    }

    fn rows<T: serde::de::DeserializeOwned>(
        &self,
        sql: &str,
        run: i64,
    ) -> Result<BTreeMap<String, T>, StoreError> {
        self.exists(run)?;
        let mut out = BTreeMap::new();
        self.db.each(sql, vals![run], |r| {
            out.insert(
                r.get::<String>(0)?,
                serde_json::from_str(&r.get::<String>(1)?)?,
            );
            Ok::<(), StoreError>(())
        })?;
        Ok(out)
    }

    fn assets(&self, run: i64) -> Result<BTreeMap<String, CryptoAsset>, StoreError> {
        self.rows(
            "SELECT asset_id, data FROM assets WHERE run_id = ?1 ORDER BY asset_id",
            run,
        )
    }

    /// A run's assets in id order, parsed in batches on every core: a run of a million
    /// assets is over a gigabyte of JSON, and parsing it is most of loading it.
    fn assets_in_order(&self, run: i64) -> Result<Vec<CryptoAsset>, StoreError> {
        self.exists(run)?;
        const BATCH: usize = 16_384;
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 8);
        let n: i64 = self.db.one(
            "SELECT COUNT(*) FROM assets WHERE run_id = ?1",
            vals![run],
            |r| r.get(0),
        )?;
        // Sized once: an asset is large, and growing by doubling would copy them all again.
        let mut out = Vec::with_capacity(n as usize);
        let mut batch: Vec<String> = Vec::with_capacity(BATCH);
        let parse = |batch: &mut Vec<String>, out: &mut Vec<CryptoAsset>| {
            let chunk = batch.len().div_ceil(threads).max(1);
            let parsed: Vec<Result<Vec<CryptoAsset>, serde_json::Error>> =
                std::thread::scope(|sc| {
                    let handles: Vec<_> = batch
                        .chunks(chunk)
                        .map(|part| {
                            sc.spawn(move || {
                                part.iter()
                                    .map(|d| serde_json::from_str::<CryptoAsset>(d))
                                    .collect::<Result<Vec<_>, _>>()
                            })
                        })
                        .collect();
                    handles
                        .into_iter()
                        // A parser thread that panicked passes its panic on.
                        .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                        .collect()
                });
            batch.clear();
            for p in parsed {
                out.extend(p?);
            }
            Ok::<(), StoreError>(())
        };
        self.db.each(
            "SELECT data FROM assets WHERE run_id = ?1 ORDER BY asset_id",
            vals![run],
            |r| {
                batch.push(r.get(0)?);
                if batch.len() == BATCH {
                    parse(&mut batch, &mut out)?;
                }
                Ok::<(), StoreError>(())
            },
        )?;
        parse(&mut batch, &mut out)?;
        Ok(out)
    }

    fn findings(&self, run: i64) -> Result<BTreeMap<String, Finding>, StoreError> {
        self.rows(
            "SELECT key, data FROM findings WHERE run_id = ?1 ORDER BY key",
            run,
        )
    }

    fn exists(&self, run: i64) -> Result<(), StoreError> {
        let n: i64 = self
            .db
            .one("SELECT COUNT(*) FROM runs WHERE id = ?1", vals![run], |r| {
                r.get(0)
            })?;
        if n == 0 {
            return Err(StoreError::NoRun(run));
        }
        Ok(())
    }

    /// What appeared and disappeared from run `from` to run `to`.
    pub fn diff(&self, from: i64, to: i64) -> Result<Diff, StoreError> {
        let a = self.assets(from)?;
        let b = self.assets(to)?;
        let fa = self.findings(from)?;
        let fb = self.findings(to)?;
        let ca = self.components(from)?;
        let cb = self.components(to)?;
        let active = |m: BTreeMap<String, Vulnerability>| -> BTreeMap<String, Vulnerability> {
            m.into_iter().filter(|(_, v)| v.active()).collect()
        };
        let va = active(self.vulnerabilities(from)?);
        let vb = active(self.vulnerabilities(to)?);
        Ok(Diff {
            components_added: only_in(&cb, &ca),
            components_removed: only_in(&ca, &cb),
            vulnerabilities_added: only_in(&vb, &va),
            vulnerabilities_removed: only_in(&va, &vb),
            from,
            to,
            assets_added: b
                .iter()
                .filter(|(k, _)| !a.contains_key(*k))
                .map(|(_, v)| v.clone())
                .collect(),
            assets_removed: a
                .iter()
                .filter(|(k, _)| !b.contains_key(*k))
                .map(|(_, v)| v.clone())
                .collect(),
            findings_added: fb
                .iter()
                .filter(|(k, _)| !fa.contains_key(*k))
                .map(|(_, v)| v.clone())
                .collect(),
            findings_removed: fa
                .iter()
                .filter(|(k, _)| !fb.contains_key(*k))
                .map(|(_, v)| v.clone())
                .collect(),
        })
    }
}

/// What changed between two scan results already in memory (as [`Store::diff`] compares
/// stored runs): for runs narrowed to some systems before they are compared.
pub fn diff_results(from: i64, to: i64, a: &ScanResult, b: &ScanResult) -> Diff {
    let assets = |r: &ScanResult| -> BTreeMap<String, CryptoAsset> {
        r.assets.iter().map(|x| (x.id.clone(), x.clone())).collect()
    };
    let findings = |r: &ScanResult| -> BTreeMap<String, Finding> {
        r.findings.iter().map(|x| (x.key(), x.clone())).collect()
    };
    let components = |r: &ScanResult| -> BTreeMap<String, Component> {
        r.components
            .iter()
            .map(|x| (x.purl.clone(), x.clone()))
            .collect()
    };
    let vulns = |r: &ScanResult| -> BTreeMap<String, Vulnerability> {
        r.vulnerabilities
            .iter()
            .filter(|v| v.active())
            .map(|x| (x.key(), x.clone()))
            .collect()
    };
    let (aa, ab) = (assets(a), assets(b));
    let (fa, fb) = (findings(a), findings(b));
    let (ca, cb) = (components(a), components(b));
    let (va, vb) = (vulns(a), vulns(b));
    Diff {
        from,
        to,
        assets_added: only_in(&ab, &aa),
        assets_removed: only_in(&aa, &ab),
        findings_added: only_in(&fb, &fa),
        findings_removed: only_in(&fa, &fb),
        components_added: only_in(&cb, &ca),
        components_removed: only_in(&ca, &cb),
        vulnerabilities_added: only_in(&vb, &va),
        vulnerabilities_removed: only_in(&va, &vb),
    }
}

/// Values of `a` whose keys `b` lacks.
fn only_in<T: Clone>(a: &BTreeMap<String, T>, b: &BTreeMap<String, T>) -> Vec<T> {
    a.iter()
        .filter(|(k, _)| !b.contains_key(*k))
        .map(|(_, v)| v.clone())
        .collect()
}

/// What a run saw, as the lifecycle follows it: every finding, and every vulnerability not
/// suppressed by VEX.
fn sightings(
    targets: &[String],
    findings: &[Finding],
    vulns: &[Vulnerability],
) -> Vec<lifecycle::Sighting> {
    let mut out = Vec::with_capacity(findings.len() + vulns.len());
    for f in findings {
        out.push(lifecycle::Sighting {
            key: f.key(),
            kind: "finding",
            // A package's finding names the package (not its version: an upgrade that
            // keeps the weakness keeps the item).
            title: match &f.package {
                Some(p) => format!("{} {} ({})", f.code, f.asset_name, p.name),
                None => format!("{} {}", f.code, f.asset_name),
            },
            severity: Some(f.severity),
            system: f.system.clone(),
            location: f.location.to_string(),
            scope: lifecycle::scope_of(targets, &f.location.path, f.location.container.as_deref()),
        });
    }
    // A vulnerability is followed per system it is in (`vuln:ADVISORY|PURL|SYSTEM`); the
    // location starts with the package URL (the dashboard groups by it).
    for v in vulns.iter().filter(|v| v.active()) {
        let one = [mamori_model::SystemPlace {
            system: v.system.clone().unwrap_or_default(),
            location: v.location.clone(),
        }];
        let places = if v.systems.is_empty() {
            &one[..]
        } else {
            &v.systems[..]
        };
        for p in places {
            let system = (!p.system.is_empty()).then(|| p.system.clone());
            out.push(lifecycle::Sighting {
                key: match &system {
                    Some(s) => format!("vuln:{}|{s}", v.key()),
                    None => format!("vuln:{}", v.key()),
                },
                kind: "vulnerability",
                title: v.id.clone(),
                severity: v.severity,
                system,
                location: format!("{} {}", v.component, p.location),
                scope: lifecycle::scope_of(
                    targets,
                    &p.location.path,
                    p.location.container.as_deref(),
                ),
            });
        }
    }
    out
}

pub(crate) const TRACKED_COLUMNS: &str = "id, key, kind, title, severity, system, location, scope, status, accepted_until, assignee, due, first_run, last_run, first_seen, last_seen, fixed_run";

pub(crate) fn tracked_row(r: &Row<'_>) -> Result<lifecycle::Tracked, DbError> {
    let sev: Option<String> = r.get(4)?;
    let status: String = r.get(8)?;
    Ok(lifecycle::Tracked {
        id: r.get(0)?,
        key: r.get(1)?,
        kind: r.get(2)?,
        title: r.get(3)?,
        severity: sev.and_then(|s| s.parse().ok()),
        system: r.get(5)?,
        location: r.get(6)?,
        scope: r.get(7)?,
        status: lifecycle::Status::parse(&status).unwrap_or(lifecycle::Status::Open),
        accepted_until: r.get(9)?,
        assignee: r.get(10)?,
        due: r.get(11)?,
        first_run: r.get(12)?,
        last_run: r.get(13)?,
        first_seen: r.get(14)?,
        last_seen: r.get(15)?,
        fixed_run: r.get(16)?,
        advisory: lifecycle::Advisory::default(),
    })
}

/// The key of a tracked vulnerability's row in the run's `vulnerabilities` table
/// (`ADVISORY|PURL`): its own key (`vuln:ADVISORY|PURL|SYSTEM`, or without the system when
/// it has none) without the prefix and the system. `None` for a finding.
fn vulnerability_key(t: &lifecycle::Tracked) -> Option<&str> {
    if t.kind != "vulnerability" {
        return None;
    }
    let k = t.key.strip_prefix("vuln:")?;
    match &t.system {
        Some(s) => k.strip_suffix(s.as_str()).and_then(|k| k.strip_suffix('|')),
        None => Some(k),
    }
}

/// The part of a stored vulnerability's record that a tracked item shows.
#[derive(serde::Deserialize)]
struct AdvisoryPart {
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    cvss: Option<mamori_model::Cvss>,
}

/// Keys looked up in one query.
const ADVISORY_CHUNK: usize = 100;

impl Store {
    /// Fills in the advisory (aliases, summary, CVSS) of the vulnerabilities among `items`
    /// from the run that last saw each — a few queries by primary key for a page of items.
    /// An item whose run is gone keeps an empty one.
    pub(crate) fn fill_advisories(
        &self,
        items: &mut [lifecycle::Tracked],
    ) -> Result<(), StoreError> {
        // Wanted: run → keys → the items that show them.
        let mut wanted: BTreeMap<i64, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
        for (i, t) in items.iter().enumerate() {
            if let Some(k) = vulnerability_key(t) {
                wanted
                    .entry(t.last_run)
                    .or_default()
                    .entry(k.to_string())
                    .or_default()
                    .push(i);
            }
        }
        for (run, keys) in wanted {
            let keys: Vec<(&String, &Vec<usize>)> = keys.iter().collect();
            for chunk in keys.chunks(ADVISORY_CHUNK) {
                let mut params = vec![db::Val::Int(run)];
                let marks: Vec<String> = chunk
                    .iter()
                    .map(|(k, _)| {
                        params.push(db::Val::Text(std::borrow::Cow::Owned((*k).clone())));
                        format!("?{}", params.len())
                    })
                    .collect();
                let found: Vec<(String, String)> = self.db.all(
                    &format!(
                        "SELECT key, data FROM vulnerabilities WHERE run_id = ?1 AND key IN ({})",
                        marks.join(", ")
                    ),
                    &params,
                    |r| Ok::<_, DbError>((r.get(0)?, r.get(1)?)),
                )?;
                for (key, data) in found {
                    let part: AdvisoryPart = serde_json::from_str(&data)?;
                    let Some((_, at)) = chunk.iter().find(|(k, _)| **k == key) else {
                        continue;
                    };
                    for &i in at.iter() {
                        items[i].advisory = lifecycle::Advisory {
                            aliases: part.aliases.clone(),
                            summary: part.summary.clone(),
                            cvss: part.cvss.clone(),
                        };
                    }
                }
            }
        }
        Ok(())
    }
}

/// Writes an item (inserting it when its id is 0) and returns its id.
fn write_tracked(tx: &Db, t: &lifecycle::Tracked) -> Result<i64, StoreError> {
    let sev = t.severity.map(|s| s.as_str());
    if t.id == 0 {
        Ok(tx.insert(
            "INSERT INTO tracked (key, kind, title, severity, system, location, scope, status, accepted_until, assignee, due, first_run, last_run, first_seen, last_seen, fixed_run) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            vals![t.key, t.kind, t.title, sev, t.system, t.location, t.scope, t.status.as_str(), t.accepted_until, t.assignee, t.due, t.first_run, t.last_run, t.first_seen, t.last_seen, t.fixed_run],
        )?)
    } else {
        tx.exec(
            "UPDATE tracked SET title = ?2, severity = ?3, system = ?4, location = ?5, status = ?6, accepted_until = ?7, assignee = ?8, due = ?9, last_run = ?10, last_seen = ?11, fixed_run = ?12 WHERE id = ?1",
            vals![t.id, t.title, sev, t.system, t.location, t.status.as_str(), t.accepted_until, t.assignee, t.due, t.last_run, t.last_seen, t.fixed_run],
        )?;
        Ok(t.id)
    }
}

const EVENT_INSERT: &str =
    "INSERT INTO events (tracked_id, at, actor, action, from_status, to_status, run, detail) VALUES";

/// The values of an event of item `id`, in [`EVENT_INSERT`]'s order.
fn event_values(id: i64, e: &lifecycle::Event) -> [db::Val<'_>; 8] {
    use db::{ToVal, Val};
    let text = |s: Option<&'static str>| s.map_or(Val::Null, |s| Val::Text(s.into()));
    [
        Val::Int(id),
        e.at.to_val(),
        e.actor.to_val(),
        e.action.as_str().to_val(),
        text(e.from.map(|s| s.as_str())),
        text(e.to.map(|s| s.as_str())),
        e.run.map_or(Val::Null, Val::Int),
        e.detail.to_val(),
    ]
}

fn write_event(tx: &Db, id: i64, e: &lifecycle::Event) -> Result<(), StoreError> {
    let mut ins = tx.inserter(EVENT_INSERT, 8, "");
    ins.push(&event_values(id, e))?;
    Ok(ins.finish()?)
}

/// Applies what run `run` saw to the tracked items, in the run's transaction.
fn follow(
    tx: &Db,
    run: i64,
    at: &str,
    targets: &[String],
    seen: &[lifecycle::Sighting],
    sla: &lifecycle::ServiceLevels,
) -> Result<(), StoreError> {
    let mut tracked = std::collections::HashMap::new();
    tx.each(
        &format!("SELECT {TRACKED_COLUMNS} FROM tracked"),
        vals![],
        |r| {
            let t = tracked_row(r)?;
            tracked.insert(t.key.clone(), t);
            Ok::<(), DbError>(())
        },
    )?;
    let changes = lifecycle::reconcile(
        &tracked,
        &lifecycle::RunSeen {
            id: run,
            at,
            targets,
        },
        seen,
        sla,
    );
    let mut ids: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for t in &changes.items {
        ids.insert(t.key.clone(), write_tracked(tx, t)?);
    }
    let mut ins = tx.inserter(EVENT_INSERT, 8, "");
    for e in &changes.events {
        if let Some(&id) = ids.get(&e.key) {
            ins.push(&event_values(id, e))?;
        }
    }
    ins.finish()?;
    Ok(())
}

/// Follows every stored run in order (the upgrade to the lifecycle's schema).
pub(crate) fn replay_lifecycle(tx: &Db) -> Result<(), StoreError> {
    let runs: Vec<(i64, String, String)> = tx.all(
        "SELECT id, started, targets FROM runs ORDER BY id",
        vals![],
        |r| Ok::<_, DbError>((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    for (run, started, targets) in runs {
        let targets: Vec<String> = serde_json::from_str(&targets)?;
        let data = |sql: &str| -> Result<Vec<String>, StoreError> {
            Ok(tx.all(sql, vals![run], |r| r.get(0))?)
        };
        let findings: Vec<Finding> = data("SELECT data FROM findings WHERE run_id = ?1")?
            .iter()
            .map(|d| serde_json::from_str(d))
            .collect::<Result<_, _>>()?;
        let vulns: Vec<Vulnerability> = data("SELECT data FROM vulnerabilities WHERE run_id = ?1")?
            .iter()
            .map(|d| serde_json::from_str(d))
            .collect::<Result<_, _>>()?;
        let seen = sightings(&targets, &findings, &vulns);
        follow(
            tx,
            run,
            &started,
            &targets,
            &seen,
            &lifecycle::ServiceLevels::default(),
        )?;
    }
    Ok(())
}

/// Whether a `--db` value names a PostgreSQL database rather than an SQLite file.
pub fn is_postgres_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// The PostgreSQL URL a `--db` path is, if it is one (else it names an SQLite file).
pub fn postgres_url(path: &Path) -> Option<&str> {
    path.to_str().filter(|p| is_postgres_url(p))
}

/// Whether the store at `path` is there to read: an SQLite file that exists, or any
/// PostgreSQL URL (whether the server answers is found out by opening it).
pub fn store_exists(path: &Path) -> bool {
    postgres_url(path).is_some() || path.exists()
}

/// A store's location fit to show in messages and logs: the file, or the URL without its
/// password.
pub fn shown(path: &Path) -> String {
    match postgres_url(path) {
        Some(url) => redact_url(url),
        None => path.display().to_string(),
    }
}

/// A database URL fit to show: its password replaced by `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    // As the client reads it: the credentials run to the first '@' (a password may hold
    // '/', '?' or '#'), the user to the first ':' in them.
    let mut out = format!("{scheme}://");
    let after = match rest.split_once('@') {
        Some((creds, after)) => {
            match creds.split_once(':') {
                Some((user, _)) => {
                    out.push_str(user);
                    out.push_str(":***@");
                }
                None => {
                    out.push_str(creds);
                    out.push('@');
                }
            }
            after
        }
        None => rest,
    };
    // A password may also come as a parameter.
    let (path, query) = after.split_once('?').unwrap_or((after, ""));
    out.push_str(path);
    let mut first = true;
    for kv in query.split('&').filter(|kv| !kv.is_empty()) {
        out.push(if first { '?' } else { '&' });
        first = false;
        match kv.split_once('=') {
            Some((k, _)) if k.eq_ignore_ascii_case("password") => {
                out.push_str(k);
                out.push_str("=***");
            }
            _ => out.push_str(kv),
        }
    }
    out
}

/// Now, in seconds since 1970.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Now, RFC 3339 UTC, second precision.
pub fn now_rfc3339() -> String {
    format_unix(unix_now())
}

pub use mamori_model::date::format_unix;

/// The same store tests on both databases.
#[cfg(test)]
pub(crate) mod testdb {
    use super::Store;
    use std::path::PathBuf;

    /// A new, empty store's location, kept while the place lives.
    pub(crate) struct Place {
        pub(crate) location: PathBuf,
        pub(crate) name: &'static str,
        _dir: Option<tempfile::TempDir>,
        _pg: Option<mamori_testkit::postgres::TestDb>,
    }

    impl Place {
        pub(crate) fn sqlite() -> Place {
            let dir = tempfile::tempdir().unwrap();
            Place {
                // In a directory still to be made: opening makes it.
                location: dir.path().join("sub/m.db"),
                name: "SQLite",
                _dir: Some(dir),
                _pg: None,
            }
        }

        pub(crate) fn postgres() -> Place {
            let db = mamori_testkit::postgres::database();
            Place {
                location: PathBuf::from(&db.url),
                name: "PostgreSQL",
                _dir: None,
                _pg: Some(db),
            }
        }

        /// A connection to the store (each call a new one).
        pub(crate) fn open(&self) -> Store {
            Store::open(&self.location)
                .unwrap_or_else(|e| panic!("open the {} store: {e}", self.name))
        }
    }

    /// Runs `test` on a new SQLite store, then on a new PostgreSQL store.
    pub(crate) fn both(test: impl Fn(&Place)) {
        for place in [Place::sqlite(), Place::postgres()] {
            eprintln!("-- on {}", place.name);
            test(&place);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mamori_model::{AssetKind, Location, Severity};

    fn result(ids: &[&str], finding_on: &[&str]) -> ScanResult {
        ScanResult {
            targets: vec!["/t".into()],
            assets: ids
                .iter()
                .map(|i| CryptoAsset::new(AssetKind::Algorithm, *i, *i))
                .collect(),
            findings: finding_on
                .iter()
                .map(|i| Finding {
                    code: "crypto-broken-algorithm".into(),
                    severity: Severity::High,
                    asset_id: i.to_string(),
                    asset_name: i.to_string(),
                    location: Location::file("/t/x").with_line(1),
                    message: "m".into(),
                    remediation: "r".into(),
                    other_locations: 0,
                    args: Default::default(),
                    system: None,
                    package: None,
                })
                .collect(),
            warnings: vec![Warning::new("/t/bad", "truncated")],
            files: 3,
            bytes: 10,
            ..Default::default()
        }
    }

    #[test]
    fn a_large_run_is_stored_whole_and_in_order() {
        crate::testdb::both(|place| {
            let mut s = place.open();
            // More rows than one batched statement holds, and a finding twice (kept once).
            let ids: Vec<String> = (0..2_345).map(|i| format!("alg:A{i:05}")).collect();
            let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
            let mut on: Vec<&str> = refs[..1_500].to_vec();
            on.push(refs[7]);
            let run = s.save_run(&result(&refs, &on), "t0").unwrap();
            let info = &s.runs().unwrap()[0];
            assert_eq!(
                (info.assets, info.findings, info.warnings),
                (2_345, 1_500, 1)
            );
            let back = s.load_run(run).unwrap();
            let got: Vec<&str> = back.assets.iter().map(|a| a.id.as_str()).collect();
            assert_eq!(got, refs);
            assert_eq!(back.findings.len(), 1_500);
            let tracked = s.tracked(&TrackedFilter::default()).unwrap();
            assert_eq!(tracked.len(), 1_500);
            // Each new item has its one "new" event.
            let (_, events) = s.tracked_one(tracked[1_234].id).unwrap();
            assert_eq!(events.len(), 1);
            assert_eq!(events[0].to, Some(lifecycle::Status::New));
        });
    }

    /// A run with MD5 in the user's `/t/app/x.py` and, at `line`, in a file the package
    /// `libpython3.11-stdlib` at `version` owns; the package's finding as mamori-assess
    /// makes it (no line).
    fn packaged(version: &str, line: u32) -> ScanResult {
        let pkg = mamori_model::PackageRef {
            name: "libpython3.11-stdlib".into(),
            version: version.into(),
            purl: format!("pkg:deb/debian/libpython3.11-stdlib@{version}?arch=amd64"),
            root: "/t".into(),
        };
        let lib = Location::file("/t/usr/lib/python3.11/hashlib.py");
        let mut md5 = CryptoAsset::new(AssetKind::Algorithm, "alg:MD5", "MD5");
        md5.occurrences = vec![
            mamori_model::Occurrence {
                location: Location::file("/t/app/x.py").with_line(3),
                detector: "source.python".into(),
                context: None,
                package: None,
            },
            mamori_model::Occurrence {
                location: lib.clone().with_line(line),
                detector: "source.python".into(),
                context: None,
                package: Some(Box::new(pkg.clone())),
            },
        ];
        let mut r = result(&[], &["alg:MD5"]);
        r.assets = vec![md5];
        r.findings[0].location = Location::file("/t/app/x.py").with_line(3);
        let mut f = r.findings[0].clone();
        f.code = "package-crypto-broken-algorithm".into();
        f.severity = Severity::Low;
        f.location = lib;
        f.package = Some(pkg);
        r.findings.push(f);
        r
    }

    #[test]
    fn package_owners_are_stored_and_a_package_finding_is_followed_across_an_upgrade() {
        crate::testdb::both(|place| {
            let mut s = place.open();
            s.save_run(&packaged("3.11.2-6", 80), "2026-11-01T00:00:00Z")
                .unwrap();
            // The upgrade moves the call.
            let run = s
                .save_run(&packaged("3.11.2-6+deb12u1", 83), "2026-11-08T00:00:00Z")
                .unwrap();
            let back = s.load_run(run).unwrap();
            let owner = back.assets[0].occurrences[1].package.as_deref().unwrap();
            assert_eq!(
                (owner.name.as_str(), owner.version.as_str()),
                ("libpython3.11-stdlib", "3.11.2-6+deb12u1")
            );
            assert!(back.assets[0].occurrences[0].package.is_none());
            let f = back.findings.iter().find(|f| f.package.is_some()).unwrap();
            assert_eq!(f.package.as_ref().unwrap().version, "3.11.2-6+deb12u1");
            let t = s.tracked(&TrackedFilter::default()).unwrap();
            let mut got: Vec<(&str, lifecycle::Status)> =
                t.iter().map(|t| (t.title.as_str(), t.status)).collect();
            got.sort_by_key(|g| g.0);
            assert_eq!(
                got,
                [
                    ("crypto-broken-algorithm alg:MD5", lifecycle::Status::Open),
                    (
                        "package-crypto-broken-algorithm alg:MD5 (libpython3.11-stdlib)",
                        lifecycle::Status::Open
                    ),
                ]
            );
        });
    }

    #[test]
    fn a_name_with_a_nul_character_is_stored_and_transactions_do_not_nest() {
        crate::testdb::both(|place| {
            let mut s = place.open();
            // A certificate's CN may hide a NUL (the null-prefix attack); PostgreSQL's text
            // cannot hold one, so it is kept as U+FFFD there and the run is stored.
            let mut r = result(&["cert:www.bank.example\0.evil.example"], &[]);
            r.findings = result(&[], &["cert:www.bank.example\0.evil.example"]).findings;
            r.findings[0].asset_name = "www.bank.example\0.evil.example".into();
            let run = s.save_run(&r, "t0").unwrap();
            let back = s.load_run(run).unwrap();
            // The asset itself round-trips exactly (its JSON escapes the NUL).
            assert_eq!(back.assets[0].id, "cert:www.bank.example\0.evil.example");
            let t = &s.tracked(&TrackedFilter::default()).unwrap()[0];
            let title = if place.name == "SQLite" {
                "crypto-broken-algorithm www.bank.example\0.evil.example"
            } else {
                "crypto-broken-algorithm www.bank.example\u{FFFD}.evil.example"
            };
            assert_eq!(t.title, title);
            // A transaction inside another is refused, and the outer one still works.
            let tx = s.db.begin_write().unwrap();
            assert!(tx.begin_write().is_err());
            tx.exec("UPDATE tracked SET assignee = 'x'", vals![])
                .unwrap();
            tx.commit().unwrap();
            assert!(s.db.begin_write().is_ok());
        });
    }

    #[test]
    fn findings_are_followed_across_runs_with_an_append_only_history() {
        use lifecycle::{Act, Status};
        crate::testdb::both(|place| {
            let mut s = place.open();
            s.save_run(&result(&["alg:MD5"], &["alg:MD5"]), "2026-11-01T00:00:00Z")
                .unwrap();
            let all = s.tracked(&TrackedFilter::default()).unwrap();
            assert_eq!(all.len(), 1);
            let id = all[0].id;
            assert_eq!(all[0].status, Status::New);
            assert_eq!(all[0].due.as_deref(), Some("2026-12-01")); // high: 30 days
            assert_eq!(all[0].scope, "/t");
            let t = s.act(id, &Act::Acknowledge, "aiko", Some("on it")).unwrap();
            assert_eq!(t.status, Status::Acknowledged);
            // A run of something else does not fix it.
            let mut other = result(&[], &[]);
            other.targets = vec!["/elsewhere".into()];
            s.save_run(&other, "2026-11-02T00:00:00Z").unwrap();
            assert_eq!(s.tracked_one(id).unwrap().0.status, Status::Acknowledged);
            // A run of the same target without it: fixed; with it again: reopened.
            s.save_run(&result(&[], &[]), "2026-11-03T00:00:00Z")
                .unwrap();
            let (t, _) = s.tracked_one(id).unwrap();
            assert_eq!((t.status, t.fixed_run), (Status::Fixed, Some(3)));
            assert!(matches!(
                s.act(id, &Act::Acknowledge, "aiko", None),
                Err(StoreError::Act(_))
            ));
            s.save_run(&result(&["alg:MD5"], &["alg:MD5"]), "2026-11-04T00:00:00Z")
                .unwrap();
            let (t, events) = s.tracked_one(id).unwrap();
            assert_eq!(t.status, Status::Reopened);
            let actions: Vec<(&str, &str)> = events
                .iter()
                .map(|e| (e.action.as_str(), e.actor.as_str()))
                .collect();
            assert_eq!(
                actions,
                [
                    ("created", "mamori"),
                    ("acknowledged", "aiko"),
                    ("fixed", "mamori"),
                    ("reopened", "mamori")
                ]
            );
            assert_eq!(events[1].detail.as_deref(), Some("on it"));
            // The history cannot be rewritten, even with SQL.
            for sql in ["UPDATE events SET actor = 'x'", "DELETE FROM events"] {
                let e = s.db.exec(sql, vals![]).unwrap_err().to_string();
                assert!(e.contains("append-only"), "{e}");
            }
            let open = s
                .tracked(&TrackedFilter {
                    statuses: vec![Status::Fixed],
                    ..Default::default()
                })
                .unwrap();
            assert!(open.is_empty());
            assert!(matches!(s.tracked_one(99), Err(StoreError::NoTracked(99))));
        });
    }

    #[test]
    fn users_log_in_with_passwords_and_tokens_and_see_their_systems() {
        use users::{Grant, Role, UserError};
        crate::testdb::both(|place| {
            let mut s = place.open();
            let admin = s
                .add_user(
                    "root",
                    "a long enough secret",
                    &[Grant {
                        role: Role::Admin,
                        system: None,
                    }],
                )
                .unwrap();
            assert!(admin.is_admin());
            let v = s
                .add_user(
                    "viewer-a",
                    "another long secret",
                    &[Grant {
                        role: Role::Viewer,
                        system: Some("a".into()),
                    }],
                )
                .unwrap();
            assert!(v.can_read(Some("a")) && !v.can_read(Some("b")));
            assert!(matches!(
                s.add_user("root", "a long enough secret", &[]),
                Err(StoreError::User(UserError::Exists(_)))
            ));
            assert!(matches!(
                s.add_user("x", "short", &[]),
                Err(StoreError::User(UserError::ShortPassword))
            ));
            assert_eq!(
                s.login("root", "a long enough secret").unwrap(),
                Some(admin)
            );
            assert_eq!(s.login("root", "a long enough secreT").unwrap(), None);
            assert_eq!(s.login("nobody", "a long enough secret").unwrap(), None);
            // Passwords are stored only as Argon2id hashes.
            let stored: String =
                s.db.one(
                    "SELECT password FROM users WHERE name = 'root'",
                    vals![],
                    |r| r.get(0),
                )
                .unwrap();
            assert!(stored.starts_with("$argon2id$") && !stored.contains("secret"));
            let token = s.add_token("viewer-a", "ci", None).unwrap().token;
            assert_eq!(s.user_by_token(&token).unwrap().unwrap().name, "viewer-a");
            assert_eq!(s.user_by_token("mamori_00").unwrap(), None);
            s.remove_user("viewer-a").unwrap();
            assert_eq!(s.user_by_token(&token).unwrap(), None);
            assert_eq!(s.users().unwrap().len(), 1);
            assert!(matches!(
                s.remove_user("viewer-a"),
                Err(StoreError::User(UserError::NoUser(_)))
            ));
        });
    }

    #[test]
    fn upgrading_a_store_replays_its_runs_into_the_lifecycle() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        {
            // A store as schema 3 left it, with two runs: MD5 found, then gone.
            let conn = rusqlite::Connection::open(&path).unwrap();
            for m in &migrations::MIGRATIONS[..3] {
                conn.execute_batch(m.sqlite).unwrap();
            }
            conn.pragma_update(None, "user_version", 3).unwrap();
            let f = &result(&["alg:MD5"], &["alg:MD5"]).findings[0];
            for (run, at) in [(1, "2026-10-01T00:00:00Z"), (2, "2026-10-02T00:00:00Z")] {
                conn.execute(
                    "INSERT INTO runs (id, started, finished, targets, files, bytes) VALUES (?1, ?2, ?2, '[\"/t\"]', 0, 0)",
                    rusqlite::params![run, at],
                )
                .unwrap();
            }
            conn.execute(
                "INSERT INTO findings (run_id, key, code, severity, asset_id, data) VALUES (1, ?1, ?2, 'high', 'alg:MD5', ?3)",
                rusqlite::params![f.key(), f.code, serde_json::to_string(f).unwrap()],
            )
            .unwrap();
        }
        let s = Store::open(&path).unwrap();
        let all = s.tracked(&TrackedFilter::default()).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(
            (all[0].status, all[0].first_run, all[0].fixed_run),
            (lifecycle::Status::Fixed, 1, Some(2))
        );
        let (_, events) = s.tracked_one(all[0].id).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].at, "2026-10-01T00:00:00Z");
    }

    #[test]
    fn runs_round_trip_and_diff() {
        crate::testdb::both(|place| {
            let mut s = place.open();
            let r1 = s
                .save_run(&result(&["alg:MD5", "alg:AES-256"], &["alg:MD5"]), "t0")
                .unwrap();
            let r2 = s
                .save_run(&result(&["alg:AES-256", "alg:ML-KEM-768"], &[]), "t1")
                .unwrap();
            let runs = s.runs().unwrap();
            assert_eq!(runs.len(), 2);
            assert_eq!(
                (runs[0].assets, runs[0].findings, runs[0].warnings),
                (2, 1, 1)
            );
            let back = s.load_run(r1).unwrap();
            assert_eq!(back.assets.len(), 2);
            assert_eq!(back.findings[0].asset_id, "alg:MD5");
            let d = s.diff(r1, r2).unwrap();
            assert_eq!(d.assets_added.len(), 1);
            assert_eq!(d.assets_added[0].id, "alg:ML-KEM-768");
            assert_eq!(d.assets_removed[0].id, "alg:MD5");
            assert_eq!(d.findings_removed.len(), 1);
            assert!(d.findings_added.is_empty());
            assert!(matches!(s.diff(r1, 99), Err(StoreError::NoRun(99))));
            // Reopening keeps everything.
            drop(s);
            let s = place.open();
            assert_eq!(s.latest_run().unwrap(), Some(r2));
        });
    }

    fn vuln(id: &str, purl: &str, sev: Option<Severity>, vex: bool) -> Vulnerability {
        Vulnerability {
            system: None,
            systems: Vec::new(),
            id: id.into(),
            aliases: vec![],
            summary: String::new(),
            severity: sev,
            cvss: None,
            component: purl.into(),
            component_name: "time".into(),
            component_version: "0.1.43".into(),
            fixed: Some("0.2.23".into()),
            location: Location::file("/p/Cargo.lock"),
            suppressed: vex.then(|| mamori_model::VexStatus {
                status: "not_affected".into(),
                justification: Some("vulnerable_code_not_in_execute_path".into()),
                source: "vex.json".into(),
            }),
        }
    }

    #[test]
    fn components_and_vulnerabilities_round_trip_and_diff() {
        crate::testdb::both(|place| {
            let mut s = place.open();
            let time = "pkg:cargo/time@0.1.43";
            let serde = "pkg:cargo/serde@1.0.200";
            let mut a = result(&[], &[]);
            // Sorted by purl, as scans produce them.
            a.components = vec![
                Component::new(serde, "serde", Some("1.0.200".into()), "crates.io"),
                Component::new(time, "time", Some("0.1.43".into()), "crates.io"),
            ];
            a.vulnerabilities = vec![
                vuln("RUSTSEC-2020-0071", time, Some(Severity::Medium), false),
                vuln("RUSTSEC-2020-0159", time, None, true),
            ];
            let r1 = s.save_run(&a, "t0").unwrap();
            let mut b = result(&[], &[]);
            b.components = vec![Component::new(
                serde,
                "serde",
                Some("1.0.200".into()),
                "crates.io",
            )];
            let r2 = s.save_run(&b, "t1").unwrap();
            let runs = s.runs().unwrap();
            // The VEX-suppressed vulnerability is stored but not counted.
            assert_eq!((runs[0].components, runs[0].vulnerabilities), (2, 1));
            let back = s.load_run(r1).unwrap();
            assert_eq!(back.components, a.components);
            assert_eq!(back.vulnerabilities.len(), 2);
            assert_eq!(back.vulnerabilities[0].id, "RUSTSEC-2020-0071");
            assert!(back.vulnerabilities[1].suppressed.is_some());
            let d = s.diff(r1, r2).unwrap();
            assert_eq!(d.components_removed.len(), 1);
            assert_eq!(d.components_removed[0].purl, time);
            assert!(d.components_added.is_empty());
            // Only the active vulnerability counts as fixed.
            assert_eq!(d.vulnerabilities_removed.len(), 1);
            assert_eq!(d.vulnerabilities_removed[0].id, "RUSTSEC-2020-0071");
        });
    }

    #[test]
    fn a_version_1_store_is_upgraded_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("old.db");
        {
            let c = rusqlite::Connection::open(&p).unwrap();
            c.execute_batch(migrations::MIGRATIONS[0].sqlite).unwrap();
            c.pragma_update(None, "user_version", 1).unwrap();
            c.execute(
                "INSERT INTO runs (started, finished, targets, files, bytes) VALUES ('a','b','[]',1,2)",
                [],
            )
            .unwrap();
        }
        let s = Store::open(&p).unwrap();
        let r = s.load_run(1).unwrap();
        assert!(r.components.is_empty());
        assert_eq!(s.runs().unwrap()[0].components, 0);
    }

    #[test]
    fn not_a_database_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("junk.db");
        std::fs::write(
            &p,
            b"this is not sqlite, just text long enough to fill a header......",
        )
        .unwrap();
        let e = Store::open(&p).err().expect("must fail");
        assert!(e.to_string().contains("junk.db"), "{e}");
    }

    #[test]
    fn database_urls_are_shown_without_their_passwords() {
        for (url, shown) in [
            (
                "postgres://mamori:s3c/r?t#x@db.example:5432/m?sslmode=disable",
                "postgres://mamori:***@db.example:5432/m?sslmode=disable",
            ),
            ("postgresql://u@h/db", "postgresql://u@h/db"),
            (
                "postgres://h/db?user=u&password=pw&x=1",
                "postgres://h/db?user=u&password=***&x=1",
            ),
            ("postgres://h", "postgres://h"),
        ] {
            assert_eq!(redact_url(url), shown);
            assert!(store_exists(Path::new(url)));
            assert_eq!(shown_path(url), shown);
        }
        assert!(!is_postgres_url("/var/lib/mamori/postgres.db"));
        assert!(!store_exists(Path::new("/nonexistent/m.db")));
    }

    fn shown_path(url: &str) -> String {
        shown(Path::new(url))
    }

    #[test]
    fn a_postgresql_store_of_a_newer_mamori_is_refused_and_an_older_one_reopens() {
        let place = testdb::Place::postgres();
        let s = place.open();
        s.db.exec("UPDATE mamori_schema SET version = 99", vals![])
            .unwrap();
        drop(s);
        let e = Store::open(&place.location).err().expect("must fail");
        assert!(matches!(e, StoreError::TooNew { found: 99, .. }), "{e}");
        assert!(e.to_string().contains("upgrade mamori"), "{e}");
        // One runner, one list: versions follow each other, and every one since
        // PostgreSQL stores began has its PostgreSQL text.
        for (i, m) in migrations::MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1);
            assert_eq!(
                m.postgres.is_some(),
                m.version > migrations::PG_BASE_VERSION,
                "version {}",
                m.version
            );
        }
    }

    /// Each table's columns and indexes, by name: (table, "column …" or "index …").
    fn schema_of(s: &Store) -> std::collections::BTreeSet<(String, String)> {
        let pair = |r: &Row<'_>| Ok::<_, DbError>((r.get::<String>(0)?, r.get::<String>(1)?));
        let mut out: std::collections::BTreeSet<(String, String)> = if s.db.pg() {
            let mut c = s
                .db
                .all(
                    "SELECT table_name, 'column ' || column_name FROM information_schema.columns WHERE table_schema = current_schema()",
                    vals![],
                    pair,
                )
                .unwrap();
            c.extend(
                s.db.all(
                    "SELECT tablename, 'index ' || indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'",
                    vals![],
                    pair,
                )
                .unwrap(),
            );
            c.into_iter().collect()
        } else {
            s.db.all(
                "SELECT m.name, 'column ' || c.name FROM sqlite_master m JOIN pragma_table_xinfo(m.name) c WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite%'
                 UNION ALL SELECT tbl_name, 'index ' || name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
                vals![],
                pair,
            )
            .unwrap()
            .into_iter()
            .collect()
        };
        // What only one of them has: PostgreSQL's version table, and its own key for
        // the tables SQLite orders by a hidden rowid.
        out.retain(|(t, c)| t != "mamori_schema" && c != "column rowid");
        out
    }

    #[test]
    fn both_databases_have_the_same_tables_and_columns() {
        let lite = testdb::Place::sqlite();
        let pg = testdb::Place::postgres();
        // Indexes differ on purpose (PostgreSQL's tables keyed by their own rowid need
        // one on run_id; SQLite finds those rows by its primary key).
        let columns = |s: &Store| {
            let mut c = schema_of(s);
            c.retain(|(_, c)| c.starts_with("column "));
            c
        };
        let (a, b) = (columns(&lite.open()), columns(&pg.open()));
        assert!(a
            .iter()
            .any(|(t, c)| t == "tokens" && c == "column last_used"));
        assert_eq!(
            a.difference(&b).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "only in SQLite"
        );
        assert_eq!(
            b.difference(&a).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "only in PostgreSQL"
        );
    }

    #[test]
    fn a_postgresql_store_of_version_6_is_upgraded_and_keeps_its_tokens() {
        let place = testdb::Place::postgres();
        let fresh = schema_of(&place.open());
        let token = {
            // The store as version 6 made it: tokens without an end or a last use.
            let mut s = place.open();
            s.add_user("aiko", "a long enough secret", &[]).unwrap();
            let t = s.add_token("aiko", "ci", None).unwrap().token;
            s.db.batch(
                "DROP INDEX tokens_user; DROP INDEX sessions_user;
                 ALTER TABLE tokens DROP COLUMN expires; ALTER TABLE tokens DROP COLUMN last_used;
                 UPDATE mamori_schema SET version = 6",
            )
            .unwrap();
            t
        };
        let s = place.open();
        let version: i64 =
            s.db.one("SELECT version FROM mamori_schema", vals![], |r| r.get(0))
                .unwrap();
        assert_eq!(version, migrations::newest());
        assert_eq!(schema_of(&s), fresh);
        // A token made before expiry existed never ends.
        assert_eq!(s.user_by_token(&token).unwrap().unwrap().name, "aiko");
        assert_eq!(s.tokens_of("aiko").unwrap()[0].expires, None);
        // Opened again: nothing to do.
        drop(s);
        place.open();
        // Older than PostgreSQL stores ever were: refused.
        place
            .open()
            .db
            .exec("UPDATE mamori_schema SET version = 5", vals![])
            .unwrap();
        let e = Store::open(&place.location).err().expect("must fail");
        assert!(matches!(e, StoreError::TooOld { found: 5, .. }), "{e}");
    }

    #[test]
    fn an_sqlite_store_of_version_6_is_upgraded_and_keeps_its_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.db");
        let token = {
            let conn = rusqlite::Connection::open(&path).unwrap();
            for m in &migrations::MIGRATIONS[..6] {
                conn.execute_batch(m.sqlite).unwrap();
            }
            conn.pragma_update(None, "user_version", 6).unwrap();
            let (token, digest) = users::new_token();
            conn.execute_batch(&format!(
                "INSERT INTO users (id, name, password, created) VALUES (1, 'aiko', 'x', '2026-01-01T00:00:00Z');
                 INSERT INTO tokens (user_id, label, digest, created) VALUES (1, 'ci', '{digest}', '2026-01-01T00:00:00Z');"
            ))
            .unwrap();
            token
        };
        let s = Store::open(&path).unwrap();
        let fresh = testdb::Place::sqlite();
        assert_eq!(schema_of(&s), schema_of(&fresh.open()));
        assert_eq!(s.user_by_token(&token).unwrap().unwrap().name, "aiko");
        let list = s.tokens_of("aiko").unwrap();
        assert_eq!(
            (list[0].expires.as_deref(), list[0].last_used.as_deref()),
            (None, None)
        );
    }

    #[test]
    fn a_postgresql_store_over_tls_checks_the_servers_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let ssl = |args: &[&str]| mamori_testkit::openssl(d, args);
        ssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=mamori test CA",
        ]);
        ssl(&[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ]);
        std::fs::write(d.join("ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n").unwrap();
        ssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext",
        ]);
        let pg = mamori_testkit::postgres::Postgres::start_tls(
            &d.join("server.pem"),
            &d.join("server.key"),
        );
        let ca = d.join("ca.pem");
        let url = format!(
            "{}&sslmode=verify-full&sslrootcert={}",
            pg.url,
            ca.display()
        );
        let s = Store::open(Path::new(&url)).unwrap_or_else(|e| panic!("{e}\n{}", pg.log()));
        // Whether the store's own connection is encrypted, as the server sees it.
        let encrypted = |s: &Store| -> bool {
            s.db.one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                vals![],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert!(encrypted(&s));
        // Without the CA that signed it, the certificate is refused, and the message says
        // so (the system's CAs do not know a private CA).
        let e = Store::open(Path::new(&format!("{}&sslmode=require", pg.url)))
            .err()
            .expect("must fail");
        assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");
        // A CA file that is not one is named.
        std::fs::write(d.join("junk.pem"), "not a certificate").unwrap();
        let e = Store::open(Path::new(&format!(
            "{}&sslmode=verify-full&sslrootcert={}",
            pg.url,
            d.join("junk.pem").display()
        )))
        .err()
        .expect("must fail");
        assert!(e.to_string().contains("junk.pem"), "{e}");
        // Plain, when not asked for.
        let plain = Store::open(Path::new(&pg.url)).unwrap();
        assert!(!encrypted(&plain));
    }

    #[test]
    fn formats_unix_times() {
        assert_eq!(format_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_unix(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(format_unix(951_782_400), "2000-02-29T00:00:00Z");
    }
}
