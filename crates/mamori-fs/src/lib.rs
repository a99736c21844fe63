//! mamori's file-system collector.
//!
//! [`collect`] walks a target — a directory, a single file, or a container image tarball —
//! in parallel over all cores and shows every regular file to the [`detectors`]. It returns
//! the raw observations and warnings; merging, judging and storing happen elsewhere.
//!
//! ```no_run
//! use mamori_fs::{collect, ScanOptions, Progress};
//! let opts = ScanOptions::default();
//! let progress = Progress::default();
//! let got = collect(std::path::Path::new("/etc/ssl"), &opts, &progress);
//! println!("{} observations, {} warnings", got.observations.len(), got.warnings.len());
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod binary;
pub mod certs;
pub mod config;
pub mod cyclonedx;
pub mod der;
pub mod detect;
pub mod image;
pub mod java;
pub mod jks;
pub mod keys;
mod keystores;
pub mod pem;
pub mod pgp;
pub mod pkcs12;
pub mod sbom;
pub mod source;
mod walk;

pub use detect::{Detector, FileInfo, Output, PackageFiles, ReadOther, HEAD_LEN};
pub use walk::collect;

use mamori_model::{ComponentObservation, Distro, Observation, Warning};
use std::sync::atomic::{AtomicU64, Ordering};

/// What the user asked of a scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Glob patterns (gitignore syntax) of paths to skip.
    pub excludes: Vec<String>,
    /// Passwords to try on PKCS#12 files and Java keystores, in order. `""` and `changeit` are always tried.
    pub passwords: Vec<String>,
    /// Worker threads; 0 means one per core.
    pub threads: usize,
    /// Which inventories to take (default: both).
    pub only: Only,
}

/// Which inventories a scan takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Only {
    /// Cryptography (CBOM) and software (SBOM).
    #[default]
    Both,
    /// Only the cryptography: certificates, keys, configuration, binaries, source code.
    Crypto,
    /// Only the software components: lockfiles, package databases, binaries' build info,
    /// archives, SBOM documents. Source files are not read for crypto calls, which makes
    /// large trees (node_modules) several times faster.
    Software,
}

impl ScanOptions {
    /// Passwords to try, the user's first, then the well-known defaults.
    pub fn all_passwords(&self) -> Vec<String> {
        let mut v = self.passwords.clone();
        for d in ["", "changeit", "changeme", "password"] {
            if !v.iter().any(|p| p == d) {
                v.push(d.to_string());
            }
        }
        v
    }
}

/// Live counters a progress bar can poll while a scan runs.
#[derive(Debug, Default)]
pub struct Progress {
    /// Files examined.
    pub files: AtomicU64,
    /// Bytes read.
    pub bytes: AtomicU64,
}

impl Progress {
    /// Count one file and the bytes read from it.
    pub fn add(&self, bytes: u64) {
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// What a target yielded.
#[derive(Debug, Default)]
pub struct Collected {
    /// Assets seen, one per occurrence (not yet merged).
    pub observations: Vec<Observation>,
    /// Input problems.
    pub warnings: Vec<Warning>,
    /// Software components, one per occurrence (not yet merged).
    pub components: Vec<ComponentObservation>,
    /// Operating systems of the root file systems seen.
    pub distros: Vec<Distro>,
    /// Files installed packages own (consumed after the walk by
    /// [`sbom::owners::attach_owners`], which marks the occurrences in them).
    pub package_files: Vec<PackageFiles>,
    /// Merged-/usr links at the top of root file systems.
    pub merged_usr: Vec<mamori_model::Location>,
    /// Regular files examined.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
}

impl Collected {
    /// Add what one detector output holds.
    pub fn absorb(&mut self, o: Output) {
        self.observations.extend(o.observations);
        self.warnings.extend(o.warnings);
        self.components.extend(o.components);
        self.distros.extend(o.distros);
        self.package_files.extend(o.package_files);
        self.merged_usr.extend(o.merged_usr);
    }
}

/// Detectors that read a file only when the user names it as a target: inventories
/// (SBOM documents) that mamori or anyone left inside a scanned tree must not bring back
/// what is gone.
pub const TARGET_ONLY: &[&str] = &["cyclonedx", "spdx"];

/// Every detector mamori has, in the order they run on a file.
pub fn detectors(opts: &ScanOptions) -> Vec<Box<dyn Detector>> {
    let crypto = opts.only != Only::Software;
    let mut v: Vec<Box<dyn Detector>> = Vec::new();
    if crypto {
        v.push(Box::new(certs::CertDetector::new(opts.all_passwords())));
        v.push(Box::new(keys::KeyDetector));
    }
    // Binaries, archives and SBOM documents hold both kinds and are always read (a
    // software-only scan reads only binaries that may be Go programs).
    if crypto {
        v.push(Box::new(binary::BinaryDetector));
    } else {
        v.push(Box::new(binary::GoBuildInfoDetector));
    }
    v.push(Box::new(java::JavaArchiveDetector));
    if crypto {
        v.push(Box::new(config::sshd::SshConfigDetector));
        v.push(Box::new(config::openssl_cnf::OpensslCnfDetector));
        v.push(Box::new(config::nginx::NginxDetector));
        v.push(Box::new(config::apache::ApacheDetector));
        v.push(Box::new(config::java_security::JavaSecurityDetector));
        v.push(Box::new(config::crypto_policies::CryptoPoliciesDetector));
    }
    v.push(Box::new(cyclonedx::CycloneDxDetector));
    if crypto {
        v.extend(source::detectors());
    }
    if opts.only != Only::Crypto {
        v.extend(sbom::detectors());
    } else {
        // Which package owns a file decides whose finding its crypto is, so a crypto-only
        // scan still reads the OS package databases (their components are dropped later).
        v.push(Box::new(sbom::dpkg::DpkgDetector));
        v.push(Box::new(sbom::rpm::RpmDetector));
        v.push(Box::new(sbom::apk::ApkDetector));
        v.push(Box::new(sbom::osrelease::OsReleaseDetector));
    }
    v
}
