//! A large organization's inventory for the planning benchmark (`bench/plan/bench`): a
//! systems register of S systems and one stored run with about A crypto assets spread over
//! them, shaped like the scans mamori makes of real servers — per system a private CA and
//! the end-entity certificates it issues, private keys, TLS and SSH services with their
//! protocol versions, OpenSSL and OpenSSH versions, and algorithms chosen in configuration
//! and in code. Properties come from mamori's knowledge base, so every asset is judged as a
//! scanned one would be.
//!
//! ```text
//! cargo run --release -p mamori --example plan_synth -- OUT_DIR [SYSTEMS] [ASSETS]
//! ```
//!
//! Writes `OUT_DIR/mamori.toml` and `OUT_DIR/plan.db` (replacing them).
// A tool for benchmarks and demos, not the product: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![forbid(unsafe_code)]

use mamori_algorithms::tls;
use mamori_model::{
    AlgorithmProps, AssetKind, CertificateProps, CryptoAsset, Endpoint, KeyProps, LibraryProps,
    Location, Occurrence, ScanResult, SshPosture, TlsPosture,
};
use std::fmt::Write as _;
use std::path::PathBuf;

fn occ(path: String, line: Option<u32>, detector: &str) -> Occurrence {
    Occurrence {
        location: Location {
            path,
            line,
            offset: None,
            container: None,
        },
        detector: detector.into(),
        context: None,
        package: None,
    }
}

fn alg_asset(p: AlgorithmProps) -> CryptoAsset {
    let mut a = CryptoAsset::new(
        AssetKind::Algorithm,
        format!("alg:{}", p.name),
        p.name.clone(),
    );
    a.algorithm = Some(p);
    a
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(out) = args.get(1).map(PathBuf::from) else {
        eprintln!("usage: plan_synth OUT_DIR [SYSTEMS] [ASSETS]");
        std::process::exit(2);
    };
    let systems: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let total: usize = args
        .get(3)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    std::fs::create_dir_all(&out).expect("create OUT_DIR");
    let mut reg = String::from(
        "[organization]\nname = \"Synthetic Prefecture\"\n\n[plan]\npolicy = \"ldp-2024\"\n",
    );
    let mut scan = ScanResult {
        targets: vec![],
        ..ScanResult::default()
    };
    let mut shared = shared_algorithms();
    let mut libs: std::collections::BTreeMap<String, CryptoAsset> = Default::default();
    let endpoints = 10usize;
    for s in 0..systems {
        let id = format!("sys-{s:04}");
        let root = format!("/srv/{id}");
        register_system(&mut reg, s, &id, &root, endpoints);
        services(&mut scan, &mut shared, s, endpoints);
        code_and_config(&mut shared, s, &root);
        libraries(&mut libs, s, &root);
        let budget = (total / systems).saturating_sub(endpoints * 2);
        certificates_and_keys(&mut scan, s, &id, &root, budget);
    }
    scan.assets.extend(shared);
    scan.assets.extend(libs.into_values());
    scan.assets.sort_by(|a, b| a.id.cmp(&b.id));
    let n = scan.assets.len();
    std::fs::write(out.join("mamori.toml"), reg).expect("write mamori.toml");
    let db = out.join("plan.db");
    let _ = std::fs::remove_file(&db);
    let mut store = mamori_store::Store::open(&db).expect("open store");
    let run = store
        .save_run(&scan, &mamori_store::now_rfc3339())
        .expect("save run");
    println!(
        "{}: {systems} systems, {n} assets, {} endpoints in run {run}",
        out.display(),
        scan.endpoints.len()
    );
}

/// Shared algorithm assets: one per algorithm, with occurrences in every system.
fn shared_algorithms() -> Vec<CryptoAsset> {
    // Shared algorithm assets: one per algorithm, with occurrences in every system.
    let mut shared: Vec<CryptoAsset> = [
        "x25519",
        "secp256r1",
        "secp384r1",
        "ffdhe2048",
        "X25519MLKEM768",
    ]
    .iter()
    .map(|g| alg_asset(tls::group_by_name(g).expect("group").props()))
    .chain(
        [
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_RSA_WITH_AES_128_CBC_SHA",
            "TLS_AES_256_GCM_SHA384",
        ]
        .iter()
        .map(|s| alg_asset(tls::suite_by_name(s).expect("suite").props())),
    )
    .chain(
        [
            "RSA-2048",
            "ECDH-P-256",
            "AES-256-GCM",
            "SHA-256",
            "MD5",
            "3DES-CBC",
        ]
        .iter()
        .map(|n| alg_asset(mamori_algorithms::by_name(n).expect("algorithm"))),
    )
    .collect();
    // One asset per id, as the scan's merge makes them (a group and an algorithm may be one).
    let mut seen = std::collections::BTreeSet::new();
    shared.retain(|a| seen.insert(a.id.clone()));
    shared
}

/// The system's entry in the register.
fn register_system(reg: &mut String, s: usize, id: &str, root: &str, endpoints: usize) {
    let crit = ["critical", "high", "medium", "low"][s % 4];
    let years = [30, 10, 5, 1][s % 4];
    let _ = write!(
        reg,
        "\n[[system]]\nid = \"{id}\"\nname = \"System {s}\"\nowner = \"Division {}\"\ncriticality = \"{crit}\"\nconfidentiality_years = {years}\ntargets = [\"{root}\"",
        s % 37
    );
    for e in 0..endpoints {
        let _ = write!(reg, ", \"tls://10.{}.{}.{e}:443\"", s / 256, s % 256);
    }
    reg.push_str("]\n");
}

/// Services: TLS, one in five already on X25519MLKEM768, with their protocol versions; SSH
/// in one system of three.
fn services(scan: &mut ScanResult, shared: &mut [CryptoAsset], s: usize, endpoints: usize) {
    for e in 0..endpoints {
        let ep = format!("10.{}.{}.{e}:443", s / 256, s % 256);
        let pq = (s + e) % 5 == 0;
        scan.endpoints.push(Endpoint {
            endpoint: ep.clone(),
            host: ep.rsplit_once(':').unwrap().0.into(),
            port: 443,
            service: "tls".into(),
            tls: Some(TlsPosture {
                versions: vec!["TLSv1.2".into(), "TLSv1.3".into()],
                pq_key_exchange: pq,
                ..TlsPosture::default()
            }),
            ..Endpoint::default()
        });
        for v in ["TLSv1.2", "TLSv1.3"] {
            let pv = tls::protocol_version(v).expect("version");
            let mut a = CryptoAsset::new(
                AssetKind::Protocol,
                format!("{}@{ep}", tls::protocol_asset_id(v)),
                format!("TLS {}", pv.version),
            );
            a.algorithm = Some(pv.props());
            a.occurrences.push(occ(ep.clone(), None, "net.tls"));
            scan.assets.push(a);
        }
        for g in shared.iter_mut().take(if pq { 5 } else { 3 }) {
            g.occurrences.push(occ(ep.clone(), None, "net.tls"));
        }
        for su in shared.iter_mut().skip(5).take(4) {
            su.occurrences.push(occ(ep.clone(), None, "net.tls"));
        }
    }
    if s % 3 == 0 {
        scan.endpoints.push(Endpoint {
            endpoint: format!("10.{}.{}.200:22", s / 256, s % 256),
            service: "ssh".into(),
            ssh: Some(SshPosture {
                software: "OpenSSH_8.4p1".into(),
                ..SshPosture::default()
            }),
            ..Endpoint::default()
        });
    }
}

/// Algorithms in configuration and code.
fn code_and_config(shared: &mut [CryptoAsset], s: usize, root: &str) {
    for (i, a) in shared.iter_mut().skip(9).enumerate() {
        a.occurrences.push(occ(
            format!("{root}/etc/app/tls.conf"),
            Some(10 + i as u32),
            "config.nginx",
        ));
        if (s + i) % 2 == 0 {
            a.occurrences.push(occ(
                format!("{root}/src/crypto_{i}.py"),
                Some(40 + i as u32),
                "source.python",
            ));
        }
    }
}

/// OpenSSL and OpenSSH versions.
fn libraries(libs: &mut std::collections::BTreeMap<String, CryptoAsset>, s: usize, root: &str) {
    for (lib, version, path) in [
        (
            "OpenSSL",
            ["3.0.11", "3.5.1", "1.1.1w"][s % 3],
            "usr/lib/libssl.so.3",
        ),
        (
            "OpenSSH",
            ["8.4p1", "9.2p1", "9.9p1"][s % 3],
            "usr/sbin/sshd",
        ),
    ] {
        let key = format!("lib:{lib}@{version}");
        let a = libs.entry(key.clone()).or_insert_with(|| {
            let mut a =
                CryptoAsset::new(AssetKind::Library, key.clone(), format!("{lib} {version}"));
            a.library = Some(LibraryProps {
                library: lib.into(),
                version: Some(version.into()),
                linkage: "dynamic".into(),
            });
            a
        });
        a.occurrences
            .push(occ(format!("{root}/{path}"), None, "binary"));
    }
}

/// Certificates (a private CA and what it issues) and keys, `budget` assets in all.
fn certificates_and_keys(scan: &mut ScanResult, s: usize, id: &str, root: &str, budget: usize) {
    let rsa2048 = mamori_algorithms::rsa(2048);
    let p256 = mamori_algorithms::ec("P-256", mamori_model::Primitive::Signature)
        .expect("P-256 in the KB");
    let certs = budget * 3 / 4;
    let keys = budget - certs;
    let ca = format!("CN=CA {id}, O=Synthetic Prefecture");
    for c in 0..certs {
        let is_ca = c == 0;
        let subject = if is_ca {
            ca.clone()
        } else {
            format!("CN=host{c}.{id}.example.lg.jp")
        };
        let ec = c % 3 == 2;
        let mut a = CryptoAsset::new(
            AssetKind::Certificate,
            format!("cert:{s:04}{c:060}"),
            subject.clone(),
        );
        a.algorithm = Some(if ec { p256.clone() } else { rsa2048.clone() });
        a.certificate = Some(CertificateProps {
            subject,
            issuer: ca.clone(),
            serial: format!("{c:x}"),
            not_before: "2026-01-01T00:00:00Z".into(),
            not_after: if c % 4 == 0 {
                "2026-04-01T00:00:00Z".into()
            } else {
                "2027-01-01T00:00:00Z".into()
            },
            signature_algorithm: "RSASSA-PKCS1-v1_5-SHA-256".into(),
            signature_algorithm_oid: "1.2.840.113549.1.1.11".into(),
            public_key_algorithm: if ec { "EC".into() } else { "RSA".into() },
            public_key_algorithm_oid: "1.2.840.113549.1.1.1".into(),
            public_key_size: Some(if ec { 256 } else { 2048 }),
            curve: ec.then(|| "P-256".into()),
            is_ca,
            self_signed: false,
            sha256: format!("{s:04}{c:060}"),
            format: "PEM".into(),
            dns_names: vec![],
        });
        a.occurrences.push(occ(
            format!("{root}/etc/pki/certs/{c}.pem"),
            Some(1),
            "certificate",
        ));
        scan.assets.push(a);
    }
    for k in 0..keys {
        let mut a = CryptoAsset::new(
            AssetKind::Key,
            format!("key:sha256:{s:04}{k:060}"),
            "RSA-2048 private key",
        );
        a.algorithm = Some(rsa2048.clone());
        a.key = Some(KeyProps {
            material: "private-key".into(),
            algorithm: "RSA-2048".into(),
            size: Some(2048),
            curve: None,
            format: "PKCS#8".into(),
            fingerprint: None,
            spki_sha256: None,
            encrypted: Some(false),
            protection: None,
            label: None,
        });
        a.occurrences.push(occ(
            format!("{root}/etc/pki/private/{k}.key"),
            Some(1),
            "key",
        ));
        scan.assets.push(a);
    }
}
