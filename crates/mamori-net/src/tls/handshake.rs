//! A complete TLS handshake with rustls (aws-lc-rs), for what a first flight cannot show:
//! the TLS 1.3 certificate chain (encrypted), the signature scheme of CertificateVerify, a
//! stapled OCSP response, and the group a modern client actually gets — rustls offers
//! X25519MLKEM768, X25519, P-256 and P-384, as current browsers do ([`Groups::Browser`]).
//! To see a server that a browser cannot reach (one configured with SecP256r1MLKEM768 or
//! pure ML-KEM only), [`Groups::All`] offers every group rustls has.
//!
//! The certificate is recorded, never trusted: the verifier accepts every chain and every
//! signature, because the point is to see what the server presents, and mamori sends no
//! data over the connection.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

/// TLS 1.3 signature schemes worth asking for one at a time: ECDSA, RSA-PSS (both key
/// kinds), EdDSA and ML-DSA.
pub const TLS13_SCHEMES: [u16; 14] = [
    0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0807, 0x0808, 0x0904,
    0x0905, 0x0906,
];

/// Every scheme offered in an ordinary handshake: [`TLS13_SCHEMES`] and the TLS 1.2
/// PKCS#1 and SHA-1 schemes.
pub const ALL_SCHEMES: [u16; 19] = [
    0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0809, 0x080a, 0x080b, 0x0807, 0x0808, 0x0904,
    0x0905, 0x0906, 0x0401, 0x0501, 0x0601, 0x0201, 0x0203,
];

/// What a completed handshake showed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handshake {
    /// Negotiated version (0x0303, 0x0304).
    pub version: u16,
    /// Negotiated suite.
    pub suite: u16,
    /// Negotiated key-exchange group.
    pub group: Option<u16>,
    /// ALPN protocol selected.
    pub alpn: Option<String>,
    /// The chain as served, DER, leaf first.
    pub chain: Vec<Vec<u8>>,
    /// Whether an OCSP response was stapled.
    pub ocsp: bool,
    /// The scheme the server signed the handshake with.
    pub scheme: Option<u16>,
}

#[derive(Debug, Default)]
struct Seen {
    chain: Vec<Vec<u8>>,
    ocsp: bool,
    scheme: Option<u16>,
}

#[derive(Debug)]
struct Recorder {
    schemes: Vec<SignatureScheme>,
    seen: Arc<Mutex<Seen>>,
}

impl Recorder {
    fn note_scheme(&self, s: SignatureScheme) {
        if let Ok(mut g) = self.seen.lock() {
            g.scheme = Some(u16::from(s));
        }
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut g) = self.seen.lock() {
            g.chain = std::iter::once(end_entity)
                .chain(intermediates)
                .map(|c| c.as_ref().to_vec())
                .collect();
            g.ocsp = !ocsp_response.is_empty();
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.note_scheme(dss.scheme);
        Ok(HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _message: &[u8],
        _cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.note_scheme(dss.scheme);
        Ok(HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// Which versions the handshake may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versions {
    /// TLS 1.2 and 1.3, as a modern client.
    Both,
    /// TLS 1.3 only.
    Tls13,
}

/// Which key-exchange groups the handshake offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Groups {
    /// What a current browser offers: X25519MLKEM768, X25519, P-256, P-384.
    Browser,
    /// Every group rustls (aws-lc-rs) has: the above and SecP256r1MLKEM768, MLKEM768 and
    /// MLKEM1024.
    All,
}

/// What a handshake offers.
#[derive(Debug, Clone, Copy)]
pub struct Offer<'a> {
    /// Signature schemes (code points) for the server's signature.
    pub schemes: &'a [u16],
    /// Protocol versions.
    pub versions: Versions,
    /// Key-exchange groups.
    pub groups: Groups,
    /// Application protocols.
    pub alpn: &'a [&'a str],
}

/// The application protocols a browser offers, in its order.
pub const BROWSER_ALPN: [&str; 2] = ["h2", "http/1.1"];

/// Completes a handshake over `stream` (already connected, STARTTLS already spoken),
/// offering what `offer` says, within `timeout`. The error says what failed, for the
/// caller to name the endpoint.
pub async fn complete<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    sni: Option<&str>,
    ip: IpAddr,
    offer: &Offer<'_>,
    timeout: Duration,
) -> Result<Handshake, String> {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let recorder = Recorder {
        schemes: offer
            .schemes
            .iter()
            .map(|&s| SignatureScheme::from(s))
            .collect(),
        seen: seen.clone(),
    };
    let mut provider = rustls::crypto::aws_lc_rs::default_provider();
    if offer.groups == Groups::All {
        provider.kx_groups = rustls::crypto::aws_lc_rs::ALL_KX_GROUPS.to_vec();
    }
    let provider = Arc::new(provider);
    let vs: &[&'static rustls::SupportedProtocolVersion] = match offer.versions {
        Versions::Both => &[&rustls::version::TLS13, &rustls::version::TLS12],
        Versions::Tls13 => &[&rustls::version::TLS13],
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(vs)
        .map_err(|e| format!("TLS client setup: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(recorder))
        .with_no_client_auth();
    config.alpn_protocols = offer.alpn.iter().map(|p| p.as_bytes().to_vec()).collect();
    config.resumption = rustls::client::Resumption::disabled();
    let name = sni
        .filter(|n| n.parse::<IpAddr>().is_err())
        .and_then(|n| ServerName::try_from(n.trim_end_matches('.').to_string()).ok())
        .unwrap_or(ServerName::IpAddress(ip.into()));
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut tls = match tokio::time::timeout(timeout, connector.connect(name, stream)).await {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => return Err(format!("TLS handshake failed: {e}")),
        Err(_) => return Err(format!("TLS handshake not finished within {timeout:?}")),
    };
    let (_, conn) = tls.get_ref();
    let mut out = Handshake {
        version: conn.protocol_version().map(u16::from).unwrap_or(0),
        suite: conn
            .negotiated_cipher_suite()
            .map(|s| u16::from(s.suite()))
            .unwrap_or(0),
        group: conn
            .negotiated_key_exchange_group()
            .map(|g| u16::from(g.name())),
        alpn: conn
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
        ..Handshake::default()
    };
    if let Ok(g) = seen.lock() {
        out.chain = g.chain.clone();
        out.ocsp = g.ocsp;
        out.scheme = g.scheme;
    }
    let _ = tokio::time::timeout(Duration::from_millis(200), tls.shutdown()).await;
    Ok(out)
}
