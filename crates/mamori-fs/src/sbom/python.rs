//! Python components: pip requirements files, the lockfiles of Poetry (v1 and v2 formats),
//! Pipenv, uv and PDM, and installed distributions (`*.dist-info/METADATA`,
//! `*.egg-info/PKG-INFO`, single-file `*.egg-info`).
//!
//! Every component is a `pkg:pypi/<PEP 503 name>@<version>` purl in the `PyPI` ecosystem;
//! [`Component::name`] keeps the name as the file declares it.
//!
//! - requirements files: only pinned lines (`name==1.0`, `name===1.0`, with extras and
//!   environment markers) are components, all direct; `--hash=` options become hashes;
//!   `-r`/`-c`/`-e` and other option lines, URL requirements and unpinned lines are skipped
//!   without a warning (they name no exact version).
//! - Poetry: `category = "dev"` (v1) or `groups` without `main` (v2) is dev; hashes from the
//!   package's `files` (v2) or `[metadata.files]` (v1); `[package.dependencies]` are edges.
//! - Pipfile.lock: `develop` entries are dev; when only some entries carry `index`, those
//!   are the ones the Pipfile names (direct).
//! - uv.lock: the project (`source = { editable | virtual }`) is not a component; its
//!   dependencies, optional dependencies and dev groups are the direct ones; what is
//!   reachable only through dev groups is dev.
//! - pdm.lock: `groups` without `default` is dev; the `extras` variants of a package are
//!   the same component and are skipped.
//! - Installed distributions: `License-Expression`, else a `License` that is one short line,
//!   else the license classifiers when each names one SPDX license; `Requires-Dist`
//!   without an `extra` marker becomes an edge when the required distribution is installed
//!   in the same directory (read through [`crate::ReadOther`], so only on disk).

use crate::detect::{Detector, FileInfo, Output};
use mamori_model::ecosystem::pep503;
use mamori_model::purl::Purl;
use mamori_model::{Component, Hash};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// Detector name of requirements files.
pub const REQUIREMENTS: &str = "sbom.requirements";
/// Detector name of poetry.lock.
pub const POETRY: &str = "sbom.poetry-lock";
/// Detector name of Pipfile.lock.
pub const PIPENV: &str = "sbom.pipfile-lock";
/// Detector name of uv.lock.
pub const UV: &str = "sbom.uv-lock";
/// Detector name of pdm.lock.
pub const PDM: &str = "sbom.pdm-lock";
/// Detector name of installed distributions.
pub const INSTALLED: &str = "sbom.python-dist";

/// The OSV ecosystem of every component found here.
pub const ECOSYSTEM: &str = "PyPI";

/// Name → version of the distributions installed in one directory.
type SiteIndex = Arc<HashMap<String, String>>;

/// Finds Python components in requirements files, lockfiles and installed distributions.
#[derive(Default)]
pub struct PythonDetector {
    /// Installed distributions per site-packages directory, read once per scan.
    sites: Mutex<HashMap<String, SiteIndex>>,
}

/// Which Python format a file is, judging by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `requirements*.txt`, or any `.txt` in a `requirements/` directory.
    Requirements,
    /// `poetry.lock`.
    Poetry,
    /// `Pipfile.lock`.
    Pipenv,
    /// `uv.lock`.
    Uv,
    /// `pdm.lock`.
    Pdm,
    /// `METADATA` of a `.dist-info` directory.
    DistInfo,
    /// `PKG-INFO` of an `.egg-info` directory, or an `.egg-info` file.
    EggInfo,
}

/// The format of the file at `path` named `name`, if it is one this module reads.
pub fn format_of(path: &str, name: &str) -> Option<Format> {
    let parent = path
        .strip_suffix(name)
        .map(|p| p.trim_end_matches('/'))
        .and_then(|p| p.rsplit('/').next())
        .unwrap_or("");
    Some(match name {
        "poetry.lock" => Format::Poetry,
        "Pipfile.lock" => Format::Pipenv,
        "uv.lock" => Format::Uv,
        "pdm.lock" => Format::Pdm,
        "METADATA" if parent.ends_with(".dist-info") => Format::DistInfo,
        "PKG-INFO" if parent.ends_with(".egg-info") => Format::EggInfo,
        _ if name.ends_with(".egg-info") => Format::EggInfo,
        _ if name.ends_with(".txt")
            && (name.starts_with("requirements") || parent == "requirements") =>
        {
            Format::Requirements
        }
        _ => return None,
    })
}

/// The purl of a PyPI package (`None` when the name is empty or not a valid purl name).
pub fn purl(name: &str, version: Option<&str>) -> Option<String> {
    let n = pep503(name);
    if n.is_empty() {
        return None;
    }
    Purl::new("pypi", None, &n, version, BTreeMap::new(), None)
        .ok()
        .map(|p| p.to_string())
}

fn component(name: &str, version: Option<&str>) -> Option<Component> {
    let p = purl(name, version)?;
    Some(Component::new(
        p,
        name.trim(),
        version.map(str::to_string),
        ECOSYSTEM,
    ))
}

/// `sha256:…` (pip, Poetry, uv, PDM) as a [`Hash`]; `None` for an unknown algorithm or a
/// value that is not hex.
pub fn parse_hash(s: &str) -> Option<Hash> {
    let (alg, value) = s.trim().split_once(':')?;
    let alg = match alg.to_ascii_lowercase().as_str() {
        "sha256" => "SHA-256",
        "sha384" => "SHA-384",
        "sha512" => "SHA-512",
        "sha1" => "SHA-1",
        "md5" => "MD5",
        _ => return None,
    };
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(Hash {
        alg: alg.to_string(),
        value: value.to_ascii_lowercase(),
    })
}

fn push_hash(c: &mut Component, h: Option<Hash>) {
    if let Some(h) = h {
        if !c.hashes.contains(&h) {
            c.hashes.push(h);
        }
    }
}

/// The leading distribution name of a requirement string (`requests[socks]>=2; …`).
fn requirement_name(s: &str) -> &str {
    let s = s.trim_start();
    let end = s
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .unwrap_or(s.len());
    &s[..end]
}

impl Detector for PythonDetector {
    fn name(&self) -> &'static str {
        "sbom.python"
    }

    fn wants(&self, file: &FileInfo<'_>, head: &[u8]) -> bool {
        match format_of(file.path, file.name) {
            // A single-file .egg-info starts with its metadata; a directory's PKG-INFO too.
            Some(Format::EggInfo) => {
                head.starts_with(b"Metadata-Version:") || head.starts_with(b"Name:")
            }
            Some(_) => true,
            None => false,
        }
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        format_of(file.path, file.name).is_some()
    }

    fn max_size(&self) -> u64 {
        64 << 20
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let Some(format) = format_of(file.path, file.name) else {
            return;
        };
        let text = match std::str::from_utf8(data) {
            Ok(t) => t,
            Err(e) => {
                out.warn(file, format!("not UTF-8 text: {e}"));
                return;
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        match format {
            Format::Requirements => requirements(file, text, out),
            Format::Poetry => poetry(file, text, out),
            Format::Pipenv => pipenv(file, text, out),
            Format::Uv => uv(file, text, out),
            Format::Pdm => pdm(file, text, out),
            Format::DistInfo | Format::EggInfo => self.installed(file, text, out),
        }
    }
}

// ------------------------------------------------------------------------------------------
// requirements.txt

/// One pinned requirement line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pinned {
    /// The name as written.
    pub name: String,
    /// Extras (`[socks]`).
    pub extras: Vec<String>,
    /// The pinned version.
    pub version: String,
    /// The environment marker, if any.
    pub marker: Option<String>,
    /// `--hash=` values as written (`sha256:…`).
    pub hashes: Vec<String>,
    /// 1-based line where the requirement starts.
    pub line: u32,
}

/// The pinned requirements of a requirements file. Unpinned lines, option lines (`-r`,
/// `-c`, `-e`, `--index-url` …) and URL requirements are skipped.
pub fn parse_requirements(text: &str) -> Vec<Pinned> {
    let mut out = Vec::new();
    let mut logical = String::new();
    let mut start = 0u32;
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if logical.is_empty() {
            start = n;
        }
        let line = raw.trim_end_matches('\r');
        // A comment starts at '#' at the line start or after whitespace.
        let line = match comment_start(line) {
            Some(at) => &line[..at],
            None => line,
        };
        if let Some(cont) = line.strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        if let Some(p) = pinned_line(&logical, start) {
            out.push(p);
        }
        logical.clear();
    }
    if !logical.is_empty() {
        if let Some(p) = pinned_line(&logical, start) {
            out.push(p);
        }
    }
    out
}

fn comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    b.iter()
        .enumerate()
        .find(|&(i, &c)| c == b'#' && (i == 0 || b.get(i - 1).is_some_and(u8::is_ascii_whitespace)))
        .map(|(i, _)| i)
}

fn pinned_line(line: &str, start: u32) -> Option<Pinned> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('-') {
        return None;
    }
    // Options after the requirement: `--hash=sha256:…` (or `--hash sha256:…`).
    let (req, opts) = match line.find(" --").or_else(|| line.find("\t--")) {
        Some(at) => (&line[..at], &line[at..]),
        None => (line, ""),
    };
    let mut hashes = Vec::new();
    let mut words = opts.split_whitespace();
    while let Some(w) = words.next() {
        if let Some(h) = w.strip_prefix("--hash=") {
            hashes.push(h.to_string());
        } else if w == "--hash" {
            if let Some(h) = words.next() {
                hashes.push(h.to_string());
            }
        }
    }
    let (spec, marker) = match req.split_once(';') {
        Some((s, m)) => (
            s.trim(),
            Some(m.trim().to_string()).filter(|m| !m.is_empty()),
        ),
        None => (req.trim(), None),
    };
    if spec.contains('@') || spec.contains("://") {
        return None; // a direct reference (URL or path): no version.
    }
    let name = requirement_name(spec);
    if name.is_empty() {
        return None;
    }
    let rest = spec[name.len()..].trim_start();
    let (extras, rest) = match rest.strip_prefix('[') {
        Some(r) => {
            let (inside, after) = r.split_once(']')?;
            let extras = inside
                .split(',')
                .map(|e| e.trim().to_string())
                .filter(|e| !e.is_empty())
                .collect();
            (extras, after.trim_start())
        }
        None => (Vec::new(), rest),
    };
    // Exactly one clause, `==V` or `===V` (PEP 440 allows spaces and parentheses).
    let rest = rest.trim();
    let rest = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or(rest)
        .trim();
    if rest.contains(',') {
        return None;
    }
    let version = rest
        .strip_prefix("===")
        .or_else(|| rest.strip_prefix("=="))?
        .trim();
    if version.is_empty() || version.contains('*') || version.contains(char::is_whitespace) {
        return None;
    }
    Some(Pinned {
        name: name.to_string(),
        extras,
        version: version.to_string(),
        marker,
        hashes,
        line: start,
    })
}

fn requirements(file: &FileInfo<'_>, text: &str, out: &mut Output) {
    for p in parse_requirements(text) {
        let Some(mut c) = component(&p.name, Some(&p.version)) else {
            continue;
        };
        c.direct = Some(true);
        for h in &p.hashes {
            push_hash(&mut c, parse_hash(h));
        }
        let mut ctx = p.name.clone();
        if !p.extras.is_empty() {
            ctx.push_str(&format!("[{}]", p.extras.join(",")));
        }
        ctx.push_str(&format!("=={}", p.version));
        if let Some(m) = &p.marker {
            ctx.push_str(&format!("; {m}"));
        }
        out.component(c, file.at_line(p.line), REQUIREMENTS, Some(ctx));
    }
}

// ------------------------------------------------------------------------------------------
// Lockfiles shared helpers

/// Components of one lockfile keyed by normalized name, for resolving edges by name.
struct ByName {
    map: HashMap<String, Vec<usize>>,
}

impl ByName {
    fn new<'a>(names: impl Iterator<Item = &'a str>) -> ByName {
        let mut map: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, n) in names.enumerate() {
            map.entry(pep503(n)).or_default().push(i);
        }
        ByName { map }
    }
    fn get(&self, name: &str) -> &[usize] {
        self.map
            .get(&pep503(name))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

fn toml_error(file: &FileInfo<'_>, out: &mut Output, what: &str, e: toml::de::Error) {
    let msg = e.message().to_string();
    out.warn(file, format!("malformed {what}: {msg}"));
}

// ------------------------------------------------------------------------------------------
// poetry.lock

#[derive(Deserialize)]
struct PoetryLock {
    #[serde(default)]
    package: Vec<PoetryPackage>,
    #[serde(default)]
    metadata: Option<PoetryMetadata>,
}

#[derive(Deserialize)]
struct PoetryMetadata {
    #[serde(default)]
    files: BTreeMap<String, Vec<FileHash>>,
}

#[derive(Deserialize)]
struct PoetryPackage {
    name: String,
    version: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    groups: Option<Vec<String>>,
    #[serde(default)]
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(default)]
    files: Vec<FileHash>,
    #[serde(default)]
    source: Option<PoetrySource>,
}

#[derive(Deserialize)]
struct PoetrySource {
    #[serde(rename = "type", default)]
    ty: String,
    #[serde(default)]
    url: String,
}

#[derive(Deserialize)]
struct FileHash {
    #[serde(default)]
    hash: String,
}

fn poetry(file: &FileInfo<'_>, text: &str, out: &mut Output) {
    let lock: PoetryLock = match toml::from_str(text) {
        Ok(l) => l,
        Err(e) => return toml_error(file, out, "poetry.lock", e),
    };
    let idx = ByName::new(lock.package.iter().map(|p| p.name.as_str()));
    let purls: Vec<Option<String>> = lock
        .package
        .iter()
        .map(|p| purl(&p.name, Some(&p.version)))
        .collect();
    let v1_files = lock.metadata.map(|m| m.files).unwrap_or_default();
    for (i, p) in lock.package.iter().enumerate() {
        let Some(mut c) = component(&p.name, Some(&p.version)) else {
            out.warn(file, format!("package {:?} has no valid name", p.name));
            continue;
        };
        c.dev = match (&p.groups, &p.category) {
            (Some(g), _) => !g.is_empty() && !g.iter().any(|g| g == "main"),
            (None, Some(cat)) => cat == "dev",
            (None, None) => false,
        };
        let files = if p.files.is_empty() {
            v1_files
                .iter()
                .find(|(k, _)| pep503(k) == pep503(&p.name))
                .map(|(_, v)| v.as_slice())
                .unwrap_or(&[])
        } else {
            p.files.as_slice()
        };
        for f in files {
            push_hash(&mut c, parse_hash(&f.hash));
        }
        for dep in p.dependencies.keys() {
            for &j in idx.get(dep) {
                if let Some(Some(d)) = purls.get(j) {
                    if j != i && !c.dependencies.contains(d) {
                        c.dependencies.push(d.clone());
                    }
                }
            }
        }
        let mut ctx = format!("{} {}", p.name, p.version);
        if let Some(s) = &p.source {
            if !s.ty.is_empty() && s.ty != "legacy" {
                ctx.push_str(&format!(" (source {} {})", s.ty, s.url));
            }
        }
        out.component(c, file.location(), POETRY, Some(ctx));
    }
}

// ------------------------------------------------------------------------------------------
// Pipfile.lock

#[derive(Deserialize)]
struct PipfileLock {
    #[serde(default)]
    default: BTreeMap<String, PipfileEntry>,
    #[serde(default)]
    develop: BTreeMap<String, PipfileEntry>,
}

#[derive(Deserialize)]
struct PipfileEntry {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    hashes: Vec<String>,
    #[serde(default)]
    index: Option<String>,
    #[serde(default)]
    markers: Option<String>,
}

fn pipenv(file: &FileInfo<'_>, text: &str, out: &mut Output) {
    let lock: PipfileLock = match serde_json::from_str(text) {
        Ok(l) => l,
        Err(e) => {
            out.warn(file, format!("malformed Pipfile.lock: {e}"));
            return;
        }
    };
    // `index` marks the packages the Pipfile names, when the lock marks only some.
    let all = lock.default.values().chain(lock.develop.values());
    let (with, total) = all.fold((0usize, 0usize), |(w, t), e| {
        (w + usize::from(e.index.is_some()), t + 1)
    });
    let index_says = with > 0 && with < total;
    for (dev, section) in [(false, &lock.default), (true, &lock.develop)] {
        for (name, e) in section {
            let version = e
                .version
                .as_deref()
                .map(|v| v.trim().trim_start_matches("===").trim_start_matches("=="));
            let Some(mut c) = component(name, version) else {
                out.warn(file, format!("package {name:?} has no valid name"));
                continue;
            };
            c.dev = dev;
            if index_says {
                c.direct = Some(e.index.is_some());
            }
            for h in &e.hashes {
                push_hash(&mut c, parse_hash(h));
            }
            let mut ctx = format!(
                "{} {name} {}",
                if dev { "develop" } else { "default" },
                e.version.as_deref().unwrap_or("(no version)")
            );
            if let Some(m) = &e.markers {
                ctx.push_str(&format!("; {m}"));
            }
            out.component(c, file.location(), PIPENV, Some(ctx));
        }
    }
}

// ------------------------------------------------------------------------------------------
// uv.lock

#[derive(Deserialize)]
struct UvLock {
    #[serde(default)]
    package: Vec<UvPackage>,
}

#[derive(Deserialize)]
struct UvPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    source: BTreeMap<String, toml::Value>,
    #[serde(default)]
    dependencies: Vec<UvDep>,
    #[serde(default, rename = "optional-dependencies")]
    optional: BTreeMap<String, Vec<UvDep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev: BTreeMap<String, Vec<UvDep>>,
    #[serde(default)]
    sdist: Option<UvArtifact>,
    #[serde(default)]
    wheels: Vec<UvArtifact>,
}

#[derive(Deserialize)]
struct UvDep {
    name: String,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize)]
struct UvArtifact {
    #[serde(default)]
    hash: Option<String>,
}

impl UvPackage {
    fn is_project(&self) -> bool {
        self.source.contains_key("editable") || self.source.contains_key("virtual")
    }
}

fn uv(file: &FileInfo<'_>, text: &str, out: &mut Output) {
    let lock: UvLock = match toml::from_str(text) {
        Ok(l) => l,
        Err(e) => return toml_error(file, out, "uv.lock", e),
    };
    let pk = &lock.package;
    let idx = ByName::new(pk.iter().map(|p| p.name.as_str()));
    let resolve = |d: &UvDep| -> Vec<usize> {
        let cands = idx.get(&d.name);
        match &d.version {
            Some(v) => cands
                .iter()
                .copied()
                .filter(|&j| pk.get(j).and_then(|p| p.version.as_deref()) == Some(v))
                .collect(),
            None => cands.first().copied().into_iter().collect(),
        }
    };
    // Direct and dev: what the project(s) name, and what is reachable from there.
    let n = pk.len();
    let mut direct = vec![false; n];
    let mut prod_roots = Vec::new();
    let mut dev_roots = Vec::new();
    for p in pk.iter().filter(|p| p.is_project()) {
        for d in p.dependencies.iter().chain(p.optional.values().flatten()) {
            prod_roots.extend(resolve(d));
        }
        for d in p.dev.values().flatten() {
            dev_roots.extend(resolve(d));
        }
    }
    for &j in prod_roots.iter().chain(dev_roots.iter()) {
        if let Some(x) = direct.get_mut(j) {
            *x = true;
        }
    }
    let reach = |roots: &[usize]| -> Vec<bool> {
        let mut seen = vec![false; n];
        let mut stack: Vec<usize> = roots.to_vec();
        while let Some(j) = stack.pop() {
            match seen.get_mut(j) {
                Some(s) if !*s => *s = true,
                _ => continue,
            }
            if let Some(p) = pk.get(j) {
                for d in p.dependencies.iter().chain(p.optional.values().flatten()) {
                    stack.extend(resolve(d));
                }
            }
        }
        seen
    };
    let prod = reach(&prod_roots);
    let dev = reach(&dev_roots);
    let has_project = pk.iter().any(UvPackage::is_project);
    let purls: Vec<Option<String>> = pk
        .iter()
        .map(|p| purl(&p.name, p.version.as_deref()))
        .collect();
    for (i, p) in pk.iter().enumerate() {
        if p.is_project() {
            continue;
        }
        let Some(mut c) = component(&p.name, p.version.as_deref()) else {
            out.warn(file, format!("package {:?} has no valid name", p.name));
            continue;
        };
        if has_project {
            c.direct = Some(direct.get(i).copied().unwrap_or(false));
            c.dev = dev.get(i).copied().unwrap_or(false) && !prod.get(i).copied().unwrap_or(false);
        }
        for a in p.sdist.iter().chain(p.wheels.iter()) {
            if let Some(h) = &a.hash {
                push_hash(&mut c, parse_hash(h));
            }
        }
        for d in p.dependencies.iter().chain(p.optional.values().flatten()) {
            for j in resolve(d) {
                if let Some(Some(dp)) = purls.get(j) {
                    if j != i && !c.dependencies.contains(dp) {
                        c.dependencies.push(dp.clone());
                    }
                }
            }
        }
        let src = p
            .source
            .iter()
            .next()
            .map(|(k, v)| format!(" ({k} {})", v.as_str().unwrap_or("")))
            .unwrap_or_default();
        let ctx = format!(
            "{} {}{src}",
            p.name,
            p.version.as_deref().unwrap_or("(no version)")
        );
        out.component(c, file.location(), UV, Some(ctx));
    }
}

// ------------------------------------------------------------------------------------------
// pdm.lock

#[derive(Deserialize)]
struct PdmLock {
    #[serde(default)]
    package: Vec<PdmPackage>,
}

#[derive(Deserialize)]
struct PdmPackage {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    groups: Option<Vec<String>>,
    #[serde(default)]
    extras: Vec<String>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    files: Vec<FileHash>,
    #[serde(default)]
    marker: Option<String>,
}

fn pdm(file: &FileInfo<'_>, text: &str, out: &mut Output) {
    let lock: PdmLock = match toml::from_str(text) {
        Ok(l) => l,
        Err(e) => return toml_error(file, out, "pdm.lock", e),
    };
    // The `extras` variants repeat a package; edges point at the plain entry.
    let plain: Vec<&PdmPackage> = lock
        .package
        .iter()
        .filter(|p| p.extras.is_empty())
        .collect();
    let idx = ByName::new(plain.iter().map(|p| p.name.as_str()));
    let purls: Vec<Option<String>> = plain
        .iter()
        .map(|p| purl(&p.name, p.version.as_deref()))
        .collect();
    for (i, p) in plain.iter().enumerate() {
        let Some(mut c) = component(&p.name, p.version.as_deref()) else {
            out.warn(file, format!("package {:?} has no valid name", p.name));
            continue;
        };
        if let Some(g) = &p.groups {
            c.dev = !g.is_empty() && !g.iter().any(|g| g == "default");
        }
        for f in &p.files {
            push_hash(&mut c, parse_hash(&f.hash));
        }
        for dep in &p.dependencies {
            for &j in idx.get(requirement_name(dep)) {
                if let Some(Some(d)) = purls.get(j) {
                    if j != i && !c.dependencies.contains(d) {
                        c.dependencies.push(d.clone());
                    }
                }
            }
        }
        let mut ctx = format!(
            "{} {}",
            p.name,
            p.version.as_deref().unwrap_or("(no version)")
        );
        if let Some(m) = &p.marker {
            ctx.push_str(&format!("; {m}"));
        }
        out.component(c, file.location(), PDM, Some(ctx));
    }
}

// ------------------------------------------------------------------------------------------
// Installed distributions

/// What the core metadata of an installed distribution says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// `Name`.
    pub name: Option<String>,
    /// `Version`.
    pub version: Option<String>,
    /// `License-Expression`.
    pub license_expression: Option<String>,
    /// `License` (continuation lines joined with newlines).
    pub license: Option<String>,
    /// `Classifier: License :: …` values.
    pub license_classifiers: Vec<String>,
    /// `Requires-Dist` values.
    pub requires_dist: Vec<String>,
}

/// Parse core metadata (RFC 822 style headers; the body after the first blank line is the
/// description and is ignored).
pub fn parse_metadata(text: &str) -> Metadata {
    let mut m = Metadata::default();
    let mut last: Option<&'static str> = None;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            if last == Some("License") {
                if let Some(l) = &mut m.license {
                    l.push('\n');
                    l.push_str(line.trim());
                }
            }
            continue;
        }
        let Some((k, v)) = line.split_once(':') else {
            last = None;
            continue;
        };
        let v = v.trim();
        last = None;
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => m.name = Some(v.to_string()),
            "version" => m.version = Some(v.to_string()),
            "license-expression" => m.license_expression = Some(v.to_string()),
            "license" => {
                m.license = Some(v.to_string());
                last = Some("License");
            }
            "classifier" => {
                if let Some(l) = v.strip_prefix("License ::") {
                    m.license_classifiers.push(l.trim().to_string());
                }
            }
            "requires-dist" => m.requires_dist.push(v.to_string()),
            _ => {}
        }
    }
    m
}

/// The SPDX id a trove license classifier (after `License :: `) names, when it names
/// exactly one.
pub fn classifier_spdx(classifier: &str) -> Option<&'static str> {
    let c = classifier
        .strip_prefix("OSI Approved ::")
        .unwrap_or(classifier)
        .trim();
    Some(match c {
        "MIT License" => "MIT",
        "MIT No Attribution License (MIT-0)" => "MIT-0",
        "ISC License (ISCL)" => "ISC",
        "Mozilla Public License 2.0 (MPL 2.0)" => "MPL-2.0",
        "Mozilla Public License 1.1 (MPL 1.1)" => "MPL-1.1",
        "Mozilla Public License 1.0 (MPL)" => "MPL-1.0",
        "GNU General Public License v2 (GPLv2)" => "GPL-2.0-only",
        "GNU General Public License v2 or later (GPLv2+)" => "GPL-2.0-or-later",
        "GNU General Public License v3 (GPLv3)" => "GPL-3.0-only",
        "GNU General Public License v3 or later (GPLv3+)" => "GPL-3.0-or-later",
        "GNU Lesser General Public License v2 (LGPLv2)" => "LGPL-2.0-only",
        "GNU Lesser General Public License v2 or later (LGPLv2+)" => "LGPL-2.0-or-later",
        "GNU Lesser General Public License v3 (LGPLv3)" => "LGPL-3.0-only",
        "GNU Lesser General Public License v3 or later (LGPLv3+)" => "LGPL-3.0-or-later",
        "GNU Affero General Public License v3" => "AGPL-3.0-only",
        "GNU Affero General Public License v3 or later (AGPLv3+)" => "AGPL-3.0-or-later",
        "Python Software Foundation License" => "PSF-2.0",
        "The Unlicense (Unlicense)" => "Unlicense",
        "Boost Software License 1.0 (BSL-1.0)" => "BSL-1.0",
        "Eclipse Public License 1.0 (EPL-1.0)" => "EPL-1.0",
        "Eclipse Public License 2.0 (EPL-2.0)" => "EPL-2.0",
        "European Union Public Licence 1.1 (EUPL 1.1)" => "EUPL-1.1",
        "European Union Public Licence 1.2 (EUPL 1.2)" => "EUPL-1.2",
        "Universal Permissive License (UPL)" => "UPL-1.0",
        "Historical Permission Notice and Disclaimer (HPND)" => "HPND",
        "Apache Software License 2.0 (Apache-2.0)" => "Apache-2.0",
        "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication" => "CC0-1.0",
        _ => return None,
    })
}

/// Whether `s` reads as an SPDX license expression: ids (letters, digits, `.`, `-`, `+`)
/// joined by `AND`, `OR`, `WITH`, with optional parentheses.
pub fn looks_spdx(s: &str) -> bool {
    if s.is_empty() || s.len() > 200 || s.contains('\n') {
        return false;
    }
    let spaced = s.replace('(', " ( ").replace(')', " ) ");
    let mut want_id = true;
    let mut depth = 0i32;
    for t in spaced.split_whitespace() {
        match t {
            "(" if want_id => depth += 1,
            ")" if !want_id => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            "AND" | "OR" | "WITH" if !want_id => want_id = true,
            _ if want_id
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'+')
                && t.bytes().any(|b| b.is_ascii_alphabetic()) =>
            {
                want_id = false
            }
            _ => return false,
        }
    }
    !want_id && depth == 0
}

/// The license a distribution's metadata declares, as SPDX where it can be.
pub fn license_of(m: &Metadata) -> Option<String> {
    if let Some(e) = m.license_expression.as_deref().filter(|e| !e.is_empty()) {
        return Some(e.to_string());
    }
    let declared = m
        .license
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.eq_ignore_ascii_case("UNKNOWN"));
    if let Some(l) = declared.filter(|l| looks_spdx(l)) {
        return Some(l.to_string());
    }
    if !m.license_classifiers.is_empty() {
        let ids: Option<Vec<&str>> = m
            .license_classifiers
            .iter()
            .map(|c| classifier_spdx(c))
            .collect();
        if let Some(mut ids) = ids {
            ids.dedup();
            return Some(ids.join(" OR "));
        }
    }
    // Declared text that is not an SPDX expression: kept when it is one short line.
    declared
        .filter(|l| l.len() <= 100 && !l.contains('\n'))
        .map(str::to_string)
}

/// Name and version from a `name-version.dist-info` / `name-version.egg-info` directory name.
fn dir_name_version(dir: &str) -> Option<(String, String)> {
    let stem = dir
        .strip_suffix(".dist-info")
        .or_else(|| dir.strip_suffix(".egg-info"))?;
    let (name, rest) = stem.split_once('-')?;
    // egg-info names may carry `-pyX.Y` after the version.
    let version = rest.split('-').next().unwrap_or(rest);
    (!name.is_empty() && !version.is_empty()).then(|| (pep503(name), version.to_string()))
}

impl PythonDetector {
    /// Installed name → version in `site` (a site-packages directory), via `file.fs`.
    fn site_index(&self, file: &FileInfo<'_>, site: &str) -> Option<SiteIndex> {
        let fs = file.fs?;
        if let Ok(cache) = self.sites.lock() {
            if let Some(ix) = cache.get(site) {
                return Some(ix.clone());
            }
        }
        let mut map = HashMap::new();
        for pat in ["*.dist-info", "*.egg-info"] {
            for p in fs.glob(&format!("{site}/{pat}")) {
                let base = p.rsplit('/').next().unwrap_or(&p);
                if let Some((n, v)) = dir_name_version(base) {
                    map.entry(n).or_insert(v);
                }
            }
        }
        let ix = Arc::new(map);
        if let Ok(mut cache) = self.sites.lock() {
            // Bounded: a scan meets few site-packages directories; start over past many.
            if cache.len() > 4096 {
                cache.clear();
            }
            cache.insert(site.to_string(), ix.clone());
        }
        Some(ix)
    }

    fn installed(&self, file: &FileInfo<'_>, text: &str, out: &mut Output) {
        let m = parse_metadata(text);
        let (Some(name), Some(version)) = (m.name.as_deref(), m.version.as_deref()) else {
            out.warn(
                file,
                "installed Python distribution metadata without Name or Version",
            );
            return;
        };
        let Some(mut c) = component(name, Some(version)) else {
            out.warn(file, format!("distribution name {name:?} is not valid"));
            return;
        };
        c.license = license_of(&m);
        // The directory holding the .dist-info / .egg-info.
        let meta_dir = if file.name.ends_with(".egg-info") {
            file.path
        } else {
            file.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
        };
        let site = meta_dir.rsplit_once('/').map(|(d, _)| d);
        let index = match (site, m.requires_dist.is_empty()) {
            (Some(s), false) if !s.is_empty() => self.site_index(file, s),
            _ => None,
        };
        if let Some(ix) = index {
            for r in &m.requires_dist {
                let marker = r.split_once(';').map(|(_, m)| m).unwrap_or("");
                if marker.contains("extra") {
                    continue; // optional: only with that extra
                }
                let dep = requirement_name(r);
                if let Some(v) = ix.get(&pep503(dep)) {
                    if let Some(p) = purl(dep, Some(v)) {
                        if !c.dependencies.contains(&p) {
                            c.dependencies.push(p);
                        }
                    }
                }
            }
        }
        let dir = meta_dir.rsplit('/').next().unwrap_or(meta_dir);
        out.component(
            c,
            file.location(),
            INSTALLED,
            Some(format!("installed distribution {dir}: {name} {version}")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pypi_purls_are_normalized() {
        assert_eq!(
            purl("Jinja2", Some("3.1.6")).as_deref(),
            Some("pkg:pypi/jinja2@3.1.6")
        );
        assert_eq!(
            purl("zope.interface", Some("6.0")).as_deref(),
            Some("pkg:pypi/zope-interface@6.0")
        );
        assert_eq!(purl("", Some("1")), None);
    }

    #[test]
    fn requirement_lines() {
        let t = "# top comment\n-r base.txt\n-c constraints.txt\n-e .\n--index-url https://x\n\
                 requests[socks,security] == 2.31.0 ; python_version < \"3.8\" \\\n    --hash=sha256:AB12 \\\n    --hash=sha256:cd34\n\
                 flask>=2\nDjango==4.2.*\nnumpy==1.26.4  # pinned\nfoo @ https://example.com/foo.whl\n\
                 bar===1.0-local\nbaz==1.0,<2\nqux\n";
        let p = parse_requirements(t);
        let names: Vec<(&str, &str, u32)> = p
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.line))
            .collect();
        assert_eq!(
            names,
            vec![
                ("requests", "2.31.0", 6),
                ("numpy", "1.26.4", 11),
                ("bar", "1.0-local", 13)
            ]
        );
        assert_eq!(p[0].extras, vec!["socks", "security"]);
        assert_eq!(p[0].marker.as_deref(), Some("python_version < \"3.8\""));
        assert_eq!(p[0].hashes, vec!["sha256:AB12", "sha256:cd34"]);
        assert_eq!(parse_hash("sha256:AB12").unwrap().value, "ab12");
        assert_eq!(parse_hash("sha256:xyz"), None);
        assert_eq!(parse_hash("crc32:00"), None);
    }

    #[test]
    fn licenses() {
        let m = |lic: Option<&str>, cls: &[&str]| Metadata {
            license: lic.map(str::to_string),
            license_classifiers: cls.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        assert_eq!(license_of(&m(Some("MIT"), &[])).as_deref(), Some("MIT"));
        assert_eq!(
            license_of(&m(None, &["OSI Approved :: MIT License"])).as_deref(),
            Some("MIT")
        );
        assert_eq!(license_of(&m(None, &["OSI Approved :: BSD License"])), None);
        assert_eq!(
            license_of(&m(
                Some("Copyright (c) 2020\nPermission is hereby granted"),
                &["OSI Approved :: MIT License"]
            ))
            .as_deref(),
            Some("MIT")
        );
        assert_eq!(
            license_of(&m(Some("PSF or ZPL"), &[])).as_deref(),
            Some("PSF or ZPL")
        );
        assert!(looks_spdx("(MIT OR Apache-2.0) AND BSD-3-Clause"));
        assert!(looks_spdx("GPL-2.0-or-later WITH Classpath-exception-2.0"));
        assert!(!looks_spdx("Apache 2.0"));
        assert!(!looks_spdx("MIT OR"));
        assert!(!looks_spdx("(MIT"));
    }

    #[test]
    fn formats_by_path() {
        assert_eq!(
            format_of("/a/requirements-dev.txt", "requirements-dev.txt"),
            Some(Format::Requirements)
        );
        assert_eq!(
            format_of("/a/requirements/base.txt", "base.txt"),
            Some(Format::Requirements)
        );
        assert_eq!(format_of("/a/notes.txt", "notes.txt"), None);
        assert_eq!(
            format_of("/s/x-1.dist-info/METADATA", "METADATA"),
            Some(Format::DistInfo)
        );
        assert_eq!(format_of("/s/METADATA", "METADATA"), None);
        assert_eq!(
            format_of("/s/x.egg-info/PKG-INFO", "PKG-INFO"),
            Some(Format::EggInfo)
        );
        assert_eq!(format_of("/sdist/PKG-INFO", "PKG-INFO"), None);
        assert_eq!(
            dir_name_version("charset_normalizer-3.5.3.dist-info"),
            Some(("charset-normalizer".into(), "3.5.3".into()))
        );
        assert_eq!(
            dir_name_version("six-1.16.0.egg-info"),
            Some(("six".into(), "1.16.0".into()))
        );
        assert_eq!(dir_name_version("cryptography.egg-info"), None);
    }
}
