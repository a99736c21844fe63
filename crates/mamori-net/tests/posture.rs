//! The whole TLS posture, through `collect`, against real servers on 127.0.0.1: openssl
//! s_server in several configurations, nginx with two certificates, and a rustls server
//! offering X25519MLKEM768; and servers that misbehave.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::{
    make_named_cert, start_nginx, start_rustls_server, start_rustls_server_with, start_server,
};
use mamori_model::{CryptoStatus, Endpoint};
use mamori_net::collect::{collect_async, NetOptions, NetResult};
use mamori_net::engine::{Engine, Limits};
use mamori_net::target::{parse_target, Kind};
use mamori_net::tls::hello::tls13_groups;
use mamori_net::tls::posture::{self as tp, group_name, scheme_name};
use mamori_net::tls::probe::Probe;
use mamori_net::tls::{TLS10, TLS11, TLS12};

fn opts() -> NetOptions {
    NetOptions {
        limits: Limits {
            timeout: Duration::from_secs(5),
            ..Limits::default()
        },
        ..NetOptions::default()
    }
}

async fn scan(targets: &[&str], o: &NetOptions) -> NetResult {
    let ts: Vec<_> = targets
        .iter()
        .flat_map(|t| parse_target(t).expect("target"))
        .collect();
    collect_async(&ts, o).await
}

fn sha256(der: &[u8]) -> String {
    mamori_fs::certs::sha256_hex(der)
}

/// The observation of asset `id`, which must be there.
fn seen<'a>(r: &'a NetResult, id: &str) -> &'a mamori_model::Observation {
    r.observations
        .iter()
        .find(|o| o.asset.id == id)
        .unwrap_or_else(|| panic!("no asset {id}"))
}

fn tls(ep: &Endpoint) -> &mamori_model::TlsPosture {
    ep.tls
        .as_ref()
        .unwrap_or_else(|| panic!("no TLS posture: {:?}", ep.error))
}

/// The survey finds each list by offering everything and removing what the server chose;
/// asking each candidate alone (the way mamori asked before, one connection per
/// candidate) must find the same groups, signature schemes and application protocols.
async fn same_as_one_at_a_time(port: u16, t: &mamori_model::TlsPosture) {
    use std::collections::BTreeSet;
    let e = Engine::new(opts().limits);
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let p = Probe::new(&e, addr, Some("localhost"), Kind::Tls);
    let has13 = t.versions.iter().any(|v| v == "TLSv1.3");
    let best12 = [TLS12, TLS11, TLS10]
        .into_iter()
        .find(|&v| t.versions.contains(&tp::version_name(v)));
    let names = |v: Vec<u16>| v.into_iter().map(group_name).collect::<BTreeSet<_>>();
    let each = if has13 {
        names(p.groups13_each(&tls13_groups()).await.unwrap())
    } else {
        let v = best12.expect("a version");
        names(p.curves12_each(v, &tp::ec_groups()).await.unwrap())
    };
    let survey: BTreeSet<String> = t.groups.iter().cloned().collect();
    assert_eq!(survey, each, "groups");
    for v in [TLS10, TLS11, TLS12, mamori_net::tls::TLS13] {
        let name = tp::version_name(v);
        let each: BTreeSet<String> = p
            .suites_each(v)
            .await
            .unwrap()
            .into_iter()
            .map(tp::suite_name)
            .collect();
        let survey: BTreeSet<String> = t
            .suites
            .get(&name)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default();
        assert_eq!(survey, each, "{name} suites");
    }
    if has13 {
        let fast: BTreeSet<String> = tp::schemes13(&p, true, None)
            .await
            .iter()
            .filter_map(|h| h.scheme.map(scheme_name))
            .collect();
        let each = tp::schemes13_each(&p).await;
        assert_eq!(fast, each, "TLS 1.3 signature schemes");
        assert!(!each.is_empty());
        for s in &each {
            assert!(t.signature_schemes.contains(s), "{s} in {t:?}");
        }
    }
    let each = tp::alpn_each(&p, best12, has13).await.unwrap();
    assert_eq!(t.alpn, each, "ALPN");
    let fast = tp::alpn_protocols(&p, best12, has13, None).await.unwrap();
    assert_eq!(fast, each, "ALPN without a first answer");
}

#[tokio::test]
async fn legacy_server_tls10_and_tls12_with_weak_suites() {
    let dir = tempfile::tempdir().unwrap();
    let der = make_named_cert(dir.path(), "cert", "rsa:2048", "DNS:localhost");
    std::fs::rename(dir.path().join("cert.key"), dir.path().join("key.pem")).unwrap();
    // s_server refuses -tls1 with -tls1_2; allow 1.0 … 1.2 and forbid 1.1 and 1.3
    let server = start_server(
        dir.path(),
        &["-no_tls1_1", "-no_tls1_3", "-cipher", "ALL:@SECLEVEL=0"],
    );
    let r = scan(&[&format!("tls://localhost:{}", server.port)], &opts()).await;
    let ep = &r.endpoints[0];
    let t = tls(ep);
    assert_eq!(t.versions, ["TLSv1.0", "TLSv1.2"], "{ep:?}");
    let v10 = &t.suites["TLSv1.0"];
    // anonymous DH at SECLEVEL=0, and no TLS 1.2-only suite in TLS 1.0
    assert!(
        v10.iter().any(|s| s == "TLS_DH_anon_WITH_AES_128_CBC_SHA"),
        "{v10:?}"
    );
    assert!(!v10.iter().any(|s| s.contains("GCM")), "{v10:?}");
    assert!(t.suites["TLSv1.2"].iter().any(|s| s.contains("GCM")));
    // no TLS 1.3: the groups are the ECDHE curves, read from ServerKeyExchange
    assert!(t.groups.iter().any(|g| g == "secp256r1"), "{:?}", t.groups);
    assert!(t.groups.iter().any(|g| g == "x25519"), "{:?}", t.groups);
    assert!(!t.pq_key_exchange);
    assert!(t.dh_bits.iter().all(|&b| b >= 1024), "{:?}", t.dh_bits);
    assert_eq!(t.secure_renegotiation, Some(true));
    assert_eq!(t.compression, Some(false));
    assert_eq!(t.chains.len(), 1);
    assert_eq!(t.chains[0].certificates, [sha256(&der)]);
    assert_eq!(t.chains[0].hostname_match, Some(true));
    same_as_one_at_a_time(server.port, t).await;
    // assets at localhost:port: TLS 1.0 is a protocol asset of this endpoint, broken
    let at = format!("localhost:{}", server.port);
    let p10 = seen(&r, &format!("proto:tls-1.0@{at}"));
    assert_eq!(p10.asset.status(), CryptoStatus::Broken);
    assert_eq!(p10.occurrence.location.path, at);
    let anon = seen(&r, "alg:TLS_DH_anon_WITH_AES_128_CBC_SHA");
    assert_eq!(anon.asset.status(), CryptoStatus::Broken);
    assert!(r.observations.iter().any(
        |o| o.asset.id == format!("cert:{}", sha256(&der)) && o.occurrence.location.path == at
    ));
}

#[tokio::test]
async fn rsa_1024_certificate_and_tls13_only() {
    let dir = tempfile::tempdir().unwrap();
    let der = make_named_cert(dir.path(), "cert", "rsa:1024", "DNS:other.example");
    std::fs::rename(dir.path().join("cert.key"), dir.path().join("key.pem")).unwrap();
    let server = start_server(dir.path(), &["-tls1_3", "-cipher", "ALL:@SECLEVEL=0"]);
    let r = scan(&[&format!("tls://localhost:{}", server.port)], &opts()).await;
    let t = tls(&r.endpoints[0]);
    assert_eq!(t.versions, ["TLSv1.3"]);
    // the chain comes through a real TLS 1.3 handshake (it is encrypted)
    assert_eq!(t.chains.len(), 1, "{t:?}");
    assert_eq!(t.chains[0].certificates, [sha256(&der)]);
    assert_eq!(t.chains[0].key, "RSA-1024");
    assert_eq!(t.chains[0].hostname_match, Some(false));
    let m = t.modern_client.as_ref().expect("modern client");
    assert_eq!(
        (m.version.as_str(), m.group.as_deref()),
        ("TLSv1.3", Some("x25519"))
    );
    // RSA key: the RSA-PSS schemes, nothing ECDSA
    assert!(t
        .signature_schemes
        .iter()
        .any(|s| s == "rsa_pss_rsae_sha256"));
    assert!(!t.signature_schemes.iter().any(|s| s.starts_with("ecdsa")));
    assert!(!t.pq_key_exchange);
    same_as_one_at_a_time(server.port, t).await;
    // the 1024-bit key is recorded as broken, located at the endpoint
    let key = r
        .observations
        .iter()
        .find(|o| {
            o.asset.id.starts_with("key:")
                && o.asset.key.as_ref().and_then(|k| k.size) == Some(1024)
        })
        .expect("the certificate's key");
    assert_eq!(key.asset.status(), CryptoStatus::Broken);
}

#[tokio::test]
async fn rustls_server_with_x25519mlkem768() {
    let dir = tempfile::tempdir().unwrap();
    let der = make_named_cert(dir.path(), "ec", "ec", "DNS:localhost");
    let port = start_rustls_server(dir.path(), "ec.pem", "ec.key");
    let target = format!("tls://localhost:{port}");
    let r = scan(&[&target], &opts()).await;
    let t = tls(&r.endpoints[0]);
    assert_eq!(t.versions, ["TLSv1.2", "TLSv1.3"]);
    assert!(t.pq_key_exchange);
    assert!(
        t.groups.iter().any(|g| g == "X25519MLKEM768"),
        "{:?}",
        t.groups
    );
    assert!(t.groups.iter().any(|g| g == "x25519"), "{:?}", t.groups);
    // the Kyber drafts are gone from rustls
    assert!(
        !t.groups.iter().any(|g| g.contains("Kyber")),
        "{:?}",
        t.groups
    );
    let m = t.modern_client.as_ref().unwrap();
    assert_eq!(m.group.as_deref(), Some("X25519MLKEM768"));
    assert_eq!(t.chains[0].certificates, [sha256(&der)]);
    assert_eq!(t.chains[0].key, "ECDSA-P-256");
    assert!(t
        .signature_schemes
        .iter()
        .any(|s| s == "ecdsa_secp256r1_sha256"));
    // rustls follows the client's order unless told otherwise
    assert_eq!(t.server_order.get("TLSv1.2"), Some(&false));
    same_as_one_at_a_time(port, t).await;
    // the group is a hybrid asset at the endpoint
    let g = seen(&r, "alg:X25519MLKEM768");
    assert_eq!(g.asset.status(), CryptoStatus::Hybrid);

    // quick mode: groups only, few connections
    let quick = NetOptions {
        pq_only: true,
        ..opts()
    };
    let q = scan(&[&target], &quick).await;
    let qt = tls(&q.endpoints[0]);
    assert!(qt.groups_only && qt.pq_key_exchange);
    assert!(
        qt.groups.iter().any(|g| g == "X25519MLKEM768"),
        "{:?}",
        qt.groups
    );
    assert!(qt.suites.is_empty() && qt.chains.is_empty());
    assert!(
        q.endpoints[0].connections <= 4,
        "{}",
        q.endpoints[0].connections
    );
}

#[tokio::test]
async fn nginx_with_rsa_and_ecdsa_certificates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("tmp")).unwrap();
    let rsa = make_named_cert(dir.path(), "rsa", "rsa:2048", "DNS:localhost");
    let ec = make_named_cert(dir.path(), "ec", "ec", "DNS:localhost");
    let n = start_nginx(
        dir.path(),
        "ssl http2",
        "  ssl_certificate {dir}/rsa.pem;\n  ssl_certificate_key {dir}/rsa.key;\n  ssl_certificate {dir}/ec.pem;\n  ssl_certificate_key {dir}/ec.key;\n  ssl_protocols TLSv1.2 TLSv1.3;\n  ssl_prefer_server_ciphers on;\n  location / { return 204; }",
    );
    let r = scan(&[&format!("https://localhost:{}", n.port)], &opts()).await;
    let t = tls(&r.endpoints[0]);
    assert_eq!(t.versions, ["TLSv1.2", "TLSv1.3"]);
    // one chain per key type
    let mut leaves: Vec<&str> = t
        .chains
        .iter()
        .map(|c| c.certificates[0].as_str())
        .collect();
    leaves.sort_unstable();
    let mut want = [sha256(&rsa), sha256(&ec)];
    want.sort_unstable();
    assert_eq!(leaves, want);
    assert_eq!(t.server_order.get("TLSv1.2"), Some(&true));
    // each protocol offered alone: both are agreed to
    assert_eq!(t.alpn, ["h2", "http/1.1"]);
    assert!(t.signature_schemes.iter().any(|s| s.starts_with("ecdsa")));
    assert!(t.signature_schemes.iter().any(|s| s.starts_with("rsa_pss")));
    same_as_one_at_a_time(n.port, t).await;
    // one connection per item accepted (plus one refusal per list), not per candidate:
    // 5 versions, ~45 for the suites with their orders, ~10 for the groups, 5 rustls
    // handshakes and one for ALPN (asking each candidate alone took 127)
    assert!(
        r.endpoints[0].connections <= 80,
        "{} connections",
        r.endpoints[0].connections
    );
}

/// A server whose only key-exchange groups are post-quantum is where a migration ends:
/// it must be surveyed as fully as any other (versions, suites, groups, schemes, chain),
/// and a browser of today (X25519MLKEM768, X25519, P-256, P-384) reaches only the first.
#[tokio::test]
async fn servers_with_post_quantum_groups_only() {
    use rustls::crypto::aws_lc_rs::kx_group;
    let dir = tempfile::tempdir().unwrap();
    let der = make_named_cert(dir.path(), "ec", "ec", "DNS:localhost");
    let cases: [(&'static dyn rustls::crypto::SupportedKxGroup, &str, bool); 4] = [
        (kx_group::X25519MLKEM768, "X25519MLKEM768", true),
        (kx_group::SECP256R1MLKEM768, "SecP256r1MLKEM768", false),
        (kx_group::MLKEM768, "MLKEM768", false),
        (kx_group::MLKEM1024, "MLKEM1024", false),
    ];
    for (group, name, browser) in cases {
        let addr = mamori_testkit::rustls_server_groups(
            dir.path(),
            "ec.pem",
            "ec.key",
            "127.0.0.1:0",
            &[group],
        );
        let target = format!("tls://localhost:{}", addr.port());
        let r = scan(&[&target], &opts()).await;
        let ep = &r.endpoints[0];
        assert_eq!(ep.error, None, "{name}");
        let t = tls(ep);
        // no TLS 1.2 without an elliptic-curve or finite-field group
        assert_eq!(t.versions, ["TLSv1.3"], "{name}");
        assert_eq!(t.groups, [name], "{name}");
        assert!(t.pq_key_exchange, "{name}");
        let mut suites = t.suites["TLSv1.3"].clone();
        suites.sort();
        assert_eq!(
            suites,
            [
                "TLS_AES_128_GCM_SHA256",
                "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256"
            ],
            "{name}"
        );
        assert_eq!(t.chains.len(), 1, "{name}");
        assert_eq!(t.chains[0].certificates, [sha256(&der)], "{name}");
        assert_eq!(t.signature_schemes, ["ecdsa_secp256r1_sha256"], "{name}");
        assert_eq!(t.modern_client.is_some(), browser, "{name}: {t:?}");
        if browser {
            let m = t.modern_client.as_ref().unwrap();
            assert_eq!(m.group.as_deref(), Some(name));
        }
        same_as_one_at_a_time(addr.port(), t).await;
        // the group is a post-quantum asset at the endpoint
        let groups: Vec<_> = r
            .observations
            .iter()
            .filter(|o| o.occurrence.context.as_deref() == Some("key-exchange group accepted"))
            .collect();
        assert_eq!(groups.len(), 1, "{name}");
        assert!(
            matches!(
                groups[0].asset.status(),
                CryptoStatus::Hybrid | CryptoStatus::QuantumSafe
            ),
            "{name}: {:?}",
            groups[0].asset
        );
    }
}

/// A scripted server on 127.0.0.1: each connection is handed to `serve` on a thread of its
/// own. Returns the port.
fn scripted(serve: impl Fn(std::net::TcpStream) + Send + Sync + 'static) -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let serve = std::sync::Arc::new(serve);
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let serve = serve.clone();
            std::thread::spawn(move || serve(s));
        }
    });
    port
}

/// A server that accepts and then does `what`.
fn hostile(what: &'static str) -> u16 {
    scripted(move |mut s| {
        if what == "reset" {
            // closing with the hello unread makes the kernel send a reset
            std::thread::sleep(Duration::from_millis(50));
            return;
        }
        let mut buf = [0u8; 4096];
        let _ = s.read(&mut buf);
        match what {
            "garbage" => {
                let _ = s.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\n");
            }
            "oversized" => {
                // a handshake record claiming 16 MiB
                let _ = s.write_all(&[22, 3, 3, 0xff, 0xff, 2, 0xff, 0xff, 0xff]);
                std::thread::sleep(Duration::from_millis(200));
            }
            _ => std::thread::sleep(Duration::from_secs(30)),
        }
    })
}

#[tokio::test]
async fn hostile_servers_give_clear_errors_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    make_named_cert(dir.path(), "ec", "ec", "DNS:localhost");
    let good = start_rustls_server(dir.path(), "ec.pem", "ec.key");
    let o = NetOptions {
        limits: Limits {
            timeout: Duration::from_millis(500),
            retries: 0,
            ..Limits::default()
        },
        ..NetOptions::default()
    };
    let targets: Vec<String> = ["garbage", "oversized", "stall", "reset"]
        .iter()
        .map(|w| format!("tls://127.0.0.1:{}", hostile(w)))
        .chain([format!("tls://127.0.0.1:{good}")])
        .collect();
    let refs: Vec<&str> = targets.iter().map(String::as_str).collect();
    let t0 = std::time::Instant::now();
    let r = scan(&refs, &o).await;
    assert!(t0.elapsed() < Duration::from_secs(20), "{:?}", t0.elapsed());
    assert_eq!(r.endpoints.len(), 5);
    for (ep, want) in r.endpoints.iter().zip([
        "not a TLS response",
        "exceeds the maximum",
        "within",
        "reset",
    ]) {
        let e = ep
            .error
            .as_deref()
            .unwrap_or_else(|| panic!("no error for {ep:?}"));
        assert!(e.contains(&ep.endpoint), "{e}");
        assert!(e.contains(want), "{}: {e}", ep.endpoint);
    }
    assert!(r.endpoints[4].error.is_none(), "{:?}", r.endpoints[4].error);
    assert!(tls(&r.endpoints[4]).pq_key_exchange);
    // each failure is also a warning naming the endpoint
    assert_eq!(r.warnings.len(), 4, "{:?}", r.warnings);
}

fn shared(name: &str) -> Vec<u8> {
    let p = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/pqc-certificates/bc/"
    );
    std::fs::read(format!("{p}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[tokio::test]
async fn post_quantum_certificates_in_a_served_chain_over_ipv6() {
    // The leaf is classical (rustls signs with it); the chain carries the real ML-DSA-65
    // and composite ML-DSA-65 + ECDSA-P256 certificates of ../shared, as a server in the
    // middle of a migration would.
    let dir = tempfile::tempdir().unwrap();
    make_named_cert(dir.path(), "ec", "ec", "DNS:localhost");
    let mldsa = shared("ml-dsa-65-2.16.840.1.101.3.4.3.18_ta.der");
    let composite = shared("MLDSA65-ECDSA-P256-SHA512-1.3.6.1.5.5.7.6.45_ta.der");
    let addr = start_rustls_server_with(
        dir.path(),
        "ec.pem",
        "ec.key",
        &[mldsa.clone(), composite.clone()],
        "[::1]:0",
    );
    let target = format!("tls://[::1]:{}", addr.port());
    let r = scan(&[&target], &opts()).await;
    let ep = &r.endpoints[0];
    assert_eq!(ep.endpoint, format!("[::1]:{}", addr.port()));
    let t = tls(ep);
    assert_eq!(t.chains.len(), 1);
    assert_eq!(
        t.chains[0].certificates[1..],
        [sha256(&mldsa), sha256(&composite)]
    );
    // an IP target: no host name to match
    assert_eq!(t.chains[0].hostname_match, None);
    let status = |der: &[u8]| {
        r.observations
            .iter()
            .find(|o| o.asset.id == format!("cert:{}", sha256(der)))
            .map(|o| (o.asset.status(), o.occurrence.location.path.clone()))
            .expect("certificate asset")
    };
    assert_eq!(
        status(&mldsa),
        (CryptoStatus::QuantumSafe, ep.endpoint.clone())
    );
    assert_eq!(status(&composite).0, CryptoStatus::Hybrid);
}

#[tokio::test]
async fn stapled_ocsp_response_is_seen() {
    // A CA, a leaf it signs, and a real OCSP response from `openssl ocsp` (status unknown:
    // the index is empty, which is still a response a server staples).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = |args: &[&str]| common::openssl(args, d);
    make_named_cert(d, "ca", "rsa:2048", "DNS:ca.invalid");
    o(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "key.pem",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=localhost",
    ]);
    std::fs::write(d.join("ext.cnf"), "subjectAltName=DNS:localhost\n").unwrap();
    o(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "cert.pem",
        "-days",
        "30",
        "-extfile",
        "ext.cnf",
    ]);
    std::fs::write(d.join("index.txt"), "").unwrap();
    o(&[
        "ocsp",
        "-index",
        "index.txt",
        "-rsigner",
        "ca.pem",
        "-rkey",
        "ca.key",
        "-CA",
        "ca.pem",
        "-issuer",
        "ca.pem",
        "-cert",
        "cert.pem",
        "-respout",
        "resp.der",
        "-ndays",
        "1",
    ]);
    let with = start_server(d, &["-status_file", "resp.der"]);
    let without = start_server(d, &[]);
    let r = scan(
        &[
            &format!("tls://localhost:{}", with.port),
            &format!("tls://localhost:{}", without.port),
        ],
        &opts(),
    )
    .await;
    assert_eq!(tls(&r.endpoints[0]).ocsp_stapling, Some(true));
    assert_eq!(tls(&r.endpoints[1]).ocsp_stapling, Some(false));
}

/// A server of a kind no library here can be made into any more: it speaks SSL 3.0 to
/// TLS 1.2, takes DEFLATE compression and knows nothing of RFC 5746. Scripted on
/// 127.0.0.1: it answers every hello with a ServerHello in the client's version (at most
/// TLS 1.2) for TLS_RSA_WITH_AES_128_CBC_SHA that echoes the first compression method
/// offered, and ServerHelloDone.
fn old_server() -> u16 {
    scripted(|mut s| {
        let mut buf = vec![0u8; 65536];
        let mut got = Vec::new();
        // read the whole ClientHello record
        while got.len() < 5 || got.len() < 5 + usize::from(u16::from_be_bytes([got[3], got[4]])) {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let hello = &got[5..];
        // type(1) len(3) version(2) random(32) sid
        let sid = usize::from(hello[38]);
        let mut p = 39 + sid;
        let suites = usize::from(u16::from_be_bytes([hello[p], hello[p + 1]]));
        p += 2 + suites;
        let comp = if hello[p] > 0 { hello[p + 1] } else { 0 };
        let version = u16::from_be_bytes([hello[4], hello[5]]).min(0x0303);
        let mut body = version.to_be_bytes().to_vec();
        body.extend([7u8; 32]);
        body.extend([0, 0x00, 0x2f, comp]);
        let mut hs = vec![2, 0, 0, body.len() as u8];
        hs.extend(body);
        hs.extend([14, 0, 0, 0]);
        let mut rec = vec![22, 3, 3, 0, hs.len() as u8];
        rec.extend(hs);
        let _ = s.write_all(&rec);
        std::thread::sleep(Duration::from_millis(100));
    })
}

#[tokio::test]
async fn compression_and_insecure_renegotiation_are_found() {
    let port = old_server();
    let r = scan(&[&format!("tls://127.0.0.1:{port}")], &opts()).await;
    let ep = &r.endpoints[0];
    let t = tls(ep);
    assert_eq!(
        t.versions,
        ["SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2"],
        "{ep:?}"
    );
    assert_eq!(t.compression, Some(true));
    assert_eq!(t.secure_renegotiation, Some(false));
    let assets = mamori_assess::merge(r.observations.clone());
    let codes: Vec<String> = mamori_assess::assess_endpoints(&r.endpoints, &assets)
        .into_iter()
        .map(|f| format!("{} {}", f.code, f.asset_id))
        .collect();
    let at = format!("127.0.0.1:{port}");
    // SSL 3.0 is a broken protocol asset of this endpoint
    assert_eq!(
        seen(&r, &format!("proto:ssl-3.0@{at}")).asset.status(),
        CryptoStatus::Broken
    );
    for want in [
        format!("tls-compression proto:tls-1.2@{at}"),
        format!("tls-insecure-renegotiation proto:tls-1.2@{at}"),
        format!("pq-key-exchange-not-offered proto:tls-1.2@{at}"),
    ] {
        assert!(codes.contains(&want), "{want} not in {codes:?}");
    }
}
