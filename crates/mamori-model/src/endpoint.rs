//! What a network service was found to speak: one [`Endpoint`] per `host:port` probed,
//! with its TLS or SSH posture. The crypto assets the posture implies (suites, groups,
//! certificates, host keys, protocol versions) are recorded as ordinary assets located at
//! `host:port`; the endpoint keeps the per-service view a reader of one server wants
//! (which versions, which suites per version, in whose order, which features).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One probed service.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Endpoint {
    /// `host:port` as named (IPv6 literals in brackets); the location of its assets.
    pub endpoint: String,
    /// Host as named.
    pub host: String,
    /// Port.
    pub port: u16,
    /// The address actually connected to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Service as named or detected: `tls`, `https`, `ssh`, `smtp`, `imap`, `pop3`, `ftp`,
    /// `ldap`, `postgres`.
    pub service: String,
    /// The system id the target was tagged with in a targets file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// Why the probe failed, naming the stage; the rest of the run went on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The TLS posture (after STARTTLS for the plaintext protocols).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsPosture>,
    /// The SSH posture.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh: Option<SshPosture>,
    /// Connections made for this endpoint.
    #[serde(default)]
    pub connections: u32,
    /// Wall time spent on this endpoint, milliseconds.
    #[serde(default)]
    pub elapsed_ms: u64,
}

/// What a TLS server accepts. Versions are spelled `SSLv3`, `TLSv1.0` … `TLSv1.3`; suites,
/// groups and signature schemes by their IANA names.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TlsPosture {
    /// Whether only the groups were probed (`--pq-only`): versions and suites are then empty.
    #[serde(default)]
    pub groups_only: bool,
    /// Accepted protocol versions, oldest first.
    #[serde(default)]
    pub versions: Vec<String>,
    /// Accepted cipher suites per version, in the server's order when it imposes one.
    #[serde(default)]
    pub suites: BTreeMap<String, Vec<String>>,
    /// Per version with at least two suites: whether the server imposes its own order.
    #[serde(default)]
    pub server_order: BTreeMap<String, bool>,
    /// Accepted key-exchange groups (TLS 1.3 groups probed one at a time; for a server
    /// without TLS 1.3, the curves its TLS 1.2 ECDHE key exchange accepts).
    #[serde(default)]
    pub groups: Vec<String>,
    /// Finite-field Diffie-Hellman sizes seen in TLS ≤ 1.2 DHE key exchange, bits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dh_bits: Vec<u32>,
    /// Whether a hybrid or pure post-quantum key exchange is accepted.
    pub pq_key_exchange: bool,
    /// What a modern client (rustls, offering X25519MLKEM768, X25519, P-256, P-384) gets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modern_client: Option<Negotiated>,
    /// Signature schemes the server signs its handshake with.
    #[serde(default)]
    pub signature_schemes: Vec<String>,
    /// Certificate chains served (one per key type), leaf first.
    #[serde(default)]
    pub chains: Vec<Chain>,
    /// TLS compression accepted (CRIME).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compression: Option<bool>,
    /// RFC 5746 secure renegotiation supported (TLS ≤ 1.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_renegotiation: Option<bool>,
    /// An OCSP response stapled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocsp_stapling: Option<bool>,
    /// Application protocols the server selects from mamori's offer (h2, http/1.1 …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alpn: Vec<String>,
    /// What the STARTTLS exchange showed (greeting), for the plaintext protocols.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starttls_greeting: Option<String>,
}

/// The result of one full handshake.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Negotiated {
    /// Version.
    pub version: String,
    /// Cipher suite.
    pub suite: String,
    /// Key-exchange group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// ALPN protocol selected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpn: Option<String>,
}

/// A certificate chain as served.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Chain {
    /// SHA-256 of each certificate's DER, leaf first (the ids `cert:<sha256>` of the assets).
    pub certificates: Vec<String>,
    /// The leaf's public key type (`RSA-2048`, `ECDSA-P-256`, `ML-DSA-65` …).
    pub key: String,
    /// Whether the leaf names the host (SAN DNS/IP, or CN when no SAN); `None` for an IP
    /// target with no IP SAN check possible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname_match: Option<bool>,
    /// The leaf's notAfter, RFC 3339.
    #[serde(default)]
    pub not_after: String,
    /// Whether the leaf is expired now.
    #[serde(default)]
    pub expired: bool,
}

/// What an SSH server offers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SshPosture {
    /// The identification line, e.g. `SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3`.
    pub banner: String,
    /// The software part of it.
    pub software: String,
    /// Key-exchange methods, server's order (pseudo-methods such as kex-strict-s included).
    pub kex: Vec<String>,
    /// Host key algorithms.
    pub host_key_algorithms: Vec<String>,
    /// Ciphers (server to client list).
    pub ciphers: Vec<String>,
    /// MACs (server to client list).
    pub macs: Vec<String>,
    /// Compression methods.
    pub compression: Vec<String>,
    /// The host keys, one per key type.
    #[serde(default)]
    pub host_keys: Vec<SshHostKey>,
    /// Strict key exchange offered (the Terrapin mitigation).
    pub strict_kex: bool,
    /// A post-quantum hybrid key exchange offered (mlkem768x25519-sha256, sntrup761x25519-sha512).
    pub pq_key_exchange: bool,
}

/// One SSH host key.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SshHostKey {
    /// The host key algorithm it was asked for with.
    pub algorithm: String,
    /// Key type (`ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256` …).
    pub key_type: String,
    /// Size in bits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bits: Option<u32>,
    /// `SHA256:…` as `ssh-keygen -l` prints it.
    pub fingerprint: String,
}
