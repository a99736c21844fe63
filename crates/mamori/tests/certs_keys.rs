//! Certificates and keys made by the real tools (openssl, ssh-keygen) and the real
//! post-quantum certificates in ../shared, scanned by the real binary.
// Tests: a failed expectation panics with its message (the workspace denies
// unwrap/expect in the product's code only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

#[test]
fn certificates_made_by_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // RSA-1024 self-signed, SHA-1 signed CA and an EC leaf issued by it, a bundle, DER and PKCS#7.
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:1024",
            "-nodes",
            "-sha256",
            "-subj",
            "/CN=weak rsa",
            "-days",
            "30",
            "-keyout",
            "weak.key",
            "-out",
            "weak.pem",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-sha1",
            "-subj",
            "/CN=Old CA",
            "-days",
            "3650",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
        ],
    );
    openssl(
        d,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "leaf.key",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-subj",
            "/CN=leaf.example",
            "-out",
            "leaf.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-sha1",
            "-days",
            "4000",
            "-out",
            "leaf.pem",
        ],
    );
    openssl(
        d,
        &[
            "x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der",
        ],
    );
    openssl(
        d,
        &[
            "crl2pkcs7",
            "-nocrl",
            "-certfile",
            "leaf.pem",
            "-certfile",
            "ca.pem",
            "-out",
            "chain.p7b",
        ],
    );
    let mut b = std::fs::read(d.join("ca.pem")).unwrap();
    b.extend(std::fs::read(d.join("weak.pem")).unwrap());
    std::fs::create_dir(d.join("bundle")).unwrap();
    std::fs::write(d.join("bundle/ca-bundle.crt"), b).unwrap();

    let db = d.join("m.db");
    let r = scan_json(&db, &[d], &[]);

    let weak = asset_at(&r, "certificate", "weak.pem");
    let c = &weak["certificate"];
    assert_eq!(c["public_key_algorithm"], "RSA-1024");
    assert_eq!(c["public_key_size"], 1024);
    assert_eq!(c["signature_algorithm"], "RSA-PKCS1-1.5-SHA-256");
    assert_eq!(c["signature_algorithm_oid"], "1.2.840.113549.1.1.11");
    assert_eq!(c["self_signed"], true);
    assert_eq!(weak["algorithm"]["status"], "broken");
    // The fingerprint is the real SHA-256 of the DER, as openssl computes it.
    let fp = std::process::Command::new("openssl")
        .args(["x509", "-in"])
        .arg(d.join("weak.pem"))
        .args(["-noout", "-fingerprint", "-sha256"])
        .output()
        .unwrap();
    let fp = String::from_utf8_lossy(&fp.stdout)
        .split('=')
        .nth(1)
        .unwrap()
        .trim()
        .replace(':', "")
        .to_lowercase();
    assert_eq!(c["sha256"], fp);

    let leaf = asset_at(&r, "certificate", "leaf.pem");
    let c = &leaf["certificate"];
    assert_eq!(c["public_key_algorithm"], "ECDSA-P-256");
    assert_eq!(c["curve"], "P-256");
    assert_eq!(c["signature_algorithm"], "RSA-PKCS1-1.5-SHA-1");
    assert_eq!(c["self_signed"], false);
    assert_eq!(c["is_ca"], false);
    assert_eq!(c["issuer"], "CN=Old CA");
    assert!(c["dns_names"].is_null() || c["dns_names"].as_array().unwrap().is_empty());
    // The same leaf is found in PEM, DER and PKCS#7: one asset, three places.
    let places: Vec<&str> = leaf["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["location"]["path"].as_str().unwrap())
        .collect();
    for f in ["leaf.pem", "leaf.der", "chain.p7b"] {
        assert!(
            places.iter().any(|p| p.ends_with(f)),
            "{f} not among {places:?}"
        );
    }
    // The CA sits in its own file and in the bundle at line 1.
    let ca = asset_at(&r, "certificate", "ca-bundle.crt");
    assert_eq!(ca["certificate"]["is_ca"], true);
    let codes: Vec<(&str, &str)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap(),
                f["asset_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        codes.contains(&("cert-weak-signature", "leaf.example")),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("key-weak", "RSA-1024 private key")),
        "{codes:?}"
    );
    assert!(
        codes.contains(&("crypto-broken-algorithm", "RSA-PKCS1-1.5-SHA-1")),
        "{codes:?}"
    );
    // The certificate depends on its signature algorithm and its public key, and the public
    // key is the same asset as the private key file leaf.key (one key, two places).
    let deps = leaf["depends_on"].as_array().unwrap();
    assert_eq!(deps[0], "alg:RSA-PKCS1-1.5-SHA-1");
    let key = asset_at(&r, "key", "leaf.key");
    assert_eq!(deps[1], key["id"]);
    assert_eq!(key["depends_on"], serde_json::json!(["alg:ECDSA-P-256"]));
    assert!(key["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["location"]["path"]
            .as_str()
            .unwrap()
            .ends_with("leaf.pem")));
}

#[test]
fn keys_made_by_openssl_and_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:3072",
            "-out",
            "rsa3072.key",
        ],
    );
    openssl(d, &["genrsa", "-traditional", "-out", "pkcs1.key", "2048"]);
    openssl(
        d,
        &[
            "ecparam",
            "-name",
            "secp384r1",
            "-genkey",
            "-noout",
            "-out",
            "sec1.key",
        ],
    );
    openssl(d, &["genpkey", "-algorithm", "ED25519", "-out", "ed.key"]);
    openssl(
        d,
        &[
            "pkey",
            "-in",
            "rsa3072.key",
            "-pubout",
            "-out",
            "rsa3072.pub.pem",
        ],
    );
    openssl(
        d,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "sec1.key",
            "-v2",
            "aes-256-cbc",
            "-passout",
            "pass:secret",
            "-out",
            "enc.key",
        ],
    );
    openssl(
        d,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-outform",
            "DER",
            "-out",
            "rsa.der",
        ],
    );
    openssl(d, &["dhparam", "-out", "dh1024.pem", "1024"]);
    openssl(d, &["dsaparam", "-out", "dsa.params", "2048"]);
    openssl(
        d,
        &[
            "pkey",
            "-in",
            "pkcs1.key",
            "-pubout",
            "-outform",
            "DER",
            "-out",
            "key.der.pub",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "sec1.key",
            "-subj",
            "/CN=csr.example",
            "-out",
            "req.csr",
        ],
    );
    tool(
        d,
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "alice@example",
            "-f",
            "id_ed25519",
        ],
        "openssh-client",
    );
    tool(
        d,
        "ssh-keygen",
        &["-q", "-t", "rsa", "-b", "1024", "-N", "pw", "-f", "id_rsa"],
        "openssh-client",
    );
    tool(
        d,
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ecdsa",
            "-b",
            "521",
            "-N",
            "",
            "-f",
            "ssh_host_ecdsa_key",
        ],
        "openssh-client",
    );
    // An RSA key pair written by ssh-keygen in PEM: private key PEM, public key OpenSSH.
    tool(
        d,
        "ssh-keygen",
        &[
            "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", "pem_rsa",
        ],
        "openssh-client",
    );
    let pubkey = std::fs::read_to_string(d.join("id_ed25519.pub")).unwrap();
    let ecpub = std::fs::read_to_string(d.join("ssh_host_ecdsa_key.pub")).unwrap();
    std::fs::write(
        d.join("authorized_keys"),
        format!("# keys\nno-pty,from=\"10.0.0.1\" {pubkey}"),
    )
    .unwrap();
    std::fs::write(
        d.join("known_hosts"),
        format!(
            "server.example,192.0.2.1 {}\nssh-gw.example.jp {}",
            ecpub
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" "),
            pubkey
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ")
        ),
    )
    .unwrap();

    let db = d.join("m.db");
    let r = scan_json(&db, &[d], &[]);
    let key = |suffix: &str| asset_at(&r, "key", suffix)["key"].clone();

    let k = key("rsa3072.key");
    assert_eq!(
        (
            k["algorithm"].as_str(),
            k["size"].as_u64(),
            k["format"].as_str()
        ),
        (Some("RSA-3072"), Some(3072), Some("pkcs8"))
    );
    assert_eq!(k["material"], "private-key");
    // The private key and its public half share one fingerprint: one asset, two places.
    let p = key("rsa3072.pub.pem");
    assert_eq!(p["fingerprint"], k["fingerprint"]);
    assert!(k["fingerprint"].as_str().unwrap().starts_with("sha256:"));
    assert_eq!(key("pkcs1.key")["format"], "pkcs1");
    assert_eq!(key("pkcs1.key")["size"], 2048);
    assert_eq!(key("sec1.key")["curve"], "P-384");
    assert_eq!(key("ed.key")["algorithm"], "Ed25519");
    let e = key("enc.key");
    assert_eq!(e["encrypted"], true);
    assert_eq!(e["protection"], "PBES2-PBKDF2-HMAC-SHA-256-AES-256-CBC");
    assert_eq!(key("rsa.der")["size"], 2048);
    assert_eq!(key("dh1024.pem")["algorithm"], "FFDH-1024");
    assert_eq!(key("dsa.params")["algorithm"], "DSA-2048");
    // A DER public key named .pub is the same key as pkcs1.key.
    assert_eq!(
        key("key.der.pub")["fingerprint"],
        key("pkcs1.key")["fingerprint"]
    );
    // A certificate request asks a certificate for sec1.key's public key.
    assert_eq!(
        key("req.csr")["fingerprint"],
        key("sec1.key")["fingerprint"]
    );

    // SSH: fingerprints exactly as ssh-keygen -l prints them.
    let fp = |f: &str| {
        let o = std::process::Command::new("ssh-keygen")
            .arg("-lf")
            .arg(d.join(f))
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout)
            .split_whitespace()
            .nth(1)
            .unwrap()
            .to_string()
    };
    let ed = key("id_ed25519");
    assert_eq!(ed["format"], "openssh");
    assert_eq!(ed["fingerprint"], fp("id_ed25519.pub"));
    let rsa = key("id_rsa");
    assert_eq!(
        (rsa["size"].as_u64(), rsa["encrypted"].as_bool()),
        (Some(1024), Some(true))
    );
    assert_eq!(rsa["protection"], "aes256-ctr/bcrypt");
    // authorized_keys holds the same key as id_ed25519: one asset, each place with its context.
    let ak = asset_at(&r, "key", "authorized_keys");
    assert_eq!(ak["key"]["fingerprint"], fp("id_ed25519.pub"));
    let ctx = |a: &serde_json::Value, f: &str| {
        a["occurrences"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["location"]["path"].as_str().unwrap().ends_with(f))
            .map(|o| {
                (
                    o["context"].as_str().unwrap().to_string(),
                    o["location"]["line"].as_u64(),
                )
            })
            .unwrap()
    };
    assert_eq!(
        ctx(ak, "authorized_keys"),
        ("public-key (authorized_keys) alice@example".into(), Some(2))
    );
    // A host named ssh-… is a host, not a key type.
    let gw = assets_of(&r, "key")
        .into_iter()
        .find(|k| {
            k["occurrences"].as_array().unwrap().iter().any(|o| {
                o["context"]
                    .as_str()
                    .unwrap_or("")
                    .ends_with("ssh-gw.example.jp")
            })
        })
        .expect("the ssh-gw host key");
    assert_eq!(gw["key"]["algorithm"], "Ed25519");
    // The PEM private key and its OpenSSH public key are one asset.
    assert_eq!(
        asset_at(&r, "key", "pem_rsa")["id"],
        asset_at(&r, "key", "pem_rsa.pub")["id"]
    );
    assert!(asset_at(&r, "key", "pem_rsa.pub")["id"]
        .as_str()
        .unwrap()
        .starts_with("key:sha256:"));
    let kh = assets_of(&r, "key")
        .into_iter()
        .find(|k| k["key"]["curve"] == "P-521")
        .expect("the P-521 host key");
    assert_eq!(
        ctx(kh, "known_hosts").0,
        "public-key (known_hosts) server.example,192.0.2.1"
    );
    // Never the key material: no base64 body of any private key appears in the report.
    let text = serde_json::to_string(&r).unwrap();
    let body = std::fs::read_to_string(d.join("rsa3072.key")).unwrap();
    let line = body.lines().nth(2).unwrap();
    assert!(!text.contains(line));
}

#[test]
fn post_quantum_and_composite_certificates_are_recognized_by_oid() {
    let dir = tempfile::tempdir().unwrap();
    let src = shared().join("pqc-certificates/bc");
    let db = dir.path().join("m.db");
    let r = scan_json(&db, &[&src], &[]);
    assert!(
        r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| !w["path"].as_str().unwrap().ends_with("_ta.der")),
        "a trust-anchor certificate was not read: {}",
        r["warnings"]
    );
    let mut checked = 0;
    for entry in std::fs::read_dir(&src).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if !(name.ends_with("_ta.der") || name.ends_with("_ee.der"))
            || name.starts_with("catalyst")
            || name.starts_with("chameleon")
            || name.starts_with("composite_")
        {
            continue;
        }
        // The file name carries the OID of the certificate's key algorithm.
        let oid = name
            .rsplit_once('-')
            .map(|(_, t)| t.split('_').next().unwrap().to_string())
            .unwrap();
        let oid = if name.starts_with("external_")
            || oid.starts_with("1.0.18033")
            || oid.starts_with("1.3.")
            || oid.starts_with("2.16")
        {
            oid
        } else {
            continue;
        };
        let cert = asset_at(&r, "certificate", &name);
        let c = &cert["certificate"];
        assert_eq!(c["public_key_algorithm_oid"], oid, "{name}");
        let status = cert["algorithm"]["status"].as_str().unwrap();
        assert!(
            ["quantum-safe", "hybrid"].contains(&status),
            "{name}: status {status}, algorithm {}",
            c["public_key_algorithm"]
        );
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} PQC certificates checked");
    let mldsa = asset_at(
        &r,
        "certificate",
        "ml-dsa-65-2.16.840.1.101.3.4.3.18_ta.der",
    );
    assert_eq!(mldsa["certificate"]["signature_algorithm"], "ML-DSA-65");
    assert_eq!(mldsa["algorithm"]["nist_quantum_security_level"], 3);
    let comp = asset_at(
        &r,
        "certificate",
        "MLDSA87-ECDSA-P384-SHA512-1.3.6.1.5.5.7.6.49_ta.der",
    );
    assert_eq!(
        comp["certificate"]["public_key_algorithm"],
        "MLDSA87-ECDSA-P384-SHA512"
    );
    assert_eq!(comp["algorithm"]["status"], "hybrid");
}

#[test]
fn keystores_pkcs12_and_openpgp() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Java keystore with the default password, PKCS#12 with a password from --password-file.
    tool(
        d,
        "keytool",
        &[
            "-genkeypair",
            "-keystore",
            "app.jks",
            "-storetype",
            "JKS",
            "-storepass",
            "changeit",
            "-keypass",
            "changeit",
            "-alias",
            "web",
            "-keyalg",
            "EC",
            "-groupname",
            "secp384r1",
            "-dname",
            "CN=jks.example",
            "-validity",
            "100",
        ],
        "openjdk-17-jdk-headless",
    );
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:3072",
            "-nodes",
            "-subj",
            "/CN=p12.example",
            "-keyout",
            "p.key",
            "-out",
            "p.pem",
        ],
    );
    openssl(
        d,
        &[
            "pkcs12",
            "-export",
            "-in",
            "p.pem",
            "-inkey",
            "p.key",
            "-passout",
            "pass:s3cret!",
            "-name",
            "server",
            "-out",
            "server.p12",
        ],
    );
    std::fs::remove_file(d.join("p.key")).unwrap();
    std::fs::remove_file(d.join("p.pem")).unwrap();
    let home = d.join("gnupg");
    std::fs::create_dir(&home).unwrap();
    let h = home.to_str().unwrap();
    tool(
        d,
        "gpg",
        &[
            "--batch",
            "--homedir",
            h,
            "--passphrase",
            "",
            "--quick-gen-key",
            "Ops <ops@example.jp>",
            "rsa3072",
            "sign",
            "never",
        ],
        "gnupg",
    );
    // gpg 2.2 makes legacy EdDSA keys on OpenPGP's own Ed25519 curve OID.
    tool(
        d,
        "gpg",
        &[
            "--batch",
            "--homedir",
            h,
            "--passphrase",
            "",
            "--quick-gen-key",
            "Sig <sig@example.jp>",
            "ed25519",
            "sign",
            "never",
        ],
        "gnupg",
    );
    let exp = std::process::Command::new("gpg")
        .args([
            "--homedir",
            h,
            "--export",
            "ops@example.jp",
            "sig@example.jp",
        ])
        .output()
        .unwrap();
    std::fs::write(d.join("ops.gpg"), &exp.stdout).unwrap();
    std::fs::remove_dir_all(&home).unwrap();
    std::fs::write(d.join("pw.txt"), "wrong\ns3cret!\n").unwrap();

    let db = d.join("m.db");
    let r = scan_json(
        &db,
        &[d],
        &["--password-file", d.join("pw.txt").to_str().unwrap()],
    );
    let jks = asset_at(&r, "certificate", "app.jks");
    assert_eq!(jks["certificate"]["public_key_algorithm"], "ECDSA-P-384");
    assert_eq!(jks["certificate"]["format"], "jks");
    let jk = asset_at(&r, "key", "app.jks");
    assert_eq!(jk["key"]["label"], "web");
    let p12 = asset_at(&r, "certificate", "server.p12");
    assert_eq!(p12["certificate"]["public_key_size"], 3072);
    let pk = asset_at(&r, "key", "server.p12");
    // The private key in the file is the certificate's key: one asset.
    assert_eq!(p12["depends_on"][1], pk["id"]);
    assert_eq!(pk["key"]["material"], "private-key");
    assert_eq!(pk["key"]["algorithm"], "RSA-3072");
    assert_eq!(
        pk["key"]["protection"],
        "PBES2-PBKDF2-HMAC-SHA-256-AES-256-CBC"
    );
    let pgp = assets_of(&r, "key")
        .into_iter()
        .find(|k| k["key"]["label"] == "Ops <ops@example.jp>")
        .expect("the RSA OpenPGP key");
    assert_eq!(pgp["key"]["algorithm"], "RSA-3072");
    assert!(pgp["occurrences"][0]["location"]["path"]
        .as_str()
        .unwrap()
        .ends_with("ops.gpg"));
    let ed = assets_of(&r, "key")
        .into_iter()
        .find(|k| k["key"]["label"] == "Sig <sig@example.jp>")
        .expect("the Ed25519 OpenPGP key");
    assert_eq!(ed["key"]["algorithm"], "Ed25519");
    assert_eq!(ed["algorithm"]["status"], "quantum-vulnerable");
    // Without the password the PKCS#12 is a clear warning, not an error.
    let r = scan_json(&db, &[&d.join("server.p12")], &[]);
    let w = r["warnings"].as_array().unwrap();
    assert!(
        w.iter()
            .any(|w| w["message"].as_str().unwrap().contains("password")),
        "{w:?}"
    );
    // … and the locked keystore is still in the inventory.
    let locked = asset_at(&r, "key", "server.p12");
    assert_eq!(locked["key"]["material"], "keystore");
    assert_eq!(locked["key"]["encrypted"], true);
}
