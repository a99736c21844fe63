//! Apache httpd mod_ssl: `SSLProtocol` (with `all`, `+`, `-`), `SSLCipherSuite` (including
//! the `TLSv1.3` form), `SSLOpenSSLConfCmd` (Curves, Groups, SignatureAlgorithms,
//! Ciphersuites, CipherString, MinProtocol) and their `SSLProxy*` twins.

use super::Sink;
use crate::detect::{Detector, FileInfo, Output};
use mamori_algorithms::tls::{self, ProtocolVersion};

/// The Apache httpd detector.
pub struct ApacheDetector;

/// `all` in mod_ssl 2.4 with OpenSSL 1.1+: TLS 1.0 to 1.3 (SSLv3 only when named).
fn all_versions() -> Vec<&'static ProtocolVersion> {
    ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
        .iter()
        .filter_map(|n| tls::protocol_version(n))
        .collect()
}

/// The protocols an `SSLProtocol` value enables.
pub fn ssl_protocol(value: &str) -> Vec<&'static ProtocolVersion> {
    let mut set: Vec<&'static ProtocolVersion> = Vec::new();
    for tok in value.split_whitespace() {
        let (op, name) = match tok.as_bytes().first() {
            Some(b'+') => ('+', &tok[1..]),
            Some(b'-') => ('-', &tok[1..]),
            _ => ('=', tok),
        };
        let these = if name.eq_ignore_ascii_case("all") {
            all_versions()
        } else {
            tls::protocol_version(name).into_iter().collect()
        };
        match op {
            '-' => set.retain(|v| !these.iter().any(|t| t.code == v.code)),
            '+' => {
                for t in these {
                    if !set.iter().any(|v| v.code == t.code) {
                        set.push(t);
                    }
                }
            }
            _ => set = these,
        }
    }
    set.sort_by_key(|v| v.code);
    set
}

fn wanted(f: &FileInfo<'_>) -> bool {
    matches!(
        f.name,
        "httpd.conf" | "apache2.conf" | "ssl.conf" | "httpd-ssl.conf" | "ssl-params.conf"
    ) || ((f.path.contains("/apache2/") || f.path.contains("/httpd/")) && f.name.ends_with(".conf"))
}

impl Detector for ApacheDetector {
    fn name(&self) -> &'static str {
        "config.apache"
    }
    fn wants(&self, f: &FileInfo<'_>, _head: &[u8]) -> bool {
        wanted(f)
    }
    fn max_size(&self) -> u64 {
        4 << 20
    }
    fn detect(&self, f: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let mut sink = Sink {
            file: f,
            out,
            detector: self.name(),
        };
        let text = String::from_utf8_lossy(data);
        let mut s12 = Vec::new();
        let mut s13 = Vec::new();
        let mut protos = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let ln = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let line = raw.trim();
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let mut it = line.splitn(2, char::is_whitespace);
            let k = it.next().unwrap_or("").to_ascii_lowercase();
            let v = it.next().unwrap_or("").trim().trim_matches('"');
            let k = k.replacen("sslproxy", "ssl", 1);
            match k.as_str() {
                "sslprotocol" => protos.extend(
                    ssl_protocol(v)
                        .into_iter()
                        .map(|p| (p, ln, line.to_string())),
                ),
                "sslciphersuite" => {
                    let mut parts = v.splitn(2, char::is_whitespace);
                    let first = parts.next().unwrap_or("");
                    match (first, parts.next()) {
                        ("TLSv1.3", Some(rest)) => {
                            s13 = sink.tls13_suites(rest.trim().trim_matches('"'), ln, line)
                        }
                        ("SSL", Some(rest)) => {
                            s12 = sink.cipher_string(rest.trim().trim_matches('"'), ln, line)
                        }
                        _ => s12 = sink.cipher_string(v, ln, line),
                    }
                }
                "sslopensslconfcmd" => {
                    let mut parts = v.splitn(2, char::is_whitespace);
                    let cmd = parts.next().unwrap_or("").to_ascii_lowercase();
                    let arg = parts.next().unwrap_or("").trim().trim_matches('"');
                    match cmd.as_str() {
                        "curves" | "groups" => sink.groups(arg, ln, line),
                        "signaturealgorithms" | "clientsignaturealgorithms" => {
                            sink.sigalgs(arg, ln, line)
                        }
                        "ciphersuites" => s13 = sink.tls13_suites(arg, ln, line),
                        "cipherstring" => s12 = sink.cipher_string(arg, ln, line),
                        "minprotocol" => {
                            if let Some(lo) = tls::protocol_version(arg) {
                                for p in super::version_range(Some(lo), None) {
                                    protos.push((p, ln, line.to_string()));
                                }
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        sink.protocols(protos, &s12, &s13);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testutil::{ids, run, survives_garbage};

    #[test]
    fn ssl_protocol_semantics() {
        let v = |s: &str| {
            ssl_protocol(s)
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(v("all -SSLv3"), "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3");
        assert_eq!(v("all -SSLv3 -TLSv1 -TLSv1.1"), "TLSv1.2 TLSv1.3");
        assert_eq!(v("-all +TLSv1.2"), "TLSv1.2");
        assert_eq!(v("TLSv1.2 +TLSv1.3"), "TLSv1.2 TLSv1.3");
        assert_eq!(v("+SSLv3 +TLSv1"), "SSLv3 TLSv1");
    }

    const CONF: &str = "<VirtualHost *:443>\n  SSLEngine on\n  SSLProtocol all -SSLv3\n  SSLCipherSuite HIGH:!aNULL\n  SSLCipherSuite TLSv1.3 TLS_AES_256_GCM_SHA384\n  SSLOpenSSLConfCmd Curves X25519:secp384r1\n</VirtualHost>\n";

    #[test]
    fn vhost() {
        let o = run(
            &ApacheDetector,
            "/etc/apache2/sites-enabled/default-ssl.conf",
            CONF.as_bytes(),
            None,
        );
        let got = ids(&o);
        for id in [
            "proto:tls-1.0",
            "proto:tls-1.1",
            "proto:tls-1.2",
            "proto:tls-1.3",
            "alg:TLS_AES_256_GCM_SHA384",
            "alg:ECDH-P-384",
            "alg:TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        ] {
            assert!(got.contains(&id.to_string()), "{id}: {got:?}");
        }
        assert!(!got.contains(&"proto:ssl-3.0".to_string()));
        let p13 = o
            .observations
            .iter()
            .find(|x| x.asset.id == "proto:tls-1.3")
            .unwrap();
        assert_eq!(
            p13.asset.protocol.as_ref().unwrap().cipher_suites,
            vec!["TLS_AES_256_GCM_SHA384"]
        );
    }

    #[test]
    fn garbage_never_panics() {
        survives_garbage(
            &ApacheDetector,
            "/etc/apache2/apache2.conf",
            CONF.as_bytes(),
        );
    }
}
