use super::*;

fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

/// RFC 8448 §3 ClientHello handshake message.
const RFC8448_CH: &str = "
01 00 00 c0 03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83
02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b 00 09 00 00 06 73 65 72 76 65 72 ff 01
00 01 00 00 0a 00 14 00 12 00 1d 00 17 00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 23 00 00 00 33 00
26 00 24 00 1d 00 20 99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69
1e 52 9a af 2c 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03 08 04 08 05 08 06 04 01
05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01 01 00 1c 00 02 40 01";

/// RFC 8448 §3 ServerHello handshake message.
const RFC8448_SH: &str = "
02 00 00 56 03 03 a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da c1 55 77 2e
d3 e2 69 28 00 13 01 00 00 2e 00 33 00 24 00 1d 00 20 c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1
56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f 00 2b 00 02 03 04";

fn rfc8448_sh_record() -> Vec<u8> {
    record::write_records(record::HANDSHAKE, TLS12, &hex(RFC8448_SH))
}

fn handshake(t: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![t];
    m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    m.extend_from_slice(body);
    m
}

/// A TLS 1.2 flight: ServerHello (suite 0x002f, renegotiation_info), Certificate with two
/// blobs, ServerHelloDone.
fn tls12_messages() -> (Vec<u8>, Vec<Vec<u8>>) {
    let mut sh = vec![3, 3];
    sh.extend_from_slice(&[0x11; 32]);
    sh.push(0); // session id
    sh.extend_from_slice(&[0x00, 0x2f, 0]);
    sh.extend_from_slice(&[0, 5, 0xff, 0x01, 0, 1, 0]);
    let certs = vec![vec![0x30, 0x03, 1, 2, 3], vec![0x30; 300]];
    let mut list = Vec::new();
    for c in &certs {
        list.extend_from_slice(&(c.len() as u32).to_be_bytes()[1..]);
        list.extend_from_slice(c);
    }
    let mut cert = (list.len() as u32).to_be_bytes()[1..].to_vec();
    cert.extend_from_slice(&list);
    let mut m = handshake(2, &sh);
    m.extend(handshake(11, &cert));
    m.extend(handshake(14, &[]));
    (m, certs)
}

fn feed_all(bytes: &[u8]) -> Progress {
    FlightReader::new().feed(bytes)
}

#[test]
fn rfc8448_client_hello_is_byte_exact() {
    let mut random = [0u8; 32];
    random.copy_from_slice(&hex(
        "cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12 ec 18 a2 ef 62 83 02 4d ec e7",
    ));
    let mut spec = HelloSpec::new(TLS13, &[0x1301, 0x1303, 0x1302], Some("server"));
    spec.random = random;
    spec.session_id.clear();
    spec.supported_groups = vec![0x1d, 0x17, 0x18, 0x19, 0x100, 0x101, 0x102, 0x103, 0x104];
    spec.key_share = KeyShare::Shares(vec![(
        0x1d,
        hex("99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13 69 1e 52 9a af 2c"),
    )]);
    spec.signature_algorithms = vec![
        0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201,
        0x0402, 0x0502, 0x0602, 0x0202,
    ];
    spec.ec_point_formats = false;
    spec.extra_extensions = vec![(0x1c, vec![0x40, 0x01])];
    let want = hex(RFC8448_CH);
    assert_eq!(client_hello_message(&spec), want);
    let rec = client_hello(&spec);
    assert_eq!(&rec[..5], &[0x16, 0x03, 0x01, 0x00, 0xc4]);
    assert_eq!(&rec[5..], &want[..]);
}

#[test]
fn hello_defaults_per_version() {
    let ssl3 = client_hello(&HelloSpec::new(SSL3, &[0x000a], Some("example.org")));
    // record 0x0300, client_version 0x0300, no extensions block
    assert_eq!(&ssl3[..3], &[22, 3, 0]);
    assert_eq!(&ssl3[9..11], &[3, 0]);
    assert_eq!(ssl3.len(), 5 + 4 + 2 + 32 + 1 + 2 + 2 + 2);
    let t10 = HelloSpec::new(TLS10, &[0x002f], Some("192.0.2.1"));
    let m = client_hello_message(&t10);
    assert_eq!(&m[4..6], &[3, 1]);
    assert!(
        !m.windows(4).any(|w| w == [0, 0, 0, 14]),
        "no SNI for an IP literal"
    );
    let mut t13 = HelloSpec::new(TLS13, &[0x1301], Some("example.org"));
    t13.key_share = KeyShare::Empty;
    t13.alpn = vec!["h2".into(), "http/1.1".into()];
    t13.status_request = true;
    let m = client_hello_message(&t13);
    assert_eq!(&m[4..6], &[3, 3]);
    assert_eq!(m[38], 32, "TLS 1.3 sends a 32-byte session id");
    for needle in [
        &[0x00, 0x33, 0x00, 0x02, 0x00, 0x00][..],
        &[0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04],
        &[0x00, 0x05, 0x00, 0x05, 0x01, 0, 0, 0, 0],
        &[0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 2, b'h', b'2', 8],
        &[0, 0, 0, 16, 0, 14, 0, 0, 11, b'e'],
    ] {
        assert!(
            m.windows(needle.len()).any(|w| w == needle),
            "{needle:02x?}"
        );
    }
    let declared = usize::from(m[1]) << 16 | usize::from(m[2]) << 8 | usize::from(m[3]);
    assert_eq!(declared, m.len() - 4);
    assert_ne!(random32(), random32());
    assert_eq!(random_share(0x11ec).len(), 1216);
    assert_eq!(random_share(0x17)[0], 4);
}

#[test]
fn rfc8448_server_hello() {
    let Progress::Done(f) = feed_all(&rfc8448_sh_record()) else {
        panic!("not done")
    };
    let ServerReply::Hello(h) = f.reply else {
        panic!("not a hello: {:?}", f.reply)
    };
    assert_eq!(h.legacy_version, TLS12);
    assert_eq!(h.version(), TLS13);
    assert_eq!(h.cipher_suite, 0x1301);
    assert_eq!(h.compression, 0);
    assert!(h.session_id.is_empty());
    assert_eq!(
        h.random.to_vec(),
        hex("a6 af 06 a4 12 18 60 dc 5e 6e 60 24 9c d3 4c 95 93 0c 8a c5 cb 14 34 da c1 55 77 2e d3 e2 69 28")
    );
    assert_eq!(
        h.key_share,
        Some((
            0x1d,
            hex("c9 82 88 76 11 20 95 fe 66 76 2b db f7 c6 72 e1 56 d6 cc 25 3b 83 3d f1 dd 69 b1 b0 4e 75 1f 0f")
        ))
    );
    assert_eq!(h.downgrade_sentinel(), None);
    assert!(f.certificates.is_empty());
}

#[test]
fn every_truncation_needs_more_and_bytewise_equals_whole() {
    let rec = rfc8448_sh_record();
    for n in 0..rec.len() {
        assert_eq!(feed_all(&rec[..n]), Progress::NeedMore, "prefix {n}");
    }
    let mut r = FlightReader::new();
    let mut last = Progress::NeedMore;
    for b in &rec {
        last = r.feed(std::slice::from_ref(b));
    }
    assert_eq!(last, feed_all(&rec));
    // truncated bodies given to the parser directly are errors
    let body = &hex(RFC8448_SH)[4..];
    for n in 0..body.len() {
        // 38 bytes end at the compression method: a valid hello without extensions
        assert_eq!(
            parse_server_hello(&body[..n]).is_ok(),
            n == 38,
            "body prefix {n}"
        );
    }
}

#[test]
fn tls12_flight_in_one_record_and_across_records() {
    let (msgs, certs) = tls12_messages();
    let check = |p: Progress| {
        let Progress::Done(f) = p else {
            panic!("{p:?}")
        };
        let ServerReply::Hello(h) = &f.reply else {
            panic!()
        };
        assert_eq!((h.version(), h.cipher_suite), (TLS12, 0x002f));
        assert_eq!(h.renegotiation_info, Some(vec![]));
        assert_eq!(f.certificates, certs);
        assert_eq!(f.handshake_types, [11, 14]);
    };
    check(feed_all(&record::write_records(22, TLS12, &msgs)));
    // one record per 7 bytes: messages span records
    let mut many = Vec::new();
    for c in msgs.chunks(7) {
        many.extend(record::write_records(22, TLS12, c));
    }
    check(feed_all(&many));
    // and arriving 3 bytes at a time
    let mut r = FlightReader::new();
    let mut last = Progress::NeedMore;
    for c in many.chunks(3) {
        last = r.feed(c);
    }
    check(last);
    // a close before ServerHelloDone is an error
    let mut r = FlightReader::new();
    assert_eq!(r.feed(&many[..many.len() - 9]), Progress::NeedMore);
    assert!(matches!(
        r.eof(),
        Progress::Error(FlightError::Unexpected(_))
    ));
}

#[test]
fn hello_retry_request() {
    let mut body = vec![3, 3];
    body.extend_from_slice(&hello::HRR_RANDOM);
    body.push(0);
    body.extend_from_slice(&[0x13, 0x01, 0]);
    body.extend_from_slice(&[0, 12, 0, 0x2b, 0, 2, 3, 4, 0, 0x33, 0, 2, 0, 0x1d]);
    let rec = record::write_records(22, TLS12, &handshake(2, &body));
    let Progress::Done(f) = feed_all(&rec) else {
        panic!()
    };
    let ServerReply::Retry(r) = f.reply else {
        panic!("{:?}", f.reply)
    };
    assert_eq!(r.selected_group, Some(0x1d));
    assert_eq!(r.selected_version, Some(TLS13));
    assert_eq!(r.cipher_suite, 0x1301);
}

#[test]
fn alerts() {
    let Progress::Done(f) = feed_all(&[21, 3, 3, 0, 2, 2, 40]) else {
        panic!()
    };
    assert_eq!(
        f.reply,
        ServerReply::Alert(Alert {
            level: 2,
            description: 40
        })
    );
    assert_eq!(
        Alert {
            level: 2,
            description: 40
        }
        .name(),
        "handshake_failure"
    );
    // a warning before the hello is kept and reading goes on
    let mut bytes = vec![21, 3, 3, 0, 2, 1, 112];
    bytes.extend(rfc8448_sh_record());
    let Progress::Done(f) = feed_all(&bytes) else {
        panic!()
    };
    assert!(matches!(f.reply, ServerReply::Hello(_)));
    assert_eq!(
        f.alerts,
        [Alert {
            level: 1,
            description: 112
        }]
    );
    assert!(matches!(
        feed_all(&[21, 3, 3, 0, 3, 2, 40, 0]),
        Progress::Error(FlightError::Malformed(_))
    ));
}

#[test]
fn malformed_input_is_an_error() {
    let err = |b: &[u8]| match feed_all(b) {
        Progress::Error(e) => e,
        p => panic!("{b:02x?}: {p:?}"),
    };
    assert!(matches!(
        err(b"SSH-2.0-OpenSSH_9.6\r\n"),
        FlightError::NotTls(_)
    ));
    assert!(matches!(err(&[0x80, 0x2e, 0x04]), FlightError::NotTls(_)));
    assert!(matches!(
        err(&[22, 3, 3, 0xff, 0xff]),
        FlightError::Record(_)
    ));
    assert!(matches!(
        err(&[22, 3, 3, 0, 4, 2, 0x10, 0, 0]),
        FlightError::TooLarge(_)
    ));
    assert!(matches!(
        err(&[22, 3, 3, 0, 4, 11, 0, 0, 0]),
        FlightError::Unexpected(_)
    ));
    assert!(matches!(
        err(&[23, 3, 3, 0, 1, 0]),
        FlightError::Unexpected(_)
    ));
    // a ServerHello whose extension block is longer than the message
    let mut sh = hex(RFC8448_SH);
    sh[43] = 0x2f;
    assert!(matches!(
        err(&record::write_records(22, TLS12, &sh)),
        FlightError::Malformed(_)
    ));
    // after an error, more bytes change nothing
    let mut r = FlightReader::new();
    let e = r.feed(b"HTTP/1.1 400");
    assert_eq!(r.feed(&rfc8448_sh_record()), e);
}

#[test]
fn mutations_never_panic() {
    let (msgs, _) = tls12_messages();
    let inputs = [rfc8448_sh_record(), record::write_records(22, TLS12, &msgs)];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for input in &inputs {
        // every single-byte corruption
        for i in 0..input.len() {
            for v in [0u8, 1, 0x7f, 0xff] {
                let mut m = input.clone();
                m[i] = v;
                let _ = feed_all(&m);
            }
        }
        for _ in 0..2000 {
            let mut m = input.clone();
            for _ in 0..4 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let i = (x as usize) % m.len();
                m[i] = (x >> 32) as u8;
            }
            let cut = (x >> 40) as usize % (m.len() + 1);
            let _ = feed_all(&m[..cut]);
        }
    }
}
