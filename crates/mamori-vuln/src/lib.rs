//! Vulnerability matching support for mamori.
//!
//! - [`version`]: exact version ordering per ecosystem;
//! - [`osv`]: OSV schema 1.x records, tolerant parsing, severity from CVSS
//!   vectors;
//! - [`eval`]: the OSV evaluation of affected ranges and versions;
//! - [`db`]: [`VulnDb`], the local OSV database (SQLite): import of osv.dev
//!   dumps, status, matching of [`mamori_model::Component`]s.
//!
//! mamori matches the components it inventories against OSV advisories. An
//! advisory states affected ranges in the version scheme of one ecosystem, so
//! matching needs the exact ordering rules of each scheme: SemVer 2.0 (npm,
//! crates.io, Go, Hex), PEP 440 (PyPI), Maven's ComparableVersion, RubyGems,
//! NuGet, Composer/PHP (Packagist), dpkg (Debian, Ubuntu), rpmvercmp (Red Hat
//! and other RPM distributions), apk (Alpine, Wolfi), Pub, Hackage and CRAN.
//!
//! Every scheme is implemented natively (no external tool); numbers of any
//! length are compared exactly. Comparing never panics: a version that cannot
//! be read in its scheme gives a [`version::VersionError`].
//!
//! ```
//! use std::cmp::Ordering;
//! use mamori_vuln::version::{compare, Ecosystem};
//!
//! let eco = Ecosystem::from_osv_name("Debian:12").unwrap();
//! assert_eq!(compare(eco, "1.2.3-1~deb12u1", "1.2.3-1"), Ok(Ordering::Less));
//!
//! let py = Ecosystem::from_osv_name("PyPI").unwrap();
//! assert_eq!(compare(py, "1.0.dev1", "1.0a1"), Ok(Ordering::Less));
//! assert!(compare(Ecosystem::SemVer, "not a version", "1.0.0").is_err());
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod db;
pub mod eval;
pub mod osv;
pub mod upgrade;
pub mod version;
pub mod vex;

pub use db::{component_from_purl, DbStatus, EcosystemStatus, ImportReport, VulnDb, VulnDbError};
