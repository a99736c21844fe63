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

pub use detect::{Detector, FileInfo, Output, ReadOther, HEAD_LEN};
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
    }
}

/// Detectors that read a file only when the user names it as a target: inventories
/// (SBOM documents) that mamori or anyone left inside a scanned tree must not bring back
/// what is gone.
pub const TARGET_ONLY: &[&str] = &["cyclonedx", "spdx"];

/// Every detector mamori has, in the order they run on a file.
pub fn detectors(opts: &ScanOptions) -> Vec<Box<dyn Detector>> {
    let mut v: Vec<Box<dyn Detector>> = vec![
        Box::new(certs::CertDetector::new(opts.all_passwords())),
        Box::new(keys::KeyDetector),
        Box::new(binary::BinaryDetector),
        Box::new(java::JavaArchiveDetector),
        Box::new(config::sshd::SshConfigDetector),
        Box::new(config::openssl_cnf::OpensslCnfDetector),
        Box::new(config::nginx::NginxDetector),
        Box::new(config::apache::ApacheDetector),
        Box::new(config::java_security::JavaSecurityDetector),
        Box::new(config::crypto_policies::CryptoPoliciesDetector),
        Box::new(cyclonedx::CycloneDxDetector),
    ];
    v.extend(source::detectors());
    v.extend(sbom::detectors());
    v
}
