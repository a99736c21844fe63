//! mamori's assessors: pure functions from an inventory to findings.
//!
//! [`merge`] folds detector observations into one asset per identity with all its
//! occurrences; [`assess`] judges each asset against the knowledge base and the migration
//! deadline. Every finding has a stable code, a severity, the place it was seen, why it
//! matters and what to do.
//!
//! | code | severity | when |
//! |---|---|---|
//! | `crypto-broken-algorithm` | high | an algorithm broken today (MD5, SHA-1 signatures, DES, 3DES, RC4, RSA < 2048, ECB …) |
//! | `crypto-hndl-vulnerable` | medium | quantum-vulnerable key exchange or encryption: recorded traffic can be decrypted later |
//! | `crypto-quantum-vulnerable` | low (RSA: medium) | quantum-vulnerable signature or key: forgeable once a quantum computer exists |
//! | `crypto-unknown-algorithm` | info | an algorithm mamori does not know |
//! | `key-weak` | high | a key too small to be safe today |
//! | `key-private-unencrypted` | info | a private key stored without a passphrase |
//! | `cert-expired` | medium | a certificate past its notAfter |
//! | `cert-weak-signature` | high | a certificate signed with a broken algorithm (not a self-signed root) |
//! | `cert-quantum-vulnerable-past-deadline` | medium | a quantum-vulnerable certificate valid beyond the migration deadline |
//! | `protocol-deprecated` | high | a protocol version that is broken (SSL 2/3, TLS 1.0/1.1) |
//! | `library-eol` | high | a crypto library version past its end of support |
//! | `library-no-pqc` | low | a crypto library version without post-quantum algorithms, where newer ones have them |
//! | `pq-key-exchange-not-offered` | medium | a TLS or SSH service accepts no post-quantum key exchange at all ([`assess_endpoints`]) |
//! | `tls-compression` | high | a TLS service accepts compression (CRIME) |
//! | `tls-insecure-renegotiation` | medium | a TLS ≤ 1.2 service without RFC 5746 secure renegotiation |
//! | `cert-hostname-mismatch` | medium | a served certificate does not name the host it was reached by |
//! | `ssh-terrapin` | medium | an SSH service offering ChaCha20-Poly1305 or CBC with EtM MACs without strict key exchange (CVE-2023-48795) |
//! | `package-crypto-broken-algorithm`, `package-key-weak`, `package-cert-weak-signature`, `package-protocol-deprecated`, `package-library-eol` | low | the judgement of the code without `package-`, on the places of one installed OS package (files its dpkg/rpm/apk list owns, outside `/etc`): one finding per package and code |
//! | `package-crypto-hndl-vulnerable`, `package-crypto-quantum-vulnerable`, `package-crypto-unknown-algorithm`, `package-key-private-unencrypted`, `package-cert-expired`, `package-cert-quantum-vulnerable-past-deadline`, `package-library-no-pqc` | info | the same, for judgements below high (`package-crypto-broken-algorithm` too, for trust anchors' self-signatures) |
//!
//! Findings without `package-` count only the user's own places: an asset seen only in
//! packages' files has none ([`assess`], decision 017).
//!
//! ```
//! use mamori_assess::{assess, merge, Policy};
//! use mamori_model::*;
//! let mut md5 = CryptoAsset::new(AssetKind::Algorithm, "alg:MD5", "MD5");
//! md5.algorithm = mamori_algorithms::by_name("md5");
//! let obs = vec![Observation { asset: md5, occurrence: Occurrence {
//!     location: Location::file("app.py").with_line(3), detector: "source.python".into(), context: None, package: None } }];
//! let assets = merge(obs);
//! let findings = assess(&assets, &Policy::default());
//! assert_eq!(findings[0].code, "crypto-broken-algorithm");
//! assert_eq!(findings[0].location.line, Some(3));
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

use mamori_algorithms::libraries;
use mamori_i18n::{Lang, Messages};
use mamori_model::{
    AssetKind, Component, ComponentObservation, CryptoAsset, CryptoStatus, Endpoint, Finding,
    Location, Observation, Occurrence, PackageRef, Primitive, Severity, SshPosture,
};
use std::collections::{BTreeMap, HashMap};

/// What the findings are judged against.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Year by which quantum-vulnerable cryptography must be migrated (ldp-2024: 2030).
    pub deadline_year: i32,
    /// Now, as a Unix time (tests pin it).
    pub now: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            deadline_year: 2030,
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0),
        }
    }
}

/// Fold observations into assets: one per id, with every occurrence, sorted by id.
pub fn merge(observations: Vec<Observation>) -> Vec<CryptoAsset> {
    let mut by_id: BTreeMap<String, CryptoAsset> = BTreeMap::new();
    for o in observations {
        let entry = by_id.entry(o.asset.id.clone()).or_insert_with(|| {
            let mut a = o.asset.clone();
            a.occurrences.clear();
            a
        });
        // A key pair seen as private and public key: the private key's record describes
        // it (format, protection), whichever file the walk reached first.
        let incoming_private = o.asset.key.as_ref().map(|k| k.material == "private-key");
        let existing_public = entry.key.as_ref().map(|k| k.material == "public-key");
        if incoming_private == Some(true) && existing_public == Some(true) {
            entry.key = o.asset.key.clone();
            entry.name = o.asset.name.clone();
        }
        for d in &o.asset.depends_on {
            if !entry.depends_on.contains(d) {
                entry.depends_on.push(d.clone());
            }
        }
        entry.occurrences.push(o.occurrence);
    }
    let mut out: Vec<CryptoAsset> = by_id.into_values().collect();
    for a in &mut out {
        a.occurrences.sort();
        a.occurrences.dedup();
    }
    out
}

/// Merge component observations into one [`Component`] per purl, with every place it
/// was seen. Evidence adds up: dependency edges, hashes and a license from any source; a
/// component is direct if any evidence says so, and dev-only only if every piece of
/// evidence that says anything says so. Sorted by purl.
pub fn merge_components(observations: Vec<ComponentObservation>) -> Vec<Component> {
    let mut by_purl: BTreeMap<String, (Component, bool)> = BTreeMap::new();
    for o in observations {
        let c = o.component;
        let (entry, seen_runtime) = by_purl.entry(c.purl.clone()).or_insert_with(|| {
            let mut first = c.clone();
            first.occurrences.clear();
            first.dependencies.clear();
            first.hashes.clear();
            (first, false)
        });
        if !c.dev {
            *seen_runtime = true;
        }
        entry.direct = match (entry.direct, c.direct) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), _) | (_, Some(false)) => Some(false),
            _ => None,
        };
        if entry.license.is_none() {
            entry.license = c.license;
        }
        if entry.source.is_none() {
            entry.source = c.source;
        }
        if entry.distro.is_none() {
            entry.distro = c.distro;
        }
        for d in c.dependencies {
            if !entry.dependencies.contains(&d) {
                entry.dependencies.push(d);
            }
        }
        for h in c.hashes {
            if !entry.hashes.contains(&h) {
                entry.hashes.push(h);
            }
        }
        entry.occurrences.push(o.occurrence);
    }
    by_purl
        .into_values()
        .map(|(mut c, seen_runtime)| {
            c.dev = !seen_runtime;
            c.occurrences.sort();
            c.occurrences.dedup();
            c.dependencies.sort();
            c.hashes.sort();
            c
        })
        .collect()
}

/// Arguments of a finding's text, by placeholder name.
type Args = Vec<(&'static str, String)>;

/// Judge every asset. Findings come most severe first.
///
/// An asset's places are judged in two kinds of groups: the user's own (places no installed
/// package owns, and everything under `/etc`), which give the findings of the table above
/// at the first such place; and, per installed package that owns some of its places, that
/// package's, which give the same judgement as a `package-…` finding (one per package and
/// code, at the package's first place without its line, counting its places), rated for
/// what the user can do about a package's own files: high and critical become low, the
/// rest info (decision 017). An asset whose places are all a package's gives no finding of
/// the user's; a certificate or key the user holds too gives only the user's.
pub fn assess(assets: &[CryptoAsset], policy: &Policy) -> Vec<Finding> {
    let en = Messages::new(Lang::En);
    let today = iso_date(policy.now);
    let mut out = Vec::new();
    let mut user: Vec<&Occurrence> = Vec::new();
    let mut packages: Vec<(&PackageRef, Vec<&Occurrence>)> = Vec::new();
    let mut slot: HashMap<&PackageRef, usize> = HashMap::new();
    for a in assets {
        user.clear();
        packages.clear();
        slot.clear();
        for o in &a.occurrences {
            match o.package.as_deref() {
                None => user.push(o),
                Some(p) => match slot.get(p) {
                    Some(&i) => packages[i].1.push(o),
                    None => {
                        slot.insert(p, packages.len());
                        packages.push((p, vec![o]));
                    }
                },
            }
        }
        if let Some(first) = user.first() {
            let others = (user.len() - 1) as u32;
            for j in judge(a, &user, policy, &today) {
                let mut f = finding(
                    &en,
                    j.code,
                    j.severity,
                    j.variant,
                    j.args,
                    a,
                    &first.location,
                );
                f.other_locations = others;
                out.push(f);
            }
        }
        // A certificate or key is one object: where the user holds it too (a root of the
        // trust store under /etc, copied from ca-certificates' own files), the user's
        // finding is about it, and the package's copy adds nothing to do.
        let identity = matches!(a.kind, AssetKind::Certificate | AssetKind::Key);
        if identity && !user.is_empty() {
            packages.clear();
        }
        for (p, occs) in &packages {
            let Some(first) = occs.first() else { continue };
            // The package's first file, without its line: the same finding after an
            // upgrade moves the code (decision 017).
            let loc = Location {
                line: None,
                offset: None,
                ..first.location.clone()
            };
            for j in judge(a, occs, policy, &today) {
                let mut args = j.args;
                args.push(("package", p.name.clone()));
                args.push(("package_version", p.version.clone()));
                let code = format!("{PACKAGE_PREFIX}{}", j.code);
                let mut f = finding(
                    &en,
                    &code,
                    package_severity(j.severity),
                    j.variant,
                    args,
                    a,
                    &loc,
                );
                f.other_locations = (occs.len() - 1) as u32;
                f.package = Some((*p).clone());
                out.push(f);
            }
        }
    }
    sort_findings(&mut out);
    out
}

/// The prefix of the codes of findings about an installed package's files.
pub const PACKAGE_PREFIX: &str = "package-";

/// How serious a judgement on a package's own files is: what the user can do there is
/// upgrade the package or configure it, so a weakness broken today (high, critical) is
/// low — take the package's updates, choose another algorithm where its configuration
/// lets you — and the rest is info: the package's maintainers migrate it.
pub fn package_severity(s: Severity) -> Severity {
    match s {
        Severity::Critical | Severity::High => Severity::Low,
        _ => Severity::Info,
    }
}

/// One judgement on an asset over some of its places: a finding before it has a place.
struct Judgement {
    code: &'static str,
    severity: Severity,
    variant: Option<&'static str>,
    args: Args,
}

/// Judges `a` as seen at `occs` (its places of one owner, in order; not empty).
fn judge(a: &CryptoAsset, occs: &[&Occurrence], policy: &Policy, today: &str) -> Vec<Judgement> {
    let mut out = Vec::new();
    let Some(first) = occs.first() else {
        return out;
    };
    let loc = &first.location;
    let mut push =
        |code: &'static str, sev: Severity, variant: Option<&'static str>, args: Args| {
            out.push(Judgement {
                code,
                severity: sev,
                variant,
                args,
            })
        };
    match a.kind {
        AssetKind::Algorithm => {
            let Some(p) = &a.algorithm else { return out };
            let args = || -> Args {
                vec![
                    ("name", p.name.clone()),
                    ("note", p.note.clone().unwrap_or_default()),
                ]
            };
            // Seen only as the self-signature of trust anchors: nothing verifies it.
            let only_self_signatures = occs
                .iter()
                .all(|o| o.context.as_deref() == Some("signature algorithm (self-signed)"));
            match p.status {
                CryptoStatus::Broken if only_self_signatures => push(
                    "crypto-broken-algorithm",
                    Severity::Low,
                    Some("self-signed"),
                    args(),
                ),
                CryptoStatus::Broken => push(
                    "crypto-broken-algorithm",
                    Severity::High,
                    Some(replacement(p.primitive)),
                    args(),
                ),
                CryptoStatus::QuantumVulnerable => {
                    if matches!(
                        p.primitive,
                        Primitive::KeyAgree | Primitive::Kem | Primitive::Combiner
                    ) || (p.primitive == Primitive::Pke && p.family != "RSA")
                    {
                        push("crypto-hndl-vulnerable", Severity::Medium, None, args())
                    } else if p.primitive == Primitive::Pke {
                        // An RSA key signs and decrypts: both fall to Shor.
                        push(
                            "crypto-quantum-vulnerable",
                            Severity::Medium,
                            Some("rsa"),
                            args(),
                        )
                    } else {
                        push("crypto-quantum-vulnerable", Severity::Low, None, args())
                    }
                }
                CryptoStatus::Unknown => {
                    push("crypto-unknown-algorithm", Severity::Info, None, args())
                }
                _ => {}
            }
        }
        AssetKind::Key => {
            let Some(k) = &a.key else { return out };
            if let Some(p) = &a.algorithm {
                if p.status == CryptoStatus::Broken {
                    push(
                        "key-weak",
                        Severity::High,
                        None,
                        vec![
                            ("algorithm", k.algorithm.clone()),
                            ("note", p.note.clone().unwrap_or_default()),
                        ],
                    );
                }
            }
            if k.material == "private-key" && k.encrypted == Some(false) && !is_host_key(loc) {
                push(
                    "key-private-unencrypted",
                    Severity::Info,
                    None,
                    vec![("algorithm", k.algorithm.clone())],
                );
            }
        }
        AssetKind::Certificate => {
            let Some(c) = &a.certificate else { return out };
            let not_after = parse_rfc3339(&c.not_after);
            if let Some(na) = not_after {
                if na < policy.now {
                    push(
                        "cert-expired",
                        Severity::Medium,
                        None,
                        vec![
                            ("name", a.name.clone()),
                            ("date", c.not_after.chars().take(10).collect()),
                        ],
                    );
                }
            }
            if let Some(p) = &a.algorithm {
                let sig_broken = mamori_algorithms::by_oid(&c.signature_algorithm_oid)
                    .map(|s| s.status == CryptoStatus::Broken)
                    .unwrap_or(false)
                    || c.signature_algorithm.contains("SHA-1")
                    || c.signature_algorithm.contains("MD5");
                if sig_broken && !c.self_signed {
                    push(
                        "cert-weak-signature",
                        Severity::High,
                        None,
                        vec![
                            ("name", a.name.clone()),
                            ("algorithm", c.signature_algorithm.clone()),
                        ],
                    );
                }
                let deadline = deadline_unix(policy.deadline_year);
                if p.status == CryptoStatus::QuantumVulnerable
                    && not_after.map(|na| na > deadline).unwrap_or(false)
                {
                    // A self-signed root in a trust store is replaced by its CA, not by
                    // the system owner: worth knowing, not worth a medium.
                    let sev = if c.self_signed && c.is_ca {
                        Severity::Low
                    } else {
                        Severity::Medium
                    };
                    push(
                        "cert-quantum-vulnerable-past-deadline",
                        sev,
                        None,
                        vec![
                            ("name", a.name.clone()),
                            ("algorithm", c.public_key_algorithm.clone()),
                            ("deadline", policy.deadline_year.to_string()),
                        ],
                    );
                }
            }
        }
        AssetKind::Protocol => {
            if a.status() == CryptoStatus::Broken {
                push(
                    "protocol-deprecated",
                    Severity::High,
                    None,
                    vec![("name", a.name.clone())],
                );
            }
        }
        AssetKind::Library => {
            let Some(l) = &a.library else { return out };
            let Some(version) = l.version.as_deref() else {
                return out;
            };
            if libraries::is_eol(&l.library, version, today) == Some(true) {
                let note = libraries::version_facts(&l.library, version)
                    .iter()
                    .find(|f| f.eol.is_some())
                    .map(|f| f.note.clone())
                    .unwrap_or_default();
                push(
                    "library-eol",
                    Severity::High,
                    None,
                    vec![
                        ("library", l.library.clone()),
                        ("version", version.to_string()),
                        ("note", note),
                    ],
                );
            }
            if libraries::pqc_capabilities(&l.library, version).is_empty() {
                if let Some(from) = libraries::first_pqc_version(&l.library) {
                    push(
                        "library-no-pqc",
                        Severity::Low,
                        None,
                        vec![
                            ("library", l.library.clone()),
                            ("version", version.to_string()),
                            ("from", from),
                        ],
                    );
                }
            }
        }
    }
    out
}

/// One finding on `asset` at `loc`: its English text comes from the catalog, keyed by
/// code and variant, so reporters can render the same finding in any language from `args`.
fn finding(
    en: &Messages,
    code: &str,
    severity: Severity,
    variant: Option<&str>,
    args: Args,
    asset: &CryptoAsset,
    loc: &Location,
) -> Finding {
    let mut map: BTreeMap<String, String> =
        args.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    if let Some(v) = variant {
        map.insert("variant".into(), v.into());
    }
    let (msg_key, fix_key) = en.finding_keys(code, map.get("variant").map(String::as_str));
    Finding {
        code: code.to_string(),
        severity,
        asset_id: asset.id.clone(),
        asset_name: asset.name.clone(),
        location: loc.clone(),
        message: en.render(&msg_key, &map).trim().to_string(),
        remediation: en.render(&fix_key, &map),
        other_locations: 0,
        args: map,
        system: None,
        package: None,
    }
}

/// Codes judging a whole service: one finding says what to change on that server, where
/// the per-algorithm findings of the same service say it piece by piece.
const SERVICE_CODES: [&str; 5] = [
    "pq-key-exchange-not-offered",
    "tls-compression",
    "tls-insecure-renegotiation",
    "cert-hostname-mismatch",
    "ssh-terrapin",
];

/// Sorts findings most severe first; within a severity the service-level ones first (they
/// are what a reader of a network scan acts on), then by code and place.
pub fn sort_findings(out: &mut [Finding]) {
    let service = |f: &Finding| !SERVICE_CODES.contains(&f.code.as_str());
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| service(a).cmp(&service(b)))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.location.cmp(&b.location))
    });
}

/// SSH ciphers and MAC families open to the Terrapin prefix truncation (CVE-2023-48795)
/// when strict key exchange is not in force.
fn terrapin_prone(ssh: &SshPosture) -> Option<String> {
    if let Some(c) = ssh
        .ciphers
        .iter()
        .find(|c| c.as_str() == "chacha20-poly1305@openssh.com")
    {
        return Some(c.clone());
    }
    let cbc = ssh.ciphers.iter().find(|c| c.ends_with("-cbc"));
    let etm = ssh.macs.iter().find(|m| m.contains("-etm@"));
    match (cbc, etm) {
        (Some(c), Some(m)) => Some(format!("{c} + {m}")),
        _ => None,
    }
}

/// Judge every probed service as a whole: what no single asset shows (post-quantum key
/// exchange not offered at all, compression, renegotiation, a certificate naming another
/// host, Terrapin). Each finding is located at the endpoint and attached to its protocol
/// asset (or, for the hostname, the certificate). Findings come most severe first.
pub fn assess_endpoints(endpoints: &[Endpoint], assets: &[CryptoAsset]) -> Vec<Finding> {
    let en = Messages::new(Lang::En);
    let mut out = Vec::new();
    let by_id = |id: &str| assets.iter().find(|a| a.id == id);
    for ep in endpoints {
        let loc = Location::file(ep.endpoint.clone());
        let base = |protocol: &str| {
            vec![
                ("endpoint", ep.endpoint.clone()),
                ("protocol", protocol.to_string()),
            ]
        };
        if let Some(t) = &ep.tls {
            // The protocol asset of the best version accepted.
            let Some(best) = t.versions.last() else {
                continue;
            };
            let pid = format!(
                "{}@{}",
                mamori_algorithms::tls::protocol_asset_id(best),
                ep.endpoint
            );
            let fallback = CryptoAsset::new(AssetKind::Protocol, pid.clone(), best.clone());
            let proto = by_id(&pid).unwrap_or(&fallback);
            if !t.pq_key_exchange {
                let got = t
                    .modern_client
                    .as_ref()
                    .and_then(|m| m.group.clone())
                    .or_else(|| t.groups.first().cloned())
                    .unwrap_or_else(|| "-".into());
                let mut args = base("TLS");
                args.push(("group", got));
                out.push(finding(
                    &en,
                    "pq-key-exchange-not-offered",
                    Severity::Medium,
                    Some("tls"),
                    args,
                    proto,
                    &loc,
                ));
            }
            if t.compression == Some(true) {
                out.push(finding(
                    &en,
                    "tls-compression",
                    Severity::High,
                    None,
                    base("TLS"),
                    proto,
                    &loc,
                ));
            }
            if t.secure_renegotiation == Some(false) {
                out.push(finding(
                    &en,
                    "tls-insecure-renegotiation",
                    Severity::Medium,
                    None,
                    base("TLS"),
                    proto,
                    &loc,
                ));
            }
            for c in &t.chains {
                if c.hostname_match == Some(false) {
                    let Some(leaf) = c.certificates.first() else {
                        continue;
                    };
                    let id = format!("cert:{leaf}");
                    let fallback =
                        CryptoAsset::new(AssetKind::Certificate, id.clone(), leaf.clone());
                    let cert = by_id(&id).unwrap_or(&fallback);
                    let mut args = base("TLS");
                    args.push(("host", ep.host.clone()));
                    args.push(("name", cert.name.clone()));
                    out.push(finding(
                        &en,
                        "cert-hostname-mismatch",
                        Severity::Medium,
                        None,
                        args,
                        cert,
                        &loc,
                    ));
                }
            }
        }
        if let Some(s) = &ep.ssh {
            let pid = format!("proto:ssh-2@{}", ep.endpoint);
            let fallback = CryptoAsset::new(AssetKind::Protocol, pid.clone(), "SSH 2");
            let proto = by_id(&pid).unwrap_or(&fallback);
            if !s.pq_key_exchange {
                let mut args = base("SSH");
                args.push((
                    "group",
                    s.kex.first().cloned().unwrap_or_else(|| "-".into()),
                ));
                out.push(finding(
                    &en,
                    "pq-key-exchange-not-offered",
                    Severity::Medium,
                    Some("ssh"),
                    args,
                    proto,
                    &loc,
                ));
            }
            if !s.strict_kex {
                if let Some(what) = terrapin_prone(s) {
                    let mut args = base("SSH");
                    args.push(("name", what));
                    out.push(finding(
                        &en,
                        "ssh-terrapin",
                        Severity::Medium,
                        None,
                        args,
                        proto,
                        &loc,
                    ));
                }
            }
        }
    }
    sort_findings(&mut out);
    out
}

/// A Unix time as `YYYY-MM-DD`.
fn iso_date(secs: i64) -> String {
    mamori_model::date::ymd(secs.div_euclid(86_400))
}

fn is_host_key(loc: &Location) -> bool {
    // SSH host keys and TLS server keys must be readable by the daemon without a passphrase.
    loc.path.contains("ssh_host_") || loc.path.contains("/private/")
}

/// Which remediation fits a broken algorithm of this primitive (a catalog variant).
fn replacement(p: Primitive) -> &'static str {
    match p {
        Primitive::Hash | Primitive::Xof => "hash",
        Primitive::BlockCipher | Primitive::StreamCipher | Primitive::Ae => "cipher",
        Primitive::Mac => "mac",
        Primitive::Signature => "signature",
        Primitive::KeyAgree | Primitive::Kem | Primitive::Pke => "keyex",
        _ => "other",
    }
}

/// 1 January of `year` as a Unix time.
pub fn deadline_unix(year: i32) -> i64 {
    mamori_model::date::days_from_civil(i64::from(year), 1, 1) * 86_400
}

pub use mamori_model::date::parse_rfc3339;

#[cfg(test)]
mod tests {

    #[test]
    fn components_merge_by_purl_and_evidence_adds_up() {
        use mamori_model::{Hash, Occurrence};
        let obs = |purl: &str, path: &str, direct: Option<bool>, dev: bool, deps: &[&str]| {
            let mut c = Component::new(purl, "serde", Some("1.0.200".into()), "crates.io");
            c.direct = direct;
            c.dev = dev;
            c.dependencies = deps.iter().map(|d| d.to_string()).collect();
            c.hashes = vec![Hash {
                alg: "SHA-256".into(),
                value: "ab".into(),
            }];
            ComponentObservation {
                component: c,
                occurrence: Occurrence {
                    location: Location::file(path),
                    detector: "sbom.cargo-lock".into(),
                    context: None,
                    package: None,
                },
            }
        };
        let p = "pkg:cargo/serde@1.0.200";
        let merged = merge_components(vec![
            obs(
                p,
                "/b/Cargo.lock",
                Some(false),
                true,
                &["pkg:cargo/serde_derive@1.0.200"],
            ),
            obs(p, "/a/Cargo.lock", Some(true), false, &[]),
            obs("pkg:cargo/anyhow@1.0.0", "/a/Cargo.lock", None, true, &[]),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].purl, "pkg:cargo/anyhow@1.0.0");
        assert!(merged[0].dev, "dev everywhere it was seen");
        let s = &merged[1];
        assert_eq!(s.direct, Some(true));
        assert!(!s.dev, "a runtime dependency somewhere is not dev-only");
        assert_eq!(s.occurrences.len(), 2);
        assert_eq!(s.occurrences[0].location.path, "/a/Cargo.lock");
        assert_eq!(s.dependencies, vec!["pkg:cargo/serde_derive@1.0.200"]);
        assert_eq!(s.hashes.len(), 1);
    }

    use super::*;
    use mamori_model::{CertificateProps, KeyProps, Occurrence};

    fn obs(a: CryptoAsset, path: &str, line: u32) -> Observation {
        Observation {
            asset: a,
            occurrence: Occurrence {
                location: Location::file(path).with_line(line),
                detector: "test".into(),
                context: None,
                package: None,
            },
        }
    }

    fn alg_asset(name: &str) -> CryptoAsset {
        let p = mamori_algorithms::by_name(name).unwrap();
        let mut a = CryptoAsset::new(
            AssetKind::Algorithm,
            format!("alg:{}", p.name),
            p.name.clone(),
        );
        a.algorithm = Some(p);
        a
    }

    #[test]
    fn merge_keeps_every_occurrence_once() {
        let m = merge(vec![
            obs(alg_asset("md5"), "b.py", 2),
            obs(alg_asset("md5"), "a.py", 9),
            obs(alg_asset("md5"), "a.py", 9),
            obs(alg_asset("aes-256-gcm"), "a.py", 1),
        ]);
        assert_eq!(m.len(), 2);
        let md5 = m.iter().find(|a| a.id == "alg:MD5").unwrap();
        assert_eq!(md5.occurrences.len(), 2);
        assert_eq!(md5.occurrences[0].location.path, "a.py");
    }

    #[test]
    fn severities_follow_status_and_primitive() {
        let assets = merge(vec![
            obs(alg_asset("des-ede3-cbc"), "c.conf", 1),
            obs(alg_asset("x25519"), "c.conf", 2),
            obs(alg_asset("Ed25519"), "c.conf", 3),
            obs(alg_asset("aes-256-gcm"), "c.conf", 4),
            obs(alg_asset("ML-KEM-768"), "c.conf", 5),
        ]);
        let f = assess(&assets, &Policy::default());
        let codes: Vec<(&str, Severity)> =
            f.iter().map(|f| (f.code.as_str(), f.severity)).collect();
        assert_eq!(
            codes,
            vec![
                ("crypto-broken-algorithm", Severity::High),
                ("crypto-hndl-vulnerable", Severity::Medium),
                ("crypto-quantum-vulnerable", Severity::Low),
            ]
        );
    }

    #[test]
    fn certificates_expired_and_past_deadline() {
        let mut c = CryptoAsset::new(AssetKind::Certificate, "cert:1", "example");
        c.algorithm = Some(mamori_algorithms::rsa(2048));
        c.certificate = Some(CertificateProps {
            not_after: "2035-01-01T00:00:00Z".into(),
            signature_algorithm: "RSA-PKCS1-1.5-SHA-1".into(),
            signature_algorithm_oid: "1.2.840.113549.1.1.5".into(),
            ..Default::default()
        });
        let mut k = CryptoAsset::new(AssetKind::Key, "key:1", "RSA-1024");
        k.algorithm = Some(mamori_algorithms::rsa(1024));
        k.key = Some(KeyProps {
            material: "private-key".into(),
            algorithm: "RSA-1024".into(),
            encrypted: Some(false),
            ..Default::default()
        });
        let policy = Policy {
            deadline_year: 2030,
            now: parse_rfc3339("2036-06-01T00:00:00Z").unwrap(),
        };
        let f = assess(
            &merge(vec![obs(c, "a.pem", 1), obs(k, "home/k.pem", 1)]),
            &policy,
        );
        let codes: Vec<&str> = f.iter().map(|f| f.code.as_str()).collect();
        assert!(codes.contains(&"cert-expired"), "{codes:?}");
        assert!(codes.contains(&"cert-weak-signature"), "{codes:?}");
        assert!(
            codes.contains(&"cert-quantum-vulnerable-past-deadline"),
            "{codes:?}"
        );
        assert!(codes.contains(&"key-weak"), "{codes:?}");
        assert!(codes.contains(&"key-private-unencrypted"), "{codes:?}");
    }

    #[test]
    fn libraries_past_support_and_without_pqc() {
        let mut l = CryptoAsset::new(AssetKind::Library, "lib:OpenSSL@1.1.1w", "OpenSSL 1.1.1w");
        l.library = Some(mamori_model::LibraryProps {
            library: "OpenSSL".into(),
            version: Some("1.1.1w".into()),
            linkage: "static".into(),
        });
        let mut new = l.clone();
        new.id = "lib:OpenSSL@3.5.1".into();
        new.library.as_mut().unwrap().version = Some("3.5.1".into());
        let policy = Policy {
            deadline_year: 2030,
            now: parse_rfc3339("2026-11-26T00:00:00Z").unwrap(),
        };
        let f = assess(
            &merge(vec![obs(l, "bin/app", 1), obs(new, "bin/new", 1)]),
            &policy,
        );
        let got: Vec<(&str, &str)> = f
            .iter()
            .map(|f| (f.code.as_str(), f.asset_id.as_str()))
            .collect();
        assert!(
            got.contains(&("library-eol", "lib:OpenSSL@1.1.1w")),
            "{got:?}"
        );
        assert!(
            got.contains(&("library-no-pqc", "lib:OpenSSL@1.1.1w")),
            "{got:?}"
        );
        assert!(
            !got.iter().any(|(_, id)| *id == "lib:OpenSSL@3.5.1"),
            "{got:?}"
        );
        let no_pqc = f.iter().find(|x| x.code == "library-no-pqc").unwrap();
        assert!(
            no_pqc.message.contains("OpenSSL 3.5 and later"),
            "{}",
            no_pqc.message
        );
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(1_700_000_000), "2023-11-14");
    }

    #[test]
    fn broken_self_signatures_of_trust_anchors_are_low() {
        let sha1 = || {
            let p = mamori_algorithms::by_name("SHA1withRSA").unwrap();
            let mut a = CryptoAsset::new(
                AssetKind::Algorithm,
                format!("alg:{}", p.name),
                p.name.clone(),
            );
            a.algorithm = Some(p);
            a
        };
        let at = |path: &str, ctx: &str| Observation {
            asset: sha1(),
            occurrence: Occurrence {
                location: Location::file(path),
                detector: "certificate".into(),
                context: Some(ctx.into()),
                package: None,
            },
        };
        let roots = merge(vec![at("roots.pem", "signature algorithm (self-signed)")]);
        let f = assess(&roots, &Policy::default());
        assert_eq!(
            (f[0].severity, f[0].args["variant"].as_str()),
            (Severity::Low, "self-signed")
        );
        assert!(f[0].message.contains("self-signatures"), "{}", f[0].message);
        let mixed = merge(vec![
            at("roots.pem", "signature algorithm (self-signed)"),
            at("leaf.pem", "signature algorithm"),
        ]);
        assert_eq!(
            assess(&mixed, &Policy::default())[0].severity,
            Severity::High
        );
    }

    fn owned(mut o: Observation, name: &str) -> Observation {
        o.occurrence.package = Some(Box::new(PackageRef {
            name: name.into(),
            version: "1.0-1".into(),
            purl: format!("pkg:deb/debian/{name}@1.0-1?arch=amd64"),
            root: "/".into(),
        }));
        o
    }

    #[test]
    fn package_places_give_package_findings_and_the_users_keep_theirs() {
        let assets = merge(vec![
            owned(
                obs(alg_asset("md5"), "/usr/lib/python3.11/hashlib.py", 80),
                "libpython3.11-stdlib",
            ),
            owned(
                obs(alg_asset("md5"), "/usr/lib/python3.11/uuid.py", 9),
                "libpython3.11-stdlib",
            ),
            owned(obs(alg_asset("md5"), "/usr/bin/tool", 1), "tool"),
            obs(alg_asset("md5"), "/opt/app/x.py", 3),
            // Only in a package: no finding of the user's.
            owned(
                obs(alg_asset("x25519"), "/usr/lib/python3.11/ssl.py", 5),
                "libpython3.11-stdlib",
            ),
        ]);
        let f = assess(&assets, &Policy::default());
        // (code, severity, path, line, other places, package)
        type Row<'a> = (
            &'a str,
            Severity,
            &'a str,
            Option<u32>,
            u32,
            Option<&'a str>,
        );
        let got: Vec<Row> = f
            .iter()
            .map(|f| {
                (
                    f.code.as_str(),
                    f.severity,
                    f.location.path.as_str(),
                    f.location.line,
                    f.other_locations,
                    f.package.as_ref().map(|p| p.name.as_str()),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "crypto-broken-algorithm",
                    Severity::High,
                    "/opt/app/x.py",
                    Some(3),
                    0,
                    None
                ),
                (
                    "package-crypto-broken-algorithm",
                    Severity::Low,
                    "/usr/bin/tool",
                    None,
                    0,
                    Some("tool")
                ),
                (
                    "package-crypto-broken-algorithm",
                    Severity::Low,
                    "/usr/lib/python3.11/hashlib.py",
                    None,
                    1,
                    Some("libpython3.11-stdlib")
                ),
                (
                    "package-crypto-hndl-vulnerable",
                    Severity::Info,
                    "/usr/lib/python3.11/ssl.py",
                    None,
                    0,
                    Some("libpython3.11-stdlib")
                ),
            ]
        );
        let p = &f[2];
        assert_eq!(p.args["package"], "libpython3.11-stdlib");
        assert_eq!(p.args["package_version"], "1.0-1");
        assert!(
            p.message.starts_with(
                "MD5 is broken; it is used in the files of the installed package libpython3.11-stdlib 1.0-1, not in yours."
            ),
            "{}",
            p.message
        );
        assert!(
            p.remediation.contains("libpython3.11-stdlib"),
            "{}",
            p.remediation
        );
        // The key survives an upgrade that moves the code, and tells packages apart.
        assert_eq!(
            p.key(),
            "package-crypto-broken-algorithm|alg:MD5|/usr/lib/python3.11/hashlib.py"
        );
    }

    #[test]
    fn a_certificate_the_user_holds_too_is_only_the_users() {
        let mut c = CryptoAsset::new(AssetKind::Certificate, "cert:1", "Old Root");
        c.algorithm = Some(mamori_algorithms::rsa(2048));
        c.certificate = Some(CertificateProps {
            not_after: "2020-01-01T00:00:00Z".into(),
            self_signed: true,
            is_ca: true,
            ..Default::default()
        });
        let shipped = owned(
            obs(
                c.clone(),
                "/usr/share/ca-certificates/mozilla/Old_Root.crt",
                1,
            ),
            "ca-certificates",
        );
        let f = assess(&merge(vec![shipped.clone()]), &Policy::default());
        let codes: Vec<&str> = f.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["package-cert-expired"]);
        let f = assess(
            &merge(vec![
                shipped,
                obs(c, "/etc/ssl/certs/ca-certificates.crt", 40),
            ]),
            &Policy::default(),
        );
        let got: Vec<(&str, u32)> = f
            .iter()
            .map(|f| (f.code.as_str(), f.other_locations))
            .collect();
        assert_eq!(got, [("cert-expired", 0)]);
    }

    #[test]
    fn package_severities_and_texts_of_every_twin() {
        for (user, pkg) in [
            (Severity::Critical, Severity::Low),
            (Severity::High, Severity::Low),
            (Severity::Medium, Severity::Info),
            (Severity::Low, Severity::Info),
            (Severity::Info, Severity::Info),
        ] {
            assert_eq!(package_severity(user), pkg);
        }
        // Every code about an asset has its package twin's texts in both catalogs.
        for code in [
            "crypto-broken-algorithm",
            "crypto-hndl-vulnerable",
            "crypto-quantum-vulnerable",
            "crypto-unknown-algorithm",
            "key-weak",
            "key-private-unencrypted",
            "cert-expired",
            "cert-weak-signature",
            "cert-quantum-vulnerable-past-deadline",
            "protocol-deprecated",
            "library-eol",
            "library-no-pqc",
        ] {
            for lang in [Lang::En, Lang::Ja] {
                let m = Messages::new(lang);
                for k in ["title", "msg", "fix"] {
                    let key = format!("{k}.{PACKAGE_PREFIX}{code}");
                    assert!(m.has(&key), "{lang:?} lacks {key}");
                }
            }
        }
        // A library past its end of support in a package keeps the library's version.
        let mut l = CryptoAsset::new(AssetKind::Library, "lib:OpenSSL@1.1.1w", "OpenSSL 1.1.1w");
        l.library = Some(mamori_model::LibraryProps {
            library: "OpenSSL".into(),
            version: Some("1.1.1w".into()),
            linkage: "dynamic".into(),
        });
        let f = assess(
            &merge(vec![owned(obs(l, "/usr/bin/curl", 1), "curl")]),
            &Policy {
                deadline_year: 2030,
                now: parse_rfc3339("2026-11-26T00:00:00Z").unwrap(),
            },
        );
        let eol = f.iter().find(|f| f.code == "package-library-eol").unwrap();
        assert_eq!(eol.severity, Severity::Low);
        assert!(
            eol.message
                .starts_with("The installed package curl 1.0-1 carries OpenSSL 1.1.1w"),
            "{}",
            eol.message
        );
        assert!(
            f.iter().all(|f| f.code.starts_with(PACKAGE_PREFIX)),
            "{f:#?}"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(deadline_unix(1970), 0);
        assert_eq!(parse_rfc3339("2023-11-14T22:13:20Z"), Some(1_700_000_000));
        assert_eq!(parse_rfc3339("garbage"), None);
    }
}
