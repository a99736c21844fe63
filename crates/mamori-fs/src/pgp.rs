//! OpenPGP keys: binary keyrings (`.gpg`, `trusted.gpg.d`), ASCII-armored key blocks
//! (`.asc`), and GnuPG keybox files (`pubring.kbx`).
//!
//! [`parse`] lists every primary key and subkey — public or secret — with its version
//! (3 to 6), algorithm, size or curve, fingerprint, key ID, creation time and the primary
//! key's first User ID. It follows RFC 4880 and RFC 9580 (old- and new-format packet
//! headers, partial body lengths), and the post-quantum algorithm IDs of
//! draft-ietf-openpgp-pqc (30–36). Key material is read only to measure it; nothing of it is
//! kept.
//!
//! ```no_run
//! let data = std::fs::read("/usr/share/keyrings/debian-archive-keyring.gpg").unwrap();
//! for k in mamori_fs::pgp::parse(&data).unwrap() {
//!     println!("{} {} {:?} {:?}", k.fingerprint.unwrap_or_default(), k.algorithm, k.bits, k.user_id);
//! }
//! ```

use std::borrow::Cow;

use base64::Engine;
use sha1::Sha1;
use sha2::{Digest, Sha256};

/// What went wrong reading OpenPGP data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PgpError {
    /// Neither OpenPGP packets, an armored block nor a keybox.
    #[error("not OpenPGP data")]
    NotPgp,
    /// Broken or truncated packets.
    #[error("malformed OpenPGP data: {0}")]
    Malformed(String),
    /// A broken ASCII armor (no end line, bad base64, checksum mismatch).
    #[error("bad ASCII armor: {0}")]
    Armor(String),
}

/// One OpenPGP primary key or subkey (described, never copied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgpKey {
    /// Key packet version: 3, 4, 5 or 6.
    pub version: u8,
    /// The public-key algorithm ID (RFC 9580 §9.1).
    pub algorithm_id: u8,
    /// Its name: `RSA`, `DSA`, `ElGamal`, `ECDH`, `ECDSA`, `EdDSA`, `X25519`, `Ed25519`,
    /// `ML-KEM-768+X25519` …, or `unknown(N)`.
    pub algorithm: String,
    /// Key size: RSA modulus, DSA/ElGamal prime (from the MPI bit length), or the curve size.
    pub bits: Option<u32>,
    /// Curve OID for ECDH/ECDSA/EdDSA keys.
    pub curve_oid: Option<String>,
    /// Curve name (`P-256`, `Ed25519`, `Curve25519`, `brainpoolP256r1` …) where known.
    pub curve: Option<String>,
    /// Fingerprint, uppercase hex (v3: MD5, v4: SHA-1, v5/v6: SHA-256); `None` when it
    /// cannot be computed (secret v4 key of an unknown algorithm).
    pub fingerprint: Option<String>,
    /// Key ID, 16 uppercase hex digits.
    pub key_id: Option<String>,
    /// Creation time, seconds since the Unix epoch.
    pub created: u32,
    /// A subkey (bound to the primary key before it).
    pub is_subkey: bool,
    /// From a secret-key packet.
    pub is_secret: bool,
    /// For secret keys: whether the secret part is passphrase-protected.
    pub secret_protected: Option<bool>,
    /// The primary key's first User ID (also given on its subkeys).
    pub user_id: Option<String>,
    /// For subkeys: the primary key's fingerprint.
    pub primary_fingerprint: Option<String>,
}

/// Name of an OpenPGP public-key algorithm ID.
pub fn algorithm_name(id: u8) -> Cow<'static, str> {
    Cow::Borrowed(match id {
        1 => "RSA",
        2 => "RSA (encrypt-only)",
        3 => "RSA (sign-only)",
        16 => "ElGamal",
        17 => "DSA",
        18 => "ECDH",
        19 => "ECDSA",
        20 => "ElGamal (encrypt or sign)",
        22 => "EdDSA",
        25 => "X25519",
        26 => "X448",
        27 => "Ed25519",
        28 => "Ed448",
        // draft-ietf-openpgp-pqc
        30 => "ML-DSA-65+Ed25519",
        31 => "ML-DSA-87+Ed448",
        32 => "SLH-DSA-SHAKE-128s",
        33 => "SLH-DSA-SHAKE-128f",
        34 => "SLH-DSA-SHAKE-256s",
        35 => "ML-KEM-768+X25519",
        36 => "ML-KEM-1024+X448",
        // LibrePGP / GnuPG 2.5 composite Kyber (ML-KEM) with ECC
        8 => "Kyber (LibrePGP ML-KEM+ECC)",
        id => return Cow::Owned(format!("unknown({id})")),
    })
}

/// Whether the first bytes of a file look like OpenPGP key data: a key packet header, a
/// keybox header, or an armored key block.
pub fn sniff(head: &[u8]) -> bool {
    if head.get(8..12) == Some(b"KBXf") {
        return true;
    }
    if let Some(&b) = head.first() {
        // Where the version octet of a key packet would be.
        let (tag, at) = if b & 0xC0 == 0xC0 {
            let at = match head.get(1) {
                Some(0..=191) => 2,
                Some(192..=223) => 3,
                Some(255) => 6,
                _ => 0,
            };
            (b & 0x3f, at)
        } else if b & 0xC0 == 0x80 && b & 3 != 3 {
            ((b >> 2) & 0x0f, 1 + (1usize << (b & 3)))
        } else {
            (0, 0)
        };
        if matches!(tag, 5 | 6) && at > 0 && matches!(head.get(at), Some(2..=6)) {
            return true;
        }
    }
    memchr::memmem::find(head, b"-----BEGIN PGP PUBLIC KEY BLOCK-----").is_some()
        || memchr::memmem::find(head, b"-----BEGIN PGP PRIVATE KEY BLOCK-----").is_some()
}

/// Every key in `data`: a binary keyring, one or more armored blocks, or a keybox.
pub fn parse(data: &[u8]) -> Result<Vec<PgpKey>, PgpError> {
    let mut keys = Vec::new();
    if data.get(8..12) == Some(b"KBXf") {
        parse_keybox(data, &mut keys)?;
    } else if memchr::memmem::find(data, b"-----BEGIN PGP ").is_some() {
        let mut found = false;
        for block in armored_blocks(data)? {
            found = true;
            parse_packets(&block, &mut keys)?;
        }
        if !found {
            return Err(PgpError::NotPgp);
        }
    } else {
        match data.first() {
            Some(b) if b & 0x80 != 0 => parse_packets(data, &mut keys)?,
            _ => return Err(PgpError::NotPgp),
        }
    }
    Ok(keys)
}

// ---------------------------------------------------------------------------------------
// Armor (RFC 9580 §6).

fn crc24(data: &[u8]) -> u32 {
    let mut crc: u32 = 0x00B7_04CE;
    for &b in data {
        crc ^= (b as u32) << 16;
        for _ in 0..8 {
            crc <<= 1;
            if crc & 0x0100_0000 != 0 {
                crc ^= 0x0186_4CFB;
            }
        }
    }
    crc & 0x00FF_FFFF
}

/// The decoded key blocks of an armored text (other block kinds are skipped).
fn armored_blocks(data: &[u8]) -> Result<Vec<Vec<u8>>, PgpError> {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    let mut lines = text.lines().map(str::trim_end);
    while let Some(line) = lines.next() {
        let Some(kind) = line
            .trim_start()
            .strip_prefix("-----BEGIN PGP ")
            .and_then(|r| r.strip_suffix("-----"))
        else {
            continue;
        };
        let is_key = matches!(
            kind,
            "PUBLIC KEY BLOCK" | "PRIVATE KEY BLOCK" | "SECRET KEY BLOCK"
        );
        let end = format!("-----END PGP {kind}-----");
        let mut b64 = String::new();
        let mut crc: Option<String> = None;
        let mut in_headers = true;
        let mut ended = false;
        for l in lines.by_ref() {
            let l = l.trim();
            if l == end {
                ended = true;
                break;
            }
            if in_headers {
                if l.is_empty() {
                    in_headers = false;
                    continue;
                }
                if l.contains(": ") || l.ends_with(':') {
                    continue;
                }
                in_headers = false; // no blank line: be lenient
            }
            if let Some(c) = l.strip_prefix('=') {
                if c.len() == 4 {
                    crc = Some(c.to_string());
                    continue;
                }
            }
            b64.push_str(l);
        }
        if !ended {
            return Err(PgpError::Armor(format!("no \"{end}\" line")));
        }
        if !is_key {
            continue;
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64.as_bytes())
            .map_err(|e| PgpError::Armor(format!("base64: {e}")))?;
        if let Some(c) = crc {
            let want = base64::engine::general_purpose::STANDARD
                .decode(c.as_bytes())
                .map_err(|e| PgpError::Armor(format!("checksum: {e}")))?;
            let got = crc24(&bytes).to_be_bytes();
            if want.as_slice() != &got[1..] {
                return Err(PgpError::Armor("CRC24 checksum mismatch".into()));
            }
        }
        out.push(bytes);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Keybox (GnuPG `kbx`): blobs of { u32 length, u8 type, u8 version, … }; type 2 blobs hold
// an OpenPGP keyblock at (u32 offset, u32 length) from bytes 8 and 12.

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn parse_keybox(data: &[u8], keys: &mut Vec<PgpKey>) -> Result<(), PgpError> {
    let mal = |e: &str| PgpError::Malformed(format!("keybox: {e}"));
    let mut pos = 0usize;
    while pos < data.len() {
        let len = be32(data, pos).ok_or_else(|| mal("truncated blob length"))? as usize;
        if len < 5 {
            return Err(mal("blob shorter than its header"));
        }
        let blob = data
            .get(pos..pos.checked_add(len).ok_or_else(|| mal("blob too long"))?)
            .ok_or_else(|| mal("truncated blob"))?;
        if blob[4] == 2 {
            let off = be32(blob, 8).ok_or_else(|| mal("truncated OpenPGP blob"))? as usize;
            let n = be32(blob, 12).ok_or_else(|| mal("truncated OpenPGP blob"))? as usize;
            let kb = off
                .checked_add(n)
                .and_then(|e| blob.get(off..e))
                .ok_or_else(|| mal("keyblock outside its blob"))?;
            parse_packets(kb, keys)?;
        }
        pos += len;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Packets (RFC 9580 §4.2).

/// One packet: its tag, its body (joined when sent in partial lengths), and what follows.
type Packet<'a> = (u8, Cow<'a, [u8]>, &'a [u8]);

fn next_packet(data: &[u8]) -> Result<Packet<'_>, PgpError> {
    let mal = |e: &str| PgpError::Malformed(e.to_string());
    let (&b, mut rest) = data.split_first().ok_or_else(|| mal("empty packet"))?;
    if b & 0x80 == 0 {
        return Err(mal("not a packet header"));
    }
    let take = |rest: &mut &[u8], n: usize| -> Result<Vec<u8>, PgpError> {
        let s = rest
            .get(..n)
            .ok_or_else(|| mal("truncated packet header"))?
            .to_vec();
        *rest = &rest[n..];
        Ok(s)
    };
    if b & 0x40 == 0 {
        // Old format.
        let tag = (b >> 2) & 0x0f;
        let len = match b & 3 {
            3 => rest.len(),
            k => {
                let n = 1usize << k; // 1, 2, 4
                take(&mut rest, n)?
                    .iter()
                    .fold(0usize, |a, &x| (a << 8) | x as usize)
            }
        };
        let body = rest.get(..len).ok_or_else(|| mal("truncated packet"))?;
        return Ok((tag, Cow::Borrowed(body), &rest[len..]));
    }
    // New format, possibly with partial body lengths.
    let tag = b & 0x3f;
    let mut body: Option<Vec<u8>> = None;
    loop {
        let o1 = take(&mut rest, 1)?[0];
        let (len, last) = match o1 {
            0..=191 => (o1 as usize, true),
            192..=223 => {
                let o2 = take(&mut rest, 1)?[0];
                ((((o1 as usize) - 192) << 8) + o2 as usize + 192, true)
            }
            255 => (
                take(&mut rest, 4)?
                    .iter()
                    .fold(0usize, |a, &x| (a << 8) | x as usize),
                true,
            ),
            _ => (1usize << (o1 & 0x1f), false),
        };
        let chunk = rest.get(..len).ok_or_else(|| mal("truncated packet"))?;
        rest = &rest[len..];
        if last && body.is_none() {
            return Ok((tag, Cow::Borrowed(chunk), rest));
        }
        body.get_or_insert_with(Vec::new).extend_from_slice(chunk);
        if last {
            return Ok((tag, Cow::Owned(body.unwrap_or_default()), rest));
        }
    }
}

fn parse_packets(mut data: &[u8], keys: &mut Vec<PgpKey>) -> Result<(), PgpError> {
    let mut primary: Option<usize> = None;
    let first_new = keys.len();
    while !data.is_empty() {
        let (tag, body, rest) = next_packet(data)?;
        data = rest;
        match tag {
            5 | 6 | 7 | 14 => {
                let secret = tag == 5 || tag == 7;
                let sub = tag == 7 || tag == 14;
                let mut k = parse_key(&body, secret, sub)?;
                if sub {
                    k.primary_fingerprint = primary
                        .and_then(|i| keys.get(i))
                        .and_then(|p| p.fingerprint.clone());
                } else {
                    primary = Some(keys.len());
                }
                keys.push(k);
            }
            13 => {
                if let Some(p) = primary.and_then(|i| keys.get_mut(i)) {
                    if p.user_id.is_none() {
                        p.user_id = Some(String::from_utf8_lossy(&body).into_owned());
                    }
                }
            }
            _ => {}
        }
    }
    // Subkeys carry their primary's User ID (which may follow them in the file).
    let mut current: Option<String> = None;
    for k in keys.iter_mut().skip(first_new) {
        if k.is_subkey {
            k.user_id.clone_from(&current);
        } else {
            current.clone_from(&k.user_id);
        }
    }
    Ok(())
}

/// Read an MPI: (bit count, magnitude bytes, rest).
fn mpi(b: &[u8]) -> Option<(u32, &[u8], &[u8])> {
    let bits = u16::from_be_bytes([*b.first()?, *b.get(1)?]) as u32;
    let n = (bits as usize).div_ceil(8);
    let v = b.get(2..2 + n)?;
    Some((bits, v, &b[2 + n..]))
}

/// A length-prefixed (1 octet) field, as curve OIDs and KDF parameters.
fn short_field(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let n = *b.first()? as usize;
    Some((b.get(1..1 + n)?, &b[1 + n..]))
}

struct Material {
    /// Bytes of public key material (from the start of the material).
    len: Option<usize>,
    bits: Option<u32>,
    curve_oid: Option<String>,
    /// RSA (n, e) for v3 key IDs and fingerprints.
    rsa: Option<(Vec<u8>, Vec<u8>)>,
}

/// Walk algorithm-specific public key material.
fn material(algo: u8, m: &[u8]) -> Option<Material> {
    let mut out = Material {
        len: None,
        bits: None,
        curve_oid: None,
        rsa: None,
    };
    let rest: &[u8] = match algo {
        1..=3 => {
            let (bits, n, r) = mpi(m)?;
            let (_, e, r) = mpi(r)?;
            out.bits = Some(bits);
            out.rsa = Some((n.to_vec(), e.to_vec()));
            r
        }
        17 => {
            let (bits, _, r) = mpi(m)?;
            let (_, _, r) = mpi(r)?;
            let (_, _, r) = mpi(r)?;
            let (_, _, r) = mpi(r)?;
            out.bits = Some(bits);
            r
        }
        16 | 20 => {
            let (bits, _, r) = mpi(m)?;
            let (_, _, r) = mpi(r)?;
            let (_, _, r) = mpi(r)?;
            out.bits = Some(bits);
            r
        }
        18 | 19 | 22 => {
            let (oid, r) = short_field(m)?;
            out.curve_oid = crate::pkcs12::oid_string(oid);
            let (_, _, r) = mpi(r)?;
            if algo == 18 {
                short_field(r)?.1
            } else {
                r
            }
        }
        25 | 27 => m.get(32..)?,
        26 => m.get(56..)?,
        28 => m.get(57..)?,
        _ => return Some(out),
    };
    out.len = Some(m.len() - rest.len());
    Some(out)
}

/// Curve name and size for an OpenPGP curve OID.
fn curve_info(oid: &str) -> (Option<String>, Option<u32>) {
    match oid {
        "1.3.6.1.4.1.11591.15.1" => (Some("Ed25519".into()), Some(255)),
        "1.3.6.1.4.1.3029.1.5.1" => (Some("Curve25519".into()), Some(255)),
        o => match mamori_algorithms::curve(o) {
            Some(c) => (Some(c.name.clone()), Some(c.bits)),
            None => (None, None),
        },
    }
}

fn parse_key(body: &[u8], secret: bool, sub: bool) -> Result<PgpKey, PgpError> {
    let mal = |e: &str| PgpError::Malformed(format!("key packet: {e}"));
    let version = *body.first().ok_or_else(|| mal("empty"))?;
    let created = be32(body, 1).ok_or_else(|| mal("truncated"))?;
    let (algo, mat_start, explicit_len) = match version {
        2 | 3 => (*body.get(7).ok_or_else(|| mal("truncated"))?, 8usize, None),
        4 => (*body.get(5).ok_or_else(|| mal("truncated"))?, 6, None),
        5 | 6 => (
            *body.get(5).ok_or_else(|| mal("truncated"))?,
            10,
            Some(be32(body, 6).ok_or_else(|| mal("truncated"))? as usize),
        ),
        v => return Err(mal(&format!("unknown version {v}"))),
    };
    let m_all = body.get(mat_start..).ok_or_else(|| mal("truncated"))?;
    let m = match explicit_len {
        Some(n) => m_all
            .get(..n)
            .ok_or_else(|| mal("key material longer than the packet"))?,
        None => m_all,
    };
    let mat = material(algo, m).ok_or_else(|| mal("truncated key material"))?;
    // The public part, as hashed for the fingerprint.
    let pub_len = match (explicit_len, mat.len) {
        (Some(n), _) => Some(mat_start + n),
        (None, Some(n)) => Some(mat_start + n),
        (None, None) if !secret => Some(body.len()),
        (None, None) => None,
    };
    let public = pub_len.and_then(|n| body.get(..n));
    let (curve, curve_bits) = mat.curve_oid.as_deref().map_or((None, None), curve_info);
    let fixed_bits = match algo {
        25 | 27 => Some(255),
        26 => Some(448),
        28 => Some(448),
        _ => None,
    };
    let (fingerprint, key_id) = match (version, public) {
        (4, Some(p)) => {
            let mut h = Sha1::new();
            h.update([0x99]);
            h.update((p.len() as u16).to_be_bytes());
            h.update(p);
            let fp = h.finalize();
            (
                Some(hex::encode_upper(fp)),
                Some(hex::encode_upper(&fp[12..])),
            )
        }
        (5 | 6, Some(p)) => {
            let mut h = Sha256::new();
            h.update([if version == 5 { 0x9A } else { 0x9B }]);
            h.update((p.len() as u32).to_be_bytes());
            h.update(p);
            let fp = h.finalize();
            (
                Some(hex::encode_upper(fp)),
                Some(hex::encode_upper(&fp[..8])),
            )
        }
        (2 | 3, _) => match &mat.rsa {
            Some((n, e)) => {
                use md5::{Digest as _, Md5};
                let mut h = Md5::new();
                h.update(n);
                h.update(e);
                let id = n.get(n.len().saturating_sub(8)..).unwrap_or(n);
                (
                    Some(hex::encode_upper(h.finalize())),
                    Some(format!("{:0>16}", hex::encode_upper(id))),
                )
            }
            None => (None, None),
        },
        _ => (None, None),
    };
    let secret_protected = if secret {
        pub_len.and_then(|n| body.get(n)).map(|&usage| usage != 0)
    } else {
        None
    };
    Ok(PgpKey {
        version,
        algorithm_id: algo,
        algorithm: algorithm_name(algo).into_owned(),
        bits: mat.bits.or(curve_bits).or(fixed_bits),
        curve_oid: mat.curve_oid,
        curve,
        fingerprint,
        key_id,
        created,
        is_subkey: sub,
        is_secret: secret,
        secret_protected,
        user_id: None,
        primary_fingerprint: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pkcs12::tests::{no_panic_on_damage, run};
    use std::path::Path;

    /// A gpg home directory whose agent is stopped when the test ends, pass or fail.
    struct GpgHome(tempfile::TempDir);
    impl Drop for GpgHome {
        fn drop(&mut self) {
            let _ = std::process::Command::new("gpgconf")
                .args([
                    "--homedir",
                    self.0.path().to_str().unwrap_or(""),
                    "--kill",
                    "all",
                ])
                .status();
        }
    }
    fn gpg_home() -> GpgHome {
        GpgHome(tempfile::tempdir().unwrap())
    }

    fn gpg(home: &Path, args: &[&str]) -> Vec<u8> {
        let home = home.to_str().unwrap();
        let mut a = vec![
            "--batch",
            "--no-tty",
            "--homedir",
            home,
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
        ];
        a.extend_from_slice(args);
        run(home.as_ref(), "gpg", "gnupg", &a)
    }

    /// What `gpg --with-colons` says about each key, in order:
    /// (fingerprint, algorithm id, bits, key id, created, curve, is_sub, first uid of its primary).
    type Row = (String, u8, u32, String, u32, String, bool, Option<String>);

    fn colons(out: &[u8]) -> Vec<Row> {
        let text = String::from_utf8_lossy(out);
        let mut rows: Vec<Row> = Vec::new();
        let mut uid: Option<String> = None;
        let mut primary_at = 0;
        for line in text.lines() {
            let f: Vec<&str> = line.split(':').collect();
            match f[0] {
                "pub" | "sec" | "sub" | "ssb" => {
                    let is_sub = f[0] == "sub" || f[0] == "ssb";
                    if !is_sub {
                        uid = None;
                        primary_at = rows.len();
                    }
                    rows.push((
                        String::new(),
                        f[3].parse().unwrap(),
                        f[2].parse().unwrap(),
                        f[4].to_string(),
                        f[5].parse().unwrap(),
                        f.get(16).unwrap_or(&"").to_string(),
                        is_sub,
                        if is_sub { uid.clone() } else { None },
                    ));
                }
                "fpr" => {
                    if let Some(r) = rows.last_mut() {
                        if r.0.is_empty() {
                            r.0 = f[9].to_string();
                        }
                    }
                }
                "uid" if uid.is_none() => {
                    uid = Some(f[9].replace("\\x3a", ":"));
                    for r in rows.iter_mut().skip(primary_at) {
                        r.7 = uid.clone();
                    }
                }
                _ => {}
            }
        }
        rows
    }

    /// gpg's curve names to the OIDs of RFC 9580 §9.2 (and the legacy 25519 ones).
    fn gpg_curve_oid(name: &str) -> &'static str {
        match name {
            "ed25519" => "1.3.6.1.4.1.11591.15.1",
            "cv25519" => "1.3.6.1.4.1.3029.1.5.1",
            "nistp256" => "1.2.840.10045.3.1.7",
            "nistp384" => "1.3.132.0.34",
            "nistp521" => "1.3.132.0.35",
            "brainpoolP256r1" => "1.3.36.3.3.2.8.1.1.7",
            "ed448" => "1.3.101.113",
            "cv448" => "1.3.101.111",
            other => panic!("curve {other} not in the test table"),
        }
    }

    fn check_against_gpg(keys: &[PgpKey], rows: &[Row], what: &str) {
        assert_eq!(keys.len(), rows.len(), "{what}: {keys:#?}");
        for (k, r) in keys.iter().zip(rows) {
            assert_eq!(k.fingerprint.as_deref(), Some(r.0.as_str()), "{what}");
            assert_eq!(k.algorithm_id, r.1, "{what}");
            assert_eq!(k.bits, Some(r.2), "{what} {k:?}");
            assert_eq!(k.key_id.as_deref(), Some(r.3.as_str()), "{what}");
            assert_eq!(k.created, r.4, "{what}");
            assert_eq!(k.is_subkey, r.6, "{what}");
            assert_eq!(k.user_id, r.7, "{what}");
            if r.5.is_empty() {
                assert_eq!(k.curve_oid, None, "{what}");
            } else {
                assert_eq!(k.curve_oid.as_deref(), Some(gpg_curve_oid(&r.5)), "{what}");
                assert!(k.curve.is_some(), "{what} {k:?}");
            }
            if k.is_subkey {
                assert!(k.primary_fingerprint.is_some(), "{what}");
            }
        }
    }

    fn show_keys(file: &Path) -> Vec<Row> {
        let home = gpg_home();
        let out = gpg(
            home.0.path(),
            &[
                "--with-colons",
                "--fixed-list-mode",
                "--show-keys",
                file.to_str().unwrap(),
            ],
        );
        colons(&out)
    }

    #[test]
    fn keys_made_by_gpg() {
        let home = gpg_home();
        let h = home.0.path();
        let specs: &[(&str, &str, Option<&str>)] = &[
            ("RSA Tester <rsa@example.org>", "rsa3072", None),
            ("Ed Tester <ed@example.org>", "ed25519", Some("cv25519")),
            (
                "P256 Tester <p256@example.org>",
                "nistp256",
                Some("nistp256"),
            ),
            ("DSA Tester <dsa@example.org>", "dsa2048", Some("elg2048")),
            ("BP Tester <bp@example.org>", "brainpoolP256r1", None),
            ("P384 Tester <p384@example.org>", "nistp384", None),
        ];
        for (uid, algo, sub) in specs {
            gpg(h, &["--quick-gen-key", uid, algo, "sign", "never"]);
            if let Some(sub) = sub {
                let list = gpg(h, &["--with-colons", "--list-keys", uid]);
                let fpr = colons(&list)[0].0.clone();
                gpg(h, &["--quick-add-key", &fpr, sub, "encr", "never"]);
            }
        }
        let expected = colons(&gpg(
            h,
            &["--with-colons", "--fixed-list-mode", "--list-keys"],
        ));
        assert_eq!(expected.len(), 9);

        let bin = gpg(h, &["--export"]);
        let keys = parse(&bin).unwrap();
        check_against_gpg(&keys, &expected, "binary export");
        assert!(keys.iter().all(|k| k.version == 4 && !k.is_secret));
        assert_eq!(keys[0].algorithm, "RSA");
        assert_eq!(
            keys[0].user_id.as_deref(),
            Some("RSA Tester <rsa@example.org>")
        );
        assert!(sniff(&bin));

        let armored = gpg(h, &["--export", "--armor"]);
        assert!(sniff(&armored));
        check_against_gpg(&parse(&armored).unwrap(), &expected, "armored export");

        // The keybox gpg keeps them in.
        let kbx = std::fs::read(h.join("pubring.kbx")).expect("gpg 2.1+ writes pubring.kbx");
        assert!(sniff(&kbx));
        check_against_gpg(&parse(&kbx).unwrap(), &expected, "pubring.kbx");

        // Secret keys: same fingerprints, marked secret and unprotected (empty passphrase).
        let sec = gpg(h, &["--export-secret-keys"]);
        let skeys = parse(&sec).unwrap();
        check_against_gpg(&skeys, &expected, "secret export");
        assert!(skeys
            .iter()
            .all(|k| k.is_secret && k.secret_protected == Some(false)));
        let sec_armored = gpg(h, &["--export-secret-keys", "--armor"]);
        assert_eq!(parse(&sec_armored).unwrap(), skeys);

        for data in [&bin, &armored, &kbx, &sec] {
            no_panic_on_damage(data, parse);
            let mut n = 0;
            while n < data.len() {
                // A cut on a packet boundary is a valid, shorter keyring.
                if let Ok(part) = parse(&data[..n]) {
                    assert!(part.len() <= keys.len());
                    for (a, b) in part.iter().zip(&keys) {
                        assert_eq!(a.fingerprint, b.fingerprint);
                    }
                }
                n += 97;
            }
        }
        // A wrong armor checksum is caught (gpg 2.2 writes the optional CRC24 line).
        let text = String::from_utf8(armored.clone()).unwrap();
        let crc_line = text
            .lines()
            .find(|l| l.len() == 5 && l.starts_with('='))
            .expect("gpg writes a CRC24 line")
            .to_string();
        let other = if crc_line == "=AAAA" {
            "=AAAB"
        } else {
            "=AAAA"
        };
        let broken = text.replace(&format!("\n{crc_line}\n"), &format!("\n{other}\n"));
        assert!(matches!(parse(broken.as_bytes()), Err(PgpError::Armor(_))));
        // And it is optional.
        let without = text.replace(&format!("\n{crc_line}\n"), "\n");
        check_against_gpg(
            &parse(without.as_bytes()).unwrap(),
            &expected,
            "armor without CRC",
        );
    }

    #[test]
    fn system_keyrings_match_gpg() {
        let mut files: Vec<std::path::PathBuf> = Vec::new();
        for dir in ["/usr/share/keyrings", "/etc/apt/trusted.gpg.d"] {
            if let Ok(rd) = std::fs::read_dir(dir) {
                files.extend(rd.map(|e| e.unwrap().path()).filter(|p| {
                    matches!(p.extension().and_then(|e| e.to_str()), Some("gpg" | "asc"))
                }));
            }
        }
        files.sort();
        let main = Path::new("/usr/share/keyrings/debian-archive-keyring.gpg");
        assert!(
            files.iter().any(|f| f == main),
            "{} missing: install the Debian package debian-archive-keyring",
            main.display()
        );
        for f in &files {
            let data = std::fs::read(f).unwrap();
            let keys = parse(&data).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            check_against_gpg(&keys, &show_keys(f), &f.display().to_string());
            assert!(!keys.is_empty(), "{}", f.display());
        }
        let data = std::fs::read(main).unwrap();
        no_panic_on_damage(&data, parse);
    }

    #[test]
    fn v6_and_pqc_key_packets() {
        // A v6 Ed25519 public key packet as RFC 9580 Appendix A.3 gives it, its fingerprint
        // checked against the value printed there.
        let pk = hex_bytes(
            "c62a0663877fe31b00000020f94da7bb48d60a61e567706a6587d0331999bb9d891a08242ead84543df895a3",
        );
        let keys = parse(&pk).unwrap();
        assert_eq!(keys.len(), 1);
        let k = &keys[0];
        assert_eq!(
            (k.version, k.algorithm_id, k.algorithm.as_str()),
            (6, 27, "Ed25519")
        );
        assert_eq!(
            k.fingerprint.as_deref(),
            Some("CB186C4F0609A697E4D52DFA6C722B0C1F1E27C18A56708F6525EC27BAD9ACC9")
        );
        assert_eq!(k.key_id.as_deref(), Some("CB186C4F0609A697"));
        assert_eq!(k.created, 0x6387_7fe3);
        // The same body as a draft-ietf-openpgp-pqc algorithm (ID 35): named, fingerprinted.
        let mut pq = pk.clone();
        pq[7] = 35;
        let k = &parse(&pq).unwrap()[0];
        assert_eq!(k.algorithm, "ML-KEM-768+X25519");
        assert!(k.fingerprint.is_some());
        // Partial body lengths: 32 + 8 + 2 octets of the same packet, split.
        let body = &pk[2..];
        let mut split = vec![0xc6, 0xe5];
        split.extend_from_slice(&body[..32]);
        split.push(0xe3);
        split.extend_from_slice(&body[32..40]);
        split.push(2);
        split.extend_from_slice(&body[40..]);
        assert_eq!(parse(&split).unwrap(), keys);
    }

    fn hex_bytes(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    #[test]
    fn garbage() {
        assert_eq!(parse(b""), Err(PgpError::NotPgp));
        assert_eq!(parse(b"hello"), Err(PgpError::NotPgp));
        assert!(parse(&[0x99, 0x01]).is_err());
        assert!(parse(&[0xc6, 0xff, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(matches!(
            parse(b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQ==\n"),
            Err(PgpError::Armor(_))
        ));
        assert_eq!(crc24(b""), 0xB704CE);
        assert!(!sniff(b"\x30\x82"));
    }
}
