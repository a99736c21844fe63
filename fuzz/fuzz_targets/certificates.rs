#![no_main]
//! X.509 in PEM, DER and PKCS#7: the certificate detector must never panic.
use libfuzzer_sys::fuzz_target;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = mamori_fs::certs::analyse(data, "der");
    let _ = mamori_fs::certs::pkcs7_certificates(data);
    common::run_all("cert.pem", data);
    common::run_all("cert.der", data);
});
