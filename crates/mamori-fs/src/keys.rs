//! Keys: PKCS#1, PKCS#8 (plain and encrypted), SEC1, DSA and DH parameters in PEM or DER;
//! OpenSSH private and public keys, `authorized_keys` and `known_hosts`.
//!
//! A key becomes a `key` asset with its algorithm, size or curve, format and fingerprint.
//! The key material itself is never copied: fingerprints are SHA-256 digests of the public
//! part (SSH: `SHA256:` + base64 of the public blob, as `ssh-keygen -l` prints).

use crate::certs::{key_algorithm, rsa_modulus_bits};
use crate::der;
use crate::detect::{Detector, FileInfo, Output};
use crate::pem;
use base64::Engine;
use mamori_algorithms as alg;
use mamori_model::{AlgorithmProps, AssetKind, CryptoAsset, KeyProps, Location, Primitive};
use sha2::{Digest, Sha256};

/// Finds key material (never copies it).
pub struct KeyDetector;

const KEY_EXTS: &[&str] = &["key", "pem", "pub", "der", "priv", "ppk", "asc"];
const SSH_FILES: &[&str] = &[
    "authorized_keys",
    "authorized_keys2",
    "known_hosts",
    "known_hosts2",
    "ssh_known_hosts",
];

impl Detector for KeyDetector {
    fn name(&self) -> &'static str {
        "key"
    }

    fn wants(&self, f: &FileInfo<'_>, head: &[u8]) -> bool {
        if is_openpgp_keys(f, head) {
            return true;
        }
        if pem::has_pem(head) {
            return true;
        }
        if SSH_FILES.contains(&f.name) {
            return true;
        }
        if f.name.starts_with("ssh_host_") || f.name.starts_with("id_") {
            return true;
        }
        let ext = f.extension();
        if let Some(e) = ext.as_deref() {
            if KEY_EXTS.contains(&e) && f.size < 1 << 20 {
                return true;
            }
        }
        // A one-line OpenSSH public key without a telling name.
        f.size < 16 * 1024 && ssh_line_start(head)
    }

    fn max_size(&self) -> u64 {
        64 << 20 // known_hosts and authorized_keys can be long
    }

    fn detect(&self, f: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        if is_openpgp_keys(f, data) {
            crate::keystores::openpgp(f, data, out);
            return;
        }
        if armored_pgp_without_keys(data) {
            return; // a signature or message: OpenPGP, but no key to inventory
        }
        if pem::has_pem(data) {
            for b in pem::blocks(data) {
                if let Err(e) = pem_block(f, &b, out) {
                    out.warn(f, format!("line {}: {e}", b.line));
                }
            }
            return;
        }
        // A DER public key can be named `.pub` too (`key.der.pub`): binary first.
        if data.first() == Some(&0x30) && !data.is_ascii() {
            if let Some((props, key)) = der_key(data) {
                record_key(f.location(), props, key, out);
                return;
            }
        }
        if SSH_FILES.contains(&f.name) || ssh_line_start(data) || f.name.ends_with(".pub") {
            ssh_lines(f, data, out);
            return;
        }
        // DER key files (key.der, *.key in DER)
        if data.first() == Some(&0x30) {
            if let Some(k) = der_key(data) {
                let (props, key) = k;
                record_key(f.location(), props, key, out);
            } else if matches!(f.extension().as_deref(), Some("key") | Some("priv")) {
                out.warn(
                    f,
                    "not a recognized key format (PEM, DER PKCS#1/PKCS#8/SEC1, OpenSSH)",
                );
            }
        }
    }
}

/// Record a key and its algorithm at `loc`.
pub fn record_key(loc: Location, props: AlgorithmProps, key: KeyProps, out: &mut Output) {
    // Without a fingerprint, a key is identified by where it is and its label (keystore
    // alias, key number), so two keys of one file stay two assets.
    let id = match (&key.spki_sha256, &key.fingerprint, &key.label) {
        (Some(spki), _, _) => format!("key:sha256:{spki}"),
        (None, Some(fp), _) => format!("key:{fp}"),
        (None, None, Some(l)) => format!("key:{}@{}#{l}", key.algorithm, loc),
        (None, None, None) => format!("key:{}@{}", key.algorithm, loc),
    };
    let mut asset = CryptoAsset::new(
        AssetKind::Key,
        id,
        format!("{} {}", key.algorithm, key.material.replace('-', " ")),
    );
    let alg_asset = {
        let mut a = CryptoAsset::new(
            AssetKind::Algorithm,
            format!("alg:{}", props.name),
            props.name.clone(),
        );
        a.algorithm = Some(props.clone());
        a
    };
    asset.depends_on = vec![alg_asset.id.clone()];
    asset.algorithm = Some(props);
    let ctx = Some(match &key.label {
        Some(l) => format!("{} ({}) {l}", key.material, key.format),
        None => format!("{} ({})", key.material, key.format),
    });
    asset.key = Some(key);
    out.observe(alg_asset, loc.clone(), "key", Some("key algorithm".into()));
    out.observe(asset, loc, "key", ctx);
}

fn fp_sha256(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

fn key_props(
    material: &str,
    props: &AlgorithmProps,
    size: Option<u32>,
    curve: Option<String>,
    format: &str,
) -> KeyProps {
    KeyProps {
        spki_sha256: None,
        material: material.into(),
        algorithm: props.name.clone(),
        size,
        curve,
        format: format.into(),
        fingerprint: None,
        encrypted: None,
        protection: None,
        label: None,
    }
}

/// Best-effort properties of an algorithm the knowledge base does not know.
pub fn unknown_props(name: &str) -> AlgorithmProps {
    AlgorithmProps::unknown(name, "unknown", Primitive::Unknown)
}

/// RSAPublicKey DER from an RSAPrivateKey (n and e), for a public fingerprint.
fn rsa_public_from_private(key: &[u8]) -> Option<Vec<u8>> {
    let (seq, _) = der::expect(key, der::SEQUENCE)?;
    let (_v, rest) = der::expect(seq.value, der::INTEGER)?;
    let (n, rest) = der::expect(rest, der::INTEGER)?;
    let (e, _) = der::expect(rest, der::INTEGER)?;
    let mut body = Vec::with_capacity(n.raw.len() + e.raw.len());
    body.extend_from_slice(n.raw);
    body.extend_from_slice(e.raw);
    Some(wrap(der::SEQUENCE, &body))
}

/// SubjectPublicKeyInfo DER for an algorithm OID (dotted), raw parameters and public key
/// bytes: the form every public-key fingerprint here is computed over, so a private key and
/// its public half share one fingerprint.
fn spki(oid: &str, params_raw: &[u8], public: &[u8]) -> Vec<u8> {
    let mut algid = oid_der(oid);
    algid.extend_from_slice(params_raw);
    let mut bits = vec![0u8];
    bits.extend_from_slice(public);
    let mut body = wrap(der::SEQUENCE, &algid);
    body.extend(wrap(der::BIT_STRING, &bits));
    wrap(der::SEQUENCE, &body)
}

fn oid_der(oid: &str) -> Vec<u8> {
    let parts: Vec<u64> = oid.split('.').filter_map(|p| p.parse().ok()).collect();
    let mut body = Vec::new();
    if parts.len() >= 2 {
        push_base128(&mut body, parts[0] * 40 + parts[1]);
        for p in &parts[2..] {
            push_base128(&mut body, *p);
        }
    }
    wrap(der::OID, &body)
}

fn push_base128(out: &mut Vec<u8>, mut v: u64) {
    let mut tmp = vec![(v & 0x7f) as u8];
    v >>= 7;
    while v > 0 {
        tmp.push(0x80 | (v & 0x7f) as u8);
        v >>= 7;
    }
    tmp.reverse();
    out.extend(tmp);
}

const RSA_OID: &str = "1.2.840.113549.1.1.1";
const EC_OID: &str = "1.2.840.10045.2.1";
const DSA_OID: &str = "1.2.840.10040.4.1";
const ED25519_OID: &str = "1.3.101.112";
const NULL: &[u8] = &[0x05, 0x00];

fn rsa_spki_fp(rsa_public: &[u8]) -> String {
    fp_sha256(&spki(RSA_OID, NULL, rsa_public))
}

fn wrap(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let len = body.len();
    if len < 0x80 {
        v.push(len as u8);
    } else if len < 0x100 {
        v.extend_from_slice(&[0x81, len as u8]);
    } else if len < 0x10000 {
        v.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    } else {
        v.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    }
    v.extend_from_slice(body);
    v
}

/// An armored OpenPGP signature or message (`BEGIN PGP SIGNATURE`, `… MESSAGE`): no key.
fn armored_pgp_without_keys(head: &[u8]) -> bool {
    memchr::memmem::find(head, b"-----BEGIN PGP ").is_some()
        && memchr::memmem::find(head, b" KEY BLOCK-----").is_none()
}

/// OpenPGP key material: a binary keyring or keybox, or an armored key block.
fn is_openpgp_keys(f: &FileInfo<'_>, head: &[u8]) -> bool {
    if armored_pgp_without_keys(head) {
        return false;
    }
    crate::pgp::sniff(head) || matches!(f.extension().as_deref(), Some("gpg") | Some("kbx"))
}

/// A PKCS#8 PrivateKeyInfo described as the key detector describes it (algorithm, size,
/// fingerprint of the public half); used for keys inside PKCS#12 files too.
pub(crate) fn pkcs8_key(der_bytes: &[u8]) -> Option<(AlgorithmProps, KeyProps)> {
    pkcs8(der_bytes)
}

/// PKCS#8 PrivateKeyInfo (RFC 5958 OneAsymmetricKey).
fn pkcs8(der_bytes: &[u8]) -> Option<(AlgorithmProps, KeyProps)> {
    let (seq, _) = der::expect(der_bytes, der::SEQUENCE)?;
    let (_ver, rest) = der::expect(seq.value, der::INTEGER)?;
    let (algid, rest) = der::expect(rest, der::SEQUENCE)?;
    let (oid_tlv, params) = der::expect(algid.value, der::OID)?;
    let oid = der::oid_string(oid_tlv.value)?;
    let (pk, rest) = der::expect(rest, der::OCTET_STRING)?;
    let (mut props, bits, mut curve) = key_algorithm(&oid, params, pk.value, false);
    // SEC1 inside PKCS#8 may carry the curve when the AlgorithmIdentifier does not.
    if props.family == "unknown" && alg::key_algorithm_oid(&oid) == Some("EC") {
        if let Some((p, c)) = sec1_curve(pk.value) {
            props = p;
            curve = Some(c);
        }
    }
    let mut k = key_props(
        "private-key",
        &props,
        bits,
        curve.or(props.curve.clone()),
        "pkcs8",
    );
    // Fingerprint of the public part when it can be had without the secret.
    let public = match alg::key_algorithm_oid(&oid) {
        Some("RSA") | Some("RSASSA-PSS") | Some("RSAES-OAEP") => {
            rsa_public_from_private(pk.value).map(|p| spki(RSA_OID, NULL, &p))
        }
        Some("EC") => sec1_public(pk.value).map(|p| spki(&oid, params, p)),
        _ => der::children(rest)
            .into_iter()
            .find(|t| t.tag == 0x81 || t.tag == 0xa1)
            .map(|t| spki(&oid, params, t.value.get(1..).unwrap_or(&[]))),
    };
    k.fingerprint = Some(match public {
        Some(p) => fp_sha256(&p),
        None => fp_sha256(der_bytes), // one-way digest of the whole key: identity only
    });
    k.encrypted = Some(false);
    Some((props, k))
}

/// SEC1 ECPrivateKey { version, privateKey, [0] parameters, [1] publicKey }: curve.
fn sec1_curve(key: &[u8]) -> Option<(AlgorithmProps, String)> {
    let (seq, _) = der::expect(key, der::SEQUENCE)?;
    for t in der::children(seq.value) {
        if t.tag == 0xa0 {
            let (o, _) = der::expect(t.value, der::OID)?;
            let oid = der::oid_string(o.value)?;
            let a = alg::ec(&oid, Primitive::Signature)?;
            let c = a.curve.clone()?;
            return Some((a, c));
        }
    }
    None
}

/// SPKI fingerprint of a SEC1 key that carries its public point and curve.
fn sec1_fp(key: &[u8]) -> Option<String> {
    let (seq, _) = der::expect(key, der::SEQUENCE)?;
    let params = der::children(seq.value)
        .into_iter()
        .find(|t| t.tag == 0xa0)?;
    Some(fp_sha256(&spki(EC_OID, params.value, sec1_public(key)?)))
}

fn sec1_public(key: &[u8]) -> Option<&[u8]> {
    let (seq, _) = der::expect(key, der::SEQUENCE)?;
    der::children(seq.value)
        .into_iter()
        .find(|t| t.tag == 0xa1)
        .and_then(|t| der::expect(t.value, der::BIT_STRING).map(|(b, _)| b.value))
        // the point, without the BIT STRING's unused-bits octet
        .and_then(|v| v.get(1..))
}

/// EncryptedPrivateKeyInfo: only the protection scheme is visible.
fn encrypted_pkcs8(der_bytes: &[u8]) -> Option<(AlgorithmProps, KeyProps)> {
    let (seq, _) = der::expect(der_bytes, der::SEQUENCE)?;
    let (algid, _) = der::expect(seq.value, der::SEQUENCE)?;
    let (oid_tlv, params) = der::expect(algid.value, der::OID)?;
    let oid = der::oid_string(oid_tlv.value)?;
    let protection = match oid.as_str() {
        "1.2.840.113549.1.5.13" => {
            // PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme }
            let mut kdf = "PBKDF2".to_string();
            let mut enc = String::new();
            if let Some((p, _)) = der::expect(params, der::SEQUENCE) {
                let kids = der::children(p.value);
                if let Some(k) = kids.first() {
                    if let Some((ko, kp)) = der::expect(k.value, der::OID) {
                        let ko = der::oid_string(ko.value).unwrap_or_default();
                        if ko == "1.3.6.1.4.1.11591.4.11" {
                            kdf = "scrypt".into();
                        } else if let Some((kps, _)) = der::expect(kp, der::SEQUENCE) {
                            // PBKDF2-params: salt, iterations, keyLength?, prf AlgorithmIdentifier DEFAULT hmacWithSHA1
                            let prf = der::children(kps.value)
                                .into_iter()
                                .find(|t| t.tag == der::SEQUENCE)
                                .and_then(|t| der::expect(t.value, der::OID).map(|(o, _)| o))
                                .and_then(|o| der::oid_string(o.value))
                                .map(|o| match o.as_str() {
                                    "1.2.840.113549.2.9" => "HMAC-SHA-256",
                                    "1.2.840.113549.2.10" => "HMAC-SHA-384",
                                    "1.2.840.113549.2.11" => "HMAC-SHA-512",
                                    "1.2.840.113549.2.8" => "HMAC-SHA-224",
                                    _ => "HMAC-SHA-1",
                                })
                                .unwrap_or("HMAC-SHA-1");
                            kdf = format!("PBKDF2-{prf}");
                        }
                    }
                }
                if let Some(e) = kids.get(1) {
                    if let Some((eo, _)) = der::expect(e.value, der::OID) {
                        let eo = der::oid_string(eo.value).unwrap_or_default();
                        enc = alg::by_oid(&eo).map(|a| a.name).unwrap_or(eo);
                    }
                }
            }
            format!("PBES2-{kdf}-{enc}")
        }
        "1.2.840.113549.1.5.3" => "pbeWithMD5AndDES-CBC".into(),
        "1.2.840.113549.1.5.10" => "pbeWithSHA1AndDES-CBC".into(),
        "1.2.840.113549.1.12.1.3" => "pbeWithSHAAnd3-KeyTripleDES-CBC".into(),
        "1.2.840.113549.1.12.1.6" => "pbeWithSHAAnd40BitRC2-CBC".into(),
        o => format!("OID {o}"),
    };
    let props = unknown_props("encrypted-key");
    let mut k = key_props("private-key", &props, None, None, "pkcs8-encrypted");
    k.algorithm = "unknown (encrypted)".into();
    k.encrypted = Some(true);
    k.protection = Some(protection);
    k.fingerprint = Some(fp_sha256(der_bytes));
    Some((props, k))
}

/// A DER key of unknown type: PKCS#8, SPKI, PKCS#1 RSA, SEC1 EC.
fn der_key(data: &[u8]) -> Option<(AlgorithmProps, KeyProps)> {
    let (seq, _) = der::expect(data, der::SEQUENCE)?;
    let data = seq.raw;
    if let Some(k) = pkcs8(data) {
        return Some(k);
    }
    if let Some((props, bits, curve)) = crate::certs::spki_algorithm(data) {
        let mut k = key_props("public-key", &props, bits, curve, "spki");
        k.fingerprint = Some(fp_sha256(data));
        return Some((props, k));
    }
    // PKCS#1 RSAPrivateKey { version 0, n, e, d, … } (OpenSSL's DER output for RSA keys)
    let kids = der::children(seq.value);
    if kids.len() >= 9 && kids.iter().all(|k| k.tag == der::INTEGER) && kids[0].value == [0] {
        let bits = der::int_bits(kids[1].value);
        let p = alg::rsa(bits);
        let mut k = key_props("private-key", &p, Some(bits), None, "pkcs1");
        k.fingerprint = rsa_public_from_private(data).map(|pk| rsa_spki_fp(&pk));
        k.encrypted = Some(false);
        return Some((p, k));
    }
    // PKCS#1 RSAPublicKey { n, e }
    if kids.len() == 2
        && kids.iter().all(|k| k.tag == der::INTEGER)
        && der::int_bits(kids[0].value) >= 512
    {
        let bits = der::int_bits(kids[0].value);
        let p = alg::rsa(bits);
        let mut k = key_props("public-key", &p, Some(bits), None, "pkcs1");
        k.fingerprint = Some(rsa_spki_fp(data));
        return Some((p, k));
    }
    if let Some((p, c)) = sec1_curve(data) {
        let mut k = key_props(
            "private-key",
            &p,
            alg::curve(&c).map(|c| c.bits),
            Some(c),
            "sec1",
        );
        k.fingerprint = Some(sec1_fp(data).unwrap_or_else(|| fp_sha256(data)));
        return Some((p, k));
    }
    None
}

fn pem_block(f: &FileInfo<'_>, b: &pem::Block, out: &mut Output) -> Result<(), String> {
    let label = b.label.as_str();
    let interesting = matches!(
        label,
        "PRIVATE KEY"
            | "ENCRYPTED PRIVATE KEY"
            | "RSA PRIVATE KEY"
            | "RSA PUBLIC KEY"
            | "EC PRIVATE KEY"
            | "DSA PRIVATE KEY"
            | "PUBLIC KEY"
            | "OPENSSH PRIVATE KEY"
            | "DH PARAMETERS"
            | "X9.42 DH PARAMETERS"
            | "DSA PARAMETERS"
            | "CERTIFICATE REQUEST"
            | "NEW CERTIFICATE REQUEST"
            | "SSH2 PUBLIC KEY"
    );
    if !interesting {
        return Ok(());
    }
    let der_bytes = match &b.der {
        Ok(d) => d.as_slice(),
        Err(e) => return Err(e.clone()),
    };
    let loc = f.at_line(b.line);
    let legacy_enc = b
        .headers
        .iter()
        .find(|(k, _)| k == "DEK-Info")
        .map(|(_, v)| v.split(',').next().unwrap_or("").to_string());
    let got: Option<(AlgorithmProps, KeyProps)> = match label {
        "PRIVATE KEY" => pkcs8(der_bytes),
        "ENCRYPTED PRIVATE KEY" => encrypted_pkcs8(der_bytes),
        "PUBLIC KEY" => crate::certs::spki_algorithm(der_bytes).map(|(p, bits, c)| {
            let mut k = key_props("public-key", &p, bits, c, "spki");
            k.fingerprint = Some(fp_sha256(der_bytes));
            (p, k)
        }),
        "RSA PRIVATE KEY" | "RSA PUBLIC KEY" | "DSA PRIVATE KEY" | "EC PRIVATE KEY"
            if legacy_enc.is_some() =>
        {
            let fam = label.split(' ').next().unwrap_or("");
            let props = match fam {
                "RSA" => {
                    let mut a =
                        alg::unsized_public_key("RSA").unwrap_or_else(|| unknown_props("RSA"));
                    a.note =
                        Some("Encrypted RSA key: size not visible without the passphrase.".into());
                    a
                }
                other => unknown_props(other),
            };
            let mut k = key_props("private-key", &props, None, None, "pkcs1-encrypted");
            k.encrypted = Some(true);
            k.protection = legacy_enc
                .clone()
                .map(|e| format!("PEM {e} (MD5-based key derivation)"));
            k.fingerprint = Some(fp_sha256(der_bytes));
            Some((props, k))
        }
        "RSA PRIVATE KEY" => rsa_modulus_bits(der_bytes, false).map(|bits| {
            let p = alg::rsa(bits);
            let mut k = key_props("private-key", &p, Some(bits), None, "pkcs1");
            k.fingerprint = rsa_public_from_private(der_bytes).map(|pk| rsa_spki_fp(&pk));
            k.encrypted = Some(false);
            (p, k)
        }),
        "RSA PUBLIC KEY" => rsa_modulus_bits(der_bytes, true).map(|bits| {
            let p = alg::rsa(bits);
            let mut k = key_props("public-key", &p, Some(bits), None, "pkcs1");
            k.fingerprint = Some(rsa_spki_fp(der_bytes));
            (p, k)
        }),
        "EC PRIVATE KEY" => sec1_curve(der_bytes).map(|(p, c)| {
            let mut k = key_props(
                "private-key",
                &p,
                alg::curve(&c).map(|c| c.bits),
                Some(c),
                "sec1",
            );
            k.fingerprint = Some(sec1_fp(der_bytes).unwrap_or_else(|| fp_sha256(der_bytes)));
            k.encrypted = Some(false);
            (p, k)
        }),
        "DSA PRIVATE KEY" => {
            // DSAPrivateKey ::= SEQUENCE { version, p, q, g, y, x }
            der::expect(der_bytes, der::SEQUENCE).and_then(|(s, _)| {
                let kids = der::children(s.value);
                let p = kids.get(1)?;
                let bits = der::int_bits(p.value);
                let props = alg::dsa(bits);
                let mut k = key_props("private-key", &props, Some(bits), None, "dsa");
                // The public key as its SubjectPublicKeyInfo: params (p, q, g) and y.
                k.fingerprint = match (kids.get(2), kids.get(3), kids.get(4)) {
                    (Some(q), Some(g), Some(y)) => {
                        let mut params = p.raw.to_vec();
                        params.extend_from_slice(q.raw);
                        params.extend_from_slice(g.raw);
                        Some(fp_sha256(&spki(
                            DSA_OID,
                            &wrap(der::SEQUENCE, &params),
                            y.raw,
                        )))
                    }
                    _ => Some(fp_sha256(der_bytes)),
                };
                k.encrypted = Some(false);
                Some((props, k))
            })
        }
        "DH PARAMETERS" | "X9.42 DH PARAMETERS" => der::expect(der_bytes, der::SEQUENCE)
            .and_then(|(s, _)| der::expect(s.value, der::INTEGER))
            .map(|(p, _)| {
                let bits = der::int_bits(p.value);
                let props = alg::ffdh(bits);
                let mut k = key_props("public-key", &props, Some(bits), None, "dh-parameters");
                k.material = "parameters".into();
                k.fingerprint = Some(fp_sha256(der_bytes));
                (props, k)
            }),
        "DSA PARAMETERS" => der::expect(der_bytes, der::SEQUENCE)
            .and_then(|(s, _)| der::expect(s.value, der::INTEGER))
            .map(|(p, _)| {
                let bits = der::int_bits(p.value);
                let props = alg::dsa(bits);
                let mut k = key_props("public-key", &props, Some(bits), None, "dsa-parameters");
                k.material = "parameters".into();
                k.fingerprint = Some(fp_sha256(der_bytes));
                (props, k)
            }),
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => csr(der_bytes),
        "OPENSSH PRIVATE KEY" => openssh_private(der_bytes),
        "SSH2 PUBLIC KEY" => ssh_blob(der_bytes).map(|(p, mut k)| {
            k.format = "rfc4716".into();
            (p, k)
        }),
        _ => None,
    };
    match got {
        Some((p, k)) => {
            record_key(loc, p, k, out);
            Ok(())
        }
        None => Err(format!("malformed {label} (could not read its structure)")),
    }
}

/// A PKCS#10 certification request: the public key it asks a certificate for.
/// CertificationRequest ::= SEQUENCE { info SEQUENCE { version, subject, spki, [0] attrs }, … }
fn csr(der_bytes: &[u8]) -> Option<(AlgorithmProps, KeyProps)> {
    let (outer, _) = der::expect(der_bytes, der::SEQUENCE)?;
    let (info, _) = der::expect(outer.value, der::SEQUENCE)?;
    let kids = der::children(info.value);
    let spki = kids.get(2)?;
    let (props, bits, curve) = crate::certs::spki_algorithm(spki.raw)?;
    let mut k = key_props("public-key", &props, bits, curve, "pkcs10-request");
    k.fingerprint = Some(fp_sha256(spki.raw));
    Some((props, k))
}

// ------------------------------------------------------------------ OpenSSH

struct SshReader<'a>(&'a [u8]);

impl<'a> SshReader<'a> {
    fn u32(&mut self) -> Option<u32> {
        let b = self.0.get(..4)?;
        self.0 = &self.0[4..];
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn string(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        let s = self.0.get(..n)?;
        self.0 = &self.0[n..];
        Some(s)
    }
}

/// Analyse an SSH public key blob (RFC 4253 §6.6 encoding): the key's algorithm and its
/// [`KeyProps`] (size or curve, `SHA256:` fingerprint as `ssh-keygen -l` prints, and the
/// SubjectPublicKeyInfo digest that makes the same key one asset wherever it is seen).
/// `None` when the blob is malformed. Used by the network collector for host keys.
pub fn ssh_blob(blob: &[u8]) -> Option<(AlgorithmProps, KeyProps)> {
    let mut r = SshReader(blob);
    let kind = std::str::from_utf8(r.string()?).ok()?.to_string();
    let cert = kind.ends_with("-cert-v01@openssh.com");
    let base = kind.trim_end_matches("-cert-v01@openssh.com");
    if cert {
        r.string()?; // nonce
    }
    // Besides the algorithm, the same public key as a SubjectPublicKeyInfo: so an OpenSSH
    // key and the same key in PEM or in a certificate are one asset.
    let (props, size, curve, spki_der) = match base {
        "ssh-rsa" => {
            let e = r.string()?;
            let n = r.string()?;
            let bits = der::int_bits(n);
            let mut body = wrap(der::INTEGER, n);
            body.extend(wrap(der::INTEGER, e));
            let spki_der = spki(RSA_OID, NULL, &wrap(der::SEQUENCE, &body));
            (alg::rsa(bits), Some(bits), None, Some(spki_der))
        }
        "ssh-dss" => {
            let (p, q, g, y) = (r.string()?, r.string()?, r.string()?, r.string()?);
            let bits = der::int_bits(p);
            let mut params = wrap(der::INTEGER, p);
            params.extend(wrap(der::INTEGER, q));
            params.extend(wrap(der::INTEGER, g));
            let spki_der = spki(
                DSA_OID,
                &wrap(der::SEQUENCE, &params),
                &wrap(der::INTEGER, y),
            );
            (alg::dsa(bits), Some(bits), None, Some(spki_der))
        }
        k if k.starts_with("ecdsa-sha2-") || k.starts_with("sk-ecdsa-sha2-") => {
            let c = k
                .rsplit('-')
                .next()
                .unwrap_or("")
                .trim_end_matches("@openssh.com");
            let a = alg::ec(c, Primitive::Signature)?;
            let cv = a.curve.clone();
            let _curve_id = r.string()?;
            let q = r.string()?;
            let spki_der = a
                .oid
                .as_deref()
                .map(|curve_oid| spki(EC_OID, &oid_der(curve_oid), q));
            (
                a.clone(),
                cv.as_deref().and_then(alg::curve).map(|c| c.bits),
                cv,
                spki_der,
            )
        }
        "ssh-ed25519" | "sk-ssh-ed25519@openssh.com" => {
            let key = r.string()?;
            let spki_der = spki(ED25519_OID, &[], key);
            (
                alg::by_name("Ed25519")?,
                Some(256),
                Some("Ed25519".into()),
                Some(spki_der),
            )
        }
        "ssh-ed448" => (
            alg::by_name("Ed448")?,
            Some(456),
            Some("Ed448".into()),
            None,
        ),
        other => (unknown_props(other), None, None, None),
    };
    let fp = format!(
        "SHA256:{}",
        base64::engine::general_purpose::STANDARD_NO_PAD.encode(Sha256::digest(blob))
    );
    let mut k = key_props("public-key", &props, size, curve, "openssh-public");
    k.fingerprint = Some(fp);
    k.spki_sha256 = spki_der
        .filter(|_| !cert)
        .map(|d| hex::encode(Sha256::digest(d)));
    Some((props, k))
}

/// `openssh-key-v1` private key container.
fn openssh_private(data: &[u8]) -> Option<(AlgorithmProps, KeyProps)> {
    let rest = data.strip_prefix(b"openssh-key-v1\0")?;
    let mut r = SshReader(rest);
    let cipher = String::from_utf8_lossy(r.string()?).to_string();
    let kdf = String::from_utf8_lossy(r.string()?).to_string();
    let _kdfopts = r.string()?;
    let n = r.u32()?;
    if n == 0 || n > 64 {
        return None;
    }
    let blob = r.string()?;
    let (props, mut k) = ssh_blob(blob)?;
    k.material = "private-key".into();
    k.format = "openssh".into();
    k.encrypted = Some(cipher != "none");
    if cipher != "none" {
        k.protection = Some(format!("{cipher}/{kdf}"));
    }
    Some((props, k))
}

/// Whether `b64` decodes to an SSH public key blob whose type string is `kind`.
fn blob_names(b64: &str, kind: &str) -> bool {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .ok()
        .and_then(|b| SshReader(&b).string().map(|s| s == kind.as_bytes()))
        .unwrap_or(false)
}

fn is_ssh_key_type(t: &str) -> bool {
    t.starts_with("ssh-")
        || t.starts_with("ecdsa-sha2-")
        || t.starts_with("sk-ssh-")
        || t.starts_with("sk-ecdsa-")
        || t.starts_with("rsa-sha2-")
}

fn ssh_line_start(head: &[u8]) -> bool {
    let line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    let s = String::from_utf8_lossy(line);
    let mut it = s.split_whitespace();
    matches!((it.next(), it.next()), (Some(t), Some(b)) if is_ssh_key_type(t) && b.starts_with("AAAA"))
}

/// `authorized_keys`, `known_hosts` and `*.pub`: one key a line, with options or host
/// patterns in front and a comment after.
fn ssh_lines(f: &FileInfo<'_>, data: &[u8], out: &mut Output) {
    let text = String::from_utf8_lossy(data);
    let is_known_hosts = f.name.contains("known_hosts");
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let toks: Vec<&str> = line.split_whitespace().collect();
        // The key type is the first type-looking token followed by base64 key data (a host
        // may be called `ssh-gw.example.com`).
        let Some(pos) = toks
            .iter()
            .enumerate()
            .position(|(i, t)| {
                is_ssh_key_type(t) && toks.get(i + 1).is_some_and(|b| b.starts_with("AAAA"))
            })
            .or_else(|| toks.iter().position(|t| is_ssh_key_type(t)))
            // A key type OpenSSH does not know (`name@example.com` extensions): the token
            // whose following base64 blob names it as its own type.
            .or_else(|| {
                (0..toks.len().saturating_sub(1)).find(|&i| blob_names(toks[i + 1], toks[i]))
            })
        else {
            if f.name.ends_with(".pub") || SSH_FILES.contains(&f.name) {
                out.warn(f, format!("line {}: no SSH key type found", i + 1));
            }
            continue;
        };
        let Some(b64) = toks.get(pos + 1) else {
            out.warn(f, format!("line {}: key type without key data", i + 1));
            continue;
        };
        let blob = match base64::engine::general_purpose::STANDARD.decode(b64) {
            Ok(b) => b,
            Err(e) => {
                out.warn(f, format!("line {}: invalid base64 key data: {e}", i + 1));
                continue;
            }
        };
        match ssh_blob(&blob) {
            Some((p, mut k)) => {
                k.format = if is_known_hosts {
                    "known_hosts".into()
                } else if f.name.starts_with("authorized_keys") {
                    "authorized_keys".into()
                } else {
                    "openssh-public".into()
                };
                let label = if is_known_hosts {
                    toks.get(pos.wrapping_sub(1)).filter(|_| pos > 0).map(|h| {
                        if h.starts_with("|1|") {
                            "(hashed host)".to_string()
                        } else {
                            h.to_string()
                        }
                    })
                } else {
                    let c = toks[pos + 2..].join(" ");
                    (!c.is_empty()).then_some(c)
                };
                k.label = label;
                record_key(f.at_line(i as u32 + 1), p, k, out);
            }
            None => out.warn(f, format!("line {}: malformed SSH public key blob", i + 1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_keys_of_unknown_types_are_kept() {
        let mut blob = Vec::new();
        for part in [&b"name@example.com"[..], &[7u8; 32][..]] {
            blob.extend_from_slice(&(part.len() as u32).to_be_bytes());
            blob.extend_from_slice(part);
        }
        let line = format!(
            "name@example.com {} me@host\n",
            base64::engine::general_purpose::STANDARD.encode(&blob)
        );
        let f = FileInfo {
            path: "opaque.pub",
            name: "opaque.pub",
            size: line.len() as u64,
            container: None,
            fs: None,
        };
        let mut out = Output::default();
        KeyDetector.detect(&f, line.as_bytes(), &mut out);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let key = out
            .observations
            .iter()
            .find(|o| o.asset.key.is_some())
            .unwrap();
        assert_eq!(
            key.asset.key.as_ref().unwrap().algorithm,
            "name@example.com"
        );
    }

    #[test]
    fn malformed_inputs_do_not_panic() {
        for d in [
            &b""[..],
            b"\x30",
            b"\x30\x82\x01\x00\x02",
            b"openssh-key-v1\0\0\0\0\x04none",
        ] {
            let _ = der_key(d);
            let _ = openssh_private(d);
            let _ = ssh_blob(d);
            let _ = encrypted_pkcs8(d);
        }
    }
}

#[cfg(test)]
mod oid_tests {
    #[test]
    fn oid_encoding_round_trips() {
        for o in [
            "1.2.840.113549.1.1.1",
            "1.2.840.10045.2.1",
            "2.16.840.1.101.3.4.3.18",
        ] {
            let d = super::oid_der(o);
            let (t, _) = crate::der::expect(&d, crate::der::OID).unwrap();
            assert_eq!(crate::der::oid_string(t.value).unwrap(), o);
        }
    }
}
