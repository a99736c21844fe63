#![no_main]
//! sshd/ssh config, openssl.cnf, nginx, Apache, java.security, crypto-policies.
use libfuzzer_sys::fuzz_target;
#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    for name in [
        "sshd_config",
        "ssh_config",
        "openssl.cnf",
        "nginx.conf",
        "httpd.conf",
        "java.security",
        "config",
    ] {
        common::run_all(name, data);
    }
});
