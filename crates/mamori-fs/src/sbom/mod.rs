//! Software inventory (SBOM) detectors: lockfiles and manifests of language ecosystems,
//! installed-package databases of operating systems, and the os-release file that says
//! which distribution release OS packages belong to.
//!
//! Each detector reports [`mamori_model::Component`]s through
//! [`crate::Output::component`], identified by purl, with their dependency edges where the
//! evidence gives them. Detectors never judge; matching against advisories happens in
//! `mamori-vuln`.

pub mod apk;
pub mod cargo;
pub mod distro;
pub mod dotnet;
pub mod dpkg;
pub mod golang;
pub mod maven;
pub mod npm;
pub mod osrelease;
pub mod owners;
pub mod php;
pub mod pnpm;
pub mod python;
pub mod rpm;
pub mod ruby;
pub mod spdx;
pub mod yarn;

use crate::Detector;

/// Whether a lockfile lies inside an installed package (`…/node_modules/pkg/yarn.lock`):
/// packages ship the lockfile of their own development, which lists what their authors
/// installed, not what is installed here. npm's hidden lockfile
/// (`node_modules/.package-lock.json`) is the exception the caller checks by name.
pub fn inside_installed_package(path: &str) -> bool {
    path.replace('\\', "/").contains("/node_modules/")
}

/// Every SBOM detector, in the order they run on a file.
pub fn detectors() -> Vec<Box<dyn Detector>> {
    vec![
        Box::new(dpkg::DpkgDetector),
        Box::new(rpm::RpmDetector),
        Box::new(apk::ApkDetector),
        Box::new(osrelease::OsReleaseDetector),
        Box::new(spdx::SpdxDetector),
        Box::new(python::PythonDetector::default()),
        Box::new(golang::GoModDetector),
        Box::new(maven::MavenDetector),
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
