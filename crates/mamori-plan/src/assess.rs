//! The quantum-risk assessment: every asset of a scan judged per system it was seen in,
//! then per system Mosca's inequality, a priority, a deadline under the policy and a
//! crypto-agility score, each with its reasons (decision 010 gives the rules and why).
//!
//! Reasons are catalog keys with arguments (`plan.reason.*`, `plan.agility.*`), so a plan
//! renders in any language from the same data.

use mamori_algorithms::libraries;
use mamori_model::{AssetKind, CryptoAsset, CryptoStatus, Primitive, ScanResult};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::attribution::Attribution;
use crate::policy::Policy;
use crate::register::{Criticality, Register, System};

/// What a quantum computer would do to an asset's use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Concern {
    /// Key exchange and encryption: traffic recorded today is read later ("harvest now,
    /// decrypt later"), so the data's confidentiality lifetime counts.
    Confidentiality,
    /// Signatures and certificates: forgery becomes possible only once the quantum computer
    /// exists.
    Authenticity,
    /// Nothing to migrate in itself (a library, a protocol version judged by its key
    /// exchanges, a trust anchor or someone else's public key).
    None,
}

impl Concern {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Concern::Confidentiality => "confidentiality",
            Concern::Authenticity => "authenticity",
            Concern::None => "none",
        }
    }
}

/// Where an asset stands in the migration, for one system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Broken today, quantum computer or not: replace now.
    Broken,
    /// Falls to a quantum computer: to migrate.
    Vulnerable,
    /// A classical key exchange still accepted for old clients by a service whose modern
    /// clients already get a post-quantum one.
    Fallback,
    /// A self-signed root in a trust store, or a public key with no private key beside it
    /// (someone else's: a signing key in a keyring, a user's login key): replaced by its
    /// owner, not by the system.
    External,
    /// Classical and post-quantum combined: migrated.
    Hybrid,
    /// Resists known quantum attacks.
    Safe,
    /// Not enough known to judge.
    Unknown,
}

impl State {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Broken => "broken",
            State::Vulnerable => "vulnerable",
            State::Fallback => "fallback",
            State::External => "external",
            State::Hybrid => "hybrid",
            State::Safe => "safe",
            State::Unknown => "unknown",
        }
    }
    /// Whether the asset is work still to do.
    pub fn pending(self) -> bool {
        matches!(self, State::Broken | State::Vulnerable)
    }
}

/// How the algorithm came to be used where it was seen: the first thing agility asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Negotiated by a network service (changeable by configuration).
    Network,
    /// Set in a configuration file.
    Config,
    /// Written into source code or compiled classes.
    Code,
    /// A certificate or key file.
    File,
    /// A library or binary.
    Binary,
    /// A file an installed OS package owns (changed by upgrading or configuring the
    /// package, not by editing it).
    Package,
    /// Anything else (an imported BOM).
    Other,
}

impl Origin {
    /// From an occurrence: its detector, and for code whether the file belongs to
    /// software the system installs rather than writes (a Python standard library,
    /// `node_modules`, `site-packages`, vendored modules): that code changes by upgrading
    /// the package, so it counts as shipped software. A place in a file an installed OS
    /// package owns is the package's, whatever found it.
    pub fn of(o: &mamori_model::Occurrence) -> Origin {
        if o.package.is_some() {
            return Origin::Package;
        }
        match Origin::of_detector(&o.detector) {
            Origin::Code if is_third_party(&o.location.path) => Origin::Binary,
            x => x,
        }
    }

    /// From an occurrence's detector name alone.
    pub fn of_detector(d: &str) -> Origin {
        if d.starts_with("net.") {
            Origin::Network
        } else if d.starts_with("config.") {
            Origin::Config
        } else if d.starts_with("source.") || d == "java" {
            Origin::Code
        } else if d == "certificate" || d == "key" || d.starts_with("keystore") {
            Origin::File
        } else if d.starts_with("binary") {
            Origin::Binary
        } else {
            Origin::Other
        }
    }
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Network => "network",
            Origin::Config => "config",
            Origin::Code => "code",
            Origin::File => "file",
            Origin::Binary => "binary",
            Origin::Package => "package",
            Origin::Other => "other",
        }
    }
}

/// Whether a source file belongs to installed third-party software.
pub fn is_third_party(path: &str) -> bool {
    const MARKS: [&str; 9] = [
        "/site-packages/",
        "/dist-packages/",
        "/node_modules/",
        "/vendor/",
        "/.cargo/registry/",
        "/go/pkg/mod/",
        "/usr/lib/python",
        "/usr/lib64/python",
        "/usr/share/",
    ];
    MARKS.iter().any(|m| path.contains(m))
}

/// Migration priority of a system: P1 first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Priority {
    /// Now: data already exposed or broken cryptography on a critical or high system.
    P1,
    /// Next.
    P2,
    /// Planned.
    P3,
    /// Watch: nothing, or little, to do.
    P4,
}

impl Priority {
    /// `P1` … `P4`.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
            Priority::P4 => "P4",
        }
    }
    /// 1 … 4.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }
    fn raise_to(&mut self, p: Priority) {
        if p < *self {
            *self = p;
        }
    }
}

/// A sentence of a plan: a catalog key and its arguments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// Catalog key (`plan.reason.hndl-exposed` …).
    pub key: String,
    /// Placeholder values.
    pub args: BTreeMap<String, String>,
}

impl Reason {
    /// A reason from a key and `(name, value)` pairs.
    pub fn new(key: &str, args: &[(&str, String)]) -> Reason {
        Reason {
            key: key.to_string(),
            args: args
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }
}

/// One asset as seen in one system.
#[derive(Debug, Clone, Serialize)]
pub struct AssetRow {
    /// Index of the system in [`Assessment::systems`].
    #[serde(skip)]
    pub system: usize,
    /// Index of the asset in the scan's `assets`.
    #[serde(skip)]
    pub asset: usize,
    /// What a quantum computer threatens.
    pub concern: Concern,
    /// Where it stands.
    pub state: State,
    /// How it is chosen where it was seen (the most changeable origin among its places).
    pub origin: Origin,
    /// How many places in the system.
    pub places: u32,
    /// Of those, places still to migrate (0 unless the asset is pending; a classical key
    /// exchange at a service that already offers a post-quantum one is not counted).
    pub open: u32,
    /// Where this row's places start in [`Assessment::places`] (`places` long).
    #[serde(skip)]
    pub places_at: u32,
}

impl AssetRow {
    /// Its first place in the system (`path:line`, `image!path`, `host:port`).
    pub fn first_place(&self, scan: &ScanResult, places: &[u32]) -> String {
        self.occurrences(scan, places)
            .next()
            .map(|o| o.location.to_string())
            .unwrap_or_default()
    }

    /// The occurrences of the row's asset that lie in the row's system.
    pub fn occurrences<'a>(
        &self,
        scan: &'a ScanResult,
        places: &'a [u32],
    ) -> impl Iterator<Item = &'a mamori_model::Occurrence> + 'a {
        let a = &scan.assets[self.asset];
        let from = self.places_at as usize;
        places[from..from + self.places as usize]
            .iter()
            .map(move |&i| &a.occurrences[i as usize])
    }
}

/// Mosca's inequality for a system: data must stay secret `x` years, migration takes `y`
/// years, a quantum computer arrives in `z` years; `x + y > z` means data sent today is
/// readable before its secrecy ends.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Mosca {
    /// Years the data must stay confidential (the register's `confidentiality_years`).
    pub x: u32,
    /// Estimated years to migrate (from the inventory and the agility score).
    pub y: f64,
    /// Years until the assumed quantum computer.
    pub z: i32,
    /// `z - (x + y)`: negative means exposed.
    pub margin: f64,
    /// Whether `x + y > z` and a quantum-vulnerable key exchange is still in use.
    pub exposed: bool,
}

/// The state of one track (key exchange, or signatures) of a system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Track {
    /// Nothing of this kind was found.
    None,
    /// Everything found is hybrid or quantum-safe (classical fallbacks aside).
    Done,
    /// Some is migrated, some is not.
    Partial,
    /// Nothing is migrated.
    Pending,
}

impl Track {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Track::None => "none",
            Track::Done => "done",
            Track::Partial => "partial",
            Track::Pending => "pending",
        }
    }
    fn of(pending: u32, done: u32) -> Track {
        match (pending, done) {
            (0, 0) => Track::None,
            (0, _) => Track::Done,
            (_, 0) => Track::Pending,
            _ => Track::Partial,
        }
    }
}

/// One part of the agility score.
#[derive(Debug, Clone, Serialize)]
pub struct AgilityPart {
    /// Which part (`choice`, `software`, `certificates`, `policy`).
    pub part: &'static str,
    /// Points earned.
    pub points: u32,
    /// Points possible.
    pub max: u32,
    /// Why.
    pub reason: Reason,
}

impl AgilityPart {
    /// A part out of 25 points.
    fn of(part: &'static str, points: u32, reason: Reason) -> AgilityPart {
        AgilityPart {
            part,
            points,
            max: 25,
            reason,
        }
    }
}

/// Crypto-agility: how easily the system can change its cryptography, 0 to 100.
#[derive(Debug, Clone, Serialize)]
pub struct Agility {
    /// Sum of the parts.
    pub score: u32,
    /// The parts, each with its reason.
    pub parts: Vec<AgilityPart>,
}

/// The assessment of one system.
#[derive(Debug, Clone, Serialize)]
pub struct SystemAssessment {
    /// Register id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Owner.
    pub owner: String,
    /// Criticality.
    pub criticality: &'static str,
    /// Priority.
    pub priority: Priority,
    /// Year by the end of which the migration must be done; `None` when nothing is to do.
    pub deadline: Option<i32>,
    /// Year to start so that `y` years of work end by the deadline.
    pub start_by: Option<i32>,
    /// Mosca's inequality.
    pub mosca: Mosca,
    /// Key exchange and encryption.
    pub key_exchange: Track,
    /// Signatures and certificates.
    pub signatures: Track,
    /// Crypto-agility.
    pub agility: Agility,
    /// Assets seen in the system.
    pub assets: u32,
    /// Assets still to migrate (broken or quantum-vulnerable).
    pub pending: u32,
    /// Of which broken today.
    pub broken: u32,
    /// Places still to migrate (an asset counts once per place): what progress counts.
    pub open: u32,
    /// Whether the scan saw anything of the system at all.
    pub inventoried: bool,
    /// Why the priority and deadline are what they are.
    pub reasons: Vec<Reason>,
}

/// Everything a plan is judged from besides the scan.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The policy profile.
    pub policy: Policy,
    /// Assumed year of a cryptographically relevant quantum computer (the register's, else
    /// the policy's).
    pub crqc_year: i32,
    /// This year (tests pin it).
    pub year: i32,
}

/// A scan judged per system.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// One per register system, in register order.
    pub systems: Vec<SystemAssessment>,
    /// One per (system, asset) seen there, grouped by system.
    pub rows: Vec<AssetRow>,
    /// Assets seen in no system.
    pub unattributed: u32,
    /// Occurrence indices of every row, row after row (see [`AssetRow::occurrences`]).
    pub places: Vec<u32>,
}

/// Rows of a scan with what they were judged from.
pub struct Rows {
    /// One per (system, asset) seen there, grouped by system.
    pub rows: Vec<AssetRow>,
    /// Occurrence indices of every row.
    pub places: Vec<u32>,
    /// Assets seen in no system.
    pub unattributed: u32,
}

/// What a quantum computer threatens in an asset's use, and whether it is a trust anchor.
pub fn concern(a: &CryptoAsset) -> Concern {
    match a.kind {
        AssetKind::Library => Concern::None,
        // A protocol version is judged by the key exchanges negotiated under it; only a
        // broken version is work in itself.
        AssetKind::Protocol => {
            if a.status() == CryptoStatus::Broken {
                Concern::Confidentiality
            } else {
                Concern::None
            }
        }
        AssetKind::Certificate => {
            if a.certificate
                .as_ref()
                .is_some_and(|c| c.self_signed && c.is_ca)
            {
                Concern::None
            } else {
                Concern::Authenticity
            }
        }
        AssetKind::Key if is_external_key(a) => Concern::None,
        AssetKind::Key => match a.algorithm.as_ref().map(|p| p.primitive) {
            Some(Primitive::KeyAgree | Primitive::Kem) => Concern::Confidentiality,
            _ => Concern::Authenticity,
        },
        AssetKind::Algorithm => match a.algorithm.as_ref().map(|p| p.primitive) {
            Some(Primitive::Signature | Primitive::Mac | Primitive::Hash) => Concern::Authenticity,
            // RSA decrypts and signs: the places it is used in decide (see `rows`).
            _ => Concern::Confidentiality,
        },
    }
}

/// A public key seen without its private key, and not served by a service of the
/// system: a keyring's signing key, a user's login key.
fn is_external_key(a: &CryptoAsset) -> bool {
    a.key.as_ref().is_some_and(|k| k.material == "public-key")
        && !a
            .occurrences
            .iter()
            .any(|o| Origin::of_detector(&o.detector) == Origin::Network)
}

fn state_of(a: &CryptoAsset, concern: Concern) -> State {
    if matches!(a.kind, AssetKind::Certificate | AssetKind::Key) && concern == Concern::None {
        return State::External;
    }
    match a.status() {
        CryptoStatus::Broken => State::Broken,
        CryptoStatus::QuantumVulnerable => State::Vulnerable,
        CryptoStatus::Hybrid => State::Hybrid,
        CryptoStatus::QuantumSafe => State::Safe,
        CryptoStatus::Unknown => State::Unknown,
    }
}

/// Judges every asset of `scan` in every system it was seen in.
pub fn rows(scan: &ScanResult, systems: &[System], attribution: &Attribution) -> Rows {
    let index: HashMap<&str, usize> = systems
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let pq_endpoints: BTreeSet<String> = scan
        .endpoints
        .iter()
        .filter(|e| {
            e.tls.as_ref().is_some_and(|t| t.pq_key_exchange)
                || e.ssh.as_ref().is_some_and(|s| s.pq_key_exchange)
        })
        .map(|e| e.endpoint.clone())
        .collect();
    let mut out = Vec::with_capacity(scan.assets.len());
    let mut unattributed = 0u32;
    // Per asset: its places grouped by system, in first-seen order.
    struct Seen {
        system: usize,
        places: u32,
        origin: Origin,
        fallbacks: u32,
        /// Seen in code or configuration (a choice someone made).
        chosen: bool,
        /// Seen only as the algorithm of certificate and key files.
        files_only: bool,
        /// Its occurrences in the system.
        occ: Vec<u32>,
    }
    let mut per: Vec<Seen> = Vec::new();
    // System → its entry in `per` for the asset at hand (u32::MAX: none yet): a shared
    // algorithm has places in every system, and a linear search would be quadratic.
    let mut slot: Vec<u32> = vec![u32::MAX; systems.len()];
    let mut places: Vec<u32> =
        Vec::with_capacity(scan.assets.iter().map(|a| a.occurrences.len()).sum());
    for (ai, a) in scan.assets.iter().enumerate() {
        for p in per.drain(..) {
            slot[p.system] = u32::MAX;
        }
        for (oi, o) in a.occurrences.iter().enumerate() {
            let Some(si) = attribution
                .system_of(&o.location)
                .and_then(|id| index.get(id).copied())
            else {
                continue;
            };
            let origin = Origin::of(o);
            // A classical key exchange at a service that already gives modern clients a
            // post-quantum one is kept for old clients: a fallback, not work.
            let fallback = u32::from(
                origin == Origin::Network && pq_endpoints.contains(o.location.path.as_str()),
            );
            let chosen = matches!(origin, Origin::Code | Origin::Config);
            // A certificate or key file, whoever owns it.
            let file = Origin::of_detector(&o.detector) == Origin::File;
            match per.get_mut(slot[si] as usize) {
                Some(p) => {
                    p.places += 1;
                    p.origin = p.origin.min(origin);
                    p.fallbacks += fallback;
                    p.chosen |= chosen;
                    p.files_only &= file;
                    p.occ.push(oi as u32);
                }
                None => {
                    slot[si] = per.len() as u32;
                    per.push(Seen {
                        system: si,
                        places: 1,
                        origin,
                        fallbacks: fallback,
                        chosen,
                        files_only: file,
                        occ: vec![oi as u32],
                    })
                }
            }
        }
        if per.is_empty() {
            unattributed += 1;
            continue;
        }
        let c0 = concern(a);
        let base = state_of(a, c0);
        let rsa = a
            .algorithm
            .as_ref()
            .is_some_and(|p| p.primitive == Primitive::Pke && p.family == "RSA");
        for seen in &mut per {
            let places_at = places.len() as u32;
            places.append(&mut seen.occ);
            let (si, n, origin, fallbacks, chosen, files_only) = (
                seen.system,
                seen.places,
                seen.origin,
                seen.fallbacks,
                seen.chosen,
                seen.files_only,
            );
            let c = if a.kind != AssetKind::Algorithm {
                c0
            } else if files_only {
                // The algorithm of certificates and keys on disk: their own rows carry the
                // work; counting it again would double it.
                Concern::None
            } else if rsa && !chosen {
                // RSA as the key of certificates and services signs; chosen in code or
                // configuration it may well encrypt (RSA-OAEP, key transport), so it is
                // judged as the harvest-now risk there.
                Concern::Authenticity
            } else {
                c0
            };
            let kex = base == State::Vulnerable && c == Concern::Confidentiality;
            let state = if kex && fallbacks == n {
                State::Fallback
            } else {
                base
            };
            let open = if c == Concern::None || !state.pending() {
                0
            } else if kex {
                n - fallbacks
            } else {
                n
            };
            out.push(AssetRow {
                system: si,
                asset: ai,
                concern: c,
                state,
                origin,
                places: n,
                open,
                places_at,
            });
        }
    }
    out.sort_by_key(|r| (r.system, r.asset));
    Rows {
        rows: out,
        places,
        unattributed,
    }
}

/// Places still to migrate per system (by register index) — what progress over runs
/// counts: a service that moves to a post-quantum key exchange counts down even while the
/// same algorithm is still used elsewhere in the system.
pub fn open_per_system(rows: &[AssetRow], systems: usize) -> Vec<u32> {
    let mut v = vec![0u32; systems];
    for r in rows {
        v[r.system] += r.open;
    }
    v
}

/// Assesses `scan` against the register under `settings`.
pub fn assess(
    scan: &ScanResult,
    register: &Register,
    attribution: &Attribution,
    settings: &Settings,
) -> Assessment {
    let Rows {
        rows,
        places,
        unattributed,
    } = rows(scan, &register.systems, attribution);
    let mut systems = Vec::with_capacity(register.systems.len());
    let mut start = 0;
    for (si, sys) in register.systems.iter().enumerate() {
        let mut end = start;
        while end < rows.len() && rows[end].system == si {
            end += 1;
        }
        systems.push(assess_system(
            sys,
            &rows[start..end],
            scan,
            &places,
            settings,
        ));
        start = end;
    }
    Assessment {
        systems,
        rows,
        unattributed,
        places,
    }
}

/// Work counted for the migration-time estimate.
#[derive(Debug, Default, Clone, Copy)]
struct Work {
    code_places: u32,
    config_places: u32,
    services: u32,
    certs_keys: u32,
    libraries: u32,
}

fn estimate_years(w: Work, agility: u32) -> f64 {
    if w.code_places + w.config_places + w.services + w.certs_keys + w.libraries == 0 {
        return 0.0;
    }
    let raw = 0.5
        + 0.1 * f64::from(w.code_places)
        + 0.05 * f64::from(w.config_places + w.services)
        + 0.01 * f64::from(w.certs_keys)
        + 0.25 * f64::from(w.libraries);
    let factor = 2.0 - f64::from(agility) / 100.0;
    ((raw * factor).min(15.0) * 10.0).round() / 10.0
}

fn assess_system(
    sys: &System,
    rows: &[AssetRow],
    scan: &ScanResult,
    places: &[u32],
    s: &Settings,
) -> SystemAssessment {
    let mut reasons = Vec::new();
    let (mut kex_pending, mut kex_done, mut sig_pending, mut sig_done, mut broken) =
        (0u32, 0u32, 0u32, 0u32, 0u32);
    let mut work = Work::default();
    let mut code_files = BTreeSet::new();
    let mut config_files = BTreeSet::new();
    let mut services = BTreeSet::new();
    let mut deadline_by_security: Option<(i32, u32)> = None;
    for r in rows {
        let a = &scan.assets[r.asset];
        match (r.concern, r.state) {
            (Concern::None, _) => {}
            (Concern::Confidentiality, State::Broken | State::Vulnerable) => kex_pending += 1,
            (Concern::Confidentiality, State::Hybrid | State::Fallback) => kex_done += 1,
            (Concern::Authenticity, State::Broken | State::Vulnerable) => sig_pending += 1,
            (Concern::Authenticity, State::Hybrid) => sig_done += 1,
            (Concern::Authenticity, State::Safe)
                if matches!(a.kind, AssetKind::Certificate | AssetKind::Key) =>
            {
                sig_done += 1
            }
            _ => {}
        }
        if r.concern == Concern::None || !r.state.pending() {
            continue;
        }
        if r.state == State::Broken {
            broken += 1;
        }
        if let Some(bits) = a
            .algorithm
            .as_ref()
            .and_then(|p| p.classical_security_level)
        {
            if let Some(y) = s.policy.deadline_for_security(bits) {
                if deadline_by_security.is_none_or(|(d, _)| y < d) {
                    deadline_by_security = Some((y, bits));
                }
            }
        }
        match a.kind {
            AssetKind::Certificate | AssetKind::Key => work.certs_keys += 1,
            _ => {}
        }
        // A shared asset (alg:X25519) has places in several systems: only this one's.
        for o in r.occurrences(scan, places) {
            let place = o.location.path.clone();
            match Origin::of(o) {
                Origin::Code => {
                    code_files.insert(place);
                }
                Origin::Config => {
                    config_files.insert(place);
                }
                Origin::Network => {
                    services.insert(place);
                }
                _ => {}
            }
        }
    }
    work.code_places = code_files.len() as u32;
    work.config_places = config_files.len() as u32;
    work.services = services.len() as u32;
    let libs = libraries_of(rows, scan, places);
    work.libraries = libs.iter().filter(|l| !l.pqc).count() as u32;

    let agility = agility(rows, scan, &libs, places);
    let y = estimate_years(work, agility.score);
    let z = s.crqc_year - s.year;
    let x = sys.confidentiality_years;
    let margin = f64::from(z) - (f64::from(x) + y);
    let exposed = kex_pending > 0 && margin < 0.0;
    let mosca = Mosca {
        x,
        y,
        z,
        margin: (margin * 10.0).round() / 10.0,
        exposed,
    };
    let pending = kex_pending + sig_pending;
    let inventoried = !rows.is_empty();
    let crit = sys.criticality;
    let top = matches!(crit, Criticality::Critical | Criticality::High);
    let yfmt = format!("{y:.1}");
    let mut priority = Priority::P4;
    if !inventoried {
        priority = match crit {
            Criticality::Critical => Priority::P1,
            Criticality::High => Priority::P2,
            Criticality::Medium => Priority::P3,
            Criticality::Low => Priority::P4,
        };
        reasons.push(Reason::new(
            "plan.reason.not-inventoried",
            &[("criticality", crit.as_str().to_string())],
        ));
    }
    if broken > 0 {
        priority.raise_to(if top { Priority::P1 } else { Priority::P2 });
        reasons.push(Reason::new(
            "plan.reason.broken",
            &[("n", broken.to_string())],
        ));
    }
    if kex_pending > 0 {
        // Exposed: data sent today is still secret when the quantum computer comes.
        let (key, p) = if exposed {
            let p = match crit {
                Criticality::Critical | Criticality::High => Priority::P1,
                Criticality::Medium => Priority::P2,
                Criticality::Low => Priority::P3,
            };
            ("plan.reason.hndl-exposed", p)
        } else {
            let p = match crit {
                Criticality::Critical => Priority::P2,
                Criticality::High | Criticality::Medium => Priority::P3,
                Criticality::Low => Priority::P4,
            };
            ("plan.reason.hndl-margin", p)
        };
        priority.raise_to(p);
        reasons.push(Reason::new(
            key,
            &[
                ("x", x.to_string()),
                ("y", yfmt.clone()),
                ("z", z.to_string()),
                ("crqc", s.crqc_year.to_string()),
                ("n", kex_pending.to_string()),
            ],
        ));
    } else if kex_done > 0 {
        reasons.push(Reason::new(
            "plan.reason.kex-done",
            &[("n", kex_done.to_string())],
        ));
    }
    if sig_pending > 0 {
        let late = y > f64::from(z);
        priority.raise_to(match (late, top) {
            (true, true) => Priority::P1,
            (true, false) | (false, true) => Priority::P2,
            (false, false) => Priority::P3,
        });
        reasons.push(Reason::new(
            if late {
                "plan.reason.signatures-late"
            } else {
                "plan.reason.signatures-pending"
            },
            &[
                ("n", sig_pending.to_string()),
                ("y", yfmt.clone()),
                ("crqc", s.crqc_year.to_string()),
            ],
        ));
    } else if sig_done > 0 {
        reasons.push(Reason::new(
            "plan.reason.signatures-done",
            &[("n", sig_done.to_string())],
        ));
    }
    let mut deadline = None;
    if pending > 0 || !inventoried {
        let mut d = s.policy.deadline(crit);
        reasons.push(Reason::new(
            "plan.reason.deadline-policy",
            &[
                ("year", d.to_string()),
                ("policy", s.policy.id.clone()),
                ("criticality", crit.as_str().to_string()),
            ],
        ));
        if let Some((ys, bits)) = deadline_by_security {
            if ys < d {
                d = ys;
                reasons.push(Reason::new(
                    "plan.reason.deadline-security",
                    &[
                        ("year", ys.to_string()),
                        ("bits", bits.to_string()),
                        ("policy", s.policy.id.clone()),
                    ],
                ));
            }
        }
        if broken > 0 {
            // The broken assets' own actions are due now; the system's migration keeps
            // the policy's date.
            reasons.push(Reason::new(
                "plan.reason.deadline-now",
                &[("year", s.year.to_string())],
            ));
        }
        deadline = Some(d);
    } else if inventoried {
        reasons.push(Reason::new("plan.reason.nothing-to-do", &[]));
    }
    let start_by = deadline.map(|d| (d - y.ceil() as i32).max(s.year).min(d));
    if let (Some(d), Some(st)) = (deadline, start_by) {
        if pending > 0 && f64::from(d - s.year) < y {
            reasons.push(Reason::new(
                "plan.reason.late-start",
                &[("y", yfmt.clone()), ("year", d.to_string())],
            ));
        } else if pending > 0 {
            reasons.push(Reason::new(
                "plan.reason.start-by",
                &[("year", st.to_string()), ("y", yfmt.clone())],
            ));
        }
    }
    SystemAssessment {
        id: sys.id.clone(),
        name: sys.name.clone(),
        owner: sys.owner.clone(),
        criticality: crit.as_str(),
        priority,
        deadline,
        start_by,
        mosca,
        key_exchange: Track::of(kex_pending, kex_done),
        signatures: Track::of(sig_pending, sig_done),
        agility,
        assets: rows.len() as u32,
        pending,
        broken,
        open: rows.iter().map(|r| r.open).sum(),
        inventoried,
        reasons,
    }
}

/// A crypto library a system uses, and whether its version can do post-quantum.
#[derive(Debug, Clone)]
pub struct LibraryUse {
    /// Library name (`OpenSSL`).
    pub library: String,
    /// Version found.
    pub version: String,
    /// Whether the knowledge base credits this version with post-quantum algorithms.
    pub pqc: bool,
    /// The first version that does, when known.
    pub first_pqc: Option<String>,
    /// Where the system has it (its first place).
    pub place: String,
}

/// The crypto libraries among a system's rows whose version the knowledge base can judge.
pub fn libraries_of(rows: &[AssetRow], scan: &ScanResult, places: &[u32]) -> Vec<LibraryUse> {
    let mut out = Vec::new();
    for r in rows {
        let a = &scan.assets[r.asset];
        let Some(l) = &a.library else { continue };
        let Some(v) = l.version.as_deref().filter(|v| *v != "?") else {
            continue;
        };
        let first = libraries::first_pqc_version(&l.library);
        let pqc = !libraries::pqc_capabilities(&l.library, v).is_empty();
        if first.is_none() && !pqc {
            continue; // nothing known about this library's post-quantum support
        }
        out.push(LibraryUse {
            library: l.library.clone(),
            version: v.to_string(),
            pqc,
            first_pqc: first,
            place: r.first_place(scan, places),
        });
    }
    // A series read from a version string (`3.x`) says less than an exact version of the
    // same library found beside it.
    let exact: BTreeSet<String> = out
        .iter()
        .filter(|l| !l.version.ends_with(".x"))
        .map(|l| l.library.clone())
        .collect();
    out.retain(|l| !l.version.ends_with(".x") || !exact.contains(&l.library));
    out
}

/// Days between two `YYYY-MM-DD…` dates (`None` when either does not parse).
fn days_between(a: &str, b: &str) -> Option<i64> {
    use mamori_model::date::parse_ymd;
    Some(parse_ymd(b)? - parse_ymd(a)?)
}

/// `num / den` rounded to the nearest integer (0 when `den` is 0).
fn rounded_share(num: u32, den: u32) -> u32 {
    (num + den / 2).checked_div(den).unwrap_or(0)
}

fn agility(rows: &[AssetRow], scan: &ScanResult, libs: &[LibraryUse], places: &[u32]) -> Agility {
    let mut parts = Vec::new();
    // 1. Where algorithms are chosen: negotiated or configured, or hard-coded.
    let (mut chosen, mut fixed) = (0u32, 0u32);
    for r in rows {
        let a = &scan.assets[r.asset];
        if a.kind != AssetKind::Algorithm || r.concern == Concern::None {
            continue;
        }
        match r.origin {
            Origin::Network | Origin::Config => chosen += 1,
            Origin::Code | Origin::Binary | Origin::Package => fixed += 1,
            _ => {}
        }
    }
    let choice = if chosen + fixed == 0 {
        AgilityPart::of("choice", 25, Reason::new("plan.agility.choice-none", &[]))
    } else {
        AgilityPart::of(
            "choice",
            rounded_share(25 * chosen, chosen + fixed),
            Reason::new(
                "plan.agility.choice",
                &[("chosen", chosen.to_string()), ("fixed", fixed.to_string())],
            ),
        )
    };
    parts.push(choice);
    // 2. Software able to do post-quantum.
    let pq_services = rows
        .iter()
        .filter(|r| r.origin == Origin::Network && r.state == State::Hybrid)
        .count() as u32;
    let ready = libs.iter().filter(|l| l.pqc).count() as u32;
    let total = libs.len() as u32;
    let software = if total == 0 && pq_services == 0 {
        AgilityPart::of(
            "software",
            10,
            Reason::new("plan.agility.software-unknown", &[]),
        )
    } else if total == 0 {
        AgilityPart::of(
            "software",
            25,
            Reason::new("plan.agility.software-pq-seen", &[]),
        )
    } else {
        let names: Vec<String> = libs
            .iter()
            .filter(|l| !l.pqc)
            .map(|l| format!("{} {}", l.library, l.version))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        AgilityPart::of(
            "software",
            rounded_share(25 * ready, total),
            Reason::new(
                "plan.agility.software",
                &[
                    ("ready", ready.to_string()),
                    ("total", total.to_string()),
                    (
                        "old",
                        if names.is_empty() {
                            "-".into()
                        } else {
                            names.join(", ")
                        },
                    ),
                ],
            ),
        )
    };
    parts.push(software);
    // 3. Certificate lifetimes: short-lived certificates are renewed by automation.
    let (mut short, mut medium, mut long) = (0u32, 0u32, 0u32);
    for r in rows {
        let a = &scan.assets[r.asset];
        let Some(c) = &a.certificate else { continue };
        if c.is_ca {
            continue;
        }
        match days_between(&c.not_before, &c.not_after) {
            Some(d) if d <= 100 => short += 1,
            Some(d) if d <= 398 => medium += 1,
            Some(_) => long += 1,
            None => {}
        }
    }
    let n = short + medium + long;
    parts.push(if n == 0 {
        AgilityPart::of(
            "certificates",
            15,
            Reason::new("plan.agility.certificates-none", &[]),
        )
    } else {
        AgilityPart::of(
            "certificates",
            rounded_share(25 * short + 15 * medium + 5 * long, n),
            Reason::new(
                "plan.agility.certificates",
                &[
                    ("short", short.to_string()),
                    ("medium", medium.to_string()),
                    ("long", long.to_string()),
                ],
            ),
        )
    });
    // 4. A central crypto policy the system follows.
    let central: BTreeSet<&str> = rows
        .iter()
        .flat_map(|r| r.occurrences(scan, places))
        .filter(|o| {
            matches!(
                o.detector.as_str(),
                "config.crypto-policies" | "config.openssl" | "config.java"
            )
        })
        .map(|o| o.detector.as_str())
        .collect();
    parts.push(if central.is_empty() {
        AgilityPart::of("policy", 0, Reason::new("plan.agility.policy-none", &[]))
    } else {
        AgilityPart::of(
            "policy",
            25,
            Reason::new(
                "plan.agility.policy",
                &[(
                    "found",
                    central
                        .iter()
                        .map(|d| d.trim_start_matches("config."))
                        .collect::<Vec<_>>()
                        .join(", "),
                )],
            ),
        )
    });
    Agility {
        score: parts.iter().map(|p| p.points).sum(),
        parts,
    }
}
