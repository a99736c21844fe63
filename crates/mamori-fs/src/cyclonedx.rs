//! CycloneDX BOMs (JSON, spec 1.4–1.7) read back in as an inventory.
//!
//! Only a BOM given as a target is read (`walk.rs` leaves this detector out of directory
//! and image walks: a report left in a tree is not an input). A BOM given as a target —
//! mamori's own `--format cyclonedx` output, or a CBOM made by
//! another tool (CBOMkit, cdxgen …) — becomes observations like any other file: every
//! `cryptographic-asset` component (top level or nested) is one asset, seen at each of its
//! `evidence.occurrences` (or at the BOM itself when it has none), with the BOM as the
//! location's container and `cyclonedx` as the detector.
//!
//! The reader inverts `mamori_report::cyclonedx`: algorithms, certificates, keys
//! (`related-crypto-material`) and protocols are mapped back to mamori's model, and the
//! status and normalized name are re-derived from mamori's knowledge base (by name when the
//! name already is a normalized one, then by OID, then from the family, parameter set,
//! curve and mode, then by name),
//! so a BOM made elsewhere gets mamori's judgement. Where mamori knows nothing the BOM's own
//! values are kept (status `unknown` unless the BOM is mamori's own and says otherwise).
//! Asset ids are those mamori's detectors give the same thing: `alg:<normalized name>`,
//! `cert:<sha256>` when the BOM carries a SHA-256 of the certificate (else
//! `cert:bom:<bom-ref>`), mamori's own `key:…` bom-ref or `key:<id>` (else
//! `key:bom:<bom-ref>`), `proto:<kind>-<version>`.
//! `library` components written by mamori (they carry a `mamori:linkage` property) come back
//! as library assets.
//!
//! Software components — `library`, `framework`, `application`, `operating-system`,
//! `container` and `firmware` components that have a purl, nested ones and the BOM's
//! `metadata.component` included — are reported as [`mamori_model::Component`]s: identity
//! from the purl (see [`mamori_model::ecosystem::component_of`]), version, licenses
//! (an `expression`, a `license.id` or a `license.name`; several are joined with `AND`),
//! hashes, dependency edges from `dependencies` (bom-refs mapped to purls), seen at each
//! `evidence.occurrences` location (or at the BOM). mamori's own `mamori:ecosystem`,
//! `mamori:distro`, `mamori:source-package`, `mamori:direct` and `mamori:dev` properties are
//! read back; otherwise a component is development-only when its scope is `excluded` or npm
//! marks it `cdx:npm:package:development`, and direct when the BOM's subject depends on it.
//! Components without a purl (an operating system as most tools write it) are not read.
//!
//! The XML encoding of CycloneDX is not read: only JSON files whose first 4 KiB name
//! `"bomFormat"` and `"CycloneDX"`.
//!
//! ```
//! use mamori_fs::{cyclonedx::CycloneDxDetector, Detector, FileInfo, Output};
//! let bom = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
//!   {"type":"cryptographic-asset","bom-ref":"a1","name":"AES-128-ECB",
//!    "cryptoProperties":{"assetType":"algorithm"}}]}"#;
//! let f = FileInfo { path: "bom.json", name: "bom.json", size: bom.len() as u64, container: None, fs: None };
//! assert!(CycloneDxDetector.wants(&f, bom));
//! let mut out = Output::default();
//! CycloneDxDetector.detect(&f, bom, &mut out);
//! assert_eq!(out.observations[0].asset.id, "alg:AES-128-ECB");
//! assert_eq!(out.observations[0].asset.status(), mamori_model::CryptoStatus::Broken);
//! ```

use crate::detect::{Detector, FileInfo, Output};
use mamori_algorithms as alg;
use mamori_model::{
    AlgorithmProps, AssetKind, CertificateProps, CryptoAsset, CryptoStatus, KeyProps, LibraryProps,
    Location, Primitive, ProtocolProps,
};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// Detector name used in occurrences.
pub const NAME: &str = "cyclonedx";

/// Most components read from one BOM; the rest are skipped with a warning.
pub const MAX_COMPONENTS: usize = 200_000;

/// Most occurrences kept per component; the rest are skipped with a warning.
pub const MAX_OCCURRENCES: usize = 10_000;

/// Reads CycloneDX JSON BOMs (1.4–1.7) as inventories. XML BOMs are not read.
pub struct CycloneDxDetector;

impl Detector for CycloneDxDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, file: &FileInfo<'_>, head: &[u8]) -> bool {
        // `.cdx.json` and `bom.json` end in `.json` too.
        if !file.name.to_ascii_lowercase().ends_with(".json") {
            return false;
        }
        memchr::memmem::find(head, b"\"bomFormat\"").is_some()
            && memchr::memmem::find(head, b"\"CycloneDX\"").is_some()
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        file.name.to_ascii_lowercase().ends_with(".json")
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let bom: Value = match serde_json::from_slice(data) {
            Ok(v) => v,
            Err(e) => {
                out.warn(file, format!("not valid CycloneDX JSON: {e}"));
                return;
            }
        };
        let Some(bom) = bom.as_object() else {
            out.warn(file, "CycloneDX BOM is not a JSON object");
            return;
        };
        if bom.get("bomFormat").and_then(Value::as_str) != Some("CycloneDX") {
            // The head mentioned CycloneDX, but this is something else (a schema, a config).
            return;
        }
        match bom.get("specVersion") {
            Some(Value::String(v)) if matches!(v.as_str(), "1.4" | "1.5" | "1.6" | "1.7") => {}
            Some(Value::String(v)) => out.warn(
                file,
                format!("CycloneDX specVersion {v} is not supported (1.4 to 1.7); read as far as possible"),
            ),
            Some(_) => out.warn(file, "CycloneDX specVersion is not a string; read as far as possible"),
            None => out.warn(file, "CycloneDX BOM has no specVersion; read as far as possible"),
        }
        read_bom(file, bom, out);
    }

    fn max_size(&self) -> u64 {
        256 << 20
    }
}

/// A component mamori reads, with what the first pass learned.
struct Comp<'a> {
    c: &'a Map<String, Value>,
    bom_ref: Option<&'a str>,
    kind: AssetKind,
}

fn str_of<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn obj_of<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a Map<String, Value>> {
    m.get(k).and_then(Value::as_object)
}

fn u32_of(m: &Map<String, Value>, k: &str) -> Option<u32> {
    m.get(k)
        .and_then(Value::as_u64)
        .and_then(|v| u32::try_from(v).ok())
}

/// A `properties[]` value by name.
fn property<'a>(c: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    c.get("properties")?
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|p| str_of(p, "value"))
}

fn read_bom(file: &FileInfo<'_>, bom: &Map<String, Value>, out: &mut Output) {
    let bom_loc = file.location();
    let bom_path = bom_loc.to_string();
    // 1. Every component, nested ones too, without recursion.
    let mut comps: Vec<Comp<'_>> = Vec::new();
    let mut stack: Vec<&Value> = Vec::new();
    match bom.get("components") {
        Some(Value::Array(a)) => stack.extend(a.iter().rev()),
        Some(_) => out.warn(file, "CycloneDX `components` is not an array"),
        None => {}
    }
    let mut software: Vec<&Map<String, Value>> = Vec::new();
    // The BOM's subject (a project, an image) is a software component too when it has a purl.
    let mut meta_stack: Vec<&Value> = bom
        .get("metadata")
        .and_then(Value::as_object)
        .and_then(|m| m.get("component"))
        .into_iter()
        .collect();
    let root_ref: Option<&str> = meta_stack
        .first()
        .and_then(|v| v.as_object())
        .and_then(|c| str_of(c, "bom-ref"));
    while let Some(v) = meta_stack.pop() {
        if software.len() >= MAX_COMPONENTS {
            break;
        }
        let Some(c) = v.as_object() else { continue };
        if let Some(Value::Array(nested)) = c.get("components") {
            meta_stack.extend(nested.iter().rev());
        }
        if is_software(c) {
            software.push(c);
        }
    }
    let mut seen = 0usize;
    let mut bad = 0usize;
    while let Some(v) = stack.pop() {
        seen += 1;
        if seen > MAX_COMPONENTS {
            out.warn(
                file,
                format!("more than {MAX_COMPONENTS} components; the rest are not read"),
            );
            break;
        }
        let Some(c) = v.as_object() else {
            bad += 1;
            continue;
        };
        if let Some(Value::Array(nested)) = c.get("components") {
            stack.extend(nested.iter().rev());
        }
        if is_software(c) {
            software.push(c);
        }
        let kind = match str_of(c, "type") {
            Some("cryptographic-asset") => {
                let at = obj_of(c, "cryptoProperties").and_then(|cp| str_of(cp, "assetType"));
                match at {
                    Some("algorithm") => AssetKind::Algorithm,
                    Some("certificate") => AssetKind::Certificate,
                    Some("related-crypto-material") => AssetKind::Key,
                    Some("protocol") => AssetKind::Protocol,
                    other => {
                        out.warn(
                            file,
                            format!(
                                "component {}: cryptoProperties.assetType {} not understood; skipped",
                                str_of(c, "bom-ref").or(str_of(c, "name")).unwrap_or("?"),
                                other.map(|s| format!("'{s}'")).unwrap_or_else(|| "missing".into())
                            ),
                        );
                        continue;
                    }
                }
            }
            Some("library") if property(c, "mamori:linkage").is_some() => AssetKind::Library,
            _ => continue,
        };
        comps.push(Comp {
            c,
            bom_ref: str_of(c, "bom-ref"),
            kind,
        });
    }
    if bad > 0 {
        out.warn(
            file,
            format!("{bad} components are not JSON objects; skipped"),
        );
    }

    // 2. Algorithms first: certificates and keys take their algorithm from them.
    let mut ids: HashMap<&str, String> = HashMap::new();
    let mut algs: HashMap<&str, AlgorithmProps> = HashMap::new();
    let mut assets: Vec<Option<CryptoAsset>> = Vec::with_capacity(comps.len());
    for comp in &comps {
        let a = match comp.kind {
            AssetKind::Algorithm => {
                let p = resolve_algorithm(comp.c);
                let mut a =
                    CryptoAsset::new(AssetKind::Algorithm, format!("alg:{}", p.name), &p.name);
                if let Some(r) = comp.bom_ref {
                    algs.insert(r, p.clone());
                }
                a.algorithm = Some(p);
                Some(a)
            }
            _ => None,
        };
        if let (Some(r), Some(a)) = (comp.bom_ref, &a) {
            ids.insert(r, a.id.clone());
        }
        assets.push(a);
    }
    // A certificate's subjectPublicKeyRef names its public key (related-crypto-material),
    // whose algorithmRef names the algorithm: let the key's bom-ref stand for that algorithm.
    for comp in &comps {
        if comp.kind != AssetKind::Key {
            continue;
        }
        let alg_ref = obj_of(comp.c, "cryptoProperties")
            .and_then(|cp| obj_of(cp, "relatedCryptoMaterialProperties"))
            .and_then(|k| str_of(k, "algorithmRef"));
        if let (Some(r), Some(p)) = (comp.bom_ref, alg_ref.and_then(|a| algs.get(a)).cloned()) {
            algs.entry(r).or_insert(p);
        }
    }
    for (comp, slot) in comps.iter().zip(assets.iter_mut()) {
        if slot.is_some() {
            continue;
        }
        let a = match comp.kind {
            AssetKind::Certificate => certificate(comp, &algs),
            AssetKind::Key => key(comp, &algs),
            AssetKind::Protocol => protocol(comp),
            AssetKind::Library => library(comp.c),
            AssetKind::Algorithm => continue,
        };
        if let Some(r) = comp.bom_ref {
            ids.insert(r, a.id.clone());
        }
        *slot = Some(a);
    }

    // 3. References inside cryptoProperties and the `dependencies` graph, as asset ids.
    let mut deps: HashMap<&str, Vec<&str>> = HashMap::new();
    match bom.get("dependencies") {
        Some(Value::Array(ds)) => {
            for d in ds.iter().filter_map(Value::as_object) {
                let (Some(r), Some(Value::Array(on))) = (str_of(d, "ref"), d.get("dependsOn"))
                else {
                    continue;
                };
                deps.entry(r)
                    .or_default()
                    .extend(on.iter().filter_map(Value::as_str));
            }
        }
        Some(_) => out.warn(file, "CycloneDX `dependencies` is not an array"),
        None => {}
    }
    for (comp, slot) in comps.iter().zip(assets.iter_mut()) {
        let Some(a) = slot else { continue };
        let mut refs: Vec<&str> = crypto_refs(comp);
        if let Some(d) = comp.bom_ref.and_then(|r| deps.get(r)) {
            refs.extend(d.iter().copied());
        }
        let mut have: HashSet<String> = a.depends_on.iter().cloned().collect();
        for r in refs {
            if let Some(id) = ids.get(r) {
                if *id != a.id && have.insert(id.clone()) {
                    a.depends_on.push(id.clone());
                }
            }
        }
    }

    // 4. Software components.
    read_software(file, &software, root_ref, &deps, &bom_path, out);

    // 5. Observations, one per occurrence.
    for (comp, slot) in comps.iter().zip(assets) {
        let Some(a) = slot else { continue };
        let occs = evidence_occurrences(file, comp.c, &a.id, &bom_path, out);
        let n = occs.len();
        for (loc, ctx) in occs {
            out.observe(a.clone(), loc, NAME, ctx);
        }
        if n == 0 {
            let ctx = comp.bom_ref.map(|r| format!("bom-ref {r}"));
            out.observe(a, bom_loc.clone(), NAME, ctx);
        }
    }
}

/// A component's `evidence.occurrences` as locations inside the BOM's scan (at most
/// `MAX_OCCURRENCES`, with a warning naming `id` beyond), each with its context
/// (`additionalContext`, and the `symbol` when given).
fn evidence_occurrences(
    file: &FileInfo<'_>,
    c: &Map<String, Value>,
    id: &str,
    bom_path: &str,
    out: &mut Output,
) -> Vec<(Location, Option<String>)> {
    let occs = c
        .get("evidence")
        .and_then(Value::as_object)
        .and_then(|e| e.get("occurrences"))
        .and_then(Value::as_array)
        .map(|v| v.as_slice())
        .unwrap_or_default();
    let mut found = Vec::new();
    for o in occs.iter().filter_map(Value::as_object) {
        let Some(path) = str_of(o, "location") else {
            continue;
        };
        if found.len() == MAX_OCCURRENCES {
            out.warn(
                file,
                format!("{id}: more than {MAX_OCCURRENCES} occurrences; the rest are not read"),
            );
            break;
        }
        let loc = Location {
            path: path.to_string(),
            line: u32_of(o, "line"),
            offset: o.get("offset").and_then(Value::as_u64),
            container: Some(bom_path.to_string()),
        };
        let ctx = match (str_of(o, "additionalContext"), str_of(o, "symbol")) {
            (Some(c), Some(s)) => Some(format!("{c} ({s})")),
            (Some(c), None) => Some(c.to_string()),
            (None, Some(s)) => Some(s.to_string()),
            (None, None) => None,
        };
        found.push((loc, ctx));
    }
    found
}

/// CycloneDX component types that are software components (when they have a purl).
const SOFTWARE_TYPES: [&str; 6] = [
    "library",
    "framework",
    "application",
    "operating-system",
    "container",
    "firmware",
];

fn is_software(c: &Map<String, Value>) -> bool {
    str_of(c, "type").is_some_and(|t| SOFTWARE_TYPES.contains(&t)) && str_of(c, "purl").is_some()
}

/// CycloneDX spelling of a hash algorithm as a BOM may write it.
fn hash_alg(a: &str) -> Option<&'static str> {
    Some(match a.to_ascii_uppercase().replace('_', "-").as_str() {
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

/// A component's declared license: one `expression`, one `license.id` or `license.name`;
/// several entries are joined with `AND` (each one declared).
fn licenses(c: &Map<String, Value>) -> Option<String> {
    let parts: Vec<String> = c
        .get("licenses")?
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|l| {
            if let Some(e) = str_of(l, "expression") {
                return Some(e.to_string());
            }
            let lic = obj_of(l, "license")?;
            str_of(lic, "id")
                .or_else(|| str_of(lic, "name"))
                .map(str::to_string)
        })
        .collect();
    match parts.len() {
        0 => None,
        1 => parts.into_iter().next(),
        _ => Some(
            parts
                .iter()
                .map(|p| {
                    if p.contains(' ') {
                        format!("({p})")
                    } else {
                        p.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

/// Software components (library, application … with a purl), their licenses, hashes and
/// dependency edges; mamori's own `mamori:*` properties are read back where present.
fn read_software(
    file: &FileInfo<'_>,
    software: &[&Map<String, Value>],
    root_ref: Option<&str>,
    deps: &HashMap<&str, Vec<&str>>,
    bom_path: &str,
    out: &mut Output,
) {
    use mamori_model::ecosystem::{component_of, parse_purl};
    // bom-ref → canonical purl.
    let mut purls: HashMap<&str, String> = HashMap::new();
    let mut comps: Vec<(&Map<String, Value>, mamori_model::Component)> = Vec::new();
    for c in software {
        let Some(raw) = str_of(c, "purl") else {
            continue;
        };
        let purl = match parse_purl(raw) {
            Ok(p) => p,
            Err(e) => {
                out.warn(
                    file,
                    format!(
                        "component {}: purl '{raw}' is not valid ({e}); skipped",
                        str_of(c, "bom-ref").or(str_of(c, "name")).unwrap_or("?")
                    ),
                );
                continue;
            }
        };
        let mut comp = component_of(&purl, str_of(c, "name"));
        if comp.version.is_none() {
            comp.version = str_of(c, "version").map(str::to_string);
        }
        if let Some(e) = property(c, "mamori:ecosystem") {
            comp.ecosystem = e.to_string();
        }
        if let Some(d) = property(c, "mamori:distro") {
            comp.distro = Some(d.to_string());
        }
        if let Some((n, v)) = property(c, "mamori:source-package").and_then(|s| s.split_once('@')) {
            comp.source = Some(mamori_model::SourcePackage {
                name: n.to_string(),
                version: v.to_string(),
            });
        }
        comp.direct = property(c, "mamori:direct").map(|v| v == "true");
        comp.dev = match property(c, "mamori:dev") {
            Some(v) => v == "true",
            None => {
                str_of(c, "scope") == Some("excluded")
                    || property(c, "cdx:npm:package:development") == Some("true")
            }
        };
        comp.license = licenses(c);
        comp.hashes = c
            .get("hashes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .filter_map(|h| {
                let alg = hash_alg(str_of(h, "alg")?)?;
                let v = str_of(h, "content")?;
                v.bytes()
                    .all(|b| b.is_ascii_hexdigit())
                    .then(|| mamori_model::Hash {
                        alg: alg.to_string(),
                        value: v.to_ascii_lowercase(),
                    })
            })
            .collect();
        if let Some(r) = str_of(c, "bom-ref") {
            purls.insert(r, comp.purl.clone());
        }
        comps.push((c, comp));
    }
    // The BOM subject's own dependencies are the direct ones.
    let direct: HashSet<&str> = root_ref
        .and_then(|r| deps.get(r))
        .map(|d| {
            d.iter()
                .filter_map(|r| purls.get(r).map(String::as_str))
                .collect()
        })
        .unwrap_or_default();
    let root_purl = root_ref.and_then(|r| purls.get(r)).cloned();
    let mut ready: Vec<(&Map<String, Value>, mamori_model::Component)> =
        Vec::with_capacity(comps.len());
    for (c, mut comp) in comps {
        if let Some(d) = str_of(c, "bom-ref").and_then(|r| deps.get(r)) {
            for r in d {
                if let Some(p) = purls.get(r) {
                    if *p != comp.purl && !comp.dependencies.contains(p) {
                        comp.dependencies.push(p.clone());
                    }
                }
            }
        }
        if comp.direct.is_none() && !direct.is_empty() && root_purl.as_ref() != Some(&comp.purl) {
            comp.direct = Some(direct.contains(comp.purl.as_str()));
        }
        ready.push((c, comp));
    }
    for (c, comp) in ready {
        let occs = evidence_occurrences(file, c, &comp.purl, bom_path, out);
        let n = occs.len();
        for (loc, ctx) in occs {
            out.component(comp.clone(), loc, NAME, ctx);
        }
        if n == 0 {
            let ctx = str_of(c, "bom-ref").map(|r| format!("bom-ref {r}"));
            out.component(comp, file.location(), NAME, ctx);
        }
    }
}

/// bom-refs a component's cryptoProperties point at (signature and key algorithms of a
/// certificate, a key's algorithm, a protocol's suite algorithms).
fn crypto_refs<'a>(comp: &Comp<'a>) -> Vec<&'a str> {
    let mut v = Vec::new();
    let Some(cp) = obj_of(comp.c, "cryptoProperties") else {
        return v;
    };
    if let Some(c) = obj_of(cp, "certificateProperties") {
        v.extend(str_of(c, "signatureAlgorithmRef"));
        v.extend(str_of(c, "subjectPublicKeyRef"));
    }
    if let Some(k) = obj_of(cp, "relatedCryptoMaterialProperties") {
        v.extend(str_of(k, "algorithmRef"));
    }
    if let Some(p) = obj_of(cp, "protocolProperties") {
        for s in p
            .get("cipherSuites")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
        {
            v.extend(
                s.get("algorithms")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str),
            );
        }
        v.extend(
            p.get("cryptoRefArray")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str),
        );
    }
    v
}

/// The curve named by `curve` (1.6) or `ellipticCurve` (1.7, `nist/P-256`), in mamori's spelling.
fn bom_curve(ap: &Map<String, Value>) -> Option<String> {
    let raw = str_of(ap, "ellipticCurve").or_else(|| str_of(ap, "curve"))?;
    let short = raw.rsplit('/').next().unwrap_or(raw);
    Some(
        alg::curve(short)
            .or_else(|| alg::curve(raw))
            .map(|c| c.name.clone())
            .unwrap_or_else(|| raw.to_string()),
    )
}

/// The algorithm as the BOM describes it, for when mamori knows nothing of it.
fn bom_algorithm(name: &str, c: &Map<String, Value>) -> AlgorithmProps {
    let cp = obj_of(c, "cryptoProperties");
    let ap = cp.and_then(|cp| obj_of(cp, "algorithmProperties"));
    let get = |k: &str| ap.and_then(|ap| str_of(ap, k)).map(str::to_string);
    let status = property(c, "mamori:status")
        .and_then(|s| s.parse().ok())
        .unwrap_or(CryptoStatus::Unknown);
    AlgorithmProps {
        name: name.to_string(),
        family: get("algorithmFamily").unwrap_or_else(|| {
            name.split(['-', '_', '/'])
                .next()
                .unwrap_or(name)
                .to_string()
        }),
        primitive: get("primitive")
            .and_then(|p| p.parse().ok())
            .unwrap_or(Primitive::Unknown),
        parameter_set: get("parameterSetIdentifier"),
        curve: ap.and_then(bom_curve),
        mode: get("mode").filter(|m| m != "other" && m != "unknown"),
        padding: get("padding").filter(|m| m != "other" && m != "unknown"),
        classical_security_level: ap.and_then(|ap| u32_of(ap, "classicalSecurityLevel")),
        nist_quantum_security_level: ap
            .and_then(|ap| ap.get("nistQuantumSecurityLevel"))
            .and_then(Value::as_u64)
            .map(|l| l.min(6) as u8)
            .unwrap_or(0),
        oid: cp.and_then(|cp| str_of(cp, "oid")).map(str::to_string),
        status,
        note: Some(
            property(c, "mamori:note")
                .unwrap_or("Not in mamori's knowledge base; properties as the BOM gives them.")
                .to_string(),
        ),
    }
}

/// mamori's view of an algorithm component; the BOM's values fill what mamori leaves open.
fn resolve_algorithm(c: &Map<String, Value>) -> AlgorithmProps {
    let name = str_of(c, "name").unwrap_or("").trim();
    let bom = bom_algorithm(if name.is_empty() { "unnamed" } else { name }, c);
    let from_name = alg::by_name(name).or_else(|| alg::tls::suite_by_name(name).map(|s| s.props()));
    let exact = from_name.as_ref().is_some_and(|p| p.name == name);
    let from_oid = || {
        let oid = bom.oid.as_deref()?;
        let mut p = alg::by_oid(oid)?;
        // A curve OID names the curve, not what is done on it.
        if alg::curve(oid).is_some() && bom.primitive == Primitive::KeyAgree {
            p = alg::ec(oid, Primitive::KeyAgree)?;
        }
        Some(p)
    };
    let from_props = || {
        let fam = bom.family.as_str();
        let by_curve = bom.curve.as_deref().and_then(|cv| {
            let prim = match bom.primitive {
                Primitive::KeyAgree => Primitive::KeyAgree,
                _ => Primitive::Signature,
            };
            alg::ec(cv, prim)
        });
        by_curve.or_else(|| {
            let ps = bom.parameter_set.as_deref()?;
            let base = alg::by_name(&format!("{fam}-{ps}"))?;
            Some(match bom.mode.as_deref() {
                Some(m) if base.primitive == Primitive::BlockCipher => alg::with_mode(base, m),
                _ => base,
            })
        })
    };
    let mamori_made = property(c, "mamori:status").is_some();
    let known = if exact {
        // A bare family name (`RSA`, `ECDH`, `AES`) made specific by the BOM's parameter
        // set, curve or mode (`RSA-2048`, `ECDH-P-256`, `AES-128-GCM`).
        let specific = (!mamori_made)
            .then(from_props)
            .flatten()
            .filter(|q| q.name != name && q.name.starts_with(name));
        specific.or(from_name)
    } else if mamori_made {
        // mamori's own name that the knowledge base does not spell back (RSA-PSS-SHA-256,
        // `OID …`): keep the name and the judgement mamori made with the full evidence.
        let mut p = from_oid().or(from_name).unwrap_or_else(|| bom.clone());
        p.name = bom.name.clone();
        p.status = bom.status;
        p.note = bom.note.clone();
        Some(p)
    } else {
        from_oid().or_else(from_props).or(from_name)
    };
    let Some(mut p) = known else {
        return bom;
    };
    // Keep the BOM's values where mamori has none.
    p.parameter_set = p.parameter_set.or(bom.parameter_set);
    p.curve = p.curve.or(bom.curve);
    p.mode = p.mode.or(bom.mode);
    p.padding = p.padding.or(bom.padding);
    p.classical_security_level = p.classical_security_level.or(bom.classical_security_level);
    p.oid = p.oid.or(bom.oid);
    if p.primitive == Primitive::Unknown {
        p.primitive = bom.primitive;
    }
    p
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_sha256_alg(a: &str) -> bool {
    matches!(
        a.to_ascii_uppercase().replace('_', "-").as_str(),
        "SHA-256" | "SHA256"
    )
}

/// The SHA-256 of the certificate the BOM carries, if any.
fn cert_sha256(c: &Map<String, Value>, props: Option<&Map<String, Value>>) -> Option<String> {
    // mamori's own bom-ref.
    if let Some(h) = str_of(c, "bom-ref").and_then(|r| r.strip_prefix("cert:")) {
        if is_sha256_hex(h) {
            return Some(h.to_ascii_lowercase());
        }
    }
    let hash_obj = |h: &Map<String, Value>| -> Option<String> {
        let a = str_of(h, "alg")?;
        let v = str_of(h, "content")?;
        (is_sha256_alg(a) && is_sha256_hex(v)).then(|| v.to_ascii_lowercase())
    };
    if let Some(h) = props
        .and_then(|p| obj_of(p, "fingerprint"))
        .and_then(hash_obj)
    {
        return Some(h);
    }
    if let Some(h) = c
        .get("hashes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .find_map(hash_obj)
    {
        return Some(h);
    }
    // A property named like a SHA-256 fingerprint (`…sha256…`, `…fingerprint…`).
    c.get("properties")?
        .as_array()?
        .iter()
        .filter_map(Value::as_object)
        .find_map(|p| {
            let n = str_of(p, "name")?.to_ascii_lowercase();
            let v = str_of(p, "value")?;
            let v = v.strip_prefix("sha256:").unwrap_or(v).replace(':', "");
            ((n.contains("sha256") || n.contains("sha-256") || n.contains("fingerprint"))
                && is_sha256_hex(&v))
            .then(|| v.to_ascii_lowercase())
        })
}

fn rank(s: CryptoStatus) -> u8 {
    match s {
        CryptoStatus::Broken => 0,
        CryptoStatus::QuantumVulnerable => 1,
        CryptoStatus::Unknown => 2,
        CryptoStatus::Hybrid => 3,
        CryptoStatus::QuantumSafe => 4,
    }
}

fn bom_id(prefix: &str, comp: &Comp<'_>) -> String {
    let r = comp
        .bom_ref
        .or_else(|| str_of(comp.c, "name"))
        .unwrap_or("?");
    format!("{prefix}:bom:{r}")
}

fn certificate(comp: &Comp<'_>, algs: &HashMap<&str, AlgorithmProps>) -> CryptoAsset {
    let c = comp.c;
    let cp = obj_of(c, "cryptoProperties").and_then(|cp| obj_of(cp, "certificateProperties"));
    let get = |k: &str| cp.and_then(|m| str_of(m, k)).unwrap_or("").to_string();
    let sha256 = cert_sha256(c, cp);
    let id = match &sha256 {
        Some(h) => format!("cert:{h}"),
        None => bom_id("cert", comp),
    };
    let sig = cp
        .and_then(|m| str_of(m, "signatureAlgorithmRef"))
        .and_then(|r| algs.get(r));
    let key = match cp.and_then(|m| str_of(m, "subjectPublicKeyRef")) {
        Some(r) => algs.get(r),
        // mamori leaves the key reference out when the key's algorithm is the signature's
        // (ML-DSA, composite and other self-signed post-quantum certificates).
        None if property(c, "mamori:status").is_some() => sig,
        None => None,
    };
    let subject = get("subjectName");
    let issuer = get("issuerName");
    let serial = cp
        .and_then(|m| str_of(m, "serialNumber"))
        .or_else(|| property(c, "mamori:serial"))
        .unwrap_or("")
        .to_string();
    let flag = |name: &str| property(c, name).map(|v| v == "true");
    let props = CertificateProps {
        self_signed: flag("mamori:self-signed").unwrap_or(!subject.is_empty() && subject == issuer),
        subject,
        issuer,
        serial,
        not_before: get("notValidBefore"),
        not_after: get("notValidAfter"),
        signature_algorithm: sig.map(|a| a.name.clone()).unwrap_or_default(),
        signature_algorithm_oid: sig.and_then(|a| a.oid.clone()).unwrap_or_default(),
        public_key_algorithm: key.map(|a| a.name.clone()).unwrap_or_default(),
        public_key_algorithm_oid: key.and_then(|a| a.oid.clone()).unwrap_or_default(),
        public_key_size: key.and_then(|a| {
            a.parameter_set
                .as_deref()
                .and_then(|p| p.parse().ok())
                .filter(|_| matches!(a.family.as_str(), "RSA" | "DSA" | "FFDH"))
                .or_else(|| Some(alg::curve(a.curve.as_deref()?)?.bits))
        }),
        curve: key.and_then(|a| a.curve.clone()),
        is_ca: flag("mamori:ca").unwrap_or(false),
        sha256: sha256.unwrap_or_default(),
        format: cp
            .and_then(|m| str_of(m, "certificateExtension"))
            .or_else(|| cp.and_then(|m| str_of(m, "certificateFileExtension")))
            .unwrap_or("cyclonedx")
            .trim_start_matches('.')
            .to_string(),
        dns_names: Vec::new(),
    };
    let name = str_of(c, "name").unwrap_or(&props.subject).to_string();
    let mut a = CryptoAsset::new(AssetKind::Certificate, id, name);
    // As the certificate detector: the worse of the key's and the signature's status.
    a.algorithm = match (key, sig) {
        (Some(k), Some(s)) if rank(s.status) < rank(k.status) => {
            let mut p = k.clone();
            p.status = s.status;
            p.note = s.note.clone();
            Some(p)
        }
        (Some(k), _) => Some(k.clone()),
        (None, Some(s)) => Some(s.clone()),
        (None, None) => None,
    };
    a.certificate = Some(props);
    a
}

fn key(comp: &Comp<'_>, algs: &HashMap<&str, AlgorithmProps>) -> CryptoAsset {
    let c = comp.c;
    let kp =
        obj_of(c, "cryptoProperties").and_then(|cp| obj_of(cp, "relatedCryptoMaterialProperties"));
    let get = |k: &str| kp.and_then(|m| str_of(m, k));
    let alg = get("algorithmRef").and_then(|r| algs.get(r));
    let fingerprint = get("id").map(str::to_string);
    // mamori's own bom-ref is the key's identity (for SSH keys it is the SubjectPublicKeyInfo
    // digest, not the `SHA256:` fingerprint in `id`); other BOMs' keys go by their `id`.
    let id = match (comp.bom_ref, &fingerprint) {
        (Some(r), _) if r.starts_with("key:") => r.to_string(),
        (_, Some(fp)) => format!("key:{fp}"),
        _ => bom_id("key", comp),
    };
    let protection = kp
        .and_then(|m| obj_of(m, "securedBy"))
        .and_then(|s| str_of(s, "mechanism"))
        .map(str::to_string);
    let material = get("type").unwrap_or("unknown").to_string();
    let format = get("format").unwrap_or("cyclonedx").to_string();
    let encrypted = match protection.as_deref() {
        Some(p) if p.eq_ignore_ascii_case("none") => Some(false),
        Some(_) => Some(true),
        None if format.contains("encrypted") => Some(true),
        // mamori writes `securedBy` for every protected key it saw.
        None if material == "private-key" && property(c, "mamori:status").is_some() => Some(false),
        None => None,
    };
    let props = KeyProps {
        spki_sha256: None,
        material,
        algorithm: alg
            .map(|a| a.name.clone())
            .unwrap_or_else(|| "unknown".into()),
        size: kp
            .and_then(|m| u32_of(m, "size"))
            // A parameter set is a key size only for RSA, DSA and DH (ML-DSA-44's is not).
            .or_else(|| {
                alg.filter(|a| matches!(a.family.as_str(), "RSA" | "DSA" | "FFDH"))
                    .and_then(|a| a.parameter_set.as_deref()?.parse().ok())
            }),
        curve: alg.and_then(|a| a.curve.clone()),
        format,
        fingerprint,
        encrypted,
        protection: protection.filter(|p| !p.eq_ignore_ascii_case("none")),
        label: None,
    };
    let name = str_of(c, "name")
        .map(str::to_string)
        .unwrap_or_else(|| format!("{} {}", props.algorithm, props.material.replace('-', " ")));
    let mut a = CryptoAsset::new(AssetKind::Key, id, name);
    a.algorithm = alg.cloned();
    a.key = Some(props);
    a
}

fn protocol(comp: &Comp<'_>) -> CryptoAsset {
    let c = comp.c;
    let cp = obj_of(c, "cryptoProperties");
    let pp = cp.and_then(|cp| obj_of(cp, "protocolProperties"));
    let mut kind = pp
        .and_then(|m| str_of(m, "type"))
        .unwrap_or("unknown")
        .to_ascii_lowercase();
    let version = pp.and_then(|m| str_of(m, "version")).map(str::to_string);
    if kind == "other" || kind == "unknown" {
        // mamori writes kinds outside the 1.6 enumeration (ssl, dtls) as `other`; its
        // bom-ref still says which.
        if let Some(k) = comp
            .bom_ref
            .and_then(|r| r.strip_prefix("proto:"))
            .and_then(|r| r.split('-').next())
            .filter(|k| !k.is_empty())
        {
            kind = k.to_string();
        }
    }
    let suites: Vec<String> = pp
        .and_then(|m| m.get("cipherSuites"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .filter_map(|s| str_of(s, "name").map(str::to_string))
        .collect();
    let tls = matches!(kind.as_str(), "tls" | "ssl" | "dtls")
        .then(|| alg::tls::protocol_version(&format!("{kind}{}", version.as_deref()?)))
        .flatten();
    let (id, name, algorithm) = match tls {
        Some(v) => (
            format!("proto:{}-{}", v.family(), v.version),
            format!("{} {}", v.family().to_ascii_uppercase(), v.version),
            Some(v.props()),
        ),
        None => {
            let id = match &version {
                Some(v) => format!("proto:{kind}-{v}"),
                None => format!("proto:{kind}"),
            };
            let algorithm = property(c, "mamori:status")
                .and_then(|s| s.parse::<CryptoStatus>().ok())
                .map(|status| {
                    let mut p = bom_algorithm(&id["proto:".len()..].to_ascii_uppercase(), c);
                    p.status = status;
                    p.primitive = Primitive::Other;
                    p
                });
            let name = str_of(c, "name").map(str::to_string).unwrap_or_else(|| {
                format!(
                    "{} {}",
                    kind.to_ascii_uppercase(),
                    version.as_deref().unwrap_or("")
                )
                .trim()
                .to_string()
            });
            (id, name, algorithm)
        }
    };
    let mut a = CryptoAsset::new(AssetKind::Protocol, id, name);
    a.protocol = Some(ProtocolProps {
        kind: kind.clone(),
        version,
        cipher_suites: suites,
    });
    a.algorithm = algorithm;
    a
}

fn library(c: &Map<String, Value>) -> CryptoAsset {
    let library = str_of(c, "name").unwrap_or("?").to_string();
    let version = str_of(c, "version").map(str::to_string);
    let v = version.clone().unwrap_or_else(|| "?".into());
    let name = match &version {
        Some(v) if library == "Go crypto" => format!("{library} ({v})"),
        Some(v) => format!("{library} {v}"),
        None => library.clone(),
    };
    let mut a = CryptoAsset::new(AssetKind::Library, format!("lib:{library}@{v}"), name);
    a.library = Some(LibraryProps {
        library,
        version,
        linkage: property(c, "mamori:linkage").unwrap_or("").to_string(),
    });
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(data: &[u8]) -> Output {
        let f = FileInfo {
            path: "x/bom.json",
            name: "bom.json",
            size: data.len() as u64,
            container: None,
            fs: None,
        };
        let mut out = Output::default();
        CycloneDxDetector.detect(&f, data, &mut out);
        out
    }

    #[test]
    fn foreign_names_get_mamori_judgement() {
        // CBOMkit-style: a JCA name with an OID, a curve-only ECDH, an unknown algorithm.
        let bom = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
          {"type":"cryptographic-asset","bom-ref":"r1","name":"SHA256withRSA",
           "cryptoProperties":{"assetType":"algorithm","oid":"1.2.840.113549.1.1.11",
             "algorithmProperties":{"primitive":"signature"}}},
          {"type":"cryptographic-asset","bom-ref":"r2","name":"ECDH",
           "cryptoProperties":{"assetType":"algorithm","oid":"1.2.840.10045.3.1.7",
             "algorithmProperties":{"primitive":"key-agree","curve":"secp256r1"}}},
          {"type":"cryptographic-asset","bom-ref":"r3","name":"FancyCipher-9",
           "cryptoProperties":{"assetType":"algorithm",
             "algorithmProperties":{"primitive":"block-cipher","classicalSecurityLevel":99}}}]}"#;
        let out = run(bom);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let ids: Vec<&str> = out
            .observations
            .iter()
            .map(|o| o.asset.id.as_str())
            .collect();
        let rsa = alg::by_oid("1.2.840.113549.1.1.11").unwrap();
        assert_eq!(ids[0], format!("alg:{}", rsa.name));
        assert_eq!(ids[1], "alg:ECDH-P-256");
        assert_eq!(ids[2], "alg:FancyCipher-9");
        let fancy = out.observations[2].asset.algorithm.as_ref().unwrap();
        assert_eq!(fancy.status, CryptoStatus::Unknown);
        assert_eq!(fancy.classical_security_level, Some(99));
        assert_eq!(fancy.primitive, Primitive::BlockCipher);
        // No occurrences: the BOM itself, with the bom-ref as context.
        let o = &out.observations[0].occurrence;
        assert_eq!(o.location.path, "x/bom.json");
        assert_eq!(o.context.as_deref(), Some("bom-ref r1"));
    }

    #[test]
    fn bare_family_names_take_the_bom_parameters() {
        let bom = br#"{"bomFormat":"CycloneDX","specVersion":"1.7","components":[
          {"type":"cryptographic-asset","name":"RSA","cryptoProperties":{"assetType":"algorithm",
             "algorithmProperties":{"primitive":"pke","parameterSetIdentifier":"1024"}}},
          {"type":"cryptographic-asset","name":"AES","cryptoProperties":{"assetType":"algorithm",
             "algorithmProperties":{"primitive":"block-cipher","algorithmFamily":"AES",
               "parameterSetIdentifier":"256","mode":"ecb"}}}]}"#;
        let out = run(bom);
        let got: Vec<(&str, CryptoStatus)> = out
            .observations
            .iter()
            .map(|o| (o.asset.id.as_str(), o.asset.status()))
            .collect();
        assert_eq!(
            got,
            [
                ("alg:RSA-1024", CryptoStatus::Broken),
                ("alg:AES-256-ECB", CryptoStatus::Broken)
            ]
        );
    }

    #[test]
    fn unsupported_version_and_bad_shapes_warn() {
        let out = run(br#"{"bomFormat":"CycloneDX","specVersion":"1.2","components":{}}"#);
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
        assert!(out.warnings[0].message.contains("1.2"));
        let out = run(
            br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[1,
            {"type":"cryptographic-asset","name":"x","cryptoProperties":{"assetType":7}}]}"#,
        );
        assert_eq!(out.warnings.len(), 2, "{:?}", out.warnings);
        assert!(out.observations.is_empty());
    }
}
