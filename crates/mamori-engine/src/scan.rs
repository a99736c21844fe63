//! One scan, from request to stored run: resolve the targets (named, or every system of
//! the register, or the due ones), collect from disks, images and network services at
//! once, merge, assess, attribute findings and vulnerabilities to systems, match
//! vulnerabilities, apply VEX, and store the run in one transaction.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use mamori_model::{ScanResult, ServiceLevels, Warning};
use mamori_plan::register::Register;

use crate::systems::{self, Owners};

pub use mamori_fs::{Only, Progress};

/// What to scan.
#[derive(Debug, Clone)]
pub enum Targets {
    /// Directories, files, image tarballs and network services named by the user
    /// (`tls://host:port`, bare `host:port`), and a file of network targets.
    Named {
        /// The targets as written.
        targets: Vec<String>,
        /// A file of network targets, one a line, each optionally followed by a system.
        targets_file: Option<PathBuf>,
    },
    /// The systems of the register: all of them, or those picked.
    Register {
        /// The register (default: `mamori.toml` in the working directory).
        config: Option<PathBuf>,
        /// Only these systems (empty: all).
        systems: Vec<String>,
        /// Only the systems whose schedule says they are due.
        due: bool,
    },
}

impl Default for Targets {
    fn default() -> Self {
        Targets::Register {
            config: None,
            systems: Vec::new(),
            due: false,
        }
    }
}

/// How network services are probed.
#[derive(Debug, Clone)]
pub struct NetRequest {
    /// Address ranges and hosts that may be probed (a scope file).
    pub scope: Option<PathBuf>,
    /// Only the post-quantum key exchange question.
    pub pq_only: bool,
    /// Connections open at once to one address.
    pub per_host: usize,
    /// New connections a second over the run.
    pub rate: Option<f64>,
    /// Seconds to wait for a connection or an answer.
    pub timeout: f64,
    /// Further attempts after a failed connection or a timeout.
    pub retries: u32,
    /// Print every probe connection to standard error.
    pub trace: bool,
}

impl Default for NetRequest {
    fn default() -> Self {
        NetRequest {
            scope: None,
            pq_only: false,
            per_host: 8,
            rate: None,
            timeout: 5.0,
            retries: 1,
            trace: false,
        }
    }
}

/// A scan, as the command line and the server's workers ask for it.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    /// What to scan.
    pub targets: Targets,
    /// How to probe network services.
    pub net: NetRequest,
    /// Paths to skip (gitignore syntax).
    pub excludes: Vec<String>,
    /// A file of passwords to try on PKCS#12 files and Java keystores.
    pub password_file: Option<PathBuf>,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// Which inventory: crypto, software or both.
    pub only: Only,
    /// The post-quantum migration deadline certificates are judged by.
    pub deadline_year: i32,
    /// VEX documents to apply.
    pub vex: Vec<PathBuf>,
    /// The vulnerability database (`None`: do not match).
    pub vulndb: Option<PathBuf>,
    /// The store the run is kept in (`None`: not kept).
    pub store: Option<PathBuf>,
    /// The store whose runs and jobs say which systems are due (with
    /// [`Targets::Register`]'s `due`); normally the same as `store`, and still read when
    /// the run is not kept.
    pub schedule_store: Option<PathBuf>,
    /// The scan job this scan carries out, with its worker.
    pub job: Option<(i64, String)>,
}

impl Default for ScanRequest {
    fn default() -> Self {
        ScanRequest {
            targets: Targets::default(),
            net: NetRequest::default(),
            excludes: Vec::new(),
            password_file: None,
            threads: 0,
            only: Only::Both,
            deadline_year: 2030,
            vex: Vec::new(),
            vulndb: None,
            store: None,
            schedule_store: None,
            job: None,
        }
    }
}

/// What a scan reports while it runs (besides the [`Progress`] counters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Targets resolved; collection starts.
    Collecting {
        /// Paths to walk.
        paths: usize,
        /// Network services to probe.
        services: usize,
    },
    /// Collection and assessment done; matching vulnerabilities.
    Matching,
    /// The run was stored.
    Stored {
        /// Its id.
        run: i64,
    },
}

/// How long the parts of a scan took.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    /// Collection, merging and assessment.
    pub collect: Duration,
    /// Vulnerability matching and VEX.
    pub matching: Duration,
    /// The whole scan, storing included.
    pub total: Duration,
}

/// What VEX did.
#[derive(Debug, Clone, Copy, Default)]
pub struct VexSummary {
    /// Statements read.
    pub statements: usize,
    /// Vulnerabilities suppressed.
    pub applied: usize,
    /// Statements that matched nothing.
    pub unmatched: usize,
}

/// A finished scan.
#[derive(Debug, Clone)]
pub struct ScanOutcome {
    /// What was found.
    pub result: ScanResult,
    /// The run it was stored as.
    pub run: Option<i64>,
    /// How long it took.
    pub timings: Timings,
    /// What VEX did.
    pub vex: VexSummary,
    /// Components were found but there was no vulnerability database to match them in
    /// (its path, for the report to say so).
    pub no_vulndb: Option<String>,
}

/// The register `config` names, or `mamori.toml` in the working directory.
pub fn find_register(config: Option<&Path>) -> Option<PathBuf> {
    config
        .map(Path::to_path_buf)
        .or_else(|| Register::find(Path::new(".")))
}

/// The vulnerability database for a scan: `None` (and the report says so) when there is none.
pub fn open_vulndb(path: &Path) -> Result<Option<mamori_vuln::db::VulnDb>> {
    match mamori_vuln::db::VulnDb::open_existing(path) {
        Ok(v) => Ok(Some(v)),
        Err(mamori_vuln::db::VulnDbError::Missing(_)) => Ok(None),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

/// Each system against its schedule and the runs (and scan jobs) in the store at `db`.
pub fn schedule_now(
    reg_path: &Path,
    reg: &Register,
    db: &Path,
) -> Result<Vec<systems::ScheduleStatus>> {
    let (heads, last) = if mamori_store::store_exists(db) {
        let s = mamori_store::Store::open(db)?;
        (s.run_heads()?, s.last_jobs()?)
    } else {
        Default::default()
    };
    let tried = |id: &str| last.get(&Some(id.to_string())).map(|j| j.created.clone());
    systems::schedule_status(reg_path, reg, &heads, &tried, systems::unix_now())
}

/// The systems of the register a scan takes: `None` for all of them; an empty set when
/// none is due (or none of the picked ones is).
fn picked_systems(
    config: Option<&Path>,
    systems: &[String],
    due: bool,
    db: Option<&Path>,
) -> Result<Option<BTreeSet<String>>> {
    if !due && systems.is_empty() {
        return Ok(None);
    }
    let what = if due { "--due" } else { "--system" };
    let reg_path = find_register(config).with_context(|| {
        format!("{what} needs the systems register (mamori.toml here, or --config)")
    })?;
    let reg = Register::load(&reg_path)?;
    for id in systems {
        if reg.system(id).is_none() {
            bail!(
                "{}: no system {id} (the register has: {})",
                reg_path.display(),
                reg.systems
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let mut picked: BTreeSet<String> = if systems.is_empty() {
        reg.systems.iter().map(|s| s.id.clone()).collect()
    } else {
        systems.iter().cloned().collect()
    };
    if due {
        // Without a store nothing was ever scanned: every scheduled system is due.
        let none = PathBuf::new();
        let st = schedule_now(&reg_path, &reg, db.unwrap_or(&none))?;
        picked.retain(|id| st.iter().any(|s| &s.id == id && s.due));
    }
    Ok(Some(picked))
}

/// Targets resolved to paths and services, with the systems owning their places.
struct Resolved {
    paths: Vec<PathBuf>,
    net: Vec<mamori_net::target::Target>,
    owners: Owners,
    /// The register's service levels, when the scan is of the register.
    service_levels: ServiceLevels,
}

/// Sorts the named targets into paths and network services: a `scheme://` target is a
/// service; a path that exists is a path; anything else must parse as `host:port`. A
/// targets file adds services. With no target named, the register's systems (or those
/// `only` picks) give them. Errors name the target and what was wrong.
fn resolve(req: &ScanRequest, only: Option<&BTreeSet<String>>) -> Result<Resolved> {
    let scope = match &req.net.scope {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read the scope file {}", p.display()))?;
            let (scope, bad) = mamori_net::target::Scope::parse(&text);
            if let Some((line, e)) = bad.first() {
                bail!("scope file {}: line {line}: {e}", p.display());
            }
            Some(scope)
        }
        None => None,
    };
    let mut out = Resolved {
        paths: Vec::new(),
        net: Vec::new(),
        owners: Owners::new(),
        service_levels: ServiceLevels::default(),
    };
    match &req.targets {
        Targets::Named {
            targets,
            targets_file,
        } => {
            for t in targets {
                let is_path = !t.contains("://") && std::fs::symlink_metadata(t).is_ok();
                if is_path {
                    out.paths.push(PathBuf::from(t));
                    continue;
                }
                match mamori_net::target::parse_target_in(t, scope.as_ref()) {
                    Ok(ts) => out.net.extend(ts),
                    Err(e) if t.contains("://") => bail!("target {t}: {e}"),
                    Err(_) => bail!(
                        "target {t} does not exist or cannot be read (nor is it a network service such as tls://host:port or host:port)"
                    ),
                }
            }
            if let Some(f) = targets_file {
                let text = std::fs::read_to_string(f)
                    .with_context(|| format!("cannot read the targets file {}", f.display()))?;
                let (ts, bad) = mamori_net::target::parse_targets_file(&text, scope.as_ref());
                if let Some((line, e)) = bad.first() {
                    bail!("targets file {}: line {line}: {e}", f.display());
                }
                out.net.extend(ts);
            }
        }
        Targets::Register { config, .. } => {
            let reg_path = find_register(config.as_deref()).ok_or_else(|| {
                anyhow::anyhow!(
                    "nothing to scan: name directories, files or services, or describe your systems in {} (`mamori init` writes an example)",
                    mamori_plan::register::FILE_NAME
                )
            })?;
            let mut reg = Register::load(&reg_path)?;
            out.service_levels = systems::register_policy(&reg_path, &reg, None)?
                .service_levels
                .unwrap_or_default();
            if let Some(only) = only {
                reg.systems.retain(|s| only.contains(&s.id));
            }
            let t = systems::register_targets(&reg_path, &reg, scope.as_ref(), true)?;
            out.paths = t.paths;
            out.net = t.net;
            out.owners = t.owners;
            if out.paths.is_empty() && out.net.is_empty() {
                bail!("{}: no system has a target to scan", reg_path.display());
            }
        }
    }
    Ok(out)
}

/// The excludes with, for every one written with a target's path in front as the user
/// named it (a link, `..`, relative), the same with the path the target is scanned under.
fn excludes_for(excludes: &[String], named: &[PathBuf], canonical: &[PathBuf]) -> Vec<String> {
    let mut out = excludes.to_vec();
    for (named, canon) in named.iter().zip(canonical) {
        let canon = canon.display().to_string();
        let spellings = [
            named.display().to_string(),
            std::path::absolute(named)
                .unwrap_or_else(|_| named.clone())
                .display()
                .to_string(),
        ];
        for g in excludes {
            for sp in &spellings {
                let sp = sp.trim_end_matches('/');
                if sp.is_empty() || sp == canon {
                    continue;
                }
                if let Some(rest) = g.strip_prefix(sp) {
                    let also = format!("{canon}{rest}");
                    if (rest.is_empty() || rest.starts_with('/')) && !out.contains(&also) {
                        out.push(also);
                    }
                }
            }
        }
    }
    out
}

/// Reads the VEX documents (a bad one fails before the work, not after).
fn read_vex(paths: &[PathBuf], warnings: &mut Vec<Warning>) -> Result<mamori_vuln::vex::VexSet> {
    let mut vex = mamori_vuln::vex::VexSet::new();
    for p in paths {
        let bytes = std::fs::read(p)
            .with_context(|| format!("cannot read the VEX document {}", p.display()))?;
        let doc = mamori_vuln::vex::VexDoc::parse(&bytes, &p.display().to_string())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        for w in &doc.warnings {
            warnings.push(Warning::new(p.display().to_string(), w.clone()));
        }
        vex.add(doc);
    }
    Ok(vex)
}

fn net_options(n: &NetRequest) -> Result<mamori_net::collect::NetOptions> {
    let timeout = Duration::try_from_secs_f64(n.timeout)
        .ok()
        .filter(|t| !t.is_zero())
        .ok_or_else(|| {
            anyhow::anyhow!("--timeout {}: give a positive number of seconds", n.timeout)
        })?;
    if let Some(r) = n.rate.filter(|r| !(r.is_finite() && *r > 0.0)) {
        bail!("--rate {r}: give a positive number of connections a second");
    }
    Ok(mamori_net::collect::NetOptions {
        limits: mamori_net::engine::Limits {
            per_host: n.per_host,
            rate: n.rate,
            timeout,
            retries: n.retries,
            trace: n.trace,
            ..Default::default()
        },
        pq_only: n.pq_only,
        ..Default::default()
    })
}

/// What the walk and the probes collected.
#[derive(Default)]
struct Collected {
    observations: Vec<mamori_model::Observation>,
    warnings: Vec<Warning>,
    components: Vec<mamori_model::ComponentObservation>,
    distros: Vec<mamori_model::Distro>,
    endpoints: Vec<mamori_model::Endpoint>,
}

/// Walks the paths and probes the services at once (the probes on a thread of their own).
fn collect(
    paths: &[PathBuf],
    net: &[mamori_net::target::Target],
    opts: &mamori_fs::ScanOptions,
    net_opts: &mamori_net::collect::NetOptions,
    progress: &Progress,
) -> Collected {
    let mut c = Collected::default();
    std::thread::scope(|s| {
        let probes = s.spawn(|| {
            if net.is_empty() {
                return mamori_net::collect::NetResult::default();
            }
            mamori_net::collect::collect(net, net_opts)
        });
        for t in paths {
            let got = mamori_fs::collect(t, opts, progress);
            c.observations.extend(got.observations);
            c.warnings.extend(got.warnings);
            c.components.extend(got.components);
            c.distros.extend(got.distros);
        }
        match probes.join() {
            Ok(n) => {
                c.observations.extend(n.observations);
                c.warnings.extend(n.warnings);
                c.endpoints = n.endpoints;
            }
            Err(_) => c.warnings.push(Warning::new(
                "network",
                "the network probes stopped unexpectedly",
            )),
        }
    });
    // Binaries and archives report both kinds; keep only what was asked for.
    match opts.only {
        Only::Crypto => {
            c.components.clear();
            c.distros.clear();
        }
        Only::Software => c.observations.clear(),
        Only::Both => {}
    }
    c
}

/// A package shared by systems is one vulnerability of the run that names each system
/// (with its first place there), so each system's people follow it.
fn vulnerabilities_per_system(
    vulnerabilities: &mut [mamori_model::Vulnerability],
    components: &[mamori_model::Component],
    systems: &mamori_plan::attribution::Attribution,
) {
    let by_purl: std::collections::HashMap<&str, &mamori_model::Component> =
        components.iter().map(|c| (c.purl.as_str(), c)).collect();
    for v in vulnerabilities {
        v.system = systems.system_of(&v.location).map(str::to_string);
        let mut places: Vec<mamori_model::SystemPlace> = Vec::new();
        for o in by_purl
            .get(v.component.as_str())
            .map(|c| c.occurrences.as_slice())
            .unwrap_or_default()
        {
            if let Some(s) = systems.system_of(&o.location) {
                if !places.iter().any(|p| p.system == s) {
                    places.push(mamori_model::SystemPlace {
                        system: s.to_string(),
                        location: o.location.clone(),
                    });
                }
            }
        }
        if let Some(i) = v
            .system
            .as_ref()
            .and_then(|s| places.iter().position(|p| &p.system == s))
        {
            let first = places.remove(i);
            places.insert(0, first);
        }
        if places.len() > 1 {
            v.systems = places;
        }
    }
}

/// Runs the scan `req` asks for. `Ok(None)` when the register's systems were picked
/// (`due`, `systems`) and none is due. Bad input (a missing target, an unreadable VEX
/// document, a store that cannot be opened) fails before any work, naming the file.
pub fn run(
    req: &ScanRequest,
    progress: &Progress,
    events: &dyn Fn(Event),
) -> Result<Option<ScanOutcome>> {
    let only = match &req.targets {
        Targets::Register {
            config,
            systems,
            due,
        } => picked_systems(
            config.as_deref(),
            systems,
            *due,
            req.schedule_store.as_deref(),
        )?,
        Targets::Named { .. } => None,
    };
    if only.as_ref().is_some_and(BTreeSet::is_empty) {
        return Ok(None);
    }
    if req.job.is_some() && req.store.is_none() {
        bail!("--job records the scan's run: it cannot go with --no-store");
    }
    let resolved = resolve(req, only.as_ref())?;
    // One spelling of every place (absolute, links and `..` resolved, names as their
    // directory lists them): a run's evidence does not depend on the directory mamori was
    // started from, and `../other` or a link into another system's directory is stored,
    // attributed and shown as the place it is (decision 016).
    let targets: Vec<PathBuf> = resolved
        .paths
        .iter()
        .map(|t| mamori_plan::attribution::canonical(t))
        .collect();
    let mut passwords = Vec::new();
    if let Some(pf) = &req.password_file {
        let text = std::fs::read_to_string(pf)
            .with_context(|| format!("cannot read the password file {}", pf.display()))?;
        passwords.extend(text.lines().map(|l| l.trim_end_matches('\r').to_string()));
    }
    let opts = mamori_fs::ScanOptions {
        excludes: excludes_for(&req.excludes, &resolved.paths, &targets),
        passwords,
        threads: req.threads,
        only: req.only,
    };
    let mut warnings = Vec::new();
    let vex = read_vex(&req.vex, &mut warnings)?;
    let vulndb = match &req.vulndb {
        Some(p) => open_vulndb(p)?,
        None => None,
    };
    // Open the store first: a bad store fails before the work, not after.
    let mut store = match &req.store {
        Some(db) => Some(mamori_store::Store::open(db)?),
        None => None,
    };
    let net_opts = net_options(&req.net)?;
    let started_at = mamori_store::now_rfc3339();
    let t0 = Instant::now();
    events(Event::Collecting {
        paths: targets.len(),
        services: resolved.net.len(),
    });
    let c = collect(&targets, &resolved.net, &opts, &net_opts, progress);
    warnings.extend(c.warnings);
    let assets = mamori_assess::merge(c.observations);
    let policy = mamori_assess::Policy {
        deadline_year: req.deadline_year,
        ..Default::default()
    };
    let mut findings = mamori_assess::assess(&assets, &policy);
    findings.extend(mamori_assess::assess_endpoints(&c.endpoints, &assets));
    // Each finding and vulnerability names the system whose target most closely contains
    // its place (or its image or archive), or whose service it was seen at.
    let systems = mamori_plan::attribution::Attribution::new(resolved.owners.iter().cloned());
    let mut findings = systems::findings_per_system(findings, &assets, &systems);
    mamori_assess::sort_findings(&mut findings);
    let components = mamori_assess::merge_components(c.components);
    let t_collect = t0.elapsed();
    events(Event::Matching);
    let t_match = Instant::now();
    let (mut vulnerabilities, vuln_warnings) = match &vulndb {
        Some(v) => v.match_components(&components),
        None => (Vec::new(), Vec::new()),
    };
    warnings.extend(vuln_warnings);
    let vex_report = vex.apply(&mut vulnerabilities);
    vulnerabilities_per_system(&mut vulnerabilities, &components, &systems);
    mamori_model::sort_vulnerabilities(&mut vulnerabilities);
    let t_match = t_match.elapsed();
    let no_vulndb = match (&req.vulndb, &vulndb) {
        (Some(p), None) if !components.is_empty() => Some(p.display().to_string()),
        _ => None,
    };
    let result = ScanResult {
        targets: targets
            .iter()
            .map(|t| t.display().to_string())
            .chain(resolved.net.iter().map(|t| t.to_string()))
            .collect(),
        assets,
        findings,
        warnings,
        components,
        distros: c.distros,
        vulnerabilities,
        endpoints: c.endpoints,
        files: progress.files.load(Ordering::Relaxed),
        bytes: progress.bytes.load(Ordering::Relaxed),
    };
    let mut run = None;
    if let Some(db) = &req.store {
        // The store was opened at the start so a bad store fails before scanning; a
        // database server's connection may have been cut during a long scan (a restart, an
        // idle timeout), so it is opened again for the save.
        if mamori_store::postgres_url(db).is_some() {
            store = Some(mamori_store::Store::open(db)?);
        }
        if let Some(s) = store.as_mut() {
            let job = req.job.as_ref().map(|(j, w)| (*j, w.as_str()));
            let id = s.save_run_for(&result, &started_at, &resolved.service_levels, job)?;
            events(Event::Stored { run: id });
            run = Some(id);
        }
    }
    Ok(Some(ScanOutcome {
        result,
        run,
        timings: Timings {
            collect: t_collect,
            matching: t_match,
            total: t0.elapsed(),
        },
        vex: VexSummary {
            statements: vex.len(),
            applied: vex_report.applied,
            unmatched: vex_report.unmatched,
        },
        no_vulndb,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exclude_written_with_the_named_spelling_follows_the_target() {
        let named = vec![PathBuf::from("/srv/link")];
        let canon = vec![PathBuf::from("/data/real")];
        let ex = excludes_for(
            &["/srv/link/cache".to_string(), "*.log".to_string()],
            &named,
            &canon,
        );
        assert_eq!(ex, ["/srv/link/cache", "*.log", "/data/real/cache"]);
        // a longer name that only starts the same is not the target
        let ex = excludes_for(&["/srv/linked/x".to_string()], &named, &canon);
        assert_eq!(ex, ["/srv/linked/x"]);
    }

    #[test]
    fn a_missing_target_is_named_before_any_work() {
        let req = ScanRequest {
            targets: Targets::Named {
                targets: vec!["/no/such/place".into()],
                targets_file: None,
            },
            ..ScanRequest::default()
        };
        let e = run(&req, &Progress::default(), &|_| {}).unwrap_err();
        assert!(e.to_string().contains("/no/such/place"), "{e}");
    }

    #[test]
    fn a_bad_timeout_is_refused() {
        let n = NetRequest {
            timeout: 0.0,
            ..NetRequest::default()
        };
        assert!(net_options(&n)
            .unwrap_err()
            .to_string()
            .contains("--timeout"));
        let n = NetRequest {
            rate: Some(f64::NAN),
            ..NetRequest::default()
        };
        assert!(net_options(&n).unwrap_err().to_string().contains("--rate"));
    }
}
