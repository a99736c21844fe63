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

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::{Equal, Greater, Less};

    fn cmp(eco: Ecosystem, a: &str, b: &str) -> Ordering {
        match compare(eco, a, b) {
            Ok(o) => o,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn osv_names() {
        let cases = [
            ("crates.io", Ecosystem::CratesIo),
            ("npm", Ecosystem::Npm),
            ("PyPI", Ecosystem::PyPI),
            ("Maven", Ecosystem::Maven),
            ("Go", Ecosystem::Go),
            ("RubyGems", Ecosystem::RubyGems),
            ("NuGet", Ecosystem::NuGet),
            ("Packagist", Ecosystem::Packagist),
            ("Debian", Ecosystem::Debian),
            ("Debian:12", Ecosystem::Debian),
            ("Ubuntu:22.04:LTS", Ecosystem::Debian),
            ("Alpine", Ecosystem::Alpine),
            ("Alpine:v3.19", Ecosystem::Alpine),
            ("Red Hat", Ecosystem::Rpm),
            ("Red Hat:enterprise_linux:9::appstream", Ecosystem::Rpm),
            ("AlmaLinux:9", Ecosystem::Rpm),
            ("Rocky Linux", Ecosystem::Rpm),
            ("openSUSE", Ecosystem::Rpm),
            ("Hex", Ecosystem::Hex),
            ("Pub", Ecosystem::Pub),
            ("Hackage", Ecosystem::Hackage),
            ("CRAN", Ecosystem::Cran),
        ];
        for (name, eco) in cases {
            assert_eq!(Ecosystem::from_osv_name(name), Some(eco), "{name}");
        }
        assert_eq!(Ecosystem::from_osv_name("GIT"), None);
        assert_eq!(Ecosystem::from_osv_name(""), None);
        assert_eq!(
            Ecosystem::from_osv_name("pypi"),
            None,
            "names are case-sensitive"
        );
    }

    #[test]
    fn errors_name_the_version() {
        let e = compare(Ecosystem::SemVer, "1.0.0", "latest").unwrap_err();
        assert_eq!(e.version, "latest");
        assert!(e.to_string().contains("latest"), "{e}");
        assert!(compare(Ecosystem::Debian, "a:1.0", "1.0").is_err());
        assert!(compare(Ecosystem::Debian, "1:-1", "1.0").is_err());
        assert!(compare(Ecosystem::Cran, "1.0a", "1.0").is_err());
        assert!(compare(Ecosystem::Hackage, "1..0", "1.0").is_err());
        assert!(compare(Ecosystem::NuGet, "x", "1.0").is_err());
        assert!(compare(Ecosystem::RubyGems, "1.0 beta", "1.0").is_err());
        for eco in ALL {
            assert!(compare(eco, "", "1").is_err(), "{eco:?}");
            assert!(compare(eco, "1", "  ").is_err(), "{eco:?}");
        }
    }

    #[test]
    fn go_pseudo_versions_and_incompatible() {
        let go = Ecosystem::Go;
        assert_eq!(cmp(go, "v2.0.0+incompatible", "v2.0.0"), Equal);
        assert_eq!(cmp(go, "v2.0.1+incompatible", "v2.0.0"), Greater);
        // vX.Y.(Z+1)-0.yyyymmddhhmmss-abcdef: after vX.Y.Z, before vX.Y.(Z+1)
        let pseudo = "v1.2.4-0.20230102150405-abcdefabcdef";
        assert_eq!(cmp(go, "v1.2.3", pseudo), Less);
        assert_eq!(cmp(go, pseudo, "v1.2.4"), Less);
        assert_eq!(
            cmp(go, pseudo, "v1.2.4-0.20230102150406-000000000000"),
            Less
        );
        assert_eq!(
            cmp(go, "v0.0.0-20200101000000-abcdefabcdef", "v0.0.1"),
            Less
        );
    }

    #[test]
    fn pep440_normalization() {
        let py = Ecosystem::PyPI;
        assert_eq!(cmp(py, "1.0-alpha1", "1.0a1"), Equal);
        assert_eq!(cmp(py, "1.0.post1", "1.0-1"), Equal);
        assert_eq!(cmp(py, "1.0", "1.0.0"), Equal);
        assert_eq!(cmp(py, "v1.0", "1.0"), Equal);
        assert_eq!(cmp(py, "1.0RC1", "1.0c1"), Equal);
        assert_eq!(cmp(py, "1!0.1", "2.0"), Greater);
        assert_eq!(cmp(py, "1.0a1.post1", "1.0a2.dev1"), Less);
        assert_eq!(cmp(py, "1.0.post1.dev1", "1.0.post1"), Less);
        assert_eq!(cmp(py, "1.0+abc.5", "1.0+abc.10"), Less);
    }

    #[test]
    fn distro_schemes() {
        let deb = Ecosystem::Debian;
        assert_eq!(cmp(deb, "1.0~rc1", "1.0"), Less);
        assert_eq!(cmp(deb, "1.0", "1.0a"), Less);
        assert_eq!(cmp(deb, "1.0a", "1.0+"), Less, "letters before non-letters");
        assert_eq!(cmp(deb, "1:0.1", "9.9"), Greater);
        assert_eq!(
            cmp(deb, "1.0-1-2", "1.0-1-10"),
            Less,
            "revision after the last '-'"
        );
        let rpm = Ecosystem::Rpm;
        assert_eq!(cmp(rpm, "1:1.0-1.el9", "2.0-1.el9"), Greater);
        assert_eq!(cmp(rpm, "1.0~beta-1", "1.0-1"), Less);
        assert_eq!(cmp(rpm, "1.0^20240101-1", "1.0-1"), Greater);
        let apk = Ecosystem::Alpine;
        assert_eq!(cmp(apk, "1.2_rc1-r0", "1.2-r0"), Less);
        assert_eq!(cmp(apk, "1.2_p1-r0", "1.2-r5"), Greater);
        assert_eq!(cmp(apk, "1.2-r10", "1.2-r9"), Greater);
        assert_eq!(
            cmp(apk, "1.2_cvs", "1.2"),
            Greater,
            "no suffix sorts before _cvs"
        );
    }

    #[test]
    fn maven_qualifiers() {
        let mvn = Ecosystem::Maven;
        let ordered = [
            "1-alpha-1",
            "1-beta-1",
            "1-milestone-1",
            "1-rc-1",
            "1-SNAPSHOT",
            "1",
            "1-sp-1",
            "1-abc",
            "1-1",
            "1.1",
        ];
        for w in ordered.windows(2) {
            if let [a, b] = w {
                assert_eq!(cmp(mvn, a, b), Less, "{a} < {b}");
            }
        }
        assert_eq!(cmp(mvn, "1.0.SP1", "1.0"), Greater);
    }

    #[test]
    fn nuget_and_semver() {
        assert_eq!(cmp(Ecosystem::NuGet, "1.0.0.1", "1.0.0"), Greater);
        assert_eq!(cmp(Ecosystem::NuGet, "1.0.0-RC.1", "1.0.0-rc.1"), Equal);
        assert_eq!(cmp(Ecosystem::Npm, "1.0.0-RC.1", "1.0.0-rc.1"), Less);
        assert_eq!(cmp(Ecosystem::CratesIo, "1.0.0+a", "1.0.0+b"), Equal);
        assert_eq!(cmp(Ecosystem::Pub, "1.0.0+a", "1.0.0+b"), Less);
        assert_eq!(cmp(Ecosystem::Hex, "1.10.0", "1.9.0"), Greater);
    }

    /// Every scheme, for the robustness tests.
    pub(super) const ALL: [Ecosystem; 16] = [
        Ecosystem::SemVer,
        Ecosystem::Npm,
        Ecosystem::CratesIo,
        Ecosystem::Go,
        Ecosystem::Hex,
        Ecosystem::Pub,
        Ecosystem::PyPI,
        Ecosystem::Maven,
        Ecosystem::RubyGems,
        Ecosystem::NuGet,
        Ecosystem::Packagist,
        Ecosystem::Debian,
        Ecosystem::Rpm,
        Ecosystem::Alpine,
        Ecosystem::Hackage,
        Ecosystem::Cran,
    ];

    /// xorshift64*: deterministic pseudo-random numbers without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % n as u64).unwrap_or(0)
        }
    }

    fn random_version(rng: &mut Rng) -> String {
        const PIECES: [&str; 40] = [
            "0",
            "1",
            "9",
            "00",
            "10",
            "123456789012345678901234567890",
            ".",
            ".",
            "-",
            "_",
            "+",
            "~",
            "^",
            ":",
            "!",
            "#",
            "a",
            "b",
            "c",
            "rc",
            "RC",
            "alpha",
            "beta",
            "pre",
            "post",
            "dev",
            "p",
            "pl",
            "r",
            "v",
            "V",
            "sp",
            "ga",
            "final",
            "SNAPSHOT",
            "α",
            " ",
            "\u{0}",
            "é",
            "-r",
        ];
        let len = rng.below(12);
        (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect()
    }

    #[test]
    fn random_strings_never_panic_and_order_consistently() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let a = random_version(&mut rng);
            let b = random_version(&mut rng);
            for eco in ALL {
                let ab = compare(eco, &a, &b);
                let ba = compare(eco, &b, &a);
                if let (Ok(x), Ok(y)) = (&ab, &ba) {
                    assert_eq!(*x, y.reverse(), "{eco:?}: {a:?} vs {b:?}");
                }
                if let Ok(o) = compare(eco, &a, &a) {
                    assert_eq!(o, Equal, "{eco:?}: {a:?} vs itself");
                }
            }
        }
    }

    #[test]
    fn huge_inputs_are_handled() {
        let many_parts = "1.#".repeat(50_000);
        let long_number = "9".repeat(100_000);
        let many_dashes = "-a".repeat(50_000);
        for eco in ALL {
            for v in [&many_parts, &long_number, &many_dashes] {
                let _ = compare(eco, v, "1.0");
                let _ = compare(eco, v, v);
            }
        }
        assert_eq!(
            cmp(Ecosystem::SemVer, &long_number, &"9".repeat(99_999)),
            Greater
        );
    }
}
