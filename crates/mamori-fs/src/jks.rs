//! Java KeyStore (JKS, magic `FEEDFEED`, versions 1 and 2) and JCEKS (magic `CECECECE`)
//! files.
//!
//! Certificates in these keystores are stored in clear, so [`parse`] returns every entry
//! (alias, kind, creation date, certificate chain) whatever the password. It also checks
//! the keystore's integrity digest — SHA-1 over the password (UTF-16BE), the bytes of
//! `"Mighty Aphrodite"` and the whole file before the digest — against each password given,
//! and says which one verified it. Private keys are encrypted with Sun's proprietary
//! algorithms and are never decrypted: a key's algorithm is that of the first certificate of
//! its chain. JCEKS secret keys are sealed Java objects; their sealing algorithm is reported,
//! the key itself is never opened.
//!
//! ```no_run
//! let data = std::fs::read("cacerts").unwrap();
//! let ks = mamori_fs::jks::parse(&data, &["changeit".to_string()]).unwrap();
//! for e in &ks.entries {
//!     println!("{} {:?} {} certificate(s)", e.alias, e.kind, e.chain.len());
//! }
//! ```

use sha1::{Digest, Sha1};

/// What went wrong reading a keystore.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JksError {
    /// The file does not start with the JKS or JCEKS magic number.
    #[error("not a Java keystore")]
    NotJks,
    /// A JKS/JCEKS structure that is broken or truncated.
    #[error("malformed Java keystore: {0}")]
    Malformed(String),
}

/// Which keystore format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JksFormat {
    /// Sun's JKS (`0xFEEDFEED`).
    Jks,
    /// SunJCE's JCEKS (`0xCECECECE`).
    Jceks,
}

/// The kind of a keystore entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A private key with its certificate chain.
    PrivateKey,
    /// A trusted certificate.
    TrustedCert,
    /// A secret (symmetric) key (JCEKS only).
    SecretKey,
}

/// One keystore entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JksEntry {
    /// The alias.
    pub alias: String,
    /// What the entry holds.
    pub kind: EntryKind,
    /// Creation date, milliseconds since the Unix epoch (as Java's `Date`).
    pub created_ms: i64,
    /// Certificates, DER: the chain of a private key (leaf first) or the one trusted
    /// certificate. Certificates of a type other than X.509 are left out.
    pub chain: Vec<Vec<u8>>,
    /// How the key is protected: `JKS-KeyProtector` (Sun's SHA-1 XOR scheme),
    /// `PBEWithMD5AndTripleDES` (JCEKS), or the algorithm OID found; `None` for certificates.
    pub protection: Option<String>,
}

/// Everything read from a keystore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JksContents {
    /// JKS or JCEKS.
    pub format: JksFormat,
    /// The format version (1 or 2).
    pub version: u32,
    /// The entries, in file order.
    pub entries: Vec<JksEntry>,
    /// The password that verified the integrity digest (for the caller only; never report
    /// it), or `None` when none of those given did.
    pub password_verified: Option<String>,
}

const MAGIC_JKS: u32 = 0xFEED_FEED;
const MAGIC_JCEKS: u32 = 0xCECE_CECE;
const OID_JKS_KEY_PROTECTOR: &str = "1.3.6.1.4.1.42.2.17.1.1";
const OID_JCEKS_KEY_PROTECTOR: &str = "1.3.6.1.4.1.42.2.19.1";

/// A bounds-checked big-endian reader.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], JksError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or_else(|| JksError::Malformed(format!("truncated in {what}")))?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u16(&mut self, what: &str) -> Result<u16, JksError> {
        let b = self.take(2, what)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, what: &str) -> Result<u32, JksError> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&mut self, what: &str) -> Result<u64, JksError> {
        let b = self.take(8, what)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }
    /// `DataOutput.writeUTF`: a 2-byte length and modified UTF-8.
    fn utf(&mut self, what: &str) -> Result<String, JksError> {
        let n = self.u16(what)? as usize;
        Ok(modified_utf8(self.take(n, what)?))
    }
    /// A 4-byte length and that many bytes.
    fn blob(&mut self, what: &str) -> Result<&'a [u8], JksError> {
        let n = self.u32(what)? as usize;
        self.take(n, what)
    }
}

/// Decode Java's modified UTF-8 (CESU-8 surrogates, `C0 80` for NUL), lossily.
fn modified_utf8(b: &[u8]) -> String {
    let mut units: Vec<u16> = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let (u, n) = match c {
            0x00..=0x7f => (c as u16, 1),
            0xc0..=0xdf => match b.get(i + 1) {
                Some(&c2) => ((((c & 0x1f) as u16) << 6) | (c2 & 0x3f) as u16, 2),
                None => (0xfffd, 1),
            },
            0xe0..=0xef => match (b.get(i + 1), b.get(i + 2)) {
                (Some(&c2), Some(&c3)) => (
                    (((c & 0x0f) as u16) << 12) | (((c2 & 0x3f) as u16) << 6) | (c3 & 0x3f) as u16,
                    3,
                ),
                _ => (0xfffd, 1),
            },
            _ => (0xfffd, 1),
        };
        units.push(u);
        i += n;
    }
    String::from_utf16_lossy(&units)
}

/// Read a JKS or JCEKS keystore, and check its digest against each of `passwords`.
pub fn parse(data: &[u8], passwords: &[String]) -> Result<JksContents, JksError> {
    let mut r = Reader { data, pos: 0 };
    let format = match r.u32("magic").map_err(|_| JksError::NotJks)? {
        MAGIC_JKS => JksFormat::Jks,
        MAGIC_JCEKS => JksFormat::Jceks,
        _ => return Err(JksError::NotJks),
    };
    let version = r.u32("version")?;
    if version != 1 && version != 2 {
        return Err(JksError::Malformed(format!("unknown version {version}")));
    }
    let count = r.u32("entry count")?;
    let mut entries = Vec::new();
    for i in 0..count {
        let what = format!("entry {}", i + 1);
        let tag = r.u32(&what)?;
        let alias = r.utf(&what)?;
        let created_ms = r.u64(&what)? as i64;
        let mut entry = JksEntry {
            alias,
            kind: EntryKind::TrustedCert,
            created_ms,
            chain: Vec::new(),
            protection: None,
        };
        match tag {
            1 => {
                entry.kind = EntryKind::PrivateKey;
                let key = r.blob(&what)?;
                entry.protection = Some(key_protection(key));
                let n = r.u32(&what)?;
                for _ in 0..n {
                    if let Some(c) = read_cert(&mut r, version, &what)? {
                        entry.chain.push(c);
                    }
                }
            }
            2 => {
                if let Some(c) = read_cert(&mut r, version, &what)? {
                    entry.chain.push(c);
                }
            }
            3 if format == JksFormat::Jceks => {
                entry.kind = EntryKind::SecretKey;
                let mut ser = JavaSer::new(data, r.pos);
                ser.stream()
                    .map_err(|e| JksError::Malformed(format!("{what}: sealed secret key: {e}")))?;
                entry.protection = Some(ser.seal_alg.unwrap_or_else(|| "sealed object".into()));
                r.pos = ser.pos;
            }
            t => {
                return Err(JksError::Malformed(format!(
                    "{what}: unknown entry tag {t}"
                )))
            }
        }
        entries.push(entry);
    }
    let body_len = r.pos;
    let digest = r.take(20, "integrity digest")?;
    let body = &data[..body_len];
    let password_verified = passwords
        .iter()
        .find(|p| {
            let mut h = Sha1::new();
            for u in p.encode_utf16() {
                h.update(u.to_be_bytes());
            }
            h.update(b"Mighty Aphrodite");
            h.update(body);
            h.finalize().as_slice() == digest
        })
        .cloned();
    Ok(JksContents {
        format,
        version,
        entries,
        password_verified,
    })
}

fn read_cert(r: &mut Reader<'_>, version: u32, what: &str) -> Result<Option<Vec<u8>>, JksError> {
    let kind = if version == 2 {
        r.utf(what)?
    } else {
        "X.509".to_string()
    };
    let der = r.blob(what)?;
    Ok((kind == "X.509").then(|| der.to_vec()))
}

/// The algorithm of an EncryptedPrivateKeyInfo, named.
fn key_protection(epki: &[u8]) -> String {
    use crate::pkcs12::{children, expect_whole, oid_string};
    let oid = expect_whole(epki, 0x30)
        .ok()
        .and_then(|t| children(&t).ok())
        .and_then(|c| c.first().copied())
        .and_then(|a| children(&a).ok())
        .and_then(|c| c.first().copied())
        .filter(|t| t.tag == 0x06)
        .and_then(|t| oid_string(t.body));
    match oid.as_deref() {
        Some(OID_JKS_KEY_PROTECTOR) => "JKS-KeyProtector".into(),
        Some(OID_JCEKS_KEY_PROTECTOR) => "PBEWithMD5AndTripleDES".into(),
        Some(o) => o.to_string(),
        None => "unknown".into(),
    }
}

// ---------------------------------------------------------------------------------------
// Just enough of Java object serialization to step over a JCEKS sealed secret key
// (javax.crypto.SealedObject) and read its `sealAlg`.

const TC_NULL: u8 = 0x70;
const TC_REFERENCE: u8 = 0x71;
const TC_CLASSDESC: u8 = 0x72;
const TC_OBJECT: u8 = 0x73;
const TC_STRING: u8 = 0x74;
const TC_ARRAY: u8 = 0x75;
const TC_CLASS: u8 = 0x76;
const TC_BLOCKDATA: u8 = 0x77;
const TC_ENDBLOCKDATA: u8 = 0x78;
const TC_RESET: u8 = 0x79;
const TC_BLOCKDATALONG: u8 = 0x7A;
const TC_LONGSTRING: u8 = 0x7C;
const TC_PROXYCLASSDESC: u8 = 0x7D;
const TC_ENUM: u8 = 0x7E;
const SC_WRITE_METHOD: u8 = 0x01;
const SC_SERIALIZABLE: u8 = 0x02;
const SC_EXTERNALIZABLE: u8 = 0x04;
const SC_BLOCK_DATA: u8 = 0x08;

fn prim_size(ty: u8) -> Option<usize> {
    Some(match ty {
        b'B' | b'Z' => 1,
        b'C' | b'S' => 2,
        b'I' | b'F' => 4,
        b'J' | b'D' => 8,
        _ => return None,
    })
}

#[derive(Clone)]
struct ClassDesc {
    flags: u8,
    fields: Vec<(u8, String)>,
    parent: Option<usize>,
}

#[derive(Clone)]
enum Handle {
    Class(usize),
    Str(String),
    Other,
}

struct JavaSer<'a> {
    data: &'a [u8],
    pos: usize,
    classes: Vec<ClassDesc>,
    handles: Vec<Handle>,
    depth: u32,
    seal_alg: Option<String>,
}

type SerResult<T> = Result<T, &'static str>;

impl<'a> JavaSer<'a> {
    fn new(data: &'a [u8], pos: usize) -> Self {
        JavaSer {
            data,
            pos,
            classes: Vec::new(),
            handles: Vec::new(),
            depth: 0,
            seal_alg: None,
        }
    }
    fn take(&mut self, n: usize) -> SerResult<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.data.len())
            .ok_or("truncated")?;
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> SerResult<u8> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> SerResult<u16> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> SerResult<u32> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn utf(&mut self) -> SerResult<String> {
        let n = self.u16()? as usize;
        Ok(modified_utf8(self.take(n)?))
    }
    fn handle(&self, h: u32) -> SerResult<Handle> {
        let i = h.checked_sub(0x7E_0000).ok_or("bad handle")? as usize;
        self.handles.get(i).cloned().ok_or("dangling handle")
    }

    /// `AC ED 00 05` and one object.
    fn stream(&mut self) -> SerResult<()> {
        if self.take(4)? != [0xAC, 0xED, 0x00, 0x05] {
            return Err("no serialization header");
        }
        self.content().map(|_| ())
    }

    /// One content item; returns a string's value when it is one.
    fn content(&mut self) -> SerResult<Option<String>> {
        self.depth += 1;
        if self.depth > 32 {
            return Err("nested too deep");
        }
        let r = self.content_inner();
        self.depth -= 1;
        r
    }

    fn content_inner(&mut self) -> SerResult<Option<String>> {
        let tc = self.u8()?;
        match tc {
            TC_NULL => Ok(None),
            TC_REFERENCE => {
                let h = self.u32()?;
                Ok(match self.handle(h)? {
                    Handle::Str(s) => Some(s),
                    _ => None,
                })
            }
            TC_STRING | TC_LONGSTRING => {
                let s = if tc == TC_STRING {
                    self.utf()?
                } else {
                    let b = self.take(8)?;
                    let n = u64::from_be_bytes(b.try_into().map_err(|_| "truncated")?);
                    let n = usize::try_from(n).map_err(|_| "string too long")?;
                    modified_utf8(self.take(n)?)
                };
                self.handles.push(Handle::Str(s.clone()));
                Ok(Some(s))
            }
            TC_CLASSDESC | TC_PROXYCLASSDESC => {
                self.pos -= 1;
                self.class_desc()?;
                Ok(None)
            }
            TC_CLASS => {
                self.class_desc()?;
                self.handles.push(Handle::Other);
                Ok(None)
            }
            TC_ARRAY => {
                let cd = self.class_desc()?.ok_or("array without class")?;
                self.handles.push(Handle::Other);
                let n = self.u32()? as usize;
                let ty = self.array_type(cd);
                if let Some(size) = prim_size(ty) {
                    self.take(n.checked_mul(size).ok_or("array too large")?)?;
                    return Ok(None);
                }
                for _ in 0..n {
                    if self.pos >= self.data.len() {
                        return Err("truncated array");
                    }
                    self.value(ty)?;
                }
                Ok(None)
            }
            TC_ENUM => {
                self.class_desc()?;
                self.handles.push(Handle::Other);
                self.content()?;
                Ok(None)
            }
            TC_OBJECT => {
                let cd = self.class_desc()?.ok_or("object without class")?;
                self.handles.push(Handle::Other);
                // Class data from the top superclass down.
                let mut chain = Vec::new();
                let mut c = Some(cd);
                while let Some(i) = c {
                    if chain.len() > 32 {
                        return Err("class hierarchy too deep");
                    }
                    chain.push(i);
                    c = self.classes.get(i).and_then(|d| d.parent);
                }
                for &i in chain.iter().rev() {
                    let d = self.classes.get(i).cloned().ok_or("bad class")?;
                    if d.flags & SC_SERIALIZABLE != 0 {
                        for (ty, name) in &d.fields {
                            let s = self.value(*ty)?;
                            if name == "sealAlg" {
                                if let Some(s) = s {
                                    self.seal_alg = Some(s);
                                }
                            }
                        }
                        if d.flags & SC_WRITE_METHOD != 0 {
                            self.annotation()?;
                        }
                    } else if d.flags & SC_EXTERNALIZABLE != 0 {
                        if d.flags & SC_BLOCK_DATA == 0 {
                            return Err("old externalizable format");
                        }
                        self.annotation()?;
                    }
                }
                Ok(None)
            }
            TC_BLOCKDATA => {
                let n = self.u8()? as usize;
                self.take(n)?;
                Ok(None)
            }
            TC_BLOCKDATALONG => {
                let n = self.u32()? as usize;
                self.take(n)?;
                Ok(None)
            }
            TC_RESET => {
                self.handles.clear();
                Ok(None)
            }
            _ => Err("unexpected type code"),
        }
    }

    fn array_type(&self, cd: usize) -> u8 {
        // The array class name is kept as the first "field" of its descriptor (see class_desc).
        self.classes
            .get(cd)
            .and_then(|c| c.fields.first())
            .map(|f| f.0)
            .unwrap_or(b'L')
    }

    /// A field value of type code `ty`.
    fn value(&mut self, ty: u8) -> SerResult<Option<String>> {
        match (ty, prim_size(ty)) {
            (_, Some(n)) => {
                self.take(n)?;
                Ok(None)
            }
            (b'L' | b'[', None) => self.content(),
            _ => Err("bad field type"),
        }
    }

    /// Contents up to TC_ENDBLOCKDATA.
    fn annotation(&mut self) -> SerResult<()> {
        loop {
            if self.data.get(self.pos) == Some(&TC_ENDBLOCKDATA) {
                self.pos += 1;
                return Ok(());
            }
            if self.pos >= self.data.len() {
                return Err("truncated annotation");
            }
            self.content()?;
        }
    }

    /// classDesc: a new one, a proxy, a reference, or null. Returns its index.
    fn class_desc(&mut self) -> SerResult<Option<usize>> {
        self.depth += 1;
        if self.depth > 32 {
            return Err("nested too deep");
        }
        let r = self.class_desc_inner();
        self.depth -= 1;
        r
    }

    fn class_desc_inner(&mut self) -> SerResult<Option<usize>> {
        match self.u8()? {
            TC_NULL => Ok(None),
            TC_REFERENCE => {
                let h = self.u32()?;
                match self.handle(h)? {
                    Handle::Class(i) => Ok(Some(i)),
                    _ => Err("reference to a non-class"),
                }
            }
            TC_CLASSDESC => {
                let name = self.utf()?;
                self.take(8)?; // serialVersionUID
                let idx = self.classes.len();
                // Arrays: remember the element type code as a pseudo-field.
                let mut fields = Vec::new();
                if let Some(t) = name.as_bytes().get(1).filter(|_| name.starts_with('[')) {
                    fields.push((*t, String::new()));
                }
                self.classes.push(ClassDesc {
                    flags: 0,
                    fields: Vec::new(),
                    parent: None,
                });
                self.handles.push(Handle::Class(idx));
                let flags = self.u8()?;
                let n = self.u16()?;
                let mut real = Vec::new();
                for _ in 0..n {
                    let ty = self.u8()?;
                    let fname = self.utf()?;
                    if ty == b'L' || ty == b'[' {
                        self.content()?; // the field's class name, a String
                    }
                    real.push((ty, fname));
                }
                self.annotation()?;
                let parent = self.class_desc()?;
                if let Some(c) = self.classes.get_mut(idx) {
                    c.flags = flags;
                    c.fields = if name.starts_with('[') { fields } else { real };
                    c.parent = parent;
                }
                Ok(Some(idx))
            }
            TC_PROXYCLASSDESC => {
                let idx = self.classes.len();
                self.classes.push(ClassDesc {
                    flags: SC_SERIALIZABLE,
                    fields: Vec::new(),
                    parent: None,
                });
                self.handles.push(Handle::Class(idx));
                let n = self.u32()?;
                for _ in 0..n.min(65_535) {
                    self.utf()?;
                }
                self.annotation()?;
                let parent = self.class_desc()?;
                if let Some(c) = self.classes.get_mut(idx) {
                    c.parent = parent;
                }
                Ok(Some(idx))
            }
            _ => Err("expected a class descriptor"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pkcs12::tests::{no_panic_on_damage, run};
    use std::path::Path;

    fn keytool(dir: &Path, args: &[&str]) -> Vec<u8> {
        run(dir, "keytool", "openjdk-17-jdk-headless", args)
    }

    fn gen(dir: &Path, store: &str, kind: &str, alias: &str, alg: &[&str]) {
        let mut a = vec![
            "-genkeypair",
            "-keystore",
            store,
            "-storetype",
            kind,
            "-storepass",
            "changeit",
            "-keypass",
            "changeit",
            "-alias",
            alias,
            "-dname",
            "CN=mamori test",
            "-validity",
            "2",
        ];
        a.extend_from_slice(alg);
        keytool(dir, &a);
    }

    fn export(dir: &Path, store: &str, alias: &str, out: &str) -> Vec<u8> {
        keytool(
            dir,
            &[
                "-exportcert",
                "-keystore",
                store,
                "-storepass",
                "changeit",
                "-alias",
                alias,
                "-file",
                out,
            ],
        );
        std::fs::read(dir.join(out)).unwrap()
    }

    fn import_trusted(dir: &Path, store: &str, kind: &str, file: &str) {
        keytool(
            dir,
            &[
                "-importcert",
                "-noprompt",
                "-keystore",
                store,
                "-storetype",
                kind,
                "-storepass",
                "changeit",
                "-alias",
                "trusted ca",
                "-file",
                file,
            ],
        );
    }

    fn pw(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn now_ms() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
    }

    #[test]
    fn keytool_jks_private_key_and_trusted_cert() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        gen(
            d,
            "other.jks",
            "JKS",
            "ca",
            &["-keyalg", "EC", "-groupname", "secp384r1"],
        );
        let ca = export(d, "other.jks", "ca", "ca.der");
        gen(
            d,
            "a.jks",
            "JKS",
            "server",
            &["-keyalg", "RSA", "-keysize", "2048"],
        );
        import_trusted(d, "a.jks", "JKS", "ca.der");
        let leaf = export(d, "a.jks", "server", "leaf.der");
        let data = std::fs::read(d.join("a.jks")).unwrap();

        let ks = parse(&data, &pw(&["wrong", "changeit"])).unwrap();
        assert_eq!((ks.format, ks.version), (JksFormat::Jks, 2));
        assert_eq!(ks.password_verified.as_deref(), Some("changeit"));
        assert_eq!(ks.entries.len(), 2);
        let key = ks.entries.iter().find(|e| e.alias == "server").unwrap();
        assert_eq!(key.kind, EntryKind::PrivateKey);
        assert_eq!(key.chain, vec![leaf]);
        assert_eq!(key.protection.as_deref(), Some("JKS-KeyProtector"));
        assert!(
            (now_ms() - key.created_ms).abs() < 86_400_000,
            "{}",
            key.created_ms
        );
        let tc = ks.entries.iter().find(|e| e.alias == "trusted ca").unwrap();
        assert_eq!((tc.kind, &tc.chain), (EntryKind::TrustedCert, &vec![ca]));
        assert_eq!(tc.protection, None);
        // The chain's key algorithm is readable from the certificate.
        let (_, cert) = x509_parser::parse_x509_certificate(&key.chain[0]).unwrap();
        let s = crate::pkcs12::spki_summary(cert.tbs_certificate.subject_pki.raw).unwrap();
        assert_eq!((s.algorithm.as_deref(), s.bits), (Some("RSA"), Some(2048)));

        // Wrong password: entries still there, nothing verified.
        let ks = parse(&data, &pw(&["nope"])).unwrap();
        assert_eq!((ks.entries.len(), ks.password_verified), (2, None));

        let mut n = 0;
        while n < data.len() {
            assert!(
                parse(&data[..n], &pw(&["changeit"])).is_err(),
                "truncated at {n}"
            );
            n += 97;
        }
        no_panic_on_damage(&data, |b| parse(b, &pw(&["changeit"])));
    }

    #[test]
    fn keytool_jceks_with_secret_key() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        gen(
            d,
            "b.jceks",
            "JCEKS",
            "ec key",
            &["-keyalg", "EC", "-groupname", "secp256r1"],
        );
        keytool(
            d,
            &[
                "-genseckey",
                "-keystore",
                "b.jceks",
                "-storetype",
                "JCEKS",
                "-storepass",
                "changeit",
                "-keypass",
                "changeit",
                "-alias",
                "aes key",
                "-keyalg",
                "AES",
                "-keysize",
                "256",
            ],
        );
        gen(
            d,
            "b.jceks",
            "JCEKS",
            "rsa key",
            &["-keyalg", "RSA", "-keysize", "3072"],
        );
        let data = std::fs::read(d.join("b.jceks")).unwrap();
        let ks = parse(&data, &pw(&["changeit"])).unwrap();
        assert_eq!(ks.format, JksFormat::Jceks);
        assert_eq!(ks.password_verified.as_deref(), Some("changeit"));
        let mut names: Vec<_> = ks
            .entries
            .iter()
            .map(|e| (e.alias.as_str(), e.kind))
            .collect();
        names.sort_by_key(|x| x.0);
        assert_eq!(
            names,
            vec![
                ("aes key", EntryKind::SecretKey),
                ("ec key", EntryKind::PrivateKey),
                ("rsa key", EntryKind::PrivateKey)
            ]
        );
        for e in &ks.entries {
            match e.kind {
                EntryKind::SecretKey => {
                    assert_eq!(e.protection.as_deref(), Some("PBEWithMD5AndTripleDES"));
                    assert!(e.chain.is_empty());
                }
                _ => {
                    assert_eq!(e.protection.as_deref(), Some("PBEWithMD5AndTripleDES"));
                    assert_eq!(e.chain.len(), 1);
                }
            }
        }
        no_panic_on_damage(&data, |b| parse(b, &pw(&["changeit"])));
    }

    #[test]
    fn keytool_pkcs12_keystore() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        gen(
            d,
            "ca.p12",
            "PKCS12",
            "ca",
            &["-keyalg", "RSA", "-keysize", "2048"],
        );
        let ca = export(d, "ca.p12", "ca", "ca.der");
        gen(
            d,
            "s.p12",
            "PKCS12",
            "server",
            &["-keyalg", "EC", "-groupname", "secp256r1"],
        );
        import_trusted(d, "s.p12", "PKCS12", "ca.der");
        keytool(
            d,
            &[
                "-genseckey",
                "-keystore",
                "s.p12",
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit",
                "-alias",
                "aes key",
                "-keyalg",
                "AES",
                "-keysize",
                "128",
            ],
        );
        let leaf = export(d, "s.p12", "server", "leaf.der");
        let data = std::fs::read(d.join("s.p12")).unwrap();
        // A PKCS12 keystore is not JKS.
        assert_eq!(parse(&data, &[]), Err(JksError::NotJks));

        let c = crate::pkcs12::parse(&data, &pw(&["", "changeit"])).unwrap();
        assert_eq!(c.password_used.as_deref(), Some("changeit"));
        assert_eq!(c.mac_algorithm.as_deref(), Some("HMAC-SHA-256"));
        assert_eq!(c.mac_verified, Some(true));
        assert_eq!(c.encryption, vec!["PBES2-PBKDF2-HMAC-SHA-256-AES-256-CBC"]);
        assert!(c.certificates.contains(&ca) && c.certificates.contains(&leaf));
        assert_eq!(c.keys.len(), 1);
        let k = &c.keys[0];
        assert_eq!(k.friendly_name.as_deref(), Some("server"));
        assert_eq!(k.summary.as_ref().unwrap().curve.as_deref(), Some("P-256"));
        assert_eq!(c.secrets.len(), 1, "{:?}", c.skipped);
        assert_eq!(c.secrets[0].friendly_name.as_deref(), Some("aes key"));
        assert_eq!(c.secrets[0].bits, Some(128));
        assert!(
            c.secrets[0]
                .algorithm
                .as_deref()
                .unwrap_or("")
                .starts_with("AES"),
            "{:?}",
            c.secrets
        );
        assert_eq!(
            crate::pkcs12::parse(&data, &pw(&["", "x"])),
            Err(crate::pkcs12::Pkcs12Error::WrongPassword)
        );
    }

    #[test]
    fn system_java_cacerts() {
        // Debian's ca-certificates-java writes a JKS; keytool lists the same entries.
        let path = Path::new("/etc/ssl/certs/java/cacerts");
        let data = std::fs::read(path)
            .expect("/etc/ssl/certs/java/cacerts: install the Debian package ca-certificates-java");
        let list = keytool(
            Path::new("/"),
            &[
                "-list",
                "-keystore",
                "/etc/ssl/certs/java/cacerts",
                "-storepass",
                "changeit",
            ],
        );
        let listed = String::from_utf8_lossy(&list)
            .matches("trustedCertEntry")
            .count();
        match parse(&data, &pw(&["x", "changeit"])) {
            Ok(ks) => {
                assert_eq!(ks.password_verified.as_deref(), Some("changeit"));
                assert_eq!(ks.entries.len(), listed);
                assert!(ks
                    .entries
                    .iter()
                    .all(|e| e.kind == EntryKind::TrustedCert && e.chain.len() == 1));
                for e in &ks.entries {
                    assert!(
                        x509_parser::parse_x509_certificate(&e.chain[0]).is_ok(),
                        "{}",
                        e.alias
                    );
                }
            }
            // A PKCS#12 cacerts (newer Debian) is for the PKCS#12 parser.
            Err(JksError::NotJks) => {
                let c = crate::pkcs12::parse(&data, &pw(&["changeit"])).unwrap();
                assert_eq!(c.certificates.len(), listed);
            }
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn garbage() {
        assert_eq!(parse(b"", &[]), Err(JksError::NotJks));
        assert_eq!(parse(b"\xfe\xed\xfe", &[]), Err(JksError::NotJks));
        assert!(matches!(
            parse(b"\xfe\xed\xfe\xed\x00\x00\x00\x02\xff\xff\xff\xff", &[]),
            Err(JksError::Malformed(_))
        ));
        assert_eq!(modified_utf8(b"a\xc0\x80\xc3\xa9"), "a\u{0}é");
    }
}
