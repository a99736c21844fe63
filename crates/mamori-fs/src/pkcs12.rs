//! PKCS#12 (`.p12`, `.pfx`) files, and summaries of PKCS#8 private keys and
//! SubjectPublicKeyInfo public keys.
//!
//! [`parse`] opens a PFX with a list of candidate passwords and returns its certificates
//! (DER), a [`KeySummary`] of each private key (algorithm OID, curve, size — never the key
//! itself), the protection algorithms it uses, and which password (if any) opened it.
//!
//! Supported: unencrypted bags (`-keypbe NONE -certpbe NONE`); OpenSSL 3 defaults (PBES2 +
//! PBKDF2-HMAC-SHA-256 + AES-256-CBC, SHA-256 MAC); OpenSSL 1.x / `-legacy` (PKCS#12 PBE
//! with RC2-40 / 3DES, SHA-1 MAC); Java keytool PKCS12 keystores (PBES2 + AES-256, HmacPBESHA256
//! MAC, trusted certificate entries, secret keys). Also BER (indefinite lengths,
//! constructed OCTET STRINGs) as some Windows and NSS exports use.
//!
//! Password encodings follow OpenSSL: the PKCS#12 KDF (MAC and the `pbeWithSHAAnd…`
//! ciphers) takes the password as a big-endian BMPString with a trailing NUL (and, for an
//! empty password, also no bytes at all; for non-ASCII passwords, also OpenSSL 1.x's
//! byte-wise "legacy" conversion); PBES2/PBKDF2 takes the password's UTF-8 bytes.
//!
//! ```no_run
//! let data = std::fs::read("store.p12").unwrap();
//! match mamori_fs::pkcs12::parse(&data, &["changeit".to_string()]) {
//!     Ok(c) => println!("{} certificates, {} keys, {:?}", c.certificates.len(), c.keys.len(), c.encryption),
//!     Err(e) => eprintln!("{e}"),
//! }
//! ```
//!
//! Decrypted key bytes live only inside this module, on the stack of one call: nothing
//! returned contains private key material.

use std::borrow::Cow;

use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};

/// What went wrong opening a PKCS#12 file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Pkcs12Error {
    /// The bytes are not a PKCS#12 PFX structure at all.
    #[error("not a PKCS#12 file: {0}")]
    NotPkcs12(String),
    /// It looks like PKCS#12 but a structure inside is broken or truncated.
    #[error("malformed PKCS#12: {0}")]
    Malformed(String),
    /// None of the passwords tried verifies the MAC or decrypts the contents.
    #[error("wrong password (none of the passwords tried opens it)")]
    WrongPassword,
    /// A protection mode this parser does not implement, and nothing else could be read.
    #[error("unsupported PKCS#12 feature: {0}")]
    Unsupported(String),
}

/// What a private or public key is, without the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySummary {
    /// The algorithm OID of the AlgorithmIdentifier (e.g. `1.2.840.113549.1.1.1` for RSA,
    /// `2.16.840.1.101.3.4.3.18` for ML-DSA-65).
    pub algorithm_oid: String,
    /// A short name when the OID is known: `RSA`, `EC`, `DSA`, `DH`, or the knowledge-base
    /// name (`Ed25519`, `ML-KEM-768`, `MLDSA65-ECDSA-P256-SHA512` …).
    pub algorithm: Option<String>,
    /// The named curve's OID for EC keys.
    pub curve_oid: Option<String>,
    /// The curve's registry name (`P-256`, `brainpoolP384r1` …) where known.
    pub curve: Option<String>,
    /// Size in bits: RSA modulus, DSA/DH prime, EC field size.
    pub bits: Option<u32>,
}

/// A private key found in a PKCS#12 file (described, never copied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct P12Key {
    /// What the key is; `None` when it could not be decrypted or parsed.
    pub summary: Option<KeySummary>,
    /// The key as the key detector describes a PKCS#8 key (algorithm, size, and the
    /// fingerprint of its public half), read from the decrypted PrivateKeyInfo in memory.
    pub described: Option<(mamori_model::AlgorithmProps, mamori_model::KeyProps)>,
    /// Length of the (decrypted) PKCS#8 PrivateKeyInfo DER, or of the encrypted blob when it
    /// could not be decrypted.
    pub der_len: usize,
    /// Whether the key was stored as a shrouded (encrypted) PKCS#8 bag.
    pub encrypted_pkcs8: bool,
    /// The key's own protection algorithm, for shrouded keys.
    pub encryption: Option<String>,
    /// The bag's friendlyName attribute (the alias in Java keystores).
    pub friendly_name: Option<String>,
    /// The bag's localKeyId attribute, hex.
    pub local_key_id: Option<String>,
}

/// A secret (symmetric) key stored in a PKCS#12 secret bag, as Java keystores do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct P12Secret {
    /// The key's algorithm OID from its PrivateKeyInfo wrapper, when decrypted.
    pub algorithm_oid: Option<String>,
    /// Knowledge-base name of that OID (`AES` …) where known.
    pub algorithm: Option<String>,
    /// Key length in bits, when decrypted.
    pub bits: Option<u32>,
    /// The bag's friendlyName attribute (the alias).
    pub friendly_name: Option<String>,
}

/// Everything read from a PKCS#12 file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pkcs12Contents {
    /// X.509 certificates, DER, in file order.
    pub certificates: Vec<Vec<u8>>,
    /// Private keys.
    pub keys: Vec<P12Key>,
    /// Secret keys (Java keystores).
    pub secrets: Vec<P12Secret>,
    /// Which of the passwords given opened the file (MAC or decryption). For the caller to
    /// know; never put it in a report.
    pub password_used: Option<String>,
    /// The integrity MAC: `HMAC-SHA-1`, `HMAC-SHA-256` …, or `PBMAC1`.
    pub mac_algorithm: Option<String>,
    /// `Some(true)` when a password verified the MAC; `Some(false)` when none did (only
    /// returned when every bag was unencrypted); `None` without a MAC, or for a MAC kind not
    /// verified here (PBMAC1).
    pub mac_verified: Option<bool>,
    /// MAC iteration count.
    pub mac_iterations: Option<u64>,
    /// Distinct protection algorithms of the encrypted parts, in order of appearance:
    /// `PBES2-PBKDF2-HMAC-SHA-256-AES-256-CBC`, `pbeWithSHAAnd40BitRC2-CBC`,
    /// `pbeWithSHAAnd3-KeyTripleDES-CBC` …
    pub encryption: Vec<String>,
    /// Parts that could not be read (unsupported cipher, public-key mode …), one line each.
    pub skipped: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// A small BER/DER reader: every length is checked before it is used.

const MAX_DEPTH: u32 = 24;

/// One tag-length-value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet (class, constructed bit, tag number < 31).
    pub tag: u8,
    /// The value bytes (for indefinite lengths: the children, without the end marker).
    pub body: &'a [u8],
    /// The whole encoding: identifier, length, value (and end marker).
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }
}

type DerResult<T> = Result<T, &'static str>;

/// Read one TLV from the front of `data`; returns it and the rest.
pub(crate) fn read_tlv(data: &[u8]) -> DerResult<(Tlv<'_>, &[u8])> {
    read_tlv_depth(data, 0)
}

fn read_tlv_depth(data: &[u8], depth: u32) -> DerResult<(Tlv<'_>, &[u8])> {
    if depth > MAX_DEPTH {
        return Err("nesting too deep");
    }
    let (&tag, rest) = data.split_first().ok_or("truncated (tag)")?;
    if tag & 0x1f == 0x1f {
        return Err("high tag number form not expected here");
    }
    let (&l0, rest) = rest.split_first().ok_or("truncated (length)")?;
    if l0 == 0x80 {
        if tag & 0x20 == 0 {
            return Err("indefinite length on a primitive value");
        }
        // Children up to the end-of-contents marker 00 00.
        let mut cur = rest;
        loop {
            if cur.len() >= 2 && cur[0] == 0 && cur[1] == 0 {
                let body_len = rest.len() - cur.len();
                let body = rest.get(..body_len).ok_or("truncated")?;
                let total = data.len() - cur.len() + 2;
                let raw = data.get(..total).ok_or("truncated")?;
                return Ok((Tlv { tag, body, raw }, &cur[2..]));
            }
            if cur.is_empty() {
                return Err("truncated (missing end-of-contents)");
            }
            let (_, next) = read_tlv_depth(cur, depth + 1)?;
            cur = next;
        }
    }
    let (len, rest) = if l0 < 0x80 {
        (l0 as usize, rest)
    } else {
        let n = (l0 & 0x7f) as usize;
        if n > 4 {
            return Err("length too large");
        }
        let bytes = rest.get(..n).ok_or("truncated (length)")?;
        let mut len = 0usize;
        for &b in bytes {
            len = (len << 8) | b as usize;
        }
        (len, &rest[n..])
    };
    if len > rest.len() {
        return Err("truncated (value shorter than its length)");
    }
    let header = data.len() - rest.len();
    let (body, rest) = rest.split_at(len);
    let raw = data.get(..header + len).ok_or("truncated")?;
    Ok((Tlv { tag, body, raw }, rest))
}

/// All children of a constructed value.
pub(crate) fn children<'a>(t: &Tlv<'a>) -> DerResult<Vec<Tlv<'a>>> {
    children_of(t.body)
}

fn children_of(mut data: &[u8]) -> DerResult<Vec<Tlv<'_>>> {
    let mut v = Vec::new();
    while !data.is_empty() {
        let (t, rest) = read_tlv(data)?;
        v.push(t);
        data = rest;
    }
    Ok(v)
}

/// Parse `data` as exactly one TLV with tag `tag`.
pub(crate) fn expect_whole(data: &[u8], tag: u8) -> DerResult<Tlv<'_>> {
    let (t, rest) = read_tlv(data)?;
    if t.tag != tag {
        return Err("unexpected tag");
    }
    if !rest.is_empty() {
        return Err("trailing bytes");
    }
    Ok(t)
}

fn get_tag<'a>(v: &[Tlv<'a>], i: usize, tag: u8, what: &'static str) -> DerResult<Tlv<'a>> {
    match v.get(i) {
        Some(t) if t.tag == tag => Ok(*t),
        _ => Err(what),
    }
}

/// An OCTET STRING's value (primitive or constructed, any implicit tag).
fn octets<'a>(t: &Tlv<'a>) -> DerResult<Cow<'a, [u8]>> {
    octets_depth(t, 0)
}

fn octets_depth<'a>(t: &Tlv<'a>, depth: u32) -> DerResult<Cow<'a, [u8]>> {
    if !t.constructed() {
        return Ok(Cow::Borrowed(t.body));
    }
    if depth > 4 {
        return Err("constructed OCTET STRING nested too deep");
    }
    let mut out = Vec::new();
    for c in children(t)? {
        out.extend_from_slice(&octets_depth(&c, depth + 1)?);
    }
    Ok(Cow::Owned(out))
}

pub(crate) use crate::der::oid_string;

fn oid_of(t: &Tlv<'_>) -> DerResult<String> {
    if t.tag != 0x06 {
        return Err("expected an OBJECT IDENTIFIER");
    }
    oid_string(t.body).ok_or("bad OBJECT IDENTIFIER")
}

/// A non-negative INTEGER as u64.
fn uint(t: &Tlv<'_>) -> DerResult<u64> {
    if t.tag != 0x02 || t.body.is_empty() {
        return Err("expected an INTEGER");
    }
    if t.body[0] & 0x80 != 0 {
        return Err("negative INTEGER");
    }
    let mut b = t.body;
    while b.len() > 1 && b[0] == 0 {
        b = &b[1..];
    }
    if b.len() > 8 {
        return Err("INTEGER too large");
    }
    Ok(b.iter().fold(0u64, |a, &x| (a << 8) | x as u64))
}

/// Bit length of an unsigned big-endian magnitude (leading zero bytes ignored).
pub(crate) fn bit_len(mag: &[u8]) -> u32 {
    let mut b = mag;
    while let Some((&0, rest)) = b.split_first() {
        b = rest;
    }
    match b.first() {
        None => 0,
        Some(&f) => (b.len() as u32 - 1) * 8 + (8 - f.leading_zeros()),
    }
}

/// AlgorithmIdentifier: (OID, parameters).
fn alg_id<'a>(t: &Tlv<'a>) -> DerResult<(String, Option<Tlv<'a>>)> {
    if t.tag != 0x30 {
        return Err("expected an AlgorithmIdentifier");
    }
    let c = children(t)?;
    let oid = oid_of(c.first().ok_or("empty AlgorithmIdentifier")?)?;
    Ok((oid, c.get(1).copied()))
}

// ---------------------------------------------------------------------------------------
// Key summaries.

/// Summarize a PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208, RFC 5958), unencrypted
/// DER. Reads the algorithm, its parameters, and (RSA) the modulus size; never copies key
/// bytes. Works for any algorithm OID, known or not (post-quantum, composite …).
pub fn pkcs8_summary(der: &[u8]) -> Result<KeySummary, Pkcs12Error> {
    let m = |e: &str| Pkcs12Error::Malformed(format!("PKCS#8 PrivateKeyInfo: {e}"));
    let top = expect_whole(der, 0x30).map_err(m)?;
    let c = children(&top).map_err(m)?;
    let version = uint(c.first().ok_or_else(|| m("empty"))?).map_err(m)?;
    if version > 1 {
        return Err(m("unknown version"));
    }
    let (oid, params) = alg_id(c.get(1).ok_or_else(|| m("no algorithm"))?).map_err(m)?;
    let key = get_tag(&c, 2, 0x04, "no privateKey OCTET STRING").map_err(m)?;
    let mut s = summary_from_params(&oid, params.as_ref());
    match oid.as_str() {
        RSA | RSA_PSS | RSA_OAEP => {
            // RSAPrivateKey ::= SEQUENCE { version, modulus, … }
            if let Ok(k) = expect_whole(key.body, 0x30) {
                if let Ok(kc) = children(&k) {
                    if let Some(n) = kc.get(1).filter(|t| t.tag == 0x02) {
                        s.bits = Some(bit_len(n.body));
                    }
                }
            }
        }
        EC_PUBLIC_KEY | EC_DH | EC_MQV if s.curve_oid.is_none() && s.bits.is_none() => {
            // ECPrivateKey ::= SEQUENCE { version, privateKey, [0] parameters OPTIONAL, … }
            if let Ok(k) = expect_whole(key.body, 0x30) {
                if let Ok(kc) = children(&k) {
                    if let Some(p) = kc.iter().find(|t| t.tag == 0xa0) {
                        if let Ok((inner, _)) = read_tlv(p.body) {
                            apply_ec_params(&mut s, &inner);
                        }
                    }
                }
            }
        }
        _ => {}
    }
    Ok(s)
}

/// Summarize a SubjectPublicKeyInfo (RFC 5280), DER.
pub fn spki_summary(der: &[u8]) -> Result<KeySummary, Pkcs12Error> {
    let m = |e: &str| Pkcs12Error::Malformed(format!("SubjectPublicKeyInfo: {e}"));
    let top = expect_whole(der, 0x30).map_err(m)?;
    let c = children(&top).map_err(m)?;
    let (oid, params) = alg_id(c.first().ok_or_else(|| m("empty"))?).map_err(m)?;
    let bits = get_tag(&c, 1, 0x03, "no subjectPublicKey BIT STRING").map_err(m)?;
    let mut s = summary_from_params(&oid, params.as_ref());
    if matches!(oid.as_str(), RSA | RSA_PSS | RSA_OAEP) {
        // BIT STRING: unused-bits octet, then RSAPublicKey ::= SEQUENCE { modulus, exponent }
        if let Some(inner) = bits.body.get(1..) {
            if let Ok(k) = expect_whole(inner, 0x30) {
                if let Ok(kc) = children(&k) {
                    if let Some(n) = kc.first().filter(|t| t.tag == 0x02) {
                        s.bits = Some(bit_len(n.body));
                    }
                }
            }
        }
    }
    Ok(s)
}

const RSA: &str = "1.2.840.113549.1.1.1";
const RSA_PSS: &str = "1.2.840.113549.1.1.10";
const RSA_OAEP: &str = "1.2.840.113549.1.1.7";
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const EC_DH: &str = "1.3.132.1.12";
const EC_MQV: &str = "1.3.132.1.13";
const DSA: &str = "1.2.840.10040.4.1";
const DH_X942: &str = "1.2.840.10046.2.1";
const DH_PKCS3: &str = "1.2.840.113549.1.3.1";
const SM2_KEY: &str = "1.2.156.10197.1.301";

fn summary_from_params(oid: &str, params: Option<&Tlv<'_>>) -> KeySummary {
    let algorithm = mamori_algorithms::key_algorithm_oid(oid)
        .map(str::to_string)
        .or_else(|| mamori_algorithms::by_oid(oid).map(|p| p.name));
    let mut s = KeySummary {
        algorithm_oid: oid.to_string(),
        algorithm,
        curve_oid: None,
        curve: None,
        bits: None,
    };
    match (oid, params) {
        (EC_PUBLIC_KEY | EC_DH | EC_MQV | SM2_KEY, Some(p)) => apply_ec_params(&mut s, p),
        (DSA | DH_X942 | DH_PKCS3, Some(p)) if p.tag == 0x30 => {
            // Dss-Parms / DomainParameters / DHParameter: the prime p comes first.
            if let Ok(pc) = children(p) {
                if let Some(prime) = pc.first().filter(|t| t.tag == 0x02) {
                    s.bits = Some(bit_len(prime.body));
                }
            }
        }
        _ => {}
    }
    s
}

fn apply_ec_params(s: &mut KeySummary, p: &Tlv<'_>) {
    match p.tag {
        0x06 => {
            if let Some(c) = oid_string(p.body) {
                if let Some(k) = mamori_algorithms::curve(&c) {
                    s.curve = Some(k.name.clone());
                    s.bits = Some(k.bits);
                }
                s.curve_oid = Some(c);
            }
        }
        0x30 => {
            // SpecifiedECDomain ::= SEQUENCE { version, fieldID SEQUENCE { fieldType, prime p | … }, … }
            let Ok(c) = children(p) else { return };
            let Some(field) = c.get(1).filter(|t| t.tag == 0x30) else {
                return;
            };
            let Ok(fc) = children(field) else { return };
            match (fc.first().and_then(|t| oid_of(t).ok()), fc.get(1)) {
                (Some(ft), Some(prime)) if ft == "1.2.840.10045.1.1" && prime.tag == 0x02 => {
                    s.bits = Some(bit_len(prime.body));
                }
                (Some(ft), Some(ch)) if ft == "1.2.840.10045.1.2" && ch.tag == 0x30 => {
                    // Characteristic-two: m is the first INTEGER.
                    if let Ok(cc) = children(ch) {
                        if let Some(mm) = cc.first().and_then(|t| uint(t).ok()) {
                            s.bits = u32::try_from(mm).ok();
                        }
                    }
                }
                _ => {}
            }
            s.curve = Some("explicit parameters".to_string());
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// Password-based encryption.

/// Highest KDF iteration count we run (a hostile file must not stall the scan).
const MAX_ITERATIONS: u64 = 2_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn by_digest_oid(oid: &str) -> Option<Hash> {
        Some(match oid {
            "1.3.14.3.2.26" => Hash::Sha1,
            "2.16.840.1.101.3.4.2.4" => Hash::Sha224,
            "2.16.840.1.101.3.4.2.1" => Hash::Sha256,
            "2.16.840.1.101.3.4.2.2" => Hash::Sha384,
            "2.16.840.1.101.3.4.2.3" => Hash::Sha512,
            _ => return None,
        })
    }
    fn by_hmac_oid(oid: &str) -> Option<Hash> {
        Some(match oid {
            "1.2.840.113549.2.7" => Hash::Sha1,
            "1.2.840.113549.2.8" => Hash::Sha224,
            "1.2.840.113549.2.9" => Hash::Sha256,
            "1.2.840.113549.2.10" => Hash::Sha384,
            "1.2.840.113549.2.11" => Hash::Sha512,
            _ => return None,
        })
    }
    fn name(self) -> &'static str {
        match self {
            Hash::Sha1 => "SHA-1",
            Hash::Sha224 => "SHA-224",
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }
    fn out_len(self) -> usize {
        match self {
            Hash::Sha1 => 20,
            Hash::Sha224 => 28,
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }
}

fn hmac_digest_name(oid: &str) -> String {
    match Hash::by_hmac_oid(oid) {
        Some(h) => h.name().to_string(),
        None => oid.to_string(),
    }
}

/// PKCS#12 key derivation (RFC 7292 Appendix B.2) with hash `D` of block size `v`.
fn p12_kdf_with<D: Digest>(
    v: usize,
    pass: &[u8],
    salt: &[u8],
    id: u8,
    iter: u64,
    n: usize,
) -> Vec<u8> {
    let u = <D as Digest>::output_size();
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let len = v * src.len().div_ceil(v);
        src.iter().copied().cycle().take(len).collect()
    };
    let mut i_buf = fill(salt);
    i_buf.extend(fill(pass));
    let d = vec![id; v];
    let mut out = Vec::with_capacity(n + u);
    while out.len() < n {
        let mut h = D::new();
        h.update(&d);
        h.update(&i_buf);
        let mut a = h.finalize().to_vec();
        for _ in 1..iter.max(1) {
            a = D::digest(&a).to_vec();
        }
        out.extend_from_slice(&a);
        if out.len() >= n {
            break;
        }
        // B = A repeated to v bytes; each v-byte block I_j = (I_j + B + 1) mod 2^(8v).
        let b: Vec<u8> = a.iter().copied().cycle().take(v).collect();
        for chunk in i_buf.chunks_mut(v) {
            let mut carry: u16 = 1;
            for k in (0..chunk.len()).rev() {
                let sum = chunk[k] as u16 + b[k] as u16 + carry;
                chunk[k] = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(n);
    out
}

fn p12_kdf(hash: Hash, pass: &[u8], salt: &[u8], id: u8, iter: u64, n: usize) -> Vec<u8> {
    match hash {
        Hash::Sha1 => p12_kdf_with::<Sha1>(64, pass, salt, id, iter, n),
        Hash::Sha224 => p12_kdf_with::<Sha224>(64, pass, salt, id, iter, n),
        Hash::Sha256 => p12_kdf_with::<Sha256>(64, pass, salt, id, iter, n),
        Hash::Sha384 => p12_kdf_with::<Sha384>(128, pass, salt, id, iter, n),
        Hash::Sha512 => p12_kdf_with::<Sha512>(128, pass, salt, id, iter, n),
    }
}

fn pbkdf2(hash: Hash, pass: &[u8], salt: &[u8], iter: u32, out: &mut [u8]) {
    match hash {
        Hash::Sha1 => pbkdf2::pbkdf2_hmac::<Sha1>(pass, salt, iter, out),
        Hash::Sha224 => pbkdf2::pbkdf2_hmac::<Sha224>(pass, salt, iter, out),
        Hash::Sha256 => pbkdf2::pbkdf2_hmac::<Sha256>(pass, salt, iter, out),
        Hash::Sha384 => pbkdf2::pbkdf2_hmac::<Sha384>(pass, salt, iter, out),
        Hash::Sha512 => pbkdf2::pbkdf2_hmac::<Sha512>(pass, salt, iter, out),
    }
}

fn hmac_verify(hash: Hash, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    use hmac::{Hmac, KeyInit, Mac};
    macro_rules! run {
        ($d:ty) => {{
            match <Hmac<$d> as KeyInit>::new_from_slice(key) {
                Ok(mut m) => {
                    m.update(data);
                    m.verify_slice(tag).is_ok()
                }
                Err(_) => false,
            }
        }};
    }
    match hash {
        Hash::Sha1 => run!(Sha1),
        Hash::Sha224 => run!(Sha224),
        Hash::Sha256 => run!(Sha256),
        Hash::Sha384 => run!(Sha384),
        Hash::Sha512 => run!(Sha512),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cipher {
    Aes,
    DesEde3,
    DesEde2,
    Des,
    Rc2 { eff_bits: usize },
    Rc4,
}

#[derive(Debug, Clone)]
enum Scheme {
    /// PKCS#12 PBE (`pbeWithSHAAnd…`): PKCS#12 KDF with SHA-1, BMPString password.
    Pkcs12 {
        cipher: Cipher,
        key_len: usize,
        salt: Vec<u8>,
        iter: u64,
    },
    /// PBES2 with PBKDF2, UTF-8 password.
    Pbes2 {
        prf: Hash,
        salt: Vec<u8>,
        iter: u32,
        cipher: Cipher,
        key_len: usize,
        iv: Vec<u8>,
    },
}

/// The protection algorithm's name, and the scheme when this module can decrypt it.
fn parse_scheme(t: &Tlv<'_>) -> DerResult<(String, Result<Scheme, String>)> {
    let (oid, params) = alg_id(t)?;
    let pkcs12 = |name: &str,
                  cipher: Cipher,
                  key_len: usize|
     -> DerResult<(String, Result<Scheme, String>)> {
        let p = params.ok_or("PBE without parameters")?;
        let pc = children(&p)?;
        let salt = get_tag(&pc, 0, 0x04, "PBE parameters without salt")?;
        let iter = uint(pc.get(1).ok_or("PBE parameters without iterations")?)?;
        let scheme = if iter > MAX_ITERATIONS {
            Err(format!(
                "{name}: {iter} iterations is more than the {MAX_ITERATIONS} allowed"
            ))
        } else {
            Ok(Scheme::Pkcs12 {
                cipher,
                key_len,
                salt: salt.body.to_vec(),
                iter,
            })
        };
        Ok((name.to_string(), scheme))
    };
    match oid.as_str() {
        "1.2.840.113549.1.12.1.1" => pkcs12("pbeWithSHAAnd128BitRC4", Cipher::Rc4, 16),
        "1.2.840.113549.1.12.1.2" => pkcs12("pbeWithSHAAnd40BitRC4", Cipher::Rc4, 5),
        "1.2.840.113549.1.12.1.3" => pkcs12("pbeWithSHAAnd3-KeyTripleDES-CBC", Cipher::DesEde3, 24),
        "1.2.840.113549.1.12.1.4" => pkcs12("pbeWithSHAAnd2-KeyTripleDES-CBC", Cipher::DesEde2, 16),
        "1.2.840.113549.1.12.1.5" => pkcs12(
            "pbeWithSHAAnd128BitRC2-CBC",
            Cipher::Rc2 { eff_bits: 128 },
            16,
        ),
        "1.2.840.113549.1.12.1.6" => {
            pkcs12("pbeWithSHAAnd40BitRC2-CBC", Cipher::Rc2 { eff_bits: 40 }, 5)
        }
        "1.2.840.113549.1.5.13" => parse_pbes2(params.as_ref()),
        other => {
            let name = match other {
                "1.2.840.113549.1.5.1" => "pbeWithMD2AndDES-CBC",
                "1.2.840.113549.1.5.3" => "pbeWithMD5AndDES-CBC",
                "1.2.840.113549.1.5.4" => "pbeWithMD2AndRC2-CBC",
                "1.2.840.113549.1.5.6" => "pbeWithMD5AndRC2-CBC",
                "1.2.840.113549.1.5.10" => "pbeWithSHA1AndDES-CBC",
                "1.2.840.113549.1.5.11" => "pbeWithSHA1AndRC2-CBC",
                o => o,
            };
            Ok((name.to_string(), Err(format!("{name} is not supported"))))
        }
    }
}

fn parse_pbes2(params: Option<&Tlv<'_>>) -> DerResult<(String, Result<Scheme, String>)> {
    let p = params.ok_or("PBES2 without parameters")?;
    let pc = children(p)?;
    let (kdf_oid, kdf_params) = alg_id(pc.first().ok_or("PBES2 without KDF")?)?;
    let (enc_oid, enc_params) = alg_id(pc.get(1).ok_or("PBES2 without cipher")?)?;
    // The cipher.
    let (cipher_name, cipher, key_len, iv): (String, Option<Cipher>, usize, Vec<u8>) =
        match enc_oid.as_str() {
            "2.16.840.1.101.3.4.1.2" | "2.16.840.1.101.3.4.1.22" | "2.16.840.1.101.3.4.1.42" => {
                let bits = match enc_oid.as_str() {
                    "2.16.840.1.101.3.4.1.2" => 128,
                    "2.16.840.1.101.3.4.1.22" => 192,
                    _ => 256,
                };
                let iv = enc_params
                    .filter(|t| t.tag == 0x04)
                    .ok_or("AES-CBC without IV")?;
                (
                    format!("AES-{bits}-CBC"),
                    Some(Cipher::Aes),
                    bits / 8,
                    iv.body.to_vec(),
                )
            }
            "1.2.840.113549.3.7" => {
                let iv = enc_params
                    .filter(|t| t.tag == 0x04)
                    .ok_or("DES-EDE3-CBC without IV")?;
                (
                    "DES-EDE3-CBC".into(),
                    Some(Cipher::DesEde3),
                    24,
                    iv.body.to_vec(),
                )
            }
            "1.3.14.3.2.7" => {
                let iv = enc_params
                    .filter(|t| t.tag == 0x04)
                    .ok_or("DES-CBC without IV")?;
                ("DES-CBC".into(), Some(Cipher::Des), 8, iv.body.to_vec())
            }
            "1.2.840.113549.3.2" => {
                // RC2-CBC-Parameter ::= SEQUENCE { rc2ParameterVersion INTEGER OPTIONAL, iv OCTET STRING }
                let p = enc_params.ok_or("RC2-CBC without parameters")?;
                let c = children(&p)?;
                let (ver, iv) = match (c.first(), c.get(1)) {
                    (Some(v), Some(iv)) if v.tag == 0x02 && iv.tag == 0x04 => (uint(v)?, iv),
                    (Some(iv), None) if iv.tag == 0x04 => (32, iv),
                    _ => return Err("bad RC2-CBC parameters"),
                };
                let eff = match ver {
                    160 => 40,
                    120 => 64,
                    58 => 128,
                    v if v >= 256 => v as usize,
                    _ => 32,
                };
                (
                    format!("RC2-{eff}-CBC"),
                    Some(Cipher::Rc2 {
                        eff_bits: eff.min(1024),
                    }),
                    0, // from the KDF's keyLength, or eff/8
                    iv.body.to_vec(),
                )
            }
            other => (other.to_string(), None, 0, Vec::new()),
        };
    // The KDF.
    if kdf_oid != "1.2.840.113549.1.5.12" {
        let kdf_name = match kdf_oid.as_str() {
            "1.3.6.1.4.1.11591.4.11" => "scrypt",
            o => o,
        };
        let name = format!("PBES2-{kdf_name}-{cipher_name}");
        return Ok((name.clone(), Err(format!("{name} is not supported"))));
    }
    let kp = kdf_params.ok_or("PBKDF2 without parameters")?;
    let kc = children(&kp)?;
    let salt = get_tag(&kc, 0, 0x04, "PBKDF2 salt is not an OCTET STRING")?;
    let iter = uint(kc.get(1).ok_or("PBKDF2 without iterations")?)?;
    let mut idx = 2;
    let mut explicit_len = None;
    if let Some(t) = kc.get(idx).filter(|t| t.tag == 0x02) {
        explicit_len = Some(uint(t)?);
        idx += 1;
    }
    let (prf, prf_name) = match kc.get(idx) {
        None => (Some(Hash::Sha1), "SHA-1".to_string()),
        Some(t) => {
            let (o, _) = alg_id(t)?;
            (Hash::by_hmac_oid(&o), hmac_digest_name(&o))
        }
    };
    let name = format!("PBES2-PBKDF2-HMAC-{prf_name}-{cipher_name}");
    let key_len = match (cipher, explicit_len) {
        (Some(Cipher::Rc2 { eff_bits }), None) => eff_bits.div_ceil(8),
        (_, Some(l)) => l as usize,
        (_, None) => key_len,
    };
    let scheme = match (prf, cipher) {
        _ if iter > MAX_ITERATIONS => Err(format!(
            "{name}: {iter} iterations is more than the {MAX_ITERATIONS} allowed"
        )),
        (Some(prf), Some(cipher)) if (1..=128).contains(&key_len) => Ok(Scheme::Pbes2 {
            prf,
            salt: salt.body.to_vec(),
            iter: iter as u32,
            cipher,
            key_len,
            iv,
        }),
        _ => Err(format!("{name} is not supported")),
    };
    Ok((name, scheme))
}

/// The forms a password takes for the PKCS#12 KDF (OpenSSL's behaviour).
fn bmp_forms(pass: &str) -> Vec<Vec<u8>> {
    let mut forms = Vec::new();
    let mut bmp: Vec<u8> = pass.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    bmp.extend_from_slice(&[0, 0]);
    forms.push(bmp);
    if pass.is_empty() {
        forms.push(Vec::new()); // a NULL password
    }
    if !pass.is_ascii() {
        // OpenSSL 1.x: each byte of the (UTF-8) string widened to 16 bits.
        let mut legacy: Vec<u8> = pass.bytes().flat_map(|b| [0, b]).collect();
        legacy.extend_from_slice(&[0, 0]);
        forms.push(legacy);
    }
    forms
}

fn cbc_decrypt<C>(cipher: C, iv: &[u8], data: &[u8]) -> Option<Vec<u8>>
where
    C: cbc::cipher::BlockDecryptMut + cbc::cipher::BlockCipher + Clone,
{
    use cbc::cipher::{block_padding::Pkcs7, BlockDecryptMut, InnerIvInit};
    let dec = cbc::Decryptor::<C>::inner_iv_slice_init(cipher, iv).ok()?;
    let mut buf = data.to_vec();
    let n = dec.decrypt_padded_mut::<Pkcs7>(&mut buf).ok()?.len();
    buf.truncate(n);
    Some(buf)
}

fn rc4(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut s: [u8; 256] = core::array::from_fn(|i| i as u8);
    if key.is_empty() {
        return data.to_vec();
    }
    let mut j: u8 = 0;
    for i in 0..256 {
        j = j.wrapping_add(s[i]).wrapping_add(key[i % key.len()]);
        s.swap(i, j as usize);
    }
    let (mut i, mut j) = (0u8, 0u8);
    data.iter()
        .map(|&b| {
            i = i.wrapping_add(1);
            j = j.wrapping_add(s[i as usize]);
            s.swap(i as usize, j as usize);
            b ^ s[s[i as usize].wrapping_add(s[j as usize]) as usize]
        })
        .collect()
}

fn run_cipher(cipher: Cipher, key: &[u8], iv: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    use cbc::cipher::KeyInit;
    match cipher {
        Cipher::Aes => match key.len() {
            16 => cbc_decrypt(aes::Aes128::new_from_slice(key).ok()?, iv, data),
            24 => cbc_decrypt(aes::Aes192::new_from_slice(key).ok()?, iv, data),
            32 => cbc_decrypt(aes::Aes256::new_from_slice(key).ok()?, iv, data),
            _ => None,
        },
        Cipher::DesEde3 => cbc_decrypt(des::TdesEde3::new_from_slice(key).ok()?, iv, data),
        Cipher::DesEde2 => cbc_decrypt(des::TdesEde2::new_from_slice(key).ok()?, iv, data),
        Cipher::Des => cbc_decrypt(des::Des::new_from_slice(key).ok()?, iv, data),
        Cipher::Rc2 { eff_bits } => {
            if key.is_empty() || key.len() > 128 || !(1..=1024).contains(&eff_bits) {
                return None;
            }
            cbc_decrypt(rc2::Rc2::new_with_eff_key_len(key, eff_bits), iv, data)
        }
        Cipher::Rc4 => Some(rc4(key, data)),
    }
}

/// Decrypt with one password; the result must be one whole DER SEQUENCE (which rejects
/// wrong passwords that happen to produce valid padding).
fn decrypt(scheme: &Scheme, password: &str, data: &[u8]) -> Option<Vec<u8>> {
    let check = |p: Vec<u8>| -> Option<Vec<u8>> {
        expect_whole(&p, 0x30).ok()?;
        Some(p)
    };
    match scheme {
        Scheme::Pkcs12 {
            cipher,
            key_len,
            salt,
            iter,
        } => bmp_forms(password).into_iter().find_map(|pw| {
            let key = p12_kdf(Hash::Sha1, &pw, salt, 1, *iter, *key_len);
            let iv = if *cipher == Cipher::Rc4 {
                Vec::new()
            } else {
                p12_kdf(Hash::Sha1, &pw, salt, 2, *iter, 8)
            };
            check(run_cipher(*cipher, &key, &iv, data)?)
        }),
        Scheme::Pbes2 {
            prf,
            salt,
            iter,
            cipher,
            key_len,
            iv,
        } => {
            let mut key = vec![0u8; *key_len];
            pbkdf2(*prf, password.as_bytes(), salt, *iter, &mut key);
            check(run_cipher(*cipher, &key, iv, data)?)
        }
    }
}

/// Decrypt with the first password that works, trying `preferred` first.
fn decrypt_any(
    scheme: &Scheme,
    passwords: &[String],
    preferred: Option<usize>,
    data: &[u8],
) -> Option<(usize, Vec<u8>)> {
    let order = preferred
        .into_iter()
        .chain((0..passwords.len()).filter(|&i| Some(i) != preferred));
    for i in order {
        let p = passwords.get(i)?;
        if let Some(plain) = decrypt(scheme, p, data) {
            return Some((i, plain));
        }
    }
    None
}

/// An EncryptedPrivateKeyInfo (PKCS#8 `BEGIN ENCRYPTED PRIVATE KEY`) opened with a list of
/// passwords.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedKeyInfo {
    /// The protection algorithm, e.g. `PBES2-PBKDF2-HMAC-SHA-256-AES-256-CBC`.
    pub encryption: String,
    /// What the key is, when a password opened it.
    pub summary: Option<KeySummary>,
    /// Which password opened it (for the caller only; never report it).
    pub password_used: Option<String>,
    /// Why it was not opened (unsupported scheme, …), when it was not.
    pub problem: Option<String>,
}

/// Read an EncryptedPrivateKeyInfo (RFC 5208 §6), DER: always the protection algorithm,
/// and the key summary when one of `passwords` decrypts it. A wrong password is not an
/// error here (`summary` is `None`); malformed input is.
pub fn encrypted_pkcs8(der: &[u8], passwords: &[String]) -> Result<EncryptedKeyInfo, Pkcs12Error> {
    let m = |e: &str| Pkcs12Error::Malformed(format!("EncryptedPrivateKeyInfo: {e}"));
    let top = expect_whole(der, 0x30).map_err(m)?;
    let c = children(&top).map_err(m)?;
    let (name, scheme) = parse_scheme(c.first().ok_or_else(|| m("empty"))?).map_err(m)?;
    let data = octets(&get_tag(&c, 1, 0x04, "no encryptedData").map_err(m)?).map_err(m)?;
    let mut out = EncryptedKeyInfo {
        encryption: name,
        summary: None,
        password_used: None,
        problem: None,
    };
    match scheme {
        Err(why) => out.problem = Some(why),
        Ok(s) => match decrypt_any(&s, passwords, None, &data) {
            Some((i, plain)) => {
                out.summary = Some(pkcs8_summary(&plain)?);
                out.password_used = passwords.get(i).cloned();
            }
            None => out.problem = Some("wrong password".into()),
        },
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// PFX.

const OID_DATA: &str = "1.2.840.113549.1.7.1";
const OID_ENCRYPTED_DATA: &str = "1.2.840.113549.1.7.6";
const OID_ENVELOPED_DATA: &str = "1.2.840.113549.1.7.3";
const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";
const BAG_KEY: &str = "1.2.840.113549.1.12.10.1.1";
const BAG_SHROUDED_KEY: &str = "1.2.840.113549.1.12.10.1.2";
const BAG_CERT: &str = "1.2.840.113549.1.12.10.1.3";
const BAG_CRL: &str = "1.2.840.113549.1.12.10.1.4";
const BAG_SECRET: &str = "1.2.840.113549.1.12.10.1.5";
const BAG_SAFE_CONTENTS: &str = "1.2.840.113549.1.12.10.1.6";
const CERT_X509: &str = "1.2.840.113549.1.9.22.1";
const ATTR_FRIENDLY_NAME: &str = "1.2.840.113549.1.9.20";
const ATTR_LOCAL_KEY_ID: &str = "1.2.840.113549.1.9.21";

/// One element of the AuthenticatedSafe, before decryption.
enum Part<'a> {
    Plain(Cow<'a, [u8]>),
    Encrypted {
        name: String,
        scheme: Result<Scheme, String>,
        data: Cow<'a, [u8]>,
    },
    Other(String),
}

struct Mac {
    name: String,
    hash: Option<Hash>,
    digest: Vec<u8>,
    salt: Vec<u8>,
    iter: u64,
}

/// Open a PKCS#12 file with the first of `passwords` that works.
///
/// The MAC, when present and of a supported kind, picks the password; otherwise the first
/// password that decrypts an encrypted part does. Returns [`Pkcs12Error::WrongPassword`]
/// when encrypted parts exist and no password opens them (or none verifies the MAC). When
/// every bag is in clear, the contents come back even if no password verifies the MAC
/// (`mac_verified == Some(false)`).
pub fn parse(data: &[u8], passwords: &[String]) -> Result<Pkcs12Contents, Pkcs12Error> {
    let not = |e: &str| Pkcs12Error::NotPkcs12(e.to_string());
    let mal = |e: &str| Pkcs12Error::Malformed(e.to_string());

    // PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo, macData MacData OPTIONAL }
    let (top, _trailing) = read_tlv(data).map_err(not)?;
    if top.tag != 0x30 {
        return Err(not("does not start with a SEQUENCE"));
    }
    let c = children(&top).map_err(mal)?;
    let version = c
        .first()
        .and_then(|t| uint(t).ok())
        .ok_or_else(|| not("no version"))?;
    if version != 3 {
        return Err(not("version is not 3"));
    }
    let auth = c
        .get(1)
        .filter(|t| t.tag == 0x30)
        .ok_or_else(|| not("no authSafe"))?;
    let ac = children(auth).map_err(mal)?;
    let ctype = ac
        .first()
        .and_then(|t| oid_of(t).ok())
        .ok_or_else(|| not("no content type"))?;
    if ctype == OID_SIGNED_DATA {
        return Err(Pkcs12Error::Unsupported(
            "public-key integrity mode (signedData)".into(),
        ));
    }
    if ctype != OID_DATA {
        return Err(not("authSafe is not id-data"));
    }
    let explicit = get_tag(&ac, 1, 0xa0, "authSafe without content").map_err(mal)?;
    let (inner, _) = read_tlv(explicit.body).map_err(mal)?;
    if inner.tag & !0x20 != 0x04 {
        return Err(mal("authSafe content is not an OCTET STRING"));
    }
    let auth_bytes = octets(&inner).map_err(mal)?;

    // MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
    let mac = match c.get(2) {
        None => None,
        Some(t) => Some(parse_mac(t).map_err(|e| mal(&format!("MacData: {e}")))?),
    };

    // AuthenticatedSafe ::= SEQUENCE OF ContentInfo
    let safe =
        expect_whole(&auth_bytes, 0x30).map_err(|e| mal(&format!("AuthenticatedSafe: {e}")))?;
    let mut parts = Vec::new();
    for ci in children(&safe).map_err(mal)? {
        parts.push(parse_part(&ci).map_err(|e| mal(&format!("ContentInfo: {e}")))?);
    }

    let mut out = Pkcs12Contents::default();
    let has_encrypted = parts.iter().any(|p| matches!(p, Part::Encrypted { .. }));
    let mut chosen: Option<usize> = None;
    if let Some(mac) = &mac {
        out.mac_algorithm = Some(mac.name.clone());
        out.mac_iterations = Some(mac.iter);
        if let Some(hash) = mac.hash {
            if mac.iter > MAX_ITERATIONS {
                out.skipped.push(format!(
                    "MAC not verified: {} iterations is more than the {MAX_ITERATIONS} allowed",
                    mac.iter
                ));
            } else {
                chosen = passwords.iter().position(|p| {
                    bmp_forms(p).iter().any(|pw| {
                        let key = p12_kdf(hash, pw, &mac.salt, 3, mac.iter, hash.out_len());
                        hmac_verify(hash, &key, &auth_bytes, &mac.digest)
                    })
                });
                out.mac_verified = Some(chosen.is_some());
                if chosen.is_none() && has_encrypted {
                    return Err(Pkcs12Error::WrongPassword);
                }
            }
        }
    }

    let mut ctx = Ctx {
        passwords,
        chosen,
        failed: 0,
        opened: 0,
        work_left: FILE_WORK,
    };
    for part in parts {
        match part {
            Part::Plain(bytes) => read_safe_contents(&bytes, &mut ctx, &mut out, 0)?,
            Part::Other(what) => out.skipped.push(what),
            Part::Encrypted { name, scheme, data } => {
                push_unique(&mut out.encryption, &name);
                match scheme {
                    Err(why) => out.skipped.push(format!("encrypted safe contents: {why}")),
                    Ok(s) => match ctx.decrypt(&s, &data) {
                        Some(plain) => read_safe_contents(&plain, &mut ctx, &mut out, 0)?,
                        None => out.skipped.push(format!(
                            "encrypted safe contents ({name}): no password opens it"
                        )),
                    },
                }
            }
        }
    }
    if ctx.failed > 0 && ctx.opened == 0 {
        return Err(Pkcs12Error::WrongPassword);
    }
    if has_encrypted && ctx.opened == 0 && out.certificates.is_empty() && out.keys.is_empty() {
        return Err(Pkcs12Error::Unsupported(out.skipped.join("; ")));
    }
    let chosen = ctx.chosen;
    out.password_used = chosen.and_then(|i| passwords.get(i).cloned());
    Ok(out)
}

/// Key-derivation iterations one file may cost in all (about a few seconds of CPU): a
/// hostile file of many bags, each at the per-bag maximum, must not stall the scan.
const FILE_WORK: u64 = 40_000_000;

/// Password state while reading one file.
struct Ctx<'p> {
    passwords: &'p [String],
    chosen: Option<usize>,
    failed: usize,
    opened: usize,
    /// Key-derivation iterations still allowed for this file.
    work_left: u64,
}

impl Ctx<'_> {
    fn decrypt(&mut self, scheme: &Scheme, data: &[u8]) -> Option<Vec<u8>> {
        // When no password has opened anything and one bag has already resisted all of them,
        // the next bag will too (one file, one password): do not pay for it again.
        if self.opened == 0 && self.failed > 0 {
            self.failed += 1;
            return None;
        }
        // Worst case of this bag: every password, every password form, key and IV derived.
        let per_try = match scheme {
            Scheme::Pkcs12 { iter, .. } => iter.saturating_mul(6),
            Scheme::Pbes2 { iter, .. } => u64::from(*iter),
        };
        let tries = self.passwords.len().max(1) as u64;
        let cost = per_try.saturating_mul(tries);
        if cost > self.work_left {
            self.failed += 1;
            return None;
        }
        self.work_left -= cost;
        match decrypt_any(scheme, self.passwords, self.chosen, data) {
            Some((i, plain)) => {
                self.opened += 1;
                self.chosen.get_or_insert(i);
                Some(plain)
            }
            None => {
                self.failed += 1;
                None
            }
        }
    }
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

fn parse_mac(t: &Tlv<'_>) -> DerResult<Mac> {
    if t.tag != 0x30 {
        return Err("not a SEQUENCE");
    }
    let c = children(t)?;
    let di = get_tag(&c, 0, 0x30, "no DigestInfo")?;
    let dc = children(&di)?;
    let (oid, _) = alg_id(dc.first().ok_or("empty DigestInfo")?)?;
    let digest = get_tag(&dc, 1, 0x04, "no digest")?;
    let salt = get_tag(&c, 1, 0x04, "no macSalt")?;
    let iter = match c.get(2) {
        Some(t) => uint(t)?,
        None => 1,
    };
    let hash = Hash::by_digest_oid(&oid);
    let name = match (hash, oid.as_str()) {
        (Some(h), _) => format!("HMAC-{}", h.name()),
        (None, "1.2.840.113549.1.5.14") => "PBMAC1".to_string(),
        (None, o) => o.to_string(),
    };
    Ok(Mac {
        name,
        hash,
        digest: digest.body.to_vec(),
        salt: salt.body.to_vec(),
        iter,
    })
}

fn parse_part<'a>(ci: &Tlv<'a>) -> DerResult<Part<'a>> {
    if ci.tag != 0x30 {
        return Err("not a SEQUENCE");
    }
    let c = children(ci)?;
    let ctype = oid_of(c.first().ok_or("empty")?)?;
    let content = get_tag(&c, 1, 0xa0, "no content")?;
    let (inner, _) = read_tlv(content.body)?;
    match ctype.as_str() {
        OID_DATA => {
            if inner.tag & !0x20 != 0x04 {
                return Err("data content is not an OCTET STRING");
            }
            Ok(Part::Plain(octets(&inner)?))
        }
        OID_ENCRYPTED_DATA => {
            // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo }
            // EncryptedContentInfo ::= SEQUENCE { contentType, contentEncryptionAlgorithm,
            //                                     encryptedContent [0] IMPLICIT OCTET STRING OPTIONAL }
            if inner.tag != 0x30 {
                return Err("EncryptedData is not a SEQUENCE");
            }
            let ec = children(&inner)?;
            let eci = get_tag(&ec, 1, 0x30, "no EncryptedContentInfo")?;
            let ecc = children(&eci)?;
            let (name, scheme) =
                parse_scheme(ecc.get(1).ok_or("no content encryption algorithm")?)?;
            let data = match ecc.get(2) {
                Some(t) if t.tag & !0x20 == 0x80 => octets(t)?,
                _ => return Err("EncryptedData without encryptedContent"),
            };
            Ok(Part::Encrypted { name, scheme, data })
        }
        OID_ENVELOPED_DATA => Ok(Part::Other(
            "public-key privacy mode (envelopedData) is not supported".into(),
        )),
        other => Ok(Part::Other(format!(
            "content type {other} is not supported"
        ))),
    }
}

struct BagAttrs {
    friendly_name: Option<String>,
    local_key_id: Option<String>,
}

fn bag_attrs(t: Option<&Tlv<'_>>) -> BagAttrs {
    let mut a = BagAttrs {
        friendly_name: None,
        local_key_id: None,
    };
    let Some(set) = t.filter(|t| t.tag == 0x31) else {
        return a;
    };
    for attr in children(set).unwrap_or_default() {
        let Ok(ac) = children(&attr) else { continue };
        let (Some(id), Some(vals)) = (ac.first().and_then(|t| oid_of(t).ok()), ac.get(1)) else {
            continue;
        };
        let Some(v) = children(vals).ok().and_then(|v| v.first().copied()) else {
            continue;
        };
        match id.as_str() {
            ATTR_FRIENDLY_NAME if v.tag == 0x1e => {
                let units: Vec<u16> = v
                    .body
                    .chunks_exact(2)
                    .map(|p| u16::from_be_bytes([p[0], p[1]]))
                    .collect();
                a.friendly_name = Some(String::from_utf16_lossy(&units));
            }
            ATTR_LOCAL_KEY_ID if v.tag == 0x04 => a.local_key_id = Some(hex::encode(v.body)),
            _ => {}
        }
    }
    a
}

fn read_safe_contents(
    bytes: &[u8],
    ctx: &mut Ctx<'_>,
    out: &mut Pkcs12Contents,
    depth: u32,
) -> Result<(), Pkcs12Error> {
    let mal = |e: &str| Pkcs12Error::Malformed(format!("SafeContents: {e}"));
    if depth > 4 {
        return Err(mal("nested too deep"));
    }
    let top = expect_whole(bytes, 0x30).map_err(mal)?;
    for bag in children(&top).map_err(mal)? {
        // SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT, bagAttributes SET OPTIONAL }
        if bag.tag != 0x30 {
            return Err(mal("SafeBag is not a SEQUENCE"));
        }
        let c = children(&bag).map_err(mal)?;
        let id = oid_of(c.first().ok_or_else(|| mal("empty SafeBag"))?).map_err(mal)?;
        let value = get_tag(&c, 1, 0xa0, "SafeBag without value").map_err(mal)?;
        let (value, _) = read_tlv(value.body).map_err(mal)?;
        let attrs = bag_attrs(c.get(2));
        match id.as_str() {
            BAG_CERT => {
                // CertBag ::= SEQUENCE { certId OID, certValue [0] EXPLICIT OCTET STRING }
                let cc = children(&value).map_err(mal)?;
                let kind = oid_of(cc.first().ok_or_else(|| mal("empty CertBag"))?).map_err(mal)?;
                let v = get_tag(&cc, 1, 0xa0, "CertBag without value").map_err(mal)?;
                let (v, _) = read_tlv(v.body).map_err(mal)?;
                if kind == CERT_X509 {
                    out.certificates.push(octets(&v).map_err(mal)?.into_owned());
                } else {
                    out.skipped.push(format!("certificate bag of type {kind}"));
                }
            }
            BAG_KEY => {
                let raw = value.raw;
                out.keys.push(P12Key {
                    summary: pkcs8_summary(raw).ok(),
                    described: crate::keys::pkcs8_key(raw),
                    der_len: raw.len(),
                    encrypted_pkcs8: false,
                    encryption: None,
                    friendly_name: attrs.friendly_name,
                    local_key_id: attrs.local_key_id,
                });
            }
            BAG_SHROUDED_KEY => {
                let raw = value.raw;
                let (name, plain) = open_shrouded(raw, ctx, out)?;
                out.keys.push(P12Key {
                    summary: plain.as_deref().and_then(|p| pkcs8_summary(p).ok()),
                    described: plain.as_deref().and_then(crate::keys::pkcs8_key),
                    der_len: plain.as_ref().map_or(raw.len(), Vec::len),
                    encrypted_pkcs8: true,
                    encryption: Some(name),
                    friendly_name: attrs.friendly_name,
                    local_key_id: attrs.local_key_id,
                });
            }
            BAG_SECRET => {
                // SecretBag ::= SEQUENCE { secretTypeId OID, secretValue [0] EXPLICIT OCTET STRING }
                let sc = children(&value).map_err(mal)?;
                let kind =
                    oid_of(sc.first().ok_or_else(|| mal("empty SecretBag"))?).map_err(mal)?;
                let v = get_tag(&sc, 1, 0xa0, "SecretBag without value").map_err(mal)?;
                let (v, _) = read_tlv(v.body).map_err(mal)?;
                let v = octets(&v).map_err(mal)?;
                let plain = match kind.as_str() {
                    BAG_SHROUDED_KEY => open_shrouded(&v, ctx, out)?.1,
                    BAG_KEY => Some(v.to_vec()),
                    _ => None,
                };
                let (algorithm_oid, bits) = plain
                    .as_deref()
                    .and_then(secret_info)
                    .map_or((None, None), |(o, b)| (Some(o), Some(b)));
                out.secrets.push(P12Secret {
                    algorithm: algorithm_oid.as_deref().and_then(secret_algorithm_name),
                    algorithm_oid,
                    bits,
                    friendly_name: attrs.friendly_name,
                });
            }
            BAG_SAFE_CONTENTS => {
                let raw = value.raw;
                read_safe_contents(raw, ctx, out, depth + 1)?;
            }
            BAG_CRL => {}
            other => out.skipped.push(format!("bag of type {other}")),
        }
    }
    Ok(())
}

/// Decrypt a shrouded key (EncryptedPrivateKeyInfo): its scheme name and the plaintext.
fn open_shrouded(
    raw: &[u8],
    ctx: &mut Ctx<'_>,
    out: &mut Pkcs12Contents,
) -> Result<(String, Option<Vec<u8>>), Pkcs12Error> {
    let mal = |e: &str| Pkcs12Error::Malformed(format!("shrouded key bag: {e}"));
    let top = expect_whole(raw, 0x30).map_err(mal)?;
    let c = children(&top).map_err(mal)?;
    let (name, scheme) = parse_scheme(c.first().ok_or_else(|| mal("empty"))?).map_err(mal)?;
    let data = octets(&get_tag(&c, 1, 0x04, "no encryptedData").map_err(mal)?).map_err(mal)?;
    push_unique(&mut out.encryption, &name);
    match scheme {
        Err(why) => {
            out.skipped.push(format!("private key: {why}"));
            Ok((name, None))
        }
        Ok(s) => match ctx.decrypt(&s, &data) {
            Some(plain) => Ok((name, Some(plain))),
            None => {
                out.skipped
                    .push(format!("private key ({name}): no password opens it"));
                Ok((name, None))
            }
        },
    }
}

/// The name of a secret key's algorithm OID. Java writes the bare `aes` arc for AES keys.
fn secret_algorithm_name(oid: &str) -> Option<String> {
    match oid {
        "2.16.840.1.101.3.4.1" => Some("AES".into()),
        o => mamori_algorithms::by_oid(o).map(|p| p.name),
    }
}

/// A secret key wrapped in PrivateKeyInfo (as Java stores it): algorithm OID and key bits.
fn secret_info(plain: &[u8]) -> Option<(String, u32)> {
    let top = expect_whole(plain, 0x30).ok()?;
    let c = children(&top).ok()?;
    let (oid, _) = alg_id(c.get(1)?).ok()?;
    let key = c.get(2).filter(|t| t.tag == 0x04)?;
    Some((oid, (key.body.len() * 8) as u32))
}

#[cfg(test)]
pub(crate) mod tests {
    #[test]
    fn one_file_has_a_bounded_key_derivation_budget() {
        let pw = vec!["a".to_string()];
        let scheme = |iter: u32| Scheme::Pbes2 {
            prf: Hash::Sha256,
            salt: vec![1; 8],
            iter,
            cipher: Cipher::Aes,
            key_len: 32,
            iv: vec![0; 16],
        };
        let mut ctx = Ctx {
            passwords: &pw,
            chosen: None,
            failed: 0,
            opened: 0,
            work_left: FILE_WORK,
        };
        // After the first bag resists every password, no further bag costs anything.
        for _ in 0..1000 {
            assert!(ctx.decrypt(&scheme(1000), &[0u8; 32]).is_none());
        }
        assert_eq!((ctx.failed, ctx.work_left), (1000, FILE_WORK - 1000));
        // A bag dearer than what is left is not even tried.
        let mut ctx = Ctx {
            passwords: &pw,
            chosen: None,
            failed: 0,
            opened: 0,
            work_left: 10,
        };
        assert!(ctx.decrypt(&scheme(2_000_000), &[0u8; 32]).is_none());
        assert_eq!(ctx.work_left, 10);
    }

    use super::*;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// Run a real tool; a missing tool fails the test naming the Debian package.
    pub(crate) fn run(dir: &Path, prog: &str, debian_pkg: &str, args: &[&str]) -> Vec<u8> {
        let out = Command::new(prog)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run `{prog}` ({e}): install the Debian package `{debian_pkg}`")
            });
        assert!(
            out.status.success(),
            "{prog} {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Truncations at every 97th byte, and a few corruptions, must give errors or
    /// results, never panics.
    pub(crate) fn no_panic_on_damage<T>(data: &[u8], f: impl Fn(&[u8]) -> T) {
        let mut n = 0;
        while n < data.len() {
            let _ = f(&data[..n]);
            n += 97;
        }
        let mut x: u32 = 0x1234_5678;
        for _ in 0..64 {
            let mut d = data.to_vec();
            for _ in 0..4 {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let i = (x as usize >> 3) % d.len().max(1);
                if let Some(b) = d.get_mut(i) {
                    *b ^= (x >> 24) as u8 | 1;
                }
            }
            let _ = f(&d);
        }
    }

    fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
        run(dir, "openssl", "openssl", args)
    }

    struct Fixture {
        dir: tempfile::TempDir,
        cert_der: Vec<u8>,
    }

    impl Fixture {
        fn new(keyspec: &[&str]) -> Fixture {
            let dir = tempfile::tempdir().unwrap();
            let mut args = vec![
                "req", "-x509", "-nodes", "-keyout", "k.pem", "-out", "c.pem",
            ];
            args.extend_from_slice(keyspec);
            args.extend_from_slice(&["-subj", "/CN=mamori test", "-days", "2"]);
            openssl(dir.path(), &args);
            openssl(
                dir.path(),
                &["x509", "-in", "c.pem", "-outform", "DER", "-out", "c.der"],
            );
            let cert_der = std::fs::read(dir.path().join("c.der")).unwrap();
            Fixture { dir, cert_der }
        }
        fn export(&self, name: &str, pass: &str, extra: &[&str]) -> Vec<u8> {
            let passout = format!("pass:{pass}");
            let mut args = vec![
                "pkcs12", "-export", "-inkey", "k.pem", "-in", "c.pem", "-name", "my key",
                "-passout", &passout, "-out", name,
            ];
            args.extend_from_slice(extra);
            openssl(self.dir.path(), &args);
            std::fs::read(self.dir.path().join(name)).unwrap()
        }
    }

    fn pw(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn assert_rsa2048(c: &Pkcs12Contents, cert: &[u8]) {
        assert_eq!(c.certificates, vec![cert.to_vec()]);
        assert_eq!(c.keys.len(), 1, "{c:?}");
        let s = c.keys[0].summary.as_ref().expect("key summary");
        assert_eq!(s.algorithm_oid, RSA);
        assert_eq!(s.algorithm.as_deref(), Some("RSA"));
        assert_eq!(s.bits, Some(2048));
        assert_eq!(c.keys[0].friendly_name.as_deref(), Some("my key"));
        assert!(c.keys[0].local_key_id.is_some());
    }

    #[test]
    fn openssl3_default_pbes2_aes256_sha256_mac() {
        let f = Fixture::new(&["-newkey", "rsa:2048"]);
        let data = f.export("a.p12", "s3cret", &[]);
        let c = parse(&data, &pw(&["", "changeit", "s3cret", "other"])).unwrap();
        assert_rsa2048(&c, &f.cert_der);
        assert_eq!(c.password_used.as_deref(), Some("s3cret"));
        assert_eq!(c.mac_algorithm.as_deref(), Some("HMAC-SHA-256"));
        assert_eq!(c.mac_verified, Some(true));
        assert_eq!(c.encryption, vec!["PBES2-PBKDF2-HMAC-SHA-256-AES-256-CBC"]);
        assert!(c.keys[0].encrypted_pkcs8);
        assert!(c.skipped.is_empty(), "{:?}", c.skipped);
        // Wrong passwords only: reported as such.
        assert_eq!(
            parse(&data, &pw(&["", "nope"])),
            Err(Pkcs12Error::WrongPassword)
        );
        assert_eq!(parse(&data, &[]), Err(Pkcs12Error::WrongPassword));
        no_panic_on_damage(&data, |d| parse(d, &pw(&["s3cret"])));
        let mut n = 0;
        while n < data.len() {
            assert!(
                parse(&data[..n], &pw(&["s3cret"])).is_err(),
                "truncated at {n}"
            );
            n += 97;
        }
    }

    #[test]
    fn openssl_legacy_rc2_3des_sha1_mac() {
        let f = Fixture::new(&["-newkey", "rsa:2048"]);
        let data = f.export("l.p12", "legacy pw", &["-legacy"]);
        let c = parse(&data, &pw(&["x", "legacy pw"])).unwrap();
        assert_rsa2048(&c, &f.cert_der);
        assert_eq!(c.password_used.as_deref(), Some("legacy pw"));
        assert_eq!(c.mac_algorithm.as_deref(), Some("HMAC-SHA-1"));
        assert_eq!(
            c.encryption,
            vec![
                "pbeWithSHAAnd40BitRC2-CBC",
                "pbeWithSHAAnd3-KeyTripleDES-CBC"
            ]
        );
        assert_eq!(parse(&data, &pw(&["x"])), Err(Pkcs12Error::WrongPassword));
        no_panic_on_damage(&data, |d| parse(d, &pw(&["legacy pw"])));
    }

    #[test]
    fn openssl_rc4_and_two_key_3des_and_sha512_mac() {
        let f = Fixture::new(&["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"]);
        let data = f.export(
            "r.p12",
            "pw",
            &[
                "-legacy",
                "-keypbe",
                "PBE-SHA1-RC4-128",
                "-certpbe",
                "PBE-SHA1-2DES",
            ],
        );
        let c = parse(&data, &pw(&["pw"])).unwrap();
        assert_eq!(
            c.encryption,
            vec!["pbeWithSHAAnd2-KeyTripleDES-CBC", "pbeWithSHAAnd128BitRC4"]
        );
        assert_eq!(c.certificates, vec![f.cert_der.clone()]);
        let s = c.keys[0].summary.as_ref().unwrap();
        assert_eq!(s.algorithm_oid, EC_PUBLIC_KEY);
        assert_eq!(s.curve_oid.as_deref(), Some("1.3.132.0.34"));
        assert_eq!(s.curve.as_deref(), Some("P-384"));
        assert_eq!(s.bits, Some(384));

        let data = f.export(
            "d.p12",
            "pw",
            &[
                "-keypbe",
                "DES-EDE3-CBC",
                "-certpbe",
                "AES-128-CBC",
                "-macalg",
                "sha512",
            ],
        );
        let c = parse(&data, &pw(&["pw"])).unwrap();
        assert_eq!(c.mac_algorithm.as_deref(), Some("HMAC-SHA-512"));
        assert_eq!(c.mac_verified, Some(true));
        assert_eq!(
            c.encryption,
            vec![
                "PBES2-PBKDF2-HMAC-SHA-256-AES-128-CBC",
                "PBES2-PBKDF2-HMAC-SHA-256-DES-EDE3-CBC"
            ]
        );
        assert_eq!(
            c.keys[0].summary.as_ref().unwrap().curve.as_deref(),
            Some("P-384")
        );
    }

    #[test]
    fn unencrypted_bags() {
        let f = Fixture::new(&["-newkey", "rsa:2048"]);
        // With a MAC: the password is found by the MAC.
        let data = f.export("n.p12", "macpw", &["-keypbe", "NONE", "-certpbe", "NONE"]);
        let c = parse(&data, &pw(&["a", "macpw"])).unwrap();
        assert_rsa2048(&c, &f.cert_der);
        assert!(!c.keys[0].encrypted_pkcs8);
        assert!(c.encryption.is_empty());
        assert_eq!(c.password_used.as_deref(), Some("macpw"));
        // No password fits the MAC, but everything is in clear: still read, flagged.
        let c = parse(&data, &pw(&["a"])).unwrap();
        assert_eq!(c.mac_verified, Some(false));
        assert_eq!(c.password_used, None);
        assert_rsa2048(&c, &f.cert_der);
        // No MAC at all.
        let data = f.export(
            "m.p12",
            "x",
            &["-keypbe", "NONE", "-certpbe", "NONE", "-nomac"],
        );
        let c = parse(&data, &[]).unwrap();
        assert_rsa2048(&c, &f.cert_der);
        assert_eq!((c.mac_algorithm.clone(), c.mac_verified), (None, None));
        no_panic_on_damage(&data, |d| parse(d, &[]));
    }

    #[test]
    fn empty_and_non_ascii_passwords() {
        let f = Fixture::new(&["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]);
        for (pass, extra) in [
            ("", &[][..]),
            ("", &["-legacy"][..]),
            ("pässwörd ☃", &[][..]),
            ("pässwörd ☃", &["-legacy"][..]),
        ] {
            let data = f.export("e.p12", pass, extra);
            let c = parse(&data, &pw(&["changeit", pass]))
                .unwrap_or_else(|e| panic!("{pass:?} {extra:?}: {e}"));
            assert_eq!(c.password_used.as_deref(), Some(pass));
            assert_eq!(c.certificates.len(), 1);
            let s = c.keys[0].summary.as_ref().unwrap();
            assert_eq!(s.curve.as_deref(), Some("P-256"), "{pass:?} {extra:?}");
        }
    }

    #[test]
    fn encrypted_pkcs8_files() {
        let f = Fixture::new(&["-newkey", "rsa:3072"]);
        for (args, name) in [
            (
                &["-v2", "aes-256-cbc"][..],
                "PBES2-PBKDF2-HMAC-SHA-256-AES-256-CBC",
            ),
            (
                &["-v1", "PBE-SHA1-3DES"][..],
                "pbeWithSHAAnd3-KeyTripleDES-CBC",
            ),
        ] {
            let mut a = vec![
                "pkcs8", "-topk8", "-in", "k.pem", "-outform", "DER", "-out", "e.der", "-passout",
                "pass:kpw",
            ];
            a.extend_from_slice(args);
            openssl(f.dir.path(), &a);
            let der = std::fs::read(f.dir.path().join("e.der")).unwrap();
            let e = encrypted_pkcs8(&der, &pw(&["no", "kpw"])).unwrap();
            assert_eq!(e.encryption, name);
            assert_eq!(e.summary.as_ref().unwrap().bits, Some(3072));
            assert_eq!(e.password_used.as_deref(), Some("kpw"));
            let e = encrypted_pkcs8(&der, &pw(&["no"])).unwrap();
            assert_eq!(
                (e.summary, e.problem.as_deref()),
                (None, Some("wrong password"))
            );
            no_panic_on_damage(&der, |d| encrypted_pkcs8(d, &pw(&["kpw"])));
        }
    }

    #[test]
    fn summaries_of_classical_keys_made_by_openssl() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        /// genpkey arguments, algorithm OID, curve name, bits.
        type Case<'a> = (&'a [&'a str], &'a str, Option<&'a str>, Option<u32>);
        let cases: &[Case] = &[
            (
                &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
                RSA,
                None,
                Some(1024),
            ),
            (
                &["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"],
                RSA_PSS,
                None,
                Some(2048),
            ),
            (
                &[
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:secp521r1",
                ],
                EC_PUBLIC_KEY,
                Some("P-521"),
                Some(521),
            ),
            (
                &[
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:brainpoolP256r1",
                ],
                EC_PUBLIC_KEY,
                Some("brainpoolP256r1"),
                Some(256),
            ),
            (
                &[
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-pkeyopt",
                    "ec_param_enc:explicit",
                ],
                EC_PUBLIC_KEY,
                Some("explicit parameters"),
                Some(256),
            ),
            (&["-algorithm", "ED25519"], "1.3.101.112", None, None),
            (&["-algorithm", "X448"], "1.3.101.111", None, None),
        ];
        for (args, oid, curve, bits) in cases {
            let mut a = vec!["genpkey", "-out", "k.pem"];
            a.extend_from_slice(args);
            openssl(d, &a);
            // (OpenSSL 3.0 writes type-specific DER from genpkey; ask for PKCS#8.)
            openssl(
                d,
                &[
                    "pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out",
                    "k.der",
                ],
            );
            openssl(
                d,
                &[
                    "pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "p.der",
                ],
            );
            let k = std::fs::read(d.join("k.der")).unwrap();
            let p = std::fs::read(d.join("p.der")).unwrap();
            for s in [pkcs8_summary(&k).unwrap(), spki_summary(&p).unwrap()] {
                assert_eq!(s.algorithm_oid, *oid, "{args:?}");
                assert_eq!(s.curve.as_deref(), *curve, "{args:?}");
                assert_eq!(s.bits, *bits, "{args:?}");
                assert!(s.algorithm.is_some(), "{args:?}");
            }
            no_panic_on_damage(&k, pkcs8_summary);
        }
        // DSA: size of p.
        openssl(
            d,
            &[
                "genpkey",
                "-genparam",
                "-algorithm",
                "DSA",
                "-pkeyopt",
                "dsa_paramgen_bits:2048",
                "-out",
                "dsap.pem",
            ],
        );
        openssl(d, &["genpkey", "-paramfile", "dsap.pem", "-out", "dsa.pem"]);
        openssl(
            d,
            &[
                "pkcs8", "-topk8", "-nocrypt", "-in", "dsa.pem", "-outform", "DER", "-out",
                "dsa.der",
            ],
        );
        let s = pkcs8_summary(&std::fs::read(d.join("dsa.der")).unwrap()).unwrap();
        assert_eq!((s.algorithm_oid.as_str(), s.bits), (DSA, Some(2048)));
        assert!(pkcs8_summary(b"garbage").is_err());
        assert!(spki_summary(&[]).is_err());
    }

    fn pqc_dir() -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/pqc-certificates/bc"
        ))
    }

    /// `ml-dsa-65-2.16.840.1.101.3.4.3.18_seed_priv.der` -> `2.16.840.1.101.3.4.3.18`: the
    /// OID after the last `-` of a `_`-separated part (not the `composite_<sig>_with_<sig>`
    /// files, named after signature algorithms).
    fn oid_in_name(name: &str) -> Option<String> {
        let stem = name.strip_suffix(".der")?;
        stem.split('_').find_map(|part| {
            let (_, oid) = part.rsplit_once('-')?;
            let ok = oid.contains('.') && oid.split('.').all(|a| a.parse::<u64>().is_ok());
            ok.then(|| oid.to_string())
        })
    }

    #[test]
    fn every_pqc_private_public_and_certificate_key_is_recognized() {
        let mut seen = (0, 0, 0);
        let mut entries: Vec<_> = std::fs::read_dir(pqc_dir())
            .expect("shared/data/pqc-certificates/bc")
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_str().unwrap().to_string();
            let Some(oid) = oid_in_name(&name) else {
                continue;
            };
            let der = std::fs::read(&path).unwrap();
            let s = if name.ends_with("_priv.der") {
                seen.0 += 1;
                no_panic_on_damage(&der, pkcs8_summary);
                pkcs8_summary(&der).unwrap_or_else(|e| panic!("{name}: {e}"))
            } else if name.ends_with("_public.der") {
                seen.1 += 1;
                spki_summary(&der).unwrap_or_else(|e| panic!("{name}: {e}"))
            } else if name.ends_with("_ta.der") || name.ends_with("_ee.der") {
                seen.2 += 1;
                let (_, cert) = x509_parser::parse_x509_certificate(&der)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
                spki_summary(cert.tbs_certificate.subject_pki.raw)
                    .unwrap_or_else(|e| panic!("{name}: {e}"))
            } else {
                continue;
            };
            assert_eq!(s.algorithm_oid, oid, "{name}");
            if let Some(known) = mamori_algorithms::by_oid(&oid) {
                assert_eq!(s.algorithm.as_deref(), Some(known.name.as_str()), "{name}");
            }
        }
        // 91 private keys, 3 bare public keys, 76 certificates named after their key.
        assert!(seen.0 >= 91 && seen.1 >= 3 && seen.2 >= 76, "{seen:?}");
    }

    #[test]
    fn kdf_matches_rfc7292_vector() {
        // A PKCS#12 KDF answer checked against OpenSSL's PKCS12_key_gen_uni (the same
        // derivation is exercised end to end by every test above).
        let pass = bmp_forms("smeg").remove(0);
        let salt = [0x0a, 0x58, 0xcf, 0x64, 0x53, 0x0d, 0x82, 0x3f];
        let k = p12_kdf(Hash::Sha1, &pass, &salt, 1, 1, 24);
        assert_eq!(
            hex::encode(k),
            "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3"
        );
    }

    #[test]
    fn garbage_is_not_pkcs12() {
        assert!(matches!(parse(b"", &[]), Err(Pkcs12Error::NotPkcs12(_))));
        assert!(matches!(
            parse(b"hello world", &[]),
            Err(Pkcs12Error::NotPkcs12(_))
        ));
        assert!(matches!(
            parse(&[0x30, 0x03, 0x02, 0x01, 0x01], &[]),
            Err(Pkcs12Error::NotPkcs12(_))
        ));
        assert_eq!(
            oid_string(&[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d]).as_deref(),
            Some("1.2.840.113549")
        );
        assert_eq!(oid_string(&[0x2a, 0x86]), None);
        assert_eq!(bit_len(&[0, 0x01, 0]), 9);
    }
}
