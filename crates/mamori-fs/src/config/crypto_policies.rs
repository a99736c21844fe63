//! System-wide crypto-policies (Fedora, RHEL, CentOS; absent on Debian/Ubuntu):
//! `/etc/crypto-policies/config` names the policy; `back-ends/*.config` are the generated
//! per-library configurations. The OpenSSL, OpenSSH and Java back-ends are read with the
//! same parsers as their libraries' own files; a `LEGACY` policy or the `SHA1` sub-policy is
//! recorded as SHA-1 left enabled. GnuTLS, NSS, BIND, Kerberos and libreswan back-ends are
//! not read yet.

use super::{alg_asset, Sink};
use crate::detect::{Detector, FileInfo, Output};

/// The crypto-policies detector.
pub struct CryptoPoliciesDetector;

impl Detector for CryptoPoliciesDetector {
    fn name(&self) -> &'static str {
        "config.crypto-policies"
    }
    fn wants(&self, f: &FileInfo<'_>, _head: &[u8]) -> bool {
        f.path.ends_with("/crypto-policies/config")
            || (f.path.contains("/crypto-policies/back-ends/") && f.name.ends_with(".config"))
    }
    fn max_size(&self) -> u64 {
        1 << 20
    }
    fn detect(&self, f: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        if f.path.ends_with("/crypto-policies/config") {
            let text = String::from_utf8_lossy(data);
            for (i, l) in text.lines().enumerate() {
                let t = l.trim();
                if t.is_empty() || t.starts_with('#') {
                    continue;
                }
                let mut parts = t.split(':');
                let policy = parts.next().unwrap_or("");
                let sub: Vec<&str> = parts.collect();
                let sha1 = policy.eq_ignore_ascii_case("LEGACY")
                    || sub.iter().any(|s| s.eq_ignore_ascii_case("SHA1"));
                if sha1 && !sub.iter().any(|s| s.eq_ignore_ascii_case("NO-SHA1")) {
                    if let Some(a) = mamori_algorithms::by_name("SHA-1") {
                        let mut sink = Sink {
                            file: f,
                            out: &mut *out,
                            detector: self.name(),
                        };
                        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
                        sink.at(
                            alg_asset(a),
                            line,
                            &format!("crypto-policy {t} allows SHA-1 signatures"),
                        );
                    }
                }
                break;
            }
            return;
        }
        match f.name {
            "opensslcnf.config" => {
                let mut sink = Sink {
                    file: f,
                    out,
                    detector: self.name(),
                };
                super::openssl_cnf::scan(&mut sink, data, f.path, None, 0);
            }
            "openssl.config" => {
                let mut sink = Sink {
                    file: f,
                    out,
                    detector: self.name(),
                };
                let text = String::from_utf8_lossy(data);
                if let Some((i, l)) = text
                    .lines()
                    .enumerate()
                    .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                {
                    let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
                    sink.cipher_string(l.trim(), line, l);
                }
            }
            "openssh.config" | "opensshserver.config" => {
                let client = f.name == "openssh.config";
                let p = super::sshd::parse(data, f.path, None, client);
                super::sshd::emit(f, &p, out, self.name(), false);
            }
            "java.config" => {
                let mut sink = Sink {
                    file: f,
                    out,
                    detector: self.name(),
                };
                super::java_security::report(&mut sink, data);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testutil::{ids, run, survives_garbage};

    #[test]
    fn policy_and_back_ends() {
        let o = run(
            &CryptoPoliciesDetector,
            "/etc/crypto-policies/config",
            b"# comment\nDEFAULT:SHA1\n",
            None,
        );
        assert_eq!(ids(&o), ["alg:SHA-1"]);
        let o = run(
            &CryptoPoliciesDetector,
            "/etc/crypto-policies/config",
            b"DEFAULT\n",
            None,
        );
        assert!(o.observations.is_empty());
        // RHEL 9 DEFAULT back-ends (abridged).
        let ssh = b"Ciphers aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes256-ctr\nMACs hmac-sha2-256-etm@openssh.com,hmac-sha2-256\nKexAlgorithms curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha256\n";
        let o = run(
            &CryptoPoliciesDetector,
            "/etc/crypto-policies/back-ends/opensshserver.config",
            ssh,
            None,
        );
        let got = ids(&o);
        assert!(
            got.contains(&"alg:diffie-hellman-group14-sha256".to_string()),
            "{got:?}"
        );
        assert_eq!(got.len(), 8);
        let cnf = b"CipherString = @SECLEVEL=2:kEECDH:kRSA:kEDH:kPSK:kDHEPSK:kECDHEPSK:kRSAPSK:-aDSS:-3DES:!DES:!RC4:!RC2:!IDEA:-SEED:!eNULL:!aNULL:!MD5:-SHA384:-CAMELLIA:-ARIA:-AESCCM8\nCiphersuites = TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256\nMinProtocol = TLSv1.2\nGroups = X25519:secp256r1:X448:secp521r1:secp384r1:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192\n";
        let o = run(
            &CryptoPoliciesDetector,
            "/etc/crypto-policies/back-ends/opensslcnf.config",
            cnf,
            None,
        );
        let got = ids(&o);
        assert!(
            got.contains(&"proto:tls-1.2".to_string())
                && !got.contains(&"proto:tls-1.1".to_string()),
            "{got:?}"
        );
        assert!(got.contains(&"alg:FFDH-8192".to_string()));
        assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    }

    #[test]
    fn garbage_never_panics() {
        survives_garbage(
            &CryptoPoliciesDetector,
            "/etc/crypto-policies/config",
            b"LEGACY:SHA1:AD-SUPPORT\n",
        );
        survives_garbage(
            &CryptoPoliciesDetector,
            "/etc/crypto-policies/back-ends/opensslcnf.config",
            b"CipherString = HIGH\nMinProtocol = TLSv1\n",
        );
    }
}
