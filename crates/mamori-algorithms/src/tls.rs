//! TLS knowledge: cipher suites, named groups, signature schemes and protocol versions
//! (IANA registries), and OpenSSL's cipher-list language.
//!
//! ```
//! use mamori_algorithms::tls;
//! use mamori_model::CryptoStatus;
//! let s = tls::suite_by_name("ECDHE-RSA-AES128-GCM-SHA256").unwrap();
//! assert_eq!(s.code, 0xC02F);
//! assert_eq!(s.iana, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
//! assert_eq!(tls::suite_status(s), CryptoStatus::QuantumVulnerable);
//! let list = tls::expand_openssl_cipher_string("ECDHE+AESGCM:!ECDSA").unwrap();
//! assert_eq!(list[0].openssl.as_deref(), Some("ECDHE-RSA-AES256-GCM-SHA384"));
//! let g = tls::group_by_name("X25519MLKEM768").unwrap();
//! assert_eq!((g.code, g.props().status), (0x11EC, CryptoStatus::Hybrid));
//! assert_eq!(tls::protocol_version("TLSv1").unwrap().status(), CryptoStatus::Broken);
//! ```
//!
//! # OpenSSL cipher strings
//!
//! [`expand_openssl_cipher_string`] implements the cipher-list language of OpenSSL 3.x
//! (`SSL_CTX_set_cipher_list`, `ssl/ssl_ciph.c`): keywords, `+` combinations, the `!`, `-`,
//! `+` operators, `@STRENGTH`, `@SECLEVEL=n`, a leading `DEFAULT`, `SUITEB*` and plain
//! OpenSSL suite names, with OpenSSL's default preference order. As in OpenSSL, the
//! cipher string never selects TLS 1.3 suites: those come from the separate `Ciphersuites`
//! setting (`SSL_CTX_set_ciphersuites`), so they are never in the result. `@SECLEVEL` is
//! accepted and reported by [`cipher_string_seclevel`] but does not filter (as `openssl
//! ciphers` without `-s`). Keywords select among the suites a default OpenSSL 3.x build has;
//! plain suite names also select suites only older or weak-cipher builds have (`RC4-SHA`,
//! `DES-CBC3-SHA`), because a configuration naming them says what it asks for.

use crate::{by_name, curve, ec, ffdh, norm_key};
use mamori_model::{AlgorithmProps, CryptoStatus, Primitive};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One TLS cipher suite (`data/tls-cipher-suites.toml`).
#[derive(Debug, Clone, Deserialize)]
pub struct CipherSuite {
    /// Code point.
    pub code: u16,
    /// IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    pub iana: String,
    /// OpenSSL name (`ECDHE-RSA-AES128-GCM-SHA256`), where OpenSSL ever had the suite.
    #[serde(default)]
    pub openssl: Option<String>,
    /// In OpenSSL 3.x: `yes` (default build), `weak` (only with enable-weak-ssl-ciphers), `no`.
    pub openssl3: String,
    /// Key exchange: `RSA`, `DHE`, `ECDHE`, `DH`, `ECDH`, `PSK`, `DHE-PSK`, `RSA-PSK`,
    /// `ECDHE-PSK`, `SRP`, `KRB5`, `ECCPWD`, `GOST`, `ANY` (TLS 1.3), `NULL`.
    pub kx: String,
    /// Authentication: `RSA`, `DSS`, `ECDSA`, `PSK`, `SRP`, `KRB5`, `ECCPWD`, `GOST12`, `ANY`, `NULL`.
    pub au: String,
    /// Bulk encryption class (`AES`, `AESGCM`, `CHACHA20POLY1305`, `3DES`, `RC4`, `NULL` …).
    pub enc: String,
    /// Key bits of the bulk cipher.
    pub enc_bits: u16,
    /// Record MAC: `MD5`, `SHA1`, `SHA256`, `SHA384`, `AEAD`, GOST MACs, `NULL`.
    pub mac: String,
    /// Hash of the PRF / HMAC.
    #[serde(default)]
    pub prf_hash: Option<String>,
    /// Lowest protocol version it can be used in: `SSLv3`, `TLSv1.0`, `TLSv1.2`, `TLSv1.3`.
    pub min_version: String,
    /// OpenSSL strength class: `HIGH`, `MEDIUM`, `LOW`, `EXPORT`, `NONE`.
    pub strength: String,
    /// OpenSSL strength bits.
    pub strength_bits: u16,
    /// OpenSSL algorithm bits.
    pub alg_bits: u16,
    /// In OpenSSL's `FIPS` alias.
    pub fips: bool,
    /// In OpenSSL's `COMPLEMENTOFDEFAULT` (excluded from `DEFAULT`).
    pub not_default: bool,
    /// False for the few pre-standard suites that never entered the IANA registry.
    #[serde(default = "yes")]
    pub iana_registered: bool,
    /// Remark.
    #[serde(default)]
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

/// A TLS named group (`data/tls-groups.toml`).
#[derive(Debug, Clone, Deserialize)]
pub struct Group {
    /// Code point.
    pub code: u16,
    /// IANA name.
    pub name: String,
    /// `ec`, `ecx`, `ffdhe`, `mlkem`, `hybrid`, `gost`, `sm2`.
    pub kind: String,
    /// Curve (curves.toml name) of an EC group or of a hybrid's classical part.
    #[serde(default)]
    pub curve: Option<String>,
    /// Field or modulus bits.
    #[serde(default)]
    pub bits: u32,
    /// ML-KEM parameter set of ML-KEM and hybrid groups.
    #[serde(default)]
    pub kem: Option<String>,
    /// Pre-standard draft code point.
    #[serde(default)]
    pub draft: bool,
    /// Other spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A TLS signature scheme (`data/tls-signature-schemes.toml`).
#[derive(Debug, Clone, Deserialize)]
pub struct SignatureScheme {
    /// Code point.
    pub code: u16,
    /// IANA name.
    pub name: String,
    /// The algorithm as [`crate::by_name`] knows it.
    pub algorithm: String,
    /// OpenSSL's `SIG+HASH` spelling.
    #[serde(default)]
    pub openssl: Option<String>,
}

/// An SSL/TLS/DTLS protocol version (`data/tls-versions.toml`).
#[derive(Debug, Clone, Deserialize)]
pub struct ProtocolVersion {
    /// Wire code.
    pub code: u16,
    /// OpenSSL spelling (`TLSv1.2`).
    pub name: String,
    /// `ssl`, `tls` or `dtls`.
    pub kind: String,
    /// Version number (`1.2`).
    pub version: String,
    /// Status text.
    status: String,
    /// Why.
    pub note: String,
}

impl ProtocolVersion {
    /// The version's standing.
    pub fn status(&self) -> CryptoStatus {
        self.status.parse().unwrap_or(CryptoStatus::Unknown)
    }
    /// Asset id prefix: `ssl` for SSL 2.0 and 3.0 (`proto:ssl-3.0`, shown "SSL 3.0" — there
    /// is no "TLS 3.0"), `tls`, `dtls`.
    pub fn family(&self) -> &'static str {
        match self.kind.as_str() {
            "dtls" => "dtls",
            "ssl" => "ssl",
            _ => "tls",
        }
    }
    /// The protocol asset id, `proto:tls-1.2` (`proto:ssl-3.0`, `proto:dtls-1.2`).
    pub fn asset_id(&self) -> String {
        format!("proto:{}-{}", self.family(), self.version)
    }
    /// As algorithm properties (family `TLS`, primitive other), for `asset.algorithm`.
    pub fn props(&self) -> AlgorithmProps {
        AlgorithmProps {
            name: format!("{}-{}", self.family().to_ascii_uppercase(), self.version),
            family: "TLS".into(),
            primitive: Primitive::Other,
            parameter_set: Some(self.version.clone()),
            curve: None,
            mode: None,
            padding: None,
            classical_security_level: None,
            nist_quantum_security_level: 0,
            oid: None,
            status: self.status(),
            note: Some(self.note.clone()),
        }
    }
}

#[derive(Deserialize)]
struct SuitesFile {
    suite: Vec<CipherSuite>,
}
#[derive(Deserialize)]
struct GroupsFile {
    group: Vec<Group>,
}
#[derive(Deserialize)]
struct SchemesFile {
    scheme: Vec<SignatureScheme>,
}
#[derive(Deserialize)]
struct VersionsFile {
    version: Vec<ProtocolVersion>,
}

struct Tls {
    suites: Vec<CipherSuite>,
    masks: Vec<Masks>,
    by_code: HashMap<u16, usize>,
    by_name: HashMap<String, usize>,
    groups: Vec<Group>,
    group_key: HashMap<String, usize>,
    schemes: Vec<SignatureScheme>,
    versions: Vec<ProtocolVersion>,
}

// The tables are compiled into the binary and a test parses each: they cannot fail here.
#[allow(clippy::expect_used)]
fn tls() -> &'static Tls {
    static T: OnceLock<Tls> = OnceLock::new();
    T.get_or_init(|| {
        let s: SuitesFile = toml::from_str(include_str!("../data/tls-cipher-suites.toml"))
            .expect("data/tls-cipher-suites.toml is valid (tested)");
        let g: GroupsFile = toml::from_str(include_str!("../data/tls-groups.toml"))
            .expect("data/tls-groups.toml is valid (tested)");
        let sc: SchemesFile = toml::from_str(include_str!("../data/tls-signature-schemes.toml"))
            .expect("data/tls-signature-schemes.toml is valid (tested)");
        let v: VersionsFile = toml::from_str(include_str!("../data/tls-versions.toml"))
            .expect("data/tls-versions.toml is valid (tested)");
        let mut by_code = HashMap::new();
        let mut by_name = HashMap::new();
        for (i, c) in s.suite.iter().enumerate() {
            by_code.insert(c.code, i);
            by_name.insert(c.iana.to_ascii_uppercase(), i);
            if let Some(o) = &c.openssl {
                by_name.entry(o.to_ascii_uppercase()).or_insert(i);
            }
        }
        // Names OpenSSL used before 1.1.0 for the DHE 3DES suites.
        for (old, code) in [
            ("EDH-DSS-DES-CBC3-SHA", 0x0013u16),
            ("EDH-RSA-DES-CBC3-SHA", 0x0016),
        ] {
            if let Some(&i) = by_code.get(&code) {
                by_name.insert(old.to_string(), i);
            }
        }
        let masks = s.suite.iter().map(Masks::of).collect();
        let mut group_key = HashMap::new();
        for (i, gr) in g.group.iter().enumerate() {
            group_key.insert(norm_key(&gr.name), i);
            for a in &gr.aliases {
                group_key.entry(norm_key(a)).or_insert(i);
            }
        }
        Tls {
            suites: s.suite,
            masks,
            by_code,
            by_name,
            groups: g.group,
            group_key,
            schemes: sc.scheme,
            versions: v.version,
        }
    })
}

/// Every cipher suite known, in code order.
pub fn suites() -> &'static [CipherSuite] {
    &tls().suites
}

/// The suite with this code point.
pub fn suite_by_code(code: u16) -> Option<&'static CipherSuite> {
    let t = tls();
    t.by_code.get(&code).map(|&i| &t.suites[i])
}

/// The suite with this IANA or OpenSSL name (case-insensitive).
pub fn suite_by_name(name: &str) -> Option<&'static CipherSuite> {
    let t = tls();
    t.by_name
        .get(&name.trim().to_ascii_uppercase())
        .map(|&i| &t.suites[i])
}

impl CipherSuite {
    /// True for TLS 1.3 suites (not selected by OpenSSL cipher strings).
    pub fn is_tls13(&self) -> bool {
        self.min_version == "TLSv1.3"
    }
    /// The name to show: IANA's.
    pub fn name(&self) -> &str {
        &self.iana
    }
    /// The suite as one algorithm asset's properties (family `TLS`, primitive combiner),
    /// with the status of [`suite_status`].
    pub fn props(&self) -> AlgorithmProps {
        let parts = suite_props(self);
        let status = combine_status(&parts, self);
        let weakest = parts
            .iter()
            .find(|p| p.status == status && status != CryptoStatus::QuantumSafe);
        AlgorithmProps {
            name: self.iana.clone(),
            family: "TLS".into(),
            primitive: Primitive::Combiner,
            parameter_set: None,
            curve: None,
            mode: None,
            padding: None,
            classical_security_level: parts
                .iter()
                .filter_map(|p| p.classical_security_level)
                .min(),
            nist_quantum_security_level: parts
                .iter()
                .map(|p| p.nist_quantum_security_level)
                .min()
                .unwrap_or(0),
            oid: None,
            status,
            note: Some(match (status, weakest) {
                (CryptoStatus::Broken, Some(w)) => format!("Uses {}, which is broken.", w.name),
                (CryptoStatus::Broken, None) => {
                    "Provides no encryption or no authentication.".to_string()
                }
                (CryptoStatus::QuantumVulnerable, Some(w)) => format!(
                    "Key exchange or authentication by {} falls to a quantum computer.",
                    w.name
                ),
                (CryptoStatus::Unknown, _) => "Some of its algorithms are unknown.".into(),
                _ => "TLS 1.3 suite: key exchange and authentication are negotiated separately."
                    .into(),
            }),
        }
    }
}

fn unknown_props(name: &str, family: &str, primitive: Primitive) -> AlgorithmProps {
    AlgorithmProps::unknown(name, family, primitive)
}

fn broken(mut a: AlgorithmProps, why: &str) -> AlgorithmProps {
    a.status = CryptoStatus::Broken;
    a.nist_quantum_security_level = 0;
    a.note = Some(why.to_string());
    a
}

/// The algorithms a suite uses: key exchange, authentication, bulk cipher with its mode, and
/// MAC (or the AEAD's PRF hash). TLS 1.3 suites have no key exchange or authentication of
/// their own (those are negotiated through groups and signature schemes).
pub fn suite_props(s: &CipherSuite) -> Vec<AlgorithmProps> {
    let mut v = Vec::new();
    let export = s.strength == "EXPORT";
    // Key exchange.
    let kx = match s.kx.as_str() {
        "RSA" | "RSA-PSK" => Some(if export {
            broken(
                crate::rsa(512),
                "Export-grade 512-bit RSA key exchange (FREAK).",
            )
        } else {
            let mut a = unknown_props("RSA", "RSA", Primitive::KeyAgree);
            a.status = CryptoStatus::QuantumVulnerable;
            a.note =
                Some("RSA key transport: no forward secrecy, broken by a quantum computer.".into());
            a
        }),
        "DHE" | "DH" | "DHE-PSK" => Some(if export {
            broken(ffdh(512), "Export-grade 512-bit Diffie-Hellman (Logjam).")
        } else {
            let mut a = unknown_props("FFDH", "FFDH", Primitive::KeyAgree);
            a.status = CryptoStatus::QuantumVulnerable;
            a.note =
                Some("Finite-field Diffie-Hellman: broken by a quantum computer (Shor).".into());
            a
        }),
        "ECDHE" | "ECDH" | "ECDHE-PSK" => {
            let mut a = unknown_props("ECDH", "ECDH", Primitive::KeyAgree);
            a.status = CryptoStatus::QuantumVulnerable;
            a.note =
                Some("Elliptic-curve Diffie-Hellman: broken by a quantum computer (Shor).".into());
            Some(a)
        }
        "SRP" | "ECCPWD" => {
            let mut a = unknown_props(&s.kx, "PAKE", Primitive::KeyAgree);
            a.status = CryptoStatus::QuantumVulnerable;
            Some(a)
        }
        "PSK" => {
            let mut a = unknown_props("PSK", "PSK", Primitive::Other);
            a.status = CryptoStatus::QuantumSafe;
            a.note = Some("Pre-shared key: no public-key cryptography to break.".into());
            Some(a)
        }
        "KRB5" => Some(unknown_props("Kerberos", "Kerberos", Primitive::Other)),
        "GOST" => Some(unknown_props("GOST-VKO", "GOST", Primitive::KeyAgree)),
        "NULL" => Some(broken(
            unknown_props("NULL", "NULL", Primitive::Other),
            "No key exchange.",
        )),
        _ => None,
    };
    v.extend(kx);
    // Authentication.
    let au = match s.au.as_str() {
        "RSA" => Some({
            let mut a = unknown_props("RSA", "RSA", Primitive::Signature);
            a.status = CryptoStatus::QuantumVulnerable;
            a.note = Some("RSA authentication: forgeable by a quantum computer.".into());
            a
        }),
        "DSS" => Some({
            let mut a = unknown_props("DSA", "DSA", Primitive::Signature);
            a.status = CryptoStatus::QuantumVulnerable;
            a.note = Some("DSA authentication: forgeable by a quantum computer.".into());
            a
        }),
        "ECDSA" => Some({
            let mut a = unknown_props("ECDSA", "ECDSA", Primitive::Signature);
            a.status = CryptoStatus::QuantumVulnerable;
            a.note = Some("ECDSA authentication: forgeable by a quantum computer.".into());
            a
        }),
        "NULL" => Some(broken(
            unknown_props("anonymous", "NULL", Primitive::Signature),
            "Anonymous key exchange: no authentication, open to man-in-the-middle.",
        )),
        _ => None,
    };
    v.extend(au);
    // Bulk cipher.
    let bits = s.enc_bits;
    let enc = match s.enc.as_str() {
        "NULL" => Some(broken(
            unknown_props("NULL", "NULL", Primitive::BlockCipher),
            "No encryption.",
        )),
        "AES" => by_name(&format!("AES-{bits}")).map(|a| crate::with_mode(a, "CBC")),
        "AESGCM" => by_name(&format!("AES-{bits}")).map(|a| crate::with_mode(a, "GCM")),
        "AESCCM" | "AESCCM8" => by_name(&format!("AES-{bits}")).map(|a| crate::with_mode(a, "CCM")),
        "CAMELLIA" => by_name(&format!("CAMELLIA-{bits}")).map(|a| crate::with_mode(a, "CBC")),
        "CAMELLIAGCM" => by_name(&format!("CAMELLIA-{bits}")).map(|a| crate::with_mode(a, "GCM")),
        "ARIA" => by_name(&format!("ARIA-{bits}")).map(|a| crate::with_mode(a, "CBC")),
        "ARIAGCM" => by_name(&format!("ARIA-{bits}")).map(|a| crate::with_mode(a, "GCM")),
        "CHACHA20POLY1305" => by_name("ChaCha20-Poly1305"),
        "3DES" => by_name("3DES").map(|a| crate::with_mode(a, "CBC")),
        "DES" => by_name("DES").map(|a| crate::with_mode(a, "CBC")),
        "RC4" => by_name("RC4"),
        "RC2" => by_name("RC2").map(|a| crate::with_mode(a, "CBC")),
        "IDEA" => by_name("IDEA").map(|a| crate::with_mode(a, "CBC")),
        "SEED" => by_name("SEED").map(|a| crate::with_mode(a, "CBC")),
        "SM4GCM" => by_name("SM4").map(|a| crate::with_mode(a, "GCM")),
        "SM4CCM" => by_name("SM4").map(|a| crate::with_mode(a, "CCM")),
        other => Some(unknown_props(other, other, Primitive::BlockCipher)),
    };
    if let Some(mut e) = enc {
        if export || bits < 112 && s.enc != "NULL" {
            e = broken(e, "Export-grade or short key: brute-forceable.");
        }
        v.push(e);
    }
    // MAC / PRF.
    let mac = match s.mac.as_str() {
        "MD5" => by_name("HMAC-MD5"),
        "SHA1" => by_name("HMAC-SHA-1"),
        "SHA256" => by_name("HMAC-SHA-256"),
        "SHA384" => by_name("HMAC-SHA-384"),
        "AEAD" => s.prf_hash.as_deref().and_then(|h| match h {
            "SHA256" => by_name("SHA-256"),
            "SHA384" => by_name("SHA-384"),
            "SM3" => by_name("SM3"),
            _ => None,
        }),
        _ => None,
    };
    v.extend(mac);
    v
}

fn combine_status(parts: &[AlgorithmProps], s: &CipherSuite) -> CryptoStatus {
    if parts.iter().any(|p| p.status == CryptoStatus::Broken) {
        return CryptoStatus::Broken;
    }
    if parts.iter().any(|p| p.status == CryptoStatus::Unknown) {
        return CryptoStatus::Unknown;
    }
    if parts
        .iter()
        .any(|p| p.status == CryptoStatus::QuantumVulnerable)
    {
        return CryptoStatus::QuantumVulnerable;
    }
    // Only symmetric parts left (TLS 1.3 suites, plain PSK): they resist quantum attack.
    let _ = s;
    CryptoStatus::QuantumSafe
}

/// The status of a suite as a whole: broken if any part is broken; else quantum-vulnerable
/// if its key exchange or authentication is classical public-key cryptography; TLS 1.3 suites
/// (whose key exchange is a separate negotiation) and plain-PSK suites are judged by their
/// symmetric parts.
pub fn suite_status(s: &CipherSuite) -> CryptoStatus {
    combine_status(&suite_props(s), s)
}

// ------------------------------------------------------------------- groups

/// Every named group.
pub fn groups() -> &'static [Group] {
    &tls().groups
}

/// The group with this code point.
pub fn group_by_code(code: u16) -> Option<&'static Group> {
    tls().groups.iter().find(|g| g.code == code)
}

/// The group with this name, in any common spelling (`X25519`, `P-256`, `prime256v1`,
/// `secp384r1`, `ffdhe2048`, `X25519MLKEM768` …).
pub fn group_by_name(name: &str) -> Option<&'static Group> {
    let t = tls();
    t.group_key.get(&norm_key(name)).map(|&i| &t.groups[i])
}

impl Group {
    /// The algorithm this group means: ECDH on its curve, FFDH with its modulus, ML-KEM, or a
    /// hybrid (status [`CryptoStatus::Hybrid`]).
    pub fn props(&self) -> AlgorithmProps {
        match self.kind.as_str() {
            "ec" | "ecx" | "sm2" => {
                if let Some(a) = self
                    .curve
                    .as_deref()
                    .and_then(|c| ec(c, Primitive::KeyAgree))
                {
                    return a;
                }
                let sec = self.bits / 2;
                let mut a =
                    unknown_props(&format!("ECDH-{}", self.name), "ECDH", Primitive::KeyAgree);
                a.curve = Some(self.name.clone());
                a.classical_security_level = Some(sec);
                if sec < 112 {
                    broken(a, "Curve gives less than 112 bits of security.")
                } else {
                    a.status = CryptoStatus::QuantumVulnerable;
                    a.note = Some(
                        "Elliptic-curve Diffie-Hellman: broken by a quantum computer (Shor)."
                            .into(),
                    );
                    a
                }
            }
            "ffdhe" => ffdh(self.bits),
            "mlkem" => self
                .kem
                .as_deref()
                .and_then(by_name)
                .unwrap_or_else(|| unknown_props(&self.name, "ML-KEM", Primitive::Kem)),
            "hybrid" => {
                let kem = self.kem.as_deref().and_then(by_name);
                let classical = self
                    .curve
                    .as_deref()
                    .and_then(|c| curve(c).map(|cv| cv.security()));
                AlgorithmProps {
                    name: self.name.clone(),
                    family: "ML-KEM".into(),
                    primitive: Primitive::Kem,
                    parameter_set: kem.as_ref().and_then(|k| k.parameter_set.clone()),
                    curve: self.curve.clone(),
                    mode: None,
                    padding: None,
                    classical_security_level: classical,
                    nist_quantum_security_level: kem
                        .as_ref()
                        .map(|k| k.nist_quantum_security_level)
                        .unwrap_or(0),
                    oid: None,
                    status: CryptoStatus::Hybrid,
                    note: Some(if self.draft {
                        "Hybrid of a classical ECDH and a draft Kyber KEM (pre-standard code point)."
                            .into()
                    } else {
                        "Hybrid ECDH + ML-KEM key exchange: safe unless both parts fall.".into()
                    }),
                }
            }
            _ => {
                let mut a = unknown_props(&self.name, "GOST", Primitive::KeyAgree);
                a.status = CryptoStatus::QuantumVulnerable;
                a.curve = Some(self.name.clone());
                a
            }
        }
    }
}

// ------------------------------------------------------------------- signature schemes

/// Every signature scheme.
pub fn signature_schemes() -> &'static [SignatureScheme] {
    &tls().schemes
}

/// A signature scheme by code point.
pub fn signature_scheme_by_code(code: u16) -> Option<&'static SignatureScheme> {
    tls().schemes.iter().find(|s| s.code == code)
}

/// Whether a named group is post-quantum: pure ML-KEM or a hybrid with it, drafts included.
pub fn is_post_quantum_group(name: &str) -> bool {
    group_by_name(name).is_some_and(|g| g.kind == "mlkem" || g.kind == "hybrid")
}

/// The protocol asset id of a version as mamori names versions (`TLSv1.2` →
/// `proto:tls-1.2`), or `proto:<name>` for one the knowledge base does not know.
pub fn protocol_asset_id(version: &str) -> String {
    protocol_version(version)
        .map(ProtocolVersion::asset_id)
        .unwrap_or_else(|| format!("proto:{}", version.to_ascii_lowercase()))
}

/// A signature scheme by IANA name (`rsa_pss_rsae_sha256`) or OpenSSL `SIG+HASH` form
/// (`RSA+SHA256`, `ECDSA+SHA384`), case-insensitive.
pub fn signature_scheme_by_name(name: &str) -> Option<&'static SignatureScheme> {
    let n = name.trim();
    tls().schemes.iter().find(|s| {
        s.name.eq_ignore_ascii_case(n)
            || s.openssl
                .as_deref()
                .is_some_and(|o| o.eq_ignore_ascii_case(n))
    })
}

impl SignatureScheme {
    /// The algorithm, best effort (unknown status where the knowledge base lacks it).
    pub fn props(&self) -> AlgorithmProps {
        by_name(&self.algorithm)
            .unwrap_or_else(|| unknown_props(&self.algorithm, "GOST", Primitive::Signature))
    }
}

// ------------------------------------------------------------------- versions

/// Every protocol version.
pub fn protocol_versions() -> &'static [ProtocolVersion] {
    &tls().versions
}

/// A protocol version by name in the spellings configs use (`TLSv1.2`, `TLSv1`, `TLSv1.0`,
/// `TLS1.2`, `tls1_2`, `SSLv3`, `DTLSv1.2`, `1.2`) or by wire code (`0x0303`, `771`).
pub fn protocol_version(name_or_code: &str) -> Option<&'static ProtocolVersion> {
    let s = name_or_code.trim();
    let vs = &tls().versions;
    let code = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        u16::from_str_radix(h, 16).ok()
    } else if s.len() >= 3 && s.bytes().all(|b| b.is_ascii_digit()) {
        s.parse::<u16>().ok()
    } else {
        None
    };
    if let Some(c) = code {
        return vs.iter().find(|v| v.code == c);
    }
    let l = s.to_ascii_lowercase().replace('_', ".");
    let (kind, ver) = if let Some(r) = l.strip_prefix("dtls") {
        ("dtls", r)
    } else if let Some(r) = l.strip_prefix("tls") {
        ("tls", r)
    } else if let Some(r) = l.strip_prefix("ssl") {
        ("ssl", r)
    } else {
        ("tls", l.as_str())
    };
    let ver = ver.trim_start_matches(['v', ' ', '-']);
    let ver = match ver {
        "1" | "1.0" | "10" => "1.0",
        "1.1" | "11" => "1.1",
        "1.2" | "12" => "1.2",
        "1.3" | "13" => "1.3",
        "2" | "2.0" => "2.0",
        "3" | "3.0" => "3.0",
        _ => return None,
    };
    vs.iter().find(|v| v.kind == kind && v.version == ver)
}

// ------------------------------------------------------------------- OpenSSL cipher strings

// Bit masks mirroring OpenSSL's algorithm_mkey / auth / enc / mac / algo_strength.
mod bits {
    pub const K_RSA: u64 = 1;
    pub const K_DHE: u64 = 1 << 1;
    pub const K_ECDHE: u64 = 1 << 2;
    pub const K_PSK: u64 = 1 << 3;
    pub const K_RSAPSK: u64 = 1 << 4;
    pub const K_ECDHEPSK: u64 = 1 << 5;
    pub const K_DHEPSK: u64 = 1 << 6;
    pub const K_SRP: u64 = 1 << 7;
    pub const K_GOST: u64 = 1 << 8;
    pub const K_DH: u64 = 1 << 9;
    pub const K_ECDH: u64 = 1 << 10;
    pub const K_KRB5: u64 = 1 << 11;
    pub const K_OTHER: u64 = 1 << 12;
    pub const K_PSK_ALL: u64 = K_PSK | K_RSAPSK | K_ECDHEPSK | K_DHEPSK;

    pub const A_RSA: u64 = 1;
    pub const A_DSS: u64 = 1 << 1;
    pub const A_NULL: u64 = 1 << 2;
    pub const A_ECDSA: u64 = 1 << 3;
    pub const A_PSK: u64 = 1 << 4;
    pub const A_GOST01: u64 = 1 << 5;
    pub const A_GOST12: u64 = 1 << 6;
    pub const A_SRP: u64 = 1 << 7;
    pub const A_KRB5: u64 = 1 << 8;
    pub const A_OTHER: u64 = 1 << 9;

    pub const E_DES: u64 = 1;
    pub const E_3DES: u64 = 1 << 1;
    pub const E_RC4: u64 = 1 << 2;
    pub const E_RC2: u64 = 1 << 3;
    pub const E_IDEA: u64 = 1 << 4;
    pub const E_NULL: u64 = 1 << 5;
    pub const E_AES128: u64 = 1 << 6;
    pub const E_AES256: u64 = 1 << 7;
    pub const E_CAMELLIA128: u64 = 1 << 8;
    pub const E_CAMELLIA256: u64 = 1 << 9;
    pub const E_GOST89: u64 = 1 << 10;
    pub const E_SEED: u64 = 1 << 11;
    pub const E_AES128GCM: u64 = 1 << 12;
    pub const E_AES256GCM: u64 = 1 << 13;
    pub const E_AES128CCM: u64 = 1 << 14;
    pub const E_AES256CCM: u64 = 1 << 15;
    pub const E_AES128CCM8: u64 = 1 << 16;
    pub const E_AES256CCM8: u64 = 1 << 17;
    pub const E_GOST8912: u64 = 1 << 18;
    pub const E_CHACHA20POLY1305: u64 = 1 << 19;
    pub const E_ARIA128GCM: u64 = 1 << 20;
    pub const E_ARIA256GCM: u64 = 1 << 21;
    pub const E_MAGMA: u64 = 1 << 22;
    pub const E_KUZNYECHIK: u64 = 1 << 23;
    // Not in OpenSSL: IANA suites it never implemented.
    pub const E_ARIA128: u64 = 1 << 24;
    pub const E_ARIA256: u64 = 1 << 25;
    pub const E_CAMELLIA128GCM: u64 = 1 << 26;
    pub const E_CAMELLIA256GCM: u64 = 1 << 27;
    pub const E_OTHER: u64 = 1 << 28;
    pub const E_AESGCM: u64 = E_AES128GCM | E_AES256GCM;
    pub const E_AESCCM: u64 = E_AES128CCM | E_AES256CCM | E_AES128CCM8 | E_AES256CCM8;
    pub const E_AES: u64 = E_AES128 | E_AES256 | E_AESGCM | E_AESCCM;
    pub const E_CAMELLIA: u64 = E_CAMELLIA128 | E_CAMELLIA256;
    pub const E_ARIAGCM: u64 = E_ARIA128GCM | E_ARIA256GCM;
    pub const E_CBC: u64 = E_DES
        | E_3DES
        | E_RC2
        | E_IDEA
        | E_AES128
        | E_AES256
        | E_CAMELLIA128
        | E_CAMELLIA256
        | E_SEED;

    pub const M_MD5: u64 = 1;
    pub const M_SHA1: u64 = 1 << 1;
    pub const M_GOST94: u64 = 1 << 2;
    pub const M_GOST89MAC: u64 = 1 << 3;
    pub const M_SHA256: u64 = 1 << 4;
    pub const M_SHA384: u64 = 1 << 5;
    pub const M_AEAD: u64 = 1 << 6;
    pub const M_GOST12_256: u64 = 1 << 7;
    pub const M_GOST89MAC12: u64 = 1 << 8;
    pub const M_OTHER: u64 = 1 << 9;

    pub const S_NONE: u64 = 1;
    pub const S_LOW: u64 = 1 << 1;
    pub const S_MEDIUM: u64 = 1 << 2;
    pub const S_HIGH: u64 = 1 << 3;
    pub const S_FIPS: u64 = 1 << 4;
    pub const S_EXPORT: u64 = 1 << 5;
    pub const S_STRONG_MASK: u64 = S_NONE | S_LOW | S_MEDIUM | S_HIGH | S_FIPS | S_EXPORT;
    pub const S_NOT_DEFAULT: u64 = 1 << 8;
    pub const S_DEFAULT_MASK: u64 = S_NOT_DEFAULT;

    pub const V_SSL3: u16 = 0x0300;
    pub const V_TLS1: u16 = 0x0301;
    pub const V_TLS12: u16 = 0x0303;
    pub const V_TLS13: u16 = 0x0304;
}
use bits::*;

#[derive(Debug, Clone, Copy, Default)]
struct Masks {
    mkey: u64,
    auth: u64,
    enc: u64,
    mac: u64,
    min_tls: u16,
    strength: u64,
}

impl Masks {
    fn of(s: &CipherSuite) -> Masks {
        let mkey = match s.kx.as_str() {
            "RSA" => K_RSA,
            "DHE" => K_DHE,
            "ECDHE" => K_ECDHE,
            "PSK" => K_PSK,
            "RSA-PSK" => K_RSAPSK,
            "ECDHE-PSK" => K_ECDHEPSK,
            "DHE-PSK" => K_DHEPSK,
            "SRP" => K_SRP,
            "GOST" => K_GOST,
            "DH" => K_DH,
            "ECDH" => K_ECDH,
            "KRB5" => K_KRB5,
            _ => K_OTHER,
        };
        let auth = match s.au.as_str() {
            "RSA" => A_RSA,
            "DSS" => A_DSS,
            "NULL" => A_NULL,
            "ECDSA" => A_ECDSA,
            "PSK" => A_PSK,
            "SRP" => A_SRP,
            "GOST12" => A_GOST12 | A_GOST01,
            "KRB5" => A_KRB5,
            _ => A_OTHER,
        };
        let b256 = s.enc_bits >= 256;
        let enc = match s.enc.as_str() {
            "DES" => E_DES,
            "3DES" => E_3DES,
            "RC4" => E_RC4,
            "RC2" => E_RC2,
            "IDEA" => E_IDEA,
            "NULL" => E_NULL,
            "AES" if b256 => E_AES256,
            "AES" => E_AES128,
            "AESGCM" if b256 => E_AES256GCM,
            "AESGCM" => E_AES128GCM,
            "AESCCM" if b256 => E_AES256CCM,
            "AESCCM" => E_AES128CCM,
            "AESCCM8" if b256 => E_AES256CCM8,
            "AESCCM8" => E_AES128CCM8,
            "CAMELLIA" if b256 => E_CAMELLIA256,
            "CAMELLIA" => E_CAMELLIA128,
            "CAMELLIAGCM" if b256 => E_CAMELLIA256GCM,
            "CAMELLIAGCM" => E_CAMELLIA128GCM,
            "ARIA" if b256 => E_ARIA256,
            "ARIA" => E_ARIA128,
            "ARIAGCM" if b256 => E_ARIA256GCM,
            "ARIAGCM" => E_ARIA128GCM,
            "SEED" => E_SEED,
            "CHACHA20POLY1305" => E_CHACHA20POLY1305,
            "GOST89" => E_GOST8912,
            "MAGMA" => E_MAGMA,
            "KUZNYECHIK" => E_KUZNYECHIK,
            _ => E_OTHER,
        };
        let mac = match s.mac.as_str() {
            "MD5" => M_MD5,
            "SHA1" => M_SHA1,
            "SHA256" => M_SHA256,
            "SHA384" => M_SHA384,
            "AEAD" => M_AEAD,
            "GOST89MAC12" => M_GOST89MAC12,
            "GOST94" => M_GOST94,
            "GOST89MAC" => M_GOST89MAC,
            _ => M_OTHER,
        };
        let min_tls = match s.min_version.as_str() {
            "SSLv3" => V_SSL3,
            "TLSv1.0" => V_TLS1,
            "TLSv1.2" => V_TLS12,
            _ => V_TLS13,
        };
        let mut strength = match s.strength.as_str() {
            "HIGH" => S_HIGH,
            "MEDIUM" => S_MEDIUM,
            "LOW" => S_LOW,
            "EXPORT" => S_EXPORT,
            _ => S_NONE,
        };
        if s.fips {
            strength |= S_FIPS;
        }
        if s.not_default {
            strength |= S_NOT_DEFAULT;
        }
        Masks {
            mkey,
            auth,
            enc,
            mac,
            min_tls,
            strength,
        }
    }
}

/// A cipher-string alias: (name, mkey, auth, enc, mac, min_tls, strength).
type Alias = (&'static str, u64, u64, u64, u64, u16, u64);

/// OpenSSL 3.x `cipher_aliases[]` (ssl/ssl_ciph.c), plus the pre-1.1.0 `DES`, `EXP`/`EXPORT`,
/// `KRB5`, `kDH`/`kECDH` (static) aliases, which select nothing a 3.x build has.
const ALIASES: &[Alias] = &[
    ("ALL", 0, 0, !E_NULL, 0, 0, 0),
    ("COMPLEMENTOFALL", 0, 0, E_NULL, 0, 0, 0),
    ("COMPLEMENTOFDEFAULT", 0, 0, 0, 0, 0, S_NOT_DEFAULT),
    ("kRSA", K_RSA, 0, 0, 0, 0, 0),
    ("kEDH", K_DHE, 0, 0, 0, 0, 0),
    ("kDHE", K_DHE, 0, 0, 0, 0, 0),
    ("DH", K_DHE, 0, 0, 0, 0, 0),
    ("kEECDH", K_ECDHE, 0, 0, 0, 0, 0),
    ("kECDHE", K_ECDHE, 0, 0, 0, 0, 0),
    ("ECDH", K_ECDHE, 0, 0, 0, 0, 0),
    ("kPSK", K_PSK, 0, 0, 0, 0, 0),
    ("kRSAPSK", K_RSAPSK, 0, 0, 0, 0, 0),
    ("kECDHEPSK", K_ECDHEPSK, 0, 0, 0, 0, 0),
    ("kDHEPSK", K_DHEPSK, 0, 0, 0, 0, 0),
    ("kSRP", K_SRP, 0, 0, 0, 0, 0),
    ("kGOST", K_GOST, 0, 0, 0, 0, 0),
    ("kDH", K_DH, 0, 0, 0, 0, 0),
    ("kECDH", K_ECDH, 0, 0, 0, 0, 0),
    ("kKRB5", K_KRB5, 0, 0, 0, 0, 0),
    ("aRSA", 0, A_RSA, 0, 0, 0, 0),
    ("aDSS", 0, A_DSS, 0, 0, 0, 0),
    ("DSS", 0, A_DSS, 0, 0, 0, 0),
    ("aNULL", 0, A_NULL, 0, 0, 0, 0),
    ("aECDSA", 0, A_ECDSA, 0, 0, 0, 0),
    ("ECDSA", 0, A_ECDSA, 0, 0, 0, 0),
    ("aPSK", 0, A_PSK, 0, 0, 0, 0),
    ("aGOST01", 0, A_GOST01, 0, 0, 0, 0),
    ("aGOST12", 0, A_GOST12, 0, 0, 0, 0),
    ("aGOST", 0, A_GOST01 | A_GOST12, 0, 0, 0, 0),
    ("aSRP", 0, A_SRP, 0, 0, 0, 0),
    ("aKRB5", 0, A_KRB5, 0, 0, 0, 0),
    ("KRB5", K_KRB5, A_KRB5, 0, 0, 0, 0),
    ("EDH", K_DHE, !A_NULL, 0, 0, 0, 0),
    ("DHE", K_DHE, !A_NULL, 0, 0, 0, 0),
    ("EECDH", K_ECDHE, !A_NULL, 0, 0, 0, 0),
    ("ECDHE", K_ECDHE, !A_NULL, 0, 0, 0, 0),
    ("NULL", 0, 0, E_NULL, 0, 0, 0),
    ("RSA", K_RSA, A_RSA, 0, 0, 0, 0),
    ("ADH", K_DHE, A_NULL, 0, 0, 0, 0),
    ("AECDH", K_ECDHE, A_NULL, 0, 0, 0, 0),
    ("PSK", K_PSK_ALL, 0, 0, 0, 0, 0),
    ("SRP", K_SRP, 0, 0, 0, 0, 0),
    ("3DES", 0, 0, E_3DES, 0, 0, 0),
    ("RC4", 0, 0, E_RC4, 0, 0, 0),
    ("RC2", 0, 0, E_RC2, 0, 0, 0),
    ("IDEA", 0, 0, E_IDEA, 0, 0, 0),
    ("SEED", 0, 0, E_SEED, 0, 0, 0),
    ("DES", 0, 0, E_DES, 0, 0, 0),
    ("eNULL", 0, 0, E_NULL, 0, 0, 0),
    ("GOST", 0, 0, E_GOST89 | E_GOST8912, 0, 0, 0),
    (
        "AES128",
        0,
        0,
        E_AES128 | E_AES128GCM | E_AES128CCM | E_AES128CCM8,
        0,
        0,
        0,
    ),
    (
        "AES256",
        0,
        0,
        E_AES256 | E_AES256GCM | E_AES256CCM | E_AES256CCM8,
        0,
        0,
        0,
    ),
    ("AES", 0, 0, E_AES, 0, 0, 0),
    ("AESGCM", 0, 0, E_AESGCM, 0, 0, 0),
    ("AESCCM", 0, 0, E_AESCCM, 0, 0, 0),
    ("AESCCM8", 0, 0, E_AES128CCM8 | E_AES256CCM8, 0, 0, 0),
    ("CAMELLIA128", 0, 0, E_CAMELLIA128, 0, 0, 0),
    ("CAMELLIA256", 0, 0, E_CAMELLIA256, 0, 0, 0),
    ("CAMELLIA", 0, 0, E_CAMELLIA, 0, 0, 0),
    ("CHACHA20", 0, 0, E_CHACHA20POLY1305, 0, 0, 0),
    ("CBC", 0, 0, E_CBC, 0, 0, 0),
    ("ARIA", 0, 0, E_ARIAGCM, 0, 0, 0),
    ("ARIAGCM", 0, 0, E_ARIAGCM, 0, 0, 0),
    ("ARIA128", 0, 0, E_ARIA128GCM, 0, 0, 0),
    ("ARIA256", 0, 0, E_ARIA256GCM, 0, 0, 0),
    ("MD5", 0, 0, 0, M_MD5, 0, 0),
    ("SHA1", 0, 0, 0, M_SHA1, 0, 0),
    ("SHA", 0, 0, 0, M_SHA1, 0, 0),
    ("GOST94", 0, 0, 0, M_GOST94, 0, 0),
    ("GOST89MAC", 0, 0, 0, M_GOST89MAC | M_GOST89MAC12, 0, 0),
    ("SHA256", 0, 0, 0, M_SHA256, 0, 0),
    ("SHA384", 0, 0, 0, M_SHA384, 0, 0),
    ("GOST12", 0, 0, 0, M_GOST12_256, 0, 0),
    ("SSLv3", 0, 0, 0, 0, V_SSL3, 0),
    ("TLSv1", 0, 0, 0, 0, V_TLS1, 0),
    ("TLSv1.0", 0, 0, 0, 0, V_TLS1, 0),
    ("TLSv1.2", 0, 0, 0, 0, V_TLS12, 0),
    ("LOW", 0, 0, 0, 0, 0, S_LOW),
    ("MEDIUM", 0, 0, 0, 0, 0, S_MEDIUM),
    ("HIGH", 0, 0, 0, 0, 0, S_HIGH),
    ("FIPS", 0, 0, !E_NULL, 0, 0, S_FIPS),
    ("EXP", 0, 0, 0, 0, 0, S_EXPORT),
    ("EXPORT", 0, 0, 0, 0, 0, S_EXPORT),
];

const DEFAULT_RULES: &str = "ALL:!COMPLEMENTOFDEFAULT:!eNULL";

#[derive(Clone, Copy, PartialEq)]
enum Rule {
    Add,
    Kill,
    Del,
    Ord,
    Bump,
}

struct Node {
    idx: usize,
    active: bool,
    /// Selected by keywords (in the universe) or only by its explicit name.
    in_universe: bool,
}

/// A doubly linked list would mirror OpenSSL exactly; a Vec with stable moves gives the same
/// order (each rule is a stable move of the matching entries to the head or tail).
struct List {
    nodes: Vec<Node>,
}

#[derive(Clone, Copy, Default)]
struct Pattern {
    cipher: Option<usize>,
    m: Masks,
    strength_bits: Option<u16>,
    /// Built-in ordering rules apply to every entry; keyword rules only to the universe.
    all_entries: bool,
}

impl List {
    fn matches(&self, t: &Tls, n: &Node, p: &Pattern) -> bool {
        let s = &t.suites[n.idx];
        if let Some(b) = p.strength_bits {
            return s.strength_bits == b && (p.all_entries || n.in_universe);
        }
        match p.cipher {
            Some(c) if c != n.idx => return false,
            Some(_) => {}
            None if !p.all_entries && !n.in_universe => return false,
            None => {}
        }
        let c = &t.masks[n.idx];
        let m = &p.m;
        if m.mkey != 0 && m.mkey & c.mkey == 0 {
            return false;
        }
        if m.auth != 0 && m.auth & c.auth == 0 {
            return false;
        }
        if m.enc != 0 && m.enc & c.enc == 0 {
            return false;
        }
        if m.mac != 0 && m.mac & c.mac == 0 {
            return false;
        }
        if m.min_tls != 0 && m.min_tls != c.min_tls {
            return false;
        }
        if m.strength & S_STRONG_MASK != 0 && m.strength & S_STRONG_MASK & c.strength == 0 {
            return false;
        }
        if m.strength & S_DEFAULT_MASK != 0 && m.strength & S_DEFAULT_MASK & c.strength == 0 {
            return false;
        }
        true
    }

    fn apply(&mut self, t: &Tls, p: &Pattern, rule: Rule) {
        let hit: Vec<bool> = self.nodes.iter().map(|n| self.matches(t, n, p)).collect();
        let mut moved = Vec::new();
        let mut stay = Vec::new();
        let old = std::mem::take(&mut self.nodes);
        match rule {
            Rule::Add | Rule::Ord => {
                // Matching entries (Add: inactive ones; Ord: active ones) go to the tail in order.
                for (mut n, h) in old.into_iter().zip(hit) {
                    let take = h
                        && (if rule == Rule::Add {
                            !n.active
                        } else {
                            n.active
                        });
                    if take {
                        n.active = true;
                        moved.push(n);
                    } else {
                        stay.push(n);
                    }
                }
                stay.extend(moved);
                self.nodes = stay;
            }
            Rule::Del | Rule::Bump => {
                // Matching active entries go to the head, keeping their order.
                for (mut n, h) in old.into_iter().zip(hit) {
                    if h && n.active {
                        if rule == Rule::Del {
                            n.active = false;
                        }
                        moved.push(n);
                    } else {
                        stay.push(n);
                    }
                }
                moved.extend(stay);
                self.nodes = moved;
            }
            Rule::Kill => {
                self.nodes = old
                    .into_iter()
                    .zip(hit)
                    .filter(|(_, h)| !h)
                    .map(|(n, _)| n)
                    .collect();
            }
        }
    }

    fn strength_sort(&mut self, t: &Tls, all_entries: bool) {
        let mut used: Vec<u16> = self
            .nodes
            .iter()
            .filter(|n| n.active)
            .map(|n| t.suites[n.idx].strength_bits)
            .collect();
        used.sort_unstable();
        used.dedup();
        for b in used.into_iter().rev() {
            let p = Pattern {
                strength_bits: Some(b),
                all_entries,
                ..Pattern::default()
            };
            self.apply(t, &p, Rule::Ord);
        }
    }
}

fn builtin(mkey: u64, auth: u64, enc: u64, mac: u64, min_tls: u16) -> Pattern {
    Pattern {
        cipher: None,
        m: Masks {
            mkey,
            auth,
            enc,
            mac,
            min_tls,
            strength: 0,
        },
        strength_bits: None,
        all_entries: true,
    }
}

fn is_token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'=' | b'_')
}
fn is_sep(c: u8) -> bool {
    matches!(c, b':' | b' ' | b';' | b',')
}

/// Expand an OpenSSL cipher string the way OpenSSL 3.x does, over the suites a default
/// OpenSSL 3.x build has (plain suite names may also name older suites). Returns the suites
/// in OpenSSL's preference order, or an error where OpenSSL would reject the string (an
/// invalid character or `@` command, or nothing selected).
pub fn expand_openssl_cipher_string(s: &str) -> Result<Vec<&'static CipherSuite>, String> {
    expand_openssl_cipher_string_with(s, |c| c.openssl3 == "yes", true)
}

/// [`expand_openssl_cipher_string`] over a chosen set of available suites: keywords select
/// among suites for which `available` is true; plain names select any suite OpenSSL ever
/// named when `names_beyond_available`, else only available ones (exactly as OpenSSL built
/// with that set would). TLS 1.3 suites are never selected.
pub fn expand_openssl_cipher_string_with(
    s: &str,
    available: impl Fn(&CipherSuite) -> bool,
    names_beyond_available: bool,
) -> Result<Vec<&'static CipherSuite>, String> {
    let t = tls();
    // Collect: OpenSSL sorts its table by id and walks it backwards.
    let mut idx: Vec<usize> = (0..t.suites.len())
        .filter(|&i| {
            let c = &t.suites[i];
            c.openssl.is_some() && !c.is_tls13() && (available(c) || names_beyond_available)
        })
        .collect();
    idx.sort_by_key(|&i| std::cmp::Reverse(t.suites[i].code));
    let mut list = List {
        nodes: idx
            .into_iter()
            .map(|i| Node {
                idx: i,
                active: false,
                in_universe: available(&t.suites[i]),
            })
            .collect(),
    };
    // Default preference order (ssl_create_cipher_list).
    list.apply(t, &builtin(K_ECDHE, A_ECDSA, 0, 0, 0), Rule::Add);
    list.apply(t, &builtin(K_ECDHE, 0, 0, 0, 0), Rule::Add);
    list.apply(t, &builtin(K_ECDHE, 0, 0, 0, 0), Rule::Del);
    list.apply(t, &builtin(0, 0, E_AESGCM, 0, 0), Rule::Add);
    list.apply(t, &builtin(0, 0, E_CHACHA20POLY1305, 0, 0), Rule::Add);
    list.apply(t, &builtin(0, 0, E_AES ^ E_AESGCM, 0, 0), Rule::Add);
    list.apply(t, &builtin(0, 0, 0, 0, 0), Rule::Add);
    list.apply(t, &builtin(0, 0, 0, M_MD5, 0), Rule::Ord);
    list.apply(t, &builtin(0, A_NULL, 0, 0, 0), Rule::Ord);
    list.apply(t, &builtin(K_RSA, 0, 0, 0, 0), Rule::Ord);
    list.apply(t, &builtin(K_PSK, 0, 0, 0, 0), Rule::Ord);
    list.apply(t, &builtin(0, 0, E_RC4, 0, 0), Rule::Ord);
    list.strength_sort(t, true);
    list.apply(t, &builtin(0, 0, 0, 0, V_TLS12), Rule::Bump);
    list.apply(t, &builtin(0, 0, 0, M_AEAD, 0), Rule::Bump);
    list.apply(t, &builtin(K_DHE | K_ECDHE, 0, 0, 0, 0), Rule::Bump);
    list.apply(t, &builtin(K_DHE | K_ECDHE, 0, 0, M_AEAD, 0), Rule::Bump);
    list.apply(t, &builtin(0, 0, 0, 0, 0), Rule::Del);

    let mut rule_str = s;
    // Suite B modes replace the whole string (check_suiteb_cipher_list).
    let suiteb;
    for (prefix, repl) in [
        ("SUITEB128ONLY", "ECDHE-ECDSA-AES128-GCM-SHA256"),
        ("SUITEB128C2", "ECDHE-ECDSA-AES256-GCM-SHA384"),
        (
            "SUITEB128",
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384",
        ),
        ("SUITEB192", "ECDHE-ECDSA-AES256-GCM-SHA384"),
    ] {
        if rule_str.starts_with(prefix) {
            suiteb = repl.to_string();
            rule_str = suiteb.as_str();
            break;
        }
    }
    let mut ok = true;
    if let Some(rest) = rule_str.strip_prefix("DEFAULT") {
        ok &= process(t, &mut list, DEFAULT_RULES, names_beyond_available);
        rule_str = rest.strip_prefix(':').unwrap_or(rest);
    }
    if !rule_str.is_empty() {
        ok &= process(t, &mut list, rule_str, names_beyond_available);
    }
    if !ok {
        return Err(format!("invalid cipher string '{}'", truncate(s)));
    }
    let out: Vec<&'static CipherSuite> = list
        .nodes
        .iter()
        .filter(|n| n.active)
        .map(|n| &t.suites[n.idx])
        .collect();
    if out.is_empty() {
        return Err(format!("no cipher match for '{}'", truncate(s)));
    }
    Ok(out)
}

fn truncate(s: &str) -> String {
    s.chars().take(120).collect()
}

/// The `@SECLEVEL=n` a cipher string sets, if any (the last one wins, as in OpenSSL).
pub fn cipher_string_seclevel(s: &str) -> Option<u8> {
    let mut level = None;
    for part in s.split(|c: char| c.is_ascii() && is_sep(c as u8)) {
        if let Some(n) = part.strip_prefix("@SECLEVEL=") {
            if n.len() == 1 {
                if let Some(d) = n.chars().next().and_then(|c| c.to_digit(10)) {
                    if d <= 5 {
                        level = Some(d as u8);
                    }
                }
            }
        }
    }
    level
}

fn lookup_token(
    t: &Tls,
    list: &List,
    tok: &str,
    names_ok: bool,
) -> Option<Result<usize, &'static Alias>> {
    // Real ciphers first (OpenSSL's ca_list puts them before the aliases), by OpenSSL name,
    // case-sensitive.
    for n in &list.nodes {
        let c = &t.suites[n.idx];
        if c.openssl.as_deref() == Some(tok) && (n.in_universe || names_ok) {
            return Some(Ok(n.idx));
        }
    }
    if tok == "EDH-DSS-DES-CBC3-SHA" || tok == "EDH-RSA-DES-CBC3-SHA" {
        let code = if tok.starts_with("EDH-DSS") {
            0x0013
        } else {
            0x0016
        };
        if let Some(n) = list.nodes.iter().find(|n| t.suites[n.idx].code == code) {
            if n.in_universe || names_ok {
                return Some(Ok(n.idx));
            }
        }
    }
    ALIASES.iter().find(|a| a.0 == tok).map(Err)
}

fn process(t: &Tls, list: &mut List, rules: &str, names_ok: bool) -> bool {
    let b = rules.as_bytes();
    let mut i = 0;
    let mut retval = true;
    while i < b.len() {
        let ch = b[i];
        let rule = match ch {
            b'-' => {
                i += 1;
                Some(Rule::Del)
            }
            b'+' => {
                i += 1;
                Some(Rule::Ord)
            }
            b'!' => {
                i += 1;
                Some(Rule::Kill)
            }
            b'@' => {
                i += 1;
                None
            }
            _ => Some(Rule::Add),
        };
        if is_sep(ch) {
            i += 1;
            continue;
        }
        let mut m = Masks::default();
        let mut cipher = None;
        let mut found = false;
        let mut token_start;
        let mut token_len;
        loop {
            token_start = i;
            while i < b.len() && is_token_char(b[i]) {
                i += 1;
            }
            token_len = i - token_start;
            if token_len == 0 {
                retval = false;
                found = false;
                i += 1;
                break;
            }
            if rule.is_none() {
                break;
            }
            let multi = i < b.len() && b[i] == b'+';
            if multi {
                i += 1;
            }
            let tok = &rules[token_start..token_start + token_len];
            found = false;
            match lookup_token(t, list, tok, names_ok) {
                None => break,
                Some(Ok(ci)) => {
                    let cm = t.masks[ci];
                    if !merge(&mut m.mkey, cm.mkey)
                        || !merge(&mut m.auth, cm.auth)
                        || !merge(&mut m.enc, cm.enc)
                        || !merge(&mut m.mac, cm.mac)
                        || !merge_strength(&mut m.strength, cm.strength)
                    {
                        break;
                    }
                    cipher = Some(ci);
                }
                Some(Err(a)) => {
                    if !merge(&mut m.mkey, a.1)
                        || !merge(&mut m.auth, a.2)
                        || !merge(&mut m.enc, a.3)
                        || !merge(&mut m.mac, a.4)
                        || !merge_strength(&mut m.strength, a.6)
                    {
                        break;
                    }
                    if a.5 != 0 {
                        if m.min_tls != 0 && m.min_tls != a.5 {
                            break;
                        }
                        m.min_tls = a.5;
                    }
                }
            }
            found = true;
            if !multi {
                break;
            }
        }
        match rule {
            None => {
                let tok = rules
                    .get(token_start..token_start + token_len)
                    .unwrap_or("");
                if tok == "STRENGTH" {
                    list.strength_sort(t, false);
                } else if let Some(n) = tok.strip_prefix("SECLEVEL=") {
                    if !(n.len() == 1 && matches!(n.as_bytes().first(), Some(b'0'..=b'5'))) {
                        retval = false;
                    }
                } else {
                    retval = false;
                }
                while i < b.len() && !is_sep(b[i]) {
                    i += 1;
                }
            }
            Some(r) if found => {
                let p = Pattern {
                    cipher,
                    m,
                    strength_bits: None,
                    all_entries: false,
                };
                list.apply(t, &p, r);
            }
            Some(_) => {
                while i < b.len() && !is_sep(b[i]) {
                    i += 1;
                }
            }
        }
    }
    retval
}

fn merge(acc: &mut u64, v: u64) -> bool {
    if v == 0 {
        return true;
    }
    if *acc != 0 {
        *acc &= v;
        *acc != 0
    } else {
        *acc = v;
        true
    }
}

fn merge_strength(acc: &mut u64, v: u64) -> bool {
    for mask in [S_STRONG_MASK, S_DEFAULT_MASK] {
        if v & mask != 0 {
            if *acc & mask != 0 {
                *acc &= (v & mask) | !mask;
                if *acc & mask == 0 {
                    return false;
                }
            } else {
                *acc |= v & mask;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::process::Command;

    /// Runs the real `openssl ciphers` (Debian package `openssl`) without any config file.
    fn openssl_ciphers(args: &[&str]) -> Result<String, String> {
        let out = Command::new("openssl")
            .arg("ciphers")
            .args(args)
            .env("OPENSSL_CONF", "/dev/null")
            .output()
            .expect("`openssl` not found: install the Debian package `openssl`");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// (code, OpenSSL name, version, Kx, Au, Enc, Mac) for each line of `openssl ciphers -V`.
    fn parse_v(text: &str) -> Vec<(u16, String, Vec<String>)> {
        text.lines()
            .filter_map(|l| {
                let p: Vec<&str> = l.split_whitespace().collect();
                let hex = p.first()?.replace("0x", "").replace(',', "");
                let code = u16::from_str_radix(&hex, 16).ok()?;
                Some((
                    code,
                    p[2].to_string(),
                    p[3..].iter().map(|s| s.to_string()).collect(),
                ))
            })
            .collect()
    }

    fn local_suites() -> Vec<(u16, String, Vec<String>)> {
        parse_v(&openssl_ciphers(&["-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"]).unwrap())
    }

    #[test]
    fn data_parses_with_unique_codes_and_names() {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        for s in suites() {
            assert!(codes.insert(s.code), "duplicate code {:#06x}", s.code);
            assert!(names.insert(s.iana.clone()), "duplicate {}", s.iana);
            if let Some(o) = &s.openssl {
                assert!(names.insert(o.clone()) || o == &s.iana, "duplicate {o}");
            }
            assert!(["yes", "weak", "no"].contains(&s.openssl3.as_str()));
            assert!(s.iana.starts_with("TLS_"));
            assert!(!suite_props(s).is_empty(), "{}", s.iana);
        }
        assert!(suites().len() > 340);
        assert!(groups().len() > 50);
        assert!(signature_schemes().len() > 35);
        let mut gc = HashSet::new();
        for g in groups() {
            assert!(gc.insert(g.code), "group {}", g.code);
            let p = g.props();
            assert!(!p.name.is_empty());
        }
    }

    /// Every suite the local OpenSSL knows: code, OpenSSL name, IANA name and attributes agree.
    #[test]
    fn code_points_and_names_match_real_openssl() {
        let std = openssl_ciphers(&["-stdname", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"]).unwrap();
        let mut n = 0;
        for l in std.lines() {
            // 0x13,0x02 - TLS_AES_256_GCM_SHA384 - TLS_AES_256_GCM_SHA384 TLSv1.3 Kx=any ...
            let p: Vec<&str> = l.split_whitespace().collect();
            let code = u16::from_str_radix(&p[0].replace("0x", "").replace(',', ""), 16).unwrap();
            let s = suite_by_code(code).unwrap_or_else(|| panic!("{code:#06x} missing"));
            assert_eq!(s.iana, p[2], "{code:#06x}");
            assert_eq!(s.openssl.as_deref(), Some(p[4]), "{code:#06x}");
            assert_eq!(s.openssl3, "yes", "{}", s.iana);
            let ver = if p[5] == "TLSv1" { "TLSv1.0" } else { p[5] };
            assert_eq!(s.min_version, ver, "{}", s.iana);
            let kx = match s.kx.as_str() {
                "DHE" => "DH",
                "ECDHE" => "ECDH",
                "DHE-PSK" => "DHEPSK",
                "RSA-PSK" => "RSAPSK",
                "ECDHE-PSK" => "ECDHEPSK",
                "ANY" => "any",
                k => k,
            };
            assert_eq!(format!("Kx={kx}"), p[6], "{}", s.iana);
            let au = match s.au.as_str() {
                "NULL" => "None",
                "ANY" => "any",
                a => a,
            };
            assert_eq!(format!("Au={au}"), p[7], "{}", s.iana);
            let enc = match s.enc.as_str() {
                "NULL" => "None".to_string(),
                "CAMELLIA" => format!("Camellia({})", s.enc_bits),
                "CHACHA20POLY1305" => "CHACHA20/POLY1305(256)".to_string(),
                e => format!("{e}({})", s.enc_bits),
            };
            assert_eq!(format!("Enc={enc}"), p[8], "{}", s.iana);
            assert_eq!(format!("Mac={}", s.mac), p[9], "{}", s.iana);
            assert_eq!(suite_by_name(p[4]).map(|s| s.code), Some(code));
            assert_eq!(suite_by_name(p[2]).map(|s| s.code), Some(code));
            n += 1;
        }
        assert!(n > 100, "openssl listed only {n} suites");
    }

    /// Expand over exactly the suites the local OpenSSL has, and compare with its output.
    fn compare(s: &str) {
        let local: HashSet<u16> = local_suites().into_iter().map(|x| x.0).collect();
        let ours = expand_openssl_cipher_string_with(s, |c| local.contains(&c.code), false);
        let theirs = openssl_ciphers(&["-V", s]);
        match (ours, theirs) {
            (Ok(o), Ok(t)) => {
                let t: Vec<(u16, String)> = parse_v(&t)
                    .into_iter()
                    .filter(|x| x.2.first().map(String::as_str) != Some("TLSv1.3"))
                    .map(|x| (x.0, x.1))
                    .collect();
                let o: Vec<(u16, String)> = o
                    .iter()
                    .map(|c| (c.code, c.openssl.clone().unwrap_or_default()))
                    .collect();
                assert_eq!(o, t, "cipher string {s:?}");
            }
            (Err(_), Err(_)) => {}
            (o, t) => panic!("{s:?}: ours {o:?} vs openssl {t:?}"),
        }
    }

    #[test]
    fn expansion_matches_real_openssl() {
        for s in [
            "DEFAULT",
            "ALL",
            "ALL:COMPLEMENTOFALL",
            "HIGH:!aNULL:!MD5",
            "HIGH:MEDIUM:!aNULL:!MD5:!RC4",
            "ALL:!EXPORT:!LOW",
            "ALL:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!aECDH:!EDH-DSS-DES-CBC3-SHA:!KRB5-DES-CBC3-SHA",
            "ECDHE+AESGCM:DHE+AESGCM",
            "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!MD5:!DSS",
            // Mozilla intermediate (v5.7)
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305",
            // Mozilla old
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA",
            "RC4-SHA:DES-CBC3-SHA",
            "RC4-SHA:DES-CBC3-SHA:AES128-SHA",
            "DEFAULT:@SECLEVEL=0",
            "ALL:@SECLEVEL=0:!aNULL",
            "HIGH:!aNULL:@STRENGTH",
            "ALL:+RSA:-SHA1:+kRSA",
            "kRSA+AES128:!SHA256",
            "AES128-SHA;AES256-SHA,CAMELLIA128-SHA AES128-SHA256",
            "TLSv1.2:!aNULL",
            "SSLv3+HIGH:TLSv1+HIGH",
            "PSK:SRP:!aDSS",
            "EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH",
            "FIPS:!aNULL",
            "HIGH+FIPS",
            "COMPLEMENTOFDEFAULT",
            "SUITEB128",
            "DEFAULT:!RSA:+SHA256",
            "AES128-SHA:@FOO",
            "AES128-SHA:(x)",
            "NOSUCH",
            "CAMELLIA:ARIA:AESCCM8:-AES128",
            "ALL:-ECDHE:ECDHE+SHA384",
            "CBC:!SHA1",
        ] {
            compare(s);
        }
    }

    /// Every keyword alone and negated after ALL, against the real OpenSSL.
    #[test]
    fn every_keyword_matches_real_openssl() {
        for a in ALIASES {
            compare(a.0);
            compare(&format!("ALL:COMPLEMENTOFALL:!{}", a.0));
            compare(&format!("ALL:-{}:+{}", a.0, a.0));
        }
    }

    #[test]
    fn tls13_suites_are_not_selected_by_cipher_strings() {
        let all = expand_openssl_cipher_string("ALL:COMPLEMENTOFALL").unwrap();
        assert!(all.iter().all(|c| !c.is_tls13()));
        assert!(expand_openssl_cipher_string("TLS_AES_128_GCM_SHA256").is_err());
        // Names of suites a 3.x default build lacks still say what was asked for.
        let weak = expand_openssl_cipher_string("RC4-SHA:DES-CBC3-SHA").unwrap();
        assert_eq!(
            weak.iter().map(|c| c.code).collect::<Vec<_>>(),
            [0x0005, 0x000A]
        );
        assert!(expand_openssl_cipher_string("ALL:RC4")
            .unwrap()
            .iter()
            .all(|c| c.enc != "RC4"));
        assert_eq!(cipher_string_seclevel("DEFAULT:@SECLEVEL=0"), Some(0));
        assert_eq!(cipher_string_seclevel("HIGH"), None);
    }

    #[test]
    fn suite_status_follows_its_weakest_part() {
        let st = |n: &str| suite_status(suite_by_name(n).unwrap());
        assert_eq!(st("RC4-SHA"), CryptoStatus::Broken);
        assert_eq!(st("DES-CBC3-SHA"), CryptoStatus::Broken);
        assert_eq!(st("EXP-RC4-MD5"), CryptoStatus::Broken);
        assert_eq!(st("NULL-SHA256"), CryptoStatus::Broken);
        assert_eq!(st("ADH-AES256-GCM-SHA384"), CryptoStatus::Broken);
        // HMAC-SHA-1 is still sound; RSA key transport makes it quantum-vulnerable.
        assert_eq!(st("AES128-SHA"), CryptoStatus::QuantumVulnerable);
        assert_eq!(
            st("ECDHE-RSA-AES256-GCM-SHA384"),
            CryptoStatus::QuantumVulnerable
        );
        assert_eq!(st("TLS_AES_256_GCM_SHA384"), CryptoStatus::QuantumSafe);
        assert_eq!(st("PSK-AES256-GCM-SHA384"), CryptoStatus::QuantumSafe);
        let p = suite_by_name("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256")
            .unwrap()
            .props();
        assert_eq!(p.family, "TLS");
        assert_eq!(p.primitive, Primitive::Combiner);
        assert_eq!(p.name, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    }

    #[test]
    fn groups_resolve_by_every_spelling() {
        for (n, code) in [
            ("X25519", 29u16),
            ("x25519", 29),
            ("P-256", 23),
            ("prime256v1", 23),
            ("secp384r1", 24),
            ("ffdhe2048", 256),
            ("X25519MLKEM768", 0x11EC),
            ("SecP256r1MLKEM768", 0x11EB),
            ("SecP384r1MLKEM1024", 0x11ED),
            ("MLKEM768", 0x0201),
            ("X25519Kyber768Draft00", 0x6399),
            ("brainpoolP256r1", 26),
        ] {
            assert_eq!(group_by_name(n).map(|g| g.code), Some(code), "{n}");
            assert_eq!(group_by_code(code).map(|g| g.code), Some(code));
        }
        assert_eq!(
            group_by_name("X25519MLKEM768").unwrap().props().status,
            CryptoStatus::Hybrid
        );
        assert_eq!(
            group_by_name("MLKEM1024").unwrap().props().status,
            CryptoStatus::QuantumSafe
        );
        assert_eq!(
            group_by_name("P-256").unwrap().props().status,
            CryptoStatus::QuantumVulnerable
        );
        assert_eq!(
            group_by_name("ffdhe3072").unwrap().props().name,
            "FFDH-3072"
        );
        assert_eq!(
            group_by_name("secp160r1").unwrap().props().status,
            CryptoStatus::Broken
        );
        assert_eq!(
            group_by_name("sect163r1").unwrap().props().status,
            CryptoStatus::Broken
        );
        assert!(group_by_name("nonsense").is_none());
    }

    /// Group names OpenSSL accepts are ours too (`openssl ecparam -list_curves`).
    #[test]
    fn openssl_tls_curve_names_resolve() {
        for n in [
            "prime256v1",
            "secp384r1",
            "secp521r1",
            "X25519",
            "X448",
            "ffdhe4096",
        ] {
            assert!(group_by_name(n).is_some(), "{n}");
        }
    }

    #[test]
    fn signature_schemes_and_versions() {
        let s = signature_scheme_by_code(0x0905).unwrap();
        assert_eq!(s.name, "mldsa65");
        assert_eq!(s.props().status, CryptoStatus::QuantumSafe);
        assert_eq!(
            signature_scheme_by_name("RSA+SHA1").unwrap().props().status,
            CryptoStatus::Broken
        );
        assert_eq!(
            signature_scheme_by_name("rsa_pss_rsae_sha256")
                .unwrap()
                .code,
            0x0804
        );
        assert_eq!(
            signature_scheme_by_name("ed25519").unwrap().props().name,
            "Ed25519"
        );
        for (n, v, st) in [
            ("SSLv2", "2.0", CryptoStatus::Broken),
            ("SSLv3", "3.0", CryptoStatus::Broken),
            ("TLSv1", "1.0", CryptoStatus::Broken),
            ("TLSv1.0", "1.0", CryptoStatus::Broken),
            ("TLSv1.1", "1.1", CryptoStatus::Broken),
            ("tls1_2", "1.2", CryptoStatus::QuantumVulnerable),
            ("TLSv1.3", "1.3", CryptoStatus::QuantumVulnerable),
            ("0x0303", "1.2", CryptoStatus::QuantumVulnerable),
        ] {
            let p = protocol_version(n).unwrap_or_else(|| panic!("{n}"));
            assert_eq!((p.version.as_str(), p.status()), (v, st), "{n}");
        }
        assert_eq!(protocol_version("DTLSv1.2").unwrap().family(), "dtls");
        assert!(protocol_version("TLSv9").is_none());
    }

    #[test]
    fn garbage_cipher_strings_never_panic() {
        let mut seed = 0x1234_5678_u64;
        let alphabet = b"ABCDEFHLMNRSTaeklx0123456789-+!@:;, =._()\xff";
        for _ in 0..2000 {
            let len = (seed % 40) as usize;
            let mut s = Vec::new();
            for _ in 0..len {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
            }
            let s = String::from_utf8_lossy(&s);
            let _ = expand_openssl_cipher_string(&s);
            let _ = cipher_string_seclevel(&s);
            let _ = protocol_version(&s);
        }
    }
}
