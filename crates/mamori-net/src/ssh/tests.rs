//! Unit tests of the parsers and writers; the conversations are tested against a real sshd
//! and hostile servers in `tests/ssh_sshd.rs`.

use super::*;

fn name_list(out: &mut Vec<u8>, names: &[&str]) {
    let s = names.join(",");
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// A KEXINIT payload built field by field per RFC 4253 §7.1, with OpenSSH 9.2's lists.
fn kexinit_payload(kex: &[&str]) -> Vec<u8> {
    let mut p = vec![SSH_MSG_KEXINIT];
    p.extend_from_slice(&[0xA5; 16]);
    name_list(&mut p, kex);
    name_list(&mut p, &["rsa-sha2-512", "rsa-sha2-256", "ssh-ed25519"]);
    let ciphers = [
        "chacha20-poly1305@openssh.com",
        "aes128-ctr",
        "aes256-gcm@openssh.com",
    ];
    name_list(&mut p, &ciphers);
    name_list(&mut p, &ciphers);
    let macs = ["umac-64-etm@openssh.com", "hmac-sha2-256-etm@openssh.com"];
    name_list(&mut p, &macs);
    name_list(&mut p, &macs);
    name_list(&mut p, &["none", "zlib@openssh.com"]);
    name_list(&mut p, &["none", "zlib@openssh.com"]);
    name_list(&mut p, &[]);
    name_list(&mut p, &[]);
    p.push(0);
    p.extend_from_slice(&0u32.to_be_bytes());
    p
}

fn packet(payload: &[u8]) -> Vec<u8> {
    write_packet(payload)
}

const KEX: [&str; 5] = [
    "sntrup761x25519-sha512@openssh.com",
    "curve25519-sha256",
    "mlkem768x25519-sha256",
    "ext-info-s",
    "kex-strict-s-v00@openssh.com",
];

#[test]
fn kexinit_byte_exact() {
    let p = kexinit_payload(&KEX);
    // Spot-check the layout: message number, cookie, then the first name-list length.
    assert_eq!(p[0], 20);
    let first_len = u32::from_be_bytes([p[17], p[18], p[19], p[20]]) as usize;
    assert_eq!(first_len, KEX.join(",").len());
    let k = parse_kexinit(&p).unwrap();
    assert_eq!(k.cookie, [0xA5; 16]);
    assert_eq!(k.kex_algorithms, KEX);
    assert!(k.offers_kex("mlkem768x25519-sha256"));
    assert_eq!(
        k.server_host_key_algorithms,
        ["rsa-sha2-512", "rsa-sha2-256", "ssh-ed25519"]
    );
    assert_eq!(k.encryption_server_to_client.len(), 3);
    assert_eq!(k.mac_client_to_server[1], "hmac-sha2-256-etm@openssh.com");
    assert_eq!(k.compression_server_to_client, ["none", "zlib@openssh.com"]);
    assert!(k.languages_client_to_server.is_empty());
    assert!(!k.first_kex_packet_follows);
    assert_eq!(k.reserved, 0);
    let info = SshServerInfo::new(parse_banner_line(b"SSH-2.0-x\r\n").unwrap(), vec![], k);
    assert!(info.strict_kex && info.ext_info);
}

#[test]
fn no_strict_kex_without_marker() {
    let k = parse_kexinit(&kexinit_payload(&["curve25519-sha256"])).unwrap();
    let info = SshServerInfo::new(parse_banner_line(b"SSH-2.0-x").unwrap(), vec![], k);
    assert!(!info.strict_kex && !info.ext_info);
}

#[test]
fn packet_roundtrip_and_truncations() {
    let payload = kexinit_payload(&KEX);
    let mut wire = packet(&payload);
    wire.extend_from_slice(b"next");
    let (got, used) = parse_packet(&wire).unwrap().unwrap();
    assert_eq!(got, &payload[..]);
    assert_eq!(used, wire.len() - 4);
    for n in 0..used {
        assert!(parse_packet(&wire[..n]).unwrap().is_none(), "prefix {n}");
        assert!(find_kexinit(&wire[..n]).unwrap().is_none());
    }
    for n in 0..payload.len() {
        assert!(parse_kexinit(&payload[..n]).is_err(), "payload prefix {n}");
    }
}

#[test]
fn packet_errors() {
    let e = parse_packet(&[0xff, 0xff, 0xff, 0xff]).unwrap_err();
    assert_eq!(e.to_string(), "packet length 4294967295 exceeds 262144");
    assert!(matches!(
        parse_packet(&[0, 0, 0, 4]),
        Err(SshError::PacketTooShort(4))
    ));
    assert!(matches!(
        parse_packet(&[0, 0, 0, 13]),
        Err(SshError::PacketMisaligned(13))
    ));
    // padding_length 3 (< 4) and padding longer than the packet.
    let mut p = vec![0, 0, 0, 12, 3];
    p.extend_from_slice(&[20; 11]);
    assert!(matches!(
        parse_packet(&p),
        Err(SshError::BadPadding { padding: 3, .. })
    ));
    p[4] = 12;
    assert!(matches!(
        parse_packet(&p),
        Err(SshError::BadPadding { padding: 12, .. })
    ));
    p[4] = 11;
    assert!(matches!(parse_packet(&p), Err(SshError::EmptyPayload)));
}

#[test]
fn kexinit_errors() {
    let mut p = kexinit_payload(&KEX);
    p[0] = 21;
    assert!(matches!(
        parse_kexinit(&p),
        Err(SshError::UnexpectedMessage(21))
    ));
    let bad = |kex: &[&str]| {
        parse_kexinit(&kexinit_payload(kex))
            .unwrap_err()
            .to_string()
    };
    assert_eq!(bad(&["a", "", "b"]), "KEXINIT kex_algorithms: empty name");
    assert!(bad(&["a b"]).contains("0x20 is not printable"));
    assert!(bad(&["é"]).contains("0xc3"));
    assert!(bad(&[&"x".repeat(65)]).contains("longer than 64"));
    // A name-list length pointing past the end.
    let mut p = kexinit_payload(&KEX);
    p[17..21].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(
        parse_kexinit(&p).unwrap_err().to_string(),
        "KEXINIT truncated in kex_algorithms"
    );
}

#[test]
fn ignore_packets_skipped_then_other_message_refused() {
    let mut wire = packet(&[2, 0, 0, 0, 0]);
    wire.extend(packet(&kexinit_payload(&KEX)));
    assert_eq!(find_kexinit(&wire).unwrap().unwrap().kex_algorithms, KEX);
    let wire = packet(&[21]);
    assert!(matches!(
        find_kexinit(&wire),
        Err(SshError::UnexpectedMessage(21))
    ));
    let wire: Vec<u8> = (0..=MAX_SKIPPED_PACKETS)
        .flat_map(|_| packet(&[4, 0]))
        .collect();
    assert!(matches!(find_kexinit(&wire), Err(SshError::TooManyPackets)));
}

#[test]
fn banner_lines() {
    let b = parse_banner_line(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n").unwrap();
    assert_eq!(b.proto_version, "2.0");
    assert_eq!(b.software_version, "OpenSSH_9.2p1");
    assert_eq!(b.comments.as_deref(), Some("Debian-2+deb12u3"));
    let b = parse_banner_line(b"SSH-1.99-Cisco-1.25\n").unwrap();
    assert_eq!(
        (b.proto_version.as_str(), b.software_version.as_str()),
        ("1.99", "Cisco-1.25")
    );
    assert_eq!(b.comments, None);
    assert!(matches!(
        parse_banner_line(b"SSH-1.5-old\r\n"),
        Err(SshError::UnsupportedVersion(v)) if v == "1.5"
    ));
    assert!(parse_banner_line(b"SSH-2.0-\r\n").is_err());
    assert!(parse_banner_line(b"SSH-2.0\r\n").is_err());
    assert!(parse_banner_line(b"SSH--x\r\n").is_err());
    assert!(parse_banner_line(b"SSH-2.0-a\0b\r\n").is_err());
    assert!(parse_banner_line(b"HTTP/1.1 400\r\n").is_err());
}

#[test]
fn banner_after_other_lines() {
    let data = b"Welcome\r\nauthorized use only\nSSH-2.0-dropbear_2022.83\r\n\0\0\0\x0c";
    let (b, lines, used) = find_banner(data).unwrap().unwrap();
    assert_eq!(b.software_version, "dropbear_2022.83");
    assert_eq!(lines, ["Welcome", "authorized use only"]);
    assert_eq!(&data[used..], b"\0\0\0\x0c");
    for n in 0..used {
        assert!(find_banner(&data[..n]).unwrap().is_none(), "prefix {n}");
    }
}

#[test]
fn banner_limits() {
    let long = [b'a'; 300];
    assert_eq!(
        find_banner(&long).unwrap_err().to_string(),
        "banner line longer than 255 bytes"
    );
    let mut line = vec![b'a'; 256];
    line.push(b'\n');
    assert!(matches!(find_banner(&line), Err(SshError::LineTooLong)));
    let mut ssh = b"SSH-2.0-".to_vec();
    ssh.extend_from_slice(&[b'x'; 250]);
    ssh.extend_from_slice(b"\r\n");
    assert!(matches!(find_banner(&ssh), Err(SshError::LineTooLong)));
    // Exactly 255 bytes with CR LF is allowed.
    let mut ok = b"SSH-2.0-".to_vec();
    ok.extend_from_slice(&[b'x'; 245]);
    ok.extend_from_slice(b"\r\n");
    assert_eq!(ok.len(), 255);
    assert!(find_banner(&ok).unwrap().is_some());
    // 255 bytes ending in a bare LF too; 256 not.
    ok.truncate(253);
    ok.extend_from_slice(b"x\n");
    assert_eq!(ok.len(), 255);
    assert!(find_banner(&ok).unwrap().is_some());
    ok.insert(10, b'y');
    assert!(matches!(find_banner(&ok), Err(SshError::LineTooLong)));
    assert!(matches!(parse_banner_line(&ok), Err(SshError::LineTooLong)));
    let spam: Vec<u8> = (0..300)
        .flat_map(|_| b"hello there, this is not ssh\r\n".to_vec())
        .collect();
    assert!(matches!(find_banner(&spam), Err(SshError::NoBanner)));
}

#[test]
fn garbage_never_panics() {
    // A cheap deterministic sweep: every single-byte corruption of a packet.
    let wire = packet(&kexinit_payload(&KEX));
    for i in 0..wire.len() {
        for v in [0u8, 1, 0x7f, 0x80, 0xff] {
            let mut w = wire.clone();
            w[i] = v;
            let _ = find_kexinit(&w);
            let _ = find_banner(&w);
            if let Some(p) = w.get(5..) {
                let _ = parse_kexinit(p);
            }
        }
    }
}

// ------------------------------------------------------------------ writers

#[test]
fn write_packet_byte_exact() {
    // 1-byte payload: 4 + 1 + 1 = 6, padded with 10 to 16 (padding must be at least 4).
    let mut want = vec![0, 0, 0, 12, 10, 21];
    want.extend([0u8; 10]);
    assert_eq!(write_packet(&[21]), want);
    // 3-byte payload: 4 + 1 + 3 = 8, padded with 8.
    assert_eq!(&write_packet(&[1, 2, 3])[..5], &[0, 0, 0, 12, 8]);
    for n in 1..80 {
        let payload: Vec<u8> = (0..n).map(|i| i as u8).collect();
        let wire = write_packet(&payload);
        assert_eq!(wire.len() % 8, 0, "len {n}");
        let (got, used) = parse_packet(&wire).unwrap().unwrap();
        assert_eq!((got, used), (&payload[..], wire.len()));
    }
}

fn server_kexinit() -> KexInit {
    parse_kexinit(&kexinit_payload(&KEX)).unwrap()
}

#[test]
fn client_kexinit_offers_one_of_each() {
    let server = server_kexinit();
    let p = client_kexinit("curve25519-sha256", "rsa-sha2-512", &server).unwrap();
    let k = parse_kexinit(&p).unwrap();
    assert_eq!(k.kex_algorithms, ["curve25519-sha256"]);
    assert_eq!(k.server_host_key_algorithms, ["rsa-sha2-512"]);
    assert_eq!(
        k.encryption_client_to_server,
        ["chacha20-poly1305@openssh.com"]
    );
    assert_eq!(
        k.encryption_server_to_client,
        ["chacha20-poly1305@openssh.com"]
    );
    assert_eq!(k.mac_client_to_server, ["umac-64-etm@openssh.com"]);
    assert_eq!(k.mac_server_to_client, ["umac-64-etm@openssh.com"]);
    assert_eq!(k.compression_client_to_server, ["none"]);
    assert!(k.languages_client_to_server.is_empty() && k.languages_server_to_client.is_empty());
    assert!(!k.first_kex_packet_follows);
    assert_eq!(k.reserved, 0);
    // Two KEXINITs have different cookies.
    let q = client_kexinit("curve25519-sha256", "rsa-sha2-512", &server).unwrap();
    assert_ne!(p[1..17], q[1..17]);
    // No MACs offered is fine (AEAD ciphers); no ciphers is not.
    let mut s = server.clone();
    s.mac_client_to_server.clear();
    let k = parse_kexinit(&client_kexinit("x", "y", &s).unwrap()).unwrap();
    assert!(k.mac_client_to_server.is_empty());
    s.encryption_server_to_client.clear();
    let e = client_kexinit("x", "y", &s).unwrap_err();
    assert_eq!(e.to_string(), "the server does not offer the cipher (none)");
}

#[test]
fn kex_choice_follows_preference() {
    let l = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(choose_kex(&l(&KEX)), Some("curve25519-sha256"));
    assert_eq!(
        choose_kex(&l(&["diffie-hellman-group14-sha1", "ecdh-sha2-nistp521"])),
        Some("ecdh-sha2-nistp521")
    );
    assert_eq!(
        choose_kex(&l(&[
            "sntrup761x25519-sha512@openssh.com",
            "diffie-hellman-group-exchange-sha256"
        ])),
        None
    );
    assert_eq!(choose_kex(&[]), None);
}

#[test]
fn kex_init_public_values() {
    for kex in SUPPORTED_KEX {
        let p = client_kex_init(kex).unwrap_or_else(|| panic!("{kex}"));
        assert_eq!(p[0], 30);
        let n = u32::from_be_bytes([p[1], p[2], p[3], p[4]]) as usize;
        let v = &p[5..];
        assert_eq!(v.len(), n, "{kex}");
        match kex {
            k if k.starts_with("curve25519") => {
                assert_eq!(v.len(), 32);
                assert_eq!(v[0], 9);
                assert!(v[1..].iter().all(|&b| b == 0));
            }
            "ecdh-sha2-nistp256" => assert_eq!((v.len(), v[0]), (65, 4)),
            "ecdh-sha2-nistp384" => assert_eq!((v.len(), v[0]), (97, 4)),
            "ecdh-sha2-nistp521" => assert_eq!((v.len(), v[0]), (133, 4)),
            _ => {
                // A positive mpint with at least 4 bits set (OpenSSH's check), a square.
                assert_eq!(v, [0x00, 0xfe, 0x01]);
                assert!(
                    v[1] & 0x80 != 0 && v[0] == 0,
                    "positive mpint needs the 0 byte"
                );
                let e = u32::from_be_bytes([0, v[0], v[1], v[2]]);
                assert_eq!(e, 255 * 255);
                assert!(e.count_ones() >= 4);
            }
        }
    }
    assert!(client_kex_init("sntrup761x25519-sha512@openssh.com").is_none());
    assert!(client_kex_init("diffie-hellman-group-exchange-sha256").is_none());
}

/// The generators mamori sends equal those `openssl ecparam -param_enc explicit` prints.
#[test]
fn nist_generators_match_openssl() {
    for (kex, curve) in [
        ("ecdh-sha2-nistp256", "prime256v1"),
        ("ecdh-sha2-nistp384", "secp384r1"),
        ("ecdh-sha2-nistp521", "secp521r1"),
    ] {
        let out = std::process::Command::new("openssl")
            .args([
                "ecparam",
                "-name",
                curve,
                "-param_enc",
                "explicit",
                "-text",
                "-noout",
            ])
            .output()
            .unwrap_or_else(|e| {
                panic!("cannot run openssl ({e}): install the Debian package openssl")
            });
        assert!(out.status.success(), "openssl ecparam {curve} failed");
        let text = String::from_utf8_lossy(&out.stdout);
        let g = text
            .split("Generator (uncompressed):")
            .nth(1)
            .and_then(|s| s.split("Order").next())
            .unwrap_or_else(|| panic!("no generator in openssl output: {text}"));
        let hex: String = g.chars().filter(|c| c.is_ascii_hexdigit()).collect();
        let p = client_kex_init(kex).unwrap();
        let ours: String = p[5..].iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(ours, hex.to_ascii_lowercase(), "{kex}");
    }
}

// ------------------------------------------------------------------ reply and key blobs

fn string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u32).to_be_bytes());
    out.extend_from_slice(s);
}

fn blob(fields: &[&[u8]]) -> Vec<u8> {
    let mut b = Vec::new();
    for f in fields {
        string(&mut b, f);
    }
    b
}

fn reply(host_key: &[u8], public: &[u8], sig_alg: &str) -> Vec<u8> {
    let mut p = vec![31];
    string(&mut p, host_key);
    string(&mut p, public);
    string(&mut p, &blob(&[sig_alg.as_bytes(), &[7u8; 64]]));
    p
}

fn ed25519_blob() -> Vec<u8> {
    blob(&[b"ssh-ed25519", &[0x42; 32]])
}

#[test]
fn kex_reply_parses_and_truncations_fail() {
    let hk = ed25519_blob();
    let p = reply(&hk, &[9; 32], "ssh-ed25519");
    let r = parse_kex_reply(&p).unwrap();
    assert_eq!(r.host_key, &hk[..]);
    assert_eq!(r.server_public, &[9u8; 32][..]);
    assert_eq!(r.signature_algorithm, "ssh-ed25519");
    for n in 0..p.len() {
        assert!(parse_kex_reply(&p[..n]).is_err(), "prefix {n}");
    }
    let mut wrong = p.clone();
    wrong[0] = 20;
    assert_eq!(
        parse_kex_reply(&wrong).unwrap_err().to_string(),
        "expected the key exchange reply (31), got message 20"
    );
    let e = parse_kex_reply(&reply(&[], &[1], "x")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "malformed key exchange reply: empty host key (K_S)"
    );
    let e = parse_kex_reply(&reply(&hk, &[1], "bad name")).unwrap_err();
    assert!(e.to_string().contains("signature algorithm"), "{e}");
    let mut huge = vec![31];
    huge.extend_from_slice(&u32::MAX.to_be_bytes());
    let e = parse_kex_reply(&huge).unwrap_err();
    assert!(
        e.to_string()
            .contains("host key (K_S): needs 4294967295 bytes"),
        "{e}"
    );
    assert!(kex::check_server_public("curve25519-sha256", &[0; 31]).is_err());
    assert!(kex::check_server_public("ecdh-sha2-nistp384", &[4; 97]).is_ok());
    assert!(kex::check_server_public("diffie-hellman-group14-sha256", &[]).is_err());
}

#[test]
fn host_key_blobs() {
    // RSA: e, n with a leading zero byte and a 3072-bit magnitude.
    let mut n = vec![0x00, 0xc1];
    n.extend([0x5a; 383]);
    let rsa = blob(&[b"ssh-rsa", &[1, 0, 1], &n]);
    let k = parse_host_key_blob(&rsa).unwrap();
    assert_eq!(
        (k.key_type.as_str(), k.bits, k.curve.as_deref()),
        ("ssh-rsa", Some(3072), None)
    );
    assert!(!k.certificate);
    assert_eq!(k.key_blob, rsa);
    // A 2047-bit modulus is 2047.
    let mut n = vec![0x7f];
    n.extend([0xff; 255]);
    assert_eq!(
        parse_host_key_blob(&blob(&[b"ssh-rsa", &[3], &n]))
            .unwrap()
            .bits,
        Some(2047)
    );
    // DSA: the size of p.
    let p = [0x80u8; 128];
    let dsa = blob(&[b"ssh-dss", &p, &[1; 20], &[2; 128], &[3; 128]]);
    assert_eq!(parse_host_key_blob(&dsa).unwrap().bits, Some(1024));
    // ECDSA.
    for (t, id, len, bits, curve) in [
        ("ecdsa-sha2-nistp256", "nistp256", 65, 256, "P-256"),
        ("ecdsa-sha2-nistp384", "nistp384", 97, 384, "P-384"),
        ("ecdsa-sha2-nistp521", "nistp521", 133, 521, "P-521"),
    ] {
        let mut q = vec![4u8];
        q.resize(len, 0x11);
        let b = blob(&[t.as_bytes(), id.as_bytes(), &q]);
        let k = parse_host_key_blob(&b).unwrap();
        assert_eq!(
            (k.bits, k.curve.as_deref()),
            (Some(bits), Some(curve)),
            "{t}"
        );
        let wrong = blob(&[t.as_bytes(), b"nistp999", &q]);
        assert!(parse_host_key_blob(&wrong).is_err());
        let compressed = blob(&[t.as_bytes(), id.as_bytes(), &[2; 33]]);
        assert!(parse_host_key_blob(&compressed).is_err());
    }
    let k = parse_host_key_blob(&ed25519_blob()).unwrap();
    assert_eq!(
        (k.key_type.as_str(), k.bits, k.curve.as_deref()),
        ("ssh-ed25519", Some(256), Some("Ed25519"))
    );
    assert!(parse_host_key_blob(&blob(&[b"ssh-ed25519", &[1; 31]])).is_err());
    let k = parse_host_key_blob(&blob(&[b"ssh-ed448", &[1; 57]])).unwrap();
    assert_eq!((k.bits, k.curve.as_deref()), (Some(456), Some("Ed448")));
    let sk = blob(&[b"sk-ssh-ed25519@openssh.com", &[1; 32], b"ssh:"]);
    assert_eq!(parse_host_key_blob(&sk).unwrap().bits, Some(256));
    // An unknown type is kept by name.
    let other = blob(&[b"ssh-mldsa-65@example.org", &[1; 1952]]);
    let k = parse_host_key_blob(&other).unwrap();
    assert_eq!(
        (k.key_type.as_str(), k.bits),
        ("ssh-mldsa-65@example.org", None)
    );
    // Every truncation of a known blob fails.
    for b in [&rsa, &dsa, &ed25519_blob()] {
        for n in 0..b.len() {
            assert!(parse_host_key_blob(&b[..n]).is_err(), "prefix {n}");
        }
    }
}

/// An OpenSSH host certificate laid out per PROTOCOL.certkeys.
fn ed25519_cert() -> Vec<u8> {
    let mut c = blob(&[
        b"ssh-ed25519-cert-v01@openssh.com",
        &[0xee; 32],
        &[0x42; 32],
    ]);
    c.extend_from_slice(&7u64.to_be_bytes()); // serial
    c.extend_from_slice(&2u32.to_be_bytes()); // host certificate
    string(&mut c, b"host id");
    string(&mut c, &blob(&[b"localhost"]));
    c.extend_from_slice(&0u64.to_be_bytes());
    c.extend_from_slice(&u64::MAX.to_be_bytes());
    string(&mut c, &[]);
    string(&mut c, &[]);
    string(&mut c, &[]);
    string(&mut c, &blob(&[b"ssh-ed25519", &[0xca; 32]]));
    string(&mut c, &blob(&[b"ssh-ed25519", &[0x51; 64]]));
    c
}

#[test]
fn certificate_yields_the_key_inside() {
    let cert = ed25519_cert();
    let k = parse_host_key_blob(&cert).unwrap();
    assert!(k.certificate);
    assert_eq!(k.key_type, "ssh-ed25519");
    assert_eq!(k.key_blob, ed25519_blob());
    for n in 0..cert.len() {
        assert!(parse_host_key_blob(&cert[..n]).is_err(), "prefix {n}");
    }
    let h = HostKey::from_reply(
        "ssh-ed25519-cert-v01@openssh.com",
        "curve25519-sha256",
        &parse_kex_reply(&reply(&cert, &[9; 32], "ssh-ed25519")).unwrap(),
    )
    .unwrap();
    assert_eq!(h.blob, cert);
    assert_eq!(h.fingerprint, kex::fingerprint(&ed25519_blob()));
}

#[test]
fn fingerprint_is_ssh_keygen_style() {
    // SHA-256 of the empty string, base64 without padding.
    assert_eq!(
        kex::fingerprint(b""),
        "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
    );
}

#[test]
fn disconnect_message() {
    let mut p = vec![1];
    p.extend_from_slice(&3u32.to_be_bytes());
    string(&mut p, b"no matching\nkey exchange");
    string(&mut p, b"en");
    let e = parse_disconnect(&p);
    assert_eq!(
        e.to_string(),
        "the server disconnected (reason 3): no matching?key exchange"
    );
    assert!(matches!(
        parse_disconnect(&[1]),
        SshError::Disconnected { code: 0, .. }
    ));
}

#[test]
fn reply_and_blob_garbage_never_panics() {
    let wire = reply(&ed25519_cert(), &[9; 32], "ssh-ed25519");
    for i in 0..wire.len() {
        for v in [0u8, 1, 0x20, 0x7f, 0x80, 0xff] {
            let mut w = wire.clone();
            w[i] = v;
            if let Ok(r) = parse_kex_reply(&w) {
                let _ = parse_host_key_blob(r.host_key);
            }
            let _ = parse_host_key_blob(w.get(5..).unwrap_or_default());
        }
    }
}

// ------------------------------------------------------------------ observations

fn info(banner: &[u8]) -> SshServerInfo {
    SshServerInfo::new(parse_banner_line(banner).unwrap(), vec![], server_kexinit())
}

#[test]
fn observations_of_offers_keys_and_protocol() {
    let info = info(b"SSH-2.0-OpenSSH_9.6 Ubuntu-3\r\n");
    let hk = HostKey::from_reply(
        "ssh-ed25519",
        "curve25519-sha256",
        &parse_kex_reply(&reply(&ed25519_blob(), &[9; 32], "ssh-ed25519")).unwrap(),
    )
    .unwrap();
    let obs = observations("[::1]:2222", &info, std::slice::from_ref(&hk));
    for o in &obs {
        assert_eq!(o.occurrence.detector, "net.ssh");
        assert_eq!(o.occurrence.location.path, "[::1]:2222");
        assert!(o.occurrence.location.line.is_none() && o.occurrence.location.container.is_none());
    }
    let ctx = |id: &str| -> Vec<String> {
        obs.iter()
            .filter(|o| o.asset.id == id)
            .map(|o| o.occurrence.context.clone().unwrap_or_default())
            .collect()
    };
    assert_eq!(ctx("alg:curve25519-sha256"), ["kex offered by server"]);
    assert_eq!(ctx("alg:mlkem768x25519-sha256"), ["kex offered by server"]);
    assert!(ctx("alg:kex-strict-s-v00@openssh.com").is_empty());
    assert!(ctx("alg:ext-info-s").is_empty());
    assert_eq!(ctx("alg:rsa-sha2-512"), ["host key algorithm offered"]);
    assert_eq!(ctx("alg:aes128-ctr"), ["cipher offered"]);
    assert_eq!(ctx("alg:hmac-sha2-256-etm@openssh.com"), ["MAC offered"]);
    assert!(ctx("alg:none").is_empty() && ctx("alg:zlib@openssh.com").is_empty());
    let mlkem = obs
        .iter()
        .find(|o| o.asset.id == "alg:mlkem768x25519-sha256")
        .unwrap();
    assert_eq!(mlkem.asset.status(), mamori_model::CryptoStatus::Hybrid);
    // The host key: the same asset as the disk detector makes from the same blob.
    let (_, kp) = mamori_fs::keys::ssh_blob(&ed25519_blob()).unwrap();
    let key_id = format!("key:sha256:{}", kp.spki_sha256.clone().unwrap());
    assert_eq!(ctx(&key_id), ["host key for ssh-ed25519"]);
    let key = obs.iter().find(|o| o.asset.id == key_id).unwrap();
    assert_eq!(
        key.asset.key.as_ref().unwrap().fingerprint.as_deref(),
        Some(hk.fingerprint.as_str())
    );
    assert_eq!(ctx("alg:Ed25519"), ["host key algorithm"]);
    // The protocol.
    let proto = obs
        .iter()
        .find(|o| o.asset.id == "proto:ssh-2@[::1]:2222")
        .unwrap();
    assert_eq!(proto.asset.kind, mamori_model::AssetKind::Protocol);
    assert_eq!(proto.asset.name, "SSH 2");
    let p = proto.asset.protocol.as_ref().unwrap();
    assert_eq!((p.kind.as_str(), p.version.as_deref()), ("ssh", Some("2")));
    assert_eq!(
        proto.occurrence.context.as_deref(),
        Some("server software OpenSSH_9.6 Ubuntu-3 (SSH-2.0)")
    );
    assert_eq!(
        proto.asset.status(),
        mamori_model::CryptoStatus::QuantumVulnerable
    );
    assert!(proto.asset.depends_on.contains(&key_id));
    assert!(proto
        .asset
        .depends_on
        .contains(&"alg:curve25519-sha256".to_string()));
    // A 1.99 server also accepts SSH 1: broken.
    let old = observations("h:22", &self::info(b"SSH-1.99-Cisco-1.25\r\n"), &[]);
    let proto = old
        .iter()
        .find(|o| o.asset.id == "proto:ssh-2@h:22")
        .unwrap();
    assert_eq!(proto.asset.status(), mamori_model::CryptoStatus::Broken);
}

#[test]
fn observations_name_one_way_offers() {
    let mut info = info(b"SSH-2.0-x\r\n");
    info.kexinit.encryption_server_to_client = vec!["aes128-ctr".into(), "3des-cbc".into()];
    let obs = observations("h:22", &info, &[]);
    let ctx = |id: &str| {
        obs.iter()
            .find(|o| o.asset.id == id)
            .and_then(|o| o.occurrence.context.clone())
    };
    assert_eq!(
        ctx("alg:3des-cbc").as_deref(),
        Some("cipher offered (server to client only)")
    );
    assert_eq!(
        ctx("alg:chacha20-poly1305@openssh.com").as_deref(),
        Some("cipher offered (client to server only)")
    );
    assert_eq!(ctx("alg:aes128-ctr").as_deref(), Some("cipher offered"));
}
