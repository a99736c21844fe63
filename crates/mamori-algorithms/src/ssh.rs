//! SSH knowledge: key exchange, host key, cipher and MAC algorithm names (IANA, OpenSSH),
//! OpenSSH's compiled-in defaults, and its `+`/`-`/`^` list syntax.
//!
//! ```
//! use mamori_algorithms::ssh::{self, SshCategory};
//! use mamori_model::CryptoStatus;
//! let a = ssh::lookup("diffie-hellman-group1-sha1").unwrap();
//! assert_eq!((a.category, a.props().status), (SshCategory::Kex, CryptoStatus::Broken));
//! assert_eq!(ssh::lookup("mlkem768x25519-sha256").unwrap().props().status, CryptoStatus::Hybrid);
//! let d = ssh::openssh_defaults();
//! let kex = ssh::assemble_list("-diffie-hellman-*", &d.kex, &d.kex_all);
//! assert!(kex.iter().all(|k| !k.starts_with("diffie-hellman")));
//! ```

use crate::by_name;
use mamori_model::{AlgorithmProps, CryptoStatus, Primitive};
use serde::Deserialize;
use std::sync::OnceLock;

/// What an SSH algorithm name is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SshCategory {
    /// Key exchange (`KexAlgorithms`).
    Kex,
    /// Host key / public key / signature algorithm (`HostKeyAlgorithms`, `PubkeyAcceptedAlgorithms`).
    #[serde(rename = "hostkey")]
    HostKey,
    /// Cipher (`Ciphers`).
    Cipher,
    /// MAC (`MACs`).
    Mac,
    /// Compression.
    Compression,
}

/// One SSH algorithm name (`data/ssh.toml`).
#[derive(Debug, Clone, Deserialize)]
pub struct SshAlg {
    /// Wire name.
    pub name: String,
    /// What it is for.
    pub category: SshCategory,
    status: String,
    /// Underlying algorithm as [`crate::by_name`] knows it (empty when none).
    pub algorithm: String,
    /// Why the status is what it is.
    pub reason: String,
}

impl SshAlg {
    /// False for names that are no cryptographic algorithm (`ext-info-c`,
    /// `kex-strict-*`, compression methods).
    pub fn is_algorithm(&self) -> bool {
        self.status != "other"
    }

    /// The algorithm's properties: named by its SSH name, family / primitive / levels from
    /// the underlying algorithm, status and note from the SSH table.
    pub fn props(&self) -> AlgorithmProps {
        let status: CryptoStatus = self.status.parse().unwrap_or(CryptoStatus::Unknown);
        let base = if self.algorithm.is_empty() {
            None
        } else {
            by_name(&self.algorithm)
        };
        let (family, primitive) = match (&base, self.category) {
            (Some(b), _) => (b.family.clone(), b.primitive),
            (None, SshCategory::Kex) if self.name.starts_with("mlkem") => {
                ("ML-KEM".to_string(), Primitive::Kem)
            }
            (None, SshCategory::Kex) if self.name.starts_with("sntrup") => {
                ("NTRU".to_string(), Primitive::Kem)
            }
            (None, SshCategory::Kex) => ("FFDH".to_string(), Primitive::KeyAgree),
            (None, SshCategory::HostKey) => ("RSA".to_string(), Primitive::Signature),
            (None, SshCategory::Cipher) => ("Other".to_string(), Primitive::BlockCipher),
            (None, SshCategory::Mac) => ("Other".to_string(), Primitive::Mac),
            (None, SshCategory::Compression) => ("Other".to_string(), Primitive::Other),
        };
        let quantum = match status {
            CryptoStatus::Hybrid if self.name.contains("1024") => 5,
            CryptoStatus::Hybrid if self.name.starts_with("mlkem") => 3,
            CryptoStatus::Hybrid => 2,
            CryptoStatus::QuantumSafe => base
                .as_ref()
                .map(|b| b.nist_quantum_security_level)
                .unwrap_or(0),
            _ => 0,
        };
        AlgorithmProps {
            name: self.name.clone(),
            family,
            primitive,
            parameter_set: base.as_ref().and_then(|b| b.parameter_set.clone()),
            curve: base.as_ref().and_then(|b| b.curve.clone()),
            mode: base.as_ref().and_then(|b| b.mode.clone()),
            padding: base.as_ref().and_then(|b| b.padding.clone()),
            classical_security_level: base.as_ref().and_then(|b| b.classical_security_level),
            nist_quantum_security_level: quantum,
            oid: base.as_ref().and_then(|b| b.oid.clone()),
            status,
            note: Some(self.reason.clone()),
        }
    }
}

/// OpenSSH's compiled-in defaults and supported lists (OpenSSH 9.2p1, Debian 12).
#[derive(Debug, Clone, Deserialize)]
pub struct OpenSshDefaults {
    /// Default `KexAlgorithms`.
    pub kex: Vec<String>,
    /// Default `Ciphers`.
    pub ciphers: Vec<String>,
    /// Default `MACs`.
    pub macs: Vec<String>,
    /// Default `HostKeyAlgorithms` and `PubkeyAcceptedAlgorithms`.
    pub hostkey: Vec<String>,
    /// Every supported key exchange (`ssh -Q kex`).
    pub kex_all: Vec<String>,
    /// Every supported cipher (`ssh -Q cipher`).
    pub ciphers_all: Vec<String>,
    /// Every supported MAC (`ssh -Q mac`).
    pub macs_all: Vec<String>,
    /// Every supported key/signature type (`ssh -Q key-sig`).
    pub hostkey_all: Vec<String>,
}

#[derive(Deserialize)]
struct SshFile {
    defaults: OpenSshDefaults,
    alg: Vec<SshAlg>,
}

// The tables are compiled into the binary and a test parses each: they cannot fail here.
#[allow(clippy::expect_used)]
fn data() -> &'static SshFile {
    static D: OnceLock<SshFile> = OnceLock::new();
    D.get_or_init(|| {
        toml::from_str(include_str!("../data/ssh.toml")).expect("data/ssh.toml is valid (tested)")
    })
}

/// Every SSH algorithm name known.
pub fn algorithms() -> &'static [SshAlg] {
    &data().alg
}

/// Look a name up (exact, then case-insensitive). `none` is found as a cipher.
pub fn lookup(name: &str) -> Option<&'static SshAlg> {
    let n = name.trim();
    let a = algorithms();
    a.iter()
        .find(|x| x.name == n)
        .or_else(|| a.iter().find(|x| x.name.eq_ignore_ascii_case(n)))
        .or_else(|| {
            // GSSAPI kex names carry a mechanism suffix: gss-group14-sha256-<base64 OID hash>.
            n.starts_with("gss-").then(|| {
                a.iter()
                    .filter(|x| x.name.starts_with("gss-") && n.starts_with(&x.name))
                    .max_by_key(|x| x.name.len())
            })?
        })
}

/// Whether an SSH key exchange method is post-quantum (hybrid such as
/// mlkem768x25519-sha256 and sntrup761x25519-sha512, or pure), by the knowledge base.
pub fn is_post_quantum_kex(name: &str) -> bool {
    lookup_in(SshCategory::Kex, name).is_some_and(|a| {
        matches!(
            a.props().status,
            CryptoStatus::Hybrid | CryptoStatus::QuantumSafe
        )
    })
}

/// Look a name up within one category (`none` is both a cipher and a MAC).
pub fn lookup_in(category: SshCategory, name: &str) -> Option<&'static SshAlg> {
    let n = name.trim();
    algorithms()
        .iter()
        .find(|x| x.category == category && x.name.eq_ignore_ascii_case(n))
        .or_else(|| lookup(n).filter(|x| x.category == category))
}

/// Best-effort properties for a name the table lacks: status unknown.
pub fn unknown_props(name: &str, category: SshCategory) -> AlgorithmProps {
    AlgorithmProps {
        name: name.to_string(),
        family: "Other".into(),
        primitive: match category {
            SshCategory::Kex => Primitive::KeyAgree,
            SshCategory::HostKey => Primitive::Signature,
            SshCategory::Cipher => Primitive::BlockCipher,
            SshCategory::Mac => Primitive::Mac,
            SshCategory::Compression => Primitive::Other,
        },
        parameter_set: None,
        curve: None,
        mode: None,
        padding: None,
        classical_security_level: None,
        nist_quantum_security_level: 0,
        oid: None,
        status: CryptoStatus::Unknown,
        note: Some("SSH algorithm name not in mamori's table.".into()),
    }
}

/// OpenSSH's defaults (see [`OpenSshDefaults`]).
pub fn openssh_defaults() -> &'static OpenSshDefaults {
    &data().defaults
}

/// OpenSSH's pattern matching (`match.c`): `*` and `?` wildcards, case-sensitive.
pub fn pattern_match(s: &str, pat: &str) -> bool {
    let (s, p) = (s.as_bytes(), pat.as_bytes());
    let (mut si, mut pi) = (0usize, 0usize);
    let (mut star, mut mark) = (None, 0usize);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            si += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// The effective list for a configured value, as OpenSSH's `kex_assemble_names` computes it:
/// `+list` appends to `default`, `-list` removes matching names from it, `^list` puts the
/// names first; a plain list replaces it. Names may be wildcard patterns (OpenSSH accepts
/// them only in `-` lists), matched against
/// `all` (in its order); names outside `all` are kept as written when not a pattern (so an
/// unsupported or misspelled name stays visible); duplicates are dropped.
pub fn assemble_list(value: &str, default: &[String], all: &[String]) -> Vec<String> {
    let v = value.trim();
    if v.is_empty() {
        return default.to_vec();
    }
    let split = |s: &str| -> Vec<String> {
        s.split(',')
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    let list: Vec<String> = if let Some(rest) = v.strip_prefix('-') {
        let pats = split(rest);
        return default
            .iter()
            .filter(|d| !pats.iter().any(|p| pattern_match(d, p)))
            .cloned()
            .collect();
    } else if let Some(rest) = v.strip_prefix('+') {
        default.iter().cloned().chain(split(rest)).collect()
    } else if let Some(rest) = v.strip_prefix('^') {
        split(rest)
            .into_iter()
            .chain(default.iter().cloned())
            .collect()
    } else {
        split(v)
    };
    let mut out: Vec<String> = Vec::new();
    for pat in list {
        let wild = pat.contains('*') || pat.contains('?');
        let negated = pat.starts_with('!');
        if negated {
            continue;
        }
        let mut any = false;
        for a in all {
            if pattern_match(a, &pat) {
                any = true;
                if !out.contains(a) {
                    out.push(a.clone());
                }
            }
        }
        if !any && !wild && !out.contains(&pat) {
            out.push(pat);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::process::Command;

    #[test]
    fn table_is_consistent() {
        let mut seen = HashSet::new();
        for a in algorithms() {
            assert!(
                seen.insert((a.name.clone(), a.category)),
                "duplicate {}",
                a.name
            );
            assert!(
                [
                    "broken",
                    "quantum-vulnerable",
                    "hybrid",
                    "quantum-safe",
                    "other"
                ]
                .contains(&a.status.as_str()),
                "{}",
                a.name
            );
            if !a.algorithm.is_empty() {
                assert!(
                    by_name(&a.algorithm).is_some(),
                    "{} -> {}",
                    a.name,
                    a.algorithm
                );
            }
            assert!(!a.reason.is_empty());
        }
        let d = openssh_defaults();
        for l in [
            &d.kex,
            &d.ciphers,
            &d.macs,
            &d.hostkey,
            &d.kex_all,
            &d.ciphers_all,
            &d.macs_all,
            &d.hostkey_all,
        ] {
            for n in l.iter() {
                assert!(lookup(n).is_some(), "{n} missing from the table");
            }
        }
    }

    #[test]
    fn statuses() {
        let st = |n: &str| lookup(n).unwrap().props().status;
        assert_eq!(st("diffie-hellman-group1-sha1"), CryptoStatus::Broken);
        assert_eq!(st("3des-cbc"), CryptoStatus::Broken);
        assert_eq!(st("arcfour256"), CryptoStatus::Broken);
        assert_eq!(st("hmac-md5"), CryptoStatus::Broken);
        assert_eq!(st("ssh-rsa"), CryptoStatus::Broken);
        assert_eq!(st("ssh-dss"), CryptoStatus::Broken);
        assert_eq!(st("curve25519-sha256"), CryptoStatus::QuantumVulnerable);
        assert_eq!(st("rsa-sha2-512"), CryptoStatus::QuantumVulnerable);
        assert_eq!(
            st("sntrup761x25519-sha512@openssh.com"),
            CryptoStatus::Hybrid
        );
        assert_eq!(st("mlkem768x25519-sha256"), CryptoStatus::Hybrid);
        assert_eq!(st("aes256-gcm@openssh.com"), CryptoStatus::QuantumSafe);
        assert_eq!(
            st("hmac-sha2-256-etm@openssh.com"),
            CryptoStatus::QuantumSafe
        );
        assert!(!lookup("kex-strict-s-v00@openssh.com")
            .unwrap()
            .is_algorithm());
        assert_eq!(
            lookup_in(SshCategory::Mac, "none").unwrap().category,
            SshCategory::Mac
        );
        assert_eq!(
            lookup("ecdh-sha2-nistp384")
                .unwrap()
                .props()
                .curve
                .as_deref(),
            Some("P-384")
        );
        assert!(lookup("gss-group14-sha256-toWM5Slw5Ew8Mqkay+al2g==").is_some());
        assert!(lookup("no-such-kex").is_none());
    }

    fn ssh_tool(args: &[&str]) -> String {
        let out = Command::new("ssh")
            .args(args)
            .output()
            .expect("`ssh` not found: install the Debian package `openssh-client`");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The table knows every name the local OpenSSH supports.
    #[test]
    fn every_name_of_the_real_openssh_is_known() {
        for q in ["kex", "cipher", "mac", "key-sig", "sig"] {
            for n in ssh_tool(&["-Q", q]).lines() {
                assert!(lookup(n.trim()).is_some(), "ssh -Q {q}: {n} unknown");
            }
        }
    }

    /// The defaults are those of the local OpenSSH 9.2 (`ssh -G` without a config file).
    #[test]
    fn defaults_match_real_ssh_g() {
        let g = ssh_tool(&["-G", "-F", "/dev/null", "example.invalid"]);
        let get = |k: &str| -> Vec<String> {
            g.lines()
                .find_map(|l| l.strip_prefix(&format!("{k} ")))
                .unwrap_or("")
                .split(',')
                .map(str::to_string)
                .collect()
        };
        let d = openssh_defaults();
        let v = ssh_tool(&["-V"]);
        let msg =
            "data/ssh.toml [defaults] are OpenSSH 9.2p1 (Debian 12); this machine's ssh differs";
        assert_eq!(get("kexalgorithms"), d.kex, "{msg} {v}");
        assert_eq!(get("ciphers"), d.ciphers, "{msg}");
        assert_eq!(get("macs"), d.macs, "{msg}");
        assert_eq!(get("hostkeyalgorithms"), d.hostkey, "{msg}");
        assert_eq!(get("pubkeyacceptedalgorithms"), d.hostkey, "{msg}");
    }

    /// +, -, ^ and wildcard lists against the real `ssh -G`.
    #[test]
    fn assemble_list_matches_real_ssh() {
        let d = openssh_defaults();
        let dir = std::env::temp_dir().join(format!("mamori-ssh-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (kw, key, def, all, value) in [
            (
                "KexAlgorithms",
                "kexalgorithms",
                &d.kex,
                &d.kex_all,
                "+diffie-hellman-group1-sha1,diffie-hellman-group14-sha1",
            ),
            (
                "KexAlgorithms",
                "kexalgorithms",
                &d.kex,
                &d.kex_all,
                "-ecdh-sha2-*,diffie-hellman-group-exchange-sha256",
            ),
            (
                "KexAlgorithms",
                "kexalgorithms",
                &d.kex,
                &d.kex_all,
                "^diffie-hellman-group14-sha1",
            ),
            (
                "KexAlgorithms",
                "kexalgorithms",
                &d.kex,
                &d.kex_all,
                "curve25519-sha256,diffie-hellman-group14-sha1,diffie-hellman-group1-sha1",
            ),
            (
                "Ciphers",
                "ciphers",
                &d.ciphers,
                &d.ciphers_all,
                "+3des-cbc,aes128-cbc",
            ),
            (
                "Ciphers",
                "ciphers",
                &d.ciphers,
                &d.ciphers_all,
                "aes256-ctr,3des-cbc,chacha20-poly1305@openssh.com",
            ),
            ("MACs", "macs", &d.macs, &d.macs_all, "-*sha1*,umac-64*"),
            (
                "MACs",
                "macs",
                &d.macs,
                &d.macs_all,
                "hmac-md5,hmac-sha2-512-etm@openssh.com",
            ),
            (
                "HostKeyAlgorithms",
                "hostkeyalgorithms",
                &d.hostkey,
                &d.hostkey_all,
                "+ssh-rsa,ssh-dss",
            ),
            (
                "PubkeyAcceptedAlgorithms",
                "pubkeyacceptedalgorithms",
                &d.hostkey,
                &d.hostkey_all,
                "-*-cert-v01@openssh.com",
            ),
        ] {
            let f = dir.join("config");
            std::fs::write(&f, format!("{kw} {value}\n")).unwrap();
            let g = ssh_tool(&["-G", "-F", f.to_str().unwrap(), "example.invalid"]);
            let theirs: Vec<String> = g
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{key} ")))
                .unwrap_or_else(|| panic!("ssh -G printed no {key} for {value}"))
                .split(',')
                .map(str::to_string)
                .collect();
            assert_eq!(assemble_list(value, def, all), theirs, "{kw} {value}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn patterns() {
        assert!(pattern_match("hmac-sha1-etm@openssh.com", "*sha1*"));
        assert!(pattern_match("aes128-ctr", "aes*-ctr"));
        assert!(!pattern_match("aes128-cbc", "aes*-ctr"));
        assert!(pattern_match("a", "?"));
        assert!(!pattern_match("", "?"));
    }
}
