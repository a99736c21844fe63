//! Certificates: PEM (bundles too), DER, PKCS#7, PKCS#12 and Java keystores.
//!
//! Each certificate becomes a `certificate` asset (id `cert:<sha256>`) plus algorithm
//! assets for its signature algorithm and its public key, which the certificate depends on.
//! Post-quantum and composite certificates are recognized by OID; a certificate x509-parser
//! cannot read is still walked with the bounded DER reader for its algorithms.

use crate::der;
use crate::detect::{Detector, FileInfo, Output};
use crate::pem;
use mamori_algorithms as alg;
use mamori_model::{
    AlgorithmProps, AssetKind, CertificateProps, CryptoAsset, CryptoStatus, Location, Primitive,
};
use sha2::{Digest, Sha256};

/// Finds X.509 certificates.
pub struct CertDetector {
    passwords: Vec<String>,
}

impl CertDetector {
    /// With the passwords to try on PKCS#12 files and keystores.
    pub fn new(passwords: Vec<String>) -> Self {
        CertDetector { passwords }
    }
}

const CERT_EXTS: &[&str] = &[
    "pem",
    "crt",
    "cer",
    "der",
    "cert",
    "ca-bundle",
    "p7b",
    "p7c",
    "p7s",
    "spc",
    "p12",
    "pfx",
    "jks",
    "jceks",
    "keystore",
    "truststore",
    "ks",
    "bcfks",
];

fn looks_like_der_sequence(head: &[u8]) -> bool {
    head.len() > 4 && head[0] == 0x30 && (head[1] == 0x82 || head[1] == 0x83)
}

impl Detector for CertDetector {
    fn name(&self) -> &'static str {
        "certificate"
    }

    fn wants(&self, f: &FileInfo<'_>, head: &[u8]) -> bool {
        if head.starts_with(&[0xfe, 0xed, 0xfe, 0xed])
            || head.starts_with(&[0xce, 0xce, 0xce, 0xce])
        {
            return true; // JKS / JCEKS
        }
        let ext = f.extension();
        if let Some(e) = ext.as_deref() {
            if CERT_EXTS.contains(&e) {
                return true;
            }
        }
        if f.name == "cacerts" {
            return true;
        }
        if memchr::memmem::find(head, b"-----BEGIN ").is_some() {
            return memchr::memmem::find(head, b"CERTIFICATE-----").is_some()
                || memchr::memmem::find(head, b"PKCS7-----").is_some()
                // a bundle may start with a key or comments and carry certificates further on
                || f.size > head.len() as u64;
        }
        // Extension-less DER certificates (e.g. in /etc/ssl or keystores without a name).
        f.size < 64 * 1024 && looks_like_der_sequence(head) && ext.is_none()
    }

    fn detect(&self, f: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        if data.starts_with(&[0xfe, 0xed, 0xfe, 0xed])
            || data.starts_with(&[0xce, 0xce, 0xce, 0xce])
        {
            self.keystore(f, data, out);
            return;
        }
        if pem::has_pem(data) {
            for b in pem::blocks(data) {
                let is_cert = matches!(
                    b.label.as_str(),
                    "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE"
                );
                let is_p7 = b.label == "PKCS7" || b.label == "CMS";
                if !is_cert && !is_p7 {
                    continue;
                }
                let der = match b.der {
                    Ok(d) => d,
                    Err(e) => {
                        out.warn(f, format!("line {}: {e}", b.line));
                        continue;
                    }
                };
                let loc = f.at_line(b.line);
                if is_p7 {
                    self.pkcs7(f, &der, loc, "pkcs7", out);
                } else if let Err(e) = record_certificate(&der, loc, "pem", out) {
                    out.warn(f, format!("line {}: {e}", b.line));
                }
            }
            return;
        }
        let ext = f.extension().unwrap_or_default();
        if matches!(ext.as_str(), "p12" | "pfx") {
            self.pkcs12(f, data, out);
            return;
        }
        if looks_like_der_sequence(data) || data.first() == Some(&0x30) {
            if is_pkcs7(data) {
                self.pkcs7(f, data, f.location(), "pkcs7", out);
                return;
            }
            if is_pkcs12(data) {
                self.pkcs12(f, data, out);
                return;
            }
            match record_certificate(data, f.location(), "der", out) {
                Ok(()) => {}
                // `.der` and `.pem` hold keys as often as certificates: only certificate
                // extensions promise a certificate.
                Err(e) if matches!(ext.as_str(), "crt" | "cer" | "cert") => out.warn(f, e),
                Err(_) => {} // an extension-less DER blob that is not a certificate: not ours
            }
        } else if CERT_EXTS.contains(&ext.as_str())
            && !matches!(ext.as_str(), "pem" | "keystore" | "ks")
        {
            out.warn(f, "not a certificate: neither PEM nor DER");
        }
    }
}

impl CertDetector {
    fn pkcs7(&self, f: &FileInfo<'_>, der: &[u8], loc: Location, format: &str, out: &mut Output) {
        match pkcs7_certificates(der) {
            Some(certs) => {
                for c in certs {
                    if let Err(e) = record_certificate(c, loc.clone(), format, out) {
                        out.warn(f, format!("certificate in PKCS#7: {e}"));
                    }
                }
            }
            None => out.warn(f, "malformed PKCS#7 structure"),
        }
    }

    fn pkcs12(&self, f: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        crate::keystores::pkcs12(f, data, &self.passwords, out);
    }

    fn keystore(&self, f: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        crate::keystores::jks(f, data, &self.passwords, out);
    }
}

fn is_pkcs7(der: &[u8]) -> bool {
    // ContentInfo ::= SEQUENCE { contentType OID 1.2.840.113549.1.7.2, ... }
    der::expect(der, der::SEQUENCE)
        .and_then(|(s, _)| der::expect(s.value, der::OID))
        .and_then(|(o, _)| der::oid_string(o.value))
        .map(|o| o == "1.2.840.113549.1.7.2")
        .unwrap_or(false)
}

fn is_pkcs12(der: &[u8]) -> bool {
    // PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData OPTIONAL }
    der::expect(der, der::SEQUENCE)
        .and_then(|(s, _)| der::expect(s.value, der::INTEGER))
        .map(|(v, _)| v.value == [3])
        .unwrap_or(false)
}

/// The certificates carried by a PKCS#7 SignedData.
pub fn pkcs7_certificates(der: &[u8]) -> Option<Vec<&[u8]>> {
    let (ci, _) = der::expect(der, der::SEQUENCE)?;
    let (oid, rest) = der::expect(ci.value, der::OID)?;
    if der::oid_string(oid.value)? != "1.2.840.113549.1.7.2" {
        return None;
    }
    let (explicit, _) = der::expect(rest, 0xa0)?;
    let (sd, _) = der::expect(explicit.value, der::SEQUENCE)?;
    let mut out = Vec::new();
    for child in der::children(sd.value) {
        if child.tag == 0xa0 {
            for c in der::children(child.value) {
                if c.tag == der::SEQUENCE {
                    out.push(c.raw);
                }
            }
        }
    }
    Some(out)
}

/// Lowercase hex SHA-256 of `data` (the id of a certificate asset is `cert:` + this of its DER).
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// A Unix time as RFC 3339 UTC, as certificate validity dates are recorded.
pub fn rfc3339(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ts.to_string())
}

fn unknown_alg(name: &str, oid: &str, primitive: Primitive) -> AlgorithmProps {
    AlgorithmProps {
        oid: Some(oid.to_string()),
        note: Some(format!("OID {oid} is not in mamori's knowledge base.")),
        ..AlgorithmProps::unknown(name, "unknown", primitive)
    }
}

/// The algorithm of a SubjectPublicKeyInfo: `(props, key size in bits, curve name)`.
pub fn spki_algorithm(spki: &[u8]) -> Option<(AlgorithmProps, Option<u32>, Option<String>)> {
    let (seq, _) = der::expect(spki, der::SEQUENCE)?;
    let (algid, rest) = der::expect(seq.value, der::SEQUENCE)?;
    let (oid_tlv, params) = der::expect(algid.value, der::OID)?;
    let oid = der::oid_string(oid_tlv.value)?;
    let (bits_tlv, _) = der::expect(rest, der::BIT_STRING)?;
    let key = bits_tlv.value.get(1..).unwrap_or(&[]);
    Some(key_algorithm(&oid, params, key, true))
}

/// The algorithm of a key given its AlgorithmIdentifier OID, parameters and key bytes
/// (`public`: the bytes are an RSAPublicKey / EC point; otherwise an RSAPrivateKey / ECPrivateKey).
pub fn key_algorithm(
    oid: &str,
    params: &[u8],
    key: &[u8],
    public: bool,
) -> (AlgorithmProps, Option<u32>, Option<String>) {
    match alg::key_algorithm_oid(oid) {
        Some("RSA") | Some("RSASSA-PSS") | Some("RSAES-OAEP") => {
            let bits = rsa_modulus_bits(key, public);
            match bits {
                Some(b) => {
                    let mut a = alg::rsa(b);
                    a.oid = Some(oid.to_string());
                    (a, Some(b), None)
                }
                None => (unsized_rsa(oid), None, None),
            }
        }
        Some("EC") | Some("ECDH") => {
            let curve_oid =
                der::expect(params, der::OID).and_then(|(o, _)| der::oid_string(o.value));
            let prim = if oid == "1.3.132.1.12" {
                Primitive::KeyAgree
            } else {
                Primitive::Signature
            };
            match curve_oid.as_deref().and_then(|c| alg::ec(c, prim)) {
                Some(a) => {
                    let cv = a.curve.clone();
                    let bits = cv.as_deref().and_then(alg::curve).map(|c| c.bits);
                    (a, bits, cv)
                }
                None => (
                    unknown_alg(
                        &format!(
                            "EC-{}",
                            curve_oid.as_deref().unwrap_or("explicit-parameters")
                        ),
                        oid,
                        prim,
                    ),
                    None,
                    None,
                ),
            }
        }
        Some("DSA") => {
            // Dss-Parms ::= SEQUENCE { p, q, g }
            let bits = der::expect(params, der::SEQUENCE)
                .and_then(|(s, _)| der::expect(s.value, der::INTEGER))
                .map(|(p, _)| der::int_bits(p.value));
            match bits {
                Some(b) => (alg::dsa(b), Some(b), None),
                None => (unknown_alg("DSA", oid, Primitive::Signature), None, None),
            }
        }
        Some("DH") => {
            let bits = der::expect(params, der::SEQUENCE)
                .and_then(|(s, _)| der::expect(s.value, der::INTEGER))
                .map(|(p, _)| der::int_bits(p.value));
            match bits {
                Some(b) => (alg::ffdh(b), Some(b), None),
                None => (unknown_alg("FFDH", oid, Primitive::KeyAgree), None, None),
            }
        }
        _ => match alg::by_oid(oid) {
            Some(a) => {
                let curve = a.curve.clone();
                (a, None, curve)
            }
            None => (
                unknown_alg(&format!("OID {oid}"), oid, Primitive::Unknown),
                None,
                None,
            ),
        },
    }
}

fn unsized_rsa(oid: &str) -> AlgorithmProps {
    let mut a =
        alg::unsized_public_key("RSA").unwrap_or_else(|| unknown_alg("RSA", oid, Primitive::Pke));
    a.oid = Some(oid.to_string());
    a.note = Some("RSA key whose size could not be read.".into());
    a
}

/// Modulus bits of an RSAPublicKey `{ n, e }` or RSAPrivateKey `{ version, n, … }`.
pub fn rsa_modulus_bits(key: &[u8], public: bool) -> Option<u32> {
    let (seq, _) = der::expect(key, der::SEQUENCE)?;
    let (first, rest) = der::expect(seq.value, der::INTEGER)?;
    if public {
        return Some(der::int_bits(first.value));
    }
    let (n, _) = der::expect(rest, der::INTEGER)?;
    Some(der::int_bits(n.value))
}

fn signature_alg(oid: &str, params: &[u8]) -> AlgorithmProps {
    if oid == "1.2.840.113549.1.1.10" {
        // RSASSA-PSS-params ::= SEQUENCE { [0] hashAlgorithm, … }; default SHA-1.
        let hash = der::expect(params, der::SEQUENCE)
            .and_then(|(s, _)| der::expect(s.value, 0xa0))
            .and_then(|(h, _)| der::expect(h.value, der::SEQUENCE))
            .and_then(|(ai, _)| der::expect(ai.value, der::OID))
            .and_then(|(o, _)| der::oid_string(o.value))
            .and_then(|o| alg::by_oid(&o))
            .map(|h| h.name)
            .unwrap_or_else(|| "SHA-1".into());
        let mut a = alg::signature(oid)
            .map(|s| s.props())
            .unwrap_or_else(|| unknown_alg("RSA-PSS", oid, Primitive::Signature));
        a.name = format!("RSA-PSS-{hash}");
        if let Some(h) = alg::by_name(&hash) {
            if h.status == CryptoStatus::Broken {
                a.status = CryptoStatus::Broken;
                a.note = Some(format!(
                    "Signatures over {hash} are forgeable through hash collisions."
                ));
            }
            a.classical_security_level = h.classical_security_level;
        }
        return a;
    }
    alg::by_oid(oid)
        .unwrap_or_else(|| unknown_alg(&format!("OID {oid}"), oid, Primitive::Signature))
}

fn algorithm_asset(a: &AlgorithmProps) -> CryptoAsset {
    let mut asset = CryptoAsset::new(
        AssetKind::Algorithm,
        format!("alg:{}", a.name),
        a.name.clone(),
    );
    asset.algorithm = Some(a.clone());
    asset
}

/// Occurrence context of the signature algorithm of a self-signed certificate.
pub const SELF_SIGNATURE: &str = "signature algorithm (self-signed)";

/// Parse one DER certificate and record it with its algorithms at `loc`.
pub fn record_certificate(
    der: &[u8],
    loc: Location,
    format: &str,
    out: &mut Output,
) -> Result<(), String> {
    let info = analyse(der, format)?;
    let (cert, sig, key) = info;
    let sig_asset = algorithm_asset(&sig);
    let key_asset = algorithm_asset(&key);
    let mut asset = CryptoAsset::new(
        AssetKind::Certificate,
        format!("cert:{}", cert.sha256),
        display_name(&cert.subject),
    );
    // The certificate's status is the worse of its signature's and its key's — except for
    // a self-signed certificate, whose own signature nobody relies on (a trust anchor is
    // trusted because it is installed, not because it verifies).
    let self_signed = cert.self_signed;
    let mut summary = key.clone();
    if !self_signed && rank(sig.status) < rank(key.status) {
        summary.status = sig.status;
        summary.note = sig.note.clone();
    }
    asset.algorithm = Some(summary);
    // The subject's public key as its own asset (CycloneDX `subjectPublicKeyRef` names a
    // related-crypto-material component): the same identity as the key file holding it,
    // so a certificate and its private key meet in one key asset.
    let spki = cert_spki(der).unwrap_or_default();
    let public_key = {
        let fp = format!("sha256:{}", sha256_hex(spki));
        let mut k = CryptoAsset::new(
            AssetKind::Key,
            format!("key:{fp}"),
            format!("{} public key", key.name),
        );
        k.key = Some(mamori_model::KeyProps {
            material: "public-key".into(),
            algorithm: key.name.clone(),
            size: cert.public_key_size,
            curve: cert.curve.clone(),
            format: "x509-spki".into(),
            fingerprint: Some(fp),
            ..Default::default()
        });
        k.algorithm = Some(key.clone());
        k.depends_on = vec![key_asset.id.clone()];
        k
    };
    asset.depends_on = vec![sig_asset.id.clone(), public_key.id.clone()];
    let ctx = Some(format!("{} / {}", cert.subject, cert.not_after));
    asset.certificate = Some(cert);
    out.observe(
        sig_asset,
        loc.clone(),
        "certificate",
        Some(if self_signed {
            SELF_SIGNATURE.into()
        } else {
            "signature algorithm".into()
        }),
    );
    out.observe(
        public_key,
        loc.clone(),
        "certificate",
        Some("subject public key".into()),
    );
    out.observe(
        key_asset,
        loc.clone(),
        "certificate",
        Some("subject public key algorithm".into()),
    );
    out.observe(asset, loc, "certificate", ctx);
    Ok(())
}

fn rank(s: CryptoStatus) -> u8 {
    match s {
        CryptoStatus::Broken => 0,
        CryptoStatus::QuantumVulnerable => 1,
        CryptoStatus::Unknown => 2,
        CryptoStatus::Hybrid => 3,
        CryptoStatus::QuantumSafe => 4,
    }
}

fn display_name(subject: &str) -> String {
    subject
        .split(',')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("CN="))
        .map(str::to_string)
        .unwrap_or_else(|| {
            if subject.is_empty() {
                "(empty subject)".into()
            } else {
                subject.to_string()
            }
        })
}

/// The SubjectPublicKeyInfo DER of a certificate.
pub fn cert_spki(der: &[u8]) -> Option<&[u8]> {
    let (outer, _) = der::expect(der, der::SEQUENCE)?;
    let (tbs, _) = der::expect(outer.value, der::SEQUENCE)?;
    let kids = der::children(tbs.value);
    let off = usize::from(kids.first()?.tag == 0xa0);
    Some(kids.get(off + 5)?.raw)
}

type Analysed = (CertificateProps, AlgorithmProps, AlgorithmProps);

/// Read a certificate's properties, its signature algorithm and its public-key algorithm.
pub fn analyse(der: &[u8], format: &str) -> Result<Analysed, String> {
    // Trim trailing bytes (OpenSSL TRUSTED CERTIFICATE appends aux data).
    let (outer, _) = der::expect(der, der::SEQUENCE)
        .ok_or("not a DER SEQUENCE (truncated or not a certificate)")?;
    let der = outer.raw;
    let kids = der::children(outer.value);
    if kids.len() < 3
        || kids[0].tag != der::SEQUENCE
        || kids[1].tag != der::SEQUENCE
        || kids[2].tag != der::BIT_STRING
    {
        return Err(
            "not an X.509 certificate (expected tbsCertificate, signatureAlgorithm, signature)"
                .into(),
        );
    }
    let sig_oid_tlv = der::expect(kids[1].value, der::OID).ok_or("malformed signatureAlgorithm")?;
    let sig_oid = der::oid_string(sig_oid_tlv.0.value).ok_or("malformed signature OID")?;
    let sig = signature_alg(&sig_oid, sig_oid_tlv.1);
    // tbsCertificate: [0] version, serial, signature, issuer, validity, subject, spki, ...
    let tbs = der::children(kids[0].value);
    let off = usize::from(tbs.first().map(|t| t.tag == 0xa0).unwrap_or(false));
    let spki = tbs.get(off + 5).ok_or("tbsCertificate too short")?;
    let (key, bits, curve) = spki_algorithm(spki.raw).ok_or("malformed subjectPublicKeyInfo")?;
    let key_oid = key.oid.clone().unwrap_or_default();
    let sha256 = sha256_hex(der);
    let mut props = CertificateProps {
        signature_algorithm: sig.name.clone(),
        signature_algorithm_oid: sig_oid.clone(),
        public_key_algorithm: key.name.clone(),
        public_key_algorithm_oid: key_oid,
        public_key_size: bits,
        curve,
        sha256,
        format: format.to_string(),
        ..Default::default()
    };
    match x509_parser::parse_x509_certificate(der) {
        Ok((_, c)) => {
            props.subject = c.subject().to_string();
            props.issuer = c.issuer().to_string();
            props.serial = c.raw_serial_as_string().replace(':', "");
            props.not_before = rfc3339(c.validity().not_before.timestamp());
            props.not_after = rfc3339(c.validity().not_after.timestamp());
            props.is_ca = c
                .basic_constraints()
                .ok()
                .flatten()
                .map(|b| b.value.ca)
                .unwrap_or(false);
            let mut ski = None;
            let mut aki = None;
            for ext in c.extensions() {
                match ext.parsed_extension() {
                    x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k) => {
                        ski = Some(k.0.to_vec())
                    }
                    x509_parser::extensions::ParsedExtension::AuthorityKeyIdentifier(a) => {
                        aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
                    }
                    x509_parser::extensions::ParsedExtension::SubjectAlternativeName(san) => {
                        for n in &san.general_names {
                            if let x509_parser::extensions::GeneralName::DNSName(d) = n {
                                props.dns_names.push(d.to_string());
                            }
                        }
                    }
                    _ => {}
                }
            }
            props.self_signed = c.subject().as_raw() == c.issuer().as_raw()
                && match (&aki, &ski) {
                    (Some(a), Some(s)) => a == s,
                    _ => true,
                };
        }
        Err(e) => {
            // Still a certificate by structure (e.g. an algorithm x509-parser rejects): keep
            // what the DER walk gave and say what could not be read.
            props.subject = format!("(unparsed: {e})");
        }
    }
    Ok((props, sig, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for data in [
            &b""[..],
            b"\x30",
            b"\x30\x82\xff\xff",
            b"\x30\x03\x02\x01\x00",
        ] {
            assert!(analyse(data, "der").is_err());
        }
    }
}
