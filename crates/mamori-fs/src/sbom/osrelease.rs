//! `etc/os-release` and `usr/lib/os-release` (os-release(5)): which distribution release a
//! root file system is, so that its OS packages are matched against the right advisories.
//!
//! The file is shell-like `KEY=value` lines, values optionally in single or double quotes
//! with backslash escapes inside double quotes. Each file found becomes a
//! [`Distro`](mamori_model::Distro) with `root` = the path with `/etc/os-release` (or
//! `/usr/lib/os-release`) removed: `/` for a file at the top of an image or of the host,
//! the rootfs directory for an unpacked tree on disk (`.` for a relative `etc/os-release`).
//!
//! The OSV ecosystem of the release (`Distro::osv_ecosystem`: `Debian:12`,
//! `Ubuntu:22.04:LTS`, `Alpine:v3.20` …) is [`mamori_model::ecosystem::osv_release`] of
//! `ID`, `VERSION_ID` and `VERSION`; its table is in [`mamori_model::ecosystem`].

use crate::detect::{Detector, FileInfo, Output};
use mamori_model::ecosystem::osv_release;
use mamori_model::Distro;

/// The os-release detector (`sbom.os-release`).
pub struct OsReleaseDetector;

/// The suffixes an os-release path ends with.
const SUFFIXES: [&str; 2] = ["etc/os-release", "usr/lib/os-release"];

/// The root a path of an os-release file describes, or `None` when it is not one.
pub fn root_of(path: &str) -> Option<String> {
    for s in SUFFIXES {
        if path == s {
            return Some(".".to_string());
        }
        if let Some(pre) = path.strip_suffix(s) {
            if let Some(root) = pre.strip_suffix('/') {
                let root = root.trim_end_matches('/');
                return Some(if root.is_empty() {
                    "/".to_string()
                } else {
                    root.to_string()
                });
            }
        }
    }
    None
}

/// Parses os-release text into `(KEY, value)` pairs, unquoted. Lines that are not
/// assignments are ignored (os-release(5): "lines beginning with # are comments").
pub fn parse(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim();
        if k.is_empty() || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        out.push((k.to_string(), unquote(v.trim())));
    }
    out
}

fn unquote(v: &str) -> String {
    if let Some(inner) = v.strip_prefix('\'') {
        return inner.strip_suffix('\'').unwrap_or(inner).to_string();
    }
    let Some(inner) = v.strip_prefix('"') else {
        return v.to_string();
    };
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut s = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(n @ ('"' | '\\' | '$' | '`')) => s.push(n),
                Some(n) => {
                    s.push('\\');
                    s.push(n);
                }
                None => s.push('\\'),
            }
        } else {
            s.push(c);
        }
    }
    s
}

/// Reads one os-release file into a [`Distro`] rooted at `root`. `None` when it has no `ID`.
pub fn distro_from(text: &str, root: String, container: Option<String>) -> Option<Distro> {
    let kv = parse(text);
    let get = |k: &str| {
        kv.iter()
            .rev()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let id = get("ID").to_ascii_lowercase();
    if id.is_empty() {
        return None;
    }
    let version_id = get("VERSION_ID");
    let osv = osv_release(&id, &version_id, &get("VERSION"));
    Some(Distro {
        root,
        container,
        id,
        version_id,
        pretty_name: get("PRETTY_NAME"),
        osv_ecosystem: osv,
    })
}

impl Detector for OsReleaseDetector {
    fn name(&self) -> &'static str {
        "sbom.os-release"
    }

    fn wants(&self, file: &FileInfo<'_>, _head: &[u8]) -> bool {
        file.name == "os-release" && root_of(file.path).is_some()
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        self.wants(file, &[])
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let Some(root) = root_of(file.path) else {
            return;
        };
        let Ok(text) = std::str::from_utf8(data) else {
            out.warn(file, "os-release: not UTF-8 text");
            return;
        };
        match distro_from(text, root, file.container.map(str::to_string)) {
            Some(d) => out.distros.push(d),
            None => out.warn(file, "os-release: no ID= line"),
        }
    }

    fn max_size(&self) -> u64 {
        64 << 10
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots() {
        assert_eq!(root_of("/etc/os-release").as_deref(), Some("/"));
        assert_eq!(root_of("/usr/lib/os-release").as_deref(), Some("/"));
        assert_eq!(root_of("etc/os-release").as_deref(), Some("."));
        assert_eq!(
            root_of("/srv/rootfs/etc/os-release").as_deref(),
            Some("/srv/rootfs")
        );
        assert_eq!(
            root_of("rootfs/usr/lib/os-release").as_deref(),
            Some("rootfs")
        );
        assert_eq!(root_of("/xetc/os-release"), None);
        assert_eq!(root_of("/etc/os-release.d"), None);
    }

    #[test]
    fn quoting() {
        let kv = parse("# c\nA=\"x \\\"y\\\" \\$z\"\nB='q r'\nC=plain\nbad line\n");
        assert_eq!(
            kv,
            [
                ("A".to_string(), "x \"y\" $z".to_string()),
                ("B".to_string(), "q r".to_string()),
                ("C".to_string(), "plain".to_string()),
            ]
        );
    }
}
