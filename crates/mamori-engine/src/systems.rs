//! The systems register at work: where each system's targets are, which system owns a
//! place, the policy it is judged under, when each system is due for a scan, and the
//! migration plan of a stored run. The command line and the server share these.

use anyhow::{bail, Context, Result};
use mamori_model::{RunInfo, ScanResult};
use mamori_net::target::{Scope, Target};
use mamori_plan::register::{Register, System};
use std::path::{Path, PathBuf};

/// Where each system's targets are: absolute paths and `host:port` names, with the system
/// id, in register order.
pub type Owners = Vec<(String, String)>;

/// A register's targets: local paths, network services, their owners, and warnings about
/// targets that attribute nothing (after the fact only).
pub struct Targets {
    /// Local paths (relative to the register's directory when written so).
    pub paths: Vec<PathBuf>,
    /// Network services.
    pub net: Vec<Target>,
    /// Which system owns each place.
    pub owners: Owners,
    /// Targets that could not be taken, when not `strict`.
    pub warnings: Vec<String>,
}

/// Every system's targets from the register at `reg_path`. `strict` (a scan) refuses a
/// target that is neither an existing path nor a service; otherwise (a plan or a page,
/// after the fact) such a target is taken as a path that is gone.
pub fn register_targets(
    reg_path: &Path,
    reg: &Register,
    scope: Option<&Scope>,
    strict: bool,
) -> Result<Targets> {
    let mut out = Targets {
        paths: Vec::new(),
        net: Vec::new(),
        owners: Owners::new(),
        warnings: Vec::new(),
    };
    let base = reg_path.parent().map(Path::to_path_buf).unwrap_or_default();
    for sys in &reg.systems {
        for t in &sys.targets {
            let local = base.join(t);
            let as_path = |out: &mut Targets| {
                // The spelling scans store places in (links and `..` resolved), so that
                // no other spelling of a place reaches another system's.
                let abs = mamori_plan::attribution::canonical(&local);
                out.owners.push((abs.display().to_string(), sys.id.clone()));
                out.paths.push(local.clone());
            };
            if !t.contains("://") && std::fs::symlink_metadata(&local).is_ok() {
                as_path(&mut out);
                continue;
            }
            match mamori_net::target::parse_target_in(t, scope) {
                Err(_) if !strict && !t.contains("://") => as_path(&mut out),
                // After the fact, a service the scan could not take (an address range
                // without its scope file) only attributes nothing.
                Err(e) if !strict => out.warnings.push(format!(
                    "{}: system {}: target {t}: {e}; nothing is attributed to it",
                    reg_path.display(),
                    sys.id
                )),
                Err(e) => bail!(
                    "{}: system {}: target {t}: {}",
                    reg_path.display(),
                    sys.id,
                    if t.contains("://") {
                        e.to_string()
                    } else {
                        "does not exist or cannot be read (nor is it a network service)".into()
                    }
                ),
                Ok(ts) => {
                    for mut nt in ts {
                        nt.system = Some(sys.id.clone());
                        out.owners.push((
                            mamori_net::collect::endpoint_name(&nt.host, nt.port),
                            sys.id.clone(),
                        ));
                        out.net.push(nt);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// The run targets that scanning `sys` stores (absolute paths, `host:port` services).
pub fn system_run_targets(reg_path: &Path, sys: &System) -> Result<Vec<String>> {
    let one = Register {
        systems: vec![sys.clone()],
        ..Default::default()
    };
    let t = register_targets(reg_path, &one, None, false)?;
    Ok(t.paths
        .iter()
        .map(|p| mamori_plan::attribution::canonical(p).display().to_string())
        .chain(t.net.iter().map(|n| n.to_string()))
        .collect())
}

/// Findings as each system has them: a finding about an asset seen in several systems (one
/// key, one certificate in two) becomes one finding per system, at its first place there
/// and counting only its places there, so each system follows (and closes) its own — a
/// scan that sees the key in one system still does not close the other's. A finding about
/// an asset in one system, or not about an asset's place (a service's), names the system
/// of its place. A finding counts only the places of its owner: the user's own, or those of
/// its installed package (`package-…`).
pub fn findings_per_system(
    findings: Vec<mamori_model::Finding>,
    assets: &[mamori_model::CryptoAsset],
    systems: &mamori_plan::attribution::Attribution,
) -> Vec<mamori_model::Finding> {
    use std::collections::HashMap;
    let by_id: HashMap<&str, &mamori_model::CryptoAsset> =
        assets.iter().map(|a| (a.id.as_str(), a)).collect();
    // A finding counts the places of one owner: the user's (no package), or its package's,
    // whose finding is located at a file without its line.
    let place = |l: &mamori_model::Location, package: bool| {
        if package {
            mamori_model::Location {
                line: None,
                offset: None,
                ..l.clone()
            }
        } else {
            l.clone()
        }
    };
    let mut out = Vec::with_capacity(findings.len());
    for mut f in findings {
        let package = f.package.is_some();
        let mine = |o: &&mamori_model::Occurrence| o.package.as_deref() == f.package.as_ref();
        let places = by_id.get(f.asset_id.as_str()).filter(|a| {
            a.occurrences
                .iter()
                .find(mine)
                .is_some_and(|o| place(&o.location, package) == f.location)
        });
        let Some(asset) = places else {
            f.system = systems.system_of(&f.location).map(str::to_string);
            out.push(f);
            continue;
        };
        // (system, its first place, how many places), in the order the places come.
        let mut groups: Vec<(Option<&str>, &mamori_model::Location, u32)> = Vec::new();
        for o in asset.occurrences.iter().filter(mine) {
            let s = systems.system_of(&o.location);
            match groups.iter_mut().find(|g| g.0 == s) {
                Some(g) => g.2 += 1,
                None => groups.push((s, &o.location, 1)),
            }
        }
        if groups.len() <= 1 {
            f.system = groups.first().and_then(|g| g.0).map(str::to_string);
            out.push(f);
            continue;
        }
        for (s, loc, n) in groups {
            let mut one = f.clone();
            one.system = s.map(str::to_string);
            one.location = place(loc, package);
            one.other_locations = n - 1;
            out.push(one);
        }
    }
    out
}

/// The policy a register works under: `cli` (`--policy`), else the register's (a file named
/// there is relative to the register), else the default.
pub fn register_policy(
    reg_path: &Path,
    reg: &Register,
    cli: Option<&str>,
) -> Result<mamori_plan::policy::Policy> {
    use mamori_plan::policy::{Policy, DEFAULT_POLICY};
    let base = reg_path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(match (cli, &reg.plan.policy) {
        (Some(p), _) => Policy::resolve(p)?,
        (None, Some(p)) if Policy::builtin(p).is_some() => Policy::resolve(p)?,
        (None, Some(p)) => Policy::resolve(&base.join(p).display().to_string())?,
        (None, None) => Policy::resolve(DEFAULT_POLICY)?,
    })
}

/// Where a system stands against its schedule.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScheduleStatus {
    /// The system.
    pub id: String,
    /// Its schedule, as written.
    pub every: Option<String>,
    /// When the newest run covering all its targets started.
    pub last: Option<String>,
    /// The newest run covering all its targets.
    pub last_run: Option<i64>,
    /// When the next scan is due.
    pub next: Option<String>,
    /// Whether it is due now.
    pub due: bool,
}

pub use mamori_store::unix_now;

/// Each system's schedule against `runs`: a run covers a system when its targets include
/// all of the system's (as a scan of the register stores them). `tried` gives, per system,
/// when a scan of it was last asked for: a system is not due again until its interval has
/// passed since then too, so a system whose scans fail is retried by its jobs' backoff, not
/// on every tick.
pub fn schedule_status(
    reg_path: &Path,
    reg: &Register,
    runs: &[mamori_store::RunHead],
    tried: &dyn Fn(&str) -> Option<String>,
    now: i64,
) -> Result<Vec<ScheduleStatus>> {
    let mut out = Vec::new();
    for sys in &reg.systems {
        let wanted = system_run_targets(reg_path, sys)?;
        let last = runs
            .iter()
            .filter(|r| !wanted.is_empty() && wanted.iter().all(|w| r.targets.contains(w)))
            .max_by_key(|r| r.id);
        let since = [
            last.and_then(|r| mamori_model::date::parse_rfc3339(&r.started)),
            tried(&sys.id).and_then(|t| mamori_model::date::parse_rfc3339(&t)),
        ]
        .into_iter()
        .flatten()
        .max();
        // Never scanned: due now, whatever the schedule.
        let next_secs = match since {
            _ if !sys.scheduled() => None,
            Some(l) => sys.next_scan(l),
            None => Some(now),
        };
        out.push(ScheduleStatus {
            id: sys.id.clone(),
            every: sys.schedule_text(),
            last: last.map(|r| r.started.clone()),
            last_run: last.map(|r| r.id),
            next: next_secs.map(mamori_model::date::format_unix),
            due: next_secs.is_some_and(|n| n <= now),
        });
    }
    Ok(out)
}

/// What a plan is made from besides the register.
pub struct PlanRequest<'a> {
    /// `--policy`.
    pub policy: Option<&'a str>,
    /// `--crqc-year`.
    pub crqc_year: Option<i32>,
    /// `--year` (default: this year).
    pub year: Option<i32>,
    /// `--run` (default: the newest).
    pub run: Option<i64>,
    /// Earlier runs to measure progress by.
    pub history: usize,
}

/// The migration plan of a stored run (or of nothing, before the first scan). Warnings
/// (earlier runs that could not be read, targets that attribute nothing) are returned.
pub fn build_plan(
    reg_path: &Path,
    reg: &Register,
    store: Option<&mamori_store::Store>,
    req: &PlanRequest<'_>,
) -> Result<(mamori_plan::plan::Plan, Vec<String>)> {
    use mamori_plan::plan::{build, Inputs, RunRef};
    let policy = register_policy(reg_path, reg, req.policy)?;
    let crqc_year = req
        .crqc_year
        .or(reg.plan.crqc_year)
        .unwrap_or(policy.crqc_year);
    let year = match req.year {
        Some(y) => y,
        None => mamori_store::now_rfc3339()[..4].parse().unwrap_or(2026),
    };
    let t = register_targets(reg_path, reg, None, false)?;
    let mut warnings = t.warnings;
    let attribution = mamori_plan::attribution::Attribution::new(t.owners);
    let runs = match store {
        Some(s) => s.runs()?,
        None => Vec::new(),
    };
    let current = match req.run {
        Some(id) => Some(
            runs.iter()
                .find(|r| r.id == id)
                .with_context(|| format!("no run {id} in the store"))?,
        ),
        None => runs.iter().max_by_key(|r| r.id),
    };
    let (run_ref, scan) = match (current, store) {
        (Some(r), Some(s)) => (
            Some(RunRef {
                id: r.id,
                started: r.started.clone(),
            }),
            s.load_run(r.id)?,
        ),
        _ => (None, ScanResult::default()),
    };
    let mut earlier: Vec<&RunInfo> = runs
        .iter()
        .filter(|r| current.is_some_and(|c| r.id < c.id))
        .collect();
    // Newest first, as many as asked.
    earlier.sort_by_key(|r| std::cmp::Reverse(r.id));
    let mut history_warnings = Vec::new();
    let history = earlier.into_iter().take(req.history).filter_map(|r| {
        let s = store?;
        match s.load_run(r.id) {
            Ok(scan) => Some((
                RunRef {
                    id: r.id,
                    started: r.started.clone(),
                },
                scan,
            )),
            Err(e) => {
                history_warnings.push(format!("run {} left out of progress: {e}", r.id));
                None
            }
        }
    });
    let p = build(
        Inputs {
            register: reg,
            attribution: &attribution,
            settings: mamori_plan::assess::Settings {
                policy,
                crqc_year,
                year,
            },
            current: (run_ref, scan),
        },
        history,
    );
    warnings.extend(history_warnings);
    Ok((p, warnings))
}

#[cfg(test)]
mod tests {
    use super::findings_per_system;
    use mamori_model::{
        AssetKind, CryptoAsset, Finding, Location, Occurrence, PackageRef, Severity,
    };

    fn occ(path: &str, line: u32, package: Option<&PackageRef>) -> Occurrence {
        Occurrence {
            location: Location::file(path).with_line(line),
            detector: "source.python".into(),
            context: None,
            package: package.map(|p| Box::new(p.clone())),
        }
    }

    fn finding(code: &str, location: Location, package: Option<&PackageRef>) -> Finding {
        Finding {
            code: code.into(),
            severity: Severity::High,
            asset_id: "alg:MD5".into(),
            asset_name: "MD5".into(),
            location,
            message: String::new(),
            remediation: String::new(),
            other_locations: 0,
            args: Default::default(),
            system: None,
            package: package.cloned(),
        }
    }

    #[test]
    fn a_finding_counts_and_splits_only_the_places_of_its_owner() {
        let pkg = PackageRef {
            name: "libpython3.11-stdlib".into(),
            version: "3.11.2-6".into(),
            purl: "pkg:deb/debian/libpython3.11-stdlib@3.11.2-6?arch=amd64".into(),
            root: "/srv/a".into(),
        };
        let mut md5 = CryptoAsset::new(AssetKind::Algorithm, "alg:MD5", "MD5");
        // Sorted as merged: the package's places come first in system a.
        md5.occurrences = vec![
            occ("/srv/a/usr/lib/python3.11/hashlib.py", 80, Some(&pkg)),
            occ("/srv/a/usr/lib/python3.11/uuid.py", 9, Some(&pkg)),
            occ("/srv/a/web.py", 3, None),
            occ("/srv/b/web.py", 4, None),
        ];
        let findings = vec![
            // As mamori-assess makes them: at each owner's first place.
            finding(
                "crypto-broken-algorithm",
                Location::file("/srv/a/web.py").with_line(3),
                None,
            ),
            Finding {
                other_locations: 1,
                ..finding(
                    "package-crypto-broken-algorithm",
                    Location::file("/srv/a/usr/lib/python3.11/hashlib.py"),
                    Some(&pkg),
                )
            },
        ];
        let systems = mamori_plan::attribution::Attribution::new([
            ("/srv/a".to_string(), "a".to_string()),
            ("/srv/b".to_string(), "b".to_string()),
        ]);
        let mut got: Vec<(String, Option<String>, String, u32)> =
            findings_per_system(findings, &[md5], &systems)
                .into_iter()
                .map(|f| (f.code, f.system, f.location.to_string(), f.other_locations))
                .collect();
        got.sort();
        assert_eq!(
            got,
            [
                (
                    "crypto-broken-algorithm".into(),
                    Some("a".into()),
                    "/srv/a/web.py:3".into(),
                    0
                ),
                (
                    "crypto-broken-algorithm".into(),
                    Some("b".into()),
                    "/srv/b/web.py:4".into(),
                    0
                ),
                (
                    "package-crypto-broken-algorithm".into(),
                    Some("a".into()),
                    "/srv/a/usr/lib/python3.11/hashlib.py".into(),
                    1
                ),
            ]
        );
    }
}
