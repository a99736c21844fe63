//! .NET: NuGet `packages.lock.json` and the `*.deps.json` a build writes beside an
//! application.
//!
//! `packages.lock.json` lists, per target framework (and runtime identifier), each package
//! with `type` (`Direct`, `Transitive`, `CentralTransitive`, or `Project` for a project
//! reference, which is not a component), `resolved` version, `contentHash` (the base64
//! SHA-512 of the `.nupkg`) and `dependencies` (id → version range, resolved by id within
//! the same framework). A package listed under several frameworks is reported once.
//!
//! `*.deps.json` has `libraries` (`Name/1.0.0` → `type`, `sha512` as `sha512-<base64>`)
//! and `targets` (per framework, `Name/1.0.0` → `dependencies`). `package` libraries are
//! components; `project` ones are the application: what they depend on is direct.

use super::npm::{integrity_hashes, one_line};
use crate::{Detector, FileInfo, Output};
use mamori_model::purl::Purl;
use mamori_model::Component;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Detector name of the lockfile reader.
const LOCK_NAME: &str = "sbom.nuget-lock";
/// Detector name of the deps.json reader.
const DEPS_NAME: &str = "sbom.dotnet-deps";

/// Reads NuGet `packages.lock.json`.
pub struct NugetLockDetector;

/// Reads .NET `*.deps.json`.
pub struct DepsJsonDetector;

fn purl_of(name: &str, version: &str) -> Option<String> {
    Purl::new("nuget", None, name, Some(version), BTreeMap::new(), None)
        .ok()
        .map(|p| p.to_string())
}

#[derive(Deserialize)]
struct NugetLock {
    #[serde(default)]
    version: Option<serde_json::Value>,
    dependencies: BTreeMap<String, BTreeMap<String, NugetEntry>>,
}

#[derive(Deserialize)]
struct NugetEntry {
    #[serde(default, rename = "type")]
    ty: Option<String>,
    #[serde(default)]
    resolved: Option<String>,
    #[serde(default, rename = "contentHash")]
    content_hash: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
}

impl Detector for NugetLockDetector {
    fn name(&self) -> &'static str {
        LOCK_NAME
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        file.name == "packages.lock.json"
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let lock: NugetLock = match serde_json::from_slice(data) {
            Ok(l) => l,
            Err(e) => {
                out.warn(
                    file,
                    format!("packages.lock.json is not valid: {}", one_line(&e)),
                );
                return;
            }
        };
        let mut order: Vec<String> = Vec::new();
        let mut comps: HashMap<String, Component> = HashMap::new();
        for entries in lock.dependencies.values() {
            // id (case-insensitive) → purl within this framework.
            let ids: HashMap<String, String> = entries
                .iter()
                .filter(|(_, e)| e.ty.as_deref() != Some("Project"))
                .filter_map(|(id, e)| {
                    Some((
                        id.to_ascii_lowercase(),
                        purl_of(id, e.resolved.as_deref()?)?,
                    ))
                })
                .collect();
            for (id, e) in entries {
                let Some(purl) = ids.get(&id.to_ascii_lowercase()) else {
                    continue;
                };
                let c = comps.entry(purl.clone()).or_insert_with(|| {
                    order.push(purl.clone());
                    let mut c =
                        Component::new(purl.clone(), id.clone(), e.resolved.clone(), "NuGet");
                    if let Some(h) = &e.content_hash {
                        c.hashes = integrity_hashes(&format!("sha512-{h}"));
                    }
                    c.direct = Some(false);
                    c
                });
                if e.ty.as_deref() == Some("Direct") {
                    c.direct = Some(true);
                }
                for d in e.dependencies.keys() {
                    if let Some(p) = ids.get(&d.to_ascii_lowercase()) {
                        if !c.dependencies.contains(p) {
                            c.dependencies.push(p.clone());
                        }
                    }
                }
            }
        }
        let ver = lock
            .version
            .as_ref()
            .map(|v| v.to_string())
            .unwrap_or_else(|| "?".into());
        let ctx = format!("packages.lock.json v{ver}");
        for p in order {
            if let Some(c) = comps.remove(&p) {
                out.component(c, file.location(), LOCK_NAME, Some(ctx.clone()));
            }
        }
    }

    fn max_size(&self) -> u64 {
        64 << 20
    }
}

#[derive(Deserialize)]
struct DepsJson {
    #[serde(default)]
    targets: BTreeMap<String, BTreeMap<String, DepsTarget>>,
    #[serde(default)]
    libraries: BTreeMap<String, DepsLibrary>,
}

#[derive(Deserialize)]
struct DepsTarget {
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct DepsLibrary {
    #[serde(default, rename = "type")]
    ty: String,
    #[serde(default)]
    sha512: Option<String>,
}

impl Detector for DepsJsonDetector {
    fn name(&self) -> &'static str {
        DEPS_NAME
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        file.name.len() > ".deps.json".len() && file.name.ends_with(".deps.json")
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let deps: DepsJson = match serde_json::from_slice(data) {
            Ok(d) => d,
            Err(e) => {
                out.warn(
                    file,
                    format!("{} is not valid: {}", file.name, one_line(&e)),
                );
                return;
            }
        };
        // "Name/1.0.0" → purl, packages only.
        let mut purls: HashMap<&str, String> = HashMap::new();
        for (key, lib) in &deps.libraries {
            if lib.ty != "package" {
                continue;
            }
            if let Some((n, v)) = key.split_once('/') {
                if let Some(p) = purl_of(n, v) {
                    purls.insert(key.as_str(), p);
                }
            }
        }
        let mut edges: HashMap<&str, Vec<String>> = HashMap::new();
        let mut direct: HashSet<String> = HashSet::new();
        for entries in deps.targets.values() {
            for (key, t) in entries {
                let is_project = deps.libraries.get(key).is_some_and(|l| l.ty == "project");
                for (d, v) in &t.dependencies {
                    let Some(v) = v.as_str() else { continue };
                    let Some(p) = purls.get(format!("{d}/{v}").as_str()) else {
                        continue;
                    };
                    if is_project {
                        direct.insert(p.clone());
                    }
                    let e = edges.entry(key.as_str()).or_default();
                    if !e.contains(p) {
                        e.push(p.clone());
                    }
                }
            }
        }
        for (key, lib) in &deps.libraries {
            let Some(purl) = purls.get(key.as_str()) else {
                continue;
            };
            let (n, v) = key.split_once('/').unwrap_or((key, ""));
            let mut c = Component::new(purl.clone(), n, Some(v.to_string()), "NuGet");
            if let Some(h) = &lib.sha512 {
                c.hashes = integrity_hashes(h);
            }
            c.direct = Some(direct.contains(purl));
            c.dependencies = edges.remove(key.as_str()).unwrap_or_default();
            out.component(c, file.location(), DEPS_NAME, Some(file.name.to_string()));
        }
    }

    fn max_size(&self) -> u64 {
        64 << 20
    }
}
