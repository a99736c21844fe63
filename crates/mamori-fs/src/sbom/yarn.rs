//! `yarn.lock`: yarn classic (v1, yarn's own indented format) and yarn berry (2+, YAML
//! with `__metadata`).
//!
//! Classic: each block starts with the specifiers it satisfies (`"a@^1", a@^1.2:`) and
//! holds `version`, `resolved` (a URL whose `#fragment` is the SHA-1 of the tarball),
//! `integrity` and `dependencies` (name → range, looked up as the specifier `name@range`).
//! Berry: each key lists descriptors (`a@npm:^1, a@npm:^1.2`), with `resolution`,
//! `dependencies` (name → range, looked up as `name@range`), `checksum`, `languageName`,
//! `linkType`. `workspace:` entries are the project: not components; what they depend on
//! is direct. Berry's `checksum` hashes yarn's own cache zip, not the published tarball,
//! so it is not reported as a hash.
//!
//! Neither format says which packages are dev-only: when the `package.json` beside the
//! lockfile can be read, its `devDependencies` mark what only they pull in as dev (and, for
//! classic, its dependencies mark the direct ones).

use super::npm::{
    integrity_hashes, mark_dev, npm_component, npm_purl_q, one_line, sibling_manifest, spec_name,
};
use crate::{Detector, FileInfo, Output};
use mamori_model::{Component, Hash};
use std::collections::{BTreeMap, HashMap};
use yaml_rust2::{Yaml, YamlLoader};

/// Detector name.
const NAME: &str = "sbom.yarn-lock";

/// Reads `yarn.lock` files (classic and berry).
pub struct YarnLockDetector;

impl Detector for YarnLockDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        file.name == "yarn.lock" && !super::inside_installed_package(file.path)
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let text = match std::str::from_utf8(data) {
            Ok(t) => t,
            Err(e) => {
                out.warn(file, format!("yarn.lock is not UTF-8: {e}"));
                return;
            }
        };
        if text.contains("\n__metadata:") || text.starts_with("__metadata:") {
            berry(text, file, out);
        } else {
            classic(text, file, out);
        }
    }

    fn max_size(&self) -> u64 {
        64 << 20
    }
}

/// Removes surrounding double quotes.
fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|x| x.strip_suffix('"'))
        .unwrap_or(s)
}

/// One block of a classic lockfile.
#[derive(Default)]
struct Block<'a> {
    line: u32,
    specs: Vec<&'a str>,
    version: Option<&'a str>,
    resolved: Option<&'a str>,
    integrity: Option<&'a str>,
    deps: Vec<(&'a str, &'a str)>,
}

/// Parses the classic format into blocks.
fn parse_classic(text: &str) -> Result<Vec<Block<'_>>, String> {
    let mut blocks: Vec<Block<'_>> = Vec::new();
    let mut section: Option<&str> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim_end();
        if line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let body = line.trim_start();
        match indent {
            0 => {
                let Some(head) = body.strip_suffix(':') else {
                    return Err(format!("line {n}: expected `specifiers:`"));
                };
                let specs = head.split(", ").map(unquote).filter(|s| !s.is_empty());
                blocks.push(Block {
                    line: n,
                    specs: specs.collect(),
                    ..Default::default()
                });
                section = None;
            }
            2 => {
                let Some(b) = blocks.last_mut() else {
                    return Err(format!("line {n}: field outside a block"));
                };
                if let Some(sec) = body.strip_suffix(':') {
                    section = Some(sec);
                    continue;
                }
                section = None;
                let (k, v) = body.split_once(' ').unwrap_or((body, ""));
                let v = unquote(v);
                match unquote(k) {
                    "version" => b.version = Some(v),
                    "resolved" => b.resolved = Some(v),
                    "integrity" => b.integrity = Some(v),
                    _ => {}
                }
            }
            _ => {
                let Some(b) = blocks.last_mut() else {
                    return Err(format!("line {n}: field outside a block"));
                };
                if matches!(section, Some("dependencies" | "optionalDependencies")) {
                    // `name "range"` or `"@scope/name" "range"`.
                    let (k, v) = split_pair(body);
                    b.deps.push((unquote(k), unquote(v)));
                }
            }
        }
    }
    Ok(blocks)
}

/// Splits `key value` where the key may be quoted and contain spaces.
fn split_pair(s: &str) -> (&str, &str) {
    if let Some(rest) = s.strip_prefix('"') {
        if let Some(end) = rest.find('"') {
            let key = s.get(..end + 2).unwrap_or(s);
            let val = s.get(end + 2..).unwrap_or("").trim();
            return (key, val);
        }
    }
    s.split_once(' ').unwrap_or((s, ""))
}

/// The real package name of a specifier (`alias@npm:real@^1` → `real`).
fn real_name(spec: &str) -> &str {
    let name = spec_name(spec);
    let range = spec.get(name.len() + 1..).unwrap_or("");
    match range.strip_prefix("npm:") {
        Some(alias) if spec_name(alias) != alias => spec_name(alias),
        _ => name,
    }
}

fn classic(text: &str, file: &FileInfo<'_>, out: &mut Output) {
    let blocks = match parse_classic(text) {
        Ok(b) => b,
        Err(e) => {
            out.warn(file, format!("yarn.lock is not valid: {e}"));
            return;
        }
    };
    let mut by_spec: HashMap<&str, usize> = HashMap::new();
    let mut comps: Vec<Option<(Component, u32)>> = Vec::with_capacity(blocks.len());
    let mut bad = 0;
    for (i, b) in blocks.iter().enumerate() {
        for s in &b.specs {
            by_spec.insert(s, i);
        }
        let Some(spec) = b.specs.first() else {
            comps.push(None);
            continue;
        };
        let name = real_name(spec);
        let mut q = BTreeMap::new();
        if let Some(r) = b.resolved {
            if !r.starts_with("https://registry.") && !r.starts_with("http://registry.") {
                if r.starts_with("git") || r.contains("codeload.github.com") {
                    q.insert("vcs_url".to_string(), r.to_string());
                } else if r.starts_with("file:") {
                    q.insert("download_url".to_string(), r.to_string());
                }
            }
        }
        let Some(purl) = npm_purl_q(name, b.version, q) else {
            bad += 1;
            comps.push(None);
            continue;
        };
        let mut c = npm_component(purl, name, b.version);
        c.hashes = b.integrity.map(integrity_hashes).unwrap_or_default();
        if c.hashes.is_empty() {
            // The tarball URL's fragment is its SHA-1.
            if let Some(frag) = b.resolved.and_then(|r| r.rsplit_once('#')).map(|x| x.1) {
                if frag.len() == 40 && frag.bytes().all(|x| x.is_ascii_hexdigit()) {
                    c.hashes.push(Hash {
                        alg: "SHA-1".into(),
                        value: frag.to_ascii_lowercase(),
                    });
                }
            }
        }
        comps.push(Some((c, b.line)));
    }
    if bad > 0 {
        out.warn(
            file,
            format!("yarn.lock: {bad} entries without a valid package name"),
        );
    }
    let purl_of = |i: usize| -> Option<String> {
        comps
            .get(i)
            .and_then(|c| c.as_ref())
            .map(|(c, _)| c.purl.clone())
    };
    let mut edges: Vec<Vec<String>> = vec![Vec::new(); blocks.len()];
    for (i, b) in blocks.iter().enumerate() {
        for (name, range) in &b.deps {
            let key = format!("{name}@{range}");
            if let Some(p) = by_spec.get(key.as_str()).and_then(|&j| purl_of(j)) {
                if let Some(e) = edges.get_mut(i) {
                    if !e.contains(&p) {
                        e.push(p);
                    }
                }
            }
        }
    }
    let manifest = sibling_manifest(file);
    let declared = |pairs: &[(String, String)]| -> Vec<String> {
        pairs
            .iter()
            .filter_map(|(n, r)| by_spec.get(format!("{n}@{r}").as_str()))
            .filter_map(|&j| purl_of(j))
            .collect()
    };
    let roots = manifest
        .as_ref()
        .map(|m| (declared(&m.prod), declared(&m.dev)));
    let mut list: Vec<(Component, u32)> = Vec::new();
    for (c, e) in comps.into_iter().zip(edges) {
        if let Some((mut c, line)) = c {
            c.dependencies = e;
            list.push((c, line));
        }
    }
    if let Some((prod, dev)) = roots {
        for (c, _) in list.iter_mut() {
            c.direct = Some(prod.contains(&c.purl) || dev.contains(&c.purl));
        }
        let mut cs: Vec<Component> = list.iter().map(|(c, _)| c.clone()).collect();
        mark_dev(&mut cs, &prod, &dev);
        for ((c, _), d) in list.iter_mut().zip(cs) {
            c.dev = d.dev;
        }
    }
    for (c, line) in list {
        out.component(c, file.at_line(line), NAME, Some("yarn.lock v1".into()));
    }
}

fn yaml_str(y: &Yaml) -> Option<&str> {
    y.as_str()
}

fn berry(text: &str, file: &FileInfo<'_>, out: &mut Output) {
    let docs = match YamlLoader::load_from_str(text) {
        Ok(d) => d,
        Err(e) => {
            out.warn(
                file,
                format!("yarn.lock is not valid YAML: {}", one_line(&e)),
            );
            return;
        }
    };
    let Some(root) = docs.first().and_then(Yaml::as_hash) else {
        out.warn(file, "yarn.lock: not a mapping");
        return;
    };
    let meta_version = root
        .get(&Yaml::String("__metadata".into()))
        .and_then(|m| m.as_hash())
        .and_then(|m| m.get(&Yaml::String("version".into())))
        .map(|v| match v {
            Yaml::Integer(i) => i.to_string(),
            Yaml::String(s) => s.clone(),
            _ => "?".into(),
        })
        .unwrap_or_else(|| "?".into());
    struct E<'a> {
        descriptors: Vec<&'a str>,
        entry: &'a yaml_rust2::yaml::Hash,
    }
    let mut entries: Vec<E<'_>> = Vec::new();
    for (k, v) in root {
        let (Some(k), Some(h)) = (yaml_str(k), v.as_hash()) else {
            continue;
        };
        if k == "__metadata" {
            continue;
        }
        entries.push(E {
            descriptors: k
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect(),
            entry: h,
        });
    }
    let field = |h: &yaml_rust2::yaml::Hash, f: &str| -> Option<String> {
        match h.get(&Yaml::String(f.into()))? {
            Yaml::String(s) => Some(s.clone()),
            Yaml::Integer(i) => Some(i.to_string()),
            Yaml::Real(r) => Some(r.clone()),
            _ => None,
        }
    };
    let mut by_desc: HashMap<&str, usize> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        for d in &e.descriptors {
            by_desc.insert(d, i);
        }
    }
    // Identity of each entry: None for workspaces (the project) and unreadable entries.
    let mut purls: Vec<Option<String>> = Vec::with_capacity(entries.len());
    let mut comps: Vec<Option<Component>> = Vec::with_capacity(entries.len());
    let mut workspaces: Vec<usize> = Vec::new();
    let mut unresolved = 0usize;
    for (i, e) in entries.iter().enumerate() {
        let Some(resolution) = field(e.entry, "resolution") else {
            unresolved += 1;
            purls.push(None);
            comps.push(None);
            continue;
        };
        let version = field(e.entry, "version");
        let name = spec_name(&resolution);
        let protocol = resolution.get(name.len() + 1..).unwrap_or("");
        if protocol.starts_with("workspace:") {
            workspaces.push(i);
            purls.push(None);
            comps.push(None);
            continue;
        }
        let mut q = BTreeMap::new();
        if !protocol.starts_with("npm:") && !protocol.starts_with("patch:") {
            let (proto, _) = protocol.split_once(':').unwrap_or((protocol, ""));
            if matches!(proto, "link" | "portal" | "file") {
                // Local code, part of the project.
                purls.push(None);
                comps.push(None);
                continue;
            }
            q.insert("vcs_url".to_string(), protocol.to_string());
        }
        let Some(purl) = npm_purl_q(name, version.as_deref(), q) else {
            purls.push(None);
            comps.push(None);
            continue;
        };
        let c = npm_component(purl.clone(), name, version.as_deref());
        purls.push(Some(purl));
        comps.push(Some(c));
    }
    if unresolved > 0 {
        out.warn(
            file,
            format!("yarn.lock: {unresolved} entries without `resolution`"),
        );
    }
    let deps_of = |h: &yaml_rust2::yaml::Hash| -> Vec<usize> {
        let mut v = Vec::new();
        for sec in ["dependencies", "optionalDependencies"] {
            let Some(d) = h.get(&Yaml::String(sec.into())).and_then(Yaml::as_hash) else {
                continue;
            };
            for (n, r) in d {
                let (Some(n), Some(r)) = (yaml_str(n), yaml_str(r)) else {
                    continue;
                };
                let key = format!("{n}@{r}");
                let alt = format!("{n}@npm:{r}");
                if let Some(&j) = by_desc
                    .get(key.as_str())
                    .or_else(|| by_desc.get(alt.as_str()))
                {
                    v.push(j);
                }
            }
        }
        v
    };
    let mut direct: Vec<String> = Vec::new();
    for &w in &workspaces {
        if let Some(e) = entries.get(w) {
            for j in deps_of(e.entry) {
                if let Some(Some(p)) = purls.get(j) {
                    direct.push(p.clone());
                }
            }
        }
    }
    for (i, e) in entries.iter().enumerate() {
        let deps: Vec<String> = deps_of(e.entry)
            .into_iter()
            .filter_map(|j| purls.get(j).cloned().flatten())
            .collect();
        if let Some(Some(c)) = comps.get_mut(i) {
            for p in deps {
                if !c.dependencies.contains(&p) {
                    c.dependencies.push(p);
                }
            }
            c.direct = Some(direct.contains(&c.purl));
        }
    }
    // A `patch:` entry is the same package as the one it patches: one component.
    let mut list: Vec<Component> = Vec::new();
    for c in comps.into_iter().flatten() {
        match list.iter_mut().find(|x| x.purl == c.purl) {
            Some(x) => {
                for d in c.dependencies {
                    if !x.dependencies.contains(&d) {
                        x.dependencies.push(d);
                    }
                }
            }
            None => list.push(c),
        }
    }
    if let Some(m) = sibling_manifest(file) {
        let pick = |names: &[(String, String)]| -> Vec<String> {
            list.iter()
                .filter(|c| direct.contains(&c.purl) && names.iter().any(|(n, _)| *n == c.name))
                .map(|c| c.purl.clone())
                .collect()
        };
        let prod = pick(&m.prod);
        let dev = pick(&m.dev);
        mark_dev(&mut list, &prod, &dev);
    }
    let ctx = format!("yarn.lock berry (metadata version {meta_version})");
    for c in list {
        out.component(c, file.location(), NAME, Some(ctx.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_blocks() {
        let t = "# yarn lockfile v1\n\n\"@a/b@^1\", \"@a/b@^1.1\":\n  version \"1.2.0\"\n  dependencies:\n    \"@c/d\" \"^2\"\n    e \"3 || 4\"\n\ne@3.0.0:\n  version \"3.0.0\"\n";
        let b = parse_classic(t).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].specs, vec!["@a/b@^1", "@a/b@^1.1"]);
        assert_eq!(b[0].deps, vec![("@c/d", "^2"), ("e", "3 || 4")]);
        assert_eq!(b[1].line, 9);
        assert!(parse_classic("  version \"1\"\n").is_err());
    }

    #[test]
    fn aliases() {
        assert_eq!(
            real_name("string-width-cjs@npm:string-width@^4.2.0"),
            "string-width"
        );
        assert_eq!(real_name("x@npm:@s/y@^1"), "@s/y");
        assert_eq!(real_name("ms@^2"), "ms");
    }
}
