//! Version ordering per ecosystem.
//!
//! [`compare`] orders two version strings of one [`Ecosystem`].
//! [`Ecosystem::from_osv_name`] maps the ecosystem names used by OSV records
//! (`"PyPI"`, `"Debian:12"`, `"Alpine:v3.19"`, `"Red Hat"`, ...) to the scheme
//! that orders their versions.

use std::cmp::Ordering;
use std::fmt;

mod alpine;
mod debian;
mod maven;
mod numeric;
mod packagist;
mod pypi;
mod rpm;
mod rubygems;
mod semver;
mod simple;

/// A version ordering scheme, named after the ecosystem that defines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ecosystem {
    /// Semantic Versioning 2.0.0 precedence; build metadata is ignored.
    /// A leading `v` is accepted and missing minor/patch numbers count as 0.
    SemVer,
    /// npm (node-semver): SemVer 2.0 precedence.
    Npm,
    /// crates.io (Cargo): SemVer 2.0 precedence.
    CratesIo,
    /// Go modules: SemVer with a `v` prefix; `+incompatible` is build
    /// metadata and pseudo-versions order as SemVer pre-releases.
    Go,
    /// Hex (Elixir/Erlang): SemVer 2.0 precedence.
    Hex,
    /// Pub (Dart): SemVer, except that a build suffix sorts after the plain
    /// version and build identifiers are compared.
    Pub,
    /// PyPI: PEP 440, with the pre-PEP 440 (setuptools) ordering for legacy
    /// versions, which sort before every PEP 440 version.
    PyPI,
    /// Maven: the "Version Order Specification" of the POM reference
    /// (ComparableVersion).
    Maven,
    /// RubyGems: `Gem::Version` ordering.
    RubyGems,
    /// NuGet: SemVer 2.0 with up to four numeric parts and case-insensitive
    /// pre-release labels.
    NuGet,
    /// Packagist (Composer): PHP `version_compare` ordering.
    Packagist,
    /// Debian and Ubuntu: dpkg ordering of `[epoch:]upstream[-revision]`.
    Debian,
    /// RPM distributions (Red Hat, AlmaLinux, Rocky Linux, openSUSE, ...):
    /// `rpmvercmp` with epochs, `~` and `^`.
    Rpm,
    /// Alpine, Wolfi, Chainguard: apk `version_compare`.
    Alpine,
    /// Hackage (Haskell): dot-separated numbers compared as lists.
    Hackage,
    /// CRAN (R): numbers separated by `.` or `-`, compared as lists.
    Cran,
}

impl Ecosystem {
    /// The ordering scheme for an OSV ecosystem name, or `None` when the
    /// ecosystem has no known version ordering (for example `"GIT"`).
    ///
    /// A release suffix after `:` (`"Debian:12"`, `"Alpine:v3.19"`,
    /// `"Red Hat:enterprise_linux:9"`) is ignored: it does not change the
    /// ordering.
    pub fn from_osv_name(name: &str) -> Option<Ecosystem> {
        let base = name.split(':').next().unwrap_or(name).trim();
        let eco = match base {
            "crates.io" => Ecosystem::CratesIo,
            "npm" => Ecosystem::Npm,
            "Go" => Ecosystem::Go,
            "Hex" => Ecosystem::Hex,
            "Pub" => Ecosystem::Pub,
            "PyPI" => Ecosystem::PyPI,
            "Maven" => Ecosystem::Maven,
            "RubyGems" => Ecosystem::RubyGems,
            "NuGet" => Ecosystem::NuGet,
            "Packagist" => Ecosystem::Packagist,
            "Debian" | "Ubuntu" => Ecosystem::Debian,
            "Red Hat" | "AlmaLinux" | "Rocky Linux" | "openSUSE" | "SUSE" | "Mageia"
            | "openEuler" | "Azure Linux" | "Photon OS" => Ecosystem::Rpm,
            "Alpine" | "Wolfi" | "Chainguard" | "MinimOS" => Ecosystem::Alpine,
            "Hackage" | "GHC" => Ecosystem::Hackage,
            "CRAN" => Ecosystem::Cran,
            "Bitnami" | "SwiftURL" => Ecosystem::SemVer,
            _ => return None,
        };
        Some(eco)
    }
}

/// Why a version could not be ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionError {
    /// The scheme the version was read in.
    pub ecosystem: Ecosystem,
    /// The version as given.
    pub version: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {:?} version {:?}: {}",
            self.ecosystem, self.version, self.reason
        )
    }
}

impl std::error::Error for VersionError {}

/// Orders two versions of one ecosystem.
///
/// Returns how `a` relates to `b` (`Less` means `a` is older), or an error
/// naming the first version that cannot be read in that scheme. Never
/// panics, whatever the input.
pub fn compare(eco: Ecosystem, a: &str, b: &str) -> Result<Ordering, VersionError> {
    let err = |version: &str, reason: &'static str| VersionError {
        ecosystem: eco,
        version: version.to_string(),
        reason,
    };
    for v in [a, b] {
        if v.trim().is_empty() {
            return Err(err(v, "empty version"));
        }
    }
    let r: Result<Ordering, (&str, &'static str)> = match eco {
        Ecosystem::SemVer
        | Ecosystem::Npm
        | Ecosystem::CratesIo
        | Ecosystem::Go
        | Ecosystem::Hex => semver::compare(semver::Flavor::SemVer, a, b),
        Ecosystem::Pub => semver::compare(semver::Flavor::Pub, a, b),
        Ecosystem::NuGet => semver::compare(semver::Flavor::NuGet, a, b),
        Ecosystem::PyPI => Ok(pypi::compare(a, b)),
        Ecosystem::Maven => Ok(maven::compare(a, b)),
        Ecosystem::RubyGems => rubygems::compare(a, b),
        Ecosystem::Packagist => Ok(packagist::compare(a, b)),
        Ecosystem::Debian => debian::compare(a, b),
        Ecosystem::Rpm => Ok(rpm::compare(a, b)),
        Ecosystem::Alpine => Ok(alpine::compare(a, b)),
        Ecosystem::Hackage => simple::compare_hackage(a, b),
        Ecosystem::Cran => simple::compare_cran(a, b),
    };
    r.map_err(|(v, reason)| err(v, reason))
}

/// The result type of the per-scheme parsers: the offending version and why.
type Parsed<'a, T> = Result<T, (&'a str, &'static str)>;
