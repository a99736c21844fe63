#![no_main]
//! Lockfiles and manifests of language ecosystems (Cargo, npm, yarn, pnpm, Bundler,
//! Composer, NuGet/.NET): the SBOM detectors must never panic.
use libfuzzer_sys::fuzz_target;
use mamori_fs::{sbom, FileInfo, Output};

fuzz_target!(|data: &[u8]| {
    let dets = sbom::detectors();
    for path in [
        "Cargo.lock",
        "package-lock.json",
        "node_modules/.package-lock.json",
        "node_modules/@s/ms/package.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "Gemfile.lock",
        "composer.lock",
        "vendor/composer/installed.json",
        "packages.lock.json",
        "app.deps.json",
    ] {
        let name = path.rsplit('/').next().unwrap_or(path);
        let info = FileInfo {
            path,
            name,
            size: data.len() as u64,
            container: None,
            fs: None,
        };
        let head = &data[..data.len().min(mamori_fs::HEAD_LEN)];
        let mut out = Output::default();
        for d in &dets {
            if d.wants(&info, head) {
                d.detect(&info, data, &mut out);
            }
        }
    }
});
