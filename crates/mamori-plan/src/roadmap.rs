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
    /// Upgrade an installed OS package whose own files use the cryptography (its
    /// maintainers migrate it; the system takes the upgrade).
    UpgradePackage,
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
            ActionKind::UpgradePackage => "upgrade-package",
        }
    }
    /// Every kind, in the order of a wave.
    pub const ALL: [ActionKind; 12] = [
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
        ActionKind::UpgradePackage,
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
    /// Catalog arguments of `plan.action.<kind>` (a map in JSON); `{place}` is the target
    /// unless given here.
    #[serde(serialize_with = "args_as_map")]
    pub args: Vec<(&'static str, String)>,
    /// Actions that must be done first (ids).
    pub depends_on: Vec<String>,
    /// Assets the action migrates.
    pub assets: u32,
}

impl Action {
    /// Identity across runs (system, kind, place — a library's name and version for an
    /// upgrade, a package's name): how progress knows an action is done.
    pub fn key(&self) -> String {
        let ident = match self.kind {
            ActionKind::UpgradeLibrary => {
                format!("{}@{}", self.arg("library"), self.arg("version"))
            }
            ActionKind::UpgradePackage => self.arg("package").to_string(),
            _ => self.target.clone(),
        };
        format!("{}|{}|{ident}", self.system, self.kind.as_str())
    }

    /// The catalog argument `name` ("" when absent).
    pub fn arg(&self, name: &str) -> &str {
        self.args
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

fn args_as_map<S: serde::Serializer>(
    args: &[(&'static str, String)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(args.len()))?;
    for (k, v) in args {
        m.serialize_entry(k, v)?;
    }
    m.end()
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

/// An action named before it exists: its system, kind and identity (the target, or
/// `library@version` for an upgrade).
#[derive(Clone)]
struct Ref {
    system: usize,
    kind: ActionKind,
    ident: String,
}

struct Draft {
    system: usize,
    kind: ActionKind,
    target: String,
    args: Vec<(&'static str, String)>,
    /// Prerequisites: (system, kind, identity).
    deps: Vec<Ref>,
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
    let mut drafts: Vec<Draft> = Vec::with_capacity(asmt.rows.len());
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
    // The services of each system.
    let index: HashMap<&str, usize> = asmt
        .systems
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let mut services: Vec<Vec<&mamori_model::Endpoint>> = vec![Vec::new(); asmt.systems.len()];
    for e in &scan.endpoints {
        if let Some(&si) = attribution
            .system_of_path(&e.endpoint)
            .and_then(|id| index.get(id))
        {
            services[si].push(e);
        }
    }
    let places = &asmt.places;
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
        // Libraries first: the services and code of the system are built on them.
        let mut lib_keys = Vec::new();
        for l in libraries_of(rows, scan, places) {
            let (false, Some(from)) = (l.pqc, l.first_pqc.clone()) else {
                continue;
            };
            lib_keys.push((l.library.clone(), l.version.clone()));
            drafts.push(Draft {
                system: si,
                kind: ActionKind::UpgradeLibrary,
                target: l.place,
                args: vec![
                    ("library", l.library.clone()),
                    ("version", l.version.clone()),
                    ("from", from),
                ],
                deps: Vec::new(),
                assets: 0,
            });
        }
        let lib_deps: Vec<(bool, Ref)> = lib_keys
            .iter()
            .map(|(l, v)| {
                (
                    l == "OpenSSH",
                    Ref {
                        system: si,
                        kind: ActionKind::UpgradeLibrary,
                        ident: format!("{l}@{v}"),
                    },
                )
            })
            .collect();
        let lib_refs = |ssh: bool| -> Vec<Ref> {
            lib_deps
                .iter()
                .filter(|(is_ssh, _)| *is_ssh == ssh)
                .map(|(_, r)| r.clone())
                .collect()
        };
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
        // Services, with the classical key exchanges still open at each.
        let mut open_kex: HashMap<&str, u32> = HashMap::new();
        for r in rows {
            if r.concern != Concern::Confidentiality || !r.state.pending() {
                continue;
            }
            let mut at: Vec<&str> = r
                .occurrences(scan, places)
                .filter(|o| Origin::of(o) == Origin::Network)
                .map(|o| o.location.path.as_str())
                .collect();
            at.sort_unstable();
            at.dedup();
            for ep in at {
                *open_kex.entry(ep).or_default() += 1;
            }
        }
        for e in &services[si] {
            let pending_here =
                |_conf: bool| open_kex.get(e.endpoint.as_str()).copied().unwrap_or(0);
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
                        deps: lib_refs(false),
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
                        deps: lib_refs(true),
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
        // What installed packages own, per package: their maintainers change it, the system
        // takes the upgrade.
        let mut packages: BTreeMap<String, (String, Group)> = BTreeMap::new();
        let mut by_package = |o: &mamori_model::Occurrence, name: &str| {
            let Some(p) = o.package.as_deref() else {
                return;
            };
            let e = packages.entry(p.name.clone()).or_insert_with(|| {
                (
                    p.version.clone(),
                    Group {
                        names: BTreeSet::new(),
                        first: o.location.to_string(),
                        assets: 0,
                        ssh: false,
                    },
                )
            });
            e.1.names.insert(name.to_string());
            e.1.assets += 1;
        };
        for r in rows {
            if r.concern == Concern::None || !r.state.pending() {
                continue;
            }
            let a = &scan.assets[r.asset];
            let first = || r.first_place(scan, places);
            // Certificates and keys only packages hold are the packages' to replace.
            if r.origin == Origin::Package
                && matches!(a.kind, AssetKind::Certificate | AssetKind::Key)
            {
                let mut seen = BTreeSet::new();
                for o in r.occurrences(scan, places) {
                    if o.package
                        .as_ref()
                        .is_some_and(|p| seen.insert(p.name.as_str()))
                    {
                        by_package(o, &a.name);
                    }
                }
                continue;
            }
            match a.kind {
                AssetKind::Algorithm | AssetKind::Protocol => {
                    let name = a
                        .algorithm
                        .as_ref()
                        .map(|p| p.name.clone())
                        .unwrap_or_else(|| a.name.clone());
                    let mut seen_files = BTreeSet::new();
                    let mut seen_packages = BTreeSet::new();
                    for o in r.occurrences(scan, places) {
                        let origin = Origin::of(o);
                        if let Some(p) = o.package.as_deref() {
                            if seen_packages.insert(p.name.as_str()) {
                                by_package(o, &name);
                            }
                            continue;
                        }
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
                    // Where the private key is, rather than a certificate carrying its
                    // public half.
                    let at = r
                        .occurrences(scan, places)
                        .find(|o| o.detector == "key" || o.detector.starts_with("keystore"))
                        .map(|o| o.location.to_string())
                        .unwrap_or_else(first);
                    drafts.push(Draft {
                        system: si,
                        kind: by_state(r.state, ActionKind::ReplaceKeyNow, ActionKind::ReplaceKey),
                        target: at,
                        args: vec![("algorithm", alg)],
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
                                    ("place", first()),
                                ],
                                deps: Vec::new(),
                                assets: 1,
                            });
                            continue;
                        }
                    }
                    // Re-issuing with a post-quantum key waits for the CA; replacing a
                    // broken certificate does not.
                    let deps = match cas.get(c.issuer.as_str()) {
                        Some((cs, _)) if c.issuer != c.subject && r.state != State::Broken => {
                            vec![Ref {
                                system: *cs,
                                kind: ActionKind::MigrateCa,
                                ident: c.issuer.clone(),
                            }]
                        }
                        _ => Vec::new(),
                    };
                    drafts.push(Draft {
                        system: si,
                        kind: by_state(r.state, ActionKind::RemoveBroken, ActionKind::ReissueCert),
                        target: first(),
                        args: vec![
                            ("subject", c.subject.clone()),
                            ("algorithm", alg.clone()),
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
                    lib_refs(g.ssh)
                } else {
                    Vec::new()
                };
                drafts.push(Draft {
                    system: si,
                    kind,
                    target: g.first,
                    args: vec![("names", names(&g.names)), ("suggest", suggest.to_string())],
                    deps,
                    assets: g.assets,
                });
            }
        }
        for (name, (version, g)) in packages {
            drafts.push(Draft {
                system: si,
                kind: ActionKind::UpgradePackage,
                target: g.first,
                args: vec![
                    ("package", name),
                    ("version", version),
                    ("names", names(&g.names)),
                ],
                deps: Vec::new(),
                assets: g.assets,
            });
        }
    }
    finish(drafts, asmt, year)
}

/// `now` for an asset broken today, else `planned`.
fn by_state(state: State, now: ActionKind, planned: ActionKind) -> ActionKind {
    if state == State::Broken {
        now
    } else {
        planned
    }
}

/// A draft's identity: its target, `library@version` for a library upgrade (dependents name
/// a library before knowing where it was found), the package's name for a package upgrade.
fn ident(d: &Draft) -> std::borrow::Cow<'_, str> {
    let arg = |k: &str| {
        d.args
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    match d.kind {
        ActionKind::UpgradeLibrary => format!("{}@{}", arg("library"), arg("version")).into(),
        ActionKind::UpgradePackage => arg("package").into(),
        _ => d.target.as_str().into(),
    }
}

fn finish(drafts: Vec<Draft>, asmt: &Assessment, year: i32) -> (Vec<Action>, Vec<Wave>) {
    // One action per (system, kind, identity): drafts that name the same one add up.
    let idents: Vec<std::borrow::Cow<'_, str>> = drafts.iter().map(ident).collect();
    let mut slot_of: Vec<u32> = Vec::with_capacity(drafts.len());
    let mut edges: Vec<(u32, u32)> = Vec::new();
    let mut firsts: Vec<usize> = Vec::new();
    {
        let mut by_key: HashMap<(usize, ActionKind, &str), u32> =
            HashMap::with_capacity(drafts.len());
        for (i, d) in drafts.iter().enumerate() {
            let k = (d.system, d.kind, idents[i].as_ref());
            let n = by_key.len() as u32;
            let slot = *by_key.entry(k).or_insert(n);
            if slot == n {
                firsts.push(i);
            }
            slot_of.push(slot);
        }
        for (i, d) in drafts.iter().enumerate() {
            for r in &d.deps {
                if let Some(&j) = by_key.get(&(r.system, r.kind, r.ident.as_str())) {
                    edges.push((slot_of[i], j));
                }
            }
        }
    }
    edges.sort_unstable();
    edges.dedup();
    drop(idents);
    let mut extra_assets = vec![0u32; firsts.len()];
    for (i, d) in drafts.iter().enumerate() {
        if firsts[slot_of[i] as usize] != i {
            extra_assets[slot_of[i] as usize] += d.assets;
        }
    }
    let mut actions: Vec<Action> = Vec::with_capacity(firsts.len());
    let mut pending: Vec<Option<Draft>> = drafts.into_iter().map(Some).collect();
    for (slot, &i) in firsts.iter().enumerate() {
        let Some(d) = pending[i].take() else { continue };
        let sys = &asmt.systems[d.system];
        let urgent = d.kind.urgent();
        actions.push(Action {
            id: String::new(),
            system_index: d.system,
            system: sys.id.clone(),
            kind: d.kind,
            wave: if urgent { 1 } else { sys.priority.number() },
            deadline: if urgent { Some(year) } else { sys.deadline },
            target: d.target,
            args: d.args,
            depends_on: Vec::new(),
            assets: d.assets + extra_assets[slot],
        });
    }
    drop(pending);
    // A prerequisite is done in the earliest wave, by the earliest deadline, of what needs
    // it (twice: a CA's library may itself be a prerequisite).
    for _ in 0..2 {
        for &(i, j) in &edges {
            let (w, dl) = (actions[i as usize].wave, actions[i as usize].deadline);
            let p = &mut actions[j as usize];
            p.wave = p.wave.min(w);
            p.deadline = match (p.deadline, dl) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }
    // Roadmap order: wave, prerequisites first, then by deadline, system and kind. The
    // order is found on indices and applied once (an action is large to move).
    let kind_order = |k: ActionKind| ActionKind::ALL.iter().position(|x| *x == k).unwrap_or(0);
    let mut order: Vec<u32> = (0..actions.len() as u32).collect();
    order.sort_unstable_by(|&x, &y| {
        let (a, b) = (&actions[x as usize], &actions[y as usize]);
        a.wave
            .cmp(&b.wave)
            .then(b.kind.is_prerequisite().cmp(&a.kind.is_prerequisite()))
            .then(a.deadline.cmp(&b.deadline))
            .then(a.system_index.cmp(&b.system_index))
            .then(kind_order(a.kind).cmp(&kind_order(b.kind)))
            .then(a.target.cmp(&b.target))
            .then(x.cmp(&y))
    });
    let mut position = vec![0u32; actions.len()];
    for (new, &old) in order.iter().enumerate() {
        position[old as usize] = new as u32;
    }
    let mut slots: Vec<Option<Action>> = actions.into_iter().map(Some).collect();
    let mut actions: Vec<Action> = order
        .iter()
        .filter_map(|&old| slots[old as usize].take())
        .collect();
    drop(slots);
    for (i, a) in actions.iter_mut().enumerate() {
        a.id = format!("A{}", i + 1);
    }
    for &(i, j) in &edges {
        let id = format!("A{}", position[j as usize] + 1);
        actions[position[i as usize] as usize].depends_on.push(id);
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
        let start = if a.kind.urgent() {
            year
        } else {
            sys.start_by.unwrap_or(year)
        };
        w.start = w.start.min(start).max(year);
        w.end = w.end.max(a.deadline.unwrap_or(year));
    }
    let mut waves: Vec<Wave> = waves.into_values().collect();
    for w in &mut waves {
        w.start = w.start.min(w.end);
    }
    (actions, waves)
}
