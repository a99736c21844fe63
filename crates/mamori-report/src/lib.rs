//! mamori's reporters: one internal model, faithful encodings.
//!
//! - [`cyclonedx`]: CycloneDX 1.6 JSON, each asset a `cryptographic-asset` component with
//!   `cryptoProperties` and `evidence.occurrences` (validated against the official schema in
//!   the test suite);
//! - [`spdx23`]: SPDX 2.3 JSON (packages, relationships), see [`spdx`];
//! - [`json`]: mamori's own schema (documented in `docs/json-schema.md`);
//! - [`text`]: the terminal summary, in English or Japanese.
//!
//! ```
//! use mamori_model::ScanResult;
//! let bom = mamori_report::cyclonedx(&ScanResult::default(), "0.1.0");
//! assert_eq!(bom["specVersion"], "1.6");
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod formats;
pub mod plan;
mod run;
pub use run::{run_xlsx, sarif};
pub mod spdx;
mod text;

pub use mamori_i18n::{Lang, Messages};

/// Text made safe for HTML content and attribute values (the plan's page and the server's).
pub fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    html_escape_to(s, &mut o);
    o
}

/// [`html_escape`] written at the end of `o` (the server's templates write a page into one
/// string).
pub fn html_escape_to(s: &str, o: &mut String) {
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if shown_as_code(c) => {
                use std::fmt::Write as _;
                let _ = write!(o, "[U+{:04X}]", c as u32);
            }
            _ => o.push(c),
        }
    }
}

/// Characters a page shows as `[U+XXXX]` instead of themselves: the bidirectional controls
/// that make `gpj.exe` read as `exe.jpg` (Trojan Source, CVE-2021-42574), zero-width ones,
/// and control characters (a NUL in a certificate's name) — a name must look like what it
/// is.
fn shown_as_code(c: char) -> bool {
    matches!(c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        | '\u{200B}' | '\u{2060}' | '\u{FEFF}'
        | '\u{0}'..='\u{8}' | '\u{B}'..='\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}')
}
pub use spdx::spdx23;
pub use text::{display_width, pad, sev_label, text, TextOptions};

use mamori_model::{AssetKind, CryptoAsset, ScanResult};
use serde_json::{json, Map, Value};

/// mamori's own JSON: the scan result as stored, with a format version.
pub fn json(r: &ScanResult, run: Option<i64>) -> Value {
    json!({
        "mamoriFormat": 1,
        "run": run,
        "targets": r.targets,
        "summary": summary(r),
        "assets": r.assets,
        "findings": r.findings,
        "components": r.components,
        "distros": r.distros,
        "vulnerabilities": r.vulnerabilities,
        "endpoints": r.endpoints,
        "warnings": r.warnings,
        "files": r.files,
        "bytes": r.bytes,
    })
}

/// [`json`] written straight to `w`, without the document ever being whole in memory
/// besides the scan itself (an export of a run of a million assets would otherwise hold it
/// twice more: as a JSON value and as text). The same members; keys in the order a value
/// would give them.
pub fn write_json(
    r: &ScanResult,
    run: Option<i64>,
    w: impl std::io::Write,
) -> serde_json::Result<()> {
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        assets: &'a [CryptoAsset],
        bytes: u64,
        components: &'a [mamori_model::Component],
        distros: &'a [mamori_model::Distro],
        endpoints: &'a [mamori_model::Endpoint],
        files: u64,
        findings: &'a [mamori_model::Finding],
        #[serde(rename = "mamoriFormat")]
        mamori_format: u32,
        run: Option<i64>,
        summary: Value,
        targets: &'a [String],
        vulnerabilities: &'a [mamori_model::Vulnerability],
        warnings: &'a [mamori_model::Warning],
    }
    serde_json::to_writer_pretty(
        w,
        &Doc {
            assets: &r.assets,
            bytes: r.bytes,
            components: &r.components,
            distros: &r.distros,
            endpoints: &r.endpoints,
            files: r.files,
            findings: &r.findings,
            mamori_format: 1,
            run,
            summary: summary(r),
            targets: &r.targets,
            vulnerabilities: &r.vulnerabilities,
            warnings: &r.warnings,
        },
    )
}

/// Counts by status, kind and severity.
pub fn summary(r: &ScanResult) -> Value {
    let mut by_status = Map::new();
    for s in mamori_model::CryptoStatus::ALL {
        let n = r.assets.iter().filter(|a| a.status() == s).count();
        by_status.insert(s.as_str().into(), n.into());
    }
    let mut by_kind = Map::new();
    for k in [
        AssetKind::Algorithm,
        AssetKind::Certificate,
        AssetKind::Key,
        AssetKind::Protocol,
        AssetKind::Library,
    ] {
        let n = r.assets.iter().filter(|a| a.kind == k).count();
        by_kind.insert(k.as_str().into(), n.into());
    }
    let mut by_sev = Map::new();
    for s in mamori_model::Severity::ALL {
        let n = r.findings.iter().filter(|f| f.severity == s).count();
        by_sev.insert(s.as_str().into(), n.into());
    }
    let mut by_eco = Map::new();
    for c in &r.components {
        let e = by_eco
            .entry(c.ecosystem.clone())
            .or_insert(Value::from(0u64));
        *e = Value::from(e.as_u64().unwrap_or(0) + 1);
    }
    let mut vulns_by_sev = Map::new();
    for s in mamori_model::Severity::ALL {
        let n = r
            .vulnerabilities
            .iter()
            .filter(|v| v.active() && v.severity == Some(s))
            .count();
        vulns_by_sev.insert(s.as_str().into(), n.into());
    }
    let unknown = r
        .vulnerabilities
        .iter()
        .filter(|v| v.active() && v.severity.is_none())
        .count();
    vulns_by_sev.insert("unknown".into(), unknown.into());
    let suppressed = r.vulnerabilities.iter().filter(|v| !v.active()).count();
    json!({
        "assetsByStatus": by_status,
        "assetsByKind": by_kind,
        "findingsBySeverity": by_sev,
        "componentsByEcosystem": by_eco,
        "vulnerabilitiesBySeverity": vulns_by_sev,
        "vulnerabilitiesSuppressed": suppressed,
        "warnings": r.warnings.len()
    })
}

fn mode_16(m: &str) -> &'static str {
    match m {
        "cbc" => "cbc",
        "ecb" => "ecb",
        "ccm" => "ccm",
        "gcm" => "gcm",
        "ofb" => "ofb",
        "ctr" => "ctr",
        m if m.starts_with("cfb") => "cfb",
        _ => "other",
    }
}

fn padding_16(p: &str) -> &'static str {
    let p = p.to_ascii_lowercase();
    if p.contains("pkcs5") {
        "pkcs5"
    } else if p.contains("pkcs7") {
        "pkcs7"
    } else if p.contains("pkcs1") {
        "pkcs1v15"
    } else if p.contains("oaep") {
        "oaep"
    } else if p == "raw" || p == "nopadding" {
        "raw"
    } else {
        "other"
    }
}

fn crypto_functions(p: mamori_model::Primitive) -> Vec<&'static str> {
    use mamori_model::Primitive::*;
    match p {
        Signature => vec!["sign", "verify"],
        Hash | Xof => vec!["digest"],
        Mac => vec!["tag"],
        BlockCipher | StreamCipher | Ae | Pke => vec!["encrypt", "decrypt"],
        Kem => vec!["keygen", "encapsulate", "decapsulate"],
        KeyAgree => vec!["keygen", "keyderive"],
        Kdf => vec!["keyderive"],
        Drbg => vec!["generate"],
        _ => vec![],
    }
}

fn algorithm_properties(p: &mamori_model::AlgorithmProps) -> Value {
    let primitive = match p.primitive {
        mamori_model::Primitive::KeyWrap => "other",
        other => other.as_str(),
    };
    let mut m = Map::new();
    m.insert("primitive".into(), primitive.into());
    if let Some(ps) = &p.parameter_set {
        m.insert("parameterSetIdentifier".into(), ps.clone().into());
    }
    if let Some(c) = &p.curve {
        m.insert("curve".into(), c.clone().into());
    }
    if let Some(md) = &p.mode {
        m.insert("mode".into(), mode_16(md).into());
    }
    if let Some(pd) = &p.padding {
        m.insert("padding".into(), padding_16(pd).into());
    }
    let f = crypto_functions(p.primitive);
    if !f.is_empty() {
        m.insert("cryptoFunctions".into(), json!(f));
    }
    if let Some(c) = p.classical_security_level {
        m.insert("classicalSecurityLevel".into(), c.into());
    }
    m.insert(
        "nistQuantumSecurityLevel".into(),
        p.nist_quantum_security_level.min(6).into(),
    );
    Value::Object(m)
}

/// CycloneDX `evidence.occurrences` for mamori occurrences.
fn occurrences_json(occ: &[mamori_model::Occurrence]) -> Vec<Value> {
    occ.iter()
        .map(|o| {
            let mut m = Map::new();
            let loc = match &o.location.container {
                Some(c) => format!("{c}!{}", o.location.path),
                None => o.location.path.clone(),
            };
            m.insert("location".into(), loc.into());
            if let Some(l) = o.location.line {
                m.insert("line".into(), l.into());
            }
            if let Some(off) = o.location.offset {
                m.insert("offset".into(), off.min(i64::MAX as u64).into());
            }
            let mut ctx = o.detector.clone();
            if let Some(c) = &o.context {
                ctx.push_str(": ");
                ctx.push_str(c);
            }
            m.insert("additionalContext".into(), ctx.into());
            Value::Object(m)
        })
        .collect()
}

fn component(a: &CryptoAsset) -> Value {
    let mut props = vec![json!({"name": "mamori:status", "value": a.status().as_str()})];
    if let Some(n) = a.algorithm.as_ref().and_then(|p| p.note.clone()) {
        props.push(json!({"name": "mamori:note", "value": n}));
    }
    let occurrences = occurrences_json(&a.occurrences);
    let mut c = Map::new();
    c.insert("bom-ref".into(), a.id.clone().into());
    if a.kind == AssetKind::Library {
        c.insert("type".into(), "library".into());
        c.insert(
            "name".into(),
            a.library
                .as_ref()
                .map(|l| l.library.clone())
                .unwrap_or_else(|| a.name.clone())
                .into(),
        );
        if let Some(v) = a.library.as_ref().and_then(|l| l.version.clone()) {
            c.insert("version".into(), v.into());
        }
        if let Some(l) = &a.library {
            props.push(json!({"name": "mamori:linkage", "value": l.linkage}));
        }
    } else {
        if let Some(cert) = &a.certificate {
            // CycloneDX 1.6 has no place for these; mamori reads them back from a BOM.
            props.push(json!({"name": "mamori:serial", "value": cert.serial}));
            props.push(json!({"name": "mamori:ca", "value": cert.is_ca.to_string()}));
            props
                .push(json!({"name": "mamori:self-signed", "value": cert.self_signed.to_string()}));
        }
        c.insert("type".into(), "cryptographic-asset".into());
        c.insert("name".into(), a.name.clone().into());
        c.insert("cryptoProperties".into(), crypto_properties(a));
    }
    if !occurrences.is_empty() {
        c.insert("evidence".into(), json!({"occurrences": occurrences}));
    }
    c.insert("properties".into(), json!(props));
    Value::Object(c)
}

fn crypto_properties(a: &CryptoAsset) -> Value {
    let mut cp = Map::new();
    match a.kind {
        AssetKind::Algorithm => {
            cp.insert("assetType".into(), "algorithm".into());
            if let Some(p) = &a.algorithm {
                cp.insert("algorithmProperties".into(), algorithm_properties(p));
                if let Some(o) = &p.oid {
                    cp.insert("oid".into(), o.clone().into());
                }
            }
        }
        AssetKind::Certificate => {
            cp.insert("assetType".into(), "certificate".into());
            if let Some(c) = &a.certificate {
                let mut m = Map::new();
                m.insert("subjectName".into(), c.subject.clone().into());
                m.insert("issuerName".into(), c.issuer.clone().into());
                if !c.not_before.is_empty() {
                    m.insert("notValidBefore".into(), c.not_before.clone().into());
                }
                if !c.not_after.is_empty() {
                    m.insert("notValidAfter".into(), c.not_after.clone().into());
                }
                if let Some(sig) = a.depends_on.first() {
                    m.insert("signatureAlgorithmRef".into(), sig.clone().into());
                }
                if let Some(key) = a.depends_on.get(1) {
                    m.insert("subjectPublicKeyRef".into(), key.clone().into());
                }
                m.insert("certificateFormat".into(), "X.509".into());
                m.insert("certificateExtension".into(), c.format.clone().into());
                cp.insert("certificateProperties".into(), Value::Object(m));
            }
        }
        AssetKind::Key => {
            cp.insert("assetType".into(), "related-crypto-material".into());
            if let Some(k) = &a.key {
                let mut m = Map::new();
                let t = match k.material.as_str() {
                    "private-key" | "public-key" | "secret-key" => k.material.as_str(),
                    _ => "other",
                };
                m.insert("type".into(), t.into());
                if let Some(fp) = &k.fingerprint {
                    m.insert("id".into(), fp.clone().into());
                }
                if let Some(r) = a.depends_on.first() {
                    m.insert("algorithmRef".into(), r.clone().into());
                }
                if let Some(s) = k.size {
                    m.insert("size".into(), s.into());
                }
                m.insert("format".into(), k.format.clone().into());
                if let Some(p) = &k.protection {
                    m.insert("securedBy".into(), json!({"mechanism": p}));
                }
                cp.insert("relatedCryptoMaterialProperties".into(), Value::Object(m));
            }
        }
        AssetKind::Protocol => {
            cp.insert("assetType".into(), "protocol".into());
            if let Some(p) = &a.protocol {
                let mut m = Map::new();
                let t = match p.kind.as_str() {
                    "tls" | "ssh" | "ipsec" | "ike" | "sstp" | "wpa" => p.kind.as_str(),
                    // CycloneDX has no SSL: it is TLS's predecessor (version 3.0 / 2.0)
                    "ssl" => "tls",
                    _ => "other",
                };
                m.insert("type".into(), t.into());
                if let Some(v) = &p.version {
                    m.insert("version".into(), v.clone().into());
                }
                if !p.cipher_suites.is_empty() {
                    let suites: Vec<Value> =
                        p.cipher_suites.iter().map(|s| json!({"name": s})).collect();
                    m.insert("cipherSuites".into(), json!(suites));
                }
                cp.insert("protocolProperties".into(), Value::Object(m));
            }
            if let Some(o) = a.algorithm.as_ref().and_then(|p| p.oid.clone()) {
                cp.insert("oid".into(), o.into());
            }
        }
        AssetKind::Library => {}
    }
    Value::Object(cp)
}

/// CycloneDX 1.6 JSON for a scan: the SBOM, the CBOM and the vulnerabilities (VEX).
///
/// - every crypto asset is a component (`cryptographic-asset`, or `library` for crypto
///   libraries), with `cryptoProperties` and `evidence.occurrences`;
/// - every software component of [`ScanResult::components`] is a component whose `bom-ref`
///   and `purl` are its purl: `library`, or `application` for a project root (a component
///   that has dependencies, that nothing in the result depends on, and that is not itself
///   declared as anyone's dependency: `direct` unknown); Maven components carry their
///   groupId as `group`; `licenses` hold an `expression` for a compound SPDX expression, a
///   `license.id` for one SPDX license id, a `license.name` for anything else;
///   `hashes`, `evidence.occurrences`, and the properties `mamori:ecosystem`,
///   `mamori:distro`, `mamori:source-package` (`name@version`), `mamori:direct` and
///   `mamori:dev` (`true`/`false`). Development-only components also get `scope: excluded`
///   (CycloneDX: "for test and other non-runtime purposes"); other scopes are not claimed,
///   as mamori does not know whether a runtime dependency is optional;
/// - every operating system ([`ScanResult::distros`], and any distro an OS package names
///   that is not among them) is an `operating-system` component with `bom-ref`
///   `os:<OSV ecosystem>` (or `os:<ID>-<VERSION_ID>`); OS packages stay `library` with a
///   `mamori:distro` property naming it;
/// - `dependencies` hold the crypto edges and the component edges (purl → purls);
/// - `vulnerabilities`: one entry per advisory and component, with `source` and references
///   on osv.dev, CVSS `ratings`, `affects` the component's purl, a `recommendation` to
///   upgrade when a fix is known and, for findings a VEX statement suppressed, an
///   `analysis` (state `not_affected`/`resolved`, justification in CycloneDX words where
///   the statement gives an OpenVEX or CycloneDX justification, and the statement as detail).
pub fn cyclonedx(r: &ScanResult, version: &str) -> Value {
    let ts = now();
    let mut components: Vec<Value> = r.assets.iter().map(component).collect();
    let known: std::collections::HashSet<&str> = r.assets.iter().map(|a| a.id.as_str()).collect();
    let mut dependencies: Vec<Value> = r
        .assets
        .iter()
        .filter(|a| !a.depends_on.is_empty())
        .map(|a| {
            let mut deps: Vec<&str> = a
                .depends_on
                .iter()
                .map(String::as_str)
                .filter(|d| known.contains(d))
                .collect();
            deps.sort_unstable();
            deps.dedup();
            json!({"ref": a.id, "dependsOn": deps})
        })
        .collect();
    let sbom = sbom_parts(r);
    components.extend(sbom.components);
    dependencies.extend(sbom.dependencies);
    let mut bom = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", uuid::Uuid::new_v4()),
        "version": 1,
        "metadata": {
            "timestamp": ts,
            "tools": {"components": [{"type": "application", "name": "mamori", "version": version}]},
            "properties": [{"name": "mamori:targets", "value": r.targets.join(" ")}]
        },
        "components": components,
    });
    let (services, service_deps) = services(r);
    if !services.is_empty() {
        bom["services"] = json!(services);
        dependencies.extend(service_deps);
    }
    if !dependencies.is_empty() {
        bom["dependencies"] = json!(dependencies);
    }
    if !sbom.vulnerabilities.is_empty() {
        bom["vulnerabilities"] = json!(sbom.vulnerabilities);
    }
    bom
}

/// Probed network services as CycloneDX `services`, each depending on the protocol
/// versions, certificates and keys seen at its `host:port`.
fn services(r: &ScanResult) -> (Vec<Value>, Vec<Value>) {
    let mut services = Vec::new();
    let mut deps = Vec::new();
    for ep in &r.endpoints {
        let bom_ref = format!("service:{}", ep.endpoint);
        let mut props = vec![json!({"name": "mamori:service", "value": ep.service})];
        let mut prop = |n: &str, v: String| props.push(json!({"name": n, "value": v}));
        if let Some(a) = &ep.address {
            prop("mamori:address", a.clone());
        }
        if let Some(sys) = &ep.system {
            prop("mamori:system", sys.clone());
        }
        if let Some(e) = &ep.error {
            prop("mamori:error", e.clone());
        }
        if let Some(t) = &ep.tls {
            prop("mamori:tls:versions", t.versions.join(" "));
            prop("mamori:tls:groups", t.groups.join(" "));
            prop("mamori:pq-key-exchange", t.pq_key_exchange.to_string());
            if let Some(m) = &t.modern_client {
                prop(
                    "mamori:tls:modern-client",
                    format!(
                        "{} {} {}",
                        m.version,
                        m.suite,
                        m.group.as_deref().unwrap_or("-")
                    ),
                );
            }
        }
        if let Some(h) = &ep.ssh {
            prop("mamori:ssh:software", h.software.clone());
            prop("mamori:ssh:kex", h.kex.join(" "));
            prop("mamori:pq-key-exchange", h.pq_key_exchange.to_string());
            prop("mamori:ssh:strict-kex", h.strict_kex.to_string());
        }
        services.push(json!({
            "bom-ref": bom_ref,
            "name": ep.endpoint,
            "endpoints": [format!("{}://{}", ep.service, ep.endpoint)],
            "properties": props,
        }));
        let mut on: Vec<&str> = r
            .assets
            .iter()
            .filter(|a| {
                matches!(
                    a.kind,
                    AssetKind::Protocol | AssetKind::Certificate | AssetKind::Key
                ) && a.occurrences.iter().any(|o| o.location.path == ep.endpoint)
            })
            .map(|a| a.id.as_str())
            .collect();
        on.sort_unstable();
        on.dedup();
        if !on.is_empty() {
            deps.push(json!({"ref": bom_ref, "dependsOn": on}));
        }
    }
    (services, deps)
}

/// The SBOM half of a CycloneDX BOM.
struct SbomParts {
    components: Vec<Value>,
    dependencies: Vec<Value>,
    vulnerabilities: Vec<Value>,
}

fn prop(name: &str, value: impl Into<String>) -> Value {
    json!({"name": name, "value": value.into()})
}

/// Software components by purl (first of duplicates), sorted by purl.
pub(crate) fn unique_components(r: &ScanResult) -> Vec<&mamori_model::Component> {
    let mut v: Vec<&mamori_model::Component> = r.components.iter().collect();
    v.sort_by(|a, b| a.purl.cmp(&b.purl));
    v.dedup_by(|a, b| a.purl == b.purl);
    v
}

/// Components that are project roots (see [`cyclonedx`]).
pub(crate) fn project_roots<'a>(
    comps: &[&'a mamori_model::Component],
) -> std::collections::HashSet<&'a str> {
    let depended: std::collections::HashSet<&str> = comps
        .iter()
        .flat_map(|c| c.dependencies.iter().map(String::as_str))
        .collect();
    comps
        .iter()
        .filter(|c| {
            c.direct.is_none() && !c.dependencies.is_empty() && !depended.contains(c.purl.as_str())
        })
        .map(|c| c.purl.as_str())
        .collect()
}

/// CycloneDX `licenses` for a declared license.
fn cdx_licenses(l: &str) -> Option<Value> {
    let l = l.trim();
    if l.is_empty() || l == "NOASSERTION" || l == "NONE" {
        return None;
    }
    Some(match crate::spdx::license_expression(l) {
        Some(e) if crate::spdx::license_id(&e) => json!([{"license": {"id": e}}]),
        Some(e) => json!([{"expression": e}]),
        None => json!([{"license": {"name": l}}]),
    })
}

/// CycloneDX 1.6 `hash-alg` spelling, if the algorithm is one it lists.
fn cdx_hash_alg(a: &str) -> Option<&'static str> {
    let norm = a.to_ascii_uppercase().replace(['_', ' '], "-");
    Some(match norm.as_str() {
        "MD5" => "MD5",
        "SHA-1" | "SHA1" => "SHA-1",
        "SHA-256" | "SHA256" => "SHA-256",
        "SHA-384" | "SHA384" => "SHA-384",
        "SHA-512" | "SHA512" => "SHA-512",
        "SHA3-256" => "SHA3-256",
        "SHA3-384" => "SHA3-384",
        "SHA3-512" => "SHA3-512",
        "BLAKE2B-256" => "BLAKE2b-256",
        "BLAKE2B-384" => "BLAKE2b-384",
        "BLAKE2B-512" => "BLAKE2b-512",
        "BLAKE3" => "BLAKE3",
        _ => return None,
    })
}

fn cdx_hashes(c: &mamori_model::Component) -> Vec<Value> {
    c.hashes
        .iter()
        .filter(|h| {
            matches!(h.value.len(), 32 | 40 | 64 | 96 | 128)
                && h.value.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .filter_map(|h| {
            Some(json!({"alg": cdx_hash_alg(&h.alg)?, "content": h.value.to_ascii_lowercase()}))
        })
        .collect()
}

fn software_component(c: &mamori_model::Component, root: bool) -> Value {
    let mut m = Map::new();
    m.insert(
        "type".into(),
        if root { "application" } else { "library" }.into(),
    );
    m.insert("bom-ref".into(), c.purl.clone().into());
    let maven = mamori_model::purl::Purl::parse(&c.purl)
        .ok()
        .filter(|p| p.ty == "maven" && p.namespace.is_some());
    match maven {
        Some(p) => {
            m.insert(
                "group".into(),
                p.namespace.clone().unwrap_or_default().into(),
            );
            m.insert("name".into(), p.name.clone().into());
        }
        None => {
            m.insert("name".into(), c.name.clone().into());
        }
    }
    if let Some(v) = &c.version {
        m.insert("version".into(), v.clone().into());
    }
    if c.dev {
        m.insert("scope".into(), "excluded".into());
    }
    let hashes = cdx_hashes(c);
    if !hashes.is_empty() {
        m.insert("hashes".into(), hashes.into());
    }
    if let Some(l) = c.license.as_deref().and_then(cdx_licenses) {
        m.insert("licenses".into(), l);
    }
    m.insert("purl".into(), c.purl.clone().into());
    let occ = occurrences_json(&c.occurrences);
    if !occ.is_empty() {
        m.insert("evidence".into(), json!({"occurrences": occ}));
    }
    let mut props = Vec::new();
    if !c.ecosystem.is_empty() {
        props.push(prop("mamori:ecosystem", c.ecosystem.clone()));
    }
    if let Some(d) = &c.distro {
        props.push(prop("mamori:distro", d.clone()));
    }
    if let Some(s) = &c.source {
        props.push(prop(
            "mamori:source-package",
            format!("{}@{}", s.name, s.version),
        ));
    }
    if let Some(d) = c.direct {
        props.push(prop("mamori:direct", d.to_string()));
    }
    props.push(prop("mamori:dev", c.dev.to_string()));
    m.insert("properties".into(), props.into());
    Value::Object(m)
}

/// `os:<key>` bom-ref of an operating system.
fn os_ref(key: &str) -> String {
    format!("os:{key}")
}

fn os_components(r: &ScanResult, comps: &[&mamori_model::Component]) -> Vec<Value> {
    let mut by_ref: std::collections::BTreeMap<String, Value> = std::collections::BTreeMap::new();
    for d in &r.distros {
        let key = d
            .osv_ecosystem
            .clone()
            .unwrap_or_else(|| format!("{}-{}", d.id, d.version_id));
        let occ = occurrences_json(&[mamori_model::Occurrence {
            location: mamori_model::Location {
                path: d.root.clone(),
                line: None,
                offset: None,
                container: d.container.clone(),
            },
            detector: "os-release".into(),
            context: None,
            package: None,
        }]);
        let e = by_ref.entry(os_ref(&key)).or_insert_with(|| {
            let mut m = Map::new();
            m.insert("type".into(), "operating-system".into());
            m.insert("bom-ref".into(), os_ref(&key).into());
            m.insert("name".into(), d.id.clone().into());
            if !d.version_id.is_empty() {
                m.insert("version".into(), d.version_id.clone().into());
            }
            if !d.pretty_name.is_empty() {
                m.insert("description".into(), d.pretty_name.clone().into());
            }
            if let Some(o) = &d.osv_ecosystem {
                m.insert(
                    "properties".into(),
                    json!([prop("mamori:ecosystem", o.clone())]),
                );
            }
            m.insert("evidence".into(), json!({"occurrences": []}));
            Value::Object(m)
        });
        if let Some(Value::Array(a)) = e.pointer_mut("/evidence/occurrences") {
            a.extend(occ);
        }
    }
    for c in comps {
        if let Some(d) = &c.distro {
            by_ref.entry(os_ref(d)).or_insert_with(|| {
                json!({"type": "operating-system", "bom-ref": os_ref(d), "name": d,
                       "properties": [prop("mamori:ecosystem", d.clone())]})
            });
        }
    }
    by_ref
        .into_values()
        .map(|mut v| {
            if v.pointer("/evidence/occurrences")
                .and_then(Value::as_array)
                .is_some_and(|a| a.is_empty())
            {
                if let Some(o) = v.as_object_mut() {
                    o.remove("evidence");
                }
            }
            v
        })
        .collect()
}

/// The database an advisory id comes from, by its prefix.
pub(crate) fn advisory_source(id: &str) -> &'static str {
    let prefix = id.split('-').next().unwrap_or("");
    match prefix {
        "GHSA" => "GitHub Advisory Database",
        "RUSTSEC" => "RustSec",
        "CVE" => "NVD",
        "GO" => "Go Vulnerability Database",
        "PYSEC" => "PyPA Advisory Database",
        "DSA" | "DLA" | "DTSA" | "DEBIAN" => "Debian Security Tracker",
        "USN" | "UBUNTU" => "Ubuntu Security Notices",
        "ALPINE" => "Alpine Security Database",
        "RHSA" | "RHBA" | "RHEA" => "Red Hat",
        "RLSA" => "Rocky Linux",
        "ALSA" => "AlmaLinux",
        "SUSE" | "openSUSE" => "SUSE",
        "MAL" => "OpenSSF Malicious Packages",
        _ => "OSV",
    }
}

/// The osv.dev page of an advisory id.
pub(crate) fn osv_url(id: &str) -> String {
    format!("https://osv.dev/vulnerability/{id}")
}

/// CycloneDX `analysis.justification` for a VEX justification (OpenVEX or CycloneDX words).
fn cdx_justification(text: &str) -> Option<&'static str> {
    let t = text.to_ascii_lowercase();
    const CDX: [&str; 9] = [
        "code_not_present",
        "code_not_reachable",
        "requires_configuration",
        "requires_dependency",
        "requires_environment",
        "protected_by_compiler",
        "protected_at_runtime",
        "protected_at_perimeter",
        "protected_by_mitigating_control",
    ];
    if let Some(j) = CDX.iter().find(|j| t.contains(*j)) {
        return Some(j);
    }
    // OpenVEX justifications (the order matters: longer names contain shorter ones).
    for (openvex, cdx) in [
        ("vulnerable_code_not_in_execute_path", "code_not_reachable"),
        (
            "vulnerable_code_cannot_be_controlled_by_adversary",
            "protected_by_mitigating_control",
        ),
        (
            "inline_mitigations_already_exist",
            "protected_by_mitigating_control",
        ),
        ("vulnerable_code_not_present", "code_not_present"),
        ("component_not_present", "code_not_present"),
    ] {
        if t.contains(openvex) {
            return Some(cdx);
        }
    }
    None
}

fn cdx_vulnerability(v: &mamori_model::Vulnerability) -> Value {
    let mut m = Map::new();
    m.insert("bom-ref".into(), v.key().into());
    m.insert("id".into(), v.id.clone().into());
    m.insert(
        "source".into(),
        json!({"name": advisory_source(&v.id), "url": osv_url(&v.id)}),
    );
    let mut aliases: Vec<&String> = v.aliases.iter().filter(|a| **a != v.id).collect();
    aliases.sort();
    aliases.dedup();
    if !aliases.is_empty() {
        let refs: Vec<Value> = aliases
            .iter()
            .map(|a| json!({"id": a, "source": {"name": advisory_source(a), "url": osv_url(a)}}))
            .collect();
        m.insert("references".into(), refs.into());
    }
    let mut rating = Map::new();
    if let Some(c) = &v.cvss {
        if c.score.is_finite() {
            rating.insert("score".into(), json!(c.score));
        }
        let method = match c.version.as_str() {
            "2.0" | "2" => "CVSSv2",
            "3.0" => "CVSSv3",
            "3.1" => "CVSSv31",
            "4.0" | "4" => "CVSSv4",
            _ => "other",
        };
        rating.insert("method".into(), method.into());
        rating.insert("vector".into(), c.vector.clone().into());
    }
    if let Some(s) = v.severity {
        rating.insert("severity".into(), s.as_str().into());
    }
    if !rating.is_empty() {
        m.insert("ratings".into(), json!([rating]));
    }
    if !v.summary.is_empty() {
        m.insert("description".into(), v.summary.clone().into());
    }
    if let Some(f) = &v.fixed {
        m.insert("recommendation".into(), format!("Upgrade to {f}").into());
    }
    let unaffected = v
        .suppressed
        .as_ref()
        .is_some_and(|s| matches!(s.status.as_str(), "not_affected" | "fixed"));
    let mut affect = json!({"ref": v.component});
    if !v.component_version.is_empty() {
        affect["versions"] = json!([{"version": v.component_version,
            "status": if unaffected { "unaffected" } else { "affected" }}]);
    }
    m.insert("affects".into(), json!([affect]));
    if let Some(s) = &v.suppressed {
        let state = match s.status.as_str() {
            "not_affected" => "not_affected",
            "fixed" => "resolved",
            "affected" => "exploitable",
            "under_investigation" => "in_triage",
            _ => "in_triage",
        };
        let mut a = Map::new();
        a.insert("state".into(), state.into());
        if let Some(j) = s.justification.as_deref().and_then(cdx_justification) {
            a.insert("justification".into(), j.into());
        }
        let detail = match &s.justification {
            Some(j) => format!("{j} (VEX: {})", s.source),
            None => format!("VEX: {}", s.source),
        };
        a.insert("detail".into(), detail.into());
        m.insert("analysis".into(), Value::Object(a));
    }
    Value::Object(m)
}

fn sbom_parts(r: &ScanResult) -> SbomParts {
    let comps = unique_components(r);
    let roots = project_roots(&comps);
    let known: std::collections::HashSet<&str> = comps.iter().map(|c| c.purl.as_str()).collect();
    let mut components: Vec<Value> = comps
        .iter()
        .map(|c| software_component(c, roots.contains(c.purl.as_str())))
        .collect();
    components.extend(os_components(r, &comps));
    let dependencies = comps
        .iter()
        .filter_map(|c| {
            let mut deps: Vec<&str> = c
                .dependencies
                .iter()
                .map(String::as_str)
                .filter(|d| known.contains(d) && *d != c.purl)
                .collect();
            deps.sort_unstable();
            deps.dedup();
            (!deps.is_empty()).then(|| json!({"ref": c.purl, "dependsOn": deps}))
        })
        .collect();
    let vulnerabilities = r.vulnerabilities.iter().map(cdx_vulnerability).collect();
    SbomParts {
        components,
        dependencies,
        vulnerabilities,
    }
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

#[cfg(test)]
mod escape_tests {
    use super::html_escape;

    #[test]
    fn markup_is_escaped_and_spoofing_characters_shown_as_codes() {
        assert_eq!(
            html_escape("<b a=\"x\">'&"),
            "&lt;b a=&quot;x&quot;&gt;&#39;&amp;"
        );
        // A right-to-left override would show "invoice\u{202E}gpj.exe" as "invoiceexe.jpg".
        assert_eq!(
            html_escape("invoice\u{202E}gpj.exe"),
            "invoice[U+202E]gpj.exe"
        );
        assert_eq!(html_escape("a\u{2066}b\u{2069}"), "a[U+2066]b[U+2069]");
        assert_eq!(
            html_escape("evil.com\0.example.org"),
            "evil.com[U+0000].example.org"
        );
        // Ordinary text, Japanese included, and tabs and newlines pass as they are.
        assert_eq!(html_escape("守り\tline\n"), "守り\tline\n");
    }
}
