//! Go components: `go.mod` files, and the build information of Go binaries (read by
//! [`crate::binary::golang`], reported here as components).
//!
//! - go.mod: the `module` is the project, reported without a version (go.mod has none) and
//!   with its direct requirements as dependencies; every `require` (single line or block)
//!   is a component, `// indirect` ones with `direct = false`. `replace` directives are
//!   applied: a module replacement reports the replacement module and version, a local
//!   directory replacement keeps the required module and says it was replaced. `exclude`,
//!   `retract`, `go`, `toolchain` and `godebug` name no component.
//! - Go binaries: the main module (the project; no version when it is `(devel)`), every
//!   `dep` (replacements applied the same way; the `h1:` sums are not file hashes and are
//!   not reported as hashes), and the Go standard library as `pkg:golang/stdlib@<version>`
//!   (the toolchain version without its `go` prefix, which is how OSV files stdlib
//!   advisories).
//!
//! Versions keep their leading `v` (`v0.21.0`).

use crate::binary::golang::{BuildInfo, Module};
use crate::detect::{Detector, FileInfo, Output};
use mamori_model::purl::Purl;
use mamori_model::{Component, Location};
use std::collections::BTreeMap;

/// Detector name of go.mod.
pub const GO_MOD: &str = "sbom.go-mod";
/// Detector name of the components of Go binaries.
pub const GO_BINARY: &str = "sbom.go-binary";
/// The OSV ecosystem.
pub const ECOSYSTEM: &str = "Go";

/// Reads `go.mod` files.
#[derive(Debug, Default, Clone, Copy)]
pub struct GoModDetector;

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The purl of a Go module: namespace = the path up to its last `/`, name = the last
/// segment. A path of one segment (`example`, the standard library `stdlib`) has no
/// namespace; the purl is then written by hand (`pkg:golang/stdlib@1.22.5`), since
/// [`Purl::new`] rejects it.
///
/// Why mamori writes a purl the specification calls invalid: purl-spec's
/// `types/golang-definition.json` says the namespace is required (and the official test
/// suite, run by `mamori-model/tests/purl_spec.rs`, is kept passing with that rule), but
/// that definition predates Go modules (its own note says so), a module path may have one
/// segment, and the standard library has no other name: OSV's Go ecosystem and Go's
/// vulnerability database file stdlib advisories under `stdlib`, and osv-scanner, syft and
/// trivy write `pkg:golang/stdlib@<version>`. purl-spec issue #817 (open) asks for the
/// namespace to be optional for these reasons. mamori reads such purls back with
/// [`mamori_model::ecosystem::parse_purl`], which forgives exactly this missing namespace.
pub fn purl(path: &str, version: Option<&str>) -> Option<String> {
    let path = path.trim().trim_matches('/');
    if path.is_empty() {
        return None;
    }
    let version = version.filter(|v| !v.is_empty());
    match path.rsplit_once('/') {
        Some((ns, name)) => Purl::new("golang", Some(ns), name, version, BTreeMap::new(), None)
            .ok()
            .map(|p| p.to_string()),
        None => {
            let mut s = format!("pkg:golang/{}", encode(path));
            if let Some(v) = version {
                s.push('@');
                s.push_str(&encode(v));
            }
            Some(s)
        }
    }
}

fn component(path: &str, version: Option<&str>) -> Option<Component> {
    let p = purl(path, version)?;
    Some(Component::new(
        p,
        path,
        version.filter(|v| !v.is_empty()).map(str::to_string),
        ECOSYSTEM,
    ))
}

/// A local directory replacement target (`./x`, `../x`, `/abs`), as Go tells them apart.
fn is_local_path(p: &str) -> bool {
    p.starts_with("./")
        || p.starts_with("../")
        || p.starts_with('/')
        || p == "."
        || p == ".."
        || p.starts_with(".\\")
        || p.starts_with("..\\")
        || p.get(1..3) == Some(":\\")
}

/// One `require` of a go.mod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Require {
    /// Module path.
    pub path: String,
    /// Version.
    pub version: String,
    /// Marked `// indirect`.
    pub indirect: bool,
    /// 1-based line.
    pub line: u32,
}

/// One `replace` of a go.mod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replace {
    /// Replaced module path.
    pub old_path: String,
    /// Replaced version (`None`: every version).
    pub old_version: Option<String>,
    /// Replacement module path or directory.
    pub new_path: String,
    /// Replacement version (`None` for a directory).
    pub new_version: Option<String>,
}

/// What a go.mod says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoMod {
    /// `module` path.
    pub module: Option<String>,
    /// `go` version.
    pub go: Option<String>,
    /// `require`s, in file order.
    pub require: Vec<Require>,
    /// `replace`s.
    pub replace: Vec<Replace>,
    /// Lines that could not be read: (line, text).
    pub bad: Vec<(u32, String)>,
}

/// Split a go.mod line into tokens (quoted strings unquoted) and its comment.
fn tokens(line: &str) -> (Vec<String>, &str) {
    let mut toks = Vec::new();
    let mut rest = line;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return (toks, "");
        }
        if let Some(c) = rest.strip_prefix("//") {
            return (toks, c.trim());
        }
        let first = rest.chars().next().unwrap_or(' ');
        if first == '"' || first == '`' {
            let body = &rest[1..];
            let end = if first == '"' {
                // Skip escaped quotes.
                let mut esc = false;
                body.char_indices()
                    .find(|&(_, c)| {
                        let hit = c == '"' && !esc;
                        esc = c == '\\' && !esc;
                        hit
                    })
                    .map(|(i, _)| i)
            } else {
                body.find('`')
            };
            match end {
                Some(e) => {
                    toks.push(body[..e].replace("\\\"", "\"").replace("\\\\", "\\"));
                    rest = &body[e + 1..];
                }
                None => {
                    toks.push(body.to_string());
                    rest = "";
                }
            }
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '(' || c == ')')
            .map(|e| if e == 0 { 1 } else { e })
            .unwrap_or(rest.len());
        toks.push(rest[..end].to_string());
        rest = &rest[end..];
    }
}

/// Parse a go.mod.
pub fn parse_go_mod(text: &str) -> GoMod {
    let mut m = GoMod::default();
    let mut block: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let (toks, comment) = tokens(raw);
        let Some(first) = toks.first() else { continue };
        let (verb, args): (String, &[String]) = match &block {
            Some(_) if first == ")" => {
                block = None;
                continue;
            }
            Some(b) => (b.clone(), &toks[..]),
            None => {
                if toks.get(1).map(String::as_str) == Some("(") {
                    if toks.len() == 2 {
                        block = Some(first.clone());
                    } else if toks.last().map(String::as_str) == Some(")") {
                        // `require ( x v1 )` on one line.
                        let inner = &toks[2..toks.len() - 1];
                        apply(&mut m, first, inner, comment, n, raw);
                    } else {
                        m.bad.push((n, raw.to_string()));
                    }
                    continue;
                }
                (first.clone(), &toks[1..])
            }
        };
        apply(&mut m, &verb, args, comment, n, raw);
    }
    m
}

fn apply(m: &mut GoMod, verb: &str, args: &[String], comment: &str, n: u32, raw: &str) {
    match verb {
        "module" => m.module = args.first().cloned(),
        "go" => m.go = args.first().cloned(),
        "require" => match args {
            [path, version] => m.require.push(Require {
                path: path.clone(),
                version: version.clone(),
                indirect: comment
                    .split(';')
                    .any(|c| c.trim() == "indirect" || c.trim().starts_with("indirect ")),
                line: n,
            }),
            _ => m.bad.push((n, raw.to_string())),
        },
        "replace" => {
            let Some(arrow) = args.iter().position(|a| a == "=>") else {
                m.bad.push((n, raw.to_string()));
                return;
            };
            let (old, new) = args.split_at(arrow);
            let new = new.get(1..).unwrap_or(&[]);
            match (old, new) {
                ([op, ov @ ..], [np, nv @ ..]) if ov.len() <= 1 && nv.len() <= 1 => {
                    m.replace.push(Replace {
                        old_path: op.clone(),
                        old_version: ov.first().cloned(),
                        new_path: np.clone(),
                        new_version: nv.first().cloned(),
                    })
                }
                _ => m.bad.push((n, raw.to_string())),
            }
        }
        // No components: exclusions, retractions, toolchain and settings.
        _ => {}
    }
}

/// What `r` (path, version) becomes once `replace`s apply: the component's path and
/// version, and a note.
fn replaced(path: &str, version: &str, reps: &[Replace]) -> (String, String, Option<String>) {
    // A replacement naming the version wins over one for every version.
    let rep = reps
        .iter()
        .find(|r| r.old_path == path && r.old_version.as_deref() == Some(version))
        .or_else(|| {
            reps.iter()
                .find(|r| r.old_path == path && r.old_version.is_none())
        });
    match rep {
        Some(r) if is_local_path(&r.new_path) || r.new_version.is_none() => (
            path.to_string(),
            version.to_string(),
            Some(format!("replaced by local directory {}", r.new_path)),
        ),
        Some(r) => (
            r.new_path.clone(),
            r.new_version.clone().unwrap_or_default(),
            Some(format!("replaces {path} {version}")),
        ),
        None => (path.to_string(), version.to_string(), None),
    }
}

impl Detector for GoModDetector {
    fn name(&self) -> &'static str {
        GO_MOD
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        file.name == "go.mod"
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let text = match std::str::from_utf8(data) {
            Ok(t) => t,
            Err(e) => {
                out.warn(file, format!("go.mod is not UTF-8: {e}"));
                return;
            }
        };
        let m = parse_go_mod(text);
        for (n, line) in m.bad.iter().take(5) {
            out.warn(file, format!("line {n}: unreadable directive {line:?}"));
        }
        if m.module.is_none() && m.require.is_empty() {
            out.warn(file, "go.mod without a module or require directive");
            return;
        }
        let mut direct_deps = Vec::new();
        for r in &m.require {
            let (path, version, note) = replaced(&r.path, &r.version, &m.replace);
            let Some(mut c) = component(&path, Some(&version)) else {
                out.warn(
                    file,
                    format!("line {}: module path {:?} is not valid", r.line, r.path),
                );
                continue;
            };
            c.direct = Some(!r.indirect);
            if !r.indirect {
                direct_deps.push(c.purl.clone());
            }
            let mut ctx = format!("require {} {}", r.path, r.version);
            if r.indirect {
                ctx.push_str(" // indirect");
            }
            if let Some(n) = note {
                ctx.push_str(&format!(" ({n})"));
            }
            out.component(c, file.at_line(r.line), GO_MOD, Some(ctx));
        }
        if let Some(module) = &m.module {
            if let Some(mut c) = component(module, None) {
                c.dependencies = direct_deps;
                let ctx = match &m.go {
                    Some(g) => format!("module {module} (go {g})"),
                    None => format!("module {module}"),
                };
                out.component(c, file.location(), GO_MOD, Some(ctx));
            }
        }
    }
}

/// The stdlib version of a toolchain string (`go1.22.5 X:boringcrypto` → `1.22.5`);
/// `None` for development toolchains.
pub fn stdlib_version(go_version: &str) -> Option<&str> {
    let v = go_version.split_whitespace().next()?.strip_prefix("go")?;
    (v.starts_with(|c: char| c.is_ascii_digit())).then_some(v)
}

/// The components of a Go binary's build info, each with its context, as
/// [`crate::binary::BinaryDetector`] reports them (detector [`GO_BINARY`]).
pub fn binary_components(info: &BuildInfo) -> Vec<(Component, String)> {
    let mut out = Vec::new();
    if let Some(v) = stdlib_version(&info.go_version) {
        let c = Component::new(
            format!("pkg:golang/stdlib@{}", encode(v)),
            "stdlib",
            Some(v.to_string()),
            ECOSYSTEM,
        );
        out.push((c, format!("Go standard library ({})", info.go_version)));
    }
    if let Some(m) = &info.main {
        let v = (m.version != "(devel)").then_some(m.version.as_str());
        if let Some(c) = component(&m.path, v) {
            out.push((c, format!("main module {} {}", m.path, m.version)));
        }
    }
    for d in &info.deps {
        if let Some(x) = dep_component(d) {
            out.push(x);
        }
    }
    out
}

fn dep_component(d: &Module) -> Option<(Component, String)> {
    let version = (!d.version.is_empty() && d.version != "(devel)").then_some(d.version.as_str());
    let mut ctx = format!("dep {} {}", d.path, d.version);
    let path = match &d.replaced_by {
        Some(r) if !is_local_path(r) && version.is_some() => {
            ctx = format!("dep {} replaced by {r} {}", d.path, d.version);
            r.as_str()
        }
        Some(r) => {
            ctx.push_str(&format!(" (replaced by local directory {r})"));
            d.path.as_str()
        }
        None => d.path.as_str(),
    };
    let c = component(path, version)?;
    Some((c, ctx))
}

/// Report the components of a Go binary whose build info was read at `loc`.
pub fn report_binary(info: &BuildInfo, loc: &Location, out: &mut Output) {
    for (c, ctx) in binary_components(info) {
        out.component(c, loc.clone(), GO_BINARY, Some(ctx));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls() {
        assert_eq!(
            purl("golang.org/x/crypto", Some("v0.21.0")).as_deref(),
            Some("pkg:golang/golang.org/x/crypto@v0.21.0")
        );
        assert_eq!(
            purl("github.com/hashicorp/go-set/v2", Some("v2.0.0-alpha.2")).as_deref(),
            Some("pkg:golang/github.com/hashicorp/go-set/v2@v2.0.0-alpha.2")
        );
        assert_eq!(purl("example", None).as_deref(), Some("pkg:golang/example"));
        assert_eq!(stdlib_version("go1.22.5 X:boringcrypto"), Some("1.22.5"));
        assert_eq!(stdlib_version("devel go1.23-abc"), None);
    }

    #[test]
    fn parse_forms() {
        let t = "module \"example.com/q\"\ngo 1.22\ntoolchain go1.22.5\nrequire a.com/x v1.0.0 // indirect; why\nrequire (\n\tb.com/y v2.0.0+incompatible\n\t\"c.com/z\" v0.1.0 // indirect\n)\nrequire ( d.com/w v1.1.1 )\nexclude b.com/y v1.0.0\nretract [v1.0.0, v1.0.5]\nreplace a.com/x v1.0.0 => e.com/x v1.2.0\nreplace b.com/y => ../y\nrequire broken\n";
        let m = parse_go_mod(t);
        assert_eq!(m.module.as_deref(), Some("example.com/q"));
        assert_eq!(m.go.as_deref(), Some("1.22"));
        let r: Vec<(&str, &str, bool)> = m
            .require
            .iter()
            .map(|r| (r.path.as_str(), r.version.as_str(), r.indirect))
            .collect();
        assert_eq!(
            r,
            vec![
                ("a.com/x", "v1.0.0", true),
                ("b.com/y", "v2.0.0+incompatible", false),
                ("c.com/z", "v0.1.0", true),
                ("d.com/w", "v1.1.1", false),
            ]
        );
        assert_eq!(m.replace.len(), 2);
        assert_eq!(m.bad.len(), 1);
        assert_eq!(
            replaced("a.com/x", "v1.0.0", &m.replace).0,
            "e.com/x".to_string()
        );
        let (p, v, note) = replaced("b.com/y", "v2.0.0+incompatible", &m.replace);
        assert_eq!((p.as_str(), v.as_str()), ("b.com/y", "v2.0.0+incompatible"));
        assert!(note.unwrap().contains("../y"));
    }
}
