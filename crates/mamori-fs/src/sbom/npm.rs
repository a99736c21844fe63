//! npm: `package-lock.json` / `npm-shrinkwrap.json` / `node_modules/.package-lock.json`
//! (lockfile versions 1, 2 and 3) and installed packages (`node_modules/**/package.json`).
//!
//! Lockfile v1 nests packages under `dependencies`; its edges (`requires`) are resolved the
//! way node resolves `require()`: in the package's own nested dependencies, then its
//! parent's, up to the top. v2/v3 list every installed path under `packages`
//! (`node_modules/a/node_modules/b`); edges are resolved by walking up the `node_modules`
//! directories. Entries outside `node_modules/` are the project and its workspaces: they are
//! not components, the packages they declare are marked direct. `link` entries point at
//! workspaces and are skipped.
//!
//! The helpers of this module (purl, integrity, dev reachability, the project manifest)
//! are shared by the yarn and pnpm readers.

use crate::{Detector, FileInfo, Output};
use base64::Engine;
use mamori_model::purl::Purl;
use mamori_model::{Component, Hash};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Detector name of the lockfile reader.
const LOCK_NAME: &str = "sbom.npm-lock";
/// Detector name of the installed-package reader.
const INSTALLED_NAME: &str = "sbom.npm-installed";

/// Reads npm lockfiles.
pub struct NpmLockDetector;

/// Reads `package.json` of packages installed under `node_modules/`.
pub struct NpmInstalledDetector;

// ---------------------------------------------------------------------------------------
// Shared helpers (npm, yarn, pnpm).

/// `pkg:npm/…` for a package name (`name` or `@scope/name`) and version; `None` when the
/// name is not valid.
pub(crate) fn npm_purl(name: &str, version: Option<&str>) -> Option<String> {
    npm_purl_q(name, version, BTreeMap::new())
}

/// [`npm_purl`] with qualifiers.
pub(crate) fn npm_purl_q(
    name: &str,
    version: Option<&str>,
    q: BTreeMap<String, String>,
) -> Option<String> {
    if name.is_empty() {
        return None;
    }
    let (ns, n) = match name.strip_prefix('@') {
        Some(rest) => {
            let (scope, n) = rest.split_once('/')?;
            (Some(format!("@{scope}")), n)
        }
        None => (None, name),
    };
    if n.is_empty() || n.contains('/') {
        return None;
    }
    Purl::new("npm", ns.as_deref(), n, version, q, None)
        .ok()
        .map(|p| p.to_string())
}

/// A component of the npm ecosystem.
pub(crate) fn npm_component(purl: String, name: &str, version: Option<&str>) -> Component {
    Component::new(purl, name, version.map(str::to_string), "npm")
}

/// Hashes of an SRI `integrity` string (`sha512-<base64> sha1-<base64>`).
pub(crate) fn integrity_hashes(integrity: &str) -> Vec<Hash> {
    let mut v = Vec::new();
    for part in integrity.split_ascii_whitespace() {
        let Some((alg, b64)) = part.split_once('-') else {
            continue;
        };
        let alg = match alg {
            "sha512" => "SHA-512",
            "sha384" => "SHA-384",
            "sha256" => "SHA-256",
            "sha1" => "SHA-1",
            _ => continue,
        };
        // SRI may carry `?options` after the digest.
        let b64 = b64.split('?').next().unwrap_or(b64);
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) {
            let value = hex::encode(bytes);
            if !v.iter().any(|h: &Hash| h.value == value) {
                v.push(Hash {
                    alg: alg.into(),
                    value,
                });
            }
        }
    }
    v
}

/// The name part of an npm specifier `name@range` (`@scope/name@^1` → `@scope/name`).
pub(crate) fn spec_name(spec: &str) -> &str {
    let from = usize::from(spec.starts_with('@'));
    match spec.get(from..).and_then(|s| s.find('@')) {
        Some(i) => spec.get(..i + from).unwrap_or(spec),
        None => spec,
    }
}

/// Dependencies a `package.json` declares.
#[derive(Default, Debug)]
pub(crate) struct Manifest {
    /// `dependencies`, `optionalDependencies` and `peerDependencies`: name and range.
    pub prod: Vec<(String, String)>,
    /// `devDependencies`: name and range.
    pub dev: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
struct ManifestJson {
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "optionalDependencies")]
    optional: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "peerDependencies")]
    peer: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "devDependencies")]
    dev: BTreeMap<String, serde_json::Value>,
}

/// The `package.json` beside a lockfile, read through the tree when it can be.
pub(crate) fn sibling_manifest(file: &FileInfo<'_>) -> Option<Manifest> {
    let fs = file.fs?;
    let dir = file.path.strip_suffix(file.name)?;
    let data = fs.read(&format!("{dir}package.json"), 8 << 20)?;
    let m: ManifestJson = serde_json::from_slice(&data).ok()?;
    let pairs = |m: BTreeMap<String, serde_json::Value>| {
        m.into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_string()))
            .collect::<Vec<_>>()
    };
    let mut prod = pairs(m.dependencies);
    prod.extend(pairs(m.optional));
    prod.extend(pairs(m.peer));
    Some(Manifest {
        prod,
        dev: pairs(m.dev),
    })
}

/// Everything reachable from `roots` through `edges` (purl → purls), roots included.
pub(crate) fn reachable<'a>(
    edges: &'a HashMap<String, Vec<String>>,
    roots: impl IntoIterator<Item = &'a str>,
) -> HashSet<&'a str> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut stack: Vec<&str> = roots.into_iter().collect();
    while let Some(p) = stack.pop() {
        if !seen.insert(p) {
            continue;
        }
        if let Some(next) = edges.get(p) {
            stack.extend(next.iter().map(String::as_str));
        }
    }
    seen
}

/// Marks `dev` on components reachable only from `dev_roots` (never from `prod_roots`).
pub(crate) fn mark_dev(comps: &mut [Component], prod_roots: &[String], dev_roots: &[String]) {
    let edges: HashMap<String, Vec<String>> = comps
        .iter()
        .map(|c| (c.purl.clone(), c.dependencies.clone()))
        .collect();
    let prod = reachable(&edges, prod_roots.iter().map(String::as_str));
    let dev = reachable(&edges, dev_roots.iter().map(String::as_str));
    for c in comps.iter_mut() {
        if dev.contains(c.purl.as_str()) && !prod.contains(c.purl.as_str()) {
            c.dev = true;
        }
    }
}

/// SPDX expression of a `license` / `licenses` field: a string, `{ "type": … }`, or an
/// array of those (joined with OR).
pub(crate) fn license_of(v: Option<&serde_json::Value>) -> Option<String> {
    use serde_json::Value;
    fn one(v: &Value) -> Option<String> {
        match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Object(o) => o.get("type").and_then(one),
            _ => None,
        }
    }
    match v? {
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().filter_map(one).collect();
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
                        .join(" OR "),
                ),
            }
        }
        other => one(other),
    }
}

/// One line of an error.
pub(crate) fn one_line(e: &impl std::fmt::Display) -> String {
    e.to_string().replace('\n', " ")
}

// ---------------------------------------------------------------------------------------
// Lockfiles.

#[derive(Deserialize)]
struct Lock {
    #[serde(default, rename = "lockfileVersion")]
    lockfile_version: Option<serde_json::Value>,
    /// v2/v3: path → entry.
    #[serde(default)]
    packages: Option<BTreeMap<String, Entry>>,
    /// v1 (and v2 for old readers): name → nested entry.
    #[serde(default)]
    dependencies: Option<BTreeMap<String, V1Entry>>,
}

#[derive(Deserialize, Default)]
struct Entry {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    resolved: Option<String>,
    #[serde(default)]
    integrity: Option<String>,
    #[serde(default)]
    license: Option<serde_json::Value>,
    #[serde(default)]
    link: bool,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(default, rename = "peerDependencies")]
    peer_dependencies: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize, Default)]
struct V1Entry {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    resolved: Option<String>,
    #[serde(default)]
    integrity: Option<String>,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    requires: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    dependencies: BTreeMap<String, V1Entry>,
}

impl Detector for NpmLockDetector {
    fn name(&self) -> &'static str {
        LOCK_NAME
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        match file.name {
            ".package-lock.json" => true,
            "package-lock.json" | "npm-shrinkwrap.json" => {
                !super::inside_installed_package(file.path)
            }
            _ => false,
        }
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let lock: Lock = match serde_json::from_slice(data) {
            Ok(l) => l,
            Err(e) => {
                out.warn(
                    file,
                    format!("{} is not valid: {}", file.name, one_line(&e)),
                );
                return;
            }
        };
        let ver = lock
            .lockfile_version
            .as_ref()
            .and_then(|v| v.as_i64())
            .unwrap_or(1);
        let ctx = format!("{} v{ver}", file.name);
        let comps = if let Some(packages) = lock.packages {
            from_packages(packages, file, out)
        } else if let Some(deps) = lock.dependencies {
            from_v1(deps, file)
        } else {
            out.warn(
                file,
                format!("{}: neither `packages` nor `dependencies`", file.name),
            );
            return;
        };
        for c in comps {
            out.component(c, file.location(), LOCK_NAME, Some(ctx.clone()));
        }
    }

    fn max_size(&self) -> u64 {
        64 << 20
    }
}

/// The package name of a `packages` key (`node_modules/@a/b/node_modules/c` → `c`);
/// `None` when the path is not inside a `node_modules` directory.
fn name_from_path(key: &str) -> Option<&str> {
    let i = key.rfind("node_modules/")?;
    let rest = key.get(i + "node_modules/".len()..)?;
    (!rest.is_empty()).then_some(rest)
}

/// Purl and hashes of a registry / git / tarball entry.
fn entry_identity(
    name: &str,
    version: Option<&str>,
    resolved: Option<&str>,
) -> Option<(String, Option<String>)> {
    let mut q = BTreeMap::new();
    let mut version = version.map(str::to_string);
    // npm: aliases in v1 `version` ("npm:real@1.2.3") are handled by the caller.
    if let Some(r) = resolved {
        if r.starts_with("git+") || r.starts_with("git:") || r.starts_with("github:") {
            q.insert("vcs_url".to_string(), r.to_string());
        } else if r.starts_with("file:") {
            q.insert("download_url".to_string(), r.to_string());
        }
    }
    if let Some(v) = version.as_deref() {
        if v.contains(':') || v.contains('/') {
            // A git or tarball reference in place of a version (lockfile v1).
            q.insert("vcs_url".to_string(), v.to_string());
            version = None;
        }
    }
    let purl = npm_purl_q(name, version.as_deref(), q)?;
    Some((purl, version))
}

/// Resolves dependency `dep` from the package at path `from` the way node does: the
/// nearest `node_modules/dep` up the tree.
fn resolve_path<'a>(
    packages: &'a BTreeMap<String, Entry>,
    from: &str,
    dep: &str,
) -> Option<&'a str> {
    let mut base = from.to_string();
    loop {
        let cand = if base.is_empty() {
            format!("node_modules/{dep}")
        } else {
            format!("{base}/node_modules/{dep}")
        };
        if let Some((k, _)) = packages.get_key_value(&cand) {
            return Some(k.as_str());
        }
        if base.is_empty() {
            return None;
        }
        // Up one level: strip the last "/node_modules/<name>" (or the workspace path).
        match base.rfind("/node_modules/") {
            Some(i) => base.truncate(i),
            None => base.clear(),
        }
    }
}

fn from_packages(
    packages: BTreeMap<String, Entry>,
    file: &FileInfo<'_>,
    out: &mut Output,
) -> Vec<Component> {
    // In node_modules/.package-lock.json keys are relative to the project as well.
    let mut purls: HashMap<&str, String> = HashMap::new();
    let mut comps: Vec<(String, Component)> = Vec::new();
    let mut bad = 0usize;
    for (key, e) in &packages {
        let Some(path_name) = name_from_path(key) else {
            continue; // the project or a workspace
        };
        if e.link {
            continue;
        }
        let name = e.name.as_deref().unwrap_or(path_name);
        let Some((purl, version)) =
            entry_identity(name, e.version.as_deref(), e.resolved.as_deref())
        else {
            bad += 1;
            continue;
        };
        let mut c = npm_component(purl.clone(), name, version.as_deref());
        c.hashes = e
            .integrity
            .as_deref()
            .map(integrity_hashes)
            .unwrap_or_default();
        c.license = license_of(e.license.as_ref());
        c.dev = e.dev;
        c.direct = Some(false);
        purls.insert(key.as_str(), purl);
        comps.push((key.clone(), c));
    }
    if bad > 0 {
        out.warn(
            file,
            format!("{}: {bad} entries without a valid package name", file.name),
        );
    }
    // Link entries resolve to their target path.
    fn target<'a>(packages: &'a BTreeMap<String, Entry>, k: &'a str) -> Option<&'a str> {
        let e = packages.get(k)?;
        if e.link {
            e.resolved.as_deref()
        } else {
            Some(k)
        }
    }
    // Direct: what the project and its workspaces declare.
    let mut direct: HashSet<String> = HashSet::new();
    for (key, e) in &packages {
        if name_from_path(key).is_some() {
            continue;
        }
        for dep in e
            .dependencies
            .keys()
            .chain(e.optional_dependencies.keys())
            .chain(e.dev_dependencies.keys())
            .chain(e.peer_dependencies.keys())
        {
            if let Some(p) = resolve_path(&packages, key, dep)
                .and_then(|k| target(&packages, k))
                .and_then(|k| purls.get(k))
            {
                direct.insert(p.clone());
            }
        }
    }
    // node_modules/.package-lock.json has no root entry: directness is unknown there.
    let has_root = packages.contains_key("");
    for (key, c) in comps.iter_mut() {
        c.direct = has_root.then(|| direct.contains(&c.purl));
        let Some(e) = packages.get(key.as_str()) else {
            continue;
        };
        for dep in e.dependencies.keys().chain(e.optional_dependencies.keys()) {
            if let Some(p) = resolve_path(&packages, key, dep)
                .and_then(|k| target(&packages, k))
                .and_then(|k| purls.get(k))
            {
                if !c.dependencies.contains(p) {
                    c.dependencies.push(p.clone());
                }
            }
        }
    }
    comps.into_iter().map(|(_, c)| c).collect()
}

fn from_v1(deps: BTreeMap<String, V1Entry>, file: &FileInfo<'_>) -> Vec<Component> {
    // Flatten with the chain of ancestors: index → (name, parent index).
    struct Node<'a> {
        name: &'a str,
        entry: &'a V1Entry,
        parent: Option<usize>,
        purl: Option<String>,
    }
    let mut nodes: Vec<Node<'_>> = Vec::new();
    let mut stack: Vec<(Option<usize>, &BTreeMap<String, V1Entry>)> = vec![(None, &deps)];
    while let Some((parent, map)) = stack.pop() {
        for (name, entry) in map {
            let idx = nodes.len();
            nodes.push(Node {
                name,
                entry,
                parent,
                purl: None,
            });
            if !entry.dependencies.is_empty() {
                stack.push((Some(idx), &entry.dependencies));
            }
        }
    }
    // children index: (parent, name) → idx
    let mut child: HashMap<(Option<usize>, &str), usize> = HashMap::new();
    for (i, n) in nodes.iter().enumerate() {
        child.insert((n.parent, n.name), i);
    }
    let mut comps: Vec<Option<Component>> = Vec::with_capacity(nodes.len());
    for n in nodes.iter_mut() {
        let e = n.entry;
        // "npm:real-name@1.2.3" aliases.
        let (name, version) = match e.version.as_deref().and_then(|v| v.strip_prefix("npm:")) {
            Some(alias) => {
                let real = spec_name(alias);
                let ver = alias.get(real.len() + 1..);
                (real, ver)
            }
            None => (n.name, e.version.as_deref()),
        };
        let Some((purl, version)) = entry_identity(name, version, e.resolved.as_deref()) else {
            comps.push(None);
            continue;
        };
        let mut c = npm_component(purl.clone(), name, version.as_deref());
        c.hashes = e
            .integrity
            .as_deref()
            .map(integrity_hashes)
            .unwrap_or_default();
        c.dev = e.dev;
        n.purl = Some(purl);
        comps.push(Some(c));
    }
    for (i, n) in nodes.iter().enumerate() {
        for dep in n.entry.requires.keys() {
            // Own nested deps first, then each ancestor's, then the top.
            let mut scope = Some(i);
            let found = loop {
                if let Some(&j) = child.get(&(scope, dep.as_str())) {
                    break Some(j);
                }
                match scope {
                    None => break None,
                    Some(s) => scope = nodes.get(s).and_then(|x| x.parent),
                }
            };
            if let Some(p) = found
                .and_then(|j| nodes.get(j))
                .and_then(|x| x.purl.clone())
            {
                if let Some(Some(c)) = comps.get_mut(i) {
                    if !c.dependencies.contains(&p) {
                        c.dependencies.push(p);
                    }
                }
            }
        }
    }
    let mut comps: Vec<Component> = comps.into_iter().flatten().collect();
    // Direct: the project's package.json when it can be read.
    if let Some(m) = sibling_manifest(file) {
        let top: HashMap<&str, &str> = nodes
            .iter()
            .filter(|n| n.parent.is_none())
            .filter_map(|n| Some((n.name, n.purl.as_deref()?)))
            .collect();
        let declared: HashSet<&str> = m
            .prod
            .iter()
            .chain(m.dev.iter())
            .filter_map(|(d, _)| top.get(d.as_str()).copied())
            .collect();
        for c in comps.iter_mut() {
            c.direct = Some(declared.contains(c.purl.as_str()));
        }
    }
    comps
}

// ---------------------------------------------------------------------------------------
// Installed packages.

#[derive(Deserialize)]
struct Installed {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    license: Option<serde_json::Value>,
    #[serde(default)]
    licenses: Option<serde_json::Value>,
    /// Written by npm < 7 into installed packages.
    #[serde(default, rename = "_integrity")]
    integrity: Option<String>,
}

/// Whether `path` is `…/node_modules/<name>/package.json` or
/// `…/node_modules/@scope/<name>/package.json`.
pub(crate) fn is_installed_manifest(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else {
        return false;
    };
    // From the first `node_modules` on, the path must be nothing but installed packages,
    // `node_modules/[@scope/]name`, repeated: a `package.json` under a package's own
    // `test/fixtures/…/node_modules/x` is a fixture, not something installed.
    let segs: Vec<&str> = dir.split(['/', '\\']).collect();
    let Some(first) = segs.iter().position(|s| *s == "node_modules") else {
        return false;
    };
    let mut rest = &segs[first..];
    while let Some((&"node_modules", after)) = rest.split_first() {
        let take = match after {
            [scope, name, ..] if scope.len() > 1 && scope.starts_with('@') => {
                if name.is_empty() || name.starts_with('.') {
                    return false;
                }
                2
            }
            [name, ..] if !name.is_empty() && !name.starts_with('.') && !name.starts_with('@') => 1,
            _ => return false,
        };
        rest = &after[take..];
    }
    rest.is_empty()
}

impl Detector for NpmInstalledDetector {
    fn name(&self) -> &'static str {
        INSTALLED_NAME
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        file.name == "package.json" && is_installed_manifest(&file.path.replace('\\', "/"))
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let m: Installed = match serde_json::from_slice(data) {
            Ok(m) => m,
            Err(e) => {
                out.warn(file, format!("package.json is not valid: {}", one_line(&e)));
                return;
            }
        };
        let (Some(name), Some(version)) = (m.name.as_deref(), m.version.as_deref()) else {
            return; // a stub without identity
        };
        let Some(purl) = npm_purl(name, Some(version)) else {
            out.warn(file, format!("package.json: invalid package name {name:?}"));
            return;
        };
        let mut c = npm_component(purl, name, Some(version));
        c.license = license_of(m.license.as_ref()).or_else(|| license_of(m.licenses.as_ref()));
        c.hashes = m
            .integrity
            .as_deref()
            .map(integrity_hashes)
            .unwrap_or_default();
        out.component(
            c,
            file.location(),
            INSTALLED_NAME,
            Some("installed in node_modules".into()),
        );
    }

    fn max_size(&self) -> u64 {
        4 << 20
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installed_paths() {
        assert!(is_installed_manifest("a/node_modules/ms/package.json"));
        assert!(is_installed_manifest("node_modules/@s/is/package.json"));
        assert!(is_installed_manifest(
            "/x/node_modules/a/node_modules/b/package.json"
        ));
        assert!(!is_installed_manifest(
            "node_modules/resolve/test/x/package.json"
        ));
        assert!(!is_installed_manifest(
            "node_modules/@s/is/lib/package.json"
        ));
        assert!(!is_installed_manifest("package.json"));
        assert!(!is_installed_manifest("node_modules/.bin/package.json"));
        // A package's test fixture with a node_modules of its own (seen in @parcel/core).
        assert!(!is_installed_manifest(
            "/n/node_modules/@parcel/core/test/fixtures/a/node_modules/parcel-transformer-x/package.json"
        ));
        assert!(is_installed_manifest(
            "/usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json"
        ));
        assert!(!is_installed_manifest("node_modules/@scope/package.json"));
    }

    #[test]
    fn names_and_purls() {
        assert_eq!(spec_name("@a/b@^1"), "@a/b");
        assert_eq!(spec_name("ms@2"), "ms");
        assert_eq!(spec_name("ms"), "ms");
        assert_eq!(
            npm_purl("@a/b", Some("1.0.0")).unwrap(),
            "pkg:npm/%40a/b@1.0.0"
        );
        assert!(npm_purl("@a", Some("1")).is_none());
        assert_eq!(
            name_from_path("node_modules/a/node_modules/@b/c"),
            Some("@b/c")
        );
        assert_eq!(name_from_path("packages/x"), None);
    }

    #[test]
    fn integrity() {
        let h = integrity_hashes("sha1-AAEC sha512-AAECAw== md5-xx");
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].alg, "SHA-1");
        assert_eq!(h[0].value, "000102");
        assert_eq!(h[1].value, "00010203");
    }

    #[test]
    fn licenses() {
        let v: serde_json::Value = serde_json::json!([{"type": "MIT"}, "Apache-2.0"]);
        assert_eq!(license_of(Some(&v)).unwrap(), "MIT OR Apache-2.0");
        let v = serde_json::json!({"type": "BSD"});
        assert_eq!(license_of(Some(&v)).unwrap(), "BSD");
        assert_eq!(license_of(Some(&serde_json::json!(3))), None);
    }
}
