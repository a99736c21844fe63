//! Java archives (`.jar`, `.war`, `.ear`) and class files: the algorithms classes ask the
//! JCA for, and the crypto libraries bundled inside.
//!
//! - Class files are parsed properly (magic `CAFEBABE`, then the constant pool, every index
//!   and length checked). A class that calls `getInstance` on a JCA engine class
//!   (`javax/crypto/Cipher`, `java/security/MessageDigest`, `Signature`, `KeyPairGenerator`,
//!   `KeyGenerator`, `Mac`, `KeyAgreement`, `KeyFactory`, `SecretKeyFactory`,
//!   `javax/net/ssl/SSLContext`) has its string constants resolved as algorithm names
//!   (`"DES/ECB/PKCS5Padding"`, `"MD5"`, `"SHA1withRSA"`) or protocol versions (`"TLSv1"`),
//!   keeping only those of a kind the engines it uses accept.
//! - Bundled libraries (BouncyCastle, Conscrypt, Tink, jasypt …, see
//!   `data/crypto-libraries.toml`) are recognized by their class-path prefix; the version
//!   comes from their `pom.properties` or their own manifest.
//! - Nested archives (`BOOT-INF/lib/*.jar`, `WEB-INF/lib/*.jar`, `lib/*.jar` in an EAR) are
//!   opened up to [`MAX_DEPTH`] levels, within a budget of [`MAX_BYTES`] decompressed bytes
//!   and [`MAX_ENTRIES`] entries per top-level file, so zip bombs end in a warning.
//!
//! Locations are the file on disk (or in the image); the path inside the archive, with `!/`
//! between nesting levels, goes into the occurrence context with the constant found.

use crate::binary::{algorithm_asset, library_asset, libs};
use crate::detect::{Detector, FileInfo, Output};
use mamori_model::{
    AlgorithmProps, AssetKind, CryptoAsset, CryptoStatus, Primitive, ProtocolProps,
};
use std::io::{Cursor, Read};

/// Detector name used in occurrences.
pub const NAME: &str = "java";
/// Deepest archive nesting examined (the top-level archive is depth 0).
pub const MAX_DEPTH: usize = 3;
/// Decompressed bytes read per top-level file, nested archives included.
pub const MAX_BYTES: u64 = 256 << 20;
/// Archive entries examined per top-level file, nested archives included.
pub const MAX_ENTRIES: u64 = 200_000;
/// Largest single class file read.
pub const MAX_CLASS: u64 = 16 << 20;

/// Finds JCA algorithm use and bundled crypto libraries in Java archives and class files.
#[derive(Debug, Default, Clone, Copy)]
pub struct JavaArchiveDetector;

/// A JCA engine class: internal name, short name, and the primitives its algorithms have.
struct Engine {
    class: &'static str,
    short: &'static str,
    accepts: &'static [Primitive],
}

const ENGINES: &[Engine] = &[
    Engine {
        class: "javax/crypto/Cipher",
        short: "Cipher",
        accepts: &[
            Primitive::BlockCipher,
            Primitive::StreamCipher,
            Primitive::Ae,
            Primitive::Pke,
            Primitive::KeyWrap,
            Primitive::Unknown,
        ],
    },
    Engine {
        class: "java/security/MessageDigest",
        short: "MessageDigest",
        accepts: &[Primitive::Hash, Primitive::Xof],
    },
    Engine {
        class: "java/security/Signature",
        short: "Signature",
        accepts: &[Primitive::Signature],
    },
    Engine {
        class: "java/security/KeyPairGenerator",
        short: "KeyPairGenerator",
        accepts: &[
            Primitive::Pke,
            Primitive::Signature,
            Primitive::KeyAgree,
            Primitive::Kem,
        ],
    },
    Engine {
        class: "java/security/KeyFactory",
        short: "KeyFactory",
        accepts: &[
            Primitive::Pke,
            Primitive::Signature,
            Primitive::KeyAgree,
            Primitive::Kem,
        ],
    },
    Engine {
        class: "javax/crypto/KeyGenerator",
        short: "KeyGenerator",
        accepts: &[
            Primitive::BlockCipher,
            Primitive::StreamCipher,
            Primitive::Ae,
            Primitive::Mac,
        ],
    },
    Engine {
        class: "javax/crypto/Mac",
        short: "Mac",
        accepts: &[Primitive::Mac],
    },
    Engine {
        class: "javax/crypto/KeyAgreement",
        short: "KeyAgreement",
        accepts: &[Primitive::KeyAgree],
    },
    Engine {
        class: "javax/crypto/SecretKeyFactory",
        short: "SecretKeyFactory",
        accepts: &[Primitive::Kdf, Primitive::BlockCipher],
    },
    Engine {
        class: "javax/net/ssl/SSLContext",
        short: "SSLContext",
        accepts: &[],
    },
];

/// Why a class file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassError {
    /// Does not start with `CAFEBABE`.
    #[error("not a class file (bad magic)")]
    Magic,
    /// Ends inside the constant pool.
    #[error("class file truncated in constant pool entry {0}")]
    Truncated(u16),
    /// A constant-pool tag this parser does not know.
    #[error("class file has unknown constant-pool tag {tag} at entry {index}")]
    Tag {
        /// The tag.
        tag: u8,
        /// The entry.
        index: u16,
    },
}

/// What a class file's constant pool says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClassInfo {
    /// `CONSTANT_String` values.
    pub strings: Vec<String>,
    /// Classes referenced (`CONSTANT_Class` names, internal form).
    pub classes: Vec<String>,
    /// Methods referenced, as `class.name`.
    pub methods: Vec<String>,
}

#[derive(Clone)]
enum Cp {
    Empty,
    Utf8(String),
    Class(u16),
    Str(u16),
    Member(u16, u16),
    NameAndType(u16),
    Other,
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.b.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn u1(&mut self) -> Option<u8> {
        self.take(1).map(|s| s[0])
    }
    fn u2(&mut self) -> Option<u16> {
        self.take(2).map(|s| u16::from_be_bytes([s[0], s[1]]))
    }
}

/// Parse a class file's constant pool.
pub fn parse_class(b: &[u8]) -> Result<ClassInfo, ClassError> {
    if !b.starts_with(&[0xca, 0xfe, 0xba, 0xbe]) {
        return Err(ClassError::Magic);
    }
    let mut r = Reader { b, pos: 8 };
    let count = r.u2().ok_or(ClassError::Truncated(0))?;
    let mut pool: Vec<Cp> = vec![Cp::Empty; usize::from(count)];
    let mut i: u16 = 1;
    while i < count {
        let t = ClassError::Truncated(i);
        let tag = r.u1().ok_or(t.clone())?;
        let mut wide = false;
        let entry = match tag {
            1 => {
                let n = r.u2().ok_or(t.clone())?;
                let bytes = r.take(usize::from(n)).ok_or(t.clone())?;
                Cp::Utf8(String::from_utf8_lossy(bytes).into_owned())
            }
            3 | 4 => {
                r.take(4).ok_or(t.clone())?;
                Cp::Other
            }
            5 | 6 => {
                r.take(8).ok_or(t.clone())?;
                wide = true;
                Cp::Other
            }
            7 => Cp::Class(r.u2().ok_or(t.clone())?),
            8 => Cp::Str(r.u2().ok_or(t.clone())?),
            9..=11 => {
                let c = r.u2().ok_or(t.clone())?;
                let nt = r.u2().ok_or(t.clone())?;
                Cp::Member(c, nt)
            }
            12 => {
                let n = r.u2().ok_or(t.clone())?;
                r.u2().ok_or(t.clone())?; // descriptor
                Cp::NameAndType(n)
            }
            15 => {
                r.take(3).ok_or(t.clone())?;
                Cp::Other
            }
            16 | 19 | 20 => {
                r.take(2).ok_or(t.clone())?;
                Cp::Other
            }
            17 | 18 => {
                r.take(4).ok_or(t.clone())?;
                Cp::Other
            }
            _ => return Err(ClassError::Tag { tag, index: i }),
        };
        if let Some(slot) = pool.get_mut(usize::from(i)) {
            *slot = entry;
        }
        i = i.saturating_add(if wide { 2 } else { 1 });
    }
    let utf8 = |idx: u16| -> Option<&str> {
        match pool.get(usize::from(idx))? {
            Cp::Utf8(s) => Some(s.as_str()),
            _ => None,
        }
    };
    let class_name = |idx: u16| -> Option<&str> {
        match pool.get(usize::from(idx))? {
            Cp::Class(n) => utf8(*n),
            _ => None,
        }
    };
    let mut info = ClassInfo::default();
    for e in &pool {
        match e {
            Cp::Str(n) => {
                if let Some(s) = utf8(*n) {
                    info.strings.push(s.to_string());
                }
            }
            Cp::Class(n) => {
                if let Some(s) = utf8(*n) {
                    info.classes.push(s.to_string());
                }
            }
            Cp::Member(c, nt) => {
                let name = match pool.get(usize::from(*nt)) {
                    Some(Cp::NameAndType(n)) => utf8(*n),
                    _ => None,
                };
                if let (Some(c), Some(n)) = (class_name(*c), name) {
                    info.methods.push(format!("{c}.{n}"));
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

/// A protocol asset for a JSSE protocol name (`TLSv1.2`, `SSLv3`).
fn protocol_asset(s: &str) -> Option<CryptoAsset> {
    let (kind, version) = match s {
        "SSLv2" | "SSLv2Hello" => ("ssl", "2.0"),
        "SSLv3" => ("ssl", "3.0"),
        "TLSv1" => ("tls", "1.0"),
        "TLSv1.1" => ("tls", "1.1"),
        "TLSv1.2" => ("tls", "1.2"),
        "TLSv1.3" => ("tls", "1.3"),
        _ => return None,
    };
    let mut a = CryptoAsset::new(
        AssetKind::Protocol,
        format!("proto:{kind}-{version}"),
        format!("{} {version}", kind.to_ascii_uppercase()),
    );
    a.protocol = Some(ProtocolProps {
        kind: kind.into(),
        version: Some(version.into()),
        cipher_suites: Vec::new(),
    });
    Some(a)
}

fn looks_like_name(s: &str) -> bool {
    (2..=80).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic())
}

/// A JCA transformation (`ALG/MODE/PADDING`) the knowledge base does not know.
fn unknown_transformation(s: &str) -> Option<CryptoAsset> {
    let parts: Vec<&str> = s.split('/').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) || !parts[2].ends_with("Padding") {
        return None;
    }
    let mut a = CryptoAsset::new(AssetKind::Algorithm, format!("alg:{s}"), s);
    a.algorithm = Some(AlgorithmProps {
        name: s.into(),
        family: parts[0].into(),
        primitive: Primitive::Unknown,
        parameter_set: None,
        curve: None,
        mode: Some(parts[1].to_ascii_lowercase()),
        padding: Some(parts[2].to_ascii_lowercase()),
        classical_security_level: None,
        nist_quantum_security_level: 0,
        oid: None,
        status: CryptoStatus::Unknown,
        note: Some("Not in mamori's algorithm knowledge base.".into()),
    });
    Some(a)
}

/// The algorithm and protocol uses a parsed class shows: (asset, context).
pub fn class_findings(info: &ClassInfo) -> Vec<(CryptoAsset, String)> {
    let engines: Vec<&Engine> = ENGINES
        .iter()
        .filter(|e| {
            info.methods
                .iter()
                .any(|m| m.strip_suffix(".getInstance") == Some(e.class))
        })
        .collect();
    let mut out = Vec::new();
    if engines.is_empty() {
        return out;
    }
    let ssl = engines.iter().any(|e| e.short == "SSLContext");
    for s in &info.strings {
        if !looks_like_name(s) {
            continue;
        }
        if ssl {
            if let Some(p) = protocol_asset(s) {
                out.push((p, format!("SSLContext.getInstance(\"{s}\")")));
                continue;
            }
        }
        // A bare name also used in a transformation of the same class adds nothing.
        if !s.contains('/') && info.strings.iter().any(|t| t.starts_with(&format!("{s}/"))) {
            continue;
        }
        let asset = algorithm_asset(s).or_else(|| {
            engines
                .iter()
                .any(|e| e.short == "Cipher")
                .then(|| unknown_transformation(s))
                .flatten()
        });
        let Some(asset) = asset else { continue };
        let prim = asset
            .algorithm
            .as_ref()
            .map(|a| a.primitive)
            .unwrap_or(Primitive::Unknown);
        // Which engine the string went to is not known without following the bytecode:
        // name every engine of the class that accepts such an algorithm.
        let calls: Vec<String> = engines
            .iter()
            .filter(|e| e.accepts.contains(&prim))
            .map(|e| format!("{}.getInstance(\"{s}\")", e.short))
            .collect();
        if calls.is_empty() {
            continue;
        }
        out.push((asset, calls.join(" or ")));
    }
    out
}

/// `Key: value` headers of a manifest's main section (continuation lines joined).
pub fn parse_manifest(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break; // end of the main section
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some(last) = out.last_mut() {
                last.1.push_str(cont);
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            out.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    out
}

fn header<'a>(h: &'a [(String, String)], key: &str) -> Option<&'a str> {
    h.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// `key=value` pairs of a properties file.
fn parse_properties(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#') && !l.starts_with('!'))
        .filter_map(|l| l.split_once('=').or_else(|| l.split_once(':')))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

struct Budget {
    bytes: u64,
    entries: u64,
    warned: bool,
}

/// Class path of an entry, with a multi-release `META-INF/versions/N/` prefix removed.
fn class_path(name: &str) -> &str {
    if let Some(rest) = name.strip_prefix("META-INF/versions/") {
        if let Some((_, p)) = rest.split_once('/') {
            return p;
        }
    }
    name
}

fn is_archive_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    l.ends_with(".jar") || l.ends_with(".war") || l.ends_with(".ear")
}

impl JavaArchiveDetector {
    fn read_entry<R: Read + std::io::Seek>(
        zip: &mut zip::ZipArchive<R>,
        i: usize,
        cap: u64,
        budget: &mut Budget,
    ) -> Result<Vec<u8>, String> {
        let f = zip.by_index(i).map_err(|e| e.to_string())?;
        let limit = cap.min(budget.bytes);
        let name = f
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| String::from_utf8_lossy(f.name_raw()).into_owned());
        if f.size() > limit {
            return Err(format!(
                "entry {name} declares {} bytes, over the {limit}-byte limit; not read",
                f.size()
            ));
        }
        let mut buf = Vec::new();
        let read = f.take(limit + 1).read_to_end(&mut buf);
        // Every inflated byte counts against the archive's budget, also when the entry then
        // fails (bad CRC, over the limit): a bomb of failing entries must run dry too.
        budget.bytes = budget.bytes.saturating_sub(buf.len() as u64);
        read.map_err(|e| format!("entry {name}: {e}"))?;
        if buf.len() as u64 > limit {
            return Err(format!(
                "entry {name} inflates past the {limit}-byte limit; not read"
            ));
        }
        Ok(buf)
    }

    fn report_class(&self, file: &FileInfo<'_>, inner: &str, bytes: &[u8], out: &mut Output) {
        match parse_class(bytes) {
            Ok(info) => {
                for (asset, ctx) in class_findings(&info) {
                    out.observe(
                        asset,
                        file.location(),
                        NAME,
                        Some(format!("{inner}: {ctx}")),
                    );
                }
            }
            Err(e) => out.warn(file, format!("{inner}: {e}")),
        }
    }

    fn scan_archive(
        &self,
        file: &FileInfo<'_>,
        data: &[u8],
        inner: &str,
        depth: usize,
        budget: &mut Budget,
        out: &mut Output,
    ) {
        let here = |name: &str| {
            if inner.is_empty() {
                name.to_string()
            } else {
                format!("{inner}!/{name}")
            }
        };
        let mut zip = match zip::ZipArchive::new(Cursor::new(data)) {
            Ok(z) => z,
            Err(e) => {
                let what = if inner.is_empty() {
                    "archive".to_string()
                } else {
                    inner.to_string()
                };
                out.warn(file, format!("{what}: not a readable zip archive: {e}"));
                return;
            }
        };
        let names: Vec<String> = (0..zip.len())
            .map(|i| {
                zip.name_for_index(i)
                    .and_then(Result::ok)
                    .map(|n| n.into_owned())
                    .unwrap_or_default()
            })
            .collect();

        // Manifest and Maven metadata of this archive.
        let mut manifest = Vec::new();
        let mut poms: Vec<Vec<(String, String)>> = Vec::new();
        for (i, n) in names.iter().enumerate() {
            let is_manifest = n.eq_ignore_ascii_case("META-INF/MANIFEST.MF");
            let is_pom = n.starts_with("META-INF/maven/") && n.ends_with("/pom.properties");
            if !is_manifest && !is_pom {
                continue;
            }
            match Self::read_entry(&mut zip, i, 1 << 20, budget) {
                Ok(b) => {
                    let text = String::from_utf8_lossy(&b);
                    if is_manifest {
                        manifest = parse_manifest(&text);
                    } else {
                        poms.push(parse_properties(&text));
                    }
                }
                Err(e) => out.warn(file, here(&e)),
            }
        }

        // Software components: this archive's Maven coordinates (or its manifest's).
        crate::sbom::maven::report_archive(file, inner, data, &manifest, &poms, out);

        // Bundled libraries.
        let classes: Vec<&str> = names
            .iter()
            .filter(|n| n.ends_with(".class"))
            .map(|n| class_path(n))
            .collect();
        for b in &libs::table().java_bundle {
            let n_lib = classes.iter().filter(|c| c.starts_with(&b.prefix)).count();
            if n_lib == 0 {
                continue;
            }
            let pom = poms
                .iter()
                .find(|p| header(p, "groupId").is_some_and(|g| b.groups.iter().any(|x| x == g)));
            let ident = [
                "Bundle-SymbolicName",
                "Bundle-Name",
                "Implementation-Title",
                "Implementation-Vendor",
                "Automatic-Module-Name",
            ]
            .iter()
            .filter_map(|k| header(&manifest, k))
            .any(|v| {
                let v = v.to_ascii_lowercase();
                b.keywords.iter().any(|k| v.contains(k.as_str()))
            });
            let manifest_version = || {
                header(&manifest, "Bundle-Version")
                    .or_else(|| header(&manifest, "Implementation-Version"))
            };
            let (version, why) = if let Some(p) = pom {
                (
                    header(p, "version"),
                    format!(
                        "pom.properties {}:{}",
                        header(p, "groupId").unwrap_or("?"),
                        header(p, "artifactId").unwrap_or("?")
                    ),
                )
            } else if ident || n_lib == classes.len() {
                (manifest_version(), "MANIFEST.MF".to_string())
            } else {
                (None, "no version metadata of its own".to_string())
            };
            let mut ctx = format!("{} classes ({n_lib})", here(&b.prefix));
            if version.is_some() {
                ctx.push_str(&format!(", version from {why}"));
            }
            out.observe(
                library_asset(&b.library, version, "bundled"),
                file.location(),
                NAME,
                Some(ctx),
            );
        }

        // Classes and nested archives.
        for (i, n) in names.iter().enumerate() {
            if budget.entries == 0 {
                if !budget.warned {
                    budget.warned = true;
                    out.warn(file, format!("stopped after {MAX_ENTRIES} archive entries"));
                }
                return;
            }
            budget.entries -= 1;
            let is_class = n.ends_with(".class");
            let nested = is_archive_name(n);
            if !is_class && !nested {
                continue;
            }
            if nested && depth >= MAX_DEPTH {
                out.warn(
                    file,
                    format!(
                        "{}: nested deeper than {MAX_DEPTH} archives; not examined",
                        here(n)
                    ),
                );
                continue;
            }
            let cap = if is_class { MAX_CLASS } else { MAX_BYTES };
            let bytes = match Self::read_entry(&mut zip, i, cap, budget) {
                Ok(b) => b,
                Err(e) => {
                    out.warn(file, here(&e));
                    continue;
                }
            };
            if is_class {
                self.report_class(file, &here(n), &bytes, out);
            } else {
                self.scan_archive(file, &bytes, &here(n), depth + 1, budget, out);
            }
        }
    }
}

impl Detector for JavaArchiveDetector {
    fn name(&self) -> &'static str {
        NAME
    }

    fn wants(&self, file: &FileInfo<'_>, head: &[u8]) -> bool {
        match file.extension().as_deref() {
            Some("jar" | "war" | "ear") => {
                head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")
            }
            Some("class") => head.starts_with(&[0xca, 0xfe, 0xba, 0xbe]),
            _ => false,
        }
    }
    fn may_want(&self, file: &FileInfo<'_>) -> bool {
        matches!(
            file.extension().as_deref(),
            Some("jar" | "war" | "ear" | "class")
        )
    }

    fn max_size(&self) -> u64 {
        MAX_BYTES
    }

    fn detect(&self, file: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        if file.extension().as_deref() == Some("class") {
            self.report_class(file, file.name, data, out);
            return;
        }
        let mut budget = Budget {
            bytes: MAX_BYTES,
            entries: MAX_ENTRIES,
            warned: false,
        };
        self.scan_archive(file, data, "", 0, &mut budget, out);
    }
}

#[cfg(test)]
mod tests {
    //! Jars built here with javac and jar; damaged inputs made from them.
    use super::*;
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    fn run(cmd: &mut Command, package: &str) {
        crate::config::testutil::command(cmd, package);
    }

    fn scan_bytes(path: &str, data: &[u8]) -> Output {
        crate::config::testutil::run(&JavaArchiveDetector, path, data, None)
    }

    fn scan(p: &Path) -> Output {
        scan_bytes(&p.to_string_lossy(), &std::fs::read(p).unwrap())
    }

    const CRYPTO_JAVA: &str = r#"package com.example;
import javax.crypto.Cipher;
import java.security.MessageDigest;
import java.security.KeyPairGenerator;
import javax.net.ssl.SSLContext;
public class Crypto {
    public static void main(String[] a) throws Exception {
        Cipher c = Cipher.getInstance("DES/ECB/PKCS5Padding");
        MessageDigest d = MessageDigest.getInstance("MD5");
        KeyPairGenerator k = KeyPairGenerator.getInstance("RSA");
        SSLContext s = SSLContext.getInstance("TLSv1");
        System.out.println(c + " " + d + " " + k + " " + s + " not-an-algorithm");
    }
}
"#;

    /// Names algorithms in strings but never calls a JCA engine: nothing to report.
    const PLAIN_JAVA: &str = r#"package com.example;
public class Plain {
    public static String label() { return "MD5" + "DES/ECB/PKCS5Padding"; }
    public static final String X = "SHA1withRSA";
}
"#;

    /// A STAND-IN class in BouncyCastle's package, to test recognition by class path and
    /// the manifest version (the real provider is not on this machine).
    const BC_JAVA: &str = r#"package org.bouncycastle.jce.provider;
public class BouncyCastleProvider { public static final String PROVIDER_NAME = "BC"; }
"#;

    fn javac(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
        let src = dir.join("src");
        let classes = dir.join("classes");
        std::fs::create_dir_all(&classes).unwrap();
        let mut cmd = Command::new("javac");
        cmd.arg("-d").arg(&classes);
        for (path, text) in files {
            let p = src.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
            cmd.arg(&p);
        }
        run(&mut cmd, "openjdk-17-jdk-headless");
        classes
    }

    fn jar(out: &Path, manifest: Option<&Path>, dir: &Path, entries: &[&str]) {
        let mut cmd = Command::new("jar");
        match manifest {
            Some(m) => cmd.arg("cfm").arg(out).arg(m),
            None => cmd.arg("cf").arg(out),
        };
        cmd.arg("-C").arg(dir).args(entries);
        run(&mut cmd, "openjdk-17-jdk-headless");
    }

    fn app_jar(dir: &Path) -> PathBuf {
        let classes = javac(
            &dir.join("app"),
            &[
                ("com/example/Crypto.java", CRYPTO_JAVA),
                ("com/example/Plain.java", PLAIN_JAVA),
            ],
        );
        let out = dir.join("app.jar");
        jar(&out, None, &classes, &["com"]);
        out
    }

    fn bc_jar(dir: &Path) -> PathBuf {
        let classes = javac(
            &dir.join("bc"),
            &[(
                "org/bouncycastle/jce/provider/BouncyCastleProvider.java",
                BC_JAVA,
            )],
        );
        let mf = dir.join("bc.mf");
        std::fs::write(
            &mf,
            "Bundle-Name: bcprov\nBundle-SymbolicName: bcprov\nBundle-Version: 1.78.1\nImplementation-Vendor: BouncyCastle.org\n",
        )
        .unwrap();
        let out = dir.join("bcprov.jar");
        jar(&out, Some(&mf), &classes, &["org"]);
        out
    }

    fn find<'a>(out: &'a Output, id: &str) -> Vec<&'a mamori_model::Observation> {
        out.observations
            .iter()
            .filter(|o| o.asset.id == id)
            .collect()
    }

    #[test]
    fn jar_built_with_javac() {
        let dir = tempfile::tempdir().unwrap();
        let j = app_jar(dir.path());
        let out = scan(&j);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let ids: Vec<&str> = out
            .observations
            .iter()
            .map(|o| o.asset.id.as_str())
            .collect();
        let des = find(&out, "alg:DES-ECB");
        assert_eq!(des.len(), 1, "{ids:?}");
        assert_eq!(des[0].asset.status(), CryptoStatus::Broken);
        assert_eq!(
            des[0].occurrence.context.as_deref(),
            Some("com/example/Crypto.class: Cipher.getInstance(\"DES/ECB/PKCS5Padding\")")
        );
        assert_eq!(des[0].occurrence.location.path, j.to_string_lossy());
        let md5 = find(&out, "alg:MD5");
        assert_eq!(md5.len(), 1, "only Crypto.class, not Plain.class: {ids:?}");
        assert!(md5[0]
            .occurrence
            .context
            .as_deref()
            .unwrap()
            .ends_with("MessageDigest.getInstance(\"MD5\")"));
        let rsa = find(&out, "alg:RSA");
        assert_eq!(rsa.len(), 1, "{ids:?}");
        assert!(rsa[0]
            .occurrence
            .context
            .as_deref()
            .unwrap()
            .ends_with("Cipher.getInstance(\"RSA\") or KeyPairGenerator.getInstance(\"RSA\")"));
        let tls = find(&out, "proto:tls-1.0");
        assert_eq!(tls.len(), 1, "{ids:?}");
        assert_eq!(
            tls[0].asset.protocol.as_ref().unwrap().version.as_deref(),
            Some("1.0")
        );
        assert!(
            find(&out, "alg:RSA-PKCS1-1.5-SHA-1").is_empty(),
            "Plain.class: {ids:?}"
        );
        assert_eq!(out.observations.len(), 4, "{ids:?}");

        // A loose class file too.
        let class = dir.path().join("app/classes/com/example/Crypto.class");
        let out = scan(&class);
        assert_eq!(find(&out, "alg:DES-ECB").len(), 1);
    }

    #[test]
    fn bundled_bouncycastle_top_level_and_nested() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let bc = bc_jar(d);
        let out = scan(&bc);
        let lib = find(&out, "lib:BouncyCastle@1.78.1");
        assert_eq!(lib.len(), 1, "{:?}", out.observations);
        assert_eq!(lib[0].asset.library.as_ref().unwrap().linkage, "bundled");
        assert!(lib[0]
            .occurrence
            .context
            .as_deref()
            .unwrap()
            .contains("MANIFEST.MF"));

        // A Spring-Boot-like fat jar: app classes plus BOOT-INF/lib/bcprov.jar, inside a war.
        let app = app_jar(d);
        let boot = d.join("boot");
        std::fs::create_dir_all(boot.join("BOOT-INF/lib")).unwrap();
        std::fs::copy(&bc, boot.join("BOOT-INF/lib/bcprov.jar")).unwrap();
        std::fs::copy(&app, boot.join("BOOT-INF/lib/app.jar")).unwrap();
        let fat = d.join("fat.jar");
        jar(&fat, None, &boot, &["BOOT-INF"]);
        let war_dir = d.join("war");
        std::fs::create_dir_all(war_dir.join("WEB-INF/lib")).unwrap();
        std::fs::copy(&fat, war_dir.join("WEB-INF/lib/fat.jar")).unwrap();
        let war = d.join("site.war");
        jar(&war, None, &war_dir, &["WEB-INF"]);
        let out = scan(&war);
        assert!(out.warnings.is_empty(), "{:?}", out.warnings);
        let lib = find(&out, "lib:BouncyCastle@1.78.1");
        assert_eq!(lib.len(), 1, "{:?}", out.observations);
        assert_eq!(
            lib[0]
                .occurrence
                .context
                .as_deref()
                .unwrap()
                .split(" classes")
                .next(),
            Some("WEB-INF/lib/fat.jar!/BOOT-INF/lib/bcprov.jar!/org/bouncycastle/")
        );
        let des = find(&out, "alg:DES-ECB");
        assert_eq!(
            des[0].occurrence.context.as_deref(),
            Some("WEB-INF/lib/fat.jar!/BOOT-INF/lib/app.jar!/com/example/Crypto.class: Cipher.getInstance(\"DES/ECB/PKCS5Padding\")")
        );
        assert_eq!(des[0].occurrence.location.path, war.to_string_lossy());
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_not_opened() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut inner = app_jar(d);
        for level in 0..=MAX_DEPTH {
            let stage = d.join(format!("lvl{level}"));
            std::fs::create_dir_all(stage.join("lib")).unwrap();
            std::fs::copy(&inner, stage.join("lib/in.jar")).unwrap();
            let out = d.join(format!("lvl{level}.jar"));
            jar(&out, None, &stage, &["lib"]);
            inner = out;
        }
        let out = scan(&inner);
        assert!(find(&out, "alg:DES-ECB").is_empty());
        assert!(
            out.warnings
                .iter()
                .any(|w| w.message.contains("nested deeper than 3")),
            "{:?}",
            out.warnings
        );
    }

    fn zip_with(name: &str, content: &[u8]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file(name, opts).unwrap();
        w.write_all(content).unwrap();
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn bombs_garbage_and_truncation_warn_without_panic() {
        // An entry inflating past the class limit: refused by its declared size.
        let mut big = vec![0xca, 0xfe, 0xba, 0xbe];
        big.resize((MAX_CLASS + 1000) as usize, 0);
        let z = zip_with("Big.class", &big);
        assert!(z.len() < 100_000);
        let out = scan_bytes("/bomb.jar", &z);
        assert!(
            out.warnings.iter().any(|w| w.message.contains("over the")),
            "{:?}",
            out.warnings
        );
        // The same with the sizes in the headers lowered to 100: stopped while inflating
        // (by the limit or the size check), never read whole.
        let mut lied = z.clone();
        let real = (big.len() as u32).to_le_bytes();
        let mut i = 0;
        while let Some(p) = memchr::memmem::find(&lied[i..], &real) {
            lied[i + p..i + p + 4].copy_from_slice(&100u32.to_le_bytes());
            i += p + 4;
        }
        let out = scan_bytes("/lied.jar", &lied);
        assert!(!out.warnings.is_empty());
        assert!(out.observations.is_empty());

        // Real jar cut short, and garbage after the zip magic.
        let dir = tempfile::tempdir().unwrap();
        let j = std::fs::read(app_jar(dir.path())).unwrap();
        for n in [4, 30, j.len() / 2, j.len() - 10] {
            let out = scan_bytes("/cut.jar", &j[..n]);
            assert!(!out.warnings.is_empty(), "cut at {n}");
        }
        let mut g = b"PK\x03\x04".to_vec();
        g.extend((0..3000u32).map(|i| (i.wrapping_mul(2654435761) >> 11) as u8));
        let out = scan_bytes("/garbage.jar", &g);
        assert_eq!(out.warnings.len(), 1);
        assert!(out.warnings[0].message.contains("not a readable zip"));

        // Class files: garbage, and a real one cut at every length.
        let class = std::fs::read(dir.path().join("app/classes/com/example/Crypto.class")).unwrap();
        let z = zip_with("Bad.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x34\xff\xff\x63");
        let out = scan_bytes("/badclass.jar", &z);
        assert!(
            out.warnings[0].message.starts_with("Bad.class: "),
            "{:?}",
            out.warnings
        );
        for n in 0..class.len() {
            let _ = parse_class(&class[..n]);
        }
        assert!(matches!(
            parse_class(&class[..200]),
            Err(ClassError::Truncated(_))
        ));
        assert_eq!(parse_class(b"\x00\x00"), Err(ClassError::Magic));
        let mut t = class.clone();
        t[10] = 99; // first constant's tag
        assert!(matches!(
            parse_class(&t),
            Err(ClassError::Tag { tag: 99, index: 1 })
        ));
    }

    #[test]
    fn manifest_and_wants() {
        let m = parse_manifest("Manifest-Version: 1.0\r\nBundle-Name: bc\r\n prov\r\nBundle-Version: 1.78.1\r\n\r\nName: x\r\nBundle-Version: 9\r\n");
        assert_eq!(header(&m, "bundle-name"), Some("bcprov"));
        assert_eq!(header(&m, "Bundle-Version"), Some("1.78.1"));
        let f = |name: &'static str| FileInfo {
            path: name,
            name,
            size: 1,
            container: None,
            fs: None,
        };
        let d = JavaArchiveDetector;
        assert!(d.wants(&f("a.jar"), b"PK\x03\x04"));
        assert!(d.wants(&f("a.WAR"), b"PK\x03\x04"));
        assert!(!d.wants(&f("a.zip"), b"PK\x03\x04"));
        assert!(!d.wants(&f("a.jar"), b"not a zip"));
        assert!(d.wants(&f("A.class"), b"\xca\xfe\xba\xbe"));
    }
}
