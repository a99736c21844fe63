//! mamori's cryptography knowledge base.
//!
//! Every algorithm mamori meets — in a certificate, a key, a config file, a call in source
//! code — is looked up here and comes back as one normalized [`AlgorithmProps`]: a name
//! following the CycloneDX cryptography registry, its primitive, parameter set, classical
//! and NIST quantum security levels, OID, and a [`CryptoStatus`].
//!
//! The facts are data files in `data/` (embedded at build time), each citing its source and
//! tested against the standard it comes from.
//!
//! ```
//! use mamori_algorithms as alg;
//! use mamori_model::CryptoStatus;
//! assert_eq!(alg::rsa(1024).status, CryptoStatus::Broken);
//! assert_eq!(alg::rsa(2048).status, CryptoStatus::QuantumVulnerable);
//! let mlkem = alg::by_oid("2.16.840.1.101.3.4.4.2").unwrap();
//! assert_eq!((mlkem.name.as_str(), mlkem.nist_quantum_security_level), ("ML-KEM-768", 3));
//! assert_eq!(alg::by_name("des-ede3-cbc").unwrap().name, "3DES-CBC");
//! assert_eq!(alg::by_name("AES/GCM/NoPadding").unwrap().name, "AES-GCM");
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod libraries;
pub mod ssh;
pub mod tls;

use mamori_model::{AlgorithmProps, CryptoStatus, Primitive};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One entry of `data/algorithms.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    /// Normalized name.
    pub name: String,
    /// Registry family.
    pub family: String,
    /// Primitive (CycloneDX spelling).
    pub primitive: String,
    /// Classical security bits.
    pub classical: u32,
    /// NIST quantum category.
    pub quantum: u8,
    /// Status.
    pub status: String,
    /// OIDs.
    #[serde(default)]
    pub oids: Vec<String>,
    /// Other spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Why.
    #[serde(default)]
    pub note: Option<String>,
    /// Where the facts come from.
    pub source: String,
}

/// One entry of `data/curves.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct Curve {
    /// Registry spelling.
    pub name: String,
    /// OID.
    pub oid: String,
    /// Field size in bits.
    pub bits: u32,
    /// Other spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
}

impl Curve {
    /// Classical security in bits: half the group size.
    pub fn security(&self) -> u32 {
        match self.bits {
            255 | 256 => 128,
            b => (b / 2).min(256),
        }
    }
}

/// One entry of `data/signatures.toml`.
#[derive(Debug, Clone, Deserialize)]
pub struct SigAlg {
    /// OID.
    pub oid: String,
    /// Normalized name.
    pub name: String,
    /// Registry family.
    pub family: String,
    /// Key type that signs: `RSA`, `EC`, `DSA`, `SM2`.
    pub key: String,
    /// Hash, registry spelling (empty when given by parameters, as for RSASSA-PSS).
    pub hash: String,
    /// Other spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Deserialize)]
struct AlgorithmsFile {
    algorithm: Vec<Entry>,
}
#[derive(Deserialize)]
struct CurvesFile {
    curve: Vec<Curve>,
}
#[derive(Deserialize)]
struct SignaturesFile {
    signature: Vec<SigAlg>,
}
#[derive(Deserialize)]
struct SizeRow {
    bits: u32,
    security: u32,
}
#[derive(Deserialize)]
struct SizesFile {
    broken_below: u32,
    row: Vec<SizeRow>,
}

struct Kb {
    entries: Vec<Entry>,
    by_key: HashMap<String, usize>,
    by_oid: HashMap<String, usize>,
    curves: Vec<Curve>,
    curve_by_key: HashMap<String, usize>,
    sigs: Vec<SigAlg>,
    sig_by_key: HashMap<String, usize>,
    sizes: SizesFile,
}

/// Lookup key: lowercase with `-`, `_`, `/`, ` `, `.` removed.
pub fn norm_key(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '-' | '_' | '/' | ' ' | '.'))
        .flat_map(|c| c.to_lowercase())
        .collect()
}

// The tables are compiled into the binary and a test parses each: they cannot fail here.
#[allow(clippy::expect_used)]
fn kb() -> &'static Kb {
    static KB: OnceLock<Kb> = OnceLock::new();
    KB.get_or_init(|| {
        let a: AlgorithmsFile = toml::from_str(include_str!("../data/algorithms.toml"))
            .expect("data/algorithms.toml is valid (tested)");
        let c: CurvesFile = toml::from_str(include_str!("../data/curves.toml"))
            .expect("data/curves.toml is valid (tested)");
        let s: SignaturesFile = toml::from_str(include_str!("../data/signatures.toml"))
            .expect("data/signatures.toml is valid (tested)");
        let sizes: SizesFile = toml::from_str(include_str!("../data/sizes.toml"))
            .expect("data/sizes.toml is valid (tested)");
        let mut by_key = HashMap::new();
        let mut by_oid = HashMap::new();
        for (i, e) in a.algorithm.iter().enumerate() {
            by_key.entry(norm_key(&e.name)).or_insert(i);
            for al in &e.aliases {
                by_key.entry(norm_key(al)).or_insert(i);
            }
            for o in &e.oids {
                by_oid.entry(o.clone()).or_insert(i);
            }
        }
        let mut curve_by_key = HashMap::new();
        for (i, cv) in c.curve.iter().enumerate() {
            curve_by_key.insert(norm_key(&cv.name), i);
            curve_by_key.insert(cv.oid.clone(), i);
            for al in &cv.aliases {
                curve_by_key.entry(norm_key(al)).or_insert(i);
            }
        }
        let mut sig_by_key = HashMap::new();
        for (i, sg) in s.signature.iter().enumerate() {
            sig_by_key.entry(sg.oid.clone()).or_insert(i);
            sig_by_key.entry(norm_key(&sg.name)).or_insert(i);
            for al in &sg.aliases {
                sig_by_key.entry(norm_key(al)).or_insert(i);
            }
        }
        Kb {
            entries: a.algorithm,
            by_key,
            by_oid,
            curves: c.curve,
            curve_by_key,
            sigs: s.signature,
            sig_by_key,
            sizes,
        }
    })
}

/// All entries of the algorithm table.
pub fn entries() -> &'static [Entry] {
    &kb().entries
}

/// All curves.
pub fn curves() -> &'static [Curve] {
    &kb().curves
}

/// All signature algorithms.
pub fn signatures() -> &'static [SigAlg] {
    &kb().sigs
}

impl Entry {
    /// As model properties.
    pub fn props(&self) -> AlgorithmProps {
        AlgorithmProps {
            name: self.name.clone(),
            family: self.family.clone(),
            primitive: self.primitive.parse().unwrap_or(Primitive::Unknown),
            parameter_set: param_of(&self.name),
            curve: None,
            mode: None,
            padding: None,
            classical_security_level: Some(self.classical),
            nist_quantum_security_level: self.quantum,
            oid: self.oids.first().cloned(),
            status: self.status.parse().unwrap_or(CryptoStatus::Unknown),
            note: self.note.clone(),
        }
    }
}

fn param_of(name: &str) -> Option<String> {
    // ML-KEM-768 -> 768, AES-256 -> 256, SLH-DSA-SHA2-128s -> SHA2-128s
    for fam in [
        "ML-KEM-",
        "ML-DSA-",
        "AES-",
        "CAMELLIA-",
        "ARIA-",
        "SEED-",
        "SLH-DSA-",
    ] {
        if let Some(rest) = name.strip_prefix(fam) {
            return Some(rest.to_string());
        }
    }
    None
}

/// Look up a curve by registry name, alias (`prime256v1`, `secp384r1`, `nistp256`) or OID.
pub fn curve(name_or_oid: &str) -> Option<&'static Curve> {
    let k = kb();
    k.curve_by_key
        .get(name_or_oid)
        .or_else(|| k.curve_by_key.get(&norm_key(name_or_oid)))
        .map(|&i| &k.curves[i])
}

/// Classical security of an RSA/DSA/DH modulus (NIST SP 800-57 Part 1 Table 2).
pub fn modulus_security(bits: u32) -> u32 {
    let rows = &kb().sizes.row;
    let mut sec = 0;
    for r in rows {
        if bits >= r.bits {
            sec = r.security;
        }
    }
    if sec == 0 {
        // Below the first row: roughly linear down from 56 bits at 512.
        sec = bits * 56 / 512;
    }
    sec
}

fn modulus_alg(family: &str, name: String, primitive: Primitive, bits: u32) -> AlgorithmProps {
    let broken = bits < kb().sizes.broken_below;
    AlgorithmProps {
        name,
        family: family.into(),
        primitive,
        parameter_set: Some(bits.to_string()),
        curve: None,
        mode: None,
        padding: None,
        classical_security_level: Some(modulus_security(bits)),
        nist_quantum_security_level: 0,
        oid: None,
        status: if broken {
            CryptoStatus::Broken
        } else {
            CryptoStatus::QuantumVulnerable
        },
        note: Some(if broken {
            format!("{bits}-bit keys give less than 112 bits of security and are disallowed (NIST SP 800-131A).")
        } else {
            "Shor's algorithm breaks it on a cryptographically relevant quantum computer.".into()
        }),
    }
}

/// An RSA key of `bits`.
pub fn rsa(bits: u32) -> AlgorithmProps {
    let mut a = modulus_alg("RSA", format!("RSA-{bits}"), Primitive::Pke, bits);
    a.oid = Some("1.2.840.113549.1.1.1".into());
    a
}

/// A DSA key of `bits`.
pub fn dsa(bits: u32) -> AlgorithmProps {
    let mut a = modulus_alg("DSA", format!("DSA-{bits}"), Primitive::Signature, bits);
    a.oid = Some("1.2.840.10040.4.1".into());
    a
}

/// Finite-field Diffie-Hellman with a `bits` modulus.
pub fn ffdh(bits: u32) -> AlgorithmProps {
    let mut a = modulus_alg("FFDH", format!("FFDH-{bits}"), Primitive::KeyAgree, bits);
    a.oid = Some("1.2.840.10046.2.1".into());
    a
}

/// An elliptic-curve algorithm on `curve`: ECDSA for signatures, ECDH for key agreement.
/// Returns `None` for an unknown curve name.
pub fn ec(curve_name: &str, primitive: Primitive) -> Option<AlgorithmProps> {
    let c = curve(curve_name)?;
    let sec = c.security();
    let (family, name) = match (c.name.as_str(), primitive) {
        ("Curve25519", _) => return by_name("x25519"),
        ("Curve448", _) => return by_name("x448"),
        ("Ed25519", _) | ("Ed448", _) => return by_name(&c.name),
        ("SM2", _) => ("SM2", "SM2-256".to_string()),
        (n, Primitive::KeyAgree) => ("ECDH", format!("ECDH-{n}")),
        (n, _) => ("ECDSA", format!("ECDSA-{n}")),
    };
    let broken = sec < 112;
    Some(AlgorithmProps {
        name,
        family: family.into(),
        primitive,
        parameter_set: None,
        curve: Some(c.name.clone()),
        mode: None,
        padding: None,
        classical_security_level: Some(sec),
        nist_quantum_security_level: 0,
        oid: Some(c.oid.clone()),
        status: if broken {
            CryptoStatus::Broken
        } else {
            CryptoStatus::QuantumVulnerable
        },
        note: Some(if broken {
            format!(
                "{} gives {sec} bits of security, below the 112-bit minimum.",
                c.name
            )
        } else {
            "Shor's algorithm breaks elliptic-curve cryptography on a quantum computer.".into()
        }),
    })
}

/// A signature algorithm by OID or name (`sha256WithRSAEncryption`, `SHA1withECDSA` …).
pub fn signature(oid_or_name: &str) -> Option<&'static SigAlg> {
    let k = kb();
    k.sig_by_key
        .get(oid_or_name)
        .or_else(|| k.sig_by_key.get(&norm_key(oid_or_name)))
        .map(|&i| &k.sigs[i])
}

impl SigAlg {
    /// As model properties. The signing key's size is unknown here, so the classical level
    /// is the hash's collision resistance.
    pub fn props(&self) -> AlgorithmProps {
        let hash = if self.hash.is_empty() {
            None
        } else {
            by_name(&self.hash)
        };
        let hash_broken = hash
            .as_ref()
            .map(|h| h.status == CryptoStatus::Broken)
            .unwrap_or(false);
        AlgorithmProps {
            name: self.name.clone(),
            family: self.family.clone(),
            primitive: Primitive::Signature,
            parameter_set: None,
            curve: None,
            mode: None,
            padding: if self.family == "RSASSA-PKCS1" {
                Some("pkcs1v15".into())
            } else if self.family == "RSASSA-PSS" {
                Some("pss".into())
            } else {
                None
            },
            classical_security_level: hash.as_ref().and_then(|h| h.classical_security_level),
            nist_quantum_security_level: 0,
            oid: Some(self.oid.clone()),
            status: if hash_broken {
                CryptoStatus::Broken
            } else {
                CryptoStatus::QuantumVulnerable
            },
            note: Some(if hash_broken {
                format!(
                    "Signatures over {} are forgeable through hash collisions.",
                    self.hash
                )
            } else {
                "Signatures can be forged once a quantum computer exists (Shor).".into()
            }),
        }
    }
}

/// Public-key algorithm OIDs whose size or curve comes from the key itself.
pub fn key_algorithm_oid(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.113549.1.1.1" => "RSA",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.2.840.113549.1.1.7" => "RSAES-OAEP",
        "1.2.840.10045.2.1" => "EC",
        "1.3.132.1.12" => "ECDH",
        "1.2.840.10040.4.1" => "DSA",
        "1.2.840.10046.2.1" | "1.2.840.113549.1.3.1" => "DH",
        _ => return None,
    })
}

/// Look up any algorithm by OID: fixed algorithms (hashes, ciphers, EdDSA, ML-KEM, ML-DSA,
/// SLH-DSA, composites …), signature algorithms, and curves (as ECDSA).
pub fn by_oid(oid: &str) -> Option<AlgorithmProps> {
    let k = kb();
    if let Some(&i) = k.by_oid.get(oid) {
        let mut p = k.entries[i].props();
        p.oid = Some(oid.to_string());
        if let Some(m) = aes_mode_by_oid(oid) {
            p = with_mode(p, m);
        }
        return Some(p);
    }
    if let Some(s) = signature(oid) {
        return Some(s.props());
    }
    if curve(oid).is_some() {
        return ec(oid, Primitive::Signature);
    }
    None
}

fn aes_mode_by_oid(oid: &str) -> Option<&'static str> {
    let last: u32 = oid.strip_prefix("2.16.840.1.101.3.4.1.")?.parse().ok()?;
    Some(match last % 20 {
        1 => "ECB",
        2 => "CBC",
        3 => "OFB",
        4 => "CFB",
        5 => "KW",
        6 => "GCM",
        7 => "CCM",
        _ => return None,
    })
}

/// The same algorithm in a mode of operation (`CBC`, `GCM`, `ECB` …): the name gets the
/// mode appended and AEAD modes become primitive `ae`. ECB is marked broken for any cipher
/// (it leaks plaintext structure).
pub fn with_mode(mut a: AlgorithmProps, mode: &str) -> AlgorithmProps {
    let m = mode.to_ascii_uppercase();
    if m.is_empty() || m == "NONE" {
        return a;
    }
    a.name = format!("{}-{}", a.name, m);
    a.mode = Some(m.to_ascii_lowercase());
    match m.as_str() {
        "GCM" | "CCM" | "OCB" | "SIV" | "GCM-SIV" | "EAX" => a.primitive = Primitive::Ae,
        "KW" | "KWP" | "WRAP" => a.primitive = Primitive::KeyWrap,
        "ECB" if a.status != CryptoStatus::Broken => {
            a.status = CryptoStatus::Broken;
            a.note = Some("ECB mode encrypts equal blocks to equal ciphertext and leaks the plaintext's structure.".into());
        }
        _ => {}
    }
    a
}

const MODES: &[&str] = &[
    "GCM-SIV", "ECB", "CBC", "CFB8", "CFB1", "CFB128", "CFB", "OFB", "CTR", "XTS", "CTS", "GCM",
    "CCM", "OCB", "SIV", "KWP", "KW", "EAX", "WRAP",
];

/// Look up an algorithm by any common spelling: registry names (`AES-256-GCM`,
/// `ML-DSA-65`), OpenSSL (`des-ede3-cbc`, `aes-128-gcm`, `prime256v1`), JCA
/// (`AES/GCM/NoPadding`, `SHA256withRSA`, `DESede`), SSH (`ssh-ed25519`), with sizes
/// (`RSA-2048`, `rsa:3072`, `ECDSA-P-384`, `FFDH-1024`).
pub fn by_name(name: &str) -> Option<AlgorithmProps> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let k = kb();
    let key = norm_key(name);
    if let Some(&i) = k.by_key.get(&key) {
        return Some(k.entries[i].props());
    }
    if let Some(s) = signature(name) {
        return Some(s.props());
    }
    // JCA transformation: ALG/MODE/PADDING
    if name.contains('/') && !name.starts_with("SHA-512/") {
        let mut parts = name.split('/');
        let alg = parts.next().unwrap_or("");
        let mode = parts.next().unwrap_or("");
        let padding = parts.next().unwrap_or("");
        let mut a = by_name(alg)?;
        if a.primitive == Primitive::Pke {
            if !padding.is_empty() && !padding.eq_ignore_ascii_case("NoPadding") {
                a.padding = Some(padding.to_ascii_lowercase());
            }
            return Some(a);
        }
        if a.name == "AES-128" && !alg.contains("128") {
            // JCA "AES" leaves the key size to the key: say so rather than guess.
            a = generic_aes();
        }
        let mut a = with_mode(a, mode);
        if !padding.is_empty() && !padding.eq_ignore_ascii_case("NoPadding") {
            a.padding = Some(padding.to_ascii_lowercase());
        }
        return Some(a);
    }
    // Sized public-key names: RSA-2048, rsa:2048, RSA2048, DSA-1024, DH-2048, FFDH-3072
    let lower = name.to_ascii_lowercase();
    for (prefix, f) in [
        ("rsa", rsa as fn(u32) -> AlgorithmProps),
        ("dsa", dsa),
        ("ffdhe", ffdh),
        ("ffdh", ffdh),
        ("dh", ffdh),
    ] {
        if let Some(rest) = lower.strip_prefix(prefix) {
            let rest = rest.trim_start_matches(['-', ':', '_', ' ']);
            if let Ok(bits) = rest.parse::<u32>() {
                if (256..=65536).contains(&bits) {
                    return Some(f(bits));
                }
            }
        }
    }
    if let Some(rest) = lower
        .strip_prefix("ecdsa-")
        .or_else(|| lower.strip_prefix("ecdsa"))
    {
        if let Some(a) = ec(rest, Primitive::Signature) {
            return Some(a);
        }
    }
    if let Some(rest) = lower
        .strip_prefix("ecdhe-")
        .or_else(|| lower.strip_prefix("ecdh-"))
    {
        if let Some(a) = ec(rest, Primitive::KeyAgree) {
            return Some(a);
        }
    }
    if let Some(c) = curve(name) {
        return ec(&c.name, Primitive::Signature);
    }
    if let Some(a) = unsized_public_key(name) {
        return Some(a);
    }
    // Cipher with mode: aes-256-gcm, AES_128_CBC, camellia-128-cbc, des-ede3-cbc handled above.
    for m in MODES {
        let ml = m.to_ascii_lowercase();
        for sep in ["-", "_", ""] {
            if let Some(base) = lower.strip_suffix(&format!("{sep}{ml}")) {
                if base.is_empty() {
                    continue;
                }
                if let Some(&i) = k.by_key.get(&norm_key(base)) {
                    let e = &k.entries[i];
                    if matches!(e.primitive.as_str(), "block-cipher") {
                        let mut a = e.props();
                        if e.name == "AES-128" && !base.contains("128") {
                            a = generic_aes();
                        }
                        return Some(with_mode(a, m));
                    }
                }
            }
        }
    }
    None
}

/// A public-key family named without its size or curve (JCA `"RSA"`, Go's `crypto/rsa`,
/// `EC`, `DH`): quantum-vulnerable whatever the size.
pub fn unsized_public_key(name: &str) -> Option<AlgorithmProps> {
    let (name, family, primitive) = match norm_key(name).as_str() {
        "rsa" => ("RSA", "RSA", Primitive::Pke),
        "dsa" => ("DSA", "DSA", Primitive::Signature),
        "ec" | "ecdsa" => ("ECDSA", "ECDSA", Primitive::Signature),
        "ecdh" | "ecdhe" => ("ECDH", "ECDH", Primitive::KeyAgree),
        "dh" | "diffiehellman" | "ffdh" | "dhe" => ("FFDH", "FFDH", Primitive::KeyAgree),
        _ => return None,
    };
    Some(AlgorithmProps {
        status: CryptoStatus::QuantumVulnerable,
        note: Some(
            "Key size or curve not known where it is used; Shor's algorithm breaks it at any size, and small sizes are broken today.".into(),
        ),
        ..AlgorithmProps::unknown(name, family, primitive)
    })
}

/// AES with the key size not stated (JCA "AES", Python `AES.new` without a key length):
/// judged as AES-128, the weakest it can be.
fn generic_aes() -> AlgorithmProps {
    let mut a = kb().entries[kb().by_key[&norm_key("AES-128")]].props();
    a.name = "AES".into();
    a.parameter_set = None;
    a.oid = None;
    a.note = Some("Key size not stated where it is used; rated as AES-128 until known.".into());
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_files_parse_and_have_unique_names() {
        let mut seen = std::collections::HashSet::new();
        for e in entries() {
            assert!(seen.insert(e.name.clone()), "duplicate name {}", e.name);
            assert!(
                e.primitive.parse::<Primitive>().is_ok(),
                "{}: primitive {}",
                e.name,
                e.primitive
            );
            assert!(
                e.status.parse::<CryptoStatus>().is_ok(),
                "{}: status {}",
                e.name,
                e.status
            );
            assert!(e.quantum <= 6);
            assert!(!e.source.is_empty());
            if e.status == "broken" {
                assert_eq!(e.quantum, 0, "{}: broken means quantum level 0", e.name);
            }
        }
        assert!(curves().len() > 20);
        assert!(signatures().len() > 20);
    }

    #[test]
    fn oids_are_unique_across_tables() {
        let mut seen = HashMap::new();
        for e in entries() {
            for o in &e.oids {
                if let Some(prev) = seen.insert(o.clone(), e.name.clone()) {
                    panic!("OID {o} on both {prev} and {}", e.name);
                }
            }
        }
        for s in signatures() {
            if let Some(prev) = seen.get(&s.oid) {
                panic!("OID {} on both {prev} and {}", s.oid, s.name);
            }
        }
    }

    #[test]
    fn modulus_sizes_follow_sp800_57() {
        assert_eq!(modulus_security(1024), 80);
        assert_eq!(modulus_security(2048), 112);
        assert_eq!(modulus_security(3072), 128);
        assert_eq!(modulus_security(4096), 128);
        assert_eq!(modulus_security(7680), 192);
        assert_eq!(modulus_security(15360), 256);
        assert_eq!(rsa(1024).status, CryptoStatus::Broken);
        assert_eq!(rsa(2047).status, CryptoStatus::Broken);
        assert_eq!(rsa(4096).status, CryptoStatus::QuantumVulnerable);
        assert_eq!(rsa(4096).nist_quantum_security_level, 0);
    }

    #[test]
    fn curves_resolve_by_every_spelling() {
        for s in [
            "prime256v1",
            "secp256r1",
            "P-256",
            "nistp256",
            "1.2.840.10045.3.1.7",
        ] {
            assert_eq!(curve(s).unwrap().name, "P-256", "{s}");
        }
        assert_eq!(curve("P-384").unwrap().security(), 192);
        assert_eq!(curve("Curve25519").unwrap().security(), 128);
        assert_eq!(
            ec("P-192", Primitive::Signature).unwrap().status,
            CryptoStatus::Broken
        );
        let a = ec("secp384r1", Primitive::KeyAgree).unwrap();
        assert_eq!(a.name, "ECDH-P-384");
        assert_eq!(a.status, CryptoStatus::QuantumVulnerable);
    }

    #[test]
    fn names_resolve() {
        let cases = [
            ("md5", "MD5", CryptoStatus::Broken),
            ("SHA1", "SHA-1", CryptoStatus::Broken),
            ("sha256", "SHA-256", CryptoStatus::QuantumSafe),
            ("DESede", "3DES", CryptoStatus::Broken),
            ("des-ede3-cbc", "3DES-CBC", CryptoStatus::Broken),
            ("aes-256-gcm", "AES-256-GCM", CryptoStatus::QuantumSafe),
            ("AES_128_CBC", "AES-128-CBC", CryptoStatus::QuantumSafe),
            ("AES/ECB/PKCS5Padding", "AES-ECB", CryptoStatus::Broken),
            ("DES/ECB/PKCS5Padding", "DES-ECB", CryptoStatus::Broken),
            (
                "RSA/ECB/OAEPWithSHA-256AndMGF1Padding",
                "RSA",
                CryptoStatus::Unknown,
            ),
            ("arcfour", "RC4", CryptoStatus::Broken),
            (
                "chacha20-poly1305@openssh.com",
                "ChaCha20-Poly1305",
                CryptoStatus::QuantumSafe,
            ),
            ("rsa:1024", "RSA-1024", CryptoStatus::Broken),
            ("RSA-3072", "RSA-3072", CryptoStatus::QuantumVulnerable),
            ("ssh-ed25519", "Ed25519", CryptoStatus::QuantumVulnerable),
            ("SHA1withRSA", "RSA-PKCS1-1.5-SHA-1", CryptoStatus::Broken),
            (
                "sha256WithRSAEncryption",
                "RSA-PKCS1-1.5-SHA-256",
                CryptoStatus::QuantumVulnerable,
            ),
            ("mlkem768", "ML-KEM-768", CryptoStatus::QuantumSafe),
            (
                "ECDSA-P-521",
                "ECDSA-P-521",
                CryptoStatus::QuantumVulnerable,
            ),
            (
                "camellia-256-cbc",
                "CAMELLIA-256-CBC",
                CryptoStatus::QuantumSafe,
            ),
        ];
        for (input, name, status) in cases {
            match by_name(input) {
                Some(a) if status == CryptoStatus::Unknown => {
                    // "RSA" alone has no size: resolved only through the transformation.
                    assert!(a.name.starts_with(name), "{input}: {}", a.name)
                }
                Some(a) => {
                    assert_eq!(a.name, name, "{input}");
                    assert_eq!(a.status, status, "{input}");
                }
                None if status == CryptoStatus::Unknown => {}
                None => panic!("{input} not resolved"),
            }
        }
        assert!(by_name("no-such-cipher").is_none());
        assert!(by_name("").is_none());
    }

    #[test]
    fn pqc_and_composite_oids() {
        let a = by_oid("2.16.840.1.101.3.4.3.18").unwrap();
        assert_eq!(
            (a.name.as_str(), a.nist_quantum_security_level),
            ("ML-DSA-65", 3)
        );
        let s = by_oid("2.16.840.1.101.3.4.3.20").unwrap();
        assert_eq!(s.name, "SLH-DSA-SHA2-128s");
        let c = by_oid("1.3.6.1.5.5.7.6.40").unwrap();
        assert_eq!(c.name, "MLDSA44-ECDSA-P256-SHA256");
        assert_eq!(c.status, CryptoStatus::Hybrid);
        let k = by_oid("1.3.6.1.5.5.7.6.58").unwrap();
        assert_eq!(k.status, CryptoStatus::Hybrid);
        assert_eq!(k.primitive, Primitive::Kem);
        let g = by_oid("2.16.840.1.101.3.4.1.46").unwrap();
        assert_eq!(g.name, "AES-256-GCM");
        assert_eq!(g.primitive, Primitive::Ae);
    }

    /// Names and families against the CycloneDX cryptography registry in ../shared.
    #[test]
    fn names_follow_the_cyclonedx_registry() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/cyclonedx/cryptography-defs.json"
        );
        let text = std::fs::read_to_string(path).expect("../shared/data/cyclonedx present");
        let reg: serde_json::Value = serde_json::from_str(&text).unwrap();
        let families: std::collections::HashSet<&str> = reg["algorithms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["family"].as_str().unwrap())
            .collect();
        // Families the registry has no entry for yet (checked: none in the 2026-02 file).
        let outside = ["Falcon", "FrodoKEM", "NTRU"];
        for e in entries() {
            assert!(
                families.contains(e.family.as_str()) || outside.contains(&e.family.as_str()),
                "{}: family {} not in the registry",
                e.name,
                e.family
            );
        }
        for s in signatures() {
            assert!(families.contains(s.family.as_str()), "{}", s.family);
        }
        // Every fixed name matches one of its family's variant patterns.
        let patterns: HashMap<&str, Vec<regex_lite::Regex>> = reg["algorithms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["family"].as_str().unwrap(),
                    a["variant"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| pattern_regex(v["pattern"].as_str().unwrap()))
                        .collect(),
                )
            })
            .collect();
        let mut unmatched = vec![];
        for e in entries() {
            if let Some(ps) = patterns.get(e.family.as_str()) {
                if e.status == "hybrid" {
                    continue; // composite names come from the IETF drafts
                }
                if !ps.iter().any(|p| p.is_match(&e.name)) {
                    unmatched.push(e.name.clone());
                }
            }
        }
        for s in signatures() {
            if !patterns[s.family.as_str()]
                .iter()
                .any(|p| p.is_match(&s.name))
            {
                unmatched.push(s.name.clone());
            }
        }
        assert!(
            unmatched.is_empty(),
            "names outside the registry patterns: {unmatched:?}"
        );
        // Curve names and OIDs as in the registry.
        let mut reg_curves = HashMap::new();
        for fam in reg["ellipticCurves"].as_array().unwrap() {
            for c in fam["curves"].as_array().unwrap() {
                reg_curves.insert(c["name"].as_str().unwrap().to_string(), c["oid"].as_str());
            }
        }
        for c in curves() {
            let oid = reg_curves
                .get(&c.name)
                .unwrap_or_else(|| panic!("curve {} not in the registry", c.name));
            if let Some(o) = oid {
                assert_eq!(*o, c.oid, "curve {}", c.name);
            }
        }
    }

    /// The registry's pattern language: `[x]` optional, `(a|b)` alternatives, `{x}` a
    /// placeholder for any value.
    fn pattern_regex(p: &str) -> regex_lite::Regex {
        let mut out = String::from("^");
        for ch in p.chars() {
            match ch {
                '[' => out.push_str("(?:"),
                ']' => out.push_str(")?"),
                '(' => out.push_str("(?:"),
                ')' | '|' => out.push(ch),
                '{' => out.push_str("[A-Za-z0-9/._-]+"),
                '}' => {}
                c if c.is_ascii_alphanumeric() => out.push(c),
                c => {
                    out.push('\\');
                    out.push(c)
                }
            }
        }
        // `{x}` consumes up to the closing brace; drop the placeholder's text.
        let re = regex_lite::Regex::new(r"\[A-Za-z0-9/\._-\]\+[A-Za-z0-9_]+").unwrap();
        let out = re.replace_all(&out, "[A-Za-z0-9/._-]+").to_string() + "$";
        regex_lite::Regex::new(&out).unwrap_or_else(|e| panic!("{p}: {e}"))
    }
}
