#![no_main]
//! SSH: the server's key exchange reply (KEXDH_REPLY / KEX_ECDH_REPLY), the host key or
//! OpenSSH certificate blob in it, SSH_MSG_DISCONNECT, and the observations made of a key.
use libfuzzer_sys::fuzz_target;
use mamori_net::ssh;

fuzz_target!(|data: &[u8]| {
    // The input as a reply payload, and as a reply inside a binary packet.
    if let Ok(reply) = ssh::parse_kex_reply(data) {
        let _ = ssh::parse_host_key_blob(reply.host_key);
    }
    if let Ok(Some((payload, _))) = ssh::parse_packet(data) {
        if let Ok(reply) = ssh::parse_kex_reply(payload) {
            let _ = ssh::parse_host_key_blob(reply.host_key);
        }
        let _ = ssh::parse_disconnect(payload);
    }
    // The input as a host key blob; a parsed key goes through the disk scan's key analysis.
    if let Ok(key) = ssh::parse_host_key_blob(data) {
        let _ = mamori_fs::keys::ssh_blob(&key.key_blob);
    }
    let _ = ssh::parse_disconnect(data);
});
