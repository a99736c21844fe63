//! Inventory types shared by every mamori crate.
//!
//! Collectors (file system, images, later the network) produce [`Observation`]s: a
//! [`CryptoAsset`] seen at a [`Location`]. The scan merges observations into assets with
//! their occurrences; assessors turn assets into [`Finding`]s; the store keeps both per
//! run; reporters encode them. Nothing here does I/O.
//!
//! ```
//! use mamori_model::{CryptoAsset, AssetKind, Location, Severity};
//! let a = CryptoAsset::new(AssetKind::Algorithm, "alg:RSA-2048", "RSA-2048");
//! assert_eq!(a.id, "alg:RSA-2048");
//! assert!(Severity::High > Severity::Medium);
//! let loc = Location::file("/etc/ssl/certs/a.pem").with_line(3);
//! assert_eq!(loc.to_string(), "/etc/ssl/certs/a.pem:3");
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod date;
pub mod ecosystem;
pub mod endpoint;
pub use endpoint::{Chain, Endpoint, Negotiated, SshHostKey, SshPosture, TlsPosture};
pub mod purl;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How serious a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing, nothing to do yet.
    #[default]
    Info,
    /// Minor weakness.
    Low,
    /// Should be planned.
    Medium,
    /// Should be fixed soon.
    High,
    /// Broken today: fix now.
    Critical,
}

impl Severity {
    /// All severities, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];
    /// The lowercase name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "none" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" | "moderate" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            _ => Err(format!(
                "unknown severity '{s}' (expected info, low, medium, high or critical)"
            )),
        }
    }
}

/// Days to resolve a finding, by severity: the service levels a policy sets. The default
/// follows CISA BOD 19-02's remediation windows for critical (15 days) and high (30), and
/// common practice for medium (90) and low (180); info findings have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceLevels {
    /// Critical.
    pub critical: u32,
    /// High.
    pub high: u32,
    /// Medium.
    pub medium: u32,
    /// Low.
    pub low: u32,
}

impl Default for ServiceLevels {
    fn default() -> Self {
        ServiceLevels {
            critical: 15,
            high: 30,
            medium: 90,
            low: 180,
        }
    }
}

impl ServiceLevels {
    /// Days for `severity` (none for info and unrated).
    pub fn days(&self, severity: Option<Severity>) -> Option<u32> {
        match severity? {
            Severity::Critical => Some(self.critical),
            Severity::High => Some(self.high),
            Severity::Medium => Some(self.medium),
            Severity::Low => Some(self.low),
            Severity::Info => None,
        }
    }
}

/// Where an algorithm stands against classical and quantum attack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CryptoStatus {
    /// Broken or disallowed today, quantum computer or not (MD5, SHA-1 signatures, DES, RSA < 2048 …).
    Broken,
    /// Sound today, broken by a cryptographically relevant quantum computer (RSA, ECC, DH).
    QuantumVulnerable,
    /// A classical and a post-quantum algorithm combined (X25519MLKEM768, composite ML-DSA).
    Hybrid,
    /// Resists known quantum attacks at its stated level (AES-256, SHA-384, ML-KEM, ML-DSA).
    QuantumSafe,
    /// Not enough is known to judge.
    Unknown,
}

impl CryptoStatus {
    /// All statuses in report order.
    pub const ALL: [CryptoStatus; 5] = [
        CryptoStatus::Broken,
        CryptoStatus::QuantumVulnerable,
        CryptoStatus::Hybrid,
        CryptoStatus::QuantumSafe,
        CryptoStatus::Unknown,
    ];
    /// The kebab-case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            CryptoStatus::Broken => "broken",
            CryptoStatus::QuantumVulnerable => "quantum-vulnerable",
            CryptoStatus::Hybrid => "hybrid",
            CryptoStatus::QuantumSafe => "quantum-safe",
            CryptoStatus::Unknown => "unknown",
        }
    }
}

impl fmt::Display for CryptoStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CryptoStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CryptoStatus::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| format!("unknown crypto status '{s}'"))
    }
}

/// The cryptographic primitive, with CycloneDX 1.6 `cryptoProperties.algorithmProperties.primitive` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Primitive {
    /// Deterministic random bit generator.
    Drbg,
    /// Message authentication code.
    Mac,
    /// Block cipher.
    BlockCipher,
    /// Stream cipher.
    StreamCipher,
    /// Digital signature.
    Signature,
    /// Hash function.
    Hash,
    /// Public-key encryption.
    Pke,
    /// Extendable-output function.
    Xof,
    /// Key derivation function.
    Kdf,
    /// Key agreement.
    KeyAgree,
    /// Key encapsulation mechanism.
    Kem,
    /// Authenticated encryption.
    Ae,
    /// Combiner of several algorithms.
    Combiner,
    /// Key wrapping.
    KeyWrap,
    /// Something else.
    Other,
    /// Not known.
    Unknown,
}

impl Primitive {
    /// The CycloneDX spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Primitive::Drbg => "drbg",
            Primitive::Mac => "mac",
            Primitive::BlockCipher => "block-cipher",
            Primitive::StreamCipher => "stream-cipher",
            Primitive::Signature => "signature",
            Primitive::Hash => "hash",
            Primitive::Pke => "pke",
            Primitive::Xof => "xof",
            Primitive::Kdf => "kdf",
            Primitive::KeyAgree => "key-agree",
            Primitive::Kem => "kem",
            Primitive::Ae => "ae",
            Primitive::Combiner => "combiner",
            Primitive::KeyWrap => "key-wrap",
            Primitive::Other => "other",
            Primitive::Unknown => "unknown",
        }
    }
}

impl FromStr for Primitive {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "drbg" => Primitive::Drbg,
            "mac" => Primitive::Mac,
            "block-cipher" => Primitive::BlockCipher,
            "stream-cipher" => Primitive::StreamCipher,
            "signature" => Primitive::Signature,
            "hash" => Primitive::Hash,
            "pke" => Primitive::Pke,
            "xof" => Primitive::Xof,
            "kdf" => Primitive::Kdf,
            "key-agree" => Primitive::KeyAgree,
            "kem" => Primitive::Kem,
            "ae" => Primitive::Ae,
            "combiner" => Primitive::Combiner,
            "key-wrap" => Primitive::KeyWrap,
            "other" => Primitive::Other,
            "unknown" => Primitive::Unknown,
            _ => return Err(format!("unknown primitive '{s}'")),
        })
    }
}

/// What an algorithm is, as far as the knowledge base knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlgorithmProps {
    /// Normalized name following the CycloneDX cryptography registry patterns, e.g. `AES-256-GCM`, `ML-KEM-768`.
    pub name: String,
    /// Registry family, e.g. `AES`, `RSASSA-PKCS1`, `ML-DSA`.
    pub family: String,
    /// Primitive.
    pub primitive: Primitive,
    /// Parameter set, e.g. key size `2048`, `768` for ML-KEM-768.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_set: Option<String>,
    /// Elliptic curve, registry spelling (e.g. `P-256`, `Curve25519`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve: Option<String>,
    /// Mode of operation (`cbc`, `gcm`, `ecb` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Padding (`pkcs5`, `oaep` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub padding: Option<String>,
    /// Classical security level in bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classical_security_level: Option<u32>,
    /// NIST post-quantum security category 0..=6 (0 means broken by a quantum computer).
    pub nist_quantum_security_level: u8,
    /// Object identifier in dotted form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
    /// Status.
    pub status: CryptoStatus,
    /// Why the status is what it is (one short English sentence; reporters translate by code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl AlgorithmProps {
    /// An algorithm nothing is known about beyond its name: status unknown, no levels.
    /// Callers add what they do know (`oid`, `note`) with struct update syntax.
    pub fn unknown(name: &str, family: &str, primitive: Primitive) -> Self {
        AlgorithmProps {
            name: name.to_string(),
            family: family.to_string(),
            primitive,
            parameter_set: None,
            curve: None,
            mode: None,
            padding: None,
            classical_security_level: None,
            nist_quantum_security_level: 0,
            oid: None,
            status: CryptoStatus::Unknown,
            note: None,
        }
    }
}

/// What kind of crypto asset this is (CycloneDX `assetType`, plus libraries).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssetKind {
    /// An algorithm in use (configured, called in code, used by a certificate).
    Algorithm,
    /// An X.509 certificate.
    Certificate,
    /// Key material (public or private key).
    Key,
    /// A protocol version (TLS 1.2, SSH 2).
    Protocol,
    /// A cryptographic library linked or bundled into software.
    Library,
}

impl AssetKind {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Algorithm => "algorithm",
            AssetKind::Certificate => "certificate",
            AssetKind::Key => "key",
            AssetKind::Protocol => "protocol",
            AssetKind::Library => "library",
        }
    }
}

impl FromStr for AssetKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "algorithm" => AssetKind::Algorithm,
            "certificate" => AssetKind::Certificate,
            "key" => AssetKind::Key,
            "protocol" => AssetKind::Protocol,
            "library" => AssetKind::Library,
            _ => return Err(format!("unknown asset kind '{s}'")),
        })
    }
}

/// Certificate details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CertificateProps {
    /// Subject distinguished name (RFC 4514 string).
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, hex.
    pub serial: String,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// Signature algorithm (normalized name).
    pub signature_algorithm: String,
    /// Signature algorithm OID.
    pub signature_algorithm_oid: String,
    /// Public-key algorithm (normalized name, with size or curve).
    pub public_key_algorithm: String,
    /// Public-key algorithm OID.
    pub public_key_algorithm_oid: String,
    /// Key size in bits where meaningful.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key_size: Option<u32>,
    /// Curve where the key is on one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve: Option<String>,
    /// basicConstraints CA flag.
    pub is_ca: bool,
    /// Subject equals issuer and the signature verifies with its own key (or key ids match).
    pub self_signed: bool,
    /// SHA-256 fingerprint of the DER, lowercase hex.
    pub sha256: String,
    /// Certificate format where it was found (`pem`, `der`, `pkcs7`, `pkcs12`, `jks` …).
    pub format: String,
    /// Subject alternative DNS names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_names: Vec<String>,
}

/// Key details. Never the key material itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct KeyProps {
    /// `public-key`, `private-key` or `secret-key` (CycloneDX relatedCryptoMaterial type).
    pub material: String,
    /// Algorithm family/name with size (`RSA-2048`, `ECDSA-P-256`, `Ed25519`, `ML-DSA-65`).
    pub algorithm: String,
    /// Key size in bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u32>,
    /// Curve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve: Option<String>,
    /// Container format: `pkcs1`, `pkcs8`, `pkcs8-encrypted`, `sec1`, `openssh`, `openssh-public`, `authorized_keys`, `known_hosts`, `openpgp` …
    pub format: String,
    /// Fingerprint (SHA-256 of the public key in its standard encoding, `SHA256:`+base64 for SSH, v4/v5 for OpenPGP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// SHA-256 (hex) of the public key as a DER SubjectPublicKeyInfo, where it differs from
    /// `fingerprint` (SSH keys): the identity shared by every encoding of one key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spki_sha256: Option<String>,
    /// Whether the private key is protected by a passphrase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted: Option<bool>,
    /// Encryption scheme protecting the key, when encrypted (`PBES2-AES-256-CBC`, `aes256-ctr/bcrypt` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protection: Option<String>,
    /// Free-form identity: SSH comment, PGP user id, keystore alias, known_hosts host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Protocol details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProtocolProps {
    /// `tls`, `ssh`, `ipsec` …
    pub kind: String,
    /// Version, e.g. `1.2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Cipher suites (IANA names) enabled or offered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cipher_suites: Vec<String>,
}

/// Library details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LibraryProps {
    /// Library (`OpenSSL`, `GnuTLS`, `BouncyCastle`, `Go crypto/tls` …).
    pub library: String,
    /// Version if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// How it is used: `dynamic` (NEEDED), `static` (version string inside), `bundled` (in an archive), `go-stdlib`, `module`, `service` (the software a network service announces).
    pub linkage: String,
}

/// One cryptographic asset: an algorithm, certificate, key, protocol or library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CryptoAsset {
    /// Stable identity used to merge occurrences and to diff runs (`cert:<sha256>`, `alg:<name>` …).
    pub id: String,
    /// Kind.
    pub kind: AssetKind,
    /// Display name.
    pub name: String,
    /// Algorithm properties (for algorithms, and the main algorithm of keys and certificates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<AlgorithmProps>,
    /// Certificate properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<CertificateProps>,
    /// Key properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<KeyProps>,
    /// Protocol properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<ProtocolProps>,
    /// Library properties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub library: Option<LibraryProps>,
    /// Ids of assets this one depends on (a certificate's signature and key algorithms).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Where it was seen. Filled by the scan when observations are merged.
    #[serde(default)]
    pub occurrences: Vec<Occurrence>,
}

impl CryptoAsset {
    /// A bare asset; fill the properties that apply.
    pub fn new(kind: AssetKind, id: impl Into<String>, name: impl Into<String>) -> Self {
        CryptoAsset {
            id: id.into(),
            kind,
            name: name.into(),
            algorithm: None,
            certificate: None,
            key: None,
            protocol: None,
            library: None,
            depends_on: Vec::new(),
            occurrences: Vec::new(),
        }
    }

    /// The asset's status: its algorithm's, or unknown.
    pub fn status(&self) -> CryptoStatus {
        self.algorithm
            .as_ref()
            .map(|a| a.status)
            .unwrap_or(CryptoStatus::Unknown)
    }
}

/// A place an asset was seen.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    /// File path as the user would find it (inside an image: the path in the image filesystem),
    /// or `host:port` for network evidence.
    pub path: String,
    /// 1-based line, for text evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Byte offset, for binary evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// What contains the path: an image (`image.tar`), an archive (`app.jar!/…`), a keystore alias.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
}

impl Location {
    /// A location that is a whole file.
    pub fn file(path: impl Into<String>) -> Self {
        Location {
            path: path.into(),
            line: None,
            offset: None,
            container: None,
        }
    }
    /// Same location at a line.
    pub fn with_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }
    /// Same location at a byte offset.
    pub fn with_offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(c) = &self.container {
            write!(f, "{c}!")?;
        }
        f.write_str(&self.path)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
        } else if let Some(o) = self.offset {
            write!(f, "@{o:#x}")?;
        }
        Ok(())
    }
}

/// An asset seen at a location, with what the detector saw there.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Occurrence {
    /// Where.
    pub location: Location,
    /// Which detector saw it (`certificate`, `key`, `config.sshd`, `source.python` …).
    pub detector: String,
    /// What was there, e.g. the config directive or the source call (`Cipher.getInstance("DES/ECB/PKCS5Padding")`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The installed OS package whose file this is (the file lists of dpkg, rpm or apk say
    /// so), set after the walk; `None` for the user's own files (and for everything under
    /// `/etc`, the configuration the user keeps). Findings about package-owned places are
    /// the package's (`package-…` codes); the inventory lists them like any other place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<Box<PackageRef>>,
}

/// An installed OS package, as an occurrence's owner and a finding's subject.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PackageRef {
    /// Package name (`libpython3.11-stdlib`).
    pub name: String,
    /// Version as the package database writes it (`3.11.2-6+deb12u6`, `[epoch:]version-release`).
    pub version: String,
    /// The package URL, as the SBOM lists the package
    /// (`pkg:deb/debian/libpython3.11-stdlib@3.11.2-6+deb12u6?arch=amd64&distro=debian-12`).
    pub purl: String,
    /// The root file system it is installed in, as [`Distro::root`] writes it (`/`, a
    /// directory, `.`; `/` inside an image, whose tarball is the location's container).
    pub root: String,
}

/// What a detector reports: an asset seen somewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The asset (its `occurrences` are ignored; `occurrence` is used instead).
    pub asset: CryptoAsset,
    /// Where and how it was seen.
    pub occurrence: Occurrence,
}

/// A judgement on an asset: what is wrong, why, what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code, e.g. `crypto-broken-algorithm`, `cert-expired`.
    pub code: String,
    /// Severity.
    pub severity: Severity,
    /// The asset it is about.
    pub asset_id: String,
    /// The asset's display name.
    pub asset_name: String,
    /// Where (the first occurrence when the asset is seen in many places).
    pub location: Location,
    /// What is wrong, in English.
    pub message: String,
    /// What to do, in English.
    pub remediation: String,
    /// Other locations of the same asset, counted.
    #[serde(default)]
    pub other_locations: u32,
    /// The values the message is built from (`name`, `algorithm`, `date` …, and `variant`),
    /// so the finding can be shown in another language.
    #[serde(default)]
    pub args: std::collections::BTreeMap<String, String>,
    /// The system of the register (`mamori.toml`) whose target it was found under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// For a `package-…` finding: the installed package whose files the places are (the
    /// finding counts only that package's places of the asset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageRef>,
}

impl Finding {
    /// Identity for diffs: the same code on the same asset at the same place.
    pub fn key(&self) -> String {
        format!("{}|{}|{}", self.code, self.asset_id, self.location)
    }
}

/// A checksum of a component's artifact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Hash {
    /// Algorithm in CycloneDX spelling: `MD5`, `SHA-1`, `SHA-256`, `SHA-384`, `SHA-512`, `BLAKE2b-256` ….
    pub alg: String,
    /// Lowercase hex digest.
    pub value: String,
}

/// The source package an OS binary package was built from (advisories name source packages).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourcePackage {
    /// Source package name (`openssl` for `libssl3`).
    pub name: String,
    /// Source version when it differs from the binary's (binNMUs); else the binary's version.
    pub version: String,
}

/// A software component (package) found by a scan: one SBOM entry.
///
/// Identity is the purl (`pkg:cargo/serde@1.0.200`, `pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64`);
/// two observations with the same purl are the same component seen in two places.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Component {
    /// Package URL, canonical form (see [`purl::Purl`]); the identity.
    pub purl: String,
    /// Display name as the ecosystem writes it (`@babel/core`, `org.slf4j:slf4j-api`, `golang.org/x/net`).
    pub name: String,
    /// Version as the ecosystem writes it; `None` when the evidence has none (e.g. an unpinned requirement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// OSV ecosystem name: `crates.io`, `npm`, `PyPI`, `Go`, `Maven`, `RubyGems`, `Packagist`,
    /// `NuGet`, `Debian`, `Ubuntu`, `Alpine`, `Red Hat` …; empty when unknown.
    pub ecosystem: String,
    /// For OS packages: the release to match advisories against, as OSV writes it
    /// (`Debian:12`, `Alpine:v3.20`, `Ubuntu:22.04:LTS`), filled from os-release after the walk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distro: Option<String>,
    /// For OS packages: the source package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<SourcePackage>,
    /// Declared license as an SPDX expression (or the declared text when it is not one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Known checksums of the artifact.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    /// `Some(true)` when the project declares it directly, `Some(false)` when it comes in
    /// transitively, `None` when the evidence does not say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct: Option<bool>,
    /// Only needed for development or tests (dev-dependencies).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dev: bool,
    /// Purls of the components this one depends on, where the evidence gives them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// Where it was seen (lockfile, package database, binary). Filled when observations are merged.
    #[serde(default)]
    pub occurrences: Vec<Occurrence>,
}

impl Component {
    /// A component with its identity; fill the rest.
    pub fn new(
        purl: impl Into<String>,
        name: impl Into<String>,
        version: Option<String>,
        ecosystem: impl Into<String>,
    ) -> Self {
        Component {
            purl: purl.into(),
            name: name.into(),
            version,
            ecosystem: ecosystem.into(),
            ..Default::default()
        }
    }

    /// The OSV ecosystem advisories for this component are filed under: the distro release
    /// for OS packages, else the ecosystem.
    pub fn match_ecosystem(&self) -> &str {
        self.distro.as_deref().unwrap_or(&self.ecosystem)
    }

    /// The package name advisories use: the source package for OS packages, else the name.
    pub fn match_name(&self) -> &str {
        self.source
            .as_ref()
            .map(|s| s.name.as_str())
            .unwrap_or(&self.name)
    }

    /// The version advisories compare: the source version for OS packages, else the version.
    pub fn match_version(&self) -> Option<&str> {
        match &self.source {
            Some(s) if !s.version.is_empty() => Some(&s.version),
            _ => self.version.as_deref(),
        }
    }
}

/// A component seen somewhere, as a detector reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComponentObservation {
    /// The component (its `occurrences` are ignored; `occurrence` is used instead).
    pub component: Component,
    /// Where and how.
    pub occurrence: Occurrence,
}

/// The operating system of a root file system, from its os-release file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distro {
    /// The root file system's path (the directory that holds `etc/os-release`, `/` inside an image).
    pub root: String,
    /// The image tarball it is in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// os-release `ID` (`debian`, `ubuntu`, `alpine`, `rhel`, `rocky` …).
    pub id: String,
    /// os-release `VERSION_ID` (`12`, `22.04`, `3.20.3`).
    #[serde(default)]
    pub version_id: String,
    /// os-release `PRETTY_NAME`.
    #[serde(default)]
    pub pretty_name: String,
    /// The OSV ecosystem its packages are matched in (`Debian:12`, `Alpine:v3.20`), if mamori knows the distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub osv_ecosystem: Option<String>,
}

/// A CVSS rating computed from a vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cvss {
    /// `3.0`, `3.1` or `4.0`.
    pub version: String,
    /// The vector string as the advisory gives it.
    pub vector: String,
    /// Base score, 0.0 to 10.0.
    pub score: f64,
}

/// A VEX statement applied to a vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VexStatus {
    /// `not_affected`, `fixed`, `affected` or `under_investigation` (OpenVEX words).
    pub status: String,
    /// Why (justification and/or impact statement), as the VEX document gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// The VEX file the statement came from.
    pub source: String,
}

/// A known vulnerability of a component found by the scan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// Advisory id (`GHSA-…`, `RUSTSEC-…`, `GO-…`, `PYSEC-…`, `DSA-…`).
    pub id: String,
    /// Other ids of the same vulnerability (`CVE-…`, `GHSA-…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// One-line summary.
    #[serde(default)]
    pub summary: String,
    /// Severity from the CVSS score (or the advisory's own rating); `None` when the advisory gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    /// The CVSS rating the severity comes from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cvss: Option<Cvss>,
    /// The affected component's purl.
    pub component: String,
    /// Its name.
    pub component_name: String,
    /// Its version.
    pub component_version: String,
    /// The nearest version that fixes it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<String>,
    /// Where the component was found (first occurrence).
    pub location: Location,
    /// Set when a VEX statement says the product is not affected or fixed: the finding stays
    /// visible but no longer counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<VexStatus>,
    /// The register system whose target it was found under (like a finding's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Every register system the component was found in, `system` first, with the first
    /// place in each: a package shared by several systems is one vulnerability of the run
    /// and an item to follow in each system.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub systems: Vec<SystemPlace>,
}

/// A system and the first place in it where something was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemPlace {
    /// The register system.
    pub system: String,
    /// The place.
    pub location: Location,
}

impl Vulnerability {
    /// Identity for diffs: the advisory on the component.
    pub fn key(&self) -> String {
        format!("{}|{}", self.id, self.component)
    }
    /// Whether it counts (not suppressed by VEX).
    pub fn active(&self) -> bool {
        self.suppressed.is_none()
    }
}

/// Sorts vulnerabilities for reports: active before VEX-suppressed, most severe first
/// (unknown severity after info), then by component and advisory id.
pub fn sort_vulnerabilities(v: &mut [Vulnerability]) {
    v.sort_by(|a, b| {
        a.suppressed
            .is_some()
            .cmp(&b.suppressed.is_some())
            .then(b.severity.cmp(&a.severity))
            .then(
                b.cvss
                    .as_ref()
                    .map(|c| c.score)
                    .unwrap_or(-1.0)
                    .total_cmp(&a.cvss.as_ref().map(|c| c.score).unwrap_or(-1.0)),
            )
            .then(a.component.cmp(&b.component))
            .then(a.id.cmp(&b.id))
    });
}

/// A problem with the input that did not stop the scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The file or host concerned.
    pub path: String,
    /// What was wrong.
    pub message: String,
}

impl Warning {
    /// A warning for a path.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Warning {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Summary of one scan, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// Run number in the store.
    pub id: i64,
    /// Start time, RFC 3339 UTC.
    pub started: String,
    /// Finish time, RFC 3339 UTC.
    pub finished: String,
    /// Targets as given.
    pub targets: Vec<String>,
    /// Assets found.
    pub assets: u64,
    /// Findings.
    pub findings: u64,
    /// Warnings.
    pub warnings: u64,
    /// Software components.
    #[serde(default)]
    pub components: u64,
    /// Vulnerabilities (not suppressed by VEX).
    #[serde(default)]
    pub vulnerabilities: u64,
    /// Files examined.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
}

/// The whole result of one scan.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScanResult {
    /// Targets as given.
    pub targets: Vec<String>,
    /// Assets with their occurrences, sorted by id.
    pub assets: Vec<CryptoAsset>,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// Input problems.
    pub warnings: Vec<Warning>,
    /// Software components (the SBOM), sorted by purl.
    #[serde(default)]
    pub components: Vec<Component>,
    /// Operating systems of the root file systems scanned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distros: Vec<Distro>,
    /// Known vulnerabilities of the components, most severe first.
    #[serde(default)]
    pub vulnerabilities: Vec<Vulnerability>,
    /// Network services probed, in the order named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub endpoints: Vec<Endpoint>,
    /// Files examined.
    pub files: u64,
    /// Bytes read by detectors.
    pub bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_parses_and_orders() {
        assert_eq!("HIGH".parse::<Severity>().unwrap(), Severity::High);
        assert!("urgent".parse::<Severity>().is_err());
        let mut v = Severity::ALL.to_vec();
        v.reverse();
        v.sort();
        assert_eq!(v, Severity::ALL.to_vec());
    }

    #[test]
    fn location_display() {
        let mut l = Location::file("etc/ssh/sshd_config").with_line(12);
        l.container = Some("img.tar".into());
        assert_eq!(l.to_string(), "img.tar!etc/ssh/sshd_config:12");
        assert_eq!(
            Location::file("a.bin").with_offset(16).to_string(),
            "a.bin@0x10"
        );
    }

    #[test]
    fn status_round_trips() {
        for s in CryptoStatus::ALL {
            assert_eq!(s.as_str().parse::<CryptoStatus>().unwrap(), s);
        }
    }
}
