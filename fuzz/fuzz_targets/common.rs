// Shared by the targets: show the bytes to every detector under a given file name.
use mamori_fs::{detectors, FileInfo, Output, ScanOptions};

pub fn run_all(name: &str, data: &[u8]) {
    let dets = detectors(&ScanOptions::default());
    let info = FileInfo {
        path: name,
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
