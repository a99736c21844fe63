#![no_main]
//! SBOM documents read as targets: CycloneDX JSON and SPDX 2.x JSON (whatever `wants` says,
//! the whole input goes to both readers), and the purl → OSV ecosystem/release mapping.
use libfuzzer_sys::fuzz_target;
use mamori_fs::cyclonedx::CycloneDxDetector;
use mamori_fs::sbom::spdx::SpdxDetector;
use mamori_fs::{Detector, FileInfo, Output};
use mamori_model::ecosystem;

fuzz_target!(|data: &[u8]| {
    let info = FileInfo {
        path: "bom.json",
        name: "bom.json",
        size: data.len() as u64,
        container: None,
        fs: None,
    };
    let mut out = Output::default();
    CycloneDxDetector.detect(&info, data, &mut out);
    SpdxDetector.detect(&info, data, &mut out);
    if let Ok(s) = std::str::from_utf8(data) {
        if let Ok(p) = ecosystem::parse_purl(s) {
            let _ = ecosystem::component_of(&p, Some(s));
        }
        let (id, v) = s.split_once(' ').unwrap_or((s, ""));
        let _ = ecosystem::osv_release(id, v, s);
    }
});
