//! Software inventory (SBOM) detectors: lockfiles and manifests of language ecosystems,
//! installed-package databases of operating systems, and the os-release file that says
//! which distribution release OS packages belong to.
//!
//! Each detector reports [`mamori_model::Component`]s through
//! [`crate::Output::component`], identified by purl, with their dependency edges where the
//! evidence gives them. Detectors never judge; matching against advisories happens in
//! `mamori-vuln`.

use crate::Detector;

pub mod cargo;
pub mod dotnet;
pub mod npm;
pub mod php;
pub mod pnpm;
pub mod ruby;
pub mod yarn;

/// Every SBOM detector, in the order they run on a file.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(cargo::CargoLockDetector),
        Box::new(npm::NpmLockDetector),
        Box::new(npm::NpmInstalledDetector),
        Box::new(yarn::YarnLockDetector),
        Box::new(pnpm::PnpmLockDetector),
        Box::new(ruby::GemfileLockDetector),
        Box::new(php::ComposerLockDetector),
        Box::new(php::ComposerInstalledDetector),
        Box::new(dotnet::NugetLockDetector),
        Box::new(dotnet::DepsJsonDetector),
    ]
}
