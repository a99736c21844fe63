//! Alpine's installed-package database, `lib/apk/db/installed` (also Wolfi and Chainguard
//! images, which use apk).
//!
//! One block per package, blocks separated by blank lines, each line `X:value` with a
//! one-letter key (apk-tools `apk_db_index_read`): `P` name, `V` version, `A` architecture,
//! `L` license, `o` origin (the source package, the aport), `C` package checksum, `D`
//! dependencies, `p` provides, and the file list: `F` (a directory) and `R` (a file in it),
//! handed to [`super::owners`] as [`crate::PackageFiles`]; the rest (`Z`, `a`, `M` …) is
//! skipped.
//!
//! Components: `pkg:apk/alpine/<name>@<version>?arch=<arch>`, ecosystem `Alpine` (the
//! post-walk step [`super::distro::attach_distros`] turns `alpine` into `wolfi` or
//! `chainguard` from os-release), source package = origin with the package's version (an
//! aport builds all its subpackages at one version). The `C:` checksum (`Q1` + base64 of a
//! SHA-1, `Q2` + base64 of a SHA-256) is apk's identity of the package — the digest of its
//! control segment, as the repository index lists it — reported as the component's hash.
//!
//! Edges: each `D:` entry (`name`, `name>=1.2`, `so:libc.musl-x86_64.so.1`, `cmd:sh`,
//! `/bin/sh`; `!name` conflicts are not dependencies) is resolved to the installed package
//! of that name, else to the first installed package whose `p:` provides it.

use crate::detect::{Detector, FileInfo, Output};
use base64::Engine;
use mamori_model::purl::Purl;
use mamori_model::{Component, Hash, SourcePackage};
use std::collections::{BTreeMap, HashMap};

/// The apk installed-database detector (`sbom.apk`).
pub struct ApkDetector;

const DETECTOR: &str = "sbom.apk";
const MAX_WARNINGS: usize = 10;

/// One installed package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApkPackage {
    /// `P`.
    pub name: String,
    /// `V`.
    pub version: String,
    /// `A`.
    pub arch: String,
    /// `L`.
    pub license: Option<String>,
    /// `o`.
    pub origin: Option<String>,
    /// `C`, decoded: (CycloneDX algorithm name, lowercase hex).
    pub checksum: Option<(&'static str, String)>,
    /// `D`: names depended on (version constraints removed, conflicts dropped).
    pub depends: Vec<String>,
    /// `p`: names provided (versions removed).
    pub provides: Vec<String>,
    /// 1-based line of `P`.
    pub line: u32,
    /// The files the package installed, one path a line relative to the root: each `R:`
    /// joined to the `F:` directory before it.
    pub files: String,
}

/// Whether `path` is an apk installed database.
pub fn is_apk_db(path: &str, name: &str) -> bool {
    name == "installed"
        && (path == "lib/apk/db/installed" || path.ends_with("/lib/apk/db/installed"))
}

/// Decodes a `C:` value.
pub fn decode_checksum(v: &str) -> Option<(&'static str, String)> {
    let (alg, b64) = if let Some(r) = v.strip_prefix("Q1") {
        ("SHA-1", r)
    } else if let Some(r) = v.strip_prefix("Q2") {
        ("SHA-256", r)
    } else {
        return None;
    };
    let raw = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    let want = if alg == "SHA-1" { 20 } else { 32 };
    (raw.len() == want).then(|| (alg, hex::encode(raw)))
}

/// The name part of a dependency or provides token: `musl>=1.2` → `musl`,
/// `so:libc.musl-x86_64.so.1=1` → `so:libc.musl-x86_64.so.1`.
fn dep_name(tok: &str) -> &str {
    let end = tok.find(['<', '>', '=', '~']).unwrap_or(tok.len());
    tok.get(..end).unwrap_or(tok)
}

/// Parses the database. Problems are returned with the packages; never panics.
pub fn parse_installed(data: &[u8]) -> (Vec<ApkPackage>, Vec<String>) {
    let mut pkgs = Vec::new();
    let mut problems = Vec::new();
    let mut cur: Option<ApkPackage> = None;
    let mut start = 0u32;
    let mut line_no = 0u32;
    // The directory of the `R:` lines that follow (`F:`).
    let mut dir = String::new();
    let mut finish = |p: Option<ApkPackage>, start: u32, problems: &mut Vec<String>| {
        let Some(p) = p else { return };
        if p.name.is_empty() {
            problems.push(format!("package block at line {start} has no P: (name)"));
        } else if p.version.is_empty() {
            problems.push(format!(
                "package {:?} (line {}) has no V: (version)",
                p.name, p.line
            ));
        } else {
            pkgs.push(p);
        }
    };
    for raw in data.split(|&b| b == b'\n') {
        line_no = line_no.saturating_add(1);
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() {
            finish(cur.take(), start, &mut problems);
            continue;
        }
        let p = cur.get_or_insert_with(|| {
            start = line_no;
            dir.clear();
            ApkPackage::default()
        });
        let (Some(&key), Some(b':')) = (line.first(), line.get(1).copied()) else {
            problems.push(format!(
                "line {line_no}: not a `X:value` line: {:?}",
                String::from_utf8_lossy(&line[..line.len().min(60)])
            ));
            continue;
        };
        let value = || String::from_utf8_lossy(line.get(2..).unwrap_or_default()).into_owned();
        match key {
            b'P' => {
                p.name = value();
                p.line = line_no;
            }
            b'V' => p.version = value(),
            b'A' => p.arch = value(),
            b'L' => p.license = Some(value()).filter(|s| !s.is_empty()),
            b'o' => p.origin = Some(value()).filter(|s| !s.is_empty()),
            b'C' => {
                let v = value();
                match decode_checksum(&v) {
                    Some(c) => p.checksum = Some(c),
                    None => problems.push(format!("line {line_no}: unreadable checksum {v:?}")),
                }
            }
            b'D' => {
                p.depends = value()
                    .split_ascii_whitespace()
                    .filter(|t| !t.starts_with('!'))
                    .map(|t| dep_name(t).to_string())
                    .filter(|t| !t.is_empty())
                    .collect()
            }
            b'p' => {
                p.provides = value()
                    .split_ascii_whitespace()
                    .map(|t| dep_name(t).to_string())
                    .filter(|t| !t.is_empty())
                    .collect()
            }
            b'F' => dir = value(),
            b'R' => {
                if !dir.is_empty() {
                    p.files.push_str(&dir);
                    p.files.push('/');
                }
                p.files
                    .push_str(&String::from_utf8_lossy(line.get(2..).unwrap_or_default()));
                p.files.push('\n');
            }
            _ => {}
        }
    }
    finish(cur.take(), start, &mut problems);
    (pkgs, problems)
}

/// The purl the detector writes (namespace `alpine` until os-release says otherwise).
pub fn package_purl(p: &ApkPackage) -> Result<Purl, mamori_model::purl::PurlError> {
    let mut q = BTreeMap::new();
    if !p.arch.is_empty() {
        q.insert("arch".to_string(), p.arch.clone());
    }
    Purl::new("apk", Some("alpine"), &p.name, Some(&p.version), q, None)
}

/// Components with edges.
pub fn components(pkgs: &[ApkPackage]) -> (Vec<(Component, u32)>, Vec<String>) {
    let mut problems = Vec::new();
    let mut purls = Vec::with_capacity(pkgs.len());
    for p in pkgs {
        match package_purl(p) {
            Ok(u) => purls.push(Some(u.to_string())),
            Err(e) => {
                problems.push(format!("package {:?} (line {}): {e}", p.name, p.line));
                purls.push(None);
            }
        }
    }
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut by_provides: HashMap<&str, usize> = HashMap::new();
    for (i, p) in pkgs.iter().enumerate() {
        if purls.get(i).is_some_and(Option::is_some) {
            by_name.entry(&p.name).or_insert(i);
            for v in &p.provides {
                by_provides.entry(v).or_insert(i);
            }
        }
    }
    let mut out = Vec::with_capacity(pkgs.len());
    for (i, p) in pkgs.iter().enumerate() {
        let Some(Some(purl)) = purls.get(i) else {
            continue;
        };
        let mut deps: Vec<String> = Vec::new();
        for d in &p.depends {
            let hit = by_name
                .get(d.as_str())
                .or_else(|| by_provides.get(d.as_str()));
            if let Some(&j) = hit {
                if let (true, Some(Some(u))) = (j != i, purls.get(j)) {
                    if !deps.contains(u) {
                        deps.push(u.clone());
                    }
                }
            }
        }
        let mut c = Component::new(purl.clone(), &p.name, Some(p.version.clone()), "Alpine");
        c.source = Some(SourcePackage {
            name: p.origin.clone().unwrap_or_else(|| p.name.clone()),
            version: p.version.clone(),
        });
        c.license = p.license.clone();
        if let Some((alg, hex)) = &p.checksum {
            c.hashes.push(Hash {
                alg: alg.to_string(),
                value: hex.clone(),
            });
        }
        c.dependencies = deps;
        out.push((c, p.line));
    }
    (out, problems)
}

impl Detector for ApkDetector {
    fn name(&self) -> &'static str {
        DETECTOR
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        is_apk_db(file.path, file.name)
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let (pkgs, mut problems) = parse_installed(data);
        let (comps, more) = components(&pkgs);
        problems.extend(more);
        for p in problems.iter().take(MAX_WARNINGS) {
            out.warn(file, format!("apk database: {p}"));
        }
        if problems.len() > MAX_WARNINGS {
            out.warn(
                file,
                format!(
                    "apk database: {} more problems not shown",
                    problems.len() - MAX_WARNINGS
                ),
            );
        }
        for (c, line) in comps {
            let context = format!("{} {}", c.name, c.version.as_deref().unwrap_or_default());
            out.component(c, file.at_line(line), DETECTOR, Some(context));
        }
        // Merged-/usr Alpine keeps the database under usr/lib.
        let root = ["usr/lib/apk/db/installed", "lib/apk/db/installed"]
            .iter()
            .find_map(|s| super::owners::root_before(file.path, s));
        if let Some(root) = root {
            for p in pkgs {
                super::owners::push_list(out, file, root, p.name, None, &p.files);
            }
        }
    }

    fn max_size(&self) -> u64 {
        128 << 20
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum() {
        // musl's C: line in the apk fixture; hex from `base64 -d | xxd -p`.
        assert_eq!(
            decode_checksum("Q1CpjMpFo3UY/Tn4CshBpA+PXMf04="),
            Some((
                "SHA-1",
                "0a98cca45a37518fd39f80ac841a40f8f5cc7f4e".to_string()
            ))
        );
        assert_eq!(decode_checksum("Q1short"), None);
        assert_eq!(decode_checksum("abc"), None);
    }

    #[test]
    fn deps_and_provides() {
        let db = b"P:a\nV:1-r0\nA:x86_64\nD:b>=2 so:libz.so.1 !c /bin/sh missing\n\nP:b\nV:2-r0\nA:x86_64\np:so:libz.so.1=1.3 /bin/sh\n";
        let (pkgs, probs) = parse_installed(db);
        assert!(probs.is_empty());
        assert_eq!(pkgs[0].depends, ["b", "so:libz.so.1", "/bin/sh", "missing"]);
        let (comps, _) = components(&pkgs);
        assert_eq!(
            comps[0].0.dependencies,
            ["pkg:apk/alpine/b@2-r0?arch=x86_64"]
        );
    }

    #[test]
    fn broken() {
        let (pkgs, probs) = parse_installed(b"V:1\n\nP:x\n\nnot a line\nP:y\nV:1\nC:Q1zz\n");
        assert_eq!(pkgs.len(), 1);
        assert_eq!(probs.len(), 4, "{probs:?}");
    }
}
