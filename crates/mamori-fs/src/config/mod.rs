//! Configuration files that choose cryptography: OpenSSH, OpenSSL, nginx, Apache httpd,
//! Java `java.security`, and system crypto-policies.
//!
//! Each configured algorithm, cipher suite, protocol version or group becomes an
//! observation located at the file and line of the directive, with the directive (trimmed,
//! at most 200 characters) as context. Cipher strings are expanded the way OpenSSL does
//! ([`mamori_algorithms::tls::expand_openssl_cipher_string`]) and each suite is recorded as
//! `alg:<IANA name>`; protocol versions become `proto:tls-<version>` assets.

pub mod apache;
pub mod crypto_policies;
pub mod java_security;
pub mod nginx;
pub mod openssl_cnf;
pub mod sshd;

use crate::detect::{FileInfo, Output};
use mamori_algorithms::tls::{self, CipherSuite, ProtocolVersion};
use mamori_model::{AlgorithmProps, AssetKind, CryptoAsset, Primitive, ProtocolProps};

/// The directive as context: trimmed, at most 200 characters.
pub fn context(line: &str) -> String {
    let t = line.trim();
    if t.chars().count() <= 200 {
        t.to_string()
    } else {
        t.chars().take(200).collect()
    }
}

/// An algorithm asset `alg:<name>` from its properties.
pub fn alg_asset(props: AlgorithmProps) -> CryptoAsset {
    let mut a = CryptoAsset::new(
        AssetKind::Algorithm,
        format!("alg:{}", props.name),
        props.name.clone(),
    );
    a.algorithm = Some(props);
    a
}

/// Best-effort properties for a name nothing resolves: status unknown.
pub fn unknown_alg(name: &str, primitive: Primitive) -> AlgorithmProps {
    AlgorithmProps {
        note: Some("Name not in mamori's knowledge base.".into()),
        ..AlgorithmProps::unknown(name, "Other", primitive)
    }
}

/// A cipher-suite asset `alg:<IANA name>`.
pub fn suite_asset(s: &CipherSuite) -> CryptoAsset {
    alg_asset(s.props())
}

/// A protocol asset `proto:tls-<version>` (or `proto:dtls-…`) with the suites it may use.
pub fn proto_asset(v: &ProtocolVersion, suites: Vec<String>) -> CryptoAsset {
    let fam = v.family();
    let mut a = CryptoAsset::new(
        AssetKind::Protocol,
        v.asset_id(),
        format!("{} {}", fam.to_ascii_uppercase(), v.version),
    );
    a.protocol = Some(ProtocolProps {
        kind: fam.to_string(),
        version: Some(v.version.clone()),
        cipher_suites: suites,
    });
    a.algorithm = Some(v.props());
    a
}

/// Where observations of one file go.
pub struct Sink<'a, 'b> {
    /// The file.
    pub file: &'a FileInfo<'b>,
    /// The output.
    pub out: &'a mut Output,
    /// Detector name.
    pub detector: &'static str,
}

impl Sink<'_, '_> {
    /// Record `asset` at `line` (1-based; 0 = the whole file) with the directive as context.
    pub fn at(&mut self, asset: CryptoAsset, line: u32, directive: &str) {
        let loc = if line == 0 {
            self.file.location()
        } else {
            self.file.at_line(line)
        };
        let ctx = if directive.is_empty() {
            None
        } else {
            Some(context(directive))
        };
        self.out.observe(asset, loc, self.detector, ctx);
    }
    /// Record the enabled protocol versions `(version, line, directive)`, each TLS 1.3 one
    /// with the TLS 1.3 suites and every older one with the cipher-string suites.
    pub fn protocols(
        &mut self,
        protos: Vec<(&'static ProtocolVersion, u32, String)>,
        suites12: &[String],
        suites13: &[String],
    ) {
        for (v, line, text) in protos {
            let suites = if v.version == "1.3" {
                suites13
            } else {
                suites12
            };
            self.at(proto_asset(v, suites.to_vec()), line, &text);
        }
    }

    /// Record a problem.
    pub fn warn(&mut self, msg: impl Into<String>) {
        self.out.warn(self.file, msg);
    }

    /// Expand an OpenSSL cipher string and record each TLS ≤ 1.2 suite; returns their IANA names.
    pub fn cipher_string(&mut self, s: &str, line: u32, directive: &str) -> Vec<String> {
        match tls::expand_openssl_cipher_string(s) {
            Ok(list) => {
                for c in &list {
                    self.at(suite_asset(c), line, directive);
                }
                list.iter().map(|c| c.iana.clone()).collect()
            }
            Err(e) => {
                self.warn(format!("line {line}: {e}"));
                Vec::new()
            }
        }
    }

    /// Record TLS 1.3 suites named in a `Ciphersuites`-style list (`:`-separated).
    pub fn tls13_suites(&mut self, s: &str, line: u32, directive: &str) -> Vec<String> {
        let mut names = Vec::new();
        for n in s
            .split([':', ',', ' '])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            match tls::suite_by_name(n) {
                Some(c) => {
                    self.at(suite_asset(c), line, directive);
                    names.push(c.iana.clone());
                }
                None => self.warn(format!("line {line}: unknown TLS 1.3 cipher suite '{n}'")),
            }
        }
        names
    }

    /// Record TLS groups (`X25519:P-256`, `prime256v1`, `X25519MLKEM768` …).
    pub fn groups(&mut self, s: &str, line: u32, directive: &str) {
        for n in s
            .split([':', ',', ' '])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let n = n.trim_start_matches(['?', '*']);
            if n.eq_ignore_ascii_case("auto") || n.starts_with('/') || n.is_empty() {
                continue;
            }
            let props = tls::group_by_name(n)
                .map(|g| g.props())
                .or_else(|| mamori_algorithms::ec(n, Primitive::KeyAgree))
                .unwrap_or_else(|| unknown_alg(n, Primitive::KeyAgree));
            self.at(alg_asset(props), line, directive);
        }
    }

    /// Record TLS signature algorithms (`RSA+SHA256:ed25519:rsa_pss_rsae_sha256`).
    pub fn sigalgs(&mut self, s: &str, line: u32, directive: &str) {
        for n in s
            .split([':', ',', ' '])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            let props = tls::signature_scheme_by_name(n)
                .map(|x| x.props())
                .or_else(|| mamori_algorithms::by_name(n))
                .unwrap_or_else(|| unknown_alg(n, Primitive::Signature));
            self.at(alg_asset(props), line, directive);
        }
    }
}

/// Split text into (1-based line number, line) pairs, joining nothing.
pub fn lines(data: &[u8]) -> Vec<(u32, String)> {
    String::from_utf8_lossy(data)
        .lines()
        .enumerate()
        .map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l.to_string()))
        .collect()
}

/// TLS protocol versions from a min/max pair (inclusive), TLS 1.0 … 1.3 (and SSLv3).
pub fn version_range(
    min: Option<&ProtocolVersion>,
    max: Option<&ProtocolVersion>,
) -> Vec<&'static ProtocolVersion> {
    let lo = min.map(|v| v.code).unwrap_or(0x0301);
    let hi = max.map(|v| v.code).unwrap_or(0x0304);
    tls::protocol_versions()
        .iter()
        .filter(|v| v.kind != "dtls" && v.code >= lo && v.code <= hi && v.code >= 0x0300)
        .collect()
}

/// The directory part of a path (`/etc/ssh/sshd_config` → `/etc/ssh`).
pub fn dirname(p: &str) -> &str {
    match p.rfind('/') {
        Some(0) => "/",
        Some(i) => &p[..i],
        None => ".",
    }
}

#[cfg(test)]
#[path = "../../tests/common/tools.rs"]
mod test_tools;

#[cfg(test)]
pub(crate) mod testutil {
    use crate::detect::{Detector, FileInfo, Output, ReadOther};

    /// The real file system, paths as they are.
    pub struct Disk;
    impl ReadOther for Disk {
        fn read(&self, path: &str, limit: u64) -> Option<Vec<u8>> {
            use std::io::Read;
            let mut v = Vec::new();
            std::fs::File::open(path)
                .ok()?
                .take(limit)
                .read_to_end(&mut v)
                .ok()?;
            Some(v)
        }
        fn glob(&self, pattern: &str) -> Vec<String> {
            let (dir, pat) = pattern.rsplit_once('/').unwrap_or((".", pattern));
            let Ok(m) = globset::Glob::new(pat).map(|g| g.compile_matcher()) else {
                return vec![];
            };
            let mut v: Vec<String> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| m.is_match(e.file_name()))
                .map(|e| e.path().display().to_string())
                .collect();
            v.sort();
            v
        }
    }

    pub use super::test_tools::command;

    /// Run a detector on bytes as if they were the file at `path`.
    pub fn run(d: &dyn Detector, path: &str, data: &[u8], fs: Option<&dyn ReadOther>) -> Output {
        let name = path.rsplit('/').next().unwrap_or(path);
        let f = FileInfo {
            path,
            name,
            size: data.len() as u64,
            container: None,
            fs,
        };
        let mut out = Output::default();
        let head = &data[..data.len().min(crate::HEAD_LEN)];
        assert!(d.wants(&f, head), "{} does not want {path}", d.name());
        d.detect(&f, data, &mut out);
        out
    }

    /// Ids of the observed assets, in order.
    pub fn ids(o: &Output) -> Vec<String> {
        o.observations.iter().map(|x| x.asset.id.clone()).collect()
    }

    /// Feed truncated and mangled versions of `data` to the detector: it must not panic.
    pub fn survives_garbage(d: &dyn Detector, path: &str, data: &[u8]) {
        let name = path.rsplit('/').next().unwrap_or(path);
        let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
        let mut inputs: Vec<Vec<u8>> = (0..data.len())
            .step_by(7)
            .map(|n| data[..n].to_vec())
            .collect();
        for _ in 0..300 {
            let mut v = data.to_vec();
            for _ in 0..8 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                if !v.is_empty() {
                    let i = (seed as usize) % v.len();
                    v[i] = (seed >> 32) as u8;
                }
            }
            inputs.push(v);
        }
        inputs.push(vec![0xff; 5000]);
        inputs.push(b"\0\0\0=\n[\n{\n}}}}\n;;;\n\"unterminated".to_vec());
        for v in inputs {
            let f = FileInfo {
                path,
                name,
                size: v.len() as u64,
                container: None,
                fs: None,
            };
            let mut out = Output::default();
            let _ = d.wants(&f, &v[..v.len().min(crate::HEAD_LEN)]);
            d.detect(&f, &v, &mut out);
        }
    }
}
