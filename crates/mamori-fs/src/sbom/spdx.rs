//! SPDX 2.x JSON documents read as an inventory of software components.
//!
//! Read only when the document is named as a target (see `TARGET_ONLY` in the crate root):
//! an SBOM left in a tree is not evidence of what is installed there.
//!
//! Every package becomes a [`Component`]: its purl from `externalRefs` (`PACKAGE-MANAGER`
//! `purl`), or, for a package without one, a `pkg:generic/<name>@<version>` purl with a
//! context note saying so; name and version from the purl (with mamori's conventions, see
//! [`mamori_model::ecosystem::component_of`]), ecosystem and distro from the purl,
//! `licenseDeclared` (a `LicenseRef-…` whose extracted licensing info has a name is read as
//! that name), `checksums`, and the source package from the `upstream` purl qualifier or a
//! `sourceInfo` of the form `built package from: <name> <version>` (trivy, mamori).
//! Dependency edges come from `DEPENDS_ON` and the `…DEPENDENCY_OF` relationships; a package
//! that is a `DEV_DEPENDENCY_OF` or `TEST_DEPENDENCY_OF` another is development-only. When a
//! package the document `DESCRIBES` has dependencies, those are direct and the other
//! components of the graph transitive.
//!
//! Not read: the scan-target packages of mamori's own SPDX output (`SPDXRef-Target-…` in a
//! document whose creator is mamori) and operating-system packages without a purl: they are
//! not software components. SPDX 3 (JSON-LD) and the tag-value, RDF, YAML encodings are not read.
//!
//! ```
//! use mamori_fs::{sbom::spdx::SpdxDetector, Detector, FileInfo, Output};
//! let doc = br#"{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[
//!   {"SPDXID":"SPDXRef-a","name":"time","versionInfo":"0.1.43","licenseDeclared":"MIT OR Apache-2.0",
//!    "externalRefs":[{"referenceCategory":"PACKAGE-MANAGER","referenceType":"purl",
//!                     "referenceLocator":"pkg:cargo/time@0.1.43"}]}]}"#;
//! let f = FileInfo { path: "sbom.spdx.json", name: "sbom.spdx.json", size: doc.len() as u64, container: None, fs: None };
//! assert!(SpdxDetector.wants(&f, doc));
//! let mut out = Output::default();
//! SpdxDetector.detect(&f, doc, &mut out);
//! let c = &out.components[0].component;
//! assert_eq!((c.purl.as_str(), c.ecosystem.as_str()), ("pkg:cargo/time@0.1.43", "crates.io"));
//! assert_eq!(c.license.as_deref(), Some("MIT OR Apache-2.0"));
//! ```

use crate::detect::{Detector, FileInfo, Output};
use mamori_model::ecosystem::{component_of, parse_purl};
use mamori_model::purl::Purl;
use mamori_model::{Component, Hash, SourcePackage};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Detector name used in occurrences.
pub const NAME: &str = "spdx";

/// Most packages read from one document; the rest are skipped with a warning.
pub const MAX_PACKAGES: usize = 200_000;

/// Reads SPDX 2.x JSON documents.
pub struct SpdxDetector;

impl Detector for SpdxDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, file: &FileInfo<'_>, head: &[u8]) -> bool {
        // A writer that sorts keys puts `spdxVersion` last, past the head; `SPDXID` of the
        // document comes first there.
        file.name.to_ascii_lowercase().ends_with(".json")
            && (memchr::memmem::find(head, b"\"spdxVersion\"").is_some()
                || memchr::memmem::find(head, b"\"SPDXRef-DOCUMENT\"").is_some())
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        file.name.to_ascii_lowercase().ends_with(".json")
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let doc: Value = match serde_json::from_slice(data) {
            Ok(v) => v,
            Err(e) => {
                out.warn(file, format!("not valid SPDX JSON: {e}"));
                return;
            }
        };
        let Some(doc) = doc.as_object() else {
            out.warn(file, "SPDX document is not a JSON object");
            return;
        };
        match doc.get("spdxVersion").and_then(Value::as_str) {
            Some("SPDX-2.2" | "SPDX-2.3") => {}
            Some(v) if v.starts_with("SPDX-2.") => out.warn(
                file,
                format!("SPDX version {v} is not supported (2.2, 2.3); read as far as possible"),
            ),
            Some(v) => {
                out.warn(
                    file,
                    format!("SPDX version {v} is not supported (2.2, 2.3); not read"),
                );
                return;
            }
            None => {
                // The head named `spdxVersion` but this is something else (a schema …).
                if doc.get("SPDXID").and_then(Value::as_str) == Some("SPDXRef-DOCUMENT") {
                    out.warn(file, "SPDX document has no spdxVersion; not read");
                }
                return;
            }
        }
        read_doc(file, doc, out);
    }

    fn max_size(&self) -> u64 {
        256 << 20
    }
}

fn str_of<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// CycloneDX spelling (mamori's `Hash::alg`) of an SPDX checksum algorithm.
fn hash_alg(spdx: &str) -> Option<&'static str> {
    Some(match spdx.to_ascii_uppercase().as_str() {
        "MD5" => "MD5",
        "SHA1" => "SHA-1",
        "SHA224" => "SHA-224",
        "SHA256" => "SHA-256",
        "SHA384" => "SHA-384",
        "SHA512" => "SHA-512",
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

/// A package's purl from its `externalRefs`.
fn purl_ref(p: &Map<String, Value>) -> Option<&str> {
    p.get("externalRefs")?
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .find(|r| str_of(r, "referenceType").is_some_and(|t| t.eq_ignore_ascii_case("purl")))
        .and_then(|r| str_of(r, "referenceLocator"))
}

struct Pkg<'a> {
    spdx_id: &'a str,
    component: Component,
    note: Option<String>,
}

fn read_doc(file: &FileInfo<'_>, doc: &Map<String, Value>, out: &mut Output) {
    let by_mamori = doc
        .get("creationInfo")
        .and_then(Value::as_object)
        .and_then(|c| c.get("creators"))
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .filter_map(Value::as_str)
                .any(|c| c.starts_with("Tool: mamori-"))
        });
    // LicenseRef id → its name.
    let mut extracted: HashMap<&str, &str> = HashMap::new();
    for e in doc
        .get("hasExtractedLicensingInfos")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
    {
        if let (Some(id), Some(n)) = (str_of(e, "licenseId"), str_of(e, "name")) {
            if n != "NOASSERTION" {
                extracted.insert(id, n);
            }
        }
    }
    let mut pkgs = read_packages(file, doc, by_mamori, &extracted, out);
    link_packages(file, doc, &mut pkgs, out);
    let loc = file.location();
    for p in pkgs {
        let ctx = p.note.unwrap_or_else(|| format!("SPDXID {}", p.spdx_id));
        out.component(p.component, loc.clone(), NAME, Some(ctx));
    }
}

/// The document's packages as components (a mamori document's scan targets and operating
/// systems left out); what cannot be read is a warning.
fn read_packages<'a>(
    file: &FileInfo<'_>,
    doc: &'a Map<String, Value>,
    by_mamori: bool,
    extracted: &HashMap<&str, &str>,
    out: &mut Output,
) -> Vec<Pkg<'a>> {
    let packages = match doc.get("packages") {
        Some(Value::Array(a)) => a.as_slice(),
        Some(_) => {
            out.warn(file, "SPDX `packages` is not an array");
            &[]
        }
        None => &[],
    };
    if packages.len() > MAX_PACKAGES {
        out.warn(
            file,
            format!("more than {MAX_PACKAGES} packages; the rest are not read"),
        );
    }
    let mut pkgs: Vec<Pkg<'_>> = Vec::new();
    let mut bad = 0usize;
    for v in packages.iter().take(MAX_PACKAGES) {
        let Some(p) = v.as_object() else {
            bad += 1;
            continue;
        };
        let Some(spdx_id) = str_of(p, "SPDXID") else {
            bad += 1;
            continue;
        };
        let name = str_of(p, "name");
        let version = str_of(p, "versionInfo");
        let purpose = str_of(p, "primaryPackagePurpose");
        let (purl, note) = match purl_ref(p) {
            Some(s) => match parse_purl(s) {
                Ok(u) => (u, None),
                Err(e) => {
                    out.warn(
                        file,
                        format!("package {spdx_id}: purl '{s}' is not valid ({e}); skipped"),
                    );
                    continue;
                }
            },
            None => {
                if (by_mamori && spdx_id.starts_with("SPDXRef-Target-"))
                    || purpose == Some("OPERATING-SYSTEM")
                {
                    continue;
                }
                let Some(n) = name else {
                    bad += 1;
                    continue;
                };
                match Purl::new("generic", None, n, version, BTreeMap::new(), None) {
                    Ok(u) => (
                        u,
                        Some(format!(
                            "{spdx_id}: no purl in the SPDX document; generic purl from name and version"
                        )),
                    ),
                    Err(e) => {
                        out.warn(
                            file,
                            format!("package {spdx_id}: no purl, and none can be made from its name ({e}); skipped"),
                        );
                        continue;
                    }
                }
            }
        };
        let c = component(p, &purl, name, version, extracted);
        pkgs.push(Pkg {
            spdx_id,
            component: c,
            note,
        });
    }
    if bad > 0 {
        out.warn(
            file,
            format!("{bad} packages are not objects with an SPDXID and a name; skipped"),
        );
    }
    pkgs
}

/// A package's component: its purl and name, version, declared license (a LicenseRef by
/// its name), checksums and source package.
fn component(
    p: &Map<String, Value>,
    purl: &Purl,
    name: Option<&str>,
    version: Option<&str>,
    extracted: &HashMap<&str, &str>,
) -> Component {
    let mut c = component_of(purl, name);
    if c.version.is_none() {
        c.version = version.map(str::to_string);
    }
    c.license = str_of(p, "licenseDeclared")
        .filter(|l| *l != "NOASSERTION" && *l != "NONE")
        .map(|l| extracted.get(l).copied().unwrap_or(l).to_string());
    c.hashes = p
        .get("checksums")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter_map(|h| {
            let alg = hash_alg(str_of(h, "algorithm")?)?;
            let v = str_of(h, "checksumValue")?;
            v.bytes().all(|b| b.is_ascii_hexdigit()).then(|| Hash {
                alg: alg.to_string(),
                value: v.to_ascii_lowercase(),
            })
        })
        .collect();
    if c.source.is_none() {
        if let Some((n, v)) = str_of(p, "sourceInfo")
            .and_then(|s| s.strip_prefix("built package from: "))
            .and_then(|s| s.trim().split_once(' '))
        {
            c.source = Some(SourcePackage {
                name: n.to_string(),
                version: v.trim().to_string(),
            });
        }
    }
    c
}

/// The relationships: dependency edges (dev and test ones mark the package dev), and
/// which packages are direct dependencies of what the document describes.
fn link_packages(
    file: &FileInfo<'_>,
    doc: &Map<String, Value>,
    pkgs: &mut [Pkg<'_>],
    out: &mut Output,
) {
    let index: HashMap<&str, usize> = pkgs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.spdx_id, i))
        .collect();
    let mut edges: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut dev: BTreeSet<usize> = BTreeSet::new();
    let mut described: Vec<&str> = doc
        .get("documentDescribes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    match doc.get("relationships") {
        Some(Value::Array(rs)) => {
            for r in rs.iter().filter_map(Value::as_object) {
                let (Some(a), Some(t), Some(b)) = (
                    str_of(r, "spdxElementId"),
                    str_of(r, "relationshipType"),
                    str_of(r, "relatedSpdxElement"),
                ) else {
                    continue;
                };
                if t == "DESCRIBES" && a == "SPDXRef-DOCUMENT" {
                    described.push(b);
                    continue;
                }
                if t == "DESCRIBED_BY" && b == "SPDXRef-DOCUMENT" {
                    described.push(a);
                    continue;
                }
                let (Some(&ia), Some(&ib)) = (index.get(a), index.get(b)) else {
                    continue;
                };
                match t {
                    "DEPENDS_ON" => {
                        edges.insert((ia, ib));
                    }
                    "DEPENDENCY_OF"
                    | "RUNTIME_DEPENDENCY_OF"
                    | "BUILD_DEPENDENCY_OF"
                    | "OPTIONAL_DEPENDENCY_OF"
                    | "PROVIDED_DEPENDENCY_OF" => {
                        edges.insert((ib, ia));
                    }
                    "DEV_DEPENDENCY_OF" | "TEST_DEPENDENCY_OF" => {
                        edges.insert((ib, ia));
                        dev.insert(ia);
                    }
                    _ => {}
                }
            }
        }
        Some(_) => out.warn(file, "SPDX `relationships` is not an array"),
        None => {}
    }
    for &(a, b) in &edges {
        if a == b {
            continue;
        }
        let dep = pkgs[b].component.purl.clone();
        let deps = &mut pkgs[a].component.dependencies;
        if !deps.contains(&dep) {
            deps.push(dep);
        }
    }
    for &i in &dev {
        pkgs[i].component.dev = true;
    }
    let roots: BTreeSet<usize> = described
        .iter()
        .filter_map(|d| index.get(d).copied())
        .filter(|&i| edges.iter().any(|&(a, _)| a == i))
        .collect();
    if !roots.is_empty() {
        let in_graph: BTreeSet<usize> = edges.iter().flat_map(|&(a, b)| [a, b]).collect();
        let direct: BTreeSet<usize> = edges
            .iter()
            .filter(|(a, _)| roots.contains(a))
            .map(|&(_, b)| b)
            .collect();
        for i in in_graph {
            if !roots.contains(&i) {
                pkgs[i].component.direct = Some(direct.contains(&i));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(data: &[u8]) -> Output {
        let f = FileInfo {
            path: "x/sbom.spdx.json",
            name: "sbom.spdx.json",
            size: data.len() as u64,
            container: None,
            fs: None,
        };
        let mut out = Output::default();
        SpdxDetector.detect(&f, data, &mut out);
        out
    }

    #[test]
    fn malformed_documents_warn() {
        let out = run(b"{\"spdxVersion\": \"SPDX-2.3\", ");
        assert_eq!(out.warnings.len(), 1);
        assert_eq!(out.warnings[0].path, "x/sbom.spdx.json");
        assert!(out.warnings[0].message.contains("not valid SPDX JSON"));
        let out = run(br#"{"spdxVersion":"SPDX-2.3","packages":{"a":1},"relationships":7}"#);
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
        let out = run(
            br#"{"spdxVersion":"SPDX-2.3","packages":[1,{"SPDXID":"SPDXRef-x",
            "externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:"}]}]}"#,
        );
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
        assert!(out.components.is_empty());
        let out = run(br#"{"spdxVersion":"SPDX-3.0","packages":[]}"#);
        assert!(out.warnings[0].message.contains("SPDX-3.0"));
    }
}
