#![no_main]
//! SSH: identification lines, pre-kex binary packets and the server's KEXINIT.
use libfuzzer_sys::fuzz_target;
use mamori_net::ssh;

fuzz_target!(|data: &[u8]| {
    let _ = ssh::parse_banner_line(data);
    // The whole input as what a server sends: banner (after other lines), then packets.
    if let Ok(Some((_, _, used))) = ssh::find_banner(data) {
        if let Some(rest) = data.get(used..) {
            let _ = ssh::find_kexinit(rest);
        }
    }
    // The input as packets straight away, and as a KEXINIT payload.
    let _ = ssh::find_kexinit(data);
    if let Ok(Some((payload, _))) = ssh::parse_packet(data) {
        let _ = ssh::parse_kexinit(payload);
    }
    let _ = ssh::parse_kexinit(data);
});
