//! Session crypto.
use aes_gcm::{Aes256Gcm, KeyInit};
use hmac::{Hmac, Mac};
use rand_core::OsRng;
use rsa::RsaPrivateKey;
use sha1::{Digest, Sha1};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>; // expect: alg:HMAC-SHA-256

/// Fingerprint kept for old clients; Md5::new() is gone.
pub fn fingerprint(data: &[u8]) -> Vec<u8> {
    // let mut h = Md5::new();
    let mut h = Sha1::new(); // expect: alg:SHA-1
    h.update(data);
    h.finalize().to_vec()
}

pub fn keys() -> RsaPrivateKey {
    let mut rng = OsRng; // expect: alg:CSPRNG
    RsaPrivateKey::new(&mut rng, 1024).expect("key") // expect: alg:RSA-1024
}

pub fn seal(key: &[u8; 32]) -> Aes256Gcm {
    Aes256Gcm::new(key.into()) // expect: alg:AES-256-GCM
}

pub fn tls() -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_protocol_versions(&[&rustls::version::TLS12]) // expect: proto:tls-1.2
        .with_root_certificates(rustls::RootCertStore::empty())
        .with_no_client_auth()
}

pub fn mac(key: &[u8]) -> HmacSha256 {
    <HmacSha256 as Mac>::new_from_slice(key).expect("any size")
}
