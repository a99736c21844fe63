//! What pages and the API show beyond single findings: the migration plan of the newest run
//! per system (remade in the background when a new run lands, since a plan reads the whole
//! run), SBOM coverage, and runs and diffs narrowed to the systems a user may see.

use crate::api::ApiError;
use crate::auth::Caller;
use crate::systems::ScheduleStatus;
use crate::App;
pub use mamori_engine::visibility::{narrow, narrow_asset, narrow_component, system_of_target};
use mamori_store::views::{Overview, SystemCounts, TrendPoint, Visible, Widespread};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A system's post-quantum migration as the newest run shows it.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SystemPqc {
    /// `P1` … `P4`.
    pub priority: String,
    /// The year its migration must be done by.
    pub deadline: Option<i32>,
    /// The year work must start by.
    pub start_by: Option<i32>,
    /// Crypto assets in it.
    pub assets: u32,
    /// Assets still to migrate.
    pub pending: u32,
    /// Assets broken today.
    pub broken: u32,
    /// Places still to migrate.
    pub places: u32,
    /// Crypto-agility, 0–100.
    pub agility: u32,
    /// Places still to migrate after each earlier run (oldest first), then now.
    pub progress: Vec<(i64, String, u32)>,
}

/// What the newest run says of each system.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct Insight {
    /// The run.
    pub run: Option<i64>,
    /// The plan's policy.
    pub policy: String,
    /// Per system.
    pub pqc: BTreeMap<String, SystemPqc>,
    /// Software components found in each system (0: no SBOM for it).
    pub components: BTreeMap<String, u64>,
    /// Why the plan could not be made, when it could not.
    pub error: Option<String>,
    /// When this server made it (a failure is tried again only after a while).
    #[serde(skip)]
    pub made: Option<std::time::Instant>,
}

/// Remakes the insight when the newest run is not the one it was made from (blocking: call
/// on a blocking thread). The plan reads the whole run — gigabytes for a large one — so it
/// is made by a child `mamori insight` whose memory is returned when it ends; the server
/// keeps only the figures. Returns whether it was remade.
pub fn refresh(app: &App) -> Result<bool, String> {
    let Some(loaded) = app.register() else {
        return Ok(false);
    };
    let latest = {
        let store = app.pool.get().map_err(|e| e.to_string())?;
        store.latest_run().map_err(|e| e.to_string())?
    };
    // Made for this run already; a failure is tried again after ten minutes, not on
    // every tick.
    if app.insight().is_some_and(|i| {
        i.run == latest
            && (i.error.is_none()
                || i.made
                    .is_some_and(|m| m.elapsed() < std::time::Duration::from_secs(600)))
    }) {
        return Ok(false);
    }
    let out = run_child(
        std::process::Command::new(&app.cfg.exe)
            .env("MAMORI_DB", app.pool.path())
            .arg("insight")
            .arg("--config")
            .arg(&loaded.path),
        INSIGHT_TIME,
    );
    let mut insight = match out {
        Ok(o) if o.status.success() => match serde_json::from_slice::<Insight>(&o.stdout) {
            Ok(i) => i,
            Err(e) => Insight {
                run: latest,
                error: Some(format!("the migration figures could not be read: {e}")),
                ..Default::default()
            },
        },
        Ok(o) => Insight {
            run: latest,
            error: Some(String::from_utf8_lossy(&o.stderr).trim().to_string()),
            ..Default::default()
        },
        Err(e) => Insight {
            run: latest,
            error: Some(format!("cannot run {}: {e}", app.cfg.exe.display())),
            ..Default::default()
        },
    };
    insight.made = Some(std::time::Instant::now());
    if let Ok(mut w) = app.insight.write() {
        *w = Some(Arc::new(insight));
    }
    Ok(true)
}

/// How long `mamori insight` may take before it is stopped.
const INSIGHT_TIME: std::time::Duration = std::time::Duration::from_secs(1800);

/// Runs `cmd` to its end, or stops it after `limit` (its output is read meanwhile, so a
/// large one cannot fill the pipe and stall it).
fn run_child(
    cmd: &mut std::process::Command,
    limit: std::time::Duration,
) -> std::io::Result<std::process::Output> {
    use std::io::Read;
    let mut child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut o = Vec::new();
        if let Some(s) = out.as_mut() {
            let _ = s.read_to_end(&mut o);
        }
        o
    });
    let err_reader = std::thread::spawn(move || {
        let mut e = Vec::new();
        if let Some(s) = err.as_mut() {
            let _ = s.read_to_end(&mut e);
        }
        e
    });
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait()? {
            break st;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("stopped after {} s", limit.as_secs()),
            ));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    Ok(std::process::Output {
        status,
        stdout: reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    })
}

/// The insight of the newest run in `store` (what `mamori insight` prints).
pub fn make(
    reg_path: &std::path::Path,
    register: &mamori_plan::register::Register,
    store: &mamori_store::Store,
) -> Insight {
    let latest = store.latest_run().ok().flatten();
    let req = crate::systems::PlanRequest {
        policy: None,
        crqc_year: None,
        year: None,
        run: None,
        history: 12,
    };
    let t = match crate::systems::register_targets(reg_path, register, None, false) {
        Ok(t) => t,
        Err(e) => {
            return Insight {
                run: latest,
                error: Some(format!("{e:#}")),
                ..Default::default()
            }
        }
    };
    let attribution = mamori_plan::attribution::Attribution::new(t.owners);
    match crate::systems::build_plan(reg_path, register, Some(store), &req) {
        Ok((plan, _warnings)) => {
            let mut pqc = BTreeMap::new();
            for s in &plan.systems {
                let mut progress: Vec<(i64, String, u32)> = plan
                    .progress
                    .iter()
                    .map(|p| {
                        (
                            p.run,
                            p.date.clone(),
                            p.by_system.get(&s.id).copied().unwrap_or(0),
                        )
                    })
                    .collect();
                progress.sort_by_key(|p| p.0);
                pqc.insert(
                    s.id.clone(),
                    SystemPqc {
                        priority: s.priority.as_str().to_string(),
                        deadline: s.deadline,
                        start_by: s.start_by,
                        assets: s.assets,
                        pending: s.pending,
                        broken: s.broken,
                        places: s.open,
                        agility: s.agility.score,
                        progress,
                    },
                );
            }
            let mut components: BTreeMap<String, u64> = BTreeMap::new();
            for c in &plan.scan.components {
                let mut systems: Vec<&str> = c
                    .occurrences
                    .iter()
                    .filter_map(|o| attribution.system_of(&o.location))
                    .collect();
                systems.sort_unstable();
                systems.dedup();
                for s in systems {
                    *components.entry(s.to_string()).or_default() += 1;
                }
            }
            Insight {
                run: latest,
                policy: plan.policy.id.to_string(),
                pqc,
                components,
                error: None,
                made: None,
            }
        }
        Err(e) => Insight {
            run: latest,
            error: Some(format!("{e:#}")),
            ..Default::default()
        },
    }
}

/// A system as the dashboard and `/api/v1/systems` show it.
#[derive(Debug, Clone, Serialize)]
pub struct SystemSummary {
    /// Register id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Who answers for it.
    pub owner: String,
    /// Its criticality (empty when it is not in the register).
    pub criticality: String,
    /// What is scanned for it.
    pub targets: Vec<String>,
    /// Its schedule, as written.
    pub every: Option<String>,
    /// Where it stands against the schedule.
    pub schedule: Option<ScheduleStatus>,
    /// Its open findings.
    pub findings: SystemCounts,
    /// Its post-quantum migration.
    pub pqc: Option<SystemPqc>,
    /// Software components inventoried in it.
    pub components: u64,
}

/// The systems `c` may see: the register's, and any others findings name.
pub async fn systems_data(app: &Arc<App>, c: &Caller) -> Result<Vec<SystemSummary>, ApiError> {
    let v = c.visible();
    let counts = {
        let v = v.clone();
        let pool = app.pool.clone();
        app.pool
            .run(move |s| pool.cached(&format!("systems:{v:?}"), || Ok(s.system_counts(&v)?)))
            .await?
    };
    Ok(assemble_systems(app, &v, counts))
}

fn assemble_systems(
    app: &App,
    v: &Visible,
    mut counts: BTreeMap<String, SystemCounts>,
) -> Vec<SystemSummary> {
    let insight = app.insight();
    let schedule = app.schedule();
    let mut out = Vec::new();
    if let Some(loaded) = app.register() {
        for s in &loaded.register.systems {
            if !v.sees(Some(&s.id)) {
                continue;
            }
            out.push(SystemSummary {
                id: s.id.clone(),
                name: s.name.clone(),
                owner: s.owner.clone(),
                criticality: s.criticality.as_str().to_string(),
                targets: s.targets.clone(),
                every: s.schedule_text(),
                schedule: schedule.iter().find(|x| x.id == s.id).cloned(),
                findings: counts.remove(&s.id).unwrap_or_default(),
                pqc: insight.as_ref().and_then(|i| i.pqc.get(&s.id).cloned()),
                components: insight
                    .as_ref()
                    .and_then(|i| i.components.get(&s.id).copied())
                    .unwrap_or(0),
            });
        }
    }
    for (id, findings) in counts {
        if id.is_empty() {
            continue;
        }
        out.push(SystemSummary {
            name: id.clone(),
            id,
            owner: String::new(),
            criticality: String::new(),
            targets: Vec::new(),
            every: None,
            schedule: None,
            findings,
            pqc: None,
            components: 0,
        });
    }
    out
}

/// The overview page's data.
#[derive(Debug, Clone, Serialize)]
pub struct OverviewData {
    /// Findings in numbers.
    pub findings: Overview,
    /// Active findings after each recent run.
    pub trend: Vec<TrendPoint>,
    /// The systems.
    pub systems: Vec<SystemSummary>,
    /// Vulnerable components by spread.
    pub widespread: Vec<Widespread>,
    /// The run the migration figures come from.
    pub plan_run: Option<i64>,
    /// Why there are no migration figures, when there are none.
    pub plan_error: Option<String>,
    /// Systems with a software inventory, of all systems shown.
    pub sbom_coverage: (usize, usize),
}

/// Everything the overview shows, for `c`.
pub async fn overview_data(app: &Arc<App>, c: &Caller) -> Result<OverviewData, ApiError> {
    let v = c.visible();
    // A reader of some systems sees the runs of theirs only: the trend is drawn from those,
    // and which runs they are is part of the cache key (it moves with the register).
    let runs: Option<Vec<i64>> = match v {
        Visible::All => None,
        _ => Some(runs_data(app, c).await?.iter().map(|r| r.id).collect()),
    };
    let key = format!(
        "overview:{v:?}:{}",
        runs.as_ref().map(|r| format!("{r:?}")).unwrap_or_default()
    );
    let pool = app.pool.clone();
    let only = runs.clone();
    let (findings, trend, counts, widespread) = app
        .pool
        .run(move |s| {
            pool.cached(&key, || {
                Ok((
                    s.overview(&v)?,
                    s.trend(&v, 60, only.as_deref())?,
                    s.system_counts(&v)?,
                    s.widespread(&v, 10)?,
                ))
            })
        })
        .await?;
    let systems = assemble_systems(app, &c.visible(), counts);
    let registered: Vec<&SystemSummary> = systems
        .iter()
        .filter(|s| !s.criticality.is_empty())
        .collect();
    let covered = registered.iter().filter(|s| s.components > 0).count();
    let insight = app.insight();
    Ok(OverviewData {
        sbom_coverage: (covered, registered.len()),
        findings,
        trend,
        widespread,
        // The run the figures come from, when the reader may see it.
        plan_run: insight
            .as_ref()
            .and_then(|i| i.run)
            .filter(|r| runs.as_ref().is_none_or(|ids| ids.contains(r))),
        // The reason can name the register's file and other systems' targets: whole only
        // for readers of every system.
        plan_error: insight.as_ref().and_then(|i| i.error.clone()).map(|e| {
            if c.visible() == Visible::All {
                e
            } else {
                "the migration figures could not be made; an administrator sees why".into()
            }
        }),
        systems,
    })
}

/// The runs `c` may see, oldest first, with only the targets of their systems.
pub async fn runs_data(app: &Arc<App>, c: &Caller) -> Result<Vec<mamori_store::RunHead>, ApiError> {
    // Asked on every run page and every scoped reader's overview: kept while the store
    // stands still.
    let pool = app.pool.clone();
    let heads = app
        .pool
        .run(move |s| pool.cached("run_heads", || Ok(s.run_heads()?)))
        .await?;
    let v = c.visible();
    if v == Visible::All {
        return Ok(heads);
    }
    let Some(loaded) = app.register() else {
        return Ok(Vec::new());
    };
    Ok(heads
        .into_iter()
        .filter_map(|mut h| {
            h.targets.retain(|t| v.sees(system_of_target(&loaded, t)));
            (!h.targets.is_empty()).then_some(h)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Loaded;
    use mamori_model::{Location, ScanResult, SystemPlace, Vulnerability};

    fn loaded() -> Loaded {
        Loaded {
            path: "/r/mamori.toml".into(),
            register: Default::default(),
            attribution: mamori_plan::attribution::Attribution::new([
                ("/srv/a".to_string(), "a".to_string()),
                ("/srv/b".to_string(), "b".to_string()),
            ]),
            modified: None,
        }
    }

    #[test]
    fn a_shared_vulnerability_shows_each_reader_only_their_place() {
        let v = Vulnerability {
            id: "GHSA-x".into(),
            aliases: vec![],
            summary: String::new(),
            severity: None,
            cvss: None,
            component: "pkg:pypi/x@1".into(),
            component_name: "x".into(),
            component_version: "1".into(),
            fixed: None,
            location: Location::file("/srv/a/req.txt"),
            suppressed: None,
            system: Some("a".into()),
            systems: vec![
                SystemPlace {
                    system: "a".into(),
                    location: Location::file("/srv/a/req.txt"),
                },
                SystemPlace {
                    system: "b".into(),
                    location: Location::file("/srv/b/req.txt"),
                },
            ],
        };
        let scan = ScanResult {
            targets: vec!["/srv/a".into(), "/srv/b".into()],
            vulnerabilities: vec![v],
            ..Default::default()
        };
        let l = loaded();
        let b = narrow(scan.clone(), &Visible::Systems(vec!["b".into()]), Some(&l));
        assert_eq!(b.targets, ["/srv/b"]);
        let v = &b.vulnerabilities[0];
        assert_eq!(v.system.as_deref(), Some("b"));
        assert_eq!(v.location.path, "/srv/b/req.txt");
        assert_eq!(v.systems.len(), 1);
        assert!(!serde_json::to_string(&b).unwrap().contains("/srv/a"));
        let none = narrow(scan, &Visible::Systems(vec!["c".into()]), Some(&l));
        assert!(none.vulnerabilities.is_empty() && none.targets.is_empty());
    }
}
