//! Debian's installed-package database: `var/lib/dpkg/status`, and the one-stanza-per-package
//! files of distroless images, `var/lib/dpkg/status.d/*`.
//!
//! Both are RFC 822-like control files (deb822): stanzas separated by blank lines, fields
//! `Name: value` with continuation lines starting with a space or tab. A package of the main
//! status file counts as installed when its `Status` state is `installed` (or
//! `triggers-pending`/`triggers-awaited`: configured, waiting for a trigger to run — `dpkg
//! -l` shows them `iW`/`it`), whatever the selection (`install`, `hold`, `deinstall`) is;
//! `not-installed`, `config-files`, `half-installed`, `unpacked`, `half-configured` are
//! skipped. `status.d` files have no `Status`: every stanza there is installed.
//!
//! Each package becomes a component `pkg:deb/debian/<name>@<version>?arch=<arch>` (plus
//! `upstream=<source>` when the source package has another name), ecosystem `Debian`, with
//! its source package (`Source: name (version)`; the package's own name and version where the
//! field is absent or gives no version — as `dpkg-query` `${source:Package}` and
//! `${source:Version}` do). The distribution is not known here: the post-walk step
//! [`super::distro::attach_distros`] rewrites namespace, ecosystem and `distro` from
//! os-release.
//!
//! Dependency edges come from `Depends` and `Pre-Depends`, resolved against the packages of
//! the same file: an alternative group `a | b` points at the first alternative installed
//! (by package name, else by a package that `Provides` it); architecture qualifiers
//! (`:any`, `:amd64`) and version constraints are ignored; among several installed
//! architectures of one name the dependent's own architecture, then `all`, wins. `status.d`
//! files hold one package each, so their components carry no edges.
//!
//! The files each package installed — `var/lib/dpkg/info/<package>[:<arch>].list`, one
//! absolute path a line, and in distroless images `status.d/<package>.md5sums` — become
//! [`crate::PackageFiles`] for [`super::owners`], which gives occurrences in those files
//! their package once the walk is over.

use crate::detect::{Detector, FileInfo, Output};
use mamori_model::purl::Purl;
use mamori_model::{Component, SourcePackage};
use std::collections::{BTreeMap, HashMap};

/// The dpkg status detector (`sbom.dpkg`).
pub struct DpkgDetector;

const DETECTOR: &str = "sbom.dpkg";

/// At most this many problems of one file are reported one by one; the rest are counted.
const MAX_WARNINGS: usize = 10;

/// Which kind of dpkg database file a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DpkgFile {
    /// `var/lib/dpkg/status`: every package of the system, with `Status`.
    Status,
    /// `var/lib/dpkg/status.d/<package>`: distroless images, no `Status`.
    StatusD,
    /// `var/lib/dpkg/info/<package>[:<arch>].list`: the files a package installed.
    List,
    /// `var/lib/dpkg/status.d/<package>.md5sums`: the files of a distroless image's package
    /// (`<md5>  <path>` lines).
    StatusDSums,
}

/// Whether `path` (with file name `name`) is a dpkg database file, and which.
pub fn dpkg_file(path: &str, name: &str) -> Option<DpkgFile> {
    if name == "status" {
        if path == "var/lib/dpkg/status" || path.ends_with("/var/lib/dpkg/status") {
            return Some(DpkgFile::Status);
        }
        return None;
    }
    if name.is_empty() || name.starts_with('.') {
        return None;
    }
    let dir = path.strip_suffix(name)?.strip_suffix('/')?;
    let under = |d: &str| dir == d || dir.strip_suffix(d).is_some_and(|p| p.ends_with('/'));
    if name.ends_with(".list") {
        return (name.len() > 5 && under("var/lib/dpkg/info")).then_some(DpkgFile::List);
    }
    if !under("var/lib/dpkg/status.d") {
        return None;
    }
    if name.ends_with(".md5sums") {
        return (name.len() > 8).then_some(DpkgFile::StatusDSums);
    }
    Some(DpkgFile::StatusD)
}

/// The files a `.list` or a `status.d` `.md5sums` file says its package owns (see
/// [`super::owners`]). `None` for other files.
pub fn package_files(
    path: &str,
    name: &str,
    container: Option<&str>,
    data: &[u8],
) -> Option<crate::PackageFiles> {
    let (root, database, package, paths) = match dpkg_file(path, name)? {
        DpkgFile::List => {
            let stem = name.strip_suffix(".list")?;
            let root = super::owners::root_before(path, &format!("var/lib/dpkg/info/{name}"))?;
            (
                root,
                format!("{root}var/lib/dpkg/status"),
                stem,
                super::owners::hash_lines(data),
            )
        }
        DpkgFile::StatusDSums => {
            let stem = name.strip_suffix(".md5sums")?;
            let root = super::owners::root_before(path, &format!("var/lib/dpkg/status.d/{name}"))?;
            // `<md5>  <path relative to the root>`.
            let paths = data
                .split(|&b| b == b'\n')
                .filter_map(|line| {
                    let at = line.iter().position(|b| b.is_ascii_whitespace())?;
                    let p = line[at..].trim_ascii();
                    (!p.is_empty()).then(|| super::owners::path_hash(p))
                })
                .collect();
            (
                root,
                format!("{root}var/lib/dpkg/status.d/{stem}"),
                stem,
                paths,
            )
        }
        DpkgFile::Status | DpkgFile::StatusD => return None,
    };
    let (package, arch) = match package.split_once(':') {
        Some((n, a)) => (n, Some(a.to_string())),
        None => (package, None),
    };
    Some(crate::PackageFiles {
        container: container.map(str::to_string),
        root: root.to_string(),
        database,
        name: package.to_string(),
        arch,
        paths,
    })
}

/// One installed binary package, as its stanza says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DpkgPackage {
    /// `Package`.
    pub name: String,
    /// `Version`, with epoch when there is one (`1:2.38.1-5+deb12u3`).
    pub version: String,
    /// `Architecture` (`amd64`, `all` …); empty when absent.
    pub architecture: String,
    /// Source package name (`Source`, else the package name).
    pub source_name: String,
    /// Source version (`Source: name (version)`, else the package version).
    pub source_version: String,
    /// `Multi-Arch` (`same`, `foreign`, `allowed`), if given.
    pub multi_arch: Option<String>,
    /// `Pre-Depends` then `Depends`: groups of alternatives, as package names without
    /// architecture qualifier or version constraint.
    pub depends: Vec<Vec<String>>,
    /// `Provides`: virtual package names.
    pub provides: Vec<String>,
    /// 1-based line of the `Package` field.
    pub line: u32,
}

/// What [`parse_status`] found.
#[derive(Debug, Default)]
pub struct ParsedStatus {
    /// Installed packages, in file order.
    pub packages: Vec<DpkgPackage>,
    /// Stanzas that are not installed packages (removed, config-files only …), skipped.
    pub not_installed: usize,
    /// What was wrong with the input, one message per problem.
    pub problems: Vec<String>,
}

/// The fields kept while reading one stanza.
#[derive(Default)]
struct Stanza {
    start: u32,
    package: Option<(String, u32)>,
    status: Option<String>,
    version: Option<String>,
    architecture: Option<String>,
    source: Option<String>,
    multi_arch: Option<String>,
    depends: Option<String>,
    pre_depends: Option<String>,
    provides: Option<String>,
    fields: usize,
}

/// Which kept field a continuation line extends.
#[derive(Clone, Copy)]
enum Kept {
    None,
    Depends,
    PreDepends,
    Provides,
}

/// Parses a dpkg status file (or a `status.d` file when `status_required` is false: no
/// `Status` field is needed). Never panics; problems are returned, not fatal.
pub fn parse_status(data: &[u8], status_required: bool) -> ParsedStatus {
    let mut out = ParsedStatus::default();
    let mut cur: Option<Stanza> = None;
    let mut kept = Kept::None;
    let mut line_no: u32 = 0;
    for raw in data.split(|&b| b == b'\n') {
        line_no = line_no.saturating_add(1);
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            if let Some(s) = cur.take() {
                finish(s, status_required, &mut out);
            }
            kept = Kept::None;
            continue;
        }
        if line.first().is_some_and(|&b| b == b' ' || b == b'\t') {
            match cur.as_mut() {
                None => out.problems.push(format!(
                    "line {line_no}: continuation line outside any stanza"
                )),
                Some(s) => {
                    let text = String::from_utf8_lossy(line);
                    let target = match kept {
                        Kept::None => None,
                        Kept::Depends => s.depends.as_mut(),
                        Kept::PreDepends => s.pre_depends.as_mut(),
                        Kept::Provides => s.provides.as_mut(),
                    };
                    if let Some(t) = target {
                        t.push(' ');
                        t.push_str(text.trim());
                    }
                }
            }
            continue;
        }
        if line.first() == Some(&b'#') {
            // Comment lines are allowed in deb822 files outside field values.
            continue;
        }
        let s = cur.get_or_insert_with(|| Stanza {
            start: line_no,
            ..Default::default()
        });
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            out.problems.push(format!(
                "line {line_no}: not a field (no ':'): {:?}",
                String::from_utf8_lossy(&line[..line.len().min(60)])
            ));
            kept = Kept::None;
            continue;
        };
        let (name, rest) = line.split_at(colon);
        let value = String::from_utf8_lossy(rest.get(1..).unwrap_or_default())
            .trim()
            .to_string();
        s.fields += 1;
        kept = Kept::None;
        let name = name.trim_ascii();
        if name.eq_ignore_ascii_case(b"Package") {
            s.package = Some((value, line_no));
        } else if name.eq_ignore_ascii_case(b"Status") {
            s.status = Some(value);
        } else if name.eq_ignore_ascii_case(b"Version") {
            s.version = Some(value);
        } else if name.eq_ignore_ascii_case(b"Architecture") {
            s.architecture = Some(value);
        } else if name.eq_ignore_ascii_case(b"Source") {
            s.source = Some(value);
        } else if name.eq_ignore_ascii_case(b"Multi-Arch") {
            s.multi_arch = Some(value);
        } else if name.eq_ignore_ascii_case(b"Depends") {
            s.depends = Some(value);
            kept = Kept::Depends;
        } else if name.eq_ignore_ascii_case(b"Pre-Depends") {
            s.pre_depends = Some(value);
            kept = Kept::PreDepends;
        } else if name.eq_ignore_ascii_case(b"Provides") {
            s.provides = Some(value);
            kept = Kept::Provides;
        }
    }
    if let Some(s) = cur.take() {
        finish(s, status_required, &mut out);
    }
    out
}

/// Whether a `Status` value (`want flag state`) says the package's files are installed and configured.
fn installed(status: &str) -> bool {
    let mut words = status.split_ascii_whitespace();
    let (Some(_want), Some(_flag), Some(state), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return false;
    };
    matches!(state, "installed" | "triggers-pending" | "triggers-awaited")
}

fn finish(s: Stanza, status_required: bool, out: &mut ParsedStatus) {
    let start = s.start;
    let Some((name, line)) = s.package else {
        if s.fields > 0 {
            out.problems
                .push(format!("stanza at line {start} has no Package field"));
        }
        return;
    };
    match &s.status {
        Some(st) if !installed(st) => {
            out.not_installed += 1;
            return;
        }
        None if status_required => {
            out.problems.push(format!(
                "package {name:?} (line {line}) has no Status field"
            ));
            return;
        }
        _ => {}
    }
    if name.is_empty() || name.contains(char::is_whitespace) {
        out.problems
            .push(format!("line {line}: invalid package name {name:?}"));
        return;
    }
    let Some(version) = s.version.filter(|v| !v.is_empty()) else {
        out.problems.push(format!(
            "package {name:?} (line {line}) has no Version field"
        ));
        return;
    };
    let (source_name, source_version) = match s.source.as_deref().map(parse_source) {
        Some((n, v)) if !n.is_empty() => (n.to_string(), v.unwrap_or(&version).to_string()),
        _ => (name.clone(), version.clone()),
    };
    let mut depends = Vec::new();
    for field in [s.pre_depends.as_deref(), s.depends.as_deref()]
        .into_iter()
        .flatten()
    {
        depends.extend(parse_depends(field));
    }
    let provides = s
        .provides
        .as_deref()
        .map(|p| {
            parse_depends(p)
                .into_iter()
                .flatten()
                .collect::<Vec<String>>()
        })
        .unwrap_or_default();
    out.packages.push(DpkgPackage {
        name,
        version,
        architecture: s.architecture.unwrap_or_default(),
        source_name,
        source_version,
        multi_arch: s.multi_arch,
        depends,
        provides,
        line,
    });
}

/// `glibc (2.36-9+deb12u4)` → (`glibc`, Some(`2.36-9+deb12u4`)); `openssl` → (`openssl`, None).
fn parse_source(v: &str) -> (&str, Option<&str>) {
    let v = v.trim();
    match v.split_once(char::is_whitespace) {
        None => (v, None),
        Some((name, rest)) => {
            let ver = rest
                .trim()
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .map(str::trim)
                .filter(|s| !s.is_empty());
            (name, ver)
        }
    }
}

/// `libc6 (>= 2.34), libgcc-s1 | libgcc1, perl:any` → [[libc6], [libgcc-s1, libgcc1], [perl]].
fn parse_depends(v: &str) -> Vec<Vec<String>> {
    v.split(',')
        .map(|group| {
            group
                .split('|')
                .filter_map(|alt| {
                    let alt = alt.trim();
                    let end = alt
                        .find(|c: char| c.is_whitespace() || c == '(' || c == '[' || c == '<')
                        .unwrap_or(alt.len());
                    let name = alt.get(..end).unwrap_or_default();
                    let name = name.split(':').next().unwrap_or_default();
                    (!name.is_empty()).then(|| name.to_string())
                })
                .collect::<Vec<String>>()
        })
        .filter(|g| !g.is_empty())
        .collect()
}

/// The purl the detector writes for a package (distribution not yet known).
pub fn package_purl(p: &DpkgPackage) -> Result<Purl, mamori_model::purl::PurlError> {
    let mut q = BTreeMap::new();
    if !p.architecture.is_empty() {
        q.insert("arch".to_string(), p.architecture.clone());
    }
    if p.source_name != p.name {
        q.insert("upstream".to_string(), p.source_name.clone());
    }
    Purl::new("deb", Some("debian"), &p.name, Some(&p.version), q, None)
}

/// Turns parsed packages into components with dependency edges. Packages whose purl cannot
/// be built are returned as problems.
pub fn components(packages: &[DpkgPackage]) -> (Vec<(Component, u32)>, Vec<String>) {
    let mut problems = Vec::new();
    let mut purls: Vec<Option<String>> = Vec::with_capacity(packages.len());
    for p in packages {
        match package_purl(p) {
            Ok(u) => purls.push(Some(u.to_string())),
            Err(e) => {
                problems.push(format!("package {:?} (line {}): {e}", p.name, p.line));
                purls.push(None);
            }
        }
    }
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_provides: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, p) in packages.iter().enumerate() {
        if purls.get(i).is_some_and(Option::is_some) {
            by_name.entry(p.name.as_str()).or_default().push(i);
            for v in &p.provides {
                by_provides.entry(v.as_str()).or_default().push(i);
            }
        }
    }
    let mut out = Vec::with_capacity(packages.len());
    for (i, p) in packages.iter().enumerate() {
        let Some(Some(purl)) = purls.get(i) else {
            continue;
        };
        let mut deps: Vec<String> = Vec::new();
        for group in &p.depends {
            let hit = group.iter().find_map(|alt| {
                let cands = by_name
                    .get(alt.as_str())
                    .or_else(|| by_provides.get(alt.as_str()))?;
                pick(cands, packages, &p.architecture)
            });
            if let Some(j) = hit {
                if j != i {
                    if let Some(Some(d)) = purls.get(j) {
                        if !deps.contains(d) {
                            deps.push(d.clone());
                        }
                    }
                }
            }
        }
        let mut c = Component::new(purl.clone(), &p.name, Some(p.version.clone()), "Debian");
        c.source = Some(SourcePackage {
            name: p.source_name.clone(),
            version: p.source_version.clone(),
        });
        c.dependencies = deps;
        out.push((c, p.line));
    }
    (out, problems)
}

/// Among installed packages of one name, the one a dependent of architecture `arch` uses.
fn pick(cands: &[usize], packages: &[DpkgPackage], arch: &str) -> Option<usize> {
    let arch_of = |j: &usize| packages.get(*j).map(|p| p.architecture.as_str());
    cands
        .iter()
        .find(|j| arch_of(j) == Some(arch))
        .or_else(|| cands.iter().find(|j| arch_of(j) == Some("all")))
        .or_else(|| cands.first())
        .copied()
}

impl Detector for DpkgDetector {
    fn name(&self) -> &'static str {
        DETECTOR
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        dpkg_file(file.path, file.name).is_some()
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let Some(kind) = dpkg_file(file.path, file.name) else {
            return;
        };
        if matches!(kind, DpkgFile::List | DpkgFile::StatusDSums) {
            if let Some(f) = package_files(file.path, file.name, file.container, data) {
                out.package_files.push(f);
            }
            return;
        }
        let parsed = parse_status(data, kind == DpkgFile::Status);
        let (comps, purl_problems) = components(&parsed.packages);
        let problems: Vec<&String> = parsed.problems.iter().chain(&purl_problems).collect();
        for p in problems.iter().take(MAX_WARNINGS) {
            out.warn(file, format!("dpkg status: {p}"));
        }
        if problems.len() > MAX_WARNINGS {
            out.warn(
                file,
                format!(
                    "dpkg status: {} more problems not shown",
                    problems.len() - MAX_WARNINGS
                ),
            );
        }
        if comps.is_empty() && kind == DpkgFile::StatusD && parsed.problems.is_empty() {
            out.warn(file, "dpkg status.d file holds no package stanza");
        }
        for (c, line) in comps {
            let context = format!("{} {}", c.name, c.version.as_deref().unwrap_or_default());
            out.component(c, file.at_line(line), DETECTOR, Some(context));
        }
    }

    fn max_size(&self) -> u64 {
        64 << 20
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            dpkg_file("/var/lib/dpkg/status", "status"),
            Some(DpkgFile::Status)
        );
        assert_eq!(
            dpkg_file("rootfs/var/lib/dpkg/status", "status"),
            Some(DpkgFile::Status)
        );
        assert_eq!(
            dpkg_file("var/lib/dpkg/status", "status"),
            Some(DpkgFile::Status)
        );
        assert_eq!(dpkg_file("/var/lib/dpkg/status-old", "status-old"), None);
        assert_eq!(dpkg_file("/etc/status", "status"), None);
        assert_eq!(
            dpkg_file("/var/lib/dpkg/status.d/libssl3", "libssl3"),
            Some(DpkgFile::StatusD)
        );
        assert_eq!(
            dpkg_file("/var/lib/dpkg/status.d/libssl3.md5sums", "libssl3.md5sums"),
            Some(DpkgFile::StatusDSums)
        );
        assert_eq!(dpkg_file("/var/lib/dpkg/status.d/x/y", "y"), None);
        assert_eq!(
            dpkg_file(
                "/var/lib/dpkg/info/libssl3:amd64.list",
                "libssl3:amd64.list"
            ),
            Some(DpkgFile::List)
        );
        assert_eq!(
            dpkg_file("rootfs/var/lib/dpkg/info/bash.list", "bash.list"),
            Some(DpkgFile::List)
        );
        assert_eq!(
            dpkg_file("/var/lib/dpkg/info/bash.md5sums", "bash.md5sums"),
            None
        );
        assert_eq!(dpkg_file("/etc/apt/sources.list", "sources.list"), None);
        assert_eq!(dpkg_file("/x/myvar/lib/dpkg/info/a.list", "a.list"), None);
    }

    #[test]
    fn lists_and_sums_become_package_files() {
        let f = package_files(
            "/srv/r/var/lib/dpkg/info/libssl3:amd64.list",
            "libssl3:amd64.list",
            None,
            b"/.\n/usr/lib/x86_64-linux-gnu/libssl.so.3\n",
        )
        .unwrap();
        assert_eq!(f.root, "/srv/r/");
        assert_eq!(f.database, "/srv/r/var/lib/dpkg/status");
        assert_eq!(
            (f.name.as_str(), f.arch.as_deref()),
            ("libssl3", Some("amd64"))
        );
        use super::super::owners::path_hash;
        assert_eq!(
            f.paths,
            [
                path_hash(b"/."),
                path_hash(b"usr/lib/x86_64-linux-gnu/libssl.so.3")
            ]
        );
        let f = package_files(
            "/var/lib/dpkg/status.d/libssl3.md5sums",
            "libssl3.md5sums",
            Some("img.tar"),
            b"0123456789abcdef0123456789abcdef  usr/lib/x86_64-linux-gnu/libssl.so.3\n",
        )
        .unwrap();
        assert_eq!(f.root, "/");
        assert_eq!(f.database, "/var/lib/dpkg/status.d/libssl3");
        assert_eq!(f.container.as_deref(), Some("img.tar"));
        assert_eq!(
            f.paths,
            [path_hash(b"/usr/lib/x86_64-linux-gnu/libssl.so.3")]
        );
    }

    #[test]
    fn source_and_depends() {
        assert_eq!(parse_source("glibc (2.36-9)"), ("glibc", Some("2.36-9")));
        assert_eq!(parse_source("openssl"), ("openssl", None));
        assert_eq!(
            parse_depends("libc6 (>= 2.34), libgcc-s1 | libgcc1, perl:any, x [amd64]"),
            vec![
                vec!["libc6".to_string()],
                vec!["libgcc-s1".to_string(), "libgcc1".to_string()],
                vec!["perl".to_string()],
                vec!["x".to_string()],
            ]
        );
    }

    #[test]
    fn stanzas_edges_and_status() {
        let data = b"Package: a\nStatus: install ok installed\nVersion: 1:2.0-1\nArchitecture: amd64\nSource: asrc (2.0-0.1)\nDepends: b (>= 1), gone | c:any,\n d\nPre-Depends: v\n\nPackage: b\nStatus: hold ok installed\nVersion: 1\nArchitecture: all\n\nPackage: c\nStatus: install ok installed\nVersion: 3\nArchitecture: amd64\nProvides: v (= 1)\n\nPackage: d\nStatus: deinstall ok config-files\nVersion: 4\n\nPackage: e\nStatus: install ok unpacked\nVersion: 5\n";
        let p = parse_status(data, true);
        assert!(p.problems.is_empty(), "{:?}", p.problems);
        assert_eq!(p.not_installed, 2);
        let names: Vec<&str> = p.packages.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        let (comps, probs) = components(&p.packages);
        assert!(probs.is_empty());
        let a = &comps[0].0;
        assert_eq!(a.purl, "pkg:deb/debian/a@1:2.0-1?arch=amd64&upstream=asrc");
        assert_eq!(comps[0].1, 1);
        let src = a.source.as_ref().unwrap();
        assert_eq!(
            (src.name.as_str(), src.version.as_str()),
            ("asrc", "2.0-0.1")
        );
        // Pre-Depends first (v, provided by c), then b, then c (second alternative); d is not installed.
        assert_eq!(
            a.dependencies,
            vec![
                "pkg:deb/debian/c@3?arch=amd64".to_string(),
                "pkg:deb/debian/b@1?arch=all".to_string(),
            ]
        );
        let b = &comps[1].0;
        assert_eq!(b.source.as_ref().unwrap().name, "b");
        assert_eq!(b.source.as_ref().unwrap().version, "1");
    }

    #[test]
    fn broken_input_is_reported() {
        let data = b" orphan continuation\nPackage: x\nStatus: install ok installed\nnonsense line\n\nVersion: 1\n\nPackage: y\nStatus: install ok installed\n\n\xff\xfe\x00garbage";
        let p = parse_status(data, true);
        assert!(p.packages.is_empty());
        assert_eq!(p.problems.len(), 6, "{:?}", p.problems);
    }
}
