//! `pnpm-lock.yaml`: lockfileVersion 5.x (keys `/name/1.0.0_peer@2`), 6.0 (keys
//! `/name@1.0.0(peer@2)`) and 9.0 (`packages` keyed `name@1.0.0` with the resolution,
//! `snapshots` keyed `name@1.0.0(peer@2)` with the dependencies).
//!
//! Each package becomes `pkg:npm/name@version` (packages that differ only by their peer
//! set are one component); `resolution.integrity` gives its hash. `importers` (or the
//! top-level `dependencies` of a single-project lockfile) are the project: what they
//! declare is direct. v5/v6 mark dev-only packages with `dev: true`; v9 does not, so there a
//! package reachable only from `devDependencies` is dev.

use super::npm::{integrity_hashes, mark_dev, npm_component, npm_purl_q, one_line, spec_name};
use crate::{Detector, FileInfo, Output};
use mamori_model::Component;
use std::collections::{BTreeMap, HashMap};
use yaml_rust2::yaml::Hash as YHash;
use yaml_rust2::{Yaml, YamlLoader};

/// Detector name.
const NAME: &str = "sbom.pnpm-lock";

/// Reads `pnpm-lock.yaml` files.
pub struct PnpmLockDetector;

impl Detector for PnpmLockDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        file.name == "pnpm-lock.yaml" && !super::inside_installed_package(file.path)
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let text = match std::str::from_utf8(data) {
            Ok(t) => t,
            Err(e) => {
                out.warn(file, format!("pnpm-lock.yaml is not UTF-8: {e}"));
                return;
            }
        };
        let docs = match YamlLoader::load_from_str(text) {
            Ok(d) => d,
            Err(e) => {
                out.warn(
                    file,
                    format!("pnpm-lock.yaml is not valid YAML: {}", one_line(&e)),
                );
                return;
            }
        };
        let Some(root) = docs.first().and_then(Yaml::as_hash) else {
            out.warn(file, "pnpm-lock.yaml: not a mapping");
            return;
        };
        match read(root) {
            Ok((version, comps)) => {
                let ctx = format!("pnpm-lock.yaml v{version}");
                for c in comps {
                    out.component(c, file.location(), NAME, Some(ctx.clone()));
                }
            }
            Err(e) => out.warn(file, format!("pnpm-lock.yaml: {e}")),
        }
    }

    fn max_size(&self) -> u64 {
        64 << 20
    }
}

fn get<'a>(h: &'a YHash, k: &str) -> Option<&'a Yaml> {
    h.get(&Yaml::String(k.to_string()))
}

fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Real(r) => Some(r.clone()),
        _ => None,
    }
}

/// Removes the peer-dependency suffix of a key or reference: `(…)` (v6+) or `_…` after
/// the last `/` (v5).
fn strip_peers(s: &str, major: u32) -> &str {
    let s = s.split('(').next().unwrap_or(s);
    if major < 6 {
        let start = s.rfind('/').map_or(0, |i| i + 1);
        if let Some(u) = s.get(start..).and_then(|t| t.find('_')) {
            return s.get(..start + u).unwrap_or(s);
        }
    }
    s
}

/// Name and version of a registry package key; `None` for other keys (git, tarballs).
fn parse_key(key: &str, major: u32) -> Option<(String, String)> {
    let k = strip_peers(key, major);
    if major < 6 {
        let k = k.strip_prefix('/')?;
        let segs: Vec<&str> = k.split('/').collect();
        let (name, rest) = if k.starts_with('@') {
            (
                format!("{}/{}", segs.first()?, segs.get(1)?),
                segs.get(2..)?,
            )
        } else {
            (segs.first()?.to_string(), segs.get(1..)?)
        };
        if rest.len() != 1 {
            return None;
        }
        return Some((name, rest.first()?.to_string()));
    }
    let k = k.strip_prefix('/').unwrap_or(k);
    let name = spec_name(k);
    let version = k.get(name.len() + 1..)?;
    if name.is_empty() || version.is_empty() || version.contains(':') || version.contains('/') {
        return None;
    }
    Some((name.to_string(), version.to_string()))
}

type Read = (String, Vec<Component>);

fn read(root: &YHash) -> Result<Read, String> {
    let version = get(root, "lockfileVersion")
        .and_then(scalar)
        .ok_or("no lockfileVersion")?;
    let major: u32 = version
        .trim_start_matches('\'')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("unknown lockfileVersion {version:?}"))?;
    let empty = YHash::new();
    let packages = get(root, "packages")
        .and_then(Yaml::as_hash)
        .unwrap_or(&empty);
    let snapshots = get(root, "snapshots").and_then(Yaml::as_hash);

    // Components by purl, in file order; normalized key → purl.
    let mut order: Vec<String> = Vec::new();
    let mut comps: HashMap<String, Component> = HashMap::new();
    let mut by_key: HashMap<String, String> = HashMap::new();
    let mut has_dev_flag = false;
    for (k, v) in packages {
        let (Some(key), Some(entry)) = (k.as_str(), v.as_hash()) else {
            continue;
        };
        let field = |f: &str| get(entry, f).and_then(scalar);
        let resolution = get(entry, "resolution").and_then(Yaml::as_hash);
        let (name, version, mut q) = match parse_key(key, major) {
            Some((n, v)) => (n, v, BTreeMap::new()),
            None => {
                // git / tarball: the entry names itself.
                let Some(v) = field("version") else { continue };
                let name = field("name")
                    .unwrap_or_else(|| spec_name(key.trim_start_matches('/')).to_string());
                let mut q = BTreeMap::new();
                let src = resolution
                    .and_then(|r| get(r, "tarball").or_else(|| get(r, "repo")))
                    .and_then(scalar)
                    .unwrap_or_else(|| key.to_string());
                q.insert("vcs_url".to_string(), src);
                (name, v, q)
            }
        };
        let _ = &mut q;
        let Some(purl) = npm_purl_q(&name, Some(&version), q) else {
            continue;
        };
        by_key.insert(strip_peers(key, major).to_string(), purl.clone());
        let c = comps.entry(purl.clone()).or_insert_with(|| {
            order.push(purl.clone());
            npm_component(purl.clone(), &name, Some(&version))
        });
        if let Some(i) = resolution
            .and_then(|r| get(r, "integrity"))
            .and_then(Yaml::as_str)
        {
            if c.hashes.is_empty() {
                c.hashes = integrity_hashes(i);
            }
        }
        if let Some(d) = get(entry, "dev").and_then(Yaml::as_bool) {
            has_dev_flag = true;
            c.dev = d;
        }
    }
    // A dependency reference → purl.
    let resolve = |dep: &str, r: &str| -> Option<String> {
        if r.starts_with("link:") || r.starts_with("file:") || r.starts_with("workspace:") {
            return None;
        }
        let r0 = strip_peers(r, major);
        for cand in [
            r0.to_string(),
            format!("/{dep}/{r0}"),
            format!("/{dep}@{r0}"),
            format!("{dep}@{r0}"),
        ] {
            if let Some(p) = by_key.get(&cand) {
                return Some(p.clone());
            }
        }
        None
    };
    let deps_of = |entry: &YHash| -> Vec<String> {
        let mut v = Vec::new();
        for sec in ["dependencies", "optionalDependencies"] {
            if let Some(d) = get(entry, sec).and_then(Yaml::as_hash) {
                for (n, r) in d {
                    let (Some(n), Some(r)) = (n.as_str(), scalar(r)) else {
                        continue;
                    };
                    if let Some(p) = resolve(n, &r) {
                        if !v.contains(&p) {
                            v.push(p);
                        }
                    }
                }
            }
        }
        v
    };
    // Edges: v9 in snapshots, earlier in packages.
    let edge_source = snapshots.unwrap_or(packages);
    for (k, v) in edge_source {
        let (Some(key), Some(entry)) = (k.as_str(), v.as_hash()) else {
            continue;
        };
        let Some(purl) = by_key.get(strip_peers(key, major)) else {
            continue;
        };
        let deps = deps_of(entry);
        if let Some(c) = comps.get_mut(purl) {
            for p in deps {
                if !c.dependencies.contains(&p) {
                    c.dependencies.push(p);
                }
            }
        }
    }
    // The project: importers, or the top level of a single-project lockfile.
    let mut importers: Vec<&YHash> = Vec::new();
    match get(root, "importers").and_then(Yaml::as_hash) {
        Some(imps) => importers.extend(imps.values().filter_map(Yaml::as_hash)),
        None => importers.push(root),
    }
    let mut prod: Vec<String> = Vec::new();
    let mut dev: Vec<String> = Vec::new();
    for imp in importers {
        for (sec, is_dev) in [
            ("dependencies", false),
            ("optionalDependencies", false),
            ("devDependencies", true),
        ] {
            let list = if is_dev { &mut dev } else { &mut prod };
            let Some(d) = get(imp, sec).and_then(Yaml::as_hash) else {
                continue;
            };
            for (n, r) in d {
                let Some(n) = n.as_str() else { continue };
                // v6/v9: { specifier, version }; v5: the version itself.
                let r = match r {
                    Yaml::Hash(h) => get(h, "version").and_then(scalar),
                    other => scalar(other),
                };
                if let Some(p) = r.and_then(|r| resolve(n, &r)) {
                    list.push(p);
                }
            }
        }
    }
    let mut list: Vec<Component> = order
        .iter()
        .filter_map(|p| comps.remove(p))
        .map(|mut c| {
            c.direct = Some(prod.contains(&c.purl) || dev.contains(&c.purl));
            c
        })
        .collect();
    if !has_dev_flag {
        mark_dev(&mut list, &prod, &dev);
    }
    Ok((version, list))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        let k = |s, m| parse_key(s, m).map(|(a, b)| format!("{a} {b}"));
        assert_eq!(k("/@a/b/1.0.0_react@18.2.0", 5).unwrap(), "@a/b 1.0.0");
        assert_eq!(
            k("/react-dom/18.2.0_react@18.2.0", 5).unwrap(),
            "react-dom 18.2.0"
        );
        assert_eq!(k("/@a/b@1.0.0(peer@2)", 6).unwrap(), "@a/b 1.0.0");
        assert_eq!(k("ms@2.1.3", 9).unwrap(), "ms 2.1.3");
        assert_eq!(k("github.com/a/b/abcdef", 5), None);
        assert_eq!(k("x@https://codeload.github.com/a/b/tar.gz/abc", 9), None);
        assert_eq!(strip_peers("18.2.0_react@18.2.0", 5), "18.2.0");
        assert_eq!(strip_peers("18.2.0(react@18.2.0)", 9), "18.2.0");
    }
}
