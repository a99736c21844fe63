#![no_main]
//! PKCS#12 and Java keystores, with and without a password.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let pw = vec![String::new(), "changeit".to_string()];
    let _ = mamori_fs::pkcs12::parse(data, &pw);
    let _ = mamori_fs::jks::parse(data, &pw);
    let _ = mamori_fs::pkcs12::pkcs8_summary(data);
    let _ = mamori_fs::pkcs12::spki_summary(data);
});
