//! `mamori_net::tls::probe` against a real `openssl s_server` on 127.0.0.1.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{make_cert, start_server};
use mamori_net::engine::{Engine, Limits};
use mamori_net::target::Kind;
use mamori_net::tls::probe::{self, Probe, ProbeError};
use mamori_net::tls::{HelloSpec, ServerReply, SSL3, TLS10, TLS11, TLS12, TLS13};

const T: Duration = Duration::from_secs(5);

fn engine() -> Engine {
    Engine::new(Limits {
        timeout: T,
        ..Limits::default()
    })
}

fn accepted(v: &[(u16, Option<mamori_net::tls::Flight>)]) -> Vec<(u16, bool)> {
    v.iter().map(|(v, f)| (*v, f.is_some())).collect()
}

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

/// AES128-SHA = TLS_RSA_WITH_AES_128_CBC_SHA (0x002F),
/// AES256-GCM-SHA384 = TLS_RSA_WITH_AES_256_GCM_SHA384 (0x009D). `-tls1_2` means "only
/// TLS 1.2" (s_server refuses it together with `-no_tls1_3`).
const TLS12_ARGS: [&str; 3] = ["-tls1_2", "-cipher", "AES128-SHA:AES256-GCM-SHA384"];

#[tokio::test]
async fn tls12_only_versions_suites_and_client_order() {
    let dir = tempfile::tempdir().unwrap();
    make_cert(dir.path());
    let server = start_server(dir.path(), &TLS12_ARGS);
    let e = engine();
    let p = Probe::new(&e, addr(server.port), Some("localhost"), Kind::Tls);

    let v = accepted(&p.versions().await.unwrap());
    assert_eq!(
        v,
        [
            (SSL3, false),
            (TLS10, false),
            (TLS11, false),
            (TLS12, true),
            (TLS13, false)
        ]
    );

    let mut certs = 0;
    let s = p
        .suites(TLS12, None, |f| certs += f.certificates.len())
        .await
        .unwrap();
    let mut got = s.accepted.clone();
    got.sort_unstable();
    assert_eq!(got, [0x002f, 0x009d]);
    // every accepted hello's flight is handed over, with its certificate
    assert_eq!(certs, 2);
    // no -serverpref: the server takes the client's first choice in both orders
    assert_eq!(s.server_order, Some(false));

    // nothing in TLS 1.3 or TLS 1.0
    let s13 = p.suites(TLS13, None, |_| {}).await.unwrap();
    assert_eq!((s13.accepted.len(), s13.server_order), (0, None));
    let s10 = p.suites(TLS10, None, |_| {}).await.unwrap();
    assert!(s10.accepted.is_empty());
}

#[tokio::test]
async fn tls12_server_preference() {
    let dir = tempfile::tempdir().unwrap();
    make_cert(dir.path());
    let mut args = TLS12_ARGS.to_vec();
    args.push("-serverpref");
    let server = start_server(dir.path(), &args);
    let e = engine();
    let p = Probe::new(&e, addr(server.port), Some("localhost"), Kind::Tls);
    let s = p.suites(TLS12, None, |_| {}).await.unwrap();
    assert_eq!(s.server_order, Some(true));
    // with its own order the server gives its first preference first
    assert_eq!(s.accepted, [0x002f, 0x009d]);
}

#[tokio::test]
async fn tls13_groups_by_removal_and_one_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    make_cert(dir.path());
    let server = start_server(dir.path(), &["-tls1_3", "-groups", "X25519:P-256"]);
    let e = engine();
    let p = Probe::new(&e, addr(server.port), Some("localhost"), Kind::Tls);
    // x25519, secp256r1, secp384r1, X25519MLKEM768: OpenSSL 3.0 has no ML-KEM, and the
    // server was limited to X25519 and P-256
    let four = [0x001d, 0x0017, 0x0018, 0x11ec];
    let before = p.connections();
    let g = p.groups13(&four, None).await.unwrap();
    assert_eq!(g, [0x001d, 0x0017]);
    // offered all, the chosen one removed each time: two accepted and one refusal
    assert_eq!(p.connections() - before, 3);
    // the same as asking each alone (one connection per candidate)
    let before = p.connections();
    assert_eq!(p.groups13_each(&four).await.unwrap(), g);
    assert_eq!(p.connections() - before, 4);
    // none of the post-quantum groups either
    assert_eq!(
        p.groups13(&probe::PQ_GROUPS, None).await.unwrap(),
        Vec::<u16>::new()
    );

    let v = accepted(&p.versions().await.unwrap());
    let on: Vec<u16> = v.iter().filter(|(_, ok)| *ok).map(|(v, _)| *v).collect();
    assert_eq!(on, [TLS13]);
    // OpenSSL's default TLS 1.3 suites, client order by default
    let s = p.suites(TLS13, None, |_| {}).await.unwrap();
    let mut accepted = s.accepted.clone();
    accepted.sort_unstable();
    assert_eq!(accepted, [0x1301, 0x1302, 0x1303]);
    assert_eq!(s.server_order, Some(false));
}

#[tokio::test]
async fn refused_hello_is_an_alert_error_naming_the_address() {
    let dir = tempfile::tempdir().unwrap();
    make_cert(dir.path());
    let server = start_server(dir.path(), &TLS12_ARGS);
    let a = addr(server.port);
    let en = engine();
    let p = Probe::new(&en, a, Some("localhost"), Kind::Tls);
    // only ECDHE-RSA-AES256-GCM-SHA384, which the server does not accept
    let spec = HelloSpec::new(TLS12, &[0xc030], Some("localhost"));
    let e = p.hello(&spec).await.unwrap_err();
    let ProbeError::Refused { alert, .. } = &e else {
        panic!("expected an alert, got {e:?}")
    };
    assert_eq!(alert.name(), "handshake_failure");
    assert!(e.to_string().contains(&a.to_string()), "{e}");
    // and an accepted one is a ServerHello with the certificate
    let spec = HelloSpec::new(TLS12, &[0xc030, 0x009d], Some("localhost"));
    let f = p.hello(&spec).await.unwrap();
    let ServerReply::Hello(h) = &f.reply else {
        panic!("expected ServerHello, got {:?}", f.reply)
    };
    assert_eq!((h.version(), h.cipher_suite), (TLS12, 0x009d));
    assert_eq!(f.certificates.len(), 1);
}
