#![no_main]
//! Python, Go and Java inventories: requirements files, poetry/Pipfile/uv/pdm lockfiles,
//! installed distribution metadata, go.mod, pom.xml, Gradle lockfiles and Java archives
//! (whose Maven metadata becomes components).
use libfuzzer_sys::fuzz_target;
use mamori_fs::{detectors, FileInfo, Output, ScanOptions};

/// Like `common::run_all`, with a path whose last component is the file name (the
/// installed-metadata formats are told apart by their directory).
fn run_at(path: &str, data: &[u8]) {
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
    for d in &detectors(&ScanOptions::default()) {
        if d.wants(&info, head) {
            d.detect(&info, data, &mut out);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    for name in [
        "/p/requirements.txt",
        "/p/poetry.lock",
        "/p/Pipfile.lock",
        "/p/uv.lock",
        "/p/pdm.lock",
        "/site-packages/x-1.0.dist-info/METADATA",
        "/site-packages/x.egg-info/PKG-INFO",
        "/site-packages/x-1.0.egg-info",
        "/p/go.mod",
        "/p/pom.xml",
        "/p/gradle.lockfile",
        "/p/app.jar",
    ] {
        run_at(name, data);
    }
});
