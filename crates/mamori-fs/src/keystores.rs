//! PKCS#12 files, Java keystores and OpenPGP keyrings: the certificates and keys they hold,
//! recorded the same way as loose ones (parsers in `pkcs12.rs`, `jks.rs`, `pgp.rs`).

use crate::certs::{analyse, record_certificate};
use crate::detect::{FileInfo, Output};
use crate::keys::{record_key, unknown_props};
use crate::{jks, pgp, pkcs12};
use mamori_algorithms as alg;
use mamori_model::{AlgorithmProps, CryptoStatus, KeyProps, Primitive};
use sha2::{Digest, Sha256};

fn summary_props(s: &pkcs12::KeySummary) -> AlgorithmProps {
    match (s.algorithm.as_deref(), s.bits) {
        (Some("RSA"), Some(b)) => alg::rsa(b),
        (Some("DSA"), Some(b)) => alg::dsa(b),
        (Some("DH"), Some(b)) => alg::ffdh(b),
        (Some("EC"), _) => s
            .curve_oid
            .as_deref()
            .and_then(|c| alg::ec(c, Primitive::Signature))
            .unwrap_or_else(|| unknown_props("EC")),
        _ => alg::by_oid(&s.algorithm_oid)
            .unwrap_or_else(|| unknown_props(&format!("OID {}", s.algorithm_oid))),
    }
}

/// Record the certificates and keys of a PKCS#12 file.
pub fn pkcs12(f: &FileInfo<'_>, data: &[u8], passwords: &[String], out: &mut Output) {
    let c = match pkcs12::parse(data, passwords) {
        Ok(c) => c,
        Err(pkcs12::Pkcs12Error::WrongPassword) => {
            // Still inventory: a keystore is here, even if its contents stay unknown. No
            // algorithm is claimed for it (none is known).
            let kp = KeyProps {
                material: "keystore".into(),
                algorithm: "unknown (locked PKCS#12)".into(),
                format: "pkcs12".into(),
                fingerprint: Some(format!("sha256:{}", hex::encode(Sha256::digest(data)))),
                encrypted: Some(true),
                protection: Some("password not known to mamori".into()),
                ..Default::default()
            };
            let fp = kp.fingerprint.clone().unwrap_or_default();
            let mut asset = mamori_model::CryptoAsset::new(
                mamori_model::AssetKind::Key,
                format!("key:{fp}"),
                "PKCS#12 keystore (locked)",
            );
            asset.key = Some(kp);
            out.observe(
                asset,
                f.location(),
                "key",
                Some("keystore (pkcs12), password not known".into()),
            );
            out.warn(
                f,
                format!(
                    "PKCS#12: none of the {} passwords tried opens it (give it with --password-file)",
                    passwords.len()
                ),
            );
            return;
        }
        Err(e) => {
            out.warn(f, format!("PKCS#12: {e}"));
            return;
        }
    };
    let protection = c.encryption.join(", ");
    for der in &c.certificates {
        if let Err(e) = record_certificate(der, f.location(), "pkcs12", out) {
            out.warn(f, format!("certificate in PKCS#12: {e}"));
        }
    }
    for (i, k) in c.keys.iter().enumerate() {
        // The decrypted key described like a loose PKCS#8 key (its fingerprint ties it to
        // its certificate); a key that could not be read still counts, by its summary.
        let (props, mut kp) = match &k.described {
            Some((p, kp)) => (p.clone(), kp.clone()),
            None => {
                let props = k
                    .summary
                    .as_ref()
                    .map(summary_props)
                    .unwrap_or_else(|| unknown_props("encrypted-key"));
                let kp = KeyProps {
                    material: "private-key".into(),
                    algorithm: props.name.clone(),
                    size: k.summary.as_ref().and_then(|s| s.bits),
                    curve: k.summary.as_ref().and_then(|s| s.curve.clone()),
                    ..Default::default()
                };
                (props, kp)
            }
        };
        kp.format = "pkcs12".into();
        kp.encrypted = Some(k.encrypted_pkcs8 || !c.encryption.is_empty());
        kp.protection = k
            .encryption
            .clone()
            .or_else(|| (!protection.is_empty()).then(|| protection.clone()));
        // Without a fingerprint the label tells keys of one file apart (see record_key).
        kp.label = k
            .friendly_name
            .clone()
            .or_else(|| k.local_key_id.as_ref().map(|id| format!("localKeyId {id}")))
            .or_else(|| Some(format!("key #{}", i + 1)));
        record_key(f.location(), props, kp, out);
    }
    for s in &c.secrets {
        let mut props = match (s.algorithm.as_deref(), s.bits) {
            (Some(a), Some(b)) => alg::by_name(&format!("{a}-{b}")).or_else(|| alg::by_name(a)),
            (Some(a), None) => alg::by_name(a),
            _ => None,
        }
        .unwrap_or_else(|| unknown_props("secret-key"));
        if props.status == CryptoStatus::Unknown {
            props.primitive = Primitive::BlockCipher;
        }
        let kp = KeyProps {
            material: "secret-key".into(),
            algorithm: props.name.clone(),
            size: s.bits,
            format: "pkcs12".into(),
            encrypted: Some(true),
            label: s.friendly_name.clone(),
            ..Default::default()
        };
        record_key(f.location(), props, kp, out);
    }
    for s in &c.skipped {
        out.warn(f, format!("PKCS#12: {s}"));
    }
}

/// Record the certificates and keys of a Java keystore (JKS / JCEKS).
pub fn jks(f: &FileInfo<'_>, data: &[u8], passwords: &[String], out: &mut Output) {
    let c = match jks::parse(data, passwords) {
        Ok(c) => c,
        Err(e) => {
            out.warn(f, format!("Java keystore: {e}"));
            return;
        }
    };
    for e in &c.entries {
        let loc = f.location();
        for der in &e.chain {
            if let Err(err) = record_certificate(der, loc.clone(), "jks", out) {
                out.warn(f, format!("keystore entry '{}': {err}", e.alias));
            }
        }
        match e.kind {
            jks::EntryKind::PrivateKey => {
                let Some(leaf) = e.chain.first() else {
                    continue;
                };
                let Ok((cert, _, props)) = analyse(leaf, "jks") else {
                    continue;
                };
                let kp = KeyProps {
                    spki_sha256: None,
                    material: "private-key".into(),
                    algorithm: props.name.clone(),
                    size: cert.public_key_size,
                    curve: props.curve.clone(),
                    format: "jks".into(),
                    fingerprint: crate::certs::cert_spki(leaf)
                        .map(|s| format!("sha256:{}", hex::encode(Sha256::digest(s)))),
                    encrypted: Some(true),
                    protection: e.protection.clone(),
                    label: Some(e.alias.clone()),
                };
                record_key(loc, props, kp, out);
            }
            jks::EntryKind::SecretKey => {
                let props = unknown_props("secret-key");
                let kp = KeyProps {
                    material: "secret-key".into(),
                    algorithm: "secret key (sealed)".into(),
                    format: "jceks".into(),
                    encrypted: Some(true),
                    protection: e.protection.clone(),
                    label: Some(e.alias.clone()),
                    ..Default::default()
                };
                record_key(loc, props, kp, out);
            }
            jks::EntryKind::TrustedCert => {}
        }
    }
}

fn pgp_props(k: &pgp::PgpKey) -> AlgorithmProps {
    // OpenPGP's own curve OIDs (legacy EdDSA/Curve25519) are known by name only.
    let by_curve = |p: Primitive| {
        k.curve_oid
            .as_deref()
            .and_then(|c| alg::ec(c, p))
            .or_else(|| k.curve.as_deref().and_then(|c| alg::ec(c, p)))
    };
    let got = match (k.algorithm.as_str(), k.bits) {
        ("RSA", Some(b)) | ("RSA (encrypt-only)", Some(b)) | ("RSA (sign-only)", Some(b)) => {
            Some(alg::rsa(b))
        }
        ("DSA", Some(b)) => Some(alg::dsa(b)),
        ("ElGamal", Some(b)) => {
            let mut a = alg::ffdh(b);
            a.name = format!("ElGamal-{b}");
            a.family = "ElGamal".into();
            a.primitive = Primitive::Pke;
            Some(a)
        }
        ("ECDH", _) => by_curve(Primitive::KeyAgree),
        ("ECDSA", _) | ("EdDSA", _) => by_curve(Primitive::Signature),
        (name, _) => {
            // Native X25519/Ed25519/X448/Ed448 and the PQC composites (`ML-KEM-768+X25519`).
            if let Some((pq, _)) = name.split_once('+') {
                alg::by_name(pq).map(|mut a| {
                    a.name = name.to_string();
                    a.status = CryptoStatus::Hybrid;
                    a
                })
            } else {
                alg::by_name(name)
            }
        }
    };
    got.unwrap_or_else(|| unknown_props(&k.algorithm))
}

/// Record the keys of an OpenPGP keyring or armored key block.
pub fn openpgp(f: &FileInfo<'_>, data: &[u8], out: &mut Output) {
    let keys = match pgp::parse(data) {
        Ok(k) => k,
        Err(e) => {
            out.warn(f, format!("OpenPGP: {e}"));
            return;
        }
    };
    for k in &keys {
        let props = pgp_props(k);
        let kp = KeyProps {
            spki_sha256: None,
            material: if k.is_secret {
                "private-key"
            } else {
                "public-key"
            }
            .into(),
            algorithm: props.name.clone(),
            size: k.bits,
            curve: k.curve.clone(),
            format: format!(
                "openpgp-v{}{}",
                k.version,
                if k.is_subkey { "-subkey" } else { "" }
            ),
            fingerprint: k.fingerprint.as_ref().map(|fp| format!("openpgp:{fp}")),
            encrypted: k.secret_protected,
            protection: None,
            label: k.user_id.clone(),
        };
        record_key(f.location(), props, kp, out);
    }
}
