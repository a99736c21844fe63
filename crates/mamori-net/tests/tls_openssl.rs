//! The ClientHello writer and flight reader against a real `openssl s_server` on 127.0.0.1.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{make_cert, start_server};

use mamori_net::tls::{
    client_hello, Flight, FlightReader, HelloSpec, KeyShare, Progress, ServerReply, TLS10, TLS12,
    TLS13,
};

/// Sends `spec`'s ClientHello and reads the first flight.
fn probe(port: u16, spec: &HelloSpec) -> Flight {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(&client_hello(spec)).expect("send ClientHello");
    let mut reader = FlightReader::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = s.read(&mut buf).expect("read server flight");
        let p = if n == 0 {
            reader.eof()
        } else {
            reader.feed(&buf[..n])
        };
        match p {
            Progress::NeedMore => continue,
            Progress::Done(f) => return *f,
            Progress::Error(e) => panic!("flight error: {e}"),
        }
    }
}

#[test]
fn tls12_rsa_aes128_sha_and_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let der = make_cert(dir.path());
    let server = start_server(
        dir.path(),
        &["-tls1_2", "-cipher", "AES128-SHA", "-alpn", "h2"],
    );
    let mut spec = HelloSpec::new(TLS12, &[0x002f], Some("localhost"));
    spec.alpn = vec!["h2".into(), "http/1.1".into()];
    let f = probe(server.port, &spec);
    let ServerReply::Hello(h) = &f.reply else {
        panic!("expected ServerHello, got {:?}", f.reply)
    };
    assert_eq!(h.version(), TLS12);
    assert_eq!(h.cipher_suite, 0x002f);
    assert_eq!(h.random.len(), 32);
    assert_eq!(
        h.renegotiation_info.as_deref(),
        Some(&[][..]),
        "secure renegotiation"
    );
    assert_eq!(h.alpn.as_deref(), Some(&b"h2"[..]));
    assert_eq!(f.certificates.len(), 1);
    assert_eq!(f.certificates[0], der, "certificate DER equals the file's");
    assert_eq!(
        f.handshake_types.last(),
        Some(&14),
        "ends with ServerHelloDone"
    );
}

#[test]
fn tls13_empty_key_share_gets_hello_retry_request_for_x25519() {
    let dir = tempfile::tempdir().unwrap();
    make_cert(dir.path());
    let server = start_server(dir.path(), &["-tls1_3"]);
    let mut spec = HelloSpec::new(TLS13, &[0x1301], Some("localhost"));
    spec.supported_groups = vec![0x001d];
    spec.key_share = KeyShare::Empty;
    let f = probe(server.port, &spec);
    let ServerReply::Retry(r) = &f.reply else {
        panic!("expected HelloRetryRequest, got {:?}", f.reply)
    };
    assert_eq!(r.selected_group, Some(0x001d));
    assert_eq!(r.selected_version, Some(TLS13));
    assert_eq!(r.cipher_suite, 0x1301);
    assert_eq!(r.session_id, spec.session_id, "session id echoed");

    // with a (random) x25519 share the server answers with a TLS 1.3 ServerHello at once
    let spec = HelloSpec::new(TLS13, &[0x1302], Some("localhost"));
    let f = probe(server.port, &spec);
    let ServerReply::Hello(h) = &f.reply else {
        panic!("expected ServerHello, got {:?}", f.reply)
    };
    assert_eq!((h.version(), h.cipher_suite), (TLS13, 0x1302));
    assert_eq!(
        h.key_share.as_ref().map(|(g, k)| (*g, k.len())),
        Some((0x1d, 32))
    );
}

#[test]
fn unaccepted_suite_gets_handshake_failure() {
    let dir = tempfile::tempdir().unwrap();
    make_cert(dir.path());
    let server = start_server(dir.path(), &["-tls1_2", "-cipher", "AES128-SHA"]);
    // only ECDHE-RSA-AES256-GCM-SHA384
    let spec = HelloSpec::new(TLS12, &[0xc030], Some("localhost"));
    let f = probe(server.port, &spec);
    let ServerReply::Alert(a) = f.reply else {
        panic!("expected an alert, got {:?}", f.reply)
    };
    assert_eq!((a.level, a.description), (2, 40), "{}", a.name());
    assert_eq!(a.name(), "handshake_failure");
}

#[test]
fn tls10_legacy_suite() {
    let dir = tempfile::tempdir().unwrap();
    let der = make_cert(dir.path());
    let server = start_server(dir.path(), &["-tls1", "-cipher", "AES256-SHA@SECLEVEL=0"]);
    // offered first: ECDHE-RSA-AES256-GCM-SHA384, which the server refuses; then
    // TLS_RSA_WITH_AES_256_CBC_SHA (0x0035)
    let spec = HelloSpec::new(TLS10, &[0xc030, 0x0035], None);
    let f = probe(server.port, &spec);
    let ServerReply::Hello(h) = &f.reply else {
        panic!("expected ServerHello, got {:?}", f.reply)
    };
    assert_eq!((h.version(), h.cipher_suite), (TLS10, 0x0035));
    assert_eq!(f.certificates, [der]);
}
