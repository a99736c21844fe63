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

pub use mamori_algorithms::libraries::{is_eol, pqc_capabilities, version_facts, VersionFact};

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
}
