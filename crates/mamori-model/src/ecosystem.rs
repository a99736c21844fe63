//! From a purl (or an os-release `ID`/`VERSION_ID`) to the names OSV files advisories under.
//! This is the one place mamori maps package identities to OSV: the SBOM readers, the
//! os-release detector, the distro post-walk step and the vulnerability database all use it.
//!
//! - [`osv_ecosystem`]: purl type (and, for OS packages, namespace) → OSV ecosystem
//!   (`pkg:cargo/…` → `crates.io`, `pkg:deb/ubuntu/…` → `Ubuntu`);
//! - [`os_family`]: os-release `ID` (or an OS purl's namespace) → OSV ecosystem family
//!   (`debian` → `Debian`, `rhel` → `Red Hat`);
//! - [`osv_release`]: os-release `ID` + `VERSION_ID` (+ `VERSION`) → the OSV ecosystem of
//!   that release (`debian` `12` → `Debian:12`, `alpine` `3.20.3` → `Alpine:v3.20`);
//! - [`purl_distro`]: the release named by a purl's `distro` qualifier (`distro=debian-12`,
//!   `distro=bookworm`, `distro=3.16.2` on an apk purl);
//! - [`component_from_purl`] / [`component_of`]: a [`Component`] whose identity is filled
//!   from a purl the way advisories write it (Maven `group:artifact`, npm `@scope/name`, Go
//!   module path, source package from the `upstream` qualifier, rpm epoch);
//! - [`pep503`]: PyPI name normalization.
//!
//! Releases, as osv.dev's data names them:
//!
//! | os-release `ID`                 | OSV ecosystem                                    |
//! |---------------------------------|--------------------------------------------------|
//! | `debian`                        | `Debian:<major VERSION_ID>`; `Debian` for testing/sid (no numeric `VERSION_ID`) |
//! | `ubuntu`                        | `Ubuntu:<YY.MM>`, plus `:LTS` when `VERSION` says LTS or the release is an even-year `.04` |
//! | `alpine`                        | `Alpine:v<major.minor>` (`3.21_alpha…` → `v3.21`)   |
//! | `rhel`, `redhat`                | `Red Hat:enterprise_linux:<major>` (see below)   |
//! | `rocky`                         | `Rocky Linux:<major>`                            |
//! | `almalinux`, `alma`             | `AlmaLinux:<major>`                              |
//! | `mageia`                        | `Mageia:<major>`                                 |
//! | `opensuse-leap`                 | `openSUSE:Leap <major.minor>`                    |
//! | `opensuse-tumbleweed`           | `openSUSE:Tumbleweed`                            |
//! | `sles`, `sles_sap`, `suse`, `sled` | `SUSE:Linux Enterprise Server <major>[ SP<minor>]` (`sled`: Desktop) |
//! | `wolfi`                         | `Wolfi`                                          |
//! | `chainguard`                    | `Chainguard`                                     |
//!
//! Debian testing and sid have no `VERSION_ID` and no advisories of their own release: the
//! bare `Debian` is kept so that the family is known. Red Hat files advisories per product
//! stream and repository (`Red Hat:enterprise_linux:9::baseos`, `…::appstream`), which an
//! installed package does not record: `Red Hat:enterprise_linux:<major>` is their common
//! prefix. Ubuntu Pro streams are not assumed. Other `ID`s (Fedora, Amazon Linux …) have
//! no OSV release here.
//!
//! ```
//! use mamori_model::ecosystem::{component_from_purl, osv_release};
//! let c = component_from_purl(
//!     "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
//! ).unwrap();
//! assert_eq!((c.ecosystem.as_str(), c.distro.as_deref()), ("Debian", Some("Debian:12")));
//! assert_eq!(c.match_name(), "openssl");
//! assert_eq!(osv_release("ubuntu", "22.04", "").as_deref(), Some("Ubuntu:22.04:LTS"));
//! ```

use crate::purl::{Purl, PurlError};
use crate::{Component, SourcePackage};
use std::fmt;

/// Why a purl cannot be turned into a component to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EcosystemError {
    /// The string is not a valid purl.
    Purl {
        /// The input.
        purl: String,
        /// What the purl parser said.
        error: PurlError,
    },
    /// OSV has no ecosystem mamori knows for this purl's type (and namespace).
    NoEcosystem {
        /// The input.
        purl: String,
    },
}

impl fmt::Display for EcosystemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EcosystemError::Purl { purl, error } => write!(f, "{purl}: {error}"),
            EcosystemError::NoEcosystem { purl } => {
                write!(f, "{purl}: no OSV ecosystem mamori knows for this purl")
            }
        }
    }
}

impl std::error::Error for EcosystemError {}

/// The OSV ecosystem family of an operating system, by its os-release `ID` or by the
/// namespace of a deb/rpm/apk purl (purl-spec says it is the `ID`; `redhat` is the
/// vendor name Red Hat's own purls use). Case-insensitive.
///
/// CentOS rebuilds Red Hat Enterprise Linux from the same sources and has no OSV
/// ecosystem of its own: it is `Red Hat`.
pub fn os_family(id: &str) -> Option<&'static str> {
    Some(match id.trim().to_ascii_lowercase().as_str() {
        "debian" => "Debian",
        "ubuntu" => "Ubuntu",
        "alpine" => "Alpine",
        "rhel" | "redhat" | "centos" => "Red Hat",
        "rocky" => "Rocky Linux",
        "almalinux" | "alma" => "AlmaLinux",
        "sles" | "sles_sap" | "sled" | "suse" | "sle-micro" => "SUSE",
        "opensuse" | "opensuse-leap" | "opensuse-tumbleweed" => "openSUSE",
        "mageia" => "Mageia",
        "openeuler" => "openEuler",
        "photon" => "Photon OS",
        "azurelinux" | "mariner" => "Azure Linux",
        "wolfi" => "Wolfi",
        "chainguard" => "Chainguard",
        _ => return None,
    })
}

/// The OSV ecosystem of a purl: by type for language packages, by type and namespace for
/// OS packages (`deb`: Debian or Ubuntu; `apk`: Alpine, Wolfi or Chainguard; `rpm`: the
/// RPM distributions of [`os_family`]); `None` when OSV has no ecosystem for it
/// (`pkg:generic/…`, `pkg:rpm/fedora/…`, `pkg:deb/alpine/…`).
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
        "deb" => match os_family(if ns.is_empty() { "debian" } else { ns })? {
            f @ ("Debian" | "Ubuntu") => f,
            _ => return None,
        },
        "apk" => match os_family(if ns.is_empty() { "alpine" } else { ns })? {
            f @ ("Alpine" | "Wolfi" | "Chainguard") => f,
            _ => return None,
        },
        "rpm" => match os_family(ns)? {
            "Debian" | "Ubuntu" | "Alpine" | "Wolfi" | "Chainguard" => return None,
            f => f,
        },
        _ => return None,
    })
}

/// Debian and Ubuntu code names that appear in place of a version (`distro=bookworm`).
fn codename(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name {
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

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The leading number of a version (`12.4` → `12`); `None` when it is not a number.
fn major(v: &str) -> Option<&str> {
    v.split('.').next().filter(|m| digits(m))
}

/// `major.minor` of a version, the minor cut at its first non-digit (`3.20.3` → `3.20`,
/// `3.21_alpha20240807` → `3.21`); `None` without a numeric major and minor.
fn major_minor(v: &str) -> Option<(&str, &str)> {
    let mut it = v.split('.');
    let a = it.next().filter(|m| digits(m))?;
    let b = it.next()?;
    let end = b.bytes().take_while(u8::is_ascii_digit).count();
    let b = b.get(..end).filter(|m| !m.is_empty())?;
    Some((a, b))
}

/// The OSV ecosystem of an operating-system release, from os-release `ID`, `VERSION_ID`
/// and `VERSION` (the latter only tells Ubuntu LTS releases; pass `""` when unknown: then
/// an even-year `.04` Ubuntu release is LTS). See the module table.
///
/// `None` when mamori does not know how OSV names that release: unknown distributions,
/// versions that are not numbers (except Debian, where the bare `Debian` is returned).
pub fn osv_release(id: &str, version_id: &str, version: &str) -> Option<String> {
    let id = id.trim().to_ascii_lowercase();
    let vid = version_id.trim();
    Some(match id.as_str() {
        "debian" => match major(vid) {
            Some(m) => format!("Debian:{m}"),
            None => "Debian".to_string(),
        },
        "ubuntu" => {
            let (yy, mm) = major_minor(vid)?;
            let lts = version.contains("LTS")
                || (mm == "04" && yy.parse::<u32>().is_ok_and(|y| y % 2 == 0));
            format!("Ubuntu:{yy}.{mm}{}", if lts { ":LTS" } else { "" })
        }
        "alpine" => {
            let (a, b) = major_minor(vid)?;
            format!("Alpine:v{a}.{b}")
        }
        "rhel" | "redhat" => format!("Red Hat:enterprise_linux:{}", major(vid)?),
        "rocky" => format!("Rocky Linux:{}", major(vid)?),
        "almalinux" | "alma" => format!("AlmaLinux:{}", major(vid)?),
        "mageia" => format!("Mageia:{}", major(vid)?),
        "opensuse-leap" => {
            let (a, b) = major_minor(vid)?;
            format!("openSUSE:Leap {a}.{b}")
        }
        "opensuse-tumbleweed" => "openSUSE:Tumbleweed".to_string(),
        "sles" | "sles_sap" | "suse" | "sled" => {
            let product = if id == "sled" {
                "Linux Enterprise Desktop"
            } else {
                "Linux Enterprise Server"
            };
            let m = major(vid)?;
            match vid.split('.').nth(1).filter(|s| digits(s) && *s != "0") {
                Some(sp) => format!("SUSE:{product} {m} SP{sp}"),
                None => format!("SUSE:{product} {m}"),
            }
        }
        "wolfi" => "Wolfi".to_string(),
        "chainguard" => "Chainguard".to_string(),
        _ => return None,
    })
}

/// The OSV release a deb/rpm/apk purl's `distro` qualifier names, if mamori can tell.
///
/// The qualifier is written `<ID>-<VERSION_ID>` (`debian-12`, `alpine-3.20.3`,
/// `opensuse-leap-15.5`), or as a bare version (`3.16.2`, then the namespace is the `ID`),
/// or as a Debian/Ubuntu code name (`bookworm`), or as a release without a version
/// (`opensuse-tumbleweed`, `wolfi`).
pub fn purl_distro(purl: &Purl) -> Option<String> {
    if !matches!(purl.ty.as_str(), "deb" | "rpm" | "apk") {
        return None;
    }
    let q = purl.qualifiers.get("distro")?.trim().to_ascii_lowercase();
    let ns = purl.namespace.as_deref().unwrap_or("");
    if let Some((id, v)) = q.rsplit_once('-') {
        if v.starts_with(|c: char| c.is_ascii_digit()) {
            let id = if id.is_empty() { ns } else { id };
            return osv_release(id, v, "");
        }
    }
    if q.starts_with(|c: char| c.is_ascii_digit()) {
        return osv_release(ns, &q, "");
    }
    if let Some((id, v)) = codename(&q) {
        return osv_release(id, v, "");
    }
    // `opensuse-tumbleweed`, `wolfi`: releases without a version. A bare `debian` says
    // nothing more than the namespace does.
    osv_release(&q, "", "")
        .filter(|r| r.contains(':') || matches!(r.as_str(), "Wolfi" | "Chainguard"))
}

/// Parses a purl for matching: [`Purl::parse`], except that a `golang` purl without a
/// namespace is accepted (`pkg:golang/stdlib@1.22.5`).
///
/// The purl specification's `golang` type definition requires a namespace (and
/// [`Purl::parse`] keeps that rule, the official test suite expects it), but the Go
/// standard library has a one-segment path, and OSV, Go's vulnerability database,
/// osv-scanner, syft and trivy all write it `pkg:golang/stdlib@<version>`; mamori's Go
/// binary detector does too. purl-spec issue #817 (open) asks to make the namespace
/// optional for that reason. Every other rule of the specification still applies.
pub fn parse_purl(s: &str) -> Result<Purl, PurlError> {
    match Purl::parse(s) {
        Err(PurlError::NamespaceRequired(t)) if t == "golang" => {
            golang_without_namespace(s).ok_or(PurlError::NamespaceRequired(t))
        }
        r => r,
    }
}

/// `pkg:golang/<name>…` read as a purl of a type without rules, then typed `golang`
/// (the `golang` type has no rule besides the namespace).
fn golang_without_namespace(s: &str) -> Option<Purl> {
    if !s.get(..4)?.eq_ignore_ascii_case("pkg:") {
        return None;
    }
    let rest = s.get(4..)?.trim_start_matches('/');
    let (ty, after) = (rest.get(..6)?, rest.get(6..)?);
    if !ty.eq_ignore_ascii_case("golang") || !after.starts_with('/') {
        return None;
    }
    let mut p = Purl::parse(&format!("pkg:generic{after}")).ok()?;
    if p.namespace.is_some() {
        return None;
    }
    p.ty = "golang".to_string();
    Some(p)
}

/// Turns a purl string into the [`Component`] to match: ecosystem, name and version as OSV
/// advisories write them (see [`component_of`]). The purl is read with [`parse_purl`].
///
/// An error when the string is not a purl or OSV has no ecosystem for it.
pub fn component_from_purl(purl: &str) -> Result<Component, EcosystemError> {
    let p = parse_purl(purl).map_err(|error| EcosystemError::Purl {
        purl: purl.to_string(),
        error,
    })?;
    let c = component_of(&p, None);
    if c.ecosystem.is_empty() {
        return Err(EcosystemError::NoEcosystem {
            purl: purl.to_string(),
        });
    }
    Ok(c)
}

/// A component whose identity comes from `purl`, following mamori's conventions:
///
/// - `purl` = the canonical purl; `ecosystem` = [`osv_ecosystem`] (empty when none);
///   `distro` = [`purl_distro`];
/// - name: Maven `group:artifact`; npm `@scope/name`, Go module path, Packagist
///   `vendor/name`, SwiftURL `host/owner/repo` (namespace `/` name); PyPI: `declared` (the
///   name the document gives, as published) when it normalizes to the purl's name, else the
///   purl's name; other types: `declared` when it equals the purl's name but for case;
/// - version: the purl's; for `rpm`, the `epoch` qualifier is prefixed (`1:3.0.7-27.el9`,
///   as rpm compares versions), unless the version already has an epoch;
/// - source package (deb, apk): the `upstream` qualifier, written `openssl`,
///   `openssl@3.0.11-1` or `glibc 2.36-9` (syft); its version is the package's when the
///   qualifier has none. rpm's `upstream` (a source rpm file name) is not used: OSV's RPM
///   advisories name binary packages.
///
/// Everything else (license, hashes, edges …) is left for the caller to fill.
pub fn component_of(purl: &Purl, declared: Option<&str>) -> Component {
    let ns = purl.namespace.as_deref().filter(|n| !n.is_empty());
    let name = match (purl.ty.as_str(), ns) {
        ("maven", Some(g)) => format!("{g}:{}", purl.name),
        ("npm" | "golang" | "composer" | "swift", Some(n)) => format!("{n}/{}", purl.name),
        ("pypi", _) => match declared {
            Some(d) if pep503(d) == purl.name => d.trim().to_string(),
            _ => purl.name.clone(),
        },
        _ => match declared {
            Some(d) if d.eq_ignore_ascii_case(&purl.name) => d.to_string(),
            _ => purl.name.clone(),
        },
    };
    let mut version = purl.version.clone();
    if purl.ty == "rpm" {
        if let (Some(e), Some(v)) = (purl.qualifiers.get("epoch"), &version) {
            if !v.contains(':') && digits(e) {
                version = Some(format!("{e}:{v}"));
            }
        }
    }
    let mut c = Component::new(
        purl.to_string(),
        name,
        version,
        osv_ecosystem(purl).unwrap_or(""),
    );
    c.distro = purl_distro(purl);
    if let Some(up) = purl
        .qualifiers
        .get("upstream")
        .filter(|_| matches!(purl.ty.as_str(), "deb" | "apk"))
    {
        let (n, v) = match up.split_once('@') {
            Some((n, v)) => (n, v.to_string()),
            None => (up.as_str(), purl.version.clone().unwrap_or_default()),
        };
        let (n, v) = match n.trim().split_once(' ') {
            Some((n, sv)) => (n, sv.trim().to_string()),
            None => (n.trim(), v),
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

/// A PyPI name normalized per PEP 503: lowercase, runs of `-`, `_` and `.` become one `-`
/// (surrounding white space and separators at the ends are dropped; valid names have none).
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for ch in name.trim().chars() {
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
            ("pkg:hex/phoenix@1.7.0", "Hex"),
            ("pkg:pub/http@1.2.0", "Pub"),
            ("pkg:hackage/aeson@2.2.1.0", "Hackage"),
            ("pkg:cran/ggplot2@3.5.0", "CRAN"),
            ("pkg:swift/github.com/apple/swift-nio@2.62.0", "SwiftURL"),
            ("pkg:deb/debian/libssl3@3.0.11-1", "Debian"),
            ("pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.10", "Ubuntu"),
            ("pkg:apk/alpine/musl@1.2.4-r2", "Alpine"),
            ("pkg:apk/wolfi/glibc@2.38-r1", "Wolfi"),
            ("pkg:apk/chainguard/glibc@2.38-r1", "Chainguard"),
            ("pkg:rpm/redhat/openssl@3.0.7-18.el9", "Red Hat"),
            ("pkg:rpm/rocky/openssl@3.0.7-18.el9", "Rocky Linux"),
            ("pkg:rpm/almalinux/openssl@3.0.7-18.el9", "AlmaLinux"),
            ("pkg:rpm/opensuse/openssl@3.0.8", "openSUSE"),
            ("pkg:rpm/sles/openssl@3.0.8", "SUSE"),
            ("pkg:rpm/mageia/openssl@3.0.8", "Mageia"),
        ] {
            assert_eq!(osv_ecosystem(&p(purl)), Some(eco), "{purl}");
        }
        assert_eq!(osv_ecosystem(&p("pkg:generic/zlib@1.3")), None);
        assert_eq!(osv_ecosystem(&p("pkg:rpm/fedora/openssl@3.1.1")), None);
        // A family under the wrong package type is not an ecosystem.
        assert_eq!(osv_ecosystem(&p("pkg:deb/alpine/musl@1.2.4")), None);
        assert_eq!(osv_ecosystem(&p("pkg:rpm/debian/bash@5.2")), None);
        assert_eq!(osv_ecosystem(&p("pkg:apk/ubuntu/bash@5.2")), None);
    }

    #[test]
    fn families() {
        for (id, fam) in [
            ("debian", "Debian"),
            ("ubuntu", "Ubuntu"),
            ("alpine", "Alpine"),
            ("rhel", "Red Hat"),
            ("redhat", "Red Hat"),
            ("rocky", "Rocky Linux"),
            ("almalinux", "AlmaLinux"),
            ("opensuse-leap", "openSUSE"),
            ("opensuse-tumbleweed", "openSUSE"),
            ("sles", "SUSE"),
            ("sles_sap", "SUSE"),
            ("sled", "SUSE"),
            ("wolfi", "Wolfi"),
            ("chainguard", "Chainguard"),
            ("Debian", "Debian"),
        ] {
            assert_eq!(os_family(id), Some(fam), "{id}");
        }
        assert_eq!(os_family("fedora"), None);
        assert_eq!(os_family(""), None);
    }

    #[test]
    fn releases_as_osv_names_them() {
        let r = |id, v| osv_release(id, v, "");
        assert_eq!(r("debian", "12").as_deref(), Some("Debian:12"));
        assert_eq!(r("debian", "10.8").as_deref(), Some("Debian:10"));
        assert_eq!(r("ubuntu", "22.04").as_deref(), Some("Ubuntu:22.04:LTS"));
        assert_eq!(r("ubuntu", "23.04").as_deref(), Some("Ubuntu:23.04"));
        assert_eq!(r("ubuntu", "23.10").as_deref(), Some("Ubuntu:23.10"));
        assert_eq!(r("ubuntu", "22.04.4").as_deref(), Some("Ubuntu:22.04:LTS"));
        assert_eq!(r("alpine", "3.20.3").as_deref(), Some("Alpine:v3.20"));
        assert_eq!(r("rocky", "9.3").as_deref(), Some("Rocky Linux:9"));
        assert_eq!(r("alma", "9.3").as_deref(), Some("AlmaLinux:9"));
        assert_eq!(r("mageia", "9").as_deref(), Some("Mageia:9"));
        assert_eq!(
            r("sles", "15.5").as_deref(),
            Some("SUSE:Linux Enterprise Server 15 SP5")
        );
        assert_eq!(
            r("sled", "15.5").as_deref(),
            Some("SUSE:Linux Enterprise Desktop 15 SP5")
        );
        assert_eq!(
            r("opensuse-leap", "15.5").as_deref(),
            Some("openSUSE:Leap 15.5")
        );
        assert_eq!(
            r("opensuse-tumbleweed", "20240101").as_deref(),
            Some("openSUSE:Tumbleweed")
        );
        assert_eq!(
            r("rhel", "9.2").as_deref(),
            Some("Red Hat:enterprise_linux:9")
        );
        assert_eq!(r("chainguard", "").as_deref(), Some("Chainguard"));
        // Debian testing/sid: no numeric VERSION_ID, the family is kept.
        assert_eq!(r("debian", "").as_deref(), Some("Debian"));
        assert_eq!(r("debian", "sid").as_deref(), Some("Debian"));
        assert_eq!(r("alpine", "3"), None);
        assert_eq!(r("ubuntu", ""), None);
        assert_eq!(r("opensuse-leap", ""), None);
        assert_eq!(r("centos", "7"), None);
        assert_eq!(r("fedora", "40"), None);
    }

    /// The cases of the os-release detector (ID, VERSION_ID, VERSION as the files say them).
    #[test]
    fn releases_from_os_release() {
        let e = |id, v, ver| osv_release(id, v, ver);
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
        // VERSION says LTS where the even-year rule would not (Ubuntu 6.06 LTS).
        assert_eq!(
            e("ubuntu", "6.06", "6.06 LTS (Dapper Drake)").as_deref(),
            Some("Ubuntu:6.06:LTS")
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
                "pkg:deb/ubuntu/bash@5.1-6ubuntu1?distro=jammy",
                Some("Ubuntu:22.04:LTS"),
            ),
            (
                "pkg:deb/ubuntu/openssl@3.0.2?distro=ubuntu-23.10",
                Some("Ubuntu:23.10"),
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
            (
                "pkg:rpm/opensuse/bash@5.2?distro=opensuse-tumbleweed",
                Some("openSUSE:Tumbleweed"),
            ),
            ("pkg:apk/wolfi/bash@5.2?distro=wolfi", Some("Wolfi")),
            (
                "pkg:rpm/almalinux/bash@5.1?distro=almalinux-9",
                Some("AlmaLinux:9"),
            ),
            (
                "pkg:rpm/redhat/bash@5.1.8-6.el9?distro=rhel-9.2",
                Some("Red Hat:enterprise_linux:9"),
            ),
            ("pkg:deb/debian/bash@5.2.15-2?distro=debian", None),
            ("pkg:deb/debian/bash@5.2.15-2?distro=debian-sid", None),
            ("pkg:deb/debian/bash@5.2.15-2", None),
            ("pkg:cargo/time@0.1.43?distro=debian-12", None),
        ] {
            assert_eq!(purl_distro(&p(purl)).as_deref(), want, "{purl}");
        }
    }

    #[test]
    fn names_follow_mamori_conventions() {
        let c = component_of(&p("pkg:maven/org.slf4j/slf4j-api@2.0.9"), Some("slf4j-api"));
        assert_eq!(c.name, "org.slf4j:slf4j-api");
        assert_eq!(c.version.as_deref(), Some("2.0.9"));
        let c = component_of(&p("pkg:npm/%40babel/core@7.24.0"), None);
        assert_eq!(c.name, "@babel/core");
        assert_eq!(c.purl, "pkg:npm/%40babel/core@7.24.0");
        let c = component_of(&p("pkg:golang/golang.org/x/net@v0.17.0"), None);
        assert_eq!(c.name, "golang.org/x/net");
        assert_eq!(c.version.as_deref(), Some("v0.17.0"));
        let c = component_of(&p("pkg:pypi/zope-interface@6.1"), Some("zope.interface"));
        assert_eq!(c.name, "zope.interface");
        let c = component_of(&p("pkg:pypi/zope-interface@6.1"), Some("other"));
        assert_eq!(c.name, "zope-interface");
        let c = component_of(
            &p("pkg:nuget/Newtonsoft.Json@13.0.1"),
            Some("newtonsoft.json"),
        );
        assert_eq!(c.name, "newtonsoft.json");
        let c = component_of(&p("pkg:swift/github.com/apple/swift-nio@2.62.0"), None);
        assert_eq!(c.name, "github.com/apple/swift-nio");
        let c = component_of(&p("pkg:generic/zlib@1.3"), None);
        assert_eq!((c.name.as_str(), c.ecosystem.as_str()), ("zlib", ""));
        let c = component_of(
            &p("pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc"),
            None,
        );
        let s = c.source.unwrap();
        assert_eq!(
            (s.name.as_str(), s.version.as_str()),
            ("glibc", "2.36-9+deb12u4")
        );
        let c = component_of(
            &p("pkg:deb/debian/libssl3@3.0.11-1?upstream=openssl%403.0.11-1~deb12u2"),
            None,
        );
        assert_eq!(c.source.unwrap().version, "3.0.11-1~deb12u2");
        // syft: `upstream=<name> <version>`.
        let c = component_of(
            &p("pkg:deb/debian/libc6@2.36-9%2Bb1?upstream=glibc%202.36-9"),
            None,
        );
        let s = c.source.unwrap();
        assert_eq!((s.name.as_str(), s.version.as_str()), ("glibc", "2.36-9"));
        // syft: apk `upstream` is the origin (Alpine advisories name origins).
        let c = component_of(
            &p("pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&upstream=openssl&distro=alpine-3.19.1"),
            None,
        );
        assert_eq!(
            (c.match_ecosystem(), c.match_name(), c.match_version()),
            ("Alpine:v3.19", "openssl", Some("3.1.4-r5"))
        );
        // rpm `upstream` is a source rpm file name, not a name advisories use.
        let c = component_of(
            &p("pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?epoch=1&upstream=openssl-3.0.7-27.el9.src.rpm"),
            None,
        );
        assert_eq!(c.source, None);
        assert_eq!(c.match_name(), "openssl-libs");
        assert_eq!(c.version.as_deref(), Some("1:3.0.7-27.el9"));
    }

    /// The cases of the vulnerability database's purl lookup (`mamori vulndb query PURL`).
    #[test]
    fn purls_to_match() {
        let c = component_from_purl("pkg:cargo/smallvec@1.6.0").unwrap();
        assert_eq!(
            (c.match_ecosystem(), c.match_name(), c.match_version()),
            ("crates.io", "smallvec", Some("1.6.0"))
        );
        let c = component_from_purl("pkg:golang/golang.org/x/net@v0.1.0").unwrap();
        assert_eq!(
            (c.match_ecosystem(), c.match_name(), c.match_version()),
            ("Go", "golang.org/x/net", Some("v0.1.0"))
        );
        let c =
            component_from_purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1").unwrap();
        assert_eq!(c.match_name(), "org.apache.logging.log4j:log4j-core");
        let c = component_from_purl("pkg:npm/%40babel/core@7.0.0").unwrap();
        assert_eq!(c.match_name(), "@babel/core");
        let c = component_from_purl("pkg:composer/symfony/http-kernel@5.0.0").unwrap();
        assert_eq!(
            (c.match_ecosystem(), c.match_name()),
            ("Packagist", "symfony/http-kernel")
        );
        let c = component_from_purl("pkg:gem/rails@7.0.0").unwrap();
        assert_eq!(c.match_ecosystem(), "RubyGems");
        let c = component_from_purl("pkg:nuget/Newtonsoft.Json@12.0.1").unwrap();
        assert_eq!(c.match_ecosystem(), "NuGet");
        let c = component_from_purl(
            "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl",
        )
        .unwrap();
        assert_eq!(
            (c.match_ecosystem(), c.match_name(), c.match_version()),
            ("Debian:12", "openssl", Some("3.0.11-1~deb12u2"))
        );
        let c = component_from_purl("pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1?distro=ubuntu-22.04")
            .unwrap();
        assert_eq!(c.match_ecosystem(), "Ubuntu:22.04:LTS");
        let c = component_from_purl("pkg:deb/ubuntu/openssl@3.0.2?distro=ubuntu-23.10").unwrap();
        assert_eq!(c.match_ecosystem(), "Ubuntu:23.10");
        let c = component_from_purl("pkg:deb/debian/openssl@3.0.2?distro=bookworm").unwrap();
        assert_eq!(c.match_ecosystem(), "Debian:12");
        let c =
            component_from_purl("pkg:apk/alpine/busybox@1.36.1-r29?distro=alpine-3.20.3").unwrap();
        assert_eq!(c.match_ecosystem(), "Alpine:v3.20");
        let c = component_from_purl("pkg:rpm/rocky/openssl@3.0.7-27.el9?distro=rocky-9.3&epoch=1")
            .unwrap();
        assert_eq!(
            (c.match_ecosystem(), c.match_version()),
            ("Rocky Linux:9", Some("1:3.0.7-27.el9"))
        );
        // An epoch already in the version is not added twice.
        let c = component_from_purl("pkg:rpm/rocky/openssl@1:3.0.7-27.el9?epoch=1").unwrap();
        assert_eq!(c.match_version(), Some("1:3.0.7-27.el9"));
        let c = component_from_purl("pkg:deb/debian/zlib@1.2").unwrap();
        assert_eq!(c.match_ecosystem(), "Debian");
        // The component's purl is the canonical form of the input.
        let c = component_from_purl("pkg:PYPI/Django_Rest@3.0").unwrap();
        assert_eq!(
            (c.purl.as_str(), c.match_name()),
            ("pkg:pypi/django-rest@3.0", "django-rest")
        );
        assert!(matches!(
            component_from_purl("pkg:generic/foo@1"),
            Err(EcosystemError::NoEcosystem { .. })
        ));
        assert!(matches!(
            component_from_purl("pkg:rpm/fedora/openssl@3.1.1"),
            Err(EcosystemError::NoEcosystem { .. })
        ));
        assert!(matches!(
            component_from_purl("not a purl"),
            Err(EcosystemError::Purl { .. })
        ));
    }

    #[test]
    fn go_standard_library() {
        // Purl keeps the specification's rule …
        assert_eq!(
            Purl::parse("pkg:golang/stdlib@1.22.5"),
            Err(PurlError::NamespaceRequired("golang".into()))
        );
        // … the mapping accepts what OSV and Go's vulnerability database write.
        for s in ["pkg:golang/stdlib@1.22.5", "PKG:GoLang/stdlib@1.22.5"] {
            let c = component_from_purl(s).unwrap();
            assert_eq!(
                (c.purl.as_str(), c.match_ecosystem(), c.match_name()),
                ("pkg:golang/stdlib@1.22.5", "Go", "stdlib")
            );
            assert_eq!(c.match_version(), Some("1.22.5"));
        }
        let p = parse_purl("pkg:golang/toolchain@1.22.5#src/net").unwrap();
        assert_eq!(
            (p.ty.as_str(), p.namespace, p.name.as_str()),
            ("golang", None, "toolchain")
        );
        assert_eq!(p.subpath.as_deref(), Some("src/net"));
        // Only the missing namespace is forgiven.
        assert!(parse_purl("pkg:golang/").is_err());
        assert!(parse_purl("pkg:golang/stdlib@1.22.5?A%20=1").is_err());
        assert!(parse_purl("pkg:deb/bash@5.2").is_err());
        assert_eq!(
            parse_purl("pkg:golang/golang.org/x/net@v0.1.0"),
            Purl::parse("pkg:golang/golang.org/x/net@v0.1.0")
        );
    }

    #[test]
    fn pep503_normalizes() {
        assert_eq!(pep503("Zope.Interface"), "zope-interface");
        assert_eq!(pep503("a__b-.c"), "a-b-c");
        assert_eq!(pep503("Foo.Bar__baz-_-Qux"), "foo-bar-baz-qux");
        assert_eq!(pep503("charset_normalizer"), "charset-normalizer");
        assert_eq!(pep503("Django_Rest.framework"), "django-rest-framework");
        assert_eq!(pep503("a__-b"), "a-b");
        assert_eq!(pep503(" Jinja2 "), "jinja2");
    }

    #[test]
    fn nothing_panics_on_odd_input() {
        for s in [
            "",
            "pkg:",
            "pkg:golang",
            "pkg:golang/",
            "pkg:gol",
            "pkg:golangx/a",
            "pkg:é",
            "pkg:deb/debian/x?distro=-",
            "pkg:deb/debian/x?distro=-1",
            "pkg:apk/alpine/x?distro=.",
            "pkg:rpm/rocky/x@1?epoch=x",
            "pkg:deb/debian/x@1?upstream=%20",
            "pkg:deb/debian/x?upstream=@",
        ] {
            let _ = component_from_purl(s);
        }
        for v in ["", ".", "..", "1.", ".1", "ü.ü", "99999999999999999999.04"] {
            for id in [
                "debian",
                "ubuntu",
                "alpine",
                "sles",
                "opensuse-leap",
                "rhel",
            ] {
                let _ = osv_release(id, v, v);
            }
        }
    }
}
