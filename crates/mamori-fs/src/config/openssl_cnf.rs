//! OpenSSL configuration (`openssl.cnf` and files it `.include`s): the SSL configuration
//! commands `CipherString`, `Ciphersuites`, `MinProtocol`, `MaxProtocol`, `Groups` /
//! `Curves`, `SignatureAlgorithms` / `ClientSignatureAlgorithms`, in whatever section they
//! are (the section is named in the context). `.include` is followed through
//! [`FileInfo::fs`].

use super::{dirname, proto_asset, version_range, Sink};
use crate::detect::{Detector, FileInfo, Output, ReadOther};
use mamori_algorithms::tls;

/// The OpenSSL configuration detector.
pub struct OpensslCnfDetector;

fn is_openssl_cnf(f: &FileInfo<'_>) -> bool {
    f.name == "openssl.cnf"
        || (f.name.ends_with(".cnf")
            && (f.name.contains("openssl")
                || f.path.contains("/ssl/")
                || f.path.contains("/pki/tls/")))
}

impl Detector for OpensslCnfDetector {
    fn name(&self) -> &'static str {
        "config.openssl"
    }
    fn wants(&self, f: &FileInfo<'_>, _head: &[u8]) -> bool {
        is_openssl_cnf(f)
    }
    fn max_size(&self) -> u64 {
        1 << 20
    }
    fn detect(&self, f: &FileInfo<'_>, data: &[u8], out: &mut Output) {
        let mut sink = Sink {
            file: f,
            out,
            detector: self.name(),
        };
        scan(&mut sink, data, f.path, f.fs, 0);
    }
}

/// Scan one file's text; `path` is the file the lines belong to (the detected file or an include).
pub(crate) fn scan(
    sink: &mut Sink<'_, '_>,
    data: &[u8],
    path: &str,
    fs: Option<&dyn ReadOther>,
    depth: u32,
) {
    let text = String::from_utf8_lossy(data);
    let mut section = String::from("default");
    // Per section: (min, max, line, directive, tls12 suites, tls13 suites)
    let mut min: Option<(&'static tls::ProtocolVersion, u32, String)> = None;
    let mut max: Option<&'static tls::ProtocolVersion> = None;
    let mut suites12 = Vec::new();
    let mut suites13 = Vec::new();
    let own = path == sink.file.path;
    for (i, raw) in text.lines().enumerate() {
        let ln = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            flush(sink, &mut min, &mut max, &mut suites12, &mut suites13);
            section = rest.trim_end_matches(']').trim().to_string();
            continue;
        }
        if let Some(rest) = line.strip_prefix(".include") {
            let target = rest.trim_start_matches([' ', '\t', '=']).trim();
            include(sink, target, path, fs, depth, ln);
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim().trim_matches('"'));
        let directive = if own {
            format!("[{section}] {}", raw.trim())
        } else {
            format!("{path} [{section}] {}", raw.trim())
        };
        match k.to_ascii_lowercase().as_str() {
            "cipherstring" => suites12 = sink.cipher_string(v, ln, &directive),
            "ciphersuites" => suites13 = sink.tls13_suites(v, ln, &directive),
            "groups" | "curves" => sink.groups(v, ln, &directive),
            "signaturealgorithms" | "clientsignaturealgorithms" => sink.sigalgs(v, ln, &directive),
            "minprotocol" => match tls::protocol_version(v) {
                Some(p) => min = Some((p, ln, directive)),
                None if v.eq_ignore_ascii_case("none") => {}
                None => sink.warn(format!("line {ln}: unknown MinProtocol '{v}'")),
            },
            "maxprotocol" => max = tls::protocol_version(v),
            _ => {}
        }
    }
    flush(sink, &mut min, &mut max, &mut suites12, &mut suites13);
}

fn flush(
    sink: &mut Sink<'_, '_>,
    min: &mut Option<(&'static tls::ProtocolVersion, u32, String)>,
    max: &mut Option<&'static tls::ProtocolVersion>,
    s12: &mut Vec<String>,
    s13: &mut Vec<String>,
) {
    if let Some((lo, line, directive)) = min.take() {
        for v in version_range(Some(lo), max.take()) {
            let suites = if v.version == "1.3" {
                s13.clone()
            } else {
                s12.clone()
            };
            sink.at(proto_asset(v, suites), line, &directive);
        }
    }
    *max = None;
    s12.clear();
    s13.clear();
}

fn strip_comment(l: &str) -> &str {
    match l.find('#') {
        Some(i) => l.get(..i).unwrap_or(l),
        None => l,
    }
}

fn include(
    sink: &mut Sink<'_, '_>,
    target: &str,
    path: &str,
    fs: Option<&dyn ReadOther>,
    depth: u32,
    ln: u32,
) {
    if depth >= 8 {
        sink.warn(format!("line {ln}: .include nested too deeply"));
        return;
    }
    let Some(fs) = fs else {
        sink.warn(format!(
            "line {ln}: .include {target} not followed (tree not readable here)"
        ));
        return;
    };
    let t = if target.starts_with('/') {
        target.to_string()
    } else {
        format!("{}/{target}", dirname(path))
    };
    let files = match fs.read(&t, 1 << 20) {
        Some(d) => vec![(t, d)],
        None => {
            // A directory: its *.cnf and *.conf files.
            let mut v = fs.glob(&format!("{}/*.cnf", t.trim_end_matches('/')));
            v.extend(fs.glob(&format!("{}/*.conf", t.trim_end_matches('/'))));
            v.sort();
            v.into_iter()
                .filter_map(|p| fs.read(&p, 1 << 20).map(|d| (p, d)))
                .collect()
        }
    };
    for (p, d) in files {
        scan(sink, &d, &p, Some(fs), depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testutil::{ids, run, survives_garbage, Disk};
    use mamori_model::CryptoStatus;

    const CNF: &str = "openssl_conf = init\n[init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = sys\n[sys]\nMinProtocol = TLSv1\nCipherString = DEFAULT:@SECLEVEL=0\nCiphersuites = TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256\nGroups = X25519MLKEM768:X25519:P-256\nSignatureAlgorithms = RSA+SHA1:ed25519\n";

    #[test]
    fn system_default_section_is_read() {
        let o = run(
            &OpensslCnfDetector,
            "/etc/ssl/openssl.cnf",
            CNF.as_bytes(),
            None,
        );
        let got = ids(&o);
        for id in [
            "proto:tls-1.0",
            "proto:tls-1.1",
            "proto:tls-1.2",
            "proto:tls-1.3",
            "alg:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "alg:TLS_AES_256_GCM_SHA384",
            "alg:X25519MLKEM768",
            "alg:x25519",
            "alg:ECDH-P-256",
            "alg:RSA-PKCS1-1.5-SHA-1",
        ] {
            assert!(got.contains(&id.to_string()), "{id} missing: {got:?}");
        }
        let t10 = o
            .observations
            .iter()
            .find(|x| x.asset.id == "proto:tls-1.0")
            .unwrap();
        assert_eq!(t10.asset.status(), CryptoStatus::Broken);
        assert_eq!(t10.occurrence.location.line, Some(7));
        assert!(t10.asset.protocol.as_ref().unwrap().cipher_suites.len() > 20);
        let h = o
            .observations
            .iter()
            .find(|x| x.asset.id == "alg:X25519MLKEM768")
            .unwrap();
        assert_eq!(h.asset.status(), CryptoStatus::Hybrid);
        assert!(h
            .occurrence
            .context
            .as_deref()
            .unwrap()
            .starts_with("[sys] Groups"));
    }

    #[test]
    fn includes_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("conf.d")).unwrap();
        std::fs::write(
            dir.path().join("conf.d/tls.cnf"),
            "[sys]\nCipherString = RC4-SHA:DES-CBC3-SHA\n",
        )
        .unwrap();
        let main = format!(".include {}/conf.d\n", dir.path().display());
        let o = run(
            &OpensslCnfDetector,
            &format!("{}/openssl.cnf", dir.path().display()),
            main.as_bytes(),
            Some(&Disk),
        );
        let got = ids(&o);
        assert!(
            got.contains(&"alg:TLS_RSA_WITH_RC4_128_SHA".to_string()),
            "{got:?}"
        );
        assert!(got.contains(&"alg:TLS_RSA_WITH_3DES_EDE_CBC_SHA".to_string()));
    }

    /// Debian's shipped openssl.cnf parses without warnings.
    #[test]
    fn debian_openssl_cnf() {
        let path = "/etc/ssl/openssl.cnf";
        let data = std::fs::read(path)
            .expect("/etc/ssl/openssl.cnf missing: install the Debian package `openssl`");
        let o = run(&OpensslCnfDetector, path, &data, Some(&Disk));
        assert!(o.warnings.is_empty(), "{:?}", o.warnings);
        // Debian 12 ships no TLS policy in it; whatever it names must resolve.
        for x in &o.observations {
            assert_ne!(x.asset.status(), CryptoStatus::Unknown, "{}", x.asset.id);
        }
    }

    #[test]
    fn garbage_never_panics() {
        survives_garbage(&OpensslCnfDetector, "/etc/ssl/openssl.cnf", CNF.as_bytes());
    }
}
