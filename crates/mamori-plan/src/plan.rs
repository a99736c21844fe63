//! A whole plan: the assessment of the latest scan, its roadmap, and progress over the runs
//! before it. This is what every `mamori plan` format renders (`docs/plan-schema.md`).

use mamori_model::ScanResult;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};

use crate::assess::{
    assess, open_per_system, rows, Assessment, AssetRow, Reason, Settings, SystemAssessment,
};
use crate::attribution::Attribution;
use crate::policy::Policy;
use crate::register::Register;
use crate::roadmap::{roadmap, Action, Wave};

/// The JSON schema version of a plan.
pub const SCHEMA: &str = "mamori-plan/1";

/// A stored run a plan or a progress point comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRef {
    /// Run number in the store.
    pub id: i64,
    /// When it started (RFC 3339).
    pub started: String,
}

/// Pending work at one run.
#[derive(Debug, Clone, Serialize)]
pub struct ProgressPoint {
    /// The run.
    pub run: i64,
    /// Its date (`YYYY-MM-DD`).
    pub date: String,
    /// Places still to migrate, all systems.
    pub open: u32,
    /// Per system id (systems with nothing open left out).
    pub by_system: BTreeMap<String, u32>,
}

/// Counts over the whole plan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    /// Systems in the register.
    pub systems: u32,
    /// Systems the scan saw anything of.
    pub inventoried: u32,
    /// Systems per priority, P1 first.
    pub by_priority: [u32; 4],
    /// Asset rows (an asset counts once per system it is seen in).
    pub assets: u32,
    /// Of which still to migrate.
    pub pending: u32,
    /// Of which broken today.
    pub broken: u32,
    /// Places still to migrate (what progress counts).
    pub open: u32,
    /// Actions in the roadmap.
    pub actions: u32,
    /// Actions of the previous run's plan no longer needed (done).
    pub resolved: u32,
}

/// The policy a plan was judged under.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyInfo {
    /// Id.
    pub id: String,
    /// Title, English.
    pub title: String,
    /// Title, Japanese.
    pub title_ja: String,
    /// Sources.
    pub sources: Vec<String>,
}

/// A plan.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// `mamori-plan/1`.
    pub schema: &'static str,
    /// The organization from the register.
    pub organization: String,
    /// The policy profile.
    pub policy: PolicyInfo,
    /// Assumed year of a cryptographically relevant quantum computer.
    pub crqc_year: i32,
    /// The year the plan was made in.
    pub year: i32,
    /// The run assessed.
    pub run: Option<RunRef>,
    /// Counts.
    pub totals: Totals,
    /// Systems, in the register's order.
    pub systems: Vec<SystemAssessment>,
    /// Waves.
    pub waves: Vec<Wave>,
    /// Actions in roadmap order.
    pub actions: Vec<Action>,
    /// Pending work over the runs, oldest first, this run last.
    pub progress: Vec<ProgressPoint>,
    /// Assets seen in no system of the register.
    pub unattributed: u32,
    /// Per (system, asset) judgement; with [`Plan::scan`] for names.
    #[serde(skip)]
    pub rows: Vec<AssetRow>,
    /// The scan assessed.
    #[serde(skip)]
    pub scan: ScanResult,
    /// Occurrence indices of the rows (see [`AssetRow::occurrences`]).
    #[serde(skip)]
    pub places: Vec<u32>,
}

/// Inputs of [`build`].
pub struct Inputs<'a> {
    /// The systems register.
    pub register: &'a Register,
    /// Places → systems.
    pub attribution: &'a Attribution,
    /// Policy, quantum-computer year, this year.
    pub settings: Settings,
    /// The run to assess, and which run it is.
    pub current: (Option<RunRef>, ScanResult),
}

fn date_of(rfc3339: &str) -> String {
    rfc3339.chars().take(10).collect()
}

fn point(run: &RunRef, pending: &[u32], register: &Register) -> ProgressPoint {
    ProgressPoint {
        run: run.id,
        date: date_of(&run.started),
        open: pending.iter().sum(),
        by_system: register
            .systems
            .iter()
            .zip(pending)
            .filter(|(_, n)| **n > 0)
            .map(|(s, n)| (s.id.clone(), *n))
            .collect(),
    }
}

/// Builds a plan. `history` yields earlier runs, newest first (loaded as they are asked
/// for); runs that saw nothing of the systems are skipped, the others give a progress
/// point, and the newest of them also its actions, to say which are done.
pub fn build(inp: Inputs<'_>, history: impl IntoIterator<Item = (RunRef, ScanResult)>) -> Plan {
    let Inputs {
        register,
        attribution,
        settings,
        current: (run, scan),
    } = inp;
    let n = register.systems.len();
    let mut progress = Vec::new();
    let mut previous_actions: Option<HashSet<String>> = None;
    let mut previous_pending: Option<Vec<u32>> = None;
    // Newest first: the first run that saw anything of the systems is the one this plan's
    // progress is measured against (its actions are compared); older ones only add points.
    for (r, s) in history {
        if previous_actions.is_none() {
            // The run progress is measured against: judged whole (its rows come with it).
            let a = assess(&s, register, attribution, &settings);
            if a.rows.is_empty() {
                continue; // a run of something else: no point of progress
            }
            let pending = open_per_system(&a.rows, n);
            progress.push(point(&r, &pending, register));
            let (acts, _) = roadmap(&s, &a, attribution, settings.year);
            previous_actions = Some(acts.iter().map(|a| a.key()).collect());
            previous_pending = Some(pending);
        } else {
            let rws = rows(&s, &register.systems, attribution).rows;
            if !rws.is_empty() {
                progress.push(point(&r, &open_per_system(&rws, n), register));
            }
        }
    }
    progress.reverse();
    let asmt = assess(&scan, register, attribution, &settings);
    let (actions, waves) = roadmap(&scan, &asmt, attribution, settings.year);
    finish(FinishArgs {
        register,
        settings: &settings,
        run,
        scan,
        asmt,
        actions,
        waves,
        progress,
        previous_actions,
        previous_pending,
    })
}

struct FinishArgs<'a> {
    register: &'a Register,
    settings: &'a Settings,
    run: Option<RunRef>,
    scan: ScanResult,
    asmt: Assessment,
    actions: Vec<Action>,
    waves: Vec<Wave>,
    progress: Vec<ProgressPoint>,
    previous_actions: Option<HashSet<String>>,
    previous_pending: Option<Vec<u32>>,
}

fn finish(f: FinishArgs<'_>) -> Plan {
    let FinishArgs {
        register,
        settings,
        run,
        scan,
        asmt,
        actions,
        waves,
        mut progress,
        previous_actions,
        previous_pending,
    } = f;
    let Assessment {
        mut systems,
        rows,
        unattributed,
        places,
        ..
    } = asmt;
    let open_now: Vec<u32> = systems.iter().map(|s| s.open).collect();
    if let (Some(prev), Some(last)) = (&previous_pending, progress.last()) {
        let date = last.date.clone();
        for (s, was) in systems.iter_mut().zip(prev) {
            if *was != s.open {
                s.reasons.push(Reason::new(
                    "plan.reason.progress",
                    &[
                        ("now", s.open.to_string()),
                        ("was", was.to_string()),
                        ("date", date.clone()),
                    ],
                ));
            }
        }
    }
    if let Some(r) = &run {
        progress.push(point(r, &open_now, register));
    }
    let mut totals = Totals {
        systems: systems.len() as u32,
        inventoried: systems.iter().filter(|s| s.inventoried).count() as u32,
        assets: rows.len() as u32,
        pending: systems.iter().map(|s| s.pending).sum(),
        broken: systems.iter().map(|s| s.broken).sum(),
        open: open_now.iter().sum(),
        actions: actions.len() as u32,
        ..Totals::default()
    };
    for s in &systems {
        totals.by_priority[(s.priority.number() - 1) as usize] += 1;
    }
    if let Some(prev) = previous_actions {
        let now: HashSet<String> = actions.iter().map(|a| a.key()).collect();
        totals.resolved = prev.iter().filter(|k| !now.contains(*k)).count() as u32;
    }
    let Policy {
        id,
        title,
        title_ja,
        sources,
        ..
    } = settings.policy.clone();
    Plan {
        schema: SCHEMA,
        organization: register.organization.name.clone(),
        policy: PolicyInfo {
            id,
            title,
            title_ja,
            sources,
        },
        crqc_year: settings.crqc_year,
        year: settings.year,
        run,
        totals,
        systems,
        waves,
        actions,
        progress,
        unattributed,
        rows,
        scan,
        places,
    }
}

impl Plan {
    /// Indices of the systems in reading order: priority, then deadline, then register
    /// order.
    pub fn priority_order(&self) -> Vec<usize> {
        let mut v: Vec<usize> = (0..self.systems.len()).collect();
        v.sort_by_key(|&i| {
            let s = &self.systems[i];
            (s.priority, s.deadline.unwrap_or(i32::MAX))
        });
        v
    }

    /// The systems in [`Plan::priority_order`].
    pub fn systems_by_priority(&self) -> Vec<&SystemAssessment> {
        self.priority_order()
            .into_iter()
            .map(|i| &self.systems[i])
            .collect()
    }
}
