//! The start of a key exchange, far enough to learn the server's host key: mamori's KEXINIT,
//! the key exchange init with a public value that needs no cryptography, and the parsing of
//! the server's reply and of the host key blob in it.
//!
//! The public values are the X25519 base point (u = 9), a NIST curve's generator G (SEC 2)
//! and, for finite-field Diffie-Hellman, e = 255² = 65025: a square, so an element of the
//! prime-order subgroup that g = 2 generates in the RFC 3526 groups, with 8 bits set
//! (OpenSSH refuses e with fewer than 4 bits set, so e = 2 would be rejected).

use super::*;
use base64::Engine;
use sha2::{Digest, Sha256};

/// `SSH_MSG_DISCONNECT`.
pub(crate) const SSH_MSG_DISCONNECT: u8 = 1;
/// `SSH_MSG_KEXDH_INIT` / `SSH_MSG_KEX_ECDH_INIT`.
pub(crate) const SSH_MSG_KEX_INIT: u8 = 30;
/// `SSH_MSG_KEXDH_REPLY` / `SSH_MSG_KEX_ECDH_REPLY`.
pub(crate) const SSH_MSG_KEX_REPLY: u8 = 31;

/// Key exchange methods [`host_key`] can run, in the order it prefers them.
pub const SUPPORTED_KEX: [&str; 8] = [
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group14-sha1",
];

/// The generator G of P-256 (SEC 2 §2.4.2), uncompressed.
const P256_G: &str = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296\
                      4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
/// The generator G of P-384 (SEC 2 §2.5.1), uncompressed.
const P384_G: &str = "04aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a38\
                      5502f25dbf55296c3a545e3872760ab73617de4a96262c6f5d9e98bf9292dc29\
                      f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f";
/// The generator G of P-521 (SEC 2 §2.6.1), uncompressed.
const P521_G: &str = "0400c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d\
                      3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd\
                      66011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e\
                      662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650";

fn unhex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter_map(|b| char::from(b).to_digit(16))
        .filter_map(|d| u8::try_from(d).ok())
        .collect();
    digits
        .chunks(2)
        .map(|p| p.iter().fold(0, |a, d| a * 16 + d))
        .collect()
}

/// The first method of [`SUPPORTED_KEX`] the server offers.
pub fn choose_kex(offered: &[String]) -> Option<&'static str> {
    SUPPORTED_KEX
        .into_iter()
        .find(|k| offered.iter().any(|o| o == k))
}

/// The client's public value for `kex` as sent: the string Q_C (ECDH) or the mpint e
/// (Diffie-Hellman), without its length. `None` for a method mamori does not run.
fn client_public(kex: &str) -> Option<Vec<u8>> {
    Some(match kex {
        "curve25519-sha256" | "curve25519-sha256@libssh.org" => {
            let mut u = vec![0u8; 32];
            if let Some(b) = u.first_mut() {
                *b = 9; // little-endian u-coordinate 9: the base point
            }
            u
        }
        "ecdh-sha2-nistp256" => unhex(P256_G),
        "ecdh-sha2-nistp384" => unhex(P384_G),
        "ecdh-sha2-nistp521" => unhex(P521_G),
        // mpint 65025 = 0xfe01: the high bit is set, so a zero byte leads.
        k if k.starts_with("diffie-hellman-group") && !k.contains("exchange") => {
            vec![0x00, 0xfe, 0x01]
        }
        _ => return None,
    })
}

/// Length of the server's public value for `kex` (ECDH: Q_S), when fixed.
fn server_public_len(kex: &str) -> Option<usize> {
    match kex {
        "curve25519-sha256" | "curve25519-sha256@libssh.org" => Some(32),
        "ecdh-sha2-nistp256" => Some(65),
        "ecdh-sha2-nistp384" => Some(97),
        "ecdh-sha2-nistp521" => Some(133),
        _ => None,
    }
}

fn put_u32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn put_string(out: &mut Vec<u8>, s: &[u8]) {
    put_u32(out, u32::try_from(s.len()).unwrap_or(u32::MAX));
    out.extend_from_slice(s);
}

fn put_name_list(out: &mut Vec<u8>, names: &[&str]) {
    put_string(out, names.join(",").as_bytes());
}

/// The key exchange init payload (`SSH_MSG_KEX_ECDH_INIT` / `SSH_MSG_KEXDH_INIT`, 30) for
/// `kex`, or `None` for a method mamori does not run.
pub fn client_kex_init(kex: &str) -> Option<Vec<u8>> {
    let public = client_public(kex)?;
    let mut p = vec![SSH_MSG_KEX_INIT];
    put_string(&mut p, &public);
    Some(p)
}

fn one(list: &[String]) -> Vec<&str> {
    list.first().map(String::as_str).into_iter().collect()
}

fn first<'a>(list: &'a [String], what: &'static str) -> Result<&'a str, SshError> {
    list.first()
        .map(String::as_str)
        .ok_or_else(|| SshError::NotOffered {
            what,
            name: "(none)".into(),
        })
}

fn random_cookie() -> [u8; 16] {
    use std::hash::{BuildHasher, Hasher};
    let mut cookie = [0u8; 16];
    for half in cookie.chunks_mut(8) {
        let v = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        half.copy_from_slice(&v.to_be_bytes());
    }
    cookie
}

/// mamori's KEXINIT payload: exactly one key exchange (`kex`) and one host key algorithm
/// (`host_key_alg`), and the first cipher, MAC and compression method of each of the
/// server's lists, so that the server can only choose those.
///
/// Fails when a list of the server's that must not be empty is (ciphers, compression); the
/// MAC lists may be empty (AEAD ciphers need no MAC).
pub fn client_kexinit(
    kex: &str,
    host_key_alg: &str,
    server: &KexInit,
) -> Result<Vec<u8>, SshError> {
    let mut p = vec![SSH_MSG_KEXINIT];
    p.extend_from_slice(&random_cookie());
    put_name_list(&mut p, &[kex]);
    put_name_list(&mut p, &[host_key_alg]);
    put_name_list(
        &mut p,
        &[first(&server.encryption_client_to_server, "cipher")?],
    );
    put_name_list(
        &mut p,
        &[first(&server.encryption_server_to_client, "cipher")?],
    );
    put_name_list(&mut p, &one(&server.mac_client_to_server));
    put_name_list(&mut p, &one(&server.mac_server_to_client));
    put_name_list(
        &mut p,
        &[first(&server.compression_client_to_server, "compression")?],
    );
    put_name_list(
        &mut p,
        &[first(&server.compression_server_to_client, "compression")?],
    );
    put_name_list(&mut p, &[]);
    put_name_list(&mut p, &[]);
    p.push(0); // first_kex_packet_follows
    put_u32(&mut p, 0); // reserved
    Ok(p)
}

/// A byte reader for the key exchange reply and key blobs; every read is checked.
struct Fields<'a> {
    buf: &'a [u8],
    err: fn(String) -> SshError,
}

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize, field: &str) -> Result<&'a [u8], SshError> {
        if self.buf.len() < n {
            return Err((self.err)(format!(
                "{field}: needs {n} bytes, {} left",
                self.buf.len()
            )));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    fn u32(&mut self, field: &str) -> Result<u32, SshError> {
        let b = self.take(4, field)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn string(&mut self, field: &str) -> Result<&'a [u8], SshError> {
        let n = self.u32(field)?;
        let n = usize::try_from(n).map_err(|_| (self.err)(format!("{field}: too long")))?;
        self.take(n, field)
    }

    fn name(&mut self, field: &str) -> Result<String, SshError> {
        let s = self.string(field)?;
        if s.is_empty() || s.len() > 255 || !s.iter().all(|b| (0x21..0x7f).contains(b)) {
            return Err((self.err)(format!(
                "{field} is not a printable US-ASCII name of 1 to 255 bytes"
            )));
        }
        Ok(String::from_utf8_lossy(s).into_owned())
    }
}

/// The server's `SSH_MSG_KEXDH_REPLY` / `SSH_MSG_KEX_ECDH_REPLY` (31).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KexReply<'a> {
    /// `K_S`, the host key blob (a certificate for `*-cert-v01@openssh.com` algorithms).
    pub host_key: &'a [u8],
    /// The server's public value: `f` (an mpint, Diffie-Hellman) or `Q_S` (ECDH).
    pub server_public: &'a [u8],
    /// The algorithm named in the signature of the exchange hash (not verified).
    pub signature_algorithm: String,
}

/// Parses a key exchange reply payload (message number included). Bytes after the signature
/// are ignored.
pub fn parse_kex_reply(payload: &[u8]) -> Result<KexReply<'_>, SshError> {
    let mut r = Fields {
        buf: payload,
        err: SshError::BadKexReply,
    };
    let msg = r.take(1, "message number")?;
    if let Some(&m) = msg.first() {
        if m != SSH_MSG_KEX_REPLY {
            return Err(SshError::UnexpectedReply {
                expected: "the key exchange reply (31)",
                got: m,
            });
        }
    }
    let host_key = r.string("host key (K_S)")?;
    if host_key.is_empty() {
        return Err(SshError::BadKexReply("empty host key (K_S)".into()));
    }
    let server_public = r.string("server public value")?;
    let signature = r.string("signature")?;
    let signature_algorithm = Fields {
        buf: signature,
        err: SshError::BadKexReply,
    }
    .name("signature algorithm")?;
    Ok(KexReply {
        host_key,
        server_public,
        signature_algorithm,
    })
}

/// Checks the server's public value against what `kex` defines.
pub(crate) fn check_server_public(kex: &str, public: &[u8]) -> Result<(), SshError> {
    match server_public_len(kex) {
        Some(n) if public.len() != n => Err(SshError::BadKexReply(format!(
            "{kex} public value of {} bytes, expected {n}",
            public.len()
        ))),
        None if public.is_empty() => {
            Err(SshError::BadKexReply(format!("{kex}: empty public value")))
        }
        _ => Ok(()),
    }
}

/// Parses `SSH_MSG_DISCONNECT` (message number included) into [`SshError::Disconnected`].
pub fn parse_disconnect(payload: &[u8]) -> SshError {
    let mut r = Fields {
        buf: payload.get(1..).unwrap_or_default(),
        err: SshError::BadKexReply,
    };
    let code = r.u32("reason code").unwrap_or(0);
    let text = r.string("description").unwrap_or_default();
    let description: String = String::from_utf8_lossy(text)
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .take(200)
        .collect();
    SshError::Disconnected { code, description }
}

/// What a host key blob says about the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The key's type as in the blob, e.g. `ssh-rsa`, `ecdsa-sha2-nistp256`, `ssh-ed25519`;
    /// for a certificate, the type of the key inside (`ssh-ed25519` for
    /// `ssh-ed25519-cert-v01@openssh.com`).
    pub key_type: String,
    /// Size: the RSA modulus or DSA prime in bits, the curve's size (ECDSA), 256 (Ed25519),
    /// 456 (Ed448). `None` for a type mamori does not know.
    pub bits: Option<u32>,
    /// Curve: `P-256`, `P-384`, `P-521` (the knowledge base's names), `Ed25519`, `Ed448`.
    pub curve: Option<String>,
    /// The blob is an OpenSSH certificate (`*-cert-v01@openssh.com`).
    pub certificate: bool,
    /// The plain public key blob: the blob itself, or for a certificate the key inside,
    /// re-encoded as a plain key (type, then the key's fields).
    pub key_blob: Vec<u8>,
}

const CERT_SUFFIX: &str = "-cert-v01@openssh.com";

/// Bits of an mpint's magnitude (leading zero bytes ignored).
fn mpint_bits(m: &[u8]) -> u32 {
    let m = match m.iter().position(|&b| b != 0) {
        Some(i) => m.get(i..).unwrap_or_default(),
        None => return 0,
    };
    let top = m.first().copied().unwrap_or(0);
    let len = u32::try_from(m.len()).unwrap_or(u32::MAX / 8);
    (len - 1).saturating_mul(8) + (8 - top.leading_zeros())
}

/// Parses a public key or OpenSSH certificate blob (RFC 4253 §6.6, OpenSSH PROTOCOL.certkeys).
pub fn parse_host_key_blob(blob: &[u8]) -> Result<KeyInfo, SshError> {
    let mut r = Fields {
        buf: blob,
        err: SshError::BadHostKey,
    };
    let blob_type = r.name("key type")?;
    let certificate = blob_type.ends_with(CERT_SUFFIX);
    let key_type = blob_type.trim_end_matches(CERT_SUFFIX).to_string();
    if certificate {
        r.string("certificate nonce")?;
    }
    // The key's fields, kept raw (length included) to rebuild a plain blob for a certificate.
    let start = r.buf;
    let (bits, curve) = match key_type.as_str() {
        "ssh-rsa" => {
            let _e = r.string("RSA exponent")?;
            let n = r.string("RSA modulus")?;
            (Some(mpint_bits(n)), None)
        }
        "ssh-dss" => {
            let p = r.string("DSA p")?;
            for f in ["DSA q", "DSA g", "DSA y"] {
                r.string(f)?;
            }
            (Some(mpint_bits(p)), None)
        }
        t if t.starts_with("ecdsa-sha2-") || t.starts_with("sk-ecdsa-sha2-") => {
            let sk = t.starts_with("sk-");
            let id = r.name("curve identifier")?;
            let suffix = t.rsplit('-').next().unwrap_or("");
            let suffix = suffix.trim_end_matches("@openssh.com");
            if id != suffix {
                return Err(SshError::BadHostKey(format!(
                    "key type {t} with curve identifier {id}"
                )));
            }
            let q = r.string("EC point")?;
            if q.first() != Some(&4) {
                return Err(SshError::BadHostKey(
                    "EC point is not uncompressed (04 || x || y)".into(),
                ));
            }
            if sk {
                r.string("security key application")?;
            }
            let c = mamori_algorithms::curve(&id);
            (
                c.map(|c| c.bits),
                Some(c.map(|c| c.name.clone()).unwrap_or(id)),
            )
        }
        "ssh-ed25519" | "sk-ssh-ed25519@openssh.com" => {
            let sk = key_type.starts_with("sk-");
            let k = r.string("Ed25519 key")?;
            if k.len() != 32 {
                return Err(SshError::BadHostKey(format!(
                    "Ed25519 key of {} bytes, expected 32",
                    k.len()
                )));
            }
            if sk {
                r.string("security key application")?;
            }
            (Some(256), Some("Ed25519".to_string()))
        }
        "ssh-ed448" => {
            let k = r.string("Ed448 key")?;
            if k.len() != 57 {
                return Err(SshError::BadHostKey(format!(
                    "Ed448 key of {} bytes, expected 57",
                    k.len()
                )));
            }
            (Some(456), Some("Ed448".to_string()))
        }
        _ => {
            // A type mamori does not know: kept by name; a certificate's key cannot be
            // separated from the rest of it.
            return Ok(KeyInfo {
                key_type,
                bits: None,
                curve: None,
                certificate,
                key_blob: blob.to_vec(),
            });
        }
    };
    let key_fields = start.get(..start.len() - r.buf.len()).unwrap_or_default();
    let key_blob = if certificate {
        // The rest of the certificate must be there too: serial, type, key id, principals,
        // validity, options, extensions, reserved, CA key, signature.
        r.take(8, "certificate serial")?;
        r.u32("certificate type")?;
        for f in ["certificate key id", "certificate principals"] {
            r.string(f)?;
        }
        r.take(16, "certificate validity")?;
        for f in [
            "certificate critical options",
            "certificate extensions",
            "certificate reserved",
            "certificate signature key",
            "certificate signature",
        ] {
            r.string(f)?;
        }
        let mut plain = Vec::with_capacity(4 + key_type.len() + key_fields.len());
        put_string(&mut plain, key_type.as_bytes());
        plain.extend_from_slice(key_fields);
        plain
    } else {
        blob.to_vec()
    };
    Ok(KeyInfo {
        key_type,
        bits,
        curve,
        certificate,
        key_blob,
    })
}

/// `SHA256:` and the unpadded base64 of the blob's SHA-256, as `ssh-keygen -l` prints.
pub(crate) fn fingerprint(blob: &[u8]) -> String {
    format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(blob))
    )
}

/// A server's host key, learned from a key exchange reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostKey {
    /// The host key algorithm asked for, e.g. `rsa-sha2-512`.
    pub algorithm: String,
    /// The key exchange method used to get it.
    pub kex: String,
    /// `K_S` as the server sent it (for a certificate: the certificate).
    pub blob: Vec<u8>,
    /// The plain public key blob (equal to `blob` unless `certificate`).
    pub key_blob: Vec<u8>,
    /// See [`KeyInfo::key_type`].
    pub key_type: String,
    /// See [`KeyInfo::bits`].
    pub bits: Option<u32>,
    /// See [`KeyInfo::curve`].
    pub curve: Option<String>,
    /// `SHA256:` + unpadded base64 of the SHA-256 of the public key (of the key inside, for a
    /// certificate), as `ssh-keygen -l` prints.
    pub fingerprint: String,
    /// `K_S` is an OpenSSH certificate.
    pub certificate: bool,
    /// The algorithm the server's signature names (not verified).
    pub signature_algorithm: String,
}

impl HostKey {
    /// Builds the report from the algorithm asked, the kex used and the reply.
    pub(crate) fn from_reply(
        algorithm: &str,
        kex: &str,
        reply: &KexReply<'_>,
    ) -> Result<Self, SshError> {
        let info = parse_host_key_blob(reply.host_key)?;
        Ok(HostKey {
            algorithm: algorithm.to_string(),
            kex: kex.to_string(),
            blob: reply.host_key.to_vec(),
            fingerprint: fingerprint(&info.key_blob),
            key_blob: info.key_blob,
            key_type: info.key_type,
            bits: info.bits,
            curve: info.curve,
            certificate: info.certificate,
            signature_algorithm: reply.signature_algorithm.clone(),
        })
    }
}
