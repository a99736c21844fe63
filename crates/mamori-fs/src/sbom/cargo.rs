//! `Cargo.lock`: the Rust packages a Cargo project (or workspace) is built from.
//!
//! Every lockfile format Cargo wrote is read: v1 (dependencies written as
//! `"name version (source)"`, checksums in the `[metadata]` table, sometimes a `[root]`
//! table), v2 (checksums on the packages, short dependency entries), v3 and v4 (a
//! `version = N` marker). Each `[[package]]` becomes a component `pkg:cargo/name@version`;
//! its `checksum` is the SHA-256 of the `.crate` file. Packages with no `source` are the
//! project itself (workspace members and path dependencies): they are components too, with
//! an empty ecosystem so that advisories are never matched against them, and the packages
//! they depend on are marked direct. Git sources keep their repository and commit in the
//! purl's `vcs_url` qualifier (they have no checksum).

use crate::{Detector, FileInfo, Output};
use mamori_model::purl::Purl;
use mamori_model::{Component, Hash};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Detector name.
const NAME: &str = "sbom.cargo-lock";
/// The crates.io index, as Cargo writes it in `source`.
const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";
/// The crates.io sparse index.
const CRATES_IO_SPARSE: &str = "sparse+https://index.crates.io/";

/// Reads `Cargo.lock` files.
pub struct CargoLockDetector;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    package: Vec<Package>,
    /// v1 only: the root package.
    #[serde(default)]
    root: Option<Package>,
    /// v1 only: `"checksum name version (source)" = "hex"`.
    #[serde(default)]
    metadata: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct Package {
    name: toml::Spanned<String>,
    version: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    checksum: Option<String>,
    #[serde(default)]
    dependencies: Vec<String>,
}

impl Detector for CargoLockDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        file.name == "Cargo.lock"
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let text = match std::str::from_utf8(data) {
            Ok(t) => t,
            Err(e) => {
                out.warn(file, format!("Cargo.lock is not UTF-8: {e}"));
                return;
            }
        };
        let lock: Lock = match toml::from_str(text) {
            Ok(l) => l,
            Err(e) => {
                out.warn(file, format!("Cargo.lock is not valid: {}", one_line(&e)));
                return;
            }
        };
        for c in components(lock, text, file, out) {
            let (comp, line, ctx) = c;
            out.component(comp, file.at_line(line), NAME, Some(ctx));
        }
    }

    fn max_size(&self) -> u64 {
        64 << 20
    }
}

/// An error message on one line.
fn one_line(e: &impl std::fmt::Display) -> String {
    e.to_string()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lockfile format: 1 when it has a `[metadata]` table of checksums or a `[root]`,
/// else the `version` marker, else 2.
fn format_version(lock: &Lock) -> i64 {
    match lock.version {
        Some(v) => v,
        None if lock.root.is_some() || lock.metadata.keys().any(|k| k.starts_with("checksum ")) => {
            1
        }
        None => 2,
    }
}

/// Whether `source` is crates.io.
fn is_crates_io(source: &str) -> bool {
    source == CRATES_IO || source == CRATES_IO_SPARSE || source == "sparse+https://index.crates.io"
}

/// The purl of a package.
fn purl_of(name: &str, version: &str, source: Option<&str>) -> Option<String> {
    let mut q = BTreeMap::new();
    if let Some(src) = source {
        if let Some(git) = src.strip_prefix("git+") {
            // git+https://host/repo?branch=x#commit → git+https://host/repo@commit
            let (url, commit) = match git.split_once('#') {
                Some((u, c)) => (u, Some(c)),
                None => (git, None),
            };
            let url = url.split('?').next().unwrap_or(url);
            let v = match commit {
                Some(c) if !c.is_empty() => format!("git+{url}@{c}"),
                _ => format!("git+{url}"),
            };
            q.insert("vcs_url".to_string(), v);
        } else if !is_crates_io(src) {
            let url = src
                .strip_prefix("registry+")
                .or_else(|| src.strip_prefix("sparse+"))
                .unwrap_or(src);
            q.insert("repository_url".to_string(), url.to_string());
        }
    }
    Purl::new("cargo", None, name, Some(version), q, None)
        .ok()
        .map(|p| p.to_string())
}

/// Byte offset → 1-based line, for offsets given in increasing order or not.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Lines { starts }
    }
    fn line(&self, offset: usize) -> u32 {
        let i = self.starts.partition_point(|&s| s <= offset);
        u32::try_from(i.max(1)).unwrap_or(u32::MAX)
    }
}

type Found = (Component, u32, String);

fn components(lock: Lock, text: &str, file: &FileInfo<'_>, out: &mut Output) -> Vec<Found> {
    let fmt = format_version(&lock);
    let lines = Lines::new(text);
    let mut packages = lock.package;
    if let Some(root) = lock.root {
        packages.insert(0, root);
    }
    // v1 checksums: "checksum name version (source)".
    let mut v1_sums: HashMap<(&str, &str), &str> = HashMap::new();
    for (k, v) in &lock.metadata {
        let Some(rest) = k.strip_prefix("checksum ") else {
            continue;
        };
        let Some(sum) = v.as_str().filter(|s| *s != "<none>" && !s.is_empty()) else {
            continue;
        };
        let mut parts = rest.splitn(3, ' ');
        if let (Some(n), Some(ver)) = (parts.next(), parts.next()) {
            v1_sums.insert((n, ver), sum);
        }
    }
    // Index: name → package indices, to resolve dependency entries.
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        by_name
            .entry(p.name.get_ref().as_str())
            .or_default()
            .push(i);
    }
    let purls: Vec<Option<String>> = packages
        .iter()
        .map(|p| purl_of(p.name.get_ref(), &p.version, p.source.as_deref()))
        .collect();
    let resolve = |entry: &str| -> Option<usize> {
        let mut parts = entry.splitn(3, ' ');
        let name = parts.next()?;
        let version = parts.next();
        let source = parts
            .next()
            .map(|s| s.trim_start_matches('(').trim_end_matches(')'));
        let cands = by_name.get(name)?;
        cands.iter().copied().find(|&i| {
            let Some(p) = packages.get(i) else {
                return false;
            };
            version.is_none_or(|v| p.version == v)
                && source.is_none_or(|s| p.source.as_deref() == Some(s))
        })
    };
    let mut direct = vec![false; packages.len()];
    let mut deps: Vec<Vec<String>> = vec![Vec::new(); packages.len()];
    let mut unresolved = 0usize;
    for (i, p) in packages.iter().enumerate() {
        for d in &p.dependencies {
            match resolve(d) {
                Some(j) => {
                    if p.source.is_none() {
                        if let Some(slot) = direct.get_mut(j) {
                            *slot = true;
                        }
                    }
                    if let (Some(Some(purl)), Some(list)) = (purls.get(j), deps.get_mut(i)) {
                        if !list.contains(purl) {
                            list.push(purl.clone());
                        }
                    }
                }
                None => unresolved += 1,
            }
        }
    }
    if unresolved > 0 {
        out.warn(
            file,
            format!("Cargo.lock: {unresolved} dependency entries name no package of the file"),
        );
    }
    let mut found = Vec::with_capacity(packages.len());
    for (i, p) in packages.iter().enumerate() {
        let name = p.name.get_ref();
        let Some(Some(purl)) = purls.get(i) else {
            out.warn(
                file,
                format!(
                    "Cargo.lock: package {name:?} {:?} has no valid purl",
                    p.version
                ),
            );
            continue;
        };
        let is_root = p.source.is_none();
        let ecosystem = if is_root { "" } else { "crates.io" };
        let mut c = Component::new(
            purl.clone(),
            name.clone(),
            Some(p.version.clone()),
            ecosystem,
        );
        let sum = p
            .checksum
            .as_deref()
            .or_else(|| v1_sums.get(&(name.as_str(), p.version.as_str())).copied());
        if let Some(sum) = sum {
            if sum.len() == 64 && sum.bytes().all(|b| b.is_ascii_hexdigit()) {
                c.hashes.push(Hash {
                    alg: "SHA-256".into(),
                    value: sum.to_ascii_lowercase(),
                });
            }
        }
        c.direct = if is_root {
            None
        } else {
            Some(direct.get(i).copied().unwrap_or(false))
        };
        c.dependencies = deps.get_mut(i).map(std::mem::take).unwrap_or_default();
        let ctx = match p.source.as_deref() {
            None => format!("Cargo.lock v{fmt}: workspace member or path package (the project)"),
            Some(s) if s.starts_with("git+") => {
                format!("Cargo.lock v{fmt}: git source {s} (no checksum)")
            }
            Some(s) if is_crates_io(s) => format!("Cargo.lock v{fmt}: crates.io"),
            Some(s) => format!("Cargo.lock v{fmt}: source {s}"),
        };
        let line = lines.line(p.name.span().start);
        found.push((c, line, ctx));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Output {
        let f = FileInfo {
            path: "x/Cargo.lock",
            name: "Cargo.lock",
            size: text.len() as u64,
            container: None,
            fs: None,
        };
        let mut out = Output::default();
        assert!(CargoLockDetector.wants(&f, text.as_bytes()));
        CargoLockDetector.detect(&f, text.as_bytes(), &mut out);
        out
    }

    #[test]
    fn git_source_and_full_dependency_entries() {
        let out = run(r#"
version = 3

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "foo 1.0.0 (git+https://example.com/foo?branch=main#0123abcd)",
 "foo 1.0.0 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "foo"
version = "1.0.0"
source = "git+https://example.com/foo?branch=main#0123abcd"

[[package]]
name = "foo"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
"#);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let c = &out.components;
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].component.purl, "pkg:cargo/app@0.1.0");
        assert_eq!(c[0].component.ecosystem, "");
        assert_eq!(
            c[0].component.dependencies,
            vec![
                "pkg:cargo/foo@1.0.0?vcs_url=git%2Bhttps:%2F%2Fexample.com%2Ffoo%400123abcd"
                    .to_string(),
                "pkg:cargo/foo@1.0.0".to_string()
            ]
        );
        assert!(c[1].component.hashes.is_empty());
        assert!(c[1]
            .occurrence
            .context
            .as_deref()
            .unwrap()
            .contains("git source"));
        assert_eq!(c[1].occurrence.location.line, Some(13));
        assert_eq!(c[2].component.hashes[0].alg, "SHA-256");
        assert_eq!(c[2].component.direct, Some(true));
    }

    #[test]
    fn garbage_is_a_warning() {
        let out = run("[[package]]\nname = 3\n");
        assert_eq!(out.components.len(), 0);
        assert_eq!(out.warnings.len(), 1);
        assert!(out.warnings[0].path.ends_with("Cargo.lock"));
        let out = run("[[package]]\nname = \"a\"\nversion = \"1\"\ndependencies = [\"nope\"]\n");
        assert_eq!(out.components.len(), 1);
        assert_eq!(out.warnings.len(), 1);
    }
}
