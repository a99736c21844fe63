//! From a purl (or an os-release `ID`/`VERSION_ID`) to the names OSV files advisories under.
//!
//! - [`osv_ecosystem`]: purl type (and, for OS packages, namespace) → OSV ecosystem
//!   (`pkg:cargo/…` → `crates.io`, `pkg:deb/ubuntu/…` → `Ubuntu`);
//! - [`osv_release`]: os-release `ID` + `VERSION_ID` → the OSV ecosystem of that release
//!   (`debian` `12` → `Debian:12`, `alpine` `3.20.3` → `Alpine:v3.20`);
//! - [`purl_distro`]: the release named by a purl's `distro` qualifier (`distro=debian-12`,
//!   `distro=bookworm`, `distro=3.16.2` on an apk purl);
//! - [`component_from_purl`]: a [`Component`] with its identity filled from a purl the way
//!   mamori's detectors write it (Maven `group:artifact`, npm `@scope/name`, Go module path,
//!   source package from the `upstream` qualifier).
//!
//! ```
//! use mamori_fs::sbom::ecosystem::{component_from_purl, osv_release};
//! use mamori_model::purl::Purl;
//! let p = Purl::parse("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl").unwrap();
//! let c = component_from_purl(&p, None);
//! assert_eq!((c.ecosystem.as_str(), c.distro.as_deref()), ("Debian", Some("Debian:12")));
//! assert_eq!(c.match_name(), "openssl");
//! assert_eq!(osv_release("ubuntu", "22.04").as_deref(), Some("Ubuntu:22.04:LTS"));
//! ```

use mamori_model::purl::Purl;
use mamori_model::{Component, SourcePackage};

/// The OSV ecosystem of an operating system, by its os-release `ID` (or the namespace of a
/// deb/rpm/apk purl, which purl-spec says is that `ID`).
pub fn os_ecosystem(id: &str) -> Option<&'static str> {
    Some(match id.to_ascii_lowercase().as_str() {
        "debian" => "Debian",
        "ubuntu" => "Ubuntu",
        "alpine" => "Alpine",
        "rhel" | "redhat" | "centos" => "Red Hat",
        "rocky" => "Rocky Linux",
        "almalinux" | "alma" => "AlmaLinux",
        "sles" | "suse" | "sled" | "sle-micro" => "SUSE",
        "opensuse" | "opensuse-leap" | "opensuse-tumbleweed" => "openSUSE",
        "wolfi" => "Wolfi",
        "chainguard" => "Chainguard",
        _ => return None,
    })
}

/// The OSV ecosystem of a purl: by type for language packages, by type and namespace for
/// OS packages; `None` when OSV has no ecosystem for it (`pkg:generic/…`, `pkg:rpm/fedora/…`).
pub fn osv_ecosystem(purl: &Purl) -> Option<&'static str> {
    let ns = purl.namespace.as_deref().unwrap_or("");
    Some(match purl.ty.as_str() {
        "cargo" => "crates.io",
        "npm" => "npm",
        "pypi" => "PyPI",
        "golang" => "Go",
        "maven" => "Maven",
        "gem" => "RubyGems",
        "composer" => "Packagist",
        "nuget" => "NuGet",
        "hex" => "Hex",
        "pub" => "Pub",
        "cran" => "CRAN",
        "hackage" => "Hackage",
        "swift" => "SwiftURL",
        "deb" => os_ecosystem(if ns.is_empty() { "debian" } else { ns })?,
        "apk" => os_ecosystem(if ns.is_empty() { "alpine" } else { ns })?,
        "rpm" => os_ecosystem(ns)?,
        _ => return None,
    })
}

/// Debian and Ubuntu code names that appear in place of a version (`distro=bookworm`).
fn codename(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name.to_ascii_lowercase().as_str() {
        "stretch" => ("debian", "9"),
        "buster" => ("debian", "10"),
        "bullseye" => ("debian", "11"),
        "bookworm" => ("debian", "12"),
        "trixie" => ("debian", "13"),
        "forky" => ("debian", "14"),
        "xenial" => ("ubuntu", "16.04"),
        "bionic" => ("ubuntu", "18.04"),
        "focal" => ("ubuntu", "20.04"),
        "jammy" => ("ubuntu", "22.04"),
        "noble" => ("ubuntu", "24.04"),
        _ => return None,
    })
}

/// `major` and `minor` of a dotted version (`3.20.3` → `3`, `Some("20")`).
fn major_minor(v: &str) -> (&str, Option<&str>) {
    let mut it = v.split('.');
    let major = it.next().unwrap_or("");
    (major, it.next().filter(|m| !m.is_empty()))
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The OSV ecosystem of an operating-system release, from os-release `ID` and `VERSION_ID`,
/// as OSV names it: `Debian:12`, `Ubuntu:22.04:LTS` (even-year `.04` releases) or
/// `Ubuntu:23.10`, `Alpine:v3.20`, `Rocky Linux:9`, `AlmaLinux:9`,
/// `SUSE:Linux Enterprise Server 15 SP5`, `openSUSE:Leap 15.5`, `openSUSE:Tumbleweed`,
/// `Wolfi`, `Chainguard`.
///
/// `None` when mamori does not know how OSV names that release: Red Hat (OSV names RHEL
/// product streams such as `Red Hat:enterprise_linux:9::appstream`, which `VERSION_ID` does
/// not say), unknown distributions, versions that are not numbers.
pub fn osv_release(id: &str, version_id: &str) -> Option<String> {
    let id = id.to_ascii_lowercase();
    let (major, minor) = major_minor(version_id.trim());
    let numeric = digits(major);
    match id.as_str() {
        "debian" if numeric => Some(format!("Debian:{major}")),
        "ubuntu" if numeric => {
            let minor = minor.filter(|m| digits(m))?;
            let lts = minor == "04" && major.parse::<u32>().is_ok_and(|y| y % 2 == 0);
            Some(format!(
                "Ubuntu:{major}.{minor}{}",
                if lts { ":LTS" } else { "" }
            ))
        }
        "alpine" if numeric => {
            let minor = minor.filter(|m| digits(m))?;
            Some(format!("Alpine:v{major}.{minor}"))
        }
        "rocky" if numeric => Some(format!("Rocky Linux:{major}")),
        "almalinux" | "alma" if numeric => Some(format!("AlmaLinux:{major}")),
        "sles" | "suse" if numeric => match minor.filter(|m| digits(m) && *m != "0") {
            Some(sp) => Some(format!("SUSE:Linux Enterprise Server {major} SP{sp}")),
            None => Some(format!("SUSE:Linux Enterprise Server {major}")),
        },
        "opensuse-leap" if numeric => {
            let minor = minor.filter(|m| digits(m))?;
            Some(format!("openSUSE:Leap {major}.{minor}"))
        }
        "opensuse-tumbleweed" => Some("openSUSE:Tumbleweed".into()),
        "wolfi" => Some("Wolfi".into()),
        "chainguard" => Some("Chainguard".into()),
        _ => None,
    }
}

/// The OSV release a deb/rpm/apk purl's `distro` qualifier names, if mamori can tell.
///
/// The qualifier is written `<ID>-<VERSION_ID>` (`debian-12`, `alpine-3.20.3`,
/// `opensuse-leap-15.5`), or as a bare version (`3.16.2`, then the namespace is the `ID`),
/// or as a Debian/Ubuntu code name (`bookworm`).
pub fn purl_distro(purl: &Purl) -> Option<String> {
    if !matches!(purl.ty.as_str(), "deb" | "rpm" | "apk") {
        return None;
    }
    let q = purl.qualifiers.get("distro")?.trim();
    let ns = purl.namespace.as_deref().unwrap_or("");
    if let Some((id, v)) = q.rsplit_once('-') {
        if v.starts_with(|c: char| c.is_ascii_digit()) {
            let id = if id.is_empty() { ns } else { id };
            return osv_release(id, v);
        }
    }
    if q.starts_with(|c: char| c.is_ascii_digit()) {
        return osv_release(ns, q);
    }
    if let Some((id, v)) = codename(q) {
        return osv_release(id, v);
    }
    // `opensuse-tumbleweed`, `wolfi`: releases without a version.
    osv_release(q, "")
}

/// A component whose identity (purl, name, version, ecosystem, distro, source package) comes
/// from `purl`, following mamori's conventions; `declared` is the name the document gives,
/// used where the purl normalizes it away (PyPI, NuGet and other case-folded names).
///
/// Everything else (license, hashes, edges …) is left for the caller to fill.
pub fn component_from_purl(purl: &Purl, declared: Option<&str>) -> Component {
    let ns = purl.namespace.as_deref();
    let name = match (purl.ty.as_str(), ns) {
        ("maven", Some(g)) => format!("{g}:{}", purl.name),
        ("npm" | "golang" | "composer", Some(n)) => format!("{n}/{}", purl.name),
        ("pypi", _) => match declared {
            Some(d) if pep503(d) == purl.name => d.to_string(),
            _ => purl.name.clone(),
        },
        _ => match declared {
            Some(d) if d.eq_ignore_ascii_case(&purl.name) => d.to_string(),
            _ => purl.name.clone(),
        },
    };
    let mut c = Component::new(
        purl.to_string(),
        name,
        purl.version.clone(),
        osv_ecosystem(purl).unwrap_or(""),
    );
    c.distro = purl_distro(purl);
    if let Some(up) = purl
        .qualifiers
        .get("upstream")
        .filter(|_| purl.ty != "pypi")
    {
        // `upstream=openssl` or `upstream=openssl@3.0.11-1` (syft writes the latter).
        let (n, v) = match up.split_once('@') {
            Some((n, v)) => (n, v.to_string()),
            None => (up.as_str(), purl.version.clone().unwrap_or_default()),
        };
        // syft also writes `upstream=glibc 2.36-9` (space-separated).
        let (n, v) = match n.split_once(' ') {
            Some((n, sv)) => (n, sv.to_string()),
            None => (n, v),
        };
        if !n.is_empty() {
            c.source = Some(SourcePackage {
                name: n.to_string(),
                version: v,
            });
        }
    }
    c
}

/// A PyPI name normalized per PEP 503: lowercase, runs of `-`, `_`, `.` as one `-`.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for ch in name.chars() {
        if matches!(ch, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(ch.to_lowercase());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Purl {
        Purl::parse(s).unwrap()
    }

    #[test]
    fn language_ecosystems() {
        for (purl, eco) in [
            ("pkg:cargo/time@0.1.43", "crates.io"),
            ("pkg:npm/%40babel/core@7.24.0", "npm"),
            ("pkg:pypi/django@4.2", "PyPI"),
            ("pkg:golang/golang.org/x/net@v0.17.0", "Go"),
            ("pkg:maven/org.slf4j/slf4j-api@2.0.9", "Maven"),
            ("pkg:gem/rails@7.1.0", "RubyGems"),
            ("pkg:composer/laravel/framework@10.0.0", "Packagist"),
            ("pkg:nuget/Newtonsoft.Json@13.0.1", "NuGet"),
            ("pkg:deb/debian/libssl3@3.0.11-1", "Debian"),
            ("pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10", "Ubuntu"),
            ("pkg:apk/alpine/musl@1.2.4-r2", "Alpine"),
            ("pkg:apk/wolfi/glibc@2.38-r1", "Wolfi"),
            ("pkg:rpm/redhat/openssl@3.0.7-18.el9", "Red Hat"),
            ("pkg:rpm/rocky/openssl@3.0.7-18.el9", "Rocky Linux"),
            ("pkg:rpm/opensuse/openssl@3.0.8", "openSUSE"),
        ] {
            assert_eq!(osv_ecosystem(&p(purl)), Some(eco), "{purl}");
        }
        assert_eq!(osv_ecosystem(&p("pkg:generic/zlib@1.3")), None);
        assert_eq!(osv_ecosystem(&p("pkg:rpm/fedora/openssl@3.1.1")), None);
    }

    #[test]
    fn releases_as_osv_names_them() {
        assert_eq!(osv_release("debian", "12").as_deref(), Some("Debian:12"));
        assert_eq!(osv_release("debian", "10.8").as_deref(), Some("Debian:10"));
        assert_eq!(
            osv_release("ubuntu", "22.04").as_deref(),
            Some("Ubuntu:22.04:LTS")
        );
        assert_eq!(
            osv_release("ubuntu", "23.04").as_deref(),
            Some("Ubuntu:23.04")
        );
        assert_eq!(
            osv_release("ubuntu", "23.10").as_deref(),
            Some("Ubuntu:23.10")
        );
        assert_eq!(
            osv_release("alpine", "3.20.3").as_deref(),
            Some("Alpine:v3.20")
        );
        assert_eq!(
            osv_release("rocky", "9.3").as_deref(),
            Some("Rocky Linux:9")
        );
        assert_eq!(
            osv_release("sles", "15.5").as_deref(),
            Some("SUSE:Linux Enterprise Server 15 SP5")
        );
        assert_eq!(
            osv_release("opensuse-leap", "15.5").as_deref(),
            Some("openSUSE:Leap 15.5")
        );
        assert_eq!(osv_release("rhel", "9.2"), None);
        assert_eq!(osv_release("debian", ""), None);
        assert_eq!(osv_release("alpine", "3"), None);
        assert_eq!(osv_release("debian", "sid"), None);
    }

    #[test]
    fn distro_qualifiers() {
        for (purl, want) in [
            (
                "pkg:deb/debian/bash@5.2.15-2?distro=debian-12",
                Some("Debian:12"),
            ),
            // trivy writes the full point release.
            (
                "pkg:deb/debian/libcap-ng0@0.7.9-2?distro=debian-10.8",
                Some("Debian:10"),
            ),
            (
                "pkg:deb/debian/bash@5.2.15-2?distro=bookworm",
                Some("Debian:12"),
            ),
            (
                "pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=ubuntu-22.04",
                Some("Ubuntu:22.04:LTS"),
            ),
            (
                "pkg:apk/alpine/musl@1.2.5-r0?distro=alpine-3.20.3",
                Some("Alpine:v3.20"),
            ),
            (
                "pkg:apk/alpine/musl@1.2.3-r4?distro=3.16.2",
                Some("Alpine:v3.16"),
            ),
            (
                "pkg:rpm/opensuse/bash@5.2?distro=opensuse-leap-15.5",
                Some("openSUSE:Leap 15.5"),
            ),
            ("pkg:rpm/redhat/bash@5.1.8-6.el9?distro=rhel-9.2", None),
            ("pkg:deb/debian/bash@5.2.15-2", None),
            ("pkg:cargo/time@0.1.43?distro=debian-12", None),
        ] {
            assert_eq!(purl_distro(&p(purl)).as_deref(), want, "{purl}");
        }
    }

    #[test]
    fn names_follow_mamori_conventions() {
        let c = component_from_purl(&p("pkg:maven/org.slf4j/slf4j-api@2.0.9"), Some("slf4j-api"));
        assert_eq!(c.name, "org.slf4j:slf4j-api");
        assert_eq!(c.version.as_deref(), Some("2.0.9"));
        let c = component_from_purl(&p("pkg:npm/%40babel/core@7.24.0"), None);
        assert_eq!(c.name, "@babel/core");
        assert_eq!(c.purl, "pkg:npm/%40babel/core@7.24.0");
        let c = component_from_purl(&p("pkg:golang/golang.org/x/net@v0.17.0"), None);
        assert_eq!(c.name, "golang.org/x/net");
        assert_eq!(c.version.as_deref(), Some("v0.17.0"));
        let c = component_from_purl(&p("pkg:pypi/zope-interface@6.1"), Some("zope.interface"));
        assert_eq!(c.name, "zope.interface");
        let c = component_from_purl(&p("pkg:pypi/zope-interface@6.1"), Some("other"));
        assert_eq!(c.name, "zope-interface");
        let c = component_from_purl(
            &p("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc"),
            None,
        );
        let s = c.source.unwrap();
        assert_eq!(
            (s.name.as_str(), s.version.as_str()),
            ("glibc", "2.36-9+deb12u4")
        );
        let c = component_from_purl(
            &p("pkg:deb/debian/libssl3@3.0.11-1?upstream=openssl%403.0.11-1~deb12u2"),
            None,
        );
        assert_eq!(c.source.unwrap().version, "3.0.11-1~deb12u2");
    }

    #[test]
    fn pep503_normalizes() {
        assert_eq!(pep503("Zope.Interface"), "zope-interface");
        assert_eq!(pep503("a__b-.c"), "a-b-c");
    }
}
