#![no_main]
//! PKCS#1/#8, SEC1, OpenSSH keys, authorized_keys, known_hosts, OpenPGP.
use libfuzzer_sys::fuzz_target;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    for name in ["server.key", "id_ed25519", "authorized_keys", "known_hosts", "ring.gpg"] {
        common::run_all(name, data);
    }
    let _ = mamori_fs::pgp::parse(data);
});
