//! Java `java.security` (and crypto-policies' `java.config`): `jdk.tls.disabledAlgorithms`,
//! `jdk.certpath.disabledAlgorithms`, `jdk.jar.disabledAlgorithms`. Each notable weak
//! algorithm or protocol a list does NOT disable is recorded as an asset at the property's
//! line, with the disabled list as context: it is what the JVM will still accept.

use super::{alg_asset, proto_asset, unknown_alg, Sink};
use crate::detect::{Detector, FileInfo, Output};
use mamori_algorithms::{by_name, tls};
use mamori_model::{CryptoAsset, Primitive};

/// The java.security detector.
pub struct JavaSecurityDetector;

/// (property, [(entry name as Java spells it, what it means)]).
const NOTABLE: &[(&str, &[(&str, &str)])] = &[
    (
        "jdk.tls.disabledAlgorithms",
        &[
            ("SSLv3", "proto:SSLv3"),
            ("TLSv1", "proto:TLSv1"),
            ("TLSv1.1", "proto:TLSv1.1"),
            ("DTLSv1.0", "proto:DTLSv1"),
            ("RC4", "RC4"),
            ("DES", "DES"),
            ("3DES_EDE_CBC", "3DES-CBC"),
            ("MD5withRSA", "MD5withRSA"),
            ("NULL", "NULL"),
            ("anon", "anonymous"),
        ],
    ),
    (
        "jdk.certpath.disabledAlgorithms",
        &[("MD2", "MD2"), ("MD5", "MD5"), ("SHA1", "SHA-1")],
    ),
    (
        "jdk.jar.disabledAlgorithms",
        &[("MD2", "MD2"), ("MD5", "MD5"), ("SHA1", "SHA-1")],
    ),
];

/// Java properties: (key, value, first line), continuations joined.
pub fn properties(data: &[u8]) -> Vec<(String, String, u32)> {
    let text = String::from_utf8_lossy(data);
    let mut out = Vec::new();
    let mut cur: Option<(String, u32)> = None;
    for (i, raw) in text.lines().enumerate() {
        let ln = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = raw.trim();
        let (acc, start) = match cur.take() {
            Some((a, s)) => (a + line, s),
            None => {
                if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
                    continue;
                }
                (line.to_string(), ln)
            }
        };
        if let Some(stripped) = acc.strip_suffix('\\') {
            cur = Some((stripped.to_string(), start));
            continue;
        }
        let sep = acc
            .find(['=', ':'])
            .or_else(|| acc.find(char::is_whitespace));
        let (k, v) = match sep {
            Some(i) => (acc.get(..i).unwrap_or(""), acc.get(i + 1..).unwrap_or("")),
            None => (acc.as_str(), ""),
        };
        out.push((k.trim().to_string(), v.trim().to_string(), start));
    }
    if let Some((acc, start)) = cur {
        let (k, v) = acc.split_once('=').unwrap_or((acc.as_str(), ""));
        out.push((k.trim().to_string(), v.trim().to_string(), start));
    }
    out
}

fn asset_for(what: &str) -> CryptoAsset {
    if let Some(p) = what.strip_prefix("proto:") {
        if let Some(v) = tls::protocol_version(p) {
            return proto_asset(v, Vec::new());
        }
    }
    let props = by_name(what).unwrap_or_else(|| {
        let mut a = unknown_alg(what, Primitive::Other);
        a.status = mamori_model::CryptoStatus::Broken;
        a.note = Some("No encryption or no authentication.".into());
        a
    });
    alg_asset(props)
}

/// Report the notable weak algorithms the lists leave enabled.
pub(crate) fn report(sink: &mut Sink<'_, '_>, data: &[u8]) {
    let props = properties(data);
    for (key, notables) in NOTABLE {
        let Some((_, value, line)) = props.iter().find(|(k, _, _)| k == key) else {
            continue;
        };
        let disabled: Vec<String> = value
            .split(',')
            .map(|e| e.split_whitespace().next().unwrap_or("").to_string())
            .filter(|e| !e.is_empty())
            .collect();
        for (name, what) in notables.iter() {
            if disabled.iter().any(|d| d.eq_ignore_ascii_case(name)) {
                continue;
            }
            let ctx = format!("{key} does not disable {name} (disables: {})", value);
            sink.at(asset_for(what), *line, &ctx);
        }
    }
}

impl Detector for JavaSecurityDetector {
    fn name(&self) -> &'static str {
        "config.java"
    }
    fn wants(&self, f: &FileInfo<'_>, _head: &[u8]) -> bool {
        f.name == "java.security" || (f.name == "java.config" && f.path.contains("crypto-policies"))
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
        report(&mut sink, data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::testutil::{ids, run, survives_garbage};

    const WEAKENED: &str = "# test\njdk.tls.disabledAlgorithms=SSLv3, RC4, DES, MD5withRSA, \\\n    DH keySize < 1024, 3DES_EDE_CBC, anon, NULL\njdk.certpath.disabledAlgorithms=MD2, MD5, SHA1 jdkCA & usage TLSServer\n";

    #[test]
    fn what_is_not_disabled_is_recorded() {
        let o = run(
            &JavaSecurityDetector,
            "/usr/lib/jvm/x/conf/security/java.security",
            WEAKENED.as_bytes(),
            None,
        );
        let got = ids(&o);
        assert!(got.contains(&"proto:tls-1.0".to_string()), "{got:?}");
        assert!(got.contains(&"proto:tls-1.1".to_string()));
        assert!(!got.contains(&"proto:ssl-3.0".to_string()));
        assert!(!got.iter().any(|i| i == "alg:RC4"));
        let t = o
            .observations
            .iter()
            .find(|x| x.asset.id == "proto:tls-1.0")
            .unwrap();
        assert_eq!(t.occurrence.location.line, Some(2));
    }

    /// The JDKs installed here disable the weak protocols: nothing of TLS 1.0 is reported.
    #[test]
    fn installed_jdks() {
        let mut n = 0;
        for e in std::fs::read_dir("/usr/lib/jvm")
            .expect("/usr/lib/jvm missing: install openjdk-17-jre-headless")
            .flatten()
        {
            let p = e.path().join("conf/security/java.security");
            let Ok(data) = std::fs::read(&p) else {
                continue;
            };
            let o = run(&JavaSecurityDetector, &p.display().to_string(), &data, None);
            let got = ids(&o);
            assert!(
                !got.contains(&"proto:tls-1.0".to_string()),
                "{}: {got:?}",
                p.display()
            );
            assert!(!got.contains(&"alg:RC4".to_string()), "{}", p.display());
            assert!(properties(&data)
                .iter()
                .any(|(k, _, _)| k == "jdk.tls.disabledAlgorithms"));
            n += 1;
        }
        assert!(n > 0, "no java.security found under /usr/lib/jvm");
    }

    #[test]
    fn garbage_never_panics() {
        survives_garbage(
            &JavaSecurityDetector,
            "/x/java.security",
            WEAKENED.as_bytes(),
        );
    }
}
