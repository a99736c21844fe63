//! mamori's reporters: one internal model, faithful encodings.
//!
//! - [`cyclonedx`]: CycloneDX 1.6 JSON, each asset a `cryptographic-asset` component with
//!   `cryptoProperties` and `evidence.occurrences` (validated against the official schema in
//!   the test suite);
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

mod text;

pub use mamori_i18n::{Lang, Messages};
pub use text::{text, TextOptions};

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
        "warnings": r.warnings,
        "files": r.files,
        "bytes": r.bytes,
    })
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
    json!({"assetsByStatus": by_status, "assetsByKind": by_kind, "findingsBySeverity": by_sev, "warnings": r.warnings.len()})
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

fn component(a: &CryptoAsset) -> Value {
    let mut props = vec![json!({"name": "mamori:status", "value": a.status().as_str()})];
    if let Some(n) = a.algorithm.as_ref().and_then(|p| p.note.clone()) {
        props.push(json!({"name": "mamori:note", "value": n}));
    }
    let occurrences: Vec<Value> = a
        .occurrences
        .iter()
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
        .collect();
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

/// CycloneDX 1.6 JSON for a scan: components, evidence and dependencies.
pub fn cyclonedx(r: &ScanResult, version: &str) -> Value {
    let ts = now();
    let components: Vec<Value> = r.assets.iter().map(component).collect();
    let known: std::collections::HashSet<&str> = r.assets.iter().map(|a| a.id.as_str()).collect();
    let dependencies: Vec<Value> = r
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
    if !dependencies.is_empty() {
        bom["dependencies"] = json!(dependencies);
    }
    bom
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
