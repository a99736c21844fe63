//! The roadmap: concrete, located actions per system, ordered into waves by priority and by
//! dependency (a library before the services built on it, a CA before the certificates it
//! issues).
//!
//! Each action is a catalog key (`plan.action.<kind>`) with arguments, so it reads as a
//! sentence in either language: "enable X25519MLKEM768 at 10.0.0.5:443 — needs OpenSSL 3.5
//! or later, found 3.0.11".

use mamori_model::{AssetKind, ScanResult};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::assess::{libraries_of, Assessment, Concern, Origin, State};
use crate::attribution::Attribution;

/// What is to be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    /// Upgrade a crypto library to a version with post-quantum algorithms.
    UpgradeLibrary,
    /// Move a certificate authority to post-quantum (or composite) signatures.
    MigrateCa,
    /// Remove cryptography broken today (in a file, in code, at a service).
    RemoveBroken,
    /// Replace a key broken today.
    ReplaceKeyNow,
    /// Offer a hybrid post-quantum key exchange at a TLS service.
    EnablePqTls,
    /// Offer a hybrid post-quantum key exchange at an SSH service.
    EnablePqSsh,
    /// Add a post-quantum key exchange where a configuration file sets classical ones.
    ConfigurePqKex,
    /// Plan post-quantum signatures where a configuration file sets classical ones.
    ConfigureSignatures,
    /// Replace quantum-vulnerable cryptography written into code, behind a configurable
    /// provider.
    ReplaceInCode,
    /// Re-issue a certificate with a post-quantum or composite key.
    ReissueCert,
    /// Replace a quantum-vulnerable key.
    ReplaceKey,
}

impl ActionKind {
    /// The kebab-case name (also the catalog key's tail).
    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::UpgradeLibrary => "upgrade-library",
            ActionKind::MigrateCa => "migrate-ca",
            ActionKind::RemoveBroken => "remove-broken",
            ActionKind::ReplaceKeyNow => "replace-key-now",
            ActionKind::EnablePqTls => "enable-pq-tls",
            ActionKind::EnablePqSsh => "enable-pq-ssh",
            ActionKind::ConfigurePqKex => "configure-pq-kex",
            ActionKind::ConfigureSignatures => "configure-signatures",
            ActionKind::ReplaceInCode => "replace-in-code",
            ActionKind::ReissueCert => "reissue-cert",
            ActionKind::ReplaceKey => "replace-key",
        }
    }
    /// Every kind, in the order of a wave.
    pub const ALL: [ActionKind; 11] = [
        ActionKind::UpgradeLibrary,
        ActionKind::MigrateCa,
        ActionKind::RemoveBroken,
        ActionKind::ReplaceKeyNow,
        ActionKind::EnablePqTls,
        ActionKind::EnablePqSsh,
        ActionKind::ConfigurePqKex,
        ActionKind::ConfigureSignatures,
        ActionKind::ReplaceInCode,
        ActionKind::ReissueCert,
        ActionKind::ReplaceKey,
    ];
    /// Prerequisites of other actions come first in their wave.
    pub fn is_prerequisite(self) -> bool {
        matches!(self, ActionKind::UpgradeLibrary | ActionKind::MigrateCa)
    }
    fn urgent(self) -> bool {
        matches!(self, ActionKind::RemoveBroken | ActionKind::ReplaceKeyNow)
    }
}

/// One step of the roadmap.
#[derive(Debug, Clone, Serialize)]
pub struct Action {
    /// Stable within a plan: `A1`, `A2` … in roadmap order.
    pub id: String,
    /// Identity across runs (system, kind, place): how progress knows an action is done.
    pub key: String,
    /// Index of the system in the assessment.
    #[serde(skip)]
    pub system_index: usize,
    /// The system's id.
    pub system: String,
    /// What.
    pub kind: ActionKind,
    /// Wave (1 first).
    pub wave: u8,
    /// Year by the end of which it must be done.
    pub deadline: Option<i32>,
    /// Where: a file (with line), an endpoint, a certificate's place.
    pub target: String,
    /// Catalog arguments of `plan.action.<kind>`.
    pub args: BTreeMap<String, String>,
    /// Actions that must be done first (ids).
    pub depends_on: Vec<String>,
    /// Assets the action migrates.
    pub assets: u32,
}

/// A wave of the roadmap.
#[derive(Debug, Clone, Serialize)]
pub struct Wave {
    /// 1 first.
    pub number: u8,
    /// Systems with actions in the wave (ids).
    pub systems: Vec<String>,
    /// Actions in the wave.
    pub actions: u32,
    /// Assets the wave migrates.
    pub assets: u32,
    /// Year the wave should start (the earliest start of its systems).
    pub start: i32,
    /// Year the wave must end (its latest deadline).
    pub end: i32,
}

/// Algorithms to change in one file.
struct Group {
    names: BTreeSet<String>,
    first: String,
    assets: u32,
    /// An SSH configuration (its post-quantum key exchanges have other names).
    ssh: bool,
}

type Groups = BTreeMap<String, Group>;

struct Draft {
    system: usize,
    kind: ActionKind,
    target: String,
    args: Vec<(&'static str, String)>,
    deps: Vec<String>,
    assets: u32,
}

fn names(set: &BTreeSet<String>) -> String {
    const MAX: usize = 6;
    let mut v: Vec<&str> = set.iter().map(String::as_str).take(MAX).collect();
    let more = set.len().saturating_sub(MAX);
    let tail = if more > 0 {
        format!(" (+{more})")
    } else {
        String::new()
    };
    v.dedup();
    format!("{}{tail}", v.join(", "))
}

/// Builds the actions and waves of an assessment.
pub fn roadmap(
    scan: &ScanResult,
    asmt: &Assessment,
    attribution: &Attribution,
    year: i32,
) -> (Vec<Action>, Vec<Wave>) {
    let mut drafts: Vec<Draft> = Vec::new();
    // CA subject → (system, asset) of a quantum-vulnerable intermediate CA in the inventory.
    let mut cas: HashMap<&str, (usize, usize)> = HashMap::new();
    for r in &asmt.rows {
        let a = &scan.assets[r.asset];
        if let Some(c) = &a.certificate {
            if c.is_ca && !c.self_signed && r.state.pending() {
                cas.entry(c.subject.as_str()).or_insert((r.system, r.asset));
            }
        }
    }
    let mut start = 0;
    for (si, sys) in asmt.systems.iter().enumerate() {
        let mut end = start;
        while end < asmt.rows.len() && asmt.rows[end].system == si {
            end += 1;
        }
        let rows = &asmt.rows[start..end];
        start = end;
        if sys.pending == 0 {
            continue;
        }
        let mine = |l: &mamori_model::Location| attribution.system_of(l) == Some(sys.id.as_str());
        // Libraries first: the services and code of the system are built on them.
        let mut lib_keys = Vec::new();
        for l in libraries_of(rows, scan) {
            let (false, Some(from)) = (l.pqc, l.first_pqc.clone()) else {
                continue;
            };
            let a = &scan.assets[l.asset];
            let place = a
                .occurrences
                .iter()
                .find(|o| mine(&o.location))
                .map(|o| o.location.to_string())
                .unwrap_or_default();
            lib_keys.push((l.library.clone(), l.version.clone()));
            drafts.push(Draft {
                system: si,
                kind: ActionKind::UpgradeLibrary,
                target: place,
                args: vec![
                    ("library", l.library.clone()),
                    ("version", l.version.clone()),
                    ("from", from),
                ],
                deps: Vec::new(),
                assets: 0,
            });
        }
        let lib_deps: Vec<String> = lib_keys
            .iter()
            .map(|(l, v)| action_key(&sys.id, ActionKind::UpgradeLibrary, &format!("{l}@{v}")))
            .collect();
        let tls_libs: Vec<String> = lib_keys
            .iter()
            .filter(|(l, _)| l != "OpenSSH")
            .map(|(l, v)| format!("{l} {v}"))
            .collect();
        let ssh_libs: Vec<String> = lib_keys
            .iter()
            .filter(|(l, _)| l == "OpenSSH")
            .map(|(l, v)| format!("{l} {v}"))
            .collect();
        // Services.
        for e in &scan.endpoints {
            if attribution.system_of_path(&e.endpoint) != Some(sys.id.as_str()) {
                continue;
            }
            let pending_here = |conf: bool| {
                rows.iter()
                    .filter(|r| {
                        r.state.pending()
                            && (r.concern == Concern::Confidentiality) == conf
                            && r.concern != Concern::None
                            && scan.assets[r.asset]
                                .occurrences
                                .iter()
                                .any(|o| o.location.path == e.endpoint)
                    })
                    .count() as u32
            };
            if let Some(t) = &e.tls {
                if !t.pq_key_exchange {
                    let found = if tls_libs.is_empty() {
                        "-".to_string()
                    } else {
                        tls_libs.join(", ")
                    };
                    drafts.push(Draft {
                        system: si,
                        kind: ActionKind::EnablePqTls,
                        target: e.endpoint.clone(),
                        args: vec![("endpoint", e.endpoint.clone()), ("found", found)],
                        deps: lib_deps
                            .iter()
                            .filter(|k| !k.contains("|OpenSSH@"))
                            .cloned()
                            .collect(),
                        assets: pending_here(true),
                    });
                }
            }
            if let Some(s) = &e.ssh {
                if !s.pq_key_exchange {
                    let found = if !s.software.is_empty() {
                        s.software.clone()
                    } else if !ssh_libs.is_empty() {
                        ssh_libs.join(", ")
                    } else {
                        "-".into()
                    };
                    drafts.push(Draft {
                        system: si,
                        kind: ActionKind::EnablePqSsh,
                        target: e.endpoint.clone(),
                        args: vec![("endpoint", e.endpoint.clone()), ("found", found)],
                        deps: lib_deps
                            .iter()
                            .filter(|k| k.contains("|OpenSSH@"))
                            .cloned()
                            .collect(),
                        assets: pending_here(true),
                    });
                }
            }
        }
        // Broken and quantum-vulnerable algorithms, grouped per file and per service.
        let mut broken_at: Groups = BTreeMap::new();
        let mut kex_config: Groups = BTreeMap::new();
        let mut sig_config: Groups = BTreeMap::new();
        let mut code: Groups = BTreeMap::new();
        for r in rows {
            if r.concern == Concern::None || !r.state.pending() {
                continue;
            }
            let a = &scan.assets[r.asset];
            match a.kind {
                AssetKind::Algorithm | AssetKind::Protocol => {
                    let name = a
                        .algorithm
                        .as_ref()
                        .map(|p| p.name.clone())
                        .unwrap_or_else(|| a.name.clone());
                    let mut seen_files = BTreeSet::new();
                    for o in a.occurrences.iter().filter(|o| mine(&o.location)) {
                        let origin = Origin::of(o);
                        let file = o.location.path.clone();
                        if !seen_files.insert((file.clone(), origin)) {
                            continue;
                        }
                        let group = if r.state == State::Broken {
                            match origin {
                                Origin::Network | Origin::Config | Origin::Code => {
                                    Some(&mut broken_at)
                                }
                                _ => None,
                            }
                        } else {
                            match (origin, r.concern) {
                                (Origin::Config, Concern::Confidentiality) => Some(&mut kex_config),
                                (Origin::Config, _) => Some(&mut sig_config),
                                (Origin::Code, _) => Some(&mut code),
                                // Services: the endpoint action covers them; files: the
                                // certificate or key action does.
                                _ => None,
                            }
                        };
                        if let Some(g) = group {
                            let e = g.entry(file).or_insert_with(|| Group {
                                names: BTreeSet::new(),
                                first: o.location.to_string(),
                                assets: 0,
                                ssh: o.detector == "config.ssh",
                            });
                            e.names.insert(name.clone());
                            e.assets += 1;
                        }
                    }
                }
                AssetKind::Key => {
                    let k = a.key.as_ref();
                    let alg = k.map(|k| k.algorithm.clone()).unwrap_or_default();
                    drafts.push(Draft {
                        system: si,
                        kind: if r.state == State::Broken {
                            ActionKind::ReplaceKeyNow
                        } else {
                            ActionKind::ReplaceKey
                        },
                        target: r.location.clone(),
                        args: vec![("algorithm", alg), ("place", r.location.clone())],
                        deps: Vec::new(),
                        assets: 1,
                    });
                }
                AssetKind::Certificate => {
                    let Some(c) = &a.certificate else { continue };
                    let alg = match c.public_key_size {
                        Some(b)
                            if !c
                                .public_key_algorithm
                                .contains(|ch: char| ch.is_ascii_digit()) =>
                        {
                            format!("{}-{b}", c.public_key_algorithm)
                        }
                        _ => c.public_key_algorithm.clone(),
                    };
                    if c.is_ca {
                        // Added once below, when something it issues needs it; otherwise a
                        // CA of the system's own is re-issued like any certificate.
                        if cas.get(c.subject.as_str()).map(|x| x.1) == Some(r.asset) {
                            drafts.push(Draft {
                                system: si,
                                kind: ActionKind::MigrateCa,
                                target: c.subject.clone(),
                                args: vec![
                                    ("subject", c.subject.clone()),
                                    ("algorithm", alg),
                                    ("place", r.location.clone()),
                                ],
                                deps: Vec::new(),
                                assets: 1,
                            });
                            continue;
                        }
                    }
                    let deps = match cas.get(c.issuer.as_str()) {
                        Some((cs, _)) if c.issuer != c.subject => vec![action_key(
                            &asmt.systems[*cs].id,
                            ActionKind::MigrateCa,
                            &c.issuer,
                        )],
                        _ => Vec::new(),
                    };
                    drafts.push(Draft {
                        system: si,
                        kind: if r.state == State::Broken {
                            ActionKind::RemoveBroken
                        } else {
                            ActionKind::ReissueCert
                        },
                        target: r.location.clone(),
                        args: vec![
                            ("subject", c.subject.clone()),
                            ("algorithm", alg.clone()),
                            ("place", r.location.clone()),
                            ("names", alg),
                        ],
                        deps,
                        assets: 1,
                    });
                }
                AssetKind::Library => {}
            }
        }
        for (kind, groups) in [
            (ActionKind::RemoveBroken, broken_at),
            (ActionKind::ConfigurePqKex, kex_config),
            (ActionKind::ConfigureSignatures, sig_config),
            (ActionKind::ReplaceInCode, code),
        ] {
            for (_file, g) in groups {
                let suggest = if g.ssh {
                    "mlkem768x25519-sha256, sntrup761x25519-sha512"
                } else {
                    "X25519MLKEM768"
                };
                let deps = if matches!(kind, ActionKind::ReplaceInCode | ActionKind::ConfigurePqKex)
                {
                    // SSH configuration waits for OpenSSH; the rest for the TLS libraries.
                    lib_deps
                        .iter()
                        .filter(|k| k.contains("|OpenSSH@") == g.ssh)
                        .cloned()
                        .collect()
                } else {
                    Vec::new()
                };
                drafts.push(Draft {
                    system: si,
                    kind,
                    target: g.first.clone(),
                    args: vec![
                        ("names", names(&g.names)),
                        ("place", g.first),
                        ("suggest", suggest.to_string()),
                    ],
                    deps,
                    assets: g.assets,
                });
            }
        }
    }
    finish(drafts, asmt, year)
}

fn action_key(system: &str, kind: ActionKind, target: &str) -> String {
    format!("{system}|{}|{target}", kind.as_str())
}

fn finish(drafts: Vec<Draft>, asmt: &Assessment, year: i32) -> (Vec<Action>, Vec<Wave>) {
    // Keys: a library action's key names the library (not its file), so dependents can
    // name it before knowing where it was found.
    let key_of = |d: &Draft| {
        let sys = &asmt.systems[d.system].id;
        match d.kind {
            ActionKind::UpgradeLibrary => {
                let arg = |k: &str| {
                    d.args
                        .iter()
                        .find(|(n, _)| *n == k)
                        .map(|(_, v)| v.as_str())
                        .unwrap_or("")
                };
                action_key(
                    sys,
                    d.kind,
                    &format!("{}@{}", arg("library"), arg("version")),
                )
            }
            _ => action_key(sys, d.kind, &d.target),
        }
    };
    let mut actions: Vec<Action> = Vec::with_capacity(drafts.len());
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for d in drafts {
        let key = key_of(&d);
        if let Some(&i) = by_key.get(&key) {
            actions[i].assets += d.assets;
            continue;
        }
        let sys = &asmt.systems[d.system];
        let wave = if d.kind.urgent() {
            1
        } else {
            sys.priority.number()
        };
        by_key.insert(key.clone(), actions.len());
        actions.push(Action {
            id: String::new(),
            key,
            system_index: d.system,
            system: sys.id.clone(),
            kind: d.kind,
            wave,
            deadline: if d.kind.urgent() {
                Some(year)
            } else {
                sys.deadline
            },
            target: d.target,
            args: d
                .args
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            depends_on: d.deps,
            assets: d.assets,
        });
    }
    // A prerequisite is done in the earliest wave, by the earliest deadline, of what needs it.
    for _ in 0..2 {
        for i in 0..actions.len() {
            let (w, dl) = (actions[i].wave, actions[i].deadline);
            for k in actions[i].depends_on.clone() {
                if let Some(&j) = by_key.get(&k) {
                    let p = &mut actions[j];
                    p.wave = p.wave.min(w);
                    p.deadline = match (p.deadline, dl) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                }
            }
        }
    }
    // Roadmap order: wave, prerequisites first, then by deadline, system and kind.
    let order = |k: ActionKind| ActionKind::ALL.iter().position(|x| *x == k).unwrap_or(0);
    actions.sort_by(|a, b| {
        a.wave
            .cmp(&b.wave)
            .then(b.kind.is_prerequisite().cmp(&a.kind.is_prerequisite()))
            .then(a.deadline.cmp(&b.deadline))
            .then(a.system_index.cmp(&b.system_index))
            .then(order(a.kind).cmp(&order(b.kind)))
            .then(a.target.cmp(&b.target))
    });
    let mut id_of: HashMap<String, String> = HashMap::with_capacity(actions.len());
    for (i, a) in actions.iter_mut().enumerate() {
        a.id = format!("A{}", i + 1);
        id_of.insert(a.key.clone(), a.id.clone());
    }
    for a in &mut actions {
        a.depends_on = a
            .depends_on
            .iter()
            .filter_map(|k| id_of.get(k).cloned())
            .collect();
    }
    let mut waves: BTreeMap<u8, Wave> = BTreeMap::new();
    let mut in_wave: BTreeSet<(u8, usize)> = BTreeSet::new();
    for a in &actions {
        let sys = &asmt.systems[a.system_index];
        let w = waves.entry(a.wave).or_insert_with(|| Wave {
            number: a.wave,
            systems: Vec::new(),
            actions: 0,
            assets: 0,
            start: i32::MAX,
            end: year,
        });
        w.actions += 1;
        w.assets += a.assets;
        if in_wave.insert((a.wave, a.system_index)) {
            w.systems.push(sys.id.clone());
        }
        w.start = w.start.min(sys.start_by.unwrap_or(year)).max(year);
        w.end = w.end.max(a.deadline.unwrap_or(year));
    }
    let mut waves: Vec<Wave> = waves.into_values().collect();
    for w in &mut waves {
        w.start = w.start.min(w.end);
    }
    (actions, waves)
}
