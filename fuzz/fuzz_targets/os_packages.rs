#![no_main]
//! OS package databases: dpkg status / status.d stanzas, rpm header blobs (and rpmdb.sqlite
//! bytes), apk `installed`, os-release; then the distro join on what came out.
use libfuzzer_sys::fuzz_target;
use mamori_fs::sbom::{apk, distro, dpkg, osrelease, rpm};
use mamori_fs::{Detector, FileInfo, Output};

fn run(d: &dyn Detector, path: &str, data: &[u8], out: &mut Output) {
    let name = path.rsplit('/').next().unwrap_or(path);
    let info = FileInfo {
        path,
        name,
        size: data.len() as u64,
        container: None,
        fs: None,
    };
    if d.wants(&info, &data[..data.len().min(mamori_fs::HEAD_LEN)]) {
        d.detect(&info, data, out);
    }
}

fuzz_target!(|data: &[u8]| {
    // The header parser alone, on every input (the detector only reaches it through SQLite).
    let _ = rpm::parse_header(data);
    if data.starts_with(b"SQLite format 3\0") {
        let _ = rpm::read_blobs(data);
    }
    let mut out = Output::default();
    run(&dpkg::DpkgDetector, "/var/lib/dpkg/status", data, &mut out);
    run(
        &dpkg::DpkgDetector,
        "/var/lib/dpkg/status.d/pkg",
        data,
        &mut out,
    );
    run(&apk::ApkDetector, "/lib/apk/db/installed", data, &mut out);
    run(
        &osrelease::OsReleaseDetector,
        "/etc/os-release",
        data,
        &mut out,
    );
    run(
        &rpm::RpmDetector,
        "/var/lib/rpm/rpmdb.sqlite",
        data,
        &mut out,
    );
    let mut distros = out.distros.clone();
    distros.push(mamori_model::Distro {
        root: "/".to_string(),
        container: None,
        id: "ubuntu".to_string(),
        version_id: "22.04".to_string(),
        pretty_name: String::new(),
        osv_ecosystem: Some("Ubuntu:22.04:LTS".to_string()),
    });
    distro::attach_distros(&mut out.components, &distros);
});
