//! nginx: `ssl_protocols`, `ssl_ciphers`, `ssl_ecdh_curve`, `ssl_conf_command` (and the
//! `proxy_`, `grpc_`, `uwsgi_` variants) in `nginx.conf` and files under `nginx/`,
//! `sites-enabled/`, `sites-available/`, `conf.d/`. `ssl_certificate` files are left to the
//! certificate detector. Where `ssl_protocols` is absent nothing is assumed.

use super::Sink;
use crate::detect::{Detector, FileInfo, Output};
use mamori_algorithms::tls;

/// The nginx detector.
pub struct NginxDetector;

/// A statement: its words and the line it starts on.
struct Stmt {
    words: Vec<String>,
    line: u32,
    text: String,
}

fn statements(data: &[u8]) -> Vec<Stmt> {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut raw = String::new();
    let mut line = 1u32;
    let mut start = 0u32;
    let mut quote: Option<char> = None;
    let mut comment = false;
    for ch in text.chars() {
        if ch == '\n' {
            line = line.saturating_add(1);
            comment = false;
        }
        if comment {
            continue;
        }
        if let Some(q) = quote {
            if ch == q {
                quote = None;
            } else {
                cur.push(ch);
            }
            raw.push(ch);
            continue;
        }
        match ch {
            '#' => comment = true,
            '"' | '\'' => {
                quote = Some(ch);
                raw.push(ch);
            }
            ';' | '{' | '}' => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                if !words.is_empty() {
                    out.push(Stmt {
                        words: std::mem::take(&mut words),
                        line: start,
                        text: raw.trim().to_string() + ";",
                    });
                }
                raw.clear();
            }
            c if c.is_whitespace() => {
                if !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                if !raw.is_empty() {
                    raw.push(' ');
                }
            }
            c => {
                if words.is_empty() && cur.is_empty() {
                    start = line;
                }
                cur.push(c);
                raw.push(c);
            }
        }
    }
    out
}

fn wanted(f: &FileInfo<'_>) -> bool {
    f.name == "nginx.conf"
        || ((f.path.contains("/nginx/")
            || f.path.contains("/sites-enabled/")
            || f.path.contains("/sites-available/"))
            && !f.name.ends_with(".pem")
            && !f.name.ends_with(".crt")
            && !f.name.ends_with(".key"))
        || (f.path.contains("/conf.d/")
            && f.name.ends_with(".conf")
            && !f.path.contains("/apache")
            && !f.path.contains("/httpd"))
}

impl Detector for NginxDetector {
    fn name(&self) -> &'static str {
        "config.nginx"
    }
    fn wants(&self, f: &FileInfo<'_>, head: &[u8]) -> bool {
        wanted(f) && memchr::memmem::find(head, b"ssl").is_some()
            || wanted(f) && head.len() >= crate::HEAD_LEN
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
        let stmts = statements(data);
        let mut suites12 = Vec::new();
        let mut suites13 = Vec::new();
        let mut protos = Vec::new();
        for s in &stmts {
            let Some(k) = s.words.first() else { continue };
            let args = &s.words[1..];
            let k = k.to_ascii_lowercase();
            let base = k
                .strip_prefix("proxy_")
                .or_else(|| k.strip_prefix("grpc_"))
                .or_else(|| k.strip_prefix("uwsgi_"))
                .unwrap_or(&k);
            match base {
                "ssl_protocols" => {
                    for a in args {
                        match tls::protocol_version(a) {
                            Some(v) => protos.push((v, s.line, s.text.clone())),
                            None => sink.warn(format!("line {}: unknown protocol '{a}'", s.line)),
                        }
                    }
                }
                "ssl_ciphers" => {
                    let v = args.join(" ");
                    suites12 = sink.cipher_string(&v, s.line, &s.text);
                }
                "ssl_ecdh_curve" => sink.groups(&args.join(":"), s.line, &s.text),
                "ssl_conf_command" if args.len() >= 2 => {
                    let v = args[1..].join(" ");
                    match args[0].to_ascii_lowercase().as_str() {
                        "ciphersuites" => suites13 = sink.tls13_suites(&v, s.line, &s.text),
                        "cipherstring" => suites12 = sink.cipher_string(&v, s.line, &s.text),
                        "groups" | "curves" => sink.groups(&v, s.line, &s.text),
                        "signaturealgorithms" | "clientsignaturealgorithms" => {
                            sink.sigalgs(&v, s.line, &s.text)
                        }
                        "minprotocol" | "maxprotocol" => {
                            if let Some(p) = tls::protocol_version(&v) {
                                protos.push((p, s.line, s.text.clone()));
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        sink.protocols(protos, &suites12, &suites13);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testutil::{ids, run, survives_garbage};
    use mamori_model::CryptoStatus;

    const CONF: &str = "http {\n  server {\n    listen 443 ssl;\n    ssl_certificate /etc/ssl/a.pem;\n    ssl_protocols TLSv1 TLSv1.2;\n    ssl_ciphers HIGH:!aNULL:!MD5;  # classic\n    ssl_ecdh_curve X25519:prime256v1;\n    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;\n  }\n}\n";

    #[test]
    fn protocols_ciphers_curves() {
        let o = run(
            &NginxDetector,
            "/etc/nginx/nginx.conf",
            CONF.as_bytes(),
            None,
        );
        let got = ids(&o);
        for id in [
            "proto:tls-1.0",
            "proto:tls-1.2",
            "alg:x25519",
            "alg:ECDH-P-256",
            "alg:TLS_AES_128_GCM_SHA256",
        ] {
            assert!(got.contains(&id.to_string()), "{id}: {got:?}");
        }
        assert!(!got.contains(&"proto:tls-1.1".to_string()));
        // HIGH:!aNULL:!MD5 as the real OpenSSL expands it (see mamori-algorithms tests).
        let expected =
            mamori_algorithms::tls::expand_openssl_cipher_string("HIGH:!aNULL:!MD5").unwrap();
        let suites: Vec<_> = o
            .observations
            .iter()
            .filter(|x| x.occurrence.location.line == Some(6))
            .collect();
        assert_eq!(suites.len(), expected.len());
        assert!(suites.iter().all(|x| x.asset.id.starts_with("alg:TLS_")));
        assert_eq!(
            suites[0].occurrence.context.as_deref(),
            Some("ssl_ciphers HIGH:!aNULL:!MD5;")
        );
        let t10 = o
            .observations
            .iter()
            .find(|x| x.asset.id == "proto:tls-1.0")
            .unwrap();
        assert_eq!(
            (t10.asset.status(), t10.occurrence.location.line),
            (CryptoStatus::Broken, Some(5))
        );
    }

    #[test]
    fn garbage_never_panics() {
        survives_garbage(&NginxDetector, "/etc/nginx/nginx.conf", CONF.as_bytes());
    }
}
