//! The crypto-library table (`data/crypto-libraries.toml`): how libraries show up in
//! binaries and archives, and what their versions imply.
//!
//! ```
//! use mamori_fs::binary::libs;
//! let facts = libs::version_facts("OpenSSL", "1.1.1w");
//! assert!(facts.iter().any(|f| f.eol.as_deref() == Some("2023-09-11")));
//! assert!(libs::version_facts("OpenSSL", "3.5.1").iter().any(|f| f.pqc.iter().any(|p| p == "ML-KEM")));
//! assert_eq!(libs::soname_library("libcrypto.so.3"), Some(("OpenSSL", Some("3.x"))));
//! ```

use serde::Deserialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A shared-object name family (`libcrypto.so.*`).
#[derive(Debug, Clone, Deserialize)]
pub struct Soname {
    /// Name before `.so` (`libcrypto`, `libbotan-2`).
    pub stem: String,
    /// Library it belongs to.
    pub library: String,
    /// Soname version suffix (after `.so.`) → release series; `""` for no suffix, `"*"` for any.
    #[serde(default)]
    pub series: BTreeMap<String, String>,
    /// Where the facts come from.
    pub source: String,
}

/// How a version string is laid out after its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Form {
    /// Version, one or two spaces, then a date `D Mon YYYY` (OpenSSL).
    Dated,
    /// A version token, then one of the `ends`.
    Version,
    /// The prefix is a whole C string and carries no version (BoringSSL).
    Bare,
}

/// A literal a library compiles in, with its version.
#[derive(Debug, Clone, Deserialize)]
pub struct VersionString {
    /// Library.
    pub library: String,
    /// Literal searched for.
    pub prefix: String,
    /// Layout after the prefix.
    pub form: Form,
    /// What may follow the version (default: the end of the C string, NUL).
    #[serde(default)]
    pub ends: Vec<String>,
    /// Where the facts come from.
    pub source: String,
}

/// A symbol whose definition shows a library is linked in.
#[derive(Debug, Clone, Deserialize)]
pub struct SymbolMarker {
    /// Symbol name.
    pub name: String,
    /// Library.
    pub library: String,
    /// Where the facts come from.
    pub source: String,
}

/// An OpenSSL 3 provider module.
#[derive(Debug, Clone, Deserialize)]
pub struct Provider {
    /// Usual file name (`legacy.so`).
    pub file: String,
    /// Library name to report.
    pub library: String,
    /// The provider's name string inside the module.
    pub name: String,
    /// Where the facts come from.
    pub source: String,
}

/// A Go package whose presence in a binary shows an algorithm is linked in.
#[derive(Debug, Clone, Deserialize)]
pub struct GoPackage {
    /// Import path.
    pub package: String,
    /// Algorithm name (resolved through mamori_algorithms); empty: crypto use, no algorithm.
    pub algorithm: String,
    /// Function-name prefixes that decide the match; empty: the package prefix decides.
    #[serde(default)]
    pub symbols: Vec<String>,
    /// Where the facts come from.
    pub source: String,
}

/// A Go module that is a crypto library.
#[derive(Debug, Clone, Deserialize)]
pub struct GoModule {
    /// Module path (also matches as a prefix followed by `/`).
    pub path: String,
    /// Where the facts come from.
    pub source: String,
}

/// A Java library recognized when bundled in an archive.
#[derive(Debug, Clone, Deserialize)]
pub struct JavaBundle {
    /// Class-path prefix (`org/bouncycastle/`).
    pub prefix: String,
    /// Library name.
    pub library: String,
    /// Maven group ids whose pom.properties give the version.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Lowercase words that identify the library's own manifest.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Where the facts come from.
    pub source: String,
}

/// What a range of a library's versions implies.
#[derive(Debug, Clone, Deserialize)]
pub struct VersionFact {
    /// Library.
    pub library: String,
    /// First version covered (inclusive); absent: from the first.
    #[serde(default)]
    pub from: Option<String>,
    /// First version not covered; absent: to the latest.
    #[serde(default)]
    pub below: Option<String>,
    /// End of public support (ISO date), when the row is about support.
    #[serde(default)]
    pub eol: Option<String>,
    /// Post-quantum algorithms the versions offer.
    #[serde(default)]
    pub pqc: Vec<String>,
    /// One English sentence.
    pub note: String,
    /// Where the facts come from.
    pub source: String,
}

/// The whole table.
#[derive(Debug, Deserialize)]
pub struct Table {
    /// Shared-object names.
    pub soname: Vec<Soname>,
    /// Version strings.
    pub version_string: Vec<VersionString>,
    /// Symbol markers.
    pub symbol: Vec<SymbolMarker>,
    /// OpenSSL provider modules.
    pub provider: Vec<Provider>,
    /// Go packages.
    pub go_package: Vec<GoPackage>,
    /// Go modules.
    pub go_module: Vec<GoModule>,
    /// Java libraries.
    pub java_bundle: Vec<JavaBundle>,
    /// Version facts.
    pub fact: Vec<VersionFact>,
}

/// The table, parsed once.
pub fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| {
        // The file is embedded and checked by the tests below; a broken edit fails them.
        toml::from_str(include_str!("../../data/crypto-libraries.toml")).unwrap_or_else(|e| {
            panic!("data/crypto-libraries.toml is invalid: {e}");
        })
    })
}

/// The library and release series a shared-object name stands for:
/// `libcrypto.so.3` → `("OpenSSL", Some("3.x"))`, `libwolfssl.so.42` → `("wolfSSL", None)`.
pub fn soname_library(soname: &str) -> Option<(&'static str, Option<&'static str>)> {
    let base = soname.rsplit('/').next().unwrap_or(soname);
    let (stem, rest) = base.split_once(".so")?;
    let suffix = match rest {
        "" => "",
        r => r.strip_prefix('.')?,
    };
    let row = table().soname.iter().find(|s| s.stem == stem)?;
    let series = row
        .series
        .get(suffix)
        .or_else(|| {
            if suffix.is_empty() {
                None
            } else {
                row.series.get("*")
            }
        })
        .map(String::as_str);
    Some((row.library.as_str(), series))
}

/// A version as comparable numbers: `1.1.1w` → `[1, 1, 1, 23]`, `9.2p1` → `[9, 2, 16, 1]`;
/// `go1.22.1` and `v0.21.0` lose their prefix, pre-release tails (`-fips`, `-dev`) are ignored.
/// A series (`3.x`, `1.1.x`) gives its fixed part and `true`.
fn parse_version(v: &str) -> Option<(Vec<u64>, bool)> {
    let v = v.trim();
    let v = v.strip_prefix("go").unwrap_or(v);
    let v = v.strip_prefix('v').unwrap_or(v);
    let v = v.split(['-', '+', ' ']).next().unwrap_or("");
    let mut out = Vec::new();
    for part in v.split('.') {
        if part == "x" || part == "*" {
            return if out.is_empty() {
                None
            } else {
                Some((out, true))
            };
        }
        // digits, then optional letters, then optional digits (1w, 2p1, 0rc1)
        let digits: String = part.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() || digits.len() > 9 {
            return None;
        }
        out.push(digits.parse().ok()?);
        let rest = &part[digits.len()..];
        let letters: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase())
            .collect();
        if letters.len() == 1 {
            out.push(u64::from(letters.as_bytes()[0] - b'a') + 1);
            let tail = &rest[1..];
            if !tail.is_empty() {
                if tail.len() > 9 || !tail.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                out.push(tail.parse().ok()?);
            }
        } else if !rest.is_empty() && letters.len() != rest.len() {
            return None;
        }
    }
    if out.is_empty() {
        None
    } else {
        Some((out, false))
    }
}

fn cmp_versions(a: &[u64], b: &[u64]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        match x.cmp(&y) {
            Ordering::Equal => continue,
            o => return o,
        }
    }
    Ordering::Equal
}

/// Facts that hold for `library` at `version`.
///
/// `version` may be exact (`3.0.19`, `1.1.1w`, `go1.24.1`, `9.2p1`) or a series (`3.x`,
/// `1.1.x`); a series matches a row only when the whole series lies inside it. A library
/// with rows that have neither bound (liboqs) matches even without a version.
pub fn version_facts(library: &str, version: &str) -> Vec<&'static VersionFact> {
    let parsed = parse_version(version);
    table()
        .fact
        .iter()
        .filter(|f| f.library.eq_ignore_ascii_case(library))
        .filter(|f| {
            if f.from.is_none() && f.below.is_none() {
                return true;
            }
            let Some((v, series)) = &parsed else {
                return false;
            };
            let lower = v.clone();
            let upper = if *series {
                // 1.1.x covers [1.1, 1.2)
                let mut u = v.clone();
                if let Some(last) = u.last_mut() {
                    *last += 1;
                }
                u
            } else {
                v.clone()
            };
            let from_ok = match f.from.as_deref().and_then(parse_version) {
                Some((from, _)) => cmp_versions(&from, &lower) != Ordering::Greater,
                None => f.from.is_none(),
            };
            let below_ok = match f.below.as_deref().and_then(parse_version) {
                Some((below, _)) if *series => cmp_versions(&upper, &below) != Ordering::Greater,
                Some((below, _)) => cmp_versions(&upper, &below) == Ordering::Less,
                None => f.below.is_none(),
            };
            from_ok && below_ok
        })
        .collect()
}

/// Whether `version` of `library` is past its end of public support on `today`
/// (ISO dates compare as strings). `None` when the table does not say.
pub fn is_eol(library: &str, version: &str, today: &str) -> Option<bool> {
    version_facts(library, version)
        .iter()
        .find_map(|f| f.eol.as_deref())
        .map(|eol| eol < today)
}

/// Post-quantum algorithms `version` of `library` offers, per the table (empty: none known).
pub fn pqc_capabilities(library: &str, version: &str) -> Vec<&'static str> {
    version_facts(library, version)
        .iter()
        .flat_map(|f| f.pqc.iter().map(String::as_str))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_cites_sources() {
        let t = table();
        assert!(t.soname.len() >= 15);
        for s in &t.soname {
            assert!(!s.source.is_empty() && !s.library.is_empty(), "{}", s.stem);
        }
        for v in &t.version_string {
            assert!(
                !v.source.is_empty() && !v.prefix.is_empty(),
                "{}",
                v.library
            );
        }
        for f in &t.fact {
            assert!(!f.source.is_empty(), "{}", f.library);
            for b in [&f.from, &f.below].into_iter().flatten() {
                assert!(parse_version(b).is_some(), "{}: bad bound {b}", f.library);
            }
            if let Some(d) = &f.eol {
                assert!(
                    time::Date::parse(d, &time::format_description::well_known::Iso8601::DATE)
                        .is_ok(),
                    "{}: bad date {d}",
                    f.library
                );
            }
        }
        for g in &t.go_package {
            if !g.algorithm.is_empty() {
                assert!(
                    mamori_algorithms::by_name(&g.algorithm).is_some()
                        || crate::binary::unsized_alg(&g.algorithm).is_some(),
                    "{}: algorithm {} unknown to the knowledge base",
                    g.package,
                    g.algorithm
                );
            }
            for s in &g.symbols {
                assert!(s.starts_with(&format!("{}.", g.package)), "{s}");
            }
        }
    }

    #[test]
    fn sonames_map_to_series() {
        assert_eq!(
            soname_library("libssl.so.1.1"),
            Some(("OpenSSL", Some("1.1.x")))
        );
        assert_eq!(
            soname_library("libgnutls.so.30"),
            Some(("GnuTLS", Some("3.x")))
        );
        assert_eq!(soname_library("libnss3.so"), Some(("NSS", Some("3.x"))));
        assert_eq!(
            soname_library("libbotan-2.so.19"),
            Some(("Botan", Some("2.x")))
        );
        assert_eq!(soname_library("libwolfssl.so.42"), Some(("wolfSSL", None)));
        assert_eq!(soname_library("libcrypto.so.50"), Some(("OpenSSL", None)));
        assert_eq!(soname_library("libc.so.6"), None);
        assert_eq!(soname_library("libcryptsetup.so.12"), None);
        assert_eq!(soname_library("libcrypto"), None);
    }

    #[test]
    fn versions_compare() {
        assert_eq!(parse_version("1.1.1w"), Some((vec![1, 1, 1, 23], false)));
        assert_eq!(parse_version("9.2p1"), Some((vec![9, 2, 16, 1], false)));
        assert_eq!(parse_version("go1.22.1"), Some((vec![1, 22, 1], false)));
        assert_eq!(
            parse_version("1.0.2k-fips"),
            Some((vec![1, 0, 2, 11], false))
        );
        assert_eq!(parse_version("3.x"), Some((vec![3], true)));
        assert_eq!(parse_version("x"), None);
        assert_eq!(parse_version("?"), None);
        assert_eq!(parse_version("1.beta"), None);
    }

    #[test]
    fn facts_answer_what_versions_imply() {
        assert_eq!(is_eol("OpenSSL", "1.1.1w", "2026-01-01"), Some(true));
        assert_eq!(is_eol("OpenSSL", "1.0.2k-fips", "2026-01-01"), Some(true));
        assert_eq!(is_eol("OpenSSL", "3.0.19", "2026-01-01"), Some(false));
        assert_eq!(is_eol("OpenSSL", "3.0.19", "2026-09-08"), Some(true));
        assert_eq!(is_eol("OpenSSL", "1.0.x", "2026-01-01"), Some(true));
        assert_eq!(is_eol("OpenSSL", "3.x", "2026-01-01"), None);
        assert!(pqc_capabilities("OpenSSL", "3.4.1").is_empty());
        assert!(pqc_capabilities("OpenSSL", "3.5.0").contains(&"ML-KEM"));
        assert!(pqc_capabilities("Go crypto", "go1.24.1").contains(&"X25519MLKEM768"));
        assert!(pqc_capabilities("Go crypto", "go1.22.1").is_empty());
        assert!(pqc_capabilities("OpenSSH", "9.2p1").contains(&"sntrup761x25519-sha512"));
        assert!(!pqc_capabilities("OpenSSH", "9.2p1").contains(&"mlkem768x25519-sha256"));
        assert!(pqc_capabilities("OpenSSH", "10.0p2").contains(&"mlkem768x25519-sha256"));
        assert!(pqc_capabilities("BouncyCastle", "1.78.1").is_empty());
        assert!(pqc_capabilities("BouncyCastle", "1.80").contains(&"ML-DSA"));
        assert!(pqc_capabilities("liboqs", "?").contains(&"ML-KEM"));
        assert!(version_facts("NoSuchLib", "1.0").is_empty());
    }
}
