//! `etc/os-release` and `usr/lib/os-release` (os-release(5)): which distribution release a
//! root file system is, so that its OS packages are matched against the right advisories.
//!
//! The file is shell-like `KEY=value` lines, values optionally in single or double quotes
//! with backslash escapes inside double quotes. Each file found becomes a
//! [`Distro`](mamori_model::Distro) with `root` = the path with `/etc/os-release` (or
//! `/usr/lib/os-release`) removed: `/` for a file at the top of an image or of the host,
//! the rootfs directory for an unpacked tree on disk (`.` for a relative `etc/os-release`).
//!
//! The OSV ecosystem ([`osv_ecosystem`]) follows the names osv.dev's data uses:
//!
//! | os-release `ID`                 | OSV ecosystem                                    |
//! |---------------------------------|--------------------------------------------------|
//! | `debian`                        | `Debian:<major VERSION_ID>`; `Debian` for testing/sid (no `VERSION_ID`) |
//! | `ubuntu`                        | `Ubuntu:<VERSION_ID>`, plus `:LTS` when `VERSION` says LTS (`Ubuntu:22.04:LTS`) |
//! | `alpine`                        | `Alpine:v<major.minor>`                          |
//! | `rhel`                          | `Red Hat:enterprise_linux:<major>` (see below)   |
//! | `rocky`                         | `Rocky Linux:<major>`                            |
//! | `almalinux`                     | `AlmaLinux:<major>`                              |
//! | `opensuse-leap`                 | `openSUSE:Leap <VERSION_ID>`                     |
//! | `opensuse-tumbleweed`           | `openSUSE:Tumbleweed`                            |
//! | `sles`, `sles_sap`, `sled`      | `SUSE:Linux Enterprise Server <major>[ SP<minor>]` (`sled`: Desktop) |
//! | `wolfi`                         | `Wolfi`                                          |
//! | `chainguard`                    | `Chainguard`                                     |
//!
//! Debian testing and sid have no `VERSION_ID` and no advisories of their own release: the
//! bare `Debian` is kept so that the family is known, and the matcher decides what a
//! release-less Debian matches. Red Hat files advisories per product stream and repository
//! (`Red Hat:enterprise_linux:9::baseos`, `…::appstream`, `…::crb`), which an installed
//! package does not record: `Red Hat:enterprise_linux:<major>` is that common prefix, and
//! the matcher must compare it as a prefix. Ubuntu Pro (`Ubuntu:Pro:…`) streams are not
//! assumed. Any other `ID` (Fedora, CentOS, Amazon Linux …) has no OSV ecosystem here.

use crate::detect::{Detector, FileInfo, Output};
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

/// The leading number of a version (`12.4` → `12`, `9` → `9`).
fn major(v: &str) -> Option<&str> {
    let m = v.split('.').next()?;
    (!m.is_empty() && m.bytes().all(|b| b.is_ascii_digit())).then_some(m)
}

/// `3.20.3` → `3.20`; `3.21_alpha20240807` → `3.21`.
fn major_minor(v: &str) -> Option<String> {
    let mut it = v.split('.');
    let a = it
        .next()
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))?;
    let b = it.next()?;
    let digits: String = b.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then(|| format!("{a}.{digits}"))
}

/// The OSV ecosystem of an os-release `ID`/`VERSION_ID`/`VERSION` (see the module table).
pub fn osv_ecosystem(id: &str, version_id: &str, version: &str) -> Option<String> {
    let vid = version_id.trim();
    Some(match id {
        "debian" => match major(vid) {
            Some(m) => format!("Debian:{m}"),
            None => "Debian".to_string(),
        },
        "ubuntu" => {
            if vid.is_empty() {
                return None;
            }
            if version.contains("LTS") {
                format!("Ubuntu:{vid}:LTS")
            } else {
                format!("Ubuntu:{vid}")
            }
        }
        "alpine" => format!("Alpine:v{}", major_minor(vid)?),
        "rhel" => format!("Red Hat:enterprise_linux:{}", major(vid)?),
        "rocky" => format!("Rocky Linux:{}", major(vid)?),
        "almalinux" => format!("AlmaLinux:{}", major(vid)?),
        "opensuse-leap" => {
            if vid.is_empty() {
                return None;
            }
            format!("openSUSE:Leap {vid}")
        }
        "opensuse-tumbleweed" => "openSUSE:Tumbleweed".to_string(),
        "sles" | "sles_sap" | "sled" => {
            let product = if id == "sled" {
                "Linux Enterprise Desktop"
            } else {
                "Linux Enterprise Server"
            };
            let m = major(vid)?;
            match vid.split('.').nth(1).filter(|s| *s != "0" && !s.is_empty()) {
                Some(sp) => format!("SUSE:{product} {m} SP{sp}"),
                None => format!("SUSE:{product} {m}"),
            }
        }
        "wolfi" => "Wolfi".to_string(),
        "chainguard" => "Chainguard".to_string(),
        _ => return None,
    })
}

/// The OSV ecosystem family of an os-release `ID` (the `Component.ecosystem` of its OS packages).
pub fn family(id: &str) -> Option<&'static str> {
    Some(match id {
        "debian" => "Debian",
        "ubuntu" => "Ubuntu",
        "alpine" => "Alpine",
        "rhel" => "Red Hat",
        "rocky" => "Rocky Linux",
        "almalinux" => "AlmaLinux",
        "opensuse-leap" | "opensuse-tumbleweed" | "opensuse" => "openSUSE",
        "sles" | "sles_sap" | "sled" => "SUSE",
        "wolfi" => "Wolfi",
        "chainguard" => "Chainguard",
        _ => return None,
    })
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
    let osv = osv_ecosystem(&id, &version_id, &get("VERSION"));
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

    #[test]
    fn ecosystems() {
        let e = |id, v, ver| osv_ecosystem(id, v, ver);
        assert_eq!(
            e("debian", "12", "12 (bookworm)").as_deref(),
            Some("Debian:12")
        );
        assert_eq!(e("debian", "", "").as_deref(), Some("Debian"));
        assert_eq!(
            e("ubuntu", "22.04", "22.04.4 LTS (Jammy Jellyfish)").as_deref(),
            Some("Ubuntu:22.04:LTS")
        );
        assert_eq!(
            e("ubuntu", "24.10", "24.10 (Oracular Oriole)").as_deref(),
            Some("Ubuntu:24.10")
        );
        assert_eq!(e("alpine", "3.20.3", "").as_deref(), Some("Alpine:v3.20"));
        assert_eq!(
            e("alpine", "3.21_alpha20240807", "").as_deref(),
            Some("Alpine:v3.21")
        );
        assert_eq!(
            e("rhel", "9.4", "").as_deref(),
            Some("Red Hat:enterprise_linux:9")
        );
        assert_eq!(e("rocky", "9.3", "").as_deref(), Some("Rocky Linux:9"));
        assert_eq!(e("almalinux", "8.10", "").as_deref(), Some("AlmaLinux:8"));
        assert_eq!(
            e("opensuse-leap", "15.6", "").as_deref(),
            Some("openSUSE:Leap 15.6")
        );
        assert_eq!(
            e("sles", "15.5", "").as_deref(),
            Some("SUSE:Linux Enterprise Server 15 SP5")
        );
        assert_eq!(
            e("sles", "15", "").as_deref(),
            Some("SUSE:Linux Enterprise Server 15")
        );
        assert_eq!(e("wolfi", "20230201", "").as_deref(), Some("Wolfi"));
        assert_eq!(e("fedora", "40", ""), None);
        assert_eq!(e("alpine", "edge", ""), None);
    }
}
