//! The local OSV vulnerability database: an SQLite file, separate from the
//! run store.
//!
//! ```no_run
//! use mamori_vuln::db::VulnDb;
//! # fn main() -> Result<(), mamori_vuln::db::VulnDbError> {
//! let mut db = VulnDb::open("vulndb.sqlite".as_ref())?;
//! let report = db.import(&["osv/crates.io/all.zip".into(), "osv/PyPI/".into()])?;
//! println!("{} added, {} updated, {} unchanged", report.added, report.updated, report.unchanged);
//! let (vulns, warnings) = db.query_purl("pkg:cargo/smallvec@1.6.0")?;
//! # Ok(()) }
//! ```
//!
//! # Schema (`PRAGMA user_version` = 1)
//!
//! ```sql
//! meta(key TEXT PRIMARY KEY, value TEXT)      -- 'last_import' (RFC 3339 UTC)
//! sources(id INTEGER PRIMARY KEY, path, kind, -- one row per import input:
//!         imported_at, entries, added,        --   kind 'zip' | 'dir' | 'json'
//!         updated, unchanged, skipped)
//! advisories(id TEXT PRIMARY KEY,
//!         modified TEXT, modified_ns INTEGER, -- as written; Unix ns when RFC 3339
//!         published TEXT, withdrawn TEXT,
//!         summary TEXT, aliases TEXT,         -- aliases: JSON array
//!         severity TEXT, cvss_version TEXT,   -- advisory-level rating, cached
//!         cvss_vector TEXT, cvss_score REAL,
//!         sha256 BLOB,                        -- of the record's bytes: change detection
//!         raw BLOB,                           -- the record, deflate-compressed
//!         source_id INTEGER)
//! affected(advisory_id TEXT,                  -- one row per affected[] entry with a package
//!         ecosystem TEXT, name TEXT,          -- as the advisory writes them
//!         key_name TEXT,                      -- lookup name: PEP 503-normalized for PyPI
//!         spec TEXT,                          -- eval::CompiledAffected as JSON (sorted events)
//!         severity TEXT, cvss_version TEXT,   -- rating for this package (its own severity
//!         cvss_vector TEXT, cvss_score REAL)  --   overrides the advisory's)
//! INDEX affected(ecosystem, key_name); INDEX affected(advisory_id)
//! ```
//!
//! The raw record is kept so a future `show` command can print details and
//! references ([`VulnDb::advisory`]); matching never reads it. It is
//! deflated (level 6): measured on the osv.dev dumps of crates.io, Go and
//! PyPI (8,158 records, 17.9 MB of JSON) the records take 6.1 MB and the
//! database 13.6 MB, against 30.6 MB stored uncompressed (level 1: 8.0 MB,
//! 16.1 MB), for the same import time within noise.
//!
//! # Matching
//!
//! A component is looked up by [`Component::match_ecosystem`] (the distro
//! release for OS packages) and [`Component::match_name`]; advisories filed
//! under the bare ecosystem (`Debian`) also apply to a release-scoped one
//! (`Debian:12`), as the OSV schema says. Each affected entry is evaluated
//! with [`crate::eval`]; withdrawn advisories are never returned.

use crate::eval::{CompiledAffected, EvalError, PackageIndex};
use crate::osv::{self, Advisory, Rating};
use crate::version::{compare, Ecosystem};
use mamori_model::ecosystem::{pep503, EcosystemError};
use mamori_model::{Component, Cvss, Location, Severity, Vulnerability, Warning};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Largest advisory record read (a zip entry or a JSON file).
const MAX_RECORD: u64 = 64 << 20;

/// Schema version, in `PRAGMA user_version`.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources(
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    kind TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    entries INTEGER NOT NULL DEFAULT 0,
    added INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS advisories(
    id TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    modified_ns INTEGER,
    published TEXT,
    withdrawn TEXT,
    summary TEXT NOT NULL,
    aliases TEXT NOT NULL,
    severity TEXT,
    cvss_version TEXT,
    cvss_vector TEXT,
    cvss_score REAL,
    sha256 BLOB NOT NULL,
    raw BLOB NOT NULL,
    source_id INTEGER
);
CREATE TABLE IF NOT EXISTS affected(
    advisory_id TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    key_name TEXT NOT NULL,
    spec TEXT NOT NULL,
    severity TEXT,
    cvss_version TEXT,
    cvss_vector TEXT,
    cvss_score REAL
);
CREATE INDEX IF NOT EXISTS affected_pkg ON affected(ecosystem, key_name);
CREATE INDEX IF NOT EXISTS affected_adv ON affected(advisory_id);
";

/// What went wrong with the database as a whole. Problems with single
/// advisories are [`Warning`]s in the [`ImportReport`] instead.
#[derive(Debug, thiserror::Error)]
pub enum VulnDbError {
    /// SQLite failed.
    #[error("vulnerability database: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A zip archive could not be read.
    #[error("{path}: not a readable zip archive: {message}")]
    Zip {
        /// The archive.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// `open_existing` on a path with no database.
    #[error("{0}: no vulnerability database here (import OSV data first)")]
    Missing(PathBuf),
    /// The file is a database of another schema version.
    #[error("{path}: vulnerability database schema {found}, this mamori reads {expected}")]
    Schema {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: i64,
        /// Ours.
        expected: i64,
    },
    /// A purl could not be turned into a query.
    #[error("{purl}: {message}")]
    Purl {
        /// The purl as given.
        purl: String,
        /// What is wrong.
        message: String,
    },
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    /// New advisories.
    pub added: usize,
    /// Advisories whose record changed (and is not older than the stored one).
    pub updated: usize,
    /// Advisories already stored with the same content.
    pub unchanged: usize,
    /// Records with a different content but an older `modified` than the
    /// stored one: the stored (newer) record is kept.
    pub older: usize,
    /// Records that could not be read (see `warnings`).
    pub skipped: usize,
    /// Problems with single records: unreadable JSON, unreadable range
    /// versions, oversized entries.
    pub warnings: Vec<Warning>,
    /// Records read per ecosystem (an advisory counts once in each
    /// ecosystem it has affected packages in).
    pub per_ecosystem: BTreeMap<String, usize>,
}

/// Status of one ecosystem in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcosystemStatus {
    /// OSV ecosystem name as the advisories write it.
    pub ecosystem: String,
    /// Advisories with an affected package in it (withdrawn included).
    pub advisories: usize,
    /// Distinct packages.
    pub packages: usize,
    /// Newest `modified` time among its advisories.
    pub newest_modified: Option<String>,
}

/// Status of the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbStatus {
    /// Per ecosystem, sorted by name.
    pub ecosystems: Vec<EcosystemStatus>,
    /// All advisories stored.
    pub advisories: usize,
    /// Of which withdrawn.
    pub withdrawn: usize,
    /// When the last import finished (RFC 3339 UTC).
    pub last_import: Option<String>,
}

/// The affected entries of one package, ready to evaluate.
struct Candidates {
    /// Ecosystem as the advisories write it.
    ecosystem: String,
    /// The entries' ranges, indexed.
    index: PackageIndex,
    /// Per entry (same order): its advisory and rating.
    meta: Vec<(Arc<AdvisoryInfo>, Option<Rating>)>,
}

struct AdvisoryInfo {
    id: String,
    summary: String,
    aliases: Vec<String>,
}

/// The local OSV database.
pub struct VulnDb {
    conn: Connection,
    /// Affected entries by (ecosystem, key name), filled as components are matched.
    cache: RefCell<HashMap<(String, String), Arc<Candidates>>>,
    /// Repository ecosystems of a release (`Red Hat:enterprise_linux:9::appstream`), by release.
    repos: RefCell<HashMap<String, Vec<String>>>,
}

impl std::fmt::Debug for VulnDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VulnDb")
            .field("path", &self.conn.path())
            .finish()
    }
}

impl VulnDb {
    /// Opens the database at `path`, creating the file and its tables if
    /// needed.
    pub fn open(path: &Path) -> Result<VulnDb, VulnDbError> {
        let conn = Connection::open(path)?;
        Self::setup(conn, path, true)
    }

    /// Opens an existing database; [`VulnDbError::Missing`] when there is
    /// none at `path` (or the file holds no vulnerability database).
    pub fn open_existing(path: &Path) -> Result<VulnDb, VulnDbError> {
        if !path.is_file() {
            return Err(VulnDbError::Missing(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        Self::setup(conn, path, false)
    }

    fn setup(conn: Connection, path: &Path, create: bool) -> Result<VulnDb, VulnDbError> {
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version == 0 {
            if !create {
                return Err(VulnDbError::Missing(path.to_path_buf()));
            }
            conn.execute_batch(SCHEMA)?;
            conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        } else if version != SCHEMA_VERSION {
            return Err(VulnDbError::Schema {
                path: path.to_path_buf(),
                found: version,
                expected: SCHEMA_VERSION,
            });
        }
        Ok(VulnDb {
            conn,
            cache: RefCell::new(HashMap::new()),
            repos: RefCell::new(HashMap::new()),
        })
    }

    /// Imports OSV data. Each input is an OSV `all.zip` (one JSON record per
    /// entry, as osv.dev publishes them), a directory (every `*.json` below
    /// it, recursively) or a single `.json` record.
    ///
    /// The whole import is one transaction: on an error (an input that
    /// cannot be read, a zip that is not one, SQLite failing) nothing
    /// changes. A record that cannot be read as OSV is skipped with a
    /// warning naming its id (when readable) and its file or zip entry.
    /// A record already stored with the same bytes is counted unchanged; a
    /// changed one replaces the stored one unless its `modified` time is
    /// older (then it is counted in [`ImportReport::older`]).
    pub fn import(&mut self, inputs: &[PathBuf]) -> Result<ImportReport, VulnDbError> {
        let mut report = ImportReport::default();
        let tx = self.conn.transaction()?;
        for input in inputs {
            import_input(&tx, input, &mut report)?;
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES('last_import', ?1)",
            [now_rfc3339()],
        )?;
        tx.commit()?;
        self.cache.borrow_mut().clear();
        Ok(report)
    }

    /// What the database holds.
    pub fn status(&self) -> Result<DbStatus, VulnDbError> {
        let mut stmt = self.conn.prepare(
            "SELECT f.ecosystem, COUNT(DISTINCT f.advisory_id), COUNT(DISTINCT f.key_name),
                    a.modified, MAX(COALESCE(a.modified_ns, 0))
             FROM affected f JOIN advisories a ON a.id = f.advisory_id
             GROUP BY f.ecosystem ORDER BY f.ecosystem",
        )?;
        let ecosystems = stmt
            .query_map([], |r| {
                Ok(EcosystemStatus {
                    ecosystem: r.get(0)?,
                    advisories: r.get::<_, i64>(1)?.try_into().unwrap_or(0),
                    packages: r.get::<_, i64>(2)?.try_into().unwrap_or(0),
                    newest_modified: r.get(3)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let (advisories, withdrawn): (i64, i64) = self.conn.query_row(
            "SELECT COUNT(*), COUNT(withdrawn) FROM advisories",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let last_import = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'last_import'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(DbStatus {
            ecosystems,
            advisories: advisories.try_into().unwrap_or(0),
            withdrawn: withdrawn.try_into().unwrap_or(0),
            last_import,
        })
    }

    /// The stored OSV record of an advisory, if any.
    pub fn advisory(&self, id: &str) -> Result<Option<Advisory>, VulnDbError> {
        let raw: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT raw FROM advisories WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(raw) = raw else { return Ok(None) };
        let mut json = Vec::new();
        flate2::read::DeflateDecoder::new(raw.as_slice())
            .take(MAX_RECORD)
            .read_to_end(&mut json)
            .map_err(|e| VulnDbError::Io {
                path: PathBuf::from(format!("advisory {id}")),
                source: e,
            })?;
        Ok(osv::parse(&json, id).ok())
    }

    /// The vulnerabilities of one component (see [`VulnDb::match_components`]).
    pub fn query(&self, component: &Component) -> (Vec<Vulnerability>, Vec<Warning>) {
        self.match_components(std::slice::from_ref(component))
    }

    /// The vulnerabilities of the package a purl names
    /// (`mamori vulndb query PURL`); see [`component_from_purl`].
    pub fn query_purl(
        &self,
        purl: &str,
    ) -> Result<(Vec<Vulnerability>, Vec<Warning>), VulnDbError> {
        let c = component_from_purl(purl).map_err(|e| VulnDbError::Purl {
            purl: purl.to_string(),
            message: match e {
                EcosystemError::Purl { error, .. } => error.to_string(),
                EcosystemError::NoEcosystem { .. } => {
                    "no OSV ecosystem mamori knows for this purl".to_string()
                }
            },
        })?;
        Ok(self.query(&c))
    }

    /// Matches components against the database.
    ///
    /// Components without an ecosystem or a version are skipped. A
    /// component is affected by an advisory when any of the advisory's
    /// entries for its package says so (OSV evaluation); one
    /// [`Vulnerability`] per advisory and component purl, with the nearest
    /// fixed version over the matching ranges. A version that cannot be
    /// compared gives no match and a warning naming the advisory and the
    /// version. Database errors become warnings too.
    pub fn match_components(&self, components: &[Component]) -> (Vec<Vulnerability>, Vec<Warning>) {
        let mut vulns = Vec::new();
        let mut warnings = Vec::new();
        // The same purl twice is the same package version: matched once
        // (its first occurrence is the location).
        let mut seen: HashSet<&str> = HashSet::with_capacity(components.len());
        for c in components {
            if seen.insert(c.purl.as_str()) {
                self.match_one(c, &mut vulns, &mut warnings);
            }
        }
        (vulns, warnings)
    }

    fn match_one(
        &self,
        c: &Component,
        vulns: &mut Vec<Vulnerability>,
        warnings: &mut Vec<Warning>,
    ) {
        let Some(version) = c.match_version().map(str::trim).filter(|v| !v.is_empty()) else {
            return;
        };
        let eco = c.match_ecosystem().trim();
        if eco.is_empty() {
            return;
        }
        let key = key_name(eco, c.match_name());
        let location = c
            .occurrences
            .first()
            .map(|o| o.location.clone())
            .unwrap_or_else(|| Location::file(c.purl.clone()));
        let mut ecos: Vec<String> = vec![eco.to_string()];
        // Red Hat files advisories per repository of a release
        // (`Red Hat:enterprise_linux:9::appstream`); an installed package does not record
        // the repository it came from, so every repository of its release applies.
        match self.repositories_of(eco) {
            Ok(repos) => ecos.extend(repos),
            Err(err) => warnings.push(Warning::new(location.path.clone(), err.to_string())),
        }
        if let Some((base, _)) = eco.split_once(':') {
            ecos.push(base.to_string());
        }
        // This component's findings start here.
        let start = vulns.len();
        for (pass, e) in ecos.into_iter().enumerate() {
            let candidates = match self.candidates(&e, &key) {
                Ok(c) => c,
                Err(err) => {
                    warnings.push(Warning::new(location.path.clone(), err.to_string()));
                    continue;
                }
            };
            let verdicts = candidates.index.evaluate_all(version);
            for ((advisory, rating), verdict) in candidates.meta.iter().zip(verdicts) {
                let id = &advisory.id;
                let verdict = match verdict {
                    Ok(v) => v,
                    Err(err) => {
                        let what = match &err {
                            EvalError::BadVersion { .. } => format!(
                                "advisory {id}: {} {}: {err}; not matched",
                                c.match_name(),
                                version
                            ),
                            EvalError::BadRange { .. } => format!(
                                "advisory {id}: {err} (for {} {version}); not matched",
                                c.match_name()
                            ),
                        };
                        warnings.push(Warning::new(location.path.clone(), what));
                        continue;
                    }
                };
                if !verdict.affected {
                    continue;
                }
                let mut verdict = verdict;
                if candidates.ecosystem == "Go" && version.starts_with('v') {
                    // Written the way the component writes its version.
                    verdict.fixed = verdict.fixed.map(|f| format!("v{f}"));
                }
                // Entries of one advisory are adjacent (ordered by id); in the
                // second pass (bare ecosystem) any earlier finding may match.
                let earlier = if pass == 0 {
                    vulns
                        .len()
                        .checked_sub(1)
                        .filter(|&i| i >= start && vulns.get(i).is_some_and(|v| v.id == *id))
                } else {
                    (start..vulns.len()).find(|&i| vulns.get(i).is_some_and(|v| v.id == *id))
                };
                if let Some(i) = earlier {
                    // Another entry of the same advisory: keep the nearest fix.
                    if let (Some(new), Some(v)) = (verdict.fixed, vulns.get_mut(i)) {
                        let scheme = Ecosystem::from_osv_name(&candidates.ecosystem)
                            .unwrap_or(Ecosystem::SemVer);
                        let closer = v.fixed.as_deref().is_none_or(|cur| {
                            compare(scheme, &new, cur) == Ok(std::cmp::Ordering::Less)
                        });
                        if closer {
                            v.fixed = Some(new);
                        }
                    }
                    continue;
                }
                vulns.push(Vulnerability {
                    system: None,
                    systems: Vec::new(),
                    id: id.clone(),
                    aliases: advisory.aliases.clone(),
                    summary: advisory.summary.clone(),
                    severity: rating.as_ref().map(|r| r.severity),
                    cvss: rating.as_ref().and_then(|r| r.cvss.clone()),
                    component: c.purl.clone(),
                    component_name: c.name.clone(),
                    component_version: c.version.clone().unwrap_or_else(|| version.to_string()),
                    fixed: verdict.fixed,
                    location: location.clone(),
                    suppressed: None,
                });
            }
        }
    }

    /// The stored ecosystems that are repositories of `release` (`<release>::<repo>`).
    fn repositories_of(&self, release: &str) -> Result<Vec<String>, VulnDbError> {
        if let Some(r) = self.repos.borrow().get(release) {
            return Ok(r.clone());
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT ecosystem FROM affected WHERE ecosystem > ?1 AND ecosystem < ?2",
        )?;
        // Everything that starts with `<release>::` (';' follows ':' in byte order).
        let from = format!("{release}::");
        let to = format!("{release}:;");
        let repos = stmt
            .query_map([&from, &to], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        self.repos
            .borrow_mut()
            .insert(release.to_string(), repos.clone());
        Ok(repos)
    }

    /// The affected entries of a package, from the cache or the database.
    fn candidates(&self, ecosystem: &str, key: &str) -> Result<Arc<Candidates>, VulnDbError> {
        let k = (ecosystem.to_string(), key.to_string());
        if let Some(c) = self.cache.borrow().get(&k) {
            return Ok(Arc::clone(c));
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.advisory_id, f.spec, f.severity, f.cvss_version,
                    f.cvss_vector, f.cvss_score, a.summary, a.aliases
             FROM affected f JOIN advisories a ON a.id = f.advisory_id
             WHERE f.ecosystem = ?1 AND f.key_name = ?2 AND a.withdrawn IS NULL
             ORDER BY f.advisory_id, f.rowid",
        )?;
        let mut rows = stmt.query(params![ecosystem, key])?;
        let mut specs = Vec::new();
        let mut meta = Vec::new();
        let mut last: Option<Arc<AdvisoryInfo>> = None;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let spec: String = r.get(1)?;
            let Ok(spec) = serde_json::from_str::<CompiledAffected>(&spec) else {
                continue;
            };
            let advisory = match &last {
                Some(a) if a.id == id => Arc::clone(a),
                _ => {
                    let aliases: String = r.get(7)?;
                    let a = Arc::new(AdvisoryInfo {
                        id,
                        summary: r.get(6)?,
                        aliases: serde_json::from_str(&aliases).unwrap_or_default(),
                    });
                    last = Some(Arc::clone(&a));
                    a
                }
            };
            specs.push(spec);
            meta.push((advisory, read_rating(r, 2)?));
        }
        let out = Arc::new(Candidates {
            ecosystem: ecosystem.to_string(),
            index: PackageIndex::new(ecosystem, specs),
            meta,
        });
        self.cache.borrow_mut().insert(k, Arc::clone(&out));
        Ok(out)
    }
}

/// Reads (severity, cvss_version, cvss_vector, cvss_score) starting at column `at`.
fn read_rating(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Option<Rating>> {
    let sev: Option<String> = r.get(at)?;
    let Some(severity) = sev.and_then(|s| s.parse::<Severity>().ok()) else {
        return Ok(None);
    };
    let version: Option<String> = r.get(at + 1)?;
    let vector: Option<String> = r.get(at + 2)?;
    let score: Option<f64> = r.get(at + 3)?;
    let cvss = match (version, vector, score) {
        (Some(version), Some(vector), Some(score)) => Some(Cvss {
            version,
            vector,
            score,
        }),
        _ => None,
    };
    Ok(Some(Rating { severity, cvss }))
}

/// The lookup name of a package: PEP 503-normalized for PyPI (lowercase,
/// runs of `-`, `_`, `.` become one `-`), as written elsewhere.
pub fn key_name(ecosystem: &str, name: &str) -> String {
    if ecosystem.split(':').next() == Some("PyPI") {
        pep503(name)
    } else {
        name.trim().to_string()
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Unix nanoseconds of an RFC 3339 time, if it is one.
fn timestamp_ns(s: &str) -> Option<i64> {
    let t = time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()?;
    i64::try_from(t.unix_timestamp_nanos()).ok()
}

/// Prepared statements of one import.
struct Importer<'t> {
    existing: rusqlite::CachedStatement<'t>,
    insert_adv: rusqlite::CachedStatement<'t>,
    delete_aff: rusqlite::CachedStatement<'t>,
    insert_aff: rusqlite::CachedStatement<'t>,
    source_id: i64,
    counts: [usize; 5],
    /// Reused compression buffer.
    buf: Vec<u8>,
}

impl<'t> Importer<'t> {
    fn new(tx: &'t Transaction<'_>, source_id: i64) -> Result<Self, VulnDbError> {
        Ok(Importer {
            existing: tx.prepare_cached(
                "SELECT sha256, modified, modified_ns FROM advisories WHERE id = ?1",
            )?,
            insert_adv: tx.prepare_cached(
                "INSERT OR REPLACE INTO advisories(id, modified, modified_ns, published, withdrawn,
                    summary, aliases, severity, cvss_version, cvss_vector, cvss_score, sha256, raw,
                    source_id)
                 VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?,
            delete_aff: tx.prepare_cached("DELETE FROM affected WHERE advisory_id = ?1")?,
            insert_aff: tx.prepare_cached(
                "INSERT INTO affected(advisory_id, ecosystem, name, key_name, spec, severity,
                    cvss_version, cvss_vector, cvss_score)
                 VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?,
            source_id,
            counts: [0; 5],
            buf: Vec::new(),
        })
    }

    /// One record. Only SQLite errors are fatal.
    fn add(
        &mut self,
        origin: &str,
        bytes: &[u8],
        report: &mut ImportReport,
    ) -> Result<(), VulnDbError> {
        self.counts[0] += 1;
        let adv = match osv::parse(bytes, origin) {
            Ok(a) => a,
            Err(e) => {
                report.skipped += 1;
                self.counts[4] += 1;
                report.warnings.push(Warning::new(origin, e.to_string()));
                return Ok(());
            }
        };
        let mut ecos: Vec<&str> = adv
            .affected
            .iter()
            .filter_map(|a| a.package.as_ref())
            .map(|p| p.ecosystem.as_str())
            .filter(|e| !e.is_empty())
            .collect();
        ecos.sort_unstable();
        ecos.dedup();
        for e in ecos {
            *report.per_ecosystem.entry(e.to_string()).or_default() += 1;
        }
        let sha: [u8; 32] = Sha256::digest(bytes).into();
        let modified_ns = timestamp_ns(&adv.modified);
        let old: Option<(Vec<u8>, String, Option<i64>)> = self
            .existing
            .query_row([&adv.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        if let Some((old_sha, old_modified, old_ns)) = &old {
            if old_sha.as_slice() == sha.as_slice() {
                report.unchanged += 1;
                self.counts[3] += 1;
                return Ok(());
            }
            let older = match (modified_ns, old_ns) {
                (Some(new), Some(old)) => new < *old,
                _ => adv.modified.as_str() < old_modified.as_str(),
            };
            if older {
                report.older += 1;
                self.counts[3] += 1;
                return Ok(());
            }
            self.delete_aff.execute([&adv.id])?;
        }
        self.buf.clear();
        let mut enc = flate2::write::DeflateEncoder::new(
            std::mem::take(&mut self.buf),
            flate2::Compression::default(),
        );
        let raw = enc
            .write_all(bytes)
            .and_then(|()| enc.finish())
            .map_err(|e| VulnDbError::Io {
                path: PathBuf::from(origin),
                source: e,
            })?;
        let top = adv.severity_for(None);
        let aliases = serde_json::to_string(&adv.aliases).unwrap_or_else(|_| "[]".to_string());
        let (sev, cv, cvec, cscore) = rating_columns(top.as_ref());
        self.insert_adv.execute(params![
            adv.id,
            adv.modified,
            modified_ns,
            adv.published,
            adv.withdrawn,
            adv.short_summary(),
            aliases,
            sev,
            cv,
            cvec,
            cscore,
            sha.as_slice(),
            raw,
            self.source_id
        ])?;
        self.buf = raw;
        for a in &adv.affected {
            let Some(pkg) = &a.package else { continue };
            let (eco, name) = (pkg.ecosystem.trim(), pkg.name.trim());
            if eco.is_empty() || name.is_empty() {
                continue;
            }
            let (spec, bad) = CompiledAffected::compile(eco, a);
            for v in bad {
                report.warnings.push(Warning::new(
                    origin,
                    format!(
                        "advisory {}: {eco} {name}: range version {v:?} cannot be read; that range is ignored",
                        adv.id
                    ),
                ));
            }
            let rating = adv.severity_for(Some(a));
            let (sev, cv, cvec, cscore) = rating_columns(rating.as_ref());
            let spec = serde_json::to_string(&spec).unwrap_or_else(|_| "{}".to_string());
            self.insert_aff.execute(params![
                adv.id,
                eco,
                name,
                key_name(eco, name),
                spec,
                sev,
                cv,
                cvec,
                cscore
            ])?;
        }
        if old.is_some() {
            report.updated += 1;
            self.counts[2] += 1;
        } else {
            report.added += 1;
            self.counts[1] += 1;
        }
        Ok(())
    }
}

type RatingColumns<'a> = (
    Option<&'static str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<f64>,
);

fn rating_columns(r: Option<&Rating>) -> RatingColumns<'_> {
    match r {
        None => (None, None, None, None),
        Some(r) => (
            Some(r.severity.as_str()),
            r.cvss.as_ref().map(|c| c.version.as_str()),
            r.cvss.as_ref().map(|c| c.vector.as_str()),
            r.cvss.as_ref().map(|c| c.score),
        ),
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> VulnDbError + '_ {
    move |source| VulnDbError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Imports one input inside the transaction.
fn import_input(
    tx: &Transaction<'_>,
    input: &Path,
    report: &mut ImportReport,
) -> Result<(), VulnDbError> {
    let meta = std::fs::metadata(input).map_err(io_err(input))?;
    let kind = if meta.is_dir() {
        "dir"
    } else if is_zip(input)? {
        "zip"
    } else {
        "json"
    };
    tx.execute(
        "INSERT INTO sources(path, kind, imported_at) VALUES(?1, ?2, ?3)",
        params![input.display().to_string(), kind, now_rfc3339()],
    )?;
    let source_id = tx.last_insert_rowid();
    let mut imp = Importer::new(tx, source_id)?;
    match kind {
        "dir" => {
            let mut files = Vec::new();
            collect_json(input, &mut files)?;
            files.sort();
            for f in files {
                read_file_record(&f, &mut imp, report)?;
            }
        }
        "zip" => import_zip(input, &mut imp, report)?,
        _ => read_file_record(input, &mut imp, report)?,
    }
    let [entries, added, updated, unchanged, skipped] = imp.counts.map(|n| n as i64);
    drop(imp);
    tx.execute(
        "UPDATE sources SET entries = ?1, added = ?2, updated = ?3, unchanged = ?4, skipped = ?5
         WHERE id = ?6",
        params![entries, added, updated, unchanged, skipped, source_id],
    )?;
    Ok(())
}

fn is_zip(path: &Path) -> Result<bool, VulnDbError> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        return Ok(true);
    }
    let mut head = [0u8; 4];
    let mut f = std::fs::File::open(path).map_err(io_err(path))?;
    let n = f.read(&mut head).map_err(io_err(path))?;
    Ok(n == 4 && (head == *b"PK\x03\x04" || head == *b"PK\x05\x06"))
}

/// Every `*.json` file below `dir` (symbolic links to directories are not
/// followed).
fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), VulnDbError> {
    for entry in std::fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        let path = entry.path();
        let ty = entry.file_type().map_err(io_err(&path))?;
        if ty.is_dir() {
            collect_json(&path, out)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            && (ty.is_file() || path.is_file())
        {
            out.push(path);
        }
    }
    Ok(())
}

fn read_file_record(
    path: &Path,
    imp: &mut Importer<'_>,
    report: &mut ImportReport,
) -> Result<(), VulnDbError> {
    let origin = path.display().to_string();
    let f = std::fs::File::open(path).map_err(io_err(path))?;
    let mut bytes = Vec::new();
    f.take(MAX_RECORD + 1)
        .read_to_end(&mut bytes)
        .map_err(io_err(path))?;
    if bytes.len() as u64 > MAX_RECORD {
        report.skipped += 1;
        imp.counts[4] += 1;
        report.warnings.push(Warning::new(
            origin,
            format!("larger than {MAX_RECORD} bytes; skipped"),
        ));
        return Ok(());
    }
    imp.add(&origin, &bytes, report)
}

fn import_zip(
    path: &Path,
    imp: &mut Importer<'_>,
    report: &mut ImportReport,
) -> Result<(), VulnDbError> {
    let zip_err = |e: zip::result::ZipError| VulnDbError::Zip {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let f = std::fs::File::open(path).map_err(io_err(path))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(f)).map_err(zip_err)?;
    let mut buf = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(zip_err)?;
        if entry.is_dir() {
            continue;
        }
        let name = entry
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(entry.name_raw()).into_owned());
        if !name.to_ascii_lowercase().ends_with(".json") {
            continue;
        }
        let origin = format!("{}!{}", path.display(), name);
        if entry.size() > MAX_RECORD {
            report.skipped += 1;
            imp.counts[4] += 1;
            report.warnings.push(Warning::new(
                origin,
                format!("larger than {MAX_RECORD} bytes; skipped"),
            ));
            continue;
        }
        buf.clear();
        (&mut entry)
            .take(MAX_RECORD + 1)
            .read_to_end(&mut buf)
            .map_err(|e| VulnDbError::Zip {
                path: path.to_path_buf(),
                message: format!("entry {name}: {e}"),
            })?;
        imp.add(&origin, &buf, report)?;
    }
    Ok(())
}

/// Turns a purl into the [`Component`] to match: ecosystem, name and
/// version as OSV advisories write them (the shared mapping of
/// [`mamori_model::ecosystem`]).
pub use mamori_model::ecosystem::component_from_purl;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_can_move_between_threads() {
        fn is_send<T: Send>() {}
        is_send::<VulnDb>();
    }

    #[test]
    fn key_names() {
        assert_eq!(
            key_name("PyPI", "Django_Rest.framework"),
            "django-rest-framework"
        );
        assert_eq!(key_name("PyPI", "a__-b"), "a-b");
        assert_eq!(key_name("npm", "Foo_Bar"), "Foo_Bar");
    }
}
