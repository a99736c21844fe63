//! SPDX 2.3 JSON: the software components of a scan as an SPDX document.
//!
//! [`spdx23`] writes:
//! - the document (`SPDXRef-DOCUMENT`, `dataLicense` CC0-1.0, a `documentNamespace` derived
//!   from a seed, `creationInfo` with `Tool: mamori-<version>` and the creation time —
//!   `SOURCE_DATE_EPOCH` when set, for reproducible documents);
//! - one package per scan target (`SPDXRef-Target-<hash>`, the document `DESCRIBES` it);
//! - one package per operating system seen (`primaryPackagePurpose` `OPERATING-SYSTEM`);
//! - one package per software component: `SPDXRef-Package-<name>-<hash of the purl>`, name,
//!   `versionInfo`, `downloadLocation`/`supplier`/`licenseConcluded`/`copyrightText`
//!   `NOASSERTION`, `filesAnalyzed` false, `licenseDeclared` (the declared SPDX expression
//!   when it is one, else a `LicenseRef-…` whose text is in `hasExtractedLicensingInfos`),
//!   `checksums` (SPDX algorithm names), `externalRefs` (the purl as `PACKAGE-MANAGER`,
//!   each known advisory as `SECURITY`/`advisory` on osv.dev), `sourceInfo` naming the
//!   source package of OS packages (`built package from: <name> <version>`, as trivy writes);
//! - relationships: `DESCRIBES` (document → targets), `CONTAINS` (target → the components
//!   seen under it, target → operating systems), `DEPENDS_ON` (component → its
//!   dependencies).
//!
//! Whether a component is direct or development-only has no SPDX 2.3 package field and is
//! not written. Everything is sorted, so two scans of the same tree give the same document
//! (apart from `created`).

use mamori_model::{Component, ScanResult};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Whether `s` is a valid SPDX 2.3 license expression (license list ids, deprecated ones
/// included, exceptions, `LicenseRef-…`; no `DocumentRef-…`). Returns it trimmed.
pub fn license_expression(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mode = ::spdx::ParseMode {
        allow_deprecated: true,
        ..::spdx::ParseMode::STRICT
    };
    let e = ::spdx::Expression::parse_mode(s, mode).ok()?;
    let ok = e.requirements().all(|r| {
        let lic_ok = match &r.req.license {
            ::spdx::LicenseItem::Spdx { .. } => true,
            ::spdx::LicenseItem::Other(o) => o.doc_ref.is_none(),
        };
        let add_ok = !matches!(r.req.addition, Some(::spdx::AdditionItem::Other(_)));
        lic_ok && add_ok
    });
    ok.then(|| s.to_string())
}

/// Whether `s` is exactly one SPDX license list id (`MIT`, `Apache-2.0`, `GPL-2.0`).
pub fn license_id(s: &str) -> bool {
    ::spdx::license_id(s).is_some()
}

/// `LicenseRef-…` ids an expression uses.
fn license_refs(expr: &str) -> Vec<String> {
    let mode = ::spdx::ParseMode {
        allow_deprecated: true,
        ..::spdx::ParseMode::STRICT
    };
    let Ok(e) = ::spdx::Expression::parse_mode(expr, mode) else {
        return Vec::new();
    };
    e.requirements()
        .filter_map(|r| match &r.req.license {
            ::spdx::LicenseItem::Other(o) if o.doc_ref.is_none() => {
                Some(format!("LicenseRef-{}", o.lic_ref))
            }
            _ => None,
        })
        .collect()
}

/// SPDX 2.3 checksum algorithm for a CycloneDX-spelled hash algorithm.
pub fn spdx_checksum_alg(alg: &str) -> Option<&'static str> {
    let norm = alg.to_ascii_uppercase().replace(['_', ' '], "-");
    Some(match norm.as_str() {
        "MD2" => "MD2",
        "MD4" => "MD4",
        "MD5" => "MD5",
        "MD6" => "MD6",
        "SHA-1" | "SHA1" => "SHA1",
        "SHA-224" | "SHA224" => "SHA224",
        "SHA-256" | "SHA256" => "SHA256",
        "SHA-384" | "SHA384" => "SHA384",
        "SHA-512" | "SHA512" => "SHA512",
        "SHA3-256" => "SHA3-256",
        "SHA3-384" => "SHA3-384",
        "SHA3-512" => "SHA3-512",
        "BLAKE2B-256" => "BLAKE2b-256",
        "BLAKE2B-384" => "BLAKE2b-384",
        "BLAKE2B-512" => "BLAKE2b-512",
        "BLAKE3" => "BLAKE3",
        "ADLER32" => "ADLER32",
        _ => return None,
    })
}

/// Whether a hex digest of `len` digits fits the algorithm (the SPDX validator checks it).
fn checksum_len_ok(alg: &str, len: usize) -> bool {
    match alg {
        "MD2" | "MD4" | "MD5" => len == 32,
        "SHA1" => len == 40,
        "SHA224" => len == 56,
        "SHA256" | "SHA3-256" | "BLAKE2b-256" => len == 64,
        "SHA384" | "SHA3-384" | "BLAKE2b-384" => len == 96,
        "SHA512" | "SHA3-512" | "BLAKE2b-512" => len == 128,
        "ADLER32" => len == 8,
        _ => len > 0,
    }
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Letters, digits, `.` and `-` only (what an SPDX id may hold), at most 40 characters.
fn sanitize(s: &str) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        if out.len() >= 40 {
            break;
        }
        if ch.is_ascii_alphanumeric() || ch == '.' || ch == '-' {
            out.push(ch);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// A stable SPDX id: `SPDXRef-<kind>-<readable part>-<16 hex of SHA-256 of the key>`.
fn spdx_id(kind: &str, readable: &str, key: &str) -> String {
    let h = sha256_hex(key);
    let r = sanitize(readable);
    let h = h.get(..16).unwrap_or(&h);
    if r.is_empty() {
        format!("SPDXRef-{kind}-{h}")
    } else {
        format!("SPDXRef-{kind}-{r}-{h}")
    }
}

fn created() -> String {
    let t = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    t.replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// Which target a component was seen under: the longest target that is its occurrence's
/// container or a path prefix of it; else the first target.
fn target_of<'a>(c: &Component, targets: &'a [String]) -> Option<&'a String> {
    let mut best: Option<&String> = None;
    for o in &c.occurrences {
        for t in targets {
            let t_trim = t.trim_end_matches('/');
            let hit = o.location.container.as_deref() == Some(t.as_str())
                || o.location.path == *t
                || o.location
                    .path
                    .strip_prefix(t_trim)
                    .is_some_and(|rest| rest.starts_with('/') || t_trim.is_empty());
            if hit && best.is_none_or(|b| t.len() > b.len()) {
                best = Some(t);
            }
        }
        if best.is_some() {
            break;
        }
    }
    best.or_else(|| targets.first())
}

fn relationship(a: &str, ty: &str, b: &str) -> (String, String, String) {
    (a.to_string(), ty.to_string(), b.to_string())
}

/// An SPDX 2.3 JSON document for the components of a scan (see the module documentation).
///
/// `document_namespace_seed` makes the `documentNamespace` (a URI unique per document, as
/// SPDX requires): `https://spdx.org/spdxdocs/mamori-<SHA-256 of the seed>`; pass e.g. the run
/// id and the targets.
pub fn spdx23(r: &ScanResult, tool_version: &str, document_namespace_seed: &str) -> Value {
    let comps = crate::unique_components(r);
    let roots = crate::project_roots(&comps);
    let mut targets: Vec<String> = r.targets.clone();
    targets.sort();
    targets.dedup();
    if targets.is_empty() {
        targets.push("scan".into());
    }
    let mut packages: BTreeMap<String, Value> = BTreeMap::new();
    let mut rels: BTreeSet<(String, String, String)> = BTreeSet::new();
    let mut extracted: BTreeMap<String, String> = BTreeMap::new();

    // Scan targets.
    let target_ids: BTreeMap<&String, String> = targets
        .iter()
        .map(|t| (t, spdx_id("Target", "", t)))
        .collect();
    for (t, id) in &target_ids {
        packages.insert(
            id.clone(),
            json!({
                "SPDXID": id,
                "name": t,
                "downloadLocation": "NOASSERTION",
                "filesAnalyzed": false,
                "licenseConcluded": "NOASSERTION",
                "licenseDeclared": "NOASSERTION",
                "copyrightText": "NOASSERTION",
                "supplier": "NOASSERTION",
                "comment": "A target of the mamori scan.",
            }),
        );
        rels.insert(relationship("SPDXRef-DOCUMENT", "DESCRIBES", id));
    }

    // Operating systems.
    for d in &r.distros {
        let key = d
            .osv_ecosystem
            .clone()
            .unwrap_or_else(|| format!("{}-{}", d.id, d.version_id));
        let id = spdx_id("OperatingSystem", &key, &key);
        let mut p = json!({
            "SPDXID": id,
            "name": d.id,
            "downloadLocation": "NOASSERTION",
            "filesAnalyzed": false,
            "licenseConcluded": "NOASSERTION",
            "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "supplier": "NOASSERTION",
            "primaryPackagePurpose": "OPERATING-SYSTEM",
        });
        if !d.version_id.is_empty() {
            p["versionInfo"] = d.version_id.clone().into();
        }
        if !d.pretty_name.is_empty() {
            p["description"] = d.pretty_name.clone().into();
        }
        packages.entry(id.clone()).or_insert(p);
        let seen_in = d.container.as_ref().unwrap_or(&d.root);
        let t = targets
            .iter()
            .filter(|t| {
                seen_in == *t || seen_in.starts_with(&format!("{}/", t.trim_end_matches('/')))
            })
            .max_by_key(|t| t.len())
            .or_else(|| targets.first());
        if let Some(tid) = t.and_then(|t| target_ids.get(t)) {
            rels.insert(relationship(tid, "CONTAINS", &id));
        }
    }

    // Advisories by component.
    let mut advisories: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for v in &r.vulnerabilities {
        advisories
            .entry(v.component.as_str())
            .or_default()
            .insert(v.id.as_str());
    }

    // Components.
    let ids: BTreeMap<&str, String> = comps
        .iter()
        .map(|c| (c.purl.as_str(), spdx_id("Package", &c.name, &c.purl)))
        .collect();
    for c in &comps {
        let Some(id) = ids.get(c.purl.as_str()) else {
            continue;
        };
        let purpose = if roots.contains(c.purl.as_str()) {
            "APPLICATION"
        } else {
            "LIBRARY"
        };
        let advisories = advisories
            .get(c.purl.as_str())
            .into_iter()
            .flatten()
            .copied();
        let p = component_package(c, id, purpose, advisories, &mut extracted);
        packages.insert(id.clone(), p);
        if let Some(tid) = target_of(c, &targets).and_then(|t| target_ids.get(t)) {
            rels.insert(relationship(tid, "CONTAINS", id));
        }
        for d in &c.dependencies {
            if let Some(did) = ids.get(d.as_str()).filter(|did| *did != id) {
                rels.insert(relationship(id, "DEPENDS_ON", did));
            }
        }
    }

    let name = format!("mamori scan of {}", targets.join(" "));
    let mut doc = json!({
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": name.trim(),
        "documentNamespace": format!("https://spdx.org/spdxdocs/mamori-{}", sha256_hex(document_namespace_seed)),
        "creationInfo": {
            "creators": [format!("Tool: mamori-{tool_version}")],
            "created": created(),
        },
        "packages": packages.into_values().collect::<Vec<_>>(),
        "relationships": rels
            .into_iter()
            .map(|(a, t, b)| json!({"spdxElementId": a, "relationshipType": t, "relatedSpdxElement": b}))
            .collect::<Vec<_>>(),
    });
    if !extracted.is_empty() {
        doc["hasExtractedLicensingInfos"] = extracted
            .into_iter()
            .map(|(id, text)| json!({"licenseId": id, "extractedText": text, "name": text}))
            .collect::<Vec<_>>()
            .into();
    }
    doc
}

/// The SPDX package of component `c` (`purpose`: APPLICATION or LIBRARY) with the
/// advisories that affect it; license references it declares go into `extracted`.
fn component_package<'a>(
    c: &mamori_model::Component,
    id: &str,
    purpose: &str,
    advisories: impl Iterator<Item = &'a str>,
    extracted: &mut BTreeMap<String, String>,
) -> Value {
    let mut p = Map::new();
    p.insert("SPDXID".into(), id.into());
    p.insert("name".into(), c.name.clone().into());
    if let Some(v) = &c.version {
        p.insert("versionInfo".into(), v.clone().into());
    }
    p.insert("downloadLocation".into(), "NOASSERTION".into());
    p.insert("filesAnalyzed".into(), false.into());
    p.insert("supplier".into(), "NOASSERTION".into());
    p.insert("licenseConcluded".into(), "NOASSERTION".into());
    p.insert("copyrightText".into(), "NOASSERTION".into());
    let declared = declared_license(c.license.as_deref(), extracted);
    p.insert("licenseDeclared".into(), declared.into());
    if let Some(v) = checksums(c) {
        p.insert("checksums".into(), v);
    }
    let mut refs = vec![json!({
        "referenceCategory": "PACKAGE-MANAGER",
        "referenceType": "purl",
        "referenceLocator": c.purl,
    })];
    for a in advisories {
        refs.push(json!({
            "referenceCategory": "SECURITY",
            "referenceType": "advisory",
            "referenceLocator": crate::osv_url(a),
        }));
    }
    p.insert("externalRefs".into(), refs.into());
    if let Some(s) = &c.source {
        p.insert(
            "sourceInfo".into(),
            format!("built package from: {} {}", s.name, s.version).into(),
        );
    }
    p.insert("primaryPackagePurpose".into(), purpose.into());
    Value::Object(p)
}

/// A component's declared license as an SPDX expression; what is not one becomes a
/// `LicenseRef-` with its text in `extracted`.
fn declared_license(license: Option<&str>, extracted: &mut BTreeMap<String, String>) -> String {
    match license.map(str::trim) {
        None | Some("") | Some("NOASSERTION") => "NOASSERTION".to_string(),
        Some("NONE") => "NONE".to_string(),
        Some(l) => match license_expression(l) {
            Some(e) => {
                for lr in license_refs(&e) {
                    extracted
                        .entry(lr)
                        .or_insert_with(|| format!("Declared as part of: {e}"));
                }
                e
            }
            None => {
                let lr = format!(
                    "LicenseRef-{}-{}",
                    sanitize(l).chars().take(24).collect::<String>(),
                    sha256_hex(l).get(..8).unwrap_or("0")
                )
                .replace("LicenseRef--", "LicenseRef-");
                extracted.insert(lr.clone(), l.to_string());
                lr
            }
        },
    }
}

/// A component's hashes SPDX can carry (one per algorithm, hex of the right length).
fn checksums(c: &mamori_model::Component) -> Option<Value> {
    let mut sums: Vec<(String, String)> = c
        .hashes
        .iter()
        .filter(|h| !h.value.is_empty() && h.value.bytes().all(|b| b.is_ascii_hexdigit()))
        .filter_map(|h| {
            let alg = spdx_checksum_alg(&h.alg)?;
            checksum_len_ok(alg, h.value.len())
                .then(|| (alg.to_string(), h.value.to_ascii_lowercase()))
        })
        .collect();
    sums.sort();
    sums.dedup_by(|a, b| a.0 == b.0);
    (!sums.is_empty()).then(|| {
        sums.iter()
            .map(|(a, v)| json!({"algorithm": a, "checksumValue": v}))
            .collect::<Vec<_>>()
            .into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions() {
        assert_eq!(license_expression("MIT").as_deref(), Some("MIT"));
        assert_eq!(
            license_expression(" MIT OR Apache-2.0 ").as_deref(),
            Some("MIT OR Apache-2.0")
        );
        assert!(license_expression("GPL-2.0-or-later WITH Classpath-exception-2.0").is_some());
        assert!(
            license_expression("GPL-2.0").is_some(),
            "deprecated ids are valid"
        );
        assert!(license_expression("LicenseRef-acme").is_some());
        assert!(license_expression("DocumentRef-x:LicenseRef-y").is_none());
        assert!(license_expression("MIT/Apache-2.0").is_none());
        assert!(license_expression("LGPL-2.1, GPL-2.0").is_none());
        assert!(license_expression("BSD").is_none());
        assert!(license_id("Apache-2.0"));
        assert!(!license_id("MIT OR Apache-2.0"));
        assert_eq!(
            license_refs("MIT AND LicenseRef-acme"),
            ["LicenseRef-acme".to_string()]
        );
    }

    #[test]
    fn ids_are_stable_and_sane() {
        let a = spdx_id("Package", "@babel/core", "pkg:npm/%40babel/core@7.24.0");
        assert_eq!(
            a,
            spdx_id("Package", "@babel/core", "pkg:npm/%40babel/core@7.24.0")
        );
        assert!(a.starts_with("SPDXRef-Package-babel-core-"), "{a}");
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'));
        assert_ne!(
            a,
            spdx_id("Package", "@babel/core", "pkg:npm/%40babel/core@7.24.1")
        );
    }

    #[test]
    fn checksum_names() {
        assert_eq!(spdx_checksum_alg("SHA-256"), Some("SHA256"));
        assert_eq!(spdx_checksum_alg("BLAKE2b-256"), Some("BLAKE2b-256"));
        assert_eq!(spdx_checksum_alg("SHA-1"), Some("SHA1"));
        assert_eq!(spdx_checksum_alg("CRC32"), None);
    }
}
