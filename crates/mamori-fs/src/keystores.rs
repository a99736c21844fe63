//! PKCS#12 files and Java keystores: the certificates and keys they hold.

use crate::detect::{FileInfo, Output};

/// Record the certificates and keys of a PKCS#12 file.
pub fn pkcs12(f: &FileInfo<'_>, _data: &[u8], _passwords: &[String], out: &mut Output) {
    out.warn(f, "PKCS#12 files are not read yet");
}

/// Record the certificates and keys of a Java keystore (JKS / JCEKS).
pub fn jks(f: &FileInfo<'_>, _data: &[u8], _passwords: &[String], out: &mut Output) {
    out.warn(f, "Java keystores are not read yet");
}
